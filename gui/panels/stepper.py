"""The step-through dock: the current step's formula with symbols and with numbers, the list
of every step of the iteration (click to jump), the sample being walked and the size of
a step."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
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


MIN_FORMULA_HEIGHT = 70  # (an explicit setMinimumHeight would override the hint below)


class FormulaLabel(QLabel):
    """Word-wrapped text that no layout squeezes: its minimum height is what its text
    needs at its width (dock layouts ignore height-for-width, and in presentation mode
    the last line, the result, was cut off)."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        # behind another tab its width is stale (a presentation's, say, which then held
        # the restored layout 16 px off what it had been): only a label on screen counts
        shown = self.isVisible() and not self.visibleRegion().isEmpty()
        needed = self.heightForWidth(max(self.width(), 1)) if shown else 0
        return QSize(hint.width(), max(hint.height(), needed, MIN_FORMULA_HEIGHT))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.updateGeometry()  # a new width, a new height


class StepList(QListWidget):
    """The walk's steps; the current one stays in view when the list changes size (a
    dock resized, presentation mode's larger type)."""

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.currentItem() is not None:
            self.scrollToItem(self.currentItem())


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
        self.matrix_box = QCheckBox("Matrix form")
        self.matrix_box.setToolTip(
            "The current layer as A·W + b = Z, A = f(Z) forward, Δ, ∂L/∂W and ∂L/∂b "
            "backward, rows = samples (best with Step by: Layer)"
        )
        step_row = QHBoxLayout()  # (one row: on a small screen the step list needs the room)
        step_row.addWidget(self.granularity_combo, 1)
        step_row.addWidget(self.matrix_box)
        form.addRow("Step by", step_row)

        buttons = QHBoxLayout()
        for action in (window.act_step_back, window.act_step, window.act_play, window.act_reset):
            from PySide6.QtWidgets import QToolButton

            b = QToolButton()
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.counters = QLabel()
        self.formula = FormulaLabel()
        self.formula.setWordWrap(True)
        self.formula.setTextFormat(Qt.TextFormat.RichText)
        self.formula.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.scale = 1.0  # presentation mode writes the formula larger
        self._style_formula()
        self.matrix = QPlainTextEdit()
        self.matrix.setReadOnly(True)
        self.matrix.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.matrix.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.matrix.hide()
        self.matrix_box.toggled.connect(self._matrix_toggled)
        self.steps = StepList()
        self.steps.setAlternatingRowColors(True)
        self._list_points = self.steps.font().pointSizeF()  # at scale 1 (presentation)
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
        self.predict_box = QCheckBox("Predict")
        self.predict_box.setToolTip(
            "Predict mode: each step's result stays hidden until you type it (Enter checks "
            "it); a wrong answer says which operand to look at again"
        )
        self.predict_box.toggled.connect(controller.set_predict)
        toggles.addWidget(self.predict_box)
        self.answer = QLineEdit()
        self.answer.setPlaceholderText("the result")
        self.answer.returnPressed.connect(self._check)
        self.check_button = QPushButton("Check")
        self.check_button.clicked.connect(self._check)
        self.reveal_button = QPushButton("Reveal")
        self.reveal_button.clicked.connect(self._reveal)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.score_label = QLabel()
        answer_row = QHBoxLayout()
        answer_row.setContentsMargins(0, 0, 0, 0)
        for w in (QLabel("Your result"), self.answer, self.check_button, self.reveal_button):
            answer_row.addWidget(w)
        self.predict_row = QWidget()
        predict_layout = QVBoxLayout(self.predict_row)
        predict_layout.setContentsMargins(0, 0, 0, 0)
        predict_layout.addLayout(answer_row)
        predict_layout.addWidget(self.verdict)
        predict_layout.addWidget(self.score_label)
        self.predict_row.hide()
        self._hidden_from = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)  # (every pixel of height goes to the step list)
        form.setVerticalSpacing(4)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.counters)
        layout.addWidget(self.formula)
        layout.addWidget(self.predict_row)
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
        if self.controller.pending:  # predict mode: nothing given away
            self.matrix.setPlainText("The matrices appear once this step's result is typed.")
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

    def _list_texts(self, walk, position: int) -> None:
        """Every step with its result; in predict mode, those not yet answered end in ?"""
        hide_from = len(walk.steps)
        if self.controller.predict:
            hide_from = position if self.controller.pending else position + 1
        if hide_from == self._hidden_from:
            return
        self._hidden_from = hide_from
        for step in walk.steps:
            text = (
                to_plain(step.line) if step.index < hide_from else to_plain(step.symbolic) + " = ?"
            )
            self.steps.item(step.index).setText(f"{step.index + 1:3}. {step.phase:8} {text}")

    def _show_predict(self, position: int) -> None:
        c = self.controller
        self.predict_row.setVisible(c.predict)
        self.answer.setEnabled(c.pending)
        self.check_button.setEnabled(c.pending)
        self.reveal_button.setEnabled(c.pending)
        if c.predict:
            self.score_label.setText(f"This iteration: {c.score}.")
        if not c.pending:
            self.answer.clear()

    def _check(self) -> None:
        verdict = self.controller.answer(self.answer.text())
        if verdict is not None:
            self.verdict.setText(("✓ " if verdict.correct else "✗ ") + verdict.message)
            self.verdict.setStyleSheet(f"color: {'#2e9d4f' if verdict.correct else '#d13b3b'};")
            if not verdict.correct:
                self.answer.selectAll()

    def _reveal(self) -> None:
        step = self.controller.session.cursor.step if self.controller.session else None
        self.controller.reveal()
        if step is not None:
            self.verdict.setText(f"Revealed: {to_plain(step.line)}")
            self.verdict.setStyleSheet("color: #666;")

    def _update_counters(self) -> None:
        t = self.controller.trainer
        if t is None:
            self.counters.setText("Not started: Step (→) walks an iteration, Play (Space) trains.")
            return
        viewing = self.controller.viewing
        if viewing is not None:
            self.counters.setText(
                f"Viewing epoch {viewing} of {t.epoch} (time travel): Step continues from here"
            )
            return
        # the loss of the weights shown (as the Loss dock's readout gives it), not the one
        # measured during the last epoch, before its update
        loss = f" · loss {format_number(t.evaluate()[0], 4)}" if t.history.loss else ""
        self.counters.setText(f"Epoch {t.epoch} · iteration {t.iteration}{loss}")

    def _style_formula(self) -> None:
        self.formula.setStyleSheet(
            f"font-size: {12 * self.scale:g}pt; padding: 6px; border-radius: 4px;"
        )

    def set_scale(self, scale: float) -> None:
        """Type size of the formula and the step list (presentation mode): 1 is the
        normal size."""
        self.scale = scale
        self._style_formula()
        font = self.steps.font()
        font.setPointSizeF(self._list_points * scale)
        self.steps.setFont(font)
        self.refresh()
        if self.steps.currentItem() is not None:  # rows of another height: find it again
            self.steps.scrollToItem(self.steps.currentItem())

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
                item = QListWidgetItem()
                item.setToolTip(step.title)
                self.steps.addItem(item)
            self._hidden_from = None
        position = session.cursor.position
        self._list_texts(walk, position)
        self.steps.setCurrentRow(position)
        self._show_predict(position)
        if position >= 0 and self.controller.pending:
            step = session.cursor.step
            self.formula.setText(
                f"<b>{step.phase.capitalize()}</b> · {to_html(step.title)} · <i>your turn</i><br>"
                f"<span style='font-size:{13 * self.scale:g}pt'>{to_html(step.symbolic)} = "
                f"{to_html(step.numeric)} = <b>?</b></span>"
            )
            self.answer.setFocus()
        elif position >= 0:
            self.steps.scrollToItem(self.steps.item(position))
            step = session.cursor.step
            m = walk.m
            which = (
                f"<br><span style='color:#666; font-size:{9.5 * self.scale:g}pt'>sample i = "
                f"{walk.sample} of the batch of {m}; L, ∂L/∂w, ∂L/∂b: batch means</span>"
                if m > 1
                else ""
            )
            self.formula.setText(
                f"<b>{step.phase.capitalize()}</b> · {to_html(step.title)}<br>"
                f"<span style='font-size:{13 * self.scale:g}pt'>{to_html(step.line)}</span>{which}"
            )
        else:
            self.formula.setText("<i>Start of the iteration: nothing computed yet.</i>")
