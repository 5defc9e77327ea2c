"""Xi Jinping's trips to Central Asia: itineraries, outcomes, route maps.

Used by ``notebooks/02_xi_trips.ipynb`` and the tests. The tables are
``xi_trips`` (one row a trip), ``xi_itinerary`` (one row an event) and
``xi_outcomes`` (one row a document, announced count, pledge or
initiative), with coordinates from ``places``. Rows with ``variant_of`` set
record a source that disagrees with another row; figures and counts use the
other rows (:func:`helpers.data.primary`) and the chapter lists the
disagreements beside them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import pandas as pd

from ..core import data, maps, style
from ..core.vocab import OUTCOME_CATEGORIES

#: Outcome categories, in display order.
CATEGORIES = OUTCOME_CATEGORIES
CATEGORY_LABELS = {
    "security": "Security",
    "trade": "Trade and finance",
    "energy": "Energy",
    "transport": "Transport",
    "people_to_people": "People-to-people",
    "institutional": "Institutional",
}
#: Itinerary events that count as a meeting with a counterpart.
MEETING_TYPES = ("talks", "bilateral_meeting")
#: Where every route starts and ends.
ORIGIN = "city-beijing"

#: Map view that holds Beijing and the whole of Central Asia.
EXTENT = ((46.0, 37.0), (50.0, 55.0), (88.0, 52.0), (118.0, 44.0), (118.0, 36.0), (70.0, 33.0))


# --- selecting ------------------------------------------------------------------


def trip_label(trips: pd.DataFrame, trip_id: str) -> str:
    """'September 2022' for a trip: the month and year it began."""
    start = trips.set_index("trip_id").loc[trip_id, "start_date"]
    return f"{start:%B %Y}"


def trip_ids_for_years(trips: pd.DataFrame, years: Iterable[str]) -> list[str]:
    """The focus trips' ids for years given as text ('2022' -> 'xi-2022-09'), oldest first."""
    focus = trips[trips["kind"] == "focus"]
    by_year = dict(zip(focus["start_date"].map(lambda d: str(d.year)), focus["trip_id"]))
    return [by_year[y] for y in sorted(years)]


def for_trips(frame: pd.DataFrame, trip_ids: Iterable[str]) -> pd.DataFrame:
    """The rows of ``frame`` that belong to the given trips, primary readings only."""
    keep = list(trip_ids)
    rows = data.primary(frame) if "variant_of" in frame.columns else frame
    return rows[rows["trip_id"].isin(keep)]


def shown_trips(trips: pd.DataFrame, focus: Sequence[str], include_context: bool) -> pd.DataFrame:
    """The trips a timeline shows: the chosen focus trips, and context trips if asked."""
    keep = trips["trip_id"].isin(list(focus))
    if include_context:
        keep |= trips["kind"] != "focus"
    return trips[keep].sort_values("start_date").reset_index(drop=True)


# --- itinerary ------------------------------------------------------------------


def itinerary(itin: pd.DataFrame, places: pd.DataFrame, trip_id: str) -> pd.DataFrame:
    """One trip's events in order with place names and countries (primary readings).

    Events keep the order of the table within a day; the table lists them in
    the order they happened.
    """
    rows = for_trips(itin, [trip_id]).copy()
    rows["order"] = range(len(rows))
    p = places.set_index("place_id")
    rows["city"] = rows["place_id"].map(p["name"])
    rows["country_iso3"] = rows["place_id"].map(p["country_iso3"])
    return rows.sort_values(["date", "order"]).drop(columns="order").reset_index(drop=True)


def route(itin: pd.DataFrame, places: pd.DataFrame, trip_id: str) -> pd.DataFrame:
    """The places of a trip in the order visited, from Beijing and back.

    Returns one row per leg end: ``place_id``, ``name``, ``country_iso3``,
    ``lat``, ``lon``, and the first and last date spent there. Consecutive
    events in the same place are one stop; the route starts and ends at
    Beijing (:data:`ORIGIN`) even when the data has no departure row, since
    every trip in the table began and ended there.
    """
    events = itinerary(itin, places, trip_id)
    stops: list[dict] = []
    for _, ev in events.iterrows():
        if stops and stops[-1]["place_id"] == ev["place_id"]:
            stops[-1]["last_date"] = ev["date"]
        else:
            stops.append({"place_id": ev["place_id"], "first_date": ev["date"], "last_date": ev["date"]})
    if not stops or stops[0]["place_id"] != ORIGIN:
        first = stops[0]["first_date"] if stops else None
        stops.insert(0, {"place_id": ORIGIN, "first_date": first, "last_date": first})
    if stops[-1]["place_id"] != ORIGIN:
        last = stops[-1]["last_date"]
        stops.append({"place_id": ORIGIN, "first_date": last, "last_date": last})
    out = pd.DataFrame(stops)
    p = places.set_index("place_id")
    for col in ("name", "country_iso3", "lat", "lon", "source_id"):
        out[col] = out["place_id"].map(p[col])
    return out


def days_in_places(itin: pd.DataFrame, places: pd.DataFrame, trip_id: str) -> pd.DataFrame:
    """Stops abroad (Beijing left out) with their dates, for labels and tables."""
    r = route(itin, places, trip_id)
    return r[r["place_id"] != ORIGIN].reset_index(drop=True)


def meetings(itin: pd.DataFrame, trip_ids: Iterable[str]) -> pd.DataFrame:
    """Talks and bilateral meetings with a named counterpart, one row per counterpart and trip."""
    rows = for_trips(itin, trip_ids)
    rows = rows[rows["event_type"].isin(MEETING_TYPES) & rows["counterpart"].notna()]
    return rows.drop_duplicates(subset=["trip_id", "counterpart"]).reset_index(drop=True)


# --- outcomes --------------------------------------------------------------------


def outcomes(out: pd.DataFrame, trip_ids: Iterable[str], categories: Iterable[str]) -> pd.DataFrame:
    """Primary outcome rows of the trips and categories chosen."""
    rows = for_trips(out, trip_ids)
    return rows[rows["category"].isin(list(categories))].reset_index(drop=True)


