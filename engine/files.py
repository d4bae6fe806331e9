"""The network file (JSON, format 1): load with full validation, save atomically.

Loading parses plain JSON (no pickle, no eval), checks every field, and raises a single
error type, ``NetworkFileError``, whose one-line message says what is wrong and where, in
the file's own terms (``connections[3]: target 'h9' is not a neuron``). Every file is
untrusted: only regular files are opened, at most ``MAX_FILE_BYTES`` + 1 bytes are read,
and the limits in ``limits.py`` are checked before anything is allocated for them. Text
from the file is quoted safely in messages (``errors.quote``). Fields this version does
not know are kept and written back, so a newer tool's additions survive a round trip.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from .activations import ACTIVATIONS
from .atomic import WriteFailed, write_atomic
from .datasets import (
    DATASET_NAMES,
    GATES,
    MAX_CLASSES,
    MULTI_CLASS,
    generator_targets,
)
from .errors import NetworkFileError, plain, quote
from .features import FEATURES, check_feature
from .graph import find_cycle, topological_sort
from .limits import (
    MAX_ACTIVATIONS,
    MAX_CONNECTIONS,
    MAX_COUNT,
    MAX_EPOCHS,
    MAX_FILE_BYTES,
    MAX_NESTING,
    MAX_NEURONS,
    MAX_POSITION,
    MAX_SAMPLES,
    MAX_SEED,
    MAX_TEXT,
    MAX_WEIGHT_VALUES,
    count,
    weight_values,
)
from .losses import LOSSES
from .network import KINDS, Connection, Network, Neuron, softmax_problem
from .regularization import KINDS as REGULARIZATIONS
from .settings import DTYPES, INITIALIZERS, OPTIMIZERS, DatasetSpec, TrainingSettings

FORMAT = "backprop-studio-network"
VERSION = 1
_NEURON_KEYS = {"id", "kind", "activation", "bias", "label", "position", "feature"}
_CONNECTION_KEYS = {"source", "target", "weight"}
_DATASET_KEYS = {"inputs", "targets", "generator", "test_fraction", "split_seed", "class_names"}
_GENERATOR_PARAMS = {"size", "noise", "seed", "classes"}


def _fail(where: str, message: str) -> NetworkFileError:
    return NetworkFileError(f"{where}: {message}" if where else message)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(where, "must be a finite number")
    try:
        number = float(value)  # an integer beyond 1.8e308 overflows here
    except OverflowError:
        raise _fail(where, "must be a finite number") from None
    if not math.isfinite(number):
        raise _fail(where, "must be a finite number")
    return number


def _integer(
    value: Any, where: str, minimum: int | None = None, maximum: int | None = None
) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, "must be a whole number")
    if minimum is not None and value < minimum:
        raise _fail(where, f"must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise _fail(where, f"at most {count(maximum)}")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, "must be a text string")
    if len(value) > MAX_TEXT:
        raise _fail(where, f"at most {count(MAX_TEXT)} characters (it has {count(len(value))})")
    return value


def _text(value: Any, where: str) -> str:
    """A label or a name: any text on one line (no control characters, no line breaks)."""
    text = _string(value, where)
    if not text.isprintable() and any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text):
        raise _fail(where, f"must not contain control characters or line breaks ({quote(text)})")
    return text


def _choice(value: Any, valid, where: str, what: str) -> str:
    if not isinstance(value, str) or value not in valid:
        raise _fail(where, f"unknown {what} {quote(value)} (valid: {', '.join(valid)})")
    return value


def _object(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(where, "must be an object ({...})")
    return value


def _list(value: Any, where: str, limit: int | None = None, what: str = "") -> list:
    if not isinstance(value, list):
        raise _fail(where, "must be a list ([...])")
    if limit is not None and len(value) > limit:
        raise _fail(where, f"at most {count(limit)} {what} (the file has {count(len(value))})")
    return value


def _extra(obj: dict, known: set[str]) -> dict:
    return {k: v for k, v in obj.items() if k not in known}


# --------------------------------------------------------------------------- load
_KINDS_OF_FILE = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_limited(path: str | os.PathLike, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, reading at most limit + 1
    (the size ``stat`` reports is not trusted). FIFOs, devices and folders are refused
    without blocking. Raises NetworkFileError."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise NetworkFileError(f"cannot read the file: {e.strerror or e}") from None
    except ValueError:  # a NUL character in the name
        raise NetworkFileError("cannot read the file: its name is not valid") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS_OF_FILE if test(info.st_mode)), "")
            raise NetworkFileError(
                f"not a regular file ({kind})" if kind else "not a regular file"
            )
        if info.st_size > limit:
            raise NetworkFileError(_too_large(limit, info.st_size))
        chunks, remaining = [], limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as e:
        raise NetworkFileError(f"cannot read the file: {e.strerror or e}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise NetworkFileError(_too_large(limit))
    return data


def _too_large(limit: int, size: int | None = None) -> str:
    shown = f"{size / 1e6:,.1f} MB" if size is not None else f"more than {limit / 1e6:,.0f} MB"
    return f"the file is too large ({shown}; the limit is {limit / 1e6:,.0f} MB)"


def load_network(path: str | os.PathLike) -> Network:
    """Read and validate a network file. Raises NetworkFileError (also for I/O errors)."""
    data = read_limited(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise NetworkFileError(
            f"not a network file (it is not UTF-8 text: byte {e.start:,} is 0x{data[e.start]:02x})"
        ) from None
    network = network_from_json(text)
    if not network.name:
        network.name = plain(Path(path).stem.replace("_", " "))
    return network


def network_from_json(text: str) -> Network:
    depth = _nesting(text)
    if depth > MAX_NESTING:
        raise NetworkFileError(_too_deep())
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise NetworkFileError(
            f"not a network file (invalid JSON at line {e.lineno}, column {e.colno}: {e.msg})"
        ) from None
    except RecursionError:
        raise NetworkFileError(_too_deep()) from None
    except ValueError:  # an integer of more than 4,300 digits
        raise NetworkFileError("not a network file (a number has too many digits)") from None
    if isinstance(data, dict | list) and (_SURROGATE_ESCAPE.search(text) or not _utf8(text)):
        _check_surrogates(data)
    return network_from_dict(data)


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_OPEN, _CLOSE = np.frombuffer(b"[{", np.uint8), np.frombuffer(b"]}", np.uint8)


def _nesting(text: str) -> int:
    """The deepest nesting of [ and { outside strings, without parsing (so that neither
    the parser's recursion nor a later walk over the value can be driven too deep)."""
    outside = _JSON_STRING.sub("", text).encode("utf-8", "replace")
    codes = np.frombuffer(outside, np.uint8)
    opening = np.isin(codes, _OPEN)
    closing = np.isin(codes, _CLOSE)
    steps = opening.astype(np.int8) - closing.astype(np.int8)
    steps = steps[opening | closing]
    return int(np.cumsum(steps, dtype=np.int64).max(initial=0))


def _utf8(text: str) -> bool:
    """False when ``text`` itself holds unpaired surrogates (only text that did not come
    from a file can: decoding a file's bytes refuses them)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _too_deep() -> str:
    return f"nested too deeply (more than {MAX_NESTING} levels of [ and {{)"


def _check_surrogates(data: Any) -> None:
    """Text that cannot be written back as UTF-8 (unpaired surrogates from \\ud800
    escapes), anywhere in the file, fields this version ignores included; named by path."""
    stack: list[tuple[Any, Any]] = [(data, None)]  # (container, (parent trail, key))
    while stack:
        item, trail = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, value in pairs:
            for text in (key, value):
                if isinstance(text, str) and not text.isascii():
                    try:
                        text.encode("utf-8")
                    except UnicodeEncodeError:
                        raise _fail(
                            _trail_name((trail, key)), "not valid Unicode (an unpaired surrogate)"
                        ) from None
            if isinstance(value, list | dict) and value:
                stack.append((value, (trail, key)))


def _trail_name(trail) -> str:
    parts = []
    while trail is not None:
        trail, key = trail
        parts.append(f"[{key}]" if isinstance(key, int) else f".{plain(key, 30)}")
    return "".join(reversed(parts)).lstrip(".")


def network_from_dict(data: Any) -> Network:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NetworkFileError('not a network file (no "format": "backprop-studio-network")')
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _fail("version", "must be a whole number ≥ 1")
    if version > VERSION:
        shown = version if version < 10**9 else "beyond 1,000,000,000"
        raise NetworkFileError(
            f"version {shown} is newer than this program understands ({VERSION})"
        )
    raw_neurons = _list(data.get("neurons"), "neurons", MAX_NEURONS, "neurons")
    raw_connections = _list(
        data.get("connections", []), "connections", MAX_CONNECTIONS, "connections"
    )
    neurons = [_neuron(n, f"neurons[{i}]") for i, n in enumerate(raw_neurons)]
    index: dict[str, int] = {}
    for i, n in enumerate(neurons):
        if n.id in index:
            raise _fail(
                f"neurons[{i}].id", f"duplicate id {quote(n.id)} (also neurons[{index[n.id]}])"
            )
        index[n.id] = i
    problem = softmax_problem(neurons)
    if problem:
        raise _fail("neurons", plain(problem, 300))
    _check_features(neurons)
    connections = _connections(raw_connections, neurons, index)
    ids = [n.id for n in neurons]
    keys = [c.key for c in connections]
    if topological_sort(ids, keys) is None:
        cycle = find_cycle(ids, keys) or []
        shown = " → ".join(plain(nid, 30) for nid in cycle[:20])
        more = " → …" if len(cycle) > 20 else ""
        raise NetworkFileError(f"connections close a cycle: {shown}{more}")

    net = Network.from_parts(neurons, connections, _text(data.get("name", ""), "name"))
    blocks, _levels = weight_values(net)
    if blocks > MAX_WEIGHT_VALUES:
        raise _fail(
            "connections",
            f"too many connections skip across layers: the compiled weight blocks would hold "
            f"{count(blocks)} values (at most {count(MAX_WEIGHT_VALUES)})",
        )
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
    if not nid.isprintable():
        raise _fail(
            f"{where}.id", f"must not contain control or invisible characters ({quote(nid)})"
        )
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
    label = _text(obj.get("label", ""), f"{where}.label")
    pos = obj.get("position", [0, 0])
    if not isinstance(pos, list) or len(pos) != 2:
        raise _fail(f"{where}.position", "must be a list of two numbers [x, y]")
    position = (_number(pos[0], f"{where}.position[0]"), _number(pos[1], f"{where}.position[1]"))
    for k, v in enumerate(position):
        if abs(v) > MAX_POSITION:
            raise _fail(f"{where}.position[{k}]", f"at most {count(int(MAX_POSITION))} from 0")
    neuron = Neuron(nid, kind, activation, bias, label, position, _extra(obj, _NEURON_KEYS))
    if obj.get("feature") is not None:
        if kind != "input":
            raise _fail(f"{where}.feature", "only an input neuron can be a feature")
        feature = _object(obj["feature"], f"{where}.feature")
        fn = _choice(feature.get("fn"), list(FEATURES), f"{where}.feature.fn", "feature")
        of = _list(feature.get("of"), f"{where}.feature.of", 2, "inputs")
        neuron.feature = (
            fn,
            tuple(_string(v, f"{where}.feature.of[{i}]") for i, v in enumerate(of)),
        )
    return neuron


def _check_features(neurons: list[Neuron]) -> None:
    """Each feature reads raw inputs (input neurons that are not features themselves)."""
    raw = [n.id for n in neurons if n.kind == "input" and not n.feature]
    for i, n in enumerate(neurons):
        if n.feature:
            problem = check_feature(n.feature[0], list(n.feature[1]), raw)
            if problem:
                raise _fail(f"neurons[{i}].feature", plain(problem, 200))


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
                raise _fail(where, f"{end} {quote(value)} is not a neuron")
            ends[end] = value
        s, t = ends["source"], ends["target"]
        if s == t:
            raise _fail(where, f"connects {quote(s)} to itself")
        if (s, t) in seen:
            raise _fail(
                where, f"duplicate of connections[{seen[(s, t)]}] ({plain(s)} → {plain(t)})"
            )
        if neurons[index[t]].kind == "input":
            raise _fail(where, f"target {quote(t)} is an input neuron")
        if neurons[index[s]].kind == "output":
            raise _fail(where, f"source {quote(s)} is an output neuron")
        seen[(s, t)] = i
        if "weight" not in obj:
            raise _fail(f"{where}.weight", "missing")
        weight = _number(obj["weight"], f"{where}.weight")
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
            if key in ("beta1", "beta2") and value >= 1:
                raise _fail(f"{w}.{key}", "must be less than 1")
            setattr(t, key, value)
    if obj.get("batch_size") is not None:
        t.batch_size = _integer(obj["batch_size"], f"{w}.batch_size", 1, MAX_COUNT)
    maxima = {"seed": MAX_SEED, "plateau_patience": MAX_COUNT, "max_epochs": MAX_EPOCHS}
    for key, maximum in maxima.items():
        if key in obj:
            setattr(t, key, _integer(obj[key], f"{w}.{key}", 0, maximum))
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
    """The settings added in 0.2: RMSProp's ρ, halving on a rise, the stop rule, a range,
    regularisation and the training dtype."""
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
    if "regularization" in obj:
        t.regularization = _choice(
            obj["regularization"], REGULARIZATIONS, f"{w}.regularization", "regularization"
        )
    if "regularization_rate" in obj:
        t.regularization_rate = _number(obj["regularization_rate"], f"{w}.regularization_rate")
        if t.regularization_rate < 0:
            raise _fail(f"{w}.regularization_rate", "must not be negative")
    if "dtype" in obj:
        t.dtype = _choice(obj["dtype"], DTYPES, f"{w}.dtype", "dtype")


def _dataset(obj: dict, net: Network) -> DatasetSpec:
    spec = DatasetSpec()
    n_in, n_out = len(net.inputs), len(net.outputs)
    if "generator" in obj:
        spec.generator = _choice(obj["generator"], DATASET_NAMES, "dataset.generator", "dataset")
        if spec.generator in GATES and _GENERATOR_PARAMS & set(obj):
            raise _fail("dataset", f"{quote(spec.generator)} takes no parameters")
        for key in sorted(_GENERATOR_PARAMS & set(obj)):
            where = f"dataset.{key}"
            if key == "size":
                size = _integer(obj[key], where, 1)
                if size > MAX_SAMPLES:
                    raise _fail(where, f"at most {count(MAX_SAMPLES)} samples")
                spec.params[key] = size
            elif key == "noise":
                spec.params[key] = _number(obj[key], where)
                if spec.params[key] < 0:
                    raise _fail(where, "must not be negative")
            elif key == "classes":
                if spec.generator not in MULTI_CLASS:
                    raise _fail(where, f"only {' and '.join(MULTI_CLASS)} take classes")
                spec.params[key] = _integer(obj[key], where, 2, MAX_CLASSES)
            else:
                spec.params[key] = _integer(obj[key], where, 0, MAX_SEED)
        targets = generator_targets(spec.generator, spec.params)
        if (n_in, n_out) != (2, targets):
            raise _fail(
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
            raise _fail(
                "dataset",
                f"{len(spec.inputs)} input rows but {len(spec.targets)} target rows",
            )
        samples = len(spec.inputs)
        if "class_names" in obj:
            names = _list(obj["class_names"], "dataset.class_names", n_out, "class names")
            spec.class_names = [_text(v, f"dataset.class_names[{i}]") for i, v in enumerate(names)]
            if len(spec.class_names) != n_out:
                raise _fail(
                    "dataset.class_names",
                    f"{len(spec.class_names)} names for {n_out} outputs (one per output)",
                )
    if samples * len(net.neurons) > MAX_ACTIVATIONS:
        raise _fail(
            "dataset",
            f"{count(samples)} samples × {count(len(net.neurons))} neurons is more than "
            f"{count(MAX_ACTIVATIONS)} activations",
        )
    if "test_fraction" in obj:
        spec.test_fraction = _number(obj["test_fraction"], "dataset.test_fraction")
        if not 0 <= spec.test_fraction < 1:
            raise _fail("dataset.test_fraction", "must be at least 0 and less than 1")
        if samples - round(samples * spec.test_fraction) < 1:
            raise _fail(
                "dataset.test_fraction",
                f"{spec.test_fraction:g} of {samples} samples leaves none to train on",
            )
    if "split_seed" in obj:
        spec.split_seed = _integer(obj["split_seed"], "dataset.split_seed", 0, MAX_SEED)
    known = _DATASET_KEYS | (_GENERATOR_PARAMS if spec.generator else set())
    spec.extra = _extra(obj, known)
    return spec


def _rows(raw: Any, where: str, width: int, what: str) -> list[list[float]]:
    rows = _list(raw, where, MAX_SAMPLES, "rows")
    if not rows:
        raise _fail(where, "must have at least one row")
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
        if n.feature:
            entry["feature"] = {"fn": n.feature[0], "of": list(n.feature[1])}
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
            if d.class_names:
                entry["class_names"] = list(d.class_names)
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
    """Write atomically (``atomic.write_atomic``): a crash or a full disk never leaves a
    half-written file, and the old file stays as it was."""
    path = Path(path)
    try:
        text = network_to_json(net).encode("utf-8")
    except UnicodeEncodeError:
        raise NetworkFileError(
            f"cannot save {quote(path.name)}: a text is not valid Unicode"
        ) from None
    try:
        write_atomic(path, text)
    except WriteFailed as e:
        if e.stage == "folder":
            raise NetworkFileError(f"cannot write to {plain(path.parent)}: {e.reason}") from None
        raise NetworkFileError(f"cannot save {quote(path.name)}: {e.reason}") from None
