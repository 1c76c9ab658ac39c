"""`studio-vpce permissions`: the least-privilege policy covers every AWS call the tool makes, and no more."""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any

import botocore.client
import botocore.exceptions
import botocore.session
import pytest

from conftest import profile
from wizard import cli, iam_eval, permissions
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


# ---------------------------------------------------------------- what IAM authorizes for each call, resource by resource

_BOTOCORE_CALL = botocore.client.BaseClient._make_api_call  # unpatched: reading tags is not a call of the tool
ARN = "arn:aws:ec2:us-east-1:123456789012"
OURS = {"managed-by": "studio-vpce", "studio-vpce:profile": "demo", "Name": "studio-vpce-demo"}
Request = tuple[str, str, dict[str, list[str]]]  # (IAM action, resource ARN, request context)


def _tags(tag_list: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tag_list or []}


def _request_tags(params: dict[str, Any]) -> dict[str, list[str]]:
    tags = {k: v for spec in params.get("TagSpecifications", []) for k, v in _tags(spec["Tags"]).items()}
    return {**{f"aws:RequestTag/{k}": [v] for k, v in tags.items()}, **({"aws:TagKeys": sorted(tags)} if tags else {})}


def _resource_tags(tags: dict[str, str]) -> dict[str, list[str]]:
    return {f"aws:ResourceTag/{k}": [v] for k, v in tags.items()}


def _network(params: dict[str, Any], with_vpc: bool) -> list[Request]:
    """The resources a create/modify names besides its own (AWS authorizes each, with their own tags)."""
    ids = ([f"vpc/{params['VpcId']}"] if with_vpc and "VpcId" in params else []) + [
        f"{kind}/{i}" for key, kind in (("SubnetIds", "subnet"), ("AddSubnetIds", "subnet"),
                                        ("RemoveSubnetIds", "subnet"), ("SecurityGroupIds", "security-group"),
                                        ("AddSecurityGroupIds", "security-group"),
                                        ("RemoveSecurityGroupIds", "security-group"), ("RouteTableIds", "route-table"),
                                        ("AddRouteTableIds", "route-table"), ("RemoveRouteTableIds", "route-table"))
        for i in params.get(key, [])]
    return [("", f"{ARN}:{i}", {}) for i in ids]


def authorizations(service: str, operation: str, params: dict[str, Any], tags: dict[str, str]) -> list[Request]:
    """IAM's per-resource requests for one API call (Service Authorization Reference: the resource types and
    condition keys of each action). `tags`: the tags the acted-on resource had just before the call."""
    entry = _entry(service, operation)
    primary, *extra = entry.iam_actions() or ("",)
    if not primary:
        return []
    out: list[Request] = []
    if operation in ("CreateSecurityGroup", "CreateVpcEndpoint"):
        kind = "security-group/sg-new" if operation == "CreateSecurityGroup" else "vpc-endpoint/vpce-new"
        created = f"{ARN}:{kind}"
        out.append((primary, created, _request_tags(params)))
        out += [(primary, arn, ctx) for _, arn, ctx in _network(params, with_vpc=True)]
        if params.get("TagSpecifications"):  # tags given on create: ec2:CreateTags, as part of this create
            out.append(("ec2:CreateTags", created, {**_request_tags(params), "ec2:CreateAction": [operation]}))
    elif operation in ("DeleteSecurityGroup", "AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"):
        out.append((primary, f"{ARN}:security-group/{params['GroupId']}", _resource_tags(tags)))
    elif operation == "DeleteVpcEndpoints":
        out += [(primary, f"{ARN}:vpc-endpoint/{i}", _resource_tags(tags)) for i in params["VpcEndpointIds"]]
    elif operation == "ModifyVpcEndpoint":
        out.append((primary, f"{ARN}:vpc-endpoint/{params['VpcEndpointId']}", _resource_tags(tags)))
        out += [(primary, arn, ctx) for _, arn, ctx in _network(params, with_vpc=False)]
    elif operation == "ModifyVpcAttribute":
        out.append((primary, f"{ARN}:vpc/{params['VpcId']}", {}))
    elif service == "route53" and {"HostedZoneId", "Id", "ResourceId"} & set(params):
        zone = (params.get("HostedZoneId") or params.get("Id") or params.get("ResourceId")).split("/")[-1]
        out.append((primary, f"arn:aws:route53:::hostedzone/{zone}", {}))
    elif operation.startswith(("Attach", "Detach")):
        kind = operation[len("Attach"):-len("Policy")].lower()  # Attach and Detach: both six letters
        name = params.get("UserName") or params.get("GroupName") or params.get("RoleName")
        out.append((primary, f"arn:aws:iam::123456789012:{kind}/{name}", {"iam:PolicyARN": [params["PolicyArn"]]}))
    elif service == "iam" and operation == "CreatePolicy":
        arn = f"arn:aws:iam::123456789012:policy{params.get('Path', '/')}{params['PolicyName']}"
        out.append((primary, arn, {}))
        out += [(a, arn, {}) for a in extra]
        return out
    elif service == "iam" and "PolicyArn" in params:
        out.append((primary, params["PolicyArn"], {}))
    else:
        out.append((primary, "*", {}))  # no resource-level permissions (CreateHostedZone) or a read
    # dependent actions: private DNS associates AWS's own hosted zone (a hostedzone ARN) with the VPC; Route 53
    # looks the VPC up (ec2:DescribeVpcs, no resource-level permissions)
    out += [(a, "arn:aws:route53:::hostedzone/Z-AWS-MANAGED" if a.startswith("route53:") else "*", {})
            for a in extra if a != "ec2:CreateTags"]
    return out


