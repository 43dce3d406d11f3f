#!/usr/bin/env bash
# Builds the S3 benchmark in Release and compares Flow's S3 transfers with the AWS CLI's on a local moto server.
# Usage: bench/s3.sh [--mb N] [--files N] [--endpoint URL] [--bucket NAME]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v aws >/dev/null || { echo "error: the AWS CLI (aws) is needed for the comparison" >&2; exit 2; }
python3 -c 'import moto.server' 2>/dev/null || echo "note: moto is missing (pip install 'moto[server]'); pass --endpoint URL of another S3 server" >&2
dotnet build bench/S3Bench/S3Bench.csproj -c Release -nologo -v:q >&2
exec dotnet bench/S3Bench/bin/Release/net10.0/S3Bench.dll "$@"
