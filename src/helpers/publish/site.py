"""The static site: ``build/site/``, opened from disk with no network.

``python -m helpers site`` (the second half of ``make run``) writes:

* ``index.html``: every chapter with its title, a one-paragraph summary and a
  thumbnail of its key figure;
* ``<chapter>.html``: each executed notebook with a table of contents, code
  folded, its figures, and source ids linked to the sources page; beside it
  ``notebooks/<chapter>.ipynb`` to download;
* ``data.html``: every dataset with its data dictionary, licence, row count
  and a link to download it (``data/`` is copied whole);
* ``sources.html``: the bibliography, and for each source the tables whose
  rows cite it and the chapters that show it;
* ``teaching.html`` (the teaching guide), ``glossary.html`` and ``slides/``
  (reveal.js for a projector, with ``assets/reveal``; :func:`helpers.course.deck`);
* a search box on every page (MiniSearch over ``assets/search-index.js``,
  offline) and filters on the sources and data pages;
* at the foot of every page: a citation built from ``CITATION.cff``, the
  date the page's source last changed (git), the latest date in the data,
  and where to report an error.

Two builds: the student site ``build/site/`` (no solutions, no teacher's key,
no links to them) and, with ``teacher=True`` (``make site-teacher``), the
teacher's site ``build/site-teacher/``, which adds ``solutions/`` (the
teachers' solutions) and the chapter 5 key.

The chapters come from the default runs in ``build/<chapter>/`` when they are
up to date with the current inputs, and otherwise from the committed
notebooks in ``notebooks/`` (which are executed too); the page says which.
The site is written to a scratch folder and moved into place only when
complete, so a failed build leaves the previous site as it was.

The data are validated before anything is built (a damaged or hostile table
stops the build with the validator's message). Every string from the data is
escaped; a URL is published as a link only if it is http(s) (anything else
is shown as text, even should validation be bypassed); the repository's
Markdown documents are sanitised like the chapters' Markdown
(:func:`helpers.render.clean_html`).
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..core import background, figmeta, parameters, paths
from ..core.vocab import kind_words
from . import course, render, runner, seminar

# helpers.data and helpers.datadict (pandas) are imported where used, so that checking
# whether the site is up to date loads no more than the standard library needs.

E = html.escape


@dataclass(frozen=True)
class Chapter:
    short: str  # label in the navigation bar
    figure: str  # stem of the key figure in figures/
    summary: str  # one paragraph for the index page (no figures: those are in the chapter)


CHAPTERS: dict[str, Chapter] = {
    "01_sco_history": Chapter(
        "History",
        "sco_membership_by_status",
        "From the border agreements of the Shanghai Five to the founding of the SCO and its "
        "enlargements: the institutional milestones, every heads-of-state summit, who held which "
        "status in each year (as a chart, a table and a map), and Gao Fei's 2010 reading of the SCO "
        "as the model of China's \u201cNew Diplomacy\u201d, checked against what came after.",
    ),
    "02_xi_trips": Chapter(
        "Xi's trips",
        "xi_routes_combined",
        "Xi Jinping's trips to Central Asia in September 2022 and July 2024, day by day and on "
        "maps: whom he met, what was signed, pledged and proposed, where Chinese and partner "
        "announcements differ, and how the two trips sit among his other visits to the region.",
    ),
    "03_trade": Chapter(
        "Trade",
        "trade_by_partner",
        "China's trade with the five Central Asian states from 1992: each partner over time, the "
        "regional total against the totals the press publishes, shares and growth rates, the gap "
        "between China's customs figures and the partners' own statistics, and Gao Fei's Table 1 "
        "as printed and as corrected.",
    ),
    "04_energy_pipelines": Chapter(
        "Pipelines",
        "pipelines_map_central_asia",
        "The oil and gas pipelines from Central Asia and Russia to China: when each line opened, "
        "its length and design capacity, import capacity year by year, what the lines have "
        "actually carried, and the starting documents' pipeline claims checked against the record.",
    ),
    "05_analyst_views": Chapter(
        "Views",
        "views_matrix",
        "Who says what about China, the SCO and Central Asia: statements by officials, state "
        "media, scholars, think tanks and the press, coded by topic and stance and compared by "
        "kind of voice and by event, with a test of how reproducible the coding is.",
    ),
    "06_claims_vs_data": Chapter(
        "Claims",
        "claims_verdicts",
        "Every number and date in the five starting documents checked against the project's "
        "tables: verdicts by document, the claims that do not fit (a unit slip, decimal points "
        "lost in a scan, an implausible total), the working of every check, and how far the "
        "verdicts depend on the tolerances.",
    ),
}

BASE_MAP = "geo"  # how the sources page names the base map file (data.html#geo)


def site_dir(teacher: bool = False) -> Path:
    return paths.build_dir() / ("site-teacher" if teacher else "site")


def teacher_only(repo_path: PurePosixPath) -> bool:
    """True for a file only the teacher's build carries: solutions and answer keys."""
    parts = repo_path.parts
    return parts[:2] == ("seminar", "solutions") or (parts[:1] == ("seminar",) and "_key" in repo_path.name)


@dataclass
class _Build:
    """What every page of one build shares (set by :func:`build`)."""

    teacher: bool = False
    data_as_of: str = ""


_BUILD = _Build()


# --- where each chapter comes from --------------------------------------------


def chapter_sources(source: str = "auto") -> dict[str, tuple[Path, str]]:
    """For each chapter, the executed notebook to render and a word on where it comes from.

    ``source`` is ``auto`` (the default run in ``build/`` if it is up to date,
    else the committed notebook), ``build`` or ``committed``.
    """
    if source not in ("auto", "build", "committed"):
        raise parameters.ParameterError("site", "--from", source, "one of: auto, build, committed")
    out = {}
    for job in runner.plan(None, {}):
        built = job.out_dir / f"{job.notebook}.ipynb"
        committed = parameters.notebook_path(job.notebook)
        if source == "committed":
            out[job.notebook] = (committed, "the committed notebook")
        elif runner.is_up_to_date(job):
            out[job.notebook] = (built, "this machine's default run (make run)")
        elif source == "build":
            raise parameters.ParameterError(
                "site",
                "--from",
                source,
                f"'auto' or 'committed': {job.notebook} has no up-to-date default run in build/ "
                "(run './sco run' first)",
            )
        else:
            out[job.notebook] = (committed, "the committed notebook (no up-to-date run in build/)")
    missing = [n for n in out if n not in CHAPTERS]
    if missing:
        raise ValueError(f"helpers.site.CHAPTERS has no entry for {', '.join(missing)}")
    return out


# --- page furniture -------------------------------------------------------------


