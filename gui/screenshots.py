"""Render the main window to PNG files, offscreen (for the README and for reviewing).

python -m gui.screenshots OUTDIR

Offscreen (the default here), the screen is a 1280×800 projector: presentation mode is
full screen, and the offscreen platform's own screen is 800×800.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    _screen = Path(tempfile.mkdtemp()) / "screen.json"
    _screen.write_text(
        json.dumps({"screens": [{"name": "projector", "width": 1280, "height": 800}]}), "utf-8"
    )
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_screen}"

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from .app import create_app
from .mainwindow import MainWindow


def window_with(example: str) -> MainWindow:
    settings = QSettings(
        str(Path(tempfile.mkdtemp()) / "settings.ini"), QSettings.Format.IniFormat
    )
    window = MainWindow(settings)
    window.files.open_example(example)
    window.show()
    QApplication.processEvents()
    window.view.fit_all()
    return window


def main(out: str = "shots") -> None:
    app = create_app()
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)

    window = window_with("xor_lecture")
    app.processEvents()
    window.view.fit_all()
    window.scene.neuron_items["h1"].setSelected(True)
    app.processEvents()
    save(window, out_dir / "main-window.png")

    # the middle of a backward pass on the lecture network, sample (0, 1)
    window.scene.clearSelection()
    window.learning.set_sample(1)
    for _ in range(17):
        window.learning.step_forward()
    app.processEvents()
    save(window, out_dir / "stepping.png")
    window.doc.undo_stack.setClean()

    # a trained decision map, with each neuron's own map on the canvas
    window = window_with("xor_untrained")
    window.act_thumbnails.setChecked(True)
    window.learning.ensure_trainer().train(3000)
    window.learning._write_back()
    window.learning.progress.emit()
    window.learning.state_changed.emit()
    app.processEvents()
    save(window, out_dir / "trained.png")
    window.doc.undo_stack.setClean()

    # a lesson, open from the Lessons menu
    window.files.open_lesson("03_xor_by_hand")
    window.learning.set_sample(3)
    for _ in range(6):
        window.learning.step_forward()
    window.lesson_dock.raise_()
    window.data_dock.raise_()
    save(window, out_dir / "lesson.png")
    window.doc.undo_stack.setClean()

    # lesson 1 (AND): asymmetric, so a transposed map or contour would show
    window.files.open_lesson("01_and_or")
    window.map_dock.raise_()
    window.loss_dock.raise_()
    save(window, out_dir / "lesson1-map.png")
    window.decision_map.grab().save(str(out_dir / "lesson1-map-dock.png"))
    window.doc.undo_stack.setClean()

    # time travel: 3000 epochs trained, the slider dragged back to epoch 1204
    window = window_with("xor_untrained")
    window.learning.ensure_trainer().train(3000)
    window.learning._write_back()
    window.learning.progress.emit()
    window.learning.preview(1204)
    window.loss_dock.raise_()
    save(window, out_dir / "time-travel.png")
    window.doc.undo_stack.setClean()
    landscape_shots(out_dir)
    matrix_shot(out_dir)
    compgraph_shots(out_dir)
    beyond_shots(out_dir)
    layout_shots(out_dir)


def beyond_shots(out_dir: Path) -> None:
    """Lesson 17's three classes (16 hidden neurons) trained, and the regression example
    trained: the K-class map and the continuous map with its colour bar."""
    for example, stem, name in (
        (None, "17_three_classes_16", "three-classes"),
        ("regression_bumps", None, "regression"),
    ):
        window = window_with(example or "xor_lecture")
        if stem:
            window.files.open_lesson(stem)
        window.learning.ensure_trainer().train()
        window.learning._write_back()
        window.learning.progress.emit()
        window.learning.state_changed.emit()
        window.map_dock.raise_()
        save(window, out_dir / f"{name}.png")
        window.decision_map.grab().save(str(out_dir / f"{name}-map.png"))
        print(out_dir / f"{name}-map.png")
        window.doc.undo_stack.setClean()


def compgraph_shots(out_dir: Path) -> None:
    """f = w·x + b as the lecture draws it, at the end of the backward pass; and the
    lecture XOR's h₁ in the middle of its backward pass on sample (0, 1)."""
    from .panels.compgraph import open_for

    window = window_with("wx_plus_b")
    for _ in range(8):  # forward, loss, the backward pass: ∂L/∂x is the 8th step
        window.learning.step_forward()
    graph = open_for(window, "f")
    save(window, None)
    graph.grab().save(str(out_dir / "compgraph-wx-plus-b.png"))
    print(out_dir / "compgraph-wx-plus-b.png")
    window.doc.undo_stack.setClean()

    window = window_with("xor_lecture")
    window.learning.set_sample(1)
    for _ in range(17):
        window.learning.step_forward()
    graph = open_for(window, "h1")
    graph.resize(1250, 600)
    save(window, None)
    graph.grab().save(str(out_dir / "compgraph-hidden.png"))
    print(out_dir / "compgraph-hidden.png")
    window.doc.undo_stack.setClean()


