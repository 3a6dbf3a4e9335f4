#!/usr/bin/env python3
"""Runs commands repeatedly, interleaved, and prints a Markdown table: median and p90 wall time, peak RSS, ratio.

usage: measure.py RUNS BASELINE_LABEL -- LABEL=COMMAND [LABEL=COMMAND ...]
The baseline is the command whose label is BASELINE_LABEL; every ratio is baseline median / command median.
Each command is run RUNS times, round-robin, so a noisy moment hits all of them alike.
"""
import os, shlex, statistics, subprocess, sys, time

def run_once(argv):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"measure: {' '.join(argv)} exited {code}: {stderr.strip()}")
    return elapsed, usage.ru_maxrss / 1024  # ms, MiB

def main():
    runs, baseline = int(sys.argv[1]), sys.argv[2]
    commands = [arg.split("=", 1) for arg in sys.argv[sys.argv.index("--") + 1:]]
    samples = {label: [] for label, _ in commands}
    peaks = {label: 0.0 for label, _ in commands}
    for label, command in commands:          # one warm-up each: page cache, moto's lazy service load
        run_once(shlex.split(command))
    for _ in range(runs):
        for label, command in commands:
            ms, rss = run_once(shlex.split(command))
            samples[label].append(ms)
            peaks[label] = max(peaks[label], rss)
    base = statistics.median(samples[baseline])
    print("| command | median ms | p90 ms | peak RSS MiB | speed-up vs baseline |")
    print("|---|---:|---:|---:|---:|")
    for label, command in commands:
        values = sorted(samples[label])
        median = statistics.median(values)
        p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
        print(f"| `{label}` | {median:.1f} | {p90:.1f} | {peaks[label]:.1f} | {base / median:.1f}× |")

if __name__ == "__main__":
    main()
