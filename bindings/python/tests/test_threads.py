"""Objects shared between threads: closing one while other threads use it
never frees the handle under a call in flight."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Any, List

import pytest

import licentia
from licentia import Status
from licentia._ffi import lib

from conftest import read

JUNE = datetime(2026, 6, 1, tzinfo=timezone.utc)
THREADS = 8


@pytest.mark.parametrize("one_call", [False, True], ids=["verify-then-check", "verifier-check"])
def test_a_verifier_closed_while_other_threads_verify(one_call: bool) -> None:
    text = read("licenses/unbound.lic")
    verifier = licentia.Verifier(read("keys/issuer.pub"))
    started = threading.Barrier(THREADS + 1)
    # Each thread verifies at least this many times before the close.
    warmed = threading.Semaphore(0)
    outcomes: List[List[str]] = [[] for _ in range(THREADS)]
    failures: List[BaseException] = []

    def work(mine: List[str]) -> None:
        try:
            started.wait()
            while True:
                try:
                    if one_call:
                        assert verifier.check(text, now=JUNE, product="acme-cad").allowed
                    else:
                        with verifier.verify(text) as lic:
                            # The license outlives nothing it needs: it is its own handle.
                            assert lic.check(now=JUNE, product="acme-cad").allowed
                    mine.append("verified")
                    if len(mine) == 20:
                        warmed.release()
                except licentia.ArgumentError as error:
                    assert error.status is Status.NULL_ARGUMENT
                    assert "Verifier is closed" in str(error)
                    mine.append("closed")
                    return
        except BaseException as error:  # reported to the main thread
            failures.append(error)
            warmed.release()

    threads = [threading.Thread(target=work, args=(outcomes[i],)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    started.wait()
    for _ in range(THREADS):
        warmed.acquire()
    verifier.close()
    for thread in threads:
        thread.join()

    assert failures == []
    for mine in outcomes:
        # Every call either verified or said the verifier is closed, and
        # once closed, it stays closed.
        assert mine[-1] == "closed" and mine.count("closed") == 1
        assert mine.count("verified") >= 20
    assert verifier.closed


def test_handles_given_to_a_call_stay_alive_until_it_returns() -> None:
    """A license checked against a fingerprint and a revocation verifier
    that other threads close: each check either runs whole or is refused."""
    verifier = licentia.Verifier(read("keys/issuer.pub"))
    machine = licentia.Fingerprint.build("acme-cad", vendor={"serial": "SN-0001"})
    lic = verifier.verify(read("licenses/unbound.lic"))
    ran = threading.Semaphore(0)
    results: List[str] = []

    def check() -> None:
        for _ in range(500):
            try:
                lic.check(now=JUNE, product="acme-cad", machine=machine, revocations=verifier)
                results.append("checked")
            except licentia.ArgumentError as error:
                assert "is closed" in str(error)
                results.append("closed")
            ran.release()

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(10):
        ran.acquire()
    machine.close()
    verifier.close()
    for thread in threads:
        thread.join()
    assert "checked" in results and results.count("checked") + results.count("closed") == 2000
    lic.close()


def test_close_waits_for_the_call_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministically: a close() started while a verify is inside the C
    library frees the handle only after that call returned."""
    events: List[str] = []
    real_verify, real_free = lib.licentia_verify, licentia.Verifier._free

    def free(ptr: Any) -> None:
        events.append("free")
        real_free(ptr)

    monkeypatch.setattr(licentia.Verifier, "_free", free)
    verifier = licentia.Verifier(read("keys/issuer.pub"))
    closer = threading.Thread(target=verifier.close)

    def verify_while_closing(handle: Any, text: Any, out: Any) -> int:
        events.append("call")
        closer.start()
        # Until close() either frees the handle (the bug) or waits for this
        # call (the lock): one of the two always happens.
        while "free" not in events and not verifier._lock._writing:
            time.sleep(0.001)
        if "free" in events:
            return int(Status.PANIC)  # the handle is gone: do not touch it
        events.append("returned")
        return int(real_verify(handle, text, out))

    monkeypatch.setattr(lib, "licentia_verify", verify_while_closing)
    with verifier.verify(read("licenses/unbound.lic")) as lic:
        assert lic.product == "acme-cad"
    closer.join()
    assert events == ["call", "returned", "free"]
    with pytest.raises(licentia.ArgumentError, match="Verifier is closed"):
        verifier.verify(read("licenses/unbound.lic"))


def test_a_revocation_list_set_while_other_threads_check() -> None:
    """A change (exclusive) among reads (shared): each check sees the list
    either not yet or whole, and the change is not starved by threads that
    keep checking."""
    text = read("licenses/floating.lic")
    verifier = licentia.Verifier(read("keys/issuer.pub"))
    seen: List[Any] = []
    stop = threading.Event()

    def check() -> None:
        while not stop.is_set():
            seen.append(verifier.check(text, now=JUNE, product="acme-cad", revocations=verifier).codes)

    threads = [threading.Thread(target=check) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    while len(seen) < 40:
        time.sleep(0.001)
    verifier.set_revocation_list(read("documents/revocation_1.revocation"), "acme-cad")
    # Checks that ran before the change may still be appending theirs.
    after = len(seen) + THREADS
    while len(seen) < after + 40:
        time.sleep(0.001)
    stop.set()
    for thread in threads:
        thread.join()
    verifier.close()
    assert all(codes == () for codes in seen[:40])
    assert all(codes == (102,) for codes in seen[after:])
