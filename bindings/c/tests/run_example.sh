#!/usr/bin/env bash
# Builds examples/c with its Makefile against the installed library (PKG_CONFIG_PATH is
# set by run.sh) and runs it against the fake Workfront (WF_MOCK_URL) twice: first
# signing in — reading the authorize URL it prints, playing the browser with curl and
# pasting the callback back — then again from the stored credential, with no input.
#
#   run_example.sh BUILD_DIR
set -euo pipefail
build="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
example="$here/../../../examples/c"
mkdir -p "$build"
make --no-print-directory -C "$example" BUILD="$build" >/dev/null

export WF_INSTANCE="$WF_MOCK_URL" WF_CLIENT_ID=demo-client WF_CLIENT_SECRET=demo-secret \
    WF_REDIRECT_URI=http://127.0.0.1:9/callback WF_TOKEN_DIR="$build/tokens"

# First run: the program reads the callback from a pipe that stays open until the test
# has played the browser.
mkfifo "$build/stdin"
timeout 60 "$build/signin" <"$build/stdin" >"$build/first.out" &
pid=$!
exec 3>"$build/stdin"
url=""
for _ in $(seq 300); do
    url="$(grep -m1 '^http' "$build/first.out" || true)"
    [ -n "$url" ] && break
    sleep 0.1
done
if [ -z "$url" ]; then
    exec 3>&-
    wait "$pid" || true
    echo "the example printed no authorize URL: $(cat "$build/first.out")" >&2
    exit 1
fi
callback="$(curl -sS --max-time 10 -o /dev/null -w '%{redirect_url}' "$url")"
printf '%s\n' "$callback" >&3
exec 3>&-
wait "$pid"
first="$(cat "$build/first.out")"
grep -q '^projects: \[' <<<"$first" || { echo "first run: $first" >&2; exit 1; }

# Second run: the stored credential, no browser, nothing on stdin.
second="$(timeout 60 "$build/signin" </dev/null)"
grep -q '^projects: \[' <<<"$second" || { echo "second run: $second" >&2; exit 1; }
if grep -q 'Open this address' <<<"$second"; then
    echo "second run asked to sign in again" >&2
    exit 1
fi
echo "example: 2 runs passed"
