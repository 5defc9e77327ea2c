"""The SCO's institutional history: who held which status when, and its events.

Used by ``notebooks/01_sco_history.ipynb`` and by the tests. Statuses are
read on a day: a spell counts from its ``start_date`` (inclusive) to its
``end_date`` (exclusive; empty while it lasts). "Status in year Y" means the
status held on 31 December of Y, so a country admitted at a June summit
counts from that year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..core import data, prose, style
from ..core.vocab import STATUS_ORDER


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


def _in_force(membership: pd.DataFrame, years: Iterable[int]) -> dict[int, Any]:
    """For each year, a boolean mask of the spells in force on 31 December (same rule as :func:`status_on`).

    Vectorised, so a chart over thirty years does not build thirty snapshots.
    """
    import numpy as np

    start = np.array([d.toordinal() for d in membership["start_date"]])
    end = np.array([d.toordinal() if pd.notna(d) else 10**9 for d in membership["end_date"]])
    return {int(y): (start <= year_end(y).toordinal()) & (end > year_end(y).toordinal()) for y in years}


def counts_by_year(membership: pd.DataFrame, years: Iterable[int], statuses: Iterable[str]) -> pd.DataFrame:
    """Number of countries per status at the end of each year.

    Returns a frame indexed by year with one column per status in
    ``statuses`` (in the house order), zeros where none.
    """
    statuses = [s for s in STATUS_ORDER if s in set(statuses)]
    status = membership["status"].astype(str).to_numpy()
    rows = []
    for year, mask in _in_force(membership, years).items():
        held = status[mask]
        rows.append({"year": year, **{s: int((held == s).sum()) for s in statuses}})
    return pd.DataFrame(rows, columns=["year", *statuses]).set_index("year")


def rows_behind_counts(membership: pd.DataFrame, years: Iterable[int], statuses: Iterable[str]) -> pd.DataFrame:
    """The membership rows that a year-by-year count draws on (for its source line)."""
    import numpy as np

    masks = list(_in_force(membership, years).values())
    used = np.logical_or.reduce(masks) if masks else np.zeros(len(membership), dtype=bool)
    drawn = membership[used]
    return drawn[drawn["status"].astype(str).isin(set(statuses))]


def primary(events: pd.DataFrame) -> pd.DataFrame:
    """Events without the rows that record a disagreeing source (``variant_of`` set).

    Charts draw one date per event; :func:`disagreements` lists the others.
    """
    return data.primary(events)


def disagreements(events: pd.DataFrame, until_year: int | None = None) -> pd.DataFrame:
    """Each row that records a disagreeing source, beside the row it disagrees with.

    Returns one row per pair: the event, the date and source drawn in the
    charts, the other date and its source, and the note explaining it. With
    ``until_year``, only events whose drawn date falls in that year or earlier.
    """
    v = data.variants(events, "event_id")
    if until_year is not None:
        v = v[v["date_drawn"].map(lambda d: d.year) <= until_year].reset_index(drop=True)
    return pd.DataFrame(
        {
            "event": v["title_drawn"],
            "date drawn": [_as_given(d, p) for d, p in zip(v["date_drawn"], v["date_precision_drawn"])],
            "source drawn": v["source_id_drawn"],
            "other reading": [_as_given(d, p) for d, p in zip(v["date_other"], v["date_precision_other"])],
            "its source": v["source_id_other"],
            "note": v["notes_other"],
        }
    )


def _as_given(day: dt.date, precision: str) -> str:
    """A date written only as precisely as its source gives it ("2016", "January 2016", "26 April 1996")."""
    return style.date_label(day, precision)


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
    out = later.sort_values(["start_date", "country_name"])[cols].reset_index(drop=True)
    events = data.load("sco_events").drop_duplicates("event_id").set_index("event_id")
    out["decided_at"] = [summit_label(e, events) for e in out["decided_at"]]  # the summit in words, not its id
    return out


def summit_label(event_id, events: pd.DataFrame | None = None) -> str:
    """A summit's event id as a reader names it: ``summit-2012-beijing`` -> "Beijing summit, June 2012".

    The city and month come from ``sco_events``; a summit held by video
    conference (no city) reads "Video summit, July 2023". Anything not a
    known event id is returned as it is; a missing value is "". ``events`` is
    ``sco_events`` indexed by ``event_id`` (loaded when not given).
    """
    if event_id is None or (not isinstance(event_id, str) and pd.isna(event_id)):
        return ""
    if events is None:
        events = data.load("sco_events").drop_duplicates("event_id").set_index("event_id")
    if event_id not in events.index:
        return str(event_id)
    row = events.loc[event_id]
    city = row["city"] if isinstance(row["city"], str) and row["city"] else None
    where = f"{city} summit" if city else "Video summit"
    return f"{where}, {style.date_label(row['date'], 'month')}"


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
    return pd.DataFrame(
        {
            "country": shown["country_name"],
            "iso3": shown["country_iso3"],
            "status": shown["status"].astype(str),
            "since": shown["start_date"],
            "source_id": shown["source_id"],
        }
    )


def summit_table(events: pd.DataFrame, countries: pd.DataFrame, until_year: int | None = None) -> pd.DataFrame:
    """Every summit numbered from 1, with its city and host country's name.

    ``countries`` is the countries table indexed by ``iso3``; a summit held
    by video conference has no host city or country.
    """
    summ = summits(events, until_year)
    table = pd.DataFrame(
        {
            "date": summ["date"],
            "city": summ["city"].fillna("-"),
            "host": summ["host_iso3"].map(lambda c: countries.loc[c, "name"] if pd.notna(c) else "(video conference)"),
            "source_id": summ["source_id"],
        }
    )
    table.index = pd.RangeIndex(1, len(table) + 1, name="no.")  # numbered from the first; no event ids
    return table


# --- charts -----------------------------------------------------------------------


def plot_counts(counts: pd.DataFrame, ax=None, *, title: str | None = None):
    """Stacked bars of countries per status and year, in the house colours."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(11, 5.5))
    bottom = pd.Series(0, index=counts.index)
    for status in counts.columns:
        ax.bar(
            counts.index,
            counts[status],
            bottom=bottom,
            color=style.status_color(status),
            label=style.STATUS_LABELS[status],
            width=0.8,
            edgecolor="white",
            linewidth=0.5,
        )
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


