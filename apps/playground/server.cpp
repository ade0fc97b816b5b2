// bpnn serve: the playground's static site (scripts/site.sh) served on 127.0.0.1, for opening it
// locally. The page trains in the browser, in bpnn's engine compiled to WebAssembly; the server
// only hands out files, with the headers a threaded WebAssembly build would need (cross-origin
// isolation), as any static host could.
#include "server.hpp"

#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "exit_status.hpp"

namespace bpnn::cli {
namespace {

namespace fs = std::filesystem;

struct ServeOptions {
  int port = 8080;
  std::string host = "127.0.0.1";
  std::string site;  // "" : the site built or installed beside this program
  bool open = false;
};

// The site beside this program: BUILD/site (cmake --build BUILD --target site) or PREFIX/share/bpnn/site
// (cmake --install), whichever holds an index.html; "" when neither does.
std::string site_beside_program() {
  std::error_code error;
  const fs::path program = fs::read_symlink("/proc/self/exe", error);
  if (error) return "";
  const fs::path folder = program.parent_path();
  for (const fs::path& site : {folder / "site", folder.parent_path() / "share/bpnn/site"}) {
    if (fs::is_regular_file(site / "index.html", error)) return site.string();
  }
  return "";
}

int run_serve(const ServeOptions& options) {
  const std::string site = options.site.empty() ? site_beside_program() : options.site;
  std::error_code error;
  if (site.empty() || !fs::is_regular_file(fs::path(site) / "index.html", error)) {
    std::cerr << "bpnn: error: "
              << (site.empty() ? std::string("no playground site was built beside this program")
                               : "--site " + site + " holds no index.html")
              << ": build it with `bash scripts/site.sh DIR` (or `cmake --build BUILD --target site`) and pass "
                 "--site DIR\n";
    return 1;
  }
  httplib::Server server;
  server.set_file_extension_and_mimetype_mapping("wasm", "application/wasm");
  if (!server.set_mount_point("/", site)) {
    std::cerr << "bpnn: error: cannot serve " << site << "\n";
    return 1;
  }
  server.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cross-Origin-Opener-Policy", "same-origin");
    res.set_header("Cross-Origin-Embedder-Policy", "require-corp");
    res.set_header("Cache-Control", "no-cache");
  });
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    res.set_content("no such file: " + req.path.substr(0, 200) + "\n", "text/plain");
  });
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  const int port = options.port == 0 ? server.bind_to_any_port(options.host)
                                     : (server.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port <= 0) {
    std::cerr << "bpnn: error: cannot listen on " << options.host << ":" << options.port
              << " (in use, or not an address of this machine): try --port 0 for any free port\n";
    return 1;
  }
  const std::string url = "http://" +
                          (options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host) +
                          ":" + std::to_string(port) + "/";
  std::cout << "bpnn serve: the playground (" << site << ") is at " << url << "  (Ctrl-C stops it)" << std::endl;
  if (options.host != "127.0.0.1" && options.host != "localhost" && options.host != "::1") {
    std::cout << "bpnn serve: note: listening on " << options.host << ", so other machines may reach it" << std::endl;
  }
  if (options.open) {
    const std::string command = "xdg-open '" + url + "' >/dev/null 2>&1 &";
    if (std::system(command.c_str()) != 0) {
      std::cout << "bpnn serve: could not open a browser; open " << url << std::endl;
    }
  }
  return server.listen_after_bind() ? 0 : 1;
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve the playground (a static site; it trains in the browser): build a network, watch it learn");
  cmd->add_option("--port", options->port, "TCP port (0: any free port, printed)")->check(CLI::Range(0, 65535));
  cmd->add_option("--host", options->host, "address to listen on (default 127.0.0.1: this machine only)");
  cmd->add_option("--site", options->site,
                  "the site's folder (scripts/site.sh DIR); default: the one built or installed beside bpnn");
  cmd->add_flag("--open", options->open, "open the page in the default browser");
  cmd->callback([options] {
    if (const int code = run_serve(*options); code != 0) throw ExitStatus{code};
  });
}

}  // namespace bpnn::cli
