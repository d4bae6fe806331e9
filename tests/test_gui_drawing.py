"""Drawing the lecture's XOR network by mouse, as a teacher would, then undo/redo, save and
reopen; refused connections; typed values that cannot be accepted."""

import pytest
from PySide6.QtCore import Qt

from engine.files import load_network
from tests.gui_helpers import (
    click,
    connection_point,
    double_click,
    drag,
    handle_point,
    key,
    neuron_centre,
    type_into,
)

pytestmark = pytest.mark.gui

LECTURE_NEURONS = [  # (kind, position, label, bias)
    ("input", (0, 0), "x₁", None),
    ("input", (0, 200), "x₂", None),
    ("hidden", (260, 0), "h₁", -8),
    ("hidden", (260, 200), "h₂", 3),
    ("output", (520, 100), "ŷ", 6),
]
LECTURE_WEIGHTS = [
    ("x₁", "h₁", 5),
    ("x₂", "h₁", 5),
    ("x₁", "h₂", -7),
    ("x₂", "h₂", -7),
    ("h₁", "ŷ", -11),
    ("h₂", "ŷ", -11),
]
TOOL_KEY = {"input": Qt.Key.Key_I, "hidden": Qt.Key.Key_H, "output": Qt.Key.Key_O}


def by_label(net):
    """(neurons, connections) keyed by label, comparable across different ids."""
    name = {n.id: n.name for n in net.neurons}
    neurons = {n.name: (n.kind, n.activation, n.bias, n.position) for n in net.neurons}
    conns = {(name[c.source], name[c.target]): c.weight for c in net.connections}
    return neurons, conns


def draw_lecture_network(qtbot, window):
    ids = {}
    for kind, (x, y), label, _bias in LECTURE_NEURONS:
        window.tool_actions[kind].trigger()
        click(window, x, y)
        ids[label] = window.doc.network.neurons[-1].id
    assert len(window.doc.network.neurons) == 5

    # the first connection from the + handle in the Select tool, the others with Connect
    window.tool_actions["select"].trigger()
    click(window, *neuron_centre(window, ids["x₁"]))  # select: the handle shows
    drag(window, handle_point(window, ids["x₁"]), neuron_centre(window, ids["h₁"]))
    window.tool_actions["connect"].trigger()
    for s, t, _w in LECTURE_WEIGHTS[1:]:
        drag(window, neuron_centre(window, ids[s]), neuron_centre(window, ids[t]))
    assert len(window.doc.network.connections) == 6
    window.tool_actions["select"].trigger()

    for s, t, w in LECTURE_WEIGHTS:
        click(window, *connection_point(window, (ids[s], ids[t])))
        assert window.scene.selected_connections() == [(ids[s], ids[t])]
        type_into(qtbot, window.inspector.weight_field.edit, str(w).replace("-", "−"))
    for _kind, _pos, label, bias in LECTURE_NEURONS:
        click(window, *neuron_centre(window, ids[label]))
        assert window.scene.selected_neurons() == [ids[label]]
        type_into(qtbot, window.inspector.label_edit, label)
        if bias is not None:
            type_into(qtbot, window.inspector.bias_field.edit, str(bias))
    return ids


