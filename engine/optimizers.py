"""Optimisers acting in place on the compiled network's flat parameter buffer.

Each keeps its state in flat arrays too, so ``state()``/``restore()`` can snapshot it for
stepping backwards in time.
"""

from __future__ import annotations

import numpy as np

from .settings import OPTIMIZERS, TrainingSettings


class Optimizer:
    name = "sgd"

    def __init__(self, size: int, settings: TrainingSettings) -> None:
        self.learning_rate = float(settings.learning_rate)
        self.settings = settings
        self.t = 0  # updates made
        self._tmp = np.zeros(size)

    def step(self, theta: np.ndarray, grad: np.ndarray) -> None:
        """θ ← θ − η·g"""
        np.multiply(grad, self.learning_rate, self._tmp)
        np.subtract(theta, self._tmp, theta)
        self.t += 1

    def state(self) -> dict:
        return {"learning_rate": self.learning_rate, "t": self.t}

    def restore(self, state: dict) -> None:
        self.learning_rate = state["learning_rate"]
        self.t = state["t"]


class Momentum(Optimizer):
    name = "momentum"

    def __init__(self, size: int, settings: TrainingSettings) -> None:
        super().__init__(size, settings)
        self.velocity = np.zeros(size)

    def step(self, theta, grad):
        """v ← μ·v − η·g;  θ ← θ + v"""
        self.velocity *= self.settings.momentum
        np.multiply(grad, self.learning_rate, self._tmp)
        self.velocity -= self._tmp
        theta += self.velocity
        self.t += 1

    def state(self):
        return {**super().state(), "velocity": self.velocity.copy()}

    def restore(self, state):
        super().restore(state)
        np.copyto(self.velocity, state["velocity"])


class RMSProp(Optimizer):
    name = "rmsprop"

    def __init__(self, size: int, settings: TrainingSettings) -> None:
        super().__init__(size, settings)
        self.v = np.zeros(size)
        self._tmp2 = np.zeros(size)

    def step(self, theta, grad):
        """v ← ρ·v + (1−ρ)·g²;  θ ← θ − η·g/(√v + ε)"""
        s = self.settings
        self.t += 1
        self.v *= s.rho
        np.multiply(grad, grad, self._tmp)
        self._tmp *= 1.0 - s.rho
        self.v += self._tmp
        np.sqrt(self.v, self._tmp2)
        self._tmp2 += s.epsilon
        np.divide(grad, self._tmp2, self._tmp)
        self._tmp *= self.learning_rate
        theta -= self._tmp

    def state(self):
        return {**super().state(), "v": self.v.copy()}

    def restore(self, state):
        super().restore(state)
        np.copyto(self.v, state["v"])


class Adam(Optimizer):
    name = "adam"

    def __init__(self, size: int, settings: TrainingSettings) -> None:
        super().__init__(size, settings)
        self.m = np.zeros(size)
        self.v = np.zeros(size)
        self._tmp2 = np.zeros(size)

    def step(self, theta, grad):
        """m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − η·m̂/(√v̂ + ε)"""
        s = self.settings
        self.t += 1
        self.m *= s.beta1
        np.multiply(grad, 1.0 - s.beta1, self._tmp)
        self.m += self._tmp
        self.v *= s.beta2
        np.multiply(grad, grad, self._tmp)
        self._tmp *= 1.0 - s.beta2
        self.v += self._tmp
        step = self.learning_rate / (1.0 - s.beta1**self.t)
        np.multiply(self.v, 1.0 / (1.0 - s.beta2**self.t), self._tmp2)
        np.sqrt(self._tmp2, self._tmp2)
        self._tmp2 += s.epsilon
        np.divide(self.m, self._tmp2, self._tmp)
        self._tmp *= step
        theta -= self._tmp

    def state(self):
        return {**super().state(), "m": self.m.copy(), "v": self.v.copy()}

    def restore(self, state):
        super().restore(state)
        np.copyto(self.m, state["m"])
        np.copyto(self.v, state["v"])


def make_optimizer(size: int, settings: TrainingSettings) -> Optimizer:
    classes = {"sgd": Optimizer, "momentum": Momentum, "rmsprop": RMSProp, "adam": Adam}
    if settings.optimizer not in classes:
        raise ValueError(
            f"unknown optimizer {settings.optimizer!r} (valid: {', '.join(OPTIMIZERS)})"
        )
    return classes[settings.optimizer](size, settings)
