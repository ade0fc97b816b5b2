// The learner's network, from the request to bpnn's network description and the `bpnn train` command.
#include "network_config.hpp"

#include <algorithm>
#include <optional>

#include "bpnn/core/error.hpp"
#include "bpnn/core/number_text.hpp"
#include "bpnn/model/registry.hpp"
#include "bpnn/optim/make_optimizer.hpp"

namespace bpnn::serve {
namespace {

// The initializer field of a dense layer in a network description.
json init_json(const std::string& init) {
  if (init == "uniform") return {{"type", "uniform"}, {"low", -1.0}, {"high", 1.0}};
  if (init == "normal") return {{"type", "normal"}, {"mean", 0.0}, {"std", 1.0}};
  return init;
}

// The epochs a cosine anneals over: the playground's own option (bpnn train takes its --epochs).
constexpr std::size_t kDefaultScheduleEpochs = 100, kMaxScheduleEpochs = 10000;

// The field "schedule": {"name", its options}, made by the library's make_schedule (which refuses an
// option the schedule does not take), each value first checked within a page's bounds.
ScheduleChoice read_schedule(const Fields& network) {
  ScheduleChoice s;
  if (!network.has("schedule")) return s;
  const std::string where = network.where("schedule");
  const Fields f(network.raw("schedule"), where + ".");
  f.only({"name", "step_size", "gamma", "power", "epochs"});
  std::vector<std::string> names;
  for (std::string_view name : names_of(schedule_registry())) names.emplace_back(name);
  if (!f.has("name")) {
    refuse("field '" + where + ".name' is missing (one of " + name_list(names_of(schedule_registry())) + ")");
  }
  s.name = f.choice("name", "constant", names);
  std::optional<std::size_t> step_size;
  std::optional<double> gamma, power;
  if (f.has("step_size")) step_size = static_cast<std::size_t>(f.integer("step_size", 1, 1, kMaxScheduleEpochs));
  if (f.has("gamma")) gamma = f.number("gamma", 0.1, 1e-6, 10);
  if (f.has("power")) power = f.number("power", 0.5, 0, 10);
  try {
    s.schedule = make_schedule(s.name, step_size, gamma, power);
  } catch (const Error& e) {
    refuse("field '" + where + "': " + e.what());
  }
  if (s.over_epochs()) {
    s.epochs = static_cast<std::size_t>(f.integer("epochs", kDefaultScheduleEpochs, 1, kMaxScheduleEpochs));
  } else if (f.has("epochs")) {
    refuse("field '" + where + ".epochs': only cosine anneals over a number of epochs; " + s.name + " takes none");
  }
  return s;
}

json schedule_json(const ScheduleChoice& s) {
  json j = {{"name", s.name}};
  if (s.schedule.kind == LrSchedule::Kind::step) {
    j.update({{"step_size", s.schedule.step_size}, {"gamma", s.schedule.gamma}});
  }
  if (s.schedule.kind == LrSchedule::Kind::inverse_scaling) j["power"] = s.schedule.power;
  if (s.over_epochs()) j["epochs"] = s.epochs;
  return j;
}

}  // namespace

const NetworkChoices& network_choices() {
  static const NetworkChoices choices = [] {
    NetworkChoices c;
    for (const LayerKind& k : layer_registry()) {
      if (k.activation) c.activation.emplace_back(k.name);
    }
    for (std::string_view name : names_of(loss_registry())) c.loss.emplace_back(name);
    for (std::string_view name : names_of(optimizer_registry())) c.optimizer.emplace_back(name);
    c.optimizer.emplace_back("perceptron");
    c.init.emplace_back("default");
    for (std::string_view name : names_of(initializer_registry())) c.init.emplace_back(name);
    for (std::string_view name : names_of(arithmetic_registry())) c.arithmetic.emplace_back(name);
    return c;
  }();
  return choices;
}

json network_choices_json() {
  const NetworkChoices& c = network_choices();
  json choices = {{"activation", c.activation}, {"loss", c.loss},           {"optimizer", c.optimizer},
                  {"init", c.init},             {"arithmetic", c.arithmetic}};
  // The schedules as the registry describes them, cosine with the epochs it anneals over.
  json schedules = json::parse(registry_json())["schedules"];
  for (json& row : schedules) {
    if (row["name"] != "cosine") continue;
    row["options"].push_back({{"name", "epochs"}, {"type", "integer"}, {"default", kDefaultScheduleEpochs},
                              {"required", false}, {"rule", "lie in [1, " + std::to_string(kMaxScheduleEpochs) + "]"},
                              {"meaning", "the epochs it anneals over (bpnn train's --epochs)"}});
  }
  choices["schedule"] = schedules;
  choices["features"] = input_features_json();
  return choices;
}

bool takes_features(const PlayData& data) { return data.inputs == 2 && data.name != "mazur"; }

namespace {

// The "features" field: input_features()'s names, each once, on a 2-D set; x1, x2 when absent
// there, none elsewhere.
std::vector<std::string> read_features(const Fields& f, const PlayData& data, const NetworkConfig& c) {
  const std::vector<std::string> plain = {"x1", "x2"};
  if (!f.has("features")) return takes_features(data) ? plain : std::vector<std::string>{};
  const json& list = f.raw("features");
  const std::vector<std::string_view> known = names_of(input_features());
  const std::string names = name_list(known);
  if (!list.is_array() || list.empty() || list.size() > known.size()) {
    refuse("field 'network.features' must be a list of 1 to " + std::to_string(known.size()) + " input features (" +
           names + ")");
  }
  if (!takes_features(data)) {
    refuse("field 'network.features': input features are for the 2-D sets; '" + data.name + "' has " +
           std::to_string(data.inputs) + " input" + (data.inputs == 1 ? "" : "s") + " of its own");
  }
  std::vector<std::string> features;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = "field 'network.features[" + std::to_string(i) + "]'";
    if (!list[i].is_string()) refuse(where + " must be a feature's name (" + names + ")");
    const std::string name = list[i].get<std::string>();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      refuse(where + ": unknown input feature '" + printable(name, 40) + "'; known: " + names);
    }
    if (std::find(features.begin(), features.end(), name) != features.end()) {
      refuse(where + ": '" + name + "' is already an input");
    }
    features.push_back(name);
  }
  if (c.perceptron() && features != plain) {
    refuse("field 'network.features': the perceptron rule's line w1 x1 + w2 x2 + b = 0 takes x1 and x2");
  }
  return features;
}

}  // namespace

