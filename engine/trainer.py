"""Many training iterations, fast: the compiled network, an optimiser and a history.

The loss and accuracy recorded for an epoch are the means over that epoch's batches, each
measured just before its update (what most training loops report). For full-batch
training that is exactly the loss of the weights the epoch started from.

A trainer owns the compiled network it trains and never hands it out: readers get copies
(``parameters``, ``theta``, ``snapshot``, ``at_epoch``), so nothing a panel, a map or an
export does can change what is being trained.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from enum import StrEnum

import numpy as np

from .accuracy import UNDECIDED, classification_rule, correct_count
from .compiled import CompiledNetwork
from .datasets import Dataset, dataset_from_spec, train_test_split
from .history import History, Snapshots, snapshot_capacity
from .losses import get_loss
from .optimizers import make_optimizer
from .regularization import Penalty
from .settings import TrainingSettings
from .tasks import Task, rmse, task_of
from .trainer_state import TrainerState

# Divergence: the loss or a parameter is not finite, or |loss| grew beyond this many times
# max(|first loss|, 1) (the first batch loss this trainer saw).
DIVERGENCE_GROWTH = 1e6


class StopReason(StrEnum):
    EPOCHS = "reached the epoch limit"
    TARGET = "reached the target loss"
    CONVERGED = "stopped improving"
    DIVERGED = "diverged"
    STOPPED = "stopped"


class TrainResult:
    """How a ``train`` call ended. The final ``loss`` and ``accuracy`` (after the last
    update, on the training data) are measured on first access, from the parameters as
    they were at the end: the app trains in short slices and reads neither, and for a big
    network that forward pass costs a third of an epoch."""

    def __init__(
        self,
        reason: StopReason,
        epochs: int,
        message: str,
        measure: Callable[[], tuple[float, float]],
    ) -> None:
        self.reason, self.epochs, self.message = reason, epochs, message
        self._measure = measure

    @functools.cached_property
    def _measured(self) -> tuple[float, float]:
        return self._measure()

    @property
    def loss(self) -> float:
        return self._measured[0]

    @property
    def accuracy(self) -> float:
        return self._measured[1]


def split_dataset(network) -> tuple[Dataset, Dataset | None]:
    """The network's own (train, test) data, from its ``dataset`` entry."""
    if network.dataset is None:
        raise ValueError("the network has no dataset")
    data = dataset_from_spec(network.dataset, network.inputs, network.outputs)
    if network.dataset.test_fraction > 0:
        return train_test_split(data, network.dataset.test_fraction, network.dataset.split_seed)
    return data, None


