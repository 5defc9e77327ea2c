"""The runner: planning, caching, parallel runs, atomic writes, refresh.

These tests run small fixture notebooks in a scratch repository (the real
chapters are exercised in test_notebooks.py), so they are quick and can
damage whatever they like.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from conftest import fixture_notebook as _fixture_notebook
from conftest import tree_digest
from helpers import runner
from helpers.core.parameters import ParameterError


def _run(notebooks, overrides=None, name=None, **kw):
    jobs = runner.plan(notebooks, overrides or {}, name=name)
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
        (sandbox / "data" / "sources.csv").read_text() + "\n", encoding="utf-8"
    )
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


# --- issue 16: runs a student can follow --------------------------------------------


def _notebook_with_sections(path, body_cells):
    """A fixture notebook with headed sections; body_cells: (heading or None, code) pairs."""
    _fixture_notebook(path)
    nb = nbformat.read(path, as_version=4)
    for heading, code in body_cells:
        if heading:
            nb.cells.append(nbformat.v4.new_markdown_cell(f"## {heading}"))
        nb.cells.append(nbformat.v4.new_code_cell(code))
    nbformat.write(nb, path)


def test_named_and_other_runs_go_under_build_runs_and_are_listed(sandbox):
    [named] = _run(["90_fixture"], {"x": 3}, name="my-first_run")
    [other] = _run(["90_fixture"], {"x": 4})
    [default] = _run(["90_fixture"])
    assert named.status == other.status == default.status == "ok"
    assert named.job.out_dir == sandbox / "build" / "runs" / "my-first_run"
    assert other.job.out_dir == sandbox / "build" / "runs" / other.job.out_name
    assert default.job.out_dir == sandbox / "build" / "90_fixture"
    assert not (sandbox / "figures" / "fixture_x3.png").exists()  # a named run never refreshes figures/
    index = (sandbox / "build" / "runs" / "index.html").read_text()
    assert '<a href="my-first_run/90_fixture.html">' in index
    assert f'<a href="{other.job.out_name}/90_fixture.html">' in index
    assert '<a href="../90_fixture/90_fixture.html">' in index
    assert "<code>x</code> = 3" in index and "<code>x</code> = 4" in index
    # every run page links back to the site, from wherever it sits
    assert 'href="../../site/index.html"' in (named.job.out_dir / "90_fixture.html").read_text()
    assert 'href="../site/index.html"' in (default.job.out_dir / "90_fixture.html").read_text()


@pytest.mark.parametrize("name", ["Upper", "has space", "../up", "", "-dash-first", "x" * 61])
def test_a_bad_run_name_is_refused(sandbox, name):
    with pytest.raises(ParameterError, match="'--name'"):
        runner.plan(["90_fixture"], {}, name=name)
    with pytest.raises(ParameterError, match="exactly one notebook"):
        runner.plan(None, {}, name="fine")


def test_the_runs_index_escapes_text_and_shows_failures(sandbox):
    [ok] = _run(["90_fixture"], {"x": 5})
    [bad] = _run(["90_fixture"], {"x": 6, "fail": True})
    assert bad.status == "failed" and not bad.kept
    record = json.loads((bad.log.parent / "failed.json").read_text())
    record["message"] = "<script>alert(1)</script>"
    (bad.log.parent / "failed.json").write_text(json.dumps(record))
    html_text = runner.runs_index_html(runner.collect_runs())
    assert "<script>" not in html_text and "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    assert f"../.failed/{bad.job.out_name}/log.txt" in html_text and ">failed<" in html_text


def test_progress_names_each_code_cell_and_its_section(sandbox):
    _notebook_with_sections(
        sandbox / "notebooks" / "90_fixture.ipynb",
        [("6. The mirror gap between the two sides' statistics", "y = 2"), (None, "z = 3")],
    )
    lines = []
    [r] = runner.run_jobs(runner.plan(["90_fixture"], {"x": 2}), echo=lines.append)
    assert r.status == "ok", r.message
    cells = [line for line in lines if line.lstrip().startswith("[") and "/5]" in line]
    # parameters, injected parameters, work, and the two cells of section 6
    assert [c.split("]")[0].strip() for c in cells] == ["[1/5", "[2/5", "[3/5", "[4/5", "[5/5"]
    assert cells[0].strip().startswith("[1/5] Fixture  (") and cells[0].endswith(" s)")
    assert "[4/5] 6. The mirror gap between the two sides'…  (" in cells[3]
    assert "[5/5] 6. The mirror gap" in cells[4]


def test_a_failure_names_the_cell_as_the_reader_sees_it(sandbox):
    _notebook_with_sections(
        sandbox / "notebooks" / "90_fixture.ipynb",
        [("3. Growth", "y = 2"), ("4. Index", "raise KeyError('base year')")],
    )
    [r] = _run(["90_fixture"], {"x": 2})
    assert r.status == "failed"
    # cells: parameters [1], injected [2], work [3], "y = 2" [4], the failing cell [5]
    assert r.message.startswith("In [5] (section “4. Index”): KeyError:"), r.message
    assert "cell 5" not in r.message and "cell 6" not in r.message


def test_key_outputs_are_read_from_tagged_json_cells(sandbox):
    _notebook_with_sections(
        sandbox / "notebooks" / "90_fixture.ipynb",
        [
            ("Key outputs", "from helpers import runner\nrunner.show_key_outputs({'x squared': x * x, 'label': 'ok'})"),
            (
                None,
                "from IPython.display import display\n"
                "display({'application/json': {'not key': 1}, 'text/plain': 'untagged'}, raw=True)",
            ),
        ],
    )
    nb = nbformat.read(sandbox / "notebooks" / "90_fixture.ipynb", as_version=4)
    nb.cells[-2].metadata["tags"] = ["key-outputs"]
    nbformat.write(nb, sandbox / "notebooks" / "90_fixture.ipynb")
    [r] = _run(["90_fixture"], {"x": 3})
    assert r.status == "ok", r.message
    executed = nbformat.read(r.job.out_dir / "90_fixture.ipynb", as_version=4)
    assert runner.key_outputs(executed) == {"x squared": 9, "label": "ok"}
    assert json.loads((r.job.out_dir / "run.json").read_text())["key_outputs"] == {"x squared": 9, "label": "ok"}
    shown = [o for o in executed.cells[-2].outputs if "text/plain" in o.get("data", {})]
    assert shown[0]["data"]["text/plain"] == "x squared: 9\nlabel: ok"
    assert runner.key_outputs(nbformat.v4.new_notebook()) == {}


FIGURE_CELL = """\
from helpers import parameters, paths, style
from helpers.core.parameters import NotebookSpec, Param
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
parameters.SPECS["90_fixture"] = NotebookSpec("90_fixture", (Param("x", "int", "a digit", minimum=0, maximum=9),
                                                              Param("fail", "bool", "raise on purpose")))
