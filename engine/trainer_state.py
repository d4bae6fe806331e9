"""Going back in a trainer's time: parameter snapshots while it trains, replay to any
earlier epoch (time travel), and whole saved states (undo and redo of a run). A mixin of
``Trainer``, kept apart because none of it is on the training hot path."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .history import History, Snapshot, Snapshots
from .optimizers import make_optimizer

if TYPE_CHECKING:
    from .trainer import Trainer

# the scalars a checkpoint keeps (with θ, the optimiser, the generator, queue and sums)
_COUNTERS = ("epoch", "iteration", "_next", "_best", "_since_best", "_irregular", "_loss_bound")


class TrainerState:
    """Snapshots, rewind and saved states; ``Trainer`` supplies the state they act on."""

    def _snapshot(self) -> None:
        if not self.snapshots.wants(self.epoch, self._irregular):
            return
        self.snapshots.record(
            Snapshot(
                self.epoch,
                self.iteration,
                self._compiled.theta.copy(),
                self.optimizer.state(),
                self.rng.bit_generator.state,
                (self._best, self._since_best),
                pinned=self._irregular,
            )
        )
        self._irregular = False

    def _restore_snapshot(self, snap: Snapshot) -> None:
        self._compiled.set_theta(snap.theta)
        self.optimizer = make_optimizer(self._compiled.size, self.settings)
        self.optimizer.restore(snap.optimizer)
        self.rng.bit_generator.state = snap.rng
        self.epoch, self.iteration = snap.epoch, snap.iteration
        self._best, self._since_best = snap.plateau
        self._queue = None
        self._irregular = False

    def rewind(self, epoch: int) -> int:
        """Go back to exactly the state after ``epoch`` epochs: the nearest snapshot at or
        before it, then training replayed (same shuffles, same plateau halvings) up to
        it. Later history is dropped. Returns the epoch reached (``epoch``, unless the
        run diverged on the way)."""
        epoch = max(0, min(epoch, self.epoch))
        snap = self.snapshots.at_or_before(epoch)
        self._restore_snapshot(snap)
        for series in vars(self.history).values():
            del series[snap.epoch :]
        self.snapshots.truncate_after(snap.epoch)
        with np.errstate(all="ignore"):
            while self.epoch < epoch and not math.isnan(self.run_epoch()):
                pass
        return self.epoch

    def at_epoch(self, epoch: int) -> Trainer:
        """An independent trainer standing exactly where this one stood after ``epoch``
        epochs (for previewing an earlier epoch); this one is not touched."""
        other = object.__new__(type(self))
        other.__dict__.update(self.__dict__)  # settings, data, loss: read-only here
        other._compiled = self._compiled.copy()
        other.optimizer = make_optimizer(other._compiled.size, self.settings)
        other.rng = np.random.default_rng()
        other._backup = other._compiled.theta.copy()
        other.history = History(**{k: list(v) for k, v in vars(self.history).items()})
        other.snapshots = Snapshots(self.snapshots.capacity)
        other.snapshots.stride = self.snapshots.stride
        other.snapshots._items = list(self.snapshots)
        other.rewind(epoch)
        return other

    def checkpoint(self) -> dict:
        """Everything that training changes, to go back to exactly (stepping backwards)."""
        return {
            "theta": self._compiled.theta.copy(),
            "optimizer": self.optimizer.state(),
            "rng": self.rng.bit_generator.state,
            "counters": {name: getattr(self, name) for name in _COUNTERS},
            "queue": self._queue,
            "sums": (
                (self._total, self._correct, self._squared)
                if self._queue is not None
                else (0.0, 0, 0.0)
            ),
            "history": {k: len(v) for k, v in vars(self.history).items()},
        }

    def saved_state(self) -> dict:
        """Everything, history and snapshots included, to come back to later (undo and
        redo of a run of training); ``load_state`` puts it back exactly."""
        return {
            **self.checkpoint(),
            "backup": self._backup.copy(),
            "history_values": {k: list(v) for k, v in vars(self.history).items()},
            "snapshots": (list(self.snapshots), self.snapshots.stride),
            "diverged": self.diverged,
        }

    def load_state(self, state: dict) -> None:
        self.restore(state)
        np.copyto(self._backup, state["backup"])
        self.history = History(**{k: list(v) for k, v in state["history_values"].items()})
        items, stride = state["snapshots"]
        self.snapshots._items, self.snapshots.stride = list(items), stride
        self.diverged = state["diverged"]

    def restore(self, cp: dict) -> None:
        self._compiled.set_theta(cp["theta"])
        self.optimizer.restore(cp["optimizer"])
        self.rng.bit_generator.state = cp["rng"]
        for name, value in cp["counters"].items():
            setattr(self, name, value)
        self._queue = cp["queue"]
        self._total, self._correct, self._squared = cp["sums"]
        for name, n in cp["history"].items():
            del getattr(self.history, name)[n:]
        self.snapshots.truncate_after(self.epoch)
