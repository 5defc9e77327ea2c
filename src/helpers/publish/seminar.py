"""Seminar kit: the exercises at the end of each chapter and their solutions.

Every chapter ends with a section ``## For the seminar``: questions for
discussion, then exercises. Each exercise gives one command in a fenced
``bash`` block::

    python -m helpers run 03_trade -p countries KAZ,UZB -p reporter partner

:func:`chapter_exercises` reads those commands back from the notebook, so the
tests can check that every exercise names valid parameters, and that the
teachers' solutions (``seminar/solutions/<chapter>_solutions.ipynb``) answer
exactly the exercise that is printed in the chapter: a solution starts from
``exercise_params(chapter, {...})`` with the same overrides.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path
from typing import Any

from ..core import parameters, paths

SECTION = "## For the seminar"
_FENCE = re.compile(r"```bash\n(.*?)```", re.S)


def solutions_dir() -> Path:
    return paths.repo_root() / "seminar" / "solutions"


def solutions_path(notebook: str) -> Path:
    return solutions_dir() / f"{parameters.notebook_name(notebook)}_solutions.ipynb"


def exercise_params(notebook: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """Every parameter of ``notebook`` for one exercise: its defaults with ``overrides``.

    The overrides are checked exactly as ``python -m helpers run`` checks
    them, so a solution cannot use a value the command line would refuse.
    """
    # the parameters cell's own values: a derived default (None) is worked out
    # from the exercise's values, as in a run, not from the default run's
    defaults = parameters.cell_defaults(notebook)
    given = parameters.validate(notebook, overrides, partial=True)
    return parameters.validate(notebook, {**defaults, **given})


def seminar_markdown(notebook: str) -> str:
    """The markdown of a chapter from its ``## For the seminar`` heading on."""
    nb = json.loads(parameters.notebook_path(notebook).read_text(encoding="utf-8"))
    texts = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    for i, text in enumerate(texts):
        if text.lstrip().startswith(SECTION):
            return "\n\n".join(texts[i:])
    return ""


def parse_command(line: str) -> tuple[str, dict[str, Any]]:
    """``python -m helpers run NB -p NAME VALUE ...`` -> (notebook, overrides).

    Values are read as the command line reads them (:func:`helpers.core.parameters.parse_value`).
    """
    words = shlex.split(line)
    if words[:2] == ["./sco", "run"]:  # the wrapper at the repository root runs python -m helpers
        words = ["python", "-m", "helpers", *words[1:]]
    if words[:4] != ["python", "-m", "helpers", "run"] or len(words) < 5:
        raise ValueError(f"not a 'python -m helpers run NOTEBOOK ...' command: {line!r}")
    notebook, rest = words[4], words[5:]
    overrides: dict[str, Any] = {}
    while rest:
        if rest[0] not in ("-p", "--parameters") or len(rest) < 3:
            raise ValueError(f"expected '-p NAME VALUE' in {line!r}, found {rest[:3]}")
        overrides[rest[1]] = parameters.parse_value(notebook, rest[1], rest[2])
        rest = rest[3:]
    return notebook, overrides


def chapter_exercises(notebook: str) -> list[tuple[str, dict[str, Any]]]:
    """The commands of a chapter's exercises, in order, as (notebook, overrides)."""
    text = seminar_markdown(notebook)
    commands = []
    for block in _FENCE.findall(text):
        for line in block.splitlines():
            if line.strip().startswith(("python -m helpers run", "./sco run")):
                commands.append(parse_command(line.strip()))
    return commands


def refresh_solutions(names: list[str] | None = None, echo=print) -> int:
    """Re-execute the teachers' solutions notebooks in place (what ``refresh`` does for chapters).

    Each is executed in a fresh kernel started in its own folder, then written
    over the committed file only if every cell ran. Returns the number that failed.
    """
    import time

    import nbformat
    from nbclient import NotebookClient

    from . import runner

    runner._quiet_imports()
    paths_ = sorted(solutions_dir().glob("*_solutions.ipynb"))
    if names:
        wanted = {parameters.notebook_name(n) for n in names}
        paths_ = [p for p in paths_ if p.stem.removesuffix("_solutions") in wanted]
    failed = 0
    for path in paths_:
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        try:
            with runner._KernelStderr(Path(os.devnull)):  # the kernel's start-up chatter
                NotebookClient(
                    nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(path.parent)}}
                ).execute()
        except Exception as exc:  # noqa: BLE001 - report and keep the committed file
            failed += 1
            echo(
                f"FAILED {path.name}: {type(exc).__name__}: {str(exc).strip().splitlines()[-1:]} (committed file kept)"
            )
            continue
        runner.clean_metadata(nb)
        tmp = path.with_name(f".{path.name}.tmp")
        nbformat.write(nb, tmp)
        tmp.replace(path)
        echo(f"ok     {path.name}  {time.perf_counter() - start:.1f} s")
    return failed
