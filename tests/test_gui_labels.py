"""Labels on the canvas never cover each other or a neuron: weights, z/a/δ, ∂L/∂w and
old → new, checked pair by pair in scene coordinates at every step of an iteration, on
lesson 7's 8-hidden network and on a small 2-2-1 drawn by hand."""

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QMessageBox

from gui.canvas.items import RADIUS
from tests.gui_helpers import DialogAnswerer, click, drag, neuron_centre

pytestmark = pytest.mark.gui


def drawn_rects(scene) -> list[tuple[str, QRectF, object]]:
    """(what, scene rectangle, owner): each neuron's disc, its text block, each shown
    weight label's plate."""
    out = []
    for nid, item in scene.neuron_items.items():
        c = item.scenePos()
        out.append(
            (f"neuron {nid}", QRectF(c.x() - RADIUS, c.y() - RADIUS, 2 * RADIUS, 2 * RADIUS), nid)
        )
        text = item.text_rect()
        if not text.isEmpty():
            out.append((f"text of {nid}", item.mapRectToScene(text), nid))
    for key, item in scene.connection_items.items():
        if item.label.isVisible():
            out.append((f"label {key}", item.label.mapRectToScene(item.label._rect), key))
    return out


def overlaps(scene) -> list[str]:
    rects = drawn_rects(scene)
    found = []
    for i, (a, ra, oa) in enumerate(rects):
        for b, rb, ob in rects[i + 1 :]:
            if oa == ob or (a.startswith("neuron") and b.startswith("neuron")):
                continue
            inter = ra.intersected(rb)
            if inter.width() > 0 and inter.height() > 0:
                found.append(f"{a} × {b}: {inter.width():.1f}×{inter.height():.1f}")
    return found


def left_out(scene) -> list:
    return [k for k, item in scene.connection_items.items() if item.label.crowded]


def step_through_checking(window, phases: set[str]) -> tuple[int, int]:
    """Step through one whole iteration; after each step of ``phases``, no overlaps, and
    the current step's label shown. Returns (steps checked, most labels left out)."""
    session = window.learning.ensure_session()
    checked = most_left_out = 0
    for _ in range(len(session.walk.steps)):
        window.act_step.trigger()
        step = window.learning.session.cursor.step
        if step.phase in phases:
            found = overlaps(window.scene)
            assert not found, f"step {step.index + 1} ({step.phase}): {found[:5]}"
            if step.connection is not None:
                assert window.scene.connection_items[step.connection].label.isVisible()
            most_left_out = max(most_left_out, len(left_out(window.scene)))
            checked += 1
    return checked, most_left_out


def test_lesson_7_eight_hidden_neurons_no_label_covers_another(qtbot, window):
    window.files.open_lesson("07_hidden_8")
    window.act_zoom_reset.trigger()  # at 100 %: every weight label is shown
    window.learning.set_sample(0)
    assert sum(item.label.isVisible() for item in window.scene.connection_items.values()) == 24
    assert not overlaps(window.scene)  # the weights alone
    checked, most_left_out = step_through_checking(
        window, {"forward", "loss", "backward", "update"}
    )
    assert checked == 97 and most_left_out == 0  # room for every label
    # the labels do say what they show: every weight label still sits on its line
    for item in window.scene.connection_items.values():
        plate = item.label.mapRectToScene(item.label._rect)
        assert plate.contains(item.line().pointAt(item.label.t)) or plate.intersects(
            QRectF(item.line().pointAt(item.label.t), item.line().pointAt(item.label.t)).adjusted(
                -2, -2, 2, 2
            )
        )


def draw_small_network(qtbot, window) -> dict[str, str]:
    """A 2-2-1 as a person draws it: neurons close together, connected by dragging."""
    ids = {}
    for name, kind, (x, y) in [
        ("x1", "input", (0, 0)),
        ("x2", "input", (0, 130)),
        ("h1", "hidden", (170, 0)),
        ("h2", "hidden", (170, 130)),
        ("y", "output", (330, 65)),
    ]:
        window.tool_actions[kind].trigger()
        click(window, x, y)
        ids[name] = window.doc.network.neurons[-1].id
    window.tool_actions["connect"].trigger()
    for s, t in [("x1", "h1"), ("x1", "h2"), ("x2", "h1"), ("x2", "h2"), ("h1", "y"), ("h2", "y")]:
        drag(window, neuron_centre(window, ids[s]), neuron_centre(window, ids[t]))
    window.tool_actions["select"].trigger()
    assert len(window.doc.network.connections) == 6
    window.apply_randomize("xavier", 1.0, 3, False)  # Network ▸ Randomize, seed 3
    combo = window.data_panel.source
    combo.setCurrentIndex(combo.findData("xor"))  # Data ▸ Dataset: xor
    combo.activated.emit(combo.currentIndex())
    assert window.doc.network.dataset is not None
    return ids


def test_a_hand_drawn_2_2_1_keeps_its_labels_apart_backward_and_update(qtbot, window):
    answerer = DialogAnswerer([QMessageBox.StandardButton.Ok])
    draw_small_network(qtbot, window)
    answerer.stop()
    assert not overlaps(window.scene)
    checked, most_left_out = step_through_checking(window, {"backward", "update"})
    assert checked > 10 and most_left_out <= 1
    # the second iteration, on one sample: its labels too
    window.learning.set_sample(2)
    checked, most_left_out = step_through_checking(window, {"backward", "update"})
    assert checked > 10 and most_left_out <= 1


def test_placement_follows_a_drag(qtbot, window, examples):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    for _ in range(20):
        window.act_step.trigger()
    # drag h2 right under h1: the labels make room again
    drag(
        window,
        neuron_centre(window, "h2"),
        (neuron_centre(window, "h1")[0] + 20, neuron_centre(window, "h1")[1] + 90),
    )
    qtbot.waitUntil(lambda: not window.scene._placement.isActive())
    assert not overlaps(window.scene)


def test_labels_keep_their_places_while_playing_and_are_placed_when_it_stops(
    qtbot, window, examples
):
    from tests.gui_helpers import play_epochs

    window.files.open_lesson("07_hidden_8")
    window.act_zoom_reset.trigger()
    qtbot.waitUntil(lambda: not window.scene._placement.isActive())
    play_epochs(qtbot, window, 5)
    assert window.scene._placement_paused
    window.act_play.trigger()  # pause
    assert not window.learning.playing and not window.scene._placement_paused
    assert not overlaps(window.scene)


def test_a_label_left_out_says_its_value_in_the_tooltip(qtbot, window):
    answerer = DialogAnswerer([QMessageBox.StandardButton.Ok])
    draw_small_network(qtbot, window)
    answerer.stop()
    # as the placement marks a label it found no clear spot for
    item = next(iter(window.scene.connection_items.values()))
    item.label.crowded = True
    item.label.set_text("0.5", "∂L/∂w = 0.25")
    assert item.tooltip().endswith("\n∂L/∂w = 0.25")
