"""L1 and L2 penalties on the connection weights (never the biases).

L2 adds (λ/2)·Σ w² to the loss and λ·w to each ∂L/∂w; L1 adds λ·Σ|w| and λ·sign(w),
which is 0 at w = 0. The compiled network keeps unconnected weight slots at exactly 0,
so a penalty over the flat weight block equals the penalty over the connections.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = ("none", "l1", "l2")


@dataclass(frozen=True)
class Penalty:
    kind: str = "none"
    rate: float = 0.0

    @classmethod
    def of(cls, settings) -> Penalty:
        return cls(settings.regularization, settings.regularization_rate)

    @property
    def active(self) -> bool:
        return self.kind != "none" and self.rate != 0.0

    def value(self, weights: np.ndarray) -> float:
        if not self.active:
            return 0.0
        if self.kind == "l2":
            return 0.5 * self.rate * float(np.vdot(weights, weights))
        return self.rate * float(np.abs(weights).sum())

    def add_gradient(self, weights: np.ndarray, grad: np.ndarray) -> None:
        """grad += ∂penalty/∂w, in place."""
        if not self.active:
            return
        if self.kind == "l2":
            grad += self.rate * weights
        else:
            grad += self.rate * np.sign(weights)

    def slope(self, w: float) -> float:
        """∂penalty/∂w for one weight."""
        if not self.active:
            return 0.0
        return self.rate * (w if self.kind == "l2" else float(np.sign(w)))

    @property
    def symbol(self) -> str:
        """The penalty's term in ∂L/∂w, in symbols."""
        return {"l2": "λ·w", "l1": "λ·sign(w)"}.get(self.kind, "")
