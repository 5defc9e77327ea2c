"""Parameter sweeps for seminars: one chapter, one parameter set per group.

``./sco sweep 03_trade -f seminar/sweeps/03_trade.yaml`` reads a YAML file
with the question every group answers and, per group, its task and its
parameter overrides::

    question: Whose statistics tell the story of China's trade with a partner?

    kaz-uzb-partner:
      task: Kazakhstan and Uzbekistan, in the partners' own statistics
      countries: [KAZ, UZB]
      reporter: partner

``question`` (top level) and ``task`` (in a group) are the two reserved keys;
every other key of a group is a parameter, validated like ``-p``. Both are
optional: a file without them (the older format) still works, and the
comment just above a group then serves as its task.

Every group's variant runs through the runner (:mod:`helpers.runner`): the
same validation before any kernel starts, the same cache, the same parallel
workers (or a Dask cluster: ``--scheduler ADDRESS`` or ``--dask-local N``),
the same atomic writes. The sweep then writes, under
``build/sweeps/<chapter>--<file name>/``, one report per group
(``<group>.html``: the chapter as that group's parameters make it, opening
with the shared question and the group's task) and an ``index.html`` with
the question, each group's task, parameters, status and report, ending with
a table comparing the groups on the chapter's key outputs (read from each
run; see :func:`helpers.runner.key_outputs`). A group whose run fails keeps
its previous report, if it had one, and the index says so.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import parameters, paths
from . import runner

GROUP_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
QUESTION_KEY = "question"
TASK_KEY = "task"
E = html.escape


@dataclass
class Group:
    name: str
    overrides: dict[str, Any]
    job: runner.Job
    task: str = ""


@dataclass
class GroupsFile:
    """A groups file as read: the shared question, each group's task and parameters."""

    question: str
    groups: dict[str, dict[str, Any]]
    tasks: dict[str, str] = field(default_factory=dict)


def _text(value: Any, where: str, path: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise parameters.ParameterError("sweep", where, value, f"a line of text (in {path})")
    return " ".join(value.split())


def read_groups_file(path: str | Path) -> GroupsFile:
    """Read a groups file; raise ParameterError naming the file and what is wrong."""
    where = str(path)
    content = parameters.read_yaml(path, "sweep", "-f", "groups")
    if not isinstance(content, dict):
        raise parameters.ParameterError(
            "sweep", "-f", where, "a non-empty YAML mapping of group name to parameters (NAME: VALUE)"
        )
    content = dict(content)
    question = _text(content.pop(QUESTION_KEY, None), QUESTION_KEY, where)
    if not content:
        raise parameters.ParameterError(
            "sweep", "-f", where, "a non-empty YAML mapping of group name to parameters (NAME: VALUE)"
        )
    groups: dict[str, dict[str, Any]] = {}
    tasks: dict[str, str] = {}
    notes = group_notes(path)
    for name, overrides in content.items():
        if not isinstance(name, str) or not GROUP_NAME.match(name):
            raise parameters.ParameterError(
                "sweep",
                "group name",
                name,
                "lower-case letters, digits, '-' and '_' (at most 60; it names the group's report file)",
            )
        if overrides is None:
            overrides = {}
        if not isinstance(overrides, dict):
            raise parameters.ParameterError(
                "sweep",
                f"group '{name}'",
                overrides,
                "a mapping of parameter NAME: VALUE (or nothing for the defaults)",
            )
        overrides = dict(overrides)
        task = _text(overrides.pop(TASK_KEY, None), f"{TASK_KEY}' in group '{name}", where)
        tasks[name] = task or notes.get(name, "")
        groups[name] = overrides
    return GroupsFile(question, groups, tasks)


def load_groups(path: str | Path) -> dict[str, dict[str, Any]]:
    """Each group's parameter overrides (without the ``question`` and ``task`` keys)."""
    return read_groups_file(path).groups


def group_notes(path: str | Path) -> dict[str, str]:
    """The comment written just above each group in the file (the older way to give a task).

    YAML drops comments when it is read, so they are taken from the text: the
    ``#`` lines directly above a top-level ``name:`` line.
    """
    notes: dict[str, str] = {}
    comment: list[str] = []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return notes
    for line in text.splitlines():
        if line.startswith("#"):
            comment.append(line.lstrip("#").strip())
        elif m := re.match(r"^([A-Za-z0-9_-]+)\s*:", line):
            if comment:
                notes[m.group(1)] = " ".join(comment)
            comment = []
        elif not line.strip():
            comment = []
    return notes


def plan(notebook: str, groups: dict[str, dict[str, Any]], tasks: dict[str, str] | None = None) -> list[Group]:
    """Validate every group's parameters (before any work) and plan its run."""
    name = runner.chapter_name(notebook)  # an unknown chapter is named as such, not blamed on a group
    out = []
    for group, overrides in groups.items():
        try:
            (job,) = runner.plan([name], overrides)
        except parameters.ParameterError as exc:
            raise parameters.ParameterError(
                exc.notebook, f"{exc.name}' in group '{group}", exc.value, exc.allowed
            ) from None
        out.append(Group(group, job.overrides, job, (tasks or {}).get(group, "")))
    return out


def sweep_dir(notebook: str, groups_file: str | Path) -> Path:
    """``build/sweeps/<chapter>--<file name>``, or ``build/sweeps/<chapter>`` for ``<chapter>.yaml``."""
    name = parameters.notebook_name(notebook)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(groups_file).stem).strip("-") or "groups"
    return paths.build_dir() / "sweeps" / (name if stem == name else f"{name}--{stem}")


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _value(v: Any) -> str:
    return ", ".join(map(str, v)) if isinstance(v, list) else str(v)


