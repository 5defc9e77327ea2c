"""Where the repository's folders are.

Paths are resolved from the installed package (an editable install of this
repository), never from the kernel's working directory, so a notebook finds
its data whether papermill, nbval or JupyterLab started it. ``SCO_REPO_ROOT``
overrides the root (the tests use it to point at a scratch copy).
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def repo_root() -> Path:
    """Return the repository root (``SCO_REPO_ROOT`` if set)."""
    env = os.environ.get("SCO_REPO_ROOT")
    return Path(env).resolve() if env else _PACKAGE_ROOT


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


def figures_dir() -> Path:
    """Return the folder ``save_figure`` writes to.

    The runner sets ``SCO_FIGURES_DIR`` to a scratch folder for each run and
    copies the figures into ``figures/`` only after a successful run at
    default parameters; the tests set it to a temporary folder. Without it
    (a notebook run by hand in JupyterLab) figures go to ``figures/``.
    """
    env = os.environ.get("SCO_FIGURES_DIR")
    return Path(env).resolve() if env else repo_root() / "figures"