p = parameters.validate("90_fixture", globals())
where = paths.set_run("90_fixture", p)
fig, ax = plt.subplots()
ax.plot([0, 1], [0, x])
style.add_source(fig, "gao2010")
style.save_figure(fig, "fixture_line", formats=("svg",))
style.save_figure(fig, "fixture_line_explicit", formats=("svg",), folder=paths.repo_root() / "figures")
print(where)
"""


def _papermill(sandbox, tmp_path, params):
    import papermill as pm

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1\nfail = False")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell(FIGURE_CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, sandbox / "notebooks" / "90_fixture.ipynb")
    pm.execute_notebook(
        str(sandbox / "notebooks" / "90_fixture.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters=params,
        kernel_name="python3",
        progress_bar=False,
    )


def test_a_non_default_papermill_run_leaves_figures_untouched(sandbox, tmp_path, monkeypatch):
    monkeypatch.delenv("SCO_FIGURES_DIR", raising=False)
    figures = sandbox / "figures"
    figures.mkdir()
    (figures / "fixture_line.svg").write_text("the committed figure")
    before = tree_digest(figures)
    _papermill(sandbox, tmp_path, {"x": 4})  # plain papermill: no runner, no SCO_FIGURES_DIR
    assert tree_digest(figures) == before
    variant = sandbox / "build" / "runs" / f"90_fixture--{runner.paths.variant_hash({'x': 4, 'fail': False})}"
    assert sorted(p.name for p in (variant / "figures").iterdir()) == [
        "fixture_line.csv",
        "fixture_line.svg",
        "fixture_line_explicit.csv",
        "fixture_line_explicit.svg",
    ]  # + data CSVs


def test_a_default_papermill_run_writes_figures(sandbox, tmp_path, monkeypatch):
    monkeypatch.delenv("SCO_FIGURES_DIR", raising=False)
    _papermill(sandbox, tmp_path, {})
    assert (sandbox / "figures" / "fixture_line.svg").exists()
    assert not (sandbox / "build").exists()


def test_a_heading_displayed_by_code_names_the_section(sandbox):
    _notebook_with_sections(
        sandbox / "notebooks" / "90_fixture.ipynb",
        [
            ("3. Growth", "from IPython.display import Markdown, display\ndisplay(Markdown(f'## 4. Index to {x}'))"),
            (None, "raise KeyError('base year')"),
        ],
    )
    [r] = _run(["90_fixture"], {"x": 2})
    assert r.message.startswith("In [5] (section “4. Index to 2”): KeyError:"), r.message


def test_figure_destination_follows_the_parameters_used(sandbox, monkeypatch, tmp_path):
    from helpers import paths

    monkeypatch.delenv("SCO_FIGURES_DIR", raising=False)
    committed = sandbox / "figures"
    try:
        paths.clear_run()
        assert paths.figures_dir() == committed  # no run recorded: a script
        assert paths.set_run("90_fixture", {"x": 1, "fail": False}) == committed
        variant = paths.variant_dir("90_fixture", {"x": 5, "fail": False}) / "figures"
        assert paths.set_run("90_fixture", {"x": 5, "fail": False, "other_global": 3}) == variant
        assert variant.parent == sandbox / "build" / "runs" / runner.plan(["90_fixture"], {"x": 5})[0].out_name
        assert paths.figures_dir(committed) == variant  # even when asked for figures/ explicitly
        assert paths.figures_dir(committed / "sub") == variant
        monkeypatch.setenv("SCO_FIGURES_DIR", str(committed))
        assert paths.figures_dir() == variant  # or through the environment
        monkeypatch.setenv("SCO_FIGURES_DIR", str(tmp_path / "scratch"))
        assert paths.figures_dir() == tmp_path / "scratch"  # the runner's (or the tests') folder
        assert paths.figures_dir(tmp_path / "mine") == tmp_path / "mine"
    finally:
        paths.clear_run()


# --- speed without changing outputs (issue 22) --------------------------------------------

SAVED_ONCE = """
import matplotlib.pyplot as plt
from helpers import style
style.apply()
fig, ax = plt.subplots()
ax.plot([0, 1], [0, x])
style.add_source(fig, "gao2010")
style.save_figure(fig, "fixture_once", formats=("png",))
plt.show()
fig, ax = plt.subplots()
ax.plot([0, 1], [1, 0])
style.add_source(fig, "gao2010")
style.save_figure(fig, "fixture_changed", formats=("png",))
ax.set_title("changed after saving")
plt.show()
"""


def test_a_saved_figure_is_shown_with_its_saved_png_unless_changed_after_saving(sandbox):
    import base64

    _fixture_notebook(sandbox / "notebooks" / "90_fixture.ipynb", body=SAVED_ONCE)
    [result] = _run(["90_fixture"], {"x": 3})
    assert result.status == "ok", result.message
    executed = nbformat.read(result.job.out_dir / "90_fixture.ipynb", as_version=4)
    shown = [o for c in executed.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(shown) == 2
    once, changed = (base64.b64decode(o["data"]["image/png"]) for o in shown)
    figures = result.job.out_dir / "figures"
    # the file's bytes, shown at the size the kernel's own image would have (figure.dpi over savefig.dpi)
    assert once == (figures / "fixture_once.png").read_bytes()
    size = shown[0]["metadata"]["image/png"]
    assert size["width"] < int.from_bytes(once[16:20], "big") and size["height"] < int.from_bytes(once[20:24], "big")
    assert shown[0]["metadata"]["sco_figure"]["name"] == "fixture_once"
    # a figure edited after it was saved is drawn again, as it is now
    assert changed != (figures / "fixture_changed.png").read_bytes()
    assert "image/png" not in shown[1].get("metadata", {})


def test_validated_tables_are_reused_across_processes_but_damaged_data_is_refused(sandbox, monkeypatch):
    from conftest import edit_cell
    from helpers import data
    from helpers.core import data as core_data
    from helpers.core.data import DataValidationError

    (sandbox / "build").mkdir()
    monkeypatch.delenv("SCO_DATA_CACHE", raising=False)
    monkeypatch.delenv("SCO_CACHE_DIR", raising=False)  # the build folder's own cache
    core_data._load_cached.cache_clear()  # a new process, as far as the tables are concerned
    fresh = data.load("sco_events")
    [entry] = (sandbox / "build" / ".cache" / "data").glob("sco_events-*.pkl")
    core_data._load_cached.cache_clear()
    again = data.load("sco_events")
    assert again.equals(fresh) and again.attrs == fresh.attrs and list(again.dtypes) == list(fresh.dtypes)

    # a damaged file is another key: validated, and refused with the validator's message
    original = (sandbox / "data" / "sco_events.csv").read_bytes()
    edit_cell(sandbox / "data", "sco_events", 0, "date", "not a date")
    core_data._load_cached.cache_clear()
    with pytest.raises(DataValidationError, match=r"sco_events\.csv, line 2 .*'date'"):
        data.load("sco_events")
    (sandbox / "data" / "sco_events.csv").write_bytes(original)

    # a damaged cache entry is ignored (validated afresh), and the cache can be turned off
    entry.write_bytes(entry.read_bytes()[:-10] + b"0123456789")
    core_data._load_cached.cache_clear()
    assert data.load("sco_events").equals(fresh)
    monkeypatch.setenv("SCO_DATA_CACHE", "0")
    entry.unlink()
    core_data._load_cached.cache_clear()
    assert data.load("sco_events").equals(fresh)
    assert not entry.exists()
    core_data._load_cached.cache_clear()


def test_the_page_is_the_same_with_or_without_the_renderer_warmed_up(sandbox, monkeypatch):
    import threading

    from helpers.publish import render

    _fixture_notebook(sandbox / "notebooks" / "90_fixture.ipynb", body="display(1 + 1)")
    [warm] = _run(["90_fixture"], {"x": 4})
    page = (warm.job.out_dir / "90_fixture.html").read_bytes()

    def cold(*a, **k):
        render._WARM.clear()
        thread = threading.Thread(target=lambda: None)
        thread.start()
        return thread

    monkeypatch.setattr(render, "prewarm", cold)
    monkeypatch.setattr(render, "_EXPORTERS", threading.local())
    [plain] = _run(["90_fixture"], {"x": 4}, force=True)
    assert (plain.job.out_dir / "90_fixture.html").read_bytes() == page
    assert not any((sandbox / "build" / ".cache" / "clean-html").rglob("*warm*"))


BACKGROUND_FIGURES = """\
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from helpers import style
import os
from helpers.core import background
assert background.enabled() or len(os.sched_getaffinity(0)) < 2  # a runner's kernel: SVGs drawn by children
for k in range(3):
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [k, 1, 0])
    style.add_source(fig, "gao2010")
    style.save_figure(fig, f"fixture_bg{k}")
