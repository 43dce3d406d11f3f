#!/usr/bin/env bash
# Runs bench/Flows/CacheFlow (a foreach whose children are [Cache]d, and a cached summary) in a fresh datastore, then
# again with nothing changed, then again with --no-cache, REPS times each, and prints the wall time and peak RSS of
# each run's scheduler process (GNU time) and the run's summary line. Usage: bench/cache.sh [--reps N] [--count N] [--work-ms MS]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=3
count=20
work=200
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    --count) count="$2"; shift 2 ;;
    --work-ms) work="$2"; shift 2 ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "error: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "error: GNU time is missing: apt-get install -y time" >&2; exit 2; }

echo "Building bench/Flows/CacheFlow in Release..." >&2
dotnet build bench/Flows/CacheFlow/CacheFlow.csproj -c Release -nologo -v:q >&2
program="$PWD/bench/Flows/CacheFlow/bin/Release/net10.0/CacheFlow"

measure() { # label, datastore, work-ms, args...
  local label="$1" root="$2" ms="$3"; shift 3
  local out
  out=$( { /usr/bin/time -f "TIME %e %M" "$program" run --datastore-root "$root" --count "$count" --work-ms "$ms" "$@" >/dev/null; } 2>&1 )
  local t summary
  t=$(grep '^TIME' <<<"$out" | tail -1)
  summary=$(grep -o 'succeeded: .*' <<<"$out" | tail -1)
  read -r _ wall rss <<<"$t"
  printf '%-22s wall %6.2f s  peak RSS %4d MiB  %s\n' "$label" "$wall" "$((rss / 1024))" "$summary"
}

echo "CacheFlow: $count shards of ${work} ms of CPU work each, $(nproc) cores, $reps reps" >&2
for rep in $(seq 1 "$reps"); do
  root=$(mktemp -d /tmp/flow-cache-bench-XXXXXX)
  measure "first run" "$root" "$work"
  measure "second run (cached)" "$root" "$work"
  measure "--no-cache" "$root" "$work" --no-cache
  rm -rf "$root"
done

# What a lookup that finds nothing costs: 50 earlier runs in the namespace, none with the keys of the new run's shards
# (each run gets its own --work-ms, which the shards read), compared with the same run under --no-cache (no lookup).
root=$(mktemp -d /tmp/flow-cache-bench-XXXXXX)
echo "Writing 50 earlier runs, each with other shard keys..." >&2
for i in $(seq 1 50); do "$program" run --datastore-root "$root" --count "$count" --work-ms "$((i % 3))" --max-workers 2 >/dev/null 2>&1; done
for rep in $(seq 1 "$reps"); do
  measure "miss, no lookup" "$root" "$((10 + rep))" --no-cache
  measure "miss after 50 runs" "$root" "$((20 + rep))"
done
rm -rf "$root"
