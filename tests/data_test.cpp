// The data readers: exact values from small files of each format, and a clear error naming the
// file (and line) for every kind of bad input, truncation at every byte included.
#include <gtest/gtest.h>

#include <filesystem>

#include "bpnn/bpnn.hpp"
#include "bpnn/io/csv.hpp"
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
  expect_error([&] { read_idx(dir.file("imgs.idx"), {.labels_path = dir.file("three.idx")}); },
               {"three.idx", "3 labels", "2 images"});
  expect_error([&] { read_idx(dir.file("labs.idx"), {.labels_path = dir.file("labs.idx")}); },
               {"labs.idx", "3 dimensions"});
  expect_error([&] { read_idx(dir.file("imgs.idx"), {.labels_path = dir.file("imgs.idx")}); },
               {"imgs.idx", "1 dimension"});
  expect_error([&] { read_idx(dir.file("missing-images-idx3-ubyte")); }, {"missing-images-idx3-ubyte: no such file"});
}

TEST(Idx, MalformedHeaders) {
  TempDir dir;
  expect_error([&] { read_idx_array(dir.write("empty", "")); }, {"empty", "too short"});
  expect_error([&] { read_idx_array(dir.write("magic", std::string("\x01\x00\x08\x01\0\0\0\0", 8))); },
               {"magic", "not an IDX"});
  expect_error([&] { read_idx_array(dir.write("type", std::string("\0\0\x0d\x01\0\0\0\0", 8))); },
               {"type", "not supported"});
  expect_error([&] { read_idx_array(dir.write("rank", std::string("\0\0\x08\x09", 4))); }, {"rank", "9 dimensions"});
  expect_error([&] { read_idx_array(dir.write("trail", std::string("\0\0\x08\x01\0\0\0\x01\x05\x06", 10))); },
               {"trail", "trailing"});
  // A header promising 4 billion values on a tiny file is refused before any allocation.
  expect_error([&] { read_idx_array(dir.write("huge", std::string("\0\0\x08\x01\xff\xff\xff\xff\x01", 9))); },
               {"huge", "truncated"});
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
  expect_error([&] { read_csv(dir.write("word.csv", "1,2,3\n0,x,1\n")); },
               {"word.csv:2", "column index 1", "'x'", "--label 1", "--drop 1"});
  expect_error([&] { read_csv(dir.write("nan.csv", "1,2,nan\n")); }, {"nan.csv:1", "NaN"});
  expect_error([&] { read_csv(dir.write("inf.csv", "1,2,3\n1,inf,3\n")); }, {"inf.csv:2", "infinite"});
  expect_error([&] { read_csv(dir.write("label.csv", "1.5,2,3\n")); },
               {"label.csv:1", "class label '1.5' in column index 0 is not a whole number", "--target-cols"});
  expect_error([&] { read_csv(dir.write("empty.csv", "")); }, {"empty.csv", "no samples"});
  expect_error([&] { read_csv(dir.write("header.csv", "a,b\n")); }, {"header.csv", "no samples"});
  expect_error([&] { read_csv(dir.write("narrow.csv", "1\n2\n")); }, {"narrow.csv", "no inputs"});
  expect_error([&] { read_csv(dir.file("absent.csv")); }, {"absent.csv: no such file"});
}

