"""The data, name and credit that travel with every figure.

A chart is reusable only with the rows behind it and a line saying whose it
is. This module keeps both with the figure and writes them out; nothing here
runs on import.

The contract, from drawing to the site
--------------------------------------

1. :func:`helpers.style.add_source` receives the rows drawn (data frames with
   a ``source_id`` column, after the chapter's filtering and conversion) and
   source ids given as strings (a base map, a document), and calls
   :func:`remember`: copies of the frames and the ids are kept on the figure.
2. :func:`helpers.style.save_figure` ends with :func:`write_data`, which
   writes ``<name>.csv`` beside ``<name>.png`` and ``<name>.svg``: exactly the
   rows passed to ``add_source``, one after the other, with the columns
   ``table`` (the data table a row comes from, ``df.attrs["table"]``, which
   :func:`helpers.data.load` sets), ``row_id`` (the row's ``row_id``, else the
   table's primary key, several fields joined by ``|``), ``source_id``, then
   every other column of the rows, and ``note``. An id given as a string
   and not already cited by a row gets a row of its own (``row_id`` empty,
   ``note`` saying the figure draws no table rows from it); a figure drawn
   without any rows (only source ids) therefore writes a CSV of its source
   ids. The same figure gives the same bytes every time.
3. ``write_data`` also names the figure for display: the figure's next
   display in a notebook (``plt.show()`` after ``save_figure``, as every
   chapter does) carries output metadata ``{"sco_figure": {"name", "title",
   "chapter", "source"}}`` - through an IPython ``_repr_mimebundle_`` on
   the figure that adds metadata and no data, so the PNG and text outputs,
   which nbval compares, are unchanged. Outside IPython nothing happens.
4. :func:`helpers.render.describe_figures` reads that metadata: each figure
   is numbered per chapter ("Figure 3.6"), captioned with its title (or the
   section it is in), given alt text (title and source line) and, where the
   files are found, links to its PNG, SVG and CSV and a "cite this figure"
   line. An image without the metadata (a notebook executed before this
   contract) is matched to the literal names of the ``save_figure`` calls in
   its cell, by order, when the counts agree; otherwise it is numbered and
   captioned without links.

The figure's own source line ends with :data:`CREDIT` (project name and
licence), see :func:`helpers.style.source_line`.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

#: The project's name as it appears on every figure and page.
PROJECT = "SCO & Central Asia notebooks"
#: Licence of the figures and of the project's compilation of the data (LICENSE-DATA.md).
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
#: What a figure's source line ends with.
CREDIT = f"{PROJECT}, {LICENCE}"

#: Output metadata key of a displayed figure (see the module's docstring).
META_KEY = "sco_figure"

_FRAMES_ATTR = "_sco_frames"
_IDS_ATTR = "_sco_cited_ids"
NO_ROWS_NOTE = "the figure draws no table rows from this source; it is cited for the figure as a whole"


def remember(fig, items) -> None:
    """Keep the rows drawn (copies of the frames) and the string source ids on ``fig``."""
    frames, ids = [], []
    for item in items:
        if isinstance(item, str):
            ids.append(item)
        elif hasattr(item, "columns"):
            frames.append(item.copy())
        else:
            ids.extend(str(i) for i in item)
    setattr(fig, _FRAMES_ATTR, frames)
    setattr(fig, _IDS_ATTR, list(dict.fromkeys(ids)))


def _primary_key(table: str | None) -> list[str]:
    if not table:
        return []
    from . import data

    try:
        key = data.resource(table)["schema"].get("primaryKey") or []
    except (OSError, ValueError, KeyError, LookupError):
        return []
    return [key] if isinstance(key, str) else list(key)


def _row_ids(frame) -> tuple[object, list[str]]:
    """The frame (index made a column if it means something) and its row ids as text."""
    import pandas as pd

    table = frame.attrs.get("table")
    if "row_id" not in frame.columns:
        named = any(n is not None for n in frame.index.names)
        if named or isinstance(frame.index, pd.MultiIndex):
            frame = frame.reset_index(allow_duplicates=True)
    if "row_id" in frame.columns:
        return frame, [_text(v) for v in frame["row_id"]]
    key = _primary_key(table)
    if key and all(k in frame.columns for k in key):
        return frame, ["|".join(_text(v) for v in row) for row in frame[key].itertuples(index=False)]
    # rows without a table (derived, or several tables joined): each row's first id of its own
    ids = [
        c
        for c in frame.columns
        if isinstance(c, str) and c.endswith("_id") and c not in ("source_id", "variant_of", "evidence_id")
    ]
    out = []
    for row in frame[ids].itertuples(index=False) if ids else [()] * len(frame):
        out.append(next((_text(v) for v in row if _text(v)), ""))
    return frame, out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return ";".join(_text(v) for v in items)
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") or len(text) == 19 and text.endswith("00:00:00") else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


def data_rows(fig) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a figure's CSV (see the module's docstring)."""
    frames = getattr(fig, _FRAMES_ATTR, None) or []
    ids = getattr(fig, _IDS_ATTR, None) or []
    header = ["table", "row_id", "source_id"]
    records: list[dict[str, str]] = []
    for frame in frames:
        table = frame.attrs.get("table") or ""
        frame, row_ids = _row_ids(frame)
        cols = [c for c in frame.columns if str(c) not in ("row_id", "source_id", "table")]
        for c in cols:
            if str(c) not in header:
                header.append(str(c))
        # each column's array taken once and indexed directly: the same scalars as frame.iloc[i, pos]
        # (numpy scalars, pd.NA, Timestamps), without the per-cell cost of .iloc, which took most of
        # the time of writing a figure's CSV
        sids = frame["source_id"]
        sids = sids.array if sids.ndim == 1 else [sids.iloc[i] for i in range(len(frame))]
        columns = [
            (str(c), frame.iloc[:, pos].array)
            for pos, c in enumerate(frame.columns)
            if str(c) not in ("row_id", "source_id", "table")
        ]
        for i, rid in enumerate(row_ids):
            rec = {"table": table, "row_id": rid, "source_id": _text(sids[i])}
            for key, values in columns:
                rec[key] = _text(values[i])
            records.append(rec)
    cited = {r["source_id"] for r in records}
    for sid in ids:
        if sid not in cited:
            records.append({"table": "", "row_id": "", "source_id": sid, "note": NO_ROWS_NOTE})
    if "note" in header:
        header.remove("note")
    header.append("note")
    seen, rows = set(), []
    for rec in records:
        row = [rec.get(h, "") for h in header]
        key = tuple(row)
        if key in seen:  # the same row passed twice (two overlapping selections)
            continue
        seen.add(key)
        rows.append(row)
    return header, rows


