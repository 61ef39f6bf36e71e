#!/bin/bash
# Scaling of trial groups and GPU packing (bench/group_bench.cpp), all measured in one run:
#   --device cpu (default): one trial on 1 rank, the same trial on K data-parallel ranks
#     (resources.ranks_per_trial K; scaling efficiency = samples/s(K) / (K x samples/s(1))),
#     one rank with K times the threads (the other way to use the same cores), and K
#     independent trials (the ceiling: no gradient exchange);
#   --device cuda: one trial on one GPU, M trials packed on that GPU
#     (resources.trials_per_gpu M), and one trial on every visible GPU with NCCL.
# Each configuration runs RUNS times, alternating; medians are printed.
#
# usage: bench/group_scaling.sh [--device cpu|cuda] [--ranks K] [--packed M] [--threads T]
#                               [--model mlp|cnn] [--batch-size B] [--epochs E] [--runs R]
#                               [--build DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
device=cpu ranks=2 packed=4 threads=1 model=mlp batch=128 epochs=1 runs=3 build="$here/../build"
usage="usage: $0 [--device cpu|cuda] [--ranks K] [--packed M] [--threads T] [--model mlp|cnn] [--batch-size B] [--epochs E] [--runs R] [--build DIR]"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --device) device=$2; shift 2 ;;
    --ranks) ranks=$2; shift 2 ;;
    --packed) packed=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --batch-size) batch=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
bench="$build/bench/group_bench"
[[ -x "$bench" ]] || { echo "$bench not found: build the group_bench target" >&2; exit 2; }
# Unbound: mpirun binds one or two ranks to a core each, which would give a 1-rank run
# with K threads a single core.
mpirun_cmd=${MPIRUN:-"$here/../scripts/mpirun.sh --bind-to none"}
common=(--model "$model" --batch-size "$batch" --epochs "$epochs" --device "$device")

# name|ranks|threads per rank|mode|environment
configs=()
if [[ $device == cpu ]]; then
  configs+=("1 trial, 1 rank x $threads thread(s)|1|$threads|data-parallel|"
            "1 trial, $ranks ranks (data parallel)|$ranks|$threads|data-parallel|"
            "1 trial, 1 rank x $((ranks * threads)) threads|1|$((ranks * threads))|data-parallel|"
            "$ranks trials, 1 rank each|$ranks|$threads|independent|")
else
  gpus=$(nvidia-smi -L 2>/dev/null | wc -l)
  [[ $gpus -gt 0 ]] || { echo "--device cuda: nvidia-smi lists no GPU" >&2; exit 2; }
  configs+=("1 trial on 1 GPU|1|$threads|independent|CUDA_VISIBLE_DEVICES=0"
            "$packed trials packed on 1 GPU|$packed|$threads|independent|CUDA_VISIBLE_DEVICES=0")
  [[ $gpus -ge 2 ]] && configs+=("1 trial on $gpus GPUs (NCCL)|$gpus|$threads|data-parallel|")
fi

declare -A samples
for ((run = 1; run <= runs; ++run)); do
  for config in "${configs[@]}"; do
    IFS='|' read -r name n t mode environment <<< "$config"
    line=$(env $environment $mpirun_cmd -n "$n" "$bench" "${common[@]}" --threads "$t" \
           --mode "$mode" | sed -n 's/.*: \([0-9]*\) samples\/s.*/\1/p')
    [[ -n "$line" ]] || { echo "no figure from: $name" >&2; exit 1; }
    samples[$name]+="$line "
  done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "$model, batch $batch (global), $epochs timed epoch(s) after a warm-up, $runs runs;" \
     "$(getconf _NPROCESSORS_ONLN) cores, load $(cut -d' ' -f1 /proc/loadavg)"
IFS='|' read -r base _ <<< "${configs[0]}"
base_rate=$(echo "${samples[$base]}" | median)
printf '%-40s %12s %10s   %s\n' configuration samples/s "vs first" "runs"
for config in "${configs[@]}"; do
  IFS='|' read -r name n _ <<< "$config"
  rate=$(echo "${samples[$name]}" | median)
  printf '%-40s %12.0f %9.2fx   %s\n' "$name" "$rate" "$(awk "BEGIN { print $rate / $base_rate }")" \
         "${samples[$name]}"
done
if [[ $device == cpu ]]; then
  dp=$(echo "${samples["1 trial, $ranks ranks (data parallel)"]}" | median)
  printf 'scaling efficiency of %d data-parallel ranks: %.0f%%\n' "$ranks" \
         "$(awk "BEGIN { print 100 * $dp / ($ranks * $base_rate) }")"
fi
