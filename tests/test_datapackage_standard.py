"""The data package is one that other tools accept (issue 22).

The notebooks use the project's own fast validator (helpers.data); this test
runs the Frictionless reference validator, a test-only dependency, over the
descriptor and every table it names.
"""

from __future__ import annotations

import json

import pytest

from conftest import ROOT

frictionless = pytest.importorskip("frictionless", reason="frictionless is a test-only dependency (requirements.lock)")


def test_every_resource_declares_the_tabular_profile():
    pkg = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert pkg["profile"] == "tabular-data-package"
    missing = [r["name"] for r in pkg["resources"] if r.get("profile") != "tabular-data-resource"]
    assert not missing, missing


def test_boolean_columns_declare_the_spellings_the_data_uses():
    pkg = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for res in pkg["resources"]:
        for f in res["schema"]["fields"]:
            if f["type"] == "boolean":
                assert f.get("trueValues") == ["true"] and f.get("falseValues") == ["false"], (res["name"], f["name"])


def test_the_reference_validator_accepts_the_package():
    report = frictionless.validate(str(ROOT / "data" / "datapackage.json"))
    errors = [f"{task.name}: {e.type}: {e.message}" for task in report.tasks for e in task.errors]
    errors += [f"package: {e.type}: {e.message}" for e in report.errors]
    assert report.valid, "\n".join(errors[:20])
    assert len(report.tasks) == len(json.loads((ROOT / "data" / "datapackage.json").read_text())["resources"])
