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
from wizard import session as session_module
from wizard.cloud import Cloud
from wizard.discovery import discover
from wizard.isolated import discover_isolated
from wizard.session import WizardSession

sys.path.insert(0, os.path.dirname(__file__))
from plan_bench import seed


async def measure(label: str, make_cloud, isolated: bool = False) -> None:  # noqa: ANN001
    """isolated: the session's discovery runs in a child process (wizard.isolated.discover_isolated) instead
    of a thread of this process; patched in here, so the screens stay as they are."""
    if isolated:
        session_module.discover = discover_isolated
    try:
        await _measure(label + (" [discovery in a child process]" if isolated else " [discovery in a thread]"),
                       make_cloud)
    finally:
        session_module.discover = discover


async def _measure(label: str, make_cloud) -> None:  # noqa: ANN001
    session = WizardSession(make_cloud, demo=label.startswith("demo"))
    app = WizardApp(session)
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        first_paint = time.perf_counter() - start
        latencies: list[float] = []
        while session.inventory is None:  # type while discovery runs
            t = time.perf_counter()
            await pilot.press("tab")  # moves focus; edits nothing
            latencies.append(time.perf_counter() - t)
            await asyncio.sleep(0.01)
        discovered = time.perf_counter() - start
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
        worst = latencies[-1] if latencies else 0.0
        idle: list[float] = []
        for _ in range(max(10, len(latencies))):  # the same keystroke with nothing running: this machine's floor
            t = time.perf_counter()
            await pilot.press("tab")
            idle.append(time.perf_counter() - t)
            await asyncio.sleep(0.01)
        idle.sort()
        idle_p95 = idle[int(0.95 * (len(idle) - 1))]
        print(f"[{label}] first paint {first_paint:.2f}s; discovery done {discovered:.2f}s; keystrokes during "
              f"discovery: {len(latencies)}, p95 {p95 * 1000:.0f} ms, worst {worst * 1000:.0f} ms; the same "
              f"keystroke idle afterwards: p95 {idle_p95 * 1000:.0f} ms")
        try:
            await pilot.press("ctrl+n")
            await pilot.pause()
            table = app.query_one("#vpcs")
            populated = time.perf_counter() - start
            rows = table.row_count
            research = next(v for v in session.inventory.vpcs if v.name == "research")
            session.select_vpc(research.id)
            session.answers["subnet_ids"] = [s.id for s in research.subnets
                                             if s.name in ("research-private-a", "research-private-b")]
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
            print(f"[{label}] VPC table populated {populated:.2f}s ({rows} rows); worst keystroke filtering roles "
                  f"{worst_filter * 1000:.0f} ms")
        except Exception as exc:  # noqa: BLE001 - the screens changed shape: the discovery figures still stand
            print(f"[{label}] (after discovery: {type(exc).__name__}: {exc})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vpcs", type=int, default=500)
    parser.add_argument("--subnets-per-vpc", type=int, default=10)
    parser.add_argument("--roles", type=int, default=5000)
    parser.add_argument("--skip-demo", action="store_true")
    opts = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    def demo_cloud() -> Cloud:
        return Cloud("us-west-2", session=sandbox.start(), demo=True)

    if not opts.skip_demo:
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
    label = f"moto server: {opts.vpcs} VPCs, {opts.vpcs * opts.subnets_per_vpc} subnets, {opts.roles} roles"
    for isolated in (False, True):
        asyncio.run(measure(label, lambda: Cloud("us-west-2", session=session, endpoint_url=url), isolated))
    server.terminate()


if __name__ == "__main__":
    main()
