"""The main window: canvas in the centre, docks around it, menus, toolbar, status bar."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QStyle,
)

from engine.initializers import initial_parameters
from engine.layout import layered_positions

from . import docks, menus
from .canvas.annotations import annotate
from .canvas.inline_edit import InlineNumberEdit
from .canvas.items import ConnectionItem, NeuronItem
from .canvas.scene import NetworkScene
from .canvas.thumbnails import update_thumbnails
from .canvas.view import NetworkView
from .commands import MoveNeurons, RemoveItems, SetParameters
from .dialogs import RandomizeDialog
from .document import Document
from .files import FileController
from .learning import LearningController
from .menus import TOOL_NAMES, icon
from .panels.inspector import Inspector
from .panels.plots import follow_palette
from .panels.throttle import Throttled
from .presentation import Presentation
from .recovery import Recovery

FRAME_ALLOWANCE = 40  # pixels: a window manager's title bar and borders


class MainWindow(QMainWindow):
    def __init__(
        self, settings: QSettings | None = None, recovery: Recovery | None = None
    ) -> None:
        super().__init__()
        follow_palette()  # the plots' colours, before any plot is made
        self.settings = settings or QSettings()
        self.doc = Document()
        self.doc.setParent(self)
        self.scene = NetworkScene(self.doc, self)
        self.view = NetworkView(self.scene)
        self.setCentralWidget(self.view)
        self.files = FileController(
            self, self.doc, self.scene, self.settings, recovery or Recovery()
        )
        self.learning = LearningController(self.doc)
        self.inspector = Inspector(self.doc, self.scene)
        self.tool_hint = QLabel()
        self.statusBar().addPermanentWidget(self.tool_hint)
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.resize(1440, 900)
        self.presentation = Presentation(self, self.settings)
        self._build_actions()
        self._build_docks()
        self._build_menus_and_toolbar()

        self.scene.status.connect(self.show_message)
        self.inspector.message.connect(self.show_message)
        self.files.message.connect(self.show_message)
        self.scene.weight_edit_requested.connect(self.edit_weight)
        self.scene.escape_pressed.connect(lambda: self.set_tool("select"))
        self.scene.neuron_activated.connect(lambda _nid: self.inspector_dock.raise_())
        self.scene.context_menu_requested.connect(self._context_menu)
        self.scene.selectionChanged.connect(self._update_enabled)
        self.doc.path_changed.connect(self._update_title)
        self.doc.modified_changed.connect(self._update_title)
        self.doc.network_replaced.connect(lambda: self.view.fit_all())
        self.files.recent_changed.connect(self._fill_recent)
        self.files.lesson_opened.connect(self.lesson_dock.raise_)
        self.view.space_tapped.connect(self.act_play.trigger)
        self.learning.confirm = self._confirm
        self.learning.state_changed.connect(self._show_walk_state)
        self.learning.message.connect(self.show_message)
        self.learning.running_changed.connect(self._running_changed)
        thumbnails = Throttled(self._refresh_thumbnails, 0.2, self)
        for signal in (
            self.learning.progress,
            self.learning.state_changed,
            self.doc.network_edited,
        ):
            signal.connect(thumbnails)
        self.set_tool("select")
        self._update_title()
        self._update_enabled()

    def _build_docks(self) -> None:
        docks.build_docks(self)

    def _size_docks(self) -> None:
        docks.arrange_docks(self)

    def _show_walk_state(self) -> None:
        session = self.learning.session
        walk = session.walk if session is not None else None
        annotate(self.scene, walk, self.learning.walk_state, self.step_panel.shown)
        if session is not None:
            self.step_dock.raise_()  # stepping: show the formulas

    def _refresh_thumbnails(self) -> None:
        # the model holds what the canvas shows (training writes back at frame rate)
        update_thumbnails(self.scene, self.doc.network.compile(), self.act_thumbnails.isChecked())

    def _running_changed(self, running: bool) -> None:
        # while playing, labels keep their places (placing them every frame would cost
        # more than training on a large network); placed again when it stops
        self.scene.set_placement_paused(running)
        sp = QStyle.StandardPixmap
        self.act_play.setText("Pause" if running else "Play")
        self.act_play.setIcon(
            self.style().standardIcon(sp.SP_MediaPause if running else sp.SP_MediaPlay)
        )

    def _build_actions(self) -> None:
        menus.build_actions(self)

    def _build_menus_and_toolbar(self) -> None:
        menus.build_menus_and_toolbar(self)

    def _context_menu(self, item, screen_pos) -> None:
        self.context_menu = menus.context_menu(self, item, screen_pos)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.files.recent():
            self.recent_menu.addAction(
                Path(path).name, lambda p=path: self.files.open_path(Path(p))
            )
        self.recent_menu.setEnabled(bool(self.recent_menu.actions()))

    # ------------------------------------------------------------- state
    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.doc.display_name}[*] — Backprop Studio")
        self.setWindowModified(self.doc.modified)

    def _update_enabled(self) -> None:
        if not shiboken6.isValid(self.scene):  # the scene is being destroyed at exit
            return
        self.act_delete.setEnabled(bool(self.scene.selectedItems()))

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def set_tool(self, tool: str) -> None:
        self.tool_actions[tool].setChecked(True)
        self.scene.set_tool(tool)
        self.tool_hint.setText(f"Tool: {TOOL_NAMES[tool]}")

    # ------------------------------------------------------------- edits
    def delete_selection(self) -> None:
        neurons = self.scene.selected_neurons()
        conns = self.scene.selected_connections()
        if neurons or conns:
            self.doc.undo_stack.push(RemoveItems(self.doc, neurons, conns))

    def select_all(self) -> None:
        for item in self.scene.items():
            if isinstance(item, NeuronItem | ConnectionItem):
                item.setSelected(True)

    def randomize(self) -> None:
        t = self.doc.network.training
        has_selection = bool(self.scene.selectedItems())
        dialog = RandomizeDialog(self, t.initializer, t.init_scale, t.seed, has_selection)
        if dialog.exec():
            self.apply_randomize(*dialog.values())

    def apply_randomize(self, method: str, scale: float, seed: int, selection_only: bool) -> None:
        net = self.doc.network
        neurons = connections = None
        if selection_only:
            neurons = set(self.scene.selected_neurons())
            connections = set(self.scene.selected_connections())
            connections |= {c.key for c in net.connections if c.target in neurons}
        weights, biases = initial_parameters(net, method, seed, scale, neurons, connections)
        self.doc.undo_stack.push(
            SetParameters(self.doc, weights, biases, f"Randomize ({method}, seed {seed})")
        )
        self.show_message(
            f"Randomized {len(weights)} weights and {len(biases)} biases ({method}, seed {seed})."
        )

    def zero_biases(self) -> None:
        biases = {n.id: 0.0 for n in self.doc.network.neurons if n.kind != "input"}
        self.doc.undo_stack.push(SetParameters(self.doc, {}, biases, "Set all biases to 0"))

    def arrange(self) -> None:
        net = self.doc.network
        new = layered_positions(net)
        old = {nid: net.neuron(nid).position for nid in new}
        if new != old:
            self.doc.undo_stack.push(MoveNeurons(self.doc, old, new, "Arrange in layers"))
        self.view.fit_all()

    def edit_weight(self, key) -> None:
        item = self.scene.connection_items.get(tuple(key))
        if item is None:
            return
        editor = InlineNumberEdit(self.view, self.doc.network.connection(*key).weight)
        centre = self.view.mapFromScene(item.label.scenePos())
        editor.move(centre.x() - editor.width() // 2, centre.y() - editor.sizeHint().height() // 2)
        editor.committed.connect(lambda w: self._set_weight(key, w))
        editor.rejected.connect(lambda msg: self.show_message(f"Weight not changed: {msg}."))
        editor.show()
        editor.setFocus()
        self.inline_editor = editor

    def _set_weight(self, key, weight: float) -> None:
        if weight != self.doc.network.connection(*key).weight:
            self.doc.undo_stack.push(
                SetParameters(self.doc, {tuple(key): weight}, {}, "Set weight")
            )

    def undo(self) -> None:
        self.learning.settle()
        self.doc.undo_stack.undo()

    def redo(self) -> None:
        self.learning.settle()
        self.doc.undo_stack.redo()

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            "About Backprop Studio",
            "<b>Backprop Studio</b><br>Draw a neural network, then step through forward and "
            "backward propagation with every formula and its numbers.",
        )

    def _confirm(self, title: str, text: str) -> bool:
        buttons = QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel
        return QMessageBox.question(self, title, text, buttons) == QMessageBox.StandardButton.Ok

    # ------------------------------------------------------- window events
    def keyPressEvent(self, event) -> None:
        """Space that no widget wanted (text fields, buttons and lists keep theirs) goes to
        the canvas: held while dragging it pans, tapped it plays (on release, so that a
        pan can never also press Play). The Play action lists Space but never fires on it."""
        if self._is_space(event):
            self.view.space_down()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if self._is_space(event):
            self.view.space_up()
            return
        super().keyReleaseEvent(event)

    @staticmethod
    def _is_space(event) -> bool:
        return (
            event.key() == Qt.Key.Key_Space
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and not event.isAutoRepeat()
        )

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_shown_once", False):
            self._shown_once = True
            self._size_docks()
            QTimer.singleShot(0, self.view.fit_all)  # once the docks have their sizes

    def fit_to_screen(self) -> None:
        """Before the first show: 1440×900 where that fits, else maximised on the screen
        (a 1280×800 projector or a 1366×768 laptop), never larger than it with the docks
        on the right cut off by its edge."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        room = screen.availableGeometry()
        frame = FRAME_ALLOWANCE  # the title bar and borders a window manager adds
        if self.width() <= room.width() and self.height() + frame <= room.height():
            return
        self.resize(self.size().boundedTo(room.size()))
        self.move(room.topLeft())
        self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def resizeEvent(self, event) -> None:
        """A new window size (another screen, a projector): the docks take their share
        again, so the canvas keeps more than half of the width."""
        super().resizeEvent(event)
        if getattr(self, "_shown_once", False) and not self.presentation.active:
            QTimer.singleShot(0, lambda: docks.fit_docks(self))

    def dragEnterEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].toLocalFile().lower().endswith(".json"):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        path = event.mimeData().urls()[0].toLocalFile()
        self.files.open_path(Path(path))
        event.acceptProposedAction()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.files.maybe_save():
            self.files.recovery.clear()
            event.accept()
        else:
            event.ignore()
