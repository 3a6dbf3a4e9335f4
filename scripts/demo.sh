#!/usr/bin/env bash
# The most complete thing Rewind does today against the local AWS emulator: start moto_server on a free loopback
# port, run 'rewind doctor' against it (identity plus one read-only call per service), stop the emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v moto_server >/dev/null 2>&1; then
  echo "demo: moto_server is not installed: pip install \"moto[server]==5.2.1\" (or pipx install \"moto[server]\")" >&2
  exit 2
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; wait $moto 2>/dev/null' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "demo: AWS emulator on http://127.0.0.1:$port (pid $moto)" >&2
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=demo-secret AWS_REGION=us-east-1
dotnet run --project src/Rewind.Cli -- doctor --endpoint-url "http://127.0.0.1:$port" "$@"
