"""Datasets: gates, generators, CSV import, split."""

import numpy as np
import pytest

from engine.datasets import generate, load_csv, train_test_split, xor_noisy
from engine.files import load_network
from engine.initializers import initial_parameters


def test_gates_are_truth_tables():
    assert generate("xor").targets.ravel().tolist() == [0, 1, 1, 0]
    assert generate("nand").targets.ravel().tolist() == [1, 1, 1, 0]


def test_xor_noisy_labels_follow_the_coordinates():
    d = xor_noisy(200, 0.1, 5)
    assert d.inputs.shape == (200, 2) and d.targets.shape == (200, 1)
    expected = (d.inputs[:, 0] > 0.5) != (d.inputs[:, 1] > 0.5)
    assert np.array_equal(d.targets.ravel() == 1, expected)
    corners = np.round(d.inputs.clip(0, 1))
    assert sorted(np.unique(corners, axis=0, return_counts=True)[1]) == [50, 50, 50, 50]


@pytest.mark.parametrize("name", ["xor_noisy", "circle", "gaussians", "spiral"])
def test_generators_are_seeded_and_balanced(name):
    a, b, c = (
        generate(name, size=101, seed=1),
        generate(name, size=101, seed=1),
        generate(name, size=101, seed=2),
    )
    assert np.array_equal(a.inputs, b.inputs) and not np.array_equal(a.inputs, c.inputs)
    assert len(a) == 101 and set(np.unique(a.targets)) == {0.0, 1.0}


def test_unknown_dataset_and_parameter_are_named():
    with pytest.raises(ValueError, match="unknown dataset 'moons'"):
        generate("moons")
    with pytest.raises(ValueError, match="unknown parameter 'radius'"):
        generate("circle", radius=2)


def test_csv_import_and_errors(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,label\n0,1,1\n1,1,0\n", "utf-8")
    d = load_csv(path)
    assert d.input_names == ["a", "b"] and d.target_names == ["label"]
    assert d.inputs.tolist() == [[0, 1], [1, 1]]
    d = load_csv(path, input_columns=["b"], target_columns=["a"])
    assert d.inputs.ravel().tolist() == [1, 1] and d.targets.ravel().tolist() == [0, 1]
    path.write_text("a,b,label\n0,1,1\n1,abc,0\n", "utf-8")
    with pytest.raises(ValueError, match=r"d.csv row 3, column 'b': 'abc' is not a number"):
        load_csv(path)
    with pytest.raises(ValueError, match="no column 'c'"):
        load_csv(path, input_columns=["c"])


def test_split_is_seeded_and_disjoint():
    d = xor_noisy(40, 0.1, 0)
    train, test = train_test_split(d, 0.25, 3)
    again, _ = train_test_split(d, 0.25, 3)
    assert len(test) == 10 and np.array_equal(train.inputs, again.inputs)
    rows = {tuple(r) for r in np.vstack([train.inputs, test.inputs])}
    assert len(rows) == 40


def test_initialisers_are_seeded_and_follow_their_scale(examples):
    net = load_network(examples / "xor_untrained.json")
    assert initial_parameters(net, "he", 4) == initial_parameters(net, "he", 4)
    assert initial_parameters(net, "he", 4) != initial_parameters(net, "he", 5)
    w, b = initial_parameters(net, "xavier", 0)
    assert all(abs(v) <= np.sqrt(6 / (2 + 1)) for v in w.values()) and set(b.values()) == {0.0}
    w, b = initial_parameters(net, "uniform", 0, scale=0.1)
    assert max(map(abs, [*w.values(), *b.values()])) <= 0.1
    w, b = initial_parameters(net, "normal", 0, neurons={"h1"}, connections={("x1", "h1")})
    assert list(w) == [("x1", "h1")] and list(b) == ["h1"]
    # the draws do not depend on the order the connections were drawn in
    shuffled = net.copy()
    conns = shuffled.connections
    for c in conns:
        shuffled.disconnect(c.source, c.target)
    for c in reversed(conns):
        shuffled.connect(c.source, c.target, c.weight)
    assert initial_parameters(shuffled, "he", 4) == initial_parameters(net, "he", 4)
