// The Python extension _bpnn: converts numpy arrays and Python values at its edge and calls the
// library for everything else (docs/python.md). float32 C-contiguous arrays are read in place; the
// GIL is released while the library trains, evaluates or predicts, and taken back for callbacks.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "bpnn/io/onnx.hpp"
#include "logic.hpp"
#include "mazur.hpp"
#include "perceptron.hpp"
#include "regression.hpp"

namespace py = pybind11;
using namespace bpnn;

namespace {

// forcecast: any numeric dtype or layout is converted once into a new float32 C array; a float32
// C-contiguous array passes through as the same buffer.
using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

Shape shape_of(const py::array& array) {
  if (static_cast<std::size_t>(array.ndim()) > Shape::max_rank) {
    throw Error("an array of " + std::to_string(array.ndim()) + " dimensions: bpnn takes at most " +
                std::to_string(Shape::max_rank));
  }
  Shape shape;
  for (py::ssize_t axis = array.ndim() - 1; axis >= 0; --axis) shape = shape.with_batch(array.shape(axis));
  return shape;
}

py::tuple tuple_of(const Shape& shape) {
  py::tuple t(shape.rank());
  for (std::size_t i = 0; i < shape.rank(); ++i) t[i] = shape[i];
  return t;
}

// The array as float32 C-contiguous, converted only when it is not already.
FloatArray as_floats(const py::handle& x, const char* what) {
  if (x.is_none()) throw Error(std::string(what) + " is None: give an array");
  FloatArray array = FloatArray::ensure(x);
  if (!array) {
    PyErr_Clear();
    throw Error(std::string(what) + ": cannot be read as an array of numbers");
  }
  return array;
}

// Data for the library (samples, targets): as_floats, refused as scikit-learn refuses it when it
// holds a NaN or an infinity, naming the first ("Input X contains NaN (sample 2, value 1).").
FloatArray data_floats(const py::handle& x, const char* name) {
  FloatArray array = as_floats(x, name);
  check_finite(TensorView<const float>(array.data(), shape_of(array)), std::string("Input ") + name);
  return array;
}

// Samples for a model: [N, input_shape...]. [N, features] (or [N] for a one-input model) is viewed
// in the model's input shape when the element counts agree (784 columns for [1, 28, 28]);
// otherwise the view keeps its shape and the model's own check names both shapes.
TensorView<const float> input_view(const FloatArray& array, const Sequential<float>& model) {
  const Shape input = model.input_shape();
  if (array.ndim() == 0) throw Error("X must hold samples, [N, " + std::to_string(input.numel()) + "]; got a scalar");
  TensorView<const float> view(array.data(), shape_of(array));
  if (array.ndim() == 1 && input.numel() != 1) {
    throw Error("X has shape " + view.shape().str() + ": give samples as rows, [N, " + std::to_string(input.numel()) +
                "] (a one-input model takes [N] too)");
  }
  const std::size_t n = view.shape()[0];
  if (n > 0 && view.size() == n * input.numel()) return view.reshaped(input.with_batch(n));
  return view;
}

// Targets: [N] class indices for cross_entropy; [N] is [N, 1] for a loss that wants rows.
TensorView<const float> target_view(const FloatArray& array, const std::string& loss) {
  if (array.ndim() == 0) throw Error("y must hold one target per sample; got a scalar");
  TensorView<const float> view(array.data(), shape_of(array));
  if (array.ndim() == 1 && loss != "cross_entropy") return view.reshaped(Shape{view.shape()[0], 1});
  return view;
}

// A numpy array that takes over the tensor's memory (no copy), freed with the array.
py::array_t<float> to_numpy(Tensor<float>&& tensor) {
  auto* owned = new Tensor<float>(std::move(tensor));
  py::capsule free_when_done(owned, [](void* p) { delete static_cast<Tensor<float>*>(p); });
  std::vector<py::ssize_t> dims;
  for (std::size_t i = 0; i < owned->shape().rank(); ++i) dims.push_back(static_cast<py::ssize_t>(owned->shape()[i]));
  return py::array_t<float>(dims, owned->data(), free_when_done);
}

// A copy of a view as a new numpy array (state_dict and inspect hand out copies, not windows
// into the model's buffers, which a later fit or load would change under them).
py::array copy_to_numpy(TensorView<const float> view, bool integer) {
  std::vector<py::ssize_t> dims;
  for (std::size_t i = 0; i < view.shape().rank(); ++i) dims.push_back(static_cast<py::ssize_t>(view.shape()[i]));
  if (integer) {
    py::array_t<std::int64_t> out(dims);
    std::int64_t* data = out.mutable_data();
    for (std::size_t i = 0; i < view.size(); ++i) data[i] = static_cast<std::int64_t>(view[i]);
    return out;
  }
  py::array_t<float> out(dims);
  std::copy(view.data(), view.data() + view.size(), out.mutable_data());
  return out;
}

Task task_named(const std::string& task) {
  if (task == "auto") return Task::automatic;
  if (task == "classification") return Task::classification;
  if (task == "regression") return Task::regression;
  if (task == "multilabel") return Task::multilabel;
  throw Error("task '" + task + "': expected 'auto', 'classification', 'regression' or 'multilabel'");
}

BestBy best_by_named(const std::string& best_by) {
  if (best_by == "loss") return BestBy::validation_loss;
  if (best_by == "score") return BestBy::validation_score;
  throw Error("best_by '" + best_by + "': expected 'loss' (the lowest validation loss) or 'score' (the highest "
              "accuracy, or R² for regression)");
}

py::dict evaluation_dict(const Evaluation& e) {
  py::dict d;
  d["loss"] = e.loss;
  d["samples"] = e.samples;
  d["classification"] = e.classification;
  d["task"] = e.task == Task::classification ? "classification"
              : e.task == Task::multilabel   ? "multilabel"
                                             : "regression";
  d["score"] = e.score();  // scikit-learn's: the accuracy, or R² for regression
  if (e.task == Task::multilabel) d["accuracy"] = e.accuracy;  // every label of a sample right
  if (e.classification) {
    d["accuracy"] = e.accuracy;
    py::array_t<std::int64_t> confusion({static_cast<py::ssize_t>(e.classes), static_cast<py::ssize_t>(e.classes)});
    std::copy(e.confusion.begin(), e.confusion.end(), confusion.mutable_data());
    d["confusion"] = confusion;
  } else {
    d["mse"] = e.mse;
    d["mae"] = e.mae;
    d["r2"] = e.r2;
  }
  return d;
}

py::dict epoch_dict(const EpochReport& r) {
  py::dict d;
  d["epoch"] = r.epoch;
  d["train_loss"] = r.train_loss;
  d["train_accuracy"] = r.train_accuracy < 0 ? py::object(py::none()) : py::object(py::float_(r.train_accuracy));
  d["seconds"] = r.seconds;
  d["l2_penalty"] = r.l2_penalty;
  d["lr"] = r.learning_rate;
  if (r.has_test) d["test"] = evaluation_dict(r.test);
  if (r.has_validation) {
    d["validation"] = evaluation_dict(r.validation);
    d["best"] = r.best;
  }
  return d;
}

// A model and the generator its initialization and shuffling draw from.
// Move-only (the layers are unique_ptrs; pybind11 would otherwise try to copy it).
struct PyModel {
  PyModel(Sequential<float> m, Rng r) : model(std::move(m)), rng(r) {}
  PyModel(PyModel&&) = default;
  PyModel(const PyModel&) = delete;

