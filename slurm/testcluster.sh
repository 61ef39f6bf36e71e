#!/usr/bin/env bash
# A private Slurm on this machine, for tests: its own munged socket, config, spool folders
# and ports, so it never collides with another Slurm here. Run as root.
#   slurm/testcluster.sh start             # one node (this host); prints: export SLURM_CONF=...
#   slurm/testcluster.sh start --nodes 2   # node1..node2, each in its own namespaces
#   slurm/testcluster.sh login CMD...      # (multi-node) CMD on the "login node"
#   slurm/testcluster.sh stop
#   slurm/testcluster.sh status
# RUNGS_SLURM_DIR (default /tmp/rungs-slurm) holds everything; RUNGS_SLURM_PORT (default
# 16817) is slurmctld's port, slurmd uses the next one.
#
# With --nodes N, each node is a network namespace (ip netns: rungsPORT-nodeI) with its own
# hostname (a UTS namespace, nodeI) and one address on a private bridge (rgbPORT, over veth
# pairs), running its own slurmd (NodeName nodeI, NodeAddr that address). slurmctld and munged
# run on this host, slurmctld on the bridge's host-side address; the namespaces have no other
# interface than the bridge and lo, so job traffic stays on the bridge. The filesystem is
# shared (it is this host's): that is the cluster's shared filesystem. A further namespace,
# "login", has an address on the bridge and no slurmd. Where the machine does not allow
# namespaces, start says why in one line and exits with status 77.
set -euo pipefail
dir=${RUNGS_SLURM_DIR:-/tmp/rungs-slurm}
port=${RUNGS_SLURM_PORT:-16817}
node=$(hostname -s)
conf=$dir/slurm.conf
bridge=rgb$port
# 10.A.B.0/24 from the port: clusters on other ports use other subnets.
net=10.$((100 + port / 256 % 100)).$((port % 256))

die() { echo "testcluster: $*" >&2; exit 1; }
unsupported() { echo "testcluster: $*" >&2; exit 77; }
netns_of() { echo "rungs$port-$1"; }