class Authorizations:
    """Every API call in the process as IAM's per-resource requests, with the acted-on resource's tags read
    (from the same account, before the call) where a condition may look at them."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str, Request]] = []

    def clear(self) -> None:
        self.log.clear()


@pytest.fixture
def authz(monkeypatch: pytest.MonkeyPatch) -> Authorizations:
    recorder = Authorizations()
    original = botocore.client.BaseClient._make_api_call

    def tags_now(client, operation: str, params: dict[str, Any]) -> dict[str, str]:  # noqa: ANN001
        try:
            if "GroupId" in params and operation != "CreateSecurityGroup":
                found = _BOTOCORE_CALL(client, "DescribeSecurityGroups", {"GroupIds": [params["GroupId"]]})
                return _tags(found["SecurityGroups"][0].get("Tags"))
            ids = params.get("VpcEndpointIds") or ([params["VpcEndpointId"]] if "VpcEndpointId" in params else [])
            if ids:
                found = _BOTOCORE_CALL(client, "DescribeVpcEndpoints", {"VpcEndpointIds": ids[:1]})
                return _tags(found["VpcEndpoints"][0].get("Tags"))
        except botocore.exceptions.ClientError:
            pass  # already gone: AWS answers NotFound before authorizing anything that matters here
        return {}

    def recording(self, operation_name, api_params):  # noqa: ANN001, ANN202
        service = self.meta.service_model.service_name
        if any((o.service, o.name) == (service, operation_name) and o.used_for == "apply"
                    for o in permissions.OPERATIONS):
            tags = tags_now(self, operation_name, api_params) if service == "ec2" else {}
            for request in authorizations(service, operation_name, api_params, tags):
                recorder.log.append((service, operation_name, request))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return recorder


def assert_allowed(recorded: list[tuple[str, str, Request]], purpose: str = "apply") -> None:
    """The printed policy allows every (action, resource, context) the recorded calls make IAM authorize."""
    document = permissions.policy(purpose)
    for service, operation, (action, resource, context) in recorded:
        answer = iam_eval.evaluate_call(document, action, resource, context)
        assert answer is True, f"{service}:{operation} -> {action} on {resource} {context}: {answer}"


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
def test_permissions_cover_every_call_of_plan_and_apply(cloud, calls, authz, name: str) -> None:  # noqa: ANN001
    reads, writes = _run(cloud, calls, profile(name))
    assert reads and writes
    assert {"CreateSecurityGroup", "DeleteSecurityGroup", "DeleteVpcEndpoints"} <= {op for _, op, _ in authz.log}
    assert_allowed(authz.log)
    assert not [c for c in reads if is_mutating(c[1])]
    assert_covered(reads, "plan")
    assert_covered(writes, "apply")


def test_permissions_cover_updates_extras_and_detaching(cloud, calls, authz) -> None:  # noqa: ANN001
    first = profile("vpce", endpoints={"extra": ["sts", "s3"]})
    assert Executor(cloud, plan(observe(cloud, first), first)).run().ok
    changed = profile("vpce", endpoints={"extra": ["sts"]}, endpoint_policy={"api": ["create-app"]},
                      security_group={"allow_from_cidrs": ["10.8.0.0/16"]},
                      access={"mode": "subnet", "attach": {"users": [], "groups": ["data-scientists"], "roles": []}})
    reads, writes = _run(cloud, calls, changed)
    assert {"ModifyVpcEndpoint", "CreatePolicyVersion", "DeleteVpcEndpoints"} <= {op for _, op in writes}
    assert_allowed(authz.log)
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
        # RESOURCE_MISMATCH: parliament checks each statement alone, but IAM authorizes each resource a call names
        # against all statements; aws:RequestTag/aws:ResourceTag conditions must not sit on the VPC, subnets and
        # route tables a create names, so those are separate statements. Accepted only when another statement
        # grants the same action on the resource type parliament asks for.
        assert [f.issue for f in findings if f.issue not in ("RESOURCE_STAR", "RESOURCE_MISMATCH")] == [], purpose
        for finding in [f for f in findings if f.issue == "RESOURCE_MISMATCH"]:
            for missing in finding.detail:
                if missing == {"action": "route53:ChangeTagsForResource", "required_format": "arn:*:route53:::healthcheck/*"}:
                    continue  # a call tags a health check OR a hosted zone; parliament wants both; the tool tags zones
                assert _granted_somewhere(permissions.policy(purpose), missing["action"], missing["required_format"]), \
                    (purpose, missing)


def _granted_somewhere(policy: dict, action: str, resource_format: str) -> bool:
    return any(action in s["Action"] and any(fnmatch.fnmatch(r, resource_format) or r == "*" for r in
                                             ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"]))
               for s in policy["Statement"])


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


# ---------------------------------------------------------------- least privilege: writes scoped to what the tool creates

def _can(action: str, resource: str, context: dict[str, list[str]] | None = None) -> bool | None:
    return iam_eval.evaluate_call(permissions.policy("apply"), action, resource, context or {})


GROUP, ENDPOINT, VPC = f"{ARN}:security-group/sg-0123456789abcdef0", f"{ARN}:vpc-endpoint/vpce-0123", f"{ARN}:vpc/vpc-1"
THEIRS = {"team": "net"}


@pytest.mark.parametrize("action", ["ec2:DeleteSecurityGroup", "ec2:AuthorizeSecurityGroupIngress",
                                    "ec2:RevokeSecurityGroupIngress"])
def test_a_security_group_is_deleted_or_its_rules_changed_only_when_tagged_as_the_tools(action: str) -> None:
    assert _can(action, GROUP, _resource_tags(OURS)) is True
    assert _can(action, GROUP, {}) is False  # untagged: someone else's
    assert _can(action, GROUP, _resource_tags(THEIRS)) is False
    assert _can(action, GROUP, _resource_tags({"managed-by": "terraform"})) is False


def test_an_endpoint_is_deleted_only_when_tagged_as_the_tools() -> None:
    assert _can("ec2:DeleteVpcEndpoints", ENDPOINT, _resource_tags(OURS)) is True
    assert _can("ec2:DeleteVpcEndpoints", ENDPOINT, _resource_tags(THEIRS)) is False
    assert _can("ec2:DeleteVpcEndpoints", ENDPOINT, {}) is False


def test_creating_a_group_or_endpoint_needs_the_managed_by_tag_in_the_request() -> None:
    for action, created in (("ec2:CreateSecurityGroup", GROUP), ("ec2:CreateVpcEndpoint", ENDPOINT)):
        assert _can(action, created, {"aws:RequestTag/managed-by": ["studio-vpce"]}) is True
        assert _can(action, created, {}) is False
        assert _can(action, created, {"aws:RequestTag/managed-by": ["other"]}) is False
        assert _can(action, VPC, {}) is True  # the VPC it is created in: named, not changed


def test_tags_are_written_only_as_part_of_the_tools_own_creates() -> None:
    """Else the principal could tag anyone's group managed-by=studio-vpce and then delete it."""
    ours = _resource_tags(OURS) | {"aws:RequestTag/managed-by": ["studio-vpce"]}
    assert _can("ec2:CreateTags", GROUP, {**ours, "ec2:CreateAction": ["CreateSecurityGroup"]}) is True
    assert _can("ec2:CreateTags", ENDPOINT, {**ours, "ec2:CreateAction": ["CreateVpcEndpoint"]}) is True
    assert _can("ec2:CreateTags", GROUP, {"aws:RequestTag/managed-by": ["studio-vpce"]}) is False  # CreateTags API
    assert _can("ec2:CreateTags", f"{ARN}:instance/i-1", {"ec2:CreateAction": ["RunInstances"]}) is False