  Sequential<float> model;
  Rng rng;
  int threads = 1;
  Arithmetic arithmetic = Arithmetic::fast;
  // What the model is (task, loss, names, scaling): a loaded file's, or what fit was told; save
  // writes it, completed from the output layer where it says nothing (bpnn/data/recipe.hpp).
  DataRecipe recipe;

  // The cpu backend of n threads in arithmetic a (the shared one-thread backend for 1 and fast).
  void set_backend(int n, Arithmetic a) {
    model.set_backend(n == 1 && a == Arithmetic::fast ? default_backend<float>()
                                                      : make_cpu_backend<float>({.threads = n, .arithmetic = a}));
    threads = n;
    arithmetic = a;
  }
  void set_threads(int n) { set_backend(n, arithmetic); }
  std::string arithmetic_text() const { return std::string(arithmetic_name(arithmetic)); }
  void set_arithmetic(const std::string& name) { set_backend(threads, arithmetic_named(name)); }
};

// The model in the arithmetic named for one call (fit(..., arithmetic="portable")), its own backend
// put back after it; nothing changes for none.
class ArithmeticForCall {
 public:
  ArithmeticForCall(PyModel& m, const std::optional<std::string>& name)
      : model_(m), backend_(m.model.shared_backend()), arithmetic_(m.arithmetic) {
    if (name) m.set_backend(m.threads, arithmetic_named(*name));
  }
  ~ArithmeticForCall() {
    model_.model.set_backend(backend_);
    model_.arithmetic = arithmetic_;
  }
  ArithmeticForCall(const ArithmeticForCall&) = delete;
  ArithmeticForCall& operator=(const ArithmeticForCall&) = delete;

 private:
  PyModel& model_;
  std::shared_ptr<Backend<float>> backend_;
  Arithmetic arithmetic_;
};

// What the model is, completed from its output layer where nothing records it.
DataRecipe meaning_of(const PyModel& m) {
  DataRecipe r = m.recipe;
  complete_meaning(r, m.model);
  return r;
}

// X as the model reads it: with the input scaling the model records (trained by the command line
// with --standardize or --normalize, loaded or imported) applied to a copy, as bpnn predict applies
// it; without one, X itself.
class ModelInput {
 public:
  ModelInput(const py::handle& x, const PyModel& m) : array_(data_floats(x, "X")), view_(input_view(array_, m.model)) {
    if (m.recipe.scaling.kind == InputScaling::Kind::none) return;
    scaled_ = Tensor<float>(view_.shape());
    std::copy(view_.data(), view_.data() + view_.size(), scaled_.data());
    apply_scaling(m.recipe.scaling, scaled_, "X");
    view_ = scaled_.view();
  }
  TensorView<const float> view() const { return view_; }

 private:
  FloatArray array_;
  Tensor<float> scaled_;
  TensorView<const float> view_;
};

// The model, its parameters drawn from its layers' initializers with the seed.
PyModel initialized(Sequential<float> model, std::uint64_t seed, int threads, const std::string& arithmetic) {
  PyModel m{std::move(model), Rng(seed)};
  m.model.initialize(m.rng);
  m.set_backend(threads, arithmetic_named(arithmetic));
  return m;
}

PyModel make_model(const std::string& text, std::uint64_t seed, int threads, const std::string& arithmetic,
                   const std::string& source) {
  return initialized(build_model<float>(parse_network(text, source)), seed, threads, arithmetic);
}

bool is_integer(const py::handle& value) { return !py::isinstance<py::bool_>(value) && PyIndex_Check(value.ptr()); }
bool is_real(const py::handle& value) { return PyFloat_Check(value.ptr()) || py::hasattr(value, "__float__"); }
double as_double(const py::handle& value) {
  const double d = PyFloat_AsDouble(value.ptr());
  if (d == -1.0 && PyErr_Occurred() != nullptr) throw py::error_already_set();
  return d;
}

// A layer field's Python value as the factory's: True/False, an integer (numpy's too), a number, a
// name, or an initializer as a dict ({"type": "xavier_uniform", "gain": 0.5}: initializer_with).
ConfigValue config_value(const py::handle& value, const std::string& where) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>();
  if (is_integer(value)) {
    const py::int_ integer(py::reinterpret_borrow<py::object>(value));
    try {
      return integer.cast<std::int64_t>();
    } catch (const py::cast_error&) {
      return integer.cast<double>();  // too large for any field; the factory says so with the field's rule
    }
  }
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (is_real(value) && !py::isinstance<py::dict>(value)) return as_double(value);
  if (!py::isinstance<py::dict>(value)) {
    throw Error(where + "must be a number, True or False, a name or an initializer dict, got " +
                std::string(py::repr(value)));
  }
  const auto spec = value.cast<py::dict>();
  if (!spec.contains("type") || !py::isinstance<py::str>(spec["type"])) {
    throw Error(where + "an initializer is a name or a dict with a \"type\", got " + std::string(py::repr(value)));
  }
  std::vector<std::pair<std::string, double>> options;
  for (const auto& [key, number] : spec) {
    const std::string name = py::str(key);
    if (name == "type") continue;
    if (py::isinstance<py::bool_>(number) || !(is_integer(number) || is_real(number))) {
      throw Error(where + "field '" + name + "' must be a number, got " + std::string(py::repr(number)));
    }
    options.emplace_back(name, as_double(number));
  }
  try {
    return initializer_with(spec["type"].cast<std::string>(), options);
  } catch (const Error& e) {
    throw Error(where + e.what());
  }
}

// A model of input (the sample shape, or one size) and layers, a list of dicts {"type": kind, field: value, ...}
// mapped onto the factory's LayerConfigs (build_model).
PyModel model_from_layers(const py::object& input, const py::list& layers, std::uint64_t seed, int threads,
                          const std::string& arithmetic) {
  std::vector<std::size_t> sizes;
  try {
    sizes = is_integer(input) ? std::vector<std::size_t>{py::int_(input).cast<std::size_t>()}
                              : input.cast<std::vector<std::size_t>>();
  } catch (const py::cast_error&) {
    throw Error("from_layers: input must be the sample shape, sizes >= 1 ([784] or 784), got " +
                std::string(py::repr(input)));
  }
  if (sizes.size() > 3) {
    throw Error("from_layers: input: a sample shape is 1 to 3 sizes, got " + std::to_string(sizes.size()));
  }
  Shape shape;
  for (auto size = sizes.rbegin(); size != sizes.rend(); ++size) shape = shape.with_batch(*size);
  std::vector<LayerConfig> configs;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string where = "from_layers: layers[" + std::to_string(i) + "]: ";
    if (!py::isinstance<py::dict>(layers[i])) throw Error(where + "a layer is a dict like {\"type\": \"relu\"}");
    const auto layer = layers[i].cast<py::dict>();
    if (!layer.contains("type") || !py::isinstance<py::str>(layer["type"])) {
      throw Error(where + "'type' (a str) is missing");
    }
    LayerConfig config{layer["type"].cast<std::string>(), {}};
    for (const auto& [key, value] : layer) {
      const std::string name = py::str(key);
      if (name != "type") config.fields.emplace_back(name, config_value(value, where + "field '" + name + "': "));
    }
    configs.push_back(std::move(config));
  }
  try {
    return initialized(build_model<float>(shape, configs), seed, threads, arithmetic);
  } catch (const Error& e) {
    throw Error("from_layers: " + std::string(e.what()));
  }
}

