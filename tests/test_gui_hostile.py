"""The app opens hostile files the way the command line does: the engine's one-line
message in a dialog, the open document untouched, never a hang (FIFOs, devices)."""

import json
import os

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.gui_helpers import DialogAnswerer
from tests.hostile_corpus import HUGE, _lecture

pytestmark = pytest.mark.gui


def _bias_too_big(folder):
    data = _lecture()
    data["neurons"][2]["bias"] = HUGE
    path = folder / "huge.json"
    path.write_text(json.dumps(data), "utf-8")
    return path, "huge.json: neurons[2].bias: must be a finite number"


def _fifo(folder):
    path = folder / "pipe.json"
    os.mkfifo(path)
    return path, "pipe.json: not a regular file (a FIFO)"


def _device(folder):
    path = folder / "zero.json"
    path.symlink_to("/dev/zero")
    return path, "zero.json: not a regular file (a device)"


def _deep(folder):
    path = folder / "deep.json"
    path.write_text("[" * 100_000, "utf-8")
    return path, "deep.json: nested too deeply"


def _odd_name(folder):
    path = folder / "a\nb\x1b[31m.json"
    path.write_text("{", "utf-8")
    return path, "a\\nb\\x1b[31m.json: not a network file"


@pytest.mark.parametrize("make", [_bias_too_big, _fifo, _device, _deep, _odd_name])
def test_a_hostile_file_shows_one_line_and_keeps_the_document(window, examples, tmp_path, make):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    before = repr(window.doc.network.parameters())
    path, words = make(tmp_path)
    answerer = DialogAnswerer([QMessageBox.StandardButton.Ok])
    assert not window.files.open_path(path, ask=False)
    answerer.stop()
    assert len(answerer.seen) == 1
    text = answerer.seen[0]
    assert words in text and "\n" not in text.strip() and text.strip().isprintable()
    assert repr(window.doc.network.parameters()) == before
    assert window.doc.path == examples / "xor_lecture.json"
