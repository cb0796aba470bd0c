#!/usr/bin/env bash
# A throw-away single-node SLURM cluster on localhost, for tests and benchmarks (needs root; no systemd).
#
#   source tests/slurm/cluster.sh
#   slurm_cluster_start "$tmpdir" || exit 1   # exports SLURM_CONF; waits until `sinfo` shows the node idle
#   ... sbatch / squeue ...
#   slurm_cluster_stop                        # stops the daemons by their PIDs (also call it from an EXIT trap)
#
# munged runs with its socket in a private directory (mode 0755, as munge requires); slurm.conf uses high ports and
# keeps state, spool, logs and pid files under the directory. proctrack/linuxproc and task/none need no cgroups;
# accounting is off, so finished jobs are known from jobcomp/filetxt and `scontrol show job`.

slurm_cluster_pids=()

slurm_cluster_log() { echo "slurm-cluster: $*" >&2; }

# slurm_cluster_start DIR [CPUS]: CPUS (default nproc) may exceed the machine's (SlurmdParameters=config_overrides), so
# that tests run their small jobs side by side as on a real node.
slurm_cluster_start() {
  local dir="$1" cpus="${2:-$(nproc)}"
  for tool in munged slurmctld slurmd sinfo sbatch squeue scontrol; do
    if ! command -v "$tool" >/dev/null; then
      slurm_cluster_log "$tool not found (scripts/install-deps installs slurm-wlm and munge)"
      return 1
    fi
  done
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool"
  chmod 0755 "$dir" "$dir/munge"
  dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$dir/munge.key"
  munged --force --key-file="$dir/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munged.seed" || {
    slurm_cluster_log "munged did not start: $(tail -3 "$dir/munged.log" 2>/dev/null)"; return 1; }
  slurm_cluster_pids+=("$(cat "$dir/munged.pid")")
  local base=$((20000 + RANDOM % 20000))
  cat >"$dir/slurm.conf" <<CONF
ClusterName=rigtest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
MpiDefault=none
SlurmdParameters=config_overrides
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -D -i -f "$SLURM_CONF" >"$dir/slurmctld.out" 2>&1 &
  slurm_cluster_pids+=($!)
  slurmd -D -N localhost -f "$SLURM_CONF" >"$dir/slurmd.out" 2>&1 &
  slurm_cluster_pids+=($!)
  local i
  for i in $(seq 1 150); do  # at most 30 s
    if [[ "$(sinfo -h -N -o '%t' 2>/dev/null)" == "idle" ]]; then return 0; fi
    sleep 0.2
  done
  slurm_cluster_log "the node did not become idle within 30 s; sinfo: $(sinfo -h -N 2>&1)"
  slurm_cluster_log "slurmctld: $(tail -5 "$dir/slurmctld.log" 2>/dev/null)"
  slurm_cluster_log "slurmd: $(tail -5 "$dir/slurmd.log" 2>/dev/null) $(tail -5 "$dir/slurmd.out" 2>/dev/null)"
  return 1
}

slurm_cluster_stop() {
  local pid
  for pid in "${slurm_cluster_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${slurm_cluster_pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  slurm_cluster_pids=()
}