py::bytes to_bytes(const PyModel& m) {
  return py::bytes(model_bytes(m.model, {{"bpnn.data", recipe_to_json(m.recipe)}}));
}

PyModel loaded_model(LoadedModel<float> loaded) {
  PyModel m{std::move(loaded.model), Rng(0)};
  m.recipe = std::move(loaded.recipe);
  return m;
}

// An imported ONNX model with what its file records (bpnn's export: the recipe and input scaling).
PyModel onnx_model(OnnxModel imported) {
  PyModel m{std::move(imported.model), Rng(0)};
  m.recipe = std::move(imported.recipe);
  return m;
}

PyModel from_bytes(std::string content, const std::string& name) {
  return loaded_model(load_model_bytes<float>(std::move(content), name));
}

// The model's meaning as a dict: what save records (completed from the output layer).
py::dict meaning_dict(const PyModel& m) {
  const DataRecipe r = meaning_of(m);
  py::dict d;
  d["task"] = task_name(r.task);
  d["loss"] = r.loss;
  d["outputs"] = std::string(reading_name(r.outputs));
  d["classes"] = r.classes;
  d["class_names"] = r.class_names;
  d["feature_names"] = r.feature_names;
  d["target_names"] = r.target_names;
  d["scaling"] = py::dict(py::arg("kind") = scaling_name(r.scaling.kind), py::arg("shift") = r.scaling.shift,
                          py::arg("scale") = r.scaling.scale);
  return d;
}

// The training loop's hooks into Python: the per-epoch callback (GIL taken for it), whose true
// result ends training after that epoch as early stopping does (fit returns normally), the rate
// callback, whose number is the learning rate of the next epochs (FitOptions::rate_after_epoch), and Ctrl-C,
// seen by PyErr_CheckSignals at most every 50 ms (taking the GIL after every batch would make
// training wait on other Python threads), which stops fit with the KeyboardInterrupt to raise.
struct PythonHooks {
  PythonHooks(py::object c, py::object r) : callback(std::move(c)), rate_callback(std::move(r)) {}
  py::object callback, rate_callback;
  py::list history;
  bool stop = false;              // the callback raised, or a signal came
  std::exception_ptr raised;      // what the callback or the signal handler raised
  std::chrono::steady_clock::time_point last_poll = std::chrono::steady_clock::now();

  // After each epoch: true ends training.
  bool end_after_epoch(const EpochReport& report) {
    py::gil_scoped_acquire gil;
    try {
      py::dict d = epoch_dict(report);
      history.append(d);
      return !callback.is_none() && py::bool_(callback(d));
    } catch (py::error_already_set&) {
      raised = std::current_exception();
      return true;
    }
  }

  // After an epoch that training goes on from: the rate callback's number, given the epoch's dict;
  // None keeps the rate. What it raises stops training before the next epoch (stop_requested).
  std::optional<double> rate_after_epoch() {
    py::gil_scoped_acquire gil;
    try {
      const py::object rate = rate_callback(history[history.size() - 1]);
      if (rate.is_none()) return std::nullopt;
      return as_double(rate);
    } catch (py::error_already_set&) {
      raised = std::current_exception();
      stop = true;
      return std::nullopt;
    }
  }

  bool stop_requested() {
    if (stop) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_poll < std::chrono::milliseconds(50)) return false;
    last_poll = now;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      try {
        throw py::error_already_set();
      } catch (py::error_already_set&) {
        raised = std::current_exception();
      }
      stop = true;
    }
    return stop;
  }
};

py::dict fit_model(PyModel& m, const py::handle& x, const py::handle& y, const std::string& loss_name,
                   const std::string& optimizer_name, std::optional<double> lr, std::optional<double> momentum,
                   std::optional<bool> nesterov, std::optional<double> weight_decay, std::optional<double> beta1,
                   std::optional<double> beta2, std::optional<double> eps, std::size_t batch_size, std::size_t epochs,
                   bool shuffle, std::optional<std::uint64_t> seed, py::object callback, py::object validation_data,
                   std::size_t patience, double max_grad_norm, const std::string& schedule,
                   std::optional<std::size_t> step_size, std::optional<double> gamma, std::optional<double> power,
                   py::object lr_after_epoch, const std::string& task, const std::string& best_by,
                   std::optional<std::vector<std::string>> class_names,
                   std::optional<std::vector<std::string>> feature_names, const std::optional<std::string>& arithmetic,
                   const py::kwargs& optimizer_options) {
  OptimizerSpec spec{.name = optimizer_name,
                     .learning_rate = lr,
                     .momentum = momentum,
                     .nesterov = nesterov,
                     .weight_decay = weight_decay,
                     .beta1 = beta1,
                     .beta2 = beta2,
                     .eps = eps};
  // Any other option of the registry's optimizers by its name (alpha, centered, lr_decay, ...).
  for (const auto& [name, value] : optimizer_options) spec.set(py::cast<std::string>(name), py::cast<double>(value));
  const std::unique_ptr<Optimizer<float>> optimizer = make_optimizer<float>(spec);
  const std::unique_ptr<Loss<float>> loss = make_loss<float>(loss_name);
  const FloatArray inputs = data_floats(x, "X");
  const FloatArray targets = data_floats(y, "y");
  FloatArray validation_inputs, validation_targets;
  HeldOut validation;
  if (!validation_data.is_none()) {
    const auto pair = validation_data.cast<py::tuple>();
    if (pair.size() != 2) throw Error("validation_data must be a pair (X, y)");
    validation_inputs = data_floats(pair[0], "validation X");
    validation_targets = data_floats(pair[1], "validation y");
    validation = {input_view(validation_inputs, m.model), target_view(validation_targets, loss_name)};
  }
  if (patience > 0 && validation_data.is_none()) throw Error("patience needs validation_data");
  if (seed) m.rng = Rng(*seed);
  // What the model is now: trained with this loss, for this task when given (else the output layer
  // and the loss say, when saved); how its outputs are read and its class count follow them.
  m.recipe.loss = loss_name;
  m.recipe.task = task_named(task);
  m.recipe.outputs = OutputReading::automatic;
  m.recipe.classes = 0;
  if (class_names) m.recipe.class_names = *class_names;
  if (feature_names) m.recipe.feature_names = *feature_names;

  PythonHooks hooks(std::move(callback), std::move(lr_after_epoch));
  std::function<std::optional<double>(const EpochReport&)> rate_after_epoch = nullptr;
  if (!hooks.rate_callback.is_none()) {
    rate_after_epoch = [&hooks](const EpochReport&) { return hooks.rate_after_epoch(); };
  }
  const FitOptions options{.epochs = epochs,
                           .batch_size = batch_size,
                           .shuffle = shuffle,
                           .max_grad_norm = max_grad_norm,
                           .schedule = make_schedule(schedule, step_size, gamma, power),
                           .patience = patience,
                           .best_by = best_by_named(best_by),
                           .task = task_named(task),
                           .stop_requested = [&hooks] { return hooks.stop_requested(); },
                           .end_after_epoch = [&hooks](const EpochReport& r) { return hooks.end_after_epoch(r); },
                           .rate_after_epoch = rate_after_epoch};
  const TensorView<const float> input = input_view(inputs, m.model);
  const TensorView<const float> target = target_view(targets, loss_name);
  FitResult result;
  std::exception_ptr failure;
  {
    const ArithmeticForCall in_arithmetic(m, arithmetic);
    py::gil_scoped_release released;
    try {
      result = fit(m.model, *loss, *optimizer, input, target, m.rng, options, {}, validation);
    } catch (...) {
      failure = std::current_exception();
    }
  }
  // What the callback raised (training ended after its epoch), or Ctrl-C's KeyboardInterrupt
  // (which stopped fit with TrainingInterrupted).
  if (hooks.raised) std::rethrow_exception(hooks.raised);
  if (failure) std::rethrow_exception(failure);
  py::dict d;
  d["epochs"] = hooks.history.size();
  d["best_epoch"] = result.best_epoch;
  d["stopped_early"] = result.stopped_early;
  d["history"] = hooks.history;
  return d;
}

