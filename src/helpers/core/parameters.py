"""Declared parameters of each notebook, and their validation.

Each notebook's defaults live in its cell tagged ``parameters`` (papermill's
convention). What each parameter means and which values are allowed is
declared here, once, so that

* the runner can reject a bad value before any kernel starts (this module
  imports only the standard library, so the check takes milliseconds);
* the notebook itself calls :func:`validate` in the cell after the
  parameters, so a value edited by hand in JupyterLab fails just as clearly;
* ``python -m helpers params NOTEBOOK`` can list them.

``tests/test_parameters.py`` checks that every notebook's parameters cell and
its declaration here name the same parameters and that the defaults validate.
"""

from __future__ import annotations

import ast
import json
import re
import reprlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from . import paths, tables
from .errors import DataValidationError, Problem, rel
from .units import USD_MILLION_PER_UNIT
from .vocab import CENTRAL_ASIA, OUTCOME_CATEGORIES, STATUS_ORDER, TRADE_FLOW_OF_CHOICE, reporter_sides  # noqa: F401  (re-exported)


class _ShortRepr(reprlib.Repr):
    """``repr`` that never expands a huge or deeply nested value (nor converts a huge integer)."""

    def __init__(self):
        super().__init__()
        self.maxlevel = 3
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdeque = 12
        self.maxdict = 8
        self.maxstring = 120
        self.maxother = 120
        self.maxlong = 40

    def repr_int(self, x, level):
        if x.bit_length() > 256:  # str() of a 4,301-digit integer raises
            return f"<an integer of about {int(x.bit_length() * 0.30103) + 1} digits>"
        return super().repr_int(x, level)


_SHORT = _ShortRepr()


def shown(value: Any, limit: int = 200) -> str:
    """A value as a message shows it: ``repr``, cut to about ``limit`` characters."""
    try:
        text = _SHORT.repr(value)
    except Exception:  # a repr that fails must not hide the message
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _clip(text: Any, limit: int = 100, keep: str = "") -> str:
    """Text for a message: cut to ``limit``, control characters escaped (except those in ``keep``)."""
    if not isinstance(text, str):
        return shown(text, limit)
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    if not text.isprintable():  # never print a NUL or a terminal escape a user (or a file) supplied
        text = "".join(ch if ch.isprintable() or ch in keep else repr(ch)[1:-1] for ch in text)
    return text


class ParameterError(ValueError):
    """A parameter value that the notebook does not accept.

    The message is built when it is shown, from a truncated ``repr`` of the
    value: a huge or self-referencing value is never expanded or echoed in full.
    """

    def __init__(self, notebook: str, name: str, value: Any, allowed: str):
        super().__init__(notebook, name, value, allowed)  # args: picklable across processes
        self.notebook, self.name, self.value, self.allowed = notebook, name, value, allowed

    def __str__(self) -> str:
        return (
            f"{_clip(self.notebook)}: parameter '{_clip(self.name)}' = {shown(self.value)} "
            f"is not allowed; allowed: {_clip(self.allowed, 3000, keep=chr(10))}"
        )


class TooLong:
    """A number given with more digits than any parameter could accept (read from YAML or ``-p``).

    Python refuses to convert integers of more than 4,300 digits, and no
    parameter takes more than a few; every check refuses this value and
    messages show it as ``<a number of N digits>``.
    """

    MAX_DIGITS = 40

    def __init__(self, text: str):
        self.digits = sum(ch.isdigit() for ch in text)

    def __repr__(self) -> str:
        return f"<a number of {self.digits} digits>"


# --- facts read from the data, with the csv module (fast, no pandas) -------
#
# Every table is read through helpers.tables, the data validator's own reader,
# and its columns and cells are checked against data/datapackage.json before
# any value is used: a damaged table gives the validator's message (file,
# line, column) as a DataValidationError, never a wrong list of allowed values.
# Results are cached per file and re-read when the file changes (path, mtime
# and size), so tests can damage a scratch copy (SCO_DATA_DIR).

_TABLES: dict[str, tuple[tuple, list, dict]] = {}


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
    except OSError:
        return (str(path), None, None)
    return (str(path), st.st_mtime_ns, st.st_size)


def _entry(table: str) -> tuple[list, dict]:
    ddir = paths.data_dir()
    pkg_path = ddir / tables.PACKAGE_FILE
    csv_path = ddir / f"{table}.csv"
    key = (_stamp(csv_path), _stamp(pkg_path))
    hit = _TABLES.get(table)
    if hit is not None and hit[0] == key:
        return hit[1], hit[2]
    res = tables.resource_of(tables.package(ddir), table)
    if res is not None and res.get("path"):
        csv_path = ddir / str(res["path"])
    read = tables.read_csv(csv_path)
    if res is not None:  # a table the package does not declare is only read, not checked
        problems = tables.check_table(read, res)
        if problems:
            raise DataValidationError(problems)
    rows = read.records()
    _TABLES[table] = (key, rows, {})
    return rows, _TABLES[table][2]


