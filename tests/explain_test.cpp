// The numbers of one step (bpnn/train/explain.hpp): the worked example to every printed digit in
// double and to float32's tolerance in float; on random networks, every gradient against the
// model's own backward and against central differences, and every chain rule against back-propagation.
#include <gtest/gtest.h>

#include <cmath>

#include "bpnn/bpnn.hpp"
#include "support/gradcheck.hpp"

namespace bpnn {
namespace {

using testing::random_tensor;

// A figure printed with 9 decimals is right to every digit when it is within half a unit of the last.
constexpr double kNineDigits = 0.5e-9;

template <class T>
struct WorkedExample {
  Sequential<T> net{Shape{2}};
  Tensor<T> input{Shape{1, 2}, {T(0.05), T(0.10)}};
  Tensor<T> target{Shape{1, 2}, {T(0.01), T(0.99)}};
  Mse<T> loss;
  Sgd<T> sgd{{.learning_rate = 0.5}};

  WorkedExample() {
    net.add(Dense<T>({.units = 2}));
    net.add(Sigmoid<T>());
    net.add(Dense<T>({.units = 2}));
    net.add(Sigmoid<T>());
    ParameterStore<T>& p = net.parameters();
    copy<T>(Tensor<T>(Shape{2, 2}, {T(0.15), T(0.20), T(0.25), T(0.30)}), p.value("0.weight"));
    copy<T>(Tensor<T>(Shape{2}, {T(0.35), T(0.35)}), p.value("0.bias"));
    copy<T>(Tensor<T>(Shape{2, 2}, {T(0.40), T(0.45), T(0.50), T(0.55)}), p.value("2.weight"));
    copy<T>(Tensor<T>(Shape{2}, {T(0.60), T(0.60)}), p.value("2.bias"));
    p.set_frozen("0.bias");
    p.set_frozen("2.bias");
  }

