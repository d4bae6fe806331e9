"""A plain drawing of a network from the model's own positions, for handouts: neurons as
circles (inputs rounded squares, outputs double circles) with their label, activation
symbol and bias; arrows coloured by sign with the weight a third of the way along, as on
the canvas. Rendered as SVG (for HTML) or TikZ (for LaTeX); the engine needs no Qt for it,
so ``python -m engine walk --format html`` and the app's export draw the same picture."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from .activations import get_activation
from .formatting import format_number

RADIUS = 28.0
LABEL_AT = 0.32  # where the weight sits along its connection (the canvas does the same)
POSITIVE, NEGATIVE = "#2b7bba", "#e8822a"
FILL = {"input": "#e4eef8", "hidden": "#ffffff", "output": "#fcebd6"}
OUTLINE = {"input": "#4f79a3", "hidden": "#4a4a4a", "output": "#b4641e"}


@dataclass(frozen=True)
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float
    weight: float

    @property
    def label_point(self) -> tuple[float, float]:
        return self.x1 + LABEL_AT * (self.x2 - self.x1), self.y1 + LABEL_AT * (self.y2 - self.y1)


def _arrows(net, weights: dict) -> list[Arrow]:
    """Each connection from outline to outline (centre to centre, shortened by a radius)."""
    out = []
    for c in net.connections:
        (x1, y1), (x2, y2) = net.neuron(c.source).position, net.neuron(c.target).position
        length = math.hypot(x2 - x1, y2 - y1)
        if length < 2 * RADIUS + 1:
            continue
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        out.append(
            Arrow(
                x1 + ux * RADIUS,
                y1 + uy * RADIUS,
                x2 - ux * (RADIUS + 1),
                y2 - uy * (RADIUS + 1),
                weights.get(c.key, c.weight),
            )
        )
    return out


def bounds(net) -> tuple[float, float, float, float]:
    """(left, top, width, height) with room for the bias written under each neuron."""
    xs = [n.position[0] for n in net.neurons] or [0.0]
    ys = [n.position[1] for n in net.neurons] or [0.0]
    m = RADIUS + 16
    return min(xs) - m, min(ys) - m, max(xs) - min(xs) + 2 * m, max(ys) - min(ys) + 2 * m + 14


def _symbol(neuron) -> str:
    return get_activation(neuron.activation).symbol if neuron.activation else ""


def svg(net, weights: dict | None = None, biases: dict | None = None, digits: int = 3) -> str:
    """An inline ``<svg>`` element; every text is escaped."""
    weights, biases = weights or {}, biases or {}
    left, top, width, height = bounds(net)
    e = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left:g} {top:g} {width:g} {height:g}" '
        f'width="{min(width * 1.4, 680):.0f}" role="img" aria-label="{e(net.name or "network")}" '
        'font-family="DejaVu Sans, Arial, sans-serif">',
        "<defs>",
    ]
    for name, colour in (("pos", POSITIVE), ("neg", NEGATIVE)):
        parts.append(
            f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerUnits="userSpaceOnUse" markerWidth="13" markerHeight="13" orient="auto">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/>'
            "</marker>"
        )
    parts.append("</defs>")
    arrows = _arrows(net, weights)
    for a in arrows:
        colour, name = (POSITIVE, "pos") if a.weight >= 0 else (NEGATIVE, "neg")
        width_ = 1.2 + 4 * min(abs(a.weight), 8) / 8
        parts.append(
            f'<line x1="{a.x1:.1f}" y1="{a.y1:.1f}" x2="{a.x2:.1f}" y2="{a.y2:.1f}" '
            f'stroke="{colour}" stroke-width="{width_:.2f}" marker-end="url(#arrow-{name})"/>'
        )
    for a in arrows:
        x, y = a.label_point
        text = format_number(a.weight, digits)
        w = 7 * len(text) + 8
        colour = POSITIVE if a.weight >= 0 else NEGATIVE
        parts.append(
            f'<rect x="{x - w / 2:.1f}" y="{y - 8:.1f}" width="{w:.1f}" height="16" rx="3" '
            f'fill="white" stroke="{colour}" stroke-width="0.8"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" text-anchor="middle">'
            f"{e(text)}</text>"
        )
    for n in net.neurons:
        x, y = n.position
        fill, outline = FILL[n.kind], OUTLINE[n.kind]
        if n.kind == "input":
            r = RADIUS * 0.92
            parts.append(
                f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" '
                f'rx="8" fill="{fill}" stroke="{outline}" stroke-width="1.8"/>'
            )
        else:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS}" fill="{fill}" '
                f'stroke="{outline}" stroke-width="1.8"/>'
            )
            if n.kind == "output":
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS - 4}" fill="none" '
                    f'stroke="{outline}" stroke-width="1.8"/>'
                )
        dy = -2 if n.activation else 5
        parts.append(
            f'<text x="{x:.1f}" y="{y + dy:.1f}" font-size="14" font-weight="bold" '
            f'text-anchor="middle">{e(n.name)}</text>'
        )
        if n.activation:
            bias = format_number(biases.get(n.id, n.bias), digits)
            parts.append(
                f'<text x="{x:.1f}" y="{y + 15:.1f}" font-size="11" text-anchor="middle" '
                f'fill="#555">{e(_symbol(n))}</text>'
                f'<text x="{x:.1f}" y="{y + RADIUS + 14:.1f}" font-size="11" '
                f'text-anchor="middle" fill="#555">b = {e(bias)}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)


def tikz(net, escape, weights: dict | None = None, biases: dict | None = None, digits=3) -> str:
    """A ``tikzpicture`` (y grows upwards in TikZ: positions are flipped); ``escape``
    turns any text into LaTeX that compiles."""
    weights, biases = weights or {}, biases or {}
    width = bounds(net)[2]
    scale = min(1.0, 420 / max(width, 1))  # points per canvas unit: fits a page's width
    parts = [
        f"\\begin{{tikzpicture}}[x={0.75 * scale:.4f}pt, y={-0.75 * scale:.4f}pt, "
        "every node/.style={font=\\footnotesize}]",
        "\\definecolor{wpos}{HTML}{2B7BBA}\\definecolor{wneg}{HTML}{E8822A}",
    ]
    ids = {n.id: f"n{i}" for i, n in enumerate(net.neurons)}
    for n in net.neurons:
        x, y = n.position
        shape = (
            "rectangle, rounded corners=3pt"
            if n.kind == "input"
            else ("circle, double, double distance=1.5pt" if n.kind == "output" else "circle")
        )
        text = f"\\textbf{{{escape(n.name)}}}"
        if n.activation:
            text += f"\\\\{escape(_symbol(n))}"
        parts.append(
            f"\\node[draw, {shape}, minimum size=30pt, inner sep=1pt, align=center] "
            f"({ids[n.id]}) at ({x:.1f}, {y:.1f}) {{{text}}};"
        )
        if n.activation:
            bias = escape(format_number(biases.get(n.id, n.bias), digits))
            parts.append(f"\\node[below=1pt of {ids[n.id]}.south, gray] {{b = {bias}}};")
    for c in net.connections:
        w = weights.get(c.key, c.weight)
        colour = "wpos" if w >= 0 else "wneg"
        width_ = 0.4 + 1.6 * min(abs(w), 8) / 8
        parts.append(
            f"\\draw[-{{Stealth}}, {colour}, line width={width_:.2f}pt] "
            f"({ids[c.source]}) -- node[pos={LABEL_AT}, fill=white, draw={colour}, "
            f"text=black, inner sep=1.5pt, rounded corners=1pt] "
            f"{{{escape(format_number(w, digits))}}} ({ids[c.target]});"
        )
    parts.append("\\end{tikzpicture}")
    return "\n".join(parts)