def timeline_lanes_sentence(events: pd.DataFrame) -> str:
    """Which lanes of the timeline carry event titles and which only their points, for the events drawn."""
    ev = primary(events)
    lanes = [lane for lane in TIMELINE_LANES if ev["event_type"].isin(lane[1]).any()]
    named = [f"*{label}*" for label, _, _, labelled in lanes if labelled]
    bare = [f"*{label}*" for label, _, _, labelled in lanes if not labelled]
    text = (
        "The timeline below draws the same events against time, one lane per kind of event; the lane's name (left) "
        "says which kind and how many events it holds."
    )
    if named:
        one = len(named) == 1
        text += f" {'The lane' if one else 'The lanes'} {prose.join(named)} {'carries' if one else 'carry'} the events' titles"
        if bare:
            one_b = len(bare) == 1
            text += (
                f"; {'the lane' if one_b else 'the lanes'} {prose.join(bare)}, which {'fills' if one_b else 'fill'} up over the years, "
                f"{'is' if one_b else 'are'} named but {'its' if one_b else 'their'} points are not (the tables "
                "name every event)."
            )
        else:
            text += "."
    elif bare:
        text += " The points carry no titles (the tables name every event)."
    return text


def plot_timeline(events: pd.DataFrame, ax=None, *, title: str | None = None):
    """Milestones in lanes by kind of event, one point per event.

    Only the lanes few enough to read (agreements, founding and Charter, new
    members) carry labels; the others are counted in their lane's name and
    listed in the milestones table.
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 6.5))
    ev = primary(events)
    when = lambda frame: pd.to_datetime(frame["date"].astype(str))  # noqa: E731
    lanes = [lane for lane in TIMELINE_LANES if ev["event_type"].isin(lane[1]).any()]
    lo, hi = when(ev).min(), when(ev).max()
    for y, (label, kinds, colour, labelled) in enumerate(reversed(lanes)):
        sel = ev[ev["event_type"].isin(kinds)].sort_values("date")
        ax.scatter(when(sel), [y] * len(sel), s=70, color=colour, edgecolor="white", linewidth=0.8, zorder=3)
        ax.text(
            -0.01, y, f"{label} ({len(sel)})", transform=ax.get_yaxis_transform(), ha="right", va="center", fontsize=11
        )
        if labelled:
            # Labels stack above their lane (three levels) and open towards the middle of the axis, so a label
            # near either end stays inside the figure at the site's column width (issue 19).
            middle = pd.Timestamp(f"{(lo.year + hi.year) // 2}-07-01")
            for i, (_, row) in enumerate(sel.iterrows()):
                at = pd.Timestamp(str(row["date"]))
                right = at > middle
                ax.annotate(
                    row["title"],
                    (at, y),
                    xytext=(4 if right else -4, 7 + 12 * (i % 3)),
                    textcoords="offset points",
                    ha="right" if right else "left",
                    va="bottom",
                    fontsize=style.SOURCE_FONT_SIZE,
                )
    ax.set_yticks([])
    ax.set_ylim(-0.6, len(lanes) - 0.1)
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(mdates.YearLocator(4))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title)
    return ax


def plot_status_map(
    snapshot: pd.DataFrame, statuses: Iterable[str], highlight: Iterable[str] = (), ax=None, *, title: str | None = None
):
    """Map of the countries holding the given statuses, highlighted codes outlined."""
    import matplotlib.patches as mpatches
    import matplotlib.pyplot as plt

    from ..core import maps

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 8.5))
    maps.base_map(ax)
    if len(ax.figure.axes) == 1:  # the map alone: the figure takes its shape (no empty band, issue 19)
        maps.fit_figure(ax)
    keep = snapshot[snapshot["status"].astype(str).isin(set(statuses))]
    colours = {r.country_iso3: style.status_color(str(r.status)) for r in keep.itertuples()}
    maps.fill_countries(ax, colours, highlight=tuple(highlight))
    shown = [s for s in STATUS_ORDER if s in set(keep["status"].astype(str))]
    handles = [mpatches.Patch(color=style.status_color(s), label=style.STATUS_LABELS[s]) for s in shown]
    if highlight:
        handles.append(
            mpatches.Patch(facecolor="none", edgecolor=style.HIGHLIGHT_EDGE, linewidth=2, label="Highlighted")
        )
    ax.legend(handles=handles, loc="lower left", fontsize=12, frameon=True, framealpha=0.9)
    if title:
        ax.set_title(title)
    return ax


# --- sentences that follow the run's parameters (issue 16) ------------------------------------

STATUS_WORDS = {
    "member": ("member", "members"),
    "observer": ("observer", "observers"),
    "dialogue_partner": ("dialogue partner", "dialogue partners"),
    "partner": ("partner", "partners"),
}


def _day(d) -> str:
    return f"{d:%-d %B %Y}"


def _first(events: pd.DataFrame, kinds: Iterable[str]):
    rows = primary(events)
    rows = rows[rows["event_type"].isin(list(kinds))].sort_values("date")
    return None if rows.empty else rows.iloc[0]


def _founders(membership: pd.DataFrame, organisation: str) -> list[str]:
    rows = membership[membership["organisation"] == organisation]
    first = rows["start_date"].min()
    return list(rows[rows["start_date"] == first]["country_name"])


def origins_paragraph(events: pd.DataFrame, membership: pd.DataFrame, as_of_year: int) -> str:
    """Section 1's story from the border agreements to the Charter, told only up to ``as_of_year``."""
    parts = ["The organisation grew out of the border questions China inherited from the Soviet Union."]
    agreements = primary(events)
    agreements = agreements[agreements["event_type"] == "border_agreement"].sort_values("date")
    five = _founders(membership, "shanghai_five")
    shown = agreements[agreements["date"].map(lambda d: d.year) <= as_of_year]
    for i, (_, row) in enumerate(shown.iterrows()):
        what = row["title"]
        if i == 0:
            parts.append(
                f"In {row['date']:%B %Y} the leaders of {prose.join(five)} met in {row['city']} and signed "
                f"the {what} (`{row['source_id']}`)."
            )
        else:
            parts.append(f"In {row['date']:%B %Y} in {row['city']} they signed the {what} (`{row['source_id']}`).")
    if len(shown) >= 2:
        parts.append(
            "Gao Fei (2010, `gao2010`) describes these two agreements as the foundation of what became "
            'known as the "Shanghai Five".'
        )
    founding = _first(events, ["founding"])
    if founding is not None and founding["date"].year <= as_of_year:
        new = membership[(membership["organisation"] == "sco") & (membership["start_date"] == founding["date"])]
        joined = sorted(set(new["country_name"]) - set(five))
        parts.append(
            f"The five met every year; at the {founding['city']} meeting of {founding['date']:%B %Y} "
            + (f"{prose.join(joined)} joined them and " if joined else "")
            + f"they declared a new organisation, the Shanghai Cooperation Organization (`{founding['source_id']}`)."
        )
    elif founding is not None:
        parts.append(
            f"Up to {as_of_year} the five met every year as the Shanghai Five; the organisation itself "
            f"does not exist yet in this run (it was founded in {founding['date'].year})."
        )
    for kind, words in (
        ("charter_signed", "Its Charter was signed in {city} on {day}"),
        ("charter_in_force", "and entered into force on {day}"),
    ):
        ev = _first(events, [kind])
        if ev is not None and ev["date"].year <= as_of_year:
            text = words.format(city=ev["city"], day=_day(ev["date"]))
            if kind == "charter_signed":
                parts.append(text + f" (`{ev['source_id']}`)")
            else:
                parts[-1] = parts[-1] + f" {text} (`{ev['source_id']}`)"
    if parts[-1].endswith(")") and not parts[-1].endswith(".)") and "Charter" in parts[-1]:
        parts[-1] += "."
    return " ".join(parts)


