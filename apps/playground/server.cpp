// bpnn serve: an HTTP server on 127.0.0.1 with the playground page (embedded at build time) and
// its JSON API; each browser tab is a session, trained in this process by the library. The server
// parses and checks requests; the sessions call the library (session.cpp).
#include "server.hpp"

#include <httplib.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "session.hpp"
#include "train.hpp"
#include "web_assets.hpp"

namespace bpnn::cli {
namespace {

using serve::json;
using serve::RequestError;
using serve::Session;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxSessions = 64;
constexpr std::size_t kMaxStreams = 32;
constexpr std::size_t kMaxBody = 64 * 1024;
constexpr auto kIdle = std::chrono::minutes(10);

// The live sessions: at most kMaxSessions, those idle for kIdle freed when a new one is made.
class Sessions {
 public:
  std::shared_ptr<Session> create() {
    std::lock_guard lock(mutex_);
    sweep();
    if (sessions_.size() >= kMaxSessions) throw RequestError(503, "too many sessions (" + std::to_string(kMaxSessions) + "): close a tab or wait");
    std::random_device device;
    char id[33];
    std::snprintf(id, sizeof id, "%08x%08x%08x%08x", device(), device(), device(), device());
    auto session = std::make_shared<Session>(id);
    sessions_[id] = session;
    return session;
  }
  std::shared_ptr<Session> find(const std::string& id) {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(id);
    if (it == sessions_.end()) throw RequestError(404, "unknown session '" + id.substr(0, 40) + "' (it may have been idle too long): reload the page");
    return it->second;
  }
  void close(const std::string& id) {
    std::shared_ptr<Session> session;
    {
      std::lock_guard lock(mutex_);
      const auto it = sessions_.find(id);
      if (it == sessions_.end()) return;
      session = it->second;
      sessions_.erase(it);
    }
    std::lock_guard lock(session->events.mutex);
    session->events.closed = true;
    session->events.changed.notify_all();
  }

 private:
  void sweep() {
    const auto now = Clock::now();
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      std::unique_lock lock(it->second->mutex, std::try_to_lock);
      if (lock.owns_lock() && now - it->second->last_used.load() > kIdle) {
        Session::Events& events = it->second->events;
        {
          std::lock_guard events_lock(events.mutex);
          events.closed = true;
        }
        events.changed.notify_all();
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
};

void send_json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body, "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, json{{"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace));
}

// Runs handler, turning a refused request into its 4xx and anything unexpected into a 500, each
// with {"error": ...}.
template <class F>
void answer(httplib::Response& res, F&& handler) {
  try {
    handler();
  } catch (const RequestError& e) {
    send_error(res, e.status(), e.what());
  } catch (const bpnn::Error& e) {  // the library refused what the request asked for
    send_error(res, 400, e.what());
  } catch (const std::exception& e) {
    send_error(res, 500, std::string("internal error: ") + e.what());
  }
}

// Server-sent events for one session: a "state" event whenever a newer state is published (at
// most 25 a second), a comment every 10 s otherwise. A newer stream on the same session ends this
// one. The stream takes the newest state from the session's events and writes its text without
// the session's lock: training goes on meanwhile, and publishes the next state when asked. An
// event leaves out the data set when this stream has sent the same one (the page keeps it).
void stream_events(httplib::Response& res, std::shared_ptr<Session> session, std::atomic<std::size_t>& streams) {
  if (++streams > kMaxStreams) {
    --streams;
    throw RequestError(503, "too many open event streams");
  }
  Session::Events& events = session->events;
  std::uint64_t number = 0;
  {
    std::lock_guard lock(events.mutex);
    number = ++events.stream;
  }
  events.changed.notify_all();
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Accel-Buffering", "no");
  auto sent = std::make_shared<std::uint64_t>(0);
  auto sent_data = std::make_shared<std::shared_ptr<const std::string>>();
  auto last = std::make_shared<Clock::time_point>(Clock::now() - std::chrono::seconds(1));
  res.set_chunked_content_provider(
      "text/event-stream",
      [session, number, sent, sent_data, last](std::size_t, httplib::DataSink& sink) {
        Session::Events& events = session->events;
        // At most one event per 40 ms, counted from the last one's start.
        std::this_thread::sleep_until(*last + std::chrono::milliseconds(40));
        std::shared_ptr<const serve::StateSnapshot> state;
        {
          std::unique_lock lock(events.mutex);
          auto ended = [&] { return events.closed || events.stream != number; };
          auto fresh = [&] { return events.state && events.state->version != *sent; };
          if (!ended() && !fresh()) {
            events.wanted = true;  // training publishes one after its next batch
            events.changed.wait_for(lock, std::chrono::seconds(10), [&] { return ended() || fresh(); });
          }
          if (ended()) {
            lock.unlock();
            sink.done();
            return true;
          }
          if (fresh()) state = events.state;
        }
        *last = Clock::now();
        session->last_used = *last;
        std::string payload = ": keep-alive\n\n";
        if (state) {
          *sent = state->version;
          payload = "event: state\ndata: " + state->text(state->data != *sent_data) + "\n\n";
          *sent_data = state->data;
        }
        return sink.write(payload.data(), payload.size());
      },
      [&streams](bool) { --streams; });
}

void add_routes(httplib::Server& server, Sessions& sessions, std::atomic<std::size_t>& streams) {
  for (std::size_t i = 0; i < serve::kWebAssetCount; ++i) {
    const serve::WebAsset& asset = serve::kWebAssets[i];
    const std::string path = asset.path == std::string("index.html") ? "/" : "/" + std::string(asset.path);
    server.Get(path, [asset](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-cache");
      res.set_content(reinterpret_cast<const char*>(asset.data), asset.size, asset.type);
    });
  }
  server.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  server.Post("/api/sessions", [&](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] {
      serve::Fields(serve::parse_body(req.body)).only({});
      const std::shared_ptr<Session> session = sessions.create();
      std::lock_guard lock(session->mutex);
      send_json(res, 201, "{\"id\":\"" + session->id() + "\",\"state\":" + session->state_text() + "}");
    });
  });
  server.Get(R"(/api/sessions/([^/]{1,64})/(state|events|model))", [&](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] {
      const std::shared_ptr<Session> session = sessions.find(req.matches[1]);
      if (req.matches[2] == "events") return stream_events(res, session, streams);
      std::lock_guard lock(session->mutex);
      session->last_used = Clock::now();
      if (req.matches[2] == "model") {  // the safetensors file bpnn eval, bpnn inspect and PyTorch load
        const std::string bytes = session->model_file();
        res.set_header("Cache-Control", "no-store");
        res.set_header("Content-Disposition", "attachment; filename=\"" + session->model_name() + "\"");
        return res.set_content(bytes, "application/octet-stream");
      }
      send_json(res, 200, session->state_text());
    });
  });
  server.Post(R"(/api/sessions/([^/]{1,64})/([a-z_]{1,32}))", [&](const httplib::Request& req, httplib::Response& res) {
    answer(res, [&] {
      const std::string action = req.matches[2];
      static const char* const known[] = {"data", "network", "step", "reset", "weight", "numbers", "chain", "gradcheck", "export", "predict", "close"};
      if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return action == k; }) == std::end(known)) {
        throw RequestError(404, "unknown action '" + action + "': use data, network, step, reset, weight, numbers, chain, gradcheck, export, predict or close");
      }
      const std::shared_ptr<Session> session = sessions.find(req.matches[1]);
      const json body = serve::parse_body(req.body);
      if (action == "close") {
        serve::Fields(body).only({});
        sessions.close(session->id());
        return send_json(res, 200, "{}");
      }
      std::lock_guard lock(session->mutex);
      session->last_used = Clock::now();
      json reply;
      if (action == "data") session->set_data(body);
      else if (action == "network") session->set_network(body);
      else if (action == "step") reply = session->step(body);
      else if (action == "reset") session->reset(body);
      else if (action == "weight") session->edit_weight(body);
      else if (action == "numbers") reply = session->numbers(body);
      else if (action == "chain") reply = session->chain_rule(body);
      else if (action == "export") reply = session->export_run(body);
      else if (action == "predict") reply = session->predict(body);
      else reply = session->check_gradients(body);
      send_json(res, 200, reply.is_null() ? session->state_text() : reply.dump());
    });
  });
  // Whatever else: 404 (or the library's status, as 413 for a body over kMaxBody), as JSON.
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string message = res.status == 413   ? "the request body is larger than " + std::to_string(kMaxBody / 1024) + " KiB"
                                : res.status == 404 ? "no such page or endpoint: " + req.method + " " + req.path.substr(0, 80)
                                                    : res.status == 400 ? "bad request (a POST needs a Content-Length and a JSON body: send {} for none)"
                                                    : "request refused (HTTP " + std::to_string(res.status) + ")";
    send_error(res, res.status, message);
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_error(res, 500, "internal error");
  });
}

