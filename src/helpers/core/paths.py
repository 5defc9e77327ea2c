"""Where the repository's folders are.

Paths are resolved from the installed package (an editable install of this
repository), never from the kernel's working directory, so a notebook finds
its data whether papermill, nbval or JupyterLab started it. ``SCO_REPO_ROOT``
overrides the root (the tests use it to point at a scratch copy).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

_PACKAGE_ROOT = Path(__file__).resolve().parents[3]  # src/helpers/core/paths.py


class NotInRepositoryError(RuntimeError):
    """The package was installed without its repository (a non-editable ``pip install .``)."""


def repo_root() -> Path:
    """Return the repository root (``SCO_REPO_ROOT`` if set).

    The package works only as an editable install of a clone: the data, the
    notebooks and the figures live in the repository, not in the package. A
    copy installed into site-packages is refused with a message saying so.
    """
    env = os.environ.get("SCO_REPO_ROOT")
    if env:
        return Path(env).resolve()
    if not (_PACKAGE_ROOT / "data" / "datapackage.json").is_file():
        raise NotInRepositoryError(
            f"the helpers package at {Path(__file__).resolve().parents[1]} is not inside a clone of the repository "
            "(a non-editable 'pip install .' copies only the code; the data, notebooks and figures stay in the "
            "clone). Install it from the clone with 'pip install -e .' (or 'make run'), or set SCO_REPO_ROOT "
            "to the clone's folder."
        )
    return _PACKAGE_ROOT


def data_dir() -> Path:
    """Return the folder that holds the CSV tables and ``datapackage.json``."""
    env = os.environ.get("SCO_DATA_DIR")
    return Path(env).resolve() if env else repo_root() / "data"


def notebooks_dir() -> Path:
    """Return the folder of the committed notebooks."""
    return repo_root() / "notebooks"


def build_dir() -> Path:
    """Return the folder where runs write their results."""
    env = os.environ.get("SCO_BUILD_DIR")
    return Path(env).resolve() if env else repo_root() / "build"


def canonical(obj: Any) -> str:
    """A stable JSON text for parameters (sorted keys), the basis of every variant hash."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def variant_hash(params: dict[str, Any]) -> str:
    """The 8 hex digits that name a non-default run: ``build/runs/<notebook>--<hash>/``."""
    return hashlib.sha256(canonical(params).encode()).hexdigest()[:8]


def variant_dir(notebook: str, params: dict[str, Any]) -> Path:
    """Where an unnamed run of ``notebook`` with these (full, validated) parameters lives."""
    return build_dir() / "runs" / f"{notebook}--{variant_hash(params)}"


# --- the run in this process (a kernel): decides where figures go ------------

_RUN: dict[str, Any] | None = None


def set_run(notebook: str, params: dict[str, Any]) -> Path:
    """Record which chapter this kernel runs and with which parameters.

    Every chapter calls it right after validating its parameters::

        p = parameters.validate("03_trade", globals())
        paths.set_run("03_trade", p)

    From then on :func:`figures_dir` (and so ``style.save_figure``) sends the
    figures of a run at the chapter's default parameters to ``figures/`` and
    those of any other run to ``build/runs/<notebook>--<hash>/figures/``,
    never to ``figures/`` - whatever started the kernel (the runner, plain
    papermill, JupyterLab with an edited parameters cell). The defaults are
    those of the chapter's file in ``notebooks/``.

    Returns the folder figures will be written to.
    """
    from . import parameters  # here: parameters imports this module

    name = parameters.notebook_name(notebook)
    defaults = parameters.validate(name, parameters.cell_defaults(name))
    used = {k: params.get(k) for k in defaults}
    global _RUN
    _RUN = {"notebook": name, "params": used, "is_default": used == defaults}
    return figures_dir()


def current_run() -> dict[str, Any] | None:
    """The run recorded by :func:`set_run` in this process, or None."""
    return None if _RUN is None else dict(_RUN)


def clear_run() -> None:
    """Forget the recorded run (tests)."""
    global _RUN
    _RUN = None


def _inside(a: Path, b: Path) -> bool:
    """True if folder ``a`` is ``b`` or lies inside it."""
    try:
        return a.resolve().is_relative_to(b.resolve())
    except OSError:
        return False


def figures_dir(folder: str | Path | None = None) -> Path:
    """Return the folder ``style.save_figure`` writes to.

    In order: ``folder`` if given; else ``SCO_FIGURES_DIR`` if set (the runner
    gives it to the kernel process only, pointing at the run's scratch folder;
    the test suite sets it so tests never write ``figures/``); else, after
    :func:`set_run`, ``figures/`` for a default run and
    ``build/runs/<notebook>--<hash>/figures/`` for any other; else (no run
    recorded: a script, or a chapter that does not call ``set_run``)
    ``figures/``.

    Whatever the source, a run recorded as non-default never gets the
    committed ``figures/`` folder: it is replaced by the run's own folder.
    """
    committed = repo_root() / "figures"
    run = _RUN
    env = os.environ.get("SCO_FIGURES_DIR")
    if folder is not None:
        target = Path(folder)
    elif env:
        target = Path(env).resolve()
    elif run is not None and not run["is_default"]:
        target = variant_dir(run["notebook"], run["params"]) / "figures"
    else:
        target = committed
    if run is not None and not run["is_default"] and _inside(target, committed):
        target = variant_dir(run["notebook"], run["params"]) / "figures"
    return target
