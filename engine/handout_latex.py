"""The worked-solution handout as a LaTeX document that compiles with pdflatex from a
standard distribution (article, TikZ, longtable). Text is escaped character by character:
LaTeX's specials become their text commands, the Unicode the formulas use (σ, δ, ∂, ŷ,
−, →, ·, subscripts, superscripts) becomes math, and anything else becomes its code
point in type, so no label can break the compilation."""

from __future__ import annotations

import unicodedata

from .formatting import _SUB
from .handout import PHASE_TITLES, phases, title_and_setting, truth_table
from .network_picture import tikz

SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
}
_GREEK = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "o",
    "pi",
    "rho",
    "varsigma",
    "sigma",
    "tau",
    "upsilon",
    "phi",
    "chi",
    "psi",
    "omega",
]
MATH = {chr(0x3B1 + i): f"\\{name}" for i, name in enumerate(_GREEK) if name not in ("o",)}
MATH.update({"ο": "o", "ε": r"\varepsilon", "ϵ": r"\epsilon", "ϕ": r"\phi", "φ": r"\varphi"})
MATH.update(
    {
        "Γ": r"\Gamma",
        "Δ": r"\Delta",
        "Θ": r"\Theta",
        "Λ": r"\Lambda",
        "Σ": r"\Sigma",
        "Φ": r"\Phi",
        "Ψ": r"\Psi",
        "Ω": r"\Omega",
        "−": "-",
        "·": r"\cdot",
        "×": r"\times",
        "→": r"\rightarrow",
        "←": r"\leftarrow",
        "∂": r"\partial",
        "√": r"\surd",
        "∑": r"\sum",
        "∇": r"\nabla",
        "≈": r"\approx",
        "≤": r"\leq",
        "≥": r"\geq",
        "≠": r"\neq",
        "∞": r"\infty",
        "⊙": r"\odot",
        "∈": r"\in",
        "±": r"\pm",
        "′": r"\prime",
        "½": r"\tfrac{1}{2}",
        "ŷ": r"\hat{y}",
        "✓": r"\checkmark",
        "✗": r"\times",
        "…": r"\ldots",
    }
)
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿ", "0123456789-+n", strict=True))
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₋₊", "0123456789-+", strict=True))
TEXT = {"“": "``", "”": "''", "‘": "`", "’": "'", "–": "--", "—": "---", "\u00a0": "~"}


def escape(text: str) -> str:
    """Any string as LaTeX text that compiles; letters with accents are kept through
    their decomposition (é), a combining hat on a letter becomes \\hat."""
    out = []
    chars = unicodedata.normalize("NFC", str(text))
    i = 0
    while i < len(chars):
        c = chars[i]
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        i += 1
        if nxt == "\u0302" and c.isascii() and c.isalpha():
            out.append(f"\\ensuremath{{\\hat{{{c}}}}}")
            i += 1
        elif c in SPECIALS:
            out.append(SPECIALS[c])
        elif c.isascii():
            out.append(c if c.isprintable() else " ")
        elif c in MATH:
            out.append(f"\\ensuremath{{{MATH[c]}}}")
        elif c in SUPERSCRIPTS:
            out.append(f"\\textsuperscript{{{SUPERSCRIPTS[c]}}}")
        elif c in SUBSCRIPTS:
            out.append(f"\\textsubscript{{{SUBSCRIPTS[c]}}}")
        elif c in TEXT:
            out.append(TEXT[c])
        else:
            out.append(_fallback(c))
    return "".join(out)


def _fallback(c: str) -> str:
    """A Latin letter with accents that T1 fonts have (é, ü, ñ) stays; anything else
    is written as its code point."""
    base = unicodedata.normalize("NFD", c)
    if base[0].isascii() and base[0].isalpha() and len(base) == 2:
        accents = {"\u0301": "'", "\u0300": "`", "\u0308": '"', "\u0302": "^", "\u0303": "~"}
        if base[1] in accents:
            return f"\\{accents[base[1]]}{{{base[0]}}}"
    if unicodedata.category(c).startswith(("C", "Z", "M")):
        return " " if unicodedata.category(c).startswith("Z") else ""
    return f"\\texttt{{[U+{ord(c):04X}]}}"


def formula(markup: str) -> str:
    """A formula's markup (``_{…}`` subscripts) as LaTeX text."""
    parts, last = [], 0
    for m in _SUB.finditer(markup):
        parts.append(escape(markup[last : m.start()]))
        parts.append(f"\\textsubscript{{{escape(m.group(1))}}}")
        last = m.end()
    parts.append(escape(markup[last:]))
    return "".join(parts)


def to_latex(walk, what: str) -> str:
    title, setting = title_and_setting(walk, what)
    out = [
        r"\documentclass[11pt,a4paper]{article}",
        r"\usepackage[T1]{fontenc}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage{lmodern}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\usepackage{longtable}",
        r"\usepackage{tikz}",
        r"\usetikzlibrary{arrows.meta,positioning}",
        r"\setlength{\parindent}{0pt}",
        r"\begin{document}",
        f"\\section*{{{escape(title)}}}",
        f"{escape(setting)}",
        "",
        r"\begin{center}",
        tikz(walk.network, escape, walk.weights, walk.biases, walk.fmt.digits),
        r"\end{center}",
    ]
    for phase, steps in phases(walk):
        out.append(f"\\subsection*{{{PHASE_TITLES[phase]}}}")
        out.append(r"\begin{enumerate}")
        out.append(f"\\setcounter{{enumi}}{{{steps[0].index}}}")
        for s in steps:
            out.append(f"\\item {{\\small {escape(s.title)}}}\\\\ {formula(s.line)}")
        out.append(r"\end{enumerate}")
    table = truth_table(walk)
    if table is not None:
        out.append(r"\subsection*{Truth table}")
        out.append("Every sample through the network with the weights before the update.")
        cols = len(table.names) + 1
        out.append(f"\\begin{{longtable}}{{{'r' * cols}}}")
        out.append(" & ".join(escape(n) for n in [*table.names, "✓/✗"]) + r" \\ \hline")
        for row, ok in zip(table.rows, table.correct, strict=True):
            out.append(
                " & ".join(escape(c) for c in row) + f" & {escape('✓' if ok else '✗')} \\\\"
            )
        out.append(r"\end{longtable}")
        if table.more:
            out.append(f"\\ldots{{}} and {table.more} more samples.")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
