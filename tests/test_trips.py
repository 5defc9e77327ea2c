"""The trips data and the helpers that read it."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import data, parameters
from helpers import trips as xi


@pytest.fixture(scope="module")
def tables():
    return {n: data.load(n) for n in ("xi_trips", "xi_itinerary", "xi_outcomes", "places")}


def test_every_itinerary_row_falls_within_its_trip(tables):
    trips = tables["xi_trips"].set_index("trip_id")
    it = tables["xi_itinerary"]
    start = it["trip_id"].map(trips["start_date"])
    end = it["trip_id"].map(trips["end_date"])
    outside = it[(it["date"] < start) | (it["date"] > end)]
    assert outside.empty, outside[["stop_id", "date"]].to_string()


def test_each_focus_trip_stops_in_every_country_it_lists(tables):
    trips, it, places = tables["xi_trips"], tables["xi_itinerary"], tables["places"]
    for _, trip in trips[trips["kind"] == "focus"].iterrows():
        stops = xi.days_in_places(it, places, trip["trip_id"])
        assert set(stops["country_iso3"]) == set(trip["countries"].split(";")), trip["trip_id"]


def test_routes_start_and_end_in_beijing_and_keep_the_order(tables):
    r = xi.route(tables["xi_itinerary"], tables["places"], "xi-2024-07")
    assert list(r["place_id"]) == ["city-beijing", "city-astana", "city-dushanbe", "city-beijing"]
    r = xi.route(tables["xi_itinerary"], tables["places"], "xi-2022-09")
    assert list(r["place_id"]) == ["city-beijing", "city-astana", "city-samarkand", "city-beijing"]


def test_day_plan_groups_the_meetings_of_a_day(tables):
    plan = xi.day_plan(tables["xi_itinerary"], tables["places"], "xi-2022-09").set_index("date")
    day = plan.loc[pd.Timestamp("2022-09-16").date(), "events"]
    [line] = [e for e in day if e.startswith("Bilateral meetings")]
    assert line.startswith("Bilateral meetings (3): ") and "Raisi" in line and "Erdogan" in line


def test_short_names():
    assert xi._short_name("Kassym-Jomart Tokayev, President of Kazakhstan") == "Tokayev"
    assert xi._short_name("Vladimir Putin (Russia) and Ukhnaagiin Khurelsukh (Mongolia)") == "Putin and Khurelsukh"


def test_comparison_counts(tables):
    t = tables
    comp = xi.compare(t["xi_trips"], t["xi_itinerary"], t["places"], t["xi_outcomes"],
                      ["xi-2022-09", "xi-2024-07"], parameters.OUTCOME_CATEGORIES)
    days = comp.loc["Days (first to last day)"]
    assert list(days) == [3, 5]                                 # 14-16 Sept 2022; 2-6 July 2024
    assert list(comp.loc["Countries visited"]) == [2, 2]
    # Tajikistan 2024: China says "more than 20", the Tajik presidency 29; both readings shown
    assert "TJK 20-29" in comp.loc["Documents signed, as announced (readings)", "July 2024"]


def test_category_shares_add_up(tables):
    t = tables
    counts = xi.by_category(t["xi_outcomes"], t["xi_trips"], ["xi-2022-09", "xi-2024-07"],
                            parameters.OUTCOME_CATEGORIES)
    pct = xi.shares(counts)
    assert pct.sum().round(6).tolist() == [100.0, 100.0]
    # announced counts of documents are not outcomes of a category
    assert counts.to_numpy().sum() == len(
        data.primary(t["xi_outcomes"]).query("trip_id in ['xi-2022-09', 'xi-2024-07'] and kind != 'document_count'"))


def test_variants_differ_from_the_rows_they_name(tables):
    for name, key, cols in (("xi_itinerary", "stop_id", ["date", "description", "counterpart"]),
                            ("xi_outcomes", "outcome_id", ["quantity", "title", "date"])):
        v = data.variants(tables[name], key)
        for _, row in v.iterrows():
            assert any(str(row[f"{c}_other"]) != str(row[f"{c}_drawn"]) for c in cols), row["variant_of"]


@pytest.mark.parametrize("value, fragment", [
    (["2023"], "2022, 2024"),
    ([], "non-empty"),
])
def test_bad_trip_choices_are_named(value, fragment):
    with pytest.raises(parameters.ParameterError, match=fragment):
        parameters.validate("02_xi_trips", {"trips": value}, partial=True)


def test_years_from_a_yaml_file_may_be_integers():
    assert parameters.validate("02_xi_trips", {"trips": [2024]}, partial=True) == {"trips": ["2024"]}


def test_bad_category_is_named():
    with pytest.raises(parameters.ParameterError, match="categories.*finance"):
        parameters.validate("02_xi_trips", {"categories": ["finance"]}, partial=True)
