// Model files: a model's parameters and buffers in the safetensors container (io/safetensors.hpp),
// with the network and the format version in the metadata.
#include "bpnn/io/model_file.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>
#include <utility>
#include <vector>

#include "bpnn/core/error.hpp"
#include "bpnn/core/file.hpp"
#include "io/safetensors.hpp"

namespace bpnn {
namespace {

using nlohmann::json;

constexpr const char* kFormatVersion = "1";

// Checks the file's tensors against the ones expected: each present with its shape, no others.
void check_tensors(const std::string& path, const ParsedFile& f, const std::vector<ParameterShape>& expected) {
  for (const ParameterShape& e : expected) {
    const auto t =
        std::find_if(f.tensors.begin(), f.tensors.end(), [&](const TensorEntry& t) { return t.name == e.name; });
    if (t == f.tensors.end()) throw Error(path + ": tensor '" + e.name + "' is missing");
    if ((t->dtype == "I64") != e.integer) {
      throw Error(path + ": tensor '" + e.name + "' is stored as " + t->dtype + ", the network needs " +
                  (e.integer ? "a count (I64)" : "real values (F32 or F64)"));
    }
    bool same = e.shape.rank() == t->shape.size();
    for (std::size_t d = 0; same && d < t->shape.size(); ++d) same = e.shape[d] == t->shape[d];
    if (!same) {
      throw Error(path + ": tensor '" + e.name + "' has shape " + json(t->shape).dump() + ", the network needs " +
                  e.shape.str());
    }
  }
  for (const TensorEntry& t : f.tensors) {
    const auto e =
        std::find_if(expected.begin(), expected.end(), [&](const ParameterShape& e) { return e.name == t.name; });
    if (e == expected.end()) throw Error(path + ": tensor '" + t.name + "' has no place in the network");
  }
}

// Copies every tensor of a checked file into the model's parameter of the same name.
template <class T>
void copy_tensors(const ParsedFile& f, Sequential<T>& model) {
  ParameterStore<T>& params = model.parameters();
  for (const TensorEntry& t : f.tensors) {
    TensorView<T> values = params.value(t.name);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = read_element<T>(f, t, i);
  }
}

// The model of a parsed file, `path` naming it (a file's path, or what bytes stand for).
template <class T>
LoadedModel<T> model_of(const ParsedFile& f, const std::string& path) {
  auto text = [&](const char* key) -> std::string {
    return f.metadata.contains(key) ? f.metadata[key].get<std::string>() : "";
  };
  if (text("format") != "bpnn" || text("bpnn.network").empty()) {
    throw Error(path + ": not a bpnn model (its __metadata__ lacks format \"bpnn\" and the network); "
                "to load weights saved elsewhere, build the network and load them with --init");
  }
  if (text("format_version") != kFormatVersion) {
    throw Error(path + ": model format version '" + text("format_version") + "' is not supported (this bpnn reads " +
                kFormatVersion + ")");
  }
  Network network = parse_network(text("bpnn.network"), path + " (network)");
  // Checked before building, so nothing is allocated that the file's own tensors do not hold.
  check_tensors(path, f, parameter_shapes(network));
  Sequential<T> model = build_model<T>(network);
  copy_tensors(f, model);
  ModelMetadata metadata;
  for (const auto& [key, value] : f.metadata.items()) {
    if (key != "format" && key != "format_version" && key != "bpnn.network")
      metadata[key] = value.template get<std::string>();
  }
  DataRecipe recipe = model_meaning(metadata, model, path);
  metadata.erase("bpnn.data");
  return {std::move(network), std::move(model), std::move(metadata), std::move(recipe)};
}

// "0.01,0.99" (bpnn.targets) -> the two values; throws Error naming source otherwise.
std::pair<float, float> two_numbers(const std::string& text, const std::string& source) {
  try {
    std::size_t used = 0;
    const std::size_t comma = text.find(',');
    if (comma != std::string::npos) {
      const float low = std::stof(text.substr(0, comma), &used);
      if (used == comma) {
        const float high = std::stof(text.substr(comma + 1), &used);
        if (used == text.size() - comma - 1) return {low, high};
      }
    }
  } catch (const std::exception&) {
  }
  throw Error(source + ": expected two numbers OFF,ON such as 0.01,0.99, got '" + printable(text, 40) + "'");
}

}  // namespace

template <class T>
DataRecipe model_meaning(const ModelMetadata& metadata, const Sequential<T>& model, const std::string& source) {
  DataRecipe recipe;
  if (const auto data = metadata.find("bpnn.data"); data != metadata.end()) {
    recipe = recipe_from_json(data->second, source);
  } else {
    // Files from before the recipe keep at most their loss and one-hot values.
    if (const auto loss = metadata.find("bpnn.loss"); loss != metadata.end()) recipe.loss = loss->second;
    if (const auto targets = metadata.find("bpnn.targets"); targets != metadata.end()) {
      std::tie(recipe.off, recipe.on) = two_numbers(targets->second, source + ": bpnn.targets");
    }
  }
  complete_meaning(recipe, model);
  return recipe;
}

template <class T>
std::string model_bytes(const Sequential<T>& model, const ModelMetadata& metadata) {
  const ParameterStore<T>& params = model.parameters();
  json meta = json::object();
  for (const auto& [key, value] : metadata) meta[key] = value;
  meta["format"] = "bpnn";
  meta["format_version"] = kFormatVersion;
  meta["bpnn.network"] = describe(model).json;
  meta["bpnn.data"] = recipe_to_json(model_meaning(metadata, model, "model metadata"));
  // Tensors in entry order; counts (integer entries, batch norm's num_batches_tracked) as I64.
  std::vector<TensorBlob> tensors;
  for (std::size_t k = 0; k < params.count(); ++k) {
    tensors.push_back(to_blob(params.entry(k).name, params.value(k), params.entry(k).integer));
  }
  return safetensors_bytes(tensors, meta);
}

template <class T>
void save_model(const std::string& path, const Sequential<T>& model, const ModelMetadata& metadata) {
  std::string bytes;
  try {
    bytes = model_bytes(model, metadata);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  write_file_atomically(path, bytes);
}

template <class T>
LoadedModel<T> load_model(const std::string& path) {
  return model_of<T>(parse_safetensors(path), path);
}

template <class T>
LoadedModel<T> load_model_bytes(std::string bytes, const std::string& name) {
  return model_of<T>(parse_safetensors_bytes(std::move(bytes), name), name);
}

namespace {

// load_weights of a parsed file, `path` naming it in errors.
template <class T>
void weights_from(const ParsedFile& f, const std::string& path, Sequential<T>& model) {
  std::vector<ParameterShape> expected;
  for (std::size_t k = 0; k < model.parameters().count(); ++k) {
    const ParameterEntry& e = model.parameters().entry(k);
    expected.push_back({e.name, e.shape, e.integer});
  }
  check_tensors(path, f, expected);
  copy_tensors(f, model);
}

}  // namespace

template <class T>
void load_weights(const std::string& path, Sequential<T>& model) {
  weights_from(parse_safetensors(path), path, model);
}

template <class T>
void load_weights_bytes(std::string bytes, Sequential<T>& model, const std::string& name) {
  weights_from(parse_safetensors_bytes(std::move(bytes), name), name, model);
}

template DataRecipe model_meaning(const ModelMetadata&, const Sequential<float>&, const std::string&);
template DataRecipe model_meaning(const ModelMetadata&, const Sequential<double>&, const std::string&);
template std::string model_bytes(const Sequential<float>&, const ModelMetadata&);
template std::string model_bytes(const Sequential<double>&, const ModelMetadata&);
template void save_model(const std::string&, const Sequential<float>&, const ModelMetadata&);
template void save_model(const std::string&, const Sequential<double>&, const ModelMetadata&);
template LoadedModel<float> load_model(const std::string&);
template LoadedModel<double> load_model(const std::string&);
template LoadedModel<float> load_model_bytes(std::string, const std::string&);
template LoadedModel<double> load_model_bytes(std::string, const std::string&);
template void load_weights(const std::string&, Sequential<float>&);
template void load_weights(const std::string&, Sequential<double>&);
template void load_weights_bytes(std::string, Sequential<float>&, const std::string&);
template void load_weights_bytes(std::string, Sequential<double>&, const std::string&);

}  // namespace bpnn