def by_category(
    out: pd.DataFrame, trips: pd.DataFrame, trip_ids: Sequence[str], categories: Sequence[str]
) -> pd.DataFrame:
    """Outcomes per category and trip: named documents, pledges and initiatives.

    Announced *counts* of documents are not outcomes themselves and are left
    out. Returns a frame indexed by category (display order) with one column
    per trip label, zeros where none.
    """
    rows = outcomes(out, trip_ids, categories)
    rows = rows[rows["kind"] != "document_count"]
    cats = [c for c in CATEGORIES if c in set(categories)]
    table = pd.DataFrame(
        0, index=pd.Index(cats, name="category"), columns=[trip_label(trips, t) for t in trip_ids], dtype="int64"
    )
    for t in trip_ids:
        counts = rows[rows["trip_id"] == t]["category"].value_counts()
        table[trip_label(trips, t)] = [int(counts.get(c, 0)) for c in cats]
    return table


def shares(table: pd.DataFrame) -> pd.DataFrame:
    """Each column as percentages of its total (a column of zeros stays zero)."""
    totals = table.sum()
    return (table.div(totals.where(totals > 0), axis=1) * 100).fillna(0.0)


def document_counts(out: pd.DataFrame, trip_ids: Iterable[str]) -> pd.DataFrame:
    """Every announced number of documents signed, all readings (variants kept).

    This is where sources disagree most: each side counts its own signing
    ceremony, with "more than" and "about" as often as an exact figure.
    """
    rows = out[out["trip_id"].isin(list(trip_ids)) & (out["kind"] == "document_count")]
    return rows[
        [
            "trip_id",
            "date",
            "setting",
            "partner_iso3",
            "title",
            "quantity",
            "unit",
            "announced_by",
            "announced_by_side",
            "source_id",
            "notes",
        ]
    ].reset_index(drop=True)


def disagreements(itin: pd.DataFrame, out: pd.DataFrame, trip_ids: Iterable[str]) -> pd.DataFrame:
    """Every itinerary or outcome row that records a disagreeing source, beside the row drawn."""
    keep = list(trip_ids)
    pairs = []
    for frame, key, what in ((itin, "stop_id", "description"), (out, "outcome_id", "title")):
        v = data.variants(frame[frame["trip_id"].isin(keep)], key)
        if len(v):
            pairs.append(
                pd.DataFrame(
                    {
                        "row drawn": v["variant_of"],
                        "reading drawn": v[f"{what}_drawn"],
                        "its source": v["source_id_drawn"],
                        "other reading": v[f"{what}_other"],
                        "other source": v["source_id_other"],
                        "note": v["notes_other"],
                    }
                )
            )
    if not pairs:
        return pd.DataFrame({"note": ["No disagreements for the trips chosen."]})
    return pd.concat(pairs, ignore_index=True)


# --- comparison --------------------------------------------------------------------


def compare(
    trips: pd.DataFrame,
    itin: pd.DataFrame,
    places: pd.DataFrame,
    out: pd.DataFrame,
    trip_ids: Sequence[str],
    categories: Sequence[str],
) -> pd.DataFrame:
    """Side-by-side facts of the chosen trips, one column per trip.

    Rows: days abroad (calendar days from the first to the last day), countries
    and cities visited, counterparts met (distinct, in talks and bilateral
    meetings), named documents in the data, the announced counts of documents
    (lowest and highest reading per signing), pledges and initiatives, then
    outcomes per category (:func:`by_category`).
    """
    t = trips.set_index("trip_id")
    columns = {}
    for tid in trip_ids:
        stops = days_in_places(itin, places, tid)
        rows = outcomes(out, [tid], categories)
        col = {
            "Days (first to last day)": (t.loc[tid, "end_date"] - t.loc[tid, "start_date"]).days + 1,
            "Countries visited": stops["country_iso3"].nunique(),
            "Cities": stops["place_id"].nunique(),
            "Counterparts met (talks and bilateral meetings)": len(meetings(itin, [tid])),
            "Named documents in the data": int((rows["kind"] == "document_signed").sum()),
            "Documents signed, as announced (readings)": _announced(document_counts(out, [tid])),
            "Pledges": int((rows["kind"] == "pledge").sum()),
            "Initiatives": int((rows["kind"] == "initiative").sum()),
        }
        per_category = by_category(out, trips, [tid], categories).iloc[:, 0]
        col.update({f"Outcomes: {CATEGORY_LABELS[c]}": int(n) for c, n in per_category.items()})
        columns[trip_label(trips, tid)] = col
    frame = pd.DataFrame(columns)
    frame.index.name = "measure"
    return frame


def _announced(counts: pd.DataFrame) -> str:
    """'TJK 20-29; SCO 24-25': each signing's announced counts, lowest to highest reading."""
    if counts.empty:
        return "none announced in the data"
    parts = []
    keys = counts["partner_iso3"].fillna(counts["setting"].str.upper())
    for key in dict.fromkeys(keys):
        vals = counts.loc[keys == key, "quantity"].dropna()
        lo, hi = int(vals.min()), int(vals.max())
        parts.append(f"{key} {lo}" if lo == hi else f"{key} {lo}-{hi}")
    return "; ".join(parts)


