"""Sources and voices (issue 20): originals over copies, one yardstick for outlets, where statements come from.

* every source names a publisher and either a date or the reason it has none;
* a copy says whose document it reproduces; an original read through a copy keeps the copy as its route;
* no series drawn in a chart rests only on sources without an identifiable publisher;
* every outlet a statement appeared in or was read through is classed, once, by who funds or controls it,
  with a source; every statement's outlet resolves;
* the collection holds Central Asian voices that did not reach it through Chinese or Russian outlets,
  on both trips.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import edit_cell, load_error
from helpers import data

#: Tables whose rows are drawn in charts, and the columns that make one drawn series in each.
#: Event-like tables draw every row as its own mark, so each row is its own series.
CHART_SERIES = {
    "trade": ["reporter_iso3", "partner_iso3", "flow", "period"],
    "trade_aggregates": ["aggregate", "reporter_iso3", "flow", "period"],
    "pipeline_volumes": ["pipeline_id", "measure", "scope", "period"],
    "pipeline_facts": ["pipeline_id", "attribute"],
    "pipeline_routes": ["pipeline_id"],
    "pipelines": ["pipeline_id"],
    "gas_pipeline_trade": ["exporter", "importer", "basis"],
    "wdi_indicators": ["indicator", "iso3"],
    "sco_events": ["event_id"],
    "sco_membership": ["country_iso3", "organisation", "status", "start_date"],
    "xi_trips": ["trip_id"],
    "xi_itinerary": ["stop_id"],
    "xi_outcomes": ["outcome_id"],
}

#: How a source row says that nobody can be named as its publisher.
UNIDENTIFIED = re.compile(r"not identified|not named|unknown|unattributed", re.IGNORECASE)

#: Outlets that are Chinese or Russian, or that only relay them (press-release distributors of
#: Chinese state texts, an unnamed outlet relaying the Global Times).
CN_RU_ROUTES = {
    "xinhua",
    "cgtn",
    "cns",
    "chinaorgcn",
    "globaltimes",
    "chinausfocus",
    "valdai",
    "prnewswire",
    "einpresswire",
    "seed003_unnamed",
}


def publisher_unidentified(sources: pd.DataFrame) -> pd.Series:
    """True where a source's publisher (or, for a copy, the originator) cannot be named."""
    text = sources["publisher"].fillna("") + " | " + sources["copy_of"].fillna("")
    return text.str.contains(UNIDENTIFIED)


def series_resting_only_on_unidentified(data_dir=None) -> list[tuple[str, tuple]]:
    """Every drawn series (primary, not excluded) whose rows all cite unidentified publishers."""
    sources = data.load("sources", data_dir=data_dir).set_index("source_id")
    unidentified = publisher_unidentified(sources)
    found = []
    for table, key in CHART_SERIES.items():
        frame = data.load(table, data_dir=data_dir)
        if "variant_of" in frame.columns:
            frame = frame[frame["variant_of"].isna()]
        if "excluded" in frame.columns:  # a reason why a row is never drawn; empty when drawn
            frame = frame[frame["excluded"].isna()]
        for series, group in frame.groupby(key, dropna=False):
            if unidentified.loc[list(group["source_id"])].all():
                found.append((table, series))
    return found


@pytest.fixture(scope="module")
def sources():
    return data.load("sources")


@pytest.fixture(scope="module")
def statements():
    return data.load("statements")


@pytest.fixture(scope="module")
def outlets():
    return data.load("outlets")


# --- originals and copies ------------------------------------------------------------------


def test_every_source_has_a_publisher_and_a_date_or_a_reason(sources):
    assert sources["publisher"].notna().all() and (sources["publisher"].str.strip() != "").all()
    undated = sources["date"] == "n.d."
    assert sources.loc[undated, "doc_date_note"].notna().all(), list(
        sources.loc[undated & sources["doc_date_note"].isna(), "source_id"]
    )
    assert sources.loc[~undated, "doc_date_note"].isna().all()


def test_every_copy_says_whose_document_it_is(sources):
    copies = sources[sources["original_or_copy"] == "copy"]
    originals = sources[sources["original_or_copy"] == "original"]
    assert len(copies) + len(originals) == len(sources)
    assert copies["copy_of"].notna().all() and (copies["copy_of"].str.len() > 10).all()
    assert originals["copy_of"].isna().all()
    routed = originals[originals["route"].notna()]
    assert len(routed) >= 3, "originals found for copies keep the copy as their route"
    assert (routed["route"] != routed["url"]).all()
    assert copies["route"].isna().all()


