"""Running, rendering and publishing: runner, sweeps, pages, site, course tools, command line.

Imports :mod:`helpers.core` and :mod:`helpers.chapters`; nothing below imports it.
"""
