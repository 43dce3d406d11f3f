#!/usr/bin/env bash
# Runs every test: installs what the tests need and a fresh machine lacks (moto for the S3 tests; Slurm and munge
# for the Slurm tests), then runs dotnet test Flow.sln with any arguments given.
set -uo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK 10 is required (dotnet on PATH); install it from your distribution or https://dot.net" >&2
  exit 1
fi

# The S3 tests start moto's server on loopback (python3 -m moto.server).
if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  echo "moto is missing; installing it: python3 -m pip install 'moto[server]'" >&2
  if ! python3 -m pip install --quiet 'moto[server]' || ! python3 -c 'import moto.server' >/dev/null 2>&1; then
    echo "error: the S3 tests need moto's server: install it with pip install 'moto[server]' (python3 -m moto.server must start)" >&2
    exit 1
  fi
fi

# The Slurm tests start a private single-node Slurm cluster (slurmctld, slurmd, and munged unless it runs).
if ! command -v sbatch >/dev/null 2>&1; then
  echo "Slurm is missing; installing it: apt-get install -y slurm-wlm munge" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
    sudo="sudo -n"
  fi
  if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge; } \
      || ! command -v sbatch >/dev/null 2>&1; then
    echo "error: the Slurm tests need Slurm and munge: install them with apt-get install -y slurm-wlm munge (as root)" >&2
    exit 1
  fi
fi

exec dotnet test Flow.sln "$@"
