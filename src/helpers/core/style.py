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
from collections.abc import Iterable
from pathlib import Path

from . import background, paths
from .vocab import kind_words

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
#: Which side publishes a figure (chapter 3's coverage grid): plum for both sides, lavender for
#: China's side only, peach for the partner's only, near-white for neither. Not blue: blue is an
#: SCO status (and Russia); tests/test_palette.py keeps these apart from every other meaning.
COVERAGE_COLORS: dict[str, str] = {
    "both": "#553355",
    "china": "#AA99EE",
    "partner": "#FFAA88",
    "": "#F7F7F7",
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


def _drawable(text) -> bool:
    """True if the house font (DejaVu Sans) can draw the text: no CJK or other wide scripts."""
    return isinstance(text, str) and bool(text) and all(ord(ch) < 0x2E80 for ch in text)


def source_label(row) -> str:
    """Short label for one source: the author (or publisher), then the year.

    A name the house font cannot draw (Chinese characters) would print as
    empty boxes under a figure; the publisher, or else the source id, is used
    instead (the sources table keeps the name as written).
    """
    who = row["author"] if isinstance(row["author"], str) and row["author"] else row["publisher"]
    if not _drawable(who):
        who = row["publisher"] if _drawable(row["publisher"]) else str(row.name)
    year = str(row["date"])[:4] if isinstance(row["date"], str) and row["date"] else "n.d."
    return f"{who} ({year})"


def source_line(*items, width: int = 150, max_full: int = 6, max_listed: int = 12, credit: bool = True) -> str:
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
        their number and where to find them (the chapter's table of sources,
        and the figure's CSV written by :func:`save_figure`, which has a
        ``source_id`` on every row), so that a map drawn from fifty rows
        keeps a readable caption.
    credit : bool
        End with the project's name and licence
        (:data:`helpers.figmeta.CREDIT`), so a figure reused elsewhere still
        says whose it is.

    Returns
    -------
    str
        ``"Source: Author (2021) [id1]; Publisher (2024) [id2]. Chart: SCO &
        Central Asia notebooks, CC BY 4.0."``, the sources in the order their
        ids first appear, each once; the ids resolve in ``data/sources.csv``.

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
        mix = ", ".join(f"{n} {kind_words(k)}" for k, n in kinds.items())
        text = (
            f"Source: {len(ids)} documents in data/sources.csv ({mix}), cited row by row in the data; "
            "listed in the chapter's table of sources and in this figure's CSV."
        )
    if credit:
        from .figmeta import CREDIT

        text += f" Chart: {CREDIT}."
    return "\n".join(textwrap.wrap(text, width=width, break_on_hyphens=False, break_long_words=False))


def add_source(fig, *items, note: str | None = None) -> str:
    """Write the source line under a figure and remember it for :func:`save_figure`.

    ``note`` adds a line before the sources (e.g. "Status on 31 December 2005.").
    Returns the text written. The complete list of source ids is kept with
    the figure and written into the saved file's metadata; the rows passed
    (data frames: pass exactly the rows drawn) are kept too, and
    :func:`save_figure` writes them to ``<name>.csv`` beside the image
    (:mod:`helpers.figmeta`).
    """
    from . import figmeta

    text = source_line(*items, width=source_width(fig))
    if note:
        wrap = source_width(fig)
        lines = [textwrap.fill(line, width=wrap, break_on_hyphens=False) for line in note.splitlines()]
        text = "\n".join(lines) + "\n" + text
    fig.text(0.01, _below_everything(fig), text, ha="left", va="top", fontsize=SOURCE_FONT_SIZE, color="#444444")
    setattr(fig, _SOURCE_ATTR, text)
    setattr(fig, _IDS_ATTR, _ids_from(items))
    figmeta.remember(fig, items)
    return text


#: Width of one character of the source line (DejaVu Sans at SOURCE_FONT_SIZE), in inches.
_SOURCE_CHAR_INCHES = 0.075


def source_width(fig, most: int = 150) -> int:
    """Characters per line of a figure's source line: as wide as the figure, at most ``most``.

    A line wider than its figure widens the saved image (``bbox_inches="tight"``)
    and leaves an empty band beside the chart (chapter 1's map).
    """
    try:
        inches = float(fig.get_figwidth())
    except (AttributeError, TypeError, ValueError):
        return most
    return max(60, min(most, int(inches * 0.98 / _SOURCE_CHAR_INCHES)))


def _below_everything(fig, gap_px: float = 6.0) -> float:
    """A y position (figure fraction) just below the lowest axis text, legend or figure text.

    On a short figure the x-axis label can reach below the figure's bottom
    edge; a source line at a fixed position would then print over it. On a
    figure whose lowest text sits well above its bottom edge (the subplot
    margin left empty), the line goes just under that text rather than under
    the edge, so the saved image has no empty band above its source line
    (chapter 1's share-of-the-world chart). Only axes frames, the axes'
    tick labels and labels, texts written on axes, legends and figure
    texts are measured, not every artist: a map's thousands of patches need
    no layout.
    """
    try:
        renderer = fig.canvas.get_renderer()
        lows = []
        for ax in fig.axes:
            if not ax.get_visible():
                continue
            lows.append(ax.get_window_extent(renderer).y0)
            if ax.axison:  # tick labels and axis labels: y tick labels can hang below the frame too
                for axis in (ax.xaxis, ax.yaxis):
                    bb = axis.get_tightbbox(renderer) if axis.get_visible() else None
                    if bb is not None:
                        lows.append(bb.y0)
            for text in ax.texts:
                if text.get_visible() and text.get_text().strip():
                    lows.append(text.get_window_extent(renderer).y0)
            leg = ax.get_legend()
            if leg is not None and leg.get_visible():
                lows.append(leg.get_window_extent(renderer).y0)
        for art in list(fig.legends) + list(fig.texts):
            if art.get_visible():
                lows.append(art.get_window_extent(renderer).y0)
    except (AttributeError, RuntimeError, ValueError):
        return -0.01
    if not lows:
        return -0.01
    return (min(lows) - gap_px) / fig.bbox.height


# --- tables ----------------------------------------------------------------------

#: Column names and codes as a reader should see them. Column headers not
#: listed here are humanised by rule (``partner_iso3`` -> "Partner",
#: ``share_percent`` -> "Share (%)", ``value_usd_m`` -> "Value (USD million)");
#: cell values are replaced only when they match a key exactly (and never in
#: id columns). Callers add or override entries with ``table(..., labels=)``.
LABELS: dict[object, str] = {
    **STATUS_LABELS,
    True: "yes",
    False: "no",
    "cagr_percent": "Compound annual rate (%)",
    "source_id": "Source",
    "row_id": "Row id",
    "iso3": "Country code",
    "url": "URL",
    "usd_m": "USD million",
    "gap_pct": "Gap (%)",
    "shanghai_five": "Shanghai Five",
    "sco": "SCO",
}

#: Tables with more rows than this show only their first rows on the site, with
#: a "show all N rows" button (``data-sco-rows`` on the table; helpers.render).
LONG_TABLE_ROWS = 25

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_CODE = re.compile(r"^[a-z]+(?:_[a-z]+)+$")
#: Name endings that say a column's unit: the unit goes into brackets.
_UNIT_SUFFIXES = (
    ("_usd_m", "USD million"),
    ("_usd_bn", "USD billion"),
    ("_percent", "%"),
    ("_pct", "%"),
    ("_km", "km"),
    ("_bcm", "bcm"),
    ("_mt", "Mt"),
)
_ID_COLUMN = re.compile(r"(^|_)(id|ids|iso3|code|url|seed|file)$|source")
_YEAR_NAME = re.compile(r"(^|_)(year|years|yr)($|_)|^(from|to|first|last|deadline|since|until)$|_in$")
_MONEY_OR_COUNT = re.compile(r"usd|value|total|rows|count|quantity|amount|^n$|statements|claims")


def date_label(value, precision: str | None = None) -> str:
    """A date at the precision stored: ``"2016"``, ``"January 2016"``, ``"15 September 2022"``.

    ``value`` is a string ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (or a date or
    timestamp); ``precision`` (``"year"``, ``"month"``, ``"day"``) cuts a full
    date down to what is known (the tables store ``2016-01-01`` with
    ``date_precision`` = ``year``). Without it the precision is the string's
    own. Anything else is returned as text, unchanged; a missing value is "".
    """
    if value is None or (not isinstance(value, str) and _is_na(value)):
        return ""
    if hasattr(value, "isoformat"):
        value = value.isoformat()[:10]
    text = str(value).strip()
    m = _DATE.match(text)
    if not m:
        return text
    year, month, day = m.group(1), m.group(2), m.group(3)
    known = {"year": 1, "month": 2, "day": 3}.get(
        str(precision).lower() if precision else "", 3 if day else 2 if month else 1
    )
    if known >= 2 and month and not 1 <= int(month) <= 12:
        return text
    if known == 1 or not month:
        return year
    if known == 2 or not day:
        return f"{_MONTHS[int(month) - 1]} {year}"
    return f"{int(day)} {_MONTHS[int(month) - 1]} {year}"


def _is_na(value) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


#: Words a code spells in lower case that a reader expects capitalised.
_PROPER_WORDS = {
    "sco": "SCO",
    "usd": "USD",
    "gdp": "GDP",
    "imf": "IMF",
    "wdi": "WDI",
    "un": "UN",
    "eu": "EU",
    "china": "China",
    "chinese": "Chinese",
    "russia": "Russia",
    "russian": "Russian",
    "asia": "Asia",
    "asian": "Asian",
    "xi": "Xi",
}


def _words(code: str) -> str:
    """``sco_history`` -> "SCO history", ``central_asia_total`` -> "Central Asia total"."""
    words = [_PROPER_WORDS.get(w, w) for w in code.split("_") if w]
    for i in range(len(words) - 1):
        if words[i] == "central" and words[i + 1] in ("Asia", "Asian"):
            words[i] = "Central"
    return " ".join(words)


def column_label(name, labels: dict | None = None, units: dict | None = None) -> str:
    """The header a reader sees for a column (see :data:`LABELS`)."""
    table_labels = {**LABELS, **(labels or {})}
    unit = (units or {}).get(name)
    if isinstance(name, bool) or not isinstance(name, str):
        text = table_labels.get(name, str(name)) if isinstance(name, bool) else str(name)
    elif name in table_labels:
        text = table_labels[name]
    elif _SNAKE.match(name):
        base, bracket = name, None
        for suffix, word in _UNIT_SUFFIXES:
            if base.endswith(suffix) and base != suffix:
                base, bracket = base[: -len(suffix)], word
                break
        if base.endswith("_iso3"):
            base = base[: -len("_iso3")]
        words = _words(base)
        text = words[:1].upper() + words[1:]
        if bracket and not unit:
            text += f" ({bracket})"
    else:
        text = name[:1].upper() + name[1:] if name[:1].islower() else name
    if unit:  # the unit given replaces a unit the label states
        return f"{re.sub(r' [(][^()]*[)]$', '', text)} ({unit})"
    return text


def _decimals_for(values) -> int:
    """Decimals that show a column's non-whole numbers sensibly: 2, or up to 6 for small fractions."""
    import math

    for d in range(3):
        if all(abs(round(v, d) - v) < 1e-9 * max(1.0, abs(v)) for v in values):
            return d
    if not all(abs(v) < 1 for v in values):
        return 2
    smallest = min((abs(v) for v in values if v), default=1.0)  # two significant digits for the smallest
    return min(6, max(3, 1 - math.floor(math.log10(smallest))))


def _numbers(series) -> list[float]:
    out = []
    for v in series:
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, (int, float)) or type(v).__module__ == "numpy":
            try:
                f = float(v)
            except (TypeError, ValueError):
                continue
            if f == f and abs(f) != float("inf"):
                out.append(f)
    return out


