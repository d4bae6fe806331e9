"""Issue 12 through the window: the K-class map is the engine's arg-max in the palette's
colours, the regression map its output on a diverging scale, the docks score each task
its way, and the softmax group is edited as one."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from engine.maps import class_regions, grid_axes, neuron_map, output_maps
from engine.tasks import Task
from gui.panels.map_colours import CLASS_COLOURS, class_image, rgb
from tests.gui_helpers import play_epochs

pytestmark = pytest.mark.gui
RESOURCES = Path(__file__).resolve().parents[1] / "resources"


def open_file(window, relative: str):
    window.files.open_path(RESOURCES / relative, ask=False)
    return window.doc.network


def test_three_class_map_is_the_engines_argmax_in_its_colours(qtbot, window):
    net = open_file(window, "lessons/17_three_classes_16.json")
    play_epochs(qtbot, window, 200)
    window.act_play.trigger()
    window.map_dock.raise_()
    dmap = window.decision_map
    assert dmap.task is Task.CLASSES
    compiled = net.compile()
    qtbot.waitUntil(
        lambda: (
            dmap.last_image is not None
            and np.array_equal(
                dmap.last_image,
                class_image(*class_regions(output_maps(compiled, dmap.extent, dmap.RESOLUTION))),
            )
        ),
        timeout=3_000,
    )
    # pixel (i, j) is the arg-max class at (u_j, v_i), computed in float64 independently
    u, v = grid_axes(dmap.extent, dmap.RESOLUTION)
    for i, j in [(5, 110), (110, 5), (60, 60), (17, 93)]:
        p = compiled.outputs(np.array([[u[j]], [v[i]]]))[:, 0]
        pixel = dmap.image.image[i, j, :3].astype(float)
        k = int(p.argmax())
        # the pixel lies on the line from white to the winner's colour, nearer it when surer
        towards = rgb(CLASS_COLOURS[k]) - 255.0
        t = np.dot(pixel - 255.0, towards) / np.dot(towards, towards)
        assert np.abs(255.0 + t * towards - pixel).max() <= 1.0, (i, j)
        local = dmap.image.mapFromParent(QPointF(u[j], v[i]))
        assert (int(local.y()), int(local.x())) == (i, j)
    # the view shows every data point (0.1 kept [0, 1]² after an empty map)
    (x0, x1), (y0, y1) = dmap.plot.plotItem.vb.viewRange()
    xs, ys = dmap.points.getData()
    assert x0 <= xs.min() and xs.max() <= x1 and y0 <= ys.min() and ys.max() <= y1
    # boundaries drawn where the winner changes; a legend with the class names
    xs, ys = dmap.contour.xData, dmap.contour.yData
    assert xs is not None and len(xs) > 10
    for x, y in zip(xs[::7], ys[::7], strict=True):
        p = np.sort(compiled.outputs(np.array([[x], [y]]))[:, 0])
        assert p[-1] - p[-2] < 0.05  # two classes tie on a boundary
    legend = dmap.legend.text()
    assert dmap.legend.isVisibleTo(dmap) and all(f"&nbsp;{k}" in legend for k in "ABC")
    # the truth table names the class and the prediction
    table = window.data_panel.model
    names = table.names
    assert names[-3:] == ["class", "predicted", "✓/✗"]
    col = len(names) - 2
    predicted = compiled.outputs(window.data_panel.data.inputs.T.copy()).argmax(axis=0)
    qtbot.waitUntil(
        lambda: (
            [table.data(table.index(r, col)) for r in range(5)]
            == ["ABC"[k] for k in predicted[:5]]
        ),
        timeout=3000,
    )


def test_adding_a_point_of_class_c_makes_a_one_hot_row(qtbot, window):
    net = open_file(window, "lessons/17_three_classes_3.json")
    dmap = window.decision_map
    before = len(window.data_panel.data)
    assert [dmap.add_class.itemText(k) for k in range(3)] == ["class A", "class B", "class C"]
    dmap.add_class.setCurrentIndex(2)
    dmap.add_point(0.1, -0.2, float(dmap.add_class.currentIndex()))
    assert net.dataset.targets[-1] == [0.0, 0.0, 1.0] and net.dataset.inputs[-1] == [0.1, -0.2]
    assert len(window.data_panel.data) == before + 1
    window.doc.undo_stack.undo()
    assert len(window.data_panel.data) == before


def test_regression_map_colour_bar_loss_dock_and_table(qtbot, window):
    net = open_file(window, "examples/regression_bumps.json")
    play_epochs(qtbot, window, 100)
    window.act_play.trigger()
    window.map_dock.raise_()
    dmap = window.decision_map
    assert dmap.task is Task.REGRESSION
    qtbot.waitUntil(
        lambda: (
            dmap.last_image is not None
            and np.array_equal(dmap.last_image, neuron_map(net.compile(), dmap.extent, 120))
        ),
        timeout=3_000,
    )
    r = dmap.regression_range
    targets = window.data_panel.data.targets[:, 0]
    assert r == pytest.approx(np.abs(targets).max())
    assert dmap.colour_bar is not None and dmap.colour_bar.isVisible()
    assert tuple(dmap.colour_bar.levels()) == pytest.approx((-r, r))
    assert tuple(dmap.image.levels) == pytest.approx((-r, r))
    # the Loss dock: RMSE, not accuracy
    trainer = window.learning.trainer
    loss_panel = window.loss_panel
    qtbot.waitUntil(lambda: loss_panel.acc_plot.getAxis("left").labelText == "RMSE", timeout=3000)
    assert np.array_equal(loss_panel.acc_curve.yData, trainer.history.rmse)
    assert "RMSE" in loss_panel.readout.text() and "accuracy" not in loss_panel.readout.text()
    # the table: ŷ − y, no ✓/✗
    table = window.data_panel.model
    assert table.names[-2:] == ["target y", "y1 − y"] and table.correct is None
    yhat = net.compile().outputs(window.data_panel.data.inputs.T.copy())[0]
    col = len(table.names) - 1
    assert table.values[3, col] == pytest.approx(yhat[3] - targets[3], abs=1e-12)
    assert window.data_panel.summary.text().startswith("RMSE ")


def test_choosing_softmax_on_one_output_moves_the_whole_group_in_one_undo_step(window):
    from tests.helpers import build

    net = build(
        [("x1", "input"), ("y1", "output"), ("y2", "output"), ("h", "hidden")],
        [("x1", "h", 0.5), ("h", "y1", 1.0), ("h", "y2", -1.0)],
    )
    window.doc.replace(net, None)
    inspector = window.inspector
    window.scene.neuron_items["y1"].setSelected(True)
    combo = inspector.activation_combo
    combo.setCurrentIndex(combo.findData("softmax"))
    combo.activated.emit(combo.currentIndex())
    assert [net.neuron(o).activation for o in ("y1", "y2")] == ["softmax", "softmax"]
    window.doc.undo_stack.undo()
    assert [net.neuron(o).activation for o in ("y1", "y2")] == ["sigmoid", "sigmoid"]
    # softmax on a hidden neuron: refused with a message, nothing changed
    window.scene.clearSelection()
    window.scene.neuron_items["h"].setSelected(True)
    messages = []
    inspector.message.connect(messages.append)
    combo.setCurrentIndex(combo.findData("softmax"))
    combo.activated.emit(combo.currentIndex())
    assert net.neuron("h").activation == "sigmoid"
    assert messages and "softmax is for output neurons only" in messages[-1]


def test_playground_features_in_one_undo_step_and_they_train(qtbot, window):
    net = open_file(window, "lessons/07_hidden_1.json")
    targets = {c.target for c in net.outgoing("x1")}
    before = len(net.neurons)
    window.act_features.trigger()
    features = net.feature_inputs
    a, b = (net.neuron(x).name for x in ("x1", "x2"))
    assert [net.neuron(f).label for f in features] == [
        f"{a}²",
        f"{b}²",
        f"{a}·{b}",
        f"sin {a}",
        f"sin {b}",
    ]
    assert [net.neuron(f).feature for f in features][2] == ("product", ("x1", "x2"))
    for f in features:
        assert {c.target for c in net.outgoing(f)} == targets
        assert window.scene.neuron_items[f].label == net.neuron(f).label  # drawn as inputs
    assert net.inputs == ["x1", "x2"]  # the data and the map's axes stay the raw inputs
    play_epochs(qtbot, window, 20)
    window.act_play.trigger()
    trainer = window.learning.trainer
    assert trainer.epoch == 20 and np.isfinite(trainer.history.loss[-1])
    # deleting x1 takes the features computed from it along; undo brings all back
    window.scene.clearSelection()
    window.scene.neuron_items["x1"].setSelected(True)
    window.act_delete.trigger()
    assert not net.has_neuron("x1")
    assert [net.has_neuron(f) for f in features] == [False, True, False, False, True]
    window.doc.undo_stack.undo()
    assert net.has_neuron("x1") and all(net.has_neuron(f) for f in features)
    while window.doc.undo_stack.canUndo() and len(net.neurons) > before:
        window.doc.undo_stack.undo()
    assert len(net.neurons) == before and not net.feature_inputs


def test_a_dark_system_palette_gives_dark_plots_and_maps(qtbot, tmp_path):
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    from gui.mainwindow import MainWindow
    from gui.recovery import Recovery

    app = QApplication.instance()
    light = app.palette()
    dark = QPalette(light)
    for role, colour in (
        (QPalette.ColorRole.Window, "#202020"),
        (QPalette.ColorRole.Base, "#1b1b1b"),
        (QPalette.ColorRole.Text, "#e0e0e0"),
        (QPalette.ColorRole.WindowText, "#e0e0e0"),
    ):
        dark.setColor(role, QColor(colour))
    app.setPalette(dark)
    try:
        settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        win = MainWindow(settings, Recovery(tmp_path / "recovery"))
        qtbot.addWidget(win)
        win.files.open_path(RESOURCES / "lessons/17_three_classes_3.json", ask=False)
        dmap = win.decision_map
        assert dmap.plot.backgroundBrush().color().name() == "#1b1b1b"
        middle = dmap.binary_lut[128]
        assert max(middle) < 80  # the undecided middle of the two-class map is dark
        win.map_dock.raise_()
        dmap.refresh_image()
        corner = dmap.last_image[0, 0, :3]  # K classes fade into the dark background
        assert int(corner.max()) < 200
    finally:
        app.setPalette(light)
        from gui.panels.plots import follow_palette

        follow_palette()
