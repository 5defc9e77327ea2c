"""Execute notebooks with papermill: validated, cached, parallel and atomic.

``python -m helpers run`` (see ``helpers.__main__``) is the front door. What
it promises:

* every parameter is checked against the notebook's declaration
  (:mod:`helpers.parameters`) before any kernel starts;
* notebooks run in parallel, one process per core, with progress printed;
* a notebook whose inputs (notebook file, parameters, data files, helpers
  source, pinned environment) have not changed since its last successful run
  is not run again (``--force`` overrides);
* results are written to a scratch folder and moved into place only when the
  run succeeded, so a failed run never replaces a good result, and nothing
  is written to ``data/`` or ``notebooks/`` (except by ``refresh``, which
  exists to do exactly that);
* results land in ``build/<notebook>/`` at default parameters, otherwise in
  ``build/<notebook>--<hash of parameters>/``: the executed notebook, its
  HTML, ``params.yaml`` and ``run.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
import traceback
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import parameters, paths


@dataclass
class Job:
    """One notebook to run with one set of parameters."""

    notebook: str
    overrides: dict[str, Any]  # normalised values the user gave
    params: dict[str, Any]  # every parameter, normalised
    is_default: bool
    out_name: str
    inputs_hash: str
    refresh: bool = False

    @property
    def out_dir(self) -> Path:
        return paths.build_dir() / self.out_name


@dataclass
class Result:
    job: Job
    status: str  # "ok", "skipped", "failed"
    seconds: float = 0.0
    message: str = ""
    log: Path | None = None
    figures: list[str] = field(default_factory=list)


# --- planning (no kernel, no heavy imports) -----------------------------------


def list_notebooks() -> list[str]:
    """Names of the committed notebooks, in order."""
    return sorted(p.stem for p in paths.notebooks_dir().glob("[0-9]*.ipynb"))


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def _hash_files(h: "hashlib._Hash", files: list[Path]) -> None:
    root = paths.repo_root()
    for f in sorted(files):
        h.update(str(f.relative_to(root) if f.is_relative_to(root) else f).encode())
        h.update(f.read_bytes())


def inputs_hash(notebook: str, params: dict[str, Any]) -> str:
    """Hash of everything a run depends on: notebook, parameters, data, helpers, pins."""
    root = paths.repo_root()
    h = hashlib.sha256()
    h.update(_canonical(params).encode())
    files = [parameters.notebook_path(notebook)]
    files += [p for p in paths.data_dir().rglob("*") if p.is_file()]
    files += list((root / "src" / "helpers").rglob("*.py"))
    files += [p for p in (root / "requirements.lock",) if p.exists()]
    _hash_files(h, files)
    return h.hexdigest()


def plan(notebooks: list[str] | None, overrides: dict[str, Any], *, refresh: bool = False) -> list[Job]:
    """Validate the request and return the jobs; raise before any work is done.

    Raises
    ------
    helpers.parameters.ParameterError
        For an unknown notebook or a bad parameter, naming it, the value and
        what is allowed.
    """
    available = list_notebooks()
    names = [parameters.notebook_name(n) for n in (notebooks or available)]
    for name in names:
        if name not in available:
            raise parameters.ParameterError(name, "notebook", name, f"one of: {', '.join(available)}")
    if refresh and overrides:
        raise parameters.ParameterError(
            "refresh", "parameters", overrides, "none: refresh re-executes at default parameters"
        )
    jobs = []
    for name in names:
        defaults = parameters.validate(name, parameters.cell_defaults(name))
        given = parameters.validate(name, overrides, partial=True)
        full = parameters.validate(name, {**defaults, **given})
        is_default = full == defaults
        out_name = name if is_default else f"{name}--{hashlib.sha256(_canonical(full).encode()).hexdigest()[:8]}"
        jobs.append(
            Job(name, {} if is_default else given, full, is_default, out_name,
                inputs_hash(name, full), refresh)
        )
    return jobs


def is_up_to_date(job: Job) -> bool:
    """True if the last successful run had exactly these inputs."""
    record = job.out_dir / "run.json"
    if not record.exists() or not (job.out_dir / f"{job.notebook}.ipynb").exists():
        return False
    try:
        return json.loads(record.read_text())["inputs_hash"] == job.inputs_hash
    except (json.JSONDecodeError, KeyError):
        return False


# --- execution (in a worker process) ------------------------------------------


def _quiet_imports() -> None:
    # jsonschema imports rfc3987_syntax (and lark) when installed, which adds
    # about a second to every process that imports nbformat; notebooks never
    # need its IRI format checks. A None entry makes that optional import fail
    # fast, as if the package were absent (python-jsonschema/jsonschema#1428).
    sys.modules.setdefault("rfc3987_syntax", None)


def clean_metadata(nb) -> None:
    """Drop run-specific metadata (timings) so a re-run gives the same file."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)


def export_html(nb, target: Path) -> None:
    """Write a notebook's HTML: the site's page without the site's links, offline (helpers.render)."""
    from . import render

    target.write_text(render.notebook_html(nb), encoding="utf-8")


def _atomic_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.{uuid.uuid4().hex[:8]}.tmp")
    shutil.copyfile(src, tmp)
    tmp.replace(dst)


