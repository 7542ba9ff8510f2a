"""The Python API over the real library: happy path, handles, errors,
issuing, renewals, rollover and activation."""

from __future__ import annotations

import gc
import os
import json
import weakref
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, List, Optional, Tuple, Union

import pytest

import licentia
from licentia import Status

from conftest import VECTORS, read

MACHINE_A = (
    "03609ac5750e57fd8727f95bcfff3ce06a03daa58406d6f907ab64a58baadb33254d"
    "03d444549f126d17d5fa8afb381c28ea4e"
)
JUNE = datetime(2026, 6, 1, tzinfo=timezone.utc)


def test_happy_path() -> None:
    with licentia.Verifier.from_key_file(VECTORS / "keys" / "issuer.pub") as verifier, verifier.verify(
        read("licenses/typical.lic")
    ) as lic:
        assert lic.product == "acme-cad"
        assert lic.licensee_name == "Jane Doe"
        assert lic.licensee_email == "jane@example.com"
        assert lic.customer_ref is None and lic.replaces is None
        assert len(lic.id) == 32 and len(lic.key_id) == 16
        assert lic.kind is licentia.Kind.STANDARD
        terms = lic.terms
        assert terms.issued_at == datetime(2026, 1, 1, tzinfo=timezone.utc)
        assert terms.hard_expiry == datetime(2027, 1, 1, tzinfo=timezone.utc)
        assert terms.grace == timedelta(days=14)
        assert terms.valid_from is None and terms.check_in_interval is None
        binding = lic.binding
        assert binding.kind is licentia.BindingKind.NODE_LOCKED
        assert binding.match_rule is licentia.MatchRule.TWO
        assert binding.machines == (MACHINE_A,)
        assert [e.code for e in lic.entitlements] == ["export", "render", "seats"]
        assert lic.has_feature("export", JUNE) and not lic.has_feature("teleport", JUNE)
        assert lic.entitlement("seats", JUNE) == licentia.Entitlement("seats", 5, None)
        assert lic.entitlement("teleport", JUNE) is None

        # Machine a's vendor components give the vectors' fingerprint.
        vendor = {"serial": "SN-0001", "board": "BRD-0001", "disk": "DSK-0001"}
        with licentia.Fingerprint.build("acme-cad", vendor=vendor) as machine:
            assert machine.hex == MACHINE_A
            report = lic.check(now=JUNE, product="acme-cad", machine=machine)
            assert report.state is licentia.State.VALID and report.allowed
            assert report.findings == () and report.grace_remaining is None

            grace = lic.check(now=datetime(2027, 1, 5, tzinfo=timezone.utc), product="acme-cad", machine=machine)
        assert grace.state is licentia.State.VALID_WITH_WARNINGS and grace.allowed
        (finding,) = grace.findings
        assert finding.rule is licentia.Rule.IN_GRACE and finding.name == "in_grace"
        assert finding.severity is licentia.Severity.WARNING
        assert finding.remaining == timedelta(days=10) == grace.grace_remaining
        assert "in_grace" in str(grace) and finding.message in grace.text


def test_full_license(verifier: licentia.Verifier) -> None:
    with verifier.verify(read("licenses/full.compact")) as lic:
        assert lic.licensee_name == "Société Exemplaire, Zürich"
        assert lic.customer_ref == "CUST-00042" and lic.seats == 25
        assert lic.metadata("edition") == "enterprise"
        assert lic.metadata("note") == "" and lic.metadata("missing") is None
        assert lic.terms.check_in_interval == timedelta(days=30)
        assert lic.terms.check_in_max_offline == timedelta(days=14)
        render = lic.entitlement("render", JUNE)
        assert render is not None and render.count == 8
        assert render.expires == datetime(2026, 9, 1, tzinfo=timezone.utc)
    with verifier.verify(read("licenses/named_user.lic")) as lic:
        assert lic.binding.user == "jdoe"
    with verifier.verify(read("licenses/floating.lic")) as lic:
        assert lic.binding.kind is licentia.BindingKind.FLOATING and lic.binding.max_machines == 5
    with verifier.verify(read("licenses/temporary.lic")) as lic:
        assert lic.kind is licentia.Kind.TEMPORARY and lic.replaces is not None


