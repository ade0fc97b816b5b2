// Trains two small models from a fixed seed in portable arithmetic and saves their model files, for
// the check that every CPU, every thread count and WebAssembly give the same bytes (run.sh):
//   train_two THREADS MLP_FILE CNN_FILE
// (a) an MLP 8-16tanh-16relu-3 with Adam, (b) a CNN on 1x8x8 images (conv2d, batch norm, relu,
// max pool, dropout, dense) with SGD and momentum; a few hundred batch steps each, on data drawn
// from the seed. Data generation uses only sums and exact products, so it is the same everywhere.
#include <cstdio>
#include <exception>
#include <string>

#include "bpnn/bpnn.hpp"

namespace {

using bpnn::Shape;
using bpnn::Tensor;

constexpr std::uint64_t kSeed = 29;
constexpr std::size_t kSamples = 192, kClasses = 3, kFeatures = 8, kImageSide = 8;
constexpr std::size_t kBatchSize = 16, kSteps = 300;

struct Data {
  Tensor<float> inputs, targets;  // targets: class indices
};

// Eight features, each noise in [-1, 1) plus 1 where the feature's index is the class (mod 3).
Data mlp_data(bpnn::Rng& rng) {
  Data data{Tensor<float>(Shape{kSamples, kFeatures}), Tensor<float>(Shape{kSamples})};
  for (std::size_t n = 0; n < kSamples; ++n) {
    const std::size_t label = rng.below(kClasses);
    data.targets[n] = static_cast<float>(label);
    for (std::size_t j = 0; j < kFeatures; ++j) {
      data.inputs[n * kFeatures + j] = static_cast<float>(rng.uniform(-1.0, 1.0) + (j % kClasses == label ? 1.0 : 0.0));
    }
  }
  return data;
}

// 1x8x8 images of noise in [0, 0.25) with a bright line: a column (class 0), a row (class 1) or
// the diagonal (class 2).
Data cnn_data(bpnn::Rng& rng) {
  constexpr std::size_t pixels = kImageSide * kImageSide;
  Data data{Tensor<float>(Shape{kSamples, 1, kImageSide, kImageSide}), Tensor<float>(Shape{kSamples})};
  for (std::size_t n = 0; n < kSamples; ++n) {
    const std::size_t label = rng.below(kClasses), line = rng.below(kImageSide);
    data.targets[n] = static_cast<float>(label);
    for (std::size_t y = 0; y < kImageSide; ++y) {
      for (std::size_t x = 0; x < kImageSide; ++x) {
        const bool lit = (label == 0 && x == line) || (label == 1 && y == line) || (label == 2 && x == y);
        data.inputs[n * pixels + y * kImageSide + x] = static_cast<float>(rng.uniform(0.0, 0.25) + (lit ? 1.0 : 0.0));
      }
    }
  }
  return data;
}

// kSteps batch steps of cross-entropy on shuffled batches, then the model file at path.
void train_and_save(bpnn::Sequential<float>& model, bpnn::Optimizer<float>& optimizer, const Data& data,
                    bpnn::Rng& rng, const std::string& path) {
  const bpnn::CrossEntropy<float> loss;
  bpnn::TrainingRun<float> run(model, loss, optimizer, data.inputs.view(), data.targets.view(), rng,
                               {.batch_size = kBatchSize, .epochs = kSteps * kBatchSize / kSamples + 1});
  run.run({.unit = bpnn::StepUnit::batch, .count = kSteps});
  bpnn::save_model(path, model);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: train_two THREADS MLP_FILE CNN_FILE\n");
    return 2;
  }
  try {
    const auto backend = bpnn::make_cpu_backend<float>(
        {.threads = std::stoi(argv[1]), .arithmetic = bpnn::Arithmetic::portable});
    bpnn::Rng rng(kSeed);

    bpnn::Sequential<float> mlp(Shape{kFeatures});
    mlp.add(bpnn::Dense<float>({.units = 16}));
    mlp.add(bpnn::Activation<float>("tanh"));
    mlp.add(bpnn::Dense<float>({.units = 16}));
    mlp.add(bpnn::Activation<float>("relu"));
    mlp.add(bpnn::Dense<float>({.units = kClasses}));
    mlp.set_backend(backend);
    mlp.initialize(rng);
    bpnn::Adam<float> adam({.learning_rate = 0.01});
    train_and_save(mlp, adam, mlp_data(rng), rng, argv[2]);

    bpnn::Sequential<float> cnn(Shape{1, kImageSide, kImageSide});
    cnn.add(bpnn::Conv2d<float>({.filters = 4, .kernel = 3, .padding = 1}));
    cnn.add(bpnn::BatchNorm<float>());
    cnn.add(bpnn::Activation<float>("relu"));
    cnn.add(bpnn::MaxPool2d<float>({.kernel = 2}));
    cnn.add(bpnn::Dropout<float>({.p = 0.25}));
    cnn.add(bpnn::Flatten<float>());
    cnn.add(bpnn::Dense<float>({.units = kClasses}));
    cnn.set_backend(backend);
    cnn.initialize(rng);
    bpnn::Sgd<float> sgd({.learning_rate = 0.05, .momentum = 0.9});
    train_and_save(cnn, sgd, cnn_data(rng), rng, argv[3]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_two: %s\n", e.what());
    return 1;
  }
  return 0;
}