def nav(prefix: str = "", current: str = "", *, search: bool = True) -> str:
    """The navigation bar: chapters and pages, a menu button for phones, the search box.

    ``search`` loads ``{prefix}assets/search.js``, which loads the search library
    and the index (``assets/minisearch/``, ``assets/search-index.js``) as plain
    scripts the first time the box is used.
    """
    prefix = E(prefix)
    links = []
    for i, (name, ch) in enumerate(CHAPTERS.items(), 1):
        cls = ' class="sco-current"' if name == current else ""
        links.append(f'<a{cls} href="{prefix}{name}.html">{i} {E(ch.short)}</a>')
    for page, label in (
        ("data.html", "Data"),
        ("sources.html", "Sources"),
        ("glossary.html", "Glossary"),
        ("teaching.html", "Teaching"),
    ):
        cls = ' class="sco-current"' if page == current else ""
        links.append(f'<a{cls} href="{prefix}{page}">{label}</a>')
    box = ""
    if search:
        box = (
            f'<div class="sco-search" role="search" data-root="{prefix}">'
            '<input type="search" name="q" placeholder="Search chapters, data, sources" '
            'aria-label="Search the site" autocomplete="off">'
            '<div class="sco-search-results" hidden></div></div>\n'
            f'<script defer src="{prefix}assets/search.js"></script>'
        )
    return (
        '<nav class="sco-nav" aria-label="Site">'
        f'<a class="sco-brand" href="{prefix}index.html">SCO &amp; Central Asia notebooks</a>\n'
        '<button type="button" class="sco-menu" aria-expanded="false" aria-controls="sco-nav-links">Menu</button>\n'
        '<div class="sco-nav-links" id="sco-nav-links">' + "\n".join(links) + "</div>\n" + box + "</nav>"
    )


def cite_text(chapter_title: str | None = None, number: int | None = None) -> str:
    """A citation from ``CITATION.cff`` (HTML, escaped), for the site or one chapter."""
    cff = course.citation()
    authors = (
        "; ".join(
            a.get("name") or " ".join(x for x in (a.get("given-names"), a.get("family-names")) if x)
            for a in cff.get("authors", [])
            if isinstance(a, dict)
        )
        or "The contributors"
    )
    year = str(cff.get("date-released", ""))[:4]
    title = cff.get("title", "")
    version = cff.get("version", "")
    url = course.repository_url()
    lic = cff.get("license")
    lic = ", ".join(lic) if isinstance(lic, list) else (lic or "")
    parts = [f"{E(authors)} ({E(year)})."]
    if chapter_title:
        parts.append(f"\u201c{E(chapter_title)}\u201d, chapter {number} of")
    parts.append(f"<em>{E(title)}</em>, version {E(str(version))}.")
    if url:
        parts.append(f'<a href="{E(url)}">{E(url)}</a>.')
    text = " ".join(parts)
    if lic:
        text += f" Licences: {E(lic)} (code MIT; data compilation CC BY 4.0)."
    return text


def page_foot(prefix: str, files: list[Path], *, cite: str | None = None, page_label: str = "") -> str:
    """The foot of every page: cite, last updated (git), data as of, report an error."""
    updated = course.last_updated(*files)
    url = course.repository_url()
    if url:
        from urllib.parse import quote

        report = (
            f'<a href="{E(url)}/issues/new?title={quote("Error on the page: " + page_label)}">'
            "Report an error on this page</a> (the repository's issue tracker)."
        )
    else:
        report = (
            "Report an error: write to the maintainers through the project's repository (its issue "
            "tracker), naming this page and the section; the address will be linked here once the "
            "repository's public URL is recorded in <code>CITATION.cff</code>."
        )
    lines = [
        f'<p class="sco-cite"><strong>Cite this {"chapter" if cite else "site"}:</strong> {cite or cite_text()}</p>',
        f"<p>Last updated {E(updated) or 'unknown'} (the last change to this page's source). "
        f"Data as of {E(_BUILD.data_as_of) or 'unknown'} (the latest date in the data). "
        f'<a href="{E(prefix)}glossary.html">Glossary</a>.</p>',
        f"<p>{report}</p>",
    ]
    return '<div class="sco-pagefoot">' + "\n".join(lines) + "</div>"


