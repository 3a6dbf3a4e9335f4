#!/usr/bin/env bash
# Playbook "Option 1: ECS Task Definition Rollback", as a thin wrapper over 'rewind ecs'.
#   ./infra/scripts/rollback_release.sh              dry-run: show the rollback, change nothing
#   ./infra/scripts/rollback_release.sh --live       roll back (asks once on a terminal; CONFIRM=true does not ask)
#   ./infra/scripts/rollback_release.sh --revision 41 --live
# Any other flag goes to 'rewind ecs' (see 'rewind ecs --help'). Cluster, service and family come from rewind.yaml,
# else CLUSTER_NAME, SERVICE_NAME_API and TASK_FAMILY, else the playbook's defaults.
set -euo pipefail
source "$(dirname "$0")/_rewind.sh"
rewind_cli ecs $(confirm_flag) "$@"
