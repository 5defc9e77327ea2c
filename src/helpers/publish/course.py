"""What turns the site into a course: glossary, search, slides for a room, citation, page dates.

Used by :mod:`helpers.site`:

* :func:`glossary` reads ``static/glossary.yaml``; :class:`Prose` links the
  first use of each glossary term in a chapter to the glossary page, turns
  source ids written as ``inline code`` into links to the sources page, and
  glosses "seed"/"seed 004" (the chapters' label for the five starting
  documents) on first use;
* :func:`search_documents` cuts the rendered pages into sections for the
  offline search (MiniSearch, vendored in ``static/minisearch``; the index
  ships as ``search-index.js`` assigning a global, so nothing is fetched and
  it works from ``file://``);
* :func:`deck` builds reveal.js slides for a projector: every figure on a
  horizontal slide of its own, titled by its section, with one or two
  sentences of "what to see" and the rest of the text in speaker notes, and a
  discussion slide from the chapter's questions;
* :func:`citation` reads ``CITATION.cff`` (the repository URL, licences) and
  :func:`last_updated` dates a page from git.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..core import paths
from . import render

E = html.escape


# --- glossary -------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    patterns: tuple[re.Pattern, ...]
    definition: str
    sources: tuple[str, ...] = ()
    note: str = ""


GLOSSARY_FILE = render.STATIC / "glossary.yaml"


def glossary(path: Path | None = None) -> list[Term]:
    """The glossary entries, checked: ids unique and well-formed, patterns valid."""
    import yaml

    path = path or GLOSSARY_FILE
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    out, seen = [], set()
    for i, e in enumerate(entries, 1):
        ident = str(e.get("id", ""))
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", ident) or ident in seen:
            raise ValueError(f"{path.name}: entry {i} has a missing, malformed or repeated id {ident!r}")
        seen.add(ident)
        for key in ("term", "definition", "match"):
            if not e.get(key):
                raise ValueError(f"{path.name}: entry {ident!r} has no {key!r}")
        try:
            patterns = tuple(re.compile(p) for p in e["match"])
        except re.error as exc:
            raise ValueError(f"{path.name}: entry {ident!r} has an invalid pattern: {exc}") from None
        out.append(
            Term(
                ident,
                str(e["term"]),
                patterns,
                " ".join(str(e["definition"]).split()),
                tuple(e.get("sources") or ()),
                str(e.get("note") or ""),
            )
        )
    return out


_SKIP = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "summary", "script", "style", "th"}
_TOKEN = re.compile(r"(<[^>]*>)")
_TAGNAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")


@dataclass
class Prose:
    """Links in a chapter's prose, first use only (one instance per page).

    Call it on each rendered Markdown fragment in page order: the first
    match of each glossary term outside links, code and headings becomes a
    link to ``glossary_href#id`` (with the definition as its title);
    ``<code>id</code>`` holding a known source id becomes a link to
    ``sources_href#id``.
    """

    terms: list[Term]
    source_ids: set[str]
    glossary_href: str = "glossary.html"
    sources_href: str = "sources.html"
    used: set[str] = field(default_factory=set)

    def __call__(self, fragment: str) -> str:
        tokens = _TOKEN.split(fragment)
        out: list[str] = []
        stack: list[str] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.startswith("<"):
                m = _TAGNAME.match(tok)
                if m:
                    closing, name = m.group(1) == "/", m.group(2).lower()
                    if (
                        name == "code"
                        and not closing
                        and "a" not in stack
                        and i + 2 < len(tokens)
                        and tokens[i + 2].lower() == "</code>"
                        and tokens[i + 1] in self.source_ids
                    ):
                        sid = tokens[i + 1]
                        out.append(
                            f'<a class="sco-source-link" href="{E(self.sources_href)}#{E(sid)}">{tok}{sid}</code></a>'
                        )
                        i += 3
                        continue
                    if name in _SKIP:
                        if closing:
                            if name in stack:
                                while stack and stack.pop() != name:
                                    pass
                        elif not tok.endswith("/>"):
                            stack.append(name)
                out.append(tok)
            elif tok and not stack:
                out.append(self._text(tok))
            else:
                out.append(tok)
            i += 1
        return "".join(out)

    def _text(self, text: str) -> str:
        out = []
        while True:
            best = None
            for t in self.terms:
                if t.id in self.used:
                    continue
                for p in t.patterns:
                    m = p.search(text)
                    if m and (best is None or m.start() < best[1].start()):
                        best = (t, m)
            if best is None:
                out.append(text)
                return "".join(out)
            t, m = best
            self.used.add(t.id)
            out.append(text[: m.start()])
            title = E(f"{t.term}: {t.definition}")
            out.append(f'<a class="sco-gloss" href="{E(self.glossary_href)}#{t.id}" title="{title}">{m.group(0)}</a>')
            if t.note:
                plural = m.group(0).lower().startswith("seeds")
                out.append(f' <span class="sco-gloss-note">({E(t.note)}{"s" if plural else ""})</span>')
            text = text[m.end() :]


def glossary_page_body(terms: list[Term], sources: dict[str, dict[str, str]]) -> str:
    items = []
    for t in sorted(terms, key=lambda t: t.term.lower()):
        cites = ""
        if t.sources:
            refs = []
            for s in t.sources:
                row = sources.get(s)
                label = f"{row['author']}, {row['date']}" if row else s
                refs.append(f'<a href="sources.html#{E(s)}">{E(label)}</a>')
            cites = f' <span class="sco-muted">Source: {"; ".join(refs)}.</span>'
        items.append(f'<dt id="{t.id}">{E(t.term)}</dt><dd>{E(t.definition)}{cites}</dd>')
    return f"""<h1>Glossary</h1>
