"""Datasets: the logic gates, 2-D generators, CSV import and a seeded train/test split.

A ``Dataset`` is sample-major (one row per sample) as people read tables; the trainer
transposes once to the engine's feature-major layout.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import plain, quote
from .limits import MAX_NEURONS, MAX_SAMPLES, MAX_SEED, count
from .untrusted_input import read_limited


@dataclass
class Dataset:
    inputs: np.ndarray  # samples × inputs
    targets: np.ndarray  # samples × outputs
    input_names: list[str] = field(default_factory=list)
    target_names: list[str] = field(default_factory=list)
    class_names: list[str] | None = None  # one-hot targets: the classes, in column order

    def __len__(self) -> int:
        return len(self.inputs)

    def subset(self, index: np.ndarray) -> Dataset:
        return Dataset(
            self.inputs[index],
            self.targets[index],
            self.input_names,
            self.target_names,
            self.class_names,
        )


MAX_CLASSES = 6
CLASS_LETTERS = "ABCDEF"


def _labelled(x: np.ndarray, label: np.ndarray, classes: int | None, rng) -> Dataset:
    """Shuffled samples: one 0/1 target column (``classes`` None), or one-hot targets
    over ``classes`` columns named A, B, C, …"""
    order = rng.permutation(len(x))
    x, label = x[order], label[order]
    if classes is None:
        return Dataset(x, label.astype(float)[:, None], ["x1", "x2"], ["y"])
    names = list(CLASS_LETTERS[:classes])
    return Dataset(x, np.eye(classes)[label], ["x1", "x2"], names, names)


_GATES = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "xor": [0, 1, 1, 0],
}
_CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


def gate(name: str) -> Dataset:
    return Dataset(_CORNERS.copy(), np.array(_GATES[name], float)[:, None], ["x1", "x2"], ["y"])


def _split_counts(size: int, parts: int) -> list[int]:
    return [size // parts + (i < size % parts) for i in range(parts)]


def xor_noisy(size: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Points around the four corners of the unit square; label 1 iff exactly one
    coordinate is above 0.5 (so noise can move a point across a class boundary)."""
    rng = np.random.default_rng(seed)
    corners = np.repeat(_CORNERS, _split_counts(size, 4), axis=0)
    x = corners + rng.normal(0.0, noise, corners.shape)
    x = x[rng.permutation(size)]
    y = ((x[:, 0] > 0.5) != (x[:, 1] > 0.5)).astype(float)[:, None]
    return Dataset(x, y, ["x1", "x2"], ["y"])


def circle(size: int = 200, noise: float = 0.05, seed: int = 0) -> Dataset:
    """Class 1 inside radius 0.5, class 0 on a ring from 0.7 to 1.0 (centred at 0)."""
    rng = np.random.default_rng(seed)
    n_in, n_out = _split_counts(size, 2)
    r = np.concatenate([rng.uniform(0, 0.5, n_in), rng.uniform(0.7, 1.0, n_out)])
    angle = rng.uniform(0, 2 * math.pi, size)
    x = np.column_stack([r * np.cos(angle), r * np.sin(angle)]) + rng.normal(0, noise, (size, 2))
    y = np.concatenate([np.ones(n_in), np.zeros(n_out)])[:, None]
    order = rng.permutation(size)
    return Dataset(x[order], y[order], ["x1", "x2"], ["y"])


def gaussians(
    size: int = 200, noise: float = 0.3, seed: int = 0, classes: int | None = None
) -> Dataset:
    """Gaussian clouds with standard deviation ``noise``. Two classes: around (−0.5, −0.5)
    and (0.5, 0.5). ``classes`` K: around K points evenly spaced on the circle of radius
    0.7, class A at angle 90° (one-hot targets)."""
    rng = np.random.default_rng(seed)
    k = classes or 2
    counts = _split_counts(size, k)
    if classes is None:
        points = np.array([[-0.5, -0.5], [0.5, 0.5]])
    else:
        angle = math.pi / 2 + 2 * math.pi * np.arange(k) / k
        points = 0.7 * np.column_stack([np.cos(angle), np.sin(angle)])
    x = np.repeat(points, counts, axis=0) + rng.normal(0, noise, (size, 2))
    return _labelled(x, np.repeat(np.arange(k), counts), classes, rng)


def spiral(
    size: int = 200, noise: float = 0.05, seed: int = 0, classes: int | None = None
) -> Dataset:
    """Interleaved spirals (two, or ``classes`` K with one-hot targets), each turning
    1.75 times around the origin, arm k starting at angle 2πk/K."""
    rng = np.random.default_rng(seed)
    k = classes or 2
    counts = _split_counts(size, k)
    parts = []
    for label, n in enumerate(counts):
        t = np.linspace(0.0, 1.0, n, endpoint=False) + 0.02
        angle = t * 1.75 * 2 * math.pi + label * 2 * math.pi / k
        xy = np.column_stack([t * np.sin(angle), t * np.cos(angle)])
        parts.append(xy + rng.normal(0, noise, xy.shape))
    return _labelled(np.concatenate(parts), np.repeat(np.arange(k), counts), classes, rng)


