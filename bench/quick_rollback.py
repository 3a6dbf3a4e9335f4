#!/usr/bin/env python3
"""The playbook's quick rollback, Rewind (NativeAOT binary) against the playbook's own aws CLI sequence, on one emulator.

usage: quick_rollback.py REWIND_BINARY RUNS
Starts moto_server with Rewind's ECS rollout patch (rollouts complete 5 s after UpdateService), then for each run and
each contender: resets the emulator, seeds the demo world ('rewind demo --seed-only'), and times
  time-to-mitigation  start -> listener weights read back at main 100 / canary 0
  quick rollback      canary to 0, ECS rollback to the known-good revision, wait until the rollout is complete
Rewind: 'rewind canary --percent 0 --live --yes' and 'rewind run --live --yes'.
aws CLI (the playbook's commands): elbv2 modify-listener + describe-listeners; then ecs list-task-definitions,
ecs update-service --force-new-deployment, ecs wait services-stable.
Prints a Markdown table: medians, ratio, peak RSS of the rewind process, and how late Rewind saw the rollout complete.
"""
import json, os, shlex, socket, statistics, subprocess, sys, tempfile, time, urllib.request

ROLLOUT_SECONDS = 5.0
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

def post(url):
    urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=10).read()

def timed(argv, env):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    rss = 0
    if proc.returncode != 0:
        sys.exit(f"quick_rollback: {' '.join(argv)} exited {proc.returncode}: {err.decode()[-800:]}")
    return elapsed, out.decode(), err.decode()

def timed_rss(argv, env):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = proc.stdout.read(); err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"quick_rollback: {' '.join(argv)} failed: {err.decode()[-800:]}")
    return elapsed, usage.ru_maxrss / 1024, out.decode(), err.decode()

def main():
    rewind, runs = sys.argv[1], int(sys.argv[2])
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="bench",
               AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1", REWIND_MOTO_ROLLOUT_SECONDS=str(ROLLOUT_SECONDS))
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "emulator", "rewind_moto.py"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1); break
            except Exception:
                time.sleep(0.1)
        aws = ["aws", "--endpoint-url", endpoint, "--output", "json"]
        results = {k: [] for k in ("rewind_mitigation", "rewind_rollback", "aws_mitigation", "aws_rollback")}
        late = []; peak = 0.0
        folder = tempfile.mkdtemp(prefix="rewind-bench-")

        def seed():
            post(endpoint + "/moto-api/reset")
            _, out, _ = timed([rewind, "demo", "--seed-only", "--endpoint-url", endpoint, "--dir", folder], env)
            config = out.strip().splitlines()[-1]
            ledger = os.path.join(folder, "ledger.db")
            return config

        for _ in range(runs):
            config = seed()
            t, rss, _, _ = timed_rss([rewind, "canary", "--percent", "0", "--live", "--yes", "--config", config], env)
            results["rewind_mitigation"].append(t); peak = max(peak, rss)

            config = seed()
            t, rss, out, err = timed_rss([rewind, "run", "--live", "--yes", "--skip", "verify", "--config", config, "--output", "json"], env)
            results["rewind_rollback"].append(t); peak = max(peak, rss)
            # How long after the emulator completed the rollout did Rewind see it? (ecs step time - rollout time)
            for line in err.splitlines():
                if "[ecs] succeeded in" in line:
                    late.append(float(line.split("succeeded in ")[1].split(" s")[0]) - ROLLOUT_SECONDS)

            seed()
            listener = json.loads(subprocess.check_output(aws + ["elbv2", "describe-load-balancers"], env=env))["LoadBalancers"][0]["LoadBalancerArn"]
            listener = json.loads(subprocess.check_output(aws + ["elbv2", "describe-listeners", "--load-balancer-arn", listener], env=env))["Listeners"][0]
            groups = listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
            main_tg = [g["TargetGroupArn"] for g in groups if "main" in g["TargetGroupArn"]][0]
            canary_tg = [g["TargetGroupArn"] for g in groups if "canary" in g["TargetGroupArn"]][0]
            actions = json.dumps([{"Type": "forward", "ForwardConfig": {"TargetGroups": [
                {"TargetGroupArn": main_tg, "Weight": 100}, {"TargetGroupArn": canary_tg, "Weight": 0}],
                "TargetGroupStickinessConfig": {"Enabled": True, "DurationSeconds": 300}}}])
            start = time.perf_counter()
            subprocess.check_output(aws + ["elbv2", "modify-listener", "--listener-arn", listener["ListenerArn"], "--default-actions", actions], env=env)
            subprocess.check_output(aws + ["elbv2", "describe-listeners", "--listener-arns", listener["ListenerArn"]], env=env)
            mitigated = time.perf_counter() - start
            subprocess.check_output(aws + ["ecs", "list-task-definitions", "--family-prefix", "claude-proxy-api", "--sort", "DESC", "--max-items", "5"], env=env)
            subprocess.check_output(aws + ["ecs", "update-service", "--cluster", "claude-proxy", "--service", "api-service",
                                           "--task-definition", "claude-proxy-api:2", "--force-new-deployment"], env=env)
            subprocess.check_output(aws + ["ecs", "wait", "services-stable", "--cluster", "claude-proxy", "--services", "api-service"], env=env)
            results["aws_mitigation"].append(mitigated)
            results["aws_rollback"].append(time.perf_counter() - start)

        med = {k: statistics.median(v) * 1000 for k, v in results.items()}
        print("| measure | rewind (NativeAOT) median ms | aws CLI sequence median ms | rewind faster by |")
        print("|---|---:|---:|---:|")
        print(f"| time-to-mitigation (weights read back 100/0) | {med['rewind_mitigation']:.0f} | {med['aws_mitigation']:.0f} | {med['aws_mitigation'] / med['rewind_mitigation']:.1f}× |")
        print(f"| quick rollback (canary 0, ECS rollback, wait for completion; emulated rollout {ROLLOUT_SECONDS:.0f} s) | {med['rewind_rollback']:.0f} | {med['aws_rollback']:.0f} | {med['aws_rollback'] / med['rewind_rollback']:.1f}× |")
        print()
        print(f"rewind peak RSS: {peak:.1f} MiB; rollout completion seen after the emulator completed it: median {statistics.median(late) * 1000:.0f} ms, max {max(late) * 1000:.0f} ms ({len(late)} runs)")
    finally:
        server.kill(); server.wait()

if __name__ == "__main__":
    main()
