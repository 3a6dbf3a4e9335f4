#!/usr/bin/env bash
# Playbook "Option 2: Canary Rollback", as a thin wrapper over 'rewind canary'.
#   ./infra/scripts/canary_release.sh --canary-percent 0           dry-run
#   ./infra/scripts/canary_release.sh --canary-percent 0 --live    set main 100 / canary 0 and read it back
set -euo pipefail
source "$(dirname "$0")/_rewind.sh"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --canary-percent) args+=(--percent "${2:?--canary-percent needs a number from 0 to 100}"); shift 2 ;;
    --canary-percent=*) args+=(--percent "${1#*=}"); shift ;;
    *) args+=("$1"); shift ;;
  esac
done
rewind_cli canary $(confirm_flag) "${args[@]}"
