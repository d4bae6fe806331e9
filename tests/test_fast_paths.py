"""The engine's shortcuts agree with the plain definitions they replace."""

import numpy as np
import pytest

from engine.activations import TANH_CALLS_FROM, get_activation
from engine.datasets import Dataset
from engine.network import Network
from engine.trainer import UNDECIDED, Trainer, correct_count


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
