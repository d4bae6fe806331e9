"""Training: optimisers, batch modes, plateau halving, divergence, history."""

import itertools

import numpy as np
import pytest

from engine.accuracy import correct_count
from engine.datasets import gate, xor_noisy
from engine.errors import NetworkError
from engine.files import load_network
from engine.trainer import StopReason, Trainer


@pytest.fixture
def xor(examples):
    return load_network(examples / "xor_untrained.json")


@pytest.mark.parametrize(
    ("optimizer", "batch_size", "learning_rate"),
    [
        ("sgd", None, 0.5),
        ("sgd", 1, 0.5),
        ("sgd", 2, 0.5),
        ("momentum", None, 0.2),
        ("adam", None, 0.05),
    ],
)
def test_every_optimiser_and_batch_mode_lowers_the_loss(xor, optimizer, batch_size, learning_rate):
    xor.training.optimizer = optimizer
    xor.training.batch_size = batch_size
    xor.training.learning_rate = learning_rate
    trainer = Trainer(xor)
    start = trainer.evaluate()[0]
    trainer.train(300)
    assert trainer.evaluate()[0] < 0.95 * start
    assert trainer.iteration == 300 * (4 // (batch_size or 4))


def test_full_batch_history_is_the_loss_at_the_start_of_each_epoch(xor):
    trainer = Trainer(xor)
    before = trainer.evaluate()[0]
    trainer.train(3)
    after_two = Trainer(xor.copy())
    after_two.train(2)
    assert trainer.history.loss[0] == pytest.approx(before, rel=1e-12)
    assert trainer.history.loss[2] == pytest.approx(after_two.evaluate()[0], rel=1e-12)


def test_fixed_order_online_sgd_is_reproducible(xor):
    xor.training.batch_size = 1
    runs = []
    for _ in range(2):
        trainer = Trainer(xor.copy())
        trainer.train(20)
        runs.append(trainer.theta)
    assert np.array_equal(runs[0], runs[1])


def test_divergence_stops_with_a_clear_reason_and_finite_weights(xor):
    xor.set_activation("y", "linear")
    xor.training.loss = "mse"
    xor.training.learning_rate = 50.0
    trainer = Trainer(xor)
    result = trainer.train(200)
    assert result.reason is StopReason.DIVERGED
    assert "diverged" in result.message and "smaller learning rate" in result.message
    assert np.isfinite(trainer.theta).all()
    trainer.write_back()
    assert all(np.isfinite(c.weight) for c in xor.connections)


def test_target_loss_stops_early(xor):
    result = Trainer(xor).train(5000, target_loss=0.1)
    assert result.reason is StopReason.TARGET
    assert result.epochs < 5000


def test_callback_can_stop_training(xor):
    result = Trainer(xor).train(100, on_epoch=lambda t: t.epoch < 7)
    assert result.reason is StopReason.STOPPED and result.epochs == 7


def test_halving_on_plateau_never_goes_below_the_floor(xor):
    xor.training.halve_on_plateau = True
    xor.training.plateau_patience = 1
    xor.training.min_learning_rate = 0.1
    xor.training.learning_rate = 50.0  # too large: the loss bounces and the rate halves
    trainer = Trainer(xor)
    trainer.train(300)
    rates = trainer.history.learning_rate
    assert rates[0] == 50.0 and rates[-1] < 50.0 and min(rates) >= 0.1
    assert all(b <= a for a, b in itertools.pairwise(rates))


def test_test_set_is_scored_every_epoch(xor):
    data = xor_noisy(100, 0.1, 0)
    from engine.datasets import train_test_split

    train, test = train_test_split(data, 0.25, 0)
    trainer = Trainer(xor, train, test)
    trainer.train(5)
    assert len(trainer.history.test_loss) == len(trainer.history.test_accuracy) == 5
    assert len(train) == 75 and len(test) == 25


def test_write_back_updates_the_model(xor):
    trainer = Trainer(xor)
    trainer.train(10)
    trainer.write_back()
    weights, _ = trainer.parameters()
    assert {c.key: c.weight for c in xor.connections} == weights


def test_compile_hands_out_independent_objects(xor):
    compiled = xor.compile()
    xor.set_weight("x1", "h1", 3.25)
    again = xor.compile()
    assert again is not compiled and again.levels is compiled.levels  # layout shared
    assert again.theta[again.weight_index[("x1", "h1")]] == 3.25
    assert compiled.theta[compiled.weight_index[("x1", "h1")]] != 3.25  # untouched
    xor.connect("x1", "y", 1.0)
    assert xor.compile().levels is not compiled.levels


def test_no_reader_can_change_what_a_trainer_trains(xor):
    """The 0.1 bug: panels called network.compile() while Play ran, got the trainer's own
    compiled network back, and reloaded into it the weights last written to the model."""
    from engine.gradient_check import finite_differences
    from engine.gradients import compute_gradients
    from engine.maps import data_extent, hidden_space, neuron_map

    reference = Trainer(xor.copy())
    reference.train(2000)
    trainer = Trainer(xor)
    trainer.train(1000)
    trainer.write_back()
    trainer.train(1000)
    X, Y = trainer.X, trainer.Y
    xor.compile().theta[:] = 0.0
    hidden_space(xor, X, "h1", "h2")
    compute_gradients(xor, X, Y)
    finite_differences(xor, X, Y)
    snap = trainer.snapshot()
    snap.theta[:] = 0.0
    neuron_map(snap, data_extent(X.T))
    trainer.theta[:] = 0.0
    trainer.at_epoch(500)
    assert np.array_equal(trainer.theta, reference.theta)
    assert trainer.history.loss == reference.history.loss
    assert trainer.evaluate()[0] == reference.evaluate()[0]


def test_masked_weights_never_train():
    from tests.helpers import build

    # a skip connection x1 → y widens y's block over h's row and x2's row: the gaps
    # (x2 → y is absent) must stay exactly zero
    net = build(
        [("x1", "input"), ("x2", "input"), ("h", "hidden"), ("y", "output")],
        [("x1", "h", 0.5), ("x2", "h", -0.5), ("h", "y", 1.0), ("x1", "y", 0.3)],
    )
    net.training.learning_rate = 1.0
    trainer = Trainer(net, gate("xor"))
    trainer.train(50)
    c = trainer.snapshot()
    live = np.zeros(c.n_weights, bool)
    live[list(c.weight_index.values())] = True
    assert not c.theta[: c.n_weights][~live].any()


def test_correct_count_rules():
    yhat = np.array([[0.2, 0.7, 0.6]])
    assert correct_count(yhat, np.array([[0.0, 1.0, 0.0]])) == 2
    assert correct_count(np.array([[-0.5, 0.5]]), np.array([[-1.0, 1.0]])) == 2
    one_hot = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert correct_count(np.array([[0.4, 0.3], [0.3, 0.2]]), one_hot) == 1


def test_network_without_dataset_cannot_train(xor):
    xor.dataset = None
    with pytest.raises(ValueError, match="no dataset"):
        Trainer(xor)
    with pytest.raises(NetworkError):
        xor.connect("y", "h1")


def test_a_train_results_loss_is_that_of_its_end_even_when_read_later(xor):
    """The final loss is measured lazily (the app's slices never read it), so it must be
    taken from the parameters the call ended with, not from where training went since."""
    trainer, twin = Trainer(xor), Trainer(xor.copy())
    first = trainer.train(7)
    second = trainer.train(50)
    twin.train(7)
    assert (first.loss, first.accuracy) == twin.evaluate()
    assert (second.loss, second.accuracy) == trainer.evaluate()
    assert first.loss > second.loss
