// Checkpoints: a run stopped part-way (mid-epoch or between epochs) and resumed ends with exactly
// the weights of one never stopped, for SGD with momentum and for Adam, with shuffling, dropout,
// batch norm and a validation set; a checkpoint that does not fit the run is a clear error.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "bpnn/bpnn.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"

namespace bpnn {
namespace {

const char* kNet = R"({"input": [6], "layers": [{"type": "dense", "units": 8}, {"type": "batchnorm"}, {"type": "relu"},
  {"type": "dropout", "p": 0.3}, {"type": "dense", "units": 3}]})";

struct Data {
  Tensor<float> x{Shape{40, 6}}, y{Shape{40}}, vx{Shape{10, 6}}, vy{Shape{10}};
  Data() {
    Rng rng(3);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(rng.uniform(-1, 1));
    for (std::size_t i = 0; i < vx.size(); ++i) vx[i] = static_cast<float>(rng.uniform(-1, 1));
    for (std::size_t n = 0; n < 40; ++n) y[n] = static_cast<float>(rng.below(3));
    for (std::size_t n = 0; n < 10; ++n) vy[n] = static_cast<float>(rng.below(3));
  }
};

std::unique_ptr<Optimizer<float>> make_optimizer(bool adam) {
  if (adam) return std::make_unique<Adam<float>>(AdamOptions{.learning_rate = 0.01});
  return std::make_unique<Sgd<float>>(SgdOptions{.learning_rate = 0.05, .momentum = 0.9});
}

// One run of `bpnn train` in miniature: the model and generator start from the seed every time,
// as the same command line does; options adds the checkpointing under test. With validation the
// model ends with its best epoch's weights, which may come before the stop; without, the last.
std::vector<float> run(const Data& d, bool adam, FitOptions options, bool validation = true) {
  Sequential<float> model = build_model<float>(parse_network(kNet, "net"));
  Rng rng(11);
  model.initialize(rng);
  const std::unique_ptr<Optimizer<float>> optimizer = make_optimizer(adam);
  CrossEntropy<float> loss;
  options.epochs = 4;
  options.batch_size = 6;  // 7 batches, the last of 4 samples
  options.schedule = {.kind = LrSchedule::Kind::cosine};
  fit(model, loss, *optimizer, d.x, d.y, rng, options, {}, validation ? HeldOut{d.vx, d.vy} : HeldOut{});
  const auto v = model.parameters().values().span();
  return {v.begin(), v.end()};
}

// Stops the run after `stop_after` batches (counted over all epochs), then resumes it.
std::vector<float> stopped_and_resumed(const Data& d, bool adam, std::size_t stop_after, const std::string& path,
                                       std::size_t* stopped_epoch = nullptr, bool validation = true) {
  std::size_t batches = 0;
  try {
    run(d, adam, {.checkpoint_path = path, .stop_requested = [&] { return ++batches >= stop_after; }}, validation);
    ADD_FAILURE() << "the run was not stopped";
  } catch (const TrainingInterrupted& e) {
    if (stopped_epoch) *stopped_epoch = e.epoch;
  }
  return run(d, adam, {.resume_path = path}, validation);
}

TEST(Checkpoint, ResumedMidEpochEndsBitIdenticalToAnUninterruptedRun) {
  const testing::TempDir dir;
  const Data d;
  for (bool adam : {false, true}) {
    for (bool validation : {false, true}) {
      const std::vector<float> uninterrupted = run(d, adam, {}, validation);
      std::size_t epoch = 0;
      const std::vector<float> resumed = stopped_and_resumed(d, adam, 10, dir.file("run.ckpt"), &epoch, validation);
      EXPECT_EQ(epoch, 2u);  // batch 3 of epoch 2
      ASSERT_EQ(resumed.size(), uninterrupted.size());
      EXPECT_EQ(std::memcmp(resumed.data(), uninterrupted.data(), resumed.size() * sizeof(float)), 0)
          << (adam ? "adam" : "momentum") << (validation ? " with validation" : "");
    }
  }
}

TEST(Checkpoint, ResumedBetweenEpochsEndsBitIdenticalToAnUninterruptedRun) {
  const testing::TempDir dir;
  const Data d;
  const std::vector<float> uninterrupted = run(d, false, {}, false);
  // The stop asked during an epoch's last batch is taken after the epoch, before the next.
  std::size_t epoch = 0;
  const std::vector<float> resumed = stopped_and_resumed(d, false, 14, dir.file("run.ckpt"), &epoch, false);
  EXPECT_EQ(epoch, 3u);
  EXPECT_EQ(resumed, uninterrupted);
}

TEST(Checkpoint, PeriodicCheckpointsResumeToTheSameEnd) {
  const testing::TempDir dir;
  const Data d;
  const std::vector<float> uninterrupted = run(d, true, {}, false);
  // Every 2 epochs: the file left at the end holds the position after epoch 2.
  const std::vector<float> again =
      run(d, true, {.checkpoint_path = dir.file("every.ckpt"), .checkpoint_every = 2}, false);
  EXPECT_EQ(again, uninterrupted);  // writing checkpoints changes nothing
  EXPECT_EQ(run(d, true, {.resume_path = dir.file("every.ckpt")}, false), uninterrupted);
}

TEST(Checkpoint, ACheckpointOfAnotherRunIsAClearError) {
  const testing::TempDir dir;
  const Data d;
  stopped_and_resumed(d, false, 3, dir.file("sgd.ckpt"));
  // Adam cannot take SGD's momentum buffer.
  testing::expect_error([&] { run(d, true, {.resume_path = dir.file("sgd.ckpt")}); },
                        {dir.file("sgd.ckpt"), "optimizer state"});
  // Another network.
  Sequential<float> other = build_model<float>(parse_network("6-3", "net"));
  Sgd<float> sgd({.learning_rate = 0.1});
  CrossEntropy<float> loss;
  Rng rng(1);
  testing::expect_error(
      [&] { fit(other, loss, sgd, d.x, d.y, rng, {.resume_path = dir.file("sgd.ckpt")}); },
      {dir.file("sgd.ckpt"), "written for a network with the tensors 0.weight,0.bias,1.weight"});
  // Another batch size: the saved position is past the end of an epoch of 40 samples in batches of 20.
  Sequential<float> model = build_model<float>(parse_network(kNet, "net"));
  Sgd<float> momentum({.learning_rate = 0.05, .momentum = 0.9});
  testing::expect_error(
      [&] { fit(model, loss, momentum, d.x, d.y, rng, {.batch_size = 20, .resume_path = dir.file("sgd.ckpt")}); },
      {"does not fit 40 samples in batches of 20"});
  // A damaged position: epoch 0 (the same bytes otherwise, so the file still parses).
  std::string bytes = read_file(dir.file("sgd.ckpt"));
  const std::size_t at = bytes.find(R"("epoch":"1")");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 9] = '0';
  const std::string zero = dir.write("zero.ckpt", bytes);
  testing::expect_error([&] { run(d, false, {.resume_path = zero}); }, {zero, "'epoch' is 0; epochs count from 1"});
  // Not a checkpoint at all.
  const std::string text = dir.write("notes.ckpt", "hello");
  testing::expect_error([&] { run(d, false, {.resume_path = text}); }, {text, "too short for a safetensors file"});
}

}  // namespace
}  // namespace bpnn
