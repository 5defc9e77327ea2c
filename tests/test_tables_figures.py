"""Tables a reader can read and figures a reader can reuse and cite (issue 19).

Each test fails on something found on the site: a hidden row label, a cut
cell, ``106400.00``, raw codes, a long table with no expander, a chart without
its data, a figure without the project's name and licence, figures without
numbers or links.
"""

from __future__ import annotations

import csv
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers import data, figmeta, style  # noqa: E402


def cells(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)


def headers(html: str) -> list[str]:
    return re.findall(r'<th[^>]*class="col_heading[^"]*"[^>]*>(.*?)</th>', html, re.S)


# --- tables ---------------------------------------------------------------------------


def test_a_meaningful_index_is_shown_with_its_name_and_row_numbers_are_not():
    by_doc = pd.DataFrame(
        {"consistent": [3, 1], "inconsistent": [0, 2]},
        index=pd.Index(["Gao Fei (2010)", "Xinhua (2022)"], name="document"),
    )
    html = style.table(by_doc, "by_doc").to_html()
    assert "Gao Fei (2010)" in cells(html) and "Xinhua (2022)" in cells(html)
    assert headers(html)[0] == "Document"
    unnamed = pd.DataFrame({"n": [1, 2]}, index=["KAZ", "UZB"])  # labels, no name
    assert "KAZ" in cells(style.table(unnamed, "unnamed").to_html())
    filtered = pd.DataFrame({"n": [1, 2, 3]}).iloc[[0, 2]]  # row numbers left by filtering
    html = style.table(filtered, "filtered").to_html()
    assert cells(html) == ["1", "3"]
    assert cells(style.table(filtered, "forced", index=True).to_html()) == ["0", "1", "2", "3"]
    assert "KAZ" not in style.table(unnamed, "hidden", index=False).to_html()


def test_no_cell_text_is_truncated():
    long_text = "An exclusion reason that runs on and on, " * 12 + "and ends here."
    html = style.table(pd.DataFrame({"excluded": [long_text], "value": [1.5]}), "long_text").to_html()
    assert long_text in html
    assert "\u2026" not in html and "..." not in html


def test_integers_print_without_decimals_and_with_thousands_separators():
    frame = pd.DataFrame(
        {
            "value_usd_m": [106400.0, 2500.0, None],
            "rows": [1200, 3, 4],
            "ratio": [1.25, 0.5, 2.0],
            "year": [2016, 2017, 2018],
            "from": [1992, 2000, 2010],
        }
    )
    html = style.table(frame, "numbers").to_html()
    got = cells(html)
    assert "106,400" in got and "2,500" in got and "106400.00" not in html and "106,400.00" not in html
    assert "1,200" in got
    assert "1.25" in got and "0.50" in got and "2.00" in got  # one number of decimals per column
    assert "2016" in got and "1992" in got and "2,016" not in html  # years without a separator
    assert got[2::5] == ["1.25", "0.50", "2.00"]
    assert 'class="data row0 col0 sco-num"' in html  # numbers are right-aligned on the site


def test_codes_and_column_names_are_humanised():
    frame = pd.DataFrame(
        {
            "status": ["dialogue_partner", "member"],
            "cagr_percent": [3.5, 4.0],
            "estimate": [True, False],
            "source_id": ["gao2010", "gao2010"],
            "event_type": ["border_agreement", "summit"],
        }
    )
    html = style.table(frame, "codes").to_html()
    assert headers(html) == ["Status", "Compound annual rate (%)", "Estimate", "Source", "Event type"]
    got = cells(html)
    assert "Dialogue partner" in got and "Member" in got and "Border agreement" in got  # categories as labels
    assert "yes" in got and "no" in got and "True" not in got
    assert "gao2010" in got  # ids are never rewritten
    assert "dialogue_partner" not in html and "cagr_percent" not in html
    topics = style.table(
        pd.DataFrame({"topic": ["sco_history", "trade"], "share_of_central_asia_percent": [1.5, 2.0]}), "topics"
    ).to_html()
    assert cells(topics)[0::2] == ["SCO history", "Trade"]
    assert headers(topics) == ["Topic", "Share of Central Asia (%)"]
    html = style.table(
        frame, "codes2", labels={"status": "SCO status", "member": "Full member"}, units={"cagr_percent": "% a year"}
    ).to_html()
    assert headers(html)[:2] == ["SCO status", "Compound annual rate (% a year)"] and "Full member" in cells(html)


