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
  tables turned into links to the sources page;
* for a run with papermill's ``injected-parameters`` cell: a banner naming
  every parameter that differs from the defaults, the parameters used shown
  open and the defaults cell folded and marked as defaults;
* Markdown (cells, Markdown outputs, the site's documents) sanitised with an
  allow-list of harmless tags (:func:`clean_html`): no scripts, event
  handlers, styles or ``javascript:`` links, whatever a cell or the data
  holds; HTML outputs likewise, keeping the tables' own style sheets
  (:func:`clean_output_html`).

Headings in Markdown *outputs* (a chapter displaying computed Markdown) count
like headings in markdown cells: they get ids, appear in the table of
contents and start slides.

One notebook makes both a page and slides (issue 19). Cell tags choose the
medium: ``page-only`` cells are left off the slides, ``slides-only`` cells off
the pages, and the slides show the tables of ``slides-only`` and
``slides-too`` cells (otherwise only figures and prose); a figure keeps its
page number on the slides (:func:`for_page`, :func:`for_slides`,
:func:`slide_tables`). A figure taller than wide is shown on slides in bands
cut between its panels (:func:`figure_bands`), and any figure enlarges on a
click (``static/slides.js``).

Every page is self-contained: CSS is inline and figures are embedded as
data URIs by nbconvert.
"""

from __future__ import annotations

import copy
import html
import re
import threading
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"
REVEAL = STATIC / "reveal"

#: Tags kept in Markdown that reaches a page; everything else is dropped
#: (script and style with their content), as are all attributes not listed.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style"},
}
#: Schemes a link may use; relative links (other pages of the site, #anchors) are kept.
URL_SCHEMES = {"http", "https"}
#: HTML outputs (tables from pandas) also keep their own style sheet and table attributes.
OUTPUT_TAGS = ALLOWED_TAGS | {"style"}
OUTPUT_ATTRIBUTES = {
    **ALLOWED_ATTRIBUTES,
    "style": {"type", "scoped"},
    "table": {"border", "data-sco-rows"},
    "tr": {"style"},
}

_HEADING = re.compile(r'<h([1-3]) id="([^"]+)">(.*?)<a class="anchor-link"', re.S)
_TAG = re.compile(r"<[^>]+>")


def clean_html(fragment: str) -> str:
    """Sanitise an HTML fragment with the allow-list above (nh3).

    Used on rendered Markdown: the markdown cells, Markdown outputs (which may
    quote the data) and the repository documents the site shows. Table cell
    styles keep only ``text-align`` (Markdown's column alignment).
    """
    import nh3

    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        clean_content_tags={"script", "style"},
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel=None,
        strip_comments=True,
    )


def clean_output_html(fragment: str) -> str:
    """Sanitise an HTML output of a code cell (a second line of defence).

    Tables are escaped where they are made (:func:`helpers.style.table`,
    pandas' own ``to_html``); this catches HTML a cell builds by hand from
    the data. pandas' tables pass unchanged (their ``<style>`` included);
    scripts, event handlers, frames and ``javascript:`` links do not.
    """
    import nh3

    return nh3.clean(
        fragment,
        tags=OUTPUT_TAGS,
        attributes=OUTPUT_ATTRIBUTES,
        clean_content_tags={"script"},
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align", "vertical-align"},
        link_rel=None,
        strip_comments=True,
    )


def safe_url(url: str) -> bool:
    """True for an absolute http(s) URL, the only kind the site publishes as a link."""
    from urllib.parse import urlsplit

    text = (url or "").strip()
    if not text or any(ord(c) < 33 for c in text):
        return False
    parts = urlsplit(text)
    return parts.scheme.lower() in URL_SCHEMES and bool(parts.netloc)


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


def _no_prose(text: str) -> str:
    return text


class _ProseFilter:
    """The ``sco_prose`` filter of a cached exporter: calls the prose of the page being rendered."""

    def __init__(self) -> None:
        self.prose = _no_prose

    def __call__(self, text: str) -> str:
        return self.prose(text)


class _CachedCleanHtml:
    """nbconvert's ``clean_html`` filter (bleach), with its results kept in ``build/.cache/clean-html/``.

    nbconvert's templates pass every highlighted code cell through bleach,
    about a tenth of a second a cell; a chapter's code is the same in every
    run and page, so each result is stored under the hash of its input and
    of the versions of nbconvert and bleach, and read back the next time.
    The output is the filter's own output, byte for byte.
    """

    def __init__(self) -> None:
        from nbconvert.filters.strings import clean_html as nbconvert_clean_html

        self._clean = nbconvert_clean_html
        self._memo: dict[str, str] = {}
        self._salt = ""

    def _folder(self):
        from ..core import paths

        if getattr(_WARMING, "on", False):  # a warm-up export (prewarm) leaves no trace on disk
            return None
        try:
            return paths.build_dir() / ".cache" / "clean-html"
        except Exception:  # noqa: BLE001 - no repository: no disk cache, same output
            return None

    def __call__(self, element) -> str:
        import hashlib

        text = element.decode() if isinstance(element, bytes) else str(element)
        if not self._salt:
            import bleach
            import nbconvert

            self._salt = f"nbconvert {nbconvert.__version__}; bleach {bleach.__version__}\n"
        key = hashlib.sha256((self._salt + text).encode()).hexdigest()
        if key in self._memo:
            return self._memo[key]
        folder = self._folder()
        target = folder / key[:2] / f"{key}.html" if folder is not None else None
        out = None
        if target is not None:
            try:
                out = target.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                out = None
        if out is None:
            out = self._clean(element)
            if target is not None:
                import uuid

                tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    tmp.write_text(out, encoding="utf-8")
                    tmp.replace(target)
                except OSError:
                    pass  # a cache that cannot be written is only slower
                finally:
                    try:
                        tmp.unlink(missing_ok=True)
                    except OSError:
                        pass
        self._memo[key] = out
        return out


#: Exporters by (kind, options), per thread: building one loads and compiles its Jinja
#: templates, about a tenth of a second a page, so a thread (the site build's) makes each
#: kind once. Per thread because an export registers filters on its exporter as it goes
#: (runs may export pages from several threads of one Dask worker).
_EXPORTERS = threading.local()


def _exporter(kind: str, prose=None, **kw):
    """The nbconvert exporter for ``kind`` (``html`` or ``slides``), made once per process and options.

    ``prose`` is applied to every rendered Markdown fragment of the next
    export (the ``sco_prose`` filter); ``None`` leaves the text as it is.
    Each thread has its own exporters.
    """
    key = (kind, tuple(sorted(kw.items())))
    if not hasattr(_EXPORTERS, "cache"):
        _EXPORTERS.cache = {}
    cached = _EXPORTERS.cache.get(key)
    if cached is None and not getattr(_WARMING, "on", False):
        with _WARM_LOCK:  # one made ready by a finished warm-up thread (prewarm), adopted by this thread
            ready = _WARM.get(key)
            cached = ready.pop() if ready else None
        if cached is not None:
            _EXPORTERS.cache[key] = cached
    if cached is None:
        cls = _exporter_class(kind)
        name = "sco_html" if kind == "html" else "sco_slides"
        exporter = cls(template_name=name, extra_template_basedirs=[str(TEMPLATES)], **kw)
        exporter.register_filter("sco_clean_html", clean_html)
        exporter.register_filter("sco_clean_output_html", clean_output_html)
        exporter.register_filter("clean_html", _CachedCleanHtml())  # nbconvert's own, remembered
        # the site's prose links (glossary, source ids: helpers.course.Prose), after sanitising
        prose_filter = _ProseFilter()
        exporter.register_filter("sco_prose", prose_filter)
        cached = _EXPORTERS.cache[key] = (exporter, prose_filter)
    exporter, prose_filter = cached
    prose_filter.prose = prose if prose is not None else _no_prose
    return exporter


#: What nbconvert writes into an ``<img>`` that has no alternative text.
NO_ALT = "No description has been provided for this image"
#: A whole <script> or <style> element (left as it is), or the opening tag of an <img> or a <div>.
_TAG = re.compile(
    r"""<(script|style)\b.*?</\1\s*>|<(img|div)\b((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.DOTALL | re.IGNORECASE
)
_FOCUSABLE = {"jp-Cell-inputWrapper", "jp-OutputArea-output"}
#: One attribute of a tag: its name, and its value quoted or not (so a name inside a value is not one).
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")


def _accessible_tag(m: re.Match) -> str:
    if m.group(1):  # script or style: text, not tags
        return m.group(0)
    name, attrs = m.group(2), m.group(3)
    closing = "/" if attrs.rstrip().endswith("/") else ""
    body = attrs.rstrip()[:-1] if closing else attrs
    found = {a.group(1).lower(): a for a in _ATTR.finditer(body)}
    if name.lower() == "img":
        if "alt" in found:
            return m.group(0)
        return f'<{name}{body} alt="{NO_ALT}"{closing}>'
    cls = found.get("class")
    classes = set((cls.group(2) or "").strip("\"'").split()) if cls else set()
    if not classes & _FOCUSABLE:
        return m.group(0)
    old = found.get("tabindex")
    if old is not None:  # as nbconvert does: whatever it was, it becomes 0
        return f'<{name}{body[: old.start()]}tabindex="0"{body[old.end() :]}{closing}>'
    return f'<{name}{body} tabindex="0"{closing}>'


def accessible_html(page: str) -> str:
    """What nbconvert's HTML exporter adds to a page, without parsing it whole.

    nbconvert gives every ``<img>`` without alternative text the text
    :data:`NO_ALT`, and makes each cell's input and output focusable
    (``tabindex="0"`` on ``div.jp-Cell-inputWrapper`` and
    ``div.jp-OutputArea-output``) by parsing the finished page with
    BeautifulSoup and writing it out again, which takes half the time of
    exporting a chapter (0.3 s of 0.54 s for chapter 3's page). The same
    attributes are added here to the tags themselves; the contents of
    ``<script>`` and ``<style>`` are left as they are, as a parser leaves them.
    """
    return _TAG.sub(_accessible_tag, page)


@lru_cache(maxsize=2)
def _exporter_class(kind: str):
    """nbconvert's HTML or slides exporter, with :func:`accessible_html` instead of its BeautifulSoup pass.

    ``from_notebook_node`` is nbconvert's own (``HTMLExporter``, 7.x) up to the
    rendered template; only the final parse-and-rewrite is replaced.
    """
    from nbconvert import HTMLExporter, SlidesExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    base = HTMLExporter if kind == "html" else SlidesExporter

    class Exporter(base):
        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return accessible_html(page), resources

    Exporter.__name__ = Exporter.__qualname__ = f"Sco{base.__name__}"
    return Exporter


# --- the renderer made ready while a kernel runs (issue 22) ----------------------------

#: Exporters made by finished warm-up threads, by key, for the first thread that needs one.
_WARM: dict[tuple, list] = {}
_WARM_LOCK = threading.Lock()
#: Set in a warm-up thread: its clean-html results are not written to build/.cache.
_WARMING = threading.local()


def _warm_notebook():
    """A small notebook with what chapters have: headings, Markdown, code, a table, a figure, text."""
    import base64

    import nbformat

    png = base64.b64encode(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
        )
    ).decode()
    v4 = nbformat.v4
    nb = v4.new_notebook()
    params = v4.new_code_cell("year = 2025  # int: a year")
    params.metadata["tags"] = ["parameters"]
    injected = v4.new_code_cell("year = 2010")
    injected.metadata["tags"] = ["injected-parameters"]
    code = v4.new_code_cell(
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()  # a figure\nprint(f'{year}: {1 + 1}')",
        outputs=[
            v4.new_output("stream", name="stdout", text="2010: 2\n"),
            v4.new_output(
                "display_data",
                data={"text/html": "<table><tr><th>a</th></tr><tr><td>1</td></tr></table>", "text/plain": "t"},
            ),
            v4.new_output(
                "display_data",
                data={"image/png": png, "text/plain": "<Figure size 1x1 with 1 Axes>"},
                metadata={"sco_figure": {"name": "warm", "title": "Warm", "chapter": None, "source": "x"}},
            ),
            v4.new_output("display_data", data={"text/markdown": "Some **Markdown**, [a link](#x).", "text/plain": ""}),
        ],
        execution_count=2,
    )
    nb.cells = [
        v4.new_markdown_cell("# Warm-up\n\n## A section\n\nText with *emphasis*, `code`, a [link](https://x.org)."),
        params,
        injected,
        code,
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def prewarm(site_root: str | None = "../../site/") -> threading.Thread:
    """Make this process ready to render a page, in a thread, while something else runs.

    A run's process is idle while its kernel executes; the first page it
    renders pays about a second for importing nbconvert and its filters,
    compiling their regular expressions and the templates. This thread does
    that by rendering a small notebook (nothing is written: not to disk, not
    to ``build/.cache``), then leaves its exporter for the thread that renders
    the run's page (:func:`_exporter`). Join it before rendering: the page is
    the same whether or not it ran or finished; it only comes sooner.
    """

    def work() -> None:
        _WARMING.on = True
        try:
            notebook_html(_warm_notebook(), site_root=site_root)
        except Exception:  # noqa: BLE001 - a warm-up that fails leaves the real export to report
            return
        finally:
            _WARMING.on = False
        ready = getattr(_EXPORTERS, "cache", {})
        with _WARM_LOCK:
            for key, exporter in ready.items():
                _WARM.setdefault(key, []).append(exporter)
        _EXPORTERS.cache = {}

    thread = threading.Thread(target=work, name="sco-render-prewarm", daemon=True)
    thread.start()
    return thread


def notebook_html(
    nb,
    *,
    title: str | None = None,
    nav: str = "",
    footer: str = "",
    source_ids: set[str] | None = None,
    sources_href: str = "sources.html",
    site_root: str | None = None,
    prose=None,
    prompts: bool = True,
    figures_dir: Path | None = None,
    figures_href: str = "figures/",
) -> str:
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
    prose : callable, optional
        Applied to every rendered Markdown fragment, in page order, after
        sanitising (the site's glossary and source-id links,
        :class:`helpers.course.Prose`).
    prompts : bool
        False leaves out the ``In [n]:``/``Out[n]:`` prompts (the site's
        chapter pages); run pages keep them, as the runner's messages name
        cells by them.
    figures_dir, figures_href : Path, str
        Where the notebook's saved figures are (``<name>.png``, ``.svg``,
        ``.csv``) and the URL prefix they have from the page: each figure
        whose files are there gets links to them (see :func:`describe_figures`).
        Without ``figures_dir`` figures are numbered and captioned, not linked.
    """
    if site_root is not None and not nav:
        from . import site  # site imports this module

        nav = site.nav(site_root_prefix(site_root))
    nb = for_page(nb)  # a copy, without the cells meant for slides only
    if title is None:
        title = first_heading(nb) or "Notebook"
    nb.metadata["title"] = title
    escape_dollars(nb)
    describe_figures(nb, figures_dir=figures_dir, figures_href=figures_href)
    banner = parameters_banner(mark_parameter_cells(nb), derived=derived_help(nb))
    kw = {} if prompts else {"exclude_input_prompt": True, "exclude_output_prompt": True}
    key = _export_key(nb, kw, prose) if CACHE_PAGES else None
    body = _cached_export(key)
    if body is None:
        body, _ = _exporter("html", prose=prose, **kw).from_notebook_node(nb, resources={"sco_css": site_css()})
        _store_export(key, body)
    body = body.replace("<!--sco-banner-->", banner, 1)
    body = body.replace("<!--sco-toc-->", toc_html(headings(body)), 1)
    body = body.replace("<!--sco-nav-->", nav, 1).replace("<!--sco-footer-->", footer, 1)
    if source_ids:
        body = link_source_ids(body, source_ids, sources_href)
    head, sep, tail = body.rpartition("</body>")  # issue 19: long tables show their first rows
    body = head + LONG_TABLE_SCRIPT + sep + tail if sep else body + LONG_TABLE_SCRIPT
    return body


# --- exported pages remembered: the site rebuilds only the chapters that changed -------

#: Exported pages kept in ``build/.cache/pages/`` (the oldest beyond this number are removed).
PAGE_CACHE_SIZE = 40
#: Set by the site build (:func:`helpers.site.build`), whose pages are mostly the same from one
#: build to the next; a run's page is new each time, so runs do not pay for storing it.
CACHE_PAGES = False


@lru_cache(maxsize=1)
def _code_salt() -> str:
    """What an export depends on besides its notebook: this package's renderer and the converters' versions."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    for f in sorted([PACKAGE / "render.py", PACKAGE / "course.py", *TEMPLATES.rglob("*")]):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(f.relative_to(PACKAGE).as_posix().encode() + b"\0" + f.read_bytes())
    for dist in (
        "nbconvert",
        "jinja2",
        "pygments",
        "bleach",
        "beautifulsoup4",
        "nh3",
        "mistune",
        "tinycss2",
        "markupsafe",
    ):
        try:
            h.update(f"{dist} {version(dist)}\n".encode())
        except PackageNotFoundError:
            h.update(f"{dist} -\n".encode())
    return h.hexdigest()


def _export_key(nb, kw: dict, prose) -> str | None:
    """A key for nbconvert's export of this (prepared) notebook, or None when it cannot be cached.

    The export depends on the notebook as prepared, the exporter's options,
    the site's CSS, the prose links (a fresh :class:`helpers.course.Prose`:
    its terms, source ids and targets) and the code and versions in
    :func:`_code_salt`. A ``prose`` of any other kind is not cached.
    """
    import hashlib
    import json

    if prose is None:
        prose_key = "none"
    elif type(prose).__name__ == "Prose" and type(prose).__module__.endswith(".course") and not prose.used:
        prose_key = repr((prose.terms, sorted(prose.source_ids), prose.glossary_href, prose.sources_href))
    else:
        return None
    try:
        text = json.dumps(nb, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return None
    h = hashlib.sha256()
    for part in (_code_salt(), repr(sorted(kw.items())), site_css(), prose_key, text):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def _page_cache():
    from ..core import paths

    if getattr(_WARMING, "on", False):
        return None
    try:
        return paths.build_dir() / ".cache" / "pages"
    except Exception:  # noqa: BLE001 - no repository: no cache, same output
        return None


def _cached_export(key: str | None) -> str | None:
    folder = _page_cache() if key else None
    if folder is None:
        return None
    try:
        return (folder / f"{key}.html").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _store_export(key: str | None, body: str) -> None:
    import uuid

    folder = _page_cache() if key else None
    if folder is None:
        return
    tmp = folder / f".{key}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(folder / f"{key}.html")
        pages = sorted(folder.glob("*.html"), key=lambda f: f.stat().st_mtime_ns)
        for old in pages[:-PAGE_CACHE_SIZE]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written is only slower
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def site_root_prefix(site_root: str) -> str:
    """``site_root`` as a prefix for page names: "" for the root itself, else ending in "/"."""
    root = site_root.strip()
    if root in ("", ".", "./"):
        return ""
    return root if root.endswith("/") else root + "/"


# --- the parameters a run used ------------------------------------------------------

INJECTED = "injected-parameters"
#: Names the banner leaves out: internal settings, not a reader's choices.
_INTERNAL = ("_", "sco_")


def literal_assignments(source: str) -> dict[str, object]:
    """``name = <literal>`` lines of a parameters cell, as values (what papermill writes).

    A value that is not a literal is kept as its source text; a cell that
    does not parse gives an empty mapping (the page then shows no banner).
    """
    import ast

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return {}
    out: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) != 1 or not isinstance(targets[0], ast.Name) or node.value is None:
                continue
            try:
                out[targets[0].id] = ast.literal_eval(node.value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                out[targets[0].id] = _Unevaluated(ast.get_source_segment(source, node.value) or "?")
    return out


class _Unevaluated(str):
    """Source text of a value that is not a plain literal."""


#: The default of a parameter the notebook's own cell does not set.
NO_DEFAULT = _Unevaluated("not set in the notebook")


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _parameters_cell(nb):
    """The notebook's cell tagged ``parameters`` (the defaults), or None."""
    return next((c for c in nb.cells if c.cell_type == "code" and "parameters" in _tags(c)), None)


def mark_parameter_cells(nb) -> dict[str, tuple[object, object]]:
    """Tag the defaults cell of a papermill run (in place); return what the run changed.

    Returns {name: (value used, default)} for every injected parameter that
    differs from the notebook's own ``parameters`` cell (internal names, those
    starting with ``_`` or ``sco_``, left out). Empty for a notebook without
    an injected cell, and for a run at the defaults.
    """
    defaults_cell = _parameters_cell(nb)
    injected = [c for c in nb.cells if c.cell_type == "code" and INJECTED in _tags(c)]
    if not injected:
        return {}
    if defaults_cell is not None:
        defaults_cell.metadata["tags"] = [*_tags(defaults_cell), "sco-overridden"]
    defaults = literal_assignments(defaults_cell.source) if defaults_cell is not None else {}
    used: dict[str, object] = {}
    for cell in injected:
        used.update(literal_assignments(cell.source))
    return {
        name: (value, defaults.get(name, NO_DEFAULT))
        for name, value in used.items()
        if not name.startswith(_INTERNAL) and (name not in defaults or defaults[name] != value)
    }


def show_value(value: object) -> str:
    """A parameter value as a reader writes it: lists joined by commas, strings bare."""
    if isinstance(value, _Unevaluated):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        items = sorted(value, key=str) if isinstance(value, set) else value
        return ", ".join(show_value(v) for v in items) if items else "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {show_value(v)}" for k, v in value.items()) or "(none)"
    if value is None:
        return "None"
    return str(value)


def derived_help(nb) -> dict[str, str]:
    """For a papermill run of a chapter: what a ``None`` default means, by parameter name.

    A default of ``None`` is worked out from the other parameters
    (:class:`helpers.parameters.Param` ``derive``); the banner says so
    rather than printing a bare "None". The chapter is known from papermill's
    metadata or, once that is cleaned away, as the one chapter declaring
    exactly the names of the notebook's parameters cell. Empty when unknown.
    """
    from ..core import parameters

    source = str(nb.metadata.get("papermill", {}).get("input_path") or "")
    spec = parameters.SPECS.get(parameters.notebook_name(source)) if source else None
    if spec is None:
        cell = _parameters_cell(nb)
        names = set(literal_assignments(cell.source)) if cell is not None else set()
        matches = [sp for sp in parameters.SPECS.values() if names and set(sp.by_name()) == names]
        spec = matches[0] if len(matches) == 1 else None
    if spec is None:
        return {}
    return {
        p.name: p.derive_help or "worked out from the other parameters"
        for p in spec.params
        if getattr(p, "derive", None) is not None
    }


def parameters_banner(
    changed: dict[str, tuple[object, object]], limit: int = 400, derived: dict[str, str] | None = None
) -> str:
    """A banner naming each parameter that differs from the defaults ("" when none does).

    ``derived`` says, for a parameter whose default is ``None``, how that
    default is worked out (see :func:`derived_help`).
    """
    if not changed:
        return ""
    derived = derived or {}

    def short(text: str) -> str:
        return text if len(text) <= limit else text[: limit - 1] + "\u2026"

    items = []
    for name, (value, default) in changed.items():
        if default is None and name in derived:
            was = f" (default: {short(derived[name])})"
        else:
            was = f" (default: {short(show_value(default))})"
        items.append(
            f"<li><code>{html.escape(name)}</code>: {html.escape(short(show_value(value)))}{html.escape(was)}</li>"
        )
    return (
        '<div class="sco-banner" role="note"><p><strong>This run does not use the chapter\'s default '
        "parameters.</strong> What differs from the defaults:</p>\n<ul>" + "".join(items) + "</ul>"
        "<p>Headings, tables and figures below describe this run; the values are in the cell "
        "&ldquo;Parameters used in this run&rdquo;.</p></div>"
    )


# --- headings, figures, dollars ------------------------------------------------------


def markdown_texts(cell) -> list[str]:
    """The Markdown a cell shows: its source (markdown cell) or its Markdown outputs (code cell)."""
    if cell.cell_type == "markdown":
        return [cell.source]
    texts = []
    for out in cell.get("outputs", []):
        text = out.get("data", {}).get("text/markdown")
        if text:
            texts.append(text if isinstance(text, str) else "".join(text))
    return texts


def chapter_name(nb) -> str | None:
    """The chapter a notebook is (``"03_trade"``): from its figures, papermill's metadata or its parameters."""
    from ..core import figmeta, parameters

    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get(figmeta.META_KEY)
            if isinstance(meta, dict) and meta.get("chapter"):
                return str(meta["chapter"])
    source = str(nb.metadata.get("papermill", {}).get("input_path") or "")
    if source:
        name = parameters.notebook_name(source)
        if name in parameters.SPECS:
            return name
    cell = _parameters_cell(nb)
    names = set(literal_assignments(cell.source)) if cell is not None else set()
    matches = [n for n, sp in parameters.SPECS.items() if names and set(sp.by_name()) == names]
    return matches[0] if len(matches) == 1 else None


def describe_figures(nb, *, figures_dir: Path | None = None, figures_href: str = "figures/") -> list[str]:
    """Number, caption and describe every figure (PNG output) of a notebook, in place.

    Each PNG output gets, in its metadata: ``sco_alt`` (alt text: "Figure 3.6:
    title. Source line", or the section it is in when the figure carries no
    name), ``sco_figure_open``/``sco_figure_close`` (escaped HTML the page
    template puts around the image: a ``<figure>`` with an id such as
    ``figure-3-6``, a caption "Figure 3.6. Title", and, for a figure whose
    files are in ``figures_dir``, the image linked to its full-size PNG, links
    to its PNG, SVG and data CSV under ``figures_href`` and a line to cite
    it). Figures are numbered in page order, per chapter (see
    :func:`chapter_name`); the name and title come from the output's
    ``sco_figure`` metadata (:mod:`helpers.figmeta`), or, for an older
    output, from the literal names in the cell's ``save_figure`` calls when
    their number matches the cell's images.

    Returns the names of the figures linked, in order.
    """
    from ..core import figmeta

    E = html.escape
    chapter = first_heading(nb) or "the notebook"
    number = figmeta.chapter_number(chapter_name(nb))
    section = None
    count = 0
    linked: list[str] = []
    for cell in nb.cells:
        for text in markdown_texts(cell):
            for line in text.splitlines():
                if line.startswith(("## ", "### ")):
                    section = line.lstrip("#").strip()
        images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        if not images:
            continue
        literal = figmeta.literal_names(cell.source) if cell.cell_type == "code" else []
        for k, out in enumerate(images):
            count += 1
            label = f"Figure {number}.{count}" if number else f"Figure {count}"
            ident = "figure-" + (f"{number}-{count}" if number else str(count))
            meta = out.setdefault("metadata", {})
            info = meta.get(figmeta.META_KEY)
            info = dict(info) if isinstance(info, dict) else {}
            if not info.get("name") and len(literal) == len(images):
                info["name"] = literal[k]
            name = str(info.get("name") or "")
            title = " ".join(str(info.get("title") or "").split()) or section or chapter
            source = " ".join(str(info.get("source") or "").split())
            if source:
                meta["sco_alt"] = f"{label}: {title}. {source}"
            else:
                where = f"section “{section}” of " if section else ""
                meta["sco_alt"] = f"{label} in {where}{chapter}"
            files = {}
            if name and figures_dir is not None:
                files = {
                    ext: f"{figures_href}{name}.{ext}"
                    for ext in ("png", "svg", "csv")
                    if (Path(figures_dir) / f"{name}.{ext}").is_file()
                }
            opening = f'<figure class="sco-figure" id="{E(ident)}">'
            closing = ""
            if "png" in files:
                opening += f'<a class="sco-enlarge" href="{E(files["png"])}" title="Open the full-size image">'
                closing += "</a>"
            closing += (
                f'<figcaption class="sco-figcaption"><a class="sco-fignum" href="#{E(ident)}">{E(label)}.</a> '
                f"{E(title)}</figcaption>"
            )
            if files:
                words = {"png": "PNG", "svg": "SVG", "csv": "Data behind the chart (CSV)"}
                links = " &middot; ".join(
                    f'<a href="{E(href)}"{" download" if ext == "csv" else ""}>{words[ext]}</a>'
                    for ext, href in files.items()
                )
                closing += f'<p class="sco-figlinks">{links}</p>'
                linked.append(name)
            cite = (
                f"{E(figmeta.PROJECT)}, “{E(title)}”, {E(label)} in “{E(chapter)}”"
                + (f" (figure <code>{E(name)}</code>)" if name else "")
                + f', licence <a href="{E(figmeta.LICENCE_URL)}">{E(figmeta.LICENCE)}</a>'
                + ("; the sources of every row drawn are in its CSV." if "csv" in files else ".")
            )
            closing += f'<p class="sco-figcite">Cite this figure: {cite}</p></figure>'
            meta["sco_figure_open"] = opening
            meta["sco_figure_close"] = closing
    return linked


#: On a page, a table with ``data-sco-rows="N"`` (helpers.style.table) shows its first N
#: rows and a button to show them all; without JavaScript every row shows (issue 19).
LONG_TABLE_SCRIPT = """<script>
(function () {
  var tables = document.querySelectorAll("table[data-sco-rows]");
  Array.prototype.forEach.call(tables, function (table) {
    var keep = parseInt(table.getAttribute("data-sco-rows"), 10);
    var rows = table.tBodies.length ? table.tBodies[0].rows : [];
    if (!(keep > 0) || rows.length <= keep) { return; }
    var label = function (open) { return open ? "Show the first " + keep + " rows only" : "Show all " + rows.length + " rows"; };
    var set = function (open) {
      for (var i = keep; i < rows.length; i++) { rows[i].hidden = !open; }
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = label(open);
    };
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sco-show-rows";
    button.addEventListener("click", function () { set(button.getAttribute("aria-expanded") !== "true"); });
    var box = table.closest(".jp-OutputArea-output") || table;
    box.parentNode.insertBefore(button, box.nextSibling);
    set(false);
  });
})();
</script>
"""


def escape_dollars(nb) -> None:
    """Escape ``$`` in markdown cells (in place): here it is a currency sign, never math.

    The notebooks use no LaTeX; without this, text between two dollar amounts
    ("$90 billion ... $41 billion") would be taken for inline math and its
    markdown left unrendered.
    """
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"(?<!\\)\$", r"\\$", cell.source)
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/markdown" in data:
                text = data["text/markdown"]
                text = text if isinstance(text, str) else "".join(text)
                data["text/markdown"] = re.sub(r"(?<!\\)\$", r"\\$", text)


def first_heading(nb) -> str | None:
    """The text of the notebook's first ``# `` heading (in a markdown cell or a Markdown output)."""
    for cell in nb.cells:
        for text in markdown_texts(cell):
            for line in text.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


def slide_types(nb) -> None:
    """Mark the cells of ``nb`` (in place) for reveal.js.

    A ``#``/``##`` heading starts a slide, a ``###`` heading a sub-slide (in
    a markdown cell, or at the start of a code cell's Markdown output), and a
    code cell that draws a figure gets a sub-slide of its own so the figure
    is shown large; everything else continues the current slide. Code is
    hidden (the slides are for showing results), except the parameters the
    run used: the injected cell of a papermill run, else the parameters cell.
    """
    injected = any(INJECTED in _tags(c) for c in nb.cells)
    shown = INJECTED if injected else "parameters"
    for i, cell in enumerate(nb.cells):
        kind = "-"
        texts = markdown_texts(cell)
        first = texts[0].lstrip().split("\n", 1)[0] if texts else ""
        if first.startswith(("# ", "## ")) or (i == 0 and cell.cell_type == "markdown"):
            kind = "slide"
        elif first.startswith("### "):
            kind = "subslide"
        if cell.cell_type == "code":
            if kind == "-" and any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
                kind = "subslide"
            if shown not in _tags(cell):
                cell.metadata["tags"] = [*_tags(cell), "sco-hide-input"]
        cell.metadata.setdefault("slideshow", {})["slide_type"] = kind


def notebook_slides(nb, *, reveal_prefix: str, back: str | None = None) -> str:
    """One executed notebook as reveal.js slides loading reveal.js from ``reveal_prefix``."""
    nb = for_slides(nb)  # a copy, without the cells meant for the page only
    nb.metadata["title"] = first_heading(nb) or "Slides"
    escape_dollars(nb)
    describe_figures(nb)
    slide_types(nb)
    exporter = _exporter("slides", reveal_url_prefix=reveal_prefix, reveal_theme="white")
    body, _ = exporter.from_notebook_node(nb, resources={"sco_back": back})
    return body


# --- one notebook, two media: the page and the slides (issue 19) ------------------------

#: A cell tagged so is left off the slides (:func:`for_slides`): a figure too tall for a
#: 1280×720 slide whose slide form is another cell (chapter 5's speaker-by-topic matrix).
PAGE_ONLY = "page-only"
#: A cell tagged so is left off the pages (:func:`for_page`: chapter and run pages) and shown
#: on the slides, tables included.
SLIDES_ONLY = "slides-only"
#: A cell tagged so stays on the page and the slides show its tables too (the slides show
#: a cell's figures and prose, not its tables, unless the cell carries this tag or ``slides-only``).
SLIDES_TOO = "slides-too"
#: Output metadata key of a figure's number on the page, kept for the slides (:func:`for_slides`).
PAGE_FIGURE_KEY = "sco_page_figure"


def for_page(nb):
    """A copy of ``nb`` without its ``slides-only`` cells: what a page shows."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if SLIDES_ONLY not in _tags(c)]
    return nb


def for_slides(nb):
    """A copy of ``nb`` for slides: its ``page-only`` cells left out, figures keeping their page numbers.

    Every figure (PNG output) of the page's cells gets its number on the page,
    in page order, in its output metadata (:data:`PAGE_FIGURE_KEY`), so
    "Figure 5.2" on a slide is Figure 5.2 on the page even when a figure
    before it is left off the slides. A ``slides-only`` cell's figures have
    no page number.
    """
    nb = copy.deepcopy(nb)
    count = 0
    for cell in nb.cells:
        on_page = SLIDES_ONLY not in _tags(cell)
        for out in cell.get("outputs", []):
            if on_page and "image/png" in out.get("data", {}):
                count += 1
                out.setdefault("metadata", {})[PAGE_FIGURE_KEY] = count
    nb.cells = [c for c in nb.cells if PAGE_ONLY not in _tags(c)]
    return nb


def slide_tables(cell) -> list[str]:
    """The HTML tables of a cell the slides show tables of (tagged ``slides-only`` or ``slides-too``), sanitised."""
    tags = _tags(cell)
    if SLIDES_ONLY not in tags and SLIDES_TOO not in tags:
        return []
    found = []
    for out in cell.get("outputs", []):
        text = out.get("data", {}).get("text/html")
        if text is None:
            continue
        text = text if isinstance(text, str) else "".join(text)
        if "<table" in text:
            found.append(clean_output_html(text))
    return found


#: A figure taller than this (height / width) is shown on slides in bands (:func:`figure_bands`).
TALL_FIGURE = 1.1
#: A band is at most this tall (times the figure's width): at 0.62 a band of a 1,500 px
#: figure fills a 1280×720 slide's figure box (about 1,200 × 600 px) at 0.8 of its size,
#: so 11 pt text reads at about 18 px, against 6 to 9 px for the whole figure fitted to the slide.
BAND_MAX = 0.62
#: ... and at least this tall, so that a title or a source line is not a slide of its own.
BAND_MIN = 0.2
#: Rows of white at least this tall (pixels of the PNG, 150 dpi) separate two panels; the first
#: that gives bands wins. 40 px keeps a panel with the legend under it (about 30 px below its axis
#: in chapter 4's capacity chart); 24 px separates rows of a grid of panels set closer (chapter
#: 5's stances by region, 33 px).
BAND_GAPS = (40, 24)


def figure_bands(png_b64: str) -> list[str]:
    """A tall figure (PNG, base64) cut into bands a slide can show large; ``[png_b64]`` for one that fits.

    Multi-panel figures stacked in one column (chapter 3's targets, chapter
    4's capacity and deliveries) are 1.2 to 2.5 times as tall as wide: fitted
    to a 16:9 slide they shrink to a third of its width and their text to
    6–9 px. Cut between panels, along runs of white rows at least
    :data:`BAND_GAPS` px tall, into bands no taller than :data:`BAND_MAX`
    widths where the gaps allow (a band is never cut inside a panel: with no
    gap low enough it runs to the next one), each at least :data:`BAND_MIN`
    widths tall. The figure's title stays with the first band, its source
    line with the last. The bands, stacked, are the figure (no row lost).
    """
    import base64
    import io

    import numpy as np
    from PIL import Image

    try:
        with Image.open(io.BytesIO(base64.b64decode(png_b64))) as im:
            width, height = im.size
            if height <= TALL_FIGURE * width:
                return [png_b64]
            rgba = im.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):  # not a PNG we can read: shown as it is
        return [png_b64]
    pixels = np.asarray(rgba.convert("L"), dtype=np.uint8)
    alpha = np.asarray(rgba.getchannel("A"), dtype=np.uint8)
    blank = ((pixels >= 250) | (alpha == 0)).all(axis=1)
    runs: list[tuple[int, int]] = []  # (first row, number of rows) of each run of white rows inside the figure
    start = None
    for y, b in enumerate([*blank, False]):
        if b and start is None:
            start = y
        elif not b and start is not None:
            if start > 0 and y < height:
                runs.append((start, y - start))
            start = None
    lo, hi = BAND_MIN * width, BAND_MAX * width
    chosen: list[int] = []
    for gap in BAND_GAPS:
        cuts = [a + n // 2 for a, n in runs if n >= gap]  # the middle of each run tall enough
        chosen, top = [], 0
        while height - top > hi:
            fits = [c for c in cuts if lo <= c - top <= hi]
            later = [c for c in cuts if c - top > hi]
            nxt = fits[-1] if fits else (later[0] if later else None)
            if nxt is None or height - nxt < lo:
                break
            chosen.append(nxt)
            top = nxt
        if chosen:
            break
    if not chosen:
        return [png_b64]
    bands = []
    for a, b in zip([0, *chosen], [*chosen, height]):
        buf = io.BytesIO()
        rgba.crop((0, a, width, b)).save(buf, format="PNG", optimize=False)
        bands.append(base64.b64encode(buf.getvalue()).decode("ascii"))
    return bands


#: Style and script the slides add to reveal.js (``static/slides.css``, ``static/slides.js``):
#: tables on slides, figure bands, and a figure enlarged in place on a click.
def slides_css() -> str:
    return (STATIC / "slides.css").read_text(encoding="utf-8")


def slides_js() -> str:
    return (STATIC / "slides.js").read_text(encoding="utf-8")
