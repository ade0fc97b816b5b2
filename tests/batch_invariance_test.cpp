// Batch invariance, portable arithmetic's promise for inference (docs/arithmetic.md): a sample's
// outputs are the same bits whatever batch it is predicted in and wherever it sits there. For every
// layer kind of the registry a small model predicts a batch whole, in each contiguous subset, one
// sample at a time and permuted, at 1, 2 and 3 threads (where the build has threads), through
// Sequential::infer and bpnn::predict.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "bpnn/bpnn.hpp"
#include "support/thread_counts.hpp"

namespace bpnn {
namespace {

constexpr std::size_t kSamples = 13;  // prime: no batch size the kernels might favour divides it
const std::vector<int> kThreadCounts = testing::thread_counts({1, 2, 3});

struct Case {
  std::string name;
  std::string network;  // a network description (JSON)
};

// Each structural kind in the forms that change its loops (conv2d's stride and padding, pooling's
// overlapping windows, batch norm over features and over channels); each activation of the
// registry, softmax included, after a dense layer.
std::vector<Case> cases() {
  const std::string image = R"("input": [2, 7, 7], "layers": [)";
  std::vector<Case> all = {
      {"dense", R"({"input": [9], "layers": [{"type": "dense", "units": 6}]})"},
      {"dense without bias", R"({"input": [9], "layers": [{"type": "dense", "units": 6, "bias": false}]})"},
      {"conv2d stride 1 padding 1", "{" + image + R"({"type": "conv2d", "filters": 3, "kernel": 3, "padding": 1}]})"},
      {"conv2d stride 2", "{" + image + R"({"type": "conv2d", "filters": 3, "kernel": 3, "stride": 2}]})"},
      {"conv2d stride 2 padding 2",
       "{" + image + R"({"type": "conv2d", "filters": 4, "kernel": 2, "stride": 2, "padding": 2}]})"},
      {"maxpool2d", "{" + image + R"({"type": "maxpool2d", "kernel": 2}]})"},
      {"maxpool2d overlapping", "{" + image + R"({"type": "maxpool2d", "kernel": 3, "stride": 2}]})"},
      {"avgpool2d", "{" + image + R"({"type": "avgpool2d", "kernel": 2}]})"},
      {"avgpool2d overlapping", "{" + image + R"({"type": "avgpool2d", "kernel": 3, "stride": 2}]})"},
      {"flatten", "{" + image + R"({"type": "conv2d", "filters": 2, "kernel": 3}, {"type": "flatten"},
          {"type": "dense", "units": 4}]})"},
      {"dropout in eval",
       R"({"input": [9], "layers": [{"type": "dense", "units": 8}, {"type": "dropout", "p": 0.5}]})"},
      {"batchnorm over features in eval",
       R"({"input": [9], "layers": [{"type": "dense", "units": 8}, {"type": "batchnorm"}]})"},
      {"batchnorm over channels in eval",
       "{" + image + R"({"type": "conv2d", "filters": 3, "kernel": 3}, {"type": "batchnorm"}]})"},
  };
  for (const LayerKind& kind : layer_registry()) {
    if (!kind.activation) continue;
    all.push_back({std::string(kind.name), R"({"input": [9], "layers": [{"type": "dense", "units": 7}, {"type": ")" +
                                               std::string(kind.name) + R"("}]})"});
  }
  return all;
}

std::vector<float> copy_of(TensorView<const float> v) { return {v.data(), v.data() + v.size()}; }

bool same_bits(const float* a, const float* b, std::size_t n) { return std::memcmp(a, b, n * sizeof(float)) == 0; }

// The case's model on a portable backend of `threads`, its parameters from one seed; a model with
// batch norm first runs three training batches, so that eval mode reads running statistics of its own.
Sequential<float> model_of(const Case& c, int threads, const Tensor<float>& inputs) {
  Sequential<float> model = build_model<float>(parse_network(c.network, c.name));
  model.set_backend(make_cpu_backend<float>({.threads = threads, .arithmetic = Arithmetic::portable}));
  Rng rng(11);
  model.initialize(rng);
  for (int step = 0; step < 3; ++step) model.forward_train(inputs.view(), rng);
  return model;
}

Tensor<float> inputs_for(const Case& c) {
  const Sequential<float> shape_only = build_model<float>(parse_network(c.network, c.name));
  Tensor<float> x(shape_only.input_shape().with_batch(kSamples));
  Rng rng(5);
  // Wide enough to reach every activation's regions (softplus's threshold 20 after the dense layer).
  for (float& v : x.view().span()) v = static_cast<float>(rng.uniform(-6, 6));
  return x;
}

