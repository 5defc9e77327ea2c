"""The built site in a real browser (headless Chromium driven by Playwright).

One site is built from the committed notebooks into a scratch build folder;
then the index and every other page (chapters, data, sources, teaching guide,
solutions, slides) are opened from disk, as a reader would open them, and
each must:

* load every image (natural width above zero);
* log no console error and raise no script error;
* make no request outside the site (no network, no CDN);
* have every internal link resolve: the file exists and, for ``#fragment``
  links, the target page has an element with that id.

A screenshot of the index (and of one chapter and one slide) is saved to
``build/screenshots/`` for a person to look at.

Then the course furniture (issue 21): the search box finds a known chapter
for "kappa" and for "Line D" from disk with no console error; the student
build has no solution or key (the teacher's build has them); on every slide
deck the right arrow alone reaches every figure, with text of at least 24 px
at 1280x720; the navigation links reach 4.5:1 contrast on the navy bar
(computed from the styles), and on a 400 px phone the bar stays small.

Chromium comes from the Debian package ``chromium`` (``.ci/run`` installs it).
Where no Chromium is found the test is skipped with a message, except when
``SCO_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where it fails instead.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from conftest import ROOT
from helpers import site

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "build" / "screenshots"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("SCO_CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    build = tmp_path_factory.mktemp("build")
    old = os.environ.get("SCO_BUILD_DIR")
    os.environ["SCO_BUILD_DIR"] = str(build)
    try:
        out = site.build(source="committed", echo=lambda s: None)
    finally:
        if old is None:
            del os.environ["SCO_BUILD_DIR"]
        else:
            os.environ["SCO_BUILD_DIR"] = old
    return out


@pytest.fixture(scope="module")
def teacher_site(built_site):
    old = os.environ.get("SCO_BUILD_DIR")
    os.environ["SCO_BUILD_DIR"] = str(built_site.parent)
    try:
        out = site.build(source="committed", teacher=True, echo=lambda s: None)
    finally:
        if old is None:
            del os.environ["SCO_BUILD_DIR"]
        else:
            os.environ["SCO_BUILD_DIR"] = old
    return out


@pytest.fixture(scope="module")
def browser():
    exe = chromium_path()
    if exe is None:
        message = "no Chromium found (install the Debian package 'chromium', or set SCO_CHROMIUM)"
        if os.environ.get("SCO_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


def pages_of(root: Path) -> list[Path]:
    pages = [root / "index.html"]
    pages += sorted(p for p in root.glob("*.html") if p.name != "index.html")
    pages += sorted((root / "solutions").glob("*.html")) + sorted((root / "slides").glob("*.html"))
    return pages


_IDS: dict[Path, set[str]] = {}


def ids_in(path: Path) -> set[str]:
    if path not in _IDS:
        text = path.read_text(encoding="utf-8")
        _IDS[path] = {unquote(i) for i in re.findall(r'\sid="([^"]+)"', text)}
    return _IDS[path]


def open_page(browser, path: Path, screenshot: Path | None = None) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url[:120]}"))
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(("file:", "data:"))
            else problems.append(f"request outside the site: {r.url[:120]}")
        ),
    )
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    if "/slides/" in path.as_uri():
        page.wait_for_function("window.Reveal && Reveal.isReady()")
    images = page.evaluate(
        "Array.from(document.images).map(i => [i.currentSrc.slice(0, 80) || i.src.slice(0, 80), i.naturalWidth])"
    )
    links = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot))
    page.close()
    return {"problems": problems, "images": images, "links": links}


def broken_links(page_path: Path, links: list[str], root: Path) -> list[str]:
    bad = []
    for href in links:
        url = urlparse(href)
        if url.scheme in ("http", "https", "mailto", "data"):
            continue  # external: not part of the offline site
        if url.scheme != "file":
            bad.append(f"{href} (scheme {url.scheme!r})")
            continue
        target = Path(unquote(url.path))
        if not target.is_relative_to(root):
            bad.append(f"{href} (outside the site)")
        elif not target.is_file():
            bad.append(f"{href} (no such file)")
        elif url.fragment.startswith("/") and "/slides/" in target.as_posix():
            continue  # reveal.js routes (#/2/1) are handled by its script
        elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in ids_in(target):
            bad.append(f"{href} (no element with that id)")
    return bad


def test_every_page_loads_offline_with_images_and_working_links(built_site, browser):
    root = built_site.resolve()
    pages = pages_of(root)
    names = {p.relative_to(root).as_posix() for p in pages}
    for chapter in site.CHAPTERS:
        assert f"{chapter}.html" in names and f"slides/{chapter}.html" in names
    assert {"data.html", "sources.html", "teaching.html"} <= names
    shots = {
        "index.html": "index.png",
        "03_trade.html": "chapter_03_trade.png",
        "slides/01_sco_history.html": "slides_01_sco_history.png",
    }
    failures = []
    for path in pages:
        rel = path.relative_to(root).as_posix()
        shot = SCREENSHOTS / shots[rel] if rel in shots else None
        seen = open_page(browser, path, shot)
        failures += [f"{rel}: {p}" for p in seen["problems"]]
        failures += [f"{rel}: image did not load: {src}" for src, width in seen["images"] if width <= 0]
        failures += [f"{rel}: broken link {b}" for b in broken_links(path, seen["links"], root)]
        if rel == "index.html":
            assert len(seen["images"]) == len(site.CHAPTERS), "one thumbnail per chapter"
    assert not failures, "\n".join(failures[:40])
    assert (SCREENSHOTS / "index.png").stat().st_size > 10_000


def test_the_link_checker_catches_what_it_should(built_site, browser, tmp_path):
    """A page with a missing file, a missing anchor, a broken image and a script error fails."""
    root = built_site.resolve()
    bad = root / "zz_broken.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head><body>'
        '<a href="nowhere.html">x</a> <a href="sources.html#no-such-source">y</a>'
        '<img src="figures/missing.png"><script>undefinedFunction()</script></body></html>'
    )
    try:
        seen = open_page(browser, bad)
        broken = broken_links(bad, seen["links"], root)
    finally:
        bad.unlink()
    assert any("nowhere.html" in b and "no such file" in b for b in broken)
    assert any("no-such-source" in b and "no element" in b for b in broken)
    assert any(width == 0 for _, width in seen["images"])
    assert any("script error" in p for p in seen["problems"])


# --- what the pages contain (no browser needed) ------------------------------------


def test_every_chapter_has_an_index_card_with_its_key_figure():
    from helpers import runner

    assert list(site.CHAPTERS) == runner.list_notebooks()
    for name, ch in site.CHAPTERS.items():
        assert (ROOT / "figures" / f"{ch.figure}.png").exists(), name
        assert not re.search(
            r"\d{3,}", ch.summary.replace("2010", "").replace("2022", "").replace("2024", "").replace("1992", "")
        ), f"{name}: a figure in the summary; the chapter gives those"


def test_no_page_loads_anything_from_the_network(built_site):
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(https?:|//)[^"]*"', text)
        remote += re.findall(r"@import\s+url\((?:'|\")?(https?:|//)", text)
        remote += re.findall(r"\bimport\(\s*[\"'](https?:|//)", text)
        assert not remote, f"{page.name} loads from the network"


def test_chapter_pages_have_contents_folded_code_and_open_parameters(built_site):
    import nbformat

    for name in site.CHAPTERS:
        text = (built_site / f"{name}.html").read_text(encoding="utf-8")
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        toc = text.split('class="sco-toc"', 1)[1].split("</nav>", 1)[0]
        assert toc.count("<a href=") >= 5, name
        assert text.count('<details class="sco-code"') == len(code_cells) - 1, name
        assert text.count('<details class="sco-code sco-parameters" open') == 1, name
        assert f'href="notebooks/{name}.ipynb"' in text
        assert (built_site / "notebooks" / f"{name}.ipynb").exists()


def test_every_dataset_is_described_and_downloadable(built_site):
    pkg = site.datapackage()
    text = (built_site / "data.html").read_text(encoding="utf-8")
    for res in pkg["resources"]:
        assert f'id="{res["name"]}"' in text
        assert f'href="data/{res["path"]}" download' in text
        assert (built_site / "data" / res["path"]).read_bytes() == (ROOT / "data" / res["path"]).read_bytes()
        rows = len(site._read_csv(ROOT / "data" / res["path"]))
        assert f"({rows} rows, CSV, UTF-8)" in text
        for field in res["schema"]["fields"]:
            assert f"<code>{field['name']}</code>" in text
    assert "CC-BY-4.0" in text


def test_every_source_is_listed_with_who_cites_it(built_site):
    text = (built_site / "sources.html").read_text(encoding="utf-8")
    sources = site._read_csv(ROOT / "data" / "sources.csv")
    for s in sources:
        assert (
            f'<tr id="{s["source_id"]}" class="sco-source" data-row data-kind="{s["kind"]}" '
            f'data-orig="{s["original_or_copy"]}"' in text
        )
    row = text.split('<tr id="gao2010"', 1)[1].split("</tr>", 1)[0]
    assert 'href="data.html#gao2010_table1_raw"' in row
    assert 'href="01_sco_history.html"' in row and 'href="06_claims_vs_data.html"' in row


def test_source_ids_in_chapter_tables_link_to_the_sources_page(built_site):
    text = (built_site / "06_claims_vs_data.html").read_text(encoding="utf-8")
    assert re.search(r'<td [^>]*><a href="sources.html#xiao2022">xiao2022</a></td>', text)
    from helpers import render

    assert render.link_source_ids("<td>abc</td><td>zz</td><th class='x'>abc</th>", {"abc"}, "s.html") == (
        '<td><a href="s.html#abc">abc</a></td><td>zz</td><th class=\'x\'><a href="s.html#abc">abc</a></th>'
    )


def test_citations_count_source_columns_and_notes():
    pkg = site.datapackage()
    ids = [s["source_id"] for s in site._read_csv(ROOT / "data" / "sources.csv")]
    cited = site.citations(pkg, ids)
    # a source cited only in a chapter's prose is shown by that chapter instead (the sources page says which)
    prose = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "notebooks").glob("*.ipynb")))
    missing = [s for s in ids if not cited[s] and f"`{s}`" not in prose]
    assert not missing, missing[:5]


def test_a_link_the_site_cannot_resolve_fails_the_build():
    from pathlib import PurePosixPath

    body = '<a href="../notebooks/03_trade.ipynb#Sources">x</a> <a href="https://example.org">y</a>'
    out = site.rewrite_links(body, PurePosixPath("seminar/GUIDE.md"))
    assert 'href="03_trade.html#Sources"' in out and 'href="https://example.org"' in out
    with pytest.raises(ValueError, match="scripts/bench.py"):
        site.rewrite_links('<a href="../scripts/bench.py">z</a>', PurePosixPath("seminar/GUIDE.md"))


def test_a_failed_build_leaves_the_previous_site(built_site, monkeypatch):
    from helpers import course

    before = {p: p.stat().st_mtime_ns for p in built_site.rglob("*") if p.is_file()}
    monkeypatch.setenv("SCO_BUILD_DIR", str(built_site.parent))

    def boom(*a, **k):
        raise RuntimeError("rendering failed on purpose")

    monkeypatch.setattr(course, "deck", boom)
    with pytest.raises(RuntimeError, match="on purpose"):
        site.build(source="committed", echo=lambda s: None)
    assert {p: p.stat().st_mtime_ns for p in built_site.rglob("*") if p.is_file()} == before
    assert not (built_site.parent / ".tmp").exists()


def test_build_source_must_be_up_to_date(tmp_path, monkeypatch):
    from helpers.core.parameters import ParameterError

    monkeypatch.setenv("SCO_BUILD_DIR", str(tmp_path))
    with pytest.raises(ParameterError, match="no up-to-date default run"):
        site.build(source="build")
    with pytest.raises(ParameterError, match="one of: auto, build, committed"):
        site.build(source="nowhere")
    assert not (tmp_path / "site").exists()


# --- what a run's page says about its parameters (no browser needed) ------------------


def _papermill_run(name: str, overrides: dict):
    """A committed chapter with papermill's injected cell, as papermill writes it (not executed)."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(ROOT / "notebooks" / f"{name}.ipynb"))
    return parameterize_notebook(nb, overrides)


