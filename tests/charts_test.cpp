// The command line's charts: nice axis ticks and their labels, the training log reader (old and
// new headers), and the SVGs it draws.
#include "charts.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bpnn/core/error.hpp"

namespace bpnn::cli {
namespace {

TEST(NiceTicks, UnitRangeInFifths) {
  const std::vector<double> ticks = nice_ticks(0, 1, 6);
  ASSERT_EQ(ticks.size(), 6u);
  for (std::size_t i = 0; i < ticks.size(); ++i) EXPECT_EQ(ticks[i], static_cast<double>(i) / 5) << i;
  EXPECT_EQ(ticks[3], 0.6);  // the double nearest 0.6, not 3 * 0.2 = 0.6000000000000001
}

TEST(NiceTicks, SmallRangeStepsByFiveThousandths) {
  const std::vector<double> ticks = nice_ticks(0.0123, 0.0456, 8);
  const std::vector<double> expected{0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.045};
  EXPECT_EQ(ticks, expected);  // exact: each is the double nearest its decimal
}

TEST(NiceTicks, StepsAreOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_EQ(nice_ticks(0, 100, 6), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(nice_ticks(0, 10, 11), (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(nice_ticks(-3, 7, 3), (std::vector<double>{0, 5}));
  EXPECT_EQ(nice_ticks(0.1, 0.35, 6), (std::vector<double>{0.1, 0.15, 0.2, 0.25, 0.3, 0.35}));
  EXPECT_EQ(nice_ticks(250, 1250, 5), (std::vector<double>{400, 600, 800, 1000, 1200}));
  EXPECT_EQ(nice_ticks(1, 0, 6), nice_ticks(0, 1, 6));  // order does not matter
  for (double high : {0.001, 0.7, 3.3, 42.0, 1e6}) {
    const std::vector<double> ticks = nice_ticks(0, high, 5);
    EXPECT_LE(ticks.size(), 5u) << high;
    EXPECT_GE(ticks.size(), 2u) << high;
  }
}

TEST(NiceTicks, DegenerateRanges) {
  EXPECT_TRUE(nice_ticks(0, std::numeric_limits<double>::infinity(), 5).empty());
  EXPECT_TRUE(nice_ticks(std::numeric_limits<double>::quiet_NaN(), 1, 5).empty());
  const std::vector<double> around = nice_ticks(2, 2, 5);  // a constant: ticks around it
  ASSERT_FALSE(around.empty());
  EXPECT_LE(around.front(), 2.0);
  EXPECT_GE(around.back(), 2.0);
}

TEST(TickLabel, NoFloatNoise) {
  EXPECT_EQ(tick_label(0.30000000000000004, 0.1), "0.3");
  EXPECT_EQ(tick_label(3 * 0.2, 0.2), "0.6");
  EXPECT_EQ(tick_label(0.015, 0.005), "0.015");
  EXPECT_EQ(tick_label(0.02, 0.005), "0.02");
  EXPECT_EQ(tick_label(1, 0.2), "1");
  EXPECT_EQ(tick_label(250, 50), "250");
  EXPECT_EQ(tick_label(-0.5, 0.5), "-0.5");
  EXPECT_EQ(tick_label(1e-17, 0.1), "0");
  EXPECT_EQ(tick_label(1.5e-8, 5e-9), "1.5e-08");
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(TrainingLog, ReadsValidationColumns) {
  const std::string path =
      write_temp("bpnn_charts_test_new.csv",
                 "epoch,train_loss,train_accuracy,test_loss,test_accuracy,val_loss,val_accuracy,seconds\n"
                 "1,0.5,0.75,,,0.6,0.7,0.01\n2,0.25,1,,,0.3,0.9,0.01\n");
  const TrainingLog log = read_training_log(path);
  ASSERT_EQ(log.epoch.size(), 2u);
  EXPECT_EQ(log.val_loss[1], 0.3);
  EXPECT_EQ(log.val_accuracy[0], 0.7);
  EXPECT_TRUE(std::isnan(log.test_loss[0]));
  EXPECT_EQ(log.seconds[1], 0.01);
  const std::string svg = training_curves_svg(log);
  EXPECT_NE(svg.find(">validation</text>"), std::string::npos);
  EXPECT_NE(svg.find(">accuracy</text>"), std::string::npos);
  std::remove(path.c_str());
}

TEST(TrainingLog, ReadsLogsWithoutValidationColumns) {
  const std::string path = write_temp("bpnn_charts_test_old.csv",
                                      "epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds\n"
                                      "1,0.5,,0.6,,0.01\n");
  const TrainingLog log = read_training_log(path);
  ASSERT_EQ(log.val_loss.size(), 1u);
  EXPECT_TRUE(std::isnan(log.val_loss[0]));
  EXPECT_EQ(log.test_loss[0], 0.6);
  // Regression: no accuracy logged, so the loss panel alone.
  const std::string svg = training_curves_svg(log);
  EXPECT_EQ(svg.find(">accuracy</text>"), std::string::npos);
  EXPECT_NE(svg.find("width='450'"), std::string::npos);
  std::remove(path.c_str());
}

TEST(TrainingLog, RowOfAnotherWidthNamesTheLine) {
  const std::string path = write_temp("bpnn_charts_test_bad.csv", "epoch,train_loss,seconds\n1,0.5\n");
  try {
    read_training_log(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(":2: expected 3 fields"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

TEST(ScatterSvg, PointsAndReferenceLine) {
  const std::string svg = scatter_svg({.title = "output 0",
                                       .x_label = "true",
                                       .y_label = "predicted",
                                       .x = {0, 0.5, 1},
                                       .y = {0.1, 0.4, 0.9},
                                       .reference = ScatterPlot::Reference::diagonal});
  std::size_t circles = 0;
  for (std::size_t at = svg.find("<circle"); at != std::string::npos; at = svg.find("<circle", at + 1)) ++circles;
  EXPECT_EQ(circles, 3u);
  EXPECT_NE(svg.find(">0.2</text>"), std::string::npos);  // nice tick labels
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
}

}  // namespace
}  // namespace bpnn::cli
