"""Benchmark the runner, the site and the tests against the floor, in one run.

Usage: ``make bench`` or ``python scripts/bench.py [--repeat N] [--with-tests]
[--baselines] [--profile]``.

Each case is timed as a whole command (process start included), N times;
the table gives the median, the spread and the median over the floor
measured in the same run. Runs happen in a scratch copy of the repository's
``notebooks/``, ``data/``, ``seminar/``, ``figures/`` and ``src/``
(``SCO_REPO_ROOT``, and ``PYTHONPATH`` for the package), so the benchmark
never touches the repository's build, figures or notebooks, and edits made
in the checkout while it runs do not change what it measures.
The table is printed as Markdown and written to ``build/bench.md``.

Cases
-----
floor
    start a kernel, import pandas + matplotlib + geopandas, stop it
run, all chapters, cold
    ``python -m helpers run`` with a warm environment and an empty build cache
run, nothing changed
    the same again (every notebook up to date)
variant <chapter>
    one chapter re-run with one non-default parameter set (:data:`VARIANTS`),
    ``--force`` so the run cache is bypassed every time
site, after the runs
    ``python -m helpers site --force`` with no site and no page or thumbnail
    cache, as ``make run`` builds it after running the chapters (the runs'
    caches of validated tables and sanitised code kept)
site, cold
    ``python -m helpers site --force`` with no site and an empty ``build/.cache``
site, rebuilt
    ``python -m helpers site --force`` again (thumbnails cached)
site, nothing changed
    ``python -m helpers site`` (the site is up to date: skipped)
make run, nothing changed
    ``make -s run`` end to end: make's check of the environment stamp, the
    runner finding every run up to date, the site finding itself up to date
sweep, local pool / sweep, Dask LocalCluster
    ``python -m helpers sweep 03_trade -f seminar/sweeps/03_trade.yaml --force``
    on the local process pool (two workers) and on a local Dask cluster of two
    workers (``--dask-local 2``); the Dask case is skipped, with a message,
    when ``helpers.runner`` has no Dask support or ``distributed`` is missing
bad parameter / bad groups file
    rejected before any work (exit status 2)
test suite (``--with-tests``)
    ``make -s test`` and then ``make -s test-fast`` on the repository itself,
    once each, with ``--durations=5``: their wall times in the table, their
    summary lines, CPU time (user plus system of every process they started)
    and five slowest tests in the notes (the load average at the start too: it
    shares the machine)
baselines (``--baselines``)
    plain ``papermill`` one notebook after another, with and without
    ``jupyter nbconvert --to html``, and nbconvert to HTML and slides per
    notebook: what the runner and the site replace

``--profile`` does not time commands: it runs each chapter's variant in this
process under cProfile (code cells in an IPython shell, as a kernel would,
with figures saved for real to a scratch folder), renders its page, and
writes ``build/profile.md``: where the time goes per chapter.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import importlib.util
import inspect
import io
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

FLOOR = """
import time
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="python3")
kc.execute_interactive("import pandas, matplotlib.pyplot, geopandas", timeout=120)
kc.stop_channels(); km.shutdown_kernel(now=True)
"""

#: One non-default parameter set per chapter (as ``-p NAME VALUE`` pairs).
VARIANTS: dict[str, list[tuple[str, str]]] = {
    "01_sco_history": [("as_of_year", "2010")],
    "02_xi_trips": [("include_context", "false")],
    "03_trade": [("start_year", "2000")],
    "04_energy_pipelines": [("commodity", "gas")],
    "05_analyst_views": [("min_year", "2015")],
    "06_claims_vs_data": [("tolerance_scale", "1.5")],
}


def timed(cmd: list[str], env: dict, cwd: Path, ok=(0,)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def scratch_repo(prefix: str = "sco-bench-") -> Path:
    root = Path(tempfile.mkdtemp(prefix=prefix))
    for folder in ("notebooks", "data", "seminar", "figures"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name in ("LICENSE-DATA.md", "README.md", "CITATION.cff", "pyproject.toml", "requirements.lock"):
        if (ROOT / name).exists():
            shutil.copyfile(ROOT / name, root / name)
    # the package too, imported from the copy (PYTHONPATH): edits made meanwhile in the checkout
    # neither change what is measured nor make an unchanged run or site look changed
    shutil.copytree(ROOT / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return root


def scratch_env(root: Path) -> dict:
    env = {**os.environ, "SCO_REPO_ROOT": str(root), "MPLBACKEND": "Agg", "PYTHONPATH": str(root / "src")}
    for var in ("SCO_FIGURES_DIR", "SCO_BUILD_DIR", "SCO_DATA_DIR"):
        env.pop(var, None)
    return env


def dask_sweep_support() -> str | None:
    """None if the runner can run a sweep on a local Dask cluster, else why not (the case is skipped)."""
    sys.path.insert(0, str(ROOT / "src"))
    try:
        from helpers import runner
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"helpers.runner does not import ({exc})"
    if "dask" not in inspect.signature(runner.run_jobs).parameters:
        return "helpers.runner has no Dask support yet (run_jobs takes no 'dask' executor)"
    if importlib.util.find_spec("distributed") is None:
        return "the package 'distributed' is not installed"
    return None


def chapters() -> list[str]:
    return sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--with-tests", action="store_true", help="also time 'make test' once (long)")
    parser.add_argument(
        "--baselines",
        action="store_true",
        help="also time plain papermill and nbconvert (what the runner and the site replace)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile each chapter's variant in this process; write build/profile.md"
    )
    parser.add_argument("--profile-one", metavar="CHAPTER", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile_one:
        profile_one(args.profile_one, Path(args.out))
        return
    if args.profile:
        profile_chapters()
        return
    py = [sys.executable]
    notebooks = chapters()
    results: dict[str, list[float]] = {}
    labels: dict[str, str] = {}
    notes: list[str] = []

    def add(key: str, label: str, value: float) -> None:
        labels.setdefault(key, label)
        results.setdefault(key, []).append(value)

    why_no_dask = dask_sweep_support()
    if why_no_dask:
        notes.append(f"sweep on a Dask LocalCluster: skipped, {why_no_dask}.")

    for i in range(args.repeat):
        root = scratch_repo()
        env = scratch_env(root)
        add("floor", "floor: kernel start + import pandas, matplotlib, geopandas", timed(py + ["-c", FLOOR], env, ROOT))
        add(
            "run-cold",
            f"`helpers run`, all {len(notebooks)} chapters, empty build cache",
            timed(py + ["-m", "helpers", "run"], env, ROOT),
        )
        add("run-same", "`helpers run`, nothing changed", timed(py + ["-m", "helpers", "run"], env, ROOT))
        for nb in notebooks:
            pairs = VARIANTS.get(nb)
            if not pairs:
                notes.append(f"{nb}: no variant in scripts/bench.py VARIANTS; not timed.")
                continue
            flags = [x for name, value in pairs for x in ("-p", name, value)]
            add(
                f"variant-{nb}",
                f"variant {nb} ({', '.join(f'{n}={v}' for n, v in pairs)}), cache bypassed",
                timed(py + ["-m", "helpers", "run", nb, *flags, "--force"], env, ROOT),
            )
        # the site as `make run` builds it after the runs: no site and no pages, thumbnails or slides
        # remembered, but the runs' own caches (validated tables, sanitised code) kept
        for sub in ("site", ".cache/pages", ".cache/thumbnails"):
            shutil.rmtree(root / "build" / sub, ignore_errors=True)
        add(
            "site-after-run",
            "`helpers site --force` after the runs (no site, no page or thumbnail cache)",
            timed(py + ["-m", "helpers", "site", "--force"], env, ROOT),
        )
        shutil.rmtree(root / "build" / ".cache", ignore_errors=True)
        shutil.rmtree(root / "build" / "site", ignore_errors=True)
        add(
            "site-cold",
            "`helpers site --force`, cold (no site, no thumbnail cache)",
            timed(py + ["-m", "helpers", "site", "--force"], env, ROOT),
        )
        add(
            "site-force",
            "`helpers site --force`, rebuilt (thumbnails cached)",
            timed(py + ["-m", "helpers", "site", "--force"], env, ROOT),
        )
        add("site-same", "`helpers site`, nothing changed (skipped)", timed(py + ["-m", "helpers", "site"], env, ROOT))
        add(
            "make-run",
            "`make run`, nothing changed (make's venv check + run + site)",
            timed(["make", "-s", "-C", str(ROOT), "run"], env, ROOT),
        )
        add(
            "bad-param",
            "bad parameter rejected",
            timed(py + ["-m", "helpers", "run", "01_sco_history", "-p", "as_of_year", "1890"], env, ROOT, ok=(2,)),
        )
        groups = str(root / "seminar" / "sweeps" / "03_trade.yaml")
        add(
            "sweep-pool",
            "`helpers sweep 03_trade` (groups of seminar/sweeps), local pool of 2, --force",
            timed(py + ["-m", "helpers", "sweep", "03_trade", "-f", groups, "-j", "2", "--force"], env, ROOT),
        )
        if not why_no_dask:
            add(
                "sweep-dask",
                "the same sweep on a Dask LocalCluster of 2 workers (`--dask-local 2`), --force",
                timed(
                    py + ["-m", "helpers", "sweep", "03_trade", "-f", groups, "--dask-local", "2", "--force"], env, ROOT
                ),
            )
        bad = root / "bad_groups.yaml"
        bad.write_text("group-a:\n  countries: [KAZ, XXX]\n")
        add(
            "bad-groups",
            "bad groups file rejected",
            timed(py + ["-m", "helpers", "sweep", "03_trade", "-f", str(bad)], env, ROOT, ok=(2,)),
        )
        if args.baselines:
            baselines(root, env, notebooks, add)
        shutil.rmtree(root)
        print(f"repetition {i + 1}/{args.repeat} done", file=sys.stderr)

    if args.with_tests:
        env = {k: v for k, v in os.environ.items() if k not in ("SCO_REPO_ROOT", "SCO_BUILD_DIR", "SCO_DATA_DIR")}
        env["PYTEST_ADDOPTS"] = (env.get("PYTEST_ADDOPTS", "") + " -p no:cacheprovider --durations=5").strip()
        for target, what in (("test", "the whole suite"), ("test-fast", "the tests not marked slow")):
            load = os.getloadavg()[0]
            cpu = _children_cpu()
            start = time.perf_counter()
            proc = subprocess.run(["make", "-s", "-C", str(ROOT), target], env=env, capture_output=True, text=True)
            wall, cpu = time.perf_counter() - start, _children_cpu() - cpu
            add(
                target,
                f"`make {target}`, {what} (once; "
                f"SCO_PROP_EXAMPLES={env.get('SCO_PROP_EXAMPLES', 'default')}, load average {load:.1f} at its start)"
                + ("" if proc.returncode == 0 else f" (FAILED, exit {proc.returncode})"),
                wall,
            )
            summary = [ln for ln in proc.stdout.splitlines() if " in " in ln and ("passed" in ln or "failed" in ln)]
            slowest = slowest_tests(proc.stdout)
            notes.append(
                f"make {target}: "
                + (summary[-1].strip("= ") if summary else "no summary line")
                + f"; {wall:.0f} s wall, {cpu:.0f} s CPU (user + system, every process it started)"
                + "; slowest tests:\n    "
                + "\n    ".join(slowest or ["(none reported)"])
            )
            if proc.returncode != 0:
                notes.append(
                    f"make {target} failed; its time is of a failing run. Last lines:\n    "
                    + "\n    ".join(proc.stdout.strip().splitlines()[-5:])
                )
    else:
        notes.append("test suite: not timed (pass --with-tests).")

    floor = statistics.median(results["floor"])
    lines = [
        f"Benchmark: {args.repeat} repetition(s), {os.cpu_count()} cores "
        f"(load average at the end {os.getloadavg()[0]:.1f}), Python {sys.version.split()[0]}; "
        f"floor {floor:.2f} s",
        "",
        "| case | median (s) | min-max (s) | x floor |",
        "|---|---:|---:|---:|",
    ]
    for key, label in labels.items():
        vals = results[key]
        med = statistics.median(vals)
        lines.append(f"| {label} | {med:.2f} | {min(vals):.2f}-{max(vals):.2f} | {med / floor:.1f} |")
    if notes:
        lines += [""] + [f"- {n}" for n in notes]
    text = "\n".join(lines)
    print(text)
    target = ROOT / "build" / "bench.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text(text + "\n", encoding="utf-8")


def _children_cpu() -> float:
    """User plus system CPU seconds of every finished child process (and theirs) so far."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def slowest_tests(output: str) -> list[str]:
    """The lines of pytest's ``--durations`` report ("12.34s call tests/x.py::test_y")."""
    lines, inside = [], False
    for ln in output.splitlines():
        if "slowest" in ln and "durations" in ln:
            inside = True
            continue
        if inside:
            if not ln.strip() or ln.startswith("="):
                break
            if ln.split()[0].endswith("s"):
                lines.append(ln.strip())
    return lines


