"""The shared core: data, units, style, maps, paths, wording, parameter validation, vocabulary.

Imports nothing from :mod:`helpers.chapters` or :mod:`helpers.publish`.
"""
