"""Presentation mode (View ▸ Presentation, F5; Esc or F5 leaves): for a projector, full
screen. The canvas, the step-through, the decision map and the lesson text, everything else hidden;
canvas labels, the formula and step list, the lesson and the plot axes at a larger type
size (View ▸ Presentation Scale). Leaving puts back exactly the layout that was there before."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QDockWidget

from . import theme

SCALES = (1.25, 1.5, 2.0)
DEFAULT_SCALE = 1.5
TICK_POINTS, LABEL_POINTS, LESSON_POINTS = 8.0, 9.0, 9.0


class Presentation(QObject):
    changed = Signal(bool)

    def __init__(self, window, settings) -> None:
        super().__init__(window)
        self.w = window
        self.settings = settings
        self.active = False
        try:
            value = float(settings.value("presentation_scale", DEFAULT_SCALE))
        except (TypeError, ValueError):
            value = DEFAULT_SCALE
        self.scale = value if value in SCALES else DEFAULT_SCALE
        self._state = None
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
        self._escape.setEnabled(False)
        self._escape.activated.connect(self._escape_pressed)

    @property
    def shown_docks(self) -> list[QDockWidget]:
        return [self.w.step_dock, self.w.map_dock, self.w.lesson_dock]

    def toggle(self) -> None:
        self.leave() if self.active else self.enter()

    def enter(self) -> None:
        if self.active:
            return
        w = self.w
        self._state = (w.saveState(), w.windowState(), w.geometry())
        self.active = True
        w.showFullScreen()  # a projector shows the window, not the desktop around it
        for dock in w.findChildren(QDockWidget):
            dock.setVisible(dock in self.shown_docks)
        for dock in self.shown_docks:
            dock.raise_()
        self._escape.setEnabled(True)
        self.apply_scale(self.scale)
        self._arrange()
        # the window takes the screen's size when the window system says so: again then
        QTimer.singleShot(0, self._arrange)
        w.show_message("Presentation: Esc or F5 to leave.")
        self.changed.emit(True)

    def _arrange(self) -> None:
        """The step-through 40 % of the width, the lesson a fifth of the height, the
        canvas the rest (at least half the width), the network fitted into it."""
        w = self.w
        if not self.active:
            return
        screen = w.screen().geometry()  # the window's size once it is full screen
        width, height = screen.width(), screen.height()
        w.resizeDocks([w.step_dock], [max(320, round(0.4 * width))], Qt.Orientation.Horizontal)
        w.resizeDocks([w.lesson_dock], [max(150, round(0.22 * height))], Qt.Orientation.Vertical)
        w.view.fit_all()

    def leave(self) -> None:
        if not self.active:
            return
        w = self.w
        self._escape.setEnabled(False)
        self.apply_scale(1.0)
        docks, window_state, geometry = self._state
        w.setWindowState(window_state)  # out of full screen, to the size it had
        if not window_state & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
            w.setGeometry(geometry)
        w.restoreState(docks)
        QTimer.singleShot(0, lambda: self.active or self._restore(docks))  # at that size
        self.active = False
        self._state = None
        w.view.fit_all()
        w.statusBar().clearMessage()
        self.changed.emit(False)

    def _restore(self, docks) -> None:
        self.w.restoreState(docks)
        # the formula may be behind a tab now: what its presentation width needed goes
        self.w.step_panel.formula.updateGeometry()

    def set_scale(self, scale: float) -> None:
        """The type size in presentation mode; remembered across runs."""
        self.scale = scale
        self.settings.setValue("presentation_scale", scale)
        if self.active:
            self.apply_scale(scale)
            self.w.view.fit_all()

    def _escape_pressed(self) -> None:
        if self.w.scene.connecting:  # Esc first cancels a connection being dragged
            self.w.scene.cancel_connection()
            return
        self.leave()

    # ------------------------------------------------------------------ type
    def apply_scale(self, scale: float) -> None:
        """Canvas labels, formula, lesson text and the axes of every plot at ``scale``."""
        w = self.w
        theme.set_scale(scale)
        w.scene.rebuild()  # labels measure themselves when made
        w._show_walk_state()
        w._refresh_thumbnails()
        w.step_panel.set_scale(scale)
        lesson = w.lesson_panel.text
        font = QFont(lesson.font())
        font.setPointSizeF(LESSON_POINTS * scale)
        lesson.setFont(font)
        for plot in w.findChildren(pg.PlotWidget):
            scale_axes(plot, scale)


def scale_axes(plot: pg.PlotWidget, scale: float) -> None:
    tick = QFont()
    tick.setPointSizeF(TICK_POINTS * scale)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setTickFont(tick)
        if axis.labelText:
            style = {"font-size": f"{LABEL_POINTS * scale:g}pt"}
            axis.setLabel(axis.labelText, axis.labelUnits, axis.labelUnitPrefix, **style)
