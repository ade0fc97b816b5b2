// bpnn's own elementary functions (bpnn/core/math.hpp) against long double's (x87's 64-bit
// mantissa, far more precise than either type): the largest error in units in the last place over
// the whole float range (every 353rd bit pattern, and every pattern near the thresholds), over a
// million double arguments each, and the special values one by one; and a digest of their results,
// the same on every platform. Each test prints its largest error; docs/arithmetic.md lists them.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bpnn/core/math.hpp"

namespace bpnn {
namespace {

// std::bit_cast where the standard library has it (emscripten 3.1's has not: tests/wasm builds this).
using math::detail::bit_cast;

// wasm32's long double has 113 digits, but emscripten's libm (musl's) computes its exp, log, expm1,
// log1p, tanh, erf and pow in double: tests/wasm runs the float tests there (a double's result is
// truth enough for a float) and leaves the double ones out.
static_assert(std::numeric_limits<long double>::digits >= 64, "the truth needs x87's long double");

template <class T>
constexpr int kMantissa = std::numeric_limits<T>::digits;  // 24 or 53
template <class T>
constexpr int kMinExponent = std::numeric_limits<T>::min_exponent - kMantissa<T>;  // of the smallest subnormal

// |y - truth| in units of T's last place at truth. An infinite y counts as the power of two past the
// largest finite number, so that overflowing one step early or late is an error of about an ulp.
template <class T>
long double ulp_error(T y, long double truth) {
  if (std::isnan(truth) || std::isnan(y)) return std::isnan(truth) && std::isnan(y) ? 0 : INFINITY;
  const long double past_max = std::ldexp(1.0L, std::numeric_limits<T>::max_exponent);
  const long double y_value = std::isinf(y) ? std::copysign(past_max, y) : static_cast<long double>(y);
  const long double t = std::fabs(truth) >= past_max ? std::copysign(past_max, truth) : truth;
  int exponent = 0;
  std::frexp(t, &exponent);  // |t| = m 2^exponent, m in [1/2, 1)
  const long double ulp = std::ldexp(1.0L, std::max(exponent - kMantissa<T>, kMinExponent<T>));
  return std::fabs(y_value - t) / ulp;
}

// The largest error seen, and where.
template <class T>
struct Worst {
  long double ulps = 0;
  T at = 0, second = 0;
  void add(long double error, T x, T y = 0) {
    if (error > ulps || std::isnan(error)) {
      ulps = std::isnan(error) ? INFINITY : error;
      at = x;
      second = y;
    }
  }
  void report(const char* name) const {
    std::printf("%s: largest error %.3Lf ulp at %a (%.9g)\n", name, ulps, static_cast<double>(at),
                static_cast<double>(at));
  }
};

// Every `stride`-th float bit pattern, both signs, and every pattern within `span` of each of `near`.
template <class Ours, class Truth>
Worst<float> walk_floats(Ours ours, Truth truth, std::uint32_t stride, const std::vector<float>& near,
                         std::uint32_t span = 1u << 14) {
  Worst<float> worst;
  auto check = [&](float x) { worst.add(ulp_error(ours(x), truth(static_cast<long double>(x))), x); };
  for (std::uint64_t bits = 0; bits <= 0xffffffffu; bits += stride)
    check(bit_cast<float>(static_cast<std::uint32_t>(bits)));
  for (const float centre : near) {
    const auto c = bit_cast<std::uint32_t>(centre);
    for (std::uint32_t d = 0; d < span; ++d) {
      check(bit_cast<float>(c + d));
      check(bit_cast<float>(c - d));
    }
  }
  return worst;
}

// `count` doubles: half random bit patterns (every exponent alike), half uniform in [low, high].
std::vector<double> double_arguments(std::size_t count, double low, double high, bool positive_only = false) {
  std::mt19937_64 engine(29);
  std::uniform_real_distribution<double> uniform(low, high);
  std::vector<double> xs;
  for (std::size_t i = 0; i < count; ++i) {
    double x = i % 2 ? uniform(engine) : bit_cast<double>(engine());
    if (std::isnan(x)) x = uniform(engine);
    xs.push_back(positive_only ? std::fabs(x) : x);
  }
  return xs;
}

template <class Ours, class Truth>
Worst<double> over_doubles(Ours ours, Truth truth, const std::vector<double>& xs) {
  Worst<double> worst;
  for (const double x : xs) worst.add(ulp_error(ours(x), truth(static_cast<long double>(x))), x);
  return worst;
}

// The special values: exact results, NaN for NaN.
template <class T, class F>
void expect_specials(F f, const std::vector<std::pair<T, T>>& cases, const char* name) {
  for (const auto& [x, expected] : cases) {
    const T y = f(x);
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(y)) << name << "(" << x << ") = " << y;
    } else {
      EXPECT_EQ(bit_cast<std::uint64_t>(static_cast<double>(y)), bit_cast<std::uint64_t>(static_cast<double>(expected)))
          << name << "(" << x << ") = " << y << ", not " << expected;
    }
  }
}

