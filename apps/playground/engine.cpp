// The playground's engine in WebAssembly: the page's worker loads engine.js (createBpnnEngine) and
// drives one Api through these bindings. Only the transport lives here; api.cpp answers.
//   call(action, body)     -> {status, body}: the API's reply (body: JSON text), never a throw
//   modelFile()            -> Uint8Array: the model's safetensors bytes (a copy); throws an Error
//                             with the message when there is no model
//   modelName()            -> string: the model file's name
//   addFile(path, bytes)   writes a Uint8Array into the engine's in-memory file system, making
//                          folders as needed (the MNIST digits: /data/mnist/train-images-idx3-ubyte
//                          and train-labels-idx1-ubyte); throws an Error when it cannot
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "api.hpp"

namespace {

using emscripten::val;

bpnn::serve::Api& api() {
  // Made on the first call: the session builds its first network then. The data cache is the
  // engine's in-memory /data, where addFile puts what the page fetched.
  static const std::unique_ptr<bpnn::serve::Api> instance = [] {
    setenv("BPNN_DATA", "/data", 0);
    return std::make_unique<bpnn::serve::Api>();
  }();
  return *instance;
}

[[noreturn]] void throw_js_error(const std::string& message) {
  val::global("Error").new_(message).throw_();
}

val call(const std::string& action, const std::string& body) {
  const bpnn::serve::Reply reply = api().call(action, body);
  val result = val::object();
  result.set("status", reply.status);
  result.set("body", reply.body);
  return result;
}

val model_file() {
  std::string bytes;
  try {
    bytes = api().model_file();
  } catch (const std::exception& e) {
    throw_js_error(e.what());
  }
  // new Uint8Array(view) copies out of the wasm memory, which a later allocation may move.
  return val::global("Uint8Array")
      .new_(emscripten::typed_memory_view(bytes.size(), reinterpret_cast<const unsigned char*>(bytes.data())));
}

std::string model_name() { return api().model_name(); }

void add_file(const std::string& path, const val& bytes) {
  std::string content(bytes["length"].as<std::size_t>(), '\0');
  // One copy straight into this string's memory (no element-by-element conversion).
  val(emscripten::typed_memory_view(content.size(), reinterpret_cast<unsigned char*>(content.data())))
      .call<void>("set", bytes);
  std::error_code error;
  const std::filesystem::path file(path);
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), error);
  std::FILE* out = error ? nullptr : std::fopen(path.c_str(), "wb");
  const bool written = out && std::fwrite(content.data(), 1, content.size(), out) == content.size();
  if (!out || std::fclose(out) != 0 || !written) throw_js_error("addFile: cannot write " + path);
}

}  // namespace

EMSCRIPTEN_BINDINGS(bpnn_engine) {
  emscripten::function("call", &call);
  emscripten::function("modelFile", &model_file);
  emscripten::function("modelName", &model_name);
  emscripten::function("addFile", &add_file);
}
