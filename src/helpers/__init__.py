"""Shared code for the SCO and Central Asia notebooks.

Importing ``helpers`` has no side effects: it does not import pandas or
matplotlib, change matplotlib settings, or touch files. Import the submodules
you need::

    from helpers import data, style, maps, sco
"""

__version__ = "0.1.0"
