"""The training rules the classic texts use, against straightforward re-implementations:
halving η when the epoch loss rises (after epoch N, with a floor), stopping when the loss
improves by less than ε, RMSProp, and the initialisers with a chosen σ or range."""

import itertools

import numpy as np
import pytest

from engine.accuracy import correct_count
from engine.file_reader import network_from_dict
from engine.file_writer import network_to_dict
from engine.files import load_network
from engine.initializers import initial_parameters
from engine.trainer import StopReason, Trainer
from tests.helpers import build, feature_major


def lr_schedule(losses, lr, after, floor):
    """η after each epoch under "halve when the loss rises, after epoch `after`"."""
    out = []
    for epoch, loss in enumerate(losses, 1):
        if epoch > after and epoch > 1 and loss > losses[epoch - 2]:
            lr = max(lr / 2, floor)
        out.append(lr)
    return out


def test_halving_on_a_rise_follows_the_rule(examples):
    net = load_network(examples / "xor_untrained.json")
    t = net.training
    t.learning_rate, t.halve_on_rise, t.halve_after, t.min_learning_rate = 12.0, True, 4, 0.2
    trainer = Trainer(net)
    trainer.train(60)
    h = trainer.history
    # history.learning_rate[e] is the η epoch e + 1 trained with: the one set after epoch e
    assert h.learning_rate[1:] == lr_schedule(h.loss, 12.0, 4, 0.2)[:-1]
    assert min(h.learning_rate) < 12.0  # it did halve


def test_the_stop_rule_stops_when_the_improvement_is_small(examples):
    net = load_network(examples / "xor_untrained.json")
    net.training.min_improvement = 1e-4
    trainer = Trainer(net)
    result = trainer.train(5000)
    loss = trainer.history.loss
    assert result.reason is StopReason.CONVERGED and "stopped improving" in result.message
    assert 0 < loss[-2] - loss[-1] < 1e-4
    assert not any(0 < a - b < 1e-4 for a, b in itertools.pairwise(loss[:-1]))


def test_rmsprop_is_the_textbook_rule():
    net = build(
        [("x", "input"), ("y", "output", "linear", 0.5)],
        [("x", "y", -1.0)],
    )
    net.training.optimizer, net.training.learning_rate, net.training.loss = "rmsprop", 0.1, "mse"
    net.training.rho, net.training.epsilon = 0.8, 1e-8
    X, Y = feature_major([[1.0], [2.0]]), feature_major([[3.0], [-1.0]])
    from engine.datasets import Dataset

    trainer = Trainer(net, Dataset(X.T, Y.T))
    w, b, vw, vb = -1.0, 0.5, 0.0, 0.0
    for _ in range(25):
        trainer.run_epoch()
        yhat = w * X[0] + b
        gw, gb = np.mean((yhat - Y[0]) * X[0]), np.mean(yhat - Y[0])
        vw, vb = 0.8 * vw + 0.2 * gw**2, 0.8 * vb + 0.2 * gb**2
        w, b = w - 0.1 * gw / (np.sqrt(vw) + 1e-8), b - 0.1 * gb / (np.sqrt(vb) + 1e-8)
    weights, biases = trainer.parameters()
    assert weights[("x", "y")] == pytest.approx(w, rel=1e-12)
    assert biases["y"] == pytest.approx(b, rel=1e-12)


def test_initialisers_with_a_range_and_xavier_normal(examples):
    net = load_network(examples / "xor_untrained.json")
    w, b = initial_parameters(net, "uniform", 3, low_high=(0.0, 1.0))
    values = np.array([*w.values(), *b.values()])
    assert values.min() >= 0.0 and values.max() < 1.0
    w, _ = initial_parameters(net, "normal", 3, 2.0)
    assert any(abs(v) > 1 for v in w.values())
    big = build(
        [("x", "input")] + [(f"h{i}", "hidden") for i in range(400)] + [("y", "output")],
        [("x", f"h{i}", 0.0) for i in range(400)] + [(f"h{i}", "y", 0.0) for i in range(400)],
    )
    w, b = initial_parameters(big, "xavier_normal", 0)
    into_h = np.array([w[("x", f"h{i}")] for i in range(400)])
    assert into_h.std() == pytest.approx(np.sqrt(2 / (1 + 400)), rel=0.1)  # fans 1 and 400
    assert set(b.values()) == {0.0}


def test_the_new_settings_round_trip_and_bad_values_are_refused(examples):
    from engine.errors import NetworkFileError

    net = load_network(examples / "xor_untrained.json")
    t = net.training
    t.optimizer, t.rho, t.halve_on_rise, t.halve_after = "rmsprop", 0.95, True, 20
    t.min_improvement, t.init_range = 1e-6, [0.0, 1.0]
    again = network_from_dict(network_to_dict(net))
    assert again.training.__dict__ == t.__dict__
    for key, value, message in [
        ("rho", 1.0, "less than 1"),
        ("min_improvement", 0, "positive"),
        ("init_range", [1, 0], "low must be less than high"),
        ("halve_on_rise", "yes", "true or false"),
    ]:
        data = network_to_dict(net)
        data["training"][key] = value
        with pytest.raises(NetworkFileError, match=message):
            network_from_dict(data)


def test_an_output_at_the_threshold_is_no_decision():
    y = np.array([[0.0, 1.0, 0.0, 1.0]])
    assert correct_count(np.full((1, 4), 0.5 + 1e-16), y) == 0  # 0.1 counted 2, or 4
    assert correct_count(np.array([[0.2, 0.9, 0.4999, 0.51]]), y) == 4
