"""The shared money axis (issue 16, item 5): one unit, the scale it states, readable ticks on any window."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers import style  # noqa: E402


def _axis(values, scale):
    fig, ax = plt.subplots()
    ax.plot(range(len(values)), values)
    used = style.money_axis(ax, scale=scale, label="China's exports, USD")
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    minor = [t.get_text() for t in ax.yaxis.get_minorticklabels() if t.get_text()]
    text = ax.get_ylabel()
    plt.close(fig)
    return used, labels, minor, text


@pytest.mark.parametrize(
    ("value", "billions", "shown"),
    [
        (0, False, "0"),
        (500, False, "500 m"),
        (1500, False, "1.5 bn"),
        (20000, True, "20 bn"),
        (-5000, True, "−5 bn"),
        (-500, True, "−0.5 bn"),  # on a billions axis even small ticks are in billions
        (2.5, False, "2.5 m"),
    ],
)
def test_ticks_read_in_millions_or_billions_with_a_true_minus(value, billions, shown):
    assert style._money_tick(value, billions) == shown


def test_a_log_axis_over_less_than_a_tenfold_range_becomes_linear_and_says_so():
    used, labels, _, text = _axis([2000, 2500, 3100], "log")
    assert used == "linear" and "log" not in text
    assert len(labels) >= 3 and all(t.endswith("bn") or t == "0" for t in labels), labels


def test_a_log_axis_over_wide_data_is_kept_and_stated_in_the_label():
    used, labels, minor, text = _axis([50, 800, 12000, 40000], "log")
    assert used == "log" and text.endswith("(log scale)")
    assert {"100 m", "1 bn", "10 bn"} <= set(labels), labels
    assert not minor  # three decades: majors are enough


def test_a_log_axis_of_one_to_two_decades_labels_its_minor_ticks():
    used, labels, minor, _ = _axis([300, 900, 4000], "log")
    assert used == "log"
    assert len(labels) + len(minor) >= 3, (labels, minor)  # never one labelled tick or none


def test_a_linear_axis_reaching_a_billion_shows_every_tick_in_billions():
    used, labels, _, _ = _axis([-5000, 3000, 20000], "linear")
    assert used == "linear"
    assert not any(t.endswith(" m") for t in labels), labels
    assert any(t.startswith("−") for t in labels), labels