def numeric_rows(comparison: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`compare` that are counts (for a chart)."""
    import numbers

    is_count = comparison.apply(lambda r: all(isinstance(v, numbers.Integral) for v in r), axis=1)
    return comparison[is_count].astype("int64")


# --- figures -------------------------------------------------------------------------


def _arc(p0: tuple[float, float], p1: tuple[float, float], bend: float, n: int = 40):
    """A quadratic curve from p0 to p1, bowed sideways by ``bend`` x its length."""
    import numpy as np

    (x0, y0), (x1, y1) = p0, p1
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = x1 - x0, y1 - y0
    cx, cy = mx - dy * bend, my + dx * bend
    t = np.linspace(0, 1, n)
    xs = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1
    ys = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1
    return xs, ys


def _date_span(first, last) -> str:
    if first == last:
        return f"{first:%-d %b}"
    if first.month == last.month:
        return f"{first:%-d}-{last:%-d %b}"
    return f"{first:%-d %b}-{last:%-d %b}"


def plot_routes(
    trips: pd.DataFrame,
    itin: pd.DataFrame,
    places: pd.DataFrame,
    trip_ids: Sequence[str],
    *,
    ax=None,
    title: str | None = None,
) -> tuple:
    """Route map: arcs from Beijing through each stop and back, one colour per trip.

    Visited countries are shaded lightly; each stop is labelled with its
    city and dates. Arcs of different trips bow to different sides so that
    shared legs (Beijing-Astana) stay distinct. Returns ``(ax, rows drawn)``,
    the rows being the itinerary and place rows behind the map (for the
    source line).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    if ax is None:
        _, ax = plt.subplots(figsize=(12, 6.2))
    ax.figure.subplots_adjust(left=0.02, right=0.98, bottom=0.03, top=0.92)
    maps.base_map(ax, EXTENT)
    visited: set[str] = set()
    drawn = []
    handles = []
    routes = {tid: route(itin, places, tid) for tid in trip_ids}
    for tid in trip_ids:
        r = routes[tid]
        visited |= set(r["country_iso3"]) - {"CHN"}
        drawn.append(for_trips(itin, [tid]))
        drawn.append(places[places["place_id"].isin(r["place_id"])])
    maps.fill_countries(ax, {c: style.VISITED_COLOR for c in sorted(visited)})
    labelled: dict[str, list[str]] = {}
    for k, tid in enumerate(trip_ids):
        color = style.trip_color(tid)
        bend = 0.12 if k % 2 == 0 else -0.12
        r = routes[tid]
        pts = [maps.project(lon, lat) for lon, lat in zip(r["lon"], r["lat"])]
        for a, b in zip(pts[:-1], pts[1:]):
            xs, ys = _arc(a, b, bend)
            ax.plot(xs, ys, color=color, linewidth=2.6, solid_capstyle="round", zorder=3)
            # an arrowhead half-way along each leg shows the direction of travel
            i = len(xs) // 2
            ax.annotate(
                "",
                xy=(xs[i + 1], ys[i + 1]),
                xytext=(xs[i - 1], ys[i - 1]),
                arrowprops=dict(arrowstyle="-|>", color=color, lw=0, mutation_scale=22),
                zorder=4,
            )
        for _, stop in r.iterrows():
            x, y = maps.project(stop["lon"], stop["lat"])
            ax.plot(x, y, "o", ms=9, color="white", mec=color, mew=2.5, zorder=5)
            if stop["place_id"] != ORIGIN:
                span = _date_span(stop["first_date"], stop["last_date"])
                labelled.setdefault(stop["place_id"], []).append(f"{span} {stop['first_date']:%Y}")
        handles.append(Line2D([], [], color=color, linewidth=3, label=f"{trip_label(trips, tid)}"))
    p = places.set_index("place_id")
    xy = {pid: maps.project(p.loc[pid, "lon"], p.loc[pid, "lat"]) for pid in labelled}
    for pid, spans in labelled.items():
        x, y = xy[pid]
        # a stop with a neighbour within 400 km: the northern one labelled above left
        near = [q for q in xy if q != pid and ((xy[q][0] - x) ** 2 + (xy[q][1] - y) ** 2) ** 0.5 < 400_000]
        above = any(xy[q][1] < y for q in near)
        offset, ha, va = ((-10, 8), "right", "bottom") if above else ((10, -6), "left", "top")
        ax.annotate(
            f"{p.loc[pid, 'name']}\n" + "\n".join(spans),
            (x, y),
            xytext=offset,
            ha=ha,
            va=va,
            textcoords="offset points",
            fontsize=12,
            zorder=6,
            bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.8),
        )
    bx, by = maps.project(p.loc[ORIGIN, "lon"], p.loc[ORIGIN, "lat"])
    ax.annotate(
        p.loc[ORIGIN, "name"],
        (bx, by),
        xytext=(8, 6),
        textcoords="offset points",
        fontsize=12,
        fontweight="bold",
        zorder=6,
    )
    ax.legend(handles=handles, loc="lower left", title="Trip")
    if title:
        ax.set_title(title)
    return ax, pd.concat(drawn)


def day_plan(itin: pd.DataFrame, places: pd.DataFrame, trip_id: str) -> pd.DataFrame:
    """A trip day by day: date, city, and one line per event (meetings grouped).

    Bilateral meetings on the same day are gathered on one line naming the
    counterparts, so a summit day with a dozen meetings stays readable.
    """
    events = itinerary(itin, places, trip_id)
    days = []
    for day, group in events.groupby("date", sort=True):
        lines = []
        met = group[group["event_type"] == "bilateral_meeting"]
        met_names = [_short_name(c) for c in met["counterpart"].dropna()]
        placed_meetings = False
        for _, ev in group.iterrows():
            if ev["event_type"] == "bilateral_meeting":
                if not placed_meetings and met_names:
                    lines.append(f"Bilateral meetings ({len(met_names)}): " + ", ".join(met_names))
                    placed_meetings = True
                continue
            when = (
                ev["time_local"]
                if pd.notna(ev["time_local"])
                else (ev["time_of_day"] if pd.notna(ev["time_of_day"]) else "")
            )
            what = EVENT_LABELS.get(ev["event_type"], ev["event_type"])
            who = f" ({_short_name(ev['counterpart'])})" if pd.notna(ev["counterpart"]) else ""
            lines.append(f"{when + ': ' if when else ''}{what}{who}")
        cities = list(dict.fromkeys(group["city"]))
        days.append({"date": day, "city": " / ".join(cities), "events": lines})
    return pd.DataFrame(days)


EVENT_LABELS = {
    "departure_from_china": "leaves Beijing",
    "arrival": "arrives",
    "welcome_ceremony": "welcome ceremony",
    "talks": "talks",
    "bilateral_meeting": "bilateral meeting",
    "summit_session": "summit session",
    "trilateral_meeting": "trilateral meeting",
    "signing": "signing",
    "speech": "speech",
    "banquet": "banquet",
    "award": "award",
    "cultural_visit": "visit or ceremony",
    "did_not_attend": "did not attend",
    "departure": "departs",
    "return_to_china": "returns to China",
}


def _short_name(counterpart: str) -> str:
    """Surnames of a counterpart entry.

    'Kassym-Jomart Tokayev, President of Kazakhstan' -> 'Tokayev';
    'Vladimir Putin (Russia) and Ukhnaagiin Khurelsukh (Mongolia)' -> 'Putin and Khurelsukh'.
    """
    import re

    text = re.sub(r"\([^)]*\)", "", str(counterpart))
    people = [part.split(",")[0].strip() for part in text.split(" and ")]
    return " and ".join(person.split()[-1] for person in people if person) or str(counterpart)


