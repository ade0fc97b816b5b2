// What a model's outputs mean and how good they are, for float and double models: the class an
// output row predicts, the class probabilities, and the evaluation of a data set (the loss; for
// classification the accuracy, the confusion matrix and per-class precision and recall; for
// multi-label outputs the share of samples with every label right; for regression MSE, MAE, R²).
// Every front end reads its numbers from here, none computes its own.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "bpnn/core/tensor.hpp"
#include "bpnn/losses/loss.hpp"
#include "bpnn/model/sequential.hpp"

namespace bpnn {

// The index of the largest value (the first, on ties).
std::size_t argmax(const float* values, std::size_t count);
std::size_t argmax(const double* values, std::size_t count);

// The class a model's output row predicts. Several outputs: the argmax. One output (a sigmoid's
// probability of class 1, or any output trained on 0/1 targets): 1 when it is at least 0.5, else 0.
std::size_t predicted_class(const float* output, std::size_t outputs);
std::size_t predicted_class(const double* output, std::size_t outputs);

// The number of classes a model with `outputs` outputs tells apart: 2 for one output, else outputs.
inline std::size_t class_count(std::size_t outputs) { return outputs == 1 ? 2 : outputs; }

// What a data set's targets stand for.
//   automatic: read from their shape by resolve_task: [N] class indices, or [N, C] one-hot rows
//     with C = outputs > 1, are classification; anything else regression. So regression with
//     several outputs (CSV --target-cols K) has to say regression, and a one-output model's 0/1
//     targets [N, 1] have to say classification.
//   classification: one class per sample: [N] indices, [N, C] one-hot rows, or with one output
//     [N] or [N, 1] 0/1 labels (predicted_class's threshold, target >= 0.5 for class 1).
//   multilabel: [N, K] 0/1 labels, one per output (a sigmoid each); a sample is right when every
//     output is on the right side of 0.5 (scikit-learn's subset accuracy).
//   regression: real-valued targets of the outputs' shape.
enum class Task { automatic, classification, regression, multilabel };

// The task that targets make for a model with `outputs` outputs: never automatic (see Task).
Task resolve_task(TensorView<const float> targets, std::size_t outputs, Task task = Task::automatic);
Task resolve_task(TensorView<const double> targets, std::size_t outputs, Task task = Task::automatic);

// Whether resolve_task gives classification.
bool is_classification(TensorView<const float> targets, std::size_t outputs, Task task = Task::automatic);
bool is_classification(TensorView<const double> targets, std::size_t outputs, Task task = Task::automatic);

// The class sample n's target stands for: its index ([N] targets), its one-hot row's argmax
// ([N, C]), or for a single column ([N, 1]) 1 when it is at least 0.5, else 0.
std::size_t target_class(TensorView<const float> targets, std::size_t n);
std::size_t target_class(TensorView<const double> targets, std::size_t n);

// How many samples of outputs [n, K] (a batch's model outputs) get their targets (the same n
// samples) right, for a resolved task: classification (predicted_class against target_class) or
// multilabel (every label right); 0 for regression.
std::size_t count_correct(TensorView<const float> outputs, TensorView<const float> targets, Task task);
std::size_t count_correct(TensorView<const double> outputs, TensorView<const double> targets, Task task);

// Whether a model trained with this loss outputs logits, whose softmax is the class probability
// (cross_entropy applies softmax itself); with any other loss the outputs are read as they are.
bool outputs_are_logits(std::string_view loss);

// How a model's outputs are read (a model file records it, bpnn/data/recipe.hpp):
//   logits: class scores whose softmax is the class probabilities (cross_entropy on a network that
//     does not end in softmax);
//   probabilities: class scores read as they are: a softmax's probabilities, a sigmoid's
//     probability of class 1 (one output) or of each class, or outputs trained on one-hot rows;
//   values: regression values.
// automatic: not decided yet (complete_meaning decides it).
enum class OutputReading { automatic, logits, probabilities, values };

// "logits", "probabilities", "values" ("automatic"); the reverse throws Error naming the known ones.
std::string_view reading_name(OutputReading reading);
OutputReading reading_named(std::string_view name);

// Class probabilities [N, C] from model outputs [N, K] of a model trained with `loss`:
//   cross_entropy (logits): each row's softmax, C = K;
//   one output (a sigmoid's probability p of class 1): the two columns 1 - p and p, C = 2;
//   otherwise the outputs themselves, C = K: a softmax layer's class probabilities, or sigmoid
//   outputs each a label's own probability (multilabel).
Tensor<float> class_probabilities(const Backend<float>& backend, std::string_view loss,
                                  TensorView<const float> outputs);
Tensor<double> class_probabilities(const Backend<double>& backend, std::string_view loss,
                                   TensorView<const double> outputs);
// The same by how the outputs are read: logits through softmax; probabilities as they are (one
// output: 1 - p and p); values (regression) as they are.
Tensor<float> class_probabilities(const Backend<float>& backend, OutputReading reading,
                                  TensorView<const float> outputs);
Tensor<double> class_probabilities(const Backend<double>& backend, OutputReading reading,
                                   TensorView<const double> outputs);

// class_probabilities of the model's outputs for inputs [N, input shape...], run in eval mode in
// batches of batch_size on the model's backend (the model is not changed).
Tensor<float> predict_probabilities(const Sequential<float>& model, std::string_view loss,
                                    TensorView<const float> inputs, std::size_t batch_size = 256);
Tensor<double> predict_probabilities(const Sequential<double>& model, std::string_view loss,
                                     TensorView<const double> inputs, std::size_t batch_size = 256);

struct Evaluation {
  double loss = 0.0;          // the loss's mean over the samples (as one batch of all of them)
  std::size_t samples = 0;
  Task task = Task::regression;  // resolved: classification, multilabel or regression
  bool classification = false;   // task == classification
  double accuracy = 0.0;      // classification and multilabel: the share of samples right
  std::size_t classes = 0;    // classification: class_count(outputs)
  // confusion[true * classes + predicted]: how many samples of class `true` were predicted `predicted`.
  std::vector<std::size_t> confusion;
  std::vector<std::size_t> predicted;  // per sample, classification only
  double mse = 0.0;           // regression only: mean squared and absolute error over all outputs
  double mae = 0.0;
  // Regression only: the coefficient of determination as scikit-learn's r2_score with
  // multioutput='uniform_average': per output 1 - SS_res / SS_tot (SS_tot about that output's
  // mean target), then the mean over the outputs. An output whose targets are all equal scores 1
  // when predicted exactly and 0 otherwise (sklearn's force_finite). 1 is perfect, 0 is as good as
  // predicting the mean, and it can be negative.
  double r2 = 0.0;
  std::size_t outputs = 0;          // the model's output count
  std::vector<double> predictions;  // regression and multilabel: the outputs, [samples, outputs] row-major

