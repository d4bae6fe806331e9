"""The canvas as a figure for slides: SVG fully vector (text as text, shapes as shapes)
or PNG at a chosen scale, written atomically. Used by File ▸ Export and by the headless
``backprop-studio --export``; it needs a scene, never a window."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem

from engine.atomic import write_atomic
from engine.errors import plain

MARGIN = 30
MAX_PIXELS = 12000  # a side of a PNG; larger would need gigabytes
SCALES = (1.0, 2.0, 4.0)


@contextmanager
def vector_items(scene) -> Iterator[None]:
    """Neurons cache their drawing as a bitmap for fast repaints; rendered through that
    cache, an SVG gets one ``<image>`` per neuron. Painting them afresh while exporting
    gives vectors and text."""
    items = [i for i in scene.items() if i.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    modes = [i.cacheMode() for i in items]
    for item in items:
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    try:
        yield
    finally:
        for item, mode in zip(items, modes, strict=True):
            item.setCacheMode(mode)


@contextmanager
def _figure_state(scene) -> Iterator[QRectF]:
    """No selection, weight labels shown (a figure is read at full size); the source rect."""
    selected = scene.selectedItems()
    scene.clearSelection()
    labels_were_visible = scene.labels_visible
    scene.show_weight_labels(True)
    scene.place_labels()
    try:
        with vector_items(scene):
            yield figure_rect(scene)
    finally:
        scene.show_weight_labels(labels_were_visible)
        scene.place_labels()
        for item in selected:
            item.setSelected(True)


def figure_rect(scene) -> QRectF:
    """Everything drawn for the network (labels and annotations included), with a margin."""
    rect = scene.network_rect()
    for item in scene.connection_items.values():
        if item.label.isVisible():
            rect = rect.united(item.label.sceneBoundingRect())
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def svg_bytes(scene, title: str = "") -> bytes:
    """The canvas as SVG text, drawn with vectors only."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    with _figure_state(scene) as source:
        gen = QSvgGenerator()
        gen.setOutputDevice(buffer)
        gen.setSize(QSize(int(source.width()), int(source.height())))
        gen.setViewBox(QRectF(0, 0, source.width(), source.height()))
        # text is measured at the screen's resolution (96 dpi offscreen): at the generator's
        # default 72 dpi every text would come out a quarter smaller than its plate
        gen.setResolution(_screen_dpi())
        gen.setTitle(title)
        gen.setDescription("Drawn by Backprop Studio")
        painter = QPainter(gen)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        target = QRectF(0, 0, source.width(), source.height())
        scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
        painter.end()
    data = bytes(QByteArray(buffer.data()))
    buffer.close()
    return data


def _screen_dpi() -> int:
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    return round(screen.logicalDotsPerInch()) if screen is not None else 96


def png_image(scene, scale: float = 2.0) -> QImage:
    """The canvas at ``scale`` pixels per scene unit (1 = the canvas at 100 %)."""
    if not 0 < scale <= 16:
        raise ValueError(f"scale {scale:g}: choose a scale above 0 and at most 16")
    with _figure_state(scene) as source:
        width, height = round(source.width() * scale), round(source.height() * scale)
        if max(width, height) > MAX_PIXELS:
            raise ValueError(
                f"scale {scale:g}: the image would be {width}×{height} pixels "
                f"(at most {MAX_PIXELS} a side); choose a smaller scale"
            )
        image = QImage(width, height, QImage.Format.Format_ARGB32)
        image.fill(scene.backgroundBrush().color())
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, QRectF(0, 0, width, height), source)
        painter.end()
    return image


def write_figure(scene, path: Path, fmt: str | None = None, scale: float = 2.0, title="") -> None:
    """Write the canvas to ``path`` as SVG or PNG (from the suffix unless ``fmt``);
    atomic: a failed export leaves any existing file as it was. Raises ValueError with
    a one-line reason."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt == "svg":
        data = svg_bytes(scene, title)
    elif fmt == "png":
        image = png_image(scene, scale)
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):
            raise ValueError(f"{plain(path.name)}: could not encode the PNG")
        data = bytes(QByteArray(buffer.data()))
    else:
        raise ValueError(
            f"{plain(path.name)}: a figure is written as .svg or .png, not '{plain(path.suffix)}'"
        )
    write_atomic(path, data)
