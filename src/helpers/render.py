"""Render executed notebooks to HTML pages and reveal.js slides that work offline.

nbconvert's own templates load require.js, MathJax, mermaid and reveal.js
from public CDNs, so their pages are incomplete (and log errors) with no
network. The project's templates (``helpers/templates``) drop what the
notebooks do not use and point reveal.js at a vendored copy
(``helpers/static/reveal``). On top of nbconvert's page this module adds:

* a table of contents built from the page's own headings (so its links are
  the ids nbconvert gave the headings);
* code folded under ``<details>`` (the parameters cell stays open; a cell
  tagged ``show-input`` too), with a button to show or hide all of it;
* optionally a navigation bar and footer (the site), and source ids in
  tables turned into links to the sources page.

Every page is self-contained: CSS is inline and figures are embedded as
data URIs by nbconvert.
"""

from __future__ import annotations

import copy
import html
import re
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"
REVEAL = STATIC / "reveal"

_HEADING = re.compile(r'<h([1-3]) id="([^"]+)">(.*?)<a class="anchor-link"', re.S)
_TAG = re.compile(r"<[^>]+>")


@lru_cache(maxsize=1)
def site_css() -> str:
    return (STATIC / "site.css").read_text(encoding="utf-8")


def headings(body: str, levels: tuple[int, ...] = (2, 3)) -> list[tuple[int, str, str]]:
    """(level, id, text) of the markdown headings in a rendered page, in order."""
    out = []
    for level, ident, inner in _HEADING.findall(body):
        if int(level) in levels:
            out.append((int(level), ident, html.unescape(_TAG.sub("", inner)).strip()))
    return out


def toc_html(items: list[tuple[int, str, str]]) -> str:
    """A nested list of links for the headings (h2 with their h3 beneath)."""
    if not items:
        return ""
    parts = ['<p class="sco-toc-title">Contents</p>', "<ul>"]
    open_sub = False
    for level, ident, text in items:
        link = f'<a href="#{ident}">{html.escape(text)}</a>'
        if level == 3:
            if not open_sub:
                parts.append("<ul>")
                open_sub = True
            parts.append(f"<li>{link}</li>")
            continue
        if open_sub:
            parts.append("</ul>")
            open_sub = False
        parts.append(f"<li>{link}</li>")
    if open_sub:
        parts.append("</ul>")
    parts.append("</ul>")
    return "\n".join(parts)


def link_source_ids(body: str, source_ids: set[str], href: str) -> str:
    """Turn table cells that hold exactly a known source id into links to ``href#id``."""

    def repl(m: re.Match) -> str:
        tag, attrs, sid = m.group(1), m.group(2) or "", m.group(3)
        if sid not in source_ids:
            return m.group(0)
        return f'<{tag}{attrs}><a href="{href}#{sid}">{sid}</a></{tag}>'

    return re.sub(r"<(td|th)(\s[^>]*)?>([a-z0-9][a-z0-9-]*[a-z0-9])</\1>", repl, body)


def _exporter(kind: str, **kw):
    from nbconvert import HTMLExporter, SlidesExporter

    cls = HTMLExporter if kind == "html" else SlidesExporter
    name = "sco_html" if kind == "html" else "sco_slides"
    return cls(template_name=name, extra_template_basedirs=[str(TEMPLATES)], **kw)


def notebook_html(nb, *, title: str | None = None, nav: str = "", footer: str = "",
                  source_ids: set[str] | None = None, sources_href: str = "sources.html",
                  site_root: str | None = None) -> str:
    """One executed notebook as a self-contained, offline HTML page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook (not modified).
    title : str, optional
        The page title (default: the notebook's first heading).
    nav, footer : str
        HTML put above the page (navigation bar) and at its end.
    source_ids : set of str, optional
        Known source ids: table cells holding exactly one of them become links
        to ``sources_href#id``.
    site_root : str, optional
        A relative URL from the page to the site's root folder (e.g.
        ``"../../site/"`` for a run page in ``build/runs/<name>/``): the page
        then carries the site's navigation bar (Home, chapters, data,
        sources, teaching) linking into it. None (the default) gives a
        standalone page; an explicit ``nav`` wins over ``site_root``.
    """
    if site_root is not None and not nav:
        from . import site  # site imports this module

        nav = site.nav(site_root_prefix(site_root))
    nb = copy.deepcopy(nb)
    if title is None:
        title = first_heading(nb) or "Notebook"
    nb.metadata["title"] = title
    escape_dollars(nb)
    describe_figures(nb)
    body, _ = _exporter("html").from_notebook_node(nb, resources={"sco_css": site_css()})
    body = body.replace("<!--sco-toc-->", toc_html(headings(body)), 1)
    body = body.replace("<!--sco-nav-->", nav, 1).replace("<!--sco-footer-->", footer, 1)
    if source_ids:
        body = link_source_ids(body, source_ids, sources_href)
    return body


def site_root_prefix(site_root: str) -> str:
    """``site_root`` as a prefix for page names: "" for the root itself, else ending in "/"."""
    root = site_root.strip()
    if root in ("", ".", "./"):
        return ""
    return root if root.endswith("/") else root + "/"


def describe_figures(nb) -> None:
    """Give every PNG output (in place) alternative text naming the section it is in."""
    chapter = first_heading(nb) or "the notebook"
    section = None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith(("## ", "### ")):
                    section = line.lstrip("#").strip()
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                where = f"section “{section}” of " if section else ""
                out.setdefault("metadata", {})["sco_alt"] = f"Figure in {where}{chapter}"


def escape_dollars(nb) -> None:
    """Escape ``$`` in markdown cells (in place): here it is a currency sign, never math.

    The notebooks use no LaTeX; without this, text between two dollar amounts
    ("$90 billion ... $41 billion") would be taken for inline math and its
    markdown left unrendered.
    """
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"(?<!\\)\$", r"\\$", cell.source)


def first_heading(nb) -> str | None:
    """The text of the notebook's first ``# `` heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


def slide_types(nb) -> None:
    """Mark the cells of ``nb`` (in place) for reveal.js.

    A ``#``/``##`` heading starts a slide, a ``###`` heading a sub-slide, and a
    code cell that draws a figure gets a sub-slide of its own so the figure
    is shown large; everything else continues the current slide. Code is
    hidden (the slides are for showing results), except the parameters cell.
    """
    for i, cell in enumerate(nb.cells):
        kind = "-"
        if cell.cell_type == "markdown":
            first = cell.source.lstrip().split("\n", 1)[0]
            if i == 0 or first.startswith(("# ", "## ")):
                kind = "slide"
            elif first.startswith("### "):
                kind = "subslide"
        elif cell.cell_type == "code":
            if any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
                kind = "subslide"
            if "parameters" not in cell.metadata.get("tags", []):
                cell.metadata["tags"] = [*cell.metadata.get("tags", []), "sco-hide-input"]
        cell.metadata.setdefault("slideshow", {})["slide_type"] = kind


def notebook_slides(nb, *, reveal_prefix: str, back: str | None = None) -> str:
    """One executed notebook as reveal.js slides loading reveal.js from ``reveal_prefix``."""
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = first_heading(nb) or "Slides"
    escape_dollars(nb)
    describe_figures(nb)
    slide_types(nb)
    exporter = _exporter("slides", reveal_url_prefix=reveal_prefix, reveal_theme="white")
    body, _ = exporter.from_notebook_node(nb, resources={"sco_back": back})
    return body
