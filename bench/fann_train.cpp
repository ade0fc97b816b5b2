// FANN's incremental (online) training for bench/compare: the same network, data and learning
// rate as bpnn's online row, timed over the training loop alone. Prints one JSON line.
// Usage: bench_fann IMAGES HIDDEN EPOCHS LR
#include <floatfann.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

std::vector<unsigned char> gunzip(const std::string& path) {
  std::vector<unsigned char> bytes;
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return bytes;
  unsigned char chunk[1 << 16];
  for (int n; (n = gzread(file, chunk, sizeof chunk)) > 0;) bytes.insert(bytes.end(), chunk, chunk + n);
  gzclose(file);
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: bench_fann IMAGES HIDDEN EPOCHS LR\n");
    return 2;
  }
  const std::string images_path = argv[1];
  std::string labels_path = images_path;
  labels_path.replace(labels_path.find("images-idx3"), 11, "labels-idx1");
  const std::vector<unsigned char> images = gunzip(images_path), labels = gunzip(labels_path);
  if (images.size() < 16 || labels.size() < 8) {
    std::fprintf(stderr, "bench_fann: cannot read %s and its labels\n", images_path.c_str());
    return 1;
  }
  const std::size_t N = labels.size() - 8;
  const unsigned hidden = static_cast<unsigned>(std::atoi(argv[2]));
  const int epochs = std::atoi(argv[3]);
  std::vector<float> x(N * 784), t(N * 10, 0.0f);
  for (std::size_t i = 0; i < N * 784; ++i) x[i] = images[16 + i] / 255.0f;
  for (std::size_t n = 0; n < N; ++n) t[n * 10 + labels[8 + n]] = 1.0f;

  fann* ann = fann_create_standard(3, 784u, hidden, 10u);
  fann_set_activation_function_hidden(ann, FANN_SIGMOID);
  fann_set_activation_function_output(ann, FANN_SIGMOID);
  fann_set_training_algorithm(ann, FANN_TRAIN_INCREMENTAL);
  fann_set_train_error_function(ann, FANN_ERRORFUNC_LINEAR);  // plain MSE, as bpnn's row
  fann_set_learning_rate(ann, static_cast<float>(std::atof(argv[4])));
  fann_randomize_weights(ann, -0.1f, 0.1f);
  const auto start = std::chrono::steady_clock::now();
  for (int e = 0; e < epochs; ++e) {
    for (std::size_t n = 0; n < N; ++n) fann_train(ann, &x[n * 784], &t[n * 10]);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::size_t correct = 0;
  for (std::size_t n = 0; n < N; ++n) {
    const float* y = fann_run(ann, &x[n * 784]);
    std::size_t best = 0;
    for (std::size_t k = 1; k < 10; ++k) best = y[k] > y[best] ? k : best;
    correct += best == labels[8 + n];
  }
  std::printf("{\"samples_per_second\": %.1f, \"seconds\": %.4f, \"train_accuracy\": %.4f}\n",
              static_cast<double>(N) * epochs / seconds, seconds,
              static_cast<double>(correct) / static_cast<double>(N));
  fann_destroy(ann);
  return 0;
}
