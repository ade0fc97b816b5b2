// The vector instruction sets of portable arithmetic's kernels (internal): each kernel has a copy
// per set, compiled for it and chosen when the program runs, and the vector types they are written
// in (the compiler's vector extensions, which GCC and Clang lower to any of them). Lanes never
// share a sum, so every copy gives the same bits.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace bpnn::kernels {

// 128-bit vectors (SSE2 on x86-64's baseline; NEON on aarch64, SIMD128 in WebAssembly: there the
// only copy), AVX2's 256 and AVX-512's 512 bits. The default is the widest the CPU runs; tests
// choose each in turn to compare their bits (set it before any backend call, not during one: the
// choice is the process's).
enum class VectorIsa { baseline, avx2, avx512 };
std::vector<VectorIsa> vector_isas();  // those this CPU runs, in the order above
VectorIsa vector_isa();
void set_vector_isa(VectorIsa isa);  // throws bpnn::Error for one this CPU does not run
std::string_view to_string(VectorIsa isa);

// On x86-64, a kernel's AVX2 and AVX-512 copies are functions with a target attribute, into which
// its templates (always inlined) are compiled; GCC and Clang cannot give a template a target. Only
// in a build for x86-64's baseline: one built for more (-march=x86-64-v3 and up) has each kernel
// once, for the CPU it names (an AVX2 copy could not inline the file's AVX-512 templates).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__AVX2__)
#define BPNN_X86_COPIES 1
#define BPNN_TARGET_AVX2 [[gnu::target("arch=x86-64-v3")]]
#define BPNN_TARGET_AVX512 [[gnu::target("arch=x86-64-v4")]]
#endif

// n values of T as one vector, and the same for any address.
template <class T, std::size_t n>
struct VectorOf {
  typedef T type __attribute__((vector_size(n * sizeof(T))));
  typedef T unaligned __attribute__((vector_size(n * sizeof(T)), aligned(alignof(T)), may_alias));
};

// Through the unaligned type: a plain load or store at any address. Vectors by reference, never by
// value or returned (a wide vector there takes its instruction set's calling convention); through
// the type rather than memcpy, which GCC sent through the stack in 16-byte pieces.
template <class T, std::size_t n>
[[gnu::always_inline]] inline void load(typename VectorOf<T, n>::type& v, const T* p) {
  v = *reinterpret_cast<const typename VectorOf<T, n>::unaligned*>(p);
}
template <class T, std::size_t n>
[[gnu::always_inline]] inline void store(T* p, const typename VectorOf<T, n>::type& v) {
  *reinterpret_cast<typename VectorOf<T, n>::unaligned*>(p) = v;
}

}  // namespace bpnn::kernels
