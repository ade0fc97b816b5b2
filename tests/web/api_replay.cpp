// The playground's API natively, for tests/web/engine.test.mjs to compare the WebAssembly engine's
// replies with, text for text: reads one request a line, {"action": "...", "body": "<JSON text>"},
// and writes each reply on a line, {"status": 200, "body": "<JSON text>"}, all on one session.
#include <iostream>
#include <string>

#include "api.hpp"

int main() {
  using bpnn::serve::json;
  bpnn::serve::Api api;
  std::string line;
  while (std::getline(std::cin, line)) {
    const json request = json::parse(line);
    const bpnn::serve::Reply reply = api.call(request.at("action"), request.at("body"));
    std::cout << json{{"status", reply.status}, {"body", reply.body}}.dump() << '\n';
  }
  return 0;
}
