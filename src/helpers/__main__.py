"""Command line: ``python -m helpers COMMAND``.

Commands
--------
run [NOTEBOOK ...] [-p NAME VALUE ...] [-f params.yaml] [--force] [-j N]
    Execute notebooks (all by default) into ``build/``; see :mod:`helpers.runner`.
site [--from auto|build|committed] [--no-slides]
    Build the static site into ``build/site/`` (see :mod:`helpers.site`).
slides [--from auto|build|committed]
    Only the reveal.js slides, into ``build/site/slides/``.
sweep NOTEBOOK -f groups.yaml [--force] [-j N]
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
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import parameters


def _parse_value(notebook: str, name: str, raw: str) -> Any:
    """Turn a ``-p NAME VALUE`` string into a value, as papermill's ``-y`` would.

    Numbers, booleans and lists (``'["member", "observer"]'``) are read as YAML.
    Text for a text or list parameter is kept as typed, so that YAML does not
    turn a country code such as ``NO`` into ``False``.
    """
    import yaml

    spec = parameters.spec_for(notebook).by_name().get(name)
    if spec is not None and spec.kind in ("str", "list") and not raw.lstrip().startswith("["):
        return raw
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw


def _load_file(path: str) -> dict[str, Any]:
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
        raise parameters.ParameterError(
            "run", "notebook", names, "exactly one notebook when parameters are given"
        )
    overrides = _overrides(args, names)
    jobs = runner.plan(names, overrides, refresh=args.command == "refresh")
    results = runner.run_jobs(jobs, force=args.force or args.command == "refresh", workers=args.jobs)
    failed = sum(r.status == "failed" for r in results)
    print(f"{len(results) - failed} of {len(results)} notebook(s) up to date or run; {failed} failed.")
    if args.command == "refresh":  # the teachers' solutions read the same data and helpers
        from . import seminar

        failed += seminar.refresh_solutions(args.notebooks or None)
    return 1 if failed else 0


def cmd_site(args) -> int:
    from . import site

    out = site.build(source=args.source, slides=not args.no_slides)
    print(f"site: {out / 'index.html'}  (open it in a browser; it works offline)")
    return 0


def cmd_slides(args) -> int:
    from . import site

    out = site.build_slides(source=args.source)
    print(f"slides: {out}/  (one deck per chapter; press ? in a deck for the keys)")
    return 0


def cmd_sweep(args) -> int:
    from . import sweep

    return sweep.run(args.notebook, args.file, force=args.force, workers=args.jobs)


def cmd_params(args) -> int:
    print(parameters.describe(args.notebook))
    return 0


def cmd_validate(args) -> int:
    from . import data

    tables = data.validate_all()
    for name, frame in tables.items():
        print(f"ok  {name}: {len(frame)} rows")
    return 0


def cmd_datadict(args) -> int:
    from . import datadict

    return datadict.main(check=args.check)


def cmd_kappa(args) -> int:
    from . import data, views

    try:
        statements = data.load("statements")
        known = set(statements["statement_id"])
        first = views.read_coding(args.first, known_ids=known)
        second = views.read_coding(args.second, known_ids=known)
        overall, _by_topic, diff = views.compare_codings(first, second, weights=args.weights)
    except ValueError as exc:
        if isinstance(exc, data.DataValidationError):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    left = max(len(first), len(second)) - overall.n
    print(f"{args.first} vs {args.second}: {overall}")
    print(f"  ({views.kappa_label(overall.kappa)} by the Landis and Koch bands; "
          f"{left} statement(s) coded in only one file were left out)")
    if len(diff):
        texts = statements.set_index("statement_id")
        print(f"  {len(diff)} disagreement(s):")
        for _, r in diff.iterrows():
            t = texts.loc[r["statement_id"]]
            print(f"    {r['statement_id']} [{t['topic_id']}] {t['speaker']}: "
                  f"{views.signed(r['stance_first'])} vs {views.signed(r['stance_second'])}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (("run", "execute notebooks into build/"),
                           ("refresh", "re-execute the committed notebooks in place (default parameters)")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="names like 01_sco_history (default: all)")
        if name == "run":
            p.add_argument("-p", "--parameters", dest="param", nargs=2, action="append",
                           metavar=("NAME", "VALUE"), help="set a parameter (papermill's -p)")
            p.add_argument("-f", "--parameters_file", dest="file", metavar="FILE",
                           help="YAML file of parameters (papermill's -f)")
            p.add_argument("--force", action="store_true", help="run even if the inputs are unchanged")
        p.add_argument("-j", "--jobs", type=int, default=None, help="worker processes (default: one per core)")
        p.set_defaults(func=cmd_run, param=None, file=None, force=False)
    for name, helptext, func in (("site", "build the static site into build/site/", cmd_site),
                                 ("slides", "render each chapter as reveal.js slides", cmd_slides)):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--from", dest="source", choices=("auto", "build", "committed"), default="auto",
                       help="executed notebooks to render: the default runs in build/ if up to date "
                            "(auto, the default), only those (build), or the committed ones")
        if name == "site":
            p.add_argument("--no-slides", action="store_true", help="skip the slides")
        p.set_defaults(func=func)
    p = sub.add_parser("sweep", help="run one variant per group from a YAML file, with an index page")
    p.add_argument("notebook", help="a chapter, like 03_trade")
    p.add_argument("-f", "--groups", dest="file", required=True, metavar="FILE",
                   help="YAML mapping of group name to parameters")
    p.add_argument("--force", action="store_true", help="run even if the inputs are unchanged")
    p.add_argument("-j", "--jobs", type=int, default=None, help="worker processes (default: one per core)")
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
    p.add_argument("--weights", choices=("none", "linear", "quadratic"), default="none",
                   help="count disagreements by their distance on the scale (default: none)")
    p.set_defaults(func=cmd_kappa)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except parameters.ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # data validation and similar: clear message, no traceback
        from . import data

        if isinstance(exc, data.DataValidationError):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
