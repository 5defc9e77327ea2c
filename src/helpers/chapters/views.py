"""Analyst views: attributed statements coded against a codebook (chapter 5).

Tables: ``statements`` (one statement on one topic a row, with who speaks,
where, when, about which event, the text and the coded stance),
``codebook_topics`` and ``codebook_levels`` (the questions and their -2..2
scales), ``outlet_kinds`` (kinds of voice, each in a region), ``view_events``
(the trips and periods statements are about) and ``statements_recode`` (a
second, blind coding of the same statements).

Rules the functions keep:

- a stance is a level on *its topic's* scale, and the scales run in different
  directions (on ``china_aims`` -2 is "benign development partner"; on
  ``sco_substance`` -2 is "symbolic"), so stances are never averaged across
  topics, and every chart labels the two ends of each scale;
- counts and matrices use the primary rows only (``variant_of`` empty): a
  source that words or attributes a statement differently is shown next to
  it, not counted twice;
- nothing here decides who is right; the functions arrange what was said.

The agreement helpers (:func:`cohen_kappa`, :func:`compare_codings`,
:func:`read_coding`) serve seminars: two coders code the same statements and
measure how far the codebook makes their calls reproducible.
"""

from __future__ import annotations

import csv
import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core.data import primary
from ..core.prose import plural

#: The levels of every topic's scale.
LEVELS = (-2, -1, 0, 1, 2)
#: Regions of voices, in display order.
REGIONS = ("China", "Russia", "Central Asia", "West", "Unclassified")
#: One colour per region, from the house palette (China and Russia as their countries).
from ..core.style import REGION_COLORS  # noqa: E402 -- one palette across chapters (issue 19)

#: Diverging colours for the five levels (ColorBrewer PuOr, colour-blind safe).
LEVEL_COLORS = {-2: "#5E3C99", -1: "#B2ABD2", 0: "#E6E6E6", 1: "#FDB863", 2: "#E66101"}
#: Minus sign for printed stances (typographic, not a hyphen).
MINUS = "\u2212"


def signed(level) -> str:
    """'+2', '0', '−1' for a stance level."""
    level = int(level)
    return f"+{level}" if level > 0 else (f"{MINUS}{-level}" if level < 0 else "0")


# --- the joined table ------------------------------------------------------------


def statements_table(
    statements: pd.DataFrame, kinds: pd.DataFrame, events: pd.DataFrame, topics: pd.DataFrame, levels: pd.DataFrame
) -> pd.DataFrame:
    """Statements with the labels of their voice, region, event, topic and stance.

    Adds ``year`` (of the cited document), ``voice`` (the outlet kind's label),
    ``region``, ``event``, ``topic`` and ``stance_label`` (e.g. "−2 Benign
    development partner"). Row order is the data's.
    """
    out = statements.merge(
        kinds[["outlet_kind", "label", "region"]].rename(columns={"label": "voice"}),
        on="outlet_kind",
        how="left",
        validate="many_to_one",
    )
    out = out.merge(
        events[["event_id", "label"]].rename(columns={"label": "event"}),
        on="event_id",
        how="left",
        validate="many_to_one",
    )
    out = out.merge(
        topics[["topic_id", "label"]].rename(columns={"label": "topic"}),
        on="topic_id",
        how="left",
        validate="many_to_one",
    )
    lv = levels[["topic_id", "level", "label"]].rename(columns={"level": "stance", "label": "level_label"})
    out = out.merge(lv, on=["topic_id", "stance"], how="left", validate="many_to_one")
    out["stance_label"] = [f"{signed(s)} {lab}" for s, lab in zip(out["stance"], out["level_label"])]
    out["year"] = out["date"].str[:4].astype(int)
    return out.drop(columns=["level_label"])


def select(
    frame: pd.DataFrame,
    *,
    topics: Sequence[str] | None = None,
    outlet_kinds: Sequence[str] | None = None,
    events: Sequence[str] | None = None,
    min_year: int | None = None,
    max_year: int | None = None,
) -> pd.DataFrame:
    """The statements on ``topics`` from ``outlet_kinds`` about ``events`` dated ``min_year``..``max_year``.

    ``None`` leaves a criterion open. The year is that of the cited document.
    """
    keep = pd.Series(True, index=frame.index)
    if topics is not None:
        keep &= frame["topic_id"].isin(topics)
    if outlet_kinds is not None:
        keep &= frame["outlet_kind"].isin(outlet_kinds)
    if events is not None:
        keep &= frame["event_id"].isin(events)
    if min_year is not None:
        keep &= frame["year"] >= min_year
    if max_year is not None:
        keep &= frame["year"] <= max_year
    return frame[keep]


def scale_ends(topics: pd.DataFrame, levels: pd.DataFrame) -> pd.DataFrame:
    """Each topic's label with the labels of its two ends (-2 and +2)."""
    ends = levels[levels["level"].isin([-2, 2])].pivot(index="topic_id", columns="level", values="label")
    out = topics[["topic_id", "label"]].set_index("topic_id").join(ends)
    out.columns = ["topic", "at -2", "at +2"]
    return out.reset_index()


def _topic_axis_label(topic_id: str, ends: pd.DataFrame, width: int = 22) -> str:
    """The topic's label, then what -2 and +2 mean, each wrapped to ``width`` (words kept whole)."""
    row = ends.set_index("topic_id").loc[topic_id]
    lines = textwrap.wrap(row["topic"], width, break_long_words=False)
    lines += textwrap.wrap(f"{MINUS}2 {row['at -2'].lower()}", width, subsequent_indent="   ", break_long_words=False)
    lines += textwrap.wrap(f"+2 {row['at +2'].lower()}", width, subsequent_indent="   ", break_long_words=False)
    return "\n".join(lines)


# --- who says what ---------------------------------------------------------------


#: Speakers the sources do not name: an outlet's "unnamed observers", "analysts", its own narration.
UNNAMED_PREFIXES = ("unnamed", "unattributed")


def is_unnamed(speaker: pd.Series) -> pd.Series:
    """True where the 'speaker' is an outlet's unnamed voice (observers, analysts, experts, narration)."""
    return speaker.astype(str).str.strip().str.lower().str.startswith(UNNAMED_PREFIXES)


def speaker_key(frame: pd.DataFrame) -> pd.Series:
    """Who speaks, counting an outlet's unnamed voices once per kind of voice.

    "Unnamed observers", "Unnamed analysts" and "Unattributed (article
    narration)" in Chinese state media are one voice, "Unnamed voices
    (Chinese state media)", not several speakers: the sources give no way
    to tell them apart.
    """
    unnamed = is_unnamed(frame["speaker"])
    return frame["speaker"].where(~unnamed, "Unnamed voices (" + frame["voice"].astype(str) + ")")


def speaker_count(frame: pd.DataFrame) -> int:
    """Distinct speakers, an outlet kind's unnamed voices counted as one."""
    return int(speaker_key(frame).nunique()) if len(frame) else 0


