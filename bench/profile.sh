#!/usr/bin/env bash
# Splits the figures of bench/run.sh into phases: the datastore operations of a task one by one; the flows
# with other isolation and worker settings and as ReadyToRun programs; the system calls and files of the
# 1,000-item foreach; the generator's and analyzer's share of an incremental build. Takes about 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bench="dotnet bench/Flow.Bench/bin/Release/net10.0/Flow.Bench.dll"

echo "Building bench/Bench.slnx in Release and publishing the flows ReadyToRun..." >&2
dotnet build bench/Bench.slnx -c Release -nologo -v:q >&2
for flow in BranchFlow ForeachFlow ResumeFlow; do
  # --artifacts-path keeps the RID-specific restore out of src/*/obj, which other builds use.
  dotnet publish "bench/Flows/$flow/$flow.csproj" -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=true --artifacts-path bench/artifacts -o "bench/Flows/$flow/bin/ReadyToRun" -nologo -v:q >&2
done

echo "# Where the time goes"
echo
echo "## 1. Datastore operations, one by one"
echo
dotnet bench/Profile/bin/Release/net10.0/Profile.dll
echo
echo "## 2. The same flows with other settings"
for variant in "" "--flow-args=--max-workers 1" "--flow-args=--isolation InProcess" "--ready-to-run" "--ready-to-run --flow-args=--isolation InProcess"; do
  echo
  echo "### ${variant:-defaults}"
  echo
  args=(--only branch,resume,foreach --foreach-counts 1000)
  case "$variant" in
    *--ready-to-run*) args+=(--ready-to-run) ;;
  esac
  case "$variant" in
    *--flow-args=*) args+=(--flow-args "${variant#*--flow-args=}") ;;
  esac
  $bench "${args[@]}" | grep '^|'
done

echo
echo "## 3. System calls and files of the 1,000-item foreach (strace -f -c)"
echo
if command -v strace > /dev/null; then
  work=$(mktemp -d)
  (cd "$work" && strace -f -c -o strace.txt "$OLDPWD/bench/Flows/ForeachFlow/bin/Release/net10.0/ForeachFlow" run --count 1000 > /dev/null 2>&1)
  echo '```'
  head -n 22 "$work/strace.txt"
  echo '```'
  echo
  echo "Files in the datastore after the run: $(find "$work/.flow" -type f | wc -l) for 1,003 tasks."
  rm -rf "$work"
else
  echo "strace is not installed (apt-get install -y strace); skipped."
fi

echo
echo "## 4. Generator and analyzer time in an incremental build (-p:ReportAnalyzer=true)"
echo
log=$(mktemp)
dotnet build bench/Build/WithFlow/WithFlow.csproj -c Release -nologo -v:q > /dev/null
touch bench/Build/Shared/Features.cs
dotnet build bench/Build/WithFlow/WithFlow.csproj -c Release --no-restore --no-dependencies -nologo -v:d -p:ReportAnalyzer=true > "$log" 2>&1
echo '```'
grep -E 'Total (analyzer|generator) execution time|^\s+[0-9.<]+\s+[0-9<]+\s+(Flow\.|Microsoft\.Interop\.ComInterfaceGenerator,|System\.Text\.Json\.SourceGeneration,|Microsoft\.CodeAnalysis\.NetAnalyzers,)' "$log" | sed -E 's/, Version=[^ ]+.*$//; s/^ +/  /' || echo "(no analyzer report found; see the build log)"
echo '```'
rm -f "$log"
