"""The client story from Python, against a real ``licentia serve`` over
HTTPS that scripts/test-bindings.sh starts with a CA of its own and names in
``LICENTIA_TEST_STORY`` (JSON: base, ca, key_pem, and two license keys of
each policy, locked and floating)."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Dict

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


def client(store: Path, serial: str, base: str = "") -> licentia.Client:
    s = story()
    machine = licentia.Fingerprint.build("cad", vendor={"serial": serial})
    keys = licentia.Verifier(Path(s["key_pem"]).read_text())
    return licentia.Client(
        base or s["base"],
        "cad",
        keys,
        store / serial,
        ca_file=s["ca"],
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