def _banner(page: str) -> str:
    m = re.search(r'<div class="sco-banner".*?</div>', page, re.S)
    return m.group(0) if m else ""


def test_a_run_at_other_parameters_says_so_at_the_top():
    from helpers import parameters, render

    defaults = parameters.cell_defaults("03_trade")
    assert defaults["countries"] == ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    nb = _papermill_run(
        "03_trade",
        {"countries": ["KGZ"], "start_year": 2013, "flow": defaults["flow"], "_sco_internal": 1, "sco_figures": "x"},
    )
    page = render.notebook_html(nb)
    banner = _banner(page)
    assert banner and page.index(banner) < page.index('class="jp-Cell ')  # above every cell
    assert "<code>countries</code>: KGZ (default: KAZ, KGZ, TJK, TKM, UZB)" in banner
    assert "<code>start_year</code>: 2013 (default: 1992)" in banner
    assert "flow" not in banner  # injected, but equal to the default
    assert "_sco_internal" not in banner and "sco_figures" not in banner  # internal names
    # the injected cell is open and captioned; the defaults cell is folded and says so
    assert re.search(
        r'<details class="sco-code sco-parameters sco-injected" open[^>]*><summary>'
        r"Parameters used in this run</summary>",
        page,
    )
    m = re.search(r'<details class="sco-code sco-defaults"( open)?[^>]*><summary>([^<]*)</summary>', page)
    assert m and m.group(1) is None and m.group(2) == "Defaults (overridden by the cell below)"
    assert page.index("<summary>Defaults (overridden") < page.index("<summary>Parameters used in this run")
    assert page.count('<details class="sco-code sco-parameters') == 1


