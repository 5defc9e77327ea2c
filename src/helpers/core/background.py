"""Write a figure's second format in a child process while the notebook goes on.

A chapter saves each figure twice (PNG for the page, SVG for print and
reuse). The PNG is needed at once: the kernel shows those very bytes
(:func:`helpers.figmeta.remember_png`). The SVG is not, so in a run started
by the runner, :func:`helpers.style.save_figure` hands it to :func:`save_later`:
the kernel forks, the child draws the SVG from its copy of the figure (the
figure exactly as it was when saved) and exits, and the notebook's next
cells run meanwhile on the other core. The runner calls :func:`finish` in
the kernel after the last cell, before it reads the figures folder.

Only the runner turns this on, through the kernel's own environment
(``SCO_FIGURES_BACKGROUND=1``, beside ``SCO_FIGURES_DIR``); papermill,
nbval, JupyterLab and the tests save in the notebook's process, as before.
It is off where ``os.fork`` is missing and on a single CPU.

Safety of forking a kernel: the child only draws with matplotlib and writes
one file, with its standard streams sent to ``/dev/null`` (a kernel's
streams are pipes the kernel's own threads read), the garbage collector off
and no exit handlers (``os._exit``), so it touches nothing the kernel's
other threads hold. A child that fails, is killed or has not finished
after :data:`TIMEOUT` seconds is replaced by saving the file here, in the
notebook's process; an error in that saving is raised by :func:`finish`, so
a run never ends with a figure missing.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Seconds a child may take before the file is saved in the notebook's process instead.
TIMEOUT = 300.0

#: Environment variable (of the kernel process, set by the runner) that turns background saving on.
ENV = "SCO_FIGURES_BACKGROUND"


@dataclass
class _Pending:
    pid: int
    fig: Any
    target: Path
    tmp: Path
    rc: dict
    kwargs: dict


_pending: list[_Pending] = []


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, e.g. a container's share), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no sched_getaffinity (macOS, Windows)
        return max(1, os.cpu_count() or 1)


def enabled() -> bool:
    """Whether this process saves second formats in the background (runner's kernels only)."""
    return os.environ.get(ENV) == "1" and hasattr(os, "fork") and available_cpus() > 1


def _wait(job: _Pending, deadline: float) -> bool:
    """Wait for a child; True when it exited with status 0 (killed and reaped at the deadline)."""
    while True:
        try:
            pid, status = os.waitpid(job.pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere: trust only the file
            return False
        if pid:
            return os.waitstatus_to_exitcode(status) == 0
        if time.monotonic() > deadline:
            try:
                os.kill(job.pid, signal.SIGKILL)
                os.waitpid(job.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            return False
        time.sleep(0.005)


def _complete(job: _Pending, deadline: float) -> None:
    if _wait(job, deadline) and job.target.exists():
        return
    # The child failed or was too slow: save here (an error in this is the notebook's own).
    _save(job.fig, job.tmp, job.target, job.rc, job.kwargs)


def _save(fig, tmp: Path, target: Path, rc: dict, kwargs: dict) -> None:
    import matplotlib as mpl

    with mpl.rc_context(rc):
        fig.savefig(tmp, **kwargs)
    os.replace(tmp, target)


def save_later(fig, target: Path, rc: dict | None = None, **kwargs) -> None:
    """``fig.savefig(target, **kwargs)`` under ``rc`` in a child process (to a temporary name, then renamed)."""
    # One child per spare CPU: the notebook keeps one, and more children would only queue.
    while _pending and len(_pending) >= max(1, available_cpus() - 1):
        _complete(_pending.pop(0), time.monotonic() + TIMEOUT)
    tmp = target.with_name(f".{target.name}.bg.tmp")
    import warnings

    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a process with threads may deadlock the child; this
        # child takes none of the locks the kernel's threads use (see the module's docstring).
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: draw, write, leave without running anything else
        code = 1
        try:
            import gc

            gc.disable()
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the child exits right after
            warnings.simplefilter("ignore")
            _save(fig, tmp, target, rc or {}, kwargs)
            code = 0
        finally:
            os._exit(code)
    _pending.append(_Pending(pid, fig, target, tmp, rc or {}, kwargs))


def finish(timeout: float = TIMEOUT) -> int:
    """Wait for every figure saved in the background; save any that failed here. Returns how many."""
    n = len(_pending)
    deadline = time.monotonic() + timeout
    while _pending:
        _complete(_pending.pop(0), deadline)
    return n
