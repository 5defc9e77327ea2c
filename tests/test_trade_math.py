"""The trade chapter's arithmetic, on cases worked by hand.

Each expected value is computed in the comment beside it, not by the code
under test, so a wrong formula fails here.
"""

import math

import pandas as pd
import pytest

from helpers import trade


def frame(rows):
    cols = [
        "row_id",
        "year",
        "period",
        "partner_iso3",
        "reporter_iso3",
        "basis",
        "flow",
        "value",
        "unit",
        "estimate",
        "variant_of",
        "source_id",
        "notes",
    ]
    df = pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)
    df["value"] = df["value"].astype("Float64")
    df["year"] = df["year"].astype("Int64")
    return df


ROWS = [
    # China-reported: KAZ 2020 total 2 billion, 2022 total 3.1 billion; KGZ in USD million
    ("a", 2020, "annual", "KAZ", "CHN", "x", "total", 2.0, "USD billion", False, None, "s", None),
    ("b", 2022, "annual", "KAZ", "CHN", "x", "total", 3.1, "USD billion", False, None, "s", None),
    ("c", 2020, "annual", "KGZ", "CHN", "x", "total", 500.0, "USD million", False, None, "s", None),
    # 2022 KGZ given only as two flows: exports 600 + imports 150 = total 750
    ("d", 2022, "annual", "KGZ", "CHN", "x", "china_exports", 600.0, "USD million", False, None, "s", None),
    ("e", 2022, "annual", "KGZ", "CHN", "x", "china_imports", 150.0, "USD million", False, None, "s", None),
    # partner-reported KAZ 2022: 2.4 billion (mirror gap 700 million)
    ("f", 2022, "annual", "KAZ", "KAZ", "y", "total", 2.4, "USD billion", False, None, "s", None),
    # a variant reading and a half-year and a yuan figure: never in the series
    ("g", 2022, "annual", "KAZ", "CHN", "x", "total", 9.9, "USD billion", False, "b", "s", None),
    ("h", 2021, "jan-jun", "KAZ", "CHN", "x", "total", 1.0, "USD billion", False, None, "s", None),
    ("i", 2021, "annual", "KAZ", "CHN", "x", "total", 12.0, "CNY billion", False, None, "s", None),
    # yearbook unit: 10 thousand USD; 1,234,500 x 0.01 = 12,345 USD million
    ("j", 2019, "annual", "KAZ", "CHN", "x", "total", 1234500.0, "USD 10 thousand", False, None, "s", None),
]


def test_units_convert_to_usd_million_and_yuan_is_left_out():
    df = trade.to_usd_million(frame(ROWS)).set_index("row_id")
    assert df.loc["a", "usd_m"] == 2000.0  # 2.0 billion
    assert df.loc["j", "usd_m"] == pytest.approx(12345.0)  # 1,234,500 x 10,000 USD
    assert pd.isna(df.loc["i", "usd_m"])  # yuan: no silent exchange rate


def test_an_unknown_unit_is_refused():
    bad = frame([("z", 2020, "annual", "KAZ", "CHN", "x", "total", 1.0, "EUR million", False, None, "s", None)])
    with pytest.raises(ValueError, match="EUR million"):
        trade.to_usd_million(bad)


def test_series_keeps_gaps_skips_variants_half_years_and_yuan():
    s = trade.series(frame(ROWS), reporter="china", flow="total", partners=["KAZ", "KGZ"], years=range(2019, 2023))
    assert s.loc[2022, "KAZ"] == 3100.0  # not the variant 9.9 billion
    assert math.isnan(s.loc[2021, "KAZ"])  # half-year and yuan rows do not fill 2021
    assert s.loc[2022, "KGZ"] == 750.0  # 600 + 150 from the two flows
    assert math.isnan(s.loc[2021, "KGZ"])  # a gap stays a gap


def test_balance_is_exports_minus_imports():
    s = trade.series(frame(ROWS), reporter="china", flow="balance", partners=["KGZ"])
    assert s.loc[2022, "KGZ"] == 450.0  # 600 - 150


def test_regional_total_needs_every_member():
    table = pd.DataFrame({"KAZ": [10.0, 20.0], "KGZ": [5.0, float("nan")]}, index=[2020, 2021])
    tot = trade.regional_total(table, ["KAZ", "KGZ"])
    assert tot.loc[2020, "total"] == 15.0
    assert math.isnan(tot.loc[2021, "total"])  # KGZ missing: no "regional" total
    assert tot.loc[2021, "partial_total"] == 20.0
    assert tot.loc[2021, "members_with_data"] == 1


def test_shares_add_to_100_in_complete_years():
    table = pd.DataFrame({"KAZ": [30.0], "KGZ": [10.0], "UZB": [10.0]}, index=[2023])
    sh = trade.shares(table, ["KAZ", "KGZ", "UZB"])
    assert sh.loc[2023, "KAZ"] == pytest.approx(60.0)  # 30 / 50
    assert sh.loc[2023].sum() == pytest.approx(100.0)


def test_growth_and_cagr_by_hand():
    g = trade.growth(2.56, 3.93)
    assert g["percent"] == pytest.approx(53.515625)  # 3.93 / 2.56 = 1.53515625
    assert trade.cagr(100, 121, 2) == pytest.approx(10.0)  # 1.1 ** 2 = 1.21
    assert trade.cagr(100, 800, 3) == pytest.approx(100.0)  # 2 ** 3 = 8
    with pytest.raises(ValueError):
        trade.cagr(0, 10, 3)
    with pytest.raises(ValueError):
        trade.growth(0, 10)


