#!/bin/sh
# The tabular sampler benchmark: rungs' samplers (bench/samplers/sampler_tables) and Optuna
# 3.1's (bench/samplers/tabular.py) on the real HPO lookup tables of
# ../shared/benchmarks/tabular (RUNGS_TABULAR overrides the folder), then the regret tables.
# Builds nothing:
#
#   cmake --build BUILD --target sampler_tables
#   bench/samplers/run_tabular.sh BUILD [--quick | --medium] [--batch B]
#
# Full: 15 tables x 20 seeds x 200 trials per sampler (rungs tpe, tpe-mv, gp, random, sobol;
# Optuna tpe, tpe-mv, random). Optuna takes about 5 s per study on a shared 2-core machine
# (900 studies: about 90 minutes); rungs' tpe, random and sobol about 3 s for all their
# studies of 3 tables, its gp about 13 s per study (300 studies: about 65 minutes).
# --medium: 15 tables x 5 seeds (about 35 minutes). --quick: 3 tables (one per benchmark) x 5
# seeds (about 8 minutes).
# --batch B: B trials asked before any is answered (B workers at once). One process at a time.
# Raw results (JSON lines) are left in $RESULTS (default: a temporary directory, printed).
set -eu
if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [--quick | --medium] [--batch B]" >&2
  exit 2
fi
build=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
bench=$(find "$build" -name sampler_tables -type f -perm -u+x | head -n 1)
if [ -z "$bench" ]; then
  echo "$0: no sampler_tables under $build; build it first: cmake --build $build --target sampler_tables" >&2
  exit 2
fi
python=/usr/bin/python3  # Debian's, with python3-optuna, numpy and pandas
tasks=$("$python" -c "import sys; sys.path.insert(0, '$here'); import tabular; print(','.join(tabular.TASKS))")
seeds=20 batch=1
while [ $# -gt 0 ]; do
  case $1 in
    --quick) tasks=$("$python" -c "import sys; sys.path.insert(0, '$here'); import tabular; print(','.join(tabular.QUICK_TASKS))"); seeds=5 ;;
    --medium) seeds=5 ;;
    --batch) batch=$2; shift ;;
    *) echo "$0: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
results=${RESULTS:-$(mktemp -d)}
mkdir -p "$results"

echo "preparing the tables ..." >&2
"$python" "$here/tabular.py" prepare --out "$results/prepared" --tasks "$tasks" --seeds "$seeds" --trials 200 > "$results/prepared.list"
echo "rungs ..." >&2
# shellcheck disable=SC2046
"$bench" --samplers tpe,tpe-mv,gp,random,sobol --seeds "$seeds" --trials 200 --batch "$batch" $(cat "$results/prepared.list") > "$results/rungs.json"
echo "Optuna ..." >&2
"$python" "$here/tabular.py" optuna --tasks "$tasks" --samplers tpe,tpe-mv,random --seeds "$seeds" --trials 200 --batch "$batch" > "$results/optuna.json"
echo
"$python" "$here/tabular.py" report "$results/rungs.json" "$results/optuna.json"
echo
echo "raw results: $results" >&2
