#!/usr/bin/env bash
# Playbook "Terraform Rollback", as a thin wrapper over 'rewind infra'. The Terraform code of the ref is checked out in a
# temporary git worktree: the working tree is never changed (no 'git checkout HEAD~1 -- *.tf' to undo afterwards).
#   ./infra/scripts/terraform_run.sh                          plan back to HEAD~1 and summarise it; nothing is changed
#   ./infra/scripts/terraform_run.sh --ref v1.4.2             plan back to another ref
#   CONFIRM=true ./infra/scripts/terraform_run.sh --apply     apply that plan (refused with exit 3 without CONFIRM=true)
#   CONFIRM=true ./infra/scripts/terraform_run.sh --apply --allow-destroy   past infra.max_destroys
# Any other flag goes to 'rewind infra plan|apply' (see 'rewind infra apply --help').
set -euo pipefail
source "$(dirname "$0")/_rewind.sh"
action=plan
args=()
for arg in "$@"; do
  case "$arg" in
    --apply) action=apply ;;
    --plan) action=plan ;;
    --live) ;; # --apply is the live action; CONFIRM=true is its gate
    *) args+=("$arg") ;;
  esac
done
if [ "$action" = apply ]; then
  rewind_cli infra apply --live ${args[@]+"${args[@]}"}
else
  rewind_cli infra plan ${args[@]+"${args[@]}"}
fi