struct ServeOptions {
  int port = 8080;
  std::string host = "127.0.0.1";
  bool open = false;
};

int run_serve(const ServeOptions& options) {
  httplib::Server server;
  Sessions sessions;
  std::atomic<std::size_t> streams{0};
  server.new_task_queue = [] { return new httplib::ThreadPool(kMaxStreams + 8); };
  server.set_payload_max_length(kMaxBody);
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  add_routes(server, sessions, streams);
  const int port = options.port == 0 ? server.bind_to_any_port(options.host) : (server.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port <= 0) {
    std::cerr << "bpnn: error: cannot listen on " << options.host << ":" << options.port
              << " (in use, or not an address of this machine): try --port 0 for any free port\n";
    return 1;
  }
  const std::string url = "http://" + (options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host) + ":" +
                          std::to_string(port) + "/";
  std::cout << "bpnn serve: the playground is at " << url << "  (Ctrl-C stops it)" << std::endl;
  if (options.host != "127.0.0.1" && options.host != "localhost" && options.host != "::1") {
    std::cout << "bpnn serve: note: listening on " << options.host << ", so other machines may reach it" << std::endl;
  }
  if (options.open) {
    const std::string command = "xdg-open '" + url + "' >/dev/null 2>&1 &";
    if (std::system(command.c_str()) != 0) std::cout << "bpnn serve: could not open a browser; open " << url << std::endl;
  }
  return server.listen_after_bind() ? 0 : 1;
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the playground page: build a network, watch it learn, see every number");
  cmd->add_option("--port", options->port, "TCP port (0: any free port, printed)")->check(CLI::Range(0, 65535));
  cmd->add_option("--host", options->host, "address to listen on (default 127.0.0.1: this machine only)");
  cmd->add_flag("--open", options->open, "open the page in the default browser");
  cmd->callback([options] {
    if (const int code = run_serve(*options); code != 0) throw ExitStatus{code};
  });
}

}  // namespace bpnn::cli
