"""The network file (JSON, format 1): load with full validation, save atomically.

Loading parses plain JSON (no pickle, no eval), checks every field, and raises a single
error type, ``NetworkFileError``, whose one-line message says what is wrong and where, in
the file's own terms (``connections[3]: target 'h9' is not a neuron``). Every file is
untrusted: only regular files are opened, at most ``MAX_FILE_BYTES`` + 1 bytes are read,
and the limits in ``limits.py`` are checked before anything is allocated for them. Text
from the file is quoted safely in messages (``errors.quote``). Fields this version does
not know are kept and written back, so a newer tool's additions survive a round trip.

This module is the way in from disk; the work is done in ``untrusted_input`` (the bounded
read, safe JSON), ``file_reader`` and ``file_settings`` (JSON into the model, one field
at a time with ``file_fields``) and ``file_writer`` (the model into JSON).
"""

from __future__ import annotations

import os
from pathlib import Path

from .atomic import WriteFailed, write_atomic
from .errors import NetworkFileError, plain, quote
from .file_reader import network_from_json
from .file_writer import network_to_json
from .network import Network
from .untrusted_input import read_limited


def load_network(path: str | os.PathLike) -> Network:
    """Read and validate a network file. Raises NetworkFileError (also for I/O errors)."""
    data = read_limited(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise NetworkFileError(
            f"not a network file (it is not UTF-8 text: byte {e.start:,} is 0x{data[e.start]:02x})"
        ) from None
    network = network_from_json(text)
    if not network.name:
        network.name = plain(Path(path).stem.replace("_", " "))
    return network


def save_network(net: Network, path: str | os.PathLike) -> None:
    """Write atomically (``atomic.write_atomic``): a crash or a full disk never leaves a
    half-written file, and the old file stays as it was."""
    path = Path(path)
    try:
        text = network_to_json(net).encode("utf-8")
    except UnicodeEncodeError:
        raise NetworkFileError(
            f"cannot save {quote(path.name)}: a text is not valid Unicode"
        ) from None
    try:
        write_atomic(path, text)
    except WriteFailed as e:
        if e.stage == "folder":
            raise NetworkFileError(f"cannot write to {plain(path.parent)}: {e.reason}") from None
        raise NetworkFileError(f"cannot save {quote(path.name)}: {e.reason}") from None
