// One playground session: parse a request, call the library, report every number as JSON.
#include "session.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

#include "bpnn/io/csv.hpp"
#include "bpnn/io/model_file.hpp"
#include "mazur.hpp"

namespace bpnn::serve {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kHeatmapSide = 40;
constexpr std::size_t kShownInputs = 64;  // with more inputs (digits) the state leaves out the pixels and the first layer's weights
constexpr double kStepSeconds = 3.0;  // a step request stops after this long (or its "seconds"), however many steps remain

std::vector<double> values(TensorView<const double> v) { return {v.data(), v.data() + v.size()}; }

// A [rows, cols] tensor as rows of numbers.
json matrix(TensorView<const double> v, std::size_t rows, std::size_t cols) {
  json m = json::array();
  for (std::size_t r = 0; r < rows; ++r) m.push_back(std::vector<double>(v.data() + r * cols, v.data() + (r + 1) * cols));
  return m;
}

// NaN and infinity have no JSON form: null says "not a number" to the page.
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

// The initializer field of a dense layer in a network description.
json init_json(const std::string& init) {
  if (init == "uniform") return {{"type", "uniform"}, {"low", -1.0}, {"high", 1.0}};
  if (init == "normal") return {{"type", "normal"}, {"mean", 0.0}, {"std", 1.0}};
  return init;
}

// The shortest text that reads back as exactly v.
std::string exact(double v) {
  char text[32];
  const auto [end, error] = std::to_chars(text, text + sizeof text, v);
  return error == std::errc() ? std::string(text, end) : std::to_string(v);
}

// The page's step units as the library's.
StepUnit step_unit(const std::string& unit) {
  return unit == "sample" ? StepUnit::sample : unit == "epoch" ? StepUnit::epoch : StepUnit::batch;
}

}  // namespace

// What `bpnn train` runs: the float model initialized from Rng(seed), and a TrainingRun on it whose
// generator (the same) draws each epoch's order, as fit does.
struct Session::FloatRun {
  FloatRun(Sequential<float> m, std::uint64_t seed) : model(std::move(m)), rng(seed) {}
  Sequential<float> model;
  std::unique_ptr<Loss<float>> loss;
  std::unique_ptr<Optimizer<float>> optimizer;
  Rng rng;
  Tensor<float> inputs, targets, test_inputs;
  Sequential<float>::Workspace workspace;  // the state's inference (loss curve, heatmap), apart from training
  std::unique_ptr<TrainingRun<float>> run;  // last: it refers to the above
};

Session::~Session() = default;

Session::Session(std::string id) : id_(std::move(id)) {
  set_data({{"set", "xor"}});
  set_network({{"layers", {{{"units", 3}, {"activation", "sigmoid"}}, {{"units", 1}, {"activation", "sigmoid"}}}},
               {"learning_rate", 3.0}});
}

void Session::bump() {
  ++version;
  std::shared_ptr<const StateSnapshot> state = snapshot();
  {
    std::lock_guard lock(events.mutex);
    events.state = std::move(state);
    events.wanted = false;
  }
  events.changed.notify_all();
}

void Session::require_network() const {
  if (!model_) throw RequestError(409, "no network: build one first (POST .../network)");
}

void Session::set_data(const json& body) {
  PlayData data = make_data(body);
  const bool worked_example = data.name == "mazur";
  if (!worked_example) {  // the values a float run (and bpnn train, reading the exported CSV) sees
    for (std::vector<double>* v : {&data.train_x, &data.train_y, &data.test_x, &data.test_y}) {
      for (double& x : *v) x = static_cast<float>(x);
    }
  }
  const bool was_function = data_.name == "function", was_mnist = data_.name == "mnist";
  data_ = std::move(data);
  data_request_ = body;
  data_text_.reset();
  heatmap_grid_.clear();
  if (worked_example) {
    config_ = NetworkConfig{.layers = {{2, "sigmoid"}, {2, "sigmoid"}}, .loss = "mse", .optimizer = "sgd", .init = "default",
                            .learning_rate = 0.5, .weight_decay = 0.0, .batch_size = 1, .seed = 1, .worked_example = true};
  } else if (data_.name == "mnist") {
    if (!was_mnist) {  // a small MLP that learns 2,000 digits in seconds
      config_ = NetworkConfig{.layers = {{32, "relu"}, {10, "identity"}}, .loss = "cross_entropy", .optimizer = "sgd",
                              .init = "default", .learning_rate = 0.1, .weight_decay = 0.0, .batch_size = 32, .seed = 1,
                              .worked_example = false};
    }
  } else if (data_.name == "function") {
    if (!was_function || config_.layers.empty()) {
      // A curve to fit: tanh units and a linear output, mini-batches.
      config_ = NetworkConfig{.layers = {{16, "tanh"}, {1, "identity"}}, .loss = "mse", .optimizer = "sgd", .init = "default",
                              .learning_rate = 0.1, .weight_decay = 0.0, .batch_size = 10, .seed = 1, .worked_example = false};
    }
    config_.layers.back().units = 1;
    if (config_.loss != "mse") config_.loss = "mse";
  } else {
    if (config_.worked_example || config_.layers.empty() || was_function || was_mnist) {  // the default 2-3-1 network
      config_ = NetworkConfig{.layers = {{3, "sigmoid"}, {1, "sigmoid"}}, .loss = "mse", .optimizer = "sgd", .init = "default",
                              .learning_rate = 3.0, .weight_decay = 0.0, .batch_size = 0, .seed = 1, .worked_example = false};
    }
    // The output layer follows the data: one unit for 0/1 labels unless it already has one per class.
    LayerChoice& out = config_.layers.back();
    if (!(data_.classification() && out.units == data_.classes)) out.units = data_.classification() ? 1 : data_.outputs;
    if (out.units == 1 && config_.loss == "cross_entropy") config_.loss = "mse";
  }
  error_.clear();
  try {
    build();
  } catch (const RequestError&) {
    model_.reset();  // the data stays; the learner picks a network that fits it
    throw;
  }
  bump();
}

