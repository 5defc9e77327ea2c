"""Sentences computed from a run's own data, so a re-run reads true.

A chapter's prose that quotes a number, names a leading country or describes
a trend is built by a chapter helper from the data the run selected, and the
notebook displays it with :func:`md`::

    from helpers import prose
    run = prose.Run("03_trade", p)              # p: the validated parameters
    prose.md(tr.growth_sentences(growth, run))  # Markdown output in the page

Interpretation that cannot follow the parameters (an argument written about
the default selection) is shown with :func:`for_default`: in the default run
it reads as written; in any other run the same text carries a visible note
saying it was written for the default run. A section whose subject the
selection leaves out is replaced by one line saying why
(:func:`not_in_selection`).

The small formatters here (:func:`usd`, :func:`pct`, :func:`names`,
:func:`span`) give every chapter the same way of writing money, shares,
lists of countries and year windows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from . import parameters


@dataclass(frozen=True)
class Run:
    """The parameters a chapter was run with, and how they differ from the defaults."""

    notebook: str
    params: dict[str, Any] = field(hash=False)

    @property
    def defaults(self) -> dict[str, Any]:
        return _defaults(self.notebook)

    @property
    def changed(self) -> dict[str, Any]:
        """Parameters whose value differs from the committed defaults.

        A parameter whose default is worked out from the others (``None`` in
        the parameters cell, e.g. a base year) counts as changed only when its
        value is not what the other parameters of this run would give it.
        """
        d = self.defaults
        derived = {k for k, v in parameters.cell_defaults(self.notebook).items() if v is None}
        out = {}
        for k, v in self.params.items():
            if d.get(k) == v:
                continue
            if k in derived:
                try:
                    again = parameters.validate(self.notebook, {**self.params, k: None})[k]
                except parameters.ParameterError:
                    again = None
                if again == v:
                    continue
            out[k] = v
        return out

    @property
    def is_default(self) -> bool:
        return not self.changed

    def describe_changes(self) -> str:
        """'countries = KGZ; start_year = 2013' (empty for the default run)."""
        return "; ".join(f"{k} = {_show(v)}" for k, v in self.changed.items())


@cache
def _defaults_cached(notebook: str) -> tuple:
    values = parameters.validate(notebook, parameters.cell_defaults(notebook))
    return tuple(values.items())


def _defaults(notebook: str) -> dict[str, Any]:
    return dict(_defaults_cached(notebook))


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def md(*paragraphs: str):
    """Display Markdown (paragraphs joined by blank lines) as a cell output."""
    from IPython.display import Markdown

    return Markdown("\n\n".join(p.strip() for p in paragraphs if p and p.strip()))


DEFAULT_NOTE = (
    "*Note: the passage above was written for the chapter's default run. This run uses other "
    "parameters ({changes}), so read it as a comment on the default selection, not on the "
    "tables and charts of this run.*"
)


def for_default(run: Run, text: str) -> str:
    """Interpretation written for the default run, with a visible note in any other run."""
    if run.is_default:
        return text
    return text.rstrip() + "\n\n" + DEFAULT_NOTE.format(changes=run.describe_changes())


def not_in_selection(what: str, why: str) -> str:
    """One line that replaces a section the selection leaves out."""
    return f"*{what} is not shown in this run: {why}.*"


# --- formatting ----------------------------------------------------------------------


def usd(million: float, *, digits: int | None = None) -> str:
    """Money given in USD million, in words: 'USD 41.0 billion', 'USD 530 million'.

    Values of a billion or more are written in billions with one decimal
    (two below ten billion when ``digits`` is not given: 'USD 3.93 billion');
    smaller values in whole millions; negatives keep their sign.
    """
    if million is None or (isinstance(million, float) and math.isnan(million)):
        return "no figure"
    sign = "−" if million < 0 else ""
    v = abs(float(million))
    if v >= 1000:
        d = digits if digits is not None else (2 if v < 10_000 else 1)
        return f"{sign}USD {v / 1000:,.{d}f} billion"
    if v >= 1:
        d = digits if digits is not None else 0
        return f"{sign}USD {v:,.{d}f} million"
    return f"{sign}USD {v * 1000:,.0f} thousand"


def pct(value: float, digits: int = 1) -> str:
    """'45.9%' (no figure for NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no figure"
    return f"{value:.{digits}f}%"


def times(ratio: float) -> str:
    """A ratio in words: '1.02 times', '4.1 times', '1,982 times'.

    Ratios of a hundred or more are given whole and with a thousands
    separator: a decimal adds nothing there, and '1982.3 times' reads
    like a year.
    """
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "no figure"
    if ratio < 2:
        return f"{ratio:.2f} times"
    return f"{ratio:.1f} times" if ratio < 100 else f"{ratio:,.0f} times"


def join(items: Iterable[str], conj: str = "and") -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = [str(i) for i in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


@cache
def _country_names() -> dict[str, str]:
    from . import data

    countries = data.load("countries")
    return dict(zip(countries["iso3"], countries["name"]))


def name(iso3: str) -> str:
    """A country's name from its ISO3 code (the code itself if unknown)."""
    return _country_names().get(str(iso3).upper(), str(iso3))


def names(iso3s: Iterable[str], conj: str = "and") -> str:
    """'Kazakhstan, Kyrgyzstan and Tajikistan' from codes."""
    return join([name(c) for c in iso3s], conj)


def span(start: int, end: int) -> str:
    """'1992–2025', or '2019' when the window is one year."""
    return str(start) if start == end else f"{start}–{end}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 year', '3 years'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def as_written(run: Run, text: str, holds: bool) -> str:
    """Text written for the default run: as is where ``holds`` (it is still true of this run),
    otherwise with the visible note of :func:`for_default`."""
    return text if holds or run.is_default else for_default(run, text)
