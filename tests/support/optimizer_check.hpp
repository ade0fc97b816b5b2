// The check every optimizer's test calls in a line: its update, shared out by the backend's
// parallel_for, gives the same bits on every backend and thread count.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "bpnn/bpnn.hpp"

namespace bpnn::testing {

// A store with one parameter tensor "0.weight" of two values, p0 and p1, for steps worked by hand.
inline ParameterStore<double> store_with(double p0, double p1) {
  ParameterStore<double> store;
  store.add("0.weight", Shape{2}, Initializer::zeros());
  store.value(0)[0] = p0;
  store.value(0)[1] = p1;
  return store;
}

// Its gradients := g0, g1.
inline void set_grad(ParameterStore<double>& store, double g0, double g1) {
  store.grad(0)[0] = g0;
  store.grad(0)[1] = g1;
}

// Steps the optimizer make() gives four times, with fresh gradients each time, on a store holding a
// tensor the cpu backend splits between threads (300 x 200), a small one, a frozen one and a buffer:
// on the reference backend and on cpu, in fast arithmetic with 1, 2 and 3 threads and in portable
// with 1 and 3 (those of them the build runs: support/thread_counts.hpp). Returns "" when every value
// and every state buffer are the same bits on all of them and the frozen tensor and the buffer are
// unchanged; otherwise one line per difference.
template <class T>
std::string backend_differences(const std::function<std::unique_ptr<Optimizer<T>>()>& make);

// The same in float and in double: make(T{}) gives an Optimizer<T>.
template <class Make>
std::string differences_between_backends(const Make& make) {
  return backend_differences<float>([&] { return make(float{}); }) +
         backend_differences<double>([&] { return make(double{}); });
}

}  // namespace bpnn::testing