def test_draw_the_lecture_network_undo_redo_save_and_reopen(
    qtbot, window, tmp_path, examples, monkeypatch
):
    draw_lecture_network(qtbot, window)
    expected = load_network(examples / "xor_lecture.json")
    drawn = window.doc.network
    assert by_label(drawn)[1] == by_label(expected)[1]
    exp_neurons, got_neurons = by_label(expected)[0], by_label(drawn)[0]
    for label, (kind, act, bias, pos) in exp_neurons.items():
        assert got_neurons[label][:3] == (kind, act, bias)
        assert got_neurons[label][3] == pytest.approx(pos, abs=2)  # placed by mouse
    assert window.isWindowModified()

    # undo everything: the empty network; redo everything: the lecture network again
    stack = window.doc.undo_stack
    steps = stack.count()
    while stack.canUndo():
        stack.undo()
    assert drawn.neurons == [] and drawn.connections == []
    assert window.scene.neuron_items == {} and window.scene.connection_items == {}
    for _ in range(steps):
        stack.redo()
    assert by_label(window.doc.network)[1] == by_label(expected)[1]
    assert len(window.scene.connection_items) == 6

    # Save As… then reopen: the same network
    target = tmp_path / "drawn.json"
    monkeypatch.setattr("gui.files.QFileDialog.getSaveFileName", lambda *a, **k: (str(target), ""))
    assert window.files.save_as()
    assert not window.isWindowModified() and window.windowTitle().startswith("drawn.json")
    reopened = load_network(target)
    assert by_label(reopened)[1] == by_label(expected)[1]
    assert {k: v[:3] for k, v in by_label(reopened)[0].items()} == {
        k: v[:3] for k, v in exp_neurons.items()
    }
    assert window.files.open_path(target)
    assert by_label(window.doc.network) == by_label(reopened)


def _lecture_window(window, examples):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    window.view.resetTransform()
    window.view.centerOn(220, 90)
    return window


@pytest.mark.parametrize(
    ("source", "target", "reason"),
    [
        ("h2", "h1", "it would close a cycle h₁ → h₂ → h₁"),  # labels, as the others
        ("x1", "h1", "they are already connected"),
        ("h1", "x1", "x₁ is an input neuron"),
        ("y", "h1", "ŷ is an output neuron"),
    ],
)
def test_refused_connections_change_nothing_and_say_why(
    qtbot, window, examples, source, target, reason
):
    _lecture_window(window, examples)
    window.doc.network.connect("h1", "h2", 1.0)  # so that h2 → h1 would close a cycle
    window.scene.rebuild()
    before = [(c.key, c.weight) for c in window.doc.network.connections]
    undo_count = window.doc.undo_stack.count()
    window.tool_actions["connect"].trigger()
    drag(window, neuron_centre(window, source), neuron_centre(window, target))
    assert [(c.key, c.weight) for c in window.doc.network.connections] == before
    assert window.doc.undo_stack.count() == undo_count
    assert reason in window.statusBar().currentMessage()


def test_hovering_an_invalid_target_marks_it_and_esc_cancels(qtbot, window, examples):
    _lecture_window(window, examples)
    from PySide6.QtTest import QTest

    window.tool_actions["connect"].trigger()
    vp = window.view.viewport()
    start = window.view.mapFromScene(*neuron_centre(window, "h1"))
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    assert window.scene.neuron_items["h2"].target_state == "valid"  # valid targets light up
    assert window.scene.neuron_items["y"].target_state is None  # already connected
    QTest.mouseMove(vp, window.view.mapFromScene(*neuron_centre(window, "x1")))
    assert window.scene.neuron_items["x1"].target_state == "invalid"
    key(window, Qt.Key.Key_Escape)
    assert not window.scene.connecting
    assert all(i.target_state is None for i in window.scene.neuron_items.values())


def test_typing_abc_as_a_weight_changes_nothing(qtbot, window, examples):
    _lecture_window(window, examples)
    click(window, *connection_point(window, ("x1", "h1")))
    field = window.inspector.weight_field
    for text in ("abc", "nan", "inf", ""):
        type_into(qtbot, field.edit, text)
        assert window.doc.network.connection("x1", "h1").weight == 5
        assert window.doc.undo_stack.count() == 0
        assert field.error.isVisible() and "Not changed" in field.error.text()
    type_into(qtbot, field.edit, "2,5")  # a decimal comma is a number
    assert window.doc.network.connection("x1", "h1").weight == 2.5
    assert not field.error.isVisible()


def test_inline_weight_edit_on_the_canvas(qtbot, window, examples):
    _lecture_window(window, examples)
    label = window.scene.connection_items[("h1", "y")].label.scenePos()
    double_click(window, label.x(), label.y())
    editor = window.inline_editor
    assert editor.isVisible() and editor.text() == "−11"
    type_into(qtbot, editor, "abc")
    assert window.doc.network.connection("h1", "y").weight == -11
    assert "not a number" in window.statusBar().currentMessage()
    type_into(qtbot, editor, "−12.5")
    assert window.doc.network.connection("h1", "y").weight == -12.5
    assert window.scene.connection_items[("h1", "y")].label.text == "−12.5"


