"""The command line, on the example files and on malformed input."""

import json
import subprocess
import sys

import pytest

from engine.cli import main
from engine.files import load_network
from engine.trainer import Trainer
from tests.conftest import ROOT


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_forward_prints_every_neuron(capsys, examples):
    code, out, _ = run(capsys, "forward", examples / "xor_lecture.json", "--sample", 1)
    assert code == 0
    assert "sample 1: x1=0, x2=1" in out and "z =-3" in out and "z =-4" in out


def test_forward_json_is_keyed_by_ids(capsys, examples):
    code, out, _ = run(capsys, "forward", examples / "xor_lecture.json", "--json")
    data = json.loads(out)
    assert code == 0 and len(data["samples"]) == 4
    assert data["samples"][1]["neurons"]["h1"]["z"] == -3
    assert round(data["samples"][3]["outputs"]["y"]) == 0


def test_backward_json_has_connections_with_grads(capsys, examples):
    code, out, _ = run(capsys, "backward", examples / "wx_plus_b.json", "--json")
    data = json.loads(out)
    assert code == 0 and data["loss"] == -7
    assert data["connections"] == [{"source": "x", "target": "f", "weight": -2.0, "grad": 5.0}]
    assert data["neurons"]["f"]["grad"] == 1.0 and data["inputs"]["x"] == -2.0


def test_backward_text_for_the_mean_loss(capsys, examples):
    code, out, _ = run(capsys, "backward", examples / "xor_lecture.json")
    assert code == 0 and "mean over 4 samples" in out and "∂L/∂w" in out


def test_train_writes_the_trained_network(capsys, examples, tmp_path):
    out_file = tmp_path / "trained.json"
    code, out, _ = run(
        capsys,
        "train",
        examples / "xor_untrained.json",
        "--epochs",
        3000,
        "--out",
        out_file,
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["epochs"] == 3000 and data["accuracy"] == 1.0
    assert len(data["history"]["loss"]) == 3000
    trained = load_network(out_file)
    original = load_network(examples / "xor_untrained.json")
    assert trained.parameters() != original.parameters()


def test_train_json_says_what_its_final_loss_and_its_history_measure(capsys, examples):
    """A trial: the final "loss" differed from history.loss[-1] with nothing saying why.
    Both keep their meanings; "measured" (and train --help) says which is which."""
    path = examples / "xor_untrained.json"  # full batch
    code, out, _ = run(capsys, "train", path, "--epochs", 40, "--json")
    data = json.loads(out)
    assert code == 0 and "after the last update" in data["measured"]["loss"]
    assert "history.loss[-1] is one epoch's updates behind" in data["measured"]["history"]
    trainer = Trainer(load_network(path))
    trainer.train(41)
    assert data["history"]["loss"] == trainer.history.loss[:40]  # each before its update
    assert data["loss"] == pytest.approx(trainer.history.loss[40], rel=1e-12)  # after 40
    assert data["loss"] != data["history"]["loss"][-1]
    with pytest.raises(SystemExit):
        run(capsys, "train", "--help")
    assert "history.loss[-1] is not the final loss" in " ".join(capsys.readouterr().out.split())


def test_check_passes_on_every_example(capsys, examples):
    for path in sorted(examples.glob("*.json")):
        code, out, _ = run(capsys, "check", path)
        assert code == 0, out
        assert "all agree" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["forward", "{bad}"], "connections[0]: target 'zz' is not a neuron"),
        (["check", "{missing}"], "cannot read the file"),
        (["forward", "{lecture}", "--sample", "9"], "--sample 9: the dataset has samples 0 to 3"),
        (["frobnicate", "{lecture}"], "invalid choice"),
        (["train", "{lecture}", "--epochs", "many"], "--epochs: 'many' is not a whole number"),
    ],
)
def test_errors_exit_2_with_one_line(capsys, examples, tmp_path, argv, words):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "backprop-studio-network",
                "version": 1,
                "neurons": [{"id": "a", "kind": "input"}],
                "connections": [{"source": "a", "target": "zz"}],
            }
        )
    )
    paths = {
        "bad": bad,
        "missing": tmp_path / "nope.json",
        "lecture": examples / "xor_lecture.json",
    }
    code, out, err = run(capsys, *[a.format(**paths) for a in argv])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and words in err


def test_python_dash_m_engine_runs_without_qt(examples):
    code = (
        "import sys, engine.cli as c; r = c.main(['check', sys.argv[1]]);"
        "assert not any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules); sys.exit(r)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(examples / "wx_plus_b.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "engine", "forward", str(examples / "wx_plus_b.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and "f=-7" in proc.stdout


def test_walk_prints_the_iteration_with_both_formulas(capsys, examples):
    code, out, _ = run(capsys, "walk", examples / "xor_lecture.json", "--sample", 1)
    assert code == 0
    assert "1. z_h₁ = w_x₁→h₁·x₁ + w_x₂→h₁·x₂ + b_h₁ = 5·0 + 5·1 − 8 = −3" in out
    assert "= −11·0.0474 − 11·0.0180 + 6 = 5.28" in out
    for phase in ("FORWARD", "LOSS", "BACKWARD", "UPDATE"):
        assert phase in out
    code, out, _ = run(
        capsys, "walk", examples / "xor_lecture.json", "--batch", "--phase", "backward"
    )
    assert code == 0 and "FORWARD" not in out and "(1/4)·Σᵢ" in out
