"""Hostile input, case by case (issue 10): the command line's output and arguments, saves
that fail or are killed, runaway training, generators, CSV import and message quoting."""

from __future__ import annotations

import json
import math
import os
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import pytest

from engine.cli import main
from engine.datasets import Dataset, generate, load_csv
from engine.errors import CycleError, NetworkError, NetworkFileError, plain, quote
from engine.file_reader import network_from_json
from engine.files import load_network, save_network
from engine.network import Network
from engine.trainer import StopReason, Trainer
from engine.untrusted_input import read_limited
from tests.conftest import ROOT
from tests.hostile_corpus import _chain, _eta_linear, _lecture


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, data, name="net.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), "utf-8")
    return path


def strict_json(text: str):
    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def engine_process(*args, **kwargs):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "engine", *map(str, args)], cwd=ROOT, env=env, **kwargs
    )


# ------------------------------------------------------------------ output
def test_a_closed_pipe_ends_quietly_with_a_nonzero_status(tmp_path):
    data = _lecture()
    data["dataset"] = {"generator": "xor_noisy", "size": 50_000}
    path = write(tmp_path, data)
    proc = engine_process("forward", path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()  # `… | head -1`
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert first.startswith(b"sample 0:")
    assert proc.returncode == 141 and err == b""


def test_a_full_disk_ends_with_one_line_and_a_nonzero_status(tmp_path, examples):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        proc = engine_process(
            "forward", examples / "xor_lecture.json", "--json", stdout=full, stderr=subprocess.PIPE
        )
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.decode() == "error: cannot write the output: No space left on device\n"


def test_train_json_after_divergence_is_strict_with_null_and_diverged(capsys, tmp_path):
    # the runaway: η = 10 on a linear network, 4·10¹⁸⁹ without ever being NaN
    code, out, err = run(capsys, "train", write(tmp_path, _eta_linear(10.0)), "--json")
    data = strict_json(out)
    assert code == 3 and err == ""
    assert data["diverged"] is True and data["stopped"] == "diverged"
    assert "more than 1e+06 times its first value" in data["message"]
    assert all(math.isfinite(v) for v in data["history"]["loss"])


def test_an_infinite_loss_is_null_in_json(capsys, tmp_path):
    data = _lecture()
    data["neurons"][4].update(activation="linear", bias=1e300)
    data["training"]["loss"] = "mse"
    path = write(tmp_path, data)
    code, out, _ = run(capsys, "train", path, "--json", "--epochs", "5")
    result = strict_json(out)
    assert code == 3 and result["loss"] is None and result["diverged"] is True
    code, out, _ = run(capsys, "backward", path, "--json")
    result = strict_json(out)
    assert code == 0 and result["loss"] is None and result["finite"] is False


def test_forward_json_writes_null_for_overflow(capsys, tmp_path):
    data = _lecture()
    for n in data["neurons"][2:]:
        n["activation"] = "linear"
    for c in data["connections"]:
        c["weight"] = 1e300
    code, out, _ = run(capsys, "forward", write(tmp_path, data), "--json")
    result = strict_json(out)
    assert code == 0 and result["finite"] is False
    values = [v for s in result["samples"] for n in s["neurons"].values() for v in n.values()]
    assert None in values


def test_forward_is_linear_in_neurons(capsys, tmp_path):
    path = write(tmp_path, _chain(10_000))  # 100,000 neurons hung before; 10,000 is the limit
    start = time.perf_counter()
    code, out, _ = run(capsys, "forward", path)
    assert code == 0 and out.count("\n") == 10_000
    assert time.perf_counter() - start < 10


def test_forward_refuses_to_print_millions_of_values_without_a_sample(capsys, tmp_path):
    data = _lecture()
    data["dataset"] = {"generator": "xor_noisy", "size": 1_000_000}
    code, _, err = run(capsys, "forward", write(tmp_path, data))
    assert code == 2 and "choose one sample with --sample K" in err
    code, out, _ = run(capsys, "forward", write(tmp_path, data), "--sample", 999_999)
    assert code == 0 and out.startswith("sample 999999:")


# -------------------------------------------------------------- arguments
@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["train", "{f}", "--epochs", "-5"],
            "argument --epochs: -5 is not allowed (1 to 10,000,000)",
        ),
        (["train", "{f}", "--epochs", "0"], "argument --epochs: 0 is not allowed"),
        (["train", "{f}", "--epochs", "100000000"], "argument --epochs: 100000000 is not allowed"),
        (["train", "{f}", "--epochs", "9" * 5000], "argument --epochs: '999"),
        (["train", "{f}", "--seed", "-1"], "argument --seed: -1 is not allowed"),
        (["train", "{f}", "--out", ""], "--out: must name a file"),
        (["train", "{f}", "--out", "   "], "--out: must name a file"),
        (["train", "{f}", "--out", "{tmp}"], "is a folder, not a file"),
        (["train", "{f}", "--out", "{tmp}/no/such/x.json"], "there is no folder"),
        (["train", "{f}", "--out", "{f}/x.json"], "there is no folder"),
        (["train", "{f}", "--out", "a\0b.json"], "not a valid file name"),
        (["walk", "{f}", "--digits", "1000000"], "argument --digits: 1000000 is not allowed"),
        (["forward", "{f}", "--sample", "-1"], "argument --sample: -1 is not allowed"),
        (["forward", "{f}", "--sample", "\x1b[31m"], "'\\x1b[31m' is not a whole number"),
        (["check", "{tmp}/odd\nname.json"], "odd\\nname.json: cannot read the file"),
    ],
)
def test_bad_arguments_are_refused_with_their_own_names(capsys, tmp_path, argv, words):
    path = write(tmp_path, _lecture())
    code, out, err = run(capsys, *[a.format(f=path, tmp=tmp_path) for a in argv])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and words in err and err.isprintable() is False  # "\n" only
    assert err[:-1].isprintable()


