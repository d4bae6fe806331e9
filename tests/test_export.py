"""The exported NumPy script trains exactly as the app does."""

import subprocess
import sys

import numpy as np
import pytest

from engine.export import numpy_script
from engine.files import load_network
from engine.trainer import Trainer


def run_script(tmp_path, net, epochs):
    path = tmp_path / "net.py"
    path.write_text(numpy_script(net, path.name), "utf-8")
    proc = subprocess.run(
        [sys.executable, str(path), str(epochs)], capture_output=True, text=True, check=True
    )
    return [float(line.split()[-1]) for line in proc.stdout.splitlines()]


def run_torch_script(tmp_path, net, epochs):
    """The exported PyTorch script's loss per epoch (skips the test without torch)."""
    pytest.importorskip("torch")
    from engine.export import torch_script

    path = tmp_path / "net_torch.py"
    path.write_text(torch_script(net, path.name), "utf-8")
    out = subprocess.run(
        [sys.executable, str(path), str(epochs)], capture_output=True, text=True, check=True
    )
    return [float(line.split()[-1]) for line in out.stdout.splitlines()]


@pytest.mark.parametrize(
    ("example", "optimizer", "batch_size"),
    [
        ("xor_untrained", "sgd", None),
        ("xor_untrained", "momentum", 2),
        ("xor_untrained", "adam", 1),
        ("xor_noisy_online", "sgd", 1),
    ],
)
def test_the_script_prints_the_apps_loss_curve(examples, tmp_path, example, optimizer, batch_size):
    net = load_network(examples / f"{example}.json")
    net.training.optimizer, net.training.batch_size = optimizer, batch_size
    epochs = 20
    script_losses = run_script(tmp_path, net, epochs)
    trainer = Trainer(net.copy())
    trainer.train(epochs)
    assert len(script_losses) == epochs
    assert np.allclose(script_losses, trainer.history.loss, rtol=1e-9, atol=1e-12)


def test_the_script_keeps_skip_connections_and_the_current_weights(tmp_path):
    from engine.settings import DatasetSpec
    from tests.helpers import build

    net = build(
        [
            ("a", "input"),
            ("b", "input"),
            ("h", "hidden", "tanh", 0.1),
            ("y", "output", "linear", -0.2),
        ],
        [("a", "h", 0.7), ("b", "h", -0.4), ("h", "y", 1.3), ("a", "y", 0.25)],
    )
    net.dataset = DatasetSpec(inputs=[[0, 1], [1, 0], [0.5, 0.5]], targets=[[1], [-1], [0.3]])
    net.training.learning_rate = 0.05
    script_losses = run_script(tmp_path, net, 30)
    trainer = Trainer(net.copy())
    trainer.train(30)
    assert np.allclose(script_losses, trainer.history.loss, rtol=1e-9, atol=1e-12)


def test_the_pytorch_script_has_the_apps_gradients_and_loss_curve(examples, tmp_path):
    pytest.importorskip("torch")
    import json

    from engine.export import torch_script
    from engine.gradients import compute_gradients

    net = load_network(examples / "xor_untrained.json")
    net.training.optimizer, net.training.batch_size = "momentum", 2
    path = tmp_path / "net_torch.py"
    path.write_text(torch_script(net, path.name), "utf-8")
    out = subprocess.run(
        [sys.executable, str(path), "--gradients"], capture_output=True, text=True, check=True
    )
    grads = json.loads(out.stdout)
    trainer = Trainer(net.copy())
    g = compute_gradients(net, trainer.X, trainer.Y)
    for (s, t), value in g.weights.items():
        assert grads[f"w:{s}->{t}"] == pytest.approx(value, rel=1e-9, abs=1e-12)
    for n, value in g.biases.items():
        assert grads[f"b:{n}"] == pytest.approx(value, rel=1e-9, abs=1e-12)
    out = subprocess.run(
        [sys.executable, str(path), "15"], capture_output=True, text=True, check=True
    )
    losses = [float(line.split()[-1]) for line in out.stdout.splitlines()]
    trainer.train(15)
    assert np.allclose(losses, trainer.history.loss, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "rules",
    [
        {"optimizer": "rmsprop", "batch_size": 2},
        {"halve_on_rise": True, "halve_after": 3, "learning_rate": 8.0, "min_learning_rate": 0.1},
        {"halve_on_plateau": True, "plateau_patience": 2, "halve_after": 5},
        {"min_improvement": 1e-3, "learning_rate": 0.05},
    ],
)
@pytest.mark.parametrize("language", ["numpy", "torch"])
def test_the_scripts_follow_the_training_rules(examples, tmp_path, rules, language):
    net = load_network(examples / "xor_untrained.json")
    for key, value in rules.items():
        setattr(net.training, key, value)
    trainer = Trainer(net.copy())
    trainer.train(40)
    if language == "numpy":
        script_losses = run_script(tmp_path, net, 40)
    else:
        script_losses = run_torch_script(tmp_path, net, 40)
    assert len(script_losses) == trainer.epoch
    assert np.allclose(script_losses, trainer.history.loss, rtol=1e-9, atol=1e-12)


def _beyond(kind: str):
    """Issue 12's networks: softmax + cross-entropy on three classes, softmax + mse, L1
    and L2 penalties, and feature inputs (one of each function) with a skip connection."""
    from engine.examples import lessons_dir
    from engine.files import load_network as load

    if kind == "softmax":
        net = load(lessons_dir() / "17_three_classes_3.json")
        net.training.regularization, net.training.regularization_rate = "l2", 0.01
        return net
    if kind == "softmax_mse_l1":
        net = load(lessons_dir() / "17_three_classes_3.json")
        net.training.loss, net.training.optimizer = "mse", "sgd"
        net.training.regularization, net.training.regularization_rate = "l1", 0.02
        return net
    net = load(lessons_dir() / "19_features_circle.json")
    for fn, of in (("product", ["x1", "x2"]), ("sin", ["x1"]), ("cos", ["x2"])):
        f = net.add_feature(fn, of)
        net.connect(f.id, "y", 0.3)
    net.connect("x1", "y", -0.2)
    net.training.regularization, net.training.regularization_rate = "l2", 0.001
    return net


@pytest.mark.parametrize("kind", ["softmax", "softmax_mse_l1", "features"])
@pytest.mark.parametrize("language", ["numpy", "torch"])
def test_the_scripts_reproduce_softmax_penalties_and_features(tmp_path, kind, language):
    net = _beyond(kind)
    trainer = Trainer(net.copy())
    trainer.train(12)
    if language == "numpy":
        script_losses = run_script(tmp_path, net, 12)
    else:
        script_losses = run_torch_script(tmp_path, net, 12)
    assert len(script_losses) == 12
    assert np.allclose(script_losses, trainer.history.loss, rtol=1e-9, atol=1e-12)
