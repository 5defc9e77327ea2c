"""Unit tests for the wording helpers every chapter's prose is made with."""

import pytest

from helpers import prose


@pytest.mark.parametrize(
    "ratio, words",
    [
        (1.0234, "1.02 times"),
        (4.14, "4.1 times"),
        (99.94, "99.9 times"),
        (1982.3, "1,982 times"),
        (float("nan"), "no figure"),
    ],
)
def test_times_reads_as_a_ratio_never_as_a_year(ratio, words):
    assert prose.times(ratio) == words


def test_join_and_span():
    assert prose.join([]) == ""
    assert prose.join(["A"]) == "A"
    assert prose.join(["A", "B", "C"]) == "A, B and C"
    assert prose.join(["A", "B"], "or") == "A or B"