void Session::set_network(const json& body) {
  const Fields f(body, "network.");
  f.only({"layers", "loss", "optimizer", "learning_rate", "batch_size", "weight_decay", "init", "seed", "shuffle", "preset"});
  NetworkConfig c;
  if (!f.has("layers") || !f.raw("layers").is_array()) refuse("field 'network.layers' must be a list of {\"units\", \"activation\"}");
  const json& layers = f.raw("layers");
  if (layers.empty() || layers.size() > kMaxLayers) {
    refuse("field 'network.layers' must hold 1 to " + std::to_string(kMaxLayers) + " layers (the output layer included)");
  }
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Fields layer(layers[i], "network.layers[" + std::to_string(i) + "].");
    layer.only({"units", "activation"});
    if (!layer.has("units")) refuse("field 'network.layers[" + std::to_string(i) + "].units' is missing");
    c.layers.push_back({static_cast<std::size_t>(layer.integer("units", 1, 1, kMaxUnits)),
                        layer.choice("activation", "sigmoid", {"step", "sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"})});
  }
  c.loss = f.choice("loss", "mse", {"mse", "cross_entropy", "bce"});
  c.optimizer = f.choice("optimizer", "sgd", {"sgd", "momentum", "adam", "perceptron"});
  c.learning_rate = f.number("learning_rate", c.optimizer == "adam" ? 0.01 : c.optimizer == "perceptron" ? 0.1 : 0.5, 1e-6, 10);
  if (c.optimizer == "perceptron" && (c.layers.size() != 1 || c.layers[0].units != 1 || c.layers[0].activation != "step")) {
    refuse("field 'network.optimizer': the perceptron rule trains one M-P neuron: layers [{\"units\": 1, \"activation\": \"step\"}]");
  }
  c.batch_size = static_cast<std::size_t>(f.integer("batch_size", 0, 0, kMaxPoints));
  c.weight_decay = f.number("weight_decay", 0, 0, 1);
  c.init = f.choice("init", "default", {"default", "uniform", "normal", "xavier_uniform", "xavier_normal", "he_uniform", "he_normal"});
  c.seed = static_cast<std::uint64_t>(f.integer("seed", 1, 0, std::int64_t(1) << 53));
  c.shuffle = f.boolean("shuffle", true);
  const std::string preset = f.choice("preset", "", {"mazur"});
  if (preset == "mazur") {
    if (data_.name != "mazur") refuse("field 'network.preset': the worked example's weights need its data (set 'mazur')");
    if (c.layers.size() != 2 || c.layers[0].units != 2 || c.layers[1].units != 2) {
      refuse("field 'network.preset': the worked example is a 2-2-2 network");
    }
    c.worked_example = true;
  }
  const NetworkConfig before = config_;
  config_ = c;
  try {
    build();
  } catch (...) {
    config_ = before;
    build();
    throw;
  }
  error_.clear();
  bump();
}

void Session::build() {
  const NetworkConfig& c = config_;
  const std::size_t outputs = c.layers.back().units;
  const std::string last = "network.layers[" + std::to_string(c.layers.size() - 1) + "]";
  if (data_.classification()) {
    if (outputs != 1 && outputs != data_.classes) {
      refuse(last + ".units: this data has " + std::to_string(data_.classes) + " classes: use 1 output (a 0/1 target) or " +
             std::to_string(data_.classes));
    }
  } else if (outputs != data_.outputs) {
    refuse(last + ".units: this data has " + std::to_string(data_.outputs) + " targets per sample");
  }
  if (perceptron() && (!data_.classification() || data_.classes != 2)) {
    refuse("field 'network.optimizer': the perceptron rule needs 0/1 labels (AND, OR, XOR, a 2-D set or your points)");
  }
  if (c.loss == "cross_entropy") {
    if (outputs < 2) refuse("field 'network.loss': cross_entropy needs one output per class (2 or more)");
    if (c.layers.back().activation != "identity") {
      refuse(last + ".activation: cross_entropy applies softmax itself to the outputs (logits): use identity");
    }
  }
  if (c.loss == "bce" && c.layers.back().activation != "sigmoid" && c.layers.back().activation != "softmax") {
    refuse(last + ".activation: bce needs outputs in [0, 1]: use sigmoid");
  }
  // The network as bpnn's own description, built by its one layer factory.
  json layers = json::array();
  for (const LayerChoice& layer : c.layers) {
    json dense = {{"type", "dense"}, {"units", layer.units}};
    if (c.init != "default") dense["init"] = init_json(c.init);
    if (perceptron()) {  // as bpnn demo perceptron: weights and threshold uniform in [-0.5, 0.5)
      dense["init"] = dense["bias_init"] = json{{"type", "uniform"}, {"low", -0.5}, {"high", 0.5}};
    }
    layers.push_back(dense);
    layers.push_back({{"type", layer.activation}});
  }
  const Network network = parse_network(json{{"input", {data_.inputs}}, {"layers", layers}}.dump(), "network");
  double_run_.reset();
  trainer_.reset();
  run_.reset();
  model_ = std::make_unique<Sequential<double>>(build_model<double>(network));
  ParameterStore<double>& p = model_->parameters();
  if (!c.worked_example && !perceptron()) {
    // As bpnn train: the model on the one-thread cpu backend, initialized from Rng(seed).
    run_ = std::make_unique<FloatRun>(build_model<float>(network), c.seed);
    run_->model.set_backend(make_cpu_backend<float>({.threads = 1}));
    run_->model.initialize(run_->rng);
  } else {
    double_rng_ = Rng(c.seed);
    model_->initialize(double_rng_);
  }
  if (c.worked_example) examples::set_worked_example_weights(p);
  loss_ = make_loss<double>(c.loss);
  // (The perceptron rule takes only its learning rate from the optimizer.)
  OptimizerSpec spec{.name = perceptron() ? "sgd" : c.optimizer, .learning_rate = c.learning_rate};
  if (c.weight_decay > 0) spec.weight_decay = c.weight_decay;
  optimizer_ = make_optimizer<double>(spec);
  trainer_ = std::make_unique<Trainer<double>>(*model_, *loss_, *optimizer_);
  prepare_targets_for_model();
  make_run(spec);
  not_reproducible_.clear();
  iteration_ = epoch_ = cursor_ = 0;
  history_.clear();
  history_every_ = 1;
  error_.clear();
  record();
}

void Session::prepare_targets_for_model() {
  const std::size_t outputs = config_.layers.back().units;
  auto prepare = [&](const std::vector<double>& y) {
    const std::size_t n = y.size() / data_.target_width();
    if (!data_.classification() || outputs == 1) {  // regression targets, or a 0/1 label as the one output's target
      return Tensor<double>(Shape{n, data_.target_width()}, y);
    }
    // Labels to what the loss wants, by the library: class indices for cross_entropy, one-hot rows otherwise.
    Dataset labels;
    labels.inputs = Tensor<float>(Shape{n, 1});
    labels.targets = Tensor<float>(Shape{n});
    labels.classes = data_.classes;
    labels.source = data_.name;
    for (std::size_t k = 0; k < n; ++k) labels.targets[k] = static_cast<float>(y[k]);
    const Tensor<float> t = bpnn::prepare_targets(labels, outputs, {.loss = config_.loss});
    Tensor<double> out(t.shape());
    for (std::size_t k = 0; k < t.size(); ++k) out[k] = t[k];
    return out;
  };
  train_t_ = prepare(data_.train_y);
  test_t_ = data_.test_y.empty() ? Tensor<double>() : prepare(data_.test_y);
}

void Session::gather(const std::vector<double>& x, const Tensor<double>& t, std::size_t first, std::size_t count) {
  const std::size_t in = data_.inputs, width = target_columns(t);
  batch_x_ = Tensor<double>(Shape{count, in}, std::vector<double>(x.begin() + first * in, x.begin() + (first + count) * in));
  const Shape target_shape = t.shape().rank() == 1 ? Shape{count} : Shape{count, width};
  batch_t_ = Tensor<double>(target_shape, std::vector<double>(t.data() + first * width, t.data() + (first + count) * width));
}

