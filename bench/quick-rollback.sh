#!/usr/bin/env bash
# The quick rollback measured against the playbook's aws CLI sequence on the same emulator, in one invocation.
# usage: bash bench/quick-rollback.sh [RUNS]     (default 5; prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x artifacts/rewind/rewind ] || bash scripts/publish-aot.sh >/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); runs: ${1:-5}; $(date -u +%F)"
echo
python3 bench/quick_rollback.py artifacts/rewind/rewind "${1:-5}"
