// Checks that a call fails the way bpnn promises: with bpnn::Error whose message names what is
// wrong and where (each of the given parts must appear in it).
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "bpnn/core/error.hpp"

namespace bpnn::testing {

template <class F>
void expect_error(F&& call, std::initializer_list<std::string> parts) {
  try {
    call();
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    for (const std::string& part : parts) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << "missing '" << part << "' in: " << e.what();
    }
  }
}

}  // namespace bpnn::testing
