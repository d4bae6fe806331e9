"""A cursor over a walkthrough's steps, moving by micro-step, neuron, level, phase or the
whole iteration. Position −1 means "nothing computed yet"; moving by a granularity stops
at the end of a group of steps, so ``next`` and ``previous`` undo each other."""

from __future__ import annotations

from collections.abc import Callable

from .walkthrough import Step, WalkState, Walkthrough

GRANULARITIES: dict[str, Callable[[Step], object]] = {
    "step": lambda s: s.index,
    "neuron": lambda s: (s.phase, s.neuron),
    "level": lambda s: (s.phase, s.level),
    "phase": lambda s: s.phase,
    "iteration": lambda s: 0,
}


class Cursor:
    def __init__(self, walk: Walkthrough, position: int = -1) -> None:
        self.walk = walk
        self.position = position

    @property
    def last(self) -> int:
        return len(self.walk.steps) - 1

    @property
    def step(self) -> Step | None:
        return self.walk.steps[self.position] if self.position >= 0 else None

    @property
    def state(self) -> WalkState:
        return self.walk.state_at(self.position)

    @property
    def at_end(self) -> bool:
        return self.position == self.last

    def next(self, granularity: str = "step") -> bool:
        """Advance to the end of the next group; False (and no move) at the end."""
        if self.position >= self.last:
            return False
        key = GRANULARITIES[granularity]
        steps = self.walk.steps
        j = self.position + 1
        group = key(steps[j])
        while j < self.last and key(steps[j + 1]) == group:
            j += 1
        self.position = j
        return True

    def previous(self, granularity: str = "step") -> bool:
        """Go back to just before the current group; False (and no move) at the start."""
        if self.position < 0:
            return False
        key = GRANULARITIES[granularity]
        steps = self.walk.steps
        j = self.position
        group = key(steps[j])
        while j > 0 and key(steps[j - 1]) == group:
            j -= 1
        self.position = j - 1
        return True

    def jump(self, index: int) -> None:
        self.position = max(-1, min(index, self.last))

    def to_start(self) -> None:
        self.position = -1

    def to_end(self) -> None:
        self.position = self.last

    def to_phase_start(self, phase: str) -> None:
        """Just before the phase's first step: nothing of the phase shown yet."""
        self.position = self.walk.phase_range(phase)[0] - 1

    def to_phase_end(self, phase: str) -> None:
        self.position = self.walk.phase_range(phase)[1]
