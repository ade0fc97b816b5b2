// The playground's API (apps/playground/api.hpp) as the page's engine calls it, natively, so that the
// sanitizer builds cover it: the worked example's figures through Api::call, refused requests
// answered with their status and {"error": ...}, and number_text's printf twin (what the WebAssembly
// engine writes numbers with) giving std::to_chars's characters.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <tuple>

#include "api.hpp"
#include "bpnn/core/math.hpp"
#include "bpnn/core/number_text.hpp"
#include "bpnn/io/model_file.hpp"

namespace bpnn::serve {
namespace {

// The reply's JSON, after checking its status.
json ok(Api& api, const std::string& action, const std::string& body) {
  const Reply reply = api.call(action, body);
  EXPECT_EQ(reply.status, 200) << action << " " << body << ": " << reply.body;
  return json::parse(reply.body);
}

// The status of a refused request, after checking that its body is {"error": "<a message>"}.
int refused(Api& api, const std::string& action, const std::string& body) {
  const Reply reply = api.call(action, body);
  const json error = json::parse(reply.body, nullptr, false);
  EXPECT_TRUE(error.is_object() && error.size() == 1 && error.contains("error") && error["error"].is_string() &&
              !error["error"].get<std::string>().empty())
      << action << " " << body.substr(0, 80) << ": " << reply.body;
  return reply.status;
}

std::string nine(double v) { return fixed_text(v, 9); }

TEST(PlaygroundApi, WorkedExampleFirstStepAndChainRule) {
  Api api;
  const json state = ok(api, "data", R"({"set": "mazur"})");
  EXPECT_TRUE(state["config"]["worked_example"].get<bool>());
  EXPECT_EQ(nine(state["loss"].get<double>()), "0.298371109");
  EXPECT_EQ(state["network"]["layers"][1]["weight"][0][0].get<double>(), 0.4);  // w5

  const json chain = ok(api, "chain", R"({"layer": 1, "to": 0, "from": 0})");
  EXPECT_EQ(chain["name"], "w5");
  ASSERT_EQ(chain["factors"].size(), 3u);
  EXPECT_EQ(fixed_text(chain["factors"][0]["value"].get<double>(), 8), "0.74136507");  // dE/dout_o1
  EXPECT_EQ(nine(chain["factors"][1]["value"].get<double>()), "0.186815602");  // dout_o1/dnet_o1
  EXPECT_EQ(nine(chain["factors"][2]["value"].get<double>()), "0.593269992");  // dnet_o1/dw5 = out_h1
  EXPECT_EQ(nine(chain["product"].get<double>()), "0.082167041");

  const json step = ok(api, "step", R"({"unit": "sample", "count": 1})");
  EXPECT_EQ(step["iteration"], 1);
  const json after = ok(api, "state", "");
  EXPECT_EQ(nine(after["network"]["layers"][1]["weight"][0][0].get<double>()), "0.358916480");
  EXPECT_EQ(nine(after["loss"].get<double>()), "0.291027774");
  const json numbers = ok(api, "numbers", R"({"last_step": true})");
  EXPECT_EQ(numbers["iteration"], 1);
  EXPECT_EQ(api.model_name(), "mazur.safetensors");
  EXPECT_FALSE(api.model_file().empty());
}

TEST(PlaygroundApi, XorTrainsAndExportsTheCommandThatRepeatsIt) {
  Api api;
  ok(api, "data", R"({"set": "xor"})");
  ok(api, "network", R"({"layers": [{"units": 3, "activation": "sigmoid"}, {"units": 1, "activation": "sigmoid"}],
                         "learning_rate": 3, "batch_size": 0, "seed": 1})");
  const json step = ok(api, "step", R"({"unit": "epoch", "count": 5000})");
  EXPECT_EQ(step["iteration"], 5000);
  EXPECT_LT(ok(api, "state", "{}")["loss"].get<double>(), 0.01);
  const json run = ok(api, "export", "{}");
  EXPECT_TRUE(run["exact"].get<bool>()) << run["note"];
  EXPECT_EQ(run["model_name"], "xor.safetensors");
  EXPECT_NE(run["command"].get<std::string>().find("--epochs 5000"), std::string::npos) << run["command"];
}

TEST(PlaygroundApi, RefusedRequestsAnswerTheirStatusWithAMessage) {
  Api api;
  EXPECT_EQ(refused(api, "teleport", "{}"), 404);
  EXPECT_EQ(refused(api, "", "{}"), 404);
  EXPECT_EQ(refused(api, "data", R"({"set": "xor")"), 400);
  EXPECT_EQ(refused(api, "data", "[1, 2]"), 400);
  EXPECT_EQ(refused(api, "data", R"({"set": "nope"})"), 400);
  EXPECT_EQ(refused(api, "data", R"({"set": "xor", "extra": 1})"), 400);
  EXPECT_EQ(refused(api, "data", std::string(kMaxBodyBytes + 1, ' ')), 413);
  EXPECT_EQ(refused(api, "state", R"({"please": 1})"), 400);
  EXPECT_EQ(refused(api, "choices", R"({"please": 1})"), 400);
  EXPECT_EQ(refused(api, "network", R"({"layers": [{"units": 1, "activation": "sinusoid"}]})"), 400);
  EXPECT_EQ(refused(api, "numbers", R"({"last_step": true})"), 409);  // no step taken yet
  EXPECT_EQ(refused(api, "weight", R"({"layer": 5, "to": 0, "from": 0, "value": 1})"), 400);
  // A message quoting a name cut inside a UTF-8 character is still valid JSON.
  EXPECT_EQ(refused(api, "data", R"({"set": "xor", ")" + std::string(59, 'a') + "\xc3\xa9\": 1}"), 400);
  // A value nested 100,000 deep is refused without being written out (which would recurse as deep).
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(refused(api, "data", R"({"set": )" + deep + "}"), 400);
  EXPECT_EQ(refused(api, "network", R"({"layers": [{"units": )" + deep + "}]}"), 400);
  // And the session still answers.
  EXPECT_EQ(ok(api, "choices", "")["arithmetic"], json({"fast", "portable"}));
  EXPECT_EQ(ok(api, "step", R"({"unit": "epoch", "count": 3})")["iteration"], 3);
}

