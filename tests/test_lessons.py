"""The lessons: each opens from the menu and makes its point when walked through."""

import numpy as np
import pytest

from engine.examples import lesson_of, lessons_dir, list_lessons
from engine.files import load_network
from engine.trainer import Trainer

pytestmark = pytest.mark.gui


def open_lesson(window, stem):
    title = list_lessons()[stem]
    action = next(a for a in window.lessons_menu.actions() if a.text() == title)
    action.trigger()
    return window.doc.network


def test_every_lesson_opens_from_the_menu_with_its_text(window):
    titles = [a.text() for a in window.lessons_menu.actions()]
    assert titles == list(list_lessons().values()) and len(titles) >= 6
    for stem in list_lessons():
        net = open_lesson(window, stem)
        lesson = lesson_of(net)
        assert lesson and all(lesson[k] for k in ("goal", "do", "observe", "question"))
        shown = window.lesson_panel.text.toPlainText()
        assert lesson["title"] in shown and "What to observe" in shown
        assert window.doc.path is None  # a template: Save asks where


def test_the_lessons_menu_sorts_numbers_as_numbers(window):
    """A trial: the menu listed lesson 17's variants as 16, 3, 8 and lesson 18's λ = 0.01
    before λ = 0 (file-name order)."""
    titles = [a.text() for a in window.lessons_menu.actions()]
    numbers = [t.split(".")[0] for t in titles]
    assert numbers[:4] == ["1", "2", "3", "3b"] and numbers.index("10") > numbers.index("9")
    seventeen = [t.split(": ")[1] for t in titles if t.startswith("17.")]
    assert seventeen == ["3 hidden neurons", "8 hidden neurons", "16 hidden neurons"]
    eighteen = [t.split("λ = ")[1] for t in titles if t.startswith("18.")]
    assert eighteen == ["0", "0.01"]


def test_lesson_2_one_neuron_never_passes_75_percent_on_xor(window):
    net = open_lesson(window, "02_one_neuron_xor")
    trainer = window.learning.ensure_trainer()
    trainer.train()
    assert max(trainer.history.accuracy) <= 0.75 and trainer.evaluate()[1] <= 0.75
    assert net.training.max_epochs == trainer.epoch


def test_lesson_3_the_truth_table_is_all_correct(window):
    open_lesson(window, "03_xor_by_hand")
    window.data_dock.raise_()
    assert "4 of 4 samples classified correctly" in window.data_panel.summary.text()


def test_lesson_4_the_backward_pass_shows_5_minus_2_and_1(window):
    open_lesson(window, "04_chain_rule")
    for _ in range(8):
        window.act_step.trigger()
    state = window.learning.walk_state
    assert state.weight_grads == {("x", "f"): 5.0}
    assert state.input_grads == {"x": -2.0}
    assert state.bias_grads == {"f": 1.0}
    assert window.scene.connection_items[("x", "f")].label.extra == "∂L/∂w = 5"


def test_lesson_5_opens_and_trains_as_its_text_says(window):
    net = open_lesson(window, "05_backprop_learns_xor")
    trainer = Trainer(net.copy())
    trainer.train()
    assert trainer.history.accuracy[-1] == 1.0  # the claims in detail: test_lesson_claims


def test_lesson_files_are_valid_network_files():
    for path in sorted(lessons_dir().glob("*.json")):
        net = load_network(path)
        assert lesson_of(net)["title"] == net.name


def test_lesson_9_vanishing_gradients_in_the_gradient_panel(window):
    from engine.initializers import initial_parameters
    from gui.commands import SetNeuronProperty, SetParameters

    net = open_lesson(window, "09_vanishing_gradients")
    window.gradient_dock.raise_()
    window.gradient_panel.sample()
    first, *_, last = window.gradient_panel.latest
    assert last >= 100 * first  # sigmoids: the first layer hardly gets any gradient
    assert "the last layer's gradients are" in window.gradient_panel.readout.text()
    hidden = [n.id for n in net.neurons if n.kind == "hidden"]
    window.doc.undo_stack.push(SetNeuronProperty(window.doc, hidden, "activation", "tanh"))
    w, b = initial_parameters(net, "xavier", 0)
    window.doc.undo_stack.push(SetParameters(window.doc, w, b, "Randomize"))
    window.gradient_panel.sample()
    first, *_, last = window.gradient_panel.latest
    assert last < 10 * first  # tanh with Xavier: every layer learns


