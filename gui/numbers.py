"""Reading numbers that people type (text only: no arithmetic on weights happens here)."""

from __future__ import annotations

import math


class NumberError(ValueError):
    pass


def parse_number(text: str) -> float:
    """Accepts "−2", "-2", "2,5" (decimal comma), "1e-3"; refuses text, NaN and ∞ with a
    message that can be shown as it is."""
    cleaned = text.strip().replace("−", "-").replace("\u2009", "").replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not cleaned:
        raise NumberError("enter a number")
    try:
        value = float(cleaned)
    except ValueError:
        raise NumberError(f"“{text.strip()}” is not a number") from None
    if not math.isfinite(value):
        raise NumberError("the value must be a finite number (not NaN or ∞)")
    return value
