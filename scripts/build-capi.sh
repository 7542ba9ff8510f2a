#!/usr/bin/env bash
# Builds the C library: liblicentia.so (SONAME liblicentia.so.0), liblicentia.a,
# licentia.h and licentia.pc, into one directory (default target/capi/).
#
#   scripts/build-capi.sh [--debug] [--prefix PREFIX] [OUTDIR]
#
# --prefix sets the install prefix written into licentia.pc (then copy
# OUTDIR's lib/ and include/ under it); by default the .pc points at OUTDIR
# itself, so PKG_CONFIG_PATH=OUTDIR/lib/pkgconfig works uninstalled.
# The shared-object naming and SONAME are those of ELF platforms (Linux, BSDs).
# The C ABI is its own crate, licentia-capi/: a Rust user depending on
# licentia never builds it. Cargo names its outputs after the crate
# (liblicentia_capi.*); C users know the library as liblicentia, so this
# script renames them (licentia-capi/build.rs sets the SONAME).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
prefix=
out=
while [ $# -gt 0 ]; do
    case "$1" in
        --debug) profile=debug ;;
        --prefix) prefix="$2"; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) out="$1" ;;
    esac
    shift
done

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
major=${version%%.*}
target_dir=${CARGO_TARGET_DIR:-target}
out=${out:-$target_dir/capi}

profile_flag=()
[ "$profile" = release ] && profile_flag=(--release)

# --print native-static-libs names the system libraries the static archive
# needs; they go into licentia.pc's Libs.private.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo rustc "${profile_flag[@]}" -p licentia-capi --lib \
    -- --print native-static-libs 2>&1 | tee "$log"
static_libs=$(sed -n 's/.*native-static-libs: //p' "$log" | tail -n1)

mkdir -p "$out/lib/pkgconfig" "$out/include"
built="$target_dir/$profile"
cp "$built/liblicentia_capi.a" "$out/lib/liblicentia.a"
cp "$built/liblicentia_capi.so" "$out/lib/liblicentia.so.$version"
ln -sf "liblicentia.so.$version" "$out/lib/liblicentia.so.$major"
ln -sf "liblicentia.so.$major" "$out/lib/liblicentia.so"
cp include/licentia.h "$out/include/licentia.h"

out_abs=$(cd "$out" && pwd)
prefix=${prefix:-$out_abs}
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" -e "s|@STATIC_LIBS@|$static_libs|" \
    licentia-capi/licentia.pc.in > "$out/lib/pkgconfig/licentia.pc"

echo "built $profile liblicentia $version (SONAME liblicentia.so.$major) in $out_abs"
