// A session's training run, made from the learner's network and data.
#include "run.hpp"

#include <algorithm>

#include "mazur.hpp"

namespace bpnn::serve {
namespace {

// The targets as the loss takes them: regression values, or a one-output model's 0/1 labels, as
// they are ([N, width]); labels for several outputs by the library (class indices for
// cross_entropy, one-hot rows otherwise).
template <class T>
Tensor<T> targets_of(const std::vector<double>& y, const PlayData& d, std::size_t outputs, const std::string& loss) {
  const std::size_t n = y.size() / d.target_width();
  if (!d.classification() || outputs == 1) return tensor_of<T>(y, Shape{n, d.target_width()});
  if (n == 0) return Tensor<T>();  // no test set
  Dataset labels;
  labels.inputs = Tensor<float>(Shape{n, 1});
  labels.targets = tensor_of<float>(y, Shape{n});
  labels.classes = d.classes;
  labels.source = d.name;
  const Tensor<float> t = prepare_targets(labels, outputs, {.loss = loss});
  return tensor_of<T>(t.view().span(), t.shape());
}

template <class T>
std::unique_ptr<AnyRun> make_run_in(const Network& network, const NetworkConfig& c, const PlayData& d,
                                    const std::vector<double>& grid) {
  auto r = std::make_unique<Run<T>>(network, c.seed);
  // One thread, as bpnn train, in the arithmetic its command names.
  r->model.set_backend(make_cpu_backend<T>({.threads = 1, .arithmetic = arithmetic_named(c.arithmetic)}));
  r->model.initialize(r->rng);
  if (c.worked_example) examples::set_worked_example_weights(r->model.parameters());
  r->loss = make_loss<T>(c.loss);
  r->check_loss = make_loss<double>(c.loss);
  // (The perceptron rule takes only its learning rate from the optimizer.)
  OptimizerSpec spec{.name = c.perceptron() ? "sgd" : c.optimizer, .learning_rate = c.learning_rate};
  if (c.weight_decay > 0) spec.weight_decay = c.weight_decay;
  if (c.l1 > 0) spec.l1 = c.l1;
  r->optimizer = make_optimizer<T>(spec);
  const std::size_t n = d.train_size(), outputs = c.layers.back().units;
  r->train_x = tensor_of<T>(d.train_x, Shape{n, d.inputs});
  r->test_x = tensor_of<T>(d.test_x, Shape{d.test_size(), d.inputs});
  r->train_t = targets_of<T>(d.train_y, d, outputs, c.loss);
  r->test_t = targets_of<T>(d.test_y, d, outputs, c.loss);
  r->grid = tensor_of<T>(grid, Shape{grid.size() / d.inputs, d.inputs});
  const TrainingRunOptions options{.batch_size = c.perceptron() ? 1 : c.batch(n),
                                   .shuffle = c.shuffle && !c.perceptron(),
                                   .schedule = c.schedule.schedule,
                                   .epochs = c.schedule.over_epochs() ? c.schedule.epochs : 1,
                                   .task = d.classification() ? Task::classification : Task::regression,
                                   .rule = c.perceptron() ? UpdateRule::perceptron : UpdateRule::gradient_descent,
                                   .keep_last_step = true};
  r->run = std::make_unique<TrainingRun<T>>(r->model, *r->loss, *r->optimizer, r->train_x.view(), r->train_t.view(),
                                            r->rng, options);
  return r;
}

}  // namespace

std::unique_ptr<AnyRun> make_run(const Network& network, const NetworkConfig& c, const PlayData& data,
                                 const std::vector<double>& grid) {
  return c.in_double() ? make_run_in<double>(network, c, data, grid) : make_run_in<float>(network, c, data, grid);
}

}  // namespace bpnn::serve
