"""Run a chapter's code in this process, without a kernel, for property-based tests.

``run_chapter("03_trade", {"countries": ["KGZ"]})`` executes the committed
notebook's code cells in order in one namespace, as papermill would: the
``parameters`` cell, then the overrides (papermill's injected cell), then the
rest. What a kernel would display (the value of a cell's last expression and
every ``display(...)`` call) is collected, so a test can read the Markdown a
run produced; figures are checked for colliding text
(:func:`helpers.style.layout_problems`) when asked, then closed. Saving is
replaced by a recorder, so nothing is written (``figures/`` least of all).

It is several times faster than a kernel run and raises the notebook's own
exception, which Hypothesis then shrinks to the simplest failing parameters.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class ChapterRun:
    outputs: list[Any] = field(default_factory=list)  # displayed objects, in order
    figures: list[str] = field(default_factory=list)  # names passed to save_figure
    layout: dict[str, list[str]] = field(default_factory=dict)  # figure name -> problems
    namespace: dict[str, Any] = field(default_factory=dict)
    stdout: str = ""  # everything the cells printed

    def markdown(self) -> str:
        """All Markdown the run displayed, joined."""
        return "\n\n".join(o.data for o in self.outputs if type(o).__name__ == "Markdown")

    def text(self) -> str:
        """Markdown plus the text of displayed tables (HTML of styled tables, reprs otherwise)."""
        parts = []
        for o in self.outputs:
            if type(o).__name__ == "Markdown":
                parts.append(o.data)
            elif hasattr(o, "to_html"):  # a styled table (Styler) or a data frame
                parts.append(o.to_html())
            else:
                parts.append(repr(o))
        return "\n".join(parts + [self.stdout])


@cache
def _cells(notebook: str) -> tuple[tuple[str, bool], ...]:
    nb = json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    out = []
    for c in nb["cells"]:
        if c["cell_type"] != "code":
            continue
        tags = c.get("metadata", {}).get("tags", [])
        out.append(("".join(c["source"]), "parameters" in tags))
    return tuple(out)


def _split_last_expr(source: str):
    tree = ast.parse(source)
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
        return tree, last
    return tree, None


def run_chapter(
    notebook: str, overrides: dict[str, Any], *, check_layout: bool = False, monkeypatch=None
) -> ChapterRun:
    """Execute a chapter's code cells with ``overrides``; raise whatever the notebook raises.

    ``monkeypatch`` (pytest's fixture) is used to replace ``display`` and
    ``style.save_figure`` for the duration of the test.
    """
    import IPython.display
    import matplotlib.pyplot as plt

    from helpers import style

    run = ChapterRun()

    def display(*objs, **_kw):
        run.outputs.extend(objs)

    def save_figure(fig, name, **_kw):
        if check_layout:
            run.layout[name] = style.layout_problems(fig)
        run.figures.append(name)
        return []

    assert monkeypatch is not None, "pass pytest's monkeypatch fixture"
    monkeypatch.setattr(IPython.display, "display", display)
    monkeypatch.setattr(style, "save_figure", save_figure)
    monkeypatch.setattr(plt, "show", lambda *a, **k: None)
    from helpers import paths

    monkeypatch.setattr(paths, "_RUN", paths._RUN)  # the chapter records its run; undo that after the test

    ns: dict[str, Any] = {"__name__": "__main__", "display": display}
    run.namespace = ns
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            for source, is_params in _cells(notebook):
                body, last = _split_last_expr(source)
                exec(compile(body, f"<{notebook}>", "exec"), ns)
                if last is not None:
                    value = eval(compile(last, f"<{notebook}>", "eval"), ns)
                    if value is not None:
                        run.outputs.append(value)
                if is_params:
                    ns.update(overrides)
                plt.close("all")
    finally:
        plt.close("all")
        run.stdout = printed.getvalue()
    return run


def run_in_kernel(notebook: str, overrides: dict[str, Any], tmp_path, monkeypatch) -> tuple[Any, str]:
    """Run a chapter with ``overrides`` through the real runner and a kernel, into a scratch build folder.

    The property tests keep a few such runs of drawn variants beside the
    in-process ones. Returns the executed notebook and the Markdown its code
    cells displayed; fails the test, with the log's path, if the run failed.
    """
    import nbformat

    from helpers import parameters, runner

    monkeypatch.setenv("SCO_BUILD_DIR", str(tmp_path / "build"))
    parameters.validate(notebook, {**parameters.cell_defaults(notebook), **overrides})
    [result] = runner.run_jobs(runner.plan([notebook], overrides), echo=lambda s: None)
    assert result.status == "ok", f"{result.message}; log: {result.log}"
    nb = nbformat.read(result.job.out_dir / f"{notebook}.ipynb", as_version=4)
    markdown = "\n".join(
        o.get("data", {}).get("text/markdown", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    return nb, markdown
