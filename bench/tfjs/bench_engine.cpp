// The playground engine's training, for bench/tfjs only: the run the engine makes (make_run: the
// library's TrainingRun, float, portable arithmetic, one thread) on the data the engine makes
// (make_data), stepped an epoch per call, without the page's limit of 64 units a layer (so that
// 784-128relu-10 can be timed) and without the page's bookkeeping (the loss curve, the state).
// Built with the engine (apps/playground/wasm, target bench_engine), never part of the site.
//   new BenchRun(data, network)  data: the engine's data request (JSON text); network: {"layers":
//                                [{"units", "activation"}], "loss", "learning_rate", "batch_size",
//                                "seed", "shuffle"} (SGD); throws an Error naming what is wrong
//   run.epoch()                  -> the loss of the epoch's last batch, after one epoch of training
//   run.samples()                -> the training samples (an epoch's)
// MNIST is read from the module's /data/mnist (FS.writeFile the site's mnist/ files there first).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "datasets.hpp"
#include "network_config.hpp"
#include "run.hpp"

namespace {

using bpnn::serve::json;

[[noreturn]] void throw_js_error(const std::string& message) {
  emscripten::val::global("Error").new_(message).throw_();
}

// The network request's fields the benchmark uses, read as the page's request spells them.
bpnn::serve::NetworkConfig network_config(const json& request) {
  bpnn::serve::NetworkConfig c;
  for (const json& layer : request.at("layers")) {
    c.layers.push_back({layer.at("units").get<std::size_t>(), layer.at("activation").get<std::string>()});
  }
  c.loss = request.at("loss").get<std::string>();
  c.learning_rate = request.at("learning_rate").get<double>();
  c.batch_size = request.at("batch_size").get<std::size_t>();
  c.seed = request.value("seed", std::uint64_t{1});
  c.shuffle = request.value("shuffle", true);
  return c;
}

class BenchRun {
 public:
  BenchRun(const std::string& data_request, const std::string& network_request) {
    std::string error;
    try {
      setenv("BPNN_DATA", "/data", 0);
      const bpnn::serve::PlayData data = bpnn::serve::make_data(json::parse(data_request));
      const bpnn::serve::NetworkConfig config = network_config(json::parse(network_request));
      run_ = bpnn::serve::make_run(bpnn::serve::describe_network(config, data), config, data, {});
      float_run_ = dynamic_cast<bpnn::serve::Run<float>*>(run_.get());
      if (!float_run_) error = "the run is not in float";
    } catch (const std::exception& e) {
      error = e.what();
    }
    // Thrown to JavaScript outside the handler, as engine.cpp does.
    if (!error.empty()) throw_js_error("BenchRun: " + error);
  }

  double epoch() {
    std::string error;
    try {
      return float_run_->run->step(bpnn::StepUnit::epoch).loss;
    } catch (const std::exception& e) {
      error = e.what();
    }
    throw_js_error("BenchRun.epoch: " + error);
  }

  std::size_t samples() const { return float_run_->run->samples(); }

 private:
  std::unique_ptr<bpnn::serve::AnyRun> run_;
  bpnn::serve::Run<float>* float_run_ = nullptr;
};

}  // namespace

EMSCRIPTEN_BINDINGS(bpnn_bench_engine) {
  emscripten::class_<BenchRun>("BenchRun")
      .constructor<std::string, std::string>()
      .function("epoch", &BenchRun::epoch)
      .function("samples", &BenchRun::samples);
}
