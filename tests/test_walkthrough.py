"""The step-through engine: its numbers against the vectorised engine, its formulas
against the lecture, and its cursor's exactness."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.cursor import GRANULARITIES, Cursor
from engine.files import load_network
from engine.formatting import format_number, to_html, to_plain
from engine.gradients import check_parameter
from engine.optimizers import make_optimizer
from engine.regularization import Penalty
from engine.walkthrough import Walkthrough
from tests.test_gradients import networks


@given(networks(), st.sampled_from(["sgd", "momentum", "rmsprop", "adam"]))
def test_every_number_equals_the_vectorised_engine(case, optimizer):
    net, X, Y = case
    net.training.optimizer = optimizer
    m = X.shape[1]
    walk = Walkthrough(net, X, Y, sample=m - 1)
    c = net.compile()
    penalty = Penalty.of(net.training)
    Z = c.forward(X).Z.copy()  # a training pass keeps no z
    value = c.loss_and_gradient(X, Y, walk.loss_fn, input_gradient=True, penalty=penalty)
    ws = c.last
    assert walk.loss == pytest.approx(value, rel=1e-12, abs=1e-12)
    assert walk.data_loss == pytest.approx(walk.loss_fn.value(ws.outputs, Y), rel=1e-12)
    for nid, r in c.row.items():
        assert np.allclose(walk.a[nid], ws.A[r], rtol=1e-12, atol=1e-12)
        if nid in walk.z:
            assert np.allclose(walk.z[nid], Z[r], rtol=1e-12, atol=1e-12)
            assert np.allclose(walk.delta[nid] / m, ws.delta[r], rtol=1e-12, atol=1e-12)
        else:
            assert np.allclose(walk.input_grad[nid] / m, ws.dA[r], rtol=1e-12, atol=1e-12)
    weights, biases = c.gradients()
    for key, g in weights.items():
        assert walk.weight_grad[key] == pytest.approx(g, rel=1e-12, abs=1e-12)
    for key, g in biases.items():
        assert walk.bias_grad[key] == pytest.approx(g, rel=1e-12, abs=1e-12)
    # the update equals the engine's optimiser applied to these gradients (equal to the
    # engine's to 1e-12 above; RMSProp and Adam scale a 10⁻¹⁷ rounding difference up to η)
    theta = c.theta.copy()
    grad = np.zeros(c.size)
    for key, i in c.weight_index.items():
        grad[i] = walk.weight_grad[key]
    for key, i in c.bias_index.items():
        grad[i] = walk.bias_grad[key]
    make_optimizer(c.size, net.training).step(theta, grad)
    for key, i in c.weight_index.items():
        assert walk.new_weights[key] == pytest.approx(theta[i], rel=1e-12, abs=1e-12)
    for key, i in c.bias_index.items():
        assert walk.new_biases[key] == pytest.approx(theta[i], rel=1e-12, abs=1e-12)
    # each step's recorded value is the shown sample's (or the batch mean)
    for step in walk.steps:
        if step.per_sample is not None and step.kind in ("z", "a", "δ", "∂x", "dL/dŷ"):
            assert step.value == step.per_sample[m - 1]
        elif step.kind == "∂w":  # the batch mean of δ·a, plus the penalty's λ·w or λ·sign(w)
            expected = np.mean(step.per_sample) + penalty.slope(
                net.connection(*step.connection).weight
            )
            assert step.value == pytest.approx(expected, rel=1e-12, abs=1e-15)
        elif step.kind == "loss":  # the samples' mean plus the weights' penalty
            expected = np.mean(step.per_sample) + walk.penalty_value
            assert step.value == pytest.approx(expected, rel=1e-12, abs=1e-15)
        elif step.per_sample is not None:
            assert step.value == pytest.approx(np.mean(step.per_sample), rel=1e-12, abs=1e-15)


@given(networks())
def test_next_and_previous_are_exact_inverses_over_a_whole_iteration(case):
    net, X, Y = case
    walk = Walkthrough(net, X, Y)
    cursor = Cursor(walk)
    states = [cursor.state]
    while cursor.next():
        states.append(cursor.state)
    assert cursor.at_end and len(states) == len(walk.steps) + 1
    final = states[-1]
    assert final.weights == walk.new_weights and final.biases == walk.new_biases
    for expected in reversed(states[:-1]):
        assert cursor.previous()
        got = cursor.state
        assert got.weights == expected.weights and got.biases == expected.biases  # bit for bit
        assert got.weight_grads == expected.weight_grads and got.a == expected.a
    assert not cursor.previous() and cursor.position == -1
    assert cursor.state.weights == net.parameters()[0]


@pytest.mark.parametrize("granularity", list(GRANULARITIES))
def test_each_granularity_walks_forward_and_back_through_group_ends(examples, granularity):
    net = load_network(examples / "xor_lecture.json")
    walk = Walkthrough(net, np.array([[0.0], [1.0]]), np.array([[1.0]]))
    cursor = Cursor(walk)
    stops = [-1]
    while cursor.next(granularity):
        stops.append(cursor.position)
    assert stops[-1] == len(walk.steps) - 1
    expected_groups = len({GRANULARITIES[granularity](s) for s in walk.steps})
    if granularity in ("phase", "iteration", "step"):
        assert len(stops) - 1 == expected_groups
    for stop in reversed(stops[:-1]):
        cursor.previous(granularity)
        assert cursor.position == stop


def test_phase_jumps(examples):
    net = load_network(examples / "xor_lecture.json")
    cursor = Cursor(Walkthrough(net, np.array([[0.0], [1.0]]), np.array([[1.0]])))
    cursor.to_phase_start("backward")
    assert cursor.step.phase == "loss" and cursor.state.delta == {}
    cursor.to_phase_end("backward")
    assert cursor.step.phase == "backward" and len(cursor.state.delta) == 3
    assert cursor.state.updated == set()
    cursor.to_end()
    assert len(cursor.state.updated) == 9


def test_lecture_formulas_carry_the_lecture_numbers(examples):
    net = load_network(examples / "xor_lecture.json")
    walk = Walkthrough(net, np.array([[0.0], [1.0]]), np.array([[1.0]]))
    lines = [to_plain(s.line) for s in walk.steps]
    assert lines[0] == "z_h₁ = w_x₁→h₁·x₁ + w_x₂→h₁·x₂ + b_h₁ = 5·0 + 5·1 − 8 = −3"
    assert lines[1] == "h₁ = σ(z_h₁) = σ(−3) = 0.0474"
    assert lines[2].endswith("= −7·0 − 7·1 + 3 = −4")
    assert lines[4].endswith("= −11·0.0474 − 11·0.0180 + 6 = 5.28")
    html = to_html(walk.steps[0].line)
    assert "z<sub>h₁</sub>" in html and "5·0 + 5·1 − 8" in html


def test_wx_plus_b_steps_are_exactly_the_chain_rule(examples):
    net = load_network(examples / "wx_plus_b.json")
    walk = Walkthrough(net, np.array([[5.0]]), np.array([[0.0]]))
    lines = [to_plain(s.line) for s in walk.steps if s.phase != "update"]
    assert lines == [
        "z_f = w_x→f·x + b_f = −2·5 + 3 = −7",
        "f = z_f = −7",
        "L = f = −7",
        "∂L/∂f = 1",
        "δ_f = ∂L/∂f·1 = 1·1 = 1",
        "∂L/∂w_x→f = δ_f·x = 1·5 = 5",
        "∂L/∂b_f = δ_f = 1",
        "∂L/∂x = w_x→f·δ_f = −2·1 = −2",
    ]
    updates = [to_plain(s.line) for s in walk.steps if s.phase == "update"]
    assert updates == [
        "w_x→f ← w_x→f − η·∂L/∂w_x→f = −2 − 0.1·5 = −2.5",
        "b_f ← b_f − η·∂L/∂b_f = 3 − 0.1·1 = 2.9",
    ]


def test_batch_means_equal_the_average_of_single_samples(examples):
    net = load_network(examples / "xor_lecture.json")
    X = np.array([[0.0, 0, 1, 1], [0, 1, 0, 1]])
    Y = np.array([[0.0, 1, 1, 0]])
    batch = Walkthrough(net, X, Y)
    singles = [Walkthrough(net, X[:, [i]], Y[:, [i]]) for i in range(4)]
    for key, g in batch.weight_grad.items():
        assert g == pytest.approx(np.mean([s.weight_grad[key] for s in singles]), rel=1e-12)
    assert batch.loss == pytest.approx(np.mean([s.loss for s in singles]), rel=1e-12)
    grad_step = next(s for s in batch.steps if s.kind == "∂w")
    assert "(1/4)·Σᵢ" in to_plain(grad_step.line)
    # any single sample's share can be inspected at every step
    share = to_plain(batch.line_for_sample(grad_step, 3))
    assert share.endswith(format_number(grad_step.per_sample[3]))


def test_a_batch_walk_writes_per_sample_derivatives_as_dL_i(examples):
    """A trial: with a batch, L is the batch mean but ∂L/∂ŷ, δ and ∂L/∂x showed one
    sample's values. Those steps now say ∂Lᵢ (δᵢ = ∂Lᵢ/∂z), and the batch's own
    gradients stay ∂L/∂w = (1/m)·Σᵢ δᵢ·aᵢ; one sample alone is still ∂L."""
    net = load_network(examples / "xor_lecture.json")
    X = np.array([[0.0, 0, 1, 1], [0, 1, 0, 1]])
    Y = np.array([[0.0, 1, 1, 0]])
    for walk, dl in [
        (Walkthrough(net, X, Y), "∂Lᵢ"),
        (Walkthrough(net, X[:, [1]], Y[:, [1]]), "∂L"),
    ]:
        lines = {(s.kind, s.neuron): to_plain(s.line) for s in walk.steps if s.connection is None}
        titles = {(s.kind, s.neuron): s.title for s in walk.steps if s.connection is None}
        assert lines[("dL/dŷ", "y")].startswith(f"{dl}/∂ŷ = (ŷ − y)/(ŷ·(1 − ŷ))")
        assert lines[("δ", "y")].startswith(f"δ_ŷ = {dl}/∂ŷ·ŷ·(1 − ŷ) = ŷ − y")
        assert lines[("∂x", "x1")].startswith(f"{dl}/∂x₁ = ")
        assert titles[("dL/dŷ", "y")] == f"ŷ: {dl}/∂output"
        assert titles[("δ", "h1")] == f"h₁: δ = {dl}/∂z"
        assert lines[("∂b", "y")].startswith("∂L/∂b_ŷ = ")  # the batch's (mean) gradient
        loss = next(s for s in walk.steps if s.kind == "loss")
        if walk.m > 1:
            assert to_plain(loss.line).startswith("L = (1/4)·Σᵢ Lᵢ")
            assert to_plain(walk.line_for_sample(loss, 2)).startswith("Lᵢ = −[y·ln ŷ")
        else:
            assert to_plain(loss.line).startswith("L = −[y·ln ŷ")


def test_gradient_check_agrees_on_every_example(examples):
    for path in sorted(examples.glob("*.json")):
        net = load_network(path)
        from engine.datasets import dataset_from_spec

        data = dataset_from_spec(net.dataset, net.inputs, net.outputs)
        X, Y = data.inputs.T[:, :20].copy(), data.targets.T[:, :20].copy()
        for key in [("w", *c.key) for c in net.connections] + [("b", n) for n in net.outputs]:
            check = check_parameter(net, X, Y, key)
            assert check.relative_error < 1e-6, (path.name, key, check)
            assert "relative difference" in to_plain(check.line())


def test_number_formatting():
    assert format_number(-3.0) == "−3"
    assert format_number(0.0474258) == "0.0474"
    assert format_number(0.0179862) == "0.0180"
    assert format_number(0.5) == "0.5"
    assert format_number(-9.11e-5) == "−9.11×10⁻⁵"
    assert format_number(123456.7, 4) == "1.235×10⁵"
    assert format_number(float("nan")) == "NaN"
    assert to_plain("w_{1}·x_{12} + z_{h1}") == "w₁·x₁₂ + z_h1"
    assert to_html("a < b_{k}") == "a &lt; b<sub>k</sub>"
