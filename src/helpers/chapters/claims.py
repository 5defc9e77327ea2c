"""The seeds' claims checked against the project's tables (chapter 6).

``data/claims.csv`` holds one row per claim: what was said, by whom, where,
the quantity or date claimed, the tolerance its wording allows, and how to
check it: the name of a check in :data:`CHECKS`, the rows it reads
(``table:row_id``, separated by ``;``; a ``/`` divides numerator from
denominator) and its arguments (``key=value``, separated by ``;``).

Each check is a small function of the claim and the tables. It returns a
:class:`Result`: a verdict, the rows it read, the arithmetic as a sentence and
a sentence of interpretation. The same functions run in the notebook and in
the tests, so a changed data row changes the verdict everywhere.

Rules every check follows:

* a row that cites the claim's own document is never evidence for it (it is
  listed, marked ``circular``, and left out of the arithmetic);
* when sources disagree (``variant_of``), the claim is first compared with
  the row the project draws; if it matches only another source's reading,
  the verdict is "consistent only under another reading" and that source is
  named;
* no figure is converted between currencies, and a unit is converted only
  through the factors in :data:`UNIT_BASE` or :mod:`helpers.units`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..core import data, units

#: The four verdicts, in the order tables and charts show them.
VERDICTS = ("consistent", "consistent only under another reading", "inconsistent", "not checkable")
VERDICT_COLORS = {
    "consistent": "#009E73",
    "consistent only under another reading": "#E69F00",
    "inconsistent": "#D55E00",
    "not checkable": "#BBBBBB",
}
#: How a claim's wording turns into a test of the data value (see ``data/claims.csv``).
RULES = {
    "exact": "equal (a date at the precision printed, a count, an ordinal)",
    "rounding": "within half a unit of the last digit printed",
    "at_most": "'nearly': not above the claim (beyond rounding), and at most the tolerance below it",
    "at_least": "'more than': not below the claim (beyond rounding), and at most the tolerance above it",
    "around": "'about', 'bordered on': within the tolerance either side",
}
#: Units that are neither money nor energy: code -> (base unit, factor).
UNIT_BASE: dict[str, tuple[str, float]] = {
    "km2": ("km2", 1.0),
    "10000 km2": ("km2", 1e4),
    "million km2": ("km2", 1e6),
    "persons": ("persons", 1.0),
    "people": ("persons", 1.0),
    "thousand persons": ("persons", 1e3),
    "100 million persons": ("persons", 1e8),
    "million persons": ("persons", 1e6),
    "billion persons": ("persons", 1e9),
    "fraction": ("fraction", 1.0),
    "percent": ("fraction", 0.01),
    "times": ("fraction", 1.0),
    "years": ("years", 1.0),
    "decades": ("years", 10.0),
    "count": ("count", 1.0),
}
#: A data row marked ``estimate`` (a rounded headline, 'about', 'nearly') may be this far either side of its value.
ESTIMATE_SLACK = 0.05
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ClaimError(ValueError):
    """A claim row cannot be checked as written (unknown check, bad reference, bad unit)."""


@dataclass
class Result:
    """What one check found."""

    verdict: str
    arithmetic: str
    interpretation: str
    evidence: list[dict] = field(default_factory=list)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {VERDICTS}")


# --- reading the tables -----------------------------------------------------------------

#: Where each table keeps the value and the unit a check compares.
VALUE_COLUMNS = {
    "trade": ("value", "unit"),
    "trade_aggregates": ("value", "unit"),
    "pipeline_facts": ("value", "unit"),
    "xi_outcomes": ("quantity", "unit"),
    "country_stats": ("value", "unit"),
    "finance_facts": ("amount", "unit"),
    "gao2010_table1_clean": ("value", None),
}
#: Where each table keeps a date: (first date column, last date column or None, precision column or None).
DATE_COLUMNS = {
    "sco_events": ("date", None, "date_precision"),
    "xi_trips": ("start_date", "end_date", None),
    "xi_other_trips": ("start_date", "end_date", None),
    "xi_itinerary": ("date", None, None),
    "xi_outcomes": ("date", None, None),
    "pipeline_facts": ("value", None, "date_precision"),
    "diplomatic_relations": ("established", None, None),
    "finance_facts": ("date", None, None),
}


class Tables:
    """The project's tables, loaded once each, from ``data/`` or another folder (the tests' damaged copies)."""

    def __init__(self, data_dir: Path | None = None):
        self.data_dir = data_dir
        self._cache: dict[str, pd.DataFrame] = {}
        self._keys: dict[str, str] = {}
        self._rows: dict[str, dict[str, pd.Series]] = {}
        self._variants: dict[str, dict[str, list[pd.Series]]] = {}
        self._checked: dict[tuple, Result] = {}  # (claim_id, scale or None) -> result, see run()

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            self._cache[name] = data.load(name, data_dir=self.data_dir)
        return self._cache[name]

    def key(self, name: str) -> str:
        """The single-column primary key of a table (references need one)."""
        if name not in self._keys:
            res = data.resource(name, data_dir=self.data_dir)
            key = res["schema"]["primaryKey"]
            if len(key) != 1:
                raise ClaimError(f"table {name!r} has a composite key {key}; a claim cannot point at one of its rows")
            self._keys[name] = key[0]
        return self._keys[name]

    def rows_by_id(self, table: str) -> dict[str, pd.Series]:
        """Every row of a table by its key (built once: the checks look rows up hundreds of times)."""
        if table not in self._rows:
            frame, key = self[table], self.key(table)
            self._rows[table] = {r[key]: r for _, r in frame.iterrows()}
        return self._rows[table]

    def variants_of(self, table: str, head_id: str) -> list[pd.Series]:
        """The rows recording another source's reading of the row ``head_id``."""
        if table not in self._variants:
            index: dict[str, list[pd.Series]] = {}
            frame = self[table]
            if "variant_of" in frame.columns:
                for _, r in frame[frame["variant_of"].notna()].iterrows():
                    index.setdefault(r["variant_of"], []).append(r)
            self._variants[table] = index
        return self._variants[table].get(head_id, [])

    def row(self, ref: str) -> tuple[str, pd.Series]:
        """The row ``table:row_id`` names."""
        table, _, row_id = ref.partition(":")
        if not row_id:
            raise ClaimError(f"reference {ref!r} is not of the form table:row_id")
        hit = self.rows_by_id(table).get(row_id)
        if hit is None:
            raise ClaimError(f"reference {ref!r}: no row {row_id!r} in {table}")
        return table, hit

    def published(self, source_id: str) -> dt.date:
        """A document's publication date (the first day of its month or year if only that is known)."""
        src = self["sources"].set_index("source_id")
        text = str(src.loc[source_id, "date"])
        if text == "n.d.":
            raise ClaimError(f"source {source_id!r} is undated, so a relative date in it cannot be resolved")
        return _interval(text)[0]


def refs(text) -> list[str]:
    """The references in a ``check_rows`` cell (both sides of a ``/``)."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or pd.isna(text):
        return []
    return [r.strip() for part in str(text).split("/") for r in part.split(";") if r.strip()]


def args(text) -> dict[str, str]:
    """The ``check_args`` cell as a dict."""
    if text is None or pd.isna(text) or not str(text).strip():
        return {}
    out = {}
    for item in str(text).split(";"):
        key, sep, value = item.partition("=")
        if not sep:
            raise ClaimError(f"check_args item {item!r} is not key=value")
        out[key.strip()] = value.strip()
    return out


def _evidence(table: str, key: str, row: pd.Series, what, unit, role: str) -> dict:
    return {
        "table": table,
        "row_id": row[key],
        "value": what,
        "unit": "" if unit is None or pd.isna(unit) else unit,
        "source_id": row["source_id"],
        "role": role,
    }


def readings(tables: Tables, ref: str, claim_source: str) -> list[tuple[str, str, pd.Series]]:
    """The row a reference names and every row recording another source's reading of the same fact.

    Returns ``(role, table, row)`` triples: ``drawn`` for the row the project
    draws, ``variant`` for a disagreeing source, ``circular`` for any row that
    cites the claim's own document (listed, never used as evidence). When the
    drawn row is circular, the other sources' readings take its place.
    """
    table, row = tables.row(ref)
    frame = tables[table]
    key = tables.key(table)
    group = [row]
    if "variant_of" in frame.columns:
        head_id = row["variant_of"] if pd.notna(row["variant_of"]) else row[key]
        head = tables.rows_by_id(table).get(head_id)
        others = [r for r in tables.variants_of(table, head_id) if r[key] != row[key]]
        group = ([head] if head is not None else []) + others
        if row[key] not in [r[key] for r in group]:
            group.append(row)
    out = []
    for r in group:
        if r["source_id"] == claim_source:
            role = "circular"
        elif "variant_of" in frame.columns and pd.notna(r["variant_of"]):
            role = "variant"
        else:
            role = "drawn"
        out.append((role, table, r))
    if not any(role == "drawn" for role, _, _ in out):
        # the drawn row is the claim's own document: the other sources' readings are the independent evidence
        out = [("drawn" if role == "variant" else role, t, r) for role, t, r in out]
    return out


# --- dates ------------------------------------------------------------------------------


def _interval(text: str) -> tuple[dt.date, dt.date]:
    """The days a date written at some precision covers: '2002' is the year, '2002-06' the month."""
    text = str(text).strip()
    if re.fullmatch(r"\d{4}", text):
        y = int(text)
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        y, m = map(int, text.split("-"))
        last = dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date(y, m, 1), last
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        d = dt.date.fromisoformat(text)
        return d, d
    raise ClaimError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")


def _at_precision(day: dt.date, precision: str | None) -> str:
    return {"year": f"{day:%Y}", "month": f"{day:%Y-%m}"}.get(precision or "day", f"{day:%Y-%m-%d}")


def row_dates(table: str, row: pd.Series) -> tuple[dt.date, dt.date, str]:
    """The days a row's date covers, and the date as the row gives it."""
    if table not in DATE_COLUMNS:
        raise ClaimError(f"table {table!r} has no date a claim can be checked against")
    first, last, prec = DATE_COLUMNS[table]
    value = row[first]
    precision = row[prec] if prec and pd.notna(row[prec]) else None
    if isinstance(value, str):
        lo, hi = _interval(value)
        text = value
    else:
        text = _at_precision(value, precision)
        lo, hi = _interval(text)
    if last:
        end = row[last]
        hi = end if not isinstance(end, str) else _interval(end)[1]
        text = f"{lo:%Y-%m-%d} to {hi:%Y-%m-%d}"
    return lo, hi, text


