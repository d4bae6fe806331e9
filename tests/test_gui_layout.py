"""Layouts that fit a laptop, a desktop and a projector: the canvas keeps at least half
the width, no dock title is cut, the network re-fits on resize until the user zooms or
pans, the lesson stays readable while stepping; and presentation mode."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget, QTabBar

from gui import theme
from tests.gui_helpers import drag

pytestmark = pytest.mark.gui
SIZES = [(1024, 700), (1440, 900), (1920, 1080)]


def resize(qtbot, window, w: int, h: int) -> None:
    window.resize(w, h)
    qtbot.waitUntil(lambda: window.size().width() == w and window.size().height() == h)
    qtbot.waitUntil(lambda: window.view.width() >= w / 2, timeout=3_000)


def dock_tab_bars(window) -> list[QTabBar]:
    return [b for b in window.findChildren(QTabBar) if b.isVisible() and b.count() > 1]


@pytest.mark.parametrize("size", SIZES)
def test_the_canvas_keeps_at_least_half_the_width(qtbot, window, examples, size):
    window.files.open_lesson("03_xor_by_hand")
    resize(qtbot, window, *size)
    assert window.view.width() >= size[0] / 2
    assert window.view.height() >= 0.45 * size[1]
    # the docks on screen are not squeezed to nothing either
    for dock in (window.step_dock, window.map_dock, window.lesson_dock, window.loss_dock):
        assert dock.width() >= 200 and dock.height() >= 150, dock.windowTitle()


@pytest.mark.parametrize("size", SIZES)
def test_every_dock_title_is_fully_visible(qtbot, window, size):
    resize(qtbot, window, *size)
    bars = dock_tab_bars(window)
    titles = set()
    for bar in bars:
        for i in range(bar.count()):
            rect = bar.tabRect(i)
            text = bar.tabText(i)
            titles.add(text)
            assert bar.rect().contains(rect), f"tab {text!r} runs past its bar"
            needed = bar.fontMetrics().horizontalAdvance(text)
            assert rect.width() >= needed + 12, f"tab {text!r}: {rect.width()} px < {needed}"
            assert rect.width() >= bar.tabSizeHint(i).width(), f"tab {text!r} is elided"
    tabbed = {
        d.windowTitle() for d in window.findChildren(QDockWidget) if window.tabifiedDockWidgets(d)
    }
    assert len(tabbed) == 10 and tabbed <= titles  # each tabbed dock has its title on a tab
    for dock in window.findChildren(QDockWidget):  # and each title bar shows its title
        if dock.isVisible() and not dock.visibleRegion().isEmpty():
            assert dock.fontMetrics().horizontalAdvance(dock.windowTitle()) + 60 <= dock.width()


@pytest.mark.parametrize("size", [(1024, 700), (1280, 800), (1440, 900), (1920, 1080)])
def test_each_panel_is_usable_on_a_small_screen_too(qtbot, window, size):
    """A trial at 1280×800: the step list showed ~4 rows and the caption under the formula
    was cut, the matrix form ~4 lines, the loss curve had ~40 px with its tick labels on
    top of each other, and the truth table's target and ✓/✗ hid behind a scroll bar."""
    from tests.gui_helpers import play_epochs

    window.files.open_lesson("05_backprop_learns_xor")  # a 2-2-1 on the batch of 4
    resize(qtbot, window, *size)
    play_epochs(qtbot, window, 50)
    window.act_play.trigger()
    for _ in range(17):  # into the backward pass, on the batch
        window.act_step.trigger()
    panel, short = window.step_panel, size[1] < 800
    steps, formula = panel.steps, panel.formula

    def rows() -> float:
        return steps.viewport().height() / steps.sizeHintForRow(0)

    qtbot.waitUntil(lambda: rows() >= (4.5 if short else 6), timeout=3_000)
    assert "sample i = 0 of the batch of 4" in formula.text()
    assert formula.height() >= formula.heightForWidth(formula.width())  # the caption too
    assert formula.visibleRegion().boundingRect().height() == formula.height()
    # the loss curve has room, and its axis numbers theirs
    plot = window.loss_panel.plot
    qtbot.waitUntil(lambda: plot.getViewBox().height() >= 70, timeout=3_000)
    # the truth table: every column in view, no horizontal scroll bar
    window.data_dock.raise_()
    table = window.data_panel.table
    qtbot.waitUntil(lambda: table.isVisible() and table.viewport().width() > 100)
    assert table.model().headerData(5, Qt.Orientation.Horizontal) == "target y"
    assert table.horizontalHeader().length() <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()
    # the matrix form shows a good part of the layer
    window.step_dock.raise_()
    panel.matrix_box.setChecked(True)
    matrix = panel.matrix
    lines = matrix.fontMetrics().lineSpacing()
    need = 4 if short else 6
    qtbot.waitUntil(lambda: matrix.viewport().height() >= need * lines, timeout=3_000)


