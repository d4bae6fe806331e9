"""One item that paints every connection (see ConnectionLayer)."""

from __future__ import annotations

import zlib

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from .. import theme
from .items import MAX_PEN, ConnectionItem

BUCKETS = 16  # batches per colour and width: an edit rebuilds one, a sixteenth of them


def _marked(edge: ConnectionItem) -> bool:
    """Drawn with a halo or a selection glow (see ConnectionLayer._mark)."""
    return edge.focus or edge.strength > 0 or edge.isSelected()


class _Batch:
    """The connections of one colour, width and bucket: one drawLines and one fillPath,
    rebuilt only when one of them changed."""

    __slots__ = ("colour", "edges", "heads", "lines", "pen")

    def __init__(self, colour: QColor, width: float) -> None:
        self.colour = colour
        self.pen = QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)
        self.edges: dict[tuple[str, str], ConnectionItem] = {}
        self.lines: list[QLineF] | None = None
        self.heads: QPainterPath | None = None

    def build(self) -> None:
        self.lines, self.heads = [], QPainterPath()
        for edge in self.edges.values():
            if edge._line.length() >= 1:
                self.lines.append(edge._shaft)
                self.heads.addPolygon(edge._head)


class ConnectionLayer(QGraphicsItem):
    """Paints all connections at once: one drawLines and one fillPath per batch instead of
    one Python paint call per connection (5,000 connections: ~10× faster). A connection
    added, removed or changed (its weight, an end moved) rebuilds its own batch only, so
    an edit on a big canvas costs a fraction of a full rebuild."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(0)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.edges: dict[tuple[str, str], ConnectionItem] = {}
        self._batch_of: dict[tuple[str, str], tuple] = {}
        self._batches: dict[tuple, _Batch] = {}
        # grows with the connections; a removed one's area stays in (only the paint
        # culling reads it, and a full ``changed()`` recomputes it)
        self._bounds = QRectF()
        self._marks: tuple[list, list] | None = None  # (halos, glow lines), see _mark

    def add(self, edge: ConnectionItem) -> None:
        self.edges[edge.key] = edge
        edge.layer = self
        self._file(edge)

    def remove(self, edge: ConnectionItem) -> None:
        if self.edges.pop(edge.key, None) is not None:
            self._unfile(edge)
        edge.layer = None
        if _marked(edge):
            self._marks = None
        self.update(edge._bounds)

    def edge_changed(self, edge: ConnectionItem, old_bounds: QRectF) -> None:
        """Its geometry, colour or width changed."""
        self.update(old_bounds)
        self._unfile(edge)
        self._file(edge)

    def marks_changed(self) -> None:
        """Selection, the current step's focus or the gradient glow changed: no batch
        changes, only the few marked connections drawn under them."""
        self._marks = None
        self.update()

    def changed(self) -> None:
        """Everything again (bounds included)."""
        for batch in self._batches.values():
            batch.lines = None
        self._marks = None
        self.prepareGeometryChange()
        self._bounds = QRectF()
        for edge in self.edges.values():
            self._bounds = self._bounds.united(edge._bounds)
        self.update()

    def _file(self, edge: ConnectionItem) -> None:
        width = round(edge._pen_width * 4) / 4
        # crc32, not hash(): str hashes differ between runs, and the batches' order is
        # the drawing order where lines of different colours cross
        bucket = zlib.crc32("\0".join(edge.key).encode()) % BUCKETS
        key = (edge._colour.rgba(), width, bucket)
        batch = self._batches.get(key)
        if batch is None:
            batch = self._batches[key] = _Batch(QColor(edge._colour), width)
        batch.edges[edge.key] = edge
        batch.lines = None
        self._batch_of[edge.key] = key
        if _marked(edge):
            self._marks = None
        if not self._bounds.contains(edge._bounds):
            self.prepareGeometryChange()
            self._bounds = self._bounds.united(edge._bounds)
        self.update(edge._bounds)

    def _unfile(self, edge: ConnectionItem) -> None:
        key = self._batch_of.pop(edge.key, None)
        if key is None:
            return
        batch = self._batches[key]
        batch.edges.pop(edge.key, None)
        batch.lines = None
        if not batch.edges:
            del self._batches[key]

    def drawn(self) -> dict[tuple[str, str], tuple[int, float, QLineF]]:
        """What the next paint draws for each connection: (colour as RGBA, pen width,
        shaft). For tests: the batches must hold exactly the connections as they are."""

        def ends(line: QLineF) -> tuple[float, float, float, float]:
            return line.x1(), line.y1(), line.x2(), line.y2()

        out = {}
        for batch in self._batches.values():
            if batch.lines is None:
                batch.build()
            drawn = sorted(map(ends, batch.lines))
            edges = [(k, e) for k, e in batch.edges.items() if e._line.length() >= 1]
            if drawn != sorted(ends(e._shaft) for _k, e in edges):
                continue  # a stale batch: none of its connections counts as drawn
            for key, edge in edges:
                out[key] = (batch.colour.rgba(), batch.pen.widthF(), QLineF(edge._shaft))
        return out

    def boundingRect(self) -> QRectF:
        return self._bounds

    def _mark(self) -> tuple[list, list]:
        """The halos (the current step's connection, the gradient glow while stepping)
        and the selected connections' glow."""
        halos, glow = [], []
        for edge in self.edges.values():
            if edge._line.length() < 1:
                continue
            if edge.focus or edge.strength > 0:
                colour = QColor(theme.HIGHLIGHT if edge.focus else theme.GRADIENT)
                colour.setAlphaF(0.85 if edge.focus else 0.15 + 0.6 * edge.strength)
                width = MAX_PEN + 8 if edge.focus else 4 + 10 * edge.strength
                pen = QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
                halos.append((pen, edge._line))
            if edge.isSelected():
                glow.append(edge._line)
        return halos, glow

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._marks is None:
            self._marks = self._mark()
        halos, glow = self._marks
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for pen, line in halos:  # only while stepping: a handful of connections
            painter.setPen(pen)
            painter.drawLine(line)
        if glow:
            painter.setPen(QPen(theme.selection_colour(), MAX_PEN + 4))
            painter.drawLines(glow)
        batches = self._batches.values()
        for batch in batches:
            if batch.lines is None:
                batch.build()
            painter.setPen(batch.pen)
            painter.drawLines(batch.lines)
        # arrowheads a few pixels wide need no antialiasing (it halves the paint time)
        zoomed_out = option.levelOfDetailFromTransform(painter.worldTransform()) < 0.5
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, not zoomed_out)
        for batch in batches:
            painter.fillPath(batch.heads, batch.colour)
