// The playground's data sets: the tutorials' truth tables, the 2-2-2 worked example, 2-D sets
// (circle, two blobs, XOR quadrants, spiral) drawn from a seed, a learner's own points, and a 1-D
// function to fit (regression).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "request.hpp"

namespace bpnn::serve {

struct PlayData {
  std::string name;       // "xor", "spiral", ...
  std::size_t inputs = 0;
  // Classification: targets hold one label per sample (0 .. classes-1). Regression (the worked
  // example): targets hold `outputs` values per sample.
  std::size_t classes = 0;
  std::size_t outputs = 0;
  std::vector<double> train_x{}, train_y{}, test_x{}, test_y{};  // row-major [N, inputs], [N, 1 or outputs]
  // The inputs' names, the training CSV's header (with_features sets them); empty: x1, x2, ...
  std::vector<std::string> input_names{};

  bool classification() const { return classes > 0; }
  std::size_t target_width() const { return classification() ? 1 : outputs; }
  std::size_t train_size() const { return inputs == 0 ? 0 : train_x.size() / inputs; }
  std::size_t test_size() const { return inputs == 0 ? 0 : test_x.size() / inputs; }
};

inline constexpr std::size_t kMaxPoints = 2000;
inline constexpr int kMaxClasses = 10;                   // a learner's own points: labels 0 to 9
inline constexpr std::int64_t kMaxGeneratedClasses = 6;  // blobs and spiral
// With more inputs (digits) the state leaves out the pixels and the first layer's weights.
inline constexpr std::size_t kShownInputs = 64;

// The data set a request names: {"set": "xor"} or {"set": "spiral", "points": 200, "classes": 3,
// "noise": 0.1, "test_split": 0.2, "seed": 1} ("classes" for blobs and spiral), or {"set": "points",
// "points": [[x, y, label], ...]} (or "csv": "x,y,label" lines; labels 0 to 9, as many classes as the
// largest label says, at least two), or {"set": "function", "function": "sin" | "square" | "abs" | "step", "points",
// "noise", "test_split", "seed"} (regression: y = f(x) + noise, x in [-3, 3]). Throws RequestError
// naming the field.
PlayData make_data(const json& request);

// The data as the state's JSON: its name and request, sizes, and (inputs <= kShownInputs) the
// training and test samples as rows of inputs then targets.
json data_json(const PlayData& data, const json& request);

// The training set as `bpnn train` reads it (CsvWriter): a header, then each sample's inputs and its
// label (classification: a column named label, which bpnn train takes as the class) or targets
// (regression), every number written to float's 9 digits.
std::string training_csv(const PlayData& data);
// That file's header: the inputs' names (x1, x2, ...) and the targets' (label; y, or y1, y2, ...),
// which bpnn train records in the model it saves.
struct CsvColumns {
  std::vector<std::string> inputs, targets;
};
CsvColumns training_csv_columns(const PlayData& data);

// Where the state draws the model's output: along x for one input ("curve"), over the plane for
// two inputs and classes ("heatmap"), or nowhere (name ""). The data's range with a margin.
struct PlotGrid {
  std::string name;
  json box;                   // x0, x1 (and y0, y1, side for the heatmap)
  std::vector<double> points;  // the inputs [cells, inputs], the heatmap's row 0 at the top
};
PlotGrid plot_grid(const PlayData& data);

// The heatmap's plane (a PlotGrid named "heatmap") as a coarser grid: the centres of side x side
// cells over the same box, [side², 2], row 0 at the top. Where the state pictures each neuron.
std::vector<double> plane_points(const PlotGrid& heatmap, std::size_t side);

// The input features a network on a 2-D set may take (TF Playground's): x1, x2, x1², x2², x1·x2,
// sin x1 and sin x2, each a function of the point (x1, x2). sin is bpnn's own (core/math.hpp),
// never the C library's, so the page's WebAssembly engine and this machine make the same bits.
struct InputFeature {
  std::string_view name;   // in requests and the CSV's header: "x1_squared"
  std::string_view label;  // as the page writes it: "x₁²"
  double (*value)(double x1, double x2);
};
const std::vector<InputFeature>& input_features();
json input_features_json();  // [{"name", "label"}, ...], for the page's checkboxes

// Points [N, 2] (x1, x2) as the named features' columns [N, features], each value rounded to float
// as a float run (and bpnn train, reading the exported CSV) takes it. The names must be
// input_features()'s (read_network_config checks them).
std::vector<double> feature_rows(const std::vector<double>& points, const std::vector<std::string>& features);
// A 2-D set as a network on those features sees it: its samples' feature columns, named after them.
PlayData with_features(const PlayData& data, const std::vector<std::string>& features);

}  // namespace bpnn::serve
