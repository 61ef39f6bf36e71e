#!/usr/bin/env bash
# Installs what rungs needs (Debian 12 packages) and builds it in build/.
# Idempotent: packages already present are not reinstalled (one apt-get update, only when
# something is missing), the build is incremental.
#   scripts/setup.sh            what building and running rungs needs; install + configure + build
#   scripts/setup.sh --dev      also what the tests and benchmarks use (scripts/test.sh)
#   BUILD_TYPE=Debug scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
for arg in "$@"; do
  case $arg in
    --dev) dev=1 ;;
    *) echo "usage: scripts/setup.sh [--dev]" >&2; exit 2 ;;
  esac
done

# Building and running rungs (singularity/test_cpu_recipe.sh checks an image has these).
packages=(
  build-essential cmake ccache pkg-config git ca-certificates
  python3                                    # the build: the man page and completion from rungs --help
  libtorch-dev libopenblas0-pthread          # LibTorch 1.13 (CPU) on an optimized BLAS
  libopenmpi-dev openmpi-bin
  libhdf5-dev hdf5-tools
  libcli11-dev libyaml-cpp-dev zlib1g-dev nlohmann-json3-dev
  libboost-dev                               # samplers/: boost/random/sobol.hpp
  libeigen3-dev                              # samplers/: the gp sampler (header-only Eigen)
  libpcre2-dev                               # objective.report.regex (Python-style named groups)
  dataset-fashion-mnist                      # /usr/share/datasets/fashion-mnist
)
# The tests and benchmarks (docs/CONTRIBUTING.md#tests).
dev_packages=(
  libgtest-dev                               # unit tests (without it the build skips them)
  python3-h5py python3-numpy python3-pandas  # tests and docs blocks read study.h5 with them
  python3-torch python3-optuna               # benchmarks and tests against PyTorch and Optuna
  python3-venv python3-wheel python3-yaml python3-plotly  # tests: the Python reader (python/), pip-installed offline; Optuna's plots
  chromium                                   # tests: the HTML report in a headless browser
  man-db                                     # tests: the installed man page renders
  debootstrap                                # singularity/test_cpu_recipe.sh (not in ctest)
  slurm-wlm munge                            # tests: a private single-node Slurm
)
if ((dev)); then packages+=("${dev_packages[@]}"); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
apt_updated=0
apt_install() {
  if ((!apt_updated)); then $sudo apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  apt_install "${missing[@]}"
fi

# Debian's LibTorch calls whatever libblas.so.3 the alternatives point to; make sure that is
# OpenBLAS, not the reference BLAS (about 9x slower).
blas=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/ {print $2}')
case "$blas" in
  *openblas*) ;;
  *) echo "setup: warning: libblas.so.3 is $blas, not OpenBLAS; rungs will be slow" >&2 ;;
esac

# plotly.js, which `rungs report` inlines, from PyPI's `plotly` wheel at the version and
# sha256 pinned in report/vendor/plotly.pin (no npm: a wheel is a zip file).
pin() { sed -n "s/^$1=//p" report/vendor/plotly.pin; }
js=report/vendor/plotly.min.js
if [ "$(sha256sum "$js" 2>/dev/null | cut -d' ' -f1)" != "$(pin js_sha256)" ]; then
  pip=(python3 -m pip)
  if ! "${pip[@]}" --version > /dev/null 2>&1; then
    pip=(/usr/bin/python3 -m pip)
    if ! "${pip[@]}" --version > /dev/null 2>&1; then
      apt_install python3-pip
    fi
  fi
  wheel_dir=$(mktemp -d)
  trap 'rm -rf "$wheel_dir"' EXIT
  echo "setup: fetching plotly.js from PyPI ($(pin wheel))"
  echo "$(pin wheel) --hash=sha256:$(pin wheel_sha256)" > "$wheel_dir/requirements.txt"
  "${pip[@]}" download --quiet --no-deps --require-hashes -r "$wheel_dir/requirements.txt" \
    -d "$wheel_dir"
  /usr/bin/python3 - "$wheel_dir"/plotly-*.whl "$js.tmp" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, open(sys.argv[2], "wb") as out:
    out.write(wheel.read("plotly/package_data/plotly.min.js"))
PY
  got=$(sha256sum "$js.tmp" | cut -d' ' -f1)
  if [ "$got" != "$(pin js_sha256)" ]; then
    rm -f "$js.tmp"
    echo "setup: plotly.min.js from $(pin wheel) has sha256 $got, report/vendor/plotly.pin expects $(pin js_sha256)" >&2
    exit 1
  fi
  mv "$js.tmp" "$js"
fi

# --dev: the tests are required (RUNGS_BUILD_TESTS=ON fails without GoogleTest); otherwise
# the build's default, AUTO, builds them where GoogleTest is found.
configure=(-DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}")
if ((dev)); then configure+=(-DRUNGS_BUILD_TESTS=ON); fi
cmake -S . -B build "${configure[@]}" > build.log 2>&1 || { cat build.log; exit 1; }
cmake --build build -j"$(nproc)" >> build.log 2>&1 || { tail -50 build.log; exit 1; }
rm -f build.log
echo "setup: built build/rungs"
