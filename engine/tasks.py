"""What a dataset asks of a network: two classes, K classes, or a number to fit.

The answer decides how the app scores and draws it: accuracy by threshold or by arg-max,
or RMSE; a two-colour map, a K-colour map, or a diverging scale with a colour bar.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from .formatting import sub, to_plain


class Task(StrEnum):
    BINARY = "binary"  # one output per 0/1 (or ±1) target
    CLASSES = "classes"  # one-hot targets over K ≥ 2 outputs: the arg-max is the class
    REGRESSION = "regression"  # continuous targets


def task_of(targets: np.ndarray) -> Task:
    """From sample-major targets (samples × outputs)."""
    y = np.asarray(targets, dtype=float)
    if y.size == 0:
        return Task.BINARY
    if y.shape[1] > 1 and np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1):
        return Task.CLASSES
    if np.all((y == 0) | (y == 1) | (y == -1)):
        return Task.BINARY
    return Task.REGRESSION


def target_symbols(network) -> list[str]:
    """What the step-through calls each output's target, in plain text: y with one
    output, y_A (y subscript the output's name) with several."""
    outputs = network.outputs
    if len(outputs) == 1:
        return ["y"]
    return [to_plain(sub("y", network.neuron(o).name)) for o in outputs]


def class_names(network, n_classes: int) -> list[str]:
    """The classes' names: the dataset's own (a CSV's class column), else the outputs'."""
    spec = network.dataset
    if spec is not None and spec.class_names and len(spec.class_names) == n_classes:
        return list(spec.class_names)
    if spec is not None and spec.generator is not None and spec.params.get("classes"):
        from .datasets import CLASS_LETTERS

        return list(CLASS_LETTERS[:n_classes])
    return [network.neuron(o).name for o in network.outputs][:n_classes]


def rmse(yhat: np.ndarray, y: np.ndarray) -> float:
    """Root mean squared error over every output and sample (feature-major arrays)."""
    d = yhat - y
    return float(np.sqrt(np.vdot(d, d) / d.size)) if d.size else 0.0
