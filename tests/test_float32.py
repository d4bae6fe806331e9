"""Training in float32: the documented tolerance against float64, and what stays float64.

The tolerance (README, "Training in float32"): over 400 epochs, every epoch's loss of a
float32 run is within a relative 10⁻³ of the float64 run's from the same start. Measured
here it is 10⁻⁶–10⁻⁵: the passes round to 2⁻²⁴ but θ, the optimiser and the loss stay
float64, so the rounding does not accumulate in the weights.
"""

import itertools

import numpy as np
import pytest

from engine.datasets import generate
from engine.errors import NetworkFileError
from engine.file_reader import network_from_dict
from engine.file_writer import network_to_dict
from engine.files import load_network
from engine.initializers import initial_parameters
from engine.network import Network
from engine.session import StepSession
from engine.trainer import Trainer

TOLERANCE = 1e-3  # relative, per epoch, over EPOCHS
EPOCHS = 400


def layered(widths, hidden="tanh", output="sigmoid", loss="bce", seed=0) -> Network:
    net = Network("-".join(map(str, widths)))
    layers = []
    for li, width in enumerate(widths):
        kind = "input" if li == 0 else "output" if li == len(widths) - 1 else "hidden"
        act = "linear" if kind == "input" else output if kind == "output" else hidden
        layers.append(
            [net.add_neuron(kind, f"l{li}n{j}", activation=act).id for j in range(width)]
        )
    for prev, nxt in itertools.pairwise(layers):
        for t in nxt:
            for s in prev:
                net.connect(s, t, 0.0)
    net.set_parameters(*initial_parameters(net, "xavier", seed))
    net.training.loss = loss
    return net


def networks():
    """(name, network, train data or None): sigmoid/bce, tanh layers, a softmax group
    with cross-entropy and L2, linear regression with Adam on mini-batches."""
    yield "xor lecture", "xor_lecture.json", None
    deep = layered([2, 8, 8, 1])
    deep.training.learning_rate = 0.5
    yield "2-8-8-1 tanh", deep, generate("xor_noisy", size=200, noise=0.1, seed=1)
    soft = layered([2, 8, 3], output="softmax", loss="cross_entropy")
    soft.training.regularization, soft.training.regularization_rate = "l2", 0.001
    soft.training.learning_rate = 0.5
    yield "softmax + l2", soft, generate("gaussians", size=150, classes=3, seed=1)
    reg = layered([2, 6, 1], hidden="relu", output="linear", loss="mse")
    reg.training.optimizer, reg.training.learning_rate = "adam", 0.01
    reg.training.batch_size = 16
    yield "regression, adam", reg, generate("plane", size=120, noise=0.1, seed=2)


CASES = list(networks())


@pytest.mark.parametrize(("name", "net", "data"), CASES, ids=[c[0] for c in CASES])
def test_float32_loss_curve_stays_within_the_tolerance_of_float64(examples, name, net, data):
    if isinstance(net, str):
        net = load_network(examples / net)
    runs = {}
    for dtype in ("float64", "float32"):
        net.training.dtype = dtype
        trainer = Trainer(net, data) if data is not None else Trainer(net)
        result = trainer.train(EPOCHS)
        assert result.epochs == EPOCHS, result.message
        runs[dtype] = np.array(trainer.history.loss)
    f64, f32 = runs["float64"], runs["float32"]
    assert f64[-1] < 0.9 * f64[0]  # it learned something, so the comparison means something
    assert not np.array_equal(f64, f32)  # float32 really ran
    np.testing.assert_allclose(f32, f64, rtol=TOLERANCE)


def test_float32_training_writes_back_float64_python_floats(examples):
    net = load_network(examples / "xor_lecture.json")
    net.training.dtype = "float32"
    trainer = Trainer(net)
    trainer.train(50)
    assert trainer.theta.dtype == np.float64
    assert trainer.snapshot().theta.dtype == np.float64
    trainer.write_back()
    weights, biases = net.parameters()
    assert all(type(v) is float for v in [*weights.values(), *biases.values()])
    # not merely float32 values widened: float64 updates land between float32 numbers
    assert any(float(np.float32(v)) != v for v in weights.values())


def test_float32_replays_exactly_and_restarts_exactly(examples):
    net = load_network(examples / "xor_lecture.json")
    net.training.dtype = "float32"
    trainer = Trainer(net)
    trainer.train(30)
    theta = trainer.theta
    assert trainer.rewind(12) == 12
    trainer.train(18)
    assert np.array_equal(trainer.theta, theta)


def test_stepping_commits_the_walkthroughs_float64_update(examples):
    net = load_network(examples / "xor_lecture.json")
    net.training.dtype = "float32"
    session = StepSession(Trainer(net))
    expected = dict(session.walk.new_weights)
    session.commit()
    weights, _ = session.trainer.parameters()
    assert weights == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_dtype_round_trips_and_a_wrong_one_is_named():
    net = layered([2, 2, 1])
    net.training.dtype = "float32"
    data = network_to_dict(net)
    assert data["training"]["dtype"] == "float32"
    assert network_from_dict(data).training.dtype == "float32"
    del data["training"]["dtype"]
    assert network_from_dict(data).training.dtype == "float64"  # files without it
    data["training"]["dtype"] = "float16"
    with pytest.raises(NetworkFileError) as err:
        network_from_dict(data)
    assert str(err.value) == "training.dtype: unknown dtype 'float16' (valid: float64, float32)"