def test_out_errors_name_out_not_the_input_file(capsys, tmp_path, monkeypatch):
    path = write(tmp_path, _lecture(), "input.json")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    out = tmp_path / "trained.json"
    code, _, err = run(capsys, "train", path, "--epochs", "2", "--out", out)
    assert code == 2
    assert err.startswith(f"error: --out {out}: cannot save 'trained.json': No space left")
    assert "input.json" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["input.json"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"format": "backprop-studio-network", "version": 1, "neurons": []}, "no dataset"),
        (
            {
                "format": "backprop-studio-network",
                "version": 1,
                "neurons": [{"id": "a", "kind": "input"}],
                "dataset": {"inputs": [[1]], "targets": [[]]},
            },
            "the network has no output neuron",
        ),
    ],
)
def test_a_network_with_nothing_to_compute_is_refused_not_trained(capsys, tmp_path, data, words):
    for command in ("train", "forward", "backward", "check", "walk"):
        code, out, err = run(capsys, command, write(tmp_path, data))
        assert code == 2 and out == "" and words in err, (command, err)


def test_a_network_without_inputs_still_runs(capsys, tmp_path):
    data = {
        "format": "backprop-studio-network",
        "version": 1,
        "neurons": [{"id": "y", "kind": "output", "activation": "sigmoid", "bias": 0.5}],
        "training": {"loss": "bce"},
        "dataset": {"inputs": [[], []], "targets": [[0], [1]]},
    }
    path = write(tmp_path, data)
    for command in ("forward", "backward", "check", "walk"):
        code, _, err = run(capsys, command, path)
        assert code == 0 and err == "", command
    code, out, _ = run(capsys, "train", path, "--json", "--epochs", "10")
    assert code == 0 and strict_json(out)["epochs"] == 10


def test_train_refuses_more_work_than_one_command_does(capsys, tmp_path):
    data = _lecture()
    data["dataset"] = {"generator": "xor_noisy", "size": 1_000_000}
    path = write(tmp_path, data)
    code, _, err = run(capsys, "train", path)  # 1,000 epochs of a million samples
    assert code == 2 and "training.max_epochs 1,000:" in err and "--epochs N" in err
    code, _, err = run(capsys, "train", path, "--epochs", "2")
    assert code == 0


# ------------------------------------------------------------------ saves
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temporary_files_of_dead_writers_are_removed_by_the_next_save(tmp_path, examples):
    net = load_network(examples / "xor_lecture.json")
    dead = tmp_path / f".other.json.{_dead_pid()}.abcdefgh.tmp"
    dead.write_text("half a file")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        alive = tmp_path / f".other.json.{sleeper.pid}.abcdefgh.tmp"
        alive.write_text("being written")
        unrelated = tmp_path / ".notes.tmp"
        unrelated.write_text("not ours")
        save_network(net, tmp_path / "net.json")
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == sorted(["net.json", alive.name, unrelated.name])
    finally:
        sleeper.kill()
        sleeper.wait()


def test_killed_saves_leave_nothing_behind_after_the_next_save(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    code = (  # a slow disk: each save spends half a second in fsync, its temporary open
        "import os, sys, time\nfrom engine.files import load_network, save_network\n"
        "sync = os.fsync\nos.fsync = lambda fd: (time.sleep(0.5), sync(fd))\n"
        "net = load_network(sys.argv[1])\nprint('ready', flush=True)\n"
        "while True:\n    save_network(net, sys.argv[2])\n"
    )
    left = set()
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", code, str(examples_file()), str(folder / "net.json")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
        )
        proc.stdout.readline()
        time.sleep(0.25)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        left |= {p.name for p in folder.glob(".*.tmp")}
    assert len(left) == 3  # each kill left its temporary file
    save_network(load_network(examples_file()), folder / "net.json")
    assert [p.name for p in folder.iterdir()] == ["net.json"]


def examples_file():
    return ROOT / "resources" / "examples" / "xor_lecture.json"


