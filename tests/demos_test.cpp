// The demos' key figures, and each demo's --trace read back and checked against what it printed.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "demo_support.hpp"
#include "logic.hpp"
#include "mazur.hpp"
#include "perceptron.hpp"
#include "regression.hpp"
#include "support/temp_dir.hpp"

namespace bpnn::examples {
namespace {

using nlohmann::json;

void expect_contains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "missing: " << part;
}

std::vector<json> read_trace(const std::string& path) {
  std::ifstream in(path);
  std::vector<json> records;
  for (std::string line; std::getline(in, line);) records.push_back(json::parse(line));
  return records;
}

// The records of one kind.
std::vector<json> records(const std::vector<json>& trace, const std::string& kind) {
  std::vector<json> out;
  for (const json& r : trace) {
    if (r["record"] == kind) out.push_back(r);
  }
  return out;
}

TEST(MazurDemo, ExactOrderPrintsEveryFigure) {
  testing::TempDir dir;
  std::ostringstream out;
  ASSERT_EQ(run_mazur({.trace = dir.file("t.jsonl")}, out), 0);
  const std::string text = out.str();
  for (const char* figure : {"out_o1 = 0.751365070", "out_o2 = 0.772928465", "E_total = 0.298371109",
                             "= 0.74136507", "= 0.186815602", "= 0.593269992", "dE/dw5 = 0.082167041",
                             "dE/dw1 = 0.000438568", "w5 = 0.358916480", "w1 = 0.149780716",
                             "1     E = 0.291027774", "--tutorial-order reproduces"}) {
    expect_contains(text, figure);
  }
  const std::vector<json> errors = records(read_trace(dir.file("t.jsonl")), "error");
  ASSERT_EQ(errors.size(), 5u);
  EXPECT_EQ(errors[0]["iteration"], 1);
  EXPECT_EQ(fixed(errors[0]["E"].get<double>()), "0.291027774");  // the printed value
  EXPECT_EQ(errors[4]["iteration"], 10000);
}

TEST(MazurDemo, TutorialOrderReproducesTheTutorialsFigures) {
  std::ostringstream out;
  ASSERT_EQ(run_mazur({.tutorial_order = true}, out), 0);
  const std::string text = out.str();
  expect_contains(text, "1     E = 0.291027924");
  expect_contains(text, "10000 E = 0.000035085   out_o1 = 0.015912196   out_o2 = 0.984065734");
  expect_contains(text, "dE/dw5 = 0.082167041");  // the first gradients are the same in both orders
}

TEST(PerceptronDemo, LearnsTheSeparableGatesOnly) {
  testing::TempDir dir;
  std::ostringstream out;
  ASSERT_EQ(run_perceptron({.trace = dir.file("t.jsonl")}, out), 0);
  const std::string text = out.str();
  for (const char* gate : {"AND   learned", "OR    learned", "NAND  learned", "XOR   did NOT converge",
                           "XNOR  did NOT converge"}) {
    expect_contains(text, gate);
  }
  const std::vector<json> gates = records(read_trace(dir.file("t.jsonl")), "gate");
  ASSERT_EQ(gates.size(), 5u);
  EXPECT_EQ(gates[0]["gate"], "AND");
  EXPECT_EQ(gates[0]["converged"], 1);
  EXPECT_EQ(gates[0]["outputs"], json({0, 0, 0, 1}));
  expect_contains(text, "learned in " + std::to_string(gates[0]["epochs"].get<int>()) + " epochs");
  EXPECT_EQ(gates[3]["converged"], 0);
}

TEST(XorDemo, LearnsTheTruthTable) {
  testing::TempDir dir;
  std::ostringstream out;
  ASSERT_EQ(run_xor({.trace = dir.file("t.jsonl")}, out), 0);
  const std::vector<json> trace = read_trace(dir.file("t.jsonl"));
  EXPECT_EQ(records(trace, "loss").size(), 10u);
  const json outputs = records(trace, "final")[0]["outputs"];
  const double targets[] = {0, 1, 1, 0};
  for (std::size_t n = 0; n < 4; ++n) {
    EXPECT_NEAR(outputs[n].get<double>(), targets[n], 0.1);
    expect_contains(out.str(), fixed(outputs[n].get<double>(), 4));
  }
}

TEST(XnorDemo, DeterministicConvergesAndShowsEveryIteration) {
  testing::TempDir dir;
  std::ostringstream a, b;
  ASSERT_EQ(run_xnor({.seed = 1, .trace = dir.file("t.jsonl")}, a), 0);
  ASSERT_EQ(run_xnor({.seed = 1}, b), 0);
  auto without_time = [](std::string s) { return s.substr(0, s.find("run time:")); };
  EXPECT_EQ(without_time(a.str()), without_time(b.str()));
  const std::string text = a.str();
  expect_contains(text, "learning rate ");
  expect_contains(text, "drawn uniformly from [0.5, 5)");
  expect_contains(text, "converged: every output within 0.05");
  expect_contains(text, "run time: ");
  const std::vector<json> trace = read_trace(dir.file("t.jsonl"));
  const json result = records(trace, "result")[0];
  const int iterations = result["iterations"].get<int>();
  EXPECT_EQ(result["converged"], 1);
  expect_contains(text, "total iterations: " + std::to_string(iterations));
  // Every iteration (and the start) is printed and traced.
  EXPECT_EQ(records(trace, "iteration").size(), static_cast<std::size_t>(iterations) + 1);
  expect_contains(text, "iteration " + std::to_string(iterations) + "\n");
  const json last = records(trace, "iteration").back();
  expect_contains(text, "b2 = " + fixed(last["b2"][0].get<double>(), 6));
  const double targets[] = {1, 0, 0, 1};
  for (std::size_t n = 0; n < 4; ++n) EXPECT_NEAR(last["outputs"][n].get<double>(), targets[n], 0.05);
}

TEST(XnorDemo, SaysPlainlyWhenItDoesNotConverge) {
  std::ostringstream out;
  ASSERT_EQ(run_xnor({.seed = 1, .max_iterations = 10, .every = 5}, out), 0);
  expect_contains(out.str(), "did NOT converge in 10 iterations: the final MSE is ");
  EXPECT_EQ(out.str().find("iteration 3\n"), std::string::npos);  // --every 5 thins the output
  expect_contains(out.str(), "iteration 5\n");
}

TEST(RegressionDemo, LearnsFarBetterThanTheMean) {
  testing::TempDir dir;
  std::ostringstream out;
  ASSERT_EQ(run_regression({.epochs = 600, .every = 200, .trace = dir.file("t.jsonl")}, out), 0);
  const json final = records(read_trace(dir.file("t.jsonl")), "final")[0];
  EXPECT_LT(final["test_mse"].get<double>(), final["baseline_mse"].get<double>() / 5);
  expect_contains(out.str(), "final test MSE:                      " + fixed(final["test_mse"].get<double>(), 6));
  EXPECT_EQ(records(read_trace(dir.file("t.jsonl")), "epoch").size(), 4u);  // epochs 1, 200, 400, 600
}

}  // namespace
}  // namespace bpnn::examples
