#!/bin/bash
# Training throughput of the rungs trainer against PyTorch in Python on the same model (the
# MLP 784-256-10, or the resnet), optimizer, options, batch size and threads: runs
# bench/trainer_bench, bench/pytorch_trainer.py, and pytorch_trainer.py again with glibc
# malloc tuned as the rungs
# trainer tunes it (trainer/allocator.h), alternately RUNS times each. Prints samples/s,
# by wall time and by the process's CPU time (which other processes on a shared machine do
# not inflate), and the ratios rungs / PyTorch.
#
# usage: bench/trainer_vs_pytorch.sh [--batch-size N] [--threads T] [--optimizer sgd|adam|adamw]
#                                    [--epochs E] [--runs R] [--build DIR] [--model mlp|resnet]
#                                    [--options] [--train-samples N]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
batch=128 threads=1 optimizer=adam epochs=1 runs=3 build="$here/../build"
model=mlp options=() samples=50000
usage="usage: $0 [--batch-size N] [--threads T] [--optimizer O] [--epochs E] [--runs R] [--build DIR] [--model mlp|resnet] [--options] [--train-samples N]"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --batch-size) batch=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --optimizer) optimizer=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --options) options=(--options); shift ;;
    --train-samples) samples=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
bench="$build/bench/trainer_bench"
[[ -x "$bench" ]] || { echo "$bench not found: build the trainer_bench target" >&2; exit 2; }

# Both sides get the same thread counts for LibTorch, OpenMP and OpenBLAS.
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
args=(--batch-size "$batch" --threads "$threads" --optimizer "$optimizer" --epochs "$epochs"
      --model "$model" --train-samples "$samples" "${options[@]}")
malloc_tuned=(env MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824)

# "...: WALL samples/s (cpu CPU samples/s, ..." -> "WALL CPU"
figures() {
  local line
  line=$("$@" | sed -n 's/.*: \([0-9]*\) samples\/s (cpu \([0-9]*\) samples\/s.*/\1 \2/p')
  [[ -n "$line" ]] || { echo "no figures from: $*" >&2; exit 1; }
  echo "$line"
}

results=()
for ((run = 1; run <= runs; ++run)); do
  rungs=$(figures "$bench" "${args[@]}")
  torch=$(figures /usr/bin/python3 "$here/pytorch_trainer.py" "${args[@]}")
  tuned=$(figures "${malloc_tuned[@]}" /usr/bin/python3 "$here/pytorch_trainer.py" "${args[@]}")
  results+=("$run $rungs $torch $tuned")
done

what="MLP 784-256-10"
[[ $model == resnet ]] && what="resnet (3 stages of 1 block, width 16)"
echo "$what${options:+ with the training options}, $optimizer, batch $batch, threads $threads," \
     "$samples samples, $epochs timed epoch(s) after a warm-up; $(getconf _NPROCESSORS_ONLN) cores," \
     "load $(cut -d' ' -f1 /proc/loadavg)"
echo "samples/s by wall time (by CPU time)"
printf '%s\n' "${results[@]}" | awk '
  function median(v, n,   i, j, t) {
    for (i = 1; i <= n; ++i) for (j = i + 1; j <= n; ++j) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function cell(wall, cpu) { return sprintf("%7d (%7d)", wall, cpu) }
  BEGIN { printf "%-7s %17s %17s %17s\n", "run", "rungs", "pytorch", "pytorch+malloc" }
  { n++; rw[n] = $2; rc[n] = $3; pw[n] = $4; pc[n] = $5; tw[n] = $6; tc[n] = $7
    printf "%-7s %17s %17s %17s\n", $1, cell($2, $3), cell($4, $5), cell($6, $7) }
  END {
    a = median(rw, n); b = median(rc, n); c = median(pw, n); d = median(pc, n)
    e = median(tw, n); f = median(tc, n)
    printf "%-7s %17s %17s %17s\n", "median", cell(a, b), cell(c, d), cell(e, f)
    printf "ratio rungs/pytorch: %.2f (cpu %.2f); rungs/pytorch+malloc: %.2f (cpu %.2f)\n",
           a / c, b / d, a / e, b / f }'
