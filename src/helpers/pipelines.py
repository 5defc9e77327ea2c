"""The oil and gas pipelines between Central Asia, Russia and China (chapter 4).

Tables: ``pipelines`` (one row per line or section, system rows for the
facts sources give for a whole system), ``pipeline_facts`` (dates, lengths,
capacities and status, one reading a row), ``pipeline_routes`` (named
waypoints), ``pipeline_volumes`` and ``unit_conversions``.

Rules the functions keep:

- a date that was only planned or expected (``planned``) never makes a line
  operating or under construction;
- where several readings of the same fact exist, the drawn one is the primary
  row (``variant_of`` empty) and the others stay visible next to it;
- capacities and volumes are converted only through the sourced factors in
  ``unit_conversions`` (see :mod:`helpers.units`).
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from . import maps, style, units
from .data import primary, variants

#: Colour by commodity (Okabe-Ito blue and vermilion: colour-blind safe).
COMMODITY_COLORS = {"gas": "#0072B2", "oil": "#D55E00"}
#: Line style by status.
STATUS_STYLES = {
    "operating": dict(linestyle="-", linewidth=3.2, alpha=1.0),
    "under_construction": dict(linestyle=(0, (5, 2)), linewidth=2.6, alpha=1.0),
    "planned": dict(linestyle=(0, (1, 1.6)), linewidth=2.6, alpha=0.9),
    "stalled": dict(linestyle=(0, (6, 2, 1, 2)), linewidth=2.6, alpha=0.9),
}
STATUS_LABELS = {
    "operating": "operating", "under_construction": "under construction",
    "planned": "planned", "stalled": "stalled",
}
#: West, east, south, north (degrees) of the Central Asian close-up.
CENTRAL_ASIA_BOUNDS = (50.0, 86.0, 36.5, 50.5)
#: Statuses shown only when the reader asks for planned lines.
NOT_BUILT = ("planned", "stalled")

#: The unit each commodity's figures are drawn in, per display choice:
#: (rate unit, quantity unit).
DISPLAY_UNITS = {
    "native": {"gas": ("bcm/year", "bcm"), "oil": ("Mt/year", "Mt")},
    "Mtoe": {"gas": ("Mtoe/year", "Mtoe"), "oil": ("Mtoe/year", "Mtoe")},
    "kb/d": {"oil": ("kb/d", "Mbbl")},
}
UNIT_WORDS = {
    "bcm/year": "bcm a year", "Mt/year": "million tonnes a year", "Mtoe/year": "Mtoe a year",
    "kb/d": "thousand barrels a day", "bcm": "bcm", "Mt": "million tonnes", "Mtoe": "Mtoe",
    "Mbbl": "million barrels",
}


# --- which lines ----------------------------------------------------------------


def leaves(pipelines: pd.DataFrame, commodity: str = "all") -> pd.DataFrame:
    """Lines and sections that are drawn: every row except system rows (those others are ``part_of``)."""
    systems = set(pipelines["part_of"].dropna())
    out = pipelines[~pipelines["pipeline_id"].isin(systems)]
    if commodity != "all":
        out = out[out["commodity"] == commodity]
    return out


def into_china(pipelines: pd.DataFrame, commodity: str = "all") -> pd.DataFrame:
    """Drawn lines that cross China's border (the import capacity; in-country sections excluded)."""
    out = leaves(pipelines, commodity)
    return out[(out["to_iso3"] == "CHN") & (out["from_iso3"] != "CHN")]


# --- facts ------------------------------------------------------------------------


def readings(facts: pd.DataFrame, pipeline_id: str, attribute: str) -> pd.DataFrame:
    """Primary, actual (not planned) readings of one attribute of one line."""
    rows = primary(facts)
    return rows[(rows["pipeline_id"] == pipeline_id) & (rows["attribute"] == attribute) & ~rows["planned"]]


def first_date(facts: pd.DataFrame, pipeline_id: str, attribute: str) -> pd.Series | None:
    """Earliest primary, actual reading of a date attribute (with a ``date`` column), or None."""
    rows = readings(facts, pipeline_id, attribute)
    return None if rows.empty else rows.assign(date=pd.to_datetime(rows["value"])).sort_values("date").iloc[0]


def latest_reading(facts: pd.DataFrame, pipeline_id: str, attribute: str) -> pd.Series | None:
    """The primary, actual reading with the latest ``as_of`` (undated ones count as oldest), or None."""
    rows = readings(facts, pipeline_id, attribute)
    return None if rows.empty else rows.sort_values("as_of", na_position="first").iloc[-1]


