"""What a training run leaves behind: its per-epoch record (``History``), and parameter
snapshots for going back to any earlier epoch exactly.

Memory is bounded and the series stays evenly spaced: snapshots are kept at every
``stride``-th epoch, and when more than ``capacity`` are held the stride doubles and every
other one goes (epoch 0 always stays). Any epoch between two snapshots is reached exactly
by replaying training from the one before it (the trainer does that), so thinning costs
time, never exactness. Snapshots taken after an irregular change (an update on a chosen
sample, which a replay of whole epochs would not repeat) are pinned: never thinned.
A 2-8-8-1 network (105 parameters, momentum state included) costs under 2 kB per
snapshot, so about 1 MB at the bound.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Snapshot:
    epoch: int
    iteration: int
    theta: np.ndarray
    optimizer: dict
    rng: dict  # the shuffling generator's state
    plateau: tuple[float, int] = (float("inf"), 0)  # best loss so far, epochs since
    pinned: bool = False


SNAPSHOT_BYTES = 256 * 1024 * 1024  # all snapshots of one trainer together


def snapshot_capacity(n_parameters: int) -> int:
    """How many snapshots of ``n_parameters`` (with up to two optimiser arrays of the same
    size, as Adam keeps) fit in ``SNAPSHOT_BYTES``: 512 for any classroom network, fewer
    (at least 4) for the largest files."""
    per_snapshot = 3 * 8 * max(n_parameters, 1)
    return max(4, min(512, SNAPSHOT_BYTES // per_snapshot))


class Snapshots:
    def __init__(self, capacity: int = 512) -> None:
        if capacity < 4:
            raise ValueError("keep at least 4 snapshots")
        self.capacity = capacity
        self.stride = 1
        self._items: list[Snapshot] = []

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return iter(self._items)

    @property
    def epochs(self) -> list[int]:
        return [s.epoch for s in self._items]

    def wants(self, epoch: int, pinned: bool = False) -> bool:
        """Whether ``record`` would do anything with a snapshot of ``epoch``: lets the
        trainer skip copying θ and the optimiser's state for the epochs thinned away."""
        return (
            not self._items or pinned or epoch <= self._items[-1].epoch or not epoch % self.stride
        )

    def record(self, snapshot: Snapshot) -> None:
        if self._items and snapshot.epoch <= self._items[-1].epoch:
            self.truncate_after(snapshot.epoch - 1)
        if self._items and snapshot.epoch % self.stride and not snapshot.pinned:
            return
        self._items.append(snapshot)
        while len(self._items) > self.capacity and self.stride < 2**40:  # pinned ones stay
            self.stride *= 2
            self._items = [
                s
                for s in self._items
                if s.epoch % self.stride == 0 or s.pinned or s is self._items[0]
            ]

    def at_or_before(self, epoch: int) -> Snapshot:
        i = bisect.bisect_right(self.epochs, epoch) - 1
        if i < 0:
            raise KeyError(f"no snapshot at or before epoch {epoch}")
        return self._items[i]

    def truncate_after(self, epoch: int) -> None:
        """Forget every snapshot later than ``epoch`` (history diverges from here)."""
        self._items = [s for s in self._items if s.epoch <= epoch]


@dataclass
class History:
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    rmse: list[float] = field(default_factory=list)  # regression data only
    test_rmse: list[float] = field(default_factory=list)