  Explanation<T> explain() { return bpnn::explain<T>(net, loss, input, target, {.optimizer = &sgd}); }
};

// What the tutorial prints (docs/backprop.md), by name.
struct Expected {
  const char* what;
  double value;
};

template <class T>
std::vector<std::pair<std::string, double>> figures(const Explanation<T>& e) {
  const NeuronLayer<T>& h = e.neuron_layers[0];
  const NeuronLayer<T>& o = e.neuron_layers[1];
  const TensorNumbers<T>& w14 = e.tensor("0.weight");
  const TensorNumbers<T>& w58 = e.tensor("2.weight");
  return {{"net_h1", h.net[0]},        {"out_h1", h.out[0]},          {"net_h2", h.net[1]},
          {"out_h2", h.out[1]},        {"net_o1", o.net[0]},          {"out_o1", o.out[0]},
          {"net_o2", o.net[1]},        {"out_o2", o.out[1]},          {"E", e.loss},
          {"E_o1", e.loss_terms[0]},   {"E_o2", e.loss_terms[1]},     {"dE/dout_o1", o.out_grad[0]},
          {"dout_o1/dnet_o1", o.derivative[0]}, {"delta_o1", o.delta[0]}, {"delta_o2", o.delta[1]},
          {"dE/dout_h1", h.out_grad[0]}, {"dout_h1/dnet_h1", h.derivative[0]}, {"delta_h1", h.delta[0]},
          {"dE/dw1", w14.grad[0]},     {"dE/dw2", w14.grad[1]},       {"dE/dw3", w14.grad[2]},
          {"dE/dw4", w14.grad[3]},     {"dE/dw5", w58.grad[0]},       {"dE/dw6", w58.grad[1]},
          {"dE/dw7", w58.grad[2]},     {"dE/dw8", w58.grad[3]},       {"w1 new", w14.new_value[0]},
          {"w2 new", w14.new_value[1]}, {"w3 new", w14.new_value[2]}, {"w4 new", w14.new_value[3]},
          {"w5 new", w58.new_value[0]}, {"w6 new", w58.new_value[1]}, {"w7 new", w58.new_value[2]},
          {"w8 new", w58.new_value[3]}};
}

// Hand-derived (docs/backprop.md's table and the tutorial's figures).
const std::vector<Expected> kWorkedExample = {
    {"net_h1", 0.377500000},          {"out_h1", 0.593269992},    {"net_h2", 0.392500000},
    {"out_h2", 0.596884378},          {"net_o1", 1.105905967},    {"out_o1", 0.751365070},
    {"net_o2", 1.224921404},          {"out_o2", 0.772928465},    {"E", 0.298371109},
    {"E_o1", 0.274811083},            {"E_o2", 0.023560026},      {"dE/dout_o1", 0.741365070},
    {"dout_o1/dnet_o1", 0.186815602}, {"delta_o1", 0.138498562},  {"delta_o2", -0.038098237},
    {"dE/dout_h1", 0.036350306},      {"dout_h1/dnet_h1", 0.241300709}, {"delta_h1", 0.008771355},
    {"dE/dw1", 0.000438568},          {"dE/dw2", 0.000877135},    {"dE/dw3", 0.000497713},
    {"dE/dw4", 0.000995425},          {"dE/dw5", 0.082167041},    {"dE/dw6", 0.082667628},
    {"dE/dw7", -0.022602540},         {"dE/dw8", -0.022740242},   {"w1 new", 0.149780716},
    {"w2 new", 0.199561432},          {"w3 new", 0.249751144},    {"w4 new", 0.299502287},
    {"w5 new", 0.358916480},          {"w6 new", 0.408666186},    {"w7 new", 0.511301270},
    {"w8 new", 0.561370121}};

TEST(Explain, WorkedExampleInDoubleToEveryPrintedDigit) {
  WorkedExample<double> m;
  const Explanation<double> e = m.explain();
  const auto got = figures(e);
  ASSERT_EQ(got.size(), kWorkedExample.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, kWorkedExample[i].what);
    EXPECT_NEAR(got[i].second, kWorkedExample[i].value, kNineDigits) << got[i].first;
  }
  EXPECT_EQ(e.input_names, (std::vector<std::string>{"i1", "i2"}));
  EXPECT_EQ(e.neuron_layers[0].neurons, (std::vector<std::string>{"h1", "h2"}));
  EXPECT_EQ(e.neuron_layers[1].neurons, (std::vector<std::string>{"o1", "o2"}));
  EXPECT_EQ(e.neuron_layers[1].inputs, (std::vector<std::string>{"h1", "h2"}));
  EXPECT_EQ(e.neuron_layers[0].activation, "sigmoid");
  EXPECT_EQ(e.tensor("0.weight").element_names, (std::vector<std::string>{"w1", "w2", "w3", "w4"}));
  EXPECT_EQ(e.tensor("2.weight").element_names, (std::vector<std::string>{"w5", "w6", "w7", "w8"}));
  EXPECT_EQ(e.tensor("2.bias").element_names, (std::vector<std::string>{"b(o1)", "b(o2)"}));
  EXPECT_EQ(e.loss_scale, 0.5);  // mse's mean over two outputs: the tutorial's 1/2
  EXPECT_EQ(e.update_rule, "w_new = w - lr * dE/dw, lr 0.5");
  // The example keeps its biases: their gradients are shown, their update is 0.
  EXPECT_NEAR(e.tensor("2.bias").grad[0], 0.138498562, kNineDigits);
  EXPECT_EQ(e.tensor("2.bias").update[0], 0.0);
  EXPECT_EQ(e.tensor("0.bias").new_value[1], 0.35);
}

TEST(Explain, WorkedExampleChainRuleOfAnOutputWeight) {
  WorkedExample<double> m;
  const ChainRule<double> c = chain_rule(m.explain(), "w5");
  EXPECT_EQ(c.equation, "dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5");
  EXPECT_EQ(c.from, "h1");
  EXPECT_EQ(c.to, "o1");
  EXPECT_EQ(c.tensor, "2.weight");
  ASSERT_EQ(c.factors.size(), 3u);
  EXPECT_EQ(c.factors[0].formula, "out_o1 - target_o1");
  EXPECT_NEAR(c.factors[0].value, 0.74136507, 0.5e-8);
  EXPECT_EQ(c.factors[1].formula, "out_o1 (1 - out_o1)");
  EXPECT_NEAR(c.factors[1].value, 0.186815602, kNineDigits);
  EXPECT_EQ(c.factors[2].name, "dnet_o1/dw5");
  EXPECT_EQ(c.factors[2].formula, "out_h1");
  EXPECT_NEAR(c.factors[2].value, 0.593269992, kNineDigits);
  EXPECT_NEAR(c.product, 0.082167041, kNineDigits);
  EXPECT_NEAR(c.backprop, c.product, 1e-16);
  EXPECT_EQ(c.sum, c.product);
  EXPECT_EQ(c.value, 0.40);
  EXPECT_NEAR(*c.new_value, 0.358916480, kNineDigits);
}

TEST(Explain, WorkedExampleChainRuleOfAHiddenWeightSumsBothPaths) {
  WorkedExample<double> m;
  const ChainRule<double> c = chain_rule(m.explain(), "w1");
  EXPECT_EQ(c.equation, "dE/dw1 = dE/dout_h1 * dout_h1/dnet_h1 * dnet_h1/dw1");
  ASSERT_EQ(c.factors.size(), 3u);
  const Factor<double>& paths = c.factors[0];
  EXPECT_EQ(paths.formula, "delta_o1 w5 + delta_o2 w7");
  ASSERT_EQ(paths.terms.size(), 2u);
  EXPECT_EQ(paths.terms[0].neuron, "o1");
  EXPECT_EQ(paths.terms[0].weight, "w5");
  EXPECT_NEAR(paths.terms[0].delta, 0.138498562, kNineDigits);
  EXPECT_NEAR(paths.terms[0].product, 0.055399425, kNineDigits);
  EXPECT_EQ(paths.terms[1].weight, "w7");
  EXPECT_NEAR(paths.terms[1].product, -0.019049118, kNineDigits);
  EXPECT_NEAR(paths.value, 0.036350306, kNineDigits);
  EXPECT_NEAR(c.factors[1].value, 0.241300709, kNineDigits);
  EXPECT_EQ(c.factors[2].formula, "i1");
  EXPECT_EQ(c.factors[2].value, 0.05);
  EXPECT_NEAR(c.product, 0.000438568, kNineDigits);
  EXPECT_NEAR(c.backprop, c.product, 1e-18);
  // By place instead of by name: the bias of h2.
  const ChainRule<double> b = chain_rule(m.explain(), WeightAt{.layer = 0, .to = 1});
  EXPECT_EQ(b.name, "b(h2)");
  EXPECT_EQ(b.factors.back().name, "dnet_h2/db(h2)");
  EXPECT_NEAR(b.product, 0.009954255, kNineDigits);
  EXPECT_NEAR(b.backprop, b.product, 1e-17);
}

// float32 carries about 7 significant digits; 8 epsilons relative is what mazur_test measures it meets.
TEST(Explain, WorkedExampleInFloatMeetsFloat32Tolerance) {
  WorkedExample<float> m;
  const Explanation<float> e = m.explain();
  const auto got = figures(e);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i].second, kWorkedExample[i].value, 8 * 1.1920929e-7 * std::abs(kWorkedExample[i].value))
        << got[i].first;
  }
  const ChainRule<float> c = chain_rule(e, "w5");
  EXPECT_NEAR(c.product, 0.082167041, 8 * 1.1920929e-7 * 0.082167041);
  EXPECT_NEAR(c.backprop, c.product, 2 * 1.1920929e-7 * 0.082167041);
}

