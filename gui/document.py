"""The open document: the network, its file, its undo stack, and change signals.

The one place the GUI mutates the model. Commands call the ``apply_*`` methods; each
mutates the network through its own validated method and then emits a past-tense signal
that the canvas and panels listen to. "Modified" is simply ``not undo_stack.isClean()``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from engine.files import load_network, save_network
from engine.network import Connection, Network, Neuron

# Training settings that only decide when training stops: changing one keeps the trainer
# and its history (nothing trained so far would have gone differently).
STOPPING_SETTINGS = ("max_epochs", "target_loss", "min_improvement")
UNTITLED = "untitled"  # the name of a new network


class EditStack(QUndoStack):
    """The undo stack, saying when a command (or a macro) is about to go on it: before its
    change, while the model still is as the commands below it leave it."""

    def __init__(self, doc: Document) -> None:
        super().__init__(doc)
        self._doc = doc
        self._macros = 0

    def push(self, cmd) -> None:
        if not self._macros:
            self._doc.edit_starting.emit(cmd)
        super().push(cmd)

    def beginMacro(self, text: str) -> None:
        if not self._macros:
            self._doc.edit_starting.emit(None)
        self._macros += 1
        super().beginMacro(text)

    def endMacro(self) -> None:
        self._macros -= 1
        super().endMacro()


class Document(QObject):
    neuron_added = Signal(str)
    neuron_removed = Signal(str)
    neuron_changed = Signal(str)  # label, kind, activation or bias
    neuron_moved = Signal(str)
    connection_added = Signal(object)  # (source, target)
    connection_removed = Signal(object)
    connection_changed = Signal(object)
    network_replaced = Signal()  # a whole new network (new, open, revert)
    network_edited = Signal()  # after any change to the model: derived data is stale
    path_changed = Signal()
    modified_changed = Signal()
    training_changed = Signal()
    about_to_save = Signal()  # training in progress makes what it shows an undo step first
    edit_starting = Signal(object)  # a command (None: a macro) is about to be pushed

    def __init__(self, network: Network | None = None, path: Path | None = None) -> None:
        super().__init__()
        self.network = network or Network(UNTITLED)
        self.path = path
        self.undo_stack = EditStack(self)
        self.undo_stack.cleanChanged.connect(self.modified_changed)
        self._recovered = False  # a restored recovery copy is unsaved with no undo history
        self._unrecorded = False  # weights shown (time travel) that no command records

    # ----------------------------------------------------------------- file
    @property
    def modified(self) -> bool:
        return self._recovered or self._unrecorded or not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        return self.path.name if self.path else (self.network.name or UNTITLED)

    def replace(self, network: Network, path: Path | None, modified: bool = False) -> None:
        """Show another network (New, Open, a recovered copy); undo history starts over."""
        self.network = network
        self.path = path
        self.undo_stack.clear()
        self._recovered = modified
        self._unrecorded = False
        self.network_replaced.emit()
        self.network_edited.emit()
        self.path_changed.emit()
        self.modified_changed.emit()

    def open(self, path: Path) -> None:
        """Load first, so a malformed file raises and leaves this document untouched."""
        network = load_network(path)
        self.replace(network, Path(path))

    def save(self, path: Path | None = None) -> None:
        target = Path(path or self.path)
        self.about_to_save.emit()
        save_network(self.network, target)  # atomic; raises NetworkFileError on failure
        if not self.network.name or self.path is None:
            self.network.name = self.network.name or target.stem
        self.path = target
        self._recovered = False
        self._unrecorded = False
        self.undo_stack.setClean()
        self.path_changed.emit()
        self.modified_changed.emit()

    # ------------------------------------------------------------ mutations
    def apply_add_neuron(self, neuron: Neuron, index: int | None = None) -> None:
        self.network.insert_neuron(neuron, index)
        self.neuron_added.emit(neuron.id)
        self.network_edited.emit()

    def apply_remove_neuron(self, neuron_id: str):
        for c in self.network.incoming(neuron_id) + self.network.outgoing(neuron_id):
            self.connection_removed.emit(c.key)
        removed = self.network.remove_neuron(neuron_id)
        self.neuron_removed.emit(neuron_id)
        self.network_edited.emit()
        return removed

    def apply_connect(self, conn: Connection, index: int | None = None) -> None:
        self.network.insert_connection(conn, index)
        self.connection_added.emit(conn.key)
        self.network_edited.emit()

    def apply_disconnect(self, key: tuple[str, str]) -> tuple[Connection, int]:
        self.connection_removed.emit(key)
        result = self.network.disconnect(*key)
        self.network_edited.emit()
        return result

    def apply_parameters(self, weights: dict, biases: dict) -> None:
        self.network.set_parameters(weights, biases)
        for key in weights:
            self.connection_changed.emit(key)
        for nid in biases:
            self.neuron_changed.emit(nid)
        self.network_edited.emit()

    def show_trained_parameters(self, weights: dict, biases: dict, recorded=True) -> None:
        """Training's progress (or an earlier epoch's weights), shown as it goes: items
        redraw, but nothing derived from the structure is rebuilt. ``recorded``: an undo
        command holds these weights; if not, the document counts as changed."""
        self.network.set_parameters(weights, biases)
        if not recorded and not self._unrecorded:
            self._unrecorded = True
            self.modified_changed.emit()
        for key in weights:
            self.connection_changed.emit(key)
        for nid in biases:
            self.neuron_changed.emit(nid)

    def apply_neuron_property(self, neuron_id: str, prop: str, value) -> None:
        """prop: label, kind, activation or bias."""
        setter = {
            "label": self.network.set_label,
            "kind": self.network.set_kind,
            "activation": self.network.set_activation,
            "bias": self.network.set_bias,
        }[prop]
        setter(neuron_id, value)
        self.neuron_changed.emit(neuron_id)
        if prop == "kind":  # the connections' looks follow the ends' kinds
            for c in self.network.incoming(neuron_id) + self.network.outgoing(neuron_id):
                self.connection_changed.emit(c.key)
        self.network_edited.emit()

    def apply_activations(self, changes: dict[str, str]) -> None:
        self.network.set_activations(changes)
        for nid in changes:
            self.neuron_changed.emit(nid)
        self.network_edited.emit()

    def apply_training(self, name: str, value) -> None:
        setattr(self.network.training, name, value)
        self.training_changed.emit()
        if name not in STOPPING_SETTINGS:  # those change when training stops, not how
            self.network_edited.emit()

    def apply_dataset(self, spec) -> None:
        self.network.dataset = spec
        self.network_edited.emit()

    def apply_positions(self, positions: dict[str, tuple[float, float]]) -> None:
        for nid, pos in positions.items():
            self.network.set_position(nid, pos)
            self.neuron_moved.emit(nid)
