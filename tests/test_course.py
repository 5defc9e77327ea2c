"""The course furniture without a browser: Binder files, glossary, prose links, slides, builds."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import nbformat
import pytest
from test_environment import TEST_ONLY, _pyproject_pins, conda_pins

from conftest import ROOT
from helpers import course, site

# --- Binder -------------------------------------------------------------------------


def test_binder_environment_uses_pyproject_pins_without_test_tools():
    conda, pip = conda_pins(ROOT / "binder" / "environment.yml")
    pins = _pyproject_pins()
    assert conda.pop("python") == "3.11"
    assert not pip, "Binder installs the project itself in postBuild, nothing else by pip"
    assert not TEST_ONLY & set(conda)
    assert set(conda) == set(pins) - TEST_ONLY, "every runtime dependency, and only those"
    assert {k: pins[k] for k in conda} == conda


def test_binder_runtime_and_postbuild():
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    post = ROOT / "binder" / "postBuild"
    assert post.stat().st_mode & 0o111, "postBuild must be executable"
    assert re.search(r"^pip install --no-deps -e \.$", post.read_text(), re.M)


def test_binder_link_only_to_a_recorded_repository(monkeypatch):
    monkeypatch.setattr(course, "repository_url", lambda: None)
    text = site.binder_html("03_trade")
    assert "mybinder.org/v2" not in text and "<a " not in text and "CITATION.cff" in text
    monkeypatch.setattr(course, "repository_url", lambda: "https://github.com/someone/somerepo")
    text = site.binder_html("03_trade")
    assert 'href="https://mybinder.org/v2/gh/someone/somerepo/HEAD?labpath=notebooks%2F03_trade.ipynb"' in text


def test_citation_lists_both_licences_and_invents_no_url():
    cff = course.citation()
    assert cff["license"] == ["MIT", "CC-BY-4.0"]
    url = cff.get("repository-code")
    assert url is None or url.startswith("https://"), url
    assert course.repository_url() == (url.rstrip("/") if url else None)


# --- glossary and prose links ------------------------------------------------------------


def test_glossary_entries_are_valid_and_cite_known_sources():
    terms = course.glossary()
    ids = {s["source_id"] for s in site._read_csv(ROOT / "data" / "sources.csv")}
    for need in (
        "starting-document",
        "bcm",
        "mtoe",
        "mirror-statistics",
        "cif-fob",
        "kappa",
        "dialogue-partner",
        "cacgp",
        "espo",
        "shanghai-five",
    ):
        assert need in {t.id for t in terms}
    for t in terms:
        assert set(t.sources) <= ids, t.id


def test_a_bad_glossary_is_refused(tmp_path):
    bad = tmp_path / "g.yaml"
    bad.write_text("- id: Bad Id\n  term: x\n  match: ['x']\n  definition: y\n")
    with pytest.raises(ValueError, match="malformed"):
        course.glossary(bad)
    bad.write_text("- id: ok\n  term: x\n  match: ['(']\n  definition: y\n")
    with pytest.raises(ValueError, match="invalid pattern"):
        course.glossary(bad)


def test_prose_links_first_use_only_and_never_inside_links_code_or_headings():
    terms = course.glossary()
    prose = course.Prose(terms, {"gao2010"})
    one = prose(
        '<h2>Seed 004 and kappa</h2><p>As seed 004 says, kappa is <a href="x">kappa</a>; '
        "see <code>gao2010</code> and <code>notasource</code>.</p>"
    )
    two = prose("<p>Again seed 004 and kappa.</p>")
    assert "<h2>Seed 004 and kappa</h2>" in one  # headings untouched
    assert one.count('href="glossary.html#starting-document"') == 1
    assert '>seed 004</a> <span class="sco-gloss-note">(starting document)</span>' in one
    assert one.count('href="glossary.html#kappa"') == 1 and '<a href="x">kappa</a>' in one
    assert '<a class="sco-source-link" href="sources.html#gao2010"><code>gao2010</code></a>' in one
    assert "<code>notasource</code>" in one and "sources.html#notasource" not in one
    assert two == "<p>Again seed 004 and kappa.</p>"  # first use only


def test_glossary_titles_are_escaped():
    t = course.Term("x", 'a "b" <c>', (re.compile("zzz"),), "d & <e>")
    out = course.Prose([t], set())("<p>zzz</p>")
    assert 'title="a &quot;b&quot; &lt;c&gt;: d &amp; &lt;e&gt;"' in out


# --- slides ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(site.CHAPTERS))
def test_every_figure_gets_a_horizontal_slide_and_prose_goes_to_notes(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    shown = course.render.for_slides(nb)  # cells tagged page-only are left off the slides (issue 19)
    figures = sum(
        "image/png" in o.get("data", {}) for c in shown.cells for o in c.get("outputs", []) if not _in_seminar(shown, c)
    )
    slides = course.deck_slides(nb)
    # one figure, one slide; a tall figure one slide per band ("Figure 3.8 (2/5). ...", render.figure_bands)
    numbers = [re.sub(r" \(\d+/\d+\)$", "", s.title.split(". ")[0]) for s in slides if s.kind == "figure"]
    assert len(set(numbers)) == figures
    assert slides[0].kind == "title" and slides[-1].kind == "discussion"
    for s in slides:
        assert len(course.sentences(s.body)) <= 3 or s.kind == "discussion", (s.title, s.body[:200])
    deck = course.deck(nb, reveal_prefix="../assets/reveal")
    assert "<section><section" not in deck.replace("\n", "")  # no vertical stacks
    assert deck.count('data-sco-figure="1"') == len(numbers)
    assert "In&nbsp;[" not in deck and "Out[" not in deck


def _in_seminar(nb, cell) -> bool:
    seminar = False
    for c in nb.cells:
        for text in course.render.markdown_texts(c):
            for line in text.splitlines():
                if line.startswith("## "):
                    seminar = line[3:].strip().lower().startswith("for the seminar")
        if c is cell:
            return seminar
    return False


# --- builds ------------------------------------------------------------------------------


def test_teacher_only_paths():
    assert site.teacher_only(PurePosixPath("seminar/solutions/03_trade_solutions.ipynb"))
    assert site.teacher_only(PurePosixPath("seminar/05_teacher_key.md"))
    assert not site.teacher_only(PurePosixPath("seminar/05_coding_sheet.csv"))
    assert not site.teacher_only(PurePosixPath("seminar/GUIDE.md"))


def test_the_student_guide_names_solutions_without_linking_them():
    body = (
        '<a href="solutions/03_trade_solutions.ipynb">solutions</a> '
        '<a href="05_teacher_key.md">key</a> <a href="sweeps/03_trade.yaml">groups</a>'
    )
    student = site.rewrite_links(body, PurePosixPath("seminar/GUIDE.md"), teacher=False)
    assert "solutions/" not in student and "teacher_key" not in student
    assert "solutions (in the teacher's build)" in student and 'href="seminar/sweeps/03_trade.yaml"' in student
    teacher = site.rewrite_links(body, PurePosixPath("seminar/GUIDE.md"))
    assert 'href="solutions/03_trade_solutions.html"' in teacher


def test_last_updated_comes_from_git_and_is_stable():
    first = course.last_updated(ROOT / "seminar" / "GUIDE.md")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", first)
    assert course.last_updated(ROOT / "seminar" / "GUIDE.md") == first


def test_data_as_of_is_the_latest_date_of_a_fact():
    as_of = course.data_as_of(site.datapackage(), site._read_csv)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of)
    events = [r["date"] for r in site._read_csv(ROOT / "data" / "sco_events.csv") if r.get("date")]
    assert as_of >= max(events)


def test_search_sections_cut_at_headings():
    page = (
        '<main><h1 id="T">Title</h1><p>intro</p><h2 id="A">A</h2><p>kappa here</p>'
        '<details class="sco-code"><summary>Code</summary>x = "hidden"</details>'
        '<h3 id="B">B</h3><p>Line D</p><div class="sco-footer">foot</div></main>'
    )
    docs = course.page_sections(page, "c.html", "Chapter", "chapter")
    assert [d["url"] for d in docs] == ["c.html#T", "c.html#A", "c.html#B"]
    assert "kappa" in docs[1]["text"] and "hidden" not in docs[1]["text"]
    assert "foot" not in docs[2]["text"]
    assert "</script" not in course.search_script([{"text": "</script><script>"}])


def test_a_deck_shows_hostile_text_as_text():
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    nb = nbformat.v4.new_notebook()
    fig = nbformat.v4.new_code_cell("plot()")
    fig.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}),
        nbformat.v4.new_output("display_data", data={"text/markdown": f"Finding {evil}. More {evil}."}),
    ]
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# Title {evil}\n\nQuestion {evil}."),
        nbformat.v4.new_markdown_cell(f"## 1. Section {evil}\n\nIntro {evil}."),
        fig,
        nbformat.v4.new_markdown_cell(f"## For the seminar\n\n### Questions for discussion\n\n1. Why {evil}?"),
    ]
    deck = course.deck(nb, reveal_prefix="../assets/reveal", back='x.html"><script>')
    from test_escaping import assert_harmless, own_scripts

    shown = "".join(assert_harmless(deck, "deck", own_scripts()).text)
    assert 'alert("x")' in shown  # shown as text, on the slides or in the notes
    assert 'href="x.html&quot;&gt;&lt;script&gt;"' in deck


def test_what_to_see_is_short_and_loses_nothing():
    long = (
        "The map shows 14 lines: 11 operating (" + ", ".join(f"Line {i}" for i in range(30)) + "); "
        "2 planned (Power of Siberia 2 and its twin line); 1 stalled. Second sentence."
    )
    shown, rest = course._split(long)
    assert shown == "The map shows 14 lines: 11 operating; 2 planned; 1 stalled."
    assert long.split(". Second")[0] in rest and "Second sentence." in rest  # all of it in the notes
    assert course.sentences("One: two. Three.") == ["One: two.", "Three."]
