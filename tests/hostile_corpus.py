"""A corpus of hostile network files, written on demand (``build(folder)``).

Each case is (name, path, expect): ``expect`` is a piece of the one-line message the
loader or the command line must refuse the file with, or ``OK`` when the file is legitimate
and must be accepted (commands may still refuse to run it, each with its own one line:
no dataset, no output neuron, more work than one command does). The cases follow the
issue's list (too-large integers in every numeric field, deep nesting, generator sizes,
FIFOs and devices, ids with control characters, empty networks, missing weights, runaway
training) and add their own.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
from pathlib import Path

OK = None
ROOT = Path(__file__).resolve().parents[1]
LECTURE = ROOT / "resources" / "examples" / "xor_lecture.json"
HUGE = 10**400  # an integer no float can hold


def _lecture() -> dict:
    return json.loads(LECTURE.read_text("utf-8"))


def _set(path: str, value):
    """A mutation setting ``path`` ("neurons.2.bias") in the lecture network."""

    def mutate(d):
        *parents, last = path.split(".")
        for p in parents:
            d = d[int(p)] if isinstance(d, list) else d.setdefault(p, {})
        if isinstance(d, list):
            d[int(last)] = value
        else:
            d[last] = value

    return mutate


def _drop(path: str):
    def mutate(d):
        *parents, last = path.split(".")
        for p in parents:
            d = d[int(p)] if isinstance(d, list) else d[p]
        del d[int(last) if isinstance(d, list) else last]

    return mutate


def _chain(n: int, skips: bool = False, **extra) -> dict:
    """x → h1 → … → y (n neurons, linear), optionally with x feeding every neuron."""
    ids = ["x"] + [f"h{i}" for i in range(1, n - 1)] + ["y"]
    neurons = [{"id": "x", "kind": "input"}]
    neurons += [{"id": i, "kind": "hidden", "activation": "linear", "bias": 0} for i in ids[1:-1]]
    neurons.append({"id": "y", "kind": "output", "activation": "linear", "bias": 0})
    conns = [{"source": a, "target": b, "weight": 1.0} for a, b in itertools.pairwise(ids)]
    if skips:
        conns += [{"source": "x", "target": t, "weight": 0.5} for t in ids[2:]]
    data = {
        "format": "backprop-studio-network",
        "version": 1,
        "neurons": neurons,
        "connections": conns,
        "training": {"loss": "mse", "max_epochs": 2},
        "dataset": {"inputs": [[1.0]], "targets": [[1.0]]},
    }
    data.update(extra)
    return data


def _generator(**params) -> dict:
    d = _lecture()
    d["dataset"] = {"generator": "xor_noisy", **params}
    return d


def _mutated() -> list[tuple[str, object, str | None]]:
    """(name, mutation of the lecture network, expected message part)."""
    cases: list[tuple[str, object, str | None]] = []
    # integers too large for a float, in every numeric field the issue names and more
    for path in (
        "neurons.2.bias",
        "neurons.2.position.0",
        "neurons.4.position.1",
        "connections.0.weight",
        "training.learning_rate",
        "training.momentum",
        "training.epsilon",
        "training.init_scale",
        "training.min_learning_rate",
        "training.target_loss",
        "dataset.inputs.1.0",
        "dataset.targets.2.0",
    ):
        where = path.replace(".0", "[0]").replace(".1", "[1]").replace(".2", "[2]")
        where = where.replace(".4", "[4]")
        cases.append((f"huge_int_{path}", _set(path, HUGE), f"{where}: must be a finite number"))
        cases.append((f"neg_huge_int_{path}", _set(path, -HUGE), "must be a finite number"))
    for path, bad in (
        ("neurons.2.bias", "minus eight"),
        ("neurons.2.bias", True),
        ("neurons.2.bias", [1]),
        ("neurons.2.bias", {"v": 1}),
        ("connections.0.weight", None),
        ("training.learning_rate", "fast"),
        ("training.learning_rate", -0.1),
        ("training.beta1", 1.0),
        ("training.beta2", 2.0),
    ):
        cases.append((f"bad_{path}_{type(bad).__name__}", _set(path, bad), path.split(".")[-1]))
    # generators: sizes, noise, seeds (the 10⁹, 10⁶, 0, negative noise)
    generator_cases = [
        ("size_1e9", {"size": 10**9}, "dataset.size: at most 1,000,000 samples"),
        ("size_huge", {"size": HUGE}, "dataset.size: at most 1,000,000 samples"),
        ("size_0", {"size": 0}, "dataset.size: must be at least 1"),
        ("size_negative", {"size": -5}, "dataset.size: must be at least 1"),
        ("size_float", {"size": 200.5}, "dataset.size: must be a whole number"),
        ("size_text", {"size": "200"}, "dataset.size: must be a whole number"),
        ("noise_negative", {"size": 20, "noise": -0.1}, "dataset.noise: must not be negative"),
        ("noise_huge_int", {"size": 20, "noise": HUGE}, "dataset.noise: must be a finite"),
        ("seed_negative", {"size": 20, "seed": -1}, "dataset.seed: must be at least 0"),
        ("seed_2_40", {"size": 20, "seed": 2**40}, "dataset.seed: at most 2,147,483,647"),
        ("test_fraction_huge", {"size": 20, "test_fraction": HUGE}, "dataset.test_fraction"),
        ("test_fraction_one", {"size": 20, "test_fraction": 1}, "dataset.test_fraction"),
        ("test_fraction_all", {"size": 4, "test_fraction": 0.9}, "leaves none to train on"),
        ("split_seed_huge", {"size": 20, "split_seed": HUGE}, "dataset.split_seed"),
        ("size_1e6_accepted", {"size": 1_000_000, "noise": 0.1, "seed": 1}, OK),
        ("noise_big_accepted", {"size": 50, "noise": 1e300}, OK),
    ]
    for name, params, expect in generator_cases:

        def mutate(d, params=params):
            d["dataset"] = {"generator": "xor_noisy", **params}

        cases.append((f"generator_{name}", mutate, expect))

    def gate_with_size(d):
        d["dataset"] = {"generator": "xor", "size": 10}

    def unknown_generator(d):
        d["dataset"] = {"generator": "moons"}

    cases += [
        ("gate_with_size", gate_with_size, "takes no parameters"),
        ("unknown_generator", unknown_generator, "unknown dataset 'moons'"),
    ]

    # ids and names: control characters, line breaks, bidi overrides, length
    for label, text in (
        ("newline", "h\n1"),
        ("ansi", "h\x1b[31m1"),
        ("bidi", "h\u202e1"),
        ("nul", "h\x001"),
        ("line_separator", "h\u20281"),
    ):

        def bad_id(d, text=text):
            old = d["neurons"][2]["id"]
            d["neurons"][2]["id"] = text
            for c in d["connections"]:
                for end in ("source", "target"):
                    if c[end] == old:
                        c[end] = text

        cases.append((f"id_{label}", bad_id, "neurons[2].id: must not contain control"))
        if label != "bidi":
            cases.append(
                (f"label_{label}", _set("neurons.2.label", text), "neurons[2].label: must not")
            )
            cases.append((f"name_{label}", _set("name", text), "name: must not contain"))

    def duplicate_escape(d):
        d["neurons"][2]["id"] = "a\x1b[2Jb"
        d["neurons"][3]["id"] = "a\x1b[2Jb"

    def cycle_escape(d):
        d["neurons"][2]["id"] = "p\nq"  # refused as an id before any cycle is seen
        d["connections"] += [
            {"source": "p\nq", "target": "h2", "weight": 1},
            {"source": "h2", "target": "p\nq", "weight": 1},
        ]

    def cycle_plain(d):
        d["connections"] += [
            {"source": "h1", "target": "h2", "weight": 1},
            {"source": "h2", "target": "h1", "weight": 1},
        ]

    def target_escape(d):
        d["connections"][0]["target"] = "zz\x1b[31m"

    cases += [
        ("duplicate_id_escape", duplicate_escape, "must not contain control"),
        ("cycle_escape", cycle_escape, "must not contain control"),
        ("cycle", cycle_plain, "connections close a cycle: h1 → h2 → h1"),
        ("target_escape", target_escape, "target 'zz\\x1b[31m' is not a neuron"),
        ("id_long", _set("neurons.2.id", "h" * 5000), "neurons[2].id: at most 1,000 characters"),
        ("label_long", _set("neurons.2.label", "x" * 1001), "at most 1,000 characters"),
        ("id_empty", _set("neurons.2.id", "  "), "neurons[2].id: must not be empty"),
        ("id_number", _set("neurons.2.id", 7), "neurons[2].id: must be a text string"),
        ("id_missing", _drop("neurons.2.id"), "neurons[2]: has no id"),
        ("kind_unknown", _set("neurons.2.kind", "magic"), "unknown kind 'magic'"),
        ("kind_escape", _set("neurons.2.kind", "\x1b[31m"), "unknown kind '\\x1b[31m'"),
        ("activation_unknown", _set("neurons.3.activation", "swish"), "unknown activation"),
        ("activation_list", _set("neurons.3.activation", ["a"]), "unknown activation ['a']"),
        ("input_bias", _set("neurons.0.bias", 1), "an input neuron has no bias"),
        ("position_short", _set("neurons.0.position", [1]), "position: must be a list"),
        ("position_far", _set("neurons.0.position", [1e300, 0]), "at most 1,000,000 from 0"),
        ("neuron_not_object", _set("neurons.1", 5), "neurons[1]: must be an object"),
        ("neurons_not_list", _set("neurons", {"a": 1}), "neurons: must be a list"),
        ("connections_not_list", _set("connections", "x1->h1"), "connections: must be a list"),
        ("weight_missing", _drop("connections.0.weight"), "connections[0].weight: missing"),
        ("source_missing", _drop("connections.1.source"), "connections[1]: has no source"),
        ("source_unknown", _set("connections.1.source", "nope"), "source 'nope' is not"),
        ("self_loop", _set("connections.0.target", "x1"), "connects 'x1' to itself"),
        ("from_output", _set("connections.5.source", "y"), "connects 'y' to itself"),
        ("duplicate_connection", _set("connections.1", None), "connections[1]: must be an"),
    ]

    def dup_connection(d):
        d["connections"].append(dict(d["connections"][0]))

    def into_input(d):
        d["connections"].append({"source": "h1", "target": "x1", "weight": 1})

    def out_of_output(d):
        d["neurons"].append({"id": "z", "kind": "hidden", "bias": 0})
        d["connections"].append({"source": "y", "target": "z", "weight": 1})

    cases += [
        ("duplicate_connection_real", dup_connection, "duplicate of connections[0] (x1 → h1)"),
        ("into_input", into_input, "target 'x1' is an input neuron"),
        ("out_of_output", out_of_output, "source 'y' is an output neuron"),
    ]

    # version and format
    cases += [
        ("version_2", _set("version", 2), "version 2 is newer than this program"),
        ("version_huge", _set("version", HUGE), "is newer than this program understands"),
        ("version_zero", _set("version", 0), "version: must be a whole number"),
        ("version_text", _set("version", "1"), "version: must be a whole number"),
        ("version_bool", _set("version", True), "version: must be a whole number"),
        ("format_other", _set("format", "other"), "not a network file"),
        ("format_missing", _drop("format"), "not a network file"),
    ]

    # dataset rows
    cases += [
        ("rows_empty", _set("dataset", {"inputs": [], "targets": []}), "at least one row"),
        ("rows_ragged", _set("dataset.inputs.1", [1, 2, 3]), "row has 3 values, expected 2"),
        ("rows_text", _set("dataset.inputs.1.0", "one"), "dataset.inputs[1][0]: must be a"),
        ("rows_nested", _set("dataset.inputs.1", [[0], [1]]), "must be a finite number"),
        ("rows_mismatch", _drop("dataset.targets.3"), "4 input rows but 3 target rows"),
        ("rows_not_list", _set("dataset.inputs", 5), "dataset.inputs: must be a list"),
        ("dataset_not_object", _set("dataset", [1, 2]), "dataset: must be an object"),
        ("dataset_null_accepted", _set("dataset", None), OK),
    ]

    # training settings
    cases += [
        ("loss_unknown", _set("training.loss", "hinge"), "unknown loss 'hinge'"),
        ("optimizer_unknown", _set("training.optimizer", 3), "unknown optimizer 3"),
        ("initializer_unknown", _set("training.initializer", None), "unknown initializer"),
        ("batch_size_zero", _set("training.batch_size", 0), "batch_size: must be at least 1"),
        ("batch_size_huge", _set("training.batch_size", HUGE), "batch_size: at most"),
        ("max_epochs_huge", _set("training.max_epochs", 10**8), "max_epochs: at most 10,000,000"),
        ("max_epochs_negative", _set("training.max_epochs", -5), "must be at least 0"),
        ("seed_huge", _set("training.seed", 2**40), "training.seed: at most 2,147,483,647"),
        ("patience_float", _set("training.plateau_patience", 1.5), "must be a whole number"),
        ("shuffle_text", _set("training.shuffle", "yes"), "must be true or false"),
        ("training_not_object", _set("training", 1), "training: must be an object"),
        ("target_loss_text", _set("training.target_loss", "low"), "target_loss: must be a"),
        # accepted: runaway training is reported as divergence, not a crash
        ("eta_huge_accepted", _set("training.learning_rate", 1e300), OK),
        ("epsilon_zero_adam_accepted", _adam_epsilon_zero, OK),
        ("max_epochs_zero_accepted", _set("training.max_epochs", 0), OK),
        ("batch_size_1_accepted", _set("training.batch_size", 1), OK),
    ]

    # numbers that are finite but overflow the network: outputs are ∞/NaN, JSON says null
    cases += [
        ("bias_1e300_accepted", _set("neurons.4.bias", 1e300), OK),
        ("weights_1e300_accepted", _big_linear, OK),
        ("inputs_1e308_accepted", _set("dataset.inputs.0", [1e308, -1e308]), OK),
    ]
    # unknown fields are kept; nesting inside them is bounded
    cases += [
        ("extra_fields_accepted", _set("author", {"name": "a teacher", "tags": ["x"]}), OK),
        ("extra_nested_64_accepted", _set("note", _nested(60)), OK),
        ("extra_nested_100", _set("note", _nested(100)), "nested too deeply"),
        ("raw_surrogate_bytes", _set("note", "\ud800"), "not UTF-8 text: byte"),
        ("escaped_surrogate_extra", _set("note", "\ud800"), "note: not valid Unicode"),
        ("escaped_surrogate_label", _set("neurons.2.label", "a\udfffb"), "not valid Unicode"),
        ("escaped_surrogate_key", _set("neurons.2.\udc80", 1), "neurons[2].\\udc80: not valid"),
        ("extra_nan_accepted", _set("note", float("nan")), OK),
        ("label_bidi_accepted", _set("neurons.2.label", "h\u202e1\u200f"), OK),
        ("name_zwj_accepted", _set("name", "👩\u200d🔬 lab\u00a0one"), OK),
        ("label_long_ok_accepted", _set("neurons.2.label", "λ" * 1000), OK),
    ]
    return cases


def _adam_epsilon_zero(d):
    d["training"].update({"optimizer": "adam", "epsilon": 0.0, "max_epochs": 50})


def _big_linear(d):
    for n in d["neurons"][2:]:
        n["activation"] = "linear"
    for c in d["connections"]:
        c["weight"] = 1e300


def _nested(depth: int):
    value: object = 0
    for _ in range(depth):
        value = [value]
    return value


def _eta_linear(eta: float) -> dict:
    """The issue's runaway: η = 10 on a linear network (loss to 10¹⁸⁹ without NaN)."""
    d = _lecture()
    for n in d["neurons"][2:]:
        n["activation"] = "linear"
    d["training"].update({"loss": "mse", "learning_rate": eta, "max_epochs": 200})
    return d


