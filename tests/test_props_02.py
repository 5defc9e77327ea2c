"""Chapter 2 over its whole parameter space (issue 16): every accepted set runs to the end and reads true.

Hypothesis draws the trips, whether to show the context visits and the
outcome categories from the chapter's declared parameters; each set the
validator accepts is run through the chapter's own code in-process
(tests/nbexec.py, no kernel) and its computed prose is checked against the
run: a one-trip run makes no comparison of two trips and names no stop of the
other trip, a category left out is never said to lead, the context visits
appear only when asked for, the skipped leaders' dinner is never drawn as an
event Xi attended, and no figure has colliding text. Sets it refuses must be
refused with a ParameterError naming the parameter. SCO_PROP_EXAMPLES sets
the number drawn. Two drawn sets also run through the real runner
(papermill, a kernel) at the end.
"""

from __future__ import annotations

import os
import random
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from nbexec import run_chapter, run_in_kernel

from helpers import parameters
from helpers import trips as xi

NB = "02_xi_trips"
SPEC = parameters.spec_for(NB).by_name()
TRIPS = list(SPEC["trips"]._choices())
CATEGORIES = list(SPEC["categories"]._choices())
EXAMPLES = int(os.environ.get("SCO_PROP_EXAMPLES", "8"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("SCO_PROP_RANDOM") != "1",  # SCO_PROP_RANDOM=1: new draws, to explore
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)

param_sets = st.fixed_dictionaries(
    {
        "trips": st.lists(
            st.sampled_from(TRIPS).map(lambda y: int(y) if y.endswith("4") else y), min_size=1, unique=True
        ),
        "include_context": st.booleans(),
        "categories": st.lists(st.sampled_from(CATEGORIES), min_size=1, unique=True),
    }
)

NOTE = "*Note: the passage above was written for the chapter's default run."
#: What only one trip has: its month, and the cities only it stopped in.
ONLY = {"2022": ("September 2022", "Samarkand"), "2024": ("July 2024", "Dushanbe")}


def _accepted(values):
    try:
        return parameters.validate(NB, {**parameters.cell_defaults(NB), **values})
    except parameters.ParameterError:
        return None


def _computed(markdown: str) -> str:
    """The run's Markdown without passages flagged as written for the default run."""
    paras = [p for p in re.split(r"\n\s*\n", markdown) if p.strip()]
    keep = [
        p
        for i, p in enumerate(paras)
        if not p.startswith(NOTE) and not (i + 1 < len(paras) and paras[i + 1].startswith(NOTE))
    ]
    return "\n\n".join(keep)


def _everything(run) -> str:
    """Markdown, tables (a Styler's HTML: ChapterRun.text() takes a Styler for a DataFrame) and printed text."""
    parts = [o.to_html() if hasattr(o, "to_html") else getattr(o, "data", None) or repr(o) for o in run.outputs]
    return "\n".join(parts + [run.stdout])


@SETTINGS
@given(values=param_sets)
def test_every_accepted_set_runs_to_the_end_and_reads_true(values, monkeypatch):
    p = _accepted(values)
    assume(p is not None)
    run = run_chapter(NB, values, check_layout=True, monkeypatch=monkeypatch)
    chosen, context, categories = p["trips"], p["include_context"], p["categories"]
    text = _computed(run.markdown())
    everything = _everything(run)
    if len(chosen) == 1:
        for phrase in ("Both trips", "two trips", "on each trip", "each trip's", "The two trips"):
            assert phrase not in text, phrase
        [other] = set(TRIPS) - set(chosen)
        for word in ONLY[other]:
            assert word not in text, word
        assert "## 1. The trip at a glance" in text
    else:
        assert "## 1. The two trips at a glance" in text
    # a category left out is never said to lead or to appear
    for cat in set(CATEGORIES) - set(categories):
        label = xi.CATEGORY_LABELS[cat].lower()
        assert not re.search(rf"\b{re.escape(label)} (leads?|\(\d+\))", text), (label, text)
        assert f"{xi.CATEGORY_LABELS[cat]} appears only" not in text
    # the counts shown are the categories chosen, in order
    assert list(run.namespace["counts"].index) == [c for c in CATEGORIES if c in categories]
    # context visits only when asked for
    if context:
        assert "xi-2013-09" in everything
    else:
        assert "xi-2013-09" not in everything
        assert "is not shown in this run" in text
    # the leaders' dinner Xi skipped is a non-attendance, never an event of his trip
    if "2022" in chosen:
        day_table = run.namespace["xi"].day_table(run.namespace["itinerary"], run.namespace["places"], "xi-2022-09")
        dinner = day_table[day_table["source"] == "cdt-2022-xi-central-asia"]
        assert list(dinner["event"]) == ["did not attend"]
        assert "Recorded as not attended" in text
    # "first trip abroad since January 2020" only with the 2022 trip, and always with its sources (issue 20)
    prev = xi.previous_trip("xi-2022-09")
    if "2022" in chosen:
        assert f"`{prev['next_trip_source_id']}`" in text and f"`{prev['source_id']}`" in text
        assert "rests on the press" in text
    else:
        assert "January 2020" not in text
    # the days quoted are the trips' own
    for tid in run.namespace["trip_ids"]:
        days = run.namespace["comparison"].loc["Days (first to last day)", run.namespace["labels"][tid]]
        assert f"lasted {days} days" in text
    if run.namespace["run"].is_default:
        assert NOTE not in run.markdown()
    assert not any(run.layout.values()), run.layout
    assert run.namespace["run_key_outputs"]["trips shown"] == ", ".join(run.namespace["labels"].values())


invalid_sets = st.one_of(
    st.fixed_dictionaries(
        {
            "trips": st.one_of(
                st.just([]),
                st.lists(
                    st.one_of(st.integers(min_value=1990, max_value=2030), st.text(max_size=6)), min_size=1, max_size=3
                ),
            )
        }
    ),
    st.fixed_dictionaries({"include_context": st.one_of(st.integers(), st.text(max_size=5), st.none())}),
    st.fixed_dictionaries(
        {"categories": st.one_of(st.just([]), st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=3))}
    ),
)


@SETTINGS
@given(values=invalid_sets)
def test_invalid_sets_are_refused_naming_the_parameter(values):
    [(name, value)] = values.items()
    if name in ("trips", "categories") and value:
        allowed = TRIPS if name == "trips" else CATEGORIES
        assume(not all(str(v) in allowed for v in value))
    with pytest.raises(parameters.ParameterError) as err:
        parameters.validate(NB, {**parameters.cell_defaults(NB), **values})
    assert err.value.name == name and f"'{name}'" in str(err.value)


def _drawn_sets(n: int, seed: int) -> list[dict]:
    """``n`` parameter sets drawn from the declared parameters with a fixed seed (reproducible)."""
    rng = random.Random(seed)
    sets = []
    while len(sets) < n:
        values = {
            "trips": rng.sample(TRIPS, rng.randint(1, len(TRIPS))),
            "include_context": rng.random() < 0.5,
            "categories": rng.sample(CATEGORIES, rng.randint(1, len(CATEGORIES))),
        }
        if _accepted(values) is not None and values not in sets:
            sets.append(values)
    return sets


@pytest.mark.parametrize("values", _drawn_sets(2, seed=16), ids=lambda v: "-".join(v["trips"]))
def test_drawn_variants_run_through_papermill(values, tmp_path, monkeypatch):
    _, md = run_in_kernel(NB, values, tmp_path, monkeypatch)
    assert ("## 1. The trip at a glance" if len(values["trips"]) == 1 else "## 1. The two trips at a glance") in md
