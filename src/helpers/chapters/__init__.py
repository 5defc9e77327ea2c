"""One analysis module per chapter; each imports only :mod:`helpers.core` (and other chapters)."""
