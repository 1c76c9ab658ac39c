"""`studio-vpce permissions`: the least-privilege policy covers every AWS call the tool makes, and no more."""

from __future__ import annotations

import fnmatch
import json

import botocore.session
import pytest

from conftest import profile
from wizard import cli, permissions
from wizard.discovery import discover, observe, policy_arn
from wizard.executor import Executor, is_mutating
from wizard.planner import plan, plan_destroy
from wizard.verify import verify

MODES = ["vpce", "subnet", "source-ip", "vpc-source-ip", "hosted-zone", "deny-guardrail"]


def _allowed(policy: dict) -> set[str]:
    return {a for s in policy["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}


def _entry(service: str, operation: str) -> permissions.Operation:
    found = [op for op in permissions.OPERATIONS if (op.service, op.name) == (service, operation)]
    assert found, f"{service}:{operation} is called but missing from wizard/permissions.py"
    return found[0]


def assert_covered(recorded: list[tuple[str, str]], purpose: str) -> None:
    """Every recorded call is in the table, for this purpose, and its IAM actions are in the printed policy."""
    allowed = _allowed(permissions.policy(purpose))
    wanted = permissions._USES[purpose]
    for service, operation in sorted(set(recorded)):
        entry = _entry(service, operation)
        assert entry.used_for in wanted, f"{service}:{operation} is made by {purpose} but listed for {entry.used_for}"
        missing = set(entry.iam_actions()) - allowed
        assert not missing, f"{service}:{operation} needs {missing}, absent from `permissions --for {purpose}`"


def _run(cloud, calls, p) -> tuple[list, list]:  # noqa: ANN001
    """(calls made while planning, calls made while applying) for plan -> apply, then plan -> destroy."""
    reads: list[tuple[str, str]] = []
    writes: list[tuple[str, str]] = []
    for planner in (plan, plan_destroy):
        calls.clear()
        the_plan = planner(observe(cloud, p), p)
        reads += calls.log
        calls.clear()
        assert Executor(cloud, the_plan).run().ok
        writes += calls.log
    return reads, writes


@pytest.mark.parametrize("name", MODES)
def test_permissions_cover_every_call_of_plan_and_apply(cloud, calls, name: str) -> None:  # noqa: ANN001
    reads, writes = _run(cloud, calls, profile(name))
    assert reads and writes
    assert not [c for c in reads if is_mutating(c[1])]
    assert_covered(reads, "plan")
    assert_covered(writes, "apply")


def test_permissions_cover_updates_extras_and_detaching(cloud, calls) -> None:  # noqa: ANN001
    first = profile("vpce", endpoints={"extra": ["sts", "s3"]})
    assert Executor(cloud, plan(observe(cloud, first), first)).run().ok
    changed = profile("vpce", endpoints={"extra": ["sts"]}, endpoint_policy={"api": ["create-app"]},
                      security_group={"allow_from_cidrs": ["10.8.0.0/16"]},
                      access={"mode": "subnet", "attach": {"users": [], "groups": ["data-scientists"], "roles": []}})
    reads, writes = _run(cloud, calls, changed)
    assert {"ModifyVpcEndpoint", "CreatePolicyVersion", "DeleteVpcEndpoints"} <= {op for _, op in writes}
    assert_covered(reads, "plan")
    assert_covered(writes, "apply")


def test_permissions_cover_discovery_and_verify(cloud, calls) -> None:  # noqa: ANN001
    discover(cloud)
    assert_covered(calls.log, "plan")
    calls.clear()
    verify(cloud, profile("vpce"), "demo-user", presigned=True)
    assert ("sagemaker", "CreatePresignedDomainUrl") in calls.log
    assert_covered(calls.log, "verify")


def test_every_listed_operation_is_a_real_botocore_operation_and_action() -> None:
    session = botocore.session.get_session()
    for op in permissions.OPERATIONS:
        model = session.get_service_model(op.service)
        assert op.name in model.operation_names, f"{op.service} has no operation {op.name}"
        if op.actions is None:  # the usual mapping: IAM prefix = botocore's signing name here
            assert model.signing_name == op.service or (op.service, model.signing_name) == ("sts", "sts")


def test_the_printed_policy_is_valid_iam_by_parliament() -> None:
    import parliament

    for purpose in permissions.PURPOSES:
        findings = parliament.analyze_policy_string(json.dumps(permissions.policy(purpose))).findings
        # RESOURCE_STAR: Describe*/List* and the attach actions cannot be scoped by resource; attach is scoped by
        # the iam:PolicyARN condition instead.
        assert [f.issue for f in findings if f.issue != "RESOURCE_STAR"] == [], purpose


def test_plan_permissions_change_nothing() -> None:
    assert not [a for a in _allowed(permissions.policy("plan")) if is_mutating(a.split(":")[1])]
    assert not [a for a in _allowed(permissions.policy("verify")) if is_mutating(a.split(":")[1])]


def test_attach_is_allowed_only_for_the_tools_own_policy_path() -> None:
    """Least privilege: the principal running apply cannot attach AdministratorAccess (or anything) to anyone."""
    statements = permissions.policy("apply")["Statement"]
    attach = [s for s in statements if any(a.startswith(("iam:Attach", "iam:Detach")) for a in s["Action"])]
    assert len(attach) == 1
    pattern = attach[0]["Condition"]["ArnLike"]["iam:PolicyARN"]
    assert fnmatch.fnmatch(policy_arn("aws", "123456789012", "SageMakerStudioPrivateAccess-x"), pattern)
    assert not fnmatch.fnmatch("arn:aws:iam::aws:policy/AdministratorAccess", pattern)
    own = [s for s in statements if "iam:CreatePolicy" in s["Action"]]
    assert own and own[0]["Resource"] == pattern


def test_permissions_command_prints_the_policy_for_a_purpose_and_partition(capsys) -> None:  # noqa: ANN001
    assert cli.main(["permissions", "--for", "plan"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == permissions.policy("plan")
    assert cli.main(["permissions", "--region", "cn-north-1"]) == 0
    assert "arn:aws-cn:iam::*:policy/studio-vpce/*" in capsys.readouterr().out
