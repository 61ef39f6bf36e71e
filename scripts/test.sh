#!/usr/bin/env bash
# Sets up rungs and runs every test (unit, MPI integration, h5py read-back).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir build --output-on-failure -j2 "$@"