def status_in(year: int, pipelines: pd.DataFrame, facts: pd.DataFrame, commodity: str = "all") -> pd.DataFrame:
    """Each drawn line's status at the end of ``year``, with the fact row that decides it.

    A line operates once its first actual ``operation_start`` falls in or
    before the year. Otherwise the latest primary ``status`` reading dated in
    or before the year decides (a plan, a construction report, a delay);
    failing that, an actual ``construction_start`` makes it under
    construction. A line with none of these did not exist yet and is left out.
    """
    rows = []
    for _, line in leaves(pipelines, commodity).iterrows():
        pid = line["pipeline_id"]
        op = first_date(facts, pid, "operation_start")
        cs = first_date(facts, pid, "construction_start")
        status, basis = None, None
        if op is not None and op["date"].year <= year:
            status, basis = "operating", op
        else:
            st = readings(facts, pid, "status").dropna(subset=["as_of"])
            st = st[st["as_of"].str[:4].astype(int) <= year].sort_values("as_of")
            if len(st):
                status, basis = st.iloc[-1]["value"], st.iloc[-1]
            elif cs is not None and cs["date"].year <= year:
                status, basis = "under_construction", cs
        if status is None:
            continue
        rows.append({"pipeline_id": pid, "short_name": line["short_name"], "commodity": line["commodity"],
                     "status": status, "decided_by": basis["fact_id"], "source_id": basis["source_id"]})
    return pd.DataFrame(rows, columns=["pipeline_id", "short_name", "commodity", "status", "decided_by", "source_id"])


def summary(pipelines: pd.DataFrame, facts: pd.DataFrame, commodity: str = "all") -> pd.DataFrame:
    """One row per line: the drawn reading of each attribute and how many other readings exist."""
    rows = []
    for _, line in pipelines[(pipelines["commodity"] == commodity) | (commodity == "all")].iterrows():
        pid = line["pipeline_id"]
        row = {"pipeline": line["short_name"], "from": line["from_iso3"], "to": line["to_iso3"]}
        for attr, col in (("construction_start", "construction"), ("operation_start", "operation")):
            first = first_date(facts, pid, attr)
            row[col] = "" if first is None else _date_text(first["value"], first["date_precision"])
        for attr, col in (("length_km", "length_km"), ("design_capacity", "capacity")):
            last = latest_reading(facts, pid, attr)
            row[col] = "" if last is None else f"{float(last['value']):g}" + ("" if attr == "length_km" else f" {last['unit']}")
        status = latest_reading(facts, pid, "status")
        row["latest status"] = "" if status is None else f"{STATUS_LABELS[status['value']]} ({status['as_of']})"
        own = facts[(facts["pipeline_id"] == pid) & ~facts["planned"]]
        row["other readings"] = int(own["variant_of"].notna().sum())
        rows.append(row)
    return pd.DataFrame(rows)


def _date_text(value: str, precision: str) -> str:
    return {"day": value, "month": value[:7], "year": value[:4]}.get(precision, value)


def disagreements(facts: pd.DataFrame, pipelines: pd.DataFrame, commodity: str = "all") -> pd.DataFrame:
    """Every reading that disagrees with a drawn one, side by side."""
    names = pipelines.set_index("pipeline_id")["short_name"]
    keep = pipelines[(pipelines["commodity"] == commodity) | (commodity == "all")]["pipeline_id"]
    v = variants(facts[facts["pipeline_id"].isin(keep)], "fact_id")
    if v.empty:
        return pd.DataFrame(columns=["pipeline", "attribute", "drawn", "source (drawn)", "other reading",
                                     "source (other)", "note"])

    def show(value, unit, planned):
        text = f"{value} {unit}" if isinstance(unit, str) and unit else str(value)
        return text + (" (planned)" if planned else "")

    return pd.DataFrame({
        "pipeline": v["pipeline_id_other"].map(names),
        "attribute": v["attribute_other"].str.replace("_", " "),
        "drawn": [show(a, b, c) for a, b, c in zip(v["value_drawn"], v["unit_drawn"], v["planned_drawn"])],
        "source (drawn)": v["source_id_drawn"],
        "other reading": [show(a, b, c) for a, b, c in zip(v["value_other"], v["unit_other"], v["planned_other"])],
        "source (other)": v["source_id_other"],
        "note": v["notes_other"],
    })


# --- units ------------------------------------------------------------------------


def display_unit(unit: str, commodity: str, *, rate: bool = True) -> str:
    """The unit a commodity's capacities (``rate``) or quantities are drawn in."""
    try:
        pair = DISPLAY_UNITS[unit][commodity]
    except KeyError:
        raise units.UnitError(f"unit {unit!r} is not available for {commodity}") from None
    return pair[0] if rate else pair[1]


