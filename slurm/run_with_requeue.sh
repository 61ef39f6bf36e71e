#!/bin/bash
# Runs COMMAND (mpirun ... rungs run ...) from a Slurm batch script, forwards the stop
# signals the batch shell gets to it, and requeues the job when rungs says the study was
# interrupted (exit status 75). Slurm delivers --signal=B:... and preemption's SIGTERM to the
# batch shell only; mpirun passes USR1/USR2 on to every rank. rungs watches both user signals
# whatever the study's preemption.signal (unless it is none), so USR1 and USR2 go on as they
# came; TERM goes on as USR1 (a SIGTERM to mpirun would be followed by SIGKILL a few seconds
# later).
set -u
launcher=$(basename "$1")
"$@" &
pid=$!
forward() { echo "rungs: got SIG$1, forwarding SIG$2 to $launcher"; kill -s "$2" "$pid" 2>/dev/null; }
trap 'forward USR1 USR1' USR1
trap 'forward USR2 USR2' USR2
trap 'forward TERM USR1' TERM

status=0
while :; do
  wait "$pid"
  status=$?
  # A trapped signal interrupts wait (status > 128) while mpirun still runs: wait again.
  if [ "$status" -gt 128 ] && kill -0 "$pid" 2>/dev/null; then continue; fi
  break
done
wait "$pid" 2>/dev/null
last=$?
[ "$last" -ne 127 ] && status=$last

if [ "$status" -eq 75 ] && [ -n "${SLURM_JOB_ID:-}" ]; then
  echo "rungs: study saved; requeueing job $SLURM_JOB_ID"
  scontrol requeue "$SLURM_JOB_ID"
fi
exit "$status"
