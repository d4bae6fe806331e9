"""Where the docks go, so that the window works at 1024×700 as at 1920×1080.

One column on the right, full height: the step-through (tabbed with the training settings
and the inspector) over the decision map (tabbed with the data and two insight plots).
Under the canvas: the lesson text beside the loss curves (tabbed with two more plots).
So the canvas keeps more than half of the width, the lesson stays readable while stepping,
and no tab group holds more titles than its width shows in full."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QScrollArea, QWidget

from .panels.data import DataPanel
from .panels.decision_map import DecisionMap
from .panels.gradients import GradientPanel
from .panels.hidden import HiddenSpacePanel
from .panels.landscape import LandscapePanel
from .panels.lesson import LessonPanel
from .panels.parameters import ParameterPanel
from .panels.plots import LossPanel
from .panels.stepper import StepPanel
from .panels.training import TrainingPanel

RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
VERTICAL, HORIZONTAL = Qt.Orientation.Vertical, Qt.Orientation.Horizontal
SHORT_SCREEN = 860  # window heights below this give the step-through a larger share


def _scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


def _dock(w, title: str, widget, area) -> QDockWidget:
    dock = QDockWidget(title, w)
    dock.setObjectName(title.replace(" ", "_").lower())
    dock.setWidget(widget)
    w.addDockWidget(area, dock)
    return dock


def build_docks(w) -> None:
    """The panels and their docks; tabs are made once the window is shown (``arrange``)."""
    w.setCorner(Qt.Corner.BottomRightCorner, RIGHT)  # the right column keeps full height
    w.setCorner(Qt.Corner.TopRightCorner, RIGHT)
    w.step_panel = StepPanel(w.learning, w)
    w.training_panel = TrainingPanel(w.learning, w)
    w.loss_panel = LossPanel(w.learning)
    w.decision_map = DecisionMap(w.learning)
    w.data_panel = DataPanel(w.learning)
    w.lesson_panel = LessonPanel(w.doc)
    w.gradient_panel = GradientPanel(w.learning)
    w.hidden_panel = HiddenSpacePanel(w.learning)
    w.parameter_panel = ParameterPanel(w.learning)
    w.landscape_panel = LandscapePanel(w.learning)
    w.step_dock = _dock(w, "Step-through", w.step_panel, RIGHT)
    # in front again, the formula's height counts again (behind a tab it does not): once
    # the tab has switched
    formula = w.step_panel.formula
    w.step_dock.visibilityChanged.connect(lambda _on: QTimer.singleShot(0, formula.updateGeometry))
    w.map_dock = _dock(w, "Decision regions", w.decision_map, RIGHT)
    w.splitDockWidget(w.step_dock, w.map_dock, VERTICAL)
    # scrollable, so that the window fits a laptop screen with every dock open
    w.training_dock = _dock(w, "Training", _scrolling(w.training_panel), RIGHT)
    w.inspector_dock = _dock(w, "Inspector", w.inspector, RIGHT)
    w.data_dock = _dock(w, "Data", w.data_panel, RIGHT)
    w.hidden_dock = _dock(w, "Hidden space", w.hidden_panel, RIGHT)
    w.landscape_dock = _dock(w, "Landscape", w.landscape_panel, RIGHT)
    w.landscape_dock.visibilityChanged.connect(w.landscape_panel.set_on_screen)
    w.lesson_dock = _dock(w, "Lesson", w.lesson_panel, BOTTOM)
    w.loss_dock = _dock(w, "Loss", w.loss_panel, BOTTOM)
    w.splitDockWidget(w.lesson_dock, w.loss_dock, HORIZONTAL)
    w.gradient_dock = _dock(w, "Gradients", w.gradient_panel, BOTTOM)
    w.parameter_dock = _dock(w, "Parameters", w.parameter_panel, BOTTOM)
    for _first, dock in _tabbed(w):  # until tabbed, stacked docks would make the window tall
        dock.hide()


def _tabbed(w) -> list[tuple[QDockWidget, QDockWidget]]:
    return [
        (w.step_dock, w.training_dock),
        (w.step_dock, w.inspector_dock),
        (w.map_dock, w.data_dock),
        (w.map_dock, w.hidden_dock),
        (w.map_dock, w.landscape_dock),
        (w.loss_dock, w.gradient_dock),
        (w.loss_dock, w.parameter_dock),
    ]


def arrange_docks(w) -> None:
    """Tabs and sizes, once the window is shown (done before, Qt keeps a stale copy of a
    tab bar beside the docks, and sizes do not stick)."""
    for first, other in _tabbed(w):
        w.tabifyDockWidget(first, other)
        other.show()
    for dock in (w.loss_dock, w.inspector_dock, w.map_dock):
        dock.raise_()
    fit_docks(w)


def fit_docks(w) -> None:
    """Sizes for the window's size: the right column about a third of the width (400 to
    560 px), the strip under the canvas about a quarter of the height."""
    width, height = w.width(), w.height()
    column = max(400, min(560, round(0.34 * width)))
    strip = max(190, min(300, round(0.27 * height)))
    canvas = width - column
    w.resizeDocks([w.step_dock], [column], HORIZONTAL)
    # on a short screen (a 1280×800 projector, a laptop) the step list needs the height
    # more than the map does, which stays wider than it is tall
    share = 0.56 if height >= SHORT_SCREEN else 0.59
    w.resizeDocks(
        [w.step_dock, w.map_dock], [round(share * height), round((1 - share) * height)], VERTICAL
    )
    w.resizeDocks([w.lesson_dock], [strip], VERTICAL)
    w.resizeDocks(
        [w.lesson_dock, w.loss_dock], [round(0.42 * canvas), round(0.58 * canvas)], HORIZONTAL
    )
