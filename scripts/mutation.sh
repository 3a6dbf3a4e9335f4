#!/usr/bin/env bash
# Mutation testing with Stryker.NET (a local tool: .config/dotnet-tools.json), against the unit tests below the
# emulator only (no moto_server): Rewind.Core's Engine/ and Evidence/ with tests/Rewind.Core.Tests, and Rewind.Playbook
# with tests/Rewind.Playbook.Tests. Slow on a small machine: run one project at a time. Not part of CI.
#
#   scripts/mutation.sh core        # Rewind.Core Engine/ + Evidence/  (target: >= 80 % killed)
#   scripts/mutation.sh playbook    # Rewind.Playbook
#   scripts/mutation.sh all
#
# Stryker's settings are in scripts/stryker-config.json: the Microsoft.Testing.Platform runner ("test-runner": "mtp";
# the default VSTest runner cannot drive xUnit v3 test projects), the reporters and the thresholds.
# CONCURRENCY (default 1) is how many test runners Stryker starts; MUTATE (globs separated by spaces) narrows the
# files mutated; reports go to artifacts/mutation/<project>/ (HTML, JSON and a text summary). Stryker builds and
# rewrites the test project's bin/: nothing else may build or test that project while it runs.
set -euo pipefail
set -f # MUTATE's globs are for Stryker, not for this shell to expand
cd "$(dirname "$0")/.."

concurrency="${CONCURRENCY:-1}"
config="$PWD/scripts/stryker-config.json"
dotnet tool restore >/dev/null

run() {
    local name="$1" project="$2" tests="$3"
    shift 3
    local mutate=()
    for glob in "$@"; do
        mutate+=(--mutate "$glob")
    done
    local out="$PWD/artifacts/mutation/$name"
    mkdir -p "$out"
    (cd "$tests" && dotnet stryker \
        --config-file "$config" \
        --project "$project" \
        --concurrency "$concurrency" \
        --output "$out" \
        "${mutate[@]}")
}

core() {
    # shellcheck disable=SC2086
    run core Rewind.Core.csproj tests/Rewind.Core.Tests ${MUTATE:-"**/Engine/**/*.cs" "**/Evidence/**/*.cs"}
}

playbook() {
    # shellcheck disable=SC2086
    run playbook Rewind.Playbook.csproj tests/Rewind.Playbook.Tests ${MUTATE:-"**/*.cs"}
}

case "${1:-core}" in
    core) core ;;
    playbook) playbook ;;
    all) core && playbook ;;
    *) echo "usage: scripts/mutation.sh [core|playbook|all]" >&2; exit 2 ;;
esac