std::string base64(const std::string& bytes) {
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t k = 0; k < bytes.size(); k += 3) {
    const auto byte = [&](std::size_t i) { return i < bytes.size() ? static_cast<unsigned char>(bytes[i]) : 0u; };
    const unsigned v = byte(k) << 16 | byte(k + 1) << 8 | byte(k + 2);
    for (std::size_t d = 0; d < 4; ++d) out += k + d <= bytes.size() ? digits[v >> (18 - 6 * d) & 63] : '=';
  }
  return out;
}

json load_body(const std::string& bytes, const std::string& name) {
  return {{"model", base64(bytes)}, {"name", name}};
}

TEST(PlaygroundApi, AModelFileLoadsBackWithItsNetworkAndWeights) {
  Api trained;
  ok(trained, "data", R"({"set": "circle"})");
  ok(trained, "network", R"({"layers": [{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}],
                             "loss": "bce", "learning_rate": 0.3, "batch_size": 10})");
  ok(trained, "step", R"({"unit": "epoch", "count": 3})");
  const std::string bytes = trained.model_file();

  Api page;  // the default network on the same data, then the file
  ok(page, "data", R"({"set": "circle"})");
  const json loaded = ok(page, "load", load_body(bytes, "circle.safetensors").dump());
  EXPECT_EQ(loaded["loaded"], "circle.safetensors");
  EXPECT_EQ(loaded["config"]["layers"], ok(trained, "state", "")["config"]["layers"]);
  EXPECT_EQ(loaded["config"]["loss"], "bce");
  EXPECT_EQ(loaded["network"]["layers"], ok(trained, "state", "")["network"]["layers"]);
  EXPECT_EQ(loaded["loss"], ok(trained, "state", "")["loss"]);
  EXPECT_EQ(page.model_file(), bytes);  // the same file back, byte for byte
  ok(page, "step", R"({"unit": "epoch", "count": 1})");
  const json run = ok(page, "export", "{}");
  EXPECT_TRUE(run["exact"].get<bool>()) << run["note"];
  EXPECT_NE(run["command"].get<std::string>().find(" --init circle.safetensors --out circle.safetensors"),
            std::string::npos) << run["command"];
  EXPECT_EQ(ok(page, "reset", "")["loaded"], nullptr);  // the seed's weights again

  // Refused, naming what is wrong, and the page's network unchanged.
  const json now = ok(page, "state", "")["config"];
  EXPECT_EQ(refused(page, "load", R"({"model": "AB$D", "name": "m.safetensors"})"), 400);
  EXPECT_EQ(refused(page, "load", R"({"model": "QUJD", "name": "../m.safetensors"})"), 400);
  EXPECT_EQ(refused(page, "load", load_body("not a model file", "m.safetensors").dump()), 400);
  const std::string dense_on_dense =
      model_bytes(build_model<float>(parse_network("2-3-1", "--net")), {});  // no activation between
  const Reply stacked = page.call("load", load_body(dense_on_dense, "stacked.safetensors").dump());
  EXPECT_EQ(stacked.status, 400);
  EXPECT_NE(stacked.body.find("stacked.safetensors: layer 1 is a dense layer after a dense layer"), std::string::npos)
      << stacked.body;
  EXPECT_EQ(ok(page, "state", "")["config"], now);
  ok(page, "data", R"({"set": "function", "function": "sin"})");
  const Reply wide = page.call("load", load_body(bytes, "circle.safetensors").dump());
  EXPECT_EQ(wide.status, 400);
  EXPECT_NE(wide.body.find("the model takes 2 inputs; this data gives 1"), std::string::npos) << wide.body;
  ok(page, "data", R"({"set": "mazur"})");
  EXPECT_EQ(refused(page, "load", load_body(bytes, "circle.safetensors").dump()), 400);
}