<p class="sco-lead">Terms the chapters use. In each chapter the first use of a term links here.
Definitions are the project's wording; where one states a fact it cites its source.</p>
<dl class="sco-glossary">
{"".join(items)}
</dl>"""


# --- search ---------------------------------------------------------------------------

_HEAD = re.compile(r'<h([1-3]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_DROP = re.compile(r"<(style|script)\b.*?</\1>|<details class=\"sco-code.*?</details>|<nav\b.*?</nav>", re.S)


def _plain(fragment: str) -> str:
    text = _DROP.sub(" ", fragment)
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text).replace("\u00b6", " ")
    return " ".join(text.split())


def page_sections(page: str, url: str, page_title: str, kind: str, limit: int = 6000) -> list[dict]:
    """A rendered page cut at its h1-h3 headings: one search document per section."""
    body = page.split("<main", 1)[-1]
    body = body.split('<div class="sco-footer"', 1)[0].split('<div class="sco-pagefoot"', 1)[0]
    heads = list(_HEAD.finditer(body))
    docs = []
    starts = [(0, "", page_title)] + [(m.start(), m.group(2), _plain(m.group(3))) for m in heads]
    for k, (start, anchor, title) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(body)
        text = _plain(body[start:end])
        if len(text) < 3:
            continue
        docs.append(
            {
                "id": f"{url}#{anchor}" if anchor else url,
                "url": url + (f"#{anchor}" if anchor else ""),
                "title": title if anchor else page_title,
                "page": page_title,
                "kind": kind,
                "text": text[:limit],
            }
        )
    return docs


def search_script(docs: list[dict]) -> str:
    """``search-index.js``: the documents as a global (MiniSearch indexes them on first use)."""
    payload = json.dumps(docs, ensure_ascii=True, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")
    return (
        "/* Search documents for the site's search box (helpers.course). Generated. */\n"
        f"window.SCO_SEARCH_DOCS = {payload};\n"
    )


# --- slides for a room ---------------------------------------------------------------

_SENT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9\"“(*_`])")


def sentences(text: str) -> list[str]:
    """Split prose into sentences (good enough for a slide: not every abbreviation is known)."""
    text = " ".join(text.split())
    text = re.sub(r"\b(e\.g|i\.e|cf|vs|No|Art|approx|est|U\.S|St)\. ", lambda m: m.group(1) + ".\u00a0", text)
    parts = [p.strip() for p in _SENT.split(text) if p.strip()]
    return [p.replace("\u00a0", " ") for p in parts]


def _md(text: str) -> str:
    from nbconvert.filters import markdown2html

    return render.clean_html(markdown2html(re.sub(r"(?<!\\)\$", r"\\$", text)))


@dataclass
class _Slide:
    title: str
    body: str = ""
    notes: str = ""
    image: str = ""
    alt: str = ""
    kind: str = "text"
    caption: str = ""  # the figure's own title (output metadata, helpers.figmeta), if it has one
    html: str = ""  # a table slide's table (a cell tagged slides-only or slides-too), sanitised
    part: int = 0  # a tall figure's band (render.figure_bands): 1, 2, ...; 0 for a whole figure


def _paragraphs(md: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", md) if p.strip()]


def _is_prose(par: str) -> bool:
    return not par.lstrip().startswith(("#", "|", "```", "<", "- ", "* ", "1. ", ">"))


def _list_items(par: str) -> list[str]:
    """The items of a Markdown list paragraph ([] if it is not a list)."""
    if not re.match(r"\s*(?:[-*]|\d+\.)\s", par):
        return []
    items = re.split(r"\n(?=\s*(?:[-*]|\d+\.)\s)", par)
    return [" ".join(re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", i).split()) for i in items if i.strip()]


def _split(par: str, keep: int = 2, limit: int = 230) -> tuple[str, str]:
    """First one or two sentences (at most ``limit`` characters) and the rest."""
    ss = sentences(par)
    if not ss:
        return "", ""
    shown = [ss[0]]
    if len(ss) > 1 and keep > 1 and len(ss[0]) + len(ss[1]) <= limit:
        shown.append(ss[1])
    if len(ss[0]) > limit:  # one long sentence: without its long brackets, or its first clauses
        bare = re.sub(r"\s*\([^()]{20,}\)", "", ss[0])
        if len(bare) <= limit:
            return bare, " ".join(ss)
        depth, cuts = 0, [-1]
        for k, ch in enumerate(ss[0][:limit]):
            depth += (ch == "(") - (ch == ")")
            if depth == 0 and ch in ";,:" and ss[0][k + 1 : k + 2] == " ":
                cuts.append(k)  # a clause boundary outside brackets
        cut = cuts[-1]
        head = ss[0][:cut] if cut >= 40 else ss[0][:limit].rsplit(" ", 1)[0]
        return head.rstrip(",;: ") + " …", " ".join(ss)
    return " ".join(shown), " ".join(ss[len(shown) :])


def deck_slides(nb) -> list[_Slide]:
    """The chapter as slides: title, one per section, one per figure, discussion.

    Cells tagged ``page-only`` are left out and the tables of cells tagged
    ``slides-only`` or ``slides-too`` get a slide each (:func:`helpers.render.for_slides`);
    a tall figure is shown in bands, one slide each (:func:`helpers.render.figure_bands`).
    """
    nb = render.for_slides(nb)
    slides: list[_Slide] = []
    section = ""
    section_slide: _Slide | None = None
    pending_fig: list[_Slide] = []  # figures still waiting for their "what to see"
    figure_count: dict[str, int] = {}
    in_seminar = False
    questions: list[str] = []
    before: list[str] = []  # prose of the current section before its next figure

    def prose_to(slide: _Slide | None, pars: list[str]) -> None:
        if slide is None or not pars:
            return
        text = " ".join(pars)
        if not slide.body:
            shown, rest = _split(text)
            slide.body = shown
            if rest:
                slide.notes += ("\n\n" if slide.notes else "") + rest
        else:
            slide.notes += ("\n\n" if slide.notes else "") + text

    from ..core import figmeta

    number = figmeta.chapter_number(render.chapter_name(nb))
    png_count = 0  # figures are numbered in page order, as on the chapter page ("Figure 3.6")
    for cell in nb.cells:
        items: list[tuple[str, str, str]] = []
        page_numbers: list[int | None] = []  # each figure's number on the page (render.for_slides)
        if cell.cell_type == "markdown":
            items = [("md", cell.source, "")]
        else:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "image/png" in data:
                    meta = out.get("metadata", {}).get(figmeta.META_KEY)
                    title = " ".join(str(meta.get("title") or "").split()) if isinstance(meta, dict) else ""
                    items.append(("png", data["image/png"], title))
                    page_numbers.append(out.get("metadata", {}).get(render.PAGE_FIGURE_KEY))
                elif "text/markdown" in data:
                    t = data["text/markdown"]
                    items.append(("md", t if isinstance(t, str) else "".join(t), ""))
        for kind, value, caption in items:
            if kind == "png":
                page_number = page_numbers.pop(0)
                png_count = page_number if isinstance(page_number, int) else png_count + 1
                if in_seminar:
                    continue
                n = figure_count.get(section, 0) + 1
                figure_count[section] = n
                label = f"Figure {number}.{png_count}" if number else f"Figure {png_count}"
                # captioned as on the chapter page: the figure's own title, else its section
                bare = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", section)  # "2. Where he went" -> "Where he went"
                title = f"{label}. {caption or bare}" if (caption or bare) else label
                fig = _Slide(
                    title=title,
                    image=value.replace("\n", ""),
                    kind="figure",
                    caption=caption,
                    alt=f"{label}: {caption or section or 'figure'}",
                )
                fig.notes = " ".join(before)
                before = []
                slides.append(fig)
                pending_fig.append(fig)
                continue
            for par in _paragraphs(value):
                first = par.split("\n", 1)[0]
                if first.startswith(("# ", "## ", "### ")):
                    level = len(first) - len(first.lstrip("#"))
                    heading = first.lstrip("#").strip()
                    rest = par.split("\n", 1)[1] if "\n" in par else ""
                    if level <= 2:
                        pending_fig = []
                        before = []
                        in_seminar = heading.lower().startswith("for the seminar")
                        if level == 1:
                            section_slide = _Slide(title=heading, kind="title")
                        elif in_seminar:
                            section_slide = None
                            continue
                        else:
                            section, section_slide = heading, _Slide(title=heading, kind="section")
                        slides.append(section_slide) if section_slide else None
                    elif in_seminar:
                        collecting = heading.lower().startswith("questions")
                        section_slide = _Slide(title="_questions" if collecting else "_skip")
                    if rest.strip():
                        par = rest
                    else:
                        continue
                if in_seminar:
                    if section_slide is not None and section_slide.title == "_questions":
                        questions += [
                            re.sub(r"^\s*(?:\d+\.|[-*])\s+", "", q).strip()
                            for q in re.split(r"\n(?=\s*(?:\d+\.|[-*])\s)", par)
                            if re.match(r"\s*(?:\d+\.|[-*])\s", q)
                        ]
                    continue
                if not _is_prose(par):
                    items = _list_items(par)
                    last = next((x for x in reversed(slides) if x.kind == "figure"), None)
                    if (
                        items
                        and last is not None
                        and last.body.endswith(":")
                        and last.title.startswith(section or "Figure")
                    ):
                        # a lead-in ("the map shows 14 lines:") needs its list: the first items on the slide
                        shown = "; ".join(items[:2])
                        last.body += " " + (shown if len(shown) <= 160 else shown[:157].rsplit(" ", 1)[0] + "…")
                        last.body += "; …" if len(items) > 2 else "."
                        last.notes += ("\n\n" if last.notes else "") + "\n".join(f"- {i}" for i in items)
                    continue
                if pending_fig:
                    # the paragraph after a run of figures goes with the first still without text
                    fig = pending_fig.pop(0)
                    shown, rest = _split(par)
                    fig.body = shown
                    fig.notes = " ".join(x for x in (fig.notes, rest) if x)
                    continue
                if section_slide is not None and not section_slide.body:
                    prose_to(section_slide, [par])
                else:
                    before.append(par)
                    if section_slide is not None:
                        section_slide.notes += ("\n\n" if section_slide.notes else "") + par
        for table in [] if in_seminar else render.slide_tables(cell):
            # a table shown on the slides (issue 19): captioned as on the page; the paragraph just before
            # it (how to read it) under it, the rest of the prose before it in the notes
            found = re.search(r"<caption>(.*?)</caption>", table, re.S)
            caption = _plain(found.group(1)) if found else ""
            shown, rest = _split(before[-1]) if before else ("", "")
            notes = "\n\n".join(x for x in [*before[:-1], rest] if x)
            slides.append(_Slide(title=caption or section, html=table, kind="table", body=shown, notes=notes))
            before = []
    for fig in slides:
        if fig.kind == "figure" and not fig.body and fig.notes:
            shown, rest = _split(fig.notes)
            fig.body, fig.notes = shown, rest
    # number figures that share a section title
    totals: dict[str, int] = {}
    for s in slides:
        if s.kind == "figure":
            totals[s.title] = totals.get(s.title, 0) + 1
    seen: dict[str, int] = {}
    for s in slides:
        if s.kind == "figure" and not s.caption and totals[s.title] > 1:
            seen[s.title] = seen.get(s.title, 0) + 1
            s.title = f"{s.title} ({seen[s.title]}/{totals[s.title]})"
    slides = [s for s in slides if s.kind != "section" or s.body or s.notes]
    slides = [band for s in slides for band in _in_bands(s)]
    for k in range(0, len(questions), 3):
        chunk = questions[k : k + 3]
        body, notes = [], []
        for q in chunk:
            shown, rest = _split(q, keep=1, limit=200)
            body.append(shown)
            if rest:
                notes.append(f"{shown} {rest}")
        part = f" ({k // 3 + 1}/{(len(questions) + 2) // 3})" if len(questions) > 3 else ""
        slides.append(
            _Slide(
                title=f"Discussion{part}",
                body="\n".join(f"- {b}" for b in body),
                notes="\n\n".join(notes),
                kind="discussion",
            )
        )
    return slides


SLIDES_CSS = """
.reveal { font-size: 30px; }
.reveal .slides { text-align: left; }
.reveal .slides section { height: 100%; box-sizing: border-box; padding: 0 10px; }
.reveal h1, .reveal h2 { text-transform: none; line-height: 1.15; margin: 0 0 0.4em; }
.reveal h1 { font-size: 1.9em; } .reveal h2 { font-size: 1.3em; }
.reveal p, .reveal li { font-size: 1em; line-height: 1.35; }
.reveal .sco-fig h2 { font-size: 1.05em; margin-bottom: 0.2em; }
.reveal .sco-fig .sco-fig-img { text-align: center; }
/* 720 px: the title (~50 px) and two lines of "what to see" (~80 px) leave ~540 px */
.reveal .sco-fig img { max-width: 100%; max-height: 530px; object-fit: contain; margin: 0 auto; display: block; }
.reveal .sco-fig p { font-size: 0.85em; margin: 0.3em 0 0; }
.reveal .sco-title p { font-size: 1.05em; }
.reveal code { font-size: 0.9em; }
.sco-slides-back { position: fixed; left: 12px; bottom: 10px; z-index: 40; font: 16px sans-serif; }
@media print { .sco-slides-back { display: none; } }
"""


def _in_bands(slide: _Slide) -> list[_Slide]:
    """A figure slide as one slide per band of a tall figure (:func:`helpers.render.figure_bands`).

    The first band keeps the slide's text and notes; the others are titled
    "(2/3)" and so on, with the figure's caption.
    """
    if slide.kind != "figure":
        return [slide]
    bands = render.figure_bands(slide.image)
    if len(bands) == 1:
        return [slide]
    out = []
    for k, band in enumerate(bands, start=1):
        head, sep, rest = slide.title.partition(". ")
        title = f"{head} ({k}/{len(bands)}){sep}{rest}"
        part = _Slide(title=title, image=band, kind="figure", caption=slide.caption, part=k)
        part.alt = f"{slide.alt} (part {k} of {len(bands)})"
        if k == 1:
            part.body, part.notes = slide.body, slide.notes
        out.append(part)
    return out


def deck(nb, *, reveal_prefix: str, back: str | None = None) -> str:
    """Slides for a room (reveal.js, offline): every slide horizontal, no code, no prompts."""
    title = render.first_heading(nb) or "Slides"
    sections = []
    for s in deck_slides(nb):
        notes = f'\n<aside class="notes">{_md(s.notes)}</aside>' if s.notes.strip() else ""
        if s.kind == "figure":
            part = " sco-fig-part" if s.part and not s.body else ""
            sections.append(f"""<section class="sco-fig{part}" data-sco-figure="1">
