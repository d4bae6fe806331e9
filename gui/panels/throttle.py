"""Redraw at most so often: plots need not follow every frame of training."""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer


class Throttled(QObject):
    """Calls ``fn`` at most once per ``interval`` seconds; a call that comes too soon is
    not lost but deferred, so the last state is always drawn. While ``widget`` is hidden
    (a dock tabbed behind another) nothing is drawn; it catches up when shown."""

    def __init__(
        self, fn: Callable[[], None], interval: float, parent: QObject, widget=None
    ) -> None:
        super().__init__(parent)
        self.fn = fn
        self.widget = widget
        self.stale = False
        if widget is not None:
            widget.installEventFilter(self)
        self.interval = interval
        self._last = 0.0
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._run)
        _ALL.add(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            QTimer.singleShot(0, self._run)
        return False

    def __call__(self) -> None:
        if self.widget is not None and not self.widget.isVisible():
            self.stale = True
            return
        wait = self._last + self.interval - time.perf_counter()
        if wait <= 0:
            self._run()
        elif not self.timer.isActive():
            self.timer.start(int(wait * 1000) + 1)

    def _run(self) -> None:
        self._last = time.perf_counter()
        self.fn()

    def flush(self) -> None:
        """Draw now what is waiting to be drawn (before a screenshot, an export, a check)."""
        visible = self.widget is None or self.widget.isVisible()
        if self.timer.isActive() or (self.stale and visible):
            self.timer.stop()
            self.stale = False
            self._run()


_ALL: weakref.WeakSet[Throttled] = weakref.WeakSet()


def flush_all() -> None:
    """Every pending throttled redraw, now."""
    for throttled in list(_ALL):
        throttled.flush()
