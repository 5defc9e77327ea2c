"""The trade tables: seed 004's Table 1 against its corrections, and the data's own rules."""

from __future__ import annotations

import pytest

from helpers import data, parameters
from helpers import trade as tr


@pytest.fixture(scope="module")
def t1():
    return data.load("gao2010_table1_raw"), data.load("gao2010_table1_clean"), data.load("trade")


def test_clean_table1_has_every_printed_cell_once(t1):
    raw, clean, _ = t1
    assert len(raw) == 55 == len(clean)  # 5 rows x 11 years
    merged = raw.merge(clean, on=["partner_iso3", "year"], suffixes=("_raw", "_clean"))
    assert (merged["printed_raw"] == merged["printed_clean"]).all()


def test_each_correction_is_what_it_says(t1):
    _, clean, _ = t1
    for _, row in clean.iterrows():
        printed, value = row["printed"], float(row["value"])
        if row["correction"] == "none":
            assert float(printed) == value, (row["partner_iso3"], row["year"])
        else:  # decimal_restored: the same digits, with the point put back
            digits = printed.replace(".", "")
            assert f"{value:g}".replace(".", "").rstrip("0") == digits.rstrip("0"), (row["partner_iso3"], row["year"])
            assert value < float(printed)


def test_known_ocr_cells(t1):
    _, clean, _ = t1
    c = clean.set_index(["partner_iso3", "year"])
    assert c.loc[("RUS", 1996), "value"] == 68.5  # printed 685
    assert c.loc[("KAZ", 2006), "value"] == 83.58  # printed 8358
    assert c.loc[("RUS", 2001), "correction"] == "none"  # 106.7 as printed
    assert (clean["correction"] == "decimal_restored").sum() == 10


def test_every_check_row_is_a_china_reported_total_for_that_cell(t1):
    _, clean, trade = t1
    rows = trade.set_index("row_id")
    for _, row in clean.dropna(subset=["check_row_id"]).iterrows():
        ref = rows.loc[row["check_row_id"]]
        assert (ref["partner_iso3"], int(ref["year"]), ref["reporter_iso3"], ref["flow"], ref["period"]) == (
            row["partner_iso3"],
            int(row["year"]),
            "CHN",
            "total",
            "annual",
        )


def test_corrected_cells_agree_with_their_checks(t1):
    raw, clean, trade = t1
    chk = tr.table1_check(raw, clean, trade).set_index(["partner_iso3", "year"])
    for cell in [("RUS", 1998), ("RUS", 2002), ("RUS", 2004), ("RUS", 2006), ("KAZ", 2006)]:
        assert chk.loc[cell, "verdict"] == "agrees", cell
    assert chk.loc[("KGZ", 2005), "verdict"] == "disagrees"  # 7.01 printed vs 9.72 (MFA profile)


def test_partner_rows_name_the_partner_and_flows_are_chinas(t1):
    _, _, trade = t1
    partner_rows = trade[trade["reporter_iso3"] != "CHN"]
    assert (partner_rows["partner_iso3"] == partner_rows["reporter_iso3"]).all()
    assert (trade["partner_iso3"] != "CHN").all()


def test_no_two_drawn_rows_give_the_same_figure(t1):
    _, _, trade = t1
    rows = tr.usable(trade)
    dup = rows.duplicated(subset=["year", "period", "partner_iso3", "reporter_iso3", "flow"], keep=False)
    assert not dup.any(), rows[dup][["row_id", "year", "partner_iso3", "flow"]].to_string()


def test_excluded_rows_never_reach_a_series(t1):
    _, _, trade = t1
    s = tr.series(trade, reporter="partner", flow="total", partners=["KGZ"])
    # the "$5.4 million" unit slip never becomes the 2023 total; the NSC's two flows give it instead
    rows = trade.set_index("row_id")
    nsc = (rows.loc["kgz-rep-2023-exp-nsc", "value"] + rows.loc["kgz-rep-2023-imp-nsc", "value"]) / 1000
    assert s.loc[2023, "KGZ"] == pytest.approx(nsc) and s.loc[2023, "KGZ"] > 1000
    assert rows.loc["kgz-rep-2023-total", "excluded"].startswith("unit slip")


def test_seed_claims_match_the_data():
    trade, agg = data.load("trade"), data.load("trade_aggregates")
    china = tr.series(trade, reporter="china", flow="total", partners=list(tr.CENTRAL_ASIA))
    assert china.loc[2023, "KAZ"] == 41000.0  # seed 003: "a record $41 billion"
    share = tr.shares(china, tr.CENTRAL_ASIA).loc[2023, "KAZ"]
    assert 45 < share < 50  # "nearly half"
    pub = tr.published_totals(agg).set_index("year")
    assert pub.loc[2023, "usd_m"] == pytest.approx(89400.0)  # "bordered on $90 billion"


def test_an_empty_window_names_the_country_and_its_years():
    # China-reported series are now complete from 1992; Turkmenistan's own figures are not
    # (IMF's "Turkmen-reported" 2004-2019 series is China's figure x 1.06 and is excluded)
    bad = dict(
        countries=["TKM"], start_year=2005, end_year=2015, flow="total", reporter="partner", scale="log", base_year=2005
    )
    with pytest.raises(parameters.ParameterError) as info:
        parameters.validate("03_trade", bad)
    msg = str(info.value)
    assert "'countries' = 'TKM'" in msg and "2005-2015" in msg and "TKM has data in: 1995-2003, 2020" in msg


def test_window_and_base_year_must_make_sense():
    ok = dict(
        countries=["KAZ"], start_year=2000, end_year=2020, flow="total", reporter="china", scale="log", base_year=2010
    )
    parameters.validate("03_trade", ok)
    with pytest.raises(parameters.ParameterError, match="end_year"):
        parameters.validate("03_trade", {**ok, "end_year": 1999})
    with pytest.raises(parameters.ParameterError, match="base_year"):
        parameters.validate("03_trade", {**ok, "base_year": 2021})
    with pytest.raises(parameters.ParameterError, match="flow"):
        parameters.validate("03_trade", {**ok, "flow": "net"})
