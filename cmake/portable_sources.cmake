# The library's sources in the builds that compile them without the main build (no BLAS, no oneDNN,
# no zlib), named from the repository's top folder, in one place for both: the same-bits check's
# train_two (tests/same_bits) and the playground's WebAssembly engine (apps/playground/wasm).
# A source one of them comes to need shows as an undefined reference when it links.

# A model, its layers and optimizers, a training run, and the model file: what train_two links.
set(BPNN_PORTABLE_SOURCES
  src/backend/cpu.cpp src/backend/portable.cpp src/backend/reference.cpp src/backend/threaded.cpp
  src/core/error.cpp src/core/file.cpp src/core/parallel.cpp src/core/parameter_store.cpp src/core/rng.cpp
  src/core/shape.cpp src/core/tensor.cpp
  src/data/recipe.cpp
  src/init/initializer.cpp
  src/io/model_file.cpp src/io/network.cpp src/io/safetensors.cpp
  src/kernels/direct_conv.cpp src/kernels/gemm.cpp src/kernels/lane_sums.cpp src/kernels/portable_correlate.cpp
  src/kernels/portable_gemm.cpp src/kernels/vector_isa.cpp
  src/layers/activation.cpp src/layers/batchnorm.cpp src/layers/conv2d.cpp src/layers/dense.cpp
  src/layers/dropout.cpp src/layers/flatten.cpp src/layers/pooling.cpp src/layers/softmax.cpp
  src/losses/cross_entropy.cpp src/losses/elementwise.cpp src/losses/loss.cpp src/losses/make_loss.cpp
  src/model/layer_factory.cpp src/model/registry.cpp src/model/sequential.cpp
  src/optim/adagrad.cpp src/optim/adam.cpp src/optim/make_optimizer.cpp src/optim/rmsprop.cpp
  src/optim/rprop.cpp src/optim/schedule.cpp src/optim/sgd.cpp
  src/train/metrics.cpp src/train/sampler.cpp src/train/trainer.cpp src/train/training_run.cpp
)

# And what the playground's session adds: the numbers of a step, the gradient check, class
# probabilities, target preparation, the training set as CSV, the MNIST digits as IDX (plain files
# only: gzip_absent.cpp in place of zlib's gzip.cpp), and the worked example's weights (demos/).
set(BPNN_PLAYGROUND_LIBRARY_SOURCES
  src/data/dataset.cpp src/data/prepare.cpp
  src/io/csv.cpp src/io/gzip_absent.cpp src/io/idx.cpp
  src/train/explain.cpp src/train/gradient_check.cpp src/train/predict.cpp
  demos/mazur.cpp
)

# The playground's own sources, transport-free: the JSON API over a session (bpnn serve's server and
# the WebAssembly engine each add their front).
set(BPNN_PLAYGROUND_SOURCES
  apps/playground/api.cpp apps/playground/datasets.cpp apps/playground/network_config.cpp
  apps/playground/request.cpp apps/playground/run.cpp apps/playground/session.cpp apps/playground/state.cpp
  apps/playground/step_json.cpp apps/playground/stop_condition.cpp
)

# And what the engine's tests built for wasm32 (tests/wasm) add: fit and its checkpoints, and the
# tutorials' demos.
set(BPNN_TESTED_LIBRARY_SOURCES
  src/io/checkpoint.cpp
  src/train/callbacks.cpp src/train/fit.cpp
  demos/demo_support.cpp demos/logic.cpp demos/perceptron.cpp demos/regression.cpp
)