TEST(PlaygroundApi, TwoThousandPointsFitInARequest) {
  Api api;
  json points = json::array();
  for (int k = 0; k < 2000; ++k) points.push_back({-123.456789 + k * 0.1234567, 98.7654321 - k * 0.0987654, k % 2});
  const std::string body = json{{"set", "points"}, {"points", points}}.dump();
  ASSERT_LT(body.size(), kMaxBodyBytes);
  EXPECT_EQ(ok(api, "data", body)["data"]["train_size"], 2000);
}

// A 2-D set and a 2-8-8-1 network (tanh, tanh, sigmoid), with these extra network fields.
json circle_network(Api& api, const std::string& extra = "") {
  ok(api, "data", R"({"set": "circle", "points": 200, "noise": 0.1, "test_split": 0.2, "seed": 1})");
  return ok(api, "network", R"({"layers": [{"units": 8, "activation": "tanh"}, {"units": 8, "activation": "tanh"},
                                           {"units": 1, "activation": "sigmoid"}], "learning_rate": 0.5,
                                "batch_size": 10)" + extra + "}");
}

TEST(PlaygroundApi, AStepScheduleSetsEachEpochsRateAndTheCommandNamesIt) {
  Api api;
  const json built = circle_network(api, R"(, "schedule": {"name": "step", "step_size": 2, "gamma": 0.5})");
  EXPECT_EQ(built["config"]["schedule"], json({{"name", "step"}, {"step_size", 2}, {"gamma", 0.5}}));
  EXPECT_EQ(built["learning_rate"], 0.5);
  ok(api, "step", R"({"unit": "epoch", "count": 2})");
  json state = ok(api, "state", "");
  EXPECT_EQ(state["learning_rate"], 0.5);  // epochs 1 and 2
  EXPECT_EQ(state["next_learning_rate"], 0.25);  // epoch 3
  ok(api, "step", R"({"unit": "batch", "count": 1})");
  state = ok(api, "state", "");
  EXPECT_EQ(state["learning_rate"], 0.25);
  EXPECT_EQ(ok(api, "numbers", R"({"last_step": true})")["learning_rate"], 0.25);
  const std::string command = ok(api, "export", "")["command"];
  EXPECT_NE(command.find(" --lr 0.5 --lr-schedule step --lr-step 2 --lr-gamma 0.5 "), std::string::npos) << command;
  // Cosine anneals over the run's epochs: its command repeats the page at that epoch only.
  circle_network(api, R"(, "schedule": {"name": "cosine", "epochs": 4})");
  ok(api, "step", R"({"unit": "epoch", "count": 2})");
  EXPECT_FALSE(ok(api, "export", "")["exact"].get<bool>());
  ok(api, "step", R"({"unit": "epoch", "count": 2})");
  const json cosine = ok(api, "export", "");
  EXPECT_TRUE(cosine["exact"].get<bool>()) << cosine["note"];
  EXPECT_NE(cosine["command"].get<std::string>().find("--lr-schedule cosine --batch-size 10 --epochs 4 "),
            std::string::npos);
  EXPECT_EQ(ok(api, "state", "")["next_learning_rate"], 0.0);  // epoch 5: 0.5 (1 + cos(pi 4 / 4)) / 2
}