constexpr std::uint32_t kStride = 353;  // about 12 million floats (long double's exp takes 250 ns)
constexpr std::size_t kDoubles = 1000000;
template <class T>
constexpr T kInf = std::numeric_limits<T>::infinity();
template <class T>
constexpr T kNaN = std::numeric_limits<T>::quiet_NaN();
template <class T>
constexpr T kDenormMin = std::numeric_limits<T>::denorm_min();

// A digest of every function's results for 2^16 arguments of each type, half random bit patterns and
// half uniform in [-20, 20), every NaN counted as one (IEEE-754 leaves a NaN's bits open).
std::uint64_t digest_of_results() {
  std::uint64_t digest = 14695981039346656037u, state = 42;
  auto mix = [&](std::uint64_t bits) { digest = (digest ^ bits) * 1099511628211u; };
  auto add = [&](auto y) {
    if constexpr (sizeof(y) == 4) {
      mix(y != y ? 1 : bit_cast<std::uint32_t>(y));
    } else {
      mix(y != y ? 1 : bit_cast<std::uint64_t>(y));
    }
  };
  for (int i = 0; i < 1 << 16; ++i) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    const bool uniform = i % 2 != 0;
    const float xf = uniform ? static_cast<float>(static_cast<double>(state >> 40) * 0x1p-24 * 40 - 20)
                             : bit_cast<float>(static_cast<std::uint32_t>(state >> 32));
    const double xd = uniform ? static_cast<double>(state >> 11) * 0x1p-53 * 40 - 20 : bit_cast<double>(state);
    add(math::exp(xf));
    add(math::expm1(xf));
    add(math::log(xf));
    add(math::log1p(xf));
    add(math::tanh(xf));
    add(math::erf(xf));
    add(math::sin(xf));
    add(math::cos(xf));
    add(math::pow(std::fabs(xf), xf / 4));
    add(math::exp(xd));
    add(math::expm1(xd));
    add(math::log(xd));
    add(math::log1p(xd));
    add(math::tanh(xd));
    add(math::erf(xd));
    add(math::sin(xd));
    add(math::cos(xd));
    add(math::pow(std::fabs(xd), xd / 4));
  }
  return digest;
}

// The same bits on every platform: the digest above on x86-64 (GCC and clang, -O0 to -O3, with AVX2
// and AVX-512), aarch64 and wasm32 (emscripten, with and without SIMD128).
TEST(Math, TheSameBitsEverywhere) { EXPECT_EQ(digest_of_results(), 0x8c3f23817e07a0e1u); }

TEST(Math, ExpFloat) {
  const auto worst =
      walk_floats([](float x) { return math::exp(x); }, [](long double x) { return std::exp(x); }, kStride,
                  {88.72283935546875f, -87.3365478515625f, -103.972076416015625f, 0.34657359f, -0.34657359f});
  worst.report("exp float");
  EXPECT_LE(worst.ulps, 0.8);
  expect_specials<float>([](float x) { return math::exp(x); },
                         {{0.0f, 1.0f},
                          {-0.0f, 1.0f},
                          {kInf<float>, kInf<float>},
                          {-kInf<float>, 0.0f},
                          {kNaN<float>, kNaN<float>},
                          {89.0f, kInf<float>},
                          {-104.0f, 0.0f},
                          {kDenormMin<float>, 1.0f}},
                         "exp");
}

TEST(Math, ExpDouble) {
  const auto worst = over_doubles([](double x) { return math::exp(x); }, [](long double x) { return std::exp(x); },
                                  double_arguments(kDoubles, -746, 710));
  worst.report("exp double");
  EXPECT_LE(worst.ulps, 0.75);
  expect_specials<double>([](double x) { return math::exp(x); },
                          {{0.0, 1.0},
                           {kInf<double>, kInf<double>},
                           {-kInf<double>, 0.0},
                           {kNaN<double>, kNaN<double>},
                           {710.0, kInf<double>},
                           {-746.0, 0.0},
                           {-745.0, 0x1p-1074}},
                          "exp");
}

