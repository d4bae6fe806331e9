"""Insight panel: the loss landscape through the weights the canvas shows.

One parameter: the curve L(p) with every other parameter at its current value, the current
point and the tangent of slope ∂L/∂p. Two: the loss as a heat map with contour lines, the
current point, the arrow of the next step −η·∇L, and the training path projected on the
two parameters. Both are slices through the current values of the other parameters, and
the panel says so. Every number comes from ``engine.landscape``, computed on the panel's
own compiled copy of the network."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from engine.formatting import format_number
from engine.landscape import (
    all_parameters,
    auto_span,
    flat_index,
    landscape,
    parameter_label,
    parameter_text,
    trajectory,
)
from engine.maps import contour_segments, pixel_rect

from ..numbers import NumberError, parse_number
from .plots import PLOT_INTERVAL
from .throttle import Throttled

NONE = "__none__"
CONTOURS = 12  # contour levels, at quantiles of the grid (valleys get their share)
LUT_SIZE = 65536
ARROW_MIN = 0.08  # an arrow shorter than this fraction of the span is drawn scaled up


class LandscapePanel(QWidget):
    STEPS = 61

    def __init__(self, controller) -> None:
        super().__init__()
        self.controller = controller
        self.doc = controller.doc
        self.x_combo, self.y_combo = QComboBox(), QComboBox()
        self.span_edit = QLineEdit()
        self.span_edit.setPlaceholderText("auto")
        self.span_edit.setMaximumWidth(70)
        self.span_edit.setToolTip("Half-width of each axis around the current value (empty: auto)")
        row = QHBoxLayout()
        for label, widget, stretch in (
            ("x", self.x_combo, 1),
            ("y", self.y_combo, 1),
            ("± span", self.span_edit, 0),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(widget, stretch)
        for combo in (self.x_combo, self.y_combo):
            combo.activated.connect(lambda _i: self.refresh())
        self.span_edit.editingFinished.connect(self.refresh)

        self.plot = pg.PlotWidget()
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.colours = pg.colormap.get("viridis")
        self.contours = pg.PlotCurveItem(
            pen=pg.mkPen(255, 255, 255, 150, width=1), connect="pairs"
        )
        self.curve = pg.PlotDataItem([], [], pen=pg.mkPen("#2b7bba", width=2))
        self.tangent = pg.PlotDataItem(
            [], [], pen=pg.mkPen("#d13b3b", width=1.5, style=Qt.PenStyle.DashLine)
        )
        self.path = pg.PlotDataItem(
            [],
            [],
            pen=pg.mkPen("#f0f0f0", width=1.5),
            symbol="o",
            symbolSize=3,
            symbolPen=None,
            symbolBrush="#f0f0f0",
        )
        self.start = pg.ScatterPlotItem(
            size=8, symbol="s", pen=pg.mkPen("#f0f0f0", width=1.5), brush=None
        )
        self.step_line = pg.PlotDataItem([], [], pen=pg.mkPen("#e9a912", width=2.5))
        self.step_head = pg.ArrowItem(
            headLen=12, tipAngle=35, brush="#e9a912", pen=pg.mkPen("#7a5500", width=1)
        )
        self.point = pg.ScatterPlotItem(
            size=11, pen=pg.mkPen("w", width=1.5), brush=pg.mkBrush("#d13b3b")
        )
        for item in (
            self.image,
            self.contours,
            self.curve,
            self.tangent,
            self.path,
            self.start,
            self.step_line,
            self.step_head,
            self.point,
        ):
            self.plot.addItem(item)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)

        self.landscape = None  # the last one drawn (for tests and screenshots)
        self.path_values: np.ndarray | None = None
        self.arrow_scale = 1.0
        self._parameters: tuple = ()
        self._by_key: dict = {}
        self.span_problem = ""
        self._placed = None
        self.on_screen = True  # until the dock says otherwise (set_on_screen)
        self._stale = False
        throttled = Throttled(self.refresh, PLOT_INTERVAL, self, widget=self)
        for signal in (
            controller.progress,
            controller.state_changed,
            self.doc.network_edited,
            self.doc.network_replaced,
        ):
            signal.connect(throttled)

    # ------------------------------------------------------------- choices
    def _fill(self) -> None:
        """Combo items carry a parameter's command-line spelling (``x1->h1``, ``b:y``):
        Qt compares plain strings, not Python tuples, when looking data up."""
        net = self.doc.network
        params = tuple(all_parameters(net))
        if params == self._parameters:
            return
        self._parameters = params
        self._by_key = {parameter_text(p): p for p in params}
        old_x, old_y = self.x_combo.currentData(), self.y_combo.currentData()
        self.x_combo.clear()
        self.y_combo.clear()
        self.y_combo.addItem("none: a curve", NONE)
        for p in params:
            self.x_combo.addItem(parameter_label(net, p), parameter_text(p))
            self.y_combo.addItem(parameter_label(net, p), parameter_text(p))
        # default: the first two weights (on a 2-2-1, two weights into the first hidden neuron)
        keys = list(self._by_key)
        x = old_x if old_x in self._by_key else (keys[0] if keys else None)
        y = (
            old_y
            if old_y in self._by_key or old_y == NONE
            else (keys[1] if len(keys) > 1 else NONE)
        )
        self.x_combo.setCurrentIndex(max(self.x_combo.findData(x), 0))
        self.y_combo.setCurrentIndex(max(self.y_combo.findData(y), 0))

    def choose(self, x, y=None) -> None:
        """Pick the parameters (as ("w", s, t) / ("b", n)); y None for the curve."""
        self._fill()
        self.x_combo.setCurrentIndex(self.x_combo.findData(parameter_text(x)))
        self.y_combo.setCurrentIndex(
            self.y_combo.findData(NONE if y is None else parameter_text(y))
        )
        self.refresh()

    def chosen(self) -> list:
        x = self._by_key.get(self.x_combo.currentData())
        y = self._by_key.get(self.y_combo.currentData())
        if x is None:
            return []
        return [x] if y is None or y == x else [x, y]

    def span(self) -> float | None:
        """The typed span, or None for automatic (also when the text is refused: then
        ``span_problem`` says why, and the caption shows it)."""
        self.span_problem = ""
        text = self.span_edit.text()
        if not text.strip():
            return None
        try:
            value = parse_number(text)
        except NumberError as e:
            self.span_problem = f"Span: {e}; the automatic span is shown. "
            return None
        if value <= 0:
            self.span_problem = "Span: it must be above 0; the automatic span is shown. "
            return None
        return value

    # --------------------------------------------------------------- drawing
    def _clear(self, text: str) -> None:
        self.landscape = None
        self.image.clear()
        for item in (self.contours, self.curve, self.tangent, self.path, self.step_line):
            item.setData([], [])
        self.point.setData([])
        self.start.setData([])
        self.step_head.setVisible(False)
        self.caption.setText(text)

    def set_on_screen(self, visible: bool) -> None:
        """The dock's tab was selected or left (``QDockWidget.visibilityChanged``): a dock
        tabbed out of sight stays "visible" to Qt, and a grid is not free, so the panel
        computes only while its tab is on screen and catches up when it comes back."""
        self.on_screen = visible
        if visible and self._stale:
            self.refresh()

    def refresh(self) -> None:
        if not self.on_screen:
            self._stale = True
            return
        self._stale = False
        self._fill()
        params = self.chosen()
        if not params:
            self._clear("No weights or biases to show.")
            return
        trainer = self.controller.trainer or self.controller.ensure_trainer()
        if trainer is None:
            self._clear("The network has no data to measure a loss on.")
            return
        net = self.doc.network
        compiled = net.compile()  # ours: the weights the canvas shows
        path = None
        if trainer.snapshots and len(params) == 2:
            epoch = self.controller.shown_epoch
            _, path = trajectory(compiled, trainer.snapshots, params, upto=epoch)
            now = compiled.theta[[flat_index(compiled, p) for p in params]]
            path = np.vstack([path, now[None, :]]) if len(path) else now[None, :]
        centre = compiled.theta[[flat_index(compiled, p) for p in params]]
        typed = self.span()
        spans = [
            typed if typed is not None else auto_span(v, None if path is None else path[:, k])
            for k, v in enumerate(centre)
        ]
        land = landscape(net, trainer.X, trainer.Y, params, spans, self.STEPS, compiled=compiled)
        self.landscape = land
        self.path_values = path
        names = [parameter_label(net, p) for p in params]
        self.plot.setLabel("bottom", names[0])
        if len(params) == 1:
            self._draw_curve(land, names)
        else:
            self._draw_grid(land, names, path)
        if self.span_problem:
            self.caption.setText(self.span_problem + self.caption.text())

    def _draw_curve(self, land, names) -> None:
        self.image.clear()
        self.contours.setData([], [])
        self.path.setData([], [])
        self.start.setData([])
        self.step_line.setData([], [])
        self.step_head.setVisible(False)
        xs, values = land.axes[0], land.losses
        finite = np.isfinite(values)
        self.curve.setData(xs[finite], values[finite])
        x0, g, value = float(land.centre[0]), float(land.gradient[0]), land.loss
        half = (xs[-1] - xs[0]) / 6
        self.tangent.setData([x0 - half, x0 + half], [value - g * half, value + g * half])
        self.point.setData([x0], [value])
        self.plot.setLabel("left", f"loss L ({self.doc.network.training.loss})")
        low, high = (
            (float(values[finite].min()), float(values[finite].max())) if finite.any() else (0, 1)
        )
        pad = 0.05 * (high - low) if high > low else 0.5
        self.plot.setRange(xRange=(xs[0], xs[-1]), yRange=(low - pad, high + pad), padding=0)
        f = format_number
        self.caption.setText(
            f"A slice through the current values of every other parameter. L = {f(value, 4)} "
            f"at {f(x0, 4)}; dashed: the tangent, slope ∂L/∂p = {f(g, 4)}; the next step "
            f"moves it by −η·∂L/∂p = {f(-land.learning_rate * g, 4)}."
        )

    def _draw_grid(self, land, names, path) -> None:
        self.curve.setData([], [])
        self.tangent.setData([], [])
        grid = land.losses
        finite = np.isfinite(grid)
        if not finite.any():
            self._clear("The loss is not finite anywhere on this grid: choose a smaller span.")
            return
        lo, hi = float(grid[finite].min()), float(grid[finite].max())
        self.levels = None
        img = np.where(finite, grid, hi)
        # colours by rank (each shade covers an equal share of the grid), through a lookup
        # table fine enough for a valley only a thousandth of the range deep: a loss surface
        # is mostly plateau and cliff, which linear colours show as one shade and a corner
        levels = (lo, hi if hi > lo else lo + 1.0)
        at = np.linspace(levels[0], levels[1], LUT_SIZE)
        ranked = np.sort(img[finite])
        shade = np.interp(at, ranked, np.linspace(0.0, 1.0, len(ranked)))
        self.image.setLookupTable(self.colours.map(shade, mode="byte"))
        self.image.setImage(img, levels=levels)
        self.levels = levels
        extent = land.extent
        rect = pixel_rect(extent, self.STEPS)
        if rect != self._placed:
            self.image.setRect(*rect)
            self._placed = rect
        if hi > lo:
            levels = np.unique(np.quantile(img[finite], np.linspace(0, 1, CONTOURS + 2)[1:-1]))
            segments = [contour_segments(img, float(v), extent) for v in levels]
            seg = np.concatenate(segments)
            self.contours.setData(seg[..., 0].ravel(), seg[..., 1].ravel())
        else:
            self.contours.setData([], [])
        if path is not None and len(path) > 1:
            self.path.setData(path[:, 0], path[:, 1])
            self.start.setData([path[0, 0]], [path[0, 1]])
        else:
            self.path.setData([], [])
            self.start.setData([])
        self.plot.setLabel("left", names[1])
        self.plot.setRange(xRange=(extent[0], extent[1]), yRange=(extent[2], extent[3]), padding=0)
        cx, cy = (float(v) for v in land.centre)
        self.point.setData([cx], [cy])
        step = land.step
        spans = np.array([extent[1] - extent[0], extent[3] - extent[2]]) / 2
        length = float(np.hypot(*(step / spans)))  # in fractions of the spans
        scale = 1.0
        if 0 < length < ARROW_MIN:
            scale = 10.0 ** math.ceil(math.log10(ARROW_MIN / length))
        self.arrow_scale = scale
        tip = (cx + scale * step[0], cy + scale * step[1])
        if length > 0 and np.isfinite(length):
            self.step_line.setData([cx, tip[0]], [cy, tip[1]])
            self.step_head.setPos(*tip)
            self.step_head.setVisible(True)
            self._aim_arrow(step)
        else:
            self.step_line.setData([], [])
            self.step_head.setVisible(False)
        f = format_number
        scaled = f", drawn ×{scale:g}" if scale != 1 else ""
        self.caption.setText(
            f"A slice through the current values of every other parameter. L = "
            f"{f(land.loss, 4)} (colours by rank: {f(lo, 3)} dark to {f(hi, 3)} yellow), "
            f"∇L = ({f(land.gradient[0], 3)}, {f(land.gradient[1], 3)}). White: training's "
            f"path from □; gold: the next step −η·∇L{scaled}."
        )

    def _aim_arrow(self, step) -> None:
        """ArrowItem angles are in screen degrees (0 points left): convert the step's
        direction through the view's current pixel size."""
        px, py = self.plot.getViewBox().viewPixelSize()
        if not (px > 0 and py > 0):
            px = py = 1.0
        dx, dy = step[0] / px, -step[1] / py  # screen y grows downwards
        self.step_head.setStyle(angle=180.0 + math.degrees(math.atan2(dy, dx)))
