"""Every figure of every chapter's default run reads at the site's column width (issue 19: about 11 px at least).

tests/test_trips_text_size.py measures chapter 2's bar charts and explains the measure; this
runs each chapter's own cells (tests/nbexec.py, no kernel) and measures every figure it saves.
"""

from __future__ import annotations

import pytest
from nbexec import run_chapter
from test_trips_text_size import MIN_TEXT_PX, smallest_text_px

from helpers import parameters, style


@pytest.mark.parametrize("notebook", sorted(parameters.SPECS))
def test_every_default_figure_has_text_of_at_least_11_px_at_the_column_width(notebook, monkeypatch):
    sizes = []

    def measure(fig, *_a, **_kw):
        sizes.append(smallest_text_px(fig))
        return []

    monkeypatch.setattr(style, "layout_problems", measure)  # called once per saved figure
    run = run_chapter(notebook, {}, monkeypatch=monkeypatch, check_layout=True)
    assert run.figures and len(sizes) == len(run.figures)
    small = {name: size for name, size in zip(run.figures, sizes) if size[0] < MIN_TEXT_PX}
    assert not small, small