TEST(BatchInvariance, EveryLayerKindOfTheRegistryHasACase) {
  std::set<std::string> covered;
  for (const Case& c : cases()) {
    const Sequential<float> model = build_model<float>(parse_network(c.network, c.name));
    for (std::size_t i = 0; i < model.size(); ++i) covered.insert(std::string(model.layer(i).kind()));
  }
  for (const LayerKind& kind : layer_registry()) EXPECT_TRUE(covered.count(std::string(kind.name))) << kind.name;
}

// Each row of every subset, single sample and permutation is the whole batch's row, to the bit; and
// the whole batch's rows are the same at every thread count.
TEST(BatchInvariance, EverySubsetOfABatchGivesTheWholeBatchsRowsAtAnyThreadCount) {
  for (const Case& c : cases()) {
    const Tensor<float> x = inputs_for(c);
    std::vector<float> first_whole;
    for (int threads : kThreadCounts) {
      SCOPED_TRACE(c.name + ", " + std::to_string(threads) + " thread(s)");
      const Sequential<float> model = model_of(c, threads, x);
      const std::size_t width = model.output_shape().numel();
      Sequential<float>::Workspace workspace;
      const std::vector<float> whole = copy_of(model.infer(x.view(), workspace));
      ASSERT_EQ(whole.size(), kSamples * width);
      if (first_whole.empty()) first_whole = whole;
      EXPECT_TRUE(same_bits(whole.data(), first_whole.data(), whole.size())) << "differs from 1 thread";

      int mismatches = 0;
      for (std::size_t begin = 0; begin < kSamples && mismatches < 4; ++begin) {
        for (std::size_t end = begin + 1; end <= kSamples && mismatches < 4; ++end) {
          const TensorView<const float> part = model.infer(x.view().samples(begin, end - begin), workspace);
          if (!same_bits(part.data(), whole.data() + begin * width, part.size())) {
            ADD_FAILURE() << "samples [" << begin << ", " << end << ") differ from the whole batch's";
            ++mismatches;  // the first few name the pattern; the rest would only repeat it
          }
        }
      }
      // Permuted (Fisher-Yates): row k is sample order[k]'s.
      std::vector<std::size_t> order(kSamples);
      std::iota(order.begin(), order.end(), std::size_t{0});
      Rng shuffle(3);
      for (std::size_t k = kSamples - 1; k > 0; --k) std::swap(order[k], order[shuffle.below(k + 1)]);
      const std::size_t per_sample = x.size() / kSamples;
      Tensor<float> permuted(x.shape());
      for (std::size_t k = 0; k < kSamples; ++k) {
        std::copy_n(x.data() + order[k] * per_sample, per_sample, permuted.data() + k * per_sample);
      }
      const TensorView<const float> out = model.infer(permuted.view(), workspace);
      for (std::size_t k = 0; k < kSamples; ++k) {
        EXPECT_TRUE(same_bits(out.data() + k * width, whole.data() + order[k] * width, width))
            << "permuted row " << k << " (sample " << order[k] << ")";
      }
      // The samples' rows are not all alike, so each comparison above is of a sample's own row.
      bool rows_differ = false;
      for (std::size_t n = 1; n < kSamples; ++n)
        rows_differ |= !same_bits(whole.data(), whole.data() + n * width, width);
      EXPECT_TRUE(rows_differ);
    }
  }
}

// bpnn::predict, the predict loop of every front end, gives the same rows at every batch size.
TEST(BatchInvariance, PredictGivesTheSameRowsAtEveryBatchSize) {
  const Case lenet{"small lenet", R"({"input": [1, 12, 12], "layers": [
      {"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1}, {"type": "batchnorm"}, {"type": "relu"},
      {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "dropout", "p": 0.2},
      {"type": "dense", "units": 16}, {"type": "batchnorm"}, {"type": "gelu"}, {"type": "dense", "units": 5},
      {"type": "softmax"}]})"};
  Tensor<float> x(Shape{37, 1, 12, 12});
  Rng rng(8);
  for (float& v : x.view().span()) v = static_cast<float>(rng.uniform(0, 1));
  for (int threads : kThreadCounts) {
    const Sequential<float> model = model_of(lenet, threads, x);
    const Tensor<float> whole = predict(model, x.view(), 256);
    for (std::size_t batch_size : {1, 2, 5, 16, 36}) {
      const Tensor<float> batched = predict(model, x.view(), batch_size);
      ASSERT_EQ(batched.size(), whole.size());
      EXPECT_TRUE(same_bits(batched.data(), whole.data(), whole.size()))
          << "batch size " << batch_size << ", " << threads << " thread(s)";
    }
  }
}

}  // namespace
}  // namespace bpnn
