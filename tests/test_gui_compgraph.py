"""The computational-graph window: opened on a neuron from the canvas, it follows the step
cursor (values appear as the walkthrough reaches them and go again on Step Back) with the
engine's numbers, and exports as PNG and as vector SVG."""

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QToolButton

from engine.compgraph import CompGraph
from engine.formatting import format_number
from tests.gui_helpers import click, neuron_centre, view_point


def flat(markup: str) -> str:
    """Markup as the view's plain text reads it: subscripts inline (w_{x→f} → wx→f)."""
    return re.sub(r"_\{([^{}]*)\}", r"\1", markup)


def open_example(window, examples, name):
    window.files.open_path(examples / f"{name}.json", ask=False)
    window.view.resetTransform()
    window.view.centerOn(220, 90)
    return window.doc.network


def right_click_menu(window, nid):
    """Right-click the neuron, as a person would: the canvas's context menu."""
    pos = view_point(window, *neuron_centre(window, nid))
    vp = window.view.viewport()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, vp.mapToGlobal(pos))
    QApplication.sendEvent(vp, event)
    return window.context_menu


def open_graph_from_menu(qtbot, window, nid):
    click(window, *neuron_centre(window, nid))
    menu = right_click_menu(window, nid)
    action = next(a for a in menu.actions() if a.text() == "Show as Computational Graph")
    menu.close()
    action.trigger()
    graph = window.compgraph_window
    qtbot.waitExposed(graph)
    return graph