NetworkConfig read_network_config(const json& body, const PlayData& data) {
  const Fields f(body, "network.");
  f.only({"layers", "loss", "optimizer", "learning_rate", "batch_size", "weight_decay", "l1", "features", "init",
          "seed", "shuffle", "arithmetic", "preset", "schedule"});
  NetworkConfig c;
  if (!f.has("layers") || !f.raw("layers").is_array()) {
    refuse("field 'network.layers' must be a list of {\"units\", \"activation\"}");
  }
  const json& layers = f.raw("layers");
  if (layers.empty() || layers.size() > kMaxLayers) {
    refuse("field 'network.layers' must hold 1 to " + std::to_string(kMaxLayers) +
           " layers (the output layer included)");
  }
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Fields layer(layers[i], "network.layers[" + std::to_string(i) + "].");
    layer.only({"units", "activation", "dropout"});
    if (!layer.has("units")) refuse("field 'network.layers[" + std::to_string(i) + "].units' is missing");
    c.layers.push_back({static_cast<std::size_t>(layer.integer("units", 1, 1, kMaxUnits)),
                        layer.choice("activation", "sigmoid", network_choices().activation),
                        layer.number("dropout", 0, 0, kMaxDropout)});
  }
  if (c.layers.back().dropout > 0) {
    refuse("field 'network.layers[" + std::to_string(layers.size() - 1) +
           "].dropout': the output layer takes no dropout (a hidden layer's rate, after its activation)");
  }
  c.loss = f.choice("loss", "mse", network_choices().loss);
  c.optimizer = f.choice("optimizer", "sgd", network_choices().optimizer);
  const double default_rate = c.optimizer == "adam" ? 0.01 : c.perceptron() ? 0.1 : 0.5;
  c.learning_rate = f.number("learning_rate", default_rate, 1e-6, 10);
  if (c.perceptron() && (c.layers.size() != 1 || c.layers[0].units != 1 || c.layers[0].activation != "step")) {
    refuse("field 'network.optimizer': the perceptron rule trains one M-P neuron: "
           "layers [{\"units\": 1, \"activation\": \"step\"}]");
  }
  c.batch_size = static_cast<std::size_t>(f.integer("batch_size", 0, 0, kMaxPoints));
  c.weight_decay = f.number("weight_decay", 0, 0, 1);
  c.l1 = f.number("l1", 0, 0, 1);
  c.features = read_features(f, data, c);
  c.init = f.choice("init", "default", network_choices().init);
  c.seed = static_cast<std::uint64_t>(f.integer("seed", 1, 0, std::int64_t(1) << 53));
  c.shuffle = f.boolean("shuffle", true);
  c.arithmetic = f.choice("arithmetic", "portable", network_choices().arithmetic);
  c.schedule = read_schedule(f);
  if (f.choice("preset", "", {"mazur"}) == "mazur") {
    if (data.name != "mazur") {
      refuse("field 'network.preset': the worked example's weights need its data (set 'mazur')");
    }
    if (c.layers.size() != 2 || c.layers[0].units != 2 || c.layers[1].units != 2) {
      refuse("field 'network.preset': the worked example is a 2-2-2 network");
    }
    if (c.layers[0].dropout > 0) refuse("field 'network.layers[0].dropout': the worked example has no dropout");
    c.worked_example = true;
  }
  return c;
}