def test_a_default_run_has_no_banner():
    import nbformat

    from helpers import render

    committed = nbformat.read(ROOT / "notebooks" / "03_trade.ipynb", as_version=4)
    page = render.notebook_html(committed)
    assert not _banner(page) and "sco-banner" not in page.split("<body", 1)[1].split("</style>")[-1]
    assert 'sco-parameters" open' in page and "Defaults (overridden" not in page
    # papermill with values equal to the defaults: no banner, the values used still shown open
    same = render.notebook_html(_papermill_run("03_trade", {"countries": ["KAZ", "KGZ", "TJK", "TKM", "UZB"]}))
    assert not _banner(same) and "Parameters used in this run" in same


def test_injected_values_are_escaped_in_the_banner():
    from helpers import render

    nb = _papermill_run("03_trade", {"flow": "<script>alert(1)</script>"})
    banner = _banner(render.notebook_html(nb))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in banner and "<script" not in banner


def test_slides_of_a_run_show_the_parameters_it_used():
    from helpers import render

    nb = _papermill_run("03_trade", {"countries": ["KGZ"]})
    render.slide_types(nb)
    hidden = {i for i, c in enumerate(nb.cells) if "sco-hide-input" in c.metadata.get("tags", [])}
    injected = [i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", [])]
    defaults = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert injected and injected[0] not in hidden and defaults[0] in hidden


def _markdown_output_notebook():
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('Markdown("## 6. The mirror gap for Kyrgyzstan")')
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            execution_count=1,
            data={
                "text/markdown": "## 6. The mirror gap for Kyrgyzstan\n\nKyrgyzstan's $1 and $2 figures.\n\n"
                "### 6.1 By year",
                "text/plain": "<IPython.core.display.Markdown object>",
            },
        )
    ]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A chapter\n\n## 1. Opening"),
        nbformat.v4.new_code_cell("x = 1"),
        cell,
        nbformat.v4.new_markdown_cell("## 7. After"),
    ]
    return nb


