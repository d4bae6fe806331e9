"""The decision regions over two inputs: a two-class map (orange → white → blue) with
its 0.5 contour, a K-class map (each pixel in its arg-max class's colour, paler where
that class is less certain, with the boundaries and a legend), or for regression the
continuous output on a diverging scale with a colour bar. The pixels come from the
engine (``engine.maps``); the data points are drawn in their class or target colours."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from engine.datasets import dataset_from_spec, split_indices
from engine.maps import (
    class_boundaries,
    class_regions,
    contour_segments,
    data_extent,
    neuron_map,
    output_maps,
    pixel_rect,
)
from engine.settings import DatasetSpec
from engine.tasks import Task, class_names, task_of

from ..commands import SetDataset
from ..theme import canvas_background, is_dark
from .map_colours import (
    BINARY_POINTS,
    class_colour,
    class_image,
    diverging_colours,
    symmetric_range,
)
from .plots import PLOT_INTERVAL
from .throttle import Throttled


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
        # (on a dark palette the undecided middle is dark, like the rest of the window)
        self.binary_lut = pg.ColorMap(
            [0.0, 0.5, 1.0], diverging_colours(is_dark())
        ).getLookupTable(nPts=256)
        self.image.setLookupTable(self.binary_lut)
        self.plot.addItem(self.image)
        self.task = Task.BINARY
        self.colour_bar: pg.ColorBarItem | None = None  # regression only
        self.legend = QLabel()  # K classes: a swatch and a name for each
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.legend.hide()
        # the 0.5 line, in input-space coordinates like the points (engine's marching squares)
        line = "#dddddd" if is_dark() else "#222222"  # boundaries stand out on either palette
        self.contour = pg.PlotCurveItem(pen=pg.mkPen(line, width=2), connect="pairs")
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
        layout.addWidget(self.legend)
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
            self._placed = None
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
        self._set_task(task_of(data.targets), data)
        dark = self._point_colours(data.targets)
        # training points filled, test points outlined in their class colour
        brushes = [
            pg.mkBrush("w") if is_test else pg.mkBrush(c)
            for c, is_test in zip(dark, test, strict=True)
        ]
        if self.task is Task.REGRESSION:
            # targets near 0 are near white: every point filled with its target's colour,
            # ringed in grey (training) or black (test)
            brushes = [pg.mkBrush(c) for c in dark]
            pens = [pg.mkPen("#000" if t else "#777", width=2 if t else 1.2) for t in test]
        else:
            pens = [
                pg.mkPen(c, width=2) if is_test else pg.mkPen("w", width=1.5)
                for c, is_test in zip(dark, test, strict=True)
            ]
        self.points.setData(xs, ys, brush=brushes, pen=pens)
        self.refresh_image()

    def _set_task(self, task: Task, data) -> None:
        """Switch the map between two classes, K classes and regression."""
        net = self.doc.network
        self.task = task
        if task is Task.REGRESSION:
            self.regression_range = symmetric_range(data.targets[:, 0])
        classes = data.targets.shape[1] if task is Task.CLASSES else 2
        names = class_names(net, classes) if task is Task.CLASSES else ["0", "1"]
        self.class_names = names
        if task is Task.CLASSES:
            swatches = "  ".join(
                f'<span style="color:{class_colour(k)}">■</span>&nbsp;{html.escape(n)}'
                for k, n in enumerate(names)
            )
            self.legend.setText(swatches)
        self.legend.setVisible(task is Task.CLASSES)
        items = (
            [f"class {n}" for n in names]
            if task is Task.CLASSES
            else ["class 0 (orange)", "class 1 (blue)"]
        )
        if [self.add_class.itemText(k) for k in range(self.add_class.count())] != items:
            self.add_class.clear()
            self.add_class.addItems(items)
        self.add_class.setEnabled(task is not Task.REGRESSION)
        self.out_combo.setEnabled(task is not Task.CLASSES)  # the class map shows them all
        if task is Task.REGRESSION:
            self._show_colour_bar()
        elif self.colour_bar is not None:
            self.colour_bar.hide()

    def _show_colour_bar(self) -> None:
        r = self.regression_range
        cmap = pg.ColorMap([0.0, 0.5, 1.0], diverging_colours(is_dark()))
        if self.colour_bar is None:
            self.colour_bar = pg.ColorBarItem(
                values=(-r, r), colorMap=cmap, interactive=False, width=14
            )
            self.colour_bar.setImageItem(self.image, insert_in=self.plot.plotItem)
        self.colour_bar.setColorMap(cmap)
        self.colour_bar.setLevels((-r, r))
        self.colour_bar.show()

    def _point_colours(self, targets: np.ndarray) -> list[str]:
        if self.task is Task.CLASSES:
            return [class_colour(k) for k in targets.argmax(axis=1)]
        if self.task is Task.REGRESSION:
            r = self.regression_range
            cmap = pg.ColorMap([0.0, 0.5, 1.0], [BINARY_POINTS[0], "#ffffff", BINARY_POINTS[1]])
            shades = cmap.map((np.clip(targets[:, 0] / r, -1, 1) + 1) / 2, mode="qcolor")
            return [c.name() for c in shades]
        return [BINARY_POINTS[0] if t < 0.5 else BINARY_POINTS[1] for t in targets[:, 0]]

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
        """A point of class ``label`` (0, 1, … K − 1) at (x, y)."""
        net = self.doc.network
        if self.task is Task.REGRESSION:
            self.controller.message.emit(
                "Points are added to classification data; regression targets are numbers "
                "(edit them in the data table's rows)."
            )
            return
        if len(net.inputs) != 2 or (self.task is Task.BINARY and len(net.outputs) != 1):
            self.controller.message.emit(
                "Points can be added on a map of two inputs and one output (or K classes)."
            )
            return
        inputs, targets = self._rows()
        if self.task is Task.CLASSES:
            target = [float(k == int(label)) for k in range(len(net.outputs))]
        else:
            target = [label]
        spec = DatasetSpec(inputs=[*inputs, [x, y]], targets=[*targets, target])
        spec.class_names = net.dataset.class_names
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
        spec.class_names = net.dataset.class_names
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
        if self.task is Task.CLASSES and compiled.n_outputs > 1:
            self._class_image(compiled, (i, j if j is not None else i))
            return
        img = neuron_map(
            compiled,
            self.extent,
            self.RESOLUTION,
            neuron=self.out_combo.currentData(),
            axes=(i, j if j is not None else i),
            fixed=self.fixed(),
        )
        self.last_image = img
        if self.task is Task.REGRESSION:
            r = self.regression_range
            self.image.setLookupTable(None)
            self.image.setImage(img, levels=(-r, r))
            self._show_colour_bar()
            self.contour.setData([], [])
        else:
            self.image.setLookupTable(self.binary_lut)
            self.image.setImage(img, levels=(0.0, 1.0))
            segments = contour_segments(img, 0.5, self.extent)
            self.contour.setData(segments[..., 0].ravel(), segments[..., 1].ravel())
        self._place()

    def _place(self) -> None:
        """The image over the extent, and the view on it (the empty map's fixed range
        turned auto-ranging off: every new extent sets the view itself)."""
        if self._placed != self.extent:  # moving the image re-lays the axes: only when needed
            self._placed = self.extent
            rect = pixel_rect(self.extent, self.RESOLUTION)
            self.image.setRect(*rect)
            x, y, w, h = rect
            self.plot.setRange(xRange=(x, x + w), yRange=(y, y + h), padding=0)

    def _class_image(self, compiled, axes: tuple[int, int]) -> None:
        """Every output at once; each pixel its arg-max class, paler where less certain."""
        probabilities = output_maps(
            compiled, self.extent, self.RESOLUTION, axes=axes, fixed=self.fixed()
        )
        self.last_probabilities = probabilities
        winner, confidence = class_regions(probabilities)
        background = canvas_background().name() if is_dark() else "#ffffff"
        rgba = class_image(winner, confidence, background)
        self.last_image = rgba
        self.image.setLookupTable(None)
        self.image.setImage(rgba, autoLevels=False, levels=(0, 255))
        segments = class_boundaries(probabilities, self.extent)
        self.contour.setData(segments[..., 0].ravel(), segments[..., 1].ravel())
        self._place()
