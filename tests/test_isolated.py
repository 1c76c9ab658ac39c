"""Discovery in a child process (wizard.isolated): the same Inventory as in-process, or the same error."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from aws_stub import StubAws

from conftest import ROOT, profile, reset_and_seed
from wizard import isolated
from wizard.cloud import Cloud
from wizard.discovery import discover, observe
from wizard.errors import AwsError, ConfigProblem
from wizard.executor import Executor
from wizard.models import to_jsonable
from wizard.planner import plan


def round_trip(inventory):  # noqa: ANN001, ANN201
    return isolated.inventory_from_json(json.loads(json.dumps(to_jsonable(inventory))))


def test_inventory_survives_json_exactly(cloud) -> None:  # noqa: ANN001
    inventory = discover(cloud)
    assert round_trip(inventory) == inventory
    p = profile("hosted-zone")
    assert Executor(cloud, plan(observe(cloud, p), p)).run().ok
    observed = observe(cloud, p)  # with a managed policy, hosted zones, records, route tables
    assert observed.policy is not None and observed.hosted_zones
    assert round_trip(observed) == observed


def test_discovery_in_a_child_process_equals_discovery_in_process(moto_server: str) -> None:
    url = reset_and_seed(moto_server)
    cloud = Cloud("us-west-2", endpoint_url=url)
    assert isolated.discover_isolated(cloud) == discover(cloud)
    assert isolated.discover_isolated(cloud, with_principals=False).principals == ()


def test_the_child_gets_credentials_by_environment_never_on_its_command_line(
        moto_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict = {}
    real_popen = subprocess.Popen

    def spy(argv, **kwargs):  # noqa: ANN001, ANN003, ANN202
        seen.update(argv=argv, env=kwargs["env"])
        return real_popen(argv, **kwargs)

    cloud = Cloud("us-west-2", endpoint_url=reset_and_seed(moto_server))
    cloud.session.get_credentials()  # resolved in the parent (an SSO login, an MFA prompt happen here)
    monkeypatch.setattr(subprocess, "Popen", spy)
    monkeypatch.setenv("AWS_PROFILE", "someone-else")  # would fail in the child: it is not passed on
    assert isolated.discover_isolated(cloud).vpcs
    assert "testing" not in " ".join(seen["argv"])
    assert seen["env"]["AWS_ACCESS_KEY_ID"] == "testing" and "AWS_PROFILE" not in seen["env"]
    assert seen["env"]["AWS_REGION"] == "us-west-2"


def test_a_failure_in_the_child_is_the_same_one_line_error_in_the_parent() -> None:
    cloud = Cloud("us-west-2", endpoint_url="http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(AwsError, match="cannot reach AWS"):
        isolated.discover_isolated(cloud)


def test_the_in_process_demo_sandbox_is_discovered_in_process(aws, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("no child for the in-process sandbox"))
    demo = Cloud("us-west-2", session=aws, demo=True)
    assert isolated.discover_isolated(demo).vpcs


# ---------------------------------------------------------------- streaming, cancelling, errors (issue 9)


class _Process:
    """What Discovery._read needs of a child: its stdout, already written."""

    def __init__(self, text: str) -> None:
        self.stdout = io.BytesIO(text.encode())
        self.returncode = 0

    def wait(self) -> int:
        return 0


def test_the_inventory_travels_in_lines_of_a_few_items_and_is_rebuilt_exactly(cloud) -> None:  # noqa: ANN001
    """The parent decodes one short line at a time (never one multi-megabyte blob that holds the GIL)."""
    inventory = discover(cloud)
    big = dataclasses.replace(inventory, vpcs=tuple(
        dataclasses.replace(v, id=f"vpc-{i:017x}") for i in range(500) for v in inventory.vpcs[:1]))
    lines = list(isolated.lines(big))
    items = [len(json.loads(line).get("items", ())) for line in lines]
    assert max(items) == isolated.CHUNK and sum(items) >= 500
    assert max(len(line) for line in lines) < 100_000
    job = isolated.Discovery(cloud)
    assert job._read(_Process("\n".join(lines) + "\n"), io.BytesIO()) == big  # type: ignore[arg-type]


def test_a_child_that_stops_without_finishing_is_a_one_line_error(cloud) -> None:  # noqa: ANN001
    half = "\n".join(list(isolated.lines(discover(cloud)))[:3]) + "\n"
    with pytest.raises(AwsError, match=r"discovery stopped \(exit 0\): Killed"):
        isolated.Discovery(cloud)._read(_Process(half), io.BytesIO(b"Traceback\nKilled\n"))  # type: ignore[arg-type]


def _wait(predicate, seconds: float = 20.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_cancel_kills_the_child_and_run_raises_cancelled() -> None:
    with StubAws("hang") as url:
        job = isolated.Discovery(Cloud("us-west-2", endpoint_url=url))
        outcome: list[BaseException] = []

        def run() -> None:
            try:
                job.run()
            except BaseException as exc:  # noqa: BLE001
                outcome.append(exc)

        thread = threading.Thread(target=run)
        thread.start()
        assert _wait(lambda: job.process is not None)
        started = time.monotonic()
        job.cancel()
        thread.join(10)
        assert not thread.is_alive() and time.monotonic() - started < 5
        assert outcome and isinstance(outcome[0], isolated.Cancelled)
        assert job.process is not None and job.process.poll() is not None  # killed and reaped


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads process states from /proc")
def test_a_child_whose_parent_dies_stops_too() -> None:
    """The wizard killed outright (SIGKILL, a closed terminal) leaves no discovery running."""
    script = ("import sys, threading, time\n"
              "from wizard.cloud import Cloud\nfrom wizard.isolated import Discovery\n"
              "job = Discovery(Cloud('us-west-2', endpoint_url=sys.argv[1]))\n"
              "def tell():\n"
              "    while job.process is None: time.sleep(0.01)\n"
              "    print(job.process.pid, flush=True)\n"
              "threading.Thread(target=tell, daemon=True).start()\njob.run()\n")
    with StubAws("hang") as url:
        parent = subprocess.Popen([sys.executable, "-c", script, url], stdout=subprocess.PIPE, cwd=ROOT)
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert not _gone(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert _wait(lambda: _gone(child), 10), "the discovery child outlived its parent"


def test_no_credentials_is_a_one_line_error_and_no_child_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    cloud = Cloud("us-west-2", endpoint_url="http://127.0.0.1:9")
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("a child without credentials"))
    with pytest.raises(ConfigProblem, match="^no AWS credentials found: run `aws configure`[^\n]*$"):
        isolated.discover_isolated(cloud)


def test_access_denied_in_the_child_is_aws_own_error_in_one_line() -> None:
    with StubAws("deny") as url, pytest.raises(AwsError) as caught:
        isolated.discover_isolated(Cloud("us-west-2", endpoint_url=url))
    assert caught.value.code == "UnauthorizedOperation"
    assert "not authorized to perform: ec2:DescribeSubnets" in str(caught.value) and "\n" not in str(caught.value)


def test_a_moto_mock_in_this_process_is_discovered_in_process(cloud, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """Not demo, no endpoint: a child would go to real AWS with the test's fake keys instead of the mock."""
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("a child cannot see this process's mock"))
    assert not cloud.demo and not cloud.endpoint_url
    assert isolated.discover_isolated(cloud) == discover(cloud)


def test_debug_logs_the_childs_aws_calls_where_the_parents_go_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    """--debug (botocore at DEBUG here): discovery's calls in the child reach this process's handlers (stderr,
    or the full-screen wizard's log file), with no credential in them (F6)."""
    from wizard.cloud import RedactingFilter

    token = "FwoGZXIvYXdzEXAMPLESESSIONTOKENxyz"
    monkeypatch.setenv("AWS_SESSION_TOKEN", token)
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("botocore")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        with StubAws("deny") as url, pytest.raises(AwsError, match="UnauthorizedOperation|not authorized"):
            isolated.discover_isolated(Cloud("us-west-2", endpoint_url=url))
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    calls = [r for r in records if "Making request for OperationModel(name=" in r]
    assert any("DescribeSubnets" in r or "DescribeVpcs" in r for r in calls), records[-5:]
    text = "\n".join(records)
    assert "X-Amz-Security-Token" in text and token not in text and "Signature=<redacted>" in text
