#!/usr/bin/env bash
# A BLUE_GREEN deployment in bake time rolled back: Rewind against the aws CLI sequence, on one emulator, in one invocation.
# usage: bash bench/blue-green-rollback.sh [ROUNDS]     (default 5, interleaved; prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x artifacts/rewind/rewind ] || bash scripts/publish-aot.sh >/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); rounds: ${1:-5}; $(date -u +%F)"
echo
python3 bench/blue_green_rollback.py artifacts/rewind/rewind "${1:-5}"
