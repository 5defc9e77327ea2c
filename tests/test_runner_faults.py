"""Faults during and after a run (issue 17): every one gives one FAILED line or one error line,
an honest message, no traceback, and leaves the previous good result in ``build/<notebook>/``.

Read-only folders and full disks are simulated by making the file operations raise
(the tests may run as root, for whom permissions do not stop a write).
"""

from __future__ import annotations

import errno
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import tree_digest, with_default_run
from helpers import __main__ as cli
from helpers import runner


@pytest.fixture
def good_run(sandbox, default_fixture_run) -> str:
    """A previous good default run in ``sandbox`` (the session's one run, copied in); its output's digest."""
    return with_default_run(sandbox, default_fixture_run)


def _main(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _leftovers(sandbox) -> list[str]:
    """Scratch, hidden swap folders and temporary files a run might leave behind."""
    found = []
    for p in sandbox.rglob("*"):
        rel = p.relative_to(sandbox).as_posix()
        if rel.startswith("data/"):
            continue
        if (
            ".old-" in p.name
            or ".new-" in p.name
            or p.name.endswith(".tmp")
            or (p.parent.name == ".tmp" and p.parent.parent.name == "build")
        ):
            found.append(rel)
    return found


def test_rename_failing_mid_swap_keeps_the_previous_result(sandbox, good_run, monkeypatch, capsys):
    monkeypatch.setattr(runner, "_exchange", lambda a, b: False)  # the rename-aside path
    calls = {"n": 0}
    real = Path.rename

    def flaky(self, target):
        calls["n"] += 1
        if calls["n"] == 2:  # the new folder moving in, after the old one moved aside
            raise OSError(errno.EIO, "Input/output error", str(target))
        return real(self, target)

    monkeypatch.setattr(Path, "rename", flaky)
    code, out, err = _main(capsys, "run", "90_fixture", "--force")
    assert code == 1 and "Traceback" not in out + err
    assert out.count("FAILED") == 1 and "OSError: Input/output error" in out
    assert "previous good output kept in build/90_fixture/" in out
    assert tree_digest(sandbox / "build" / "90_fixture") == good_run
    assert not _leftovers(sandbox)


def test_the_swap_is_an_exchange_when_the_system_has_one(tmp_path):
    final, new = tmp_path / "out", tmp_path / "scratch"
    final.mkdir()
    (final / "a").write_text("old")
    new.mkdir()
    (new / "a").write_text("new")
    runner._swap_into_place(new, final)
    assert (final / "a").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_kill_between_the_two_renames_is_repaired_at_the_next_run(sandbox, good_run):
    build = sandbox / "build"
    hidden = build / ".90_fixture.old-deadbeef"
    (build / "90_fixture").rename(hidden)  # what a kill after the first rename leaves
    stale_tmp = build / ".tmp" / "90_fixture-999999999-0123abcd"  # a dead process's scratch
    stale_tmp.mkdir(parents=True)
    live_tmp = build / ".tmp" / f"91_fixture-{os.getpid()}-0123abcd"  # a live one's: kept
    live_tmp.mkdir()
    leftover = build / ".90_fixture.new-cafebabe"
    leftover.mkdir()
    old = time.time() - 3600
    for p in (hidden, leftover):
        os.utime(p, (old, old))
    runner.clean_stale(build)
    assert tree_digest(build / "90_fixture") == good_run
    assert not hidden.exists() and not leftover.exists() and not stale_tmp.exists()
    assert live_tmp.exists()


def test_read_only_figures_folder_gives_one_failed_line_and_rolls_back(sandbox, good_run, monkeypatch, capsys):
    figures = (sandbox / "figures").resolve()
    before = tree_digest(figures)
    real = shutil.copyfile

    def copyfile(src, dst, *a, **kw):
        if Path(dst).resolve().parent == figures:
            raise OSError(errno.EROFS, "Read-only file system", str(dst))
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(shutil, "copyfile", copyfile)
    code, out, err = _main(capsys, "run", "90_fixture", "--force")
    assert code == 1 and "Traceback" not in out + err
    assert out.count("FAILED") == 1
    assert "copying the figures into figures/ failed: OSError: Read-only file system" in out
    assert tree_digest(sandbox / "build" / "90_fixture") == good_run
    assert tree_digest(figures) == before
    assert not _leftovers(sandbox)
    log = sandbox / "build" / ".failed" / "90_fixture" / "log.txt"
    assert "Read-only file system" in log.read_text()


def test_io_error_mid_copy_leaves_no_temporary_file_in_figures(sandbox, good_run, monkeypatch, capsys):
    figures = (sandbox / "figures").resolve()
    real = shutil.copyfile

    def copyfile(src, dst, *a, **kw):
        if Path(dst).resolve().parent == figures:
            Path(dst).write_bytes(b"half a fi")  # the copy started, then the device failed
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(shutil, "copyfile", copyfile)
    code, out, _ = _main(capsys, "run", "90_fixture", "--force")
    assert code == 1 and out.count("FAILED") == 1 and "Input/output error" in out
    assert not [p.name for p in figures.iterdir() if p.name.startswith(".")]
    assert tree_digest(sandbox / "build" / "90_fixture") == good_run
    assert not _leftovers(sandbox)


def test_full_disk_when_writing_the_log_still_gives_one_failed_line(sandbox, good_run, monkeypatch, capsys):
    real = Path.write_text

    def write_text(self, *a, **kw):
        if self.name == "log.txt":
            real(self, "")  # the file is created, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, *a, **kw)

    monkeypatch.setattr(Path, "write_text", write_text)
    code, out, err = _main(capsys, "run", "90_fixture", "-p", "fail", "true")
    assert code == 1 and "Traceback" not in out + err
    assert out.count("FAILED") == 1 and "fixture failure requested" in out
    assert "no log could be written (OSError: No space left on device)" in out
    assert "there was no previous output" in out  # a run with other parameters had none
    assert tree_digest(sandbox / "build" / "90_fixture") == good_run
    assert not list((sandbox / "build" / ".failed").rglob("log.txt"))


def test_read_only_build_folder_gives_one_failed_line(sandbox, monkeypatch, capsys):
    real = Path.mkdir

    def mkdir(self, *a, **kw):
        if "build" in self.parts:
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real(self, *a, **kw)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    code, out, err = _main(capsys, "run", "90_fixture")
    assert code == 1 and "Traceback" not in out + err
    assert out.count("FAILED") == 1 and "Read-only file system" in out
    assert "no log could be written" in out and "there was no previous output" in out


def test_ctrl_c_exits_130_in_one_line_and_cleans_scratch(sandbox, good_run, monkeypatch, capsys):
    import papermill

    def interrupted(*a, **kw):
        assert any((sandbox / "build" / ".tmp").iterdir())  # the scratch folder exists by now
        raise KeyboardInterrupt

    monkeypatch.setattr(papermill, "execute_notebook", interrupted)
    code, out, err = _main(capsys, "run", "90_fixture", "--force")
    assert code == 130
    assert "Traceback" not in out + err and len(err.strip().splitlines()) == 1 and "interrupted" in err
    assert tree_digest(sandbox / "build" / "90_fixture") == good_run
    assert not _leftovers(sandbox)


def test_a_kernel_that_cannot_start_is_explained(sandbox, monkeypatch, capsys):
    import papermill

    def no_kernel(*a, **kw):
        raise RuntimeError("Kernel didn't respond in 60 seconds")

    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    code, out, _ = _main(capsys, "run", "90_fixture")
    assert code == 1 and out.count("FAILED") == 1
    assert "kernel did not start" in out and "127.0.0.1" in out


def test_no_loopback_interface_is_named_before_any_work(sandbox, monkeypatch, capsys):
    import socket

    def bind(self, address):
        raise OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address")

    monkeypatch.setattr(socket.socket, "bind", bind)
    code, out, err = _main(capsys, "run", "90_fixture")
    assert code == 2 and err.startswith("error: cannot open a port on 127.0.0.1")
    assert "loopback" in err and "Traceback" not in out + err
    assert not (sandbox / "build" / "90_fixture").exists()


def test_an_unexpected_error_is_one_line_with_the_traceback_kept(sandbox, monkeypatch, capsys):
    def boom(*a, **kw):
        raise ZeroDivisionError("a bug in the runner")

    monkeypatch.setattr(runner, "run_jobs", boom)
    code, out, err = _main(capsys, "run", "90_fixture")
    assert code == 2 and "Traceback" not in out + err
    assert err.startswith("error: ZeroDivisionError: a bug in the runner")
    logs = list((sandbox / "build" / "logs").glob("error-*.txt"))
    assert len(logs) == 1 and "Traceback" in logs[0].read_text() and logs[0].name in err


def test_figures_are_published_all_or_none(tmp_path, monkeypatch):
    src, dest = tmp_path / "run", tmp_path / "figures"
    src.mkdir()
    dest.mkdir()
    for name in ("a.png", "b.png", "c.png"):
        (src / name).write_text(f"new {name}")
        (dest / name).write_text(f"old {name}")
    real, calls = shutil.copyfile, {"n": 0}

    def copyfile(a, b, *args, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(b))
        return real(a, b, *args, **kw)

    monkeypatch.setattr(shutil, "copyfile", copyfile)
    with pytest.raises(OSError):
        runner._publish(src, ["a.png", "b.png", "c.png"], dest)
    assert {p.name: p.read_text() for p in dest.iterdir()} == {n: f"old {n}" for n in ("a.png", "b.png", "c.png")}
    monkeypatch.setattr(shutil, "copyfile", real)
    runner._publish(src, ["a.png", "b.png", "c.png"], dest)
    assert {p.name: p.read_text() for p in dest.iterdir()} == {n: f"new {n}" for n in ("a.png", "b.png", "c.png")}