<h2>{E(s.title)}</h2>
<div class="sco-fig-img"><img src="data:image/png;base64,{s.image}" alt="{E(s.alt)}" title="Click to enlarge"></div>
{_md(s.body) if s.body else ""}{notes}
</section>""")
        elif s.kind == "table":
            sections.append(f"""<section class="sco-table">
<h2>{E(s.title)}</h2>
<div class="sco-table-box">{s.html}</div>
{_md(s.body) if s.body else ""}{notes}
</section>""")
        elif s.kind == "title":
            sections.append(f'<section class="sco-title"><h1>{E(s.title)}</h1>\n{_md(s.body)}{notes}\n</section>')
        else:
            sections.append(f"<section><h2>{E(s.title)}</h2>\n{_md(s.body)}{notes}\n</section>")
    back_link = f'<a class="sco-slides-back" href="{E(back)}">&larr; back to the chapter</a>' if back else ""
    prefix = E(reveal_prefix)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{E(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{prefix}/dist/reveal.css">
<link rel="stylesheet" href="{prefix}/dist/theme/white.css">
<style>{SLIDES_CSS}{render.slides_css()}</style>
</head>
<body>
<div class="reveal"><div class="slides">
{chr(10).join(sections)}
</div></div>
{back_link}
<script src="{prefix}/dist/reveal.js"></script>
<script src="{prefix}/plugin/notes/notes.js"></script>
<script>{render.slides_js()}</script>
<script>
Reveal.initialize({{
  controls: true, progress: true, hash: true, slideNumber: "c/t", transition: "none",
  width: 1280, height: 720, margin: 0.04, center: false,
  plugins: [RevealNotes]
}});
</script>
</body>
</html>
"""


