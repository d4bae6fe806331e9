"""Untrusted bytes and JSON text, before any field is looked at: a bounded read of a regular
file, and JSON parsing that neither the nesting depth nor unpaired surrogates can upset.

Apart from the fields because it does not depend on them (the CSV import reads its files
through ``read_limited`` too).
"""

from __future__ import annotations

import json
import os
import re
import stat
from typing import Any

import numpy as np

from .errors import NetworkFileError, plain
from .file_fields import fail
from .limits import MAX_FILE_BYTES, MAX_NESTING

_KINDS_OF_FILE = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_limited(path: str | os.PathLike, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, reading at most limit + 1
    (the size ``stat`` reports is not trusted). FIFOs, devices and folders are refused
    without blocking. Raises NetworkFileError."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise NetworkFileError(f"cannot read the file: {e.strerror or e}") from None
    except ValueError:  # a NUL character in the name
        raise NetworkFileError("cannot read the file: its name is not valid") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS_OF_FILE if test(info.st_mode)), "")
            raise NetworkFileError(
                f"not a regular file ({kind})" if kind else "not a regular file"
            )
        if info.st_size > limit:
            raise NetworkFileError(_too_large(limit, info.st_size))
        chunks, remaining = [], limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as e:
        raise NetworkFileError(f"cannot read the file: {e.strerror or e}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise NetworkFileError(_too_large(limit))
    return data


def _too_large(limit: int, size: int | None = None) -> str:
    shown = f"{size / 1e6:,.1f} MB" if size is not None else f"more than {limit / 1e6:,.0f} MB"
    return f"the file is too large ({shown}; the limit is {limit / 1e6:,.0f} MB)"


def parse_json(text: str) -> Any:
    """The value of a JSON text, refusing it (NetworkFileError) before parsing when it is
    nested too deeply, and after when it holds text that cannot be written back."""
    depth = _nesting(text)
    if depth > MAX_NESTING:
        raise NetworkFileError(_too_deep())
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise NetworkFileError(
            f"not a network file (invalid JSON at line {e.lineno}, column {e.colno}: {e.msg})"
        ) from None
    except RecursionError:
        raise NetworkFileError(_too_deep()) from None
    except ValueError:  # an integer of more than 4,300 digits
        raise NetworkFileError("not a network file (a number has too many digits)") from None
    if isinstance(data, dict | list) and (_SURROGATE_ESCAPE.search(text) or not _utf8(text)):
        _check_surrogates(data)
    return data


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_OPEN, _CLOSE = np.frombuffer(b"[{", np.uint8), np.frombuffer(b"]}", np.uint8)


def _nesting(text: str) -> int:
    """The deepest nesting of [ and { outside strings, without parsing (so that neither
    the parser's recursion nor a later walk over the value can be driven too deep)."""
    outside = _JSON_STRING.sub("", text).encode("utf-8", "replace")
    codes = np.frombuffer(outside, np.uint8)
    opening = np.isin(codes, _OPEN)
    closing = np.isin(codes, _CLOSE)
    steps = opening.astype(np.int8) - closing.astype(np.int8)
    steps = steps[opening | closing]
    return int(np.cumsum(steps, dtype=np.int64).max(initial=0))


def _utf8(text: str) -> bool:
    """False when ``text`` itself holds unpaired surrogates (only text that did not come
    from a file can: decoding a file's bytes refuses them)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _too_deep() -> str:
    return f"nested too deeply (more than {MAX_NESTING} levels of [ and {{)"


def _check_surrogates(data: Any) -> None:
    """Text that cannot be written back as UTF-8 (unpaired surrogates from \\ud800
    escapes), anywhere in the file, fields this version ignores included; named by path."""
    stack: list[tuple[Any, Any]] = [(data, None)]  # (container, (parent trail, key))
    while stack:
        item, trail = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, value in pairs:
            for text in (key, value):
                if isinstance(text, str) and not text.isascii():
                    try:
                        text.encode("utf-8")
                    except UnicodeEncodeError:
                        raise fail(
                            _trail_name((trail, key)), "not valid Unicode (an unpaired surrogate)"
                        ) from None
            if isinstance(value, list | dict) and value:
                stack.append((value, (trail, key)))


def _trail_name(trail) -> str:
    parts = []
    while trail is not None:
        trail, key = trail
        parts.append(f"[{key}]" if isinstance(key, int) else f".{plain(key, 30)}")
    return "".join(reversed(parts)).lstrip(".")
