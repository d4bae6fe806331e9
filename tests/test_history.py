"""Time travel: rewinding training restores parameters exactly; memory stays bounded."""

import numpy as np
import pytest

from engine.files import load_network
from engine.history import Snapshot, Snapshots
from engine.trainer import Trainer


@pytest.mark.parametrize(
    ("optimizer", "batch_size"), [("sgd", 1), ("momentum", 2), ("adam", None)]
)
def test_rewind_then_train_again_repeats_history_exactly(examples, optimizer, batch_size):
    net = load_network(examples / "xor_untrained.json")
    net.training.optimizer, net.training.batch_size = optimizer, batch_size
    trainer = Trainer(net)
    trainer.train(20)
    at_20 = trainer.theta
    trainer.train(30)
    at_50 = trainer.theta
    losses = list(trainer.history.loss)
    assert trainer.rewind(20) == 20
    assert np.array_equal(trainer.theta, at_20)
    assert len(trainer.history.loss) == 20 and trainer.epoch == 20
    trainer.train(30)
    assert np.array_equal(trainer.theta, at_50)
    assert trainer.history.loss == losses


@pytest.mark.parametrize(
    ("optimizer", "batch_size", "plateau"),
    [("sgd", 1, True), ("momentum", 2, False), ("adam", None, True)],
)
def test_rewind_reaches_any_epoch_bit_for_bit_however_thinned(
    examples, optimizer, batch_size, plateau
):
    """The 0.1 bug: after 3000 epochs, going back to 1204 landed on epoch 0 (the thinning
    kept nothing between 0 and 1792). Now any epoch is reached exactly, by replay."""
    net = load_network(examples / "xor_untrained.json")
    net.training.optimizer, net.training.batch_size = optimizer, batch_size
    net.training.halve_on_plateau, net.training.plateau_patience = plateau, 3
    headless = Trainer(net.copy())
    headless.train(1204)
    at_1204, losses = headless.theta, list(headless.history.loss)
    trainer = Trainer(net)
    trainer.snapshots.capacity = 16  # thinned hard: the replay does the rest
    trainer.train(3000)
    at_3000 = trainer.theta
    preview = trainer.at_epoch(1204)
    assert np.array_equal(preview.theta, at_1204) and preview.history.loss == losses
    assert trainer.epoch == 3000 and np.array_equal(trainer.theta, at_3000)  # untouched
    assert trainer.rewind(1204) == 1204
    assert np.array_equal(trainer.theta, at_1204)
    assert trainer.history.loss == losses
    assert trainer.optimizer.learning_rate == headless.optimizer.learning_rate


def snap(epoch: int, theta=None, pinned: bool = False) -> Snapshot:
    return Snapshot(epoch, epoch, np.zeros(1) if theta is None else theta, {}, {}, pinned=pinned)


def test_snapshots_stay_bounded_and_evenly_spaced():
    snaps = Snapshots(capacity=64)
    for epoch in range(10_000):
        snaps.record(snap(epoch))
        assert len(snaps) <= 64
    epochs = snaps.epochs
    assert epochs[0] == 0
    assert len(set(np.diff(epochs))) == 1  # one stride: an evenly thinned series
    assert 10_000 - epochs[-1] <= snaps.stride
    assert snaps.at_or_before(5_000).epoch <= 5_000


def test_pinned_snapshots_survive_thinning():
    snaps = Snapshots(capacity=8)
    for epoch in range(100):
        snaps.record(snap(epoch, pinned=epoch == 37))
    assert 37 in snaps.epochs and len(snaps) <= 9


def test_recording_an_earlier_epoch_discards_the_later_future():
    snaps = Snapshots(capacity=8)
    for epoch in range(6):
        snaps.record(snap(epoch))
    snaps.record(snap(3, np.ones(1)))
    assert snaps.epochs == [0, 1, 2, 3]
    assert snaps.at_or_before(10).theta[0] == 1
