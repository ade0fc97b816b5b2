// The command line's checks of option values, with messages in plain words (CLI11's own print
// the largest double in full for a bound that is not there). Every count is checked as text,
// before CLI11 converts it: "-1" would otherwise become 18446744073709551615 epochs.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "bpnn/model/registry.hpp"

namespace bpnn::cli {

// A whole number from minimum to maximum (inclusive).
CLI::Validator whole_number(long long minimum, long long maximum = 1000000000000LL);
// A finite number > 0, >= 0, or strictly between 0 and 1.
CLI::Validator positive_number();
CLI::Validator non_negative_number();
CLI::Validator fraction();
// A number in the range a registry option allows ("must be a number >= 0, got '-0.5'").
CLI::Validator allowed_by(const Option& option);
// One of names (the registry's: losses, optimizers, schedules).
CLI::Validator one_of(std::vector<std::string_view> names);
// An optimizer option's defaults as help texts give them, from the registry: "0.1 for sgd and
// momentum, 0.001 for adam and adamw"; and the optimizers that take it: "momentum or rmsprop".
std::string defaults_by_optimizer(std::string_view option);
std::string optimizers_taking(std::string_view option);

// Throws Error unless a file can be written at path: its folder exists and path is not a folder.
// flag names the option in the message. Checked before training starts, so a typo in --out is
// found before the epochs, not after them.
void check_writable(const std::string& path, const std::string& flag);

}  // namespace bpnn::cli
