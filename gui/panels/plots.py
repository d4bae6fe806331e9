"""The loss and accuracy (or RMSE) over epochs, with a time-travel slider. Plot items are
created once and updated with setData."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from engine.formatting import format_number
from engine.tasks import Task, rmse

from .throttle import Throttled

pg.setConfigOptions(antialias=True, background="w", foreground="#333")


def legend_brush():
    """A legend's box: the plot's own background, nearly opaque."""
    colour = pg.mkColor(pg.getConfigOption("background"))
    colour.setAlpha(210)
    return pg.mkBrush(colour)


def follow_palette() -> None:
    """Plots drawn from now on take the system palette's background and text colours (a
    dark palette gets dark plots); called once a QApplication exists."""
    from ..theme import canvas_background, is_dark, text_colour

    if is_dark():
        pg.setConfigOptions(background=canvas_background(), foreground=text_colour())
    else:
        pg.setConfigOptions(background="w", foreground="#333")


PLOT_INTERVAL = 0.2  # seconds: plots redraw at most 5 times a second while training


class EpochSlider(QSlider):
    """The time-travel slider. With the focus it takes the arrow keys itself: ← and → are
    also the window's Step Back and Step, and → on the slider used to step (and offer to
    drop the later history) instead of showing the next epoch."""

    KEYS = frozenset(
        {
            Qt.Key.Key_Left,
            Qt.Key.Key_Right,
            Qt.Key.Key_Up,
            Qt.Key.Key_Down,
            Qt.Key.Key_Home,
            Qt.Key.Key_End,
            Qt.Key.Key_PageUp,
            Qt.Key.Key_PageDown,
        }
    )

    def __init__(self) -> None:
        super().__init__(Qt.Orientation.Horizontal)

    def event(self, event) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and event.key() in self.KEYS
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            event.accept()  # ours, not the window's shortcut
            return True
        return super().event(event)


class LossPanel(QWidget):
    def __init__(self, controller) -> None:
        super().__init__()
        self.controller = controller
        self.plot = pg.PlotWidget()
        self.plot.setLabel("left", "loss")
        # the accuracy plot below shares the epoch axis and numbers it, and the Epoch
        # slider under both names it: this one keeps its grid lines but no numbers (on a
        # small screen the loss curve had 40 pixels)
        self.plot.getAxis("bottom").setStyle(showValues=False)
        self.legend = self.plot.addLegend(offset=(-10, 10), brush=legend_brush())
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setMinimumHeight(80)
        self.plot.setDownsampling(auto=True, mode="peak")  # long runs: draw what pixels show
        self.plot.setClipToView(True)
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.train_curve = self.plot.plot(
            [], [], pen=pg.mkPen("#2b7bba", width=2), name="training loss", antialias=False
        )
        self.test_curve = self.plot.plot(
            [],
            [],
            pen=pg.mkPen("#e8822a", width=2, style=Qt.PenStyle.DashLine),
            name="test loss",
            antialias=False,
        )
        self.acc_plot = pg.PlotWidget()
        self.acc_plot.setMinimumHeight(72)  # small windows: the strip under the canvas
        self.acc_plot.setMaximumHeight(110)
        self.acc_plot.setLabel("left", "accuracy")
        self.acc_plot.setYRange(0, 1.02)
        self.acc_plot.getAxis("left").setTicks([[(0, "0"), (0.5, "50%"), (1, "100%")]])
        self.acc_plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.acc_plot.getAxis("left").enableAutoSIPrefix(False)
        self.acc_plot.showGrid(x=True, y=True, alpha=0.2)
        self.acc_plot.setXLink(self.plot)
        self.acc_curve = self.acc_plot.plot(
            [], [], pen=pg.mkPen("#2e9d4f", width=2), antialias=False
        )
        # (thousands of points: unantialiased paths draw several times faster)
        self.marker = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#e9a912", width=2))
        self.marker.hide()  # shown with the first epoch
        self.plot.addItem(self.marker)
        self.log_box = QCheckBox("Log scale")
        self.log_box.toggled.connect(lambda on: self.plot.setLogMode(y=on))
        self.slider = EpochSlider()
        self.slider.setToolTip(
            "Time travel: drag to see an earlier epoch on the canvas, map and table; "
            "Play or Step then continues from there"
        )
        self.slider.valueChanged.connect(self._slider_moved)
        self.readout = QLabel()
        self.readout.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Epoch"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.log_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot, 3)
        layout.addWidget(self.acc_plot, 1)
        layout.addLayout(row)
        layout.addWidget(self.readout)
        self._empty = True
        self._regression = False
        # the curves grow with every epoch: twice a second is plenty, and it keeps
        # their redraw (the dearest of the panels) from taking the training's time
        controller.progress.connect(
            Throttled(self.refresh, 2.5 * PLOT_INTERVAL, self, widget=self)
        )
        self.refresh()

    def refresh(self) -> None:
        t = self.controller.trainer
        h = t.history if t is not None else None
        if h is None or not h.loss:
            for curve in (self.train_curve, self.test_curve, self.acc_curve):
                curve.setData([], [])
            self._legend_test(False)
            self.slider.blockSignals(True)  # only a person moving it travels in time
            self.slider.setRange(0, 0)
            self.slider.blockSignals(False)
            self.plot.setXRange(0, 10)
            self.plot.setYRange(0, 1)
            self._empty = True
            self.marker.hide()
            self.readout.setText("No training yet: press Play (Space).")
            return
        if self._empty:  # the empty state fixed the ranges; data brings autorange back
            self._empty = False
            self.plot.enableAutoRange()
            self.acc_plot.enableAutoRange(axis="x")
        # each value at the weights it measures: the training loss and accuracy of epoch
        # k+1 were measured before its updates, at the weights after k epochs (exactly so
        # with the full batch); the test loss after its updates, at the weights after k+1
        epochs = np.arange(len(h.loss))
        self.train_curve.setData(epochs, np.asarray(h.loss))
        self.test_curve.setData(np.arange(1, len(h.test_loss) + 1), np.asarray(h.test_loss))
        self._legend_test(bool(h.test_loss))
        regression = t.task is Task.REGRESSION
        self._show_metric(regression)
        self.acc_curve.setData(epochs, np.asarray(h.rmse if regression else h.accuracy))
        shown = self.controller.shown_epoch
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setRange(0, t.epoch)
            self.slider.setValue(shown)
            self.slider.blockSignals(False)
        self.marker.setValue(shown)
        self.marker.show()
        # the loss and accuracy of the weights the canvas, map and table show (the
        # history's value for epoch `shown` was measured during it, before its update)
        src = self.controller.shown_trainer()
        loss, accuracy = src.evaluate()
        f = format_number
        test = ""
        if src.X_test is not None and len(h.test_loss):
            test_loss, _ = src.evaluate(src.X_test, src.Y_test)
            test = f", test loss {f(test_loss, 4)}"
        if regression:
            net = src.snapshot()
            metric = f"RMSE {f(rmse(net.outputs(src.X), src.Y), 4)}"
            if src.X_test is not None and len(h.test_rmse):
                test += f", test RMSE {f(rmse(net.outputs(src.X_test), src.Y_test), 4)}"
        else:
            metric = f"accuracy {100 * accuracy:.1f} %"
        text = f"Epoch {shown}: loss {f(loss, 4)}, {metric}{test}"
        if shown < t.epoch:
            text += (
                f" — viewing the past ({t.epoch} trained): Play or Step continues from "
                f"here and drops the {t.epoch - shown} later epochs"
            )
        self.readout.setText(text)

    def _legend_test(self, shown: bool) -> None:
        """The legend names the test loss only when there is a test set (its line covered
        the curves of a short plot for nothing)."""
        listed = self.legend.getLabel(self.test_curve) is not None
        if shown and not listed:
            self.legend.addItem(self.test_curve, "test loss")
        elif listed and not shown:
            self.legend.removeItem(self.test_curve)

    def _show_metric(self, regression: bool) -> None:
        """The lower plot: accuracy for classes, RMSE (same units as the targets) for
        regression."""
        if regression == self._regression:
            return
        self._regression = regression
        axis = self.acc_plot.getAxis("left")
        if regression:
            self.acc_plot.setLabel("left", "RMSE")
            axis.setTicks(None)
            self.acc_plot.enableAutoRange(axis="y")
        else:
            self.acc_plot.setLabel("left", "accuracy")
            self.acc_plot.setYRange(0, 1.02)
            axis.setTicks([[(0, "0"), (0.5, "50%"), (1, "100%")]])

    def _slider_moved(self, epoch: int) -> None:
        """Dragging (or the arrow keys) previews the epoch under the slider."""
        self.controller.preview(epoch)
