"""Chapter 5 on the whole parameter space (issue 16): every accepted set runs and reads true.

Hypothesis draws parameter sets from the chapter's declared parameters
(topics, kinds of voice and events as non-empty subsets, any window of
document years). Sets that validation refuses are skipped; every accepted set
must run the chapter's code to the end (tests/nbexec.py, no kernel) and its
computed prose must describe that run: the counts and speakers of the
selection, only the chosen topics and the regions of the chosen voices in the
stance summaries, the collection's composition beside every stance summary,
the AI second coder named wherever kappa is quoted, and a note on the missing
trips that names the parameter that removed them.

The many-example test replaces the three drawing functions by stand-ins that
return an empty figure (the chapter's data and prose are computed as usual);
a second test draws the real figures for fewer sets and fails on colliding
text. Invalid sets are drawn separately and must be refused by validation,
naming the parameter. Two drawn variants run through papermill.

``SCO_PROP_EXAMPLES`` sets the number of examples (default 8 for a quick loop, see conftest; CI uses 200).
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from nbexec import run_chapter, run_in_kernel

from helpers import data, parameters
from helpers import views as vw
from helpers.core.parameters import ParameterError

NB = "05_analyst_views"
EXAMPLES = int(os.environ.get("SCO_PROP_EXAMPLES", "8"))
#: The same draws on every run (as chapters 1, 2 and 6): CI cannot fail on a set no earlier run
#: tried; SCO_PROP_RANDOM=1 draws new sets, to explore.
SETTINGS = dict(
    deadline=None,
    derandomize=os.environ.get("SCO_PROP_RANDOM") != "1",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TOPICS, KINDS, EVENTS = parameters.view_topics(), parameters.view_outlet_kinds(), parameters.view_events()
FIRST, LAST = parameters.view_first_year(), parameters.view_latest_year()
KIND_REGION = dict(zip(data.load("outlet_kinds")["outlet_kind"], data.load("outlet_kinds")["region"]))
TOPIC_LABEL = dict(zip(data.load("codebook_topics")["topic_id"], data.load("codebook_topics")["label"]))
DEFAULT_NOTE = "written for the chapter's default run"
TRIPS = ("trip-2022-09", "trip-2024-07")


@st.composite
def param_sets(draw):
    a, b = draw(st.integers(FIRST, LAST)), draw(st.integers(FIRST, LAST))
    return {
        "topics": draw(st.lists(st.sampled_from(TOPICS), min_size=1, max_size=len(TOPICS), unique=True)),
        "outlet_kinds": draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=len(KINDS), unique=True)),
        "events": draw(st.lists(st.sampled_from(EVENTS), min_size=1, max_size=len(EVENTS), unique=True)),
        "min_year": min(a, b),
        "max_year": max(a, b),
    }


def accepted(values):
    try:
        return parameters.validate(NB, values)
    except ParameterError:
        assume(False)


def fast_figures(monkeypatch):
    import matplotlib.pyplot as plt

    def fig(*_a, **_k):
        return plt.subplots(figsize=(2, 2))[0]

    monkeypatch.setattr(vw, "plot_stance_matrix", lambda *a, **k: fig().axes[0])
    monkeypatch.setattr(vw, "plot_by_voice", fig)
    monkeypatch.setattr(vw, "plot_event_readings", fig)


def check_prose(run, p):
    ns = run.namespace
    shown = ns["shown"]
    counted = data.primary(shown)
    outputs = [o.data for o in run.outputs if type(o).__name__ == "Markdown"]
    md = "\n\n".join(outputs)
    assert "**This run:**" in md
    # counts and speakers of the selection (unnamed voices of one kind counted once)
    assert f"{len(counted)} counted statements by {vw.speaker_count(counted)} speakers or outlets" in md
    assert vw.speaker_count(counted) <= counted["speaker"].nunique()
    regions = {KIND_REGION[k] for k in p["outlet_kinds"]}
    for text in outputs:
        if DEFAULT_NOTE in text:
            text = text.split("In the default run")[0]  # the default run's reading, marked as such
        # stance summaries: chosen topics only, regions of the chosen voices only; composition beside them
        if "median by region of the speaker" in text:
            for label in (TOPIC_LABEL[t] for t in TOPICS if t not in p["topics"]):
                assert f"*{label}*" not in text, f"{label} summarised in a run of {p['topics']}"
            for region in re.findall(r"(?:: |, )(China|Russia|Central Asia|West|Unclassified) [+−\d]", text):
                assert region in regions, f"{region} summarised in a run of {p['outlet_kinds']}"
        if "kappa" in text.lower():
            assert "AI helper agent" in text, "kappa quoted without saying who the second coder was"
    # the matrix folded to regions (the slide's form of it) follows the figure in every run (issue 21)
    assert any(t.startswith("### The matrix by region") for t in outputs)
    summaries = sum("median by region of the speaker" in t for t in outputs)
    assert summaries and sum("What this selection is" in t for t in outputs) >= summaries
    # the trips: drawn when the selection has statements about them, else the reason names the parameter
    on_trips = counted[counted["event_id"].isin(TRIPS)]
    note = [t for t in outputs if t.startswith("No statements about the 2022 or 2024 trips")]
    if len(on_trips):
        assert not note
    else:
        [note] = note
        no_trip_event = not any(e in p["events"] for e in TRIPS)
        assert ("`events`" in note) == no_trip_event, note
        if not no_trip_event:
            assert re.search(r"`(topics|outlet_kinds|min_year/max_year)`", note), note
    assert ns["overall"].n == len(counted)
    assert ns["run_key_outputs"], "key outputs are empty"


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(values=param_sets())
def test_every_accepted_set_runs_and_its_prose_follows_it(values, monkeypatch):
    p = accepted(values)
    fast_figures(monkeypatch)
    run = run_chapter(NB, values, monkeypatch=monkeypatch)
    check_prose(run, p)


@settings(max_examples=max(3, EXAMPLES // 20), **SETTINGS)
@given(values=param_sets())
def test_figures_of_accepted_sets_have_no_colliding_text(values, monkeypatch):
    p = accepted(values)
    run = run_chapter(NB, values, check_layout=True, monkeypatch=monkeypatch)
    bad = {name: problems for name, problems in run.layout.items() if problems}
    assert not bad, bad
    check_prose(run, p)


@pytest.mark.parametrize(
    "values",
    [
        {},  # the default run
        {"max_year": 2021},  # before the trips: the note names the window
        {"outlet_kinds": ["cn_official", "cn_state_media", "cn_academic"]},
        {"topics": ["west_order"], "events": ["trip-2022-09", "trip-2024-07"]},
        {"events": ["sco-general"], "outlet_kinds": ["western_think_tank", "western_academic"]},
    ],
)
def test_chosen_variants_draw_clean_figures(values, monkeypatch):
    p = parameters.validate(NB, {**parameters.cell_defaults(NB), **values})
    run = run_chapter(NB, values, check_layout=True, monkeypatch=monkeypatch)
    assert not any(run.layout.values()), run.layout
    check_prose(run, p)


def test_the_window_not_events_is_named_when_max_year_removes_the_trips(monkeypatch):
    run = run_chapter(NB, {"max_year": 2021}, monkeypatch=monkeypatch)
    [note] = [o.data for o in run.outputs if type(o).__name__ == "Markdown" and "No statements about" in o.data]
    assert "`min_year/max_year`" in note and "`events`" not in note


def test_unnamed_state_media_voices_are_one_speaker():
    everything = vw.statements_table(
        data.load("statements"),
        data.load("outlet_kinds"),
        data.load("view_events"),
        data.load("codebook_topics"),
        data.load("codebook_levels"),
    )
    cn = everything[everything["outlet_kind"] == "cn_state_media"]
    unnamed = cn[vw.is_unnamed(cn["speaker"])]
    assert unnamed["speaker"].nunique() >= 2  # several labels in the data ...
    assert vw.speaker_key(unnamed).nunique() == 1  # ... one voice in the counts and the matrix
    assert vw.speaker_count(cn) == cn["speaker"].nunique() - unnamed["speaker"].nunique() + 1


BREAKS = {
    "topics": st.sampled_from([[], ["nope"], "sco_substance,nope", 5]),
    "outlet_kinds": st.sampled_from([[], ["pundit"], None]),
    "events": st.sampled_from([[], ["trip-2023"], 2022]),
    "min_year": st.one_of(st.integers(1000, FIRST - 1), st.integers(LAST + 1, 3000), st.just("2010")),
    "max_year": st.one_of(st.integers(1000, FIRST - 1), st.integers(LAST + 1, 3000), st.just(2020.5)),
}


@settings(max_examples=max(20, EXAMPLES // 2), **SETTINGS)
@given(values=param_sets(), data=st.data())
def test_invalid_sets_are_refused_naming_the_parameter(values, data):
    name = data.draw(st.sampled_from(sorted(BREAKS)))
    bad = {**values, name: data.draw(BREAKS[name])}
    with pytest.raises(ParameterError) as info:
        parameters.validate(NB, bad)
    assert f"'{name}'" in str(info.value)


@settings(max_examples=max(10, EXAMPLES // 4), **SETTINGS)
@given(values=param_sets())
def test_reversed_windows_are_refused_naming_max_year(values):
    if values["min_year"] < values["max_year"]:
        with pytest.raises(ParameterError, match="'max_year'"):
            parameters.validate(NB, {**values, "min_year": values["max_year"], "max_year": values["min_year"]})


@pytest.mark.parametrize(
    "values",
    [
        {
            "outlet_kinds": ["central_asian_official", "central_asian_scholar", "central_asian_public"],
            "topics": ["china_aims", "sco_substance"],
        },
        {"events": ["trip-2022-09", "sco-general"], "min_year": 2022, "max_year": 2022},
    ],
)
def test_drawn_variants_run_through_papermill(values, tmp_path, monkeypatch):
    """Two variants of the kind Hypothesis draws, through the real runner and a kernel."""
    _, text = run_in_kernel(NB, values, tmp_path, monkeypatch)
    assert "**This run:**" in text and "What this selection is" in text