def to_display(frame: pd.DataFrame, unit: str, *, rate: bool, factors=None) -> pd.DataFrame:
    """Add ``shown`` (the value in the display unit) and ``shown_unit`` to rows with ``value``, ``unit``, ``commodity``."""
    factors = units.load_factors() if factors is None else factors
    out = frame.copy()
    shown, shown_unit = [], []
    for value, src, commodity in zip(out["value"], out["unit"], out["commodity"]):
        target = display_unit(unit, commodity, rate=rate)
        shown.append(float(value) * units.conversion(src, target, factors=factors)[0])
        shown_unit.append(target)
    out["shown"] = shown
    out["shown_unit"] = shown_unit
    return out


# --- capacity ---------------------------------------------------------------------


def capacity_readings(facts: pd.DataFrame, pipelines: pd.DataFrame, commodity: str = "all") -> pd.DataFrame:
    """Actual (not planned) design-capacity readings of lines into China, with their commodity."""
    lines = into_china(pipelines, commodity)
    cap = facts[(facts["attribute"] == "design_capacity") & ~facts["planned"] & facts["pipeline_id"].isin(lines["pipeline_id"])]
    cap = cap.merge(lines[["pipeline_id", "short_name", "system", "commodity"]], on="pipeline_id")
    return cap.assign(value=cap["value"].astype(float))


def capacity_buildup(facts: pd.DataFrame, pipelines: pd.DataFrame, unit: str, years: Sequence[int],
                     commodity: str = "all") -> pd.DataFrame:
    """Import capacity of each system into China at the end of each year.

    Lines count from the year of their first actual ``operation_start``. A
    line's figure is added to the lines before it in the same system, unless
    the reading says it ``includes_earlier_lines`` (then it replaces their
    total). Columns: system, commodity, year, low, drawn, high: the drawn
    reading, and the lowest and highest readings sources give, in the display
    unit.
    """
    cap = capacity_readings(facts, pipelines, commodity)
    if cap.empty:
        return pd.DataFrame(columns=["system", "commodity", "year", "low", "drawn", "high", "unit"])
    cap = to_display(cap, unit, rate=True)
    starts = {}
    for pid in cap["pipeline_id"].unique():
        op = first_date(facts, pid, "operation_start")
        if op is not None:
            starts[pid] = op["date"]
    rows = []
    for (system, commodity_), group in cap.groupby(["system", "commodity"]):
        order = sorted((pid for pid in group["pipeline_id"].unique() if pid in starts), key=starts.get)
        for year in years:
            low = drawn = high = 0.0
            counted = False
            for pid in order:
                if starts[pid].year > year:
                    continue
                counted = True
                own = group[group["pipeline_id"] == pid]
                prim = own[own["fact_id"] == latest_reading(facts, pid, "design_capacity")["fact_id"]].iloc[0]
                with_earlier = bool(prim["includes_earlier_lines"])
                lo, hi = own["shown"].min(), own["shown"].max()
                if with_earlier:
                    low, drawn, high = lo, prim["shown"], hi
                else:
                    low, drawn, high = low + lo, drawn + prim["shown"], high + hi
            if counted:
                rows.append({"system": system, "commodity": commodity_, "year": year, "low": low,
                             "drawn": drawn, "high": high, "unit": group["shown_unit"].iloc[0]})
    return pd.DataFrame(rows)


def planned_capacity(facts: pd.DataFrame, pipelines: pd.DataFrame, unit: str, year: int,
                     commodity: str = "all") -> pd.DataFrame:
    """Lines into China that are planned or stalled at ``year``, with their drawn capacity reading."""
    status = status_in(year, pipelines, facts, commodity)
    waiting = status[status["status"].isin(NOT_BUILT)]["pipeline_id"]
    cap = capacity_readings(facts, pipelines, commodity)
    latest = [latest_reading(facts, pid, "design_capacity") for pid in waiting]
    cap = cap[cap["fact_id"].isin([r["fact_id"] for r in latest if r is not None])]
    out = to_display(cap, unit, rate=True) if len(cap) else cap.assign(shown=[], shown_unit=[])
    return out.merge(status[["pipeline_id", "status"]], on="pipeline_id")


# --- volumes ----------------------------------------------------------------------


def _with_commodity(vols: pd.DataFrame, pipelines: pd.DataFrame) -> pd.DataFrame:
    info = pipelines.set_index("pipeline_id")
    return vols.assign(commodity=vols["pipeline_id"].map(info["commodity"]),
                       system=vols["pipeline_id"].map(info["system"]),
                       short_name=vols["pipeline_id"].map(info["short_name"]))