TEST(Fann, ReadsPairsWhateverTheLineBreaks) {
  TempDir dir;
  const Dataset d = read_fann(dir.write("xor.data", "4 2 1\n0 0\n0\n0 1\n1\n1 0\n1\n1\n1 0\n"));
  ASSERT_EQ(d.inputs.shape(), (Shape{4, 2}));
  ASSERT_EQ(d.targets.shape(), (Shape{4, 1}));
  EXPECT_EQ(d.inputs(3, 0), 1.0f);
  EXPECT_EQ(d.targets(1, 0), 1.0f);
  EXPECT_EQ(d.targets(3, 0), 0.0f);
  EXPECT_EQ(read_dataset(dir.file("xor.data")).size(), 4u);  // chosen by its content
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

// An iris-like file: a header, the label last and named, class names as text.
const char* const kIris =
    "sepal_length,sepal_width,species\n"
    "5.1,3.5,setosa\n"
    "7.0,3.2,versicolor\n"
    "6.3,3.3,virginica\n"
    "4.9,3.0,setosa\n";

TEST(Csv, StringLabelsAreClassNamesInSortedOrder) {
  TempDir dir;
  // The label column is found by name only when named label/class/target/y; here it is given.
  const Dataset d = read_csv(dir.write("iris.csv", kIris), {.label = "species"});
  ASSERT_EQ(d.inputs.shape(), (Shape{4, 2}));
  EXPECT_EQ(d.inputs(1, 0), 7.0f);
  EXPECT_EQ(d.classes, 3u);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(d.targets[0], 0.0f);
  EXPECT_EQ(d.targets[1], 1.0f);
  EXPECT_EQ(d.targets[2], 2.0f);
  EXPECT_EQ(d.targets[3], 0.0f);
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"sepal_length", "sepal_width"}));
  EXPECT_EQ(d.target_names, (std::vector<std::string>{"species"}));
  // Without a header, a first line of data with a string label is data, not a header.
  const Dataset bare = read_csv(dir.write("bare.csv", "b,1,2\na,3,4\nb,5,6\n"));
  ASSERT_EQ(bare.size(), 3u);
  EXPECT_EQ(bare.class_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(bare.targets[0], 1.0f);
  EXPECT_TRUE(bare.feature_names.empty());
  // Numbers sort numerically before text, whole numbers written as integers.
  const Dataset mixed = read_csv(dir.write("mixed.csv", "10,1\n2.0,1\nx,1\n02,1\n"));
  EXPECT_EQ(mixed.class_names, (std::vector<std::string>{"2", "10", "x"}));
  EXPECT_EQ(mixed.targets[3], 0.0f);
}

