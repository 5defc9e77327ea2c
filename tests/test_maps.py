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
