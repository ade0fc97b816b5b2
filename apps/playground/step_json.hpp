// The library's structs of one step as the page reads them, in JSON: a step's numbers (explain), a
// weight's chain rule, and a prediction with every layer's output.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "request.hpp"
#include "run.hpp"

namespace bpnn::serve {

template <class Range>
std::vector<double> values(const Range& v) {
  return std::vector<double>(std::begin(v), std::end(v));
}

// Row-major values as rows of `cols` numbers, the first `rows` of them at most.
template <class T>
json matrix(const std::vector<T>& v, std::size_t cols, std::size_t rows = SIZE_MAX) {
  json m = json::array();
  for (std::size_t r = 0; cols > 0 && r < std::min(rows, v.size() / cols); ++r) {
    m.push_back(std::vector<double>(v.begin() + r * cols, v.begin() + (r + 1) * cols));
  }
  return m;
}

// The numbers of one step as the page lists them: the first 16 samples' net, out and delta of every
// neuron, then the weights and biases (the first 512, and how many there are) with their value,
// dE/dw (summed over the step's samples), update and new value.
template <class T>
json explanation_json(const Explanation<T>& e);

template <class T>
json chain_json(const ChainRule<T>& c);

// The output of every layer for input x, and the class probabilities as the library reads them.
template <class T>
json predict_json(Run<T>& r, const std::vector<double>& x, const std::string& loss);

}  // namespace bpnn::serve
