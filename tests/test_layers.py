"""The package's three layers are folders, and imports go only downward.

``helpers.core`` may import only the core; ``helpers.chapters`` the core and
other chapters; ``helpers.publish`` anything. Every import statement counts,
including those inside functions (a lazy import is still a dependency).
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import helpers

PKG = Path(helpers.__file__).resolve().parent
ALLOWED = {"core": {"core"}, "chapters": {"core", "chapters"}, "publish": {"core", "chapters", "publish"}}


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, layer or module imported) for every helpers import in a module."""
    layer = path.parent.name
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:  # from . import x / from .x import y: same layer
                found.append((node.lineno, layer))
            elif node.level == 2:  # from ..core import x / from ..core.x import y / from .. import x
                top = (node.module or "").split(".")[0]
                found.append((node.lineno, top or "helpers(top)"))
            elif node.level == 0 and (node.module or "").startswith("helpers"):
                parts = node.module.split(".")
                found.append((node.lineno, parts[1] if len(parts) > 1 else "helpers(top)"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("helpers"):
                    parts = alias.name.split(".")
                    found.append((node.lineno, parts[1] if len(parts) > 1 else "helpers(top)"))
    return found


MODULES = sorted(p for layer in ALLOWED for p in (PKG / layer).glob("*.py"))


def test_every_module_is_in_a_layer():
    loose = sorted(p.name for p in PKG.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert not loose, f"modules outside the three layers: {loose}"
    assert {p.parent.name for p in MODULES} == set(ALLOWED)
    for layer, names in helpers.LAYERS.items():
        assert sorted(names) == sorted(p.stem for p in (PKG / layer).glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_imports_go_only_downward(path):
    layer = path.parent.name
    wrong = [(line, target) for line, target in _imports(path) if target not in ALLOWED[layer]]
    assert not wrong, f"{layer}/{path.name} imports upward or through the top package: {wrong}"


def test_the_rule_catches_an_upward_import(tmp_path):
    """The checker itself: a core module importing a chapter is reported."""
    bad = tmp_path / "core" / "x.py"
    bad.parent.mkdir()
    bad.write_text("def f():\n    from ..chapters import trade\n    from .. import publish\n")
    assert _imports(bad) == [(2, "chapters"), (3, "helpers(top)")]


def test_no_import_cycle_and_the_command_line_stays_light():
    """``python -m helpers --help`` and parameter validation import no pandas, matplotlib or chapter."""
    code = (
        "import sys, runpy\n"
        "sys.argv = ['helpers', 'params', '03_trade']\n"
        "try:\n    runpy.run_module('helpers', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "from helpers.core import parameters\n"
        "parameters.validate('03_trade', parameters.cell_defaults('03_trade'))\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'matplotlib', 'numpy')"
        " or m.startswith('helpers.chapters.'))\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "HEAVY []" in out.stdout, out.stdout[-500:]
