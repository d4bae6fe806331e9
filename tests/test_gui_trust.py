"""Every number on screen is the engine's number: the defects a new user found in 0.1,
each driven through the real window the way a person would meet it."""

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from engine.files import save_network
from engine.formatting import format_number, to_plain, update_pair
from engine.maps import grid_axes, neuron_map
from engine.settings import DatasetSpec
from engine.walkthrough import Walkthrough
from tests.gui_helpers import drag, play_epochs
from tests.helpers import build

pytestmark = pytest.mark.gui
RESOURCES = Path(__file__).resolve().parents[1] / "resources"


def open_file(window, relative: str):
    window.files.open_path(RESOURCES / relative, ask=False)
    return window.doc.network


CELL = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)]


def forward(net, x: float, y: float) -> float:
    c = net.compile()
    return float(c.outputs(np.array([[x], [y]]))[0, 0])


@pytest.mark.parametrize("lesson", ["01_and_or", "07_hidden_2", "08_activation_functions"])
def test_the_map_and_its_contour_agree_with_the_engine_in_orientation(qtbot, window, lesson):
    """0.1 drew the 0.5 contour transposed: invisible on XOR, obvious on AND."""
    net = open_file(window, f"lessons/{lesson}.json")
    if lesson != "01_and_or":  # trained weights: the boundary is wherever training put it
        play_epochs(qtbot, window, 300)
        window.act_play.trigger()
    window.map_dock.raise_()
    dmap = window.decision_map
    qtbot.waitUntil(lambda: dmap.last_image is not None, timeout=2_000)
    qtbot.waitUntil(
        lambda: np.array_equal(
            dmap.last_image,
            neuron_map(net.compile(), dmap.extent, dmap.RESOLUTION),
        ),
        timeout=2_000,
    )
    # every point of the drawn contour is where the engine's network outputs 0.5
    xs, ys = dmap.contour.xData, dmap.contour.yData
    assert xs is not None and len(xs) > 4
    # (within a grid cell: lesson 8's step units make the map jump there)
    u, v = grid_axes(dmap.extent, dmap.RESOLUTION)
    du, dv = u[1] - u[0], v[1] - v[0]
    for x, y in zip(xs[::5], ys[::5], strict=True):
        around = [forward(net, x + a * du, y + b * dv) for a, b in CELL]
        assert min(around) <= 0.5 <= max(around), (x, y, around)
    if lesson != "08_activation_functions":  # smooth: the crossing itself is at 0.5
        values = [forward(net, x, y) for x, y in zip(xs[::5], ys[::5], strict=True)]
        assert np.abs(np.array(values) - 0.5).max() < 0.02
    # each image pixel sits on the point it was computed at
    for i, j in [(3, 100), (100, 3), (60, 17)]:
        local = dmap.image.mapFromParent(QPointF(u[j], v[i]))
        col, row = int(local.x()), int(local.y())
        assert (row, col) == (i, j)
        assert dmap.image.image[row, col] == pytest.approx(forward(net, u[j], v[i]), abs=1e-5)


def test_the_walk_choice_and_the_session_agree_after_opening_another_file(window):
    """0.1: Walk on "Sample 1" in lesson 3, then open lesson 4: the combo said "The training
    batch", the session still used sample 1, and Step did nothing (IndexError)."""
    open_file(window, "lessons/03_xor_by_hand.json")
    combo = window.step_panel.sample_combo
    combo.setCurrentIndex(combo.findData(1))
    combo.activated.emit(combo.currentIndex())
    window.act_step.trigger()
    assert window.learning.session.sample == 1
    open_file(window, "lessons/04_chain_rule.json")
    assert combo.currentData() is None and window.learning.sample is None
    window.act_step.trigger()
    session = window.learning.session
    assert session is not None and session.sample is None and session.cursor.position == 0
    assert window.step_panel.steps.count() == len(session.walk.steps)


