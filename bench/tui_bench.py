"""Benchmark (not a test) of the wizard's responsiveness, each figure side by side with a minimal Textual app
(Header, Static, Footer) measured in the same run, so that the machine's load hits both alike.

1. First paint, whole processes in a pseudo-terminal (80x24), alternating: the minimal app, `studio-vpce
   --demo` (the sandbox server; the first run starts it), and `studio-vpce` against a moto server (a real
   account's path). Time from spawn until the first frame's text is on the terminal, and until the account's
   figures arrive. Goals: --demo <= 2.5x the minimal app, against a server <= 2x.
2. Responsiveness while the wizard discovers a large account (a moto server in its own process, seeded with
   --vpcs VPCs): the event loop's lag, sampled inside the app every 5 ms, and the time a Tab keystroke takes
   (Pilot), both during discovery. At the same time a second process runs the minimal app with the same
   probe and keystrokes, so both see the same load. Goal: keystroke p95 <= 50 ms. `--modes thread` also
   measures discovery in a thread of the UI's process (how it was before), for comparison.
3. After discovery: going to the VPC step (the table of every VPC) and typing in its filter, per key.

Results (2 shared cores, other sessions running; 500 VPCs, 5000 subnets, 2000 roles; Tab until focus moved):
- Before (d3155a7) and after, alternating against one seeded server (`--skip-paint --url`), load ~2.5:
  p95 while discovering: before 146 / 143 ms, after 43 / 40 ms (goal <= 50 ms); wizard / minimal app, the
  same moment: before 5.0x / 3.0x, after 1.4x / 1.3x; wizard idle: before 164 / 62 ms, after 37 / 19 ms.
  Event-loop lag p95 while discovering: before 50 / 80 ms, after 24 / 24 ms (minimal app 10 ms).
- Default runs (each seeds its own server), heavier load: before (load 5.0) 751 ms = 11.9x the minimal app;
  after (load 4.6) 119 ms = 1.9x, (load 6.4) 120 ms = 1.4x, and against a seeded server at load 10: 90 ms =
  1.3x. Under such load the minimal app itself takes 62-89 ms: the rest is the machine, not the wizard.
- Why: a Tab cost ~48 ms of CPU (the minimal app ~25-34), ~16 ms now. Textual's Footer rebuilt its dozen key
  widgets on every focus change (now only when the keys shown change: KeysFooter), the step list was a
  ListView of 18 widgets that a focus change restyled and repainted (now one OptionList: StepList), and the
  screen repainted whole on focus (now only the two widgets: WizardScreen). Discovery's child process runs
  at nice 10. The VPC filter's table is not rebuilt when a key keeps the same rows (~33 -> ~7 ms of CPU).
  The "Pilot.press (until idle)" rows are mostly Pilot's own wait on every widget (the minimal app's too).

Usage: python bench/tui_bench.py [--runs 5] [--vpcs 500 --subnets-per-vpc 10 --roles 2000] [--skip-paint]
       [--url URL of a moto server already seeded so: seeding 500 VPCs takes ~2 min]
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import logging
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, os.path.dirname(__file__))

MINIMAL = """
from textual.app import App
from textual.widgets import Footer, Header, Static
class Minimal(App):
    def compose(self):
        yield Header()
        yield Static("minimal first paint")
        yield Footer()
Minimal().run()
"""

# ---------------------------------------------------------------- 1. first paint, whole processes


def in_terminal(argv: list[str], markers: list[str], env: dict[str, str], timeout: float = 120.0) -> dict[str, float]:
    """Run argv in an 80x24 pseudo-terminal; seconds from spawn until each marker's text was written."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True)
    os.close(slave)
    screen, seen = b"", dict[str, float]()
    while len(seen) < len(markers) and time.perf_counter() < start + timeout:
        ready, _, _ = select.select([master], [], [], 0.05)
        if not ready:
            continue
        try:
            screen += os.read(master, 65536)
        except OSError:
            break
        for marker in markers:
            if marker not in seen and marker.encode() in screen:
                seen[marker] = time.perf_counter() - start
    os.write(master, b"\x11")  # Ctrl+Q
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    os.close(master)
    return seen


