import os

# Without a screen, pytest-qt aborts the interpreter unless Qt is told to draw offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Derandomized: a red run is a real bug, reproducible on any machine.
settings.register_profile(
    "project",
    derandomize=True,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("project")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "resources" / "examples"


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def window(qtbot, tmp_path):
    """A main window with its own settings file and recovery folder, showing an empty
    network, at a fixed size and zoom so scene coordinates map predictably."""
    from PySide6.QtCore import QSettings

    from gui.app import create_app
    from gui.mainwindow import MainWindow
    from gui.recovery import Recovery

    create_app()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings, Recovery(tmp_path / "recovery"))
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    win.view.resetTransform()
    win.view.auto_fit = False  # as if the user had zoomed: the view stays where it is put
    win.view.centerOn(220, 90)
    yield win
    win.doc.replace(win.doc.network, None)  # saved state: no unsaved-changes prompt
    win.close()
    win.deleteLater()
