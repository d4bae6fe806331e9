"""The network file (JSON, format 1): load with full validation, save atomically.

Loading parses plain JSON (no pickle, no eval), checks every field, and raises a single
error type, ``NetworkFileError``, whose message says what is wrong and where, in the
file's own terms (``connections[3]: target 'h9' is not a neuron``). Fields this version
does not know are kept and written back, so a newer tool's additions survive a round trip.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from .activations import ACTIVATIONS
from .datasets import DATASET_NAMES, GATES
from .errors import NetworkFileError
from .graph import find_cycle, topological_sort
from .losses import LOSSES
from .network import KINDS, Connection, Network, Neuron
from .settings import INITIALIZERS, OPTIMIZERS, DatasetSpec, TrainingSettings

FORMAT = "backprop-studio-network"
VERSION = 1
MAX_FILE_BYTES = 20 * 1024 * 1024
_NEURON_KEYS = {"id", "kind", "activation", "bias", "label", "position"}
_CONNECTION_KEYS = {"source", "target", "weight"}
_DATASET_KEYS = {"inputs", "targets", "generator", "test_fraction", "split_seed"}
_GENERATOR_PARAMS = {"size", "noise", "seed"}


def _fail(where: str, message: str) -> NetworkFileError:
    return NetworkFileError(f"{where}: {message}" if where else message)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(where, "must be a finite number")
    return float(value)


def _integer(value: Any, where: str, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, "must be a whole number")
    if minimum is not None and value < minimum:
        raise _fail(where, f"must be at least {minimum}")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, "must be a text string")
    return value


def _choice(value: Any, valid, where: str, what: str) -> str:
    if value not in valid:
        raise _fail(where, f"unknown {what} {value!r} (valid: {', '.join(valid)})")
    return value


def _object(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(where, "must be an object ({...})")
    return value


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise _fail(where, "must be a list ([...])")
    return value


def _extra(obj: dict, known: set[str]) -> dict:
    return {k: v for k, v in obj.items() if k not in known}


# --------------------------------------------------------------------------- load
def load_network(path: str | os.PathLike) -> Network:
    """Read and validate a network file. Raises NetworkFileError (also for I/O errors)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise NetworkFileError(
                f"the file is too large ({size / 1e6:.1f} MB; the limit is "
                f"{MAX_FILE_BYTES / 1e6:.0f} MB)"
            )
        text = path.read_bytes().decode("utf-8")
    except OSError as e:
        raise NetworkFileError(f"cannot read the file: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise NetworkFileError("not a network file (it is not UTF-8 text)") from None
    network = network_from_json(text)
    if not network.name:
        network.name = path.stem.replace("_", " ")
    return network


def network_from_json(text: str) -> Network:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise NetworkFileError(
            f"not a network file (invalid JSON at line {e.lineno}, column {e.colno}: {e.msg})"
        ) from None
    return network_from_dict(data)


def network_from_dict(data: Any) -> Network:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NetworkFileError('not a network file (no "format": "backprop-studio-network")')
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _fail("version", "must be a whole number ≥ 1")
    if version > VERSION:
        raise NetworkFileError(
            f"version {version} is newer than this program understands ({VERSION})"
        )
    neurons = [
        _neuron(n, f"neurons[{i}]") for i, n in enumerate(_list(data.get("neurons"), "neurons"))
    ]
    index: dict[str, int] = {}
    for i, n in enumerate(neurons):
        if n.id in index:
            raise _fail(f"neurons[{i}].id", f"duplicate id {n.id!r} (also neurons[{index[n.id]}])")
        index[n.id] = i
    connections = _connections(_list(data.get("connections", []), "connections"), neurons, index)
    ids = [n.id for n in neurons]
    keys = [c.key for c in connections]
    if topological_sort(ids, keys) is None:
        cycle = find_cycle(ids, keys) or []
        raise NetworkFileError(f"connections close a cycle: {' → '.join(cycle)}")

    net = Network.from_parts(neurons, connections, _string(data.get("name", ""), "name"))
    if "training" in data:
        net.training = _training(_object(data["training"], "training"))
    if data.get("dataset") is not None:
        net.dataset = _dataset(_object(data["dataset"], "dataset"), net)
    net.extra = _extra(
        data, {"format", "version", "name", "neurons", "connections", "training", "dataset"}
    )
    return net


def _neuron(raw: Any, where: str) -> Neuron:
    obj = _object(raw, where)
    if "id" not in obj:
        raise _fail(where, "has no id")
    nid = _string(obj["id"], f"{where}.id")
    if not nid.strip():
        raise _fail(f"{where}.id", "must not be empty")
    kind = _choice(obj.get("kind"), KINDS, f"{where}.kind", "kind")
    if kind == "input":
        activation, bias = None, 0.0
        if obj.get("activation") not in (None, "linear"):
            raise _fail(f"{where}.activation", "an input neuron has no activation")
        if obj.get("bias") not in (None, 0):
            raise _fail(f"{where}.bias", "an input neuron has no bias")
    else:
        activation = _choice(
            obj.get("activation", "sigmoid"),
            list(ACTIVATIONS),
            f"{where}.activation",
            "activation",
        )
        bias = _number(obj.get("bias", 0.0), f"{where}.bias")
    label = _string(obj.get("label", ""), f"{where}.label")
    pos = obj.get("position", [0, 0])
    if not isinstance(pos, list) or len(pos) != 2:
        raise _fail(f"{where}.position", "must be a list of two numbers [x, y]")
    position = (_number(pos[0], f"{where}.position[0]"), _number(pos[1], f"{where}.position[1]"))
    return Neuron(nid, kind, activation, bias, label, position, _extra(obj, _NEURON_KEYS))


def _connections(raw: list, neurons: list[Neuron], index: dict[str, int]) -> list[Connection]:
    result: list[Connection] = []
    seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(raw):
        where = f"connections[{i}]"
        obj = _object(item, where)
        ends = {}
        for end in ("source", "target"):
            if end not in obj:
                raise _fail(where, f"has no {end}")
            value = _string(obj[end], f"{where}.{end}")
            if value not in index:
                raise _fail(where, f"{end} {value!r} is not a neuron")
            ends[end] = value
        s, t = ends["source"], ends["target"]
        if s == t:
            raise _fail(where, f"connects {s!r} to itself")
        if (s, t) in seen:
            raise _fail(where, f"duplicate of connections[{seen[(s, t)]}] ({s} → {t})")
        if neurons[index[t]].kind == "input":
            raise _fail(where, f"target {t!r} is an input neuron")
        if neurons[index[s]].kind == "output":
            raise _fail(where, f"source {s!r} is an output neuron")
        seen[(s, t)] = i
        weight = _number(obj.get("weight", 0.0), f"{where}.weight")
        result.append(Connection(s, t, weight, _extra(obj, _CONNECTION_KEYS)))
    return result


def _training(obj: dict) -> TrainingSettings:
    t = TrainingSettings()
    w = "training"
    t.loss = _choice(obj.get("loss", t.loss), list(LOSSES), f"{w}.loss", "loss")
    t.optimizer = _choice(
        obj.get("optimizer", t.optimizer), OPTIMIZERS, f"{w}.optimizer", "optimizer"
    )
    t.initializer = _choice(
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
            value = _number(obj[key], f"{w}.{key}")
            if value < 0:
                raise _fail(f"{w}.{key}", "must not be negative")
            setattr(t, key, value)
    if obj.get("batch_size") is not None:
        t.batch_size = _integer(obj["batch_size"], f"{w}.batch_size", 1)
    for key in ("seed", "plateau_patience", "max_epochs"):
        if key in obj:
            setattr(t, key, _integer(obj[key], f"{w}.{key}", 0))
    for key in ("shuffle", "halve_on_plateau"):
        if key in obj:
            if not isinstance(obj[key], bool):
                raise _fail(f"{w}.{key}", "must be true or false")
            setattr(t, key, obj[key])
    if obj.get("target_loss") is not None:
        t.target_loss = _number(obj["target_loss"], f"{w}.target_loss")
    _training_rules(obj, t)
    t.extra = _extra(obj, set(TrainingSettings.field_names()))
    return t


def _training_rules(obj: dict, t: TrainingSettings) -> None:
    """The settings added in 0.2: RMSProp's ρ, halving on a rise, the stop rule, a range."""
    w = "training"
    if "rho" in obj:
        t.rho = _number(obj["rho"], f"{w}.rho")
        if not 0 <= t.rho < 1:
            raise _fail(f"{w}.rho", "must be at least 0 and less than 1")
    if "halve_on_rise" in obj:
        if not isinstance(obj["halve_on_rise"], bool):
            raise _fail(f"{w}.halve_on_rise", "must be true or false")
        t.halve_on_rise = obj["halve_on_rise"]
    if "halve_after" in obj:
        t.halve_after = _integer(obj["halve_after"], f"{w}.halve_after", 0)
    if obj.get("min_improvement") is not None:
        t.min_improvement = _number(obj["min_improvement"], f"{w}.min_improvement")
        if t.min_improvement <= 0:
            raise _fail(f"{w}.min_improvement", "must be positive")
    if obj.get("init_range") is not None:
        raw = _list(obj["init_range"], f"{w}.init_range")
        if len(raw) != 2:
            raise _fail(f"{w}.init_range", "must be [low, high]")
        low, high = (_number(v, f"{w}.init_range[{i}]") for i, v in enumerate(raw))
        if not low < high:
            raise _fail(f"{w}.init_range", "low must be less than high")
        t.init_range = [low, high]


def _dataset(obj: dict, net: Network) -> DatasetSpec:
    spec = DatasetSpec()
    n_in, n_out = len(net.inputs), len(net.outputs)
    if "generator" in obj:
        spec.generator = _choice(obj["generator"], DATASET_NAMES, "dataset.generator", "dataset")
        for key in _GENERATOR_PARAMS & set(obj):
            where = f"dataset.{key}"
            spec.params[key] = (
                _number(obj[key], where) if key == "noise" else _integer(obj[key], where, 0)
            )
        if spec.generator in GATES and spec.params:
            raise _fail("dataset", f"{spec.generator!r} takes no parameters")
        if (n_in, n_out) != (2, 1):
            raise _fail(
                "dataset.generator",
                f"{spec.generator!r} makes 2 inputs and 1 target; the network has "
                f"{n_in} inputs and {n_out} outputs",
            )
    else:
        spec.inputs = _rows(obj.get("inputs"), "dataset.inputs", n_in, "input neuron")
        spec.targets = _rows(obj.get("targets"), "dataset.targets", n_out, "output neuron")
        if len(spec.inputs) != len(spec.targets):
            raise _fail(
                "dataset",
                f"{len(spec.inputs)} input rows but {len(spec.targets)} target rows",
            )
    if "test_fraction" in obj:
        spec.test_fraction = _number(obj["test_fraction"], "dataset.test_fraction")
        if not 0 <= spec.test_fraction < 1:
            raise _fail("dataset.test_fraction", "must be at least 0 and less than 1")
    if "split_seed" in obj:
        spec.split_seed = _integer(obj["split_seed"], "dataset.split_seed", 0)
    known = _DATASET_KEYS | (_GENERATOR_PARAMS if spec.generator else set())
    spec.extra = _extra(obj, known)
    return spec


def _rows(raw: Any, where: str, width: int, what: str) -> list[list[float]]:
    rows = _list(raw, where)
    out = []
    for i, row in enumerate(rows):
        row = _list(row, f"{where}[{i}]")
        if len(row) != width:
            raise _fail(
                f"{where}[{i}]",
                f"row has {len(row)} values, expected {width} (one per {what})",
            )
        out.append([_number(v, f"{where}[{i}][{j}]") for j, v in enumerate(row)])
    return out


# --------------------------------------------------------------------------- save
def network_to_dict(net: Network) -> dict[str, Any]:
    data: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if net.name:
        data["name"] = net.name
    data["neurons"] = []
    for n in net.neurons:
        entry: dict[str, Any] = {"id": n.id, "kind": n.kind}
        if n.kind != "input":
            entry["activation"] = n.activation
            entry["bias"] = n.bias
        if n.label:
            entry["label"] = n.label
        entry["position"] = [n.position[0], n.position[1]]
        data["neurons"].append({**n.extra, **entry})
    data["connections"] = [
        {**c.extra, "source": c.source, "target": c.target, "weight": c.weight}
        for c in net.connections
    ]
    t = net.training
    data["training"] = {**t.extra, **{k: getattr(t, k) for k in TrainingSettings.field_names()}}
    if net.dataset is not None:
        d = net.dataset
        entry = dict(d.extra)
        if d.generator is not None:
            entry.update({"generator": d.generator, **d.params})
        else:
            entry.update({"inputs": d.inputs, "targets": d.targets})
        if d.test_fraction:
            entry.update({"test_fraction": d.test_fraction, "split_seed": d.split_seed})
        data["dataset"] = entry
    data.update({k: v for k, v in net.extra.items() if k not in data})
    return data


def network_to_json(net: Network) -> str:
    return _compact_rows(json.dumps(network_to_dict(net), indent=2, ensure_ascii=False)) + "\n"


def _compact_rows(text: str) -> str:
    """Put short numeric lists (positions, dataset rows) on one line, for readable diffs."""
    return re.sub(
        r"\[\s+(-?[\d.eE+-]+(?:,\s+-?[\d.eE+-]+)*)\s+\]",
        lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]",
        text,
    )


def save_network(net: Network, path: str | os.PathLike) -> None:
    """Write atomically: a temporary file in the same folder, flushed, then renamed over
    the target, so a crash or a full disk never leaves a half-written file."""
    path = Path(path)
    text = network_to_json(net).encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise NetworkFileError(f"cannot write to {path.parent}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise NetworkFileError(f"cannot save {path.name}: {e.strerror or e}") from None
