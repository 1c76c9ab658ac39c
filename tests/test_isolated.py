"""Discovery in a child process (wizard.isolated): the same Inventory as in-process, or the same error."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import profile, reset_and_seed
from wizard import isolated
from wizard.cloud import Cloud
from wizard.discovery import discover, observe
from wizard.errors import AwsError
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
    real_run = subprocess.run

    def spy(argv, **kwargs):  # noqa: ANN001, ANN003, ANN202
        seen.update(argv=argv, env=kwargs["env"])
        return real_run(argv, **kwargs)

    cloud = Cloud("us-west-2", endpoint_url=reset_and_seed(moto_server))
    cloud.session.get_credentials()  # resolved in the parent (an SSO login, an MFA prompt happen here)
    monkeypatch.setattr(subprocess, "run", spy)
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
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("no child for the in-process sandbox"))
    demo = Cloud("us-west-2", session=aws, demo=True)
    assert isolated.discover_isolated(demo).vpcs
