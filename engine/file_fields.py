"""Checks for one value of an untrusted network file, shared by the readers of its sections.

Each returns the value when it is acceptable and otherwise raises ``NetworkFileError`` with
``where`` (the value's place in the file, ``connections[3].weight``) in front of the message,
so that every refusal names the field in the file's own terms.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection
from typing import Any

from .errors import NetworkFileError, quote
from .limits import MAX_TEXT, count


def fail(where: str, message: str) -> NetworkFileError:
    return NetworkFileError(f"{where}: {message}" if where else message)


def finite_number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(where, "must be a finite number")
    try:
        number = float(value)  # an integer beyond 1.8e308 overflows here
    except OverflowError:
        raise fail(where, "must be a finite number") from None
    if not math.isfinite(number):
        raise fail(where, "must be a finite number")
    return number


def whole_number(
    value: Any, where: str, minimum: int | None = None, maximum: int | None = None
) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(where, "must be a whole number")
    if minimum is not None and value < minimum:
        raise fail(where, f"must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise fail(where, f"at most {count(maximum)}")
    return value


def short_string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise fail(where, "must be a text string")
    if len(value) > MAX_TEXT:
        raise fail(where, f"at most {count(MAX_TEXT)} characters (it has {count(len(value))})")
    return value


def one_line_text(value: Any, where: str) -> str:
    """A label or a name: any text on one line (no control characters, no line breaks)."""
    text = short_string(value, where)
    if not text.isprintable() and any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text):
        raise fail(where, f"must not contain control characters or line breaks ({quote(text)})")
    return text


def one_of(value: Any, valid: Collection[str], where: str, what: str) -> str:
    if not isinstance(value, str) or value not in valid:
        raise fail(where, f"unknown {what} {quote(value)} (valid: {', '.join(valid)})")
    return value


def json_object(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise fail(where, "must be an object ({...})")
    return value


def json_list(value: Any, where: str, limit: int | None = None, what: str = "") -> list:
    if not isinstance(value, list):
        raise fail(where, "must be a list ([...])")
    if limit is not None and len(value) > limit:
        raise fail(where, f"at most {count(limit)} {what} (the file has {count(len(value))})")
    return value


def unknown_fields(obj: dict, known: set[str]) -> dict:
    return {k: v for k, v in obj.items() if k not in known}
