#!/usr/bin/env bash
# Builds the UI benchmark in Release and times the UI's pages over 1,000 runs and a 10,000-task foreach (about 30 s).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/Flows/UiBench -c Release -nologo -v:q >&2
exec dotnet bench/Flows/UiBench/bin/Release/net10.0/UiBench.dll "$@"
