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
