"""The compiled engines' elementwise functions: exp, tanh, the sigmoid and the activations' slopes,
in plain arithmetic that the compiler vectorises; all but tanh in their argument's own precision.

math.exp compiles to a call into the C library, one value at a time: a loop of sigmoids cannot be
vectorised around it (and Numba's vectorised exp needs Intel's SVML, absent from pip's llvmlite).
exp here is the textbook one: x = k ln 2 + r with |r| <= ln(2)/2 (ln 2 in two parts, so that r
is exact), e^r by its Taylor series, times 2^k built from its bits. Measured: a loop of 100
sigmoids 0.79 -> 0.17 us; relative error within 2.4e-14 of NumPy's exp over [-708, 709].

float32 gets its own exp (fewer terms, float32 constants, 2^k from float32 bits): computed in
float64 and rounded, as a float32 network's sigmoids were, they ran 8 to a vector instead of 16
and took as long as float64's (65,536 sigmoids: 59 -> 20 us). A float literal would promote
float32 to float64 too, so the constants below are of the argument's type (``type(x)(1.0)``).
These functions are for compiled code only (``CALLED_FROM_COMPILED_CODE``): ``exp`` and ``sigmoid``
pick their precision when a compiled caller is typed.

They are ordinary compiled functions, not ``inline="always"``: LLVM inlines them into their
callers' loops anyway (before it vectorises them), while Numba's own inlining copied and typed
them again at each of their call sites, a dozen in the per-sample loop alone. Measured with an
empty cache: the per-sample SGD loop compiles in 1.5 s instead of 2.5 s; weights after training are
bit-identical in 75 configurations (both dtypes, every activation and loss, batch 1 and 16, sgd,
momentum and adam), at the same speed.
"""
from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

LOG2_E = 1.4426950408889634
LN2_HIGH = 0.6931471803691238  # ln 2 to 32 bits: k * LN2_HIGH is exact for |k| < 2^21
LN2_LOW = 1.9082149292705877e-10  # the rest of ln 2
EXP_TOP = 709.0  # e^709.78 is the largest float64: above, exp returns e^709 (the reference, inf)
EXP_BOTTOM = -708.0  # below, 2^k is subnormal: exp returns e^-708 (the reference, a smaller number)
# float32: ln 2 = LN2_HIGH_32 + LN2_LOW_32 with k * LN2_HIGH_32 exact (its 9 significant bits)
LN2_HIGH_32, LN2_LOW_32 = np.float32(0.693359375), np.float32(-2.12194440e-4)
EXP_TOP_32, EXP_BOTTOM_32 = np.float32(88.0), np.float32(-87.0)  # e^88.7 overflows float32; 2^-126 is its least normal

# For the functions only compiled code calls: no wrappers for calls from Python or C. Numba
# otherwise builds both for every compiled function, then optimises them and emits their machine
# code, for callees nobody calls from outside (the fast preset's first compilation 7.9 -> 7.3 s,
# medians of 11 alternating runs with empty caches). Calling such a function from Python fails.
CALLED_FROM_COMPILED_CODE = {"no_cpython_wrapper": True, "no_cfunc_wrapper": True}
# For the entry points, which Python calls: no wrapper for calls through a C function pointer,
# which nothing makes (train_epoch's LLVM optimisation and code emission 1.66 -> 1.46 s).
CALLED_FROM_PYTHON = {"no_cfunc_wrapper": True}


@intrinsic
def _float_from_bits(typingctx, bits):
    """The float64 whose IEEE 754 bits are the int64 ``bits`` (a reinterpretation, no conversion)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@intrinsic
def _float32_from_bits(typingctx, bits):
    """The float32 whose IEEE 754 bits are the int32 ``bits``."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())

    return types.float32(types.int32), codegen


