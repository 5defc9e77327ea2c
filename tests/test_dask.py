"""Runs and sweeps on a Dask cluster, the per-variant lock and CPU sizing (issue 22, item 6).

The clusters here are ``LocalCluster(processes=False)``: workers are threads of
the test process, which is the hard case for a runner (every run shares one
process's environment, working directory and modules) and starts in well
under a second.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT, fixture_notebook
from helpers import runner, sweep
from helpers.__main__ import main

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    """Two workers of two threads each, in this process: four runs at once (one cluster for the module)."""
    import logging

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=2, processes=False, dashboard_address=None, silence_logs=logging.ERROR
        ) as c,
        distributed.Client(c, set_as_default=False) as client,
    ):
        yield client


def quiet(_line: str) -> None:
    pass


def test_four_runs_on_threads_of_one_worker_process_each_keep_their_own_figures(sandbox, cluster):
    jobs = [job for x in (2, 3, 4, 5) for job in runner.plan(["90_fixture"], {"x": x})]
    results = runner.run_jobs(jobs, dask=cluster, echo=quiet)
    assert sorted(r.status for r in results) == ["ok"] * 4, [r.message for r in results]
    for job in jobs:
        x = job.params["x"]
        out = sandbox / "build" / "runs" / f"90_fixture--{runner.paths.variant_hash(job.params)}"
        assert job.out_dir == out
        # each run's figure in its own folder, none in another's, none lost
        assert sorted(p.name for p in (out / "figures").iterdir()) == [f"fixture_x{x}.png"]
        record = json.loads((out / "run.json").read_text())
        assert record["status"] == "ok" and record["parameters"]["x"] == x
        assert record["figures"] == [f"fixture_x{x}.png"]
        assert f"x is {x}" in (out / "90_fixture.ipynb").read_text()
    assert not (sandbox / "figures").exists()  # no variant published into figures/
    tmp = sandbox / "build" / ".tmp"
    assert not tmp.exists() or not any(tmp.iterdir())  # no scratch folder left behind


def _sweep_outputs(build: Path, groups: list[str]) -> dict:
    """What a sweep produced, without what differs between two runs (times, the page stamp)."""
    folder = build / "sweeps" / "90_fixture--groups"
    out = {"files": sorted(p.name for p in folder.iterdir()), "index": (folder / "index.html").read_text()}
    stamp = re.compile(r"<!-- sco-sweep-page [0-9a-f]+ -->\n?")
    for g in groups:
        out[g] = stamp.sub("", (folder / f"{g}.html").read_text())
    runs = {}
    for d in sorted((build / "runs").iterdir()):
        if d.is_dir():
            r = json.loads((d / "run.json").read_text())
            runs[d.name] = {k: r[k] for k in ("parameters", "status", "figures", "key_outputs", "changed")}
            runs[d.name]["files"] = sorted(p.relative_to(d).as_posix() for p in d.rglob("*"))
    out["runs"] = runs
    return out


def test_a_sweep_on_a_local_cluster_gives_the_same_outputs_as_on_the_local_pool(sandbox, cluster, monkeypatch):
    groups = sandbox / "groups.yaml"
    groups.write_text(
        "question: Does x change the figure?\ntwo:\n  task: x at two\n  x: 2\nthree:\n  x: 3\nfour:\n  x: 4\n"
    )
    names = ["two", "three", "four"]
    assert sweep.run("90_fixture", groups, workers=2, echo=quiet) == 0
    pool = _sweep_outputs(sandbox / "build", names)

    monkeypatch.setenv("SCO_BUILD_DIR", str(sandbox / "build-dask"))
    lines: list[str] = []
    assert sweep.run("90_fixture", groups, dask=cluster, echo=lines.append) == 0
    assert any("on Dask" in line for line in lines)
    on_dask = _sweep_outputs(sandbox / "build-dask", names)

    assert on_dask == pool
    assert len(pool["runs"]) == 3 and {r["status"] for r in pool["runs"].values()} == {"ok"}
    assert pool["files"] == ["four.html", "groups.yaml", "index.html", "three.html", "two.html"]


def test_two_identical_runs_at_once_execute_once(sandbox):
    marker = sandbox / "executions.txt"
    fixture_notebook(
        sandbox / "notebooks" / "90_fixture.ipynb", body=f"open({str(marker)!r}, 'a').write('executed\\n')"
    )
    start = threading.Barrier(2)
    results: list[runner.Result] = []

    def one() -> None:
        jobs = runner.plan(["90_fixture"], {"x": 7})
        start.wait()
        results.extend(runner.run_jobs(jobs, workers=1, echo=quiet))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert marker.read_text().splitlines() == ["executed"]  # one kernel ran the notebook
    assert sorted(r.status for r in results) == ["ok", "skipped"]
    (job,) = runner.plan(["90_fixture"], {"x": 7})
    assert runner.is_up_to_date(job)


def test_a_run_that_waits_too_long_for_an_identical_one_fails_clearly(sandbox):
    (job,) = runner.plan(["90_fixture"], {"x": 8})
    with runner.variant_lock(job) as held:
        assert not held.waited and job.lock_file == sandbox / "build" / ".locks" / f"{job.out_name}.lock"
        r = runner.run_one(job, lock_timeout=0.3)
    assert r.status == "failed" and not job.out_dir.exists()
    assert "identical run" in r.message and ".locks" in r.message and job.out_name in r.message
    assert f"process {os.getpid()}" in r.message  # who holds it
    # released: the next run takes the lock at once
    with runner.variant_lock(job, timeout=0) as again:
        assert not again.waited


def test_workers_are_sized_by_the_cpus_this_process_may_use():
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert runner.available_cpus() == expected
    assert runner.DaskCluster(local_workers=None).describe().startswith(f"a local Dask cluster of {expected} ")


@pytest.mark.parametrize(
    "argv, flag",
    [
        (["run", "90_fixture", "--scheduler", "tcp://127.0.0.1:8786", "--dask-local", "2"], "--scheduler"),
        (["run", "90_fixture", "--threads-per-worker", "2"], "--threads-per-worker"),
        (["sweep", "90_fixture", "-f", "g.yaml", "--dask-local", "0"], "--dask-local"),
        (["run", "90_fixture", "-j", "2", "--dask-local", "2"], "-j"),
        (
            ["run", "90_fixture", "--scheduler", "tcp://127.0.0.1:8786", "--threads-per-worker", "2"],
            "--threads-per-worker",
        ),
    ],
)
def test_bad_dask_options_are_refused_before_any_work(sandbox, capsys, argv, flag):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and f"'{flag}'" in err and "Traceback" not in err
    assert not (sandbox / "build").exists()


def test_an_unreachable_scheduler_is_one_error_line(sandbox, capsys, monkeypatch):
    monkeypatch.setattr(runner, "DASK_CONNECT_TIMEOUT", 1)
    assert main(["run", "90_fixture", "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert len(err.strip().splitlines()) == 1 and not (sandbox / "build" / "90_fixture").exists()


def test_dask_is_imported_only_when_asked_for():
    code = (
        "import sys\nfrom helpers.__main__ import main\n"
        "main(['run', '03_trade', '--threads-per-worker', '2'])\n"
        "assert 'distributed' not in sys.modules and 'dask' not in sys.modules, 'dask imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--threads-per-worker" in done.stderr


def test_the_command_line_runs_on_a_local_cluster_of_worker_processes(sandbox, capsys):
    code = main(["run", "90_fixture", "-p", "x", "3", "--dask-local", "1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "on a local Dask cluster of 1 worker(s) x 1 thread(s)" in out and "1 of 1 notebook(s)" in out
    (job,) = runner.plan(["90_fixture"], {"x": 3})
    assert runner.is_up_to_date(job)
    assert sorted(p.name for p in (job.out_dir / "figures").iterdir()) == ["fixture_x3.png"]


def test_a_scratch_folder_of_a_worker_on_another_machine_is_not_judged_by_a_local_pid(tmp_path):
    import time

    tmp = tmp_path / ".tmp"
    here = runner._host_tag()
    other = "abcdef" if here != "abcdef" else "fedcba"
    dead_here = tmp / f"a-999999999-0123abcd@{here}"
    live_here = tmp / f"b-{os.getpid()}-0123abcd@{here}"
    elsewhere = tmp / f"c-999999999-0123abcd@{other}"  # pid 999999999 may be alive there
    elsewhere_old = tmp / f"d-999999999-0123abcd@{other}"
    for d in (dead_here, live_here, elsewhere, elsewhere_old):
        d.mkdir(parents=True)
    os.utime(elsewhere_old, (time.time() - 2 * 86400,) * 2)
    runner.clean_stale(tmp_path)
    assert sorted(p.name for p in tmp.iterdir()) == sorted([live_here.name, elsewhere.name])


def test_a_kernel_that_lost_its_port_to_another_process_is_started_again(sandbox, monkeypatch):
    import papermill

    real, calls = papermill.execute_notebook, []

    def port_taken_once(*a, **kw):
        calls.append(1)
        if len(calls) == 1:  # what a kernel whose port was taken meanwhile leaves in the run's kernel log
            with open(Path(kw["sco_output"]).with_name("kernel.log"), "ab") as log:
                log.write(b"zmq.error.ZMQError: Address already in use (addr='tcp://127.0.0.1:1')\n")
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*a, **kw)

    monkeypatch.setattr(papermill, "execute_notebook", port_taken_once)
    [r] = runner.run_jobs(runner.plan(["90_fixture"], {"x": 6}), echo=quiet)
    assert r.status == "ok" and len(calls) == 2 and r.figures == ["fixture_x6.png"]
