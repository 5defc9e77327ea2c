"""The three descriptions of the environment agree: pyproject, lock, conda."""

import re
import tomllib

import yaml

from conftest import ROOT


def _pyproject_pins() -> dict[str, str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for dep in deps:
        name, version = dep.split("==")
        pins[name.lower()] = version
    return pins


def test_every_direct_dependency_is_pinned_exactly():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert deps and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][^ ;]*", d) for d in deps), deps


#: Tools only the tests need. conda-forge does not carry playwright under that
#: name and version, so environment.yml installs all of these with pip.
TEST_ONLY = {"nbval", "pytest", "playwright", "hypothesis", "pytest-xdist", "ruff"}


def conda_pins(path) -> tuple[dict[str, str], dict[str, str]]:
    """(conda dependencies, pip dependencies) of an environment file, as {name: version}."""
    env = yaml.safe_load(path.read_text())
    conda, pip = {}, {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=", 1)
            conda[name.lower()] = version
        elif isinstance(dep, dict):
            for item in dep.get("pip", []):
                if "==" in item:
                    name, version = item.split("==", 1)
                    pip[name.lower()] = version
    return conda, pip


def test_environment_yml_matches_pyproject():
    conda, pip = conda_pins(ROOT / "environment.yml")
    pins = _pyproject_pins()
    both = {**conda, **pip}
    assert {k: both.get(k) for k in pins} == pins
    assert not set(conda) & set(pip), "a package listed twice"
    assert conda["python"] == "3.11"


def test_environment_yml_asks_conda_forge_only_for_what_it_carries():
    conda, pip = conda_pins(ROOT / "environment.yml")
    assert not TEST_ONLY & set(conda), "test-only tools go under pip: (playwright is not on conda-forge)"
    assert TEST_ONLY <= set(pip)


def test_lock_contains_the_direct_pins():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            lock[name.lower().replace("_", "-")] = version
    for name, version in _pyproject_pins().items():
        assert lock.get(name.replace("_", "-")) == version, name