namespace {

NetworkConfig network_for_data(const PlayData& data, const std::string& previous_set, NetworkConfig c) {
  if (data.name == "mazur") {
    return {.layers = {{2, "sigmoid"}, {2, "sigmoid"}}, .batch_size = 1, .worked_example = true};
  }
  if (data.name == "mnist") {  // a small MLP that learns 2,000 digits in seconds
    if (previous_set == "mnist") return c;
    return {.layers = {{32, "relu"}, {10, "identity"}}, .loss = "cross_entropy", .learning_rate = 0.1,
            .batch_size = 32};
  }
  if (data.name == "function") {  // a curve to fit: tanh units and a linear output, mini-batches
    if (previous_set != "function" || c.layers.empty()) {
      c = {.layers = {{16, "tanh"}, {1, "identity"}}, .learning_rate = 0.1, .batch_size = 10};
    }
    c.layers.back().units = 1;
    c.loss = "mse";
    return c;
  }
  if (c.worked_example || c.layers.empty() || previous_set == "function" || previous_set == "mnist") {
    c = {.layers = {{3, "sigmoid"}, {1, "sigmoid"}}, .learning_rate = 3.0};  // the 2-3-1 network
  }
  // The output layer follows the data: one unit for 0/1 labels unless it already has one per class;
  // more classes: one logit each, read by cross-entropy (softmax).
  LayerChoice& out = c.layers.back();
  if (data.classes > 2 && out.units != data.classes) {
    out = {data.classes, "identity"};
    c.loss = "cross_entropy";
  }
  if (!(data.classification() && out.units == data.classes)) out.units = data.classification() ? 1 : data.outputs;
  if (out.units == 1 && c.loss == "cross_entropy") {
    out.activation = "sigmoid";
    c.loss = "mse";
  }
  return c;
}

}  // namespace

NetworkConfig config_for_data(const PlayData& data, const std::string& previous_set, NetworkConfig previous) {
  const std::string arithmetic = previous.arithmetic;
  NetworkConfig c = network_for_data(data, previous_set, std::move(previous));
  c.arithmetic = arithmetic;
  // The chosen features stay while the data is a 2-D set (any set's points are (x1, x2)).
  if (!takes_features(data)) c.features.clear();
  if (takes_features(data) && c.features.empty()) c.features = {"x1", "x2"};
  return c;
}

