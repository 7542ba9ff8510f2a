#!/usr/bin/env python3
"""Verify and check through the Python binding, against the same work done
by a C loop over the same library in the same process.

    VENV/bin/python scripts/bench-python.py [RUST_MICROSECONDS]

VENV is a virtual environment with the wheel installed (scripts/bench.sh
makes it); without an installed package, the source tree is used over
$LICENTIA_LIBRARY, through ctypes alone.

The work is benches/capi.rs's: tests/vectors/licenses/typical.lic verified
and checked on its machine at 2026-12-20 (one warning, 201). The limit is
that work in a C loop (licentia_verify_and_check, the state, the free),
compiled here with cc and loaded beside the binding: the Rust path through
the C ABI, which benches/capi.rs measures equal to plain Rust within 1%.
For each path, Verifier.check (one call) and verify-then-License.check
(two), blocks of 200 calls alternate with blocks of the C loop, 40 rounds;
each figure is the fastest block and the median block, against the C
loop's, so the machine's load at any moment falls on both alike. RUST_MICROSECONDS (benches/capi.rs's Rust figure
of the same run) adds the ratio to it. Prints BENCHJSON lines for
scripts/bench.sh.
"""

import ctypes
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

root = Path(__file__).resolve().parent.parent
try:
    import licentia  # the installed wheel, with its compiled module
except ImportError:
    # The source tree over $LICENTIA_LIBRARY: ctypes alone, no compiled module.
    sys.path.insert(0, str(root / "bindings" / "python" / "src"))
    import licentia
from licentia import _ffi  # noqa: E402

MACHINE = (
    "03609ac5750e57fd8727f95bcfff3ce06a03daa58406d6f907ab64a58baadb33"
    "254d03d444549f126d17d5fa8afb381c28ea4e"
)
NOW = datetime(2026, 12, 20, tzinfo=timezone.utc)
BLOCK = 200
ROUNDS = 40

C_LOOP = r"""
#include "licentia.h"
/* n verify-and-checks, as a C program makes them; how many were allowed. */
int bench_loop(const licentia_verifier *verifier, const char *text,
               const licentia_check_context *ctx, int n) {
    int allowed = 0;
    for (int i = 0; i < n; i++) {
        licentia_report *report = NULL;
        if (licentia_verify_and_check(verifier, text, ctx, &report) == LICENTIA_OK &&
            licentia_report_state(report) != LICENTIA_STATE_INVALID) {
            allowed++;
        }
        licentia_report_free(report);
    }
    return allowed;
}
"""


def c_loop(workdir: Path) -> "ctypes.CDLL":
    """The C loop, compiled against the library the binding loaded."""
    library = Path(_ffi.lib._name).resolve()
    source = workdir / "loop.c"
    source.write_text(C_LOOP)
    out = workdir / "libloop.so"
    subprocess.run(
        ["cc", "-O2", "-shared", "-fPIC", f"-I{root / 'include'}", str(source), "-o", str(out),
         str(library), f"-Wl,-rpath,{library.parent}"],
        check=True,
    )
    return ctypes.CDLL(str(out))


def block(work) -> float:
    """Microseconds per call over one block."""
    start = time.perf_counter()
    for _ in range(BLOCK):
        work()
    return (time.perf_counter() - start) / BLOCK * 1e6


def main() -> None:
    rust_us = float(sys.argv[1]) if len(sys.argv) > 1 else None
    text = (root / "tests/vectors/licenses/typical.lic").read_text()
    verifier = licentia.Verifier.from_pem((root / "tests/vectors/keys/issuer.pub").read_text())
    machine = licentia.Fingerprint.from_hex(MACHINE)

    def one_call() -> licentia.State:
        return verifier.check(text, now=NOW, product="acme-cad", machine=machine).state

    def two_calls() -> licentia.State:
        with verifier.verify(text) as license:
            return license.check(now=NOW, product="acme-cad", machine=machine).state

    with tempfile.TemporaryDirectory() as tmp:
        loop = c_loop(Path(tmp))
        ctx = _ffi.CheckContext()
        ctx.now = int(NOW.timestamp())
        ctx.product = b"acme-cad"
        ctx.machine = machine._handle
        text_c, verifier_c = text.encode(), ctypes.c_void_p(verifier._handle)

        def c_block() -> float:
            start = time.perf_counter()
            assert loop.bench_loop(verifier_c, text_c, ctypes.byref(ctx), BLOCK) == BLOCK
            return (time.perf_counter() - start) / BLOCK * 1e6

        assert one_call() == two_calls() == licentia.State.VALID_WITH_WARNINGS
        # Each path alternates with C blocks of its own: what runs between
        # two blocks (an interpreter's work, or none) colours the caches of
        # the next.
        times = {}
        for key, work in (("one", one_call), ("two", two_calls)):
            times[key], times[key + " c"] = [], []
            for _ in range(ROUNDS):
                times[key + " c"].append(c_block())
                times[key].append(block(work))

    for key, name, target in (
        ("one", "verify + check through the Python binding, one call (Verifier.check)", 1.15),
        ("two", "verify + check through the Python binding, two calls (verify, then License.check)", None),
    ):
        fast, median = min(times[key]), statistics.median(times[key])
        c_fast, c_median = min(times[key + " c"]), statistics.median(times[key + " c"])
        print(
            f"{name}: fastest {fast:.2f} us ({fast / c_fast:.3f}x the C loop's {c_fast:.2f}), "
            f"median {median:.2f} us ({median / c_median:.3f}x the C loop's {c_median:.2f})"
            + (f"; {fast / rust_us:.3f}x the Rust bench's {rust_us:.2f} us" if rust_us else "")
        )
        for statistic, value, limit in (("fastest", fast, c_fast), ("median", median, c_median)):
            ratio = value / limit
            figure = {
                "figure": f"{name}, {statistic} block",
                "value": value,
                "unit": "µs",
                "limit": f"the same work in a C loop, {statistic} block",
                "limit_value": limit,
                "ratio": ratio,
                "target": f"≤ {target}×" if target else None,
                "met": (ratio <= target) if target else None,
                "note": f"{ROUNDS} alternating blocks of {BLOCK}, one process",
            }
            print("BENCHJSON " + json.dumps(figure, ensure_ascii=False))


if __name__ == "__main__":
    main()
