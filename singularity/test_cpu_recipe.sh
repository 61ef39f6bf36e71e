#!/usr/bin/env bash
# Tests singularity/rungs-cpu.def where Apptainer cannot be installed: makes a Debian 12
# root with debootstrap (what the recipe's docker://debian:12 bootstrap gives), copies the
# recipe's %files into it, runs its %post in a chroot, checks that every package of
# scripts/setup.sh is installed, then runs %runscript (--version) and %test (a tiny study)
# in the chroot. Needs root, debootstrap and the Debian archive; not part of ctest (about
# 40 minutes on 2 busy cores: debootstrap 3, %post 35 (packages and compiling), %test 0.25).
#   singularity/test_cpu_recipe.sh              a fresh root in /var/tmp/rungs-cpu-root, removed after
#   singularity/test_cpu_recipe.sh --keep       keep the root (to look around: chroot /var/tmp/rungs-cpu-root)
#   singularity/test_cpu_recipe.sh --reuse      reuse a kept root (faster; %post runs again on it)
#   RUNGS_CHROOT=/big/disk/root DEBIAN_MIRROR=http://... singularity/test_cpu_recipe.sh
set -euo pipefail
cd "$(dirname "$0")/.."
recipe=singularity/rungs-cpu.def
root=${RUNGS_CHROOT:-/var/tmp/rungs-cpu-root}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
keep=false reuse=false
for arg in "$@"; do
  case "$arg" in
    --keep) keep=true ;;
    --reuse) reuse=true keep=true ;;
    *) echo "usage: $0 [--keep] [--reuse]" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then echo "$0: needs root (debootstrap, chroot, mount)" >&2; exit 2; fi
if ! command -v debootstrap > /dev/null; then
  echo "$0: needs debootstrap (apt-get install debootstrap)" >&2
  exit 2
fi

started=$(date +%s)
phase() { echo "== [$(( $(date +%s) - started ))s] $*"; }
# The body of a %SECTION of the recipe: the lines after it, up to the next %section.
section() { awk -v s="%$1" '/^%/ {on = ($1 == s); next} on' "$recipe"; }

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2> /dev/null || true; done
  if [ "$keep" = false ]; then rm -rf "$root"; fi
}
trap cleanup EXIT
mount_in_root() {  # mount_in_root TARGET mount-arguments...
  local target="$root$1"
  shift
  mkdir -p "$target"
  mount "$@" "$target"
  mounted+=("$target")
}
in_root() {  # runs a shell script (stdin) in the chroot with a clean environment
  # From a file, not stdin: apt-get and mpirun read stdin and would eat the script.
  cat > "$root/.rungs-step.sh"
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    TERM=dumb LANG=C.UTF-8 NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    chroot "$root" /bin/sh -e /.rungs-step.sh < /dev/null
}

if [ "$reuse" = true ] && [ -x "$root/usr/bin/apt-get" ]; then
  phase "reusing the Debian 12 root in $root"
else
  rm -rf "$root"
  phase "debootstrap bookworm (minbase, as the debian:12 image) into $root"
  debootstrap --variant=minbase bookworm "$root" "$mirror" > /tmp/rungs-debootstrap.log 2>&1 ||
    { tail -20 /tmp/rungs-debootstrap.log; exit 1; }
  # The debian:12 image also has the updates and security suites.
  cat > "$root/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Behind a TLS-intercepting proxy the host trusts local CAs; the root must too (npm ci
# fetches plotly.js over https). ca-certificates picks them up when %post installs it.
if compgen -G "/usr/local/share/ca-certificates/*.crt" > /dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  if [ -x "$root/usr/sbin/update-ca-certificates" ]; then chroot "$root" update-ca-certificates > /dev/null; fi
fi
mount_in_root /proc -t proc proc
mount_in_root /sys -t sysfs sys
mount_in_root /dev --bind /dev
mount_in_root /dev/pts --bind /dev/pts
mount_in_root /dev/shm -t tmpfs shm  # Open MPI's shared-memory transport

phase "%files"
rm -rf "$root/opt/rungs"
while read -r src dest; do
  [ -n "$src" ] || continue
  mkdir -p "$root$(dirname "$dest")"
  cp -a "$src" "$root$dest"
done < <(section files | sed 's/#.*//')

phase "%post (scripts/setup.sh: packages, plotly.js, build)"
section post | in_root

phase "checking that the image has every package of scripts/setup.sh"
packages=$(sed -n '/^packages=(/,/^)/p' scripts/setup.sh | sed -e 's/#.*//' -e 's/packages=(//' -e 's/)//')
for p in $packages; do
  echo "dpkg-query -W -f='\${Status}' $p | grep -q 'install ok installed' || { echo 'missing package: $p'; exit 1; }"
done | in_root

phase "%runscript --version"
version=$( { section environment; echo 'set -- --version'; section runscript; } | in_root)
echo "$version"
[ "$version" = "rungs 0.1.0" ] || { echo "$0: %runscript --version printed '$version'" >&2; exit 1; }

phase "%test (a tiny study under mpirun, then status, export, report)"
{ section environment; section test; } | in_root

phase "the CPU recipe works: %post, %runscript and %test passed in $(( $(date +%s) - started )) s"
