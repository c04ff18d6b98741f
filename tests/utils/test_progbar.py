# Tests for pykerascore.utils.progbar.Progbar: the exact text Keras 3 prints, with a fake
# clock so timings are fixed. Needs nothing native.
import types

import numpy as np
import pytest

from pykerascore.utils import progbar as progbar_module
from pykerascore.utils.progbar import Progbar

BOLD, GREEN, GREY, RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"
BAR = "\u2501"


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(100.0)
    monkeypatch.setattr(progbar_module, "time", types.SimpleNamespace(time=fake))
    return fake


def make_bar(clock, dynamic=False, **kwargs):
    bar = Progbar(**kwargs)
    bar._dynamic_display = dynamic
    return bar


def test_verbose2_prints_one_line_when_finished(clock, capsys):
    bar = make_bar(clock, target=10, verbose=2)
    clock.now = 101.0
    bar.update(5, [("loss", 1.0)])
    assert capsys.readouterr().out == ""
    clock.now = 102.0
    bar.update(10, [("loss", 0.5), ("acc", 0.75)])
    assert capsys.readouterr().out == "10/10 - 2s - 200ms/step - loss: 0.5000 - acc: 0.7500\n"


def test_verbose2_pads_step_count_to_target_digits(clock, capsys):
    bar = make_bar(clock, target=100, verbose=2)
    clock.now = 101.5
    bar.update(7, finalize=True)
    assert capsys.readouterr().out == "  7/100 - 2s - 214ms/step\n"


def test_verbose2_negative_value_uses_exponent_format(clock, capsys):
    # Keras's verbose=2 line compares the signed value with 1e-3, verbose=1 its magnitude.
    bar = make_bar(clock, target=1, verbose=2)
    bar.update(1, [("loss", -0.5)])
    assert capsys.readouterr().out.endswith(" - loss: -5.0000e-01\n")


def test_verbose1_final_line_newline_display(clock, capsys):
    bar = make_bar(clock, target=4, width=10)
    clock.now = 102.0
    bar.update(4, [("loss", 0.25)])
    expected = (
        f"\n{BOLD}4/4{RESET} {GREEN}{BAR * 10}{RESET}{GREY}{RESET}"
        f" {BOLD}2s{RESET} 500ms/step - loss: 0.2500\n"
    )
    assert capsys.readouterr().out == expected


def test_verbose1_dynamic_display_rewrites_the_line(clock, capsys):
    bar = make_bar(clock, dynamic=True, target=4, width=10, interval=0.0)
    clock.now = 101.0
    bar.update(1, [("loss", 1.0)])
    first = (
        f"\r{BOLD}1/4{RESET} {GREEN}{BAR * 2}{RESET}{GREY}{BAR * 8}{RESET}"
        f" {BOLD}3s{RESET} 1s/step - loss: 1.0000"
    )
    assert capsys.readouterr().out == first
    clock.now = 102.0
    bar.update(4, [("loss", 0.5)])
    # Backspaces over the 40 visible characters of the first line, then redraws.
    final = (
        "\b" * 40
        + f"\r{BOLD}4/4{RESET} {GREEN}{BAR * 10}{RESET}{GREY}{RESET}"
        + f" {BOLD}2s{RESET} 333ms/step - loss: 0.5000\n"
    )
    assert capsys.readouterr().out == final


def test_verbose1_pads_a_shorter_line_with_spaces(clock, capsys):
    bar = make_bar(clock, dynamic=True, target=None, interval=0.0)
    clock.now = 101.0
    bar.update(1, [("loss", 12345.5)])
    capsys.readouterr()
    bar.update(2, [("loss", 0.0)], finalize=False)  # average 6172.75: one char shorter
    assert capsys.readouterr().out.endswith(" - loss: 6172.7500 ")


def test_bar_fills_in_proportion(clock, capsys):
    bar = make_bar(clock, target=4, width=10, interval=0.0)
    bar.update(2)
    assert f"{GREEN}{BAR * 5}{RESET}{GREY}{BAR * 5}{RESET}" in capsys.readouterr().out


def test_unknown_target_shows_count(clock, capsys):
    bar = make_bar(clock, target=None)
    clock.now = 103.0
    bar.update(3)
    assert capsys.readouterr().out == f"\n      3/Unknown {BOLD}3s{RESET} 1s/step"


