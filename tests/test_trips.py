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
    comp = xi.compare(
        t["xi_trips"],
        t["xi_itinerary"],
        t["places"],
        t["xi_outcomes"],
        ["xi-2022-09", "xi-2024-07"],
        parameters.OUTCOME_CATEGORIES,
    )
    days = comp.loc["Days (first to last day)"]
    assert list(days) == [3, 5]  # 14-16 Sept 2022; 2-6 July 2024
    assert list(comp.loc["Countries visited"]) == [2, 2]
    # Tajikistan 2024: China says "more than 20", the Tajik presidency 29; both readings shown
    assert "TJK 20-29" in comp.loc["Documents signed, as announced (readings)", "July 2024"]


def test_category_shares_add_up(tables):
    t = tables
    counts = xi.by_category(
        t["xi_outcomes"], t["xi_trips"], ["xi-2022-09", "xi-2024-07"], parameters.OUTCOME_CATEGORIES
    )
    pct = xi.shares(counts)
    assert pct.sum().round(6).tolist() == [100.0, 100.0]
    # announced counts of documents are not outcomes of a category
    assert counts.to_numpy().sum() == len(
        data.primary(t["xi_outcomes"]).query("trip_id in ['xi-2022-09', 'xi-2024-07'] and kind != 'document_count'")
    )


def test_variants_differ_from_the_rows_they_name(tables):
    for name, key, cols in (
        ("xi_itinerary", "stop_id", ["date", "description", "counterpart"]),
        ("xi_outcomes", "outcome_id", ["quantity", "title", "date"]),
    ):
        v = data.variants(tables[name], key)
        for _, row in v.iterrows():
            assert any(str(row[f"{c}_other"]) != str(row[f"{c}_drawn"]) for c in cols), row["variant_of"]


@pytest.mark.parametrize(
    "value, fragment",
    [
        (["2023"], "2022, 2024"),
        ([], "non-empty"),
    ],
)
def test_bad_trip_choices_are_named(value, fragment):
    with pytest.raises(parameters.ParameterError, match=fragment):
        parameters.validate("02_xi_trips", {"trips": value}, partial=True)


def test_years_from_a_yaml_file_may_be_integers():
    assert parameters.validate("02_xi_trips", {"trips": [2024]}, partial=True) == {"trips": ["2024"]}


def test_bad_category_is_named():
    with pytest.raises(parameters.ParameterError, match="categories.*finance"):
        parameters.validate("02_xi_trips", {"categories": ["finance"]}, partial=True)


# --- issue 19: what the day tables say; issue 16: sentences that follow the run ---------------


def test_the_skipped_leaders_dinner_is_a_non_attendance_and_the_trilateral_is_not_a_summit_session(tables):
    """Regression: the 2022 day plan once drew 'evening: banquet' for the dinner Xi did not attend,
    and the China-Russia-Mongolia meeting as a 'summit session'."""
    rows = tables["xi_itinerary"].set_index("stop_id")
    assert rows.loc["xi-2022-09-18", "event_type"] == "did_not_attend"
    assert rows.loc["xi-2022-09-15", "event_type"] == "trilateral_meeting"
    days = xi.day_table(tables["xi_itinerary"], tables["places"], "xi-2022-09")
    [dinner] = days[days["source"] == "cdt-2022-xi-central-asia"].itertuples()
    assert dinner.event == "did not attend" and "does not attend the leaders' dinner" in dinner._6
    assert "banquet" not in set(days["event"])
    assert (days["event"] == "trilateral meeting").sum() == 1
    # every event type shown has a readable label, none a category placeholder
    assert set(tables["xi_itinerary"]["event_type"]) <= set(xi.EVENT_LABELS)
    assert "ceremony or visit" not in set(xi.EVENT_LABELS.values())


def test_day_table_keeps_every_row_with_its_own_description(tables):
    it, places = tables["xi_itinerary"], tables["places"]
    for tid in ("xi-2022-09", "xi-2024-07"):
        days = xi.day_table(it, places, tid)
        own = data.primary(it).query("trip_id == @tid")
        assert sorted(days["what happened"]) == sorted(own["description"])
        assert list(days.columns) == ["day", "time", "city", "event", "with", "what happened", "source"]


