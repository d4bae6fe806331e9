"""The network file's JSON into a ``Network``: the format and version, the neurons and the
connections, each checked with its place in the file named in any refusal.

The ``training`` and ``dataset`` sections are read in ``file_settings``.
"""

from __future__ import annotations

from typing import Any

from .activations import ACTIVATIONS
from .errors import NetworkFileError, plain, quote
from .features import FEATURES, check_feature
from .file_fields import (
    fail,
    finite_number,
    json_list,
    json_object,
    one_line_text,
    one_of,
    short_string,
    unknown_fields,
)
from .file_settings import parse_dataset, parse_training
from .file_writer import FORMAT, VERSION
from .graph import find_cycle, topological_sort
from .limits import (
    MAX_CONNECTIONS,
    MAX_NEURONS,
    MAX_POSITION,
    MAX_WEIGHT_VALUES,
    count,
    weight_values,
)
from .network import KINDS, Connection, Network, Neuron, softmax_problem
from .untrusted_input import parse_json

_NEURON_KEYS = {"id", "kind", "activation", "bias", "label", "position", "feature"}
_CONNECTION_KEYS = {"source", "target", "weight"}


def network_from_json(text: str) -> Network:
    return network_from_dict(parse_json(text))


def network_from_dict(data: Any) -> Network:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NetworkFileError('not a network file (no "format": "backprop-studio-network")')
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise fail("version", "must be a whole number ≥ 1")
    if version > VERSION:
        shown = version if version < 10**9 else "beyond 1,000,000,000"
        raise NetworkFileError(
            f"version {shown} is newer than this program understands ({VERSION})"
        )
    raw_neurons = json_list(data.get("neurons"), "neurons", MAX_NEURONS, "neurons")
    raw_connections = json_list(
        data.get("connections", []), "connections", MAX_CONNECTIONS, "connections"
    )
    neurons = [_neuron(n, f"neurons[{i}]") for i, n in enumerate(raw_neurons)]
    index: dict[str, int] = {}
    for i, n in enumerate(neurons):
        if n.id in index:
            raise fail(
                f"neurons[{i}].id", f"duplicate id {quote(n.id)} (also neurons[{index[n.id]}])"
            )
        index[n.id] = i
    problem = softmax_problem(neurons)
    if problem:
        raise fail("neurons", plain(problem, 300))
    _check_features(neurons)
    connections = _connections(raw_connections, neurons, index)
    ids = [n.id for n in neurons]
    keys = [c.key for c in connections]
    if topological_sort(ids, keys) is None:
        cycle = find_cycle(ids, keys) or []
        shown = " → ".join(plain(nid, 30) for nid in cycle[:20])
        more = " → …" if len(cycle) > 20 else ""
        raise NetworkFileError(f"connections close a cycle: {shown}{more}")

    net = Network.from_parts(neurons, connections, one_line_text(data.get("name", ""), "name"))
    blocks, _levels = weight_values(net)
    if blocks > MAX_WEIGHT_VALUES:
        raise fail(
            "connections",
            f"too many connections skip across layers: the compiled weight blocks would hold "
            f"{count(blocks)} values (at most {count(MAX_WEIGHT_VALUES)})",
        )
    if "training" in data:
        net.training = parse_training(json_object(data["training"], "training"))
    if data.get("dataset") is not None:
        net.dataset = parse_dataset(json_object(data["dataset"], "dataset"), net)
    net.extra = unknown_fields(
        data, {"format", "version", "name", "neurons", "connections", "training", "dataset"}
    )
    return net


def _neuron(raw: Any, where: str) -> Neuron:
    obj = json_object(raw, where)
    if "id" not in obj:
        raise fail(where, "has no id")
    nid = short_string(obj["id"], f"{where}.id")
    if not nid.strip():
        raise fail(f"{where}.id", "must not be empty")
    if not nid.isprintable():
        raise fail(
            f"{where}.id", f"must not contain control or invisible characters ({quote(nid)})"
        )
    kind = one_of(obj.get("kind"), KINDS, f"{where}.kind", "kind")
    if kind == "input":
        activation, bias = None, 0.0
        if obj.get("activation") not in (None, "linear"):
            raise fail(f"{where}.activation", "an input neuron has no activation")
        if obj.get("bias") not in (None, 0):
            raise fail(f"{where}.bias", "an input neuron has no bias")
    else:
        activation = one_of(
            obj.get("activation", "sigmoid"),
            list(ACTIVATIONS),
            f"{where}.activation",
            "activation",
        )
        bias = finite_number(obj.get("bias", 0.0), f"{where}.bias")
    label = one_line_text(obj.get("label", ""), f"{where}.label")
    pos = obj.get("position", [0, 0])
    if not isinstance(pos, list) or len(pos) != 2:
        raise fail(f"{where}.position", "must be a list of two numbers [x, y]")
    position = (
        finite_number(pos[0], f"{where}.position[0]"),
        finite_number(pos[1], f"{where}.position[1]"),
    )
    for k, v in enumerate(position):
        if abs(v) > MAX_POSITION:
            raise fail(f"{where}.position[{k}]", f"at most {count(int(MAX_POSITION))} from 0")
    neuron = Neuron(
        nid, kind, activation, bias, label, position, unknown_fields(obj, _NEURON_KEYS)
    )
    if obj.get("feature") is not None:
        if kind != "input":
            raise fail(f"{where}.feature", "only an input neuron can be a feature")
        feature = json_object(obj["feature"], f"{where}.feature")
        fn = one_of(feature.get("fn"), list(FEATURES), f"{where}.feature.fn", "feature")
        of = json_list(feature.get("of"), f"{where}.feature.of", 2, "inputs")
        neuron.feature = (
            fn,
            tuple(short_string(v, f"{where}.feature.of[{i}]") for i, v in enumerate(of)),
        )
    return neuron


def _check_features(neurons: list[Neuron]) -> None:
    """Each feature reads raw inputs (input neurons that are not features themselves)."""
    raw = [n.id for n in neurons if n.kind == "input" and not n.feature]
    for i, n in enumerate(neurons):
        if n.feature:
            problem = check_feature(n.feature[0], list(n.feature[1]), raw)
            if problem:
                raise fail(f"neurons[{i}].feature", plain(problem, 200))


def _connections(raw: list, neurons: list[Neuron], index: dict[str, int]) -> list[Connection]:
    result: list[Connection] = []
    seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(raw):
        where = f"connections[{i}]"
        obj = json_object(item, where)
        ends = {}
        for end in ("source", "target"):
            if end not in obj:
                raise fail(where, f"has no {end}")
            value = short_string(obj[end], f"{where}.{end}")
            if value not in index:
                raise fail(where, f"{end} {quote(value)} is not a neuron")
            ends[end] = value
        s, t = ends["source"], ends["target"]
        if s == t:
            raise fail(where, f"connects {quote(s)} to itself")
        if (s, t) in seen:
            raise fail(
                where, f"duplicate of connections[{seen[(s, t)]}] ({plain(s)} → {plain(t)})"
            )
        if neurons[index[t]].kind == "input":
            raise fail(where, f"target {quote(t)} is an input neuron")
        if neurons[index[s]].kind == "output":
            raise fail(where, f"source {quote(s)} is an output neuron")
        seen[(s, t)] = i
        if "weight" not in obj:
            raise fail(f"{where}.weight", "missing")
        weight = finite_number(obj["weight"], f"{where}.weight")
        result.append(Connection(s, t, weight, unknown_fields(obj, _CONNECTION_KEYS)))
    return result