def test_a_sample_removed_by_an_edit_is_no_longer_walked(window):
    open_file(window, "lessons/03_xor_by_hand.json")
    combo = window.step_panel.sample_combo
    combo.setCurrentIndex(combo.findData(3))
    combo.activated.emit(combo.currentIndex())
    from gui.commands import SetDataset

    net = window.doc.network
    spec = DatasetSpec(inputs=net.dataset.inputs[:2], targets=net.dataset.targets[:2])
    window.doc.undo_stack.push(SetDataset(window.doc, spec, "Keep two samples"))
    assert window.learning.sample is None and combo.currentData() is None
    window.act_step.trigger()
    assert window.learning.session.walk.m == 2


def test_space_drag_pans_without_playing_wherever_the_focus_is(qtbot, window):
    net = open_file(window, "examples/xor_lecture.json")
    before_weights = net.parameters()
    window.view.resetTransform()
    # the keyboard in a dock (a plot, which has no use for Space), the mouse on the canvas
    elsewhere = window.loss_panel.plot
    vp = window.view.viewport()
    before = window.view.mapToScene(vp.rect().center())
    QTest.keyPress(elsewhere, Qt.Key.Key_Space)
    drag(window, (100, 100), (20, 40))
    QTest.keyRelease(elsewhere, Qt.Key.Key_Space)
    after = window.view.mapToScene(vp.rect().center())
    assert (after - before).manhattanLength() > 50
    assert not window.learning.playing and net.parameters() == before_weights
    assert window.learning.trainer is None or window.learning.trainer.epoch == 0
    qtbot.wait(150)  # (a release followed at once by a press is a held key's auto-repeat)
    QTest.keyClick(elsewhere, Qt.Key.Key_Space)  # a tap still plays
    qtbot.waitUntil(lambda: window.learning.playing, timeout=2_000)
    assert window.learning.playing
    window.act_play.trigger()


def test_a_held_space_whose_auto_repeat_looks_like_taps_still_only_pans(qtbot, window):
    """Under some X servers a held key repeats as real release/press pairs: 0.1 (and the
    first fix) took the last of them for a tap and trained 3000 epochs during a pan."""
    from PySide6.QtCore import QPoint

    net = open_file(window, "examples/xor_untrained.json")
    before = net.parameters()
    vp = window.view.viewport()
    QTest.keyPress(vp, Qt.Key.Key_Space)
    a, b = QPoint(300, 300), QPoint(150, 220)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, 6):
        QTest.mouseMove(vp, QPoint(a.x() - 30 * i, a.y() - 16 * i))
        QTest.keyRelease(vp, Qt.Key.Key_Space)  # repeats reported as real events
        QTest.keyPress(vp, Qt.Key.Key_Space)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    QTest.keyRelease(vp, Qt.Key.Key_Space)
    QTest.keyPress(vp, Qt.Key.Key_Space)  # one more repeat after the mouse came up
    QTest.keyRelease(vp, Qt.Key.Key_Space)
    qtbot.wait(200)
    assert not window.learning.playing and net.parameters() == before
    assert window.learning.trainer is None or window.learning.trainer.epoch == 0


def unlabelled_network():
    net = build(
        [("x1", "input"), ("x2", "input"), ("h1", "hidden"), ("y", "output")],
        [("x1", "h1", 0.5), ("x2", "h1", -1.0), ("h1", "y", 2.0), ("x1", "y", 0.25)],
    )
    net.dataset = DatasetSpec(
        inputs=[[0, 0], [0, 1], [1, 0], [1, 1]], targets=[[0], [1], [1], [0]]
    )
    return net


# an operand missing: "·" followed by a space, an operator or the end; "∂L/∂" without a name
MISSING_OPERAND = re.compile(r"·(\s|$|[+=)−])|∂L/∂(\s|=|$)|\(\)")


def test_formulas_of_a_network_drawn_from_scratch_name_every_operand(window, tmp_path):
    net = unlabelled_network()
    save_network(net, tmp_path / "drawn.json")
    window.files.open_path(tmp_path / "drawn.json", ask=False)
    for sample in (None, 2):
        window.learning.set_sample(sample)
        window.act_step.trigger()
        walk = window.learning.session.walk
        for step in walk.steps:
            for text in (to_plain(step.symbolic), to_plain(step.line)):
                assert not MISSING_OPERAND.search(text), text
        window.learning.end_steps()
    lines = [to_plain(s.line) for s in walk.steps]
    assert any(line.startswith("z_h1 = w_x1→h1·x1 + w_x2→h1·x2 + b_h1") for line in lines)
    assert any(line.startswith("∂L/∂x1 = ") for line in lines)
    assert any(line.startswith("∂L/∂w_x1→y = δ_y·x1") for line in lines)
    shown = [
        window.step_panel.steps.item(i).text() for i in range(window.step_panel.steps.count())
    ]
    assert not any(MISSING_OPERAND.search(text.split(" ", 2)[-1]) for text in shown)