def baselines(root: Path, env: dict, notebooks: list[str], add) -> None:
    out = root / "papermill-out"
    out.mkdir(exist_ok=True)
    env_pm = {**env, "SCO_FIGURES_DIR": str(out)}
    start = time.perf_counter()
    for nb in notebooks:
        timed(
            [
                str(BIN / "papermill"),
                "--no-progress-bar",
                str(root / "notebooks" / f"{nb}.ipynb"),
                str(out / f"{nb}.ipynb"),
            ],
            env_pm,
            root / "notebooks",
        )
    add("pm", "baseline: plain `papermill` CLI, one after another (no HTML)", time.perf_counter() - start)
    start = time.perf_counter()
    for nb in notebooks:
        timed(
            [
                str(BIN / "papermill"),
                "--no-progress-bar",
                str(root / "notebooks" / f"{nb}.ipynb"),
                str(out / f"{nb}.ipynb"),
            ],
            env_pm,
            root / "notebooks",
        )
        timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out / f"{nb}.ipynb")], env_pm, root)
    add("pm-html", "baseline: plain `papermill` + `jupyter nbconvert --to html`", time.perf_counter() - start)
    start = time.perf_counter()
    for nb in notebooks:
        for fmt in ("html", "slides"):
            timed(
                [
                    str(BIN / "jupyter"),
                    "nbconvert",
                    "--to",
                    fmt,
                    "--output-dir",
                    str(root / "nbconvert-out"),
                    str(root / "notebooks" / f"{nb}.ipynb"),
                ],
                env,
                root,
            )
    add("nbconvert", "baseline: `jupyter nbconvert` to HTML and to slides, per notebook", time.perf_counter() - start)


