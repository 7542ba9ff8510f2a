"""The client story from Python, against a real ``licentia serve`` over
HTTPS that scripts/test-bindings.sh starts with a CA of its own and names in
``LICENTIA_TEST_STORY`` (JSON: base, ca, other_ca, key_pem, the license
keys locked and floating, and spare, other and another (node-locked), the pin
of the server's certificate, and the staff token that answers offline
deactivation requests)."""

from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Sequence, Tuple

import pytest

import licentia

STORY = os.environ.get("LICENTIA_TEST_STORY")
pytestmark = pytest.mark.skipif(
    STORY is None, reason="needs a back office: scripts/test-bindings.sh starts one"
)


def story() -> Dict[str, str]:
    assert STORY is not None
    value: Dict[str, str] = json.loads(STORY)
    return value


def client(store: Path, serial: str, base: str = "", pins: Sequence[str] = ()) -> licentia.Client:
    s = story()
    machine = licentia.Fingerprint.build("cad", vendor={"serial": serial})
    keys = licentia.Verifier(Path(s["key_pem"]).read_text())
    return licentia.Client(
        base or s["base"],
        "cad",
        keys,
        store / serial,
        ca_file=s["ca"],
        pins=pins,
        machine=machine,
        timeout=timedelta(seconds=5),
        retries=(0, timedelta(0)),
    )


def test_activate_check_in_move_and_go_offline(tmp_path: Path) -> None:
    locked = story()["locked"]
    first, second = client(tmp_path, "SN-1"), client(tmp_path, "SN-2")
    assert first.check_offline() is None
    status = first.activate(locked)
    assert status.online and status.report.allowed
    assert status.license.product == "cad"
    view = first.validate()
    assert view.standing is licentia.Standing.ACTIVE and view.activated and not view.refreshed
    assert view.seats_used == 1
    assert first.check_in().online

    with pytest.raises(licentia.ClientError) as refused:
        second.activate(locked)
    assert refused.value.status is licentia.Status.REFUSED
    assert "no_seat_available" in str(refused.value)
    assert second.check_offline() is None, "a refusal keeps nothing"

    first.deactivate()
    assert first.check_offline() is None
    assert second.activate(locked).online

    # The same machine and store, the back office out of reach.
    away = client(tmp_path, "SN-2", base="https://localhost:1")
    offline = away.check_in()
    assert not offline.online and offline.offline_reason
    assert offline.report.allowed
    assert second.check_in().online, "reachable again"


def test_a_floating_seat_is_held_kept_alive_and_returned(tmp_path: Path) -> None:
    floating = story()["floating"]
    first, second = client(tmp_path, "SN-1"), client(tmp_path, "SN-2")
    ends = first.checkout_lease(floating)
    renewed, still = first.heartbeat_if_due(floating)
    assert not renewed and still == ends
    with pytest.raises(licentia.ClientError) as refused:
        second.checkout_lease(floating)
    assert refused.value.status is licentia.Status.REFUSED
    first.return_lease(floating)
    with pytest.raises(licentia.ClientError) as none:
        first.return_lease(floating)
    assert none.value.status is licentia.Status.NOT_ACTIVATED
    second.checkout_lease(floating)
    second.return_lease(floating)


def test_a_server_of_another_ca_is_unreachable_and_nothing_kept(tmp_path: Path) -> None:
    s = story()
    stranger = licentia.Client(
        s["base"],
        "cad",
        licentia.Verifier(Path(s["key_pem"]).read_text()),
        tmp_path / "stranger",
        ca_file=s["other_ca"],
        machine=licentia.Fingerprint.build("cad", vendor={"serial": "SN-3"}),
        retries=(0, timedelta(0)),
    )
    with pytest.raises(licentia.ClientError) as away:
        stranger.activate(s["locked"])
    assert away.value.status is licentia.Status.UNREACHABLE
    assert stranger.check_offline() is None


def released(file: str, serial: str, list_text: "str | None") -> licentia.Report:
    """``file`` (machine ``serial``'s) checked now, with the list applied."""
    verifier = licentia.Verifier(Path(story()["key_pem"]).read_text())
    if list_text is not None:
        verifier.set_revocation_list(list_text, "cad")
    return verifier.verify(file).check(
        now=datetime.now(timezone.utc),
        product="cad",
        machine=licentia.Fingerprint.build("cad", vendor={"serial": serial}),
        revocations=verifier,
    )


def test_a_deactivated_machines_copy_is_refused_once_the_list_is_applied(tmp_path: Path) -> None:
    spare = story()["spare"]
    first, second = client(tmp_path, "SN-7"), client(tmp_path, "SN-8")
    first.activate(spare)
    copy = (tmp_path / "SN-7" / "license.lic").read_text()
    first.deactivate()
    assert second.activate(spare).online
    assert first.refresh_revocations() > 0
    held = first.revocation_list()
    assert held is not None and "REVOCATION LIST" in held
    assert released(copy, "SN-7", None).allowed, "valid without the list"
    report = released(copy, "SN-7", held)
    assert not report.allowed
    assert licentia.Rule.MACHINE_RELEASED in {f.rule for f in report.findings}
    moved = (tmp_path / "SN-8" / "license.lic").read_text()
    assert released(moved, "SN-8", held).allowed
    second.refresh_revocations()
    offline = second.check_offline()
    assert offline is not None and offline.report.allowed


