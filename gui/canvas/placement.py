"""Label placement: no label covers another label or a neuron.

First each neuron's text (bias, z, a, δ) goes below it, or else above, right or left,
wherever it is clear of every neuron and of the text already placed; then each weight
label slides along its own connection from a third of the way (the default) to the
nearest clear spot, or a little across its line (the line still runs through it). The
labels with the fewest clear spots go first; one left covering another is placed again
with its neighbours, then as a pair. A neuron text that stands in a crowded label's way
tries its other sides. If all that is not enough, second lines drop their names
("∂L/∂w = −0.02" becomes "−0.02", "old → new" becomes "→ new"); a label that still finds
no clear spot is left out (never the current step's).

Rectangles are plain (left, top, right, bottom) tuples in scene coordinates, bucketed in
a grid: Qt's own rectangle calls cost more than the arithmetic."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QRectF

from .neuron_text import SIDES

Rect = tuple[float, float, float, float]
CELL = 96.0
PAD = 1.5  # kept clear around every label
T_RANGE = (0.1, 0.84)  # not on the source's outline nor over the arrowhead
OFFSETS = (0.0, 0.3, -0.3, 0.45, -0.45)  # across the line, in plate heights
NEURON_WEIGHT = 25.0  # covering a neuron costs this many times covering a label
MAX_PLACED = 600  # larger networks keep the default (their labels show only zoomed in)
SORTED_UP_TO = 150  # labels ordered by how constrained they are (a scan of their spots)
BLOCK_ROUNDS = 3
# rectangles compared per placement, all passes together (about a tenth of a second): a
# dense network stops searching there (its remaining labels take their first spot, and
# are left out if it is taken)
BUDGET = 250_000


def _preference(spot: tuple[float, float]) -> float:
    return abs(spot[0] - 0.32) + 0.3 * abs(spot[1])


def _spots(step: int, offsets) -> list[tuple[float, float]]:
    lo, hi = round(T_RANGE[0] * 100), round(T_RANGE[1] * 100)
    return sorted(
        ((t / 100, o) for o in offsets for t in range(lo, hi + 1, step)), key=_preference
    )


SPOTS = _spots(2, OFFSETS)
FINE_SPOTS = _spots(1, (*OFFSETS, 0.15, -0.15))  # where the coarse ones leave a label covered


def _rect(r: QRectF, pad: float = PAD) -> Rect:
    return (r.left() - pad, r.top() - pad, r.right() + pad, r.bottom() + pad)


class _Plate:
    """A weight label's geometry, for fast trial positions."""

    def __init__(self, label) -> None:
        self.label = label
        line = label.edge.line()
        self.x1, self.y1 = line.x1(), line.y1()
        self.dx, self.dy = line.dx(), line.dy()
        length = max(line.length(), 1e-9)
        r = label._rect
        # as QLineF.normalVector(): (dy, −dx)
        self.nx, self.ny = self.dy / length * r.height(), -self.dx / length * r.height()
        self.left, self.top = r.left() - PAD, r.top() - PAD
        self.right, self.bottom = r.right() + PAD, r.bottom() + PAD
        self.spot = (label.t, label.offset)

    def at(self, t: float, o: float) -> Rect:
        x = self.x1 + t * self.dx + o * self.nx
        y = self.y1 + t * self.dy + o * self.ny
        return (x + self.left, y + self.top, x + self.right, y + self.bottom)