def _overlaps(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _judge(
    matches: dict[str, list[bool]], evidence: list[dict], what_drawn: str, what_other: str, claim_text: str
) -> tuple[str, str]:
    """Verdict and interpretation from which readings matched (drawn rows first, then other sources)."""
    drawn, variant = matches.get("drawn", []), matches.get("variant", [])
    if not drawn and not variant:
        circular = [e["source_id"] for e in evidence if e["role"] == "circular"]
        why = (
            f"the only row in the data cites the claim's own document ({', '.join(sorted(set(circular)))})"
            if circular
            else "no row in the data"
        )
        return "not checkable", f"Not checkable: {why}."
    if drawn and all(drawn):
        extra = ""
        if variant and not all(variant):
            extra = f" Another source disagrees ({what_other})."
        return "consistent", f"The data agrees with {claim_text}.{extra}"
    if variant and any(variant) and not any(drawn):
        return (
            "consistent only under another reading",
            f"Only a minority reading agrees ({what_other}); the row the project draws gives {what_drawn}.",
        )
    if any(drawn):
        return "inconsistent", f"Only some of the rows agree with {claim_text}: {what_drawn}."
    return "inconsistent", f"The data gives {what_drawn}, not {claim_text}."


def _sources(evidence: list[dict], role: str) -> str:
    rows = [e for e in evidence if e["role"] == role]
    return "; ".join(f"{e['value']} ({e['source_id']})" for e in rows)


def _dated(claim: pd.Series, tables: Tables, fits: Callable[[dt.date, dt.date], bool]) -> tuple[list[dict], dict]:
    """The dated rows a claim names (with their variants), and whether each independent one fits."""
    evidence, matches = [], {}
    for ref in refs(claim["check_rows"]):
        for role, table, row in readings(tables, ref, claim["source_id"]):
            lo, hi, text = row_dates(table, row)
            evidence.append(_evidence(table, tables.key(table), row, text, "date", role))
            if role != "circular":
                matches.setdefault(role, []).append(fits(lo, hi))
    return evidence, matches


def check_date(claim: pd.Series, tables: Tables) -> Result:
    """A claimed date or year against the dated rows named (and their variants)."""
    claimed = _interval(claim["quantity"])
    evidence, matches = _dated(claim, tables, lambda lo, hi: _overlaps(claimed, (lo, hi)))
    arithmetic = (
        f"Claimed {claim['quantity']} (covers {claimed[0]:%Y-%m-%d} to {claimed[1]:%Y-%m-%d}); "
        f"data: {_sources(evidence, 'drawn') or 'none independent'}"
        + (f"; other sources: {_sources(evidence, 'variant')}" if _sources(evidence, "variant") else "")
    )
    verdict, why = _judge(
        matches,
        evidence,
        _sources(evidence, "drawn"),
        _sources(evidence, "variant"),
        f"the claimed {claim['quantity']}",
    )
    a = args(claim.get("check_args"))
    if "who" in a and verdict == "consistent":
        # the claim also names who acted: the rows must name the same actor
        column = a.get("who_column", "payer")
        names = []
        for ref in refs(claim["check_rows"]):
            table, row = tables.row(ref)
            names.append(str(row[column]))
        if not all(a["who"].lower() in n.lower() for n in names):
            arithmetic += f"; the claim names {a['who']}, the rows name {'; '.join(names)}"
            return Result(
                "inconsistent",
                arithmetic,
                f"The date fits, but the data names {'; '.join(names)}, not {a['who']}.",
                evidence,
            )
    return Result(verdict, arithmetic, why, evidence)


def check_weekday(claim: pd.Series, tables: Tables) -> Result:
    """Claimed weekday names ('Wednesday', 'Thursday-Friday') against the weekdays of the dated rows."""
    claimed = [d.strip().capitalize() for d in str(claim["quantity"]).split("-")]
    bad = [d for d in claimed if d not in WEEKDAYS]
    if bad:
        raise ClaimError(f"claim {claim['claim_id']}: {bad} are not weekday names {WEEKDAYS}")
    evidence, days = [], []
    for ref in refs(claim["check_rows"]):
        for role, table, row in readings(tables, ref, claim["source_id"]):
            lo, hi, text = row_dates(table, row)
            evidence.append(
                _evidence(table, tables.key(table), row, f"{text} ({WEEKDAYS[lo.weekday()]})", "date", role)
            )
            if role == "drawn":
                days.extend(WEEKDAYS[(lo + dt.timedelta(days=i)).weekday()] for i in range((hi - lo).days + 1))
    found = sorted(set(days), key=WEEKDAYS.index)
    if not found:
        return Result(
            "not checkable", "No independent dated row.", "Not checkable: no independent dated row.", evidence
        )
    arithmetic = f"Claimed {', '.join(claimed)}; the rows fall on {', '.join(found)}."
    if set(claimed) == set(found):
        return Result("consistent", arithmetic, "The weekdays match the dated rows.", evidence)
    if set(claimed) < set(found):
        extra = [d for d in found if d not in claimed]
        return Result(
            "consistent only under another reading",
            arithmetic,
            f"The claim leaves out {', '.join(extra)}, also in the rows; it fits if read as the main days only.",
            evidence,
        )
    return Result(
        "inconsistent", arithmetic, f"The dated rows fall on {', '.join(found)}, not {', '.join(claimed)}.", evidence
    )


def check_relative_date(claim: pd.Series, tables: Tables) -> Result:
    """'last week' / 'last year' resolved against the claim's publication date."""
    pub = tables.published(claim["source_id"])
    phrase = str(claim["quantity"]).strip().lower()
    if phrase == "last week":
        monday = pub - dt.timedelta(days=pub.weekday())
        window = (monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
    elif phrase == "last year":
        window = (dt.date(pub.year - 1, 1, 1), dt.date(pub.year - 1, 12, 31))
    else:
        raise ClaimError(f"claim {claim['claim_id']}: relative date {phrase!r} is not 'last week' or 'last year'")
    evidence, matches = _dated(claim, tables, lambda lo, hi: window[0] <= lo and hi <= window[1])
    arithmetic = (
        f"Published {pub:%Y-%m-%d} ({WEEKDAYS[pub.weekday()]}), so '{phrase}' is "
        f"{window[0]:%Y-%m-%d} to {window[1]:%Y-%m-%d}; data: {_sources(evidence, 'drawn')}."
    )
    verdict, why = _judge(
        matches,
        evidence,
        _sources(evidence, "drawn"),
        _sources(evidence, "variant"),
        f"'{phrase}' from the publication date",
    )
    return Result(verdict, arithmetic, why, evidence)


# --- quantities -------------------------------------------------------------------------


def to_base(value: float, unit: str) -> tuple[float, str]:
    """A value in its base unit: USD million for money, the SI base for energy, else :data:`UNIT_BASE`."""
    if unit in units.USD_MILLION_PER_UNIT:
        return value * units.USD_MILLION_PER_UNIT[unit], "USD million"
    if unit in units.OTHER_UNITS:
        raise ClaimError(f"unit {unit!r} is not US dollars; the project never converts currencies")
    if unit in UNIT_BASE:
        base, factor = UNIT_BASE[unit]
        return value * factor, base
    try:
        base, factor, rate = units._split(unit)
    except units.UnitError as err:
        raise ClaimError(f"unit {unit!r} is not one the checks know") from err
    return value * factor, base + (rate or "")


def half_unit(text) -> float:
    """Half a unit of the last digit printed: '41' -> 0.5, '3.93' -> 0.005, '2.79' -> 0.005."""
    s = str(text).strip()
    return 0.5 * 10 ** -len(s.split(".")[1]) if "." in s else 0.5


def window(claimed: float, printed, rule: str, tolerance: float, scale: float) -> tuple[float, float]:
    """The values a claim admits under its rule, in the claim's own unit.

    ``scale`` multiplies the judgement calls (the margin a hedge word allows);
    the half unit of rounding is arithmetic, not judgement, and is never
    scaled: a correctly rounded "3.93 billion" fits 3.926 billion at any scale.
    """
    r = half_unit(printed)
    t = tolerance * scale
    if rule == "exact":
        return claimed, claimed
    if rule == "rounding":
        return claimed - r, claimed + r
    if rule == "at_most":
        return claimed * (1 - t), claimed + r
    if rule == "at_least":
        return claimed - r, claimed * (1 + t)
    if rule == "around":
        return claimed * (1 - t), claimed * (1 + t)
    raise ClaimError(f"tolerance rule {rule!r} is not one of {sorted(RULES)}")


def _fmt(x: float) -> str:
    if x == 0:
        return "0"
    digits = max(0, 3 - int(math.floor(math.log10(abs(x)))) - 1)
    return f"{x:,.{min(digits, 4)}f}"


def _value_of(table: str, row: pd.Series) -> tuple[float, str]:
    if table not in VALUE_COLUMNS:
        raise ClaimError(f"table {table!r} has no value a claim can be checked against")
    vcol, ucol = VALUE_COLUMNS[table]
    unit = row[ucol] if ucol else "USD 100 million"
    return (float(row[vcol]) if pd.notna(row[vcol]) else math.nan), unit


def _summed(tables: Tables, refs_: Sequence[str], claim_source: str) -> tuple[float | None, float, list[dict]]:
    """Sum of the drawn, independent readings of the rows named, in the base unit.

    Returns (total, or None when a row has no independent reading; the slack
    the estimated rows allow, :data:`ESTIMATE_SLACK` of each; the evidence).
    """
    total, slack, evidence, missing = 0.0, 0.0, [], False
    for ref in refs_:
        rows = readings(tables, ref, claim_source)
        drawn = [(t, r) for role, t, r in rows if role == "drawn"]
        for role, t, r in rows:
            v, u = _value_of(t, r)
            evidence.append(_evidence(t, tables.key(t), r, v, u, role))
        usable = [(t, r) for t, r in drawn if not math.isnan(_value_of(t, r)[0])]
        if not usable:
            missing = True
            continue
        t, r = usable[0]
        v, u = _value_of(t, r)
        base = to_base(v, u)[0]
        total += base
        if "estimate" in r.index and pd.notna(r["estimate"]) and bool(r["estimate"]):
            slack += abs(base) * ESTIMATE_SLACK
    return (None if missing else total), slack, evidence


def _tol(claim: pd.Series) -> float:
    """The claim's relative tolerance (0 when its rule needs none)."""
    return float(claim["tolerance"]) if pd.notna(claim["tolerance"]) else 0.0


def _claimed(claim: pd.Series) -> tuple[float, float]:
    """The claimed number and its value in the base unit."""
    q = float(claim["quantity"])
    return q, to_base(q, claim["unit"])[0]


def _alt_readings(a: dict[str, str]) -> list[tuple[str, float]]:
    """Other readings of the claim a check may try: another unit, or a misplaced decimal point."""
    out = []
    if "alt_unit" in a:
        out.append((f"read as {a['alt_unit']}", a["alt_unit"]))
    if "alt_scale" in a:
        for s in a["alt_scale"].split(","):
            out.append((f"read with the decimal point moved (x{s})", float(s)))
    return out


def _compare(
    claim: pd.Series, data_base: float, scale: float, a: dict[str, str], slack: float = 0.0
) -> tuple[str, str]:
    """Verdict and arithmetic for a claimed number against a data value already in the base unit.

    The window a wording admits is linear in the claimed number, so another
    reading (another unit, a decimal point moved) scales the same window.
    """
    q, q_base = _claimed(claim)
    factor = q_base / q if q else to_base(1.0, claim["unit"])[0]
    lo, hi = window(q, claim["quantity"], claim["tolerance_rule"], _tol(claim), scale)
    value = data_base / factor
    s = slack * scale / factor
    text = (
        f"data {_fmt(value)} {claim['unit']}"
        + (f" (an estimate: {_fmt(value - s)} to {_fmt(value + s)})" if s else "")
        + f" against the claim's {claim['quantity']} {claim['unit']} ({claim['tolerance_rule']}: {_fmt(lo)} to {_fmt(hi)})"
    )
    if lo - s - 1e-12 <= value <= hi + s + 1e-12:
        return "consistent", text
    for label, alt in _alt_readings(a):
        if isinstance(alt, str):
            f_alt = to_base(1.0, alt)[0]
            lo2, hi2, shown, s2 = lo * f_alt, hi * f_alt, data_base, slack * scale
            if to_base(1.0, alt)[1] != to_base(1.0, claim["unit"])[1]:
                raise ClaimError(f"claim {claim['claim_id']}: alt_unit {alt!r} is not a unit of the same kind")
            unit_shown = to_base(1.0, alt)[1]
        else:
            lo2, hi2, shown, unit_shown, s2 = lo * alt, hi * alt, value, claim["unit"], s
        if lo2 - s2 - 1e-12 <= shown <= hi2 + s2 + 1e-12:
            return (
                "consistent only under another reading",
                text + f"; {label}, the claim admits {_fmt(lo2)} to {_fmt(hi2)} {unit_shown} "
                f"and the data's {_fmt(shown)} fits",
            )
    return "inconsistent", text


def check_value(claim: pd.Series, tables: Tables, scale: float = 1.0) -> Result:
    """A claimed number against a data value (the sum of the rows named, if several), under the claim's tolerance."""
    a = args(claim.get("check_args"))
    rows = refs(claim["check_rows"])
    total, slack, evidence = _summed(tables, rows, claim["source_id"])
    if total is None:
        return Result(
            "not checkable",
            "The only row in the data cites the claim's own document.",
            "Not checkable: the data has no independent row for this figure.",
            evidence,
        )
    verdict, arithmetic = _compare(claim, total, scale, a, slack)
    if len(rows) > 1:
        arithmetic = f"Sum of {len(rows)} rows; " + arithmetic
    others = [e for e in evidence if e["role"] == "variant"]
    if verdict == "inconsistent" and others:
        for e in others:
            v = to_base(float(e["value"]), e["unit"])[0]
            alt_verdict, _ = _compare(claim, v, scale, {})
            if alt_verdict == "consistent":
                return Result(
                    "consistent only under another reading",
                    arithmetic + f"; {e['source_id']} gives {e['value']} {e['unit']}",
                    f"Only another source's figure ({e['value']} {e['unit']}, {e['source_id']}) fits the claim.",
                    evidence,
                )
    for ref in refs(a.get("also", "").replace(",", ";")):
        t, r = tables.row(ref)
        v, u = _value_of(t, r)
        evidence.append(_evidence(t, tables.key(t), r, v, u, "other basis"))
        arithmetic += f"; on another basis ({r['reporter_iso3'] if 'reporter_iso3' in r else t} reporting, {r[tables.key(t)]}): {v:g} {u}"
    if "stage" in a and verdict == "consistent":
        stages = []
        for ref in rows:
            t, r = tables.row(ref)
            stages.append(str(r["stage"]))
        if any(st != a["stage"] for st in stages):
            return Result(
                "consistent only under another reading",
                arithmetic + f"; the claim speaks of money {a['stage']}, the data of money {', '.join(stages)}",
                f"The amount matches, but the data records it as {', '.join(stages)}, not {a['stage']}.",
                evidence,
            )
    why = {
        "consistent": "The figure fits the data within what its wording allows.",
        "consistent only under another reading": "The figure fits only if it is read differently from how it was printed (see the arithmetic).",
        "inconsistent": "The figure does not fit the data within what its wording allows",
    }[verdict]
    if verdict == "inconsistent":
        q_base = _claimed(claim)[1]
        why += (
            f" (the data is {abs(total / q_base - 1) * 100:.0f}% {'above' if total > q_base else 'below'} the claim)."
        )
    also = [e for e in evidence if e["role"] == "other basis"]
    if also:
        why += " " + " ".join(
            f"{e['source_id']} ({e['row_id']}) gives {e['value']:g} {e['unit']} on another basis." for e in also
        )
    if others and verdict == "consistent":
        listed = ", ".join(f"{e['value']} {e['unit']} ({e['source_id']})" for e in others)
        why += f" Other sources give {listed}."
    return Result(verdict, arithmetic, why, evidence)


def check_ratio(claim: pd.Series, tables: Tables, scale: float = 1.0) -> Result:
    """A claimed ratio, share or multiple: numerator rows / denominator rows."""
    text = str(claim["check_rows"])
    if "/" not in text:
        raise ClaimError(f"claim {claim['claim_id']}: a ratio needs numerator / denominator rows")
    num_text, den_text = text.split("/", 1)
    num, _, ev1 = _summed(tables, refs(num_text), claim["source_id"])
    den, _, ev2 = _summed(tables, refs(den_text), claim["source_id"])
    evidence = ev1 + ev2
    if num is None or den is None:
        return Result(
            "not checkable",
            "A row the ratio needs cites only the claim's own document.",
            "Not checkable without an independent row.",
            evidence,
        )
    ratio = num / den
    verdict, arithmetic = _compare(claim, ratio, scale, {})
    arithmetic = f"{_fmt(num)} / {_fmt(den)} = {ratio:.4g}; " + arithmetic
    estimates = [e for e in evidence if e["role"] == "drawn" and _is_estimate(tables, e)]
    why = {
        "consistent": "The ratio computed from the data fits the claim.",
        "inconsistent": "The ratio computed from the data does not fit the claim.",
    }.get(verdict, "")
    if estimates:
        why += f" Note: {', '.join(e['row_id'] for e in estimates)} is marked as an estimate in the data."
    return Result(verdict, arithmetic, why, evidence)


def _is_estimate(tables: Tables, e: dict) -> bool:
    frame = tables[e["table"]]
    if "estimate" not in frame.columns:
        return False
    row = tables.rows_by_id(e["table"])[e["row_id"]]
    return bool(row["estimate"]) if pd.notna(row["estimate"]) else False


def check_elapsed(claim: pd.Series, tables: Tables, scale: float = 1.0) -> Result:
    """Years between dated rows: two rows (from, to), or each row up to ``to=`` (a year, or ``published``).

    With ``count=calendar`` the span is a difference of calendar years (an
    anniversary: 2022 - 1992 = 30); otherwise it is exact, in years of 365.25 days.
    """
    a = args(claim.get("check_args"))
    rows = refs(claim["check_rows"])
    evidence, starts = [], []
    for ref in rows:
        got = readings(tables, ref, claim["source_id"])
        for role, t, r in got:
            lo, hi, text = row_dates(t, r)
            evidence.append(_evidence(t, tables.key(t), r, text, "date", role))
        drawn = [(t, r) for role, t, r in got if role == "drawn"]
        if not drawn:
            return Result(
                "not checkable",
                "A date the span needs cites only the claim's own document.",
                "Not checkable without an independent date.",
                evidence,
            )
        starts.append(row_dates(*drawn[0])[0])
    if "to" not in a and len(starts) == 2:
        pairs = [(starts[0], starts[1], f"{starts[1]:%Y-%m-%d}")]
    else:
        to = a.get("to", "published")
        if to == "published":
            end = tables.published(claim["source_id"])
            end_text = f"{end:%Y-%m-%d} (publication)"
        else:
            end, end_text = _interval(to)[0], f"{to} (the year the claim speaks of)"
        pairs = [(st, end, end_text) for st in starts]
    claim_years = to_base(float(claim["quantity"]), claim["unit"])[0]
    lo, hi = window(
        claim_years,
        claim["quantity"] if claim["unit"] == "years" else str(int(claim_years)),
        claim["tolerance_rule"],
        _tol(claim),
        scale,
    )
    since_ok, since_note = True, ""
    if "to" not in a and len(rows) == 2:
        # a span "since the previous trip": the first row must name the second as the next one, with a source
        t0, r0 = tables.row(rows[0])
        if "next_trip_id" in tables[t0].columns:
            t1, r1 = tables.row(rows[1])
            named, statement, why_none = next_trip_statement(tables, t0, r0, claim["source_id"])
            if statement is not None:
                evidence.append(statement)
            if named is None:
                since_ok, since_note = False, f"{why_none}, so the span is not shown to run from the previous trip"
            elif named != r1[tables.key(t1)]:
                since_ok = False
                since_note = f"{statement['source_id']} names {named} as the next trip after {r0[tables.key(t0)]}"
            else:
                since_note = (
                    f"That {r0[tables.key(t0)]} was the previous trip abroad rests on {statement['source_id']}, "
                    "not on a complete travel record in the data."
                )
    spans, hows = [], []
    for start, end, end_text in pairs:
        if a.get("count") == "calendar":
            years = float(end.year - start.year)
            hows.append(f"{end.year} - {start.year} = {years:g}")
        else:
            years = (end - start).days / 365.25
            hows.append(f"{start:%Y-%m-%d} to {end_text}: {years:.2f} years")
        spans.append(years)
    shown = hows if len(set(hows)) > 1 else hows[:1]
    ok = all(lo - 1e-9 <= y <= hi + 1e-9 for y in spans)
    arithmetic = (
        f"{'; '.join(shown)}{' (each row)' if len(pairs) > 1 and len(shown) == 1 else ''}; "
        f"the claim's {claim['quantity']} {claim['unit']} admits {_fmt(lo)} to {_fmt(hi)} years."
    )
    if not since_ok:
        return Result(
            "not checkable", arithmetic, f"Not checkable as a span since the previous trip: {since_note}.", evidence
        )
    return Result(
        "consistent" if ok else "inconsistent",
        arithmetic,
        ("The span fits the claim." if ok else "The span does not fit the claim.")
        + (f" {since_note}" if since_note else ""),
        evidence,
    )


# --- "the first trip abroad since ..." ---------------------------------------------------------


def next_trip_statement(
    tables: Tables, table: str, row: pd.Series, claim_source: str
) -> tuple[str | None, dict | None, str]:
    """The trip a dated row's sources name as the next one abroad, and the evidence for it.

    A row of ``xi_other_trips`` may name, with a source of its own
    (``next_trip_source_id``), the next trip abroad after it (``next_trip_id``).
    That statement is what makes "the first trip abroad since ..." checkable:
    the data holds no complete record of Xi's foreign travel, so the year of
    the previous trip alone never shows that no trip came in between.

    Returns ``(next trip id or None, evidence dict or None, why)``: ``None``
    when the row names no next trip or when the only source that does is the
    claim's own document (then the evidence is listed as ``circular``).
    """
    frame = tables[table]
    key = tables.key(table)
    if "next_trip_id" not in frame.columns or pd.isna(row.get("next_trip_id")):
        return None, None, f"{table} row {row[key]} names no next trip abroad"
    source = row.get("next_trip_source_id")
    if pd.isna(source) or not str(source).strip():
        return None, None, f"{table} row {row[key]} names a next trip abroad without a source"
    role = "circular" if source == claim_source else "drawn"
    evidence = {
        "table": table,
        "row_id": f"{row[key]} (next_trip_id)",
        "value": f"next trip abroad: {row['next_trip_id']}",
        "unit": "",
        "source_id": source,
        "role": role,
    }
    if role == "circular":
        return None, evidence, f"the only source naming the next trip abroad is the claim's own document ({source})"
    return str(row["next_trip_id"]), evidence, ""


def check_first_since(claim: pd.Series, tables: Tables) -> Result:
    """'The first trip abroad since X': the previous trip's date and a sourced 'next trip abroad'.

    ``check_rows`` names the previous trip (a row of ``xi_other_trips``);
    ``next=`` the trip the claim speaks of (a ``xi_trips`` id). The claim's
    ``quantity`` is the date it states: of the previous trip (``date=previous``,
    the default) or of the trip itself (``date=next``). ``country=`` (ISO3)
    also requires the trip to begin in that country (the first of its
    ``countries``, which are in visit order). The verdict is *consistent*
    only when the date fits **and** a source other than the claim's own
    document names the trip as the next one abroad: a date that fits alone
    leaves "no trip in between" unshown, and the verdict says so.
    """
    a = args(claim.get("check_args"))
    if "next" not in a:
        raise ClaimError(f"claim {claim['claim_id']}: check first_since needs next=<trip_id> in check_args")
    [ref] = refs(claim["check_rows"])
    table, prev = tables.row(ref)
    key = tables.key(table)
    if prev["source_id"] == claim["source_id"]:
        raise ClaimError(f"claim {claim['claim_id']}: the previous trip's row cites the claim's own document")
    lo, hi, prev_text = row_dates(table, prev)
    evidence = [_evidence(table, key, prev, prev_text, "date", "drawn")]
    _, nxt = tables.row(f"xi_trips:{a['next']}")
    n_lo, n_hi, next_text = row_dates("xi_trips", nxt)
    evidence.append(_evidence("xi_trips", "trip_id", nxt, f"{next_text} ({nxt['countries']})", "date", "drawn"))
    named, statement, why_none = next_trip_statement(tables, table, prev, claim["source_id"])
    if statement is not None:
        evidence.append(statement)
    claimed = _interval(claim["quantity"])
    which = a.get("date", "previous")
    if which not in ("previous", "next"):
        raise ClaimError(f"claim {claim['claim_id']}: date={which!r} is not 'previous' or 'next'")
    dated = (lo, hi) if which == "previous" else (n_lo, n_hi)
    date_ok = _overlaps(claimed, dated)
    first_country = str(nxt["countries"]).split(";")[0]
    country_ok = a.get("country", first_country) == first_country
    arithmetic = (
        f"Previous trip abroad in the data: {prev[key]}, {prev_text} ({prev['countries']}; {prev['source_id']}); "
        f"the trip claimed: {nxt['trip_id']}, {next_text} ({nxt['countries']}); claimed "
        f"{claim['quantity']} for the {'previous trip' if which == 'previous' else 'trip'}"
        + (f", beginning in {a['country']}" if "country" in a else "")
        + "; next trip abroad named by "
        + (f"{statement['source_id']}: {named}" if named else f"no independent source ({why_none})")
        + "."
    )
    if not date_ok:
        return Result(
            "inconsistent",
            arithmetic,
            f"The data dates the {'previous trip' if which == 'previous' else 'trip'} {prev_text if which == 'previous' else next_text}, "
            f"not {claim['quantity']}.",
            evidence,
        )
    if not country_ok:
        return Result(
            "inconsistent",
            arithmetic,
            f"The trip began in {first_country}, not {a['country']}.",
            evidence,
        )
    if named is None:
        return Result(
            "not checkable",
            arithmetic,
            f"Not checkable: the date fits ({prev[key]}, {prev_text}), but {why_none}, and a date alone does not show "
            "that no trip abroad came in between.",
            evidence,
        )
    if named != a["next"]:
        return Result(
            "inconsistent",
            arithmetic,
            f"{statement['source_id']} names {named} as the next trip abroad after {prev[key]}, not {a['next']}.",
            evidence,
        )
    return Result(
        "consistent",
        arithmetic,
        f"The data dates Xi's previous trip abroad ({prev['title']}, {prev_text}) and {statement['source_id']} names "
        f"{a['next']} as the next one; that no trip abroad came in between rests on that sourced statement, not on "
        "a complete record of Xi's travel, which the data does not hold.",
        evidence,
    )


# --- counts, sets, ranks ------------------------------------------------------------------


def _iso_list(text) -> list[str]:
    return sorted(c.strip() for c in str(text).split(";") if c.strip())


def check_members(claim: pd.Series, tables: Tables) -> Result:
    """The SCO countries with a status on a date against a claimed list (``quantity``: ISO3 codes by ';')."""
    from .sco import status_on

    a = args(claim.get("check_args"))
    statuses = a.get("status", "member").split(",")
    day = _interval(a.get("on", claim["period_or_date"]))[1]
    mem = tables["sco_membership"]
    spells = status_on(mem[mem["organisation"] == "sco"], day)
    spells = spells[spells["status"].astype(str).isin(statuses)]
    evidence = [
        {
            "table": "sco_membership",
            "row_id": f"{r['country_iso3']} {r['status']} from {r['start_date']}",
            "value": r["country_iso3"],
            "unit": "",
            "source_id": r["source_id"],
            "role": "circular" if r["source_id"] == claim["source_id"] else "drawn",
        }
        for _, r in spells.iterrows()
    ]
    found = sorted(spells["country_iso3"])
    claimed = _iso_list(claim["quantity"])
    if a.get("mode") == "includes":
        evidence = [e for e in evidence if e["value"] in claimed]
        found = [c for c in found if c in claimed]
    circular = sorted(e["value"] for e in evidence if e["role"] == "circular")
    arithmetic = (
        f"{'/'.join(statuses)} on {day:%Y-%m-%d}: {', '.join(found)} ({len(found)}); "
        f"claimed: {', '.join(claimed)} ({len(claimed)})."
    )
    if circular:
        arithmetic += f" Rows for {', '.join(circular)} cite the claim's own document."
    if set(found) == set(claimed):
        if circular:
            return Result(
                "not checkable",
                arithmetic,
                f"The list matches, but the rows for {', '.join(circular)} rest on the claim's own document.",
                evidence,
            )
        return Result("consistent", arithmetic, "The claimed list is exactly the data's list.", evidence)
    missing, extra = sorted(set(found) - set(claimed)), sorted(set(claimed) - set(found))
    return Result(
        "inconsistent",
        arithmetic,
        "The lists differ: "
        + "; ".join(
            filter(
                None,
                [
                    f"the claim leaves out {', '.join(missing)}" if missing else "",
                    f"the claim adds {', '.join(extra)}" if extra else "",
                ],
            )
        )
        + ".",
        evidence,
    )


def check_member_count_change(claim: pd.Series, tables: Tables) -> Result:
    """'grew from N to M': the number of countries with the statuses on two dates."""
    from .sco import status_on

    a = args(claim.get("check_args"))
    statuses = a.get("status", "member").split(",")
    mem = tables["sco_membership"]
    mem = mem[mem["organisation"] == "sco"]
    counts, evidence = [], []
    for day_text in (a["from"], a["on"]):
        day = _interval(day_text)[1]
        spells = status_on(mem, day)
        spells = spells[spells["status"].astype(str).isin(statuses)]
        counts.append(len(spells))
        evidence += [
            {
                "table": "sco_membership",
                "row_id": f"{r['country_iso3']} {r['status']} from {r['start_date']}",
                "value": f"{r['country_iso3']} on {day:%Y-%m-%d}",
                "unit": "",
                "source_id": r["source_id"],
                "role": "circular" if r["source_id"] == claim["source_id"] else "drawn",
            }
            for _, r in spells.iterrows()
        ]
    claimed = [int(x) for x in re.findall(r"\d+", str(claim["quantity"]))]
    arithmetic = f"{'/'.join(statuses)}: {counts[0]} on {a['from']}, {counts[1]} on {a['on']}; claimed {claimed[0]} to {claimed[1]}."
    circular = sorted({e["value"].split()[0] for e in evidence if e["role"] == "circular"})
    if counts == claimed:
        if circular:
            arithmetic += f" Rows for {', '.join(circular)} cite the claim's own document."
            return Result(
                "consistent",
                arithmetic,
                f"The counts match; note that the rows for {', '.join(circular)} rest on the claim's own "
                "document, though their statuses are confirmed by other rows of the chapter 1 timeline.",
                evidence,
            )
        return Result("consistent", arithmetic, "The counts match.", evidence)
    return Result("inconsistent", arithmetic, "The counts differ.", evidence)


def check_count(claim: pd.Series, tables: Tables) -> Result:
    """Rows of a table with a column equal to a value (e.g. countries in M49 'Central Asia')."""
    a = args(claim.get("check_args"))
    frame = tables[a["table"]]
    hit = frame[frame[a["column"]] == a["equals"]]
    n = len(hit)
    key = tables.key(a["table"])
    evidence = [_evidence(a["table"], key, r, r[key], "", "drawn") for _, r in hit.iterrows()]
    claimed = int(float(claim["quantity"]))
    arithmetic = (
        f"{a['table']} rows with {a['column']} = {a['equals']!r}: {n} ({', '.join(hit[key])}); claimed {claimed}."
    )
    ok = n == claimed
    return Result(
        "consistent" if ok else "inconsistent",
        arithmetic,
        "The count matches." if ok else f"The data counts {n}.",
        evidence,
    )


def check_summit_ordinal(claim: pd.Series, tables: Tables) -> Result:
    """'The Nth SCO summit': count the summits of heads of state up to the one named.

    SCO summits are counted from the founding summit (2001); a second count
    includes the Shanghai Five's summits from 1996, the other reading a
    number may have.
    """
    [ref] = refs(claim["check_rows"])
    table, row = tables.row(ref)
    events = data.primary(tables["sco_events"])
    summits = events[events["event_type"] == "summit"].sort_values("date")
    founding = events[events["event_type"] == "founding"]["date"].min()
    sco_n = int(((summits["date"] >= founding) & (summits["date"] <= row["date"])).sum())
    all_n = int((summits["date"] <= row["date"]).sum())
    claimed = int(float(claim["quantity"]))
    evidence = [
        _evidence("sco_events", "event_id", r, f"{r['date']}", "date", "drawn")
        for _, r in summits[summits["date"] <= row["date"]].iterrows()
    ]
    arithmetic = (
        f"Summits from the founding ({founding}) to {row['date']}: {sco_n}; "
        f"counting the Shanghai Five's from 1996: {all_n}; claimed {claimed}."
    )
    if claimed == sco_n:
        return Result("consistent", arithmetic, "The ordinal matches the count of SCO summits.", evidence)
    if claimed == all_n:
        return Result(
            "consistent only under another reading",
            arithmetic,
            "The ordinal matches only if the Shanghai Five's summits are counted too.",
            evidence,
        )
    return Result("inconsistent", arithmetic, f"The data makes it summit number {sco_n}.", evidence)


def check_trip(claim: pd.Series, tables: Tables) -> Result:
    """Did Xi visit a country in the period claimed (``country=`` in the arguments)?"""
    a = args(claim.get("check_args"))
    country = a["country"]
    period = _interval(claim["quantity"])
    trips = tables["xi_trips"]
    hits = trips[
        trips["countries"].str.split(";").map(lambda cs: country in cs)
        & trips.apply(lambda r: _overlaps(period, (r["start_date"], r["end_date"])), axis=1)
    ]
    evidence = [
        _evidence("xi_trips", "trip_id", r, f"{r['start_date']} to {r['end_date']} ({r['countries']})", "", "drawn")
        for _, r in hits.iterrows()
        if r["source_id"] != claim["source_id"]
    ]
    arithmetic = (
        f"Trips in xi_trips that include {country} and fall in {claim['quantity']}: "
        f"{', '.join(e['row_id'] for e in evidence) or 'none'}."
    )
    ok = bool(evidence)
    return Result(
        "consistent" if ok else "inconsistent",
        arithmetic,
        f"The data has Xi in {country} in {claim['quantity']}."
        if ok
        else f"The data has no visit to {country} in {claim['quantity']}.",
        evidence,
    )


def check_record(claim: pd.Series, tables: Tables) -> Result:
    """'A record': is the year's value the highest of the annual series the data has?"""
    from . import trade

    a = args(claim.get("check_args"))
    year = int(a["year"])
    rows = trade.annual(tables["trade"])
    rows = rows[
        (rows["partner_iso3"] == a["partner"])
        & (rows["reporter_iso3"] == a["reporter"])
        & (rows["flow"] == a.get("flow", "total"))
        & (rows["year"] <= year)
        & (rows["source_id"] != claim["source_id"])
    ]
    rows = rows.assign(usd_m=[to_base(float(v), u)[0] for v, u in zip(rows["value"], rows["unit"])])
    rows = rows.sort_values("year")
    evidence = [_evidence("trade", "row_id", r, r["value"], r["unit"], "drawn") for _, r in rows.iterrows()]
    that = rows[rows["year"] == year]
    if that.empty:
        return Result("not checkable", f"No {year} row.", "Not checkable: the data has no row for that year.", evidence)
    years = sorted(set(rows["year"]))
    missing = [y for y in range(min(years), year + 1) if y not in years]
    best = rows.loc[rows["usd_m"].idxmax()]
    arithmetic = (
        f"{year}: USD {that['usd_m'].max():,.0f} million; highest in {len(years)} years with data "
        f"({min(years)}-{year}): {int(best['year'])} (USD {best['usd_m']:,.0f} million). "
        f"Years without a row: {_spans(missing) or 'none'}."
    )
    ok = int(best["year"]) == year
    why = (
        "The year is the highest in the series the data has"
        if ok
        else f"The data has a higher year ({int(best['year'])})"
    )
    if missing and ok:
        why += "; the series has gaps, so 'record' holds only for the years recorded"
    return Result("consistent" if ok else "inconsistent", arithmetic, why + ".", evidence)


def _spans(years: Iterable[int]) -> str:
    years = sorted(years)
    out, start, prev = [], None, None
    for y in years:
        if start is None:
            start = prev = y
        elif y == prev + 1:
            prev = y
        else:
            out.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = y
    if start is not None:
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
    return ", ".join(out)


# --- pipelines ----------------------------------------------------------------------------


def check_pipeline_status(claim: pd.Series, tables: Tables) -> Result:
    """A pipeline's claimed status against its status at the end of the claim's year."""
    from .pipelines import STATUS_LABELS, status_in

    a = args(claim.get("check_args"))
    pid = a["pipeline"]
    year = int(str(claim["period_or_date"])[:4])
    facts = tables["pipeline_facts"]
    facts = facts[facts["source_id"] != claim["source_id"]]
    status = status_in(year, tables["pipelines"], facts).set_index("pipeline_id")
    evidence = []
    if pid not in status.index:
        return Result("not checkable", f"No status for {pid} in {year}.", "Not checkable.", evidence)
    got = status.loc[pid]
    _, row = tables.row(f"pipeline_facts:{got['decided_by']}")
    evidence.append(
        _evidence("pipeline_facts", "fact_id", row, f"{row['attribute']} = {row['value']}", row["unit"], "drawn")
    )
    for _, r in tables["pipeline_facts"].iterrows():
        if r["pipeline_id"] == pid and r["source_id"] == claim["source_id"]:
            evidence.append(
                _evidence("pipeline_facts", "fact_id", r, f"{r['attribute']} = {r['value']}", r["unit"], "circular")
            )
    claimed = str(claim["quantity"])
    arithmetic = (
        f"Status of {pid} at the end of {year} (leaving out the claim's own rows): "
        f"{STATUS_LABELS.get(got['status'], got['status'])}, decided by {got['decided_by']}; claimed {claimed}."
    )
    ok = got["status"] == claimed
    return Result(
        "consistent" if ok else "inconsistent",
        arithmetic,
        "The status matches."
        if ok
        else f"The data has the line {STATUS_LABELS.get(got['status'], got['status'])} by then.",
        evidence,
    )


def check_route(claim: pd.Series, tables: Tables) -> Result:
    """The countries a pipeline crosses (outside China) against a claimed list."""
    [ref] = refs(claim["check_rows"])
    table, row = tables.row(ref)
    found = sorted(c for c in str(row["route_countries"]).split(";") if c != "CHN")
    claimed = _iso_list(claim["quantity"])
    evidence = [_evidence(table, "pipeline_id", row, row["route_countries"], "", "drawn")]
    ok = set(found) == set(claimed)
    return Result(
        "consistent" if ok else "inconsistent",
        f"Route outside China: {', '.join(found)}; claimed {', '.join(claimed)}.",
        "The countries match." if ok else "The countries differ.",
        evidence,
    )


def check_oil_total(claim: pd.Series, tables: Tables, scale: float = 1.0) -> Result:
    """A cumulative oil delivery against the most the pipeline could have carried by the claim's date."""
    from .pipelines import oil_claim_check

    vols = tables["pipeline_volumes"]
    steps = oil_claim_check(vols, tables["pipeline_facts"], tables["pipelines"]).set_index("step")
    base_row, ceiling, likely = steps.iloc[0], steps.iloc[3], steps.iloc[5]
    q = float(claim["quantity"])
    lo, hi = window(q, claim["quantity"], claim["tolerance_rule"], _tol(claim), scale)
    evidence = []
    for ref in refs(claim["check_rows"]):
        for role, t, r in readings(tables, ref, claim["source_id"]):
            evidence.append(_evidence(t, tables.key(t), r, r["value"], r["unit"], role))
    arithmetic = (
        f"Last reading before the claim: {base_row['value']:.0f} Mt ({base_row['from']}); at design capacity "
        f"every day since, at most {ceiling['value']:.0f} Mt by the claim's date; at the latest yearly rate "
        f"about {likely['value']:.0f} Mt. 'Nearly {claim['quantity']}' admits {_fmt(lo)} to {_fmt(hi)} Mt."
    )
    if ceiling["value"] < lo:
        return Result(
            "inconsistent",
            arithmetic,
            "Even at design capacity every day the pipeline could not have carried what 'nearly' allows.",
            evidence,
        )
    if likely["value"] < lo:
        return Result(
            "inconsistent",
            arithmetic,
            "Only running at or near design capacity every day, which the yearly data never shows, would come "
            "close; at the rate the data shows the total falls short of what 'nearly' allows.",
            evidence,
        )
    return Result(
        "consistent", arithmetic, "At the rate the data shows, the total reaches what 'nearly' allows.", evidence
    )


def check_full_capacity(claim: pd.Series, tables: Tables) -> Result:
    """'Full capacity by end-YEAR': did the implied annual rate reach the capacity in place by then?"""
    from .pipelines import full_capacity_check

    a = args(claim.get("check_args"))
    got = full_capacity_check(
        tables["pipeline_volumes"],
        tables["pipeline_facts"],
        tables["pipelines"],
        a["pipeline"],
        int(claim["quantity"]),
        exclude_source=claim["source_id"],
    )
    evidence = [
        {"table": "pipeline_facts", "row_id": fid, "value": val, "unit": "date", "source_id": sid, "role": "variant"}
        for fid, val, sid in got["other_readings"]
    ]
    arithmetic = got["text"]
    if got["reached_year"] is None:
        return Result(
            "inconsistent",
            arithmetic,
            "The deliveries in the data never reach the capacity while it stood; other sources expected full "
            "capacity later.",
            evidence,
        )
    ok = got["reached_year"] <= int(claim["quantity"])
    return Result(
        "consistent" if ok else "inconsistent",
        arithmetic,
        "The implied rate reached capacity in time."
        if ok
        else f"The implied rate first reached capacity only in {got['reached_year']}.",
        evidence,
    )


#: Check name (the ``check`` column) -> function.
CHECKS: dict[str, Callable] = {
    "date": check_date,
    "weekday": check_weekday,
    "relative_date": check_relative_date,
    "value": check_value,
    "ratio": check_ratio,
    "elapsed": check_elapsed,
    "members": check_members,
    "member_count_change": check_member_count_change,
    "count": check_count,
    "summit_ordinal": check_summit_ordinal,
    "trip": check_trip,
    "first_since": check_first_since,
    "record": check_record,
    "pipeline_status": check_pipeline_status,
    "route": check_route,
    "oil_total": check_oil_total,
    "full_capacity": check_full_capacity,
}
#: Checks whose tolerance the ``tolerance_scale`` parameter widens or narrows.
SCALED = {"value", "ratio", "elapsed", "oil_total"}


def run_check(claim: pd.Series, tables: Tables, tolerance_scale: float = 1.0) -> Result:
    """Run one claim's check (or say why it cannot be checked)."""
    name = claim["check"]
    if pd.isna(name) or not str(name).strip():
        return Result("not checkable", "", f"Not checkable with the project's data: needs {claim['data_needed']}.")
    if name not in CHECKS:
        raise ClaimError(f"claim {claim['claim_id']}: check {name!r} is not one of {sorted(CHECKS)}")
    fn = CHECKS[name]
    return fn(claim, tables, tolerance_scale) if name in SCALED else fn(claim, tables)


#: Columns :func:`run` adds to the claims.
RESULT_COLUMNS = ("verdict", "arithmetic", "interpretation", "evidence", "evidence_sources")


def reference_problems(claims: pd.DataFrame, tables: Tables) -> list[str]:
    """Every check_rows reference that does not resolve, and every check or argument a claim names wrongly."""
    problems = []
    for _, c in claims.iterrows():
        if pd.isna(c["check"]):
            continue
        if c["check"] not in CHECKS:
            problems.append(f"{c['claim_id']}: check {c['check']!r} is not one of {sorted(CHECKS)}")
        try:
            args(c.get("check_args"))
            for ref in refs(c["check_rows"]) + refs(args(c.get("check_args")).get("also", "").replace(",", ";")):
                tables.row(ref)
        except ClaimError as err:
            problems.append(f"{c['claim_id']}: {err}")
    return problems


def run(claims: pd.DataFrame, tables: Tables | None = None, tolerance_scale: float = 1.0) -> pd.DataFrame:
    """Every claim with its verdict, arithmetic, interpretation and evidence (a list of dicts).

    Every reference is resolved first, so a claim pointing at a missing row
    stops the run with a message naming the claim and the row.
    """
    tables = tables or Tables()
    problems = reference_problems(claims, tables)
    if problems:
        raise ClaimError("data/claims.csv names rows or checks that do not exist:\n  " + "\n  ".join(problems))
    out = []
    for _, c in claims.iterrows():
        # a claim's check depends only on the claim, the tables and (for scaled checks) the scale:
        # the sensitivity table and the changed-verdicts list reuse the results already computed
        memo_key = (c["claim_id"], tolerance_scale if c["check"] in SCALED else None)
        r = tables._checked.get(memo_key)
        if r is None:
            r = tables._checked[memo_key] = run_check(c, tables, tolerance_scale)
        out.append(
            {
                "claim_id": c["claim_id"],
                "verdict": r.verdict,
                "arithmetic": r.arithmetic,
                "interpretation": r.interpretation,
                "evidence": r.evidence,
                "evidence_sources": sorted({e["source_id"] for e in r.evidence if e["role"] != "circular"}),
            }
        )
    res = pd.DataFrame(out, columns=["claim_id", *RESULT_COLUMNS])
    return claims.drop(columns=[c for c in RESULT_COLUMNS if c in claims.columns]).merge(res, on="claim_id", how="left")


def select(claims: pd.DataFrame, sources: Sequence[str], topics: Sequence[str]) -> pd.DataFrame:
    """The claims of the documents and topics chosen."""
    return claims[claims["source_id"].isin(sources) & claims["topic"].isin(topics)]


# --- tables and charts for the notebook ---------------------------------------------------


def summary(results: pd.DataFrame) -> pd.DataFrame:
    """Claims by document and verdict (counts), with totals."""
    table = pd.crosstab(results["source_id"], pd.Categorical(results["verdict"], categories=VERDICTS), dropna=False)
    table.columns = list(VERDICTS)
    table["all claims"] = table.sum(axis=1)
    table.loc["all documents"] = table.sum()
    table.index.name = "document"
    return table


def plot_verdicts(results: pd.DataFrame, labels: dict[str, str] | None = None, ax=None, *, title: str | None = None):
    """Horizontal stacked bars: how many of each document's claims got each verdict."""
    import matplotlib.pyplot as plt

    table = summary(results).drop(index="all documents")[list(VERDICTS)]
    table = table.loc[table.sum(axis=1).sort_values().index]
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.6 * len(table) + 1.6))
    left = pd.Series(0, index=table.index, dtype=float)
    names = [(labels or {}).get(s, s) for s in table.index]
    # a count is written inside its segment only where it fits (about 7 points a digit at 10 pt plus a
    # margin); thinner segments keep their colour, and the table above gives every count
    xmax = float(table.sum(axis=1).max() or 1)
    ax.set_xlim(0, xmax * 1.02)
    fig = ax.figure
    points_per_claim = ax.get_position().width * fig.get_figwidth() * 72 / (xmax * 1.02)
    for verdict in VERDICTS:
        ax.barh(names, table[verdict], left=left, color=VERDICT_COLORS[verdict], label=verdict, edgecolor="white")
        for i, (v, l0) in enumerate(zip(table[verdict], left)):
            if v and v * points_per_claim >= 7 * len(str(int(v))) + 4:
                ax.text(
                    l0 + v / 2,
                    i,
                    str(int(v)),
                    ha="center",
                    va="center",
                    fontsize=10,
                    color="white" if verdict in ("consistent", "inconsistent") else "black",
                )
        left += table[verdict]
    ax.set_xlabel("claims")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=10)
    if title:
        ax.set_title(title, pad=40)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def evidence_table(result_row: pd.Series) -> pd.DataFrame:
    """The rows one check read, as a table (circular rows included and marked)."""
    return pd.DataFrame(result_row["evidence"], columns=["table", "row_id", "value", "unit", "source_id", "role"])