def _number(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return "yes" if v is True else "no" if v is False else "–"
    if isinstance(v, (int, float)):
        return format(v, ",")
    return str(v)


def comparison_html(rows: list[dict[str, Any]]) -> str:
    """The table comparing the groups on the chapter's key outputs (one row per group)."""
    labels: list[str] = []
    for r in rows:
        for k in r.get("key_outputs") or {}:
            if k not in labels:
                labels.append(k)
    if not labels:
        return (
            "<h2>The groups compared</h2>\n<p>This chapter records no key outputs yet (a cell tagged "
            "<code>key-outputs</code>, see <code>helpers.runner.show_key_outputs</code>), so there is "
            "nothing to compare here; open each group's report.</p>"
        )
    head = "".join(f"<th>{E(k)}</th>" for k in labels)
    body = []
    for r in rows:
        keys = r.get("key_outputs")
        if keys is None:
            cells = f'<td colspan="{len(labels)}" class="note">no run to read</td>'
        else:
            cells = "".join(f'<td class="num">{E(_number(keys[k])) if k in keys else "–"}</td>' for k in labels)
        body.append(f"<tr><td><strong>{E(r['name'])}</strong></td>{cells}</tr>")
    return (
        f"<h2>The groups compared</h2>\n<p>Key outputs of each group's run, read from the runs.</p>\n"
        f"<table><thead><tr><th>group</th>{head}</tr></thead><tbody>\n" + "\n".join(body) + "\n</tbody></table>"
    )


def index_html(notebook: str, groups_file: str, rows: list[dict[str, Any]], question: str = "") -> str:
    lines = []
    for r in rows:
        params = "<br>".join(f"<code>{E(k)}</code> = {E(_value(v))}" for k, v in r["overrides"].items()) or "defaults"
        link = f'<a href="{E(r["name"])}.html">report</a>' if r["report"] else "no report"
        task = r.get("task") or r.get("note") or ""
        task_html = f'<br><span class="note">{E(task)}</span>' if task else ""
        lines.append(
            f"<tr><td><strong>{E(r['name'])}</strong>{task_html}</td><td>{params}</td>"
            f"<td>{E(r['status'])}</td><td>{link}</td></tr>"
        )
    q = f'<p class="question"><strong>The question for every group:</strong> {E(question)}</p>\n' if question else ""
    body = f"""<h1>{E(notebook)}: one variant per group</h1>
{q}<p>Parameters from <code>{E(groups_file)}</code>; every other parameter keeps the chapter's default.
Each report is the whole chapter run with the group's values, opening with the question and the group's task.</p>
<table>
<thead><tr><th>group and task</th><th>parameters</th><th>run</th><th>report</th></tr></thead>
<tbody>
{"".join(lines)}
</tbody>
</table>
{comparison_html(rows)}
"""
    return runner.page(
        f"{notebook}: variants by group",
        body,
        [("Site", "../../site/index.html"), ("All runs", "../../runs/index.html")],
    )


def _task_cell(question: str, group: str, task: str) -> str:
    parts = []
    if question:
        parts.append(f"**The question for every group:** {E(question)}")
    parts.append(f"**Group {E(group)}:** {E(task) if task else 'no task given in the groups file.'}")
    return "\n\n".join(parts)


def _task_box(question: str, group: str, task: str) -> str:
    q = f"<p><strong>The question for every group:</strong> {E(question)}</p>" if question else ""
    t = E(task) if task else "no task given in the groups file."
    return (
        '\n<div class="sco-sweep-task" style="border-left: 4px solid #1f5f8b; background: #f6f8fa; '
        f'padding: 0.3rem 1rem; margin: 1rem 0;">{q}<p><strong>Group {E(group)}:</strong> {t}</p></div>\n'
    )


def group_page(job: runner.Job, question: str, group: str, task: str) -> str:
    """The group's report: its run's page, opening with the question and the task, with the site's links.

    A run under ``build/runs/`` sits as deep as the sweep's folder, so its page
    (and its links to the site) is reused with the task inserted after the
    title; a default run's page is rendered again for this depth.
    """
    built = job.out_dir / f"{job.notebook}.html"
    if job.out_dir.parent == paths.build_dir() / "runs" and built.exists():
        text = built.read_text(encoding="utf-8")
        at = text.find("</h1>")
        if at >= 0:
            return text[: at + 5] + _task_box(question, group, task) + text[at + 5 :]
    import nbformat

    runner._quiet_imports()
    nb = nbformat.read(job.out_dir / f"{job.notebook}.ipynb", as_version=4)
    cell = nbformat.v4.new_markdown_cell(_task_cell(question, group, task))
    cell.metadata["tags"] = ["sweep-task"]
    nb.cells.insert(1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0, cell)
    from . import render

    kw = {}
    if "site_root" in runner.inspect.signature(render.notebook_html).parameters:
        kw["site_root"] = "../../site/"
    return render.notebook_html(nb, **kw)


def _write_group_page(report: Path, job: runner.Job, question: str, group: str, task: str) -> None:
    """Write a group's page unless the one there was made from the same run, question and task."""
    record = runner._read_json(job.out_dir / "run.json") or {}
    key = runner.hashlib.sha256(
        runner._canonical([record.get("inputs_hash"), record.get("finished"), question, group, task]).encode()
    ).hexdigest()[:16]
    stamp = f"<!-- sco-sweep-page {key} -->"
    try:
        with report.open("rb") as fh:
            fh.seek(max(0, report.stat().st_size - 200))
            if stamp.encode() in fh.read():
                return
    except OSError:
        pass
    _atomic_write(report, group_page(job, question, group, task) + stamp + "\n")


def _run_key_outputs(job: runner.Job) -> dict[str, Any] | None:
    record = runner._read_json(job.out_dir / "run.json")
    if record is None:
        return None
    if "key_outputs" in record:
        return record["key_outputs"] or {}
    try:  # a run from before run.json kept them
        import nbformat

        return runner.key_outputs(nbformat.read(job.out_dir / f"{job.notebook}.ipynb", as_version=4))
    except Exception:  # noqa: BLE001
        return None


def run(
    notebook: str,
    groups_file: str | Path,
    *,
    force: bool = False,
    workers: int | None = None,
    echo: Callable[[str], None] = print,
    dask: Any = None,
) -> int:
    """Run every group's variant and write the reports and their index. Return an exit code.

    ``dask``: where the runs execute, as in :func:`helpers.runner.run_jobs`: None for the local
    process pool (``workers`` processes), a :class:`helpers.runner.DaskCluster` (a scheduler's
    address or a ``LocalCluster`` to start), or an open ``distributed.Client``. The reports are
    the same wherever the runs executed.
    """
    name = runner.chapter_name(notebook)  # first: a bad chapter is named before the file is read
    spec = read_groups_file(groups_file)
    groups = plan(name, spec.groups, spec.tasks)  # raises before any work
    unique: dict[str, runner.Job] = {}
    for g in groups:
        unique.setdefault(g.job.out_name, g.job)
    echo(f"{len(groups)} group(s), {len(unique)} distinct variant(s) of {name}")
    results = {
        r.job.out_name: r
        for r in runner.run_jobs(list(unique.values()), force=force, workers=workers, echo=echo, dask=dask)
    }
    out = sweep_dir(name, groups_file)
    out.mkdir(parents=True, exist_ok=True)
    rows, failed = [], 0
    for g in groups:
        result = results[g.job.out_name]
        report = out / f"{g.name}.html"
        keys = None
        if result.status in ("ok", "skipped"):
            _write_group_page(report, g.job, spec.question, g.name, g.task)
            status = "ran" if result.status == "ok" else "up to date (not re-run)"
            keys = _run_key_outputs(g.job)
        else:
            failed += 1
            kept = " (previous report kept)" if report.exists() else ""
            where = f"log: {runner._rel(result.log)}" if result.log else (result.note or "no log")
            status = f"FAILED: {result.message}{kept}; {where}"
        rows.append(
            {
                "name": g.name,
                "overrides": g.overrides,
                "status": status,
                "report": report.exists(),
                "task": g.task,
                "key_outputs": keys,
            }
        )
    runner._atomic_copy(Path(groups_file), out / "groups.yaml")
    _atomic_write(out / "index.html", index_html(name, str(groups_file), rows, spec.question))
    echo(f"index: {runner._rel(out / 'index.html')}")
    return 1 if failed else 0
