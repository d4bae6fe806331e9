"""Worked-solution handouts (``python -m engine walk --format html|md|latex``): every
step's formula with its numbers as in the step-through, the network's picture and the
truth table; every label escaped for its format, hostile ones included."""

import html
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from engine.cli import main
from engine.files import load_network, save_network
from engine.formatting import to_html, to_plain
from engine.handout import md_code, md_text, render, sample_text
from engine.handout_latex import escape, formula
from engine.walkthrough import Walkthrough

HOSTILE = {
    "x1": "<script>alert(1)</script>",
    "x2": "a & b \\ c",
    "h1": "50% $x$",
    "h2": "{h}_2 #~^",
    "y": "`ŷ` | *y* </svg>",
}


def walk_of(net, sample=1) -> Walkthrough:
    from engine.cli_common import sample_data

    X, Y = sample_data(net, sample)
    return Walkthrough(net, X, Y)


@pytest.fixture
def lecture(examples):
    return load_network(examples / "xor_lecture.json")


@pytest.fixture
def hostile(examples):
    net = load_network(examples / "xor_lecture.json")
    for nid, label in HOSTILE.items():
        net.set_label(nid, label)
    net.name = "</title><script>x</script> & {\\LaTeX} 100% $"
    return net


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Collect:
    c = Collect()
    c.feed(page)
    return c


def test_html_has_every_step_the_picture_and_the_truth_table(lecture):
    walk = walk_of(lecture)
    page = render(walk, "html", sample_text(walk, 1))
    for step in walk.steps:
        assert to_html(step.line) in page
    assert "5·0 + 5·1 − 8 = −3" in page  # z of h₁ on (0, 1), as the lecture writes it
    doc = parse(page)
    assert doc.tags.count("li") == len(walk.steps)
    assert "svg" in doc.tags and "img" not in doc.tags and "script" not in doc.tags
    assert not any(v and v.startswith(("http:", "https:")) for k, v in doc.attrs if k != "xmlns")
    assert "@media print" in page
    # the truth table: the four XOR rows, each with ✓ (the lecture's weights solve it)
    assert doc.tags.count("tr") == 5 and page.count('class="ok">✓') == 4


def test_markdown_lists_every_step_with_its_numbers(lecture):
    walk = walk_of(lecture)
    text = render(walk, "md", sample_text(walk, 1))
    for step in walk.steps:
        assert md_code(to_plain(step.line)) in text
    assert (
        "1. h₁: weighted input: `z_h₁ = w_x₁→h₁·x₁ + w_x₂→h₁·x₂ + b_h₁ = 5·0 + 5·1 − 8 = −3`"
        in text
    )
    assert "## Truth table" in text and text.count(" | ✓ |") == 4


def test_hostile_labels_are_escaped_in_html(hostile):
    walk = walk_of(hostile)
    page = render(walk, "html", sample_text(walk, 1))
    doc = parse(page)
    assert "script" not in doc.tags and doc.tags.count("svg") == 1
    assert doc.tags.count("title") == 1
    text = "".join(doc.text)
    for label in HOSTILE.values():
        assert label in text  # shown as written, never interpreted
    assert hostile.name in text


def test_hostile_labels_are_escaped_in_markdown(hostile):
    walk = walk_of(hostile)
    text = render(walk, "md", sample_text(walk, 1))
    assert text.count(md_text(HOSTILE["x1"])) >= 2  # in the tables, escaped
    for line in text.splitlines():
        head, fence, code = line.partition(": `")
        # outside code spans no markup character survives unescaped
        assert re.search(r"(?<!\\)[<>$&{}*_`]", head) is None, line
        if fence:  # a code span's fence is longer than any run of backticks inside it
            span = "`" + code
            run = len(span) - len(span.lstrip("`"))
            inner = span[run:-run]
            assert span.endswith("`" * run) and "`" * run not in inner, line
    assert md_text("<a & b>") == "\\<a \\& b\\>"
    assert md_code("a `b` c") == "``a `b` c``"
    assert md_code("`x`") == "`` `x` ``"


def test_latex_escape_turns_every_special_into_text():
    assert escape("50% $x$ & {y}_2 #~^ \\") == (
        r"50\% \$x\$ \& \{y\}\_2 \#\textasciitilde{}\textasciicircum{} \textbackslash{}"
    )
    assert escape("σ(−3) → ŷ₁") == (
        r"\ensuremath{\sigma}(\ensuremath{-}3) \ensuremath{\rightarrow} "
        r"\ensuremath{\hat{y}}\textsubscript{1}"
    )
    assert escape("中") == r"\texttt{[U+4E2D]}" and escape("é") == r"\'{e}"
    assert formula("z_{h1} = 1.3×10⁻⁵") == (
        r"z\textsubscript{h1} = 1.3\ensuremath{\times}10\textsuperscript{-}\textsuperscript{5}"
    )


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("which", ["lecture", "hostile"])
def test_latex_compiles_with_pdflatex(which, request, tmp_path):
    net = request.getfixturevalue(which)
    net.set_label("h2", net.neuron("h2").label + " 中 é")  # beyond what fonts have
    walk = walk_of(net)
    (tmp_path / "h.tex").write_text(render(walk, "latex", sample_text(walk, 1)), "utf-8")
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "h.tex"],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:].decode("latin-1")
    assert (tmp_path / "h.pdf").stat().st_size > 10_000


def test_walk_command_writes_each_format(capsys, examples, tmp_path, hostile):
    path = tmp_path / "hostile.json"
    save_network(hostile, path)
    for fmt, marker in (("html", "<!DOCTYPE html>"), ("md", "# "), ("latex", "\\documentclass")):
        assert main(["walk", str(path), "--sample", "1", "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert out.startswith(marker)
        assert "Backward pass" in out and "Truth table" in out
    assert main(["walk", str(examples / "xor_lecture.json")]) == 0  # plain text stays default
    assert capsys.readouterr().out.splitlines()[3].startswith("   1. z_h₁")


def test_walk_format_refuses_phase_and_matrix(capsys, examples):
    for extra in (["--phase", "loss"], ["--matrix"]):
        args = ["walk", str(examples / "xor_lecture.json"), "--format", "md", *extra]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "--format md writes every phase" in err and err.count("\n") == 1


def test_html_of_a_batch_says_so(examples):
    net = load_network(examples / "xor_lecture.json")
    walk = walk_of(net, None)
    page = render(walk, "html", sample_text(walk, None))
    assert html.escape("a batch of 4 samples") in page