TEST(PlaygroundApi, AStepCallStopsAtTheFirstEpochEndWhereItsConditionHolds) {
  Api api;
  circle_network(api);
  const json stopped = ok(api, "step", R"({"unit": "epoch", "count": 10000, "stop": {"train_loss_below": 0.05}})");
  ASSERT_TRUE(stopped["stopped"].get<bool>());
  const std::size_t epoch = stopped["epoch"];
  EXPECT_NE(stopped["stop_reason"].get<std::string>().find("the training loss"), std::string::npos);
  const json state = ok(api, "state", "");
  EXPECT_LT(state["loss"].get<double>(), 0.05);
  EXPECT_EQ(state["batch"], 0);  // at an epoch's end: the command repeats it
  EXPECT_EQ(state["stopped"], stopped["stop_reason"]);
  EXPECT_TRUE(ok(api, "export", "")["exact"].get<bool>());
  // Holding already: no step.
  const json again = ok(api, "step", R"({"unit": "batch", "count": 5, "stop": {"train_loss_below": 0.05}})");
  EXPECT_EQ(again["done"], 0);
  EXPECT_TRUE(again["stopped"].get<bool>());
  // The epoch before did not hold.
  ok(api, "reset", "");
  ok(api, "step", R"({"unit": "epoch", "count": )" + std::to_string(epoch - 1) + "}");
  EXPECT_GE(ok(api, "state", "")["loss"].get<double>(), 0.05);
  EXPECT_TRUE(ok(api, "state", "")["stopped"].is_null());
  // An epoch count, and a call that ends before its condition holds says nothing of a stop.
  EXPECT_EQ(ok(api, "step", R"({"unit": "batch", "count": 100000, "stop": {"epochs": 40}})")["epoch"], 40);
  const json going = ok(api, "step", R"({"unit": "batch", "count": 3, "stop": {"test_loss_below": 1e-9}})");
  EXPECT_FALSE(going.contains("stopped"));
  EXPECT_EQ(going["done"], 3);
}

TEST(PlaygroundApi, TheConfusionMatricesAreTheAccuracysCounts) {
  Api api;
  ok(api, "data", R"({"set": "blobs", "points": 150, "classes": 3, "test_split": 0.2, "seed": 3})");
  ok(api, "step", R"({"unit": "epoch", "count": 20})");
  const json state = ok(api, "state", "");
  const json& confusion = state["confusion"];
  ASSERT_EQ(confusion["classes"], 3);
  for (const auto& [set, size, accuracy] : {std::tuple{"train", "train_size", "accuracy"},
                                            std::tuple{"test", "test_size", "test_accuracy"}}) {
    std::size_t total = 0, right = 0;
    for (std::size_t t = 0; t < 3; ++t) {
      for (std::size_t p = 0; p < 3; ++p) total += confusion[set][t][p].get<std::size_t>();
      right += confusion[set][t][t].get<std::size_t>();
    }
    EXPECT_EQ(total, state["data"][size].get<std::size_t>()) << set;
    EXPECT_EQ(static_cast<double>(right) / static_cast<double>(total), state[accuracy].get<double>()) << set;
  }
  ok(api, "data", R"({"set": "function", "function": "sin", "points": 40})");  // regression: none
  EXPECT_FALSE(ok(api, "state", "").contains("confusion"));
}

