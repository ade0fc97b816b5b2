// The command line's checks of option values, with messages in plain words (CLI11's own print
// the largest double in full for a bound that is not there). Every count is checked as text,
// before CLI11 converts it: "-1" would otherwise become 18446744073709551615 epochs.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace bpnn::cli {

// A whole number from minimum to maximum (inclusive).
CLI::Validator whole_number(long long minimum, long long maximum = 1000000000000LL);
// A finite number > 0, >= 0, or strictly between 0 and 1.
CLI::Validator positive_number();
CLI::Validator non_negative_number();
CLI::Validator fraction();

// Throws Error unless a file can be written at path: its folder exists and path is not a folder.
// flag names the option in the message. Checked before training starts, so a typo in --out is
// found before the epochs, not after them.
void check_writable(const std::string& path, const std::string& flag);

}  // namespace bpnn::cli
