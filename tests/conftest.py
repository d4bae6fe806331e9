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