def _whole_files() -> list[tuple[str, object, str | None]]:
    """(name, a whole JSON value or raw bytes, expected)."""
    empty_net = {"format": "backprop-studio-network", "version": 1, "neurons": []}
    only_inputs = {
        "format": "backprop-studio-network",
        "version": 1,
        "neurons": [{"id": "a", "kind": "input"}],
        "dataset": {"inputs": [[1]], "targets": [[]]},
    }
    no_inputs = {
        "format": "backprop-studio-network",
        "version": 1,
        "neurons": [{"id": "y", "kind": "output", "activation": "sigmoid", "bias": 0.5}],
        "training": {"loss": "bce"},
        "dataset": {"inputs": [[], []], "targets": [[0], [1]]},
    }
    no_dataset = _lecture()
    del no_dataset["dataset"]
    many_neurons = {
        "format": "backprop-studio-network",
        "version": 1,
        "neurons": [{"id": f"n{i}", "kind": "input"} for i in range(10_001)],
    }
    many_connections = _chain(2)
    many_connections["connections"] = [{"source": "x", "target": "y", "weight": 1}] * 100_001
    wide_data = _lecture()
    wide_data["neurons"] += [
        {"id": f"z{i}", "kind": "hidden", "activation": "linear"} for i in range(200)
    ]
    wide_data["dataset"] = {"generator": "xor_noisy", "size": 100_000}  # × 205 neurons
    rows_1e6 = {
        "format": "backprop-studio-network",
        "version": 1,
        "neurons": [{"id": "x", "kind": "input"}, {"id": "y", "kind": "output"}],
        "connections": [{"source": "x", "target": "y", "weight": 1}],
        "dataset": {"inputs": [[0]] * 1_000_001, "targets": [[0]] * 1_000_001},
    }
    long_train = _lecture()
    long_train["dataset"] = {"generator": "xor_noisy", "size": 1_000_000}
    long_train["training"]["max_epochs"] = 10_000_000
    relu_kinks = _lecture()
    for n in relu_kinks["neurons"][2:4]:
        n["activation"], n["bias"] = "relu", 0.0
    step_net = _lecture()
    for n in step_net["neurons"][2:4]:
        n["activation"] = "step"
    lecture = _lecture()
    return [
        ("empty_network_accepted", empty_net, OK),
        ("only_inputs_accepted", only_inputs, OK),
        ("no_inputs_accepted", no_inputs, OK),
        ("no_dataset_accepted", no_dataset, OK),
        ("neurons_10001", many_neurons, "neurons: at most 10,000 neurons (the file has 10,001)"),
        ("connections_100001", many_connections, "connections: at most 100,000 connections"),
        ("chain_10000_accepted", _chain(10_000), OK),
        ("chain_skips_blocks", _chain(3_000, skips=True), "compiled weight blocks would hold"),
        ("activations_limit", wide_data, "is more than 20,000,000 activations"),
        ("rows_1000001", rows_1e6, "dataset.inputs: at most 1,000,000 rows"),
        ("train_work_limit", long_train, "more than one command does"),
        ("eta_10_linear_diverges_accepted", _eta_linear(10.0), OK),
        ("relu_at_kinks_accepted", relu_kinks, OK),
        ("step_accepted", step_net, OK),
        ("lecture_accepted", lecture, OK),
        ("top_array", [1, 2, 3], "not a network file"),
        ("top_string", "backprop-studio-network", "not a network file"),
        ("top_null", None, "not a network file"),
        ("top_number", HUGE, "not a network file"),
        ("deep_100000", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("deep_100000_open", b"[" * 100_000, "nested too deeply"),
        ("deep_objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "nested too deeply"),
        ("digits_5000", b'{"version": ' + b"9" * 5000 + b"}", "too many digits"),
        ("json_nan_bias", _lecture_text().replace('"bias": 3.0', '"bias": NaN'), "finite"),
        (
            "json_infinity",
            _lecture_text().replace('"weight": 5.0', '"weight": -Infinity', 1),
            "finite",
        ),
        ("json_truncated", _lecture_text()[:300], "invalid JSON at line"),
        ("json_trailing_comma", b'{"format": "backprop-studio-network",}', "invalid JSON"),
        (
            "json_duplicate_keys_accepted",
            _lecture_text().replace('"version": 1,', '"version": 5, "version": 1,'),
            OK,
        ),
        ("bom_accepted", b"\xef\xbb\xbf" + _lecture_text().encode("utf-8"), OK),
        ("utf16", _lecture_text().encode("utf-16"), "not UTF-8 text"),
        ("latin1", _lecture_text().encode("utf-8").replace("x₁".encode(), b"x\xe9"), "not UTF-8"),
        ("binary", bytes(range(256)) * 10, "not a network file"),
        ("nul_bytes", b"\x00" * 1000, "not a network file"),
        ("empty_file", b"", "invalid JSON at line 1"),
        ("whitespace", b"   \n\t  ", "invalid JSON"),
        ("huge_string", b'{"format": "' + b"a" * 5_000_000 + b'"}', "not a network file"),
        ("many_keys_accepted", _many_keys(), OK),
        (
            "lone_surrogate_escape",
            _lecture_text().replace("XOR by hand", "\\udc00"),
            "not valid Unicode",
        ),
    ]


def _lecture_text() -> str:
    return LECTURE.read_text("utf-8")


def _many_keys() -> str:
    d = _lecture()
    d["extra_keys"] = {f"k{i}": i for i in range(200_000)}
    return json.dumps(d)


def _write(path: Path, content, ascii_only: bool = False) -> None:
    """Bytes as they are, JSON text as it is, other values as JSON (lone surrogates as raw
    bytes unless ``ascii_only``, which writes them as \\ud800 escapes)."""
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str) and content.lstrip().startswith("{"):
        path.write_text(content, "utf-8")
    else:
        text = json.dumps(content, ensure_ascii=ascii_only)
        path.write_text(text, "utf-8", errors="surrogatepass")


def build(folder: Path) -> list[tuple[str, Path, str | None]]:
    """Write the corpus into ``folder``; returns (name, path, expected message part or OK)."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[tuple[str, Path, str | None]] = []
    base = _lecture()
    for name, mutate, expect in _mutated():
        data = copy.deepcopy(base)
        mutate(data)
        path = folder / f"{name}.json"
        _write(path, data, ascii_only=name.startswith("escaped_"))
        cases.append((name, path, expect))
    for name, content, expect in _whole_files():
        path = folder / f"{name}.json"
        _write(path, content)
        cases.append((name, path, expect))

    # things that are not regular files, or not there
    fifo = folder / "fifo.json"
    os.mkfifo(fifo)
    cases.append(("fifo", fifo, "not a regular file (a FIFO)"))
    for device in ("zero", "urandom", "null"):
        link = folder / f"dev_{device}.json"
        link.symlink_to(f"/dev/{device}")
        cases.append((f"dev_{device}", link, "not a regular file (a device)"))
    (folder / "a_folder.json").mkdir()
    cases.append(("folder", folder / "a_folder.json", "not a regular file (a folder)"))
    cases.append(("missing", folder / "missing.json", "cannot read the file: No such file"))
    dangling = folder / "dangling.json"
    dangling.symlink_to(folder / "nowhere.json")
    cases.append(("dangling_link", dangling, "cannot read the file"))
    sparse = folder / "sparse_25MB.json"
    with sparse.open("wb") as f:
        f.truncate(25_000_000)
    cases.append(("sparse_25MB", sparse, "the file is too large (25.0 MB; the limit is 20 MB)"))
    just_over = folder / "just_over.json"
    just_over.write_bytes(b" " * 20_000_001)
    cases.append(("just_over_20MB", just_over, "the file is too large"))
    odd_name = folder / "odd\nname\x1b[31m.json"
    odd_name.write_text("{", "utf-8")
    cases.append(("odd_name", odd_name, "odd\\nname\\x1b[31m.json: not a network file"))
    for shipped in sorted((ROOT / "resources").glob("*/*.json")):
        cases.append((f"shipped_{shipped.stem}", shipped, OK))
    return cases