def _cell_formatter(name, series, labels: dict, precision):
    """A function that turns one cell of this column into escaped display text."""
    import html as _html

    nums = _numbers(series)
    whole = all(float(v).is_integer() and abs(v) < 1e15 for v in nums)
    decimals = 0 if whole else _decimals_for([v for v in nums])
    lname = str(name).lower()
    yearish = (
        bool(nums)
        and whole
        and (
            bool(_YEAR_NAME.search(lname))
            or (all(1800 <= v <= 2100 for v in nums) and not _MONEY_OR_COUNT.search(lname))
        )
    )
    codes_ok = not _ID_COLUMN.search(lname)
    category = codes_ok and _is_code_column(lname, series)
    precisions = list(precision) if precision is not None and not isinstance(precision, str) else None

    def fmt(value, row=None):
        if isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
            return ", ".join(fmt(v) for v in items)
        if value is None or _is_na(value):
            return ""
        if isinstance(value, bool) or type(value).__name__ == "bool_":
            return _html.escape(labels.get(bool(value), "yes" if value else "no"))
        if precision is not None:
            p = precisions[row] if precisions is not None and row is not None else precision
            return _html.escape(date_label(value, p if isinstance(p, str) else None))
        if isinstance(value, str):
            if category and (value in labels or _LOWER_START.match(value)):
                # a column of categories: each as a label, "Bilateral meeting", "China", "Operating"
                text = labels[value] if value in labels else _words(value) if _WORD_CODE.match(value) else value
                return _html.escape(_capitalised(text))
            if codes_ok and value in labels:
                return _html.escape(labels[value])
            if codes_ok and _CODE.match(value):  # a code in running text: its words, as in a sentence
                return _html.escape(_words(value))
            return _html.escape(value)
        if hasattr(value, "isoformat"):
            return _html.escape(date_label(value, "day"))
        if nums and not isinstance(value, str):
            try:
                f = float(value)
            except (TypeError, ValueError):
                return _html.escape(str(value))
            if yearish:
                return f"{f:.0f}"
            return f"{f:,.{decimals}f}"
        return _html.escape(str(value))

    return fmt, bool(nums) and all(not isinstance(v, str) for v in series.dropna())


