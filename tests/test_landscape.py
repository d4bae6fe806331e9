"""The loss landscape against the trainer's loss, the backward pass, and an independent
point-by-point evaluation (parameters set one grid point at a time)."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.cli import main
from engine.files import load_network
from engine.landscape import (
    all_parameters,
    auto_span,
    axis_values,
    flat_index,
    landscape,
    parse_parameter,
    trajectory,
)
from engine.losses import get_loss
from engine.trainer import Trainer
from tests.helpers import build
from tests.test_gradients import networks


def loss_with(net, X, Y, settings: dict, loss=None) -> float:
    """The loss with some parameters set, computed the plain way: its own compiled
    network, one forward pass, the loss object's ``value``, plus the weights' penalty
    summed over the connections one by one."""
    c = net.compile()
    for p, v in settings.items():
        c.theta[flat_index(c, p)] = v
    c.version += 1
    value = get_loss(loss or net.training.loss).value(c.outputs(X), Y)
    kind, rate = net.training.regularization, net.training.regularization_rate
    weights = [c.theta[i] for i in c.weight_index.values()]
    if kind == "l2":
        value += 0.5 * rate * sum(w * w for w in weights)
    elif kind == "l1":
        value += rate * sum(abs(w) for w in weights)
    return value


@pytest.fixture
def trained(examples):
    """The untrained XOR example after 200 epochs, and its trainer."""
    net = load_network(examples / "xor_untrained.json")
    trainer = Trainer(net)
    trainer.train(200)
    trainer.write_back()
    return net, trainer


def test_the_centre_is_the_trainers_loss_for_every_loss_function(trained):
    net, trainer = trained
    X, Y = trainer.X, trainer.Y
    for loss in ("mse", "bce", "output"):
        for params in ([("w", "x1", "h1")], [("b", "y")], [("w", "h1", "y"), ("w", "x2", "h2")]):
            land = landscape(net, X, Y, params, steps=21, loss=loss)
            c = trainer.snapshot()
            expected = get_loss(loss).value(c.outputs(X), Y)
            centre = land.losses[10] if len(params) == 1 else land.losses[10, 10]
            assert abs(centre - expected) <= 1e-12
            assert abs(land.loss - expected) <= 1e-12
            for axis, p in zip(land.axes, params, strict=True):
                assert axis[10] == c.theta[flat_index(c, p)]


def test_finite_differences_along_the_curve_equal_the_backward_pass(trained):
    net, trainer = trained
    X, Y = trainer.X, trainer.Y
    h = 1e-5
    for loss in ("mse", "bce", "output"):
        c = trainer.snapshot()
        with np.errstate(all="ignore"):
            c.loss_and_gradient(X, Y, get_loss(loss))
        for p in all_parameters(net):
            land = landscape(net, X, Y, [p], spans=[h], steps=3, loss=loss)
            numeric = (land.losses[2] - land.losses[0]) / (2 * h)
            analytic = c.grad[flat_index(c, p)]
            assert land.gradient[0] == analytic
            assert abs(numeric - analytic) <= 1e-6 * max(1.0, abs(analytic)), (loss, p)


def test_finite_differences_across_the_grid_centre_equal_the_gradient(trained):
    net, trainer = trained
    params = [("w", "x1", "h1"), ("b", "h2")]
    h = 1e-5
    land = landscape(net, trainer.X, trainer.Y, params, spans=[h, h], steps=3)
    L = land.losses
    numeric = [(L[1, 2] - L[1, 0]) / (2 * h), (L[2, 1] - L[0, 1]) / (2 * h)]
    np.testing.assert_allclose(numeric, land.gradient, rtol=1e-6, atol=1e-8)


def test_grid_orientation_on_an_asymmetric_case(trained):
    """Rows follow y, columns follow x: checked against the loss computed one point at a
    time with the two parameters set by hand. The spans and the parameters' effects
    differ, so a transposed or flipped grid cannot pass."""
    net, trainer = trained
    X, Y = trainer.X, trainer.Y
    params = [("w", "x1", "h1"), ("b", "y")]
    land = landscape(net, X, Y, params, spans=[1.5, 4.0], steps=9)
    xs, ys = land.axes
    assert land.losses.shape == (9, 9)
    assert not np.allclose(land.losses, land.losses.T, atol=1e-3)
    assert not np.allclose(land.losses, land.losses[::-1], atol=1e-3)
    assert not np.allclose(land.losses, land.losses[:, ::-1], atol=1e-3)
    for i in range(9):
        for j in range(9):
            expected = loss_with(net, X, Y, {params[0]: xs[j], params[1]: ys[i]})
            assert abs(land.losses[i, j] - expected) <= 1e-12, (i, j)


@given(networks(), st.data())
def test_every_grid_point_equals_a_plain_forward_pass_on_random_graphs(case, data):
    net, X, Y = case
    params = all_parameters(net)
    chosen = data.draw(st.lists(st.sampled_from(params), min_size=1, max_size=2, unique=True))
    land = landscape(net, X, Y, chosen, spans=[1.3, 0.7][: len(chosen)], steps=5)
    grid = land.losses if len(chosen) == 2 else land.losses[None, :]
    ys = land.axes[1] if len(chosen) == 2 else [None]
    for i, y in enumerate(ys):
        for j, x in enumerate(land.axes[0]):
            settings = {chosen[0]: x} | ({chosen[1]: y} if y is not None else {})
            expected = loss_with(net, X, Y, settings)
            assert abs(grid[i, j] - expected) <= 1e-9 * max(1.0, abs(expected))


def test_step_and_leaky_relu_neurons_with_a_skip_connection():
    net = build(
        [
            ("a", "input"),
            ("b", "input"),
            ("h", "hidden", "leaky_relu", 0.2),
            ("s", "hidden", "step", -0.1),
            ("g", "hidden", "tanh", 0.3),
            ("y", "output", "sigmoid", -0.5),
        ],
        [
            ("a", "h", 1.2),
            ("b", "h", -0.7),
            ("a", "s", 0.5),
            ("h", "g", 0.9),
            ("s", "g", -1.1),
            ("g", "y", 1.5),
            ("a", "y", -0.4),
            ("h", "y", 0.6),
        ],
    )
    net.training.loss = "bce"
    X = np.array([[0.0, 1.0, -1.0, 0.5], [1.0, 0.0, 0.3, -2.0]])
    Y = np.array([[1.0, 0.0, 1.0, 0.0]])
    for params in ([("w", "a", "h"), ("b", "s")], [("w", "a", "y"), ("w", "s", "g")]):
        land = landscape(net, X, Y, params, spans=[2.0, 3.0], steps=7)
        xs, ys = land.axes
        for i in range(7):
            for j in range(7):
                expected = loss_with(net, X, Y, {params[0]: xs[j], params[1]: ys[i]})
                assert abs(land.losses[i, j] - expected) <= 1e-12


def test_blocks_of_grid_points_give_the_same_grid(trained, monkeypatch):
    import engine.landscape

    net, trainer = trained
    params = [("w", "x1", "h1"), ("w", "h2", "y")]
    whole = landscape(net, trainer.X, trainer.Y, params, steps=21)
    monkeypatch.setattr(engine.landscape, "MEMORY_BUDGET", 1000)  # a few points per block
    blocks = landscape(net, trainer.X, trainer.Y, params, steps=21)
    np.testing.assert_array_equal(blocks.losses, whole.losses)


def test_the_network_and_its_own_objects_are_left_alone(trained):
    net, trainer = trained
    before, theta = net.parameters(), trainer.theta
    landscape(net, trainer.X, trainer.Y, [("w", "x1", "h1"), ("w", "h2", "y")])
    assert net.parameters() == before
    assert np.array_equal(trainer.theta, theta)


def test_the_step_is_minus_eta_times_the_gradient(trained):
    net, trainer = trained
    land = landscape(net, trainer.X, trainer.Y, [("w", "x1", "h1"), ("b", "y")])
    assert land.learning_rate == net.training.learning_rate
    np.testing.assert_array_equal(land.step, -net.training.learning_rate * land.gradient)


def test_trajectory_follows_the_snapshots(trained):
    net, trainer = trained
    c = trainer.snapshot()
    params = [("w", "x1", "h1"), ("b", "y")]
    epochs, values = trajectory(c, trainer.snapshots, params)
    assert epochs[0] == 0 and epochs[-1] == trainer.epoch
    snaps = list(trainer.snapshots)
    assert values.shape == (len(snaps), 2)
    for s, v in zip(snaps, values, strict=True):
        assert v.tolist() == [s.theta[c.weight_index[("x1", "h1")]], s.theta[c.bias_index["y"]]]
    early, _ = trajectory(c, trainer.snapshots, params, upto=50)
    assert early.max() <= 50
    # the last point is where the network stands now
    assert values[-1].tolist() == [net.connection("x1", "h1").weight, net.neuron("y").bias]


def test_auto_span_is_at_least_two_and_covers_the_value_and_the_path():
    assert auto_span(0.1) == 2.0
    assert auto_span(-3.0) >= 3.0
    assert auto_span(1.0, np.array([1.0, -6.0, 2.0])) >= 7.0
    assert auto_span(0.0, np.array([np.nan, 1.0])) == 2.0


def test_axis_values_put_the_centre_in_the_middle_exactly():
    xs = axis_values(0.1 + 0.2, 2.0, 61)
    assert xs[30] == 0.1 + 0.2 and xs[0] == pytest.approx(0.3 - 2) and len(xs) == 61
    with pytest.raises(ValueError):
        axis_values(0.0, 0.0, 61)
    with pytest.raises(ValueError):
        axis_values(0.0, 1.0, 1)


def test_parameter_names(examples):
    net = load_network(examples / "xor_lecture.json")
    assert parse_parameter(net, "x1->h1") == ("w", "x1", "h1")
    assert parse_parameter(net, "x1 → h1") == ("w", "x1", "h1")
    assert parse_parameter(net, "b:y") == ("b", "y")
    for bad, words in (
        ("x1->y", "no connection"),
        ("b:x1", "input"),
        ("b:q", "no neuron"),
        ("h1", "SOURCE->TARGET"),
    ):
        with pytest.raises(ValueError, match=words):
            parse_parameter(net, bad)


# ------------------------------------------------------------------ command line
def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_two_parameters(capsys, examples):
    path = examples / "xor_lecture.json"
    code, out, _ = run(
        capsys,
        "landscape",
        path,
        "--x",
        "x1->h1",
        "--y",
        "b:y",
        "--steps",
        5,
        "--span",
        2,
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    net = load_network(path)
    trainer = Trainer(net)
    assert data["parameters"] == ["x1->h1", "b:y"]
    assert data["x"] == [3.0, 4.0, 5.0, 6.0, 7.0] and data["y"] == [4.0, 5.0, 6.0, 7.0, 8.0]
    assert len(data["losses"]) == 5 and all(len(row) == 5 for row in data["losses"])
    expected = loss_with(net, trainer.X, trainer.Y, {("w", "x1", "h1"): 3.0, ("b", "y"): 8.0})
    assert data["losses"][4][0] == pytest.approx(expected, abs=1e-12)
    assert data["losses"][2][2] == pytest.approx(data["loss"], abs=1e-12)
    assert data["current"] == [5.0, 6.0] and len(data["gradient"]) == 2


def test_cli_json_one_parameter_and_auto_span(capsys, examples):
    code, out, _ = run(
        capsys, "landscape", examples / "xor_lecture.json", "--x", "h1->y", "--json"
    )
    data = json.loads(out)
    assert code == 0 and "y" not in data and len(data["x"]) == 61 and len(data["losses"]) == 61
    assert data["x"][30] == -11.0 and data["x"][-1] - data["x"][0] >= 2 * 11


def test_cli_json_is_strict_where_the_loss_is_not_finite(capsys, tmp_path, examples):
    net = load_network(examples / "wx_plus_b.json")  # loss "output", f = w·x + b, linear
    path = tmp_path / "huge.json"
    from engine.files import save_network

    save_network(net, path)
    code, out, _ = run(
        capsys, "landscape", path, "--x", "x->f", "--span", 1e308, "--steps", 3, "--json"
    )
    assert code == 0
    assert "NaN" not in out and "Infinity" not in out
    data = json.loads(out)
    assert data["losses"][1] == -7.0 and None in data["losses"]


def test_cli_text_output(capsys, examples):
    code, out, _ = run(
        capsys, "landscape", examples / "xor_lecture.json", "--x", "x1->h1", "--steps", 5
    )
    assert code == 0 and "slice" in out and "∂L/∂" in out


@pytest.mark.parametrize(
    "args, words",
    [
        (["--x", "x1->y"], "no connection"),
        (["--x", "b:nope"], "no neuron"),
        (["--x", "x1->h1", "--y", "x1->h1"], "different"),
        (["--x", "x1->h1", "--steps", "1"], "steps"),
        (["--x", "x1->h1", "--span", "-1"], "span"),
    ],
)
def test_cli_errors_exit_2_with_one_line(capsys, examples, args, words):
    code, out, err = run(capsys, "landscape", examples / "xor_lecture.json", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and words in err
