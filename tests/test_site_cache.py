"""The site build is cached on its inputs like the runs (issue 22, item 7).

A build records the hash of everything it read in ``.site-inputs.json``
inside the built site; a build asked to skip when nothing changed (the
command line's default) leaves that site alone, a change to any input (here
one file of ``data/``) builds again, and ``--force`` always builds. A failed
build leaves the previous site and its record as they were. Neither the
renderer's worker processes nor the pages and code sanitising remembered in
``build/.cache`` change a byte of the output.

The builds run on a scratch copy of the repository (``SCO_REPO_ROOT``) from
the committed notebooks, without slides, to keep the test short.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from helpers import site


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    for folder in ("notebooks", "data", "seminar", "figures"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name in ("LICENSE-DATA.md", "README.md", "CITATION.cff"):
        shutil.copyfile(ROOT / name, root / name)
    return root


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    """One build folder for the module: its caches (pages, thumbnails) serve every test after the first."""
    return tmp_path_factory.mktemp("build")


@pytest.fixture
def env(repo, build_dir, monkeypatch) -> Path:
    monkeypatch.setenv("SCO_REPO_ROOT", str(repo))
    monkeypatch.setenv("SCO_BUILD_DIR", str(build_dir))
    monkeypatch.delenv("SCO_DATA_DIR", raising=False)
    return build_dir


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def mtimes(folder: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def cli(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "helpers", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg", **extra_env},
        timeout=600,
    )


def test_unchanged_inputs_skip_the_build_and_a_changed_data_file_rebuilds(env, repo):
    lines: list[str] = []
    # the first build from the command line: a single-threaded process, so the chapters render on two
    # forked processes (in a test process other threads may be running, and the build then stays serial)
    proc = cli("site", "--from", "committed", "--no-slides", SCO_SITE_WORKERS="2")
    assert proc.returncode == 0, proc.stderr
    assert "up to date" not in proc.stdout
    first = env / "site"
    assert (first / site.STAMP).is_file()
    # the package's own files are inputs too; where others edit them meanwhile (a shared
    # checkout), build again until the site matches them, so the checks below see no change
    for _ in range(3):
        if site.up_to_date(source="committed", slides=False):
            break
        site.build(source="committed", slides=False, skip_if_unchanged=True, echo=lines.append)
    built = files(first)
    before = mtimes(first)

    # nothing changed: the command line says so, fast, and touches nothing
    start = time.perf_counter()
    proc = cli("site", "--from", "committed", "--no-slides")
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr
    assert "site up to date" in proc.stdout
    assert elapsed < 5, f"an up-to-date check took {elapsed:.1f} s"
    assert mtimes(first) == before

    # a file touched but not changed: still up to date (contents decide), and the record learns the new time
    codebook = repo / "data" / "CODEBOOK.md"
    os.utime(codebook, ns=(codebook.stat().st_atime_ns, codebook.stat().st_mtime_ns + 10**9))
    lines.clear()
    site.build(source="committed", slides=False, skip_if_unchanged=True, echo=lines.append)
    assert any("site up to date" in line for line in lines)
    record = json.loads((first / site.STAMP).read_text())["files"]
    assert record["data/CODEBOOK.md"][1] == codebook.stat().st_mtime_ns
    assert str(repo) not in (first / site.STAMP).read_text()  # no local folder names in a published site
    assert site.up_to_date(source="committed", slides=False)

    # another mode is another build
    assert not site.up_to_date(source="committed", slides=True)
    assert not site.up_to_date(source="committed", slides=False, teacher=True)

    # one data file changed: built again, in one process this time, with the change in it
    original = codebook.read_bytes()
    try:
        codebook.write_bytes(original + b"\nA line added by the site cache test.\n")
        assert not site.up_to_date(source="committed", slides=False)
        shutil.rmtree(env / ".cache" / "pages")  # every page rendered afresh, here in one process
        lines.clear()
        again = site.build(source="committed", slides=False, skip_if_unchanged=True, echo=lines.append, workers=1)
        assert not any("up to date" in line for line in lines)
        rebuilt = files(again)
        assert rebuilt["data/CODEBOOK.md"].endswith(b"A line added by the site cache test.\n")
        # every other byte the same, whether the chapters were rendered by two processes or one
        changed = {k for k in built.keys() | rebuilt.keys() if built.get(k) != rebuilt.get(k)}
        assert changed == {"data/CODEBOOK.md", site.STAMP}
        new_record = json.loads((again / site.STAMP).read_text())["files"]
        assert new_record["data/CODEBOOK.md"][2] != record["data/CODEBOOK.md"][2]  # the new contents recorded
    finally:
        codebook.write_bytes(original)

    # --force builds even when nothing changed; pages read back from build/.cache/pages are the same bytes
    assert any((env / ".cache" / "pages").glob("*.html"))
    proc = cli("site", "--from", "committed", "--no-slides", "--force")
    assert proc.returncode == 0, proc.stderr
    assert "up to date" not in proc.stdout
    forced = files(first)
    assert {k for k in built.keys() | forced.keys() if built.get(k) != forced.get(k)} <= {site.STAMP}


def test_a_failed_build_keeps_the_previous_site_and_its_record(env, monkeypatch):
    from helpers import course

    first = site.build(source="committed", slides=False, echo=lambda s: None)
    stamp = (first / site.STAMP).read_text()
    before = mtimes(first)

    def boom(*a, **k):
        raise RuntimeError("rendering failed on purpose")

    monkeypatch.setattr(course, "glossary_page_body", boom)
    with pytest.raises(RuntimeError, match="on purpose"):
        site.build(source="committed", slides=False, echo=lambda s: None)
    assert mtimes(first) == before
    assert (first / site.STAMP).read_text() == stamp
    assert not (env / ".tmp").exists()


def test_slides_built_alone_invalidate_the_record(env):
    first = site.build(source="committed", slides=True, echo=lambda s: None)
    assert site.up_to_date(source="committed", slides=True)
    site.build_slides(source="committed", echo=lambda s: None)
    assert not (first / site.STAMP).exists()
    assert not site.up_to_date(source="committed", slides=True)


def test_source_ids_found_in_one_pass_as_the_word_search_finds_them():
    ids = ["gao-2010", "gao-2010-ocr", "mfa-2024", "x1", "odd.id", "odd_id", "a-b"]
    pieces = ids + ["gao", "2010", "-", " ", ",", ".", "_", "(", ")", "\n", "ocr", "b", "a", "x", "1"]
    rng = random.Random(22)
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        expected = {s for s in ids if re.search(rf"(?<![A-Za-z0-9-]){re.escape(s)}(?![A-Za-z0-9-])", text)}
        assert site._ids_in(text, ids) == expected, text
