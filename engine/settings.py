"""Training settings and the dataset description stored in a network file."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
INITIALIZERS = ("uniform", "normal", "xavier", "xavier_normal", "he")
# Training arithmetic: float64, or float32 passes with float64 master weights (about twice
# as fast on large networks; the walkthrough and the gradient check stay float64).
DTYPES = ("float64", "float32")


@dataclass
class TrainingSettings:
    loss: str = "mse"
    optimizer: str = "sgd"
    learning_rate: float = 0.1
    batch_size: int | None = None  # None: the full batch; 1: online SGD
    shuffle: bool = True  # mini-batch / online order: reshuffled each epoch, or fixed
    momentum: float = 0.9
    rho: float = 0.9  # RMSProp: decay of the running mean of g²
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    halve_on_plateau: bool = False
    plateau_patience: int = 10  # epochs without a new best loss before halving
    halve_on_rise: bool = False  # halve η when an epoch's loss is above the previous one's
    halve_after: int = 0  # neither rule halves in the first this many epochs
    min_learning_rate: float = 1e-4  # the floor of both halving rules
    min_improvement: float | None = None  # stop when 0 < L_prev − L < this
    regularization: str = "none"  # "none", "l1" or "l2": a penalty on connection weights
    regularization_rate: float = 0.0  # λ
    dtype: str = "float64"  # "float32": forward and backward passes in float32 (DTYPES)
    seed: int = 0  # shuffling, and the initialiser's default seed
    initializer: str = "xavier"
    init_scale: float = 1.0  # uniform: range ±scale; normal: standard deviation
    init_range: list[float] | None = None  # uniform: [low, high) instead of ±scale
    max_epochs: int = 1000
    target_loss: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls) if f.name != "extra"]

    def copy(self) -> TrainingSettings:
        return TrainingSettings(**{**self.__dict__, "extra": dict(self.extra)})


@dataclass
class DatasetSpec:
    """Either explicit rows (``inputs``/``targets``) or a named generator with parameters."""

    inputs: list[list[float]] | None = None
    targets: list[list[float]] | None = None
    generator: str | None = None
    params: dict[str, Any] = field(default_factory=dict)  # size, noise, seed, …
    test_fraction: float = 0.0
    split_seed: int = 0
    class_names: list[str] | None = None  # explicit one-hot rows: the classes' names
    extra: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> DatasetSpec:
        return DatasetSpec(
            inputs=None if self.inputs is None else [list(r) for r in self.inputs],
            targets=None if self.targets is None else [list(r) for r in self.targets],
            generator=self.generator,
            params=dict(self.params),
            test_fraction=self.test_fraction,
            split_seed=self.split_seed,
            class_names=None if self.class_names is None else list(self.class_names),
            extra=dict(self.extra),
        )
