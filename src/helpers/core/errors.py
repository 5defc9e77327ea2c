"""The data validator's error, importable without pandas.

Both the validated loader (:mod:`helpers.data`, which needs pandas) and the
parameter layer (:mod:`helpers.parameters`, which must stay fast and import
only the standard library) report damaged data the same way, so the class
lives here; ``helpers.data`` re-exports it.

Every problem reads ``file, line N (data row M), column 'c': message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import paths

MAX_REPORTED = 25


@dataclass(frozen=True)
class Problem:
    """One validation problem at a place in a file."""

    file: str
    line: int | None  # line in the CSV file (header is line 1)
    column: str | None
    message: str
    row: int | None = None  # data row, when it is not simply line - 1 (blank or multi-line rows above)

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            n = self.row if self.row is not None else self.line - 1
            row = f" (data row {n})" if self.line > 1 and n > 0 and self.file.endswith(".csv") else ""
            where.append(f"line {self.line}{row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class DataValidationError(ValueError):
    """A table does not match its schema (or cannot be read); ``problems`` lists every finding."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n  ".join(str(p) for p in problems[:MAX_REPORTED])
        more = len(problems) - MAX_REPORTED
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{len(problems)} problem(s) in the data:\n  {shown}{tail}")

    def __reduce__(self):  # picklable across worker processes
        return (type(self), (self.problems,))


def rel(path: Path) -> str:
    """A path as the user knows it: relative to the repository when inside it."""
    try:
        return str(Path(path).resolve().relative_to(paths.repo_root()))
    except (ValueError, OSError):
        return str(path)


def problem(path: Path, line: int | None, column: str | None, message: str) -> DataValidationError:
    """One problem as an error, ready to raise."""
    return DataValidationError([Problem(rel(path), line, column, message)])
