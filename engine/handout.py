"""Worked-solution handouts: one training iteration written out as in the step-through
(every step's formula in symbols, then with its numbers, then the result), with a picture
of the network and the truth table, as HTML (one self-contained file that prints well),
Markdown or LaTeX (``handout_latex``). Every label and name is escaped for its format.

The picture is the engine's own drawing from the model's positions (``network_picture``),
so the command line and the app produce the same handout and the engine stays free of Qt.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import numpy as np

from .accuracy import correct_mask
from .datasets import dataset_from_spec
from .formatting import to_html, to_plain
from .network_picture import svg
from .tasks import target_symbols
from .walkthrough import PHASES, Walkthrough

MAX_TABLE_ROWS = 64
FORMATS = ("text", "html", "md", "latex")
PHASE_TITLES = {
    "forward": "Forward pass",
    "loss": "Loss",
    "backward": "Backward pass",
    "update": "Update",
}


@dataclass
class TruthTable:
    names: list[str]  # inputs, hidden outputs, outputs, targets, then ✓/✗
    rows: list[list[str]]
    correct: list[bool]
    more: int  # rows left out


def truth_table(walk: Walkthrough) -> TruthTable | None:
    """The dataset's samples through the network with the weights the walk starts from."""
    net = walk.network
    if net.dataset is None:
        return None
    try:
        data = dataset_from_spec(net.dataset, net.inputs, net.outputs)
    except (ValueError, KeyError):
        return None
    copy = net.copy()
    copy.set_parameters(walk.weights, walk.biases)
    compiled = copy.compile()
    hidden = [n.id for n in net.neurons if n.kind == "hidden"]
    shown = data.inputs[:MAX_TABLE_ROWS]
    with np.errstate(all="ignore"):
        ws = compiled.forward(np.ascontiguousarray(shown.T))
    rows_of = [compiled.row[nid] for nid in hidden + net.outputs]
    values = ws.A[rows_of].T
    correct = correct_mask(ws.A[compiled.output_rows], data.targets[:MAX_TABLE_ROWS].T)
    names = [net.neuron(n).name for n in net.inputs + hidden + net.outputs]
    names += [f"target {y}" for y in target_symbols(net)]
    fmt = walk.fmt
    rows = []
    for i in range(len(shown)):
        cells = [fmt(v) for v in shown[i]] + [fmt(v) for v in values[i]]
        rows.append(cells + [fmt(v) for v in data.targets[i]])
    return TruthTable(names, rows, [bool(c) for c in correct], max(0, len(data) - len(shown)))


def title_and_setting(walk: Walkthrough, what: str) -> tuple[str, str]:
    """("XOR: one training iteration", "on sample 0 (0, 1) · bce · sgd · η = 0.5")."""
    net, t = walk.network, walk.settings
    title = f"{net.name or 'Network'}: one training iteration"
    return title, f"on {what} · loss {t.loss} · {t.optimizer} · η = {walk.fmt(t.learning_rate)}"


def sample_text(walk: Walkthrough, sample: int | None) -> str:
    if sample is None:
        if walk.m == 1:
            return "a batch of 1 sample"
        return f"a batch of {walk.m} samples (per-sample numbers are those of its first)"
    x = ", ".join(walk.fmt(v) for v in walk.X[:, 0])
    y = ", ".join(walk.fmt(v) for v in walk.Y[:, 0])
    return f"sample {sample}: x = ({x}), target ({y})"


def render(walk: Walkthrough, fmt: str, what: str) -> str:
    """The handout in ``fmt`` (html, md or latex); ``what`` says which sample or batch."""
    if fmt == "html":
        return to_html_page(walk, what)
    if fmt == "md":
        return to_markdown(walk, what)
    if fmt == "latex":
        from .handout_latex import to_latex

        return to_latex(walk, what)
    raise ValueError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}")


def phases(walk: Walkthrough):
    """(phase, its steps) in order, phases without steps left out."""
    for phase in PHASES:
        steps = [s for s in walk.steps if s.phase == phase]
        if steps:
            yield phase, steps


