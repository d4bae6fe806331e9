"""Stepping through training: a walkthrough of the current iteration with a cursor, that
continues into the next iteration at the end and goes back across iterations exactly
(each committed iteration keeps a checkpoint of the trainer from before it)."""

from __future__ import annotations

import numpy as np

from .cursor import Cursor
from .formatting import NumberFormat
from .trainer import Trainer
from .walkthrough import WalkState, Walkthrough

MAX_PAST = 500  # iterations that can be stepped back over


class StepSession:
    def __init__(
        self, trainer: Trainer, sample: int | None = None, fmt: NumberFormat | None = None
    ):
        """sample None: walk the trainer's own next batch; k: walk training sample k alone
        (its update then is one online step on that sample)."""
        self.trainer = trainer
        self.sample = sample
        self.fmt = fmt or NumberFormat()
        self._past: list[tuple[Walkthrough, dict]] = []
        self._new_walk()

    def _batch(self) -> tuple[np.ndarray, np.ndarray]:
        if self.sample is None:
            return self.trainer.next_batch()
        t, k = self.trainer, self.sample
        return t.X[:, k : k + 1], t.Y[:, k : k + 1]

    def _new_walk(self) -> None:
        X, Y = self._batch()
        t = self.trainer
        self.walk = Walkthrough(
            t.network,
            X,
            Y,
            t.settings,
            t.optimizer.state(),
            fmt=self.fmt,
            parameters=t.parameters(),
        )
        self.cursor = Cursor(self.walk)

    @property
    def state(self) -> WalkState:
        return self.cursor.state

    def commit(self) -> None:
        """Apply the current iteration's update for real and start the next one."""
        t = self.trainer
        checkpoint = t.checkpoint()
        if self.sample is None:
            t.step(np.float64)  # the update the walkthrough shows, whatever the dtype
        else:
            t.manual_update(*self._batch())
        self._past.append((self.walk, checkpoint))
        del self._past[:-MAX_PAST]
        self._new_walk()

    def forward(self, granularity: str = "step") -> None:
        """Next step, neuron, level, phase or iteration; past the end, into the next
        iteration. "epoch": finish the current epoch (training its remaining batches).
        A diverging update restores the epoch's start (``trainer.diverged`` says so)."""
        with np.errstate(all="ignore"):
            self._forward(granularity)

    def _forward(self, granularity: str) -> None:
        if granularity == "epoch":
            if self.cursor.position >= 0:
                self.commit()
            if self.sample is None:
                self.trainer.run_epoch()
            self._past.clear()  # a whole epoch is not stepped back over micro-step by micro-step
            self._new_walk()
            return
        if self.cursor.at_end:
            self.commit()
        self.cursor.next(granularity)

    def back(self, granularity: str = "step") -> bool:
        """The inverse of ``forward``; across an iteration boundary the trainer is put back
        exactly as it was. False at the start of what can be stepped back over."""
        if self.cursor.previous(granularity):
            return True
        if not self._past:
            return False
        walk, checkpoint = self._past.pop()
        self.trainer.restore(checkpoint)
        self.walk = walk
        self.cursor = Cursor(walk, len(walk.steps) - 1)
        return True
