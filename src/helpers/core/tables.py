"""Read the data tables with the standard library, checking them on the way in.

The one reading path for ``data/*.csv``: :mod:`helpers.data` (typed pandas
frames, foreign keys, row checks) and :mod:`helpers.parameters` (allowed
values, fast, no pandas) both read through :func:`read_csv`, so every way a
file can be damaged gives the same message naming file, line and column:

* missing, a folder, unreadable, implausibly large;
* not UTF-8 (a UTF-8 byte-order mark, as Excel writes, is accepted);
* empty, or a header without data rows;
* CSV syntax: an unclosed quote, text after a closing quote, a row with more
  or fewer fields than the header, a NUL byte;
* and, with :func:`check_table`, columns that differ from the schema and
  cells that do not fit their field (a date like ``20x4``, a value outside
  its enum) -- the same field checks the data validator applies.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .errors import DataValidationError, Problem, problem, rel

PACKAGE_FILE = "datapackage.json"
#: Far above the largest table (about 0.3 MB); refused before reading.
MAX_TABLE_BYTES = 64 * 1024 * 1024


@dataclass
class Table:
    """A CSV file as text: header, rows of cells, and each row's line in the file."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # first line of each row (header is line 1, unless blank lines precede it)

    def records(self) -> list[dict[str, str]]:
        return [Row(zip(self.header, r), line=n) for r, n in zip(self.rows, self.lines)]


class Row(dict):
    """A row as ``{column: text}`` that knows its line in the file (``row.line``)."""

    __slots__ = ("line",)

    def __init__(self, items=(), line: int = 0):
        super().__init__(items)
        self.line = line


