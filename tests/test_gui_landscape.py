"""The Landscape dock shows the engine's landscape for the weights on the canvas."""

import numpy as np
import pytest

from engine.landscape import auto_span, flat_index, landscape
from engine.losses import get_loss
from engine.maps import pixel_rect
from gui.panels.throttle import flush_all
from tests.gui_helpers import play_epochs, type_into


def approx(value):
    return pytest.approx(value, rel=1e-9, abs=1e-12)


W11, W21, BY = ("w", "x1", "h1"), ("w", "x2", "h1"), ("b", "y")


def open_example(window, examples, name):
    window.files.open_path(examples / f"{name}.json", ask=False)
    return window.doc.network


def shown(window):
    window.landscape_dock.raise_()
    panel = window.landscape_panel
    flush_all()
    return panel


def test_the_image_is_the_engines_grid_after_training(qtbot, window, examples):
    net = open_example(window, examples, "xor_untrained")
    trainer = window.learning.ensure_trainer()
    trainer.train(50)
    window.learning._write_back()
    panel = shown(window)
    panel.choose(W11, W21)
    land = panel.landscape
    # the weights on the canvas, the trainer's data, the file's loss: computed independently
    spans = [auto_span(v, panel.path_values[:, k]) for k, v in enumerate(land.centre)]
    expected = landscape(net, trainer.X, trainer.Y, [W11, W21], spans, panel.STEPS)
    np.testing.assert_array_equal(panel.image.image, expected.losses)
    assert land.centre.tolist() == [
        net.connection("x1", "h1").weight,
        net.connection("x2", "h1").weight,
    ]
    c = trainer.snapshot()
    assert (
        abs(expected.losses[30, 30] - get_loss("bce").value(c.outputs(trainer.X), trainer.Y))
        < 1e-12
    )
    # each pixel centred on its grid point
    rect = panel.image.mapRectToParent(panel.image.boundingRect())
    x, y, w, h = pixel_rect(expected.extent, panel.STEPS)
    assert (rect.x(), rect.y(), rect.width(), rect.height()) == approx((x, y, w, h))
    # the path: every snapshot up to now, ending where the canvas stands
    assert len(panel.path_values) == len(trainer.snapshots) + 1
    assert panel.path_values[-1].tolist() == land.centre.tolist()
    first = next(iter(trainer.snapshots)).theta
    assert panel.path_values[0].tolist() == [first[c.weight_index[k[1:]]] for k in (W11, W21)]
    np.testing.assert_array_equal(panel.step_line.getData()[0][0], land.centre[0])
    assert "slice" in panel.caption.text()


def test_it_follows_play_and_the_curve_has_the_tangent(qtbot, window, examples):
    net = open_example(window, examples, "xor_untrained")
    net.training.max_epochs = 10**9
    panel = shown(window)
    panel.choose(BY)
    play_epochs(qtbot, window, 40)
    window.act_play.trigger()  # pause: the run is written back to the canvas
    flush_all()
    land = panel.landscape
    assert land.centre[0] == net.neuron("y").bias
    trainer = window.learning.trainer
    c = net.compile()
    with np.errstate(all="ignore"):
        c.loss_and_gradient(trainer.X, trainer.Y, get_loss(net.training.loss))
    assert land.gradient[0] == c.grad[flat_index(c, BY)]
    xs, ys = panel.curve.getData()
    np.testing.assert_array_equal(xs, land.axes[0])
    np.testing.assert_array_equal(ys, land.losses)
    tx, ty = panel.tangent.getData()
    assert (ty[1] - ty[0]) / (tx[1] - tx[0]) == approx(land.gradient[0])
    assert panel.point.data["x"][0] == land.centre[0]


def test_a_typed_span_and_an_edit_redraw(qtbot, window, examples):
    net = open_example(window, examples, "xor_lecture")
    panel = shown(window)
    panel.choose(W11, BY)
    type_into(qtbot, panel.span_edit, "1,5")
    flush_all()
    xs, ys = panel.landscape.axes
    assert xs[0] == 5 - 1.5 and xs[-1] == 5 + 1.5 and ys[0] == 6 - 1.5
    from gui.commands import SetParameters  # what the inspector pushes

    window.doc.undo_stack.push(SetParameters(window.doc, {("x1", "h1"): 2.0}, {}, "Set weight"))
    flush_all()
    assert panel.landscape.centre[0] == 2.0 and net.connection("x1", "h1").weight == 2.0


def test_a_refused_span_says_why_and_draws_the_automatic_one(qtbot, window, examples):
    open_example(window, examples, "xor_lecture")
    panel = shown(window)
    panel.choose(W11, BY)
    type_into(qtbot, panel.span_edit, "wide")
    flush_all()
    assert panel.caption.text().startswith("Span: “wide” is not a number")
    xs = panel.landscape.axes[0]
    assert xs[-1] - 5 == auto_span(5, panel.path_values[:, 0])


def test_a_tab_out_of_sight_computes_nothing_and_catches_up(qtbot, window, examples):
    net = open_example(window, examples, "xor_untrained")
    panel = shown(window)
    panel.choose(W11, W21)
    before = panel.landscape
    window.map_dock.raise_()  # the decision map in front: the landscape out of sight
    assert not panel.on_screen
    trainer = window.learning.ensure_trainer()
    trainer.train(30)
    window.learning._write_back()
    window.learning.progress.emit()  # as Play does after each frame
    flush_all()
    assert panel.landscape is before  # nothing computed out of sight
    window.landscape_dock.raise_()
    assert panel.on_screen and panel.landscape is not before
    assert panel.landscape.centre[0] == net.connection("x1", "h1").weight