def evidence_text(evidence: list[dict]) -> str:
    """The rows a check read, one per line: table:row_id = value unit (source), marked when not used."""
    lines = []
    for e in evidence:
        value = e["value"]
        if isinstance(value, float):
            value = _fmt(value) if not math.isnan(value) else "n/a"
        mark = {
            "circular": " [cites the claim's own document: not used]",
            "variant": " [another source]",
            "other basis": " [another basis]",
        }.get(e["role"], "")
        lines.append(f"{e['table']}:{e['row_id']} = {value} {e['unit']} ({e['source_id']}){mark}".replace("  ", " "))
    if len(lines) > 12:
        lines = lines[:10] + [f"... and {len(lines) - 10} more rows"]
    return "\n".join(lines)


def results_table(results: pd.DataFrame) -> pd.DataFrame:
    """One row per checked claim: the claim, the data, the arithmetic, the verdict, the interpretation."""
    out = results[
        ["claim_id", "speaker", "as_printed", "claim", "evidence", "arithmetic", "verdict", "interpretation"]
    ].copy()
    out["data"] = out.pop("evidence").map(evidence_text)
    return out[["claim_id", "speaker", "as_printed", "claim", "data", "arithmetic", "verdict", "interpretation"]]


def by_topic(results: pd.DataFrame) -> pd.DataFrame:
    """Claims by topic and verdict (counts)."""
    table = pd.crosstab(results["topic"], pd.Categorical(results["verdict"], categories=VERDICTS), dropna=False)
    table.columns = list(VERDICTS)
    return table[table.sum(axis=1) > 0]


