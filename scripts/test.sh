#!/usr/bin/env bash
# Runs the whole test suite and ends with one line: "N passed, N failed, N skipped", counted from the TRX results.
# Tests that need AWS start their own moto_server on a free 127.0.0.1 port and stop it by PID.
set -uo pipefail
cd "$(dirname "$0")/.."

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet test Rewind.slnx --configuration "${CONFIGURATION:-Debug}" "$@" \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results"
status=$?

# The emulator's own patch module (Python) has its tests too; they count in the same totals.
python3 -m unittest discover -s emulator/tests -t emulator/tests -p 'test_*.py' >"$results/emulator.log" 2>&1
emulator_status=$?
tail -n 3 "$results/emulator.log"
[ $emulator_status -eq 0 ] || status=1

python3 - "$results" "$status" <<'PY'
import glob, re, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)
for path in files:
    counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    # xunit's skipped tests are not executed, and TRX's notExecuted counter stays 0 for them.
    skipped += int(counters.get("total", 0)) - int(counters.get("executed", 0))
log = open(sys.argv[1] + "/emulator.log").read()
ran = re.search(r"^Ran (\d+) tests?", log, re.M)
if ran:
    bad = sum(int(n) for n in re.findall(r"(?:failures|errors)=(\d+)", log))
    skip = sum(int(n) for n in re.findall(r"skipped=(\d+)", log))
    passed += int(ran.group(1)) - bad - skip
    failed += bad
    skipped += skip
else:
    failed += 1  # the emulator tests did not run at all
if not files and sys.argv[2] != "0":
    failed = max(failed, 1)  # the build or the runner failed before any result was written
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