TEST(PlaygroundApi, EachNeuronsPictureIsItsOutputOverThePlane) {
  Api api;
  const json state = circle_network(api);
  const json& neurons = state["neurons"];
  ASSERT_EQ(neurons["side"], 16);
  ASSERT_EQ(neurons["layers"].size(), 3u);
  const std::size_t units[] = {8, 8, 1};
  for (std::size_t k = 0; k < 3; ++k) {
    ASSERT_EQ(neurons["layers"][k].size(), units[k]);
    for (const json& cells : neurons["layers"][k]) {
      ASSERT_EQ(cells.size(), 256u);
      for (const json& v : cells) {
        EXPECT_LE(std::fabs(v.get<double>()), 1.0);
        if (k == 2) {
          EXPECT_GE(v.get<double>(), 0.0);  // sigmoid
        }
      }
    }
  }
  // Cell (row 3, column 11): every neuron's value is what predict says each activation gives there.
  const json& box = state["heatmap"];
  const double x = box["x0"].get<double>() + (box["x1"].get<double>() - box["x0"].get<double>()) * 11.5 / 16;
  const double y = box["y1"].get<double>() - (box["y1"].get<double>() - box["y0"].get<double>()) * 3.5 / 16;
  const json predicted = ok(api, "predict", json{{"input", {x, y}}}.dump());
  for (std::size_t k = 0; k < 3; ++k) {
    for (std::size_t j = 0; j < units[k]; ++j) {
      const double out = predicted["layers"][2 * k + 1]["out"][j];
      EXPECT_NEAR(neurons["layers"][k][j][3 * 16 + 11].get<double>(), out, 0.005 + 1e-9) << k << " " << j;
    }
  }
  // More neurons: a coarser grid, within the state's budget; a layer the drawing cannot picture: none.
  const json wide = ok(api, "network", R"({"layers": [{"units": 16}, {"units": 16}, {"units": 16}, {"units": 1}]})");
  EXPECT_EQ(wide["neurons"]["side"], 12);  // 49 neurons x 144 cells <= 8,192 values < 49 x 169
  EXPECT_FALSE(ok(api, "network", R"({"layers": [{"units": 17}, {"units": 1}]})").contains("neurons"));
  ok(api, "data", R"({"set": "mazur"})");  // no plane
  EXPECT_FALSE(ok(api, "state", "").contains("neurons"));
}

// The WebAssembly engine's standard library has no floating-point std::to_chars: there number_text
// and fixed_text are these printf twins, which must write the same characters.
TEST(NumberText, PrintfTwinsWriteWhatToCharsWrites) {
  std::mt19937_64 bits(7);
  std::uniform_real_distribution<double> uniform(-10, 10);
  std::vector<double> values = {0.0, -0.0, INFINITY, -INFINITY, NAN, 5e-324, 1.7976931348623157e308, 1e22, 1e23,
                                0.1, 0.3, 100, 1e15, 1e16, 1e17, 123400000, 123456789012345680000.0, 0.0001234};
  for (int e = -320; e <= 308; ++e) values.push_back(1.2345678901234567 * std::pow(10.0, e));
  for (int k = 0; k < 20000; ++k) {
    const std::uint64_t b = bits();
    double v;
    std::memcpy(&v, &b, sizeof v);
    values.insert(values.end(), {v, uniform(bits), static_cast<float>(uniform(bits)),
                                 std::ldexp(uniform(bits), static_cast<int>(bits() % 140) - 70),
                                 std::round(uniform(bits) * 1e4) / 1e4, std::round(uniform(bits) * 1e6)});
  }
  for (const double v : values) {
    char text[400];
    ASSERT_EQ(number_text_by_printf(v), std::string(text, std::to_chars(text, text + sizeof text, v).ptr));
    for (const int decimals : {0, 2, 3, 9}) {
      const auto [end, error] = std::to_chars(text, text + sizeof text, v, std::chars_format::fixed, decimals);
      if (error == std::errc()) {
        ASSERT_EQ(fixed_text_by_printf(v, decimals), std::string(text, end)) << decimals;
      }
    }
  }
}

}  // namespace
}  // namespace bpnn::serve

