"""Guards against a broken Qt binding release: PySide6 6.12.0 drops a reference to None on
every method call that returns nothing, and on Python 3.11 (where None is not immortal)
the interpreter aborts after a few thousand such calls — i.e. after drawing one large
network. pyproject.toml excludes that release; this test fails if another one does it."""

import sys

import pytest
from PySide6.QtWidgets import QGraphicsRectItem

pytestmark = pytest.mark.gui


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_void_calls_keep_the_reference_count_of_none(qtbot):
    item = QGraphicsRectItem()
    before = sys.getrefcount(None)
    for _ in range(2000):
        item.setZValue(1.0)
    assert sys.getrefcount(None) >= before - 50
