// FANN 2.2's RPROP, the peer of `bpnn train --optimizer rprop` in bench/fann_compare: trains
// inputs-HIDDEN sigmoid-outputs sigmoid with FANN_TRAIN_RPROP (full batch, FANN's default RPROP
// parameters: increase 1.2, decrease 0.5, delta_min 0, delta_max 50, delta_zero 0.1) for EPOCHS
// epochs on TRAIN and prints FANN's MSE on TEST (fann_test_data: the mean over outputs and samples
// of the squared error, as bpnn's "mse").
// The error function is FANN_ERRORFUNC_LINEAR (plain squared error), not FANN's default tanh-shaped
// one, so both sides minimize the same MSE. The weights are FANN's own init: uniform in
// [-0.1, 0.1] from rand() seeded with SEED (fann_randomize_weights), or with INIT "widrow" FANN's
// Nguyen-Widrow fann_init_weights (also rand(), so also seeded).
// Usage: fann_rprop TRAIN TEST HIDDEN EPOCHS SEED [random|widrow]
#include <floatfann.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: fann_rprop TRAIN TEST HIDDEN EPOCHS SEED [random|widrow]\n");
    return 2;
  }
  const char* init = argc > 6 ? argv[6] : "random";
  fann_train_data* train = fann_read_train_from_file(argv[1]);
  fann_train_data* test = fann_read_train_from_file(argv[2]);
  if (train == nullptr || test == nullptr) {
    std::fprintf(stderr, "fann_rprop: cannot read %s or %s\n", argv[1], argv[2]);
    return 1;
  }
  const unsigned hidden = static_cast<unsigned>(std::atoi(argv[3]));
  const int epochs = std::atoi(argv[4]);
  fann* ann = fann_create_standard(3, fann_num_input_train_data(train), hidden, fann_num_output_train_data(train));
  fann_set_activation_function_hidden(ann, FANN_SIGMOID);  // 1 / (1 + exp(-x)) at the default steepness 0.5
  fann_set_activation_function_output(ann, FANN_SIGMOID);
  fann_set_training_algorithm(ann, FANN_TRAIN_RPROP);  // FANN's default, with its default parameters
  fann_set_train_error_function(ann, FANN_ERRORFUNC_LINEAR);
  // fann_create_standard seeds rand() from the clock; reseed so a SEED gives the same weights.
  std::srand(static_cast<unsigned>(std::strtoul(argv[5], nullptr, 10)));
  if (std::strcmp(init, "widrow") == 0) {
    fann_init_weights(ann, train);
  } else {
    fann_randomize_weights(ann, -0.1f, 0.1f);  // what fann_create_standard does
  }
  float train_mse = 0;
  for (int e = 0; e < epochs; ++e) train_mse = fann_train_epoch(ann, train);  // the MSE before the epoch's update
  const float test_mse = fann_test_data(ann, test);
  std::printf("{\"train_mse\": %.9g, \"test_mse\": %.9g, \"epochs\": %d}\n", static_cast<double>(train_mse),
              static_cast<double>(test_mse), epochs);
  fann_destroy(ann);
  fann_destroy_train(train);
  fann_destroy_train(test);
  return 0;
}