class _Grid:
    def __init__(self, budget: list[int]) -> None:
        self.cells: dict[tuple[int, int], list] = defaultdict(list)
        self.budget = budget  # shared by the passes of one placement

    @property
    def spent(self) -> bool:
        return self.budget[0] <= 0

    @staticmethod
    def _keys(r: Rect):
        for i in range(int(r[0] // CELL), int(r[2] // CELL) + 1):
            for j in range(int(r[1] // CELL), int(r[3] // CELL) + 1):
                yield i, j

    def add(self, r: Rect, owner, weight: float = 1.0) -> None:
        entry = (r, owner, weight)
        for k in self._keys(r):
            self.cells[k].append(entry)

    def remove(self, owner) -> None:
        for k, cell in self.cells.items():
            if any(e[1] is owner for e in cell):
                self.cells[k] = [e for e in cell if e[1] is not owner]

    def overlap(self, r: Rect, owner=None) -> float:
        """Area of ``r`` covered by rectangles of other owners, a neuron's weighted more.
        A rectangle in several cells counts in the cell holding the corner of its
        intersection with ``r`` only, so once."""
        total = 0.0
        left, top, right, bottom = r
        for k in self._keys(r):
            cell = self.cells.get(k)
            if not cell:
                continue
            self.budget[0] -= len(cell)
            ci, cj = k
            for o, who, weight in cell:
                x0 = o[0] if o[0] > left else left
                x1 = o[2] if o[2] < right else right
                if x1 <= x0:
                    continue
                y0 = o[1] if o[1] > top else top
                y1 = o[3] if o[3] < bottom else bottom
                if y1 <= y0 or who is owner:
                    continue
                if int(x0 // CELL) == ci and int(y0 // CELL) == cj:
                    total += weight * (x1 - x0) * (y1 - y0)
        return total


def _best(grid: _Grid, plate: _Plate, spots=SPOTS) -> tuple[tuple[float, float], float]:
    best, best_cost = plate.spot, None
    for spot in spots:
        if best_cost is not None and grid.spent:
            break
        cost = grid.overlap(plate.at(*spot))
        if best_cost is None or cost < best_cost:
            best, best_cost = spot, cost
            if cost == 0:
                break
    return best, best_cost


def _placeable(item) -> bool:
    return item.label.isVisible() and item.line().length() > 1


def place_labels(scene) -> None:
    """Place every neuron text and shown weight label (see the module's doc)."""
    labels = [item.label for item in scene.connection_items.values()]
    for label in labels:
        if label.crowded:  # left out last time: it tries again
            label.crowded = False
            label.setVisible(bool(label.text or label.extra) and scene.labels_visible)
    # hidden labels wait: showing them (zoom, the Labels toggle) places again
    labels = [item.label for item in scene.connection_items.values() if _placeable(item)]
    if len(labels) + len(scene.neuron_items) > MAX_PLACED:
        # too many to place (each edit would wait for it): defaults, full texts
        for label in labels:
            label.set_text(label.text, label.extra, compact=False)
        return
    crowded: list = []
    budget = [BUDGET]
    can_shorten = any(label.extra for label in labels)
    for compact in (False, True):
        for label in labels:
            label.set_text(label.text, label.extra, compact=compact)
        # the full texts get a quick try when the short ones are there to fall back on
        crowded = _place_moving_texts(scene, labels, budget, compact or not can_shorten)
        if not crowded or not can_shorten:
            break
    for label in crowded:
        if not label.edge.focus:
            label.crowded = True
            label.setVisible(False)


def _place_moving_texts(scene, labels: list, budget: list[int], thorough: bool = True) -> list:
    """Place; a neuron's text in the way of a crowded label tries its other sides (a few
    rounds). Returns the labels still left covering something."""
    banned: dict[object, set[str]] = {}
    crowded: list = []
    for _round in range(BLOCK_ROUNDS if thorough else 1):
        blamed, crowded = _place(scene, labels, banned, budget, thorough)
        if budget[0] <= 0:
            break
        if not crowded:
            return []
        fresh = False
        for n in blamed:
            sides = banned.setdefault(n, set())
            if n.text_side not in sides and len(sides) < len(SIDES) - 1:
                sides.add(n.text_side)
                fresh = True
        if not fresh:
            break
    return crowded


def _place(
    scene, labels: list, banned: dict, budget: list[int], thorough: bool = True
) -> tuple[set, list]:
    """One placement: (neurons whose text stands in a crowded label's way, the labels
    left covering something)."""
    neurons = list(scene.neuron_items.values())
    plates = [_Plate(label) for label in labels]
    grid = _Grid(budget)
    for n in neurons:
        grid.add(_rect(n.mapRectToScene(n.body_rect()), 0), n, NEURON_WEIGHT)
    for n in neurons:
        if n.text_rect().isEmpty():
            continue
        best, best_cost = n.text_side, None
        for side in [s for s in SIDES if s not in banned.get(n, ())]:
            cost = grid.overlap(_rect(n.mapRectToScene(n.text_rect(side))), n)
            if best_cost is None or cost < best_cost:
                best, best_cost = side, cost
            if cost == 0:
                break
        n.set_text_side(best)
        grid.add(_rect(n.mapRectToScene(n.text_rect())), n)

    def freedom(plate: _Plate) -> int:
        return sum(grid.overlap(plate.at(*spot)) == 0 for spot in SPOTS[::3])

    if len(plates) <= SORTED_UP_TO:
        plates.sort(key=freedom)
    plates.sort(key=lambda p: not p.label.edge.focus)  # the current step's first
    cost: dict[_Plate, float] = {}
    for plate in plates:
        plate.spot, cost[plate] = _best(grid, plate)
        grid.add(plate.at(*plate.spot), plate)
    if thorough and not grid.spent:
        _repair(grid, cost)
    for plate in plates:
        plate.label.move_to(*plate.spot)
    crowded = [p for p, c in cost.items() if c > 0]
    texts = [
        (n, _rect(n.mapRectToScene(n.text_rect()), 0))
        for n in neurons
        if crowded and not n.text_rect().isEmpty()
    ]
    blamed = set()
    for plate in crowded:  # the neuron texts in the way of its line
        sweep = [plate.at(t, 0.0) for t, _o in SPOTS if _o == 0]
        reach = (
            min(r[0] for r in sweep),
            min(r[1] for r in sweep),
            max(r[2] for r in sweep),
            max(r[3] for r in sweep),
        )
        for n, r in texts:
            if _intersects(r, reach):
                blamed.add(n)
    return blamed, [p.label for p in crowded]


def _intersects(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _repair(grid: _Grid, cost: dict) -> None:
    """A plate left covering another: it and the plates it covers are put back, the most
    constrained first, on the fine spots; two that still collide are searched as a pair."""
    for _round in range(6):
        crowded = [p for p, c in cost.items() if c > 0]
        if not crowded or grid.spent:
            return
        plate = crowded[0]
        here = plate.at(*plate.spot)
        group = [plate] + [p for p in cost if p is not plate and _intersects(p.at(*p.spot), here)]
        for p in group:
            grid.remove(p)

        def freedom(p: _Plate) -> int:
            return sum(grid.overlap(p.at(*spot)) == 0 for spot in SPOTS[::3])

        for p in sorted(group, key=freedom):
            p.spot, cost[p] = _best(grid, p, FINE_SPOTS)
            grid.add(p.at(*p.spot), p)
        if len(group) == 2 and any(cost[p] > 0 for p in group):
            _pair(grid, group, cost)
        for p in cost:  # a neighbour the group now covers is crowded too
            if p not in group and cost[p] == 0:
                cost[p] = grid.overlap(p.at(*p.spot), p)


def _pair(grid: _Grid, pair: list, cost: dict) -> None:
    """Two plates that each keep covering the other: their spots searched together."""
    a, b = pair
    grid.remove(a)
    grid.remove(b)
    best = None
    for sa in SPOTS[::2]:
        if best is not None and grid.spent:
            break
        ra = a.at(*sa)
        ca = grid.overlap(ra)
        if best is not None and ca >= best[0]:
            continue
        grid.add(ra, a)
        sb, cb = _best(grid, b)
        grid.remove(a)
        if best is None or ca + cb < best[0]:
            best = (ca + cb, sa, sb)
            if best[0] == 0:
                break
    _, a.spot, b.spot = best
    grid.add(a.at(*a.spot), a)
    grid.add(b.at(*b.spot), b)
    cost[a] = grid.overlap(a.at(*a.spot), a)
    cost[b] = grid.overlap(b.at(*b.spot), b)
