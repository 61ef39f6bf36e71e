#!/bin/bash
# Runs COMMAND (mpirun ... rungs run ...) from a Slurm batch script, forwards the stop
# signals the batch shell gets to it, and requeues the job when rungs says the study was
# interrupted (exit status 75). Slurm delivers --signal=B:... and preemption's SIGTERM to the
# batch shell only; mpirun passes USR1/USR2 on to every rank (a SIGTERM to mpirun would be
# followed by SIGKILL a few seconds later, so TERM is forwarded as the study's signal).
set -u
forward=${RUNGS_FORWARD_SIGNAL:-USR1}
"$@" &
pid=$!
trap 'echo "rungs: forwarding $forward to mpirun"; kill -s "$forward" $pid 2>/dev/null' USR1 USR2 TERM

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