def test_context_manager_closes(verifier: licentia.Verifier) -> None:
    with verifier.verify(read("licenses/unbound.lic")) as lic:
        assert not lic.closed
    assert lic.closed
    with pytest.raises(licentia.ArgumentError) as error:
        lic.id
    assert error.value.status is Status.NULL_ARGUMENT
    assert isinstance(error.value, ValueError)
    lic.close()  # closing again does nothing
    with pytest.raises(licentia.ArgumentError):
        lic.check(now=JUNE, product="acme-cad")
    assert repr(lic) == "License(closed)"

    with licentia.Verifier(read("keys/issuer.pub")) as other:
        pass
    with pytest.raises(licentia.ArgumentError):
        other.verify(read("licenses/unbound.lic"))
    # A closed verifier given as another object's argument is refused too.
    with verifier.verify(read("licenses/terms.lic")) as terms:
        with pytest.raises(licentia.ArgumentError):
            terms.apply_renewal(other, read("documents/renewal_extend.renewal"))
        with pytest.raises(licentia.ArgumentError):
            terms.check(now=JUNE, product="acme-cad", revocations=other)


def test_unclosed_handles_are_freed_when_collected(
    verifier: licentia.Verifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    freed: List[int] = []
    real_free = licentia.License._free

    def free(ptr: Optional[int]) -> None:
        freed.append(ptr or 0)
        real_free(ptr)

    monkeypatch.setattr(licentia.License, "_free", free)
    lic = verifier.verify(read("licenses/unbound.lic"))
    ptr = lic._ptr
    alive = weakref.ref(lic)
    del lic
    gc.collect()
    assert alive() is None and freed == [ptr]
    # Closed first, it is freed once.
    with verifier.verify(read("licenses/unbound.lic")) as closed:
        pass
    del closed
    gc.collect()
    assert len(freed) == 2


def test_bad_input_raises_its_family(verifier: licentia.Verifier) -> None:
    with pytest.raises(licentia.FormatError) as fmt:
        verifier.verify("hello")
    assert fmt.value.status is Status.NOT_LICENTIA_TEXT and fmt.value.code == 1002
    assert str(fmt.value)  # the library's message

    with pytest.raises(licentia.SignatureError) as sig:
        licentia.Verifier(read("keys/other.pub")).verify(read("licenses/unbound.lic"))
    assert sig.value.status is Status.UNKNOWN_KEY_ID
    with pytest.raises(licentia.SignatureError) as key:
        licentia.Verifier("not a key")
    assert key.value.status is Status.KEY_FORMAT
    with pytest.raises(licentia.SignatureError) as weak:
        verifier.add_key_raw(bytes.fromhex(read("keys/small_order.raw").strip()))
    assert weak.value.status is Status.WEAK_KEY

    with pytest.raises(licentia.DocumentError) as fp:
        licentia.Fingerprint.from_hex("zz")
    assert fp.value.status is Status.FINGERPRINT
    with pytest.raises(licentia.DocumentError) as empty:
        licentia.Fingerprint.build("acme-cad")
    assert empty.value.status is Status.FINGERPRINT

    with pytest.raises(licentia.ArgumentError) as when:
        licentia.parse_time("yesterday")
    assert when.value.status is Status.INVALID_ARGUMENT
    with pytest.raises(licentia.ArgumentError) as naive:
        verifier.verify(read("licenses/unbound.lic")).check(now=datetime(2026, 6, 1), product="acme-cad")
    assert naive.value.status is Status.INVALID_ARGUMENT
    with pytest.raises(licentia.ArgumentError) as nul:
        verifier.verify("lic.\0abc")
    assert nul.value.status is Status.INVALID_ARGUMENT
    with pytest.raises(licentia.ArgumentError) as utf8:
        verifier.verify(b"lic.\xff\xfe")
    assert utf8.value.status is Status.INVALID_UTF8
    with pytest.raises(licentia.ArgumentError) as surrogate:
        verifier.verify("lic.\udc80")
    assert surrogate.value.status is Status.INVALID_UTF8
    with pytest.raises(licentia.ArgumentError) as io:
        verifier.verify_file(VECTORS / "no" / "such.lic")
    assert io.value.status is Status.IO
    with pytest.raises(licentia.ArgumentError):
        verifier.add_key_raw(b"short")
    with pytest.raises(licentia.ArgumentError) as no_key:
        licentia.Verifier.from_key_file(VECTORS / "keys" / "none.pub")
    assert no_key.value.status is Status.IO
    with pytest.raises(licentia.SignatureError) as not_key:
        licentia.Verifier.from_key_file(VECTORS / "licenses" / "unbound.lic")
    assert not_key.value.status is Status.KEY_FORMAT
    # Every family is a LicentiaError.
    for error in (fmt, sig, fp, when):
        assert isinstance(error.value, licentia.LicentiaError)


def test_statuses_match_the_library() -> None:
    for status in Status:
        assert licentia.LicentiaError(status).args[0] != "unknown status", status
    assert str(licentia.LicentiaError(9999)) == "unknown status"
    assert isinstance(licentia.errors.error_class(5001)(5001), licentia.InternalError)
    for rule in licentia.Rule:
        assert licentia.rule_name(rule) == rule.name.lower()
    for state in licentia.State:
        assert licentia.state_name(state) == state.name.lower()
    with pytest.raises(licentia.ArgumentError):
        licentia.rule_name(999)


def test_issue_from_json_spec_and_verify_back(verifier: licentia.Verifier) -> None:
    spec = {
        "product": "acme-cad",
        "licensee": "Python Corp",
        "issued_at": "2026-01-01",
        "expires": "2027-01-01",
        "grace_days": 14,
        "features": ["export", "seats=5"],
        "metadata": {"edition": "pro"},
        "machines": [MACHINE_A],
    }
    with licentia.Issuer.from_pem(read("keys/issuer.key")) as issuer:
        assert issuer.public_key_pem == read("keys/issuer.pub")
        document = issuer.issue(spec)
        from_text = issuer.issue(json.dumps(spec))
        with pytest.raises(licentia.DocumentError) as bad:
            issuer.issue({"product": "acme-cad", "licensee": "x", "colour": "red"})
        assert bad.value.status is Status.INVALID_SPEC
    assert str(document).startswith("-----BEGIN LICENTIA LICENSE-----")
    with verifier.verify(document.armor) as lic, verifier.verify(document.compact) as same:
        assert lic.id == same.id != verifier.verify(from_text.armor).id
        assert lic.licensee_name == "Python Corp" and lic.metadata("edition") == "pro"
        assert lic.entitlement("seats", JUNE) == licentia.Entitlement("seats", 5, None)
        with licentia.Fingerprint.from_hex(MACHINE_A) as machine:
            assert lic.check(now=JUNE, product="acme-cad", machine=machine).state is licentia.State.VALID
        assert lic.check(now=JUNE, product="acme-cad").codes == (105,)


def test_revocation_renewal_and_rollover(verifier: licentia.Verifier) -> None:
    assert verifier.revocation_sequence is None
    verifier.set_revocation_list(read("documents/revocation_2.revocation"), "acme-cad")
    assert verifier.revocation_sequence == 2
    with pytest.raises(licentia.DocumentError) as stale:
        verifier.set_revocation_list(read("documents/revocation_1.revocation"), "acme-cad")
    assert stale.value.status is Status.STALE_REVOCATION_LIST

    with verifier.verify(read("licenses/unbound.lic")) as unbound:
        with pytest.raises(licentia.DocumentError) as mismatch:
            unbound.apply_renewal(verifier, read("documents/renewal_extend.renewal"))
        assert mismatch.value.status is Status.RENEWAL_MISMATCH
    with verifier.verify(read("licenses/terms.lic")) as lic:
        lic.apply_renewal(verifier, read("documents/renewal_extend.compact"))
        assert lic.terms.hard_expiry == datetime(2027, 12, 1, tzinfo=timezone.utc)

    rolled = read("documents/rollover_license.lic")
    with pytest.raises(licentia.SignatureError):
        verifier.verify(rolled)
    verifier.accept_rollover(read("documents/rollover.rollover"))
    assert verifier.verify(rolled).product == "acme-cad"


def test_activation(verifier: licentia.Verifier) -> None:
    text = read("documents/activation.request")
    answer = read("documents/activation.answer")
    with licentia.ActivationRequest.parse(text) as request:
        assert request.text == text
        file = request.accept(verifier, answer, datetime(2026, 3, 2, tzinfo=timezone.utc))
        with pytest.raises(licentia.DocumentError) as late:
            request.accept(verifier, answer, datetime(2026, 3, 9, tzinfo=timezone.utc))
        assert late.value.status is Status.ACTIVATION_MISMATCH
    assert verifier.verify(file).binding.match_rule is licentia.MatchRule.MOST
    with licentia.Fingerprint.from_hex(MACHINE_A) as machine:
        now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        fresh = licentia.ActivationRequest.create("acme-cad", machine, now, license_key="ACME-0001-0002-0003")
        with pytest.raises(licentia.DocumentError):
            fresh.accept(verifier, answer, now)
        by_id = licentia.ActivationRequest.create("acme-cad", machine, now, license_id="1c" + "0" * 30)
        assert licentia.ActivationRequest.parse(by_id.text).text == by_id.text
        with pytest.raises(licentia.ArgumentError):
            licentia.ActivationRequest.create("acme-cad", machine, now)


def test_times_and_versions() -> None:
    paris = timezone(timedelta(hours=1))
    assert licentia.format_time(datetime(2027, 1, 31, 12, tzinfo=paris)) == "2027-01-31T11:00:00Z"
    parsed = licentia.parse_time("2027-01-31T12:00:00+01:00")
    assert parsed == datetime(2027, 1, 31, 11, tzinfo=timezone.utc) and parsed.tzinfo is timezone.utc
    assert licentia.format_version() in licentia.supported_format_versions()
    assert licentia.version() == licentia.__version__


def test_clock_guard(verifier: licentia.Verifier, tmp_path: Path) -> None:
    state = tmp_path / "clock"
    with verifier.verify(read("licenses/unbound.lic")) as lic:

        def guarded(now: datetime) -> licentia.Report:
            return lic.check(now=now, product="acme-cad", clock_state_path=state, clock_secret=b"s" * 32)

        assert guarded(JUNE).codes == ()
        # A month back from the latest time seen: the clock was rolled back.
        rolled = guarded(datetime(2026, 5, 1, tzinfo=timezone.utc))
        assert rolled.state is licentia.State.INVALID and rolled.codes == (104,)
        with open(state, "w", encoding="utf-8") as f:
            f.write("edited")
        with pytest.raises(licentia.DocumentError) as tampered:
            guarded(JUNE)
        assert tampered.value.status is Status.CLOCK_STATE_TAMPERED
        # Deleted after the first run: its witness copy remembers (3008).
        state.unlink()
        with pytest.raises(licentia.DocumentError) as missing:
            guarded(JUNE)
        assert missing.value.status is Status.CLOCK_STATE_MISSING


def test_clock_guard_options(verifier: licentia.Verifier, tmp_path: Path) -> None:
    state, witness = tmp_path / "data" / "clock", tmp_path / "elsewhere.seen"
    state.parent.mkdir()
    with verifier.verify(read("licenses/unbound.lic")) as lic:

        def guarded(**options: Any) -> licentia.Report:
            return lic.check(
                now=JUNE,
                product="acme-cad",
                clock_state_path=state,
                clock_secret=b"s" * 32,
                clock_witness_path=witness,
                **options,
            )

        assert guarded().codes == ()
        assert witness.exists() and not state.with_name("clock.witness").exists()
        assert guarded(clock_started=True).codes == ()
        # Both copies deleted after a first run the application declares: reported.
        state.unlink()
        witness.unlink()
        with pytest.raises(licentia.DocumentError) as missing:
            guarded(clock_started=True)
        assert missing.value.status is Status.CLOCK_STATE_MISSING
        # An option with no state file to guard is refused, not ignored.
        with pytest.raises(licentia.ArgumentError) as refused:
            lic.check(now=JUNE, product="acme-cad", clock_started=True)
        assert refused.value.status is Status.INVALID_ARGUMENT


def test_verify_and_check_in_one_call(verifier: licentia.Verifier, tmp_path: Path) -> None:
    text = read("licenses/unbound.lic")
    assert verifier.check(text, now=JUNE, product="acme-cad").state is licentia.State.VALID
    assert verifier.check(text, now=JUNE, product="acme-cam").codes == (101,)
    # With the clock guard's options: the same guard as a license's check.
    state, witness = tmp_path / "clock", tmp_path / "elsewhere.seen"

    def guarded(now: datetime) -> licentia.Report:
        return verifier.check(
            text,
            now=now,
            product="acme-cad",
            clock_state_path=state,
            clock_secret=b"s" * 32,
            clock_witness_path=witness,
            clock_started=True,
        )

    with pytest.raises(licentia.DocumentError) as missing:
        guarded(JUNE)
    assert missing.value.status is Status.CLOCK_STATE_MISSING
    with verifier.verify(text) as lic:
        lic.check(now=JUNE, product="acme-cad", clock_state_path=state, clock_secret=b"s" * 32, clock_witness_path=witness)
    assert guarded(JUNE).codes == ()
    assert guarded(datetime(2026, 5, 1, tzinfo=timezone.utc)).codes == (104,)
    # Bytes as well as str; what cannot go to C is refused as verify() refuses it.
    assert verifier.check(text.encode(), now=JUNE, product=b"acme-cad").state is licentia.State.VALID
    refusals: List[Tuple[Union[str, bytes], str, Optional[str], Status]] = [
        ("lic.\0abc", "acme-cad", None, Status.INVALID_ARGUMENT),
        (b"lic.\xff\xfe", "acme-cad", None, Status.INVALID_UTF8),
        ("lic.\udc80", "acme-cad", None, Status.INVALID_UTF8),
        (text, "acme\0cad", None, Status.INVALID_ARGUMENT),
        (text, "acme-cad", "j\udc80doe", Status.INVALID_UTF8),
    ]
    for bad_text, product, user, status in refusals:
        with pytest.raises(licentia.ArgumentError) as refused:
            verifier.check(bad_text, now=JUNE, product=product, user=user)
        assert refused.value.status is status, (bad_text, product, user)
    # A naive time is refused before anything is verified.
    with pytest.raises(licentia.ArgumentError):
        verifier.check(text, now=datetime(2026, 6, 1), product="acme-cad")
    verifier.close()
    with pytest.raises(licentia.ArgumentError) as closed:
        verifier.check(text, now=JUNE, product="acme-cad")
    assert "Verifier is closed" in str(closed.value)


def test_this_machine(verifier: licentia.Verifier) -> None:
    # Hosts without an OS machine id (some containers) refuse it clearly.
    try:
        machine = licentia.Fingerprint.this_machine("acme-cad")
    except licentia.DocumentError as error:
        assert error.status is Status.FINGERPRINT
        return
    with machine, verifier.verify(read("licenses/node_locked_all.lic")) as lic:
        assert licentia.Fingerprint.from_hex(machine.hex).hex == machine.hex
        assert lic.check(now=JUNE, product="acme-cad", this_machine=True).codes == (105,)
        with pytest.raises(licentia.ArgumentError) as both:
            lic.check(now=JUNE, product="acme-cad", machine=machine, this_machine=True)
        assert both.value.status is Status.INVALID_ARGUMENT


def test_environment_probe_and_rules_111_112(verifier: licentia.Verifier, tmp_path: Path) -> None:
    # This machine: whatever it is, the report is well formed, and a license
    # refusing virtual machines is refused here exactly when it looks like one.
    with licentia.Environment.probe() as here:
        print("this machine:", here)
        vm = here.evidence(licentia.EnvironmentKind.VIRTUAL_MACHINE)
        assert here.is_virtual_machine == (vm != "")
        with verifier.verify(read("licenses/no_virtual_machines.lic")) as lic:
            probed = lic.check(now=JUNE, product="acme-cad").codes
            assert probed == ((111,) if here.is_virtual_machine else ())
            assert lic.check(now=JUNE, product="acme-cad", environment=here).codes == probed
    # Fake roots: a QEMU guest, a Docker container, a Podman one.
    qemu = licentia.Environment.probe_root(VECTORS / "environments" / "qemu")
    docker = licentia.Environment.probe_root(VECTORS / "environments" / "docker")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / ".containerenv").write_text('engine="podman-4.9.3"\n')
    podman = licentia.Environment.probe_root(tmp_path)
    assert qemu.is_virtual_machine and not qemu.is_container
    assert qemu.evidence(licentia.EnvironmentKind.VIRTUAL_MACHINE) == (
        "dmi.sys_vendor: QEMU; cpuinfo.hypervisor: flag set"
    )
    assert docker.is_container and not docker.is_virtual_machine
    assert podman.evidence(licentia.EnvironmentKind.CONTAINER) == "file./run/.containerenv: present"
    no_vm, no_container = read("licenses/no_virtual_machines.lic"), read("licenses/no_containers.lic")
    with verifier.verify(no_vm) as lic:
        report = lic.check(now=JUNE, product="acme-cad", environment=qemu)
        assert report.codes == (111,) and report.state is licentia.State.INVALID
        assert report.findings[0].rule is licentia.Rule.VIRTUAL_MACHINE_NOT_ALLOWED
        assert "dmi.sys_vendor: QEMU" in report.findings[0].message
        assert lic.check(now=JUNE, product="acme-cad", environment=docker).codes == ()
        assert not lic.allows(licentia.EnvironmentKind.VIRTUAL_MACHINE)
        assert lic.allows(licentia.EnvironmentKind.CONTAINER)
    # Verified and checked in one call (the compiled path when built).
    assert verifier.check(no_vm, now=JUNE, product="acme-cad", environment=qemu).codes == (111,)
    assert verifier.check(no_container, now=JUNE, product="acme-cad", environment=podman).codes == (112,)
    assert verifier.check(no_container, now=JUNE, product="acme-cad", environment=qemu).codes == ()
    assert licentia.rule_name(112) == "container_not_allowed"
    # A closed environment is refused like any closed handle.
    qemu.close()
    with pytest.raises(licentia.ArgumentError):
        verifier.check(no_vm, now=JUNE, product="acme-cad", environment=qemu)
    with pytest.raises(licentia.ArgumentError):
        licentia.Environment.probe_root("bad\0root")
    docker.close()
    podman.close()


