#!/usr/bin/env bash
# The C++ and Python bindings' tests, from a fresh clone:
#
#   scripts/test-bindings.sh
#
# 1. builds liblicentia with scripts/build-capi.sh;
# 2. compiles bindings/cpp/tests with g++ -std=c++17 -Wall -Wextra -Werror
#    -pedantic (two translation units) and runs them under valgrind, leaks
#    counted as failures;
# 3. makes a venv, installs pytest, mypy and the wheel into it, checks the
#    type hints with mypy --strict, runs pytest bindings/python/tests on the
#    installed package (with its compiled module), then the API, vector and
#    thread tests again on the source tree over LICENTIA_LIBRARY (ctypes
#    alone).
#
# Installs g++, valgrind and python3-venv with apt-get when missing. Works
# without a terminal (CI=true, no stdin). Everything it builds goes under
# ${CARGO_TARGET_DIR:-target}/bindings. Exits non-zero on any failure,
# including pytest collecting no test.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir=${CARGO_TARGET_DIR:-target}
mkdir -p "$target_dir/bindings"
work=$(cd "$target_dir/bindings" && pwd)
capi="$work/capi"

apt_install() {
    local sudo=
    [ "$(id -u)" = 0 ] || sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq </dev/null
    $sudo apt-get install -y -qq "$@" </dev/null
}

missing=()
command -v g++ >/dev/null || missing+=(g++)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v python3 >/dev/null || missing+=(python3)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

# The library: optimized with debug assertions, in the cargo target
# directory scripts/test-c.sh uses with the same settings, so when both run
# the second build is a no-op; valgrind then runs in seconds, not minutes.
echo "== building liblicentia"
CARGO_TARGET_DIR="$target_dir/capi-test" CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true \
    scripts/build-capi.sh "$capi" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
tail -n1 "$work/build.log"

echo "== C++: bindings/cpp/tests"
mkdir -p "$work/cpp"
g++ -std=c++17 -Wall -Wextra -Werror -pedantic -g \
    -I"$capi/include" -Ibindings/cpp/include \
    bindings/cpp/tests/test_licentia.cpp bindings/cpp/tests/second_tu.cpp \
    -L"$capi/lib" -llicentia -Wl,-rpath,"$capi/lib" -o "$work/cpp/test_licentia"
# Still-reachable blocks are the library's static caches, not leaks.
valgrind=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible
    --error-exitcode=99)
# Its metering calls reach the client (an unreachable back office), hence
# the client stories' suppressions.
"${valgrind[@]}" --suppressions=licentia-capi/tests/c/valgrind-client.supp \
    "$work/cpp/test_licentia" tests/vectors

# The README's example: the same code as the file, compiled and run.
sed -n '/^```cpp$/,/^```$/p' bindings/cpp/README.md | sed '1d;$d' |
    diff -u bindings/cpp/tests/readme_example.cpp - ||
    { echo "bindings/cpp/README.md's example differs from tests/readme_example.cpp" >&2; exit 1; }
g++ -std=c++17 -Wall -Wextra -Werror -pedantic -I"$capi/include" -Ibindings/cpp/include \
    bindings/cpp/tests/readme_example.cpp -L"$capi/lib" -llicentia -Wl,-rpath,"$capi/lib" \
    -o "$work/cpp/readme_example"
example=$("${valgrind[@]}" "$work/cpp/readme_example" tests/vectors/keys/issuer.pub tests/vectors/licenses/terms.lic)
expected=$(sed -n '/^\$ readme_example /,/^```$/p' bindings/cpp/README.md | sed '1d;$d')
if [ "$example" != "$expected" ]; then
    printf 'README example printed:\n%s\nexpected:\n%s\n' "$example" "$expected" >&2
    exit 1
fi
echo "cpp readme example: 1 passed, 0 failed"

