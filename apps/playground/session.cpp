// One playground session: parse a request, call the library, report the library's structs as JSON.
#include "session.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "bpnn/io/model_file.hpp"
#include "step_json.hpp"

namespace bpnn::serve {
namespace {

using Clock = std::chrono::steady_clock;

constexpr double kStepSeconds = 3.0;  // a step request stops after this long (or its "seconds")

}  // namespace

template <class F>
decltype(auto) Session::with_run(F&& f) const {
  if (auto* r = dynamic_cast<Run<float>*>(run_.get())) return f(*r);
  return f(dynamic_cast<Run<double>&>(*run_));
}

Session::~Session() = default;

Session::Session(std::string id) : id_(std::move(id)) {
  set_data({{"set", "xor"}});
  set_network({{"layers", {{{"units", 3}, {"activation", "sigmoid"}}, {{"units", 1}, {"activation", "sigmoid"}}}},
               {"learning_rate", 3.0}});
}

void Session::bump() { ++version; }

void Session::require_network() const {
  if (!run_) throw RequestError(409, "no network: build one first (the network action, the page's build network)");
}

std::size_t Session::inputs_of(std::size_t layer) const {
  return layer == 0 ? network_data().inputs : config_.layers[layer - 1].units;
}

std::size_t Session::dense_index(std::size_t layer) const {
  return with_run([&](auto& r) {
    std::size_t seen = 0, i = 0;
    for (; i < r.model.size(); ++i) {
      if (r.model.layer(i).kind() == "dense" && seen++ == layer) break;
    }
    return i;
  });
}

Session::Progress Session::progress() const {
  return with_run([&](auto& r) {
    const auto& run = *r.run;
    const auto& at = run.position();
    const bool finished = run.epoch_finished();
    return Progress{.iteration = at.iterations, .epoch = run.epochs_done(), .cursor = finished ? 0 : at.seen,
                    .batch = finished ? 0 : at.batch, .batches = run.batches(), .converged = run.converged_epoch(),
                    .mistakes = run.last_epoch().mistakes(), .mid_epoch = !finished && at.seen > 0,
                    .not_reproducible = run.why_not_reproducible(),
                    .last_step = run.last_step().samples.empty() || weights_edited_ ? 0 : run.last_step().iteration};
  });
}

void Session::set_data(const json& request) {
  // keep_weights (a point added by a click): the network keeps its weights when it keeps its shape.
  json body = request;
  const bool keep_weights = Fields(request, "data.").boolean("keep_weights", false);
  if (body.is_object()) body.erase("keep_weights");
  std::vector<double> kept;
  if (keep_weights && run_) {
    with_run([&](auto& r) {
      const auto values = r.model.parameters().values();
      kept.assign(values.data(), values.data() + values.size());
    });
  }
  PlayData data = make_data(body);
  const bool worked_example = data.name == "mazur";
  if (!worked_example) {  // the values a float run (and bpnn train, reading the exported CSV) sees
    for (std::vector<double>* v : {&data.train_x, &data.train_y, &data.test_x, &data.test_y}) {
      for (double& x : *v) x = static_cast<float>(x);
    }
  }
  const std::string previous = data_.name;
  data_ = std::move(data);
  data_request_ = body;
  data_text_.reset();
  grid_ = plot_grid(data_);
  config_ = config_for_data(data_, previous, config_);
  try {
    build();
  } catch (const RequestError&) {
    run_.reset();  // the data stays; the learner picks a network that fits it
    throw;
  }
  with_run([&](auto& r) {
    auto values = r.model.parameters().values();
    if (kept.empty() || kept.size() != values.size()) return;
    using T = typename std::decay_t<decltype(r)>::Value;
    std::transform(kept.begin(), kept.end(), values.data(), [](double v) { return static_cast<T>(v); });
    r.run->mark_not_reproducible("points were added to a trained network: press reset to start a run bpnn train "
                                 "can repeat");
    history_.clear();
    record();
  });
  bump();
}

void Session::set_network(const json& body) {
  const NetworkConfig c = read_network_config(body, data_);
  const NetworkConfig before = config_;
  config_ = c;
  try {
    build();
  } catch (...) {
    config_ = before;
    build();
    throw;
  }
  bump();
}

// The run from config_ and data_, trained in float (as bpnn train), or in double for the worked
// example and the perceptron rule.
void Session::build() {
  featured_.reset();
  std::vector<double> grid = grid_.points;
  if (!config_.features.empty()) {  // the chosen features of the points, and of the plane's cells
    featured_ = with_features(data_, config_.features);
    grid = feature_rows(grid_.points, config_.features);
  }
  network_ = describe_network(config_, network_data());
  run_.reset();
  run_ = make_run(network_, config_, network_data(), grid);
  weights_edited_ = false;
  loaded_.clear();
  history_.clear();
  history_every_ = 1;
  error_.clear();
  stopped_.clear();
  // The neurons' pictures' grid, as fine as this many neurons allow.
  neuron_side_ = neuron_picture_side(grid_, data_, config_.layers);
  if (neuron_side_ > 0) {
    with_run([&](auto& r) {
      using T = typename std::decay_t<decltype(r)>::Value;
      std::vector<double> plane = plane_points(grid_, neuron_side_);
      if (!config_.features.empty()) plane = feature_rows(plane, config_.features);  // as the network takes it
      r.neuron_grid = tensor_of<T>(plane, Shape{neuron_side_ * neuron_side_, network_data().inputs});
    });
  }
  record();
}

json Session::step(const json& body) {
  require_network();
  const Fields f(body, "");
  f.only({"unit", "count", "seconds", "stop"});
  const std::string unit = f.choice("unit", "batch", {"sample", "batch", "epoch"});
  const auto count = static_cast<std::size_t>(f.integer("count", 1, 1, unit == "epoch" ? 10000 : 100000));
  const double seconds = f.number("seconds", kStepSeconds, 0.001, kStepSeconds);
  const StopCondition stop = read_stop(f, data_.test_size() > 0);
  if (!error_.empty()) throw RequestError(409, error_);
  return step_run(unit, count, seconds, stop);
}

// Steps of the run within the request's count and seconds, as the library's TrainingRun takes them.
// The perceptron rule's batch is the whole set (a pass, its epoch); it stops at convergence, or
// after kPerceptronEpochs, when no line separates the classes.
json Session::step_run(const std::string& unit, std::size_t count, double seconds, const StopCondition& stop) {
  const bool rule = config_.perceptron();
  const Progress start = progress();
  const StepUnit each = unit == "sample"          ? StepUnit::sample
                        : unit == "epoch" || rule ? StepUnit::epoch
                                                  : StepUnit::batch;
  const std::size_t steps = each == StepUnit::epoch ? count * start.batches : count;
  const std::size_t record_every = std::max<std::size_t>(1, steps / 100);
  // The loss curve gets a point every record_every steps, but in long requests (play's) at most
  // one per 5 ms and never more than 5% of the time: evaluating the whole set costs as much as
  // many small steps.
  std::size_t taken = 0;
  auto next_record = Clock::now();
  auto after_step = [&](const StepReport& report) {
    if ((start.iteration + ++taken) % record_every == 0 && (steps <= 5000 || Clock::now() >= next_record)) {
      const auto now = Clock::now();
      record();
      next_record = now + std::max<Clock::duration>(std::chrono::milliseconds(5), 20 * (Clock::now() - now));
    }
    if (report.epoch_finished && !(stopped_ = stop_reason(stop)).empty()) return true;  // the stop condition
    return rule && progress().epoch >= kPerceptronEpochs;
  };
  BudgetReport done;
  const Budget budget{.unit = each, .count = count, .seconds = seconds, .after_step = after_step};
  // Holding already at an epoch's end: no step. (Part-way through an epoch the call goes on to its end.)
  stopped_ = start.mid_epoch ? "" : stop_reason(stop);
  try {
    if (!(rule && (start.converged > 0 || start.epoch >= kPerceptronEpochs)) && stopped_.empty()) {
      done = with_run([&](auto& r) { return r.run->run(budget); });
      weights_edited_ = false;
    }
  } catch (const TrainingDiverged&) {
    done.loss = NAN;
    error_ = "training diverged (the loss is not a finite number): lower the learning rate and press reset";
  } catch (const Error& e) {  // a layer that cannot back-propagate (step), a loss refusing its input
    record();
    bump();
    throw RequestError(400, std::string("training: ") + e.what());
  }
  record();
  bump();
  const Progress at = progress();
  json reply = {{"done", done.units}, {"iteration", at.iteration}, {"epoch", at.epoch}, {"loss", done.loss},
                {"last_step", at.last_step == 0 ? json(nullptr) : json(at.last_step)}};
  if (!error_.empty()) reply["error"] = error_;
  if (!stopped_.empty()) reply.update({{"stopped", true}, {"stop_reason", stopped_}});
  if (rule) {
    reply.update({{"stopped", at.converged > 0 || at.epoch >= kPerceptronEpochs || !stopped_.empty()},
                  {"perceptron", perceptron_json(at)}});
  }
  return reply;
}

json Session::perceptron_json(const Progress& at) const {
  std::string verdict = at.epoch == 0 ? "not trained yet"
                                      : "epoch " + std::to_string(at.epoch) + ": " + std::to_string(at.mistakes) +
                                            " mistakes";
  if (at.converged > 0) {
    verdict = "learned: epoch " + std::to_string(at.converged) +
              " had no mistake; the line w1 x1 + w2 x2 + b = 0 separates the 1s from the 0s";
  } else if (at.epoch >= kPerceptronEpochs) {
    verdict = "did NOT converge in " + std::to_string(kPerceptronEpochs) + " epochs (" + std::to_string(at.mistakes) +
              " mistakes in the last): no line separates its 1s from its 0s, it is not linearly separable, so one "
              "unit cannot learn it; a hidden layer can (XNOR with a 2-3-1 network)";
  }
  const json separable = at.converged > 0 ? json(true) : at.epoch >= kPerceptronEpochs ? json(false) : json(nullptr);
  return with_run([&](auto& r) {
    const auto& p = r.model.parameters();
    return json{{"w", values(p.value(std::size_t{0}).span())}, {"b", p.value(std::size_t{1})[0]},
                {"epochs", at.epoch}, {"limit", kPerceptronEpochs}, {"mistakes", at.mistakes},
                {"converged", at.converged > 0}, {"converged_at", at.converged}, {"separable", separable},
                {"verdict", verdict}};
  });
}

void Session::reset(const json& body) {
  require_network();
  Fields(body, "").only({});
  build();
  bump();
}

void Session::load_model(const json& body) {
  require_network();
  const Fields f(body, "");
  f.only({"model", "name"});
  const std::string name = f.file_name("name", "model.safetensors");
  if (config_.worked_example) refuse("the worked example starts from the tutorial's weights: choose other data first");
  const std::string bytes = f.base64("model");
  const LoadedModel<double> file = load_model_bytes<double>(bytes, name);  // its errors: 400, naming the file
  if (file.network.input.numel() != network_data().inputs) {
    refuse(name + ": the model takes " + std::to_string(file.network.input.numel()) + " inputs; this data gives " +
           std::to_string(network_data().inputs) + ": choose the data it was trained on");
  }
  json network = config_json(config_);
  network["layers"] = page_layers(file.network, name);
  if (!file.recipe.loss.empty()) network["loss"] = file.recipe.loss;
  for (const char* derived : {"worked_example", "precision"}) network.erase(derived);
  if (config_.features.empty()) network.erase("features");  // the data's own inputs
  const NetworkConfig before = config_;
  set_network(network);
  try {
    with_run([&](auto& r) { load_weights_bytes(bytes, r.model, name); });
  } catch (...) {
    config_ = before;
    build();
    throw;
  }
  loaded_ = name;
  history_.clear();
  record();
  bump();
}

WeightAt Session::weight_at(const Fields& f, const std::string& what) const {
  if (!f.has("layer") || !f.has("to")) refuse(what + " needs 'layer', 'to' and 'from' (or \"bias\": true)");
  auto index = [&](const char* name, std::size_t count) {
    return static_cast<std::size_t>(f.integer(name, 0, 0, static_cast<std::int64_t>(count) - 1));
  };
  const std::size_t k = index("layer", config_.layers.size()), j = index("to", config_.layers[k].units);
  const bool bias = f.boolean("bias", false);
  if (bias == f.has("from")) refuse("give 'from' (the neuron of the layer below) or \"bias\": true, one of them");
  if (bias) return {.layer = k, .to = j};
  return {.layer = k, .to = j, .from = index("from", inputs_of(k))};
}

void Session::edit_weight(const json& body) {
  require_network();
  const Fields f(body, "");
  f.only({"layer", "to", "from", "bias", "value"});
  const WeightAt at = weight_at(f, "a weight edit");
  if (!f.has("value")) refuse("a weight edit needs 'value'");
  const double value = f.number("value", 0, -1e3, 1e3);
  with_run([&](auto& r) {
    using T = typename std::decay_t<decltype(r)>::Value;
    auto& p = r.model.parameters();
    const std::string tensor = std::to_string(dense_index(at.layer)) + (at.from ? ".weight" : ".bias");
    p.value(tensor)[at.from ? at.to * inputs_of(at.layer) + *at.from : at.to] = static_cast<T>(value);
    r.run->mark_not_reproducible("a weight was set by hand: press reset to start a run bpnn train can repeat");
  });
  weights_edited_ = true;
  error_.clear();
  record();
  bump();
}

// The loss and accuracy by the library's evaluate, on the training and the test set.
void Session::record() {
  std::array<double, 5> row = {static_cast<double>(progress().iteration), NAN, NAN, NAN, NAN};
  with_run([&](auto& r) {
    auto score = [&](const auto& x, const auto& t, double& loss, double& accuracy, Confusion& confusion) {
      confusion = {};
      if (x.size() == 0) return;
      const Evaluation e = evaluate(r.model, *r.loss, x.view(), t.view(), 256, r.run->task());
      loss = e.loss;
      accuracy = e.task == Task::regression ? -1 : e.accuracy;
      if (e.classification && e.classes <= kMaxConfusionClasses) confusion = {e.classes, e.confusion};
    };
    score(r.train_x, r.train_t, row[1], row[3], confusion_[0]);
    score(r.test_x, r.test_t, row[2], row[4], confusion_[1]);
  });
  if (!history_.empty() && history_.back()[0] == row[0]) history_.pop_back();
  if (static_cast<std::size_t>(row[0]) % history_every_ == 0 || history_.empty()) {
    history_.push_back(row);
  } else {
    history_.back() = row;  // keep the newest value even between recorded iterations
  }
  if (history_.size() > kMaxHistory) {  // halve: keep every other point, record half as often
    std::vector<std::array<double, 5>> kept;
    for (std::size_t k = 0; k < history_.size(); k += 2) kept.push_back(history_[k]);
    if (kept.back() != history_.back()) kept.push_back(history_.back());
    history_ = std::move(kept);
    history_every_ *= 2;
  }
}

json Session::network_json() const {
  return with_run([&](auto& r) {
    auto& p = r.model.parameters();
    json layers = json::array();
    for (std::size_t k = 0; k < config_.layers.size(); ++k) {
      const std::string name = std::to_string(dense_index(k));
      const std::size_t in = inputs_of(k), bias = p.index(name + ".bias");
      const bool shown = in <= kShownInputs;
      layers.push_back({{"units", config_.layers[k].units}, {"activation", config_.layers[k].activation},
                        {"weight_omitted", !shown},
                        {"weight", shown ? matrix(values(p.value(name + ".weight").span()), in) : json::array()},
                        {"bias", values(p.value(bias).span())}, {"bias_frozen", p.entry(bias).frozen},
                        {"index", dense_index(k)}, {"dropout", config_.layers[k].dropout}});
    }
    json network = {{"inputs", network_data().inputs}, {"layers", layers}};
    if (!config_.features.empty()) network["input_names"] = config_.features;  // the drawing's input neurons
    return network;
  });
}

const std::string& Session::state_text() {
  if (state_version_ != version || state_cache_.empty()) {
    state_cache_ = snapshot()->text();
    state_version_ = version;
  }
  return state_cache_;
}

std::shared_ptr<const StateSnapshot> Session::snapshot() {
  if (snapshot_ && snapshot_->version == version) return snapshot_;
  auto snap = std::make_shared<StateSnapshot>();
  StateSnapshot& out = *snap;
  out.version = version;
  // The data changes only with set_data: its text is made once and shared by every snapshot.
  if (!data_text_) data_text_ = std::make_shared<const std::string>(data_json(data_, data_request_).dump());
  out.data = data_text_;
  const Progress at = run_ ? progress() : Progress{};
  json s = {{"id", id_}, {"version", version}, {"iteration", at.iteration}, {"epoch", at.epoch},
            {"cursor", at.cursor}, {"batch", at.batch}, {"batches", at.batches},
            {"error", error_.empty() ? json(nullptr) : json(error_)}, {"config", config_json(config_)},
            {"reproducible", run_ && at.not_reproducible.empty()}, {"not_reproducible", at.not_reproducible},
            {"last_step", at.last_step == 0 ? json(nullptr) : json(at.last_step)},
            {"loaded", loaded_.empty() ? json(nullptr) : json(loaded_)}};
  if (run_) {
    if (config_.perceptron()) s["perceptron"] = perceptron_json(at);
    s["network"] = network_json();
    out.history = history_;
    out.has_history = true;
    const auto& last = history_.back();
    s.update({{"loss", last[1]}, {"test_loss", last[2]}, {"accuracy", last[3] < 0 ? json(nullptr) : json(last[3])},
              {"test_accuracy", last[4] < 0 ? json(nullptr) : json(last[4])}});
    with_run([&](auto& r) { draw_outputs(r, data_, grid_, config_.loss, out, s); });
    snapshot_panels(out, s);
  }
  out.fields = std::move(s);
  snapshot_ = std::move(snap);
  return snapshot_;
}

void Session::require_last_step() const {
  if (progress().last_step > 0) return;
  const std::string why = weights_edited_ ? "a weight was set by hand since the last step: take a step"
                           : !error_.empty() ? "the last step failed: " + error_
                                             : "no step taken yet: take one to see the gradients it applied";
  throw RequestError(409, why);
}

json Session::numbers(const json& body) {
  require_network();
  const Fields f(body, "");
  f.only({"sample", "last_step"});
  const bool last = f.boolean("last_step", false);
  if (last && f.has("sample")) refuse("give 'sample' or \"last_step\": true, not both");
  const auto sample =
      static_cast<std::size_t>(f.integer("sample", 0, 0, static_cast<std::int64_t>(data_.train_size()) - 1));
  if (last) require_last_step();
  return with_run([&](auto& r) {
    json reply = explanation_json(last ? explain_last_step(*r.run) : r.explain_sample(sample));
    reply.update({{"last_step", last}, {"optimizer", config_.optimizer}});
    if (last) reply.update({{"iteration", r.run->last_step().iteration}, {"batch", r.run->last_step().samples}});
    if (!last) reply["sample"] = sample;
    return reply;
  });
}

json Session::chain_rule(const json& body) {
  require_network();
  const Fields f(body, "");
  f.only({"sample", "last_step", "layer", "to", "from", "bias"});
  const bool last = f.boolean("last_step", false);
  if (last && f.has("sample")) refuse("give 'sample' or \"last_step\": true, not both");
  const auto sample =
      static_cast<std::size_t>(f.integer("sample", 0, 0, static_cast<std::int64_t>(data_.train_size()) - 1));
  const WeightAt at = weight_at(f, "the chain rule");
  if (last) require_last_step();
  return with_run([&](auto& r) {
    // The last step's: the factors of its batch's first sample, and dE/dw summed over the batch.
    const auto e = last ? explain_last_step(*r.run) : r.explain_sample(sample);
    json reply = chain_json(bpnn::chain_rule(e, at, 0));
    reply.update({{"sample", last ? r.run->last_step().samples[0] : sample}, {"last_step", last}, {"loss", e.loss}});
    return reply;
  });
}

json Session::check_gradients(const json& body) {
  require_network();
  Fields(body, "").only({});
  const std::size_t n = std::min<std::size_t>(data_.train_size(), 64);
  // Every trained tensor (at most 4096 elements each, evenly spread), not dE/dinput.
  const GradientCheckOptions options{.check_input = false, .max_elements = 4096};
  const GradientCheckReport g = with_run([&](auto& r) {
    return bpnn::check_gradients(r.model, *r.check_loss, r.train_x.view().samples(0, n),
                                 r.train_t.view().samples(0, n), options);
  });
  json tensors = json::array();
  for (const TensorGradientCheck& t : g.tensors) {
    tensors.push_back({{"name", t.name}, {"checked", t.checked}, {"skipped", t.skipped},
                       {"max_relative_error", t.max_relative_error}, {"passed", t.passed}});
  }
  return {{"checked", g.checked}, {"skipped", g.skipped}, {"samples", n}, {"step", options.step},
          {"tolerance", options.relative_tolerance}, {"max_relative_error", g.max_relative_error},
          {"max_absolute_error", g.max_absolute_error}, {"worst", g.worst}, {"passed", g.ok},
          {"report", g.report}, {"tensors", tensors}};
}

std::string Session::model_name() const {
  return (data_.name == "points" ? std::string("my-points") : data_.name) + ".safetensors";
}

json Session::export_run(const json& body) {
  require_network();
  Fields(body, "").only({});
  const std::string csv_name = (data_.name == "points" ? std::string("my-points") : data_.name) + ".csv";
  const Progress at = progress();
  const std::size_t epochs = std::max<std::size_t>(at.epoch, 1);
  const ReplayNote replay = replay_note(config_, {.epoch = at.epoch, .batch = at.batch, .batches = at.batches,
                                                   .mid_epoch = at.mid_epoch, .not_reproducible = at.not_reproducible},
                                        loaded_);
  return {{"command", train_command(config_, network_, network_data(), epochs, csv_name, model_name(), loaded_)},
          {"csv", training_csv(network_data())},
          {"csv_name", csv_name}, {"model_name", model_name()}, {"epochs", epochs}, {"exact", replay.exact},
          {"note", replay.note}};
}

std::string Session::model_file() {
  require_network();
  // What the model is, so that bpnn predict and eval read the download right: the page's task and
  // loss (targets 0 and 1); the output layer says how its outputs are read. And what bpnn train
  // records of the exported command's CSV (its column names; regression's target columns), so
  // that the command saves this very file.
  DataRecipe meaning;
  meaning.task = data_.classification() ? Task::classification : Task::regression;
  meaning.loss = config_.loss;
  CsvColumns columns = training_csv_columns(network_data());
  meaning.feature_names = std::move(columns.inputs);
  meaning.target_names = std::move(columns.targets);
  if (!data_.classification()) meaning.read.csv.target_columns = data_.target_width();
  const ModelMetadata metadata{{"bpnn.loss", config_.loss}, {"bpnn.data", recipe_to_json(meaning)}};
  return with_run([&](auto& r) { return model_bytes(r.model, metadata); });  // the worked example: F64
}

json Session::predict(const json& body) {
  require_network();
  const Fields f(body, "");
  f.only({"input", "sample"});
  if (f.has("sample") == f.has("input")) {
    refuse("give 'input' (the pixels, or inputs, as a list) or 'sample' (a training sample's index)");
  }
  const std::size_t in = data_.inputs;
  std::vector<double> x(in);
  json reply;
  if (f.has("sample")) {
    const auto k =
        static_cast<std::size_t>(f.integer("sample", 0, 0, static_cast<std::int64_t>(data_.train_size()) - 1));
    std::copy(data_.train_x.begin() + k * in, data_.train_x.begin() + (k + 1) * in, x.begin());
    reply = {{"sample", k}, {"input", x}};
    if (data_.classification()) reply["label"] = data_.train_y[k];
  } else {
    const json& input = f.raw("input");
    if (!input.is_array() || input.size() != in) {
      refuse("field 'input' must be a list of " + std::to_string(in) + " numbers");
    }
    for (std::size_t i = 0; i < in; ++i) {
      if (!input[i].is_number() || !std::isfinite(input[i].get<double>()) || std::fabs(input[i].get<double>()) > 1e6) {
        refuse("field 'input[" + std::to_string(i) + "]' must be a finite number within 1e6");
      }
      x[i] = input[i].get<double>();
    }
  }
  if (!config_.features.empty()) x = feature_rows(x, config_.features);  // the point's features, as trained on
  reply.update(with_run([&](auto& r) { return predict_json(r, x, config_.loss); }));
  return reply;
}

// --- the stop condition's losses, the learning rate and the confusion matrices ----------------------

// The losses are the library's evaluate on the whole set, the readout's numbers: the state after
// the stop shows the loss that stopped it.
std::string Session::stop_reason(const StopCondition& stop) const {
  if (!stop.epochs && !stop.train_loss_below && !stop.test_loss_below) return "";
  const Progress at = progress();
  return serve::stop_reason(stop, at.epoch, at.iteration, [&](bool test) {
    return with_run([&](auto& r) {
      const auto& x = test ? r.test_x : r.train_x;
      const auto& t = test ? r.test_t : r.train_t;
      return evaluate(r.model, *r.loss, x.view(), t.view(), 256, r.run->task()).loss;
    });
  });
}

void Session::snapshot_panels(StateSnapshot& out, json& fields) const {
  with_run([&](auto& r) {
    // The rate of the epoch in progress (or the last one finished), and of the next step: the
    // schedule's for the epoch that step is in.
    const auto& run = *r.run;
    const std::size_t next_epoch = run.epoch_finished() ? run.epochs_done() + 1 : run.position().epoch;
    fields["learning_rate"] = r.optimizer->learning_rate();
    fields["next_learning_rate"] =
        run.options().schedule.rate(run.base_rate(), next_epoch - 1, run.options().epochs, run.samples());
  });
  fields["stopped"] = stopped_.empty() ? json(nullptr) : json(stopped_);
  auto rows = [](const Confusion& c) {
    if (c.classes == 0) return json(nullptr);
    json m = json::array();
    for (std::size_t t = 0; t < c.classes; ++t) {
      m.push_back(std::vector<std::size_t>(c.counts.begin() + t * c.classes, c.counts.begin() + (t + 1) * c.classes));
    }
    return m;
  };
  if (confusion_[0].classes > 0) {
    fields["confusion"] = {
        {"classes", confusion_[0].classes}, {"train", rows(confusion_[0])}, {"test", rows(confusion_[1])}};
  }
  if (neuron_side_ > 0) with_run([&](auto& r) { draw_neurons(r, neuron_side_, out); });
}

}  // namespace bpnn::serve
