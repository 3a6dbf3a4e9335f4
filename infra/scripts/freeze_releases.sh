#!/usr/bin/env bash
# Playbook "Freeze Releases", as a thin wrapper over 'rewind freeze'.
#   ./infra/scripts/freeze_releases.sh on --reason "rollback of v4" --live       freeze, publish to SSM, tell #releases
#   ./infra/scripts/freeze_releases.sh check                                    in a deploy job: exit 3 while frozen
#   ./infra/scripts/freeze_releases.sh off --root-cause "what caused it" --live  lift (the root cause is required)
set -euo pipefail
source "$(dirname "$0")/_rewind.sh"
rewind_cli freeze "$@"
