"""The runner: planning, caching, parallel runs, atomic writes, refresh.

These tests run small fixture notebooks in a scratch repository (the real
chapters are exercised in test_notebooks.py), so they are quick and can
damage whatever they like.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from conftest import fixture_notebook as _fixture_notebook, tree_digest
from helpers import runner
from helpers.parameters import ParameterError


def _run(notebooks, overrides=None, **kw):
    jobs = runner.plan(notebooks, overrides or {})
    return runner.run_jobs(jobs, echo=lambda s: None, **kw)


def test_plan_rejects_bad_input_before_any_work(sandbox):
    with pytest.raises(ParameterError, match=r"'x' = 12 .*from 0 to 9"):
        runner.plan(["90_fixture"], {"x": 12})
    with pytest.raises(ParameterError, match=r"'y' .*declared parameter: x, fail"):
        runner.plan(["90_fixture"], {"y": 1})
    with pytest.raises(ParameterError, match=r"'notebook' = '99_nothing' .*90_fixture, 91_fixture"):
        runner.plan(["99_nothing"], {})
    assert not (sandbox / "build").exists()


def test_default_run_writes_build_folder_and_refreshes_figures(sandbox):
    [result] = _run(["90_fixture"])
    assert result.status == "ok", result.message
    out = sandbox / "build" / "90_fixture"
    assert {p.name for p in out.iterdir()} >= {"90_fixture.ipynb", "90_fixture.html", "params.yaml", "run.json"}
    record = json.loads((out / "run.json").read_text())
    assert record["parameters"] == {"x": 1, "fail": False} and record["default_parameters"]
    executed = nbformat.read(out / "90_fixture.ipynb", as_version=4)
    assert executed.cells[2].outputs[0]["text"] == "x is 1\n"
    assert "papermill" not in executed.metadata  # timings stripped: re-runs give the same file
    assert (sandbox / "figures" / "fixture_x1.png").exists()


def test_unchanged_inputs_are_not_run_again_and_changes_are(sandbox):
    assert _run(["90_fixture"])[0].status == "ok"
    assert _run(["90_fixture"])[0].status == "skipped"
    (sandbox / "data" / "sources.csv").write_text(
        (sandbox / "data" / "sources.csv").read_text() + "\n", encoding="utf-8")
    assert _run(["90_fixture"])[0].status == "ok"  # a data file changed
    assert _run(["90_fixture"], force=True)[0].status == "ok"


def test_other_parameters_go_to_their_own_folder_and_leave_figures_alone(sandbox):
    [result] = _run(["90_fixture"], {"x": 2})
    assert result.status == "ok", result.message
    assert result.job.out_name.startswith("90_fixture--") and len(result.job.out_name) == len("90_fixture--") + 8
    executed = nbformat.read(result.job.out_dir / "90_fixture.ipynb", as_version=4)
    assert any(o.get("text") == "x is 2\n" for c in executed.cells for o in c.get("outputs", []))
    assert (result.job.out_dir / "figures" / "fixture_x2.png").exists()
    assert not (sandbox / "figures" / "fixture_x2.png").exists()
    # the same parameters map to the same folder
    assert runner.plan(["90_fixture"], {"x": 2})[0].out_name == result.job.out_name


def test_a_failed_run_keeps_the_previous_good_output(sandbox):
    assert _run(["90_fixture"])[0].status == "ok"
    good = tree_digest(sandbox / "build" / "90_fixture")
    _fixture_notebook(sandbox / "notebooks" / "90_fixture.ipynb", body="raise ValueError('broken on purpose')")
    [result] = _run(["90_fixture"])
    assert result.status == "failed"
    assert "ValueError" in result.message and "broken on purpose" in result.message
    assert result.log.exists() and "broken on purpose" in result.log.read_text()
    assert tree_digest(sandbox / "build" / "90_fixture") == good
    assert not (sandbox / "build" / ".tmp").exists() or not any((sandbox / "build" / ".tmp").iterdir())


def test_runs_never_touch_data_or_committed_notebooks(sandbox):
    before = tree_digest(sandbox / "data"), tree_digest(sandbox / "notebooks")
    _run(["90_fixture", "91_fixture"])
    _run(["90_fixture"], {"x": 3})
    assert (tree_digest(sandbox / "data"), tree_digest(sandbox / "notebooks")) == before


def test_parallel_run_reports_each_notebook(sandbox):
    lines = []
    results = runner.run_jobs(runner.plan(None, {}), workers=2, echo=lines.append)
    assert sorted(r.status for r in results) == ["ok", "ok"]
    assert any("on 2 worker(s)" in line for line in lines)
    assert sum(line.startswith(("[1/2] ok", "[2/2] ok")) for line in lines) == 2


def test_refresh_rewrites_the_committed_notebook_in_place(sandbox):
    path = sandbox / "notebooks" / "90_fixture.ipynb"
    assert not nbformat.read(path, as_version=4).cells[2].outputs
    jobs = runner.plan(["90_fixture"], {}, refresh=True)
    assert runner.run_jobs(jobs, force=True, echo=lambda s: None)[0].status == "ok"
    refreshed = nbformat.read(path, as_version=4)
    assert refreshed.cells[2].outputs[0]["text"] == "x is 1\n"
    assert [c.execution_count for c in refreshed.cells if c.cell_type == "code"] == [1, 2]
    with pytest.raises(ParameterError, match="refresh re-executes at default parameters"):
        runner.plan(["90_fixture"], {"x": 2}, refresh=True)
