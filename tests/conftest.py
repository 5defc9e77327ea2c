"""Shared fixtures (the figure folder is redirected in the root conftest.py)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

from helpers import parameters
from helpers.core.parameters import NotebookSpec, Param

ROOT = Path(__file__).resolve().parents[1]

#: Parameter sets each property-based test (tests/test_props_*.py) draws per chapter, unless
#: SCO_PROP_EXAMPLES says otherwise: a few for a contributor's quick loop (issue 22: `make test`
#: under a minute); CI (.ci/run) sets 200, so every change is still tried on many draws.
#: This file is loaded before the test modules, which read the variable on import.
LOCAL_PROP_EXAMPLES = "8"
os.environ.setdefault("SCO_PROP_EXAMPLES", LOCAL_PROP_EXAMPLES)

#: Validated data tables (helpers.core.data) shared by every scratch build folder of this test
#: process and the kernels it starts: each of them would otherwise validate the same tables again.
#: A damaged table is another key, so it is still validated and refused.
_CACHE = tempfile.mkdtemp(prefix="sco-test-cache-")
os.environ.setdefault("SCO_CACHE_DIR", _CACHE)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_CACHE, ignore_errors=True)


def tree_digest(folder: Path) -> str:
    """One hash over every file's path and bytes under a folder."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def edit_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV in a scratch data folder (row counts data rows from 0)."""
    import csv

    path = folder / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
        fields = list(rows[0].keys())
    rows[row][column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def load_error(folder: Path, table: str) -> str:
    """The validator's message for a table of a scratch data folder (the test fails if it loads)."""
    from helpers import data
    from helpers.core.data import DataValidationError

    with pytest.raises(DataValidationError) as info:
        data.load(table, data_dir=folder)
    return str(info.value)


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A scratch copy of data/ that a test may damage."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


def fixture_notebook(path, body="print('x is', x)"):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("x = 1  # an integer from 0 to 9\nfail = False")
    params.metadata["tags"] = ["parameters"]
    work = nbformat.v4.new_code_cell(
        "import os, pathlib\n"
        "if fail:\n"
        "    raise RuntimeError('fixture failure requested')\n"
        "pathlib.Path(os.environ['SCO_FIGURES_DIR'], f'fixture_x{x}.png').write_bytes(b'not really a png')\n" + body
    )
    nb.cells = [nbformat.v4.new_markdown_cell("# Fixture"), params, work]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A scratch repository with two fixture notebooks and a copy of data/."""
    (tmp_path / "notebooks").mkdir()
    for name in ("90_fixture", "91_fixture"):
        fixture_notebook(tmp_path / "notebooks" / f"{name}.ipynb")
        spec = NotebookSpec(
            name, (Param("x", "int", "a digit", minimum=0, maximum=9), Param("fail", "bool", "raise on purpose"))
        )
        monkeypatch.setitem(parameters.SPECS, name, spec)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.setenv("SCO_REPO_ROOT", str(tmp_path))
    monkeypatch.delenv("SCO_BUILD_DIR", raising=False)
    monkeypatch.delenv("SCO_DATA_DIR", raising=False)
    return tmp_path
