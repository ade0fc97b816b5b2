// A session's training, in float (as bpnn train) or in double (the worked example and the
// perceptron rule, for the tutorials' exact digits): the model built from the network description
// and initialized from Rng(seed), its loss and optimizer, the data as the loss takes it, and the
// library's TrainingRun, whose generator (the same) draws each epoch's order, as fit does. It keeps
// each step (keep_last_step), so the page can show the gradients the last step applied.
#pragma once

#include <algorithm>
#include <iterator>
#include <memory>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "datasets.hpp"
#include "network_config.hpp"

namespace bpnn::serve {

// Numbers (a vector, a span) as a tensor of T of that shape.
template <class T, class Range>
Tensor<T> tensor_of(const Range& v, const Shape& shape) {
  Tensor<T> t(shape);
  std::transform(std::begin(v), std::end(v), t.data(), [](auto x) { return static_cast<T>(x); });
  return t;
}

// What the session holds: a Run<float> or a Run<double>.
struct AnyRun {
  virtual ~AnyRun() = default;
};

template <class T>
struct Run : AnyRun {
  using Value = T;
  Run(const Network& network, std::uint64_t seed) : model(build_model<T>(network)), rng(seed) {}
  // The numbers of a step on training sample k from the weights now, with the update the run's
  // optimizer would make (explain.hpp).
  Explanation<T> explain_sample(std::size_t k) {
    return explain<T>(model, *loss, train_x.view().samples(k, 1), train_t.view().samples(k, 1),
                      {.optimizer = optimizer.get()});
  }

  Sequential<T> model;
  std::unique_ptr<Loss<T>> loss;
  std::unique_ptr<Loss<double>> check_loss;  // the same loss in double, for check_gradients
  std::unique_ptr<Optimizer<T>> optimizer;
  Rng rng;
  Tensor<T> train_x, train_t, test_x, test_t, grid;  // grid: the state's curve or heatmap inputs
  typename Sequential<T>::Workspace workspace;  // the state's inference, apart from training
  // The neurons' pictures: a coarse grid over the heatmap's plane and its own inference workspace,
  // whose every layer's outputs the state reads (state.cpp, draw_neurons).
  Tensor<T> neuron_grid;
  typename Sequential<T>::Workspace neuron_workspace;
  std::unique_ptr<TrainingRun<T>> run;  // last: it refers to the above
};

// The run of network (describe_network(c, data)) on data, in double when c.in_double(), else float.
std::unique_ptr<AnyRun> make_run(const Network& network, const NetworkConfig& c, const PlayData& data,
                                 const std::vector<double>& grid);

}  // namespace bpnn::serve
