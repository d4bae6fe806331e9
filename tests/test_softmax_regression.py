"""Issue 12 in the engine: softmax and cross-entropy, K-class and regression data,
L1/L2 regularisation, with files, walkthrough and trainer agreeing."""

import json
import math

import numpy as np
import pytest

from engine.activations import softmax_rows
from engine.datasets import CLASS_LETTERS, generate, load_csv
from engine.errors import NetworkError, NetworkFileError
from engine.file_reader import network_from_dict
from engine.file_writer import network_to_dict
from engine.formatting import to_plain
from engine.gradient_check import check_gradients
from engine.gradients import compute_gradients
from engine.landscape import landscape, parse_parameter
from engine.losses import get_loss
from engine.network import Network
from engine.tasks import Task, task_of
from engine.trainer import Trainer
from engine.walkthrough import Walkthrough


def three_class(loss: str = "cross_entropy") -> Network:
    """x1, x2 → 3 softmax outputs A, B, C (no hidden layer), asymmetric weights."""
    net = Network("three")
    for x in ("x1", "x2"):
        net.add_neuron("input", x)
    weights = {"A": (1.0, -2.0, 0.5), "B": (-0.5, 1.5, 0.0), "C": (2.0, 0.3, -1.0)}
    for k, (w1, w2, b) in weights.items():
        net.add_neuron("output", k, activation="softmax", bias=b, label=k)
        net.connect("x1", k, w1)
        net.connect("x2", k, w2)
    net.training.loss = loss
    return net


def test_softmax_is_stable_and_sums_to_one():
    z = np.array([[1000.0, -1000.0, 0.0], [999.0, -1e6, 0.0], [-5.0, 0.0, 0.0]])
    p = softmax_rows(z.copy())
    assert np.all(np.isfinite(p))
    assert np.allclose(p.sum(axis=0), 1.0)
    assert p[0, 0] == pytest.approx(1 / (1 + math.exp(-1)))


def test_cross_entropy_stays_finite_when_an_output_saturates():
    net = three_class()
    net.set_weight("x1", "A", 1e4)
    X, Y = np.array([[1.0], [0.0]]), np.array([[0.0], [1.0], [0.0]])  # truth B, ŷ_A = 1
    g = compute_gradients(net, X, Y)
    assert np.isfinite(g.loss) and g.loss == pytest.approx(-math.log(1e-12))
    # δ = ŷ − y exactly: ∂L/∂w(x1→A) = (1 − 0)·1, ∂L/∂w(x1→B) = (0 − 1)·1
    assert g.weights[("x1", "A")] == pytest.approx(1.0)
    assert g.weights[("x1", "B")] == pytest.approx(-1.0)


def test_cross_entropy_gradients_agree_with_the_check_on_a_dag_with_a_skip():
    net = three_class()
    net.add_neuron("hidden", "h", activation="tanh", bias=0.2)
    net.connect("x1", "h", 0.7)
    net.connect("x2", "h", -1.1)
    net.connect("h", "B", 1.3)
    net.connect("h", "C", -0.4)
    data = generate("spiral", size=30, classes=3, seed=1)
    check = check_gradients(net, data.inputs.T.copy(), data.targets.T.copy())
    assert check.agrees and check.disagreeing == 0


def test_walkthrough_writes_the_softmax_group_with_its_numbers():
    net = three_class()
    X, Y = np.array([[1.0], [2.0]]), np.array([[0.0], [1.0], [0.0]])
    walk = Walkthrough(net, X, Y)
    z = {"A": 1.0 - 4.0 + 0.5, "B": -0.5 + 3.0 + 0.0, "C": 2.0 + 0.6 - 1.0}
    e = {k: math.exp(v) for k, v in z.items()}
    total = sum(e.values())
    steps = {(s.kind, s.neuron): s for s in walk.steps}
    a = to_plain(steps[("a", "A")].line)
    assert a.startswith(
        "A = e^z_A/(e^z_A + e^z_B + e^z_C) = e^(−2.5)/(e^(−2.5) + e^2.5 + e^1.6) = 0.00477"
    )
    assert steps[("a", "A")].value == pytest.approx(e["A"] / total)
    # every output's z comes before any softmax value
    kinds = [s.kind for s in walk.steps if s.phase == "forward"]
    assert kinds == ["z", "z", "z", "a", "a", "a"]
    loss = to_plain(steps[("loss", None)].line)
    assert loss.startswith("L = −[y_A·ln A + y_B·ln B + y_C·ln C]")
    assert steps[("loss", None)].value == pytest.approx(-math.log(e["B"] / total))
    delta_b = to_plain(steps[("δ", "B")].line)
    assert delta_b.startswith("δ_B = B − y_B = ")
    assert steps[("δ", "B")].value == pytest.approx(e["B"] / total - 1.0)


def test_softmax_with_mse_goes_through_the_jacobian():
    net = three_class("mse")
    X, Y = np.array([[0.3], [-0.2]]), np.array([[1.0], [0.0], [0.0]])
    walk = Walkthrough(net, X, Y)
    g = compute_gradients(net, X, Y)
    for key, value in g.weights.items():
        assert walk.weight_grad[key] == pytest.approx(value, rel=1e-12)
    step = next(s for s in walk.steps if s.kind == "δ" and s.neuron == "A")
    assert "Σⱼ ŷⱼ·gⱼ" in to_plain(step.line)


