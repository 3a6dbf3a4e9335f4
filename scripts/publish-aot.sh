#!/usr/bin/env bash
# Publishes rewind as one NativeAOT binary for linux-x64 into artifacts/rewind/ and fails on any trim or AOT warning.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
dotnet publish src/Rewind.Cli -c Release -r linux-x64 -o artifacts/rewind -p:DebugType=none 2>&1 | tee "$log" >&2
if grep -E "warning (IL|AOT|CS|NU)[0-9]+" "$log" >/dev/null; then
  echo "publish-aot: the NativeAOT publish has warnings (see above)" >&2
  exit 1
fi
echo "artifacts/rewind/rewind"