def test_headings_in_markdown_outputs_get_ids_and_contents_entries():
    from helpers import render

    page = render.notebook_html(_markdown_output_notebook())
    assert re.search(r'<h2 id="6.-The-mirror-gap-for-Kyrgyzstan"', page)
    toc = page.split('class="sco-toc"', 1)[1].split("</nav>", 1)[0]
    entries = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc)
    assert [t for _, t in entries] == ["1. Opening", "6. The mirror gap for Kyrgyzstan", "6.1 By year", "7. After"]
    assert ("6.-The-mirror-gap-for-Kyrgyzstan", "6. The mirror gap for Kyrgyzstan") in entries
    assert "$1 and $2" in page  # a dollar sign in computed Markdown is currency, not math


def test_a_heading_in_a_markdown_output_starts_a_slide():
    from helpers import render

    nb = _markdown_output_notebook()
    render.slide_types(nb)
    kinds = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
    assert kinds == ["slide", "-", "slide", "slide"]
    deck = render.notebook_slides(_markdown_output_notebook(), reveal_prefix="../assets/reveal")
    assert "6. The mirror gap for Kyrgyzstan" in deck


def test_a_title_computed_as_markdown_names_the_page():
    import nbformat

    from helpers import render

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("md(title)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/markdown": "# Trade with Kyrgyzstan, 2013-2025"})
    ]
    nb.cells = [cell]
    assert render.first_heading(nb) == "Trade with Kyrgyzstan, 2013-2025"
    assert "<title>Trade with Kyrgyzstan, 2013-2025</title>" in render.notebook_html(nb)


