"""Files in the app: malformed files, unsaved-changes prompts, recovery after a crash,
recent files, drag and drop, export; and the network-wide edits."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from engine.files import load_network
from gui.commands import SetParameters
from tests.conftest import ROOT
from tests.gui_helpers import DialogAnswerer, click, neuron_centre

pytestmark = pytest.mark.gui
Button = QMessageBox.StandardButton


def test_a_malformed_file_shows_the_engine_message_and_keeps_the_document(
    window, examples, tmp_path
):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    before = repr(window.doc.network.parameters())
    bad = tmp_path / "bad.json"
    data = json.loads((examples / "xor_lecture.json").read_text("utf-8"))
    data["connections"][3]["target"] = "h9"
    bad.write_text(json.dumps(data), "utf-8")
    answerer = DialogAnswerer([Button.Ok])
    assert not window.files.open_path(bad, ask=False)
    answerer.stop()
    assert answerer.seen and "connections[3]: target 'h9' is not a neuron" in answerer.seen[0]
    assert repr(window.doc.network.parameters()) == before
    assert window.doc.path == examples / "xor_lecture.json"


@pytest.mark.parametrize("answer", [Button.Cancel, Button.Discard, Button.Save])
def test_unsaved_changes_prompt_does_what_each_answer_says(window, examples, tmp_path, answer):
    path = tmp_path / "mine.json"
    path.write_text((examples / "xor_lecture.json").read_text("utf-8"), "utf-8")
    window.files.open_path(path, ask=False)
    window.doc.undo_stack.push(SetParameters(window.doc, {("x1", "h1"): 9.0}, {}, "Set weight"))
    assert window.isWindowModified() and window.windowTitle().startswith("mine.json")
    answerer = DialogAnswerer([answer])
    window.act_new.trigger()
    answerer.stop()
    assert answerer.seen and "Save the changes to “mine.json”?" in answerer.seen[0]
    on_disk = load_network(path).connection("x1", "h1").weight
    if answer == Button.Cancel:
        assert window.doc.network.connection("x1", "h1").weight == 9.0 and window.doc.modified
        assert on_disk == 5.0
    elif answer == Button.Discard:
        assert window.doc.network.neurons == [] and not window.doc.modified
        assert on_disk == 5.0
    else:
        assert window.doc.network.neurons == [] and on_disk == 9.0


def test_close_with_unsaved_changes_can_be_cancelled(window, examples):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    click(window, *neuron_centre(window, "h1"))
    window.act_delete.trigger()
    answerer = DialogAnswerer([Button.Cancel])
    assert not window.close()
    answerer.stop()
    assert window.isVisible() and not window.doc.network.has_neuron("h1")


CRASHING_SESSION = textwrap.dedent(
    """
    import os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from pathlib import Path
    from PySide6.QtCore import QSettings
    from gui.app import create_app
    from gui.commands import SetParameters
    from gui.mainwindow import MainWindow
    from gui.recovery import Recovery
    app = create_app()
    folder = Path(sys.argv[1])
    w = MainWindow(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat), Recovery(folder / "recovery"))
    w.files.open_path(Path(sys.argv[2]), ask=False)
    w.doc.undo_stack.push(SetParameters(w.doc, {("x1", "h1"): 42.0}, {}, "Set weight"))
    w.files.write_recovery()  # what the one-minute timer does
    print("ready", flush=True)
    time.sleep(60)
    """
)


def test_a_recovery_copy_left_by_a_killed_process_is_offered_and_restored(
    window, examples, tmp_path
):
    original = tmp_path / "lesson.json"
    original.write_text((examples / "xor_lecture.json").read_text("utf-8"), "utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASHING_SESSION, str(tmp_path), str(original)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    window.files.recovery.folder = tmp_path / "recovery"
    answerer = DialogAnswerer([Button.Yes])
    assert window.files.offer_recovery()
    answerer.stop()
    assert "Restore them?" in answerer.seen[0] and "lesson.json" in answerer.seen[0]
    assert window.doc.network.connection("x1", "h1").weight == 42.0
    assert window.doc.modified and window.doc.path == original
    assert load_network(original).connection("x1", "h1").weight == 5.0  # not saved by itself
    assert window.files.recovery.orphans() == []


def test_the_recovery_prompt_names_an_example_opened_without_a_file(window, tmp_path):
    """A trial: a changed example (opened as a template, so with no file of its own) was
    offered back as "an untitled network" although it has a name."""
    from gui.recovery import Recovery

    window.files.open_example("xor_lecture")
    assert window.doc.path is None and window.doc.network.name == "XOR by hand (lecture weights)"
    window.doc.undo_stack.push(SetParameters(window.doc, {("x1", "h1"): 42.0}, {}, "Set weight"))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])  # a program no longer running
    gone.wait()
    crashed = Recovery(tmp_path / "recovery")
    crashed.pid = gone.pid
    crashed.write(window.doc.network, window.doc.path)  # what its one-minute timer did
    window.doc.replace(window.doc.network, None)  # (saved: no prompt of its own)
    window.files.recovery.folder = tmp_path / "recovery"
    answerer = DialogAnswerer([Button.Yes])
    assert window.files.offer_recovery()
    answerer.stop()
    assert "Unsaved changes to “XOR by hand (lecture weights)” from" in answerer.seen[0]
    assert window.doc.network.connection("x1", "h1").weight == 42.0


def test_a_clean_exit_removes_the_recovery_copy(window, examples):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    click(window, *neuron_centre(window, "h1"))
    window.act_delete.trigger()
    window.files.write_recovery()
    assert window.files.recovery.network_file.exists()
    answerer = DialogAnswerer([Button.Discard])
    assert window.close()
    answerer.stop()
    assert not window.files.recovery.network_file.exists()


def test_recent_files_are_remembered_across_runs(window, examples, tmp_path):
    window.files.open_path(examples / "wx_plus_b.json", ask=False)
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    names = [a.text() for a in window.recent_menu.actions()]
    assert names == ["xor_lecture.json", "wx_plus_b.json"]
    from PySide6.QtCore import QSettings

    again = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert [p.rsplit("/", 1)[-1] for p in again.value("recent_files")] == names


def test_open_example_menu_lists_every_example_by_name(window):
    titles = [a.text() for a in window.examples_menu.actions()]
    assert "XOR by hand (lecture weights)" in titles and "f = w·x + b" in titles
    next(a for a in window.examples_menu.actions() if a.text() == "f = w·x + b").trigger()
    assert window.doc.network.ids() == ["x", "f"] and window.doc.path is None


def test_dropping_a_network_file_opens_it(window, examples):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(examples / "wx_plus_b.json"))])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert window.doc.network.ids() == ["x", "f"]


def test_export_png_and_svg(window, examples, tmp_path):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    window.files.export(tmp_path / "net.png", "png")
    window.files.export(tmp_path / "net.svg", "svg")
    from PySide6.QtGui import QImage

    image = QImage(str(tmp_path / "net.png"))
    assert image.width() > 800 and image.height() > 300
    svg = (tmp_path / "net.svg").read_text("utf-8")
    assert "<svg" in svg and "−11" in svg


def test_randomize_is_seeded_undoable_and_respects_the_selection(window, examples):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    net = window.doc.network
    window.apply_randomize("uniform", 1.0, 7, False)
    first = net.parameters()
    window.apply_randomize("uniform", 1.0, 7, False)
    assert net.parameters() == first
    assert all(abs(w) <= 1 for w in first[0].values())
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    assert net.connection("x1", "h1").weight == 5 and net.neuron("h1").bias == -8
    click(window, *neuron_centre(window, "h2"))
    window.apply_randomize("he", 1.0, 3, True)
    w, b = net.parameters()
    assert w[("x1", "h1")] == 5 and w[("h1", "y")] == -11 and b["h1"] == -8
    assert w[("x1", "h2")] != -7 and b["h2"] == 0.0
    window.act_zero_biases.trigger()
    assert set(net.parameters()[1].values()) == {0.0}
    assert window.scene.neuron_items["h1"].bias == 0.0  # what is drawn follows


def test_arrange_in_layers_is_one_undo_step(window, examples):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    net = window.doc.network
    window.act_arrange.trigger()
    assert (
        net.neuron("x1").position[0] < net.neuron("h1").position[0] < net.neuron("y").position[0]
    )
    assert net.neuron("h1").position[1] < net.neuron("h2").position[1]
    window.doc.undo_stack.undo()
    assert net.neuron("y").position == (520, 100)


def test_zoom_and_fit(window, examples):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    window.view.reset_zoom()
    window.act_zoom_in.trigger()
    assert window.view.zoom == pytest.approx(1.25)
    window.act_zoom_out.trigger()
    assert window.view.zoom == pytest.approx(1.0)
    window.act_fit.trigger()
    rect = window.view.mapFromScene(window.scene.itemsBoundingRect()).boundingRect()
    assert window.view.viewport().rect().contains(rect)


def test_export_as_numpy_script_from_the_file_menu(window, examples, tmp_path, monkeypatch):
    window.files.open_path(examples / "xor_untrained.json", ask=False)
    target = tmp_path / "xor.py"
    monkeypatch.setattr("gui.files.QFileDialog.getSaveFileName", lambda *a, **k: (str(target), ""))
    window.act_export_script.trigger()
    assert "def loss_and_gradients" in target.read_text("utf-8")
    assert "python xor.py" in window.statusBar().currentMessage()
