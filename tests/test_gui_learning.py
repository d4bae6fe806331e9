"""Watching it learn in the app: stepping through an iteration on the canvas and in the
step-through panel, training with Play, pausing, time travel, divergence."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget

from engine.formatting import format_number, to_html, to_plain
from engine.maps import data_extent, neuron_map
from engine.trainer import Trainer
from engine.walkthrough import Walkthrough
from tests.gui_helpers import HandClock, play_epochs, type_into

pytestmark = pytest.mark.gui
RESOURCES = Path(__file__).resolve().parents[1] / "resources"


def open_example(window, examples, name):
    window.files.open_path(examples / f"{name}.json", ask=False)
    return window.doc.network


def choose_sample(window, sample):
    combo = window.step_panel.sample_combo
    combo.setCurrentIndex(combo.findData(sample))
    combo.activated.emit(combo.currentIndex())


def test_stepping_through_the_lecture_iteration_shows_the_engine_numbers(window, examples):
    net = open_example(window, examples, "xor_lecture")
    choose_sample(window, 1)  # x = (0, 1)
    reference = Walkthrough(net.copy(), np.array([[0.0], [1.0]]), np.array([[1.0]]))
    before = net.parameters()
    scene = window.scene
    for step in reference.steps:
        QTest.keyClick(window, Qt.Key.Key_Right)  # → : the next micro-step
        session = window.learning.session
        assert session.cursor.position == step.index
        # the panel shows this step's formula with its numbers
        assert to_html(step.line) in window.step_panel.formula.text()
        assert window.step_panel.steps.currentRow() == step.index
        # the canvas shows what is known so far
        if step.kind == "a":
            lines = scene.neuron_items[step.neuron].annotation
            assert f"a = {format_number(reference.a[step.neuron][0])}" in lines[0]
        if step.kind == "δ":
            assert (
                f"δ = {format_number(reference.delta[step.neuron][0])}"
                in scene.neuron_items[step.neuron].annotation
            )
        if step.kind == "∂w":
            label = scene.connection_items[step.connection].label
            assert (
                label.extra == f"∂L/∂w = {format_number(reference.weight_grad[step.connection])}"
            )
            assert scene.connection_items[step.connection].focus
        if step.kind == "update" and step.connection:
            assert "→" in scene.connection_items[step.connection].label.extra
    assert "5·0 + 5·1 − 8" in window.step_panel.steps.item(0).text()
    assert "−11·0.0474 − 11·0.0180 + 6 = 5.28" in window.step_panel.steps.item(4).text()

    # one more step commits the update; stepping back over it restores the weights exactly
    QTest.keyClick(window, Qt.Key.Key_Right)
    assert net.parameters() != before
    new_weights = reference.new_weights
    assert net.connection("x2", "h1").weight == pytest.approx(new_weights[("x2", "h1")], rel=1e-12)
    while window.learning.session.back("step"):
        pass
    window.learning._write_back()
    assert net.parameters() == before


def test_editing_while_stepping_restarts_cleanly(window, examples):
    net = open_example(window, examples, "xor_lecture")
    for _ in range(3):
        window.act_step.trigger()
    assert window.scene.neuron_items["h1"].annotation
    window.inspector.refresh()
    from gui.commands import SetParameters

    window.doc.undo_stack.push(SetParameters(window.doc, {("x1", "h1"): 1.0}, {}, "Set weight"))
    assert window.learning.session is None
    assert all(not i.annotation for i in window.scene.neuron_items.values())
    window.act_step.trigger()
    assert "1·0 + 5·0 − 8" in to_plain(window.learning.session.cursor.step.numeric)
    assert net.connection("x1", "h1").weight == 1.0


def test_play_trains_pause_responds_and_the_panels_follow(qtbot, window, examples):
    net = open_example(window, examples, "xor_untrained")
    net.training.max_epochs = 100_000
    untrained = net.parameters()
    headless = Trainer(net.copy())
    headless.train(3000)
    play_epochs(qtbot, window, 3000)
    assert window.learning.playing and window.act_play.text() == "Pause"
    # a click on Pause, queued behind the training slices, stops training when it is handled
    # (its latency, at most one slice, is measured in benchmarks/playing.py)
    after_click = []
    QTimer.singleShot(
        0, lambda: (window.act_play.trigger(), after_click.append(window.learning.playing))
    )
    qtbot.waitUntil(lambda: bool(after_click), timeout=2_000)
    assert after_click == [False] and window.act_play.text() == "Play"
    trainer = window.learning.trainer
    window.learning.clock.advance(10.0)
    qtbot.wait(20)
    assert trainer.epoch == 3000  # really paused
    assert np.array_equal(trainer.theta, headless.theta)
    assert trainer.history.loss == headless.history.loss

    h = trainer.history
    curve = window.loss_panel.train_curve  # plots redraw a few times a second at most
    qtbot.waitUntil(lambda: curve.yData is not None and len(curve.yData) == 3000, timeout=2_000)
    assert np.array_equal(curve.yData, np.asarray(h.loss))
    # the decision map is the engine's own evaluation of the trained network
    data = np.array(net.dataset.inputs)
    expected = neuron_map(headless.snapshot(), data_extent(data), window.decision_map.RESOLUTION)
    qtbot.waitUntil(
        lambda: np.array_equal(window.decision_map.last_image, expected), timeout=2_000
    )
    # the model holds the trained weights, and training is one undo step
    assert net.parameters() == headless.parameters()
    assert window.doc.undo_stack.undoText() == "Train"
    window.doc.undo_stack.undo()
    assert net.parameters() == untrained


@pytest.mark.parametrize(
    "name",
    [
        "examples/xor_untrained",
        "lessons/05_backprop_learns_xor",
        "lessons/09_vanishing_gradients",
        "lessons/10_hidden_layers_view",
    ],
)
def test_playing_with_every_dock_raised_equals_headless_training(qtbot, window, name):
    """The 0.1 bug: panels that read the network while Play ran reloaded old weights into
    the trainer, so about one Play in five stuck at 75 %."""
    window.files.open_path(RESOURCES / f"{name}.json", ask=False)
    net = window.doc.network
    headless = Trainer(net.copy())
    docks = [d for d in window.findChildren(QDockWidget) if not d.isHidden()]
    for dock in docks:
        dock.raise_()
        play_epochs(qtbot, window, 40)
        qtbot.wait(1)
    window.act_play.trigger()
    headless.train(40 * len(docks))
    trainer = window.learning.trainer
    assert trainer.epoch == headless.epoch == 40 * len(docks)
    assert np.array_equal(trainer.theta, headless.theta)
    assert trainer.history.loss == headless.history.loss
    assert net.parameters() == headless.parameters()


def test_speed_is_epochs_per_second(qtbot, window, examples):
    open_example(window, examples, "xor_untrained")
    combo = window.training_panel.speed
    combo.setCurrentIndex(combo.findData(5))
    combo.activated.emit(combo.currentIndex())
    controller = window.learning
    assert controller.epochs_per_second == 5
    controller.clock = clock = HandClock()
    window.act_play.trigger()
    seen = []
    for _ in range(10):  # two seconds at 5 epochs/s, a fifth of a second at a time
        clock.advance(0.2)
        qtbot.waitUntil(lambda: controller.trainer.epoch == len(seen) + 1, timeout=5_000)
        qtbot.waitUntil(
            lambda: window.doc.network.parameters() == controller.trainer.parameters(),
            timeout=5_000,
        )
        seen.append(window.doc.network.connection("x1", "h1").weight)
    window.act_play.trigger()
    assert controller.trainer.epoch == 10
    assert len(set(seen)) == 10  # every epoch was shown on the canvas


def test_time_travel_previews_without_dropping_and_continues_exactly(qtbot, window, examples):
    from PySide6.QtWidgets import QMessageBox

    from tests.gui_helpers import DialogAnswerer

    net = open_example(window, examples, "xor_untrained")
    headless = Trainer(net.copy())
    headless.train(1204)
    at_1204 = headless.parameters()
    window.loss_dock.raise_()
    play_epochs(qtbot, window, 3000)
    window.act_play.trigger()
    trainer = window.learning.trainer
    slider = window.loss_panel.slider
    qtbot.waitUntil(lambda: slider.maximum() == 3000, timeout=2_000)
    # dragging previews: canvas, map and table at the slider's epoch, nothing dropped
    slider.setSliderDown(True)
    for epoch in (2500, 1700, 1204):
        slider.setValue(epoch)
        assert window.learning.shown_epoch == epoch
    assert net.parameters() == at_1204
    assert trainer.epoch == 3000 and len(trainer.history.loss) == 3000
    label = window.scene.connection_items[("x1", "h1")].label.text
    assert label == format_number(at_1204[0][("x1", "h1")])
    qtbot.waitUntil(
        lambda: np.array_equal(
            window.decision_map.last_image,
            neuron_map(net.compile(), window.decision_map.extent, window.decision_map.RESOLUTION),
        ),
        timeout=2_000,
    )
    slider.setSliderDown(False)
    slider.sliderReleased.emit()
    assert window.doc.undo_stack.undoText() == "Train"  # a view, not an edit: no undo step
    assert window.doc.modified  # but what is shown is not what was saved
    qtbot.waitUntil(lambda: "Epoch 1204" in window.loss_panel.readout.text(), timeout=2_000)
    # going on from the past asks first (1796 epochs would go), and Cancel keeps them
    answerer = DialogAnswerer([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Ok])
    window.act_play.trigger()
    assert not window.learning.playing and trainer.epoch == 3000
    window.act_step.trigger()  # Step asks too; this time OK
    answerer.stop()
    assert "discards the 1796 epochs" in answerer.seen[0]
    assert len(answerer.seen) == 2
    assert trainer.epoch == 1204 and len(trainer.history.loss) == 1204
    assert trainer.history.loss == headless.history.loss
    assert trainer.parameters() == at_1204


def test_divergence_stops_with_a_message(qtbot, window, examples):
    net = open_example(window, examples, "xor_untrained")
    net.set_activation("y", "linear")
    net.training.loss = "mse"
    net.training.learning_rate = 80.0
    window.learning._network_edited()
    window.learning.clock = clock = HandClock()
    window.act_play.trigger()
    clock.advance(1000.0)
    qtbot.waitUntil(lambda: not window.learning.playing, timeout=10_000)
    assert "diverged" in window.training_panel.status.text()
    assert "Reset" in window.statusBar().currentMessage()
    assert all(np.isfinite(c.weight) for c in net.connections)


def test_messages_belong_to_the_document_on_screen(qtbot, window, examples, tmp_path):
    from engine.files import save_network

    net = open_example(window, examples, "xor_untrained")
    net.dataset = None
    save_network(net, tmp_path / "nodata.json")
    window.files.open_path(tmp_path / "nodata.json", ask=False)
    window.act_play.trigger()
    assert "no dataset" in window.training_panel.status.text()
    open_example(window, examples, "xor_lecture")
    assert window.training_panel.status.text() == ""


def test_shortcuts_are_listed_in_the_train_menu(window):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Train")
    shortcuts = {a.text(): a.shortcut().toString() for a in menu.actions()}
    assert shortcuts["&Step"] == "Right" and shortcuts["Step &Back"] == "Left"
    assert shortcuts["&Play"] == "Space" and shortcuts["&Reset Training"] == "R"


def test_the_truth_table_follows_the_network(qtbot, window, examples):
    open_example(window, examples, "xor_lecture")
    table = window.data_panel.model

    def cell(r, c):
        return table.data(table.index(r, c))

    headers = [table.headerData(c, Qt.Orientation.Horizontal) for c in range(table.columnCount())]
    assert headers == ["x₁", "x₂", "h₁", "h₂", "ŷ", "target y", "✓/✗"]  # y, as the steps say

    # the lecture's table: hidden outputs round to (0,1), (0,0), (0,0), (1,0); all correct
    def rounded(text):  # "1.67×10⁻⁵" rounds to 0
        return 0 if "×10⁻" in text else round(float(text.replace("−", "-")))

    hidden = [[rounded(cell(r, c)) for c in (2, 3)] for r in range(4)]
    assert hidden == [[0, 1], [0, 0], [0, 0], [1, 0]]
    assert [cell(r, 6) for r in range(4)] == ["✓"] * 4
    assert "4 of 4 samples classified correctly" in window.data_panel.summary.text()
    # break one weight: the table says which samples are now wrong
    from gui.commands import SetParameters

    window.doc.undo_stack.push(SetParameters(window.doc, {("h1", "y"): 11.0}, {}, "Set weight"))
    assert [cell(r, 6) for r in range(4)] == ["✓", "✓", "✓", "✗"]


def test_choosing_a_generated_dataset_is_undoable(qtbot, window, examples):
    net = open_example(window, examples, "xor_untrained")
    panel = window.data_panel
    panel.source.setCurrentIndex(panel.source.findData("circle"))
    panel.source.activated.emit(panel.source.currentIndex())
    assert net.dataset.generator == "circle" and panel.model.rowCount() == 200
    assert window.decision_map.points.data.size == 200
    window.doc.undo_stack.undo()
    assert net.dataset.generator is None and panel.model.rowCount() == 4


def test_a_csv_with_a_bad_value_is_refused_with_its_row_and_column(window, examples, tmp_path):
    net = open_example(window, examples, "xor_untrained")
    bad = tmp_path / "points.csv"
    bad.write_text("a,b,label\n0,1,1\n1,x,0\n", "utf-8")
    assert not window.data_panel.load_csv(bad)
    assert "row 3, column 'b': 'x' is not a number" in window.data_panel.summary.text()
    assert len(net.dataset.inputs) == 4
    good = tmp_path / "good.csv"
    good.write_text("a,b,label\n0,1,1\n1,1,0\n0,0,0\n", "utf-8")
    assert window.data_panel.load_csv(good)
    assert net.dataset.inputs == [[0, 1], [1, 1], [0, 0]] and net.dataset.targets == [
        [1],
        [0],
        [0],
    ]


def test_clicking_the_map_adds_and_removes_points(qtbot, window, examples):
    net = open_example(window, examples, "xor_lecture")
    window.map_dock.raise_()
    qtbot.wait(50)
    dmap = window.decision_map
    vb = dmap.plot.plotItem.vb

    def click_at(x, y, button):
        scene_point = vb.mapViewToScene(QPointF(x, y))
        QTest.mouseClick(
            dmap.plot.viewport(),
            button,
            Qt.KeyboardModifier.NoModifier,
            dmap.plot.mapFromScene(scene_point),
        )

    dmap.add_class.setCurrentIndex(1)
    click_at(0.5, 0.5, Qt.MouseButton.LeftButton)
    assert len(net.dataset.inputs) == 5 and net.dataset.targets[-1] == [1.0]
    assert net.dataset.inputs[-1] == pytest.approx([0.5, 0.5], abs=0.02)
    assert window.data_panel.model.rowCount() == 5
    click_at(0.0, 0.0, Qt.MouseButton.RightButton)
    assert [0.0, 0.0] not in net.dataset.inputs and len(net.dataset.inputs) == 4
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    assert net.dataset.inputs == [[0, 0], [0, 1], [1, 0], [1, 1]]


def test_neuron_maps_on_the_canvas_follow_training(qtbot, window, examples):
    net = open_example(window, examples, "xor_untrained")
    item = window.scene.neuron_items["h1"]
    assert item.thumbnail is None
    window.act_thumbnails.trigger()
    assert item.thumbnail is not None and window.scene.neuron_items["x1"].thumbnail is None
    before = item.thumbnail.copy()
    trainer = window.learning.ensure_trainer()
    trainer.train(500)
    window.learning._write_back()
    window.learning.progress.emit()
    qtbot.waitUntil(lambda: item.thumbnail != before, timeout=2_000)
    window.act_thumbnails.trigger()
    assert item.thumbnail is None
    assert net.dataset is not None


def test_training_settings_are_undoable_and_test_points_are_outlined(qtbot, window, examples):
    net = open_example(window, examples, "xor_noisy_online")
    fields = window.training_panel.fields
    type_into(qtbot, fields["learning_rate"], "0.25")
    type_into(qtbot, fields["target_loss"], "0.2")
    assert net.training.learning_rate == 0.25 and net.training.target_loss == 0.2
    window.doc.undo_stack.undo()
    assert net.training.target_loss is None
    panel = window.data_panel
    panel.test_fraction.setValue(0.25)
    panel.test_fraction.editingFinished.emit()
    assert net.dataset.test_fraction == 0.25
    points = window.decision_map.points.points()
    outlined = [p for p in points if p.brush().color().name() == "#ffffff"]
    assert len(points) == 200 and len(outlined) == 50


def test_reset_with_new_weights(qtbot, window, examples):
    from engine.initializers import initial_parameters

    net = open_example(window, examples, "xor_untrained")
    window.learning.ensure_trainer().train(50)
    net.training.initializer, net.training.seed = "he", 7
    window.act_rerandomize.trigger()
    assert net.parameters() == initial_parameters(net, "he", 7)
    # training starts over from the new weights (a panel that shows gradients may have
    # made the new trainer already, when its throttle let it refresh at once)
    t = window.learning.trainer
    assert t is None or (t.epoch == 0 and t.parameters() == net.parameters())


def test_the_map_chooses_inputs_and_output_and_holds_the_others_by_sliders(
    qtbot, window, tmp_path
):
    from engine.files import save_network
    from engine.settings import DatasetSpec
    from tests.helpers import build

    net = build(
        [("a", "input"), ("b", "input"), ("c", "input"), ("p", "output"), ("q", "output", "tanh")],
        [("a", "p", 1.0), ("b", "p", -1.0), ("c", "p", 2.0), ("a", "q", 0.5), ("c", "q", -1.0)],
    )
    net.dataset = DatasetSpec(
        inputs=[[0, 0, -1], [1, 1, 1], [0, 1, 0]], targets=[[0, 1], [1, 0], [0, 0]]
    )
    save_network(net, tmp_path / "three.json")
    window.files.open_path(tmp_path / "three.json", ask=False)
    dmap = window.decision_map
    assert not dmap.choices.isHidden() and list(dmap.sliders) == [2]
    dmap.x_combo.setCurrentIndex(2)  # c on the x axis: now b gets the slider
    dmap.x_combo.activated.emit(2)
    assert dmap.axes == (2, 1) and list(dmap.sliders) == [0]
    dmap.out_combo.setCurrentIndex(1)
    dmap.out_combo.activated.emit(1)
    dmap.sliders[0].setValue(100)  # a held at its largest value, 1
    expected = neuron_map(
        window.doc.network.compile(),
        dmap.extent,
        dmap.RESOLUTION,
        neuron="q",
        axes=(2, 1),
        fixed=[1.0, 0.0, 0.0],
    )
    assert np.allclose(dmap.last_image, expected, atol=1e-6)
    assert dmap.plot.getAxis("bottom").labelText == "c"


def test_an_edit_while_playing_stops_training_and_is_kept(qtbot, window, examples):
    from gui.commands import SetParameters

    net = open_example(window, examples, "xor_untrained")
    net.training.max_epochs = 10**9
    play_epochs(qtbot, window, 100)
    window.doc.undo_stack.push(SetParameters(window.doc, {("x1", "h1"): 42.0}, {}, "Set weight"))
    assert not window.learning.playing and window.act_play.text() == "Play"
    qtbot.wait(100)
    assert net.connection("x1", "h1").weight == 42.0  # not overwritten by training


def test_parameter_evolution_follows_the_snapshots(qtbot, window, examples):
    net = open_example(window, examples, "xor_untrained")
    window.parameter_dock.raise_()
    trainer = window.learning.ensure_trainer()
    trainer.train(120)
    panel = window.parameter_panel
    panel.refresh()
    assert len(panel.shown) == 9  # 6 weights, 3 biases
    epochs, values = panel.shown["w x₁→h₁"]
    assert epochs[0] == 0 and epochs[-1] == 120
    assert values[-1] == trainer.theta[trainer.snapshot().weight_index[("x1", "h1")]]
    assert values[0] == net.connection("x1", "h1").weight  # not written back yet: the start
    panel.which.setCurrentIndex(panel.which.findData("y"))
    panel.which.activated.emit(panel.which.currentIndex())
    assert sorted(panel.shown) == ["b ŷ", "w h₁→ŷ", "w h₂→ŷ"]


def test_undo_and_redo_of_training_keep_the_history(qtbot, window, examples):
    """0.2's first cut: Undo after training dropped the trainer, its loss curves and time
    travel. Undo now puts the trainer back where the run began, Redo where it ended."""
    from PySide6.QtWidgets import QMessageBox

    from tests.gui_helpers import DialogAnswerer

    net = open_example(window, examples, "xor_untrained")
    start = net.parameters()
    window.loss_dock.raise_()
    play_epochs(qtbot, window, 3000)
    window.act_play.trigger()
    trainer = window.learning.trainer
    at_3000, losses = trainer.parameters(), list(trainer.history.loss)
    slider = window.loss_panel.slider
    qtbot.waitUntil(lambda: slider.maximum() == 3000, timeout=2_000)
    slider.setSliderDown(True)
    slider.setValue(1445)
    slider.setSliderDown(False)
    answerer = DialogAnswerer([QMessageBox.StandardButton.Ok])
    window.act_step.trigger()  # continue from 1445: the later history goes (asked)
    window.learning.granularity = "iteration"
    window.act_step.trigger()
    window.act_step.trigger()  # one iteration committed
    answerer.stop()
    assert trainer.epoch == 1446 and len(answerer.seen) == 1
    window.act_undo.trigger()  # the steps: back at 1445, its history kept
    assert window.learning.trainer is trainer and trainer.epoch == 1445
    assert trainer.history.loss == losses[:1445]
    window.act_undo.trigger()  # the training: back to the start
    assert trainer.epoch == 0 and not trainer.history.loss and net.parameters() == start
    window.act_redo.trigger()  # and forward again: all 3000 epochs, curves and all
    assert trainer.epoch == 3000 and trainer.history.loss == losses
    assert net.parameters() == at_3000
    qtbot.waitUntil(lambda: slider.maximum() == 3000, timeout=2_000)  # time travel is back


def test_undoing_an_edit_after_training_gives_the_trainer_back(qtbot, window):
    """A trial: in lesson 1, after 399 epochs, a weight typed on the canvas and Ctrl+Z
    gave the weights back but not the loss curves or time travel ("No training yet").
    Undoing an edit now brings the trainer back exactly as it stood (epoch, history,
    snapshots, the epoch viewed); redoing the edit drops it again."""
    from PySide6.QtGui import QKeySequence

    from gui.commands import RemoveItems
    from gui.panels.throttle import flush_all
    from tests.gui_helpers import click, double_click, neuron_centre

    window.files.open_path(RESOURCES / "lessons" / "01_and_or.json", ask=False)
    net = window.doc.network
    opened = net.copy()
    window.loss_dock.raise_()
    play_epochs(qtbot, window, 399)
    window.act_play.trigger()  # pause
    trainer = window.learning.trainer
    at_399, losses = trainer.parameters(), list(trainer.history.loss)
    snapshots = list(trainer.snapshots)
    readout, slider = window.loss_panel.readout, window.loss_panel.slider

    def shows(text: str, maximum: int = 399) -> bool:
        flush_all()
        return slider.maximum() == maximum and readout.text().startswith(text)

    qtbot.waitUntil(lambda: shows("Epoch 399:"), timeout=2_000)
    label = window.scene.connection_items[("x1", "y")].label.scenePos()
    double_click(window, label.x(), label.y())  # the weight, typed on the canvas
    type_into(qtbot, window.inline_editor, "3")
    assert net.connection("x1", "y").weight == 3 and window.learning.trainer is None
    qtbot.waitUntil(lambda: shows("No training yet", 0), timeout=2_000)

    assert QKeySequence("Ctrl+Z") in window.act_undo.shortcuts()
    window.act_undo.trigger()
    assert net.parameters() == at_399
    assert window.learning.trainer is trainer and trainer.epoch == 399
    assert trainer.history.loss == losses and list(trainer.snapshots) == snapshots
    assert trainer.parameters() == at_399
    qtbot.waitUntil(lambda: shows("Epoch 399:"), timeout=2_000)  # curves and time travel

    window.act_redo.trigger()  # the edit again: its network never trained
    assert window.learning.trainer is None and net.connection("x1", "y").weight == 3
    qtbot.waitUntil(lambda: shows("No training yet", 0), timeout=2_000)
    window.act_undo.trigger()
    assert window.learning.trainer is trainer and trainer.history.loss == losses
    qtbot.waitUntil(lambda: shows("Epoch 399:"), timeout=2_000)

    # viewing an earlier epoch, a bias typed in the inspector: Undo views it again
    slider.setSliderDown(True)
    slider.setValue(120)
    slider.setSliderDown(False)
    at_120 = trainer.at_epoch(120).parameters()
    assert net.parameters() == at_120
    click(window, *neuron_centre(window, "y"))
    type_into(qtbot, window.inspector.bias_field.edit, "2")
    assert net.neuron("y").bias == 2 and window.learning.trainer is None
    window.act_undo.trigger()
    assert window.learning.trainer is trainer and window.learning.viewing == 120
    assert net.parameters() == at_120 and trainer.epoch == 399
    qtbot.waitUntil(lambda: shows("Epoch 120:"), timeout=2_000)

    # a structure edit too (a connection deleted); training then goes on exactly
    window.learning.preview(399)
    window.doc.undo_stack.push(RemoveItems(window.doc, [], [("x2", "y")]))
    assert window.learning.trainer is None
    window.act_undo.trigger()
    assert window.learning.trainer is trainer and trainer.epoch == 399
    play_epochs(qtbot, window, 1)
    window.act_play.trigger()
    reference = Trainer(opened)
    reference.train(400)
    assert trainer.history.loss == reference.history.loss
    assert trainer.parameters() == reference.parameters() == net.parameters()


def test_a_batch_walk_shows_per_sample_derivatives_as_dL_i(window, examples):
    """A trial: on the batch, L is the mean but ∂L/∂ŷ, δ and ∂L/∂x are one sample's; the
    panel, the list and the canvas write those ∂Lᵢ and say which sample i is."""
    open_example(window, examples, "xor_lecture")  # full batch of 4
    window.learning.granularity = "step"
    shown = {}
    while not shown.get("∂x"):
        window.act_step.trigger()
        step = window.learning.session.cursor.step
        shown.setdefault(step.kind, window.step_panel.formula.text())  # the first of each
    assert window.learning.session.walk.m == 4
    assert "∂Lᵢ/∂ŷ = " in shown["dL/dŷ"] and "∂Lᵢ/∂ŷ·" in shown["δ"]
    assert "sample i = 0 of the batch of 4; L, ∂L/∂w, ∂L/∂b: batch means" in shown["∂x"]
    listed = [
        window.step_panel.steps.item(i).text() for i in range(window.step_panel.steps.count())
    ]
    assert any("∂L/∂w" in to_plain(t) and "(1/4)" in to_plain(t) for t in listed)  # the mean
    x1 = "\n".join(window.scene.neuron_items["x1"].annotation)
    assert "∂Lᵢ/∂x = " in x1
    choose_sample(window, 1)  # one sample alone: its loss is L
    window.act_step.trigger()
    while window.learning.session.cursor.step.kind != "∂x":
        window.act_step.trigger()
    assert "∂L/∂x = " in "\n".join(window.scene.neuron_items["x1"].annotation)
    assert "batch" not in window.step_panel.formula.text()


def test_reset_training_goes_back_to_the_start_and_undo_brings_the_run_back(
    qtbot, window, examples
):
    """Reset Training shows the weights training started from, with no history; Undo of
    the reset gives back the trained weights *and* the trainer as it stood (history,
    time travel), Redo resets again, and training on after that matches a fresh run."""
    net = open_example(window, examples, "xor_untrained")
    start = net.parameters()
    play_epochs(qtbot, window, 40)
    window.act_play.trigger()  # pause
    c = window.learning
    trained = (c.trainer.epoch, net.parameters(), list(c.trainer.history.loss))
    assert trained[0] == 40 and trained[1] != start
    window.act_reset.trigger()
    assert net.parameters() == start
    assert c.trainer is None or (c.trainer.epoch == 0 and not c.trainer.history.loss)
    window.act_undo.trigger()
    assert net.parameters() == trained[1]
    assert c.trainer is not None and c.trainer.epoch == 40
    assert c.trainer.history.loss == trained[2]  # the curves and time travel are back
    window.act_redo.trigger()
    assert net.parameters() == start
    assert c.trainer is None or (c.trainer.epoch == 0 and not c.trainer.history.loss)
    play_epochs(qtbot, window, 5)
    window.act_play.trigger()
    fresh = Trainer(net.copy())
    fresh.network.set_parameters(*start)
    fresh = Trainer(fresh.network)
    fresh.train(5)
    assert c.trainer.history.loss == fresh.history.loss == trained[2][:5]


def test_reset_while_viewing_an_earlier_epoch_undoes_to_the_latest(qtbot, window, examples):
    net = open_example(window, examples, "xor_untrained")
    play_epochs(qtbot, window, 30)
    window.act_play.trigger()
    c = window.learning
    latest = (net.parameters(), list(c.trainer.history.loss))
    c.preview(10)  # time travel: the canvas shows epoch 10
    window.act_reset.trigger()
    window.act_undo.trigger()
    assert c.viewing is None and c.trainer.epoch == 30
    assert net.parameters() == latest[0] == c.trainer.parameters()
    assert c.trainer.history.loss == latest[1]


def test_reset_after_stepping_undoes_to_the_stepped_state(qtbot, window, examples):
    net = open_example(window, examples, "xor_untrained")
    c = window.learning
    c.granularity = "iteration"
    for _ in range(3):
        window.act_step.trigger()
    stepped = (c.trainer.iteration, net.parameters())
    assert stepped[0] >= 2  # (the last step may stand before its update)
    window.act_reset.trigger()
    assert c.trainer.iteration == 0 and c.session is None
    assert [window.doc.undo_stack.text(i) for i in range(window.doc.undo_stack.count())] == [
        "Step through training",
        "Reset training",
    ]
    window.act_undo.trigger()
    assert (c.trainer.iteration, net.parameters()) == stepped
    assert net.parameters() == c.trainer.parameters()