def first_paint(runs: int, url: str | None) -> None:
    env = {**os.environ, "TERM": "xterm-256color", "STUDIO_VPCE_CACHE_DIR": tempfile.mkdtemp(prefix="tui-bench-"),
           "PYTHONPATH": str(ROOT)}
    server_env = {**env, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
    wizard = [sys.executable, "-m", "wizard"]
    samples: dict[str, list[float]] = {}
    cases: list[tuple[str, list[str], list[str], dict[str, str]]] = [
        ("minimal", [sys.executable, "-c", MINIMAL], ["minimal first paint"], env),
        ("demo", [*wizard, "--demo"], ["Step 1 of 9", "Account "], env)]
    if url:
        cases.append(("server", [*wizard, "--endpoint-url", url, "--region", "us-west-2"],
                      ["Step 1 of 9", "Account "], server_env))
    cold = in_terminal([*wizard, "--demo"], ["Step 1 of 9", "Account "], env)  # starts the sandbox server
    try:
        for _ in range(runs):
            for name, argv, markers, case_env in cases:
                for marker, seconds in in_terminal(argv, markers, case_env).items():
                    samples.setdefault(f"{name}: {marker}", []).append(seconds)
    finally:
        subprocess.run([*wizard, "sandbox", "stop"], env=env, cwd=ROOT, capture_output=True, check=False)
    med = {k: statistics.median(v) for k, v in samples.items()}
    base = med.get("minimal: minimal first paint", float("nan"))
    print(f"\n## First paint, 80x24 pseudo-terminal, medians of {runs} (load {os.getloadavg()[0]:.1f})\n")
    print("| what | first frame | vs minimal | goal | account shown |")
    print("|---|---|---|---|---|")
    print(f"| minimal Textual app | {base:.2f} s | 1.0x | | |")
    for name, goal in (("demo", 2.5), ("server", 2.0)):
        if f"{name}: Step 1 of 9" not in med:
            continue
        paint = med[f"{name}: Step 1 of 9"]
        account = med.get(f"{name}: Account ")
        label = "`studio-vpce --demo` (sandbox server warm)" if name == "demo" else "`studio-vpce` vs a moto server"
        print(f"| {label} | {paint:.2f} s | {paint / base:.1f}x | <= {goal}x | "
              f"{f'{account:.2f} s' if account else 'not seen'} |")
    print(f"| `studio-vpce --demo`, cold (starts the sandbox server) | {cold.get('Step 1 of 9', float('nan')):.2f} s "
          f"| | | {cold.get('Account ', float('nan')):.2f} s |")


# ---------------------------------------------------------------- 2. responsiveness during discovery


class Probe:
    """The event loop's lag (how late a 5 ms sleep wakes up), sampled in the app's own loop."""

    PERIOD = 0.005

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(self.PERIOD)
            self.lags.append(time.perf_counter() - start - self.PERIOD)

    def start(self) -> None:
        self.lags.clear()
        self.task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> list[float]:
        if self.task is not None:
            self.task.cancel()
        return list(self.lags)


async def keystroke(pilot: Any, key: str = "tab") -> float:
    """A key through Pilot: it also waits for every widget to be idle afterwards (an upper bound)."""
    start = time.perf_counter()
    await pilot.press(key)
    return time.perf_counter() - start


async def tab(app: Any) -> float:
    """A Tab key posted as the terminal driver posts it, until focus has moved: what the user waits for."""
    from textual import events

    before = app.focused
    start = time.perf_counter()
    app.post_message(events.Key("tab", None))
    while app.focused is before and time.perf_counter() - start < 10:
        await asyncio.sleep(0.001)
    return time.perf_counter() - start


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def stats(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": pct(values, 0.5), "p95": pct(values, 0.95), "max": max(values, default=0.0)}


async def minimal_probe() -> dict[str, Any]:
    """The minimal app (plus an Input so Tab has somewhere to go), probed until stdin closes."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Input, Static

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("minimal")
            yield Input()
            yield Input()
            yield Footer()

    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), lambda: done.set() if not os.read(sys.stdin.fileno(), 1) else None)
    app, probe, keys, pilot_keys = Minimal(), Probe(), [], []
    async with app.run_test(size=(120, 40)) as pilot:
        probe.start()
        while not done.is_set():
            keys.append(await tab(app))
            await asyncio.sleep(0.02)
            pilot_keys.append(await keystroke(pilot))
            await asyncio.sleep(0.02)
        lags = probe.stop()
    return {"lag": stats(lags), "keys": stats(keys), "pilot": stats(pilot_keys)}


async def wizard_during_discovery(url: str, mode: str) -> dict[str, Any]:
    from screens.app import WizardApp
    from wizard.cloud import Cloud
    from wizard.session import WizardSession

    session = WizardSession(lambda: Cloud("us-west-2", endpoint_url=url))
    if mode == "thread":  # before: discovery in a thread of the UI's process
        from wizard.discovery import discover

        def in_thread() -> tuple[Any, Any]:
            cloud = session.cloud_factory()
            return cloud, discover(cloud)

        session.fetch_inventory = in_thread  # type: ignore[method-assign]
    app, probe, keys, pilot_keys = WizardApp(session), Probe(), [], []
    other = subprocess.Popen([sys.executable, __file__, "--probe-minimal"], stdin=subprocess.PIPE,  # noqa: ASYNC220
                             stdout=subprocess.PIPE, cwd=ROOT)
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        probe.start()
        while session.inventory is None and not session.discovery_error:
            keys.append(await tab(app))
            await asyncio.sleep(0.02)
            pilot_keys.append(await keystroke(pilot))
            await asyncio.sleep(0.02)
        lags = probe.stop()
        discovered = time.perf_counter() - start
        out = await asyncio.to_thread(other.communicate, timeout=60)  # closing its stdin ends its probe
        minimal = json.loads(out[0])
        if session.discovery_error:
            raise SystemExit(f"discovery failed: {session.discovery_error}")
        await app.workers.wait_for_complete()
        await pilot.pause()
        idle_keys, idle_pilot = [], []  # the same keystrokes with nothing running: the wizard's own floor
        probe.start()
        for _ in range(len(keys)):
            idle_keys.append(await tab(app))
            await asyncio.sleep(0.02)
            idle_pilot.append(await keystroke(pilot))
            await asyncio.sleep(0.02)
        idle = {"keys": stats(idle_keys), "pilot": stats(idle_pilot), "lag": stats(probe.stop())}
        after: dict[str, Any] = {}
        probe.start()
        after["to_vpc_step"] = await keystroke(pilot, "ctrl+n")
        await pilot.pause()
        after["vpc_rows"] = app.query_one("#vpcs").row_count  # type: ignore[attr-defined]
        after["filter_keys"] = stats([await keystroke(pilot, k) for k in "10.101.7"])
        after["lag"] = stats(probe.stop())
    return {"discovered": discovered, "lag": stats(lags), "keys": stats(keys), "pilot": stats(pilot_keys),
            "minimal": minimal, "idle": idle, "after": after}


def ms(value: float) -> str:
    return f"{value * 1000:.0f} ms"


def report(label: str, result: dict[str, Any]) -> None:
    w, m, i = result, result["minimal"], result["idle"]
    print(f"\n## While discovering {label} (discovery done after {w['discovered']:.1f} s; load "
          f"{os.getloadavg()[0]:.1f})\n")
    print("| what | wizard, discovering | wizard idle, same keys after | minimal app, same time | "
          "discovering / idle | wizard / minimal |")
    print("|---|---|---|---|---|---|")

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.1f}x" if b > 0.0005 else "-"

    for kind, name in (("keys", "Tab until focus moved"), ("pilot", "Tab, Pilot.press (until idle)"),
                       ("lag", "event-loop lag (5 ms probe)")):
        for q in ("p50", "p95", "max"):
            print(f"| {name} {q} (n={w[kind]['n']}/{i[kind]['n']}/{m[kind]['n']}) | {ms(w[kind][q])} | "
                  f"{ms(i[kind][q])} | {ms(m[kind][q])} | {ratio(w[kind][q], i[kind][q])} | "
                  f"{ratio(w[kind][q], m[kind][q])} |")
    a = w["after"]
    print(f"\nAfter discovery: Ctrl+N to the VPC step ({a['vpc_rows']} rows) {ms(a['to_vpc_step'])}; typing in its "
          f"filter per key p50 {ms(a['filter_keys']['p50'])}, max {ms(a['filter_keys']['max'])}; event-loop lag "
          f"meanwhile p95 {ms(a['lag']['p95'])}, max {ms(a['lag']['max'])}.")


def moto_server(vpcs: int, subnets: int, roles: int) -> tuple[subprocess.Popen[bytes], str]:
    from plan_bench import seed

    port = 5987
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/moto-api/").read()
            break
        except OSError:
            time.sleep(0.1)
    started = time.perf_counter()
    seed(url, vpcs, subnets, roles)
    print(f"(seeded {vpcs} VPCs, {vpcs * subnets} subnets, {roles} roles in {time.perf_counter() - started:.0f} s)")
    return server, url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--vpcs", type=int, default=500)
    parser.add_argument("--subnets-per-vpc", type=int, default=10)
    parser.add_argument("--roles", type=int, default=2000)
    parser.add_argument("--modes", default="child", help="child (now), thread (before), or child,thread")
    parser.add_argument("--skip-paint", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--url", help="a moto server already seeded as --vpcs/--subnets-per-vpc/--roles say (no seeding)")
    parser.add_argument("--probe-minimal", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.probe_minimal:
        print(json.dumps(asyncio.run(minimal_probe())))
        return
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
    if opts.url:
        server, url = None, opts.url
    else:
        server, url = moto_server(opts.vpcs if not opts.skip_latency else 0, opts.subnets_per_vpc,
                                  opts.roles if not opts.skip_latency else 0)
    try:
        if not opts.skip_paint:
            first_paint(opts.runs, url)
        if not opts.skip_latency:
            label = f"{opts.vpcs} VPCs, {opts.vpcs * opts.subnets_per_vpc} subnets, {opts.roles} roles"
            for mode in opts.modes.split(","):
                where = "in a child process (now)" if mode == "child" else "in a thread of the UI (before)"
                report(f"{label}, discovery {where}", asyncio.run(wizard_during_discovery(url, mode)))
    finally:
        if server is not None:
            server.terminate()


if __name__ == "__main__":
    main()
