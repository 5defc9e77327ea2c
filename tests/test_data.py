"""The data layer: every table validates, and damage is reported precisely."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from conftest import ROOT, edit_cell, load_error
from helpers import data, datadict, maps, sco
from helpers.core.data import DataValidationError


def test_every_table_validates():
    tables = data.validate_all()
    # every CSV in data/ is declared in the package, and every declared table exists
    assert set(tables) == {p.stem for p in (ROOT / "data").glob("*.csv")}
    assert all(len(frame) > 0 for frame in tables.values())


def test_types_are_proper():
    events = data.load("sco_events")
    assert isinstance(events["date"].iloc[0], dt.date)
    assert str(events["event_type"].dtype) == "string"


def test_every_source_has_a_url_and_is_used():
    sources = data.load("sources")
    no_url = sources[sources["url"].isna()]
    assert no_url["licence_note"].str.startswith("No URL:").all()
    assert len(no_url) <= 1, f"only the unnamed seed 003 lacks a URL: {list(no_url['source_id'])}"
    assert sources["url"].dropna().str.match(r"https?://").all()
    used, notes = set(), []
    for name in data.table_names():
        frame = data.load(name)
        if "source_id" in frame.columns and name != "sources":
            used |= set(frame["source_id"].dropna())
        if "notes" in frame.columns:
            notes += list(frame["notes"].dropna())
    # a source named in a row's notes (a cross-check, a second report) is cited too
    text = " ".join(notes)
    used |= {sid for sid in sources["source_id"] if sid in text}
    used.add(maps.BOUNDARIES_SOURCE)  # the base map cites its boundaries in every map's source line
    # a source a chapter cites in its prose (a methodological reference, a fact stated in a sentence)
    prose = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "notebooks").glob("*.ipynb")))
    used |= {sid for sid in sources["source_id"] if f"`{sid}`" in prose}
    unused = set(sources["source_id"]) - used
    assert not unused, f"sources no table or chapter cites: {sorted(unused)}"


def test_a_bad_enum_value_names_file_line_and_column(data_copy):
    edit_cell(data_copy, "sco_membership", 1, "status", "founder")
    msg = load_error(data_copy, "sco_membership")
    assert "sco_membership.csv, line 3 (data row 2), column 'status'" in msg
    assert "'founder' is not one of: member, observer, dialogue_partner, partner" in msg


def test_an_unknown_source_is_reported(data_copy):
    edit_cell(data_copy, "sco_events", 0, "source_id", "made-up-source")
    msg = load_error(data_copy, "sco_events")
    assert "line 2 (data row 1), column 'source_id': 'made-up-source' does not resolve in sources.source_id" in msg


def test_bad_dates_and_implausible_years_are_reported(data_copy):
    edit_cell(data_copy, "sco_events", 2, "date", "2001-13-45")
    edit_cell(data_copy, "sco_events", 3, "date", "1890-01-01")
    msg = load_error(data_copy, "sco_events")
    assert "line 4 (data row 3), column 'date': '2001-13-45' is not a calendar date" in msg
    assert "line 5 (data row 4), column 'date': 1890-01-01 is below the plausible minimum 1989-01-01" in msg


def test_a_repeated_key_is_reported(data_copy):
    first = data.load("sco_events")["event_id"].iloc[0]
    edit_cell(data_copy, "sco_events", 1, "event_id", first)
    assert f"line 3 (data row 2), column 'event_id': '{first}' repeats" in load_error(data_copy, "sco_events")


def test_a_missing_column_is_reported(data_copy):
    path = data_copy / "countries.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:-1]) for line in lines) + "\n", encoding="utf-8")
    assert "countries.csv, line 1: columns do not match the schema; missing: source_id" in load_error(
        data_copy, "countries"
    )


def test_overlapping_and_reversed_spells_are_reported(data_copy):
    members = data.load("sco_membership", data_dir=data_copy)
    # make a closed spell end before it starts
    closed = members.index[members["end_date"].notna()][0]
    edit_cell(data_copy, "sco_membership", closed, "end_date", "1996-01-02")
    msg = load_error(data_copy, "sco_membership")
    assert f"line {closed + 2} (data row {closed + 1}), column 'end_date': ends (1996-01-02) before it starts" in msg


def test_overlapping_spells_are_reported(data_copy):
    members = data.load("sco_membership", data_dir=data_copy)
    closed = members.index[(members["end_date"].notna()) & (members["organisation"] == "sco")][0]
    edit_cell(data_copy, "sco_membership", closed, "end_date", "")  # the observer spell never ends
    msg = load_error(data_copy, "sco_membership")
    assert "spell starts" in msg and "before the spell on data row" in msg


def test_a_damaged_package_file_is_reported(data_copy):
    (data_copy / "datapackage.json").write_text("{ not json", encoding="utf-8")
    assert "datapackage.json, line 1: not valid JSON" in load_error(data_copy, "sources")


def test_the_data_dictionary_is_up_to_date():
    assert datadict.main(check=True) == 0, "run: python -m helpers datadict"


# --- wholes and parts ----------------------------------------------------------


def test_the_sco_founders_are_the_shanghai_five_plus_uzbekistan():
    m = data.load("sco_membership")
    founding = sco.milestones(data.load("sco_events")).query("event_type == 'founding'")["date"].min()
    five = set(sco.status_on(m[m["organisation"] == "shanghai_five"], founding - dt.timedelta(days=1))["country_iso3"])
    founders = set(sco.status_on(m[m["organisation"] == "sco"], founding)["country_iso3"])
    assert five == {"CHN", "KAZ", "KGZ", "RUS", "TJK"}
    assert founders == five | {"UZB"}


def test_every_enlargement_event_matches_new_member_spells():
    m = data.load("sco_membership")
    events = sco.primary(data.load("sco_events"))
    founding = events.query("event_type == 'founding'")["date"].min()
    joins = m[(m["organisation"] == "sco") & (m["status"] == "member") & (m["start_date"] > founding)]
    enlargements = events[events["event_type"] == "enlargement"]
    assert set(joins["start_date"]) <= set(enlargements["date"]) | {founding}
    assert set(enlargements["date"]) <= set(joins["start_date"]) | {founding}


def test_every_summit_host_was_a_member_at_the_time():
    m = data.load("sco_membership")
    for _, s in sco.summits(data.load("sco_events")).iterrows():
        if s["host_iso3"] is None or str(s["host_iso3"]) == "<NA>":
            continue
        current = sco.status_on(m, s["date"])
        members = set(current.loc[current["status"] == "member", "country_iso3"])
        assert s["host_iso3"] in members, (s["event_id"], s["host_iso3"])


def test_every_variant_row_disagrees_with_the_row_it_names():
    events = data.load("sco_events").set_index("event_id")
    variants = events[events["variant_of"].notna()]
    assert len(variants) > 0
    for event_id, v in variants.iterrows():
        main = events.loc[v["variant_of"]]
        assert main["event_type"] == v["event_type"], event_id
        assert pd.isna(main["variant_of"]), "a variant points at a primary row"
        assert (main["date"], main["source_id"]) != (v["date"], v["source_id"]), event_id
    assert len(sco.disagreements(data.load("sco_events"))) == len(variants)


def test_membership_decisions_precede_or_coincide_with_the_status():
    m = data.load("sco_membership").dropna(subset=["decided_at"])
    dates = data.load("sco_events").set_index("event_id")["date"]
    for _, row in m.iterrows():
        assert dates[row["decided_at"]] <= row["start_date"], (row["country_iso3"], row["decided_at"])


# --- one reading path: damage reads as file, line and column (issue 17) -------


def _write(folder, table, data: bytes):
    (folder / f"{table}.csv").write_bytes(data)


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "countries.csv: is empty; it needs a header line"),
        (b"iso3,name,m49_subregion,source_id\n", "countries.csv: has a header but no data rows"),
        (
            b'iso3,name,m49_subregion,source_id\nKAZ,"Kazakhstan,Central Asia,x\n',
            "countries.csv, line 2 (data row 1): is not valid CSV: a quoted value opened here is never closed",
        ),
        (
            b'iso3,name,m49_subregion,source_id\nKAZ,"Kaz"akhstan,Central Asia,x\n',
            "countries.csv, line 2 (data row 1): is not valid CSV: text after a closing quote",
        ),
        (
            b"iso3,name,m49_subregion,source_id\nKAZ,Kazakhstan,Central Asia,x,extra\n",
            "countries.csv, line 2 (data row 1): has 5 field(s) but the header has 4",
        ),
        (
            b"iso3,name,m49_subregion,source_id\nKAZ,Kazakhstan\n",
            "countries.csv, line 2 (data row 1), column 'm49_subregion': has 2 field(s) but the header has 4",
        ),
        (
            b"iso3,name,m49_subregion,source_id\nKAZ,Kaz\xffkhstan,Central Asia,x\n",
            "countries.csv, line 2 (data row 1), column 'name': byte 0xff is not UTF-8 text",
        ),
        ("iso3,name\n".encode("utf-16"), "countries.csv, line 1: is UTF-16 text; save it as UTF-8"),
        (
            b"iso3,name,m49_subregion,source_id\nKAZ,Kaz\x00,Central Asia,x\n",
            "countries.csv, line 2 (data row 1): contains a NUL byte",
        ),
    ],
)
def test_a_damaged_file_is_reported_with_file_line_and_column(data_copy, content, expected):
    _write(data_copy, "countries", content)
    assert expected in load_error(data_copy, "countries")


def test_a_deleted_table_or_a_folder_in_its_place_is_reported(data_copy):
    (data_copy / "countries.csv").unlink()
    assert "countries.csv: file not found" in load_error(data_copy, "countries")
    (data_copy / "countries.csv").mkdir()
    assert "countries.csv: is a folder, not a CSV file" in load_error(data_copy, "countries")
    (data_copy / "datapackage.json").unlink()
    assert "datapackage.json: file not found" in load_error(data_copy, "sources")


def test_excels_byte_order_mark_is_read_and_blank_lines_keep_line_numbers(data_copy):
    path = data_copy / "sco_events.csv"
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(lines))
    assert list(data.load("sco_events", data_dir=data_copy).columns) == list(data.load("sco_events").columns)
    # a blank line above a bad cell: the message names the line in the file
    lines.insert(2, b"")
    path.write_bytes(b"\n".join(lines))
    edit_cell(data_copy, "sco_events", 3, "date", "20x4-01-01")  # _edit rewrites without the blank line
    text = path.read_text(encoding="utf-8").split("\n")
    text.insert(2, "")
    path.write_text("\n".join(text), encoding="utf-8")
    assert "line 6 (data row 4), column 'date': '20x4-01-01' is not a date" in load_error(data_copy, "sco_events")


def test_the_validator_and_the_parameters_read_the_same_way(data_copy, monkeypatch):
    """A damaged table gives the same message from data.load and from the parameter layer."""
    from helpers import parameters

    monkeypatch.setenv("SCO_DATA_DIR", str(data_copy))
    edit_cell(data_copy, "sco_events", 5, "date", "20x4-01-01")
    parameters.clear_caches()
    with pytest.raises(DataValidationError) as info:
        parameters.sco_first_year()
    assert str(info.value) in load_error(data_copy, "sco_events")