def test_an_update_never_reads_as_no_change(qtbot, window):
    """0.1 showed "−8.00 − 0.5·(−4.12×10⁻⁵) = −8.00" and "5.00 → 5.00" on the canvas."""
    net = open_file(window, "examples/xor_lecture.json")
    window.learning.granularity = "iteration"
    for _ in range(3):  # into the second iteration and to its end
        window.act_step.trigger()
    window.learning.granularity = "step"
    session = window.learning.session
    while not session.cursor.at_end:
        window.act_step.trigger()
    walk = session.walk
    updates = [s for s in walk.steps if s.kind == "update"]
    assert updates
    small = 0
    for step in updates:
        old = walk.weights[step.connection] if step.connection else walk.biases[step.neuron]
        old_text = to_plain(step.numeric).split(" ")[0]
        assert step.value == old or old_text != step.value_text, to_plain(step.line)
        small += abs(step.value - old) < 1e-3
    assert small  # the case that read "−8.00 − 0.5·(−4.12×10⁻⁵) = −8.00" is among them
    for key, item in window.scene.connection_items.items():
        old, new = item.label.extra.split(" → ")
        assert old != new or walk.new_weights[key] == walk.weights[key]
    assert net.parameters()[0] == walk.weights  # committed by the next step


@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(-1e3, 1e3, allow_nan=False),
    st.integers(2, 6),
)
def test_update_pair_differs_whenever_the_value_changed(old, step, digits):
    new = old + step
    old_text, new_text = update_pair(old, new, digits)
    if new != old:
        assert old_text != new_text
    assert float(old_text.replace("−", "-").replace("×10", "e").translate(SUPER)) == (
        pytest.approx(old, rel=10 ** (1 - digits), abs=1e-300)
    )


SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def test_walkthrough_of_a_drawn_network_equals_the_engine(window):
    """The step panel's numbers are the engine walkthrough's numbers."""
    net = unlabelled_network()
    reference = Walkthrough(net.copy(), np.array([[1.0], [0.0]]), np.array([[1.0]]))
    assert reference.steps[0].symbolic.startswith("z_{h1} = w_{x1→h1}·x1")


def test_the_docks_open_tabbed_so_the_window_fits(qtbot, window):
    tabbed = {d.windowTitle() for d in window.tabifiedDockWidgets(window.loss_dock)}
    assert {"Gradients", "Parameters"} <= tabbed
    tabbed = {d.windowTitle() for d in window.tabifiedDockWidgets(window.map_dock)}
    assert {"Data", "Hidden space", "Landscape"} <= tabbed
    qtbot.waitUntil(lambda: window.parameter_dock.visibleRegion().isEmpty(), timeout=2_000)
    assert window.decision_map.isVisible() and window.height() <= 900


