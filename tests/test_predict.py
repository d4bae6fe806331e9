"""Predict mode's judge: right answers within the rounding, wrong ones with a hint that
names the operand to look at again (on the lecture's iteration)."""

import numpy as np
import pytest

from engine.files import load_network
from engine.predict import Score, agrees, check_answer
from engine.walkthrough import Walkthrough


@pytest.fixture
def lecture(examples):
    net = load_network(examples / "xor_lecture.json")
    return Walkthrough(net, np.array([[0.0], [1.0]]), np.array([[1.0]]))


def step(walk, kind, neuron=None):
    return next(s for s in walk.steps if s.kind == kind and (neuron is None or s.neuron == neuron))


@pytest.mark.parametrize("typed", ["0.0474", "0.047", "4.74e-2", ".0474", "0,0474"])
def test_sigma_of_minus_3_is_accepted_as_shown_or_to_the_digits_typed(lecture, typed):
    a_h1 = step(lecture, "a", "h1")  # h₁ = σ(−3) = 0.0474
    assert a_h1.value_text == "0.0474"
    assert check_answer(lecture, a_h1, typed).correct


@pytest.mark.parametrize("typed", ["0.05", "0.048", "0.0475", "0.4", "abc", ""])
def test_too_coarse_or_wrong_answers_are_not_accepted(lecture, typed):
    assert not check_answer(lecture, step(lecture, "a", "h1"), typed).correct


def test_sigma_of_the_wrong_sign_is_named(lecture):
    verdict = check_answer(lecture, step(lecture, "a", "h1"), "0.953")
    assert not verdict.correct
    assert verdict.message == "Check σ(−3): you typed 0.953, that is σ(3)."


def test_a_forgotten_bias_and_a_wrong_sign_are_named(lecture):
    z_h1 = step(lecture, "z", "h1")  # 5·0 + 5·1 − 8 = −3
    assert check_answer(lecture, z_h1, "-3").correct and check_answer(lecture, z_h1, "−3").correct
    assert "without + b = −8" in check_answer(lecture, z_h1, "5").message
    assert "wrong sign" in check_answer(lecture, z_h1, "3").message


def test_an_update_in_the_wrong_direction_is_named(lecture):
    update = next(s for s in lecture.steps if s.kind == "update" and s.connection == ("x2", "h1"))
    old = lecture.weights[("x2", "h1")]
    wrong = old + (old - update.value)
    assert check_answer(lecture, update, update.value_text.replace("−", "-")).correct
    assert "subtracts η·∂L/∂w" in check_answer(lecture, update, repr(wrong)).message


def test_other_mistakes_get_the_formula_to_work_through_again(lecture):
    verdict = check_answer(lecture, step(lecture, "a", "h1"), "0.3")
    assert verdict.message.startswith("Not quite: you typed 0.3. Work through σ(−3)")


def test_integers_need_no_decimals():
    assert agrees("5", 5.0, "5") and agrees("-2", -2.0, "−2") and not agrees("4", 5.0, "5")


def test_the_score_reads_as_a_sentence():
    assert str(Score(3, 1, 2)) == "3 right the first time, 1 after another look, 2 revealed"
