// The 2-2-2 worked example as a stand-alone program: example_mazur [iterations].
#include <cstdlib>
#include <iostream>

#include "mazur.hpp"

int main(int argc, char** argv) {
  bpnn::examples::MazurOptions options;
  if (argc > 1) options.iterations = std::atoi(argv[1]);
  return bpnn::examples::run_mazur(options, std::cout);
}
