// A single-layer perceptron of M-P units (weighted sum minus threshold, then step) trained with the
// perceptron rule on AND, OR and NAND, which it learns, and on XOR and XNOR, which it cannot: they
// are not linearly separable, the reason multilayer networks need a hidden layer.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "bpnn/backend/backend.hpp"

namespace bpnn::examples {

struct PerceptronOptions {
  std::uint64_t seed = 1;    // initial weights and threshold, uniform in [-0.5, 0.5)
  double learning_rate = 0.1;
  int max_epochs = 100;
  std::string trace = "";         // JSON-lines trace file ("" for none)
  Arithmetic arithmetic = Arithmetic::portable;  // portable: the same figures on every machine
};

int run_perceptron(const PerceptronOptions& options, std::ostream& out);

}  // namespace bpnn::examples
