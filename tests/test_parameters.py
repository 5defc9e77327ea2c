"""Parameter declarations, their validation, and the command line's errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT
from helpers import parameters
from helpers.parameters import Param, ParameterError


@pytest.mark.parametrize("name", sorted(parameters.SPECS))
def test_declaration_matches_the_parameters_cell(name):
    defaults = parameters.cell_defaults(name)
    assert list(defaults) == [p.name for p in parameters.SPECS[name].params]
    checked = parameters.validate(name, defaults)
    # None means "derive from the other parameters": validation fills in a value
    derived = {p.name for p in parameters.SPECS[name].params if p.derive is not None and defaults[p.name] is None}
    assert all(checked[k] is not None for k in derived)
    assert {k: v for k, v in checked.items() if k not in derived} == {
        k: v for k, v in defaults.items() if k not in derived}  # defaults are allowed and normal


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
    assert {"CHN", "RUS", "KAZ", "KGZ", "TJK", "TKM", "UZB", "IND", "PAK", "IRN", "BLR"} <= set(parameters.known_countries())


def _cli(*args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "helpers", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)


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
