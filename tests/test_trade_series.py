"""The trade table's official series (issue 18): complete China-reported years, the partners' own
statistics, one primary row per figure, IMF database artefacts kept out of every series, and the
rows corrected in review."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from helpers import data, parameters
from helpers import trade as tr
from helpers.core.units import USD_MILLION_PER_UNIT

PARTNERS = ("KAZ", "KGZ", "TJK", "TKM", "UZB", "RUS")
#: source -> (reporter, first year, last year, flows it gives)
NATIONAL = {
    "kgz-nsc-trade-by-country": ("KGZ", 1994, 2023, ("china_exports", "china_imports")),
    "kaz-bns-trade-by-country": ("KAZ", 2018, 2023, ("china_exports", "china_imports", "total")),
    "uzb-stat-trade-by-country": ("UZB", 2010, 2023, ("china_exports", "china_imports")),
    "rus-fts-trade-by-country": ("RUS", 2006, 2021, ("china_exports", "china_imports")),
}


@pytest.fixture(scope="module")
def trade():
    return data.load("trade")


@pytest.fixture(scope="module")
def drawn(trade):
    """Usable annual rows with usd_m, as every chart and table reads them."""
    return tr.annual(trade)


def _value(drawn, partner, reporter, year, flow):
    sel = drawn[
        (drawn["partner_iso3"] == partner)
        & (drawn["reporter_iso3"] == reporter)
        & (drawn["year"] == year)
        & (drawn["flow"] == flow)
    ]
    assert len(sel) <= 1, sel["row_id"].tolist()
    return None if sel.empty else sel.iloc[0]


def _half_unit(row) -> float:
    """Half a unit of the last printed digit, in USD million (how far rounding can move a figure)."""
    exponent = Decimal(str(row["value"])).normalize().as_tuple().exponent
    return 0.5 * float(Decimal(10) ** exponent) * USD_MILLION_PER_UNIT[row["unit"]]


# --- the table as a whole --------------------------------------------------------------


def test_the_official_series_validate_and_cite_their_publisher(trade):
    sources = data.load("sources").set_index("source_id")
    official = ["imf-dots-2022", "nbs-customs-by-country", *NATIONAL]
    for sid in official:
        assert sources.loc[sid, "kind"] == "dataset"
        assert sources.loc[sid, "url"].startswith("https://")
        assert "copy" in sources.loc[sid, "licence_note"]  # says which reading copy was used
    rows = trade[trade["source_id"].isin(official)]
    assert len(rows) > 1000
    assert (rows["period"] == "annual").all()
    nbs = rows[rows["source_id"] == "nbs-customs-by-country"]
    assert set(nbs["unit"]) == {"USD 10 thousand"} and set(nbs["reporter_iso3"]) == {"CHN"}
    assert set(rows.loc[rows["source_id"] == "kgz-nsc-trade-by-country", "unit"]) == {"USD thousand"}
    for sid, (reporter, *_rest) in NATIONAL.items():
        assert set(rows.loc[rows["source_id"] == sid, "reporter_iso3"]) == {reporter}, sid


def test_every_variant_names_a_primary_row_about_the_same_figure(trade):
    rows = trade.set_index("row_id")
    same = ["partner_iso3", "reporter_iso3", "year", "period", "flow"]
    variants = rows[rows["variant_of"].notna()]
    assert len(variants) > 400
    for rid, v in variants.iterrows():
        main = rows.loc[v["variant_of"]]
        assert pd.isna(main["variant_of"]), f"{rid} points at a variant ({v['variant_of']})"
        assert [v[c] for c in same] == [main[c] for c in same], rid


def test_exactly_one_drawn_row_per_figure(drawn):
    key = ["year", "partner_iso3", "reporter_iso3", "flow"]
    dup = drawn[drawn.duplicated(subset=key, keep=False)]
    assert dup.empty, dup[["row_id", *key]].to_string()


# --- China's side ----------------------------------------------------------------------


def test_china_reported_totals_exist_for_every_partner_and_year_1992_2020():
    for partner in PARTNERS:
        years = set(parameters.trade_years(partner, "china", "total"))
        missing = sorted(set(range(1992, 2021)) - years)
        assert not missing, (partner, missing)
        assert set(range(1992, 2021)) <= set(parameters.trade_years(partner, "china", "balance")), partner


def test_customs_via_nbs_is_primary_for_every_partner_1998_2014(drawn):
    for partner in PARTNERS:
        for year in range(1998, 2015):
            for flow in ("total", "china_exports", "china_imports"):
                row = _value(drawn, partner, "CHN", year, flow)
                assert row is not None and row["source_id"] == "nbs-customs-by-country", (partner, year, flow)


def test_imf_is_primary_for_china_outside_the_nbs_years(drawn):
    for partner in PARTNERS:
        for year in [*range(1992, 1998), *range(2015, 2021)]:
            for flow in ("china_exports", "china_imports"):
                row = _value(drawn, partner, "CHN", year, flow)
                assert row is not None and row["source_id"] == "imf-dots-2022", (partner, year, flow)


def test_imf_and_nbs_agree_where_both_give_china_figures(trade):
    t = tr.to_usd_million(trade[trade["reporter_iso3"] == "CHN"])
    imf = t[t["source_id"] == "imf-dots-2022"].set_index(["partner_iso3", "year", "flow"])["usd_m"]
    nbs = t[t["source_id"] == "nbs-customs-by-country"].set_index(["partner_iso3", "year", "flow"])["usd_m"]
    both = imf.index.intersection(nbs.index)
    assert len(both) == 6 * 17 * 2
    gap = (imf[both] - nbs[both]).abs() / nbs[both]
    assert gap.median() < 0.005  # the same customs figures, two channels
    assert (gap < 0.05).mean() > 0.95


def test_china_reported_totals_equal_exports_plus_imports(drawn):
    """Where a total and both flows are drawn, the total is their sum: within the total's own
    rounding, and 0.1% when one source gives all three, or 2% when the total comes from another
    source than the flows (a press report of a first release beside a revised database)."""
    chn = drawn[drawn["reporter_iso3"] == "CHN"]
    checked = 0
    for (partner, year), g in chn.groupby(["partner_iso3", "year"]):
        f = g.set_index("flow")
        if not {"total", "china_exports", "china_imports"} <= set(f.index):
            continue
        total, exp, imp = f.loc["total"], f.loc["china_exports"], f.loc["china_imports"]
        flows = float(exp["usd_m"]) + float(imp["usd_m"])
        same = total["source_id"] == exp["source_id"] == imp["source_id"]
        tol = max(_half_unit(total), (0.001 if same else 0.02) * flows)
        assert abs(float(total["usd_m"]) - flows) <= tol, (partner, year, total["row_id"], float(total["usd_m"]), flows)
        checked += 1
    assert checked >= 6 * 17  # at least every NBS year


# --- the partners' side --------------------------------------------------------------


def test_partners_own_statistics_are_drawn_where_they_exist(drawn):
    for sid, (reporter, first, last, flows) in NATIONAL.items():
        for year in range(first, last + 1):
            for flow in flows:
                row = _value(drawn, reporter, reporter, year, flow)
                assert row is not None and row["source_id"] == sid, (sid, year, flow)


def test_imf_database_artefacts_are_never_partner_statistics(trade, drawn):
    imf = trade[(trade["source_id"] == "imf-dots-2022") & (trade["reporter_iso3"] != "CHN")]
    tkm = imf[(imf["reporter_iso3"] == "TKM") & imf["year"].between(2004, 2019)]
    uzb = imf[(imf["reporter_iso3"] == "UZB") & imf["year"].between(2000, 2017)]
    assert len(tkm) == 16 * 2 and len(uzb) == 18 * 2
    for rows, word in ((tkm, "1.06"), (uzb, "order of")):
        assert rows["excluded"].notna().all()
        assert rows["excluded"].str.contains(word).all()
        assert rows["excluded"].str.contains("never drawn as partner-reported").all()
    assert not set(tkm["row_id"]) & set(drawn["row_id"])
    assert not set(uzb["row_id"]) & set(drawn["row_id"])
    # nor do they count as years a partner publishes
    for flow in ("total", "exports", "imports", "balance"):
        assert not set(parameters.trade_years("TKM", "partner", flow)) & set(range(2004, 2020)), flow
    gap = tr.mirror_gap(trade, flow="total", partners=["TKM"])
    assert not gap["year"].between(2004, 2019).any()


def test_no_drawn_partner_figure_is_chinas_figure_scaled(trade, drawn):
    """IMF fills a silent reporter with China's own figure x or / 1.06 or 1.10 (CIF/FOB factors):
    none of those may be drawn as the partner's statistics."""
    chn = tr.to_usd_million(trade[(trade["reporter_iso3"] == "CHN") & (trade["source_id"] == "imf-dots-2022")])
    chn = chn.set_index(["partner_iso3", "year", "flow"])["usd_m"]
    imf = tr.to_usd_million(trade[(trade["source_id"] == "imf-dots-2022") & (trade["reporter_iso3"] != "CHN")])
    scaled = []
    for _, row in imf.iterrows():
        china = float(chn[(row["partner_iso3"], row["year"], row["flow"])])
        if _half_unit(row) > 0.001 * float(row["usd_m"]):
            continue  # too coarsely printed (e.g. '6', '297') for a match to mean anything
        # equal to China's figure times a factor, to the last digit the partner figure shows
        if any(abs(float(row["usd_m"]) - china * k) <= _half_unit(row) + 1e-9 for k in (1.06, 1 / 1.06, 1.1, 1 / 1.1)):
            scaled.append(row["row_id"])
    assert len(scaled) >= 16 * 2  # the Turkmen series at least
    assert not set(scaled) & set(drawn["row_id"]), sorted(set(scaled) & set(drawn["row_id"]))
    assert trade.set_index("row_id").loc[scaled, "excluded"].notna().all()