def test_originals_found_replace_the_copies_they_were_read_in(sources):
    s = sources.set_index("source_id")
    eurasianet = s.loc["eurasiareview-2023-07-28-h1-2023"]
    assert eurasianet["publisher"] == "Eurasianet" and eurasianet["url"].startswith("https://eurasianet.org/")
    assert "eurasiareview.com" in eurasianet["route"] and eurasianet["original_or_copy"] == "original"
    voa = s.loc["voa-2024-07-03-xi-putin-astana"]
    assert voa["url"].startswith("https://www.voanews.com/") and "netlify" in voa["route"]


def test_copies_are_fewer_than_a_quarter_of_the_sources(sources):
    share = (sources["original_or_copy"] == "copy").mean()
    assert share < 0.25, f"{share:.1%} of sources are copies"


def test_a_copy_without_copy_of_or_an_undated_source_without_a_reason_is_refused(data_copy):
    frame = data.load("sources", data_dir=data_copy)
    copy_row = int(frame.index[frame["original_or_copy"] == "copy"][0])
    edit_cell(data_copy, "sources", copy_row, "copy_of", "")
    assert "column 'copy_of': is empty; a copy must say whose document it reproduces" in load_error(
        data_copy, "sources"
    )
    edit_cell(data_copy, "sources", copy_row, "copy_of", "someone's report")
    undated = int(frame.index[frame["date"] == "n.d."][0])
    edit_cell(data_copy, "sources", undated, "doc_date_note", "")
    assert "column 'doc_date_note': is empty; an undated source (n.d.) must say why" in load_error(data_copy, "sources")


def test_no_drawn_series_rests_only_on_a_source_without_an_identifiable_publisher():
    assert series_resting_only_on_unidentified() == []


def test_the_publisher_check_finds_a_series_that_does(data_copy):
    """The check above can fail: make every source of one drawn series unidentified."""
    trade = data.load("trade", data_dir=data_copy)
    drawn = trade[trade["variant_of"].isna() & trade["excluded"].isna()]
    key = CHART_SERIES["trade"]
    series, group = next(iter(drawn.groupby(key)))
    sources = data.load("sources", data_dir=data_copy)
    for sid in set(group["source_id"]):
        row = int(sources.index[sources["source_id"] == sid][0])
        edit_cell(data_copy, "sources", row, "publisher", "hozir.org (original publisher not identified)")
    assert ("trade", series) in series_resting_only_on_unidentified(data_copy)


# --- one yardstick for outlets -------------------------------------------------------------------


def test_outlets_have_one_row_each_with_a_funding_basis_and_a_resolving_source(outlets, sources):
    assert outlets["outlet_id"].is_unique and outlets["name"].is_unique
    assert outlets["funding_basis"].notna().all()
    assert set(outlets["source_id"]) <= set(sources["source_id"])


def test_every_statement_outlet_resolves_and_every_outlet_is_used(statements, outlets):
    assert statements["outlet_id"].notna().all()
    known = set(outlets["outlet_id"])
    assert set(statements["outlet_id"]) <= known
    assert set(statements["via_outlet_id"].dropna()) <= known
    assert (statements["via_outlet_id"].fillna("") != statements["outlet_id"]).all()
    used = set(statements["outlet_id"]) | set(statements["via_outlet_id"].dropna())
    assert known == used, f"outlets no statement uses: {sorted(known - used)}"


def test_the_yardstick_is_the_same_for_every_country(outlets):
    basis = outlets.set_index("outlet_id")["funding_basis"]
    # US- and China-funded outlets are both state-funded; neither is 'press'
    assert basis["voa"] == basis["rferl"] == "state_funded_international"
    assert {basis["xinhua"], basis["cgtn"], basis["kazinform"], basis["uza"], basis["trt_world"]} == {"state_media"}
    assert basis["reuters"] == basis["ft"] == "independent_press"


def test_an_unknown_outlet_is_reported(data_copy):
    edit_cell(data_copy, "statements", 0, "outlet_id", "made_up_outlet")
    assert "column 'outlet_id': 'made_up_outlet' does not resolve in outlets.outlet_id" in load_error(
        data_copy, "statements"
    )


# --- independent Central Asian voices -------------------------------------------------------


