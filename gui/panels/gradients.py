"""Insight panel: the mean |∂L/∂w| into each layer over the epochs, on a log scale — how
gradients shrink (vanish) on their way back through deep sigmoid networks."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.formatting import format_number
from engine.gradients import level_gradient_magnitudes

from .throttle import Throttled

COLOURS = ["#2b7bba", "#e8822a", "#2e9d4f", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d", "#d35400"]


class GradientPanel(QWidget):
    def __init__(self, controller) -> None:
        super().__init__()
        self.controller = controller
        self.doc = controller.doc
        self.plot = pg.PlotWidget()
        self.plot.setLogMode(y=True)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "mean |∂L/∂w|")
        self.plot.addLegend(offset=(-10, 10), brush=pg.mkBrush(255, 255, 255, 210))
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.readout = QLabel()
        self.readout.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot)
        layout.addWidget(self.readout)
        self.curves: list = []
        self.samples: list[tuple[int, list[float]]] = []
        self._for = None
        throttled = Throttled(self.sample, 0.5, self, widget=self)
        controller.progress.connect(throttled)
        self.doc.network_edited.connect(throttled)
        self.doc.network_replaced.connect(throttled)

    def sample(self) -> None:
        """One backward pass over the training data, recorded at the current epoch."""
        trainer = self.controller.trainer or self.controller.ensure_trainer()
        if trainer is None:
            return
        key = (id(trainer), self.doc.network.structure_revision)
        if key != self._for or (self.samples and trainer.epoch < self.samples[-1][0]):
            self._for, self.samples = key, []  # a new run, or time travel: start over
        mags = level_gradient_magnitudes(self.doc.network, trainer.X, trainer.Y)
        if self.samples and self.samples[-1][0] == trainer.epoch:
            self.samples[-1] = (trainer.epoch, mags)
        else:
            self.samples.append((trainer.epoch, mags))
        self._draw()

    def _draw(self) -> None:
        levels = len(self.samples[-1][1])
        if len(self.curves) != levels:
            self.plot.clear()
            self.plot.addLegend(offset=(-10, 10), brush=pg.mkBrush(255, 255, 255, 210))
            self.curves = [
                self.plot.plot(
                    [],
                    [],
                    pen=pg.mkPen(COLOURS[i % len(COLOURS)], width=2),
                    symbol="o",
                    symbolSize=4,
                    name=f"layer {i + 1}",
                )
                for i in range(levels)
            ]
        epochs = np.array([e for e, _ in self.samples], float)
        values = np.array([m for _, m in self.samples])
        for i, curve in enumerate(self.curves):
            curve.setData(epochs, np.maximum(values[:, i], 1e-30))
        last = self.samples[-1][1]
        ratio = last[-1] / last[0] if last[0] > 0 else float("inf")
        self.readout.setText(
            f"Epoch {self.samples[-1][0]}: the last layer's gradients are "
            f"{format_number(ratio, 3)}× the first layer's."
        )

    @property
    def latest(self) -> list[float] | None:
        return self.samples[-1][1] if self.samples else None