def test_zero_target_does_not_crash(clock, capsys):
    make_bar(clock, target=0, verbose=1).update(0, finalize=True)
    make_bar(clock, target=0, verbose=2).update(0, finalize=True)
    assert capsys.readouterr().out == f"\n      0/Unknown {BOLD}0s{RESET} 0s/step\n"


@pytest.mark.parametrize(
    "seconds_per_step, eta",
    [(0.5, "49s"), (2.0, "3:18"), (100.0, "2:45:00")],
)
def test_eta_format(clock, capsys, seconds_per_step, eta):
    bar = make_bar(clock, target=100)
    clock.now = 100.0 + seconds_per_step
    bar.update(1)
    assert f" {BOLD}{eta}{RESET} " in capsys.readouterr().out


@pytest.mark.parametrize(
    "seconds, unit, text",
    [
        (0, "step", " 0s/step"),
        (2.4, "step", " 2s/step"),
        (0.0123, "step", " 12ms/step"),
        (0.00042, "sample", " 420us/sample"),
    ],
)
def test_format_time_units(seconds, unit, text):
    assert Progbar(1)._format_time(seconds, unit) == text


def test_step_time_leaves_out_the_first_step(clock, capsys):
    bar = make_bar(clock, target=10, verbose=2)
    clock.now = 105.0
    bar.update(1)  # slow first step
    clock.now = 105.3
    bar.update(4, finalize=True)  # 3 more steps in 0.3s
    assert capsys.readouterr().out == " 4/10 - 5s - 100ms/step\n"


def test_stateless_metrics_are_averaged_over_steps(clock, capsys):
    bar = make_bar(clock, target=4, interval=0.0)
    bar.update(1, [("loss", 1.0)])
    bar.update(3, [("loss", 4.0)])  # covers 2 steps: (1 + 4 * 2) / 3
    assert capsys.readouterr().out.endswith(" - loss: 3.0000")


def test_stateful_metrics_are_shown_as_given(clock, capsys):
    bar = make_bar(clock, target=4, interval=0.0, stateful_metrics=["loss"])
    bar.update(1, [("loss", 1.0), ("mae", 1.0)])
    bar.update(3, [("loss", 4.0), ("mae", 4.0)])
    assert capsys.readouterr().out.endswith(" - loss: 4.0000 - mae: 3.0000")


def test_empty_stateless_metrics_shows_everything_as_given(clock, capsys):
    bar = make_bar(clock, target=4, interval=0.0, stateless_metrics=set())
    bar.update(1, [("loss", 1.0)])
    bar.update(3, [("loss", 4.0)])
    assert capsys.readouterr().out.endswith(" - loss: 4.0000")


def test_final_update_shows_the_last_value(clock, capsys):
    bar = make_bar(clock, target=2, verbose=2)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 0.5)])
    assert capsys.readouterr().out.endswith(" - loss: 0.5000\n")


def test_both_metric_lists_raise():
    with pytest.raises(ValueError, match="Only one of"):
        Progbar(1, stateful_metrics=[], stateless_metrics=[])


def test_small_values_use_exponent_format(clock, capsys):
    bar = make_bar(clock, target=1)
    bar.update(1, [("loss", 0.0005), ("zero", 0), ("neg", -0.5)])
    assert capsys.readouterr().out.endswith(
        " - loss: 5.0000e-04 - zero: 0.0000e+00 - neg: -0.5000\n"
    )


def test_array_and_list_values_are_averaged(clock, capsys):
    bar = make_bar(clock, target=1)
    bar.update(1, [("a", np.array([1.0, 2.0])), ("b", [0.0, 1.0, 2.0])])
    assert capsys.readouterr().out.endswith(" - a: 1.5000 - b: 1.0000\n")


def test_updates_within_interval_are_skipped(clock, capsys):
    bar = make_bar(clock, target=10, interval=1.0)
    clock.now = 101.0
    bar.update(1)
    clock.now = 101.5
    bar.update(2)
    assert capsys.readouterr().out.count("/10") == 1


def test_add_advances_by_n(clock, capsys):
    bar = make_bar(clock, target=5, verbose=2)
    bar.add(2)
    bar.add(3)
    assert capsys.readouterr().out.startswith("5/5 - ")


def test_verbose0_prints_nothing(clock, capsys):
    bar = make_bar(clock, target=2, verbose=0)
    bar.update(2, [("loss", 1.0)])
    assert capsys.readouterr().out == ""