def test_central_asian_voices_not_routed_through_chinese_or_russian_outlets_cover_both_trips(statements):
    kinds = data.load("outlet_kinds").set_index("outlet_kind")["region"]
    ca = statements[statements["outlet_kind"].map(kinds) == "Central Asia"]
    routes = ca[["outlet_id", "via_outlet_id"]].apply(lambda r: {r["outlet_id"], r["via_outlet_id"]}, axis=1)
    independent = ca[[not (r & CN_RU_ROUTES) for r in routes]]
    by_trip = independent["event_id"].value_counts()
    assert by_trip.get("trip-2022-09", 0) >= 5 and by_trip.get("trip-2024-07", 0) >= 5, by_trip.to_dict()
    assert len(independent) > len(ca) / 2
    # each new voice is sourced, dated like its document and within the quotation limit
    src = data.load("sources").set_index("source_id")
    for _, row in independent.iterrows():
        assert str(src.loc[row["source_id"], "date"]).startswith(str(row["date"])[:4]), row["statement_id"]
        if row["text_kind"] == "quote":
            assert data.sentence_count(row["text"]) <= data.QUOTE_MAX_SENTENCES


def test_central_asian_analysts_in_central_asian_outlets_count_as_reaching_the_collection_directly(statements):
    from helpers import views as vw

    kinds = data.load("outlet_kinds")
    table = vw.statements_table(
        statements, kinds, data.load("view_events"), data.load("codebook_topics"), data.load("codebook_levels")
    )
    new = table[table["statement_id"].isin([f"st-12{i}" for i in range(5)])]
    assert len(new) == 5
    assert (new["region"] == "Central Asia").all()
    assert (vw.route(new) == "via Central Asian outlets").all()
    # in the collection as a whole, more Central Asian statements now arrive directly than through Chinese state media
    rows = data.primary(table[table["region"] == "Central Asia"])
    routes = vw.route(rows).value_counts()
    assert routes["via Central Asian outlets"] > routes["via Chinese state media"]


# --- cite what is stated (chapters 2, 5, 6) --------------------------------------------------------

#: Sentences of the chapters' own text (markdown cells and prose in code cells) that state a fact
#: from outside the project, each with the source id it must cite.
CITED = [
    ("02_xi_trips", "Silk Road Economic Belt", "usc-2013-09-07-xi-astana-speech"),
    ("02_xi_trips", "2025 Astana summit", "pakistantoday-2025-06-13-xi-astana-announced"),
    ("02_xi_trips", "Tajikistan's presidency lists 29", "presidenttj-2024-07-05-signing"),
    ("02_xi_trips", "Kremlin aide announced 24", "sputnik-2024-07-03-putin-astana"),
    ("05_analyst_views", "a state-run outlet", "wikipedia-china-internet-information-center"),
    ("06_claims_vs_data", "3,716 square kilometres", "gao2010"),
    ("06_claims_vs_data", "Xinhua backgrounder", "xinhua-2015-07-09-sco-backgrounder"),
    ("06_claims_vs_data", "scanned Table 1", "gao2010"),
    ("06_claims_vs_data", "plausibly have carried", "xiao2022"),
]


def _chapter_text(name):
    import nbformat

    from helpers import paths

    return "\n".join(c.source for c in nbformat.read(paths.notebooks_dir() / f"{name}.ipynb", 4).cells)


@pytest.mark.parametrize("chapter,phrase,source_id", CITED)
def test_the_chapters_cite_what_they_state(chapter, phrase, source_id, sources):
    text = _chapter_text(chapter)
    [sentence] = [s for s in re.split(r"(?<=\.)\s+(?=[A-Z])|\n", text) if phrase in s][:1]
    assert f"`{source_id}`" in sentence, sentence
    assert source_id in set(sources["source_id"])


@pytest.mark.parametrize("chapter", ["02_xi_trips", "05_analyst_views", "06_claims_vs_data"])
def test_every_source_id_the_chapters_quote_resolves(chapter, sources):
    known = set(sources["source_id"]) | set(data.load("country_stats")["stat_id"])  # a data row named as such
    quoted = set(re.findall(r"`([a-z][a-z0-9]*(?:-[a-z0-9]+)+)`", _chapter_text(chapter)))
    looks_like_source = {
        q for q in quoted if re.search(r"(19|20)\d\d", q) and not q.startswith(("s00", "xi-", "trip-"))
    }
    assert looks_like_source <= known, looks_like_source - known
