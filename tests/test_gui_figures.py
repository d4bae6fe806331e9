"""Figures for slides: the SVG export is fully vector (text as text, no bitmaps), the PNG
follows the chosen scale, and ``backprop-studio --export`` draws the canvas headless,
at a step of the first iteration if asked, refusing bad input in one line."""

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtGui import QImage

from gui.app import main
from tests.conftest import ROOT

pytestmark = pytest.mark.gui
SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]


def test_svg_export_is_vector_with_the_weights_as_text(window, examples, tmp_path):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    window.act_thumbnails.setChecked(True)
    window._refresh_thumbnails()  # the neuron maps too: drawn as rectangles, not a bitmap
    assert window.scene.neuron_items["h1"].thumbnail is not None
    assert window.files.export(tmp_path / "net.svg", "svg")
    svg = (tmp_path / "net.svg").read_text("utf-8")
    assert "<image" not in svg
    texts = svg_texts(tmp_path / "net.svg")
    for weight in ("5", "−7", "−11"):
        assert weight in texts
    for label in ("x₁", "h₂", "ŷ", "b = −8"):
        assert label in texts
    # text at the size its plate was measured for (the screen's dpi, not SVG's 72)
    from PySide6.QtGui import QGuiApplication

    dpi = QGuiApplication.primaryScreen().logicalDotsPerInch()
    sizes = {float(m) for m in re.findall(r'font-size="([0-9.]+)"', svg)}
    assert 9 * dpi / 72 in sizes  # the weights: 9 pt
    # the canvas keeps its bitmap cache for fast repaints after the export
    item = window.scene.neuron_items["h1"]
    assert item.cacheMode() == item.CacheMode.DeviceCoordinateCache


def test_png_export_size_follows_the_scale(window, examples, tmp_path):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    sizes = {}
    for scale in (1.0, 2.0, 4.0):
        assert window.files.export(tmp_path / f"net{scale:g}.png", "png", scale)
        image = QImage(str(tmp_path / f"net{scale:g}.png"))
        sizes[scale] = (image.width(), image.height())
    w1, h1 = sizes[1.0]
    assert w1 > 300 and h1 > 150
    for scale in (2.0, 4.0):
        assert (
            abs(sizes[scale][0] - scale * w1) <= scale
            and abs(sizes[scale][1] - scale * h1) <= scale
        )


def test_png_scale_from_the_file_menu(window, examples, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window.files.open_path(examples / "xor_lecture.json", ask=False)
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "slide"), "")
    )
    actions = {a.text(): a for a in window.export_png_menu.actions()}
    actions["at 4× (posters)"].trigger()
    big = QImage(str(tmp_path / "slide.png"))
    actions["at 1× (as on screen)"].trigger()
    small = QImage(str(tmp_path / "slide.png"))
    assert abs(big.width() - 4 * small.width()) <= 4


def test_export_command_writes_svg_and_png(examples, tmp_path, capsys, qapp):
    net = str(examples / "xor_lecture.json")
    assert main(["--export", str(tmp_path / "a.svg"), net]) == 0
    assert "wrote" in capsys.readouterr().out
    svg = (tmp_path / "a.svg").read_text("utf-8")
    assert "<image" not in svg and "−11" in svg_texts(tmp_path / "a.svg")
    assert main(["--export", str(tmp_path / "a.png"), "--scale", "1", net]) == 0
    assert main(["--export", str(tmp_path / "b.png"), "--scale", "3", net]) == 0
    one, three = QImage(str(tmp_path / "a.png")), QImage(str(tmp_path / "b.png"))
    assert not one.isNull() and abs(three.width() - 3 * one.width()) <= 3


