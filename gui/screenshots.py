"""Render the main window to PNG files, offscreen (for the README and for reviewing).

QT_QPA_PLATFORM=offscreen python -m gui.screenshots OUTDIR
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings

from .app import create_app
from .mainwindow import MainWindow


def window_with(example: str) -> MainWindow:
    settings = QSettings(
        str(Path(tempfile.mkdtemp()) / "settings.ini"), QSettings.Format.IniFormat
    )
    window = MainWindow(settings)
    window.files.open_example(example)
    window.show()
    return window


def main(out: str = "shots") -> None:
    app = create_app()
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    window = window_with("xor_lecture")
    app.processEvents()
    window.view.fit_all()
    window.scene.neuron_items["h1"].setSelected(True)
    app.processEvents()
    window.grab().save(str(out_dir / "main-window.png"))
    print(out_dir / "main-window.png")


if __name__ == "__main__":
    main(*sys.argv[1:])
