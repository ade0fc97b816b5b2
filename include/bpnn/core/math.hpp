// bpnn's own elementary functions, for float and double: exp, expm1, log, log1p, tanh, erf, pow, sin
// and cos. Each reduces its argument to a small interval and evaluates a fixed polynomial there
// (scripts/math_coefficients.py derives them), with IEEE-754's correctly rounded operations only
// (+, -, *, / and comparisons) and integer operations on the bits, so that a result is the same on
// every CPU and in WebAssembly. The library calls these, never the platform's libm;
// docs/arithmetic.md states their measured accuracy and tests/math_test.cpp measures it.
// The float versions have no branches, so that a loop over them vectorizes. Code that calls them
// gets the library's bits when compiled as the library is: with -ffp-contract=off (a fused
// a * b + c rounds once) and without -ffast-math.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

namespace bpnn::math {
namespace detail {

// std::bit_cast, or the builtin it is made of where the standard library lacks it (emscripten 3.1's).
template <class To, class From>
constexpr To bit_cast(const From& from) {
#if defined(__cpp_lib_bit_cast)
  return std::bit_cast<To>(from);
#else
  return __builtin_bit_cast(To, from);
#endif
}

template <class T>
struct Format;

template <>
struct Format<float> {
  using Bits = std::uint32_t;
  static constexpr int fraction_bits = 23;
  static constexpr Bits exponent_bias = 127;
  // Adding it rounds a number below 2^22 in magnitude to an integer, which its low bits then hold.
  static constexpr float round_shift = 0x1.8p23f;
  static constexpr float log2e = 0x1.715476p0f;
  // ln 2 = ln2_hi + ln2_lo, ln2_hi with 16 significant bits: k ln2_hi is exact for |k| < 2^8.
  static constexpr float ln2_hi = 0x1.62e400p-1f;
  static constexpr float ln2_lo = 0x1.7f7d1cp-20f;
  // exp is 0 below exp_min and inf above exp_max (after rounding); clamped there, k stays in range.
  static constexpr float exp_min = -104.0f;
  static constexpr float exp_max = 89.0f;
  static constexpr float expm1_min = -20.0f;     // expm1 is -1 below
  static constexpr float expm1_huge = 87.0f;     // expm1 is exp above: the 1 lies far below its last bit
  static constexpr Bits sqrt_half = 0x3f3504f3;  // the bits of sqrt(1/2)
  static constexpr float subnormal_scale = 0x1p25f;
  static constexpr float subnormal_scale_exponent = 25.0f;
  static constexpr float erf_one = 3.93f;  // erf rounds to 1 from here
};

template <>
struct Format<double> {
  using Bits = std::uint64_t;
  static constexpr int fraction_bits = 52;
  static constexpr Bits exponent_bias = 1023;
  static constexpr double round_shift = 0x1.8p52;
  static constexpr double log2e = 0x1.71547652b82fep0;
  // ln2_hi with 42 significant bits: k ln2_hi is exact for |k| < 2^11.
  static constexpr double ln2_hi = 0x1.62e42fefa3800p-1;
  static constexpr double ln2_lo = 0x1.ef35793c76730p-45;
  static constexpr double exp_min = -746.0;
  static constexpr double exp_max = 710.0;
  static constexpr double expm1_min = -40.0;
  static constexpr double expm1_huge = 708.0;
  static constexpr Bits sqrt_half = 0x3fe6a09e667f3bcd;
  static constexpr double subnormal_scale = 0x1p54;
  static constexpr double subnormal_scale_exponent = 54.0;
  static constexpr double erf_one = 5.93;
};

// The polynomials, lowest degree first (scripts/math_coefficients.py).
template <class T>
struct Coefficients;

template <>
struct Coefficients<float> {
  // e^r - 1 = r + r^2 / 2 + r^3 P(r), |r| <= ln2 / 2
  static constexpr std::array<float, 5> expm1 = {0x1.555554p-3f, 0x1.5554f2p-5f, 0x1.1111ccp-7f, 0x1.6d4128p-10f,
                                                 0x1.9fbdc2p-13f};
  // log(1 + f) = f - f^2 / 2 + s (f^2 / 2 + z P(z)), s = f / (2 + f), z = s^2
  static constexpr std::array<float, 3> log = {0x1.55557ap-1f, 0x1.995eb6p-2f, 0x1.31e34cp-2f};
  // tanh(x) = x + x^3 P(x^2), |x| < 0.55
  static constexpr std::array<float, 5> tanh = {-0x1.55554ap-2f, 0x1.110d24p-3f, -0x1.b92844p-5f, 0x1.593b1ep-6f,
                                                -0x1.9b24c6p-8f};
  // erf(x) = x + x P(x^2), |x| < 0.84375
  static constexpr std::array<float, 7> erf = {0x1.06eba8p-3f, -0x1.812746p-2f,  0x1.ce2eb2p-4f, -0x1.b81e40p-6f,
                                               0x1.556f68p-8f, -0x1.b0a7acp-11f, 0x1.744bc2p-14f};
  // erfc(x) = e^(-x^2) P(x - 0.84375), 0.84375 <= x < 3.93
  static constexpr std::array<float, 10> erfc = {0x1.e5c0bep-2f,  -0x1.4fc074p-2f, 0x1.94e6a6p-3f, -0x1.b7611cp-4f,
                                                 0x1.b2f378p-5f,  -0x1.83e978p-6f, 0x1.263b52p-7f, -0x1.53aee8p-9f,
                                                 0x1.f75066p-12f, -0x1.590f9ep-15f};
};

template <>
struct Coefficients<double> {
  static constexpr std::array<double, 10> expm1 = {0x1.5555555555559p-3,  0x1.5555555555548p-5,  0x1.111111110f7adp-7,
                                                   0x1.6c16c16c1cdd9p-10, 0x1.a01a01af92861p-13, 0x1.a01a0182cec6cp-16,
                                                   0x1.71ddf9023cf5ap-19, 0x1.27e52b6909a23p-22, 0x1.af5dbc790b5e3p-26,
                                                   0x1.1ef527469ff9ap-29};
  static constexpr std::array<double, 7> log = {0x1.5555555555592p-1, 0x1.999999997fd77p-2, 0x1.24924941f4fb5p-2,
                                                0x1.c71c52060803ep-3, 0x1.74663fa2250c9p-3, 0x1.39a1a6f733d62p-3,
                                                0x1.2f063487116fbp-3};
  static constexpr std::array<double, 13> tanh = {
      -0x1.5555555555555p-2,  0x1.111111111110dp-3,  -0x1.ba1ba1ba1b4c3p-5,  0x1.664f4882a22a0p-6,
      -0x1.226e3557d42f9p-7,  0x1.d6d3cf11749dep-9,  -0x1.7da33925e9905p-10, 0x1.35555714f7f7ap-11,
      -0x1.f53b9d6eff235p-13, 0x1.945ae270ef777p-14, -0x1.3d19d3917b63ap-15, 0x1.b52397e8ea876p-17,
      -0x1.7df0163f0c30ap-19};
  static constexpr std::array<double, 13> erf = {0x1.06eba8214db69p-3,   -0x1.812746b0379e7p-2,  0x1.ce2f21a042bddp-4,
                                                 -0x1.b82ce312888e1p-6,  0x1.565bcd0e609abp-8,   -0x1.c02db3fd5cfe5p-11,
                                                 0x1.f9a3266c62553p-14,  -0x1.f4d24a1cce9fap-17, 0x1.b9e5315fd2b8ap-20,
                                                 -0x1.5f5b6957cbc60p-23, 0x1.fabb075d03060p-27,  -0x1.43ca6b38d1910p-30,
                                                 0x1.2a68a9e74377cp-34};
  // erfc(x) = e^(-x^2) P(x - start) on four pieces from 0.84375 to 6.
  static constexpr std::array<double, 4> erfc_start = {0.84375, 1.5, 2.5, 4.0};
  static constexpr std::array<std::array<double, 14>, 4> erfc = {{
      {0x1.e5c0be6e7d145p-2, -0x1.4fc092b633c3ap-2, 0x1.94ec85497e2bcp-3, -0x1.b7ccc69c4f964p-4, 0x1.b6c442ba5d78bp-5,
       -0x1.9783233a733bfp-6, 0x1.63cb70ea2714dp-7, -0x1.2629b3ca0e78dp-8, 0x1.cf0a6fa66b593p-10,
       -0x1.5b510c09b7c97p-11, 0x1.ea2c1afb247b8p-13, -0x1.348c3af8b348dp-14, 0x1.2d72454310ea6p-16,
       -0x1.4628b6ecb62ccp-19},
      {0x1.494daffa2ad68p-2, -0x1.4f1988444c8afp-3, 0x1.37ea271bae1bfp-4, -0x1.0dc51d238f89ep-5, 0x1.b659438337ee5p-7,
       -0x1.513ebbe779c80p-8, 0x1.ee6dbd1ce52bap-10, -0x1.5af503abd976ep-11, 0x1.d356e98c0ba60p-13,
       -0x1.2ccb46f6667adp-14, 0x1.68c24625ccc7dp-16, -0x1.76e4543c44a9cp-18, 0x1.214339ee5fbabp-20,
       -0x1.d8b712502ca10p-24},
      {0x1.afbb3f3b7343ap-3, -0x1.3086d7f01ab0dp-4, 0x1.98958a7a73facp-6, -0x1.063207627404cp-7, 0x1.435c03af8a4d1p-9,
       -0x1.809cc270aaae0p-11, 0x1.ba87646369f9ep-13, -0x1.edabb259f4787p-15, 0x1.0b1150d048dfdp-16,
       -0x1.1620ddfc96b44p-18, 0x1.0e0b6f21221e9p-20, -0x1.c27a01e4f0268p-23, 0x1.12917eb8ca875p-25,
       -0x1.5c1d4cfdde16bp-29},
      {0x1.18932bf08e154p-3, -0x1.0949227374234p-5, 0x1.e9412fa319043p-8, -0x1.b8b6381a61910p-10, 0x1.8457b9c206a11p-12,
       -0x1.4f294f98a55e5p-14, 0x1.1b9e56b2c6568p-16, -0x1.d6efd1123be18p-19, 0x1.7efe10f831d0dp-21,
       -0x1.2dc0ba38f122ap-23, 0x1.bb7e484de7229p-26, -0x1.162f0b1ff4502p-28, 0x1.f92958f20fe17p-32,
       -0x1.d91865afb60e5p-36},
  }};
  // pow's logarithm: log(1 + f) = 2s + 2s^3 / 3 + s^5 P(z)
  static constexpr std::array<double, 8> log_tail = {0x1.9999999999996p-2, 0x1.2492492493036p-2, 0x1.c71c71c58047ep-3,
                                                     0x1.745d1832623c3p-3, 0x1.3b1362b1f4783p-3, 0x1.1120b63d0ccdap-3,
                                                     0x1.de33584722459p-4, 0x1.eb11ea979cc38p-4};
  // sin(r) = r + r^3 P(r^2) and cos(r) = 1 - r^2 / 2 + r^4 P(r^2), |r| <= pi / 4
  static constexpr std::array<double, 6> sin = {-0x1.5555555555549p-3, 0x1.111111110f87dp-7,   -0x1.a01a019c12029p-13,
                                                0x1.71de357815cc4p-19, -0x1.ae5e6687f774dp-26, 0x1.5d93183442a35p-33};
  static constexpr std::array<double, 6> cos = {0x1.555555555554cp-5,   -0x1.6c16c16c15181p-10, 0x1.a01a019cb2169p-16,
                                                -0x1.27e4f80a33adap-22, 0x1.1ee9ec18930d1p-29,  -0x1.8faeb5e62d87cp-37};
};

// c[0] + c[1] x + ... + c[N-1] x^(N-1) by Horner's rule, written out (no loop for the vectorizer).
template <class T, std::size_t N>
inline T polynomial(T x, const std::array<T, N>& c) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    T p = c[N - 1];
    ((p = p * x + c[N - 2 - I]), ...);
    return p;
  }
  (std::make_index_sequence<N - 1>{});
}