def annual_volumes(vols: pd.DataFrame, pipelines: pd.DataFrame, unit: str, commodity: str = "all") -> pd.DataFrame:
    """Full-year volumes delivered to China, primary readings, in the display unit.

    Where the operator gives only its export and transit components (the
    Kazakhstan-China oil pipeline from 2022), their sum is added as a row
    marked ``derived``; the components are never mixed with a reported total
    for the same year.
    """
    v = _with_commodity(vols, pipelines)
    v = primary(v)
    v = v[(v["measure"] == "annual") & (v["period"] == "year")]
    if commodity != "all":
        v = v[v["commodity"] == commodity]
    direct = v[v["scope"] == "delivered_to_china"].assign(derived=False)
    parts = v[v["scope"].isin(["transit_to_china", "export_to_china"])]
    summed = []
    for (pid, year), group in parts.groupby(["pipeline_id", "year"]):
        if ((direct["pipeline_id"] == pid) & (direct["year"] == year)).any() or group["scope"].nunique() < 2:
            continue
        if group["unit"].nunique() != 1:
            raise ValueError(f"{pid} {year}: components in different units")
        first = group.iloc[0]
        summed.append({**first.to_dict(), "value": group["value"].sum(), "scope": "export+transit",
                       "row_id": "+".join(group["row_id"]), "estimate": True, "derived": True})
    out = pd.concat([direct, pd.DataFrame(summed)], ignore_index=True) if summed else direct
    out = out.drop_duplicates(subset=["pipeline_id", "year"], keep="first")
    return to_display(out, unit, rate=False).sort_values(["system", "year"])


def cumulative_volumes(vols: pd.DataFrame, pipelines: pd.DataFrame, unit: str, commodity: str = "all",
                       *, primary_only: bool = True) -> pd.DataFrame:
    """Cumulative deliveries since opening, one row per dated reading, in the display unit.

    Disagreeing readings (``variant_of`` set, such as a seed's claim) are left
    out unless ``primary_only`` is False.
    """
    v = _with_commodity(vols, pipelines)
    v = v[(v["measure"] == "cumulative") & (v["scope"] == "delivered_to_china")]
    if primary_only:
        v = primary(v)
    if commodity != "all":
        v = v[v["commodity"] == commodity]
    v = v.assign(date=pd.to_datetime(v["as_of"].str.pad(10, side="right", fillchar="-").str.replace(
        r"-+$", "", regex=True).map(_month_end)))
    return to_display(v, unit, rate=False).sort_values(["system", "date"])


def _month_end(text: str) -> str:
    """'2013' -> '2013-12-31', '2018-01' -> '2018-01-31', a full date unchanged."""
    if len(text) == 4:
        return f"{text}-12-31"
    if len(text) == 7:
        return (pd.Period(text, "M").end_time.date()).isoformat()
    return text


def implied_rates(cumulative: pd.DataFrame, system: str, *, primary_only: bool = True) -> pd.DataFrame:
    """Average yearly rate between successive cumulative readings of one system.

    rate = (later total - earlier total) / years between the two dates. Rows
    whose total is a rounded milestone ('passed 50 bcm') are kept; their
    ``estimate`` flag carries over.
    """
    c = cumulative[cumulative["system"] == system]
    if primary_only:
        c = primary(c)
    c = c.sort_values("date").drop_duplicates("date", keep="last")
    rows = []
    for (_, a), (_, b) in zip(c.iloc[:-1].iterrows(), c.iloc[1:].iterrows()):
        years = (b["date"] - a["date"]).days / 365.25
        if years <= 0:
            continue
        rows.append({"from": a["date"].date(), "to": b["date"].date(), "total_from": a["shown"],
                     "total_to": b["shown"], "years": round(years, 2),
                     "rate_per_year": (b["shown"] - a["shown"]) / years, "unit": a["shown_unit"],
                     "estimate": bool(a["estimate"] or b["estimate"]), "rows": f"{a['row_id']}, {b['row_id']}"})
    return pd.DataFrame(rows)


# --- routes and the map --------------------------------------------------------------


def route(routes: pd.DataFrame, places: pd.DataFrame, pipeline_id: str) -> pd.DataFrame:
    """A line's waypoints in order, with coordinates (missing where no reference locates the place)."""
    r = routes[routes["pipeline_id"] == pipeline_id].sort_values("seq")
    return r.merge(places[["place_id", "name", "country_iso3", "lat", "lon"]], on="place_id", how="left")


def unlocated(routes: pd.DataFrame, places: pd.DataFrame, pipeline_ids: Sequence[str]) -> pd.DataFrame:
    """Waypoints of these lines that the map skips because no coordinates were found."""
    r = routes[routes["pipeline_id"].isin(list(pipeline_ids))].merge(places, on="place_id", suffixes=("", "_place"))
    return r[r["lat"].isna()][["pipeline_id", "seq", "place_id", "name"]]


