"""``check``: linear in the samples, agrees on every shipped file, catches a wrong
backward pass, and never calls NaN or ∞ an agreement."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from engine import activations
from engine.cli import main
from engine.cli_common import sample_data
from engine.compiled import CompiledNetwork
from engine.files import load_network
from engine.gradient_check import check_gradients
from tests.conftest import ROOT

SHIPPED = sorted((ROOT / "resources").glob("*/*.json"))


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _generated(tmp_path, size: int, name: str = "xor_noisy_online"):
    data = json.loads((ROOT / "resources" / "examples" / f"{name}.json").read_text("utf-8"))
    data["dataset"] = {"generator": "xor_noisy", "size": size, "noise": 0.1, "seed": 1}
    path = tmp_path / f"{name}_{size}.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_check_agrees_on_every_shipped_example_and_lesson(capsys, path):
    code, out, err = run(capsys, "check", path)
    assert code == 0 and err == "", out
    assert "all agree" in out and "disagree" not in out


@pytest.mark.parametrize("size", [2_000, 20_000])
def test_check_agrees_on_large_noisy_xor(capsys, tmp_path, size):
    code, out, _ = run(capsys, "check", _generated(tmp_path, size))
    assert code == 0 and "all agree" in out, out


def test_check_does_the_same_number_of_passes_whatever_the_number_of_samples(
    tmp_path, monkeypatch
):
    calls = []
    original = CompiledNetwork.forward

    def counting(self, X, dtype=np.float64):
        calls.append(X.shape[1])
        return original(self, X, dtype)

    monkeypatch.setattr(CompiledNetwork, "forward", counting)
    counts = []
    for size in (40, 4_000):
        net = load_network(_generated(tmp_path, size))
        X, Y = sample_data(net, None)
        calls.clear()
        result = check_gradients(net, X, Y)
        assert result.agrees and result.compared == 9 + 2 * size
        counts.append(len(calls))
    assert counts[0] == counts[1]  # passes per parameter and per input neuron, not per sample


def test_check_on_200000_samples_takes_seconds(capsys, tmp_path):
    path = _generated(tmp_path, 200_000)
    start = time.perf_counter()
    code, out, _ = run(capsys, "check", path)
    assert code == 0 and "all agree" in out
    assert time.perf_counter() - start < 15  # ~0.3 s here; quadratic would be hours


def test_a_wrong_backward_pass_is_caught(capsys, examples, monkeypatch):
    sigmoid = activations.ACTIVATIONS["sigmoid"]
    right = type(sigmoid).backward

    def off_by_ten_percent(self, z, a, g, out):
        right(self, z, a, g, out)
        out *= 1.1

    monkeypatch.setattr(type(sigmoid), "backward", off_by_ten_percent)
    code, out, _ = run(capsys, "check", examples / "xor_lecture.json")
    assert code == 1 and "gradients disagree" in out


def test_nan_gradients_are_never_an_agreement(capsys, examples, monkeypatch):
    original = CompiledNetwork.loss_and_gradient

    def poisoned(self, *args, **kwargs):
        value = original(self, *args, **kwargs)
        self.grad[0] = np.nan
        return value

    monkeypatch.setattr(CompiledNetwork, "loss_and_gradient", poisoned)
    code, out, _ = run(capsys, "check", examples / "xor_lecture.json")
    assert code == 1 and "disagree" in out and "all agree" not in out


def test_a_loss_that_is_not_finite_is_reported_not_compared(capsys, tmp_path, examples):
    data = json.loads((examples / "xor_lecture.json").read_text("utf-8"))
    data["neurons"][4].update(activation="linear", bias=1e300)
    data["training"]["loss"] = "mse"
    path = tmp_path / "inf.json"
    path.write_text(json.dumps(data), "utf-8")
    code, out, _ = run(capsys, "check", path)
    assert code == 1 and "the loss is not finite" in out and "agree" not in out


def test_samples_at_a_relu_kink_are_left_out_not_misjudged(capsys, tmp_path, examples):
    data = json.loads((examples / "xor_lecture.json").read_text("utf-8"))
    for n in data["neurons"][2:4]:
        n["activation"], n["bias"] = "relu", 0.0  # z = 0 exactly on sample (0, 0)
    path = tmp_path / "kinks.json"
    path.write_text(json.dumps(data), "utf-8")
    code, out, _ = run(capsys, "check", path)
    assert code == 0 and "all agree" in out and "kink" in out
