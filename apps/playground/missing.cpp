// bpnn serve in a build without cpp-httplib: the command exists and says what to install.
#include <iostream>

#include "server.hpp"
#include "exit_status.hpp"

namespace bpnn::cli {

void add_serve_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("serve", "Serve the playground page (this build has no HTTP server)");
  cmd->allow_extras();
  cmd->callback([] {
    std::cerr << "bpnn: error: this bpnn was built without cpp-httplib: install libcpp-httplib-dev and rebuild\n";
    throw ExitStatus{1};
  });
}

}  // namespace bpnn::cli
