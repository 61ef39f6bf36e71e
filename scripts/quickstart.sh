#!/usr/bin/env bash
# Sets up rungs and runs the default study: an MLP on Fashion-MNIST, 1 coordinator + 2
# workers, about 1.5 minutes on 2 cores once built. Prints the best configuration and where results are.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
out=runs/fashion_mlp
# rungs never overwrites a study: a second quick start gets a folder of its own.
if [ -e "$out/study.h5" ]; then out="runs/fashion_mlp-$(date +%Y%m%d-%H%M%S)"; fi
scripts/mpirun.sh -n 3 build/rungs run examples/fashion_mlp.yaml --output "$out"
build/rungs best "$out/study.h5"
