# `bpnn serve` (included from the top-level CMakeLists.txt after bpnn_cli): serves the playground's
# static site (scripts/site.sh) on this machine, with cpp-httplib (Debian's libcpp-httplib-dev,
# found through pkg-config). Without cpp-httplib the command is there but says how to get it.
# The API over a session (api.cpp and what it calls) is a library of its own, bpnn_playground,
# which the command line and tests/playground_api_test link; the WebAssembly engine
# (apps/playground/wasm) compiles the same sources (cmake/portable_sources.cmake).
include(${PROJECT_SOURCE_DIR}/cmake/portable_sources.cmake)
add_library(bpnn_playground STATIC ${BPNN_PLAYGROUND_SOURCES})
target_include_directories(bpnn_playground PUBLIC ${PROJECT_SOURCE_DIR}/apps/playground)
target_link_libraries(bpnn_playground PUBLIC bpnn::bpnn bpnn_demos nlohmann_json::nlohmann_json)
# One file for all (a unity build), as when they were the command line's: they share its headers.
set_target_properties(bpnn_playground PROPERTIES UNITY_BUILD ON)
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

# The static site (scripts/site.sh): `cmake --build build --target site` builds it into build/site,
# the engine with emscripten into build/engine. Where emscripten (Debian's emscripten) is installed.
find_program(BPNN_EMCMAKE emcmake)
set(BPNN_SITE_DIR ${CMAKE_BINARY_DIR}/site)
set(BPNN_ENGINE_BUILD_DIR ${CMAKE_BINARY_DIR}/engine)
if(BPNN_EMCMAKE)
  add_custom_target(site
    COMMAND ${CMAKE_COMMAND} -E env BPNN_ENGINE_BUILD=${BPNN_ENGINE_BUILD_DIR}
            bash ${PROJECT_SOURCE_DIR}/scripts/site.sh ${BPNN_SITE_DIR}
    COMMENT "Building the playground's static site into ${BPNN_SITE_DIR}" USES_TERMINAL VERBATIM)
  set(BPNN_SITE ON)
else()
  message(STATUS "emscripten not found (install Debian's emscripten): no target site, no site tests")
  set(BPNN_SITE OFF)
endif()
