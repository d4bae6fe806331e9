"""The step-through's matrix form: the current layer's matrices, the walk's numbers."""

from engine.matrix_form import MatrixForm


def open_example(window, examples, name):
    window.files.open_path(examples / f"{name}.json", ask=False)
    return window.doc.network


def test_the_step_through_shows_the_current_layer_in_matrix_form(qtbot, window, examples):
    open_example(window, examples, "xor_lecture")
    panel = window.step_panel
    window.step_dock.raise_()
    panel.sample_combo.setCurrentIndex(panel.sample_combo.findData(1))
    panel.sample_combo.activated.emit(panel.sample_combo.currentIndex())
    panel.matrix_box.setChecked(True)
    window.learning.granularity = "level"
    window.learning.step_forward()
    text = panel.matrix.toPlainText()
    assert "Z₁ = [−3  −4]" in text and "W₁ = x₁ ⎡ 5  −7⎤" in text
    walk = window.learning.session.walk
    assert text == "\n".join(MatrixForm(walk.network, walk=walk).forward_lines(1))
    while window.learning.session.cursor.step.phase != "backward":
        window.learning.step_forward()
    assert panel.matrix.toPlainText().startswith("LEVEL 2 BACKWARD")
    panel.matrix_box.setChecked(False)
    assert panel.steps.isVisible() and not panel.matrix.isVisible()
