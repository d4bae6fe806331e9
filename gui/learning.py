"""Stepping and training in the app: owns the engine's trainer and step session for the
open network, runs training in time slices so the window stays responsive, and writes
progress back to the model at most ten times a second.

Training changes weights without one undo command per epoch: each Play…Pause run (and
each run of steps) becomes one undoable "Train" command when it stops. Any other edit of
the network makes the trainer stale; it is rebuilt from the edited network on demand.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from engine.initializers import initial_parameters
from engine.session import StepSession
from engine.trainer import StopReason, Trainer

from .commands import SetParameters

SLICE_SECONDS = 0.012  # least training per timer tick; Pause is handled between ticks
MAX_SLICE_SECONDS = 0.030  # most: keeps a click on Pause waiting under 50 ms
FRAME_SECONDS = 1 / 10  # at most this often: write back and redraw the canvas


class LearningController(QObject):
    state_changed = Signal()  # the step-through state (canvas annotations, step panel)
    progress = Signal()  # epochs trained: plots, counters, table
    running_changed = Signal(bool)
    message = Signal(str)

    def __init__(self, doc) -> None:
        super().__init__(doc)
        self.doc = doc
        self.trainer: Trainer | None = None
        self.session: StepSession | None = None
        self.sample: int | None = None  # step through one chosen sample, or the batch
        self.granularity = "step"
        self.playing = False
        self._writing = False
        self._run_start = None  # parameters before the current run of training or steps
        self._last_frame = 0.0
        self._tick_end = 0.0
        self.speed = 1.0  # share of each tick spent training (the speed slider)
        self.timer = QTimer(self)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._tick)
        doc.network_edited.connect(self._network_edited)
        doc.network_replaced.connect(self._network_edited)

    # ---------------------------------------------------------------- model
    def _network_edited(self) -> None:
        """Someone else changed the network (an edit, undo, another file): the trainer is
        stale. Training stops where it was, and nothing is written back over the edit."""
        if self._writing:
            return
        if self.playing:
            self.playing = False
            self.timer.stop()
            self.running_changed.emit(False)
        self.trainer = None
        self.session = None
        self._run_start = None
        self.state_changed.emit()
        self.progress.emit()

    def ensure_trainer(self) -> Trainer | None:
        if self.trainer is None:
            try:
                self.trainer = Trainer(self.doc.network)
            except (ValueError, KeyError) as e:
                self.message.emit(f"Cannot train: {e}.")
                return None
        return self.trainer

    def ensure_session(self) -> StepSession | None:
        if self.session is None and self.ensure_trainer() is not None:
            self.session = StepSession(self.trainer, self.sample)
        return self.session

    def set_sample(self, sample: int | None) -> None:
        self.sample = sample
        self.session = None
        self.state_changed.emit()

    def _write_back(self) -> None:
        """Show the trainer's weights in the model (not an undo step by itself)."""
        if self.trainer is None:
            return
        if self._run_start is None:
            self._run_start = self.doc.network.parameters()
        self.doc.show_trained_parameters(*self.trainer.compiled.parameters())

    def _finish_run(self, text: str) -> None:
        """The weights trained since the run began become one undoable command."""
        if self._run_start is None or self.trainer is None:
            return
        weights, biases = self.trainer.compiled.parameters()
        old, self._run_start = self._run_start, None
        if (weights, biases) == old:
            return
        self._writing = True
        try:
            self.doc.undo_stack.push(SetParameters(self.doc, weights, biases, text, old=old))
        finally:
            self._writing = False

    # ------------------------------------------------------------- stepping
    @property
    def walk_state(self):
        return self.session.state if self.session is not None else None

    def step_forward(self) -> None:
        self._move(lambda session: session.forward(self.granularity))

    def step_back(self) -> None:
        granularity = "step" if self.granularity == "epoch" else self.granularity

        def back(session) -> None:
            if not session.back(granularity):
                self.message.emit("At the start: nothing earlier to step back to.")

        self._move(back)

    def _move(self, move) -> None:
        """Move the step cursor; an iteration committed or undone shows in the model."""
        self.pause()
        session = self.ensure_session()
        if session is None:
            return
        iteration = self.trainer.iteration
        move(session)
        if self.trainer.iteration != iteration:
            self._write_back()
        self.state_changed.emit()
        self.progress.emit()

    def jump(self, index: int) -> None:
        session = self.ensure_session()
        if session is not None:
            session.cursor.jump(index)
            self.state_changed.emit()

    def end_steps(self) -> None:
        """Leave step-through mode: the canvas shows plain weights again."""
        self._finish_run("Step through training")
        self.session = None
        self.state_changed.emit()

    # ------------------------------------------------------------- training
    def play(self) -> None:
        if self.playing or self.ensure_trainer() is None:
            return
        self.session = None  # a half-walked iteration is dropped; training goes on from here
        self.state_changed.emit()
        if self._run_start is None:
            self._run_start = self.doc.network.parameters()
        self.playing = True
        self._tick_end = 0.0
        self.timer.start()
        self.running_changed.emit(True)

    def pause(self) -> None:
        if not self.playing:
            return
        self.playing = False
        self.timer.stop()
        self._write_back()
        self._finish_run("Train")
        self.running_changed.emit(False)
        self.progress.emit()

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def _tick(self) -> None:
        t = self.trainer
        # train at least as long as the last redraw took (so training keeps about half of
        # the time whatever the panels cost), within bounds that keep Pause responsive
        start = time.perf_counter()
        busy = start - self._tick_end if self._tick_end else 0.0
        slice_ = min(MAX_SLICE_SECONDS, max(SLICE_SECONDS, busy)) * self.speed
        result = t.train(max(t.settings.max_epochs - t.epoch, 0), deadline=start + slice_)
        finished = result.reason is not StopReason.STOPPED
        now = time.perf_counter()
        if finished or now - self._last_frame >= FRAME_SECONDS:
            self._last_frame = now
            self._write_back()
            self.progress.emit()
        if finished:
            self.pause()
            advice = " Or press Reset." if result.reason is StopReason.DIVERGED else ""
            self.message.emit(result.message[0].upper() + result.message[1:] + "." + advice)
        self._tick_end = time.perf_counter()

    def reset(self) -> None:
        """Back to the weights this run of training started from."""
        self.pause()
        if self.trainer is not None and len(self.trainer.snapshots):
            self.trainer.rewind(0)
            self._write_back()
            self._finish_run("Reset training")
        self.trainer = None
        self.session = None
        self.state_changed.emit()
        self.progress.emit()

    def rerandomize(self) -> None:
        """Reset to fresh weights from the training settings' initialiser and seed."""
        self.pause()
        t = self.doc.network.training
        weights, biases = initial_parameters(self.doc.network, t.initializer, t.seed, t.init_scale)
        self.doc.undo_stack.push(
            SetParameters(
                self.doc, weights, biases, f"Re-randomize ({t.initializer}, seed {t.seed})"
            )
        )  # an edit like any other: the trainer starts over from these weights
        self.message.emit(f"New {t.initializer} weights from seed {t.seed}.")

    def rewind(self, epoch: int) -> int:
        """Time travel: back to an earlier epoch (later history is dropped)."""
        self.pause()
        if self.trainer is None:
            return 0
        restored = self.trainer.rewind(epoch)
        self.session = None
        self._write_back()
        self._finish_run(f"Go back to epoch {restored}")
        self.state_changed.emit()
        self.progress.emit()
        return restored