def test_a_run_page_links_into_the_site_when_given_its_root():
    import nbformat

    from helpers import render

    nb = nbformat.read(ROOT / "notebooks" / "01_sco_history.ipynb", as_version=4)
    standalone = render.notebook_html(nb)
    assert 'class="sco-nav"' not in standalone
    page = render.notebook_html(nb, site_root="../../site")
    bar = re.search(r'<nav [^>]*class="sco-nav".*?</nav>', page, re.S).group(0)
    hrefs = re.findall(r'href="([^"]+)"', bar)
    assert hrefs[0] == "../../site/index.html"
    assert {f"../../site/{n}.html" for n in site.CHAPTERS} <= set(hrefs)
    assert {"../../site/data.html", "../../site/sources.html", "../../site/teaching.html"} <= set(hrefs)
    assert 'href="index.html"' in render.notebook_html(nb, site_root="")


def test_a_default_worked_out_from_the_others_is_described_not_printed_as_none():
    from helpers import parameters, render

    assert parameters.cell_defaults("03_trade")["base_year"] is None
    help_text = parameters.SPECS["03_trade"].by_name()["base_year"].derive_help
    nb = _papermill_run("03_trade", {"base_year": 2019})
    nb.metadata["papermill"]["input_path"] = str(ROOT / "notebooks" / "03_trade.ipynb")
    banner = _banner(render.notebook_html(nb))
    assert help_text and f"<code>base_year</code>: 2019 (default: {help_text})" in banner
    del nb.metadata["papermill"]  # as the runner leaves it: the chapter is known by its parameters
    assert f"(default: {help_text})" in _banner(render.notebook_html(nb))


# --- the course furniture in the browser (issue 21) -------------------------------------


def _problems(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url[:120]}"))
    return problems


@pytest.mark.parametrize("query, chapter", [("kappa", "05_analyst_views"), ("Line D", "04_energy_pipelines")])
def test_search_finds_a_known_chapter_from_disk(built_site, browser, query, chapter):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = _problems(page)
    page.goto((built_site / "data.html").resolve().as_uri())
    page.fill(".sco-search input", query)
    page.wait_for_selector(".sco-search-results li a", timeout=15000)
    hrefs = page.eval_on_selector_all(".sco-search-results li a", "els => els.map(a => a.getAttribute('href'))")
    if query == "Line D":
        page.screenshot(path=str(SCREENSHOTS / "search_line_d.png"))
    page.close()
    assert any(h.startswith(f"{chapter}.html") for h in hrefs[:5]), hrefs[:8]
    assert not problems, problems


def test_filters_narrow_the_sources_page(built_site, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = _problems(page)
    page.goto((built_site / "sources.html").resolve().as_uri())
    total = page.eval_on_selector_all("#sco-sources tr[data-row]", "rows => rows.length")
    page.select_option("select[name=orig]", "copy")
    copies = page.eval_on_selector_all("#sco-sources tr[data-row]:not([hidden])", "rows => rows.length")
    page.select_option("select[name=chapter]", "04_energy_pipelines")
    both = page.eval_on_selector_all(
        "#sco-sources tr[data-row]:not([hidden])", "rows => rows.map(r => [r.dataset.orig, r.dataset.chapter])"
    )
    page.close()
    sources = site._read_csv(ROOT / "data" / "sources.csv")
    assert total == len(sources)
    assert copies == sum(s["original_or_copy"] == "copy" for s in sources)
    assert both and all(o == "copy" and "04_energy_pipelines" in c.split() for o, c in both)
    assert not problems, problems


def test_the_student_build_has_no_solution_or_key(built_site, teacher_site):
    student = [p.relative_to(built_site).as_posix() for p in built_site.rglob("*") if p.is_file()]
    assert not [p for p in student if "solution" in p.lower() or "_key" in p.lower()]
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'href="[^"]*(solutions/|_solutions\.|teacher_key)', text), page.name
    assert "(in the teacher's build)" in (built_site / "teaching.html").read_text(encoding="utf-8")
    # the teacher's build adds them, linked from the index and the guide
    assert (teacher_site / "solutions" / "03_trade_solutions.html").exists()
    assert (teacher_site / "seminar" / "05_teacher_key.md").exists()
    assert 'href="solutions/03_trade_solutions.html"' in (teacher_site / "index.html").read_text(encoding="utf-8")


