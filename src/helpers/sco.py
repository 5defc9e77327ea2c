"""The SCO's institutional history: who held which status when, and its events.

Used by ``notebooks/01_sco_history.ipynb`` and by the tests. Statuses are
read on a day: a spell counts from its ``start_date`` (inclusive) to its
``end_date`` (exclusive; empty while it lasts). "Status in year Y" means the
status held on 31 December of Y, so a country admitted at a June summit
counts from that year.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import pandas as pd

from . import data, style
from .parameters import STATUS_ORDER


def year_end(year: int) -> dt.date:
    """31 December of ``year``: the day a year's snapshot is read."""
    return dt.date(int(year), 12, 31)


def status_on(membership: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The spells in force on ``day``, one row per country.

    Returns the membership rows (all columns, so their ``source_id`` can go
    into a figure's source line) whose spell covers the day, sorted by
    status then country. A country holds at most one status at a time (the
    data validation checks that spells of one organisation do not overlap;
    the Shanghai Five's spells end when the SCO's begin).
    """
    start_ok = membership["start_date"] <= day
    end_ok = membership["end_date"].map(lambda d: pd.isna(d) or d > day)
    current = membership[start_ok & end_ok].copy()
    dupes = current["country_iso3"].duplicated(keep=False)
    if dupes.any():
        raise ValueError(f"more than one status on {day} for: {sorted(set(current.loc[dupes, 'country_iso3']))}")
    current["status"] = pd.Categorical(current["status"], categories=STATUS_ORDER, ordered=True)
    return current.sort_values(["status", "country_name"]).reset_index(drop=True)


def status_in_year(membership: pd.DataFrame, year: int) -> pd.DataFrame:
    """Status held on 31 December of ``year`` (see :func:`status_on`)."""
    return status_on(membership, year_end(year))


def counts_by_year(membership: pd.DataFrame, years: Iterable[int], statuses: Iterable[str]) -> pd.DataFrame:
    """Number of countries per status at the end of each year.

    Returns a frame indexed by year with one column per status in
    ``statuses`` (in the house order), zeros where none.
    """
    statuses = [s for s in STATUS_ORDER if s in set(statuses)]
    rows = []
    for year in years:
        snap = status_in_year(membership, year)
        counts = snap["status"].value_counts()
        rows.append({"year": year, **{s: int(counts.get(s, 0)) for s in statuses}})
    return pd.DataFrame(rows).set_index("year")


def rows_behind_counts(membership: pd.DataFrame, years: Iterable[int], statuses: Iterable[str]) -> pd.DataFrame:
    """The membership rows that a year-by-year count draws on (for its source line)."""
    keep = set(statuses)
    frames = [status_in_year(membership, y) for y in years]
    drawn = pd.concat(frames) if frames else membership.iloc[0:0]
    return drawn[drawn["status"].astype(str).isin(keep)]


def primary(events: pd.DataFrame) -> pd.DataFrame:
    """Events without the rows that record a disagreeing source (``variant_of`` set).

    Charts draw one date per event; :func:`disagreements` lists the others.
    """
    return data.primary(events)


def disagreements(events: pd.DataFrame) -> pd.DataFrame:
    """Each row that records a disagreeing source, beside the row it disagrees with.

    Returns one row per pair: the event, the date and source drawn in the
    charts, the other date and its source, and the note explaining it.
    """
    v = data.variants(events, "event_id")
    return pd.DataFrame({
        "event": v["title_drawn"],
        "date drawn": [_as_given(d, p) for d, p in zip(v["date_drawn"], v["date_precision_drawn"])],
        "source drawn": v["source_id_drawn"],
        "other reading": [_as_given(d, p) for d, p in zip(v["date_other"], v["date_precision_other"])],
        "its source": v["source_id_other"],
        "note": v["notes_other"],
    })


def _as_given(day: dt.date, precision: str) -> str:
    """A date written only as precisely as its source gives it."""
    return {"day": f"{day:%Y-%m-%d}", "month": f"{day:%Y-%m}", "year": f"{day:%Y}"}[precision]


def until(frame: pd.DataFrame, year: int | None, column: str = "date") -> pd.DataFrame:
    """Rows whose ``column`` (a date) falls in ``year`` or earlier; all rows if ``year`` is None."""
    return frame if year is None else frame[frame[column].map(lambda d: d.year) <= year]


def summits(events: pd.DataFrame, until_year: int | None = None) -> pd.DataFrame:
    """Heads-of-state meetings (Shanghai Five and SCO), oldest first, one row each."""
    s = primary(events)
    s = until(s[s["event_type"] == "summit"], until_year)
    return s.sort_values("date").reset_index(drop=True)


def milestones(events: pd.DataFrame, until_year: int | None = None) -> pd.DataFrame:
    """Every event other than summits (agreements, founding, Charter, enlargements...)."""
    m = primary(events)
    m = until(m[m["event_type"] != "summit"], until_year)
    return m.sort_values(["date", "event_id"]).reset_index(drop=True)


def changes_since(membership: pd.DataFrame, year: int, until_year: int | None = None) -> pd.DataFrame:
    """Spells that began after ``year`` (and by ``until_year``): how the organisation changed."""
    later = until(membership[membership["start_date"].map(lambda d: d.year) > year], until_year, "start_date")
    cols = ["start_date", "country_name", "country_iso3", "status", "decided_at", "source_id"]
    return later.sort_values(["start_date", "country_name"])[cols].reset_index(drop=True)


def count_phrase(statuses: pd.Series) -> str:
    """'10 members, 17 partners': how many of each status, in the house order."""
    counts = statuses.astype(str).value_counts()
    parts = []
    for s in [s for s in STATUS_ORDER if s in counts.index]:
        n = int(counts[s])
        parts.append(f"{n} {s.replace('_', ' ')}{'s' if n != 1 else ''}")
    return ", ".join(parts)


def status_table(snapshot: pd.DataFrame, statuses: Iterable[str]) -> pd.DataFrame:
    """Who held which of ``statuses`` in a snapshot from :func:`status_on`, since when, per which source."""
    shown = snapshot[snapshot["status"].astype(str).isin(set(statuses))]
    return pd.DataFrame({
        "country": shown["country_name"],
        "iso3": shown["country_iso3"],
        "status": shown["status"].astype(str),
        "since": shown["start_date"],
        "source_id": shown["source_id"],
    })


def summit_table(events: pd.DataFrame, countries: pd.DataFrame, until_year: int | None = None) -> pd.DataFrame:
    """Every summit numbered from 1, with its city and host country's name.

    ``countries`` is the countries table indexed by ``iso3``; a summit held
    by video conference has no host city or country.
    """
    summ = summits(events, until_year)
    table = pd.DataFrame({
        "date": summ["date"],
        "city": summ["city"].fillna("-"),
        "host": summ["host_iso3"].map(lambda c: countries.loc[c, "name"] if pd.notna(c) else "(video conference)"),
        "source_id": summ["source_id"],
    })
    table.index = range(1, len(table) + 1)
    return table


# --- charts -----------------------------------------------------------------------


def plot_counts(counts: pd.DataFrame, ax=None, *, title: str | None = None):
    """Stacked bars of countries per status and year, in the house colours."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(11, 5.5))
    bottom = pd.Series(0, index=counts.index)
    for status in counts.columns:
        ax.bar(counts.index, counts[status], bottom=bottom, color=style.status_color(status),
               label=style.STATUS_LABELS[status], width=0.8, edgecolor="white", linewidth=0.5)
        bottom = bottom + counts[status]
    ax.set_xlabel("Year (status on 31 December)")
    ax.set_ylabel("Number of countries")
    ax.legend(loc="upper left", ncols=len(counts.columns))
    ax.set_ylim(0, max(1, bottom.max()) * 1.18)
    ax.grid(axis="x", visible=False)
    if title:
        ax.set_title(title)
    return ax


#: Lanes of the timeline, top to bottom: (label, event types, colour, label the points?)
TIMELINE_LANES = (
    ("Border agreements", ("border_agreement",), "#6A3D9A", True),
    ("Founding and Charter", ("founding", "charter_signed", "charter_in_force"), "#D55E00", True),
    ("New members", ("enlargement",), "#08306B", True),
    ("Accession steps", ("accession_step",), "#4292C6", False),
    ("Observers and partners", ("status_change",), "#6BAED6", False),
    ("Other", ("other",), "#8C8C8C", False),
    ("Summits", ("summit",), "#555555", False),
)


def plot_timeline(events: pd.DataFrame, ax=None, *, title: str | None = None):
    """Milestones in lanes by kind of event, one point per event.

    Only the lanes few enough to read (agreements, founding and Charter, new
    members) carry labels; the others are counted in their lane's name and
    listed in the milestones table.
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(12, 6))
    ev = primary(events)
    when = lambda frame: pd.to_datetime(frame["date"].astype(str))  # noqa: E731
    lanes = [lane for lane in TIMELINE_LANES if ev["event_type"].isin(lane[1]).any()]
    for y, (label, kinds, colour, labelled) in enumerate(reversed(lanes)):
        sel = ev[ev["event_type"].isin(kinds)].sort_values("date")
        ax.scatter(when(sel), [y] * len(sel), s=70, color=colour, edgecolor="white", linewidth=0.8, zorder=3)
        ax.text(-0.01, y, f"{label} ({len(sel)})", transform=ax.get_yaxis_transform(), ha="right",
                va="center", fontsize=11)
        if labelled:
            for i, (_, row) in enumerate(sel.iterrows()):
                ax.annotate(row["title"], (pd.Timestamp(str(row["date"])), y), xytext=(-4, 8 + 11 * (i % 3)),
                            textcoords="offset points", ha="left", va="bottom", fontsize=8.5)
    ax.set_yticks([])
    ax.set_ylim(-0.6, len(lanes) - 0.1)
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(mdates.YearLocator(2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title)
    return ax


def plot_status_map(snapshot: pd.DataFrame, statuses: Iterable[str], highlight: Iterable[str] = (), ax=None,
                    *, title: str | None = None):
    """Map of the countries holding the given statuses, highlighted codes outlined."""
    import matplotlib.patches as mpatches
    import matplotlib.pyplot as plt

    from . import maps

    if ax is None:
        _, ax = plt.subplots(figsize=(12, 8.5))
    maps.base_map(ax)
    keep = snapshot[snapshot["status"].astype(str).isin(set(statuses))]
    colours = {r.country_iso3: style.status_color(str(r.status)) for r in keep.itertuples()}
    maps.fill_countries(ax, colours, highlight=tuple(highlight))
    shown = [s for s in STATUS_ORDER if s in set(keep["status"].astype(str))]
    handles = [mpatches.Patch(color=style.status_color(s), label=style.STATUS_LABELS[s]) for s in shown]
    if highlight:
        handles.append(mpatches.Patch(facecolor="none", edgecolor=style.HIGHLIGHT_EDGE, linewidth=2,
                                      label="Highlighted"))
    ax.legend(handles=handles, loc="lower left", fontsize=12, frameon=True, framealpha=0.9)
    if title:
        ax.set_title(title)
    return ax
