// The playground's API without a transport: an action name and a JSON body in, a status and a JSON
// body out, over one session. The WebAssembly engine (engine.cpp) calls it from the page's worker;
// tests call it natively (tests/playground_api_test.cpp). Every failure is a reply, never an
// exception: a refused request 4xx, anything unexpected 500, each with {"error": "..."}.
#pragma once

#include <cstddef>
#include <string>

#include "session.hpp"

namespace bpnn::serve {

// A request's body may be at most this large: 2,000 points of the learner's own fit with room.
inline constexpr std::size_t kMaxBodyBytes = std::size_t{1} << 20;

struct Reply {
  int status = 200;
  std::string body;  // JSON
};

class Api {
 public:
  Api();
  // action: "choices" (the network request's names: the page's menus), "state" (the whole state),
  // or one of the session's calls: "data", "network", "step", "reset", "load", "weight", "numbers",
  // "chain", "gradcheck", "export", "predict", each answering its reply or, when it has none, the
  // state. body_text: a JSON object (empty text counts as {}). Unknown action: 404; unparsable
  // body: 400; body over kMaxBodyBytes: 413; a request the session refuses: its status (400, 409);
  // the library refusing it: 400.
  Reply call(const std::string& action, const std::string& body_text);
  // The model as a safetensors file (what bpnn train --out writes), and its file name. model_file
  // throws RequestError when no network is built.
  std::string model_file();
  std::string model_name();

 private:
  Session session_;
};

}  // namespace bpnn::serve