def test_index_to_base_year():
    table = pd.DataFrame({"KAZ": [50.0, 100.0, 150.0], "TJK": [float("nan"), 4.0, 8.0]}, index=[2000, 2001, 2002])
    idx = trade.index_to(table, 2001)
    assert idx.loc[2002, "KAZ"] == pytest.approx(150.0)  # 150 / 100 x 100
    assert idx.loc[2000, "KAZ"] == pytest.approx(50.0)
    assert idx.loc[2002, "TJK"] == pytest.approx(200.0)  # 8 / 4 x 100
    with pytest.raises(trade.TradeDataError, match="base year 1999"):
        trade.index_to(table, 1999)


def test_mirror_gap_by_hand():
    gap = trade.mirror_gap(frame(ROWS), flow="total", partners=["KAZ", "KGZ"])
    assert len(gap) == 1  # only KAZ 2022 has both sides
    row = gap.iloc[0]
    assert (row["partner"], row["year"]) == ("KAZ", 2022)
    assert row["gap"] == pytest.approx(700.0)  # 3100 - 2400
    assert row["gap_pct"] == pytest.approx(29.1666667)  # 700 / 2400
    assert row["ratio"] == pytest.approx(3100 / 2400)


def test_spans_read_like_a_person_wrote_them():
    assert trade.spans([1992, 1993, 1994, 1998, 2000, 2001]) == "1992-1994, 1998, 2000-2001"
    assert trade.spans([]) == "none"


# --- issue 16/18: the run's basis, two series of one figure, IMF fill-ins, targets -------------


def test_basis_uses_china_unless_the_partner_is_asked_for_or_china_has_nothing():
    china = pd.DataFrame({"KAZ": [1.0, 2.0], "UZB": [float("nan")] * 2}, index=[2020, 2021])
    partner = pd.DataFrame({"KAZ": [0.5, 1.0], "UZB": [3.0, 4.0]}, index=[2020, 2021])
    table, sides = trade.basis_table(china, partner, "both")
    assert sides == {"KAZ": "china", "UZB": "partner"}  # UZB: China has no figure in the window
    assert table.loc[2021, "KAZ"] == 2.0 and table.loc[2021, "UZB"] == 4.0
    _, sides = trade.basis_table(china, partner, "partner")
    assert sides == {"KAZ": "partner", "UZB": "partner"}
    _, sides = trade.basis_table(china, partner, "china")
    assert sides == {"KAZ": "china", "UZB": "china"}  # asked for China's: a gap stays a gap


def test_a_variant_beyond_one_percent_is_listed_with_its_difference():
    df = frame(ROWS + [("k", 2020, "annual", "KAZ", "CHN", "x", "total", 2.01, "USD billion", False, "a", "t", None)])
    table, compared = trade.series_disagreements(df, partners=["KAZ"], years=range(2019, 2023))
    assert compared == 2  # g (variant of b) and k (variant of a)
    assert list(table["variant_source"]) == ["s"]  # k: 2,010 vs 2,000 = +0.5%, within rounding
    assert table.iloc[0]["difference_percent"] == pytest.approx((9900 - 3100) / 3100 * 100)  # g: 9.9 vs 3.1 bn


def test_imf_fill_ins_are_never_partner_figures_but_are_shown_as_artefacts():
    rows = ROWS + [
        (
            "m",
            2020,
            "annual",
            "KAZ",
            "KAZ",
            "IMF DOTS, Kazakhstan as reporter",
            "total",
            1.887,
            "USD billion",
            False,
            None,
            "imf",
            None,
        ),
    ]
    df = frame(rows)
    df["excluded"] = pd.array(
        [None] * (len(rows) - 1) + ["database artefact: China's figure divided by 1.06"], dtype="string"
    )
    assert (
        pd.isna(trade.series(df, reporter="partner", flow="total", partners=["KAZ"]).loc[2022:2022, "KAZ"]).sum() == 0
    )
    assert 2020 not in trade.series(df, reporter="partner", flow="total", partners=["KAZ"])["KAZ"].dropna().index
    art = trade.imf_artefacts(df, flow="total", partners=["KAZ"], years=range(2019, 2023))
    assert list(art["year"]) == [2020]
    assert art.iloc[0]["ratio"] == pytest.approx(2000 / 1887)  # China 2 bn / IMF fill-in 1.887 bn = 1.06
    assert "1.06" in art.iloc[0]["kind"]


def test_target_status_met_missed_on_track_and_without_deadline():
    s = pd.Series([10.0, 12.0, 15.0], index=[2020, 2021, 2022])
    assert trade.target_status(s, 14.0, 2020, 2025)["status"] == "met in 2022"
    assert trade.target_status(s, 20.0, 2020, 2022)["status"].startswith("missed (2022: 75%")  # 15 / 20
    # 10 -> 15 over two years is 22.5% a year; two more years give 15 * 1.5 = 22.5 >= 20: on track
    assert trade.target_status(s, 20.0, 2020, 2024)["status"].startswith("on track (2022: 75%")
    # one more year gives 18.4 < 20: behind
    assert trade.target_status(s, 20.0, 2020, 2023)["status"].startswith("behind")
    assert trade.target_status(s, 20.0, 2020, None)["status"].startswith("not yet met")
    assert trade.target_status(s, 20.0, 2023, 2030)["status"] == "no figure"


def test_gap_summary_gives_median_range_and_latest():
    gap = pd.DataFrame({"partner": ["KGZ"] * 3, "year": [2020, 2021, 2022], "ratio": [2.0, 5.0, 3.0]})
    row = trade.gap_summary(gap).iloc[0]
    assert (row["median_ratio"], row["lowest_in"], row["highest_in"], row["latest_ratio"]) == (3.0, 2020, 2021, 3.0)