  // scikit-learn's score(): the accuracy for classification and multi-label, R² for regression.
  double score() const { return task == Task::regression ? r2 : accuracy; }
  double precision(std::size_t c) const;  // of the samples predicted c, the share that are c (0 if none)
  double recall(std::size_t c) const;     // of the samples of class c, the share predicted c (0 if none)
};

// Runs the model over inputs [N, input shape...] in batches of batch_size (eval mode, Sequential::
// infer: the model is not changed) and scores the outputs against targets as resolve_task(targets,
// outputs, task) says. The loss takes the outputs as they are, except cross_entropy on outputs
// read as probabilities (a network ending in softmax): it takes their logarithm (clamped at -100,
// as bce's), whose softmax is those probabilities, so the loss is -log p of the true class, what
// PyTorch's CrossEntropyLoss gave on the logits before the softmax. Throws Error for mismatched
// counts, a batch size of 0, or a class index the model has no output for.
Evaluation evaluate(const Sequential<float>& model, const Loss<float>& loss, TensorView<const float> inputs,
                    TensorView<const float> targets, std::size_t batch_size = 256, Task task = Task::automatic,
                    OutputReading reading = OutputReading::automatic);
Evaluation evaluate(const Sequential<double>& model, const Loss<double>& loss, TensorView<const double> inputs,
                    TensorView<const double> targets, std::size_t batch_size = 256, Task task = Task::automatic,
                    OutputReading reading = OutputReading::automatic);

}  // namespace bpnn