Network describe_network(const NetworkConfig& c, const PlayData& data) {
  const std::size_t outputs = c.layers.back().units;
  const std::string last = "network.layers[" + std::to_string(c.layers.size() - 1) + "]";
  if (data.classification() && outputs != data.classes && (outputs != 1 || data.classes > 2)) {
    refuse(last + ".units: this data has " + std::to_string(data.classes) + " classes: use " +
           (data.classes == 2 ? "1 output (a 0/1 target) or 2" : std::to_string(data.classes) + " outputs"));
  }
  if (!data.classification() && outputs != data.outputs) {
    refuse(last + ".units: this data has " + std::to_string(data.outputs) + " targets per sample");
  }
  if (c.perceptron() && (!data.classification() || data.classes != 2)) {
    refuse("field 'network.optimizer': the perceptron rule needs 0/1 labels (AND, OR, XOR, a 2-D set or your points)");
  }
  if (c.loss == "cross_entropy" && outputs < 2) {
    refuse("field 'network.loss': cross_entropy needs one output per class (2 or more)");
  }
  if (c.loss == "cross_entropy" && c.layers.back().activation != "identity") {
    refuse(last + ".activation: cross_entropy applies softmax itself to the outputs (logits): use identity");
  }
  if (c.loss == "bce" && c.layers.back().activation != "sigmoid" && c.layers.back().activation != "softmax") {
    refuse(last + ".activation: bce needs outputs in [0, 1]: use sigmoid");
  }
  json layers = json::array();
  for (const LayerChoice& layer : c.layers) {
    json dense = {{"type", "dense"}, {"units", layer.units}};
    if (c.init != "default") dense["init"] = init_json(c.init);
    if (c.perceptron()) {  // as bpnn demo perceptron: weights and threshold uniform in [-0.5, 0.5)
      dense["init"] = dense["bias_init"] = json{{"type", "uniform"}, {"low", -0.5}, {"high", 0.5}};
    }
    layers.push_back(dense);
    layers.push_back({{"type", layer.activation}});
    if (layer.dropout > 0) layers.push_back({{"type", "dropout"}, {"p", layer.dropout}});
  }
  return parse_network(json{{"input", {data.inputs}}, {"layers", layers}}.dump(), "network");
}

json config_json(const NetworkConfig& c) {
  json layers = json::array();
  for (const LayerChoice& l : c.layers) {
    layers.push_back({{"units", l.units}, {"activation", l.activation}});
    if (l.dropout > 0) layers.back()["dropout"] = l.dropout;  // (a layer without dropout says nothing of it)
  }
  return {{"layers", layers}, {"loss", c.loss}, {"optimizer", c.optimizer}, {"learning_rate", c.learning_rate},
          {"batch_size", c.batch_size}, {"weight_decay", c.weight_decay}, {"l1", c.l1}, {"features", c.features},
          {"init", c.init}, {"seed", c.seed},
          {"shuffle", c.shuffle}, {"arithmetic", c.arithmetic}, {"worked_example", c.worked_example},
          {"precision", c.in_double() ? "double" : "float"}, {"schedule", schedule_json(c.schedule)}};
}

std::string train_command(const NetworkConfig& c, const Network& network, const PlayData& data, std::size_t epochs,
                          const std::string& csv_name, const std::string& model_name, const std::string& init_name) {
  // The network in the compact form when it says the same (no initializer given), else as JSON.
  std::string net = std::to_string(data.inputs);
  for (const LayerChoice& l : c.layers) net.append("-").append(std::to_string(l.units)).append(l.activation);
  bool compact = c.init == "default";
  try {
    compact = compact && parse_network(net, "net").json == network.json;
  } catch (const Error&) {
    compact = false;
  }
  if (!compact) net = "'" + network.json + "'";
  std::string command = "bpnn train --net " + net + " --train " + csv_name;
  if (!data.classification()) {  // a target column per output, not a label
    command.append(" --target-cols ").append(std::to_string(data.target_width()));
  }
  command += " --loss " + c.loss + " --optimizer " + c.optimizer + " --lr " + number_text(c.learning_rate);
  if (c.weight_decay > 0) command += " --weight-decay " + number_text(c.weight_decay);
  if (c.l1 > 0) command += " --l1 " + number_text(c.l1);
  if (c.schedule.name != "constant") command += " --lr-schedule " + c.schedule.name;
  if (c.schedule.schedule.kind == LrSchedule::Kind::step) {
    command.append(" --lr-step ").append(std::to_string(c.schedule.schedule.step_size));
    command.append(" --lr-gamma ").append(number_text(c.schedule.schedule.gamma));
  }
  if (c.schedule.schedule.kind == LrSchedule::Kind::inverse_scaling) {
    command += " --lr-power " + number_text(c.schedule.schedule.power);
  }
  command.append(" --batch-size ").append(std::to_string(c.batch(data.train_size())));
  command.append(" --epochs ").append(std::to_string(epochs)).append(" --seed ").append(std::to_string(c.seed));
  command.append(c.shuffle ? "" : " --no-shuffle").append(" --arithmetic ").append(c.arithmetic);
  if (!init_name.empty()) command.append(" --init ").append(init_name);
  return command.append(" --out ").append(model_name);
}

