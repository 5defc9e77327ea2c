"""The seminar kit: questions and exercises in every chapter, solutions that
answer exactly those exercises, the teaching guide and the groups files."""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath

import nbformat
import pytest

from conftest import ROOT
from helpers import runner, seminar, site
from helpers.core.parameters import ParameterError

CHAPTERS = runner.list_notebooks()


def solution_calls(notebook: str) -> list[tuple[str, dict]]:
    """The ``seminar.exercise_params(NB, {...})`` calls of a solutions notebook, in order."""
    nb = nbformat.read(seminar.solutions_path(notebook), as_version=4)
    calls = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "exercise_params"
            ):
                calls.append((ast.literal_eval(node.args[0]), ast.literal_eval(node.args[1])))
    return calls


@pytest.mark.parametrize("notebook", CHAPTERS)
def test_each_chapter_ends_with_questions_and_exercises(notebook):
    nb = nbformat.read(ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4)
    assert nb.cells[-1].cell_type == "markdown" and nb.cells[-1].source.startswith(seminar.SECTION)
    text = seminar.seminar_markdown(notebook)
    questions = text.split("### Questions for discussion", 1)[1].split("### Exercises", 1)[0]
    assert 3 <= len(re.findall(r"^\d+\. ", questions, re.M)) <= 5
    exercises = seminar.chapter_exercises(notebook)
    assert 2 <= len(exercises) <= 3
    assert len(re.findall(r"^\*\*Exercise \d", text, re.M)) == len(exercises), "one command per exercise"
    for name, overrides in exercises:
        assert name == notebook
        assert overrides, "an exercise changes at least one parameter"
        seminar.exercise_params(name, overrides)  # raises if the command line would refuse it
    assert f"seminar/solutions/{notebook}_solutions.ipynb" in text


@pytest.mark.parametrize("notebook", CHAPTERS)
def test_the_solutions_answer_exactly_the_printed_exercises(notebook):
    exercises = seminar.chapter_exercises(notebook)
    # a call with no overrides is the default run, which a solution may show for comparison
    calls = [c for c in solution_calls(notebook) if c[1]]
    assert [n for n, _ in calls] == [notebook] * len(exercises)
    for (name, printed), (_, solved) in zip(exercises, calls):
        assert seminar.exercise_params(name, solved) == seminar.exercise_params(name, printed)


def test_exercise_params_refuses_what_the_command_line_refuses():
    with pytest.raises(ParameterError, match="'countries'"):
        seminar.exercise_params("03_trade", {"countries": ["KAZ", "XXX"]})
    assert seminar.exercise_params("03_trade", {"countries": "KAZ,UZB"})["countries"] == ["KAZ", "UZB"]


@pytest.mark.parametrize(
    "line, match",
    [
        ("python -m helpers params 03_trade", "not a 'python -m helpers run"),
        ("python -m helpers run 03_trade -p countries", "expected '-p NAME VALUE'"),
        ("python -m helpers run 03_trade --force", "expected '-p NAME VALUE'"),
    ],
)
def test_parse_command_refuses_other_commands(line, match):
    with pytest.raises(ValueError, match=match):
        seminar.parse_command(line)


def test_the_guide_covers_every_chapter_and_its_links_resolve():
    text = (ROOT / "seminar" / "GUIDE.md").read_text(encoding="utf-8")
    for i, notebook in enumerate(CHAPTERS, 1):
        assert f"### Chapter {i}:" in text
        assert f"./sco sweep {notebook} -f seminar/sweeps/{notebook}.yaml" in text
        assert "python -m helpers" not in text  # works only with the environment activated: ./sco always does
        assert f"(solutions/{notebook}_solutions.ipynb)" in text
    from nbconvert.filters import markdown2html

    site.rewrite_links(markdown2html(text), PurePosixPath("seminar/GUIDE.md"))  # raises on a dead link
    for href in re.findall(r"\]\(([^)#]+)", text):
        if not href.startswith("http"):
            assert (ROOT / "seminar" / href).resolve().exists(), href
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(seminar/GUIDE.md)" in readme
