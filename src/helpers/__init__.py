"""Shared code for the SCO and Central Asia notebooks, in three layers.

* :mod:`helpers.core`: data loading and validation, units, house style, maps,
  paths, wording, parameter validation and the domain vocabulary;
* :mod:`helpers.chapters`: one analysis module per chapter (``sco``,
  ``trips``, ``trade``, ``pipelines``, ``views``, ``claims``), importing only
  the core;
* :mod:`helpers.publish`: the runner, sweeps, HTML rendering, the site, the
  course tools and the command line, importing the core and the chapters.

Imports go only downward (``tests/test_layers.py`` checks it). Importing
``helpers`` has no side effects: it does not import pandas or matplotlib,
change matplotlib settings, or touch files. Every module is also reachable
by its short name, imported on first use::

    from helpers import data, style, maps, sco   # = helpers.core.data, ..., helpers.chapters.sco
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"

#: Where each module lives: its layer.
LAYERS: dict[str, tuple[str, ...]] = {
    "core": (
        "background",
        "data",
        "datadict",
        "errors",
        "figmeta",
        "maps",
        "parameters",
        "paths",
        "prose",
        "style",
        "tables",
        "units",
        "vocab",
    ),
    "chapters": ("claims", "pipelines", "sco", "trade", "trips", "views"),
    "publish": ("cli", "course", "render", "runner", "seminar", "site", "sweep"),
}
_HOME = {name: layer for layer, names in LAYERS.items() for name in names}

__all__ = ["LAYERS", *_HOME]


def __getattr__(name: str) -> ModuleType:
    """``helpers.trade`` is ``helpers.chapters.trade``, imported on first use."""
    layer = _HOME.get(name)
    if layer is None:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{layer}.{name}")
    globals()[name] = module
    return module


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])
