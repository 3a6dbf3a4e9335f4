#!/usr/bin/env bash
# Playbook "Verify Stability", as a thin wrapper over 'rewind smoke' (changes nothing, so no --live).
#   ./infra/scripts/smoke_test.sh --url http://PRODUCTION_ALB_DNS
#   ./infra/scripts/smoke_test.sh --url http://PRODUCTION_ALB_DNS --retries 5 --timeout 10
# The API key comes from SMOKE_API_KEY (or smoke.api_key_env / smoke.api_key_secret in rewind.yaml); --api-key KEY
# works too but is visible in the process list. Logs go to logs/smoke_tests/. Exit 0 pass, 4 a check failed,
# 5 the URL cannot be reached, 2 bad input.
set -euo pipefail
source "$(dirname "$0")/_rewind.sh"
rewind_cli smoke "$@"