def test_a_long_table_carries_the_expander_marker_and_a_short_one_does_not():
    long = pd.DataFrame({"n": range(40)})
    assert 'data-sco-rows="25"' in style.table(long, "long").to_html()
    assert len(cells(style.table(long, "long").to_html())) == 40  # every row is in the notebook
    assert 'data-sco-rows="10"' in style.table(long, "long10", max_rows=10).to_html()
    assert "data-sco-rows" not in style.table(long.head(25), "short").to_html()
    assert "data-sco-rows" not in style.table(long, "off", max_rows=0).to_html()


def test_table_html_is_the_same_on_every_run_and_escapes_data():
    frame = pd.DataFrame(
        {"text": ["<script>alert(1)</script>", "a & b"], "n": [1, 2]},
        index=pd.Index(["<b>x</b>", "y"], name="<i>k</i>"),
    )
    html = style.table(frame, "same").to_html()
    assert html == style.table(frame, "same").to_html()
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;x&lt;/b&gt;" in html and "a &amp; b" in html


def test_dates_are_shown_at_the_precision_stored():
    assert style.date_label("2016-01") == "January 2016"
    assert style.date_label("2016") == "2016"
    assert style.date_label("2022-09-15") == "15 September 2022"
    assert style.date_label("2016-01-01", "year") == "2016"
    assert style.date_label("2021-09-01", "month") == "September 2021"
    assert style.date_label(None) == "" and style.date_label("about 2005") == "about 2005"
    events = pd.DataFrame(
        {"date": ["2016-01-01", "2014-09-01", "2001-06-15"], "date_precision": ["year", "month", "day"]}
    )
    got = cells(style.table(events, "events").to_html())
    assert got[0::2] == ["2016", "September 2014", "15 June 2001"]
    stored = pd.DataFrame({"since": ["2016", "2016-01"]})
    assert cells(style.table(stored, "stored", dates=["since"]).to_html()) == ["2016", "January 2016"]
    # text dates with a month are read at the precision written without asking (chapter 4's "2010-10")...
    assert cells(style.table(stored, "text_dates").to_html()) == ["2016", "January 2016"]
    # ...unless the caller says not to; ids that look like dates are never read as dates
    assert cells(style.table(stored, "as_is", dates=False).to_html()) == ["2016", "2016-01"]
    ids = pd.DataFrame({"row_id": ["2016-01"], "started": ["2014-09-13"]})
    assert cells(style.table(ids, "ids").to_html()) == ["2016-01", "13 September 2014"]


# --- figures ---------------------------------------------------------------------------


def _trade_figure(rows, *extra):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_title("Trade with Kazakhstan")
    ax.plot(rows["year"], rows["value"])
    style.add_source(fig, rows, *extra)
    return fig