def table1_grid(results: pd.DataFrame) -> pd.DataFrame:
    """Gao Fei's Table 1, cell by cell: the verdict on each printed figure (country x year)."""
    cells = results[results["claim_id"].str.startswith("s004-t1-")].copy()
    if cells.empty:
        return pd.DataFrame()
    parts = cells["claim_id"].str.extract(r"s004-t1-(?P<country>[a-z]{3})-(?P<year>\d{4})")
    cells["country"] = parts["country"].str.upper()
    cells["year"] = parts["year"].astype(int)
    short = {
        "consistent": "ok",
        "consistent only under another reading": "other reading",
        "inconsistent": "NO",
        "not checkable": "-",
    }
    grid = cells.pivot(index="country", columns="year", values="verdict").map(short.get).fillna("")
    order = [c for c in ["RUS", "KAZ", "KGZ", "TJK", "UZB"] if c in grid.index]
    return grid.loc[order]


def sensitivity(claims: pd.DataFrame, tables: Tables, scales: Sequence[float]) -> pd.DataFrame:
    """How many claims get each verdict when every tolerance is multiplied by each scale."""
    rows = []
    for s in scales:
        got = run(claims, tables, s)["verdict"].value_counts()
        rows.append({"tolerance_scale": s, **{v: int(got.get(v, 0)) for v in VERDICTS}})
    return pd.DataFrame(rows).set_index("tolerance_scale")


