"""Insight panel: every weight and bias over the epochs (from the trainer's snapshots), the
pictures classic tutorials draw by hand. A filter picks the parameters into one neuron."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .gradients import COLOURS
from .plots import legend_brush
from .throttle import Throttled

ALL = "__all__"
MAX_CURVES = 40


class ParameterPanel(QWidget):
    def __init__(self, controller) -> None:
        super().__init__()
        self.controller = controller
        self.doc = controller.doc
        self.which = QComboBox()
        self.which.activated.connect(lambda _i: self.refresh())
        row = QHBoxLayout()
        row.addWidget(QLabel("Show"))
        row.addWidget(self.which, 1)
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "value")
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.addLegend(offset=(-10, 10), brush=legend_brush())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.plot)
        self.note = QLabel()
        layout.addWidget(self.note)
        self.shown: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._neurons: tuple = ()
        self._labels: list[str] | None = None
        self.curves: list = []
        throttled = Throttled(self.refresh, 0.5, self, widget=self)
        for signal in (controller.progress, self.doc.network_edited, self.doc.network_replaced):
            signal.connect(throttled)

    def _fill(self) -> None:
        net = self.doc.network
        targets = tuple(n.id for n in net.neurons if n.kind != "input")
        if targets == self._neurons:
            return
        self._neurons = targets
        current = self.which.currentData()
        self.which.clear()
        self.which.addItem("every weight and bias", ALL)
        for nid in targets:
            self.which.addItem(f"into {net.neuron(nid).name}", nid)
        self.which.setCurrentIndex(max(self.which.findData(current), 0))

    def refresh(self) -> None:
        self._fill()
        trainer = self.controller.trainer
        self.shown = {}
        if trainer is None or not len(trainer.snapshots):
            self._build([])
            return
        net = self.doc.network
        c = trainer.snapshot()  # for the layout of theta
        keep = self.which.currentData()
        items = [
            (f"w {net.neuron(s).name}→{net.neuron(t).name}", i)
            for (s, t), i in c.weight_index.items()
            if keep in (ALL, t)
        ]
        items += [
            (f"b {net.neuron(n).name}", i) for n, i in c.bias_index.items() if keep in (ALL, n)
        ]
        # every epoch, or an evenly thinned series on long runs, and the latest epoch
        points = [(s.epoch, s.theta) for s in trainer.snapshots]
        if points[-1][0] != trainer.epoch:
            points.append((trainer.epoch, trainer.theta))
        epochs = np.array([e for e, _ in points], float)
        thetas = np.array([theta for _, theta in points])
        if len(items) > MAX_CURVES:  # thousands of curves hide each other and take seconds
            self.note.setText(
                f"Showing {MAX_CURVES} of {len(items)} parameters: choose a neuron above."
            )
            items = items[:MAX_CURVES]
        else:
            self.note.setText("")
        self._build([label for label, _ in items])
        for (label, i), curve in zip(items, self.curves, strict=True):
            curve.setData(epochs, thetas[:, i])
            self.shown[label] = (epochs, thetas[:, i])

    def _build(self, labels: list[str]) -> None:
        """Curves are made once per choice of parameters, then only given new data."""
        if labels == self._labels:
            return
        self._labels = labels
        self.plot.clear()
        self.plot.addLegend(offset=(-10, 10), brush=legend_brush())
        legend = len(labels) <= 8  # more would hide the plot
        self.curves = [
            self.plot.plot(
                [],
                [],
                pen=pg.mkPen(COLOURS[k % len(COLOURS)], width=1.5),
                name=label if legend else None,
                antialias=False,
            )
            for k, label in enumerate(labels)
        ]