TEST(Explain, LeavesTheModelAndTheOptimizerAsTheyWere) {
  WorkedExample<double> m;
  Adam<double> adam({.learning_rate = 0.1});
  ParameterStore<double>& p = m.net.parameters();
  for (double& g : p.grads().span()) g = 0.25;
  const std::vector<double> values(p.values().data(), p.values().data() + p.values().size());
  const Explanation<double> e = explain<double>(m.net, m.loss, m.input, m.target, {.optimizer = &adam});
  EXPECT_EQ(std::vector<double>(p.values().data(), p.values().data() + p.values().size()), values);
  for (double g : p.grads().span()) EXPECT_EQ(g, 0.25);
  EXPECT_EQ(adam.state().steps, 0u);
  // Adam's first step moves each trained weight by lr g / (|g| + eps) (m / sqrt(v) = g / |g| after
  // the bias corrections), the frozen biases not at all.
  const double g = e.tensor("2.weight").grad[0];
  EXPECT_NEAR(e.tensor("2.weight").update[0], -0.1 * g / (std::abs(g) + 1e-8), 1e-15);
  EXPECT_EQ(e.tensor("2.bias").update[0], 0.0);
}

// A network of a few dense layers and activations, its parameters drawn from seed.
template <class T>
Sequential<T> random_mlp(std::uint64_t seed, const char* activation) {
  Sequential<T> net = build_model<T>(parse_network(std::string("3-5") + activation + "-4tanh-2sigmoid", "test"));
  Rng rng(seed);
  net.initialize(rng);
  return net;
}

