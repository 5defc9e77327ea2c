"""Parameter sweeps: one variant per group, a report each and an index page.

Run against small fixture notebooks in a scratch repository (the ``sandbox``
fixture), so they are quick; the seminar's real groups files are only
planned (validated), which is what a bad file would fail.
"""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT, tree_digest
from helpers import runner, sweep
from helpers.core.parameters import ParameterError


def _groups(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, match",
    [
        ("- x: 1\n", "a non-empty YAML mapping of group name"),
        ("", "a non-empty YAML mapping"),
        ("Group A:\n  x: 1\n", "'group name' = 'Group A'"),
        ("a:\n  - 1\n", r"group 'a'"),
        ("a: {x: [1\n", "valid YAML"),
    ],
)
def test_a_bad_groups_file_is_refused_naming_the_problem(sandbox, tmp_path, text, match):
    path = _groups(tmp_path / "g.yaml", text)
    with pytest.raises(ParameterError, match=match):
        sweep.load_groups(path)


def test_a_missing_file_is_named(sandbox, tmp_path):
    with pytest.raises(ParameterError, match=r"'-f' = '.*nope.yaml' .*an existing YAML file"):
        sweep.load_groups(tmp_path / "nope.yaml")


def test_a_bad_value_names_the_group_and_nothing_runs(sandbox, tmp_path):
    path = _groups(tmp_path / "g.yaml", "fine:\n  x: 1\nbroken:\n  x: 12\n")
    with pytest.raises(ParameterError, match=r"'x' in group 'broken' = 12 .*from 0 to 9"):
        sweep.run("90_fixture", path, echo=lambda s: None)
    assert not (sandbox / "build").exists()


def test_each_group_gets_a_report_and_the_index_links_them(sandbox, tmp_path):
    before = tree_digest(sandbox / "data"), tree_digest(sandbox / "notebooks")
    path = _groups(
        tmp_path / "groups.yaml",
        "# Shared question\n\n# Group 1: three\nthree:\n  x: 3\nfive:\n  x: 5\nalso-three:\n  x: 3\ndefaults:\n",
    )
    lines = []
    assert sweep.run("90_fixture", path, echo=lines.append) == 0
    assert "4 group(s), 3 distinct variant(s) of 90_fixture" in lines[0]
    out = sandbox / "build" / "sweeps" / "90_fixture--groups"
    assert "x is 3" in (out / "three.html").read_text()
    assert "x is 3" in (out / "also-three.html").read_text()
    assert "x is 5" in (out / "five.html").read_text()
    assert "x is 1" in (out / "defaults.html").read_text()
    for name in ("three", "defaults"):  # a default run's page is made again for the sweep's depth
        assert 'href="../../site/index.html"' in (out / f"{name}.html").read_text()
    index = (out / "index.html").read_text()
    for name in ("three", "five", "also-three", "defaults"):
        assert f'href="{name}.html"' in index
    assert "<code>x</code> = 5" in index
    assert '<strong>three</strong><br><span class="note">Group 1: three</span>' in index  # a comment as task
    assert "Shared question" not in index
    assert "records no key outputs yet" in index
    assert (out / "groups.yaml").read_text() == path.read_text()
    assert (tree_digest(sandbox / "data"), tree_digest(sandbox / "notebooks")) == before
    # a second sweep reuses the runs (the runner's cache)
    lines.clear()
    assert sweep.run("90_fixture", path, echo=lines.append) == 0
    assert any("up to date" in line for line in lines)


def test_a_failed_group_keeps_its_previous_report_and_the_index_says_so(sandbox, tmp_path):
    path = _groups(tmp_path / "groups.yaml", "a:\n  x: 2\nb:\n  x: 4\n")
    assert sweep.run("90_fixture", path, echo=lambda s: None) == 0
    out = sandbox / "build" / "sweeps" / "90_fixture--groups"
    good = (out / "b.html").read_text()
    path.write_text("a:\n  x: 2\nb:\n  x: 4\n  fail: true\n")
    assert sweep.run("90_fixture", path, echo=lambda s: None) == 1
    assert (out / "b.html").read_text() == good
    index = (out / "index.html").read_text()
    assert "FAILED" in index and "previous report kept" in index and "fixture failure requested" in index


