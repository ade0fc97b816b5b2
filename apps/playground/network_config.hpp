// The learner's network: what the network request takes (the registry's names), the network a data
// set starts with, the checks that it fits the data, and the network as bpnn describes it and as
// the `bpnn train` command that trains it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bpnn/io/network.hpp"
#include "bpnn/optim/schedule.hpp"
#include "datasets.hpp"
#include "request.hpp"

namespace bpnn::serve {

inline constexpr std::size_t kMaxLayers = 8;  // dense layers, the output layer included
inline constexpr std::size_t kMaxUnits = 64;  // per layer

// What the network request takes, by field: the library registry's activations (softmax
// included), losses, optimizers, initializers and arithmetics, and the playground's own
// "perceptron" (the perceptron rule) and "default" (each layer's own initializer). The page's menus
// list these (GET /api/choices); nothing else names them.
struct NetworkChoices {
  std::vector<std::string> activation, loss, optimizer, init, arithmetic;
};
const NetworkChoices& network_choices();
// The choices as JSON, with "schedule": the registry's learning-rate schedules, each {"name",
// "summary", "options"} (its options as bpnn registry --json lists them; cosine's also "epochs",
// the playground's own, see ScheduleChoice).
json network_choices_json();

struct LayerChoice {
  std::size_t units = 1;
  std::string activation = "sigmoid";
  double dropout = 0.0;  // a hidden layer's dropout rate, after its activation (0: none)
};

// The learning-rate schedule: the registry's name, what make_schedule makes of its options
// (step_size, gamma, power), and the epochs a cosine anneals over (the run's epochs: bpnn train's
// --epochs, so its command gives the page's weights once the page is at that epoch).
struct ScheduleChoice {
  std::string name = "constant";
  LrSchedule schedule = {};
  std::size_t epochs = 0;  // cosine: at least 1; the others use none
  bool over_epochs() const { return schedule.kind == LrSchedule::Kind::cosine; }
};

inline constexpr double kMaxDropout = 0.9;

struct NetworkConfig {
  std::vector<LayerChoice> layers;  // the hidden layers, then the output layer
  std::string loss = "mse", optimizer = "sgd", init = "default";
  double learning_rate = 0.5, weight_decay = 0.0;
  double l1 = 0.0;  // the optimizer's L1 term: l1 sign(w) added to each gradient
  // A 2-D set's input features (input_features()'s names, in the network's input order): x1, x2
  // unless chosen; empty for the other sets, whose inputs are their own.
  std::vector<std::string> features{};
  std::size_t batch_size = 0;  // 0: the whole training set
  std::uint64_t seed = 1;
  bool shuffle = true;          // a new sample order each epoch, as bpnn train (else --no-shuffle)
  bool worked_example = false;  // the 2-2-2 example's starting weights, biases frozen
  // portable: the page's numbers, and "copy as command"'s, are the same bits on every machine.
  std::string arithmetic = "portable";
  ScheduleChoice schedule = {};  // each epoch's learning rate from learning_rate

  bool perceptron() const { return optimizer == "perceptron"; }
  // The worked example and the perceptron rule train in double (the tutorials' digits), the rest
  // in float, as bpnn train.
  bool in_double() const { return worked_example || perceptron(); }
  std::size_t batch(std::size_t samples) const { return batch_size == 0 ? samples : std::min(batch_size, samples); }
};

// The network request {"layers": [{"units", "activation", "dropout"}], "loss", "optimizer",
// "learning_rate", "batch_size", "weight_decay", "l1", "features", "init", "seed", "shuffle",
// "arithmetic", "preset": "mazur", "schedule": {"name", and its options: "step_size", "gamma",
// "power"; cosine's "epochs"}}, checked field by field (RequestError naming the field).
// "features" (2-D sets): the input features' names, in the order the network takes them.
NetworkConfig read_network_config(const json& body, const PlayData& data);

// The network new data starts with: its set's own (the worked example, the digits' MLP, a curve's
// tanh network), or the learner's `previous` one with its output layer fitted to the data; in the
// learner's arithmetic either way.
NetworkConfig config_for_data(const PlayData& data, const std::string& previous_set, NetworkConfig previous);

// The network as bpnn's network description (dense layers each followed by its activation, and by
// a dropout layer where the layer has a rate), once checked to fit the data and the loss. `data`
// is the data as the network takes it (with_features). Throws RequestError naming the field that
// does not fit.
Network describe_network(const NetworkConfig& c, const PlayData& data);

json config_json(const NetworkConfig& c);

// Whether a network on this data takes input features: the 2-D sets (the truth tables, the
// generated sets, a learner's points), not the worked example.
bool takes_features(const PlayData& data);

// The `bpnn train` command that trains `network` as the page does, for `epochs` epochs, on the
// training set saved as csv_name (training_csv of the data as the network takes it), saving
// model_name. The network is written in the compact form where that says the same (no
// initializer, no dropout), else as its JSON description inside the command.
// init_name: the model file the run started from (--init), or "".
std::string train_command(const NetworkConfig& c, const Network& network, const PlayData& data, std::size_t epochs,
                          const std::string& csv_name, const std::string& model_name,
                          const std::string& init_name = "");

// Whether train_command's command gives the page's weights (exact), and what to tell the learner,
// for a run at this point, started from the model file init_name ("" for none).
struct RunPoint {
  std::size_t epoch = 0, batch = 0, batches = 0;
  bool mid_epoch = false;
  std::string not_reproducible;  // the run's reason ("" when bpnn train repeats it)
};
struct ReplayNote {
  bool exact = false;
  std::string note;
};
ReplayNote replay_note(const NetworkConfig& c, const RunPoint& at, const std::string& init_name);

// A model file's network as the page's layers ([{"units", "activation", "dropout"}]): dense layers,
// each followed by its activation and perhaps a dropout. Anything else is refused (400), naming
// `name` and the layer.
json page_layers(const Network& network, const std::string& name);

}  // namespace bpnn::serve
