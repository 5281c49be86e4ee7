#!/usr/bin/env bash
# Compiles the Kotlin tests and the Kotlin example with the generated bindings (one kotlinc
# run, cached by a hash of its inputs), runs the tests, then runs the example against the
# fake Workfront with curl as the browser.
#
#   kotlin.sh LIB_DIR GENERATED_KOTLIN_DIR MOCK_BINARY WORK_DIR
#
# Uses WF_KOTLIN_HOME and WF_JNA_JAR from scripts/bootstrap.d/40-kotlin.sh when set.
set -euo pipefail

lib_dir="$(cd "$1" && pwd)"
generated="$2"
mock="$(cd "$(dirname "$3")" && pwd)/$(basename "$3")"
work="$4"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"

cache="${WF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wf-oauth}"
kotlin_home="${WF_KOTLIN_HOME:-$cache/kotlin-2.4.20}"
jna="${WF_JNA_JAR:-/usr/share/java/jna.jar}"
for needed in "$kotlin_home/bin/kotlinc" "$jna" "$mock" "$lib_dir/libwf_oauth_uniffi.so"; do
    [ -e "$needed" ] || { echo "missing $needed (run scripts/bootstrap.sh / just uniffi-generate)" >&2; exit 1; }
done
rm -rf "$work"
mkdir -p "$work"

# --- compile (or reuse the jar compiled from exactly these sources) -----------------------
mapfile -t sources < <(
    find "$generated" "$root/bindings/uniffi/tests/kotlin" "$root/examples/kotlin" -name '*.kt' | LC_ALL=C sort
)
key="$(
    {
        echo "kotlinc $(basename "$kotlin_home") jvm-target 17"
        for f in "${sources[@]}"; do
            echo "${f##*/}"
            sha256sum < "$f"
        done
    } | sha256sum | cut -c1-32
)"
jars="$cache/uniffi-kotlin"
jar="$jars/$key.jar"
deps="$jna:$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar:$kotlin_home/lib/kotlin-test.jar"
if [ -f "$jar" ]; then
    echo "kotlin: reusing $jar"
else
    mkdir -p "$jars"
    echo "kotlin: compiling ${#sources[@]} files"
    start=$SECONDS
    "$kotlin_home/bin/kotlinc" -nowarn -jvm-target 17 -cp "$deps" -d "$work/compiled.jar" "${sources[@]}"
    mv "$work/compiled.jar" "$jar"
    echo "kotlin: compiled in $((SECONDS - start)) s"
    # Keep the three most recent builds.
    ls -1t "$jars"/*.jar | tail -n +4 | xargs -r rm -f
fi
classpath="$jar:$deps:$kotlin_home/lib/kotlin-stdlib.jar"
java_opts=(-Djna.library.path="$lib_dir" -Dwf.mock="$mock" -Dwf.workdir="$work" -cp "$classpath")

# --- the tests -----------------------------------------------------------------------------
timeout 600 java "${java_opts[@]}" io.wfoauth.tests.HarnessKt

# --- the example, with curl as the browser ---------------------------------------------------
# example NAME MOCK_FLAGS EXAMPLE_FLAGS: signs in (curl plays the browser), then runs again
# with the stored sign-in and logs out. Flags are space-separated words.
mock_pid=""
cleanup() { [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true; }
trap cleanup EXIT
example() {
    local name="$1" mock_flags="$2" example_flags="$3"
    local port redirect first instance url example_pid
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    redirect="http://127.0.0.1:$port/callback"
    # shellcheck disable=SC2086 # the flags are words
    coproc MOCK { exec "$mock" --port 0 --auto-approve --redirect-uri "$redirect" $mock_flags 2>"$work/example-$name-mock.log"; }
    mock_pid=$MOCK_PID
    read -r -t 30 first <&"${MOCK[0]}"
    instance="${first#listening on }"

    # shellcheck disable=SC2086
    local run=(timeout 120 java "${java_opts[@]}" io.wfoauth.example.SignInKt
        --instance "$instance" --client-id demo-public --redirect-uri "$redirect"
        --store "$work/example-$name-store" ${example_flags//@INSTANCE@/$instance})
    "${run[@]}" >"$work/example-$name-1.out" 2>&1 &
    example_pid=$!
    url=""
    for _ in $(seq 300); do
        url="$(grep -m1 '^http' "$work/example-$name-1.out" || true)"
        [ -n "$url" ] && break
        kill -0 "$example_pid" 2>/dev/null || break
        sleep 0.2
    done
    [ -n "$url" ] || { cat "$work/example-$name-1.out"; echo "the example printed no authorize URL" >&2; exit 1; }
    curl -fsS -o /dev/null -L --max-time 20 "$url"
    wait "$example_pid" || { cat "$work/example-$name-1.out"; echo "the example failed" >&2; exit 1; }
    "${run[@]}" --logout >"$work/example-$name-2.out" 2>&1 || { cat "$work/example-$name-2.out"; exit 1; }
    cat "$work/example-$name-1.out" "$work/example-$name-2.out"
    grep -q '^projects: 250$' "$work/example-$name-1.out"
    grep -q '^Using the stored sign-in.$' "$work/example-$name-2.out"
    grep -q '^Signed out.$' "$work/example-$name-2.out"
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
    mock_pid=""
}
example legacy "" ""
example ims "--mode ims" "--provider ims --ims-base @INSTANCE@ --scope openid"
echo "example: 2 passed, 0 failed"