TEST(Csv, WholeNumberLabelsAreIdsOnlyWhenTheyAre0ToNMinus1) {
  TempDir dir;
  // 0..n-1, each present: the class ids themselves, in any order.
  const Dataset ids = read_csv(dir.write("ids.csv", "2,1\n0,1\n1.0,1\n"));
  EXPECT_TRUE(ids.class_names.empty());
  EXPECT_EQ(ids.classes, 3u);
  EXPECT_EQ(ids.targets[0], 2.0f);
  EXPECT_EQ(ids.targets[2], 1.0f);
  // Counted from 1 (UCI's wine), with gaps, negative, or huge: class names in numeric order.
  const Dataset wine = read_csv(dir.write("wine.csv", "3,1\n1,1\n2,1\n1,1\n"));
  EXPECT_EQ(wine.class_names, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(wine.classes, 3u);
  EXPECT_EQ(wine.targets[0], 2.0f);
  EXPECT_EQ(wine.targets[1], 0.0f);
  const Dataset sparse = read_csv(dir.write("sparse.csv", "10,1\n0,1\n5,1\n"));
  EXPECT_EQ(sparse.class_names, (std::vector<std::string>{"0", "5", "10"}));
  EXPECT_EQ(sparse.targets[0], 2.0f);
  const Dataset signs = read_csv(dir.write("signs.csv", "-1,1\n1,1\n"));
  EXPECT_EQ(signs.class_names, (std::vector<std::string>{"-1", "1"}));
  const Dataset huge = read_csv(dir.write("huge.csv", "99999999999,1\n7,1\n"));
  EXPECT_EQ(huge.class_names, (std::vector<std::string>{"7", "99999999999"}));
  EXPECT_EQ(huge.targets[0], 1.0f);
  // A later file of a model whose labels were ids keeps them, though it lacks class 0.
  const std::string later = dir.write("later.csv", "2,1\n1,1\n");
  const Dataset kept = read_csv(later, {.class_ids = true});
  EXPECT_TRUE(kept.class_names.empty());
  EXPECT_EQ(kept.targets[0], 2.0f);
  EXPECT_EQ(kept.classes, 3u);
  expect_error([&] { read_csv(dir.write("big.csv", "99999999999,1\n"), {.class_ids = true}); },
               {"big.csv:1", "class label '99999999999' in column index 0 is not a class id",
                "no class id is above 16777215"});
  expect_error([&] { read_csv(dir.write("neg.csv", "-1,1\n"), {.class_ids = true}); }, {"neg.csv:1", "not a class id"});
}

TEST(Csv, LabelColumnByNameByIndexAndByDefaultName) {
  TempDir dir;
  const std::string path = dir.write("named.csv", "a,Class,b\n1,0,2\n3,1,4\n");
  const Dataset by_default = read_csv(path);  // "Class" is a default label name, any case
  EXPECT_EQ(by_default.inputs(1, 0), 3.0f);
  EXPECT_EQ(by_default.inputs(1, 1), 4.0f);
  EXPECT_EQ(by_default.targets[1], 1.0f);
  const Dataset by_index = read_csv(path, {.label = "2"});
  EXPECT_EQ(by_index.class_names, (std::vector<std::string>{"2", "4"}));
  EXPECT_EQ(by_index.targets[1], 1.0f);
  EXPECT_EQ(by_index.feature_names, (std::vector<std::string>{"a", "Class"}));
  const Dataset by_name = read_csv(path, {.label = "a"});
  EXPECT_EQ(by_name.class_names, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(by_name.targets[1], 1.0f);
  expect_error([&] { read_csv(path, {.label = "species"}); },
               {"named.csv", "no column named 'species'", "a, Class, b"});
  expect_error([&] { read_csv(path, {.label = "3"}); }, {"named.csv", "index 3", "0..2"});
  // Targets by name, in the order given.
  const Dataset regression = read_csv(path, {.targets = {"b", "a"}});
  ASSERT_EQ(regression.targets.shape(), (Shape{2, 2}));
  EXPECT_EQ(regression.targets(1, 0), 4.0f);
  EXPECT_EQ(regression.targets(1, 1), 3.0f);
  EXPECT_EQ(regression.inputs(1, 0), 1.0f);
  EXPECT_EQ(regression.target_names, (std::vector<std::string>{"b", "a"}));
}

TEST(Csv, SemicolonAndTabDelimitersAreDetected) {
  TempDir dir;
  for (const std::string sep : {";", "\t"}) {
    const Dataset d = read_csv(dir.write("sep.csv", "label" + sep + "x" + sep + "y\n1" + sep + "0.5" + sep + "2\n0" +
                                                        sep + "1" + sep + "3\n"));
    ASSERT_EQ(d.inputs.shape(), (Shape{2, 2})) << "separator '" << sep << "'";
    EXPECT_EQ(d.inputs(0, 0), 0.5f);
    EXPECT_EQ(d.targets[0], 1.0f);
  }
  // Decimal commas with ';' between fields: ';' splits both lines alike, ',' does not. The header
  // is found by the label's name although no number sits below its text ("5,1" is one in ';' files).
  const Dataset comma = read_csv(dir.write("comma.csv", "x;y;species\n5,1;3,5;setosa\n"), {.label = "species"});
  ASSERT_EQ(comma.size(), 1u);
  EXPECT_EQ(comma.inputs(0, 0), 5.1f);
  EXPECT_EQ(comma.feature_names, (std::vector<std::string>{"x", "y"}));
  expect_error([&] { read_csv(dir.write("commas.csv", "a;b;c\n1;2,5,1;3\n")); },
               {"commas.csv:2", "column 'b' (index 1)", "'2,5,1'"});
  // Given explicitly.
  EXPECT_EQ(read_csv(dir.write("pipe.csv", "1|2|3\n"), {.delimiter = '|'}).inputs.shape(), (Shape{1, 2}));
}

TEST(Csv, QuotedFieldsHoldDelimitersQuotesAndLineBreaks) {
  TempDir dir;
  const Dataset d = read_csv(dir.write("q.csv", "\"name, full\",x\n\"a, \"\"b\"\"\",1\n\"two\nlines\",\"2\"\nc,3\n"),
                             {.label = "0"});
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"a, \"b\"", "c", "two\nlines"}));
  EXPECT_EQ(d.inputs(1, 0), 2.0f);
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"x"}));
  expect_error([&] { read_csv(dir.write("open.csv", "1,2\n1,\"2\n")); }, {"open.csv:2", "never closed"});
  expect_error([&] { read_csv(dir.write("after.csv", "1,2\n1,\"2\"x\n")); },
               {"after.csv:2", "after its closing quote"});
}