template <class T>
using Bits = typename Format<T>::Bits;
template <class T>
inline constexpr Bits<T> sign_bit = Bits<T>{1} << (sizeof(T) * 8 - 1);

template <class T>
inline T magnitude(T x) {
  return bit_cast<T>(bit_cast<Bits<T>>(x) & ~sign_bit<T>);
}
// magnitude with the sign of `sign`.
template <class T>
inline T with_sign_of(T magnitude, T sign) {
  return bit_cast<T>(bit_cast<Bits<T>>(magnitude) | (bit_cast<Bits<T>>(sign) & sign_bit<T>));
}

template <class T>
inline constexpr T infinity = std::numeric_limits<T>::infinity();
template <class T>
inline constexpr T not_a_number = std::numeric_limits<T>::quiet_NaN();

// ---- exp and expm1: x = k ln2 + r, e^x = 2^k e^r ----

// x = k ln2 + r + tail for the integer k nearest x / ln2 (k as two's complement bits), |r| about
// ln2 / 2 at most, tail the rounding error of r (a few units of r's last place at most). x + x_tail
// is the argument; x must lie in [exp_min, exp_max] or be NaN.
template <class T>
struct ExpArgument {
  Bits<T> k;
  T r, tail;
};
template <class T>
inline ExpArgument<T> reduce_exp(T x, T x_tail) {
  using F = Format<T>;
  const T shifted = x * F::log2e + F::round_shift;
  const T k = shifted - F::round_shift;
  const T r_hi = x - k * F::ln2_hi;  // exact: k ln2_hi has few bits, and x lies near it
  const T r_lo = k * F::ln2_lo - x_tail;
  const T r = r_hi - r_lo;
  return {bit_cast<Bits<T>>(shifted) - bit_cast<Bits<T>>(F::round_shift), r, (r_hi - r) - r_lo};
}

