"""Slides a room can read (issue 19): a page and its slides from one notebook, tall figures in bands.

Cell tags choose a medium (helpers.render): ``page-only`` cells are left off the slides,
``slides-only`` cells off the pages, and the tables of ``slides-only`` and ``slides-too`` cells
get a slide. A figure taller than it is wide is shown on slides cut between its panels
(render.figure_bands), each band large enough to read on a 1280×720 slide.
"""

from __future__ import annotations

import base64
import io

import nbformat
import numpy as np
import pytest
from PIL import Image

from helpers import paths
from helpers.publish import course, render

v4 = nbformat.v4


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _size(b64: str) -> tuple[int, int]:
    with Image.open(io.BytesIO(base64.b64decode(b64))) as im:
        return im.size


@pytest.fixture(scope="module")
def tall_png():
    """Three panels stacked, each with its legend under it: 8 in wide, 11 in tall."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 1, figsize=(8, 11))
    for k, ax in enumerate(axes):
        ax.plot([0, 1, 2], [k, k + 1, k], label=f"series {k}")
        ax.set_title(f"Panel {k + 1}")
        ax.legend(loc="upper left", bbox_to_anchor=(0, -0.15), frameon=False)
    fig.suptitle("A tall figure")
    fig.subplots_adjust(hspace=0.6)
    png = _png(fig)
    plt.close(fig)
    return png


@pytest.fixture(scope="module")
def wide_png():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 5))
    ax.plot([0, 1], [0, 1])
    png = _png(fig)
    plt.close(fig)
    return png


def _figure_output(png: str, name: str, title: str):
    return v4.new_output(
        "display_data",
        data={"image/png": png, "text/plain": "<Figure>"},
        metadata={"sco_figure": {"name": name, "title": title, "chapter": "05_analyst_views", "source": "x"}},
    )


def _notebook(tall: str, wide: str):
    nb = v4.new_notebook()
    matrix = v4.new_code_cell("plot_matrix()", outputs=[_figure_output(tall, "m", "The whole matrix")])
    matrix.metadata["tags"] = [render.PAGE_ONLY]
    table = v4.new_code_cell(
        "folded()",
        outputs=[
            v4.new_output(
                "display_data",
                data={"text/markdown": "The matrix folded to regions, for a slide.", "text/plain": ""},
            ),
            v4.new_output(
                "execute_result",
                data={
                    "text/html": '<table id="T_folded"><caption>Table 5.4. Folded</caption><tr><td>1</td></tr></table>',
                    "text/plain": "t",
                },
                execution_count=2,
            ),
        ],
        execution_count=2,
    )
    table.metadata["tags"] = [render.SLIDES_TOO]
    only = v4.new_code_cell("slide_note()", outputs=[v4.new_output("stream", name="stdout", text="only on slides\n")])
    only.metadata["tags"] = [render.SLIDES_ONLY]
    plain_table = v4.new_code_cell(
        "table()",
        outputs=[
            v4.new_output("execute_result", data={"text/html": "<table id='T_plain'></table>"}, execution_count=3)
        ],
        execution_count=3,
    )
    nb.cells = [
        v4.new_markdown_cell("# Chapter five\n\nIntro."),
        v4.new_markdown_cell("## 2. Who says what\n\nThe matrix."),
        matrix,
        table,
        only,
        plain_table,
        v4.new_code_cell("by_region()", outputs=[_figure_output(wide, "r", "By region")]),
        v4.new_code_cell("tall()", outputs=[_figure_output(tall, "t", "Tall one")]),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def test_page_leaves_out_slides_only_cells_and_slides_leave_out_page_only_cells(tall_png, wide_png):
    nb = _notebook(tall_png, wide_png)
    page = render.for_page(nb)
    assert [c.source for c in page.cells if c.cell_type == "code"] == [
        "plot_matrix()",
        "folded()",
        "table()",
        "by_region()",
        "tall()",
    ]
    slides = render.for_slides(nb)
    assert "plot_matrix()" not in [c.source for c in slides.cells] and "slide_note()" in [
        c.source for c in slides.cells
    ]
    # each figure keeps its number on the page
    numbers = [
        o.metadata.get(render.PAGE_FIGURE_KEY)
        for c in slides.cells
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert numbers == [2, 3]
    assert len(nb.cells) == 8  # the notebook itself is not changed
    body = render.notebook_html(nb)
    assert "only on slides" not in body and "plot_matrix" in body


def test_deck_shows_tagged_tables_keeps_page_numbers_and_cuts_tall_figures(tall_png, wide_png):
    slides = course.deck_slides(_notebook(tall_png, wide_png))
    kinds = [(s.kind, s.title) for s in slides if s.kind in ("figure", "table")]
    assert kinds[0] == ("table", "Table 5.4. Folded")  # the slides-too table; the untagged one is not shown
    assert kinds[1] == ("figure", "Figure 5.2. By region")  # Figure 5.1 is the page-only matrix
    bands = [t for k, t in kinds[2:]]
    assert len(bands) >= 2 and all(
        t.startswith(f"Figure 5.3 ({i}/{len(bands)}). Tall one") for i, t in enumerate(bands, 1)
    )
    deck = course.deck(_notebook(tall_png, wide_png), reveal_prefix="../assets/reveal")
    assert deck.count('class="sco-table"') == 1 and "T_plain" not in deck and "only on slides" not in deck
    assert "sco-zoom" in deck  # a click enlarges a figure (static/slides.js)


def test_bands_are_the_figure_cut_between_panels(tall_png):
    bands = render.figure_bands(tall_png)
    width, height = _size(tall_png)
    assert len(bands) == 3, [_size(b) for b in bands]  # one per panel, each with its legend
    sizes = [_size(b) for b in bands]
    assert all(w == width for w, _ in sizes) and sum(h for _, h in sizes) == height
    assert all(h <= render.BAND_MAX * width for _, h in sizes)
    # stacked again, the bands are the figure, pixel for pixel
    with Image.open(io.BytesIO(base64.b64decode(tall_png))) as im:
        whole = im.convert("RGBA").tobytes()
    joined = b"".join(Image.open(io.BytesIO(base64.b64decode(b))).convert("RGBA").tobytes() for b in bands)
    assert joined == whole
    # no cut inside a panel: every band's first and last rows are white
    for b in bands:
        with Image.open(io.BytesIO(base64.b64decode(b))) as im:
            grey = im.convert("L")
            w, h = grey.size
            assert int(np.asarray(grey)[0].min()) >= 250 or b == bands[0]
            assert int(np.asarray(grey)[-1].min()) >= 250 or b == bands[-1]


def test_a_figure_that_fits_a_slide_is_left_whole(wide_png):
    assert render.figure_bands(wide_png) == [wide_png]


@pytest.mark.parametrize("name", ["03_trade", "04_energy_pipelines", "05_analyst_views"])
def test_no_slide_of_the_committed_chapters_shows_a_figure_taller_than_wide(name):
    # Figures 3.8, 4.3, 4.4 and 5.2 were 1.2 to 2.5 times as tall as wide, fitted to a third of the slide
    nb = nbformat.read(paths.notebooks_dir() / f"{name}.ipynb", 4)
    for s in course.deck_slides(nb):
        if s.kind == "figure":
            w, h = _size(s.image)
            assert h <= render.TALL_FIGURE * w, (s.title, w, h)
