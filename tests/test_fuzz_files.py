"""Fuzzing the loader: hypothesis mutates valid network files (drops and retypes fields,
puts huge and non-finite numbers, deep nesting, odd Unicode and enormous sizes in them,
cuts and splices the text) and loading must either succeed or raise ``NetworkFileError``
with a one-line message, quickly. A file that loads must also save and load again."""

from __future__ import annotations

import copy
import json
import os
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import NetworkFileError
from engine.file_reader import network_from_json
from engine.file_writer import network_to_json
from engine.files import load_network
from tests.conftest import ROOT

CASES = 600
SECONDS_PER_CASE = 2.0
BASES = [
    json.loads(p.read_text("utf-8"))
    for p in sorted((ROOT / "resources").glob("*/*.json"))
    if p.stat().st_size < 20_000  # the generator-based files, not 200 rows of data
]

ODD_TEXT = [
    "",
    " ",
    "\n",
    "h1\nh2",
    "\x1b[31mred",
    "\u202eevil",
    "\u2028",
    "\x00",
    "\ud800",
    "a\udfffb",
    "x₁",
    "ŷ",
    "🧠",
    "\u200d",
    "e\u0301",
    "x" * 1001,
    "h1",
    "y",
    "sigmoid",
    "xor_noisy",
    "bce",
]
HUGE_NUMBERS = [
    10**400,
    -(10**400),
    2**63,
    2**31,
    10**9,
    10**6 + 1,
    -1,
    0,
    1,
    1e308,
    -1e308,
    5e-324,
    -0.0,
    float("nan"),
    float("inf"),
    float("-inf"),
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(HUGE_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(ODD_TEXT),
    st.text(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)


def _containers(doc, data):
    """A path into ``doc``: the container and the key or index of a drawn element. The walk
    goes deeper three times out of four, and leaves "format" alone mostly (a file without
    it is simply not a network file, which one case in many shows well enough)."""
    node = doc
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if node is doc:  # hypothesis favours early choices: the interesting ones first
            first = ["neurons", "connections", "dataset", "training"]
            keys = [k for k in first if k in node] + [k for k in keys if k not in first]
            keys = [k for k in keys if k != "format"]
        if not keys:
            return None
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, dict | list) and child and data.draw(st.integers(0, 3)):
            node = child
            continue
        return node, key


def _mutate(doc, data) -> None:
    found = _containers(doc, data)
    if found is None:
        return
    node, key = found
    action = data.draw(
        st.sampled_from(["drop", "value", "retype", "nest", "multiply", "scalar"]),
        label="action",
    )
    old = node[key]
    if action == "drop":
        del node[key]
    elif action == "value":
        node[key] = data.draw(values)
    elif action == "scalar":
        node[key] = data.draw(st.sampled_from(HUGE_NUMBERS + ODD_TEXT))
    elif action == "retype":  # the same content, another type
        node[key] = data.draw(
            st.sampled_from([[old], {"value": old}, str(old)[:50], None, True, len(str(old))])
        )
    elif action == "nest":
        depth = data.draw(st.sampled_from([1, 2, 5, 30, 58, 64, 65, 100, 1000]))
        for _ in range(depth):
            old = [old]
        node[key] = old
    elif action == "multiply" and isinstance(node, list):
        # the same object repeated: json.dumps writes each copy (no deepcopy, which would
        # recurse past Python's limit on a value nested 1,000 deep)
        node.extend([old] * data.draw(st.sampled_from([1, 2, 100, 10_001])))


def _text_of(doc, data) -> str:
    text = json.dumps(doc, ensure_ascii=data.draw(st.booleans()))
    cut = data.draw(st.sampled_from(["none"] * 8 + ["truncate", "splice"]))
    if cut == "truncate":
        text = text[: data.draw(st.integers(0, len(text)))]
    elif cut == "splice":
        at = data.draw(st.integers(0, len(text)))
        text = (
            text[:at]
            + data.draw(st.sampled_from(["[", "{", '"', "\\", ",", "]", "\x00"]))
            + (text[at:])
        )
    return text


def _load(text: str, through_file: bool):
    if not through_file:
        return network_from_json(text)
    fd, name = tempfile.mkstemp(suffix=".json")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8", "surrogatepass"))
        return load_network(Path(name))
    finally:
        os.unlink(name)


@settings(
    max_examples=CASES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_a_mutated_file_loads_or_is_refused_in_one_line(data):
    doc = copy.deepcopy(data.draw(st.sampled_from(BASES), label="base"))
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        _mutate(doc, data)
    text = _text_of(doc, data)
    through_file = data.draw(st.booleans(), label="through a file")
    start = time.perf_counter()
    try:
        network = _load(text, through_file)
    except NetworkFileError as e:
        message = str(e)
        assert message and "\n" not in message and message.isprintable(), message
        assert len(message) < 1000
    else:  # what loads, saves; and what was saved loads again
        again = network_from_json(network_to_json(network))
        assert network_to_json(again) == network_to_json(network)
    assert time.perf_counter() - start < SECONDS_PER_CASE


def test_the_fuzz_test_runs_enough_cases():
    assert CASES >= 500 and len(BASES) >= 10
