"""Insight panel: the samples seen from two hidden neurons — where XOR becomes linearly
separable — with the output's decision line in that plane, following training."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engine.maps import hidden_space

from .throttle import Throttled


class HiddenSpacePanel(QWidget):
    def __init__(self, controller) -> None:
        super().__init__()
        self.controller = controller
        self.doc = controller.doc
        self.first, self.second = QComboBox(), QComboBox()
        row = QHBoxLayout()
        for label, combo in (("x", self.first), ("y", self.second)):
            row.addWidget(QLabel(label))
            row.addWidget(combo, 1)
            combo.activated.connect(lambda _i: self.refresh())
        self.plot = pg.PlotWidget()
        self.points = pg.ScatterPlotItem(size=9, pen=pg.mkPen("w", width=1.2))
        self.line = pg.PlotDataItem(
            [], [], pen=pg.mkPen("#222", width=2, style=pg.QtCore.Qt.PenStyle.DashLine)
        )
        self.plot.addItem(self.points)
        self.plot.addItem(self.line)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.plot)
        self.last_points = None
        self.last_line = None
        self._shape = None
        throttled = Throttled(self.refresh, 0.2, self, widget=self)
        for signal in (
            controller.progress,
            controller.state_changed,
            self.doc.network_edited,
            self.doc.network_replaced,
        ):
            signal.connect(throttled)

    def _fill(self) -> None:
        net = self.doc.network
        hidden = [n.id for n in net.neurons if n.kind == "hidden"]
        if tuple(hidden) == self._shape:
            return
        self._shape = tuple(hidden)
        for combo, default in ((self.first, 0), (self.second, 1)):
            combo.clear()
            for nid in hidden:
                combo.addItem(net.neuron(nid).name, nid)
            combo.setCurrentIndex(min(default, len(hidden) - 1))

    def refresh(self) -> None:
        self._fill()
        net = self.doc.network
        trainer = self.controller.trainer or self.controller.ensure_trainer()
        a, b = self.first.currentData(), self.second.currentData()
        if trainer is None or a is None or b is None or a == b:
            self.points.setData([])
            self.line.setData([], [])
            return
        points, line = hidden_space(net, trainer.X, a, b)
        self.last_points, self.last_line = points, line
        colours = [pg.mkBrush("#b85400" if t < 0.5 else "#164e87") for t in trainer.Y[0]]
        self.points.setData(points[:, 0], points[:, 1], brush=colours)
        if line is None:
            self.line.setData([], [])
        else:
            self.line.setData([line[0][0], line[1][0]], [line[0][1], line[1][1]])
        self.plot.setLabel("bottom", net.neuron(a).name)
        self.plot.setLabel("left", net.neuron(b).name)