def test_account_wide_writes_are_only_the_stated_exceptions_and_the_readme_names_them() -> None:
    """Every write without a tag or path condition is its own statement whose Sid says why, and the README lists it."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    reads = {a for s in permissions.policy("plan")["Statement"] for a in s["Action"]}
    unconditioned: dict[str, set[str]] = {}
    for statement in permissions.policy("apply")["Statement"]:
        writes = {a for a in statement["Action"] if a not in reads}
        if writes and "Condition" not in statement and statement["Sid"] != "StudioVpceOwnManagedPolicy":
            unconditioned[statement["Sid"]] = writes
    named_only = {"StudioVpceNameTheNetworkInCreates", "StudioVpceNameTheNetworkInEndpoints",
                  "StudioVpceNameTheNetworkInEndpointChanges"}  # resources a call names besides the one it changes
    assert {a for sid, acts in unconditioned.items() if sid not in named_only for a in acts} == {
        "ec2:ModifyVpcEndpoint", "ec2:ModifyVpcAttribute", "route53:AssociateVPCWithHostedZone",
        "route53:ChangeResourceRecordSets", "route53:ChangeTagsForResource", "route53:CreateHostedZone",
        "route53:DeleteHostedZone"}
    for sid, actions in unconditioned.items():
        assert sid in readme, sid
        for action in actions:
            assert f"`{action}`" in readme, action
    for action in ("ec2:DeleteSecurityGroup", "ec2:DeleteVpcEndpoints", "ec2:AuthorizeSecurityGroupIngress",
                   "ec2:RevokeSecurityGroupIngress", "ec2:CreateTags"):
        assert not [s for s in permissions.policy("apply")["Statement"]
                    if action in s["Action"] and "Condition" not in s], action


@pytest.mark.parametrize("purpose", ["verify", "audit"])
def test_the_readme_names_every_action_a_read_only_purpose_adds_to_plans(purpose: str) -> None:
    """Trial 13: the README said `--for verify` adds sagemaker:CreatePresignedDomainUrl; it also adds what
    `verify --simulate` needs (iam:SimulatePrincipalPolicy, iam:GetUser/GetGroup/GetRole). Every action
    `--for verify` and `--for audit` add to `--for plan` is named in the README's Permissions section, under its
    flag."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    said = readme.split("## Permissions the tool needs", 1)[1].split(f"`--for {purpose}` adds", 1)[1]
    said = re.split(r"`--for |\. The policies come from", said, maxsplit=1)[0]  # up to the next purpose
    actions = lambda p: {a for s in permissions.policy(p)["Statement"] for a in s["Action"]}
    added = actions(purpose) - actions("plan")
    assert added
    assert not [a for a in sorted(added) if f"`{a}`" not in said], said


