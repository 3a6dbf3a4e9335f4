#!/usr/bin/env bash
# Playbook "Cache Invalidation", as a thin wrapper over 'rewind cdn'.
#   ./infra/scripts/cloudfront_invalidate.sh --dist-id E123 --paths "/*"          dry-run
#   ./infra/scripts/cloudfront_invalidate.sh --dist-id E123 --paths "/*" --live   create it (add --wait to wait for Completed)
set -euo pipefail
source "$(dirname "$0")/_rewind.sh"
rewind_cli cdn $(confirm_flag) "$@"
