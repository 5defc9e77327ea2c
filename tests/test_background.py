"""Figures' SVGs drawn by a child process in runner kernels (helpers.background, issue 22).

The child must write exactly what the notebook's own process would, a child
that fails or hangs must be replaced by saving in the notebook's process, and
nothing outside a runner's kernel saves in the background.
"""

from __future__ import annotations

import subprocess
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers import data, style  # noqa: E402
from helpers.core import background  # noqa: E402


@pytest.fixture
def on(monkeypatch):
    """Background saving on, as in a runner's kernel, on a machine with a spare CPU."""
    monkeypatch.setenv(background.ENV, "1")
    monkeypatch.setattr(background, "available_cpus", lambda: 2)
    yield
    background.finish()


def _figure():
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot([2000, 2010, 2020], [3, 1, 2], label="a line")
    ax.set_title("A title with ünïcode and an apostrophe's")
    ax.legend()
    style.add_source(fig, [data.load("sources")["source_id"].iloc[0]])
    return fig


def test_only_a_runner_kernel_saves_in_the_background(monkeypatch):
    monkeypatch.delenv(background.ENV, raising=False)
    assert not background.enabled()
    monkeypatch.setenv(background.ENV, "1")
    monkeypatch.setattr(background, "available_cpus", lambda: 1)
    assert not background.enabled()  # no spare CPU: the child would only queue behind the notebook
    monkeypatch.setattr(background, "available_cpus", lambda: 2)
    assert background.enabled()


def test_files_saved_in_the_background_are_the_bytes_saved_in_process(tmp_path, on, monkeypatch):
    fig = _figure()
    made = style.save_figure(fig, "check_plot", folder=tmp_path / "bg")
    assert len(background._pending) == 1  # the SVG went to a child
    assert background.finish() == 1 and not background._pending
    monkeypatch.delenv(background.ENV)
    here = style.save_figure(fig, "check_plot", folder=tmp_path / "here")
    assert [p.name for p in made] == [p.name for p in here] == ["check_plot.png", "check_plot.svg", "check_plot.csv"]
    for a, b in zip(made, here):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert not list((tmp_path / "bg").glob(".*"))  # no temporary file left behind
    plt.close("all")


def test_a_child_that_fails_is_replaced_by_saving_here(tmp_path, on):
    fig = _figure()
    target = tmp_path / "failed.svg"
    failing = subprocess.Popen(["sh", "-c", "exit 3"])  # stands for a child that died before writing
    background._pending.append(background._Pending(failing.pid, fig, target, tmp_path / ".t", {}, {"format": "svg"}))
    assert background.finish() == 1
    assert target.read_bytes().startswith(b"<?xml")
    failing.returncode = 3  # reaped by finish(); tell Popen so it does not wait again
    plt.close("all")


def test_a_child_that_hangs_is_killed_at_the_deadline_and_replaced(tmp_path, on):
    fig = _figure()
    target = tmp_path / "slow.svg"
    hung = subprocess.Popen(["sleep", "60"])
    background._pending.append(background._Pending(hung.pid, fig, target, tmp_path / ".t", {}, {"format": "svg"}))
    start = time.monotonic()
    background.finish(timeout=0.3)
    assert time.monotonic() - start < 10
    assert target.read_bytes().startswith(b"<?xml")
    hung.returncode = -9
    plt.close("all")


def test_an_error_in_the_replacement_is_raised(tmp_path, on):
    fig = _figure()
    failing = subprocess.Popen(["sh", "-c", "exit 1"])
    missing = tmp_path / "no" / "such" / "folder" / "x.svg"
    background._pending.append(
        background._Pending(failing.pid, fig, missing, missing.with_name(".t"), {}, {"format": "svg"})
    )
    with pytest.raises(FileNotFoundError):
        background.finish()
    failing.returncode = 1
    plt.close("all")