// The run that trains: the float run bpnn train repeats, or in double the worked example (its
// steps inspected, so the page shows the gradients applied) or the perceptron rule.
void Session::make_run(const OptimizerSpec& spec) {
  const NetworkConfig& c = config_;
  const std::size_t n = data_.train_size();
  const std::size_t batch = c.batch_size == 0 ? n : std::min(c.batch_size, n);
  if (!run_) {
    const TensorView<const double> x(data_.train_x.data(), Shape{n, data_.inputs});
    const TrainingRunOptions options = perceptron()
        ? TrainingRunOptions{.batch_size = 1, .shuffle = false, .rule = UpdateRule::perceptron}
        : TrainingRunOptions{.batch_size = batch, .shuffle = false, .inspect = true};
    double_run_ = std::make_unique<TrainingRun<double>>(*model_, *loss_, *optimizer_, x, train_t_.view(), double_rng_,
                                                        options);
    return;
  }
  FloatRun& r = *run_;
  r.loss = make_loss<float>(c.loss);
  r.optimizer = make_optimizer<float>(spec);
  r.inputs = Tensor<float>(Shape{n, data_.inputs});
  for (std::size_t k = 0; k < r.inputs.size(); ++k) r.inputs[k] = static_cast<float>(data_.train_x[k]);
  r.test_inputs = Tensor<float>(Shape{data_.test_size(), data_.inputs});
  for (std::size_t k = 0; k < r.test_inputs.size(); ++k) r.test_inputs[k] = static_cast<float>(data_.test_x[k]);
  r.targets = Tensor<float>(train_t_.shape());
  for (std::size_t k = 0; k < r.targets.size(); ++k) r.targets[k] = static_cast<float>(train_t_[k]);
  r.run = std::make_unique<TrainingRun<float>>(
      r.model, *r.loss, *r.optimizer, r.inputs.view(), r.targets.view(), r.rng,
      TrainingRunOptions{.batch_size = batch,
                         .shuffle = c.shuffle,
                         .task = data_.classification() ? Task::classification : Task::regression});
  sync_view();
}

json Session::step(const json& body) {
  require_network();
  const Fields f(body, "");
  f.only({"unit", "count", "seconds"});
  const std::string unit = f.choice("unit", "batch", {"sample", "batch", "epoch"});
  const auto count = static_cast<std::size_t>(f.integer("count", 1, 1, unit == "epoch" ? 10000 : 100000));
  const double seconds = f.number("seconds", kStepSeconds, 0.001, kStepSeconds);
  if (!error_.empty()) throw RequestError(409, error_);
  if (perceptron()) return step_perceptron(unit, count);
  return step_run(unit, count, seconds);
}

void Session::sync_counters() {
  if (run_) {
    const TrainingRun<float>& r = *run_->run;
    iteration_ = r.position().iterations, epoch_ = r.epochs_done();
    cursor_ = r.epoch_finished() ? 0 : r.position().seen;
    not_reproducible_ = r.why_not_reproducible();
  } else if (double_run_) {
    const TrainingRun<double>& r = *double_run_;
    iteration_ = r.position().iterations, epoch_ = r.epochs_done();
    cursor_ = r.epoch_finished() ? 0 : r.position().seen;
  }
}

void Session::sync_view() {
  if (!run_) return;
  const TensorView<const float> from = run_->model.parameters().values();
  double* to = model_->parameters().values().data();
  for (std::size_t k = 0; k < from.size(); ++k) to[k] = from[k];
}

// Steps of the run that trains (the float run, or the worked example's) within the request's
// count and seconds: the library's TrainingRun takes them, as fit does.
json Session::step_run(const std::string& unit, std::size_t count, double seconds) {
  const std::size_t batches = run_ ? run_->run->batches() : double_run_->batches();
  const std::size_t record_every = std::max<std::size_t>(1, (unit == "epoch" ? count * batches : count) / 100);
  BudgetReport done;
  // The loss curve gets a point every record_every steps, but in long requests (play's) at most one
  // per 5 ms, and never more than 5% of the time: evaluating the whole set costs as much as many
  // small steps (on 2,000 digits, a few milliseconds).
  auto next_record = Clock::now();
  auto after_step = [&](const StepReport&) {
    sync_counters();
    if (iteration_ % record_every == 0) {
      const auto now = Clock::now();
      if (count <= 5000 || now >= next_record) {
        record();
        next_record = now + std::max<Clock::duration>(std::chrono::milliseconds(5), 20 * (Clock::now() - now));
      }
    }
    // A state for the event stream when it waits for one (its rate, not training's).
    if (events.wanted.load(std::memory_order_relaxed)) sync_view(), bump();
    return false;
  };
  const Budget budget{.unit = step_unit(unit), .count = count, .seconds = seconds, .after_step = after_step};
  try {
    done = run_ ? run_->run->run(budget) : double_run_->run(budget);
    last_loss_ = done.loss;
  } catch (const TrainingDiverged&) {
    last_loss_ = NAN;
    error_ = "training diverged (the loss is not a finite number): lower the learning rate and press reset";
  } catch (const Error& e) {  // a layer that cannot back-propagate (step), a loss refusing its input
    sync_counters();
    sync_view();
    bump();
    throw RequestError(400, std::string("training: ") + e.what());
  }
  sync_counters();
  sync_view();
  record();
  bump();
  json reply = {{"done", done.units}, {"iteration", iteration_}, {"epoch", epoch_}, {"loss", number(last_loss_)}};
  if (!error_.empty()) reply["error"] = error_;
  return reply;
}

// The M-P neuron of demos/perceptron.cpp: the same Dense + Step model, forward by the library,
// and the rule that needs no derivative. An epoch without a mistake is convergence; none within
// kPerceptronEpochs, for a set of 4 points, means no line separates them.
json Session::step_perceptron(const std::string& unit, std::size_t count) {
  TrainingRun<double>& r = *double_run_;
  // Its batch is the whole set: a pass, as its epoch. Stops at convergence or the epoch limit.
  std::size_t steps = 0;
  const Budget budget{.unit = unit == "sample" ? StepUnit::sample : StepUnit::epoch, .count = count,
                      .after_step = [&](const StepReport&) {
                        sync_counters();
                        if (++steps % 4 == 0) record();
                        return r.epochs_done() >= kPerceptronEpochs;
                      }};
  std::size_t done = 0;
  if (r.converged_epoch() == 0 && r.epochs_done() < kPerceptronEpochs) done = r.run(budget).units;
  sync_counters();
  record();
  bump();
  const bool stopped = r.converged_epoch() > 0 || r.epochs_done() >= kPerceptronEpochs;
  return {{"done", done}, {"iteration", iteration_}, {"epoch", epoch_}, {"stopped", stopped},
          {"perceptron", perceptron_json()}};
}

json Session::perceptron_json() const {
  const ParameterStore<double>& p = model_->parameters();
  const std::size_t converged_at = double_run_->converged_epoch(), last_mistakes = double_run_->last_epoch().mistakes();
  std::string verdict;
  if (converged_at > 0) {
    verdict = "learned: epoch " + std::to_string(converged_at) +
              " had no mistake; the line w1 x1 + w2 x2 + b = 0 separates the 1s from the 0s";
  } else if (epoch_ >= kPerceptronEpochs) {
    verdict = "did NOT converge in " + std::to_string(kPerceptronEpochs) + " epochs (" + std::to_string(last_mistakes) +
              " mistakes in the last): no line separates its 1s from its 0s, it is not linearly separable, so one unit "
              "cannot learn it; a hidden layer can (XNOR with a 2-3-1 network)";
  } else {
    verdict = epoch_ == 0 ? "not trained yet"
                          : "epoch " + std::to_string(epoch_) + ": " + std::to_string(last_mistakes) + " mistakes";
  }
  return {{"w", values(p.value(p.index("0.weight")))}, {"b", p.value(p.index("0.bias"))[0]}, {"epochs", epoch_}, {"limit", kPerceptronEpochs},
          {"mistakes", last_mistakes}, {"converged", converged_at > 0}, {"converged_at", converged_at},
          {"separable", converged_at > 0 ? json(true) : epoch_ >= kPerceptronEpochs ? json(false) : json(nullptr)},
          {"verdict", verdict}};
}