def changed_verdicts(claims: pd.DataFrame, tables: Tables, base: float, other: float) -> pd.DataFrame:
    """The claims whose verdict differs between two tolerance scales."""
    a = run(claims, tables, base).set_index("claim_id")["verdict"]
    b = run(claims, tables, other).set_index("claim_id")["verdict"]
    diff = a[a != b].index
    return pd.DataFrame({"claim_id": diff, f"at {base:g}": a[diff].values, f"at {other:g}": b[diff].values})


def document_labels(sources: pd.DataFrame, ids: Iterable[str]) -> dict[str, str]:
    """Short labels for the seed documents: author (or publisher) and year."""
    src = sources.set_index("source_id")
    out = {}
    for sid in ids:
        row = src.loc[sid]
        who = str(row["author"]) if pd.notna(row["author"]) else str(row["publisher"])
        who = who.split(" (")[0]
        if len(who) > 28:
            who = str(row["publisher"]).split(" (")[0]
        out[sid] = f"{who}, {str(row['date'])[:4]}"
    return out


# --- sentences computed from the run (so a re-run reads true) ------------------------------


def verdict_counts_sentence(results: pd.DataFrame, labels: dict[str, str]) -> str:
    """§1: how many claims from how many documents, and which document weighs most in this run."""
    from ..core import prose

    per_doc = results.groupby("source_id").size().sort_values(ascending=False)
    counts = results["verdict"].value_counts()
    parts = ", ".join(f"{int(counts.get(v, 0))} {v}" for v in VERDICTS)
    text = (
        f"This run checks {prose.plural(len(results), 'claim')} from {prose.plural(len(per_doc), 'document')}: {parts}."
    )
    if len(per_doc) > 1:
        top = per_doc.index[0]
        share = per_doc.iloc[0] / len(results) * 100
        text += f" The largest share comes from {labels.get(top, top)}: {int(per_doc.iloc[0])} claims, {share:.0f}% of this run"
        cells = int(results["claim_id"].str.startswith("s004-t1-").sum())
        if top == "gao2010" and cells:
            text += (
                f", {cells} of them the printed cells of its Table 1 (China's trade with each partner by year), "
                "each counted as one claim"
            )
        text += "."
    return text