def test_a_failed_save_removes_its_temporary_file(tmp_path, monkeypatch):
    net = load_network(examples_file())

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_network(net, tmp_path / "net.json")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_permissions_the_umask_gives(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        save_network(load_network(examples_file()), tmp_path / "net.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "net.json").stat().st_mode) == mode


def test_a_long_name_still_saves_and_a_nul_is_refused(tmp_path):
    net = load_network(examples_file())
    save_network(net, tmp_path / ("n" * 250 + ".json"))
    assert load_network(tmp_path / ("n" * 250 + ".json")).parameters() == net.parameters()
    with pytest.raises(NetworkFileError, match="the name is not valid"):
        save_network(net, tmp_path / "a\0b.json")
    assert len(list(tmp_path.iterdir())) == 1


def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "net.json"
    target.write_text("{}")
    target.chmod(0o640)
    save_network(load_network(examples_file()), target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


# --------------------------------------------------------------- training
def test_a_loss_that_grows_a_millionfold_is_divergence(examples):
    net = network_from_json(json.dumps(_eta_linear(10.0)))
    trainer = Trainer(net)
    result = trainer.train(200)
    assert result.reason is StopReason.DIVERGED
    assert "more than 1e+06 times its first value" in result.message
    assert max(trainer.history.loss) <= 1e6 * max(trainer.history.loss[0], 1.0)
    assert np.isfinite(trainer.theta).all()


def test_a_parameter_that_overflows_is_divergence_even_if_the_loss_was_finite():
    net = Network()
    net.add_neuron("input", "x")
    net.add_neuron("output", "y", activation="linear")
    net.connect("x", "y", 1.0)
    net.training.loss = "output"  # L = ŷ = w·x: ∂L/∂w = x = 10, finite
    net.training.learning_rate = 1e308  # w − 1e308·10 = −∞ while the loss was 10
    data = Dataset(np.array([[10.0]]), np.array([[0.0]]))
    trainer = Trainer(net, data)
    result = trainer.train(3)
    assert result.reason is StopReason.DIVERGED and result.epochs == 0
    assert "diverged in epoch 1: a weight or bias became infinite" in result.message
    trainer.write_back()
    assert all(math.isfinite(c.weight) for c in net.connections)


# ------------------------------------------------------ datasets and CSV
@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"size": 0}, "dataset.size"),
        ({"size": 10**9}, "dataset.size"),
        ({"size": 2.5}, "dataset.size"),
        ({"noise": -0.1}, "dataset.noise"),
        ({"noise": float("nan")}, "dataset.noise"),
        ({"noise": 10**400}, "dataset.noise"),
        ({"seed": -1}, "dataset.seed"),
    ],
)
def test_generators_refuse_bad_parameters_before_numpy_sees_them(params, words):
    with pytest.raises(ValueError, match=words):
        generate("xor_noisy", **params)


def test_csv_import_reads_only_regular_files_of_bounded_size(tmp_path):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    with pytest.raises(NetworkFileError, match=r"data\.csv: not a regular file \(a FIFO\)"):
        load_csv(fifo)
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(25_000_000)
    with pytest.raises(NetworkFileError, match="too large"):
        load_csv(big)
    odd = tmp_path / "odd.csv"
    odd.write_text('a,b\n1,"\x1b[31m"\n', "utf-8")
    with pytest.raises(ValueError) as info:
        load_csv(odd)
    assert "\\x1b[31m" in str(info.value) and str(info.value).isprintable()
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"a,b\n1,\x002\n")
    with pytest.raises(ValueError) as info:
        load_csv(nul)
    assert str(info.value).isprintable()


# --------------------------------------------------------------- messages
def test_ids_are_quoted_safely_in_every_message():
    assert quote("a\nb") == "'a\\nb'" and plain("\x1b[2J\u202e") == "\\x1b[2J\\u202e"
    assert quote("x" * 500).endswith("…'") and len(quote("x" * 500)) < 70
    net = Network()
    net.add_neuron("input", "in")
    net.add_neuron("hidden", "a\nb")
    net.add_neuron("hidden", "c\x1b[31m")
    net.connect("in", "a\nb")
    net.connect("a\nb", "c\x1b[31m")
    with pytest.raises(CycleError) as info:
        net.connect("c\x1b[31m", "a\nb")
    assert str(info.value).isprintable() and "a\\nb" in str(info.value)
    with pytest.raises(NetworkError) as info:
        net.connect("in", "a\nb")
    assert str(info.value).isprintable()


def test_a_missing_weight_is_refused():
    data = _lecture()
    del data["connections"][0]["weight"]
    with pytest.raises(NetworkFileError, match=r"^connections\[0\]\.weight: missing$"):
        network_from_json(json.dumps(data))


def test_the_size_limit_counts_bytes_read_not_what_stat_says():
    smaps = "/proc/self/smaps"  # a regular file whose stat size is 0
    if not os.path.exists(smaps) or os.stat(smaps).st_size != 0:
        pytest.skip("no /proc here")
    with pytest.raises(NetworkFileError, match=r"the file is too large \(more than"):
        read_limited(smaps, 1000)
    with pytest.raises(NetworkFileError, match=r"not a regular file \(a device\)"):
        load_network("/dev/zero")
