// One playground session: a data set, a network built from the learner's choices, and the library's
// TrainingRun on it. The session maps each JSON request to library calls and the library's structs
// (the run's position, evaluate, explain and explain_last_step, chain_rule, check_gradients, class
// probabilities, model bytes) to JSON; it computes no number of its own. Runs train in float, as
// `bpnn train` does, so "copy as command" repeats them bit for bit; the 2-2-2 worked example and the
// perceptron rule train in double, so the tutorial's digits come out exact. Every request body is
// checked here before any work. No transport: the API (api.hpp) holds one session, and the page's
// worker drives it through the engine (engine.cpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "datasets.hpp"
#include "network_config.hpp"
#include "request.hpp"
#include "run.hpp"
#include "state.hpp"
#include "stop_condition.hpp"

namespace bpnn::serve {

inline constexpr std::size_t kMaxHistory = 1000;
inline constexpr std::size_t kPerceptronEpochs = 100;  // the perceptron rule's epoch limit
inline constexpr std::size_t kMaxConfusionClasses = 10;  // the state's confusion matrices: up to 10 classes

// One caller at a time (the engine's worker, a test): not thread-safe.
class Session {
 public:
  explicit Session(std::string id);
  ~Session();
  const std::string& id() const { return id_; }

  // The API, one call per endpoint; each throws RequestError (4xx) for a request it refuses.
  // {"set": ...} (see make_data), and "keep_weights": true to keep the network's weights when its
  // shape stays (a point added by a click).
  void set_data(const json& body);
  void set_network(const json& body);  // {"layers": [{"units", "activation"}], "loss", ...}
  // {"unit": "sample"|"batch"|"epoch", "count": n, "seconds": at most, "stop": {"train_loss_below": x,
  // "test_loss_below": x, "epochs": n}}: the stop condition (any of them) is checked before the
  // first step (at an epoch's end) and at the end of every epoch; when it holds the call stops
  // there and says why.
  json step(const json& body);
  void reset(const json& body);        // weights from the seed again, history cleared
  // {"model": base64 of a bpnn model file, "name": its file name}: the file's network (dense layers
  // and their activations) and weights on the data now, the other choices kept; the run goes on
  // from them as `bpnn train --init NAME` does.
  void load_model(const json& body);
  void edit_weight(const json& body);  // {"layer", "to", "from" | "bias": true, "value"}
  // {"sample": k}: the numbers of a step on training sample k from the weights now (the update the
  // optimizer would make); {"last_step": true}: those of the last step, the gradients it applied
  // and the update it made (after - before).
  json numbers(const json& body);
  json chain_rule(const json& body);   // {"sample" | "last_step", "layer", "to", "from" | "bias"}
  json check_gradients(const json& body);  // the library's checker on the first 64 training samples
  // {"input": [pixels]} or {"sample": k}: the model's output, class and every layer's activations.
  json predict(const json& body);
  // {}: the `bpnn train` command (and the training set as CSV) that gives these weights.
  json export_run(const json& body);
  // The model as a safetensors file (what bpnn train --out writes), and its file name.
  std::string model_file();
  std::string model_name() const;
  // The whole state as JSON text, cached per version.
  const std::string& state_text();

  std::uint64_t version = 1;  // one more with each change of the state

 private:
  // f(run) for the run, float or double: f is a generic lambda taking Run<T>& (session.cpp). The run
  // is held by pointer, outside the session's constness: a const call may infer with its workspace.
  template <class F>
  decltype(auto) with_run(F&& f) const;
  // Where the run is, as the state and the replies show it.
  struct Progress {
    std::size_t iteration = 0, epoch = 0, cursor = 0, batch = 0, batches = 0, converged = 0, mistakes = 0;
    bool mid_epoch = false;
    std::string not_reproducible;  // the run's reason ("" when bpnn train repeats it)
    std::size_t last_step = 0;     // the iteration whose numbers numbers({"last_step": true}) shows; 0: none
  };
  Progress progress() const;

  void bump();  // a new version of the state
  std::shared_ptr<const StateSnapshot> snapshot();  // the current version's, made once
  void build();  // the run from config_ and data_
  void require_network() const;
  void record();
  json step_run(const std::string& unit, std::size_t count, double seconds, const StopCondition& stop = {});
  json perceptron_json(const Progress& at) const;
  json network_json() const;
  WeightAt weight_at(const Fields& f, const std::string& what) const;  // "layer", "to", "from" | "bias"
  std::size_t inputs_of(std::size_t layer) const;  // what dense layer `layer` takes

  std::string stop_reason(const StopCondition& stop) const;  // "" while it does not hold
  // What the state shows besides the network: the learning rate now and next, why the last step
  // call stopped, the confusion matrices, the neurons' pictures (draw_neurons).
  void snapshot_panels(StateSnapshot& out, json& fields) const;

  // The model's index of dense layer `layer` (a dropout layer shifts the ones after it).
  std::size_t dense_index(std::size_t layer) const;
  // The data as the network takes it: a 2-D set's chosen input features (featured_), or data_.
  const PlayData& network_data() const { return featured_ ? *featured_ : data_; }
  void require_last_step() const;  // a step was taken since the weights were last set

  std::string id_;
  PlayData data_;
  json data_request_;  // the request that made data_, for the page's address
  // data_ as the chosen input features' columns, made by build(); none when the network takes no
  // features (the data's own inputs).
  std::optional<PlayData> featured_;
  NetworkConfig config_;
  Network network_;             // config_ as bpnn's network description
  std::unique_ptr<AnyRun> run_;  // null: no network fits the data
  bool weights_edited_ = false;  // a weight was set by hand since the last step
  std::string loaded_;  // the model file the weights came from (load_model), "" when from the seed
  std::string error_;
  std::vector<std::array<double, 5>> history_;  // [iteration, train loss, test loss, accuracy, test accuracy]
  std::size_t history_every_ = 1;
  PlotGrid grid_;  // where the state draws the output, made once per data set
  std::shared_ptr<const std::string> data_text_;  // data_ as the state's JSON, made once per set_data
  std::shared_ptr<const StateSnapshot> snapshot_;
  std::string stopped_;  // why the last step call stopped at its stop condition ("" when it did not)
  // The last record()'s confusion matrices (classification with at most kMaxConfusionClasses
  // classes): counts[true class * classes + predicted], for the training and the test set.
  struct Confusion {
    std::size_t classes = 0;  // 0: none
    std::vector<std::size_t> counts;
  };
  std::array<Confusion, 2> confusion_;
  std::size_t neuron_side_ = 0;  // the neurons' pictures' grid, made by build(); 0: none
  std::string state_cache_;
  std::uint64_t state_version_ = 0;
};

}  // namespace bpnn::serve
