"""Stepping and training in the app: owns the engine's trainer and step session for the
open network, runs training at a chosen number of epochs per second (or as fast as the
window allows) and writes progress back to the model at most ten times a second.

The model always holds the weights the window shows: the trainer's (written back at
frame rate while playing) or, during time travel, those of the epoch being viewed. Panels
read the model, never the trainer's arrays.

Training changes weights without one undo command per epoch: each Play…Pause run (and
each run of steps) becomes one undoable "Train" command when it stops. Any other edit of
the network makes the trainer stale; it is rebuilt from the edited network on demand.
Undoing the edit gives the trainer back as it stood before it (history, snapshots, the
epoch viewed): the network is then exactly the one it was training.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Signal

from engine.datasets import dataset_from_spec
from engine.initializers import initial_parameters
from engine.predict import Score, Verdict, check_answer
from engine.session import StepSession
from engine.trainer import StopReason, Trainer

from .commands import SetParameters
from .undoable_runs import UndoableRuns

# Epochs per second offered by the Speed control; None: as fast as the window allows.
SPEEDS: list[int | None] = [1, 2, 5, 10, 30, 100, 1000, None]
DEFAULT_SPEED = 100
SLICE_SECONDS = 0.012  # least training per tick at full speed; Pause is handled between
MAX_SLICE_SECONDS = 0.030  # most: keeps a click on Pause waiting under 50 ms
FRAME_SECONDS = 1 / 10  # at most this often: write back and redraw the canvas
LONG_HISTORY = 200  # epochs: continuing from further back than this asks first


class LearningController(UndoableRuns, QObject):
    state_changed = Signal()  # the step-through state (canvas annotations, step panel)
    progress = Signal()  # epochs trained or viewed: plots, counters, table
    running_changed = Signal(bool)
    message = Signal(str)
    messages_stale = Signal()  # what was said is about a state that is gone

    def __init__(self, doc, clock: Callable[[], float] = time.perf_counter) -> None:
        super().__init__(doc)
        self.doc = doc
        self.clock = clock  # tests pass a clock they move by hand
        self.trainer: Trainer | None = None
        self.session: StepSession | None = None
        self.sample: int | None = None  # step through one chosen sample, or the batch
        self.granularity = "step"
        self.playing = False
        self.epochs_per_second: float | None = DEFAULT_SPEED
        self.viewing: int | None = None  # an earlier epoch shown by time travel
        self._viewed: tuple | None = None  # (key, the trainer replayed to `viewing`)
        self.predict = False  # predict mode: each step's result is typed before it is shown
        self.score = Score()  # of the iteration being walked, in predict mode
        self._revealed: set[int] = set()
        self._predict_walk = None
        # asked before history is dropped: (title, text) -> go ahead? (the window sets it)
        self.confirm: Callable[[str, str], bool] = lambda _title, _text: True
        self._writing = False
        self._run_command = None  # the undoable command of the current run, once it shows
        self._run_before = None  # the trainer's state when the current run began
        self._last_frame = 0.0
        self._tick_end = 0.0
        self._play_start = 0.0
        self._played = 0  # epochs trained since Play, for the epochs-per-second budget
        self._unshown = False  # epochs trained since the last frame
        self._init_undo(doc)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        doc.network_replaced.connect(self._network_replaced)
        doc.network_edited.connect(self._network_edited)
        doc.about_to_save.connect(self._record_run)
        doc.undo_stack.indexChanged.connect(self._stack_moved)
        doc.edit_starting.connect(self._edit_starting)

    # ---------------------------------------------------------------- model
    def _network_replaced(self) -> None:
        self.sample = None  # a sample of the previous file means nothing here
        self._forget_kept()
        self._network_edited()

    def _network_edited(self) -> None:
        """Someone else changed the network (an edit, undo, another file): the trainer is
        stale. Training stops where it was, and nothing is written back over the edit."""
        if self._writing:
            return
        if self.playing:
            self.playing = False
            self.timer.stop()
            self.running_changed.emit(False)
        self._keep_dropped_trainer()
        net = self.doc.network
        if self.sample is not None and (
            net.dataset is None or self.sample >= self._dataset_size()
        ):
            self.sample = None
        self.trainer = None
        self.session = None
        self.viewing = None
        self._run_command = None
        self.messages_stale.emit()
        self.state_changed.emit()
        self.progress.emit()

    def _dataset_size(self) -> int:
        net = self.doc.network
        try:
            return len(dataset_from_spec(net.dataset, net.inputs, net.outputs))
        except (ValueError, KeyError):
            return 0

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

    # ---------------------------------------------------------- time travel
    @property
    def shown_epoch(self) -> int | None:
        """The epoch whose weights the window shows (None: no training yet)."""
        if self.trainer is None:
            return None
        return self.trainer.epoch if self.viewing is None else self.viewing

    def shown_trainer(self) -> Trainer | None:
        """A trainer standing at the weights the window shows, for readers: the trainer
        itself, or (viewing the past) its independent replay to that epoch, kept while the
        view lasts. Readers may evaluate it; they must not train it."""
        t = self.trainer
        if t is None or self.viewing is None:
            return t
        h = t.history
        key = (id(t), t.epoch, t.iteration, h.loss[-1] if h.loss else None, self.viewing)
        if self._viewed is None or self._viewed[0] != key:
            self._viewed = (key, t.at_epoch(self.viewing))
        return self._viewed[1]

    def preview(self, epoch: int) -> None:
        """Show the weights after ``epoch`` epochs (exactly: replayed from the nearest
        snapshot by an independent trainer); nothing is dropped until training goes on."""
        t = self.trainer
        if t is None:
            return
        self.pause()
        if self.session is not None:
            self.end_steps()
        # a view, not an edit: no undo step (the document counts as changed, though)
        if epoch >= t.epoch:
            self.viewing = None
            self.doc.show_trained_parameters(*t.parameters(), recorded=False)
        else:
            self.viewing = max(epoch, 0)
            self.doc.show_trained_parameters(*self.shown_trainer().parameters(), recorded=False)
        self.progress.emit()

    def _continue_from_view(self) -> bool:
        """Before training goes on from an earlier epoch, drop the later history (asking
        first when it is long). False: the user kept the history; do nothing."""
        t = self.trainer
        if t is None or self.viewing is None:
            return True
        if self.viewing == t.epoch:
            self.viewing = None
            return True
        later = t.epoch - self.viewing
        if later > LONG_HISTORY and not self.confirm(
            "Continue from an earlier epoch?",
            f"Training on from epoch {self.viewing} discards the {later} epochs trained "
            "after it (their weights can be had back with Undo, their history cannot).",
        ):
            return False
        t.rewind(self.viewing)
        self.viewing = None
        return True

    # ------------------------------------------------------------- stepping
    @property
    def walk_state(self):
        """What the canvas shows: the cursor's state, or in predict mode, while the
        current step's result is still to be typed, the state before it (same focus)."""
        if self.session is None:
            return None
        cursor = self.session.cursor
        if self.pending:
            return replace(self.session.walk.state_at(cursor.position - 1), step=cursor.step)
        return cursor.state

    # -------------------------------------------------------------- predict
    def set_predict(self, on: bool) -> None:
        self.predict = on
        self._predict_walk = None
        self.state_changed.emit()

    def _predict_state(self) -> set[int]:
        """The revealed steps of the walk on screen (a new iteration starts afresh)."""
        walk = self.session.walk if self.session is not None else None
        if walk is not self._predict_walk:
            self._predict_walk, self._revealed, self.score = walk, set(), Score()
        return self._revealed

    @property
    def pending(self) -> bool:
        """Predict mode is waiting for the current step's result."""
        if not self.predict or self.session is None or self.session.cursor.position < 0:
            return False
        return self.session.cursor.position not in self._predict_state()

    def answer(self, text: str) -> Verdict | None:
        if not self.pending:
            return None
        position = self.session.cursor.position
        verdict = check_answer(self.session.walk, self.session.cursor.step, text)
        if verdict.correct:
            self._revealed.add(position)
            if self.score.tries.get(position):
                self.score.later += 1
            else:
                self.score.first_try += 1
            self.state_changed.emit()
        else:
            self.score.tries[position] = self.score.tries.get(position, 0) + 1
        return verdict

    def reveal(self) -> None:
        if self.pending:
            self._revealed.add(self.session.cursor.position)
            self.score.revealed += 1
            self.state_changed.emit()

    def step_forward(self) -> None:
        if self.pending:
            self.message.emit("Type this step's result (or press Reveal) to go on.")
            return
        granularity = "step" if self.predict else self.granularity  # one result at a time
        self._move(lambda session: session.forward(granularity))

    def step_back(self) -> None:
        if self.viewing is not None:  # viewing the past: one more epoch back, nothing lost
            if self.viewing == 0:
                self.message.emit("At epoch 0: nothing earlier to go back to.")
            self.preview(self.viewing - 1 if self.viewing else 0)
            return
        granularity = "step" if self.granularity == "epoch" else self.granularity

        def back(session) -> None:
            if not session.back(granularity):
                self.message.emit("At the start: nothing earlier to step back to.")

        self._move(back)

    def _move(self, move) -> None:
        """Move the step cursor; an iteration committed or undone shows in the model."""
        self.pause()
        if self.ensure_trainer() is None or not self._continue_from_view():
            return
        self._start_run()
        session = self.ensure_session()
        iteration, diverged = self.trainer.iteration, self.trainer.diverged
        move(session)
        if self.trainer.diverged != diverged:
            self.message.emit(
                "Training diverged: the loss became NaN or infinite, so the weights went back "
                "to the start of the epoch. Try a smaller learning rate, or press Reset."
            )
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
    def set_speed(self, epochs_per_second: float | None) -> None:
        self.epochs_per_second = epochs_per_second
        self._restart_budget()

    def _restart_budget(self) -> None:
        self._play_start, self._played = self.clock(), 0
        self.timer.setInterval(0 if self.epochs_per_second is None else 15)

    def play(self) -> None:
        if self.playing or self.ensure_trainer() is None or not self._continue_from_view():
            return
        self._start_run()
        self.session = None  # a half-walked iteration is dropped; training goes on from here
        self.state_changed.emit()
        self.playing = True
        self._tick_end = 0.0
        self._restart_budget()
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
        start = time.perf_counter()
        remaining = max(t.settings.max_epochs - t.epoch, 0)
        if self.epochs_per_second is None:
            # train at least as long as the last redraw took (so training keeps about half
            # of the time whatever the panels cost), within bounds that keep Pause responsive
            busy = start - self._tick_end if self._tick_end else 0.0
            budget = remaining
            deadline = start + min(MAX_SLICE_SECONDS, max(SLICE_SECONDS, busy))
        else:  # so many epochs per second of the clock, never more
            due = int((self.clock() - self._play_start) * self.epochs_per_second + 1e-9)
            budget = min(max(due - self._played, 0), remaining)
            deadline = start + MAX_SLICE_SECONDS
        finished = False
        if budget or not remaining:
            before = t.epoch
            result = t.train(budget, deadline=deadline)
            self._played += t.epoch - before
            self._unshown = True
            finished = t.epoch >= t.settings.max_epochs or result.reason in (
                StopReason.TARGET,
                StopReason.CONVERGED,
                StopReason.DIVERGED,
            )
        now = time.perf_counter()
        if finished or (self._unshown and now - self._last_frame >= FRAME_SECONDS):
            self._last_frame, self._unshown = now, False
            self._write_back()
            self.progress.emit()
        if finished:
            self.pause()
            advice = " Or press Reset." if result.reason is StopReason.DIVERGED else ""
            self.message.emit(result.message[0].upper() + result.message[1:] + "." + advice)
        self._tick_end = time.perf_counter()

    def reset(self) -> None:
        """Back to the weights this run of training started from. The trainer stays,
        rewound to epoch 0 (exactly a fresh one), so that the reset's command holds its
        state before and after: Undo gives back the trained weights and their history."""
        self.pause()
        t = self.trainer
        if t is not None and len(t.snapshots):
            self._close_run()  # a run of steps ends here; the reset starts from its end
            self.session = None
            if self.viewing is not None:  # Undo must find the weights its state trained
                self.viewing = None
                self.doc.show_trained_parameters(*t.parameters(), recorded=False)
            self._start_run()
            t.rewind(0)
            self._write_back()
            self._finish_run("Reset training")
        else:
            self.trainer = None
        self.session = None
        self.viewing = None
        self.message.emit("Back to the weights training started from.")
        self.state_changed.emit()
        self.progress.emit()

    def rerandomize(self) -> None:
        """Reset to fresh weights from the training settings' initialiser and seed."""
        self.pause()
        t = self.doc.network.training
        weights, biases = initial_parameters(
            self.doc.network, t.initializer, t.seed, t.init_scale, low_high=t.init_range
        )
        self.doc.undo_stack.push(
            SetParameters(
                self.doc, weights, biases, f"Re-randomize ({t.initializer}, seed {t.seed})"
            )
        )  # an edit like any other: the trainer starts over from these weights
        self.message.emit(f"New {t.initializer} weights from seed {t.seed}.")