def csv_text(fig) -> str:
    """A figure's CSV as text (UTF-8, ``\\n`` line ends, every field as written)."""
    header, rows = data_rows(fig)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def figure_title(fig) -> str:
    """The figure's title: its suptitle, else the first axes title, else ""."""
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text().strip():
        return " ".join(sup.get_text().split())
    for ax in fig.axes:
        for loc in ("left", "center", "right"):
            text = ax.get_title(loc=loc)
            if text.strip():
                return " ".join(text.split())
    return ""


class _DisplayName:
    """``fig._repr_mimebundle_``: adds the figure's name to its display output's metadata, no data."""

    def __init__(self, meta: dict):
        self.meta = meta

    def __call__(self, include=None, exclude=None):
        return {}, {META_KEY: dict(self.meta)}


# --- the saved PNG reused as the figure's inline image (issue 22) -----------------------

_PNG_ATTR = "_sco_png"


def remember_png(fig, png: bytes, dpi: float) -> None:
    """Keep the PNG just saved (at ``dpi``) on ``fig``, for its next inline display.

    A kernel shows each figure as a PNG it draws again at the figure's own dpi
    (``figure.dpi``): the third drawing of a figure already drawn for its PNG
    and SVG files. After this call the kernel's PNG of ``fig`` is the saved
    file's bytes, with the display size the kernel's own image would have
    (``width``/``height`` output metadata), so nothing is drawn again. The
    figure must be unchanged since it was saved: any change to it (an artist
    added or edited, a new size or dpi) marks it stale, and the kernel then
    draws it as before. Outside IPython, or when the inline backend shows
    figures in any other way than as plain PNG, nothing changes.
    """
    fig.stale = False  # saving with bbox_inches="tight" leaves it stale; a later edit sets it again
    setattr(fig, _PNG_ATTR, (png, float(dpi), tuple(fig.get_size_inches()), float(fig.dpi)))
    _install_png_printer()


def _png_size(png: bytes) -> tuple[int, int] | None:
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        return None
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


class _SavedPng:
    """The kernel's PNG printer for figures, answering with the saved PNG when the figure is unchanged."""

    def __init__(self, printer):
        self.printer = printer

    def __call__(self, fig):
        saved = getattr(fig, _PNG_ATTR, None)
        if saved is not None:
            png, dpi, size, fig_dpi = saved
            wh = _png_size(png)
            if not fig.stale and wh and tuple(fig.get_size_inches()) == size and float(fig.dpi) == fig_dpi:
                import base64

                scale = fig_dpi / dpi
                shown = {"width": round(wh[0] * scale), "height": round(wh[1] * scale)}
                return base64.b64encode(png).decode("ascii"), shown
        return self.printer(fig)


