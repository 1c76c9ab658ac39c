"""Benchmark (not a test): plan and discover against a small and a large account on a moto server.

Prints wall time and AWS call count of `studio-vpce discover` and `studio-vpce plan`, beside the time of one
`aws sts get-caller-identity` against the same server. Usage: python bench/plan_bench.py [--vpcs 500]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
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


def timed(args: list[str], runs: int = 3) -> tuple[float, int]:
    """Best wall time of `runs`, and the AWS calls of one run (counted from --debug)."""
    best = float("inf")
    calls = 0
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(args, capture_output=True, text=True, env=ENV, cwd=ROOT, check=False)
        best = min(best, time.perf_counter() - start)
        assert result.returncode in (0, 2), result.stderr[-500:]
    debug = subprocess.run([*args, "--debug"], capture_output=True, text=True, env=ENV, cwd=ROOT, check=False)
    calls = debug.stderr.count("Making request for OperationModel")
    return best, calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vpcs", type=int, default=500)
    parser.add_argument("--subnets-per-vpc", type=int, default=10)
    parser.add_argument("--roles", type=int, default=2000)
    opts = parser.parse_args()
    aws = shutil.which("aws")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    for label, (vpcs, per, roles) in {"small": (0, 0, 0), "large": (opts.vpcs, opts.subnets_per_vpc, opts.roles)}.items():
        start = time.perf_counter()
        seed(url, vpcs, per, roles)
        print(f"[{label}] seeded {vpcs} VPCs, {vpcs * per} subnets, {roles} roles in {time.perf_counter() - start:.0f}s")
        cli = [sys.executable, "-m", "wizard"]
        if aws:
            sts, _ = timed([aws, "sts", "get-caller-identity", "--endpoint-url", url])
            print(f"[{label}] aws sts get-caller-identity: {sts:.2f}s")
        plan_time, plan_calls = timed([*cli, "plan", "profiles/vpce.yaml", "--endpoint-url", url])
        print(f"[{label}] studio-vpce plan:     {plan_time:.2f}s, {plan_calls} AWS calls")
        disc_time, disc_calls = timed([*cli, "discover", "--output", "json", "--endpoint-url", url], runs=1)
        print(f"[{label}] studio-vpce discover: {disc_time:.2f}s, {disc_calls} AWS calls")
    server.stop()


if __name__ == "__main__":
    main()