def test_reused_endpoint_and_vpc_attribute_fix_are_allowed_and_destroy_leaves_them(cloud, aws, authz) -> None:  # noqa: ANN001
    """The two EC2 writes on resources the tool did not create: updating a reused endpoint (untagged, someone
    else's) and dns.fix_vpc_attributes on the user's VPC. Destroy never deletes the reused endpoint."""
    p = profile("hosted-zone", dns={"fix_vpc_attributes": True})
    ec2 = aws.client("ec2")
    ec2.modify_vpc_attribute(VpcId=p.vpc_id, EnableDnsHostnames={"Value": False})
    existing = ec2.create_vpc_endpoint(VpcId=p.vpc_id, ServiceName="com.amazonaws.us-west-2.sagemaker.api",
                                       VpcEndpointType="Interface", SubnetIds=[p.subnet_ids[0]],
                                       PrivateDnsEnabled=False)["VpcEndpoint"]["VpcEndpointId"]
    authz.clear()  # the seeding above is someone else's doing
    for planner in (plan, plan_destroy):
        assert Executor(cloud, planner(observe(cloud, p), p)).run().ok
    made = {(op, r[1].rsplit("/", 1)[-1]) for _, op, r in authz.log}
    assert ("ModifyVpcEndpoint", existing) in made and ("ModifyVpcAttribute", p.vpc_id) in made
    assert ("DeleteVpcEndpoints", existing) not in made
    assert_allowed(authz.log)


