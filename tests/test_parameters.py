"""Parameter declarations, their validation, and the command line's errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT
from helpers import parameters
from helpers.core.parameters import Param, ParameterError


@pytest.mark.parametrize("name", sorted(parameters.SPECS))
def test_declaration_matches_the_parameters_cell(name):
    defaults = parameters.cell_defaults(name)
    assert list(defaults) == [p.name for p in parameters.SPECS[name].params]
    checked = parameters.validate(name, defaults)
    # None means "derive from the other parameters": validation fills in a value
    derived = {p.name for p in parameters.SPECS[name].params if p.derive is not None and defaults[p.name] is None}
    assert all(checked[k] is not None for k in derived)
    assert {k: v for k, v in checked.items() if k not in derived} == {
        k: v for k, v in defaults.items() if k not in derived
    }  # defaults are allowed and normal


def test_every_committed_notebook_is_declared():
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
    assert notebooks and notebooks == sorted(parameters.SPECS)


def test_int_range_and_type():
    p = Param("n", "int", "", minimum=1, maximum=3)
    assert p.check("nb", 2) == 2
    for bad in (0, 4, "2", True, 2.0):
        with pytest.raises(ParameterError, match="an integer from 1 to 3"):
            p.check("nb", bad)


def test_list_choices_normalise_and_reject():
    p = Param("codes", "list", "", choices=("KAZ", "UZB"), upper=True)
    assert p.check("nb", ["kaz", "UZB", "KAZ"]) == ["KAZ", "UZB"]
    assert p.check("nb", "kaz, uzb") == ["KAZ", "UZB"]  # -p codes kaz,uzb
    assert p.check("nb", []) == []
    with pytest.raises(ParameterError, match=r"'codes' = \['FRA'\] .*list \(may be empty\) of: KAZ, UZB"):
        p.check("nb", ["FRA"])
    strict = Param("s", "list", "", choices=("a",), allow_empty=False)
    with pytest.raises(ParameterError, match="a non-empty list of: a"):
        strict.check("nb", [])


def test_bool_and_str():
    assert Param("b", "bool", "").check("nb", False) is False
    with pytest.raises(ParameterError, match="true or false"):
        Param("b", "bool", "").check("nb", "yes")
    with pytest.raises(ParameterError, match="one of: gas, oil"):
        Param("c", "str", "", choices=("gas", "oil")).check("nb", "coal")


def test_sco_history_bounds_come_from_the_data():
    spec = parameters.SPECS["01_sco_history"].by_name()
    assert spec["as_of_year"].allowed() == f"an integer from 1996 to {parameters.sco_latest_year()}"
    assert "founder" not in parameters.sco_statuses()
    assert {"CHN", "RUS", "KAZ", "KGZ", "TJK", "TKM", "UZB", "IND", "PAK", "IRN", "BLR"} <= set(
        parameters.known_countries()
    )


def _cli(*args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "helpers", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )


@pytest.mark.parametrize(
    "args, expected",
    [
        (["-p", "as_of_year", "1890"], ["'as_of_year' = 1890", "an integer from 1996 to"]),
        (["-p", "statuses", '["founder"]'], ["'statuses' = ['founder']", "member", "observer"]),
        (["-p", "highlight", "XYZ"], ["'highlight' = ['XYZ']", "CHN"]),
        (["-p", "colour", "red"], ["'colour'", "declared parameter: as_of_year, statuses, highlight"]),
        (["-p", "as_of_year", "twenty"], ["'as_of_year' = 'twenty'", "an integer"]),
    ],
)
def test_cli_rejects_bad_parameters_before_running(tmp_path, args, expected):
    build = tmp_path / "build"
    proc = _cli("run", "01_sco_history", *args, env_extra={"SCO_BUILD_DIR": str(build)})
    assert proc.returncode == 2, proc.stderr
    for text in expected:
        assert text in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not build.exists()  # no kernel started, nothing written


def test_cli_rejects_unknown_notebook_and_bad_file(tmp_path):
    proc = _cli("run", "07_nothing")
    assert proc.returncode == 2 and "'07_nothing'" in proc.stderr and "01_sco_history" in proc.stderr
    bad = tmp_path / "p.yaml"
    bad.write_text("- just\n- a list\n")
    proc = _cli("run", "01_sco_history", "-f", str(bad))
    assert proc.returncode == 2 and "a YAML mapping" in proc.stderr


def test_cli_params_lists_defaults_meaning_and_allowed_values():
    proc = _cli("params", "01_sco_history")
    assert proc.returncode == 0
    for text in ("as_of_year", "statuses", "highlight", "default:", "allowed:", "31 December"):
        assert text in proc.stdout


def test_a_derived_default_follows_the_users_other_values():
    """None in the parameters cell means 'work it out': merged as written, it is derived again (issue 16)."""
    spec = parameters.NotebookSpec(
        "nb",
        (
            Param("start", "int", "", minimum=2000, maximum=2020),
            Param(
                "base",
                "int",
                "",
                minimum=2000,
                maximum=2020,
                derive=lambda v: parameters.first_year_with([2003, 2010, 2015], v["start"], 2020),
            ),
        ),
    )
    saved = parameters.SPECS.get("nb")
    parameters.SPECS["nb"] = spec
    try:
        assert parameters.validate("nb", {"start": 2000, "base": None}) == {"start": 2000, "base": 2003}
        assert parameters.validate("nb", {"start": 2011, "base": None})["base"] == 2015
        with pytest.raises(ParameterError, match="nothing could be worked out"):
            parameters.validate("nb", {"start": 2016, "base": None})
    finally:
        parameters.SPECS.pop("nb")
        if saved is not None:
            parameters.SPECS["nb"] = saved
    assert parameters.first_year_with([], 1, 2) is None
    assert parameters.years_between([2001, 1999, 2001, 2005], 2000, 2004) == (2001,)


@pytest.mark.parametrize("name", sorted(parameters.SPECS))
def test_resolve_at_no_overrides_is_the_defaults(name):
    defaults, full = parameters.resolve(name, {})
    assert full == defaults == parameters.validate(name, parameters.cell_defaults(name))


def test_resolve_derives_the_trade_base_year_inside_the_users_window():
    if parameters.cell_defaults("03_trade")["base_year"] is not None:
        pytest.skip("03_trade's base_year is not derived")
    defaults, full = parameters.resolve("03_trade", {"start_year": 2019, "end_year": 2020})
    assert 2019 <= full["base_year"] <= 2020 and full["base_year"] != defaults["base_year"]


def test_parameter_error_pickles_and_truncates():
    import pickle

    exc = ParameterError("nb", "p", "x" * 10_000, "a short text")
    again = pickle.loads(pickle.dumps(exc))
    assert str(again) == str(exc) and len(str(exc)) < 300 and "..." in str(exc)
