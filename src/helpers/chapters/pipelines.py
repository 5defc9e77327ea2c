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

from collections.abc import Sequence

import pandas as pd

from ..core import maps, style, units
from ..core.data import primary, variants

#: Colour by commodity: the house scheme for commodities, which no country or region uses (issue 19).
COMMODITY_COLORS = style.COMMODITY_COLORS
#: Width of every chart and map in inches: the site's ~900 px column without shrinking text (issue 19).
FIG_WIDTH = 10
#: Line style by status.
STATUS_STYLES = {
    "operating": dict(linestyle="-", linewidth=3.2, alpha=1.0),
    "under_construction": dict(linestyle=(0, (5, 2)), linewidth=2.6, alpha=1.0),
    "planned": dict(linestyle=(0, (1, 1.6)), linewidth=2.6, alpha=0.9),
    "stalled": dict(linestyle=(0, (6, 2, 1, 2)), linewidth=2.6, alpha=0.9),
}
STATUS_LABELS = {
    "operating": "operating",
    "under_construction": "under construction",
    "planned": "planned",
    "stalled": "stalled",
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
    "bcm/year": "bcm a year",
    "Mt/year": "million tonnes a year",
    "Mtoe/year": "Mtoe a year",
    "kb/d": "thousand barrels a day",
    "bcm": "bcm",
    "Mt": "million tonnes",
    "Mtoe": "Mtoe",
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


_READINGS: dict[int, tuple] = {}


def readings(facts: pd.DataFrame, pipeline_id: str, attribute: str) -> pd.DataFrame:
    """Primary, actual (not planned) readings of one attribute of one line."""
    import weakref

    key = id(facts)
    hit = _READINGS.get(key)
    if hit is None or hit[0]() is not facts or hit[1] != len(facts):
        rows = primary(facts)
        rows = rows[~rows["planned"].astype(bool)]
        groups = {k: g for k, g in rows.groupby(["pipeline_id", "attribute"], sort=False)}
        hit = (weakref.ref(facts), len(facts), groups, rows.iloc[0:0], {})
        _READINGS.clear()  # one table at a time: the chapter's
        _READINGS[key] = hit
    return hit[2].get((pipeline_id, attribute), hit[3])


def _memo(facts: pd.DataFrame, what: str, pipeline_id: str, attribute: str, compute):
    readings(facts, pipeline_id, attribute)  # makes sure the cache is this table's
    store = _READINGS[id(facts)][4]
    k = (what, pipeline_id, attribute)
    if k not in store:
        store[k] = compute()
    return store[k]


def first_date(facts: pd.DataFrame, pipeline_id: str, attribute: str) -> pd.Series | None:
    """Earliest primary, actual reading of a date attribute (with a ``date`` column), or None."""

    def compute():
        rows = readings(facts, pipeline_id, attribute)
        return None if rows.empty else rows.assign(date=pd.to_datetime(rows["value"])).sort_values("date").iloc[0]

    return _memo(facts, "first", pipeline_id, attribute, compute)


def latest_reading(facts: pd.DataFrame, pipeline_id: str, attribute: str) -> pd.Series | None:
    """The primary, actual reading with the latest ``as_of`` (undated ones count as oldest), or None."""

    def compute():
        rows = readings(facts, pipeline_id, attribute)
        return None if rows.empty else rows.sort_values("as_of", na_position="first").iloc[-1]

    return _memo(facts, "latest", pipeline_id, attribute, compute)


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
        rows.append(
            {
                "pipeline_id": pid,
                "short_name": line["short_name"],
                "commodity": line["commodity"],
                "status": status,
                "decided_by": basis["fact_id"],
                "source_id": basis["source_id"],
            }
        )
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
            row[col] = (
                ""
                if last is None
                else f"{float(last['value']):g}" + ("" if attr == "length_km" else f" {last['unit']}")
            )
        row["capacity over time"] = capacity_history(facts, pid)
        status = latest_reading(facts, pid, "status")
        if status is None:
            row["latest status"] = ""
        else:  # "Operating (7 January 2023)": a label and a date as a reader writes them
            word = STATUS_LABELS[status["value"]]
            row["latest status"] = f"{word[:1].upper()}{word[1:]} ({style.date_label(status['as_of'])})"
        own = facts[(facts["pipeline_id"] == pid) & ~facts["planned"]]
        row["other readings"] = int(own["variant_of"].notna().sum())
        rows.append(row)
    return pd.DataFrame(rows)


def capacity_history(facts: pd.DataFrame, pipeline_id: str) -> str:
    """A line's capacity where it changed over time: '6 bcm/year (2017), then 10 (2018)'; '' if it never changed.

    Primary, actual readings in order of ``as_of`` (undated ones first),
    converted to the unit of the latest one; readings within 5% of the one
    before them (the same capacity in another unit or rounding) are one
    step, dated by the earliest dated reading among them.
    """
    rows = readings(facts, pipeline_id, "design_capacity").sort_values("as_of", na_position="first")
    if rows["value"].nunique() < 2:
        return ""
    target = rows.iloc[-1]["unit"]
    steps: list[list] = []  # [value, first dated year or None]
    for _, r in rows.iterrows():
        try:
            value = units.convert(float(r["value"]), r["unit"], target)
        except units.UnitError:
            continue
        year = r["as_of"][:4] if isinstance(r["as_of"], str) else None
        if steps and abs(value - steps[-1][0]) <= 0.05 * max(abs(steps[-1][0]), 1e-9):
            steps[-1][1] = steps[-1][1] or year
            continue
        steps.append([value, year])
    if len(steps) < 2:
        return ""
    text = [f"{_fmt(v)} ({y or 'undated'})" for v, y in steps]
    return f"{text[0].replace(' (', f' {target} (', 1)}, then " + ", then ".join(text[1:])


def _date_text(value: str, precision: str) -> str:
    return {"day": value, "month": value[:7], "year": value[:4]}.get(precision, value)


def disagreements(facts: pd.DataFrame, pipelines: pd.DataFrame, commodity: str = "all") -> pd.DataFrame:
    """Every reading that disagrees with a drawn one, side by side."""
    names = pipelines.set_index("pipeline_id")["short_name"]
    keep = pipelines[(pipelines["commodity"] == commodity) | (commodity == "all")]["pipeline_id"]
    v = variants(facts[facts["pipeline_id"].isin(keep)], "fact_id")
    if v.empty:
        return pd.DataFrame(
            columns=["pipeline", "attribute", "drawn", "source (drawn)", "other reading", "source (other)", "note"]
        )

    def show(value, unit, planned):
        text = f"{value} {unit}" if isinstance(unit, str) and unit else str(value)
        return text + (" (planned)" if planned else "")

    return pd.DataFrame(
        {
            "pipeline": v["pipeline_id_other"].map(names),
            "attribute": v["attribute_other"].str.replace("_", " "),
            "drawn": [show(a, b, c) for a, b, c in zip(v["value_drawn"], v["unit_drawn"], v["planned_drawn"])],
            "source (drawn)": v["source_id_drawn"],
            "other reading": [show(a, b, c) for a, b, c in zip(v["value_other"], v["unit_other"], v["planned_other"])],
            "source (other)": v["source_id_other"],
            "note": v["notes_other"],
        }
    )


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
    cap = facts[
        (facts["attribute"] == "design_capacity") & ~facts["planned"] & facts["pipeline_id"].isin(lines["pipeline_id"])
    ]
    cap = cap.merge(lines[["pipeline_id", "short_name", "system", "commodity"]], on="pipeline_id")
    return cap.assign(value=cap["value"].astype(float))


def capacity_buildup(
    facts: pd.DataFrame, pipelines: pd.DataFrame, unit: str, years: Sequence[int], commodity: str = "all"
) -> pd.DataFrame:
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
                rows.append(
                    {
                        "system": system,
                        "commodity": commodity_,
                        "year": year,
                        "low": low,
                        "drawn": drawn,
                        "high": high,
                        "unit": group["shown_unit"].iloc[0],
                    }
                )
    return pd.DataFrame(rows, columns=["system", "commodity", "year", "low", "drawn", "high", "unit"])


def planned_capacity(
    facts: pd.DataFrame, pipelines: pd.DataFrame, unit: str, year: int, commodity: str = "all"
) -> pd.DataFrame:
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
    return vols.assign(
        commodity=vols["pipeline_id"].map(info["commodity"]),
        system=vols["pipeline_id"].map(info["system"]),
        short_name=vols["pipeline_id"].map(info["short_name"]),
    )


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
        summed.append(
            {
                **first.to_dict(),
                "value": group["value"].sum(),
                "scope": "export+transit",
                "row_id": "+".join(group["row_id"]),
                "estimate": True,
                "derived": True,
            }
        )
    out = pd.concat([direct, pd.DataFrame(summed)], ignore_index=True) if summed else direct
    out = out.drop_duplicates(subset=["pipeline_id", "year"], keep="first")
    return to_display(out, unit, rate=False).sort_values(["system", "year"])


def cumulative_volumes(
    vols: pd.DataFrame, pipelines: pd.DataFrame, unit: str, commodity: str = "all", *, primary_only: bool = True
) -> pd.DataFrame:
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
    v = v.assign(
        date=pd.to_datetime(
            v["as_of"].str.pad(10, side="right", fillchar="-").str.replace(r"-+$", "", regex=True).map(_month_end)
        )
    )
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
        rows.append(
            {
                "from": a["date"].date(),
                "to": b["date"].date(),
                "total_from": a["shown"],
                "total_to": b["shown"],
                "years": round(years, 2),
                "rate_per_year": (b["shown"] - a["shown"]) / years,
                "unit": a["shown_unit"],
                "estimate": bool(a["estimate"] or b["estimate"]),
                "rows": f"{a['row_id']}, {b['row_id']}",
            }
        )
    return pd.DataFrame(rows)


# --- routes and the map --------------------------------------------------------------


def route(routes: pd.DataFrame, places: pd.DataFrame, pipeline_id: str) -> pd.DataFrame:
    """A line's waypoints in order, with coordinates (missing where no reference locates the place)."""
    r = routes[routes["pipeline_id"] == pipeline_id].sort_values("seq")
    cols = [c for c in ("place_id", "name", "country_iso3", "lat", "lon", "xy") if c in places.columns]
    return r.merge(places[cols], on="place_id", how="left")


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


def _label_countries_in_frame(ax, codes: Sequence[str], *, fontsize: int = 11) -> None:
    """Country codes at a point of each country inside the frame, clear of its edges and the title above it.

    Like :func:`maps.label_countries`, but a country that runs out of the frame
    is labelled on its visible part (or not at all), never on the edge or off the map.
    """
    from shapely.geometry import box

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    w, h = x1 - x0, y1 - y0
    inner = box(x0 + 0.04 * w, y0 + 0.04 * h, x1 - 0.04 * w, y1 - 0.07 * h)
    gdf = maps.countries()
    for _, row in gdf[gdf["iso3"].isin(list(codes))].iterrows():
        visible = row.geometry.intersection(inner)
        if visible.is_empty:
            continue
        pt = visible.representative_point()
        ax.annotate(
            row["iso3"], (pt.x, pt.y), ha="center", va="center", fontsize=fontsize, color="#222222", fontweight="bold"
        )


def plot_network(
    pipelines: pd.DataFrame,
    facts: pd.DataFrame,
    routes: pd.DataFrame,
    places: pd.DataFrame,
    year: int,
    *,
    commodity: str = "all",
    include_planned: bool = True,
    ax=None,
    title: str | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> tuple:
    """Map of the lines as they stood at the end of ``year``.

    Colour gives the commodity, the dash pattern the status. Parallel lines of
    one system are drawn side by side. Waypoints without coordinates are
    skipped (the route runs straight between the located ones). ``bounds``
    (west, east, south, north in degrees) zooms in; by default the frame fits
    every line drawn. Returns
    ``(ax, status table, rows drawn)``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    status = network_status(pipelines, facts, year, commodity=commodity, include_planned=include_planned)
    located = places.dropna(subset=["lat", "lon"])
    px, py = maps.project(list(located["lon"].astype(float)), list(located["lat"].astype(float)))
    located = located.assign(xy=list(zip(px, py)))
    shown_routes = [route(routes, located, pid).dropna(subset=["lat"]) for pid in status["pipeline_id"]]
    points = [(lon, lat) for r in shown_routes for lon, lat in zip(r["lon"], r["lat"])]
    if not points:  # nothing to draw yet: frame all lines of the commodity
        ids = leaves(pipelines, commodity)["pipeline_id"]
        points = [
            (lon, lat)
            for pid in ids
            for lon, lat in route(routes, located, pid).dropna(subset=["lat"])[["lon", "lat"]].itertuples(index=False)
        ]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    # parallels curve once projected: frame the box by points along its edges, not its corners
    west, east, south, north = bounds or (min(lons) - 3, max(lons) + 3, min(lats) - 2, max(lats) + 2)
    steps = [west + (east - west) * k / 10 for k in range(11)]
    frame = tuple((x, south) for x in steps) + tuple((x, north) for x in steps)
    if ax is None:
        x0, x1, y0, y1 = maps.projected_extent(frame)
        # at the site's column width; the height that fits the frame's shape (no empty band beside the map),
        # with the title's room above it and the legend's below
        _, ax = plt.subplots(figsize=(FIG_WIDTH, min(11, max(5, FIG_WIDTH * 0.98 * (y1 - y0) / (x1 - x0) + 1.1))))
    # the title's room above the map and the legend's below, in inches, whatever the figure's height
    height = ax.figure.get_figheight()
    ax.figure.subplots_adjust(left=0.01, right=0.99, bottom=0.5 / height, top=1 - 0.6 / height)
    maps.base_map(ax, frame)
    crossed = {
        c
        for pid in status["pipeline_id"]
        for c in pipelines.set_index("pipeline_id").loc[pid, "route_countries"].split(";")
    }
    _label_countries_in_frame(ax, sorted(crossed), fontsize=11)
    info = pipelines.set_index("pipeline_id")
    siblings: dict[str, list[str]] = {}
    for pid in status["pipeline_id"]:
        siblings.setdefault(f"{info.loc[pid, 'system']}|{info.loc[pid, 'section'][:4]}", []).append(pid)
    width = (maps.project(east, 45)[0] - maps.project(west, 45)[0]) / 150
    drawn_places = []
    for _, line in status.iterrows():
        pid = line["pipeline_id"]
        r = route(routes, located, pid).dropna(subset=["lat"])
        if len(r) < 2:
            continue
        drawn_places.append(r)
        xs, ys = [xy[0] for xy in r["xy"]], [xy[1] for xy in r["xy"]]
        group = next(g for g in siblings.values() if pid in g)
        k = group.index(pid) - (len(group) - 1) / 2
        xs, ys = _offset_path(xs, ys, k * width)
        ax.plot(
            xs,
            ys,
            color=COMMODITY_COLORS[line["commodity"]],
            zorder=4,
            solid_capstyle="round",
            **STATUS_STYLES[line["status"]],
        )
    unnamed: list[str] = []
    if drawn_places:
        pts = pd.concat(drawn_places).drop_duplicates("place_id")
        labelled: list[tuple[float, float]] = []
        todo = []
        for _, p in pts.iterrows():
            x, y = p["xy"]
            ax.plot(x, y, "o", ms=5, color="white", mec="#333333", mew=1.2, zorder=5)
            # a place within 120 km of one already named keeps its dot but not its label
            if any(((x - a) ** 2 + (y - b) ** 2) ** 0.5 < 120_000 for a, b in labelled):
                continue
            labelled.append((x, y))
            todo.append((p["name"].split(" (")[0], x, y))
        unnamed = place_labels(ax, todo, fontsize=11)
    handles = [
        Line2D([], [], color=c, linewidth=3.2, label=k) for k, c in COMMODITY_COLORS.items() if commodity in ("all", k)
    ]
    # the status samples in a mid grey, so they do not read as the (near-black) oil lines
    handles += [
        Line2D([], [], color="#777777", label=STATUS_LABELS[s], **{**STATUS_STYLES[s], "linewidth": 2.6})
        for s in STATUS_STYLES
        if s in set(status["status"])
    ]
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.01), ncol=len(handles), fontsize=12, frameon=False
    )
    ax.set_title(title or f"Pipelines to China at the end of {year}", fontsize=16)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.unnamed_places = unnamed  # waypoints drawn as dots only (no room for a label)
    return ax, status, network_rows(status, facts, routes, places)


def network_status(
    pipelines: pd.DataFrame, facts: pd.DataFrame, year: int, *, commodity: str = "all", include_planned: bool = True
) -> pd.DataFrame:
    """The lines the map of ``year`` draws, with their status (:func:`status_in`, planned ones hidden if asked)."""
    status = status_in(year, pipelines, facts, commodity)
    return status if include_planned else status[~status["status"].isin(NOT_BUILT)]


def network_rows(status: pd.DataFrame, facts: pd.DataFrame, routes: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """The data rows a map of these lines draws: the deciding facts, the routes, the located places on them."""
    located = places.dropna(subset=["lat", "lon"])
    on = routes[routes["pipeline_id"].isin(status["pipeline_id"])]
    on = on[on["place_id"].isin(located["place_id"])]
    counts = on.groupby("pipeline_id")["place_id"].transform("size")
    drawn = set(on[counts >= 2]["place_id"])  # lines with two located points are drawn
    rows = [facts[facts["fact_id"].isin(status["decided_by"])]]
    rows += [routes[routes["pipeline_id"].isin(status["pipeline_id"])]]
    if drawn:
        rows.append(places[places["place_id"].isin(drawn)])
    return pd.concat(rows, ignore_index=True)


#: Where a place's label may go, relative to its dot (points): right, left, above, below, diagonals.
LABEL_SPOTS = (
    (5, 4, "left", "bottom"),
    (5, -4, "left", "top"),
    (-5, 4, "right", "bottom"),
    (-5, -4, "right", "top"),
    (0, 7, "center", "bottom"),
    (0, -7, "center", "top"),
    (8, 0, "left", "center"),
    (-8, 0, "right", "center"),
    # further out, for a dot with a line through it and names all round (Tursunzoda on Line D)
    (0, 13, "center", "bottom"),
    (0, -13, "center", "top"),
    (10, 10, "left", "bottom"),
    (-10, 10, "right", "bottom"),
    (10, -10, "left", "top"),
    (-10, -10, "right", "top"),
)


def place_labels(ax, items, *, fontsize: float = 11) -> list[str]:
    """Name each place next to its dot where the name collides with no other text; return the names left out.

    ``items`` are ``(name, x, y)`` in data coordinates. Each name tries the
    spots in :data:`LABEL_SPOTS` in turn and takes the first whose box stays
    inside the axes and clear of every text already there (country codes,
    names placed before). A name with no free spot is not written; the
    caller lists it in the caption.
    """
    from matplotlib import patheffects

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    frame = ax.get_window_extent(renderer)
    taken = [t.get_window_extent(renderer).expanded(1.08, 1.15) for t in ax.texts if t.get_text().strip()]
    lines = _drawn_lines(ax)
    left_out = []
    for name, x, y in items:
        # first a spot clear of other names and of every line and dot drawn (a name on a line hides
        # it: Line D under "Galkynysh gas field"); failing that, clear of names only
        spots = [(spot, True) for spot in LABEL_SPOTS] + [(spot, False) for spot in LABEL_SPOTS]
        for (dx, dy, ha, va), avoid_lines in spots:
            t = ax.annotate(
                name,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                color="#222222",
                zorder=6,
                annotation_clip=True,
                path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
            )
            bb = t.get_window_extent(renderer)
            inside = frame.x0 <= bb.x0 and bb.x1 <= frame.x1 and frame.y0 <= bb.y0 and bb.y1 <= frame.y1
            clear = not avoid_lines or not _crosses(bb, lines)
            if inside and clear and not any(bb.overlaps(o) for o in taken):
                taken.append(bb.expanded(1.08, 1.15))
                break
            t.remove()
        else:
            left_out.append(name)
    return left_out


def _drawn_lines(ax) -> list:
    """The lines and dots drawn on a map, as paths in display coordinates (route lines, waypoint dots)."""
    from matplotlib.path import Path as MplPath

    out = []
    for line in ax.get_lines():
        xy = ax.transData.transform(line.get_xydata())
        if len(xy) >= 2:
            out.append(("line", MplPath(xy), line.get_linewidth()))
        elif len(xy) == 1:
            out.append(("dot", xy[0], line.get_markersize()))
    return out


def _crosses(bb, lines) -> bool:
    """True if the box ``bb`` (display coordinates) touches a drawn line or dot, with their width."""
    for kind, what, size in lines:
        if kind == "line":  # the line's half-width around the box
            if what.intersects_bbox(bb.padded(size / 2), filled=False):
                return True
        else:  # a dot: its size and room for its own name beside it (Galkynysh's name ran up to Tursunzoda)
            box = bb.padded(size + 8)
            if box.x0 <= what[0] <= box.x1 and box.y0 <= what[1] <= box.y1:
                return True
    return False


# --- charts -----------------------------------------------------------------------------


#: Shades of each commodity's colour for the systems that carry it (house palette, issue 19).
SYSTEM_COLORS = style.SYSTEM_SHADES


def _system_colors(*frames: pd.DataFrame) -> dict[str, str]:
    """A colour per system, a shade of its commodity's colour, from frames with system and commodity."""
    pairs = {}
    for frame in frames:
        if len(frame):
            pairs.update(dict(zip(frame["system"], frame["commodity"])))
    return style.system_colors(pairs)


def _year_ticks(first: int, last: int) -> list[int]:
    """Whole years for an axis from ``first`` to ``last``: every year, every 2nd or every 5th, by span."""
    span = last - first
    step = 1 if span <= 8 else 2 if span <= 16 else 5
    ticks = [y for y in range(first, last + 1) if y % step == 0]
    return ticks or [first]


def plot_capacity(
    build: pd.DataFrame, planned: pd.DataFrame | None = None, *, commodities: Sequence[str], title: str | None = None
):
    """Stacked steps of import capacity by system, one panel per commodity; a band where readings differ.

    Planned lines, if given, are a hatched bar to the right of the last year.
    Legends sit under each panel, the title above them all.
    """
    import matplotlib.pyplot as plt
    from matplotlib import patheffects

    n_entries = max([build[build["commodity"] == c]["system"].nunique() + 2 for c in commodities] + [2])
    if planned is not None and len(planned):
        n_entries += len(planned)
    # one panel per commodity, stacked, at the site's column width (issue 19)
    fig, col = plt.subplots(
        len(commodities), 1, figsize=(FIG_WIDTH, len(commodities) * (4.0 + 0.3 * n_entries)), squeeze=False
    )
    axes = dict(zip(commodities, col[:, 0]))
    colors = _system_colors(build)
    for commodity, ax in axes.items():
        b = build[build["commodity"] == commodity]
        ax.set_title(f"{commodity.capitalize()}: design capacity into China")
        if b.empty:
            ax.text(
                0.5,
                0.5,
                f"No {commodity} line into China\nin these years",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
            ax.set_xticks([])
            ax.set_yticks([])
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
            ax.vlines(
                wide.index[spread],
                low[spread],
                high[spread],
                color="#000000",
                linewidth=2,
                zorder=5,
                path_effects=[patheffects.Stroke(linewidth=4.5, foreground="white"), patheffects.Normal()],
                label="range of sources' readings",
            )
        first, last = int(wide.index.min()), int(wide.index.max())
        ticks = _year_ticks(first, last)
        labels = [str(t) for t in ticks]
        ax.set_xlim(first - 0.8, last + 0.8)
        if planned is not None and len(planned[planned["commodity"] == commodity]):
            p = planned[planned["commodity"] == commodity]
            x = last + max(2, round((last - first) / 8))
            base = bottom.iloc[-1]
            for k, (_, row) in enumerate(p.iterrows()):
                # one hatch per planned line, so stacked planned lines can be told apart
                ax.bar(
                    x,
                    row["shown"],
                    bottom=base,
                    color="white",
                    edgecolor=COMMODITY_COLORS[commodity],
                    hatch=("//", "\\\\", "xx", "..")[k % 4],
                    width=1.4,
                    label=f"{row['short_name']} ({STATUS_LABELS[row['status']]})",
                )
                base += row["shown"]
            ticks, labels = ticks + [x], labels + ["planned"]
            ax.set_xlim(first - 0.8, x + 1.2)
        ax.set_xticks(ticks, labels)
        unit = b["unit"].iloc[0]
        ax.set_ylabel(UNIT_WORDS.get(unit, unit))
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.09), fontsize=11, frameon=False)
        ax.grid(axis="y", alpha=0.3)
    if title:  # the house title: bold, on the left (issue 19)
        fig.suptitle(title, fontsize=16, fontweight="bold", x=0.01, ha="left", y=1 - 0.05 / fig.get_figheight())
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_figheight() if title else 1))
    return fig, axes


