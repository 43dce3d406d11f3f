#!/usr/bin/env bash
# Runs every test: installs what the tests need and a fresh machine lacks (moto for the S3 tests; Slurm and munge
# for the Slurm tests; Chromium for the tests of HTML output; PostgreSQL for the TitleModels sample; Python, numpy,
# R and jsonlite for the script tests), then runs dotnet test Flow.sln with any arguments given.
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

# Packages from Debian: Slurm and munge for the Slurm tests (a private single-node cluster: slurmctld, slurmd, and
# munged unless it runs), headless Chromium for the tests of HTML output (cards, the UI), and for the tests of
# Flow.Script Debian's Python 3 with numpy and scikit-learn (/usr/bin/python3, which the tests prefer to a python3 earlier on PATH)
# and R with jsonlite, and PostgreSQL for the results table of samples/TitleModels (its tests run initdb and pg_ctl).
missing=""
command -v sbatch >/dev/null 2>&1 || missing="$missing slurm-wlm munge"
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "${FLOW_TEST_CHROMIUM:-}" ] || missing="$missing chromium"
if [ -z "${FLOW_TEST_PYTHON:-}" ]; then
  [ -x /usr/bin/python3 ] || command -v python3 >/dev/null 2>&1 || missing="$missing python3"
  test_python=/usr/bin/python3
  [ -x "$test_python" ] || test_python=python3
  "$test_python" -c 'import numpy' >/dev/null 2>&1 || missing="$missing python3-numpy"
  "$test_python" -c 'import sklearn' >/dev/null 2>&1 || missing="$missing python3-sklearn"
fi
[ -n "${FLOW_TEST_RSCRIPT:-}" ] || { command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(jsonlite)' >/dev/null 2>&1; } || missing="$missing r-base-core r-cran-jsonlite"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
if [ -n "$missing" ]; then
  echo "Installing what the tests need:$missing (apt-get install -y$missing)" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
    sudo="sudo -n"
  fi
  if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; }; then
    echo "error: the tests need:$missing; install them with apt-get install -y$missing (as root)" >&2
    exit 1
  fi
  command -v sbatch >/dev/null 2>&1 || { echo "error: the Slurm tests need Slurm and munge: apt-get install -y slurm-wlm munge" >&2; exit 1; }
  [ -n "${FLOW_TEST_RSCRIPT:-}" ] || Rscript -e 'library(jsonlite)' >/dev/null 2>&1 || { echo "error: the script tests need R and jsonlite: apt-get install -y r-base-core r-cran-jsonlite" >&2; exit 1; }
fi

exec dotnet test Flow.sln "$@"
