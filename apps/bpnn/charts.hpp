// Pictures people look at instead of reading numbers: training curves as SVG, digits as PNG.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bpnn::cli {

// The per-epoch CSV log that `bpnn train --log` writes. Missing fields read as NaN.
struct TrainingLog {
  std::vector<double> epoch, train_loss, train_accuracy, test_loss, test_accuracy, seconds;
};

// Throws Error naming the file and line for a malformed log.
TrainingLog read_training_log(const std::string& path);

// One SVG with two panels side by side: loss and accuracy per epoch, train and test.
std::string training_curves_svg(const TrainingLog& log);

// A grey-scale image (one byte a pixel, row-major) as a PNG file's bytes.
std::string encode_png(const std::vector<std::uint8_t>& pixels, std::size_t width, std::size_t height);

std::string base64(const std::string& bytes);

}  // namespace bpnn::cli