def _csv_rows(table: str) -> list[dict[str, str]]:
    """Rows of ``data/<table>.csv`` as ``{column: text}``, checked against the schema first.

    Each row also knows its line in the file (``row.line``), for messages.

    Raises
    ------
    DataValidationError
        For a missing, unreadable, empty or malformed file or a cell that does
        not fit its field, naming file, line and column.
    """
    return list(_entry(table)[0])


def _derived(table: str, key: tuple, compute: Callable[[list], Any]) -> Any:
    """``compute(rows)`` once per version of the table's file."""
    rows, cache = _entry(table)
    if key not in cache:
        cache[key] = compute(rows)
    return cache[key]


def clear_caches() -> None:
    """Forget every table read and every value computed from one (the tests damage copies)."""
    _TABLES.clear()
    for obj in list(globals().values()):
        if callable(getattr(obj, "cache_clear", None)):
            obj.cache_clear()


def data_problem(table: str, column: str | None, message: str, line: int | None = None) -> DataValidationError:
    """A DataValidationError about ``data/<table>.csv`` (for checks that find a table unusable)."""
    return DataValidationError([Problem(rel(paths.data_dir() / f"{table}.csv"), line, column, message)])


def _year_of(table: str, row: dict, column: str) -> int:
    text = row[column]
    if not re.match(r"\d{4}", text):
        raise data_problem(table, column, f"{text!r} does not start with a year (YYYY)", getattr(row, "line", None))
    return int(text[:4])


def _years_in(table: str, *columns: str) -> tuple[int, int]:
    def compute(rows):
        years = [_year_of(table, row, c) for row in rows for c in columns if row.get(c)]
        if not years:
            raise data_problem(table, ", ".join(columns), "has no year in any row; nothing to choose from")
        return min(years), max(years)

    return _derived(table, ("years",) + columns, compute)


def _distinct(table: str, column: str) -> tuple[str, ...]:
    def compute(rows):
        values = tuple(sorted({row[column] for row in rows if row.get(column)}))
        if not values:
            raise data_problem(table, column, "is empty in every row; nothing to choose from")
        return values

    return _derived(table, ("distinct", column), compute)


def first_year_with(years: Iterable[int], start: int, end: int) -> int | None:
    """The first of ``years`` inside the window ``start..end``, or None.

    For derived defaults (``Param.derive``): e.g. a base year is the first
    year of the user's window with data for the user's selection.
    """
    inside = [int(y) for y in years if start <= int(y) <= end]
    return min(inside) if inside else None


def years_between(years: Iterable[int], start: int, end: int) -> tuple[int, ...]:
    """The sorted distinct ``years`` inside ``start..end`` (for whole-set checks and messages)."""
    return tuple(sorted({int(y) for y in years if start <= int(y) <= end}))


def sco_first_year() -> int:
    """First year in the SCO events table (the Shanghai Five's 1996)."""
    return _years_in("sco_events", "date")[0]


def sco_latest_year() -> int:
    """Latest year in the SCO events and membership tables."""
    return max(
        _years_in("sco_events", "date")[1],
        _years_in("sco_membership", "start_date", "end_date")[1],
    )


def sco_statuses() -> tuple[str, ...]:
    """Statuses that occur in the membership table, in display order."""
    present = set(_distinct("sco_membership", "status"))
    return tuple(s for s in STATUS_ORDER if s in present) + tuple(sorted(present - set(STATUS_ORDER)))


def focus_trip_years() -> tuple[str, ...]:
    """Years of the trips the trips chapter compares (kind ``focus``), as text."""
    return tuple(sorted({row["start_date"][:4] for row in _csv_rows("xi_trips") if row["kind"] == "focus"}))


TRADE_FLOWS = tuple(TRADE_FLOW_OF_CHOICE)
TRADE_REPORTERS = ("china", "partner", "both")


def _trade_index() -> dict[tuple[str, str, str], frozenset[int]]:
    """(partner, 'china'|'partner', flow) -> years with a usable annual US-dollar value."""

    def compute(rows):
        index: dict[tuple[str, str, str], set[int]] = {}
        for row in rows:
            if (
                row["period"] != "annual"
                or row["variant_of"]
                or row["excluded"]
                or row["unit"] not in USD_MILLION_PER_UNIT
            ):
                continue
            side = "china" if row["reporter_iso3"] == "CHN" else "partner"
            index.setdefault((row["partner_iso3"], side, row["flow"]), set()).add(_year_of("trade", row, "year"))
        return {k: frozenset(v) for k, v in index.items()}

    return _derived("trade", ("index",), compute)


def trade_years(partner: str, side: str, flow: str) -> tuple[int, ...]:
    """Years in which the trade chapter can draw ``flow`` for ``partner`` from ``side``'s statistics.

    ``flow`` is a reader's choice (total, exports, imports, balance): a total
    exists where a source gives it or gives both flows; a balance needs both.
    """
    idx = _trade_index()

    def get(flow: str) -> frozenset:
        return idx.get((partner, side, flow), frozenset())

    exp, imp = get("china_exports"), get("china_imports")
    years = {
        "total": get("total") | (exp & imp),
        "exports": exp,
        "imports": imp,
        "balance": exp & imp,
    }[flow]
    return tuple(sorted(years))


