#!/usr/bin/env bash
# Installs what rungs needs (Debian 12 packages) and builds it in build/.
# Idempotent: packages already present are not reinstalled, the build is incremental.
#   scripts/setup.sh            install + configure + build
#   BUILD_TYPE=Debug scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ccache pkg-config git ca-certificates
  libtorch-dev libopenblas0-pthread          # LibTorch 1.13 (CPU) on an optimized BLAS
  libopenmpi-dev openmpi-bin
  libhdf5-dev hdf5-tools
  libcli11-dev libyaml-cpp-dev zlib1g-dev
  libboost-dev libeigen3-dev
  libgtest-dev libbenchmark-dev
  dataset-fashion-mnist                      # /usr/share/datasets/fashion-mnist
  python3-h5py python3-numpy python3-pandas  # reading study.h5, tests
  python3-torch python3-optuna               # benchmarks against PyTorch and Optuna
  chromium                                   # tests: the HTML report in a headless browser
  debootstrap                                # singularity/test_cpu_recipe.sh (not in ctest)
  slurm-wlm munge                            # tests: a private single-node Slurm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian's LibTorch calls whatever libblas.so.3 the alternatives point to; make sure that is
# OpenBLAS, not the reference BLAS (about 9x slower).
blas=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/ {print $2}')
case "$blas" in
  *openblas*) ;;
  *) echo "setup: warning: libblas.so.3 is $blas, not OpenBLAS; rungs will be slow" >&2 ;;
esac

# plotly.js, which `rungs report` inlines, from the npm registry at the version pinned in
# report/vendor/package-lock.json. Debian's npm only when there is no npm at all (a
# NodeSource nodejs brings its own and conflicts with Debian's).
if ! command -v npm > /dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm
fi
pinned=$(sed -n 's/.*"plotly.js-dist-min": *"\([^"]*\)".*/\1/p' report/vendor/package.json)
installed=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
  report/vendor/node_modules/plotly.js-dist-min/package.json 2>/dev/null || true)
if [ "$installed" != "$pinned" ]; then
  echo "setup: installing plotly.js $pinned into report/vendor (npm ci)"
  (cd report/vendor && npm ci --no-audit --no-fund --loglevel=error)
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" > build.log 2>&1 || { cat build.log; exit 1; }
cmake --build build -j"$(nproc)" >> build.log 2>&1 || { tail -50 build.log; exit 1; }
rm -f build.log
echo "setup: built build/rungs"