"""


def test_a_run_ends_only_when_the_figures_drawn_in_the_background_are_written(sandbox):
    _notebook_with_sections(sandbox / "notebooks" / "90_fixture.ipynb", [("Figures", BACKGROUND_FIGURES)])
    [r] = _run(["90_fixture"], {"x": 2})
    assert r.status == "ok", r.message
    names = sorted(p.name for p in (r.job.out_dir / "figures").iterdir())
    assert [n for n in names if n.startswith("fixture_bg")] == [
        f"fixture_bg{k}.{ext}" for k in range(3) for ext in ("csv", "png", "svg")
    ]
    for k in range(3):
        assert (r.job.out_dir / "figures" / f"fixture_bg{k}.svg").read_text().rstrip().endswith("</svg>")
    nb = nbformat.read(r.job.out_dir / "90_fixture.ipynb", as_version=4)
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3, 4]  # finish() left no trace


def test_figures_that_cannot_be_written_after_the_last_cell_fail_the_run(sandbox):
    broken = (
        "import os\nfrom helpers.core import background\n"
        "background._pending.append(background._Pending(os.getpid() + 10**6, None, "
        "__import__('pathlib').Path('/nonexistent/x.svg'), __import__('pathlib').Path('/nonexistent/.x'), {}, {}))"
    )
    _notebook_with_sections(sandbox / "notebooks" / "90_fixture.ipynb", [("Figures", broken)])
    [r] = _run(["90_fixture"], {"x": 2})
    assert r.status == "failed"
    assert "saving the figures after the last cell failed: AttributeError" in r.message
    assert not r.job.out_dir.exists()  # no result swapped in
