// What a model means and how its data is read: the task, the loss, how its outputs are read, the
// class and target names, which columns were inputs and targets, and the input preprocessing
// fitted on the training data. Every model file keeps it (whoever wrote it; where a writer gives
// none it is inferred from the network's output layer), so that eval and predict read new data
// exactly as training read its data and read the outputs as what they are, with no flag repeated
// (docs/data-formats.md, docs/model-format.md).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bpnn/core/tensor.hpp"
#include "bpnn/data/dataset.hpp"
#include "bpnn/io/read.hpp"
#include "bpnn/model/sequential.hpp"
#include "bpnn/train/metrics.hpp"

namespace bpnn {

// x' = (x - shift[i]) * scale[i] for input value i of every sample; fitted on training data only.
struct InputScaling {
  enum class Kind { none, standardize, normalize };
  Kind kind = Kind::none;  // standardize: shift mean, scale 1/std; normalize: shift min, scale 1/(max-min)
  std::vector<float> shift, scale;
};

struct DataRecipe {
  Task task = Task::automatic;           // automatic: not recorded (complete_meaning infers it)
  std::string loss;                      // the loss trained with; empty: not recorded
  OutputReading outputs = OutputReading::automatic;  // how the outputs are read (follows task and loss)
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

// "classification", "regression", "multilabel" ("automatic"); task_from_name also takes "binary"
// (classification with one output: complete_meaning checks the count) and throws Error naming the
// known ones for anything else.
std::string task_name(Task task);
Task task_from_name(const std::string& name);

// The layer kind that decides what a model's outputs are: its last layer's, looking through
// dropout and flatten, which pass values on unchanged in inference ("" for no layers).
template <class T>
std::string output_layer_kind(const Sequential<T>& model);

// Fills in what a recipe leaves unset (a model file from before it was recorded, ONNX, a writer
// that gave none) from what it does record and the network's output layer (kind and units):
//   task: a softmax output is classification (its outputs are already the class probabilities);
//     sigmoid outputs are classification too (one: binary, the probability of class 1; several:
//     one per class, as the tutorials train them; multi-label has to be recorded); any other
//     output layer is read as linear: cross_entropy or bce make classification, and so do
//     several outputs with no loss recorded (logits: what PyTorch classifiers and bpnn's own C++
//     example end in, and how model files without a recipe were always read); one linear output
//     is regression, and so are several with mse or mae recorded.
//   loss: regression mse; classification cross_entropy after softmax (of its probabilities) and
//     on several linear outputs (logits), bce on one sigmoid, mse on several sigmoids (the
//     tutorials') or on one linear output (0/1 targets); multi-label bce on sigmoids, else mse.
//   classes: classification's class_count(outputs).
//   outputs: values for regression, logits for cross_entropy on anything but a softmax,
//     probabilities otherwise.
//   CSV target columns: a regression's last columns, one per output (unless named); a classifier
//     without class names takes whole-number labels as class ids (CsvOptions::class_ids).
// A recorded field is kept as it is (no check: check_meaning does that).
void complete_meaning(DataRecipe& recipe, std::string_view output_layer, std::size_t outputs);
template <class T>
void complete_meaning(DataRecipe& recipe, const Sequential<T>& model);

// Throws Error, saying what to use instead, when a complete recipe contradicts the network:
// regression on a softmax output; cross_entropy for regression or on one output; bce on outputs
// that are not probabilities (no sigmoid or softmax); more classes than the outputs tell apart;
// an output reading other than the one the task and loss make.
void check_meaning(const DataRecipe& recipe, std::string_view output_layer, std::size_t outputs);
template <class T>
void check_meaning(const DataRecipe& recipe, const Sequential<T>& model);

// A recipe with a task and/or loss given anew (by a user, over what a model file records or its
// network implies): a new task drops the recorded loss unless one is given too, and each drops
// the output reading and class count, which follow them; then complete_meaning and check_meaning,
// so a contradiction with the network is an Error, never a guess. Empty strings change nothing.
template <class T>
void override_meaning(DataRecipe& recipe, const std::string& task, const std::string& loss, const Sequential<T>& model);

// One line saying what the recipe makes of the outputs: "classification, 10 classes (outputs:
// logits, loss: cross_entropy)", "binary classification (output: the probability of class 1, ...)",
// "regression of 2 values (...)".
std::string meaning_summary(const DataRecipe& recipe, std::size_t outputs);

// The recipe as JSON text (what model files store under "bpnn.data"), and back; the reverse
// throws Error naming source for anything malformed. "outputs" is optional on reading (recipes
// written before it was recorded): complete_meaning fills it in.
std::string recipe_to_json(const DataRecipe& recipe);
DataRecipe recipe_from_json(const std::string& text, const std::string& source);

}  // namespace bpnn
