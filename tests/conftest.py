"""Shared fixtures (the figure folder is redirected in the root conftest.py)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from helpers import parameters
from helpers.core.parameters import NotebookSpec, Param

ROOT = Path(__file__).resolve().parents[1]

#: Where PYTHONDONTWRITEBYTECODE is set (some sandboxes and CI images set it), every test process
#: would rewrite every test module's asserts and every kernel would compile the helpers from source
#: again: about 3 s per test process and a few tenths of a second per kernel. The suite then keeps
#: its byte code under build/.pycache instead (never beside the sources), for itself and for the
#: kernels and subprocesses it starts. Python checks each cached file against its source, so an
#: edited module is compiled again. Elsewhere nothing changes (the usual __pycache__ folders).
if os.environ.get("PYTHONDONTWRITEBYTECODE") and os.environ.get("SCO_TEST_BYTECODE", "1") != "0":
    _PYCACHE = str(ROOT / "build" / ".pycache")
    os.environ.pop("PYTHONDONTWRITEBYTECODE")
    os.environ["PYTHONPYCACHEPREFIX"] = _PYCACHE
    sys.dont_write_bytecode = False
    sys.pycache_prefix = _PYCACHE

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


def _make_sandbox(root: Path, monkeypatch) -> Path:
    (root / "notebooks").mkdir()
    for name in ("90_fixture", "91_fixture"):
        fixture_notebook(root / "notebooks" / f"{name}.ipynb")
        spec = NotebookSpec(
            name, (Param("x", "int", "a digit", minimum=0, maximum=9), Param("fail", "bool", "raise on purpose"))
        )
        monkeypatch.setitem(parameters.SPECS, name, spec)
    shutil.copytree(ROOT / "data", root / "data")
    monkeypatch.setenv("SCO_REPO_ROOT", str(root))
    monkeypatch.delenv("SCO_BUILD_DIR", raising=False)
    monkeypatch.delenv("SCO_DATA_DIR", raising=False)
    return root


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A scratch repository with two fixture notebooks and a copy of data/."""
    return _make_sandbox(tmp_path, monkeypatch)


@pytest.fixture(scope="session")
def default_fixture_run(tmp_path_factory) -> Path:
    """A scratch repository like ``sandbox``'s after one default run of 90_fixture (made once per process).

    Tests that only need *a previous good result* to damage (tests/test_runner_faults.py) copy its
    build/ and figures/ with :func:`with_default_run` instead of starting a kernel each: the copy is
    what the same run in their own sandbox writes, since the notebooks, data and parameters are the
    same bytes (the fixture notebooks are copied too: nbformat gives new cells random ids) and the
    runner's records hold no absolute path (its input hash is taken over paths relative to the
    repository). The run itself is checked here as the tests checked it.
    """
    from helpers import runner

    root = tmp_path_factory.mktemp("default-run")
    with pytest.MonkeyPatch.context() as mp:
        _make_sandbox(root, mp)
        [r] = runner.run_jobs(runner.plan(["90_fixture"], {}), echo=lambda s: None)
        assert r.status == "ok", r.message
        assert runner.is_up_to_date(r.job)
    return root


def with_default_run(sandbox: Path, golden: Path) -> str:
    """Put the default run of ``golden`` (see default_fixture_run) into ``sandbox``; the digest of its output."""
    from helpers import runner

    for nb in (golden / "notebooks").glob("*.ipynb"):  # the same notebooks, but new cells get random ids
        shutil.copyfile(nb, sandbox / "notebooks" / nb.name)
    shutil.copytree(golden / "build", sandbox / "build", symlinks=True)
    shutil.copytree(golden / "figures", sandbox / "figures")
    [job] = runner.plan(["90_fixture"], {})
    assert runner.is_up_to_date(job), "the copied run should be current in this sandbox too"
    return tree_digest(sandbox / "build" / "90_fixture")


# --- the order files run in, and the `slow` marker ------------------------------------------------

#: Test files that take longest (about, in seconds of one test process, with SCO_PROP_EXAMPLES=8).
#: `make test` passes --no-loadscope-reorder, so pytest-xdist hands out files in collection order:
#: these go first, longest first, and the short files fill in at the end, so neither process
#: waits long for the other (by default xdist orders files by their number of tests, which
#: put a few long files last).
LONG_FILES = {
    "tests/test_notebooks.py": 50,
    "tests/test_site.py": 40,
    "tests/test_props_03.py": 38,
    "tests/test_hostile_inputs.py": 38,
    "tests/test_runner.py": 32,
    "tests/test_props_02.py": 24,
    "tests/test_site_cache.py": 23,
    "tests/test_props_05.py": 20,
    "tests/test_escaping.py": 19,
    "tests/test_props_04.py": 17,
    "tests/test_props_01.py": 15,
    "tests/test_dask.py": 13,
    "tests/test_props_06.py": 12,
    "tests/test_tables_figures.py": 10,
    "tests/test_claims.py": 10,
    "tests/test_sweep.py": 7,
    "notebooks/03_trade.ipynb": 6,
    "notebooks/02_xi_trips.ipynb": 6,
    "notebooks/05_analyst_views.ipynb": 5,
    "tests/test_runner_faults.py": 5,
}

#: Files whose every test runs a chapter (in a kernel or in this process) or a browser.
SLOW_FILES = {
    "tests/test_notebooks.py",
    "tests/test_site.py",
    "tests/test_site_cache.py",
    "tests/test_escaping.py",
    "tests/test_slides_tall_figures.py",
    "tests/test_trips_text_size.py",
}

#: Fixtures that start a kernel, a browser, a cluster or build a site.
SLOW_FIXTURES = {
    "sandbox",
    "default_fixture_run",
    "built_site",
    "teacher_site",
    "browser",
    "cluster",
    "hostile_site",
    "hostile_root",
}


def _is_slow(item) -> bool:
    path = item.nodeid.split("::")[0]
    if not path.startswith("tests/") or path in SLOW_FILES:  # nbval: a kernel per notebook
        return True
    code = getattr(getattr(item, "obj", None), "__code__", None)
    if code is not None and "run_chapter" in code.co_names:
        return True  # a chapter run in this process
    if path.startswith("tests/test_props_") and hasattr(item.obj, "hypothesis"):
        return True  # Hypothesis draws several chapter runs
    if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    name = item.nodeid.split("::")[-1]
    return any(word in name for word in ("papermill", "kernel", "command_line", "wrapper", "closed_pipe"))


def pytest_collection_modifyitems(session, config, items):
    """Mark the slow tests (``make test-fast`` leaves them out) and put the longest files first."""
    slow = pytest.mark.slow
    for item in items:
        if _is_slow(item):
            item.add_marker(slow)
    first_seen: dict[str, int] = {}
    for i, item in enumerate(items):
        first_seen.setdefault(item.nodeid.split("::")[0], i)
    items.sort(key=lambda it: (-LONG_FILES.get(it.nodeid.split("::")[0], 0), first_seen[it.nodeid.split("::")[0]]))
