// The 2-2-2 worked example (Matt Mazur's, retold in the tutorials): one forward pass, every factor
// of the chain rule, every gradient, one gradient-descent step, and the error over 10,000 steps,
// in double so every printed digit can be checked against a hand derivation. The numbers of the
// first step are the library's (bpnn/train/explain.hpp), printed.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "bpnn/backend/backend.hpp"

#include "bpnn/core/parameter_store.hpp"

namespace bpnn::examples {

struct MazurOptions {
  bool tutorial_order = false;  // update the output weights before back-propagating to the hidden ones
  std::uint64_t seed = 0;       // printed only: the example's weights are given, not drawn
  std::string trace = "";            // JSON-lines trace file ("" for none)
  Arithmetic arithmetic = Arithmetic::portable;  // portable: the same figures on every machine
  std::string save = "";             // a model file of the example's network and given weights ("" for none)
};

// Gives a 2-2-2 network (dense, sigmoid, dense, sigmoid) the example's weights and biases, and
// freezes the biases, which the example keeps fixed.
template <class T>
void set_worked_example_weights(ParameterStore<T>& parameters);

// Prints the example to out; returns a process exit code.
int run_mazur(const MazurOptions& options, std::ostream& out);

}  // namespace bpnn::examples
