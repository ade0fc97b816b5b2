#!/usr/bin/env python3
"""Derives the polynomial coefficients of include/bpnn/core/math.hpp: for each kernel, the minimax
polynomial (Remez exchange in 100-digit arithmetic, mpmath) of the function it approximates on its
reduced interval, under the weight that makes its error the error of the final result. Prints each
kernel's coefficients as C++ hex-float literals (lowest degree first) and its minimax error, for
float and for double.
Usage: scripts/math_coefficients.py [KERNEL...]   (default: every kernel)"""

import sys

import mpmath as mp

mp.mp.dps = 100
GRID = 3000  # points of the search for the error's extrema


def solve_reference(g, w, powers, xs):
    """The polynomial sum c_i x^powers[i] whose weighted error alternates +h, -h at the points xs."""
    n = len(powers)
    A = mp.matrix(n + 1, n + 1)
    b = mp.matrix(n + 1, 1)
    for j, x in enumerate(xs):
        for i, p in enumerate(powers):
            A[j, i] = x**p
        A[j, n] = (-1) ** j / w(x)
        b[j] = g(x)
    sol = mp.lu_solve(A, b)
    return [sol[i] for i in range(n)], sol[n]


def evaluate(c, powers, x):
    return mp.fsum(ci * x**p for ci, p in zip(c, powers))


def extrema(err, a, b):
    """The points of [a, b] where err has a local extremum of its absolute value, endpoints included."""
    xs = [a + (b - a) * (1 - mp.cos(mp.pi * k / GRID)) / 2 for k in range(GRID + 1)]
    es = [err(x) for x in xs]
    found = []
    for k in range(GRID + 1):
        left = es[k - 1] if k > 0 else None
        right = es[k + 1] if k < GRID else None
        if all(n is None or abs(es[k]) >= abs(n) for n in (left, right)):
            lo, hi = xs[max(k - 1, 0)], xs[min(k + 1, GRID)]
            found.append(refine(err, lo, hi) if 0 < k < GRID else xs[k])
    return found


def refine(err, lo, hi):
    """Golden-section search for the maximum of |err| on [lo, hi]."""
    ratio = (mp.sqrt(5) - 1) / 2
    for _ in range(60):
        m1, m2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if abs(err(m1)) > abs(err(m2)):
            hi = m2
        else:
            lo = m1
    return (lo + hi) / 2


def alternating(err, points, count):
    """count points of alternating sign of err, the largest |err| of each run of one sign."""
    runs = []
    for x in points:
        e = err(x)
        if e == 0:  # where the weight vanishes
            continue
        if runs and mp.sign(e) == mp.sign(err(runs[-1])):
            if abs(e) > abs(err(runs[-1])):
                runs[-1] = x
        else:
            runs.append(x)
    while len(runs) > count:
        sizes = [abs(err(x)) for x in runs]
        smallest = min(range(1, len(runs) - 1), key=lambda i: sizes[i], default=None)
        if len(runs) - count == 1 or smallest is None:
            runs.pop(0 if sizes[0] < sizes[-1] else -1)
        else:  # drop the smallest inner extremum; its neighbours, now of one sign, become one
            del runs[smallest]
            del runs[smallest if sizes[smallest + 1] < sizes[smallest - 1] else smallest - 1]
    return runs


def remez(g, w, powers, a, b):
    """Minimax coefficients of sum c_i x^powers[i] for g on [a, b] under the weight w, and the error."""
    n = len(powers)
    xs = [a + (b - a) * (1 - mp.cos(mp.pi * (k + mp.mpf(1) / 2) / (n + 1))) / 2 for k in range(n + 1)]
    xs = [x + (b - a) / 1000 if abs(w(x)) < mp.mpf("1e-30") else x for x in xs]  # not where the weight vanishes
    for _ in range(40):
        c, h = solve_reference(g, w, powers, xs)

        def err(x, c=c):
            return w(x) * (g(x) - evaluate(c, powers, x))

        points = alternating(err, extrema(err, a, b), n + 1)
        worst = max(abs(err(x)) for x in points)
        if len(points) == n + 1:
            xs = points
        if worst <= abs(h) * (1 + mp.mpf("1e-6")):
            break
    return c, worst