def flagged_sentence(flagged: pd.DataFrame) -> str:
    """§2: how many claims do not fit, and of which kinds."""
    from ..core import prose

    if flagged.empty:
        return "No claim in this selection is inconsistent with the data or fits only under another reading."
    inc = int((flagged["verdict"] == "inconsistent").sum())
    other = len(flagged) - inc
    by_topic = flagged["topic"].value_counts()
    topics = prose.join(f"{t.replace('_', ' ')} {n}" for t, n in by_topic.items())
    return (
        f"{prose.plural(len(flagged), 'claim')} in this selection: {inc} inconsistent and {other} consistent "
        f"only under another reading (by topic: {topics}). Each row gives the claim as printed, the rows the "
        "check used, the arithmetic and what it suggests."
    )


def comparison_scales(tolerance_scale: float) -> tuple[float, float]:
    """The two tolerance scales whose verdicts §4 compares: halved against doubled in the default run,
    otherwise the tolerances as written against this run's scale."""
    return (0.5, 2.0) if tolerance_scale == 1.0 else (1.0, tolerance_scale)


def comparison_sentence(tolerance_scale: float, moved: pd.DataFrame) -> str:
    a, b = comparison_scales(tolerance_scale)
    what = (
        "every tolerance halved and every tolerance doubled"
        if (a, b) == (0.5, 2.0)
        else f"the tolerances as written (scale 1) and this run's scale ({b:g})"
    )
    if moved.empty:
        return f"No claim's verdict changes between {what}."
    return f"{len(moved)} claim(s) change their verdict between {what}:"


