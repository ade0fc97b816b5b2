# The compile options that decide the library's floating-point results, in one place for the two
# builds that compile its sources: bpnn itself (CMakeLists.txt) and the portable engine that
# tests/same_bits builds for each CPU and for WebAssembly, which must round as bpnn does.
# bpnn_arithmetic_options(TARGET ROOT): TARGET compiles library sources named from ROOT, the
# repository's top folder.
# The portable kernels each name their own Job, lane counts and block shapes in an anonymous
# namespace: a unity build (the sanitizer build's, the same-bits targets') compiles them on their own.
set(BPNN_OWN_NAMESPACE_KERNELS src/kernels/lane_sums.cpp src/kernels/portable_correlate.cpp
    src/kernels/portable_gemm.cpp)
function(bpnn_arithmetic_options target root)
  set_target_properties(${target} PROPERTIES CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  # `#pragma omp simd` marks reductions the compiler may vectorize; no OpenMP runtime is linked.
  target_compile_options(${target} PRIVATE -fopenmp-simd)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # The pragma allows vectorizing, it does not demand it: clang warns where it did not (at -O1, as
    # in the sanitizer build).
    target_compile_options(${target} PRIVATE -Wno-pass-failed)
  endif()
  # No multiply and add fused into one rounding unless the code says so: a fused multiply-add exists
  # on some CPUs only (not on x86-64's baseline, nor in WebAssembly), so contracting would make
  # results differ between them (clang contracts by default, GCC in ISO C++ mode too: its ISO mode
  # keeps them apart in C only). tests/CMakeLists.txt's portable_no_fma checks the objects.
  target_compile_options(${target} PRIVATE -ffp-contract=off)
  # Floating-point operations raise no trap (the library reads no exception flags, and clang assumes
  # as much by default): GCC may then compute both sides of a choice, so that the loops over
  # bpnn/core/math.hpp's functions and the activations' `x > 0 ? x : expm1(x)` vectorize. No result
  # changes.
  target_compile_options(${target} PRIVATE -fno-trapping-math)
  # The direct convolution's `acc += w * x`, fast arithmetic's own kernel, are meant as fused
  # multiply-adds where the CPU has them (the later option wins).
  set_source_files_properties(${root}/src/kernels/direct_conv.cpp TARGET_DIRECTORY ${target}
                              PROPERTIES COMPILE_OPTIONS -ffp-contract=fast)
endfunction()
