"""Numbers and formulas as people write them, in one place.

Formulas are built as small *markup* strings: plain text in which ``_{…}`` marks a
subscript. ``to_plain`` renders them for a terminal (``z_h1``, Unicode subscripts for
digits: ``w₁``), ``to_html`` for Qt's rich text (``z<sub>h1</sub>``). Numbers use a real
minus sign (−), a configurable number of significant digits, and ×10ⁿ for large or tiny
magnitudes.
"""

from __future__ import annotations

import functools
import html
import math
import re
from dataclasses import dataclass

MINUS = "−"
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUB = re.compile(r"_\{([^{}]*)\}")


@dataclass(frozen=True)
class NumberFormat:
    digits: int = 3  # significant digits

    def __call__(self, x: float) -> str:
        return _format_number(float(x), self.digits)  # format_number, a call less


def format_number(x: float, digits: int = 3) -> str:
    """5 → "5", −3.0 → "−3", 0.047426 → "0.0474", 1.3e-05 → "1.30×10⁻⁵"."""
    return _format_number(float(x), digits)


@functools.lru_cache(maxsize=1 << 14)
def _format_number(x: float, digits: int) -> str:
    # Cached: a walkthrough shows each weight, activation and δ in several formulas
    # (its sum, the backward sums, the gradient, the update), ~1,400 numbers for a
    # 2-8-8-1 of which most are repeats. −0.0 and 0.0 share an entry: both read "0".
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else MINUS + "∞"
    if x == 0:
        return "0"
    if x == round(x) and abs(x) < 1e6:
        text = str(int(x))
    else:
        # keep significant trailing zeros of a rounded value (0.0180), not of an exact
        # one (η = 0.5, not 0.500)
        exact = float(f"{x:.{digits}g}") == x
        text = f"{x:.{digits}g}" if exact else f"{x:#.{digits}g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = f"{mantissa.rstrip('.')}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
        else:
            text = text.rstrip(".")
    return text.replace("-", MINUS)


def update_pair(old: float, new: float, digits: int = 3) -> tuple[str, str]:
    """(old, new) as shown side by side for an update: each with the fewest decimal
    places (at least ``digits`` significant digits) at which they differ as displayed —
    a step that is not zero never reads "5.00 → 5.00" (−8.00004 → −8.00002, 5 → 4.999) —
    and at which the shown old value plus the step rounds to the shown new one, so the
    arithmetic checks by hand. The old value gets at least the new one's decimal places
    (−0.712 → −0.0462 shows the old value as −0.7117, not with sixteen digits)."""
    return _update_pair(float(old), float(new), digits)[:2]


def update_places(old: float, new: float, digits: int = 3) -> tuple[int, int] | None:
    """(old's, new's) decimal places as ``update_pair`` shows them (None: both with
    ``digits`` significant digits, as when the value did not change)."""
    return _update_pair(float(old), float(new), digits)[2]


def _places(x: float, digits: int) -> int:
    """Decimal places that give x ``digits`` significant digits."""
    return digits - 1 - math.floor(math.log10(abs(x))) if x else -999


def at_places(x: float, places: int, digits: int = 3) -> str:
    """x rounded to ``places`` decimal places (at least ``digits`` significant digits)."""
    if x == 0 or not math.isfinite(x):
        return format_number(x, digits)
    shown = places + 1 + math.floor(math.log10(abs(x)))
    return format_number(x, min(max(digits, shown), 17))


def _update_places(old: float, new: float, digits: int) -> tuple[int, int] | None:
    if new == old or not (math.isfinite(old) and math.isfinite(new)):
        return None
    p_old, p_new = _places(old, digits), _places(new, digits)
    first_new = p_new if new else p_old
    for kn in range(first_new, first_new + 20):
        n = round(new, kn)
        if round(old, kn) == n:  # the step does not show at this precision
            continue
        start = max(p_old, kn)
        for ko in range(start, start + 20):
            o = round(old, ko)
            if round(o + (new - old), kn) == n:
                return ko, kn
    return None


@functools.lru_cache(maxsize=1 << 12)
def _update_pair(old: float, new: float, digits: int) -> tuple[str, str, tuple[int, int] | None]:
    # cached: the walkthrough asks for each update's pair and places several times
    # (formula, digits of the gradient, result)
    places = _update_places(old, new, digits)
    if places is None:
        return format_number(old, digits), format_number(new, digits), None
    return at_places(old, places[0], digits), at_places(new, places[1], digits), places


def step_digits(old: float, rate: float, grad: float, new: float, digits: int = 3) -> int:
    """Significant digits to show ∂L/∂p with in "old − η·∂L/∂p = new", so that the
    shown numbers give the shown result (old and new as ``update_pair`` shows them):
    −0.7117 − 1·(−0.6655) = −0.0462, where three digits (−0.666) would give −0.0457."""
    places = update_places(old, new, digits)
    if places is None or not math.isfinite(grad):
        return digits
    o, n = round(old, places[0]), round(new, places[1])
    eta = float(f"{rate:.{digits}g}")  # η as shown
    for d in range(digits, 18):
        if round(o - eta * float(f"{grad:.{d}g}"), places[1]) == n:
            return d
    return digits


def signed_term(x: float, fmt: NumberFormat, first: bool) -> str:
    """A term of a sum: "5", then " + 5" or " − 5"."""
    text = fmt(abs(x))
    if first:
        return (MINUS if x < 0 else "") + text
    return (f" {MINUS} " if x < 0 else " + ") + text


def factor(x: float, fmt: NumberFormat) -> str:
    """A factor of a product: negative numbers in parentheses, "(−0.5)"."""
    return f"({fmt(x)})" if x < 0 else fmt(x)


def base(x: float, fmt: NumberFormat) -> str:
    """The base of a power, x²: in parentheses when negative or written with ×10ⁿ,
    "(−0.5)²", "(1×10⁻¹²)²" (not 1×10⁻¹²², which reads as another number)."""
    text = fmt(x)
    return f"({text})" if x < 0 or "×" in text else text


def sub(base: str, index: str) -> str:
    """Markup for base with a subscript: sub("z", "h1") → "z_{h1}"."""
    return f"{base}_{{{index}}}"


def to_plain(markup: str) -> str:
    """Subscripts of digits become Unicode subscripts (w_{1} → w₁), others read z_h1."""

    def repl(m: re.Match) -> str:
        text = m.group(1)
        return text.translate(_SUBSCRIPT) if text.isdigit() else "_" + text

    return _SUB.sub(repl, markup)


def to_html(markup: str) -> str:
    """Escaped rich text with <sub> subscripts, for Qt labels and text views."""
    parts = []
    last = 0
    for m in _SUB.finditer(markup):
        parts.append(html.escape(markup[last : m.start()]))
        parts.append(f"<sub>{html.escape(m.group(1))}</sub>")
        last = m.end()
    parts.append(html.escape(markup[last:]))
    return "".join(parts)
