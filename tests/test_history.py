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
    at_20 = trainer.compiled.theta.copy()
    trainer.train(30)
    at_50 = trainer.compiled.theta.copy()
    losses = list(trainer.history.loss)
    assert trainer.rewind(20) == 20
    assert np.array_equal(trainer.compiled.theta, at_20)
    assert len(trainer.history.loss) == 20 and trainer.epoch == 20
    trainer.train(30)
    assert np.array_equal(trainer.compiled.theta, at_50)
    assert trainer.history.loss == losses


def test_snapshots_stay_bounded_and_keep_recent_epochs_dense():
    snaps = Snapshots(capacity=64)
    for epoch in range(10_000):
        snaps.record(Snapshot(epoch, epoch, np.zeros(3), {}, None))
        assert len(snaps) <= 64
    epochs = snaps.epochs
    assert epochs[0] == 0 and epochs[-1] == 9_999
    assert epochs[-20:] == list(range(9_980, 10_000))
    assert snaps.at_or_before(5_000).epoch <= 5_000


def test_recording_an_earlier_epoch_discards_the_later_future():
    snaps = Snapshots(capacity=8)
    for epoch in range(6):
        snaps.record(Snapshot(epoch, epoch, np.zeros(1), {}, None))
    snaps.record(Snapshot(3, 3, np.ones(1), {}, None))
    assert snaps.epochs == [0, 1, 2, 3]
    assert snaps.at_or_before(10).theta[0] == 1
