"""Shared fixtures (the figure folder is redirected in the root conftest.py)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tree_digest(folder: Path) -> str:
    """One hash over every file's path and bytes under a folder."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A scratch copy of data/ that a test may damage."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target