// e^r - 1 - r for |r| <= ln2 / 2.
template <class T>
inline T expm1_beyond_linear(T r) {
  const T r2 = r * r;
  return T(0.5) * r2 + r * r2 * polynomial(r, Coefficients<T>::expm1);
}

// A number as hi + lo, |lo| far below hi's last bit.
template <class T>
struct TwoParts {
  T hi, lo;
};

// e^(r + tail) in [1/sqrt 2, sqrt 2] as 1 + r and the rest, from the reduced argument and
// e^r - 1 - r: 1 + r's rounding error is kept, so that only hi + lo rounds at full size.
template <class T>
inline TwoParts<T> exp_mantissa(T r, T tail, T beyond_linear) {
  const T s = T(1) + r;
  return {s, ((T(1) - s) + r) + (beyond_linear + (tail + tail * r))};
}

// 2^k as two factors, each a normal number for the k of [exp_min, exp_max], so that
// mantissa * first * second rounds once, also where the result is subnormal.
template <class T>
struct PowerOfTwo {
  T first, second;
};
template <class T>
inline PowerOfTwo<T> power_of_two(Bits<T> k) {
  using F = Format<T>;
  constexpr Bits<T> offset = 1 << 12;                     // makes k + offset positive, so that the shift halves it
  const Bits<T> half = ((k + offset) >> 1) - offset / 2;  // floor(k / 2)
  return {bit_cast<T>((half + F::exponent_bias) << F::fraction_bits),
          bit_cast<T>((k - half + F::exponent_bias) << F::fraction_bits)};
}

