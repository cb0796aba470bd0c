#!/usr/bin/env bash
# Times `rig sweep run` of a 100-job sweep on the SLURM launcher (one sbatch call) until squeue lists all 100 array
# tasks, on a throw-away single-node cluster (tests/slurm/cluster.sh; needs root). Usage: bench/sweep_slurm_submit.sh [BUILD]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rig="$root/${1:-build}/tools/rig/rig"
[[ $(id -u) -eq 0 ]] || { echo "skipped: needs root to start munged/slurmctld/slurmd"; exit 0; }
tmp=$(mktemp -d)
source "$root/tests/slurm/cluster.sh"
trap 'scancel --user=root 2>/dev/null; slurm_cluster_stop; rm -rf "$tmp"' EXIT
slurm_cluster_start "$tmp/cluster" 1
for run in 1 2 3; do
  t0=$(date +%s.%N)
  out=$("$rig" sweep run --root "$tmp/mr" --name bench 'a=range(0,100)' sweep.launcher=slurm -- sleep 60)
  t1=$(date +%s.%N)
  id=$(grep -Eo 'array job [0-9]+' <<<"$out" | grep -Eo '[0-9]+')
  for _ in $(seq 1 500); do
    n=$(squeue -h -r -j "$id" | wc -l)
    [[ $n -ge 100 ]] && break
    sleep 0.01
  done
  t2=$(date +%s.%N)
  python3 -c "import sys; a,b,c=map(float,sys.argv[1:4]); print(f'run $run: rig sweep run returned after {1000*(b-a):.0f} ms; all {int(sys.argv[4])} tasks in squeue after {1000*(c-a):.0f} ms')" "$t0" "$t1" "$t2" "$n"
  scancel "$id"
done