def plot_day_plan(plan: pd.DataFrame, *, ax=None, color: str = "#333333", title: str | None = None, wrap: int = 34):
    """Draw a day-by-day plan as columns: one column a day, its events listed below."""
    import matplotlib.pyplot as plt

    n = len(plan)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(3.6 * n, 7), 6))
    ax.set_axis_off()
    ax.set_xlim(0, n)
    ax.set_ylim(0, 1)
    for i, day in plan.reset_index(drop=True).iterrows():
        ax.add_patch(plt.Rectangle((i + 0.03, 0.86), 0.94, 0.12, color=color, transform=ax.transData))
        ax.text(
            i + 0.5,
            0.92,
            f"{day['date']:%a %-d %b %Y}\n{day['city']}",
            ha="center",
            va="center",
            color="white",
            fontsize=12,
            fontweight="bold",
        )
        y = 0.82
        for line in day["events"]:
            wrapped = textwrap.fill(line, wrap)
            ax.text(i + 0.06, y, "\u2022 " + wrapped.replace("\n", "\n   "), ha="left", va="top", fontsize=11)
            y -= 0.055 * (wrapped.count("\n") + 1) + 0.02
        if i:
            ax.axvline(i, color="#CCCCCC", linewidth=1)
    if title:
        ax.set_title(title)
    return ax


def plot_trip_timeline(shown: pd.DataFrame, *, ax=None, title: str | None = None):
    """All trips shown on one time axis: focus trips in their colours, context trips grey."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 5))
    shown = shown.sort_values("start_date").reset_index(drop=True)
    for i, trip in shown.iterrows():
        focus = trip["kind"] == "focus"
        color = style.trip_color(trip["trip_id"]) if focus else style.CONTEXT_TRIP_COLOR
        marker = "s" if trip["kind"] == "hosted_in_china" else "o"
        x = pd.Timestamp(trip["start_date"])
        level = 0.8 + (i % 3) * 0.8
        codes = str(trip["countries"]).split(";")
        where = "\n".join(" ".join(codes[k : k + 3]) for k in range(0, len(codes), 3))
        ax.vlines(x, 0, level, color=color, linewidth=1.4)
        ax.plot(x, 0, marker, ms=12 if focus else 9, color=color, zorder=3)
        ax.text(
            x,
            level + 0.05,
            f"{x:%b %Y}\n{where}",
            ha="center",
            va="bottom",
            fontsize=11,
            fontweight="bold" if focus else "normal",
            color="#222222",
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9),
        )
    ax.axhline(0, color="#888888", linewidth=1)
    ax.set_ylim(-0.3, 3.4)
    ax.yaxis.set_visible(False)
    ax.spines["left"].set_visible(False)
    ax.grid(False)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    lo, hi = pd.Timestamp(shown["start_date"].min()), pd.Timestamp(shown["start_date"].max())
    pad = pd.Timedelta(days=200)
    ax.set_xlim(lo - pad, hi + pad)
    if title:
        ax.set_title(title)
    return ax


def _grouped_barh(table: pd.DataFrame, trip_ids: Sequence[str], ax, labels, offset: float):
    """One group of horizontal bars per row, one bar per trip; ``labels(row, col)`` writes each bar's text."""
    import numpy as np

    n = len(table.columns)
    height = 0.8 / max(n, 1)
    y = np.arange(len(table))[::-1]
    for k, (col, tid) in enumerate(zip(table.columns, trip_ids)):
        pos = y + (n - 1 - 2 * k) * height / 2
        vals = table[col].to_numpy()
        ax.barh(pos, vals, height=height * 0.95, color=style.trip_color(tid), label=col)
        for yy, v, row in zip(pos, vals, table.index):
            ax.text(v + offset, yy, labels(row, col), va="center", fontsize=11)
    ax.set_yticks(y)
    ax.grid(axis="y", visible=False)
    # outside the bars (inside, it sat on the bar labels whenever a few categories filled the axes),
    # in a row above them rather than beside: beside, it widened the figure by two inches and the
    # site's column shrank every text to ~8 px (issue 19); the title goes above it (_TITLE_PAD)
    ax.legend(
        loc="lower left", bbox_to_anchor=(0, 1.01), ncol=max(1, n), frameon=False, borderaxespad=0, handlelength=1.5
    )


#: Points between a grouped-bar chart's title and its axes: room for the legend's row under the title.
_TITLE_PAD = 30.0
#: Characters per line of a grouped-bar chart's row labels (long measures on two lines, not one wide one).
_ROW_LABEL_WRAP = 28


def plot_comparison(numeric: pd.DataFrame, trip_ids: Sequence[str], *, ax=None, title: str | None = None):
    """Horizontal grouped bars: one group per measure, one bar per trip."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.6 * len(numeric) + 1.5))
    _grouped_barh(numeric, trip_ids, ax, lambda r, c: str(numeric.loc[r, c]), 0.1)
    ax.set_yticklabels([textwrap.fill(str(r), _ROW_LABEL_WRAP) for r in numeric.index])
    if title:
        ax.set_title(title, pad=_TITLE_PAD)
    return ax


def plot_categories(
    pct: pd.DataFrame, counts: pd.DataFrame, trip_ids: Sequence[str], *, ax=None, title: str | None = None
):
    """Each trip's outcomes by category, as counts: the numbers are small, so a share would
    swing by several points for one document more or less (issue 19: counts, not percentages,
    for small n). ``pct`` is kept in the signature for callers that pass it; it is not drawn."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 5))
    _grouped_barh(counts, trip_ids, ax, lambda r, c: str(int(counts.loc[r, c])), 0.1)
    ax.set_yticklabels([textwrap.fill(CATEGORY_LABELS[c], _ROW_LABEL_WRAP) for c in counts.index])
    ax.set_xlabel("Named documents, pledges and initiatives in the data (count)")
    top = float(counts.to_numpy().max()) if counts.size else 0.0
    ax.set_xlim(0, max(1.0, top * 1.12 + 1))
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    if title:
        ax.set_title(title, pad=_TITLE_PAD)
    return ax


# --- tables and sentences that follow the run's parameters (issue 16, issue 19) ---------------


def day_table(itin: pd.DataFrame, places: pd.DataFrame, trip_id: str) -> pd.DataFrame:
    """A trip day by day as a table: one row per event, in the order the sources give.

    Columns: day, time (a clock time where a source states it, else the part
    of the day, else empty), city, event (a readable event type: a
    non-attendance reads "did not attend", a trilateral meeting is not a
    summit session), with whom, what happened (the itinerary's own
    description) and the source. Built from the rows, so what a reader sees
    is what the data says, word for word.
    """
    rows = itinerary(itin, places, trip_id)
    when = rows["time_local"].fillna(rows["time_of_day"]).fillna("")
    return pd.DataFrame(
        {
            "day": [f"{d:%a %-d %b %Y}" for d in rows["date"]],
            "time": when,
            "city": rows["city"],
            "event": [EVENT_LABELS.get(t, str(t).replace("_", " ")) for t in rows["event_type"]],
            "with": rows["counterpart"].fillna(""),
            "what happened": rows["description"],
            "source": rows["source_id"],
        }
    )


