// How a model's training data was read and shaped: the task, the class names, which columns were
// inputs and targets, and the input preprocessing fitted on the training data. A model file keeps
// it, so that eval and predict read new data exactly as training read its data, with no flag
// repeated (docs/data-formats.md).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bpnn/core/tensor.hpp"
#include "bpnn/data/dataset.hpp"
#include "bpnn/io/read.hpp"
#include "bpnn/train/metrics.hpp"

namespace bpnn {

// x' = (x - shift[i]) * scale[i] for input value i of every sample; fitted on training data only.
struct InputScaling {
  enum class Kind { none, standardize, normalize };
  Kind kind = Kind::none;  // standardize: shift mean, scale 1/std; normalize: shift min, scale 1/(max-min)
  std::vector<float> shift, scale;
};

struct DataRecipe {
  Task task = Task::automatic;
  std::string loss;                      // the loss trained with
  float off = 0.0f, on = 1.0f;           // one-hot target values (mse, mae, bce on class labels)
  std::size_t classes = 0;               // classification: the class count
  std::vector<std::string> class_names;  // classification: id -> name, when the labels were names
  std::vector<std::string> feature_names, target_names;  // the CSV header's, when it had one
  DataOptions read;                      // how files are read: CSV columns and header, IDX range
  InputScaling scaling;
};

// The scaling of kind fitted on inputs [N, ...] (per value of a sample, in double). A constant
// value gets scale 1, so it maps to 0. Throws Error for no samples.
InputScaling fit_scaling(InputScaling::Kind kind, TensorView<const float> inputs);
// Applies scaling to inputs in place; throws Error naming source if their width differs from the
// one it was fitted on.
void apply_scaling(const InputScaling& scaling, Tensor<float>& inputs, const std::string& source);
// "none", "standardize", "normalize"; the reverse throws Error naming the known ones.
std::string scaling_name(InputScaling::Kind kind);
InputScaling::Kind scaling_kind(const std::string& name);

// The recipe after reading a training set: its task (classification when it has class labels,
// regression otherwise, unless given), classes and names, and how later files are read from it:
// their classes numbered as the training file's, and a file with a header matched to the training
// file's column names (CsvOptions::feature_names), the columns left out by their names.
void learn_from(DataRecipe& recipe, const Dataset& training);

// The loss for a task when none was given (cross_entropy for classes, mse for real targets), and
// the check that a loss fits the task and the network's last layer: cross-entropy on real-valued
// targets, or after a softmax layer (it applies softmax itself), is an Error saying what to use.
std::string default_loss(Task task);
// The loss for a recipe's data on a network with `outputs` outputs whose last layer is of kind
// last_layer_kind: default_loss(recipe.task), but bce for two classes on one sigmoid output.
std::string default_loss(const DataRecipe& recipe, std::size_t outputs, std::string_view last_layer_kind);
void check_loss(const std::string& loss, Task task, const std::string& last_layer_kind);

// The recipe as JSON text (what model files store under "bpnn.data"), and back; the reverse
// throws Error naming source for anything malformed.
std::string recipe_to_json(const DataRecipe& recipe);
DataRecipe recipe_from_json(const std::string& text, const std::string& source);

}  // namespace bpnn