def hex_literal(value, bits):
    """value rounded to float (bits 24) or double (bits 53), as a C++ hex-float literal."""
    m, e = mp.frexp(value)  # value = m 2^e, 0.5 <= |m| < 1
    mantissa = int(mp.nint(m * 2**bits))
    if abs(mantissa) == 2**bits:
        mantissa //= 2
        e += 1
    sign = "-" if mantissa < 0 else ""
    mantissa = abs(mantissa)
    digits = (bits - 1 + 3) // 4
    fraction = (mantissa - 2 ** (bits - 1)) << (4 * digits - (bits - 1))
    text = f"{sign}0x1.{fraction:0{digits}x}p{e - 1:+d}".replace("p+", "p")
    return text + ("f" if bits == 24 else "")


def series_safe(f):
    """f evaluated with extra digits: the kernels divide out leading terms, which cancel near 0."""

    def wrapped(x):
        with mp.workdps(200):
            return +f(mp.mpf(x) if x != 0 else mp.mpf("1e-60"))  # the limit at 0

    return wrapped


# The kernels: name -> (function approximated, weight, terms per type, interval), with what the header
# does with each. The term counts are the least that keep a kernel's share of the error far below
# half an ulp of the result.
def expm1_of(r):
    return mp.expm1(r) if r != 0 else mp.mpf("1e-60")


KERNELS = {
    # e^r - 1 = r + r^2 / 2 + r^3 P(r), |r| <= ln2 / 2 (a little more: k is rounded from a rounded
    # x / ln2); relative error of e^r - 1 (and so of e^r).
    "exp": (series_safe(lambda r: (mp.expm1(r) - r - r**2 / 2) / r**3), lambda r: r**3 / expm1_of(r),
            {"float": 5, "double": 10}, (-mp.mpf("0.3470"), mp.mpf("0.3470"))),
    # log(1 + f) = f - f^2 / 2 + s (f^2 / 2 + z P(z)), s = f / (2 + f), z = s^2 <= (3 - 2 sqrt 2)^2:
    # z P(z) = 2 atanh(s) / s - 2; the error of log(1 + f) ~ 2s is s z dP, relative z dP / 2.
    "log": (series_safe(lambda z: (2 * mp.atanh(mp.sqrt(z)) / mp.sqrt(z) - 2) / z), lambda z: z / 2,
            {"float": 3, "double": 7}, (mp.mpf("1e-30"), (3 - 2 * mp.sqrt(2)) ** 2 * mp.mpf("1.0001"))),
    # pow's logarithm to twice the precision: log(1 + f) = 2s + 2s^3 / 3 + s^5 P(z), the first two
    # terms in double-double; relative error z^2 dP / 2.
    "log_tail": (series_safe(lambda z: (2 * mp.atanh(mp.sqrt(z)) / mp.sqrt(z) - 2 - 2 * z / 3) / z**2),
                 lambda z: z**2 / 2, {"double": 8},
                 (mp.mpf("1e-30"), (3 - 2 * mp.sqrt(2)) ** 2 * mp.mpf("1.0001"))),
    # tanh(x) = x + x^3 P(x^2) for |x| < 0.55 (z = x^2), relative error.
    "tanh": (series_safe(lambda z: (mp.tanh(mp.sqrt(z)) - mp.sqrt(z)) / z ** mp.mpf(1.5)),
             lambda z: z / (mp.tanh(mp.sqrt(z)) / mp.sqrt(z)), {"float": 5, "double": 13},
             (mp.mpf("1e-30"), mp.mpf("0.3026"))),
    # erf(x) = x + x P(x^2) for |x| < 0.84375 (z = x^2), relative error.
    "erf_small": (series_safe(lambda z: mp.erf(mp.sqrt(z)) / mp.sqrt(z) - 1),
                  lambda z: mp.sqrt(z) / mp.erf(mp.sqrt(z)), {"float": 7, "double": 13},
                  (mp.mpf("1e-30"), mp.mpf("0.84375") ** 2)),
    # sin(r) = r + r^3 P(r^2) and cos(r) = 1 - r^2 / 2 + r^4 P(r^2), |r| <= pi / 4 (z = r^2).
    "sin": (series_safe(lambda z: (mp.sin(mp.sqrt(z)) - mp.sqrt(z)) / z ** mp.mpf(1.5)), lambda z: z,
            {"double": 6}, (mp.mpf("1e-30"), (mp.pi / 4) ** 2 * mp.mpf("1.0001"))),
    "cos": (series_safe(lambda z: (mp.cos(mp.sqrt(z)) - 1 + z / 2) / z**2), lambda z: z**2,
            {"double": 6}, (mp.mpf("1e-30"), (mp.pi / 4) ** 2 * mp.mpf("1.0001"))),
}


