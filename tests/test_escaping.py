"""Hostile text in the data, the notebooks or the guide never runs in a page (issue 17).

A contributor pastes third-party text into the data (statements, titles,
claims as printed); a markdown cell or the teaching guide may hold raw HTML.
Here a scratch copy of the repository gets such text in every one of those
places, and the pages the project writes from it are parsed: no ``<script>``
but the site's own, no ``on*`` event attribute, no ``javascript:`` link, no
``<iframe>``/``<object>``/``<embed>``; and the hostile text is still there,
shown as text.

* the site built from the scratch repository (``helpers site``);
* the chapters that display those tables (1, 5, 6 and every chapter's
  sources table), run in-process on the hostile data (``tests/nbexec.py``)
  and rendered as pages and slides;
* the data validator's refusal stops ``helpers site`` before it builds, and a
  non-http(s) URL is never published as a link even if validation is bypassed.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from helpers import data, render, site

MARK = "sco-hostile"
#: Appended to every value of the hostile columns: a script, an event handler,
#: markup and a javascript: link, each of which would run or render if unescaped.
HOSTILE = (
    f' <script>alert("{MARK}")</script><img src=x onerror=alert(1)>'
    '<b>x</b><a href="javascript:alert(2)">j</a><svg onload=alert(3)>'
)
#: The columns issue 17 names: contributors paste third-party text into these.
COLUMNS = {
    "statements": ["text", "speaker"],
    "sources": ["title", "author"],
    "sco_events": ["title"],
    "claims": ["as_printed"],
    "codebook_topics": ["label"],
}
RAW_HTML = (
    '\n\nRaw HTML: <script>alert("md")</script><img src=x onerror="alert(4)"> '
    '<a href="javascript:alert(5)">click</a> <iframe src="https://example.org"></iframe>'
    '<b onmouseover="alert(6)">bold</b> <style>body{display:none}</style>'
    '<a href="https://example.org/ok">a good link</a>\n'
)


def poison(data_dir: Path) -> None:
    """Append the hostile text to every value of the columns above (in place)."""
    for table, cols in COLUMNS.items():
        path = data_dir / f"{table}.csv"
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            fields, rows = reader.fieldnames, list(reader)
        for row in rows:
            for col in cols:
                if row[col]:
                    row[col] += HOSTILE
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


# --- what counts as executable ------------------------------------------------------


class Scan(HTMLParser):
    """Collects what could run in a page: scripts, event handlers, script URLs, frames."""

    URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in_script = True
            self.scripts.append(f"src={dict(attrs).get('src')}|")
        if tag in ("iframe", "object", "embed", "frame", "svg", "math", "base", "form"):
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        for key, value in attrs:
            if key.startswith("on"):
                self.problems.append(f"<{tag} {key}=...>")
            if key in self.URL_ATTRS and value:
                url = re.sub(r"[\x00-\x20]", "", value).lower()
                if url.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.problems.append(f"<{tag} {key}={value[:40]!r}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, text):
        if self._in_script:
            self.scripts[-1] += text
        else:
            self.text.append(text)


def scan(page: str) -> Scan:
    s = Scan()
    s.feed(page)
    s.close()
    return s


def own_scripts() -> set[str]:
    """The scripts the project's own pages carry (rendered from a harmless notebook)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Harmless\n\n## A section"), nbformat.v4.new_code_cell("1")]
    from helpers import course

    pages = [
        render.notebook_html(nb),
        render.notebook_html(nb, site_root="../"),
        render.notebook_html(nb, site_root=""),  # the site's own pages (search script, issue 21)
        render.notebook_slides(nb, reveal_prefix="../assets/reveal", back="x.html"),
        course.deck(nb, reveal_prefix="../assets/reveal", back="x.html"),
    ]  # the site's projector decks
    return {script for page in pages for script in scan(page).scripts}


def assert_harmless(page: str, where: str, allowed: set[str]) -> Scan:
    s = scan(page)
    assert not s.problems, f"{where}: {s.problems[:10]}"
    foreign = [x[:120] for x in s.scripts if x not in allowed]
    assert not foreign, f"{where}: scripts that are not the site's own: {foreign}"
    return s