TEST(Csv, WriterQuotesOnlyWhatMustBeQuotedAndTheReaderReadsItBack) {
  CsvWriter writer;
  writer.row({"plain", "a,b", "say \"hi\"", "two\nlines", ""}).row({"1.5", " padded "});
  EXPECT_EQ(writer.text(), "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\n1.5, padded \n");
  const std::vector<CsvRecord> records = read_csv_records(writer.text(), "written");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"plain", "a,b", "say \"hi\"", "two\nlines", ""}));
  EXPECT_EQ(records[0].line, 1u);
  EXPECT_EQ(records[1].line, 3u);  // the quoted line break counts
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"1.5", "padded"}));  // unquoted fields are trimmed
  EXPECT_EQ(CsvWriter(';').row({"2,5", "x;y"}).text(), "2,5;\"x;y\"\n");
  expect_error([] { read_csv_records("a,\"open\n", "pasted"); }, {"pasted:1:", "field 2", "never closed"});
}

TEST(Csv, ByteOrderMarkIsSkippedWithAndWithoutHeader) {
  TempDir dir;
  const Dataset bare = read_csv(dir.write("bom.csv", "\xEF\xBB\xBF" "1,2,3\n0,4,5\n"));
  ASSERT_EQ(bare.size(), 2u);  // the first row is kept
  EXPECT_EQ(bare.targets[0], 1.0f);
  const Dataset headed = read_csv(dir.write("bomh.csv", "\xEF\xBB\xBF" "label,a,b\n1,2,3\n"));
  ASSERT_EQ(headed.size(), 1u);
  EXPECT_EQ(headed.feature_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(headed.target_names, (std::vector<std::string>{"label"}));
}

TEST(Csv, CrlfLineEnds) {
  TempDir dir;
  const Dataset d = read_csv(dir.write("crlf.csv", "y,a\r\n1,2\r\n\r\n0,\"3\"\r\n"));
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.inputs(1, 0), 3.0f);
  EXPECT_EQ(d.target_names, (std::vector<std::string>{"y"}));
}

TEST(Csv, NumericFirstLineIsDataUnlessTheHeaderIsAsked) {
  TempDir dir;
  const std::string path = dir.write("n.csv", "0,1,2\n1,5,6\n");
  EXPECT_EQ(read_csv(path).size(), 2u);
  EXPECT_EQ(read_csv(path, {.header = CsvHeader::no}).size(), 2u);
  const Dataset headed = read_csv(path, {.header = CsvHeader::yes});
  ASSERT_EQ(headed.size(), 1u);
  EXPECT_EQ(headed.feature_names, (std::vector<std::string>{"1", "2"}));
  // header = no makes a text first line data: here a bad number.
  expect_error([&] { read_csv(dir.write("t.csv", "label,a\n1,2\n"), {.header = CsvHeader::no}); },
               {"t.csv:1", "column index 1", "'a'"});
}

TEST(Csv, MissingValueNamesLineAndColumn) {
  TempDir dir;
  expect_error([&] { read_csv(dir.write("na.csv", "label,width,height\n1,2,3\n0,NA,4\n")); },
               {"na.csv:3", "column 'width' (index 1)", "'NA'", "no value"});
  expect_error([&] { read_csv(dir.write("q.csv", "1,2,3\n0,4,?\n")); }, {"q.csv:2", "column index 2", "'?'"});
  expect_error([&] { read_csv(dir.write("e.csv", "1,2,3\n0,,4\n")); }, {"e.csv:2", "column index 1", "empty"});
  expect_error([&] { read_csv(dir.write("l.csv", "y,a\n,4\n")); }, {"l.csv:2", "column 'y' (index 0)", "empty"});
}

TEST(Csv, InputsOnly) {
  TempDir dir;
  const std::string path = dir.write("new.csv", "a,b,c\n1,2,3\n4,5,6\n");
  for (const CsvOptions& options : {CsvOptions{.no_labels = true}, CsvOptions{.label = "none"}}) {
    const Dataset d = read_csv(path, options);
    ASSERT_EQ(d.inputs.shape(), (Shape{2, 3}));
    EXPECT_EQ(d.inputs(1, 0), 4.0f);
    EXPECT_EQ(d.targets.shape(), (Shape{2, 0}));
    EXPECT_EQ(d.classes, 0u);
    EXPECT_EQ(d.feature_names, (std::vector<std::string>{"a", "b", "c"}));
  }
}