TEST(Math, Expm1Float) {
  const auto worst = walk_floats([](float x) { return math::expm1(x); }, [](long double x) { return std::expm1(x); },
                                 kStride, {88.72283935546875f, -17.32868f, 0.34657359f, -0.34657359f, 1e-4f, -1e-4f});
  worst.report("expm1 float");
  EXPECT_LE(worst.ulps, 0.8);
  expect_specials<float>([](float x) { return math::expm1(x); },
                         {{0.0f, 0.0f},
                          {-0.0f, -0.0f},
                          {kInf<float>, kInf<float>},
                          {-kInf<float>, -1.0f},
                          {kNaN<float>, kNaN<float>},
                          {89.0f, kInf<float>},
                          {kDenormMin<float>, kDenormMin<float>},
                          {-kDenormMin<float>, -kDenormMin<float>}},
                         "expm1");
}

TEST(Math, Expm1Double) {
  const auto worst = over_doubles([](double x) { return math::expm1(x); }, [](long double x) { return std::expm1(x); },
                                  double_arguments(kDoubles, -40, 710));
  worst.report("expm1 double");
  EXPECT_LE(worst.ulps, 0.65);
  expect_specials<double>([](double x) { return math::expm1(x); },
                          {{0.0, 0.0},
                           {-0.0, -0.0},
                           {kInf<double>, kInf<double>},
                           {-kInf<double>, -1.0},
                           {kNaN<double>, kNaN<double>},
                           {710.0, kInf<double>},
                           {kDenormMin<double>, kDenormMin<double>}},
                          "expm1");
}

TEST(Math, LogFloat) {
  const auto worst =
      walk_floats([](float x) { return math::log(x); }, [](long double x) { return std::log(x); }, kStride,
                  {1.0f, 0.70710677f, 1.4142135f, kDenormMin<float>, std::numeric_limits<float>::min()});
  worst.report("log float");
  EXPECT_LE(worst.ulps, 0.7);
  expect_specials<float>([](float x) { return math::log(x); },
                         {{1.0f, 0.0f},
                          {0.0f, -kInf<float>},
                          {-0.0f, -kInf<float>},
                          {-1.0f, kNaN<float>},
                          {kInf<float>, kInf<float>},
                          {-kInf<float>, kNaN<float>},
                          {kNaN<float>, kNaN<float>}},
                         "log");
}

TEST(Math, LogDouble) {
  const auto worst = over_doubles([](double x) { return math::log(x); }, [](long double x) { return std::log(x); },
                                  double_arguments(kDoubles, 0.5, 2.0, true));
  worst.report("log double");
  EXPECT_LE(worst.ulps, 0.75);
  expect_specials<double>([](double x) { return math::log(x); },
                          {{1.0, 0.0},
                           {0.0, -kInf<double>},
                           {-0.0, -kInf<double>},
                           {-1.0, kNaN<double>},
                           {kInf<double>, kInf<double>},
                           {kNaN<double>, kNaN<double>}},
                          "log");
}

TEST(Math, Log1pFloat) {
  const auto worst = walk_floats([](float x) { return math::log1p(x); }, [](long double x) { return std::log1p(x); },
                                 kStride, {-1.0f, -0.29289323f, 0.41421357f, 1.0f, 1e-4f, -1e-4f});
  worst.report("log1p float");
  EXPECT_LE(worst.ulps, 0.75);
  expect_specials<float>([](float x) { return math::log1p(x); },
                         {{0.0f, 0.0f},
                          {-0.0f, -0.0f},
                          {-1.0f, -kInf<float>},
                          {-2.0f, kNaN<float>},
                          {kInf<float>, kInf<float>},
                          {-kInf<float>, kNaN<float>},
                          {kNaN<float>, kNaN<float>},
                          {kDenormMin<float>, kDenormMin<float>}},
                         "log1p");
}

TEST(Math, Log1pDouble) {
  auto worst = over_doubles([](double x) { return math::log1p(x); }, [](long double x) { return std::log1p(x); },
                            double_arguments(kDoubles, -1, 3, true));
  auto negative = double_arguments(kDoubles / 4, -1, 0);
  for (double& x : negative) x = -std::fabs(x) > -1 ? -std::fabs(x) : -0.5;
  auto worst_negative =
      over_doubles([](double x) { return math::log1p(x); }, [](long double x) { return std::log1p(x); }, negative);
  if (worst_negative.ulps > worst.ulps) worst = worst_negative;
  worst.report("log1p double");
  EXPECT_LE(worst.ulps, 0.7);
  expect_specials<double>([](double x) { return math::log1p(x); },
                          {{0.0, 0.0},
                           {-0.0, -0.0},
                           {-1.0, -kInf<double>},
                           {-2.0, kNaN<double>},
                           {kInf<double>, kInf<double>},
                           {kNaN<double>, kNaN<double>}},
                          "log1p");
}

