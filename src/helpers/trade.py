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
from typing import Iterable, Sequence

import pandas as pd

from . import data
from .parameters import CENTRAL_ASIA, year_spans as spans
from .parameters import TRADE_FLOW_OF_CHOICE as FLOW_OF_CHOICE
from .units import OTHER_UNITS, USD_MILLION_PER_UNIT

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
    out["usd_m"] = (out["value"].astype("Float64") * factor.astype("Float64"))
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


def annual(trade: pd.DataFrame) -> pd.DataFrame:
    """Usable annual US-dollar rows with ``usd_m`` and ``reporter`` columns."""
    rows = to_usd_million(usable(trade))
    rows = rows[(rows["period"] == "annual") & rows["usd_m"].notna()].copy()
    rows["reporter"] = reporter_side(rows)
    return rows


def series(trade: pd.DataFrame, *, reporter: str, flow: str, partners: Sequence[str],
           years: Iterable[int] | None = None) -> pd.DataFrame:
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
    rows = annual(trade)
    rows = rows[(rows["reporter"] == reporter) & rows["partner_iso3"].isin(list(partners))]

    def wide(f: str) -> pd.DataFrame:
        sel = rows[rows["flow"] == f]
        return sel.pivot_table(index="year", columns="partner_iso3", values="usd_m", aggfunc="first")

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


def rows_behind(trade: pd.DataFrame, *, reporter: str, flow: str, partners: Sequence[str],
                years: Iterable[int]) -> pd.DataFrame:
    """The trade rows a :func:`series` call draws on (for a figure's source line)."""
    rows = annual(trade)
    flows = ("china_exports", "china_imports") if flow == "balance" else (flow, "china_exports", "china_imports")
    return rows[(rows["reporter"] == reporter) & rows["partner_iso3"].isin(list(partners))
                & rows["year"].isin(list(years)) & rows["flow"].isin(flows)]


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
    if v0 is None or v1 is None or (isinstance(v0, float) and math.isnan(v0)) or (isinstance(v1, float) and math.isnan(v1)):
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
            rows.append({
                "partner": partner, "year": int(year), "china": cv, "partner_reported": pv,
                "gap": cv - pv,
                "gap_pct": (cv - pv) / abs(pv) * 100 if pv else float("nan"),
                "ratio": cv / pv if pv else float("nan"),
            })
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
            rows.append({"partner": partner, "from": None, "to": None, "value_from": None, "value_to": None,
                         "ratio": None, "percent": None, "cagr_percent": None,
                         "note": f"fewer than two years with data in {start}-{end}"})
            continue
        y0, y1 = int(s.index[0]), int(s.index[-1])
        g = growth(float(s.iloc[0]), float(s.iloc[-1]))
        note = "" if (y0, y1) == (start, end) else f"window {start}-{end}; nearest years with data used"
        rows.append({"partner": partner, "from": y0, "to": y1, "value_from": float(s.iloc[0]),
                     "value_to": float(s.iloc[-1]), "ratio": g["ratio"], "percent": g["percent"],
                     "cagr_percent": cagr(float(s.iloc[0]), float(s.iloc[-1]), y1 - y0), "note": note})
    return pd.DataFrame(rows)


def published_totals(aggregates: pd.DataFrame, *, flow: str = "total") -> pd.DataFrame:
    """Published annual US-dollar totals for all five Central Asian states (primary readings)."""
    rows = to_usd_million(data.primary(aggregates))
    keep = (rows["period"] == "annual") & (rows["flow"] == flow) & rows["usd_m"].notna() \
        & (rows["members"] == ";".join(CENTRAL_ASIA))
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


def latest_table(trade: pd.DataFrame, partners: Sequence[str], end_year: int) -> pd.DataFrame:
    """For each partner, the latest year up to ``end_year`` with a China-reported total.

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
        s = tot.loc[tot.index <= end_year, p].dropna()
        if s.empty:
            continue
        y = int(s.index[-1])
        get = lambda t: float(t.loc[y, p]) if y in t.index and pd.notna(t.loc[y, p]) else float("nan")
        e, i, pr = get(exp), get(imp), get(par)
        share = float(s.iloc[-1]) / float(region.loc[y]) * 100 if p in CENTRAL_ASIA and pd.notna(region.get(y)) else float("nan")
        rows.append({"partner": p, "year": y, "total": float(s.iloc[-1]), "china_exports": e, "china_imports": i,
                     "balance": e - i, "partner_reported_total": pr, "gap": float(s.iloc[-1]) - pr,
                     "share_of_central_asia_percent": share})
    return pd.DataFrame(rows)


# --- figures -----------------------------------------------------------------------


def _money_format():
    """Tick labels for USD million values: '40 bn', '500 m'."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v / 1000:,.0f} bn" if v >= 1000 else f"{v:,.0f} m")


def _money_axis(ax, scale: str, label: str = "USD million") -> None:
    from matplotlib.ticker import FuncFormatter

    ax.set_yscale(scale)
    ax.set_ylabel(label)
    ax.yaxis.set_major_formatter(_money_format())
    if scale == "log":
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))


