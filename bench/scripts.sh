#!/usr/bin/env bash
# Builds the Script.Run benchmark in Release and times 50 MiB of doubles each way through Python and R, as double[] and
# as double[,] (about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/Flows/ScriptBench -c Release -nologo -v:q >&2
exec dotnet bench/Flows/ScriptBench/bin/Release/net10.0/ScriptBench.dll "$@"