def phases_sentence(milestones: pd.DataFrame) -> str:
    """What the event_type column of the milestones shown says, phase by phase (from the rows)."""
    if milestones.empty:
        return "No milestone falls in the years of this run."
    year = lambda kinds: milestones[milestones["event_type"].isin(kinds)]["date"].map(lambda d: d.year)  # noqa: E731
    parts = []
    border, inst = year(["border_agreement"]), year(["founding", "charter_signed", "charter_in_force"])
    widen = year(["status_change", "accession_step"])
    enl = year(["enlargement"])
    enl = enl[enl > (inst.min() if len(inst) else 0)]
    if len(border):
        parts.append(
            f"**border agreements** ({prose.span(int(border.min()), int(border.max()))}): a security arrangement among "
            "neighbours"
        )
    if len(inst):
        parts.append(
            f"**institutional** events ({prose.span(int(inst.min()), int(inst.max()))}): founding, Charter, entry into force"
        )
    if len(widen):
        parts.append(f"**widening** from {widen.min()}: observers, dialogue partners and accession steps")
    if len(enl):
        parts.append(f"**new members** from {enl.min()}")
    if len(parts) == 1:
        return f"Read down the `event_type` column: the milestones of this run are {parts[0]}."
    return (
        "Read down the `event_type` column and the organisation's story has " + f"{len(parts)} phases in this "
        "run: " + "; ".join(parts) + "."
    )


def _by_year(rows: pd.DataFrame) -> str:
    groups = rows.sort_values(["start_date", "country_name"]).groupby(rows["start_date"].map(lambda d: d.year))
    return "; ".join(f"{prose.join(list(g['country_name']))} in {y}" for y, g in groups)


