# Shared by the playbook's wrapper scripts: finds the rewind binary.
# REWIND may name it; else 'rewind' on PATH; else this checkout's NativeAOT build; else 'dotnet run'.
rewind_cli() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  if [ -n "${REWIND:-}" ]; then
    "$REWIND" "$@"
  elif command -v rewind >/dev/null 2>&1; then
    rewind "$@"
  elif [ -x "$root/artifacts/rewind/rewind" ]; then
    "$root/artifacts/rewind/rewind" "$@"
  else
    dotnet run --project "$root/src/Rewind.Cli" -- "$@"
  fi
}

# CONFIRM=true answers the confirmation a live action asks for on a terminal.
confirm_flag() {
  [ "${CONFIRM:-}" = "true" ] && echo "--yes"
}