def test_a_release_catalogue_says_which_releases_a_licence_may_run(verifier: licentia.Verifier) -> None:
    # The issue's example, offline: maintenance to 2027-06-30 runs 3.1
    # (2027-05) and not 3.2 (2027-08), from the signed catalogue.
    text = read("documents/release_catalogue.releases")
    with pytest.raises(licentia.DocumentError) as other:
        verifier.verify_release_catalogue(text, "acme-cam")
    assert other.value.status is Status.WRONG_PRODUCT
    with pytest.raises(licentia.LicentiaError):
        verifier.verify_release_catalogue("garbage", "acme-cad")
    with verifier.verify_release_catalogue(text, "acme-cad") as catalogue:
        assert catalogue.versions == ("3.0", "3.1", "3.2-beta.1", "3.2")
        assert len(catalogue) == 4
        assert catalogue.release_date("3.1.0") == datetime(2027, 5, 11, tzinfo=timezone.utc)
        assert catalogue.release_date("9") is None
        with verifier.verify(read("documents/release_catalogue.lic")) as lic:
            assert lic.runnable_releases(catalogue) == ("3.0", "3.1", "3.2-beta.1")
            assert lic.may_run(catalogue, "3.1")
            assert not lic.may_run(catalogue, "3.2")
            with pytest.raises(licentia.ArgumentError) as missing:
                lic.may_run(catalogue, "3.3")
            assert missing.value.status is Status.NOT_FOUND
            now = datetime(2027, 9, 2, tzinfo=timezone.utc)
            ok = lic.check(now=now, product="acme-cad", release_date=catalogue.release_date("3.1"))
            assert ok.state is licentia.State.VALID
            newer = lic.check(now=now, product="acme-cad", release_date=catalogue.release_date("3.2"))
            assert newer.codes == (107,)