def test_the_scanner_finds_what_it_should():
    bad = (
        '<script>x()</script><img src=x onerror=y()><a href=" JaVa\tscript:z()">a</a>'
        "<iframe src=q></iframe><svg onload=z()></svg>"
    )
    s = scan(bad)
    assert len(s.problems) >= 5 and s.scripts == ["src=None|x()"]
    with pytest.raises(AssertionError, match="not the site's own"):
        assert_harmless("<script>x()</script>", "t", set())


# --- the site built from a hostile repository -----------------------------------------


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory) -> Path:
    """A scratch repository: hostile data, a hostile guide and a hostile markdown cell."""
    root = tmp_path_factory.mktemp("hostile")
    for name in ("notebooks", "figures", "seminar", "data"):
        shutil.copytree(ROOT / name, root / name)
    for name in ("LICENSE-DATA.md", "README.md"):
        shutil.copyfile(ROOT / name, root / name)
    poison(root / "data")
    guide = root / "seminar" / "GUIDE.md"
    guide.write_text(guide.read_text(encoding="utf-8") + RAW_HTML, encoding="utf-8")
    path = root / "notebooks" / "05_analyst_views.ipynb"
    nb = nbformat.read(path, as_version=4)
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    first_md.source += RAW_HTML
    nbformat.write(nb, path)
    return root


@pytest.fixture(scope="module")
def hostile_site(hostile_root, tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("build")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCO_REPO_ROOT", str(hostile_root))
        mp.setenv("SCO_BUILD_DIR", str(build))
        mp.delenv("SCO_DATA_DIR", raising=False)
        data.validate_all()  # the hostile text is valid data: that is the point
        out = site.build(source="committed", echo=lambda s: None)
    return out


def test_site_pages_built_from_hostile_data_run_no_script(hostile_site):
    allowed = own_scripts()
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) >= 15
    for page in pages:
        if "assets" in page.parts:
            continue
        assert_harmless(page.read_text(encoding="utf-8"), str(page.relative_to(hostile_site)), allowed)


def test_hostile_text_is_shown_as_text_not_dropped(hostile_site):
    sources = scan((hostile_site / "sources.html").read_text(encoding="utf-8"))
    shown = "".join(sources.text)
    assert f'<script>alert("{MARK}")</script>' in shown  # the reader sees what the data says
    teaching = scan((hostile_site / "teaching.html").read_text(encoding="utf-8"))
    assert "a good link" in "".join(teaching.text)
    assert 'href="https://example.org/ok"' in (hostile_site / "teaching.html").read_text(encoding="utf-8")
    chapter = (hostile_site / "05_analyst_views.html").read_text(encoding="utf-8")
    assert "Raw HTML:" in chapter and "<b>bold</b>" in chapter  # harmless markup is kept


# --- the chapters, run on hostile data ------------------------------------------------


def _mime_bundle(obj) -> dict:
    from IPython.core.formatters import DisplayFormatter

    bundle, _meta = DisplayFormatter().format(obj)
    return {k: v for k, v in bundle.items() if k in ("text/html", "text/markdown", "text/plain")}


def chapter_on_hostile_data(name: str, data_dir: Path, monkeypatch) -> nbformat.NotebookNode:
    """The chapter's markdown cells and the outputs of a run on ``data_dir``, as a notebook."""
    import nbexec

    monkeypatch.setenv("SCO_DATA_DIR", str(data_dir))
    with warnings.catch_warnings():  # a kernel prints warnings and goes on; so does this run
        warnings.simplefilter("default")
        run = nbexec.run_chapter(name, {}, monkeypatch=monkeypatch)
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "markdown"]
    for obj in run.outputs:
        cell = nbformat.v4.new_code_cell("display(x)")
        cell.outputs = [nbformat.v4.new_output("display_data", data=_mime_bundle(obj))]
        cells.append(cell)
    nb.cells = cells
    return nb


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile_data") / "data"
    shutil.copytree(ROOT / "data", folder)
    poison(folder)
    return folder


@pytest.mark.parametrize("name", list(site.CHAPTERS))
def test_chapters_run_on_hostile_data_render_no_script(name, hostile_data, monkeypatch):
    nb = chapter_on_hostile_data(name, hostile_data, monkeypatch)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert outputs, f"{name}: the run displayed nothing"
    assert any(MARK in json.dumps(o) for o in outputs), f"{name}: no hostile text reached an output"
    allowed = own_scripts()
    for kind, page in (
        ("page", render.notebook_html(nb, site_root="../")),
        ("slides", render.notebook_slides(nb, reveal_prefix="../assets/reveal")),
    ):
        s = assert_harmless(page, f"{name} {kind}", allowed)
        assert f'alert("{MARK}")' in "".join(s.text), f"{name} {kind}: the hostile text is not shown"