kill_pidfile() {
  local f=$1
  [ -f "$f" ] || return 0
  local pid
  pid=$(cat "$f" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# Removes the namespaces, bridge and veth pairs of a multi-node cluster on this port, ending
# what still runs inside its namespaces (job steps of its slurmds).
stop_nodes() {
  local ns pids
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^rungs$port-" || true); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link del "$bridge" 2>/dev/null || true
}

stop() {
  local f
  for f in "$dir"/slurmd*.pid; do kill_pidfile "$f"; done
  kill_pidfile "$dir/slurmctld.pid"
  kill_pidfile "$dir/munged.pid"
  command -v ip >/dev/null && stop_nodes
  return 0
}

# One namespace on the bridge: NAME, its address's last byte.
add_namespace() {
  local name=$1 host=$2 ns veth
  ns=$(netns_of "$name")
  veth=rgv$port-$host
  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$bridge" up
  ip -n "$ns" addr add "$net.$host/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
}

# CMD... in namespace NAME with its own hostname NAME, and the cluster's hosts file as
# /etc/hosts (a private mount namespace: every node resolves the others). Not ip netns exec:
# it remounts /sys, without the cgroup filesystem slurmd needs.
in_namespace() {
  local name=$1
  shift
  nsenter --net="/run/netns/$(netns_of "$name")" unshare --uts --mount \
    sh -c 'hostname "$0" && mount --bind "$1" /etc/hosts && shift && exec "$@"' "$name" "$dir/hosts" "$@"
}

make_network() {
  local nodes=$1 i
  command -v ip >/dev/null && command -v unshare >/dev/null && command -v nsenter >/dev/null ||
    unsupported "a multi-node cluster needs ip (iproute2), unshare and nsenter (util-linux)"
  local probe=rungs$port-probe why
  if ! why=$(ip netns add "$probe" 2>&1) ||
     ! why=$(nsenter --net="/run/netns/$probe" unshare --uts --mount true 2>&1); then
    ip netns del "$probe" 2>/dev/null || true
    unsupported "network and UTS namespaces are not allowed here ($(echo "$why" | head -1)); a multi-node cluster needs them"
  fi
  ip netns del "$probe"
  if ! why=$(ip link add "$bridge" type bridge 2>&1); then
    unsupported "creating a bridge is not allowed here ($(echo "$why" | head -1)); a multi-node cluster needs one"
  fi
  ip addr add "$net.1/24" dev "$bridge"
  ip link set "$bridge" up
  { echo "127.0.0.1 localhost"; echo "$net.1 $node"
    for i in $(seq "$nodes"); do echo "$net.$((10 + i)) node$i"; done
    echo "$net.254 login"; } > "$dir/hosts"
  for i in $(seq "$nodes"); do add_namespace "node$i" $((10 + i)); done
  add_namespace login 254
}

start() {
  local nodes=0
  while [ $# -gt 0 ]; do
    case $1 in
      --nodes) nodes=${2:-}; shift 2 || die "--nodes needs a count" ;;
      *) die "start: unknown option $1 (usage: start [--nodes N])" ;;
    esac
  done
  case $nodes in ''|*[!0-9]*) die "--nodes is '$nodes'; it must be a count from 2 to 9" ;; esac
  [ "$nodes" -eq 0 ] || [ "$nodes" -ge 2 -a "$nodes" -le 9 ] ||
    die "--nodes is $nodes; it must be from 2 to 9 (without it: one node, this host)"
  [ "$(id -u)" -eq 0 ] || die "needs root (slurmd runs jobs as their users)"
  command -v slurmctld >/dev/null && command -v munged >/dev/null ||
    die "slurm-wlm and munge are not installed (apt-get install slurm-wlm munge)"
  stop
  mkdir -p "$dir"/{state,spool,munge}
  chmod 700 "$dir/munge"
  [ -f "$dir/munge/munge.key" ] || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  [ "$nodes" -eq 0 ] || make_network "$nodes"
  munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/seed"

  local cpus mem i
  cpus=$(( $(nproc) * 4 ))
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
  local ctld=$node spool=$dir/spool slurmd_pid=$dir/slurmd.pid slurmd_log=$dir/slurmd.log
  local tmpfs=/tmp node_lines="NodeName=$node CPUs=$cpus RealMemory=$mem State=UNKNOWN" part_nodes=$node
  if [ "$nodes" -gt 0 ]; then
    ctld="$node($net.1)" spool=$dir/spool/%n slurmd_pid=$dir/slurmd-%n.pid slurmd_log=$dir/slurmd-%n.log
    # Each node's own temporary folder: PMIx makes its per-step folder there, named by job
    # and step only, so nodes sharing /tmp would collide.
    tmpfs=$dir/tmp/%n
    node_lines=$(for i in $(seq "$nodes"); do
      echo "NodeName=node$i NodeAddr=$net.$((10 + i)) CPUs=$cpus RealMemory=$mem State=UNKNOWN"; done)
    part_nodes=node[1-$nodes]
  fi
  cat > "$conf" <<CONF
ClusterName=rungstest
SlurmctldHost=$ctld
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$slurmd_pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$slurmd_log
TmpFS=$tmpfs
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobRequeue=1
# Tests run more ranks than this machine has cores.
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
KillWait=10
$node_lines
PartitionName=test Nodes=$part_nodes Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
  export SLURM_CONF=$conf
  slurmctld -f "$conf"
  if [ "$nodes" -eq 0 ]; then
    slurmd -f "$conf"
  else
    for i in $(seq "$nodes"); do
      mkdir -p "$dir/spool/node$i" "$dir/tmp/node$i"
      in_namespace "node$i" slurmd -f "$conf" -N "node$i"
    done
  fi
  local want=$(( nodes > 0 ? nodes : 1 ))
  for _ in $(seq 150); do
    if [ "$(sinfo -h -N -o '%N %T' 2>/dev/null | grep -cE ' (idle|mixed|allocated)')" -ge "$want" ]; then
      echo "export SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.2
  done
  tail -5 "$dir/slurmctld.log" "$dir"/slurmd*.log >&2 || true
  die "the nodes did not become idle"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) SLURM_CONF=$conf sinfo ;;
  login) shift; [ $# -gt 0 ] || die "usage: $0 login CMD..."
    ip netns list 2>/dev/null | grep -q "^$(netns_of login)\b" || die "no multi-node cluster on port $port"
    SLURM_CONF=$conf in_namespace login "$@" ;;
  *) die "usage: $0 start [--nodes N]|stop|status|login CMD..." ;;
esac
