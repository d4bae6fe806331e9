"""The network model: editing, typed refusals, topological order."""

import pytest

from engine.errors import (
    CycleError,
    DuplicateConnectionError,
    FromOutputError,
    IntoInputError,
    NetworkError,
    SelfLoopError,
)
from tests.helpers import build


@pytest.fixture
def net():
    return build(
        [("x1", "input"), ("h1", "hidden"), ("h2", "hidden"), ("y", "output")],
        [("x1", "h1", 1.0), ("h1", "h2", 1.0), ("h2", "y", 1.0)],
    )


@pytest.mark.parametrize(
    ("source", "target", "error", "words"),
    [
        ("h1", "h1", SelfLoopError, "cannot feed itself"),
        ("x1", "h1", DuplicateConnectionError, "already connected"),
        ("h1", "x1", IntoInputError, "x1 is an input"),
        ("y", "h1", FromOutputError, "y is an output"),
        ("h2", "h1", CycleError, "cycle h1 → h2 → h1"),
    ],
)
def test_refused_connections_are_typed_and_leave_the_network_unchanged(
    net, source, target, error, words
):
    before = [c.key for c in net.connections]
    assert not net.can_connect(source, target)
    with pytest.raises(error) as info:
        net.connect(source, target, 1.0)
    assert words in str(info.value)
    assert source in str(info.value) and target in str(info.value)
    assert [c.key for c in net.connections] == before


def test_skip_connection_is_allowed(net):
    assert net.can_connect("x1", "y")
    net.connect("x1", "y", 0.5)
    assert net.depths() == {"x1": 0, "h1": 1, "h2": 2, "y": 3}


def test_longer_cycle_names_every_neuron(net):
    net.add_neuron("hidden", "h3")
    net.connect("h2", "h3")
    with pytest.raises(CycleError) as info:
        net.connect("h3", "h1")
    assert info.value.path == ["h1", "h2", "h3", "h1"]


def test_remove_neuron_takes_its_connections_and_can_be_put_back(net):
    neuron, index, removed = net.remove_neuron("h1")
    assert not net.has_neuron("h1")
    assert [c.key for c in net.connections] == [("h2", "y")]
    net.insert_neuron(neuron, index)
    for i, c in removed:
        net.insert_connection(c, i)
    assert [n.id for n in net.neurons] == ["x1", "h1", "h2", "y"]
    assert [c.key for c in net.connections] == [("x1", "h1"), ("h1", "h2"), ("h2", "y")]


def test_invalid_values_are_refused(net):
    with pytest.raises(NetworkError, match="finite"):
        net.set_weight("x1", "h1", float("nan"))
    with pytest.raises(NetworkError, match="finite"):
        net.set_bias("h1", float("inf"))
    with pytest.raises(NetworkError, match="valid: step, linear"):
        net.set_activation("h1", "swish")
    with pytest.raises(NetworkError, match="incoming"):
        net.set_kind("h1", "input")
    with pytest.raises(NetworkError, match="outgoing"):
        net.set_kind("h1", "output")
    assert net.connection("x1", "h1").weight == 1.0


def test_set_parameters_is_all_or_nothing(net):
    with pytest.raises(NetworkError):
        net.set_parameters({("x1", "h1"): 3.0, ("h1", "h2"): float("nan")})
    assert net.connection("x1", "h1").weight == 1.0


def test_new_ids_fill_gaps_per_kind(net):
    assert net.new_id("hidden") == "h3"
    assert net.new_id("input") == "x2"
    assert net.new_id("output") == "y1"


def test_topological_order_keeps_file_order_among_ready_neurons():
    net = build(
        [("a", "input"), ("b", "input"), ("o", "output"), ("h", "hidden")],
        [("a", "h", 1), ("h", "o", 1), ("b", "o", 1)],
    )
    assert net.topological_order() == ["a", "b", "h", "o"]


def test_cycle_checks_agree_with_a_full_sort_after_any_edits():
    """The kept topological order (amortised O(1) connects) never lets a cycle in and
    never refuses an edge that makes none, whatever order edits come in."""
    import random

    from engine.graph import topological_sort
    from engine.network import Network

    rng = random.Random(7)
    for _ in range(40):
        net = Network()
        ids = [net.add_neuron("hidden", f"n{i}").id for i in range(8)]
        for _ in range(60):
            action = rng.random()
            s, t = rng.sample(ids, 2)
            if action < 0.7:
                would_cycle = topological_sort(ids, [*net.parameters()[0], (s, t)]) is None
                if net.has_connection(s, t):
                    continue
                if would_cycle:
                    with pytest.raises(CycleError):
                        net.connect(s, t)
                else:
                    net.connect(s, t)
            elif action < 0.85 and net.connections:
                net.disconnect(*rng.choice(net.connections).key)
            elif action < 0.95:
                removed = rng.choice(ids)
                net.remove_neuron(removed)
                ids.remove(removed)
                ids.append(net.add_neuron("hidden", f"m{len(ids)}{rng.random():.6f}").id)
            else:
                net = net.copy()
        assert topological_sort(ids, [c.key for c in net.connections]) is not None
