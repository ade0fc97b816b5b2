// One playground session: a data set, a network built from the learner's choices, and its
// training, all by bpnn's own Sequential, losses, optimizers and TrainingRun. Training is what
// `bpnn train` does, in float, batch by batch (so "copy as command" reproduces it bit for bit);
// a double copy of the weights shows every number. The worked example trains in double, so the
// tutorial's digits come out exact. Every request body is checked here before any work.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "datasets.hpp"
#include "request.hpp"

namespace bpnn::serve {

inline constexpr std::size_t kMaxLayers = 8;    // dense layers, the output layer included
inline constexpr std::size_t kMaxUnits = 64;    // per layer
inline constexpr std::size_t kMaxHistory = 1000;
inline constexpr std::size_t kPerceptronEpochs = 100;  // the perceptron rule's epoch limit

struct LayerChoice {
  std::size_t units = 1;
  std::string activation = "sigmoid";
};

struct NetworkConfig {
  std::vector<LayerChoice> layers;  // the hidden layers, then the output layer
  std::string loss = "mse", optimizer = "sgd", init = "default";
  double learning_rate = 0.5, weight_decay = 0.0;
  std::size_t batch_size = 0;  // 0: the whole training set
  std::uint64_t seed = 1;
  bool shuffle = true;          // a new sample order each epoch, as bpnn train (else --no-shuffle)
  bool worked_example = false;  // the 2-2-2 example's starting weights, biases frozen
};

// What the state shows at one version: numbers copied under the session's lock (no text), written
// as JSON by text() outside it, so training never waits for a state's text. Immutable once made.
struct StateSnapshot {
  std::uint64_t version = 0;
  json fields;  // the counters, configuration, network and readouts
  bool has_history = false;  // a network is built: its loss curve
  std::vector<std::array<double, 5>> history;  // [iteration, train loss, test loss, accuracy, test accuracy]
  std::string grid_name;  // "heatmap" (over the plane) or "curve" (along x), or "" for none
  json grid;              // its box, without the values
  std::vector<double> grid_values;
  int grid_decimals = -1;  // the values' decimals (-1: shortest exact text)
  std::shared_ptr<const std::string> data;  // the data set's text, made once per set_data
  // The state as JSON; without "data" if not with_data (an event stream that sent it already).
  std::string text(bool with_data = true) const;
};

// Not thread-safe: the server holds `mutex` around every call; only `last_used` and `events` are
// shared with the event stream without it.
class Session {
 public:
  explicit Session(std::string id);
  ~Session();
  const std::string& id() const { return id_; }

  // The API, one call per endpoint; each throws RequestError (4xx) for a request it refuses.
  void set_data(const json& body);     // {"set": ...}; see make_data
  void set_network(const json& body);  // {"layers": [{"units", "activation"}], "loss", ...}
  json step(const json& body);         // {"unit": "sample"|"batch"|"epoch", "count": n, "seconds": at most}
  void reset(const json& body);        // weights from the seed again, history cleared
  void edit_weight(const json& body);  // {"layer", "to", "from" | "bias": true, "value"}
  json numbers(const json& body);      // {"sample": k}: every number of one step on sample k
  json chain_rule(const json& body);   // {"sample", "layer", "to", "from" | "bias"}
  json check_gradients(const json& body);  // central differences against back-propagation
  // {"input": [pixels]} or {"sample": k}: the model's output, class and every layer's activations.
  json predict(const json& body);
  // {}: the `bpnn train` command (and the training set as CSV) that gives these weights.
  json export_run(const json& body);
  // The model as a safetensors file (what bpnn train --out writes), and its file name.
  std::string model_file();
  std::string model_name() const;
  // The whole state as JSON text, cached per version.
  const std::string& state_text();

  // Held by the server around every call above.
  std::mutex mutex;
  std::uint64_t version = 1;
  std::atomic<std::chrono::steady_clock::time_point> last_used{std::chrono::steady_clock::now()};

  // The event stream's side, under its own lock, which publishing holds only to swap a pointer:
  // a stream never waits on training and training never waits on a stream writing.
  struct Events {
    std::mutex mutex;
    std::condition_variable changed;  // notified when state, stream or closed change
    std::shared_ptr<const StateSnapshot> state;  // the newest published
    std::uint64_t stream = 0;  // the newest event stream's number; older ones end
    bool closed = false;
    // Set by a stream waiting for a newer state: training publishes one after its next batch.
    std::atomic<bool> wanted{false};
  };
  Events events;

