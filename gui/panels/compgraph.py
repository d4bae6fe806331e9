"""The "computational graph" window: one neuron expanded into primitive operations (× per
connection, Σ, + b, the activation, the loss), following the step-through's cursor.

Read-only: it reads the learning controller's step session (the walkthrough on screen and
its cursor) and asks ``engine.compgraph`` for the graph; it never touches the trainer.
Without a session it shows the graph's structure and the parameters only. Export as PNG
(2×) or SVG (Qt's own generator: text stays text, no embedded images)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QAction, QImage, QKeySequence, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.compgraph import CompGraph
from engine.formatting import to_plain
from engine.walkthrough import Walkthrough

from .compgraph_scene import GraphScene
from .throttle import Throttled


class FittingView(QGraphicsView):
    """Keeps the whole graph in view as the window is resized."""

    def __init__(self, scene: GraphScene) -> None:
        super().__init__(scene)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing)

    def fit(self) -> None:
        """The whole graph, enlarged up to 1.5× (a projector), never cut."""
        rect = self.scene().content_rect()
        if rect.isEmpty():
            return
        self.setSceneRect(rect)
        self.resetTransform()
        viewport = self.viewport().rect()
        scale = min(viewport.width() / rect.width(), viewport.height() / rect.height(), 1.5)
        self.scale(scale, scale)
        self.centerOn(rect.center())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()


class CompGraphWindow(QWidget):
    """A window of its own, beside the canvas: the graph wants width, and a class sees it
    next to the network it comes from."""

    def __init__(self, main_window) -> None:
        super().__init__(main_window, Qt.WindowType.Window)
        self.main = main_window
        self.controller = main_window.learning
        self.doc = main_window.doc
        self.setWindowTitle("Computational graph")
        self.resize(1100, 520)
        close = QAction("Close", self)  # Esc, or Ctrl+W as any document window
        keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Close)  # Ctrl+W, Ctrl+F4
        close.setShortcuts([QKeySequence(Qt.Key.Key_Escape), *keys])
        close.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        close.triggered.connect(self.close)
        self.addAction(close)
        self.close_action = close
        self.neuron_combo = QComboBox()
        self.neuron_combo.activated.connect(lambda _i: self.refresh(rebuild=True))
        row = QHBoxLayout()
        row.addWidget(QLabel("Neuron"))
        row.addWidget(self.neuron_combo)
        for action in (main_window.act_step_back, main_window.act_step):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            row.addWidget(button)
        row.addStretch(1)
        self.png_button = QPushButton("Export PNG…")
        self.svg_button = QPushButton("Export SVG…")
        self.png_button.clicked.connect(lambda: self.export_dialog("png"))
        self.svg_button.clicked.connect(lambda: self.export_dialog("svg"))
        row.addWidget(self.png_button)
        row.addWidget(self.svg_button)
        self.scene = GraphScene(self)
        self.view = FittingView(self.scene)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.caption)
        self.controller.state_changed.connect(self.refresh)
        self.doc.network_replaced.connect(self._network_changed)
        self.doc.network_edited.connect(self._network_changed)
        # while playing (not stepping) the parameters move on the canvas: follow them
        self.controller.progress.connect(Throttled(self._progress, 0.5, self, self))
        self.graph: CompGraph | None = None
        self._stale = False
        self._fill_neurons()

    # ------------------------------------------------------------- neurons
    def _fill_neurons(self) -> None:
        current = self.neuron_combo.currentData()
        self.neuron_combo.clear()
        for n in self.doc.network.neurons:
            if n.kind != "input":
                self.neuron_combo.addItem(f"{to_plain(n.name)} ({n.kind})", n.id)
        index = self.neuron_combo.findData(current)
        self.neuron_combo.setCurrentIndex(max(index, 0))

    def _network_changed(self) -> None:
        """An edit: rebuilt now if on screen, else when shown again (closed, it costs nothing)."""
        self._stale = True
        if self.isVisible():
            self._fill_neurons()
            self.refresh(rebuild=True)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._fill_neurons()
            self.refresh(rebuild=True)

    def _progress(self) -> None:
        if self.controller.session is None:
            self.refresh()

    def show_neuron(self, nid: str | None) -> None:
        """Open on neuron ``nid`` (a hidden or output neuron; None: the one chosen)."""
        self._fill_neurons()
        index = self.neuron_combo.findData(nid)
        if index >= 0:
            self.neuron_combo.setCurrentIndex(index)
        self._stale = False
        self.refresh(rebuild=True)
        self.show()
        self.raise_()
        self.activateWindow()

    @property
    def neuron(self) -> str | None:
        return self.neuron_combo.currentData()

    # ------------------------------------------------------------- drawing
    def _structure_walk(self) -> Walkthrough:
        """Not stepping: a walk on zeros gives the graph's shape; only the parameters
        (which the canvas shows too) are written in it."""
        net = self.doc.network
        X = np.zeros((len(net.inputs), 1))
        Y = np.zeros((len(net.outputs), 1))
        return Walkthrough(net, X, Y)

    def refresh(self, rebuild: bool = False) -> None:
        if not self.isVisible() and not rebuild:
            return
        nid = self.neuron
        if nid is None:
            self._clear("The network has no hidden or output neuron to show.")
            return
        session = self.controller.session
        walk = session.walk if session is not None else None
        if walk is not None and nid not in walk.neurons:  # edited since the walk began
            walk = None
        stepping = walk is not None
        if walk is None and not self.doc.network.outputs:
            self._clear("Add an output neuron: the graph ends in the loss, computed from it.")
            return
        if walk is None:
            try:
                walk = self._structure_walk()
            except (ValueError, KeyError, IndexError) as e:
                self._clear(f"Cannot draw this network's graph: {e}.")
                return
        if rebuild or self.graph is None or self.graph.walk is not walk or self.graph.nid != nid:
            self.graph = CompGraph(walk, nid)
            self.scene.set_graph(self.graph, structure_only=not stepping)
            self.view.fit()
        position, focus = self._position(stepping)
        self.scene.show(self.graph.state_at(position), focus)
        self.caption.setText(self._caption(walk, stepping, position))
        name = to_plain(walk.neurons[nid].name)
        self.setWindowTitle(f"Computational graph of {name}")

    def _clear(self, text: str) -> None:
        self.scene.set_empty()
        self.graph = None
        self.caption.setText(text)

    def _position(self, stepping: bool) -> tuple[int, int | None]:
        """The step whose results are shown, and the step on screen (to highlight). In
        predict mode, the current step's results stay hidden until typed."""
        if not stepping:
            return -1, None
        cursor = self.controller.session.cursor
        if self.controller.pending:
            return cursor.position - 1, None
        return cursor.position, cursor.position if cursor.position >= 0 else None

    def _caption(self, walk, stepping: bool, position: int) -> str:
        if not stepping:
            return (
                "Press Step (→) to walk an iteration: values appear here as the walkthrough "
                "computes them, ∂L/∂ of each node once the backward pass reaches it. On each "
                "arrow, the local derivative ∂(node)/∂(input)."
            )
        step = walk.steps[position] if position >= 0 else None
        where = (
            f"Step {position + 1} of {len(walk.steps)}: {step.title}"
            if step
            else ("Start of the iteration: nothing computed yet")
        )
        batch = (
            f" · values for sample {walk.sample} of the batch of {walk.m}; ∂Lᵢ is that "
            "sample's gradient, the weights' and bias's batch means below it"
            if walk.m > 1
            else ""
        )
        return f"{where}{batch}. Chain rule: ∂L/∂input = ∂L/∂node · local derivative."

    # ------------------------------------------------------------- export
    def export_dialog(self, fmt: str) -> None:
        name = (self.neuron or "neuron").replace(" ", "_")
        path, _ = QFileDialog.getSaveFileName(
            self,
            f"Export the graph as {fmt.upper()}",
            str(Path.home() / f"graph_{name}.{fmt}"),
            f"{fmt.upper()} (*.{fmt})",
        )
        if path:
            self.export(Path(path), fmt)

    def export(self, path: Path, fmt: str) -> bool:
        """PNG at 2× for slides; SVG through QSvgGenerator, text as text. False: not
        written (the status bar says why)."""
        source = self.scene.content_rect()
        if fmt == "svg":
            gen = QSvgGenerator()
            gen.setFileName(str(path))
            gen.setSize(QSize(int(source.width()), int(source.height())))
            gen.setViewBox(QRectF(0, 0, source.width(), source.height()))
            gen.setTitle(self.windowTitle())
            painter = QPainter(gen)
        else:
            image = QImage(
                int(source.width() * 2), int(source.height() * 2), QImage.Format.Format_ARGB32
            )
            image.fill(self.scene.backgroundBrush().color())
            painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        target = QRectF(0, 0, painter.device().width(), painter.device().height())
        self.scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
        ok = painter.end()
        if fmt != "svg":
            ok = image.save(str(path))
        self.main.show_message(f"Exported {path.name}." if ok else f"Could not write {path}.")
        return ok


def open_for(main_window, nid: str | None = None) -> CompGraphWindow:
    """Show the window (one per main window) on ``nid``, or on the selected neuron, or on
    the first output."""
    window = getattr(main_window, "compgraph_window", None)
    if window is None:
        window = CompGraphWindow(main_window)
        main_window.compgraph_window = window
    net = main_window.doc.network
    if nid is None:
        chosen = [n for n in main_window.scene.selected_neurons() if net.neuron(n).kind != "input"]
        nid = chosen[0] if chosen else (net.outputs[0] if net.outputs else None)
    window.show_neuron(nid)
    return window