def test_softmax_is_refused_off_the_outputs_and_mixed_among_them():
    net = three_class()
    net.add_neuron("hidden", "h")
    with pytest.raises(NetworkError, match="softmax is for output neurons only"):
        net.set_activation("h", "softmax")
    with pytest.raises(NetworkError, match="one group over all the outputs"):
        net.set_activation("A", "sigmoid")
    net.set_activations({"A": "sigmoid", "B": "sigmoid", "C": "sigmoid"})  # all at once
    assert net.output_activation == "sigmoid"
    with pytest.raises(NetworkError, match="one group"):
        net.add_neuron("output", "D", activation="softmax")
    net.set_activations(dict.fromkeys("ABC", "softmax"))
    assert net.add_neuron("output", "D").activation == "softmax"  # a new output joins
    net.set_kind("D", "hidden")
    assert net.neuron("D").activation == "sigmoid"


def test_files_refuse_softmax_mixed_or_hidden_with_the_place():
    data = network_to_dict(three_class())
    data["neurons"][2]["activation"] = "sigmoid"
    with pytest.raises(NetworkFileError, match=r"^neurons: A is sigmoid but B is softmax"):
        network_from_dict(data)
    data = network_to_dict(three_class())
    data["neurons"].append({"id": "h", "kind": "hidden", "activation": "softmax"})
    with pytest.raises(NetworkFileError, match="h: softmax is for output neurons only"):
        network_from_dict(data)


@pytest.mark.parametrize("name", ["spiral", "gaussians"])
@pytest.mark.parametrize("k", [2, 3, 6])
def test_generators_make_k_one_hot_classes(name, k):
    data = generate(name, size=120, classes=k, seed=3)
    assert data.targets.shape == (120, k)
    assert np.all(data.targets.sum(axis=1) == 1)
    assert np.bincount(data.targets.argmax(axis=1)).tolist() == [120 // k] * k
    assert data.class_names == list(CLASS_LETTERS[:k])
    assert task_of(data.targets) is Task.CLASSES


def test_two_class_generators_are_unchanged_without_classes():
    data = generate("spiral", size=50, seed=2)
    assert data.targets.shape == (50, 1) and data.class_names is None
    with pytest.raises(ValueError, match=r"dataset\.classes: must be a whole number from 2 to 6"):
        generate("spiral", classes=7)
    with pytest.raises(ValueError, match="unknown parameter 'classes'"):
        generate("circle", classes=3)


@pytest.mark.parametrize("name", ["plane", "gauss_regression"])
def test_regression_generators_are_continuous_and_seeded(name):
    a, b = generate(name, size=200, seed=5), generate(name, size=200, seed=5)
    assert np.array_equal(a.targets, b.targets)
    assert a.targets.shape == (200, 1)
    assert task_of(a.targets) is Task.REGRESSION
    assert len(np.unique(a.targets)) == 200


def test_plane_is_the_documented_linear_function():
    data = generate("plane", size=500, noise=0.0)
    x = data.inputs
    assert np.allclose(data.targets[:, 0], 0.5 * x[:, 0] - 0.3 * x[:, 1] + 0.2)


def test_csv_class_names_become_one_hot_with_names_kept(tmp_path):
    path = tmp_path / "iris.csv"
    path.write_text("a,b,species\n1,2,virginica\n3,4,setosa\n5,6,versicolor\n7,8,setosa\n")
    data = load_csv(path, n_targets=3, n_inputs=2)
    assert data.class_names == ["setosa", "versicolor", "virginica"]
    assert data.targets.tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]]
    ints = tmp_path / "ints.csv"
    ints.write_text("a,b,label\n1,2,2\n3,4,0\n5,6,1\n")
    data = load_csv(ints, n_targets=3, n_inputs=2)
    assert data.class_names == ["0", "1", "2"]
    assert data.targets.argmax(axis=1).tolist() == [2, 0, 1]
    one = tmp_path / "one.csv"
    one.write_text("a,b,label\n1,2,cat\n3,4,cat\n")
    with pytest.raises(NetworkFileError, match=r"one\.csv: 1 classes"):
        load_csv(one, n_targets=2, n_inputs=2)


