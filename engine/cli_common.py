"""What the command line's subcommands share: the exit statuses, the usage error, loading a
file with its name in front of any error, the dataset as arrays, and numbers for strict JSON
(NaN and ±∞ as ``null``).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .datasets import dataset_from_spec
from .errors import NetworkFileError, plain
from .files import load_network
from .limits import MAX_PRINTED_VALUES, count
from .network import Network

EXIT_DISAGREE = 1
EXIT_OUTPUT = 1  # the output could not be written (a full disk)
EXIT_USAGE = 2  # a bad file or argument
EXIT_DIVERGED = 3
EXIT_BUG = 70  # EX_SOFTWARE
EXIT_PIPE = 141  # 128 + SIGPIPE, as a shell reports a pipe closed early


PATH_SHOWN = 300  # characters of a file name shown in a message


class UsageError(Exception):
    pass


def load_file(path: str) -> Network:
    """The network file, with its name in front of any error."""
    try:
        return load_network(path)
    except NetworkFileError as e:
        raise NetworkFileError(f"{plain(path, PATH_SHOWN)}: {e}") from None


def require_runnable(network: Network) -> None:
    if network.dataset is None:
        raise UsageError("the file has no dataset to run")
    if not network.outputs:
        raise UsageError("the network has no output neuron: there is nothing to compute")


def sample_data(network: Network, sample: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Feature-major (X, Y) of the file's dataset, or of its sample K alone."""
    require_runnable(network)
    try:
        data = dataset_from_spec(network.dataset, network.inputs, network.outputs)
    except ValueError as e:
        raise NetworkFileError(f"dataset: {e}") from None
    X, Y = data.inputs.T, data.targets.T
    if sample is not None:
        if not 0 <= sample < X.shape[1]:
            raise UsageError(f"--sample {sample}: the dataset has samples 0 to {X.shape[1] - 1}")
        X, Y = X[:, sample : sample + 1], Y[:, sample : sample + 1]
    return np.ascontiguousarray(X), np.ascontiguousarray(Y)


def check_printable(values: int, what: str) -> None:
    if values > MAX_PRINTED_VALUES:
        raise UsageError(
            f"{what} would print {count(values)} values (at most {count(MAX_PRINTED_VALUES)}); "
            "choose one sample with --sample K"
        )


def finite_or_none(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def finite_list(values: ArrayLike) -> tuple[list, bool]:
    """Plain floats, NaN and ±∞ as None; and whether all were finite."""
    array = np.asarray(values, dtype=float)
    if np.isfinite(array).all():
        return array.tolist(), True
    return [v if math.isfinite(v) else None for v in array.tolist()], False


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False))
