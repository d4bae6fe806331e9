"""How long building a neuron's computational graph takes from a walkthrough (the window
rebuilds it whenever a new iteration's walk starts or another neuron is chosen; redrawing
at each step only reads ``state_at``).

    python benchmarks/compgraph.py
"""

from __future__ import annotations

from _common import best_time, layered_network

from engine.compgraph import CompGraph
from engine.datasets import xor_noisy
from engine.walkthrough import Walkthrough


def main() -> None:
    for widths in ([2, 8, 8, 1], [2, 64, 64, 1]):
        net = layered_network(widths)
        data = xor_noisy(200, 0.1, 1)
        walk = Walkthrough(net, data.inputs.T[:, :1].copy(), data.targets.T[:, :1].copy())
        name = "-".join(map(str, widths))
        nid = net.outputs[0]  # fed by the whole last hidden layer
        build = 1e3 * best_time(lambda w=walk, n=nid: CompGraph(w, n), 10)
        graph = CompGraph(walk, nid)
        middle = len(walk.steps) // 2
        state = 1e3 * best_time(lambda g=graph, k=middle: g.state_at(k), 10)
        print(
            f"{name:9} output's graph ({len(graph.nodes):3} nodes): build {build:6.2f} ms, "
            f"state at a step {state:5.2f} ms"
        )


if __name__ == "__main__":
    main()