@njit(cache=True, error_model="numpy", **CALLED_FROM_COMPILED_CODE)
def _expm1_reduced(x):
    """(e^r - 1, 2^k) with x = k ln 2 + r, |r| <= ln(2)/2, x clamped to [EXP_BOTTOM, EXP_TOP] (float64)."""
    x = EXP_BOTTOM if x < EXP_BOTTOM else x
    x = EXP_TOP if x > EXP_TOP else x
    k = math.floor(x * LOG2_E + 0.5)
    r = (x - k * LN2_HIGH) - k * LN2_LOW
    p = 1.0 / 6227020800.0  # Horner's scheme for sum r^i / i!, i = 13 .. 1 (error below 1e-16 there)
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    return p * r, _float_from_bits((np.int64(k) + 1023) << 52)  # 2^k: k + 1023 is its exponent field


@njit(cache=True, error_model="numpy", **CALLED_FROM_COMPILED_CODE)
def _exp64(x):
    q, scale = _expm1_reduced(x)
    return (q + 1.0) * scale


@njit(cache=True, error_model="numpy", **CALLED_FROM_COMPILED_CODE)
def _exp32(x):
    x = EXP_BOTTOM_32 if x < EXP_BOTTOM_32 else x
    x = EXP_TOP_32 if x > EXP_TOP_32 else x
    k = np.floor(x * np.float32(LOG2_E) + np.float32(0.5))  # np.floor stays float32; math.floor is an int64
    r = (x - k * LN2_HIGH_32) - k * LN2_LOW_32
    p = np.float32(1.0 / 5040.0)  # sum r^i / i!, i = 7 .. 0: the first term left out is below 6e-9
    p = p * r + np.float32(1.0 / 720.0)
    p = p * r + np.float32(1.0 / 120.0)
    p = p * r + np.float32(1.0 / 24.0)
    p = p * r + np.float32(1.0 / 6.0)
    p = p * r + np.float32(0.5)
    p = p * r + np.float32(1.0)
    p = p * r + np.float32(1.0)
    return p * _float32_from_bits((np.int32(k) + np.int32(127)) << np.int32(23))


def exp(x):
    """e^x in x's precision, in vectorisable arithmetic; clamped to [EXP_BOTTOM, EXP_TOP] in float64
    and [EXP_BOTTOM_32, EXP_TOP_32] in float32; NaN stays NaN. For compiled code only."""
    raise TypeError("numba_math.exp is for compiled (numba.njit) code only")


@overload(exp)
def _exp_for(x):
    if isinstance(x, types.Float) and x.bitwidth == 32:
        return lambda x: _exp32(x)
    return lambda x: _exp64(x)


@njit(cache=True, error_model="numpy", **CALLED_FROM_COMPILED_CODE)
def sigmoid(x):
    """1 / (1 + e^-x) in x's precision (exp's clamps keep it finite and NaN-preserving)."""
    one = type(x)(1.0)
    return one / (one + exp(-x))


@njit(cache=True, error_model="numpy", **CALLED_FROM_COMPILED_CODE)
def tanh(x):
    """tanh(x) in vectorisable arithmetic (math.tanh, like math.exp, is a C call per value), in
    float64 (a float32 x is widened): -m / (2 + m) with m = e^(-2|x|) - 1, the sign of x. Through
    e^y - 1, taken from the Taylor series before its 1 is added, small |x| keeps its relative
    precision (1 - e^y would lose it)."""
    q, scale = _expm1_reduced(-2.0 * abs(x))
    m = q * scale + (scale - 1.0)  # e^y - 1 = 2^k (e^r - 1) + (2^k - 1), exact in its parts for k = 0
    return math.copysign(-m / (2.0 + m), x)


@njit(cache=True, error_model="numpy", **CALLED_FROM_COMPILED_CODE)
def slope(a, code):
    """f'(z) from the output a = f(z) of an elementwise activation (``code``: ACTIVATION_CODES), in a's precision."""
    one = type(a)(1.0)
    if code == 1:
        return a * (one - a)
    if code == 2:
        return one - a * a
    if code == 3:
        return one if a > 0 else type(a)(0.0)
    return one
