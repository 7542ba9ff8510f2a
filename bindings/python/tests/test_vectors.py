"""Every line of the shared vectors: the same verdicts and errors as Rust."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import List, Optional

import pytest

import licentia

from conftest import VECTORS, read, table

VERDICTS = table("verdicts.txt")
REVOKED = table("revoked.txt")
ERRORS = table("errors.txt")
JUNE = datetime(2026, 6, 1, tzinfo=timezone.utc)


def _id(row: List[str]) -> str:
    return " ".join(row[:3])


def check_row(verifier: licentia.Verifier, row: List[str], revocations: Optional[licentia.Verifier]) -> None:
    # A ninth field: the fake root under environments/ to probe.
    environment = licentia.Environment.probe_root(VECTORS / "environments" / row[8]) if len(row) == 9 else None
    file, now, product, machine, release, user, state, codes = row[:8]
    context = dict(
        now=licentia.parse_time(now),
        product=product,
        machine=None if machine == "-" else licentia.Fingerprint.from_hex(machine),
        release_date=None if release == "-" else licentia.parse_time(release),
        user=None if user == "-" else user,
        revocations=revocations,
        environment=environment,
    )
    with verifier.verify(read(file)) as lic:
        report = lic.check(**context)  # type: ignore[arg-type]
    # Verified and checked in one call: the very same report.
    assert verifier.check(read(file), **context) == report  # type: ignore[arg-type]
    assert licentia.state_name(report.state) == state
    got = ",".join(str(code) for code in report.codes) or "-"
    assert got == codes, report.text
    # Codes come in ascending order already (failures first, then by code).
    assert [int(f.rule) for f in report.findings] == sorted(int(f.rule) for f in report.findings)


def test_tables_are_not_empty() -> None:
    assert len(VERDICTS) > 60 and len(REVOKED) > 5 and len(ERRORS) == len(list((VECTORS / "invalid").iterdir()))


@pytest.mark.parametrize("row", VERDICTS, ids=[_id(r) for r in VERDICTS])
def test_verdict(verifier: licentia.Verifier, row: List[str]) -> None:
    check_row(verifier, row, None)


@pytest.mark.parametrize("row", REVOKED, ids=[_id(r[1:]) for r in REVOKED])
def test_revoked(verifier: licentia.Verifier, row: List[str]) -> None:
    with licentia.Verifier(read("keys/issuer.pub")) as revocations:
        revocations.set_revocation_list(read(row[0]), row[3])
        check_row(verifier, row[1:], revocations)


@pytest.mark.parametrize("row", ERRORS, ids=[r[2] for r in ERRORS])
def test_error(verifier: licentia.Verifier, row: List[str]) -> None:
    file, code, _name = row
    expected = licentia.Status(int(code))
    family = {1: licentia.FormatError, 2: licentia.SignatureError}[expected // 1000]
    with pytest.raises(family) as text_error:
        verifier.verify((VECTORS / file).read_bytes())
    assert text_error.value.status == expected
    with pytest.raises(family) as check_error:
        verifier.check((VECTORS / file).read_bytes(), now=JUNE, product="acme-cad")
    assert check_error.value.status == expected
    with pytest.raises(family) as file_error:
        verifier.verify_file(VECTORS / file)
    assert file_error.value.status == expected