ReplayNote replay_note(const NetworkConfig& c, const RunPoint& at, const std::string& init_name) {
  const std::string where = c.arithmetic == "portable" ? "any machine" : "this one";
  std::string note = "gives the page's weights bit for bit (both train in float on one thread, in " + c.arithmetic +
                     " arithmetic: on " + where + ")";
  if (!init_name.empty()) note += ", starting from " + init_name + ", the model file the page loaded";
  if (c.perceptron()) {
    note = "the perceptron rule is not what bpnn train does: `bpnn demo perceptron` runs it on AND, OR, NAND, "
           "XOR and XNOR";
  } else if (c.worked_example) {
    note = "the worked example trains in double with its biases fixed, which bpnn train does not do: "
           "`bpnn demo mazur` shows it";
  } else if (!at.not_reproducible.empty()) {
    note = "not the page's weights: " + at.not_reproducible;
  } else if (at.epoch == 0) {
    note = "the page has not finished an epoch yet: press 'finish epoch' (this command trains 1 epoch)";
  } else if (at.mid_epoch) {
    note = "the page is at batch " + std::to_string(at.batch) + " of " + std::to_string(at.batches) + " of epoch " +
           std::to_string(at.epoch + 1) + "; this command trains " + std::to_string(at.epoch) +
           " whole epochs: press 'finish epoch' for the page's weights to match it";
  }
  const bool exact = !c.in_double() && at.not_reproducible.empty() && at.epoch > 0 && !at.mid_epoch;
  // Cosine anneals over the run's epochs, which the command's --epochs sets: it repeats the page
  // only at that epoch.
  if (exact && c.schedule.over_epochs() && at.epoch != c.schedule.epochs) {
    return {false, "not the page's weights: the cosine schedule anneals over " + std::to_string(c.schedule.epochs) +
                       " epochs, which bpnn train takes from --epochs; this command trains " +
                       std::to_string(at.epoch) + ": its rates differ. At epoch " +
                       std::to_string(c.schedule.epochs) +
                       " (a stop condition of that many epochs stops there) the command gives the page's weights"};
  }
  return {exact, note};
}

json page_layers(const Network& network, const std::string& name) {
  const json layers = json::parse(network.json).at("layers");
  json out = json::array();
  bool activated = true;  // the last dense layer has its activation
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const std::string type = layers[k].value("type", "");
    if (type == "dense" && activated) {
      out.push_back({{"units", layers[k].at("units")}, {"activation", "identity"}});
      activated = false;
    } else if (type != "dense" && type != "dropout" && !activated) {
      out.back()["activation"] = type;  // read_network_config checks that the page has it
      activated = true;
    } else if (type == "dropout" && activated && !out.empty() && !out.back().contains("dropout")) {
      out.back()["dropout"] = layers[k].value("p", 0.5);
    } else {
      const std::string what = type == "dense" ? "a dense layer after a dense layer" : "a " + type + " layer here";
      refuse(name + ": layer " + std::to_string(k) + " is " + what +
             "; the page draws dense layers, each followed by its activation");
    }
  }
  if (!activated) out.back()["activation"] = "identity";
  if (out.empty()) refuse(name + ": the model has no dense layer");
  return out;
}

}  // namespace bpnn::serve