def unchecked_sentence(unchecked: pd.DataFrame, total: int) -> str:
    from ..core import prose

    if unchecked.empty:
        return "Every claim in this selection can be checked with the repository's data."
    by_topic = ", ".join(
        f"{t.replace('_', ' ')} {n}" for t, n in unchecked["topic"].value_counts().sort_index().items()
    )
    return (
        f"{len(unchecked)} of the {prose.plural(total, 'claim')} in this run cannot be checked with the "
        f"repository's data (by topic: {by_topic}). Each is listed with the data that would settle it."
    )


def key_outputs(results: pd.DataFrame, tolerance_scale: float) -> dict[str, str]:
    """A few labelled results of a run, for comparing sweep groups."""
    checked = results[results["verdict"] != "not checkable"]
    n = len(checked)
    cons = int((checked["verdict"] == "consistent").sum())
    return {
        "claims checked": f"{n} of {len(results)}",
        "consistent": f"{cons} ({cons / n * 100:.0f}% of checked)" if n else "none checked",
        "inconsistent": str(int((results["verdict"] == "inconsistent").sum())),
        "another reading": str(int((results["verdict"] == "consistent only under another reading").sum())),
        "tolerance scale": f"{tolerance_scale:g}",
    }


def key_findings(results: pd.DataFrame, labels: dict[str, str], moved: pd.DataFrame, tolerance_scale: float) -> str:
    """The chapter's closing summary (Markdown bullets), every number computed from the run."""
    from ..core import prose

    if results.empty:
        return "- This selection holds no claim."
    counts = results["verdict"].value_counts()
    checked = results[results["verdict"] != "not checkable"]
    bullets = [
        f"Of {prose.plural(len(results), 'claim')} from "
        f"{prose.plural(results['source_id'].nunique(), 'document')}, the data settles {len(checked)}: "
        + ", ".join(f"{int(counts.get(v, 0))} {v}" for v in VERDICTS[:3])
        + "."
    ]
    misfit = checked[checked["verdict"] != "consistent"].groupby("source_id").size()
    if len(misfit):
        top = misfit.sort_values(ascending=False).index[0]
        n_top = int((checked["source_id"] == top).sum())
        bullets.append(
            f"The document with the most checked claims that do not fit as printed is {labels.get(top, top)}: "
            f"{int(misfit[top])} of its {n_top} (inconsistent, or consistent only under another reading)."
        )
    else:
        bullets.append("Every checked claim in this selection fits the data as printed.")
    a, b = comparison_scales(tolerance_scale)
    what = (
        "halving and doubling every tolerance"
        if (a, b) == (0.5, 2.0)
        else f"moving from the tolerances as written to this run's scale ({b:g})"
    )
    bullets.append(
        f"{prose.plural(len(moved), 'verdict')} of {len(checked)} change{'s' if len(moved) == 1 else ''} "
        f"between {what}: those are the judgement calls."
    )
    n_un = int(counts.get("not checkable", 0))
    bullets.append(
        f"{n_un} of the {len(results)} claims cannot be checked with the repository's data; section 5 "
        "says what data would settle each."
        if n_un
        else "Every claim in this selection can be checked with the repository's data."
    )
    return "\n".join(f"- {x}" for x in bullets)


WHATS_NEXT = (
    "**What's next.** This is the last chapter. The trade and pipeline checks read the tables that chapters 3 "
    "(`03_trade`) and 4 (`04_energy_pipelines`) build: go back to them to see those rows in context, or take a "
    "claim from section 5 and add the data that would settle it, with its source."
)