def trade_partners() -> tuple[str, ...]:
    """Partners with any trade row, Central Asia first."""
    present = set(_distinct("trade", "partner_iso3"))
    first = [c for c in CENTRAL_ASIA if c in present]
    return tuple(first + sorted(present - set(first)))


def trade_first_year() -> int:
    return _years_in("trade", "year")[0]


def trade_latest_year() -> int:
    return _years_in("trade", "year")[1]


def year_spans(years) -> str:
    """'1992-1995, 1998, 2000-2024' from a list of years."""
    years = sorted(set(int(y) for y in years))
    if not years:
        return "none"
    out, start, prev = [], years[0], years[0]
    for y in years[1:] + [None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(out)


def trade_basis_years(
    countries, reporter: str, flow: str, start: int, end: int
) -> dict[str, tuple[str, frozenset[int]]]:
    """Per country, the side the chapter's growth and index read and its years in the window.

    China's figures where China publishes any in the window (reporter
    ``china`` or ``both``), otherwise the partner's own (reporter ``partner``,
    or ``both`` when China has nothing there). The chapter's
    :func:`helpers.trade.basis_table` makes the same choice.
    """
    window = set(range(start, end + 1))
    out = {}
    for country in countries:
        china = frozenset(set(trade_years(country, "china", flow)) & window)
        own = frozenset(set(trade_years(country, "partner", flow)) & window)
        if reporter == "partner" or (reporter == "both" and not china):
            out[country] = ("partner", own)
        else:
            out[country] = ("china", china)
    return out


def trade_default_base_year(v: dict) -> int | None:
    """The first year of the window in which the most chosen partners have a figure (on the chapter's basis)."""
    start, end = v["start_year"], v["end_year"]
    if start > end:
        return start  # _check_trade_window then names end_year
    years = trade_basis_years(v["countries"], v["reporter"], v["flow"], start, end)
    counts = {y: sum(y in ys for _, ys in years.values()) for y in range(start, end + 1)}
    best = max(counts.values(), default=0)
    if best == 0:
        return start  # no data at all: _check_trade_window names the country
    return min(y for y, n in counts.items() if n == best)


def _check_trade_window(notebook: str, v: dict) -> None:
    start, end = v["start_year"], v["end_year"]
    if start > end:
        raise ParameterError(notebook, "end_year", end, f"a year from start_year ({start}) on")
    if not start <= v["base_year"] <= end:
        raise ParameterError(
            notebook,
            "base_year",
            v["base_year"],
            f"a year from {start} to {end} (the window shown), or None (the first year with data)",
        )
    # A chosen partner with no figure in the window is drawn as a gap with a
    # note (trade.trend_text, and its legend entry in trade.plot_series) as long
    # as another chosen partner has data; the set is refused only when nothing
    # at all could be drawn.
    sides = reporter_sides(v["reporter"])
    window = set(range(start, end + 1))
    have = {c: set().union(*(set(trade_years(c, side, v["flow"])) for side in sides)) for c in v["countries"]}
    if not any(ys & window for ys in have.values()):
        who = " or ".join(f"{s}-reported" for s in sides)
        spans = "; ".join(f"{c} has data in: {year_spans(ys)}" for c, ys in have.items())
        raise ParameterError(
            notebook,
            "countries",
            ",".join(v["countries"]),
            f"at least one country with {v['flow']} trade data ({who}) in {start}-{end}; {spans}",
        )
    # the index needs at least one chosen partner with a figure in the base year;
    # partners without one are left out of the index with a note
    basis = trade_basis_years(v["countries"], v["reporter"], v["flow"], start, end)
    if not any(v["base_year"] in ys for _, ys in basis.values()):
        with_data = sorted(set().union(*(ys for _, ys in basis.values())))
        raise ParameterError(
            notebook,
            "base_year",
            v["base_year"],
            f"a year in which at least one chosen country has a {v['flow']} figure "
            f"(years with one in {start}-{end}: {year_spans(with_data)}), or None (the first such year)",
        )


PIPELINE_COMMODITIES = ("all", "gas", "oil")
#: Display units of chapter 4: each commodity in its own unit (bcm, Mt), both
#: in Mtoe, or crude oil in thousand barrels a day (oil only: a barrel is a
#: volume of crude, and no sourced factor turns gas into crude barrels).
PIPELINE_UNITS = ("native", "Mtoe", "kb/d")


@cache
def pipeline_first_year(commodity: str = "all") -> int:
    """First year a line of ``commodity`` was under construction or operating (actual dates only)."""
    kinds = {r["pipeline_id"]: r["commodity"] for r in _csv_rows("pipelines")}
    years = [
        int(r["value"][:4])
        for r in _csv_rows("pipeline_facts")
        if r["attribute"] in ("construction_start", "operation_start")
        and r["planned"] == "false"
        and commodity in ("all", kinds[r["pipeline_id"]])
    ]
    return min(years)


def pipeline_latest_year() -> int:
    """Latest year any pipeline reading speaks for."""
    return _years_in("pipeline_facts", "as_of")[1]


def _check_pipeline_choice(notebook: str, v: dict) -> None:
    if v["unit"] == "kb/d" and v["commodity"] != "oil":
        raise ParameterError(
            notebook,
            "unit",
            v["unit"],
            f"native or Mtoe with commodity={v['commodity']!r} (kb/d measures crude oil only; "
            "set commodity='oil' to use it)",
        )
    first = pipeline_first_year(v["commodity"])
    if v["as_of_year"] < first:
        what = "pipeline" if v["commodity"] == "all" else f"{v['commodity']} pipeline"
        raise ParameterError(
            notebook,
            "as_of_year",
            v["as_of_year"],
            f"a year from {first} (the first {what} under construction in the data) to {pipeline_latest_year()}",
        )


def view_topics() -> tuple[str, ...]:
    """Topics of the codebook, in codebook order."""
    return tuple(r["topic_id"] for r in _csv_rows("codebook_topics"))


def view_outlet_kinds() -> tuple[str, ...]:
    """Kinds of voice, in the order of the outlet_kinds table."""
    return tuple(r["outlet_kind"] for r in _csv_rows("outlet_kinds"))


def view_events() -> tuple[str, ...]:
    """Events and periods statements are about."""
    return tuple(r["event_id"] for r in _csv_rows("view_events"))


def view_first_year() -> int:
    return _years_in("statements", "date")[0]


def view_latest_year() -> int:
    return _years_in("statements", "date")[1]


def _check_view_selection(notebook: str, v: dict) -> None:
    lo, hi = v["min_year"], v["max_year"]
    if lo > hi:
        raise ParameterError(notebook, "max_year", hi, f"a year from min_year ({lo}) to {view_latest_year()}")
    chosen = [
        r
        for r in _csv_rows("statements")
        if r["topic_id"] in v["topics"] and r["outlet_kind"] in v["outlet_kinds"] and r["event_id"] in v["events"]
    ]
    if not chosen:
        kinds_there = sorted(
            {
                r["outlet_kind"]
                for r in _csv_rows("statements")
                if r["topic_id"] in v["topics"] and r["event_id"] in v["events"]
            }
        )
        raise ParameterError(
            notebook,
            "outlet_kinds",
            v["outlet_kinds"],
            "at least one kind of voice with statements on these topics and events; "
            f"those with any: {', '.join(kinds_there) or 'none (choose other topics or events)'}",
        )
    years = {int(r["date"][:4]) for r in chosen}
    if not any(lo <= y <= hi for y in years):
        raise ParameterError(
            notebook,
            "min_year",
            lo,
            f"a window (min_year..max_year, now {lo}-{hi}) that contains statements of this "
            f"selection; they date from: {year_spans(years)}",
        )


def claim_sources() -> tuple[str, ...]:
    """Documents whose claims chapter 6 checks (the seeds), in seed order."""
    return tuple(dict.fromkeys(r["source_id"] for r in sorted(_csv_rows("claims"), key=lambda r: r["claim_id"])))


def claim_topics() -> tuple[str, ...]:
    """Topics the claims table uses."""
    return _distinct("claims", "topic")


def _check_claim_selection(notebook: str, v: dict) -> None:
    rows = _csv_rows("claims")
    if not any(r["source_id"] in v["sources"] and r["topic"] in v["topics"] for r in rows):
        there = sorted({r["topic"] for r in rows if r["source_id"] in v["sources"]})
        raise ParameterError(
            notebook,
            "topics",
            v["topics"],
            f"at least one topic with claims in the chosen sources; they have: {', '.join(there)}",
        )


def known_countries() -> tuple[str, ...]:
    """ISO 3166 alpha-3 codes in the countries table (every country the data names)."""
    return _distinct("countries", "iso3")


# --- declarations ------------------------------------------------------------


Bound = int | float | Callable[[], int | float]


def _resolve(bound: Bound | None) -> int | None:
    return bound() if callable(bound) else bound


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    Parameters
    ----------
    name : str
        Variable name in the notebook's parameters cell.
    kind : {"int", "float", "bool", "str", "list"}
        Type of the value; a ``list`` holds strings.
    help : str
        What the parameter means, in one line.
    choices : sequence or callable, optional
        Allowed values (for ``str``) or allowed items (for ``list``); a callable
        is evaluated when checking, so choices can come from the data.
    minimum, maximum : int or callable, optional
        Inclusive range for ``int``.
    allow_empty : bool
        Whether a ``list`` may be empty.
    upper : bool
        Normalise strings to upper case (country codes).
    derive : callable, optional
        Makes ``None`` an allowed value meaning "work it out from the other
        parameters": ``derive(values)`` receives the parameters declared
        before this one (already checked) and returns the value to use, or
        raises :class:`ParameterError`. The value it returns is checked like
        a value the user gave. Used for defaults that depend on other
        parameters (a base year inside the chosen window), so that the
        defaults can never contradict what the user chose.
    derive_help : str
        What ``None`` means, in words, for messages and ``params``.
    """

    name: str
    kind: str
    help: str
    choices: Sequence[str] | Callable[[], Sequence[str]] | None = None
    minimum: Bound | None = None
    maximum: Bound | None = None
    allow_empty: bool = True
    upper: bool = False
    derive: Callable[[dict], Any] | None = None
    derive_help: str = ""

    def allowed(self) -> str:
        """Describe the allowed values in words."""
        text = self._allowed()
        if self.derive is not None:
            text += f", or None ({self.derive_help or 'worked out from the other parameters'})"
        return text

    def _allowed(self) -> str:
        if self.kind == "int":
            return f"an integer from {_resolve(self.minimum)} to {_resolve(self.maximum)}"
        if self.kind == "float":
            return f"a number from {_resolve(self.minimum)} to {_resolve(self.maximum)}"
        if self.kind == "bool":
            return "true or false"
        items = ", ".join(self._choices()) if self.choices is not None else "any text"
        if self.kind == "str":
            return f"one of: {items}"
        size = "a list (may be empty)" if self.allow_empty else "a non-empty list"
        return f"{size} of: {items}"

    def _choices(self) -> tuple[str, ...]:
        ch = self.choices() if callable(self.choices) else self.choices
        return tuple(ch or ())

    def check(self, notebook: str, value: Any) -> Any:
        """Return the normalised value, or raise :class:`ParameterError`."""
        if value is None and self.derive is not None:
            return None  # filled in by validate() once the other values are known
        fail = ParameterError(notebook, self.name, value, self.allowed())
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise fail
            lo, hi = _resolve(self.minimum), _resolve(self.maximum)
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                raise fail
            return value
        if self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
                raise fail
            lo, hi = _resolve(self.minimum), _resolve(self.maximum)
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                raise fail
            return float(value)
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise fail
            return value
        if self.kind == "str":
            if not isinstance(value, str):
                raise fail
            value = value.upper() if self.upper else value
            if self.choices is not None and value not in self._choices():
                raise fail
            return value
        if self.kind == "list":
            if isinstance(value, str):  # "-p highlight KAZ" or "KAZ,UZB"
                value = [v.strip() for v in value.split(",") if v.strip()]
            if isinstance(value, (list, tuple)):  # YAML gives 2024, not "2024"
                value = [
                    str(v) if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() < 64 else v
                    for v in value
                ]
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise fail
            items = [v.upper() if self.upper else v for v in value]
            if not items and not self.allow_empty:
                raise fail
            if self.choices is not None and any(v not in self._choices() for v in items):
                raise ParameterError(notebook, self.name, value, self.allowed())  # value as a list
            # keep the user's order, drop repeats
            return list(dict.fromkeys(items))
        raise AssertionError(f"unknown kind {self.kind!r}")


@dataclass(frozen=True)
class NotebookSpec:
    """The declared parameters of one notebook.

    ``checks`` are run on the complete set of values once each parameter is
    valid on its own; each takes ``(notebook, values)`` and raises
    :class:`ParameterError` for a combination that cannot work (an empty year
    window, a base year outside it).
    """

    notebook: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    checks: tuple[Callable[[str, dict], None], ...] = field(default_factory=tuple)

    def by_name(self) -> dict[str, Param]:
        return {p.name: p for p in self.params}


SPECS: dict[str, NotebookSpec] = {
    "01_sco_history": NotebookSpec(
        "01_sco_history",
        (
            Param(
                "as_of_year",
                "int",
                "Year at which membership, the map and the timeline stop (status as held on 31 December of that year).",
                minimum=sco_first_year,
                maximum=sco_latest_year,
            ),
            Param(
                "statuses",
                "list",
                "Which statuses the membership chart, table and map show.",
                choices=sco_statuses,
                allow_empty=False,
            ),
            Param(
                "highlight",
                "list",
                "ISO 3166 alpha-3 codes of countries to outline on the map and name in the text.",
                choices=known_countries,
                upper=True,
            ),
        ),
    ),
    "02_xi_trips": NotebookSpec(
        "02_xi_trips",
        (
            Param(
                "trips",
                "list",
                "Which of the two trips to show, by year (2022: Kazakhstan and Samarkand; 2024: Astana and Dushanbe).",
                choices=focus_trip_years,
                allow_empty=False,
            ),
            Param(
                "include_context",
                "bool",
                "Also show the other visits and summits (2013 to 2025) on the timeline.",
            ),
            Param(
                "categories",
                "list",
                "Which outcome categories the outcome tables and charts count.",
                choices=OUTCOME_CATEGORIES,
                allow_empty=False,
            ),
        ),
    ),
    "03_trade": NotebookSpec(
        "03_trade",
        (
            Param(
                "countries",
                "list",
                "China's partners to show (ISO3 codes).",
                choices=trade_partners,
                allow_empty=False,
                upper=True,
            ),
            Param(
                "start_year", "int", "First year of the window.", minimum=trade_first_year, maximum=trade_latest_year
            ),
            Param("end_year", "int", "Last year of the window.", minimum=trade_first_year, maximum=trade_latest_year),
            Param(
                "flow",
                "str",
                "Which flow, from China's side: total, exports (China's), imports (China's), "
                "balance (exports minus imports).",
                choices=TRADE_FLOWS,
            ),
            Param(
                "reporter",
                "str",
                "Whose statistics: china (Chinese customs), partner (the partner's own), or both side by side.",
                choices=TRADE_REPORTERS,
            ),
            Param("scale", "str", "Value axis of the time-series charts.", choices=("linear", "log")),
            Param(
                "base_year",
                "int",
                "Year set to 100 in the index chart (within the window); partners "
                "without a figure in it are left out of the index.",
                minimum=trade_first_year,
                maximum=trade_latest_year,
                derive=trade_default_base_year,
                derive_help="the first year of the window in which the most chosen countries have a figure "
                "for the chosen flow and reporter",
            ),
        ),
        checks=(_check_trade_window,),
    ),
    "04_energy_pipelines": NotebookSpec(
        "04_energy_pipelines",
        (
            Param("commodity", "str", "Which pipelines: gas, oil or all.", choices=PIPELINE_COMMODITIES),
            Param(
                "as_of_year",
                "int",
                "Year the network map shows (status at the end of that year).",
                minimum=lambda: pipeline_first_year("all"),
                maximum=pipeline_latest_year,
            ),
            Param("include_planned", "bool", "Also show planned and stalled lines (map, capacity)."),
            Param(
                "unit",
                "str",
                "Units of capacities and volumes: native (bcm for gas, Mt for oil), "
                "Mtoe (both), or kb/d (thousand barrels a day, oil only).",
                choices=PIPELINE_UNITS,
            ),
        ),
        checks=(_check_pipeline_choice,),
    ),
    "05_analyst_views": NotebookSpec(
        "05_analyst_views",
        (
            Param(
                "topics",
                "list",
                "Codebook topics to show (see data/codebook_topics.csv).",
                choices=view_topics,
                allow_empty=False,
            ),
            Param(
                "outlet_kinds",
                "list",
                "Kinds of voice to show (see data/outlet_kinds.csv).",
                choices=view_outlet_kinds,
                allow_empty=False,
            ),
            Param(
                "events",
                "list",
                "Events or periods the statements are about (see data/view_events.csv).",
                choices=view_events,
                allow_empty=False,
            ),
            Param(
                "min_year",
                "int",
                "Earliest year of the cited document.",
                minimum=view_first_year,
                maximum=view_latest_year,
            ),
            Param(
                "max_year",
                "int",
                "Latest year of the cited document.",
                minimum=view_first_year,
                maximum=view_latest_year,
            ),
        ),
        checks=(_check_view_selection,),
    ),
    "06_claims_vs_data": NotebookSpec(
        "06_claims_vs_data",
        (
            Param(
                "sources",
                "list",
                "Documents whose claims to check (source ids of the seeds; see data/claims.csv).",
                choices=claim_sources,
                allow_empty=False,
            ),
            Param("topics", "list", "Topics of the claims to check.", choices=claim_topics, allow_empty=False),
            Param(
                "tolerance_scale",
                "float",
                "Multiplies every judgement margin a claim's wording allows and the "
                "margin for an estimated data row (0.5 halves them, 2 doubles them; 0 leaves only the rounding "
                "of the printed figure).",
                minimum=0,
                maximum=10,
            ),
        ),
        checks=(_check_claim_selection,),
    ),
}


# --- notebooks ---------------------------------------------------------------


def notebook_name(notebook: str | Path) -> str:
    """``'01_sco_history'`` from a name, a file name or a path."""
    return Path(str(notebook)).name.removesuffix(".ipynb")


def notebook_path(notebook: str | Path) -> Path:
    """Path of a committed notebook given its name or path."""
    p = Path(str(notebook))
    if p.suffix == ".ipynb" and p.exists():
        return p.resolve()
    return paths.notebooks_dir() / f"{notebook_name(notebook)}.ipynb"


def spec_for(notebook: str | Path) -> NotebookSpec:
    """Return the declaration for a notebook, or raise a clear error."""
    name = notebook_name(notebook)
    if name not in SPECS:
        known = ", ".join(sorted(SPECS))
        raise ParameterError(name, "notebook", name, f"one of: {known}")
    return SPECS[name]


def cell_defaults(notebook: str | Path) -> dict[str, Any]:
    """Read the defaults (and their comments) from a notebook's parameters cell.

    Returns a mapping of name to default value. Only the standard library is
    used, so this is fast enough to run before any kernel starts.
    """
    nb = json.loads(Path(notebook_path(notebook)).read_text(encoding="utf-8"))
    cells = [
        c for c in nb["cells"] if c["cell_type"] == "code" and "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    if len(cells) != 1:
        raise ValueError(f"{notebook}: expected one cell tagged 'parameters', found {len(cells)}")
    source = "".join(cells[0]["source"])
    defaults: dict[str, Any] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                defaults[target.id] = ast.literal_eval(node.value)
    return defaults


def validate(notebook: str | Path, values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Check parameter values against a notebook's declaration.

    Parameters
    ----------
    notebook : str or Path
        Notebook name (``"01_sco_history"``) or path.
    values : dict
        Parameter values; extra keys are ignored when ``partial`` is False
        and the dict is a notebook's ``globals()``.
    partial : bool
        If True, ``values`` are overrides given by a user: every key must be a
        declared parameter, and missing ones are left out of the result.

    Returns
    -------
    dict
        The normalised values (e.g. country codes in upper case, repeats
        dropped).

    Raises
    ------
    ParameterError
        Naming the parameter, the value and what is allowed.
    """
    spec = spec_for(notebook)
    declared = spec.by_name()
    name = spec.notebook
    if partial:
        for key in values:
            if key not in declared:
                raise ParameterError(name, key, values[key], f"a declared parameter: {', '.join(declared)}")
        return {k: declared[k].check(name, v) for k, v in values.items()}
    missing = [p for p in declared if p not in values]
    if missing:
        raise ParameterError(name, missing[0], None, "a value (the parameters cell must define it)")
    checked = {p.name: p.check(name, values[p.name]) for p in spec.params}
    for p in spec.params:
        if p.derive is not None and checked[p.name] is None:
            before = {q.name: checked[q.name] for q in spec.params[: spec.params.index(p)]}
            derived = p.derive(before)
            if derived is None:
                raise ParameterError(name, p.name, None, p.allowed() + "; nothing could be worked out here")
            checked[p.name] = p.check(name, derived)
    for check in spec.checks:
        check(name, checked)
    if values.get("__name__") == "__main__":  # a notebook's globals(): record the run, so figures go
        paths.set_run(name, checked)  # to figures/ only from a default run (helpers.paths)
    return checked


def resolve(notebook: str | Path, overrides: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(defaults, full)``: the validated defaults, and the values a run with ``overrides`` uses.

    The overrides are merged into the parameters cell *as written*, so a
    default of None is derived again from the user's other values (a base year
    inside the user's window), never frozen at what the default run derived.
    """
    raw = cell_defaults(notebook)
    defaults = validate(notebook, raw)
    given = validate(notebook, overrides, partial=True)
    return defaults, validate(notebook, {**raw, **given})


# --- bounded YAML ------------------------------------------------------------
#
# Parameters come from people (-p, -f, a teacher's groups file), so reading
# them is bounded: at most MAX_YAML_BYTES of text, no aliases (a 1 KB "billion
# laughs" value expands to gigabytes), nesting at most MAX_YAML_DEPTH deep, and
# numbers of more than TooLong.MAX_DIGITS digits kept as TooLong (Python refuses
# to convert 4,301 digits). Numbers are read as people write them: 1e-5 is a
# number (YAML 1.1 would read it as text).

#: The largest parameters or groups file read (the seminar's are about 1 KB).
MAX_YAML_BYTES = 64 * 1024
MAX_YAML_DEPTH = 20


class YamlRefused(ValueError):
    """YAML text that is refused before it is read: too large, aliases, too deep."""


class YamlUnreadable(YamlRefused):
    """YAML whose values cannot be built (a date like 2001-13-45)."""


_FLOAT_TEXT = re.compile(r"^[-+]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][-+]?\d+)?$")
_INT_TEXT = re.compile(r"^[-+]?\d[\d_]*$")


@lru_cache(maxsize=1)
def _loader():
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class BoundedLoader(base):  # type: ignore[misc, valid-type]
        def construct_yaml_int(self, node):
            if sum(ch.isdigit() for ch in str(node.value)) > TooLong.MAX_DIGITS:
                return TooLong(node.value)
            return super().construct_yaml_int(node)

    BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_yaml_int)
    # 1e-5, 2E3: numbers, as YAML 1.2 and every user read them
    BoundedLoader.add_implicit_resolver(
        "tag:yaml.org,2002:float", re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$"), list("-+0123456789.")
    )
    return yaml, base, BoundedLoader


def load_yaml_text(text: str) -> Any:
    """Read YAML text given by a user, bounded (see above).

    Raises
    ------
    YamlRefused
        Too large, an alias, or nested too deeply (checked before anything is built).
    yaml.YAMLError
        Not valid YAML.
    """
    if len(text) > MAX_YAML_BYTES:
        raise YamlRefused(f"at most {MAX_YAML_BYTES // 1024} KB of YAML (this is {len(text) // 1024} KB)")
    depth = deepest = 0
    for ch in text:  # brackets first: deep flow nesting is slow to parse at all
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > 5 * MAX_YAML_DEPTH:
                break
        elif ch in "]}":
            depth -= 1
    if deepest > 5 * MAX_YAML_DEPTH:
        raise YamlRefused(f"lists or mappings nested at most {MAX_YAML_DEPTH} deep")
    yaml, base, loader = _loader()
    depth = 0
    for event in yaml.parse(text, Loader=base):
        if isinstance(event, yaml.AliasEvent):
            raise YamlRefused(f"no YAML aliases (*{_clip(event.anchor, 40)}): write each value out in full")
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise YamlRefused(f"lists or mappings nested at most {MAX_YAML_DEPTH} deep")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
    try:
        return yaml.load(text, Loader=loader)
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date like 2001-13-45
        raise YamlUnreadable(f"values YAML can read ({_clip(str(exc), 200)})") from None


def parse_number(kind: str, text: str) -> Any:
    """``text`` as the int or float a user means, or None if it does not look like one.

    ``1e-5`` and ``.5`` are floats; an integer of more than
    ``TooLong.MAX_DIGITS`` digits is a :class:`TooLong` (refused with a clear message).
    """
    t = text.strip()
    if _INT_TEXT.match(t):
        if sum(ch.isdigit() for ch in t) > TooLong.MAX_DIGITS:
            return TooLong(t)
        return int(t.replace("_", ""))
    if kind == "float" and _FLOAT_TEXT.match(t) and len(t) <= 100:
        return float(t.replace("_", ""))
    return None


def _read_user_file(path: Path, notebook: str, name: str, what: str) -> str:
    """The text of a file a user named, or a ParameterError saying what is wrong with it."""

    def refuse(why: str) -> ParameterError:
        return ParameterError(notebook, name, str(path), f"a UTF-8 YAML file of {what}; {why}")

    try:
        if path.is_dir():
            raise refuse("this is a folder")
        if path.is_file() and path.stat().st_size > MAX_YAML_BYTES:
            raise refuse(f"this file is {path.stat().st_size // 1024} KB, at most {MAX_YAML_BYTES // 1024} KB is read")
        with path.open("rb") as fh:  # a size limit even where stat cannot tell (/dev/zero, a pipe)
            raw = fh.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        raise ParameterError(notebook, name, str(path), f"an existing YAML file of {what}") from None
    except OSError as exc:
        raise refuse(f"it cannot be read ({exc.strerror or type(exc).__name__})") from None
    if len(raw) > MAX_YAML_BYTES:
        raise refuse(f"it is larger than {MAX_YAML_BYTES // 1024} KB")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise refuse("this file is UTF-16 text (save it as UTF-8)")
    if b"\x00" in raw:
        raise refuse("this is a binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise refuse(f"byte 0x{raw[exc.start]:02x} on line {line} is not UTF-8 text (a binary file?)") from None


def read_yaml(path: str | Path, notebook: str, name: str, what: str) -> Any:
    """Read a YAML file a user named; any problem with it is a ParameterError naming the file.

    ``notebook`` and ``name`` say where the file was given (``"sweep"``,
    ``"-f"``); ``what`` says what the file should be. PyYAML is imported only
    here, so checking the command line stays fast. Reading is bounded (size,
    aliases, depth: see :func:`load_yaml_text`), and no error escapes as a
    traceback: a folder, a binary or UTF-16 file, ``/dev/zero`` or a huge file
    are refused in well under a second.
    """
    text = _read_user_file(Path(path), notebook, name, what)
    try:
        return load_yaml_text(text)
    except YamlRefused as exc:
        raise ParameterError(notebook, name, str(path), f"a YAML file of {what} with {exc}") from None
    except (RecursionError, MemoryError):
        raise ParameterError(notebook, name, str(path), f"a YAML file of {what}, nested less deeply") from None
    except Exception as exc:  # yaml.YAMLError and its relatives (PyYAML imported lazily)
        if type(exc).__module__.split(".")[0] != "yaml":
            raise
        where = " ".join(str(exc).replace('in "<unicode string>", ', "at ").split())  # one line
        raise ParameterError(notebook, name, str(path), f"valid YAML ({_clip(where, 600)})") from None


def describe(notebook: str | Path) -> str:
    """A plain-text table of a notebook's parameters: default, allowed, meaning."""
    spec = spec_for(notebook)
    defaults = cell_defaults(notebook)
    lines = [f"Parameters of {spec.notebook} (set with -p NAME VALUE or -f params.yaml):", ""]
    for p in spec.params:
        lines.append(f"  {p.name}  [{p.kind}]  default: {defaults.get(p.name)!r}")
        lines.append(f"      {p.help}")
        lines.append(f"      allowed: {p.allowed()}")
    return "\n".join(lines)


def parse_value(notebook: str, name: str, raw: str) -> Any:
    """Turn a ``-p NAME VALUE`` string into a value, as papermill's ``-y`` would.

    Numbers, booleans and lists (``'["member", "observer"]'``) are read as YAML.
    Text for a text or list parameter is kept as typed, so that YAML does not
    turn a country code such as ``NO`` into ``False``. A number is read as the
    user means it (``1e-5`` is a number; an integer of thousands of digits is
    refused clearly), and YAML is read bounded (no aliases, limited size and
    depth; see :func:`load_yaml_text`).
    """
    spec = spec_for(notebook).by_name().get(name)
    if len(raw) > MAX_YAML_BYTES:
        raise ParameterError(notebook, name, raw, f"a value of at most {MAX_YAML_BYTES // 1024} KB")
    if spec is not None and spec.kind in ("str", "list") and not raw.lstrip().startswith("["):
        return raw
    if spec is not None and spec.kind in ("int", "float"):
        number = parse_number(spec.kind, raw)
        if number is not None:
            return number
    try:
        return load_yaml_text(raw)
    except YamlUnreadable:  # e.g. 2001-13-45: the check refuses the text as typed
        return raw
    except YamlRefused as exc:
        allowed = spec.allowed() if spec is not None else "a value"
        raise ParameterError(notebook, name, raw, f"{allowed}; {exc}") from None
    except (RecursionError, MemoryError):
        raise ParameterError(notebook, name, raw, "a value nested less deeply") from None
    except Exception as exc:  # not valid YAML: keep the text, which the check then refuses or accepts
        if type(exc).__module__.split(".")[0] != "yaml":
            raise
        return raw
