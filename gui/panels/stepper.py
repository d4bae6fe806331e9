"""The step-through dock: the current step's formula with symbols and with numbers, the list
of every step of the iteration (click to jump), the sample being walked and the size of
a step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from engine.datasets import dataset_from_spec
from engine.formatting import format_number, to_html, to_plain
from engine.matrix_form import MatrixForm

from ..canvas.annotations import SHOWABLE

GRANULARITY_NAMES = {
    "step": "Micro-step",
    "neuron": "Neuron",
    "level": "Layer",
    "phase": "Phase",
    "iteration": "Iteration",
    "epoch": "Epoch",
}


class StepPanel(QWidget):
    def __init__(self, controller, window) -> None:
        super().__init__()
        self.controller = controller
        self.doc = controller.doc
        self.sample_combo = QComboBox()
        self.granularity_combo = QComboBox()
        for key, name in GRANULARITY_NAMES.items():
            self.granularity_combo.addItem(name, key)
        form = QFormLayout()
        form.addRow("Walk", self.sample_combo)
        form.addRow("Step by", self.granularity_combo)
        self.matrix_box = QCheckBox("Matrix form of the current layer")
        self.matrix_box.setToolTip(
            "The layer as A·W + b = Z, A = f(Z) forward, Δ, ∂L/∂W and ∂L/∂b backward, "
            "rows = samples (best with Step by: Layer)"
        )
        form.addRow("", self.matrix_box)

        buttons = QHBoxLayout()
        for action in (window.act_step_back, window.act_step, window.act_play, window.act_reset):
            from PySide6.QtWidgets import QToolButton

            b = QToolButton()
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.counters = QLabel()
        self.formula = QLabel()
        self.formula.setWordWrap(True)
        self.formula.setTextFormat(Qt.TextFormat.RichText)
        self.formula.setMinimumHeight(70)
        self.formula.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.formula.setStyleSheet("font-size: 12pt; padding: 6px; border-radius: 4px;")
        self.matrix = QPlainTextEdit()
        self.matrix.setReadOnly(True)
        self.matrix.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.matrix.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.matrix.hide()
        self.matrix_box.toggled.connect(self._matrix_toggled)
        self.steps = QListWidget()
        self.steps.setAlternatingRowColors(True)
        self.steps.itemClicked.connect(lambda item: controller.jump(self.steps.row(item)))
        toggles = QHBoxLayout()
        self.toggles = {}
        for name in SHOWABLE:
            box = QCheckBox(name.capitalize())
            box.setChecked(True)
            box.toggled.connect(lambda _on: controller.state_changed.emit())
            toggles.addWidget(box)
            self.toggles[name] = box
        toggles.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.counters)
        layout.addWidget(self.formula)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.matrix, 1)
        layout.addLayout(toggles)

        self.sample_combo.activated.connect(self._sample_chosen)
        self.granularity_combo.activated.connect(
            lambda _i: setattr(controller, "granularity", self.granularity_combo.currentData())
        )
        controller.state_changed.connect(self.refresh)
        controller.progress.connect(self._update_counters)
        self.doc.network_replaced.connect(self._fill_samples)
        self.doc.network_edited.connect(self._fill_samples)
        self._walk = None
        self._form: MatrixForm | None = None
        self._fill_samples()
        self.refresh()

    @property
    def shown(self) -> set[str]:
        return {name for name, box in self.toggles.items() if box.isChecked()}

    def _fill_samples(self) -> None:
        net = self.doc.network
        self.sample_combo.clear()
        self.sample_combo.addItem("The training batch (as training would)", None)
        if net.dataset is None:
            return
        try:
            data = dataset_from_spec(net.dataset, net.inputs, net.outputs)
        except ValueError:
            return
        for i in range(min(len(data), 200)):
            xs = ", ".join(format_number(v, 3) for v in data.inputs[i])
            ys = ", ".join(format_number(v, 3) for v in data.targets[i])
            self.sample_combo.addItem(f"Sample {i}: x = ({xs}), y = {ys}", i)
        index = self.sample_combo.findData(self.controller.sample)
        self.sample_combo.setCurrentIndex(max(index, 0))

    def _matrix_toggled(self, on: bool) -> None:
        self.matrix.setVisible(on)
        self.steps.setVisible(not on)
        self.refresh()

    def _show_matrix(self, session) -> None:
        """The current step's layer in matrix form: its forward products during the
        forward pass, its Δ and gradients from the loss on (the numbers of the same walk)."""
        if session is None:
            self.matrix.setPlainText("Press Step (→) to walk an iteration in matrix form.")
            return
        walk = session.walk
        if self._form is None or self._form.walk is not walk:
            self._form = MatrixForm(walk.network, walk=walk)
        form, step = self._form, session.cursor.step
        if step is None:
            lines = ["Start of the iteration: the first layer's matrices.", ""]
            lines += form.forward_lines(1)
        else:
            depth = walk.depth[step.neuron] if step.neuron is not None else 1
            k = form.level_of_depth(depth) if depth > 0 else 1
            if step.phase == "forward":
                lines = form.forward_lines(k)
            elif step.phase == "loss":
                lines = [form.loss_line(), "", *form.forward_lines(k)]
            else:
                lines = form.backward_lines(k)
        text = "\n".join(lines)
        if text != self.matrix.toPlainText():
            self.matrix.setPlainText(text)

    def _sample_chosen(self) -> None:
        self.controller.set_sample(self.sample_combo.currentData())

    def _update_counters(self) -> None:
        t = self.controller.trainer
        if t is None:
            self.counters.setText("Not started: Step (→) walks an iteration, Play (Space) trains.")
            return
        loss = f", loss {format_number(t.history.loss[-1], 4)}" if t.history.loss else ""
        self.counters.setText(f"Epoch {t.epoch} · iteration {t.iteration}{loss}")

    def refresh(self) -> None:
        self._update_counters()
        index = self.sample_combo.findData(self.controller.sample)
        if index >= 0 and index != self.sample_combo.currentIndex():
            self.sample_combo.setCurrentIndex(index)
        session = self.controller.session
        if self.matrix_box.isChecked():
            self._show_matrix(session)
        if session is None:
            self._walk = None
            self.steps.clear()
            self.formula.setText(
                "<i>Press Step (→) to walk through one training iteration, formula by formula.</i>"
            )
            return
        walk = session.walk
        if walk is not self._walk:
            self._walk = walk
            self.steps.clear()
            for step in walk.steps:
                item = QListWidgetItem(f"{step.index + 1:3}. {step.phase:8} {to_plain(step.line)}")
                item.setToolTip(step.title)
                self.steps.addItem(item)
        position = session.cursor.position
        self.steps.setCurrentRow(position)
        if position >= 0:
            self.steps.scrollToItem(self.steps.item(position))
            step = session.cursor.step
            self.formula.setText(
                f"<b>{step.phase.capitalize()}</b> · {to_html(step.title)}<br>"
                f"<span style='font-size:13pt'>{to_html(step.line)}</span>"
            )
        else:
            self.formula.setText("<i>Start of the iteration: nothing computed yet.</i>")
