#!/usr/bin/env python3
"""A BLUE_GREEN deployment in bake time rolled back: Rewind (NativeAOT binary) against the aws CLI sequence, one emulator.

usage: blue_green_rollback.py REWIND_BINARY ROUNDS
Starts moto_server with Rewind's emulator (emulator/rewind_moto.py; lifecycle stages of STAGE_SECONDS, so a requested
rollback is ROLLBACK_SUCCESSFUL two stages after StopServiceDeployment), once per stage length. For each round, interleaved, each contender
gets a fresh world: the emulator is reset and 'rewind demo --seed-only --shape blue-green' seeds claude-proxy-api with
v4's BLUE_GREEN deployment in BAKE_TIME (production rule 100 % on green). Timed from start until the deployment is
ROLLBACK_SUCCESSFUL and the production rule is read back 100 % on the good revision's (blue) target group:
  Rewind   'rewind ecs --live --yes' (StopServiceDeployment ROLLBACK, waits, reads the rule back: its evidence)
  aws CLI  ecs list-service-deployments, ecs stop-service-deployment --stop-type ROLLBACK, then polling
           ecs describe-service-deployments and elbv2 describe-rules until the same end state
Also: how long after the emulator finished the rollback (the deployment's finishedAt) each contender saw it.
Prints a Markdown table.
"""
import datetime, json, os, re, socket, statistics, subprocess, sys, tempfile, time, urllib.request

# The emulator's lifecycle stage: 0.5 s (its default; a requested rollback then takes 1 s), and 0 (the rollback is done
# at the next read) to measure what each contender itself costs when the emulator's own rollback time is taken away.
STAGE_SECONDS = (0.5, 0.0)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def post(url):
    urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=10).read()


def run(argv, env):
    proc = subprocess.run(argv, capture_output=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"blue_green_rollback: {' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode()[-800:]}")
    return proc.stdout.decode()


def yaml_value(config, key):
    with open(config) as f:
        return re.search(rf"^\s*{key}:\s*(\S+)", f.read(), re.M).group(1)


def main():
    rewind, rounds = sys.argv[1], int(sys.argv[2])
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="bench",
               AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="",
               REWIND_MOTO_MINUTE_SECONDS="1")
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "emulator", "rewind_moto.py"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    aws = ["aws", "--endpoint-url", endpoint, "--output", "json"]
    cluster, service = "claude-proxy", "api-service"

    def seed():
        post(endpoint + "/moto-api/reset")
        folder = tempfile.mkdtemp(prefix="rewind-bench-bg-")
        config = run([rewind, "demo", "--seed-only", "--shape", "blue-green", "--endpoint-url", endpoint, "--dir", folder], env).strip().splitlines()[-1]
        return config, yaml_value(config, "rule_arn"), yaml_value(config, "main_target_group")

    def rolled_back():
        """When the emulator finished the rollback: the ROLLBACK_SUCCESSFUL deployment's finishedAt (epoch seconds), read untimed."""
        listed = json.loads(run(aws + ["ecs", "list-service-deployments", "--cluster", cluster, "--service", service, "--status", "ROLLBACK_SUCCESSFUL"], env))
        arn = listed["serviceDeployments"][0]["serviceDeploymentArn"]
        described = json.loads(run(aws + ["ecs", "describe-service-deployments", "--service-deployment-arns", arn], env))["serviceDeployments"][0]
        finished = described["finishedAt"]
        return finished if isinstance(finished, (int, float)) else datetime.datetime.fromisoformat(finished).timestamp()

    def weight_on(rule, blue):
        rules = json.loads(run(aws + ["elbv2", "describe-rules", "--rule-arns", rule], env))["Rules"][0]
        forward = [a for a in rules["Actions"] if a["Type"] == "forward"][0]
        return {g["TargetGroupArn"]: g.get("Weight", 1) for g in forward["ForwardConfig"]["TargetGroups"]}.get(blue, 0)

    def phase(stage):
        urllib.request.urlopen(urllib.request.Request(endpoint + "/rewind-api/config", data=json.dumps({"stageSeconds": stage}).encode(),
                                                      headers={"Content-Type": "application/json"}, method="POST"), timeout=10).read()
        times = {"rewind": [], "aws": []}
        late = {"rewind": [], "aws": []}
        for _ in range(rounds):
            config, rule, blue = seed()
            start = time.perf_counter()
            out = run([rewind, "ecs", "--live", "--yes", "--config", config, "--output", "json"], env)
            elapsed, seen = time.perf_counter() - start, time.time()
            evidence = json.dumps(json.loads(out))
            if '"targetProductionWeight": 100' not in evidence or "ROLLBACK_SUCCESSFUL" not in evidence:
                sys.exit(f"blue_green_rollback: rewind's evidence lacks ROLLBACK_SUCCESSFUL and weight 100: {out[-800:]}")
            if weight_on(rule, blue) != 100:
                sys.exit("blue_green_rollback: after rewind the production rule is not 100 % on blue")
            times["rewind"].append(elapsed); late["rewind"].append(seen - rolled_back())

            config, rule, blue = seed()
            start = time.perf_counter()
            listed = json.loads(run(aws + ["ecs", "list-service-deployments", "--cluster", cluster, "--service", service, "--status", "IN_PROGRESS"], env))
            arn = listed["serviceDeployments"][0]["serviceDeploymentArn"]
            run(aws + ["ecs", "stop-service-deployment", "--service-deployment-arn", arn, "--stop-type", "ROLLBACK"], env)
            while json.loads(run(aws + ["ecs", "describe-service-deployments", "--service-deployment-arns", arn], env))["serviceDeployments"][0]["status"] != "ROLLBACK_SUCCESSFUL":
                pass
            while weight_on(rule, blue) != 100:
                pass
            elapsed, seen = time.perf_counter() - start, time.time()
            times["aws"].append(elapsed); late["aws"].append(seen - rolled_back())
        return times, late

    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1); break
            except Exception:
                time.sleep(0.1)
        print("| measure | rewind (NativeAOT) median ms | aws CLI sequence median ms | rewind faster by |")
        print("|---|---:|---:|---:|")
        notes = []
        for stage in STAGE_SECONDS:
            times, late = phase(stage)
            med = {k: statistics.median(v) * 1000 for k, v in times.items()}
            print(f"| BLUE_GREEN in bake → ROLLBACK_SUCCESSFUL and production rule read back 100 % on blue (emulated stage {stage} s) "
                  f"| {med['rewind']:.0f} | {med['aws']:.0f} | {med['aws'] / med['rewind']:.1f}× |")
            for k in ("rewind", "aws"):
                notes.append(f"stage {stage} s, {k}: completion seen after the emulator finished the rollback: median "
                             f"{statistics.median(late[k]) * 1000:.0f} ms, max {max(late[k]) * 1000:.0f} ms; runs (ms): {', '.join(f'{t * 1000:.0f}' for t in times[k])}")
        print()
        for note in notes:
            print(note)
    finally:
        server.kill(); server.wait()



if __name__ == "__main__":
    main()
