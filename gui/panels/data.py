"""The data dock: which dataset the network trains on, and its samples as a truth table —
inputs, each hidden neuron's output, ŷ, the target and ✓/✗ — following training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
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
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.accuracy import correct_mask
from engine.datasets import (
    DATASET_NAMES,
    GATES,
    MAX_CLASSES,
    MULTI_CLASS,
    dataset_from_spec,
    generator_targets,
    load_csv,
)
from engine.formatting import format_number
from engine.settings import DatasetSpec
from engine.tasks import Task, class_names, rmse, target_symbols, task_of

from ..commands import SetDataset
from .throttle import Throttled

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
        self.classes = QSpinBox()  # 1: the two-class form with one 0/1 output
        self.classes.setRange(1, MAX_CLASSES)
        self.classes.setSpecialValueText("2 (one output)")
        self.classes.setToolTip(
            "Classes of spiral and gaussians: 2 (one 0/1 output), or K one-hot outputs "
            "(give the network K softmax outputs)"
        )
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
        split = QHBoxLayout()  # one row: the dock must fit a 700-pixel-high window
        split.addWidget(self.test_fraction)
        split.addWidget(QLabel("classes"))
        split.addWidget(self.classes, 1)
        form.addRow("Test fraction", split)
        self.model = TruthTable()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setDefaultSectionSize(22)
        # columns as wide as their numbers and titles (_fit_columns): the whole row
        # (inputs … ŷ, target, ✓/✗) fits a docked panel, a laptop's included
        self.table.horizontalHeader().setDefaultSectionSize(72)
        self.table.horizontalHeader().setMinimumSectionSize(30)
        self.table.horizontalHeader().setResizeContentsPrecision(FIT_ROWS)
        self.summary = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

        self.source.activated.connect(lambda _i: self._spec_edited())
        for widget in (self.size, self.noise, self.seed, self.classes, self.test_fraction):
            widget.editingFinished.connect(self._spec_edited)
        self.doc.network_replaced.connect(self.refresh)
        self.doc.network_edited.connect(self.refresh)
        throttled = Throttled(self.refresh_values, 0.2, self, widget=self)
        controller.progress.connect(throttled)
        controller.state_changed.connect(throttled)
        self.refresh()

    # ------------------------------------------------------------- source
    def _show_spec(self) -> None:
        spec = self.doc.network.dataset
        widgets = (self.source, self.size, self.noise, self.seed, self.classes, self.test_fraction)
        for w in widgets:
            w.blockSignals(True)
        generator = spec.generator if spec else None
        self.source.setCurrentIndex(self.source.findData(generator or ROWS))
        params = spec.params if spec else {}
        self.size.setValue(int(params.get("size", 200)))
        self.noise.setValue(float(params.get("noise", 0.1)))
        self.seed.setValue(int(params.get("seed", 0)))
        self.classes.setValue(int(params.get("classes", 1)))
        self.test_fraction.setValue(spec.test_fraction if spec else 0.0)
        takes_params = generator is not None and generator not in GATES
        for w in (self.size, self.noise, self.seed):
            w.setEnabled(takes_params)
        self.classes.setEnabled(generator in MULTI_CLASS)
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
                spec.class_names = data.class_names
        elif choice in GATES:
            spec = DatasetSpec(generator=choice)
        else:
            params = {"size": self.size.value(), "noise": self.noise.value()}
            params["seed"] = self.seed.value()
            if choice in MULTI_CLASS and self.classes.value() > 1:
                params["classes"] = self.classes.value()
            spec = DatasetSpec(generator=choice, params=params)
        if spec is None:
            return
        spec.test_fraction = self.test_fraction.value()
        spec.split_seed = old.split_seed if old else 0
        if old is None or _spec_key(spec) != _spec_key(old):
            net = self.doc.network
            targets = generator_targets(choice, spec.params) if spec.generator else 0
            if spec.generator and (len(net.inputs), len(net.outputs)) != (2, targets):
                self.summary.setText(
                    f"“{choice}” makes 2 inputs and {targets} target"
                    f"{'s' if targets > 1 else ''}; this network has "
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
            data = load_csv(path, n_targets=len(net.outputs), n_inputs=len(net.inputs))
            if data.inputs.shape[1] != len(net.inputs):
                raise ValueError(
                    f"{path.name} has {data.inputs.shape[1]} input columns; the network has "
                    f"{len(net.inputs)} inputs"
                )
            if data.targets.shape[1] != len(net.outputs):
                names = ", ".join(data.class_names or [])
                raise ValueError(
                    f"{path.name} has {data.targets.shape[1]} classes ({names}); the network "
                    f"has {len(net.outputs)} outputs: give it one softmax output per class"
                )
        except (OSError, ValueError) as e:
            self.summary.setText(f"Not loaded: {e}")
            return False
        spec = DatasetSpec(inputs=data.inputs.tolist(), targets=data.targets.tolist())
        spec.class_names = data.class_names
        self.doc.undo_stack.push(SetDataset(self.doc, spec, f"Load {path.name}"))
        return True

    # -------------------------------------------------------------- table
    def _network_key(self) -> tuple:
        return (id(self.doc.network), self.doc.network.structure_revision)

    def refresh(self) -> None:
        self._show_spec()
        net = self.doc.network
        self._built_for = self._network_key()
        self.data = None
        if net.dataset is None:
            self.model.set_table([], np.zeros((0, 0)), None)
            self.summary.setText("No dataset: choose one above.")
            return
        try:
            self.data = dataset_from_spec(net.dataset, net.inputs, net.outputs)
        except ValueError as e:
            self.model.set_table([], np.zeros((0, 0)), None)
            self.summary.setText(str(e))
            return
        hidden = [n.id for n in net.neurons if n.kind == "hidden"]
        self.columns = net.inputs + hidden + net.outputs
        self.task = task_of(self.data.targets)
        names = [net.neuron(n).name for n in self.columns]
        outputs = [net.neuron(o).name for o in net.outputs]
        targets = target_symbols(net)  # y, or y_A… (as the step-through writes them)
        if self.task is Task.CLASSES:  # the class, the arg-max's class, ✓/✗
            self.class_labels = class_names(net, len(net.outputs))
            extra = np.zeros((len(self.data), 2))
            names += ["class", "predicted", "✓/✗"]
        elif self.task is Task.REGRESSION:  # targets and the errors ŷ − y
            extra = np.hstack([self.data.targets, np.zeros_like(self.data.targets)])
            names += [f"target {y}" for y in targets]
            names += [f"{o} − {y}" for o, y in zip(outputs, targets, strict=True)]
        else:
            extra = self.data.targets
            names += [f"target {y}" for y in targets] + ["✓/✗"]
        values = np.zeros((len(self.data), len(self.columns) + extra.shape[1]))
        values[:, : len(net.inputs)] = self.data.inputs
        values[:, len(self.columns) :] = extra
        marks = self.task is not Task.REGRESSION
        self.model.set_table(names, values, np.zeros(len(self.data), bool) if marks else None)
        self.refresh_values()
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Each column as wide as its title and the numbers of its first rows need (once
        per table: the numbers keep their form, three significant digits, as they train),
        a number column at least as wide as −0.000."""
        header = self.table.horizontalHeader()
        floor = self.table.fontMetrics().horizontalAdvance("−0.000") + 14
        numbers = len(self.columns) + (0 if self.task is Task.CLASSES else len(self.model.names))
        marks = self.model.correct is not None
        for c in range(self.model.columnCount()):
            self.table.resizeColumnToContents(c)
            last = c == self.model.columnCount() - 1
            if c < numbers and not (last and marks):
                header.resizeSection(c, max(header.sectionSize(c), floor))

    def refresh_values(self) -> None:
        """Hidden outputs, ŷ and ✓/✗ from one forward pass over the whole dataset; the
        table formats only the cells on screen."""
        if self._built_for != self._network_key():  # the network changed since the table was made
            self.refresh()
            return
        if self.data is None or not len(self.data):
            return
        net = self.doc.network
        compiled = net.compile()  # the weights the canvas shows; our own copy
        X = np.ascontiguousarray(self.data.inputs.T)
        Y = np.ascontiguousarray(self.data.targets.T)
        with np.errstate(all="ignore"):
            ws = compiled.forward(X)
        yhat = ws.A[compiled.output_rows]
        n_in = len(net.inputs)
        rows = [compiled.row[nid] for nid in self.columns[n_in:]]
        block = ws.A[rows].T
        if self.task is Task.REGRESSION:
            block = np.hstack([block, self.data.targets, (yhat - Y).T])
            self.model.update_values(n_in, block, None)
            self.summary.setText(
                f"RMSE {format_number(rmse(yhat, Y), 4)} over {len(self.data)} samples"
            )
            self.correct = None
            return
        correct = correct_mask(yhat, Y)
        if self.task is Task.CLASSES:
            self.model.texts = {
                len(self.columns): [self.class_labels[k] for k in Y.argmax(axis=0)],
                len(self.columns) + 1: [self.class_labels[k] for k in yhat.argmax(axis=0)],
            }
        self.model.update_values(n_in, block, correct)
        self.summary.setText(
            f"{int(correct.sum())} of {len(self.data)} samples classified correctly"
        )
        self.correct = correct