def timeline_paragraph(events: pd.DataFrame, membership: pd.DataFrame, as_of_year: int) -> str:
    """What the timeline shows up to ``as_of_year``: observers, new members, video summits (from the rows)."""
    sco_rows = until(membership[membership["organisation"] == "sco"], as_of_year, "start_date")
    founding = sco_rows["start_date"].min() if len(sco_rows) else None
    if founding is None:
        summ = summits(events, as_of_year)
        return (
            f"Up to {as_of_year} the timeline shows the Shanghai Five's border agreements and "
            f"{prose.plural(len(summ), 'annual meeting')} of its leaders; the organisation was not yet founded."
        )
    parts = []
    obs = sco_rows[sco_rows["status"] == "observer"]
    first_obs = obs.sort_values("start_date").drop_duplicates("country_iso3")
    if len(first_obs):
        parts.append(f"observers: {_by_year(first_obs)}")
    dp = sco_rows[sco_rows["status"] == "dialogue_partner"].drop_duplicates("country_iso3")
    if len(dp):
        parts.append(f"{prose.plural(len(dp), 'dialogue partner')} from {min(d.year for d in dp['start_date'])}")
    new_members = sco_rows[(sco_rows["status"] == "member") & (sco_rows["start_date"] > founding)]
    if len(new_members):
        parts.append(f"new members: {_by_year(new_members)}")
    pt = sco_rows[sco_rows["status"] == "partner"].drop_duplicates("country_iso3")
    if len(pt):
        parts.append(f"{prose.plural(len(pt), 'partner')} from {min(d.year for d in pt['start_date'])}")
    text = (
        f"From the founding in {founding.year} to {as_of_year} the timeline records "
        + ("; ".join(parts) if parts else "no change of status")
        + "."
    )
    summ = summits(events, as_of_year)
    video = summ[summ["host_iso3"].isna()]
    text += f" The summits in the bottom lane number {len(summ)}"
    if len(video):
        text += (
            f", of which {len(video)} {'was' if len(video) == 1 else 'were'} held by video conference ("
            + prose.join(
                [
                    f"{d.year}, {str(n).rstrip('.')}" if pd.notna(n) else str(d.year)
                    for d, n in zip(video["date"], video["notes"])
                ]
            )
            + ")"
        )
    return text + "."


def summit_hosts_sentence(summit_table: pd.DataFrame, membership: pd.DataFrame, as_of_year: int) -> str:
    """Where the summits up to ``as_of_year`` were held, checked against the founding states (from the rows)."""
    if summit_table.empty:
        return "No summit falls in the years of this run."
    founders = set(_founders(membership, "sco")) | set(_founders(membership, "shanghai_five"))
    in_person = summit_table[summit_table["host"] != "(video conference)"]
    outside = sorted(set(in_person["host"]) - founders)
    text = f"The summits move from capital to capital. Up to {as_of_year}, "
    if outside:
        text += f"summits held in person took place in {prose.join(sorted(set(in_person['host'])))}."
    else:
        text += (
            f"every summit held in person ({len(in_person)}) took place in one of the "
            f"SCO's {'six founding states' if len(founders) == 6 else 'founding states'}."
        )
    video = summit_table[summit_table["host"] == "(video conference)"]
    if len(video):
        text += (
            f" {prose.plural(len(video), 'summit')} {'was' if len(video) == 1 else 'were'} held by video "
            f"conference ({prose.join([str(d.year) for d in video['date']])})."
        )
    return text


def status_line(status_table: pd.DataFrame, statuses: Iterable[str], as_of_year: int) -> str:
    """'Status on 31 December 2025: 10 members, 17 partners', or why the table is empty."""
    if status_table.empty:
        chosen = ", ".join(STATUS_WORDS[s][1] for s in statuses)
        return f"Status on 31 December {as_of_year}: no country held any of the statuses chosen ({chosen})."
    return f"Status on 31 December {as_of_year}: {count_phrase(status_table['status'])}"


def membership_trend(membership: pd.DataFrame, counts: pd.DataFrame, statuses: Iterable[str], as_of_year: int) -> str:
    """What the membership chart shows, computed from the counts and the spells behind them."""
    statuses = [s for s in STATUS_ORDER if s in set(statuses)]
    y0, y1 = int(counts.index.min()), int(counts.index.max())
    parts = []
    if "member" in statuses:
        m = counts["member"]
        changes = [y for y in m.index[1:] if m[y] != m[y - 1]]
        sco_rows = membership[(membership["organisation"] == "sco") & (membership["status"] == "member")]
        founding = sco_rows["start_date"].min()
        later = until(sco_rows[sco_rows["start_date"] > founding], as_of_year, "start_date")
        text = f"The number of **members** went from {m[y0]} in {y0} to {m[y1]} in {y1}"
        if changes:
            text += f", changing in {prose.join([str(y) for y in changes])}"
        if len(later):
            text += f"; the members admitted after the founding are {_by_year(later)}"
        parts.append(text + ".")
    others = [s for s in statuses if s != "member"]
    if others:
        ring = counts[others].sum(axis=1)
        present = ring[ring > 0]
        words = prose.join([STATUS_WORDS[s][1] for s in others], "or")
        if present.empty:
            parts.append(f"No country was one of the {words} chosen in {prose.span(int(y0), int(y1))}.")
        else:
            first = int(present.index.min())
            parts.append(
                f"Countries holding a non-member status chosen ({words}) first appear in {first} "
                f"({present[first]}) and number {ring[y1]} at the end of {y1}, against {m_or(counts, y1)}."
            )
    merged = [s for s in ("observer", "dialogue_partner", "partner") if s in statuses]
    if as_of_year >= 2025 and merged and "partner" in set(membership["status"]):
        first_partner = membership[membership["status"] == "partner"]["start_date"].min()
        if first_partner.year <= as_of_year:
            parts.append(
                f"In {first_partner.year} the observer and dialogue-partner statuses were merged into a single "
                '"SCO partner" status (`tass-2025-partners`)'
                + (
                    "; the chart shows the switch as the observer and dialogue-partner bars giving way to one "
                    "partner bar."
                    if "partner" in statuses
                    else "; this run leaves `partner` out, so the non-member bars stop in that year."
                )
            )
    return " ".join(parts)


