"""Chapter 4: unit conversions against hand-worked cases, line status by year, capacity and claim arithmetic."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers import data, parameters, units
from helpers import pipelines as pl


@pytest.fixture(scope="module")
def t():
    return {
        name: data.load(name)
        for name in ("pipelines", "pipeline_facts", "pipeline_routes", "pipeline_volumes", "places")
    }


# --- units ---------------------------------------------------------------------------


def test_gas_to_oil_equivalent_by_hand():
    # bp: 1 bcm of natural gas = 0.860 Mtoe, so 10 bcm = 8.6 Mtoe; 2 bcm = 11.766 Mboe
    assert units.convert(10, "bcm", "Mtoe") == pytest.approx(8.6)
    assert units.convert(10, "bcm/year", "Mtoe/year") == pytest.approx(8.6)
    assert units.convert(2, "bcm", "Mboe") == pytest.approx(11.766)


def test_crude_tonnes_to_barrels_a_day_by_hand():
    # 20 Mt/year x 7.32 bbl/t = 146.4 million bbl a year; / 365 = 401,096 b/d = 401.1 kb/d
    assert units.convert(20, "Mt/year", "kb/d") == pytest.approx(401.0959, rel=1e-6)
    assert units.convert(401.0959, "kb/d", "Mt/year") == pytest.approx(20, rel=1e-6)
    # 400,000 b/d (the GEM figure) in Mt/year: 400000*365/7.32/1e6 = 19.945
    assert units.convert(400_000, "b/d", "Mt/year") == pytest.approx(19.9454, rel=1e-4)


def test_daily_rate_rule_matches_the_un_barrels_a_day_column():
    # the UN table gives 0.02005 b/d per t/year; 7.32 / 365 must round to it
    factors = {f["factor_id"]: f for f in units.load_factors()}
    assert round(float(factors["cf09"]["factor"]) / units.DAYS_PER_YEAR, 5) == float(factors["cf10"]["factor"])


def test_crude_to_toe_chains_two_sourced_factors():
    k, chain = units.conversion("Mt", "Mtoe")
    assert chain == ["cf13", "cf14^-1"]
    assert k == pytest.approx(1.429 / 1.42857143)


def test_inverse_factors_agree_within_rounding():
    assert units.convert(1, "bcm", "Mtoe") * units.convert(1, "Mtoe", "bcm") == pytest.approx(1, abs=0.002)


def test_variant_factor_only_on_request():
    assert units.convert(1, "Mt", "Mbbl") == pytest.approx(7.32)
    assert units.convert(1, "Mt", "Mbbl", use=("cf12",)) == pytest.approx(7.33)
    assert units.convert(1500, "kt", "Mt") == pytest.approx(1.5)


def test_rates_and_quantities_do_not_mix():
    with pytest.raises(units.UnitError, match="one is a rate"):
        units.conversion("bcm", "Mtoe/year")
    with pytest.raises(units.UnitError, match="unknown unit 'tcm'"):
        units.conversion("tcm", "bcm")


# --- status by year ------------------------------------------------------------------


def _status(t, year, commodity="all"):
    s = pl.status_in(year, t["pipelines"], t["pipeline_facts"], commodity)
    return dict(zip(s["pipeline_id"], s["status"]))


def test_in_2008_the_gas_pipeline_is_not_yet_operating(t):
    s = _status(t, 2008, "gas")
    assert s == {"cacgp-a": "under_construction"}
    assert _status(t, 2009)["cacgp-a"] == "operating"


def test_a_planned_date_never_makes_a_line_operating(t):
    # Line D was due in 2016 (pf049, planned) and by 2022 (pf050): neither happened
    for year in (2016, 2017, 2022):
        assert _status(t, year)["cacgp-d"] != "operating"
    assert _status(t, 2015)["cacgp-d"] == "under_construction"
    assert _status(t, 2024)["cacgp-d"] == "stalled"


def test_system_rows_are_not_drawn(t):
    s = _status(t, 2025)
    assert "cacgp" not in s and "kcop" not in s
    assert s["pos-2"] == "planned" and s["pos-1"] == "operating"


# --- capacity and volumes --------------------------------------------------------------


def _mini():
    lines = pd.DataFrame(
        {
            "pipeline_id": ["x", "x-1", "x-2", "x-3"],
            "short_name": ["X", "X1", "X2", "X3"],
            "system": ["X"] * 4,
            "part_of": [None, "x", "x", "x"],
            "commodity": ["gas"] * 4,
            "section": ["all", "L1", "L2", "L3"],
            "from_iso3": ["KAZ"] * 4,
            "to_iso3": ["CHN"] * 4,
        }
    )

    def fact(fid, pid, attr, value, unit=None, earlier=False, planned=False, variant=None, as_of="2020"):
        return dict(
            fact_id=fid,
            pipeline_id=pid,
            attribute=attr,
            value=value,
            unit=unit,
            date_precision="year",
            as_of=as_of,
            planned=planned,
            includes_earlier_lines=earlier,
            estimate=False,
            variant_of=variant,
            source_id="s",
            notes=None,
        )

    facts = pd.DataFrame(
        [
            fact("f1", "x-1", "operation_start", "2010-01-01"),
            fact("f2", "x-1", "design_capacity", "10", "bcm/year"),
            fact("f3", "x-1", "design_capacity", "12", "bcm/year", variant="f2"),
            fact("f4", "x-2", "operation_start", "2012-01-01"),
            fact("f5", "x-2", "design_capacity", "25", "bcm/year", earlier=True),  # lines 1 and 2 together
            fact("f6", "x-3", "operation_start", "2014-01-01", planned=True),  # only a plan
            fact("f7", "x-3", "design_capacity", "5", "bcm/year"),
        ]
    )
    return lines, facts


def test_capacity_buildup_by_hand():
    lines, facts = _mini()
    b = pl.capacity_buildup(facts, lines, "native", range(2009, 2016)).set_index("year")
    assert 2009 not in b.index  # nothing open yet
    assert (b.loc[2010, "low"], b.loc[2010, "drawn"], b.loc[2010, "high"]) == (10, 10, 12)
    assert b.loc[2012, "drawn"] == 25 and b.loc[2015, "drawn"] == 25  # x-3 only planned: not added
    mtoe = pl.capacity_buildup(facts, lines, "Mtoe", [2012]).iloc[0]
    assert mtoe["drawn"] == pytest.approx(25 * 0.86) and mtoe["unit"] == "Mtoe/year"


def test_implied_rates_by_hand():
    cum = pd.DataFrame(
        {
            "system": ["X"] * 3,
            "variant_of": [None] * 3,
            "row_id": ["a", "b", "c"],
            "date": pd.to_datetime(["2010-01-01", "2011-01-01", "2013-01-01"]),
            "shown": [10.0, 40.0, 100.0],
            "shown_unit": ["bcm"] * 3,
            "estimate": [False, True, False],
        }
    )
    r = pl.implied_rates(cum, "X")
    assert r["rate_per_year"].round(1).tolist() == [30.0, 30.0]  # 30 in 365 days; 60 in 731 days
    assert r["estimate"].tolist() == [True, True]


def test_kazakh_oil_from_2022_is_the_sum_of_export_and_transit(t):
    a = pl.annual_volumes(t["pipeline_volumes"], t["pipelines"], "native", "oil")
    row = a[(a["pipeline_id"] == "kcop") & (a["year"] == 2022)].iloc[0]
    assert row["derived"] and row["shown"] == pytest.approx((9980 + 1290) / 1000)


def test_oil_claim_ceiling_is_the_last_total_plus_design_capacity_times_years(t):
    steps = pl.oil_claim_check(t["pipeline_volumes"], t["pipeline_facts"], t["pipelines"]).set_index("step")["value"]
    base, years, cap, ceiling = steps.iloc[0], steps.iloc[1], steps.iloc[2], steps.iloc[3]
    assert (base, cap) == (130, 20)
    assert years == pytest.approx((pd.Timestamp("2022-09-20") - pd.Timestamp("2019-12-31")).days / 365.25)
    assert ceiling == pytest.approx(base + cap * years) and ceiling < steps.iloc[6] == 190


def test_claims_table_has_a_computed_verdict_for_each_seed_claim(t):
    c = pl.claims(t["pipeline_volumes"], t["pipeline_facts"], t["pipelines"])
    assert len(c) == 5 and set(c["starting document"]) == {"gao2010", "xiao2022"}
    assert c.iloc[0]["verdict"] == "confirmed" and c.iloc[2]["verdict"] == "not consistent"


def test_every_route_has_two_located_points_or_is_listed_as_skipping(t):
    for pid in pl.leaves(t["pipelines"])["pipeline_id"]:
        r = pl.route(t["pipeline_routes"], t["places"], pid)
        assert r["lat"].notna().sum() >= 2, pid


# --- parameters ------------------------------------------------------------------------


def test_barrels_a_day_need_oil():
    v = dict(commodity="all", as_of_year=2020, include_planned=True, unit="kb/d")
    with pytest.raises(parameters.ParameterError, match=r"'unit' = 'kb/d'.*set commodity='oil'"):
        parameters.validate("04_energy_pipelines", v)


def test_a_year_before_any_gas_line_is_refused_with_the_first_year():
    v = dict(commodity="gas", as_of_year=2004, include_planned=True, unit="native")
    with pytest.raises(parameters.ParameterError, match="from 2007 .*first gas pipeline"):
        parameters.validate("04_energy_pipelines", v)


# --- the data's own rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    "table, column, row_id, bad, message",
    [
        ("pipeline_facts", "value", "pf011", "14 Dec 2009", "operation_start needs a date"),
        ("pipeline_facts", "value", "pf007", "working", "status 'working' is not one of"),
        ("pipeline_facts", "attribute", "pf014", "construction_start", "differs in attribute"),
        ("pipeline_volumes", "year", "pv001", "", "an annual row needs its year"),
        ("places", "lat", "city-olot", "", "a city needs coordinates"),
    ],
)
def test_damaged_pipeline_rows_are_named(tmp_path, table, column, row_id, bad, message):
    import shutil

    from helpers import paths

    shutil.copytree(paths.data_dir(), tmp_path / "data")
    path = tmp_path / "data" / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    key = frame.columns[0]
    assert (frame[key] == row_id).sum() == 1
    frame.loc[frame[key] == row_id, column] = bad
    if column == "lat":
        frame.loc[frame[key] == row_id, "lon"] = ""
    frame.to_csv(path, index=False)
    with pytest.raises(data.DataValidationError, match=message):
        data.load(table, data_dir=tmp_path / "data")


# --- issue 16: what a run says about its own year -------------------------------------------


def test_each_implied_rate_is_set_against_the_capacity_in_force_when_its_stretch_ended():
    lines, facts = _mini()
    cum = pd.DataFrame(
        {
            "system": ["X"] * 3,
            "variant_of": [None] * 3,
            "row_id": ["a", "b", "c"],
            "date": pd.to_datetime(["2010-06-30", "2011-06-30", "2013-06-30"]),
            "shown": [0.0, 20.0, 60.0],
            "shown_unit": ["bcm"] * 3,
            "estimate": [False] * 3,
        }
    )
    r = pl.rates_against_capacity(cum, facts, lines, "X", "native", "gas")
    # 2011: only line 1 (10, readings up to 12); 2013: lines 1 and 2 together, 25
    assert r["capacity then (highest reading)"].tolist() == [12, 25]
    assert r["above it"].tolist() == [True, False]  # 20 a year against 12; 20 a year against 25
    assert "1 implies a rate above" in pl.rates_sentence(r, "X")


def test_years_without_a_full_year_figure_are_gaps_from_the_year_after_opening():
    annual = pd.DataFrame({"system": ["X", "X"], "commodity": ["gas", "gas"], "year": [2012, 2014]})
    cum = pd.DataFrame({"system": ["X"], "commodity": ["gas"], "date": pd.to_datetime(["2013-05-01"])})
    opened = pd.DataFrame({"system": ["X"], "commodity": ["gas"], "year": [2010]})
    gaps = pl.volume_gaps(annual, cum, 2015, opened)
    assert gaps["year"].tolist() == [2011, 2013, 2015]
    assert pl.volume_gaps(annual, cum, 2015)["year"].tolist() == [2013, 2015]  # from the first reading


def test_the_energy_institute_series_starts_with_its_first_flow_and_stops_at_the_year(t):
    gas = data.load("gas_pipeline_trade")
    ei = pl.ei_series(gas, "native", 2015)
    assert ei["year"].min() == 2010 and ei["year"].max() == 2015 and set(ei["shown_unit"]) == {"bcm"}
    assert pl.ei_series(gas, "kb/d", 2015).empty  # no gas in barrels a day
    mtoe = pl.ei_series(gas, "Mtoe", 2015).set_index("year")["shown"]
    assert mtoe[2012] == pytest.approx(float(ei.set_index("year").loc[2012, "value"]) * 0.86)


def test_capacity_sentence_follows_the_year_and_the_unit(t):
    facts, lines = t["pipeline_facts"], t["pipelines"]
    build = pl.capacity_buildup(facts, lines, "native", range(2003, 2012), "gas")
    text = pl.capacity_sentences(build, None, 2011, ["gas"])
    assert "At the end of 2011 the gas lines into China had a design capacity of 30 bcm a year" in text
    assert "2014" not in text and "Mtoe" not in text
    assert (
        pl.capacity_sentences(build[build["year"] <= 2008], None, 2008, ["gas"])
        == "No gas line into China was operating at the end of 2008."
    )


def test_map_labels_never_overlap_country_codes_or_each_other(t):
    import matplotlib

    matplotlib.use("Agg")
    from helpers import style

    ax, _, _ = pl.plot_network(t["pipelines"], t["pipeline_facts"], t["pipeline_routes"], t["places"], 2025)
    assert style.layout_problems(ax.figure) == []
    assert isinstance(ax.unnamed_places, list)


def test_beineu_bozoi_shymkent_capacity_is_a_change_over_time_not_a_disagreement(t):
    """Issue 18: 6 bcm/yr was an interim stage; the line reached 10 bcm/yr c. 2018 and shows that figure."""
    summary = pl.summary(t["pipelines"], t["pipeline_facts"], "gas").set_index("pipeline")
    assert summary.loc["Beineu-Bozoi-Shymkent", "capacity"] == "10 bcm/year"
    assert summary.loc["Beineu-Bozoi-Shymkent", "capacity over time"] == "6 bcm/year (2017), then 10 (2018)"
    dis = pl.disagreements(t["pipeline_facts"], t["pipelines"], "gas")
    assert dis[(dis["pipeline"] == "Beineu-Bozoi-Shymkent") & (dis["attribute"] == "design capacity")].empty
    assert "Beineu-Bozoi-Shymkent: 6 bcm/year (2017), then 10 (2018)" in pl.capacity_change_sentence(
        summary.reset_index()
    )


def test_atasu_alashankou_lengths_show_as_a_disagreement(t):
    dis = pl.disagreements(t["pipeline_facts"], t["pipelines"], "oil")
    lengths = dis[(dis["pipeline"] == "Atasu-Alashankou") & (dis["attribute"] == "length km")]
    assert lengths["drawn"].str.startswith("962").all()
    assert {"988 km", "998 km", "1000 km"} <= {v.replace(" (planned)", "") for v in lengths["other reading"]}


def test_waypoint_names_on_the_central_asia_map_stay_off_the_lines():
    """Chapter 4's close-up wrote "Galkynysh gas field" and "Tursunzoda" over Line D: a name is
    placed clear of every route line and of the other dots wherever a free spot exists."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers import style

    style.apply()
    lines, facts = data.load("pipelines"), data.load("pipeline_facts")
    routes, places = data.load("pipeline_routes"), data.load("places")
    ax, _, _ = pl.plot_network(lines, facts, routes, places, 2025, bounds=pl.CENTRAL_ASIA_BOUNDS, title="CA")
    renderer = ax.figure.canvas.get_renderer()
    drawn = pl._drawn_lines(ax)
    names = set(places["name"].str.split(" (", regex=False).str[0])
    crossing = [
        t.get_text()
        for t in ax.texts
        if t.get_text() in names and pl._crosses(t.get_window_extent(renderer), [d for d in drawn if d[0] == "line"])
    ]
    assert not crossing, f"names drawn over a line: {crossing}"
    assert "Tursunzoda" in {t.get_text() for t in ax.texts}
    assert not style.layout_problems(ax.figure)
    plt.close(ax.figure)


def test_the_summary_writes_status_and_dates_as_a_reader_does(t):
    summary = pl.summary(t["pipelines"], t["pipeline_facts"], "gas").set_index("pipeline")
    status = summary.loc["CACGP C", "latest status"]
    assert re.fullmatch(
        r"(Operating|Planned|Stalled|Under construction) \(\d{4}\)|\w[\w ]* \(\d{1,2} \w+ \d{4}\)", status
    )
