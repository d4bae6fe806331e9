"""The network file's ``training`` and ``dataset`` sections into ``TrainingSettings`` and a
``DatasetSpec``: every setting checked against its range, the dataset against the network
it feeds (its width and the number of activations it would take).
"""

from __future__ import annotations

from typing import Any

from .datasets import (
    DATASET_NAMES,
    GATES,
    MAX_CLASSES,
    MULTI_CLASS,
    generator_targets,
)
from .errors import quote
from .file_fields import (
    fail,
    finite_number,
    json_list,
    one_line_text,
    one_of,
    unknown_fields,
    whole_number,
)
from .limits import MAX_ACTIVATIONS, MAX_COUNT, MAX_EPOCHS, MAX_SAMPLES, MAX_SEED, count
from .losses import LOSSES
from .network import Network
from .regularization import KINDS as REGULARIZATIONS
from .settings import DTYPES, INITIALIZERS, OPTIMIZERS, DatasetSpec, TrainingSettings

_DATASET_KEYS = {"inputs", "targets", "generator", "test_fraction", "split_seed", "class_names"}
_GENERATOR_PARAMS = {"size", "noise", "seed", "classes"}


def parse_training(obj: dict) -> TrainingSettings:
    t = TrainingSettings()
    w = "training"
    t.loss = one_of(obj.get("loss", t.loss), list(LOSSES), f"{w}.loss", "loss")
    t.optimizer = one_of(
        obj.get("optimizer", t.optimizer), OPTIMIZERS, f"{w}.optimizer", "optimizer"
    )
    t.initializer = one_of(
        obj.get("initializer", t.initializer), INITIALIZERS, f"{w}.initializer", "initializer"
    )
    for key in (
        "learning_rate",
        "momentum",
        "beta1",
        "beta2",
        "epsilon",
        "min_learning_rate",
        "init_scale",
    ):
        if key in obj:
            value = finite_number(obj[key], f"{w}.{key}")
            if value < 0:
                raise fail(f"{w}.{key}", "must not be negative")
            if key in ("beta1", "beta2") and value >= 1:
                raise fail(f"{w}.{key}", "must be less than 1")
            setattr(t, key, value)
    if obj.get("batch_size") is not None:
        t.batch_size = whole_number(obj["batch_size"], f"{w}.batch_size", 1, MAX_COUNT)
    maxima = {"seed": MAX_SEED, "plateau_patience": MAX_COUNT, "max_epochs": MAX_EPOCHS}
    for key, maximum in maxima.items():
        if key in obj:
            setattr(t, key, whole_number(obj[key], f"{w}.{key}", 0, maximum))
    for key in ("shuffle", "halve_on_plateau"):
        if key in obj:
            if not isinstance(obj[key], bool):
                raise fail(f"{w}.{key}", "must be true or false")
            setattr(t, key, obj[key])
    if obj.get("target_loss") is not None:
        t.target_loss = finite_number(obj["target_loss"], f"{w}.target_loss")
    _training_rules(obj, t)
    t.extra = unknown_fields(obj, set(TrainingSettings.field_names()))
    return t


def _training_rules(obj: dict, t: TrainingSettings) -> None:
    """The settings added in 0.2: RMSProp's ρ, halving on a rise, the stop rule, a range,
    regularisation and the training dtype."""
    w = "training"
    if "rho" in obj:
        t.rho = finite_number(obj["rho"], f"{w}.rho")
        if not 0 <= t.rho < 1:
            raise fail(f"{w}.rho", "must be at least 0 and less than 1")
    if "halve_on_rise" in obj:
        if not isinstance(obj["halve_on_rise"], bool):
            raise fail(f"{w}.halve_on_rise", "must be true or false")
        t.halve_on_rise = obj["halve_on_rise"]
    if "halve_after" in obj:
        t.halve_after = whole_number(obj["halve_after"], f"{w}.halve_after", 0)
    if obj.get("min_improvement") is not None:
        t.min_improvement = finite_number(obj["min_improvement"], f"{w}.min_improvement")
        if t.min_improvement <= 0:
            raise fail(f"{w}.min_improvement", "must be positive")
    if obj.get("init_range") is not None:
        raw = json_list(obj["init_range"], f"{w}.init_range")
        if len(raw) != 2:
            raise fail(f"{w}.init_range", "must be [low, high]")
        low, high = (finite_number(v, f"{w}.init_range[{i}]") for i, v in enumerate(raw))
        if not low < high:
            raise fail(f"{w}.init_range", "low must be less than high")
        t.init_range = [low, high]
    if "regularization" in obj:
        t.regularization = one_of(
            obj["regularization"], REGULARIZATIONS, f"{w}.regularization", "regularization"
        )
    if "regularization_rate" in obj:
        t.regularization_rate = finite_number(
            obj["regularization_rate"], f"{w}.regularization_rate"
        )
        if t.regularization_rate < 0:
            raise fail(f"{w}.regularization_rate", "must not be negative")
    if "dtype" in obj:
        t.dtype = one_of(obj["dtype"], DTYPES, f"{w}.dtype", "dtype")