TEST(Csv, AModelsColumnsAreFoundByNameInAnyOrder) {
  TempDir dir;
  const std::string train = dir.write("train.csv", "id,sepal,width,species,petal\n7,1,2,a,3\n8,4,5,b,6\n");
  const Dataset t = read_csv(train, {.label = "species", .drop = {"id"}});
  EXPECT_EQ(t.feature_names, (std::vector<std::string>{"sepal", "width", "petal"}));
  EXPECT_EQ(t.dropped_names, (std::vector<std::string>{"id"}));
  ASSERT_EQ(t.inputs.shape(), (Shape{2, 3}));
  EXPECT_EQ(t.inputs(1, 2), 6.0f);
  const CsvOptions model{.label = "species",
                         .drop = {"id"},
                         .feature_names = t.feature_names,
                         .target_names = t.target_names,
                         .class_names = t.class_names};
  // Reordered, without the ID column: the inputs come in the model's order.
  const Dataset d = read_csv(dir.write("shuffled.csv", "petal,species,width,sepal\n3,b,2,1\n6,a,5,4\n"), model);
  ASSERT_EQ(d.inputs.shape(), (Shape{2, 3}));
  EXPECT_EQ(d.inputs(0, 0), 1.0f);
  EXPECT_EQ(d.inputs(0, 1), 2.0f);
  EXPECT_EQ(d.inputs(0, 2), 3.0f);
  EXPECT_EQ(d.inputs(1, 0), 4.0f);
  EXPECT_EQ(d.targets[0], 1.0f);
  EXPECT_EQ(d.feature_names, t.feature_names);
  // Read alone, the label column is left out where it is.
  CsvOptions alone = model;
  alone.no_labels = true;
  const Dataset inputs = read_csv(dir.write("new.csv", "width,id,petal,sepal\n2,9,3,1\n"), alone);
  ASSERT_EQ(inputs.inputs.shape(), (Shape{1, 3}));
  EXPECT_EQ(inputs.inputs(0, 0), 1.0f);
  EXPECT_EQ(inputs.inputs(0, 2), 3.0f);
  EXPECT_EQ(read_csv(dir.write("labelled.csv", "species,petal,sepal,width\nzzz,3,1,2\n"), alone).inputs(0, 1), 2.0f);
  // A missing input, an unknown column, a renamed header: both lists, as scikit-learn gives them.
  expect_error([&] { read_csv(dir.write("missing.csv", "petal,species,sepal\n3,b,1\n"), model); },
               {"missing.csv: the header does not match the columns the model was trained on",
                "seen at training, yet now missing: width", "the model's inputs, in its order: sepal, width, petal"});
  expect_error([&] { read_csv(dir.write("extra.csv", "petal,colour,species,width,sepal\n3,1,b,2,1\n"), model); },
               {"extra.csv", "feature names unseen at training: colour", "--drop NAME"});
  expect_error([&] { read_csv(dir.write("renamed.csv", "Petal,species,Width,Sepal\n3,b,2,1\n"), model); },
               {"renamed.csv", "feature names unseen at training: Petal, Width, Sepal",
                "seen at training, yet now missing: sepal, width, petal"});
  expect_error([&] { read_csv(dir.write("nolabel.csv", "petal,width,sepal\n3,2,1\n"), model); },
               {"nolabel.csv", "no column named 'species' for the label"});
  expect_error([&] { read_csv(dir.write("twice.csv", "petal,species,width,sepal,width\n3,b,2,1,2\n"), model); },
               {"twice.csv", "columns index 2 and 4 are both named 'width'"});
  // Without a header: by position, as the options say.
  const std::string bare_path = dir.write("bare.csv", "7,1,2,a,3\n8,4,5,b,6\n");
  const Dataset bare = read_csv(bare_path, {.label = "3", .drop = {"0"}, .feature_names = t.feature_names});
  EXPECT_EQ(bare.inputs(0, 2), 3.0f);
  // A model whose own header named two columns alike reads by position, as it read its training file.
  const Dataset twins = read_csv(dir.write("twins.csv", "x,x,y\n1,2,0\n3,4,1\n"),
                                 {.feature_names = {"x", "x"}, .target_names = {"y"}});
  EXPECT_EQ(twins.inputs(1, 1), 4.0f);
  EXPECT_EQ(twins.targets[1], 1.0f);
  // A header is recognised by the model's names, numeric as they look.
  const Dataset numeric = read_csv(dir.write("numeric.csv", "2,1,y\n5,4,0\n6,3,1\n"),
                                   {.feature_names = {"1", "2"}, .target_names = {"y"}});
  ASSERT_EQ(numeric.size(), 2u);
  EXPECT_EQ(numeric.inputs(0, 0), 4.0f);
}

