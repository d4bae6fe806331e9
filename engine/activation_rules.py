"""Which activations may stand together: softmax spreads one probability over the
outputs, so it belongs to output neurons only, and then to all of them. The model's
activation edits go through these rules (``Network`` mixes them in)."""

from __future__ import annotations

from dataclasses import replace

from .activations import ACTIVATIONS
from .errors import NetworkError


def softmax_problem(neurons) -> str | None:
    """Why these neurons' activations are not allowed together, or None. Softmax spreads
    one probability over the outputs, so it belongs to outputs only, and to all or none."""
    outputs = []
    for n in neurons:
        if n.activation == "softmax" and n.kind != "output":
            return (
                f"{n.name}: softmax is for output neurons only (it spreads one probability "
                "over all the outputs)"
            )
        if n.kind == "output":
            outputs.append(n)
    soft = [n for n in outputs if n.activation == "softmax"]
    if soft and len(soft) != len(outputs):
        other = next(n for n in outputs if n.activation != "softmax")
        return (
            f"{other.name} is {other.activation} but {soft[0].name} is softmax: softmax is one "
            "group over all the outputs (set every output to softmax, or none)"
        )
    return None


class ActivationRules:
    """Activation edits of a ``Network`` (needs its ``neurons``, ``neuron``, ``outputs``,
    ``_neurons`` and ``_structure_changed``)."""

    def default_activation(self, kind: str) -> str | None:
        """What a new neuron of this kind gets: a new output joins a softmax group."""
        if kind == "input":
            return None
        if kind == "output" and self.output_activation == "softmax":
            return "softmax"
        return "sigmoid"

    @property
    def output_activation(self) -> str | None:
        """The outputs' common activation, or None when they differ (or there are none)."""
        acts = {n.activation for n in self._neurons.values() if n.kind == "output"}
        return acts.pop() if len(acts) == 1 else None

    def set_activation(self, neuron_id: str, activation: str) -> None:
        self.set_activations({neuron_id: activation})

    def activation_change(self, neuron_ids: list[str], activation: str) -> dict[str, str]:
        """The changes that give ``neuron_ids`` this activation: outputs entering or leaving
        a softmax group take all the outputs along. Raises NetworkError if not allowed."""
        ids = list(neuron_ids)
        outputs = all(self.neuron(i).kind == "output" for i in ids)
        joins = activation == "softmax" or any(self.neuron(i).activation == "softmax" for i in ids)
        if ids and outputs and joins:
            ids = self.outputs
        changes = {i: activation for i in ids if self.neuron(i).activation != activation}
        problem = softmax_problem(
            replace(n, activation=changes[n.id]) if n.id in changes else n for n in self.neurons
        )
        if problem:
            raise NetworkError(problem)
        return changes

    def set_activations(self, changes: dict[str, str]) -> None:
        """Several neurons' activations at once (all or none): the only way to move all
        the outputs into or out of a softmax group in one valid step."""
        for neuron_id, activation in changes.items():
            neuron = self.neuron(neuron_id)
            if neuron.kind == "input":
                raise NetworkError(f"{neuron.name} is an input neuron: it has no activation")
            if activation not in ACTIVATIONS:
                raise NetworkError(
                    f"unknown activation {activation!r} (valid: {', '.join(ACTIVATIONS)})"
                )
        problem = softmax_problem(
            replace(n, activation=changes[n.id]) if n.id in changes else n
            for n in self._neurons.values()
        )
        if problem:
            raise NetworkError(problem)
        for neuron_id, activation in changes.items():
            self._neurons[neuron_id].activation = activation
        self._structure_changed()
