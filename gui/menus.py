"""The window's actions, menus, toolbar and context menus (built here to keep the window
class about wiring; every slot is a method of the window or of its controllers)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import QMenu, QStyle

from engine.examples import examples_dir, list_lessons

from .canvas.items import ConnectionItem, NeuronItem
from .canvas.scene import TOOL_HINTS
from .commands import SetNeuronProperty
from .features_action import add_playground_features
from .handout_export import export_worked_solution_dialog
from .panels import compgraph
from .panels.inspector import ACTIVATION_NAMES
from .presentation import SCALES as PRESENTATION_SCALES

ICONS = examples_dir().parent / "icons"
TOOL_KEYS = {"select": "S", "input": "I", "hidden": "H", "output": "O", "connect": "C"}
TOOL_NAMES = {
    "select": "Select",
    "input": "Add input",
    "hidden": "Add hidden",
    "output": "Add output",
    "connect": "Connect",
}
PNG_SCALES = {1.0: "as on screen", 2.0: "slides", 4.0: "posters"}
TOOL_ICONS = {
    "select": "select",
    "input": "add_input",
    "hidden": "add_hidden",
    "output": "add_output",
    "connect": "connect",
}


def icon(name: str) -> QIcon:
    return QIcon(str(ICONS / f"{name}.svg"))


def _action(w, text: str, slot, shortcut=None, icon_=None, tip: str = "") -> QAction:
    action = QAction(text, w)
    if shortcut is not None:
        keys = shortcut if isinstance(shortcut, list) else [shortcut]
        action.setShortcuts([QKeySequence(k) for k in keys])
    if icon_ is not None:
        action.setIcon(icon_ if isinstance(icon_, QIcon) else icon(icon_))
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action


def build_actions(w) -> None:
    std = w.style().standardIcon
    sp = QStyle.StandardPixmap
    f = w.files
    w.act_new = _action(
        w,
        "&New",
        f.new,
        QKeySequence.StandardKey.New,
        std(sp.SP_FileIcon),
        "Start an empty network",
    )
    w.act_open = _action(
        w, "&Open…", f.open_dialog, QKeySequence.StandardKey.Open, std(sp.SP_DialogOpenButton)
    )
    w.act_save = _action(
        w, "&Save", f.save, QKeySequence.StandardKey.Save, std(sp.SP_DialogSaveButton)
    )
    w.act_save_as = _action(w, "Save &As…", f.save_as, QKeySequence.StandardKey.SaveAs)
    w.act_export_png = {
        scale: _action(
            w, f"at {scale:g}× ({why})", lambda _c=False, s=scale: f.export_dialog("png", s)
        )
        for scale, why in PNG_SCALES.items()
    }
    w.act_export_svg = _action(w, "Export Canvas as S&VG…", lambda: f.export_dialog("svg"))
    w.act_export_handout = _action(
        w,
        "Export &Worked Solution…",
        lambda: export_worked_solution_dialog(w),
        None,
        None,
        "The current iteration, every step with its formula and numbers, as HTML, Markdown or LaTeX",
    )
    w.act_export_script = _action(w, "Export as &NumPy Script…", f.export_script_dialog)
    w.act_export_torch = _action(
        w, "Export as P&yTorch Script…", lambda: f.export_script_dialog("torch")
    )
    w.act_quit = _action(w, "&Quit", w.close, QKeySequence.StandardKey.Quit)

    # Undo and Redo first settle training: what Play or stepping has shown since the last
    # command becomes one, so Undo takes back exactly that (and never leaves half of it)
    stack = w.doc.undo_stack
    w.act_undo = _action(w, "&Undo", w.undo, "Ctrl+Z", std(sp.SP_ArrowBack))
    w.act_redo = _action(w, "&Redo", w.redo, ["Ctrl+Shift+Z", "Ctrl+Y"], std(sp.SP_ArrowForward))

    def undo_redo_state(*_args) -> None:
        if not shiboken6.isValid(stack):  # the window is closing
            return
        w.act_undo.setEnabled(stack.canUndo() or w.learning.run_open)
        w.act_undo.setText(f"&Undo {stack.undoText()}".strip())
        w.act_redo.setEnabled(stack.canRedo())
        w.act_redo.setText(f"&Redo {stack.redoText()}".strip())

    for signal in (stack.indexChanged, stack.cleanChanged, w.learning.running_changed):
        signal.connect(undo_redo_state)
    w.learning.state_changed.connect(undo_redo_state)
    undo_redo_state()
    w.act_delete = _action(
        w, "&Delete", w.delete_selection, ["Del", "Backspace"], std(sp.SP_TrashIcon)
    )
    w.act_select_all = _action(w, "Select &All", w.select_all, QKeySequence.StandardKey.SelectAll)

    w.act_zoom_in = _action(w, "Zoom &In", lambda: w.view.zoom_by(1.25), ["Ctrl++", "Ctrl+="])
    w.act_zoom_out = _action(w, "Zoom &Out", lambda: w.view.zoom_by(0.8), "Ctrl+-")
    w.act_zoom_reset = _action(w, "&Actual Size", w.view.reset_zoom, "Ctrl+0")
    w.act_fit = _action(w, "&Fit to Window", w.view.fit_all, "Ctrl+9", "fit")

    w.tool_group = QActionGroup(w)
    w.tool_actions: dict[str, QAction] = {}
    for tool in TOOL_HINTS:
        action = _action(
            w,
            TOOL_NAMES[tool],
            lambda _c=False, t=tool: w.set_tool(t),
            TOOL_KEYS[tool],
            TOOL_ICONS[tool],
            TOOL_HINTS[tool],
        )
        action.setToolTip(f"{TOOL_NAMES[tool]} ({TOOL_KEYS[tool]})")
        action.setCheckable(True)
        w.tool_group.addAction(action)
        w.tool_actions[tool] = action
    w.act_randomize = _action(
        w,
        "&Randomize Weights…",
        w.randomize,
        "Ctrl+R",
        "randomize",
        "Random weights and biases from an initialiser and a seed",
    )
    w.act_zero_biases = _action(w, "Set All &Biases to 0", w.zero_biases)
    w.act_features = _action(
        w,
        "Add Playground &Features",
        lambda: add_playground_features(w),
        tip="Feature inputs x₁², x₂², x₁·x₂, sin x₁, sin x₂ computed from the raw inputs",
    )
    w.act_arrange = _action(
        w,
        "&Arrange in Layers",
        w.arrange,
        "Ctrl+L",
        "arrange",
        "Lay the network out in columns by depth",
    )
    w.act_about = _action(w, "&About Backprop Studio", w.about)
    w.act_presentation = _action(
        w,
        "&Presentation",
        w.presentation.toggle,
        "F5",
        None,
        "For a projector: canvas, step-through, decision map and lesson, in larger type; "
        "Esc leaves",
    )
    w.act_presentation.setCheckable(True)
    w.presentation.changed.connect(w.act_presentation.setChecked)
    w.act_thumbnails = _action(w, "Neuron &Maps on the Canvas", w._refresh_thumbnails, "Ctrl+M")
    w.act_thumbnails.setCheckable(True)
    w.act_compgraph = _action(
        w,
        "Computational &Graph of a Neuron",
        lambda: compgraph.open_for(w),
        "Ctrl+G",
        None,
        "The selected neuron as × per connection, Σ, + b, activation and loss, with the "
        "step-through's values and gradients",
    )
    w.act_thumbnails.setStatusTip("Each neuron's activation over the input space, above it")
    lc = w.learning
    w.act_step = _action(
        w,
        "&Step",
        lc.step_forward,
        "Right",
        std(sp.SP_MediaSeekForward),
        "The next step of backpropagation (its size: Step by)",
    )
    w.act_step_back = _action(
        w,
        "Step &Back",
        lc.step_back,
        "Left",
        std(sp.SP_MediaSeekBackward),
        "Go back one step exactly, updates included",
    )
    w.act_play = _action(
        w, "&Play", lc.toggle, "Space", std(sp.SP_MediaPlay), "Train continuously; again to pause"
    )
    # listed as Space, but the window handles the key itself (a tap plays, held it pans)
    w.act_play.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    w.act_reset = _action(
        w,
        "&Reset Training",
        lc.reset,
        "R",
        std(sp.SP_MediaSkipBackward),
        "Back to the weights training started from",
    )
    w.act_rerandomize = _action(
        w,
        "Reset with &New Weights",
        lc.rerandomize,
        "Shift+R",
        None,
        "Fresh weights from the initialiser and seed in the Training dock",
    )
    w.act_end_steps = _action(
        w, "S&top Stepping", lc.end_steps, None, None, "Hide the step-through annotations"
    )


def build_menus_and_toolbar(w) -> None:
    bar = w.menuBar()
    m = bar.addMenu("&File")
    m.addActions([w.act_new, w.act_open])
    w.examples_menu = m.addMenu("Open &Example")
    for name, title in w.files.examples().items():
        w.examples_menu.addAction(title, lambda n=name: w.files.open_example(n))
    w.recent_menu = m.addMenu("Open &Recent")
    w._fill_recent()
    m.addSeparator()
    m.addActions([w.act_save, w.act_save_as])
    m.addSeparator()
    w.export_png_menu = m.addMenu("Export Canvas as &PNG")
    w.export_png_menu.addActions(list(w.act_export_png.values()))
    m.addActions([w.act_export_svg, w.act_export_handout, w.act_export_script, w.act_export_torch])
    m.addSeparator()
    m.addAction(w.act_quit)

    m = bar.addMenu("&Edit")
    m.addActions([w.act_undo, w.act_redo])
    m.addSeparator()
    m.addActions([w.act_delete, w.act_select_all])

    m = bar.addMenu("&View")
    m.addActions([w.act_zoom_in, w.act_zoom_out, w.act_zoom_reset, w.act_fit])
    m.addSeparator()
    m.addAction(w.act_thumbnails)
    m.addAction(w.act_compgraph)
    m.addSeparator()
    m.addAction(w.act_presentation)
    w.scale_menu = m.addMenu("Presentation &Scale")
    group = QActionGroup(w)
    for scale in PRESENTATION_SCALES:
        a = w.scale_menu.addAction(
            f"{scale * 100:g} %", lambda _c=False, s=scale: w.presentation.set_scale(s)
        )
        a.setCheckable(True)
        a.setChecked(scale == w.presentation.scale)
        group.addAction(a)
    m.addSeparator()
    for dock in (
        w.inspector_dock,
        w.lesson_dock,
        w.gradient_dock,
        w.hidden_dock,
        w.parameter_dock,
        w.landscape_dock,
        w.data_dock,
        w.step_dock,
        w.training_dock,
        w.loss_dock,
        w.map_dock,
    ):
        m.addAction(dock.toggleViewAction())

    m = bar.addMenu("&Network")
    m.addActions(list(w.tool_actions.values()))
    m.addSeparator()
    m.addActions([w.act_randomize, w.act_zero_biases, w.act_arrange, w.act_features])

    m = bar.addMenu("&Lessons")
    w.lessons_menu = m
    for name, title in list_lessons().items():
        m.addAction(title, lambda n=name: w.files.open_lesson(n))

    m = bar.addMenu("&Train")
    m.addActions(
        [w.act_step, w.act_step_back, w.act_play, w.act_reset, w.act_rerandomize, w.act_end_steps]
    )

    bar.addMenu("&Help").addAction(w.act_about)

    tb = w.addToolBar("Main")
    tb.setObjectName("main_toolbar")
    tb.setMovable(False)
    tb.addActions([w.act_new, w.act_open, w.act_save])
    tb.addSeparator()
    tb.addActions([w.act_undo, w.act_redo])
    tb.addSeparator()
    tb.addActions(list(w.tool_actions.values()))
    tb.addSeparator()
    tb.addActions([w.act_randomize, w.act_arrange, w.act_fit])
    tb.addSeparator()
    tb.addActions([w.act_step_back, w.act_step, w.act_play, w.act_reset])


def context_menu(w, item, screen_pos) -> QMenu:
    menu = QMenu(w)
    if isinstance(item, NeuronItem):
        nid = item.neuron_id
        neuron = w.doc.network.neuron(nid)
        if neuron.kind != "input":
            acts = menu.addMenu("Activation")
            targets = [
                n for n in w.scene.selected_neurons() if w.doc.network.neuron(n).kind != "input"
            ]
            for name, title in ACTIVATION_NAMES.items():
                a = acts.addAction(
                    title,
                    lambda n=name, t=targets: w.doc.undo_stack.push(
                        SetNeuronProperty(w.doc, t, "activation", n)
                    ),
                )
                a.setCheckable(True)
                a.setChecked(name == neuron.activation)
            menu.addAction("Show as Computational Graph", lambda n=nid: compgraph.open_for(w, n))
        menu.addAction(w.act_randomize)
        menu.addSeparator()
        menu.addAction(w.act_delete)
    elif isinstance(item, ConnectionItem):
        menu.addAction("Edit Weight…", lambda k=item.key: w.edit_weight(k))
        menu.addAction(w.act_delete)
    else:
        pos = w.view.mapToScene(w.view.mapFromGlobal(screen_pos))
        for kind in ("input", "hidden", "output"):
            menu.addAction(
                icon(TOOL_ICONS[kind]),
                f"Add {kind} neuron here",
                lambda k=kind, p=pos: w.scene.add_neuron_at(k, p),
            )
        menu.addSeparator()
        menu.addActions([w.act_select_all, w.act_arrange, w.act_fit])
    menu.popup(screen_pos)
    return menu