# --- invalid data, and URLs -----------------------------------------------------------


def _set_first(data_dir: Path, table: str, column: str, value: str) -> str:
    path = data_dir / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    rows[0][column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows[0][fields[0]]


def test_site_refuses_to_build_on_invalid_data(data_copy, tmp_path, monkeypatch):
    sid = _set_first(data_copy, "sources", "url", "javascript:alert(1)")
    monkeypatch.setenv("SCO_DATA_DIR", str(data_copy))
    monkeypatch.setenv("SCO_BUILD_DIR", str(tmp_path / "build"))
    with pytest.raises(data.DataValidationError, match="sources") as err:
        site.build(source="committed", echo=lambda s: None)
    assert "url" in str(err.value)
    assert not (tmp_path / "build" / "site").exists()
    env = {**os.environ, "SCO_DATA_DIR": str(data_copy), "SCO_BUILD_DIR": str(tmp_path / "build")}
    done = subprocess.run(
        [sys.executable, "-m", "helpers", "site", "--no-slides"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "error:" in done.stderr + done.stdout and "sources" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "build" / "site").exists()
    assert sid  # the row the message is about exists


@pytest.mark.parametrize(
    "url, linked",
    [
        ("https://example.org/a?b=1&c=2", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:x", False),
        ("//evil.example/x", False),
        ("https://", False),
        ("ftp://example.org/file", False),
    ],
)
def test_only_http_urls_become_links_even_without_validation(url, linked):
    sources = [
        {
            "source_id": "s1",
            "author": "A <b>",
            "title": "T <script>x()</script>",
            "publisher": "P",
            "date": "2020",
            "kind": "web",
            "accessed": "2026-01-01",
            "licence_note": "",
            "url": url,
        }
    ]
    page = site.sources_page(sources, {"s1": {}}, {"s1": []}, {})
    s = scan(page)
    assert not s.problems and not set(s.scripts) - own_scripts()  # the site's own search script only
    row = page.split('id="s1"', 1)[1].split("</tr>", 1)[0]  # the source's own row, not the page footer
    assert ("<a href=" in row) is linked
    assert "T <script>x()</script>" in "".join(s.text)


def test_markdown_is_sanitised_to_harmless_tags():
    dirty = render.clean_html(
        '<p onclick="x()">p</p><script>bad()</script><style>*{}</style><a href="javascript:y()">j</a>'
        '<a href="relative.html#x">r</a><a href="https://ok.org">h</a><img src=x onerror=z()>'
        '<sub>2</sub><td style="text-align:right; position:fixed">c</td><iframe></iframe>'
    )
    assert "onclick" not in dirty and "script" not in dirty and "bad()" not in dirty and "<style" not in dirty
    assert "javascript" not in dirty and "<img" not in dirty and "<iframe" not in dirty
    assert 'href="relative.html#x"' in dirty and 'href="https://ok.org"' in dirty and "<sub>2</sub>" in dirty
    assert "position" not in dirty


def test_html_a_cell_builds_by_hand_is_sanitised_but_tables_keep_their_look():
    import pandas as pd

    from helpers import style

    frame = pd.DataFrame({"a": ["x <b>y</b>"], "b": [1.5]})
    nb = nbformat.v4.new_notebook()
    hand = nbformat.v4.new_code_cell("HTML(...)")
    hand.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": f'<p>{HOSTILE}</p><a href="javascript:alert(7)">x</a><iframe src="https://e.org"></iframe>'
            },
        )
    ]
    tables = nbformat.v4.new_code_cell("frame")
    tables.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": frame._repr_html_()}),
        nbformat.v4.new_output("display_data", data={"text/html": style.table(frame, "t")._repr_html_()}),
    ]
    nb.cells = [hand, tables]
    page = render.notebook_html(nb)
    assert_harmless(page, "hand-made HTML", own_scripts())
    assert '<style scoped="">' in page or "<style scoped>" in page  # pandas' own style sheet stays
    assert 'id="T_t"' in page and 'class="dataframe"' in page and "x &lt;b&gt;y&lt;/b&gt;" in page
