// The elementwise activations, as rows of one table: each row is an activation's name (in network
// files, the compact form and every front end), its value y = f(x) and its derivative side by
// side. One layer class, Activation<T>, applies a row; the backends run the rows' loops
// (src/backend/loops.hpp). Adding an activation is a row here and a test (docs/architecture.md).
// Softmax mixes the features of a sample, so it is not elementwise: it is its own layer.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>

#include "bpnn/core/math.hpp"
#include "bpnn/layers/layer.hpp"

namespace bpnn {

// A row's functions for one number type: y = f(x, a), and dx = dy f'(x) from x, y = f(x) and dy,
// through whichever of x and y its formula uses. a is the row's option (0 when it has none).
template <class T>
using ActivationForward = T (*)(T x, T a);
template <class T>
using ActivationBackward = T (*)(T x, T y, T dy, T a);

// One captureless generic lambda ([]<class T>(T x, T a) { ... }) as its float and its double
// function, so that a row is written once for both.
template <template <class> class Function>
struct FloatAndDouble {
  Function<float> f;
  Function<double> d;
  template <class Lambda>
  constexpr FloatAndDouble(Lambda lambda) : f(lambda), d(lambda) {}  // implicit: rows read as lambdas
  template <class T>
  constexpr Function<T> get() const {
    if constexpr (std::is_same_v<T, float>) {
      return f;
    } else {
      return d;
    }
  }
};

// An activation's one option (leaky_relu's slope), as network files name it.
struct ActivationOption {
  std::string_view name;  // empty: the activation has none
  double default_value = 0;
  std::string_view meaning;
  std::string_view pytorch = {};  // its name as the torch.nn module's argument
};

struct ActivationRow {
  std::string_view name;
  std::string_view formula;  // y = f(x), as the docs and the playground show it
  FloatAndDouble<ActivationForward> forward;
  std::string_view derivative;  // dy/dx, through x or y
  FloatAndDouble<ActivationBackward> backward;
  // Its ONNX nodes at opset 17, from x: each node Op(inputs, attribute=value) takes x, `_` (the
  // previous node's output) or a number (a constant), and an attribute's value is a number, `float`
  // (the FLOAT type, for Cast) or the option's name. The last node's output is y. Export writes
  // them; import takes exactly them (an attribute left out as ONNX's default, the value here).
  std::string_view onnx;
  std::string_view pytorch;  // the torch.nn module computing the same (empty: none)
  ActivationOption option = {};
  std::string_view no_gradient = {};  // not empty: why back-propagation through it is refused
};

// The table. A row's index is how the backends' activation ops name it; the order is the order
// names are listed in (help texts, menus, error messages).
inline constexpr ActivationRow activation_table[] = {
    {.name = "sigmoid",
     .formula = "1 / (1 + e^-x)", .forward = []<class T>(T x, T) { return T(1) / (T(1) + math::exp(-x)); },
     .derivative = "y (1 - y)", .backward = []<class T>(T, T y, T dy, T) { return dy * y * (T(1) - y); },
     .onnx = "Sigmoid(x)", .pytorch = "Sigmoid"},
    {.name = "tanh",
     .formula = "tanh(x)", .forward = []<class T>(T x, T) { return math::tanh(x); },
     .derivative = "1 - y^2", .backward = []<class T>(T, T y, T dy, T) { return dy * (T(1) - y * y); },
     .onnx = "Tanh(x)", .pytorch = "Tanh"},
    {.name = "relu",  // f'(0) = 0, as PyTorch
     .formula = "max(0, x)", .forward = []<class T>(T x, T) { return x > T(0) ? x : T(0); },
     .derivative = "1 if x > 0, else 0", .backward = []<class T>(T x, T, T dy, T) { return x > T(0) ? dy : T(0); },
     .onnx = "Relu(x)", .pytorch = "ReLU"},
    {.name = "leaky_relu",
     .formula = "x if x > 0, else slope x", .forward = []<class T>(T x, T a) { return x > T(0) ? x : a * x; },
     .derivative = "1 if x > 0, else slope",
     .backward = []<class T>(T x, T, T dy, T a) { return x > T(0) ? dy : a * dy; },
     .onnx = "LeakyRelu(x, alpha=slope)", .pytorch = "LeakyReLU",
     .option = {.name = "slope", .default_value = 0.01, .meaning = "the slope for x <= 0",
                .pytorch = "negative_slope"}},
    {.name = "identity",  // the output of a regression network
     .formula = "x", .forward = []<class T>(T x, T) { return x; },
     .derivative = "1", .backward = []<class T>(T, T, T dy, T) { return dy; },
     .onnx = "Identity(x)", .pytorch = "Identity"},
    {.name = "step",  // the M-P threshold unit: with a dense layer before it, it fires when w.x >= -bias
     .formula = "1 if x >= 0, else 0", .forward = []<class T>(T x, T) { return x >= T(0) ? T(1) : T(0); },
     .derivative = "0 (undefined at 0)", .backward = []<class T>(T, T, T, T) { return T(0); },
     .onnx = "GreaterOrEqual(x, 0) Cast(_, to=float)", .pytorch = "",
     .no_gradient = "its derivative is 0 everywhere except the threshold, so back-propagation cannot learn the "
                    "layers below it; use sigmoid or tanh there, or train a single-layer perceptron with the "
                    "perceptron rule"},
    {.name = "gelu",  // exact, through erf: PyTorch's GELU (approximate='none'); Phi is N(0, 1)'s CDF
     .formula = "x Phi(x) = x (1 + erf(x / sqrt 2)) / 2",
     .forward = []<class T>(T x, T) { return x * T(0.5) * (T(1) + math::erf(x * T(0.70710678118654752440))); },
     .derivative = "Phi(x) + x e^(-x^2 / 2) / sqrt(2 pi)",
     .backward = []<class T>(T x, T, T dy, T) {
       const T cdf = T(0.5) * (T(1) + math::erf(x * T(0.70710678118654752440)));
       const T pdf = math::exp(T(-0.5) * x * x) * T(0.39894228040143267794);  // 1 / sqrt(2 pi)
       return dy * (cdf + x * pdf);
     },
     .onnx = "Div(x, 1.4142135623730951) Erf(_) Add(_, 1) Mul(x, _) Mul(_, 0.5)", .pytorch = "GELU"},
    {.name = "silu",  // x sigmoid(x), also called swish: PyTorch's SiLU
     .formula = "x / (1 + e^-x)", .forward = []<class T>(T x, T) { return x / (T(1) + math::exp(-x)); },
     .derivative = "s (1 + x (1 - s)), s = 1 / (1 + e^-x)",
     .backward = []<class T>(T x, T, T dy, T) {
       const T s = T(1) / (T(1) + math::exp(-x));
       return dy * s * (T(1) + x * (T(1) - s));
     },
     .onnx = "Sigmoid(x) Mul(x, _)", .pytorch = "SiLU"},
    {.name = "elu",  // alpha 1: PyTorch's ELU()
     .formula = "x if x > 0, else e^x - 1", .forward = []<class T>(T x, T) { return x > T(0) ? x : math::expm1(x); },
     .derivative = "1 if x > 0, else y + 1",
     .backward = []<class T>(T x, T y, T dy, T) { return x > T(0) ? dy : dy * (y + T(1)); },
     .onnx = "Elu(x, alpha=1)", .pytorch = "ELU"},
    {.name = "softplus",  // beta 1, threshold 20: PyTorch's Softplus(); x itself above the threshold
     .formula = "ln(1 + e^x), x above 20",
     .forward =
         []<class T>(T x, T) {
           const T y = math::log1p(math::exp(x));  // before the choice, so that the loop has no branch
           return x > T(20) ? x : y;
         },
     .derivative = "e^x / (e^x + 1), 1 above 20",
     .backward = []<class T>(T x, T, T dy, T) {
       const T z = math::exp(x);
       return x > T(20) ? dy : dy * z / (z + T(1));
     },
     .onnx = "Softplus(x)", .pytorch = "Softplus"},
};
inline constexpr std::size_t activation_count = std::size(activation_table);

// The row named `name`, or nullopt.
std::optional<std::size_t> find_activation(std::string_view name);

// An elementwise activation: y = f(x) for every element. input [N, ...], output the same shape;
// no parameters.
template <class T>
class Activation : public Layer<T> {
 public:
  // The row named `name` with its option's value (the default when not given). Throws Error for
  // an unknown name, or an option given to an activation that has none.
  explicit Activation(std::string_view name, std::optional<double> option = std::nullopt);

  std::string_view kind() const override { return row().name; }
  // {name, {}}, or with the option: {"leaky_relu", {{"slope", 0.2}}}.
  LayerConfig config() const override;
  Shape build(const Shape& input_shape) override { return input_shape; }
  void forward(const Context<T>& context, TensorView<const T> input, TensorView<T> output) const override;
  // Throws Error when input_grad is wanted through a row with no gradient (step).
  void backward(const Context<T>& context, TensorView<const T> input, TensorView<const T> output,
                TensorView<const T> output_grad, TensorView<T> input_grad) const override;

  const ActivationRow& row() const { return activation_table[row_]; }
  // The option's value as given (a float model reports 0.2, not 0.2 rounded to float); 0 for none.
  double option() const { return option_; }

 private:
  std::size_t row_;
  double option_;
  T a_;  // the option as the loops take it
};

extern template class Activation<float>;
extern template class Activation<double>;

}  // namespace bpnn