def press(qtbot, graph, text):
    button = next(b for b in graph.findChildren(QToolButton) if b.text() == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def shown_matches_engine(window, graph):
    """Every node's text and every edge's label shows exactly the engine's numbers for
    the step on screen, and '?' for what the walkthrough has not reached."""
    session = window.learning.session
    position = session.cursor.position
    expected = CompGraph(session.walk, graph.neuron).state_at(position)
    f = session.walk.fmt
    texts, edges = graph.scene.texts_shown(), graph.scene.edge_texts()
    for nid, view in expected.nodes.items():
        lines = texts[nid].split("\n")
        assert lines[1] == ("= ?" if view.value is None else f"= {f(view.value)}"), nid
        if nid != "loss":
            assert lines[2].endswith("?" if view.grad is None else f"= {f(view.grad)}"), nid
    for key, local in expected.edges.items():
        edge = next(e for e in graph.graph.edges if (e.source, e.target) == key)
        symbol = flat(edge.local_symbol)
        if local is None:
            assert edges[key] == symbol
        else:
            assert edges[key] in (symbol, f"{symbol} = {f(local)}") and edges[key].endswith(
                f(local)
            )


def test_f_equals_w_x_plus_b_step_by_step(qtbot, window, examples):
    open_example(window, examples, "wx_plus_b")
    graph = open_graph_from_menu(qtbot, window, "f")
    assert graph.isVisible() and graph.neuron == "f"
    assert "Computational graph of f" in graph.windowTitle()
    texts = graph.scene.texts_shown()
    # not stepping: the shape and the parameters, no values
    assert texts["mul:x"].split("\n")[:2] == ["[×]  g = wx→f·x", "= ?"]
    assert texts["w:x"].split("\n")[1] == "= −2" and texts["a:x"].split("\n")[1] == "= ?"
    assert "Press Step" in graph.caption.text()
    press(qtbot, graph, "Step")  # z_f = w·x + b: g, then the sum
    texts = graph.scene.texts_shown()
    assert texts["mul:x"].split("\n")[1] == "= −10" and texts["z"].split("\n")[1] == "= −7"
    assert texts["mul:x"].split("\n")[2] == "∂L/∂g = ?"
    shown_matches_engine(window, graph)
    steps = []
    for _ in range(7):  # to ∂L/∂x, the last step of the backward pass
        press(qtbot, graph, "Step")
        shown_matches_engine(window, graph)
        steps.append(window.learning.session.cursor.position)
    assert steps[-1] == 7
    texts, edges = graph.scene.texts_shown(), graph.scene.edge_texts()
    assert texts["mul:x"].split("\n")[2] == "∂L/∂g = 1"  # ∂f/∂g (L = f)
    assert edges[("w:x", "mul:x")] == "∂g/∂wx→f = x = 5"  # ∂g/∂w = x
    assert texts["w:x"].split("\n")[2] == "∂L/∂wx→f = 5"  # so ∂f/∂w = 5
    assert (
        texts["a:x"].split("\n")[2] == "∂L/∂x = −2" and texts["b"].split("\n")[2] == "∂L/∂bf = 1"
    )
    assert "Step 8 of 10" in graph.caption.text()
    # Step Back hides what the walkthrough had not reached
    for _ in range(4):
        press(qtbot, graph, "Step Back")
        shown_matches_engine(window, graph)
    texts = graph.scene.texts_shown()
    assert texts["mul:x"].split("\n")[2] == "∂L/∂g = ?" and texts["w:x"].split("\n")[2].endswith(
        "= ?"
    )
    assert graph.scene.edge_texts()[("w:x", "mul:x")] == "∂g/∂wx→f = x"
    # the update, then the next iteration's walk (a new graph with the new weights)
    for _ in range(6):
        press(qtbot, graph, "Step")
    assert "updated: −2 → −2.5" in graph.scene.texts_shown()["w:x"]
    press(qtbot, graph, "Step")
    shown_matches_engine(window, graph)
    assert graph.scene.texts_shown()["w:x"].split("\n")[1] == "= −2.5"


def test_a_hidden_neuron_on_the_batch_follows_the_cursor(qtbot, window, examples):
    open_example(window, examples, "xor_lecture")
    graph = open_graph_from_menu(qtbot, window, "h1")
    assert graph.neuron == "h1" and "loss" not in graph.graph.nodes
    walk_length = None
    while True:
        window.act_step.trigger()
        session = window.learning.session
        walk_length = walk_length or len(session.walk.steps)
        shown_matches_engine(window, graph)
        if session.cursor.position == walk_length - 1:
            break
    texts = graph.scene.texts_shown()
    mean = session.walk.weight_grad[("x1", "h1")]
    assert f"batch mean ∂L/∂wx₁→h₁ = {format_number(mean)}" in texts["w:x1"]
    assert "∂Lᵢ/∂x₁ via this neuron" in texts["a:x1"]  # x₁ feeds h₂ too
    assert "sample 0 of the batch of 4" in graph.caption.text()
    # another neuron from the window's own list
    combo = graph.neuron_combo
    combo.setCurrentIndex(combo.findData("y"))
    combo.activated.emit(combo.currentIndex())
    assert graph.graph.nid == "y" and "loss" in graph.graph.nodes
    shown_matches_engine(window, graph)


def test_predict_mode_keeps_the_current_result_hidden(qtbot, window, examples):
    open_example(window, examples, "wx_plus_b")
    graph = open_graph_from_menu(qtbot, window, "f")
    window.step_panel.predict_box.setChecked(True)
    press(qtbot, graph, "Step")
    assert window.learning.pending
    assert graph.scene.texts_shown()["mul:x"].split("\n")[1] == "= ?"
    window.learning.reveal()
    assert graph.scene.texts_shown()["mul:x"].split("\n")[1] == "= −10"


def test_export_png_and_vector_svg(qtbot, window, examples, tmp_path):
    open_example(window, examples, "wx_plus_b")
    graph = open_graph_from_menu(qtbot, window, "f")
    for _ in range(8):
        press(qtbot, graph, "Step")
    svg, png = tmp_path / "g.svg", tmp_path / "g.png"
    assert graph.export(svg, "svg") and graph.export(png, "png")
    text = svg.read_text()
    assert "<image" not in text and "<text" in text
    for number in ("−10", "−7", "= 5"):
        assert number in text
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    rect = graph.scene.content_rect()
    assert (image.width(), image.height()) == (int(rect.width() * 2), int(rect.height() * 2))


def test_the_menu_action_opens_the_selected_neuron_and_edits_follow(qtbot, window, examples):
    net = open_example(window, examples, "xor_lecture")
    click(window, *neuron_centre(window, "h2"))
    window.act_compgraph.trigger()
    graph = window.compgraph_window
    assert graph.neuron == "h2"
    # an input neuron's menu has no graph entry
    menu = right_click_menu(window, "x1")
    assert "Show as Computational Graph" not in [a.text() for a in menu.actions()]
    menu.close()
    # an undoable edit of the weights redraws the parameters (not stepping)
    from gui.commands import SetParameters

    window.doc.undo_stack.push(SetParameters(window.doc, {("x1", "h2"): 2.5}, {}, "Set weight"))
    assert graph.scene.texts_shown()["w:x1"].split("\n")[1] == "= 2.5"
    window.doc.undo_stack.undo()
    assert (
        graph.scene.texts_shown()["w:x1"].split("\n")[1]
        == f"= {format_number(net.connection('x1', 'h2').weight)}"
    )


def test_a_network_without_an_output_says_so_and_a_closed_window_waits(qtbot, window):
    from tests.gui_helpers import double_click

    double_click(window, 100, 100)  # a hidden neuron, nothing else
    (nid,) = [n.id for n in window.doc.network.neurons]
    graph = window.compgraph_window if hasattr(window, "compgraph_window") else None
    assert graph is None
    window.act_compgraph.trigger()
    graph = window.compgraph_window
    assert graph.neuron == nid and graph.graph is None
    assert "Add an output neuron" in graph.caption.text()
    graph.close()
    window.tool_actions["output"].trigger()
    click(window, 300, 100)
    window.tool_actions["input"].trigger()
    click(window, -100, 100)
    assert graph.graph is None  # closed: nothing rebuilt for these edits
    out = next(n.id for n in window.doc.network.neurons if n.kind == "output")
    graph.show()
    qtbot.waitExposed(graph)
    assert graph.graph is not None and [graph.neuron_combo.itemData(i) for i in range(2)] == [
        nid,
        out,
    ]
    # closed, an edit waits; shown again, the graph has it
    from gui.commands import SetParameters

    graph.close()
    before = graph.graph
    window.doc.undo_stack.push(SetParameters(window.doc, {}, {nid: 1.5}, "Set bias"))
    assert graph.graph is before
    combo = graph.neuron_combo
    combo.setCurrentIndex(combo.findData(nid))
    graph.show()
    assert graph.graph is not before and graph.scene.texts_shown()["b"].split("\n")[1] == "= 1.5"


def test_esc_and_ctrl_w_close_the_window(qtbot, window, examples):
    """A trial: the window had no key to close it."""
    from PySide6.QtTest import QTest

    open_example(window, examples, "xor_lecture")
    for key, modifier in [
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
    ]:
        window.act_compgraph.trigger()
        graph = window.compgraph_window
        qtbot.waitExposed(graph)
        graph.activateWindow()
        focused = graph.windowHandle()
        qtbot.waitUntil(lambda g=focused: QApplication.focusWindow() is g, timeout=2_000)
        assert graph.isVisible()
        QTest.keyClick(graph.neuron_combo, key, modifier)  # wherever the focus is
        assert not graph.isVisible() and window.isVisible()