def staff_answer(request: str) -> str:
    """The back office's receipt for an offline deactivation request."""
    s = story()
    call = urllib.request.Request(
        s["base"] + "/v1/deactivations/offline",
        data=json.dumps({"request": request}).encode(),
        headers={"authorization": "Bearer " + s["token"], "content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(call, context=ssl.create_default_context(cafile=s["ca"])) as answer:
        receipt: str = json.load(answer)["receipt"]
    return receipt


def test_offline_deactivation_round_trips_through_files(tmp_path: Path) -> None:
    s = story()
    machine, neighbour = client(tmp_path, "SN-9"), client(tmp_path, "SN-10")
    machine.activate(s["other"])
    request = machine.deactivate_offline()
    assert request.startswith("-----BEGIN LICENTIA DEACTIVATION REQUEST-----")
    assert machine.check_offline() is None, "the file is deleted"
    assert machine.deactivate_offline() == request
    (tmp_path / "give-back.request").write_text(request)
    # The neighbour gives another license back: its request waits too.
    neighbour.activate(s["another"])
    neighbour.deactivate_offline()
    receipt = staff_answer((tmp_path / "give-back.request").read_text())
    (tmp_path / "give-back.receipt").write_text(receipt)
    # Refused for the other license's request, accepted for its own.
    with pytest.raises(licentia.LicentiaError) as mismatch:
        neighbour.accept_deactivation_receipt(receipt)
    assert mismatch.value.status is licentia.Status.RECEIPT_MISMATCH
    machine.accept_deactivation_receipt((tmp_path / "give-back.receipt").read_text())
    with pytest.raises(licentia.ClientError) as again:
        machine.accept_deactivation_receipt(receipt)
    assert again.value.status is licentia.Status.NOT_ACTIVATED
    assert machine.activate(s["other"]).online, "the seat was freed"


def staff_call(method: str, path: str, body: Dict[str, object]) -> Tuple[int, Dict[str, Any]]:
    """A staff call to the back office: its status and JSON answer."""
    s = story()
    call = urllib.request.Request(
        s["base"] + path,
        data=json.dumps(body).encode(),
        headers={"authorization": "Bearer " + s["token"], "content-type": "application/json"},
        method=method,
    )
    try:
        with urllib.request.urlopen(call, context=ssl.create_default_context(cafile=s["ca"])) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


def test_usage_is_counted_online_and_reported_offline(tmp_path: Path) -> None:
    status, policy = staff_call(
        "POST",
        "/v1/policies",
        {"product_id": "cad", "name": "metered", "binding": "floating", "meters": ["calls=10/month"]},
    )
    assert status == 201, policy
    status, issued = staff_call("POST", "/v1/licenses", {"policy_id": policy["id"], "licensee": "Jane Doe"})
    assert status == 201, issued
    key, license_id = issued["license_key"], issued["license"]["id"]
    product = client(tmp_path, "SN-20")

    # Online: counted once per batch id, all or nothing past the quota.
    (calls,) = product.record_usage(key, "batch-1", [("calls", 4)])
    assert (calls.meter, calls.used, calls.quota) == ("calls", 4, 10)
    assert calls.period_end is not None and calls.period_start < calls.period_end
    assert product.record_usage(key, "batch-1", {"calls": 4})[0].used == 4, "a retry counts once"
    with pytest.raises(licentia.ClientError) as over:
        product.record_usage(key, "batch-2", [("calls", 7)])
    assert over.value.status is licentia.Status.REFUSED
    assert "quota_exceeded" in str(over.value)

    # Offline: the report the product writes is accepted once by the back
    # office, and counted beyond the quota (the consumption happened).
    report = product.usage_report(license_id, 1, [("calls", 9)])
    status, counted = staff_call("POST", "/v1/usage/reports", {"report": report})
    assert status == 200, counted
    assert counted["meters"][0]["used"] == 13
    status, replayed = staff_call("POST", "/v1/usage/reports", {"report": report})
    assert status == 409 and replayed["type"].endswith("/usage_report_replayed"), replayed


def test_a_pinned_client_reaches_its_server_only(tmp_path: Path) -> None:
    s = story()
    pinned = client(tmp_path, "SN-12", pins=[s["pin"]])
    with pytest.raises(licentia.ClientError) as none:
        pinned.check_in()
    assert none.value.status is licentia.Status.NOT_ACTIVATED
    assert pinned.refresh_revocations() > 0, "connected"
    stranger = client(tmp_path, "SN-13", pins=["ab" * 32])
    with pytest.raises(licentia.ClientError) as away:
        stranger.activate(s["spare"])
    assert away.value.status is licentia.Status.UNREACHABLE
    assert "pinned" in str(away.value)
    assert stranger.check_offline() is None
    with pytest.raises(licentia.ArgumentError):
        client(tmp_path, "SN-14", pins=["not a pin"])