def plane(size: int = 200, noise: float = 0.05, seed: int = 0) -> Dataset:
    """Regression: x uniform in [−1, 1]², target = 0.5·x₁ − 0.3·x₂ + 0.2 + noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (size, 2))
    y = 0.5 * x[:, 0] - 0.3 * x[:, 1] + 0.2 + rng.normal(0, noise, size)
    return Dataset(x, y[:, None], ["x1", "x2"], ["y"])


# (centre x₁, centre x₂, height): bumps of width 0.35, asymmetric on purpose
GAUSS_BUMPS = ((-0.5, 0.4, 1.0), (0.45, 0.35, -0.8), (0.1, -0.55, 0.6))


def gauss_regression(size: int = 200, noise: float = 0.05, seed: int = 0) -> Dataset:
    """Regression: x uniform in [−1, 1]², target = a sum of three Gaussian bumps
    (``GAUSS_BUMPS``, one of them negative) + noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (size, 2))
    y = rng.normal(0, noise, size)
    for cx, cy, h in GAUSS_BUMPS:
        y += h * np.exp(-((x[:, 0] - cx) ** 2 + (x[:, 1] - cy) ** 2) / (2 * 0.35**2))
    return Dataset(x, y[:, None], ["x1", "x2"], ["y"])


GENERATORS = {
    "xor_noisy": xor_noisy,
    "circle": circle,
    "gaussians": gaussians,
    "spiral": spiral,
    "plane": plane,
    "gauss_regression": gauss_regression,
}
MULTI_CLASS = ("gaussians", "spiral")  # the generators that take ``classes``
REGRESSION = ("plane", "gauss_regression")
GATES = tuple(_GATES)
DATASET_NAMES = (*GATES, *GENERATORS)


def generate(name: str, **params) -> Dataset:
    """A named dataset; gates take no parameters, generators take size, noise, seed."""
    if name in _GATES:
        if params:
            raise ValueError(f"dataset {name!r} takes no parameters (got {', '.join(params)})")
        return gate(name)
    if name not in GENERATORS:
        raise ValueError(f"unknown dataset {name!r} (valid: {', '.join(DATASET_NAMES)})")
    allowed = {"size", "noise", "seed"} | ({"classes"} if name in MULTI_CLASS else set())
    unknown = set(params) - allowed
    if unknown:
        raise ValueError(f"dataset {name!r}: unknown parameter {quote(sorted(unknown)[0])}")
    classes = params.get("classes")
    if classes is not None and (not _whole(classes) or not 2 <= classes <= MAX_CLASSES):
        raise ValueError(f"dataset.classes: must be a whole number from 2 to {MAX_CLASSES}")
    _check_params(**{k: v for k, v in params.items() if k != "classes"})
    return GENERATORS[name](**params)


def generator_targets(name: str, params: dict) -> int:
    """How many target columns a named dataset has (K one-hot columns with ``classes``)."""
    return params.get("classes") or 1


def _whole(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _check_params(size: int = 200, noise: float = 0.1, seed: int = 0) -> None:
    """Refuse what numpy would fail on (or spend all memory on) before it is called."""
    if not _whole(size) or not 1 <= size <= MAX_SAMPLES:
        raise ValueError(f"dataset.size: must be a whole number from 1 to {count(MAX_SAMPLES)}")
    if isinstance(noise, bool) or not isinstance(noise, int | float | np.floating):
        raise ValueError("dataset.noise: must be a finite number")
    try:
        finite = math.isfinite(noise)
    except OverflowError:
        finite = False
    if not finite or noise < 0:
        raise ValueError("dataset.noise: must be a finite number, not negative")
    if not _whole(seed) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"dataset.seed: must be a whole number from 0 to {count(MAX_SEED)}")


