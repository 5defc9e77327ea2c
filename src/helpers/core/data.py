"""Load the project's tables with proper types, validating them on the way in.

The tables and their schemas are described in ``data/datapackage.json``, a
Frictionless Data Package (Table Schema for each CSV). This module checks the
subset of Table Schema the project uses:

* field types ``string``, ``integer``, ``number``, ``date``, ``boolean``;
* constraints ``required``, ``unique``, ``enum``, ``pattern``, ``minimum``,
  ``maximum`` (numbers and dates);
* ``primaryKey`` (unique across the key's fields) and ``foreignKeys`` (every
  ``source_id`` resolves in ``sources.csv``, every country code in
  ``countries.csv``, ...).

Checks that a schema cannot state (an end date before its start date,
overlapping membership spells) are registered per table in ``ROW_CHECKS``.

The checker is written here rather than taken from ``frictionless-py``:
that library would add dozens of dependencies and about a second of import
time to every notebook, for a subset of the standard this file covers in a
few dozen lines; it is also stricter (no leading spaces, the row rules
above). The descriptor itself is standard: every resource declares the
``tabular-data-resource`` profile and the true/false spellings its boolean
columns use, and ``tests/test_datapackage_standard.py`` runs the reference
validator (``frictionless validate data/datapackage.json``, a test-only
dependency) over every table, so the claim is checked, not assumed.

Every problem is reported as ``file, line N (data row M), column 'c': ...``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from . import paths, tables
from .errors import MAX_REPORTED, DataValidationError, Problem  # noqa: F401  (re-exported)
from .errors import rel as _rel
from .tables import PACKAGE_FILE
from .tables import check_field as _check_field
from .vocab import kind_words

# --- the descriptor ----------------------------------------------------------


def _package_path(data_dir: Path | None = None) -> Path:
    return (data_dir or paths.data_dir()) / PACKAGE_FILE


def package(data_dir: Path | None = None) -> dict[str, Any]:
    """Return the data package descriptor (``data/datapackage.json``).

    Parsed once per version of the file (its path, modification time and
    size): chapter code asks for a table's schema hundreds of times. Treat
    the result as read-only.
    """
    folder = Path(data_dir or paths.data_dir())
    try:
        st = (folder / PACKAGE_FILE).stat()
        stamp = (str(folder), st.st_mtime_ns, st.st_size)
    except OSError:
        return tables.package(folder)  # raises the validator's message
    if _PACKAGE_CACHE.get("stamp") != stamp:
        _PACKAGE_CACHE["value"] = tables.package(folder)
        _PACKAGE_CACHE["stamp"] = stamp
    return _PACKAGE_CACHE["value"]


_PACKAGE_CACHE: dict[str, Any] = {}


def resource(name: str, data_dir: Path | None = None) -> dict[str, Any]:
    """Return one resource (table) of the package, by name."""
    for res in package(data_dir)["resources"]:
        if res["name"] == name:
            return res
    names = ", ".join(r["name"] for r in package(data_dir)["resources"])
    raise KeyError(f"no table named {name!r} in {PACKAGE_FILE}; tables: {names}")


def table_names(data_dir: Path | None = None) -> list[str]:
    """Names of every table in the package, in descriptor order."""
    return [r["name"] for r in package(data_dir)["resources"]]


# --- row checks that a schema cannot state ----------------------------------

RowCheck = Callable[[pd.DataFrame], Iterable[tuple[int, str | None, str]]]
ROW_CHECKS: dict[str, list[RowCheck]] = {}


def row_check(table: str) -> Callable[[RowCheck], RowCheck]:
    """Register a check that yields ``(frame index, column, message)``."""

    def register(func: RowCheck) -> RowCheck:
        ROW_CHECKS.setdefault(table, []).append(func)
        return func

    return register


@row_check("sco_membership")
def _spell_dates_in_order(df: pd.DataFrame):
    bad = df["end_date"].notna() & (df["end_date"] < df["start_date"])
    for i in df.index[bad]:
        yield i, "end_date", f"ends ({df.at[i, 'end_date']}) before it starts ({df.at[i, 'start_date']})"


@row_check("sco_membership")
def _spells_do_not_overlap(df: pd.DataFrame):
    """A country holds one status in one organisation at a time."""
    far = pd.Timestamp("2999-12-31").date()
    for (_, _org), group in df.groupby(["country_iso3", "organisation"]):
        g = group.sort_values("start_date")
        prev_end, prev_idx = None, None
        for i, row in g.iterrows():
            if prev_end is not None and row["start_date"] < prev_end:
                yield (
                    i,
                    "start_date",
                    (
                        f"{row['country_iso3']} {row['status']} spell starts {row['start_date']}, "
                        f"before the spell on data row {prev_idx + 1} ends ({prev_end})"
                    ),
                )
            end = row["end_date"] if pd.notna(row["end_date"]) else far
            prev_end, prev_idx = end, i


@row_check("sources")
def _missing_url_is_explained(df: pd.DataFrame):
    for i in df.index[df["url"].isna()]:
        if not str(df.at[i, "licence_note"]).startswith("No URL:"):
            yield i, "url", "is empty; say why in licence_note, starting 'No URL:'"


@row_check("sources")
def _copy_says_whose_and_undated_says_why(df: pd.DataFrame):
    """A copy names whose document it reproduces; an undated document says why it has no date."""
    for i, row in df.iterrows():
        is_copy = row["original_or_copy"] == "copy"
        if is_copy and pd.isna(row["copy_of"]):
            yield i, "copy_of", "is empty; a copy must say whose document it reproduces"
        if not is_copy and pd.notna(row["copy_of"]):
            yield i, "copy_of", "is filled, but the row is not a copy (original_or_copy)"
        if is_copy and pd.notna(row["route"]):
            yield i, "route", "is for an original read through a copy; a copy's own URL goes in url"
        undated = row["date"] == "n.d."
        if undated and pd.isna(row["doc_date_note"]):
            yield i, "doc_date_note", "is empty; an undated source (n.d.) must say why it has no date"
        if not undated and pd.notna(row["doc_date_note"]):
            yield i, "doc_date_note", f"is filled, but the source is dated ({row['date']})"


@row_check("places")
def _place_id_matches_kind(df: pd.DataFrame):
    for i, row in df.iterrows():
        prefix = "city-" if row["kind"] == "city" else "pt-"
        if not str(row["place_id"]).startswith(prefix):
            yield i, "place_id", f"a {row['kind']} takes an id starting '{prefix}'"


@row_check("places")
def _place_has_both_coordinates_or_says_why(df: pd.DataFrame):
    for i, row in df.iterrows():
        has_lat, has_lon = pd.notna(row["lat"]), pd.notna(row["lon"])
        if has_lat != has_lon:
            yield i, "lat", "has one coordinate without the other"
        elif not has_lat:
            if row["kind"] == "city":
                yield i, "lat", "a city needs coordinates"
            elif "not found" not in str(row["notes"]).lower():
                yield i, "notes", "no coordinates: say 'not found' and what was tried"
        if row["kind"] == "city" and pd.isna(row["country_iso3"]):
            yield i, "country_iso3", "a city needs its country"


_FACT_KINDS = {
    "construction_start": "date",
    "operation_start": "date",
    "full_capacity": "date",
    "design_capacity": "number",
    "length_km": "number",
    "people_served": "number",
    "status": "status",
}
PIPELINE_STATUSES = ("operating", "under_construction", "planned", "stalled")


@row_check("pipeline_facts")
def _fact_value_fits_its_attribute(df: pd.DataFrame):
    for i, row in df.iterrows():
        kind, value = _FACT_KINDS[row["attribute"]], str(row["value"])
        if kind == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                yield i, "value", f"{row['attribute']} needs a date YYYY-MM-DD, not {value!r}"
            if pd.isna(row["date_precision"]):
                yield i, "date_precision", f"{row['attribute']} needs day, month or year"
        elif kind == "number":
            try:
                float(value)
            except ValueError:
                yield i, "value", f"{row['attribute']} needs a number, not {value!r}"
            if pd.isna(row["unit"]):
                yield i, "unit", f"{row['attribute']} needs a unit"
        elif value not in PIPELINE_STATUSES:
            yield i, "value", f"status {value!r} is not one of {', '.join(PIPELINE_STATUSES)}"


def _variant_matches(key: str, same: tuple[str, ...]):
    """A variant row must speak of the same thing as the row it disagrees with."""

    def check(df: pd.DataFrame):
        lookup = df.set_index(key)
        for i, row in df[df["variant_of"].notna()].iterrows():
            other = lookup.loc[row["variant_of"]]
            for col in same:
                if row[col] != other[col]:
                    yield (
                        i,
                        "variant_of",
                        (f"{row[key]} differs in {col} ({row[col]!r}) from {row['variant_of']} ({other[col]!r})"),
                    )

    return check


row_check("pipeline_facts")(_variant_matches("fact_id", ("pipeline_id", "attribute")))
row_check("pipeline_volumes")(_variant_matches("row_id", ("pipeline_id", "measure", "period")))


@row_check("pipeline_volumes")
def _annual_rows_have_a_year(df: pd.DataFrame):
    for i, row in df.iterrows():
        if row["measure"] == "annual" and pd.isna(row["year"]):
            yield i, "year", "an annual row needs its year"
        if row["measure"] == "cumulative" and (pd.notna(row["year"]) or row["period"] != "to_date"):
            yield i, "period", "a cumulative row has no year and period to_date (its date is as_of)"


row_check("gas_pipeline_trade")(_variant_matches("row_id", ("exporter", "importer", "year", "basis")))


@row_check("gas_pipeline_trade")
def _tonnes_only_on_a_mass_basis(df: pd.DataFrame):
    for i, row in df.iterrows():
        if (row["unit"] == "Mt") != (row["basis"] == "customs_mass"):
            yield i, "unit", f"{row['unit']} does not fit basis {row['basis']!r} (tonnes go with customs_mass only)"


@row_check("wdi_indicators")
def _one_value_per_country_year_in_its_unit(df: pd.DataFrame):
    units = {"population": "persons", "gdp_current_usd": "USD"}
    for i, row in df.iterrows():
        if row["unit"] != units[row["indicator"]]:
            yield i, "unit", f"{row['indicator']} is in {units[row['indicator']]}, not {row['unit']!r}"
    for i in df.index[df.duplicated(subset=["iso3", "year", "indicator"])]:
        yield i, "year", f"a second {df.at[i, 'indicator']} value for {df.at[i, 'iso3']} {df.at[i, 'year']}"


TARGET_WORDS_MAX = 25


@row_check("trade_targets")
def _target_is_dated_and_quoted_briefly(df: pd.DataFrame):
    for i, row in df.iterrows():
        words = len(str(row["as_printed"]).split())
        if words > TARGET_WORDS_MAX:
            yield i, "as_printed", f"quotes {words} words; at most {TARGET_WORDS_MAX}"
        if pd.isna(row["deadline_year"]):
            if not str(row["notes"]).startswith("No deadline"):
                yield i, "notes", "no deadline_year: say 'No deadline year given' and what the source says instead"
        elif int(row["deadline_year"]) <= int(str(row["announced_date"])[:4]):
            yield i, "deadline_year", f"{row['deadline_year']} is not after the announcement ({row['announced_date']})"


@row_check("pipeline_routes")
def _route_steps_are_numbered_from_one(df: pd.DataFrame):
    for pid, group in df.groupby("pipeline_id"):
        seqs = sorted(group["seq"])
        if seqs != list(range(1, len(seqs) + 1)):
            yield group.index[0], "seq", f"{pid}: steps {seqs} should run 1..{len(seqs)} without gaps"


def _dates_in_order(start: str, end: str):
    def check(df: pd.DataFrame):
        bad = df[end].notna() & df[start].notna() & (df[end] < df[start])
        for i in df.index[bad]:
            yield i, end, f"{end} ({df.at[i, end]}) is before {start} ({df.at[i, start]})"

    return check


row_check("xi_trips")(_dates_in_order("start_date", "end_date"))


@row_check("xi_itinerary")
def _stop_id_names_its_trip(df: pd.DataFrame):
    for i, row in df.iterrows():
        if not str(row["stop_id"]).startswith(str(row["trip_id"]) + "-"):
            yield i, "stop_id", f"{row['stop_id']!r} should start with its trip_id {row['trip_id']!r}"


QUOTE_MAX_SENTENCES = 2
_OMISSION = re.compile(r"\[\.\.\.\]|\[…\]|\.\.\.|…")
_SENTENCE_END = re.compile(r"[.!?][\"'’”)\]]*\s+(?=[\"'‘“(\[]*[A-Z])")


def sentence_count(text: str) -> int:
    """Sentences in a quotation: breaks after . ! ? before a capital; omission marks are not breaks.

    A rough count by design (an initial like "U. S." would count as a break),
    so it errs towards refusing a long quotation, never towards passing one.
    """
    body = _OMISSION.sub(" ", str(text)).strip()
    return len(_SENTENCE_END.findall(body)) + 1 if body else 0


def _quotes_are_short(df: pd.DataFrame):
    for i, row in df[df["text_kind"] == "quote"].iterrows():
        n = sentence_count(row["text"])
        if n > QUOTE_MAX_SENTENCES:
            yield i, "text", f"a quotation of {n} sentences; at most {QUOTE_MAX_SENTENCES} (shorten it or paraphrase)"


row_check("statements")(_quotes_are_short)
row_check("exercise_statements")(_quotes_are_short)
row_check("statements")(_variant_matches("statement_id", ("topic_id",)))


# --- loading ------------------------------------------------------------------


def _read_raw(path: Path) -> pd.DataFrame:
    """Every cell as text, read by :func:`helpers.tables.read_csv` (one reading path, precise messages).

    ``attrs["lines"]`` holds each row's line in the file, for messages.
    """
    table = tables.read_csv(path)
    frame = pd.DataFrame(table.rows, columns=table.header, dtype=str)
    frame.attrs["lines"] = table.lines
    return frame


def _validate_frame(name: str, raw: pd.DataFrame, res: dict[str, Any], rel: str):
    """Check a raw (all-string) frame; return (typed frame, problems)."""
    schema = res["schema"]
    fields = schema["fields"]
    problems: list[Problem] = []
    lines = raw.attrs.get("lines") or list(range(2, len(raw) + 2))

    def at(i, col, msg):  # frame index -> the row's line in the file
        return Problem(rel, lines[int(i)], col, msg, row=int(i) + 1)

    bad_header = tables.header_problem(rel, list(raw.columns), [f["name"] for f in fields])
    if bad_header:
        return None, [bad_header]

    typed: dict[str, list[Any]] = {}
    for field in fields:
        col = field["name"]
        values = []
        for i, cell in enumerate(raw[col]):
            parsed, problem = _check_field(cell, field)
            if problem:
                problems.append(at(i, col, problem))
            values.append(parsed)
        typed[col] = values
        if field.get("constraints", {}).get("unique"):
            dup = raw[col][(raw[col] != "") & raw[col].duplicated(keep="first")]
            for i, cell in dup.items():
                problems.append(at(i, col, f"{cell!r} repeats; values must be unique"))
    key = schema.get("primaryKey")
    if key:
        key = [key] if isinstance(key, str) else key
        dup = raw[raw.duplicated(subset=key, keep="first")]
        for i, row in dup.iterrows():
            vals = ", ".join(f"{k}={row[k]!r}" for k in key)
            problems.append(at(i, key[0], f"primary key ({vals}) repeats"))

    df = pd.DataFrame(typed)
    for field in fields:
        col, ftype = field["name"], field.get("type", "string")
        if ftype == "integer":
            df[col] = df[col].astype("Int64")
        elif ftype == "number":
            df[col] = df[col].astype("Float64")
        elif ftype == "boolean":
            df[col] = df[col].astype("boolean")
        elif ftype == "string":
            df[col] = df[col].astype("string")
        # dates stay as datetime.date objects (object dtype): exact, no time zone
    if not problems:
        for check in ROW_CHECKS.get(name, []):
            for i, col, msg in check(df):
                problems.append(at(i, col, msg))
    return df, problems


def _foreign_key_problems(
    name: str, df: pd.DataFrame, res: dict[str, Any], rel: str, data_dir: Path, lines: list[int] | None = None
):
    """Every reference resolves; a key of several fields must match as a whole."""
    problems = []
    for fk in res["schema"].get("foreignKeys", []):
        cols = [fk["fields"]] if isinstance(fk["fields"], str) else list(fk["fields"])
        ref = fk["reference"]
        ref_table = ref["resource"] or name
        ref_cols = [ref["fields"]] if isinstance(ref["fields"], str) else list(ref["fields"])
        target = df if ref_table == name else load(ref_table, data_dir=data_dir)
        known = set(zip(*(target[c] for c in ref_cols)))
        for i, values in zip(df.index, zip(*(df[c] for c in cols))):
            if any(pd.isna(v) for v in values) or values in known:
                continue
            if len(cols) == 1:
                what = f"{values[0]!r} does not resolve in {ref_table}.{ref_cols[0]}"
            else:
                plain = [v.item() if hasattr(v, "item") else v for v in values]
                pairs = ", ".join(f"{c}={v!r}" for c, v in zip(cols, plain))
                what = f"({pairs}) does not resolve in {ref_table} ({', '.join(ref_cols)})"
                # what the last field may be, given the others (e.g. the levels a topic defines)
                allowed = sorted(
                    k[-1].item() if hasattr(k[-1], "item") else k[-1] for k in known if k[:-1] == values[:-1]
                )
                lead = ", ".join(f"{c}={v!r}" for c, v in zip(ref_cols[:-1], plain[:-1]))
                what += f"; {ref_table}.{ref_cols[-1]} with {lead}: {allowed or 'none'}"
            line = lines[int(i)] if lines else int(i) + 2
            problems.append(Problem(rel, line, cols[-1], what, row=int(i) + 1))
    return problems


def _file_stamp(path: Path) -> tuple[float, int]:
    try:
        st = path.stat()
    except OSError:  # missing or unreadable: reading it will say so
        return 0, -1
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=64)
def _load_cached(name: str, data_dir: str, stamp: tuple) -> pd.DataFrame:
    ddir = Path(data_dir)
    disk = _disk_entry(name, ddir, stamp)
    if disk is not None:
        df = _disk_read(disk)
        if df is not None:
            return df
    res = resource(name, ddir)
    path = ddir / res["path"]
    rel = _rel(path)
    raw = _read_raw(path)
    df, problems = _validate_frame(name, raw, res, rel)
    if not problems:
        problems = _foreign_key_problems(name, df, res, rel, ddir, raw.attrs.get("lines"))
    if problems:
        raise DataValidationError(problems)
    df.attrs["table"] = name
    if disk is not None:
        _disk_write(disk, df)
    return df


# --- validated tables kept across processes (issue 22) ----------------------------------
#
# Every run of a chapter loads and validates the same tables again, in a new kernel. A table
# that passed is kept in build/.cache/data/, pickled, under a key that hashes the bytes of
# every file of the data package (a table's foreign keys read other tables), the code of
# helpers.core (the rules) and the versions of Python and pandas. Any change to any of these
# is another key, so a changed or damaged file is validated again, and refused with its
# message; only tables that passed are ever stored. A stored entry carries the SHA-256 of
# its bytes, checked before it is read: a damaged entry is ignored and validated afresh.
# Only the project's own data folder (paths.data_dir()) is cached, and only where build/
# exists already (or in SCO_CACHE_DIR/data when that is set); SCO_DATA_CACHE=0 turns the
# cache off.

#: Entries kept in build/.cache/data/ (the oldest beyond this number are removed).
DATA_CACHE_SIZE = 400


@lru_cache(maxsize=8)
def _package_digest(data_dir: str, stamp: tuple) -> str:
    import hashlib
    import sys

    ddir = Path(data_dir)
    h = hashlib.sha256(f"sco data cache 1; Python {sys.version}; pandas {pd.__version__}\n".encode())
    for f in sorted(Path(__file__).resolve().parent.glob("*.py")):  # the rules: helpers.core
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    files = set(ddir.glob("*.csv")) | {_package_path(ddir)}
    for res in package(ddir).get("resources", []):
        if isinstance(res.get("path"), str):
            files.add(ddir / res["path"])
    for f in sorted(files):
        h.update(str(f.relative_to(ddir) if f.is_relative_to(ddir) else f).encode() + b"\0")
        h.update(f.read_bytes() + b"\0")
    return h.hexdigest()


def _disk_entry(name: str, ddir: Path, stamp: tuple) -> Path | None:
    """Where table ``name`` of this version of the data is kept, or None (no disk cache here)."""
    import os

    if os.environ.get("SCO_DATA_CACHE", "1") == "0":
        return None
    try:
        if ddir.resolve() != paths.data_dir().resolve():
            return None  # a scratch copy (the tests' damaged data): always validated
        shared = os.environ.get("SCO_CACHE_DIR")
        if shared:  # a cache shared by several build folders (the test suite's scratch builds)
            folder = Path(shared) / "data"
        else:
            build = paths.build_dir()
            if not build.is_dir():
                return None  # the cache never creates build/ (a plain notebook run at default parameters)
            folder = build / ".cache" / "data"
        digest = _package_digest(str(ddir), stamp)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError):
        return None  # unreadable files: validating says what is wrong
    return folder / f"{name}-{digest[:40]}.pkl"


def _disk_read(entry: Path) -> pd.DataFrame | None:
    import hashlib
    import pickle

    try:
        blob = entry.read_bytes()
    except OSError:
        return None
    digest, payload = blob[:32], blob[32:]
    if len(blob) <= 32 or hashlib.sha256(payload).digest() != digest:
        return None
    try:
        df = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - an entry that does not read back is only a miss
        return None
    return df if isinstance(df, pd.DataFrame) else None


def _disk_write(entry: Path, df: pd.DataFrame) -> None:
    import hashlib
    import pickle
    import uuid

    tmp = entry.with_name(f".{entry.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        payload = pickle.dumps(df, protocol=pickle.HIGHEST_PROTOCOL)
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(hashlib.sha256(payload).digest() + payload)
        tmp.replace(entry)
        entries = sorted(entry.parent.glob("*.pkl"), key=lambda f: f.stat().st_mtime_ns)
        for old in entries[:-DATA_CACHE_SIZE]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        pass  # a cache that cannot be written is only slower
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def load(name: str, *, data_dir: Path | None = None) -> pd.DataFrame:
    """Load one table, typed and validated.

    Parameters
    ----------
    name : str
        Table name in ``data/datapackage.json`` (e.g. ``"sco_events"``).
    data_dir : Path, optional
        Another data folder (the tests use damaged copies).

    Returns
    -------
    pandas.DataFrame
        A fresh copy: strings as pandas strings, integers as ``Int64``,
        numbers as ``Float64``, dates as ``datetime.date``; empty cells are
        missing values. ``df.attrs["table"]`` names the table.

    Raises
    ------
    DataValidationError
        Listing every problem with its file, line and column.
    """
    ddir = Path(data_dir or paths.data_dir()).resolve()
    # A table is re-validated when any file of the package changes, since its
    # foreign keys read other tables.
    stamp = tuple(sorted((p.name, _file_stamp(p)) for p in ddir.glob("*.csv")))
    stamp += (_file_stamp(_package_path(ddir)),)
    return _load_cached(name, str(ddir), stamp).copy()  # copy keeps attrs["table"]


def validate_all(data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """Load every table in the package; raise on the first table with problems."""
    return {name: load(name, data_dir=data_dir) for name in table_names(data_dir)}


def primary(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that do not record a disagreeing source (``variant_of`` empty).

    Every table with a ``variant_of`` column keeps one row per reading when
    sources disagree; charts draw these rows and list the others apart.
    """
    return frame[frame["variant_of"].isna()]