def _decode(path: Path, raw: bytes) -> str:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise problem(path, 1, None, "is UTF-16 text; save it as UTF-8 (CSV UTF-8 in Excel)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        prefix = raw[start : exc.start].decode("utf-8", errors="replace")
        header = raw[: raw.find(b"\n")].decode("utf-8-sig", errors="replace")
        column = None
        try:
            index = len(next(csv.reader([prefix]), [""])) - 1
            names = next(csv.reader([header]), [])
            column = names[index] if 0 <= index < len(names) else None
        except csv.Error:
            pass
        raise problem(
            path, line, column, f"byte 0x{raw[exc.start]:02x} is not UTF-8 text; save the file as UTF-8"
        ) from None


def read_csv(path: Path) -> Table:
    """Read one CSV file; raise :class:`DataValidationError` naming file, line and column for any damage."""
    path = Path(path)
    try:
        if path.is_dir():
            raise problem(path, None, None, "is a folder, not a CSV file")
        size = path.stat().st_size
        if size > MAX_TABLE_BYTES:
            raise problem(
                path,
                None,
                None,
                f"is {size / 2**20:.0f} MB; a table of this project is at most "
                f"{MAX_TABLE_BYTES // 2**20} MB (is it the right file?)",
            )
        with path.open("rb") as fh:
            raw = fh.read(MAX_TABLE_BYTES + 1)
    except FileNotFoundError:
        raise problem(path, None, None, "file not found") from None
    except OSError as exc:
        raise problem(path, None, None, f"cannot be read ({exc.strerror or exc})") from None
    text = _decode(path, raw)
    if not text.strip():
        raise problem(path, None, None, "is empty; it needs a header line and at least one data row")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise problem(path, line, None, "contains a NUL byte (is it a binary file?)")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            reason = str(exc)
            if "unexpected end of data" in reason or "newline inside string" in reason:
                reason = "a quoted value opened here is never closed"
            elif "expected after" in reason:
                reason = f'text after a closing quote ({reason}); double a quote inside a quoted value ("")'
            raise problem(path, start, None, f"is not valid CSV: {reason}") from None
        if not cells:
            continue  # a blank line
        if header is None:
            header = cells
            seen = set()
            for name in header:
                if name in seen:
                    raise problem(path, start, name, "the header names this column twice")
                seen.add(name)
            continue
        if len(cells) != len(header):
            col = header[len(cells)] if len(cells) < len(header) else None
            raise problem(
                path,
                start,
                col,
                f"has {len(cells)} field(s) but the header has {len(header)} "
                "(a comma inside a value needs quotes around the value)",
            )
        rows.append(cells)
        lines.append(start)
    assert header is not None  # text was not blank
    if not rows:
        raise problem(path, None, None, "has a header but no data rows")
    return Table(path, header, rows, lines)


# --- the descriptor ----------------------------------------------------------


def package(data_dir: Path) -> dict[str, Any]:
    """The data package descriptor (``datapackage.json``), or a DataValidationError."""
    path = Path(data_dir) / PACKAGE_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise problem(path, None, None, "file not found") from None
    except UnicodeDecodeError:
        raise problem(path, None, None, "is not UTF-8 text") from None
    except OSError as exc:
        raise problem(path, None, None, f"cannot be read ({exc.strerror or exc})") from None
    try:
        pkg = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataValidationError([Problem(rel(path), exc.lineno, None, f"not valid JSON ({exc.msg})")]) from None
    except RecursionError:
        raise problem(path, None, None, "not valid JSON (nested too deeply)") from None
    if not isinstance(pkg, dict) or not isinstance(pkg.get("resources"), list):
        raise problem(path, None, None, "is not a data package (no list of resources)")
    return pkg


def resource_of(pkg: dict[str, Any], name: str) -> dict[str, Any] | None:
    for res in pkg["resources"]:
        if isinstance(res, dict) and res.get("name") == name:
            return res
    return None


# --- field checks (Table Schema subset; see helpers.data) ---------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"^[+-]?\d+$")
_NUM = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_BOOL = {"true": True, "false": False}


def parse_cell(value: str, ftype: str) -> Any:
    """Parse one non-empty cell; raise ValueError with a reason."""
    if ftype == "string":
        return value
    if ftype == "integer":
        if not _INT.match(value) or len(value) > 30:
            raise ValueError(f"{value!r} is not an integer" if len(value) <= 30 else "is not a plausible integer")
        return int(value)
    if ftype == "number":
        if not _NUM.match(value) or len(value) > 60:
            raise ValueError(f"{value!r} is not a number (use '.' for decimals, no thousands separator)")
        return float(value)
    if ftype == "date":
        if not _DATE.match(value):
            raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a calendar date") from None
    if ftype == "boolean":
        if value not in _BOOL:
            raise ValueError(f"{value!r} is not true or false")
        return _BOOL[value]
    raise ValueError(f"unsupported field type {ftype!r} in the schema")


def _bound(value: Any, ftype: str) -> Any:
    return date.fromisoformat(str(value)) if ftype == "date" else value


def check_field(value: str, field: dict[str, Any]) -> tuple[Any, str | None]:
    """Return (parsed value or None, problem message or None)."""
    cons = field.get("constraints", {})
    if value == "":
        return None, ("is required but empty" if cons.get("required") else None)
    if value != value.strip():
        return None, f"{value!r} has leading or trailing spaces"
    try:
        parsed = parse_cell(value, field.get("type", "string"))
    except ValueError as exc:
        return None, str(exc)
    if "enum" in cons and value not in [str(v) for v in cons["enum"]]:
        return None, f"{value!r} is not one of: {', '.join(map(str, cons['enum']))}"
    if "pattern" in cons and not re.fullmatch(cons["pattern"], value):
        return None, f"{value!r} does not match the pattern {cons['pattern']!r}"
    ftype = field.get("type", "string")
    if "minimum" in cons and parsed < _bound(cons["minimum"], ftype):
        return None, f"{value} is below the plausible minimum {cons['minimum']}"
    if "maximum" in cons and parsed > _bound(cons["maximum"], ftype):
        return None, f"{value} is above the plausible maximum {cons['maximum']}"
    return parsed, None


def header_problem(where: str, header: list[str], expected: list[str]) -> Problem | None:
    """The data validator's message when a header differs from the schema's fields (``where``: the file)."""
    if list(header) == expected:
        return None
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    msg = "columns do not match the schema"
    if missing:
        msg += f"; missing: {', '.join(missing)}"
    if extra:
        msg += f"; unexpected: {', '.join(extra)}"
    if not missing and not extra:
        msg += f"; expected order: {', '.join(expected)}"
    return Problem(where, 1, None, msg)


def column_problem(table: Table, expected: list[str]) -> Problem | None:
    """:func:`header_problem` for a table read by :func:`read_csv`."""
    return header_problem(rel(table.path), table.header, expected)


def check_table(table: Table, res: dict[str, Any]) -> list[Problem]:
    """Columns and every cell against the table's schema (no foreign keys, no row checks)."""
    fields = res.get("schema", {}).get("fields", [])
    bad = column_problem(table, [f["name"] for f in fields])
    if bad:
        return [bad]
    where = rel(table.path)
    problems = []
    for j, field in enumerate(fields):
        for k, (cells, line) in enumerate(zip(table.rows, table.lines)):
            _, msg = check_field(cells[j], field)
            if msg:
                problems.append(Problem(where, line, field["name"], msg, row=k + 1))
    return problems
