"""One palette across chapters (issue 19 item 4): no colour means two different things.

Countries, region groupings, SCO statuses, the two compared trips and the
commodity scheme (gas, oil and the shades of the pipeline systems that carry
them) are checked together. The only allowed repeats are a region that *is*
one country (China, Russia). Colours of different meanings must also be
perceptually apart (CIELAB distance), so a reader can tell them apart.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from helpers import pipelines, style, views

SRC = Path(__file__).resolve().parents[1] / "src" / "helpers" / "chapters"
#: Smallest CIE76 distance between colours of different meanings (the closest
#: pair of the original country/status colours, sky blue vs observer blue, is 12.7).
MIN_DELTA_E = 12.0
#: A region deliberately drawn in its country's colour.
SAME_AS_COUNTRY = {"China": "CHN", "Russia": "RUS"}


def _lab(hex_colour: str) -> tuple[float, float, float]:
    """sRGB hex -> CIELAB (D65)."""
    h = hex_colour.lstrip("#")
    rgb = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _delta_e(a: str, b: str) -> float:
    return sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b))) ** 0.5


def meanings() -> dict[str, str]:
    """Every named colour of the house palette: meaning -> hex (upper case)."""
    out = {f"country {k}": v for k, v in style.COUNTRY_COLORS.items()}
    out["another country"] = style.OTHER_COUNTRY_COLOR
    out.update({f"region {k}": v for k, v in style.REGION_COLORS.items()})
    out.update({f"status {k}": v for k, v in style.STATUS_COLORS.items()})
    out.update({f"trip {k}": v for k, v in style.TRIP_COLORS.items()})
    out.update({f"commodity {k}": v for k, v in style.COMMODITY_COLORS.items()})
    out.update({f"coverage {k or 'none'}": v for k, v in style.COVERAGE_COLORS.items()})
    for commodity, shades in style.SYSTEM_SHADES.items():
        # the first shade is the commodity's own colour: the same meaning
        out.update({f"{commodity} system #{i}": v for i, v in enumerate(shades) if i})
    return {k: v.upper() for k, v in out.items()}


def _allowed(a: str, b: str) -> bool:
    for region, iso3 in SAME_AS_COUNTRY.items():
        if {a, b} == {f"region {region}", f"country {iso3}"}:
            return True
    return False


def test_every_colour_is_a_hex_code():
    for meaning, colour in meanings().items():
        assert re.fullmatch(r"#[0-9A-F]{6}", colour), f"{meaning}: {colour!r} is not #RRGGBB"


def test_no_colour_means_two_things():
    by_colour: dict[str, list[str]] = {}
    for meaning, colour in meanings().items():
        by_colour.setdefault(colour, []).append(meaning)
    clashes = {
        c: m
        for c, m in by_colour.items()
        if len(m) > 1 and not all(_allowed(a, b) for a, b in itertools.combinations(m, 2))
    }
    assert not clashes, f"one colour, two meanings: {clashes}"


def test_regions_that_are_one_country_share_its_colour():
    for region, iso3 in SAME_AS_COUNTRY.items():
        assert style.REGION_COLORS[region].upper() == style.COUNTRY_COLORS[iso3].upper()


def test_colours_of_different_meanings_are_perceptually_apart():
    close = [
        (round(_delta_e(ca, cb), 1), a, b)
        for (a, ca), (b, cb) in itertools.combinations(meanings().items(), 2)
        if not _allowed(a, b) and _delta_e(ca, cb) < MIN_DELTA_E
    ]
    assert not close, f"too alike to tell apart (CIELAB distance < {MIN_DELTA_E}): {sorted(close)}"


def test_delta_e_is_a_distance():
    assert _delta_e("#000000", "#000000") == 0
    assert _delta_e("#000000", "#FFFFFF") == pytest.approx(100, abs=0.5)


def test_chapters_use_the_house_palette():
    assert views.REGION_COLORS is style.REGION_COLORS
    assert pipelines.COMMODITY_COLORS is style.COMMODITY_COLORS
    drawn = pipelines._system_colors(
        __import__("pandas").DataFrame({"system": ["A gas", "B gas", "An oil"], "commodity": ["gas", "gas", "oil"]})
    )
    assert drawn == {
        "A gas": style.SYSTEM_SHADES["gas"][0],
        "B gas": style.SYSTEM_SHADES["gas"][1],
        "An oil": style.SYSTEM_SHADES["oil"][0],
    }
    assert set(views.REGIONS) == set(style.REGION_COLORS)


@pytest.mark.parametrize("module", ["trade.py", "pipelines.py"])
def test_chapter_modules_do_not_borrow_country_hues(module):
    """A country's hex code typed into a chapter module means that country is drawn -- or a clash."""
    text = (SRC / module).read_text(encoding="utf-8").upper()
    borrowed = sorted({c for c in style.COUNTRY_COLORS.values() if c.upper() in text})
    assert not borrowed, f"{module} types country colours {borrowed}; use style.country_color or a house colour"


def test_the_coverage_grid_does_not_borrow_the_status_blues():
    """Chapter 3's coverage grid was drawn in blues (#2166AC, #92C5DE) 8-10 units from chapter 1's
    status blues: a reader of both would read "both sides publish" as "member". Now every coverage
    colour is far from every status colour, and the chart takes its colours from the house palette."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from helpers import trade

    for cov_key, cov in style.COVERAGE_COLORS.items():
        for status, colour in style.STATUS_COLORS.items():
            assert _delta_e(cov, colour) >= 20, (cov_key, status, round(_delta_e(cov, colour), 1))
    old = {"both": "#2166AC", "china": "#92C5DE"}  # the old grid's blues fail this test
    assert min(_delta_e(c, s) for c in old.values() for s in style.STATUS_COLORS.values()) < 12
    grid = pd.DataFrame({"KAZ": ["both", "china", "partner", ""]}, index=[2020, 2021, 2022, 2023])
    ax = trade.plot_coverage(grid)
    drawn = {matplotlib.colors.to_hex(c).upper() for c in ax.collections[0].get_facecolors()}
    plt.close(ax.figure)
    assert drawn == {c.upper() for c in style.COVERAGE_COLORS.values()}
