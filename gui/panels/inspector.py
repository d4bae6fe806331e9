"""The inspector dock: properties of the selected neuron(s) or connection, edited through
undo commands. A value that cannot be accepted is shown as a problem in the field and
the model is left as it was."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from engine.activations import ACTIVATIONS
from engine.errors import NetworkError
from engine.formatting import format_number
from engine.network import KINDS

from ..commands import SetNeuronProperty, SetParameters
from ..numbers import NumberError, parse_number

ACTIVATION_NAMES = {
    "step": "step (perceptron)",
    "linear": "linear (identity)",
    "sigmoid": "sigmoid σ",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "softmax": "softmax (all outputs)",
}


class NumberField(QWidget):
    """A line edit for one number, with its problem written under it."""

    committed = Signal(float)
    rejected = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setClearButtonEnabled(False)
        self.error = QLabel()
        self.error.setStyleSheet("color: #d13b3b;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        self._value: float | None = None
        self._shown = ""  # the text set_value wrote: Enter on it unchanged changes nothing
        self.edit.editingFinished.connect(self._finish)

    def set_value(self, value: float) -> None:
        """Show ``value``, unless the user is typing another one right now."""
        if self.edit.hasFocus() and self.edit.text() != self._shown:
            self._value = value
            return
        self._value = value
        self._shown = format_number(value, 6)
        self.edit.setText(self._shown)
        self._set_problem("")

    def _set_problem(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.edit.setStyleSheet(
            "border: 2px solid #d13b3b; border-radius: 3px;" if message else ""
        )

    def _finish(self) -> None:
        if self.edit.text() == self._shown:  # not edited (it shows the value rounded)
            self._set_problem("")
            return
        try:
            value = parse_number(self.edit.text())
        except NumberError as e:
            self._set_problem(f"Not changed: {e}.")
            self.rejected.emit(str(e))
            return
        self._set_problem("")
        if value != self._value:
            self._value = value
            self.committed.emit(value)


class Inspector(QWidget):
    message = Signal(str)

    def __init__(self, doc, scene) -> None:
        super().__init__()
        self.doc, self.scene = doc, scene
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.stack)
        layout.addStretch(1)

        empty = QLabel(
            "Select a neuron or a connection to see and edit its properties.\n\n"
            "Tip: double-click empty canvas to add a neuron; drag from a neuron's "
            "+ handle to connect it."
        )
        empty.setWordWrap(True)
        empty.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.stack.addWidget(empty)

        # one neuron
        page = QWidget()
        form = QFormLayout(page)
        self.neuron_title = QLabel()
        self.neuron_title.setStyleSheet("font-weight: bold; font-size: 13pt;")
        form.addRow(self.neuron_title)
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("shown on the canvas, e.g. h₁")
        self.kind_combo = QComboBox()
        self.kind_combo.addItems(KINDS)
        self.activation_combo = self._activation_combo()
        self.bias_field = NumberField()
        form.addRow("Label", self.label_edit)
        form.addRow("Kind", self.kind_combo)
        form.addRow("Activation", self.activation_combo)
        form.addRow("Bias", self.bias_field)
        self.stack.addWidget(page)

        # one connection
        page = QWidget()
        form = QFormLayout(page)
        self.connection_title = QLabel()
        self.connection_title.setStyleSheet("font-weight: bold; font-size: 13pt;")
        form.addRow(self.connection_title)
        self.weight_field = NumberField()
        form.addRow("Weight", self.weight_field)
        self.stack.addWidget(page)

        # several neurons
        page = QWidget()
        form = QFormLayout(page)
        self.many_title = QLabel()
        self.many_title.setStyleSheet("font-weight: bold;")
        form.addRow(self.many_title)
        self.many_activation = self._activation_combo()
        form.addRow("Activation (all)", self.many_activation)
        self.stack.addWidget(page)

        self.label_edit.editingFinished.connect(self._label_edited)
        self.kind_combo.activated.connect(self._kind_chosen)
        self.activation_combo.activated.connect(
            lambda _i: self._activation_chosen(self.activation_combo, [self._neuron])
        )
        self.many_activation.activated.connect(
            lambda _i: self._activation_chosen(self.many_activation, self._many)
        )
        self.bias_field.committed.connect(self._bias_committed)
        self.weight_field.committed.connect(self._weight_committed)
        for field in (self.bias_field, self.weight_field):
            field.rejected.connect(lambda msg: self.message.emit(f"Value not changed: {msg}."))
        self._neuron: str | None = None
        self._connection: tuple[str, str] | None = None
        self._many: list[str] = []
        scene.selectionChanged.connect(self.refresh)
        doc.network_edited.connect(self.refresh)
        # training shows its progress without editing: follow it, or Enter would write an
        # old value back
        doc.connection_changed.connect(self._connection_changed)
        doc.neuron_changed.connect(self._neuron_changed)
        self.refresh()

    def _connection_changed(self, key) -> None:
        if self._connection == tuple(key) and self.doc.network.has_connection(*key):
            self.weight_field.set_value(self.doc.network.connection(*key).weight)

    def _neuron_changed(self, nid: str) -> None:
        if self._neuron == nid and self.doc.network.has_neuron(nid):
            self.bias_field.set_value(self.doc.network.neuron(nid).bias)

    @staticmethod
    def _activation_combo() -> QComboBox:
        combo = QComboBox()
        for name in ACTIVATIONS:
            combo.addItem(ACTIVATION_NAMES[name], name)
        return combo

    # --------------------------------------------------------------- view
    def refresh(self) -> None:
        if not shiboken6.isValid(self.scene):  # the scene is being destroyed at exit
            return
        net = self.doc.network
        neurons = [n for n in self.scene.selected_neurons() if net.has_neuron(n)]
        conns = [k for k in self.scene.selected_connections() if net.has_connection(*k)]
        self._neuron, self._connection, self._many = None, None, []
        if len(neurons) == 1 and not conns:
            self._show_neuron(net.neuron(neurons[0]))
        elif len(conns) == 1 and not neurons:
            self._show_connection(net.connection(*conns[0]))
        elif len(neurons) > 1:
            self._many = [n for n in neurons if net.neuron(n).kind != "input"]
            self.many_title.setText(
                f"{len(neurons)} neurons selected"
                + (
                    f" ({len(neurons) - len(self._many)} inputs have no activation)"
                    if len(self._many) < len(neurons)
                    else ""
                )
            )
            acts = {net.neuron(n).activation for n in self._many}
            self.many_activation.setEnabled(bool(self._many))
            self.many_activation.setCurrentIndex(
                self.many_activation.findData(acts.pop()) if len(acts) == 1 else -1
            )
            self.stack.setCurrentIndex(3)
        else:
            self.stack.setCurrentIndex(0)

    def _show_neuron(self, n) -> None:
        self._neuron = n.id
        self.neuron_title.setText(f"Neuron {n.name}" + (f"  (id {n.id})" if n.label else ""))
        if not self.label_edit.hasFocus():
            self.label_edit.setText(n.label)
        self.kind_combo.setCurrentText(n.kind)
        is_input = n.kind == "input"
        self.activation_combo.setEnabled(not is_input)
        self.bias_field.setEnabled(not is_input)
        self.activation_combo.setCurrentIndex(
            self.activation_combo.findData(n.activation) if n.activation else -1
        )
        self.bias_field.set_value(n.bias)
        self.stack.setCurrentIndex(1)

    def _show_connection(self, c) -> None:
        self._connection = c.key
        net = self.doc.network
        self.connection_title.setText(
            f"Connection {net.neuron(c.source).name} → {net.neuron(c.target).name}"
        )
        self.weight_field.set_value(c.weight)
        self.stack.setCurrentIndex(2)

    # -------------------------------------------------------------- edits
    def _push(self, command) -> None:
        self.doc.undo_stack.push(command)

    def _label_edited(self) -> None:
        if self._neuron and self.label_edit.text() != self.doc.network.neuron(self._neuron).label:
            self._push(
                SetNeuronProperty(
                    self.doc, [self._neuron], "label", self.label_edit.text().strip()
                )
            )

    def _kind_chosen(self) -> None:
        kind = self.kind_combo.currentText()
        nid = self._neuron
        if nid is None or kind == self.doc.network.neuron(nid).kind:
            return
        net = self.doc.network
        if (kind == "input" and net.incoming(nid)) or (kind == "output" and net.outgoing(nid)):
            reason = "incoming" if kind == "input" else "outgoing"
            self.message.emit(
                f"{net.neuron(nid).name} has {reason} connections: it cannot be an {kind}."
            )
            self.refresh()
            return
        self._push(SetNeuronProperty(self.doc, [nid], "kind", kind))

    def _activation_chosen(self, combo: QComboBox, ids: list[str | None]) -> None:
        name = combo.currentData()
        ids = [i for i in ids if i and self.doc.network.neuron(i).activation != name]
        if not (ids and name):
            return
        try:  # outputs entering or leaving a softmax group take the others along
            self._push(SetNeuronProperty(self.doc, ids, "activation", name))
        except NetworkError as e:
            self.message.emit(str(e))
            self.refresh()

    def _bias_committed(self, value: float) -> None:
        if self._neuron:
            self._push(
                SetParameters(self.doc, {}, {self._neuron: value}, f"Set bias of {self._neuron}")
            )

    def _weight_committed(self, value: float) -> None:
        if self._connection:
            try:
                self._push(SetParameters(self.doc, {self._connection: value}, {}, "Set weight"))
            except NetworkError as e:
                self.message.emit(str(e))