#: One code word or several joined by "_": ``talks``, ``china``, ``not_checkable``.
_WORD_CODE = re.compile(r"^[a-z]+(?:_[a-z]+)*$")
#: Columns whose short lower-case values are units, names or free text, never categories.
_NOT_CATEGORY = re.compile(
    r"(^|[_ ])(unit|units|text|note|notes|title|question|definition|example|claim|author|publisher|name|speaker"
    r"|outlet|city|with|url)$"
)
#: A value that starts with a word in lower-case letters (no digits: ``pf093 (...)`` is an id).
_LOWER_START = re.compile(r"^[a-z]+(?:[ _:,]|$)")


def _is_code_column(lname: str, series) -> bool:
    """True for a column of categories written as codes (``talks``, ``china``, ``bilateral meeting``).

    A column is one when it is not an id, unit or free-text column, at least
    one value is a bare code (lower-case words joined by ``_``, or one word),
    and at least half its distinct values are short (at most five words).
    Its values that start with a lower-case word (codes, their labels, and
    phrases such as "leaves Beijing") are then shown capitalised, as labels;
    chapter 2's day plans and outcomes showed ``arrives``, ``china``,
    ``energy`` beside ``Partner`` and ``SCO``. Ids (``pf093 (...)``),
    numbers and times are left as they are.
    """
    if _NOT_CATEGORY.search(lname):
        return False
    texts = sorted({v for v in series if isinstance(v, str) and v})
    if not texts or not any(_WORD_CODE.match(v) for v in texts):
        return False
    short = [v for v in texts if len(v.split()) <= 5 and len(v) <= 48]
    return 2 * len(short) >= len(texts)