def test_a_saved_figure_has_its_data_csv_with_row_and_source_ids(tmp_path):
    trade = data.load("trade")
    drawn = trade[(trade["partner_iso3"] == "KAZ") & (trade["flow"] == "total")].head(4)
    files = style.save_figure(_trade_figure(drawn, "naturalearth-50m-4-1-0"), "trade_check", folder=tmp_path)
    assert tmp_path / "trade_check.csv" in files
    with (tmp_path / "trade_check.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {"row_id", "source_id", "table"} <= set(rows[0])
    assert [r["row_id"] for r in rows[:4]] == list(drawn["row_id"])  # exactly the rows drawn, in order
    assert [r["source_id"] for r in rows[:4]] == list(drawn["source_id"])
    assert all(r["table"] == "trade" for r in rows[:4])
    assert rows[4]["source_id"] == "naturalearth-50m-4-1-0" and rows[4]["row_id"] == ""
    assert "draws no table rows" in rows[4]["note"] and len(rows) == 5
    again = style.save_figure(_trade_figure(drawn, "naturalearth-50m-4-1-0"), "trade_check", folder=tmp_path / "b")
    assert (tmp_path / "trade_check.csv").read_bytes() == again[-1].read_bytes()
    plt.close("all")


def test_a_table_without_row_id_is_keyed_by_its_primary_key(tmp_path):
    membership = data.load("sco_membership").head(2)
    fig, _ = plt.subplots()
    style.add_source(fig, membership)
    header, rows = figmeta.data_rows(fig)
    first = membership.iloc[0]
    assert rows[0][header.index("row_id")] == "|".join(
        str(first[k]) for k in ("country_iso3", "organisation", "status", "start_date")
    )
    plt.close("all")


def test_a_figure_drawn_from_source_ids_only_lists_them(tmp_path):
    fig, _ = plt.subplots()
    style.add_source(fig, "gao2010")
    style.save_figure(fig, "ids_only", folder=tmp_path)
    with (tmp_path / "ids_only.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows == [{"table": "", "row_id": "", "source_id": "gao2010", "note": figmeta.NO_ROWS_NOTE}]
    plt.close("all")


@pytest.mark.parametrize("n_sources", [1, 8, 20])
def test_the_source_line_ends_with_the_project_name_and_licence(n_sources):
    ids = list(data.load("sources")["source_id"].iloc[:n_sources])
    fig, _ = plt.subplots()
    line = " ".join(style.add_source(fig, ids, note="A note.").split())
    assert line.rstrip(".").endswith(f"{figmeta.PROJECT}, {figmeta.LICENCE}")
    assert "metadata" not in line
    assert any(t.get_text() == style.add_source(fig, ids, note="A note.") for t in fig.texts)
    plt.close("all")


def test_a_saved_figure_is_named_for_its_display_output(tmp_path):
    trade = data.load("trade").head(2)
    fig = _trade_figure(trade)
    assert not hasattr(fig, "_repr_mimebundle_")
    style.save_figure(fig, "named_check", folder=tmp_path)
    bundle, meta = fig._repr_mimebundle_()
    assert bundle == {}  # no data of its own: the PNG and text outputs are IPython's as before
    info = meta[figmeta.META_KEY]
    assert info["name"] == "named_check" and info["title"] == "Trade with Kazakhstan"
    assert info["source"].startswith("Source: ") and figmeta.CREDIT in info["source"]
    plt.close("all")


# --- the rendered page -----------------------------------------------------------------

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def _figure_output(meta=None):
    import nbformat

    out = nbformat.v4.new_output(
        "display_data", data={"image/png": PNG, "text/plain": "<Figure size 10x5 with 1 Axes>"}
    )
    if meta is not None:
        out.metadata[figmeta.META_KEY] = meta
    return out


def _page_notebook():
    import nbformat

    nb = nbformat.v4.new_notebook()
    first = nbformat.v4.new_code_cell('style.save_figure(fig, "trade_by_partner")\nplt.show()')
    first.outputs = [
        _figure_output(
            {
                "name": "trade_by_partner",
                "title": "Total trade <by> partner",
                "chapter": "03_trade",
                "source": "Source: X [gao2010]. Chart: " + figmeta.CREDIT,
            }
        )
    ]
    older = nbformat.v4.new_code_cell('style.save_figure(fig, "trade_shares")\nplt.show()')
    older.outputs = [_figure_output()]  # executed before figures carried their name
    loop = nbformat.v4.new_code_cell('for t in trips:\n    style.save_figure(fig, f"route_{t}")\n    plt.show()')
    loop.outputs = [_figure_output(), _figure_output()]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# China's trade with Central Asia\n\n## 2. Each partner"),
        first,
        nbformat.v4.new_markdown_cell("## 4. Shares"),
        older,
        loop,
        nbformat.v4.new_code_cell(
            "table",
            outputs=[
                nbformat.v4.new_output(
                    "execute_result",
                    data={
                        "text/html": style.table(pd.DataFrame({"n": range(30)}), "long").to_html(),
                        "text/plain": "x",
                    },
                    execution_count=1,
                )
            ],
        ),
    ]
    return nb


def test_a_rendered_page_numbers_its_figures_and_links_png_svg_csv_and_a_citation(tmp_path):
    from helpers import render

    for stem in ("trade_by_partner", "trade_shares"):
        for ext in ("png", "svg", "csv"):
            (tmp_path / f"{stem}.{ext}").write_text("x")
    page = render.notebook_html(_page_notebook(), figures_dir=tmp_path, figures_href="figures/03_trade/")
    figures = re.findall(r'<figure class="sco-figure" id="([^"]+)">(.*?)</figure>', page, re.S)
    assert [f[0] for f in figures] == ["figure-3-1", "figure-3-2", "figure-3-3", "figure-3-4"]
    first, older, loop_a, _ = (f[1] for f in figures)
    assert "Figure 3.1.</a> Total trade &lt;by&gt; partner</figcaption>" in first  # caption from the title, escaped
    for ext in ("png", "svg", "csv"):
        assert f'href="figures/03_trade/trade_by_partner.{ext}"' in first
        assert f'href="figures/03_trade/trade_shares.{ext}"' in older  # matched by the literal name in its cell
    assert "Cite this figure: " + figmeta.PROJECT.replace("&", "&amp;") in first and figmeta.LICENCE in first
    alt = re.search(r'alt="([^"]*)"', first).group(1)
    assert alt.startswith("Figure 3.1: Total trade &lt;by&gt; partner. Source: X [gao2010]")
    assert "Figure 3.2.</a> 4. Shares</figcaption>" in older  # no title: the section it is in
    assert "figures/03_trade/route_" not in loop_a and "sco-figlinks" not in loop_a  # unknown names: no links
    assert 'data-sco-rows="25"' in page and "Show all" in page  # the long table keeps its marker; the script is there
    nolinks = render.notebook_html(_page_notebook())
    assert "Figure 3.1." in nolinks and 'class="sco-figlinks"' not in nolinks


def test_the_site_copies_the_figure_files_a_page_links(tmp_path):
    page = '<a href="figures/03_trade/a.png">PNG</a> <a href="figures/03_trade/a.csv" download>CSV</a>'
    (tmp_path / "src").mkdir()
    for ext in ("png", "svg", "csv"):
        (tmp_path / "src" / f"a.{ext}").write_text(ext)
    copied = figmeta.copy_linked(page, "figures/03_trade/", tmp_path / "src", tmp_path / "site" / "03_trade")
    assert copied == ["a.csv", "a.png"]
    assert sorted(p.name for p in (tmp_path / "site" / "03_trade").iterdir()) == ["a.csv", "a.png"]


def test_in_a_kernel_the_displayed_figure_carries_its_name(tmp_path):
    """The whole route in a real kernel: save_figure, then plt.show() gives an output naming the figure."""
    import nbformat
    from nbclient import NotebookClient

    sid = data.load("sources")["source_id"].iloc[0]
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nfrom helpers import style\n"
            "fig, ax = plt.subplots(figsize=(3, 2))\nax.set_title('A check')\nax.plot([1, 2])\n"
            f"style.add_source(fig, {sid!r})\nstyle.save_figure(fig, 'kernel_check', folder={str(tmp_path)!r})\n"
            "plt.show()"
        )
    ]
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    [out] = [o for o in nb.cells[0].outputs if "image/png" in o.get("data", {})]
    assert out.metadata[figmeta.META_KEY]["name"] == "kernel_check"
    assert out.metadata[figmeta.META_KEY]["title"] == "A check"
    assert out.data["text/plain"].startswith("<Figure size")  # what nbval compares is unchanged
    assert (tmp_path / "kernel_check.csv").exists()


