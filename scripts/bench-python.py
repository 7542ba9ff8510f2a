#!/usr/bin/env python3
"""Verify and check through the Python binding (ctypes over liblicentia),
timed with timeit, beside the Rust figure for the same work.

    LICENTIA_LIBRARY=target/capi/lib/liblicentia.so \\
        python3 scripts/bench-python.py [--cpu] [RUST_MICROSECONDS]

The work is benches/capi.rs's: tests/vectors/licenses/typical.lic verified
and checked on its machine at 2026-12-20 (one warning, 201). RUST_MICROSECONDS
is that bench's Rust figure; with it, the ratio is printed. The figure is the
fastest of several timeit repeats (load on a shared machine only adds time).
With --cpu the timer is this thread's CPU time (time.thread_time) instead of
the wall clock: on a loaded machine it leaves out the time the process was
not running. Prints a BENCHJSON line for scripts/bench.sh.
"""

import json
import sys
import time
import timeit
from datetime import datetime, timezone
from pathlib import Path

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root / "bindings" / "python" / "src"))

import licentia  # noqa: E402

MACHINE = (
    "03609ac5750e57fd8727f95bcfff3ce06a03daa58406d6f907ab64a58baadb33"
    "254d03d444549f126d17d5fa8afb381c28ea4e"
)
NOW = datetime(2026, 12, 20, tzinfo=timezone.utc)


def main() -> None:
    args = sys.argv[1:]
    cpu = "--cpu" in args
    args = [a for a in args if a != "--cpu"]
    rust_us = float(args[0]) if args else None
    text = (root / "tests/vectors/licenses/typical.lic").read_text()
    pem = (root / "tests/vectors/keys/issuer.pub").read_text()
    verifier = licentia.Verifier.from_pem(pem)
    machine = licentia.Fingerprint.from_hex(MACHINE)

    def verify_and_check() -> licentia.State:
        with verifier.verify(text) as license:
            return license.check(now=NOW, product="acme-cad", machine=machine).state

    assert verify_and_check() == licentia.State.VALID_WITH_WARNINGS
    number = 2000
    timer = time.thread_time if cpu else time.perf_counter
    best = min(timeit.repeat(verify_and_check, number=number, repeat=7, timer=timer))
    python_us = best / number * 1e6
    ratio = python_us / rust_us if rust_us else None
    print(
        f"python verify+check {python_us:.2f} us{' (CPU time)' if cpu else ''}"
        + (f", rust {rust_us:.2f} us, ratio {ratio:.2f}" if ratio else "")
    )
    figure = {
        "figure": "verify + check through the Python binding",
        "value": python_us,
        "unit": "µs",
        "limit": "Rust verify + check (capi bench)" if rust_us else None,
        "limit_value": rust_us,
        "ratio": ratio,
        "target": None,
        "met": None,
        "note": f"fastest of 7 timeit repeats of {number}{', CPU time' if cpu else ''}; ctypes call overhead",
    }
    print("BENCHJSON " + json.dumps(figure, ensure_ascii=False))


if __name__ == "__main__":
    main()
