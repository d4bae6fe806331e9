"""A ``Network`` into the network file's JSON (format 1): what this version writes, fields
it does not know included (kept from the file they came from), with short numeric lists
on one line for readable diffs.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .network import Network
from .settings import TrainingSettings

FORMAT = "backprop-studio-network"
VERSION = 1


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