def _swap_into_place(scratch: Path, final: Path) -> None:
    """Move a finished scratch folder to its final place, replacing the old one."""
    old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
    if final.exists():
        final.rename(old)
    scratch.rename(final)
    if old.exists():
        shutil.rmtree(old)


class _KernelStderr:
    """Send the kernel's own stderr (start-up warnings) to a log file.

    The kernel process inherits file descriptor 2; pointing it at a file while
    the kernel starts keeps the terminal for the runner's progress lines and
    keeps the kernel's messages with the run they belong to.
    """

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        sys.stderr.flush()
        self.saved = os.dup(2)
        self.fh = open(self.path, "ab")
        os.dup2(self.fh.fileno(), 2)

    def __exit__(self, *exc):
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.fh.close()


def execute(job: Job) -> Result:
    """Run one job; never raise (a failure is a Result with its log)."""
    _quiet_imports()
    start = time.perf_counter()
    build = paths.build_dir()
    scratch = build / ".tmp" / f"{job.out_name}-{uuid.uuid4().hex[:8]}"
    figs = scratch / "figures"
    figs.mkdir(parents=True)
    out_nb = scratch / f"{job.notebook}.ipynb"
    os.environ["SCO_FIGURES_DIR"] = str(figs)
    try:
        import nbformat
        import papermill as pm
        import yaml

        with _KernelStderr(scratch / "kernel.log"):
            pm.execute_notebook(
                str(parameters.notebook_path(job.notebook)),
                str(out_nb),
                parameters=job.overrides or None,
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                cwd=str(paths.notebooks_dir()),
            )
        nb = nbformat.read(out_nb, as_version=4)
        clean_metadata(nb)
        nbformat.write(nb, out_nb)
        export_html(nb, scratch / f"{job.notebook}.html")
        (scratch / "params.yaml").write_text(
            yaml.safe_dump(job.params, sort_keys=True, allow_unicode=True), encoding="utf-8"
        )
        figures = sorted(p.name for p in figs.iterdir())
        if not figures:
            figs.rmdir()
        record = {
            "notebook": job.notebook,
            "parameters": job.params,
            "overrides": job.overrides,
            "default_parameters": job.is_default,
            "inputs_hash": job.inputs_hash,
            "figures": figures,
            "seconds": round(time.perf_counter() - start, 2),
        }
        (scratch / "run.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
        _swap_into_place(scratch, job.out_dir)
        if job.is_default:  # refresh figures/ only from a default run
            for name in figures:
                _atomic_copy(job.out_dir / "figures" / name, paths.repo_root() / "figures" / name)
        if job.refresh:
            _atomic_copy(job.out_dir / f"{job.notebook}.ipynb", parameters.notebook_path(job.notebook))
        return Result(job, "ok", time.perf_counter() - start, str(job.out_dir), figures=figures)
    except Exception as exc:  # noqa: BLE001 - report every failure the same way
        failed = build / ".failed" / job.out_name
        if failed.exists():
            shutil.rmtree(failed)
        failed.parent.mkdir(parents=True, exist_ok=True)
        scratch.rename(failed)
        log = failed / "log.txt"
        log.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        first = str(exc).strip().splitlines()
        summary = f"{type(exc).__name__}: {first[-1] if first else ''}"
        if hasattr(exc, "cell_index"):
            summary = f"cell {exc.cell_index}: {exc.ename}: {exc.evalue}"
        return Result(job, "failed", time.perf_counter() - start, summary, log=log)


# --- orchestration --------------------------------------------------------------


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(paths.repo_root()))
    except ValueError:
        return str(path)


def run_jobs(jobs: list[Job], *, force: bool = False, workers: int | None = None,
             echo: Callable[[str], None] = print) -> list[Result]:
    """Run jobs in parallel (one process per core) and report progress."""
    results: list[Result] = []
    todo = []
    for job in jobs:
        if not force and is_up_to_date(job):
            results.append(Result(job, "skipped", message=str(job.out_dir)))
        else:
            todo.append(job)
    total = len(jobs)
    for r in results:
        echo(f"[{len(results)}/{total}] up to date  {r.job.out_name}  -> {_rel(r.job.out_dir)}/")
    if not todo:
        return results
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    echo(f"running {len(todo)} notebook(s) on {workers} worker(s): {', '.join(j.out_name for j in todo)}")

    def report(r: Result) -> None:
        results.append(r)
        n = len(results)
        if r.status == "ok":
            figs = f", {len(r.figures)} figure(s)" if r.figures else ""
            echo(f"[{n}/{total}] ok    {r.job.out_name}  {r.seconds:.1f} s{figs}  -> {_rel(r.job.out_dir)}/")
        else:
            echo(f"[{n}/{total}] FAILED {r.job.out_name}  {r.seconds:.1f} s  {r.message}")
            echo(f"        log: {_rel(r.log)}  (previous good output kept)")

    if workers == 1:
        for job in todo:
            report(execute(job))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(execute, job) for job in todo]
            for fut in as_completed(futures):
                report(fut.result())
    tmp = paths.build_dir() / ".tmp"
    if tmp.exists() and not any(tmp.iterdir()):
        tmp.rmdir()
    return results
