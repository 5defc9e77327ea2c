"""Execute notebooks with papermill: validated, cached, parallel and atomic.

``./sco run`` (``python -m helpers run``, see ``helpers.__main__``) is the
front door. What it promises:

* every parameter is checked against the notebook's declaration
  (:mod:`helpers.parameters`) before any kernel starts; only the committed
  chapters in ``notebooks/`` are run (a path to another file is refused);
* notebooks run in parallel, one process per available CPU (or on a Dask
  cluster: :class:`DaskCluster`, ``--scheduler`` / ``--dask-local``; every
  folder a run reads or writes travels with its :class:`Job`, so runs are
  safe in threads of one worker), with live progress: one
  line per code cell, ``[12/34] 6. The mirror gap…  (41 s)`` (the cell's
  place among the code cells, the section it is in, the time since the run
  started), prefixed with the run's name when several run at once;
* a notebook whose inputs (notebook file, parameters, data files, helpers
  source, pinned environment) have not changed since its last successful run
  is not run again (``--force`` overrides); two identical runs at once
  execute once (:func:`run_one` holds ``build/.locks/<out_name>.lock``; the
  second waits and reuses the first's result);
* results are written to a scratch folder (``build/.tmp/``) and swapped into
  place only when the run succeeded; the swap is atomic (an exchange-rename
  where the system has one, otherwise rename-aside with restore on failure),
  so a failed or killed run never replaces a good result, and the next run
  cleans up what a killed one left behind. Nothing is written to ``data/``
  or ``notebooks/`` (except by ``refresh``, which exists to do exactly that);
* results land in ``build/<notebook>/`` at default parameters (the site uses
  them), in ``build/runs/<name>/`` for a run given ``--name``, otherwise in
  ``build/runs/<notebook>--<hash of parameters>/``: the executed notebook, its
  HTML, ``params.yaml`` and ``run.json``. ``build/runs/index.html`` lists every
  run, rewritten after each run;
* only a default, unnamed run copies its figures into ``figures/``. The
  kernel is told where to save figures through its own environment
  (``SCO_FIGURES_DIR`` set for the kernel process only, never in this one);
* the kernel is started before papermill is imported (:func:`start_kernel`),
  draws figures' SVGs in child processes (``SCO_FIGURES_BACKGROUND``,
  :mod:`helpers.core.background`, waited for after the last cell) and is
  stopped at once when every output is in; none of this changes a byte of
  what a run writes;
* every failure is one ``FAILED`` line naming the cell as the reader sees it
  (``In [11]``, and its section), with a log under ``build/.failed/``.

Key outputs (the contract a sweep's comparison table reads)
----------------------------------------------------------
A chapter states the few numbers a sweep should compare across groups in a
code cell tagged ``key-outputs`` that displays a flat JSON mapping of label to
number or short text, MIME type ``application/json``::

    from helpers import runner
    runner.show_key_outputs({"Mirror-gap ratio, 2023": 1.84, "Growth multiple": 12.3})

(:func:`show_key_outputs` also shows the values as plain text, so the cell
reads well in the page). :func:`key_outputs` reads them back from an executed
notebook; the runner stores them in ``run.json`` under ``key_outputs``.
Several tagged cells are merged in order. A chapter with none has an empty
mapping, and the sweep index says so.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as _dt
import hashlib
import html
import inspect
import json
import os
import re
import shutil
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import background, parameters, paths

RUN_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
KEY_OUTPUTS_TAG = "key-outputs"
KERNEL_START_TIMEOUT = 60
STALE_SECONDS = 60  # a leftover .old-/.new- folder younger than this may belong to a run in progress
LOCK_TIMEOUT = 3600  # seconds a run waits for an identical run (same output folder) to finish


class RunnerError(Exception):
    """A condition that stops every run before it starts; the message is for the user."""


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
    name: str | None = None  # --name
    changed: dict[str, Any] = field(default_factory=dict)  # parameters that differ from the defaults
    # Where the run reads and writes, resolved when it is planned (see :func:`plan`) and passed to
    # the worker with the job, so a worker thread or process (a Dask worker started elsewhere)
    # never takes them from its own environment. None: resolve from this process (older callers).
    root: str | None = None
    build: str | None = None
    data: str | None = None

    @property
    def root_dir(self) -> Path:
        return Path(self.root) if self.root else paths.repo_root()

    @property
    def build_dir(self) -> Path:
        return Path(self.build) if self.build else paths.build_dir()

    @property
    def data_dir(self) -> Path:
        return Path(self.data) if self.data else paths.data_dir()

    @property
    def notebook_file(self) -> Path:
        return self.root_dir / "notebooks" / f"{self.notebook}.ipynb"

    @property
    def out_dir(self) -> Path:
        if self.is_default and self.name is None:
            return self.build_dir / self.notebook
        return self.build_dir / "runs" / self.out_name

    @property
    def lock_file(self) -> Path:
        """``build/.locks/<out_name>.lock``: held while a run of this output folder executes."""
        return self.build_dir / ".locks" / f"{self.out_name}.lock"

    @property
    def publishes_figures(self) -> bool:
        """Only a default, unnamed run refreshes ``figures/``."""
        return self.is_default and self.name is None


@dataclass
class Result:
    job: Job
    status: str  # "ok", "skipped", "failed"
    seconds: float = 0.0
    message: str = ""
    log: Path | None = None
    figures: list[str] = field(default_factory=list)
    kept: bool = False  # failed, and a previous good result is in job.out_dir
    note: str = ""  # failed: why no log could be written


# --- planning (no kernel, no heavy imports) -----------------------------------


def list_notebooks() -> list[str]:
    """Names of the committed notebooks, in order."""
    return sorted(p.stem for p in paths.notebooks_dir().glob("[0-9]*.ipynb"))


def _canonical(obj: Any) -> str:
    return paths.canonical(obj)


def _hash_files(h: hashlib._Hash, files: list[Path]) -> None:
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


def chapter_name(notebook: str | Path, available: list[str] | None = None) -> str:
    """The chapter a command-line notebook argument names, or a ParameterError.

    ``03_trade``, ``03_trade.ipynb`` and ``notebooks/03_trade.ipynb`` all name
    the chapter. A path to any other file (``elsewhere/03_trade.ipynb``) is
    refused: the runner runs only the committed chapters, and running the
    committed file in its place would report on a notebook the user did not
    name.
    """
    available = list_notebooks() if available is None else available
    raw = str(notebook)
    name = parameters.notebook_name(raw)
    if name not in available:
        raise parameters.ParameterError(name, "notebook", raw, f"one of: {', '.join(available)}")
    if "/" in raw or os.sep in raw:
        own = paths.notebooks_dir() / f"{name}.ipynb"
        given = Path(raw)
        same = given.suffix == ".ipynb" and given.exists() and given.resolve() == own.resolve()
        if not same:
            raise parameters.ParameterError(
                name,
                "notebook",
                raw,
                f"a chapter's name ({name}) or its own file ({_rel(own)}); the runner runs only the "
                "committed chapters in notebooks/ (run another file with papermill)",
            )
    return name


def plan(
    notebooks: list[str] | None, overrides: dict[str, Any], *, refresh: bool = False, name: str | None = None
) -> list[Job]:
    """Validate the request and return the jobs; raise before any work is done.

    Raises
    ------
    helpers.parameters.ParameterError
        For an unknown notebook or a bad parameter or run name, naming it,
        the value and what is allowed.
    """
    available = list_notebooks()
    names = [chapter_name(n, available) for n in (notebooks or available)]
    if refresh and overrides:
        raise parameters.ParameterError(
            "refresh", "parameters", overrides, "none: refresh re-executes at default parameters"
        )
    if name is not None:
        if not isinstance(name, str) or not RUN_NAME.match(name):
            raise parameters.ParameterError(
                "run",
                "--name",
                name,
                "lower-case letters, digits, '-' and '_', starting with a letter or digit (at most 60)",
            )
        if len(names) != 1 or refresh:
            raise parameters.ParameterError("run", "--name", name, "a name for a run of exactly one notebook")
    jobs = []
    for nb in names:
        cell = parameters.cell_defaults(nb)
        defaults = parameters.validate(nb, cell)
        given = parameters.validate(nb, overrides, partial=True)
        # the cell's own values, not the validated ones: a default derived from other
        # parameters (base_year from the window) is derived again for the new values
        full = parameters.validate(nb, {**cell, **given})
        is_default = full == defaults
        out_name = name or (nb if is_default else f"{nb}--{paths.variant_hash(full)}")
        changed = {k: v for k, v in full.items() if defaults.get(k) != v}
        jobs.append(
            Job(
                nb,
                {} if is_default else given,
                full,
                is_default,
                out_name,
                inputs_hash(nb, full),
                refresh,
                name,
                changed,
                root=str(paths.repo_root()),
                build=str(paths.build_dir()),
                data=str(paths.data_dir()),
            )
        )
    return jobs


available_cpus = background.available_cpus  # one rule for the runner, the site and the kernel's children


def is_up_to_date(job: Job) -> bool:
    """True if the last successful run had exactly these inputs."""
    record = job.out_dir / "run.json"
    if not record.exists() or not (job.out_dir / f"{job.notebook}.ipynb").exists():
        return False
    try:
        return json.loads(record.read_text())["inputs_hash"] == job.inputs_hash
    except (OSError, ValueError, KeyError, TypeError):
        return False


# --- key outputs ----------------------------------------------------------------


def show_key_outputs(values: dict[str, Any]) -> None:
    """Display a chapter's key outputs (call it in a cell tagged ``key-outputs``).

    ``values`` is a flat mapping of a short label to a number, a short text,
    a boolean or None. The output carries the mapping as ``application/json``
    (what :func:`key_outputs` reads) and as plain text for the page.
    """
    from IPython.display import display

    if not isinstance(values, dict):
        raise TypeError("key outputs: a mapping of label to value")
    for k, v in values.items():
        if not isinstance(k, str) or not (v is None or isinstance(v, (bool, int, float, str))):
            raise TypeError(f"key output {k!r}: a text label with a number, text, boolean or None")
    text = "\n".join(f"{k}: {v}" for k, v in values.items()) or "(no key outputs)"
    display({"application/json": dict(values), "text/plain": text}, raw=True)


def key_outputs(nb) -> dict[str, Any]:
    """The key outputs of an executed notebook (see the module's docstring)."""
    found: dict[str, Any] = {}
    for cell in nb.cells:
        if cell.get("cell_type") != "code" or KEY_OUTPUTS_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            value = out.get("data", {}).get("application/json")
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    continue
            if isinstance(value, dict):
                found.update({str(k): v for k, v in value.items()})
    return found


# --- cells as the reader sees them ----------------------------------------------


def _heading_text(source: str) -> str | None:
    found = None
    for line in source.splitlines():
        m = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m and m.group(1):
            found = m.group(1)
    return found


def section_before(cells, index: int) -> str | None:
    """The nearest heading at or before cell ``index`` (the section a cell is in).

    Headings are read from markdown cells and from the Markdown that code cells
    have displayed (a heading computed from the run's parameters).
    """
    for cell in reversed(list(cells)[: index + 1]):
        if cell.get("cell_type") == "markdown":
            text = _heading_text("".join(cell.get("source", "")))
        elif cell.get("cell_type") == "code":
            shown = [o.get("data", {}).get("text/markdown") for o in cell.get("outputs", [])]
            md = [m if isinstance(m, str) else "".join(m) for m in shown if m]
            text = _heading_text("\n".join(md)) if md else None
        else:
            text = None
        if text:
            return text
    return None


def _short(text: str, width: int = 48) -> str:
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut[width // 2 :]:  # end on a whole word
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–") + "…"


# --- execution (in a worker process) ------------------------------------------


def _quiet_imports() -> None:
    # jsonschema imports rfc3987_syntax (and lark) when installed, which adds
    # about a second to every process that imports nbformat; notebooks never
    # need its IRI format checks. A None entry makes that optional import fail
    # fast, as if the package were absent (python-jsonschema/jsonschema#1428).
    sys.modules.setdefault("rfc3987_syntax", None)


def clean_metadata(nb) -> None:
    """Drop run-specific metadata (timings) so a re-run gives the same file.

    Papermill gives the cell it injects a random id; it gets a fixed one, so
    two runs with the same parameters give the same notebook and page.
    """
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    # How a cell's printed text is cut into stream messages depends on when the kernel
    # flushes, so the same run could be stored as one output or two: consecutive outputs
    # of one stream are joined (as nbval compares them), so the file is the same every time.
    join_streams = CoalesceStreamsPreprocessor()
    nb.metadata.pop("papermill", None)
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "id" in cell and "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        join_streams.preprocess_cell(cell, {}, i)


def export_html(nb, target: Path, site_root: str | None = None) -> None:
    """Write a notebook's HTML: the site's page, offline (helpers.render).

    ``site_root`` is the relative URL from the page to ``build/site/``, for the
    site's navigation (used when :func:`helpers.render.notebook_html` takes it).
    """
    from . import render

    kw = {}
    if site_root is not None and "site_root" in inspect.signature(render.notebook_html).parameters:
        kw["site_root"] = site_root
    target.write_text(render.notebook_html(nb, **kw), encoding="utf-8")


def site_root_for(folder: Path, build: Path | None = None) -> str:
    """Relative URL from a page in ``folder`` (under ``build/``) to ``build/site/``."""
    try:
        depth = len(folder.resolve().relative_to((build or paths.build_dir()).resolve()).parts)
    except ValueError:
        depth = 1
    return "../" * depth + "site/"


def _atomic_copy(src: Path, dst: Path) -> None:
    """Copy a file into place atomically; on any failure no ``.tmp`` file is left behind."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        shutil.copyfile(src, tmp)
        tmp.replace(dst)
    except BaseException:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise


def _publish(src: Path, names: list[str], dest: Path) -> None:
    """Copy files into ``dest``: all are copied beside their targets first, then renamed into place,
    so a failure while copying (full disk, I/O error, read-only folder) changes none of them and
    leaves no temporary file."""
    dest.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name in names:
            tmp = dest / f".{name}.{uuid.uuid4().hex[:8]}.tmp"
            staged.append((tmp, dest / name))
            shutil.copyfile(src / name, tmp)
        for tmp, target in staged:
            tmp.replace(target)
    except BaseException:
        for tmp, _ in staged:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
        raise


# atomic exchange of two paths (Linux renameat2 with RENAME_EXCHANGE)
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_renameat2: Any = False  # False: not looked up yet; None: not available


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths; False if the system cannot (then nothing changed)."""
    global _renameat2
    if _renameat2 is False:
        _renameat2 = None
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
                fn = libc.renameat2
                fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
                fn.restype = ctypes.c_int
                _renameat2 = fn
            except (OSError, AttributeError):
                _renameat2 = None
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP: this file system cannot exchange
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap(scratch: Path, final: Path) -> Path | None:
    """Put ``scratch`` at ``final``; return where the previous ``final`` now is (None: there was none).

    Atomic: at every moment ``final`` is either the old or the new folder. With
    an exchange-rename the old folder ends up at ``scratch``'s path; otherwise
    it is renamed aside to ``.<final>.old-<id>`` first and renamed back if
    moving the new one in fails (a kill between the two steps is repaired by
    :func:`clean_stale` at the next run).
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    if not os.path.lexists(final):
        scratch.rename(final)
        return None
    if _exchange(scratch, final):
        return scratch
    old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
    final.rename(old)
    try:
        scratch.rename(final)
    except BaseException:
        old.rename(final)
        raise
    return old


def _unswap(final: Path, old: Path | None) -> Path:
    """Undo :func:`_swap`: the previous folder back at ``final``; return where the new one went."""
    if old is not None and _exchange(old, final):
        return old
    new = final.with_name(f".{final.name}.new-{uuid.uuid4().hex[:8]}")
    final.rename(new)
    if old is not None:
        old.rename(final)
    return new


def _swap_into_place(scratch: Path, final: Path) -> None:
    """Move a finished scratch folder to its final place, replacing the old one atomically."""
    old = _swap(scratch, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _host_tag() -> str:
    """Six hex digits naming this machine in scratch folder names (a pid means nothing on another)."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]


def clean_stale(build: Path | None = None) -> None:
    """Remove what killed runs left behind; restore a hidden good result if it lost its place.

    * ``build/.tmp/<run>-<pid>-<id>[@<host>]``: removed when process ``pid``
      is gone, if it ran on this machine (``<host>``, see :func:`_host_tag`);
      a scratch folder of another machine (a Dask worker sharing the folder)
      when older than a day; other scratch folders (the site's) when older
      than an hour;
    * ``.<name>.old-<id>`` beside a result: renamed back to ``<name>`` if that
      is missing (a kill between the two renames of a swap), else removed;
      ``.<name>.new-<id>`` removed. Entries younger than a minute are left
      alone: they may belong to a run in progress.
    """
    build = build or paths.build_dir()
    now = time.time()
    tmp = build / ".tmp"
    if tmp.is_dir():
        for entry in tmp.iterdir():
            m = re.search(r"-(\d+)-[0-9a-f]{8}(?:@([0-9a-f]{6}))?$", entry.name)
            try:
                if m and m.group(2) not in (None, _host_tag()):  # a process on another machine
                    stale = now - entry.stat().st_mtime > 86400
                else:
                    stale = (not _pid_alive(int(m.group(1)))) if m else now - entry.stat().st_mtime > 3600
            except OSError:
                continue
            if stale:
                shutil.rmtree(entry, ignore_errors=True)
    for folder in (build, build / "runs", build / "site", build / "site" / "assets"):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            m = re.match(r"^\.(.+)\.(old|new)-[0-9a-f]{8}$", entry.name)
            if not m:
                continue
            try:
                if now - entry.lstat().st_mtime < STALE_SECONDS:
                    continue
                target = folder / m.group(1)
                if m.group(2) == "old" and not os.path.lexists(target):
                    entry.rename(target)
                else:
                    shutil.rmtree(entry, ignore_errors=True)
            except OSError:
                continue


class _KernelStderr:
    """Send this process's stderr (and so a kernel's) to a log file while a kernel starts.

    Used by :mod:`helpers.seminar`; the runner itself gives each kernel its own
    stderr file (no process-wide redirection).
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


ENGINE = "sco"
_engine_registered = False
_engine_lock = threading.Lock()


def _register_engine() -> None:
    """A papermill engine that starts each kernel with its own env, cwd and stderr, and reports cells.

    The engine also writes the executed notebook itself, to the path the run
    gives it (``sco_output``), once, when execution ends (also on failure):
    papermill is given no file paths at all (the notebook goes in as an object,
    ``output_path`` is None), so its local-file handler, which changes the
    process's working directory around every read and write, is never used,
    and runs in several threads of one process (a Dask worker) cannot disturb
    each other.
    """
    global _engine_registered
    with _engine_lock:
        if not _engine_registered:
            _define_engine()
            _engine_registered = True


def _define_engine() -> None:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class Client(PapermillNotebookClient):
        def __init__(self, nb_man, *, sco_km=None, **kw):
            super().__init__(nb_man, **kw)
            self.sco_km = sco_km  # the kernel the runner started (start_kernel, with its env, cwd and log)

        def papermill_execute_cells(self):
            super().papermill_execute_cells()
            if self.nb.metadata.get("papermill", {}).get("exception"):
                return  # a cell failed: the run fails with that cell's error, whatever the figures
            # After the last cell: figures' second formats drawn in the kernel's child processes
            # (helpers.background, on through SCO_FIGURES_BACKGROUND) are complete before the
            # runner reads the figures folder. Silent: no execution count, nothing in the notebook.
            msg_id = self.kc.execute(FINISH_FIGURES, silent=True, store_history=False, allow_stdin=False)
            reply = self.wait_for_reply(msg_id) or {}
            content = reply.get("content", {})
            if content.get("status") != "ok":
                raise RunFailure(
                    "saving the figures after the last cell failed: "
                    f"{content.get('ename', 'no reply')}: {content.get('evalue', '')}"
                )

        def create_kernel_manager(self):
            if self.sco_km is None:
                return super().create_kernel_manager()
            self.km, self.sco_km = self.sco_km, None  # has_kernel: nbclient starts no other, and shuts it down
            return self.km

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            sco_progress=None,
            sco_output=None,
            sco_input=None,
            sco_km=None,
            **kwargs,
        ):
            if sco_input is not None:  # the file, not the notebook object papermill was given
                nb_man.nb.metadata.setdefault("papermill", {})["input_path"] = sco_input
            if sco_output is not None:
                _write_once_at_end(nb_man, Path(sco_output))
            if sco_progress is not None:
                _report_cells(nb_man, sco_progress)
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout or kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            # Every output is in once the last cell (and the figures' finish) has replied, so the
            # kernel is stopped at once rather than asked and waited for (about 0.4 s a run).
            final["shutdown_kernel"] = "immediate"
            return Client(nb_man, sco_km=sco_km, **final).execute()

    papermill_engines.register(ENGINE, Engine)


#: Run silently in the kernel after the last cell (see ``Client.papermill_execute_cells``).
FINISH_FIGURES = "__import__('helpers.core.background', fromlist=['finish']).finish()"


def start_kernel(env: dict[str, str], cwd: str, stderr) -> Any:
    """Start a run's kernel and return its manager at once, without waiting for it to be ready.

    Called on the run's own event loop (:class:`_own_event_loop`) before
    papermill is imported and the notebook read, so the kernel boots while
    this process does that. The manager is then handed to papermill's client
    (``sco_km``), which waits for the kernel, runs the notebook in it and
    shuts it down, as it does with a kernel it starts itself; the kernel is
    the ``python3`` kernel papermill would start, with the in-memory IPython
    history nbclient gives the kernels it starts.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name="python3")
    run_sync(km.start_kernel)(env=env, cwd=cwd, stderr=stderr, extra_arguments=["--HistoryManager.hist_file=:memory:"])
    return km


def stop_kernel(km) -> None:
    """Shut down a kernel from :func:`start_kernel` if papermill's client never took it over."""
    if not km.has_kernel:
        return
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - a kernel that is gone already needs nothing more
        pass


def _write_once_at_end(nb_man, target: Path) -> None:
    """Make papermill's execution manager write the notebook to ``target`` when execution ends, not per cell."""
    import nbformat

    complete = nb_man.notebook_complete
    nb_man.save = lambda **kw: None  # per-cell saves: nothing reads the scratch notebook before the end

    def notebook_complete(**kw):
        complete(**kw)
        nbformat.write(nb_man.nb, str(target))

    nb_man.notebook_complete = notebook_complete


def _report_cells(nb_man, progress: Callable[[int, int, str | None], None]) -> None:
    cells = nb_man.nb.cells
    code = [i for i, c in enumerate(cells) if c.cell_type == "code"]
    place = {i: n for n, i in enumerate(code, 1)}
    start = nb_man.cell_start

    def cell_start(cell, cell_index=None, **kw):
        start(cell, cell_index, **kw)
        if cell_index in place:
            progress(place[cell_index], len(code), section_before(cells, cell_index))

    nb_man.cell_start = cell_start


def _progress_printer(prefix: str, echo: Callable[[str], None]) -> Callable[[int, int, str | None], None]:
    t0 = time.perf_counter()

    def progress(n: int, total: int, section: str | None) -> None:
        where = _short(section) if section else "(before the first heading)"
        echo(f"{prefix}[{n}/{total}] {where}  ({time.perf_counter() - t0:.0f} s)")

    return progress


def _print(line: str) -> None:
    try:  # one write with its newline: lines of several worker processes do not run together
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # nobody reads the progress any more
        pass


def _port_taken(exc: BaseException, kernel_log: Path, since: int) -> bool:
    """True if a kernel died at start because a port chosen for it was taken meanwhile.

    jupyter_client picks free ports and the kernel binds them a moment later;
    with many kernels starting at once (a sweep, a Dask worker's threads,
    other users' runs) another process can take one in between. The kernel
    then dies before running any cell, so starting another is safe.
    """
    if "Kernel died before replying" not in str(exc):
        return False
    try:
        with open(kernel_log, "rb") as fh:
            fh.seek(since)
            return b"Address already in use" in fh.read()
    except OSError:
        return False


class RunFailure(Exception):
    """A failure of one run with a message for the user (no traceback needed)."""


def _loopback_problem() -> str | None:
    """Why kernels could not be reached on 127.0.0.1, or None if they can."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
    except OSError as exc:
        return (
            f"cannot open a port on 127.0.0.1 ({exc.strerror or exc}): notebook kernels talk to the "
            "runner over the loopback interface; bring it up (e.g. 'ip link set lo up') and try again"
        )
    return None


_KERNEL_HINT = (
    "the Python kernel did not start or answer ({}); kernels talk to the runner over the loopback "
    "interface 127.0.0.1 - check that it is up ('ip link set lo up') and read kernel.log beside the log"
)


def _summary(exc: BaseException, out_nb: Path | None) -> str:
    """One line saying what failed, naming the cell as the reader sees it."""
    if hasattr(exc, "exec_count") and hasattr(exc, "ename"):
        section = None
        if out_nb is not None and out_nb.exists():
            try:
                import nbformat

                section = section_before(nbformat.read(out_nb, as_version=4).cells, exc.cell_index)
            except Exception:  # noqa: BLE001 - the summary must not fail
                section = None
        evalue = (str(exc.evalue).strip().splitlines() or [""])[-1]
        where = f"In [{exc.exec_count}]" + (f" (section “{_short(section, 60)}”)" if section else "")
        return f"{where}: {exc.ename}: {evalue}"
    text = str(exc).strip()
    if isinstance(exc, RunFailure):
        return text
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({_rel(Path(exc.filename))})" if exc.filename else ""
        return f"{type(exc).__name__}: {exc.strerror}{where}"
    lines = text.splitlines()
    first = lines[-1] if lines else ""
    if type(exc).__name__ == "DeadKernelError":
        return (
            "the Python kernel died while running the notebook (out of memory, or killed?); "
            "see kernel.log beside the log"
        )
    if (
        isinstance(exc, (RuntimeError, TimeoutError)) and ("Kernel didn't respond" in text or "Kernel died" in text)
    ) or type(exc).__module__.startswith("zmq"):
        return _KERNEL_HINT.format(f"{type(exc).__name__}: {first}")
    return f"{type(exc).__name__}: {first}"


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class _own_event_loop:
    """In a thread other than the main one, run papermill on an event loop of this thread's own.

    nbclient drives the kernel with asyncio and asks for "the" event loop; in a
    worker thread (Dask with several threads per worker) that may be a loop
    some other thread is running, which fails with "This event loop is already
    running". A fresh loop per run, closed afterwards, keeps runs apart.
    """

    def __enter__(self):
        import asyncio
        import threading

        self.loop, self.token = None, None
        if threading.current_thread() is not threading.main_thread():
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            # jupyter_core remembers "the" loop in a context variable, and a worker thread may run
            # in a copy of the context where another thread's (running) loop was remembered
            try:
                from jupyter_core.utils import _loop as remembered
            except ImportError:  # another jupyter_core: nothing remembered there
                remembered = None
            if remembered is not None:
                self.token = (remembered, remembered.set(self.loop))
        return self

    def __exit__(self, *exc):
        if self.loop is not None:
            import asyncio

            if self.token is not None:
                var, token = self.token
                var.reset(token)
            asyncio.set_event_loop(None)
            self.loop.close()
        return False


def execute(job: Job, progress: Callable[[int, int, str | None], None] | None = None) -> Result:
    """Run one job; never raise except KeyboardInterrupt (a failure is a Result with its log).

    ``progress(n, total, section)`` is called as each code cell starts.
    """
    _quiet_imports()
    start = time.perf_counter()
    scratch: Path | None = None
    out_nb: Path | None = None
    try:
        build = job.build_dir
        scratch = build / ".tmp" / f"{job.out_name}-{os.getpid()}-{uuid.uuid4().hex[:8]}@{_host_tag()}"
        figs = scratch / "figures"
        figs.mkdir(parents=True)
        out_nb = scratch / f"{job.notebook}.ipynb"
        # Every folder the kernel reads or writes, in the kernel's own environment (never this
        # process's): runs in threads of one worker each give their kernel their own.
        kernel_env = {
            **os.environ,
            "SCO_FIGURES_DIR": str(figs),
            "SCO_REPO_ROOT": str(job.root_dir),
            "SCO_BUILD_DIR": str(build),
            "SCO_DATA_DIR": str(job.data_dir),
            "SCO_FIGURES_BACKGROUND": "1",  # SVGs drawn by the kernel's children (helpers.background)
        }
        cwd = str(job.notebook_file.parent)
        source = warm = None
        with _own_event_loop():
            for attempt in (1, 2):
                log_size = (scratch / "kernel.log").stat().st_size if (scratch / "kernel.log").exists() else 0
                # The kernel first: it boots while this process imports papermill and reads the notebook.
                with open(scratch / "kernel.log", "ab") as kernel_log:
                    km = start_kernel(kernel_env, cwd, kernel_log)
                try:
                    import nbformat
                    import papermill as pm

                    _register_engine()
                    if source is None:
                        source = nbformat.read(job.notebook_file, as_version=4)
                        # the page renderer made ready in this (otherwise idle) process while the kernel runs
                        from . import render

                        warm = render.prewarm(site_root_for(job.out_dir, build))
                    pm.execute_notebook(
                        source,  # an object and no output path: papermill touches no file (see _register_engine)
                        None,
                        parameters=job.overrides or None,
                        kernel_name="python3",
                        engine_name=ENGINE,
                        progress_bar=False,
                        log_output=False,
                        start_timeout=KERNEL_START_TIMEOUT,
                        sco_km=km,
                        sco_progress=progress,
                        sco_output=str(out_nb),
                        sco_input=str(job.notebook_file),
                    )
                    break
                except RuntimeError as exc:
                    if attempt == 1 and _port_taken(exc, scratch / "kernel.log", log_size):
                        continue  # the kernel died before running any cell: start another
                    raise
                finally:
                    stop_kernel(km)  # only if nbclient never took it over (it shuts down what it ran)
        import yaml

        nb = nbformat.read(out_nb, as_version=4)
        clean_metadata(nb)
        nbformat.write(nb, out_nb)
        keys = key_outputs(nb)
        warm.join()
        export_html(nb, scratch / f"{job.notebook}.html", site_root_for(job.out_dir, build))
        (scratch / "params.yaml").write_text(
            yaml.safe_dump(job.params, sort_keys=True, allow_unicode=True), encoding="utf-8"
        )
        figures = sorted(p.name for p in figs.iterdir())
        if not figures:
            figs.rmdir()
        record = {
            "notebook": job.notebook,
            "name": job.name,
            "parameters": job.params,
            "overrides": job.overrides,
            "changed": job.changed,
            "default_parameters": job.is_default,
            "inputs_hash": job.inputs_hash,
            "figures": figures,
            "key_outputs": keys,
            "status": "ok",
            "finished": _now(),
            "seconds": round(time.perf_counter() - start, 2),
        }
        (scratch / "run.json").write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
        old = _swap(scratch, job.out_dir)
        scratch = None
        try:
            if job.publishes_figures:  # refresh figures/ only from a default run
                try:
                    _publish(job.out_dir / "figures", figures, job.root_dir / "figures")
                except OSError as exc:
                    raise RunFailure(
                        f"copying the figures into figures/ failed: {type(exc).__name__}: {exc.strerror or exc}"
                    ) from exc
            if job.refresh:
                _atomic_copy(job.out_dir / f"{job.notebook}.ipynb", job.notebook_file)
        except BaseException:
            scratch = _unswap(job.out_dir, old)  # the previous result back; the new one to the failure folder
            raise
        if old is not None:  # the previous result, now beside it (or in scratch after an exchange-rename)
            shutil.rmtree(old, ignore_errors=True)
        return Result(job, "ok", time.perf_counter() - start, str(job.out_dir), figures=figures)
    except KeyboardInterrupt:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        raise
    except Exception as exc:  # noqa: BLE001 - report every failure the same way
        return _failed(job, exc, scratch, out_nb, start)


def _failed(job: Job, exc: BaseException, scratch: Path | None, out_nb: Path | None, start: float) -> Result:
    """Record a failure: the scratch folder and a log under ``build/.failed/``; never raise."""
    summary = _summary(exc, out_nb)
    log: Path | None = None
    note = ""
    try:
        failed = job.build_dir / ".failed" / job.out_name
        if failed.exists():
            shutil.rmtree(failed)
        failed.parent.mkdir(parents=True, exist_ok=True)
        if scratch is not None and scratch.exists():
            scratch.rename(failed)
            scratch = None
        else:
            failed.mkdir()
        log = failed / "log.txt"
        log.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        record = {
            "notebook": job.notebook,
            "name": job.name,
            "changed": job.changed,
            "status": "failed",
            "message": summary,
            "finished": _now(),
            "seconds": round(time.perf_counter() - start, 2),
        }
        (failed / "failed.json").write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
    except Exception as exc2:  # noqa: BLE001 - full or read-only disk: still one honest line
        note = f"no log could be written ({type(exc2).__name__}: {getattr(exc2, 'strerror', None) or exc2})"
        if log is not None:
            try:
                log.unlink(missing_ok=True)
            except OSError:
                pass
        log = None
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    kept = (job.out_dir / "run.json").exists()
    return Result(job, "failed", time.perf_counter() - start, summary, log=log, kept=kept, note=note)


# --- one run per output folder at a time ---------------------------------------------


class LockTimeout(RunFailure):
    """An identical run held the output folder's lock for longer than the run would wait."""


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f" by {text}" if text else ""


class variant_lock:
    """Hold ``build/.locks/<out_name>.lock`` while a run of that output folder executes.

    A second run of the same variant (another thread, process, Dask worker or
    ``./sco`` on the same clone) waits here until the first has finished, then
    finds its result up to date and reuses it (see :func:`run_one`). The lock
    is ``flock`` on the file: the system releases it when its holder exits,
    even when killed, so a crashed run never blocks the next. ``waited`` is
    True if another run held it when this one arrived. Where the lock cannot be
    made (no ``fcntl``, a read-only ``build/``) runs go unlocked, as before:
    the lock only saves work, the atomic swap keeps results whole.
    """

    def __init__(self, job: Job, timeout: float = LOCK_TIMEOUT, poll: float = 0.2):
        self.job, self.timeout, self.poll = job, timeout, poll
        self.fd: int | None = None
        self.waited = False

    def __enter__(self) -> variant_lock:
        try:
            import fcntl
        except ImportError:
            return self
        path = self.job.lock_file
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return self
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                self.waited = True
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise LockTimeout(
                        f"an identical run of {self.job.out_name} (same output folder) has been running for more "
                        f"than {self.timeout:.0f} s (lock {_rel(path)} held{_holder(path)}); wait for it to "
                        "finish or stop it, then run again"
                    ) from None
                time.sleep(self.poll)
            except OSError:  # a file system without flock: run unlocked
                os.close(fd)
                return self
        self.fd = fd
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"process {os.getpid()} on {socket.gethostname()} since {_now()}\n".encode())
        except OSError:
            pass
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            try:
                os.ftruncate(self.fd, 0)
            except OSError:
                pass
            os.close(self.fd)  # closing the descriptor releases the flock
            self.fd = None