def ei_series(gas_trade: pd.DataFrame, unit: str, last_year: int) -> pd.DataFrame:
    """The Energy Institute's pipeline gas from 'Other CIS' to China by year, from its first non-zero year.

    Bcm standardised at 40 MJ/m3 (basis ``ei_standardised_40mj``), converted
    to the display unit through the sourced factors; years after
    ``last_year`` are left out. Empty when ``unit`` has no gas display unit.
    """
    rows = gas_trade[
        (gas_trade["basis"] == "ei_standardised_40mj") & (gas_trade["importer"] == "CHN") & (gas_trade["unit"] == "bcm")
    ]
    rows = rows[(rows["value"].astype(float) > 0) & (rows["year"].astype(int) <= last_year)]
    if unit not in DISPLAY_UNITS or "gas" not in DISPLAY_UNITS[unit] or rows.empty:
        return rows.assign(shown=pd.Series(dtype=float), shown_unit=pd.Series(dtype=str)).iloc[0:0]
    return to_display(rows.assign(commodity="gas"), unit, rate=False).sort_values("year")


def volume_gaps(
    annual: pd.DataFrame, cumulative: pd.DataFrame, last_year: int, opened: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Years with no full-year figure for a system, from its first year to ``last_year``.

    A system's first year is the year after it opened (``opened``: rows with
    system, commodity, year, such as :func:`capacity_buildup`'s) or the
    earliest year of any annual or cumulative reading, whichever is earlier.
    Columns: system, commodity, year.
    """
    rows = []
    frames = [
        annual[["system", "commodity", "year"]],
        cumulative.assign(year=cumulative["date"].dt.year)[["system", "commodity", "year"]],
    ]
    if opened is not None and len(opened):
        first = opened.groupby(["system", "commodity"])["year"].min().reset_index()
        first = first[first["system"].isin(set(annual["system"]) | set(cumulative["system"]))]
        frames.append(first.assign(year=first["year"] + 1))
    firsts = pd.concat(frames)
    for (system, commodity), g in firsts.groupby(["system", "commodity"]):
        have = set(annual[annual["system"] == system]["year"].astype(int))
        for year in range(int(g["year"].min()), last_year + 1):
            if year not in have:
                rows.append({"system": system, "commodity": commodity, "year": year})
    return pd.DataFrame(rows, columns=["system", "commodity", "year"])


def plot_volumes(
    annual: pd.DataFrame,
    cumulative: pd.DataFrame,
    *,
    commodities: Sequence[str],
    last_year: int,
    ei: pd.DataFrame | None = None,
    gaps: pd.DataFrame | None = None,
    title: str | None = "What the lines delivered to China",
):
    """Yearly deliveries (top row, bars) and cumulative totals (bottom row, points), one column per commodity.

    ``title`` heads the whole figure (and names it on the site, which took
    the first panel's title for the figure's caption).

    A year with no full-year figure for a system is marked with a cross on
    the axis (a gap, not a zero). ``ei`` (from :func:`ei_series`), if given,
    is drawn as a dashed black line over the gas bars: the Energy Institute's
    standardised figures beside the operators'.
    """
    import matplotlib.pyplot as plt

    ei = ei if ei is not None else pd.DataFrame(columns=["year", "shown"])
    gaps = volume_gaps(annual, cumulative, last_year) if gaps is None else gaps
    n_sys = max(
        [
            len(
                set(annual[annual["commodity"] == c]["system"])
                | set(cumulative[cumulative["commodity"] == c]["system"])
            )
            for c in commodities
        ]
        + [1]
    )
    # the panels stacked in one column at the site's column width (issue 19): by year, then since opening
    height = len(commodities) * 2 * (3.4 + 0.32 * (n_sys + 2)) + 0.4
    fig, stack = plt.subplots(2 * len(commodities), 1, figsize=(FIG_WIDTH, height), squeeze=False)
    axes = stack[:, 0].reshape(len(commodities), 2).T
    colors = _system_colors(annual, cumulative, gaps)
    for j, commodity in enumerate(commodities):
        top, bottom = axes[0][j], axes[1][j]
        a = annual[annual["commodity"] == commodity]
        c = cumulative[cumulative["commodity"] == commodity]
        gp = gaps[gaps["commodity"] == commodity]
        e = ei if commodity == "gas" else ei.iloc[0:0]
        groups = sorted(set(a["system"]) | set(gp["system"]))
        width = 0.8 / max(len(groups), 1)
        for i, system in enumerate(groups):
            shift = (i - (len(groups) - 1) / 2) * width
            g = a[a["system"] == system]
            if len(g):
                top.bar(
                    g["year"] + shift,
                    g["shown"],
                    width=width,
                    color=colors[system],
                    label=system,
                    hatch=["//" if d else "" for d in g["derived"]],
                    edgecolor="white",
                )
            miss = gp[gp["system"] == system]
            if len(miss):
                top.scatter(
                    miss["year"] + shift,
                    [0] * len(miss),
                    marker="x",
                    s=36,
                    color=colors[system],
                    linewidth=1.6,
                    zorder=6,
                    clip_on=False,
                    label=f"no figure for the year ({system})" if not len(g) else None,
                )
        if len(gp) and len(a):
            top.scatter([], [], marker="x", s=36, color="#555555", label="no figure for the year")
        if len(e):
            top.plot(
                e["year"],
                e["shown"],
                "D--",
                color="black",
                mfc="white",
                ms=5,
                linewidth=1.2,
                zorder=7,
                label="Energy Institute, 'Other CIS' to China (standardised at 40 MJ/m³)",
            )
        for system, g in c.groupby("system"):
            yr = g["date"].dt.year + (g["date"].dt.day_of_year - 1) / 365.25
            bottom.plot(yr, g["shown"], "-", color=colors[system], alpha=0.6, linewidth=1.8)
            bottom.scatter(
                yr,
                g["shown"],
                s=50,
                color=[("white" if est else colors[system]) for est in g["estimate"]],
                edgecolor=colors[system],
                linewidth=1.8,
                zorder=5,
                label=system,
            )
        years = list(a["year"]) + list(gp["year"]) + list(c["date"].dt.year) + list(e["year"])
        first = int(min(years)) if years else last_year
        for ax, frame, what in ((top, pd.concat([a, e]), "in the year"), (bottom, c, "since opening")):
            ax.set_xlim(first - 0.7, last_year + 0.7)
            ax.set_xticks(_year_ticks(first, last_year))
            ax.grid(axis="y", alpha=0.3)
            if frame.empty and not (ax is top and len(gp)):
                ax.text(
                    0.5,
                    0.5,
                    f"No {commodity} figures to the end of {last_year}",
                    ha="center",
                    va="center",
                    transform=ax.transAxes,
                )
                ax.set_yticks([])
                continue
            unit = (frame if len(frame) else a)["shown_unit"].iloc[0] if len(frame) or len(a) else ""
            ax.set_ylabel(f"{what}, {UNIT_WORDS.get(unit, unit)}" if unit else what)
            ax.set_ylim(bottom=0)
            ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.09), fontsize=11, frameon=False)
        top.set_title(f"{commodity.capitalize()} delivered to China, by year")
        bottom.set_title(f"{commodity.capitalize()} delivered to China since opening")
    if title:
        fig.suptitle(title, fontsize=16, fontweight="bold", x=0.01, ha="left", y=1 - 0.05 / fig.get_figheight())
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_figheight() if title else 1))
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
        (
            "Ceiling: design capacity of the cross-border section, Mt a year",
            cap,
            f"{design['fact_id']} ({design['source_id']})",
        ),
        ("Most possible by the claim's date (at design capacity every day)", base["shown"] + cap * years, "computed"),
        ("Highest yearly delivery since then in the data, Mt", rate, f"{rate_row['row_id']} ({rate_row['source_id']})"),
        ("Likely by the claim's date (at that yearly rate)", base["shown"] + rate * years, "computed"),
        ("The claim", claim["shown"], f"{claim['row_id']} ({claim['source_id']})"),
    ]
    return pd.DataFrame(steps, columns=["step", "value", "from"])


def full_capacity_check(
    vols: pd.DataFrame,
    facts: pd.DataFrame,
    pipelines: pd.DataFrame,
    pipeline_id: str,
    claim_year: int,
    *,
    exclude_source: str | None = None,
) -> dict:
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
    text = (
        f"Other sources expected full capacity in {', '.join(years) or 'no year'}. Cumulative deliveries imply "
        f"{window['rate_per_year'].min():.0f}-{window['rate_per_year'].max():.0f} bcm a year between "
        f"{window['from'].min():%b %Y} and {window['to'].max():%b %Y}, against {target:g} bcm a year of capacity"
        + (
            f"; first reached in the stretch ending {reached['to'].iloc[0]:%b %Y}."
            if len(reached)
            else "; never reached in that time."
        )
    )
    return {
        "claim_year": claim_year,
        "capacity": float(target),
        "reached_year": int(reached["to"].iloc[0].year) if len(reached) else None,
        "other_readings": [(r["fact_id"], r["value"], r["source_id"]) for _, r in alt.iterrows()],
        "text": text,
    }


_CLAIMS: dict[tuple, pd.DataFrame] = {}


def _content_key(*frames: pd.DataFrame) -> tuple:
    return tuple((len(f), int(pd.util.hash_pandas_object(f.astype(str), index=False).sum())) for f in frames)


def claims(vols: pd.DataFrame, facts: pd.DataFrame, pipelines: pd.DataFrame) -> pd.DataFrame:
    """The seeds' pipeline claims next to what the other sources say, with a verdict computed from the data.

    The same tables give the same table (kept for the process: the claims do not follow a run's parameters).
    """
    key = _content_key(vols, facts, pipelines)
    if key not in _CLAIMS:
        _CLAIMS.clear()
        _CLAIMS[key] = _claims(vols, facts, pipelines)
    return _CLAIMS[key].copy()


def _claims(vols: pd.DataFrame, facts: pd.DataFrame, pipelines: pd.DataFrame) -> pd.DataFrame:
    rows = []
    prim = primary(facts)
    # 1. the gas pipeline's opening date (seed 004)
    seed = facts[(facts["source_id"] == "gao2010") & (facts["attribute"] == "operation_start")].iloc[0]
    others = readings(facts, seed["pipeline_id"], "operation_start")
    agree = others[(others["value"] == seed["value"]) & (others["source_id"] != "gao2010")]
    differ = facts[facts["variant_of"].isin(others["fact_id"]) & ~facts["planned"]]
    rows.append(
        (
            "gao2010",
            "The Central Asia-China gas pipeline came into operation on 14 December 2009.",
            f"{len(agree)} other sources give the same day ({', '.join(agree['source_id'])}); the other "
            f"readings ({', '.join(sorted(set(differ['value'])))}) date other milestones (section 2).",
            "confirmed" if len(agree) >= 2 else "not confirmed",
        )
    )
    # 2. full capacity by the end of 2011 (seed 004)
    seed = facts[(facts["source_id"] == "gao2010") & (facts["attribute"] == "full_capacity")].iloc[0]
    got = full_capacity_check(
        vols, facts, pipelines, seed["pipeline_id"], int(seed["value"][:4]), exclude_source="gao2010"
    )
    rows.append(
        (
            "gao2010",
            "The gas pipeline would reach full capacity by the end of 2011.",
            got["text"],
            "consistent"
            if got["reached_year"] is not None and got["reached_year"] <= got["claim_year"]
            else "not confirmed",
        )
    )
    # 3. 190 Mt of oil (seed 000)
    check = oil_claim_check(vols, facts, pipelines).set_index("step")["value"]
    ceiling = check.iloc[3]
    claim = check.iloc[6]
    rows.append(
        (
            "xiao2022",
            "The China-Kazakhstan oil pipeline has delivered nearly 190 million tons of crude to China.",
            f"From the last reading before the claim, even at full design capacity every day the total could "
            f"be at most {ceiling:.0f} Mt; at the latest yearly rate about {check.iloc[5]:.0f} Mt.",
            "not consistent" if ceiling < claim else "possible",
        )
    )
    # 4. 500 million people (seed 000)
    seed = facts[(facts["source_id"] == "xiao2022") & (facts["attribute"] == "people_served")].iloc[0]
    other = prim[(prim["attribute"] == "people_served") & (prim["source_id"] != "xiao2022")]
    same = other[other["value"] == seed["value"]]
    rows.append(
        (
            "xiao2022",
            "The Central Asian gas pipeline through Uzbekistan has benefited more than 500 million people in China.",
            f"Xinhua gives the same figure ({', '.join(same['source_id'])}); no source counts it independently.",
            "same figure as state media" if len(same) else "not found elsewhere",
        )
    )
    # 5. Kazakhstan's southern gas pipeline 'under construction' (seed 000, September 2022)
    seed = facts[(facts["source_id"] == "xiao2022") & (facts["attribute"] == "status")].iloc[0]
    year = int(seed["as_of"][:4])
    status = status_in(year, pipelines, facts).set_index("pipeline_id")["status"]
    rows.append(
        (
            "xiao2022",
            "The southern gas pipeline under construction in Kazakhstan will supply gas to four southern regions.",
            f"At the end of {year} the data has Beineu-Bozoi-Shymkent {STATUS_LABELS[status.get(seed['pipeline_id'], 'planned')]} "
            f"(first stage since 2013) and its second string {STATUS_LABELS.get(status.get('bbs-2', ''), 'not yet announced')}.",
            "not consistent: the line was operating"
            if status.get(seed["pipeline_id"]) == "operating"
            else "consistent",
        )
    )
    return pd.DataFrame(rows, columns=["starting document", "claim (paraphrased)", "what the data says", "verdict"])


# --- sentences computed from the run (issue 16) ------------------------------------------


def _fmt(value: float) -> str:
    """A capacity or volume for prose: '55', '12.3', '0.86'."""
    v = float(value)
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}".rstrip("0").rstrip(".")
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _what(commodity: str) -> str:
    return {"all": "oil and gas", "gas": "gas", "oil": "oil"}[commodity]


def selection_phrase(commodity: str, as_of_year: int, include_planned: bool, unit: str) -> str:
    """'gas and oil lines, at the end of 2025, planned lines shown, capacities in bcm and Mt'."""
    units_ = {
        "native": "bcm (gas) and million tonnes (oil)"
        if commodity == "all"
        else ("bcm" if commodity == "gas" else "million tonnes"),
        "Mtoe": "million tonnes of oil equivalent (Mtoe)",
        "kb/d": "thousand barrels a day (kb/d)",
    }[unit]
    return (
        f"{_what(commodity)} lines at the end of {as_of_year}; planned and stalled lines "
        f"{'shown' if include_planned else 'hidden'}; figures in {units_}"
    )


def network_sentences(
    status: pd.DataFrame, as_of_year: int, *, include_planned: bool, hidden: pd.DataFrame | None = None
) -> str:
    """What the map shows: which lines operate, are being built, planned or stalled at the end of the year.

    ``status`` is the table drawn (after hiding planned lines if asked);
    ``hidden``, the rows :func:`status_in` gave that the run hides.
    """
    if status.empty:
        text = f"At the end of {as_of_year} no line of this selection was operating or being built"
    else:
        parts = []
        for st in STATUS_STYLES:
            g = status[status["status"] == st]
            if len(g):
                verb = {
                    "operating": "operating",
                    "under_construction": "under construction",
                    "planned": "planned",
                    "stalled": "stalled",
                }[st]
                parts.append(f"{len(g)} {verb} ({', '.join(g['short_name'])})")
        text = f"At the end of {as_of_year} the map shows {len(status)} lines and sections: " + "; ".join(parts)
    text += "."
    if not include_planned and hidden is not None and len(hidden):
        text += (
            f" Hidden in this run (include_planned is false): {len(hidden)} planned or stalled "
            f"({', '.join(hidden['short_name'])})."
        )
    return text


def line_d_sentence(status: pd.DataFrame, facts: pd.DataFrame) -> str:
    """The status rule's clearest case, Line D of the gas pipeline, if the map shows it; else ''."""
    row = status[status["pipeline_id"] == "cacgp-d"]
    if row.empty:
        return ""
    cs = first_date(facts, "cacgp-d", "construction_start")
    st = row.iloc[0]["status"]
    text = (
        f"Line D of the gas pipeline is the clearest case: its construction began in Tajikistan in "
        f"{cs['date'].year}, and at this run's year the latest status report has it "
        f"{STATUS_LABELS[st]}."
    )
    if st == "stalled":
        text += (
            ' "Stalled" is our word for a delay that the Tajik energy ministry attributes to pricing '
            "disagreements; the source does not use it."
        )
    return text


def skipped_sentence(skipped: pd.DataFrame, unnamed: Sequence[str]) -> str:
    """Which waypoints the maps skip (no coordinates) or leave unnamed (no room for a label)."""
    parts = []
    if len(skipped):
        names = sorted(set(skipped["name"]))
        parts.append(
            f"{plural_(len(names), 'named waypoint')} of the lines drawn "
            f"{'has' if len(names) == 1 else 'have'} no coordinates in any reference source the project "
            f"could reach, so the map joins {'its' if len(names) == 1 else 'their'} neighbours directly: "
            f"{', '.join(names)}."
        )
    if unnamed:
        parts.append(f"Drawn as dots without a name, for lack of room: {', '.join(sorted(set(unnamed)))}.")
    return " ".join(parts)


def disagreement_sentence(dis: pd.DataFrame) -> str:
    """How many readings disagree with a drawn one, by attribute, and on which lines."""
    if dis.empty:
        return "No reading of these lines disagrees with a drawn one."
    by = dis.groupby("attribute")["pipeline"].agg(lambda s: sorted(set(s)))
    parts = [
        f"{plural_(len(dis[dis['attribute'] == a]), 'reading')} on {a.replace(' km', '')} ({', '.join(lines)})"
        for a, lines in by.items()
    ]
    return f"{plural_(len(dis), 'reading')} disagree with a drawn one: " + "; ".join(parts) + "."


def plural_(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else word + 's'}"


def capacity_steps(build: pd.DataFrame) -> pd.DataFrame:
    """The years each system's drawn capacity changed: system, commodity, year, drawn, unit."""
    rows = []
    for (system, commodity), g in build.sort_values("year").groupby(["system", "commodity"]):
        prev = None
        for _, r in g.iterrows():
            if prev is None or r["drawn"] != prev:
                rows.append(
                    {
                        "system": system,
                        "commodity": commodity,
                        "year": int(r["year"]),
                        "drawn": r["drawn"],
                        "unit": r["unit"],
                    }
                )
            prev = r["drawn"]
    return pd.DataFrame(rows, columns=["system", "commodity", "year", "drawn", "unit"])


def capacity_sentences(
    build: pd.DataFrame, planned: pd.DataFrame | None, as_of_year: int, commodities: Sequence[str]
) -> str:
    """The capacity in place at the end of the year by commodity, the steps that built it, and planned lines."""
    out = []
    for commodity in commodities:
        b = build[(build["commodity"] == commodity) & (build["year"] == as_of_year)]
        if b.empty:
            out.append(f"No {commodity} line into China was operating at the end of {as_of_year}.")
            continue
        unit = UNIT_WORDS.get(b["unit"].iloc[0], b["unit"].iloc[0])
        total, low, high = b["drawn"].sum(), b["low"].sum(), b["high"].sum()
        rng = "" if low == high else f" (sources' readings range from {_fmt(low)} to {_fmt(high)})"
        steps = capacity_steps(build[build["commodity"] == commodity])
        how = "; ".join(
            f"{system}: " + ", ".join(f"{_fmt(r['drawn'])} from {r['year']}" for _, r in g.iterrows())
            for system, g in steps.groupby("system", sort=False)
        )
        out.append(
            f"At the end of {as_of_year} the {commodity} lines into China had a design capacity of "
            f"{_fmt(total)} {unit}{rng}. Step by step, {how}."
        )
    if planned is not None and len(planned):
        items = [
            f"{r['short_name']} ({STATUS_LABELS[r['status']]}, {_fmt(r['shown'])} "
            f"{UNIT_WORDS.get(r['shown_unit'], r['shown_unit'])})"
            for _, r in planned.iterrows()
        ]
        out.append(
            f"Hatched, not yet built at the end of {as_of_year}: {', '.join(items)}, drawn with the "
            "capacity their sources announce."
        )
    elif planned is not None:
        out.append(f"No line into China of this selection was planned or stalled at the end of {as_of_year}.")
    return " ".join(out)


def volume_sentences(
    annual: pd.DataFrame,
    cumulative: pd.DataFrame,
    gaps: pd.DataFrame,
    ei: pd.DataFrame,
    as_of_year: int,
    commodities: Sequence[str],
) -> str:
    """Latest yearly and cumulative deliveries by system to the end of the year, the gaps, and EI beside the operator."""
    out = []
    for commodity in commodities:
        a = annual[annual["commodity"] == commodity]
        c = cumulative[cumulative["commodity"] == commodity]
        if a.empty and c.empty:
            out.append(f"The data has no {commodity} deliveries to China up to the end of {as_of_year}.")
            continue
        for system in sorted(set(a["system"]) | set(c["system"])):
            g, k = a[a["system"] == system], c[c["system"] == system]
            bits = []
            if len(g):
                last = g.sort_values("year").iloc[-1]
                bits.append(
                    f"its latest full-year figure is {_fmt(last['shown'])} "
                    f"{UNIT_WORDS.get(last['shown_unit'], last['shown_unit'])} in {int(last['year'])}"
                    + (" (our sum of export and transit)" if last["derived"] else "")
                )
            if len(k):
                last = k.sort_values("date").iloc[-1]
                bits.append(
                    f"{'about ' if last['estimate'] else ''}{_fmt(last['shown'])} "
                    f"{UNIT_WORDS.get(last['shown_unit'], last['shown_unit'])} had been delivered since "
                    f"opening by {last['date']:%B %Y}"
                )
            miss = gaps[gaps["system"] == system]["year"].astype(int).tolist()
            if miss:
                bits.append(
                    f"{plural_(len(miss), 'year')} to {as_of_year} have no full-year figure "
                    f"({_years_text(miss)}; crosses on the axis)"
                )
            out.append(f"{system}: " + "; ".join(bits) + ".")
    if len(ei) and "gas" in commodities:
        op = annual[(annual["pipeline_id"] == "cacgp")].set_index("year")["shown"]
        both = sorted(set(op.index) & set(ei["year"].astype(int)))
        eiv = ei.assign(year=ei["year"].astype(int)).set_index("year")["shown"]
        text = (
            f"The dashed black line is the Energy Institute's series of pipeline gas from 'Other CIS' (Turkmenistan, "
            f"Uzbekistan, Kazakhstan) to China, {_years_text(list(eiv.index))}, which fills the years the "
            f"operator's figures leave open."
        )
        if both:
            diffs = [(y, 1 - eiv[y] / op[y]) for y in both]
            text += (
                " Where both give a year, EI's figure is lower: "
                + ", ".join(f"{y} {_fmt(eiv[y])} against {_fmt(op[y])} ({d:.0%} less)" for y, d in diffs)
                + "."
            )
        out.append(text)
    return " ".join(out)


def _years_text(years: Sequence[int]) -> str:
    """'2010-2016, 2018, 2020-2021' from a list of years."""
    years = sorted(set(int(y) for y in years))
    runs, start = [], None
    for i, y in enumerate(years):
        if start is None:
            start = y
        if i + 1 == len(years) or years[i + 1] != y + 1:
            runs.append(str(start) if start == y else f"{start}–{y}")
            start = None
    return ", ".join(runs)


EI_NOTE = (
    "The Energy Institute's *Statistical Review* standardises gas to a gross calorific value of "
    "40 MJ per cubic metre, so a cubic metre of richer Central Asian gas counts as more than one of its "
    "cubic metres, and its bcm are not the operator's: they run some 5–10% below the operator's "
    "figures for the same flow. The two series are drawn side by side, never added or mixed."
)


def rates_against_capacity(
    cumulative: pd.DataFrame, facts: pd.DataFrame, pipelines: pd.DataFrame, system: str, unit: str, commodity: str
) -> pd.DataFrame:
    """Implied yearly rates of one system, each against the highest capacity reading in force at the stretch's end.

    Adds ``capacity then (highest reading)``: the highest of the sources'
    readings of the system's capacity at the end of the year the stretch
    ends in, and ``above it``: whether the rate exceeds that.
    """
    rates = implied_rates(cumulative, system)
    if rates.empty:
        return rates
    ends = [pd.Timestamp(t).year for t in rates["to"]]
    build = capacity_buildup(facts, pipelines, unit, range(min(ends), max(ends) + 1), commodity)
    cap = build[build["system"] == system].set_index("year")["high"]
    col = "capacity then (highest reading)"
    rates[col] = [cap.get(y, float("nan")) for y in ends]
    rates["above it"] = rates["rate_per_year"] > rates[col]
    return rates


def rates_sentence(rates: pd.DataFrame, system: str) -> str:
    if rates.empty:
        return f"The data has fewer than two cumulative readings of the {system} in this window."
    above = rates[rates["above it"]]
    text = (
        f"{plural_(len(rates), 'stretch')} between successive cumulative readings of the {system}, "
        f"{rates['from'].min():%b %Y} to {rates['to'].max():%b %Y}".replace("stretchs", "stretches")
    )
    if above.empty:
        return text + ": none implies a rate above the highest capacity reading in force when it ended."
    return (
        text
        + f": {len(above)} implies a rate above the highest capacity reading in force when it ended ("
        + ", ".join(
            f"{r['from']:%b %Y} to {r['to']:%b %Y}, {_fmt(r['rate_per_year'])} "
            f"{UNIT_WORDS.get(r['unit'], r['unit'])} a year against "
            f"{_fmt(r['capacity then (highest reading)'])}"
            for _, r in above.iterrows()
        )
        + ")."
    )


def key_outputs(
    build: pd.DataFrame, annual: pd.DataFrame, status: pd.DataFrame, as_of_year: int, commodities: Sequence[str]
) -> dict[str, str]:
    """Three to five short results of a run, for comparing sweep groups."""
    out = {"lines operating": f"{int((status['status'] == 'operating').sum())} (end of {as_of_year})"}
    for commodity in commodities:
        b = build[(build["commodity"] == commodity) & (build["year"] == as_of_year)]
        out[f"{commodity} capacity into China"] = (
            f"{_fmt(b['drawn'].sum())} {b['unit'].iloc[0]} ({as_of_year})" if len(b) else f"none ({as_of_year})"
        )
        a = annual[annual["commodity"] == commodity]
        if len(a):
            y = int(a["year"].max())
            k, n = a[a["year"] == y]["system"].nunique(), a["system"].nunique()
            out[f"{commodity} delivered, latest year"] = (
                f"{_fmt(a[a['year'] == y]['shown'].sum())} {a['shown_unit'].iloc[0]} ({y}"
                + ("" if k == n else f"; {k} of {n} systems have a figure that year")
                + ")"
            )
        else:
            out[f"{commodity} delivered, latest year"] = "no figure"
    return out


def capacity_change_sentence(summary_table: pd.DataFrame) -> str:
    """Lines whose capacity changed over time (a stage, then the full line), said once; '' if none did."""
    changed = summary_table[summary_table["capacity over time"].astype(str) != ""]
    if changed.empty:
        return ""
    items = [f"{r['pipeline']}: {r['capacity over time']}" for _, r in changed.iterrows()]
    return (
        "Capacity that changed over time, not a disagreement between sources (the table shows the latest "
        "figure): " + "; ".join(items) + "."
    )


# --- the chapter's closing ------------------------------------------------------------------

#: Which chapter to read next, and why (the same in every run).
WHATS_NEXT = (
    "**What's next.** `05_analyst_views` sets side by side what analysts in China, Russia, Central Asia and the "
    "West make of these lines and this trade: the same pipelines read as interdependence, as dependence or as "
    "leverage. `06_claims_vs_data` then checks the starting documents' figures, including those of section 5, "
    "against all the project's data."
)


def key_findings(
    *,
    status: pd.DataFrame,
    build: pd.DataFrame,
    annual: pd.DataFrame,
    as_of_year: int,
    commodities: Sequence[str],
    claims_table: pd.DataFrame | None = None,
) -> str:
    """The chapter's "Key findings", computed from the run: the network, the capacity and the deliveries
    at the end of ``as_of_year``, and the verdicts of section 5 (no year after ``as_of_year`` is quoted)."""
    bullets: list[str] = []
    if len(status):
        counts = status["status"].value_counts()
        said = [f"{int(counts[s])} {STATUS_LABELS[s]}" for s in STATUS_STYLES if s in counts.index]
        ops = status[status["status"] == "operating"]["short_name"].tolist()
        bullets.append(
            f"**The network.** At the end of {as_of_year} the map shows {len(status)} lines and sections: "
            + ", ".join(said)
            + "."
            + (f" Operating: {', '.join(ops)}." if ops else "")
        )
    else:
        bullets.append(
            f"**The network.** At the end of {as_of_year} no line of this selection was operating or being built."
        )
    for commodity in commodities:
        b = build[(build["commodity"] == commodity) & (build["year"] == as_of_year)]
        a = annual[annual["commodity"] == commodity]
        if b.empty:
            bullets.append(
                f"**{commodity.capitalize()}.** No {commodity} line into China was operating at the end of "
                f"{as_of_year}."
            )
            continue
        unit = UNIT_WORDS.get(b["unit"].iloc[0], b["unit"].iloc[0])
        low, high = b["low"].sum(), b["high"].sum()
        text = (
            f"**{commodity.capitalize()}.** Design capacity into China at the end of {as_of_year}: "
            f"{_fmt(b['drawn'].sum())} {unit}"
            + ("" if low == high else f" (readings {_fmt(low)} to {_fmt(high)})")
            + f", from {plural_(b['system'].nunique(), 'system')}."
        )
        if len(a):
            y = int(a["year"].max())
            latest = a[a["year"] == y]
            k, n = latest["system"].nunique(), a["system"].nunique()
            text += (
                f" The latest full-year deliveries in the data, for {y}: {_fmt(latest['shown'].sum())} "
                f"{UNIT_WORDS.get(latest['shown_unit'].iloc[0], latest['shown_unit'].iloc[0]).replace(' a year', '')}"
                + (
                    ""
                    if k == n
                    else f" (only {k} of the {n} systems with yearly figures {'has' if k == 1 else 'have'} one for that year)"
                )
                + ": design capacity is a ceiling, not a flow."
            )
        bullets.append(text)
    if claims_table is not None and len(claims_table):
        v = claims_table["verdict"].astype(str)
        kinds = {
            "confirmed": v.eq("confirmed").sum(),
            "not confirmed": v.eq("not confirmed").sum(),
            "not consistent with the data": v.str.startswith("not consistent").sum(),
        }
        other = len(v) - sum(kinds.values())
        said = [f"{int(n)} {k}" for k, n in kinds.items() if n] + (
            [f"{other} with another verdict (see the table)"] if other else []
        )
        bullets.append(
            f"**The starting documents' claims** (section 5, checked against all the data whatever the "
            f"run): of {len(v)}, " + ", ".join(said) + "."
        )
    return "## Key findings\n\n" + "\n".join(f"- {x}" for x in bullets) + "\n\n" + WHATS_NEXT


def table(frame: pd.DataFrame, name: str, **kwargs):
    """:func:`style.table` with this chapter's labels: country codes as names, statuses in words (issue 19)."""
    from ..core import prose

    codes = {c: prose.name(c) for c in ("KAZ", "KGZ", "TJK", "TKM", "UZB", "RUS", "CHN", "MNG")}
    labels = {**codes, **STATUS_LABELS, **kwargs.pop("labels", {})}
    return style.table(frame, name, labels=labels, **kwargs)
