"""Network ▸ Add Playground Features: x₁², x₂², x₁·x₂, sin x₁, sin x₂ as feature input
neurons, each connected (weight 0) to every neuron the first raw input feeds — one undo
step."""

from __future__ import annotations

from engine.features import FEATURES, PLAYGROUND
from engine.network import Neuron

from .commands import AddNeuron, Connect


def add_playground_features(window) -> None:
    doc = window.doc
    net = doc.network
    raw = net.inputs
    if len(raw) < 2:
        window.show_message("Playground's features need two raw input neurons (x₁ and x₂).")
        return
    existing = {n.feature for n in net.neurons if n.feature}
    wanted = [(fn, tuple(raw[k] for k in args)) for fn, args in PLAYGROUND]
    wanted = [f for f in wanted if f not in existing]
    if not wanted:
        window.show_message("The network already has all of Playground's features.")
        return
    targets = [c.target for c in net.outgoing(raw[0])]
    x0, y0 = net.neuron(raw[-1]).position
    stack = doc.undo_stack
    stack.beginMacro("Add Playground features")
    try:
        for k, (fn, args) in enumerate(wanted):
            nid = net.new_id("input")
            label = FEATURES[fn].symbol([net.neuron(a).name for a in args])
            neuron = Neuron(nid, "input", None, 0.0, label, (x0, y0 + 70.0 * (k + 1)))
            neuron.feature = (fn, args)
            stack.push(AddNeuron(doc, neuron))
            for t in targets:
                stack.push(Connect(doc, nid, t, 0.0))
    finally:
        stack.endMacro()
    window.show_message(
        f"Added {len(wanted)} feature inputs; they are connected to what "
        f"{net.neuron(raw[0]).name} feeds, with weight 0."
    )
