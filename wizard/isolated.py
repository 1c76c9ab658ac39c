"""Discovery in a child process, so that a user interface never waits on its Python work.

Discovery of a large account parses megabytes of AWS responses: in a thread it shares the interpreter lock
with the UI and keystrokes wait. `discover_isolated(cloud)` runs the same `discovery.discover` in a child
process (`python -m wizard.isolated`) with the parent's already resolved credentials, and rebuilds the
Inventory from the JSON it prints. The parent only waits on a pipe, then parses the result once.

The in-process demo sandbox (no endpoint URL) cannot be reached from another process: it is discovered
in-process, as before.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import types
import typing
from typing import Any

from wizard import errors
from wizard.models import Inventory, to_jsonable


def _rebuild(tp: Any, value: Any) -> Any:
    """Plain JSON data -> the typed value `tp` describes (frozen dataclasses, tuples, optionals)."""
    if value is None:
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _rebuild(inner[0], value) if len(inner) == 1 else value
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = _hints(tp)
        return tp(**{f.name: _rebuild(hints[f.name], value[f.name]) for f in dataclasses.fields(tp) if f.name in value})
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_rebuild(args[0], v) for v in value)
        return tuple(_rebuild(a, v) for a, v in zip(args, value, strict=True))
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(tp: type) -> dict[str, Any]:
    if tp not in _HINTS:
        _HINTS[tp] = typing.get_type_hints(tp)
    return _HINTS[tp]


def inventory_from_json(data: dict[str, Any]) -> Inventory:
    """The Inventory `to_jsonable` turned into JSON, rebuilt exactly (a round trip is the identity)."""
    result = _rebuild(Inventory, data)
    assert isinstance(result, Inventory)
    return result


def discover_isolated(cloud: Any, with_principals: bool = True) -> Inventory:
    """`discovery.discover(cloud)`, run in a child process; the same result, or the same error."""
    from wizard.discovery import discover  # noqa: PLC0415

    if cloud.demo and not cloud.endpoint_url:
        return discover(cloud, with_principals=with_principals)
    argv = [sys.executable, "-m", "wizard.isolated", "--region", cloud.region]
    if not with_principals:
        argv.append("--no-principals")
    if cloud.demo:
        argv.append("--demo")
    done = subprocess.run(argv, env=cloud.child_env(), capture_output=True, check=False)
    try:
        data = json.loads(done.stdout)
    except ValueError:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise errors.AwsError(f"discovery stopped (exit {done.returncode}): {tail[0]}", "ChildProcess") from None
    if "error" in data:
        kind = getattr(errors, data["error"]["kind"], errors.StudioVpceError)
        if kind is errors.AwsError:
            raise errors.AwsError(data["error"]["message"], data["error"].get("code", ""))
        raise kind(data["error"]["message"])
    return inventory_from_json(data["inventory"])


def main(argv: list[str] | None = None) -> int:
    """The child: discover the account the environment names and print it as one JSON object."""
    parser = argparse.ArgumentParser(prog="python -m wizard.isolated")
    parser.add_argument("--region", required=True)
    parser.add_argument("--no-principals", action="store_true")
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args(argv)
    try:
        from wizard.cloud import Cloud  # noqa: PLC0415
        from wizard.discovery import discover  # noqa: PLC0415

        inventory = discover(Cloud(args.region, demo=args.demo), with_principals=not args.no_principals)
        out: dict[str, Any] = {"inventory": to_jsonable(inventory)}
    except errors.StudioVpceError as exc:
        out = {"error": {"kind": type(exc).__name__, "message": str(exc), "code": getattr(exc, "code", "")}}
    except Exception as exc:  # noqa: BLE001 - the parent shows one line, never a traceback
        from wizard.cloud import redact  # noqa: PLC0415

        out = {"error": {"kind": "AwsError", "message": f"{type(exc).__name__}: {redact(str(exc))}"}}
    sys.stdout.write(json.dumps(out, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