# --- the committed chapters --------------------------------------------------------------


def test_every_figure_of_the_committed_chapters_is_named_and_has_its_png_svg_and_data_csv():
    """What the site links for each figure exists in figures/ (a chapter refreshed since issue 19).

    Fails for a chapter executed before figures carried their name, or whose
    default run has not refreshed figures/ with the CSVs: ``./sco refresh <chapter>``.
    """
    import json

    from helpers import paths

    root = paths.repo_root()
    problems = []
    for path in sorted(paths.notebooks_dir().glob("[0-9]*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                if "image/png" not in out.get("data", {}):
                    continue
                name = (out.get("metadata", {}).get(figmeta.META_KEY) or {}).get("name")
                if not name:
                    problems.append(f"{path.stem}: a figure output without its name")
                    continue
                missing = [ext for ext in ("png", "svg", "csv") if not (root / "figures" / f"{name}.{ext}").is_file()]
                if missing:
                    problems.append(f"{path.stem}: figures/{name} has no {', '.join(missing)}")
    no_csv = [p.name for p in sorted((root / "figures").glob("*.png")) if not p.with_suffix(".csv").is_file()]
    assert not problems and not no_csv, (problems[:10], f"PNGs without their data CSV: {no_csv[:10]}")


# --- table numbers and captions (issue 19: "Table 3.2" as figures have "Figure 3.6") ---------------


def _caption(html: str) -> str:
    m = re.search(r"<caption>(.*?)</caption>", html, re.S)
    return m.group(1) if m else ""


def test_tables_are_numbered_per_chapter_in_display_order_with_a_caption(monkeypatch):
    from helpers import paths

    monkeypatch.setattr(paths, "_RUN", paths._RUN)
    paths.set_run("03_trade", {})
    first = style.table(pd.DataFrame({"n": [1]}), "built_first", caption="Built first, shown second")
    second = style.table(pd.DataFrame({"n": [2]}), "built_second", caption="Built second, shown first")
    never = style.table(pd.DataFrame({"n": [3]}), "never_shown")  # built, not shown: takes no number
    assert never is not None
    html_second = second._repr_html_()
    html_first = first._repr_html_()
    assert '<span class="sco-tabnum" id="table-3-1">Table 3.1.</span> Built second, shown first' in _caption(
        html_second
    )
    assert "Table 3.2." in _caption(html_first) and "Built first, shown second" in _caption(html_first)
    assert "Table 3.2." in _caption(first._repr_html_())  # shown again: the same number
    assert repr(second).startswith("Table 3.1 ('built_second'): Built second, shown first.")
    paths.set_run("01_sco_history", {})  # a new run starts again at 1, with its chapter's number
    assert "Table 1.1." in _caption(style.table(pd.DataFrame({"n": [1]}), "summits")._repr_html_())
    # a table without a caption of its own takes the chapter's (style.TABLE_CAPTIONS), else its name in words
    assert style.TABLE_CAPTIONS["01_sco_history:summits"] in _caption(
        style.table(pd.DataFrame({"n": [1]}), "summits")._repr_html_()
    )
    assert "Odd table name" in _caption(style.table(pd.DataFrame({"n": [1]}), "odd_table_name")._repr_html_())


def test_without_a_recorded_run_tables_are_numbered_without_a_chapter(monkeypatch):
    from helpers import paths

    monkeypatch.setattr(paths, "_RUN", None)
    figmeta.reset_table_numbers()
    assert "Table 1." in _caption(style.table(pd.DataFrame({"n": [1]}), "a")._repr_html_())
    assert "Table 2." in _caption(style.table(pd.DataFrame({"n": [1]}), "b")._repr_html_())


def test_the_solutions_working_tables_are_captioned_by_exercise_or_by_number_only(monkeypatch):
    from helpers import paths

    monkeypatch.setattr(paths, "_RUN", None)
    figmeta.reset_table_numbers()
    named = _caption(style.table(pd.DataFrame({"n": [1]}), "ex1_documents")._repr_html_())
    assert named.endswith("</span> Exercise 1: documents")
    for numbered in ("ex4_9", "ex_7792dfa5_1"):  # a number or a hash says nothing: the table number alone
        caption = _caption(style.table(pd.DataFrame({"n": [1]}), numbered)._repr_html_())
        assert caption.endswith(".</span>"), caption
        assert "Ex" not in caption
    assert repr(style.table(pd.DataFrame({"n": [1]}), "ex4_10")).endswith("('ex4_10'). 1 rows x 1 columns")


def test_category_codes_are_shown_as_labels_and_ids_units_and_text_are_not():
    frame = pd.DataFrame(
        {
            "event": ["arrives", "bilateral meeting", "leaves Beijing"],
            "announced_by_side": ["china", "partner", "joint"],
            "category": ["energy", "people_to_people", "trade"],
            "trip_id": ["xi-2022-09", "xi-2024-07", "xi-2022-09"],
            "unit": ["documents", "km", "bcm"],
            "notes": ["see above", "x", "Stated as 15 documents; the rest unnamed."],
            "source_id": ["gao2010", "gao2010", "gao2010"],
        }
    )
    got = cells(style.table(frame, "codes3").to_html())
    assert got[0::7] == ["Arrives", "Bilateral meeting", "Leaves Beijing"]
    assert got[1::7] == ["China", "Partner", "Joint"]
    assert got[2::7] == ["Energy", "People to people", "Trade"]
    assert got[3::7] == ["xi-2022-09", "xi-2024-07", "xi-2022-09"]  # ids as they are
    assert got[4::7] == ["documents", "km", "bcm"]  # units as they are
    assert got[5] == "see above"  # free text as it is
    assert got[6::7] == ["gao2010"] * 3


#: Column names of displayed tables that hold ids or are free text (never category codes).
_CODE_FREE = re.compile(
    r"(^|[_ ])(id|ids|iso3|code|url|seed|file|unit|units|text|notes?|title|claim|author|publisher)$|source|drawn"
)


@pytest.mark.parametrize(
    "chapter",
    ["01_sco_history", "02_xi_trips", "03_trade", "04_energy_pipelines", "05_analyst_views", "06_claims_vs_data"],
)
def test_every_table_a_chapter_shows_is_numbered_captioned_and_free_of_raw_codes(chapter, monkeypatch):
    """At the chapter's defaults: Table N.1, N.2, ... in display order, each with a written caption;
    no header left empty; no category shown as a lower-case code (chapter 2's ``arrives``, ``china``);
    no column of summit event ids (chapter 1's ``summit-2012-beijing``)."""
    from nbexec import run_chapter

    run = run_chapter(chapter, {}, monkeypatch=monkeypatch)
    tables = [o for o in run.outputs if hasattr(o, "_sco_caption")]
    assert tables, f"{chapter} shows no table"
    number = figmeta.chapter_number(chapter)
    names_seen = []
    problems = []
    for k, t in enumerate(tables, start=1):
        html = t._repr_html_()
        cap = _caption(html)
        names_seen.append(t.uuid)
        if f">Table {number}.{k}.</span>" not in cap:
            problems.append(f"{t.uuid}: caption {cap[:60]!r} is not Table {number}.{k}")
        written = t._sco_caption
        if not written or written.lower() == " ".join(t.uuid.replace("-", "_").split("_")).lower():
            problems.append(f"{t.uuid}: no caption but the table's name in words ({written!r})")
        if "" in headers(html) or any(not h.strip() for h in headers(html)):
            problems.append(f"{t.uuid}: a column without a header")
        for col in t.data.columns:
            lname = str(col).lower()
            values = [v for v in t.data[col] if isinstance(v, str)]
            if any(re.fullmatch(r"summit-\d{4}-[a-z-]+", v) for v in values):
                problems.append(f"{t.uuid}: column {col!r} shows summit event ids")
            if _CODE_FREE.search(lname):
                continue
            codes = sorted({v for v in values if re.fullmatch(r"[a-z]+(?:_[a-z]+)*", v)} - {"yes", "no"})
            if codes:
                problems.append(f"{t.uuid}: column {col!r} shows codes {codes[:5]}")
    assert len(names_seen) == len(set(names_seen)), f"table names shown twice: {names_seen}"
    assert not problems, "\n".join(problems)


def test_columns_of_prose_are_marked_to_keep_a_readable_width():
    """Chapter 2's outcome titles wrapped a word a line beside short columns (site CSS: td.sco-long)."""
    frame = pd.DataFrame(
        {
            "kind": ["pledge", "initiative"],
            "title": ["Joint Statement on the 30th anniversary of diplomatic relations", "A second long title " * 3],
            "n": [1, 2],
        }
    )
    html = style.table(frame, "prose").to_html()
    assert 'class="data row0 col1 sco-long"' in html
    assert "col0 sco-long" not in html and "col2 sco-long" not in html
    assert "td.sco-long" in (style.paths.repo_root() / "src/helpers/publish/static/site.css").read_text()


def test_words_are_not_cut_but_ids_may_break_anywhere():
    """Chapter 4's summary printed "Turkmenista/n": cells wrap between words; only ids and URLs break anywhere."""
    frame = pd.DataFrame({"from": ["Turkmenistan"], "source_id": ["oilandgaseurasia-2014-06-16-cacgp-line-c"]})
    html = style.table(frame, "wrap").to_html()
    assert 'class="data row0 col1 sco-id"' in html and "col0 sco-id" not in html
    css = (style.paths.repo_root() / "src/helpers/publish/static/site.css").read_text()
    rule = re.search(r"> table td \{[^}]*\}", css.replace("\n", " "))
    assert rule and "overflow-wrap: break-word" in rule.group(0) and "anywhere" not in rule.group(0)
    assert re.search(r"td\.sco-id \{ overflow-wrap: anywhere; \}", css)