def _capitalised(text: str) -> str:
    """First letter upper case, the rest as written: "leaves Beijing" -> "Leaves Beijing"."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text


#: A column whose cells average more characters than this is prose (titles, notes, claims): on the
#: site its cells keep a readable width (``td.sco-long``) instead of a word or two a line.
LONG_TEXT_CHARS = 40


def _long_text(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and sum(len(c) for c in filled) / len(filled) > LONG_TEXT_CHARS


def _short_text(cells: list[str]) -> str:
    """``"sco-short"`` for a column of short text (figures as printed, codes): kept on one line, no minimum width."""
    return "sco-short" if cells and all(len(c) <= 8 and " " not in c for c in cells) else ""


def _is_date_text(name, series) -> bool:
    """True for a column (not an id) whose every value is text ``YYYY-MM`` or ``YYYY-MM-DD`` (or empty), one at least."""
    if _ID_COLUMN.search(str(name).lower()):
        return False
    texts = [v for v in series if not (v is None or (not isinstance(v, str) and _is_na(v)))]
    if not texts or not all(isinstance(v, str) for v in texts):
        return False
    filled = [v for v in texts if v]
    return bool(filled) and all(_DATE.match(v) for v in filled) and any("-" in v for v in filled)


def _meaningful_index(frame) -> bool:
    """True for an index worth showing: named, or not plain row numbers."""
    import pandas as pd

    idx = frame.index
    if isinstance(idx, pd.MultiIndex):
        return True
    if any(n is not None for n in idx.names):
        return True
    return not pd.api.types.is_integer_dtype(idx.dtype)


def _date_precisions(frame, dates) -> dict:
    """{column: precision (str) or per-row precisions} for the date columns of a table."""
    out: dict = {}
    for col in frame.columns:  # a stored precision beside a date column: date + date_precision
        if not isinstance(col, str):
            continue
        for companion in (f"{col}_precision", re.sub(r"_date$", "_precision", col) if col.endswith("_date") else None):
            if companion and companion != col and companion in frame.columns:
                out[col] = list(frame[companion])
                break
    if dates is None:
        return out
    if isinstance(dates, dict):
        for col, how in dates.items():
            if isinstance(how, str) and how in frame.columns:
                out[col] = list(frame[how])
            elif isinstance(how, str) or how is None:
                out[col] = how or ""
            else:
                out[col] = list(how)
    else:
        for col in dates:
            out[col] = ""
    return out


def table(
    frame,
    name: str,
    *,
    index: bool | None = None,
    labels: dict | None = None,
    units: dict | None = None,
    max_rows: int | None = None,
    dates=None,
    caption: str | None = None,
):
    """A table for display, readable and the same HTML on every run.

    Parameters
    ----------
    frame : DataFrame
        The rows to show (never truncated: every row and every character).
    name : str
        A fixed id for the table: pandas gives each styled table a random id;
        a fixed one keeps notebook outputs identical between runs (nbval).
    index : bool, optional
        Show the index as the first column(s), headed by its name. By default
        an index is shown when it means something: named, a MultiIndex, or
        labels other than row numbers (an unnamed integer index, what
        filtering leaves, is hidden).
    labels : dict, optional
        Headers and codes to show in words, added to :data:`LABELS`.
    units : dict, optional
        ``{column: unit}``: the unit in brackets after the header.
    max_rows : int, optional
        On the site, a table with more rows than this (default
        :data:`LONG_TABLE_ROWS`) shows its first ``max_rows`` rows and a
        "show all N rows" button; in the notebook every row shows. ``0``
        turns the expander off.
    dates : list or dict, optional
        Date columns to show at the precision stored (:func:`date_label`):
        a list of columns (precision read from the text: ``2016`` or
        ``2016-01``), or ``{column: "year" | "month" | "day" | precision column
        | per-row precisions}``. A column ``X`` beside ``X_precision`` (or
        ``start_date`` beside ``start_precision``) is done without asking, and
        so is a column of text dates with a month (``2010-10``,
        ``2009-12-14``: chapter 4's construction and operation dates), read at
        the precision written. ``False`` leaves every value as it is.
    caption : str, optional
        A caption above the table.

    Numbers are formatted by kind: integers, and decimal columns whose values
    are all whole, with thousands separators and no decimals (``106,400``);
    other numbers with the fewest decimals that show them (at most 2; a
    column of fractions below 1 keeps two significant digits); years (columns named for years, or whole numbers all between
    1800 and 2100 in a column not named for money or counts) without a
    separator. Booleans read yes/no, missing values are empty cells, and
    cells of numbers carry the class ``sco-num`` (right-aligned on the site).

    Text is escaped (cells, index labels and column headers): the tables show
    text contributors paste from third-party sources, and pandas' Styler does
    not escape by default, so a ``<script>`` in a statement would run in
    every page that shows it.
    """
    import html as _html

    import pandas as pd

    show_index = _meaningful_index(frame) if index is None else bool(index)
    if show_index:
        if frame.index.nlevels == 1 and frame.index.name is None:
            frame = frame.rename_axis("")
        frame = frame.reset_index(allow_duplicates=True)
    merged = {**LABELS, **(labels or {})}
    precisions = _date_precisions(frame, None if dates is False else dates)
    for col in frame.columns:  # a column of dates written as text ("2010-10", "2009-12-14"): in words
        if dates is not False and col not in precisions and _is_date_text(col, frame[col]):
            precisions[col] = ""
    texts, classes = {}, {}
    for pos, col in enumerate(frame.columns):
        series = frame.iloc[:, pos]
        how = precisions.get(col)
        fmt, numeric = _cell_formatter(col, series, merged, how)
        texts[pos] = [fmt(v, i) for i, v in enumerate(series)]
        if numeric:
            kind = "sco-num"
        elif _ID_COLUMN.search(str(col).lower()):
            kind = "sco-id"  # ids and URLs: may break anywhere (words elsewhere break only between them)
        else:
            kind = "sco-long" if _long_text(texts[pos]) else _short_text(texts[pos])
        classes[pos] = [kind] * len(series)
    shown_frame = pd.DataFrame(texts, index=pd.RangeIndex(len(frame)))
    shown_frame.columns = frame.columns
    # the cells are display text, escaped above; headers and index labels are escaped here
    shown = (
        _Table(shown_frame)
        .hide(axis="index")
        .set_uuid(name)
        .format_index(lambda v: _html.escape(column_label(v, labels, units)), axis=1)
        .format_index(escape="html", axis=0)
    )
    if frame.columns.is_unique:
        css = pd.DataFrame(classes, index=shown_frame.index)
        css.columns = frame.columns
        shown = shown.set_td_classes(css)
    limit = LONG_TABLE_ROWS if max_rows is None else max_rows
    if limit and len(frame) > limit:
        shown = shown.set_table_attributes(f'data-sco-rows="{int(limit)}"')
    shown._sco_caption = " ".join(str(caption or table_caption(name)).split())
    shown = shown.set_caption(_html.escape(shown._sco_caption))
    return shown


#: Captions of the chapters' tables whose call gives none (``table(..., caption=)`` wins), by
#: ``"<chapter>:<name>"`` or by name alone; any other table is captioned with its name in words.
TABLE_CAPTIONS: dict[str, str] = {
    # chapter 1
    "01_sco_history:milestones": "Milestones other than summits: agreements, founding, Charter, enlargements",
    "01_sco_history:summits": "Every summit of the Shanghai Five and the SCO, numbered from the first",
    "01_sco_history:disagreements": "Where the sources date an event differently",
    "01_sco_history:counts_by_year": "Countries by SCO status at the end of selected years",
    "01_sco_history:status": "Each country's status, since when, and the source that says so",
    "01_sco_history:ring_2009": "Observers and dialogue partners at the end of 2009, the years Gao Fei's paper reviews",
    "01_sco_history:since_2009": "Statuses granted after 2009, and the summit that decided each",
    "01_sco_history:world_share": "The SCO's share of world population and GDP, year by year",
    # chapter 2
    "02_xi_trips:comparison": "The two trips side by side",
    "02_xi_trips:days_2022": "September 2022, day by day",
    "02_xi_trips:days_2024": "July 2024, day by day",
    "02_xi_trips:outcomes": "Documents, pledges and initiatives of each trip",
    "02_xi_trips:document_counts": "Documents signed, as each announcement counted them",
    "02_xi_trips:outcomes_by_category": "Outcomes by category and trip",
    "02_xi_trips:trips": "Xi Jinping's visits to Central Asia and the China–Central Asia summits",
    "02_xi_trips:disagreements": "Where the sources give a different figure",
    # chapter 3
    "03_trade:coverage": "Years with a figure from both sides, one side or neither, by partner",
    "03_trade:regional": "Published totals of China's trade with Central Asia beside the sum of the five",
    "03_trade:growth": "Growth from the first to the last year with a figure, by partner",
    "03_trade:mirror_summary": "China-reported ÷ partner-reported figures, by partner",
    "03_trade:artefacts": "IMF fill-in rows: database artefacts, not partner statistics",
    "03_trade:mirror": "Every partner-year with both figures: China's figure against the partner's",
    "03_trade:disagreements": "Where two series of the same figure disagree",
    "03_trade:latest": "The latest year with a China-reported total, by partner",
    "03_trade:targets": "Trade targets announced, and what the data show",
    "03_trade:table1": "Gao Fei's Table 1, row by row, against independent figures",
    "03_trade:table1_printed": "Gao Fei's Table 1 as printed (hundred million dollars)",
    "03_trade:table1_corrected": "Gao Fei's Table 1 as corrected (hundred million dollars)",
    "03_trade:traps": "Rows set aside, by kind of trap",
    "03_trade:excluded": "Rows excluded as doubtful, with the reason",
    # chapter 4
    "04_energy_pipelines:status": "Each line's status, and the fact that decides it",
    "04_energy_pipelines:summary": "Each line: route, dates, length and capacity",
    "04_energy_pipelines:disagreements": "Where the sources give a line's facts differently",
    "04_energy_pipelines:capacity": "Import capacity by system: the range the sources give",
    "04_energy_pipelines:rates": "Implied rates of flow between two cumulative totals",
    "04_energy_pipelines:oil_claim": "The oil pipeline claim, step by step",
    "04_energy_pipelines:claims": "The starting documents' claims about the pipelines, checked",
    "04_energy_pipelines:conversions": "Conversions between units, as the chapter uses them",
    "04_energy_pipelines:factors": "Conversion factors and their sources",
    # chapter 5
    "05_analyst_views:codebook": "The topics coded, and what each end of the scale means",
    "05_analyst_views:levels": "The levels of each topic's scale",
    "05_analyst_views:composition": "Statements by region of the speaker and route to the reader",
    "05_analyst_views:by_voice": "Stances by kind of voice and topic (counts)",
    "05_analyst_views:trip_readings": "Readings of the 2022 and 2024 trips, by topic",
    "05_analyst_views:voices_by_trip": "Who spoke about each trip, and about what",
    "05_analyst_views:variants": "Statements the sources give differently",
    "05_analyst_views:who_says_what": "Every statement coded: who, where, about what, and the stance",
    "05_analyst_views:methods": "Agreement measures used",
    "05_analyst_views:kappa_by_topic": "Agreement between the two coders, by topic",
    "05_analyst_views:crosstab": "Project coding against the second coder's",
    "05_analyst_views:disagreements": "Statements the two coders coded differently",
    "05_analyst_views:exercise": "Two statements to code yourself",
    "05_analyst_views:region_matrix": "Median stance by region of the speaker and topic (number of statements)",
    # chapter 6
    "06_claims_vs_data:rules": "What the data must show for each verdict",
    "06_claims_vs_data:verdicts_by_document": "Verdicts by starting document",
    "06_claims_vs_data:verdicts_by_topic": "Verdicts by topic of the claim",
    "06_claims_vs_data:flagged": "Claims that do not fit the data, or fit only another reading",
    "06_claims_vs_data:table1_grid": "Gao Fei's Table 1: where decimal points were lost",
    "06_claims_vs_data:sensitivity": "Verdicts at other tolerances",
    "06_claims_vs_data:moved": "Claims whose verdict changes with the tolerance",
    "06_claims_vs_data:not_checkable": "Claims the repository cannot check, and the data they would need",
    # every chapter
    "sources": "Sources cited in this run",
}


def table_caption(name: str) -> str:
    """The caption of table ``name`` when its call gives none (:data:`TABLE_CAPTIONS`, else its name in words)."""
    run = paths.current_run()
    chapter = run["notebook"] if run else ""
    text = TABLE_CAPTIONS.get(f"{chapter}:{name}") or TABLE_CAPTIONS.get(name)
    if text:
        return text
    m = re.match(r"^checks_(\w+)$", name)
    if chapter.startswith("06_") and m:
        return "Every check of one starting document, with its working"
    # The teachers' solutions name their working tables after the exercise
    # ("ex1_documents": "Exercise 1: documents") or only number them ("ex4_9",
    # "ex_<hash>_1"): a number alone is captioned by its table number only.
    m = re.match(r"^ex(\d*)_(.+)$", name)
    if m:
        rest = m.group(2)
        if re.fullmatch(r"\d+|[0-9a-f]{8}_\d+", rest):
            return ""
        words = _words(rest.replace("-", "_"))
        return f"Exercise {m.group(1)}: {words}" if m.group(1) else _capitalised(words)
    return _capitalised(_words(name.replace("-", "_")))


def _styler_class():
    from pandas.io.formats.style import Styler

    class Table(Styler):
        """A styled table whose plain-text form is the same on every run.

        pandas' Styler shows as ``<Styler at 0x7f...>`` in a notebook's
        text/plain output: a memory address that changes each run, so a
        re-executed notebook differed from the committed one in every table.
        """

        def __repr__(self) -> str:
            rows, cols = self.data.shape
            text = self._sco_text()
            return f"{self._sco_number()} ('{self.uuid}'){': ' + text if text else ''}. {rows} rows x {cols} columns"

        def _sco_number(self) -> str:
            from . import figmeta

            return figmeta.table_number(self.uuid)

        def _sco_text(self) -> str:
            return getattr(self, "_sco_caption", "") or table_caption(self.uuid)

        def _repr_html_(self) -> str:
            """The table as displayed: numbered in display order ("Table 3.2"), with its caption."""
            import html as _html

            label = self._sco_number()
            ident = "table-" + label.split(" ", 1)[1].replace(".", "-")
            text = self._sco_text()
            self.set_caption(
                f'<span class="sco-tabnum" id="{ident}">{_html.escape(label)}.</span>'
                + (f" {_html.escape(text)}" if text else "")
            )
            return super()._repr_html_()

    return Table


def _Table(frame):
    global _TABLE_CLASS
    if _TABLE_CLASS is None:
        _TABLE_CLASS = _styler_class()
    return _TABLE_CLASS(frame)


_TABLE_CLASS = None


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
        Target folder; default :func:`helpers.paths.figures_dir`: ``figures/``
        for a run at the chapter's default parameters, the run's own folder
        for any other (recorded by :func:`helpers.paths.set_run`; even an
        explicit ``figures/`` is replaced by it then).

    Returns
    -------
    list of Path
        The files written. The same figure gives the same bytes every time:
        no timestamps, a fixed SVG hash salt, the source line in the file's
        metadata. In a run started by the runner the SVG is drawn by a child
        process (:mod:`helpers.background`) and is complete when the runner
        has called ``background.finish()`` after the last cell.

    Raises
    ------
    ValueError
        If the figure has no source line or the name is not descriptive.
    """
    import io

    import matplotlib as mpl

    if not _NAME.match(name):
        raise ValueError(f"figure name {name!r}: use lower-case words joined by '_' or '-'")
    source = getattr(fig, _SOURCE_ATTR, None)
    if not source:
        raise ValueError(f"figure {name!r} has no source line: call style.add_source(fig, rows) first")
    out = paths.figures_dir(folder)  # a non-default run never gets figures/ (paths.set_run)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    png = None
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
        if fmt != "png" and background.enabled():  # drawn by a child while the notebook goes on
            background.save_later(
                fig,
                target,
                rc={"svg.hashsalt": RC["svg.hashsalt"]},
                format=fmt,
                bbox_inches="tight",
                metadata=meta,
                dpi=RC["savefig.dpi"],
            )
            written.append(target)
            continue
        tmp = target.with_name(f".{target.name}.tmp")
        with mpl.rc_context({"svg.hashsalt": RC["svg.hashsalt"]}):
            if fmt == "png":  # kept in memory too: the figure's inline image (figmeta.remember_png)
                buf = io.BytesIO()
                fig.savefig(buf, format=fmt, bbox_inches="tight", metadata=meta, dpi=RC["savefig.dpi"])
                png = buf.getvalue()
                tmp.write_bytes(png)
            else:
                fig.savefig(tmp, format=fmt, bbox_inches="tight", metadata=meta, dpi=RC["savefig.dpi"])
        tmp.replace(target)
        written.append(target)
    # The data behind the figure (issue 19): <name>.csv with the rows drawn, and the
    # figure's name for its display output (helpers.figmeta documents the contract).
    from . import figmeta

    written.append(figmeta.write_data(fig, out, name))
    if png is not None:  # issue 22: the kernel shows these bytes instead of drawing the figure a third time
        figmeta.remember_png(fig, png, RC["savefig.dpi"])
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


# --- axes for money, and a check that no text collides ------------------------------------

#: Axis label of a money axis whose values are in USD million (the ticks carry m / bn).
MONEY_LABEL = "current US dollars"


def _money_tick(v: float, billions: bool) -> str:
    if v == 0:
        return "0"
    sign = "−" if v < 0 else ""
    a = abs(v)
    if billions or a >= 1000:
        return f"{sign}{a / 1000:,.{_decimals(a / 1000)}f} bn"
    return f"{sign}{a:,.{_decimals(a)}f} m"


def _decimals(x: float) -> int:
    """Fewest decimals (up to 3) that show x exactly as a tick value."""
    for d in range(4):
        if abs(round(x, d) - x) < 1e-9 * max(1.0, abs(x)):
            return d
    return 3


def money_axis(ax, *, scale: str = "linear", axis: str = "y", label: str | None = None) -> str:
    """Format an axis whose values are USD million: one unit, stated scale, readable log ticks.

    * Ticks read ``500 m``, ``1.5 bn``, ``−5 bn``; on a linear axis whose range
      reaches a billion every tick is in billions (no ``20 bn`` beside
      ``-5,000 m``).
    * A log axis is kept only when the data span at least a tenfold range;
      otherwise the axis is linear (a log axis over a narrow range shows one
      labelled tick or none). Over less than two decades the minor ticks are
      labelled too.
    * ``symlog`` (for values of both signs) is honoured as given.
    * The label states the unit and the scale actually used, e.g.
      ``current US dollars (log scale)``.

    Call it after the data are drawn. Returns the scale used.
    """
    import numpy as np
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis_obj = ax.yaxis if axis == "y" else ax.xaxis
    lim = ax.dataLim
    lo, hi = (lim.y0, lim.y1) if axis == "y" else (lim.x0, lim.x1)
    used = scale
    if scale == "log":
        if not (np.isfinite(lo) and np.isfinite(hi)) or lo <= 0 or hi / lo < 10:
            used = "linear"
    (ax.set_yscale if axis == "y" else ax.set_xscale)(used)
    if used == "linear" and axis == "y" and np.isfinite(lo) and lo >= 0:
        ax.set_ylim(bottom=0)
    if used == "log":
        decades = np.log10(hi / lo) if lo > 0 else 99
        axis_obj.set_major_locator(LogLocator(base=10))
        if decades < 2:
            axis_obj.set_minor_locator(LogLocator(base=10, subs=(2, 5)))
            axis_obj.set_minor_formatter(FuncFormatter(lambda v, _: _money_tick(v, False)))
        else:
            axis_obj.set_minor_formatter(NullFormatter())
        axis_obj.set_major_formatter(FuncFormatter(lambda v, _: _money_tick(v, False)))
    else:
        span_hi = max(abs(lo), abs(hi)) if np.isfinite(lo) and np.isfinite(hi) else 0
        billions = span_hi >= 1000
        axis_obj.set_major_formatter(FuncFormatter(lambda v, _: _money_tick(v, billions)))
    scale_word = {"log": "log scale", "symlog": "log scale either side of zero", "linear": ""}[used]
    text = label or MONEY_LABEL
    if scale_word:
        text = f"{text} ({scale_word})"
    (ax.set_ylabel if axis == "y" else ax.set_xlabel)(text)
    return used


def _undrawn_tick_labels(fig) -> set[int]:
    """Tick labels matplotlib keeps but does not draw: beyond the axis limits, or on a hidden axis."""
    skip: set[int] = set()
    for ax in fig.axes:
        for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            pairs = [
                (axis.get_majorticklocs(), axis.get_majorticklabels()),
                (axis.get_minorticklocs(), axis.get_minorticklabels()),
            ]
            if not ax.axison or not axis.get_visible():  # an axis turned off draws neither ticks nor label
                skip.update(id(lab) for _, labels in pairs for lab in labels)
                skip.add(id(axis.label))
                continue
            lo, hi = sorted(lim)
            eps = (hi - lo) * 1e-9
            for locs, labels in pairs:
                for loc, lab in zip(locs, labels):
                    if not lo - eps <= loc <= hi + eps:
                        skip.add(id(lab))
    return skip


def layout_problems(fig, *, tolerance: float = 1.0) -> list[str]:
    """Texts that collide in a drawn figure, and legends that sit on the data.

    Draws the figure and returns one line per problem (empty when the figure
    is clean): two visible texts whose boxes overlap by more than
    ``tolerance`` pixels each way (tick labels over tick labels, a label over
    the source line, map labels over each other), and a legend inside an axes
    that covers plotted points. Used by the tests on every chapter's figures
    at several parameter sets.
    """
    import numpy as np
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    undrawn = _undrawn_tick_labels(fig)
    texts = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or id(t) in undrawn:
            continue
        if t.axes is not None and t.get_clip_on() and t in t.axes.texts:
            pass
        try:
            bb = t.get_window_extent(renderer)
        except (RuntimeError, ValueError):
            continue
        if bb.width <= 0 or bb.height <= 0:
            continue
        texts.append((t, bb))
    problems = []
    for i in range(len(texts)):
        ti, bi = texts[i]
        for j in range(i + 1, len(texts)):
            tj, bj = texts[j]
            w = min(bi.x1, bj.x1) - max(bi.x0, bj.x0)
            h = min(bi.y1, bj.y1) - max(bi.y0, bj.y0)
            if w > tolerance and h > tolerance:
                problems.append(f"text {ti.get_text()[:40]!r} overlaps {tj.get_text()[:40]!r}")
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is None or not leg.get_visible():
            continue
        lb = leg.get_window_extent(renderer)
        axb = ax.get_window_extent(renderer)
        if lb.x0 >= axb.x1 or lb.x1 <= axb.x0 or lb.y0 >= axb.y1 or lb.y1 <= axb.y0:
            continue  # legend outside the plotting area
        pts = []
        for line in ax.get_lines():
            xy = np.asarray(line.get_xydata(), dtype=float)
            if len(xy):
                pts.append(ax.transData.transform(xy))
        for coll in ax.collections:
            offs = np.asarray(coll.get_offsets(), dtype=float)
            if offs.ndim == 2 and len(offs) and offs.shape[1] == 2:
                pts.append(ax.transData.transform(offs))
        if pts:
            allp = np.vstack(pts)
            allp = allp[np.isfinite(allp).all(axis=1)]
            inside = (allp[:, 0] > lb.x0) & (allp[:, 0] < lb.x1) & (allp[:, 1] > lb.y0) & (allp[:, 1] < lb.y1)
            if inside.any():
                problems.append(f"legend of axes {ax.get_title()[:40]!r} covers {int(inside.sum())} plotted point(s)")
    return problems


# --- one palette across chapters (issue 19 item 4) ------------------------------------------
#
# Countries own the hues of COUNTRY_COLORS. A region grouping takes its country's colour where
# it is one country (China, Russia) and otherwise a colour no country uses. Commodities (and the
# pipeline systems that carry them) use a second scheme: ochre shades for gas, greys for oil, so
# no hue means a country in one chapter and a pipeline in another. tests/test_palette.py checks it.

#: Colour of a region grouping (chapter 5's stances, ...): China and Russia as their countries.
REGION_COLORS: dict[str, str] = {
    "China": COUNTRY_COLORS["CHN"],
    "Russia": COUNTRY_COLORS["RUS"],
    "Central Asia": "#225555",  # Paul Tol's dark cyan: no single Central Asian state's colour
    "West": "#EE3377",  # Paul Tol's vibrant magenta
    "Unclassified": "#BBBBBB",  # Paul Tol's grey
}

#: Colour of a commodity: ochre for gas, near-black for oil (no country or region uses either).
COMMODITY_COLORS: dict[str, str] = {"gas": "#997700", "oil": "#222222"}
#: How a commodity is drawn and named in legends (maps use line style for a line's status).
COMMODITY_STYLES: dict[str, dict] = {
    "gas": dict(color=COMMODITY_COLORS["gas"], label="gas"),
    "oil": dict(color=COMMODITY_COLORS["oil"], label="oil"),
}
#: Shades for the systems that carry each commodity (bar and line charts), first = the commodity's colour.
SYSTEM_SHADES: dict[str, list[str]] = {
    "gas": ["#997700", "#DDAA33", "#5C4400", "#EEDD88"],
    "oil": ["#222222", "#5A5A5A", "#A89880"],
}


def commodity_color(commodity: str) -> str:
    """House colour of a commodity (``gas`` or ``oil``); grey for anything else."""
    return COMMODITY_COLORS.get(str(commodity).lower(), OTHER_COUNTRY_COLOR)


def system_colors(system_commodity: dict[str, str]) -> dict[str, str]:
    """One shade of its commodity's colour per system: ``{system: commodity}`` -> ``{system: colour}``.

    Systems are taken in sorted order within each commodity, so the same set gets the same colours.
    """
    out: dict[str, str] = {}
    for commodity in sorted(set(system_commodity.values())):
        shades = SYSTEM_SHADES.get(commodity, [OTHER_COUNTRY_COLOR])
        systems = sorted(s for s, c in system_commodity.items() if c == commodity)
        for i, system in enumerate(systems):
            out[system] = shades[i % len(shades)]
    return out
