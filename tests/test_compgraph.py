"""A neuron's computational graph against the walkthrough it is built from: the same
numbers, known at the same steps, at every cursor position, on random graphs."""

import numpy as np
import pytest
from hypothesis import given

from engine.compgraph import ALWAYS, CompGraph
from engine.files import load_network
from engine.formatting import to_plain
from engine.regularization import Penalty
from engine.walkthrough import Walkthrough
from tests.test_gradients import networks


def close(a, b) -> bool:
    return bool(np.allclose(a, b, rtol=1e-12, atol=1e-12))


def check_against_walk(walk: Walkthrough, nid: str) -> None:
    g = CompGraph(walk, nid)
    s = walk.sample
    for k in range(-1, len(walk.steps)):
        gs, ws = g.state_at(k), walk.state_at(k)
        nodes = gs.nodes
        # forward values: known exactly when the walkthrough knows them, and equal
        assert (nodes["z"].value is not None) == (nid in ws.z)
        if nid in ws.z:
            assert nodes["z"].value == ws.z[nid]
        assert (nodes["act"].value is not None) == (nid in ws.a)
        if nid in ws.a:
            assert nodes["act"].value == ws.a[nid]
        # ∂L/∂z is δ, from the walkthrough's δ step on
        assert (nodes["z"].grad is not None) == (nid in ws.delta)
        if nid in ws.delta:
            assert nodes["z"].grad == ws.delta[nid]
        for c in walk.incoming[nid]:
            src = c.source
            w_leaf, a_leaf = nodes[f"w:{src}"], nodes[f"a:{src}"]
            assert w_leaf.value == ws.weights[c.key] or ("w", *c.key) in ws.updated
            assert (a_leaf.value is not None) == (src in ws.a)
            if src in ws.a:
                assert a_leaf.value == ws.a[src]
            assert (w_leaf.batch_grad is not None) == (c.key in ws.weight_grads)
            if c.key in ws.weight_grads:
                assert w_leaf.batch_grad == ws.weight_grads[c.key]
            assert (w_leaf.new_value is not None) == (("w", *c.key) in ws.updated)
            if w_leaf.new_value is not None:
                assert w_leaf.new_value == ws.weights[c.key]
            fed = any((f, src) in walk.feature_slopes for f in walk.features)
            if src in ws.input_grads and len(walk.outgoing[src]) == 1 and not fed:
                assert close(a_leaf.grad, ws.input_grads[src])  # the only path
        assert (nodes["b"].batch_grad is not None) == (nid in ws.bias_grads)
        if nid in ws.bias_grads:
            assert nodes["b"].batch_grad == ws.bias_grads[nid]
        assert (nodes["b"].new_value is not None) == (("b", nid) in ws.updated)
        if "loss" in nodes:
            assert (nodes["loss"].value is not None) == (ws.loss is not None)
            if ws.loss is not None and walk.m == 1:  # the sample's loss: no weight penalty
                assert np.isclose(nodes["loss"].value, ws.loss - walk.penalty_value, rtol=1e-12)
        # an edge's local derivative appears with the gradient it is used for
        for (src, _tgt), local in gs.edges.items():
            assert (local is None) == (nodes[src].grad is None)
    # the whole iteration: per-sample numbers of the shown sample
    nodes = g.nodes
    assert nodes["act"].value == walk.a[nid][s]
    for c in walk.incoming[nid]:
        share = walk.delta[nid][s] * walk.a[c.source][s]
        assert close(nodes[f"w:{c.source}"].grad, share)
        assert nodes[f"mul:{c.source}"].value == walk.weights[c.key] * walk.a[c.source][s]
    # the chain rule, node by node: ∂L/∂source = Σ ∂L/∂target · local
    # bce∘σ and cross-entropy∘softmax: δ = ŷ − y; softmax: δ sums every output's path
    fused = g.is_output and (walk._fused(nid) or walk.softmax)
    for node in nodes.values():
        outs = [e for e in g.edges if e.source == node.id]
        if not outs or (fused and node.id == "z"):  # bce∘σ: δ = ŷ − y, exact, not the product
            continue
        total = sum(nodes[e.target].grad * e.local for e in outs)
        assert np.isclose(node.grad, total, rtol=1e-9, atol=1e-12), node.id


@given(networks())
def test_every_node_equals_the_walkthrough_at_every_cursor_position(case):
    net, X, Y = case
    for sample in sorted({0, X.shape[1] - 1}):
        walk = Walkthrough(net, X, Y, sample=sample)
        for n in net.neurons:
            if n.kind != "input":
                check_against_walk(walk, n.id)


