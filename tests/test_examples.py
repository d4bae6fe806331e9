"""The shipped examples reproduce the lecture's numbers and the classic experiments."""

import numpy as np
import pytest

from engine.datasets import gate
from engine.files import load_network
from engine.gradients import compute_gradients
from engine.initializers import initial_parameters
from engine.trainer import Trainer
from tests.helpers import build, feature_major

XOR_INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]]


def test_lecture_xor_reproduces_the_lecture_tables(examples):
    net = load_network(examples / "xor_lecture.json")
    c = net.compile()
    values = c.neuron_values(c.forward(feature_major(XOR_INPUTS)))
    assert np.round(values["y"][1]).tolist() == [0, 1, 1, 0]
    hidden = np.round(np.vstack([values["h1"][1], values["h2"][1]]).T).tolist()
    assert hidden == [[0, 1], [0, 0], [0, 0], [1, 0]]
    assert values["h1"][0][1] == -3 and values["h2"][0][1] == -4


def test_wx_plus_b_gives_the_chain_rule_numbers(examples):
    net = load_network(examples / "wx_plus_b.json")
    g = compute_gradients(net, np.array([[5.0]]), np.array([[0.0]]))
    assert g.loss == -7
    assert g.weights[("x", "f")] == 5
    assert g.inputs["x"].tolist() == [-2]
    assert g.biases["f"] == 1


def test_online_sgd_on_noisy_xor_reaches_full_accuracy(examples):
    net = load_network(examples / "xor_noisy_online.json")
    assert net.training.batch_size == 1 and net.training.halve_on_plateau
    trainer = Trainer(net)
    result = trainer.train()
    assert result.accuracy == 1.0
    assert trainer.history.loss[-1] < trainer.history.loss[0] / 10


def test_a_single_sigmoid_neuron_never_exceeds_75_percent_on_xor():
    net = build(
        [("x1", "input"), ("x2", "input"), ("y", "output")], [("x1", "y", 0), ("x2", "y", 0)]
    )
    net.training.loss, net.training.learning_rate = "bce", 1.0
    for seed in range(5):
        net.set_parameters(*initial_parameters(net, "uniform", seed, scale=2.0))
        trainer = Trainer(net, gate("xor"))
        trainer.train(1500)
        assert max(trainer.history.accuracy) <= 0.75
        assert trainer.evaluate()[1] <= 0.75


@pytest.mark.parametrize("name", ["and", "or"])
def test_a_single_neuron_learns_and_and_or(examples, name):
    net = load_network(examples / f"{name}_neuron.json")
    result = Trainer(net).train(1000)
    assert result.accuracy == 1.0


def test_untrained_xor_learns_with_its_own_settings(examples):
    net = load_network(examples / "xor_untrained.json")
    result = Trainer(net).train()
    assert result.accuracy == 1.0
