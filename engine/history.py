"""Parameter snapshots over a training run, for rewinding to an earlier epoch.

Memory is bounded: at most ``capacity`` snapshots are kept (default 512). When full, the
older half is thinned by dropping every other snapshot (epoch 0 always stays), so recent
epochs stay exact while older history gets sparser: after E epochs, the snapshots are
dense over roughly the last capacity/2 epochs and spaced ever wider before that. A 2-8-8-1
network (105 parameters, momentum state included) costs under 2 kB per snapshot, so about
1 MB at the bound.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np


@dataclass
class Snapshot:
    epoch: int
    iteration: int
    theta: np.ndarray
    optimizer: dict
    rng: dict | None  # the shuffling generator's state, when shuffling


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
        self._items: list[Snapshot] = []

    def __len__(self) -> int:
        return len(self._items)

    @property
    def epochs(self) -> list[int]:
        return [s.epoch for s in self._items]

    def record(self, snapshot: Snapshot) -> None:
        if self._items and snapshot.epoch <= self._items[-1].epoch:
            self.truncate_after(snapshot.epoch - 1)
        self._items.append(snapshot)
        if len(self._items) > self.capacity:
            half = len(self._items) // 2
            older = self._items[:half]
            self._items = [older[0], *older[2::2], *self._items[half:]]

    def at_or_before(self, epoch: int) -> Snapshot:
        i = bisect.bisect_right(self.epochs, epoch) - 1
        if i < 0:
            raise KeyError(f"no snapshot at or before epoch {epoch}")
        return self._items[i]

    def truncate_after(self, epoch: int) -> None:
        """Forget every snapshot later than ``epoch`` (history diverges from here)."""
        self._items = [s for s in self._items if s.epoch <= epoch]
