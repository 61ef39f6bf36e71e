#!/usr/bin/env bash
# mpirun with the flags a single machine needs: more ranks than cores (--oversubscribe) and,
# for root (containers, CI), --allow-run-as-root. On a cluster use srun or plain mpirun.
set -euo pipefail
flags=(--oversubscribe)
if [ "$(id -u)" -eq 0 ]; then flags+=(--allow-run-as-root); fi
exec mpirun "${flags[@]}" "$@"
