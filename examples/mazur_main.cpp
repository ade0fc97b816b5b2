// The 2-2-2 worked example as a stand-alone program (also `bpnn demo mazur`):
//   example_mazur [--tutorial-order]
#include <cstring>
#include <iostream>

#include "mazur.hpp"

int main(int argc, char** argv) {
  bpnn::examples::MazurOptions options;
  options.tutorial_order = argc > 1 && std::strcmp(argv[1], "--tutorial-order") == 0;
  return bpnn::examples::run_mazur(options, std::cout);
}
