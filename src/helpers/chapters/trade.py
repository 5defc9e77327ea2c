"""China's trade with Central Asia: series, shares, growth, indices, mirror gaps.

Used by ``notebooks/03_trade.ipynb`` and the tests. The table ``trade`` has
one row per year, period, partner, reporter and flow, with the value *as the
source gives it* and its unit. Flows are always named from China's side:
``china_exports`` is goods going from China to the partner, whichever side
reports them (the partner records them as its imports from China).

The arithmetic here is deliberately small and plain, so that a student can
follow it and the tests can check it on hand-worked cases:

* :func:`to_usd_million` puts every US-dollar unit on one scale and leaves
  yuan figures out (no exchange rate is applied silently);
* :func:`series` gives a year-by-partner table, with missing years left
  missing (never interpolated);
* :func:`shares`, :func:`growth`, :func:`cagr`, :func:`index_to` and
  :func:`mirror_gap` are the computations the chapter shows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd

from ..core import data, prose
from ..core.parameters import year_spans as spans
from ..core.units import OTHER_UNITS, USD_MILLION_PER_UNIT
from ..core.vocab import (
    CENTRAL_ASIA,
    reporter_sides,  # noqa: F401  (for the chapter: tr.reporter_sides)
)
from ..core.vocab import TRADE_FLOW_OF_CHOICE as FLOW_OF_CHOICE

FLOWS = ("total", "china_exports", "china_imports", "balance")
FLOW_LABELS = {
    "total": "Total trade",
    "china_exports": "China's exports to the partner",
    "china_imports": "China's imports from the partner",
    "balance": "China's balance (exports minus imports)",
}


class TradeDataError(ValueError):
    """A request the trade data cannot answer (e.g. no data in a year window)."""


def to_usd_million(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``usd_m``: the value in USD million, or missing for non-dollar units.

    Raises ``ValueError`` naming a unit that is neither in
    :data:`USD_MILLION_PER_UNIT` nor in :data:`OTHER_UNITS`.
    """
    units = set(frame["unit"].dropna().astype(str))
    unknown = sorted(units - set(USD_MILLION_PER_UNIT) - set(OTHER_UNITS))
    if unknown:
        raise ValueError(f"unknown trade unit(s): {', '.join(unknown)}")
    out = frame.copy()
    factor = out["unit"].astype(str).map(USD_MILLION_PER_UNIT)
    out["usd_m"] = out["value"].astype("Float64") * factor.astype("Float64")
    return out


def reporter_side(frame: pd.DataFrame) -> pd.Series:
    """'china' where China reports the row, 'partner' where the partner does."""
    return frame["reporter_iso3"].map(lambda r: "china" if r == "CHN" else "partner")


def usable(trade: pd.DataFrame) -> pd.DataFrame:
    """Rows that may be drawn: primary readings not marked ``excluded``."""
    rows = data.primary(trade)
    if "excluded" in rows.columns:
        rows = rows[rows["excluded"].isna()]
    return rows


_CACHE: dict = {}  # {"key": fingerprint, "annual": rows, "tables": {(reporter, flow): table}}


def _fingerprint(trade: pd.DataFrame) -> tuple:
    """A cheap key that changes whenever the table's content does (rows, values, flags)."""
    cols = [
        c
        for c in (
            "row_id",
            "year",
            "period",
            "partner_iso3",
            "reporter_iso3",
            "flow",
            "value",
            "unit",
            "excluded",
            "variant_of",
        )
        if c in trade.columns
    ]
    digest = pd.util.hash_pandas_object(trade[cols].astype("string"), index=False).to_numpy()
    return (len(trade), tuple(trade.columns), int(digest.sum()), int((digest * 31 % 1000003).sum()))


def _prepared(trade: pd.DataFrame) -> dict:
    """Annual rows and the per-reporter tables of a trade table, kept while its content is unchanged.

    A chapter run, and a property-based test that runs the chapter hundreds
    of times, asks for the same series dozens of times; callers must not
    modify what this returns.
    """
    if _CACHE.get("obj") is trade and _CACHE.get("len") == len(trade):
        return _CACHE
    key = _fingerprint(trade)
    if _CACHE.get("key") != key:
        rows = to_usd_million(usable(trade))
        rows = rows[(rows["period"] == "annual") & rows["usd_m"].notna()].copy()
        rows["reporter"] = reporter_side(rows)
        rows["usd_m"] = rows["usd_m"].astype("float64")
        rows["year"] = rows["year"].astype("int64")
        _CACHE.clear()
        _CACHE.update(key=key, annual=rows, tables={})
    _CACHE.update(obj=trade, len=len(trade))
    return _CACHE


def annual(trade: pd.DataFrame) -> pd.DataFrame:
    """Usable annual US-dollar rows with ``usd_m`` and ``reporter`` columns (do not modify the result)."""
    return _prepared(trade)["annual"]


def series(
    trade: pd.DataFrame, *, reporter: str, flow: str, partners: Sequence[str], years: Iterable[int] | None = None
) -> pd.DataFrame:
    """A year-by-partner table of annual values in USD million.

    Parameters
    ----------
    trade : DataFrame
        The ``trade`` table.
    reporter : {"china", "partner"}
        Whose statistics to read.
    flow : {"total", "china_exports", "china_imports", "balance"}
        ``balance`` is China's exports minus its imports, computed only for
        years where the same reporter gives both.
    partners : sequence of ISO3 codes
        Columns, in this order.
    years : iterable of int, optional
        Rows; default every year with any value. Years without data stay as
        missing values (NaN): nothing is interpolated.

    Returns
    -------
    DataFrame indexed by ``year``, one column per partner, values in USD million.
    """
    prep = _prepared(trade)
    cache = prep["tables"]
    if (reporter, flow) not in cache:
        rows = prep["annual"]
        sel = rows[rows["reporter"] == reporter]
        cache[(reporter, flow)] = _table(sel, flow, sorted(set(sel["partner_iso3"].astype(str))))
    full = cache[(reporter, flow)]
    table = full.reindex(columns=list(partners))
    if years is not None:
        table = table.reindex(list(years))
    table.index.name = "year"
    table.columns.name = "partner"
    return table.astype("float64")


def _table(rows: pd.DataFrame, flow: str, partners: Sequence[str], years: Iterable[int] | None = None) -> pd.DataFrame:
    """Year-by-partner table of ``rows`` (already chosen by reporter) for ``flow``."""

    def wide(f: str) -> pd.DataFrame:
        sel = rows[rows["flow"] == f].drop_duplicates(["year", "partner_iso3"])
        out = sel.set_index(["year", "partner_iso3"])["usd_m"].astype("float64").unstack("partner_iso3")
        out.index = out.index.astype("int64")
        return out

    if flow == "balance":
        table = wide("china_exports") - wide("china_imports")
    elif flow in FLOWS:
        table = wide(flow)
        if flow == "total":  # where a source gives only the two flows, their sum is the total
            both = wide("china_exports") + wide("china_imports")
            table = table.combine_first(both) if not table.empty else both
    else:
        raise ValueError(f"flow {flow!r}: use one of {', '.join(FLOWS)}")
    table = table.reindex(columns=list(partners))
    if years is not None:
        table = table.reindex(list(years))
    table.index.name = "year"
    table.columns.name = "partner"
    return table.astype("float64")


def rows_behind(
    trade: pd.DataFrame, *, reporter: str, flow: str, partners: Sequence[str], years: Iterable[int]
) -> pd.DataFrame:
    """The trade rows a :func:`series` call draws on (for a figure's source line)."""
    rows = annual(trade)
    flows = ("china_exports", "china_imports") if flow == "balance" else (flow, "china_exports", "china_imports")
    return rows[
        (rows["reporter"] == reporter)
        & rows["partner_iso3"].isin(list(partners))
        & rows["year"].isin(list(years))
        & rows["flow"].isin(flows)
    ]


def regional_total(table: pd.DataFrame, members: Sequence[str]) -> pd.DataFrame:
    """Sum over ``members`` per year, with how many members have data.

    Returns columns ``total`` (missing unless *every* member has a value:
    a "Central Asia" total that silently leaves a country out is the trap
    this avoids), ``partial_total`` (the sum of those present), and
    ``members_with_data``.
    """
    sub = table.reindex(columns=list(members))
    present = sub.notna().sum(axis=1)
    partial = sub.sum(axis=1, min_count=1)
    total = partial.where(present == len(members))
    return pd.DataFrame({"total": total, "partial_total": partial, "members_with_data": present})


def shares(table: pd.DataFrame, members: Sequence[str]) -> pd.DataFrame:
    """Each member's share (%) of the members' total, only in complete years."""
    total = regional_total(table, members)["total"]
    return table.reindex(columns=list(members)).div(total, axis=0) * 100


def growth(v0: float, v1: float) -> dict[str, float]:
    """Change from ``v0`` to ``v1``: ratio (v1/v0) and percent change.

    >>> growth(50, 75)
    {'ratio': 1.5, 'percent': 50.0}
    """
    if (
        v0 is None
        or v1 is None
        or (isinstance(v0, float) and math.isnan(v0))
        or (isinstance(v1, float) and math.isnan(v1))
    ):
        raise ValueError("growth needs both values")
    if v0 <= 0:
        raise ValueError(f"growth from a non-positive value ({v0}) is undefined")
    ratio = v1 / v0
    return {"ratio": ratio, "percent": (ratio - 1) * 100}


def cagr(v0: float, v1: float, years: int) -> float:
    """Compound annual growth rate in percent over ``years`` years.

    The constant yearly rate r with v0 * (1 + r) ** years == v1.

    >>> round(cagr(100, 121, 2), 6)
    10.0
    """
    if years <= 0:
        raise ValueError(f"years must be positive, got {years}")
    if v0 <= 0 or v1 <= 0:
        raise ValueError("the compound rate needs two positive values")
    return ((v1 / v0) ** (1 / years) - 1) * 100