def run_one(
    job: Job,
    progress: Callable[[int, int, str | None], None] | None = None,
    *,
    force: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Result:
    """Run one job under its output folder's lock; reuse the result of an identical run that finished first.

    Without ``force`` a result that is up to date once the lock is held is
    reused (an identical run finished meanwhile); with ``force`` only one that
    finished while this run waited is (two forced identical runs at once still
    execute once). Never raises except KeyboardInterrupt, like :func:`execute`.
    """
    start = time.perf_counter()
    try:
        with variant_lock(job, lock_timeout) as lock:
            if (lock.waited or not force) and is_up_to_date(job):
                return Result(
                    job,
                    "skipped",
                    time.perf_counter() - start,
                    str(job.out_dir),
                    note="reused the result of an identical run that finished first",
                )
            return execute(job, progress)
    except LockTimeout as exc:
        return Result(
            job,
            "failed",
            time.perf_counter() - start,
            str(exc),
            kept=(job.out_dir / "run.json").exists(),
            note="no log: this run did not start",
        )


# --- worker processes -------------------------------------------------------------

_IN_JOB = False


def _worker_sigint(signum, frame):  # noqa: ARG001
    if _IN_JOB:
        raise KeyboardInterrupt


def _worker_init() -> None:
    # Ctrl-C reaches every process of the terminal: a busy worker stops its run
    # and cleans up; an idle one ignores it (the main process shuts the pool down).
    signal.signal(signal.SIGINT, _worker_sigint)


def _execute_in_worker(job: Job, prefix: str, force: bool = False) -> Result:
    global _IN_JOB
    _IN_JOB = True
    try:
        return run_one(job, _progress_printer(prefix, _print), force=force)
    except KeyboardInterrupt:
        _quiet_after_interrupt()
        raise
    finally:
        _IN_JOB = False


def _quiet_after_interrupt() -> None:
    """After Ctrl-C, the kernel's shutdown leaves nbclient and asyncio complaining; the user asked to stop."""
    import logging

    logging.disable(logging.CRITICAL)


# --- orchestration --------------------------------------------------------------


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(paths.repo_root()))
    except ValueError:
        return str(path)


