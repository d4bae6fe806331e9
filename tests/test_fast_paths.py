"""The engine's shortcuts agree with the plain definitions they replace."""

import numpy as np
import pytest

from engine.accuracy import UNDECIDED, correct_count
from engine.activations import ELEMENTWISE, TANH_CALLS_FROM, get_activation
from engine.compiled import CompiledNetwork
from engine.datasets import Dataset
from engine.losses import get_loss
from engine.network import Network
from engine.trainer import Trainer


@pytest.mark.parametrize(("outputs", "negative"), [(1, False), (3, False), (1, True)])
def test_the_trainers_correct_count_is_correct_count(outputs, negative):
    rng = np.random.default_rng(outputs)
    low = -1.0 if negative else 0.0
    Y = rng.choice([low, 1.0], size=(outputs, 300))
    Y[:, 0] = 1.0  # not one-hot: each output on its own side of the threshold
    net = Network()
    ids = [net.add_neuron("input").id] + [net.add_neuron("output").id for _ in range(outputs)]
    for o in ids[1:]:
        net.connect(ids[0], o, 1.0)
    trainer = Trainer(net, Dataset(np.zeros((300, 1)), Y.T.copy()))
    threshold = trainer._rule[1]
    edges = [threshold, threshold + UNDECIDED, threshold - UNDECIDED, np.nan]
    for _ in range(5):
        yhat = rng.uniform(low, 1.0, size=Y.shape)
        yhat.flat[rng.integers(0, yhat.size, 60)] = rng.choice(edges, 60)
        assert trainer._count_correct(yhat, trainer.Y) == correct_count(yhat, trainer.Y)


def test_tanh_is_the_same_function_on_small_and_large_blocks():
    tanh = get_activation("tanh")
    z = np.random.default_rng(0).normal(scale=4, size=TANH_CALLS_FROM + 10)
    z[:3] = [-400.0, 0.0, 400.0]
    large, small = np.empty_like(z), np.empty_like(z)
    with np.errstate(over="ignore"):  # as every caller runs it: e^800 is inf, tanh −1
        tanh.forward(z, large)
    for i in range(0, z.size, 1000):  # blocks under the switch take np.tanh
        tanh.forward(z[i : i + 1000], small[i : i + 1000])
    np.testing.assert_allclose(large, np.tanh(z), rtol=0, atol=4e-16)
    np.testing.assert_allclose(small, np.tanh(z), rtol=0, atol=0)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("size", [50, TANH_CALLS_FROM + 10])
def test_every_activation_runs_in_place_and_takes_its_slope_from_a_alone(name, size):
    """A training pass writes a over z and passes no z to backward (Workspace)."""
    act = get_activation(name)
    z = np.random.default_rng(1).normal(scale=3, size=size)
    z[:6] = [0.0, -0.0, 1e-300, -1e-300, -800.0, 800.0]
    a, g = np.empty_like(z), np.random.default_rng(2).normal(size=size)
    with np.errstate(over="ignore"):
        act.forward(z, a)
        in_place = z.copy()
        act.forward(in_place, in_place)
    np.testing.assert_array_equal(in_place, a)
    with_z, without = np.empty_like(z), np.empty_like(z)
    act.backward(z, a, g, with_z)
    act.backward(None, a, g, without)
    np.testing.assert_array_equal(without, with_z)


def test_z_of_a_training_pass_is_not_shown_as_current():
    net = skip_net()
    c = CompiledNetwork(net)
    X = np.array([[0.0, 1.0], [1.0, 1.0]])
    z = c.forward(X).Z.copy()
    ws = c.workspace(2)
    c.loss_and_gradient(X, np.array([[1.0, 0.0]]), get_loss("mse"))
    with pytest.raises(RuntimeError, match="keeps no z"):
        ws.Z  # noqa: B018
    np.testing.assert_array_equal(c.forward(X).Z, z)


def skip_net() -> Network:
    """x1, x2 → h → y with a skip x1 → y: y's block spans h's row, x2's, and a row of
    ones that is not its own (the hidden level's)."""
    from tests.helpers import build

    return build(
        [("x1", "input"), ("x2", "input"), ("h", "hidden"), ("y", "output")],
        [("x1", "h", 0.5), ("x2", "h", -0.5), ("h", "y", 1.0), ("x1", "y", 0.3)],
    )


def test_slots_that_are_not_connections_are_never_read_and_never_train():
    from engine.losses import get_loss
    from engine.regularization import Penalty

    net = skip_net()
    c = net.compile()
    X = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, -2.0]])
    Y = np.array([[1.0, 0.0, 1.0]])
    loss, penalty = get_loss("mse"), Penalty("l1", 0.1)
    clean = c.loss_and_gradient(X, Y, loss, True, penalty), c.grad.copy(), c.outputs(X)
    gaps = np.ones(c.size, bool)
    gaps[[*c.weight_index.values(), *c.bias_index.values()]] = False
    assert gaps.any()
    junk = c.theta.copy()
    junk[gaps] = 7.0  # what no pass may read
    c.set_theta(junk)
    value = c.loss_and_gradient(X, Y, loss, True, Penalty("none"))
    assert value == pytest.approx(clean[0] - penalty.value(clean_weights(net)))
    np.testing.assert_array_equal(c.outputs(X), clean[2])
    assert not c.grad[gaps].any()


def clean_weights(net: Network) -> np.ndarray:
    return np.array(list(net.parameters()[0].values()))


def test_adam_with_l1_keeps_the_gaps_of_a_skip_connection_at_zero():
    net = skip_net()
    net.training.optimizer, net.training.learning_rate = "adam", 0.05
    net.training.regularization, net.training.regularization_rate = "l1", 0.01
    for dtype in ("float64", "float32"):
        net.training.dtype = dtype
        trainer = Trainer(net, Dataset(np.eye(2), np.array([[1.0], [0.0]])))
        trainer.train(40)
        c = trainer.snapshot()
        gaps = np.ones(c.n_weights, bool)
        gaps[list(c.weight_index.values())] = False
        assert not c.theta[: c.n_weights][gaps].any()
