"""``backprop-studio --export OUT.svg|png NETWORK.json [--step K] [--scale S]``: the canvas
as a figure, drawn without showing a window (offscreen), optionally as it looks after
step K of the first iteration's walkthrough (numbered as ``python -m engine walk`` numbers
them). Bad input ends in one line on stderr and exit status 2."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from engine.errors import NetworkFileError, plain

SHOWN = {"weights", "activations", "gradients"}


class ExportError(Exception):
    """One line for the user: what is wrong with the command's input."""


def export_figure(network: Path, out: Path, step: int | None = None, scale: float = 2.0) -> str:
    """Render and write the figure; returns a one-line summary. Raises ExportError."""
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise ExportError(f"--export {plain(out.name)}: the name must end in .svg or .png")
    from PySide6.QtWidgets import QApplication

    from engine.files import load_network

    from .canvas.annotations import annotate
    from .canvas.scene import NetworkScene
    from .document import Document
    from .figure import write_figure

    try:
        net = load_network(network)
    except NetworkFileError as e:
        raise ExportError(f"{plain(Path(network).name)}: {e}") from None
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setStyle("Fusion")  # as the window draws it
    doc = Document(net, Path(network))
    scene = NetworkScene(doc)
    what = ""
    if step is not None:
        walk, state = _walk_state(net, step)
        annotate(scene, walk, state, SHOWN)
        what = f" after step {step} of {len(walk.steps)} ({state.step.phase})"
    try:
        write_figure(scene, out, fmt, scale, net.name)
    except ValueError as e:
        raise ExportError(str(e)) from None
    finally:
        scene.deleteLater()
    return f"wrote {out}{what}"


def _walk_state(net, step: int):
    """The walkthrough the window's Step shows first (the trainer's first batch) at step
    ``step`` (1-based)."""
    from engine.session import StepSession
    from engine.trainer import Trainer

    try:
        session = StepSession(Trainer(net))
    except (ValueError, KeyError) as e:
        raise ExportError(f"--step {step}: cannot step through this network: {e}") from None
    n = len(session.walk.steps)
    if not 1 <= step <= n:
        raise ExportError(f"--step {step}: the first iteration has steps 1 to {n}")
    session.cursor.jump(step - 1)
    return session.walk, session.state


def run(network: str, out: str, step: int | None, scale: float) -> int:
    """The command's body: offscreen Qt, one line on stdout or stderr, an exit status."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # never a window, so never a screen
    try:
        message = export_figure(Path(network), Path(out), step, scale)
    except ExportError as e:
        sys.stderr.write(f"backprop-studio: error: {e}\n")
        return 2
    sys.stdout.write(message + "\n")
    return 0