def _offset_path(xs, ys, shift: float):
    """Shift a polyline sideways by ``shift`` map units (parallel lines drawn side by side)."""
    import numpy as np

    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    if shift == 0 or len(xs) < 2:
        return xs, ys
    dx, dy = np.gradient(xs), np.gradient(ys)
    norm = np.hypot(dx, dy)
    norm[norm == 0] = 1
    return xs - dy / norm * shift, ys + dx / norm * shift


def plot_network(pipelines: pd.DataFrame, facts: pd.DataFrame, routes: pd.DataFrame, places: pd.DataFrame,
                 year: int, *, commodity: str = "all", include_planned: bool = True, ax=None,
                 title: str | None = None, bounds: tuple[float, float, float, float] | None = None) -> tuple:
    """Map of the lines as they stood at the end of ``year``.

    Colour gives the commodity, the dash pattern the status. Parallel lines of
    one system are drawn side by side. Waypoints without coordinates are
    skipped (the route runs straight between the located ones). ``bounds``
    (west, east, south, north in degrees) zooms in; by default the frame fits
    every line drawn. Returns
    ``(ax, status table, rows drawn)``.
    """
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from matplotlib.lines import Line2D

    status = status_in(year, pipelines, facts, commodity)
    if not include_planned:
        status = status[~status["status"].isin(NOT_BUILT)]
    located = places.dropna(subset=["lat", "lon"])
    shown_routes = [route(routes, located, pid).dropna(subset=["lat"]) for pid in status["pipeline_id"]]
    points = [(lon, lat) for r in shown_routes for lon, lat in zip(r["lon"], r["lat"])]
    if not points:  # nothing to draw yet: frame all lines of the commodity
        ids = leaves(pipelines, commodity)["pipeline_id"]
        points = [(lon, lat) for pid in ids for lon, lat in
                  route(routes, located, pid).dropna(subset=["lat"])[["lon", "lat"]].itertuples(index=False)]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    # parallels curve once projected: frame the box by points along its edges, not its corners
    west, east, south, north = bounds or (min(lons) - 3, max(lons) + 3, min(lats) - 2, max(lats) + 2)
    steps = [west + (east - west) * k / 10 for k in range(11)]
    frame = tuple((x, south) for x in steps) + tuple((x, north) for x in steps)
    if ax is None:
        x0, x1, y0, y1 = maps.projected_extent(frame)
        _, ax = plt.subplots(figsize=(14, min(11, max(6, 14 * (y1 - y0) / (x1 - x0) + 1.2))))
    ax.figure.subplots_adjust(left=0.01, right=0.99, bottom=0.06, top=0.93)
    maps.base_map(ax, frame)
    crossed = {c for pid in status["pipeline_id"]
               for c in pipelines.set_index("pipeline_id").loc[pid, "route_countries"].split(";")}
    maps.label_countries(ax, sorted(crossed), fontsize=11)
    info = pipelines.set_index("pipeline_id")
    siblings: dict[str, list[str]] = {}
    for pid in status["pipeline_id"]:
        siblings.setdefault(f"{info.loc[pid, 'system']}|{info.loc[pid, 'section'][:4]}", []).append(pid)
    width = (maps.project(east, 45)[0] - maps.project(west, 45)[0]) / 250
    drawn_places = []
    for _, line in status.iterrows():
        pid = line["pipeline_id"]
        r = route(routes, located, pid).dropna(subset=["lat"])
        if len(r) < 2:
            continue
        drawn_places.append(r)
        xs, ys = maps.project(list(r["lon"]), list(r["lat"]))
        group = next(g for g in siblings.values() if pid in g)
        k = group.index(pid) - (len(group) - 1) / 2
        xs, ys = _offset_path(xs, ys, k * width)
        ax.plot(xs, ys, color=COMMODITY_COLORS[line["commodity"]], zorder=4, solid_capstyle="round",
                **STATUS_STYLES[line["status"]])
    if drawn_places:
        pts = pd.concat(drawn_places).drop_duplicates("place_id")
        labelled: list[tuple[float, float]] = []
        for _, p in pts.iterrows():
            x, y = maps.project(p["lon"], p["lat"])
            ax.plot(x, y, "o", ms=5, color="white", mec="#333333", mew=1.2, zorder=5)
            # a place within 120 km of one already named keeps its dot but not its label
            if any(((x - a) ** 2 + (y - b) ** 2) ** 0.5 < 120_000 for a, b in labelled):
                continue
            labelled.append((x, y))
            ax.annotate(p["name"].split(" (")[0], (x, y), xytext=(5, 4), textcoords="offset points", fontsize=11,
                        color="#222222", zorder=6, annotation_clip=True,
                        path_effects=[patheffects.withStroke(linewidth=3, foreground="white")])
    handles = [Line2D([], [], color=c, linewidth=3.2, label=k) for k, c in COMMODITY_COLORS.items()
               if commodity in ("all", k)]
    handles += [Line2D([], [], color="#444444", label=STATUS_LABELS[s], **{**STATUS_STYLES[s], "linewidth": 2.6})
                for s in STATUS_STYLES if s in set(status["status"])]
    ax.legend(handles=handles, loc="lower left", fontsize=12, framealpha=0.9)
    ax.set_title(title or f"Pipelines to China at the end of {year}", fontsize=16)
    rows = [facts[facts["fact_id"].isin(status["decided_by"])]]
    rows += [routes[routes["pipeline_id"].isin(status["pipeline_id"])]]
    if drawn_places:
        rows.append(places[places["place_id"].isin(pd.concat(drawn_places)["place_id"])])
    return ax, status, pd.concat(rows, ignore_index=True)


