#!/usr/bin/env python3
"""The scale bench's two halves that talk HTTP to a running `licentia serve`
(scripts/scale-bench.sh runs them):

  scale-bench.py seed URL TOKEN      the catalogue and one record of each kind
                                     the scale data set copies, through the API
  scale-bench.py time URL TOKEN N    every list, search, report and console page,
                                     N requests each with varying filters: p50/p99
                                     (one table row and one BENCHJSON line each)

Only the standard library: keep-alive connections, wall-clock per request.
"""

import base64
import http.client
import json
import os
import random
import sys
import time
import urllib.parse


class Api:
    def __init__(self, url, token):
        parsed = urllib.parse.urlparse(url)
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=600)
        self.token = token
        self.cookie = None

    def call(self, method, path, body=None, want=None, headers=None):
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if self.cookie:
            h = {"Cookie": self.cookie}
        h.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body)
            h["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=h)
        resp = self.conn.getresponse()
        raw = resp.read()
        if want is not None and resp.status != want:
            sys.exit(f"{method} {path}: {resp.status} {raw[:400]!r}")
        ctype = resp.getheader("Content-Type") or ""
        return resp.status, (json.loads(raw) if "json" in ctype and raw else raw), resp

    def post(self, path, body, want=201):
        return self.call("POST", path, body, want)[1]

    def get(self, path, want=200):
        return self.call("GET", path, None, want)[1]


def seed(url, token):
    """Two products with two policies each, a plan, a partner with a
    customer, a licence, a member, a purchase and a subscription: the
    records the data set copies (their formats are the server's own)."""
    api = Api(url, token)
    policies = []
    for code in ("cad-pro", "cam-suite"):
        product = api.post("/v1/products", {"code": code, "name": code.upper()})
        for name, binding in (("node-locked", "node-locked"), ("floating", "floating")):
            policies.append(api.post("/v1/policies", {
                "product_id": product["id"], "name": name, "binding": binding,
                "seats": 5, "duration_days": 365, "entitlements": ["core", "export=3"],
            }))
    plan = api.post("/v1/plans", {"name": "Business", "policy_id": policies[1]["id"]})
    partner = api.post("/v1/customers", {"kind": "partner", "name": "Seed partner"})
    customer = api.post("/v1/customers", {"kind": "customer", "name": "Seed customer",
                                          "parent_id": partner["id"]})
    api.post("/v1/licenses", {"policy_id": policies[0]["id"], "licensee": "Seed licensee",
                              "customer_id": customer["id"]})
    api.post(f"/v1/customers/{customer['id']}/members",
             {"name": "Seed member", "email": "seed@example.com", "service": False})
    api.post("/v1/purchases", {"customer_id": partner["id"], "product_id": product["id"],
                               "quantity": 10, "purchased_on": "2026-01-15"})
    api.post("/v1/subscriptions", {
        "customer_id": customer["id"], "plan_id": plan["id"], "seats": 3,
        "billing": "prepaid_1y", "interval": "yearly", "start": "2026-01-01",
        "renewal": "always", "notice": "1 month before term end", "options": [],
    })
    print(json.dumps({"partner": partner["id"], "customer": customer["id"]}))


def percentile(samples, q):
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def ids(n, prefix, width, hexed=False):
    """The id of generated record n (scale data set's naming)."""
    return f"{prefix}5ca1e{n:0{width}d}"


def timed(api, name, paths, n, rows):
    samples = []
    status_seen = set()
    # One request untimed: the server's pool opens its connections and
    # PostgreSQL plans the page's statements on the first.
    api.call("GET", paths(0))
    for k in range(n):
        path = paths(k)
        t0 = time.perf_counter()
        status, _, _ = api.call("GET", path)
        samples.append((time.perf_counter() - t0) * 1000)
        status_seen.add(status)
    p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    bad = sorted(s for s in status_seen if s >= 400)
    rows.append((name, p50, p99, bad))
    print(f"| {name} | {p50:.1f} | {p99:.1f} |" + (f" statuses {bad}" if bad else ""), flush=True)
    print("BENCHJSON " + json.dumps({"name": f"scale {name}", "p50_ms": round(p50, 2),
                                     "p99_ms": round(p99, 2)}), file=sys.stderr)


def time_pages(url, token, n, shape):
    licences, holders_first, holders = shape["licences"], shape["holders_first"], shape["holders"]
    partners, customers = shape["partners"], shape["customers"]
    api = Api(url, token)
    rnd = random.Random(17)
    lic = lambda: ids(rnd.randint(1, licences), "", 27)
    holder = lambda: ids(rnd.randint(holders_first, holders_first + holders - 1), "cus_", 15)
    partner = lambda: ids(rnd.randint(1, partners), "cus_", 15)
    customer = lambda: ids(rnd.randint(partners + 1, partners + customers), "cus_", 15)
    # A cursor deep in the list: the page after a page read by offset.
    deep = api.get("/v1/licenses?limit=1&offset=10000")["next"]
    deep_history = api.get("/v1/history?limit=1&offset=10000")["next"]
    rows = []
    print("| page | p50 ms | p99 ms |\n|---|---:|---:|", flush=True)
    lists = [
        ("licences, first page", lambda k: "/v1/licenses"),
        ("licences, deep page (cursor)", lambda k: f"/v1/licenses?after={deep}"),
        ("licences, offset 10000", lambda k: "/v1/licenses?offset=10000"),
        ("licences by customer", lambda k: f"/v1/licenses?customer_id={holder()}"),
        ("licences by status", lambda k: f"/v1/licenses?status={['suspended', 'revoked', 'active'][k % 3]}"),
        ("licences expiring before", lambda k: f"/v1/licenses?expires_before=20{27 + k % 3}-0{1 + k % 9}-01"),
        ("licence page", lambda k: f"/v1/licenses/{lic()}"),
        ("licence activations", lambda k: f"/v1/licenses/{lic()}/activations"),
        ("licence history", lambda k: f"/v1/licenses/{lic()}/history"),
        ("history, first page", lambda k: "/v1/history"),
        ("history, deep page (cursor)", lambda k: f"/v1/history?after={deep_history}"),
        ("history by operation", lambda k: f"/v1/history?operation={['license.renew', 'activation.create', 'license.issue'][k % 3]}"),
        ("history by customer", lambda k: f"/v1/history?customer_id={holder()}"),
        ("customers, first page", lambda k: "/v1/customers"),
        ("customers under a partner", lambda k: f"/v1/customers?parent_id={partner()}"),
        ("customers by kind", lambda k: f"/v1/customers?kind={['site', 'customer', 'partner'][k % 3]}"),
        ("members of a node", lambda k: f"/v1/customers/{holder()}/members"),
        ("seats of a customer", lambda k: f"/v1/customers/{customer()}/seats"),
        ("subscriptions, first page", lambda k: "/v1/subscriptions"),
        ("subscriptions by customer", lambda k: f"/v1/subscriptions?customer_id={customer()}"),
        ("notifications, first page", lambda k: "/v1/notifications"),
        ("purchases, first page", lambda k: "/v1/purchases"),
        ("purchases by customer", lambda k: f"/v1/purchases?customer_id={customer()}"),
        ("report: a customer's history", lambda k: f"/v1/reports/customers/{holder()}/history"),
        ("report: seats of a subtree", lambda k: f"/v1/reports/seats?customer_id={partner()}"),
        ("report: renewals within 7 days", lambda k: "/v1/reports/renewals?within_days=7"),
        # Twenty groups an answer, from the first or after a customer.
        ("report: renewals by customer",
         lambda k: f"/v1/reports/renewals?within_days={[7, 30, 90][k % 3]}&group_by=customer"
                   f"&limit=5" + (f"&groups_after=Customer%20{rnd.randint(1, customers)}" if k % 2 else "")),
    ]
    for name, paths in lists:
        timed(api, name, paths, n, rows)
    # The whole-back-office reports read every row in scope: a few runs.
    for name, path in [
        ("report: renewals within 90 days", "/v1/reports/renewals"),
        ("report: activation delay", "/v1/reports/activation-delay"),
        ("report: platforms", "/v1/reports/platforms"),
        ("report: licence models", "/v1/reports/license-models"),
        ("report: seats, whole tree", "/v1/reports/seats"),
    ]:
        timed(api, name, lambda k: path, max(10, n // 2), rows)

    # The console, signed in as an admin account.
    # Not from the seeded generator: a run on data kept from an earlier run
    # (REUSE) finds that run's account.
    email = f"bench-{os.getpid()}-{time.time_ns()}@example.com"
    api.post("/v1/accounts", {"name": "Bench", "email": email, "password": "bench-password-17",
                              "grants": [{"role": "admin"}]})
    _, _, resp = api.call("POST", "/v1/session", {"email": email, "password": "bench-password-17"}, 200)
    console = Api(url, None)
    console.cookie = resp.getheader("Set-Cookie").split(";")[0]
    for name, paths in [
        ("console: licences", lambda k: "/licenses"),
        ("console: licence search", lambda k: f"/licenses?licensee=Licensee%20{rnd.randint(1, licences)}"),
        # A part of a number, held by a few thousand names at 10 M; a word
        # every name holds (the first page is the first names in order).
        ("console: licence search, four digits",
         lambda k: f"/licenses?licensee={rnd.randint(1000, 9999)}"),
        ("console: licence search, a word all hold", lambda k: "/licenses?licensee=LICENSEE"),
        ("console: licence page", lambda k: f"/licenses/{lic()}"),
        ("console: customer page", lambda k: f"/customers/{holder()}"),
        ("console: customer history", lambda k: f"/customers/{holder()}/history"),
        ("console: subscriptions", lambda k: "/subscriptions"),
        ("console: purchases", lambda k: "/purchases"),
        ("console: notices", lambda k: "/notices"),
        ("console: renewals", lambda k: "/renewals"),
        ("console: renewals by customer",
         lambda k: f"/renewals?within_days={[7, 30, 90][k % 3]}&group_by=customer"
                   + (f"&groups_after=Customer%20{rnd.randint(1, customers)}" if k % 2 else "")),
    ]:
        timed(console, name, paths, n, rows)
    # The export reads the whole window: a few runs.
    for days in [7, 90]:
        timed(console, f"console: renewals CSV by customer, {days} days",
              lambda k: f"/renewals.csv?within_days={days}&group_by=customer", 3, rows)
    # The dashboard, the customer tree and the reports page draw the
    # whole-tree reports.
    for name, path in [("console: dashboard", "/"), ("console: customers (the whole tree)", "/customers"),
                       ("console: reports", "/reports")]:
        timed(console, name, lambda k: path, max(10, n // 2), rows)


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "time":
        time_pages(sys.argv[2], sys.argv[3], int(sys.argv[4]), json.loads(sys.argv[5]))
    else:
        sys.exit(__doc__)
