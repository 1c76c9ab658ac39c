"""Benchmark (not a test): the AWS calls of a full apply against the minimum, and the wall time of apply when
endpoints stay `pending` for a while (both endpoints must wait concurrently, one poll for both).

Usage: python bench/apply_bench.py [--pending-polls 4] [--poll-interval 0.5]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import boto3
from moto import mock_aws

from wizard import sandbox
from wizard.cloud import Cloud
from wizard.discovery import observe
from wizard.executor import Executor, is_mutating
from wizard.planner import plan
from wizard.profiles import load

ROOT = Path(__file__).resolve().parent.parent


def run(profile_name: str, pending_polls: int, interval: float) -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-west-2", aws_access_key_id="x", aws_secret_access_key="x")
        sandbox.seed(session, "us-west-2")
        polls = Counter()

        def slow_endpoints(parsed, **_):  # noqa: ANN001, ANN003, ANN202
            polls["describe"] += 1
            if polls["describe"] <= pending_polls:
                for endpoint in parsed.get("VpcEndpoints", []):
                    endpoint["State"] = "pending"

        cloud = Cloud("us-west-2", session=session)
        cloud.poll_interval = interval
        p = load(ROOT / "profiles" / f"{profile_name}.yaml")
        the_plan = plan(observe(cloud, p), p)
        calls: list[str] = []
        cloud.on("before-call.*.*", lambda model, **_: calls.append(model.name))
        cloud.on("after-call.ec2.DescribeVpcEndpoints", slow_endpoints)
        start = time.perf_counter()
        result = Executor(cloud, the_plan).run()
        elapsed = time.perf_counter() - start
        assert result.ok, result.error
        mutating = [c for c in calls if is_mutating(c)]
        created = sum(1 for c in the_plan.changes if c.action != "no-op")
        minimum = created + 1  # one call per resource created, plus one poll round for both endpoints
        print(f"{profile_name:>14}: {len(calls)} AWS calls ({len(mutating)} mutating) for {created} changes; "
              f"minimum {minimum}; polls {calls.count('DescribeVpcEndpoints')}; "
              f"wall {elapsed:.2f}s with endpoints pending for {pending_polls} poll(s) at {interval}s "
              f"(serial waiting would take >= {2 * pending_polls * interval:.1f}s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pending-polls", type=int, default=4)
    parser.add_argument("--poll-interval", type=float, default=0.5)
    opts = parser.parse_args()
    for name in ("vpce", "subnet", "hosted-zone", "deny-guardrail"):
        run(name, opts.pending_polls, opts.poll_interval)


if __name__ == "__main__":
    main()
