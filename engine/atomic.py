"""Writing a file atomically: a temporary file beside the target, flushed and synced, then
renamed over it, so a crash or a full disk never leaves a half-written file. Network
files, figures and handouts all go through ``write_atomic``.

A failed write removes its temporary file; temporaries that killed programs left in a
folder (``.NAME.PID.XXXXXXXX.tmp``) are removed by the next write there. A new file gets
the permissions the umask allows (as ``open`` would give it); a replaced file keeps its
mode.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path

from .errors import plain

TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"\..+\.(\d{1,9})\.[a-z0-9_]{8}\.tmp")


class WriteFailed(ValueError):
    """One line: what could not be written and why. ``stage`` is "folder" when no
    temporary file could be made there, "file" when writing or renaming it failed."""

    def __init__(self, path: Path, stage: str, reason: str) -> None:
        self.path, self.stage, self.reason = path, stage, reason
        if stage == "folder" and not path.parent.is_dir():
            message = f"{plain(path)}: the folder {plain(path.parent)} does not exist"
        else:
            message = f"cannot write {plain(path)}: {reason}"
        super().__init__(message)


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Raises WriteFailed; the old file, if any, stays as it was."""
    path = Path(path)
    folder = path.parent
    remove_stale_temporaries(folder)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except (OSError, ValueError):
        mode = 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(  # the name cut, so a long one still leaves room
            prefix=f".{path.name[:100]}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=folder
        )
    except OSError as e:
        raise WriteFailed(path, "folder", str(e.strerror or e)) from None
    except ValueError:  # a NUL character in the name
        raise WriteFailed(path, "folder", "the name is not valid") from None
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise WriteFailed(path, "file", str(e.strerror or e)) from None
        if isinstance(e, ValueError):  # a NUL character in the name
            raise WriteFailed(path, "file", "the name is not valid") from None
        raise


def remove_stale_temporaries(folder: Path) -> None:
    """Remove ``.NAME.PID.XXXXXXXX.tmp`` files whose writer is no longer running."""
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if e.name.startswith(".") and e.name.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        match = _TEMP_NAME.fullmatch(name)
        if match and not _running(int(match.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(folder / name)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if pid <= 0 or os.name != "posix":
        return True  # not ours to judge: keep the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _umask() -> int:
    """The process's umask, without changing it where /proc tells it."""
    with (
        contextlib.suppress(OSError, ValueError),
        open("/proc/self/status", encoding="ascii", errors="replace") as f,
    ):
        for line in f:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
