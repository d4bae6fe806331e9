"""The matrix form against the scalar walkthrough: the same numbers, on random graphs."""

import numpy as np
from hypothesis import given

from engine.cli import main
from engine.files import load_network
from engine.matrix_form import EMPTY, MatrixForm
from engine.walkthrough import Walkthrough
from tests.helpers import build
from tests.test_gradients import networks


def close(a, b) -> bool:
    return np.allclose(a, b, rtol=1e-12, atol=1e-12)


@given(networks())
def test_every_matrix_equals_the_scalar_walkthrough(case):
    net, X, Y = case
    form = MatrixForm(net, X, Y)
    walk = Walkthrough(net, X, Y)
    seen = []
    depth = net.depths()
    for lv in form.levels:
        assert {depth[n] for n in lv.neurons} == {lv.depth}
        seen += lv.neurons
        feeding = {c.source for n in lv.neurons for c in net.incoming(n)}
        assert set(lv.sources) == feeding
        for j, nid in enumerate(lv.neurons):
            assert close(lv.Z[:, j], walk.z[nid]) and close(lv.A[:, j], walk.a[nid])
            assert close(lv.delta[:, j], walk.delta[nid])
            assert close(lv.db[j], walk.bias_grad[nid])
            for i, src in enumerate(lv.sources):
                if net.has_connection(src, nid):
                    assert lv.W[i, j] == net.connection(src, nid).weight
                    assert close(lv.dW[i, j], walk.weight_grad[(src, nid)])
                else:  # absent, not a trainable 0
                    assert np.isnan(lv.W[i, j]) and np.isnan(lv.dW[i, j])
        for i, src in enumerate(lv.sources):
            assert close(lv.A_prev[:, i], walk.a[src])
    assert sorted(seen) == sorted(n.id for n in net.neurons if n.kind != "input")


def test_the_lecture_layer_as_on_the_slide(examples):
    """[0 1]·[[5, −7], [5, −7]] + [−8, 3] = [−3, −4]"""
    net = load_network(examples / "xor_lecture.json")
    form = MatrixForm(net, np.array([[0.0], [1.0]]), np.array([[1.0]]))
    first = form.levels[0]
    assert first.A_prev.tolist() == [[0, 1]] and first.W.tolist() == [[5, -7], [5, -7]]
    assert first.b.tolist() == [-8, 3] and first.Z.tolist() == [[-3, -4]]
    assert first.sources == ["x1", "x2"] and first.neurons == ["h1", "h2"]


def test_a_skip_connection_is_an_input_of_the_level_with_empty_marks():
    net = build(
        [
            ("x", "input"),
            ("h", "hidden", "tanh", 0.1),
            ("y1", "output", "sigmoid", -0.2),
            ("y2", "output", "sigmoid", 0.4),
        ],
        [("x", "h", 0.5), ("h", "y1", 1.5), ("x", "y1", -0.7), ("h", "y2", 0.9)],
    )
    form = MatrixForm(net, np.array([[1.0, -1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]))
    top = form.levels[1]
    assert top.sources == ["x", "h"] and top.neurons == ["y1", "y2"]
    assert top.W[0, 0] == -0.7 and np.isnan(top.W[0, 1])  # x feeds y1 only
    assert top.A_prev[:, 0].tolist() == [1.0, -1.0]  # the input itself, two levels down
    text = "\n".join(form.lines())
    assert f"W₂ = x ⎡−0.7    {EMPTY}⎤" in text


def test_absent_connections_print_as_empty_marks():
    net = build(
        [("a", "input"), ("b", "input"), ("h", "hidden"), ("g", "hidden"), ("y", "output")],
        [("a", "h", 1.0), ("b", "g", 2.0), ("h", "y", 1.0), ("g", "y", 1.0)],
    )
    form = MatrixForm(net, np.array([[1.0], [0.0]]), np.array([[1.0]]))
    W = form.levels[0].W
    assert np.isnan(W[0, 1]) and np.isnan(W[1, 0]) and W[0, 0] == 1 and W[1, 1] == 2
    text = "\n".join(form.lines())
    assert f"a ⎡1  {EMPTY}⎤" in text and f"b ⎣{EMPTY}  2⎦" in text


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_walk_matrix(capsys, examples):
    code, out, _ = run(capsys, "walk", examples / "xor_lecture.json", "--matrix", "--sample", 1)
    assert code == 0
    assert "A₀ = [ 0   1]" in out and "W₁ = x₁ ⎡ 5  −7⎤" in out
    assert "b₁ = [−8   3]" in out and "Z₁ = [−3  −4]" in out
    assert "∂L/∂W₁" in out and "Σ rows of Δ₁" in out
    code, out, _ = run(capsys, "walk", examples / "xor_lecture.json", "--matrix", "--batch")
    assert code == 0 and "the whole batch of 4" in out and "(1/4)·A₀ᵀ·Δ₁" in out
    code, _, err = run(
        capsys, "walk", examples / "xor_lecture.json", "--matrix", "--phase", "loss"
    )
    assert code == 2 and err.count("\n") == 1