def load_csv(
    path: str | Path,
    input_columns: list[str] | None = None,
    target_columns: list[str] | None = None,
    n_targets: int | None = None,
    n_inputs: int | None = None,
) -> Dataset:
    """Read a CSV with a header row. By default the last column (the last ``n_targets``)
    is the target and the others are inputs. A single target column of class names
    (any value not a number), or of whole numbers when ``n_inputs`` + 1 columns meet
    ``n_targets`` > 1 outputs, becomes one-hot targets, the classes in sorted order with
    their names kept. Errors name the row (as numbered in the file) and the column. The
    file is read like a network file (a regular file of at most 20 MB); every error is
    a ``NetworkFileError`` (a ValueError) with one line."""
    from .errors import NetworkFileError

    path = Path(path)
    name = plain(path.name)

    def fail(message: str) -> NetworkFileError:
        return NetworkFileError(f"{name}{message}")

    try:
        text = read_limited(path).decode("utf-8-sig")
    except NetworkFileError as e:
        raise fail(f": {e}") from None
    except UnicodeDecodeError:
        raise fail(": not UTF-8 text") from None
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline="")):
            if len(rows) > MAX_SAMPLES:
                raise fail(f": at most {count(MAX_SAMPLES)} rows")
            rows.append(row)
    except csv.Error as e:
        raise fail(f" row {len(rows) + 1}: not CSV ({plain(e)})") from None
    if not rows:
        raise fail(": the file is empty")
    header = [h.strip() for h in rows[0]]
    if len(header) > MAX_NEURONS:
        raise fail(f": at most {count(MAX_NEURONS)} columns")
    body = [(i, row) for i, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)]
    classes = input_columns is None and target_columns is None and len(header) > 1
    classes = classes and (
        ((n_targets or 1) > 1 and n_inputs is not None and len(header) == n_inputs + 1)
        or any(not _is_number(row[-1]) for _, row in body if len(row) == len(header))
    )
    if classes:
        n_targets = 1
    if n_targets is not None:
        if not 1 <= n_targets < len(header):
            raise fail(f": {len(header)} columns, but {n_targets} targets and an input needed")
        input_columns, target_columns = header[:-n_targets], header[-n_targets:]
    if target_columns is None:
        target_columns = [c for c in header[-1:] if c not in (input_columns or [])]
    if input_columns is None:
        input_columns = [c for c in header if c not in target_columns]
    for c in [*input_columns, *target_columns]:
        if c not in header:
            shown = ", ".join(plain(h, 30) for h in header[:20])
            raise fail(f": no column {quote(c)} (columns: {shown})")
    pick = [header.index(c) for c in [*input_columns, *([] if classes else target_columns)]]
    data, labels = [], []
    for line_no, row in body:
        if len(row) != len(header):
            raise fail(f" row {line_no}: {len(row)} values, expected {len(header)}")
        values = []
        for i in pick:
            try:
                v = float(row[i])
            except ValueError:
                raise fail(
                    f" row {line_no}, column {quote(header[i])}: "
                    f"{quote(row[i].strip())} is not a number"
                ) from None
            if not math.isfinite(v):
                raise fail(f" row {line_no}, column {quote(header[i])}: {v} is not finite")
            values.append(v)
        data.append(values)
        if classes:
            labels.append(row[-1].strip())
    if not data:
        raise fail(": no data rows after the header")
    arr = np.array(data, dtype=float)
    k = len(input_columns)
    if not classes:
        return Dataset(arr[:, :k], arr[:, k:], list(input_columns), list(target_columns))
    return _one_hot(arr, labels, list(input_columns), fail)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _one_hot(inputs: np.ndarray, labels: list[str], input_names: list[str], fail) -> Dataset:
    """Targets one-hot over the distinct labels: whole numbers in numeric order, names in
    alphabetical order."""
    if all(_is_number(v) for v in labels):
        values = [float(v) for v in labels]
        if not all(math.isfinite(v) and v == int(v) for v in values):
            raise fail(": the class column holds numbers that are not whole")
        names = [str(int(v)) for v in sorted(set(values))]
        labels = [str(int(v)) for v in values]
    else:
        names = sorted(set(labels))
    if not 2 <= len(names) <= MAX_CLASSES:
        shown = ", ".join(plain(n, 20) for n in names[:8])
        raise fail(f": {len(names)} classes ({shown}); from 2 to {MAX_CLASSES} can be learned")
    column = {name: i for i, name in enumerate(names)}
    targets = np.eye(len(names))[[column[v] for v in labels]]
    return Dataset(inputs, targets, input_names, names, names)


def train_test_split(
    data: Dataset, test_fraction: float, seed: int = 0
) -> tuple[Dataset, Dataset]:
    """A seeded shuffle split; the test set has round(fraction·n) samples."""
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test fraction must be in [0, 1), not {test_fraction}")
    train, test = split_indices(len(data), test_fraction, seed)
    return data.subset(train), data.subset(test)


def split_indices(n: int, test_fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, test rows), each sorted: the split ``train_test_split`` makes."""
    n_test = round(n * test_fraction)
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def dataset_from_spec(spec, input_names: list[str], target_names: list[str]) -> Dataset:
    """The rows a network file's ``dataset`` entry stands for (no split)."""
    if spec.generator is not None:
        data = generate(spec.generator, **spec.params)
    else:
        rows = len(spec.inputs or [])
        if rows == 0 or rows != len(spec.targets or []):
            raise ValueError(
                f"the dataset has {rows} input and {len(spec.targets or [])} target rows"
            )
        try:
            inputs = np.array(spec.inputs, dtype=float).reshape(rows, len(input_names))
            targets = np.array(spec.targets, dtype=float).reshape(rows, len(target_names))
        except ValueError:  # ragged rows, or widths that do not match the network
            raise ValueError(
                f"the dataset's rows do not have {len(input_names)} inputs and "
                f"{len(target_names)} targets each (one per input and output neuron)"
            ) from None
        data = Dataset(inputs, targets, class_names=spec.class_names)
    if data.inputs.shape[1] != len(input_names) or data.targets.shape[1] != len(target_names):
        raise ValueError(
            f"the dataset has {data.inputs.shape[1]} input and {data.targets.shape[1]} target "
            f"columns but the network has {len(input_names)} inputs and "
            f"{len(target_names)} outputs"
        )
    data.input_names, data.target_names = list(input_names), list(target_names)
    return data
