"""The training dock: the settings saved in the network file (each change is an undo
step), Play / Pause / Reset, speed, and what training is doing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.losses import LOSSES
from engine.settings import INITIALIZERS, OPTIMIZERS

from ..commands import SetTraining
from ..learning import SPEEDS

LOSS_NAMES = {
    "mse": "½·mean squared error",
    "bce": "binary cross-entropy",
    "output": "L = ŷ (chain-rule drills)",
}


class TrainingPanel(QWidget):
    def __init__(self, controller, window) -> None:
        super().__init__()
        self.controller = controller
        self.doc = controller.doc
        self.fields: dict[str, QWidget] = {}
        form = QFormLayout()

        self._combo("loss", [(LOSS_NAMES[n], n) for n in LOSSES])
        self._combo("optimizer", [(n, n) for n in OPTIMIZERS])
        self._number("learning_rate", 1e-5, 100.0, 0.01)
        batch = self._number("batch_size", 0, 100_000, 1, special="full batch")
        batch.setToolTip("Samples per update: 1 is online SGD, 'full batch' uses them all")
        self._number("momentum", 0.0, 0.999, 0.05)
        self._number("beta1", 0.0, 0.9999, 0.01)
        self._number("beta2", 0.0, 0.99999, 0.001)
        target = self._number("target_loss", 0.0, 100.0, 0.01, special="none")
        target.setToolTip("Stop when the epoch loss reaches this value")
        halve = QCheckBox("halve η on a plateau")
        halve.setToolTip("Halve the learning rate when the epoch loss stops improving")
        self._bind("halve_on_plateau", halve)
        self._combo("initializer", [(n, n) for n in INITIALIZERS])
        self._number("seed", 0, 2**31 - 1, 1)
        self._number("max_epochs", 1, 10_000_000, 1)
        for label, name in [
            ("Loss", "loss"),
            ("Optimizer", "optimizer"),
            ("Learning rate η", "learning_rate"),
            ("Batch size", "batch_size"),
            ("Momentum μ", "momentum"),
            ("Adam β₁", "beta1"),
            ("Adam β₂", "beta2"),
            ("", "halve_on_plateau"),
            ("Initialiser", "initializer"),
            ("Seed", "seed"),
            ("Max epochs", "max_epochs"),
            ("Target loss", "target_loss"),
        ]:
            form.addRow(label, self.fields[name])

        buttons = QHBoxLayout()
        for action in (window.act_play, window.act_reset):
            b = QToolButton()
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            buttons.addWidget(b)
        self.speed = QComboBox()
        for eps in SPEEDS:
            self.speed.addItem("as fast as possible" if eps is None else f"{eps} epochs/s", eps)
        self.speed.setCurrentIndex(self.speed.findData(controller.epochs_per_second))
        self.speed.setToolTip(
            "Epochs trained per second while playing: slow enough to watch the weights and "
            "the decision regions change, or as fast as the window allows"
        )
        self.speed.activated.connect(lambda _i: controller.set_speed(self.speed.currentData()))
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel("Speed"))
        speed_row.addWidget(self.speed, 1)
        speed_row.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(buttons)
        layout.addLayout(speed_row)
        layout.addWidget(self.status)
        layout.addLayout(form)
        layout.addStretch(1)
        self.doc.network_replaced.connect(self.refresh)
        self.doc.training_changed.connect(self.refresh)
        controller.message.connect(self.status.setText)
        controller.running_changed.connect(
            lambda on: self.status.setText("Training…" if on else self.status.text())
        )
        self.refresh()

    def _combo(self, name: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        for text, value in items:
            combo.addItem(text, value)
        self._bind(name, combo)
        return combo

    def _number(self, name, low, high, step, special: str = ""):
        """A spin box; whole numbers get a QSpinBox, others five decimals."""
        box = QSpinBox() if isinstance(step, int) else QDoubleSpinBox()
        if isinstance(box, QDoubleSpinBox):
            box.setDecimals(5)
        box.setRange(low, high)
        box.setSingleStep(step)
        if special:
            box.setSpecialValueText(special)
        self._bind(name, box)
        return box

    def _bind(self, name: str, widget) -> None:
        self.fields[name] = widget
        if isinstance(widget, QComboBox):
            widget.activated.connect(lambda _i: self._set(name, widget.currentData()))
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(lambda on: self._set(name, on))
        else:
            widget.editingFinished.connect(lambda: self._set(name, self._value(name, widget)))

    @staticmethod
    def _value(name: str, widget):
        value = widget.value()
        if name in ("batch_size", "target_loss"):
            return value or None
        return value

    def _set(self, name: str, value) -> None:
        if getattr(self.doc.network.training, name) != value:
            self.doc.undo_stack.push(SetTraining(self.doc, name, value))

    def refresh(self) -> None:
        t = self.doc.network.training
        for name, widget in self.fields.items():
            widget.blockSignals(True)
            value = getattr(t, name)
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(widget.findData(value))
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            else:
                widget.setValue(value or 0)
            widget.blockSignals(False)
