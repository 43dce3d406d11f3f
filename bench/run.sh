#!/usr/bin/env bash
# Builds the benchmark flows and the harness in Release, then prints PRODUCT.md's performance table.
# Usage: bench/run.sh [--reps N] [--only branch,foreach,artifact,resume,build] [--cap-10000 SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/time ]; then
  echo "Installing GNU time (/usr/bin/time) to measure CPU and peak RSS..." >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y time >&2; else sudo apt-get install -y time >&2; fi
fi

echo "Building the benchmark flows and the harness (bench/Bench.slnx) in Release..." >&2
dotnet build bench/Bench.slnx -c Release -nologo -v:q >&2
exec dotnet bench/Flow.Bench/bin/Release/net10.0/Flow.Bench.dll "$@"