def test_the_training_dock_shows_what_applies_and_takes_any_precision(qtbot, window):
    from tests.gui_helpers import type_into

    net = open_file(window, "examples/xor_untrained.json")
    panel = window.training_panel
    form, fields = panel.form, panel.fields

    def shown(name):
        return form.isRowVisible(fields[name])

    assert not shown("rho") and not shown("beta1") and not shown("min_learning_rate")
    combo = fields["optimizer"]
    combo.setCurrentIndex(combo.findData("rmsprop"))
    combo.activated.emit(combo.currentIndex())
    assert net.training.optimizer == "rmsprop" and shown("rho") and shown("epsilon")
    assert not shown("beta1") and not shown("momentum")
    fields["halve_on_rise"].setChecked(True)
    assert net.training.halve_on_rise and shown("halve_after") and shown("min_learning_rate")
    type_into(qtbot, fields["min_improvement"], "1e-6")
    assert net.training.min_improvement == 1e-6
    type_into(qtbot, fields["min_learning_rate"], "0.000001")
    assert net.training.min_learning_rate == 1e-6
    type_into(qtbot, fields["learning_rate"], "abc")  # refused, nothing changes
    assert net.training.learning_rate == 0.5
    assert "Learning rate η: “abc” is not a number" in panel.status.text()
    assert fields["learning_rate"].text() == "0.5"
    type_into(qtbot, fields["rho"], "1")
    assert net.training.rho == 0.9 and "must be less than 1" in panel.status.text()
    combo = fields["initializer"]
    combo.setCurrentIndex(combo.findData("uniform"))
    combo.activated.emit(combo.currentIndex())
    rng = fields["init_range"]
    type_into(qtbot, rng.low, "0")
    type_into(qtbot, rng.high, "1")
    assert net.training.init_range == [0.0, 1.0] and not shown("init_scale")
    window.act_rerandomize.trigger()
    values = [*net.parameters()[0].values(), *net.parameters()[1].values()]
    assert min(values) >= 0 and max(values) < 1
    window.act_undo.trigger()  # the new weights
    window.act_undo.trigger()  # the range: back to ±scale
    assert net.training.init_range is None and shown("init_scale")


def test_the_inspector_follows_training_and_enter_changes_nothing(qtbot, window):
    """0.1: the inspector kept a weight from before training; Enter wrote it back."""
    from tests.gui_helpers import click, connection_point, play_epochs

    net = open_file(window, "examples/xor_untrained.json")
    window.inspector_dock.raise_()
    click(window, *connection_point(window, ("x1", "h1")))
    field = window.inspector.weight_field
    assert field.edit.text() == format_number(net.connection("x1", "h1").weight, 6)
    play_epochs(qtbot, window, 200)
    window.act_play.trigger()
    trained = net.connection("x1", "h1").weight
    assert field.edit.text() == format_number(trained, 6)
    depth = window.doc.undo_stack.count()
    field.edit.setFocus()
    QTest.keyClick(field.edit, Qt.Key.Key_Return)
    assert net.connection("x1", "h1").weight == trained  # not rounded, not old
    assert window.doc.undo_stack.count() == depth


def test_a_new_document_shows_plain_empty_plots_and_esc_returns_to_select(window):
    window.files.new()
    assert not window.loss_panel.marker.isVisible()
    assert "No training yet" in window.loss_panel.readout.text()
    window.set_tool("output")
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Escape)
    assert window.scene.tool == "select" and window.tool_actions["select"].isChecked()


def test_predict_mode_on_the_lecture_iteration(qtbot, window):
    """Each result is hidden until typed: right, wrong (with the operand to look at) and
    revealed answers; the canvas and the list give nothing away; a score per iteration."""
    from tests.gui_helpers import type_into

    open_file(window, "examples/xor_lecture.json")
    panel = window.step_panel
    combo = panel.sample_combo
    combo.setCurrentIndex(combo.findData(1))  # x = (0, 1)
    combo.activated.emit(combo.currentIndex())
    panel.predict_box.setChecked(True)
    window.act_step.trigger()  # z_h₁ = 5·0 + 5·1 − 8 = ?
    assert "= <b>?</b>" in panel.formula.text() and "5·0 + 5·1 − 8" in panel.formula.text()
    assert panel.steps.item(0).text().endswith("= ?")
    assert not window.scene.neuron_items["h1"].annotation  # z not on the canvas yet
    window.act_step.trigger()  # refused until answered
    assert window.learning.session.cursor.position == 0
    type_into(qtbot, panel.answer, "5")
    assert "without + b = −8" in panel.verdict.text()
    type_into(qtbot, panel.answer, "-3")
    assert panel.verdict.text().startswith("✓")
    assert "z = −3" in "\n".join(window.scene.neuron_items["h1"].annotation)
    assert panel.steps.item(0).text().endswith("= −3")
    window.act_step.trigger()  # h₁ = σ(−3) = ?
    type_into(qtbot, panel.answer, "0.953")
    assert "Check σ(−3): you typed 0.953, that is σ(3)." in panel.verdict.text()
    panel.reveal_button.click()
    assert "0.0474" in panel.verdict.text()
    window.act_step.trigger()
    type_into(qtbot, panel.answer, "-4")  # z_h₂ = −7·0 − 7·1 + 3
    assert panel.score_label.text() == (
        "This iteration: 1 right the first time, 1 after another look, 1 revealed."
    )
    panel.predict_box.setChecked(False)
    assert not panel.predict_row.isVisible()
    assert not panel.steps.item(10).text().endswith("= ?")


