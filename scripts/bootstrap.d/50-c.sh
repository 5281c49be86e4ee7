# wf-oauth-c: what the C library's tests need (sourced by scripts/bootstrap.sh).
#   gcc, g++, libc6-dev   compile the C tests (and the header once as C++)
#   pkg-config            finds the installed library, as users do
#   valgrind              leak and memory-error checks of the test programs
#   curl                  plays the browser (follows the authorize redirect)
#   cbindgen (pinned)     generates include/wf_oauth.h; installed once into
#                         $WF_CACHE/cargo-tools, so the header check compares against the
#                         exact generator that wrote the checked-in header
# Exports WF_CBINDGEN (the pinned binary) for just/c.just.
wf_cbindgen_version="0.29.4"
apt_install gcc g++ libc6-dev pkg-config valgrind curl
export WF_CBINDGEN="$WF_CACHE/cargo-tools/bin/cbindgen"
if ! "$WF_CBINDGEN" --version 2>/dev/null | grep -qx "cbindgen $wf_cbindgen_version"; then
    wf_log "cargo install cbindgen $wf_cbindgen_version into $WF_CACHE/cargo-tools"
    # A private target dir keeps the install from locking or dirtying the workspace build,
    # and from colliding with another install running at the same time.
    wf_cbindgen_build="$(mktemp -d "$WF_CACHE/cbindgen-build.XXXXXX")"
    CARGO_TARGET_DIR="$wf_cbindgen_build" cargo install --quiet --locked \
        --root "$WF_CACHE/cargo-tools" --version "=$wf_cbindgen_version" cbindgen
    rm -rf "$wf_cbindgen_build"
fi
