"""The command line as a clumsy user meets it (issue 17): one ``error:`` line naming the input,
never a traceback; and the ``./sco`` wrapper that makes the printed commands work (issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT
from helpers import __main__ as cli


def _main(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_path_to_another_file_is_refused_not_swapped_for_the_chapter(sandbox, tmp_path, capsys):
    other = tmp_path / "elsewhere" / "90_fixture.ipynb"
    other.parent.mkdir()
    other.write_text((sandbox / "notebooks" / "90_fixture.ipynb").read_text())
    code, out, err = _main(capsys, "run", str(other))
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err
    assert str(other) in err and "notebooks/90_fixture.ipynb" in err
    assert not (sandbox / "build").exists()
    code, out, err = _main(capsys, "run", "elsewhere/90_fixture.ipynb")  # does not even exist
    assert code == 2 and "'elsewhere/90_fixture.ipynb'" in err


def test_the_chapter_own_path_and_file_name_are_accepted(sandbox):
    from helpers import runner

    assert runner.chapter_name(str(sandbox / "notebooks" / "90_fixture.ipynb")) == "90_fixture"
    assert runner.chapter_name("90_fixture.ipynb") == "90_fixture"
    assert runner.chapter_name("90_fixture") == "90_fixture"


def test_sweep_of_an_unknown_chapter_names_the_chapter(sandbox, tmp_path, capsys):
    code, out, err = _main(capsys, "sweep", "99_nothing", "-f", str(tmp_path / "x.yaml"))
    assert code == 2 and "'notebook' = '99_nothing'" in err and "group" not in err


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["run", "06_claims_vs_data", "-p", "tolerance_scale", "-1e-5"], "'tolerance_scale' = -1e-05"),
        (["run", "-p", "countries", "-KAZ", "03_trade"], "'countries' = ['-KAZ']"),
    ],
)
def test_a_value_that_looks_like_an_option_reaches_the_parameter_check(argv, named, capsys):
    # argparse alone answers "expected 2 arguments", naming no parameter
    code, out, err = _main(capsys, *argv)
    assert code == 2 and named in err and "allowed:" in err and "expected 2 arguments" not in err


@pytest.mark.parametrize("kind", ["folder", "binary", "nul"])
def test_kappa_names_a_file_it_cannot_read(tmp_path, capsys, kind):
    bad = tmp_path / "sheet.csv"
    if kind == "folder":
        bad.mkdir()
    elif kind == "binary":
        bad.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00")
    else:
        bad.write_bytes(b"statement_id,stance\nst\x00001,1\n")
    code, out, err = _main(capsys, "kappa", str(bad), str(ROOT / "data" / "statements.csv"))
    assert code == 2 and err.startswith(f"error: {bad}") and "Traceback" not in err


@pytest.mark.parametrize("argv", [["params", "03_trade"], ["kappa", "data/statements.csv", "data/statements.csv"]])
def test_a_closed_pipe_gives_no_traceback(argv):
    proc = subprocess.Popen(
        [sys.executable, "-m", "helpers", *argv], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # the reader is gone before anything is written (like '| head -0')
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert proc.returncode == 141


def test_the_sco_wrapper_runs_the_command_line_from_anywhere(tmp_path):
    wrapper = ROOT / "sco"
    assert os.access(wrapper, os.X_OK)
    proc = subprocess.run([str(wrapper), "params", "03_trade"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Parameters of 03_trade" in proc.stdout
    proc = subprocess.run([str(wrapper), "run", "99_nothing"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ")


def test_the_wrapper_without_an_environment_says_what_it_does(tmp_path):
    copy = tmp_path / "sco"
    copy.write_text((ROOT / "sco").read_text())
    copy.chmod(0o755)
    (tmp_path / "Makefile").write_text("venv:\n\t@echo pretend-setup; exit 3\n")
    proc = subprocess.run([str(copy), "params", "03_trade"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "creating it with 'make venv'" in proc.stderr and "setting up .venv failed" in proc.stderr


def test_readme_commands_use_the_wrapper():
    text = (ROOT / "README.md").read_text()
    assert "./sco run 01_sco_history -p as_of_year 2005" in text
    assert "./sco sweep 03_trade -f seminar/sweeps/03_trade.yaml" in text
    assert "python -m helpers run" not in text


def test_a_copy_installed_without_its_repository_is_refused_with_a_message(tmp_path, monkeypatch, capsys):
    """A non-editable 'pip install .' puts the code in site-packages without data/ (issue 22)."""
    from helpers import __main__ as cli
    from helpers import paths

    monkeypatch.delenv("SCO_REPO_ROOT", raising=False)
    monkeypatch.delenv("SCO_DATA_DIR", raising=False)
    monkeypatch.setattr(paths, "_PACKAGE_ROOT", tmp_path)  # what parents[2] is in site-packages
    code = cli.main(["run", "03_trade"])
    err = capsys.readouterr().err
    assert code == 2
    assert "pip install -e ." in err and "Traceback" not in err