TEST(Csv, DroppedColumnsAreNeitherInputsNorTargets) {
  TempDir dir;
  const std::string path = dir.write("ids.csv", "row,a,b,name,y\n1,0.5,2,first,1\n2,1.5,3,second,0\n");
  const Dataset d = read_csv(path, {.drop = {"row", "3"}});
  ASSERT_EQ(d.inputs.shape(), (Shape{2, 2}));
  EXPECT_EQ(d.inputs(1, 0), 1.5f);
  EXPECT_EQ(d.targets[0], 1.0f);
  EXPECT_EQ(d.dropped_names, (std::vector<std::string>{"row", "name"}));
  // The last K columns are counted among those kept.
  const Dataset regression = read_csv(dir.write("r.csv", "a,b,t,id\n1,2,3,x\n"), {.target_columns = 1, .drop = {"id"}});
  EXPECT_EQ(regression.targets(0, 0), 3.0f);
  EXPECT_EQ(regression.inputs.shape(), (Shape{1, 2}));
  expect_error([&] { read_csv(path, {.label = "y", .drop = {"y"}}); },
               {"ids.csv", "column 'y' (index 4) cannot be the label", "left out"});
  expect_error([&] { read_csv(path, {.drop = {"nosuch"}}); }, {"ids.csv", "no column named 'nosuch' for the dropped"});
}

TEST(Csv, AHeaderlessFilesOneColumnOfTextIsTheLabel) {
  TempDir dir;
  // UCI's iris.data: the species last, no header.
  const Dataset d =
      read_csv(dir.write("iris.data", "5.1,3.5,Iris-setosa\n4.9,3.0,Iris-versicolor\n7,3.2,Iris-setosa\n"));
  ASSERT_EQ(d.inputs.shape(), (Shape{3, 2}));
  EXPECT_EQ(d.inputs(1, 0), 4.9f);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"Iris-setosa", "Iris-versicolor"}));
  EXPECT_EQ(d.targets[1], 1.0f);
  // Two columns of text: which is the label is not guessed; the message names the flag values.
  expect_error([&] { read_csv(dir.write("two.csv", "a,1,b\nc,2,d\n")); },
               {"two.csv:1", "column index 2: 'b' is not a number", "(--label 2)", "--drop 2"});
  // With a header, the flag value is the column's name.
  expect_error([&] { read_csv(dir.write("named.csv", "x,kind\n1,a\n")); },
               {"named.csv:2", "column 'kind' (index 1): 'a' is not a number", "(--label kind)"});
}

TEST(Csv, ClassNamesOfATrainingFileMapASecondFile) {
  TempDir dir;
  const Dataset train = read_csv(dir.write("train.csv", kIris), {.label = "species"});
  // The test file holds only two of the classes, in another order: ids stay the training file's.
  const std::string test = dir.write("test.csv", "species,sepal_length,sepal_width\nvirginica,1,2\nsetosa,3,4\n");
  const Dataset d = read_csv(test, {.label = "species", .class_names = train.class_names});
  EXPECT_EQ(d.classes, 3u);
  EXPECT_EQ(d.class_names, train.class_names);
  EXPECT_EQ(d.targets[0], 2.0f);
  EXPECT_EQ(d.targets[1], 0.0f);
  const std::string unknown = dir.write("unknown.csv", "species,a,b\nsetosa,1,2\nrosa,3,4\n");
  expect_error([&] { read_csv(unknown, {.label = "species", .class_names = train.class_names}); },
               {"unknown.csv:3", "class 'rosa'", "column 'species' (index 0)", "setosa, versicolor, virginica"});
  // Numeric labels match numeric class names by value.
  const Dataset numeric = read_csv(dir.write("num.csv", "1.0,5\n0,6\n"), {.class_names = {"0", "1"}});
  EXPECT_EQ(numeric.targets[0], 1.0f);
}

