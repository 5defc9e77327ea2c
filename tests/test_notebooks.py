"""Each chapter re-run through the runner with other parameters.

The committed notebooks themselves are checked by nbval (make test runs
pytest with --nbval on notebooks/); here the point is that the outputs follow
the parameters.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nbformat
import pytest

from helpers import runner


@pytest.fixture
def build(tmp_path, monkeypatch):
    monkeypatch.setenv("SCO_BUILD_DIR", str(tmp_path / "build"))
    return tmp_path / "build"


def _run(notebook, overrides):
    jobs = runner.plan([notebook], overrides)
    [result] = runner.run_jobs(jobs, echo=lambda s: None)
    assert result.status == "ok", f"{result.message}; log: {result.log}"
    return result, nbformat.read(result.job.out_dir / f"{notebook}.ipynb", as_version=4)


def _tagged_text(nb, tag) -> str:
    [cell] = [c for c in nb.cells if tag in c.metadata.get("tags", [])]
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)


class _Cells(HTMLParser):
    """Collect the text of each table row's cells (standard library only)."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(self._cell.strip())
            self._cell = None


def _status_rows(nb) -> dict[str, str]:
    """country iso3 -> status, read from the status table's HTML output."""
    [cell] = [c for c in nb.cells if "status-table" in c.metadata.get("tags", [])]
    parser = _Cells()
    parser.feed("".join(o.get("data", {}).get("text/html", "") for o in cell.outputs))
    header, *rows = [r for r in parser.rows if r]
    low = [h.strip().lower() for h in header]  # style.table humanises headers ("Country code", "Status")
    i = next(k for k, h in enumerate(low) if h in ("iso3", "country code"))
    j = low.index("status")
    return {r[i]: r[j].strip().lower() for r in rows}


def test_sco_history_in_2005_shows_india_and_pakistan_as_observers(build):
    result, nb = _run("01_sco_history", {"as_of_year": 2005})
    status = _status_rows(nb)
    assert status["IND"] == "observer" and status["PAK"] == "observer" and status["IRN"] == "observer"
    assert {c for c, s in status.items() if s == "member"} == {"CHN", "RUS", "KAZ", "KGZ", "TJK", "UZB"}
    assert "Status on 31 December 2005: 6 members, 4 observers" in _tagged_text(nb, "status-table")
    assert result.job.out_name.startswith("01_sco_history--")
    assert {"sco_map.png", "sco_timeline.png", "sco_membership_by_status.png"} <= set(result.figures)


def test_sco_history_members_only_drops_other_statuses(build):
    _, nb = _run("01_sco_history", {"as_of_year": 2017, "statuses": ["member"], "highlight": ["ind"]})
    status = _status_rows(nb)
    assert set(status.values()) == {"member"}
    assert {"IND", "PAK"} <= set(status) and "IRN" not in status
    assert "Status on 31 December 2017: 8 members" in _tagged_text(nb, "status-table")