# --- Dask ---------------------------------------------------------------------------

DASK_CONNECT_TIMEOUT = 20  # seconds to reach a scheduler
DASK_WORKERS_TIMEOUT = 60  # seconds to wait for a scheduler's first worker


@dataclass(frozen=True)
class DaskCluster:
    """Run on Dask: an existing scheduler (``scheduler``) or a ``LocalCluster`` started for these runs.

    ``local_workers`` None means one worker per available CPU (:func:`available_cpus`);
    ``processes=False`` starts the local workers as threads of this process.
    """

    scheduler: str | None = None
    local_workers: int | None = None
    threads_per_worker: int = 1
    processes: bool = True

    def describe(self) -> str:
        if self.scheduler:
            return f"the Dask scheduler at {self.scheduler}"
        n = self.local_workers or available_cpus()
        return f"a local Dask cluster of {n} worker(s) x {self.threads_per_worker} thread(s)" + (
            "" if self.processes else " in this process"
        )


class dask_client:
    """``with dask_client(DaskCluster(...)) as client:`` a ``distributed.Client``, closed (with its cluster) after.

    Dask is imported here, only when asked for. A missing package, a scheduler
    that cannot be reached or one with no workers is a :class:`RunnerError`
    naming the address and what to do.
    """

    def __init__(self, where: DaskCluster):
        self.where = where
        self.client = self.cluster = None

    def __enter__(self):
        try:
            import distributed
        except ImportError as exc:
            raise RunnerError(
                f"running on Dask needs the packages dask and distributed ({exc}); install the "
                "pinned environment: pip install -r requirements.lock"
            ) from None
        w = self.where
        if w.scheduler:
            try:
                self.client = distributed.Client(w.scheduler, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
            except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError for a bad address
                raise RunnerError(
                    f"cannot reach the Dask scheduler at {w.scheduler} ({type(exc).__name__}: "
                    f"{(str(exc).strip().splitlines() or [''])[0][:200]}); start one with 'dask scheduler' and "
                    "give its address (tcp://HOST:8786)"
                ) from None
            try:
                self.client.wait_for_workers(1, timeout=DASK_WORKERS_TIMEOUT)
            except Exception:  # noqa: BLE001 - TimeoutError
                self.client.close()
                raise RunnerError(
                    f"the Dask scheduler at {w.scheduler} has no workers after {DASK_WORKERS_TIMEOUT} s; start "
                    f"them in a clone of this repository with 'dask worker {w.scheduler}'"
                ) from None
        else:
            import logging

            n = w.local_workers or available_cpus()
            try:
                self.cluster = distributed.LocalCluster(
                    n_workers=n,
                    threads_per_worker=w.threads_per_worker,
                    processes=w.processes,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = distributed.Client(self.cluster, set_as_default=False)
            except Exception as exc:  # noqa: BLE001 - e.g. worker processes that cannot start
                self.__exit__()
                raise RunnerError(
                    f"could not start a local Dask cluster of {n} worker(s) ({type(exc).__name__}: "
                    f"{(str(exc).strip().splitlines() or [''])[0][:200]}); a script that starts one needs an "
                    "'if __name__ == \"__main__\":' guard (its workers are new processes that import it)"
                ) from None
        return self.client

    def __exit__(self, *exc) -> None:
        for thing in (self.client, self.cluster):
            if thing is not None:
                try:
                    thing.close()
                except Exception:  # noqa: BLE001 - shutting down; the runs' results stand
                    pass


def _execute_on_dask(job: Job, force: bool = False, prefix: str | None = None) -> Result:
    """The task a Dask worker runs: :func:`run_one`, after checking it sees the repository."""
    if not job.notebook_file.is_file():
        return Result(
            job,
            "failed",
            message=(
                f"the Dask worker on {socket.gethostname()} does not see {job.notebook_file}: workers need this "
                "clone of the repository at the same path (the same machine or a shared folder) and its environment"
            ),
        )
    progress = _progress_printer(prefix, _print) if prefix is not None else None
    return run_one(job, progress, force=force)


def _run_on_dask(client, todo: list[Job], force: bool, report: Callable[[Result], None], local: bool) -> None:
    import distributed

    futures = {}
    for job in todo:
        prefix = f"{job.out_name} " if local else None  # a remote worker's prints go to its own log
        fut = client.submit(
            _execute_on_dask, job, force, prefix, pure=False, key=f"sco-run-{job.out_name}-{uuid.uuid4().hex[:8]}"
        )
        futures[fut] = job
    try:
        for fut in distributed.as_completed(list(futures), loop=client.loop):
            job = futures[fut]
            try:
                report(fut.result())
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # noqa: BLE001 - the worker died (KilledWorker), or the task could not run
                report(
                    Result(
                        job,
                        "failed",
                        message=f"the Dask task failed: {type(exc).__name__}: {exc}",
                        kept=(job.out_dir / "run.json").exists(),
                    )
                )
    except KeyboardInterrupt:
        client.cancel(list(futures))
        raise


def run_jobs(
    jobs: list[Job],
    *,
    force: bool = False,
    workers: int | None = None,
    echo: Callable[[str], None] = print,
    dask: DaskCluster | Any | None = None,
) -> list[Result]:
    """Run jobs in parallel and report progress.

    Where: by default a local process pool of ``workers`` processes (default:
    one per available CPU); with ``dask`` a :class:`DaskCluster` (a client is
    opened for these runs, only if there is something to run, and closed
    after) or an open ``distributed.Client`` (used as is, left open). Every
    run goes through :func:`run_one`: one execution per output folder at a
    time, an identical run finishing first is reused.

    Raises
    ------
    RunnerError
        Before any work, if kernels cannot be reached (no loopback interface),
        or the Dask cluster cannot be reached.
    KeyboardInterrupt
        On Ctrl-C, after every run in progress has removed its scratch folder.
    """
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
    problem = _loopback_problem()
    if problem:
        raise RunnerError(problem)
    try:
        clean_stale()
    except OSError:
        pass
    workers = max(1, min(workers or available_cpus(), len(todo)))
    if dask is None:
        echo(f"running {len(todo)} notebook(s) on {workers} worker(s): {', '.join(j.out_name for j in todo)}")

    def report(r: Result) -> None:
        results.append(r)
        n = len(results)
        if r.status == "ok":
            figs = f", {len(r.figures)} figure(s)" if r.figures else ""
            echo(f"[{n}/{total}] ok    {r.job.out_name}  {r.seconds:.1f} s{figs}  -> {_rel(r.job.out_dir)}/")
        elif r.status == "skipped":
            echo(f"[{n}/{total}] reused {r.job.out_name}  ({r.note})  -> {_rel(r.job.out_dir)}/")
        else:
            kept = f"previous good output kept in {_rel(r.job.out_dir)}/" if r.kept else "there was no previous output"
            echo(f"[{n}/{total}] FAILED {r.job.out_name}  {r.seconds:.1f} s  {r.message}")
            where = f"log: {_rel(r.log)}" if r.log else (r.note or "no log")
            echo(f"        {where}  ({kept})")

    try:
        if dask is not None:
            if isinstance(dask, DaskCluster):
                with dask_client(dask) as client:
                    echo(f"running {len(todo)} notebook(s) on {dask.describe()}: {', '.join(j.out_name for j in todo)}")
                    _run_on_dask(client, todo, force, report, local=not dask.scheduler)
            else:
                echo(f"running {len(todo)} notebook(s) on Dask: {', '.join(j.out_name for j in todo)}")
                _run_on_dask(client=dask, todo=todo, force=force, report=report, local=True)
        elif workers == 1:
            for job in todo:
                prefix = f"{job.out_name} " if len(todo) > 1 else "  "
                report(run_one(job, _progress_printer(prefix, echo), force=force))
        else:
            with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
                futures = {pool.submit(_execute_in_worker, job, f"{job.out_name} ", force): job for job in todo}
                try:
                    for fut in as_completed(futures):
                        try:
                            report(fut.result())
                        except KeyboardInterrupt:
                            raise
                        except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory)
                            job = futures[fut]
                            report(
                                Result(
                                    job,
                                    "failed",
                                    message=f"the worker process died: {type(exc).__name__}: {exc}",
                                    kept=(job.out_dir / "run.json").exists(),
                                )
                            )
                except KeyboardInterrupt:
                    for fut in futures:
                        fut.cancel()
                    raise
    finally:
        tmp = (jobs[0].build_dir if jobs else paths.build_dir()) / ".tmp"
        try:
            if tmp.exists() and not any(tmp.iterdir()):
                tmp.rmdir()
        except OSError:
            pass
        try:
            write_runs_index()
        except Exception:  # noqa: BLE001 - the index is a convenience; a run's result stands
            pass
    return results


# --- build/runs/index.html ------------------------------------------------------------


def _read_json(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _value_text(v: Any) -> str:
    if isinstance(v, list):
        return ", ".join(map(str, v))
    return str(v)


def collect_runs() -> list[dict[str, Any]]:
    """Every run under ``build/``: default runs, named and hashed runs, and failures."""
    build = paths.build_dir()
    runs: dict[str, dict[str, Any]] = {}
    folders = [(build / nb, nb, f"../{nb}/") for nb in list_notebooks()]
    runs_dir = build / "runs"
    if runs_dir.is_dir():
        folders += [
            (d, d.name, f"{d.name}/") for d in sorted(runs_dir.iterdir()) if d.is_dir() and not d.name.startswith(".")
        ]
    for folder, key, href in folders:
        record = _read_json(folder / "run.json")
        if record is None:
            continue
        nb = str(record.get("notebook", ""))
        runs[key] = {
            "key": key,
            "notebook": nb,
            "name": record.get("name") or ("default" if key == nb else key),
            "changed": record.get("changed") or record.get("overrides") or {},
            "status": "ok",
            "finished": str(record.get("finished", "")),
            "seconds": record.get("seconds"),
            "href": f"{href}{nb}.html",
            "log": None,
            "message": "",
        }
    failed_dir = build / ".failed"
    if failed_dir.is_dir():
        for d in sorted(failed_dir.iterdir()):
            record = _read_json(d / "failed.json")
            if record is None:
                continue
            good = runs.get(d.name)
            if good is not None and good["finished"] >= str(record.get("finished", "")):
                continue  # an older failure, since run successfully
            nb = str(record.get("notebook", ""))
            runs[d.name] = {
                "key": d.name,
                "notebook": nb,
                "name": record.get("name") or ("default" if d.name == nb else d.name),
                "changed": record.get("changed") or {},
                "status": "failed" + (" (previous good output kept)" if good else ""),
                "finished": str(record.get("finished", "")),
                "seconds": record.get("seconds"),
                "href": good["href"] if good else None,
                "log": f"../.failed/{d.name}/log.txt",
                "message": str(record.get("message", "")),
            }
    return sorted(runs.values(), key=lambda r: r["finished"], reverse=True)


PAGE_CSS = """
body { font-family: system-ui, sans-serif; max-width: 64rem; margin: 0 auto 2rem; padding: 0 1rem; line-height: 1.5; color: #1f2328; }
nav.sco-runs-nav { padding: 0.6rem 0; border-bottom: 1px solid #d8dee4; margin-bottom: 1rem; }
nav.sco-runs-nav a { margin-right: 1.2rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border-bottom: 1px solid #d8dee4; padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
a { color: #1f5f8b; }
.note { color: #5b6770; font-size: 0.9em; }
.failed { color: #a40e26; }
.question { border-left: 4px solid #1f5f8b; padding: 0.3rem 0.9rem; background: #f6f8fa; }
"""


def page(title: str, body: str, nav: list[tuple[str, str]]) -> str:
    """A small standalone page (runs and sweep indexes): escaped title, given body, links on top."""
    E = html.escape
    links = "".join(f'<a href="{E(href)}">{E(text)}</a>' for text, href in nav)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{E(title)}</title>
<link rel="icon" href="data:,">
<style>{PAGE_CSS}</style>
</head>
<body>
<nav class="sco-runs-nav">{links}</nav>
{body}
</body>
</html>
"""


def runs_index_html(runs: list[dict[str, Any]]) -> str:
    E = html.escape
    rows = []
    for r in runs:
        params = "<br>".join(f"<code>{E(str(k))}</code> = {E(_value_text(v))}" for k, v in r["changed"].items())
        status = E(r["status"])
        if r["status"].startswith("failed"):
            status = f'<span class="failed">{status}</span>'
            if r["message"]:
                status += f'<br><span class="note">{E(r["message"])}</span>'
        links = []
        if r["href"]:
            links.append(f'<a href="{E(r["href"])}">report</a>')
        if r["log"]:
            links.append(f'<a href="{E(r["log"])}">log</a>')
        secs = f"{r['seconds']:.0f} s" if isinstance(r["seconds"], (int, float)) else ""
        rows.append(
            f"<tr><td><strong>{E(str(r['name']))}</strong></td><td>{E(r['notebook'])}</td>"
            f"<td>{params or 'defaults'}</td><td>{status}</td>"
            f'<td>{E(r["finished"])}<br><span class="note">{E(secs)}</span></td>'
            f"<td>{' · '.join(links) or 'none'}</td></tr>"
        )
    table = (
        (
            "<table><thead><tr><th>run</th><th>chapter</th><th>parameters (other than the defaults)</th>"
            "<th>status</th><th>finished</th><th>pages</th></tr></thead><tbody>\n"
            + "\n".join(rows)
            + "\n</tbody></table>"
        )
        if rows
        else "<p>No runs yet.</p>"
    )
    body = (
        f"<h1>Runs</h1>\n<p>Every run in <code>build/</code>, newest first: the default runs "
        f"(<code>build/&lt;chapter&gt;/</code>), named runs (<code>--name</code>) and other parameter "
        f"sets (<code>build/runs/</code>). Start one with <code>./sco run CHAPTER -p NAME VALUE</code>.</p>\n"
        f"{table}"
    )
    return page("Runs", body, [("Site", "../site/index.html")])


def write_runs_index() -> Path:
    """Rewrite ``build/runs/index.html`` from the runs on disk."""
    target = paths.build_dir() / "runs" / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".index.html.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_text(runs_index_html(collect_runs()), encoding="utf-8")
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
