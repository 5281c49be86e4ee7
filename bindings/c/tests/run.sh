#!/usr/bin/env bash
# The C tests (`just test-c`):
# 1. build libwf_oauth and install it into a scratch prefix (as a user would);
# 2. compile every tests/test_*.c with -Wall -Wextra -Werror against the INSTALLED header
#    and library, found with pkg-config: once plainly (shared library), once with
#    -fsanitize=address,undefined (static library);
# 3. start the wf-oauth-mock binary (auto-approve) twice, as Workfront's legacy service
#    (WF_MOCK_URL) and as Adobe IMS on a manual clock (WF_IMS_MOCK_URL), and read their
#    addresses;
# 4. run each program under valgrind (leaks and memory errors are failures), then the
#    sanitized build (LeakSanitizer on), then build and run examples/c the way its README
#    says.
# Every program prints "N passed, M failed"; any failure makes this script fail.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

target_dir="$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
work="$target_dir/c-tests"
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"

step() { printf '\033[1;34m[test-c]\033[0m %s\n' "$*" >&2; }

step "install libwf_oauth (dev profile) into $prefix"
bindings/c/install.sh "$prefix" dev
step "build wf-oauth-mock"
cargo build -p wf-oauth-mock --bin wf-oauth-mock --locked

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
read -r -a cflags <<<"$(pkg-config --cflags wf_oauth)"
read -r -a libs <<<"$(pkg-config --libs wf_oauth)"
libdir="$(pkg-config --variable=libdir wf_oauth)"
# The sanitized build links libwf_oauth.a, so the static library is exercised too.
read -r -a static_libs <<<"$(pkg-config --static --libs wf_oauth)"
static_libs=("${static_libs[@]/#-lwf_oauth/-l:libwf_oauth.a}")
warnings=(-std=c11 -Wall -Wextra -Werror -pedantic)

# Every function of the header must be exercised with NULL arguments.
missing=()
for function in $(grep -oE '\bwf_[a-z_]+\(' "$prefix/include/wf_oauth.h" | tr -d '(' | sort -u); do
    grep -q "\b$function\b" "$here/test_null.c" || missing+=("$function")
done
if [ ${#missing[@]} -ne 0 ]; then
    echo "tests/test_null.c does not exercise: ${missing[*]}" >&2
    exit 1
fi

# The header is usable from C++ too (extern "C", no C++ keywords).
step "compile wf_oauth.h as C++"
printf '#include <wf_oauth.h>\nint main() { return wf_version() == nullptr; }\n' >"$work/header.cpp"
g++ -std=c++17 -Wall -Wextra -Werror -pedantic "${cflags[@]}" -o "$work/header_cpp" "$work/header.cpp" \
    "${libs[@]}" -Wl,-rpath,"$libdir"
"$work/header_cpp"

programs=()
for source in "$here"/test_*.c; do
    name="$(basename "$source" .c)"
    programs+=("$name")
    step "compile $name"
    gcc "${warnings[@]}" -g -O1 "${cflags[@]}" -o "$work/$name" "$source" "$here/harness.c" \
        "${libs[@]}" -Wl,-rpath,"$libdir" -pthread
    gcc "${warnings[@]}" -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
        -fno-sanitize-recover=undefined "${cflags[@]}" -o "$work/$name.asan" "$source" \
        "$here/harness.c" "${static_libs[@]}" -pthread
done

mock_bin="$target_dir/debug/wf-oauth-mock"
mock_pids=()
trap 'for pid in ${mock_pids[@]+"${mock_pids[@]}"}; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done' EXIT
# start_mock NAME ARGS…: starts wf-oauth-mock (auto-approve, the tests' redirect URI) and
# sets mock_address to the address it announces.
start_mock() {
    local name="$1"
    shift
    step "start wf-oauth-mock ($name)"
    # `timeout` makes sure the server stops by itself even if this script is killed hard.
    timeout 1200 "$mock_bin" --auto-approve --redirect-uri http://127.0.0.1:9/callback "$@" \
        >"$work/$name.out" 2>"$work/$name.log" &
    mock_pids+=($!)
    for _ in $(seq 100); do
        grep -q '^listening on ' "$work/$name.out" 2>/dev/null && break
        sleep 0.1
    done
    mock_address="$(sed -n 's/^listening on //p' "$work/$name.out" | head -n1)"
    if [ -z "$mock_address" ]; then
        echo "wf-oauth-mock ($name) did not start:" >&2
        cat "$work/$name.log" >&2
        exit 1
    fi
    step "wf-oauth-mock ($name) listening on $mock_address"
}

# The legacy Workfront OAuth 2 service, on the real clock.
start_mock mock
export WF_MOCK_URL="$mock_address"
# Adobe IMS (tests/test_providers.c): a manual clock the tests advance together with
# their own, and a one-hour token lifetime (IMS_TOKEN_TTL there). IMS wants https redirect
# URIs for web apps: the loopback callback needs the fake's test switch.
start_mock ims-mock --mode ims --allow-loopback-redirects --manual-clock --access-token-ttl-secs 3600
export WF_IMS_MOCK_URL="$mock_address"

failures=0
run() {
    local label="$1"
    shift
    step "$label"
    if ! "$@"; then
        echo "FAILED: $label" >&2
        failures=$((failures + 1))
    fi
}

for name in "${programs[@]}"; do
    run "$name under valgrind" timeout 600 valgrind --quiet --leak-check=full --num-callers=40 \
        --errors-for-leak-kinds=definite,possible --error-exitcode=1 \
        --suppressions="$here/valgrind.supp" "$work/$name"
done
for name in "${programs[@]}"; do
    run "$name with ASan + UBSan" env ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        UBSAN_OPTIONS=print_stacktrace=1 timeout 300 "$work/$name.asan"
done

run "examples/c" "$here/run_example.sh" "$work/example"

if [ "$failures" -ne 0 ]; then
    echo "test-c: $failures program(s) failed" >&2
    exit 1
fi
step "all C tests passed"
