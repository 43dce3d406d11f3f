#!/usr/bin/env bash
# Runs the benchmark foreach flow locally and on a private single-node Slurm cluster that this script starts (and
# stops), and prints the wall time of each run, the number of sbatch calls and the tasks per sbatch.
# Usage: bench/slurm.sh [--count N] (default 1000)   Needs: slurm-wlm and munge (apt-get install -y slurm-wlm munge), root.
set -euo pipefail
cd "$(dirname "$0")/.."
count=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "error: unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in sbatch slurmctld slurmd munged; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "error: $tool is missing: apt-get install -y slurm-wlm munge" >&2; exit 2; }
done

echo "Building bench/Flows/ForeachFlow in Release..." >&2
dotnet build bench/Flows/ForeachFlow/ForeachFlow.csproj -c Release -nologo -v:q >&2
flow=(dotnet "$PWD/bench/Flows/ForeachFlow/bin/Release/net10.0/ForeachFlow.dll")

work=$(mktemp -d /tmp/flow-slurm-bench-XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
started_munge=0
cleanup() {
  for pid in "$work/slurmd.pid" "$work/slurmctld.pid"; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true; done
  [ "$started_munge" = 1 ] && [ -f /run/munge/munged.pid ] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if ! pgrep -x munged >/dev/null; then
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged
  started_munge=1
fi

cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) - 1024 ))
mkdir -p "$work/state" "$work/spool"
cat > "$work/slurm.conf" <<EOF
ClusterName=bench
SlurmctldHost=localhost
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
SlurmUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MinJobAge=3600
MaxArraySize=100001
MaxJobCount=200000
DefMemPerCPU=256
MailProg=/bin/true
MpiDefault=none
NodeName=localhost CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=bench Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
/usr/sbin/slurmctld -f "$SLURM_CONF"
/usr/sbin/slurmd -f "$SLURM_CONF"
for _ in $(seq 1 60); do sinfo -h -o %t 2>/dev/null | grep -q idle && break; sleep 0.5; done
sinfo -h -o %t | grep -q idle || { echo "error: the Slurm node did not become idle" >&2; tail "$work/slurmctld.log" "$work/slurmd.log" >&2; exit 1; }

run() {  # run NAME ARGS...: prints "seconds tasks sbatch-calls"
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  "${flow[@]}" run --count "$count" --datastore-root "$work/$name" "$@" > "$work/$name.out" 2> "$work/$name.err" || { cat "$work/$name.err" >&2; exit 1; }
  end=$(date +%s.%N)
  local tasks calls
  tasks=$(grep -oE 'succeeded: [0-9]+ tasks' "$work/$name.err" | grep -oE '[0-9]+')
  calls=$(grep -c 'submitted to Slurm' "$work/$name.err" || true)
  echo "$(echo "$end - $start" | bc) $tasks $calls"
}

echo "Running ForeachFlow --count $count locally, then with --with slurm ($cpus CPUs, one node)..." >&2
read -r local_s local_tasks _ <<< "$(run local --max-workers "$cpus")"
read -r slurm_s slurm_tasks slurm_calls <<< "$(run slurm --with slurm --max-workers "$cpus")"

echo
echo "- flow: bench/Flows/ForeachFlow, --count $count; Slurm: one node, $cpus CPUs, private cluster started here; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| case | wall | tasks | sbatch calls | tasks per sbatch |"
echo "|---|---|---|---|---|"
printf '| local (worker processes) | %.2f s | %s | - | - |\n' "$local_s" "$local_tasks"
printf '| --with slurm | %.2f s | %s | %s | %.1f |\n' "$slurm_s" "$slurm_tasks" "$slurm_calls" "$(echo "$slurm_tasks / $slurm_calls" | bc -l)"