def layout_shots(out_dir: Path) -> None:
    """Lesson 3 being stepped through (the backward pass on sample (0, 1)) at a laptop's,
    a 1280×800 projector's, a desktop's and a large screen's size, and in presentation
    mode."""
    for width, height in ((1024, 700), (1280, 800), (1440, 900), (1920, 1080)):
        window = window_with("xor_lecture")
        window.files.open_lesson("03_xor_by_hand")
        window.resize(width, height)
        save(window, None)
        window.learning.set_sample(1)
        for _ in range(17):
            window.learning.step_forward()
        save(window, out_dir / f"size-{width}x{height}.png")
        if width == 1440:
            window.presentation.enter()
            save(window, out_dir / "presentation.png")
            window.presentation.leave()
        window.doc.undo_stack.setClean()
        window.close()


def matrix_shot(out_dir: Path) -> None:
    """The lecture network's first layer in matrix form, stepped by layer on the batch."""
    window = window_with("xor_lecture")
    window.step_dock.raise_()
    panel = window.step_panel
    panel.matrix_box.setChecked(True)
    combo = panel.granularity_combo
    combo.setCurrentIndex(combo.findData("level"))
    combo.activated.emit(combo.currentIndex())
    window.learning.step_forward()
    save(window, None)
    window.step_dock.grab().save(str(out_dir / "matrix-form.png"))
    print(out_dir / "matrix-form.png")
    window.doc.undo_stack.setClean()


def landscape_shots(out_dir: Path) -> None:
    """Lesson 13 trained to the end: the Landscape dock over two first-layer weights with
    the training path, and the curve of the output's bias with its tangent."""
    window = window_with("xor_untrained")
    window.files.open_lesson("13_going_around_a_hill")
    window.learning.ensure_trainer().train()
    window.learning._write_back()
    window.learning.progress.emit()
    window.landscape_dock.raise_()
    window.resizeDocks([window.step_dock], [560], Qt.Orientation.Horizontal)
    window.resizeDocks([window.step_dock, window.map_dock], [260, 580], Qt.Orientation.Vertical)
    panel = window.landscape_panel
    panel.choose(("w", "x1", "h1"), ("w", "x2", "h1"))
    save(window, out_dir / "landscape.png")
    panel.choose(("b", "y"))
    save(window, None)
    window.landscape_dock.grab().save(str(out_dir / "landscape-curve.png"))
    print(out_dir / "landscape-curve.png")
    window.doc.undo_stack.setClean()

    # lesson 16: a step unit's weight, a staircase with a flat tangent
    window.files.open_lesson("16_step_flat_landscape")
    window.landscape_dock.raise_()
    panel.choose(("w", "x1", "h1"))
    panel.span_edit.setText("15")
    panel.refresh()
    save(window, None)
    window.landscape_dock.grab().save(str(out_dir / "landscape-step.png"))
    print(out_dir / "landscape-step.png")
    window.doc.undo_stack.setClean()


def save(window, path: Path | None) -> None:
    deadline = time.perf_counter() + 0.7  # docks lay out; throttled plots catch up
    while time.perf_counter() < deadline:
        QApplication.processEvents()
    if path is not None:
        window.grab().save(str(path))
        print(path)


if __name__ == "__main__":
    only = {
        "--landscape": landscape_shots,
        "--matrix": matrix_shot,
        "--compgraph": compgraph_shots,
        "--beyond": beyond_shots,
        "--layouts": layout_shots,
    }
    if sys.argv[1:2] and sys.argv[1] in only:  # only these; the others stay
        create_app()
        target = Path(sys.argv[2] if len(sys.argv) > 2 else "shots")
        only[sys.argv[1]](target)
    else:
        main(*sys.argv[1:])