// e^(x + x_tail) for x in [exp_min, exp_max] or NaN.
template <class T>
inline T exp_of_clamped(T x, T x_tail) {
  const ExpArgument<T> a = reduce_exp(x, x_tail);
  const PowerOfTwo<T> scale = power_of_two<T>(a.k);
  const TwoParts<T> m = exp_mantissa(a.r, a.tail, expm1_beyond_linear(a.r));
  return (m.hi + m.lo) * scale.first * scale.second;
}

// e^x as hi + lo for x in [0, 80] (or NaN): the sum before exp's last rounding.
template <class T>
inline TwoParts<T> exp_two_parts(T x) {
  const ExpArgument<T> a = reduce_exp(x, T(0));
  const PowerOfTwo<T> scale = power_of_two<T>(a.k);
  const T two_k = scale.first * scale.second;  // exact, a normal number
  const TwoParts<T> m = exp_mantissa(a.r, a.tail, expm1_beyond_linear(a.r));
  const T hi = m.hi + m.lo;
  return {hi * two_k, ((m.hi - hi) + m.lo) * two_k};
}

template <class T>
inline T clamp_keeping_nan(T x, T low, T high) {
  return x < low ? low : (x > high ? high : x);
}

// ---- log and log1p: x = 2^e (1 + f), sqrt(1/2) <= 1 + f < sqrt 2 ----

template <class T>
struct LogArgument {
  T e, f;
};
// For a positive normal x (other x give unspecified numbers, never a trap).
template <class T>
inline LogArgument<T> reduce_log(T x) {
  using F = Format<T>;
  constexpr Bits<T> fraction_mask = (Bits<T>{1} << F::fraction_bits) - 1;
  const Bits<T> shifted = bit_cast<Bits<T>>(x) - F::sqrt_half;
  // The biased exponent of x / sqrt(1/2), counted from 1: positive for every positive normal x.
  const Bits<T> biased = (shifted + (F::exponent_bias << F::fraction_bits)) >> F::fraction_bits;
  // As a floating-point number through round_shift's bits, which a vectorizer handles for 64 bits too.
  const T e =
      bit_cast<T>(bit_cast<Bits<T>>(F::round_shift) + biased) - (F::round_shift + static_cast<T>(F::exponent_bias));
  const T m = bit_cast<T>((shifted & fraction_mask) + F::sqrt_half);
  return {e, m - T(1)};  // exact: m lies within a factor 2 of 1
}

