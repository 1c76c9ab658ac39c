"""Benchmark (not a test): the wizard headless (Pilot) against the demo and against a large moto server.

Prints time to first paint, time until the VPC table is populated, and the worst keystroke latency while
discovery runs and while filtering the roles list. Usage: python bench/tui_bench.py [--vpcs 500 --roles 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import time
import urllib.request

import boto3

from screens.app import WizardApp
from wizard import sandbox
from wizard.cloud import Cloud
from wizard.session import WizardSession

sys.path.insert(0, os.path.dirname(__file__))
from plan_bench import seed


async def measure(label: str, make_cloud) -> None:  # noqa: ANN001
    session = WizardSession(make_cloud, demo=label == "demo")
    app = WizardApp(session)
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        first_paint = time.perf_counter() - start
        worst_discovery = 0.0
        while session.inventory is None:  # type while discovery runs
            t = time.perf_counter()
            await pilot.press("tab")  # moves focus; edits nothing
            worst_discovery = max(worst_discovery, time.perf_counter() - t)
            await asyncio.sleep(0.01)
        discovered = time.perf_counter() - start
        await pilot.press("ctrl+n")
        await pilot.pause()
        table = app.query_one("#vpcs")
        populated = time.perf_counter() - start
        rows = table.row_count
        research = next(v for v in session.inventory.vpcs if v.name == "research")
        session.select_vpc(research.id)
        session.answers["subnet_ids"] = [s.id for s in research.subnets if s.name in ("research-private-a", "research-private-b")]
        for _ in range(4):
            await pilot.press("ctrl+n")
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.click("#principal-filter")
        worst_filter = 0.0
        for key in "bench-role-4":
            t = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            worst_filter = max(worst_filter, time.perf_counter() - t)
    print(f"[{label}] first paint {first_paint:.2f}s; discovery done {discovered:.2f}s; VPC table populated "
          f"{populated:.2f}s ({rows} rows); worst keystroke during discovery {worst_discovery * 1000:.0f} ms; "
          f"worst keystroke filtering roles {worst_filter * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vpcs", type=int, default=500)
    parser.add_argument("--subnets-per-vpc", type=int, default=10)
    parser.add_argument("--roles", type=int, default=5000)
    opts = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    def demo_cloud() -> Cloud:
        return Cloud("us-west-2", session=sandbox.start(), demo=True)

    sandbox.start()  # as the CLI does before the UI starts: moto's import and seeding are not the UI's to wait for
    asyncio.run(measure("demo", demo_cloud))
    sandbox.stop()
    # AWS runs elsewhere: the server gets its own process, so its work does not compete with the UI for the GIL
    port = 5987
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/moto-api/").read()
            break
        except OSError:
            time.sleep(0.1)
    seed(url, opts.vpcs, opts.subnets_per_vpc, opts.roles)
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-west-2")
    asyncio.run(measure(f"moto server: {opts.vpcs} VPCs, {opts.vpcs * opts.subnets_per_vpc} subnets, {opts.roles} roles",
                        lambda: Cloud("us-west-2", session=session, endpoint_url=url)))
    server.terminate()


if __name__ == "__main__":
    main()
