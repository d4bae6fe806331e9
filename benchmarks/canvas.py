"""Canvas speed: open a 200-neuron, 5,000-connection network to a drawn canvas, and repaint
the whole canvas (offscreen, the raster engine real windows use too).

    QT_QPA_PLATFORM=offscreen python benchmarks/canvas.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools

from _common import best_time
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from engine.files import save_network
from engine.initializers import initial_parameters
from engine.layout import layered_positions
from engine.network import Network, Neuron
from gui.app import create_app
from gui.commands import AddNeuron, Connect, MoveNeurons
from gui.mainwindow import MainWindow
from gui.recovery import Recovery


def big_network() -> Network:
    """10 layers of 20 neurons, consecutive layers fully connected (3,600 connections) plus
    1,400 skip connections two layers ahead."""
    net = Network("200 neurons, 5000 connections")
    layers = []
    for li in range(10):
        kind = "input" if li == 0 else "output" if li == 9 else "hidden"
        layers.append(
            [net.add_neuron(kind, f"n{li}_{j}", activation="tanh").id for j in range(20)]
        )
    for a, b in itertools.pairwise(layers):
        for t in b:
            for s in a:
                net.connect(s, t)
    skips = 0
    for li in range(8):
        for j in range(20):
            for k in range(10):
                if skips < 1400:
                    net.connect(layers[li][j], layers[li + 2][(j + k) % 20])
                    skips += 1
    net.set_parameters(*initial_parameters(net, "xavier", 0))
    for nid, pos in layered_positions(net).items():
        net.set_position(nid, pos)
    return net


def edits(window) -> list[tuple[str, float]]:
    """Editing the big canvas as a person does: each edit is an undo command pushed, the
    events it queues processed and the canvas repainted (what "instant" has to cover);
    the best of 5 edits of each kind, each undone again."""
    app, doc = QApplication.instance(), window.doc
    stack = doc.undo_stack

    def timed(command) -> float:
        t0 = time.perf_counter()
        stack.push(command)
        app.processEvents()
        window.view.viewport().grab()
        return time.perf_counter() - t0

    ids = [n.id for n in doc.network.neurons]
    times = {"draw a connection": [], "add a neuron": [], "move a neuron": []}
    for k in range(5):
        # n0_k → n3_k is three layers ahead: no skip connection has it, no cycle
        times["draw a connection"].append(timed(Connect(doc, f"n0_{k}", f"n3_{k}", 0.5)))
        stack.undo()
        neuron = Neuron(f"extra{k}", "hidden", position=(40.0 * k, -200.0))
        times["add a neuron"].append(timed(AddNeuron(doc, neuron)))
        stack.undo()
        nid = ids[40 + k]
        old = doc.network.neuron(nid).position
        new = (old[0] + 30.0, old[1] + 15.0)
        times["move a neuron"].append(timed(MoveNeurons(doc, {nid: old}, {nid: new})))
        stack.undo()
        app.processEvents()
    # a drag: every mouse move sets the neuron's position (its ~50 arrows follow)
    item = window.scene.neuron_items[ids[45]]
    start = item.pos()
    for k in range(1, 11):
        t0 = time.perf_counter()
        item.setPos(start.x() + 3 * k, start.y() + 2 * k)
        app.processEvents()
        window.view.viewport().grab()
        times.setdefault("drag a neuron (one mouse move)", []).append(time.perf_counter() - t0)
    item.setPos(start)
    return [(label, min(values)) for label, values in times.items()]


def main() -> None:
    app = create_app()
    folder = Path(tempfile.mkdtemp())
    path = folder / "big.json"
    net = big_network()
    save_network(net, path)
    window = MainWindow(
        QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat), Recovery(folder / "r")
    )
    window.resize(1280, 800)
    window.show()
    app.processEvents()

    t0 = time.perf_counter()
    window.files.open_path(path, ask=False)
    window.view.viewport().grab()  # forces the first full paint
    opened = time.perf_counter() - t0
    repaint = best_time(lambda: window.view.viewport().grab(), 5)
    window.view.reset_zoom()
    window.view.centerOn(0, 0)
    app.processEvents()
    zoomed = best_time(lambda: window.view.viewport().grab(), 5)
    print(f"{len(net.neurons)} neurons, {len(net.connections)} connections")
    print(f"  open file → drawn canvas     {opened * 1e3:8.1f} ms")
    print(f"  full repaint (fit to window) {repaint * 1e3:8.1f} ms")
    print(f"  full repaint (100% zoom)     {zoomed * 1e3:8.1f} ms")
    for label, edit in edits(window):
        print(f"  {label:<28} {edit * 1e3:8.1f} ms")
    window.doc.undo_stack.setClean()


if __name__ == "__main__":
    main()