// log(2^e (1 + f)) + correction, for a correction far below the result's last bit.
template <class T>
inline T log_of_reduced(T e, T f, T correction) {
  using F = Format<T>;
  const T s = f / (T(2) + f);
  const T z = s * s;
  const T half_f2 = T(0.5) * f * f;
  const T hi = e * F::ln2_hi;  // exact
  const T lo = e * F::ln2_lo + correction + s * (half_f2 + z * polynomial(z, Coefficients<T>::log));
  // hi + f - f^2 / 2 with each step's rounding error kept (|hi| >= |f| unless hi is 0, and
  // |hi + f| > f^2 / 2).
  const T t = hi + f;
  const T t_error = (hi - t) + f;
  const T u = t - half_f2;
  const T u_error = (t - u) - half_f2;
  return u + ((t_error + u_error) + lo);
}

// ---- double-double arithmetic, for pow, sin and cos ----

// a + b = sum + error exactly.
using TwoDoubles = TwoParts<double>;
inline TwoDoubles two_sum(double a, double b) {
  const double sum = a + b;
  const double b_part = sum - a;
  return {sum, (a - (sum - b_part)) + (b - b_part)};
}
// The same, for |a| >= |b| (or a = 0).
inline TwoDoubles fast_two_sum(double a, double b) {
  const double sum = a + b;
  return {sum, (a - sum) + b};
}
// a * b = product + error exactly (Dekker's product; |a|, |b| < 2^995).
inline TwoDoubles split(double a) {
  const double c = 0x1.0000002p27 * a;  // 2^27 + 1
  const double hi = c - (c - a);
  return {hi, a - hi};
}
inline TwoDoubles two_product(double a, double b) {
  const double product = a * b;
  const TwoDoubles x = split(a), y = split(b);
  return {product, ((x.hi * y.hi - product) + x.hi * y.lo + x.lo * y.hi) + x.lo * y.lo};
}

// log(x 2^-scale) as hi + lo to about 2^-65 relative, for a positive normal x.
inline TwoDoubles log_two_doubles(double x, double scale) {
  using F = Format<double>;
  LogArgument<double> a = reduce_log(x);
  a.e -= scale;
  // log(1 + f) = 2 atanh(s), s = f / (2 + f) = s_hi + s_lo
  const TwoDoubles d = fast_two_sum(2.0, a.f);
  const double s_hi = a.f / d.hi;
  const TwoDoubles p = two_product(s_hi, d.hi);
  const double s_lo = (((a.f - p.hi) - p.lo) - s_hi * d.lo) / d.hi;
  // 2s^3 / 3 in double-double: s^2, s^3, then times 2/3 = 0x1.5555555555555p-1 + 0x1.5555555555555p-55.
  TwoDoubles s2 = two_product(s_hi, s_hi);
  s2.lo += 2.0 * s_hi * s_lo;
  TwoDoubles s3 = two_product(s2.hi, s_hi);
  s3.lo += s2.hi * s_lo + s2.lo * s_hi;
  constexpr double two_thirds_hi = 0x1.5555555555555p-1, two_thirds_lo = 0x1.5555555555555p-55;
  TwoDoubles t3 = two_product(s3.hi, two_thirds_hi);
  t3.lo += s3.hi * two_thirds_lo + s3.lo * two_thirds_hi;
  const double z = s_hi * s_hi;
  const double tail = s_hi * (z * z) * polynomial(z, Coefficients<double>::log_tail);
  // e ln2 + 2s + 2s^3 / 3 + tail, the large terms summed exactly.
  const TwoDoubles sum1 = two_sum(a.e * F::ln2_hi, 2.0 * s_hi);
  const TwoDoubles sum2 = two_sum(sum1.hi, t3.hi);
  const double lo = sum1.lo + sum2.lo + (2.0 * s_lo + t3.lo + tail + a.e * F::ln2_lo);
  return fast_two_sum(sum2.hi, lo);
}

// ---- sin and cos: x = (n + f) pi / 2, |f| <= 1/2 ----

// 2 / pi's binary digits from the point on, 32 to a word: enough for the largest double.
inline constexpr std::uint32_t two_over_pi[] = {
    0xa2f9836e, 0x4e441529, 0xfc2757d1, 0xf534ddc0, 0xdb629599, 0x3c439041, 0xfe5163ab, 0xdebbc561,
    0xb7246e3a, 0x424dd2e0, 0x06492eea, 0x09d1921c, 0xfe1deb1c, 0xb129a73e, 0xe88235f5, 0x2ebb4484,
    0xe99c7026, 0xb45f7e41, 0x3991d639, 0x835339f4, 0x9c845f8b, 0xbdf9283b, 0x1ff897ff, 0xde05980f,
    0xef2f118b, 0x5a0a6d1f, 0x6d367ecf, 0x27cb09b7, 0x4f463f66, 0x9e5fea2d, 0x7527bac7, 0xebe5f17b,
    0x3d0739f7, 0x8a5292ea, 0x6bfb5fb1, 0x1f8d5d08, 0x56033046, 0xfc7b6bab, 0xf0cfbc20, 0x9af4361d,
};

