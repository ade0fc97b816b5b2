# The compile options that decide the library's floating-point results, in one place for the two
# builds that compile its sources: bpnn itself (CMakeLists.txt) and the portable engine that
# tests/same_bits builds for each CPU and for WebAssembly, which must round as bpnn does.
# bpnn_arithmetic_options(TARGET ROOT): TARGET compiles library sources named from ROOT, the
# repository's top folder.
function(bpnn_arithmetic_options target root)
  set_target_properties(${target} PROPERTIES CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  # `#pragma omp simd` marks reductions the compiler may vectorize; no OpenMP runtime is linked.
  target_compile_options(${target} PRIVATE -fopenmp-simd)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # The pragma allows vectorizing, it does not demand it: clang warns where it did not (at -O1, as
    # in the sanitizer build).
    target_compile_options(${target} PRIVATE -Wno-pass-failed)
  endif()
  # The direct convolution's `acc += w * x` are meant as fused multiply-adds.
  set_source_files_properties(${root}/src/kernels/direct_conv.cpp TARGET_DIRECTORY ${target}
                              PROPERTIES COMPILE_OPTIONS -ffp-contract=fast)
  # Portable arithmetic's sources (and the reference's loops, its definition) keep every multiply
  # and add apart on every compiler. Both GCC and Clang contract `a * b + c` into a fused
  # multiply-add by default where the CPU has one (x86-64-v3 and up, aarch64), GCC in ISO C++ mode
  # too: its ISO mode keeps them apart in C only.
  set(portable_sources src/backend/reference.cpp src/backend/threaded.cpp src/backend/portable.cpp
      src/kernels/portable_gemm.cpp src/kernels/lane_sums.cpp src/kernels/portable_correlate.cpp)
  list(TRANSFORM portable_sources PREPEND ${root}/)
  set_source_files_properties(${portable_sources} TARGET_DIRECTORY ${target}
                              PROPERTIES COMPILE_OPTIONS -ffp-contract=off)
endfunction()
