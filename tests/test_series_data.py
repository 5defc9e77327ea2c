"""Series and corrections from issue 18 (non-trade): WDI population and GDP, the Energy
Institute's pipeline gas to China, trade targets, and the rows corrected in review."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from helpers import data, pipelines
from helpers.core.data import DataValidationError


def _edit(folder, table, key_col, key, column, value):
    """Set one cell of a CSV copy, finding the row by its key."""
    path = folder / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0].keys())
    hit = [r for r in rows if r[key_col] == key]
    assert hit, f"{table}: no row {key}"
    hit[0][column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --- World Bank WDI --------------------------------------------------------------

POP_YEARS = range(1992, 2025)
GDP_YEARS = range(1992, 2024)
#: Years the WDI copy read has no GDP value for (named in the source note and the resource description).
WDI_GDP_GAPS = {("IRN", 1992)}


def _sco_members_ever() -> set[str]:
    m = data.load("sco_membership")
    return set(m[(m["organisation"] == "sco") & (m["status"] == "member")]["country_iso3"])


def test_wdi_table_validates_and_names_only_known_countries():
    wdi = data.load("wdi_indicators")
    codes = set(data.load("countries")["iso3"])
    assert set(wdi["iso3"]) - codes == {"WLD"}
    assert set(wdi["indicator"]) == {"population", "gdp_current_usd"}
    assert set(wdi["source_id"]) == {"wb-wdi-sp-pop-totl", "wb-wdi-ny-gdp-mktp-cd"}


@pytest.mark.parametrize(
    "indicator, years, gaps",
    [
        ("population", POP_YEARS, set()),
        ("gdp_current_usd", GDP_YEARS, WDI_GDP_GAPS),
    ],
)
def test_wdi_has_every_year_for_the_world_and_every_sco_member(indicator, years, gaps):
    wdi = data.load("wdi_indicators")
    wdi = wdi[wdi["indicator"] == indicator]
    members = _sco_members_ever()
    assert {"CHN", "RUS", "KAZ", "KGZ", "TJK", "UZB", "IND", "PAK", "IRN", "BLR"} <= members
    for iso3 in sorted(members | {"WLD"}):
        have = set(wdi[wdi["iso3"] == iso3]["year"].astype(int))
        missing = {(iso3, y) for y in years} - {(iso3, y) for y in have}
        assert missing <= gaps, f"{indicator}: no value for {sorted(missing - gaps)}"
        assert max(have) == max(years), (iso3, indicator)


def test_wdi_members_are_smaller_than_the_world():
    wdi = data.load("wdi_indicators")
    world = wdi[wdi["iso3"] == "WLD"].set_index(["indicator", "year"])["value"]
    members = wdi[wdi["iso3"].isin(_sco_members_ever())].groupby(["indicator", "year"])["value"].sum()
    share = (members / world).dropna()
    assert len(share) == len(POP_YEARS) + len(GDP_YEARS)
    assert share.between(0.05, 0.6).all(), share[~share.between(0.05, 0.6)]
    # the ten members' population share: about 40-45% of the world
    assert 0.38 < share[("population", 2024)] < 0.47


def test_wdi_values_match_published_spot_checks():
    """Values read on independent pages (see the resource description), at the precision printed there."""
    wdi = data.load("wdi_indicators").set_index(["iso3", "indicator", "year"])["value"]
    assert round(wdi[("KGZ", "population", 2000)], -2) == 4_898_400
    assert round(wdi[("KGZ", "population", 2005)], -2) == 5_162_600
    assert round(wdi[("RUS", "gdp_current_usd", 2014)] / 1e12, 2) == 2.06  # reported as 2.05 tn
    assert round(wdi[("WLD", "gdp_current_usd", 2023)] / 1e12) == 105


def test_a_wdi_value_in_the_wrong_unit_or_twice_is_refused(data_copy):
    _edit(data_copy, "wdi_indicators", "row_id", "wdi-pop-chn-2001", "unit", "USD")
    with pytest.raises(DataValidationError, match="population is in persons, not 'USD'"):
        data.load("wdi_indicators", data_dir=data_copy)
    _edit(data_copy, "wdi_indicators", "row_id", "wdi-pop-chn-2001", "unit", "persons")
    _edit(data_copy, "wdi_indicators", "row_id", "wdi-pop-chn-2001", "year", "2002")
    with pytest.raises(DataValidationError, match="a second population value for CHN 2002"):
        data.load("wdi_indicators", data_dir=data_copy)


# --- pipeline gas to China ---------------------------------------------------------


def test_ei_series_covers_2000_to_2023_on_its_own_basis():
    gas = data.load("gas_pipeline_trade")
    ei = gas[gas["source_id"] == "ei-statreview-2024-gas-trade"]
    assert sorted(ei["year"].astype(int)) == list(range(2000, 2024))
    assert set(ei["basis"]) == {"ei_standardised_40mj"} and set(ei["unit"]) == {"bcm"}
    assert set(ei["exporter"]) == {"OTHER_CIS"} and set(ei["pipeline_id"]) == {"cacgp"}
    assert (ei[ei["year"] < 2010]["value"] == 0).all() and (ei[ei["year"] >= 2010]["value"] > 0).all()


def test_ei_runs_below_the_operator_by_a_standardisation_margin():
    """EI's bcm at 40 MJ/m3 run some 5-10% below the operator's cubic metres; never above them."""
    gas = data.load("gas_pipeline_trade")
    ei = gas[gas["basis"] == "ei_standardised_40mj"].set_index("year")["value"]
    vols = pipelines.annual_volumes(data.load("pipeline_volumes"), data.load("pipelines"), "native", "gas")
    op = vols[vols["pipeline_id"] == "cacgp"].set_index("year")["value"]
    both = sorted(set(ei.index) & set(op.index))
    assert len(both) >= 3, both
    for year in both:
        ratio = float(ei[year]) / float(op[year])
        assert 0.85 < ratio < 1.0, (year, ratio)


def test_gas_rows_in_tonnes_are_customs_mass_only(data_copy):
    _edit(data_copy, "gas_pipeline_trade", "row_id", "tkm-chn-2021-turkmen", "unit", "Mt")
    with pytest.raises(DataValidationError, match="tonnes go with customs_mass only"):
        data.load("gas_pipeline_trade", data_dir=data_copy)


def test_turkmen_volumes_each_cite_their_own_source():
    gas = data.load("gas_pipeline_trade")
    tkm = gas[gas["exporter"] == "TKM"]
    assert len(tkm) >= 3
    assert tkm["source_id"].is_unique
    assert not tkm["source_id"].str.startswith("ei-").any()


# --- rows corrected in review (issue 18, item 3) ------------------------------------


def test_bbs_capacity_is_a_change_over_time_and_the_current_figure_is_drawn():
    facts = data.load("pipeline_facts")
    cap = facts[(facts["pipeline_id"] == "bbs") & (facts["attribute"] == "design_capacity")]
    actual = cap[~cap["planned"]]
    # no 10 bcm reading is stored as a disagreement with the 6 bcm interim stage
    assert actual["variant_of"].isna().all(), actual[actual["variant_of"].notna()]["fact_id"].tolist()
    assert set(actual["value"].astype(float)) == {6.0, 10.0}
    latest = pipelines.latest_reading(facts, "bbs", "design_capacity")
    assert float(latest["value"]) == 10 and latest["as_of"] >= "2018"
    dated = actual.dropna(subset=["as_of"]).sort_values("as_of")
    assert list(dated["value"].astype(float)) == sorted(dated["value"].astype(float)), "capacity only grew"
    summary = pipelines.summary(data.load("pipelines"), facts, "gas").set_index("pipeline")
    assert summary.loc["Beineu-Bozoi-Shymkent", "capacity"] == "10 bcm/year"


def test_atasu_alashankou_lengths_keep_every_published_figure():
    facts = data.load("pipeline_facts")
    length = facts[(facts["pipeline_id"] == "kcop-atasu-alashankou") & (facts["attribute"] == "length_km")]
    assert {962.0, 988.0, 998.0, 1000.0} <= set(length["value"].astype(float))
    drawn = data.primary(length)
    assert set(drawn["value"].astype(float)) == {962.0}
    others = length[length["variant_of"].notna()]
    assert others["source_id"].is_unique and len(others) >= 3


def test_the_2006_restatement_of_the_2004_credit_is_a_variant():
    fin = data.load("finance_facts").set_index("fact_id")
    assert fin.loc["sco-2004-buyers-credit-900m-d", "variant_of"] == "sco-2004-buyers-credit-900m-a"
    # a sum over the pledges the project draws counts the 900 million once for 2006
    drawn = data.primary(data.load("finance_facts"))
    assert not (drawn["date"].str.startswith("2006") & (drawn["amount"] == 900)).any()


def test_the_1992_central_asia_total_rests_on_an_attributed_source():
    agg = data.load("trade_aggregates").set_index("row_id")
    head = agg.loc["chn-ca5-1992-total"]
    assert head["source_id"] != "dd888s-ca-30yrs" and pd.isna(head["variant_of"])
    assert (head["value"], head["unit"]) == (460, "USD million")
    readings = agg[agg["variant_of"] == "chn-ca5-1992-total"]
    assert "dd888s-ca-30yrs" in set(readings["source_id"])
    assert "chinatoday-2014-02-07-ca-trade" in set(readings["source_id"])
    primary_1992 = data.primary(data.load("trade_aggregates")).query("year == 1992 and period == 'annual'")
    assert "dd888s-ca-30yrs" not in set(primary_1992["source_id"])


# --- trade targets -------------------------------------------------------------------


def test_every_target_is_sourced_and_due_after_it_was_announced():
    targets = data.load("trade_targets")
    sources = set(data.load("sources")["source_id"])
    assert set(targets["source_id"]) <= sources
    partners = set(data.load("countries")["iso3"]) | {"CA5"}
    assert set(targets["partner"]) <= partners
    assert {"KAZ", "UZB", "KGZ", "TJK", "CA5"} <= set(targets["partner"])
    dated = targets.dropna(subset=["deadline_year"])
    assert len(dated) >= 7
    for _, t in dated.iterrows():
        assert int(t["deadline_year"]) > int(t["announced_date"][:4]), t["target_id"]
    undated = targets[targets["deadline_year"].isna()]
    assert undated["notes"].str.startswith("No deadline").all()
    assert (targets["as_printed"].str.split().str.len() <= 25).all()


def test_the_central_asia_target_is_the_2022_one():
    t = data.load("trade_targets").set_index("target_id").loc["ca5-2022-usd70bn-by-2030"]
    assert (t["announced_date"], t["value"], t["unit"], t["deadline_year"]) == ("2022-01-25", 70, "USD billion", 2030)


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("deadline_year", "2010", "is not after the announcement"),
        ("as_printed", " ".join(["word"] * 26), "quotes 26 words; at most 25"),
        ("deadline_year", "", "no deadline_year: say 'No deadline year given'"),
    ],
)
def test_a_bad_target_row_is_refused(data_copy, column, value, message):
    _edit(data_copy, "trade_targets", "target_id", "tjk-2014-usd3bn-in-5-years", column, value)
    with pytest.raises(DataValidationError, match=message):
        data.load("trade_targets", data_dir=data_copy)