template <class T>
Tensor<T> to(const Tensor<double>& t) {
  Tensor<T> out(t.shape());
  for (std::size_t i = 0; i < t.size(); ++i) out[i] = static_cast<T>(t[i]);
  return out;
}

// Every tensor's dE/dw equals the model's own backward (Trainer::compute_gradients) exactly, and
// every weight's and bias's chain rule, summed over the batch, equals back-propagation.
template <class T>
void expect_consistent(const char* activation, double chain_tolerance) {
  Sequential<T> net = random_mlp<T>(3, activation);
  const Tensor<T> x = to<T>(random_tensor(Shape{3, 3}, 4, -1, 1, 0.05));
  const Tensor<T> y = to<T>(random_tensor(Shape{3, 2}, 5, 0, 1));
  const Mse<T> loss;
  const Explanation<T> e = explain<T>(net, loss, x, y);
  Sgd<T> sgd({.learning_rate = 0.1});
  Trainer<T> trainer(net, loss, sgd);
  EXPECT_EQ(e.loss, trainer.compute_gradients(x, y));
  for (const TensorNumbers<T>& t : e.parameters) {
    const TensorView<const T> g = net.parameters().grad(t.name);
    EXPECT_EQ(t.grad, std::vector<T>(g.data(), g.data() + g.size())) << t.name;
  }
  ASSERT_EQ(e.neuron_layers.size(), 3u);
  EXPECT_EQ(e.neuron_layers[0].neurons[4], "h1.5");
  EXPECT_EQ(e.neuron_layers[2].inputs[3], "h2.4");
  std::size_t rules = 0;
  for (const NeuronLayer<T>& n : e.neuron_layers) {
    for (const std::size_t tensor : {n.weight, *n.bias}) {
      for (const std::string& name : e.parameters[tensor].element_names) {
        const ChainRule<T> c = chain_rule(e, name, 2);
        EXPECT_EQ(c.sample_products.size(), 3u);
        EXPECT_NEAR(c.sum, c.backprop, chain_tolerance * (1 + std::abs(c.backprop))) << name;
        ++rules;
      }
    }
  }
  EXPECT_EQ(rules, 5u * 3 + 5 + 4 * 5 + 4 + 2 * 4 + 2);
  EXPECT_EQ(chain_rule(e, "w15").name, "w15");
  EXPECT_EQ(chain_rule(e, "w16").from, "h1.1");
}

TEST(Explain, ChainRulesEqualBackPropagationOnARandomNetworkInDouble) {
  expect_consistent<double>("tanh", 1e-15);
  expect_consistent<double>("relu", 1e-15);
}

TEST(Explain, ChainRulesEqualBackPropagationOnARandomNetworkInFloat) {
  expect_consistent<float>("tanh", 1e-6);
  expect_consistent<float>("leaky_relu", 1e-6);
}

