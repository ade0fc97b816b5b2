// Checkpoint layout: tensors "model" (the flat parameter buffer), "optimizer.NAME" (its buffers),
// "last_good", "best" and "order" (I64); metadata: format "bpnn-checkpoint", the parameter
// names, the position, the optimizer's kind and step count and the generator state. Doubles travel as
// hexadecimal floats, so they come back bit for bit.
#include "io/checkpoint.hpp"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <utility>

#include "bpnn/core/error.hpp"
#include "io/safetensors.hpp"

namespace bpnn {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "bpnn-checkpoint";
constexpr const char* kVersion = "1";

std::string hex(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%a", v);
  return text;
}

// The model's tensor names, in order: what a checkpoint must be restored into.
std::string tensor_names(const Sequential<float>& model) {
  std::string names;
  for (std::size_t k = 0; k < model.parameters().count(); ++k)
    names += (k ? "," : "") + model.parameters().entry(k).name;
  return names;
}

}  // namespace

void save_checkpoint(const std::string& path, const TrainingRun<float>& run, const BestEpoch& best) {
  const Sequential<float>& model = run.model();
  const RunPosition<float>& position = run.position();
  std::vector<TensorBlob> tensors{to_blob("model", model.parameters().values())};
  const OptimizerState<float> state = run.optimizer().state();
  for (const auto& [name, buffer] : state.buffers) tensors.push_back(to_blob("optimizer." + name, buffer.view()));
  if (position.last_good.size() > 0) tensors.push_back(to_blob("last_good", position.last_good.view()));
  if (best.weights.size() > 0) tensors.push_back(to_blob("best", best.weights.view()));
  // A shuffled order; file order is drawn again on resuming.
  if (run.options().shuffle && !position.order.empty()) {
    Tensor<double> order(Shape{position.order.size()});
    for (std::size_t i = 0; i < position.order.size(); ++i) order[i] = static_cast<double>(position.order[i]);
    tensors.push_back(to_blob("order", std::as_const(order).view(), true));
  }
  const json metadata = {{"format", kFormat},
                         {"format_version", kVersion},
                         {"tensors", tensor_names(model)},
                         {"epoch", std::to_string(position.epoch)},
                         {"batch", std::to_string(position.batch)},
                         {"loss_sum", hex(position.loss_sum)},
                         {"correct", std::to_string(position.correct)},
                         {"seen", std::to_string(position.seen)},
                         {"best_epoch", std::to_string(best.epoch)},
                         {"best_loss", hex(best.loss)},
                         {"optimizer", state.kind},
                         {"optimizer_steps", std::to_string(state.steps)},
                         {"rng", run.rng().state()}};
  write_safetensors(path, tensors, metadata);
}

void load_checkpoint(const std::string& path, TrainingRun<float>& run, BestEpoch& best) {
  Sequential<float>& model = run.model();
  const ParsedFile f = parse_safetensors(path);
  auto text = [&](const char* key) {
    if (!f.metadata.contains(key)) throw Error(path + ": not a bpnn checkpoint (no '" + key + "' in its metadata)");
    return f.metadata[key].get<std::string>();
  };
  auto number = [&](const char* key) -> double {
    const std::string value = text(key);
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0') throw Error(path + ": checkpoint field '" + key + "' is not a number: " + value);
    return v;
  };
  auto count = [&](const char* key) {
    const double v = number(key);
    if (!(v >= 0 && v < 9e15) || v != static_cast<double>(static_cast<std::size_t>(v))) {
      throw Error(path + ": checkpoint field '" + std::string(key) + "' is not a count");
    }
    return static_cast<std::size_t>(v);
  };
  if (text("format") != kFormat || text("format_version") != kVersion) {
    throw Error(path + ": not a bpnn checkpoint of format version " + kVersion);
  }
  if (text("tensors") != tensor_names(model)) {
    throw Error(path + ": the checkpoint was written for a network with the tensors " + text("tensors") +
                ", not this one (" + tensor_names(model) + "); resume with the command that wrote it");
  }
  // Each named tensor into a float tensor, which must hold `size` values.
  auto tensor = [&](const std::string& name, std::size_t size, bool required) {
    Tensor<float> out;
    for (const TensorEntry& t : f.tensors) {
      if (t.name != name) continue;
      if (t.size() != size) {
        throw Error(path + ": checkpoint tensor '" + name + "' holds " + std::to_string(t.size()) +
                    " values, expected " + std::to_string(size));
      }
      out = Tensor<float>(Shape{size});
      for (std::size_t i = 0; i < size; ++i) out[i] = read_element<float>(f, t, i);
      return out;
    }
    if (required) throw Error(path + ": checkpoint tensor '" + name + "' is missing");
    return out;
  };
  const std::size_t P = model.parameters().values().size();
  const Tensor<float> values = tensor("model", P, true);
  OptimizerState<float> state;
  for (const TensorEntry& t : f.tensors) {
    if (t.name.rfind("optimizer.", 0) == 0) state.buffers.emplace_back(t.name.substr(10), tensor(t.name, P, true));
  }
  state.kind = text("optimizer");
  state.steps = count("optimizer_steps");
  try {
    run.optimizer().set_state(state, P);
    run.rng().set_state(text("rng"));
  } catch (const Error& e) {
    throw Error(path + ": " + e.what() + "; resume with the command that wrote the checkpoint");
  }
  copy<float>(values.view(), model.parameters().values());

  RunPosition<float> position;
  position.epoch = count("epoch");
  if (position.epoch == 0) throw Error(path + ": checkpoint field 'epoch' is 0; epochs count from 1");
  position.batch = count("batch");
  position.loss_sum = number("loss_sum");
  position.correct = count("correct");
  position.seen = count("seen");
  best.epoch = count("best_epoch");
  best.loss = number("best_loss");
  position.last_good = tensor("last_good", P, false);
  best.weights = tensor("best", P, false);
  for (const TensorEntry& t : f.tensors) {
    if (t.name != "order") continue;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const double v = read_element<double>(f, t, i);  // indices: exact in double, not always in float
      if (!(v >= 0)) throw Error(path + ": checkpoint tensor 'order' holds a negative index");
      position.order.push_back(static_cast<std::size_t>(v));
    }
  }
  try {
    run.restore(std::move(position));
  } catch (const Error& e) {
    throw Error(path + ": the checkpoint's " + e.what() + "; resume with the command that wrote it");
  }
}

}  // namespace bpnn