FIT_ROWS = 50  # rows whose numbers size the columns


class TruthTable(QAbstractTableModel):
    """Samples × (inputs, hidden outputs, ŷ, targets, ✓/✗), formatted when shown."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.values = np.zeros((0, 0))
        self.correct: np.ndarray | None = None
        self.texts: dict[int, list[str]] = {}

    def set_table(self, names: list[str], values: np.ndarray, correct) -> None:
        """``correct`` None: no ✓/✗ column (regression)."""
        self.beginResetModel()
        self.names, self.values, self.correct = names, values, correct
        self.texts: dict[int, list[str]] = {}  # columns shown as text (class names)
        self.endResetModel()

    def update_values(self, first: int, block: np.ndarray, correct: np.ndarray) -> None:
        self.values[:, first : first + block.shape[1]] = block
        self.correct = correct
        if len(self.values):
            self.dataChanged.emit(
                self.index(0, first), self.index(len(self.values) - 1, len(self.names) - 1)
            )

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.values)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.names)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.names[section] if section < len(self.names) else None
        return str(section)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        r, c = index.row(), index.column()
        last = c == len(self.names) - 1 and self.correct is not None
        if role == Qt.ItemDataRole.DisplayRole:
            if last:
                return "✓" if self.correct[r] else "✗"
            if c in self.texts:
                return self.texts[c][r]
            return format_number(self.values[r, c], 3)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and last:
            return QColor("#2e9d4f" if self.correct[r] else "#d13b3b")
        return None


def _spec_key(spec: DatasetSpec):
    return (
        spec.generator,
        sorted(spec.params.items()),
        spec.inputs,
        spec.targets,
        spec.test_fraction,
    )