def test_runs_in_parallel_on_two_workers(sandbox, tmp_path):
    path = _groups(tmp_path / "groups.yaml", "one:\n  x: 6\ntwo:\n  x: 7\n")
    lines = []
    assert sweep.run("90_fixture", path, workers=2, echo=lines.append) == 0
    assert any("on 2 worker(s)" in line for line in lines)


def test_the_command_line_refuses_a_bad_file_fast(tmp_path):
    path = _groups(tmp_path / "g.yaml", "kaz:\n  countries: [KAZ, XXX]\n")
    proc = subprocess.run(
        [sys.executable, "-m", "helpers", "sweep", "03_trade", "-f", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2, proc.stderr
    assert "'countries' in group 'kaz'" in proc.stderr and "XXX" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_seminar_groups_files_are_valid():
    files = sorted((ROOT / "seminar" / "sweeps").glob("*.yaml"))
    chapters = runner.list_notebooks()
    assert sorted(f.stem for f in files) == chapters, "one groups file per chapter"
    for f in files:
        groups = sweep.plan(f.stem, sweep.load_groups(f))
        assert 3 <= len(groups) <= 6, f.name
        assert len({g.job.out_name for g in groups}) == len(groups), f"{f.name}: two groups have the same parameters"


def test_question_and_tasks_are_shown_and_never_passed_as_parameters(sandbox, tmp_path):
    nb_path = sandbox / "notebooks" / "90_fixture.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    cell = nbformat.v4.new_code_cell("from helpers import runner\nrunner.show_key_outputs({'x doubled': 2 * x})")
    cell.metadata["tags"] = ["key-outputs"]
    nb.cells.append(cell)
    nbformat.write(nb, nb_path)
    path = _groups(
        tmp_path / "groups.yaml",
        "question: Does <x> matter & how?\ntwo:\n  task: Look at <b>two</b>\n  x: 2\neight:\n  task: Eight\n  x: 8\n",
    )
    spec = sweep.read_groups_file(path)
    assert spec.question == "Does <x> matter & how?"
    assert spec.groups == {"two": {"x": 2}, "eight": {"x": 8}}
    assert spec.tasks == {"two": "Look at <b>two</b>", "eight": "Eight"}
    assert sweep.run("90_fixture", path, echo=lambda s: None) == 0
    out = sandbox / "build" / "sweeps" / "90_fixture--groups"
    index = (out / "index.html").read_text()
    assert "Does &lt;x&gt; matter &amp; how?" in index and "<x>" not in index
    assert "Look at &lt;b&gt;two&lt;/b&gt;" in index and "<b>two</b>" not in index
    assert "<th>x doubled</th>" in index
    assert '<tr><td><strong>two</strong></td><td class="num">4</td></tr>' in index
    assert '<tr><td><strong>eight</strong></td><td class="num">16</td></tr>' in index
    page = (out / "two.html").read_text()
    assert "Does &lt;x&gt; matter &amp; how?" in page and "Look at &lt;b&gt;two&lt;/b&gt;" in page
    assert "<b>two</b>" not in page and "x is 2" in page


@pytest.mark.parametrize(
    "text, match",
    [
        ("question: [a, b]\na:\n  x: 1\n", "'question' = \\['a', 'b'\\]"),
        ("question: only a question\n", "a non-empty YAML mapping"),
        ("a:\n  task: {x: 1}\n  x: 1\n", "'task' in group 'a'"),
    ],
)
def test_bad_question_or_task_is_refused(sandbox, tmp_path, text, match):
    with pytest.raises(ParameterError, match=match):
        sweep.read_groups_file(_groups(tmp_path / "g.yaml", text))


def test_an_unknown_chapter_is_named_not_blamed_on_a_group(sandbox, tmp_path):
    path = _groups(tmp_path / "g.yaml", "a:\n  x: 1\n")
    with pytest.raises(ParameterError) as info:
        sweep.run("99_nothing", path, echo=lambda s: None)
    assert "'notebook' = '99_nothing'" in str(info.value) and "group" not in str(info.value)


def test_every_seminar_group_has_the_question_and_a_task():
    for f in sorted((ROOT / "seminar" / "sweeps").glob("*.yaml")):
        spec = sweep.read_groups_file(f)
        assert len(spec.question) > 20, f.name
        assert all(len(spec.tasks[g]) > 5 for g in spec.groups), f.name
        assert not any("task" in v or "question" in v for v in spec.groups.values())