def plot_series(china: pd.DataFrame | None, partner: pd.DataFrame | None, *, scale: str = "linear",
                ax=None, title: str | None = None, ylabel: str = "USD million"):
    """One line per partner; China-reported solid, partner-reported dashed.

    Missing years are not bridged: a line breaks at a gap and a lone year is
    a dot, so the chart shows where the data stop.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from . import style

    if ax is None:
        _, ax = plt.subplots(figsize=(12, 6))
    frames = [(china, "-", "o", "China-reported"), (partner, "--", "s", "partner-reported")]
    used_styles = []
    for frame, ls, marker, label in frames:
        if frame is None or frame.dropna(how="all").empty:
            continue
        used_styles.append((ls, marker, label))
        for p in frame.columns:
            s = frame[p]
            ax.plot(s.index, s.to_numpy(), ls, marker=marker, ms=4.5, color=style.country_color(p), linewidth=2)
    handles = [Line2D([], [], color=style.country_color(p), linewidth=3, label=p)
               for p in (china if china is not None else partner).columns]
    handles += [Line2D([], [], color="#444444", linestyle=ls, marker=m, label=lab) for ls, m, lab in used_styles]
    ax.legend(handles=handles, ncol=2, loc="upper left")
    _money_axis(ax, scale, ylabel)
    ax.set_xlabel("")
    if title:
        ax.set_title(title)
    return ax


def plot_coverage(cov: pd.DataFrame, *, ax=None, title: str | None = None):
    """Partner-by-year grid: which side publishes a value (the gaps are the message)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    colors = {"both": "#2166AC", "china": "#92C5DE", "partner": "#F4A582", "": "#F7F7F7"}
    labels = {"both": "both sides", "china": "China only", "partner": "partner only", "": "no value"}
    if ax is None:
        _, ax = plt.subplots(figsize=(13, 0.5 * len(cov.columns) + 1.8))
    for j, p in enumerate(cov.columns):
        for year, v in cov[p].items():
            ax.add_patch(plt.Rectangle((year - 0.45, j - 0.4), 0.9, 0.8, color=colors[v], linewidth=0))
    ax.set_xlim(cov.index.min() - 0.7, cov.index.max() + 0.7)
    ax.set_ylim(len(cov.columns) - 0.5, -0.5)
    ax.set_yticks(range(len(cov.columns)))
    ax.set_yticklabels(cov.columns)
    ax.grid(False)
    ax.legend(handles=[Patch(color=colors[k], label=labels[k]) for k in colors], ncol=1,
              loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if title:
        ax.set_title(title)
    return ax


def plot_bars_by_year(table: pd.DataFrame, *, ax=None, title: str | None = None, ylabel: str = "",
                      stacked: bool = True, percent: bool = False):
    """Stacked (or grouped) bars, one colour per partner; years without a value left empty."""
    import matplotlib.pyplot as plt
    import numpy as np

    from . import style

    if ax is None:
        _, ax = plt.subplots(figsize=(12, 5.5))
    years = table.index.to_numpy()
    bottom = np.zeros(len(table))
    for k, p in enumerate(table.columns):
        vals = table[p].fillna(0).to_numpy()
        if stacked:
            ax.bar(years, vals, bottom=bottom, color=style.country_color(p), label=p, width=0.8)
            bottom = bottom + vals
        else:
            w = 0.8 / len(table.columns)
            ax.bar(years - 0.4 + w * (k + 0.5), vals, width=w, color=style.country_color(p), label=p)
    if not stacked:
        ax.axhline(0, color="#444444", linewidth=1)
    ax.set_ylabel(ylabel)
    if not percent:
        _money_axis(ax, "linear", ylabel or "USD million")
    ax.legend(ncol=len(table.columns), loc="upper left")
    if title:
        ax.set_title(title)
    return ax


def plot_mirror(gap: pd.DataFrame, *, ax=None, title: str | None = None):
    """China's figure against the partner's for each partner-year both publish, with the ratio."""
    import matplotlib.pyplot as plt
    import numpy as np

    from . import style

    if ax is None:
        _, ax = plt.subplots(figsize=(12, 0.42 * len(gap) + 1.6))
    gap = gap.reset_index(drop=True)
    y = np.arange(len(gap))[::-1]
    for yy, (_, row) in zip(y, gap.iterrows()):
        color = style.country_color(row["partner"])
        ax.plot([row["partner_reported"], row["china"]], [yy, yy], color=color, linewidth=2.5, alpha=0.6)
        ax.plot(row["china"], yy, "o", color=color, ms=8)
        ax.plot(row["partner_reported"], yy, "s", mfc="white", mec=color, mew=2, ms=8)
        ax.text(max(row["china"], row["partner_reported"]) * 1.08, yy, f"x{row['ratio']:.2f}", va="center", fontsize=11)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{r.partner} {r.year}" for r in gap.itertuples()])
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(_money_format())
    ax.set_xlabel("Total trade, USD (log scale): dot = China's figure, square = partner's; label = China / partner")
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title)
    return ax


def plot_regional(region: pd.DataFrame, published: pd.DataFrame, *, scale: str = "linear", ax=None,
                  title: str | None = None):
    """The sum of the five states (complete years only) against the published regional totals."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(12, 5.5))
    ax.plot(region.index, region["total"], "o-", color="#333333", label="sum of the five (complete years only)")
    ax.plot(published["year"], published["usd_m"], "D", ms=9, mfc="none", mec="#D55E00", mew=2,
            label="published regional total")
    _money_axis(ax, scale)
    ax.legend(loc="upper left")
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
