"""The network model: neurons and connections forming any directed acyclic graph.

The model is the single source of truth for structure and parameters. It knows nothing
about arrays (see ``compiled``) or about widgets; every mutation goes through a method
that validates first, so an invalid edit raises and leaves the network unchanged.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from .activation_rules import ActivationRules, softmax_problem
from .activations import ACTIVATIONS
from .errors import (
    CycleError,
    DuplicateConnectionError,
    FromOutputError,
    IntoInputError,
    NetworkError,
    SelfLoopError,
    UnknownNeuronError,
)
from .graph import topological_sort
from .settings import DatasetSpec, TrainingSettings

KINDS = ("input", "hidden", "output")
_ID_PREFIX = {"input": "x", "hidden": "h", "output": "y"}


@dataclass
class Neuron:
    id: str
    kind: str
    activation: str | None = "sigmoid"  # None for inputs
    bias: float = 0.0
    label: str = ""
    position: tuple[float, float] = (0.0, 0.0)
    extra: dict[str, Any] = field(default_factory=dict)
    # an input computed from raw inputs: (function, (raw input ids…)); see ``features``
    feature: tuple[str, tuple[str, ...]] | None = None

    @property
    def name(self) -> str:
        return self.label or self.id


@dataclass
class Connection:
    source: str
    target: str
    weight: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.target)


def _check_finite(value: float, what: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise NetworkError(f"{what}: must be a finite number, not {value!r}") from None
    if not math.isfinite(value):
        raise NetworkError(f"{what}: must be a finite number, not {value}")
    return value


class Network(ActivationRules):
    """A mutable DAG of neurons. ``structure_revision`` changes whenever arrays compiled
    from it would change shape or activation; ``parameter_revision`` on weight and bias
    edits."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self._neurons: dict[str, Neuron] = {}
        self._connections: dict[tuple[str, str], Connection] = {}
        self.training = TrainingSettings()
        self.dataset: DatasetSpec | None = None
        self.extra: dict[str, Any] = {}
        self.structure_revision = 0
        self.parameter_revision = 0
        self._order_cache: tuple[int, list[str]] | None = None
        self._layout: Any = None  # a compiled network never handed out: only copied
        # For amortised O(1) cycle checks: successors of each neuron, and a position in
        # some topological order (None: to be worked out again after a backward edge).
        self._succ: dict[str, set[str]] = {}
        self._rank: dict[str, int] | None = {}
        self._next_rank = 0

    # ----------------------------------------------------------------- queries
    @property
    def neurons(self) -> list[Neuron]:
        return list(self._neurons.values())

    @property
    def connections(self) -> list[Connection]:
        return list(self._connections.values())

    def neuron(self, neuron_id: str) -> Neuron:
        try:
            return self._neurons[neuron_id]
        except KeyError:
            raise UnknownNeuronError(f"no neuron {neuron_id!r}") from None

    def has_neuron(self, neuron_id: str) -> bool:
        return neuron_id in self._neurons

    def connection(self, source: str, target: str) -> Connection:
        try:
            return self._connections[(source, target)]
        except KeyError:
            raise NetworkError(f"no connection {source} → {target}") from None

    def has_connection(self, source: str, target: str) -> bool:
        return (source, target) in self._connections

    def neuron_index(self, neuron_id: str) -> int:
        return list(self._neurons).index(neuron_id)

    def connection_index(self, source: str, target: str) -> int:
        return list(self._connections).index((source, target))

    def ids(self, kind: str | None = None) -> list[str]:
        return [n.id for n in self._neurons.values() if kind is None or n.kind == kind]

    @property
    def inputs(self) -> list[str]:
        """Raw input ids in file order: the order of a dataset's input columns (feature
        inputs, computed from these, are not among them)."""
        return [n.id for n in self._neurons.values() if n.kind == "input" and not n.feature]

    @property
    def feature_inputs(self) -> list[str]:
        """Input neurons computed from the raw inputs (x₁², sin x₁ …), in file order."""
        return [n.id for n in self._neurons.values() if n.kind == "input" and n.feature]

    def add_feature(
        self, fn: str, of: list[str], neuron_id: str | None = None, **kwargs
    ) -> Neuron:
        """A feature input neuron ``fn(of…)`` computed from raw inputs."""
        from .features import check_feature

        problem = check_feature(fn, list(of), self.inputs)
        if problem:
            raise NetworkError(problem)
        neuron = self.add_neuron("input", neuron_id, **kwargs)
        neuron.feature = (fn, tuple(of))
        self._structure_changed()
        return neuron

    @property
    def outputs(self) -> list[str]:
        """Output ids in file order: the order of a dataset's target columns."""
        return self.ids("output")

    def incoming(self, neuron_id: str) -> list[Connection]:
        return [c for c in self._connections.values() if c.target == neuron_id]

    def outgoing(self, neuron_id: str) -> list[Connection]:
        return [c for c in self._connections.values() if c.source == neuron_id]

    def topological_order(self) -> list[str]:
        """Neuron ids, every source before its targets; ties keep file order. Cached."""
        if self._order_cache and self._order_cache[0] == self.structure_revision:
            return list(self._order_cache[1])
        order = topological_sort(list(self._neurons), list(self._connections))
        if order is None:  # only reachable through from_parts with unchecked input
            raise NetworkError("the connections contain a cycle")
        self._order_cache = (self.structure_revision, order)
        return list(order)

    def depths(self) -> dict[str, int]:
        """Longest path from any source: inputs 0, every other neuron ≥ 1."""
        depth: dict[str, int] = {}
        preds: dict[str, list[str]] = {i: [] for i in self._neurons}
        for s, t in self._connections:
            preds[t].append(s)
        for nid in self.topological_order():
            if self._neurons[nid].kind == "input":
                depth[nid] = 0
            else:
                depth[nid] = 1 + max((depth[p] for p in preds[nid]), default=0)
        return depth

    def new_id(self, kind: str) -> str:
        prefix = _ID_PREFIX[kind]
        used = {
            int(m.group(1)) for i in self._neurons if (m := re.fullmatch(prefix + r"(\d+)", i))
        }
        n = 1
        while n in used:
            n += 1
        return f"{prefix}{n}"

    # -------------------------------------------------------------- connecting
    def check_connect(self, source: str, target: str) -> None:
        """Raise the typed ConnectionRefused that ``connect`` would raise, or return."""
        src, tgt = self.neuron(source), self.neuron(target)
        if source == target:
            raise SelfLoopError(source, target, "a neuron cannot feed itself")
        if (source, target) in self._connections:
            raise DuplicateConnectionError(source, target, "they are already connected")
        if tgt.kind == "input":
            raise IntoInputError(source, target, f"{tgt.name} is an input neuron")
        if src.kind == "output":
            raise FromOutputError(source, target, f"{src.name} is an output neuron")
        path = self._path(target, source)
        if path is not None:
            cycle = [*path, target]
            raise CycleError(source, target, cycle, [self.neuron(n).name for n in cycle])

    def _ranks(self) -> dict[str, int]:
        if self._rank is None:
            self._rank = {nid: i for i, nid in enumerate(self.topological_order())}
            self._next_rank = len(self._rank)
        return self._rank

    def _index_graph(self) -> None:
        """Successor sets from the connections (after building the dicts directly)."""
        self._succ = {nid: set() for nid in self._neurons}
        for s, t in self._connections:
            self._succ[s].add(t)
        self._rank = None

    def _path(self, start: str, goal: str) -> list[str] | None:
        """A path start → … → goal, or None. When start comes after goal in the kept
        topological order (the common case: connecting forwards) there can be none, and
        nothing is walked; otherwise only neurons ranked between the two are visited."""
        rank = self._ranks()
        if rank[start] > rank[goal]:
            return None
        limit = rank[goal]
        parent: dict[str, str | None] = {start: None}
        stack = [start]
        while stack:
            node = stack.pop()
            if node == goal:
                path = [node]
                while (p := parent[path[-1]]) is not None:
                    path.append(p)
                return path[::-1]
            for nxt in self._succ[node]:
                if nxt not in parent and rank[nxt] <= limit:
                    parent[nxt] = node
                    stack.append(nxt)
        return None

    def can_connect(self, source: str, target: str) -> bool:
        try:
            self.check_connect(source, target)
        except NetworkError:
            return False
        return True

    # -------------------------------------------------------------- mutations
    def add_neuron(
        self,
        kind: str,
        neuron_id: str | None = None,
        *,
        activation: str | None = None,
        bias: float = 0.0,
        label: str = "",
        position: tuple[float, float] = (0.0, 0.0),
        index: int | None = None,
    ) -> Neuron:
        if kind not in KINDS:
            raise NetworkError(f"unknown kind {kind!r} (valid: {', '.join(KINDS)})")
        neuron_id = neuron_id or self.new_id(kind)
        if neuron_id in self._neurons:
            raise NetworkError(f"a neuron with id {neuron_id!r} already exists")
        if kind == "input":
            activation, bias = None, 0.0
        elif activation is None:
            activation = self.default_activation(kind)
        elif activation not in ACTIVATIONS:
            raise NetworkError(
                f"{neuron_id}: unknown activation {activation!r} (valid: {', '.join(ACTIVATIONS)})"
            )
        neuron = Neuron(
            neuron_id,
            kind,
            activation,
            _check_finite(bias, f"{neuron_id}.bias"),
            label,
            (float(position[0]), float(position[1])),
        )
        problem = softmax_problem([*self._neurons.values(), neuron])
        if problem:
            raise NetworkError(problem)
        self.insert_neuron(neuron, index)
        return neuron

    def insert_neuron(self, neuron: Neuron, index: int | None = None) -> None:
        """Put back a neuron object as it is (undo of a removal keeps its place)."""
        if neuron.id in self._neurons:
            raise NetworkError(f"a neuron with id {neuron.id!r} already exists")
        if neuron.feature:
            from .features import check_feature

            problem = check_feature(neuron.feature[0], list(neuron.feature[1]), self.inputs)
            if problem or neuron.kind != "input":
                raise NetworkError(problem or "only an input neuron can be a feature")
        if index is None or index >= len(self._neurons):
            self._neurons[neuron.id] = neuron
        else:
            items = list(self._neurons.items())
            items.insert(index, (neuron.id, neuron))
            self._neurons = dict(items)
        self._succ[neuron.id] = set()
        if self._rank is not None:  # an isolated neuron may stand last in any order
            self._rank[neuron.id] = self._next_rank
            self._next_rank += 1
        self._structure_changed()

    def remove_neuron(self, neuron_id: str) -> tuple[Neuron, int, list[tuple[int, Connection]]]:
        """Remove a neuron and its connections; returns what is needed to put them back."""
        neuron = self.neuron(neuron_id)
        users = [n.name for n in self._neurons.values() if n.feature and neuron_id in n.feature[1]]
        if users:
            raise NetworkError(
                f"{neuron.name} feeds the feature input {users[0]}: remove that first"
            )
        index = self.neuron_index(neuron_id)
        removed = [
            (i, c)
            for i, c in enumerate(self._connections.values())
            if neuron_id in (c.source, c.target)
        ]
        for _, c in removed:
            del self._connections[c.key]
            self._succ[c.source].discard(c.target)
        del self._neurons[neuron_id]
        del self._succ[neuron_id]
        if self._rank is not None:
            del self._rank[neuron_id]
        self._structure_changed()
        return neuron, index, removed

    def connect(
        self, source: str, target: str, weight: float = 0.0, index: int | None = None
    ) -> Connection:
        conn = Connection(source, target, _check_finite(weight, f"{source} → {target}.weight"))
        self.insert_connection(conn, index)
        return conn

    def insert_connection(self, conn: Connection, index: int | None = None) -> None:
        self.check_connect(conn.source, conn.target)
        if index is None or index >= len(self._connections):
            self._connections[conn.key] = conn
        else:
            items = list(self._connections.items())
            items.insert(index, (conn.key, conn))
            self._connections = dict(items)
        self._succ[conn.source].add(conn.target)
        rank = self._rank
        if rank is not None and rank[conn.source] > rank[conn.target]:
            self._rank = None  # a backward edge: the order is worked out again when needed
        self._structure_changed()

    def disconnect(self, source: str, target: str) -> tuple[Connection, int]:
        conn = self.connection(source, target)
        index = self.connection_index(source, target)
        del self._connections[conn.key]
        self._succ[source].discard(target)
        self._structure_changed()
        return conn, index

    def set_weight(self, source: str, target: str, weight: float) -> None:
        conn = self.connection(source, target)
        conn.weight = _check_finite(weight, f"{source} → {target}.weight")
        self.parameter_revision += 1

    def set_bias(self, neuron_id: str, bias: float) -> None:
        neuron = self.neuron(neuron_id)
        if neuron.kind == "input":
            raise NetworkError(f"{neuron.name} is an input neuron: it has no bias")
        neuron.bias = _check_finite(bias, f"{neuron_id}.bias")
        self.parameter_revision += 1

    def set_kind(self, neuron_id: str, kind: str) -> None:
        neuron = self.neuron(neuron_id)
        if kind not in KINDS:
            raise NetworkError(f"unknown kind {kind!r} (valid: {', '.join(KINDS)})")
        if kind == "input" and self.incoming(neuron_id):
            raise NetworkError(f"{neuron.name} has incoming connections: it cannot be an input")
        if kind != "input" and neuron.feature:
            raise NetworkError(f"{neuron.name} is a feature input: it stays an input")
        if kind != "input" and any(
            n.feature and neuron_id in n.feature[1] for n in self._neurons.values()
        ):
            raise NetworkError(f"{neuron.name} feeds a feature input: it stays an input")
        if kind == "output" and self.outgoing(neuron_id):
            raise NetworkError(f"{neuron.name} has outgoing connections: it cannot be an output")
        if kind == "input":
            neuron.activation, neuron.bias = None, 0.0
        elif kind == "output" and self.output_activation == "softmax":
            neuron.activation = "softmax"  # joins the group
        elif neuron.activation is None or neuron.activation == "softmax":
            neuron.activation = "sigmoid"
        neuron.kind = kind
        self._structure_changed()

    def set_label(self, neuron_id: str, label: str) -> None:
        self.neuron(neuron_id).label = str(label)

    def set_position(self, neuron_id: str, position: tuple[float, float]) -> None:
        self.neuron(neuron_id).position = (float(position[0]), float(position[1]))

    def set_parameters(
        self,
        weights: dict[tuple[str, str], float] | None = None,
        biases: dict[str, float] | None = None,
    ) -> None:
        """Set many weights and biases at once, all or none (validated first)."""
        weights = {
            k: _check_finite(v, f"{k[0]} → {k[1]}.weight") for k, v in (weights or {}).items()
        }
        biases = {k: _check_finite(v, f"{k}.bias") for k, v in (biases or {}).items()}
        for s, t in weights:
            self.connection(s, t)
        for nid in biases:
            if self.neuron(nid).kind == "input":
                raise NetworkError(f"{nid} is an input neuron: it has no bias")
        for (s, t), w in weights.items():
            self._connections[(s, t)].weight = w
        for nid, b in biases.items():
            self._neurons[nid].bias = b
        self.parameter_revision += 1

    def _structure_changed(self) -> None:
        self.structure_revision += 1
        self.parameter_revision += 1

    # ---------------------------------------------------------------- helpers
    def compile(self):
        """A new compiled network with this model's current parameters, owned by the
        caller alone: nobody else holds it, so nothing else can change it. The layout is
        worked out once per structure change; each call copies parameters only."""
        from .compiled import CompiledNetwork

        layout = self._layout
        if layout is None or layout.structure_revision != self.structure_revision:
            layout = self._layout = CompiledNetwork(self)
            return layout.copy()
        c = layout.copy()
        c.load_parameters(self)
        return c

    def copy(self) -> Network:
        other = Network(self.name)
        other._neurons = {
            k: replace(n, extra=dict(n.extra), position=tuple(n.position))
            for k, n in self._neurons.items()
        }
        other._connections = {
            k: replace(c, extra=dict(c.extra)) for k, c in self._connections.items()
        }
        other.training = self.training.copy()
        other.dataset = None if self.dataset is None else self.dataset.copy()
        other.extra = dict(self.extra)
        other._index_graph()
        return other

    def parameters(self) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
        """(weights by (source, target), biases by neuron id of non-input neurons)."""
        weights = {k: c.weight for k, c in self._connections.items()}
        biases = {n.id: n.bias for n in self._neurons.values() if n.kind != "input"}
        return weights, biases

    @classmethod
    def from_parts(
        cls, neurons: list[Neuron], connections: list[Connection], name: str = ""
    ) -> Network:
        """Build without per-edit checks; the caller (the file loader) has validated."""
        net = cls(name)
        net._neurons = {n.id: n for n in neurons}
        net._connections = {c.key: c for c in connections}
        net._index_graph()
        return net
