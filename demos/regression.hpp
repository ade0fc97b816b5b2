// The tutorial's regression network: 3-30-10-3-1 with sigmoid, sigmoid, relu and a linear output,
// MSE, learning rate 0.01, weights and biases drawn from normal(0, 1), full-batch gradient descent
// on a smooth function of three features: y = x1^2 + sin(2 x2) + 0.5 x1 x3, with x uniform in
// [-1, 1)^3; 1,000 samples, the last 20% held out.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "bpnn/backend/backend.hpp"

namespace bpnn::examples {

struct RegressionOptions {
  std::uint64_t seed = 1;
  int epochs = 3000;
  int every = 300;     // print the loss every N epochs
  double learning_rate = 0.01;
  std::string trace = "";   // JSON-lines trace file ("" for none)
  Arithmetic arithmetic = Arithmetic::portable;  // portable: the same figures on every machine
};

int run_regression(const RegressionOptions& options, std::ostream& out);

}  // namespace bpnn::examples
