"""Editing a weight in place: a line edit over the weight's label on the canvas."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit

from engine.formatting import format_number

from ..numbers import NumberError, parse_number


class InlineNumberEdit(QLineEdit):
    """Enter commits, Esc cancels; an invalid entry stays open, marked, and changes nothing."""

    committed = Signal(float)
    rejected = Signal(str)

    def __init__(self, view, value: float) -> None:
        super().__init__(view.viewport())
        self.setText(format_number(value, 6))
        self.selectAll()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFixedWidth(96)
        self.returnPressed.connect(self._commit)

    def _commit(self) -> None:
        try:
            value = parse_number(self.text())
        except NumberError as e:
            self.setStyleSheet("border: 2px solid #d13b3b;")
            self.setToolTip(str(e))
            self.rejected.emit(str(e))
            return
        self.committed.emit(value)
        self.close_editor()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_editor()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.close_editor()

    def close_editor(self) -> None:
        self.hide()
        self.deleteLater()