def test_a_deep_chains_plots_draw_a_readable_number_of_curves(window, tmp_path):
    """1,000 neurons: the Gradients and Parameters docks draw at most 8 and 40 curves
    (0.2 made one per layer and per parameter, with legends: 18 s to open)."""
    from engine.network import Network

    net = Network("chain")
    prev = net.add_neuron("input", "x").id
    for i in range(300):
        kind = "hidden" if i < 299 else "output"
        prev_new = net.add_neuron(kind, f"n{i}", activation="tanh", position=(60.0 * i, 0)).id
        net.connect(prev, prev_new, 0.5)
        prev = prev_new
    net.dataset = DatasetSpec(inputs=[[0.0], [1.0]], targets=[[0.0], [1.0]])
    save_network(net, tmp_path / "chain.json")
    window.files.open_path(tmp_path / "chain.json", ask=False)
    window.gradient_dock.raise_()
    window.gradient_panel.sample()
    assert len(window.gradient_panel.curves) == 8
    window.learning.ensure_trainer().train(3)
    window.parameter_dock.raise_()
    window.parameter_panel.refresh()
    assert len(window.parameter_panel.curves) == 40
    assert "Showing 40 of 600 parameters" in window.parameter_panel.note.text()


def test_the_training_dock_chooses_float32_and_undo_takes_it_back(qtbot, window):
    net = open_file(window, "examples/xor_untrained.json")
    combo = window.training_panel.fields["dtype"]
    assert combo.currentData() == "float64" and window.training_panel.form.isRowVisible(combo)
    combo.setCurrentIndex(combo.findData("float32"))
    combo.activated.emit(combo.currentIndex())
    assert net.training.dtype == "float32"
    trainer = window.learning.ensure_trainer()
    assert trainer.dtype is np.float32
    trainer.train(5)
    window.learning._write_back()
    assert all(type(w) is float for w in net.parameters()[0].values())
    window.act_undo.trigger()  # the weights
    window.act_undo.trigger()  # the dtype
    assert net.training.dtype == "float64" and combo.currentData() == "float64"


@pytest.mark.parametrize("between", ["move a neuron", "save"])
def test_undo_after_training_on_lands_on_the_epoch_of_the_edit_between(
    qtbot, window, tmp_path, between
):
    """Train, move a neuron (or save) while still playing, train on, Undo: the trainer
    is back at the epoch the move or save saw, with the canvas showing that epoch's
    weights (0.1 loaded the state from before the first run, under the later weights)."""
    from gui.commands import MoveNeurons

    net = open_file(window, "examples/xor_untrained.json")
    window.doc.path = tmp_path / "xor.json"
    play_epochs(qtbot, window, 5)
    play_epochs(qtbot, window, 3)  # trained on, not yet shown: the move must take these too
    c = window.learning
    if between == "save":
        window.files.save()
    else:
        x, y = net.neuron("h1").position
        window.doc.undo_stack.push(MoveNeurons(window.doc, {"h1": (x, y)}, {"h1": (x, y + 40)}))
    at_edit = (c.trainer.epoch, c.trainer.parameters())
    assert net.parameters() == at_edit[1]  # what the save wrote is the trainer's
    play_epochs(qtbot, window, 4)
    window.act_play.trigger()  # pause
    assert c.trainer.epoch == at_edit[0] + 4
    window.act_undo.trigger()
    assert (c.trainer.epoch, c.trainer.parameters()) == at_edit
    assert net.parameters() == at_edit[1]
    if between == "move a neuron":  # Undo took back the training, not the move
        assert net.neuron("h1").position == (x, y + 40)