def index_to(table: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """Each column divided by its value in ``base_year``, times 100.

    A column with no value (or zero) in the base year becomes all missing;
    :class:`TradeDataError` if no column has a base value.
    """
    if base_year not in table.index:
        raise TradeDataError(f"base year {base_year} is outside the years shown")
    base = table.loc[base_year]
    base = base.where(base > 0)
    if base.isna().all():
        raise TradeDataError(f"no partner has a value in the base year {base_year}")
    return table.div(base, axis=1) * 100


def mirror_gap(trade: pd.DataFrame, *, flow: str, partners: Sequence[str]) -> pd.DataFrame:
    """China's figure beside the partner's for the same year and flow.

    Returns one row per partner and year where both sides publish, with
    ``china`` and ``partner`` in USD million, ``gap`` = china - partner,
    ``gap_pct`` = gap as a percentage of the partner's figure, and
    ``ratio`` = china / partner. Balance is computed per side first.
    """
    c = series(trade, reporter="china", flow=flow, partners=partners)
    p = series(trade, reporter="partner", flow=flow, partners=partners)
    rows = []
    for partner in partners:
        cs = c[partner] if partner in c else pd.Series(dtype="float64")
        ps = p[partner] if partner in p else pd.Series(dtype="float64")
        for year in sorted(set(cs.dropna().index) & set(ps.dropna().index)):
            cv, pv = float(cs[year]), float(ps[year])
            rows.append(
                {
                    "partner": partner,
                    "year": int(year),
                    "china": cv,
                    "partner_reported": pv,
                    "gap": cv - pv,
                    "gap_pct": (cv - pv) / abs(pv) * 100 if pv else float("nan"),
                    "ratio": cv / pv if pv else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=["partner", "year", "china", "partner_reported", "gap", "gap_pct", "ratio"])


# --- the chapter's tables ---------------------------------------------------------


def coverage(trade: pd.DataFrame, *, flow: str, partners: Sequence[str], years: Iterable[int]) -> pd.DataFrame:
    """Which side publishes a value, partner by year: 'both', 'china', 'partner' or ''."""
    years = list(years)
    c = series(trade, reporter="china", flow=flow, partners=partners, years=years)
    p = series(trade, reporter="partner", flow=flow, partners=partners, years=years)
    out = pd.DataFrame("", index=pd.Index(years, name="year"), columns=list(partners))
    out[c.notna() & p.notna()] = "both"
    out[c.notna() & p.isna()] = "china"
    out[c.isna() & p.notna()] = "partner"
    return out


def growth_table(table: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """Growth per partner between the first and last years with data in [start, end].

    Returns one row per partner: the years actually used (the window's ends
    when they have data, otherwise the nearest years inside it), both values,
    the ratio, the percent change and the compound annual rate. A partner
    with fewer than two years of data in the window gets an explanation
    instead of numbers.
    """
    rows = []
    for partner in table.columns:
        s = table.loc[(table.index >= start) & (table.index <= end), partner].dropna()
        s = s[s > 0]
        if len(s) < 2:
            rows.append(
                {
                    "partner": partner,
                    "from": None,
                    "to": None,
                    "value_from": None,
                    "value_to": None,
                    "ratio": None,
                    "percent": None,
                    "cagr_percent": None,
                    "note": f"fewer than two years with data in {start}-{end}",
                }
            )
            continue
        y0, y1 = int(s.index[0]), int(s.index[-1])
        g = growth(float(s.iloc[0]), float(s.iloc[-1]))
        note = "" if (y0, y1) == (start, end) else f"window {start}-{end}; nearest years with data used"
        rows.append(
            {
                "partner": partner,
                "from": y0,
                "to": y1,
                "value_from": float(s.iloc[0]),
                "value_to": float(s.iloc[-1]),
                "ratio": g["ratio"],
                "percent": g["percent"],
                "cagr_percent": cagr(float(s.iloc[0]), float(s.iloc[-1]), y1 - y0),
                "note": note,
            }
        )
    return pd.DataFrame(rows)


def published_totals(aggregates: pd.DataFrame, *, flow: str = "total") -> pd.DataFrame:
    """Published annual US-dollar totals for all five Central Asian states (primary readings)."""
    rows = to_usd_million(data.primary(aggregates))
    keep = (
        (rows["period"] == "annual")
        & (rows["flow"] == flow)
        & rows["usd_m"].notna()
        & (rows["members"] == ";".join(CENTRAL_ASIA))
    )
    return rows[keep].sort_values("year")


def traps(trade: pd.DataFrame, aggregates: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The rows the series leave out, by reason: yuan, part-year, excluded, other-reading, partial aggregates."""
    conv = to_usd_million(trade)
    agg = to_usd_million(aggregates)
    return {
        "in yuan": pd.concat([conv[conv["usd_m"].isna()], agg[agg["usd_m"].isna()]]),
        "part of a year": conv[conv["period"] != "annual"],
        "excluded as doubtful": conv[conv["excluded"].notna()] if "excluded" in conv else conv.iloc[0:0],
        "regional totals that leave a country out": agg[agg["members"] != ";".join(CENTRAL_ASIA)],
        "rounded or hedged (drawn, but marked)": conv[conv["estimate"].fillna(False).astype(bool)],
    }


def table1_check(raw: pd.DataFrame, clean: pd.DataFrame, trade: pd.DataFrame) -> pd.DataFrame:
    """Seed 004's Table 1: printed, corrected and the independent check, cell by cell.

    Values are compared in USD million (the table's unit, hundred million
    dollars, is 100 USD million). Verdict: 'agrees' within 2 %, 'close'
    within 10 %, 'disagrees' beyond, 'no independent figure' without a
    check row.
    """
    conv = to_usd_million(trade).set_index("row_id")
    out = clean.merge(raw[["partner_iso3", "year", "row_label"]], on=["partner_iso3", "year"])
    out["corrected_usd_m"] = out["value"].astype("float64") * 100
    checks, verdicts, diffs = [], [], []
    for _, row in out.iterrows():
        cid = row["check_row_id"]
        if pd.isna(cid):
            checks.append(None), verdicts.append("no independent figure"), diffs.append(None)
            continue
        ref = float(conv.loc[cid, "usd_m"])
        diff = (row["corrected_usd_m"] - ref) / ref * 100
        checks.append(ref)
        diffs.append(diff)
        verdicts.append("agrees" if abs(diff) <= 2 else "close" if abs(diff) <= 10 else "disagrees")
    out["independent_usd_m"] = checks
    out["difference_percent"] = diffs
    out["verdict"] = verdicts
    return out


#: Columns of :func:`latest_table`.
LATEST_COLUMNS = (
    "partner",
    "year",
    "total",
    "china_exports",
    "china_imports",
    "balance",
    "partner_reported_total",
    "gap",
    "share_of_central_asia_percent",
)


def latest_table(
    trade: pd.DataFrame, partners: Sequence[str], end_year: int, *, start_year: int | None = None
) -> pd.DataFrame:
    """For each partner, the latest year up to ``end_year`` (from ``start_year``) with a China-reported total.

    Columns: year, total, China's exports and imports, balance, the partner's
    own total for that year, the gap, and the partner's share of the five
    Central Asian states' total that year (when all five are known).
    """
    tot = series(trade, reporter="china", flow="total", partners=list(dict.fromkeys([*partners, *CENTRAL_ASIA])))
    exp = series(trade, reporter="china", flow="china_exports", partners=partners)
    imp = series(trade, reporter="china", flow="china_imports", partners=partners)
    par = series(trade, reporter="partner", flow="total", partners=partners)
    region = regional_total(tot, CENTRAL_ASIA)["total"]
    rows = []
    for p in partners:
        s = tot.loc[
            (tot.index <= end_year) & (tot.index >= (start_year if start_year is not None else tot.index.min())), p
        ].dropna()
        if s.empty:
            continue
        y = int(s.index[-1])

        def get(t: pd.DataFrame, y: int = y, p: str = p) -> float:
            return float(t.loc[y, p]) if y in t.index and pd.notna(t.loc[y, p]) else float("nan")

        e, i, pr = get(exp), get(imp), get(par)
        share = (
            float(s.iloc[-1]) / float(region.loc[y]) * 100
            if p in CENTRAL_ASIA and pd.notna(region.get(y))
            else float("nan")
        )
        rows.append(
            {
                "partner": p,
                "year": y,
                "total": float(s.iloc[-1]),
                "china_exports": e,
                "china_imports": i,
                "balance": e - i,
                "partner_reported_total": pr,
                "gap": float(s.iloc[-1]) - pr,
                "share_of_central_asia_percent": share,
            }
        )
    # the same columns when no chosen partner has a China-reported total in the window
    return pd.DataFrame(rows, columns=list(LATEST_COLUMNS))


# --- figures -----------------------------------------------------------------------

#: Legend placed outside the plotting area, to the right (never over the lines).
LEGEND_OUTSIDE = dict(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
#: Smallest figure height in inches: a chart of one or two rows still has room
#: for its title, axis labels and the source line.
MIN_HEIGHT = 3.8
#: Width of every chart in inches: with its legend outside the axes a chart is saved about
#: 10.8 in wide, so the site's ~860 px column still shows its 10 pt source line at 11 px or
#: more (issue 19; tests/test_figure_text_size.py measures it).
FIG_WIDTH = 9
#: Published totals and stated targets: black, a colour no country, region or commodity uses (issue 19).
TARGET_COLOR = "#000000"


def fig_height(rows: int, per_row: float = 0.5, extra: float = 2.2) -> float:
    """A figure height that grows with the rows shown, never below :data:`MIN_HEIGHT`."""
    return max(MIN_HEIGHT, per_row * rows + extra)


def year_axis(ax, years: Iterable[int]) -> None:
    """Whole years on the x axis, with room at both ends so no label meets the value axis."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

    years = [int(y) for y in years]
    if not years:
        return
    lo, hi = min(years), max(years)
    pad = max(0.7, 0.04 * (hi - lo + 1))
    ax.set_xlim(lo - pad, hi + pad)
    # about one four-digit year label per 0.75 inch of axis, so narrow panels do not crowd their labels
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    fit = int(width_in / 0.75)
    if hi - lo + 1 <= min(fit, 12):
        # a short window labels every year (MaxNLocator would label 2022 and 2024 of 2021-2024)
        ax.xaxis.set_major_locator(MultipleLocator(1))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=max(2, min(10, hi - lo + 1, fit)), integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))  # 2019, never 2.02e3 + offset
    ax.set_xlabel("")


def series_scale(china: pd.DataFrame, partner: pd.DataFrame, scale: str) -> str:
    """The value scale for a chart of these tables: a log axis only for positive values.

    A balance that changes sign (or any zero or negative value) cannot sit on
    a log axis; it is drawn on a linear one, and the axis label says so.
    """
    if scale != "log":
        return scale
    import numpy as np

    values = np.concatenate([t.to_numpy(dtype="float64").ravel() for t in (china, partner) if t is not None])
    values = values[~np.isnan(values)]
    return "log" if len(values) and (values > 0).all() else "linear"


def plain_axis(ax, *, scale: str, label: str, reference: float | None = None) -> str:
    """A value axis for ratios and index numbers: log only over a tenfold range, plain numbers.

    ``reference`` (1 for a ratio, 100 for an index) is drawn as a grey line and
    kept inside the axis. Returns the scale used.
    """
    import numpy as np
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    lim = ax.dataLim
    lo, hi = lim.y0, lim.y1
    if reference is not None:
        lo, hi = min(lo, reference), max(hi, reference)
    used = scale
    if scale == "log" and (not (np.isfinite(lo) and np.isfinite(hi)) or lo <= 0 or hi / lo < 10):
        used = "linear"
    ax.set_yscale(used)
    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 10 else f"{v:.2f}".rstrip("0").rstrip("."))
    if used == "log":
        ax.set_ylim(lo / 1.3, hi * 1.3)
        ax.yaxis.set_major_locator(LogLocator(base=10))
        if np.log10(hi / lo) < 2:
            ax.yaxis.set_minor_locator(LogLocator(base=10, subs=(2, 5)))
            ax.yaxis.set_minor_formatter(fmt)
        else:
            ax.yaxis.set_minor_formatter(NullFormatter())
    elif np.isfinite(lo) and np.isfinite(hi):
        span = (hi - lo) or abs(hi) or 1.0
        ax.set_ylim(min(0, lo) if lo >= 0 else lo - 0.08 * span, hi + 0.08 * span)
    ax.yaxis.set_major_formatter(fmt)
    if reference is not None:
        ax.axhline(reference, color="#888888", linewidth=1.2, zorder=1)
    ax.set_ylabel(f"{label} (log scale)" if used == "log" else label)
    return used


def plot_series(
    china: pd.DataFrame | None,
    partner: pd.DataFrame | None,
    *,
    scale: str = "linear",
    ax=None,
    title: str | None = None,
    ylabel: str | None = None,
    money: bool = True,
    reference: float | None = None,
):
    """One line per partner; China-reported solid, partner-reported dashed.

    Missing years are not bridged: a line breaks at a gap and a lone year is
    a dot, so the chart shows where the data stop. Money values (USD million)
    get :func:`helpers.style.money_axis`; other values (an index) a plain axis.
    The legend sits outside the plotting area.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from ..core import style

    if ax is None:
        _, ax = plt.subplots(figsize=(FIG_WIDTH, 6))
    frames = [(china, "-", "o", "China-reported"), (partner, "--", "s", "partner-reported")]
    used_styles, years = [], []
    for frame, ls, marker, label in frames:
        if frame is None:
            continue
        years += list(frame.index)
        if frame.dropna(how="all").empty:
            continue
        used_styles.append((ls, marker, label))
        for p in frame.columns:
            s = frame[p]
            ax.plot(s.index, s.to_numpy(), ls, marker=marker, ms=4.5, color=style.country_color(p), linewidth=2)
    shown = list(
        dict.fromkeys(
            [*(china.columns if china is not None else []), *(partner.columns if partner is not None else [])]
        )
    )

    def drawn(p) -> bool:
        return any(f is not None and p in f.columns and f[p].notna().any() for f in (china, partner))

    # a chosen partner without any figure in the window keeps its legend entry, said to be a gap
    handles = [
        Line2D(
            [],
            [],
            color=style.country_color(p),
            linewidth=3,
            label=prose.name(p) if drawn(p) else f"{prose.name(p)}\n(no figure in the window)",
        )
        for p in shown
    ]
    handles += [Line2D([], [], color="#444444", linestyle=ls, marker=m, label=lab) for ls, m, lab in used_styles]
    ax.legend(handles=handles, ncol=1, **LEGEND_OUTSIDE)
    if money:
        style.money_axis(ax, scale=scale, label=ylabel)
    else:
        plain_axis(ax, scale=scale, label=ylabel or "", reference=reference)
    year_axis(ax, years)
    if title:
        ax.set_title(title)
    return ax


def plot_coverage(cov: pd.DataFrame, *, ax=None, title: str | None = None):
    """Partner-by-year grid: which side publishes a value (the gaps are the message)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from ..core import style

    colors = style.COVERAGE_COLORS  # no blue: blue is an SCO status in chapter 1 (issue 19)
    labels = {"both": "both sides", "china": "China only", "partner": "partner only", "": "no value"}
    if ax is None:
        _, ax = plt.subplots(figsize=(FIG_WIDTH, fig_height(len(cov.columns))))
    from matplotlib.collections import PatchCollection

    rects, fills, edges = [], [], []
    for j, p in enumerate(cov.columns):
        for year, v in cov[p].items():
            rects.append(plt.Rectangle((year - 0.45, j - 0.4), 0.9, 0.8))
            fills.append(colors[v])
            edges.append("#BBBBBB" if v == "" else "none")  # a gap is outlined, so it reads as a cell left empty
    ax.add_collection(PatchCollection(rects, facecolors=fills, edgecolors=edges, linewidths=0.8), autolim=False)
    year_axis(ax, cov.index)
    ax.set_ylim(len(cov.columns) - 0.5, -0.5)
    ax.set_yticks(range(len(cov.columns)))
    ax.set_yticklabels([prose.name(c) for c in cov.columns])
    ax.grid(False)
    ax.legend(
        handles=[
            Patch(facecolor=colors[k], edgecolor="#BBBBBB" if k == "" else colors[k], label=labels[k]) for k in colors
        ],
        ncol=1,
        **LEGEND_OUTSIDE,
    )
    if title:
        ax.set_title(title)
    return ax


def plot_bars_by_year(
    table: pd.DataFrame,
    *,
    ax=None,
    title: str | None = None,
    ylabel: str = "",
    stacked: bool = True,
    percent: bool = False,
):
    """Stacked (or grouped) bars, one colour per partner; years without a value left empty."""
    import matplotlib.pyplot as plt
    import numpy as np

    from ..core import style

    if ax is None:
        _, ax = plt.subplots(figsize=(FIG_WIDTH, 5.5))
    from matplotlib.lines import Line2D

    if not stacked and len(table):
        # every year between the first and the last, so a year no partner has is marked as a gap too
        table = table.reindex(range(int(table.index.min()), int(table.index.max()) + 1))
    years = table.index.to_numpy()
    bottom = np.zeros(len(table))
    missing_any = False
    for k, p in enumerate(table.columns):
        has = table[p].notna().to_numpy()
        vals = table[p].fillna(0).to_numpy()
        # a partner with no value in any drawn year gets no bar and no legend entry
        label = prose.name(p) if has.any() else None
        if stacked:
            ax.bar(years[has], vals[has], bottom=bottom[has], color=style.country_color(p), label=label, width=0.8)
            bottom = bottom + vals
        else:
            w = 0.8 / len(table.columns)
            x = years - 0.4 + w * (k + 0.5)
            ax.bar(x[has], vals[has], width=w, color=style.country_color(p), label=label)
            if (~has).any() and has.any():
                # a year with no figure is a gap, not a zero: a cross on the zero line
                missing_any = True
                ax.plot(
                    x[~has],
                    np.zeros((~has).sum()),
                    "x",
                    color=style.country_color(p),
                    ms=5,
                    mew=1.4,
                    zorder=4,
                    clip_on=False,
                )
    if not stacked:
        ax.axhline(0, color="#444444", linewidth=1)
    if percent:
        ax.set_ylabel(ylabel)
    else:
        style.money_axis(ax, scale="linear", label=ylabel or None)
    year_axis(ax, years)
    handles, _ = ax.get_legend_handles_labels()
    if missing_any:
        handles.append(
            Line2D([], [], color="#444444", marker="x", linestyle="", mew=1.4, label="no figure\nfor the year")
        )
    ax.legend(handles=handles, ncol=1, **LEGEND_OUTSIDE)
    if title:
        ax.set_title(title)
    return ax


def plot_mirror_ratio(
    gap: pd.DataFrame, artefacts: pd.DataFrame | None = None, *, ax=None, title: str | None = None, scale: str = "log"
):
    """China's figure divided by the partner's, per partner and year (a line per partner; 1 marked).

    ``artefacts`` (partner, year, ratio) are the IMF DOTS partner series that
    are not the partner's own statistics (:func:`imf_artefacts`): drawn as
    grey crosses, apart from the partners' lines, so the reader sees how the
    database fills a gap, never as a partner's figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from ..core import style

    if ax is None:
        _, ax = plt.subplots(figsize=(FIG_WIDTH, 5.5))
    handles, years = [], list(gap["year"])
    for partner, g in gap.groupby("partner", sort=False):
        g = g.sort_values("year").set_index("year")["ratio"]
        full = g.reindex(range(int(g.index.min()), int(g.index.max()) + 1))
        color = style.country_color(partner)
        ax.plot(full.index, full.to_numpy(), "-o", ms=4, color=color, linewidth=2)
        handles.append(Line2D([], [], color=color, marker="o", linewidth=2, label=prose.name(partner)))
    if artefacts is not None and len(artefacts):
        ax.plot(artefacts["year"], artefacts["ratio"], "x", color="#777777", ms=7, mew=1.5)
        handles.append(
            Line2D(
                [], [], color="#777777", marker="x", linestyle="", mew=1.5, label="IMF DOTS fill-in,\nnot partner data"
            )
        )
        years += list(artefacts["year"])
    plain_axis(ax, scale=scale, label="China's figure ÷ partner's figure", reference=1.0)
    year_axis(ax, years)
    ax.legend(handles=handles, ncol=1, **LEGEND_OUTSIDE)
    if title:
        ax.set_title(title)
    return ax


def plot_regional(
    region: pd.DataFrame, published: pd.DataFrame, *, scale: str = "linear", ax=None, title: str | None = None
):
    """The sum of the five states (complete years only) against the published regional totals."""
    import matplotlib.pyplot as plt

    from ..core import style

    if ax is None:
        _, ax = plt.subplots(figsize=(FIG_WIDTH, 5.5))
    ax.plot(
        region.index,
        region["total"],
        "o-",
        color=style.REGION_COLORS["Central Asia"],
        label="sum of the five\n(complete years only)",
    )
    ax.plot(
        published["year"],
        published["usd_m"],
        "D",
        ms=9,
        mfc="none",
        mec=TARGET_COLOR,
        mew=2,
        label="published regional\ntotal",
    )
    style.money_axis(ax, scale=scale)
    year_axis(ax, list(region.index) + list(published["year"]))
    ax.legend(**LEGEND_OUTSIDE)
    if title:
        ax.set_title(title)
    return ax


def coverage_counts(cov: pd.DataFrame) -> pd.DataFrame:
    """Per partner, how many years of a :func:`coverage` grid each side covers."""
    counts = cov.apply(lambda c: c.value_counts()).fillna(0).astype(int).T
    return counts.reindex(columns=["both", "china", "partner", ""], fill_value=0).rename(columns={"": "none"})


def table1_wide(check: pd.DataFrame, column: str) -> pd.DataFrame:
    """Table 1 laid out as printed (countries down, years across) from :func:`table1_check`."""
    order = list(dict.fromkeys(check["row_label"]))
    return check.pivot(index="row_label", columns="year", values=column).loc[order]


# --- the run's basis, and the checks issue 18 asks for -------------------------------------


def basis_table(china: pd.DataFrame, partner: pd.DataFrame, reporter: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The figures growth and the index are computed from, and whose they are, per partner.

    China's figures where China publishes any in the window (reporter
    ``china`` or ``both``); the partner's own where the reporter is
    ``partner``, or ``both`` and China has none (the choice
    :func:`helpers.parameters.trade_basis_years` makes when it validates).
    Returns the table and ``{partner: "china" | "partner"}``.
    """
    out, sides = pd.DataFrame(index=china.index), {}
    for c in china.columns:
        use_partner = reporter == "partner" or (reporter == "both" and china[c].dropna().empty)
        sides[c] = "partner" if use_partner else "china"
        out[c] = partner[c] if use_partner else china[c]
    out.index.name, out.columns.name = "year", "partner"
    return out.astype("float64"), sides


def _artefact_kind(reason: str) -> str:
    r = str(reason)
    if "1.06" in r:
        return "China's figure ×/÷ 1.06 filled in as Turkmenistan's"
    if "order of magnitude" in r:
        return "'Uzbek-reported' series out by up to an order of magnitude"
    if "flag e" in r:
        return "IMF estimate made from China's figure (×/÷ 1.10)"
    return r


def artefact_rows(trade: pd.DataFrame, partners: Sequence[str], years: Iterable[int]) -> pd.DataFrame:
    """IMF DOTS 'partner-reported' rows excluded as database artefacts (never partner statistics)."""
    rows = to_usd_million(trade)
    if "excluded" not in rows.columns:
        rows = rows.assign(excluded=pd.Series(pd.NA, index=rows.index, dtype="string"))
    rows = rows[
        rows["excluded"].notna()
        & (rows["reporter_iso3"] != "CHN")
        & rows["basis"].astype(str).str.startswith("IMF DOTS")
        & rows["partner_iso3"].isin(list(partners))
        & rows["year"].isin(list(years))
        & (rows["period"] == "annual")
    ].copy()
    rows["kind"] = rows["excluded"].map(_artefact_kind)
    return rows


def imf_artefacts(trade: pd.DataFrame, *, flow: str, partners: Sequence[str], years: Iterable[int]) -> pd.DataFrame:
    """China's figure divided by the IMF's fill-in 'partner' figure, per partner and year."""
    years = list(years)
    rows = artefact_rows(trade, partners, years)
    if rows.empty:
        return pd.DataFrame(columns=["partner", "year", "china", "imf_partner", "ratio", "kind"])
    art = _table(rows[rows["usd_m"].notna()], flow, partners)
    china = series(trade, reporter="china", flow=flow, partners=partners)
    kinds = rows.groupby(["partner_iso3", "year"])["kind"].first()
    out = []
    for p in partners:
        if p not in art:
            continue
        for y, v in art[p].dropna().items():
            c = china[p].get(y) if p in china else None
            if c is None or pd.isna(c) or not v:
                continue
            out.append(
                {
                    "partner": p,
                    "year": int(y),
                    "china": float(c),
                    "imf_partner": float(v),
                    "ratio": float(c) / float(v),
                    "kind": kinds.get((p, y), ""),
                }
            )
    return pd.DataFrame(out, columns=["partner", "year", "china", "imf_partner", "ratio", "kind"])


def artefact_summary(trade: pd.DataFrame, partners: Sequence[str], years: Iterable[int]) -> pd.DataFrame:
    """One row per partner and kind of IMF artefact: years, rows, and why it is not drawn."""
    rows = artefact_rows(trade, partners, years)
    if rows.empty:
        return pd.DataFrame(columns=["partner", "what the IMF series is", "years", "rows", "source_id"])
    out = []
    for (p, kind), g in rows.groupby(["partner_iso3", "kind"], sort=True):
        out.append(
            {
                "partner": p,
                "what the IMF series is": kind,
                "years": spans(g["year"].astype(int)),
                "rows": len(g),
                "source_id": ", ".join(sorted(set(g["source_id"].astype(str)))),
            }
        )
    return pd.DataFrame(out)


def series_disagreements(
    trade: pd.DataFrame, *, partners: Sequence[str], years: Iterable[int], tolerance: float = 1.0
) -> tuple[pd.DataFrame, int]:
    """Where two series give the same partner, year and flow and differ by more than ``tolerance`` %.

    Compares every annual US-dollar variant row with its primary row (the
    row named in ``variant_of``). Variants excluded as doubtful or as database
    artefacts are left out (the chapter lists them apart). Returns the rows
    that differ beyond the tolerance (largest first) and how many pairs were
    compared.
    """
    rows = to_usd_million(trade)
    rows = rows[(rows["period"] == "annual") & rows["usd_m"].notna()]
    prim = rows.set_index("row_id")
    var = rows[rows["variant_of"].notna() & rows["partner_iso3"].isin(list(partners)) & rows["year"].isin(list(years))]
    var = var[var["variant_of"].isin(prim.index)]
    if "excluded" in var.columns:
        var = var[var["excluded"].isna()]
    out = []
    for _, v in var.iterrows():
        p = prim.loc[v["variant_of"]]
        pv, vv = float(p["usd_m"]), float(v["usd_m"])
        if not pv:
            continue
        diff = (vv - pv) / abs(pv) * 100
        out.append(
            {
                "partner": v["partner_iso3"],
                "year": int(v["year"]),
                "reporter": "China" if v["reporter_iso3"] == "CHN" else v["reporter_iso3"],
                "flow": v["flow"],
                "primary_usd_m": pv,
                "primary_source": p["source_id"],
                "variant_usd_m": vv,
                "variant_source": v["source_id"],
                "difference_percent": diff,
            }
        )
    table = pd.DataFrame(
        out,
        columns=[
            "partner",
            "year",
            "reporter",
            "flow",
            "primary_usd_m",
            "primary_source",
            "variant_usd_m",
            "variant_source",
            "difference_percent",
        ],
    )
    compared = len(table)
    table = table[table["difference_percent"].abs() > tolerance]
    table = table.reindex(table["difference_percent"].abs().sort_values(ascending=False).index)
    return table.reset_index(drop=True), compared


def gap_summary(gap: pd.DataFrame) -> pd.DataFrame:
    """Per partner: years both sides publish, median, lowest and highest ratio, and the latest one."""
    out = []
    for p, g in gap.groupby("partner", sort=False):
        g = g.sort_values("year")
        r = g["ratio"]
        lo, hi = g.loc[r.idxmin()], g.loc[r.idxmax()]
        out.append(
            {
                "partner": p,
                "years_both": len(g),
                "first": int(g["year"].iloc[0]),
                "last": int(g["year"].iloc[-1]),
                "median_ratio": float(r.median()),
                "lowest_ratio": float(lo["ratio"]),
                "lowest_in": int(lo["year"]),
                "highest_ratio": float(hi["ratio"]),
                "highest_in": int(hi["year"]),
                "latest_ratio": float(r.iloc[-1]),
            }
        )
    return pd.DataFrame(
        out,
        columns=[
            "partner",
            "years_both",
            "first",
            "last",
            "median_ratio",
            "lowest_ratio",
            "lowest_in",
            "highest_ratio",
            "highest_in",
            "latest_ratio",
        ],
    )


# --- promises against outcomes -----------------------------------------------------------


def _target_usd_m(row) -> float:
    factor = USD_MILLION_PER_UNIT.get(str(row["unit"]))
    return float(row["value"]) * factor if factor is not None else float("nan")


def target_actuals(trade: pd.DataFrame, aggregates: pd.DataFrame, partner: str, flow: str) -> dict[str, pd.Series]:
    """The actual series a target is measured against: {'China-reported': s, 'partner-reported': s}.

    ``partner`` is an ISO3 code or ``CA5`` (the five Central Asian states: the
    sum of the five in years where all five are known, else the published
    regional total; the partners' side only where all five publish).
    """
    flow = FLOW_OF_CHOICE.get(flow, flow)
    if partner == "CA5":
        c = regional_total(series(trade, reporter="china", flow=flow, partners=CENTRAL_ASIA), CENTRAL_ASIA)["total"]
        if flow == "total":
            pub = published_totals(aggregates).drop_duplicates("year").set_index("year")["usd_m"].astype("float64")
            c = c.combine_first(pub)
        pr = regional_total(series(trade, reporter="partner", flow=flow, partners=CENTRAL_ASIA), CENTRAL_ASIA)["total"]
    else:
        c = series(trade, reporter="china", flow=flow, partners=[partner])[partner]
        pr = series(trade, reporter="partner", flow=flow, partners=[partner])[partner]
    out = {"China-reported": c.dropna().astype("float64"), "partner-reported": pr.dropna().astype("float64")}
    return {k: v for k, v in out.items() if len(v)}


def _deadline(t) -> int | None:
    d = t["deadline_year"]
    return None if d is None or pd.isna(d) else int(d)


def target_status(actual: pd.Series, target: float, announced: int, deadline: int | None) -> dict:
    """Whether a target was met, missed or is on track, from one actual series.

    * met: some year from the announcement to the deadline reaches the target;
    * missed: the deadline year has a figure (or a later one does) and none reached it;
    * on track / behind: the deadline is after the latest figure; on track when
      the compound rate since the announcement year (or the first year after it
      with a figure) would reach the target by the deadline;
    * no figure: no value from the announcement year on.

    A target without a deadline ("as soon as possible") is met or not yet met.
    """
    s = actual[(actual.index >= announced)].dropna()
    if s.empty or pd.isna(target):
        return {"status": "no figure", "year": None, "value": float("nan"), "percent_of_target": float("nan")}
    if deadline is None:
        hit = s[s >= target]
        if len(hit):
            y = int(hit.index[0])
            return {
                "status": f"met in {y} (no deadline given)",
                "year": y,
                "value": float(hit.iloc[0]),
                "percent_of_target": float(hit.iloc[0]) / target * 100,
            }
        y, v = int(s.index[-1]), float(s.iloc[-1])
        return {
            "status": f"not yet met, no deadline given ({y}: {v / target * 100:.0f}% of the target)",
            "year": y,
            "value": v,
            "percent_of_target": v / target * 100,
        }
    upto = s[s.index <= deadline]
    hit = upto[upto >= target]
    if len(hit):
        y = int(hit.index[0])
        return {
            "status": f"met in {y}",
            "year": y,
            "value": float(hit.iloc[0]),
            "percent_of_target": float(hit.iloc[0]) / target * 100,
        }
    last_y = int(s.index.max())
    if last_y >= deadline:
        y = int(upto.index.max()) if len(upto) else last_y
        v = float(s.loc[y])
        return {
            "status": f"missed ({y}: {v / target * 100:.0f}% of the target)",
            "year": y,
            "value": v,
            "percent_of_target": v / target * 100,
        }
    v = float(s.iloc[-1])
    first_y, first_v = int(s.index[0]), float(s.iloc[0])
    if last_y > first_y and first_v > 0 and v > 0:
        rate = (v / first_v) ** (1 / (last_y - first_y))
        projected = v * rate ** (deadline - last_y)
        word = "on track" if projected >= target else "behind"
    else:
        word = "too early to tell"
    return {
        "status": f"{word} ({last_y}: {v / target * 100:.0f}% of the target)",
        "year": last_y,
        "value": v,
        "percent_of_target": v / target * 100,
    }


def targets_in_selection(targets: pd.DataFrame, partners: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Targets for the chosen partners, and the Central Asia-wide (CA5) ones apart."""
    tp = targets["partner"].astype(str)
    return targets[tp.isin(list(partners))].copy(), targets[tp == "CA5"].copy()


def targets_table(targets: pd.DataFrame, trade: pd.DataFrame, aggregates: pd.DataFrame) -> pd.DataFrame:
    """One row per target and reporter: the promise, the outcome and the computed status."""
    rows = []
    for _, t in targets.iterrows():
        target = _target_usd_m(t)
        announced = pd.Timestamp(str(t["announced_date"])).year
        deadline = _deadline(t)
        actuals = target_actuals(trade, aggregates, str(t["partner"]), str(t["flow"]))
        for who in ("China-reported", "partner-reported"):
            if who not in actuals:
                rows.append(
                    {
                        "target_id": t["target_id"],
                        "partner": t["partner"],
                        "announced": str(t["announced_date"]),
                        "by": t["announced_by"],
                        "target_usd_m": target,
                        "deadline": deadline,
                        "series": who,
                        "status": "no figure",
                        "year": None,
                        "value_usd_m": float("nan"),
                        "percent_of_target": float("nan"),
                    }
                )
                continue
            st = target_status(actuals[who], target, announced, deadline)
            rows.append(
                {
                    "target_id": t["target_id"],
                    "partner": t["partner"],
                    "announced": str(t["announced_date"]),
                    "by": t["announced_by"],
                    "target_usd_m": target,
                    "deadline": deadline,
                    "series": who,
                    "status": st["status"],
                    "year": st["year"],
                    "value_usd_m": st["value"],
                    "percent_of_target": st["percent_of_target"],
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "target_id",
            "partner",
            "announced",
            "by",
            "target_usd_m",
            "deadline",
            "series",
            "status",
            "year",
            "value_usd_m",
            "percent_of_target",
        ],
    )


def plot_targets(
    targets: pd.DataFrame,
    trade: pd.DataFrame,
    aggregates: pd.DataFrame,
    *,
    scale: str = "linear",
    title: str = "Trade targets, and the trade that followed",
):
    """One panel per target: the actual series by both reporters, the target as a line to its deadline.

    ``title`` heads the figure (and names it on the site: without it the
    figure was captioned with its first panel's title).
    """
    import math as _m

    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from ..core import style

    n = len(targets)
    cols = 1 if n == 1 else 2
    nrows = _m.ceil(n / cols)
    fig, axes = plt.subplots(
        nrows, cols, figsize=(FIG_WIDTH, max(MIN_HEIGHT, 4.0 * nrows + 0.8 + (0.5 if title else 0))), squeeze=False
    )
    for ax, (_, t) in zip(axes.flat, targets.iterrows()):
        target = _target_usd_m(t)
        announced = pd.Timestamp(str(t["announced_date"])).year
        deadline = _deadline(t)
        who = str(t["partner"])
        color = style.country_color(who) if who != "CA5" else style.REGION_COLORS["Central Asia"]
        actuals = target_actuals(trade, aggregates, who, str(t["flow"]))
        lo = announced - 5
        years = [lo, announced] + ([deadline] if deadline else [])
        for label, s in actuals.items():
            s = s[s.index >= lo]
            s = s.reindex(range(int(s.index.min()), int(s.index.max()) + 1)) if len(s) else s
            ax.plot(
                s.index, s.to_numpy(), "-o" if label.startswith("China") else "--s", ms=3.5, color=color, linewidth=1.8
            )
            years += list(s.index)
        end = deadline if deadline else max(years)
        ax.plot([announced, end], [target, target], color=TARGET_COLOR, linewidth=2, linestyle="-" if deadline else ":")
        if deadline:
            ax.plot([deadline], [target], "D", color=TARGET_COLOR, ms=7)
        style.money_axis(ax, scale="linear")
        ax.set_ylabel("")
        year_axis(ax, years)
        place = "Central Asia (five)" if who == "CA5" else prose.name(who)
        by = f"by {deadline}" if deadline else "no deadline"
        ax.set_title(f"{place}: {prose.usd(target)}\n{by} (set {announced})", fontsize=12)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles = [
        Line2D([], [], color="#444444", marker="o", label="China-reported"),
        Line2D([], [], color="#444444", marker="s", linestyle="--", label="partner-reported"),
        Line2D([], [], color=TARGET_COLOR, marker="D", label="target, to its deadline"),
    ]
    height = fig.get_figheight()
    if title:
        fig.suptitle(title, x=0.01, y=1 - 0.08 / height, ha="left", va="top", fontsize=15, fontweight="bold")
    top_room = 0.5 if title else 0.0  # inches for the title above the legend
    fig.legend(handles=handles, loc="upper center", ncol=3, bbox_to_anchor=(0.5, 1 - top_room / height), frameon=False)
    fig.supylabel("current US dollars", fontsize=12)
    fig.subplots_adjust(
        left=0.13,
        right=0.98,
        top=1 - (0.95 + top_room) / height,
        bottom=0.45 / fig.get_figheight() + 0.02,
        hspace=0.6,
        wspace=0.28,
    )
    return fig


# --- sentences computed from the run (issue 16) -------------------------------------------

#: Partner-years of the Central Asian states compared in the text about shares.
FLOW_WORDS = {
    "total": "total trade",
    "china_exports": "China's exports",
    "china_imports": "China's imports",
    "balance": "China's balance (exports minus imports)",
}
REPORTER_WORDS = {
    "china": "by China's statistics",
    "partner": "by the partners' own statistics",
    "both": "by China's and the partners' own statistics, side by side",
}


FLOW_WITH = {
    "total": "total trade with",
    "china_exports": "China's exports to",
    "china_imports": "China's imports from",
    "balance": "China's balance with",
}


def _who(side: str, partner: str) -> str:

    return "by China's count" if side == "china" else f"by {prose.name(partner)}'s own count"


def run_title(p: dict) -> str:
    """The run's heading: partners, window and flow."""

    flow = FLOW_OF_CHOICE[p["flow"]]
    what = "" if flow == "total" else f": {FLOW_WORDS[flow]}"
    return f"## China's trade with {prose.names(p['countries'])}, {prose.span(p['start_year'], p['end_year'])}{what}"


def run_intro(p: dict, rows_used: int, sources_used: int) -> str:
    """What this run shows, in one paragraph (the parameters in words)."""

    flow = FLOW_OF_CHOICE[p["flow"]]
    return (
        f"**This run:** {FLOW_WITH[flow].replace('total trade', 'China’s total trade')} {prose.names(p['countries'])}, "
        f"{prose.span(p['start_year'], p['end_year'])}, {REPORTER_WORDS[p['reporter']]}; "
        f"{p['scale']} value axes; index base year {p['base_year']}. "
        f"{prose.plural(rows_used, 'annual US-dollar row')} from {prose.plural(sources_used, 'source')} feed its charts."
    )


def coverage_text(cov: pd.DataFrame) -> str:
    """How full the grid is: partner-years by side, and the partners with the emptiest record."""

    counts = coverage_counts(cov)
    total = counts.to_numpy().sum()
    b, c, pa, n = (int(counts[k].sum()) for k in ("both", "china", "partner", "none"))
    years = prose.span(int(cov.index.min()), int(cov.index.max()))
    out = [
        f"Of the {prose.plural(int(total), 'partner-year')} in {years}, both sides publish a figure in {b}, "
        f"only China in {c}, only the partner in {pa}, and neither in {n}."
    ]
    if len(counts) > 1:
        full = [p for p in counts.index if counts.loc[p, "both"] == len(cov)]
        if full:
            out.append(f"Both sides publish every year for {prose.names(full)}.")
    one_sided = counts[counts["china"] > counts["both"]]
    for p in one_sided.index:
        out.append(
            f"For {prose.name(p)} only China's figure exists in {counts.loc[p, 'china']} of the "
            f"{len(cov)} years: the partner's own statistics are missing there."
        )
    empty = counts[counts["none"] > 0]
    if len(empty):
        out.append(
            "Years with no figure from either side: "
            + "; ".join(f"{prose.name(p)} {spans(cov.index[cov[p] == ''])}" for p in empty.index)
            + "."
        )
    return " ".join(out)


def trend_text(basis: pd.DataFrame, sides: dict[str, str], flow: str, gap: pd.DataFrame | None = None) -> str:
    """The trend per partner on the run's basis, the largest partner at the end, and the two sides compared."""

    out = []
    if flow == "balance":
        for p in basis.columns:
            s = basis[p].dropna()
            if s.empty:
                out.append(f"{prose.name(p)}: no balance can be computed in the window ({_who(sides[p], p)}).")
                continue
            y, v = int(s.index[-1]), float(s.iloc[-1])
            pos = int((s > 0).sum())
            word = "a surplus" if v >= 0 else "a deficit"
            out.append(
                f"With {prose.name(p)}, China had {word} of {prose.usd(abs(v))} in {y} "
                f"({_who(sides[p], p)}); a surplus in {pos} of the {prose.plural(len(s), 'year')} with a figure."
            )
        return " ".join(out)
    for p in basis.columns:
        s = basis[p].dropna()
        s = s[s > 0]
        if not len(s):
            out.append(
                f"{prose.name(p)} has no figure in the window ({_who(sides[p], p)}): "
                "the charts show it as a gap, not as zero."
            )
            continue
        if len(s) < 2:
            out.append(
                f"{prose.name(p)} has {prose.plural(len(s), 'year')} with a figure in the window "
                f"({_who(sides[p], p)}), too few for a trend."
            )
            continue
        y0, y1 = int(s.index[0]), int(s.index[-1])
        v0, v1 = float(s.iloc[0]), float(s.iloc[-1])
        text = (
            f"{FLOW_WITH[flow][0].upper() + FLOW_WITH[flow][1:]} {prose.name(p)} went from {prose.usd(v0)} in {y0} to "
            f"{prose.usd(v1)} in {y1} ({_who(sides[p], p)}), {prose.times(v1 / v0)} the first figure"
        )
        peak_y = int(s.idxmax())
        if peak_y != y1 and float(s.max()) > 1.1 * v1:
            text += f"; it peaked at {prose.usd(float(s.max()))} in {peak_y}"
        out.append(text + ".")
    if len(basis.columns) > 1:
        last = basis.dropna(how="all")
        if len(last):
            y = int(last.index[-1])
            row = last.loc[y].dropna()
            lead = row.idxmax()
            out.append(
                f"In {y}, the last year of the window with a figure, the largest partner was "
                f"{prose.name(lead)} ({prose.usd(float(row[lead]))}, {_who(sides[lead], lead)})."
            )
    if gap is not None and len(gap):
        above = int((gap["ratio"] > 1).sum())
        out.append(
            f"Where both sides publish, China's figure is the higher one in {above} of "
            f"{prose.plural(len(gap), 'partner-year')} (section 6)."
        )
    return " ".join(out)


def regional_text(compare: pd.DataFrame, region: pd.DataFrame, start: int, end: int) -> str:
    """The sum of the five against the published totals, in the window."""

    complete = region["total"].dropna()
    out = [
        f"In {prose.span(start, end)} China's figure is known for all five states in "
        f"{prose.plural(len(complete), 'year')}."
    ]
    both = compare.dropna(subset=["sum_of_five_usd_m"])
    both = both[both["usd_m"].notna()]
    if len(both):
        diffs = (both["usd_m"] - both["sum_of_five_usd_m"]).abs()
        worst = both.loc[diffs.idxmax()]
        last = both.iloc[-1]
        out.append(
            f"Where a published total and the sum of the five exist for the same year "
            f"({prose.plural(len(both), 'year')}), they differ by at most {prose.usd(float(diffs.max()))} "
            f"({int(worst['year'])}); in {int(last['year'])} the published total was "
            f"{prose.usd(float(last['usd_m']))} against a sum of {prose.usd(float(last['sum_of_five_usd_m']))}."
        )
    elif len(compare):
        out.append("No year has both a published total and a complete sum, so the two cannot be compared here.")
    else:
        out.append("No published regional total falls in the window.")
    return " ".join(out)


def hundredfold_text(published: pd.DataFrame, start: int, end: int) -> str:
    """The seed's '100-fold, 1992 to 2012' against the published totals (when the window holds both years)."""

    if not (start <= 1992 and end >= 2012):
        return prose.not_in_selection(
            "The check of the starting document's '100-fold from 1992 to 2012'",
            f"the window {prose.span(start, end)} does not include both years",
        )
    pub = published.drop_duplicates("year").set_index("year")
    if 1992 not in pub.index or 2012 not in pub.index:
        return '**"100-fold" from 1992 to 2012.** The published totals lack one of the two years, so the claim cannot be checked here.'
    a, b = pub.loc[1992], pub.loc[2012]
    ratio = float(b["usd_m"]) / float(a["usd_m"])
    hedge = " (a rounded figure)" if bool(a["estimate"]) else ""
    return (
        f'**"100-fold" from 1992 to 2012.** The published totals give {prose.usd(float(a["usd_m"]))} for 1992'
        f"{hedge} (`{a['source_id']}`) and {prose.usd(float(b['usd_m']))} for 2012 (`{b['source_id']}`), "
        f"a ratio of {ratio:.0f}. The claims chapter checks the claim with its working."
    )


def shares_text(shares_table: pd.DataFrame, totals: pd.DataFrame) -> str:
    """The leader's share in the latest complete year, its range, and the 'nearly half' claim."""

    sh = shares_table.dropna(how="all")
    if sh.empty:
        return "No year of the window has China's figure for all five states, so no shares can be computed."
    y = int(sh.index[-1])
    row = sh.loc[y]
    lead = row.idxmax()
    lead_range = sh[lead]
    out = [
        f"Among the five Central Asian states, in {y}, the latest complete year of the window, {prose.name(lead)} had the largest share: "
        f"{prose.usd(float(totals.loc[y, lead]))}, {prose.pct(float(row[lead]))} of the five's total."
    ]
    if len(sh) > 1:
        out.append(
            f"Across the {prose.plural(len(sh), 'complete year')} its share ranged from "
            f"{prose.pct(float(lead_range.min()))} ({int(lead_range.idxmin())}) to "
            f"{prose.pct(float(lead_range.max()))} ({int(lead_range.idxmax())})."
        )
        first = sh.iloc[0]
        change = (row - first).drop(lead)
        if len(change):
            up = change.idxmax()
            if change[up] > 2:
                out.append(
                    f"The largest gain among the others was {prose.name(up)}'s, from "
                    f"{prose.pct(float(first[up]))} in {int(sh.index[0])} to {prose.pct(float(row[up]))} in {y} "
                    "(by China's count)."
                )
    if 2023 in sh.index:
        k = float(sh.loc[2023, "KAZ"])
        verdict = "holds" if 45 <= k < 50 else "does not hold"
        out.append(
            f'The starting document\'s "nearly half" for Kazakhstan in 2023: {prose.pct(k)}, so the phrase {verdict}.'
        )
    return " ".join(out)


def growth_text(growth_tab: pd.DataFrame, sides: dict[str, str], flow: str = "total") -> str:
    """Fastest and slowest compound growth in the growth table."""

    if flow == "balance":
        return (
            "Growth of China's surplus (a balance has no growth rate where it changes sign: years with a deficit "
            "are left out). " + growth_text(growth_tab, sides)
        )

    g = growth_tab.dropna(subset=["cagr_percent"])
    out = []
    if g.empty:
        return "No partner has two years with a positive figure in the window, so no growth can be computed."
    for _, r in g.sort_values("cagr_percent", ascending=False).iterrows():
        out.append(
            f"{prose.name(r['partner'])}: {prose.times(float(r['ratio']))} from {int(r['from'])} to "
            f"{int(r['to'])}, {float(r['cagr_percent']):.1f}% a year ({_who(sides[r['partner']], r['partner'])})"
        )
    text = "; ".join(out) + "."
    if len(g) > 1:
        fast = g.loc[g["cagr_percent"].idxmax()]
        text = f"Fastest compound growth: {prose.name(fast['partner'])}. " + text
    missing = growth_tab[growth_tab["cagr_percent"].isna()]
    if len(missing):
        text += f" No growth for {prose.names(missing['partner'])}: fewer than two years with a figure."
    return text


def tajik_claim_text(china_all: pd.DataFrame, countries: Sequence[str], start: int, end: int) -> str:
    """The seed's 'Tajikistan +53.5% to USD 3.93 billion in 2023', checked when the selection holds it."""

    if "TJK" not in countries or not start <= 2023 <= end:
        why = (
            "Tajikistan is not among the chosen countries"
            if "TJK" not in countries
            else f"the window {prose.span(start, end)} does not include 2023"
        )
        return prose.not_in_selection(
            'The check of the starting document\'s "Tajikistan +53.5% to USD 3.93 billion in 2023"', why
        )
    s = china_all["TJK"] if "TJK" in china_all else pd.Series(dtype="float64")
    v23, v22 = s.get(2023), s.get(2022)
    text = '**The starting document\'s "Tajikistan, +53.5% to USD 3.93 billion in 2023".** '
    if v23 is None or pd.isna(v23):
        return text + "China's 2023 figure is missing, so the claim cannot be checked."
    text += f"China's 2023 figure in the data is {prose.usd(float(v23), digits=3)}"
    if v22 is None or pd.isna(v22) or not (start <= 2022):
        return text + "; China's 2022 figure is not in the window or the data, so the growth rate cannot be checked."
    g = (float(v23) / float(v22) - 1) * 100
    verdict = "matches" if abs(g - 53.5) <= 1 else "does not match"
    return (
        text
        + f", and its 2022 figure {prose.usd(float(v22), digits=3)}: growth of {g:.1f}%, which {verdict} the claim."
    )


def mirror_text(summary: pd.DataFrame) -> str:
    """Per partner: the median ratio of China's figure to the partner's, its range and the latest value."""

    if summary.empty:
        return "No partner-year in the window has both China's and the partner's figure, so no gap can be shown."
    out = []
    for _, r in summary.sort_values("median_ratio", ascending=False).iterrows():
        name = prose.name(r["partner"])
        if r["years_both"] == 1:
            out.append(
                f"**{name}**: one year with both figures ({r['last']}), China's {prose.times(r['latest_ratio'])} the partner's."
            )
            continue
        out.append(
            f"**{name}**: in {r['years_both']} years with both figures ({prose.span(r['first'], r['last'])}) "
            f"China's figure was typically {r['median_ratio']:.2f} times the partner's (median), from "
            f"{r['lowest_ratio']:.2f} ({r['lowest_in']}) to {r['highest_ratio']:.2f} ({r['highest_in']}); "
            f"{r['latest_ratio']:.2f} in {r['last']}."
        )
    if len(summary) > 1:
        top = summary.loc[summary["median_ratio"].idxmax()]
        out.append(
            f"A reader who quotes trade with {prose.name(top['partner'])} should say whose statistics are "
            f"meant: in a typical year the two answers differ by a factor of {top['median_ratio']:.1f}."
        )
    return "\n\n".join(out)


def balance_text(balance: pd.DataFrame) -> str:
    """Surplus and deficit years per partner and the largest deficit (China-reported)."""

    b = balance.dropna(how="all")
    if b.empty:
        return "China's statistics give no year with both exports and imports for the chosen partners in the window."
    out = []
    for p in b.columns:
        s = b[p].dropna()
        if s.empty:
            out.append(f"{prose.name(p)}: no year with both flows.")
            continue
        pos = int((s > 0).sum())
        last_y, last_v = int(s.index[-1]), float(s.iloc[-1])
        word = "surplus" if last_v >= 0 else "deficit"
        out.append(
            f"{prose.name(p)}: a surplus for China in {pos} of {prose.plural(len(s), 'year')}; "
            f"a {word} of {prose.usd(abs(last_v))} in {last_y}."
        )
    low = b.min().min()
    if low < 0:
        who = b.min().idxmin()
        y = int(b[who].idxmin())
        out.append(f"The largest deficit in the window: {prose.usd(abs(float(low)))} with {prose.name(who)} in {y}.")
    return " ".join(out)


def index_text(index: pd.DataFrame, left_out: Sequence[str], base_year: int, basis_name: str) -> str:
    """Which partners the index covers, which it leaves out, and the latest index values."""

    out = []
    if left_out:
        out.append(
            f"No {basis_name} figure above zero in {base_year} for {prose.names(left_out)}: "
            f"{'it is' if len(left_out) == 1 else 'they are'} left out of the index."
        )
    idx = index.dropna(how="all")
    if idx.empty:
        out.append("No partner can be indexed to this base year.")
        return " ".join(out)
    last = []
    for p in idx.columns:
        s = idx[p].dropna()
        if len(s) and int(s.index[-1]) != base_year:
            last.append(f"{prose.name(p)} {s.iloc[-1]:,.0f} in {int(s.index[-1])}")
    if last:
        out.append(f"Index values at the latest year with a figure ({base_year} = 100): " + "; ".join(last) + ".")
    return " ".join(out)


def table1_text(t1: pd.DataFrame) -> str:
    """Corrections and disagreements among the Table 1 cells shown."""

    if t1.empty:
        return ""
    fixed = t1[t1["correction"] != "none"]
    by_row = fixed.groupby("row_label").size().sort_values(ascending=False)
    count = f"{len(fixed)} cells" if len(fixed) > 1 else ("1 cell" if len(fixed) else "No cell")
    out = [
        f"{count} of the {len(t1)} shown {'were' if len(fixed) > 1 else 'was'} corrected"
        + (": " + ", ".join(f"{n} in the {lab} row" for lab, n in by_row.items()) if len(by_row) else "")
        + "."
    ]
    dis = t1[t1["verdict"] == "disagrees"]
    if len(dis):
        out.append(
            "Cells that still disagree with the independent figure after correction (shown as disagreements, "
            "not fixed): " + "; ".join(f"{r.row_label} {r.year}" for r in dis.itertuples()) + "."
        )
    else:
        out.append("No cell shown disagrees with its independent figure by more than 10%.")
    return " ".join(out)


def targets_text(table: pd.DataFrame) -> str:
    """One line per target and reporter: the promise and the computed outcome."""

    if table.empty:
        return ""
    out = []
    for _tid, g in table.groupby("target_id", sort=False):
        r = g.iloc[0]
        place = "the five Central Asian states" if r["partner"] == "CA5" else prose.name(r["partner"])
        parts = [f"{who}: {st}" for who, st in zip(g["series"], g["status"])]
        by = f"by {int(r['deadline'])}" if pd.notna(r["deadline"]) else "with no deadline"
        out.append(
            f"- {prose.usd(float(r['target_usd_m']))} with {place} {by} "
            f"(announced {r['announced']} by {r['by']}): " + "; ".join(parts) + "."
        )
    return "\n".join(out)


def key_outputs(
    *,
    p: dict,
    basis: pd.DataFrame,
    sides: dict[str, str],
    gap_sum: pd.DataFrame,
    growth_tab: pd.DataFrame,
    balance: pd.DataFrame,
) -> dict[str, str]:
    """3-5 labelled results of a run, for the sweep index's comparison table."""
    out: dict[str, str] = {}
    last = basis.dropna(how="all")
    if len(last):
        y = int(last.index[-1])
        row = last.loc[y].dropna()
        lead = row.idxmax()
        from ..core import prose

        out["largest partner, last year"] = f"{lead} {y}: {prose.usd(float(row[lead]))}"
    g = growth_tab.dropna(subset=["cagr_percent"])
    if len(g):
        r = g.loc[g["cagr_percent"].idxmax()]
        out["fastest growth (CAGR)"] = (
            f"{r['partner']} {float(r['cagr_percent']):.1f}%/yr ({int(r['from'])}-{int(r['to'])})"
        )
        out["growth multiple"] = f"{r['partner']} x{float(r['ratio']):.1f}"
    if len(gap_sum):
        top = gap_sum.loc[gap_sum["median_ratio"].idxmax()]
        out["mirror-gap ratio, latest year"] = f"{top['latest_ratio']:.2f} ({top['partner']} {top['last']})"
    b = balance.dropna(how="all")
    if len(b):
        y = int(b.index[-1])
        tot = float(b.loc[y].sum())
        out["China's balance, last year"] = (
            f"{'+' if tot >= 0 else '-'}{abs(tot) / 1000:.1f} bn ({y}, {prose.plural(int(b.loc[y].notna().sum()), 'partner')})"
        )
    return out


def disagreement_text(disagree: pd.DataFrame, compared: int, countries: Sequence[str], window: str) -> str:
    """How many second readings differ from the primary figure beyond 1%, and the largest."""

    if not compared:
        return f"No figure for {prose.names(countries)} in {window} has a second reading to compare."
    text = (
        f"Of {prose.plural(compared, 'second reading')} of a figure for {prose.names(countries)} in {window}, "
        f"{len(disagree)} {'differs' if len(disagree) == 1 else 'differ'} from the primary figure by more than 1%"
    )
    if len(disagree):
        top = disagree.iloc[0]
        text += (
            f"; the largest difference is {abs(float(top['difference_percent'])):.0f}% "
            f"({prose.name(top['partner'])} {int(top['year'])}, {FLOW_WORDS[top['flow']]}, "
            f"`{top['variant_source']}` against `{top['primary_source']}`)"
        )
    return text + "."


def jump_rows(trade: pd.DataFrame, partners: Sequence[str], years: Iterable[int]) -> pd.DataFrame:
    """Rows the data flags as a sudden jump (drawn on both sides by one rule, not excluded), in the window."""
    notes = trade["notes"].fillna("").astype(str)
    rows = trade[
        notes.str.contains("Sudden jump", regex=False)
        & trade["partner_iso3"].isin(list(partners))
        & trade["year"].isin(list(years))
    ]
    return rows.sort_values(["partner_iso3", "year", "reporter_iso3"])


def jump_text(rows: pd.DataFrame, countries: Sequence[str]) -> str:
    """The one rule for sudden jumps, and the rows of the selection it applies to."""

    rule = (
        "**Sudden jumps.** A jump is not by itself a reason to leave a figure out: where both sides report it, "
        "both sides' rows are drawn, on the same rule, and flagged in the data."
    )
    if rows.empty:
        return rule + f" No row this run draws for {prose.names(countries)} is flagged as a sudden jump."
    listed = "; ".join(
        f"{prose.name(r.partner_iso3)} {r.year}, {FLOW_WORDS[r.flow]}, "
        f"{'China' if r.reporter_iso3 == 'CHN' else prose.name(r.reporter_iso3)}-reported "
        f"({prose.usd(float(r.value) * USD_MILLION_PER_UNIT.get(str(r.unit), float('nan')))}, `{r.row_id}`)"
        for r in rows.itertuples()
    )
    return rule + f" Flagged rows this run draws: {listed}."


# --- the chapter's closing ---------------------------------------------------------------------

#: Which chapter to read next, and why (the same in every run).
WHATS_NEXT = (
    "**What's next.** `04_energy_pipelines` follows the goods behind much of this trade, oil from Kazakhstan and "
    "gas from Turkmenistan (the deficit of section 8), through the pipelines into China: what they can carry and "
    "what they have carried. `06_claims_vs_data` later sets the starting documents' trade figures against the series "
    "of this chapter."
)


def key_findings(
    *,
    p: dict,
    basis: pd.DataFrame,
    sides: dict[str, str],
    growth_tab: pd.DataFrame,
    gap_sum: pd.DataFrame,
    balance: pd.DataFrame,
    target_table: pd.DataFrame | None = None,
    t1: pd.DataFrame | None = None,
) -> str:
    """The chapter's "Key findings", computed from the run: bullets that quote its own numbers.

    Every number comes from the tables the run computed (growth, mirror gap,
    balance, targets, Table 1); a finding with nothing to say in this run is
    left out, and the list says so if none remains.
    """

    flow = FLOW_OF_CHOICE[p["flow"]]
    window = prose.span(p["start_year"], p["end_year"])
    bullets: list[str] = []
    b = basis.dropna(how="all")
    if len(b) and flow != "balance":
        y = int(b.index[-1])
        row = b.loc[y].dropna()
        row = row[row > 0]
        if len(row):
            lead = row.idxmax()
            text = (
                f"**Size.** In {y}, the last year of {window} with a figure, {prose.name(lead)} was the largest of the "
                f"chosen partners by {FLOW_WORDS[flow]}: {prose.usd(float(row[lead]))} ({_who(sides[lead], lead)})"
            )
            if len(row) > 1:
                text += f", of {prose.usd(float(row.sum()))} for the {len(row)} partners with a figure that year"
            bullets.append(text + ".")
    g = growth_tab.dropna(subset=["cagr_percent"]) if flow != "balance" else growth_tab.iloc[0:0]
    if len(g):
        fast = g.loc[g["cagr_percent"].idxmax()]
        what = FLOW_WITH[flow][0].upper() + FLOW_WITH[flow][1:]
        text = (
            f"**Growth.** {what} {prose.name(fast['partner'])} went from {prose.usd(float(fast['value_from']))} in "
            f"{int(fast['from'])} to {prose.usd(float(fast['value_to']))} in {int(fast['to'])} "
            f"({prose.times(float(fast['ratio']))}, {float(fast['cagr_percent']):.1f}% a year compounded, "
            f"{_who(sides[fast['partner']], fast['partner'])})"
            + (", the fastest of the chosen partners" if len(g) > 1 else "")
        )
        if len(g) > 1:
            slow = g.loc[g["cagr_percent"].idxmin()]
            text += (
                f"; the slowest, {prose.name(slow['partner'])}, {float(slow['cagr_percent']):.1f}% a year "
                f"({int(slow['from'])}–{int(slow['to'])})"
            )
        bullets.append(text + ".")
    if len(gap_sum):
        top = gap_sum.loc[gap_sum["median_ratio"].idxmax()]
        text = (
            f"**Two counts.** Where both sides publish, China's figure for {prose.name(top['partner'])} was typically "
            f"{top['median_ratio']:.2f} times {prose.name(top['partner'])}'s own (median of "
            f"{prose.plural(int(top['years_both']), 'year')})"
        )
        if len(gap_sum) > 1:
            low = gap_sum.loc[gap_sum["median_ratio"].idxmin()]
            text += f"; for {prose.name(low['partner'])} {low['median_ratio']:.2f} times"
        bullets.append(text + ": whose statistics a figure comes from can matter more than the year.")
    bal = balance.dropna(how="all")
    if len(bal):
        y = int(bal.index[-1])
        row = bal.loc[y].dropna()
        surplus = [c for c in row.index if row[c] >= 0]
        deficit = [c for c in row.index if row[c] < 0]
        parts = []
        if surplus:
            parts.append(f"a surplus with {prose.names(surplus)}")
        if deficit:
            parts.append(f"a deficit with {prose.names(deficit)}")
        bullets.append(
            f"**Balance.** By China's statistics, in {y} China had "
            + " and ".join(parts)
            + (
                f" (only {prose.plural(len(row), 'chosen partner')} {'has' if len(row) == 1 else 'have'} both flows that year)."
                if len(row) < len(bal.columns)
                else "."
            )
        )
    if target_table is not None and len(target_table):
        china_side = target_table[target_table["series"] == "China-reported"]
        kinds = ["not yet met", "met", "missed", "on track", "behind", "too early to tell", "no figure"]
        kind = china_side["status"].map(lambda st: next((k for k in kinds if str(st).startswith(k)), "other"))
        counts = kind.value_counts()
        said = [f"{int(counts[k])} {k}" for k in kinds + ["other"] if k in counts.index]
        bullets.append(
            f"**Promises.** Of the {prose.plural(len(china_side), 'trade target')} set for the chosen "
            f"partners (judged on the whole series, whatever the window), by China's count: " + ", ".join(said) + "."
        )
    if t1 is not None and len(t1):
        fixed = int((t1["correction"] != "none").sum())
        dis = int((t1["verdict"] == "disagrees").sum())
        bullets.append(
            f"**A printed table.** In Gao Fei's Table 1 (section 12), {fixed} of the "
            f"{len(t1)} cells shown for the chosen partners needed a correction of the scan, and "
            f"{dis} still {'disagrees' if dis == 1 else 'disagree'} with an independent figure after it."
        )
    if not bullets:
        bullets.append(
            "This run's window and partners hold too few figures for a finding with numbers; "
            "the sections above say which years are missing."
        )
    return "## Key findings\n\n" + "\n".join(f"- {x}" for x in bullets) + "\n\n" + WHATS_NEXT


# --- tables as the reader sees them (issue 19) ----------------------------------------------

#: Column names and codes of this chapter's tables in words (country codes as names).
TABLE_LABELS: dict[object, str] = {
    "china": "China-reported",
    "partner_reported": "Partner-reported",
    "partner_reported_total": "Partner-reported total",
    "years_both": "Years with both figures",
    "first": "First year",
    "last": "Last year",
    "lowest_in": "Year of the lowest",
    "highest_in": "Year of the highest",
    "percent": "Change (%)",
    "value_from": "Value, first year",
    "value_to": "Value, last year",
    "members_with_data": "States with a figure",
    "sum_of_five_usd_m": "Sum of the five (USD million)",
    "CA5": "Central Asia (five)",
}
#: Units of the money columns of this chapter's tables (values are USD million after conversion).
TABLE_UNITS: dict[str, str] = {
    c: "USD million"
    for c in (
        "china",
        "partner_reported",
        "partner_reported_total",
        "gap",
        "value_from",
        "value_to",
        "total",
        "china_exports",
        "china_imports",
        "balance",
    )
}


def table(frame: pd.DataFrame, name: str, **kwargs):
    """:func:`style.table` with this chapter's labels (country names for codes) and money units."""
    from ..core import style

    codes = {c: prose.name(c) for c in (*CENTRAL_ASIA, "RUS", "CHN")}
    labels = {**codes, **TABLE_LABELS, **kwargs.pop("labels", {})}
    units = {c: u for c, u in TABLE_UNITS.items() if c in frame.columns}
    units.update(kwargs.pop("units", {}))
    return style.table(frame, name, labels=labels, units=units, **kwargs)
