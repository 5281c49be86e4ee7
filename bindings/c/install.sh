#!/usr/bin/env bash
# Builds libwf_oauth and installs it into PREFIX: the shared and static libraries in
# PREFIX/lib, wf_oauth.h in PREFIX/include, wf_oauth.pc in PREFIX/lib/pkgconfig.
#
#   bindings/c/install.sh PREFIX [PROFILE]     PROFILE: release (default) or dev
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 PREFIX [release|dev]" >&2
    exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mkdir -p "$1"
prefix="$(cd "$1" && pwd)"
profile="${2:-release}"
case "$profile" in
    release) out_dir=release ;;
    dev) out_dir=debug ;;
    *) echo "unknown profile $profile (release or dev)" >&2; exit 2 ;;
esac

cd "$root"
cargo build -p wf-oauth-c --locked --profile "$profile"
# Wherever cargo put them: CARGO_TARGET_DIR, a config file, or ./target.
target_dir="$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
version="$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "wf-oauth-c"))')"

install -d "$prefix/lib/pkgconfig" "$prefix/include"
install -m 0755 "$target_dir/$out_dir/libwf_oauth.so" "$prefix/lib/libwf_oauth.so"
install -m 0644 "$target_dir/$out_dir/libwf_oauth.a" "$prefix/lib/libwf_oauth.a"
install -m 0644 "$here/include/wf_oauth.h" "$prefix/include/wf_oauth.h"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" "$here/wf_oauth.pc.in" \
    > "$prefix/lib/pkgconfig/wf_oauth.pc"
echo "installed libwf_oauth $version ($profile) into $prefix"
