#!/usr/bin/env bash
# Every benchmark, one command: verify (Rust, C, Python), issue, fingerprint,
# batch verification, the verifier's memory, and the server's issue and
# activate throughput and latency on SQLite and PostgreSQL. Rewrites the
# generated section of BENCHMARKS.md (between its markers) with the machine,
# the date, the commit, and per figure its median, its limit, the ratio, the
# target from the issues, met or not, and the command that made it.
#
#   scripts/bench.sh                 # about 10 minutes on 2 cores
#   QUICK=1 scripts/bench.sh         # tiny times to check the script; writes
#                                    # target/bench/BENCHMARKS.quick.md instead
#
# Settings (environment): WARMUP and MEASURE (criterion seconds, default 1
# and 3), DURATION (each wrk run, default 10s), POSTGRES (a PostgreSQL
# server URL, default postgres://postgres@127.0.0.1:5432; empty skips it),
# OUT (the file to rewrite). Builds everything first, so no compilation runs
# while measuring; run it on a quiet machine (load average before and after
# are recorded). A step that fails is recorded as failed, the others still
# run, and the script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

if [ -n "${QUICK:-}" ]; then
    WARMUP="${WARMUP:-0.1}" MEASURE="${MEASURE:-0.3}" DURATION="${DURATION:-2s}"
    OUT="${OUT:-$CARGO_TARGET_DIR/bench/BENCHMARKS.quick.md}"
fi
WARMUP="${WARMUP:-1}"
MEASURE="${MEASURE:-3}"
DURATION="${DURATION:-10s}"
POSTGRES="${POSTGRES-postgres://postgres@127.0.0.1:5432}"
OUT="${OUT:-BENCHMARKS.md}"

dir="$CARGO_TARGET_DIR/bench"
mkdir -p "$dir"
results="$dir/results.jsonl"
: >"$results"
failed=0

# Runs one command, shows its output, and keeps its BENCHJSON lines tagged
# with the command.
step() {
    local command="$1"
    echo "== $command" >&2
    local status=0
    bash -c "$command" >"$dir/step.log" 2>&1 || status=$?
    grep -v '^BENCHJSON ' "$dir/step.log" | grep -v -e '^$' -e 'Warning: Unable to complete' -e 'You may wish to increase' >&2 || true
    python3 - "$command" "$status" "$dir/step.log" >>"$results" <<'PY'
import json, sys
command, status, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = [json.loads(line[len("BENCHJSON "):]) for line in open(log) if line.startswith("BENCHJSON ")]
if status != 0 or not rows:
    rows.append({"figure": f"FAILED (exit {status}, {len(rows)} figures)", "value": None})
for row in rows:
    row["command"] = command
    print(json.dumps(row, ensure_ascii=False))
PY
    if [ "$status" != 0 ]; then failed=1; fi
}

echo "== building (release, all features)" >&2
cargo bench --workspace --all-features --no-run 2>&1 | grep -E '^(error|warning)' >&2 || true
{ cargo build --release --all-features -p licentia-cli --bin licentia && cargo build --release --all-features -p licentia-server --test ceiling; } 2>&1 | tail -1 >&2
scripts/build-capi.sh >/dev/null
# The Python binding as users get it: the wheel, in a virtual environment.
wheel="$(scripts/build-wheel.sh --library "$CARGO_TARGET_DIR/capi/lib/liblicentia.so" "$dir/wheels" | tail -n1)"
python3 -m venv --clear "$dir/pyenv"
"$dir/pyenv/bin/python" -m pip --quiet --disable-pip-version-check install "$wheel"

load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before="$(load)"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"

criterion="--warm-up-time $WARMUP --measurement-time $MEASURE"
step "cargo bench --all-features --bench license -- $criterion"
step "cargo bench --all-features -p licentia-capi --bench capi -- $criterion"
rust_us="$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    row = json.loads(line)
    if row["figure"] == "verify + check of typical.lic (Rust)":
        print(round(row["value"], 2))' "$results")"
step "$dir/pyenv/bin/python scripts/bench-python.py $rust_us"
step "cargo bench --all-features --bench fingerprint -- $criterion"
step "cargo bench --all-features --bench environment -- $criterion"
step "cargo bench --all-features --bench batch -- $criterion"
step "cargo bench --all-features --bench memory"
step "DURATION=$DURATION scripts/load-bench.sh"
if [ -n "$POSTGRES" ]; then
    for instances in 1 2 3; do
        step "DATABASE=$POSTGRES INSTANCES=$instances DURATION=$DURATION scripts/load-bench.sh"
    done
fi

load_after="$(load)"
python3 scripts/bench-report.py "$results" "$OUT" \
    --date "$started" \
    --commit "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!BENCHMARKS.md' || echo ' (with uncommitted changes)')" \
    --load "$load_before" "$load_after" \
    --settings "criterion $criterion; wrk -t2 -c64 for $DURATION per run"
echo "wrote $OUT" >&2
exit "$failed"
