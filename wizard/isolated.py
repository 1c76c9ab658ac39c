"""Discovery in a child process, so that a user interface never waits on its Python work.

Discovery of a large account parses megabytes of AWS responses: in a thread it shares the interpreter lock
with the UI and keystrokes wait. `Discovery(cloud).run()` runs the same `discovery.discover` in a child
process (`python -m wizard.isolated`) with the parent's already resolved credentials. The child prints the
inventory as JSON lines, a few dozen items per line, and the parent rebuilds it line by line, yielding the
interpreter lock between lines: no single step of the parent's holds the lock for more than a few milliseconds.

`cancel()` (from any thread) kills the child and makes `run()` raise `Cancelled`. A child whose parent dies
stops too: it watches its stdin, which only the parent holds open.

Under --debug (this process logs botocore at DEBUG) the child logs its calls too, redacted as here: each
record travels as a JSON line among the inventory's and is handed to this process's loggers, so it lands
where this process's own calls go (stderr, or the full-screen wizard's log file), in order.

An account in this process's memory (the in-process demo sandbox, a moto mock in tests; no endpoint URL)
cannot be reached from another process: it is discovered in-process, as before.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
import types
import typing
from typing import Any

from wizard import errors
from wizard.models import Inventory, to_jsonable

CHUNK = 25  # list items per JSON line: a line decodes and rebuilds in a millisecond or two
NICE = 10  # the child's lower CPU priority: on a busy machine the wizard's keystrokes come before discovery's parsing


class Cancelled(Exception):
    """The discovery was cancelled (the user quit, or started another one)."""


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


class Discovery:
    """One discovery of the account in a child process; `run` blocks (call it from a worker thread),
    `cancel` may be called from any other thread."""

    def __init__(self, cloud: Any, with_principals: bool = True) -> None:
        self.cloud = cloud
        self.with_principals = with_principals
        self.cancelled = False
        self.process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def in_process(self) -> bool:
        """An account that lives in this process's memory (the in-process sandbox, or a moto mock of tests and
        benches) cannot be reached from a child: it is discovered here. Never a reason to skip the child for a
        real account: moto is only looked at when something already imported it and a mock is running."""
        if self.cloud.endpoint_url:
            return False
        if self.cloud.demo:
            return True
        models = sys.modules.get("moto.core.models")
        stubber = getattr(models, "botocore_stubber", None)
        return bool(getattr(stubber, "enabled", False))

    def argv(self) -> list[str]:
        argv = [sys.executable, "-m", "wizard.isolated", "--region", self.cloud.region, "--watch-stdin",
                "--nice", str(NICE)]
        if not self.with_principals:
            argv.append("--no-principals")
        if self.cloud.demo:
            argv.append("--demo")
        if logging.getLogger("botocore").isEnabledFor(logging.DEBUG):  # --debug: the child's calls logged too
            argv.append("--debug")
        return argv

    def run(self) -> Inventory:
        """`discovery.discover(cloud)`, run in a child process; the same result, or the same error."""
        if self.in_process:
            from wizard.discovery import discover  # noqa: PLC0415

            return discover(self.cloud, with_principals=self.with_principals)
        env = self.cloud.child_env()  # resolves the credentials here (a clear error when there are none)
        package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        with tempfile.TemporaryFile() as stderr:
            with self._lock:
                if self.cancelled:
                    raise Cancelled()
                # stdin stays open while we wait: the child stops when it closes (this process is gone)
                self.process = subprocess.Popen(self.argv(), env=env, stdin=subprocess.PIPE,
                                                stdout=subprocess.PIPE, stderr=stderr, close_fds=True)
            try:
                return self._read(self.process, stderr)
            finally:
                self._stop(self.process)

    def _read(self, process: subprocess.Popen[bytes], stderr: typing.IO[bytes]) -> Inventory:
        assert process.stdout is not None
        fields: dict[str, Any] = {}
        lists: dict[str, list[Any]] = {}
        hints = _hints(Inventory)
        done = False
        for line in process.stdout:  # waits on the pipe without the interpreter lock
            if self.cancelled:
                break
            data = json.loads(line)
            if "error" in data:
                raise _error(data["error"])
            if data.get("done"):
                done = True
                break
            if "log" in data:  # --debug: a record of the child's, to this process's handlers (file or stderr)
                _relay(data["log"])
                continue
            name = data["field"]
            if "items" in data:  # a few items of a tuple field, rebuilt now
                item_type = typing.get_args(hints[name])[0]
                lists.setdefault(name, []).extend(_rebuild(item_type, v) for v in data["items"])
            else:
                fields[name] = _rebuild(hints[name], data["value"])
            time.sleep(0)  # let the UI thread have the lock between lines
        if self.cancelled:
            raise Cancelled()
        if not done:
            process.wait()
            stderr.seek(0)
            tail = stderr.read().decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise errors.AwsError(f"discovery stopped (exit {process.returncode}): {tail[0]}", "ChildProcess")
        fields.update({name: tuple(items) for name, items in lists.items()})
        return Inventory(**fields)

    def cancel(self) -> None:
        """Stop the child now (from any thread); `run` raises Cancelled."""
        with self._lock:
            self.cancelled = True
            process = self.process
        if process is not None and process.poll() is None:
            process.kill()  # the reading thread sees the pipe end, then closes it (closing here could block)

    @staticmethod
    def _stop(process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.kill()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a killed process is reaped at once
            pass
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:  # pragma: no cover
                    pass


def _error(data: dict[str, Any]) -> Exception:
    kind = getattr(errors, data["kind"], errors.StudioVpceError)
    if not (isinstance(kind, type) and issubclass(kind, errors.StudioVpceError)):
        kind = errors.StudioVpceError
    if kind is errors.AwsError:
        return errors.AwsError(data["message"], data.get("code", ""))
    return kind(data["message"])


def _relay(data: dict[str, Any]) -> None:
    """A log record of the child's, handled here as if logged here (same handlers, same redaction)."""
    logger = logging.getLogger(str(data.get("name", "studio-vpce")))
    record = logger.makeRecord(logger.name, int(data.get("level", logging.DEBUG)), "(discovery)", 0,
                               str(data.get("msg", "")), (), None)
    if "created" in data:
        record.created = float(data["created"])
    record.msecs = (record.created - int(record.created)) * 1000
    logger.handle(record)


