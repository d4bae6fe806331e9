"""Start the application: ``backprop-studio [FILE]`` (or ``python -m gui [FILE]``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from engine.examples import DEFAULT_EXAMPLE

from .mainwindow import MainWindow


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setOrganizationName("Backprop Studio")
    app.setApplicationName("Backprop Studio")
    app.setStyle("Fusion")  # the same look everywhere; follows the light/dark palette
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="backprop-studio", description="Draw networks and step through backpropagation."
    )
    parser.add_argument(
        "file", nargs="?", help="a network file to open (default: the lecture XOR example)"
    )
    args = parser.parse_args(argv)
    app = create_app()
    window = MainWindow()
    if args.file:
        if not window.files.open_path(Path(args.file), ask=False):
            window.files.open_example(DEFAULT_EXAMPLE)
    else:
        window.files.open_example(DEFAULT_EXAMPLE)
    window.show()
    QTimer.singleShot(0, window.files.offer_recovery)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
