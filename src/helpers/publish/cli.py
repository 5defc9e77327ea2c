"""Command line: ``./sco COMMAND`` (the same as ``.venv/bin/python -m helpers COMMAND``).

Commands
--------
run [NOTEBOOK ...] [-p NAME VALUE ...] [-f params.yaml] [--name NAME] [--force] [-j N | DASK]
    Execute notebooks (all by default) into ``build/``; see :mod:`helpers.runner`.
    DASK is ``--scheduler ADDRESS`` (run on an existing Dask cluster) or
    ``--dask-local [N] [--threads-per-worker T]`` (start a local one).
    ``--name`` puts a run in ``build/runs/NAME/``; ``build/runs/index.html``
    lists every run.
site [--from auto|build|committed] [--no-slides] [--teacher] [--force]
    Build the static site into ``build/site/`` (see :mod:`helpers.site`);
    ``--teacher`` builds the teacher's site, with solutions and keys, into
    ``build/site-teacher/``. Skipped ("site up to date") when nothing it is
    built from has changed since the last build; ``--force`` builds anyway.
slides [--from auto|build|committed]
    Only the reveal.js slides, into ``build/site/slides/``.
sweep NOTEBOOK -f groups.yaml [--force] [-j N | DASK]
    Run one variant per group and write a report per group plus an index
    page under ``build/sweeps/`` (see :mod:`helpers.sweep`).
params NOTEBOOK
    List a notebook's parameters with defaults, meaning and allowed values.
refresh [NOTEBOOK ...]
    Re-execute the committed notebooks in place at default parameters, and
    their solutions notebooks (``seminar/solutions/``).
validate
    Load and validate every data table.
datadict [--check]
    Write ``data/DATA_DICTIONARY.md`` from ``data/datapackage.json``.
kappa FIRST.csv SECOND.csv [--weights none|linear|quadratic]
    Agreement (Cohen's kappa) between two codings of the same statements;
    each file needs the columns statement_id and stance (``data/statements.csv``
    itself is the project's coding).

Only the standard library (and PyYAML for ``-p``/``-f`` values) is imported
before the parameters are checked, so a bad value fails in well under a second.

No exception escapes as a traceback: a bad input is one ``error:`` line (exit
2), a failed run one ``FAILED`` line (exit 1), Ctrl-C one line (exit 130), a
closed pipe (``... | head``) nothing (exit 141); anything unexpected is
``error: <type>: <message>`` with the traceback kept in ``build/logs/``
(exit 2).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from ..core import parameters, paths

_parse_value = parameters.parse_value  # kept under its old name for the callers below


def _load_file(path: str) -> dict[str, Any]:
    """The ``-f`` file as a mapping of NAME: VALUE (read bounded; every problem is a ParameterError)."""
    content = parameters.read_yaml(path, "-f", "file", "parameters")
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise parameters.ParameterError("-f", "file", path, "a YAML mapping of NAME: VALUE")
    return content


def _overrides(args, notebooks: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if args.file:
        values.update(_load_file(args.file))
    for name, raw in args.param or []:
        values[name] = _parse_value(notebooks[0], name, raw)
    return values


def cmd_run(args) -> int:
    from . import runner

    names = args.notebooks or runner.list_notebooks()
    if (args.param or args.file) and len(names) != 1:
        raise parameters.ParameterError("run", "notebook", names, "exactly one notebook when parameters are given")
    names = [runner.chapter_name(n) for n in names]  # refuse a path that is not the chapter's own file
    overrides = _overrides(args, names)
    where = _dask_cluster(args)
    jobs = runner.plan(names, overrides, refresh=args.command == "refresh", name=args.name)
    results = runner.run_jobs(jobs, force=args.force or args.command == "refresh", workers=args.jobs, dask=where)
    failed = sum(r.status == "failed" for r in results)
    print(f"{len(results) - failed} of {len(results)} notebook(s) up to date or run; {failed} failed.")
    if any(r.status != "skipped" for r in results):
        print(f"all runs: {runner._rel(paths.build_dir() / 'runs' / 'index.html')}")
    if args.command == "refresh":  # the teachers' solutions read the same data and helpers
        from . import seminar

        failed += seminar.refresh_solutions(args.notebooks or None)
    return 1 if failed else 0


def cmd_site(args) -> int:
    from . import site

    out = site.build(
        source=args.source, slides=not args.no_slides, teacher=args.teacher, skip_if_unchanged=not args.force
    )
    print(f"site: {out / 'index.html'}  (open it in a browser; it works offline)")
    return 0


def cmd_slides(args) -> int:
    from . import site

    out = site.build_slides(source=args.source)
    print(f"slides: {out}/  (one deck per chapter; press ? in a deck for the keys)")
    return 0


def cmd_sweep(args) -> int:
    from . import sweep

    where = _dask_cluster(args)
    return sweep.run(args.notebook, args.file, force=args.force, workers=args.jobs, dask=where)


def _dask_cluster(args):
    """The Dask cluster ``--scheduler`` / ``--dask-local`` ask for (a ``runner.DaskCluster``), or None.

    Checked before any work; Dask itself is imported only when a run starts on it.
    """
    scheduler = getattr(args, "scheduler", None)
    local = getattr(args, "dask_local", None)
    threads = getattr(args, "threads_per_worker", None)
    if scheduler is None and local is None:
        if threads is not None:
            raise parameters.ParameterError(
                args.command,
                "--threads-per-worker",
                threads,
                "only with --dask-local (the local pool runs one notebook per process)",
            )
        return None
    if scheduler is not None and local is not None:
        raise parameters.ParameterError(
            args.command, "--scheduler", scheduler, "either --scheduler ADDRESS or --dask-local N, not both"
        )
    if args.jobs is not None:
        raise parameters.ParameterError(
            args.command, "-j", args.jobs, "no -j with a Dask cluster (its workers set how many notebooks run at once)"
        )
    from . import runner

    if scheduler is not None:
        if threads is not None:
            raise parameters.ParameterError(
                args.command,
                "--threads-per-worker",
                threads,
                "only with --dask-local (an existing cluster's workers are already set)",
            )
        if not scheduler.strip() or any(c.isspace() for c in scheduler):
            raise parameters.ParameterError(
                args.command, "--scheduler", scheduler, "a scheduler address such as tcp://HOST:8786"
            )
        return runner.DaskCluster(scheduler=scheduler.strip())
    local = None if local == "auto" else local  # --dask-local alone: one worker per available CPU
    for flag, value in (("--dask-local", local), ("--threads-per-worker", threads)):
        if value is not None and value < 1:
            raise parameters.ParameterError(args.command, flag, value, "a whole number of at least 1")
    return runner.DaskCluster(local_workers=local, threads_per_worker=threads or 1)


def _add_executor_options(p) -> None:
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        help="worker processes of the local pool (default: one per available CPU)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on an existing Dask cluster (e.g. tcp://HOST:8786); its workers need this clone "
        "at the same path and its environment",
    )
    p.add_argument(
        "--dask-local",
        dest="dask_local",
        type=int,
        nargs="?",
        const="auto",
        default=None,
        metavar="N",
        help="start a local Dask cluster of N workers (default: one per available CPU)",
    )
    p.add_argument(
        "--threads-per-worker",
        dest="threads_per_worker",
        type=int,
        default=None,
        metavar="T",
        help="threads per worker of --dask-local (default: 1)",
    )


def cmd_params(args) -> int:
    print(parameters.describe(args.notebook))
    return 0


def cmd_validate(args) -> int:
    from ..core import data

    tables = data.validate_all()
    for name, frame in tables.items():
        print(f"ok  {name}: {len(frame)} rows")
    return 0


def cmd_datadict(args) -> int:
    from ..core import datadict

    return datadict.main(check=args.check)


def cmd_kappa(args) -> int:
    import csv

    from ..chapters import views
    from ..core import data

    statements = data.load("statements")
    known = set(statements["statement_id"])
    codings = []
    for path in (args.first, args.second):
        try:
            codings.append(views.read_coding(path, known_ids=known))
        except IsADirectoryError:
            print(
                f"error: {path}: is a folder; give a CSV file with the columns statement_id and stance", file=sys.stderr
            )
            return 2
        except UnicodeDecodeError:
            print(
                f"error: {path}: not a UTF-8 text file; give a CSV file with the columns statement_id and stance",
                file=sys.stderr,
            )
            return 2
        except (OSError, csv.Error) as exc:
            print(f"error: {path}: cannot be read as CSV ({getattr(exc, 'strerror', None) or exc})", file=sys.stderr)
            return 2
        except ValueError as exc:
            if isinstance(exc, data.DataValidationError):
                raise
            msg = str(exc)
            print(f"error: {msg if path in msg else f'{path}: {msg}'}", file=sys.stderr)
            return 2
    first, second = codings
    try:
        overall, _by_topic, diff = views.compare_codings(first, second, weights=args.weights)
    except ValueError as exc:
        if isinstance(exc, data.DataValidationError):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    left = max(len(first), len(second)) - overall.n
    print(f"{args.first} vs {args.second}: {overall}")
    print(
        f"  ({views.kappa_label(overall.kappa)} by the Landis and Koch bands; "
        f"{left} statement(s) coded in only one file were left out)"
    )
    if len(diff):
        texts = statements.set_index("statement_id")
        print(f"  {len(diff)} disagreement(s):")
        for _, r in diff.iterrows():
            t = texts.loc[r["statement_id"]]
            print(
                f"    {r['statement_id']} [{t['topic_id']}] {t['speaker']}: "
                f"{views.signed(r['stance_first'])} vs {views.signed(r['stance_second'])}"
            )
    return 0


def _parameter_pairs(argv: list[str]) -> tuple[list[str], list[list[str]]]:
    """Take ``run``'s ``-p NAME VALUE`` pairs out of the arguments, in order, before argparse sees them.

    argparse reads a value such as ``-1e-5`` or ``-x`` as an option and answers
    "expected 2 arguments", which names no parameter; taken out here, the value
    reaches the parameter's own check, which names the parameter and what is
    allowed. A ``-p`` without two words after it is left for argparse's message.
    """
    if not argv or argv[0] != "run":
        return argv, []
    rest, pairs, i = [], [], 0
    while i < len(argv):
        if argv[i] in ("-p", "--parameters") and i + 2 < len(argv) and not argv[i + 1].startswith("-"):
            pairs.append([argv[i + 1], argv[i + 2]])
            i += 3
        else:
            rest.append(argv[i])
            i += 1
    return rest, pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./sco", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (
        ("run", "execute notebooks into build/"),
        ("refresh", "re-execute the committed notebooks in place (default parameters)"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="names like 01_sco_history (default: all)")
        if name == "run":
            p.add_argument(
                "-p",
                "--parameters",
                dest="param",
                nargs=2,
                action="append",
                metavar=("NAME", "VALUE"),
                help="set a parameter (papermill's -p)",
            )
            p.add_argument(
                "-f", "--parameters_file", dest="file", metavar="FILE", help="YAML file of parameters (papermill's -f)"
            )
            p.add_argument(
                "--name",
                default=None,
                metavar="NAME",
                help="keep this run in build/runs/NAME/ (lower-case letters, digits, - and _)",
            )
            p.add_argument("--force", action="store_true", help="run even if the inputs are unchanged")
            _add_executor_options(p)
        else:
            p.add_argument(
                "-j", "--jobs", type=int, default=None, help="worker processes (default: one per available CPU)"
            )
        p.set_defaults(func=cmd_run, param=None, file=None, force=False, name=None)
    for name, helptext, func in (
        ("site", "build the static site into build/site/", cmd_site),
        ("slides", "render each chapter as reveal.js slides", cmd_slides),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument(
            "--from",
            dest="source",
            choices=("auto", "build", "committed"),
            default="auto",
            help="executed notebooks to render: the default runs in build/ if up to date "
            "(auto, the default), only those (build), or the committed ones",
        )
        if name == "site":
            p.add_argument("--no-slides", action="store_true", help="skip the slides")
            p.add_argument(
                "--teacher",
                action="store_true",
                help="the teacher's build, with solutions and keys, into build/site-teacher/",
            )
            p.add_argument(
                "--force", action="store_true", help="build even if nothing the site is built from has changed"
            )
        p.set_defaults(func=func)
    p = sub.add_parser("sweep", help="run one variant per group from a YAML file, with an index page")
    p.add_argument("notebook", help="a chapter, like 03_trade")
    p.add_argument(
        "-f", "--groups", dest="file", required=True, metavar="FILE", help="YAML mapping of group name to parameters"
    )
    p.add_argument("--force", action="store_true", help="run even if the inputs are unchanged")
    _add_executor_options(p)
    p.set_defaults(func=cmd_sweep)
    p = sub.add_parser("params", help="list a notebook's parameters")
    p.add_argument("notebook")
    p.set_defaults(func=cmd_params)
    p = sub.add_parser("validate", help="validate every data table")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("datadict", help="write data/DATA_DICTIONARY.md from datapackage.json")
    p.add_argument("--check", action="store_true", help="fail if the committed file is out of date")
    p.set_defaults(func=cmd_datadict)

    p = sub.add_parser("kappa", help="agreement between two codings of the statements (Cohen's kappa)")
    p.add_argument("first", help="CSV with statement_id and stance (e.g. a student's sheet)")
    p.add_argument("second", help="CSV with statement_id and stance (e.g. data/statements.csv)")
    p.add_argument(
        "--weights",
        choices=("none", "linear", "quadratic"),
        default="none",
        help="count disagreements by their distance on the scale (default: none)",
    )
    p.set_defaults(func=cmd_kappa)

    argv, pairs = _parameter_pairs(list(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if pairs:
        args.param = pairs
    try:
        try:
            code = args.func(args)
        finally:
            sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        print(
            "\ninterrupted: runs in progress were stopped and their scratch folders removed; "
            "previous results are unchanged",
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:  # the reader of our output went away (e.g. '| head'): stop quietly
        _silence_stdout()
        return 141
    except Exception as exc:  # noqa: BLE001 - no traceback reaches the user
        from ..core.errors import DataValidationError
        from . import runner  # standard library only, like errors: a refusal stays fast

        if isinstance(
            exc, (parameters.ParameterError, DataValidationError, runner.RunnerError, paths.NotInRepositoryError)
        ):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        log = _write_crash_log(exc)
        first = (str(exc).strip().splitlines() or [""])[0][:500]
        print(f"error: {type(exc).__name__}: {first}", file=sys.stderr)
        print(
            f"       (an unexpected error; the details are in {log})"
            if log
            else "       (an unexpected error; no log could be written)",
            file=sys.stderr,
        )
        return 2


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _write_crash_log(exc: BaseException) -> str | None:
    """Keep an unexpected error's traceback in ``build/logs/``; return its path (None if it cannot be written)."""
    import datetime as dt
    import tempfile

    text = "".join(traceback.format_exception(exc))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    for folder in (paths.build_dir() / "logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"error-{stamp}-{os.getpid()}.txt"
            target.write_text(text, encoding="utf-8")
        except OSError:
            continue
        try:
            return str(target.relative_to(paths.repo_root()))
        except ValueError:
            return str(target)
    return None


def _entry() -> int:
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = 141
    return code


if __name__ == "__main__":
    sys.exit(_entry())