# ------------------------------------------------------------------ HTML
CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 46rem; margin: 2rem auto;
       padding: 0 1rem; color: #111; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
.setting { color: #444; margin-top: 0; }
figure { margin: 1rem 0; text-align: center; }
ol.steps { padding-left: 2.6rem; }
ol.steps li { margin: 0.25rem 0; break-inside: avoid; }
.what { color: #555; font-size: 0.85rem; display: block; }
.formula { font-family: "DejaVu Sans Mono", "Consolas", monospace; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #999; padding: 0.15rem 0.5rem; text-align: right; }
th { background: #eee; }
.ok { color: #1e7d3a; } .wrong { color: #b3261e; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  figure, table, svg { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  @page { margin: 1.6cm; }
}
"""


def to_html_page(walk: Walkthrough, what: str) -> str:
    e = html.escape
    title, setting = title_and_setting(walk, what)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="setting">{e(setting)}</p>',
        "<figure>",
        svg(walk.network, walk.weights, walk.biases, walk.fmt.digits),
        "</figure>",
    ]
    for phase, steps in phases(walk):
        out.append(f"<h2>{PHASE_TITLES[phase]}</h2>")
        out.append(f'<ol class="steps" start="{steps[0].index + 1}">')
        for s in steps:
            out.append(
                f'<li><span class="what">{e(s.title)}</span>'
                f'<span class="formula">{to_html(s.line)}</span></li>'
            )
        out.append("</ol>")
    table = truth_table(walk)
    if table is not None:
        out.append("<h2>Truth table</h2>")
        out.append("<p>Every sample through the network with the weights before the update.</p>")
        head = "".join(f"<th>{e(n)}</th>" for n in [*table.names, "✓/✗"])
        out.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
        for row, ok in zip(table.rows, table.correct, strict=True):
            cells = "".join(f"<td>{e(c)}</td>" for c in row)
            mark = '<td class="ok">✓</td>' if ok else '<td class="wrong">✗</td>'
            out.append(f"<tr>{cells}{mark}</tr>")
        out.append("</tbody></table>")
        if table.more:
            out.append(f"<p>… and {table.more} more samples.</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# -------------------------------------------------------------- Markdown
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~$])")


def md_text(text: str) -> str:
    """Plain text in Markdown: every ASCII punctuation that could mean something escaped
    (CommonMark allows a backslash before any), line breaks turned into spaces."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_code(text: str) -> str:
    """A code span that holds ``text`` literally, whatever backticks it contains."""
    text = " ".join(str(text).split())
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def to_markdown(walk: Walkthrough, what: str) -> str:
    title, setting = title_and_setting(walk, what)
    net = walk.network
    out = [f"# {md_text(title)}", "", md_text(setting), "", "## Network", ""]
    out += ["| neuron | kind | activation | bias |", "|---|---|---|---:|"]
    for n in net.neurons:
        bias = walk.fmt(walk.biases[n.id]) if n.id in walk.biases else ""
        act = md_text(n.activation or "")
        out.append(f"| {md_text(n.name)} | {n.kind} | {act} | {md_text(bias)} |")
    out += ["", "| connection | weight |", "|---|---:|"]
    for c in net.connections:
        name = f"{net.neuron(c.source).name} → {net.neuron(c.target).name}"
        out.append(f"| {md_text(name)} | {md_text(walk.fmt(walk.weights[c.key]))} |")
    for phase, steps in phases(walk):
        out += ["", f"## {PHASE_TITLES[phase]}", ""]
        for s in steps:
            out.append(f"{s.index + 1}. {md_text(s.title)}: {md_code(to_plain(s.line))}")
    table = truth_table(walk)
    if table is not None:
        out += ["", "## Truth table", ""]
        out.append("| " + " | ".join(md_text(n) for n in [*table.names, "✓/✗"]) + " |")
        out.append("|" + "---:|" * (len(table.names) + 1))
        for row, ok in zip(table.rows, table.correct, strict=True):
            out.append("| " + " | ".join(md_text(c) for c in row) + f" | {'✓' if ok else '✗'} |")
        if table.more:
            out += ["", f"… and {table.more} more samples."]
    return "\n".join(out) + "\n"
