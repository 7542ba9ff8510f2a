#!/usr/bin/env bash
# The C tests (licentia-capi/tests/c/): builds liblicentia with its test hook, compiles
# every test with -std=c11 -Wall -Wextra -Werror -pedantic twice — against
# the shared object found through pkg-config, and against the static
# archive — and runs each under valgrind, leaks counted as failures. Also
# compiles and runs licentia-capi/tests/c/readme_example.c, the README's program.
#
#   scripts/test-c.sh   (installs valgrind, pkg-config, gcc with apt-get if missing)
#
# Ends with "N passed, M failed" and exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

# What a fresh Debian/Ubuntu machine lacks: valgrind, pkg-config, a C compiler.
missing=()
command -v valgrind >/dev/null || missing+=(valgrind)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v cc >/dev/null || missing+=(gcc libc6-dev)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}"
fi

# An optimized build with debug assertions, so the debug-only
# licentia_test_panic hook exists but valgrind runs in seconds. Its own
# target directory keeps the normal builds' caches untouched.
target_dir=${CARGO_TARGET_DIR:-target}
work="$target_dir/capi-test"
dist="$work/dist"
CARGO_TARGET_DIR="$work" CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true \
    scripts/build-capi.sh "$dist" >"$work.build.log" 2>&1 || { cat "$work.build.log"; exit 1; }
export PKG_CONFIG_PATH="$dist/lib/pkgconfig"
libdir=$(pkg-config --variable=libdir licentia)

cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g -pthread -DLICENTIA_TEST_HOOKS)
read -ra shared_libs <<<"$(pkg-config --libs licentia)"
# The same flags a user's static link takes, with the archive named exactly.
read -ra static_libs <<<"$(pkg-config --static --libs licentia | sed 's/-llicentia/-l:liblicentia.a/')"
read -ra pc_cflags <<<"$(pkg-config --cflags licentia)"
valgrind=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
    --error-exitcode=1)

passed=0
failed=0
# run NAME EXPECTED_EXIT COMMAND...: one counted run.
run() {
    local name=$1 expected=$2 status=0
    shift 2
    "$@" >"$work/$name.out" 2>&1 || status=$?
    if [ "$status" = "$expected" ]; then
        passed=$((passed + 1))
        echo "ok   $name ($(tail -n1 "$work/$name.out"))"
    else
        failed=$((failed + 1))
        echo "FAIL $name (exit $status, expected $expected):"
        sed 's/^/    /' "$work/$name.out" | grep -v '^    \(  \| *[0-9]*: \)' | tail -n 30
    fi
}

mkdir -p "$work/bin"
for source in licentia-capi/tests/c/test_*.c licentia-capi/tests/c/readme_example.c; do
    name=$(basename "$source" .c)
    for link in shared static; do
        bin="$work/bin/$name-$link"
        if [ "$link" = shared ]; then
            libs=("${shared_libs[@]}")
        else
            libs=("${static_libs[@]}")
        fi
        if ! cc "${cflags[@]}" "${pc_cflags[@]}" "$source" -o "$bin" "${libs[@]}" \
            >"$work/$name-$link.cc" 2>&1; then
            failed=$((failed + 1))
            echo "FAIL $name-$link: does not compile:"
            sed 's/^/    /' "$work/$name-$link.cc"
            continue
        fi
        # The shared build must load liblicentia.so.0 (the SONAME); the
        # static one must not need it at all.
        needed=$(readelf -d "$bin" | grep -c 'NEEDED.*liblicentia.so.0' || true)
        if [ "$link" = shared ] && [ "$needed" != 1 ] || [ "$link" = static ] && [ "$needed" != 0 ]; then
            failed=$((failed + 1))
            echo "FAIL $name-$link: links liblicentia.so.0 $needed times"
            continue
        fi
        export LD_LIBRARY_PATH="$libdir"
        if [ "$name" = readme_example ]; then
            run "$name-$link-valid" 0 "${valgrind[@]}" "$bin" \
                tests/vectors/keys/issuer.pub tests/vectors/licenses/unbound.lic acme-cad
            run "$name-$link-expired" 1 "${valgrind[@]}" "$bin" \
                tests/vectors/keys/issuer.pub tests/vectors/licenses/trial.lic acme-cad
            run "$name-$link-forged" 1 "${valgrind[@]}" "$bin" \
                tests/vectors/keys/issuer.pub tests/vectors/invalid/signature_bad.lic acme-cad
        else
            run "$name-$link" 0 "${valgrind[@]}" "$bin" tests/vectors
        fi
    done
done

# The client against a real back office over HTTPS: a CA and certificate
# made here with openssl, `licentia serve` started, stopped and started again
# around the phases of licentia-capi/tests/c/client_story.c.
source scripts/story-server.sh
story_setup "$work/story"
trap story_stop EXIT
# Each link (shared, static) runs the story with licenses and a store of its own.
declare -A keys
for link in shared static; do
    mkdir -p "$story_dir/store-$link"
    cp "$story_dir/other-ca.pem" "$story_dir/store-$link/"
    story_pin >"$story_dir/store-$link/pin.txt"
    story_license locked >"$story_dir/store-$link/spare.key"
    for kind in locked floating; do
        keys[$link-$kind]=$(story_license $kind)
    done
done
export LD_LIBRARY_PATH="$libdir"
story_run() { # PHASE: the story's phase, shared and static
    for link in shared static; do
        run "client_story-$link-$1" 0 "${valgrind[@]}" \
            --suppressions=licentia-capi/tests/c/valgrind-client.supp \
            "$work/bin/client_story-$link" "$1" \
            "$story_base" "$story_ca" "$story_key_pem" "$story_dir/store-$link" \
            "${keys[$link-locked]}" "${keys[$link-floating]}"
    done
}
for link in shared static; do
    if [ "$link" = shared ]; then libs=("${shared_libs[@]}"); else libs=("${static_libs[@]}"); fi
    cc "${cflags[@]}" "${pc_cflags[@]}" licentia-capi/tests/c/client_story.c \
        -o "$work/bin/client_story-$link" "${libs[@]}"
done
story_run online
story_stop
story_run offline
story_start
story_run back
# Offline deactivation through files: the product writes its request, the
# back office (staff) answers it with a signed receipt, the product takes it.
story_run give-back
for link in shared static; do
    story_deactivate_offline "$story_dir/store-$link/give-back.request" \
        >"$story_dir/store-$link/give-back.receipt"
done
story_run receipt
story_stop

# The README shows the example program verbatim: the two must not drift apart.
if sed -n '/^```c$/,/^```$/p' README.md | sed '1d;$d' | cmp -s - licentia-capi/tests/c/readme_example.c; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL readme_example: the C block in README.md differs from licentia-capi/tests/c/readme_example.c"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