def test_the_network_refits_on_resize_until_the_user_zooms(qtbot, window, examples):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    resize(qtbot, window, 1024, 700)
    window.view.fit_all()
    small = window.view.zoom
    resize(qtbot, window, 1920, 1080)
    qtbot.waitUntil(lambda: window.view.zoom > small * 1.2)
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.network_rect())
    window.act_zoom_out.trigger()  # the user zooms: the view stays as they left it
    zoom = window.view.zoom
    resize(qtbot, window, 1024, 700)
    assert window.view.zoom == zoom
    window.act_fit.trigger()  # Fit to Window: fitting again, and on resize too
    fitted = window.view.zoom
    resize(qtbot, window, 1440, 900)
    qtbot.waitUntil(lambda: window.view.zoom > fitted)


def test_panning_with_the_middle_button_stops_the_refit(qtbot, window, examples):
    window.files.open_path(examples / "xor_lecture.json", ask=False)
    window.view.fit_all()
    zoom = window.view.zoom
    drag(window, (100, 300), (60, 260), button=Qt.MouseButton.MiddleButton)
    assert not window.view.auto_fit
    resize(qtbot, window, 1920, 1080)
    assert window.view.zoom == zoom


def test_the_lesson_stays_visible_while_stepping(qtbot, window):
    window.files.open_lesson("03_xor_by_hand")
    resize(qtbot, window, 1024, 700)
    for _ in range(5):
        window.act_step.trigger()
    assert window.learning.session.cursor.position == 4
    for panel in (window.lesson_panel, window.step_panel):
        qtbot.waitUntil(lambda p=panel: not p.visibleRegion().isEmpty())
    assert "XOR by hand" in window.lesson_panel.text.toPlainText()
    assert window.lesson_panel.text.height() >= 80  # a few lines to read, not a sliver


def layout(window) -> dict:
    """Each dock: shown or closed, and where it is when it is the tab in front."""
    return {
        d.objectName(): (d.isVisible(), None if d.visibleRegion().isEmpty() else d.geometry())
        for d in window.findChildren(QDockWidget)
    }


def label_rect_width(window) -> float:
    return window.scene.connection_items[("x1", "h1")].label.boundingRect().width()