def the_trips(trip_ids: Sequence[str]) -> str:
    """'The trip' or 'The two trips': the subject of a heading."""
    return "The trip" if len(trip_ids) == 1 else f"The {_number_word(len(trip_ids))} trips"


def _number_word(n: int) -> str:
    return {1: "one", 2: "two", 3: "three", 4: "four"}.get(n, str(n))


#: What each focus trip was, written from the cited rows; shown only for the trips a run chooses.
TRIP_SUMMARIES = {
    "xi-2022-09": (
        "**September 2022.** {since} "
        "On 14 September he paid a state visit to Kazakhstan, in the capital then called Nur-Sultan "
        "(`chinamil-2022-09-14-xi-arrives-nursultan`). That evening he flew to Samarkand for a state visit to "
        "Uzbekistan and the SCO summit of 15–16 September (`brecorder-2022-09-14-xi-lands-uzbekistan`). "
        "There he met Vladimir Putin in person for the first time since Russia's invasion of Ukraine "
        "(`kremlin-2022-09-15-putin-xi`), and Iran signed its memorandum of obligations on the way to membership "
        "(`peoplesdaily-2022-samarkand`)."
    ),
    "xi-2024-07": (
        "**July 2024.** Xi spent 2–4 July in Astana (`chinadaily-2024-07-02-xi-leaves`), for the SCO summit "
        "that admitted Belarus as its tenth member (`kremlin-2024-07-04-sco-council`) and for a state visit to "
        "Kazakhstan. He then went on to a state visit to Tajikistan, from the evening of 4 July to 6 July "
        "(`mfa-2024-07-04-xi-arrives-dushanbe`, `presidenttj-2024-07-06-visit-ends`)."
    ),
}


def previous_trip(trip_id: str, other_trips: pd.DataFrame | None = None) -> pd.Series | None:
    """The row of ``xi_other_trips`` whose sources name ``trip_id`` as Xi's next trip abroad, if any."""
    other = data.load("xi_other_trips") if other_trips is None else other_trips
    hit = other[other["next_trip_id"] == trip_id]
    return None if hit.empty else hit.iloc[0]


def _day_month(d) -> str:
    return f"{d.day} {d:%B %Y}"


def _span(a, b) -> str:
    """'17–18 January 2020' (one month) or '30 January–2 February 2020'."""
    if a == b:
        return _day_month(a)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}\u2013{b.day} {b:%B %Y}"
    return f"{a.day} {a:%B}\u2013{_day_month(b)}"


def since_sentence(trip_id: str, other_trips: pd.DataFrame | None = None) -> str:
    """'Xi left China for the first time since ...', from ``xi_other_trips`` and the sources it cites.

    The previous trip's dates cite the row's own source; "no trip abroad in
    between" cites the source the row names for ``next_trip_id`` (chapter 6
    checks the same claims, s001-c001 and s003-c003, on the same two
    sources). Empty when the data names no previous trip.
    """
    prev = previous_trip(trip_id, other_trips)
    if prev is None:
        return ""
    what = prev["title"][0].lower() + prev["title"][1:]
    return (
        f"Xi Jinping left China for the first time since {prev['start_date']:%B %Y}, when he paid a {what} "
        f"({_span(prev['start_date'], prev['end_date'])}, `{prev['source_id']}`). That no trip abroad came in "
        f"between rests on the press of the time, which names that visit as his last before this one "
        f"(`{prev['next_trip_source_id']}`, `axios-2022-09-14-xi-trip-abroad`); chapter 6 checks the claim on "
        "that basis."
    )


def trip_summaries(trip_ids: Sequence[str], other_trips: pd.DataFrame | None = None) -> list[str]:
    """One paragraph per chosen trip (only the chosen ones)."""
    return [TRIP_SUMMARIES[t].format(since=since_sentence(t, other_trips)) for t in trip_ids if t in TRIP_SUMMARIES]


def _measure(comparison: pd.DataFrame, row: str) -> list:
    return [comparison.loc[row, c] for c in comparison.columns]


def glance_sentences(comparison: pd.DataFrame, categories: Sequence[str]) -> str:
    """What the comparison table says, for one trip or several (computed from the table)."""
    labels = list(comparison.columns)
    cats = "" if set(categories) >= set(CATEGORIES) else " in the categories chosen"
    days = _measure(comparison, "Days (first to last day)")
    ctry = _measure(comparison, "Countries visited")
    met = _measure(comparison, "Counterparts met (talks and bilateral meetings)")
    docs = _measure(comparison, "Named documents in the data")
    pledges = _measure(comparison, "Pledges")
    inits = _measure(comparison, "Initiatives")
    if len(labels) == 1:
        return (
            f"The trip of {labels[0]} lasted {days[0]} days and took Xi to "
            f"{_count(ctry[0], 'country', 'countries')}, where he met {_count(met[0], 'counterpart')} in talks and "
            f"bilateral meetings. The data names {_count(docs[0], 'document')}, "
            f"{_count(pledges[0], 'pledge')} and {_count(inits[0], 'initiative')}{cats}."
        )
    parts = []
    for what, vals in (("Countries visited", ctry), ("Counterparts met in talks and bilateral meetings", met)):
        if len(set(vals)) == 1:
            parts.append(f"{what}: {vals[0]} on each trip.")
        else:
            parts.append(f"{what}: " + ", ".join(f"{v} in {lab}" for v, lab in zip(vals, labels)) + ".")
    text = " ".join(parts)
    text += " " + " ".join(f"The {lab} trip lasted {d} days." for lab, d in zip(labels, days))
    outs = [d + p + i for d, p, i in zip(docs, pledges, inits)]
    if len(set(outs)) > 1:
        most = labels[outs.index(max(outs))]
        text += (
            f" Named documents, pledges and initiatives in the data{cats}: "
            + ", ".join(f"{o} for {lab}" for o, lab in zip(outs, labels))
            + f"; the {most} trip produced the most."
        )
    else:
        text += f" Both produced {outs[0]} named documents, pledges and initiatives in the data{cats}."
    return text