def test_the_teacher_build_loads_offline_with_working_links(teacher_site, browser):
    root = teacher_site.resolve()
    failures = []
    for path in [root / "index.html", root / "teaching.html", *sorted((root / "solutions").glob("*.html"))]:
        seen = open_page(browser, path)
        rel = path.relative_to(root).as_posix()
        failures += [f"{rel}: {p}" for p in seen["problems"]]
        failures += [f"{rel}: broken link {b}" for b in broken_links(path, seen["links"], root)]
    assert not failures, "\n".join(failures[:40])


def test_right_arrow_reaches_every_figure_of_every_deck(built_site, browser):
    failures = []
    for deck in sorted((built_site / "slides").glob("*.html")):
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        problems = _problems(page)
        page.goto(deck.resolve().as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady()")
        figures = page.eval_on_selector_all("section[data-sco-figure]", "s => s.length")
        seen, small = set(), []
        for _step in range(400):
            state = page.evaluate("""() => {
                const s = Reveal.getCurrentSlide(), i = Reveal.getIndices();
                const px = Array.from(s.querySelectorAll('p, li')).map(e =>
                    parseFloat(getComputedStyle(e).fontSize) * Reveal.getScale());
                return {h: i.h, v: i.v, fig: s.hasAttribute('data-sco-figure'),
                        min: px.length ? Math.min(...px) : 99,
                        img: s.querySelector('img') ? s.querySelector('img').getBoundingClientRect().height : 0,
                        bottom: Math.max(0, ...Array.from(s.querySelectorAll('img, p, li'))
                                  .map(e => e.getBoundingClientRect().bottom)),
                        last: Reveal.isLastSlide()};
            }""")
            assert state["v"] == 0, f"{deck.name}: a vertical slide"
            if state["fig"]:
                seen.add(state["h"])
                if state["img"] < 300:
                    failures.append(f"{deck.name}: figure on slide {state['h']} only {state['img']:.0f} px high")
                if len(seen) == 1:
                    page.screenshot(path=str(SCREENSHOTS / f"slides_{deck.stem}_figure.png"))
            if state["fig"] and state["bottom"] > 720 + 1:
                failures.append(
                    f"{deck.name}: figure slide {state['h']} runs off the screen ({state['bottom']:.0f} px)"
                )
            if state["min"] < 24:
                small.append(f"slide {state['h']}: {state['min']:.1f} px")
            if state["last"]:
                break
            page.keyboard.press("ArrowRight")
        if deck.stem == "03_trade":
            page.screenshot(path=str(SCREENSHOTS / "slides_03_trade_discussion.png"))
        page.close()
        if len(seen) != figures:
            failures.append(f"{deck.name}: the right arrow reached {len(seen)} of {figures} figures")
        failures += [f"{deck.name}: text below 24 px on {x}" for x in small]
        failures += [f"{deck.name}: {p}" for p in problems]
    assert not failures, "\n".join(failures[:40])


_CONTRAST = """() => {
  function lum(c) {
    const v = c.match(/[0-9.]+/g).slice(0, 3).map(Number).map(x => x / 255)
      .map(x => x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4));
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  const bg = lum(getComputedStyle(document.querySelector('.sco-nav')).backgroundColor);
  return Array.from(document.querySelectorAll('.sco-nav-links a, .sco-nav .sco-brand')).map(a => {
    const fg = lum(getComputedStyle(a).color);
    return [a.textContent, (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)];
  });
}"""


def test_navigation_contrast_and_the_phone_menu(built_site, browser):
    failures = []
    for name in ("index.html", "data.html", "sources.html", "teaching.html", "glossary.html", "03_trade.html"):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto((built_site / name).resolve().as_uri())
        failures += [f"{name}: '{t}' contrast {r:.2f}" for t, r in page.evaluate(_CONTRAST) if r < 4.5]
        page.close()
    page = browser.new_page(viewport={"width": 400, "height": 800})
    page.goto((built_site / "sources.html").resolve().as_uri())
    closed = page.evaluate("document.querySelector('.sco-nav').getBoundingClientRect().height")
    page.screenshot(path=str(SCREENSHOTS / "phone_sources_menu_closed.png"))
    page.click("button.sco-menu")
    opened = page.evaluate("document.querySelector('.sco-nav').getBoundingClientRect().height")
    page.screenshot(path=str(SCREENSHOTS / "phone_sources_menu_open.png"))
    page.close()
    assert closed < 800 / 5, f"the closed nav is {closed} px high on a 400x800 phone"
    assert opened > closed, "the menu button opens the links"
    assert not failures, failures
