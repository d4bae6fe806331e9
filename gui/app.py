"""Start the application: ``backprop-studio [FILE]`` (or ``python -m gui [FILE]``); with
``--export OUT.svg|png FILE [--step K] [--scale S]`` write the canvas as a figure without
showing a window."""

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
    parser.add_argument(
        "--export",
        metavar="OUT",
        help="write the canvas of FILE to OUT (.svg, fully vector, or .png) and exit, "
        "without showing a window",
    )
    parser.add_argument(
        "--step",
        type=int,
        metavar="K",
        help="with --export: draw the canvas after step K of the first iteration "
        "(numbered as python -m engine walk numbers them)",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=2.0,
        metavar="S",
        help="with --export to .png: pixels per canvas unit (default 2)",
    )
    args = parser.parse_args(argv)
    if args.export is not None:
        if not args.file:
            parser.error("--export needs a network file: backprop-studio --export OUT FILE")
        from .headless import run

        return run(args.file, args.export, args.step, args.scale)
    if args.step is not None:
        parser.error("--step goes with --export")
    app = create_app()
    window = MainWindow()
    if args.file:
        if not window.files.open_path(Path(args.file), ask=False):
            window.files.open_example(DEFAULT_EXAMPLE)
    else:
        window.files.open_example(DEFAULT_EXAMPLE)
    window.fit_to_screen()
    window.show()
    QTimer.singleShot(0, window.files.offer_recovery)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
