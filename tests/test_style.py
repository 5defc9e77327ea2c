"""House style: palette, source lines, deterministic figure files."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from helpers import data, style  # noqa: E402


def test_importing_style_changes_no_settings():
    # in a fresh interpreter: reloading the module here would give it new palette dicts that the
    # chapter modules, which imported the old ones, no longer share (tests/test_palette.py checks that)
    import subprocess
    import sys

    code = (
        "import matplotlib\n"
        "matplotlib.use('Agg')\n"
        "before = {k: repr(v) for k, v in matplotlib.rcParams.items()}\n"
        "from helpers import style\n"
        "after = {k: repr(v) for k, v in matplotlib.rcParams.items()}\n"
        "assert after == before, sorted(k for k in after if after[k] != before.get(k))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_each_country_has_its_own_colour():
    colours = list(style.COUNTRY_COLORS.values())
    assert len(colours) == len(set(colours))
    assert style.OTHER_COUNTRY_COLOR not in colours
    assert style.country_color("kaz") == style.COUNTRY_COLORS["KAZ"]
    assert style.country_color("FRA") == style.OTHER_COUNTRY_COLOR


def test_source_line_is_built_from_the_rows_drawn():
    sources = data.load("sources")
    first, second = sources["source_id"].iloc[0], sources["source_id"].iloc[1]
    rows = sources.iloc[[1, 0, 1]]
    line = style.source_line(rows)
    assert line.startswith("Source: ") and line.endswith(".")
    assert line.index(f"[{second}]") < line.index(f"[{first}]")  # first-seen order
    assert line.count(f"[{second}]") == 1
    many = list(sources["source_id"].iloc[:8])
    long_line = " ".join(style.source_line(many).split())
    assert long_line.startswith("Source: 8 documents listed in data/sources.csv: ")
    assert all(sid in long_line for sid in many)
    lots = list(sources["source_id"].iloc[:20])
    summary = " ".join(style.source_line(lots).split())
    assert summary.startswith("Source: 20 documents in data/sources.csv (")
    assert "this figure's CSV" in summary and lots[0] not in summary
    assert "metadata" not in summary  # no reader can see a PNG's metadata
    with pytest.raises(ValueError, match="not in data/sources.csv: nope"):
        style.source_line(["nope"])
    with pytest.raises(ValueError, match="at least one source"):
        style.source_line([])


def _figure(source_id):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([1, 2, 3], [3, 1, 2])
    style.add_source(fig, [source_id])
    return fig


def test_save_figure_is_deterministic_and_carries_its_source(tmp_path):
    sid = data.load("sources")["source_id"].iloc[0]
    a = style.save_figure(_figure(sid), "check_plot", folder=tmp_path / "a")
    b = style.save_figure(_figure(sid), "check_plot", folder=tmp_path / "b")
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    assert [p.suffix for p in a] == [".png", ".svg", ".csv"]
    assert f"[{sid}]" in Image.open(a[0]).text["Source"]
    assert f"[{sid}]" in a[1].read_text()
    plt.close("all")


def test_a_figure_with_many_sources_keeps_every_id_in_its_file(tmp_path):
    ids = list(data.load("sources")["source_id"].iloc[:20])
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([1, 2], [1, 2])
    caption = style.add_source(fig, ids)
    assert ids[5] not in caption  # the caption stays short...
    [png, _, _] = style.save_figure(fig, "many_sources", folder=tmp_path)
    meta = Image.open(png).text["Source"]
    assert all(sid in meta for sid in ids)  # ...the file names every source
    plt.close("all")


def test_save_figure_refuses_a_figure_without_source_or_a_vague_name(tmp_path):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="no source line"):
        style.save_figure(fig, "some_plot", folder=tmp_path)
    sid = data.load("sources")["source_id"].iloc[0]
    with pytest.raises(ValueError, match="lower-case words"):
        style.save_figure(_figure(sid), "Figure 1", folder=tmp_path)
    assert not list(tmp_path.iterdir())
    plt.close("all")


# --- tables ---------------------------------------------------------------------------

HOSTILE = ["<b>x</b>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def test_table_escapes_cells_index_labels_and_headers():
    import pandas as pd

    frame = pd.DataFrame({"<i>col</i>": HOSTILE, "value": [1.234, 2.0, None]}, index=["<u>a</u>", "b", "c"])
    shown = style.table(frame, "hostile")
    html = shown.to_html()
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;i&gt;col&lt;/i&gt;" in html
    assert "<script" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    # index labels are escaped too, should a caller show the index again
    shown.hide_index_ = [False]  # pandas has no public "unhide"
    with_index = shown.to_html()
    assert "&lt;u&gt;a&lt;/u&gt;" in with_index and "<u>" not in with_index
    # numbers keep their format, missing values stay empty, the id stays fixed
    assert ">1.23</td>" in html and ">2.00</td>" in html
    assert '<table id="T_hostile">' in html
    assert html == style.table(frame, "hostile").to_html()
