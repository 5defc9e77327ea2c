"""The offline base map: provenance, coverage, projection."""

from __future__ import annotations

import hashlib
import re

import pytest

from conftest import ROOT
from helpers import data, maps


def test_geojson_matches_the_checksum_in_its_readme():
    readme = (ROOT / "data" / "geo" / "README.md").read_text()
    recorded = re.search(r"sha256 \| `([0-9a-f]{64})`", readme).group(1)
    actual = hashlib.sha256((ROOT / "data" / "geo" / "sco_region_countries.geojson").read_bytes()).hexdigest()
    assert actual == recorded


def test_every_country_with_an_sco_status_is_on_the_map():
    on_map = set(maps.countries()["iso3"])
    assert set(data.load("sco_membership")["country_iso3"]) <= on_map
    assert set(data.load("countries")["iso3"]) <= on_map


def test_maps_are_projected_not_plate_carree():
    crs = maps.countries().crs
    assert crs.is_projected and "Albers" in crs.to_wkt()
    xmin, xmax, ymin, ymax = maps.projected_extent("sco")
    assert xmax - xmin > 5e6 and ymax - ymin > 5e6  # metres, not degrees


def test_unknown_codes_are_refused():
    import matplotlib

    matplotlib.use("Agg")
    ax = maps.base_map()
    with pytest.raises(KeyError, match="not on the base map: ZZZ"):
        maps.fill_countries(ax, {"ZZZ": "#000000"})


def test_a_map_carries_no_hidden_axis_text():
    """geopandas labels projected axes 'Easting [metre]' and ticks them in metres; hidden with the
    axis, those texts still sat in the figure and collided with the source line (issue 16)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers import style

    fig, ax = plt.subplots(figsize=(8, 6))
    maps.base_map(ax)
    maps.fill_countries(ax, {"KAZ": "#08306B"}, highlight=("TKM",))
    style.add_source(fig, [maps.BOUNDARIES_SOURCE])
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]
    assert not any("metre" in t for t in texts), texts
    assert style.layout_problems(fig) == []
    plt.close(fig)


def test_every_country_is_drawn_from_its_outline():
    assert set(maps._paths()) == set(maps.countries()["iso3"])


def test_a_status_map_fills_its_figure_without_an_empty_band(tmp_path):
    """Chapter 1's map was 9 in wide with the map in 7 in of it and a wide source line beside:
    the saved image had a blank band right of the map and another under it."""
    import matplotlib.pyplot as plt
    from PIL import Image

    from helpers import data, sco, style

    style.apply()
    membership = data.load("sco_membership")
    snapshot = sco.status_in_year(membership, 2025)
    fig, ax = plt.subplots(figsize=(9, 8))
    sco.plot_status_map(snapshot, ["member", "partner"], ["KAZ"], ax=ax, title="The SCO")
    style.add_source(fig, snapshot, maps.BOUNDARIES_SOURCE, note="Outlined: KAZ. " + maps.BOUNDARIES_NOTE)
    fig.canvas.draw()
    box = ax.get_window_extent()
    assert box.width >= 0.95 * fig.bbox.width  # the map spans the figure's width
    source = [t for t in fig.texts if t.get_text().startswith("Outlined")][0]
    assert source.get_window_extent().x1 <= fig.bbox.width + 2  # the source line is no wider than the figure
    target = tmp_path / "map.png"
    fig.savefig(target, bbox_inches="tight", dpi=50)
    plt.close(fig)
    width, _ = Image.open(target).size
    assert width <= 9 * 50 * 1.03  # nothing widens the saved image beyond the figure
