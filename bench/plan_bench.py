"""Benchmark (not a test): plan and discover against a small and a large account on a moto server.

Prints the wall time of `studio-vpce plan` (cache off as before, first run, cache warm) beside one
`aws sts get-caller-identity` against the same server, interleaved, and `discover`'s time and calls.
Target: plan <= 1.5x one AWS CLI call. Usage: python bench/plan_bench.py [--vpcs 500] [--small-only]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

from wizard import sandbox

ROOT = Path(__file__).resolve().parent.parent
ENV = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, "AWS_ACCESS_KEY_ID": "bench",
       "AWS_SECRET_ACCESS_KEY": "bench", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
       "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "us-west-2"}


def seed(url: str, vpcs: int, subnets_per_vpc: int, roles: int) -> None:
    """Reset the moto server at url and seed the demo account plus `vpcs` VPCs and `roles` roles."""
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST")).read()
    os.environ["AWS_ENDPOINT_URL"] = url
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-west-2")
    sandbox.seed(session, "us-west-2")
    ec2, iam = session.client("ec2"), session.client("iam")
    for i in range(vpcs):  # moto's EC2 backend is not thread-safe: one at a time
        vpc = ec2.create_vpc(CidrBlock=f"10.{i // 250 + 100}.{i % 250}.0/24")["Vpc"]["VpcId"]
        for j in range(subnets_per_vpc):
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{i // 250 + 100}.{i % 250}.{j * 16}/28",
                              AvailabilityZone=f"us-west-2{'abcd'[j % 4]}")
    for i in range(roles):
        iam.create_role(RoleName=f"bench-role-{i}", AssumeRolePolicyDocument="{}")
    del os.environ["AWS_ENDPOINT_URL"]


def timed(args: list[str], runs: int = 3, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Median wall time of `runs`, and the AWS calls of one run (counted from --debug)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(args, capture_output=True, text=True, env=env or ENV, cwd=ROOT, check=False)
        times.append(time.perf_counter() - start)
        assert result.returncode in (0, 2), result.stderr[-500:]
    debug = subprocess.run([*args, "--debug"], capture_output=True, text=True, env=env or ENV, cwd=ROOT, check=False)
    return statistics.median(times), debug.stderr.count("Making request for OperationModel")


def side_by_side(label: str, url: str, aws: str, runs: int) -> None:
    """One AWS CLI call beside plan cold (empty user cache), plan with the cache off (the code path before
    the cache existed) and plan warm (cache primed), interleaved so that load changes hit all alike."""
    cli = [sys.executable, "-m", "wizard", "plan", "profiles/vpce.yaml", "--endpoint-url", url]
    warm_dir = tempfile.mkdtemp(prefix="plan-bench-warm-")
    warm = {**ENV, "STUDIO_VPCE_CACHE_DIR": warm_dir}
    subprocess.run(cli, capture_output=True, env=warm, cwd=ROOT, check=True)  # prime
    samples: dict[str, list[float]] = {"aws": [], "cold": [], "off": [], "warm": []}
    calls = 0
    for _ in range(runs):
        samples["aws"].append(timed([aws, "sts", "get-caller-identity", "--endpoint-url", url], 1)[0])
        cold = {**ENV, "STUDIO_VPCE_CACHE_DIR": tempfile.mkdtemp(prefix="plan-bench-cold-")}
        samples["cold"].append(timed(cli, 1, cold)[0])
        samples["off"].append(timed(cli, 1, {**ENV, "STUDIO_VPCE_NO_CACHE": "1"})[0])
        seconds, calls = timed(cli, 1, warm)
        samples["warm"].append(seconds)
    sts = statistics.median(samples["aws"])
    print(f"[{label}] medians of {runs}, interleaved; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"[{label}]   aws sts get-caller-identity      {sts:.2f}s  1.0x")
    for key, what in (("off", "plan, cache off (as before)"), ("cold", "plan, first run (empty cache)"),
                      ("warm", "plan, cache warm")):
        median = statistics.median(samples[key])
        print(f"[{label}]   {what:32} {median:.2f}s  {median / sts:.1f}x")
    print(f"[{label}]   plan makes {calls} AWS calls")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vpcs", type=int, default=500)
    parser.add_argument("--subnets-per-vpc", type=int, default=10)
    parser.add_argument("--roles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--small-only", action="store_true", help="skip the large account (its seeding is slow)")
    opts = parser.parse_args()
    aws = shutil.which("aws") or str(Path(sys.executable).with_name("aws"))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # moto's server logs a traceback for each operation it lacks (ListUserProfiles): the tool reads that as "not
    # implemented" and says so; the traceback is noise among the figures.
    logging.disable(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    sizes = {"small": (0, 0, 0), "large": (opts.vpcs, opts.subnets_per_vpc, opts.roles)}
    for label, (vpcs, per, roles) in sizes.items():
        if label == "large" and opts.small_only:
            break
        start = time.perf_counter()
        seed(url, vpcs, per, roles)
        print(f"[{label}] seeded {vpcs} VPCs, {vpcs * per} subnets, {roles} roles in {time.perf_counter() - start:.0f}s")
        side_by_side(label, url, aws, opts.runs)
        disc_time, disc_calls = timed([sys.executable, "-m", "wizard", "discover", "--output", "json",
                                       "--endpoint-url", url], runs=1)
        print(f"[{label}] studio-vpce discover: {disc_time:.2f}s, {disc_calls} AWS calls")
    server.stop()


if __name__ == "__main__":
    main()
