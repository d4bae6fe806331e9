"""File operations of the main window: new, open, save, recent files, export, recovery.
Every failure is reported in a dialog and leaves the open document as it was."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from engine.errors import NetworkFileError, plain
from engine.examples import example_path, lessons_dir, list_examples
from engine.export import numpy_script, torch_script
from engine.network import Network

from .document import UNTITLED
from .figure import write_figure
from .recovery import INTERVAL_MS, Recovery

FILTER = "Backprop Studio networks (*.json);;All files (*)"
MAX_RECENT = 8


class FileController(QObject):
    recent_changed = Signal()
    lesson_opened = Signal()
    message = Signal(str)

    def __init__(self, window: QWidget, doc, scene, settings: QSettings, recovery: Recovery):
        super().__init__(window)
        self.window, self.doc, self.scene = window, doc, scene
        self.settings = settings
        self.recovery = recovery
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.write_recovery)
        self.timer.start()

    # --------------------------------------------------------- documents
    def maybe_save(self) -> bool:
        """Ask Save / Discard / Cancel when there are unsaved changes; True to go on."""
        if not self.doc.modified:
            return True
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save the changes to “{self.doc.display_name}”?")
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new(self) -> None:
        if self.maybe_save():
            self.doc.replace(Network(UNTITLED), None)
            self.recovery.clear()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(self.doc.path.parent) if self.doc.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self.window, "Open network", start, FILTER)
        if path:
            self.open_path(Path(path), ask=False)

    def open_path(self, path: Path, ask: bool = True) -> bool:
        """Open a file; a malformed one shows the engine's message and changes nothing."""
        if ask and not self.maybe_save():
            return False
        try:
            self.doc.open(path)
        except NetworkFileError as e:
            self.error("Cannot open the network", f"{plain(Path(path).name)}: {e}")
            return False
        self.recovery.clear()
        self.add_recent(path)
        self.message.emit(f"Opened {Path(path).name}.")
        return True

    def open_example(self, name: str) -> None:
        self._open_template(example_path(name))

    def open_lesson(self, name: str) -> None:
        if self._open_template(lessons_dir() / f"{name}.json"):
            self.lesson_opened.emit()

    def _open_template(self, path: Path) -> bool:
        """Examples and lessons open as templates: Save asks where to put a changed copy."""
        if not self.maybe_save():
            return False
        self.doc.open(path)
        self.doc.path = None
        self.doc.path_changed.emit()
        return True

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self._save_to(self.doc.path)

    def save_as(self) -> bool:
        suggested = (
            self.doc.path
            or Path.home() / f"{(self.doc.network.name or 'network').replace(' ', '_')}.json"
        )
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save network as", str(suggested), FILTER
        )
        if not path:
            return False
        if not path.endswith(".json"):
            path += ".json"
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.doc.save(path)
        except NetworkFileError as e:
            self.error("Cannot save the network", f"{e}\n\nThe file on disk was not changed.")
            return False
        self.recovery.clear()
        self.add_recent(path)
        self.message.emit(f"Saved {path.name}.")
        return True

    def error(self, title: str, text: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, self.window
        )
        box.exec()

    # ------------------------------------------------------------ recent
    def recent(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [p for p in (value or []) if Path(p).exists()]

    def add_recent(self, path: Path) -> None:
        path = str(Path(path).resolve())
        files = [path, *[p for p in self.recent() if p != path]][:MAX_RECENT]
        self.settings.setValue("recent_files", files)
        self.settings.sync()
        self.recent_changed.emit()

    @staticmethod
    def examples() -> dict[str, str]:
        return list_examples()

    # ------------------------------------------------------------ export
    def export_dialog(self, fmt: str, scale: float = 2.0) -> None:
        stem = Path(self.doc.display_name).stem
        what = f"PNG at {scale:g}×" if fmt == "png" else fmt.upper()
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            f"Export canvas as {what}",
            str(Path.home() / f"{stem}.{fmt}"),
            f"{fmt.upper()} (*.{fmt})",
        )
        if path:
            if not path.lower().endswith(f".{fmt}"):
                path += f".{fmt}"
            self.export(Path(path), fmt, scale)

    def export(self, path: Path, fmt: str, scale: float = 2.0) -> bool:
        """SVG fully vector (text as text); PNG at ``scale`` pixels per canvas unit. Qt's
        own SVG generator: pyqtgraph 0.14's SVG exporter fails on Qt ≥ 6.11."""
        try:
            write_figure(self.scene, path, fmt, scale, self.doc.network.name)
        except ValueError as e:
            self.error("Cannot export", str(e))
            return False
        self.message.emit(f"Exported {path.name}.")
        return True

    def export_script_dialog(self, kind: str = "numpy") -> None:
        stem = Path(self.doc.display_name).stem.replace(" ", "_")
        stem += "_torch" if kind == "torch" else ""
        title = "Export as PyTorch script" if kind == "torch" else "Export as NumPy script"
        path, _ = QFileDialog.getSaveFileName(
            self.window, title, str(Path.home() / f"{stem}.py"), "Python (*.py)"
        )
        if path:
            self.export_script(Path(path), kind)

    def export_script(self, path: Path, kind: str = "numpy") -> bool:
        """A standalone script that trains this network as the app does."""
        try:
            make = torch_script if kind == "torch" else numpy_script
            text = make(self.doc.network, path.name)
            path.write_text(text, "utf-8")
        except (ValueError, OSError) as e:
            self.error("Cannot export the script", str(e))
            return False
        self.message.emit(f"Exported {path.name}: run it with python {path.name}")
        return True

    # ---------------------------------------------------------- recovery
    def write_recovery(self) -> None:
        if self.doc.modified:
            self.recovery.write(self.doc.network, self.doc.path)

    def offer_recovery(self) -> bool:
        """After a crash: offer the newest orphaned copy. True if one was restored."""
        copies = self.recovery.orphans()
        if not copies:
            return False
        copy = copies[-1]
        if copy.original:
            name = plain(copy.original.name)
        else:  # an example or lesson opened as a template, or a new network
            named = copy.name and copy.name != UNTITLED
            name = f"“{plain(copy.name)}”" if named else "an untitled network"
        answer = QMessageBox.question(
            self.window,
            "Recover unsaved changes?",
            f"Backprop Studio did not close properly. Unsaved changes to {name} "
            f"from {copy.saved_at.replace('T', ' ')} were kept.\n\nRestore them?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            for c in copies:
                c.discard()
            return False
        try:
            network = Recovery.load(copy)
        except NetworkFileError as e:
            self.error("Cannot recover", str(e))
            return False
        self.doc.replace(network, copy.original, modified=True)
        for c in copies:
            c.discard()
        self.write_recovery()
        self.message.emit("Restored the unsaved changes; save them to keep them.")
        return True
