"""The main window: canvas in the centre, docks around it, menus, toolbar, status bar."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QStyle,
    QWidget,
)

from engine.initializers import initial_parameters
from engine.layout import layered_positions

from . import menus
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
from .panels.data import DataPanel
from .panels.decision_map import DecisionMap
from .panels.gradients import GradientPanel
from .panels.hidden import HiddenSpacePanel
from .panels.inspector import Inspector
from .panels.landscape import LandscapePanel
from .panels.lesson import LessonPanel
from .panels.parameters import ParameterPanel
from .panels.plots import LossPanel, follow_palette
from .panels.stepper import StepPanel
from .panels.throttle import Throttled
from .panels.training import TrainingPanel
from .recovery import Recovery


def _scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setMinimumWidth(widget.minimumSizeHint().width())
    return area


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
        """Left: training settings over the loss curve. Right: step-through (tabbed with
        the inspector) over the decision regions. The canvas keeps the full height."""
        right, left = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.LeftDockWidgetArea
        vertical = Qt.Orientation.Vertical
        self.step_panel = StepPanel(self.learning, self)
        self.training_panel = TrainingPanel(self.learning, self)
        self.loss_panel = LossPanel(self.learning)
        self.decision_map = DecisionMap(self.learning)
        self.data_panel = DataPanel(self.learning)
        self.lesson_panel = LessonPanel(self.doc)
        self.gradient_panel = GradientPanel(self.learning)
        self.hidden_panel = HiddenSpacePanel(self.learning)
        self.parameter_panel = ParameterPanel(self.learning)
        self.landscape_panel = LandscapePanel(self.learning)
        # scrollable, so that the window fits a laptop screen with every dock open
        self.training_dock = self._dock("Training", _scrolling(self.training_panel), left)
        self.loss_dock = self._dock("Loss", self.loss_panel, left)
        self.splitDockWidget(self.training_dock, self.loss_dock, vertical)
        self.gradient_dock = self._dock("Gradients", self.gradient_panel, left)
        self.hidden_dock = self._dock("Hidden space", self.hidden_panel, left)
        self.parameter_dock = self._dock("Parameters", self.parameter_panel, left)
        self.landscape_dock = self._dock("Landscape", self.landscape_panel, left)
        self.landscape_dock.visibilityChanged.connect(self.landscape_panel.set_on_screen)
        self.step_dock = self._dock("Step-through", self.step_panel, right)
        self.map_dock = self._dock("Decision regions", self.decision_map, right)
        self.splitDockWidget(self.step_dock, self.map_dock, vertical)
        self.inspector_dock = self._dock("Inspector", self.inspector, right)
        self.data_dock = self._dock("Data", self.data_panel, right)
        self.lesson_dock = self._dock("Lesson", self.lesson_panel, right)

    def _size_docks(self) -> None:
        """Tabs and sizes of the docks, once the window is shown (done before, Qt keeps a
        stale copy of a tab bar beside the docks, and sizes do not stick)."""
        self.tabifyDockWidget(self.step_dock, self.inspector_dock)
        self.tabifyDockWidget(self.step_dock, self.lesson_dock)
        self.tabifyDockWidget(self.map_dock, self.data_dock)
        self.tabifyDockWidget(self.loss_dock, self.gradient_dock)
        self.tabifyDockWidget(self.loss_dock, self.hidden_dock)
        self.tabifyDockWidget(self.loss_dock, self.parameter_dock)
        self.tabifyDockWidget(self.loss_dock, self.landscape_dock)
        self.loss_dock.raise_()
        self.inspector_dock.raise_()
        self.map_dock.raise_()
        vertical = Qt.Orientation.Vertical
        self.resizeDocks(
            [self.training_dock, self.step_dock], [290, 420], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.training_dock, self.loss_dock], [360, 330], vertical)
        self.resizeDocks([self.step_dock, self.map_dock], [400, 300], vertical)
        if self.height() > 900:  # docks stacked before tabbing may have grown the window
            self.resize(self.width(), 900)

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
        sp = QStyle.StandardPixmap
        self.act_play.setText("Pause" if running else "Play")
        self.act_play.setIcon(
            self.style().standardIcon(sp.SP_MediaPause if running else sp.SP_MediaPlay)
        )

    def _dock(self, title: str, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.replace(" ", "_").lower())
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

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
