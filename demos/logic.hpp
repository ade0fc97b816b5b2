// Two small sigmoid networks that learn what a single perceptron cannot:
//   xor  — 2-5-1, MSE, online training on one randomly drawn sample per iteration;
//   xnor — the tutorial's exercise: 2-3-1, learning rate and initial weights drawn at random,
//          full-batch gradient descent on the four cases, every weight and output printed per
//          iteration, until every output is within 0.05 of its target.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "bpnn/backend/backend.hpp"

namespace bpnn::examples {

struct XorOptions {
  std::uint64_t seed = 1;
  int iterations = 10000;
  double learning_rate = 0.5;
  std::string trace = "";  // JSON-lines trace file ("" for none)
  Arithmetic arithmetic = Arithmetic::portable;  // portable: the same figures on every machine
};

int run_xor(const XorOptions& options, std::ostream& out);

struct XnorOptions {
  std::uint64_t seed = 1;
  int max_iterations = 100000;
  int every = 1;      // print every K-th iteration (the first and last are always printed)
  std::string trace = "";  // JSON-lines trace file ("" for none)
  Arithmetic arithmetic = Arithmetic::portable;  // portable: the same figures on every machine
};

// The learning rate is drawn uniformly from [kXnorRateLow, kXnorRateHigh), the initial weights
// and biases uniformly from [-1, 1).
constexpr double kXnorRateLow = 0.5;
constexpr double kXnorRateHigh = 5.0;

int run_xnor(const XnorOptions& options, std::ostream& out);

}  // namespace bpnn::examples
