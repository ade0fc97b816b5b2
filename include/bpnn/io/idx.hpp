// The IDX format of MNIST and Fashion-MNIST: a big-endian header (0, 0, type 0x08 for unsigned
// bytes, the number of dimensions, then each dimension as 4 bytes) followed by the values.
// gzip-compressed files are recognized by their content and read transparently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bpnn/core/shape.hpp"
#include "bpnn/data/dataset.hpp"

namespace bpnn {

struct IdxOptions {
  // Empty: found by the MNIST naming, ...-images-idx3-ubyte[.gz] -> ...-labels-idx1-ubyte[.gz].
  std::string labels_path = "";
  float low = 0.0f;   // pixel 0 maps to low
  float high = 1.0f;  // pixel 255 maps to high (0.01, 0.99 is the tutorial's scaling)
  // Images only, targets [N, 0] (predicting on new images): always (no_labels), or when no
  // labels file is given and none is found by the naming (labels_optional).
  bool no_labels = false;
  bool labels_optional = false;
};

// Images [N, rows, cols] scaled to [low, high] and labels [N]. Throws Error naming the file for
// anything malformed: bad magic, wrong type, truncated data, counts that disagree.
Dataset read_idx(const std::string& images_path, const IdxOptions& options = {});

// Any unsigned-byte IDX file: its dimensions and values.
struct IdxArray {
  Shape shape;
  std::vector<std::uint8_t> values;
};
IdxArray read_idx_array(const std::string& path);
// Writes array as IDX, gzip-compressed when path ends in ".gz", atomically.
void write_idx_array(const std::string& path, const IdxArray& array);

// The labels file the MNIST naming gives for an images file ("" if the name does not follow it).
std::string idx_labels_path_for(const std::string& images_path);

}  // namespace bpnn
