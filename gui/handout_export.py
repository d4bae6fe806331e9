"""File ▸ Export Worked Solution…: the iteration being stepped through (or the next one
Step would show) as a handout, in the format its file name ends with. The engine writes
it (``engine.handout``), the same as ``python -m engine walk --format``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from engine.atomic import write_atomic
from engine.handout import render, sample_text

SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".tex": "latex"}
FILTER = "HTML, prints well (*.html);;Markdown (*.md);;LaTeX (*.tex)"


def write_worked_solution(learning, path: Path) -> str:
    """Write the handout; returns a message for the status bar. Raises ValueError with
    a one-line reason (no dataset, an unknown suffix, a folder that cannot be written)."""
    fmt = SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise ValueError(f"{Path(path).name}: a worked solution is written as .html, .md or .tex")
    session = learning.ensure_session()
    if session is None:
        raise ValueError("this network cannot be stepped through (it needs a dataset)")
    walk = session.walk
    text = render(walk, fmt, sample_text(walk, session.sample))
    write_atomic(path, text.encode("utf-8"))
    return f"Exported the worked solution of {len(walk.steps)} steps to {Path(path).name}."


def export_worked_solution_dialog(window) -> None:
    stem = Path(window.doc.display_name).stem.replace(" ", "_")
    path, chosen = QFileDialog.getSaveFileName(
        window, "Export worked solution", str(Path.home() / f"{stem}_solution.html"), FILTER
    )
    if not path:
        return
    if Path(path).suffix.lower() not in SUFFIXES:
        path += {"Markdown": ".md", "LaTeX": ".tex"}.get(chosen.split(" ")[0], ".html")
    try:
        window.show_message(write_worked_solution(window.learning, Path(path)))
    except ValueError as e:
        window.files.error("Cannot export the worked solution", str(e))