void Session::reset(const json& body) {
  require_network();
  Fields(body, "").only({});
  build();
  bump();
}

void Session::edit_weight(const json& body) {
  require_network();
  const Fields f(body, "");
  f.only({"layer", "to", "from", "bias", "value"});
  const auto layer = static_cast<std::size_t>(f.integer("layer", -1, 0, static_cast<std::int64_t>(dense_layers()) - 1));
  const auto& dense = static_cast<const Dense<double>&>(model_->layer(2 * layer));
  const std::size_t units = config_.layers[layer].units, in = dense.in_features();
  if (!f.has("to") || !f.has("value")) refuse("a weight edit needs 'layer', 'to', 'from' (or \"bias\": true) and 'value'");
  const auto to = static_cast<std::size_t>(f.integer("to", 0, 0, static_cast<std::int64_t>(units) - 1));
  const double value = f.number("value", 0, -1e3, 1e3);
  ParameterStore<double>& p = model_->parameters();
  if (f.boolean("bias", false)) {
    if (f.has("from")) refuse("give 'from' or \"bias\": true, not both");
    p.value(std::to_string(2 * layer) + ".bias")[to] = value;
  } else {
    if (!f.has("from")) refuse("field 'from' is missing (the neuron of the layer below, or \"bias\": true)");
    const auto from = static_cast<std::size_t>(f.integer("from", 0, 0, static_cast<std::int64_t>(in) - 1));
    p.value(std::to_string(2 * layer) + ".weight")[to * in + from] = value;
  }
  if (run_) {  // the float run takes the value (rounded to float), and the page shows what it took
    ParameterStore<float>& pf = run_->model.parameters();
    for (std::size_t k = 0; k < pf.values().size(); ++k) pf.values()[k] = static_cast<float>(p.values()[k]);
    sync_view();
    run_->run->mark_not_reproducible("a weight was set by hand: press reset to start a run bpnn train can repeat");
    sync_counters();
  }
  error_.clear();
  record();
  bump();
}

// The loss and accuracy of the model that trains (the float run's, by its batched inference), the
// loss computed in double.
Session::Scores Session::evaluate(const std::vector<double>& x, const Tensor<double>& targets, const Tensor<float>* x_float) {
  Scores s;
  const std::size_t n = x.size() / data_.inputs, outputs = config_.layers.back().units;
  if (n == 0) return s;
  const std::vector<double>& y = outputs_at(x, x_float);
  const TensorView<const double> out(y.data(), Shape{n, outputs});
  s.loss = loss_->forward(model_->backend(), out, targets.view());
  if (data_.classification()) {
    std::size_t right = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const double* o = out.data() + k * outputs;
      const std::size_t predicted = outputs == 1 ? (o[0] >= 0.5 ? 1 : 0) : static_cast<std::size_t>(std::max_element(o, o + outputs) - o);
      const double* t = targets.data() + k * (targets.shape().rank() == 1 ? 1 : outputs);
      const std::size_t truth = targets.shape().rank() == 1 || outputs == 1 ? static_cast<std::size_t>(t[0])
                                                                          : static_cast<std::size_t>(std::max_element(t, t + outputs) - t);
      right += predicted == truth ? 1 : 0;
    }
    s.accuracy = static_cast<double>(right) / static_cast<double>(n);
  }
  return s;
}

void Session::record() {
  const Scores train = evaluate(data_.train_x, train_t_, run_ ? &run_->inputs : nullptr);
  std::array<double, 5> row = {static_cast<double>(iteration_), train.loss, NAN, train.accuracy, NAN};
  if (!data_.test_x.empty()) {
    const Scores test = evaluate(data_.test_x, test_t_, run_ ? &run_->test_inputs : nullptr);
    row[2] = test.loss, row[4] = test.accuracy;
  }
  if (!history_.empty() && history_.back()[0] == row[0]) history_.pop_back();
  if (iteration_ % history_every_ == 0 || history_.empty()) history_.push_back(row);
  else history_.back() = row;  // keep the newest value even between recorded iterations
  if (history_.size() > kMaxHistory) {  // halve: keep every other point, record half as often
    std::vector<std::array<double, 5>> kept;
    for (std::size_t k = 0; k < history_.size(); k += 2) kept.push_back(history_[k]);
    if (kept.back() != history_.back()) kept.push_back(history_.back());
    history_ = std::move(kept);
    history_every_ *= 2;
  }
}

std::string Session::neuron_name(std::size_t layer, std::size_t j) const {
  const std::string n = std::to_string(j + 1);
  if (layer == 0) return "i" + n;
  if (layer == dense_layers()) return "o" + n;
  return dense_layers() == 2 ? "h" + n : "h" + std::to_string(layer) + "." + n;
}

// Weights are numbered as the tutorial numbers them: layer by layer, each neuron's incoming
// weights in turn (w1, w2 into h1; w3, w4 into h2; w5, w6 into o1; ...).
std::string Session::weight_name(std::size_t layer, std::size_t to, std::size_t from) const {
  std::size_t first = 1;
  for (std::size_t k = 0; k < layer; ++k) first += config_.layers[k].units * (k == 0 ? data_.inputs : config_.layers[k - 1].units);
  const std::size_t in = layer == 0 ? data_.inputs : config_.layers[layer - 1].units;
  std::string name = "w";  // appended, not "w" + ...: GCC 12 warns falsely (-Wrestrict) on that
  name += std::to_string(first + to * in + from);
  return name;
}

json Session::config_json() const {
  json layers = json::array();
  for (const LayerChoice& l : config_.layers) layers.push_back({{"units", l.units}, {"activation", l.activation}});
  return {{"layers", layers}, {"loss", config_.loss}, {"optimizer", config_.optimizer}, {"learning_rate", config_.learning_rate},
          {"batch_size", config_.batch_size}, {"weight_decay", config_.weight_decay}, {"init", config_.init},
          {"seed", config_.seed}, {"shuffle", config_.shuffle}, {"worked_example", config_.worked_example},
          {"precision", run_ ? "float" : "double"}};
}

json Session::network_json() const {
  json layers = json::array();
  const ParameterStore<double>& p = model_->parameters();
  for (std::size_t k = 0; k < dense_layers(); ++k) {
    const std::size_t units = config_.layers[k].units, in = k == 0 ? data_.inputs : config_.layers[k - 1].units;
    const std::size_t wi = p.index(std::to_string(2 * k) + ".weight"), bi = p.index(std::to_string(2 * k) + ".bias");
    const bool shown = in <= kShownInputs;
    layers.push_back({{"units", units}, {"activation", config_.layers[k].activation}, {"weight_omitted", !shown},
                      {"weight", shown ? matrix(p.value(wi), units, in) : json::array()},
                      {"weight_grad", shown ? matrix(p.grad(wi), units, in) : json::array()},
                      {"bias", values(p.value(bi))}, {"bias_grad", values(p.grad(bi))},
                      {"bias_frozen", p.entry(bi).frozen}});
  }
  return {{"inputs", data_.inputs}, {"layers", layers}};
}