TEST(Math, TanhFloat) {
  const auto worst = walk_floats([](float x) { return math::tanh(x); }, [](long double x) { return std::tanh(x); },
                                 kStride, {0.55f, -0.55f, 9.0f, 1e-4f});
  worst.report("tanh float");
  EXPECT_LE(worst.ulps, 0.8);
  expect_specials<float>([](float x) { return math::tanh(x); },
                         {{0.0f, 0.0f},
                          {-0.0f, -0.0f},
                          {kInf<float>, 1.0f},
                          {-kInf<float>, -1.0f},
                          {kNaN<float>, kNaN<float>},
                          {100.0f, 1.0f},
                          {-100.0f, -1.0f},
                          {kDenormMin<float>, kDenormMin<float>}},
                         "tanh");
}

TEST(Math, TanhDouble) {
  const auto worst = over_doubles([](double x) { return math::tanh(x); }, [](long double x) { return std::tanh(x); },
                                  double_arguments(kDoubles, -20, 20));
  worst.report("tanh double");
  EXPECT_LE(worst.ulps, 0.8);
  expect_specials<double>(
      [](double x) { return math::tanh(x); },
      {{0.0, 0.0}, {-0.0, -0.0}, {kInf<double>, 1.0}, {-kInf<double>, -1.0}, {kNaN<double>, kNaN<double>}}, "tanh");
}

TEST(Math, ErfFloat) {
  const auto worst = walk_floats([](float x) { return math::erf(x); }, [](long double x) { return std::erf(x); },
                                 kStride, {0.84375f, -0.84375f, 3.93f, 1e-4f});
  worst.report("erf float");
  EXPECT_LE(worst.ulps, 1.0);
  expect_specials<float>([](float x) { return math::erf(x); },
                         {{0.0f, 0.0f},
                          {-0.0f, -0.0f},
                          {kInf<float>, 1.0f},
                          {-kInf<float>, -1.0f},
                          {kNaN<float>, kNaN<float>},
                          {kDenormMin<float>, kDenormMin<float>}},
                         "erf");
}

TEST(Math, ErfDouble) {
  const auto worst = over_doubles([](double x) { return math::erf(x); }, [](long double x) { return std::erf(x); },
                                  double_arguments(kDoubles, -6, 6));
  worst.report("erf double");
  EXPECT_LE(worst.ulps, 0.95);
  expect_specials<double>(
      [](double x) { return math::erf(x); },
      {{0.0, 0.0}, {-0.0, -0.0}, {kInf<double>, 1.0}, {-kInf<double>, -1.0}, {kNaN<double>, kNaN<double>}}, "erf");
}

// Pairs: x over all positive floats (every 97th), y such that x^y stays within range mostly.
TEST(Math, PowFloat) {
  std::mt19937 engine(29);
  Worst<float> worst;
  for (std::uint32_t bits = 1; bits < 0x7f800000u; bits += 3 * kStride) {
    const float x = bit_cast<float>(bits);
    const float limit = 128.0f / std::max(std::fabs(std::log2(x)), 1.0f);
    const float y = std::uniform_real_distribution<float>(-limit, limit)(engine);
    worst.add(ulp_error(math::pow(x, y), std::pow(static_cast<long double>(x), static_cast<long double>(y))), x, y);
    const float n = static_cast<float>(static_cast<int>(y));  // negative x to integer powers
    worst.add(ulp_error(math::pow(-x, n), std::pow(-static_cast<long double>(x), static_cast<long double>(n))), -x, n);
  }
  worst.report("pow float");
  EXPECT_LE(worst.ulps, 0.51);
}