def _amount(row) -> str:
    """'USD 15 billion', '2,000 persons': a quantity with its unit as stored."""
    unit = str(row["unit"])
    if unit.startswith("USD "):
        return f"USD {row['quantity']:,.0f} {unit[4:]}"
    return f"{row['quantity']:,.0f} {unit}"


def _count(n: int, word: str, many: str | None = None) -> str:
    return f"{int(n)} {word if int(n) == 1 else (many or word + 's')}"


def _reading(row) -> str:
    """An announced count as stated: 'more than 20' where the source says 'over' or 'more than'."""
    import re

    n = f"{int(row['quantity']):,}"
    note = str(row["notes"]) if pd.notna(row["notes"]) else ""
    return f"more than {n}" if re.search(r"Stated as '(over|more than) ", note) else n


def _signing_name(row, trips: pd.DataFrame) -> str:
    from ..core import prose

    if pd.notna(row["partner_iso3"]):
        return f"the state visit to {prose.name(row['partner_iso3'])}"
    return "the SCO summit" if row["setting"] == "sco" else "the trip"


def document_count_sentences(out: pd.DataFrame, trips: pd.DataFrame, trip_ids: Sequence[str]) -> str:
    """Each signing with more than one announced count: who said how many (computed from the rows)."""
    counts = document_counts(out, trip_ids)
    if counts.empty:
        return "The data has no announced count of documents for the trips chosen."
    keys = counts["partner_iso3"].fillna(counts["setting"].str.upper())
    lines = []
    for (tid, _key), group in counts.groupby([counts["trip_id"], keys], sort=False):
        label = trip_label(trips, tid)
        first = group.iloc[0]
        readings = [f"{r['announced_by']} gave {_reading(r)} (`{r['source_id']}`)" for _, r in group.iterrows()]
        if len(group) > 1:
            lines.append(f"For {_signing_name(first, trips)} in {label}, " + "; ".join(readings) + ".")
        else:
            lines.append(f"For {_signing_name(first, trips)} in {label} there is one reading: {readings[0]}.")
    return " ".join(lines)


def announced_vs_named(out: pd.DataFrame, trips: pd.DataFrame, trip_ids: Sequence[str]) -> str:
    """For each bilateral signing, the largest announced count beside the documents the data names.

    Counted over every category: the point is how much of an announced
    package the sources list by name, whatever the run counts.
    """
    from ..core import prose

    counts = document_counts(out, trip_ids)
    named = data.primary(out)
    named = named[named["kind"] == "document_signed"]
    parts = []
    for _, group in counts[counts["partner_iso3"].notna()].groupby(["trip_id", "partner_iso3"], sort=False):
        top = group.loc[group["quantity"].idxmax()]
        n_named = int(((named["trip_id"] == top["trip_id"]) & (named["partner_iso3"] == top["partner_iso3"])).sum())
        parts.append(
            f"for {prose.name(top['partner_iso3'])} in {trip_label(trips, top['trip_id'])} the largest "
            f"announced count is {_reading(top)} documents, while the data names "
            f"{_count(n_named, 'bilateral document')}"
        )
    if not parts:
        return ""
    text = "; ".join(parts)
    return "Announced totals run ahead of the lists the sources give: " + text + ". Section 4 shows every reading."


def quantified_sentences(
    out: pd.DataFrame, trips: pd.DataFrame, trip_ids: Sequence[str], categories: Sequence[str]
) -> str:
    """The outcomes of the run that carry a number (counts of documents left out), and who announced them."""
    from ..core import prose

    rows = outcomes(out, trip_ids, categories)
    rows = rows[(rows["kind"] != "document_count") & rows["quantity"].notna()]
    total = int((outcomes(out, trip_ids, categories)["kind"] != "document_count").sum())
    if rows.empty:
        return (
            f"None of the {_count(total, 'outcome')} of the trips and categories chosen carries a number "
            "(announced counts of documents aside)."
        )
    side = {"china": "China", "partner": "the partner", "both": "both sides", "sco": "the SCO as a body"}
    items = []
    for _, r in rows.iterrows():
        who = side.get(str(r["announced_by_side"]), str(r["announced_by_side"]))
        where = f", {prose.name(r['partner_iso3'])}" if pd.notna(r["partner_iso3"]) else ""
        items.append(
            f"{r['title']} ({_amount(r)}; {trip_label(trips, r['trip_id'])}{where}; "
            f"announced by {who}, `{r['source_id']}`)"
        )
    text = (
        f"Only {len(rows)} of the {_count(total, 'outcome')} of the trips and categories chosen "
        f"{'carries' if len(rows) == 1 else 'carry'} a number "
        "(announced counts of documents aside): " + "; ".join(items) + "."
    )
    money = rows[rows["unit"].astype(str).str.startswith("USD")]
    if len(money):
        top = money.loc[money["quantity"].idxmax()]
        who = side.get(str(top["announced_by_side"]), str(top["announced_by_side"]))
        text += f" The largest sum of money, {_amount(top)}, was announced by {who}" + (
            ", not by China." if top["announced_by_side"] != "china" else "."
        )
    return text


def day_sentences(itin: pd.DataFrame, places: pd.DataFrame, trips: pd.DataFrame, trip_id: str) -> str:
    """One paragraph per trip saying, city by city, what the itinerary rows record (counted from them)."""
    from ..core import prose

    rows = itinerary(itin, places, trip_id)
    rows = rows[rows["place_id"] != ORIGIN]
    parts = []
    for city, group in rows.groupby("city", sort=False):
        d0, d1 = group["date"].min(), group["date"].max()
        when = f"{d0:%-d %B}" if d0 == d1 else f"{d0:%-d}–{d1:%-d %B}"
        things = []
        talks = group[group["event_type"] == "talks"]["counterpart"].dropna().unique()
        if len(talks):
            things.append("talks with " + prose.join([str(t).split(",")[0] for t in talks]))
        bil = group[group["event_type"] == "bilateral_meeting"]
        if len(bil):
            who = [
                prose.name(c) if pd.notna(c) else _short_name(p) if pd.notna(p) else "another leader"
                for c, p in zip(bil["counterpart_iso3"], bil["counterpart"])
            ]
            who = [
                w
                if pd.notna(c)
                else ("the UN Secretary-General" if "Guterres" in str(w) or w == "another leader" else w)
                for w, c in zip(who, bil["counterpart_iso3"])
            ]
            things.append(f"{_count(len(bil), 'bilateral meeting')} ({prose.join(who)})")
        for _, tri in group[group["event_type"] == "trilateral_meeting"].iterrows():
            things.append("a trilateral meeting with " + _short_name(tri["counterpart"]))
        n_summit = int((group["event_type"] == "summit_session").sum())
        if n_summit:
            things.append(_count(n_summit, "summit session"))
        for kind, word, many in (
            ("signing", "signing", None),
            ("speech", "speech", "speeches"),
            ("award", "award ceremony", None),
        ):
            n = int((group["event_type"] == kind).sum())
            if n:
                things.append(_count(n, word, many))
        parts.append(f"{city} ({when}): " + (prose.join(things) if things else "arrival and departure") + ".")
    text = f"**{trip_label(trips, trip_id)}.** " + " ".join(parts)
    for _, miss in rows[rows["event_type"] == "did_not_attend"].iterrows():
        text += (
            f" Recorded as not attended ({miss['date']:%-d %B}): {str(miss['description']).rstrip('.')} "
            f"(`{miss['source_id']}`)."
        )
    return text