// Central differences of E in double against the explanation's dE/dp, for a double model and for
// a float model (whose float gradients meet float's tolerance).
template <class T>
void expect_finite_differences(double tolerance) {
  Sequential<T> net = random_mlp<T>(7, "sigmoid");
  const Tensor<double> xd = random_tensor(Shape{2, 3}, 8), yd = random_tensor(Shape{2, 2}, 9, 0, 1);
  const Mse<T> loss;
  const Explanation<T> e = explain<T>(net, loss, to<T>(xd), to<T>(yd));
  Sequential<double> d = random_mlp<double>(7, "sigmoid");
  for (std::size_t k = 0; k < net.parameters().count(); ++k) {
    const TensorView<const T> v = net.parameters().value(k);
    for (std::size_t i = 0; i < v.size(); ++i) d.parameters().value(k)[i] = static_cast<double>(v[i]);
  }
  const Mse<double> mse;
  for (const TensorNumbers<T>& t : e.parameters) {
    TensorView<double> v = d.parameters().value(t.name);
    for (std::size_t i = 0; i < v.size(); ++i) {
      const double h = 1e-6, keep = v[i];
      v[i] = keep + h;
      const double plus = mse.forward(d.forward(xd), yd);
      v[i] = keep - h;
      const double minus = mse.forward(d.forward(xd), yd);
      v[i] = keep;
      const double numeric = (plus - minus) / (2 * h);
      EXPECT_NEAR(static_cast<double>(t.grad[i]), numeric, tolerance * (1e-3 + std::abs(numeric))) << t.name << i;
      if (!t.element_names.empty()) {
        EXPECT_NEAR(static_cast<double>(chain_rule(e, t.element_names[i]).sum), numeric,
                    tolerance * (1e-3 + std::abs(numeric)))
            << t.element_names[i];
      }
    }
  }
}

TEST(Explain, GradientsMatchCentralDifferences) {
  expect_finite_differences<double>(1e-7);
  expect_finite_differences<float>(1e-5);
}

// Softmax mixes its neurons: its chain rule takes dE/dnet from its backward, and still sums to
// back-propagation's gradient; relu and dropout are elementwise.
TEST(Explain, ActivationsThatMixTheirNeuronsAreNotSplit) {
  Sequential<double> net = build_model<double>(parse_network(
      R"({"input": [4], "layers": [{"type": "dense", "units": 6}, {"type": "relu"}, {"type": "dropout", "p": 0.5},
                                   {"type": "dense", "units": 3}, {"type": "softmax"}]})",
      "test"));
  Rng init(2);
  net.initialize(init);
  const Tensor<double> x = random_tensor(Shape{2, 4}, 3, -1, 1, 0.05), y = random_tensor(Shape{2, 3}, 4, 0, 1);
  const Mse<double> loss;
  const Rng rng(9);
  const Explanation<double> e = explain<double>(net, loss, x, y, {.rng = &rng});
  ASSERT_EQ(e.neuron_layers.size(), 2u);
  EXPECT_EQ(e.neuron_layers[0].activation, "relu, dropout");
  EXPECT_TRUE(e.neuron_layers[0].elementwise);
  EXPECT_FALSE(e.neuron_layers[1].elementwise);
  EXPECT_TRUE(e.neuron_layers[1].derivative.empty());
  const ChainRule<double> c = chain_rule(e, "w30", 1);
  ASSERT_EQ(c.factors.size(), 2u);
  EXPECT_EQ(c.factors[0].name, "dE/dnet_o1");
  EXPECT_NEAR(c.sum, c.backprop, 1e-15);
  const ChainRule<double> hidden = chain_rule(e, "w1", 1);
  EXPECT_NEAR(hidden.sum, hidden.backprop, 1e-15);
  // The dropout draws are the ones a trainer with the same generator makes.
  Sgd<double> sgd({.learning_rate = 0.1});
  Rng same(9);
  Trainer<double> trainer(net, loss, sgd, {.rng = &same});
  trainer.compute_gradients(x, y);
  const TensorView<const double> g = net.parameters().grad("0.weight");
  EXPECT_EQ(e.tensor("0.weight").grad, std::vector<double>(g.data(), g.data() + g.size()));
}

TEST(Explain, CrossEntropyHasNoTermsButItsChainRuleHolds) {
  Sequential<double> net = build_model<double>(parse_network("3-4tanh-3", "test"));
  Rng init(5);
  net.initialize(init);
  const Tensor<double> x = random_tensor(Shape{2, 3}, 6);
  const Tensor<double> classes(Shape{2}, {2, 0});
  const Explanation<double> e = explain<double>(net, CrossEntropy<double>(), x, classes);
  EXPECT_TRUE(e.loss_terms.empty());
  EXPECT_EQ(e.neuron_layers[1].activation, "");
  const ChainRule<double> c = chain_rule(e, "w17");  // w13 .. w16 into o1, w17 .. w20 into o2
  EXPECT_EQ(c.to, "o2");
  EXPECT_EQ(c.factors[0].formula, "softmax(out)_o2 - target_o2, over the batch size for the mean");
  EXPECT_EQ(c.factors[1].value, 1.0);
  EXPECT_NEAR(c.sum, c.backprop, 1e-15);
}