def test_one_trip_is_not_described_as_a_comparison(tables):
    t = tables
    for tid in ("xi-2022-09", "xi-2024-07"):
        comp = xi.compare(
            t["xi_trips"], t["xi_itinerary"], t["places"], t["xi_outcomes"], [tid], parameters.OUTCOME_CATEGORIES
        )
        text = xi.glance_sentences(comp, parameters.OUTCOME_CATEGORIES)
        assert "each trip" not in text and "Both" not in text
        assert f"lasted {comp.iloc[0, 0]} days" in text
    assert xi.the_trips(["a"]) == "The trip" and xi.the_trips(["a", "b"]) == "The two trips"


def test_announced_counts_keep_more_than_and_their_announcer(tables):
    t = tables
    text = xi.document_count_sentences(t["xi_outcomes"], t["xi_trips"], ["xi-2024-07"])
    assert "Chinese MFA (Xi at the joint press appearance) gave more than 20" in text
    assert "Press service of the President of Tajikistan gave 29" in text
    assert "September 2022" not in text


def test_quantified_outcomes_follow_the_categories(tables):
    t = tables
    sec = xi.quantified_sentences(t["xi_outcomes"], t["xi_trips"], ["xi-2022-09", "xi-2024-07"], ["security"])
    assert "2,000 persons" in sec and "USD 15 billion" not in sec
    trade = xi.quantified_sentences(t["xi_outcomes"], t["xi_trips"], ["xi-2022-09"], ["trade"])
    assert "The largest sum of money, USD 15 billion, was announced by the partner, not by China." in trade


def test_category_sentences_name_only_the_categories_counted(tables):
    t = tables
    counts = xi.by_category(t["xi_outcomes"], t["xi_trips"], ["xi-2022-09", "xi-2024-07"], ["energy", "security"])
    text = xi.category_sentences(counts)
    assert "Energy appears only in July 2024." in text
    assert "institutional" not in text.lower() and "trade" not in text.lower()


# --- "first trip abroad since January 2020", cited and in step with chapter 6 (issue 20) ---------


def test_the_first_trip_since_sentence_is_built_from_xi_other_trips_and_cites_its_sources(tables):
    other = data.load("xi_other_trips")
    prev = other[other["next_trip_id"] == "xi-2022-09"].iloc[0]
    [summary] = xi.trip_summaries(["xi-2022-09"])
    assert f"since {prev['start_date']:%B %Y}" in summary
    assert f"`{prev['source_id']}`" in summary  # the previous trip's date
    assert f"`{prev['next_trip_source_id']}`" in summary  # "no trip abroad in between"
    assert "chapter 6" in summary and "{since}" not in summary
    text = xi.timeline_sentences(tables["xi_trips"], ["xi-2022-09"], True)
    start = tables["xi_trips"].set_index("trip_id").loc["xi-2022-09", "start_date"]
    assert f"{(start - prev['end_date']).days:,} days" in text  # computed, not typed
    assert f"`{prev['next_trip_source_id']}`" in text and f"`{prev['source_id']}`" in text


def test_without_a_sourced_previous_trip_the_chapter_does_not_claim_one(tables):
    other = data.load("xi_other_trips").assign(next_trip_id=pd.NA)
    [summary] = xi.trip_summaries(["xi-2022-09"], other)
    assert "January 2020" not in summary
    assert "January 2020" not in xi.timeline_sentences(tables["xi_trips"], ["xi-2022-09"], True, other)


def test_chapter_2_agrees_with_chapter_6_on_the_first_trip_since_2020():
    from helpers import claims as cl

    claims = data.load("claims")
    res = cl.run(claims[claims["claim_id"].isin(["s001-c001", "s003-c003"])], cl.Tables())
    assert set(res["verdict"]) == {"consistent"}
    prev = xi.previous_trip("xi-2022-09")
    for ev in res["evidence_sources"]:
        assert prev["next_trip_source_id"] in ev and prev["source_id"] in ev


def test_the_trip_summaries_cite_a_source_in_every_sentence():
    import re

    sources = set(data.load("sources")["source_id"])
    for tid in xi.TRIP_SUMMARIES:
        [text] = xi.trip_summaries([tid])
        body = re.sub(r"^\*\*[^*]+\*\*\s*", "", text)
        for sentence in re.split(r"(?<=\.)\s+(?=[A-Z])", body):
            ids = re.findall(r"`([a-z0-9][a-z0-9-]*[a-z0-9])`", sentence)
            assert ids, f"{tid}: no source in {sentence!r}"
            assert set(ids) <= sources, set(ids) - sources
