# wf-oauth task runner. `./scripts/test` installs the tools and runs `just test`.
# Each part of the project keeps its recipes in just/<part>.just.

set shell := ["bash", "-euo", "pipefail", "-c"]
set positional-arguments := true

import 'just/core.just'
import 'just/mock.just'
import 'just/http.just'
import 'just/cli.just'
import 'just/python.just'
import 'just/uniffi.just'
import 'just/c.just'

# List the recipes.
default:
    @just --list

# Every test of the project: lints, Rust tests, fuzz build, end-to-end suites.
test: lint test-rust fuzz-build test-mock-e2e test-cli test-python test-uniffi test-c

# Formatting and clippy, warnings are errors.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --locked -- -D warnings

# Rust unit, integration and doc tests of the workspace crates.
test-rust:
    cargo nextest run --workspace --locked --no-fail-fast
    cargo test --workspace --locked --doc

# All benchmarks (each prints its ratios).
bench: bench-core bench-mock bench-http

# Build the docs with warnings denied.
doc:
    RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
