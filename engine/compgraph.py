"""One neuron of a walkthrough expanded into primitive operations: a computational graph.

For a neuron n with incoming connections s₁…s_k: one × node per connection (w·a), their
sum Σ (only with two or more), + b (the pre-activation z), the activation, and for an
output the loss. Each node has its forward value and ∂Lᵢ/∂node, each edge its local
derivative ∂target/∂source, and each of these the index of the walkthrough step at which
the walkthrough has computed it, so a view can follow the step cursor (``state_at``).

Every number is read from the ``Walkthrough`` (its z, a, δ, ∂L/∂ŷ, losses and gradients
for the sample it shows), never recomputed from weights in another way, so the graph and
the step list cannot disagree. Gradients are per sample (∂Lᵢ/∂·, as δ is); the weight and
bias leaves also carry the batch mean the walkthrough's ∂w and ∂b steps show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import walk_steps
from .activations import get_activation
from .formatting import sub
from .walkthrough import Walkthrough

ALWAYS = -1  # known before the first step (parameters, the sample's inputs)


@dataclass
class GraphNode:
    id: str  # "w:SOURCE", "a:SOURCE", "b", "mul:SOURCE", "sum", "z", "act", "loss"
    role: str  # weight, source, bias, product, sum, z, activation, loss
    op: str  # what the node does: "", "×", "Σ", "+", "σ", "L", …
    symbol: str  # markup: w_{x→f}, x, g, z_{f}, f, L
    formula: str  # markup: what the node computes from its inputs ("" for a leaf)
    value: float
    grad: float  # ∂Lᵢ/∂node for the shown sample
    value_step: int  # the walkthrough step that computes the value (ALWAYS: known)
    grad_step: int  # the step from which ∂L/∂node is known
    column: int  # left to right: leaves, products, sum, z, activation, loss
    row: float  # top to bottom within a column
    batch_grad: float | None = None  # weight and bias leaves: the batch mean (∂w, ∂b steps)
    new_value: float | None = None  # weight and bias leaves: the value after the update
    update_step: int | None = None
    other_paths: bool = False  # a source that feeds other neurons too: grad is this path's share


@dataclass
class GraphEdge:
    source: str
    target: str
    local: float  # ∂target/∂source at the shown sample's numbers
    local_symbol: str  # markup: ∂(w·x)/∂w = x
    step: int  # known from the step that first uses it (the source's gradient)


@dataclass
class NodeView:
    """What is shown of a node once steps 0..k are done: None for not yet known."""

    value: float | None
    grad: float | None
    batch_grad: float | None
    new_value: float | None


@dataclass
class GraphState:
    nodes: dict[str, NodeView] = field(default_factory=dict)
    edges: dict[tuple[str, str], float | None] = field(default_factory=dict)


class CompGraph:
    """The computational graph of neuron ``nid`` in ``walk`` (not an input neuron)."""

    def __init__(self, walk: Walkthrough, nid: str) -> None:
        neuron = walk.neurons.get(nid)
        if neuron is None:
            raise KeyError(f"no neuron {nid!r}")
        if neuron.kind == "input":
            raise ValueError("an input neuron computes nothing: choose a hidden or output neuron")
        self.walk, self.nid = walk, nid
        self.is_output = neuron.kind == "output"
        self.nodes: dict[str, GraphNode] = {}
        self.edges: list[GraphEdge] = []
        self._steps = self._step_index()
        self._build()

    # -------------------------------------------------------------- steps
    def _step_index(self) -> dict[tuple, int]:
        """(kind, neuron, connection) → index of the walkthrough step that computes it."""
        return {(s.kind, s.neuron, s.connection): s.index for s in self.walk.steps}

    def _at(self, kind: str, neuron: str | None, connection=None) -> int:
        return self._steps[(kind, neuron, connection)]

    # -------------------------------------------------------------- build
    def _node(self, **kw) -> GraphNode:
        node = GraphNode(**kw)
        self.nodes[node.id] = node
        return node

    def _edge(self, source: str, target: str, local: float, symbol: str) -> None:
        step = self.nodes[source].grad_step
        self.edges.append(GraphEdge(source, target, float(local), symbol, step))

    def _build(self) -> None:
        w, nid, s = self.walk, self.nid, self.walk.sample
        incoming = w.incoming[nid]
        delta = float(w.delta[nid][s])
        z_step, a_step = self._at("z", nid), self._at("a", nid)
        d_step = self._at("δ", nid)
        k = len(incoming)
        rows = 2 * k + 1  # leaves: a weight and a source per connection, then the bias
        centre = (rows - 1) / 2
        product_ids = []
        for i, c in enumerate(incoming):
            src = c.source
            weight, a_src = w.weights[c.key], float(w.a[src][s])
            source_kind = w.neurons[src].kind
            w_sym, v_sym = w._w(src, nid), w.value_symbol(src)
            self._node(
                id=f"w:{src}",
                role="weight",
                op="",
                symbol=w_sym,
                formula="",
                value=weight,
                grad=delta * a_src,
                value_step=ALWAYS,
                grad_step=self._at("∂w", nid, c.key),
                column=0,
                row=2 * i,
                batch_grad=w.weight_grad[c.key],
                new_value=w.new_weights[c.key],
                update_step=self._at("update", nid, c.key),
            )
            # this neuron's share of ∂L/∂a_src, known where the walkthrough sums it in
            self._node(
                id=f"a:{src}",
                role="source",
                op="",
                symbol=v_sym,
                formula="",
                value=a_src,
                grad=weight * delta,
                value_step=(
                    ALWAYS if src in w.network.inputs else self._at("a", src)
                ),  # raw inputs are data; features and neurons are computed
                grad_step=self._at("∂x", src) if source_kind == "input" else self._at("δ", src),
                column=0,
                row=2 * i + 1,
                other_paths=len(w.outgoing[src]) > 1,
            )
            pid = f"mul:{src}"
            product_ids.append(pid)
            self._node(
                id=pid,
                role="product",
                op="×",
                symbol=sub("g", str(i + 1)) if k > 1 else "g",
                formula=f"{w_sym}·{v_sym}",
                value=weight * a_src,
                grad=delta,
                value_step=z_step,
                grad_step=d_step,
                column=1,
                row=2 * i + 0.5,
            )
            g = self.nodes[pid].symbol
            self._edge(f"w:{src}", pid, a_src, f"∂{g}/∂{w_sym} = {v_sym}")
            self._edge(f"a:{src}", pid, weight, f"∂{g}/∂{v_sym} = {w_sym}")
        b_sym = sub("b", w.name(nid))
        self._node(
            id="b",
            role="bias",
            op="",
            symbol=b_sym,
            formula="",
            value=w.biases[nid],
            grad=delta,
            value_step=ALWAYS,
            grad_step=self._at("∂b", nid),
            column=0,
            row=2 * k,
            batch_grad=w.bias_grad[nid],
            new_value=w.new_biases[nid],
            update_step=self._at("update", nid),
        )
        z_sym = sub("z", w.name(nid))
        z_inputs = list(product_ids)
        if k > 1:
            self._node(
                id="sum",
                role="sum",
                op="Σ",
                symbol="Σ",
                formula=" + ".join(self.nodes[p].symbol for p in product_ids),
                value=sum(self.nodes[p].value for p in product_ids),
                grad=delta,
                value_step=z_step,
                grad_step=d_step,
                column=2,
                row=centre - 0.5,
            )
            for p in product_ids:
                self._edge(p, "sum", 1.0, f"∂Σ/∂{self.nodes[p].symbol} = 1")
            z_inputs = ["sum"]
        self._node(
            id="z",
            role="z",
            op="+",
            symbol=z_sym,
            formula=" + ".join([*(self.nodes[p].symbol for p in z_inputs), b_sym]),
            value=float(w.z[nid][s]),
            grad=delta,
            value_step=z_step,
            grad_step=d_step,
            column=3,
            row=centre,
        )
        for p in z_inputs:
            self._edge(p, "z", 1.0, f"∂{z_sym}/∂{self.nodes[p].symbol} = 1")
        self._edge("b", "z", 1.0, f"∂{z_sym}/∂{b_sym} = 1")
        act = get_activation(w.neurons[nid].activation)
        v_sym = w.value_symbol(nid)
        z_value = float(w.z[nid][s])
        a_value = float(w.a[nid][s])
        self._node(
            id="act",
            role="activation",
            op=act.symbol if act.name != "linear" else "id",
            symbol=v_sym,
            formula=z_sym if act.name == "linear" else f"{act.symbol}({z_sym})",
            value=a_value,
            grad=self._upstream(),
            value_step=a_step,
            grad_step=self._at("dL/dŷ", nid) if self.is_output else d_step,
            column=4,
            row=centre,
        )
        if act.grouped:  # softmax: the diagonal of the group's Jacobian; δ sums all paths
            slope = a_value * (1.0 - a_value)
            text = f"∂{v_sym}/∂{z_sym} = {v_sym}·(1 − {v_sym}), δ adds the other outputs' paths"
        else:
            slope = float(act.slope(z_value))
            text = f"∂{v_sym}/∂{z_sym} = {w.slope_text(act.name, v_sym, z_sym)}"
        self._edge("z", "act", slope, text)
        if self.is_output:
            self._node(
                id="loss",
                role="loss",
                op="L",
                symbol="L",
                formula=walk_steps._sample_loss(w, s)[0],
                value=float(w.per_sample_loss[s]),
                grad=1.0,
                value_step=self._at("loss", None),
                grad_step=self._at("loss", None),
                column=5,
                row=centre,
            )
            self._edge("act", "loss", float(w.dl_dyhat[nid][s]), f"∂L/∂{v_sym}")

    def _upstream(self) -> float:
        """∂Lᵢ/∂a of the neuron: ∂Lᵢ/∂ŷ for an output, Σ w·δ over its targets otherwise."""
        w, nid, s = self.walk, self.nid, self.walk.sample
        if self.is_output:
            return float(w.dl_dyhat[nid][s])
        return float(sum(w.weights[c.key] * w.delta[c.target][s] for c in w.outgoing[nid]))

    # -------------------------------------------------------------- state
    def state_at(self, k: int) -> GraphState:
        """What is known once walkthrough steps 0..k are done (k = −1: nothing yet)."""
        state = GraphState()
        for node in self.nodes.values():
            state.nodes[node.id] = NodeView(
                node.value if node.value_step <= k else None,
                node.grad if node.grad_step <= k else None,
                node.batch_grad if node.batch_grad is not None and node.grad_step <= k else None,
                node.new_value if node.update_step is not None and node.update_step <= k else None,
            )
        for e in self.edges:
            state.edges[(e.source, e.target)] = e.local if e.step <= k else None
        return state

    @property
    def columns(self) -> int:
        return max(n.column for n in self.nodes.values()) + 1
