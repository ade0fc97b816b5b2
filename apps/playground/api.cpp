// One action of the playground's API: checked, dispatched to the session, answered as JSON.
#include "api.hpp"

#include <algorithm>
#include <iterator>

namespace bpnn::serve {
namespace {

constexpr const char* kActions[] = {"choices", "state",     "data",   "network", "step",  "reset", "load",
                                    "weight",  "numbers",   "chain",  "gradcheck", "export", "predict"};

Reply error_reply(int status, const std::string& message) {
  // replace: a message may quote a piece of the request cut inside a UTF-8 character.
  return {status, json{{"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace)};
}

std::string known_actions() {
  std::string list;
  for (const char* a : kActions) list += (list.empty() ? "" : ", ") + std::string(a);
  return list;
}

}  // namespace

Api::Api() : session_("page") {}

Reply Api::call(const std::string& action, const std::string& body_text) {
  try {
    if (std::none_of(std::begin(kActions), std::end(kActions), [&](const char* a) { return action == a; })) {
      throw RequestError(404, "unknown action '" + action.substr(0, 40) + "': use " + known_actions());
    }
    if (body_text.size() > kMaxBodyBytes) {
      throw RequestError(413, "the request body is " + std::to_string(body_text.size()) + " bytes, more than the " +
                                  std::to_string(kMaxBodyBytes >> 20) + " MiB a request may carry");
    }
    const json body = parse_body(body_text);
    if (action == "choices") {
      Fields(body).only({});
      return {200, network_choices_json().dump()};
    }
    json reply;
    if (action == "state") Fields(body).only({});
    else if (action == "data") session_.set_data(body);
    else if (action == "network") session_.set_network(body);
    else if (action == "step") reply = session_.step(body);
    else if (action == "reset") session_.reset(body);
    else if (action == "load") session_.load_model(body);
    else if (action == "weight") session_.edit_weight(body);
    else if (action == "numbers") reply = session_.numbers(body);
    else if (action == "chain") reply = session_.chain_rule(body);
    else if (action == "gradcheck") reply = session_.check_gradients(body);
    else if (action == "export") reply = session_.export_run(body);
    else reply = session_.predict(body);
    return {200, reply.is_null() ? session_.state_text() : reply.dump(-1, ' ', false, json::error_handler_t::replace)};
  } catch (const RequestError& e) {
    return error_reply(e.status(), e.what());
  } catch (const bpnn::Error& e) {  // the library refused what the request asked for
    return error_reply(400, e.what());
  } catch (const std::exception& e) {
    return error_reply(500, std::string("internal error: ") + e.what());
  }
}

std::string Api::model_file() {
  return session_.model_file();
}

std::string Api::model_name() {
  return session_.model_name();
}

}  // namespace bpnn::serve
