"""Writing the step-through state onto the canvas: z, a and δ under each neuron, ∂L/∂w under
each weight, old → new during the update, and a glow on what the current step is about."""

from __future__ import annotations

from engine.formatting import format_number, update_pair

SHOWABLE = ("weights", "activations", "gradients")


def annotate(scene, walk, state, show: set[str], digits: int = 3) -> None:
    """``state`` None: plain weights, no annotations (not stepping)."""

    def f(x: float) -> str:
        return format_number(x, digits)

    net = scene.doc.network
    if state is None:
        for item in scene.neuron_items.values():
            item.set_annotation([], False)
        for key, item in scene.connection_items.items():
            text = f(net.connection(*key).weight) if "weights" in show else ""
            item.set_annotation(text, "", False, 0.0)
            item.label.setVisible(bool(text) and scene.labels_visible)
        scene.place_labels()
        return

    dl = "∂Lᵢ" if walk.m > 1 else "∂L"  # with a batch, one sample's (L is the mean)
    step = state.step
    focus_neuron = step.neuron if step is not None and step.connection is None else None
    focus_connection = step.connection if step is not None else None
    for nid, item in scene.neuron_items.items():
        lines = []
        if "activations" in show:
            if nid in state.z:
                a = f"   a = {f(state.a[nid])}" if nid in state.a else ""
                lines.append(f"z = {f(state.z[nid])}{a}")
            elif nid in state.a and net.neuron(nid).kind == "input":
                lines.append(f"x = {f(state.a[nid])}")
        if "gradients" in show:
            if nid in state.delta:
                lines.append(f"δ = {f(state.delta[nid])}")
            if nid in state.input_grads:
                lines.append(f"{dl}/∂x = {f(state.input_grads[nid])}")
            if ("b", nid) in state.updated:
                old, new = update_pair(walk.biases[nid], state.biases[nid], digits)
                lines.append(f"b: {old} → {new}")
        item.set_annotation(lines, nid == focus_neuron)

    strengths = state.gradient_strengths() if "gradients" in show else {}
    for key, item in scene.connection_items.items():
        text = f(state.weights[key]) if "weights" in show else ""
        extra = ""
        if ("w", *key) in state.updated:
            old, new = update_pair(walk.weights[key], state.weights[key], digits)
            extra = f"{old} → {new}"  # the plate shows this one line (see WeightLabel)
            text = text and old
        elif "gradients" in show and key in state.weight_grads:
            extra = f"∂L/∂w = {f(state.weight_grads[key])}"
        item.set_annotation(text, extra, key == focus_connection, strengths.get(key, 0.0))
        item.label.setVisible(bool(text or extra) and scene.labels_visible)
    scene.place_labels()
