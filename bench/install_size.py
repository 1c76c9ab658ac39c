"""How big is the demo install? A fresh venv with `pip install -e '.[demo]'`, with and without --no-compile.

    python bench/install_size.py [--skip-compiled] [--source DIR]

For each way of installing, in a fresh venv (this Python's `-m venv`, which brings pip and setuptools):
- the venv's size and package count right after the install (the venv's own pip and setuptools included,
  and also given apart, as "bare venv");
- its size after a demo session (`plan profiles/vpce.yaml --demo`, `sandbox stop`): Python writes the bytecode of
  what it imports into __pycache__ folders then, which is all --no-compile leaves out;
- the seconds the install and that first demo command took;
- which installed distributions neither the sandbox server nor the tool imports (the server's modules come from
  `sandbox status --output json`; the tool's from a process that imports the CLI, the wizard's screens and the
  plain prompts and runs a demo plan).

Goal (issue 9): <= 150 MB, and no package the sandbox does not use.
Measured 2026-11-29 (MiB as du counts them; the venv's own pip and setuptools are 24 MiB of it):
this checkout: 181 MiB compiled; --no-compile 133 MiB after the install, 152 MiB after a demo session; 39 packages.
before (dd814cf, demo = moto + flask + flask-cors): 185 MiB; --no-compile 135 / 155 MiB; 45 packages.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in the venv: the top-level modules a demo plan, the wizard's screens and the plain prompts import.
_TOOL_MODULES = """
import json, runpy, sys
sys.argv = ["studio-vpce", "plan", sys.argv[1], "--demo"]
try:
    runpy.run_module("wizard", run_name="__main__")
except SystemExit:
    pass
import screens.app, wizard.prompts, questionary  # the TUI, and --plain (it loads questionary as it asks)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules if not m.startswith("_")})), file=sys.stderr)
"""

_DISTRIBUTIONS = """
import importlib.metadata as md, json, sys
modules = set(json.loads(sys.argv[1]))
owners = md.packages_distributions()
used = {d for m in modules for d in owners.get(m, [])}
every = {d.metadata["Name"] for d in md.distributions()}
print(json.dumps({"all": sorted(every), "unused": sorted(every - used - {"pip", "setuptools", "studio-vpce"})}))
"""


def _size(path: Path) -> tuple[int, int]:
    """(disk usage as `du` counts it, in 512-byte blocks, in bytes; the files' own sizes)."""
    files = [f.stat() for f in path.rglob("*") if f.is_file() and not f.is_symlink()]
    return sum(f.st_blocks * 512 for f in files), sum(f.st_size for f in files)


def _mb(size: tuple[int, int]) -> str:
    return f"{size[0] / 2**20:.0f} ({size[1] / 2**20:.0f}) MB"


def _run(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=1800, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {(done.stderr or done.stdout)[-800:]}")
    return done


def measure(tmp: Path, no_compile: bool, source: Path) -> dict:
    venv = tmp / ("venv-no-compile" if no_compile else "venv")
    _run([sys.executable, "-m", "venv", str(venv)])
    python = str(venv / "bin" / "python")
    bare = _size(venv)
    start = time.perf_counter()
    _run([python, "-m", "pip", "install", "-q", *(["--no-compile"] if no_compile else []), "-e", f"{source}[demo]"])
    install_s = time.perf_counter() - start
    installed = _size(venv)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env["XDG_CACHE_HOME"] = str(tmp / f"cache-{venv.name}")
    work = tmp / "work"
    work.mkdir(exist_ok=True)
    start = time.perf_counter()
    tool = _run([python, "-c", _TOOL_MODULES, str(source / "profiles" / "vpce.yaml")], env=env, cwd=work)
    first_s = time.perf_counter() - start
    modules = set(json.loads(tool.stderr.strip().splitlines()[-1]))
    status = json.loads(_run([python, "-m", "wizard", "sandbox", "status", "--output", "json", "--debug"], env=env,
                             cwd=work).stdout)
    modules |= set(status.get("modules", []))
    _run([python, "-m", "wizard", "sandbox", "stop"], env=env, cwd=work)
    used = _size(venv)
    dists = json.loads(_run([python, "-c", _DISTRIBUTIONS, json.dumps(sorted(modules))]).stdout)
    return {"how": "pip install --no-compile -e '.[demo]'" if no_compile else "pip install -e '.[demo]'",
            "bare": bare, "installed": installed, "after_demo": used, "install_s": install_s, "first_s": first_s,
            "packages": len(dists["all"]) - 3, "unused": dists["unused"]}  # less pip, setuptools, studio-vpce


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-compiled", action="store_true", help="only the --no-compile install")
    parser.add_argument("--source", type=Path, default=ROOT, help="the studio-vpce checkout to install (this one)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="install-size-"))
    source = args.source.resolve()
    try:
        rows = [measure(tmp, no_compile=True, source=source)]
        if not args.skip_compiled:
            rows.insert(0, measure(tmp, no_compile=False, source=source))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"source: {source}; sizes: disk usage as du counts it (the files' own sizes), MiB")
    print(f"{'install':<40} {'after install':>15} {'after a demo':>15} {'packages':>8} {'install':>8} "
          f"{'1st demo':>8}")
    for row in rows:
        print(f"{row['how']:<40} {_mb(row['installed']):>15} {_mb(row['after_demo']):>15} {row['packages']:>8} "
              f"{row['install_s']:>7.0f}s {row['first_s']:>7.1f}s")
    print(f"bare venv (pip, setuptools): {_mb(rows[0]['bare'])}; packages counted without pip, setuptools and "
          "studio-vpce")
    for row in rows:
        print(f"installed but imported neither by the sandbox server nor by the tool ({row['how']}): "
              + (", ".join(row["unused"]) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