struct QuarterTurns {
  unsigned n;            // mod 4
  TwoDoubles remainder;  // f pi / 2
};

// Bits [position, position + count) of the little-endian number `words`, count <= 32.
template <std::size_t N>
inline std::uint32_t bits_at(const std::uint32_t (&words)[N], int position, int count) {
  const auto word = static_cast<std::size_t>(position / 32);
  const int shift = position % 32;
  std::uint64_t pair = words[word];
  if (word + 1 < N) pair |= static_cast<std::uint64_t>(words[word + 1]) << 32;
  return static_cast<std::uint32_t>((pair >> shift) & ((std::uint64_t{1} << count) - 1));
}

// |x| >= pi/4, finite: x 2 / pi in fixed point from the 2 / pi digits that reach its last two integer
// bits (Payne and Hanek's reduction), exact to some 160 bits below the point for every double.
inline QuarterTurns reduce_quarter_turns(double x) {
  const auto bits = bit_cast<std::uint64_t>(x);
  const std::uint64_t mantissa = (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1} << 52);
  const int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1075;  // |x| = mantissa 2^exponent
  // Digits before `first` make multiples of 4 with the mantissa: they do not change n mod 4.
  const int first = exponent >= 34 ? (exponent - 34) / 32 + 1 : 0;
  constexpr int digits = 7;
  // product = mantissa * digits [first, first + digits) of 2 / pi, as one integer (little-endian words)
  const std::uint32_t m[2] = {static_cast<std::uint32_t>(mantissa), static_cast<std::uint32_t>(mantissa >> 32)};
  std::uint32_t product[digits + 2] = {};
  for (int l = 0; l < 2; ++l) {
    std::uint64_t carry = 0;
    for (int i = 0; i < digits; ++i) {
      const std::uint64_t t =
          static_cast<std::uint64_t>(m[l]) * two_over_pi[first + digits - 1 - i] + product[i + l] + carry;
      product[i + l] = static_cast<std::uint32_t>(t);
      carry = t >> 32;
    }
    product[digits + l] = static_cast<std::uint32_t>(carry);
  }
  // The point lies `point` bits from the bottom, between 191 and 277.
  const int point = 32 * (first + digits) - exponent;
  unsigned n = bits_at(product, point, 2);
  TwoDoubles f{0, 0};
  for (int k = 4; k >= 0; --k) {  // 160 bits below the point, smallest first
    const double word = static_cast<double>(bits_at(product, point - 32 * (k + 1), 32));
    const double weight = bit_cast<double>(static_cast<std::uint64_t>(1023 - 32 * (k + 1)) << 52);
    const TwoDoubles s = two_sum(f.hi, word * weight);
    f = fast_two_sum(s.hi, s.lo + f.lo);
  }
  if (f.hi >= 0.5) {  // to the nearest quarter turn: f in [-1/2, 1/2)
    n += 1;
    f = fast_two_sum(f.hi - 1.0, f.lo);
  }
  constexpr double half_pi_hi = 0x1.921fb54442d18p0, half_pi_lo = 0x1.1a62633145c07p-54;
  TwoDoubles r = two_product(f.hi, half_pi_hi);
  r.lo += f.hi * half_pi_lo + f.lo * half_pi_hi;
  r = fast_two_sum(r.hi, r.lo);
  if (x < 0) return {(4 - n) & 3, {-r.hi, -r.lo}};
  return {n & 3, r};
}

// sin(y + t) and cos(y + t) for |y| <= pi / 4, |t| far below y's last bit.
inline double sin_kernel(double y, double t) {
  const double z = y * y;
  return y + (t * (1.0 - 0.5 * z) + y * z * polynomial(z, Coefficients<double>::sin));
}
inline double cos_kernel(double y, double t) {
  const TwoDoubles z = two_product(y, y);
  const double half_z = 0.5 * z.hi;
  const double w = 1.0 - half_z;
  const double w_error = (1.0 - w) - half_z;
  return w + (w_error + ((z.hi * z.hi * polynomial(z.hi, Coefficients<double>::cos) - 0.5 * z.lo) - t * y));
}

