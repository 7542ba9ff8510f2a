"""Shared fixtures: the test vectors of tests/vectors (the contract between
the Rust crate and every binding)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, List

import pytest

import licentia

#: tests/vectors of the repository, or $LICENTIA_VECTORS.
VECTORS = Path(os.environ.get("LICENTIA_VECTORS", Path(__file__).resolve().parents[3] / "tests" / "vectors"))


def read(name: str) -> str:
    """A vector file's text, as bytes decoded without touching line ends."""
    return (VECTORS / name).read_bytes().decode("utf-8")


def table(name: str) -> List[List[str]]:
    """The whitespace-separated fields of each non-comment line of a table."""
    rows = []
    for line in read(name).splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#"):
            rows.append(fields)
    return rows


@pytest.fixture
def verifier() -> Iterator[licentia.Verifier]:
    with licentia.Verifier(read("keys/issuer.pub")) as v:
        yield v
