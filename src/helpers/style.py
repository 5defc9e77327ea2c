"""House style: one palette, readable sizes, a source line on every figure.

Nothing here runs on import. A notebook opts in explicitly::

    from helpers import style
    style.apply()                       # rcParams for the whole notebook
    fig, ax = plt.subplots()
    ...
    style.add_source(fig, events, membership)   # "Source: ..." from the rows drawn
    style.save_figure(fig, "sco_membership_by_status")

Colours: every country keeps one colour in every chapter (Kazakhstan is the
same green in a trade chart and on a map). The core colours are the
Okabe-Ito set, which stays distinguishable for the common colour-vision
deficiencies and on a washed-out projector; further SCO states take Paul
Tol's "muted" set; any other country is drawn in neutral grey.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Iterable

from . import paths

#: One colour per country, the same in every notebook.
COUNTRY_COLORS: dict[str, str] = {
    # the five Central Asian states, China and Russia: Okabe-Ito
    "CHN": "#D55E00",  # vermilion
    "RUS": "#0072B2",  # blue
    "KAZ": "#009E73",  # bluish green
    "KGZ": "#E69F00",  # orange
    "TJK": "#CC79A7",  # reddish purple
    "UZB": "#56B4E9",  # sky blue
    "TKM": "#8C510A",  # brown (Okabe-Ito black is too heavy as a map fill)
    # later members and observers: Paul Tol's muted scheme
    "IND": "#882255",  # wine
    "PAK": "#117733",  # green
    "IRN": "#999933",  # olive
    "BLR": "#332288",  # indigo
    "MNG": "#AA4499",  # purple
    "AFG": "#44AA99",  # teal
}
OTHER_COUNTRY_COLOR = "#8C8C8C"

#: Colours for an SCO status: one blue, darker for a closer tie.
STATUS_COLORS: dict[str, str] = {
    "member": "#08306B",
    "observer": "#4292C6",
    "dialogue_partner": "#9ECAE1",
    "partner": "#BCBDDC",  # light purple: the 2025 status that merged the two above
}
STATUS_LABELS: dict[str, str] = {
    "member": "Member",
    "observer": "Observer",
    "dialogue_partner": "Dialogue partner",
    "partner": "Partner",
}
#: Background land on maps, and borders.
LAND_COLOR = "#EEEEEE"
BORDER_COLOR = "#FFFFFF"
HIGHLIGHT_EDGE = "#D55E00"

#: rcParams of the house style: large enough to read from the back of a
#: seminar room, no chart junk, deterministic SVG output.
RC: dict[str, object] = {
    "figure.figsize": (10, 5.6),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.family": "DejaVu Sans",
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "svg.hashsalt": "sco-notebooks",
    "svg.fonttype": "path",
    "image.cmap": "Blues",
}

SOURCE_FONT_SIZE = 10
_SOURCE_ATTR = "_sco_source_line"
_IDS_ATTR = "_sco_source_ids"


def apply() -> None:
    """Set the house style for the rest of the session (explicit, not on import)."""
    import matplotlib as mpl

    mpl.rcParams.update(RC)


def country_color(iso3: str) -> str:
    """Return the house colour of a country (ISO 3166 alpha-3 code)."""
    return COUNTRY_COLORS.get(str(iso3).upper(), OTHER_COUNTRY_COLOR)


def status_color(status: str) -> str:
    """Return the house colour of an SCO status (member, observer, ...)."""
    return STATUS_COLORS[status]


# --- source lines ---------------------------------------------------------------


def _ids_from(items: Iterable) -> list[str]:
    """Source ids from data frames (their ``source_id`` column) or strings."""
    ids: dict[str, None] = {}
    for item in items:
        if isinstance(item, str):
            ids.setdefault(item, None)
        elif hasattr(item, "columns"):
            for sid in item["source_id"].dropna():
                ids.setdefault(str(sid), None)
        else:
            for sid in item:
                ids.setdefault(str(sid), None)
    return list(ids)


def source_label(row) -> str:
    """Short label for one source: the author (or publisher), then the year."""
    who = row["author"] if isinstance(row["author"], str) and row["author"] else row["publisher"]
    year = str(row["date"])[:4] if isinstance(row["date"], str) and row["date"] else "n.d."
    return f"{who} ({year})"


def source_line(*items, width: int = 150, max_full: int = 6, max_listed: int = 12) -> str:
    """Build the "Source: ..." line from the source ids of the rows drawn.

    Parameters
    ----------
    *items : DataFrame, str or iterable of str
        Frames with a ``source_id`` column (only the rows actually drawn), or
        source ids.
    width : int
        Wrap the line at this many characters.
    max_full : int
        Up to this many sources, each is named ("Author (year) [id]").
    max_listed : int
        Up to this many, the line lists the ids; beyond it the line gives
        their number and where to find them (the chapter's sources table and
        the figure file's metadata, see :func:`save_figure`), so that a map
        drawn from fifty rows keeps a readable caption.

    Returns
    -------
    str
        ``"Source: Author (2021) [id1]; Publisher (2024) [id2]."``, in the
        order the ids first appear, each once; the ids resolve in
        ``data/sources.csv``.

    Raises
    ------
    ValueError
        If no ids are given or an id is not in the sources table.
    """
    from . import data

    ids = _ids_from(items)
    if not ids:
        raise ValueError("a figure needs at least one source id for its source line")
    sources = data.load("sources").set_index("source_id")
    unknown = [i for i in ids if i not in sources.index]
    if unknown:
        raise ValueError(f"source ids not in data/sources.csv: {', '.join(unknown)}")
    if len(ids) <= max_full:
        labels = list(dict.fromkeys(f"{source_label(sources.loc[i])} [{i}]" for i in ids))
        text = "Source: " + "; ".join(labels) + "."
    elif len(ids) <= max_listed:  # several sources: their ids, which data/sources.csv resolves
        text = f"Source: {len(ids)} documents listed in data/sources.csv: " + ", ".join(ids) + "."
    else:
        kinds = sources.loc[ids, "kind"].value_counts()
        mix = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kinds.items())
        text = (f"Source: {len(ids)} documents in data/sources.csv ({mix}), cited row by row in the data; "
                "their ids are in this file's metadata and in the chapter's list of sources.")
    return "\n".join(textwrap.wrap(text, width=width, break_on_hyphens=False, break_long_words=False))


def add_source(fig, *items, note: str | None = None) -> str:
    """Write the source line under a figure and remember it for :func:`save_figure`.

    ``note`` adds a line before the sources (e.g. "Status on 31 December 2005.").
    Returns the text written. The complete list of source ids is kept with
    the figure and written into the saved file's metadata.
    """
    text = source_line(*items)
    if note:
        text = note + "\n" + text
    fig.text(0.01, -0.01, text, ha="left", va="top", fontsize=SOURCE_FONT_SIZE, color="#444444")
    setattr(fig, _SOURCE_ATTR, text)
    setattr(fig, _IDS_ATTR, _ids_from(items))
    return text


# --- tables ----------------------------------------------------------------------


def table(frame, name: str):
    """A table for display: no index column, and the same HTML on every run.

    pandas gives each styled table a random id; a fixed id (``name``) keeps
    notebook outputs identical between runs, so nbval can compare them.
    Missing values show as empty cells, and numbers with at most two decimals.
    """
    return frame.style.hide(axis="index").set_uuid(name).format(na_rep="", precision=2)


# --- saving ------------------------------------------------------------------------

_NAME = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")


def save_figure(fig, name: str, *, formats: tuple[str, ...] = ("png", "svg"), folder: Path | None = None) -> list[Path]:
    """Save a figure deterministically under a descriptive name.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure that has been given its source line by :func:`add_source`.
    name : str
        Descriptive file stem in lower case, e.g. ``"sco_map_2005"``.
    formats : tuple of str
        File formats to write.
    folder : Path, optional
        Target folder; default :func:`helpers.paths.figures_dir`.

    Returns
    -------
    list of Path
        The files written. The same figure gives the same bytes every time:
        no timestamps, a fixed SVG hash salt, the source line in the file's
        metadata.

    Raises
    ------
    ValueError
        If the figure has no source line or the name is not descriptive.
    """
    import matplotlib as mpl

    if not _NAME.match(name):
        raise ValueError(f"figure name {name!r}: use lower-case words joined by '_' or '-'")
    source = getattr(fig, _SOURCE_ATTR, None)
    if not source:
        raise ValueError(f"figure {name!r} has no source line: call style.add_source(fig, rows) first")
    out = Path(folder or paths.figures_dir())
    out.mkdir(parents=True, exist_ok=True)
    written = []
    flat = " ".join(source.split())
    ids = getattr(fig, _IDS_ATTR, None)
    if ids:
        flat += " Source ids: " + ", ".join(ids) + "."
    for fmt in formats:
        if fmt == "png":
            meta = {"Software": None, "Title": name, "Source": flat}
        elif fmt == "svg":
            meta = {"Date": None, "Creator": None, "Title": name, "Source": flat}
        else:
            meta = {}
        target = out / f"{name}.{fmt}"
        tmp = target.with_name(f".{target.name}.tmp")
        with mpl.rc_context({"svg.hashsalt": RC["svg.hashsalt"]}):
            fig.savefig(tmp, format=fmt, bbox_inches="tight", metadata=meta, dpi=RC["savefig.dpi"])
        tmp.replace(target)
        written.append(target)
    return written


# --- trips -------------------------------------------------------------------------

#: The two trips the trips chapter compares keep one colour each everywhere.
TRIP_COLORS: dict[str, str] = {
    "xi-2022-09": "#1F4E79",  # dark blue
    "xi-2024-07": "#B2182B",  # dark red
}
CONTEXT_TRIP_COLOR = "#8C8C8C"
#: Countries a trip visited, on route maps.
VISITED_COLOR = "#F3E3C3"


def trip_color(trip_id: str) -> str:
    """House colour of a trip (grey for trips other than the two compared)."""
    return TRIP_COLORS.get(trip_id, CONTEXT_TRIP_COLOR)