 private:
  struct FloatRun;  // the float training that bpnn train reproduces
  void bump();  // a new version, published to the event stream
  std::shared_ptr<const StateSnapshot> snapshot();  // the current version's, made once
  // The outputs at inputs x [N, inputs] as [N, outputs], valid until the next call: by the float
  // run's batched inference when there is one (the model bpnn train reproduces; x_float, if given,
  // is x as floats), else by the double model.
  const std::vector<double>& outputs_at(const std::vector<double>& x, const Tensor<float>* x_float = nullptr);
  void sync_view();  // the double model's weights := the float run's
  void sync_counters();  // iteration_, epoch_, cursor_ and not_reproducible_ from the run that trains
  void make_run(const OptimizerSpec& spec);  // run_'s TrainingRun, or double_run_
  json step_run(const std::string& unit, std::size_t count, double seconds);
  // The perceptron rule (the library's) on one step unit: a sample, or a pass (its batch and epoch).
  json step_perceptron(const std::string& unit, std::size_t count);
  bool perceptron() const { return config_.optimizer == "perceptron"; }
  json perceptron_json() const;
  void build();  // the model, loss, optimizer and trainer from config_ and data_
  void require_network() const;
  void prepare_targets_for_model();
  void record();
  struct Scores {
    double loss = 0, accuracy = -1;
  };
  Scores evaluate(const std::vector<double>& x, const Tensor<double>& targets, const Tensor<float>* x_float);
  std::size_t dense_layers() const { return config_.layers.size(); }
  std::size_t target_columns(const Tensor<double>& t) const { return t.shape().rank() == 1 ? 1 : t.shape()[1]; }
  // Samples rows of x [N, inputs] and targets into batch_x_, batch_t_.
  void gather(const std::vector<double>& x, const Tensor<double>& t, std::size_t first, std::size_t count);
  // Back-propagation on one training sample, leaving the model's activations and gradients for it.
  double one_sample_gradients(std::size_t sample);
  json weight_name_json(std::size_t layer, std::size_t to, long from) const;
  std::string neuron_name(std::size_t layer, std::size_t j) const;  // layer = dense index + 1; 0: inputs
  std::string weight_name(std::size_t layer, std::size_t to, std::size_t from) const;
  json network_json() const;
  json config_json() const;

  std::string id_;
  PlayData data_;
  json data_request_;  // the request that made data_, for the page's address
  NetworkConfig config_;
  std::unique_ptr<Sequential<double>> model_;
  std::unique_ptr<Loss<double>> loss_;
  std::unique_ptr<Optimizer<double>> optimizer_;
  std::unique_ptr<Trainer<double>> trainer_;  // last: it refers to the three above
  std::unique_ptr<FloatRun> run_;  // null for the worked example and the perceptron, which train model_
  Rng double_rng_{1};              // model_'s initialization, and its run's generator
  std::unique_ptr<TrainingRun<double>> double_run_;  // model_'s run when there is no run_: refers to the above
  std::string not_reproducible_;   // why bpnn train would not give these weights ("" when it would)
  Tensor<double> train_t_, test_t_;  // targets as the loss wants them
  Tensor<double> batch_x_, batch_t_;
  std::size_t iteration_ = 0, epoch_ = 0, cursor_ = 0;
  double last_loss_ = 0;
  std::string error_;
  std::vector<std::array<double, 5>> history_;  // [iteration, train loss, test loss, accuracy, test accuracy]
  std::size_t history_every_ = 1;
  std::vector<double> heatmap_grid_;  // the heatmap's cell centres [side * side, 2], made once per data set
  json heatmap_box_;
  std::vector<float> infer_input_;    // outputs_at's buffers
  std::vector<double> infer_output_;
  std::shared_ptr<const std::string> data_text_;  // data_ as the state's JSON, made once per set_data
  std::shared_ptr<const StateSnapshot> snapshot_;
  std::string state_cache_;
  std::uint64_t state_version_ = 0;
};

}  // namespace bpnn::serve
