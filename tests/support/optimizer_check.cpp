#include "support/optimizer_check.hpp"

#include <algorithm>
#include <sstream>
#include <utility>
#include <vector>

#include "support/thread_counts.hpp"

namespace bpnn::testing {
namespace {

template <class T>
struct Stepped {
  std::vector<T> values;
  OptimizerState<T> state;
};

template <class T>
Stepped<T> step_four_times(const std::function<std::unique_ptr<Optimizer<T>>()>& make, const Backend<T>& backend,
                           std::ostringstream& report) {
  ParameterStore<T> store;
  store.add("0.weight", Shape{300, 200}, Initializer::zeros());
  store.add("0.bias", Shape{37}, Initializer::zeros());
  store.add("1.weight", Shape{11, 13}, Initializer::zeros());
  store.add("1.running_mean", Shape{13}, Initializer::zeros(), /*buffer=*/true);
  store.set_frozen("1.weight");
  Rng rng(5);
  for (T& p : store.values().span()) p = static_cast<T>(rng.uniform(-1, 1));
  const std::vector<T> start(store.values().data(), store.values().data() + store.values().size());
  const std::unique_ptr<Optimizer<T>> optimizer = make();
  for (int step = 0; step < 4; ++step) {
    // Every seventh gradient 0: RPROP's "no sign" case.
    std::size_t i = 0;
    for (T& g : store.grads().span()) g = i++ % 7 == 0 ? T(0) : static_cast<T>(rng.uniform(-1, 1));
    optimizer->step(store, backend);
  }
  Stepped<T> out{{store.values().data(), store.values().data() + store.values().size()}, optimizer->state()};
  for (const char* name : {"1.weight", "1.running_mean"}) {
    const ParameterEntry& e = store.entry(store.index(name));
    for (std::size_t j = e.offset; j < e.offset + e.shape.numel(); ++j) {
      if (out.values[j] != start[j]) {
        report << backend.name() << ": " << name << " changed\n";
        break;
      }
    }
  }
  return out;
}

template <class T>
bool same_bits(const T* a, std::size_t a_size, const T* b, std::size_t b_size) {
  return std::equal(a, a + a_size, b, b + b_size);
}

}  // namespace

template <class T>
std::string backend_differences(const std::function<std::unique_ptr<Optimizer<T>>()>& make) {
  std::ostringstream report;
  const std::string type = sizeof(T) == sizeof(double) ? "double" : "float";
  const Stepped<T> want = step_four_times(make, *make_reference_backend<T>(), report);
  for (const auto& [arithmetic, threads] :
       {std::pair{Arithmetic::fast, 1}, {Arithmetic::fast, 2}, {Arithmetic::fast, 3}, {Arithmetic::portable, 1},
        {Arithmetic::portable, 3}}) {
    if (threads > kMaxThreads) continue;
    const Stepped<T> got =
        step_four_times(make, *make_cpu_backend<T>({.threads = threads, .arithmetic = arithmetic}), report);
    const std::string where = type + " on cpu (" + (arithmetic == Arithmetic::portable ? "portable, " : "") +
                              std::to_string(threads) + " threads): ";
    if (got.values != want.values) report << where << "the parameters differ from the reference's\n";
    if (got.state.steps != want.state.steps) report << where << "the step count differs\n";
    if (got.state.buffers.size() != want.state.buffers.size()) {
      report << where << got.state.buffers.size() << " state buffers, the reference " << want.state.buffers.size()
             << "\n";
      continue;
    }
    for (std::size_t k = 0; k < want.state.buffers.size(); ++k) {
      const auto& [name, a] = got.state.buffers[k];
      const Tensor<T>& b = want.state.buffers[k].second;
      if (name != want.state.buffers[k].first || !same_bits(a.data(), a.size(), b.data(), b.size())) {
        report << where << "state " << name << " differs from the reference's\n";
      }
    }
  }
  return report.str();
}

template std::string backend_differences(const std::function<std::unique_ptr<Optimizer<float>>()>&);
template std::string backend_differences(const std::function<std::unique_ptr<Optimizer<double>>()>&);

}  // namespace bpnn::testing
