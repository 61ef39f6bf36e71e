#!/bin/sh
# Sampler benchmarks: rungs (bench/samplers/sampler_bench) next to Optuna 3.1
# (bench/samplers/optuna_bench.py), then the latency and quality tables. Builds nothing:
#
#   cmake --build BUILD --target sampler_bench
#   bench/samplers/run.sh BUILD [--quick]
#
# Takes about 10 minutes on 2 cores, most of it Optuna (1,000 TPE trials for the latency,
# 5 functions x 20 seeds x 200 trials for the quality). --quick: 3 seeds, 300 trials for
# the latency, no 100k run. Raw results (JSON lines) are left in $RESULTS (default: a
# temporary directory, printed at the end).
set -eu
if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [--quick]" >&2
  exit 2
fi
build=$1
quick=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
bench=$(find "$build" -name sampler_bench -type f -perm -u+x | head -n 1)
if [ -z "$bench" ]; then
  echo "$0: no sampler_bench under $build; build it first: cmake --build $build --target sampler_bench" >&2
  exit 2
fi
python=/usr/bin/python3  # Debian's, with python3-optuna and numpy
results=${RESULTS:-$(mktemp -d)}
mkdir -p "$results"

if [ "$quick" = "--quick" ]; then
  latency_trials=300 seeds=3 big=""
else
  latency_trials=1000 seeds=20 big=yes
fi

echo "latency: Optuna, $latency_trials trials ..." >&2
"$python" "$here/optuna_bench.py" latency --trials "$latency_trials" --params 8 > "$results/latency.json"
echo "latency: rungs, $latency_trials trials ..." >&2
"$bench" latency --trials "$latency_trials" --params 8 >> "$results/latency.json"
if [ -n "$big" ]; then
  echo "latency: rungs, 100,000 trials (about a minute) ..." >&2
  "$bench" latency --trials 100000 --params 8 --report 10000,100000 --window 1000 >> "$results/latency.json"
fi
echo "quality: rungs ..." >&2
"$bench" quality --trials 200 --seeds "$seeds" --samplers tpe,random,sobol > "$results/quality.json"
echo "quality: Optuna ..." >&2
"$python" "$here/optuna_bench.py" quality --trials 200 --seeds "$seeds" --samplers tpe,random >> "$results/quality.json"

echo
"$python" "$here/optuna_bench.py" table "$results/latency.json" "$results/quality.json"
echo
echo "raw results: $results" >&2