# --- citation, dates ---------------------------------------------------------------------


def citation() -> dict:
    """``CITATION.cff`` of the repository (``paths.repo_root()``) as a mapping ({} if absent)."""
    path = paths.repo_root() / "CITATION.cff"
    if not path.exists():
        return {}
    return dict(_read_cff(str(path), path.stat().st_mtime_ns))


@lru_cache(maxsize=4)
def _read_cff(path: str, mtime: int) -> dict:
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def repository_url() -> str | None:
    """The public repository's URL from ``CITATION.cff`` (``repository-code``), if given and http(s)."""
    url = str(citation().get("repository-code") or "").strip().rstrip("/")
    return url if url and render.safe_url(url) else None


def last_updated(*files: Path) -> str:
    """The date (YYYY-MM-DD) of the last commit touching any of ``files``; else their latest mtime."""
    root = paths.repo_root()
    rels = [str(f.resolve().relative_to(root)) for f in files if f.exists() and f.resolve().is_relative_to(root)]
    if rels:
        try:
            out = subprocess.run(
                ["git", "log", "-1", "--format=%cs", "--", *rels],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            ).stdout.strip()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", out):
                return out
        except (OSError, subprocess.SubprocessError):
            pass
    times = [f.stat().st_mtime for f in files if f.exists()]
    if not times:
        return ""
    return dt.datetime.fromtimestamp(max(times), tz=dt.UTC).date().isoformat()


def data_as_of(pkg: dict, read_csv) -> str:
    """The latest date of a fact in the data (``date``-typed fields, sources' access dates left out)."""
    latest = ""
    for res in pkg["resources"]:
        if res["name"] == "sources":
            continue
        fields = [f["name"] for f in res["schema"]["fields"] if f.get("type") in ("date", "datetime")]
        if not fields:
            continue
        for row in read_csv(paths.data_dir() / res["path"]):
            for f in fields:
                v = (row.get(f) or "")[:10]
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) and v > latest:
                    latest = v
    return latest