def test_presentation_mode_shows_the_four_things_larger_and_esc_restores(qtbot, window, examples):
    window.files.open_lesson("03_xor_by_hand")
    resize(qtbot, window, 1440, 900)
    for _ in range(3):
        window.act_step.trigger()
    window.gradient_dock.raise_()
    window.training_dock.raise_()  # a layout of the user's: kept exactly
    before_state = window.saveState()
    before = layout(window)
    width = label_rect_width(window)
    formula_style = window.step_panel.formula.styleSheet()
    list_points = window.step_panel.steps.font().pointSizeF()
    QTest.keyClick(window, Qt.Key.Key_F5)
    assert window.presentation.active and window.act_presentation.isChecked()
    assert window.windowState() & Qt.WindowState.WindowFullScreen
    shown = {d.windowTitle() for d in window.findChildren(QDockWidget) if d.isVisible()}
    assert shown == {"Step-through", "Decision regions", "Lesson"}
    for panel in (window.step_panel, window.decision_map, window.lesson_panel):
        qtbot.waitUntil(lambda p=panel: not p.visibleRegion().isEmpty())
    assert theme.scale() == 1.5
    text = width - 12  # the plate's padding stays as it is
    assert label_rect_width(window) - 12 == pytest.approx(1.5 * text, rel=0.1)
    assert theme.font(9).pointSizeF() == 13.5
    assert "font-size: 18pt" in window.step_panel.formula.styleSheet() != formula_style
    assert window.step_panel.steps.font().pointSizeF() == pytest.approx(1.5 * list_points)
    formula = window.step_panel.formula  # all of it, the result on its last line included
    qtbot.waitUntil(lambda: formula.height() >= formula.heightForWidth(formula.width()))
    assert window.lesson_panel.text.font().pointSizeF() == pytest.approx(13.5)
    axis = window.loss_panel.plot.getAxis("bottom")
    assert axis.style["tickFont"].pointSizeF() == pytest.approx(12)
    # the canvas still shows the step: annotations survived the larger type
    assert window.scene.neuron_items["h1"].annotation
    # full screen: the canvas takes half, or what the step-through's minimum leaves (the
    # offscreen screen is 800 pixels wide, narrower than any projector)
    half = min(0.5 * window.width(), window.width() - window.step_dock.minimumWidth() - 40)
    qtbot.waitUntil(lambda: window.view.width() >= half)
    window.presentation.set_scale(2.0)
    assert label_rect_width(window) - 12 == pytest.approx(2 * text, rel=0.1)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Escape)
    assert not window.presentation.active and not window.act_presentation.isChecked()
    assert theme.scale() == 1.0
    assert label_rect_width(window) == pytest.approx(width)
    assert window.step_panel.formula.styleSheet() == formula_style
    assert window.step_panel.steps.font().pointSizeF() == list_points
    assert not window.windowState() & Qt.WindowState.WindowFullScreen
    qtbot.waitUntil(lambda: window.training_panel.isVisible())
    after = layout(window)
    assert after == before
    assert window.saveState() == before_state
    assert window.settings.value("presentation_scale") in (2.0, "2.0", "2")


def test_presentation_scale_is_remembered(qtbot, window):
    window.presentation.set_scale(1.25)
    from gui.presentation import Presentation

    assert Presentation(window, window.settings).scale == 1.25


class _Screen:
    """A screen of a given size, for fit_to_screen (a 1280×800 projector)."""

    def __init__(self, width: int, height: int) -> None:
        from PySide6.QtCore import QRect

        self.rect = QRect(0, 0, width, height)

    def availableGeometry(self):
        return self.rect


@pytest.mark.parametrize("screen", [(1280, 800), (1366, 728), (1024, 700)])
def test_the_window_opens_no_larger_than_a_small_screen(tmp_path, qtbot, screen):
    """It opened at 1440×900 whatever the screen: on a 1280×800 projector the right
    column (step-through, decision map) was cut off by the screen's edge."""
    from PySide6.QtCore import QSettings

    from gui.app import create_app
    from gui.mainwindow import MainWindow
    from gui.recovery import Recovery

    create_app()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings, Recovery(tmp_path / "recovery"))
    win.screen = lambda: _Screen(*screen)
    win.fit_to_screen()
    assert win.width() <= screen[0] and win.height() <= screen[1]
    assert win.windowState() & Qt.WindowState.WindowMaximized
    win.deleteLater()


def test_the_window_keeps_its_size_on_a_large_screen(tmp_path, qtbot):
    from PySide6.QtCore import QSettings

    from gui.app import create_app
    from gui.mainwindow import MainWindow
    from gui.recovery import Recovery

    create_app()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings, Recovery(tmp_path / "recovery"))
    win.screen = lambda: _Screen(1920, 1080)
    win.fit_to_screen()
    assert (win.width(), win.height()) == (1440, 900)
    assert not win.windowState() & Qt.WindowState.WindowMaximized
    win.deleteLater()