const std::string& Session::state_text() {
  if (state_version_ != version || state_cache_.empty()) {
    state_cache_ = snapshot()->text();
    state_version_ = version;
  }
  return state_cache_;
}

const std::vector<double>& Session::outputs_at(const std::vector<double>& x, const Tensor<float>* x_float) {
  const std::size_t n = x.size() / data_.inputs, outputs = config_.layers.back().units;
  infer_output_.resize(n * outputs);
  if (n == 0) return infer_output_;
  if (run_) {
    TensorView<const float> input = x_float ? x_float->view() : TensorView<const float>();
    if (!x_float) {
      infer_input_.resize(x.size());
      for (std::size_t k = 0; k < x.size(); ++k) infer_input_[k] = static_cast<float>(x[k]);
      input = TensorView<const float>(infer_input_.data(), Shape{n, data_.inputs});
    }
    const TensorView<const float> y = run_->model.infer(input, run_->workspace);
    std::copy(y.data(), y.data() + y.size(), infer_output_.begin());
  } else {
    const Tensor<double> input(Shape{n, data_.inputs}, x);
    const TensorView<const double> y = model_->forward(input.view());
    std::copy(y.data(), y.data() + y.size(), infer_output_.begin());
  }
  return infer_output_;
}

std::shared_ptr<const StateSnapshot> Session::snapshot() {
  if (snapshot_ && snapshot_->version == version) return snapshot_;
  auto snap = std::make_shared<StateSnapshot>();
  StateSnapshot& out = *snap;
  out.version = version;
  const bool small = data_.inputs <= kShownInputs;  // digits: their pixels stay on the server
  // The data changes only with set_data: its text is made once and shared by every snapshot.
  if (!data_text_) {
    const std::size_t w = data_.target_width();
    json train = json::array(), test = json::array();
    for (std::size_t k = 0; small && k < data_.train_size(); ++k) {
      std::vector<double> row(data_.train_x.begin() + k * data_.inputs, data_.train_x.begin() + (k + 1) * data_.inputs);
      row.insert(row.end(), data_.train_y.begin() + k * w, data_.train_y.begin() + (k + 1) * w);
      train.push_back(row);
    }
    for (std::size_t k = 0; small && k < data_.test_size(); ++k) {
      std::vector<double> row(data_.test_x.begin() + k * data_.inputs, data_.test_x.begin() + (k + 1) * data_.inputs);
      row.insert(row.end(), data_.test_y.begin() + k * w, data_.test_y.begin() + (k + 1) * w);
      test.push_back(row);
    }
    data_text_ = std::make_shared<const std::string>(
        json{{"set", data_.name}, {"request", data_request_}, {"inputs", data_.inputs}, {"classes", data_.classes},
             {"targets", w}, {"train", train}, {"test", test}, {"train_size", data_.train_size()},
             {"test_size", data_.test_size()}}.dump());
  }
  out.data = data_text_;
  json s = {{"id", id_}, {"version", version}, {"iteration", iteration_}, {"epoch", epoch_},
            {"cursor", cursor_}, {"error", error_.empty() ? json(nullptr) : json(error_)}};
  s["config"] = config_json();
  if (run_) {
    const TrainingRun<float>& r = *run_->run;
    s["batch"] = r.epoch_finished() ? 0 : r.position().batch;  // of the current epoch
    s["batches"] = r.batches();
  }
  s["reproducible"] = run_ && not_reproducible_.empty();
  s["not_reproducible"] = run_ ? json(not_reproducible_)
                          : perceptron() ? json("the perceptron rule is not bpnn train's: bpnn demo perceptron runs it")
                                         : json("the worked example trains in double with its biases fixed");
  if (model_ && perceptron()) s["perceptron"] = perceptron_json();
  if (model_) {
    if (run_ && error_.empty() && small) {
      // The float run's fused SGD step keeps no gradients: show dE/dw at the current weights, over
      // the first 256 training samples (in double).
      const std::size_t n = std::min<std::size_t>(data_.train_size(), 256);
      gather(data_.train_x, train_t_, 0, n);
      try {
        trainer_->compute_gradients(batch_x_.view(), batch_t_.view());
      } catch (const Error&) {  // a step unit has no gradient: leave them as they are
      }
    }
    s["network"] = network_json();
    out.history = history_;
    out.has_history = true;
    const auto& last = history_.back();
    s["loss"] = number(last[1]);
    s["test_loss"] = number(last[2]);
    s["accuracy"] = last[3] < 0 ? json(nullptr) : number(last[3]);
    s["test_accuracy"] = last[4] < 0 ? json(nullptr) : number(last[4]);
    const std::size_t outputs = config_.layers.back().units;
    if (data_.train_size() <= 16) {  // the truth tables and the worked example: every output
      const std::vector<double>& y = outputs_at(data_.train_x, run_ ? &run_->inputs : nullptr);
      s["outputs"] = matrix(TensorView<const double>(y.data(), Shape{data_.train_size(), outputs}), data_.train_size(), outputs);
    }
    if (data_.inputs == 1) {  // the output along x, for the curve
      double x0 = 1e300, x1 = -1e300;
      for (const std::vector<double>* xs : {&data_.train_x, &data_.test_x}) {
        for (double x : *xs) x0 = std::min(x0, x), x1 = std::max(x1, x);
      }
      const double margin = std::max(0.1, 0.05 * (x1 - x0));
      x0 -= margin, x1 += margin;
      constexpr std::size_t kCurve = 200;
      std::vector<double> grid(kCurve);
      for (std::size_t k = 0; k < kCurve; ++k) grid[k] = x0 + (x1 - x0) * static_cast<double>(k) / (kCurve - 1);
      const std::vector<double>& y = outputs_at(grid);
      out.grid_name = "curve";
      out.grid = {{"x0", x0}, {"x1", x1}};
      for (std::size_t k = 0; k < kCurve; ++k) out.grid_values.push_back(y[k * outputs]);
    }
    if (data_.inputs == 2 && data_.classification()) {  // the output over the plane, for the heatmap
      if (heatmap_grid_.empty()) {  // the cells' centres, once per data set
        double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
        for (const std::vector<double>* xs : {&data_.train_x, &data_.test_x}) {
          for (std::size_t k = 0; k + 1 < xs->size(); k += 2) {
            x0 = std::min(x0, (*xs)[k]), x1 = std::max(x1, (*xs)[k]), y0 = std::min(y0, (*xs)[k + 1]), y1 = std::max(y1, (*xs)[k + 1]);
          }
        }
        const double mx = std::max(0.25, 0.15 * (x1 - x0)), my = std::max(0.25, 0.15 * (y1 - y0));
        x0 -= mx, x1 += mx, y0 -= my, y1 += my;
        const std::size_t side = kHeatmapSide;
        heatmap_grid_.resize(side * side * 2);
        for (std::size_t r = 0; r < side; ++r) {
          for (std::size_t c = 0; c < side; ++c) {
            heatmap_grid_[(r * side + c) * 2] = x0 + (x1 - x0) * (static_cast<double>(c) + 0.5) / side;
            heatmap_grid_[(r * side + c) * 2 + 1] = y1 - (y1 - y0) * (static_cast<double>(r) + 0.5) / side;  // row 0 at the top
          }
        }
        heatmap_box_ = {{"x0", x0}, {"x1", x1}, {"y0", y0}, {"y1", y1}, {"side", side}};
      }
      const std::vector<double>& y = outputs_at(heatmap_grid_);
      out.grid_name = "heatmap";
      out.grid = heatmap_box_;
      out.grid_decimals = 3;  // a colour: a thousand shades are more than the page draws
      out.grid_values.resize(heatmap_grid_.size() / 2);
      for (std::size_t k = 0; k < out.grid_values.size(); ++k) {
        const double* o = y.data() + k * outputs;
        // One output: its value; one per class: class 1's share (softmax of logits for cross_entropy).
        double v = outputs == 1 ? o[0] : config_.loss == "cross_entropy" ? 1.0 / (1.0 + std::exp(o[0] - o[1])) : o[1];
        out.grid_values[k] = std::isfinite(v) ? v : 0.5;
      }
    }
  }
  out.fields = std::move(s);
  snapshot_ = std::move(snap);
  return snapshot_;
}