def _install_png_printer() -> None:
    """Wrap IPython's PNG printer for matplotlib figures in :class:`_SavedPng` (once; only plain PNG)."""
    import sys

    ipython = sys.modules.get("IPython")
    if ipython is None:
        return
    shell = ipython.get_ipython()
    if shell is None:
        return
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters.get("image/png")
    if formatter is None:
        return
    try:
        printer = formatter.lookup_by_type(Figure)
    except KeyError:
        return
    if isinstance(printer, _SavedPng):
        return
    # only IPython's plain PNG (pylabtools.print_figure, fmt="png", bbox_inches="tight" as the
    # inline backend gives it): a retina, a custom dpi or any other printer is left alone
    func = getattr(printer, "func", None)
    kw = dict(getattr(printer, "keywords", {}) or {})
    if getattr(func, "__name__", "") != "print_figure" or kw.pop("fmt", "png") != "png" or not kw.pop("base64", False):
        return
    if kw.pop("bbox_inches", "tight") != "tight" or kw:
        return
    formatter.for_type(Figure, _SavedPng(printer))


def write_data(fig, folder: Path, name: str) -> Path:
    """Write ``<folder>/<name>.csv`` (the rows drawn) and name the figure for display.

    Called at the end of :func:`helpers.style.save_figure`; returns the CSV's path.
    """
    from . import paths

    target = Path(folder) / f"{name}.csv"
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(csv_text(fig), encoding="utf-8")
    tmp.replace(target)
    run = paths.current_run()
    source = getattr(fig, "_sco_source_line", "") or ""
    fig._repr_mimebundle_ = _DisplayName(
        {
            "name": name,
            "title": figure_title(fig),
            "chapter": run["notebook"] if run else None,
            "source": " ".join(source.split()),
        }
    )
    return target


# --- table numbers (issue 19): "Table 3.2", per chapter, in display order ---------------

#: The run the table numbers below belong to (the object :func:`helpers.paths.set_run` made),
#: and the number given to each table name in it.
_TABLE_NUMBERS: dict = {"run": None, "numbers": {}}


def table_number(name: str) -> str:
    """The number of the table displayed as ``name`` in this run: ``"Table 3.2"``.

    Tables are numbered per chapter in the order they are first displayed
    (:func:`helpers.style.table` asks when the table is shown, not when it is
    built, so a table built and not shown takes no number). A name shown
    again keeps its number, so re-running a cell in JupyterLab does not
    renumber; names are unique within a chapter (they are the tables' HTML
    ids). A new run (:func:`helpers.paths.set_run`) starts again at 1. Without
    a recorded run the label has no chapter number ("Table 2").
    """
    from . import paths

    run = getattr(paths, "_RUN", None)
    if _TABLE_NUMBERS["run"] is not run:
        _TABLE_NUMBERS["run"] = run
        _TABLE_NUMBERS["numbers"] = {}
    numbers = _TABLE_NUMBERS["numbers"]
    if name not in numbers:
        numbers[name] = len(numbers) + 1
    chapter = chapter_number(run["notebook"]) if run else None
    return f"Table {chapter}.{numbers[name]}" if chapter else f"Table {numbers[name]}"


def reset_table_numbers() -> None:
    """Start the table numbers again at 1 (tests)."""
    _TABLE_NUMBERS["run"] = None
    _TABLE_NUMBERS["numbers"] = {}


# --- reading it back (helpers.render) ---------------------------------------------------

_SAVE_CALL = re.compile(r"save_figure\(\s*[^,()]+(?:\([^()]*\))?\s*,\s*(['\"])([a-z0-9_-]+)\1")


def literal_names(source: str) -> list[str]:
    """Figure names written as plain strings in a cell's ``save_figure`` calls, in order."""
    return [m.group(2) for m in _SAVE_CALL.finditer(source)]


def chapter_number(chapter: str | None) -> int | None:
    """3 for ``"03_trade"``; None when the name does not start with a number."""
    m = re.match(r"^(\d+)_", chapter or "")
    return int(m.group(1)) if m else None


def figure_folder(notebook_path: Path) -> Path:
    """Where the figures of an executed notebook are.

    A run's notebook (``build/<chapter>/<chapter>.ipynb``, a named or variant
    run) has its figures in ``figures/`` beside it; a committed notebook's are
    the repository's ``figures/`` (refreshed by the default runs).
    """
    from . import paths

    beside = Path(notebook_path).resolve().parent / "figures"
    if beside.is_dir() and Path(notebook_path).resolve().parent != paths.notebooks_dir().resolve():
        return beside
    return paths.repo_root() / "figures"


def copy_linked(page: str, href_prefix: str, source: Path, target: Path) -> list[str]:
    """Copy into ``target`` the figure files ``page`` links under ``href_prefix`` (from ``source``).

    :func:`helpers.render.describe_figures` links only files it found in
    ``source``, so every link of the page resolves once copied. Returns the
    file names copied.
    """
    import shutil

    names = sorted(set(re.findall(rf'href="{re.escape(href_prefix)}([a-z0-9_-]+\.(?:png|svg|csv))"', page)))
    if names:
        target.mkdir(parents=True, exist_ok=True)
    for file in names:
        shutil.copyfile(Path(source) / file, target / file)
    return names
