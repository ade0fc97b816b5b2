// The data readers: exact values from small files of each format, and a clear error naming the
// file (and line) for every kind of bad input, truncation at every byte included.
#include <gtest/gtest.h>

#include <filesystem>

#include "bpnn/bpnn.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace bpnn {
namespace {

using testing::expect_error;
using testing::TempDir;


IdxArray images_2x2x3() { return {Shape{2, 2, 3}, {0, 255, 51, 102, 153, 204, 1, 2, 3, 4, 5, 6}}; }
IdxArray labels_of_2() { return {Shape{2}, {7, 3}}; }

TEST(Idx, PlainAndGzipRoundTripWithLabelsFoundByName) {
  TempDir dir;
  for (const std::string suffix : {"", ".gz"}) {
    const std::string images = dir.file("train-images-idx3-ubyte" + suffix);
    write_idx_array(images, images_2x2x3());
    write_idx_array(dir.file("train-labels-idx1-ubyte" + suffix), labels_of_2());
    const Dataset d = read_idx(images);
    ASSERT_EQ(d.inputs.shape(), (Shape{2, 2, 3}));
    EXPECT_EQ(d.inputs[0], 0.0f);
    EXPECT_EQ(d.inputs[1], 1.0f);
    EXPECT_FLOAT_EQ(d.inputs[2], 0.2f);
    EXPECT_EQ(d.targets.shape(), (Shape{2}));
    EXPECT_EQ(d.targets[0], 7.0f);
    EXPECT_EQ(d.targets[1], 3.0f);
    EXPECT_EQ(d.classes, 8u);
    EXPECT_EQ(read_dataset(images).size(), 2u);  // recognized by content
  }
  // Compressed images with uncompressed labels are paired too.
  std::filesystem::remove(dir.file("train-labels-idx1-ubyte.gz"));
  EXPECT_EQ(read_idx(dir.file("train-images-idx3-ubyte.gz")).size(), 2u);
}

TEST(Idx, InputRangeGivesTheTutorialsScaling) {
  TempDir dir;
  write_idx_array(dir.file("a-images-idx3-ubyte"), images_2x2x3());
  write_idx_array(dir.file("a-labels-idx1-ubyte"), labels_of_2());
  const Dataset d = read_idx(dir.file("a-images-idx3-ubyte"), {.low = 0.01f, .high = 0.99f});
  EXPECT_FLOAT_EQ(d.inputs[0], 0.01f);
  EXPECT_FLOAT_EQ(d.inputs[1], 0.99f);
  EXPECT_FLOAT_EQ(d.inputs[2], 0.01f + 0.98f * 51 / 255);
}

TEST(Idx, ExplicitLabelsAndMismatches) {
  TempDir dir;
  write_idx_array(dir.file("imgs.idx"), images_2x2x3());
  write_idx_array(dir.file("labs.idx"), labels_of_2());
  EXPECT_EQ(read_idx(dir.file("imgs.idx"), {.labels_path = dir.file("labs.idx")}).size(), 2u);
  expect_error([&] { read_idx(dir.file("imgs.idx")); }, {"imgs.idx", "labels"});
  write_idx_array(dir.file("three.idx"), {Shape{3}, {1, 2, 3}});
  expect_error([&] { read_idx(dir.file("imgs.idx"), {.labels_path = dir.file("three.idx")}); }, {"three.idx", "3 labels", "2 images"});
  expect_error([&] { read_idx(dir.file("labs.idx"), {.labels_path = dir.file("labs.idx")}); }, {"labs.idx", "3 dimensions"});
  expect_error([&] { read_idx(dir.file("imgs.idx"), {.labels_path = dir.file("imgs.idx")}); }, {"imgs.idx", "1 dimension"});
  expect_error([&] { read_idx(dir.file("missing-images-idx3-ubyte")); }, {"missing-images-idx3-ubyte", "cannot open"});
}

TEST(Idx, MalformedHeaders) {
  TempDir dir;
  expect_error([&] { read_idx_array(dir.write("empty", "")); }, {"empty", "too short"});
  expect_error([&] { read_idx_array(dir.write("magic", std::string("\x01\x00\x08\x01\0\0\0\0", 8))); }, {"magic", "not an IDX"});
  expect_error([&] { read_idx_array(dir.write("type", std::string("\0\0\x0d\x01\0\0\0\0", 8))); }, {"type", "not supported"});
  expect_error([&] { read_idx_array(dir.write("rank", std::string("\0\0\x08\x09", 4))); }, {"rank", "9 dimensions"});
  expect_error([&] { read_idx_array(dir.write("trail", std::string("\0\0\x08\x01\0\0\0\x01\x05\x06", 10))); }, {"trail", "trailing"});
  // A header promising 4 billion values on a tiny file is refused before any allocation.
  expect_error([&] { read_idx_array(dir.write("huge", std::string("\0\0\x08\x01\xff\xff\xff\xff\x01", 9))); }, {"huge", "truncated"});
  expect_error([&] { read_idx_array(dir.write("bad.gz", std::string("\x1f\x8b\x08\x00garbage", 11))); }, {"bad.gz"});
}

TEST(Idx, TruncationAtEveryByteIsAClearError) {
  TempDir dir;
  write_idx_array(dir.file("full"), images_2x2x3());
  const std::string full = read_file(dir.file("full"));
  for (std::size_t length = 0; length < full.size(); ++length) {
    const std::string path = dir.write("cut", full.substr(0, length));
    EXPECT_THROW(read_idx_array(path), Error) << "length " << length;
  }
  write_idx_array(dir.file("full.gz"), images_2x2x3());
  const std::string gz = read_file(dir.file("full.gz"));
  for (std::size_t length = 0; length < gz.size(); ++length) {
    const std::string path = dir.write("cut.gz", gz.substr(0, length));
    EXPECT_THROW(read_idx_array(path), Error) << "gzip length " << length;
  }
}

TEST(Csv, ClassificationWithAndWithoutHeader) {
  TempDir dir;
  for (const std::string header : {"", "label,a,b\n"}) {
    const Dataset d = read_csv(dir.write("c.csv", header + "1,0.5,-2\n0, 3e-1 ,4\r\n\n2,1,1\n"));
    ASSERT_EQ(d.inputs.shape(), (Shape{3, 2}));
    EXPECT_EQ(d.inputs(0, 1), -2.0f);
    EXPECT_FLOAT_EQ(d.inputs(1, 0), 0.3f);
    EXPECT_EQ(d.targets.shape(), (Shape{3}));
    EXPECT_EQ(d.targets[2], 2.0f);
    EXPECT_EQ(d.classes, 3u);
  }
}

TEST(Csv, RegressionTargetColumns) {
  TempDir dir;
  const Dataset d = read_csv(dir.write("r.csv", "x,y,t1,t2\n1,2,3,4\n5,6,7,8\n"), {.target_columns = 2});
  ASSERT_EQ(d.inputs.shape(), (Shape{2, 2}));
  ASSERT_EQ(d.targets.shape(), (Shape{2, 2}));
  EXPECT_EQ(d.inputs(1, 1), 6.0f);
  EXPECT_EQ(d.targets(1, 0), 7.0f);
  EXPECT_EQ(d.classes, 0u);
}

TEST(Csv, BadInputNamesFileAndLine) {
  TempDir dir;
  expect_error([&] { read_csv(dir.write("ragged.csv", "1,2,3\n0,1\n")); }, {"ragged.csv:2", "2 columns"});
  expect_error([&] { read_csv(dir.write("word.csv", "1,2,3\n0,x,1\n")); }, {"word.csv:2", "column 2", "'x'"});
  expect_error([&] { read_csv(dir.write("nan.csv", "1,2,nan\n")); }, {"nan.csv:1", "NaN"});
  expect_error([&] { read_csv(dir.write("inf.csv", "1,2,3\n1,inf,3\n")); }, {"inf.csv:2", "infinite"});
  expect_error([&] { read_csv(dir.write("label.csv", "1.5,2,3\n")); }, {"label.csv:1", "class label"});
  expect_error([&] { read_csv(dir.write("negative.csv", "-1,2,3\n")); }, {"negative.csv:1", "class label"});
  expect_error([&] { read_csv(dir.write("empty.csv", "")); }, {"empty.csv", "no samples"});
  expect_error([&] { read_csv(dir.write("header.csv", "a,b\n")); }, {"header.csv", "no samples"});
  expect_error([&] { read_csv(dir.write("narrow.csv", "1\n2\n")); }, {"narrow.csv", "no inputs"});
  expect_error([&] { read_csv(dir.file("absent.csv")); }, {"absent.csv", "cannot open"});
}

TEST(Fann, ReadsPairsWhateverTheLineBreaks) {
  TempDir dir;
  const Dataset d = read_fann(dir.write("xor.data", "4 2 1\n0 0\n0\n0 1\n1\n1 0\n1\n1\n1 0\n"));
  ASSERT_EQ(d.inputs.shape(), (Shape{4, 2}));
  ASSERT_EQ(d.targets.shape(), (Shape{4, 1}));
  EXPECT_EQ(d.inputs(3, 0), 1.0f);
  EXPECT_EQ(d.targets(1, 0), 1.0f);
  EXPECT_EQ(d.targets(3, 0), 0.0f);
  EXPECT_EQ(read_dataset(dir.file("xor.data")).size(), 4u);  // chosen by the .data name
}

TEST(Fann, BadInputNamesFileAndLine) {
  TempDir dir;
  expect_error([&] { read_fann(dir.write("a.data", "")); }, {"a.data", "header"});
  expect_error([&] { read_fann(dir.write("b.data", "2 x 1\n")); }, {"b.data:1", "number of inputs"});
  expect_error([&] { read_fann(dir.write("c.data", "2 2 1\n0 0\n0\n1 1\n")); }, {"c.data", "ends early", "pair 2"});
  expect_error([&] { read_fann(dir.write("d.data", "1 2 1\n0 0\n0\n5\n")); }, {"d.data:4", "more values"});
  expect_error([&] { read_fann(dir.write("e.data", "1 2 1\n0 zero\n0\n")); }, {"e.data:2", "'zero'"});
  expect_error([&] { read_fann(dir.write("f.data", "1000000000 2 1\n0 0\n0\n")); }, {"f.data:1", "more than the file"});
  expect_error([&] { read_fann(dir.write("g.data", "1 2 1\n0 nan\n0\n")); }, {"g.data:2", "NaN"});
}

TEST(OneHot, UsesTheOffAndOnValues) {
  const Tensor<float> rows = one_hot(Tensor<float>(Shape{2}, {2, 0}), 3, 0.01f, 0.99f);
  ASSERT_EQ(rows.shape(), (Shape{2, 3}));
  EXPECT_EQ(rows(0, 2), 0.99f);
  EXPECT_EQ(rows(0, 0), 0.01f);
  EXPECT_EQ(rows(1, 0), 0.99f);
  EXPECT_THROW(one_hot(Tensor<float>(Shape{1}, {3}), 3), Error);
}

TEST(FashionMnist, DebianPackageFilesRead) {
  const std::string images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  if (!std::filesystem::exists(images)) GTEST_SKIP() << "Debian package dataset-fashion-mnist is not installed";
  const Dataset d = read_idx(images);
  EXPECT_EQ(d.inputs.shape(), (Shape{10000, 28, 28}));
  EXPECT_EQ(d.classes, 10u);
  EXPECT_EQ(d.targets[0], 9.0f);  // the first test image is an ankle boot
  EXPECT_EQ(d.targets[1], 2.0f);  // then a pullover
}

}  // namespace
}  // namespace bpnn