def speaker_label(frame: pd.DataFrame) -> pd.Series:
    """'Gao Fei (Chinese academic)' for each row; 'Unnamed voices (Chinese state media)' for unnamed ones."""
    unnamed = is_unnamed(frame["speaker"])
    return (frame["speaker"] + " (" + frame["voice"] + ")").where(~unnamed, speaker_key(frame))


def _region_rank(frame: pd.DataFrame) -> pd.Series:
    return frame["region"].map({r: i for i, r in enumerate(REGIONS)})


def stance_matrix(frame: pd.DataFrame, topics: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Speaker × topic: the median stance, and the text of every stance behind it.

    Returns ``(median, text)``, both indexed by speaker label (grouped by
    region, then by first date), with one column per topic in ``topics``
    order. A speaker with several statements on a topic gets the median in
    ``median`` and all of them in ``text`` (e.g. "−1 +1 +1 +2"); an empty
    cell means the speaker did not address the topic. Primary rows only.
    """
    rows = primary(frame).copy()
    rows["who"] = speaker_label(rows)
    order = (
        rows.assign(rank=_region_rank(rows))
        .groupby("who")
        .agg(rank=("rank", "min"), first=("date", "min"))
        .sort_values(["rank", "first"])
        .index
    )
    med = rows.pivot_table(index="who", columns="topic_id", values="stance", aggfunc="median")
    txt = (
        rows.sort_values("stance")
        .groupby(["who", "topic_id"])["stance"]
        .agg(lambda s: " ".join(signed(v) for v in s))
        .unstack()
    )
    cols = [t for t in topics]
    return med.reindex(index=order, columns=cols), txt.reindex(index=order, columns=cols)


def speaker_regions(frame: pd.DataFrame) -> pd.Series:
    """Region of each speaker label of :func:`stance_matrix` (primary rows; a speaker's first region)."""
    rows = primary(frame).copy()
    rows["who"] = speaker_label(rows)
    return rows.assign(rank=_region_rank(rows)).sort_values("rank").groupby("who", sort=False)["region"].first()


def plot_stance_matrix(
    median: pd.DataFrame, text: pd.DataFrame, ends: pd.DataFrame, *, title: str, regions: pd.Series | None = None
):
    """Heatmap of :func:`stance_matrix`: colour by median stance, every stance written in its cell.

    Sized for the site's text column (10 in wide, no text under 10 pt, so
    about 11 px or more at 900 px): one panel per region of the speakers
    (``regions``, speaker label -> region, from :func:`speaker_regions`; one
    panel when omitted), long speaker names wrapped onto two lines, the
    topics and both ends of their scales named above the first panel, and
    the colour key below the last. Returns the first panel's axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap

    n_rows, n_cols = median.shape
    if regions is None:
        groups = [("", list(median.index))]
    else:
        reg = regions.reindex(median.index).fillna("Unclassified")
        groups = [(r, [w for w in median.index if reg[w] == r]) for r in REGIONS]
        groups = [(r, ws) for r, ws in groups if ws]
    label = {w: "\n".join(textwrap.wrap(w, 34)) for w in median.index}

    def cell_text(cell) -> str:  # at most three stances a line, so a cell fits its column
        if not isinstance(cell, str):
            return cell
        parts = cell.split()
        return "\n".join(" ".join(parts[i : i + 3]) for i in range(0, len(parts), 3))

    text = text.map(cell_text)
    lines = {
        w: max([label[w].count("\n")] + [c.count("\n") for c in text.loc[w] if isinstance(c, str)])
        for w in median.index
    }
    row_h = {w: 0.24 + 0.17 * lines[w] for w in median.index}
    headers = [_topic_axis_label(t, ends, 14) for t in median.columns]
    head_h = 0.25 + 0.17 * max((h.count("\n") + 1 for h in headers), default=1)
    title_h, gap_h, key_h = 0.45, 0.45, 0.75
    body = [sum(row_h[w] for w in ws) for _, ws in groups]
    height = title_h + head_h + sum(body) + gap_h * (len(groups) - 1) + 0.3 * sum(bool(r) for r, _ in groups) + key_h
    width = 10.0
    fig = plt.figure(figsize=(width, height))
    cmap = ListedColormap([LEVEL_COLORS[lv] for lv in LEVELS]).with_extremes(bad="white")
    norm = BoundaryNorm([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], cmap.N)
    left, right = 3.1 / width, 1 - 0.1 / width
    top = height - title_h - head_h
    axes = []
    for k, (region, ws) in enumerate(groups):
        if region:
            top -= 0.3  # the panel's region heading
        h = sum(row_h[w] for w in ws)
        ax = fig.add_axes((left, (top - h) / height, right - left, h / height))
        top -= h + gap_h
        sub, txt = median.loc[ws], text.loc[ws]
        values = sub.to_numpy(dtype=float)
        edges = [0.0]
        for w in ws:
            edges.append(edges[-1] + row_h[w])
        centres = [(a + b) / 2 for a, b in zip(edges, edges[1:])]
        ax.pcolormesh(range(n_cols + 1), edges, values, cmap=cmap, norm=norm, edgecolors="#DDDDDD", linewidth=0.6)
        for i in range(len(ws)):
            for j in range(n_cols):
                cell = txt.iat[i, j]
                if isinstance(cell, str):
                    ax.text(
                        j + 0.5,
                        centres[i],
                        cell,
                        ha="center",
                        va="center",
                        fontsize=10,
                        color="white" if values[i, j] < -1.5 else "black",
                    )  # white on the dark purple only
        ax.set_xlim(0, n_cols)
        ax.set_ylim(edges[-1], 0)
        ax.set_yticks(centres, [label[w] for w in ws], fontsize=10)
        ax.set_xticks([j + 0.5 for j in range(n_cols)], headers if k == 0 else [], fontsize=10)
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        ax.grid(False)
        if region:
            ax.text(
                -3.0 / (right - left) / width,
                1.0,
                f"{region} ({len(ws)})",
                transform=ax.transAxes,
                ha="left",
                va="bottom",
                fontsize=11,
                fontweight="bold",
            )
        axes.append(ax)
    # the figure's title as its suptitle (not loose text): the site captions it and the layout check sees it
    fig.suptitle(title, x=0.1 / width, y=1 - 0.12 / height, ha="left", va="top", fontsize=14, fontweight="bold")
    handles = [plt.Rectangle((0, 0), 1, 1, color=LEVEL_COLORS[lv], ec="#BBBBBB") for lv in LEVELS]
    fig.legend(
        handles,
        [signed(lv) for lv in LEVELS],
        title="stance (median where several; every stance in the cell)",
        loc="lower center",
        ncol=5,
        fontsize=10,
        title_fontsize=10,
        frameon=False,
        bbox_to_anchor=(0.5 * (left + right), 0.05 / height),
    )
    return axes[0]


#: Short names of the routes, for the compact region matrix (same order as :data:`ROUTES`).
ROUTE_SHORT = (
    "Chinese state media",
    "CDT digest",
    "Central Asian outlets",
    "Western state-funded broadcasters",
    "own or other outlet",
)


def region_matrix(frame: pd.DataFrame, topics: Sequence[str], ends: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stance matrix folded to one row per region: the form of it that fits a 1280×720 slide.

    Returns ``(cells, medians)``, indexed by region (:data:`REGIONS` order,
    regions present only), one column per topic in ``topics`` order headed by
    the topic's label. A cell reads "median (n)", e.g. "−1 (8)", over the
    counted statements of the region's speakers on the topic, empty where
    there are none; ``medians`` holds the numbers behind the colours. A last
    column, *counted statements, by route*, gives the region's composition
    (how its statements reached the collection), so the summary never shows
    without it. Primary rows only, as in :func:`stance_matrix`.
    """
    rows = primary(frame)
    label = ends.set_index("topic_id")["topic"].to_dict()
    regions = [r for r in REGIONS if r in set(rows["region"])]
    g = rows.groupby(["region", "topic_id"])["stance"].agg(["median", "size"])
    routes = route(rows)
    cells, medians = {}, {}
    for t in topics:
        col, med = [], []
        for r in regions:
            if (r, t) in g.index:
                m, n = g.loc[(r, t), "median"], int(g.loc[(r, t), "size"])
                col.append(f"{_median_text(m)} ({n})")
                med.append(float(m))
            else:
                col.append("")
                med.append(math.nan)
        cells[label.get(t, t)] = col
        medians[label.get(t, t)] = med
    short = dict(zip(ROUTES, ROUTE_SHORT))
    by_route = []
    for r in regions:
        sub = routes[rows["region"] == r].value_counts().reindex([x for x in ROUTES if x in set(routes)]).dropna()
        sub = sub[sub > 0]
        by_route.append(f"{int(sub.sum())}: " + ", ".join(f"{int(n)} {short[k]}" for k, n in sub.items()))
    cells["counted statements, by route"] = by_route
    index = pd.Index(regions, name="region of the speaker")
    return pd.DataFrame(cells, index=index), pd.DataFrame(medians, index=index)


def region_matrix_table(frame: pd.DataFrame, topics: Sequence[str], ends: pd.DataFrame, name: str = "region_matrix"):
    """:func:`region_matrix` as a table coloured like the matrix figure (:data:`LEVEL_COLORS`, by median).

    A median between two levels takes the colour the figure's bins give it
    (the level above: +0.5 as +1, −0.5 as 0).
    """
    from ..core import style

    cells, medians = region_matrix(frame, topics, ends)
    shown = style.table(cells, name, index=True)

    def colour(m: float) -> str:
        if math.isnan(m):
            return ""
        level = int(math.floor(m + 0.5))
        text = "white" if level <= -2 else "black"
        return f"background-color: {LEVEL_COLORS[level]}; color: {text}; text-align: center"

    def css(data: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame("", index=data.index, columns=data.columns)
        for j, col in enumerate(medians.columns, start=1):  # column 0 is the region
            out.iloc[:, j] = [colour(m) for m in medians[col]]
        return out

    return shown.apply(css, axis=None)


def stance_counts(frame: pd.DataFrame, by: str = "voice") -> pd.DataFrame:
    """Statements per topic and ``by`` (``voice`` or ``region``) at each level, with n and median.

    Primary rows only. Columns: topic, ``by``, one column per level, n, median.
    """
    rows = primary(frame)
    counts = rows.groupby(["topic", by])["stance"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(columns=list(LEVELS), fill_value=0)
    counts.columns = [signed(c) for c in counts.columns]
    stats = rows.groupby(["topic", by])["stance"].agg(n="size", median="median")
    out = counts.join(stats).reset_index()
    if by == "region":
        out = out.sort_values(["topic", "region"], key=lambda s: s.map(REGIONS.index) if s.name == "region" else s)
    return out.reset_index(drop=True)


def plot_by_voice(frame: pd.DataFrame, topics: Sequence[str], ends: pd.DataFrame, *, by: str = "region"):
    """One panel per topic: for each region (or voice), its statements stacked by level around 0.

    Bars are centred on the neutral level: negative stances extend left, positive
    right, and the neutral count straddles zero. Bar length is a count of statements.
    """
    import matplotlib.pyplot as plt

    rows = primary(frame)
    groups = [g for g in (REGIONS if by == "region" else sorted(rows[by].unique())) if g in set(rows[by])]
    n = len(topics)
    ncols = 2 if n > 1 else 1
    nrows = math.ceil(n / ncols)
    # 10 in wide at most and no text under 10 pt: legible at the site's column width (issue 19)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(5.0 * ncols, 0.5 + (0.42 * len(groups) + 1.5) * nrows), squeeze=False, sharex=True
    )
    top = max(1, int(rows.groupby(["topic_id", by]).size().max() if len(rows) else 1))
    for k, topic in enumerate(topics):
        ax = axes[k // ncols][k % ncols]
        sub = rows[rows["topic_id"] == topic]
        for y, g in enumerate(groups):
            c = sub[sub[by] == g]["stance"].value_counts()
            if c.empty:  # a gap, said as such rather than left to read as a zero
                ax.text(0.5, y, "no statement", ha="left", va="center", fontsize=10, color="#666666")
                continue
            left = -(c.get(-2, 0) + c.get(-1, 0) + c.get(0, 0) / 2)
            for lv in LEVELS:
                w = c.get(lv, 0)
                if w:
                    ax.barh(y, w, left=left, color=LEVEL_COLORS[lv], edgecolor="white", height=0.7)
                left += w
        ax.axvline(0, color="#444444", linewidth=0.8)
        ax.set_yticks(range(len(groups)), groups, fontsize=10)
        ax.set_ylim(len(groups) - 0.5, -0.5)  # fixed, so a panel of gaps keeps its rows inside the axes
        ax.set_xlim(-top - 0.5, top + 0.5)
        row = ends.set_index("topic_id").loc[topic]
        ax.set_title(
            f"{row['topic']}\n\u2190 {MINUS}2 {row['at -2'].lower()}\n+2 {row['at +2'].lower()} \u2192",
            fontsize=10,
            loc="center",
        )
        ax.grid(axis="y", visible=False)
    for k in range(n, nrows * ncols):
        fig.delaxes(axes[k // ncols][k % ncols])  # removed, not hidden: hidden axes keep their tick texts
    for k in range(n):
        if k + ncols >= n:  # lowest panel of its column
            axes[k // ncols][k % ncols].set_xlabel("statements (left: towards −2; right: towards +2)", fontsize=10)
            axes[k // ncols][k % ncols].tick_params(labelbottom=True)
    handles = [plt.Rectangle((0, 0), 1, 1, color=LEVEL_COLORS[lv]) for lv in LEVELS]
    height = fig.get_figheight()
    fig.set_figheight(height + 0.6)
    fig.legend(
        handles,
        [signed(lv) for lv in LEVELS],
        title="stance",
        loc="upper right",
        ncol=5,
        bbox_to_anchor=(1.0, 1.0),
        fontsize=10,
        title_fontsize=10,
    )
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.65 / (height + 0.6)))
    return fig


def event_readings(frame: pd.DataFrame, event_ids: Sequence[str]) -> pd.DataFrame:
    """'One event, several readings': topic × event, each cell listing who said what.

    Each cell lists ``speaker (region) stance`` lines, ordered from -2 to +2.
    Primary rows only.
    """
    rows = primary(frame[frame["event_id"].isin(event_ids)]).copy()
    rows["line"] = speaker_key(rows) + " (" + rows["region"] + ") " + rows["stance"].map(signed)
    cells = (
        rows.sort_values(["stance", "date"]).groupby(["topic", "event"])["line"].agg(lambda s: "; ".join(s)).unstack()
    )
    labels = frame.drop_duplicates("event_id").set_index("event_id")["event"]
    cols = [labels[e] for e in event_ids if e in labels.index and labels[e] in cells.columns]
    return cells.reindex(columns=cols).reset_index()


def voices_by_event(frame: pd.DataFrame, event_ids: Sequence[str]) -> pd.DataFrame:
    """For each event and region: how many statements, and the topic they speak to most.

    ``top topic`` is empty where two or more topics tie for most (``topics``
    then says how many the statements spread over). Primary rows only;
    regions in display order.
    """
    rows = primary(frame[frame["event_id"].isin(event_ids)])
    out = []
    for ev in event_ids:
        for region in REGIONS:
            g = rows[(rows["event_id"] == ev) & (rows["region"] == region)]
            if g.empty:
                continue
            top = g["topic"].value_counts()
            tied = len(top) > 1 and top.iloc[0] == top.iloc[1]
            out.append(
                {
                    "event": g["event"].iloc[0],
                    "region": region,
                    "statements": len(g),
                    "topics": len(top),
                    "top topic": "" if tied else top.index[0],
                    "on it": pd.NA if tied else int(top.iloc[0]),
                }
            )
    return pd.DataFrame(out, columns=["event", "region", "statements", "topics", "top topic", "on it"])


def plot_event_readings(frame: pd.DataFrame, event_ids: Sequence[str], topics: Sequence[str], ends: pd.DataFrame):
    """Side by side, one panel per event: each statement a dot at its stance, coloured by region."""
    import matplotlib.pyplot as plt

    rows = primary(frame[frame["event_id"].isin(event_ids)])
    # 10 in wide and no text under 10 pt: legible at the site's column width (issue 19)
    fig, axes = plt.subplots(1, len(event_ids), figsize=(10.0, 1.4 + 1.2 * len(topics)), sharey=True, squeeze=False)
    offsets = {r: (i - (len(REGIONS) - 1) / 2) * 0.14 for i, r in enumerate(REGIONS)}
    for ax, ev in zip(axes[0], event_ids):
        sub = rows[rows["event_id"] == ev]
        for y, topic in enumerate(topics):
            t = sub[sub["topic_id"] == topic]
            for (region, lv), grp in t.groupby(["region", "stance"]):
                step = min(0.13, 0.8 / len(grp))
                for k in range(len(grp)):
                    x = lv + (k - (len(grp) - 1) / 2) * step
                    ax.plot(
                        x,
                        y + offsets[region],
                        "o",
                        color=REGION_COLORS[region],
                        markersize=6.5,
                        markeredgecolor="white",
                        markeredgewidth=0.6,
                    )
        ax.set_xticks(list(LEVELS), [signed(lv) for lv in LEVELS], fontsize=10)
        ax.set_xlim(-2.6, 2.6)
        ax.axvline(0, color="#999999", linewidth=0.8, zorder=0)
        label = frame.loc[frame["event_id"] == ev, "event"]
        ax.set_title("\n".join(textwrap.wrap(label.iloc[0] if len(label) else ev, 32)), fontsize=10, loc="left")
        ax.set_xlabel(f"stance ({len(sub)} statements)", fontsize=10)
        ax.grid(axis="y", visible=False)
    axes[0][0].set_yticks(range(len(topics)), [_topic_axis_label(t, ends, 26) for t in topics], fontsize=10)
    axes[0][0].invert_yaxis()
    present = [r for r in REGIONS if r in set(rows["region"])]
    handles = [plt.Line2D([], [], marker="o", linestyle="", color=REGION_COLORS[r]) for r in present]
    height = fig.get_figheight()
    fig.set_figheight(height + 0.6)
    fig.legend(
        handles,
        present,
        title="voice from",
        loc="upper right",
        ncol=len(present),
        fontsize=10,
        title_fontsize=10,
        bbox_to_anchor=(1.0, 1.0),
    )
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.65 / (height + 0.6)))
    return fig


def who_says_what(frame: pd.DataFrame) -> pd.DataFrame:
    """The statements for reading: date, speaker, voice, outlet, event, topic, stance, text, source.

    Sorted by date then id; a row from a source that words a statement
    differently says which row in ``variant of``.
    """
    out = frame.sort_values(["date", "statement_id"]).copy()
    out["text"] = [f"\u201c{t}\u201d" if k == "quote" else t for t, k in zip(out["text"], out["text_kind"])]
    out["outlet"] = [
        o if not isinstance(orig, str) or not orig else f"{o} (from {orig})"
        for o, orig in zip(out["outlet"], out["original_outlet"])
    ]
    cols = {
        "statement_id": "id",
        "date": "date",
        "speaker": "speaker",
        "voice": "voice",
        "outlet": "outlet",
        "event": "about",
        "topic": "topic",
        "stance_label": "stance",
        "text_kind": "kind",
        "text": "text",
        "source_id": "source",
        "variant_of": "variant of",
    }
    return out[list(cols)].rename(columns=cols).reset_index(drop=True)


# --- agreement between coders ------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    """Agreement between two coders on the same items.

    ``observed`` is the share of items coded alike (with ``weights``, one minus
    the mean disagreement weight); ``expected`` is what two coders with these
    marginal distributions would reach by chance; ``kappa`` is
    ``(observed - expected) / (1 - expected)``. ``kappa`` is NaN when
    ``expected`` is 1 (both coders used one and the same level for every item),
    where the statistic is undefined. ``table`` is the cross-tabulation.

    ``se`` is the large-sample standard error of ``kappa`` and ``ci_low`` /
    ``ci_high`` its 95% confidence interval (see :func:`kappa_standard_error`);
    all three are NaN where kappa is undefined.
    """

    n: int
    observed: float
    expected: float
    kappa: float
    weights: str
    table: pd.DataFrame
    se: float = float("nan")
    ci_low: float = float("nan")
    ci_high: float = float("nan")

    def ci_text(self) -> str:
        """'95% CI 0.44 to 0.76'; says why there is none where kappa is undefined or agreement is perfect."""
        if math.isnan(self.kappa):
            return "no confidence interval"
        if math.isnan(self.ci_low):
            return "no confidence interval: the large-sample formula gives none when the coders agree on every item"
        return f"95% CI {self.ci_low:.2f} to {self.ci_high:.2f}".replace("-", MINUS)

    def __str__(self) -> str:
        k = "undefined" if math.isnan(self.kappa) else f"{self.kappa:.2f}"
        ci = "" if math.isnan(self.ci_low) else f" ({self.ci_text()})"
        return (
            f"n = {self.n}, observed agreement {self.observed:.2f}, expected by chance "
            f"{self.expected:.2f}, kappa ({self.weights}) = {k}{ci}"
        )


WEIGHTS = ("none", "linear", "quadratic")


def cohen_kappa(a: Iterable, b: Iterable, *, categories: Sequence | None = None, weights: str = "none") -> Agreement:
    """Cohen's kappa for two coders' codes of the same items, in the same order.

    Parameters
    ----------
    a, b : sequences of equal length
        Coder A's and coder B's code for each item.
    categories : sequence, optional
        The ordered scale (default: the codebook's levels -2..2 when every code
        is one of them, otherwise the codes seen, sorted). Weights depend on
        the distance between positions on this scale.
    weights : {"none", "linear", "quadratic"}
        ``none`` counts every disagreement fully (Cohen 1960); ``linear`` and
        ``quadratic`` count a disagreement by its distance on the scale,
        ``|i - j| / (k - 1)`` or its square (Cohen 1968), which suits ordinal
        stances where -1 against -2 is a smaller disagreement than -2 against +2.

    Raises
    ------
    ValueError
        Different lengths, no items, a missing code, a code not on the scale,
        or an unknown weighting.
    """
    a, b = list(a), list(b)
    if weights not in WEIGHTS:
        raise ValueError(f"weights={weights!r} is not allowed; allowed: {', '.join(WEIGHTS)}")
    if len(a) != len(b):
        raise ValueError(
            f"the two codings have different lengths ({len(a)} and {len(b)}); each item needs a code from both coders"
        )
    if not a:
        raise ValueError("no items to compare: both codings are empty")
    for name, codes in (("first", a), ("second", b)):
        for i, v in enumerate(codes):
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                raise ValueError(f"the {name} coding has no code for item {i + 1}")
    if categories is None:
        seen = set(a) | set(b)
        categories = list(LEVELS) if seen <= set(LEVELS) else sorted(seen)
    cats = list(categories)
    pos = {c: i for i, c in enumerate(cats)}
    for name, codes in (("first", a), ("second", b)):
        bad = [v for v in codes if v not in pos]
        if bad:
            raise ValueError(
                f"the {name} coding uses {bad[0]!r}, which is not on the scale ({', '.join(map(str, cats))})"
            )
    k, n = len(cats), len(a)
    obs = [[0.0] * k for _ in range(k)]
    for x, y in zip(a, b):
        obs[pos[x]][pos[y]] += 1
    row = [sum(r) for r in obs]
    col = [sum(obs[i][j] for i in range(k)) for j in range(k)]

    def w(i: int, j: int) -> float:
        if weights == "none":
            return 0.0 if i == j else 1.0
        d = abs(i - j) / (k - 1) if k > 1 else 0.0
        return d if weights == "linear" else d * d

    disagree_obs = sum(w(i, j) * obs[i][j] for i in range(k) for j in range(k)) / n
    disagree_exp = sum(w(i, j) * row[i] * col[j] for i in range(k) for j in range(k)) / (n * n)
    observed, expected = 1 - disagree_obs, 1 - disagree_exp
    kappa = float("nan") if disagree_exp == 0 else 1 - disagree_obs / disagree_exp
    table = pd.DataFrame(
        obs, index=pd.Index(cats, name="first coder"), columns=pd.Index(cats, name="second coder")
    ).astype(int)
    agree = [[1.0 - w(i, j) for j in range(k)] for i in range(k)]
    se = kappa_standard_error(obs, agree, kappa)
    half = Z_95 * se
    # at perfect agreement the large-sample standard error is 0: no interval rather than a false "1.00 to 1.00"
    low, high = (max(-1.0, kappa - half), min(1.0, kappa + half)) if se > 0 else (float("nan"), float("nan"))
    return Agreement(n, observed, expected, kappa, weights, table, se, low, high)


#: The standard normal quantile for a two-sided 95% interval.
Z_95 = 1.959963984540054


def kappa_standard_error(
    counts: Sequence[Sequence[float]], agreement_weights: Sequence[Sequence[float]], kappa: float
) -> float:
    """Large-sample standard error of (weighted) Cohen's kappa, Fleiss, Cohen & Everitt (1969).

    Source: J. L. Fleiss, J. Cohen and B. S. Everitt, "Large sample standard
    errors of kappa and weighted kappa", *Psychological Bulletin* 72(5):
    323-327, 1969 (``fleiss-cohen-everitt-1969``; ``data/methods.csv`` row
    ``kappa-se``). This is their standard error for the non-null case, the one
    to use for a confidence interval (not the one for testing kappa = 0).

    With ``p_ij`` the share of the ``n`` items the first coder put at level i
    and the second at level j, ``p_i.`` and ``p_.j`` the two coders' marginal
    shares, agreement weights ``w_ij`` (1 on the diagonal; ``1 - d_ij`` for the
    disagreement weights of :func:`cohen_kappa`), chance agreement
    ``p_e = sum_ij w_ij p_i. p_.j``, ``wbar_i. = sum_j w_ij p_.j`` and
    ``wbar_.j = sum_i w_ij p_i.``::

        var(kappa) = ( sum_ij p_ij [w_ij - (wbar_i. + wbar_.j)(1 - kappa)]^2
                       - [kappa - p_e (1 - kappa)]^2 ) / ( n (1 - p_e)^2 )

    Without weights (``w_ij`` = 1 if i = j else 0) this is their formula for
    unweighted kappa. The 95% interval is ``kappa ± 1.96 se`` (normal
    approximation), cut to [-1, 1]; with few items it is rough, and the
    chapter says so. At perfect agreement (kappa = 1) the formula gives 0,
    and :func:`cohen_kappa` then reports no interval rather than "1 to 1".
    Returns NaN where kappa is undefined (``p_e`` = 1).
    """
    k = len(counts)
    n = sum(sum(r) for r in counts)
    if n == 0 or math.isnan(kappa):
        return float("nan")
    p = [[counts[i][j] / n for j in range(k)] for i in range(k)]
    row = [sum(p[i]) for i in range(k)]
    col = [sum(p[i][j] for i in range(k)) for j in range(k)]
    w = agreement_weights
    p_e = sum(w[i][j] * row[i] * col[j] for i in range(k) for j in range(k))
    if p_e >= 1:
        return float("nan")
    wrow = [sum(w[i][j] * col[j] for j in range(k)) for i in range(k)]
    wcol = [sum(w[i][j] * row[i] for i in range(k)) for j in range(k)]
    total = sum(p[i][j] * (w[i][j] - (wrow[i] + wcol[j]) * (1 - kappa)) ** 2 for i in range(k) for j in range(k))
    var = (total - (kappa - p_e * (1 - kappa)) ** 2) / (n * (1 - p_e) ** 2)
    return math.sqrt(max(var, 0.0))


def read_coding(path: str | Path, *, known_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Read one coder's sheet: a CSV with columns ``statement_id`` and ``stance`` (others ignored).

    Rows with an empty stance are skipped (not yet coded). Raises ``ValueError``
    naming the file, line and value for a missing column, a repeated id, an id
    not in ``known_ids``, or a stance that is not an integer from -2 to 2.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = {"statement_id", "stance"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(
                f"{path}: needs the columns statement_id and stance; missing: "
                f"{', '.join(sorted(missing))} (found: {', '.join(reader.fieldnames or []) or 'none'})"
            )
        known = set(known_ids) if known_ids is not None else None
        seen: dict[str, int] = {}
        rows = []
        for line, r in enumerate(reader, start=2):
            sid, raw = (r["statement_id"] or "").strip(), (r["stance"] or "").strip()
            if not sid:
                raise ValueError(f"{path}, line {line}: empty statement_id")
            if sid in seen:
                raise ValueError(f"{path}, line {line}: statement_id {sid!r} repeats line {seen[sid]}")
            seen[sid] = line
            if known is not None and sid not in known:
                raise ValueError(f"{path}, line {line}: statement_id {sid!r} is not a known statement")
            if not raw:
                continue
            try:
                stance = int(raw.replace(MINUS, "-").lstrip("+"))
            except ValueError:
                stance = None
            if stance not in LEVELS:
                raise ValueError(
                    f"{path}, line {line}: stance {raw!r} for {sid} is not allowed; allowed: an integer from -2 to 2"
                )
            rows.append({"statement_id": sid, "stance": stance})
    return pd.DataFrame(rows, columns=["statement_id", "stance"])


def compare_codings(
    first: pd.DataFrame, second: pd.DataFrame, statements: pd.DataFrame | None = None, *, weights: str = "none"
) -> tuple[Agreement, pd.DataFrame, pd.DataFrame]:
    """Agreement between two codings of the same statements.

    ``first`` and ``second`` have columns ``statement_id`` and ``stance``;
    only statements coded in both are compared (``overall.n`` says how many).
    With
    ``statements`` (the joined table), agreement is also given per topic and
    the disagreements carry the topic and speaker.

    Returns ``(overall, by_topic, disagreements)``.
    """
    both = first.merge(second, on="statement_id", suffixes=("_first", "_second"), validate="one_to_one")
    if both.empty:
        raise ValueError(
            f"no statement is coded in both codings ({len(first)} coded in the first, "
            f"{len(second)} in the second); fill in the stance column of each sheet"
        )
    overall = cohen_kappa(both["stance_first"], both["stance_second"], categories=LEVELS, weights=weights)
    by_topic = pd.DataFrame()
    if statements is not None:
        both = both.merge(statements[["statement_id", "topic", "speaker", "text"]], on="statement_id", how="left")
        parts = []
        for topic, g in both.groupby("topic", sort=True):
            ag = cohen_kappa(g["stance_first"], g["stance_second"], categories=LEVELS, weights=weights)
            parts.append(
                {
                    "topic": topic,
                    "n": ag.n,
                    "same level": int((g["stance_first"] == g["stance_second"]).sum()),
                    "observed": ag.observed,
                    "expected": ag.expected,
                    "kappa": ag.kappa,
                    "95% CI from": ag.ci_low,
                    "95% CI to": ag.ci_high,
                }
            )
        by_topic = pd.DataFrame(parts)
    diff = both[both["stance_first"] != both["stance_second"]].copy()
    diff["gap"] = (diff["stance_first"] - diff["stance_second"]).abs()
    return overall, by_topic, diff.reset_index(drop=True)


def kappa_label(kappa: float) -> str:
    """Landis and Koch's (1977) verbal bands, as tabulated by the MRC CBU (``mrc-cbu-kappa-benchmarks``).

    0 or below poor, up to 0.20 slight, 0.40 fair, 0.60 moderate, 0.80
    substantial, above almost perfect. A convention for talking about kappa,
    not a test.
    """
    if math.isnan(kappa):
        return "undefined"
    if kappa <= 0:
        return "poor"
    for bound, word in ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial")):
        if kappa <= bound:
            return word
    return "almost perfect"


def source_note(frame: pd.DataFrame) -> str:
    """A short line naming how many statements, speakers and documents a figure draws."""
    rows = primary(frame)
    return (
        f"{len(rows)} statements by {speaker_count(rows)} speakers or outlets, "
        f"read in {rows['source_id'].nunique()} documents."
    )


# --- seminar material ----------------------------------------------------------------

SHEET_COLUMNS = ("statement_id", "topic_id", "speaker", "role", "date", "text_kind", "text", "stance", "note")


def coding_sheet(
    statements: pd.DataFrame, recode: pd.DataFrame, topics: Sequence[str], *, per_topic: int = 2
) -> pd.DataFrame:
    """A blank coding sheet for a class: ``per_topic`` statements of each topic, stance left empty.

    For each topic, in the order of ``topics``, it takes, by id,
    statements alternately from those the project's two coders coded alike and
    those they did not, so a class meets both easy and hard calls. Variant rows
    are left out. The sheet hides the stances; compare a filled sheet with
    ``python -m helpers kappa SHEET data/statements.csv``.
    """
    rows = primary(statements).merge(
        recode[["statement_id", "stance"]].rename(columns={"stance": "other"}), on="statement_id", how="left"
    )
    picked = []
    for _topic in topics:
        g = rows[rows["topic_id"] == _topic].sort_values("statement_id")
        same, diff = g[g["stance"] == g["other"]], g[g["stance"] != g["other"]]
        pools = [list(same["statement_id"]), list(diff["statement_id"])]
        k = 0
        while len([p for p in picked if p[0] == _topic]) < per_topic and any(pools):
            pool = pools[k % 2] or pools[(k + 1) % 2]
            picked.append((_topic, pool.pop(0)))
            k += 1
    ids = [sid for _, sid in picked]
    sheet = statements.set_index("statement_id").loc[ids].reset_index()
    sheet["stance"], sheet["note"] = "", ""
    return sheet[list(SHEET_COLUMNS)]


# --- what the collection is, and sentences computed from the run (issues 16 and 20) -----------

#: How a statement reached the collection, from the outlet it appeared in (``outlet_id``) and the
#: outlet the project read it through (``via_outlet_id``), joined to ``outlets`` (who funds or controls
#: each): a press digest read through decides first, then Chinese state media, then Central Asian
#: outlets, then Western state-funded broadcasters; anything else is the speaker's own or another outlet.
ROUTES = (
    "via Chinese state media",
    "via a Western press digest (China Digital Times)",
    "via Central Asian outlets",
    "via Western state-funded broadcasters",
    "in the speaker's own or another outlet",
)
DIGESTS = ("cdt",)
CENTRAL_ASIA = ("Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan")
ADJECTIVES = {
    "China": "Chinese",
    "Russia": "Russian",
    "Central Asia": "Central Asian",
    "West": "Western",
    "Unclassified": "unclassified",
}


def route(frame: pd.DataFrame, outlets: pd.DataFrame | None = None) -> pd.Series:
    """The route by which each statement reached the collection (see :data:`ROUTES`)."""
    if outlets is None:
        from ..core.data import load

        outlets = load("outlets")
    info = outlets.set_index("outlet_id")
    country = info["country"].astype(str).to_dict()
    basis = info["funding_basis"].astype(str).to_dict()

    def one(outlet, via) -> str:
        ids = [i for i in (via, outlet) if isinstance(i, str) and i]
        if any(i in DIGESTS for i in ids):
            return ROUTES[1]
        if any(country.get(i, "").startswith("China") and basis.get(i) == "state_media" for i in ids):
            return ROUTES[0]
        if any(country.get(i) in CENTRAL_ASIA for i in ids):
            return ROUTES[2]
        if any(basis.get(i) == "state_funded_international" for i in ids):
            return ROUTES[3]
        return ROUTES[4]

    via = frame["via_outlet_id"] if "via_outlet_id" in frame else pd.Series(None, index=frame.index)
    return pd.Series(
        [one(o, v if isinstance(v, str) else None) for o, v in zip(frame["outlet_id"], via)],
        index=frame.index,
        dtype=object,
    )


def composition(frame: pd.DataFrame) -> pd.DataFrame:
    """Counted statements by region of the speaker and route into the collection (primary rows), with totals."""
    rows = primary(frame)
    table = pd.crosstab(rows["region"], route(rows)).reindex(
        index=[r for r in REGIONS if r in set(rows["region"])],
        columns=[r for r in ROUTES if r in set(route(rows))],
        fill_value=0,
    )
    table["all routes"] = table.sum(axis=1)
    table.loc["all regions"] = table.sum(axis=0)
    table.index.name = "region of the speaker"
    table.columns.name = None
    return table.reset_index()


def composition_sentence(frame: pd.DataFrame) -> str:
    """What the selection is made of: statements by region and by route, said as a fact about this collection."""
    rows = primary(frame)
    if rows.empty:
        return "The selection holds no counted statement."
    by_region = rows["region"].value_counts()
    regions = [r for r in REGIONS if r in by_region.index]
    routes = route(rows)
    text = (
        f"**What this selection is.** {len(rows)} counted statements by {speaker_count(rows)} speakers or "
        f"outlets, read in {rows['source_id'].nunique()} documents. By region of the speaker: "
        + ", ".join(f"{r} {by_region[r]}" for r in regions)
        + ". By route into the collection: "
        + ", ".join(
            f"{n} {k}" for k, n in routes.value_counts().reindex([r for r in ROUTES if r in set(routes)]).items()
        )
        + "."
    )
    notes = []
    for r in regions:
        sub = routes[rows["region"] == r].value_counts().reindex([x for x in ROUTES if x in set(routes)]).dropna()
        if len(sub) == 1:
            notes.append(
                f"the one {ADJECTIVES[r]} statement {sub.index[0]}"
                if by_region[r] == 1
                else f"all {by_region[r]} {ADJECTIVES[r]} statements {sub.index[0]}"
            )
        else:
            notes.append(f"{ADJECTIVES[r]} statements {', '.join(f'{int(n)} {k}' for k, n in sub.items())}")
    text += " By region and route: " + "; ".join(notes) + "."
    return text + (" Counts and medians below describe this collection, not opinion in any country or region.")


def selection_sentence(
    topics: Sequence[str],
    outlet_kinds: Sequence[str],
    events: Sequence[str],
    min_year: int,
    max_year: int,
    codebook: pd.DataFrame,
    kinds: pd.DataFrame,
    event_table: pd.DataFrame,
) -> str:
    """'**This run:** 6 of 6 topics; 13 of 13 kinds of voice; ...' naming what is left out where anything is."""

    def part(chosen, table, key, label, what):
        allv = list(table[key])
        if len(chosen) == len(allv):
            return f"all {len(allv)} {what}"
        names = table.set_index(key).loc[[c for c in allv if c in chosen], label]
        return f"{len(chosen)} of {len(allv)} {what} ({'; '.join(names)})"

    return (
        f"**This run:** {part(topics, codebook, 'topic_id', 'label', 'topics')}; "
        f"{part(outlet_kinds, kinds, 'outlet_kind', 'label', 'kinds of voice')}; "
        f"{part(events, event_table, 'event_id', 'label', 'events')}; documents dated "
        f"{min_year if min_year == max_year else f'{min_year} to {max_year}'}."
    )


def _median_text(m: float) -> str:
    return signed(m) if float(m).is_integer() else f"{m:+.1f}".replace("-", MINUS)


def stance_summary(frame: pd.DataFrame, topics: Sequence[str], ends: pd.DataFrame) -> str:
    """Per topic, where each region's statements in this collection sit: median and count, both scale ends named."""
    rows = primary(frame)
    e = ends.set_index("topic_id")
    lines = []
    for t in topics:
        sub = rows[rows["topic_id"] == t]
        if sub.empty:
            continue
        g = sub.groupby("region")["stance"].agg(["median", "size"])
        parts = [
            f"{r} {_median_text(g.loc[r, 'median'])} ({plural(int(g.loc[r, 'size']), 'statement')})"
            for r in REGIONS
            if r in g.index
        ]
        lines.append(
            f"- *{e.loc[t, 'topic']}* ({MINUS}2 {e.loc[t, 'at -2'].lower()}, +2 "
            f"{e.loc[t, 'at +2'].lower()}): median by region of the speaker: {', '.join(parts)}."
        )
    missing = [e.loc[t, "topic"] for t in topics if rows[rows["topic_id"] == t].empty]
    if missing:
        lines.append(f"- No counted statement in this selection on: {', '.join(missing)}.")
    return "In this collection, as selected for this run:\n\n" + "\n".join(lines)


def no_trips_reason(
    everything: pd.DataFrame,
    topics: Sequence[str],
    outlet_kinds: Sequence[str],
    events: Sequence[str],
    min_year: int,
    max_year: int,
) -> str:
    """Why a selection has no statement about the 2022 or 2024 trips, naming the parameter(s) that remove them."""
    trips = [e for e in ("trip-2022-09", "trip-2024-07") if e in set(everything["event_id"])]
    if not any(e in events for e in trips):
        return (
            "No statements about the 2022 or 2024 trips in this selection: parameter `events` "
            f"({', '.join(events)}) includes neither trip ({', '.join(trips)})."
        )
    chosen = [e for e in trips if e in events]
    pool = everything[everything["event_id"].isin(chosen)]
    names = []
    years = pool["year"]
    if not ((years >= min_year) & (years <= max_year)).any() or not (
        (
            pool["topic_id"].isin(topics)
            & pool["outlet_kind"].isin(outlet_kinds)
            & (years >= min_year)
            & (years <= max_year)
        ).any()
    ):
        steps = [
            ("topics", pool["topic_id"].isin(topics)),
            ("outlet_kinds", pool["outlet_kind"].isin(outlet_kinds)),
            ("min_year/max_year", (years >= min_year) & (years <= max_year)),
        ]
        for name, keep in steps:
            if not keep.any():
                names.append(name)
        if not names:  # each keeps some, together none
            names = [n for n, _ in steps]
    dates = (
        f"statements about {'these trips' if len(chosen) > 1 else 'this trip'} date from "
        f"{int(years.min())} to {int(years.max())}"
        if len(pool)
        else "the data has no statement about it"
    )
    return (
        f"No statements about the 2022 or 2024 trips in this selection: "
        f"{' and '.join(f'`{n}`' for n in names)} {'removes' if len(names) == 1 else 'together remove'} them "
        f"({dates}; this run's window is {min_year} to {max_year})."
    )


def trips_sentence(voices: pd.DataFrame) -> str:
    """For each trip: how many counted statements from each region, and the topic each speaks to most."""
    out = []
    for event, g in voices.groupby("event", sort=False):
        parts = []
        for _, r in g.iterrows():
            top = f", most on *{r['top topic']}*" if r["top topic"] else ", no single top topic"
            parts.append(f"{r['region']} {r['statements']}{top}")
        absent = [r for r in REGIONS[:4] if r not in set(g["region"])]
        line = f"{event}: " + "; ".join(parts) + "."
        if absent:
            line += (
                f" No counted statement from {', '.join(ADJECTIVES[a] for a in absent)} voices about it "
                "in this selection."
            )
        out.append("- " + line)
    return "In this selection of the collection:\n\n" + "\n".join(out)


AI_CODER = "the second coder was an AI helper agent, not a second human reader"


def kappa_sentence(overall: Agreement, linear: Agreement) -> str:
    """Kappa as reproducibility, always saying who the second coder was."""
    k = "undefined" if math.isnan(overall.kappa) else f"{overall.kappa:.2f}"
    kl = "undefined" if math.isnan(linear.kappa) else f"{linear.kappa:.2f}"
    return (
        f"On the {overall.n} counted statements of this selection, the project's coding and the second "
        f"coding agree on {overall.observed:.0%}; Cohen's kappa is {k} ({overall.ci_text()}; "
        f"{kappa_label(overall.kappa)}), {kl} with linear weights ({linear.ci_text()}; "
        f"{kappa_label(linear.kappa)}). The interval is the large-sample one of Fleiss, Cohen and Everitt "
        f"(1969, `fleiss-cohen-everitt-1969`){'; on so few statements it is rough' if overall.n < 50 else ''}. "
        f"Read it with care: {AI_CODER}, so kappa "
        "here measures how far the codebook steers two coders of different kinds to the same level, not "
        "agreement among human experts."
    )


def key_outputs(shown: pd.DataFrame, overall: Agreement) -> dict[str, str]:
    """Three to five short results of a run, for comparing sweep groups."""
    rows = primary(shown)
    by_region = rows["region"].value_counts()
    routes = route(rows).value_counts()
    return {
        "statements counted": f"{len(rows)} ({speaker_count(rows)} speakers or outlets)",
        "by region": ", ".join(f"{r} {by_region[r]}" for r in REGIONS if r in by_region.index),
        "largest route": f"{routes.index[0]} ({routes.iloc[0]} of {len(rows)})" if len(routes) else "none",
        "kappa vs AI second coder": ("undefined" if math.isnan(overall.kappa) else f"{overall.kappa:.2f}")
        + f" ({overall.ci_text()}; n = {overall.n})",
    }


def key_findings(
    shown: pd.DataFrame, topics: Sequence[str], ends: pd.DataFrame, overall: Agreement, linear: Agreement
) -> str:
    """The chapter's closing summary, every number computed from the run's selection (Markdown bullets).

    Says what the selection holds and by which route most of it arrived, the
    topic on which the regions' medians lie furthest apart (regions with at
    least two counted statements on it), and kappa with its 95% interval and
    who the second coder was.
    """
    rows = primary(shown)
    bullets = []
    if rows.empty:
        return "- The selection holds no counted statement."
    routes = route(rows).value_counts()
    bullets.append(
        f"The selection holds {plural(len(rows), 'counted statement')} by {speaker_count(rows)} speakers "
        f"or outlets from {plural(rows['source_id'].nunique(), 'document')} (by region of the speaker: "
        + ", ".join(f"{r} {n}" for r, n in rows["region"].value_counts().reindex(REGIONS).dropna().astype(int).items())
        + f"); the commonest route into the collection: {routes.index[0]} ({routes.iloc[0]} of {len(rows)}). "
        "The counts describe this collection, not opinion in any country."
    )
    e = ends.set_index("topic_id")
    best = None
    for t in topics:
        g = rows[rows["topic_id"] == t].groupby("region")["stance"].agg(["median", "size"])
        g = g[g["size"] >= 2]
        if len(g) >= 2:
            spread = g["median"].max() - g["median"].min()
            if best is None or spread > best[0]:
                best = (spread, t, g)
    if best is not None and best[0] > 0:
        spread, t, g = best
        lo, hi = g["median"].idxmin(), g["median"].idxmax()
        bullets.append(
            f"The regions sit furthest apart on *{e.loc[t, 'topic']}*: {ADJECTIVES[lo]} voices at a "
            f"median of {_median_text(g.loc[lo, 'median'])} ({MINUS}2 {e.loc[t, 'at -2'].lower()}), "
            f"{ADJECTIVES[hi]} voices at {_median_text(g.loc[hi, 'median'])} "
            f"(+2 {e.loc[t, 'at +2'].lower()}), on {int(g.loc[lo, 'size'])} and "
            f"{int(g.loc[hi, 'size'])} statements."
        )
    elif best is not None:
        bullets.append(
            "Where at least two regions have two or more counted statements on a topic, their medians "
            "coincide in this selection."
        )
    else:
        bullets.append(
            "No topic has two regions with two or more counted statements each, so this selection does "
            "not compare regions."
        )
    k = "undefined" if math.isnan(overall.kappa) else f"{overall.kappa:.2f}"
    kl = "undefined" if math.isnan(linear.kappa) else f"{linear.kappa:.2f}"
    bullets.append(
        f"The coding is {kappa_label(overall.kappa)}ly reproducible by Landis and Koch's bands: kappa "
        f"{k} ({overall.ci_text()}), {kl} with linear weights, on {overall.n} statements; "
        f"{AI_CODER}."
        if overall.kappa > 0
        else f"Kappa is {k} ({overall.ci_text()}) on {overall.n} statements; {AI_CODER}."
    )
    return "\n".join(f"- {b}" for b in bullets)


WHATS_NEXT = (
    "**What's next.** Chapter 6 (`06_claims_vs_data`) leaves opinions aside and checks every number and date in "
    "the starting documents quoted here against the project's tables: where this chapter asks who says what, "
    "the next asks whether what they say can be checked."
)
