#!/usr/bin/env bash
# Tests slurm/rungs-apptainer.sbatch without Apptainer: a private one-node Slurm
# (slurm/testcluster.sh) runs the template with a stand-in `apptainer` that runs the
# build's rungs as the image's runscript would, so the template's own steps are real: the
# validation first, `srun --mpi=pmix` starting 3 ranks that form one MPI job through PMIx,
# the requeue helper. Needs root, slurm-wlm and munge; about a minute. Not part of ctest.
#   singularity/test_sbatch_template.sh [BUILD_DIR]      (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=$(cd "${1:-build}" && pwd)
work=$(mktemp -d /tmp/rungs-sbatch.XXXXXX)
export RUNGS_SLURM_DIR=$work/slurm RUNGS_SLURM_PORT=${RUNGS_SLURM_PORT:-16937}
trap 'slurm/testcluster.sh stop; rm -rf "$work"' EXIT
eval "$(slurm/testcluster.sh start | grep '^export SLURM_CONF=')"

mkdir -p "$work/bin"
cat > "$work/bin/apptainer" <<'SHIM'
#!/bin/sh
# apptainer run [--bind B] [--nv] IMAGE ARGS...: the image's runscript is rungs.
echo "apptainer $*" >> "$APPTAINER_LOG"
[ "$1" = run ] || exit 99
shift
while :; do
  case "$1" in
    --bind) shift 2 ;;
    --nv) shift ;;
    *) break ;;
  esac
done
[ -f "$1" ] || { echo "apptainer: no image $1" >&2; exit 98; }
shift
exec "$RUNGS_BIN" "$@"
SHIM
chmod +x "$work/bin/apptainer"
touch "$work/rungs-cpu.sif"
cat > "$work/tiny.yaml" <<YAML
name: sbatch_test
output: $work/out
objective: {model: mlp, metric: val_accuracy, train_samples: 2000, val_samples: 500}
search_space:
  lr: {type: float, low: 1.0e-3, high: 1.0e-2, log: true}
fixed: {layers: 1}
budget: {max_trials: 4, epochs: 2}
resources: {threads_per_worker: 1}
YAML

job=$(PATH="$work/bin:$PATH" IMAGE="$work/rungs-cpu.sif" BINDS="$work" RUNGS_BIN="$build/rungs" \
  APPTAINER_LOG="$work/apptainer.log" RUNGS_HOME="$repo" \
  sbatch --parsable --export=ALL --nodes=1 --ntasks-per-node=3 --cpus-per-task=1 \
    --chdir="$work" slurm/rungs-apptainer.sbatch "$work/tiny.yaml")
echo "job $job submitted"
for _ in $(seq 240); do
  squeue -h -j "$job" 2> /dev/null | grep -q . || break
  sleep 0.5
done
log="$work/rungs-$job.out"
cat "$log"
fail() { echo "test_sbatch_template: $*" >&2; exit 1; }
grep -q "4/4 trials done" "$log" || fail "the study did not finish"
[ "$(grep -c 'rungs-cpu.sif run ' "$work/apptainer.log")" -eq 3 ] || fail "srun did not start 3 containers"
head -1 "$work/apptainer.log" | grep -q "run --bind $work $work/rungs-cpu.sif validate" ||
  fail "the template does not validate first"
"$build/rungs" status "$work/out/study.h5"
echo "test_sbatch_template: ok"
