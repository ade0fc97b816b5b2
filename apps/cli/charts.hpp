// Pictures people look at instead of reading numbers: training curves as SVG, digits as PNG.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bpnn::cli {

// The per-epoch CSV log that `bpnn train --log` writes. Missing fields read as NaN.
struct TrainingLog {
  std::vector<double> epoch, train_loss, train_accuracy, test_loss, test_accuracy, val_loss, val_accuracy, seconds;
};

// Reads the columns by the header's names, so logs written before the validation columns existed
// read too (their val_ columns all NaN). Throws Error naming the file and line for a malformed log.
TrainingLog read_training_log(const std::string& path);

// Loss and accuracy per epoch side by side, train solid, test dashed, validation dotted; only the
// loss panel when no accuracy was logged (regression).
std::string training_curves_svg(const TrainingLog& log);

// Axis ticks at the multiples of one step of 1, 2 or 5 x 10^k that lie in [low, high]: the
// smallest such step giving at most max_ticks (at least 2) of them. 0..1 with 6 gives 0, 0.2, ..,
// 1. Each tick is i * step computed so that it is the double nearest the decimal (0.3, not
// 0.30000000000000004). Empty for a non-finite range; low == high gives ticks around the value.
std::vector<double> nice_ticks(double low, double high, std::size_t max_ticks);

// A tick's label without float noise: the value to the decimals its step has, trailing zeros
// dropped (0.3, 0.015, 1, 250); exponent form for very large or small steps.
std::string tick_label(double value, double step);

// A scatter plot of points (x[i], y[i]) with nice ticks on both axes and a reference line: the
// diagonal y = x (predicted against true) or the horizontal y = 0 (residuals).
struct ScatterPlot {
  std::string title, x_label, y_label;
  std::vector<double> x{}, y{};
  enum class Reference { diagonal, zero } reference = Reference::diagonal;
};
std::string scatter_svg(const ScatterPlot& plot);

// A grey-scale image (one byte a pixel, row-major) as a PNG file's bytes.
std::string encode_png(const std::vector<std::uint8_t>& pixels, std::size_t width, std::size_t height);

std::string base64(const std::string& bytes);

}  // namespace bpnn::cli