def variants(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Each disagreeing row next to the row it disagrees with.

    Returns one row per variant with the columns of both readings, suffixed
    ``_drawn`` (the row charts use) and ``_other`` (the variant).
    """
    other = frame[frame["variant_of"].notna()]
    merged = other.merge(frame, left_on="variant_of", right_on=key, how="left", suffixes=("_other", "_drawn"))
    merged["variant_of"] = merged["variant_of_other"]
    return merged.reset_index(drop=True)


def source_ids(*frames: pd.DataFrame) -> list[str]:
    """The distinct ``source_id`` values of the rows given, in first-seen order."""
    seen: dict[str, None] = {}
    for frame in frames:
        for sid in frame["source_id"].dropna():
            seen.setdefault(str(sid), None)
    return list(seen)


def cited_sources(*frames: pd.DataFrame) -> pd.DataFrame:
    """The sources table's rows for the sources cited by ``frames``, in first-cited order.

    For a chapter's closing list of sources: id, author, title, publisher,
    date, kind and URL (missing cells left empty).
    """
    ids = source_ids(*frames)
    table = load("sources").set_index("source_id")
    cols = ["author", "title", "publisher", "date", "kind", "url"]
    return table.loc[ids, cols].reset_index()


def kinds_phrase(cited: pd.DataFrame) -> str:
    """'12 sources; by kind: press 7, state media 5' for a list of cited sources (kinds in words, not codes)."""
    counts = cited["kind"].value_counts()
    return f"{len(cited)} sources; by kind: " + ", ".join(f"{kind_words(k)} {n}" for k, n in counts.items())


@row_check("claims")
def _claim_is_checked_or_says_what_is_needed(df: pd.DataFrame):
    """A claim either names its check (with a quantity and a tolerance rule) or says what data would settle it."""
    for i, row in df.iterrows():
        if pd.isna(row["check"]):
            if pd.isna(row["data_needed"]):
                yield i, "data_needed", "a claim without a check must say what data would settle it"
            continue
        for col in ("quantity", "tolerance_rule"):
            if pd.isna(row[col]):
                yield i, col, f"is empty, but the claim has the check {row['check']!r}"
        if row["tolerance_rule"] in ("at_most", "at_least", "around") and pd.isna(row["tolerance"]):
            yield i, "tolerance", f"rule {row['tolerance_rule']!r} needs a tolerance"


@row_check("claims")
def _claim_extract_is_short(df: pd.DataFrame):
    for i, text in df["as_printed"].items():
        n = sentence_count(str(text))
        if n > QUOTE_MAX_SENTENCES:
            yield i, "as_printed", f"has {n} sentences; an extract has at most {QUOTE_MAX_SENTENCES}"