TEST(Explain, OtherLayersAreGivenPerLayerAndTheirNeuronsAreNotNamed) {
  Sequential<double> net = build_model<double>(
      parse_network(R"({"input": [1, 4, 4], "layers": [{"type": "conv2d", "filters": 2, "kernel": 3},
                        {"type": "relu"}, {"type": "flatten"}, {"type": "dense", "units": 2}]})",
                    "test"));
  Rng init(1);
  net.initialize(init);
  const Tensor<double> x = random_tensor(Shape{1, 1, 4, 4}, 2), y = random_tensor(Shape{1, 2}, 3);
  const Explanation<double> e = explain<double>(net, Mse<double>(), x, y);
  EXPECT_TRUE(e.neuron_layers.empty());
  EXPECT_NE(e.unnamed.find("[1, 4, 4]"), std::string::npos) << e.unnamed;
  ASSERT_EQ(e.layers.size(), 4u);
  EXPECT_EQ(e.layers[0].kind, "conv2d");
  EXPECT_EQ(e.layers[0].shape, (Shape{1, 2, 2, 2}));
  EXPECT_EQ(e.layers[0].output.size(), 8u);
  EXPECT_EQ(e.layers[3].output_grad.size(), 2u);
  EXPECT_EQ(e.tensor("0.weight").grad.size(), 18u);
  try {
    chain_rule(e, "w1");
    FAIL() << "a chain rule without named neurons";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("dense layers"), std::string::npos) << error.what();
  }
  Sequential<double> flat = build_model<double>(
      parse_network(R"({"input": [4], "layers": [{"type": "batchnorm"}, {"type": "dense", "units": 2}]})", "test"));
  EXPECT_NE(explain<double>(flat, Mse<double>(), random_tensor(Shape{2, 4}, 1), random_tensor(Shape{2, 2}, 2))
                .unnamed.find("layer 0 (batchnorm) comes first"),
            std::string::npos);
}

TEST(Explain, RefusesWhatItCannotFind) {
  WorkedExample<double> m;
  const Explanation<double> e = m.explain();
  EXPECT_THROW(chain_rule(e, "w9"), Error);
  EXPECT_THROW(chain_rule(e, "w1", 1), Error);  // one sample only
  EXPECT_THROW(chain_rule(e, WeightAt{.layer = 2}), Error);
  EXPECT_THROW(e.tensor("4.weight"), Error);
  Explanation<double> copy = e;
  EXPECT_THROW(record_update<double>(copy, Tensor<double>(Shape{3}), Tensor<double>(Shape{3}), "x"), Error);
}

// A step with momentum: the update explain shows for an optimizer is the one its step applies,
// and record_update reads the same from the values before and after that step.
TEST(Explain, TheUpdateShownIsTheOneApplied) {
  Sequential<double> net = random_mlp<double>(11, "tanh");
  const Tensor<double> x = random_tensor(Shape{4, 3}, 12), y = random_tensor(Shape{4, 2}, 13, 0, 1);
  const Mse<double> loss;
  Sgd<double> momentum({.learning_rate = 0.2, .momentum = 0.9});
  Trainer<double> trainer(net, loss, momentum);
  trainer.step(x, y);  // the momentum buffer is not zero from here on
  Explanation<double> e = explain<double>(net, loss, x, y, {.optimizer = &momentum});
  const std::vector<double> before(net.parameters().values().data(),
                                   net.parameters().values().data() + net.parameters().values().size());
  trainer.step(x, y);
  for (const TensorNumbers<double>& t : e.parameters) {
    const TensorView<const double> after = net.parameters().value(t.name);
    EXPECT_EQ(t.new_value, std::vector<double>(after.data(), after.data() + after.size())) << t.name;
  }
  const std::vector<double> shown = e.tensor("2.weight").update;
  record_update<double>(e, TensorView<const double>(before.data(), Shape{before.size()}), net.parameters().values(),
                        "applied");
  EXPECT_EQ(e.update_rule, "applied");
  for (std::size_t i = 0; i < shown.size(); ++i) EXPECT_NEAR(e.tensor("2.weight").update[i], shown[i], 1e-17);
}

}  // namespace
}  // namespace bpnn