namespace bpnn::serve {
namespace {

// The circle's classes are a radius apart: with x1² and x2² as inputs, one sigmoid unit (no hidden
// layer) separates them. The CSV the command reads holds those features, named, each the float of
// its value computed in double from the point's floats.
TEST(PlaygroundFeatures, TheCircleOnSquaresNeedsNoHiddenLayer) {
  Api api;
  ok(api, "data", R"({"set": "circle", "points": 200, "noise": 0, "seed": 3})");
  json state = ok(api, "network", R"({"layers": [{"units": 1, "activation": "sigmoid"}], "learning_rate": 1,
                                      "features": ["x1_squared", "x2_squared"]})");
  EXPECT_EQ(state["config"]["features"], json({"x1_squared", "x2_squared"}));
  EXPECT_EQ(state["network"]["inputs"], 2);
  EXPECT_EQ(state["network"]["input_names"], json({"x1_squared", "x2_squared"}));
  ok(api, "step", R"({"unit": "epoch", "count": 2000})");
  state = ok(api, "state", "");
  EXPECT_GT(state["accuracy"].get<double>(), 0.9);

  const json run = ok(api, "export", "{}");
  EXPECT_TRUE(run["exact"].get<bool>()) << run["note"];
  EXPECT_NE(run["command"].get<std::string>().find("--net 2-1sigmoid "), std::string::npos) << run["command"];
  const std::string csv = run["csv"];
  ASSERT_EQ(csv.substr(0, csv.find('\n')), "x1_squared,x2_squared,label");
  // The first training point, (x1, x2) as the state lists it, and its features in the CSV.
  const json& point = state["data"]["train"][0];
  const double x1 = point[0], x2 = point[1];
  const std::string row = csv.substr(csv.find('\n') + 1, csv.find('\n', csv.find('\n') + 1) - csv.find('\n') - 1);
  char expected[96];
  std::snprintf(expected, sizeof expected, "%.9g,%.9g,%g", static_cast<double>(static_cast<float>(x1 * x1)),
                static_cast<double>(static_cast<float>(x2 * x2)), point[2].get<double>());
  EXPECT_EQ(row, expected);

  // The plot stays over the (x1, x2) plane; a point's prediction goes through the same features.
  EXPECT_EQ(state["heatmap"]["side"], 40);
  const json predicted = ok(api, "predict", R"({"sample": 0})");
  EXPECT_EQ(predicted["input"], json({x1, x2}));
}

TEST(PlaygroundFeatures, SineFeaturesAreBpnnsOwnSine) {
  Api api;
  ok(api, "data", R"({"set": "spiral", "points": 20, "seed": 1})");
  ok(api, "network", R"({"layers": [{"units": 1, "activation": "sigmoid"}], "features": ["sin_x2", "x1", "sin_x1"]})");
  const json state = ok(api, "state", "");
  const json run = ok(api, "export", "{}");
  const std::string csv = run["csv"];
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "sin_x2,x1,sin_x1,label");
  const json& point = state["data"]["train"][0];
  const double x1 = point[0], x2 = point[1];
  const std::size_t start = csv.find('\n') + 1;
  char expected[96];
  std::snprintf(expected, sizeof expected, "%.9g,%.9g,%.9g,", static_cast<double>(static_cast<float>(math::sin(x2))),
                static_cast<double>(static_cast<float>(x1)), static_cast<double>(static_cast<float>(math::sin(x1))));
  EXPECT_EQ(csv.substr(start, std::strlen(expected)), expected);
}

