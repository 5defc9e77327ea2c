"""Pages get nbconvert's accessibility attributes without its whole-page BeautifulSoup pass (issue 22).

nbconvert's HTML exporter parses each finished page with BeautifulSoup to give
images without alternative text a default one and to make cells focusable,
then writes the page out again. helpers.render adds the same attributes to the
tags directly (render.accessible_html). These tests hold the two to the same
document: parsed, the page we write and the page nbconvert writes are equal.
"""

from __future__ import annotations

import nbformat
import pytest
from bs4 import BeautifulSoup

from helpers.publish import render

ROOT = render.TEMPLATES.parents[3]


def _nbconvert_pass(page: str) -> str:
    """What nbconvert 7's HTMLExporter.from_notebook_node does to a rendered page."""
    soup = BeautifulSoup(page, features="html.parser")
    for elem in soup.select("img:not([alt])"):
        elem.attrs["alt"] = render.NO_ALT
    for elem in soup.select(".jp-Notebook div.jp-Cell-inputWrapper"):
        elem.attrs["tabindex"] = "0"
    for elem in soup.select(".jp-Notebook div.jp-OutputArea-output"):
        elem.attrs["tabindex"] = "0"
    return str(soup)


def _parsed(page: str) -> str:
    return str(BeautifulSoup(page, features="html.parser"))


EDGE_CASES = """<!DOCTYPE html><html><head>
<style>div.x > img { color: red } /* <img src="in-style.png"> */</style>
<script>var s = '<div class="jp-OutputArea-output">'; var t = "<img src='in-script.png'>";</script>
</head><body><main class="jp-Notebook">
<div class="jp-Cell jp-CodeCell"><div class="jp-Cell-inputWrapper">in</div>
<div class="jp-OutputArea-output jp-RenderedImage" data-mime-type="image/png"><img src="a.png"></div>
<div class='jp-OutputArea-output' tabindex="-1">already focusable</div>
<div class="jp-OutputArea-output-not">not the class</div>
<div data-class="jp-Cell-inputWrapper" data-tabindex="3">not a class attribute</div>
<div data-note="a > b" class="jp-Cell-inputWrapper">a quoted greater-than</div>
<img src="b.png" alt="described">
<img src="c.png"/>
<IMG SRC="d.png">
<img src="e.png" data-alt="not alt">
<img src="g.png" title="see alt=x">
<div title='class="jp-Cell-inputWrapper"'>a class in a value</div>
<p>Text that mentions &lt;img src="f.png"&gt; and &lt;div class="jp-Cell-inputWrapper"&gt;.</p>
</div></main>
<script>document.write('<img src="late.png">')</script>
</body></html>"""


def test_the_attributes_added_are_nbconverts_on_every_kind_of_tag():
    assert _parsed(render.accessible_html(EDGE_CASES)) == _nbconvert_pass(EDGE_CASES)


def test_script_and_style_contents_are_left_alone():
    out = render.accessible_html(EDGE_CASES)
    assert """var s = '<div class="jp-OutputArea-output">'""" in out
    assert "document.write('<img src=\"late.png\">')" in out
    assert '/* <img src="in-style.png"> */' in out


@pytest.mark.parametrize("notebook", ["notebooks/01_sco_history.ipynb", "seminar/solutions/03_trade_solutions.ipynb"])
def test_a_page_is_the_document_nbconvert_would_write(notebook, monkeypatch):
    from nbconvert import HTMLExporter

    nb = nbformat.read(ROOT / notebook, as_version=4)
    ours = render.notebook_html(nb)
    # the same export with nbconvert's own exporter class (and so its BeautifulSoup pass)
    monkeypatch.setattr(render, "_exporter_class", lambda kind: HTMLExporter)
    monkeypatch.setattr(render._EXPORTERS, "cache", {}, raising=False)
    monkeypatch.setattr(render, "_WARM", {})
    theirs = render.notebook_html(nb)
    assert 'tabindex="0"' in ours
    assert _parsed(ours) == _parsed(theirs)
    monkeypatch.setattr(render._EXPORTERS, "cache", {}, raising=False)
