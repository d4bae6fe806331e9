"""Every edit as an undoable command. Each one calls Document methods only; ``redo`` is
also the first application, so pushing a command performs it."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtGui import QUndoCommand

from engine.network import Connection, Neuron

from .document import Document


class AddNeuron(QUndoCommand):
    def __init__(self, doc: Document, neuron: Neuron) -> None:
        super().__init__(f"Add {neuron.kind} neuron {neuron.name}")
        self.doc, self.neuron = doc, neuron

    def redo(self) -> None:
        self.doc.apply_add_neuron(replace(self.neuron))

    def undo(self) -> None:
        self.doc.apply_remove_neuron(self.neuron.id)


class Connect(QUndoCommand):
    def __init__(self, doc: Document, source: str, target: str, weight: float = 0.0) -> None:
        super().__init__(f"Connect {source} → {target}")
        self.doc, self.conn = doc, Connection(source, target, weight)

    def redo(self) -> None:
        self.doc.apply_connect(replace(self.conn))

    def undo(self) -> None:
        self.doc.apply_disconnect(self.conn.key)


class RemoveItems(QUndoCommand):
    """Delete neurons (with their connections) and connections, restoring their places."""

    def __init__(self, doc: Document, neurons: list[str], connections: list[tuple[str, str]]):
        n, c = len(neurons), len(connections)
        what = ", ".join(
            p
            for p in (
                f"{n} neuron{'s' * (n != 1)}" * bool(n),
                f"{c} connection{'s' * (c != 1)}" * bool(c),
            )
            if p
        )
        super().__init__(f"Delete {what}")
        self.doc = doc
        # a raw input takes the feature inputs computed from it along (removed first)
        net = doc.network
        users = [
            n.id
            for n in net.neurons
            if n.feature and n.id not in neurons and set(n.feature[1]) & set(neurons)
        ]
        self.neuron_ids = users + [
            i for i in neurons if net.has_neuron(i) and net.neuron(i).feature
        ]
        self.neuron_ids += [i for i in neurons if i not in self.neuron_ids]
        self.connection_keys = [
            k for k in connections if k[0] not in neurons and k[1] not in neurons
        ]
        self._neurons: list[tuple[Neuron, int]] = []
        self._connections: list[tuple[int, Connection]] = []

    def redo(self) -> None:
        self._neurons, self._connections = [], []
        for key in self.connection_keys:
            conn, index = self.doc.apply_disconnect(key)
            self._connections.append((index, conn))
        for nid in self.neuron_ids:
            neuron, index, removed = self.doc.apply_remove_neuron(nid)
            self._neurons.append((neuron, index))
            self._connections.extend(removed)

    def undo(self) -> None:
        for neuron, index in reversed(self._neurons):
            self.doc.apply_add_neuron(neuron, index)
        for index, conn in sorted(self._connections, key=lambda ic: ic[0]):
            self.doc.apply_connect(conn, index)


class MoveNeurons(QUndoCommand):
    """Positions of neurons: pushed once when a drag ends (one drag, one undo step), or by
    Arrange in layers."""

    def __init__(self, doc: Document, old: dict, new: dict, text: str = "") -> None:
        n = len(new)
        super().__init__(text or f"Move {n} neuron{'s' * (n != 1)}")
        self.doc, self.old, self.new = doc, dict(old), dict(new)

    def redo(self) -> None:
        self.doc.apply_positions(self.new)

    def undo(self) -> None:
        self.doc.apply_positions(self.old)


class SetParameters(QUndoCommand):
    """Weights and biases (one edit, Randomize, or 'biases to 0') as one undo step."""

    def __init__(self, doc: Document, weights: dict, biases: dict, text: str, old=None) -> None:
        """``old``: the (weights, biases) to return to on undo, when the model already holds
        the new ones (training writes its progress back as it goes)."""
        super().__init__(text)
        self.doc = doc
        old_w, old_b = old or doc.network.parameters()
        self.new = (dict(weights), dict(biases))
        self.old = ({k: old_w[k] for k in weights}, {k: old_b[k] for k in biases})

    def redo(self) -> None:
        self.doc.apply_parameters(*self.new)

    def undo(self) -> None:
        self.doc.apply_parameters(*self.old)


class TrainingProgress(SetParameters):
    """What a run of training, stepping or time travel has shown: pushed when the run
    first changes the weights and kept up to date while it goes on, so the undo stack
    records the model at every moment (an edit or Undo in mid-run loses nothing)."""

    def __init__(self, doc: Document, weights: dict, biases: dict, trainer=None) -> None:
        super().__init__(doc, weights, biases, "Train")
        self._pushed = False
        # the trainer's whole state before and after the run, so that undo and redo give
        # back its history too (the learning controller fills these and applies them)
        self.trainer, self.before, self.after = trainer, None, None
        self.hooks = None

    def redo(self) -> None:
        if self._pushed:  # a real redo
            self._apply(super().redo, "after")
        else:  # being pushed mid-run: progress, drawn without rebuilding any panel
            self._pushed = True
            self.doc.show_trained_parameters(*self.new)

    def undo(self) -> None:
        self._apply(super().undo, "before")

    def _apply(self, change, which: str) -> None:
        keep = self.hooks is not None and self.hooks.keeping(self)
        change()
        if keep:
            self.hooks.kept(self, which)

    def show(self, weights: dict, biases: dict) -> None:
        """The run went on: redo now gives these, and the model shows them."""
        self.new = (dict(weights), dict(biases))
        self.doc.show_trained_parameters(weights, biases)


class SetNeuronProperty(QUndoCommand):
    """label, kind, activation or bias of one or more neurons."""

    def __init__(self, doc: Document, neuron_ids: list[str], prop: str, value) -> None:
        if prop == "activation":  # a softmax group changes as a whole (or raises)
            neuron_ids = list(doc.network.activation_change(neuron_ids, value)) or neuron_ids
        names = ", ".join(doc.network.neuron(n).name for n in neuron_ids[:3])
        more = "…" if len(neuron_ids) > 3 else ""
        super().__init__(f"Set {prop} of {names}{more}")
        self.doc, self.prop, self.value = doc, prop, value
        self.old = {n: getattr(doc.network.neuron(n), prop) for n in neuron_ids}
        self._kinds = {
            n: (doc.network.neuron(n).activation, doc.network.neuron(n).bias) for n in neuron_ids
        }

    def redo(self) -> None:
        if self.prop == "activation":  # at once: a softmax group changes as a whole
            self.doc.apply_activations(dict.fromkeys(self.old, self.value))
            return
        for nid in self.old:
            self.doc.apply_neuron_property(nid, self.prop, self.value)

    def undo(self) -> None:
        if self.prop == "activation":
            self.doc.apply_activations(self.old)
            return
        for nid, old in self.old.items():
            self.doc.apply_neuron_property(nid, self.prop, old)
            if self.prop == "kind":  # an input forgets activation and bias: give them back
                activation, bias = self._kinds[nid]
                if activation is not None:
                    self.doc.apply_neuron_property(nid, "activation", activation)
                    self.doc.apply_neuron_property(nid, "bias", bias)


class SetTraining(QUndoCommand):
    """One training setting (saved in the file, so undoable like any edit)."""

    def __init__(self, doc: Document, name: str, value) -> None:
        super().__init__(f"Set {name.replace('_', ' ')}")
        self.doc, self.name, self.value = doc, name, value
        self.old = getattr(doc.network.training, name)

    def redo(self) -> None:
        self.doc.apply_training(self.name, self.value)

    def undo(self) -> None:
        self.doc.apply_training(self.name, self.old)


class SetDataset(QUndoCommand):
    def __init__(self, doc: Document, spec, text: str = "Change the dataset") -> None:
        super().__init__(text)
        self.doc, self.new = doc, spec
        self.old = doc.network.dataset

    def redo(self) -> None:
        self.doc.apply_dataset(self.new)

    def undo(self) -> None:
        self.doc.apply_dataset(self.old)
