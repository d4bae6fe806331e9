"""One training iteration as an ordered list of micro-steps, each with its formula.

The walkthrough recomputes the iteration neuron by neuron (vectorised over the batch
only), independently of the compiled network, so the tests can check one against the
other. Every step records its phase, subject, formula in symbols, the same formula with
the numbers in it, and the result; ``state_at(k)`` tells what is known after step k, which
is all the app needs to draw the network as of that step.

Conventions: δ is per sample (δᵢ = ∂Lᵢ/∂z); a batch's weight gradient is the mean
(1/m)·Σᵢ δᵢ·aᵢ, exactly what the engine's backward pass computes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import walk_steps
from .activations import LEAKY_SLOPE, get_activation, softmax_rows
from .compiled import FUSED
from .features import compute, slopes
from .formatting import MINUS, NumberFormat, sub, update_pair
from .losses import BCE_EPS, get_loss
from .optimizers import make_optimizer
from .regularization import Penalty
from .settings import TrainingSettings

PHASES = ("forward", "loss", "backward", "update")


@dataclass
class Step:
    index: int
    phase: str
    kind: str  # z, a, loss, dL/dŷ, δ, ∂w, ∂b, ∂x, update
    neuron: str | None  # the neuron the step is about (a connection's target)
    connection: tuple[str, str] | None
    level: int
    title: str
    symbolic: str  # markup (see formatting): the formula in symbols
    numeric: str  # markup: the same formula with numbers
    value: float
    value_text: str = ""  # the result as shown (updates get enough digits to differ)
    per_sample: np.ndarray | None = None

    @property
    def line(self) -> str:
        """symbolic = numeric = result (markup)."""
        if self.numeric in ("", self.value_text):
            return f"{self.symbolic} = {self.value_text}"
        return f"{self.symbolic} = {self.numeric} = {self.value_text}"


@dataclass
class WalkState:
    """What is known after a step: values for the shown sample, gradients as batch means."""

    step: Step | None
    z: dict[str, float] = field(default_factory=dict)
    a: dict[str, float] = field(default_factory=dict)
    delta: dict[str, float] = field(default_factory=dict)
    loss: float | None = None
    weight_grads: dict[tuple[str, str], float] = field(default_factory=dict)
    bias_grads: dict[str, float] = field(default_factory=dict)
    input_grads: dict[str, float] = field(default_factory=dict)
    weights: dict[tuple[str, str], float] = field(default_factory=dict)
    biases: dict[str, float] = field(default_factory=dict)
    updated: set = field(default_factory=set)  # ("w", s, t) / ("b", id) already updated

    def gradient_strengths(self) -> dict[tuple[str, str], float]:
        """|∂L/∂w| of each known weight gradient relative to the largest, in [0, 1]."""
        top = max((abs(g) for g in self.weight_grads.values()), default=0.0)
        return {k: abs(g) / top if top > 0 else 0.0 for k, g in self.weight_grads.items()}


class Walkthrough:
    def __init__(
        self,
        network,
        X: np.ndarray,
        Y: np.ndarray,
        settings: TrainingSettings | None = None,
        optimizer_state: dict | None = None,
        sample: int = 0,
        fmt: NumberFormat | None = None,
        parameters: tuple[dict, dict] | None = None,
    ) -> None:
        """X, Y feature-major (inputs × m, outputs × m); ``sample`` is the one whose
        per-sample numbers the steps show (gradient steps always show the batch mean)."""
        self.network = network
        self.settings = settings or network.training
        self.fmt = fmt or NumberFormat()
        self.X = np.asarray(X, float)
        self.Y = np.asarray(Y, float)
        self.m = self.X.shape[1]
        self.sample = sample
        self.loss_fn = get_loss(self.settings.loss)
        self.penalty = Penalty.of(self.settings)
        self.order = network.topological_order()
        self.depth = network.depths()
        self.neurons = {n.id: n for n in network.neurons}
        self._names = {n.id: n.name for n in network.neurons}  # each is asked for ~80 times
        self._w_symbols: dict[tuple[str, str], str] = {}
        self.softmax = network.output_activation == "softmax"
        # the model's own weights, or those a trainer holds (not yet written back)
        self.weights, self.biases = parameters or network.parameters()
        self.steps: list[Step] = []
        self._compute()
        self._update(optimizer_state)
        self._build_steps()

    # ------------------------------------------------------------- symbols
    def name(self, nid: str) -> str:
        return self._names[nid]

    def value_symbol(self, nid: str) -> str:
        """A neuron's label stands for its output (x₁, h₁, ŷ); without one, an input's
        value is its id (x1) and another neuron's output is a_{id}."""
        n = self.neurons[nid]
        if n.label:
            return n.label
        return n.id if n.kind == "input" else sub("a", n.id)

    def _w(self, s: str, t: str) -> str:
        symbol = self._w_symbols.get((s, t))
        if symbol is None:
            symbol = self._w_symbols[s, t] = sub("w", f"{self._names[s]}→{self._names[t]}")
        return symbol

    # --------------------------------------------------------- computation
    def _compute(self) -> None:
        n, m = self.neurons, self.m
        self.z: dict[str, np.ndarray] = {}
        self.a: dict[str, np.ndarray] = {}
        # one pass over the connections (per-neuron queries would be quadratic)
        self.incoming: dict[str, list] = {nid: [] for nid in n}
        self.outgoing: dict[str, list] = {nid: [] for nid in n}
        for c in self.network.connections:
            self.incoming[c.target].append(c)
            self.outgoing[c.source].append(c)
        inputs, outputs = self.network.inputs, self.network.outputs
        self.input_index = {nid: k for k, nid in enumerate(inputs)}
        self.output_index = {nid: k for k, nid in enumerate(outputs)}
        for nid in inputs:
            self.a[nid] = self.X[self.input_index[nid]].copy()
        self.features = self.network.feature_inputs
        for nid in self.features:  # x₁², sin x₁ …: from the raw inputs
            fn, args = n[nid].feature
            self.a[nid] = compute(fn, [self.a[a] for a in args])
        with np.errstate(over="ignore", invalid="ignore"):
            for nid in self.order:
                if n[nid].kind == "input":
                    continue
                z = np.full(m, self.biases[nid])
                for c in self.incoming[nid]:
                    z = z + self.weights[c.key] * self.a[c.source]
                self.z[nid] = z
                self.a[nid] = get_activation(n[nid].activation).value(z)
            if self.softmax:  # the group, once every output's z is known
                probabilities = softmax_rows(np.vstack([self.z[o] for o in outputs]))
                for o, p in zip(outputs, probabilities, strict=True):
                    self.a[o] = p
        yhat = np.vstack([self.a[o] for o in outputs])
        self.per_sample_loss = self.loss_fn.per_sample(yhat, self.Y)
        self.loss = float(self.per_sample_loss.mean())
        # ∂Lᵢ/∂ŷ per sample (the loss's gradient without the batch's 1/m)
        self.dl_dyhat = {}
        for k, o in enumerate(outputs):
            y, p = self.Y[k], self.a[o]
            if self.loss_fn.name == "mse":
                g = p - y
            elif self.loss_fn.name == "bce":
                pc = np.clip(p, BCE_EPS, 1 - BCE_EPS)
                g = (pc - y) / (pc * (1 - pc))
            elif self.loss_fn.name == "cross_entropy":
                g = -y / np.maximum(p, BCE_EPS)
            else:
                g = np.ones(m)
            self.dl_dyhat[o] = g
        self.delta: dict[str, np.ndarray] = {}
        self.input_grad: dict[str, np.ndarray] = {}
        if self.softmax and not self._fused(outputs[0]):
            # through the group's Jacobian: δ_k = ŷ_k·(g_k − Σ_j ŷ_j·g_j)
            self.group_sum = sum(self.a[o] * self.dl_dyhat[o] for o in outputs)
            for o in outputs:
                self.delta[o] = self.a[o] * (self.dl_dyhat[o] - self.group_sum)
        for nid in reversed(self.order):
            neuron = n[nid]
            if neuron.kind == "input":
                self.input_grad[nid] = sum(
                    (self.weights[c.key] * self.delta[c.target] for c in self.outgoing[nid]),
                    np.zeros(m),
                )
                continue
            act = get_activation(neuron.activation)
            if neuron.kind == "output":
                k = self.output_index[nid]
                if nid in self.delta:  # a softmax group's, done above
                    continue
                if self._fused(nid):
                    self.delta[nid] = self.a[nid] - self.Y[k]
                    continue
                upstream = self.dl_dyhat[nid]
            else:
                upstream = sum(
                    (self.weights[c.key] * self.delta[c.target] for c in self.outgoing[nid]),
                    np.zeros(m),
                )
            self.delta[nid] = upstream * act.slope(self.z[nid])
        self.data_loss = self.loss
        weights = np.array([self.weights[c.key] for c in self.network.connections])
        self.penalty_value = self.penalty.value(weights)
        self.loss = self.data_loss + self.penalty_value
        # a feature's ∂L/∂x flows on into the raw inputs it reads
        self.feature_slopes = {}
        for nid in self.features:
            fn, args = n[nid].feature
            for a, slope in zip(args, slopes(fn, [self.a[k] for k in args]), strict=True):
                # x₁·x₁ reads x₁ twice: ∂f/∂x₁ is the sum of both slopes (2·x₁)
                seen = self.feature_slopes.get((nid, a))
                self.feature_slopes[(nid, a)] = slope if seen is None else seen + slope
                self.input_grad[a] = self.input_grad[a] + self.input_grad[nid] * slope
        # batch means as np.mean takes them (the same sum, divided by m), without its
        # overhead per call: a 2-8-8-1 has 88 weights
        total, m = np.add.reduce, self.m
        delta, a, slope = self.delta, self.a, self.penalty.slope
        self.weight_grad = {
            c.key: float(total(delta[c.target] * a[c.source])) / m + slope(self.weights[c.key])
            for c in self.network.connections
        }
        self.bias_grad = {nid: float(total(d)) / m for nid, d in delta.items()}

    def _fused(self, nid: str) -> bool:
        """bce on a sigmoid output, or cross-entropy on softmax: δ = ŷ − y, exact even
        when ŷ saturates."""
        return FUSED.get(self.loss_fn.name) == self.neurons[nid].activation

    def _update(self, optimizer_state: dict | None) -> None:
        """New parameters from the engine's own optimiser, fed with these gradients."""
        c = self.network.compile()
        theta = np.zeros(c.size)
        grad = np.zeros(c.size)
        for key, i in c.weight_index.items():
            theta[i], grad[i] = self.weights[key], self.weight_grad[key]
        for key, i in c.bias_index.items():
            theta[i], grad[i] = self.biases[key], self.bias_grad[key]
        self.optimizer = make_optimizer(c.size, self.settings)
        if optimizer_state is not None:
            self.optimizer.restore(optimizer_state)
        self.optimizer_before = self.optimizer.state()
        self.optimizer.step(theta, grad)
        self.new_weights = {k: float(theta[i]) for k, i in c.weight_index.items()}
        self.new_biases = {k: float(theta[i]) for k, i in c.bias_index.items()}
        self._index = {
            **{("w", *k): i for k, i in c.weight_index.items()},
            **{("b", k): i for k, i in c.bias_index.items()},
        }

    # --------------------------------------------------------------- steps
    def _add(self, phase, kind, neuron, connection, title, symbolic, numeric, value, extra=None):
        """``extra``: the per-sample values, or for an update the value before it."""
        level = self.depth[neuron] if neuron is not None else 0
        if kind == "update":
            text, per_sample = update_pair(extra, value, self.fmt.digits)[1], None
        else:
            text, per_sample = self.fmt(value), extra
        step = Step(
            len(self.steps),
            phase,
            kind,
            neuron,
            connection,
            level,
            title,
            symbolic,
            numeric,
            float(value),
            text,
            per_sample,
        )
        self.steps.append(step)

    def _build_steps(self) -> None:
        walk_steps.build_steps(self)

    def line_for_sample(self, step: Step, sample: int) -> str:
        """A step's formula with one sample's numbers (its share, for batch means)."""
        return walk_steps.rebuild_numeric(self, step, sample)

    def formula_for_sample(self, step: Step, sample: int) -> tuple[str, str, str]:
        """(symbolic, numeric, result as shown) of ``line_for_sample`` (markup)."""
        return walk_steps.sample_formula(self, step, sample)

    # ---------------------------------------------------------------- state
    def state_at(self, k: int) -> WalkState:
        """Everything known once steps 0..k are done (k = −1: nothing yet)."""
        s = self.sample
        state = WalkState(self.steps[k] if 0 <= k < len(self.steps) else None)
        state.weights, state.biases = dict(self.weights), dict(self.biases)
        for nid in self.network.inputs:
            state.a[nid] = float(self.a[nid][s])
        for step in self.steps[: k + 1]:
            kind, nid = step.kind, step.neuron
            if kind == "z":
                state.z[nid] = float(self.z[nid][s])
            elif kind == "a":
                state.a[nid] = float(self.a[nid][s])
            elif kind == "loss":
                state.loss = self.loss
            elif kind == "δ":
                state.delta[nid] = float(self.delta[nid][s])
            elif kind == "∂w":
                state.weight_grads[step.connection] = self.weight_grad[step.connection]
            elif kind == "∂b":
                state.bias_grads[nid] = self.bias_grad[nid]
            elif kind == "∂x":
                state.input_grads[nid] = float(self.input_grad[nid][s])
            elif kind == "update" and step.connection is not None:
                state.weights[step.connection] = self.new_weights[step.connection]
                state.updated.add(("w", *step.connection))
            elif kind == "update":
                state.biases[nid] = self.new_biases[nid]
                state.updated.add(("b", nid))
        return state

    def phase_range(self, phase: str) -> tuple[int, int]:
        """(first, last) step index of a phase."""
        idx = [s.index for s in self.steps if s.phase == phase]
        return idx[0], idx[-1]

    @staticmethod
    def slope_text(activation: str, v: str, z: str) -> str:
        """f'(z) written with the neuron's value symbol v and pre-activation symbol z."""
        return {
            "sigmoid": f"{v}·(1 {MINUS} {v})",
            "tanh": f"(1 {MINUS} {v}²)",
            "relu": f"[{z} > 0]",
            "leaky_relu": f"([{z} > 0] + {LEAKY_SLOPE}·[{z} ≤ 0])",
            "linear": "1",
            "step": "0",
            "softmax": "",
        }[activation]
