#!/usr/bin/env bash
# Cold start of the published NativeAOT binary against the AWS CLI on the same local emulator, in one invocation:
#   rewind --version, rewind doctor (STS identity plus one read-only call per service), aws sts get-caller-identity.
# usage: bash bench/cold-start.sh [RUNS]     (default 30; prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
[ -x artifacts/rewind/rewind ] || bash scripts/publish-aot.sh >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; wait $moto 2>/dev/null' EXIT
until curl -fs "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; do sleep 0.1; done
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); runs: $runs; $(date -u +%F)"
# The same Python loop pinned to each vCPU: on a shared host one vCPU can be much slower than another, and the
# aws baseline's time then depends on where it lands (see bench/README.md).
echo "seconds for one Python loop per vCPU: $(for cpu in $(seq 0 $(($(nproc) - 1))); do
  /usr/bin/time -f "cpu$cpu %e" taskset -c "$cpu" python3 -c 'sum(range(30000000))' 2>&1 | tr '\n' ' '; done)"
echo
python3 bench/measure.py "$runs" "aws sts get-caller-identity" -- \
  "aws sts get-caller-identity=aws sts get-caller-identity --endpoint-url http://127.0.0.1:$port" \
  "rewind --version=artifacts/rewind/rewind --version" \
  "rewind doctor=artifacts/rewind/rewind doctor --endpoint-url http://127.0.0.1:$port"