@given(networks())
def test_the_leaves_batch_gradient_is_the_mean_of_the_samples_shares(case):
    net, X, Y = case
    m = X.shape[1]
    nid = net.outputs[0]
    graphs = [CompGraph(Walkthrough(net, X, Y, sample=s), nid) for s in range(m)]
    penalty = Penalty.of(net.training)  # training's ∂L/∂w adds λ·w or λ·sign(w)
    for key, node in graphs[0].nodes.items():
        if node.batch_grad is not None:
            extra = penalty.slope(node.value) if node.role == "weight" else 0.0
            assert close(np.mean([g.nodes[key].grad for g in graphs]) + extra, node.batch_grad)


def test_a_skip_connection_is_one_more_product():
    from tests.helpers import build

    net = build(
        [("x1", "input"), ("x2", "input"), ("h", "hidden", "tanh", 0.5), ("y", "output")],
        [("x1", "h", 1.5), ("x2", "h", -0.5), ("h", "y", 2.0), ("x1", "y", -1.0)],
    )
    walk = Walkthrough(net, np.array([[0.3, 1.0], [0.7, -1.0]]), np.array([[1.0, 0.0]]))
    g = CompGraph(walk, "y")
    assert {n.id for n in g.nodes.values() if n.role == "product"} == {"mul:h", "mul:x1"}
    assert g.nodes["a:x1"].other_paths and not g.nodes["a:h"].other_paths
    assert g.nodes["a:x1"].value_step == ALWAYS and g.nodes["a:h"].value_step >= 0
    check_against_walk(walk, "y")
    check_against_walk(walk, "h")


def test_an_input_neuron_has_no_graph(examples):
    net = load_network(examples / "wx_plus_b.json")
    walk = Walkthrough(net, np.array([[5.0]]), np.array([[0.0]]))
    with pytest.raises(ValueError, match="input neuron"):
        CompGraph(walk, "x")


def test_the_lecture_f_equals_w_x_plus_b(examples):
    """g = w·x = −10, f = −7, ∂f/∂g = 1, ∂g/∂w = x = 5, so ∂f/∂w = 5 (loss: L = f)."""
    net = load_network(examples / "wx_plus_b.json")
    walk = Walkthrough(net, np.array([[5.0]]), np.array([[0.0]]))
    g = CompGraph(walk, "f")
    nodes = {n.id: n for n in g.nodes.values()}
    assert to_plain(nodes["mul:x"].symbol) == "g" and to_plain(nodes["mul:x"].formula) == "w_x→f·x"
    assert nodes["mul:x"].value == -10 and nodes["z"].value == -7 and nodes["act"].value == -7
    assert nodes["loss"].value == -7 and to_plain(nodes["loss"].formula) == "f"
    assert nodes["mul:x"].grad == 1  # ∂f/∂g
    local = {(e.source, e.target): e for e in g.edges}
    assert local[("w:x", "mul:x")].local == 5  # ∂g/∂w = x
    assert to_plain(local[("w:x", "mul:x")].local_symbol) == "∂g/∂w_x→f = x"
    assert nodes["w:x"].grad == nodes["w:x"].batch_grad == 5  # ∂f/∂w
    assert nodes["a:x"].grad == -2 and nodes["b"].grad == 1  # ∂f/∂x, ∂f/∂b
    # nothing of the backward pass before it starts; all of it at the end
    before = g.state_at(walk.phase_range("backward")[0] - 1)
    assert before.nodes["mul:x"].value == -10 and before.nodes["mul:x"].grad is None
    assert before.edges[("w:x", "mul:x")] is None
    after = g.state_at(len(walk.steps) - 1)
    assert after.nodes["w:x"].grad == 5 and after.edges[("w:x", "mul:x")] == 5
    assert after.nodes["w:x"].new_value == -2.5 and after.nodes["b"].new_value == 2.9
    start = g.state_at(-1)
    assert start.nodes["w:x"].value == -2 and start.nodes["mul:x"].value is None
    check_against_walk(walk, "f")


def test_the_lecture_xor_hidden_and_output(examples):
    net = load_network(examples / "xor_lecture.json")
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], float)
    Y = np.array([[0, 1, 1, 0]], float)
    for sample in range(4):
        walk = Walkthrough(net, X, Y, sample=sample)
        for nid in ("h1", "h2", "y"):
            check_against_walk(walk, nid)
    g = CompGraph(Walkthrough(net, X, Y, sample=1), "h1")
    assert g.nodes["z"].value == -3 and g.nodes["sum"].value == 5
    assert [to_plain(g.nodes[k].formula) for k in ("sum", "z", "act")] == [
        "g₁ + g₂",
        "Σ + b_h₁",
        "σ(z_h₁)",
    ]
    assert "loss" not in g.nodes
