// Shapes and tensors: sizes, batch handling, views, and errors for inconsistent shapes.
#include <gtest/gtest.h>

#include "bpnn/bpnn.hpp"

namespace bpnn {
namespace {

TEST(Shape, SizesAndBatch) {
  const Shape s{64, 1, 28, 28};
  EXPECT_EQ(s.rank(), 4u);
  EXPECT_EQ(s.numel(), 64u * 784);
  EXPECT_EQ(s.without_batch(), (Shape{1, 28, 28}));
  EXPECT_EQ(Shape({1, 28, 28}).with_batch(8), (Shape{8, 1, 28, 28}));
  EXPECT_EQ(Shape{}.numel(), 1u);
  EXPECT_EQ(s.str(), "[64, 1, 28, 28]");
  EXPECT_FALSE(Shape({2, 3}) == Shape({3, 2}));
  EXPECT_THROW(Shape({1, 2, 3, 4, 5, 6, 7}), Error);
  EXPECT_THROW(Shape{}.without_batch(), Error);
}

TEST(Tensor, ConstructionChecksTheValueCount) {
  const Tensor<float> t(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(t(1, 0), 4.0f);
  EXPECT_EQ(t.view().sample_size(), 3u);
  EXPECT_THROW(Tensor<float>(Shape{2, 3}, {1, 2, 3}), Error);
  const Tensor<double> zeros(Shape{3});
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(zeros[i], 0.0);
}

TEST(Tensor, ViewsShareStorage) {
  Tensor<double> t(Shape{2, 2});
  TensorView<double> v = t.view();
  v(1, 1) = 7;
  EXPECT_EQ(t[3], 7.0);
  TensorView<const double> c = v;  // mutable -> const
  EXPECT_EQ(c.reshaped(Shape{4})[3], 7.0);
  EXPECT_THROW(c.reshaped(Shape{3}), Error);
  EXPECT_TRUE(TensorView<float>{}.empty());
}

TEST(Tensor, ResizeReusesItsStorageWhenItFits) {
  Tensor<float> t(Shape{64, 10});
  const float* data = t.data();
  t.resize(Shape{8, 10});
  EXPECT_EQ(t.data(), data);
  EXPECT_EQ(t.shape(), (Shape{8, 10}));
  t.resize(Shape{64, 10});
  EXPECT_EQ(t.data(), data);
}

TEST(Tensor, CopyChecksSizes) {
  const Tensor<float> a(Shape{2, 2}, {1, 2, 3, 4});
  Tensor<float> b(Shape{4});
  copy<float>(a, b);
  EXPECT_EQ(b[3], 4.0f);
  Tensor<float> c(Shape{3});
  EXPECT_THROW(copy<float>(a, c), Error);
}

}  // namespace
}  // namespace bpnn
