# `bpnn serve` (included from the top-level CMakeLists.txt after bpnn_cli): serves the playground's
# static site (scripts/site.sh) on this machine, with cpp-httplib (Debian's libcpp-httplib-dev,
# found through pkg-config). Without cpp-httplib the command is there but says how to get it.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(CPP_HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
endif()
if(CPP_HTTPLIB_FOUND)
  target_sources(bpnn_cli PRIVATE apps/playground/server.cpp)
  # Debian's build of cpp-httplib is compiled with OpenSSL, zlib and Brotli: the same macros here
  # keep its classes' layout, which pkg-config's cflags carry.
  target_link_libraries(bpnn_cli PRIVATE PkgConfig::CPP_HTTPLIB)
  set(BPNN_SERVE ON)
else()
  message(STATUS "cpp-httplib not found (install libcpp-httplib-dev): bpnn serve will say so when run")
  target_sources(bpnn_cli PRIVATE apps/playground/missing.cpp)
  set(BPNN_SERVE OFF)
endif()