def test_meters_and_the_offline_usage_report(verifier: licentia.Verifier, tmp_path: Path) -> None:
    with verifier.verify(read("licenses/metered.lic")) as lic:
        assert lic.meters == (
            licentia.Meter("api_calls", 10000, licentia.MeterPeriod.MONTH),
            licentia.Meter("renders", 50, licentia.MeterPeriod.TERM),
        )
        assert lic.meter("renders") == licentia.Meter("renders", 50, licentia.MeterPeriod.TERM)
        assert lic.meter("exports") is None
        license_id = lic.id
    # The report needs no back office; the batch does (out of reach here).
    client = licentia.Client("https://127.0.0.1:1", "acme-cad", verifier, tmp_path / "store", retries=(0, timedelta(0)))
    report = client.usage_report(license_id, 3, {"api_calls": 1234, "renders": 7})
    assert report.startswith("-----BEGIN LICENTIA USAGE REPORT-----\n")
    assert report.rstrip().endswith("-----END LICENTIA USAGE REPORT-----")
    with pytest.raises(licentia.ArgumentError) as bad_id:
        client.usage_report("not-an-id", 3, [("renders", 1)])
    assert bad_id.value.status is Status.INVALID_ARGUMENT
    with pytest.raises(licentia.DocumentError) as bad_name:
        client.usage_report(license_id, 3, [("Not A Code!", 1)])
    assert bad_name.value.status is Status.INVALID_SPEC
    with pytest.raises(licentia.ClientError) as away:
        client.record_usage("KEY", "batch-1", [("renders", 1)])
    assert away.value.status is Status.UNREACHABLE
