"""How quick is the --demo sandbox? `plan profiles/vpce.yaml --demo`, warm and cold, against one AWS CLI call.

    python bench/sandbox_bench.py [--runs 5] [--before DIR] [--no-compile]

- aws:     `aws sts get-caller-identity` against that source's sandbox server (the yardstick: one AWS CLI call);
- warm:    `plan profiles/vpce.yaml --demo` with the server running (every later --demo command);
- restart: the same after `sandbox stop` (the server starts again with the saved account; cache folder kept);
- first:   the same in a fresh cache folder (the server seeds a new account; the client's caches are empty too:
           trimmed service models, the lint verdicts);
- nocache: warm, with the client's caches off (STUDIO_VPCE_NO_CACHE=1): the client's own share of "first";
- each for this checkout ("after") and, with --before DIR, for an older one (`git archive <rev> | tar -x -C DIR`).

Whole processes, medians, interleaved and side by side in one run, each also as a ratio to the aws call against
the same source's server. Each source's wizard/ and screens/ are compiled to bytecode first, as `pip install` does
(the AWS CLI's modules are): with PYTHONDONTWRITEBYTECODE=1 and no __pycache__, every start would compile the
tool's modules from source (about 0.1 s); --no-compile measures that condition.
Goal (issue 9): cold <= 3x one CLI call, warm <= 1.5x.
Measured 2026-11-29 on the 2-core machine shared with other work, before = d3155a7, after = the speed work
(early server start with moto preloaded, one-write answers, seeding without botocore clients, ...):
- load 3.5, 5 runs, compiled, without the seeding change: after warm 1.0x, restart 2.1x, first 3.2x;
  before 1.7x / 4.1x / 5.5x.
- load 6.4, 5 runs, compiled: after warm 1.6x (1.40 s), restart 2.1x, first 2.9x (aws 0.88 s);
  before 1.5x / 4.0x / 5.1x (aws 1.04 s).
- load 7.3, 3 runs, --no-compile: after warm 1.3x, restart 1.8x, first 2.6x; before 1.7x / 3.1x / 4.5x.
The load moves every figure, warm most (0.64 s at load 3.5, 1.40 s at load 6.4).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILE = str(ROOT / "profiles" / "vpce.yaml")


def _timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed


def _env(cache: Path, source: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(source)}


def _stop(env: dict[str, str], source: Path) -> None:
    subprocess.run([sys.executable, "-m", "wizard", "sandbox", "stop"], env=env, cwd=source, capture_output=True,
                   timeout=120, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, help="a checkout of an older studio-vpce to compare with")
    parser.add_argument("--compile", action=argparse.BooleanOptionalAction, default=True,
                        help="compile each source to bytecode first, as an install does (default: yes)")
    args = parser.parse_args()
    aws = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    if not aws:
        raise SystemExit("needs the AWS CLI (pip install awscli)")
    plan = [sys.executable, "-m", "wizard", "plan", PROFILE, "--demo"]
    sources = {"after": ROOT, **({"before": args.before.resolve()} if args.before else {})}
    if args.compile:
        for source in sources.values():
            subprocess.run([sys.executable, "-m", "compileall", "-q", "wizard", "screens"], cwd=source, check=True,
                           capture_output=True)
    figures: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        warm = {name: _env(Path(tmp) / f"warm-{name}", source) for name, source in sources.items()}
        for name, source in sources.items():
            _timed(plan, warm[name], work)  # start each warm server (and fill its cache folder)
        aws_env = {**warm["after"], "AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo",
                   "AWS_DEFAULT_REGION": "us-west-2", "AWS_CONFIG_FILE": os.devnull,
                   "AWS_SHARED_CREDENTIALS_FILE": os.devnull}

        def aws_call(name: str) -> list[str]:  # against that source's warm server (it moves when it restarts)
            state = json.loads((Path(tmp) / f"warm-{name}" / "studio-vpce" / "sandbox" / "server.json").read_text())
            return [aws, "--endpoint-url", state["url"], "sts", "get-caller-identity"]

        try:
            for run in range(args.runs):  # interleaved, so that machine load falls on every figure alike
                for name in sources:
                    figures.setdefault(f"aws {name}", []).append(_timed(aws_call(name), aws_env, work))
                figures.setdefault("nocache after", []).append(  # the client's own first-run share of "first"
                    _timed(plan, {**warm["after"], "STUDIO_VPCE_NO_CACHE": "1"}, work))
                for name, source in sources.items():
                    figures.setdefault(f"warm {name}", []).append(_timed(plan, warm[name], work))
                    _stop(warm[name], source)  # the next plan starts the server again, cache folder kept
                    figures.setdefault(f"restart {name}", []).append(_timed(plan, warm[name], work))
                    first = _env(Path(tmp) / f"first-{name}{run}", source)
                    try:
                        figures.setdefault(f"first {name}", []).append(_timed(plan, first, work))
                    finally:
                        _stop(first, source)
        finally:
            for name, source in sources.items():
                _stop(warm[name], source)
        left = list(work.iterdir())
    labels = {"aws": "aws sts get-caller-identity (sandbox server)",
              "warm": "plan --demo, warm (server running)",
              "restart": "plan --demo, cold: server stopped, cache kept",
              "first": "plan --demo, cold: first run (fresh cache folder)",
              "nocache": "plan --demo, warm server, client caches off"}
    print(f"{'what':<52} {'source':<7} {'median':>8} {'x aws call':>10}")
    for key, values in figures.items():
        kind, _, name = key.partition(" ")
        median = statistics.median(values)
        base = statistics.median(figures[f"aws {name}"])
        print(f"{labels[kind]:<52} {name:<7} {median:>7.2f}s {median / base:>9.1f}x")
    print(f"runs: {args.runs}; load average {os.getloadavg()[0]:.1f}; files left in the working folder: {len(left)}"
          + ("; bytecode compiled first" if args.compile else "; not compiled (as PYTHONDONTWRITEBYTECODE leaves it)")
          + (f"; before = {args.before}" if args.before else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