# --- rows corrected in review ------------------------------------------------------------


@pytest.mark.parametrize(
    "partner,year,old_usd_m,new_usd_m",
    [
        ("KAZ", 1998, 1000.0, 635.54),  # ambassador's "$1bn" vs customs
        ("KGZ", 1992, 53.0, 15.587),  # low-reliability page vs IMF (exports + imports)
        ("RUS", 2015, 64200.0, 67954.954),  # a figure close to Russia's, labelled China's
        ("UZB", 2005, 782.0, 680.56),
        ("UZB", 2007, 1800.0, 1128.189),
        ("UZB", 2011, 2630.0, 2166.614),
        ("UZB", 2012, 3380.0, 2875.188),
        ("UZB", 2014, 4700.0, 4276.124),
    ],
)
def test_corrected_china_totals(trade, partner, year, old_usd_m, new_usd_m):
    s = tr.series(trade, reporter="china", flow="total", partners=[partner])
    assert s.loc[year, partner] == pytest.approx(new_usd_m, abs=0.01)
    assert abs(s.loc[year, partner] - old_usd_m) > 0.05 * old_usd_m


def test_corrected_rows_stay_visible_with_their_reason(trade):
    rows = trade.set_index("row_id")
    assert rows.loc["chn-kaz-1998-total", "variant_of"] == "chn-kaz-1998-total-nbs"
    assert rows.loc["chn-kgz-1992-total", "excluded"].startswith("disagrees with China's own 1992 figures")
    assert rows.loc["chn-rus-2015-total", "excluded"].startswith("not China's figure")
    assert rows.loc["chn-rus-2015-exp", "variant_of"] == "chn-rus-2015-exp-imf"
    assert rows.loc["chn-rus-2015-imp", "variant_of"] == "chn-rus-2015-imp-imf"
    for year in (2005, 2007, 2011, 2012, 2014):
        assert rows.loc[f"chn-uzb-{year}-total", "variant_of"] == f"chn-uzb-{year}-total-nbs"
        assert "Reviewed (issue 18)" in rows.loc[f"chn-uzb-{year}-total", "notes"]


def test_russia_2015_flows_are_chinas(drawn):
    assert _value(drawn, "RUS", "CHN", 2015, "china_exports")["usd_m"] == pytest.approx(34810.191)
    assert _value(drawn, "RUS", "CHN", 2015, "china_imports")["usd_m"] == pytest.approx(33144.763)


def test_one_rule_for_the_kyrgyz_2024_jump_on_both_sides(trade, drawn):
    rows = trade.set_index("row_id")
    jump = ["chn-kgz-2024-imp", "chn-kgz-2025-imp", "kgz-rep-2024-imp"]
    for rid in jump:
        assert pd.isna(rows.loc[rid, "excluded"]), rid
        assert "Sudden jump" in rows.loc[rid, "notes"], rid
        assert rid in set(drawn["row_id"]), rid
    # the rule is general: no row flagged as a sudden jump is excluded
    flagged = rows[rows["notes"].fillna("").str.contains("Sudden jump")]
    assert flagged["excluded"].isna().all()
    gap = tr.mirror_gap(trade, flow="china_imports", partners=["KGZ"]).set_index("year")
    assert 2024 in gap.index  # both sides of the jump are compared
