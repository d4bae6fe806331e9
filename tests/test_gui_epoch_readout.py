"""The Loss dock's readout and curves describe the weights the window shows.

Lesson 1 at epoch 10 once read "Epoch 10: loss 0.4020, accuracy 75.0 %" beside a truth
table with every sample ✓ ("4 of 4 samples classified correctly"): the readout gave the
loss and accuracy measured *during* epoch 10, before its update, while the canvas, map and
table show the weights *after* it. Lesson 5's "75 % after 9 epochs" likewise disagreed
with the accuracy curve, which stepped up at epoch 10.
"""

import re

import numpy as np
import pytest

from engine.trainer import Trainer
from tests.gui_helpers import play_epochs

pytestmark = pytest.mark.gui


def open_lesson(window, stem):
    from engine.examples import lessons_dir

    window.files.open_path(lessons_dir() / f"{stem}.json", ask=False)
    return window.doc.network


def readout_numbers(window):
    text = window.loss_panel.readout.text()
    m = re.match(r"Epoch (\d+): loss ([0-9.]+), accuracy ([0-9.]+) %", text)
    assert m, text
    return int(m.group(1)), float(m.group(2)), float(m.group(3)) / 100


def test_readout_at_an_earlier_epoch_agrees_with_the_truth_table(qtbot, window):
    net = open_lesson(window, "01_and_or")
    headless = Trainer(net.copy())
    window.loss_dock.raise_()
    play_epochs(qtbot, window, 40)
    window.act_play.trigger()  # pause
    controller = window.learning
    assert controller.trainer.epoch == 40
    qtbot.waitUntil(lambda: window.loss_panel.slider.maximum() == 40, timeout=2_000)
    for epoch in (1, 2, 10, 25):
        window.loss_panel.slider.setValue(epoch)  # as dragging does
        qtbot.waitUntil(lambda e=epoch: f"Epoch {e}:" in window.loss_panel.readout.text())
        _, loss, accuracy = readout_numbers(window)
        reference = headless.at_epoch(0)
        for _ in range(epoch):
            reference.run_epoch()
        expected_loss, expected_accuracy = reference.evaluate()
        assert loss == pytest.approx(expected_loss, abs=5e-5)
        assert accuracy == expected_accuracy
        # the truth table shows the same weights and says the same
        window.data_panel.refresh_values()
        correct = int(window.data_panel.correct.sum())
        assert correct / len(window.data_panel.correct) == accuracy, (
            epoch,
            window.loss_panel.readout.text(),
            window.data_panel.summary.text(),
        )
        # and the curves, at that epoch, hold that weights' numbers (full batch: exactly)
        curve = window.loss_panel.train_curve
        at = int(np.flatnonzero(curve.xData == epoch)[0])
        assert curve.yData[at] == pytest.approx(expected_loss, rel=1e-12)
        acc = window.loss_panel.acc_curve
        assert acc.yData[int(np.flatnonzero(acc.xData == epoch)[0])] == expected_accuracy


def test_readout_at_the_latest_epoch_is_the_loss_of_the_current_weights(qtbot, window):
    net = open_lesson(window, "01_and_or")
    headless = Trainer(net.copy())
    window.loss_dock.raise_()
    play_epochs(qtbot, window, 10)
    window.act_play.trigger()
    for _ in range(10):
        headless.run_epoch()
    window.loss_panel.refresh()
    shown, loss, accuracy = readout_numbers(window)
    assert shown == 10
    assert (loss, accuracy) == (pytest.approx(headless.evaluate()[0], abs=5e-5), 1.0)
    counters = window.step_panel.counters.text()
    assert f"loss {loss:.4g}"[:9] in counters.replace("−", "-"), counters


def test_arrow_keys_on_the_focused_slider_move_through_epochs_and_do_not_step(qtbot, window):
    """→ on the focused slider was the window's Step: it asked to drop the later epochs
    instead of showing the next one (the README promises the arrow keys on the slider)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    open_lesson(window, "01_and_or")
    window.loss_dock.raise_()
    play_epochs(qtbot, window, 20)
    window.act_play.trigger()
    slider = window.loss_panel.slider
    qtbot.waitUntil(lambda: slider.maximum() == 20, timeout=2_000)
    slider.setFocus()
    QTest.keyClick(slider, Qt.Key.Key_Home)
    assert window.learning.shown_epoch == 0
    for _ in range(3):
        QTest.keyClick(slider, Qt.Key.Key_Right)
    QTest.keyClick(slider, Qt.Key.Key_Left)
    assert window.learning.shown_epoch == 2
    assert window.learning.trainer.epoch == 20  # nothing dropped, no step taken
    assert window.learning.session is None
    # away from the slider → is Step again
    window.view.setFocus()
    window.learning.preview(20)
    QTest.keyClick(window.view, Qt.Key.Key_Right)
    assert window.learning.session is not None
