"""Insight panel: the mean |∂L/∂w| into each layer over the epochs, on a log scale — how
gradients shrink (vanish) on their way back through deep sigmoid networks.

The points are the trainer's snapshots (every epoch, or an evenly thinned series on long
runs) plus the latest epoch, each one backward pass over the training data at that
epoch's weights, computed once and kept."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.formatting import format_number
from engine.gradients import LevelMagnitudes

from .plots import legend_brush
from .throttle import Throttled

MAX_CURVES = 8  # layers drawn at most (more would hide each other and take seconds)
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
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.readout = QLabel()
        self.readout.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.plot)
        layout.addWidget(self.readout)
        self.curves: list = []
        self._shown: list[int] = []
        self.samples: list[tuple[int, list[float]]] = []
        self._cache: dict = {}
        self._for = None
        throttled = Throttled(self.sample, 0.5, self, widget=self)
        controller.progress.connect(throttled)
        self.doc.network_edited.connect(throttled)
        self.doc.network_replaced.connect(throttled)

    def sample(self) -> None:
        """The magnitudes at every snapshot epoch and the latest one (cached)."""
        trainer = self.controller.trainer or self.controller.ensure_trainer()
        if trainer is None:
            return
        if self._for is not trainer:
            self._for, self._cache = trainer, {}
        compiled = trainer.snapshot()  # our own copy: loading thetas into it harms nobody
        magnitudes = LevelMagnitudes(compiled)
        points = [(s.epoch, s.theta) for s in trainer.snapshots]
        if not points or points[-1][0] != trainer.epoch:
            points.append((trainer.epoch, trainer.theta))
        samples = []
        for epoch, theta in points:
            key = (epoch, theta.tobytes())
            if key not in self._cache:
                self._cache[key] = magnitudes.at(
                    compiled, theta, trainer.X, trainer.Y, trainer.loss
                )
            samples.append((epoch, self._cache[key]))
        self.samples = samples
        if len(self._cache) > 4 * len(samples) + 64:  # thinned or rewound: forget the rest
            keep = {(e, t.tobytes()) for e, t in points}
            self._cache = {k: v for k, v in self._cache.items() if k in keep}
        self._draw()

    def _draw(self) -> None:
        levels = len(self.samples[-1][1])
        if levels == 0:
            return
        # a deep chain: the first and last layers and evenly spaced ones between
        shown = sorted(
            set(np.linspace(0, levels - 1, min(levels, MAX_CURVES)).round().astype(int).tolist())
        )
        if shown != self._shown:
            self._shown = shown
            self.plot.clear()
            self.plot.addLegend(offset=(-10, 10), brush=legend_brush())
            self.curves = [
                self.plot.plot(
                    [],
                    [],
                    pen=pg.mkPen(COLOURS[k % len(COLOURS)], width=2),
                    name=f"layer {i + 1}",
                    antialias=False,
                )
                for k, i in enumerate(shown)
            ]
        epochs = np.array([e for e, _ in self.samples], float)
        values = np.array([m for _, m in self.samples])
        for i, curve in zip(shown, self.curves, strict=True):
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
