"""A connection's weight label: a small plate on its line, placed by ``placement``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from .. import theme

if TYPE_CHECKING:
    from .items import ConnectionItem

MIN_LABEL_ZOOM = 0.55  # below this zoom, weight labels would be under 6 px tall


class WeightLabel(QGraphicsItem):
    """The weight written near the middle of its connection, on a small opaque plate.

    It sits a third of the way from source to target: on a 2-2-1 or 2-3-1 network the
    crossing connections then have their labels well apart on either side of the crossing,
    and labels of connections from one source spread out as their lines do."""

    POSITION = 0.32

    def __init__(self, edge: ConnectionItem) -> None:
        super().__init__(edge)
        self.edge = edge
        self.text = ""
        self.extra = ""  # a second line while stepping: ∂L/∂w
        self.compact = False
        self.crowded = False  # left out by the placement: no clear spot for it
        self.t = self.POSITION  # where along its connection (placement moves it)
        self.offset = 0.0  # and how far across it, in plate heights
        self._rect = QRectF()
        self.setZValue(1)
        self.setCursor(Qt.CursorShape.IBeamCursor)

    def set_text(self, text: str, extra: str = "", compact: bool | None = None) -> None:
        """The weight and a second line (∂L/∂w = …), or during the update "old → new"
        alone on one line. ``compact``, for crowded canvases: "∂L/∂w = −0.02" shows as
        "−0.02" (its purple says what it is, as the glow does) and "old → new" as
        "→ new"; None keeps the mode."""
        compact = self.compact if compact is None else compact
        if (text, extra, compact) == (self.text, self.extra, self.compact):
            return
        self.prepareGeometryChange()
        self.text, self.extra, self.compact = text, extra, compact
        first, second = self.shown_lines
        w = max(theme.text_width(first, 9), theme.text_width(second, 8.5)) + 10
        h = theme.line_height(9) * (2 if second else 1) + 4
        self._rect = QRectF(-w / 2, -h / 2, w, h)
        self.update()

    @property
    def updating(self) -> bool:
        return " → " in self.extra

    @property
    def shown_lines(self) -> tuple[str, str]:
        """(first line, second line or "") as drawn."""
        if self.updating:
            new = self.extra.split(" → ", 1)[1]
            return (f"→ {new}" if self.compact else self.extra), ""
        if self.compact and self.extra:
            return self.text, self.extra.split(" = ", 1)[-1]
        return self.text, self.extra

    def place(self, line: QLineF) -> None:
        self.setPos(self.point_at(self.t, self.offset))

    def point_at(self, t: float, offset: float = 0.0) -> QPointF:
        """``t`` along the line, moved ``offset`` plate heights across it."""
        line = self.edge.line()
        p = line.pointAt(t)
        if offset and line.length() > 0:
            normal = line.normalVector().unitVector()
            shift = offset * self._rect.height()
            p += QPointF(normal.dx() * shift, normal.dy() * shift)
        return p

    def rect_at(self, t: float, offset: float = 0.0) -> QRectF:
        """The plate's rectangle in scene coordinates if it sat there."""
        return self._rect.translated(self.point_at(t, offset))

    def move_to(self, t: float, offset: float = 0.0) -> None:
        self.t, self.offset = t, offset
        self.setPos(self.point_at(t, offset))

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if option.levelOfDetailFromTransform(painter.worldTransform()) < MIN_LABEL_ZOOM:
            return  # too small to read: skipping it keeps large networks fluid
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self._rect
        painter.setPen(QPen(theme.weight_colour(self.edge.weight), 1))
        painter.setBrush(theme.label_background())
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(theme.text_colour())
        painter.setFont(theme.font(9))
        first, second = self.shown_lines
        if not second:
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, first)
            return
        top, bottom = QRectF(rect), QRectF(rect)
        top.setBottom(rect.center().y())
        bottom.setTop(rect.center().y())
        painter.drawText(top, Qt.AlignmentFlag.AlignCenter, first)
        painter.setFont(theme.font(8.5))
        painter.setPen(theme.ANNOTATION)
        painter.drawText(bottom, Qt.AlignmentFlag.AlignCenter, second)