def test_files_round_trip_classes_class_names_and_regularisation(tmp_path):
    net = three_class()
    net.dataset = None
    data = network_to_dict(net)
    data["dataset"] = {"generator": "spiral", "size": 60, "classes": 3}
    data["training"]["regularization"] = "l2"
    data["training"]["regularization_rate"] = 0.01
    loaded = network_from_dict(json.loads(json.dumps(data)))
    assert loaded.dataset.params["classes"] == 3
    assert loaded.training.regularization == "l2"
    again = network_from_dict(network_to_dict(loaded))
    assert again.training.regularization_rate == 0.01
    rows = network_to_dict(net)
    rows["dataset"] = {
        "inputs": [[0, 0], [1, 1]],
        "targets": [[1, 0, 0], [0, 0, 1]],
        "class_names": ["cat", "dog", "emu"],
    }
    loaded = network_from_dict(rows)
    assert network_to_dict(loaded)["dataset"]["class_names"] == ["cat", "dog", "emu"]
    for bad, message in (
        ({"generator": "spiral", "classes": 9}, "dataset.classes: at most 6"),
        ({"generator": "circle", "classes": 3}, "dataset.classes: only gaussians and spiral"),
        ({"generator": "spiral", "classes": 2}, "makes 2 inputs and 2 targets"),
    ):
        broken = network_to_dict(net)
        broken["dataset"] = bad
        with pytest.raises(NetworkFileError, match=message):
            network_from_dict(broken)
    broken = network_to_dict(net)
    broken["training"]["regularization"] = "l3"
    with pytest.raises(NetworkFileError, match=r"training\.regularization: unknown"):
        network_from_dict(broken)


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_regularisation_is_in_the_loss_the_gradient_and_the_update(kind):
    net = three_class()
    net.training.regularization, net.training.regularization_rate = kind, 0.1
    net.training.learning_rate = 0.5
    data = generate("gaussians", size=30, classes=3, seed=0)
    X, Y = data.inputs.T.copy(), data.targets.T.copy()
    weights = np.array([c.weight for c in net.connections])
    penalty = 0.05 * (weights**2).sum() if kind == "l2" else 0.1 * np.abs(weights).sum()
    data_loss = get_loss("cross_entropy").value(net.compile().outputs(X), Y)
    walk = Walkthrough(net, X, Y)
    assert walk.loss == pytest.approx(data_loss + penalty, rel=1e-12)
    trainer = Trainer(net, data)
    trainer.step()
    c = trainer.snapshot()
    for key, i in c.weight_index.items():
        assert walk.new_weights[key] == pytest.approx(c.theta[i], rel=1e-12)
    loss_step = next(s for s in walk.steps if s.kind == "loss")
    assert ("(λ/2)·Σ w²" if kind == "l2" else "λ·Σ|w|") in to_plain(loss_step.line)
    grad_step = next(s for s in walk.steps if s.kind == "∂w")
    assert ("λ·w" if kind == "l2" else "λ·sign(w)") in to_plain(grad_step.line)


def test_l2_shrinks_the_weights_and_the_landscape_includes_the_penalty():
    base = three_class()
    data = generate("gaussians", size=60, classes=3, seed=0, noise=0.5)
    sizes = {}
    for rate in (0.0, 0.05):
        net = base.copy()
        net.training.regularization, net.training.regularization_rate = "l2", rate
        trainer = Trainer(net, data)
        trainer.train(300)
        w = trainer.parameters()[0]
        sizes[rate] = float(np.sqrt(sum(v * v for v in w.values())))
        if rate:
            X, Y = data.inputs.T.copy(), data.targets.T.copy()
            trainer.write_back()
            land = landscape(net, X, Y, [parse_parameter(net, "x1->A")], steps=5)
            assert land.losses[2] == pytest.approx(land.loss, rel=1e-9)
    assert sizes[0.05] < 0.8 * sizes[0.0]


def test_regression_trainer_records_rmse_and_accuracy_by_argmax_for_classes():
    net = Network()
    for x in ("x1", "x2"):
        net.add_neuron("input", x)
    net.add_neuron("hidden", "h", activation="tanh")
    net.add_neuron("output", "y", activation="linear")
    for s, t, w in (("x1", "h", 0.5), ("x2", "h", -0.3), ("h", "y", 0.8), ("x1", "y", 0.1)):
        net.connect(s, t, w)
    data = generate("plane", size=100, seed=1)
    trainer = Trainer(net, data)
    trainer.train(50)
    h = trainer.history
    assert len(h.rmse) == 50 and h.rmse[-1] < h.rmse[0]
    # mse is ½·mean Σ (ŷ − y)²: with one output, RMSE² = 2·loss for full-batch epochs
    assert h.rmse[0] ** 2 == pytest.approx(2 * h.loss[0], rel=1e-12)
    classes = Trainer(three_class(), generate("spiral", size=60, classes=3))
    classes.train(1)
    c = classes.snapshot()
    X, Y = classes.X, classes.Y
    agree = (c.outputs(X).argmax(axis=0) == Y.argmax(axis=0)).mean()
    assert classes.evaluate()[1] == pytest.approx(agree)


def test_the_command_line_reports_rmse_for_regression_and_walks_softmax(capsys):
    from engine.cli import main
    from engine.examples import examples_dir, lessons_dir

    assert main(["train", str(examples_dir() / "regression_bumps.json"), "--epochs", "5"]) == 0
    out = capsys.readouterr().out
    assert "rmse" in out and "accuracy" not in out
    assert main(["walk", str(lessons_dir() / "17_three_classes_3.json")]) == 0
    out = capsys.readouterr().out
    assert "A = e^z_A/(e^z_A + e^z_B + e^z_C) = " in out and "δ_A = A − y_A = " in out
    assert main(["check", str(lessons_dir() / "19_features_circle.json")]) == 0