def parse_dataset(obj: dict, net: Network) -> DatasetSpec:
    spec = DatasetSpec()
    n_in, n_out = len(net.inputs), len(net.outputs)
    if "generator" in obj:
        spec.generator = one_of(obj["generator"], DATASET_NAMES, "dataset.generator", "dataset")
        if spec.generator in GATES and _GENERATOR_PARAMS & set(obj):
            raise fail("dataset", f"{quote(spec.generator)} takes no parameters")
        for key in sorted(_GENERATOR_PARAMS & set(obj)):
            where = f"dataset.{key}"
            if key == "size":
                size = whole_number(obj[key], where, 1)
                if size > MAX_SAMPLES:
                    raise fail(where, f"at most {count(MAX_SAMPLES)} samples")
                spec.params[key] = size
            elif key == "noise":
                spec.params[key] = finite_number(obj[key], where)
                if spec.params[key] < 0:
                    raise fail(where, "must not be negative")
            elif key == "classes":
                if spec.generator not in MULTI_CLASS:
                    raise fail(where, f"only {' and '.join(MULTI_CLASS)} take classes")
                spec.params[key] = whole_number(obj[key], where, 2, MAX_CLASSES)
            else:
                spec.params[key] = whole_number(obj[key], where, 0, MAX_SEED)
        targets = generator_targets(spec.generator, spec.params)
        if (n_in, n_out) != (2, targets):
            raise fail(
                "dataset.generator",
                f"{quote(spec.generator)} makes 2 inputs and {targets} "
                f"target{'s' if targets > 1 else ''}; the network has "
                f"{n_in} inputs and {n_out} outputs",
            )
        samples = 4 if spec.generator in GATES else spec.params.get("size", 200)
    else:
        spec.inputs = _rows(obj.get("inputs"), "dataset.inputs", n_in, "input neuron")
        spec.targets = _rows(obj.get("targets"), "dataset.targets", n_out, "output neuron")
        if len(spec.inputs) != len(spec.targets):
            raise fail(
                "dataset",
                f"{len(spec.inputs)} input rows but {len(spec.targets)} target rows",
            )
        samples = len(spec.inputs)
        if "class_names" in obj:
            names = json_list(obj["class_names"], "dataset.class_names", n_out, "class names")
            spec.class_names = [
                one_line_text(v, f"dataset.class_names[{i}]") for i, v in enumerate(names)
            ]
            if len(spec.class_names) != n_out:
                raise fail(
                    "dataset.class_names",
                    f"{len(spec.class_names)} names for {n_out} outputs (one per output)",
                )
    if samples * len(net.neurons) > MAX_ACTIVATIONS:
        raise fail(
            "dataset",
            f"{count(samples)} samples × {count(len(net.neurons))} neurons is more than "
            f"{count(MAX_ACTIVATIONS)} activations",
        )
    if "test_fraction" in obj:
        spec.test_fraction = finite_number(obj["test_fraction"], "dataset.test_fraction")
        if not 0 <= spec.test_fraction < 1:
            raise fail("dataset.test_fraction", "must be at least 0 and less than 1")
        if samples - round(samples * spec.test_fraction) < 1:
            raise fail(
                "dataset.test_fraction",
                f"{spec.test_fraction:g} of {samples} samples leaves none to train on",
            )
    if "split_seed" in obj:
        spec.split_seed = whole_number(obj["split_seed"], "dataset.split_seed", 0, MAX_SEED)
    known = _DATASET_KEYS | (_GENERATOR_PARAMS if spec.generator else set())
    spec.extra = unknown_fields(obj, known)
    return spec


def _rows(raw: Any, where: str, width: int, what: str) -> list[list[float]]:
    rows = json_list(raw, where, MAX_SAMPLES, "rows")
    if not rows:
        raise fail(where, "must have at least one row")
    out = []
    for i, row in enumerate(rows):
        row = json_list(row, f"{where}[{i}]")
        if len(row) != width:
            raise fail(
                f"{where}[{i}]",
                f"row has {len(row)} values, expected {width} (one per {what})",
            )
        out.append([finite_number(v, f"{where}[{i}][{j}]") for j, v in enumerate(row)])
    return out