def test_lesson_10_xor_becomes_linearly_separable_in_the_hidden_space(window):
    from engine.maps import hidden_space

    net = open_lesson(window, "10_hidden_layers_view")
    window.hidden_dock.raise_()
    trainer = window.learning.ensure_trainer()
    trainer.train()
    trainer.write_back()
    window.hidden_panel.refresh()
    points, line = window.hidden_panel.last_points, window.hidden_panel.last_line
    expected, _ = hidden_space(net, trainer.X, "h1", "h2")
    assert np.allclose(points, expected)
    # the output's line separates the classes in the hidden plane
    w1, w2 = net.connection("h1", "y").weight, net.connection("h2", "y").weight
    side = points @ [w1, w2] + net.neuron("y").bias > 0
    assert np.array_equal(side, trainer.Y[0] > 0.5) and line is not None


def test_lesson_1_one_neuron_learns_and_then_or(window):
    from engine.settings import DatasetSpec
    from gui.commands import SetDataset

    net = open_lesson(window, "01_and_or")
    assert Trainer(net.copy()).train().accuracy == 1.0
    window.doc.undo_stack.push(SetDataset(window.doc, DatasetSpec(generator="or")))
    assert Trainer(net.copy()).train().accuracy == 1.0


def test_lesson_14_the_matrix_form_as_its_text_says(window):
    open_lesson(window, "14_xor_matrix_form")
    panel = window.step_panel
    window.step_dock.raise_()
    for combo, data in ((panel.sample_combo, 1), (panel.granularity_combo, "level")):
        combo.setCurrentIndex(combo.findData(data))
        combo.activated.emit(combo.currentIndex())
    assert panel.sample_combo.currentText() == "Sample 1: x = (0, 1), y = 1"
    panel.matrix_box.setChecked(True)
    window.act_step.trigger()
    text = panel.matrix.toPlainText()
    assert "Z₁ = [−3  −4]" in text and "A₁ = [0.0474  0.0180]" in text
    window.act_step.trigger()
    text = panel.matrix.toPlainText()
    assert "Z₂ = [5.28]" in text and "A₂ = [0.995]" in text
    combo = panel.sample_combo
    combo.setCurrentIndex(combo.findData(None))
    combo.activated.emit(combo.currentIndex())
    window.act_step.trigger()
    assert "⎣ 2  −11⎦" in panel.matrix.toPlainText()


def test_lesson_15_the_graph_window_shows_the_chain_rule(qtbot, window):
    from tests.test_gui_compgraph import open_graph_from_menu, press

    open_lesson(window, "15_chain_rule_graph")
    window.view.resetTransform()
    window.view.centerOn(120, 0)
    graph = open_graph_from_menu(qtbot, window, "f")
    while "step 8 of 10" not in graph.caption.text().lower():
        press(qtbot, graph, "Step")
    texts, edges = graph.scene.texts_shown(), graph.scene.edge_texts()
    assert texts["mul:x"].split("\n")[:3] == ["[×]  g = wx→f·x", "= −10", "∂L/∂g = 1"]
    assert texts["z"].split("\n")[1] == "= −7" and texts["act"].split("\n")[1] == "= −7"
    assert edges[("act", "loss")] == "∂L/∂f = 1" and edges[("w:x", "mul:x")] == "∂g/∂wx→f = x = 5"
    assert texts["w:x"].split("\n")[2] == "∂L/∂wx→f = 5"
    assert (
        texts["a:x"].split("\n")[2] == "∂L/∂x = −2" and texts["b"].split("\n")[2] == "∂L/∂bf = 1"
    )
    press(qtbot, graph, "Step Back")
    press(qtbot, graph, "Step Back")
    assert graph.scene.texts_shown()["a:x"].split("\n")[2] == "∂L/∂x = ?"


def test_lesson_16_the_landscape_dock_shows_a_flat_tangent(qtbot, window):
    from gui.panels.throttle import flush_all
    from tests.gui_helpers import type_into

    open_lesson(window, "16_step_flat_landscape")
    window.landscape_dock.raise_()
    panel = window.landscape_panel
    for combo, data in ((panel.x_combo, "x1->h1"), (panel.y_combo, "__none__")):
        combo.setCurrentIndex(combo.findData(data))
        combo.activated.emit(combo.currentIndex())
    type_into(qtbot, panel.span_edit, "15")
    flush_all()
    assert panel.landscape.axes[0][0] == -20 and panel.landscape.axes[0][-1] == 10
    assert "slope ∂L/∂p = 0;" in panel.caption.text()
    assert panel.x_combo.currentText() == "w x₁→h₁"