namespace {

// Appends v as JSON: the shortest text that reads back as v (decimals < 0), or fixed decimals; null
// for NaN and infinity.
void append_number(std::string& out, double v, int decimals = -1) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char text[32];
  const auto [end, error] = decimals < 0 ? std::to_chars(text, text + sizeof text, v)
                                         : std::to_chars(text, text + sizeof text, v, std::chars_format::fixed, decimals);
  out.append(text, error == std::errc() ? end : text);
}

}  // namespace

std::string StateSnapshot::text(bool with_data) const {
  std::string out = fields.dump();
  out.pop_back();  // the closing brace: the long lists follow, written number by number
  out.reserve(out.size() + 64 * history.size() + 8 * grid_values.size() + (data ? data->size() : 0) + 64);
  if (has_history) {
    out += ",\"history\":[";
    for (std::size_t k = 0; k < history.size(); ++k) {
      out += k == 0 ? "[" : ",[";
      for (std::size_t c = 0; c < history[k].size(); ++c) {
        if (c > 0) out += ',';
        const double v = history[k][c];
        if (v == -1 && c >= 3) out += "null";  // no accuracy (regression)
        else append_number(out, v);
      }
      out += ']';
    }
    out += ']';
  }
  if (!grid_name.empty()) {
    std::string box = grid.dump();
    box.pop_back();
    out.append(",\"").append(grid_name).append("\":").append(box).append(",\"values\":[");
    for (std::size_t k = 0; k < grid_values.size(); ++k) {
      if (k > 0) out += ',';
      append_number(out, grid_values[k], grid_decimals);
    }
    out += "]}";
  }
  if (data && with_data) out.append(",\"data\":").append(*data);
  out += '}';
  return out;
}

double Session::one_sample_gradients(std::size_t sample) {
  gather(data_.train_x, train_t_, sample, 1);
  try {
    return trainer_->compute_gradients(batch_x_.view(), batch_t_.view());
  } catch (const Error& e) {
    throw RequestError(400, std::string("back-propagation: ") + e.what());
  }
}

json Session::numbers(const json& body) {
  require_network();
  const Fields f(body, "");
  f.only({"sample"});
  const auto sample = static_cast<std::size_t>(f.integer("sample", 0, 0, static_cast<std::int64_t>(data_.train_size()) - 1));
  ParameterStore<double>& p = model_->parameters();
  const std::vector<double> saved_grads = values(p.grads());  // the last step's gradients stay the page's
  const double E = one_sample_gradients(sample);
  json layers = json::array();
  const double lr = config_.learning_rate;
  for (std::size_t k = 0; k < dense_layers(); ++k) {
    const std::size_t units = config_.layers[k].units, in = k == 0 ? data_.inputs : config_.layers[k - 1].units;
    const std::size_t wi = p.index(std::to_string(2 * k) + ".weight"), bi = p.index(std::to_string(2 * k) + ".bias");
    Tensor<double> w_new(Shape{units, in}), b_new(Shape{units});
    for (std::size_t e = 0; e < units * in; ++e) w_new[e] = p.value(wi)[e] - lr * p.grad(wi)[e];
    for (std::size_t j = 0; j < units; ++j) b_new[j] = p.entry(bi).frozen ? p.value(bi)[j] : p.value(bi)[j] - lr * p.grad(bi)[j];
    json names = json::array();
    for (std::size_t j = 0; j < units; ++j) names.push_back(neuron_name(k + 1, j));
    // With one sample, dE/dnet_j of a dense layer's unit is exactly its bias gradient (dnet_j/db_j = 1).
    layers.push_back({{"neurons", names}, {"net", values(model_->activation(2 * k))}, {"out", values(model_->activation(2 * k + 1))},
                      {"delta", values(p.grad(bi))}, {"weight", matrix(p.value(wi), units, in)},
                      {"weight_grad", matrix(p.grad(wi), units, in)}, {"weight_new", matrix(w_new.view(), units, in)},
                      {"bias", values(p.value(bi))}, {"bias_grad", values(p.grad(bi))}, {"bias_new", values(b_new.view())},
                      {"bias_frozen", p.entry(bi).frozen}});
  }
  std::copy(saved_grads.begin(), saved_grads.end(), p.grads().data());
  json inputs = json::array();
  for (std::size_t i = 0; i < data_.inputs; ++i) inputs.push_back(neuron_name(0, i));
  return {{"sample", sample}, {"input", values(batch_x_.view())}, {"input_names", inputs}, {"target", values(batch_t_.view())},
          {"loss", number(E)}, {"loss_name", config_.loss}, {"learning_rate", lr}, {"optimizer", config_.optimizer},
          {"update_rule", config_.optimizer == "sgd" && config_.weight_decay == 0
                              ? "w_new = w - lr * dE/dw"
                              : "shown: w - lr * dE/dw; the " + config_.optimizer + " optimizer's own update differs (momentum, Adam's moments or weight decay)"},
          {"layers", layers}};
}

