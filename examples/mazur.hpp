// The 2-2-2 worked example (Matt Mazur's, retold in the tutorials): one forward pass, every
// gradient by back-propagation, one gradient-descent step, all in double so every printed digit
// can be checked against a hand derivation.
#pragma once

#include <ostream>

namespace bpnn::examples {

struct MazurOptions {
  int iterations = 1;  // gradient-descent steps to take after the first one is shown in full
};

// Prints the example to out; returns a process exit code.
int run_mazur(const MazurOptions& options, std::ostream& out);

}  // namespace bpnn::examples