def erfc_kernel(a, b, terms):
    """erfc(x) = e^-x^2 P(x - a) on [a, b]: the weight e^-x^2 makes the error that of erf = 1 - erfc."""
    return (lambda t: mp.erfc(t + a) * mp.exp((t + a) ** 2), lambda t: mp.exp(-((t + a) ** 2)), terms,
            (mp.mpf(0), b - a))


# erf(x) = 1 - erfc(x) from 0.84375 to where erf rounds to 1 (3.93 in float, 5.93 in double).
ERFC_PIECES = {"float": [("0.84375", "3.93", 10)],
               "double": [("0.84375", "1.5", 14), ("1.5", "2.5", 14), ("2.5", "4", 14), ("4", "6", 14)]}
for kind, pieces in ERFC_PIECES.items():
    for a, b, terms in pieces:
        KERNELS[f"erfc_{kind}_{a}"] = erfc_kernel(mp.mpf(a), mp.mpf(b), {kind: terms})


def split_constant(name, value, bits, kind):
    """value as hi + lo, hi with `bits` significant bits (so that hi times a small integer is exact)."""
    m, e = mp.frexp(value)
    hi = mp.ldexp(mp.nint(mp.ldexp(m, bits)), e - bits)
    mant = 24 if kind == "float" else 53
    print(f"{name} {kind}: hi {hex_literal(hi, mant)}, lo {hex_literal(value - hi, mant)}")


def constants():
    """The split constants of the reductions, and 2 / pi's bits for sin and cos's large arguments."""
    split_constant("ln2", mp.log(2), 16, "float")  # k ln2_hi exact for |k| < 2^8
    split_constant("ln2", mp.log(2), 42, "double")  # for |k| < 2^11
    split_constant("pi/2", mp.pi / 2, 53, "double")
    split_constant("2/3", mp.mpf(2) / 3, 53, "double")
    words = 40
    bits = int(mp.floor(2 / mp.pi * mp.mpf(2) ** (32 * words)))
    table = [(bits >> (32 * (words - 1 - j))) & 0xFFFFFFFF for j in range(words)]
    print("2/pi, 32 bits a word from the binary point on:")
    for row in range(0, words, 8):
        print("  " + " ".join(f"0x{w:08x}," for w in table[row:row + 8]))


def main():
    names = sys.argv[1:] or list(KERNELS) + ["constants"]
    for name in names:
        if name == "constants":
            with mp.workdps(1000):
                constants()
            continue
        g, w, terms, (a, b) = KERNELS[name]
        for kind, count in terms.items():
            c, worst = remez(g, w, list(range(count)), a, b)
            bits = 24 if kind == "float" else 53
            print(f"{name} {kind}: {count} terms on [{mp.nstr(a, 6)}, {mp.nstr(b, 6)}], "
                  f"weighted error {mp.nstr(worst, 3)} = 2^{mp.nstr(mp.log(worst, 2), 4)}")
            print("  {" + ", ".join(hex_literal(ci, bits) for ci in c) + "}")


if __name__ == "__main__":
    main()
