"""Write the human data dictionary, ``data/DATA_DICTIONARY.md``, from the schema.

The dictionary is generated, never edited by hand, so it cannot drift from
``data/datapackage.json``; ``tests/test_data.py`` fails if the committed file
is out of date (regenerate with ``python -m helpers datadict``).
"""

from __future__ import annotations

import csv
import sys

from . import data, paths

HEADER = """# Data dictionary

Generated from `datapackage.json` by `python -m helpers datadict`; do not edit
by hand. Every row of every table cites a `source_id` listed in `sources.csv`.
Licences: see `../LICENSE-DATA.md` and each source's `licence_note`.
"""


def _constraints(field: dict) -> str:
    cons = field.get("constraints", {})
    parts = []
    if cons.get("required"):
        parts.append("required")
    if cons.get("unique"):
        parts.append("unique")
    if "enum" in cons:
        parts.append("one of " + ", ".join(f"`{v}`" for v in cons["enum"]))
    if "pattern" in cons:
        parts.append(f"pattern `{cons['pattern']}`")
    if "minimum" in cons or "maximum" in cons:
        parts.append(f"from {cons.get('minimum', '…')} to {cons.get('maximum', '…')}")
    return "; ".join(parts).replace("|", "\\|")


def render() -> str:
    """Return the dictionary as Markdown."""
    pkg = data.package()
    out = [HEADER]
    for res in pkg["resources"]:
        path = paths.data_dir() / res["path"]
        with path.open(newline="", encoding="utf-8") as fh:
            rows = sum(1 for _ in csv.DictReader(fh))
        schema = res["schema"]
        key = schema.get("primaryKey")
        key = ", ".join(key) if isinstance(key, list) else key
        out.append(f"## `{res['path']}`: {res.get('title', res['name'])}\n")
        out.append(f"{res.get('description', '')}\n")
        out.append(f"Rows: {rows}. Key: {key}.\n")
        out.append("| column | type | meaning | constraints |")
        out.append("|---|---|---|---|")
        for f in schema["fields"]:
            out.append(
                f"| `{f['name']}` | {f.get('type', 'string')} | {f.get('description', '')} | {_constraints(f)} |"
            )
        fks = schema.get("foreignKeys", [])
        if fks:
            links = ", ".join(
                f"`{fk['fields']}` → `{fk['reference']['resource']}.{fk['reference']['fields']}`" for fk in fks
            )
            out.append(f"\nReferences: {links}.")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def main(check: bool = False) -> int:
    """Write the file, or with ``check`` report whether it is up to date."""
    target = paths.data_dir() / "DATA_DICTIONARY.md"
    text = render()
    if check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target.name} is out of date: run python -m helpers datadict", file=sys.stderr)
            return 1
        print(f"{target.name} is up to date")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target.relative_to(paths.repo_root())}")
    return 0