def test_double_click_adds_a_neuron_and_delete_removes_it_with_its_connections(
    qtbot, window, examples
):
    _lecture_window(window, examples)
    double_click(window, 300, 300)
    new = window.doc.network.neurons[-1]
    assert new.kind == "hidden" and new.position == pytest.approx((300, 300), abs=2)
    click(window, *neuron_centre(window, "h1"))
    key(window, Qt.Key.Key_Delete)
    assert not window.doc.network.has_neuron("h1")
    assert len(window.doc.network.connections) == 3
    window.doc.undo_stack.undo()
    assert [c.key for c in window.doc.network.connections] == [
        c.key for c in load_network(examples / "xor_lecture.json").connections
    ]
    assert window.doc.network.ids() == ["x1", "x2", "h1", "h2", "y", new.id]


def test_a_drag_moves_the_selection_in_one_undo_step(qtbot, window, examples):
    _lecture_window(window, examples)
    click(window, *neuron_centre(window, "h1"))
    click(window, *neuron_centre(window, "h2"), modifier=Qt.KeyboardModifier.ControlModifier)
    assert set(window.scene.selected_neurons()) == {"h1", "h2"}
    drag(window, neuron_centre(window, "h1"), (300, 40), steps=10)
    net = window.doc.network
    assert net.neuron("h1").position == pytest.approx((300, 40), abs=2)
    assert net.neuron("h2").position == pytest.approx((300, 240), abs=2)
    assert window.doc.undo_stack.count() == 1
    window.doc.undo_stack.undo()
    assert net.neuron("h1").position == (260, 0) and net.neuron("h2").position == (260, 200)
    assert window.scene.neuron_items["h1"].pos().x() == 260  # what is drawn follows


def test_rubber_band_and_select_all(qtbot, window, examples):
    _lecture_window(window, examples)
    drag(window, (-60, -60), (60, 240))  # a band around both inputs
    assert set(window.scene.selected_neurons()) == {"x1", "x2"}
    window.act_select_all.trigger()
    assert (
        len(window.scene.selected_neurons()) == 5 and len(window.scene.selected_connections()) == 6
    )


def test_several_neurons_get_one_activation(qtbot, window, examples):
    _lecture_window(window, examples)
    window.act_select_all.trigger()
    combo = window.inspector.many_activation
    combo.setCurrentIndex(combo.findData("tanh"))
    combo.activated.emit(combo.currentIndex())
    assert {n.activation for n in window.doc.network.neurons if n.kind != "input"} == {"tanh"}
    window.doc.undo_stack.undo()
    assert {n.activation for n in window.doc.network.neurons if n.kind != "input"} == {"sigmoid"}


def test_space_drag_pans_and_a_space_tap_plays(qtbot, window, examples):
    from PySide6.QtTest import QTest

    _lecture_window(window, examples)
    window.view.setFocus()
    vp = window.view.viewport()
    before = window.view.mapToScene(vp.rect().center())
    QTest.keyPress(vp, Qt.Key.Key_Space)
    drag(window, (100, 100), (20, 40))
    QTest.keyRelease(vp, Qt.Key.Key_Space)
    after = window.view.mapToScene(vp.rect().center())
    assert (after - before).manhattanLength() > 50  # the canvas moved under the mouse
    assert not window.learning.playing and window.doc.network.neuron("h1").position == (260, 0)
    qtbot.wait(150)  # (a release followed at once by a press is a held key's auto-repeat)
    QTest.keyClick(vp, Qt.Key.Key_Space)  # a tap: Play
    qtbot.waitUntil(lambda: window.learning.playing, timeout=2_000)
    QTest.keyClick(vp, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.learning.playing, timeout=2_000)
