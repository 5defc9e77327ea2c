#!/usr/bin/env bash
# ./sco COMMAND ...  runs the project's command line (python -m helpers) in the
# project's own environment, .venv, from any folder and without activating it.
# If .venv does not exist yet it is created first with `make venv` (the same
# pinned set-up `make run` and `make test` do), which needs the network once.
# Commands: ./sco --help   (run, sweep, params, site, refresh, validate, ...)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="$here/.venv/bin/python"
if [ ! -x "$py" ]; then
    echo "sco: no environment in $here/.venv yet; creating it with 'make venv' (once; needs the network)" >&2
    if ! command -v make >/dev/null 2>&1; then
        echo "sco: error: 'make' is not installed; install it (and Python 3.11+), then run 'make venv'" >&2
        exit 2
    fi
    make -C "$here" --no-print-directory venv >&2 || {
        echo "sco: error: setting up .venv failed (see above); fix it and run 'make venv' again" >&2
        exit 2
    }
fi
exec "$py" -m helpers "$@"