def test_the_call_evaluator_follows_iams_logic_for_tag_conditions() -> None:
    """iam_eval.evaluate_call, which the tests above trust: explicit Deny wins, a missing key fails a condition
    (not with ...IfExists), set operators on multi-valued keys, unknown operators are 'cannot tell'."""
    allow = {"Effect": "Allow", "Action": "ec2:Delete*", "Resource": "arn:aws:ec2:*:*:security-group/*",
             "Condition": {"StringEquals": {"aws:ResourceTag/managed-by": "studio-vpce"}}}
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringLike": {"aws:ResourceTag/env": "prod*"}}}

    ours = {"aws:ResourceTag/managed-by": ["studio-vpce"]}
    doc = {"Statement": [allow, deny]}
    assert iam_eval.evaluate_call(doc, "ec2:DeleteSecurityGroup", GROUP, ours) is True
    assert iam_eval.evaluate_call(doc, "ec2:DeleteSecurityGroup", GROUP, {**ours, "aws:ResourceTag/env": ["prod-1"]}) \
        is False
    assert iam_eval.evaluate_call(doc, "ec2:DeleteSecurityGroup", GROUP, {}) is False  # missing key: no match
    assert iam_eval.evaluate_call(doc, "ec2:DeleteSecurityGroup", ENDPOINT, ours) is False  # other resource type
    assert iam_eval.evaluate_call(doc, "ec2:CreateSecurityGroup", GROUP, ours) is False  # other action
    if_exists = {**allow, "Condition": {"StringEqualsIfExists": {"aws:ResourceTag/managed-by": "studio-vpce"}}}
    assert iam_eval.evaluate_call({"Statement": [if_exists]}, "ec2:DeleteSecurityGroup", GROUP, {}) is True
    keys = {**allow, "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["managed-by", "Name"]}}}
    assert iam_eval.evaluate_call({"Statement": [keys]}, "ec2:DeleteSecurityGroup", GROUP,
                                  {"aws:TagKeys": ["Name", "managed-by"]}) is True
    assert iam_eval.evaluate_call({"Statement": [keys]}, "ec2:DeleteSecurityGroup", GROUP,
                                  {"aws:TagKeys": ["Name", "owner"]}) is False
    odd = {**allow, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}
    assert iam_eval.evaluate_call({"Statement": [odd]}, "ec2:DeleteSecurityGroup", GROUP, {}) is None
    maybe_deny = {**deny, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}
    assert iam_eval.evaluate_call({"Statement": [allow, maybe_deny]}, "ec2:DeleteSecurityGroup", GROUP, ours) is None


def test_a_recorded_delete_of_an_untagged_group_is_denied_and_of_ours_allowed(aws, authz) -> None:  # noqa: ANN001
    """The recorder and the printed policy together: the same call, read with the group's real tags, is denied for
    someone else's group and allowed for one tagged as the tool's."""
    p = profile("vpce")
    ec2 = aws.client("ec2")
    theirs = ec2.create_security_group(GroupName="theirs", Description="x", VpcId=p.vpc_id)["GroupId"]
    ours = ec2.create_security_group(GroupName="ours", Description="x", VpcId=p.vpc_id, TagSpecifications=[
        {"ResourceType": "security-group", "Tags": [{"Key": k, "Value": v} for k, v in OURS.items()]}])["GroupId"]
    authz.clear()
    for group in (theirs, ours):
        ec2.delete_security_group(GroupId=group)
    document = permissions.policy("apply")
    answers = {r[1].rsplit("/", 1)[-1]: iam_eval.evaluate_call(document, *r) for _, op, r in authz.log
               if op == "DeleteSecurityGroup"}
    assert answers == {theirs: False, ours: True}
