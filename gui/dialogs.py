"""Small dialogs."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
)

from engine.settings import INITIALIZERS

INITIALIZER_NAMES = {
    "uniform": "Uniform in ±range",
    "normal": "Normal, standard deviation",
    "xavier": "Xavier / Glorot (uniform)",
    "he": "He (normal)",
}


class RandomizeDialog(QDialog):
    """Initialiser, its scale, a seed (same seed, same weights) and what to randomize."""

    def __init__(self, parent, method: str, scale: float, seed: int, has_selection: bool):
        super().__init__(parent)
        self.setWindowTitle("Randomize weights and biases")
        self.method = QComboBox()
        for name in INITIALIZERS:
            self.method.addItem(INITIALIZER_NAMES[name], name)
        self.method.setCurrentIndex(self.method.findData(method))
        self.scale = QDoubleSpinBox()
        self.scale.setRange(0.001, 100.0)
        self.scale.setDecimals(3)
        self.scale.setSingleStep(0.1)
        self.scale.setValue(scale)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(seed)
        self.whole = QRadioButton("The whole network")
        self.selection = QRadioButton("The selection only")
        self.selection.setEnabled(has_selection)
        (self.selection if has_selection else self.whole).setChecked(True)
        note = QLabel(
            "Xavier and He scale each weight by its neurons' fan-in and fan-out and set "
            "biases to 0; uniform and normal draw biases too. The same seed always "
            "gives the same weights."
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Initialiser", self.method)
        form.addRow("Range / std", self.scale)
        form.addRow("Seed", self.seed)
        form.addRow("Apply to", self.whole)
        form.addRow("", self.selection)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.method.currentIndexChanged.connect(self._method_changed)
        self._method_changed()

    def _method_changed(self) -> None:
        self.scale.setEnabled(self.method.currentData() in ("uniform", "normal"))

    def values(self) -> tuple[str, float, int, bool]:
        """(method, scale, seed, selection only)."""
        return (
            self.method.currentData(),
            self.scale.value(),
            self.seed.value(),
            self.selection.isChecked(),
        )