def route_sentences(
    itin: pd.DataFrame, places: pd.DataFrame, trips: pd.DataFrame, trip_ids: Sequence[str], shown: pd.DataFrame
) -> str:
    """Where each chosen trip went first and next, and which Central Asian states it left out."""
    from ..core import prose
    from ..core.vocab import CENTRAL_ASIA

    parts, visited, firsts = [], set(), set()
    for tid in trip_ids:
        stops = days_in_places(itin, places, tid)
        visited |= set(stops["country_iso3"])
        firsts.add(stops["country_iso3"].iloc[0])
        seq = [f"{r['name']} ({prose.name(r['country_iso3'])})" for _, r in stops.iterrows()]
        parts.append(
            f"In {trip_label(trips, tid)} Xi went first to {seq[0]}"
            + (f", then to {prose.join(seq[1:])}." if len(seq) > 1 else ".")
        )
    text = " ".join(parts)
    if len(trip_ids) > 1 and len(firsts) == 1:
        text = f"Both trips went to {prose.name(next(iter(firsts)))} first. " + text
    left_out = [c for c in CENTRAL_ASIA if c not in visited]
    if left_out:
        met = meetings(itin, trip_ids)
        met = met[met["counterpart_iso3"].isin(left_out)]
        text += f" {prose.names(left_out)} hosted no stop on the " + (
            "trip chosen" if len(trip_ids) == 1 else "trips chosen"
        )
        if len(met):
            city = places.set_index("place_id")["name"]
            text += "; Xi met " + prose.join(
                f"{str(r['counterpart']).split(',')[0]} of {prose.name(r['counterpart_iso3'])} in "
                f"{city.get(r['place_id'], '?')} in {trip_label(trips, r['trip_id'])}"
                for _, r in met.iterrows()
            )
        text += "."
        before = shown[(shown["kind"] != "focus")]
        earlier = []
        for c in left_out:
            yrs = sorted(
                {d.year for d, cs in zip(before["start_date"], before["countries"]) if c in str(cs).split(";")}
            )
            if yrs:
                earlier.append(f"{prose.name(c)} in {prose.join([str(y) for y in yrs])}")
        if earlier:
            text += " The timeline in section 6 shows Xi's earlier visits to " + prose.join(earlier) + "."
    return text


def timeline_sentences(
    trips: pd.DataFrame, trip_ids: Sequence[str], include_context: bool, other_trips: pd.DataFrame | None = None
) -> str:
    """What the timeline of section 6 shows, computed from the trips it draws."""
    from ..core import prose

    if not include_context:
        return prose.not_in_selection(
            "The context of Xi's other visits (2013–2025)",
            "this run sets include_context to false, so the timeline shows the chosen trips only",
        )
    shown = shown_trips(trips, trip_ids, include_context)
    visits = shown[shown["kind"] != "hosted_in_china"]
    years = sorted({d.year for d in visits["start_date"]})
    gaps = [(a, b) for a, b in zip(years, years[1:]) if b - a > 1]
    text = (
        f"The timeline shows {_count(len(visits), 'trip')} by Xi to the region between {years[0]} and "
        f"{years[-1]}, in {prose.join([str(y) for y in years])}."
    )
    if gaps:
        a, b = max(gaps, key=lambda g: g[1] - g[0])
        text += f" The longest gap runs from {a} to {b}."
    prev = previous_trip("xi-2022-09", other_trips) if "xi-2022-09" in set(trip_ids) else None
    if prev is not None:
        start = trips.loc[trips["trip_id"] == "xi-2022-09", "start_date"].iloc[0]
        days = (start - prev["end_date"]).days
        text += (
            f" The September 2022 trip was his first abroad since {prev['start_date']:%B %Y} "
            f"(`{prev['next_trip_source_id']}`): it began {days:,} days after the last day of his visit to "
            f'{prev["title"].rsplit(" to ", 1)[-1]} (`{prev["source_id"]}`), the "nearly 1,000 days" of the press '
            "(`japantimes-2022-09-14-xi-kazakhstan`)."
        )
    hosted = shown[shown["kind"] == "hosted_in_china"]
    ccas = shown[shown["title"].str.contains("China–Central Asia", regex=False)]
    if len(ccas):
        text += (
            " A new format appears in the data: the China–Central Asia summits of the five Central Asian "
            "states and China, without Russia, in "
            + prose.join(
                [f"{str(t).rsplit(',', 1)[-1].strip()} ({d:%B %Y})" for t, d in zip(ccas["title"], ccas["start_date"])]
            )
            + "."
        )
    elif len(hosted):
        text += f" The square marks {_count(len(hosted), 'meeting')} hosted in China."
    return text


def category_sentences(counts: pd.DataFrame) -> str:
    """Which categories lead each trip's outcomes, and which occur in one trip only (from the counts)."""
    parts = []
    labels = lambda cats: " and ".join(CATEGORY_LABELS[c].lower() for c in cats)  # noqa: E731
    for col in counts.columns:
        c = counts[col]
        total = int(c.sum())
        if total == 0:
            parts.append(f"{col}: no named document, pledge or initiative in the categories chosen.")
            continue
        top = c.max()
        leaders = list(c[c == top].index)
        text = f"{col}: {labels(leaders)} {'lead' if len(leaders) > 1 else 'leads'} ({top} of {total})"
        rest = c[c < top]
        rest = rest[rest > 0]
        if len(rest):
            second = rest.max()
            text += f", then {labels(list(rest[rest == second].index))} ({second})"
        parts.append(text + ".")
    if counts.shape[1] > 1:
        for cat, row in counts.iterrows():
            nonzero = [col for col in counts.columns if row[col] > 0]
            if len(nonzero) == 1:
                parts.append(f"{CATEGORY_LABELS[cat]} appears only in {nonzero[0]}.")
    return " ".join(parts)


