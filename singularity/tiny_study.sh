#!/bin/sh
# The tiny study the images' %test runs (and singularity/test_cpu_recipe.sh): 3 MPI ranks,
# 4 trials of 2 epochs on 2,000 Fashion-MNIST images, then `rungs status`, `rungs export`
# and `rungs report` on its study.h5. About half a minute on 2 cores.
#   tiny_study.sh                   uses `rungs` and `mpirun` from PATH
#   RUNGS=/path/to/rungs RUNGS_DATA_DIR=/data/fashion-mnist tiny_study.sh
set -eu
rungs=${RUNGS:-rungs}
data_dir=${RUNGS_DATA_DIR:-/usr/share/datasets/fashion-mnist}
work=$(mktemp -d "${TMPDIR:-/tmp}/rungs-tiny.XXXXXX")
trap 'rm -rf "$work"' EXIT

cat > "$work/tiny.yaml" <<YAML
name: tiny
seed: 1
output: $work/out
objective: {model: mlp, metric: val_accuracy, data_dir: $data_dir, train_samples: 2000, val_samples: 500}
search_space:
  lr: {type: float, low: 1.0e-3, high: 1.0e-2, log: true}
  width: {type: int, low: 32, high: 64, step: 32}
fixed: {layers: 1}
sampler: random
scheduler: fifo
budget: {max_trials: 4, epochs: 2}
resources: {threads_per_worker: 1}
YAML

flags="--oversubscribe"
if [ "$(id -u)" -eq 0 ]; then flags="$flags --allow-run-as-root"; fi
"$rungs" validate "$work/tiny.yaml"
# shellcheck disable=SC2086
mpirun $flags -n 3 "$rungs" run "$work/tiny.yaml"
"$rungs" status "$work/out/study.h5"
"$rungs" export "$work/out/study.h5" --csv "$work/trials.csv" --curves "$work/curves.csv"
"$rungs" report "$work/out/study.h5" -o "$work/report.html"

rows=$(($(wc -l < "$work/trials.csv") - 1))
epochs=$(($(wc -l < "$work/curves.csv") - 1))
if [ "$rows" -ne 4 ] || [ "$epochs" -ne 8 ]; then
  echo "tiny study: expected 4 trials and 8 epochs in the CSV files, got $rows and $epochs" >&2
  exit 1
fi
if ! grep -q '"state":"finished"' "$work/report.html"; then
  echo "tiny study: the report does not hold the finished study" >&2
  exit 1
fi
echo "tiny study: ok (4 trials, status, export and report)"