# The client story against a real back office over HTTPS (the server
# scripts/story-server.sh starts with a CA of its own), from C++ and then
# from Python.
source scripts/story-server.sh
story_setup "$work/story"
trap story_stop EXIT
g++ -std=c++17 -Wall -Wextra -Werror -pedantic -g -I"$capi/include" -Ibindings/cpp/include \
    bindings/cpp/tests/client_story.cpp -L"$capi/lib" -llicentia -Wl,-rpath,"$capi/lib" \
    -o "$work/cpp/client_story"
cpp_story() { # PHASE
    "${valgrind[@]}" --suppressions=licentia-capi/tests/c/valgrind-client.supp \
        "$work/cpp/client_story" "$1" "$story_base" "$story_ca" "$story_key_pem" \
        "$story_dir/cpp-store" "$cpp_locked" "$cpp_floating"
}
cpp_locked=$(story_license locked)
cpp_floating=$(story_license floating)
mkdir -p "$story_dir/cpp-store"
story_pin >"$story_dir/cpp-store/pin.txt"
story_license locked >"$story_dir/cpp-store/spare.key"
cpp_story online
story_stop
cpp_story offline
story_start
cpp_story back
# Offline deactivation through files, the back office's staff in between.
cpp_story give-back
story_deactivate_offline "$story_dir/cpp-store/give-back.request" >"$story_dir/cpp-store/give-back.receipt"
cpp_story receipt
LICENTIA_TEST_STORY=$(python3 -c 'import json, sys; print(json.dumps(dict(zip(
    ["base", "ca", "other_ca", "key_pem", "locked", "floating", "spare", "other", "another",
     "pin", "token"], sys.argv[1:]))))' \
    "$story_base" "$story_ca" "$story_dir/other-ca.pem" "$story_key_pem" \
    "$(story_license locked)" "$(story_license floating)" "$(story_license locked)" \
    "$(story_license locked)" "$(story_license locked)" "$(story_pin)" "$story_token")
export LICENTIA_TEST_STORY

echo "== Python: the wheel, installed in a fresh virtual environment"
wheel=$(scripts/build-wheel.sh --library "$capi/lib/liblicentia.so" "$work/wheels" | tail -n1)
echo "$(basename "$wheel")"
venv="$work/pyenv"
python3 -m venv --clear "$venv" 2>/dev/null || {
    apt_install python3-venv
    python3 -m venv --clear "$venv"
}
pip=("$venv/bin/python" -m pip --quiet --no-input --disable-pip-version-check)
"${pip[@]}" install pytest mypy "$wheel"
unset LICENTIA_LIBRARY
# The installed package loads the library it carries, nothing else.
# Its compiled module (Verifier.check's one call) is there and bound.
(cd "$work" && "$venv/bin/python" -c '
import licentia, licentia._ffi as f, licentia.core as c
assert "site-packages" in licentia.__file__ and f.lib._name.startswith(licentia.__path__[0]), f.lib._name
assert c._native is not None and c._native.__file__.startswith(licentia.__path__[0]), c._native
print("import licentia:", licentia.version(), "from", f.lib._name, "with", c._native.__file__)')

# The type hints hold (the package ships py.typed).
"$venv/bin/python" -m mypy --strict --no-error-summary --cache-dir "$work/mypy-cache" \
    bindings/python/src/licentia bindings/python/tests

status=0
"$venv/bin/python" -m pytest -q -p no:cacheprovider bindings/python/tests </dev/null || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no test" >&2
    exit 1
fi
[ "$status" -eq 0 ] || exit "$status"
# The same package from the source tree, without its compiled module (a
# checkout used in place): every call through ctypes alone.
echo "== Python: the source tree, ctypes alone"
LICENTIA_LIBRARY="$capi/lib/liblicentia.so" PYTHONPATH=bindings/python/src \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider \
    bindings/python/tests/test_api.py bindings/python/tests/test_vectors.py \
    bindings/python/tests/test_threads.py </dev/null
