"""Objects shared between threads: closing one while other threads use it
never frees the handle under a call in flight."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import List

import licentia
from licentia import Status

from conftest import read

JUNE = datetime(2026, 6, 1, tzinfo=timezone.utc)
THREADS = 8


def test_a_verifier_closed_while_other_threads_verify() -> None:
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
