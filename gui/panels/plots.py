"""pyqtgraph panels: the loss and accuracy over epochs with a time-travel slider, and the
decision regions over the input space. Plot items are created once and updated with
setData / setImage."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from engine.datasets import dataset_from_spec, split_indices
from engine.formatting import format_number
from engine.maps import contour_segments, data_extent, neuron_map, pixel_rect
from engine.settings import DatasetSpec

from ..commands import SetDataset
from .throttle import Throttled

pg.setConfigOptions(antialias=True, background="w", foreground="#333")
PLOT_INTERVAL = 0.2  # seconds: plots redraw at most 5 times a second while training


class LossPanel(QWidget):
    def __init__(self, controller) -> None:
        super().__init__()
        self.controller = controller
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss")
        self.plot.addLegend(offset=(-10, 10), brush=pg.mkBrush(255, 255, 255, 210))
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
        self.slider = QSlider(Qt.Orientation.Horizontal)
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
        epochs = np.arange(1, len(h.loss) + 1)
        self.train_curve.setData(epochs, np.asarray(h.loss))
        self.test_curve.setData(epochs[: len(h.test_loss)], np.asarray(h.test_loss))
        self.acc_curve.setData(epochs, np.asarray(h.accuracy))
        shown = self.controller.shown_epoch
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setRange(0, t.epoch)
            self.slider.setValue(shown)
            self.slider.blockSignals(False)
        self.marker.setValue(shown)
        self.marker.show()
        k = max(shown, 1) - 1  # the loss measured during epoch `shown`
        f = format_number
        test = f", test loss {f(h.test_loss[k], 4)}" if len(h.test_loss) > k else ""
        text = f"Epoch {shown}: loss {f(h.loss[k], 4)}, accuracy {100 * h.accuracy[k]:.1f} %{test}"
        if shown < t.epoch:
            text += (
                f" — viewing the past ({t.epoch} trained): Play or Step continues from "
                f"here and drops the {t.epoch - shown} later epochs"
            )
        self.readout.setText(text)

    def _slider_moved(self, epoch: int) -> None:
        """Dragging (or the arrow keys) previews the epoch under the slider."""
        self.controller.preview(epoch)


class DecisionMap(QWidget):
    """An output's value over two chosen inputs (any others held by sliders), the 0.5
    contour, and the data: training points filled, test points outlined."""

    RESOLUTION = 120

    def __init__(self, controller) -> None:
        super().__init__()
        self.controller = controller
        self.doc = controller.doc
        self.plot = pg.PlotWidget()
        for side in ("bottom", "left"):  # inputs are read as they are, never as "×0.001"
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        # TensorFlow Playground's diverging map: orange for 0, white at 0.5, blue for 1
        cmap = pg.ColorMap([0.0, 0.5, 1.0], ["#e8822a", "#f7f7f7", "#2b7bba"])
        self.image.setLookupTable(cmap.getLookupTable(nPts=256))
        self.plot.addItem(self.image)
        # the 0.5 line, in input-space coordinates like the points (engine's marching squares)
        self.contour = pg.PlotCurveItem(pen=pg.mkPen("#222", width=2), connect="pairs")
        self.plot.addItem(self.contour)
        # points in deeper shades than the regions, ringed in white, so they show on both
        self.points = pg.ScatterPlotItem(size=10, pen=pg.mkPen("w", width=1.5))
        self.plot.addItem(self.points)
        self.add_class = QComboBox()
        self.add_class.addItems(["class 0 (orange)", "class 1 (blue)"])
        hint = QLabel("Click to add a point of")
        hint.setToolTip("Left-click on the map adds a point; right-click removes the nearest")
        row = QHBoxLayout()
        row.addWidget(hint)
        row.addWidget(self.add_class)
        row.addStretch(1)
        self.x_combo, self.y_combo, self.out_combo = QComboBox(), QComboBox(), QComboBox()
        choose = QHBoxLayout()
        for label, combo in (
            ("x", self.x_combo),
            ("y", self.y_combo),
            ("showing", self.out_combo),
        ):
            choose.addWidget(QLabel(label))
            choose.addWidget(combo, 1)
            combo.activated.connect(lambda _i: self._choice_changed())
        self.choices = QWidget()
        self.choices.setLayout(choose)
        self.sliders_box = QFormLayout()
        self.sliders: dict[int, QSlider] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.choices)
        layout.addLayout(self.sliders_box)
        layout.addWidget(self.plot)
        layout.addLayout(row)
        self._shape: tuple = ()
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        throttled = Throttled(self.refresh_image, PLOT_INTERVAL, self, widget=self)
        controller.progress.connect(throttled)
        controller.state_changed.connect(throttled)
        self.doc.network_edited.connect(self.refresh)
        self.doc.network_replaced.connect(self.refresh)
        self.last_image: np.ndarray | None = None
        self.extent = None
        self._placed = None
        self.refresh()

    def _network_key(self) -> tuple:
        return (id(self.doc.network), self.doc.network.structure_revision)

    def refresh(self) -> None:
        """Points, axes and extent (when the network or its dataset changes), and the map."""
        net = self.doc.network
        self._built_for = self._network_key()
        self.extent = None
        if not net.inputs or not net.outputs or net.dataset is None:
            self.image.clear()
            self.contour.setData([], [])
            self.plot.setRange(xRange=(0, 1), yRange=(0, 1))  # an empty map: plain axes
            self.points.setData([])
            return
        try:
            data = dataset_from_spec(net.dataset, net.inputs, net.outputs)
        except ValueError:
            return
        self._build_choices(data)
        i, j = self.axes
        names = [net.neuron(n).name for n in net.inputs]
        columns = data.inputs[:, [i, j]] if j is not None else data.inputs[:, [i]]
        self.extent = data_extent(columns)
        self.plot.setLabel("bottom", names[i])
        self.plot.setLabel("left", names[j] if j is not None else "")
        xs = data.inputs[:, i]
        ys = data.inputs[:, j] if j is not None else np.zeros(len(data))
        test = np.zeros(len(data), bool)
        if net.dataset.test_fraction > 0:
            test[
                split_indices(len(data), net.dataset.test_fraction, net.dataset.split_seed)[1]
            ] = True
        dark = ["#b85400" if t < 0.5 else "#164e87" for t in data.targets[:, 0]]
        # training points filled, test points outlined in their class colour
        brushes = [
            pg.mkBrush("w") if is_test else pg.mkBrush(c)
            for c, is_test in zip(dark, test, strict=True)
        ]
        pens = [
            pg.mkPen(c, width=2) if is_test else pg.mkPen("w", width=1.5)
            for c, is_test in zip(dark, test, strict=True)
        ]
        self.points.setData(xs, ys, brush=brushes, pen=pens)
        self.refresh_image()

    # ------------------------------------------------------- what is shown
    def _build_choices(self, data) -> None:
        """Combos for the axes and the output, sliders for the other inputs: rebuilt only
        when the network's inputs or outputs change."""
        net = self.doc.network
        shape = (tuple(net.inputs), tuple(net.outputs))
        if shape == self._shape:
            return
        self._shape = shape
        self._data_range = (data.inputs.min(axis=0), data.inputs.max(axis=0))
        names = [net.neuron(n).name for n in net.inputs]
        for combo, default in ((self.x_combo, 0), (self.y_combo, 1)):
            combo.clear()
            for k, name in enumerate(names):
                combo.addItem(name, k)
            combo.setCurrentIndex(min(default, len(names) - 1))
        self.out_combo.clear()
        for nid in net.outputs:
            self.out_combo.addItem(net.neuron(nid).name, nid)
        self.choices.setVisible(len(names) > 2 or len(net.outputs) > 1)
        self._rebuild_sliders()

    def _rebuild_sliders(self) -> None:
        while self.sliders_box.rowCount():
            self.sliders_box.removeRow(0)
        self.sliders = {}
        net = self.doc.network
        i, j = self.axes
        for k, nid in enumerate(net.inputs):
            if k in (i, j):
                continue
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(0, 100)
            slider.setValue(50)
            slider.valueChanged.connect(lambda _v: self.refresh_image())
            self.sliders[k] = slider
            self.sliders_box.addRow(f"{net.neuron(nid).name} =", slider)

    @property
    def axes(self) -> tuple[int, int | None]:
        i = self.x_combo.currentData() or 0
        j = self.y_combo.currentData()
        if len(self.doc.network.inputs) < 2:
            return i, None
        return i, (j if j is not None and j != i else (1 if i == 0 else 0))

    def fixed(self) -> np.ndarray:
        """Values of the inputs not on an axis: each slider spans its column's range."""
        n = len(self.doc.network.inputs)
        values = np.zeros(n)
        lo, hi = self._data_range if n else (np.zeros(0), np.zeros(0))
        for k, slider in self.sliders.items():
            values[k] = lo[k] + (hi[k] - lo[k]) * slider.value() / 100
        return values

    def _choice_changed(self) -> None:
        self._rebuild_sliders()
        self.refresh()

    # ---------------------------------------------------------- editing data
    def _clicked(self, event) -> None:
        if self.extent is None:
            return
        p = self.plot.plotItem.vb.mapSceneToView(event.scenePos())
        x0, x1, y0, y1 = self.extent
        if not (x0 <= p.x() <= x1 and y0 <= p.y() <= y1):
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self.add_point(p.x(), p.y(), float(self.add_class.currentIndex()))
        elif event.button() == Qt.MouseButton.RightButton:
            self.remove_point_near(p.x(), p.y())
        event.accept()

    def _rows(self):
        """The dataset as editable rows (generated data becomes the file's own rows)."""
        net = self.doc.network
        data = dataset_from_spec(net.dataset, net.inputs, net.outputs)
        return data.inputs.tolist(), data.targets.tolist()

    def add_point(self, x: float, y: float, label: float) -> None:
        net = self.doc.network
        if len(net.inputs) != 2 or len(net.outputs) != 1:
            self.controller.message.emit(
                "Points can be added on a map of two inputs and one output."
            )
            return
        inputs, targets = self._rows()
        spec = DatasetSpec(inputs=[*inputs, [x, y]], targets=[*targets, [label]])
        spec.test_fraction, spec.split_seed = net.dataset.test_fraction, net.dataset.split_seed
        self.doc.undo_stack.push(SetDataset(self.doc, spec, "Add a data point"))

    def remove_point_near(self, x: float, y: float) -> None:
        net = self.doc.network
        inputs, targets = self._rows()
        if not inputs or len(net.inputs) != 2:
            return
        x0, x1, y0, y1 = self.extent
        d = [((px - x) / (x1 - x0)) ** 2 + ((py - y) / (y1 - y0)) ** 2 for px, py in inputs]
        i = int(np.argmin(d))
        if d[i] > 0.03**2 or len(inputs) == 1:  # only a point under the cursor
            return
        spec = DatasetSpec(
            inputs=inputs[:i] + inputs[i + 1 :], targets=targets[:i] + targets[i + 1 :]
        )
        spec.test_fraction, spec.split_seed = net.dataset.test_fraction, net.dataset.split_seed
        self.doc.undo_stack.push(SetDataset(self.doc, spec, "Remove a data point"))

    def refresh_image(self) -> None:
        """Per frame while training: one vectorised evaluation of the grid."""
        if self._built_for != self._network_key():  # a signal about another network came first
            self.refresh()
            return
        if self.extent is None:
            return
        compiled = self.doc.network.compile()  # the weights the canvas shows; our own copy
        i, j = self.axes
        img = neuron_map(
            compiled,
            self.extent,
            self.RESOLUTION,
            neuron=self.out_combo.currentData(),
            axes=(i, j if j is not None else i),
            fixed=self.fixed(),
        )
        self.last_image = img
        self.image.setImage(img, levels=(0.0, 1.0))
        if self._placed != self.extent:  # moving the image re-lays the axes: only when needed
            self._placed = self.extent
            self.image.setRect(*pixel_rect(self.extent, self.RESOLUTION))
        segments = contour_segments(img, 0.5, self.extent)
        self.contour.setData(segments[..., 0].ravel(), segments[..., 1].ravel())