# --- charts -----------------------------------------------------------------------------


SYSTEM_COLORS = ["#0072B2", "#56B4E9", "#009E73", "#D55E00", "#E69F00", "#CC79A7", "#000000"]


def _system_colors(systems: Sequence[str]) -> dict[str, str]:
    return {s: SYSTEM_COLORS[i % len(SYSTEM_COLORS)] for i, s in enumerate(sorted(systems))}


def plot_capacity(build: pd.DataFrame, planned: pd.DataFrame | None = None, *, commodities: Sequence[str]):
    """Stacked steps of import capacity by system, one panel per commodity; a band where readings differ.

    Planned lines, if given, are a hatched bar to the right of the last year.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, row = plt.subplots(1, len(commodities), figsize=(6.5 * len(commodities) + 1, 5), squeeze=False)
    axes = dict(zip(commodities, row[0]))
    colors = _system_colors(build["system"].unique()) if len(build) else {}
    for commodity, ax in axes.items():
        b = build[build["commodity"] == commodity]
        if b.empty:
            ax.text(0.5, 0.5, f"No {commodity} line into China in these years", ha="center", transform=ax.transAxes)
            continue
        wide = b.pivot(index="year", columns="system", values="drawn").fillna(0)
        low = b.groupby("year")["low"].sum().reindex(wide.index)
        high = b.groupby("year")["high"].sum().reindex(wide.index)
        bottom = pd.Series(0.0, index=wide.index)
        for system in wide.columns:
            ax.bar(wide.index, wide[system], bottom=bottom, color=colors[system], width=0.85, label=system)
            bottom += wide[system]
        spread = high.ne(low)
        if spread.any():
            ax.vlines(wide.index[spread], low[spread], high[spread], color="#222222", linewidth=2, zorder=5,
                      label="range of sources' readings")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if planned is not None and len(planned[planned["commodity"] == commodity]):
            p = planned[planned["commodity"] == commodity]
            x = wide.index.max() + 3
            base = bottom.iloc[-1]
            for _, row in p.iterrows():
                ax.bar(x, row["shown"], bottom=base, color="white", edgecolor=COMMODITY_COLORS[commodity],
                       hatch="//", width=1.4, label=f"{row['short_name']} ({STATUS_LABELS[row['status']]})")
                base += row["shown"]
            ticks = [t for t in range(wide.index.min(), wide.index.max() + 1) if t % 5 == 0] + [x]
            ax.set_xticks(ticks)
            ax.set_xticklabels([str(t) for t in ticks[:-1]] + ["planned"])
            ax.set_xlim(wide.index.min() - 1, x + 1.2)
        unit = b["unit"].iloc[0]
        ax.set_ylabel(UNIT_WORDS.get(unit, unit))
        ax.set_title(f"{commodity.capitalize()}: design capacity into China")
        ax.legend(loc="upper left", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    return fig, axes


def plot_volumes(annual: pd.DataFrame, cumulative: pd.DataFrame, *, commodities: Sequence[str]):
    """Yearly deliveries (top row, bars) and cumulative totals (bottom row, points), one column per commodity."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(2, len(commodities), figsize=(7 * len(commodities) + 1, 9), squeeze=False)
    colors = _system_colors(set(annual["system"]) | set(cumulative["system"]))
    for j, commodity in enumerate(commodities):
        top, bottom = axes[0][j], axes[1][j]
        a = annual[annual["commodity"] == commodity]
        c = cumulative[cumulative["commodity"] == commodity]
        groups = sorted(a["system"].unique())
        width = 0.8 / max(len(groups), 1)
        for i, system in enumerate(groups):
            g = a[a["system"] == system]
            x = g["year"] + (i - (len(groups) - 1) / 2) * width
            top.bar(x, g["shown"], width=width, color=colors[system], label=system,
                    hatch=["//" if d else "" for d in g["derived"]], edgecolor="white")
        for system, g in c.groupby("system"):
            yr = g["date"].dt.year + (g["date"].dt.dayofyear - 1) / 365.25
            bottom.plot(yr, g["shown"], "-", color=colors[system], alpha=0.6, linewidth=1.8)
            bottom.scatter(yr, g["shown"], s=50, color=[("white" if e else colors[system]) for e in g["estimate"]],
                           edgecolor=colors[system], linewidth=1.8, zorder=5, label=system)
        for ax, frame, what in ((top, a, "in the year"), (bottom, c, "since opening")):
            if frame.empty:
                ax.text(0.5, 0.5, f"No {commodity} figures in the data", ha="center", transform=ax.transAxes)
                continue
            unit = frame["shown_unit"].iloc[0]
            ax.set_ylabel(f"{what}, {UNIT_WORDS.get(unit, unit)}")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(axis="y", alpha=0.3)
            ax.legend(loc="upper left", fontsize=10)
        top.set_title(f"{commodity.capitalize()} delivered to China, by year")
        bottom.set_title(f"{commodity.capitalize()} delivered to China since opening")
    fig.tight_layout()
    return fig, axes