// A list of values as a numpy array of shape (a copy).
py::array_t<float> array_of(const std::vector<float>& values, const Shape& shape) {
  std::vector<py::ssize_t> dims;
  for (std::size_t i = 0; i < shape.rank(); ++i) dims.push_back(static_cast<py::ssize_t>(shape[i]));
  py::array_t<float> out(dims);
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

// Every tensor's values and gradients as arrays, and (verbose) a printed summary: small tensors
// in full, larger ones by their statistics. With X and y the gradients are that batch's, from the
// library's explain (the model is left as it was); otherwise what the last computation left.
py::dict inspect_model(PyModel& m, const py::object& x, const py::object& y, const std::string& loss_name,
                       bool verbose) {
  std::optional<Explanation<float>> explained;
  if (!x.is_none()) {
    if (y.is_none()) throw Error("inspect: give y with X, to compute the gradients");
    const std::unique_ptr<Loss<float>> loss = make_loss<float>(loss_name);
    const FloatArray inputs = data_floats(x, "X");
    const FloatArray targets = data_floats(y, "y");
    explained = explain<float>(m.model, *loss, input_view(inputs, m.model), target_view(targets, loss_name),
                               {.rng = &m.rng});
    if (verbose) py::print("loss", explained->loss);
  }
  py::module_ np = py::module_::import("numpy");
  py::dict out;
  const ParameterStore<float>& store = m.model.parameters();
  for (std::size_t i = 0; i < store.count(); ++i) {
    const ParameterEntry& entry = store.entry(i);
    py::dict tensor;
    tensor["value"] = copy_to_numpy(store.value(i), entry.integer);
    const bool batch_grad = explained && !explained->parameters[i].grad.empty();
    tensor["grad"] = batch_grad ? py::object(array_of(explained->parameters[i].grad, entry.shape))
                                : py::object(copy_to_numpy(store.grad(i), entry.integer));
    tensor["buffer"] = entry.buffer;
    tensor["frozen"] = entry.frozen;
    out[py::str(entry.name)] = tensor;
    if (!verbose) continue;
    std::string kind = entry.buffer ? " (buffer)" : entry.frozen ? " (frozen)" : "";
    py::print(entry.name + " " + entry.shape.str() + kind);
    if (entry.shape.numel() <= 32) {
      py::print("  value", tensor["value"]);
      if (!entry.buffer) py::print("  grad ", tensor["grad"]);
    } else {
      const py::object v = tensor["value"], g = tensor["grad"];
      py::print("  value mean", np.attr("mean")(v), "std", np.attr("std")(v), "min", np.attr("min")(v), "max",
                np.attr("max")(v));
      if (!entry.buffer) {
        py::print("  grad  norm", np.attr("linalg").attr("norm")(g), "max |g|", np.attr("max")(np.attr("abs")(g)));
      }
    }
  }
  return out;
}

py::object optional_array(const std::vector<float>& values, const Shape& shape) {
  return values.empty() ? py::object(py::none()) : py::object(array_of(values, shape));
}

py::dict chain_rule_dict(const ChainRule<float>& c) {
  py::list factors;
  for (const Factor<float>& f : c.factors) {
    py::list terms;
    for (const PathTerm<float>& t : f.terms) {
      terms.append(py::dict(py::arg("neuron") = t.neuron, py::arg("delta") = t.delta, py::arg("weight") = t.weight,
                            py::arg("weight_value") = t.weight_value, py::arg("product") = t.product));
    }
    factors.append(py::dict(py::arg("name") = f.name, py::arg("formula") = f.formula, py::arg("value") = f.value,
                            py::arg("terms") = terms));
  }
  py::dict d(py::arg("name") = c.name, py::arg("tensor") = c.tensor, py::arg("element") = c.element,
             py::arg("layer") = c.layer, py::arg("from") = c.from, py::arg("to") = c.to, py::arg("bias") = c.bias,
             py::arg("value") = c.value, py::arg("sample") = c.sample, py::arg("equation") = c.equation,
             py::arg("factors") = factors, py::arg("product") = c.product,
             py::arg("sample_products") = c.sample_products, py::arg("sum") = c.sum, py::arg("backprop") = c.backprop);
  d["update"] = c.update ? py::object(py::float_(*c.update)) : py::object(py::none());
  d["new_value"] = c.new_value ? py::object(py::float_(*c.new_value)) : py::object(py::none());
  return d;
}

// A neuron layer's values as [N, units] arrays (the input [N, inputs]).
py::dict neuron_layer_dict(const Explanation<float>& e, const NeuronLayer<float>& n) {
  const Shape rows{e.samples, n.units()};
  py::dict d(py::arg("dense") = n.dense, py::arg("last") = n.last, py::arg("activation") = n.activation,
             py::arg("inputs") = n.inputs, py::arg("neurons") = n.neurons,
             py::arg("weight") = e.parameters[n.weight].name,
             py::arg("input") = array_of(n.input, Shape{e.samples, n.inputs.size()}),
             py::arg("net") = array_of(n.net, rows), py::arg("out") = array_of(n.out, rows),
             py::arg("out_grad") = array_of(n.out_grad, rows), py::arg("delta") = array_of(n.delta, rows),
             py::arg("elementwise") = n.elementwise, py::arg("derivative") = optional_array(n.derivative, rows));
  d["bias"] = n.bias ? py::object(py::str(e.parameters[*n.bias].name)) : py::object(py::none());
  return d;
}

// The numbers of one step (bpnn/train/explain.hpp) as dicts and arrays; with weights, their chain rules.
py::dict explain_model(PyModel& m, const py::handle& x, const py::handle& y, const std::string& loss_name,
                       double lr, const std::vector<std::string>& weights, std::size_t sample) {
  const std::unique_ptr<Loss<float>> loss = make_loss<float>(loss_name);
  const FloatArray inputs = data_floats(x, "X");
  const FloatArray targets = data_floats(y, "y");
  Sgd<float> sgd({.learning_rate = lr});
  const Explanation<float> e = explain<float>(m.model, *loss, input_view(inputs, m.model),
                                              target_view(targets, loss_name), {.optimizer = &sgd, .rng = &m.rng});
  py::list layers;
  for (const LayerNumbers<float>& l : e.layers) {
    layers.append(py::dict(py::arg("index") = l.index, py::arg("kind") = l.kind,
                           py::arg("output") = array_of(l.output, l.shape),
                           py::arg("output_grad") = array_of(l.output_grad, l.shape)));
  }
  py::dict parameters;
  for (const TensorNumbers<float>& t : e.parameters) {
    parameters[py::str(t.name)] = py::dict(
        py::arg("value") = array_of(t.value, t.shape), py::arg("grad") = optional_array(t.grad, t.shape),
        py::arg("update") = optional_array(t.update, t.shape),
        py::arg("new_value") = optional_array(t.new_value, t.shape), py::arg("names") = t.element_names,
        py::arg("frozen") = t.frozen, py::arg("buffer") = t.buffer);
  }
  py::list neuron_layers;
  for (const NeuronLayer<float>& n : e.neuron_layers) neuron_layers.append(neuron_layer_dict(e, n));
  py::dict chain_rules;
  for (const std::string& name : weights) chain_rules[py::str(name)] = chain_rule_dict(chain_rule(e, name, sample));
  py::dict d(py::arg("samples") = e.samples, py::arg("input") = array_of(e.input, e.input_shape),
             py::arg("input_grad") = array_of(e.input_grad, e.input_shape),
             py::arg("target") = array_of(e.target, e.target_shape), py::arg("loss_name") = e.loss_name,
             py::arg("loss") = e.loss, py::arg("layers") = layers, py::arg("parameters") = parameters,
             py::arg("input_names") = e.input_names, py::arg("neuron_layers") = neuron_layers,
             py::arg("unnamed") = e.unnamed, py::arg("update_rule") = e.update_rule,
             py::arg("learning_rate") = e.learning_rate, py::arg("chain_rules") = chain_rules);
  d["loss_terms"] = optional_array(e.loss_terms, e.layers.back().shape);
  return d;
}

// The library's gradient check (bpnn/train/gradient_check.hpp), on a double copy of the model.
py::dict check_model(const PyModel& m, const py::handle& x, const py::handle& y, const std::string& loss_name,
                     std::size_t max_elements, bool skip_kinks) {
  const std::unique_ptr<Loss<double>> loss = make_loss<double>(loss_name);
  const FloatArray inputs = data_floats(x, "X");
  const FloatArray targets = data_floats(y, "y");
  GradientCheckReport r;
  {
    py::gil_scoped_release released;
    r = check_gradients(m.model, *loss, input_view(inputs, m.model), target_view(targets, loss_name),
                        {.skip_kinks = skip_kinks, .max_elements = max_elements});
  }
  py::list tensors;
  for (const TensorGradientCheck& t : r.tensors) {
    tensors.append(py::dict(py::arg("name") = t.name, py::arg("size") = t.size, py::arg("checked") = t.checked,
                            py::arg("skipped") = t.skipped, py::arg("max_relative_error") = t.max_relative_error,
                            py::arg("max_absolute_error") = t.max_absolute_error, py::arg("worst") = t.worst,
                            py::arg("worst_backprop") = t.worst_backprop, py::arg("worst_numeric") = t.worst_numeric,
                            py::arg("passed") = t.passed));
  }
  return py::dict(py::arg("ok") = r.ok, py::arg("checked") = r.checked, py::arg("skipped") = r.skipped,
                  py::arg("worst_error") = r.worst_error, py::arg("max_relative_error") = r.max_relative_error,
                  py::arg("max_absolute_error") = r.max_absolute_error, py::arg("worst") = r.worst,
                  py::arg("objective") = r.objective,
                  py::arg("report") = r.report, py::arg("tensors") = tensors);
}

py::dict state_dict(const PyModel& m) {
  py::dict out;
  const ParameterStore<float>& store = m.model.parameters();
  for (std::size_t i = 0; i < store.count(); ++i) {
    out[py::str(store.entry(i).name)] = copy_to_numpy(store.value(i), store.entry(i).integer);
  }
  return out;
}

// Takes numpy arrays, torch tensors (through .detach().cpu().numpy()) or anything np.asarray
// reads; every model tensor must be there with its shape, and (strict) nothing else.
void load_state_dict(PyModel& m, const py::dict& d, bool strict) {
  ParameterStore<float>& store = m.model.parameters();
  for (std::size_t i = 0; i < store.count(); ++i) {
    const ParameterEntry& entry = store.entry(i);
    if (!d.contains(entry.name)) {
      throw Error("load_state_dict: missing tensor '" + entry.name + "' " + entry.shape.str());
    }
  }
  if (strict) {
    for (const auto& [key, value] : d) {
      const std::string name = py::str(key);
      bool known = false;
      for (std::size_t i = 0; i < store.count(); ++i) known = known || store.entry(i).name == name;
      if (!known) throw Error("load_state_dict: unexpected tensor '" + name + "' (the model has no such tensor)");
    }
  }
  // Checked and converted first, copied after, so a bad tensor leaves the model as it was.
  std::vector<FloatArray> arrays;
  for (std::size_t i = 0; i < store.count(); ++i) {
    const ParameterEntry& entry = store.entry(i);
    py::object value = d[py::str(entry.name)];
    if (py::hasattr(value, "detach")) value = value.attr("detach")().attr("cpu")().attr("numpy")();
    FloatArray array = as_floats(value, ("tensor '" + entry.name + "'").c_str());
    if (!(shape_of(array) == entry.shape)) {
      throw Error("load_state_dict: tensor '" + entry.name + "' has shape " + shape_of(array).str() +
                  ", the model's is " + entry.shape.str());
    }
    arrays.push_back(std::move(array));
  }
  for (std::size_t i = 0; i < store.count(); ++i) {
    const TensorView<float> target = store.value(i);
    std::copy(arrays[i].data(), arrays[i].data() + target.size(), target.data());
  }
}

const std::vector<std::string> kDemos = {"mazur", "perceptron", "xor", "xnor", "regression"};

std::string run_demo(const std::string& name, std::optional<std::uint64_t> seed, bool tutorial_order,
                     const std::string& arithmetic_given) {
  if (tutorial_order && name != "mazur") throw Error("demo: tutorial_order is an option of mazur only");
  const Arithmetic arithmetic = arithmetic_named(arithmetic_given);
  // What every demo takes: the seed when given, and the arithmetic.
  auto with_common = [&](auto options) {
    if (seed) options.seed = *seed;
    options.arithmetic = arithmetic;
    return options;
  };
  std::ostringstream out;
  int code = 0;
  if (name == "mazur") {
    code = examples::run_mazur(with_common(examples::MazurOptions{.tutorial_order = tutorial_order}), out);
  } else if (name == "perceptron") {
    code = examples::run_perceptron(with_common(examples::PerceptronOptions{}), out);
  } else if (name == "xor") {
    code = examples::run_xor(with_common(examples::XorOptions{}), out);
  } else if (name == "xnor") {
    code = examples::run_xnor(with_common(examples::XnorOptions{}), out);
  } else if (name == "regression") {
    code = examples::run_regression(with_common(examples::RegressionOptions{}), out);
  } else {
    throw Error("demo '" + name + "': expected one of mazur, perceptron, xor, xnor, regression");
  }
  if (code != 0) throw Error("demo " + name + " failed (exit code " + std::to_string(code) + "):\n" + out.str());
  return out.str();
}

// The library's class probabilities of the model's outputs, taken in double as scikit-learn's are:
// read as the loss given says, or without one as the model's meaning says.
py::array_t<double> predict_proba(const PyModel& self, const py::handle& x, const std::optional<std::string>& loss,
                                  std::size_t batch_size) {
  const ModelInput input(x, self);
  const OutputReading reading = loss ? OutputReading::automatic : meaning_of(self).outputs;
  Tensor<double> p;
  {
    py::gil_scoped_release released;
    const Tensor<float> y = predict(self.model, input.view(), batch_size);
    Tensor<double> outputs(y.shape());
    std::copy(y.data(), y.data() + y.size(), outputs.data());
    p = loss ? class_probabilities(*default_backend<double>(), *loss, outputs)
             : class_probabilities(*default_backend<double>(), reading, outputs);
  }
  py::array_t<double> out({static_cast<py::ssize_t>(p.shape()[0]), static_cast<py::ssize_t>(p.shape()[1])});
  std::copy(p.data(), p.data() + p.size(), out.mutable_data());
  return out;
}

// The CLI's reading options (apps/cli/data_flags.cpp) as Python values, onto the library's DataOptions.
struct ReadOptions {
  std::string labels;               // IDX: the labels file (empty: by the MNIST naming)
  py::object label;                 // CSV: the label column, a header name or a 0-based index; None: found
  std::size_t target_cols = 0;      // CSV: the last K columns are regression targets
  std::vector<std::string> targets;  // CSV: these columns (names or indices) are the targets
  std::vector<std::string> drop;     // CSV: columns left out (names or indices)
  std::string delimiter;            // CSV: one character or "tab"; empty: detected
  py::object header;                // CSV: "auto", "yes", "no", True or False
  bool no_labels = false;           // inputs only: y is [N, 0]
  std::vector<std::string> class_names;  // CSV: the classes to number labels by (a training file's)
  std::optional<std::pair<float, float>> input_range;  // IDX: pixels 0..255 map to (low, high)
};

DataOptions data_options(const ReadOptions& r) {
  DataOptions options;
  options.idx.labels_path = r.labels;
  options.idx.no_labels = r.no_labels;
  if (r.input_range) std::tie(options.idx.low, options.idx.high) = *r.input_range;
  CsvOptions& csv = options.csv;
  csv.target_columns = r.target_cols;
  csv.targets = r.targets;
  csv.drop = r.drop;
  csv.no_labels = r.no_labels;
  csv.class_names = r.class_names;
  if (is_integer(r.label)) {
    csv.label = std::to_string(r.label.cast<long long>());
  } else if (py::isinstance<py::str>(r.label)) {
    csv.label = r.label.cast<std::string>();
  } else if (!r.label.is_none()) {
    throw Error("read_dataset: label is a column's header name or its 0-based index, got " +
                std::string(py::repr(r.label)));
  }
  if (r.delimiter == "tab" || r.delimiter == "\\t") {
    csv.delimiter = '\t';
  } else if (r.delimiter.size() == 1) {
    csv.delimiter = r.delimiter[0];
  } else if (!r.delimiter.empty()) {
    throw Error("read_dataset: delimiter: expected one character or 'tab', got '" + printable(r.delimiter) + "'");
  }
  const py::object& h = r.header;
  if (py::isinstance<py::bool_>(h)) {
    csv.header = h.cast<bool>() ? CsvHeader::yes : CsvHeader::no;
  } else if (py::isinstance<py::str>(h) && (h.cast<std::string>() == "auto" || h.cast<std::string>() == "yes" ||
                                            h.cast<std::string>() == "no")) {
    const std::string name = h.cast<std::string>();
    csv.header = name == "yes" ? CsvHeader::yes : name == "no" ? CsvHeader::no : CsvHeader::auto_detect;
  } else {
    throw Error("read_dataset: header: expected 'auto', 'yes', 'no', True or False, got " + std::string(py::repr(h)));
  }
  return options;
}

// The data set as a dict of X, y (int64 class ids, or float32 [N, K]) and what the file names:
// class, feature and target names (bpnn.Dataset wraps it).
py::dict read_data(const std::string& path, const ReadOptions& read) {
  Dataset data = read_dataset(path, data_options(read));
  py::object targets;
  if (data.classes > 0) {
    const TensorView<const float> t = data.targets.view();
    py::array_t<std::int64_t> classes(static_cast<py::ssize_t>(t.size()));
    std::int64_t* out = classes.mutable_data();
    for (std::size_t i = 0; i < t.size(); ++i) out[i] = static_cast<std::int64_t>(t[i]);
    targets = classes;
  } else {
    targets = to_numpy(std::move(data.targets));
  }
  py::dict d;
  d["X"] = to_numpy(std::move(data.inputs));
  d["y"] = targets;
  d["classes"] = data.classes;
  d["class_names"] = data.class_names;
  d["feature_names"] = data.feature_names;
  d["target_names"] = data.target_names;
  return d;
}

}  // namespace

