"""Colours and fonts for the canvas, following the system's light or dark palette."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPalette

# TensorFlow Playground's convention: blue for positive weights, orange for negative.
POSITIVE = QColor("#2b7bba")
NEGATIVE = QColor("#e8822a")
VALID = QColor("#2e9d4f")
INVALID = QColor("#d13b3b")
HIGHLIGHT = QColor("#e9a912")
GRADIENT = QColor("#8e44ad")  # the glow of a connection whose ∂L/∂w is known
ANNOTATION = QColor("#7d3c98")  # z, a, δ and ∂L/∂w written on the canvas
FOCUS_GLOW = QColor(233, 169, 18, 90)  # behind the neuron the current step is about


def palette() -> QPalette:
    return QGuiApplication.palette()


def is_dark() -> bool:
    return palette().color(QPalette.ColorRole.Window).lightness() < 128


def text_colour() -> QColor:
    return palette().color(QPalette.ColorRole.Text)


def muted_text_colour() -> QColor:
    c = QColor(text_colour())
    c.setAlphaF(0.7)
    return c


def canvas_background() -> QColor:
    return palette().color(QPalette.ColorRole.Base)


def label_background() -> QColor:
    c = QColor(palette().color(QPalette.ColorRole.Base))
    c.setAlphaF(0.92)
    return c


def selection_colour() -> QColor:
    """Gold, not the palette's blue: blue already means a positive weight."""
    return HIGHLIGHT


def kind_colours(kind: str) -> tuple[QColor, QColor]:
    """(fill, outline) for a neuron kind; inputs and outputs look distinct from hidden."""
    if is_dark():
        table = {
            "input": ("#1f3347", "#7fa7d1"),
            "hidden": ("#2b2b2b", "#c8c8c8"),
            "output": ("#47311c", "#e0a060"),
        }
    else:
        table = {
            "input": ("#e4eef8", "#4f79a3"),
            "hidden": ("#ffffff", "#4a4a4a"),
            "output": ("#fcebd6", "#b4641e"),
        }
    fill, outline = table[kind]
    return QColor(fill), QColor(outline)


def weight_colour(weight: float) -> QColor:
    return POSITIVE if weight >= 0 else NEGATIVE


_scale = [1.0]  # type size on the canvas: presentation mode makes it larger


def scale() -> float:
    return _scale[0]


def set_scale(value: float) -> None:
    """Every canvas text is drawn ``value`` times its normal size (items must be rebuilt
    or told to re-measure afterwards)."""
    _scale[0] = float(value)


def font(point_size: float, bold: bool = False) -> QFont:
    return _font(point_size * _scale[0], bold)


@lru_cache(maxsize=64)
def _font(point_size: float, bold: bool = False) -> QFont:
    """Cached: painting thousands of labels must not build a font for each."""
    f = QFont(QGuiApplication.font())
    f.setPointSizeF(point_size)
    f.setBold(bold)
    return f


@lru_cache(maxsize=1024)
def _char_width(ch: str, point_size: float) -> float:
    return QFontMetricsF(_font(point_size)).horizontalAdvance(ch)


def text_width(text: str, point_size: float) -> float:
    """Width of short numeric labels from cached per-character advances: measuring
    thousands of weight labels whole was a tenth of the time to open a large network."""
    size = point_size * _scale[0]
    return sum(_char_width(ch, size) for ch in text)


def line_height(point_size: float) -> float:
    return _line_height(point_size * _scale[0])


@lru_cache(maxsize=64)
def _line_height(point_size: float) -> float:
    return QFontMetricsF(_font(point_size)).height()
