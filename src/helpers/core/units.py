"""Units the data's sources use, and how they convert (standard library only).

Kept apart from :mod:`helpers.trade` so that :mod:`helpers.parameters`, which
must not import pandas, can read the same facts when it checks a year window.
"""

import csv as _csv
from collections import deque as _deque

#: Factors from each US-dollar unit found in the sources to USD million.
#: "USD 10 thousand" is the unit of China's statistical yearbooks; "USD 100
#: million" that of Chinese customs releases and of Gao Fei's Table 1
#: ("hundred million dollars").
USD_MILLION_PER_UNIT: dict[str, float] = {
    "USD billion": 1000.0,
    "USD 100 million": 100.0,
    "USD million": 1.0,
    "USD 10 thousand": 0.01,
    "USD thousand": 0.001,
}
#: Units the data may hold that are not US dollars: kept, never converted
#: (no exchange rate is applied silently).
OTHER_UNITS = ("CNY trillion", "CNY billion", "CNY 100 million", "CNY million")


# --- energy: gas and crude oil -------------------------------------------------
#
# The factors live in ``data/unit_conversions.csv``, one sourced row each (bp's
# approximate conversion factors, the UN Energy Statistics Yearbook, the IEA
# definition of the toe). This module adds only definitions that need no
# source: the SI prefixes below, and 365 days to a year for daily rates (the
# UN table's barrels/day column is its barrels column divided by 365; a test
# checks this).

DAYS_PER_YEAR = 365

#: Unit code -> (base code, how many base units one of it holds).
_BASE: dict[str, tuple[str, float]] = {
    "bcm": ("bcm", 1.0),
    "Mt LNG": ("Mt LNG", 1.0),
    "PJ": ("PJ", 1.0),
    "bcf": ("bcf", 1.0),
    "t": ("t", 1.0),
    "kt": ("t", 1e3),
    "Mt": ("t", 1e6),
    "toe": ("toe", 1.0),
    "Mtoe": ("toe", 1e6),
    "boe": ("boe", 1.0),
    "Mboe": ("boe", 1e6),
    "bbl": ("bbl", 1.0),
    "kb": ("bbl", 1e3),
    "Mbbl": ("bbl", 1e6),
    "kl": ("kl", 1.0),
    "m3": ("m3", 1.0),
    "tce": ("tce", 1.0),
}
#: Rate suffixes -> how many of them make a year.
_PER_YEAR = {"/year": 1.0, "/d": float(DAYS_PER_YEAR)}
#: Spellings the sources use for a base code with a rate.
_ALIASES = {"b/d": "bbl/d"}


class UnitError(ValueError):
    """A unit is unknown, or no chain of sourced factors links two units."""


def _split(unit: str) -> tuple[str, float, str | None]:
    """'kb/d' -> ('bbl', 1000.0, '/d'); 'bcm' -> ('bcm', 1.0, None)."""
    text = _ALIASES.get(unit, unit)
    per = None
    for suffix in _PER_YEAR:
        if text.endswith(suffix):
            text, per = text[: -len(suffix)], suffix
            break
    if text not in _BASE:
        known = ", ".join(sorted(_BASE)) + " (each also /year or /d)"
        raise UnitError(f"unknown unit {unit!r}; known: {known}")
    base, scale = _BASE[text]
    return base, scale, per


def load_factors(path=None) -> list[dict[str, str]]:
    """The rows of ``unit_conversions.csv`` (standard library only)."""
    from . import paths

    path = path or paths.data_dir() / "unit_conversions.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        return list(_csv.DictReader(fh))


def _edges(factors, use: tuple[str, ...] = ()):
    """Base-unit graph: direct factors first, then inverses where no direct one exists.

    Variant factors (``variant_of`` set) are left out unless named in ``use``;
    a factor named in ``use`` replaces the one it is a variant of.
    """
    replaced = {f["variant_of"] for f in factors if f["factor_id"] in use and f["variant_of"]}
    chosen = [f for f in factors if (not f["variant_of"] or f["factor_id"] in use) and f["factor_id"] not in replaced]
    edges = []  # (from base, to base, factor per base unit, factor id)
    for f in chosen:
        a, sa, pa = _split(f["from_unit"])
        b, sb, pb = _split(f["to_unit"])
        if not (pa or pb):  # rate factors (t/year -> b/d) are cross-checked in the tests, not chained
            edges.append((a, b, float(f["factor"]) * sb / sa, f["factor_id"]))
    direct = {(a, b) for a, b, _, _ in edges}
    graph: dict[str, list[tuple[str, float, str]]] = {}
    for a, b, k, fid in edges:
        graph.setdefault(a, []).append((b, k, fid))
    for a, b, k, fid in edges:
        if (b, a) not in direct:
            graph.setdefault(b, []).append((a, 1 / k, fid + "^-1"))
    return graph


def conversion(from_unit: str, to_unit: str, *, factors=None, use: tuple[str, ...] = ()) -> tuple[float, list[str]]:
    """The factor from ``from_unit`` to ``to_unit`` and the factor ids it chains.

    Stocks convert to stocks and rates to rates (``bcm/year`` -> ``Mtoe/year``,
    ``Mt/year`` -> ``kb/d``); a rate never becomes a stock. ``cf13^-1`` in the
    chain means factor cf13 used in reverse (divided by).
    """
    factors = load_factors() if factors is None else factors
    a, sa, pa = _split(from_unit)
    b, sb, pb = _split(to_unit)
    if (pa is None) != (pb is None):
        raise UnitError(f"cannot convert {from_unit!r} to {to_unit!r}: one is a rate, the other a quantity")
    # x per day is 365x per year; per year to per day divides by 365
    time = (_PER_YEAR[pa] / _PER_YEAR[pb]) if pa else 1.0
    graph = _edges(factors, use)
    seen = {a: (1.0, [])}
    queue = _deque([a])
    while queue:
        node = queue.popleft()
        if node == b:
            break
        k0, chain = seen[node]
        for nxt, k, fid in graph.get(node, []):
            if nxt not in seen:
                seen[nxt] = (k0 * k, chain + [fid])
                queue.append(nxt)
    if b not in seen:
        raise UnitError(f"no sourced factor links {from_unit!r} to {to_unit!r} (see data/unit_conversions.csv)")
    k, chain = seen[b]
    return k * sa / sb * time, chain


def convert(value: float, from_unit: str, to_unit: str, **kwargs) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (see :func:`conversion`)."""
    return value * conversion(from_unit, to_unit, **kwargs)[0]
