"""The training dock: the settings saved in the network file (each change is an undo
step), Play / Pause / Reset, speed, and what training is doing.

Only the settings that apply are shown (momentum's μ with momentum, Adam's β with Adam,
the halving floor when a halving rule is on…). Numbers are typed as text, so any
precision goes (1e-6 for a stop rule); a value that is not a number, or out of range, is
refused with a message saying which field and why, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.losses import LOSSES
from engine.settings import DTYPES, INITIALIZERS, OPTIMIZERS, TrainingSettings

from ..commands import SetTraining
from ..learning import SPEEDS
from ..numbers import NumberError, parse_number

LOSS_NAMES = {
    "mse": "½·mean squared error",
    "bce": "binary cross-entropy",
    "cross_entropy": "cross-entropy (softmax)",
    "output": "L = ŷ (chain-rule drills)",
}
INITIALIZER_NAMES = {
    "uniform": "uniform",
    "normal": "normal N(0, σ²)",
    "xavier": "Xavier (uniform)",
    "xavier_normal": "Xavier (normal)",
    "he": "He (normal)",
}

DTYPE_NAMES = {
    "float64": "float64 (as the walkthrough)",
    "float32": "float32 (faster on large networks)",
}


def _halving(t: TrainingSettings) -> bool:
    return t.halve_on_plateau or t.halve_on_rise


@dataclass
class Number:
    """A real-valued setting typed as text: ``low`` ≤ value (``open_low``: <), value < ``high``."""

    low: float = 0.0
    high: float = float("inf")
    open_low: bool = False
    optional: str = ""  # the text shown for None (and typing nothing means None)

    def parse(self, text: str) -> float | None:
        if self.optional and not text.strip():
            return None
        value = parse_number(text)
        if value < self.low or (self.open_low and value == self.low):
            raise NumberError(
                f"must be {'more than' if self.open_low else 'at least'} {self.low:g}"
            )
        if value >= self.high:
            raise NumberError(f"must be less than {self.high:g}")
        return value


# (field, label, widget spec, shown when)
ALWAYS: Callable[[TrainingSettings], bool] = lambda t: True  # noqa: E731
FIELDS: list[tuple[str, str, object, Callable[[TrainingSettings], bool]]] = [
    ("loss", "Loss", [(LOSS_NAMES[n], n) for n in LOSSES], ALWAYS),
    ("optimizer", "Optimizer", [(n, n) for n in OPTIMIZERS], ALWAYS),
    ("learning_rate", "Learning rate η", Number(0.0, open_low=True), ALWAYS),
    ("batch_size", "Batch size", (0, 1_000_000, "full batch"), ALWAYS),
    ("shuffle", "reshuffle every epoch", bool, lambda t: t.batch_size is not None),
    ("momentum", "Momentum μ", Number(0.0, 1.0), lambda t: t.optimizer == "momentum"),
    ("rho", "RMSProp ρ", Number(0.0, 1.0), lambda t: t.optimizer == "rmsprop"),
    ("beta1", "Adam β₁", Number(0.0, 1.0), lambda t: t.optimizer == "adam"),
    ("beta2", "Adam β₂", Number(0.0, 1.0), lambda t: t.optimizer == "adam"),
    (
        "epsilon",
        "ε (in √v + ε)",
        Number(0.0, open_low=True),
        lambda t: t.optimizer in ("rmsprop", "adam"),
    ),
    (
        "regularization",
        "Regularisation",
        [("none", "none"), ("L1: + λ·Σ|w|", "l1"), ("L2: + (λ/2)·Σ w²", "l2")],
        ALWAYS,
    ),
    (
        "regularization_rate",
        "Rate λ",
        Number(0.0),
        lambda t: t.regularization != "none",
    ),
    ("halve_on_plateau", "halve η on a plateau", bool, ALWAYS),
    ("plateau_patience", "Patience (epochs)", (1, 1_000_000, ""), lambda t: t.halve_on_plateau),
    ("halve_on_rise", "halve η when the loss rises", bool, ALWAYS),
    ("halve_after", "Not before epoch", (0, 10_000_000, ""), _halving),
    ("min_learning_rate", "Floor of η", Number(0.0), _halving),
    ("initializer", "Initialiser", [(INITIALIZER_NAMES[n], n) for n in INITIALIZERS], ALWAYS),
    (
        "init_scale",
        "Scale (±range or σ)",
        Number(0.0, open_low=True),
        lambda t: t.initializer == "normal" or (t.initializer == "uniform" and not t.init_range),
    ),
    ("init_range", "Range [low, high)", "range", lambda t: t.initializer == "uniform"),
    ("seed", "Seed", (0, 2**31 - 1, ""), ALWAYS),
    ("dtype", "Arithmetic", [(DTYPE_NAMES[n], n) for n in DTYPES], ALWAYS),
    ("max_epochs", "Max epochs", (1, 10_000_000, ""), ALWAYS),
    ("target_loss", "Stop at loss", Number(0.0, optional="none"), ALWAYS),
    (
        "min_improvement",
        "Stop at improvement <",
        Number(0.0, open_low=True, optional="never"),
        ALWAYS,
    ),
]


class TrainingPanel(QWidget):
    def __init__(self, controller, window) -> None:
        super().__init__()
        self.controller = controller
        self.doc = controller.doc
        self.fields: dict[str, QWidget] = {}
        self.form = QFormLayout()
        self._shown_when: dict[str, Callable] = {}
        for name, label, spec, shown in FIELDS:
            widget = self._widget(name, spec)
            self._shown_when[name] = shown
            if isinstance(widget, QCheckBox):
                widget.setText(label)
                self.form.addRow("", widget)
            else:
                self.form.addRow(label, widget)
        self.fields["batch_size"].setToolTip(
            "Samples per update: 1 is online SGD, 'full batch' uses them all"
        )
        self.fields["dtype"].setToolTip(
            "The number type training computes in. float32 is about twice as fast on large "
            "networks and its loss curve stays within 10⁻³ of float64's; the weights stay "
            "float64, and stepping and the gradient check always compute in float64"
        )
        self.fields["target_loss"].setToolTip("Stop when the epoch loss reaches this value")
        self.fields["min_improvement"].setToolTip(
            "Stop when 0 < previous epoch's loss − this epoch's loss < this value"
        )

        buttons = QHBoxLayout()
        for action in (window.act_play, window.act_reset):
            b = QToolButton()
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            buttons.addWidget(b)
        self.speed = QComboBox()
        for eps in SPEEDS:
            text = "as fast as possible" if eps is None else f"{eps} epoch{'s' * (eps != 1)}/s"
            self.speed.addItem(text, eps)
        self.speed.setCurrentIndex(SPEEDS.index(controller.epochs_per_second))
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
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.doc.network_replaced.connect(self.refresh)
        self.doc.training_changed.connect(self.refresh)
        controller.message.connect(self.status.setText)
        controller.messages_stale.connect(self.status.clear)
        controller.running_changed.connect(self._running_changed)
        self.refresh()

    def _running_changed(self, on: bool) -> None:
        if on:
            self.status.setText("Training…")
        elif self.status.text() == "Training…" and self.controller.trainer is not None:
            self.status.setText(f"Paused at epoch {self.controller.trainer.epoch}.")

    # ------------------------------------------------------------- widgets
    def _widget(self, name: str, spec) -> QWidget:
        if isinstance(spec, list):
            widget = QComboBox()
            for text, value in spec:
                widget.addItem(text, value)
            widget.activated.connect(lambda _i: self._set(name, widget.currentData()))
        elif spec is bool:
            widget = QCheckBox()
            widget.toggled.connect(lambda on: self._set(name, on))
        elif isinstance(spec, tuple):  # whole numbers: (low, high, text for the lowest)
            widget = QSpinBox()
            widget.setRange(spec[0], spec[1])
            if spec[2]:
                widget.setSpecialValueText(spec[2])
            widget.editingFinished.connect(lambda: self._set_whole(name, widget))
        elif spec == "range":
            widget = QWidget()
            row = QHBoxLayout(widget)
            row.setContentsMargins(0, 0, 0, 0)
            widget.low, widget.high = QLineEdit(), QLineEdit()
            for edit, hint in ((widget.low, "−scale"), (widget.high, "+scale")):
                edit.setPlaceholderText(hint)
                edit.editingFinished.connect(lambda: self._set_range(widget))
            row.addWidget(widget.low)
            row.addWidget(QLabel("to"))
            row.addWidget(widget.high)
        else:
            widget = QLineEdit()
            widget.spec = spec
            if spec.optional:
                widget.setPlaceholderText(spec.optional)
            widget.editingFinished.connect(lambda: self._set_number(name, widget))
        self.fields[name] = widget
        return widget

    def _set_whole(self, name: str, box: QSpinBox) -> None:
        value = box.value()
        if name == "batch_size":
            value = value or None
        self._set(name, value)

    def _set_number(self, name: str, edit: QLineEdit) -> None:
        label = self.form.labelForField(edit)
        try:
            value = edit.spec.parse(edit.text())
        except NumberError as e:
            text = label.text() if label is not None else name
            self.status.setText(f"{text}: {e}. Nothing changed.")
            self._show_value(name)
            return
        self._set(name, value)

    def _set_range(self, widget) -> None:
        low, high = widget.low.text().strip(), widget.high.text().strip()
        if not low and not high:
            self._set("init_range", None)
            return
        try:
            values = [parse_number(low), parse_number(high)]
            if not values[0] < values[1]:
                raise NumberError("low must be less than high")
        except NumberError as e:
            if widget.low.hasFocus() or widget.high.hasFocus():
                return  # half typed: wait for the other end
            self.status.setText(f"Range: {e}. Nothing changed.")
            self._show_value("init_range")
            return
        self._set("init_range", values)

    def _set(self, name: str, value) -> None:
        if getattr(self.doc.network.training, name) != value:
            self.doc.undo_stack.push(SetTraining(self.doc, name, value))
        else:
            self._show_value(name)

    # ------------------------------------------------------------- showing
    def _show_value(self, name: str) -> None:
        widget = self.fields[name]
        value = getattr(self.doc.network.training, name)
        widget.blockSignals(True)
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData(value))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QSpinBox):
            widget.setValue(value or 0)
        elif isinstance(widget, QLineEdit):
            widget.setText("" if value is None else f"{value:.12g}")
        else:  # the range
            low, high = value or ("", "")
            widget.low.setText(f"{low:.12g}" if value else "")
            widget.high.setText(f"{high:.12g}" if value else "")
        widget.blockSignals(False)

    def refresh(self) -> None:
        t = self.doc.network.training
        for name in self.fields:
            self._show_value(name)
            self.form.setRowVisible(self.fields[name], bool(self._shown_when[name](t)))