def m_or(counts: pd.DataFrame, year: int) -> str:
    """'10 members' in a year, or 'members not shown' when the run leaves them out."""
    if "member" in counts.columns:
        n = int(counts.loc[year, "member"])
        return f"{n} member{'s' if n != 1 else ''}"
    return "members, which this run does not show"


def highlight_sentences(
    snapshot: pd.DataFrame,
    membership: pd.DataFrame,
    countries: pd.DataFrame,
    highlight: Iterable[str],
    statuses: Iterable[str],
    as_of_year: int,
) -> str:
    """What the outlined countries hold at the end of ``as_of_year`` (computed from the snapshot)."""
    highlight = list(highlight)
    if not highlight:
        return "No country is outlined in this run."
    held = dict(zip(snapshot["country_iso3"], snapshot["status"].astype(str)))
    chosen = set(statuses)
    groups: dict[str, list[str]] = {}
    for c in highlight:
        name = countries.loc[c, "name"]
        if c in held and held[c] in chosen:
            key = f"{held[c]}|(filled)"
        elif c in held:
            key = f"{held[c]}|, a status this run does not show (outlined only)"
        elif c in set(membership["country_iso3"]):
            key = f"holding no status at the end of {as_of_year} (outlined only)"
        else:
            key = "in no row of the membership table in any year (outlined only)"
        groups.setdefault(key, []).append(name)

    def say(key: str, names: list[str]) -> str:
        if "|" not in key:
            return key
        status, rest = key.split("|")
        word = STATUS_WORDS[status][0 if len(names) == 1 else 1]
        return f"{'a' if len(names) == 1 and status != 'observer' else 'an' if len(names) == 1 else ''} {word} {rest}".strip().replace(
            " ,", ","
        )

    text = "Outlined on the map: " + "; ".join(f"{prose.join(v)}: {say(k, v)}" for k, v in groups.items()) + "."
    never = [c for c in highlight if c not in set(membership["country_iso3"])]
    from ..core.vocab import CENTRAL_ASIA

    if any(c in CENTRAL_ASIA for c in never):
        text += (
            ' A Central Asian state outside the organisation is a reminder that "Central Asia" and "the SCO\'s '
            'Central Asian members" are not the same set, a distinction that matters when the trade chapter adds '
            "up regional totals."
        )
    return text


def gao_check_sentence(at_paper: pd.Series, snapshot_paper: pd.DataFrame, paper_year: int) -> str:
    """Gao Fei's 'six to ten' against the membership at the end of the paper's year (from the rows)."""
    obs = snapshot_paper[snapshot_paper["status"].astype(str) == "observer"]["country_name"]
    dp = snapshot_paper[snapshot_paper["status"].astype(str) == "dialogue_partner"]["country_name"]
    total = int(at_paper["member"] + at_paper["observer"])
    verdict = "agrees with him" if total == 10 else f"does not agree with him (it gives {total})"
    text = (
        f"The data {verdict}: {int(at_paper['member'])} members and {int(at_paper['observer'])} observers "
        f"({prose.join(list(obs))}) at the end of {paper_year}."
    )
    if len(dp):
        text += (
            f' His "ten" leaves out the {prose.plural(len(dp), "dialogue partner")} of that year, '
            f"{prose.join(list(dp))}: a status he does not mention."
        )
    return text


def after_paper_lines(since: pd.DataFrame, paper_year: int, as_of_year: int, statuses: Iterable[str]) -> str:
    """The line above section 6's table, or why the section is empty in this run."""
    if as_of_year <= paper_year:
        return prose.not_in_selection(
            "The list of statuses that began after the paper",
            f"the run reads the data as of {as_of_year}, before the paper's year {paper_year} ended",
        )
    chosen = ", ".join(STATUS_WORDS[s][1] for s in STATUS_ORDER if s in set(statuses))
    if since.empty:
        return f"No status among those chosen ({chosen}) began between {paper_year + 1} and {as_of_year}."
    return (
        f"{prose.plural(len(since), 'status', 'statuses')} among those chosen ({chosen}) began between "
        f"{paper_year + 1} and {as_of_year}: {count_phrase(since['status'])}."
    )


