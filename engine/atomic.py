"""Writing an export (figure, handout) atomically: a temporary file beside the target,
flushed, then renamed over it, so a failure never leaves a half-written file."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from .errors import plain


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Raises ValueError with a one-line reason; the old file, if any, stays as it was.
    A replaced file keeps its permissions."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"{plain(path)}: the folder {plain(folder)} does not exist")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except (OSError, ValueError):
        mode = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=folder)
    except (OSError, ValueError) as e:
        reason = getattr(e, "strerror", None) or "the name is not valid"
        raise ValueError(f"cannot write {plain(path)}: {reason}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            if mode is not None:
                os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ValueError(f"cannot write {plain(path)}: {e.strerror or e}") from None