class _JsonLinesHandler(logging.Handler):
    """The child's log records as JSON lines on stdout, redacted here already (the parent redacts again)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = json.dumps({"log": {"name": record.name, "level": record.levelno, "created": record.created,
                                       "msg": self.format(record)}}, separators=(",", ":"))
            _write(line)
        except Exception:  # noqa: BLE001 - logging never breaks discovery
            self.handleError(record)


_OUT_LOCK = threading.Lock()


def _write(text: str) -> None:
    with _OUT_LOCK:  # log lines from discovery's threads never split an inventory line, nor each other
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def _log_to_parent() -> None:
    from wizard.cloud import log_debug_to  # noqa: PLC0415

    log_debug_to(_JsonLinesHandler(), "%(message)s")


def discover_isolated(cloud: Any, with_principals: bool = True) -> Inventory:
    """`discovery.discover(cloud)`, run in a child process; the same result, or the same error."""
    return Discovery(cloud, with_principals).run()


def lines(inventory: Inventory) -> typing.Iterator[str]:
    """The inventory as JSON lines: one per plain field, tuple fields CHUNK items per line, then done."""
    for field in dataclasses.fields(inventory):
        value = getattr(inventory, field.name)
        hint = _hints(Inventory)[field.name]
        if typing.get_origin(hint) is tuple and typing.get_args(hint)[1:] == (Ellipsis,):
            for start in range(0, len(value), CHUNK):
                yield json.dumps({"field": field.name, "items": to_jsonable(value[start:start + CHUNK])},
                                 separators=(",", ":"))
        else:
            yield json.dumps({"field": field.name, "value": to_jsonable(value)}, separators=(",", ":"))
    yield '{"done":true}'


def _watch_parent() -> None:
    """Stop when the parent goes (its end of our stdin closes): a child never outlives the wizard."""
    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _cloud(region: str, demo: bool) -> Any:
    from wizard.cloud import Cloud  # noqa: PLC0415

    if not demo:
        return Cloud(region)  # account, endpoint and credentials from the environment the parent gave
    from wizard import sandbox  # noqa: PLC0415

    # the sandbox server the parent named (AWS_ENDPOINT_URL), through a session that reads no other AWS_* variable
    cloud = Cloud(region, session=sandbox.demo_session(region), demo=True, trim_models=True)
    sandbox.install_hooks(cloud.session)  # what moto lacks, answered as in the parent
    return cloud


def main(argv: list[str] | None = None) -> int:
    """The child: discover the account the environment names and print it as JSON lines."""
    parser = argparse.ArgumentParser(prog="python -m wizard.isolated")
    parser.add_argument("--region", required=True)
    parser.add_argument("--no-principals", action="store_true")
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--watch-stdin", action="store_true", help="stop when stdin closes (the parent is gone)")
    parser.add_argument("--nice", type=int, default=0, help="lower this process's CPU priority by this much")
    parser.add_argument("--debug", action="store_true", help="send the AWS calls' log (redacted) to the parent")
    args = parser.parse_args(argv)
    if args.nice and hasattr(os, "nice"):
        os.nice(args.nice)  # the UI that waits on us stays responsive when the CPU is contended
    if args.watch_stdin:
        _watch_parent()
    if args.debug:
        _log_to_parent()
    try:
        from wizard.discovery import discover  # noqa: PLC0415

        inventory = discover(_cloud(args.region, args.demo), with_principals=not args.no_principals)
        out = list(lines(inventory))
    except errors.StudioVpceError as exc:
        out = [json.dumps({"error": {"kind": type(exc).__name__, "message": str(exc),
                                     "code": getattr(exc, "code", "")}})]
    except Exception as exc:  # noqa: BLE001 - the parent shows one line, never a traceback
        from wizard.cloud import redact  # noqa: PLC0415

        out = [json.dumps({"error": {"kind": "AwsError", "message": f"{type(exc).__name__}: {redact(str(exc))}"}})]
    _write("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