TEST(Csv, InvalidUtf8IsEscapedInMessages) {
  TempDir dir;
  expect_error([&] { read_csv(dir.write("bytes.csv", "1,2\n0,\xff\x01z\xc3\xa9\n")); },
               {"bytes.csv:2", "'\\xff\\x01z\xc3\xa9'"});
  EXPECT_EQ(printable("ok \xe2\x82\xac \xc0\xaf \xed\xa0\x80\t"), "ok \xe2\x82\xac \\xc0\\xaf \\xed\\xa0\\x80\\x09");
  EXPECT_EQ(printable(std::string(50, 'a'), 10), "aaaaaaaaaa...");
  EXPECT_EQ(printable("\xe2\x82"), "\\xe2\\x82");  // a sequence cut short
}

TEST(ModelFile, HeaderBytesInAJsonErrorAreEscaped) {
  TempDir dir;
  const std::string json = "{\"a\xff\x01\": 1}";
  std::string file(8, '\0');
  file[0] = static_cast<char>(json.size());
  try {
    load_model<float>(dir.write("bad.safetensors", file + json));
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("bad.safetensors: the header is not valid JSON"), std::string::npos) << message;
    EXPECT_EQ(message.find('\xff'), std::string::npos) << message;
    EXPECT_EQ(message.find('\x01'), std::string::npos) << message;
  }
}

TEST(Fann, FilesAreFoundByContentWhateverTheirName) {
  TempDir dir;
  const std::string train = dir.write("small.train", "2 3 1\n0.5 0 1 \n1\n0 0 0\n0\n");
  const Dataset d = read_dataset(train);
  ASSERT_EQ(d.inputs.shape(), (Shape{2, 3}));
  ASSERT_EQ(d.targets.shape(), (Shape{2, 1}));
  EXPECT_EQ(d.inputs(0, 0), 0.5f);
  EXPECT_EQ(d.targets(0, 0), 1.0f);
  // A FANN file with errors gets FANN's messages, not CSV's.
  expect_error([&] { read_dataset(dir.write("cut.test", "2 3 1\n0 0 1\n1\n")); }, {"cut.test", "ends early"});
  // UCI's iris.data is CSV: a .data name is no longer a FANN file.
  const Dataset csv = read_dataset(dir.write("iris.data", "5.1,3.5,Iris-setosa\n4.9,3.0,Iris-versicolor\n"),
                                   {.csv = {.label = "2"}});
  EXPECT_EQ(csv.class_names, (std::vector<std::string>{"Iris-setosa", "Iris-versicolor"}));
  // A tab-separated CSV whose first row is three whole numbers stays CSV.
  const Dataset tsv = read_dataset(dir.write("t.tsv", "1\t2\t3\n0\t4\t5\n"));
  EXPECT_EQ(tsv.inputs.shape(), (Shape{2, 2}));
}

TEST(Fann, TheFannPackagesOwnDatasetsRead) {
  const std::string folder = "/usr/share/doc/libfann-dev/examples/datasets/";
  // Debian's libfann-doc installs them there (scripts/test.sh installs it).
  if (!std::filesystem::exists(folder + "building.train")) {
    GTEST_SKIP() << "Debian package libfann-doc is not installed";
  }
  struct Expected {
    const char* name;
    std::size_t pairs, inputs, outputs;
  };
  for (const Expected& e : {Expected{"building.train", 2104, 14, 3}, Expected{"thyroid.train", 3600, 21, 3},
                            Expected{"soybean.train", 342, 82, 19}, Expected{"gene.train", 1588, 120, 3}}) {
    const Dataset d = read_dataset(folder + e.name);
    EXPECT_EQ(d.inputs.shape(), (Shape{e.pairs, e.inputs})) << e.name;
    EXPECT_EQ(d.targets.shape(), (Shape{e.pairs, e.outputs})) << e.name;
  }
}

TEST(DataFiles, MissingFilesAndDirectoriesAreNamedSo) {
  TempDir dir;
  std::filesystem::create_directories(dir.file("folder"));
  expect_error([&] { read_dataset(dir.file("folder")); }, {"folder: is a directory, not a data file"});
  expect_error([&] { read_csv(dir.file("folder")); }, {"folder: is a directory, not a data file"});
  expect_error([&] { read_dataset(dir.file("none.csv")); }, {"none.csv: no such file"});
  expect_error([&] { read_fann(dir.file("none.train")); }, {"none.train: no such file"});
  expect_error([&] { read_idx(dir.file("folder")); }, {"folder: is a directory"});
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
