"""The README's examples, run as a doctest from tests/vectors."""

from __future__ import annotations

import doctest
import os
from pathlib import Path

import pytest

from conftest import VECTORS

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(VECTORS)
    failed, attempted = doctest.testfile(str(README), module_relative=False, verbose=False)
    assert attempted > 5 and failed == 0, f"{failed} of {attempted} README examples failed"
    assert os.getcwd() == str(VECTORS.resolve())
