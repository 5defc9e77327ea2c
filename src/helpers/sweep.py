"""Parameter sweeps for seminars: one chapter, one parameter set per group.

``python -m helpers sweep 03_trade -f seminar/sweeps/03_trade.yaml`` reads a
YAML mapping of group name to parameter overrides::

    # Group 1: Kazakhstan and Uzbekistan, partners' own statistics
    kaz-uzb-partner:
      countries: [KAZ, UZB]
      reporter: partner

and runs every group's variant through the runner (:mod:`helpers.runner`):
the same validation before any kernel starts, the same cache, the same
parallel workers, the same atomic writes. It then writes, under
``build/sweeps/<chapter>--<file name>/``, one rendered report per group
(``<group>.html``) and an ``index.html`` listing the groups, their
parameters and a link to each report. A group whose run fails keeps its
previous report, if it had one, and the index says so.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import parameters, paths, runner

GROUP_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
E = html.escape


@dataclass
class Group:
    name: str
    overrides: dict[str, Any]
    job: runner.Job


def load_groups(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read a groups file; raise ParameterError naming the file and what is wrong."""
    where = str(path)
    content = parameters.read_yaml(path, "sweep", "-f", "groups")
    if not isinstance(content, dict) or not content:
        raise parameters.ParameterError(
            "sweep", "-f", where, "a non-empty YAML mapping of group name to parameters (NAME: VALUE)")
    groups: dict[str, dict[str, Any]] = {}
    for name, overrides in content.items():
        if not isinstance(name, str) or not GROUP_NAME.match(name):
            raise parameters.ParameterError(
                "sweep", "group name", name,
                "lower-case letters, digits, '-' and '_' (at most 60; it names the group's report file)")
        if overrides is None:
            overrides = {}
        if not isinstance(overrides, dict):
            raise parameters.ParameterError("sweep", f"group '{name}'", overrides,
                                            "a mapping of parameter NAME: VALUE (or nothing for the defaults)")
        groups[name] = overrides
    return groups


def group_notes(path: str | Path) -> dict[str, str]:
    """The comment written just above each group in the file (what the group looks at).

    YAML drops comments when it is read, so they are taken from the text: the
    ``#`` lines directly above a top-level ``name:`` line.
    """
    notes: dict[str, str] = {}
    comment: list[str] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            comment.append(line.lstrip("#").strip())
        elif m := re.match(r"^([A-Za-z0-9_-]+)\s*:", line):
            if comment:
                notes[m.group(1)] = " ".join(comment)
            comment = []
        elif not line.strip():
            comment = []
    return notes


def plan(notebook: str, groups: dict[str, dict[str, Any]]) -> list[Group]:
    """Validate every group's parameters (before any work) and plan its run."""
    out = []
    for name, overrides in groups.items():
        try:
            (job,) = runner.plan([notebook], overrides)
        except parameters.ParameterError as exc:
            raise parameters.ParameterError(
                exc.notebook, f"{exc.name}' in group '{name}", exc.value, exc.allowed) from None
        out.append(Group(name, job.overrides, job))
    return out


def sweep_dir(notebook: str, groups_file: str | Path) -> Path:
    """``build/sweeps/<chapter>--<file name>``, or ``build/sweeps/<chapter>`` for ``<chapter>.yaml``."""
    name = parameters.notebook_name(notebook)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(groups_file).stem).strip("-") or "groups"
    return paths.build_dir() / "sweeps" / (name if stem == name else f"{name}--{stem}")


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _value(v: Any) -> str:
    return ", ".join(map(str, v)) if isinstance(v, list) else str(v)


def index_html(notebook: str, groups_file: str, rows: list[dict[str, Any]]) -> str:
    lines = []
    for r in rows:
        params = "<br>".join(f"<code>{E(k)}</code> = {E(_value(v))}" for k, v in r["overrides"].items()) or "defaults"
        link = f'<a href="{E(r["name"])}.html">report</a>' if r["report"] else "no report"
        note = f"<br><span class=\"note\">{E(r['note'])}</span>" if r.get("note") else ""
        lines.append(f"<tr><td><strong>{E(r['name'])}</strong>{note}</td><td>{params}</td>"
                     f"<td>{E(r['status'])}</td><td>{link}</td></tr>")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{E(notebook)}: variants by group</title>
<link rel="icon" href="data:,">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #d8dee4; padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }}
th {{ background: #f6f8fa; }}
a {{ color: #1f5f8b; }}
.note {{ color: #5b6770; font-size: 0.9em; }}
</style>
</head>
<body>
<h1>{E(notebook)}: one variant per group</h1>
<p>Parameters from <code>{E(groups_file)}</code>; every other parameter keeps the chapter's default.
Each report is the whole chapter run with the group's values.</p>
<table>
<thead><tr><th>group</th><th>parameters</th><th>run</th><th>report</th></tr></thead>
<tbody>
{"".join(lines)}
</tbody>
</table>
</body>
</html>
"""


def run(notebook: str, groups_file: str | Path, *, force: bool = False, workers: int | None = None,
        echo: Callable[[str], None] = print) -> int:
    """Run every group's variant and write the reports and their index. Return an exit code."""
    name = parameters.notebook_name(notebook)
    groups = plan(name, load_groups(groups_file))  # raises before any work
    unique: dict[str, runner.Job] = {}
    for g in groups:
        unique.setdefault(g.job.out_name, g.job)
    echo(f"{len(groups)} group(s), {len(unique)} distinct variant(s) of {name}")
    results = {r.job.out_name: r for r in runner.run_jobs(list(unique.values()), force=force,
                                                          workers=workers, echo=echo)}
    out = sweep_dir(name, groups_file)
    out.mkdir(parents=True, exist_ok=True)
    rows, failed = [], 0
    notes = group_notes(groups_file)
    for g in groups:
        result = results[g.job.out_name]
        report = out / f"{g.name}.html"
        if result.status in ("ok", "skipped"):
            runner._atomic_copy(g.job.out_dir / f"{name}.html", report)
            status = "ran" if result.status == "ok" else "up to date (not re-run)"
        else:
            failed += 1
            kept = " (previous report kept)" if report.exists() else ""
            status = f"FAILED: {result.message}{kept}; log: {runner._rel(result.log)}"
        rows.append({"name": g.name, "overrides": g.overrides, "status": status, "report": report.exists(),
                     "note": notes.get(g.name, "")})
    runner._atomic_copy(Path(groups_file), out / "groups.yaml")
    _atomic_write(out / "index.html", index_html(name, str(groups_file), rows))
    echo(f"index: {runner._rel(out / 'index.html')}")
    return 1 if failed else 0
