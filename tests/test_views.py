"""Chapter 5: the statements, the codebook, the agreement helper and the seminar sheet."""

from __future__ import annotations

import csv
import math
from fractions import Fraction

import pandas as pd
import pytest

from helpers import data, parameters, paths
from helpers import views as vw
from helpers.__main__ import main as cli


@pytest.fixture(scope="module")
def st():
    return vw.statements_table(
        data.load("statements"),
        data.load("outlet_kinds"),
        data.load("view_events"),
        data.load("codebook_topics"),
        data.load("codebook_levels"),
    )


def _rows(table):
    with (paths.data_dir() / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --- Cohen's kappa against hand-worked cases ----------------------------------------------


def test_kappa_two_categories_by_hand():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    # p_o = 35/50 = 0.70; A says yes 25/50, B says yes 30/50:
    # p_e = 0.5*0.6 + 0.5*0.4 = 0.50; kappa = (0.70-0.50)/(1-0.50) = 0.40.
    a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    ag = vw.cohen_kappa(a, b, categories=["no", "yes"])
    assert ag.n == 50
    assert ag.observed == pytest.approx(0.70)
    assert ag.expected == pytest.approx(0.50)
    assert ag.kappa == pytest.approx(0.40)
    assert ag.table.loc["yes", "no"] == 5 and ag.table.loc["no", "yes"] == 10


def test_kappa_confidence_interval_by_hand():
    # Fleiss, Cohen & Everitt (1969), non-null standard error, on the 50 items above.
    # Shares p_ij (first coder, second coder): no/no .3, no/yes .2, yes/no .1, yes/yes .4;
    # margins first (no .5, yes .5), second (no .4, yes .6); p_e = .5, kappa = .4, 1 - kappa = .6.
    #   no/no:   .3 * (1 - (.5 + .4) * .6)^2 = .3 * .46^2 = .06348
    #   yes/yes: .4 * (1 - (.5 + .6) * .6)^2 = .4 * .34^2 = .04624
    #   yes/no:  .1 * (0 - (.6 + .5) * .6)^2 = .1 * .66^2 = .04356
    #   no/yes:  .2 * (0 - (.4 + .5) * .6)^2 = .2 * .54^2 = .05832
    #   sum .2116, minus (.4 - .5 * .6)^2 = .01 -> .2016; / (50 * .5^2) = .016128; se = .126996
    a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    ag = vw.cohen_kappa(a, b, categories=["no", "yes"])
    assert ag.se == pytest.approx(math.sqrt(0.016128))
    assert ag.ci_low == pytest.approx(0.4 - 1.959964 * math.sqrt(0.016128), abs=1e-6)  # 0.1511
    assert ag.ci_high == pytest.approx(0.4 + 1.959964 * math.sqrt(0.016128), abs=1e-6)  # 0.6489
    assert "95% CI 0.15 to 0.65" in str(ag)
    # with two levels, linear weights are the unweighted case, standard error included
    assert vw.cohen_kappa(a, b, categories=["no", "yes"], weights="linear").se == pytest.approx(ag.se)


def test_kappa_interval_is_cut_to_the_possible_range_and_undefined_with_kappa():
    near_perfect = vw.cohen_kappa([-2, -1, -1, 0, 1, 2], [-2, -1, 0, 0, 1, 1])
    assert near_perfect.ci_high == 1.0 and near_perfect.ci_low < near_perfect.kappa
    perfect = vw.cohen_kappa([-2, 0, 1, 2], [-2, 0, 1, 2])
    # the large-sample standard error is 0 at perfect agreement: no interval, and the text says why
    assert perfect.se == pytest.approx(0.0) and math.isnan(perfect.ci_low) and math.isnan(perfect.ci_high)
    assert "agree on every item" in perfect.ci_text()
    undefined = vw.cohen_kappa([1, 1, 1], [1, 1, 1])
    assert math.isnan(undefined.se) and undefined.ci_text() == "no confidence interval"


def test_kappa_on_the_stance_scale_by_hand():
    # Six statements; the coders agree on four: p_o = 4/6.
    # Margins over -2..2: A (1, 2, 1, 1, 1), B (1, 1, 2, 2, 0);
    # p_e = (1*1 + 2*1 + 1*2 + 1*2 + 1*0)/36 = 7/36; kappa = (24/36 - 7/36)/(29/36) = 17/29.
    a = [-2, -1, -1, 0, 1, 2]
    b = [-2, -1, 0, 0, 1, 1]
    ag = vw.cohen_kappa(a, b)
    assert ag.expected == pytest.approx(7 / 36)
    assert ag.kappa == pytest.approx(17 / 29)


def test_linear_weighted_kappa_by_hand():
    # Same six statements, weight |i-j|/4 on the five-level scale.
    # Observed: two one-step disagreements, each 1/4: mean 0.5/6 = 1/12.
    # Expected: sum of |i-j|/4 * a_i * b_j over 36 pairs, margins as above:
    #   a=-2 (1):  b at -1,0,1 -> 1*1/4 + 2*2/4 + 2*3/4 = 11/4
    #   a=-1 (2):  b at -2,0,1 -> 2*(1/4 + 2*1/4 + 2*2/4) = 14/4
    #   a= 0 (1):  b at -2,-1,1 -> 2/4 + 1/4 + 2/4 = 5/4
    #   a= 1 (1):  b at -2,-1,0 -> 3/4 + 2/4 + 2/4 = 7/4
    #   a= 2 (1):  b at -2,-1,0,1 -> 4/4 + 3/4 + 2*2/4 + 2*1/4 = 13/4
    #   total 50/4 over 36 = 25/72; kappa_w = 1 - (1/12)/(25/72) = 1 - 6/25 = 19/25.
    a = [-2, -1, -1, 0, 1, 2]
    b = [-2, -1, 0, 0, 1, 1]
    ag = vw.cohen_kappa(a, b, weights="linear")
    assert ag.observed == pytest.approx(1 - 1 / 12)
    assert ag.expected == pytest.approx(1 - 25 / 72)
    assert ag.kappa == pytest.approx(float(Fraction(19, 25)))


def test_quadratic_weights_count_a_far_disagreement_more():
    near = vw.cohen_kappa([-2, -1, 0, 1, 2], [-1, -1, 0, 1, 2], weights="quadratic")
    far = vw.cohen_kappa([-2, -1, 0, 1, 2], [2, -1, 0, 1, 2], weights="quadratic")
    assert near.kappa > far.kappa
    # unweighted, both are one disagreement in five with the same margins' shape
    assert vw.cohen_kappa([-2, -1, 0, 1, 2], [-1, -1, 0, 1, 2]).observed == pytest.approx(0.8)


def test_kappa_is_one_for_identical_codings_and_symmetric():
    a = [-2, 0, 1, 1, 2, -1]
    assert vw.cohen_kappa(a, a).kappa == pytest.approx(1.0)
    b = [-2, 0, 1, 0, 2, -2]
    assert vw.cohen_kappa(a, b).kappa == pytest.approx(vw.cohen_kappa(b, a).kappa)


def test_kappa_is_undefined_when_both_coders_use_one_level():
    ag = vw.cohen_kappa([1, 1, 1], [1, 1, 1])
    assert math.isnan(ag.kappa) and "undefined" in str(ag)


def test_kappa_can_be_negative():
    # systematic disagreement: worse than chance
    assert vw.cohen_kappa([-1, 1, -1, 1], [1, -1, 1, -1]).kappa < 0


@pytest.mark.parametrize(
    "a, b, kwargs, message",
    [
        ([1, 2], [1], {}, "different lengths"),
        ([], [], {}, "no items"),
        ([1, 3], [1, 2], {"categories": vw.LEVELS}, "uses 3, which is not on the scale"),
        ([1, None], [1, 2], {}, "no code for item 2"),
        ([1, 2], [1, 2], {"weights": "cubic"}, "weights='cubic' is not allowed"),
    ],
)
def test_kappa_refuses_bad_input_clearly(a, b, kwargs, message):
    with pytest.raises(ValueError, match=message):
        vw.cohen_kappa(a, b, **kwargs)


def test_kappa_bands():
    assert vw.kappa_label(-0.1) == "poor"
    assert vw.kappa_label(0.2) == "slight"
    assert vw.kappa_label(0.55) == "moderate"
    assert vw.kappa_label(0.80) == "substantial"
    assert vw.kappa_label(0.81) == "almost perfect"


# --- coders' sheets ----------------------------------------------------------------------------


def _sheet(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "text, message",
    [
        ("statement_id,level\nst-001,1\n", "needs the columns statement_id and stance; missing: stance"),
        ("statement_id,stance\nst-001,1\nst-001,2\n", "line 3: statement_id 'st-001' repeats line 2"),
        ("statement_id,stance\nst-999,1\n", "line 2: statement_id 'st-999' is not a known statement"),
        (
            "statement_id,stance\nst-001,3\n",
            "line 2: stance '3' for st-001 is not allowed; allowed: an integer from -2 to 2",
        ),
        ("statement_id,stance\nst-001,strong\n", "stance 'strong'"),
    ],
)
def test_read_coding_names_the_line_and_value(tmp_path, text, message):
    known = {r["statement_id"] for r in _rows("statements")}
    with pytest.raises(ValueError, match=message):
        vw.read_coding(_sheet(tmp_path, "a.csv", text), known_ids=known)


def test_read_coding_skips_blank_stances_and_reads_signs(tmp_path):
    sheet = vw.read_coding(_sheet(tmp_path, "a.csv", "statement_id,stance\nst-001,+1\nst-002,\u22122\nst-003,\n"))
    assert sheet.to_dict("records") == [
        {"statement_id": "st-001", "stance": 1},
        {"statement_id": "st-002", "stance": -2},
    ]


def test_cli_kappa_compares_a_sheet_with_the_project(tmp_path, capsys):
    rows = _rows("statements")[:4]
    stances = [int(r["stance"]) for r in rows]
    stances[3] += 1 if stances[3] < 2 else -1  # agree on three, one step apart on the fourth
    lines = [f"{r['statement_id']},{s}" for r, s in zip(rows, stances)]
    sheet = _sheet(tmp_path, "me.csv", "statement_id,stance\n" + "\n".join(lines) + "\n")
    assert cli(["kappa", str(sheet), str(paths.data_dir() / "statements.csv")]) == 0
    out = capsys.readouterr().out
    assert "n = 4, observed agreement 0.75" in out
    assert f"{len(_rows('statements')) - 4} statement(s) coded in only one file were left out" in out
    assert f"{rows[3]['statement_id']} [{rows[3]['topic_id']}]" in out


def test_cli_kappa_on_a_blank_sheet_says_what_to_do(tmp_path, capsys):
    assert (
        cli(
            [
                "kappa",
                str(paths.repo_root() / "seminar" / "05_coding_sheet.csv"),
                str(paths.data_dir() / "statements.csv"),
            ]
        )
        == 2
    )
    assert "fill in the stance column" in capsys.readouterr().err


def test_seminar_sheet_is_in_step_with_the_data():
    committed = pd.read_csv(paths.repo_root() / "seminar" / "05_coding_sheet.csv", dtype=str, keep_default_na=False)
    fresh = vw.coding_sheet(
        data.load("statements"), data.load("statements_recode"), list(data.load("codebook_topics")["topic_id"])
    )
    assert list(committed.columns) == list(vw.SHEET_COLUMNS)
    assert (committed["stance"] == "").all()
    assert committed["statement_id"].tolist() == fresh["statement_id"].tolist()
    assert committed["text"].tolist() == fresh["text"].astype(str).tolist()
    assert committed.groupby("topic_id").size().eq(2).all()


# --- the data's own rules ---------------------------------------------------------------------


def test_every_stance_is_a_level_the_codebook_defines():
    defined = {(r["topic_id"], int(r["level"])) for r in _rows("codebook_levels")}
    for r in _rows("statements") + [
        dict(r, topic_id=s["topic_id"])
        for s in _rows("statements")
        for r in _rows("statements_recode")
        if r["statement_id"] == s["statement_id"]
    ]:
        assert (r["topic_id"], int(r["stance"])) in defined, r


def test_every_topic_has_five_defined_levels_with_an_invented_example():
    levels = data.load("codebook_levels")
    for topic, g in levels.groupby("topic_id"):
        assert sorted(g["level"]) == list(vw.LEVELS), topic
        assert g["example"].str.startswith("Example (invented)").all(), topic


def test_statements_are_dated_as_their_source():
    sources = {r["source_id"]: r["date"] for r in _rows("sources")}
    for r in _rows("statements") + _rows("exercise_statements"):
        src = sources[r["source_id"]]
        if src != "n.d.":
            assert r["date"] == src, (r.get("statement_id") or r["exercise_id"], r["date"], src)


def test_every_analyst_the_seeds_name_is_in_the_table():
    speakers = {r["speaker"] for r in _rows("statements")}
    named = {  # people the seeds quote or paraphrase (seeds 000-004)
        "Xiao Bin",
        "Yun Sun",
        "Jakub Jakóbowski",
        "Nigel Gould-Davies",
        "Raffaello Pantucci",
        "Joseph Torigian",
        "Evan A. Feigenbaum",
        "Brian Wong and Iskander Akylbayev",
        "Reid Standish",
        "Vladimir Putin",
        "Shavkat Mirziyoyev",
        "Xi Jinping",
        "Hannan Hussain",
        "Aliya Mussabekova",
        "Bolat Nurgaliyev",
        "Cui Heng",
        "Zhang Xiao",
        "Li Ziguo",
        "Gao Fei",
        "Richard Myers",
    }
    assert named <= speakers, named - speakers


def test_exercise_statements_are_not_in_the_table():
    texts = {r["text"] for r in _rows("statements")}
    assert all(r["text"] not in texts for r in _rows("exercise_statements"))


def test_sentence_count():
    assert data.sentence_count("One. Two.") == 2
    assert data.sentence_count("One [...] still one. Two? Three!") == 3
    assert data.sentence_count("A flimsy institution ... it offers an alternative path.") == 1
    assert data.sentence_count("") == 0


@pytest.mark.parametrize(
    "column, row_id, bad, message",
    [
        ("stance", "st-001", "2", None),  # a defined level: loads
        ("topic_id", "st-001", "ca_agency", None),
        ("text", "st-005", "One sentence. Two sentences. And a third one.", "a quotation of 3 sentences; at most 2"),
        ("topic_id", "st-072", "russia_china", "differs in topic_id"),
        ("outlet_kind", "st-001", "blogger", "'blogger' does not resolve in outlet_kinds.outlet_kind"),
    ],
)
def test_damaged_statements_are_named(tmp_path, column, row_id, bad, message):
    import shutil

    shutil.copytree(paths.data_dir(), tmp_path / "data")
    path = tmp_path / "data" / "statements.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert (frame["statement_id"] == row_id).sum() == 1
    frame.loc[frame["statement_id"] == row_id, column] = bad
    frame.to_csv(path, index=False)
    if message is None:
        data.load("statements", data_dir=tmp_path / "data")
    else:
        with pytest.raises(data.DataValidationError, match=message):
            data.load("statements", data_dir=tmp_path / "data")


def test_a_stance_off_the_topics_scale_is_refused_with_the_levels(tmp_path):
    import shutil

    shutil.copytree(paths.data_dir(), tmp_path / "data")
    levels = tmp_path / "data" / "codebook_levels.csv"
    frame = pd.read_csv(levels, dtype=str, keep_default_na=False)
    # drop level 2 of china_aims: a statement coded +2 on it no longer resolves
    frame = frame[~((frame["topic_id"] == "china_aims") & (frame["level"] == "2"))]
    frame.to_csv(levels, index=False)
    with pytest.raises(
        data.DataValidationError,
        match=r"\(topic_id='china_aims', stance=2\) does not resolve in codebook_levels "
        r"\(topic_id, level\); codebook_levels.level with topic_id='china_aims': \[-2, -1, 0, 1\]",
    ):
        data.load("statements", data_dir=tmp_path / "data")


# --- the chapter's arrangements, on small hand-made tables ------------------------------------------


def _mini():
    return pd.DataFrame(
        {
            "statement_id": ["s1", "s2", "s3", "s4", "s5"],
            "speaker": ["A", "A", "A", "B", "C"],
            "voice": ["Chinese academic"] * 3 + ["Western press", "Western press"],
            "region": ["China"] * 3 + ["West", "West"],
            "topic_id": ["t1", "t1", "t2", "t1", "t1"],
            "topic": ["T one", "T one", "T two", "T one", "T one"],
            "event_id": ["e1", "e1", "e2", "e1", "e1"],
            "event": ["E one", "E one", "E two", "E one", "E one"],
            "stance": [-2, 1, 0, 2, 2],
            "date": ["2022-09-16", "2022", "2010", "2022-09-14", "2022-09-15"],
            "variant_of": [pd.NA, pd.NA, pd.NA, pd.NA, "s4"],
        }
    )


def test_stance_matrix_keeps_every_stance_and_the_median():
    median, text = vw.stance_matrix(_mini(), ["t1", "t2"])
    assert list(median.index) == ["A (Chinese academic)", "B (Western press)"]  # C is a variant row only
    assert median.loc["A (Chinese academic)", "t1"] == pytest.approx(-0.5)
    assert text.loc["A (Chinese academic)", "t1"] == "\u22122 +1"
    assert text.loc["A (Chinese academic)", "t2"] == "0"
    assert pd.isna(text.loc["B (Western press)", "t2"])


def test_stance_counts_count_primary_rows_only():
    counts = vw.stance_counts(_mini(), by="region").set_index(["topic", "region"])
    assert counts.loc[("T one", "West"), "n"] == 1 and counts.loc[("T one", "West"), "+2"] == 1
    assert counts.loc[("T one", "China"), ["\u22122", "+1", "n"]].tolist() == [1, 1, 2]


def test_event_readings_list_who_said_what_in_order():
    cells = vw.event_readings(_mini(), ["e1"]).set_index("topic")
    assert cells.loc["T one", "E one"] == "A (China) \u22122; A (China) +1; B (West) +2"


def test_select_filters_on_every_parameter(st):
    sel = vw.select(
        st,
        topics=["west_order"],
        outlet_kinds=["russian_official"],
        events=["trip-2024-07"],
        min_year=2024,
        max_year=2024,
    )
    expected = [
        r["statement_id"]
        for r in _rows("statements")
        if r["topic_id"] == "west_order"
        and r["outlet_kind"] == "russian_official"
        and r["event_id"] == "trip-2024-07"
        and r["date"].startswith("2024")
    ]
    assert expected and sel["statement_id"].tolist() == expected


def test_the_blind_recoding_covers_every_statement_once():
    ids = [r["statement_id"] for r in _rows("statements")]
    recode = [r["statement_id"] for r in _rows("statements_recode") if r["coder"] == "coder_b"]
    assert sorted(recode) == sorted(ids)


# --- parameters --------------------------------------------------------------------------------


def _defaults():
    return parameters.cell_defaults("05_analyst_views")


def test_an_empty_selection_names_the_kinds_that_have_statements():
    v = dict(_defaults(), topics=["west_reading"], outlet_kinds=["russian_official"])
    with pytest.raises(parameters.ParameterError, match="outlet_kinds.*those with any: .*cn_academic"):
        parameters.validate("05_analyst_views", v)


def test_an_empty_year_window_names_the_years_there_are():
    v = dict(_defaults(), events=["sco-general"], min_year=2011, max_year=2015)
    with pytest.raises(
        parameters.ParameterError, match=r"min_year.*2011-2015.*date from: 2008, 2010, 2016-2017, 2020-2021"
    ):
        parameters.validate("05_analyst_views", v)


def test_years_in_the_wrong_order_are_refused():
    v = dict(_defaults(), min_year=2024, max_year=2010)
    with pytest.raises(parameters.ParameterError, match="max_year.*from min_year \\(2024\\)"):
        parameters.validate("05_analyst_views", v)


def test_an_unknown_topic_lists_the_codebook():
    v = dict(_defaults(), topics=["economy"])
    with pytest.raises(parameters.ParameterError, match="topics.*russia_china, sco_substance"):
        parameters.validate("05_analyst_views", v)


def test_voices_by_event_counts_and_names_the_top_topic_unless_tied():
    mini = _mini()
    table = vw.voices_by_event(mini, ["e1", "e2"]).set_index(["event", "region"])
    assert table.loc[("E one", "China"), ["statements", "topics", "top topic", "on it"]].tolist() == [2, 1, "T one", 2]
    assert table.loc[("E one", "West"), "statements"] == 1  # s5 is a variant row
    extra = mini.iloc[[2, 2]].assign(statement_id=["s6", "s7"], event_id="e1", event="E one")
    tie = pd.concat([mini, extra])  # China on e1: two statements on T one, two on T two
    row = vw.voices_by_event(tie, ["e1"]).set_index("region").loc["China"]
    assert row["top topic"] == "" and row["topics"] == 2 and pd.isna(row["on it"])


# --- issues 16 and 20: what a run says about its selection -----------------------------------


def test_unnamed_voices_of_one_kind_are_one_speaker(st):
    frame = pd.DataFrame(
        {
            "speaker": ["Unnamed observers", "Unattributed (article narration)", "Xi Jinping", "Unnamed analysts"],
            "voice": ["Chinese state media", "Chinese state media", "Chinese official", "Western press"],
        }
    )
    assert vw.speaker_key(frame).tolist() == [
        "Unnamed voices (Chinese state media)"
    ] * 2 + [  # the voice as written: "Chinese" keeps its capital
        "Xi Jinping",
        "Unnamed voices (Western press)",
    ]
    assert vw.speaker_count(frame) == 3
    assert vw.speaker_count(st) < st["speaker"].nunique()


def test_routes_come_from_the_outlet_and_the_outlet_read_through():
    outlets = pd.DataFrame(
        {
            "outlet_id": ["cdt", "globaltimes", "kazinform", "voa", "carnegie", "x"],
            "country": ["United States", "China", "Kazakhstan", "United States", "United States", "-"],
            "funding_basis": [
                "independent_press",
                "state_media",
                "state_media",
                "state_funded_international",
                "think_tank",
                "not_established",
            ],
        }
    )
    frame = pd.DataFrame(
        {
            "outlet_id": ["rferl", "globaltimes", "kazinform", "voa", "carnegie", "x"],
            "via_outlet_id": ["cdt", "x", None, "carnegie", None, None],
        }
    )
    assert vw.route(frame, outlets).tolist() == [
        vw.ROUTES[1],
        vw.ROUTES[0],
        vw.ROUTES[2],
        vw.ROUTES[3],
        vw.ROUTES[4],
        vw.ROUTES[4],
    ]


def test_composition_adds_up_and_is_said_as_a_fact_about_the_collection(st):
    table = vw.composition(st).set_index("region of the speaker")
    counted = data.primary(st)
    assert table.loc["all regions", "all routes"] == len(counted)
    assert (
        table.drop(index="all regions").drop(columns="all routes").sum(axis=1)
        == table["all routes"].drop("all regions")
    ).all()
    text = vw.composition_sentence(st)
    assert f"{len(counted)} counted statements" in text and "not opinion in any country" in text


def test_the_missing_trips_note_names_the_parameter_that_removed_them(st):
    topics, kinds = list(parameters.view_topics()), list(parameters.view_outlet_kinds())
    by_window = vw.no_trips_reason(st, topics, kinds, ["trip-2022-09", "sco-general"], 2008, 2021)
    assert "`min_year/max_year`" in by_window and "`events`" not in by_window
    by_events = vw.no_trips_reason(st, topics, kinds, ["sco-general"], 2008, 2024)
    assert "parameter `events`" in by_events
    cn_only_2022 = st[(st["event_id"] == "trip-2022-09")]
    absent = sorted(set(kinds) - set(cn_only_2022["outlet_kind"]))
    if absent:
        by_kinds = vw.no_trips_reason(st, topics, absent, ["trip-2022-09"], 2008, 2024)
        assert "`outlet_kinds`" in by_kinds


def test_kappa_is_never_quoted_without_the_ai_second_coder():
    a = vw.cohen_kappa([1, 0, -1, 2], [1, 0, 0, 2])
    assert "AI helper agent" in vw.kappa_sentence(a, a)


def _default_figures(st):
    import matplotlib

    matplotlib.use("Agg")
    from helpers import style

    style.apply()
    topics = list(data.load("codebook_topics")["topic_id"])
    ends = vw.scale_ends(data.load("codebook_topics"), data.load("codebook_levels"))
    median, text = vw.stance_matrix(st, topics)
    matrix = vw.plot_stance_matrix(median, text, ends, title="Stances", regions=vw.speaker_regions(st)).figure
    trips = st[st["event_id"].isin(["trip-2022-09", "trip-2024-07"])]
    return [
        matrix,
        vw.plot_by_voice(st, topics, ends),
        vw.plot_event_readings(trips, ["trip-2022-09", "trip-2024-07"], topics, ends),
    ]


def test_chapter_figures_are_legible_at_the_site_column_width(st):
    # issue 19: the stance matrix rendered with ~6 px labels; at most 10 in wide and no text under 10 pt
    # keeps every label at about 11 px or more in the site's 900 px column
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from helpers import style

    for fig in _default_figures(st):
        assert fig.get_figwidth() <= 10.0
        sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        assert min(sizes) >= 10, min(sizes)
        assert style.layout_problems(fig) == []
        plt.close(fig)


def test_stance_matrix_has_one_panel_per_region_present(st):
    import matplotlib.pyplot as plt

    regions = vw.speaker_regions(st)
    fig = _default_figures(st)[0]
    headings = [t.get_text() for ax in fig.axes for t in ax.texts if t.get_fontweight() == "bold"]
    assert headings == [f"{r} ({int((regions == r).sum())})" for r in vw.REGIONS if r in set(regions)]
    plt.close("all")


def test_key_findings_quote_the_run(st):
    recode = data.load("statements_recode")
    ours = data.primary(st)[["statement_id", "stance"]]
    theirs = recode[recode["coder"] == "coder_b"][["statement_id", "stance"]]
    overall, _, _ = vw.compare_codings(ours, theirs, st)
    linear, _, _ = vw.compare_codings(ours, theirs, weights="linear")
    ends = vw.scale_ends(data.load("codebook_topics"), data.load("codebook_levels"))
    md = vw.key_findings(st, list(data.load("codebook_topics")["topic_id"]), ends, overall, linear)
    assert f"{len(data.primary(st))} counted statements" in md
    assert overall.ci_text() in md and "AI helper agent" in md
    by_region = data.primary(st)["region"].value_counts()
    assert "by region of the speaker: " + ", ".join(f"{r} {by_region[r]}" for r in vw.REGIONS if r in by_region) in md
    one = st[st["outlet_kind"] == "cn_official"]
    assert f"{len(data.primary(one))} counted statement" in vw.key_findings(one, ["china_aims"], ends, overall, linear)


# --- the stance matrix on a projected slide (issue 21): one row per region, composition beside it ---


def _ends():
    return vw.scale_ends(data.load("codebook_topics"), data.load("codebook_levels"))


def test_region_matrix_folds_the_matrix_to_regions_and_keeps_every_count(st):
    topics = list(data.load("codebook_topics")["topic_id"])
    cells, medians = vw.region_matrix(st, topics, _ends())
    counted = data.primary(st)
    assert list(cells.index) == [r for r in vw.REGIONS if r in set(counted["region"])]
    assert len(cells.columns) == len(topics) + 1 and cells.columns[-1] == "counted statements, by route"
    label = _ends().set_index("topic_id")["topic"]
    for t in topics:
        g = counted[counted["topic_id"] == t].groupby("region")["stance"]
        for region in cells.index:
            cell = cells.loc[region, label[t]]
            if region in g.groups:
                n = len(g.get_group(region))
                assert cell.endswith(f"({n})") and medians.loc[region, label[t]] == g.get_group(region).median()
            else:
                assert cell == "" and math.isnan(medians.loc[region, label[t]])
    # the composition beside the summary: the route column adds up to the composition table
    comp = vw.composition(st).set_index("region of the speaker")["all routes"]
    for region, text in cells["counted statements, by route"].items():
        total, _, parts = text.partition(": ")
        assert int(total) == comp[region] == sum(int(p.split()[0]) for p in parts.split(", "))


def test_region_matrix_table_is_coloured_like_the_figure(st):
    topics = ["china_aims", "sco_substance"]
    html = vw.region_matrix_table(st, topics, _ends()).to_html()
    cells, medians = vw.region_matrix(st, topics, _ends())
    for m in medians.to_numpy().ravel():
        if not math.isnan(m):
            assert vw.LEVEL_COLORS[math.floor(m + 0.5)] in html
    assert "counted statements, by route" in html.replace("Counted", "counted")


def test_chapter_5_shows_the_region_matrix_with_the_figure_and_before_the_summary():
    import nbformat

    nb = nbformat.read(paths.notebooks_dir() / "05_analyst_views.ipynb", 4)
    code = [c.source for c in nb.cells]
    fig = next(i for i, s in enumerate(code) if "plot_stance_matrix" in s)
    table = next(i for i, s in enumerate(code) if "region_matrix_table" in s)
    summary = next(i for i, s in enumerate(code) if "stance_summary" in s)
    assert fig < table < summary
    assert "save_figure" in code[fig]  # the figure stays on the page
    # a ### heading in the cell's Markdown output gives it a slide of its own (helpers.render.slide_types)
    assert 'prose.md("### ' in code[table]


def test_every_kappa_the_chapter_quotes_names_the_ai_coder_and_its_interval(st):
    ours = data.primary(st)[["statement_id", "stance"]]
    recode = data.load("statements_recode")
    theirs = recode[recode["coder"] == "coder_b"][["statement_id", "stance"]]
    overall, _, _ = vw.compare_codings(ours, theirs, st)
    linear, _, _ = vw.compare_codings(ours, theirs, weights="linear")
    topics = list(data.load("codebook_topics")["topic_id"])
    quoted = {
        "sentence": vw.kappa_sentence(overall, linear),
        "key findings": vw.key_findings(st, topics, _ends(), overall, linear),
        "key output": "kappa vs AI second coder: " + vw.key_outputs(st, overall)["kappa vs AI second coder"],
    }
    for where, text in quoted.items():
        assert "AI" in text, where
        assert "95% CI" in text, where


def test_stance_matrix_title_is_the_figures_suptitle(st):
    # issue 19: the title was loose text placed by hand, so the site captioned the matrix by its
    # section and the layout check did not know it as the title
    import matplotlib.pyplot as plt

    from helpers import figmeta, style

    fig = _default_figures(st)[0]
    assert fig._suptitle is not None and fig._suptitle.get_text() == "Stances"
    assert figmeta.figure_title(fig) == "Stances"
    assert [t for t in fig.texts if t.get_text() == "Stances"] == [fig._suptitle]  # not also loose text
    assert style.layout_problems(fig) == []
    plt.close("all")


def test_chapter_5_slides_show_the_region_table_not_the_speaker_matrix():
    # issue 19: the speaker-by-topic matrix is 2.5 times as tall as wide, unreadable on a 16:9 slide;
    # its folded form (one row per region) is what the slides show
    import nbformat

    from helpers.publish import course

    nb = nbformat.read(paths.notebooks_dir() / "05_analyst_views.ipynb", 4)
    [matrix] = [c for c in nb.cells if "plot_stance_matrix" in c.source]
    [table] = [c for c in nb.cells if "region_matrix_table" in c.source]
    assert "page-only" in matrix.metadata["tags"] and "slides-too" in table.metadata["tags"]
    slides = course.deck_slides(nb)
    tables = [s for s in slides if s.kind == "table"]
    assert [s.title.split(".")[0] for s in tables] == ["Table 5"] and "Median stance by region" in tables[0].title
    assert "T_region_matrix" in tables[0].html and "background-color" in tables[0].html
    assert not any("Stances by speaker and topic" in s.title for s in slides)
    # the section's slide does not describe the matrix the slides leave out ("Each row is a speaker")
    section = next(s for s in slides if s.title.startswith("2. Who says what"))
    assert "one row per region" in section.body and "Each row is a speaker" not in section.body
    # the figures after it keep their numbers on the page: the first on the slides is Figure 5.2
    assert next(s for s in slides if s.kind == "figure").title.startswith("Figure 5.2")