# --- where the time goes in a chapter's variant run ---------------------------------------

#: Groups of functions whose cumulative time the profile reports (substring of "file:function").
CATEGORIES = {
    "figures saved (helpers.style.save_figure: PNG + SVG + CSV)": ["helpers/core/style.py:save_figure"],
    "  of which PNG/SVG writing (matplotlib savefig)": ["matplotlib/figure.py:savefig"],
    "figures shown inline (the kernel's PNG of each figure)": [
        "matplotlib_inline/backend_inline.py:show",
        "IPython/core/pylabtools.py:print_figure",
    ],
    "styled tables (helpers.style.table and pandas Styler)": ["helpers/core/style.py:table"],
    "  of which Styler HTML (pandas to_html / _repr_html_)": [
        "pandas/io/formats/style.py:to_html",
        "pandas/io/formats/style.py:_repr_html_",
    ],
    "maps (helpers.maps; geopandas plotting)": ["helpers/core/maps.py:", "geopandas/plotting.py:plot_dataframe"],
    "data loading and validation (helpers.data)": ["helpers/core/data.py:load"],
    "matplotlib layout (tight/constrained layout, draw)": [
        "matplotlib/figure.py:draw",
        "matplotlib/_constrained_layout.py:do_constrained_layout",
        "matplotlib/figure.py:tight_layout",
    ],
}


