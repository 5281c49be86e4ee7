#!/usr/bin/env bash
# Installs everything the test suite needs, idempotently, into caches that later runs reuse.
# Source it (`. scripts/bootstrap.sh`) to get PATH and the WF_* variables, or run it alone.
#
#   WF_CACHE   where tools live (default: ${XDG_CACHE_HOME:-~/.cache}/wf-oauth)
#   WF_VENV    the Python virtual environment with just, maturin, pytest, …
#
# Each part of the project adds what it needs in scripts/bootstrap.d/NN-name.sh.
set -euo pipefail

export WF_ROOT="${WF_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export WF_CACHE="${WF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wf-oauth}"
export WF_VENV="${WF_VENV:-$WF_CACHE/venv}"
mkdir -p "$WF_CACHE"

wf_log() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*" >&2; }

# apt_install PKG… : installs the Debian packages that are missing (runs `apt-get update` once).
wf_apt_updated=0
apt_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if [ $wf_apt_updated -eq 0 ]; then
        wf_log "apt-get update"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        wf_apt_updated=1
    fi
    wf_log "apt-get install ${missing[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# pip_install SPEC… : installs into the shared venv what is not there yet (pinned specs).
pip_install() {
    local want=()
    for spec in "$@"; do
        local name="${spec%%[=<>!~\[]*}"
        "$WF_VENV/bin/python" -m pip show -q "$name" >/dev/null 2>&1 || want+=("$spec")
    done
    [ ${#want[@]} -eq 0 ] && return 0
    wf_log "pip install ${want[*]}"
    "$WF_VENV/bin/python" -m pip install -q --disable-pip-version-check "${want[@]}"
}

if [ ! -x "$WF_VENV/bin/python" ]; then
    wf_log "creating venv $WF_VENV"
    python3 -m venv "$WF_VENV"
fi
export PATH="$WF_VENV/bin:$HOME/.cargo/bin:$PATH"
pip_install "rust-just==1.59.0"

for part in "$WF_ROOT"/scripts/bootstrap.d/*.sh; do
    [ -e "$part" ] || continue
    # shellcheck source=/dev/null
    . "$part"
done
