"""The data dock: which dataset the network trains on, and its samples as a truth table —
inputs, each hidden neuron's output, ŷ, the target and ✓/✗ — following training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.datasets import DATASET_NAMES, GATES, dataset_from_spec, load_csv
from engine.formatting import format_number
from engine.settings import DatasetSpec
from engine.trainer import correct_mask

from ..commands import SetDataset
from .throttle import Throttled

ROWS_SHOWN = 400
ROWS = "rows"  # the dataset is the file's own rows (typed, imported or edited)


class DataPanel(QWidget):
    def __init__(self, controller) -> None:
        super().__init__()
        self.controller = controller
        self.doc = controller.doc
        self.source = QComboBox()
        self.source.addItem("Rows in the file", ROWS)
        for name in DATASET_NAMES:
            self.source.addItem(name.replace("_", " "), name)
        self.size = QSpinBox()
        self.size.setRange(4, 100_000)
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0.0, 5.0)
        self.noise.setSingleStep(0.05)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.test_fraction = QDoubleSpinBox()
        self.test_fraction.setRange(0.0, 0.9)
        self.test_fraction.setSingleStep(0.05)
        csv_button = QPushButton("Load CSV…")
        csv_button.clicked.connect(self.load_csv_dialog)
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.source, 1)
        row.addWidget(csv_button)
        form.addRow("Dataset", row)
        params = QHBoxLayout()
        for label, widget in (("size", self.size), ("noise", self.noise), ("seed", self.seed)):
            params.addWidget(QLabel(label))
            params.addWidget(widget)
        form.addRow("", params)
        form.addRow("Test fraction", self.test_fraction)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.summary = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

        self.source.activated.connect(lambda _i: self._spec_edited())
        for widget in (self.size, self.noise, self.seed, self.test_fraction):
            widget.editingFinished.connect(self._spec_edited)
        self.doc.network_replaced.connect(self.refresh)
        self.doc.network_edited.connect(self.refresh)
        throttled = Throttled(self.refresh_values, 0.2, self)
        controller.progress.connect(throttled)
        controller.state_changed.connect(throttled)
        self.refresh()

    # ------------------------------------------------------------- source
    def _show_spec(self) -> None:
        spec = self.doc.network.dataset
        widgets = (self.source, self.size, self.noise, self.seed, self.test_fraction)
        for w in widgets:
            w.blockSignals(True)
        generator = spec.generator if spec else None
        self.source.setCurrentIndex(self.source.findData(generator or ROWS))
        params = spec.params if spec else {}
        self.size.setValue(int(params.get("size", 200)))
        self.noise.setValue(float(params.get("noise", 0.1)))
        self.seed.setValue(int(params.get("seed", 0)))
        self.test_fraction.setValue(spec.test_fraction if spec else 0.0)
        takes_params = generator is not None and generator not in GATES
        for w in (self.size, self.noise, self.seed):
            w.setEnabled(takes_params)
        for w in widgets:
            w.blockSignals(False)

    def _spec_edited(self) -> None:
        old = self.doc.network.dataset
        choice = self.source.currentData()
        if choice == ROWS:
            if old is None or old.generator is None:
                spec = old.copy() if old else None
            else:  # the generated rows become the file's own, to edit or extend
                data = dataset_from_spec(old, self.doc.network.inputs, self.doc.network.outputs)
                spec = DatasetSpec(inputs=data.inputs.tolist(), targets=data.targets.tolist())
        elif choice in GATES:
            spec = DatasetSpec(generator=choice)
        else:
            spec = DatasetSpec(
                generator=choice,
                params={
                    "size": self.size.value(),
                    "noise": self.noise.value(),
                    "seed": self.seed.value(),
                },
            )
        if spec is None:
            return
        spec.test_fraction = self.test_fraction.value()
        spec.split_seed = old.split_seed if old else 0
        if old is None or _spec_key(spec) != _spec_key(old):
            net = self.doc.network
            if spec.generator and (len(net.inputs), len(net.outputs)) != (2, 1):
                self.summary.setText(
                    f"“{choice}” makes 2 inputs and 1 target; this network has "
                    f"{len(net.inputs)} inputs and {len(net.outputs)} outputs."
                )
                self._show_spec()
                return
            self.doc.undo_stack.push(SetDataset(self.doc, spec))

    def load_csv_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load a CSV dataset", str(Path.home()), "CSV (*.csv)"
        )
        if path:
            self.load_csv(Path(path))

    def load_csv(self, path: Path) -> bool:
        """Last column(s) as targets, one per output neuron; errors name row and column."""
        net = self.doc.network
        try:
            with path.open(encoding="utf-8-sig") as f:
                header = f.readline().strip().split(",")
            n_out = len(net.outputs)
            data = load_csv(path, header[: len(header) - n_out], header[len(header) - n_out :])
            if data.inputs.shape[1] != len(net.inputs):
                raise ValueError(
                    f"{path.name} has {data.inputs.shape[1]} input columns; the network has "
                    f"{len(net.inputs)} inputs"
                )
        except (OSError, ValueError) as e:
            self.summary.setText(f"Not loaded: {e}")
            return False
        spec = DatasetSpec(inputs=data.inputs.tolist(), targets=data.targets.tolist())
        self.doc.undo_stack.push(SetDataset(self.doc, spec, f"Load {path.name}"))
        return True

    # -------------------------------------------------------------- table
    def refresh(self) -> None:
        self._show_spec()
        net = self.doc.network
        self.data = None
        if net.dataset is None:
            self.table.clear()
            self.summary.setText("No dataset: choose one above.")
            return
        try:
            self.data = dataset_from_spec(net.dataset, net.inputs, net.outputs)
        except ValueError as e:
            self.table.clear()
            self.summary.setText(str(e))
            return
        hidden = [n.id for n in net.neurons if n.kind == "hidden"]
        names = (
            [net.neuron(i).name for i in net.inputs]
            + [net.neuron(h).name for h in hidden]
            + [net.neuron(o).name for o in net.outputs]
            + [f"target {net.neuron(o).name}" for o in net.outputs]
            + ["✓/✗"]
        )
        self.columns = net.inputs + hidden + net.outputs
        self.table.setColumnCount(len(names))
        self.table.setHorizontalHeaderLabels(names)
        self.table.setRowCount(min(len(self.data), ROWS_SHOWN))
        for r in range(self.table.rowCount()):
            for c, v in enumerate(self.data.inputs[r]):
                self.table.setItem(r, c, _cell(format_number(v, 3)))
            base = len(self.columns)
            for k, v in enumerate(self.data.targets[r]):
                self.table.setItem(r, base + k, _cell(format_number(v, 3)))
        self.refresh_values()

    def refresh_values(self) -> None:
        """Hidden outputs, ŷ and ✓/✗ from one forward pass over the whole dataset."""
        if self.data is None or not len(self.data):
            return
        net = self.doc.network
        trainer = self.controller.trainer
        compiled = trainer.compiled if trainer is not None else net.compile()
        X = np.ascontiguousarray(self.data.inputs.T)
        Y = np.ascontiguousarray(self.data.targets.T)
        with np.errstate(all="ignore"):
            ws = compiled.forward(X)
        yhat = ws.A[compiled.output_rows]
        correct = correct_mask(yhat, Y)
        n_in = len(net.inputs)
        rows = self.table.rowCount()
        for c, nid in enumerate(self.columns[n_in:], start=n_in):
            values = ws.A[compiled.row[nid], :rows]
            for r in range(rows):
                self.table.setItem(r, c, _cell(format_number(values[r], 3)))
        last = self.table.columnCount() - 1
        for r in range(rows):
            item = _cell("✓" if correct[r] else "✗")
            item.setForeground(QColor("#2e9d4f" if correct[r] else "#d13b3b"))
            self.table.setItem(r, last, item)
        shown = f" (first {rows} shown)" if rows < len(self.data) else ""
        self.summary.setText(
            f"{int(correct.sum())} of {len(self.data)} samples classified correctly{shown}"
        )
        self.correct = correct


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _spec_key(spec: DatasetSpec):
    return (
        spec.generator,
        sorted(spec.params.items()),
        spec.inputs,
        spec.targets,
        spec.test_fraction,
    )