template <bool Cosine>
inline double sin_or_cos(double x) {
  if (!(magnitude(x) < infinity<double>)) return x - x;  // inf and NaN: NaN
  if (magnitude(x) <= 0x1.921fb54442d18p-1) {            // pi / 4
    if constexpr (Cosine) {
      return cos_kernel(x, 0.0);
    } else {
      return x == 0 ? x : sin_kernel(x, 0.0);  // sin(-0) = -0
    }
  }
  const QuarterTurns q = reduce_quarter_turns(x);
  const double y = q.remainder.hi, t = q.remainder.lo;
  switch ((q.n + (Cosine ? 1 : 0)) & 3) {  // cos(x) = sin(x + pi / 2)
    case 0:
      return sin_kernel(y, t);
    case 1:
      return cos_kernel(y, t);
    case 2:
      return -sin_kernel(y, t);
    default:
      return -cos_kernel(y, t);
  }
}

// ---- erf ----

// erf(a) for a = |x| >= 0.84375 (and NaN), from erfc(a) = e^(-a^2) P(a - start).
inline float erf_large(float a) {
  using F = Format<float>;
  const float t = (a < F::erf_one ? a : F::erf_one) - 0.84375f;
  return 1.0f - exp_of_clamped(clamp_keeping_nan(-a * a, F::exp_min, F::exp_max), 0.0f) *
                    polynomial(t, Coefficients<float>::erfc);
}
inline double erf_large(double a) {
  using C = Coefficients<double>;
  if (!(a < Format<double>::erf_one)) return a == a ? 1.0 : a;
  const std::size_t piece = a < C::erfc_start[1] ? 0 : a < C::erfc_start[2] ? 1 : a < C::erfc_start[3] ? 2 : 3;
  return 1.0 - exp_of_clamped(-a * a, 0.0) * polynomial(a - C::erfc_start[piece], C::erfc[piece]);
}

}  // namespace detail

template <class T>
concept Real = std::is_same_v<T, float> || std::is_same_v<T, double>;

// e^x. NaN gives NaN; overflow inf, underflow 0 or a subnormal.
template <Real T>
inline T exp(T x) {
  using F = detail::Format<T>;
  return detail::exp_of_clamped(detail::clamp_keeping_nan(x, F::exp_min, F::exp_max), T(0));
}

// e^x - 1, accurate near 0 (where exp(x) - 1 cancels); -1 for x -> -inf.
template <Real T>
inline T expm1(T x) {
  using F = detail::Format<T>;
  const detail::ExpArgument<T> a = detail::reduce_exp(detail::clamp_keeping_nan(x, F::expm1_min, F::exp_max), T(0));
  const T beyond_linear = detail::expm1_beyond_linear(a.r);
  // e^(r + tail) - 1 = q_hi + q_lo
  const T q_hi = a.r + beyond_linear;
  const T q_lo = ((a.r - q_hi) + beyond_linear) + (a.tail + a.tail * a.r);
  const detail::PowerOfTwo<T> scale = detail::power_of_two<T>(a.k);
  // e^x - 1 = (2^k - 1) + 2^k q, summed keeping each step's rounding error (2^k is inf near overflow,
  // where the next line takes over).
  const T two_k = scale.first * scale.second;
  const T a_sum = two_k - T(1);
  const T a_part = a_sum - two_k;
  const T a_error = (two_k - (a_sum - a_part)) + (T(-1) - a_part);
  const T b = two_k * q_hi;
  const T sum = a_sum + b;
  const T sum_error = (a_sum - sum) + b;
  const T moderate = sum + (sum_error + (a_error + two_k * q_lo));
  const detail::TwoParts<T> m = detail::exp_mantissa(a.r, a.tail, beyond_linear);
  const T huge = (m.hi + m.lo) * scale.first * scale.second;
  return x > F::expm1_huge ? huge : (x == T(0) ? x : moderate);  // x: expm1(-0) = -0
}

// The natural logarithm: -inf at 0, NaN below 0.
template <Real T>
inline T log(T x) {
  using F = detail::Format<T>;
  const bool subnormal = x < std::numeric_limits<T>::min();
  const detail::LogArgument<T> a = detail::reduce_log(subnormal ? x * F::subnormal_scale : x);
  const T y = detail::log_of_reduced(subnormal ? a.e - F::subnormal_scale_exponent : a.e, a.f, T(0));
  const T special = x == T(0) ? -detail::infinity<T> : (x < T(0) ? detail::not_a_number<T> : x + x);
  return x > T(0) && x < detail::infinity<T> ? y : special;
}

