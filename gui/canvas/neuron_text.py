"""The text block written beside a neuron: its bias, then z, a, δ… while stepping. The
block sits below the neuron unless the label placement (``placement``) moves it above,
to the right or to the left, where it overlaps nothing."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter

from .. import theme

SIDES = ("below", "above", "right", "left")
GAP = 3.0  # between the neuron's outline and its text
SIDE_GAP = 16.0  # beside the neuron: clear of the + handle
BIAS_POINTS, ANNOTATION_POINTS = 8.5, 9.0


def lines(item) -> list[tuple[str, float]]:
    """(text, point size) from top to bottom."""
    from engine.formatting import format_number

    out = []
    updated = any(line.startswith("b: ") for line in item.annotation)  # b: old → new
    if item.activation and not updated:
        out.append((f"b = {format_number(item.bias, 3)}", BIAS_POINTS))
    out += [(line, ANNOTATION_POINTS) for line in item.annotation]
    return out


def block_rect(item, radius: float, side: str | None = None) -> QRectF:
    """Where the block goes (item coordinates) on ``side`` (default: the item's own)."""
    rows = lines(item)
    if not rows:
        return QRectF()
    width = max(theme.text_width(t, p) for t, p in rows) + 6
    height = sum(theme.line_height(p) for _t, p in rows)
    side = side or item.text_side
    if side == "below":
        return QRectF(-width / 2, radius + GAP, width, height)
    if side == "above":
        top = (
            -radius - GAP - height - (item.thumbnail_space() if item.thumbnail is not None else 0)
        )
        return QRectF(-width / 2, top, width, height)
    if side == "right":
        return QRectF(radius + SIDE_GAP, -height / 2, width, height)
    return QRectF(-radius - SIDE_GAP - width, -height / 2, width, height)


def paint(item, painter: QPainter, radius: float) -> None:
    rows = lines(item)
    if not rows:
        return
    rect = block_rect(item, radius)
    align = {
        "right": Qt.AlignmentFlag.AlignLeft,
        "left": Qt.AlignmentFlag.AlignRight,
    }.get(item.text_side, Qt.AlignmentFlag.AlignHCenter)
    top = rect.top()
    for i, (text, points) in enumerate(rows):
        painter.setFont(theme.font(points))
        bias = i == 0 and item.activation
        painter.setPen(theme.muted_text_colour() if bias else theme.ANNOTATION)
        h = theme.line_height(points)
        painter.drawText(
            QRectF(rect.left(), top, rect.width(), h), align | Qt.AlignmentFlag.AlignVCenter, text
        )
        top += h