# --- the seeds' claims ------------------------------------------------------------------


def oil_claim_check(vols: pd.DataFrame, facts: pd.DataFrame, pipelines: pd.DataFrame) -> pd.DataFrame:
    """Seed 000's 'nearly 190 million tons' through the Kazakhstan-China oil pipeline, step by step.

    Starts from the last cumulative reading before the claim and adds the
    most the pipeline could have carried until the claim's date: at its
    design capacity, and at the rate of the latest full years in the data.
    Every input is a data row; the output names them.
    """
    cum = cumulative_volumes(vols, pipelines, "native", "oil", primary_only=False)
    claim = cum[cum["source_id"] == "xiao2022"].iloc[0]
    before = primary(cum)
    base = before[(before["system"] == claim["system"]) & (before["date"] < claim["date"])].iloc[-1]
    years = (claim["date"] - base["date"]).days / 365.25
    [border] = into_china(pipelines, "oil").query("system == @claim.system")["pipeline_id"]
    design = latest_reading(facts, border, "design_capacity")
    annual = annual_volumes(vols, pipelines, "native", "oil")
    annual = annual[annual["system"] == claim["system"]]
    recent = annual[annual["year"] >= base["date"].year].sort_values("year")
    rate = recent["shown"].max()
    rate_row = recent.loc[recent["shown"].idxmax()]
    cap = float(design["value"])
    steps = [
        ("Delivered by " + f"{base['date']:%d %b %Y}", base["shown"], f"{base['row_id']} ({base['source_id']})"),
        ("Years from then to the claim's date", years, f"{base['date']:%Y-%m-%d} to {claim['date']:%Y-%m-%d}"),
        ("Ceiling: design capacity of the cross-border section, Mt a year", cap, f"{design['fact_id']} ({design['source_id']})"),
        ("Most possible by the claim's date (at design capacity every day)", base["shown"] + cap * years, "computed"),
        ("Highest yearly delivery since then in the data, Mt", rate, f"{rate_row['row_id']} ({rate_row['source_id']})"),
        ("Likely by the claim's date (at that yearly rate)", base["shown"] + rate * years, "computed"),
        ("The claim", claim["shown"], f"{claim['row_id']} ({claim['source_id']})"),
    ]
    return pd.DataFrame(steps, columns=["step", "value", "from"])


def full_capacity_check(vols: pd.DataFrame, facts: pd.DataFrame, pipelines: pd.DataFrame, pipeline_id: str,
                        claim_year: int, *, exclude_source: str | None = None) -> dict:
    """'Full capacity by the end of ``claim_year``': the capacity in place then, and when deliveries reached it.

    Takes the capacity drawn for the line's system in the claim's year, the
    years it stayed unchanged, and the annual rates implied by successive
    cumulative deliveries in that time. Returns the other sources' expected
    dates (``other_readings``: fact id, value, source), the first year the
    implied rate reached the capacity (``reached_year``, None if never) and
    the working as a sentence (``text``).
    """
    alt = facts[(facts["pipeline_id"] == pipeline_id) & (facts["attribute"] == "full_capacity")]
    if exclude_source:
        alt = alt[alt["source_id"] != exclude_source]
    years = sorted({v[:4] for v in alt["value"]})
    system = pipelines.set_index("pipeline_id").loc[pipeline_id, "system"]
    build = capacity_buildup(facts, pipelines, "native", range(claim_year, claim_year + 30), "gas")
    build = build[build["system"] == system].set_index("year")["drawn"]
    target = build.loc[claim_year]
    until = build[build != target].index.min() - 1 if (build != target).any() else build.index.max()
    rates = implied_rates(cumulative_volumes(vols, pipelines, "native", "gas"), system)
    window = rates[pd.to_datetime(rates["to"]).dt.year <= until]
    reached = window[window["rate_per_year"] >= target]
    text = (f"Other sources expected full capacity in {', '.join(years) or 'no year'}. Cumulative deliveries imply "
            f"{window['rate_per_year'].min():.0f}-{window['rate_per_year'].max():.0f} bcm a year between "
            f"{window['from'].min():%b %Y} and {window['to'].max():%b %Y}, against {target:g} bcm a year of capacity"
            + (f"; first reached in the stretch ending {reached['to'].iloc[0]:%b %Y}." if len(reached)
               else "; never reached in that time."))
    return {"claim_year": claim_year, "capacity": float(target), "reached_year":
            int(reached["to"].iloc[0].year) if len(reached) else None,
            "other_readings": [(r["fact_id"], r["value"], r["source_id"]) for _, r in alt.iterrows()], "text": text}


