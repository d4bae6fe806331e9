"""Redraw at most so often: plots need not follow every frame of training."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class Throttled(QObject):
    """Calls ``fn`` at most once per ``interval`` seconds; a call that comes too soon is
    not lost but deferred, so the last state is always drawn."""

    def __init__(self, fn: Callable[[], None], interval: float, parent: QObject) -> None:
        super().__init__(parent)
        self.fn = fn
        self.interval = interval
        self._last = 0.0
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._run)

    def __call__(self) -> None:
        wait = self._last + self.interval - time.perf_counter()
        if wait <= 0:
            self._run()
        elif not self.timer.isActive():
            self.timer.start(int(wait * 1000) + 1)

    def _run(self) -> None:
        self._last = time.perf_counter()
        self.fn()
