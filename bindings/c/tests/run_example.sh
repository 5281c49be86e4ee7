#!/usr/bin/env bash
# Builds examples/c with its Makefile against the installed library (PKG_CONFIG_PATH is
# set by run.sh) and runs it twice per provider: against the fake Workfront (WF_MOCK_URL)
# with Workfront's legacy OAuth 2 service, then against the fake Adobe IMS
# (WF_IMS_MOCK_URL) with WF_PROVIDER=ims. The first run signs in — reading the authorize
# URL it prints, playing the browser with curl and pasting the callback back — and the
# second uses the stored credential, with no input.
#
#   run_example.sh BUILD_DIR
set -euo pipefail
build="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
example="$here/../../../examples/c"
mkdir -p "$build"
make --no-print-directory -C "$example" BUILD="$build" >/dev/null

export WF_CLIENT_ID=demo-client WF_CLIENT_SECRET=demo-secret \
    WF_REDIRECT_URI=http://127.0.0.1:9/callback

# two_runs NAME: both runs with the WF_* variables of the caller; files under $build/NAME.
two_runs() {
    local name="$1" dir="$build/$1"
    mkdir -p "$dir"
    export WF_TOKEN_DIR="$dir/tokens"
    # First run: the program reads the callback from a pipe that stays open until the
    # test has played the browser.
    mkfifo "$dir/stdin"
    timeout 60 "$build/signin" <"$dir/stdin" >"$dir/first.out" &
    local pid=$!
    exec 3>"$dir/stdin"
    local url=""
    for _ in $(seq 300); do
        url="$(grep -m1 '^http' "$dir/first.out" || true)"
        [ -n "$url" ] && break
        sleep 0.1
    done
    if [ -z "$url" ]; then
        exec 3>&-
        wait "$pid" || true
        echo "$name: the example printed no authorize URL: $(cat "$dir/first.out")" >&2
        exit 1
    fi
    local callback
    callback="$(curl -sS --max-time 10 -o /dev/null -w '%{redirect_url}' "$url")"
    printf '%s\n' "$callback" >&3
    exec 3>&-
    wait "$pid"
    local first second
    first="$(cat "$dir/first.out")"
    grep -q '^projects: \[' <<<"$first" || { echo "$name, first run: $first" >&2; exit 1; }

    # Second run: the stored credential, no browser, nothing on stdin.
    second="$(timeout 60 "$build/signin" </dev/null)"
    grep -q '^projects: \[' <<<"$second" || { echo "$name, second run: $second" >&2; exit 1; }
    if grep -q 'Open this address' <<<"$second"; then
        echo "$name: the second run asked to sign in again" >&2
        exit 1
    fi
    echo "example ($name): 2 runs passed"
}

WF_INSTANCE="$WF_MOCK_URL" two_runs legacy
# Adobe IMS: the fake serves the IMS endpoints and the Workfront API on one address.
WF_INSTANCE="$WF_IMS_MOCK_URL" WF_PROVIDER=ims WF_IMS_URL="$WF_IMS_MOCK_URL" \
    WF_SCOPE="openid AdobeID additional_info.projectedProductContext" two_runs ims
