"""``python -m helpers``: the command line; the code is :mod:`helpers.publish.cli`."""

import sys

from .publish.cli import _entry, main  # noqa: F401  (``from helpers.__main__ import main`` keeps working)

if __name__ == "__main__":
    sys.exit(_entry())
