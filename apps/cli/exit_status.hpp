// The exit statuses of the command line, one rule for every subcommand (docs/cli.md, "Exit
// status"): 0 done, 1 the work failed (a file, the data, the model, training), 2 the command line
// itself is wrong, 130 and 143 stopped by SIGINT and SIGTERM after writing a checkpoint.
#pragma once

#include <stdexcept>

namespace bpnn::cli {

inline constexpr int kExitFailure = 1;  // bpnn::Error and anything else found while working
inline constexpr int kExitUsage = 2;    // refused from the command line alone, before any file is read

// Thrown to end the program with this exit status, the message already printed (130 and 143 after
// SIGINT and SIGTERM, as a shell reports a program those signals ended).
struct ExitStatus {
  int code;
};

// A command line refused for what it says alone (options that do not go together, an option the
// chosen optimizer does not have): main prints it as one line and exits with kExitUsage.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace bpnn::cli