def plain_page(title: str, body: str, *, current: str = "", prefix: str = "", foot: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{E(title)}</title>
<link rel="icon" href="data:,">
<style>
{render.site_css()}
</style>
</head>
<body class="sco-page sco-plain">
{nav(prefix, current)}
<main>
{body}
{foot}
</main>
</body>
</html>
"""


def link(url: str, text_html: str) -> str:
    """``text_html`` linked to ``url`` if it is an http(s) URL, else the text alone (never a script)."""
    if render.safe_url(url):
        return f'<a href="{E(url.strip())}">{text_html}</a>'
    return text_html


def _table(header: list[str], rows: list[list[str]], num: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(f'<td class="num">{c}</td>' if i in num else f"<td>{c}</td>" for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f'<table class="sco-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file; during a build each file is read once (several pages count its rows)."""
    key = None
    if _CSV_CACHE is not None:
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        if key in _CSV_CACHE:
            return [dict(row) for row in _CSV_CACHE[key]]
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    if key is not None:
        _CSV_CACHE[key] = [dict(row) for row in rows]
    return rows


#: Rows already read in this build (:func:`build` sets it; None outside a build).
_CSV_CACHE: dict[tuple, list[dict[str, str]]] | None = None


# --- the data and who cites what --------------------------------------------------


def datapackage() -> dict:
    return json.loads((paths.data_dir() / "datapackage.json").read_text(encoding="utf-8"))


def source_columns(resource: dict) -> list[str]:
    """Columns of a table that hold source ids (its foreign keys to ``sources``)."""
    cols = []
    for fk in resource["schema"].get("foreignKeys", []):
        if fk["reference"].get("resource") == "sources":
            fields = fk["fields"]
            cols += [fields] if isinstance(fields, str) else list(fields)
    return cols


def _word(sid: str) -> re.Pattern:
    return re.compile(rf"(?<![A-Za-z0-9-]){re.escape(sid)}(?![A-Za-z0-9-])")


def citations(pkg: dict, source_ids: list[str]) -> dict[str, dict[str, int]]:
    """For each source, the tables citing it: {table: number of rows}.

    A row cites a source through its source column, or by naming it in its
    ``notes`` (a second report, a cross-check), as the data tests count it.
    """
    cited: dict[str, dict[str, int]] = {s: {} for s in source_ids}
    for res in pkg["resources"]:
        if res["name"] == "sources":
            continue
        rows = _read_csv(paths.data_dir() / res["path"])
        cols = source_columns(res)
        for row in rows:
            ids = {row[c] for c in cols if row.get(c)}
            notes = row.get("notes") or ""
            if notes:
                ids |= _ids_in(notes, source_ids)
            for s in ids:
                if s in cited:
                    cited[s][res["name"]] = cited[s].get(res["name"], 0) + 1
    from ..core.maps import BOUNDARIES_SOURCE  # the base map is a file, not a table

    if BOUNDARIES_SOURCE in cited:
        cited[BOUNDARIES_SOURCE][BASE_MAP] = 1
    return cited


def notebook_text(nb) -> str:
    """Everything a reader sees in an executed notebook: markdown and output text."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append(out["text"])
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in out.get("data", {}):
                    parts.append(out["data"][mime])
    return "\n".join(parts)


def chapters_citing(texts: dict[str, str], source_ids: list[str]) -> dict[str, list[str]]:
    """For each source, the chapters whose rendered text names it."""
    out: dict[str, list[str]] = {s: [] for s in source_ids}
    for name, text in texts.items():
        found = _ids_in(text, source_ids)
        for s in source_ids:
            if s in found:
                out[s].append(name)
    return out


def _ids_in(text: str, source_ids: list[str]) -> set[str]:
    """The ids of ``source_ids`` that ``text`` names as whole words (as :func:`_word` matches them).

    :func:`_word` matches an id only between characters that are not letters,
    digits or ``-``, that is, as a whole maximal run of those characters; so
    one pass collecting the runs of the text finds every such id at once. An
    id with any other character is searched for as before.
    """
    wanted = set(source_ids)
    runs = set(_RUN.findall(text))
    found = wanted & runs
    for s in wanted - found:
        if not _RUN.fullmatch(s) and s in text and _word(s).search(text):
            found.add(s)
    return found


_RUN = re.compile(r"[A-Za-z0-9-]+")


# --- pages --------------------------------------------------------------------


def index_page(chapters: dict[str, tuple[Path, str]], titles: dict[str, str], slides: bool) -> str:
    cards = []
    for i, (name, ch) in enumerate(CHAPTERS.items(), 1):
        links = [f'<a href="{name}.html">Read</a>', f'<a href="notebooks/{name}.ipynb" download>Notebook</a>']
        if slides:
            links.append(f'<a href="slides/{name}.html">Slides</a>')
        if _BUILD.teacher and seminar.solutions_path(name).exists():
            links.append(f'<a href="solutions/{name}_solutions.html">Solutions (teachers)</a>')
        cards.append(f"""<article class="sco-card">
<a href="{name}.html"><img src="figures/{ch.figure}.png" alt="Key figure of chapter {i}: {E(titles[name])}"></a>
<h2><a href="{name}.html">{i}. {E(titles[name])}</a></h2>
<p>{E(ch.summary)}</p>
<div class="sco-links">{" &middot; ".join(links)}</div>
</article>""")
    origins = sorted({how for _, how in chapters.values()})
    return plain_page(
        "The SCO and China's relations with Central Asia",
        f"""
<h1>The SCO and China's relations with Central Asia</h1>
<p class="sco-lead">Parameterized notebooks on the Shanghai Cooperation Organization, from the
Shanghai Five to today, and on China's relations with Central Asia: Xi Jinping's trips of 2022 and
2024, trade, the energy pipelines, and the contrasting ways analysts read all of this. Every number
and date comes from a sourced table; every figure says where its numbers come from.</p>
<div class="sco-cards">
{"".join(cards)}
</div>
<h2>Using this site</h2>
<ul>
<li><a href="data.html">Data</a>: every table, its data dictionary and licence, to download as CSV.</li>
<li><a href="sources.html">Sources</a>: the bibliography, and which tables and chapters use each source.</li>
<li><a href="glossary.html">Glossary</a>: the terms the chapters use (bcm, mirror statistics, kappa&hellip;).</li>
<li>Search: the box at the top of every page searches the chapters, the data and the sources, offline.</li>
<li><a href="teaching.html">Teaching</a>: the teaching guide, with a 90-minute session per chapter,
slides, exercises and how to hand out variants to groups.</li>
<li>To re-run a chapter with your own parameters, clone the repository and run
<code>./sco params 03_trade</code> (at the repository's root) to see what can be set; the README explains the rest.</li>
</ul>
<p class="sco-muted">Chapters rendered from {E("; ".join(origins))}. Pages work offline: nothing is
loaded from the network.{" This is the <strong>teacher's build</strong>: it includes the solutions and the chapter 5 key." if _BUILD.teacher else ""}</p>
""",
        current="index.html",
        foot=page_foot("", [paths.repo_root() / "README.md", *[p for p, _ in chapters.values()]], page_label="index"),
    )


def binder_html(name: str) -> str:
    """A "launch on Binder" link for a chapter, or text saying how to enable it (no made-up address)."""
    url = course.repository_url()
    m = re.match(r"https://github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?$", url or "")
    if m:
        href = f"https://mybinder.org/v2/gh/{m.group(1)}/{m.group(2)}/HEAD?labpath=notebooks%2F{name}.ipynb"
        return (
            f'<p class="sco-binder"><a href="{E(href)}">Launch this chapter on Binder</a>: '
            "run and change it in your browser, with nothing to install (the first start takes a few minutes).</p>"
        )
    return (
        '<p class="sco-binder">No Python? This chapter can run on Binder (in the browser, nothing to '
        "install) from the repository's <code>binder/</code> folder. The link appears here once the "
        "public repository's GitHub URL is recorded as <code>repository-code</code> in "
        "<code>CITATION.cff</code>; until then, open <code>https://mybinder.org</code>, give it the "
        f"repository's URL and the path <code>notebooks/{name}.ipynb</code>.</p>"
    )


def chapter_footer(name: str, origin: str, slides: bool, title: str = "", source: Path | None = None) -> str:
    names = list(CHAPTERS)
    i = names.index(name)
    prev = f'<a href="{names[i - 1]}.html">&larr; {E(CHAPTERS[names[i - 1]].short)}</a>' if i else "<span></span>"
    nxt = (
        f'<a href="{names[i + 1]}.html">{E(CHAPTERS[names[i + 1]].short)} &rarr;</a>'
        if i + 1 < len(names)
        else "<span></span>"
    )
    extra = [f'<a href="notebooks/{name}.ipynb" download>Download this notebook</a>']
    if slides:
        extra.append(f'<a href="slides/{name}.html">Slides</a>')
    extra.append('<a href="sources.html">All sources</a>')
    extra.append('<a href="data.html">All data</a>')
    if _BUILD.teacher and seminar.solutions_path(name).exists():
        extra.append(f'<a href="solutions/{name}_solutions.html">Solutions (teachers)</a>')
    files = [source] if source is not None else [parameters.notebook_path(name)]
    return f"""<div class="sco-pager">{prev}{nxt}</div>
<div class="sco-footer">{" &middot; ".join(extra)}<br>
Re-run with your own parameters: <code>./sco params {name}</code> lists them.
Rendered from {E(origin)}.
{binder_html(name)}</div>
{page_foot("", files, cite=cite_text(title or name, i + 1), page_label=f"{name}.html")}"""


def _constraints(field: dict) -> str:
    """The data dictionary's constraint text (helpers.datadict) as HTML; 'required' has its own column."""
    from ..core import datadict

    text = datadict._constraints(field).replace("\\|", "|")
    text = re.sub(r"^required(; )?", "", text)
    return re.sub(r"`([^`]*)`", lambda m: f"<code>{m.group(1)}</code>", E(text, quote=False))


def table_chapters(pkg: dict, notebooks: dict[str, str]) -> dict[str, list[str]]:
    """For each table, the chapters whose cells load or name it (``"name"``, ``data/name.csv``)."""
    out = {}
    for res in pkg["resources"]:
        name = res["name"]
        pat = re.compile(rf"[\"']{re.escape(name)}[\"']|data/{re.escape(name)}\.csv")
        out[name] = [c for c in CHAPTERS if c in notebooks and pat.search(notebooks[c])]
    return out


def _filter_form(target: str, controls: list[tuple[str, str, list[tuple[str, str]]]], what: str) -> str:
    """A filter bar for the rows (``[data-row]``) of element ``target`` (static/search.js applies it)."""
    parts = [
        f'<div class="sco-filters" role="group" data-target="{E(target)}" aria-label="Filter the {E(what)}">',
        f'<label>Contains <input type="search" name="q" placeholder="words in the {E(what)}"></label>',
    ]
    for name, label, options in controls:
        opts = '<option value="">all</option>' + "".join(f'<option value="{E(v)}">{E(t)}</option>' for v, t in options)
        parts.append(f'<label>{E(label)} <select name="{E(name)}">{opts}</select></label>')
    parts.append('<span class="sco-filter-count" aria-live="polite"></span></div>')
    return "".join(parts)


def _chapter_options(titles: dict[str, str]) -> list[tuple[str, str]]:
    return [(c, f"{i}. {titles.get(c, c)}") for i, c in enumerate(CHAPTERS, 1)]


def data_page(
    pkg: dict, licence_html: str, used_by: dict[str, list[str]] | None = None, titles: dict[str, str] | None = None
) -> str:
    used_by = used_by or {}
    titles = titles or {}
    order = list(CHAPTERS)
    lic = pkg.get("licenses", [{}])[0]
    lic_link = link(lic.get("path", ""), E(lic.get("name", ""))) if lic else ""
    overview, sections = [], []
    for res in pkg["resources"]:
        name, path = res["name"], res["path"]
        n = len(_read_csv(paths.data_dir() / path))
        chs = used_by.get(name, [])
        cites_any = bool(source_columns(res))
        text = " ".join(
            [name, res.get("title", ""), res.get("description", "")]
            + [f"{f['name']} {f.get('description', '')}" for f in res["schema"]["fields"]]
        )
        overview.append(
            (
                f'<tr data-row data-kind="{"sourced" if cites_any else "project"}" '
                f'data-chapter="{E(" ".join(chs))}" data-text="{E(text)}">',
                [
                    f'<a href="#{E(name)}">{E(name)}</a>',
                    E(res.get("title", "")),
                    str(n),
                    ", ".join(
                        f'<a href="{c}.html" title="{E(titles.get(c, c))}">{order.index(c) + 1}</a>' for c in chs
                    ),
                    f'<a href="data/{E(path)}" download>{E(path)}</a>',
                ],
            )
        )
        fks = {}
        for fk in res["schema"].get("foreignKeys", []):
            fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            ref = fk["reference"]
            target = ref.get("resource") or name
            for f in fields:
                fks[f] = f'<a href="#{E(target)}">{E(target)}</a>'
        rows = []
        for f in res["schema"]["fields"]:
            req = "yes" if f.get("constraints", {}).get("required") else ""
            refers = f"refers to {fks[f['name']]}" if f["name"] in fks else ""
            rows.append(
                [
                    f"<code>{E(f['name'])}</code>",
                    E(f.get("type", "")),
                    req,
                    E(f.get("description", "")),
                    "; ".join(x for x in (_constraints(f), refers) if x),
                ]
            )
        key = res["schema"].get("primaryKey")
        key_text = f"Primary key: <code>{E(', '.join(key) if isinstance(key, list) else key)}</code>. " if key else ""
        cites = source_columns(res)
        cite_text = (
            (
                "Every row cites a source in <code>" + E(", ".join(cites)) + "</code> (see "
                '<a href="sources.html">Sources</a>). '
            )
            if cites
            else ("Project-authored (definitions and codes), so it cites no source. " if name != "sources" else "")
        )
        sections.append(f"""<h2 id="{E(name)}">{E(name)}: {E(res.get("title", ""))}</h2>
<p>{E(res.get("description", ""))}</p>
<p><a href="data/{E(path)}" download>Download {E(path)}</a> ({n} rows, CSV, UTF-8). {key_text}{cite_text}
Licence: {lic_link} for the compilation; facts keep their sources' terms.</p>
{_table(["field", "type", "required", "meaning", "constraints"], rows)}""")
    return plain_page(
        "Data",
        f"""
<h1>Data</h1>
<p class="sco-lead">Tidy tables, one fact a row. Every table below can be downloaded as CSV; the
schema of all of them is in <a href="data/datapackage.json" download>datapackage.json</a>
(Frictionless Data Package), and the same dictionary as one document in
<a href="data/DATA_DICTIONARY.md" download>DATA_DICTIONARY.md</a>.</p>
{
            _filter_form(
                "sco-data-tables",
                [
                    (
                        "kind",
                        "Kind",
                        [
                            ("sourced", "facts, each row citing a source"),
                            ("project", "project-authored (codes, definitions)"),
                        ],
                    ),
                    ("chapter", "Used by chapter", _chapter_options(titles)),
                ],
                "tables",
            )
        }
<table class="sco-table" id="sco-data-tables"><thead><tr><th>table</th><th>title</th><th>rows</th><th>chapters</th><th>download</th></tr></thead>
<tbody>{
            "".join(
                tr
                + "".join(f'<td class="num">{c}</td>' if k == 2 else f"<td>{c}</td>" for k, c in enumerate(cells))
                + "</tr>"
                for tr, cells in overview
            )
        }</tbody></table>
<p id="geo">Other files: the base map <a href="data/geo/sco_region_countries.geojson" download>sco_region_countries.geojson</a>
(Natural Earth 4.1.0, public domain; provenance and the border point of view in
<a href="data/geo/README.md" download>data/geo/README.md</a>) and the coding rules of chapter 5,
<a href="data/CODEBOOK.md" download>CODEBOOK.md</a>.</p>
<h2 id="licence">Licence</h2>
{licence_html}
{"".join(sections)}
""",
        current="data.html",
        foot=page_foot("", [paths.data_dir()], page_label="data.html"),
    )


def sources_page(
    sources: list[dict[str, str]],
    cited: dict[str, dict[str, int]],
    in_chapters: dict[str, list[str]],
    titles: dict[str, str],
) -> str:
    order = list(CHAPTERS)
    known = {s["source_id"] for s in sources}
    rows = []
    for s in sources:
        sid = s["source_id"]
        title = E(s["title"])
        url = s.get("url") or ""
        if url and render.safe_url(url):
            title = link(url, title)
        elif url:  # not http(s): shown, never followed
            title = f'{title} <span class="sco-muted">(address given as text: <code>{E(url)}</code>)</span>'
        tables = ", ".join(
            f'<a href="data.html#{E(t)}">{E(t)}</a>' + ("" if t == BASE_MAP else f"&nbsp;({n})")
            for t, n in sorted(cited[sid].items())
        )
        chapters = sorted(in_chapters[sid], key=order.index)
        chs = ", ".join(f'<a href="{c}.html" title="{E(titles[c])}">{order.index(c) + 1}</a>' for c in chapters)
        kind = s.get("kind", "")
        orig = (s.get("original_or_copy") or "").strip()
        copy_of = (s.get("copy_of") or "").strip()
        route = (s.get("route") or "").strip()
        date_note = (s.get("doc_date_note") or "").strip()
        if orig == "copy":
            of = f'<a href="#{E(copy_of)}"><code>{E(copy_of)}</code></a>' if copy_of in known else E(copy_of)
            origin = f"<strong>copy</strong>{' of ' + of if copy_of else ''}"
        else:
            origin = E(orig or "not stated")
        extra = [f"{E(kind.replace('_', ' '))}", origin]
        if route:
            extra.append(f"route: {E(route)}")
        extra.append(f"accessed {E(s.get('accessed', ''))}")
        doc_date = E(s["date"]) + (f' <span class="sco-muted">({E(date_note)})</span>' if date_note else "")
        rows.append(f"""<tr id="{E(sid)}" class="sco-source" data-row data-kind="{E(kind)}" data-orig="{E(orig)}" data-chapter="{E(" ".join(chapters))}"><td><code>{E(sid)}</code></td>
<td>{E(s["author"])}. {title}. {E(s["publisher"])}.
<span class="sco-muted">{"; ".join(extra)}. {E(s.get("licence_note", ""))}</span></td>
<td>{doc_date}</td><td>{E(orig)}</td><td>{tables}</td><td>{chs}</td></tr>""")
    kinds: dict[str, int] = {}
    for s in sources:
        kinds[s.get("kind", "")] = kinds.get(s.get("kind", ""), 0) + 1
    kinds_text = ", ".join(f"{n} {E(kind_words(k))}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    origs = sorted({(s.get("original_or_copy") or "").strip() for s in sources} - {""})
    n_copy = sum((s.get("original_or_copy") or "").strip() == "copy" for s in sources)
    form = _filter_form(
        "sco-sources",
        [
            ("kind", "Kind", [(k, f"{kind_words(k)} ({n})") for k, n in sorted(kinds.items()) if k]),
            ("orig", "Original or copy", [(o, o) for o in origs]),
            ("chapter", "Shown in chapter", _chapter_options(titles)),
        ],
        "sources",
    )
    return plain_page(
        "Sources",
        f"""
<h1>Sources</h1>
<p class="sco-lead">Every document any row of the data cites: {len(sources)} sources ({kinds_text}).
For each: the document's date, whether the project read the original or a copy ({n_copy} copies:
republications, mirrors, archived or translated versions, each naming what it copies where known),
the tables whose rows cite it (with the number of rows) and the chapters that show it.
Download the table as <a href="data/sources.csv" download>sources.csv</a>.</p>
{form}
<table class="sco-table" id="sco-sources"><thead><tr><th>id</th><th>source</th><th>document date</th><th>original or copy</th><th>cited by rows of</th><th>chapters</th></tr></thead>
<tbody>
{"".join(rows)}
</tbody></table>
""",
        current="sources.html",
        foot=page_foot("", [paths.data_dir() / "sources.csv"], page_label="sources.html"),
    )


# --- the teaching guide -------------------------------------------------------------

GUIDE = PurePosixPath("seminar/GUIDE.md")


def site_path(repo_path: PurePosixPath) -> str | None:
    """Where a repository file is in the site, or None if the site does not have it."""
    parts = repo_path.parts
    if len(parts) == 2 and parts[0] == "notebooks" and repo_path.suffix == ".ipynb":
        return f"{repo_path.stem}.html"
    if parts[:2] == ("seminar", "solutions") and repo_path.suffix == ".ipynb":
        return f"solutions/{repo_path.stem}.html"
    if parts[0] in ("data", "seminar") and repo_path.suffix in (".csv", ".md", ".yaml", ".json", ".geojson"):
        return str(repo_path)
    if str(repo_path) == "README.md":
        return "index.html"
    return None


def _resolve(base: PurePosixPath, target: str) -> PurePosixPath:
    parts: list[str] = []
    for part in (base.parent / target).parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


def rewrite_links(body: str, base: PurePosixPath, *, teacher: bool = True) -> str:
    """Point the relative links of a rendered repository document at the site's copies.

    Raises ValueError for a link the site cannot resolve, so a broken link in
    the guide fails the build instead of reaching a reader. With
    ``teacher=False`` (the student build) a link to a solution or a key
    becomes plain text saying it is in the teacher's build.
    """
    if not teacher:

        def unlink(m: re.Match) -> str:
            href = html.unescape(m.group(1))
            if re.match(r"^[a-z]+:", href) or href.startswith("#"):
                return m.group(0)
            if teacher_only(_resolve(base, href.partition("#")[0])):
                return f'<span class="sco-teacher-only">{m.group(2)} (in the teacher\'s build)</span>'
            return m.group(0)

        body = re.sub(r'<a href="([^"]*)"[^>]*>(.*?)</a>', unlink, body, flags=re.S)

    def repl(m: re.Match) -> str:
        href = html.unescape(m.group(1))
        if re.match(r"^[a-z]+:", href) or href.startswith("#"):
            return m.group(0)
        target, _, frag = href.partition("#")
        parts = list(_resolve(base, target).parts)
        mapped = site_path(PurePosixPath(*parts))
        if mapped is None:
            raise ValueError(f"{base}: link {href!r} points at {'/'.join(parts)}, which the site does not include")
        return f'href="{E(mapped + ("#" + frag if frag else ""))}"'

    return re.sub(r'href="([^"]*)"', repl, body)


def markdown_page(path: PurePosixPath, title: str, current: str) -> str:
    from nbconvert.filters import markdown2html

    text = (paths.repo_root() / path).read_text(encoding="utf-8")
    body = rewrite_links(render.clean_html(markdown2html(text)), path, teacher=_BUILD.teacher)
    return plain_page(title, body, current=current, foot=page_foot("", [paths.repo_root() / path], page_label=current))


def _thumbnail(src: Path, dst: Path, width: int = 640) -> None:
    """The index card's image: ``src`` at most ``width`` px wide, kept in ``build/.cache/thumbnails``.

    Resizing and optimising a PNG takes about half a second; the result is
    cached by the source image's bytes (and the width), so a rebuild copies it.
    """
    digest = hashlib.sha256(src.read_bytes() + f"|{width}".encode()).hexdigest()[:24]
    cached = paths.build_dir() / ".cache" / "thumbnails" / f"{digest}.png"
    if not cached.is_file():
        from PIL import Image

        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            with Image.open(src) as im:
                if im.width > width:
                    im = im.resize((width, round(im.height * width / im.width)), Image.LANCZOS)
                im.save(tmp, format="PNG", optimize=True)
            tmp.replace(cached)
        finally:
            tmp.unlink(missing_ok=True)
    shutil.copyfile(cached, dst)


# --- the site's inputs: skip a build when nothing it reads has changed ---------------

#: In the built site: the hash of every input of the build and the files it was made from.
STAMP = ".site-inputs.json"
_STAMP_FORMAT = 1


def _tree(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [
        p
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts
    ]


def input_files() -> list[Path]:
    """Every file a site build may read.

    The committed notebooks and the default runs in ``build/<chapter>/``
    (whichever a build renders, with their figures; the choice between them
    depends only on files listed here), ``figures/``, ``data/``, ``seminar/``
    (guide, solutions, sweep files), the package's own code, templates and
    static files, and the repository's ``CITATION.cff``, ``README.md``,
    ``LICENSE-DATA.md``, ``requirements.lock`` and ``pyproject.toml``.
    """
    root = paths.repo_root()
    files = _tree(paths.notebooks_dir()) + _tree(root / "figures") + _tree(paths.data_dir())
    files += _tree(root / "seminar") + _tree(render.PACKAGE)
    for name in runner.list_notebooks():
        run = paths.build_dir() / name
        files += [f for f in (run / "run.json", run / f"{name}.ipynb") if f.is_file()]
        files += _tree(run / "figures")
    files += [
        root / f
        for f in ("CITATION.cff", "README.md", "LICENSE-DATA.md", "requirements.lock", "pyproject.toml")
        if (root / f).is_file()
    ]
    return sorted(set(files))


def _git_head(root: Path) -> str:
    """The commit checked out (the pages' "last updated" dates come from git), or "" without git."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    head = out.stdout.strip()
    if out.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40,64}", head):
        return ""
    # the commit of the files' own history is what the dates use; the top level checks it is this clone's
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True, timeout=20, check=False
    ).stdout.strip()
    return head if top and Path(top).resolve() == root.resolve() else ""


def inputs_fingerprint(
    *, source: str, slides: bool, teacher: bool, known: dict[str, list] | None = None
) -> tuple[str, dict[str, list]]:
    """The hash of everything a build with these options reads, and the per-file record behind it.

    Cheap: a file whose size and modification time are those recorded in
    ``known`` (the last build's record) keeps its recorded content hash; only
    the others are read and hashed. The hash is of contents, so touching a
    file does not by itself call for a rebuild. Besides the files: the build
    mode (student or teacher, slides, ``--from``), the folders in use
    (``SCO_REPO_ROOT``, ``SCO_DATA_DIR``, ``SCO_BUILD_DIR``), the Python
    version and the git commit (the pages show dates from git; without git,
    the latest modification date, which the pages then show).
    """
    known = known or {}
    root = paths.repo_root()
    record: dict[str, list] = {}
    h = hashlib.sha256()
    latest = 0
    for f in input_files():
        st = f.stat()
        key = f.relative_to(root).as_posix() if f.is_relative_to(root) else str(f)  # no home folder in the site
        old = known.get(key)
        if isinstance(old, list) and len(old) == 3 and old[0] == st.st_size and old[1] == st.st_mtime_ns:
            digest = old[2]
        else:
            digest = hashlib.sha256(f.read_bytes()).hexdigest()
        record[key] = [st.st_size, st.st_mtime_ns, digest]
        latest = max(latest, st.st_mtime_ns)
        h.update(f"{key}\0{digest}\n".encode())
    head = _git_head(root)
    settings = {
        "format": _STAMP_FORMAT,
        "source": source,
        "slides": bool(slides),
        "teacher": bool(teacher),
        "root": str(root),
        "data": str(paths.data_dir()),
        "build": str(paths.build_dir()),
        "python": sys.version,
        "git": head,
        "mtime_day": "" if head else str(latest // (86400 * 10**9)),
    }
    h.update(paths.canonical(settings).encode())
    return h.hexdigest(), record


def _read_stamp(folder: Path) -> dict:
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) and isinstance(stamp.get("files"), dict) else {}


def _write_stamp(folder: Path, key: str, record: dict[str, list]) -> None:
    target = folder / STAMP
    tmp = folder / f".{STAMP}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        tmp.write_text(json.dumps({"inputs_hash": key, "files": record}, sort_keys=True), encoding="utf-8")
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def up_to_date(*, source: str = "auto", slides: bool = True, teacher: bool = False) -> bool:
    """True if the built site was made from exactly the current inputs (see :func:`inputs_fingerprint`)."""
    final = site_dir(teacher)
    stamp = _read_stamp(final)
    if not stamp or not (final / "index.html").is_file():
        return False
    key, record = inputs_fingerprint(source=source, slides=slides, teacher=teacher, known=stamp["files"])
    if key != stamp.get("inputs_hash"):
        return False
    if record != stamp["files"]:  # same contents, new times: record them so the next check reads nothing
        try:
            _write_stamp(final, key, record)
        except OSError:
            pass
    return True


# --- build --------------------------------------------------------------------------


def _workers(requested: int | None) -> int:
    """Processes rendering the chapters: ``requested``, else ``SCO_SITE_WORKERS``, else up to 2 of the CPUs."""
    if requested is None:
        env = os.environ.get("SCO_SITE_WORKERS", "")
        requested = int(env) if env.isdigit() else None
    if requested is None:
        requested = min(2, background.available_cpus())
    return max(1, requested)


def _render_chapter(
    name: str, path: Path, origin: str, slides: bool, known: set[str], terms: list, scratch: Path
) -> dict:
    """One chapter's page (and deck), written into ``scratch``; what the other pages need from it."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    title = render.first_heading(nb) or name
    number = list(CHAPTERS).index(name) + 1
    page = render.notebook_html(
        nb,
        nav=nav("", name),
        footer=chapter_footer(name, origin, slides, title, parameters.notebook_path(name)),
        source_ids=known,
        prose=course.Prose(terms, known),
        prompts=False,
        figures_dir=figmeta.figure_folder(path),
        figures_href=f"figures/{name}/",
    )
    # each figure's PNG, SVG and data CSV, as the page links them (issue 19)
    figmeta.copy_linked(page, f"figures/{name}/", figmeta.figure_folder(path), scratch / "figures" / name)
    (scratch / f"{name}.html").write_text(page, encoding="utf-8")
    out = {
        "title": title,
        "text": notebook_text(nb),
        "code": "\n".join(c.source for c in nb.cells),
        "docs": course.page_sections(page, f"{name}.html", f"{number}. {title}", "chapter"),
    }
    if slides:
        _write_deck(name, nb, scratch / "slides", back=True)
    return out


def _render_solution(path: Path, known: set[str], scratch: Path) -> list[dict]:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    page = render.notebook_html(
        nb,
        nav=nav("../", "teaching.html"),
        source_ids=known,
        sources_href="../sources.html",
        prompts=False,
        footer=page_foot("../", [path], page_label=f"solutions/{path.stem}.html"),
    )
    (scratch / "solutions" / f"{path.stem}.html").write_text(page, encoding="utf-8")
    return course.page_sections(page, f"solutions/{path.stem}.html", render.first_heading(nb) or path.stem, "solutions")


def _call(task: tuple) -> object:
    func, args = task
    return func(*args)


def _run_tasks(tasks: list[tuple], workers: int, while_waiting: Callable[[], None]) -> list:
    """Results of ``tasks`` ((function, args) pairs), in order, on up to ``workers`` processes.

    ``while_waiting`` runs in this process meanwhile. The workers are forked
    from this process once it has imported the renderer, so they start at
    once with everything loaded (and with this build's settings); an error in
    a task is raised here. With one worker, or where fork is not available,
    everything runs here, one task after another; likewise in a process
    that runs other threads (forking it could copy a lock another thread
    holds, and Python 3.12 warns about it).
    """
    import multiprocessing
    import threading

    if (
        workers <= 1
        or len(tasks) <= 1
        or "fork" not in multiprocessing.get_all_start_methods()
        or threading.active_count() > 1
    ):
        while_waiting()
        return [_call(t) for t in tasks]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(
        max_workers=min(workers, len(tasks)), mp_context=multiprocessing.get_context("fork")
    ) as pool:
        futures = [pool.submit(_call, t) for t in tasks]
        try:
            while_waiting()
            return [f.result() for f in futures]
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def build(
    *,
    source: str = "auto",
    slides: bool = True,
    teacher: bool = False,
    echo: Callable[[str], None] = print,
    skip_if_unchanged: bool = False,
    workers: int | None = None,
) -> Path:
    """Build the whole site (atomically) and return its path.

    The student site goes to ``build/site`` with no solution, no answer key
    and no link to either; ``teacher=True`` builds ``build/site-teacher``,
    which adds them.

    ``skip_if_unchanged`` (the command line's default; ``--force`` turns it
    off) leaves the built site as it is when it was made from exactly the
    current inputs (:func:`inputs_fingerprint`, recorded in the site as
    ``.site-inputs.json``), saying "site up to date". ``workers`` processes
    render the chapters (default: :func:`_workers`).
    """
    runner._quiet_imports()  # before nbformat is first imported (it would load jsonschema's IRI checks)
    final = site_dir(teacher)
    stamp = _read_stamp(final)
    key, record = inputs_fingerprint(source=source, slides=slides, teacher=teacher, known=stamp.get("files"))
    if skip_if_unchanged and stamp and stamp.get("inputs_hash") == key and (final / "index.html").is_file():
        if record != stamp["files"]:
            _write_stamp(final, key, record)
        echo(f"site up to date: {final} (nothing it is built from has changed; --force rebuilds it)")
        return final
    import nbformat  # noqa: F401  (loaded here, before the workers are forked)

    from ..core import data

    data.validate_all()  # before any work: a damaged table stops the build with the validator's message
    chapters = chapter_sources(source)
    for name, ch in CHAPTERS.items():
        if not (paths.repo_root() / "figures" / f"{ch.figure}.png").exists():
            raise ValueError(f"chapter {name}: key figure figures/{ch.figure}.png is missing (run 'make run')")
    terms = course.glossary()
    scratch = paths.build_dir() / ".tmp" / f"site-{uuid.uuid4().hex[:8]}"
    (scratch / "notebooks").mkdir(parents=True)
    (scratch / "figures").mkdir()
    global _BUILD, _CSV_CACHE
    previous, cache_pages = _BUILD, render.CACHE_PAGES
    _CSV_CACHE = {}
    render.CACHE_PAGES = True  # a chapter whose page is unchanged is read back (build/.cache/pages)
    try:
        pkg = datapackage()
        _BUILD = _Build(teacher=teacher, data_as_of=course.data_as_of(pkg, _read_csv))
        sources = _read_csv(paths.data_dir() / "sources.csv")
        source_ids = [s["source_id"] for s in sources]
        known = set(source_ids)
        unknown = sorted({s for t in terms for s in t.sources} - known)
        if unknown:
            raise ValueError(f"glossary.yaml cites source ids not in data/sources.csv: {', '.join(unknown)}")
        sol_dir = seminar.solutions_dir()
        solutions = sorted(sol_dir.glob("*_solutions.ipynb")) if (teacher and sol_dir.exists()) else []
        if slides:
            (scratch / "slides").mkdir()
        if solutions:
            (scratch / "solutions").mkdir()
        render._exporter("html", exclude_input_prompt=True, exclude_output_prompt=True).template  # noqa: B018
        if slides:  # the templates compiled once, before the workers are forked
            render._exporter("slides", reveal_url_prefix="../assets/reveal", reveal_theme="white").template  # noqa: B018
        tasks = [
            (_render_chapter, (name, path, origin, slides, known, terms, scratch))
            for name, (path, origin) in chapters.items()
        ]
        tasks += [(_render_solution, (path, known, scratch)) for path in solutions]
        side: dict[str, object] = {}

        def meanwhile() -> None:  # the work that needs no chapter, while the chapters render
            for name, (path, _origin) in chapters.items():
                shutil.copyfile(path, scratch / "notebooks" / f"{name}.ipynb")
                _thumbnail(
                    paths.repo_root() / "figures" / f"{CHAPTERS[name].figure}.png",
                    scratch / "figures" / f"{CHAPTERS[name].figure}.png",
                )
            if slides:
                shutil.copytree(render.REVEAL, scratch / "assets" / "reveal")
            shutil.copytree(paths.data_dir(), scratch / "data")
            seminar_dir = paths.repo_root() / "seminar"
            if seminar_dir.exists():

                def ignore(folder: str, names: list[str]) -> set[str]:
                    rel = PurePosixPath(Path(folder).resolve().relative_to(paths.repo_root()).as_posix())
                    out = {n for n in names if n.endswith(".ipynb") or n == ".ipynb_checkpoints"}
                    if not teacher:
                        out |= {n for n in names if teacher_only(rel / n)}
                    return out

                shutil.copytree(seminar_dir, scratch / "seminar", ignore=ignore)
            from nbconvert.filters import markdown2html

            side["licence"] = rewrite_links(
                render.clean_html(
                    markdown2html((paths.repo_root() / "LICENSE-DATA.md").read_text(encoding="utf-8").split("\n", 1)[1])
                ),
                PurePosixPath("LICENSE-DATA.md"),
            )
            side["cited"] = citations(pkg, source_ids)
            side["teaching"] = markdown_page(GUIDE, "Teaching guide", "teaching.html")
            side["glossary"] = plain_page(
                "Glossary",
                course.glossary_page_body(terms, {s["source_id"]: s for s in sources}),
                current="glossary.html",
                foot=page_foot("", [course.GLOSSARY_FILE], page_label="glossary.html"),
            )

        results = _run_tasks(tasks, _workers(workers), meanwhile)
        titles, texts, code = {}, {}, {}
        docs: list[dict] = []
        for name, res in zip(chapters, results):
            titles[name], texts[name], code[name] = res["title"], res["text"], res["code"]
            docs += res["docs"]
            echo(f"  page    {name}.html")
        if slides:
            for name in chapters:
                echo(f"  slides  slides/{name}.html")
        for res in results[len(chapters) :]:
            docs += res
        (scratch / "index.html").write_text(index_page(chapters, titles, slides), encoding="utf-8")
        (scratch / "data.html").write_text(
            data_page(pkg, side["licence"], table_chapters(pkg, code), titles), encoding="utf-8"
        )
        (scratch / "sources.html").write_text(
            sources_page(sources, side["cited"], chapters_citing(texts, source_ids), titles), encoding="utf-8"
        )
        (scratch / "teaching.html").write_text(side["teaching"], encoding="utf-8")
        (scratch / "glossary.html").write_text(side["glossary"], encoding="utf-8")
        docs += course.page_sections(side["teaching"], "teaching.html", "Teaching guide", "teaching")
        docs += search_data_docs(pkg, sources, terms)
        assets = scratch / "assets"
        assets.mkdir(exist_ok=True)
        shutil.copytree(render.STATIC / "minisearch", assets / "minisearch")
        shutil.copyfile(render.STATIC / "search.js", assets / "search.js")
        (assets / "search-index.js").write_text(course.search_script(docs), encoding="utf-8")
        _write_stamp(scratch, key, record)  # the inputs as they were when the build started
        final.parent.mkdir(parents=True, exist_ok=True)
        runner._swap_into_place(scratch, final)
    finally:
        _BUILD = previous
        _CSV_CACHE = None
        render.CACHE_PAGES = cache_pages
        shutil.rmtree(scratch, ignore_errors=True)
        _drop_empty(paths.build_dir() / ".tmp")
    return final


def search_data_docs(pkg: dict, sources: list[dict[str, str]], terms: list) -> list[dict]:
    """Search documents for the data tables, every source and every glossary entry."""
    docs = []
    for res in pkg["resources"]:
        fields = " ".join(f"{f['name']}: {f.get('description', '')}" for f in res["schema"]["fields"])
        docs.append(
            {
                "id": f"data.html#{res['name']}",
                "url": f"data.html#{res['name']}",
                "title": f"{res['name']}: {res.get('title', '')}",
                "page": "Data",
                "kind": "data",
                "text": f"{res.get('description', '')} {fields}",
            }
        )
    for s in sources:
        sid = s["source_id"]
        docs.append(
            {
                "id": f"sources.html#{sid}",
                "url": f"sources.html#{sid}",
                "title": f"{sid}: {s['title']}",
                "page": "Sources",
                "kind": "source",
                "text": " ".join(
                    s.get(k, "")
                    for k in ("author", "title", "publisher", "date", "kind", "original_or_copy", "copy_of", "route")
                ),
            }
        )
    for t in terms:
        docs.append(
            {
                "id": f"glossary.html#{t.id}",
                "url": f"glossary.html#{t.id}",
                "title": t.term,
                "page": "Glossary",
                "kind": "glossary",
                "text": t.definition,
            }
        )
    return docs


def _drop_empty(folder: Path) -> None:
    if folder.exists() and not any(folder.iterdir()):
        folder.rmdir()


def _write_slides(
    chapters: dict[str, tuple[Path, str]], folder: Path, *, back: bool, echo: Callable[[str], None]
) -> None:
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    for name, (path, _origin) in chapters.items():
        _write_deck(name, nbformat.read(path, as_version=4), folder, back=back)
        echo(f"  slides  slides/{name}.html")


def _write_deck(name: str, nb, folder: Path, *, back: bool) -> None:
    deck = course.deck(nb, reveal_prefix="../assets/reveal", back=f"../{name}.html" if back else None)
    (folder / f"{name}.html").write_text(deck, encoding="utf-8")


def build_slides(*, source: str = "auto", echo: Callable[[str], None] = print) -> Path:
    """Only the slides, into ``build/site/slides`` (with ``build/site/assets/reveal``).

    For a teacher who wants the decks without rebuilding the site; a full
    site build (``make run``) writes the same decks. The link back to the
    chapter page is added only when the site is there to link to.
    """
    runner._quiet_imports()
    chapters = chapter_sources(source)
    root = site_dir()
    scratch = paths.build_dir() / ".tmp" / f"slides-{uuid.uuid4().hex[:8]}"
    try:
        _write_slides(chapters, scratch / "slides", back=(root / "index.html").exists(), echo=echo)
        shutil.copytree(render.REVEAL, scratch / "reveal")
        root.mkdir(parents=True, exist_ok=True)
        (root / "assets").mkdir(exist_ok=True)
        (root / STAMP).unlink(missing_ok=True)  # the site now differs from what its record says
        runner._swap_into_place(scratch / "reveal", root / "assets" / "reveal")
        runner._swap_into_place(scratch / "slides", root / "slides")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        _drop_empty(paths.build_dir() / ".tmp")
    return root / "slides"