// log(1 + x), accurate near 0: -inf at -1, NaN below -1.
template <Real T>
inline T log1p(T x) {
  const T u = T(1) + x;
  // 1 + x = u + c exactly (u >= 2: x >= 1, so u - x is exact; else u - 1 is)
  const T c = u >= T(2) ? T(1) - (u - x) : x - (u - T(1));
  const detail::LogArgument<T> a = detail::reduce_log(u);
  const T y = detail::log_of_reduced(a.e, a.f, c / u);
  const T special = x == T(-1) ? -detail::infinity<T> : (x < T(-1) ? detail::not_a_number<T> : x + x);
  return x > T(-1) && x < detail::infinity<T> ? (x == T(0) ? x : y) : special;  // log1p(-0) = -0
}

// The hyperbolic tangent: saturates to +-1.
template <Real T>
inline T tanh(T x) {
  const T a = detail::magnitude(x);
  const T z = a * a;
  const T small = a + a * z * detail::polynomial(z, detail::Coefficients<T>::tanh);
  // 1 - 2 / (e^2a + 1): with e^2a + 1 = d + d_error, 2 / (d + d_error) is q - q^2 d_error / 2 for
  // q = 2 / d, and 1 - q is summed keeping its rounding error. tanh(40) rounds to 1 in both types.
  const detail::TwoParts<T> e = detail::exp_two_parts(a + a > T(80) ? T(80) : a + a);  // NaN stays NaN
  const T d = e.hi + T(1);
  const T d_error = ((e.hi - d) + T(1)) + e.lo;
  const T q = T(2) / d;
  const T r = T(1) - q;
  const T large = r + (((T(1) - r) - q) + T(0.5) * q * q * d_error);
  return detail::with_sign_of(a < T(0.55) ? small : large, x);
}

// The error function: saturates to +-1.
template <Real T>
inline T erf(T x) {
  const T a = detail::magnitude(x);
  const T small = a + a * detail::polynomial(a * a, detail::Coefficients<T>::erf);
  if constexpr (std::is_same_v<T, float>) {
    return detail::with_sign_of(a < 0.84375f ? small : detail::erf_large(a), x);
  } else {
    return detail::with_sign_of(a < 0.84375 ? small : detail::erf_large(a), x);
  }
}

// x^y, with C's special cases (pow(x, 0) = 1 and pow(1, y) = 1 even for NaN, a negative x only to an
// integer power, ...). The float version rounds the double's result.
inline double pow(double x, double y) {
  using detail::infinity;
  using F = detail::Format<double>;
  const double ax = detail::magnitude(x), ay = detail::magnitude(y);
  if (y == 0 || x == 1) return 1.0;
  if (x != x || y != y) return x + y;
  if (ay == infinity<double>) {
    if (ax == 1) return 1.0;
    return (ax > 1) == (y > 0) ? infinity<double> : 0.0;
  }
  // Every double from 2^53 on is an even integer.
  const bool integer = ay >= 0x1p53 || static_cast<double>(static_cast<std::int64_t>(ay)) == ay;
  const bool odd = ay < 0x1p53 && integer && (static_cast<std::int64_t>(ay) & 1) != 0;
  const double sign = odd ? detail::with_sign_of(1.0, x) : 1.0;  // -0 and -inf count as negative
  if (ax == 0) return sign * (y < 0 ? infinity<double> : 0.0);
  if (ax == infinity<double>) return sign * (y < 0 ? 0.0 : infinity<double>);
  if (x < 0 && !integer) return detail::not_a_number<double>;
  if (ay > 0x1p900) return (ax > 1) == (y > 0) ? infinity<double> : 0.0;  // beyond any finite result
  // |x|^y = e^(y log|x|), the product in double-double from log|x| in double-double.
  const bool subnormal = ax < std::numeric_limits<double>::min();
  const detail::TwoDoubles l =
      detail::log_two_doubles(subnormal ? ax * F::subnormal_scale : ax, subnormal ? F::subnormal_scale_exponent : 0.0);
  detail::TwoDoubles p = detail::two_product(y, l.hi);
  p = detail::fast_two_sum(p.hi, p.lo + y * l.lo);
  if (p.hi < F::exp_min) return sign * 0.0;
  if (p.hi > F::exp_max) return sign * infinity<double>;
  return sign * detail::exp_of_clamped(p.hi, p.lo);
}
inline float pow(float x, float y) { return static_cast<float>(pow(static_cast<double>(x), static_cast<double>(y))); }

// sin and cos for every finite x (reduced exactly, also for large |x|); NaN for inf and NaN. The
// float versions round the double's result.
inline double sin(double x) { return detail::sin_or_cos<false>(x); }
inline double cos(double x) { return detail::sin_or_cos<true>(x); }
inline float sin(float x) { return static_cast<float>(sin(static_cast<double>(x))); }
inline float cos(float x) { return static_cast<float>(cos(static_cast<double>(x))); }

}  // namespace bpnn::math
