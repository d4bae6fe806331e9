"""Driving the window like a person: clicks and drags at scene coordinates, answering
dialogs as they pop up."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

LEFT = Qt.MouseButton.LeftButton


def view_point(window, x: float, y: float) -> QPoint:
    return window.view.mapFromScene(QPointF(x, y))


def click(window, x, y, button=LEFT, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.mouseClick(window.view.viewport(), button, modifier, view_point(window, x, y))


def double_click(window, x, y) -> None:
    QTest.mouseDClick(
        window.view.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, view_point(window, x, y)
    )


def drag(window, start, end, steps: int = 6, button=LEFT) -> None:
    vp = window.view.viewport()
    a, b = view_point(window, *start), view_point(window, *end)
    QTest.mousePress(vp, button, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, steps + 1):
        p = QPoint(a.x() + (b.x() - a.x()) * i // steps, a.y() + (b.y() - a.y()) * i // steps)
        QTest.mouseMove(vp, p)
    QTest.mouseRelease(vp, button, Qt.KeyboardModifier.NoModifier, b)


def key(window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(window.view.viewport(), key, modifier)


def neuron_centre(window, nid: str) -> tuple[float, float]:
    p = window.scene.neuron_items[nid].scenePos()
    return p.x(), p.y()


def handle_point(window, nid: str) -> tuple[float, float]:
    item = window.scene.neuron_items[nid]
    p = item.mapToScene(item.handle_centre())
    return p.x(), p.y()


def connection_point(window, key, t: float = 0.6) -> tuple[float, float]:
    p = window.scene.connection_items[key].line().pointAt(t)
    return p.x(), p.y()


def type_into(qtbot, line_edit, text: str) -> None:
    """Select what is there, type over it, press Enter. (QTest can only synthesise ASCII
    keys; other characters, such as − and ₁, are inserted as an input method would.)"""
    line_edit.setFocus()
    line_edit.selectAll()
    if text.isascii():
        QTest.keyClicks(line_edit, text) if text else QTest.keyClick(line_edit, Qt.Key.Key_Delete)
    else:
        line_edit.insert(text)
    QTest.keyClick(line_edit, Qt.Key.Key_Return)


class DialogAnswerer:
    """Answers each QMessageBox that opens with the next button in ``answers`` and keeps
    its text, so a test can check what the user was told."""

    def __init__(self, answers: list[QMessageBox.StandardButton]) -> None:
        self.answers = list(answers)
        self.seen: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def _poll(self) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            self.seen.append(f"{box.windowTitle()}: {box.text()} {box.informativeText()}")
            answer = self.answers.pop(0) if self.answers else QMessageBox.StandardButton.Ok
            button = box.button(answer)
            (button or box).click() if button else box.done(answer.value)

    def stop(self) -> None:
        self.timer.stop()


class HandClock:
    """A clock for the learning controller that moves only when a test says so: Play at
    N epochs/s then trains exactly N·seconds epochs, however fast the machine is."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def play_epochs(qtbot, window, epochs: int, rate: int = 1000) -> None:
    """Press Play and let exactly ``epochs`` more epochs train (the Play timer's real
    ticks, paced by a hand clock), then stay playing at that epoch."""
    controller = window.learning
    if not isinstance(controller.clock, HandClock):
        controller.clock = HandClock()
    controller.set_speed(rate)
    if not controller.playing:
        window.act_play.trigger()
    start = controller.trainer.epoch
    controller.clock.advance(epochs / rate)
    qtbot.waitUntil(lambda: controller.trainer.epoch >= start + epochs, timeout=60_000)
    assert controller.trainer.epoch == start + epochs