def _all_outputs(nb) -> str:
    """Every output of every code cell, as text (computed Markdown included; markdown cells left out)."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for o in cell.outputs:
            parts.append(o.get("text", ""))
            for mime in ("text/plain", "text/html", "text/markdown"):
                parts.append(o.get("data", {}).get(mime, ""))
    return "\n".join(parts)


def test_xi_trips_for_2024_only_shows_no_2022_stop(build):
    result, nb = _run("02_xi_trips", {"trips": ["2024"]})
    out = _all_outputs(nb)
    assert "xi-2024-07-" in out and "Dushanbe" in out  # the 2024 stops are there
    assert "xi-2022-09" not in out  # no 2022 row of any table
    assert "Samarkand" not in out and "September 2022" not in out
    assert "One trip chosen: no combined map." in out
    assert "xi_route_2024.png" in result.figures
    assert not any("2022" in f or "combined" in f for f in result.figures)


def test_xi_trips_categories_filter_the_outcomes(build):
    _, nb = _run("02_xi_trips", {"categories": ["energy"], "include_context": False})
    out = _all_outputs(nb)
    assert "xi-2024-07-o12" in out  # the SCO energy strategy to 2030
    assert "xi-2022-09-o15" not in out  # the 2,000 training places (security)
    assert "xi-2013-09" not in out  # no context visits on the timeline


def test_trade_for_kyrgyzstan_and_tajikistan_2000_to_2015(build):
    result, nb = _run(
        "03_trade", {"countries": ["KGZ", "TJK"], "start_year": 2000, "end_year": 2015, "base_year": 2005}
    )
    prose = "\n".join(
        o.get("data", {}).get("text/markdown", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "## China's trade with Kyrgyzstan and Tajikistan, 2000–2015" in prose  # the heading follows the run
    assert "Kazakhstan went from" not in prose and "index base year 2005" in prose
    growth = [c for c in nb.cells if c.cell_type == "code" and "growth_table" in c.source][0]
    html = "".join(o.get("data", {}).get("text/html", "") for o in growth.outputs)
    parser = _Cells()
    parser.feed(html)
    header, *rows = [r for r in parser.rows if r]
    header = [h.lower() for h in header]  # style.table may capitalise headers
    by = {r[header.index("partner")]: r for r in rows}
    assert set(by) == {"Kyrgyzstan", "Tajikistan"}  # only the chosen countries, by name
    assert by["Kyrgyzstan"][header.index("from")] == "2000"  # China reports every year of the window
    assert by["Kyrgyzstan"][header.index("to")] == "2015"
    assert "Index values at the latest year with a figure (2005 = 100)" in prose
    assert "trade_index.png" in result.figures and "trade_coverage.png" in result.figures


def test_pipelines_in_2008_show_no_operating_gas_line(build):
    result, nb = _run("04_energy_pipelines", {"as_of_year": 2008})
    out = _all_outputs(nb)
    m = re.search(
        r"At the end of 2008 the map shows [^:]*: (\d+) operating \(([^)]*)\); "
        r"(\d+) under construction \(([^)]*)\)",
        out,
    )
    assert m, "the status sentence of the 2008 map is missing"
    operating, building = m.group(2), m.group(4)
    assert "CACGP" not in operating and "Power of Siberia" not in operating and "Atasu-Alashankou" in operating
    assert building == "CACGP A"
    assert {"pipelines_map.png", "pipelines_capacity.png", "pipelines_volumes.png"} <= set(result.figures)


def test_pipelines_oil_in_barrels_a_day(build):
    _, nb = _run("04_energy_pipelines", {"commodity": "oil", "unit": "kb/d", "include_planned": False})
    out = _all_outputs(nb)
    assert "Commodity: oil; map at the end of 2025; planned lines hidden; unit: kb/d." in out
    summary = [c for c in nb.cells if c.cell_type == "code" and "pl.summary(" in c.source][0]
    html = "".join(o.get("data", {}).get("text/html", "") for o in summary.outputs)
    assert "Atasu-Alashankou" in html and "ESPO spur 1" in html
    assert "bcm" not in html and "CACGP" not in html and "Power of Siberia" not in html
    capacity = [c for c in nb.cells if c.cell_type == "code" and "capacity_buildup(" in c.source][0]
    html = "".join(o.get("data", {}).get("text/html", "") for o in capacity.outputs)
    assert "kb/d" in html and "Kazakhstan-China oil pipeline" in html and "gas" not in html


def _statement_ids(nb) -> list[str]:
    """Statement ids in the who-says-what table's HTML output."""
    [cell] = [c for c in nb.cells if c.cell_type == "code" and "vw.who_says_what(" in c.source]
    parser = _Cells()
    parser.feed("".join(o.get("data", {}).get("text/html", "") for o in cell.outputs))
    header, *rows = [r for r in parser.rows if r]
    # the column of statement ids, whatever its displayed header (style.table humanises headers)
    col = next(i for i, h in enumerate(header) if h.strip().lower() in ("id", "statement id", "statement"))
    return [r[col] for r in rows]


def test_views_for_western_analysts_on_the_sco_in_general(build):
    import csv

    from helpers import paths

    v = {
        "topics": ["sco_substance", "west_reading"],
        "outlet_kinds": ["western_think_tank", "western_academic"],
        "events": ["sco-general"],
        "min_year": 2010,
        "max_year": 2024,
    }
    result, nb = _run("05_analyst_views", v)
    with (paths.data_dir() / "statements.csv").open(newline="", encoding="utf-8") as fh:
        expected = sorted(
            r["statement_id"]
            for r in csv.DictReader(fh)
            if r["topic_id"] in v["topics"]
            and r["outlet_kind"] in v["outlet_kinds"]
            and r["event_id"] in v["events"]
            and 2010 <= int(r["date"][:4]) <= 2024
        )
    assert expected and sorted(_statement_ids(nb)) == expected
    out = _all_outputs(nb)
    with (paths.data_dir() / "statements.csv").open(newline="", encoding="utf-8") as fh:
        total = sum(1 for _ in csv.DictReader(fh))
    assert f"{len(expected)} of {total} statements" in out
    assert "No statements about the 2022 or 2024 trips in this selection" in out
    assert "views_trips.png" not in result.figures and "views_matrix.png" in result.figures


def test_views_of_the_2022_trip_only(build):
    result, nb = _run("05_analyst_views", {"events": ["trip-2022-09"], "min_year": 2022, "max_year": 2022})
    html = "".join(
        o.get("data", {}).get("text/html", "")
        for c in nb.cells
        if c.cell_type == "code" and "vw.event_readings(" in c.source
        for o in c.outputs
    )
    assert "September 2022" in html and "July 2024" not in html
    assert "views_trips.png" in result.figures


def test_claims_of_one_seed_on_one_topic_with_wider_tolerances(build):
    import csv

    from helpers import paths

    v = {"sources": ["gao2010"], "topics": ["trade"], "tolerance_scale": 2.0}
    result, nb = _run("06_claims_vs_data", v)
    with (paths.data_dir() / "claims.csv").open(newline="", encoding="utf-8") as fh:
        expected = [r["claim_id"] for r in csv.DictReader(fh) if r["source_id"] == "gao2010" and r["topic"] == "trade"]
    out = _all_outputs(nb)
    assert expected and f"{len(expected)} of 247 claims, from 1 documents; tolerance scale 2." in out
    assert "s004-t1-uzb-2006" in out and "s003-c012" not in out  # another seed's claim is not shown
    assert "claims_verdicts.png" in result.figures
