#!/usr/bin/env bash
# Builds the samples with web services and the load generator in Release, then measures each service on loopback:
# requests per second and p50/p99 latency, load generator included on the same cores.
# Usage: bench/service.sh [--scale X] [--only show_data,schedule,what_if]
set -euo pipefail
cd "$(dirname "$0")/.."
for project in samples/BranchFlow samples/LaunchDates bench/ServiceBench; do
  dotnet build "$project" -c Release -nologo -v:q >&2
done
exec dotnet bench/ServiceBench/bin/Release/net10.0/ServiceBench.dll --samples samples "$@"
