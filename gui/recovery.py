"""Crash recovery: while a document has unsaved changes, a copy is written to the user's
data folder every minute; the next start offers copies whose program is no longer running;
a clean exit removes its own copy."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from engine.errors import NetworkFileError
from engine.files import load_network, save_network

INTERVAL_MS = 60_000


def recovery_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".backprop-studio") / "recovery"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class RecoveryCopy:
    network_file: Path
    meta_file: Path
    original: Path | None
    saved_at: str
    name: str = ""  # the network's name, for a copy of a network never saved to a file

    def discard(self) -> None:
        self.network_file.unlink(missing_ok=True)
        self.meta_file.unlink(missing_ok=True)


class Recovery:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder else recovery_dir()
        self.pid = os.getpid()

    @property
    def network_file(self) -> Path:
        return self.folder / f"unsaved-{self.pid}.json"

    @property
    def meta_file(self) -> Path:
        return self.folder / f"unsaved-{self.pid}.meta.json"

    def write(self, network, original: Path | None) -> None:
        """Atomic like every save; a failure here must never disturb the user."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            save_network(network, self.network_file)
            meta = {
                "pid": self.pid,
                "original": str(original) if original else None,
                "name": network.name or "",
                "saved_at": datetime.now().isoformat(timespec="seconds"),
            }
            self.meta_file.write_text(json.dumps(meta), "utf-8")
        except (OSError, NetworkFileError):
            pass

    def clear(self) -> None:
        RecoveryCopy(self.network_file, self.meta_file, None, "").discard()

    def orphans(self) -> list[RecoveryCopy]:
        """Copies left by programs that are no longer running (crashed or killed)."""
        found = []
        for meta_file in sorted(self.folder.glob("unsaved-*.meta.json")):
            try:
                meta = json.loads(meta_file.read_text("utf-8"))
                pid = int(meta["pid"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if pid == self.pid or _alive(pid):
                continue
            network_file = meta_file.with_name(f"unsaved-{pid}.json")
            if network_file.exists():
                original = Path(meta["original"]) if meta.get("original") else None
                name = meta.get("name") if isinstance(meta.get("name"), str) else ""
                saved_at = str(meta.get("saved_at", ""))
                found.append(RecoveryCopy(network_file, meta_file, original, saved_at, name))
        return found

    @staticmethod
    def load(copy: RecoveryCopy):
        return load_network(copy.network_file)
