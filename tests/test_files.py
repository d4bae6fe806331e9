"""Network files: round trips, atomic saves, and every validation error from a real file."""

import json
import os

import pytest

from engine.errors import NetworkFileError
from engine.file_writer import network_to_dict
from engine.files import load_network, save_network


def _same(a, b):
    return network_to_dict(a) == network_to_dict(b)


@pytest.mark.parametrize(
    "name",
    ["xor_lecture", "wx_plus_b", "xor_untrained", "and_neuron", "or_neuron", "xor_noisy_online"],
)
def test_load_save_load_is_identical(examples, tmp_path, name):
    first = load_network(examples / f"{name}.json")
    save_network(first, tmp_path / "copy.json")
    second = load_network(tmp_path / "copy.json")
    assert _same(first, second)
    assert [n.__dict__ for n in first.neurons] == [n.__dict__ for n in second.neurons]
    assert [c.__dict__ for c in first.connections] == [c.__dict__ for c in second.connections]


def test_unknown_fields_survive_a_round_trip(examples, tmp_path):
    data = json.loads((examples / "xor_lecture.json").read_text("utf-8"))
    data["author"] = "a teacher"
    data["neurons"][2]["colour"] = "#ff0000"
    data["connections"][0]["note"] = "the famous 5"
    data["training"]["warmup"] = 3
    (tmp_path / "in.json").write_text(json.dumps(data), "utf-8")
    save_network(load_network(tmp_path / "in.json"), tmp_path / "out.json")
    out = json.loads((tmp_path / "out.json").read_text("utf-8"))
    assert out["author"] == "a teacher"
    assert out["neurons"][2]["colour"] == "#ff0000"
    assert out["connections"][0]["note"] == "the famous 5"
    assert out["training"]["warmup"] == 3


def _lecture(examples):
    return json.loads((examples / "xor_lecture.json").read_text("utf-8"))


def _mutations():
    def bad_target(d):
        d["connections"][3]["target"] = "h9"

    def nan_bias(d):
        d["neurons"][2]["bias"] = float("nan")

    def text_bias(d):
        d["neurons"][2]["bias"] = "minus eight"

    def cycle(d):
        d["connections"].append({"source": "h2", "target": "h1", "weight": 1})
        d["connections"].append({"source": "h1", "target": "h2", "weight": 1})

    def activation(d):
        d["neurons"][3]["activation"] = "swish"

    def loss(d):
        d["training"]["loss"] = "hinge"

    def row_width(d):
        d["dataset"]["inputs"][2] = [1, 0, 1]

    def newer(d):
        d["version"] = 7

    def not_ours(d):
        d["format"] = "something-else"

    def duplicate_id(d):
        d["neurons"][3]["id"] = "h1"

    def duplicate_connection(d):
        d["connections"].append(dict(d["connections"][0]))

    def into_input(d):
        d["connections"].append({"source": "h1", "target": "x1", "weight": 1})

    def position(d):
        d["neurons"][0]["position"] = [1]

    def batch_size(d):
        d["training"]["batch_size"] = 0

    return {
        "connections[3]: target 'h9' is not a neuron": bad_target,
        "neurons[2].bias: must be a finite number": nan_bias,
        "neurons[2].bias: must be a finite number ": text_bias,
        "connections close a cycle: h1 → h2 → h1": cycle,
        "neurons[3].activation: unknown activation 'swish' (valid: step, linear": activation,
        "training.loss: unknown loss 'hinge' (valid: mse, bce, cross_entropy, output)": loss,
        "dataset.inputs[2]: row has 3 values, expected 2 (one per input neuron)": row_width,
        "version 7 is newer than this program understands (1)": newer,
        "not a network file": not_ours,
        "neurons[3].id: duplicate id 'h1' (also neurons[2])": duplicate_id,
        "connections[6]: duplicate of connections[0] (x1 → h1)": duplicate_connection,
        "connections[6]: target 'x1' is an input neuron": into_input,
        "neurons[0].position: must be a list of two numbers": position,
        "training.batch_size: must be at least 1": batch_size,
    }


@pytest.mark.parametrize(("message", "mutate"), _mutations().items(), ids=list(_mutations()))
def test_each_malformed_file_gives_its_message(examples, tmp_path, message, mutate):
    data = _lecture(examples)
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), "utf-8")  # NaN is written as the literal NaN
    with pytest.raises(NetworkFileError) as info:
        load_network(path)
    assert str(info.value).startswith(message.strip())


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "format": "backprop-studio-network",\n  "version": 1,,\n}', "utf-8")
    with pytest.raises(NetworkFileError, match=r"not a network file \(invalid JSON at line 3"):
        load_network(path)


def test_oversized_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.truncate(25 * 1024 * 1024)
    with pytest.raises(NetworkFileError, match="too large"):
        load_network(path)


def test_missing_file_is_a_file_error(tmp_path):
    with pytest.raises(NetworkFileError, match="cannot read"):
        load_network(tmp_path / "nope.json")


def test_save_replaces_atomically_and_leaves_no_temp_files(examples, tmp_path, monkeypatch):
    net = load_network(examples / "xor_lecture.json")
    target = tmp_path / "net.json"
    save_network(net, target)
    before = target.read_bytes()

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    net.set_weight("x1", "h1", 42.0)
    with pytest.raises(NetworkFileError, match="No space left"):
        save_network(net, target)
    assert target.read_bytes() == before
    assert list(tmp_path.iterdir()) == [target]
