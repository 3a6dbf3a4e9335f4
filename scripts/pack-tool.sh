#!/usr/bin/env bash
# Packs rewind as a dotnet tool into artifacts/nupkg/. With --check, also installs it from that folder into a
# temporary tool path and runs 'rewind --version' (version and commit), as a user would:
#   dotnet tool install --global rewind --add-source artifacts/nupkg
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf artifacts/nupkg
dotnet pack src/Rewind.Cli -c Release -o artifacts/nupkg -p:DebugType=none >&2
package=$(ls artifacts/nupkg/rewind.*.nupkg)
echo "$package"
if [[ "${1:-}" == "--check" ]]; then
  tools=$(mktemp -d)
  trap 'rm -rf "$tools"' EXIT
  dotnet tool install rewind --tool-path "$tools" --add-source artifacts/nupkg >&2
  version=$("$tools/rewind" --version)
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+.*\+[0-9a-f]{7,} ]] || { echo "pack-tool: 'rewind --version' printed '$version', not VERSION+COMMIT" >&2; exit 1; }
  echo "installed from artifacts/nupkg: rewind $version" >&2
fi
