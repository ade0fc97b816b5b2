# The library as the WebAssembly builds compile it (emscripten; included by a project configured
# with emcmake, with `root` the repository's top folder): the static library engine_library, of
# portable_sources.cmake's BPNN_PORTABLE_SOURCES and BPNN_PLAYGROUND_LIBRARY_SOURCES, and
# wasm_options, the options of everything that links it. One definition for the playground's engine
# (apps/playground/wasm) and the engine's tests on wasm32 (tests/wasm): the tests test the objects
# the page runs, and a compiler cache gives one build the other's.
include(${root}/cmake/arithmetic_options.cmake)
include(${root}/cmake/portable_sources.cmake)
list(TRANSFORM BPNN_PORTABLE_SOURCES PREPEND ${root}/ OUTPUT_VARIABLE library_sources)
list(TRANSFORM BPNN_PLAYGROUND_LIBRARY_SOURCES PREPEND ${root}/ OUTPUT_VARIABLE playground_library_sources)

# nlohmann/json is header-only: the host's copy, through a folder that holds nothing else, so that
# emscripten never sees the host's other headers in /usr/include.
find_path(NLOHMANN_JSON_INCLUDE_DIR nlohmann/json.hpp PATHS /usr/include NO_CMAKE_FIND_ROOT_PATH REQUIRED)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/nlohmann-only)
file(CREATE_LINK ${NLOHMANN_JSON_INCLUDE_DIR}/nlohmann ${CMAKE_BINARY_DIR}/nlohmann-only/nlohmann SYMBOLIC)

# SIMD128 for the portable kernels' vectors; exceptions caught as in C++ (bpnn reports errors by
# throwing, and the API turns them into replies), by WebAssembly's own exception handling (Chrome 95,
# Firefox 100, Safari 15.2, Node 17 and later): emscripten's JavaScript-based -fexceptions wraps every
# call that may throw in a call out to JavaScript, which made engine.wasm 17% larger (1.58 MB against
# 1.31 MB, the site over its 3 MiB budget) and training 10% slower.
set(BPNN_ENGINE_EXCEPTIONS -fwasm-exceptions CACHE STRING "How exceptions are compiled (-fexceptions: in JavaScript)")
set(wasm_options -msimd128 ${BPNN_ENGINE_EXCEPTIONS})

# The library, as the main build compiles it (cmake/arithmetic_options.cmake), twenty sources to a
# file (a unity build; the same exceptions as tests/same_bits: sources with options of their own,
# and those that define a name another defines differently).
add_library(engine_library STATIC ${library_sources} ${playground_library_sources})
bpnn_arithmetic_options(engine_library ${root})
target_include_directories(engine_library PUBLIC ${root}/include ${root}/demos PRIVATE ${root}/src)
target_include_directories(engine_library SYSTEM PUBLIC ${CMAKE_BINARY_DIR}/nlohmann-only)
target_compile_options(engine_library PRIVATE ${wasm_options} -Wall -Wextra $<$<BOOL:${BPNN_WERROR}>:-Werror>)
# The fast arithmetic's GEMM comes with make_cpu_backend: here its plain loops.
set_source_files_properties(${root}/src/kernels/gemm.cpp PROPERTIES
                            COMPILE_DEFINITIONS "BPNN_HAVE_BLAS=0;BPNN_HAVE_DNNL=0")
set_target_properties(engine_library PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 20)
list(TRANSFORM BPNN_OWN_NAMESPACE_KERNELS PREPEND ${root}/ OUTPUT_VARIABLE own_namespace_kernels)
set_source_files_properties(${root}/src/io/network.cpp ${root}/src/model/registry.cpp ${root}/src/io/csv.cpp
                            ${root}/demos/mazur.cpp ${own_namespace_kernels}
                            PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