def changes_paragraph(since: pd.DataFrame, paper_year: int, as_of_year: int) -> str:
    """How the organisation changed after the paper, up to ``as_of_year`` (from the rows shown)."""
    if as_of_year <= paper_year or since.empty:
        return ""
    items = []
    members = since[since["status"].astype(str) == "member"]
    if len(members):
        text = f"**Its members.** {_by_year(members)} turned a Central Asian security forum into a wider body."
        if as_of_year >= 2022:
            text += (
                " Writing in 2022, another Chinese scholar, Xiao Bin (`xiao2022`), still describes the SCO's "
                'principle as *"non-aligned, non-targeted and open"*, but warns that an expanded SCO faces '
                '*"heightened uncertainties"* in managing relations among old and new members and with the '
                "outside world; he also reads Iran's application partly as a way to soften the effect of US "
                "sanctions."
            )
        items.append(text)
    ring = since[since["status"].astype(str) != "member"]
    if len(ring):
        first = ring.drop_duplicates("country_iso3")
        items.append(
            f"**Its partners.** {prose.plural(len(first), 'country', 'countries')} gained a non-member status "
            f"between {paper_year + 1} and {as_of_year} (the table lists each): "
            f"{prose.join(sorted(first['country_name']))}."
        )
    items.append(
        "**Its setting.** Gao Fei's claim that the SCO is not an anti-Western bloc is now contested ground: "
        "the analyst-views chapter (`05_analyst_views`) sets Chinese, Central Asian, Russian and Western "
        "readings of the 2022 and 2024 summits side by side, and the claims chapter (`06_claims_vs_data`) "
        "checks the figures his paper gives, including its area and trade numbers."
    )
    return f"The organisation Gao Fei described has changed in {len(items)} ways up to {as_of_year}.\n\n" + "\n".join(
        f"{i}. {t}" for i, t in enumerate(items, 1)
    )


def summary_bullets(
    membership: pd.DataFrame, counts: pd.DataFrame, as_of_year: int, gao_total: int, events: pd.DataFrame | None = None
) -> str:
    """The chapter's key findings, computed for the run's year (statuses do not change the history).

    With ``events``, the last finding counts the dates on which sources
    disagree up to ``as_of_year`` and how far apart their readings are.
    """
    years = range(int(counts.index.min()), as_of_year + 1)
    full = counts_by_year(membership, years, STATUS_ORDER)
    bullets = []
    sco_rows = membership[membership["organisation"] == "sco"]
    founding = sco_rows["start_date"].min()
    if as_of_year < founding.year:
        bullets.append(
            f"Up to {as_of_year} the Shanghai Five is a border-security arrangement of "
            f"{int(full['member'].iloc[-1])} neighbours; the organisation is founded only in {founding.year}."
        )
    else:
        m = full["member"]
        run_len = 0
        for y in range(founding.year, as_of_year + 1):
            if m[y] == m[founding.year]:
                run_len += 1
            else:
                break
        bullets.append(
            f"The SCO began as a border-security arrangement of five neighbours, became an organisation "
            f"of {int(m[founding.year])} in {founding.year}, and kept that membership for "
            f"{prose.plural(run_len, 'year')}"
            + (" (to the end of this run)." if run_len == len(range(founding.year, as_of_year + 1)) else ".")
        )
        later = until(
            sco_rows[(sco_rows["status"] == "member") & (sco_rows["start_date"] > founding)], as_of_year, "start_date"
        )
        ring_first = until(sco_rows[sco_rows["status"] != "member"], as_of_year, "start_date")
        if len(ring_first) or len(later):
            text = "It widened"
            if len(ring_first):
                text += f" first through non-member statuses (from {min(d.year for d in ring_first['start_date'])})"
            if len(later):
                text += (
                    " and then" if len(ring_first) else ""
                ) + f" through new members ({prose.join(sorted({str(d.year) for d in later['start_date']}))})"
            if (sco_rows["status"] == "partner").any() and as_of_year >= min(
                d.year for d in sco_rows[sco_rows["status"] == "partner"]["start_date"]
            ):
                text += ", and in 2025 folded its non-member statuses into one"
            bullets.append(text + ".")
    bullets.append(
        f"Gao Fei's 2010 count of members and observers (ten) is "
        f"{'consistent' if gao_total == 10 else 'not consistent'} with the data for the end of 2009; how far "
        'his "New Diplomacy" principles survive the enlargement is a question for the analyst-views '
        "chapter."
    )
    if events is not None:
        bullets.append(_disagreement_finding(events, as_of_year))
    return "\n".join(f"- {b}" for b in bullets)


def _disagreement_finding(events: pd.DataFrame, as_of_year: int) -> str:
    """How many event dates the sources disagree on up to ``as_of_year``, and by how much (computed)."""
    v = data.variants(events, "event_id")
    v = v[v["date_drawn"].map(lambda d: d.year) <= as_of_year]
    if v.empty:
        return f"The sources agree on every date up to {as_of_year}."
    n = v["event_id_drawn"].nunique()
    close = sum(
        abs((pd.Timestamp(a) - pd.Timestamp(b)).days) <= 7 and pa == "day" and pb == "day"
        for a, b, pa, pb in zip(v["date_drawn"], v["date_other"], v["date_precision_drawn"], v["date_precision_other"])
    )
    if close == len(v):
        how = "each time by a week or less"
    elif close == 0:
        how = "each time by more than a week, or at a coarser precision (a month or a year)"
    else:
        how = (
            f"{prose.plural(close, 'time')} by a week or less, {prose.plural(len(v) - close, 'time')} by more than "
            "a week or at a coarser precision (a month or a year)"
        )
    return (
        f"Sources give another date for {prose.plural(n, 'event')} up to {as_of_year}, {how}; the chapter "
        "shows every disagreement and which reading it draws."
    )


