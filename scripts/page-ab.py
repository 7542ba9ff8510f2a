#!/usr/bin/env python3
"""Times console pages on two builds of `licentia`, in turn, on one kept
scale data set (scale-bench.sh's KEEP directory): which of two builds draws
a page faster, each started alone on the same data, rounds alternating so
that the machine's drift falls on both.

    scripts/page-ab.py KEPT OLD_BINARY NEW_BINARY [PAGE ...] [-- SERVE_ARGS ...]
    scripts/page-ab.py /srv/scale1m old/licentia new/licentia / /renewals \\
        -- --database-url postgres://postgres@127.0.0.1:5432/licentia_scale

Prints, per round and build, each page's p50 and slowest of 40 requests
(a new connection each, as a browser's first visit), in ms.
"""
import json
import os
import subprocess
import sys
import time
import urllib.request

PORT = 18399
REQUESTS = 40
ROUNDS = 3
BASE = f"http://127.0.0.1:{PORT}"


def call(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, method=method, data=data,
                                 headers={"content-type": "application/json", **(headers or {})})
    return urllib.request.urlopen(req)


def serve(binary, kept, serve_args):
    env = dict(os.environ, LICENTIA_KEK=open(f"{kept}/kek").read().strip(),
               LICENTIA_RATE_LIMIT_PER_MINUTE="0", LICENTIA_KEY_RATE_LIMIT_PER_MINUTE="0",
               RUST_LOG="warn")
    server = subprocess.Popen([binary, "serve", "--data-dir", f"{kept}/data",
                               "--listen", f"127.0.0.1:{PORT}", *serve_args],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            call("GET", "/healthz")
            return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit(f"{binary} did not start on {kept}")


def signed_in(kept):
    """A fresh admin account's session cookie (the bootstrap token makes it)."""
    token = open(f"{kept}/data/bootstrap-admin-token").read().strip()
    email = f"ab-{os.getpid()}-{time.time_ns()}@example.com"
    call("POST", "/v1/accounts", {"name": "AB", "email": email, "password": "bench-password-17",
                                  "grants": [{"role": "admin"}]},
         {"authorization": f"Bearer {token}"})
    answer = call("POST", "/v1/session", {"email": email, "password": "bench-password-17"})
    return answer.getheader("Set-Cookie").split(";")[0]


def timed(page, cookie):
    call("GET", page, headers={"cookie": cookie}).read()  # plans and connections made
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        call("GET", page, headers={"cookie": cookie}).read()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return round(times[len(times) // 2], 1), round(times[-1], 1)


def main():
    args = sys.argv[1:]
    serve_args = args[args.index("--") + 1:] if "--" in args else []
    args = args[:args.index("--")] if "--" in args else args
    if len(args) < 3:
        sys.exit(__doc__)
    kept, builds, pages = args[0], {"old": args[1], "new": args[2]}, args[3:] or ["/"]
    for round_ in range(ROUNDS):
        for name, binary in builds.items():
            server = serve(binary, kept, serve_args)
            try:
                cookie = signed_in(kept)
                figures = {page: timed(page, cookie) for page in pages}
            finally:
                server.terminate()
                server.wait()
            print(round_, name, " ".join(f"{p} {a}/{b}" for p, (a, b) in figures.items()), flush=True)


if __name__ == "__main__":
    main()
