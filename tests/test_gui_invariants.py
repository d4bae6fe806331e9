"""What the window shows equals what the engine computes, after any sequence of actions.

Seeded random sequences of what a person does (open a lesson, step and step back by
every step size, choose a sample, play some epochs, pause, raise a dock, edit a weight or
an activation, draw or delete a connection, move a neuron, undo, redo, drag the
time-travel slider) drive the real window; undoing an edit gives back the trainer it
dropped, as it stood. A headless twin — the engine's own Trainer and StepSession, given
the same actions — is the oracle.
After every action: (a) the window's trainer equals the twin bit for bit; (b) the canvas
and the step-through panel show the twin's walkthrough at the cursor, and the canvas draws
each of the model's connections with its weight's colour and width; (c) the decision
map is the engine's map of the weights on the canvas; and at the end (d) undoing
everything gives back the network as opened, exactly.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QDockWidget

from engine.file_writer import network_to_dict
from engine.formatting import format_number, to_html, update_pair
from engine.landscape import flat_index, landscape
from engine.maps import class_regions, neuron_map, output_maps
from engine.session import StepSession
from engine.tasks import Task
from engine.trainer import Trainer
from gui.commands import Connect, MoveNeurons, RemoveItems, SetNeuronProperty, TrainingProgress
from gui.learning import LONG_HISTORY
from gui.panels.map_colours import class_image
from gui.panels.throttle import flush_all
from gui.theme import weight_colour
from tests.gui_helpers import HandClock

pytestmark = pytest.mark.gui
RESOURCES = Path(__file__).resolve().parents[1] / "resources"
FILES = [
    "examples/xor_lecture",
    "examples/xor_untrained",
    "examples/and_neuron",
    "lessons/01_and_or",
    "lessons/03_xor_by_hand",
    "lessons/05_backprop_learns_xor",
    "lessons/17_three_classes_3",  # a softmax group over three classes
    "lessons/19_features_circle",  # feature inputs
    "examples/regression_bumps",  # continuous targets
]
GRANULARITIES = ["step", "neuron", "level", "phase", "iteration", "epoch"]
SEQUENCES, ACTIONS = 200, 20


class Twin:
    """The engine alone, given the same actions as the window."""

    def __init__(self) -> None:
        self.trainer: Trainer | None = None
        self.session: StepSession | None = None
        self.sample: int | None = None
        self.viewing: int | None = None
        self.states: list[dict] = []  # every state the trainer has been in
        # stack index -> what an edit pushed there dropped: (trainer, state, viewing,
        # sample, states, the model's parameters then); Undo back to it gives it back
        self.kept: dict[int, tuple] = {}

    def keep(self, index: int, parameters) -> None:
        t = self.trainer
        self.kept[index] = (t, t.saved_state(), self.viewing, self.sample, list(self.states))
        self.kept[index] += (parameters,)

    def bring_back(self, index: int, network) -> None:
        """Undo of an edit: the trainer as it stood before the edit, if the network is
        again the one it trained (time travel after an Undo, then Redo, makes another)."""
        self.drop()
        kept = self.kept.get(index)
        if kept is not None and kept[-1] == network.parameters():
            self.trainer, state, self.viewing, self.sample, states, _ = kept
            self.trainer.load_state(state)
            self.states = list(states)

    def drop(self) -> None:
        self.trainer = self.session = self.viewing = None
        self.states = []

    def remember(self) -> None:
        if self.trainer is not None:
            self.states.append(self.trainer.saved_state())

    def back_to(self, gui: Trainer, where: str) -> None:
        """Undo or redo of a run kept the window's trainer: it must stand exactly in a
        state the trainer has been in, history and all; the twin goes there too."""

        def same(t: Trainer) -> bool:
            return (
                (t.epoch, t.iteration) == (gui.epoch, gui.iteration)
                and np.array_equal(t.theta, gui.theta)
                and t.history.loss == gui.history.loss
            )

        self.session, self.viewing = None, None  # undoing a run ends stepping and viewing
        for state in [self.trainer.saved_state(), *reversed(self.states)]:
            self.trainer.load_state(state)
            if same(self.trainer):
                return
        raise AssertionError(f"undo/redo left the trainer in a state it never had: {where}")

    def ensure(self, network, gui: Trainer | None = None) -> Trainer:
        """A trainer of ``network`` (the window's starts from the same weights)."""
        if self.trainer is None:
            assert gui is None or (gui.epoch, gui.iteration) == (0, 0)
            self.trainer = Trainer(network.copy())
            self.remember()
        return self.trainer

    def go_on(self, window, answer: bool) -> bool:
        """Training continues: from the viewed epoch, if any (asked when long)."""
        t = self.ensure(self.base)
        if self.viewing is not None:
            if t.epoch - self.viewing > LONG_HISTORY and not answer:
                return False
            t.rewind(self.viewing)
            self.viewing = None
            self.remember()
        return True

    def step(self, window, granularity: str, answer: bool, back: bool = False) -> None:
        if back and self.viewing is not None:  # viewing the past: one epoch further back
            self.viewing, self.session = max(self.viewing - 1, 0), None
            return
        if not self.go_on(window, answer):
            return
        if self.session is None:
            self.session = StepSession(self.trainer, self.sample)
        if back:
            self.session.back("step" if granularity == "epoch" else granularity)
        else:
            self.session.forward(granularity)

    def play(self, window, epochs: int, answer: bool) -> None:
        if not self.go_on(window, answer):
            return
        self.session = None
        t = self.trainer
        t.train(min(epochs, max(t.settings.max_epochs - t.epoch, 0)))


def act(window, qtbot, twin: Twin, rng: random.Random, log: list[str]) -> None:
    """One random action, on the window and on the twin."""
    c = window.learning
    answer = rng.random() < 0.7  # to "Continue from an earlier epoch?"
    c.confirm = lambda _title, _text: answer
    kind = rng.choice(
        ["step"] * 4
        + ["back"] * 2
        + ["sample", "play", "play", "pause", "dock", "weight", "activation", "rewire", "move"]
        + ["undo", "undo", "redo", "travel", "travel"]
    )
    log.append(kind)
    before = c.trainer
    if before is not None:
        twin.ensure(window.doc.network, before)
    twin.base = window.doc.network.copy()  # what a trainer made during the action starts from
    stack = window.doc.undo_stack
    index, parameters, playing = stack.index(), window.doc.network.parameters(), c.playing
    _do(window, qtbot, twin, rng, log, kind, answer)
    if kind != "redo" and stack.index() > index:  # pushed: the redo branch is gone
        twin.kept = {k: v for k, v in twin.kept.items() if k < index}
        edit = kind in ("weight", "activation", "rewire")
        if edit and before is not None and not playing:  # (playing, the model lags behind)
            twin.keep(index, parameters)
    done = log[-1].endswith("(done)")
    undone = stack.command(stack.index()) if kind == "undo" and done else None
    if undone is not None and not isinstance(undone, (TrainingProgress, MoveNeurons)):
        twin.bring_back(stack.index(), window.doc.network)  # an edit undone
    elif before is not None and c.trainer is not before:  # an edit, undo or redo: starts over
        twin.drop()
    elif kind in ("undo", "redo") and before is not None and twin.trainer is not None:
        done_cmd = stack.command(stack.index() if kind == "undo" else stack.index() - 1)
        if isinstance(done_cmd, TrainingProgress) and done:
            twin.back_to(c.trainer, " → ".join(log))
    twin.remember()


def _do(window, qtbot, twin, rng, log, kind, answer) -> None:
    c = window.learning
    net = window.doc.network
    if kind in ("step", "back"):
        g = rng.choice(GRANULARITIES)
        combo = window.step_panel.granularity_combo
        combo.setCurrentIndex(combo.findData(g))
        combo.activated.emit(combo.currentIndex())
        (window.act_step if kind == "step" else window.act_step_back).trigger()
        twin.step(window, g, answer, back=kind == "back")
        log[-1] += f" {g}"
    elif kind == "sample":
        combo = window.step_panel.sample_combo
        index = rng.randrange(min(combo.count(), 6))
        combo.setCurrentIndex(index)
        combo.activated.emit(index)
        twin.sample, twin.session = combo.currentData(), None
        log[-1] += f" {twin.sample}"
    elif kind == "play":
        epochs = rng.choice([1, 3, 25])
        log[-1] += f" {epochs}"
        if not c.playing:
            window.act_play.trigger()
            if not c.playing:  # asked to continue from an earlier epoch, and refused
                assert twin.viewing is not None and not answer
                return
        twin.play(window, epochs, answer)
        target = twin.trainer.epoch
        c.clock.advance(epochs / c.epochs_per_second)
        qtbot.waitUntil(lambda: c.trainer.epoch >= target or not c.playing, timeout=20_000)
        if rng.random() < 0.5:
            window.act_play.trigger()  # pause at once
    elif kind == "pause":
        if c.playing:
            window.act_play.trigger()
    elif kind == "dock":
        docks = [d for d in window.findChildren(QDockWidget) if not d.isHidden()]
        dock = rng.choice(docks)
        dock.raise_()
        log[-1] += f" {dock.windowTitle()}"
    elif kind == "weight" and net.connections:
        key = rng.choice([conn.key for conn in net.connections])
        value = round(rng.uniform(-4, 4), 2)
        window._set_weight(key, value)  # what the inline editor commits
    elif kind == "rewire":  # draw a connection, or delete one
        stack = window.doc.undo_stack
        ids = [n.id for n in net.neurons]
        pairs = [(a, b) for a in ids for b in ids if net.can_connect(a, b)]
        if pairs and (rng.random() < 0.5 or not net.connections):
            source, target = rng.choice(pairs)
            stack.push(Connect(window.doc, source, target, round(rng.uniform(-4, 4), 2)))
            log[-1] += f" +{source}→{target}"
        elif net.connections:
            key = rng.choice([conn.key for conn in net.connections])
            stack.push(RemoveItems(window.doc, [], [key]))
            log[-1] += f" −{key[0]}→{key[1]}"
    elif kind == "move":
        nid = rng.choice([n.id for n in net.neurons])
        x, y = net.neuron(nid).position
        new = (x + rng.uniform(-80, 80), y + rng.uniform(-80, 80))
        window.doc.undo_stack.push(MoveNeurons(window.doc, {nid: (x, y)}, {nid: new}))
    elif kind == "activation":
        nid = rng.choice([n.id for n in net.neurons if n.kind != "input"])
        act_name = rng.choice(["sigmoid", "tanh", "relu", "linear"])
        if net.neuron(nid).activation != act_name:  # a softmax group moves as one
            window.doc.undo_stack.push(
                SetNeuronProperty(window.doc, [nid], "activation", act_name)
            )
    elif kind in ("undo", "redo"):
        action = window.act_undo if kind == "undo" else window.act_redo
        if action.isEnabled():
            action.trigger()
            log[-1] += " (done)"
    elif kind == "travel":
        t = c.trainer
        if t is None or t.epoch == 0:
            return
        epoch = rng.randrange(t.epoch + 1)
        slider = window.loss_panel.slider
        slider.setRange(0, t.epoch)
        moved = slider.value() != epoch
        slider.setSliderDown(True)
        slider.setValue(epoch)
        slider.setSliderDown(False)
        if moved:
            twin.session = None
            twin.viewing = epoch if epoch < t.epoch else None
        log[-1] += f" {epoch} of {t.epoch}"


def check(window, twin: Twin, log: list[str]) -> None:
    c = window.learning
    net = window.doc.network
    where = " → ".join(log)
    # (a) the trainer is the twin's, bit for bit
    if c.trainer is None:
        assert twin.trainer is None or (twin.trainer.epoch, twin.trainer.iteration) == (0, 0)
        twin.drop()
    else:
        t = twin.ensure(net, c.trainer)
        assert (c.trainer.epoch, c.trainer.iteration) == (t.epoch, t.iteration), where
        assert np.array_equal(c.trainer.theta, t.theta), where
        assert c.trainer.history.loss == t.history.loss, where
        assert c.viewing == twin.viewing, where
        if not c.playing:  # the canvas shows the trainer's weights, or the viewed epoch's
            shown = t if twin.viewing is None else t.at_epoch(twin.viewing)
            assert net.parameters() == shown.parameters(), where
    # (b) the step-through panel and the canvas show the twin's walkthrough at the cursor
    if c.session is None:
        assert twin.session is None or twin.session.cursor.position == -1, where
        twin.session = None
        for key, item in window.scene.connection_items.items():
            assert item.label.text == format_number(net.connection(*key).weight), where
    else:
        ts = twin.session
        assert ts is not None, where
        assert c.session.cursor.position == ts.cursor.position, where
        ref_lines = [s.line for s in ts.walk.steps]
        assert [s.line for s in c.session.walk.steps] == ref_lines, where
        panel = window.step_panel
        assert panel.steps.count() == len(ref_lines), where
        state = ts.state
        if state.step is not None:
            assert to_html(state.step.line) in panel.formula.text(), where
        for nid, item in window.scene.neuron_items.items():
            text = "\n".join(item.annotation)
            if nid in state.a and nid in state.z:
                assert f"a = {format_number(state.a[nid])}" in text, where
            if nid in state.delta:
                assert f"δ = {format_number(state.delta[nid])}" in text, where
        for key, item in window.scene.connection_items.items():
            if ("w", *key) in state.updated:
                old, new = update_pair(ts.walk.weights[key], state.weights[key])
                assert item.label.extra == f"{old} → {new}", where
            elif key in state.weight_grads:
                assert item.label.extra == f"∂L/∂w = {format_number(state.weight_grads[key])}"
    # (b') the canvas draws every connection of the model, as it is now, and no other
    drawn = window.scene.layer.drawn()
    for conn in net.connections:
        item = window.scene.connection_items[conn.key]
        if item.line().length() >= 1:
            colour, width, shaft = drawn.pop(conn.key)
            assert colour == weight_colour(conn.weight).rgba(), where
            assert width == round(item.pen_width() * 4) / 4, where
            assert shaft == item._shaft and item.weight == conn.weight, where
    assert not drawn, where
    # (c) the decision map, when on screen, is the engine's map of the canvas's weights
    dmap = window.decision_map
    if dmap.isVisible() and dmap.extent is not None:
        if dmap.task is Task.CLASSES:  # each pixel the arg-max class's colour
            probabilities = output_maps(net.compile(), dmap.extent, dmap.RESOLUTION)
            expected = class_image(*class_regions(probabilities))
        else:
            expected = neuron_map(net.compile(), dmap.extent, dmap.RESOLUTION)
        assert np.array_equal(dmap.last_image, expected), where
    # (e) the loss landscape, when on screen, is the engine's through the canvas's weights
    land = window.landscape_panel.landscape
    if window.landscape_panel.on_screen and land is not None and c.trainer is not None:
        compiled = net.compile()
        centre = [compiled.theta[flat_index(compiled, p)] for p in land.parameters]
        assert land.centre.tolist() == centre, where
        spans = [(axis[-1] - axis[0]) / 2 for axis in land.axes]
        expected = landscape(
            net, c.trainer.X, c.trainer.Y, land.parameters, spans, len(land.axes[0])
        )
        np.testing.assert_allclose(land.losses, expected.losses, rtol=1e-9, atol=1e-12)
        assert np.array_equal(land.gradient, expected.gradient), where


def test_random_action_sequences_keep_window_and_engine_in_step(qtbot, window):
    window.learning.clock = HandClock()
    window.learning.set_speed(1000)
    for seed in range(SEQUENCES):
        rng = random.Random(seed)
        name = rng.choice(FILES)
        window.files.open_path(RESOURCES / f"{name}.json", ask=False)
        opened = network_to_dict(window.doc.network)
        twin = Twin()
        log = [f"seed {seed}: open {name}"]
        for _ in range(ACTIONS):
            act(window, qtbot, twin, rng, log)
            flush_all()
            check(window, twin, log)
        # (d) undoing everything gives back the network as opened
        window.learning.settle()
        while window.doc.undo_stack.canUndo():
            window.act_undo.trigger()
        assert network_to_dict(window.doc.network) == opened, " → ".join(log)
