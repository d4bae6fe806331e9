"""Stepping through training across iterations, forwards and backwards exactly."""

import numpy as np
import pytest

from engine.files import load_network
from engine.session import StepSession
from engine.trainer import Trainer


@pytest.mark.parametrize(
    ("optimizer", "batch_size"), [("sgd", None), ("momentum", 1), ("rmsprop", 1), ("adam", 2)]
)
def test_stepping_matches_training_and_steps_back_bit_for_bit(examples, optimizer, batch_size):
    net = load_network(examples / "xor_untrained.json")
    net.training.optimizer, net.training.batch_size = optimizer, batch_size
    reference = Trainer(net.copy())
    for _ in range(6):
        reference.step()

    session = StepSession(Trainer(net))
    start = session.trainer.theta
    thetas = [start]
    for _ in range(6):
        session.forward("iteration")  # to the end of this iteration's steps
        session.forward("step")  # into the next iteration: the update is applied
        thetas.append(session.trainer.theta)
    assert np.array_equal(session.trainer.theta, reference.theta)
    assert session.trainer.iteration == 6

    while session.back("step"):
        pass
    assert np.array_equal(session.trainer.theta, start)
    assert session.cursor.position == -1 and session.trainer.iteration == 0
    # and forwards again gives the very same weights
    for expected in thetas[1:]:
        session.forward("iteration")
        session.forward("step")
        assert np.array_equal(session.trainer.theta, expected)


def test_a_chosen_sample_is_walked_alone(examples):
    net = load_network(examples / "xor_lecture.json")
    session = StepSession(Trainer(net), sample=1)
    session.forward("step")
    assert "5·0 + 5·1 − 8" in session.cursor.step.numeric
    session.forward("iteration")
    after = session.state.weights[("x2", "h1")]
    session.forward("step")  # commit: one online update on sample 1
    assert session.trainer.parameters()[0][("x2", "h1")] == pytest.approx(after, rel=1e-12)


def test_epoch_granularity_finishes_the_epoch(examples):
    net = load_network(examples / "xor_untrained.json")
    net.training.batch_size = 1
    session = StepSession(Trainer(net))
    session.forward("iteration")
    session.forward("epoch")
    assert session.trainer.epoch == 1 and session.trainer.iteration == 4
    assert session.cursor.position == -1
