"""Analytic gradients against central finite differences on random DAGs."""

import warnings

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from engine.activations import ACTIVATIONS, ELEMENTWISE
from engine.features import FEATURES
from engine.gradient_check import finite_differences
from engine.gradients import compare, compute_gradients
from engine.losses import LOSSES
from engine.network import Network

SMOOTH = [a for a in ELEMENTWISE if a != "step"]
KINKED = {"relu", "leaky_relu"}


@st.composite
def networks(draw):
    """A random DAG: skip connections, several outputs, hidden neurons in any pattern."""
    n_in = draw(st.integers(1, 3))
    n_hidden = draw(st.integers(0, 5))
    n_out = draw(st.integers(1, 3))
    loss = draw(st.sampled_from(sorted(LOSSES)))
    net = Network()
    net.training.loss = loss
    net.training.regularization = draw(st.sampled_from(["none", "l1", "l2"]))
    net.training.regularization_rate = draw(st.sampled_from([0.0, 0.01, 0.3]))
    weight = st.floats(-2, 2, allow_nan=False)
    ids = [net.add_neuron("input").id for _ in range(n_in)]
    raw = list(ids)
    for _ in range(draw(st.integers(0, 2))):  # feature inputs: x², x·y, sin x, cos x
        fn = draw(st.sampled_from(sorted(FEATURES)))
        of = [draw(st.sampled_from(raw)) for _ in range(FEATURES[fn].arity)]
        ids.append(net.add_feature(fn, of).id)
    n_in = len(ids)
    for _ in range(n_hidden):
        act = draw(st.sampled_from(SMOOTH))
        ids.append(net.add_neuron("hidden", activation=act, bias=draw(weight)).id)
    outs = []
    # cross-entropy reads probabilities: its outputs are a softmax group; other losses
    # get one sometimes too (its Jacobian then carries their ∂L/∂ŷ)
    group = loss == "cross_entropy" or (loss != "bce" and draw(st.booleans()))
    for _ in range(n_out):
        # bce needs ŷ in (0, 1): its outputs are sigmoids, as in any classifier
        act = "sigmoid" if loss == "bce" else draw(st.sampled_from(SMOOTH))
        act = "softmax" if group else act
        outs.append(net.add_neuron("output", activation=act, bias=draw(weight)).id)
    order = ids[:n_in] + draw(st.permutations(ids[n_in:]))
    for j, target in enumerate(order[n_in:] + outs, start=n_in):
        sources = order[: min(j, len(order))]
        picked = draw(st.lists(st.sampled_from(sources), unique=True, max_size=len(sources)))
        for s in picked:
            net.connect(s, target, draw(weight))
    m = draw(st.integers(1, 5))
    n_raw = len(raw)  # the data holds the raw inputs; the network computes the features
    X = np.array(draw(st.lists(weight, min_size=n_raw * m, max_size=n_raw * m))).reshape(n_raw, m)
    if loss == "bce":
        Y = np.array(
            draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n_out * m, max_size=n_out * m))
        )
    elif loss == "cross_entropy":
        hot = draw(st.lists(st.integers(0, n_out - 1), min_size=m, max_size=m))
        return net, X, np.eye(n_out)[:, hot]
    else:
        Y = np.array(draw(st.lists(weight, min_size=n_out * m, max_size=n_out * m)))
    return net, X, Y.reshape(n_out, m)


@given(networks())
def test_gradients_equal_central_differences(case):
    net, X, Y = case
    c = net.compile()
    ws = c.forward(X)
    kinked = [c.row[n.id] for n in net.neurons if n.activation in KINKED]
    # a finite difference across a ReLU's kink measures neither side's slope
    assume(not kinked or np.abs(ws.Z[kinked]).min() > 1e-3)
    if net.training.regularization == "l1":  # |w| has its kink at 0, the same way
        assume(all(c.weight == 0 or abs(c.weight) > 1e-3 for c in net.connections))
    rows = compare(compute_gradients(net, X, Y), finite_differences(net, X, Y))
    bad = [r for r in rows if abs(r[1] - r[2]) > 1e-6 + 1e-5 * max(abs(r[1]), abs(r[2]))]
    assert not bad, bad


@given(networks())
def test_batch_gradient_is_the_mean_of_per_sample_gradients(case):
    net, X, Y = case
    whole = compute_gradients(net, X, Y)
    singles = [compute_gradients(net, X[:, [j]], Y[:, [j]]) for j in range(X.shape[1])]
    for key, g in whole.weights.items():
        assert np.isclose(g, np.mean([s.weights[key] for s in singles]), rtol=1e-10, atol=1e-13)
    for key, g in whole.biases.items():
        assert np.isclose(g, np.mean([s.biases[key] for s in singles]), rtol=1e-10, atol=1e-13)


def test_bce_with_saturated_sigmoid_output_stays_finite_and_pushes_back():
    net = Network()
    net.add_neuron("input", "x")
    net.add_neuron("output", "y", bias=0.0)
    net.connect("x", "y", 100.0)
    net.training.loss = "bce"
    X, Y = np.array([[1.0]]), np.array([[0.0]])  # ŷ = σ(100) rounds to exactly 1
    g = compute_gradients(net, X, Y)
    assert np.isfinite(g.loss) and g.loss > 20
    assert g.weights[("x", "y")] == 1.0  # δ = ŷ − y = 1, ∂L/∂w = δ·x


def test_activation_slopes_match_finite_differences():
    z = np.linspace(-4, 4, 81)
    z = z[np.abs(z) > 1e-3]
    for name in ELEMENTWISE:
        act = ACTIVATIONS[name]
        numeric = (act.value(z + 1e-6) - act.value(z - 1e-6)) / 2e-6
        expected = np.zeros_like(z) if name == "step" else numeric
        assert np.allclose(act.slope(z), expected, atol=1e-6), name


def test_sigmoid_and_tanh_do_not_overflow_for_huge_inputs():
    z = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = ACTIVATIONS["sigmoid"].value(z)
        t = ACTIVATIONS["tanh"].value(z)
    assert s.tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    assert t.tolist() == [-1.0, -1.0, 0.0, 1.0, 1.0]
    z = np.linspace(-5, 5, 101)
    assert np.allclose(ACTIVATIONS["tanh"].value(z), np.tanh(z), rtol=0, atol=1e-15)
