"""The main window: canvas in the centre, docks around it, menus, toolbar, status bar."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QStyle

from engine.examples import examples_dir
from engine.initializers import initial_parameters
from engine.layout import layered_positions

from .canvas.annotations import annotate
from .canvas.inline_edit import InlineNumberEdit
from .canvas.items import ConnectionItem, NeuronItem
from .canvas.scene import TOOL_HINTS, NetworkScene
from .canvas.thumbnails import update_thumbnails
from .canvas.view import NetworkView
from .commands import MoveNeurons, RemoveItems, SetNeuronProperty, SetParameters
from .dialogs import RandomizeDialog
from .document import Document
from .files import FileController
from .learning import LearningController
from .panels.data import DataPanel
from .panels.inspector import ACTIVATION_NAMES, Inspector
from .panels.plots import DecisionMap, LossPanel
from .panels.stepper import StepPanel
from .panels.throttle import Throttled
from .panels.training import TrainingPanel
from .recovery import Recovery

ICONS = examples_dir().parent / "icons"
TOOL_KEYS = {"select": "S", "input": "I", "hidden": "H", "output": "O", "connect": "C"}
TOOL_NAMES = {
    "select": "Select",
    "input": "Add input",
    "hidden": "Add hidden",
    "output": "Add output",
    "connect": "Connect",
}
TOOL_ICONS = {
    "select": "select",
    "input": "add_input",
    "hidden": "add_hidden",
    "output": "add_output",
    "connect": "connect",
}


def icon(name: str) -> QIcon:
    return QIcon(str(ICONS / f"{name}.svg"))


class MainWindow(QMainWindow):
    def __init__(
        self, settings: QSettings | None = None, recovery: Recovery | None = None
    ) -> None:
        super().__init__()
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
        self.scene.neuron_activated.connect(lambda _nid: self.inspector_dock.raise_())
        self.scene.context_menu_requested.connect(self._context_menu)
        self.scene.selectionChanged.connect(self._update_enabled)
        self.doc.path_changed.connect(self._update_title)
        self.doc.modified_changed.connect(self._update_title)
        self.doc.network_replaced.connect(lambda: self.view.fit_all())
        self.files.recent_changed.connect(self._fill_recent)
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
        self.training_dock = self._dock("Training", self.training_panel, left)
        self.loss_dock = self._dock("Loss", self.loss_panel, left)
        self.splitDockWidget(self.training_dock, self.loss_dock, vertical)
        self.step_dock = self._dock("Step-through", self.step_panel, right)
        self.map_dock = self._dock("Decision regions", self.decision_map, right)
        self.splitDockWidget(self.step_dock, self.map_dock, vertical)
        self.inspector_dock = self._dock("Inspector", self.inspector, right)
        self.data_dock = self._dock("Data", self.data_panel, right)

    def _size_docks(self) -> None:
        """Tabs and sizes of the docks, once the window is shown (done before, Qt keeps a
        stale copy of a tab bar beside the docks, and sizes do not stick)."""
        self.tabifyDockWidget(self.step_dock, self.inspector_dock)
        self.tabifyDockWidget(self.map_dock, self.data_dock)
        self.inspector_dock.raise_()
        self.map_dock.raise_()
        vertical = Qt.Orientation.Vertical
        self.resizeDocks(
            [self.training_dock, self.step_dock], [270, 420], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.training_dock, self.loss_dock], [430, 400], vertical)
        self.resizeDocks([self.step_dock, self.map_dock], [470, 360], vertical)

    def _show_walk_state(self) -> None:
        session = self.learning.session
        walk = session.walk if session is not None else None
        annotate(self.scene, walk, self.learning.walk_state, self.step_panel.shown)
        if session is not None:
            self.step_dock.raise_()  # stepping: show the formulas

    def _refresh_thumbnails(self) -> None:
        trainer = self.learning.trainer
        compiled = trainer.compiled if trainer is not None else self.doc.network.compile()
        update_thumbnails(self.scene, compiled, self.act_thumbnails.isChecked())

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

    def _action(self, text: str, slot, shortcut=None, icon_=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            keys = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(k) for k in keys])
        if icon_ is not None:
            action.setIcon(icon_ if isinstance(icon_, QIcon) else icon(icon_))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        std = self.style().standardIcon
        sp = QStyle.StandardPixmap
        f = self.files
        self.act_new = self._action(
            "&New",
            f.new,
            QKeySequence.StandardKey.New,
            std(sp.SP_FileIcon),
            "Start an empty network",
        )
        self.act_open = self._action(
            "&Open…", f.open_dialog, QKeySequence.StandardKey.Open, std(sp.SP_DialogOpenButton)
        )
        self.act_save = self._action(
            "&Save", f.save, QKeySequence.StandardKey.Save, std(sp.SP_DialogSaveButton)
        )
        self.act_save_as = self._action("Save &As…", f.save_as, QKeySequence.StandardKey.SaveAs)
        self.act_export_png = self._action(
            "Export Canvas as &PNG…", lambda: f.export_dialog("png")
        )
        self.act_export_svg = self._action(
            "Export Canvas as S&VG…", lambda: f.export_dialog("svg")
        )
        self.act_quit = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)

        self.act_undo = self.doc.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcuts([QKeySequence("Ctrl+Z")])
        self.act_undo.setIcon(std(sp.SP_ArrowBack))
        self.act_redo = self.doc.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.act_redo.setIcon(std(sp.SP_ArrowForward))
        self.act_delete = self._action(
            "&Delete", self.delete_selection, ["Del", "Backspace"], std(sp.SP_TrashIcon)
        )
        self.act_select_all = self._action(
            "Select &All", self.select_all, QKeySequence.StandardKey.SelectAll
        )

        self.act_zoom_in = self._action(
            "Zoom &In", lambda: self.view.zoom_by(1.25), ["Ctrl++", "Ctrl+="]
        )
        self.act_zoom_out = self._action("Zoom &Out", lambda: self.view.zoom_by(0.8), "Ctrl+-")
        self.act_zoom_reset = self._action("&Actual Size", self.view.reset_zoom, "Ctrl+0")
        self.act_fit = self._action("&Fit to Window", self.view.fit_all, "Ctrl+9", "fit")

        self.tool_group = QActionGroup(self)
        self.tool_actions: dict[str, QAction] = {}
        for tool in TOOL_HINTS:
            action = self._action(
                TOOL_NAMES[tool],
                lambda _c=False, t=tool: self.set_tool(t),
                TOOL_KEYS[tool],
                TOOL_ICONS[tool],
                TOOL_HINTS[tool],
            )
            action.setToolTip(f"{TOOL_NAMES[tool]} ({TOOL_KEYS[tool]})")
            action.setCheckable(True)
            self.tool_group.addAction(action)
            self.tool_actions[tool] = action
        self.act_randomize = self._action(
            "&Randomize Weights…",
            self.randomize,
            "Ctrl+R",
            "randomize",
            "Random weights and biases from an initialiser and a seed",
        )
        self.act_zero_biases = self._action("Set All &Biases to 0", self.zero_biases)
        self.act_arrange = self._action(
            "&Arrange in Layers",
            self.arrange,
            "Ctrl+L",
            "arrange",
            "Lay the network out in columns by depth",
        )
        self.act_about = self._action("&About Backprop Studio", self.about)
        self.act_thumbnails = self._action(
            "Neuron &Maps on the Canvas", self._refresh_thumbnails, "Ctrl+M"
        )
        self.act_thumbnails.setCheckable(True)
        self.act_thumbnails.setStatusTip("Each neuron's activation over the input space, above it")
        lc = self.learning
        self.act_step = self._action(
            "&Step",
            lc.step_forward,
            "Right",
            std(sp.SP_MediaSeekForward),
            "The next step of backpropagation (its size: Step by)",
        )
        self.act_step_back = self._action(
            "Step &Back",
            lc.step_back,
            "Left",
            std(sp.SP_MediaSeekBackward),
            "Go back one step exactly, updates included",
        )
        self.act_play = self._action(
            "&Play", lc.toggle, "Space", std(sp.SP_MediaPlay), "Train continuously; again to pause"
        )
        self.act_reset = self._action(
            "&Reset Training",
            lc.reset,
            "R",
            std(sp.SP_MediaSkipBackward),
            "Back to the weights training started from",
        )
        self.act_end_steps = self._action(
            "S&top Stepping", lc.end_steps, None, None, "Hide the step-through annotations"
        )

    def _build_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("&File")
        m.addActions([self.act_new, self.act_open])
        self.examples_menu = m.addMenu("Open &Example")
        for name, title in self.files.examples().items():
            self.examples_menu.addAction(title, lambda n=name: self.files.open_example(n))
        self.recent_menu = m.addMenu("Open &Recent")
        self._fill_recent()
        m.addSeparator()
        m.addActions([self.act_save, self.act_save_as])
        m.addSeparator()
        m.addActions([self.act_export_png, self.act_export_svg])
        m.addSeparator()
        m.addAction(self.act_quit)

        m = bar.addMenu("&Edit")
        m.addActions([self.act_undo, self.act_redo])
        m.addSeparator()
        m.addActions([self.act_delete, self.act_select_all])

        m = bar.addMenu("&View")
        m.addActions([self.act_zoom_in, self.act_zoom_out, self.act_zoom_reset, self.act_fit])
        m.addSeparator()
        m.addAction(self.act_thumbnails)
        m.addSeparator()
        for dock in (
            self.inspector_dock,
            self.data_dock,
            self.step_dock,
            self.training_dock,
            self.loss_dock,
            self.map_dock,
        ):
            m.addAction(dock.toggleViewAction())

        m = bar.addMenu("&Network")
        m.addActions(list(self.tool_actions.values()))
        m.addSeparator()
        m.addActions([self.act_randomize, self.act_zero_biases, self.act_arrange])

        m = bar.addMenu("&Train")
        m.addActions(
            [self.act_step, self.act_step_back, self.act_play, self.act_reset, self.act_end_steps]
        )

        bar.addMenu("&Help").addAction(self.act_about)

        tb = self.addToolBar("Main")
        tb.setObjectName("main_toolbar")
        tb.setMovable(False)
        tb.addActions([self.act_new, self.act_open, self.act_save])
        tb.addSeparator()
        tb.addActions([self.act_undo, self.act_redo])
        tb.addSeparator()
        tb.addActions(list(self.tool_actions.values()))
        tb.addSeparator()
        tb.addActions([self.act_randomize, self.act_arrange, self.act_fit])
        tb.addSeparator()
        tb.addActions([self.act_step_back, self.act_step, self.act_play, self.act_reset])

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

    def _context_menu(self, item, screen_pos) -> None:
        menu = QMenu(self)
        if isinstance(item, NeuronItem):
            nid = item.neuron_id
            neuron = self.doc.network.neuron(nid)
            if neuron.kind != "input":
                acts = menu.addMenu("Activation")
                targets = [
                    n
                    for n in self.scene.selected_neurons()
                    if self.doc.network.neuron(n).kind != "input"
                ]
                for name, title in ACTIVATION_NAMES.items():
                    a = acts.addAction(
                        title,
                        lambda n=name, t=targets: self.doc.undo_stack.push(
                            SetNeuronProperty(self.doc, t, "activation", n)
                        ),
                    )
                    a.setCheckable(True)
                    a.setChecked(name == neuron.activation)
            menu.addAction(self.act_randomize)
            menu.addSeparator()
            menu.addAction(self.act_delete)
        elif isinstance(item, ConnectionItem):
            menu.addAction("Edit Weight…", lambda k=item.key: self.edit_weight(k))
            menu.addAction(self.act_delete)
        else:
            pos = self.view.mapToScene(self.view.mapFromGlobal(screen_pos))
            for kind in ("input", "hidden", "output"):
                menu.addAction(
                    icon(TOOL_ICONS[kind]),
                    f"Add {kind} neuron here",
                    lambda k=kind, p=pos: self.scene.add_neuron_at(k, p),
                )
            menu.addSeparator()
            menu.addActions([self.act_select_all, self.act_arrange, self.act_fit])
        menu.popup(screen_pos)
        self.context_menu = menu

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            "About Backprop Studio",
            "<b>Backprop Studio</b><br>Draw a neural network, then step through forward and "
            "backward propagation with every formula and its numbers.",
        )

    # ------------------------------------------------------- window events
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