def test_export_command_at_a_step_draws_that_steps_numbers(examples, tmp_path, capsys, qapp):
    net = str(examples / "xor_lecture.json")
    # the walk CLI numbers the steps; step 1 computes z of the first hidden neuron
    assert main(["--export", str(tmp_path / "s1.svg"), "--step", "1", net]) == 0
    texts = svg_texts(tmp_path / "s1.svg")
    assert any(t.startswith("z = −8") for t in texts)  # z_h1 = 5·0 + 5·0 − 8 on sample (0, 0)
    assert not any(t.startswith("δ") for t in texts)
    assert main(["--export", str(tmp_path / "s20.svg"), "--step", "20", net]) == 0
    assert "backward" in capsys.readouterr().out
    texts = svg_texts(tmp_path / "s20.svg")
    assert any(t.startswith("δ = ") for t in texts)
    assert any(t.startswith("∂L/∂w = ") for t in texts)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--export", "{tmp}/x.svg", "{tmp}/missing.json"], "missing.json: cannot read"),
        (
            ["--export", "{tmp}/x.svg", "--step", "0", "{net}"],
            "--step 0: the first iteration has steps 1 to 31",
        ),
        (
            ["--export", "{tmp}/x.svg", "--step", "32", "{net}"],
            "--step 32: the first iteration has steps 1 to 31",
        ),
        (["--export", "{tmp}/x.pdf", "{net}"], "must end in .svg or .png"),
        (["--export", "{tmp}/nowhere/x.svg", "{net}"], "does not exist"),
        (["--export", "{tmp}/x.png", "--scale", "0", "{net}"], "scale 0"),
        (["--export", "{tmp}/x.png", "--scale", "1000", "{net}"], "scale 1000"),
        (["--export", "{tmp}/x.svg", "{bad}"], "bad.json: "),
    ],
)
def test_export_command_refuses_bad_input_in_one_line(
    examples, tmp_path, capsys, qapp, args, message
):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "backprop-studio-network", "version": 1, "neurons": [}', "utf-8")
    fill = {"tmp": str(tmp_path), "net": str(examples / "xor_lecture.json"), "bad": str(bad)}
    assert main([a.format(**fill) for a in args]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("backprop-studio: error: ") and message in err
    assert not (tmp_path / "x.svg").exists() and not (tmp_path / "x.png").exists()


def test_export_command_needs_no_window_or_screen(examples, tmp_path):
    """A real process with no display and no platform set: it must not try to open one."""
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in ("DISPLAY", "QT_QPA_PLATFORM")
    }
    out = tmp_path / "fig.svg"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gui",
            "--export",
            str(out),
            "--step",
            "5",
            str(examples / "xor_lecture.json"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert re.match(r"wrote .*fig\.svg after step 5 of 31 \(forward\)", result.stdout)
    assert "<image" not in out.read_text("utf-8")


def test_export_worked_solution_of_the_iteration_being_stepped(
    window, examples, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QFileDialog

    from engine.formatting import to_html

    window.files.open_path(examples / "xor_lecture.json", ask=False)
    for _ in range(3):
        window.act_step.trigger()
    walk = window.learning.session.walk
    answers = iter([(str(tmp_path / "sol.html"), ""), (str(tmp_path / "sol"), "LaTeX (*.tex)")])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: next(answers))
    window.act_export_handout.trigger()
    page = (tmp_path / "sol.html").read_text("utf-8")
    assert all(to_html(s.line) in page for s in walk.steps)
    assert "<svg" in page and "Truth table" in page
    window.act_export_handout.trigger()
    assert (tmp_path / "sol.tex").read_text("utf-8").startswith("\\documentclass")
    assert window.learning.session.walk is walk  # exporting moved nothing
    assert window.learning.session.cursor.position == 2


def test_export_worked_solution_without_a_dataset_says_why(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from tests.gui_helpers import DialogAnswerer

    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "s.html"), "")
    )
    answerer = DialogAnswerer([QMessageBox.StandardButton.Ok])
    window.act_export_handout.trigger()
    answerer.stop()
    assert answerer.seen and "Cannot export the worked solution" in answerer.seen[0]
    assert not (tmp_path / "s.html").exists()


def test_the_same_network_draws_the_same_pixels_in_every_process(tmp_path):
    """Crossing lines of different colours are drawn in the connection layer's batch order;
    that order must not follow Python's per-process string hashing."""
    import os

    from engine.files import save_network
    from tests.helpers import build

    n = 10  # i_k → o_(n−1−k): every line crosses every other, colours alternating
    neurons = [(f"i{k}", "input") for k in range(n)] + [(f"o{k}", "output") for k in range(n)]
    net = build(neurons, [(f"i{k}", f"o{n - 1 - k}", (-1.0) ** k) for k in range(n)])
    for k in range(n):
        net.set_position(f"i{k}", (0.0, 40.0 * k))
        net.set_position(f"o{k}", (400.0, 40.0 * k))
    save_network(net, tmp_path / "crossing.json")
    images = []
    for seed in ("1", "2", "3", "4"):
        out = tmp_path / f"net{seed}.png"
        subprocess.run(
            [sys.executable, "-m", "gui", "--export", str(out), str(tmp_path / "crossing.json")],
            check=True,
            capture_output=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        images.append(out.read_bytes())
    assert all(image == images[0] for image in images)
