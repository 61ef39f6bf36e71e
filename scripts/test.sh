#!/usr/bin/env bash
# Sets up rungs with what the tests use (setup.sh --dev) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
ctest --test-dir build --output-on-failure --no-tests=error -j2 "$@"
