// Training throughput of bpnn for bench/compare and bench/scaling: trains NET on the images of an
// IDX file (or its first SAMPLES) with SGD in file order and prints one JSON line with the samples
// per second of the batch loop alone and the process's peak RSS.
// Usage: bench_train NET IMAGES BATCH EPOCHS LR THREADS [LOSS [SAMPLES]]
// THREADS is a count (fast arithmetic) or a count and p (2p: portable arithmetic on 2 threads).
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bpnn/bpnn.hpp"

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: bench_train NET IMAGES BATCH EPOCHS LR THREADS[p] [LOSS [SAMPLES]]\n");
    return 2;
  }
  try {
    const bpnn::Network network = bpnn::parse_network(argv[1], "NET");
    const std::size_t batch = std::strtoul(argv[3], nullptr, 10), epochs = std::strtoul(argv[4], nullptr, 10);
    const double lr = std::strtod(argv[5], nullptr);
    const std::string loss_name = argc > 7 ? argv[7] : "cross_entropy";
    bpnn::Dataset data = bpnn::read_idx(argv[2]);
    const std::size_t N =
        argc > 8 ? std::min<std::size_t>(std::strtoul(argv[8], nullptr, 10), data.size()) : data.size();
    bpnn::Sequential<float> model = bpnn::build_model<float>(network);
    const std::string threads = argv[6];
    const bool portable = threads.ends_with('p');
    model.set_backend(bpnn::make_cpu_backend<float>(
        {.threads = std::atoi(threads.c_str()),
         .arithmetic = portable ? bpnn::Arithmetic::portable : bpnn::Arithmetic::fast}));
    bpnn::Rng rng(1);
    model.initialize(rng);
    const bpnn::TensorView<const float> x =
        data.inputs.view().reshaped(model.input_shape().with_batch(data.size())).samples(0, N);
    bpnn::Tensor<float> all_targets = loss_name == "cross_entropy" ? data.targets : bpnn::one_hot(data.targets, 10);
    const bpnn::TensorView<const float> targets = all_targets.view().samples(0, N);
    auto loss = bpnn::make_loss<float>(loss_name);
    bpnn::Sgd<float> sgd({.learning_rate = lr});
    double seconds = 0, last_loss = 0;
    bpnn::fit(model, *loss, sgd, x, targets, rng,
              {.epochs = epochs, .batch_size = batch, .shuffle = false, .on_epoch = [&](const bpnn::EpochReport& r) {
                 seconds += r.seconds;
                 last_loss = r.train_loss;
               }});
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);  // ru_maxrss is in KiB on Linux
    std::printf("{\"samples_per_second\": %.1f, \"seconds\": %.4f, \"loss\": %.6f, \"peak_rss_mib\": %.1f}\n",
                static_cast<double>(N * epochs) / seconds, seconds, last_loss,
                static_cast<double>(usage.ru_maxrss) / 1024);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train: %s\n", e.what());
    return 1;
  }
  return 0;
}