json Session::chain_rule(const json& body) {
  require_network();
  const Fields f(body, "");
  f.only({"sample", "layer", "to", "from", "bias"});
  const auto sample = static_cast<std::size_t>(f.integer("sample", 0, 0, static_cast<std::int64_t>(data_.train_size()) - 1));
  if (!f.has("layer") || !f.has("to")) refuse("the chain rule needs 'layer', 'to' and 'from' (or \"bias\": true)");
  const auto k = static_cast<std::size_t>(f.integer("layer", 0, 0, static_cast<std::int64_t>(dense_layers()) - 1));
  const std::size_t units = config_.layers[k].units, in = k == 0 ? data_.inputs : config_.layers[k - 1].units;
  const auto j = static_cast<std::size_t>(f.integer("to", 0, 0, static_cast<std::int64_t>(units) - 1));
  const bool bias = f.boolean("bias", false);
  if (bias == f.has("from")) refuse("give 'from' (the neuron of the layer below) or \"bias\": true");
  const auto i = bias ? 0 : static_cast<std::size_t>(f.integer("from", 0, 0, static_cast<std::int64_t>(in) - 1));

  ParameterStore<double>& p = model_->parameters();
  const std::vector<double> saved_grads = values(p.grads());
  const double E = one_sample_gradients(sample);
  const bool output_layer = k + 1 == dense_layers();
  const std::string to = neuron_name(k + 1, j), from = bias ? "" : neuron_name(k, i);
  const std::string name = bias ? "b(" + to + ")" : weight_name(k, j, i);
  const TensorView<const double> net = model_->activation(2 * k), out = model_->activation(2 * k + 1);

  // dE/dout_j: at the output, the loss's own gradient; below it, the sum over the next layer's
  // units m of dE/dnet_m * w_mj (each dE/dnet_m being that unit's bias gradient for one sample).
  json factors = json::array(), terms = json::array();
  double dE_dout = 0;
  if (output_layer) {
    Tensor<double> grad(out.shape());
    loss_->backward(model_->backend(), out, batch_t_.view(), grad.view());
    dE_dout = grad[j];
    const std::string formula = config_.loss == "mse"    ? "2 (out_" + to + " - target) / " + std::to_string(out.size()) + "  (mse averages " + std::to_string(out.size()) + " outputs)"
                                : config_.loss == "bce" ? "(out - target) / (out (1 - out)) / " + std::to_string(out.size())
                                                        : "softmax(out)_" + to + " - target  (cross-entropy of the logits)";
    factors.push_back({{"name", "dE/dout_" + to}, {"formula", formula}, {"value", dE_dout}});
  } else {
    const std::size_t next_units = config_.layers[k + 1].units;
    const TensorView<const double> w_next = p.value(std::to_string(2 * k + 2) + ".weight");
    const TensorView<const double> delta_next = p.grad(std::to_string(2 * k + 2) + ".bias");
    for (std::size_t m = 0; m < next_units; ++m) {
      const double term = delta_next[m] * w_next[m * units + j];
      dE_dout += term;
      terms.push_back({{"neuron", neuron_name(k + 2, m)}, {"delta", delta_next[m]}, {"weight", weight_name(k + 1, m, j)},
                       {"weight_value", w_next[m * units + j]}, {"product", term}});
    }
    factors.push_back({{"name", "dE/dout_" + to}, {"formula", "sum over the next layer of dE/dnet_m * w_m"}, {"value", dE_dout}, {"terms", terms}});
  }
  // dout_j/dnet_j from the activation layer's own backward, given dE/dout = 1 everywhere: for an
  // elementwise activation that is each unit's derivative. Softmax mixes its units: no single factor.
  const std::string activation = config_.layers[k].activation;
  json dout_dnet = nullptr;
  if (activation != "softmax") {
    Tensor<double> ones(out.shape()), derivative(net.shape());
    std::fill(ones.data(), ones.data() + ones.size(), 1.0);
    LayerWorkspace<double> workspace;
    const Context<double> context{.backend = &model_->backend(), .mode = Mode::eval, .workspace = &workspace};
    try {
      model_->layer(2 * k + 1).backward(context, net, out, ones.view(), derivative.view());
      dout_dnet = derivative[j];
    } catch (const Error&) {  // step: no derivative to show
    }
  }
  const std::map<std::string, std::string> derivative_formulas = {
      {"sigmoid", "out (1 - out)"}, {"tanh", "1 - out^2"}, {"relu", "1 if net > 0, else 0"},
      {"leaky_relu", "1 if net > 0, else the slope"}, {"identity", "1"}, {"step", "0 almost everywhere: no gradient flows"},
      {"softmax", "softmax's Jacobian mixes the units: dE/dnet_j = out_j (dE/dout_j - sum_k out_k dE/dout_k)"}};
  factors.push_back({{"name", "dout_" + to + "/dnet_" + to}, {"formula", activation + ": " + derivative_formulas.at(activation)},
                     {"value", dout_dnet}});
  const double dnet_dw = bias ? 1.0 : (k == 0 ? batch_x_[i] : model_->activation(2 * k - 1)[i]);
  factors.push_back({{"name", "dnet_" + to + "/d" + name}, {"formula", bias ? "1" : (k == 0 ? "the input " : "out_") + from}, {"value", dnet_dw}});
  const double backprop = bias ? p.grad(std::to_string(2 * k) + ".bias")[j] : p.grad(std::to_string(2 * k) + ".weight")[j * in + i];
  const double value = bias ? p.value(std::to_string(2 * k) + ".bias")[j] : p.value(std::to_string(2 * k) + ".weight")[j * in + i];
  json product = dout_dnet.is_null() ? json(nullptr) : json(dE_dout * dout_dnet.get<double>() * dnet_dw);
  std::copy(saved_grads.begin(), saved_grads.end(), p.grads().data());
  return {{"sample", sample}, {"name", name}, {"from", from}, {"to", to}, {"layer", k}, {"bias", bias}, {"loss", number(E)},
          {"value", value}, {"factors", factors}, {"product", product}, {"backprop", backprop},
          {"learning_rate", config_.learning_rate}, {"updated", value - config_.learning_rate * backprop}};
}

json Session::check_gradients(const json& body) {
  require_network();
  Fields(body, "").only({});
  const std::size_t n = std::min<std::size_t>(data_.train_size(), 64);
  gather(data_.train_x, train_t_, 0, n);
  const Tensor<double> x = batch_x_, t = batch_t_;
  ParameterStore<double>& p = model_->parameters();
  const std::vector<double> saved_grads = values(p.grads());
  try {
    trainer_->compute_gradients(x.view(), t.view());
  } catch (const Error& e) {
    throw RequestError(400, std::string("back-propagation: ") + e.what());
  }
  const std::vector<double> analytic = values(p.grads());
  std::copy(saved_grads.begin(), saved_grads.end(), p.grads().data());
  auto loss_at = [&] { return loss_->forward(model_->backend(), model_->forward(x.view()), t.view()); };
  // Central differences, (E(w + h) - E(w - h)) / 2h, on every trained element (at most 4096, evenly spread).
  std::vector<std::size_t> elements;
  for (std::size_t e = 0; e < p.count(); ++e) {
    if (!p.entry(e).trained()) continue;
    for (std::size_t k = 0; k < p.entry(e).shape.numel(); ++k) elements.push_back(p.entry(e).offset + k);
  }
  const std::size_t stride = std::max<std::size_t>(1, elements.size() / 4096);
  // The difference's own rounding is about 1e-16 * E / h ~ 1e-10: the floor keeps a gradient that is
  // nearly 0 (a dead relu, a saturated sigmoid) from turning that noise into a large relative error.
  const double h = 1e-6, kFloor = 1e-3;
  double worst = 0, worst_abs = 0;
  std::size_t checked = 0, worst_at = 0;
  double* w = p.values().data();
  for (std::size_t k = 0; k < elements.size(); k += stride) {
    const std::size_t at = elements[k];
    const double keep = w[at];
    w[at] = keep + h;
    const double up = loss_at();
    w[at] = keep - h;
    const double down = loss_at();
    w[at] = keep;
    const double numeric = (up - down) / (2 * h);
    const double error = std::fabs(numeric - analytic[at]) / std::max(std::fabs(numeric) + std::fabs(analytic[at]), kFloor);
    if (error > worst || checked == 0) worst = error, worst_at = at;
    worst_abs = std::max(worst_abs, std::fabs(numeric - analytic[at]));
    ++checked;
  }
  std::string where;
  for (std::size_t e = 0; e < p.count(); ++e) {
    if (worst_at >= p.entry(e).offset && worst_at < p.entry(e).offset + p.entry(e).shape.numel()) {
      where = p.entry(e).name + "[" + std::to_string(worst_at - p.entry(e).offset) + "]";
    }
  }
  return {{"checked", checked}, {"samples", n}, {"step", h}, {"max_relative_error", worst}, {"max_absolute_error", worst_abs},
          {"worst", where}, {"passed", worst < 1e-5},
          {"note", "relative error |numeric - backprop| / max(|numeric| + |backprop|, 1e-3); relu's kinks may raise it"}};
}

}  // namespace bpnn::serve