#: How the starting documents read each trip (chapter 5 codes them); shown only for the chosen trips.
READINGS = {
    "xi-2022-09": (
        "For 2022, Xiao Bin (`xiao2022`, a Chinese SCO scholar) presents the trip as a journey for peace and "
        "development, with Central Asia as a priority of Chinese diplomacy, while the digest in starting document 001 "
        "(`cdt-2022-xi-central-asia`) gathers Western analysts who read it through the Xi–Putin meeting: optics, "
        'a shifting balance between Russia and China, or a "Beijing straddle".'
    ),
    "xi-2024-07": (
        "For 2024, the two pieces (`hussain-2024-chinaorg` on a Chinese state-run site, and "
        "`seed003-2024-kazakhstan-visit`) stress win-win cooperation and contrast it with Western geopolitics."
    ),
}


def readings(trip_ids: Sequence[str]) -> list[str]:
    return [READINGS[t] for t in trip_ids if t in READINGS]


def key_outputs(comparison: pd.DataFrame, counts: pd.DataFrame, cited: pd.DataFrame) -> dict[str, str]:
    """Three to five labelled results of a run, for comparing sweep groups."""

    def per_trip(row):
        return "; ".join(f"{c}: {comparison.loc[row, c]}" for c in comparison.columns)

    lead = []
    for col in counts.columns:
        c = counts[col]
        lead.append(f"{col}: " + (CATEGORY_LABELS[c.idxmax()].lower() + f" ({int(c.max())})" if c.sum() else "none"))
    return {
        "trips shown": ", ".join(comparison.columns),
        "counterparts met": per_trip("Counterparts met (talks and bilateral meetings)"),
        "named documents (categories chosen)": per_trip("Named documents in the data"),
        "leading outcome category": "; ".join(lead),
        "sources cited": str(len(cited)),
    }


#: Interpretation of section 1, written for the default run (both trips, every category).
RHYTHM_2022_2024 = (
    "The two trips differ in rhythm. The 2022 trip packed two state visits and a summit into three days, flying on "
    "from Kazakhstan the same evening (`gazette-2022-09-14-reuters-xi-uzbekistan`). The 2024 trip spread two state "
    "visits and a summit over five days (`chinadaily-2024-07-02-xi-leaves`, `presidenttj-2024-07-06-visit-ends`), "
    "and most of its extra named documents and proposals are SCO decisions in Astana and Chinese proposals at the "
    'first "SCO Plus" meeting (`mfa-2024-07-04-sco-plus`; section 4 lists each with its source).'
)
#: Interpretation of section 5, written for the default run (both trips, every category).
CATEGORY_READING = (
    "That institutional outcomes lead fits trips built around a summit: joint statements, declarations, decisions on "
    "membership and strategies. In 2022 the security outcomes are Xi's training and counter-terrorism pledges and the "
    "Global Security Initiative; in 2024 they are the SCO's counter-terrorism and anti-drug programmes and a joint "
    "exercise China offered to host. Energy in 2024 is the SCO's energy cooperation strategy to 2030 and a "
    "Tajik–Chinese memorandum on new-energy minerals; the energy chapter shows the pipelines behind the starting documents' claims "
    "about energy ties. Trade is thin in both years: the trade-doubling goal with Kazakhstan in 2024, the Uzbek package "
    "in 2022, and the SCO's plans for settlement in national currencies; the trade chapter gives the series that such "
    "goals refer to. Each of these outcomes is a row of the table in section 4, with its source."
)


def key_findings(
    comparison: pd.DataFrame,
    counts: pd.DataFrame,
    dis: pd.DataFrame,
    cited: pd.DataFrame,
    outcomes_table: pd.DataFrame,
    trips: pd.DataFrame,
    trip_ids: Sequence[str],
    categories: Sequence[str],
) -> str:
    """The chapter's "Key findings", computed from the run: the run's own sentences and counts, as bullets."""
    from ..core import data as _data

    bullets = [glance_sentences(comparison, categories)]
    if counts.to_numpy().sum():
        lead = []
        for col in counts.columns:
            c = counts[col]
            if c.sum():
                lead.append(
                    f"{CATEGORY_LABELS[c.idxmax()].lower()} in {col} ({_count(int(c.max()), 'outcome')} "
                    f"of {int(c.sum())})"
                )
        bullets.append("The largest category among the outcomes counted: " + "; ".join(lead) + ".")
    signings = document_counts(outcomes_table, trip_ids)
    if len(signings):
        keys = signings["partner_iso3"].fillna(signings["setting"].str.upper())
        groups = [g for _, g in signings.groupby([signings["trip_id"], keys], sort=False)]
        split = sum(len({_reading(r) for _, r in g.iterrows()}) > 1 for g in groups)
        bullets.append(
            f"Of {_count(len(groups), 'signing')} with an announced count of documents, "
            f"{_count(split, 'signing') if split != 1 else 'one'} {'has' if split == 1 else 'have'} "
            "readings that disagree (section 4 lists them)."
        )
    n_dis = 0 if "row drawn" not in dis.columns else len(dis)
    bullets.append(
        f"The sources disagree on {_count(n_dis, 'row')} of the itinerary and outcome tables for the trips "
        "chosen; the chapter keeps every reading."
        if n_dis
        else "The sources do not disagree on any row of the trips chosen."
    )
    bullets.append(f"The rows shown rest on {_data.kinds_phrase(cited).replace('_', ' ')}.")
    return "\n".join(f"- {b}" for b in bullets) + "\n\n" + WHATS_NEXT


WHATS_NEXT = (
    "**What's next.** `03_trade` turns from the visits to the trade behind them: China's trade with each Central "
    "Asian state, year by year, and how far the two sides' statistics agree. The trade-doubling goal and the pledges "
    "listed in section 4 refer to those series. `05_analyst_views` returns to the readings of section 8 and sets "
    "them beside other voices."
)