TEST(PlaygroundFeatures, BadFeaturesAreRefusedNamingTheField) {
  Api api;
  auto message = [&](const std::string& body) {
    const Reply reply = api.call("network", body);
    EXPECT_EQ(reply.status, 400) << body;
    return json::parse(reply.body)["error"].get<std::string>();
  };
  const std::string layers = R"("layers": [{"units": 1, "activation": "sigmoid"}])";
  EXPECT_NE(message("{" + layers + R"(, "features": ["x3"]})").find("network.features[0]"), std::string::npos);
  EXPECT_NE(message("{" + layers + R"(, "features": ["x1", "x1"]})").find("network.features[1]"), std::string::npos);
  EXPECT_NE(message("{" + layers + R"(, "features": []})").find("network.features"), std::string::npos);
  EXPECT_NE(message("{" + layers + R"(, "features": "x1"})").find("network.features"), std::string::npos);
  EXPECT_NE(message("{" + layers + R"(, "features": ["x1_squared"], "optimizer": "perceptron",
                     "layers": [{"units": 1, "activation": "step"}]})").find("perceptron"), std::string::npos);
  ok(api, "data", R"({"set": "function"})");
  EXPECT_NE(message(R"({"layers": [{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "identity"}],
                       "features": ["x1"]})").find("2-D sets"), std::string::npos);
  EXPECT_EQ(ok(api, "state", "")["config"]["features"], json::array());
}

TEST(PlaygroundL1AndDropout, TheCommandCarriesThemAndTheWeightsAreNamedAfterTheModel) {
  Api api;
  ok(api, "data", R"({"set": "xor_quadrants", "points": 100})");
  json state = ok(api, "network", R"({"layers": [{"units": 6, "activation": "tanh", "dropout": 0.3},
                                                 {"units": 4, "activation": "relu"},
                                                 {"units": 1, "activation": "sigmoid"}],
                                      "l1": 0.01, "weight_decay": 0.001, "batch_size": 10})");
  EXPECT_EQ(state["config"]["l1"], 0.01);
  EXPECT_EQ(state["config"]["layers"][0]["dropout"], 0.3);
  // dense, tanh, dropout, dense, relu, dense, sigmoid: the second and third dense layers are 3 and 5.
  const json& layers = state["network"]["layers"];
  EXPECT_EQ(layers[0]["index"], 0);
  EXPECT_EQ(layers[1]["index"], 3);
  EXPECT_EQ(layers[2]["index"], 5);
  ok(api, "weight", R"({"layer": 1, "to": 0, "from": 0, "value": 0.25})");
  EXPECT_EQ(ok(api, "state", "")["network"]["layers"][1]["weight"][0][0], 0.25);
  ok(api, "reset", "{}");
  ok(api, "step", R"({"unit": "epoch", "count": 3})");
  const json run = ok(api, "export", "{}");
  EXPECT_TRUE(run["exact"].get<bool>()) << run["note"];
  const std::string command = run["command"];
  EXPECT_NE(command.find(R"({"p":0.3,"type":"dropout"})"), std::string::npos) << command;
  EXPECT_NE(command.find(" --weight-decay 0.001 --l1 0.01 "), std::string::npos) << command;
  // The step's numbers and the chain rule see through the dropout layer.
  EXPECT_EQ(ok(api, "numbers", R"({"last_step": true})")["layers"][0]["activation"], "tanh, dropout");
  EXPECT_EQ(ok(api, "chain", R"({"layer": 1, "to": 0, "from": 0})")["name"], "w13");

  const auto refusal = [&](const std::string& body) {
    const Reply reply = api.call("network", body);
    EXPECT_EQ(reply.status, 400) << body;
    return json::parse(reply.body)["error"].get<std::string>();
  };
  EXPECT_NE(refusal(R"({"layers": [{"units": 1, "activation": "sigmoid", "dropout": 0.5}]})")
                .find("network.layers[0].dropout"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"layers": [{"units": 2, "dropout": 0.95}, {"units": 1}]})").find("network.layers[0].dropout"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"layers": [{"units": 1}], "l1": -1})").find("network.l1"), std::string::npos);
  EXPECT_NE(refusal(R"({"layers": [{"units": 1}], "l1": 0.1, "optimizer": "rprop"})").find("l1"), std::string::npos);
}

}  // namespace
}  // namespace bpnn::serve
