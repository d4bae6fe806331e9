"""Graph algorithms on plain node and edge lists (no model classes)."""

from __future__ import annotations

import heapq


def topological_sort(nodes: list[str], edges: list[tuple[str, str]]) -> list[str] | None:
    """Topological order keeping the given order among ready nodes; None on a cycle."""
    indeg = dict.fromkeys(nodes, 0)
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for s, t in edges:
        succ[s].append(t)
        indeg[t] += 1
    position = {n: i for i, n in enumerate(nodes)}
    ready = [(position[n], n) for n in nodes if indeg[n] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, n = heapq.heappop(ready)
        order.append(n)
        for t in succ[n]:
            indeg[t] -= 1
            if indeg[t] == 0:
                heapq.heappush(ready, (position[t], t))
    return order if len(order) == len(nodes) else None


def find_cycle(nodes: list[str], edges: list[tuple[str, str]]) -> list[str] | None:
    """One cycle as a closed path [a, b, …, a], or None if the graph is acyclic."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for s, t in edges:
        succ[s].append(t)
    colour = dict.fromkeys(nodes, 0)  # 0 new, 1 on stack, 2 done
    for root in nodes:
        if colour[root]:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path = [root]
        colour[root] = 1
        while stack:
            node, i = stack[-1]
            if i < len(succ[node]):
                stack[-1] = (node, i + 1)
                nxt = succ[node][i]
                if colour[nxt] == 1:
                    return [*path[path.index(nxt) :], nxt]
                if colour[nxt] == 0:
                    colour[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                colour[node] = 2
                stack.pop()
                path.pop()
    return None