class Trainer(TrainerState):
    def __init__(
        self,
        network,
        train: Dataset | None = None,
        test: Dataset | None = None,
        settings: TrainingSettings | None = None,
    ) -> None:
        self.network = network
        self.settings = settings or network.training
        if train is None:
            train, test = split_dataset(network)
        self._compiled = network.compile()  # ours alone: never handed out
        self.loss = get_loss(self.settings.loss)
        self.X = np.ascontiguousarray(train.inputs.T, dtype=float)
        self.Y = np.ascontiguousarray(train.targets.T, dtype=float)
        self.X_test = self.Y_test = None
        if test is not None and len(test):
            self.X_test = np.ascontiguousarray(test.inputs.T, dtype=float)
            self.Y_test = np.ascontiguousarray(test.targets.T, dtype=float)
        self.m = self.X.shape[1]
        if self.m == 0:
            raise ValueError("the training set is empty")
        self.optimizer = make_optimizer(self._compiled.size, self.settings)
        self.rng = np.random.default_rng(self.settings.seed)
        self.epoch = 0
        self.iteration = 0
        self.history = History()
        self._backup = self._compiled.theta.copy()
        self._rule = classification_rule(self.Y)
        self.task = task_of(train.targets)
        self.penalty = Penalty.of(self.settings)
        # float32 runs both passes in float32; θ, the optimiser and the history stay float64
        self.dtype = np.float32 if self.settings.dtype == "float32" else np.float64
        self._queue: list | None = None  # this epoch's batches, while one is under way
        self._score_cache: tuple | None = None  # (Y, its sides, bounds): _count_correct
        self._next = 0
        self._best = math.inf
        self._since_best = 0
        self._irregular = False  # an update a replay of whole epochs would not repeat
        self.diverged = 0  # times the loss became NaN or ∞ (the epoch's start restored)
        self._loss_bound: float | None = None  # see DIVERGENCE_GROWTH
        self.divergence = ""  # why the last diverged step diverged
        self.snapshots = Snapshots(snapshot_capacity(self._compiled.size))
        self._snapshot()

    # ------------------------------------------------------------- readers
    @property
    def theta(self) -> np.ndarray:
        """A copy of the flat parameters (layout: ``snapshot().weight_index``)."""
        return self._compiled.theta.copy()

    def parameters(self) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
        """(weights, biases) as plain dicts: the trained values, detached."""
        return self._compiled.parameters()

    def snapshot(self) -> CompiledNetwork:
        """An independent compiled network holding the current parameters."""
        return self._compiled.copy()

    @property
    def batch_size(self) -> int:
        k = self.settings.batch_size
        return self.m if not k or k >= self.m else int(k)

    def _start_epoch(self) -> None:
        """Fix this epoch's batches (shuffled once per epoch when asked)."""
        k = self.batch_size
        if k == self.m:
            self._queue = [(self.X, self.Y)]
        else:
            if self.settings.shuffle:
                order = self.rng.permutation(self.m)
                X, Y = self.X[:, order], self.Y[:, order]
            else:
                X, Y = self.X, self.Y
            self._queue = [
                (X[:, i : i + k], np.ascontiguousarray(Y[:, i : i + k]))
                for i in range(0, self.m, k)
            ]
        self._next = 0
        self._total = 0.0
        self._correct = 0
        self._squared = 0.0
        np.copyto(self._backup, self._compiled.theta)

    def next_batch(self) -> tuple[np.ndarray, np.ndarray]:
        """The (X, Y) the next iteration will train on."""
        if self._queue is None:
            self._start_epoch()
        return self._queue[self._next]

    def step(self, dtype=None) -> float:
        """One iteration (one batch's update). Returns the batch loss; NaN if it diverged,
        in which case the weights are back to those the epoch started from.
        ``dtype`` overrides the settings' (stepping commits the walkthrough's float64
        update); an update in another dtype is one a replay would not repeat exactly."""
        queue = self._queue  # next_batch(), inline: this is the hot path
        if queue is None:
            self._start_epoch()
            queue = self._queue
        Xb, Yb = queue[self._next]
        c = self._compiled
        if dtype is None or dtype is self.dtype:
            dtype = self.dtype
        else:
            self._irregular = True
        value = c.loss_and_gradient(Xb, Yb, self.loss, penalty=self.penalty, dtype=dtype)
        if self._loss_bound is None and math.isfinite(value):
            self._loss_bound = DIVERGENCE_GROWTH * max(abs(value), 1.0)
        if not math.isfinite(value):
            return self._diverged("the loss became NaN or infinite")
        if abs(value) > self._loss_bound:
            return self._diverged(
                f"the loss reached {value:.3g}, more than {DIVERGENCE_GROWTH:.0e} times its "
                "first value"
            )
        self._total += value * Xb.shape[1]
        if self.task is Task.REGRESSION:  # Σ (ŷ − y)² for the epoch's RMSE
            d = c.last_outputs() - Yb
            self._squared += float(np.vdot(d, d))
        else:
            self._correct += self._count_correct(c.last_outputs(), Yb)
        self.optimizer.step(c.theta, c.grad)
        self.iteration += 1
        self._next += 1
        if self._next == len(self._queue):
            # the next loss would tell, but only after this epoch's end became its backup;
            # one sum (NaN and ∞ propagate) is cheaper than isfinite(θ).all()
            if not math.isfinite(np.add.reduce(c.theta)):
                return self._diverged("a weight or bias became infinite")
            self._finish_epoch()
        return value

    def _count_correct(self, yhat: np.ndarray, Y: np.ndarray) -> int:
        """``correct_count`` in three numpy calls for threshold rules: with s = ±1 the
        target's side, ŷ·s > s·t + ε says ŷ > t + ε or ŷ < t − ε, exactly as
        ``correct_mask`` (negation is exact in floating point). s is kept per batch."""
        one_hot, threshold = self._rule
        if one_hot:
            return correct_count(yhat, Y, self._rule)
        cache = self._score_cache
        if cache is None or cache[0] is not Y:
            side = np.where(np.greater(Y, threshold), 1.0, -1.0)
            cache = self._score_cache = (Y, side, side * threshold + UNDECIDED)
        flags = np.greater(np.multiply(yhat, cache[1]), cache[2])
        if flags.shape[0] > 1:
            flags = flags.all(axis=0)
        return int(np.count_nonzero(flags))

    def _diverged(self, why: str) -> float:
        """Back to the weights the epoch started from; NaN tells the caller."""
        self.divergence = why
        self.diverged += 1
        self._compiled.set_theta(self._backup)
        self.optimizer = make_optimizer(self._compiled.size, self.settings)
        self._queue = None
        return math.nan

    def run_epoch(self) -> float:
        """The rest of the current epoch (a whole one unless stepping left it half done);
        returns the epoch's loss, or NaN if it diverged."""
        if self._queue is None:
            self._start_epoch()
        epoch = self.epoch
        while self.epoch == epoch:
            if math.isnan(self.step()):
                return math.nan
        return self.history.loss[-1]

    def _finish_epoch(self) -> None:
        self._queue = None
        self._compiled.version += 1
        self.epoch += 1
        epoch_loss = self._total / self.m
        h = self.history
        h.loss.append(epoch_loss)
        h.accuracy.append(self._correct / self.m)
        if self.task is Task.REGRESSION:
            h.rmse.append(math.sqrt(self._squared / self.Y.size))
        h.learning_rate.append(self.optimizer.learning_rate)
        if self.X_test is not None:
            t_loss, t_acc = self.evaluate(self.X_test, self.Y_test)
            h.test_loss.append(t_loss)
            h.test_accuracy.append(t_acc)
            if self.task is Task.REGRESSION:
                with np.errstate(all="ignore"):
                    h.test_rmse.append(rmse(self._compiled.outputs(self.X_test), self.Y_test))
        s = self.settings
        if self.epoch > s.halve_after:
            if s.halve_on_plateau:
                self._plateau(epoch_loss)
            if s.halve_on_rise and len(h.loss) > 1 and epoch_loss > h.loss[-2]:
                self._halve()
        self._snapshot()

    def _plateau(self, epoch_loss: float) -> None:
        if epoch_loss < self._best:
            self._best, self._since_best = epoch_loss, 0
            return
        self._since_best += 1
        if self._since_best >= self.settings.plateau_patience:
            self._halve()
            self._since_best = 0

    def _halve(self) -> None:
        self.optimizer.learning_rate = max(
            self.optimizer.learning_rate / 2, self.settings.min_learning_rate
        )

    def converged(self) -> bool:
        """The stop rule of the classic tutorials: 0 < L_prev − L < min_improvement."""
        eps, loss = self.settings.min_improvement, self.history.loss
        return eps is not None and len(loss) > 1 and 0 < loss[-2] - loss[-1] < eps

    def evaluate(
        self,
        X: np.ndarray | None = None,
        Y: np.ndarray | None = None,
        theta: np.ndarray | None = None,
    ) -> tuple[float, float]:
        """(loss, accuracy) of the current weights (or of ``theta``) on feature-major data
        (default: the training data, whose loss includes the weights' penalty as training
        minimises it; other data's is the data loss alone, which is what generalisation
        is about)."""
        c = self._compiled if theta is None else self._compiled.copy(theta)
        penalty = self.penalty.value(c.theta[: c.n_weights])
        if X is not None:
            penalty = 0.0
        X = self.X if X is None else X
        Y = self.Y if Y is None else Y
        with np.errstate(all="ignore"):
            yhat = c.outputs(X)
        value = self.loss.value(yhat, Y) + penalty
        return value, correct_count(yhat, Y, self._rule) / X.shape[1]

    def train(
        self,
        epochs: int | None = None,
        target_loss: float | None = None,
        on_epoch: Callable[[Trainer], bool | None] | None = None,
        deadline: float | None = None,
    ) -> TrainResult:
        """Run up to ``epochs`` more epochs (default: the settings' max_epochs).
        ``on_epoch`` may return False to stop early; so does passing ``deadline`` (a
        ``time.perf_counter()`` value: the app trains in time slices this way)."""
        epochs = self.settings.max_epochs if epochs is None else epochs
        target = self.settings.target_loss if target_loss is None else target_loss
        reason = StopReason.EPOCHS
        with np.errstate(all="ignore"):
            for _ in range(epochs):
                value = self.run_epoch()
                if math.isnan(value):
                    reason = StopReason.DIVERGED
                    break
                if target is not None and value <= target:
                    reason = StopReason.TARGET
                    break
                if self.converged():
                    reason = StopReason.CONVERGED
                    break
                if on_epoch is not None and on_epoch(self) is False:
                    reason = StopReason.STOPPED
                    break
                if deadline is not None and time.perf_counter() >= deadline:
                    reason = StopReason.STOPPED
                    break
        if reason is StopReason.DIVERGED:
            message = (
                f"training diverged in epoch {self.epoch + 1}: {self.divergence}. The weights "
                "were restored to those before that epoch; try a smaller learning rate."
            )
        elif reason is StopReason.TARGET:
            message = f"reached the target loss {target:g} after {self.epoch} epochs"
        elif reason is StopReason.CONVERGED:
            message = (
                f"stopped improving after {self.epoch} epochs (the loss fell by less than "
                f"{self.settings.min_improvement:g})"
            )
        else:
            message = f"{reason.value} after {self.epoch} epochs"
        theta = self._compiled.theta.copy()  # the trainer may go on before it is read
        return TrainResult(reason, self.epoch, message, lambda: self.evaluate(theta=theta))

    def manual_update(self, X: np.ndarray, Y: np.ndarray) -> float:
        """One update on a batch of one's choosing (stepping through a chosen sample):
        counts as an iteration, leaves the epoch's own batches alone."""
        c = self._compiled
        value = c.loss_and_gradient(X, Y, self.loss, penalty=self.penalty)
        if not (math.isfinite(value) and np.isfinite(c.grad).all()):
            self.diverged += 1  # nothing applied
            return math.nan
        self.optimizer.step(c.theta, c.grad)
        c.version += 1
        self.iteration += 1
        self._irregular = True
        return value

    def write_back(self) -> None:
        """Copy the trained weights into the network model."""
        self._compiled.store_parameters(self.network)