def claims(vols: pd.DataFrame, facts: pd.DataFrame, pipelines: pd.DataFrame) -> pd.DataFrame:
    """The seeds' pipeline claims next to what the other sources say, with a verdict computed from the data."""
    rows = []
    prim = primary(facts)
    # 1. the gas pipeline's opening date (seed 004)
    seed = facts[(facts["source_id"] == "gao2010") & (facts["attribute"] == "operation_start")].iloc[0]
    others = readings(facts, seed["pipeline_id"], "operation_start")
    agree = others[(others["value"] == seed["value"]) & (others["source_id"] != "gao2010")]
    differ = facts[facts["variant_of"].isin(others["fact_id"]) & ~facts["planned"]]
    rows.append(("gao2010", "The Central Asia-China gas pipeline came into operation on 14 December 2009.",
                 f"{len(agree)} other sources give the same day ({', '.join(agree['source_id'])}); the other "
                 f"readings ({', '.join(sorted(set(differ['value'])))}) date other milestones (section 2).",
                 "confirmed" if len(agree) >= 2 else "not confirmed"))
    # 2. full capacity by the end of 2011 (seed 004)
    seed = facts[(facts["source_id"] == "gao2010") & (facts["attribute"] == "full_capacity")].iloc[0]
    got = full_capacity_check(vols, facts, pipelines, seed["pipeline_id"], int(seed["value"][:4]),
                              exclude_source="gao2010")
    rows.append(("gao2010", "The gas pipeline would reach full capacity by the end of 2011.", got["text"],
                 "consistent" if got["reached_year"] is not None and got["reached_year"] <= got["claim_year"]
                 else "not confirmed"))
    # 3. 190 Mt of oil (seed 000)
    check = oil_claim_check(vols, facts, pipelines).set_index("step")["value"]
    ceiling = check.iloc[3]
    claim = check.iloc[6]
    rows.append(("xiao2022", "The China-Kazakhstan oil pipeline has delivered nearly 190 million tons of crude to China.",
                 f"From the last reading before the claim, even at full design capacity every day the total could "
                 f"be at most {ceiling:.0f} Mt; at the latest yearly rate about {check.iloc[5]:.0f} Mt.",
                 "not consistent" if ceiling < claim else "possible"))
    # 4. 500 million people (seed 000)
    seed = facts[(facts["source_id"] == "xiao2022") & (facts["attribute"] == "people_served")].iloc[0]
    other = prim[(prim["attribute"] == "people_served") & (prim["source_id"] != "xiao2022")]
    same = other[other["value"] == seed["value"]]
    rows.append(("xiao2022", "The Central Asian gas pipeline through Uzbekistan has benefited more than 500 million people in China.",
                 f"Xinhua gives the same figure ({', '.join(same['source_id'])}); no source counts it independently.",
                 "same figure as state media" if len(same) else "not found elsewhere"))
    # 5. Kazakhstan's southern gas pipeline 'under construction' (seed 000, September 2022)
    seed = facts[(facts["source_id"] == "xiao2022") & (facts["attribute"] == "status")].iloc[0]
    year = int(seed["as_of"][:4])
    status = status_in(year, pipelines, facts).set_index("pipeline_id")["status"]
    rows.append(("xiao2022", "The southern gas pipeline under construction in Kazakhstan will supply gas to four southern regions.",
                 f"At the end of {year} the data has Beineu-Bozoi-Shymkent {STATUS_LABELS[status.get(seed['pipeline_id'], 'planned')]} "
                 f"(first stage since 2013) and its second string {STATUS_LABELS.get(status.get('bbs-2', ''), 'not yet announced')}.",
                 "not consistent: the line was operating" if status.get(seed["pipeline_id"]) == "operating" else "consistent"))
    return pd.DataFrame(rows, columns=["seed", "claim (paraphrased)", "what the data says", "verdict"])
