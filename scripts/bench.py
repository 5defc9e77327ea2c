"""Benchmark the runner against plain papermill and against the floor.

Usage: ``make bench`` or ``python scripts/bench.py [--repeat N]``.

Each case is timed as a whole command (process start included), N times;
the table gives the median and the spread. Runs happen in a scratch copy of
``notebooks/`` and ``data/`` (``SCO_REPO_ROOT``), so the benchmark never
touches the repository's build, figures or notebooks.

Cases
-----
a. ``python -m helpers run`` with a warm environment and an empty build cache
b. the same again with nothing changed (every notebook up to date)
c. one notebook re-run with new parameters
d. baseline: plain ``papermill`` CLI, one notebook after another (no HTML);
   d2 adds ``jupyter nbconvert --to html`` per notebook, the same work as (a)
e. floor: start a kernel, import pandas + matplotlib + geopandas, stop it
f. a bad parameter rejected (no kernel)
g. chapter 6 (the heaviest) with a new parameter
h. ``python -m helpers site`` after (a): every chapter page, slides,
   solutions, data and sources pages; h2 baseline: ``jupyter nbconvert``
   to HTML and to slides, one process per notebook (CDN-loading output)
i. ``python -m helpers sweep 03_trade -f seminar/sweeps/03_trade.yaml``
   (five groups), nothing cached; j. a bad groups file rejected
"""

from __future__ import annotations

import argparse
import os
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


def timed(cmd: list[str], env: dict, cwd: Path, ok=(0,)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def scratch_repo() -> Path:
    root = Path(tempfile.mkdtemp(prefix="sco-bench-"))
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "seminar", root / "seminar")
    shutil.copyfile(ROOT / "LICENSE-DATA.md", root / "LICENSE-DATA.md")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    py = [sys.executable]
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
    results: dict[str, list[float]] = {k: [] for k in "a b c d d2 e f g h h2 i j".split()}

    for i in range(args.repeat):
        root = scratch_repo()
        env = {**os.environ, "SCO_REPO_ROOT": str(root), "MPLBACKEND": "Agg"}
        env.pop("SCO_FIGURES_DIR", None)
        results["a"].append(timed(py + ["-m", "helpers", "run"], env, ROOT))
        results["b"].append(timed(py + ["-m", "helpers", "run"], env, ROOT))
        year = 2005 + i  # new parameters every repetition
        results["c"].append(timed(py + ["-m", "helpers", "run", "01_sco_history", "-p", "as_of_year", str(year)], env, ROOT))
        results["f"].append(timed(py + ["-m", "helpers", "run", "01_sco_history", "-p", "as_of_year", "1890"], env, ROOT, ok=(2,)))
        results["g"].append(timed(py + ["-m", "helpers", "run", "06_claims_vs_data", "-p", "tolerance_scale",
                                        f"{1.5 + i / 10:g}"], env, ROOT))
        results["h"].append(timed(py + ["-m", "helpers", "site"], env, ROOT))
        start = time.perf_counter()
        for nb in notebooks:
            for fmt in ("html", "slides"):
                timed([str(BIN / "jupyter"), "nbconvert", "--to", fmt, "--output-dir", str(root / "nbconvert-out"),
                       str(root / "notebooks" / nb)], env, root)
        results["h2"].append(time.perf_counter() - start)
        results["i"].append(timed(py + ["-m", "helpers", "sweep", "03_trade", "-f",
                                        str(root / "seminar" / "sweeps" / "03_trade.yaml")], env, ROOT))
        bad = root / "bad_groups.yaml"
        bad.write_text("group-a:\n  countries: [KAZ, XXX]\n")
        results["j"].append(timed(py + ["-m", "helpers", "sweep", "03_trade", "-f", str(bad)], env, ROOT, ok=(2,)))
        out = root / "papermill-out"
        out.mkdir()
        env_pm = {**env, "SCO_FIGURES_DIR": str(out)}
        start = time.perf_counter()
        for nb in notebooks:
            timed([str(BIN / "papermill"), "--no-progress-bar", str(root / "notebooks" / nb), str(out / nb)],
                  env_pm, root / "notebooks")
        results["d"].append(time.perf_counter() - start)
        start = time.perf_counter()
        for nb in notebooks:
            timed([str(BIN / "papermill"), "--no-progress-bar", str(root / "notebooks" / nb), str(out / nb)],
                  env_pm, root / "notebooks")
            timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out / nb)], env_pm, root)
        results["d2"].append(time.perf_counter() - start)
        results["e"].append(timed(py + ["-c", FLOOR], env, ROOT))
        shutil.rmtree(root)
        print(f"repetition {i + 1}/{args.repeat} done", file=sys.stderr)

    floor = statistics.median(results["e"])
    labels = {
        "a": f"a. `python -m helpers run` ({len(notebooks)} notebook(s)), empty build cache",
        "b": "b. the same, nothing changed",
        "c": "c. one notebook, new parameters",
        "d": "d. plain `papermill` CLI, one after another (no HTML)",
        "d2": "d2. plain `papermill` + `jupyter nbconvert --to html`",
        "e": "e. floor: kernel start + import pandas, matplotlib, geopandas",
        "f": "f. bad parameter rejected",
        "g": "g. chapter 6 (claims), new tolerance_scale",
        "h": "h. `python -m helpers site` (pages, slides, solutions, data, sources)",
        "h2": "h2. plain `jupyter nbconvert` to HTML and to slides, per notebook",
        "i": "i. `python -m helpers sweep 03_trade` (5 groups), nothing cached",
        "j": "j. bad groups file rejected",
    }
    lines = [
        f"Benchmark: {args.repeat} repetitions, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "",
        "| case | median (s) | min-max (s) | x floor |",
        "|---|---:|---:|---:|",
    ]
    for key, label in labels.items():
        vals = results[key]
        med = statistics.median(vals)
        lines.append(f"| {label} | {med:.2f} | {min(vals):.2f}-{max(vals):.2f} | {med / floor:.1f} |")
    text = "\n".join(lines)
    print(text)
    target = ROOT / "build" / "bench.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
