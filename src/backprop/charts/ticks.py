"""Where an axis's ticks go and what they say: round steps on a linear axis, decades on a log one.

A label is (text, superscript): ("0.25", "") or ("10", "-3") for 10^-3, which a renderer writes
with the exponent raised. The ticks lie inside the axis's range, which covers the data.
"""
from __future__ import annotations

import math

import numpy as np

STEPS = (1.0, 2.0, 2.5, 5.0)  # a linear axis steps by one of these times a power of ten
MARGIN = 0.05  # of the data's span, added at each end of an axis (matplotlib's default margins)
LIMIT = 1e300  # values beyond it (in size, or below its inverse on a log axis) are not drawn: an axis
# around them would overflow float64 once its margins are added


def drawable(values: np.ndarray, log: bool = False) -> np.ndarray:
    """Which ``values`` (any shape) an axis can show: finite, within ``LIMIT``, and on a log axis
    at least 1 / ``LIMIT``. A series has a gap at the others."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        inside = np.isfinite(values) & (np.abs(values) <= LIMIT)
        return inside & (values >= 1 / LIMIT) if log else inside


def data_range(values: np.ndarray, log: bool = False, integer: bool = False) -> tuple[float, float]:
    """(low, high) of an axis that shows ``values`` (any shape; those not ``drawable`` ignored)
    with ``MARGIN`` at each end. One value alone gets a range around it: +-1 on an ``integer``
    axis, +-5% otherwise (a decade on a log axis); none gives (0, 1) (log: (0.1, 1))."""
    values = np.asarray(values, dtype=float).ravel()
    values = values[drawable(values, log)]
    if not len(values):
        return (0.1, 1.0) if log else (0.0, 1.0)
    low, high = float(values.min()), float(values.max())
    if log:
        low, high = math.log10(low), math.log10(high)
    if high - low <= 1e-9 * max(abs(low), abs(high)):  # equal, to float precision: one value
        pad = 0.5 if log else 1.0 if integer else (abs(low) * MARGIN or MARGIN)
    else:
        pad = (high - low) * MARGIN
    pad = max(pad, 1e-300)  # never a span too small to divide into ticks (subnormal values)
    low, high = low - pad, high + pad
    # the margins of a log axis kept within float64's normal numbers (1e-307 to 1e308)
    return (10 ** max(low, -307), 10 ** min(high, 307)) if log else (low, high)


def linear(low: float, high: float, most: int = 8, integer: bool = False) -> list[tuple[float, tuple[str, str]]]:
    """[(value, label)] of at most ``most`` ticks (at least 2 where the range allows) at round
    steps between ``low`` and ``high``; ``integer``: whole numbers only (epochs)."""
    span = high - low
    scale = 10.0 ** math.floor(math.log10(span / most)) if span > 0 else 1.0
    steps = [m * scale * 10 ** e for e in (0, 1, 2) for m in STEPS]
    step = next(s for s in steps if span / s <= most - 1 and (not integer or s >= 1 and s == int(s)))
    first = math.ceil(low / step - 1e-9)
    values = [(first + i) * step for i in range(int(math.floor(high / step + 1e-9)) - first + 1)]
    decimals = _decimals(step)
    return [(v, (_plain(v, decimals), "")) for v in values]


def _decimals(step: float) -> int:
    """The fewest decimals that write every multiple of ``step`` exactly (0.25: 2)."""
    for d in range(12):
        if abs(round(step * 10 ** d) - step * 10 ** d) < 1e-6 * step * 10 ** d:
            return d
    return 12


def _plain(value: float, decimals: int) -> str:
    if abs(value) >= 1e6 or decimals > 5:  # too long as digits: three significant ones
        return f"{value:.3g}".replace("-", "\u2212")
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text.replace("-", "\u2212")  # never "-0.00"; a minus sign, as matplotlib


def log(low: float, high: float, most: int = 8) -> tuple[list[tuple[float, tuple[str, str]]], list[float]]:
    """(major ticks [(value, label)], minor tick values) of a log axis from ``low`` to ``high`` (> 0).
    Two decades or more inside the range: a tick on each decade (every k-th where they are more
    than ``most``), labelled 10^k, with unlabelled minor ticks at 2..9 times each. Fewer: labelled
    ticks at 1, 2, 5 times the powers of ten (1..9 where those are too few; a linear axis's ticks
    where even those are)."""
    lo, hi = math.log10(low), math.log10(high)
    decades = list(range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1))
    if len(decades) >= 2:
        every = math.ceil(len(decades) / most)
        major = [(10.0 ** k, ("10", str(k).replace("-", "\u2212"))) for k in decades if k % every == 0]
        minor = [m * 10.0 ** k for k in range(decades[0] - 1, decades[-1] + 1) for m in range(2, 10)
                 if low <= m * 10.0 ** k <= high] if every == 1 else []
        return major, minor
    for multiples in ((1, 2, 5), range(1, 10)):
        values = [m * 10.0 ** k for k in range(math.floor(lo), math.ceil(hi) + 1) for m in multiples
                  if low <= m * 10.0 ** k <= high * (1 + 1e-9)]
        if len(values) >= 2:
            return [(v, _mantissa_label(v)) for v in values], []
    return linear(low, high, most), []  # a range between two 1..9 multiples: round linear steps


def _mantissa_label(value: float) -> tuple[str, str]:
    """A tick of a short log axis: plain digits from 0.001 to 9999, else m×10^k."""
    if 1e-3 <= value < 1e4:
        return f"{value:.4g}", ""
    k = math.floor(math.log10(value) + 1e-9)
    m = round(value / 10 ** k, 6)
    return ("10" if m == 1 else f"{m:g}\u00d710"), str(k).replace("-", "\u2212")
