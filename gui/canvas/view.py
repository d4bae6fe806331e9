"""The canvas view: zoom (wheel, Ctrl +/−, fit), pan (middle button or Space + drag) and
rubber-band selection. Text is drawn as text at every zoom level, so it stays crisp."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QGraphicsView

from .weight_label import MIN_LABEL_ZOOM

MIN_ZOOM, MAX_ZOOM = 0.15, 6.0
SPACE_RELEASE_MS = 60


class NetworkView(QGraphicsView):
    """Space does two things here: held while dragging it pans; tapped alone it is the
    window's Play/Pause (``space_tapped``)."""

    space_tapped = Signal()

    def __init__(self, scene) -> None:
        super().__init__(scene)
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setAcceptDrops(False)  # files dropped on the canvas go to the window
        # the canvas is larger than any network; pan with the middle button or Space + drag
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._space = False
        self._space_dragged = False
        # Some X servers report a held key's auto-repeat as real release/press pairs: a
        # release counts only if no press follows within this many ms.
        self._release = QTimer(self)
        self._release.setSingleShot(True)
        self._release.setInterval(SPACE_RELEASE_MS)
        self._release.timeout.connect(self._space_released)
        self._panning = False
        # the network re-fits when the view's size changes, until the user zooms or pans
        self.auto_fit = True

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        self.auto_fit = False
        factor = max(MIN_ZOOM / self.zoom, min(MAX_ZOOM / self.zoom, factor))
        self.scale(factor, factor)
        self._zoom_changed()

    def reset_zoom(self) -> None:
        self.auto_fit = False
        self.resetTransform()
        self._zoom_changed()

    def _zoom_changed(self) -> None:
        """Weight labels too small to read are hidden, not painted (large networks)."""
        self.scene().show_weight_labels(self.zoom >= MIN_LABEL_ZOOM)

    def fit_all(self) -> None:
        """Fit the network into the view; it keeps fitting as the view is resized."""
        self.auto_fit = True
        scene = self.scene()
        rect = scene.network_rect()
        rect = rect.adjusted(-30, -30, 30, 30)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > 1.6:  # a tiny network should not be blown up
            self.resetTransform()
            self.scale(1.6, 1.6)
            self.centerOn(rect.center())
        self._zoom_changed()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.auto_fit and self.scene() is not None:
            self.fit_all()

    def wheelEvent(self, event) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(1.0015**delta)
            event.accept()

    def space_down(self) -> None:
        """Space pressed (the window routes it here wherever the focus is, bar text
        fields and buttons): a drag now pans, and nothing plays."""
        if self._release.isActive():  # the release just before was auto-repeat: still held
            self._release.stop()
            return
        if self._space or self.scene().connecting:
            return
        self._space, self._space_dragged = True, False
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)

    def space_up(self) -> None:
        """Space released: a tap (no button pressed meanwhile) is Play/Pause."""
        if self._space:
            self._release.start()

    def _space_released(self) -> None:
        if not self._space:
            return
        self._space = False
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        buttons = QApplication.mouseButtons()
        if not self._space_dragged and buttons == Qt.MouseButton.NoButton:
            self.space_tapped.emit()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space:
            if not event.isAutoRepeat():
                self.space_down()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space:
            if not event.isAutoRepeat():
                self.space_up()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event) -> None:
        if self._space:  # any press while Space is held makes it a pan, not a tap
            self._space_dragged = True
        if event.button() == Qt.MouseButton.MiddleButton:
            self._panning = True
            self.auto_fit = False
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._space and event.buttons():
            self._space_dragged = True
            self.auto_fit = False  # panned: the user chose what to look at
        if self._panning:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(
                self.horizontalScrollBar().value() - int(delta.x())
            )
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._panning and event.button() == Qt.MouseButton.MiddleButton:
            self._panning = False
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)