PYBIND11_MODULE(_bpnn, m) {
  m.doc() = "bpnn's engine: models, training, evaluation and prediction (see docs/python.md)";
  m.attr("__version__") = "0.1.0";

  // TrainingDiverged as bpnn.TrainingDiverged (a ValueError) with its epoch and the option's name
  // here; any other bpnn::Error as a ValueError.
  static const py::exception<TrainingDiverged> diverged(m, "TrainingDiverged", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const TrainingDiverged& e) {
      py::object error = py::handle(diverged.ptr())(std::string(e.what()) + " (max_grad_norm)");
      error.attr("epoch") = e.epoch;
      PyErr_SetObject(diverged.ptr(), error.ptr());
    } catch (const Error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });

  py::class_<PyModel>(m, "Model", "A sequential network: its layers, parameters and the generator it draws from")
      .def(py::init([](const std::string& network, std::uint64_t seed, int threads, const std::string& arithmetic) {
             return make_model(network, seed, threads, arithmetic, "bpnn.Model");
           }),
           py::arg("network"), py::kw_only(), py::arg("seed") = 0, py::arg("threads") = 1,
           py::arg("arithmetic") = "fast",
           "A model of the network, given in the compact form ('2-3sigmoid-1sigmoid') or as JSON, "
           "its parameters drawn from the layers' initializers with the seed; it computes on a cpu backend of "
           "threads threads in arithmetic 'fast' or 'portable' (docs/arithmetic.md).")
      .def_static(
          "from_json",
          [](const std::string& json, std::uint64_t seed, int threads, const std::string& arithmetic) {
            const std::size_t first = json.find_first_not_of(" \t\r\n");
            if (first == std::string::npos || json[first] != '{') {
              throw Error("from_json: the text is not a JSON object");
            }
            return make_model(json, seed, threads, arithmetic, "from_json");
          },
          py::arg("json"), py::kw_only(), py::arg("seed") = 0, py::arg("threads") = 1, py::arg("arithmetic") = "fast")
      .def_static("from_layers", &model_from_layers, py::arg("input"), py::arg("layers"), py::kw_only(),
                  py::arg("seed") = 0, py::arg("threads") = 1, py::arg("arithmetic") = "fast",
                  "A model of the sample shape input ([784], or 784) and layers, dicts of a network file's layer "
                  "fields ({'type': 'dense', 'units': 8, 'init': {'type': 'xavier_uniform', 'gain': 0.5}}), built "
                  "by the library's factory; its parameters drawn from the layers' initializers with the seed.")
      .def_static(
          "load", [](const std::string& path) { return loaded_model(load_model<float>(path)); }, py::arg("path"),
          "A model saved by save (or bpnn train): network, weights and what it is")
      .def(
          "save",
          [](const PyModel& self, const std::string& path) {
            save_model(path, self.model, {{"bpnn.data", recipe_to_json(self.recipe)}});
          },
          py::arg("path"),
          "Writes the model as safetensors (loads into PyTorch; docs/model-format.md) with what it is (meaning), "
          "so that bpnn predict and eval read it right")
      .def_property_readonly("meaning", &meaning_dict,
                             "What the model is, as save records it: task, loss, outputs (logits, probabilities or "
                             "values), classes and names, input scaling")
      .def("to_bytes", &to_bytes, "The model file's bytes")
      .def(
          "to_onnx", [](const PyModel& self) { return py::bytes(to_onnx(self.model, self.recipe)); },
          "The model's inference graph as ONNX bytes with what it is (its input scaling as nodes, the rest in "
          "metadata_props; docs/onnx.md; what bpnn export writes)")
      .def(
          "export_onnx",
          [](const PyModel& self, const std::string& path) { export_onnx(self.model, path, self.recipe); },
          py::arg("path"), "Writes to_onnx() to path atomically (bpnn export)")
      .def_static(
          "from_onnx", [](const py::bytes& b) { return onnx_model(from_onnx(std::string(b), "from_onnx")); },
          py::arg("data"), "A model from ONNX bytes, with what the file records of it (bpnn import)")
      .def_static(
          "import_onnx", [](const std::string& path) { return onnx_model(import_onnx(path)); }, py::arg("path"),
          "A model from an ONNX file: bpnn's export, or torch.onnx.export's (bpnn import)")
      .def_static(
          "from_bytes", [](const py::bytes& b) { return from_bytes(std::string(b), "from_bytes"); }, py::arg("data"))
      .def(py::pickle(
          [](const PyModel& self) { return py::make_tuple(to_bytes(self), self.threads, self.arithmetic_text()); },
          [](const py::tuple& state) {
            PyModel m = from_bytes(state[0].cast<std::string>(), "pickled bpnn.Model");
            // (A model pickled before it had an arithmetic computed in the fast one.)
            const std::string arithmetic = state.size() > 2 ? state[2].cast<std::string>() : "fast";
            m.set_backend(state[1].cast<int>(), arithmetic_named(arithmetic));
            return m;
          }))
      .def_property_readonly(
          "json", [](const PyModel& self) { return describe(self.model).json; }, "The network as normalized JSON")
      .def_property_readonly("input_shape", [](const PyModel& self) { return tuple_of(self.model.input_shape()); })
      .def_property_readonly("output_shape", [](const PyModel& self) { return tuple_of(self.model.output_shape()); })
      .def_property_readonly("layers",
                             [](const PyModel& self) {
                               std::vector<std::string> kinds;
                               for (std::size_t i = 0; i < self.model.size(); ++i)
                                 kinds.emplace_back(self.model.layer(i).kind());
                               return kinds;
                             })
      .def_property(
          "threads", [](const PyModel& self) { return self.threads; }, &PyModel::set_threads,
          "The cpu backend's thread count (1: the shared one-thread backend)")
      .def_property("arithmetic", &PyModel::arithmetic_text, &PyModel::set_arithmetic,
                    "The cpu backend's arithmetic: 'fast' (this machine's quickest kernels) or 'portable' (the same "
                    "bits on any CPU, at any thread count, and a sample's outputs whatever batch it is in; "
                    "docs/arithmetic.md)")
      .def("__repr__", [](const PyModel& self) { return "bpnn.Model(" + describe(self.model).json + ")"; })
      .def("fit", &fit_model, py::arg("X"), py::arg("y"), py::kw_only(), py::arg("loss") = "mse",
           py::arg("optimizer") = "sgd", py::arg("lr") = py::none(), py::arg("momentum") = py::none(),
           py::arg("nesterov") = py::none(), py::arg("weight_decay") = py::none(), py::arg("beta1") = py::none(),
           py::arg("beta2") = py::none(), py::arg("eps") = py::none(), py::arg("batch_size") = 32,
           py::arg("epochs") = 1, py::arg("shuffle") = true, py::arg("seed") = py::none(),
           py::arg("callback") = py::none(), py::arg("validation_data") = py::none(), py::arg("patience") = 0,
           py::arg("max_grad_norm") = 0.0, py::arg("schedule") = "constant", py::arg("step_size") = py::none(),
           py::arg("gamma") = py::none(), py::arg("power") = py::none(), py::arg("lr_after_epoch") = py::none(),
           py::arg("task") = "auto", py::arg("best_by") = "loss", py::arg("class_names") = py::none(),
           py::arg("feature_names") = py::none(), py::arg("arithmetic") = py::none(),
           "Trains on X [N, features...] and y ([N] class indices for cross_entropy, [N, K] or [N] otherwise); "
           "callback(epoch: dict) after every epoch, a true result stops; lr_after_epoch(epoch: dict) after each "
           "epoch that training goes on from, a number sets the learning rate of the next epochs (the schedule's base: "
           "schedule, with its step_size, gamma or power). With validation_data the model ends with "
           "the weights of its best validation epoch, by best_by: 'loss' or 'score'. Any other keyword is an option "
           "of the optimizer by its registry name (alpha=0.9, centered=True, lr_decay=0.01). class_names and "
           "feature_names, when given, are recorded in the model (meaning) for save. arithmetic ('fast' or "
           "'portable'), when given, is this fit's, the model's own otherwise. Returns the history.")
      .def(
          "evaluate",
          [](const PyModel& self, const py::handle& x, const py::handle& y,
             const std::optional<std::string>& loss_given, std::size_t batch_size,
             const std::optional<std::string>& task_given) {
            // Without a loss or task given, the model's own: what it was trained with, or what its
            // output layer makes it (a softmax's probabilities, one sigmoid's class 1, values).
            const DataRecipe meaning = meaning_of(self);
            const std::string loss_name = loss_given.value_or(meaning.loss);
            const std::unique_ptr<Loss<float>> loss = make_loss<float>(loss_name);
            const ModelInput input(x, self);
            const FloatArray targets = data_floats(y, "y");
            const TensorView<const float> target = target_view(targets, loss_name);
            // A task only when given or recorded (fit's task="auto" records none): else the targets say.
            const Task t = task_given ? task_named(*task_given) : self.recipe.task;
            const OutputReading reading = loss_given || task_given ? OutputReading::automatic : meaning.outputs;
            Evaluation e;
            {
              py::gil_scoped_release released;
              e = evaluate(self.model, *loss, input.view(), target, batch_size, t, reading);
            }
            return evaluation_dict(e);
          },
          py::arg("X"), py::arg("y"), py::kw_only(), py::arg("loss") = py::none(), py::arg("batch_size") = 256,
          py::arg("task") = py::none(),
          "Loss and accuracy (classification) or MSE, MAE and R² (regression), by the loss and task given or, "
          "without them, the model's own (meaning)")
      .def(
          "predict",
          [](const PyModel& self, const py::handle& x, std::size_t batch_size) {
            const ModelInput input(x, self);
            Tensor<float> out;
            {
              py::gil_scoped_release released;
              out = predict(self.model, input.view(), batch_size);
            }
            return to_numpy(std::move(out));
          },
          py::arg("X"), py::kw_only(), py::arg("batch_size") = 256,
          "The outputs [N, outputs...] (eval mode) for X, scaled first as the model records (meaning)")
      .def("predict_proba", &predict_proba, py::arg("X"), py::kw_only(), py::arg("loss") = py::none(),
           py::arg("batch_size") = 256,
           "Class probabilities [N, classes], float64: softmax of a cross_entropy model's logits, 1 - p and p for "
           "one output, the outputs themselves otherwise (a softmax's, or each sigmoid's label); without a loss "
           "given, as the model's meaning reads its outputs")
      .def("inspect", &inspect_model, py::arg("X") = py::none(), py::arg("y") = py::none(), py::kw_only(),
           py::arg("loss") = "mse", py::arg("verbose") = true)
      .def("explain", &explain_model, py::arg("X"), py::arg("y"), py::kw_only(), py::arg("loss") = "mse",
           py::arg("lr") = 0.1, py::arg("weights") = std::vector<std::string>{}, py::arg("sample") = 0,
           "The numbers of one training step on X and y, as dicts and arrays: every layer's output and gradient, "
           "each neuron's net, out and delta (named i1, h1, o1), every dE/dw and the update of SGD at lr, and the "
           "chain rule of each of weights ('w5', 'b(h1)') for one sample. The model is left as it was.")
      .def("check_gradients", &check_model, py::arg("X"), py::arg("y"), py::kw_only(), py::arg("loss") = "mse",
           py::arg("max_elements") = 0, py::arg("skip_kinks") = true,
           "Back-propagation's gradients against central differences, tensor by tensor, on a double copy of the "
           "model; max_elements per tensor (0: all)")
      .def("state_dict", &state_dict, "Copies of every tensor under nn.Sequential names ('0.weight' [out, in], ...)")
      .def("load_state_dict", &load_state_dict, py::arg("state_dict"), py::kw_only(), py::arg("strict") = true,
           "Sets every tensor from numpy arrays or torch tensors of the same shapes");

  m.def("parse_network", [](const std::string& text) { return parse_network(text, "parse_network").json; },
        py::arg("text"), "The network (compact or JSON) as normalized JSON; raises ValueError naming what is wrong");
  m.def("read_dataset",
        [](const std::string& path, const std::string& labels, const py::object& label, std::size_t target_cols,
           const std::vector<std::string>& targets, const std::vector<std::string>& drop,
           const std::string& delimiter, const py::object& header, bool no_labels,
           const std::vector<std::string>& class_names, const std::optional<std::pair<float, float>>& input_range) {
          return read_data(path, {labels, label, target_cols, targets, drop, delimiter, header, no_labels,
                                  class_names, input_range});
        },
        py::arg("path"), py::kw_only(), py::arg("labels") = "", py::arg("label") = py::none(),
        py::arg("target_cols") = 0, py::arg("targets") = std::vector<std::string>{},
        py::arg("drop") = std::vector<std::string>{}, py::arg("delimiter") = "",
        py::arg("header") = "auto", py::arg("no_labels") = false,
        py::arg("class_names") = std::vector<std::string>{}, py::arg("input_range") = py::none(),
        "Reads IDX (gzip too), CSV or FANN data with the CLI's reading options: a dict of X float32 [N, ...], "
        "y (int64 class indices [N], or float32 [N, K]), classes, class_names, feature_names, target_names");
  m.def("demo", &run_demo, py::arg("name"), py::kw_only(), py::arg("seed") = py::none(),
        py::arg("tutorial_order") = false, py::arg("arithmetic") = "portable",
        "Runs one of the tutorials' worked examples and returns what it prints (in portable arithmetic: the same "
        "figures on every machine, as bpnn demo)");
  m.attr("demos") = kDemos;
  m.def("layer_kinds", [] {
    std::vector<std::string> kinds;
    for (std::string_view k : layer_kinds()) kinds.emplace_back(k);
    return kinds;
  }, "The layer kinds network descriptions name, in the registry's order");
  m.def("registry", [] { return py::module_::import("json").attr("loads")(registry_json()); },
        "The library's registry: every layer kind, activation, loss, optimizer, schedule and initializer with its "
        "options (a dict of lists, as `bpnn registry --json` prints it)");
  m.def("_input_address", [](const py::handle& x) {
        const FloatArray array = as_floats(x, "X");
        return reinterpret_cast<std::uintptr_t>(array.data());
      }, py::arg("X"), "The address of the float32 buffer the engine reads for X (a test of zero-copy input)");
}