# --- the SCO's weight in the world (issue 18 item 5) -------------------------------------------

WEIGHT_INDICATORS = {"population": "population", "gdp_current_usd": "GDP (current US dollars)"}


def weight_groups(statuses: Iterable[str]) -> list[tuple[str, tuple[str, ...]]]:
    """The groups whose share the chapter shows: members, and members with the other statuses chosen."""
    chosen = [s for s in STATUS_ORDER if s in set(statuses)]
    groups = []
    if "member" in chosen:
        groups.append(("members", ("member",)))
    if chosen and chosen != ["member"]:
        groups.append((prose.join([STATUS_WORDS[s][1] for s in chosen]), tuple(chosen)))
    return groups


def weight_by_year(
    membership: pd.DataFrame, wdi: pd.DataFrame, years: Iterable[int], statuses: Iterable[str]
) -> pd.DataFrame:
    """Share of world population and GDP held by each group, year by year, with the membership of that year.

    One row per (year, group, indicator): ``share`` in percent of the world
    (WDI ``WLD``), ``countries`` in the group that year, ``missing`` (codes
    of group members with no WDI value that year: the share is then left
    empty rather than understated), and the WDI rows used (``row_ids``).
    Spells of the Shanghai Five are not counted: the organisation begins in
    its founding year.
    """
    value = {
        (c, int(y), i): (v, r)
        for c, y, i, v, r in zip(wdi["iso3"], wdi["year"], wdi["indicator"], wdi["value"], wdi["row_id"])
    }
    sco_only = (membership["organisation"] == "sco").to_numpy()
    status = membership["status"].astype(str).to_numpy()
    iso = membership["country_iso3"].astype(str).to_numpy()
    groups = weight_groups(statuses)
    rows = []
    for year, mask in _in_force(membership, years).items():
        for label, group in groups:
            codes = sorted(set(iso[mask & sco_only & pd.Series(status).isin(group).to_numpy()]))
            for ind in WEIGHT_INDICATORS:
                world = value.get(("WLD", year, ind))
                if world is None or pd.isna(world[0]):
                    continue
                vals = {c: value.get((c, year, ind)) for c in codes}
                missing = sorted(c for c, v in vals.items() if v is None or pd.isna(v[0]))
                share = 0.0 if not codes else None if missing else 100 * sum(v[0] for v in vals.values()) / world[0]
                rows.append(
                    {
                        "year": year,
                        "group": label,
                        "indicator": ind,
                        "share": share,
                        "countries": len(codes),
                        "missing": ", ".join(missing),
                        "row_ids": [v[1] for c, v in vals.items() if c not in missing] + [world[1]],
                    }
                )
    return pd.DataFrame(rows, columns=["year", "group", "indicator", "share", "countries", "missing", "row_ids"])


def weight_table(weight: pd.DataFrame) -> pd.DataFrame:
    """One row per year: each group's share of world population and GDP, and its number of countries."""
    if weight.empty:
        return pd.DataFrame()
    cols = {}
    for (group, ind), g in weight.groupby(["group", "indicator"], sort=False):
        cols[f"{group}: share of world {WEIGHT_INDICATORS[ind].split(' (')[0]} (%)"] = g.set_index("year")["share"]
    for group, g in weight.groupby("group", sort=False):
        cols[f"{group}: countries"] = g.drop_duplicates("year").set_index("year")["countries"]
    table = pd.DataFrame(cols)
    table.index.name = "year"
    return table.round(1).reset_index()


def weight_rows(wdi: pd.DataFrame, weight: pd.DataFrame) -> pd.DataFrame:
    """The WDI rows a weight chart draws on (for its source line)."""
    ids = {i for ids in weight["row_ids"] for i in ids if i}
    return wdi[wdi["row_id"].isin(ids)]


def plot_weight(weight: pd.DataFrame, *, fig=None, title: str | None = None):
    """Two panels, population and GDP: each group's share of the world by year."""
    import matplotlib.pyplot as plt

    if fig is None:
        fig = plt.figure(figsize=(12, 5.2))
    axes = fig.subplots(1, 2, sharey=True)
    styles = ["-", "--"]
    colours = [style.status_color("member"), "#6BAED6"]
    for ax, ind in zip(axes, WEIGHT_INDICATORS):
        sel = weight[weight["indicator"] == ind]
        for k, (group, g) in enumerate(sel.groupby("group", sort=False)):
            ax.plot(
                g["year"],
                g["share"].astype(float),
                styles[k % 2],
                color=colours[k % 2],
                linewidth=2.4,
                marker="o",
                ms=3.5,
                label=group,
            )
        ax.set_title(f"Share of world {WEIGHT_INDICATORS[ind]}", fontsize=12)
        ax.set_xlabel("Year (membership on 31 December)")
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}%")
        lo, hi = int(weight["year"].min()), int(weight["year"].max())
        ax.set_xlim(lo - 0.5, hi + 0.5)
        step = max(1, -(-(hi - lo) // 4))
        ax.set_xticks(list(range(lo, hi + 1, step)))
    axes[0].set_ylabel("Share of the world total")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.93),
        ncols=max(1, len(labels)),
        frameon=False,
        fontsize=11,
    )
    if title:
        fig.suptitle(title, y=0.99)
    fig.subplots_adjust(top=0.78, bottom=0.2, wspace=0.15)
    return axes