def _inject(nb, pairs: list[tuple[str, str]], notebook: str) -> None:
    """Put the variant's values after the parameters cell, as papermill does."""
    import nbformat

    sys.path.insert(0, str(ROOT / "src"))
    from helpers.core.parameters import parse_value as _parse_value

    lines = [f"{name} = {_parse_value(notebook, name, value)!r}" for name, value in pairs]
    idx = next(i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", []))
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(idx + 1, cell)


def profile_chapters() -> None:
    """Each chapter's variant under cProfile, each in a fresh process; the report in build/profile.md."""
    out = [
        "# Where a chapter's variant run spends its time",
        "",
        "Each chapter's variant (scripts/bench.py VARIANTS) executed under cProfile in a fresh process "
        "(`scripts/bench.py --profile-one CHAPTER`): the code cells in an IPython shell, so every display is "
        "formatted as a kernel formats it (HTML of tables, PNG of figures), figures saved for real (PNG, SVG and "
        "CSV) to a scratch folder, then the run's page rendered (helpers.render.notebook_html, as the runner "
        "exports it). Kernel start and the imports of pandas, matplotlib and geopandas (the floor) are not "
        "included. Times are wall-clock seconds under the profiler, which slows Python-heavy code, on a shared "
        "machine: compare them with each other rather than with the benchmark. The groups overlap: drawing a "
        "figure (layout) happens inside saving it and inside showing it.",
        "",
    ]
    for nb_name in VARIANTS:
        with tempfile.NamedTemporaryFile("r", suffix=".md", encoding="utf-8") as part:
            proc = subprocess.run(
                [sys.executable, __file__, "--profile-one", nb_name, "--out", part.name], capture_output=True, text=True
            )
            if proc.returncode != 0:
                out += [f"## {nb_name}", "", f"Profiling failed: {(proc.stderr.strip().splitlines() or [''])[-1]}", ""]
            else:
                out.append(Path(part.name).read_text(encoding="utf-8"))
        print(f"profiled {nb_name}", file=sys.stderr)
    target = ROOT / "build" / "profile.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)


def profile_one(nb_name: str, target: Path) -> None:
    """One chapter's variant in this process under cProfile; its section of the report into ``target``."""
    import nbformat

    root = scratch_repo("sco-profile-")
    figures = root / "run-figures"
    figures.mkdir()
    os.environ.update(
        {
            "SCO_REPO_ROOT": str(root),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "SCO_FIGURES_DIR": str(figures),
        }
    )
    sys.path.insert(0, str(ROOT / "src"))
    from IPython.core.interactiveshell import InteractiveShell

    from helpers import render, runner

    runner._quiet_imports()
    out: list[str] = []
    shell = InteractiveShell.instance()
    from matplotlib_inline.backend_inline import configure_inline_support

    configure_inline_support(shell, "module://matplotlib_inline.backend_inline")  # figures shown as PNG
    shell.display_formatter.active_types = list(shell.display_formatter.formatters)  # HTML, Markdown, PNG...
    shell.run_cell("import pandas, matplotlib.pyplot, geopandas", store_history=False)
    for pairs in [VARIANTS[nb_name]]:
        nb = nbformat.read(root / "notebooks" / f"{nb_name}.ipynb", as_version=4)
        _inject(nb, pairs, nb_name)
        cells: list[tuple[float, str]] = []
        section = ""
        prof = cProfile.Profile()
        total_start = time.perf_counter()
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                for line in cell.source.splitlines():
                    if line.startswith(("## ", "### ")):
                        section = line.lstrip("#").strip()
                continue
            start = time.perf_counter()
            prof.enable()
            with contextlib.redirect_stdout(io.StringIO()):
                res = shell.run_cell(cell.source, store_history=False, silent=False)
            prof.disable()
            cells.append((time.perf_counter() - start, section or "(top)"))
            if not res.success:
                raise SystemExit(
                    f"{nb_name}: a cell failed under the profiler: {res.error_in_exec or res.error_before_exec}"
                )
        exec_time = time.perf_counter() - total_start
        executed = nbformat.read(ROOT / "notebooks" / f"{nb_name}.ipynb", as_version=4)
        start = time.perf_counter()
        prof.enable()
        render.notebook_html(executed)
        prof.disable()
        html_time = time.perf_counter() - start
        shell.run_cell("import matplotlib.pyplot as _p; _p.close('all')", store_history=False)
        stats = pstats.Stats(prof, stream=io.StringIO())
        cum: dict[str, float] = {}
        for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
            key = f"{file}:{func}"
            for label, pats in CATEGORIES.items():
                if any(p in key for p in pats):
                    cum[label] = cum.get(label, 0.0) + ct
        out += [
            f"## {nb_name} ({', '.join(f'{n}={v}' for n, v in pairs)})",
            "",
            f"Code cells {exec_time:.1f} s; page (HTML export of the executed notebook) {html_time:.1f} s.",
            "",
            "| where | s | share of cells + page |",
            "|---|---:|---:|",
        ]
        whole = exec_time + html_time
        for label, secs in ((k, cum[k]) for k in CATEGORIES if k in cum):
            out.append(f"| {label} | {secs:.2f} | {secs / whole:.0%} |")
        out.append(f"| page export (nbconvert, bs4, bleach, sanitising) | {html_time:.2f} | {html_time / whole:.0%} |")
        out += ["", "Slowest cells:", ""]
        for secs, where in sorted(cells, reverse=True)[:3]:
            out.append(f"- {secs:.2f} s in \u201c{where}\u201d")
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(r"src/helpers/", 12)
        top = [ln for ln in buf.getvalue().splitlines() if "src/helpers/" in ln and "(" in ln][:8]
        out += ["", "Heaviest helpers functions (cumulative s, calls):", "", "```"]
        for ln in top:
            parts = ln.split()
            out.append(f"{parts[3]:>7}  {parts[0]:>6}  {parts[-1].split('/src/')[-1]}")
        out += ["```", ""]
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
