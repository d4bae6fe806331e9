"""Canvas items (neurons, connections; their weight labels in ``weight_label``). They draw the model's state and report where the mouse is; they never
change the model (the scene turns gestures into commands)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QPaintEngine,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from engine.activations import get_activation
from engine.formatting import format_number

from .. import theme
from . import neuron_text
from .weight_label import WeightLabel

if TYPE_CHECKING:
    from .layer import ConnectionLayer

RADIUS = 28.0
HANDLE_RADIUS = 6.5
ARROW = 10.0
MAX_PEN = 7.0
WEIGHT_FOR_MAX_PEN = 8.0
THUMB = 44.0  # side of a neuron's activation map drawn above it
# Lines use flat caps: Qt's raster engine strokes a round-capped antialiased line about ten
# times slower (measured: 354 µs against 37 µs), which made large networks crawl.


class NeuronItem(QGraphicsItem):
    def __init__(self, neuron) -> None:
        super().__init__()
        self.neuron_id = neuron.id
        self.edges: list[ConnectionItem] = []
        self.target_state: str | None = None  # "valid" / "invalid" while connecting
        self.annotation: list[str] = []  # z, a, δ while stepping through training
        self.thumbnail: QImage | None = None  # its activation over the input space
        self.focus = False  # the neuron the current step is about
        self.text_side = "below"  # where its bias and z, a, δ go (see placement)
        # (side, type scale) → text block rect: Qt asks for boundingRect() thousands of
        # times per edit on a big canvas, and measuring the text is the dear part
        self._text_rects: dict[tuple[str, float], QRectF] = {}
        self._hover = False
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        # drawn once per zoom level and blitted after: text is the costly part of a repaint
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.update_from(neuron)

    def update_from(self, neuron) -> None:
        self.prepareGeometryChange()  # the bias's width may change
        self._text_rects.clear()
        self.kind = neuron.kind
        self.label = neuron.name
        self.activation = neuron.activation
        self.bias = neuron.bias
        self.setPos(QPointF(*neuron.position))
        self.update()

    def tooltip(self) -> str:
        if self.activation is None:
            return f"{self.label} (input)"
        return f"{self.label} ({self.kind}, {self.activation}, bias {format_number(self.bias, 6)})"

    # ------------------------------------------------------------ geometry
    def boundingRect(self) -> QRectF:
        above = THUMB + 14 if self.thumbnail is not None else 10
        side = RADIUS + 2 * HANDLE_RADIUS + 4
        body = QRectF(-side, -RADIUS - above, 2 * side, 2 * RADIUS + above + 10)
        return body.united(self.text_rect().adjusted(-2, -2, 2, 2))

    def body_rect(self) -> QRectF:
        """The neuron itself, a margin and its map (item coordinates): what no label may
        cover (the gold glow of the current step may pass under a label)."""
        m = RADIUS + 3
        top = m + (self.thumbnail_space() if self.thumbnail is not None else 0)
        return QRectF(-m, -top, 2 * m, top + m)

    def thumbnail_space(self) -> float:
        return THUMB + 8

    def text_rect(self, side: str | None = None) -> QRectF:
        """The bias and z, a, δ lines (item coordinates), on ``side`` or where they are."""
        key = (side or self.text_side, theme.scale())
        rect = self._text_rects.get(key)
        if rect is None:
            rect = self._text_rects[key] = neuron_text.block_rect(self, RADIUS, key[0])
        return QRectF(rect)  # callers may adjust theirs

    def set_text_side(self, side: str) -> None:
        if side != self.text_side:
            self.prepareGeometryChange()
            self.text_side = side
            self.update()

    def set_thumbnail(self, image: QImage | None) -> None:
        if image is None and self.thumbnail is None:
            return
        self.prepareGeometryChange()
        self.thumbnail = image
        self._text_rects.clear()
        self.update()
        scene = self.scene()
        if scene is not None and hasattr(scene, "schedule_placement"):
            scene.schedule_placement()

    def set_annotation(self, lines: list[str], focus: bool) -> None:
        if lines != self.annotation or focus != self.focus:
            self.prepareGeometryChange()
            self.annotation, self.focus = lines, focus
            self._text_rects.clear()
            self.update()

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), RADIUS + 2, RADIUS + 2)
        if self.has_handle:
            path.addEllipse(self.handle_centre(), HANDLE_RADIUS + 2, HANDLE_RADIUS + 2)
        return path

    @property
    def has_handle(self) -> bool:
        return self.kind != "output"

    def handle_centre(self) -> QPointF:
        return QPointF(RADIUS + HANDLE_RADIUS, 0)

    def on_handle(self, scene_pos: QPointF) -> bool:
        if not self.has_handle:
            return False
        d = self.mapFromScene(scene_pos) - self.handle_centre()
        return math.hypot(d.x(), d.y()) <= HANDLE_RADIUS + 3

    def edge_point(self, towards: QPointF) -> QPointF:
        """Where a line from the centre towards ``towards`` leaves the outline."""
        centre = self.scenePos()
        line = QLineF(centre, towards)
        if line.length() < 1e-6:
            return centre
        return line.pointAt(min(1.0, (RADIUS + 1) / line.length()))

    # ------------------------------------------------------------- drawing
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill, outline = theme.kind_colours(self.kind)
        selected = self.isSelected()
        pen = QPen(theme.selection_colour() if selected else outline, 3 if selected else 1.8)
        if self.target_state:
            pen = QPen(theme.VALID if self.target_state == "valid" else theme.INVALID, 3.5)
        if self.focus:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.FOCUS_GLOW)
            painter.drawEllipse(QPointF(0, 0), RADIUS + 9, RADIUS + 9)
        painter.setPen(pen)
        painter.setBrush(QBrush(fill))
        if self.kind == "input":
            r = RADIUS * 0.92
            painter.drawRoundedRect(QRectF(-r, -r, 2 * r, 2 * r), 9, 9)
        else:
            painter.drawEllipse(QPointF(0, 0), RADIUS, RADIUS)
            if self.kind == "output":
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(QPointF(0, 0), RADIUS - 4, RADIUS - 4)

        painter.setPen(theme.text_colour())
        if self.activation:
            painter.setFont(theme.font(12, bold=True))
            painter.drawText(
                QRectF(-RADIUS, -RADIUS + 4, 2 * RADIUS, RADIUS - 2),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                self.label,
            )
            painter.setFont(theme.font(9))
            painter.setPen(theme.muted_text_colour())
            symbol = get_activation(self.activation).symbol
            painter.drawText(
                QRectF(-RADIUS, 4, 2 * RADIUS, 16),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                symbol,
            )
        else:
            painter.setFont(theme.font(12, bold=True))
            painter.drawText(
                QRectF(-RADIUS, -RADIUS, 2 * RADIUS, 2 * RADIUS),
                Qt.AlignmentFlag.AlignCenter,
                self.label,
            )

        neuron_text.paint(self, painter, RADIUS)

        if self.thumbnail is not None:
            target = QRectF(-THUMB / 2, -RADIUS - THUMB - 8, THUMB, THUMB)
            _draw_image(painter, target, self.thumbnail)
            painter.setPen(QPen(outline, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(target)

        if self.has_handle and (self._hover or selected):
            painter.setPen(QPen(outline, 1.5))
            painter.setBrush(QBrush(theme.canvas_background()))
            painter.drawEllipse(self.handle_centre(), HANDLE_RADIUS, HANDLE_RADIUS)
            c = self.handle_centre()
            painter.drawLine(QLineF(c.x() - 3, c.y(), c.x() + 3, c.y()))
            painter.drawLine(QLineF(c.x(), c.y() - 3, c.x(), c.y() + 3))

    def set_target_state(self, state: str | None) -> None:
        if state != self.target_state:
            self.target_state = state
            self.update()

    # -------------------------------------------------------------- events
    def hoverEnterEvent(self, event) -> None:
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self._hover = False
        self.update()

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.adjust()
            scene = self.scene()
            if scene is not None and hasattr(scene, "schedule_placement"):
                scene.schedule_placement()
        return super().itemChange(change, value)


class ConnectionItem(QGraphicsItem):
    """An arrow from source to target: blue for a positive weight, orange for a negative
    one, wider for a larger magnitude. Geometry and pens are computed when the weight or an
    end moves, so painting thousands of connections stays a handful of calls each."""

    def __init__(self, conn, source: NeuronItem, target: NeuronItem) -> None:
        super().__init__()
        self.key = conn.key
        self.source, self.target = source, target
        source.edges.append(self)
        target.edges.append(self)
        self.weight = conn.weight
        self._line = QLineF()
        self.layer: ConnectionLayer | None = None  # set by the layer that draws it
        self.focus = False
        self.strength = 0.0  # |∂L/∂w| relative to the largest known, for the glow
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemHasNoContents  # the layer draws it
        )
        self.setZValue(0)
        self.label = WeightLabel(self)

    def detach(self) -> None:
        for end in (self.source, self.target):
            if self in end.edges:
                end.edges.remove(self)

    def update_from(self, conn) -> None:
        self.weight = conn.weight
        self.label.set_text(format_number(conn.weight, 3))
        self.adjust()

    def tooltip(self) -> str:
        text = f"{self.source.label} → {self.target.label}: weight {format_number(self.weight, 6)}"
        if self.label.crowded and self.label.extra:  # left off the canvas: said here
            text += f"\n{self.label.extra}"
        return text

    def set_annotation(self, weight_text: str, extra: str, focus: bool, strength: float) -> None:
        """While stepping: the weight as of the step, a second line (∂L/∂w, or old → new
        during the update), whether the step is about this connection, the glow."""
        self.label.set_text(weight_text, extra)
        if (focus, strength) != (self.focus, self.strength):
            self.focus, self.strength = focus, strength
            if self.layer is not None:
                self.layer.marks_changed()

    def pen_width(self) -> float:
        share = min(abs(self.weight), WEIGHT_FOR_MAX_PEN) / WEIGHT_FOR_MAX_PEN
        return 1.2 + (MAX_PEN - 1.2) * share

    def adjust(self) -> None:
        """Recompute the arrow after an end moved or the weight changed."""
        self.prepareGeometryChange()
        old_bounds = getattr(self, "_bounds", QRectF())
        a = self.source.edge_point(self.target.scenePos())
        b = self.target.edge_point(self.source.scenePos())
        self._line = line = QLineF(a, b)
        width = self.pen_width()
        head = ARROW + width
        self._colour = theme.weight_colour(self.weight)
        self._pen_width = width
        length = max(line.length(), 1e-9)
        self._shaft = QLineF(a, line.pointAt(max(0.0, 1 - head / length)))
        self._head = _arrow_head(line, b, head)
        extra = MAX_PEN + ARROW
        self._bounds = QRectF(a, b).normalized().adjusted(-extra, -extra, extra, extra)
        self.label.place(line)
        if self.layer is not None:
            self.layer.edge_changed(self, old_bounds)

    def line(self) -> QLineF:
        return self._line

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath(self._line.p1())
        path.lineTo(self._line.p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(max(12.0, self.pen_width() + 6))
        return stroker.createStroke(path)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        pass  # never called (ItemHasNoContents): ConnectionLayer paints every connection


def _draw_image(painter: QPainter, target: QRectF, image: QImage) -> None:
    """A bitmap, or in an SVG export one rectangle per pixel, so the figure stays vector."""
    engine = painter.paintEngine()
    if engine is None or engine.type() != QPaintEngine.Type.SVG:
        painter.drawImage(target, image)
        return
    w, h = image.width(), image.height()
    cw, ch = target.width() / w, target.height() / h
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    for y in range(h):
        for x in range(w):
            painter.setBrush(QColor(image.pixel(x, y)))
            # a hair wider than a pixel: no hairline gaps between rectangles in viewers
            painter.drawRect(QRectF(target.x() + x * cw, target.y() + y * ch, cw + 0.3, ch + 0.3))
    painter.restore()


def _arrow_head(line: QLineF, tip: QPointF, size: float) -> QPolygonF:
    angle = math.atan2(line.dy(), line.dx())
    left = QPointF(tip.x() - size * math.cos(angle - 0.4), tip.y() - size * math.sin(angle - 0.4))
    right = QPointF(tip.x() - size * math.cos(angle + 0.4), tip.y() - size * math.sin(angle + 0.4))
    return QPolygonF([tip, left, right])