namespace bpnn::serve {

std::string Session::model_name() const { return (data_.name == "points" ? std::string("my-points") : data_.name) + ".safetensors"; }

json Session::export_run(const json& body) {
  require_network();
  Fields(body, "").only({});
  const std::string csv_name = (data_.name == "points" ? std::string("my-points") : data_.name) + ".csv";
  // The training set as bpnn train reads it: a header, then the inputs and the target or label.
  const std::size_t outputs = config_.layers.back().units;
  const bool label_column = data_.classification() && outputs > 1;
  std::vector<std::string> row;
  for (std::size_t i = 0; i < data_.inputs; ++i) row.push_back("x" + std::to_string(i + 1));
  const std::size_t w = data_.target_width();
  for (std::size_t j = 0; j < (label_column ? 1 : w); ++j) {
    row.push_back(label_column ? "label" : w == 1 ? "y" : "y" + std::to_string(j + 1));
  }
  CsvWriter writer;
  writer.row(row);
  auto exact_float = [](double v) {  // 9 digits: the float exactly
    char field[32];
    std::snprintf(field, sizeof field, "%.9g", v);
    return std::string(field);
  };
  for (std::size_t k = 0; k < data_.train_size(); ++k) {
    row.clear();
    for (std::size_t i = 0; i < data_.inputs; ++i) row.push_back(exact_float(data_.train_x[k * data_.inputs + i]));
    for (std::size_t j = 0; j < w; ++j) row.push_back(exact_float(data_.train_y[k * w + j]));
    writer.row(row);
  }
  const std::string& csv = writer.text();
  // The network in the compact form when it says the same (no initializer given), else as JSON.
  std::string net = std::to_string(data_.inputs);
  for (const LayerChoice& l : config_.layers) net.append("-").append(std::to_string(l.units)).append(l.activation);
  const std::string full = describe(*model_).json;
  bool compact = config_.init == "default";
  try {
    compact = compact && describe(build_model<double>(parse_network(net, "net"))).json == full;
  } catch (const Error&) {
    compact = false;
  }
  if (!compact) net = "'" + full + "'";
  const std::size_t n = data_.train_size();
  const std::size_t batch = config_.batch_size == 0 ? n : std::min(config_.batch_size, n);
  const std::size_t epochs = std::max<std::size_t>(epoch_, 1);
  std::string command = "bpnn train --net " + net + " --train " + csv_name;
  if (!label_column) command.append(" --target-cols ").append(std::to_string(w));
  command += " --loss " + config_.loss + " --optimizer " + config_.optimizer + " --lr " + exact(config_.learning_rate);
  if (config_.weight_decay > 0) command += " --weight-decay " + exact(config_.weight_decay);
  command.append(" --batch-size ").append(std::to_string(batch)).append(" --epochs ").append(std::to_string(epochs));
  command.append(" --seed ").append(std::to_string(config_.seed)).append(config_.shuffle ? "" : " --no-shuffle");
  command.append(" --out ").append(model_name());
  std::string note;
  const bool mid_epoch = run_ && run_->run->position().batch > 0 && !run_->run->epoch_finished();
  if (perceptron()) {
    note = "the perceptron rule is not what bpnn train does: `bpnn demo perceptron` runs it on AND, OR, NAND, XOR and XNOR";
  } else if (!run_) {
    note = "the worked example trains in double with its biases fixed, which bpnn train does not do: `bpnn demo mazur` shows it";
  } else if (!not_reproducible_.empty()) {
    note = "not the page's weights: " + not_reproducible_;
  } else if (epoch_ == 0) {
    note = "the page has not finished an epoch yet: press 'finish epoch' (this command trains 1 epoch)";
  } else if (mid_epoch) {
    note = "the page is at batch " + std::to_string(run_->run->position().batch) + " of " +
           std::to_string(run_->run->batches()) +
           " of epoch " + std::to_string(epoch_ + 1) + "; this command trains " + std::to_string(epoch_) +
           " whole epochs: press 'finish epoch' for the page's weights to match it";
  } else {
    note = "gives the page's weights bit for bit (both train in float on one thread)";
  }
  return {{"command", command}, {"csv", csv}, {"csv_name", csv_name}, {"model_name", model_name()}, {"epochs", epochs},
          {"exact", run_ && not_reproducible_.empty() && epoch_ > 0 && !mid_epoch}, {"note", note}};
}

std::string Session::model_file() {
  require_network();
  const ModelMetadata metadata{{"bpnn.loss", config_.loss}, {"bpnn.targets", "0,1"}};
  return run_ ? model_bytes(run_->model, metadata) : model_bytes(*model_, metadata);  // the worked example: F64
}

}  // namespace bpnn::serve

namespace bpnn::serve {

json Session::predict(const json& body) {
  require_network();
  const Fields f(body, "");
  f.only({"input", "sample"});
  Tensor<double> x(Shape{1, data_.inputs});
  json reply;
  if (f.has("sample") == f.has("input")) refuse("give 'input' (the pixels, or inputs, as a list) or 'sample' (a training sample's index)");
  if (f.has("sample")) {
    const auto k = static_cast<std::size_t>(f.integer("sample", 0, 0, static_cast<std::int64_t>(data_.train_size()) - 1));
    std::copy(data_.train_x.begin() + k * data_.inputs, data_.train_x.begin() + (k + 1) * data_.inputs, x.data());
    reply["sample"] = k;
    reply["input"] = std::vector<double>(x.data(), x.data() + x.size());
    if (data_.classification()) reply["label"] = data_.train_y[k];
  } else {
    const json& input = f.raw("input");
    if (!input.is_array() || input.size() != data_.inputs) refuse("field 'input' must be a list of " + std::to_string(data_.inputs) + " numbers");
    for (std::size_t i = 0; i < data_.inputs; ++i) {
      if (!input[i].is_number() || !std::isfinite(input[i].get<double>()) || std::fabs(input[i].get<double>()) > 1e6) {
        refuse("field 'input[" + std::to_string(i) + "]' must be a finite number within 1e6");
      }
      x[i] = input[i].get<double>();
    }
  }
  const TensorView<const double> out = model_->forward(x.view());
  std::vector<double> output(out.data(), out.data() + out.size()), probabilities = output;
  if (config_.loss == "cross_entropy") {  // the logits' softmax, as the loss reads them
    const double top = *std::max_element(output.begin(), output.end());
    double sum = 0;
    for (double& p : probabilities) sum += (p = std::exp(p - top));
    for (double& p : probabilities) p /= sum;
  }
  json layers = json::array();
  for (std::size_t i = 0; i < model_->size(); ++i) {
    const TensorView<const double> a = model_->activation(i);
    layers.push_back({{"index", i}, {"kind", std::string(model_->layer(i).kind())}, {"out", std::vector<double>(a.data(), a.data() + a.size())}});
  }
  reply["output"] = output;
  reply["probabilities"] = probabilities;
  reply["class"] = static_cast<std::size_t>(std::max_element(probabilities.begin(), probabilities.end()) - probabilities.begin());
  reply["layers"] = layers;
  return reply;
}

}  // namespace bpnn::serve