TEST(Math, PowDouble) {
  std::mt19937_64 engine(29);
  Worst<double> worst;
  const auto xs = double_arguments(kDoubles, 0, 4, true);
  for (const double x : xs) {
    if (x == 0 || std::isinf(x)) continue;
    const double limit = 1024 / std::max(std::fabs(std::log2(x)), 1.0);
    const double y = std::uniform_real_distribution<double>(-limit, limit)(engine);
    worst.add(ulp_error(math::pow(x, y), std::pow(static_cast<long double>(x), static_cast<long double>(y))), x, y);
  }
  // Adam's bias corrections, beta^t
  for (const double beta : {0.9, 0.99, 0.999, 0.9999}) {
    for (int t = 1; t <= 100000; t += 7) {
      worst.add(ulp_error(math::pow(beta, static_cast<double>(t)), std::pow(static_cast<long double>(beta), t)), beta,
                t);
    }
  }
  worst.report("pow double");
  std::printf("  (y = %a)\n", worst.second);
  EXPECT_LE(worst.ulps, 0.85);
}

TEST(Math, PowSpecialValues) {
  const double inf = kInf<double>, nan = kNaN<double>;
  struct Case {
    double x, y, expected;
  };
  const Case cases[] = {{nan, 0, 1},       {1, nan, 1},     {nan, 1, nan},    {2, nan, nan},
                        {-1, inf, 1},      {-1, -inf, 1},   {0.5, inf, 0},    {2, inf, inf},
                        {0.5, -inf, inf},  {2, -inf, 0},    {0, -3, inf},     {-0.0, -3, -inf},
                        {-0.0, -2, inf},   {0, 3, 0},       {-0.0, 3, -0.0},  {-0.0, 2, 0},
                        {-0.0, -inf, inf}, {inf, -1, 0},    {inf, 2, inf},    {-inf, -3, -0.0},
                        {-inf, -2, 0},     {-inf, 3, -inf}, {-inf, 2, inf},   {-2, 0.5, nan},
                        {-2, 3, -8},       {-2, -2, 0.25},  {2, 10, 1024},    {2, -1074, 0x1p-1074},
                        {2, 1024, inf},    {2, -1080, 0},   {10, 308, 1e308}, {0x1p-1074, 0.5, 0x1p-537}};
  for (const Case& c : cases) {
    const double y = math::pow(c.x, c.y);
    if (std::isnan(c.expected)) {
      EXPECT_TRUE(std::isnan(y)) << "pow(" << c.x << ", " << c.y << ") = " << y;
    } else {
      EXPECT_EQ(bit_cast<std::uint64_t>(y), bit_cast<std::uint64_t>(c.expected))
          << "pow(" << c.x << ", " << c.y << ") = " << y << ", not " << c.expected;
    }
  }
}

TEST(Math, SinCosFloat) {
  for (const bool cosine : {false, true}) {
    const auto worst = walk_floats([&](float x) { return cosine ? math::cos(x) : math::sin(x); },
                                   [&](long double x) { return cosine ? std::cos(x) : std::sin(x); }, kStride * 2,
                                   {0.78539819f, 1.5707964f, 3.1415927f, 6.2831855f}, 1u << 14);
    worst.report(cosine ? "cos float" : "sin float");
    EXPECT_LE(worst.ulps, 0.51);
  }
}

TEST(Math, SinCosDouble) {
  auto xs = double_arguments(kDoubles, -10, 10);
  for (const bool cosine : {false, true}) {
    const auto worst = over_doubles([&](double x) { return cosine ? math::cos(x) : math::sin(x); },
                                    [&](long double x) { return cosine ? std::cos(x) : std::sin(x); }, xs);
    worst.report(cosine ? "cos double" : "sin double");
    EXPECT_LE(worst.ulps, 0.75);
  }
  // The doubles nearest multiples of pi / 2 (where the reduction cancels most).
  for (const double x : {0x1.921fb54442d18p0, 0x1.921fb54442d18p1, 0x1.921fb54442d18p2, 0x1.6ac5b262ca1ffp849,
                         0x1.8a4cbd0b6a8c4p+39, 1e22, 0x1.fffffffffffffp1023}) {
    EXPECT_LE(ulp_error(math::cos(x), std::cos(static_cast<long double>(x))), 0.75) << x;
    EXPECT_LE(ulp_error(math::sin(x), std::sin(static_cast<long double>(x))), 0.75) << x;
  }
  for (const double x : {kInf<double>, -kInf<double>, kNaN<double>}) {
    EXPECT_TRUE(std::isnan(math::sin(x)) && std::isnan(math::cos(x))) << x;
  }
  EXPECT_EQ(bit_cast<std::uint64_t>(math::sin(-0.0)), bit_cast<std::uint64_t>(-0.0));
  EXPECT_EQ(math::cos(0.0), 1.0);
}

}  // namespace
}  // namespace bpnn