def weight_sentences(weight: pd.DataFrame, as_of_year: int) -> str:
    """First and last year of each group's shares, computed from the table the chart draws."""
    if weight.empty:
        return ""
    parts = []
    for group, g in weight.groupby("group", sort=False):
        seg = []
        for ind, gi in g.groupby("indicator", sort=False):
            gi = gi.dropna(subset=["share"])
            gi = gi[gi["countries"] > 0]  # a group starts with its first country
            if gi.empty:
                continue
            a, b = gi.iloc[0], gi.iloc[-1]
            word = WEIGHT_INDICATORS[ind]
            seg.append(
                f"{prose.pct(a['share'])} of the world's {word} in {a['year']} "
                f"({prose.plural(int(a['countries']), 'country', 'countries')})"
                + (
                    ""
                    if a["year"] == b["year"]
                    else f" and {prose.pct(b['share'])} in {b['year']} "
                    f"({prose.plural(int(b['countries']), 'country', 'countries')})"
                )
            )
        if seg:
            parts.append(f"The {group} held " + "; ".join(seg) + ".")
        elif (g["countries"] == 0).all():
            parts.append(
                f"No country held the statuses of this group ({group}) in "
                f"{prose.span(int(g['year'].min()), int(g['year'].max()))}, so its share is zero throughout."
            )
    gaps = weight[weight["share"].isna() & (weight["missing"] != "")]
    if len(gaps):
        parts.append(
            "Years in which a country of a group has no WDI figure are left as gaps, not understated: "
            + "; ".join(
                f"{r['group']}, {WEIGHT_INDICATORS[r['indicator']].split(' (')[0]} {r['year']} "
                f"(no figure for {r['missing']})"
                for _, r in gaps.iterrows()
            )
            + "."
        )
    last = {ind: int(g["year"].max()) for ind, g in weight.groupby("indicator")}
    short = [f"{WEIGHT_INDICATORS[i].split(' (')[0]} to {y}" for i, y in last.items() if y < as_of_year]
    if short:
        parts.append(f"The World Bank series end before {as_of_year} ({'; '.join(short)}).")
    return " ".join(parts)


def key_outputs(
    as_of_year: int, status_table: pd.DataFrame, counts: pd.DataFrame, weight: pd.DataFrame, summit_table: pd.DataFrame
) -> dict[str, str]:
    """Three to five labelled results of a run, for comparing sweep groups."""
    out = {
        "statuses at the end of the run's year": (count_phrase(status_table["status"]) or "none of those chosen")
        + f" ({as_of_year})",
        "summits up to that year": str(len(summit_table)),
    }
    if "member" in counts.columns:
        out["members, first to last year"] = f"{int(counts['member'].iloc[0])} → {int(counts['member'].iloc[-1])}"
    if not weight.empty:
        for ind in WEIGHT_INDICATORS:
            sel = weight[(weight["indicator"] == ind) & weight["share"].notna()]
            if len(sel):
                last = sel[sel["year"] == sel["year"].max()].iloc[0]
                word = {"population": "population", "gdp_current_usd": "GDP"}[ind]
                out[f"share of world {word}, latest year"] = f"{last['share']:.1f}% ({last['group']}, {last['year']})"
    return out


#: Interpretation of section 2's disagreements, written for the default run (holds from 2023 on).
DISAGREEMENTS_READING = (
    "Most of these disagreements are a day or a month apart and do not change the story: a report dated to the eve "
    'of a meeting, a typing slip in a document heading, a paper that gives "May" in one paragraph and "June" in '
    "another. Two are more interesting. Iran's own foreign ministry spoke of membership in September 2021, when the "
    "summit only *launched* the accession procedure that ended in July 2023. And for the dialogue partners admitted "
    "after 2021, sources differ on whether the status began with the summit's decision or with the signing of a "
    "memorandum months later."
)
#: How the membership table dates a status (method: true for every run).
DATING_RULE = (
    "The membership table counts from the memorandum where the sources describe the summit decision as only a first "
    "step, and says so in its notes."
)
#: The map at the default run (2025, every status).
DEFAULT_MAP_TEXT = (
    "At the default setting (2025) the map shows the shape the organisation has taken: a solid core of members "
    "running from Belarus across Russia and Central Asia to China, and south through Pakistan and India to Iran, with "
    "partners scattered around its rim, from Egypt and the Gulf states to Cambodia and Myanmar."
)
WHATS_NEXT = (
    "**What's next.** `02_xi_trips` follows Xi Jinping to Astana and Samarkand in 2022 and to Astana and Dushanbe in "
    "2024, the two summits at which Iran and Belarus took their last steps into the organisation: it moves from the "
    "institution to the visits, meetings and pledges through which China's leader uses it in Central Asia. "
    "`03_trade` then turns to the trade behind those visits."
)
