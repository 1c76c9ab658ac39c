"""SPEC rules no other test touched (issue 11): flags, exit codes, plan files, prompts, profile options, edits.

Each test is named after the rule it holds; bench/mutants.py breaks several of them on purpose.
"""

from __future__ import annotations

import io
import json
import types
from pathlib import Path

import botocore.client
import botocore.exceptions
import pytest

from conftest import PROFILES, profile, run
from wizard import __version__
from wizard.discovery import observe
from wizard.executor import Executor
from wizard.planner import plan
from wizard.render import plan_text

VPCE = str(PROFILES / "vpce.yaml")
STUDIO_SG = "sg-76b5210b55a304ef5"
ANALYTICS_VPC = "vpc-8835a48a96ffd84bf"


def _codes(result) -> list[str]:  # noqa: ANN001
    return [f.code for f in (*result.errors, *result.warnings)]


def _plan(cloud, p):  # noqa: ANN001, ANN202
    return plan(observe(cloud, p), p)


def _writes(cloud) -> list[tuple[str, dict]]:  # noqa: ANN001
    from conftest import is_write

    seen: list[tuple[str, dict]] = []
    cloud.on("provide-client-params.*.*", lambda params, model, **_: seen.append((model.name, dict(params)))
             if is_write(model.name) else None)
    return seen


# ---------------------------------------------------------------- global flags

def test_version_prints_the_version_and_exits_0(capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"studio-vpce {__version__}"


def test_no_color_plain_text_even_on_a_terminal(demo, capsys, monkeypatch) -> None:  # noqa: ANN001
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert "\033[" in run(capsys, "plan", VPCE, "--demo")[1]  # a terminal gets colour...
    code, out, _ = run(capsys, "plan", VPCE, "--demo", "--no-color")
    assert code == 0 and "\033[" not in out and "+ vpc_endpoint.studio" in out  # ...unless --no-color


def test_plan_verbose_lists_no_op_lines_and_edits_show_update_and_delete_lines(demo, capsys, tmp_path) -> None:  # noqa: ANN001
    assert run(capsys, "apply", VPCE, "--demo", "--yes")[0] == 0
    quiet = run(capsys, "plan", VPCE, "--demo")[1]
    verbose = run(capsys, "plan", VPCE, "--demo", "--verbose")[1]
    assert "= vpc_endpoint.studio" not in quiet and "= vpc_endpoint.studio" in verbose
    assert "= iam_policy_attachment.user.alice" in verbose
    edited = tmp_path / "p.yaml"
    edited.write_text(Path(VPCE).read_text().replace("users: [alice, bob]", "users: [alice]")
                      .replace("studio: [create-app, presigned-url]", "studio: [create-app]"))
    code, out, _ = run(capsys, "plan", str(edited), "--demo", "--detailed-exitcode")
    assert code == 2
    assert "~ vpc_endpoint.studio" in out and "- iam_policy_attachment.user.bob" in out
    assert "Plan: 0 to add, 1 to change, 1 to destroy." in out


def test_interrupt_exits_130_without_a_traceback(capsys, monkeypatch) -> None:  # noqa: ANN001
    def interrupted(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise KeyboardInterrupt

    monkeypatch.setattr("wizard.discovery.observe", interrupted)
    code, _, err = run(capsys, "plan", VPCE, "--endpoint-url", "http://127.0.0.1:9")
    assert code == 130 and "interrupted" in err and "Traceback" not in err


def test_apply_failure_exits_1_listing_the_steps_done_and_not_done(demo, capsys, monkeypatch) -> None:  # noqa: ANN001
    original = botocore.client.BaseClient._make_api_call

    def denied(self, operation_name, api_params):  # noqa: ANN001, ANN202
        if operation_name == "CreatePolicy":
            raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}},
                                                  operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", denied)
    code, out, err = run(capsys, "apply", VPCE, "--demo", "--yes")
    assert code == 1 and "Traceback" not in err
    done, not_done = err.split("not done:", 1)
    assert "vpc_endpoint.studio" in done and "wait.vpc_endpoints" in done
    assert "iam_policy.access" in not_done and "iam_policy_attachment.user.alice" in not_done
    assert "AccessDenied" in err and "FAILED" in out


# ---------------------------------------------------------------- plan files

@pytest.mark.parametrize(("text", "message"), [("{not json", "not a valid plan file"),
                                               ('{"format_version": 2, "changes": []}', "not a studio-vpce plan file"),
                                               ('{"hello": "world"}', "not a studio-vpce plan file")])
def test_a_corrupt_or_foreign_planfile_exits_3_and_calls_nothing(
        capsys, tmp_path, calls, text: str, message: str) -> None:  # noqa: ANN001
    planfile = tmp_path / "plan.json"
    planfile.write_text(text)
    code, _, err = run(capsys, "apply", str(planfile), "--yes")
    assert code == 3 and message in err and calls.log == []


def test_a_demo_plan_applied_without_demo_exits_3_and_calls_nothing(demo, capsys, tmp_path, calls) -> None:  # noqa: ANN001
    planfile = tmp_path / "plan.json"
    assert run(capsys, "plan", VPCE, "--demo", "--out", str(planfile))[0] == 0
    calls.clear()
    code, _, err = run(capsys, "apply", str(planfile), "--yes")
    assert code == 3 and "--demo" in err and calls.log == []


# ---------------------------------------------------------------- asking

class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_apply_on_a_terminal_shows_the_plan_and_asks_each_confirmation(demo, capsys, monkeypatch, calls,  # noqa: ANN001
                                                                       tmp_path) -> None:  # noqa: ANN001
    import sys

    import questionary

    asked: list[str] = []
    answer = {"value": False}
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(questionary, "text", lambda message, **_: (
        asked.append(message), types.SimpleNamespace(ask=lambda: answer["value"]))[1])
    for not_yes in ("no", "y", ""):  # only the word yes goes ahead
        answer["value"] = not_yes
        code, out, _ = run(capsys, "apply", VPCE, "--demo", "--no-color")
        assert code == 5 and asked and "vpc_endpoint.studio" in out and calls.mutating == [], not_yes
    answer["value"] = None  # Ctrl+C at the question
    assert run(capsys, "apply", VPCE, "--demo", "--no-color")[0] == 130 and calls.mutating == []
    # the self-lockout is asked on its own, --yes or not: a no there changes nothing either
    lockout = tmp_path / "lockout.yaml"
    lockout.write_text(Path(VPCE).read_text().replace("groups: [], roles: [StudioUsers]",
                                                      "groups: [platform-admins], roles: []"))
    asked.clear()
    answer["value"] = "no"
    code, _, err = run(capsys, "apply", str(lockout), "--demo", "--no-color", "--yes")
    assert code == 5 and "self-lockout" in err and calls.mutating == []
    assert len(asked) == 1 and "among the attach targets" in asked[0]
    answer["value"] = "yes"
    assert run(capsys, "apply", VPCE, "--demo", "--no-color")[0] == 0 and calls.mutating


def test_wizard_profile_plain_preloads_the_profile(capsys, monkeypatch) -> None:  # noqa: ANN001
    import wizard.prompts

    seen: dict = {}

    def prompts(*args, **kwargs) -> int:  # noqa: ANN002, ANN003
        seen.update(kwargs)
        return 0

    monkeypatch.setattr(wizard.prompts, "run_prompts", prompts)
    assert run(capsys, VPCE, "--plain", "--demo")[0] == 0
    assert seen["preload"].name == "research-vpce" and seen["preload"].subnet_ids == profile().subnet_ids


# ---------------------------------------------------------------- region

def test_region_comes_from_the_aws_profiles_config(capsys, monkeypatch, tmp_path, calls) -> None:  # noqa: ANN001
    from wizard.cloud import resolve_region

    config = tmp_path / "config"
    config.write_text("[default]\nregion = ap-south-1\n\n[profile work]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert resolve_region(None, "work", "us-west-2") == ("eu-west-1", "AWS profile work")
    assert resolve_region(None, None, "us-west-2")[0] == "ap-south-1"
    code, _, err = run(capsys, "plan", VPCE, "--aws-profile", "work")
    assert code == 3 and "eu-west-1" in err and "AWS profile work" in err and calls.log == []


# ---------------------------------------------------------------- profile options

def test_an_existing_security_group_id_is_used_instead_of_creating_one(cloud) -> None:  # noqa: ANN001
    result = _plan(cloud, profile(security_group={"id": STUDIO_SG}))
    assert not [c for c in result.changes if c.type in ("security_group", "security_group_rule")]
    endpoints = [c for c in result.changes if c.type == "vpc_endpoint"]
    assert endpoints and all(c.after["security_group_ids"] == [STUDIO_SG] for c in endpoints)
    assert "security_group_missing_https" in _codes(result)  # it does not admit 443 from Studio: said, not changed
    assert "security_group_not_found" in _codes(_plan(cloud, profile(security_group={"id": "sg-0123456789abcdef0"})))


def test_allow_from_groups_and_cidrs_are_the_https_sources(cloud, aws) -> None:  # noqa: ANN001
    p = profile()
    mine = aws.client("ec2").create_security_group(GroupName="vpn", VpcId=p.vpc_id, Description="x")["GroupId"]
    result = _plan(cloud, profile(security_group={"allow_from_security_groups": [mine],
                                                  "allow_from_cidrs": ["10.20.0.0/16"]}))
    sources = sorted(c.after["source"] for c in result.changes if c.type == "security_group_rule")
    assert sources == sorted([mine, "10.20.0.0/16"])  # the listed groups replace the domain's
    missing = _plan(cloud, profile(security_group={"allow_from_security_groups": ["sg-0123456789abcdef0"]}))
    assert "source_security_group_not_found" in _codes(missing)
    lab = next(g["GroupId"] for g in aws.client("ec2").describe_security_groups()["SecurityGroups"]
               if g["GroupName"] == "sagemaker-studio-lab")
    elsewhere = _plan(cloud, profile(security_group={"allow_from_security_groups": [lab]}))
    assert "source_security_group_not_in_vpc" in _codes(elsewhere)


def test_associate_vpc_ids_associates_both_zones_with_the_other_vpc(cloud, aws) -> None:  # noqa: ANN001
    p = profile("hosted-zone", dns={"associate_vpc_ids": [ANALYTICS_VPC]})
    result = _plan(cloud, p)
    assert sorted(c.address for c in result.changes if c.type == "hosted_zone_association") == [
        f"hosted_zone_association.api.{ANALYTICS_VPC}", f"hosted_zone_association.studio.{ANALYTICS_VPC}"]
    assert Executor(cloud, result).run().ok
    r53 = aws.client("route53")
    for zone in r53.list_hosted_zones()["HostedZones"]:
        vpcs = {v["VPCId"] for v in r53.get_hosted_zone(Id=zone["Id"])["VPCs"]}
        assert vpcs == {p.vpc_id, ANALYTICS_VPC}
    assert not _plan(cloud, p).has_changes


def test_extra_vpce_ids_join_the_identity_policy(cloud) -> None:  # noqa: ANN001
    extra = "vpce-0123456789abcdef0"
    result = _plan(cloud, profile(access={"extra_vpce_ids": [extra]}))
    assert extra in json.dumps(result.identity_policy)
    only_extra = _plan(cloud, profile(endpoints={"studio": False, "api": False}, access={"extra_vpce_ids": [extra]}))
    assert "vpce_ids_required" not in _codes(only_extra)


def test_dns_support_off_is_an_error_unless_the_fix_is_allowed(cloud, aws) -> None:  # noqa: ANN001
    p = profile()
    aws.client("ec2").modify_vpc_attribute(VpcId=p.vpc_id, EnableDnsSupport={"Value": False})
    assert "dns_support_off" in _codes(_plan(cloud, p))
    fixed = _plan(cloud, profile(dns={"fix_vpc_attributes": True}))
    assert "dns_support_off" not in _codes(fixed)
    assert next(c for c in fixed.changes if c.address == "vpc_attribute.enableDnsSupport").action == "update"


# ---------------------------------------------------------------- plan codes no other test produced

def test_no_subnets_is_an_error(cloud) -> None:  # noqa: ANN001
    assert "no_subnets" in _codes(_plan(cloud, profile(subnet_ids=[])))


def test_vpce_mode_without_endpoints_needs_vpce_ids(cloud) -> None:  # noqa: ANN001
    assert "vpce_ids_required" in _codes(_plan(cloud, profile(endpoints={"studio": False, "api": False})))


def test_several_endpoints_for_one_service_warn_and_one_is_used(cloud, aws) -> None:  # noqa: ANN001
    p = profile()
    ec2 = aws.client("ec2")
    ids = [ec2.create_vpc_endpoint(VpcId=p.vpc_id, ServiceName="com.amazonaws.us-west-2.sagemaker.api",
                                   VpcEndpointType="Interface")["VpcEndpoint"]["VpcEndpointId"] for _ in range(2)]
    result = _plan(cloud, p)
    assert "duplicate_endpoints" in _codes(result)
    assert next(c for c in result.changes if c.address == "vpc_endpoint.api").id in ids


def test_a_failed_endpoint_is_reported_with_its_error(cloud, aws) -> None:  # noqa: ANN001
    p = profile()
    aws.client("ec2").create_vpc_endpoint(VpcId=p.vpc_id, ServiceName="com.amazonaws.us-west-2.sagemaker.api",
                                          VpcEndpointType="Interface")

    def failed(parsed, **_):  # noqa: ANN001, ANN003, ANN202
        for endpoint in parsed.get("VpcEndpoints", []):
            endpoint["State"] = "failed"
            endpoint["LastError"] = {"Code": "InsufficientCapacity", "Message": "no capacity"}

    cloud.on("after-call.ec2.DescribeVpcEndpoints", failed)
    result = _plan(cloud, p)
    message = next(w.message for w in result.warnings if w.code == "endpoint_failed")
    assert "InsufficientCapacity" in message


# ---------------------------------------------------------------- editing a profile, then applying again

def test_editing_a_profile_then_reapplying_converges(cloud) -> None:  # noqa: ANN001
    """Detach a removed principal, delete a removed extra endpoint, reset an endpoint policy, switch DNS mode."""
    first = profile(endpoints={"extra": ["sts"]})
    assert Executor(cloud, _plan(cloud, first)).run().ok
    edited = profile(endpoints={"extra": []}, endpoint_policy={"studio": []},
                     access={"attach": {"users": ["alice"], "groups": [], "roles": ["StudioUsers"]}})
    result = _plan(cloud, edited)
    text = plan_text(result)
    assert "- vpc_endpoint.sts" in text and "- iam_policy_attachment.user.bob" in text
    assert "~ vpc_endpoint.studio" in text
    writes = _writes(cloud)
    assert Executor(cloud, result).run().ok
    ops = [op for op, _ in writes]
    assert ("DetachUserPolicy", "bob") in [(op, params.get("UserName")) for op, params in writes]
    assert "DeleteVpcEndpoints" in ops
    modify = next(params for op, params in writes if op == "ModifyVpcEndpoint")
    assert modify.get("ResetPolicy") is True and "PolicyDocument" not in modify
    remaining = [c.address for c in _plan(cloud, edited).changes if c.action != "no-op"]
    assert remaining == []  # ResetPolicy, as AWS does it (moto ignores it; sandbox.endpoints_modified_as_aws)

    switched = profile(endpoints={"extra": []}, endpoint_policy={"studio": []}, dns={"mode": "hosted-zone"},
                       access={"attach": {"users": ["alice"], "groups": [], "roles": ["StudioUsers"]}})
    result = _plan(cloud, switched)
    assert {c.address for c in result.changes if c.action == "create"} >= {"hosted_zone.api", "hosted_zone.studio"}
    writes.clear()
    assert Executor(cloud, result).run().ok
    private_dns = [params.get("PrivateDnsEnabled") for op, params in writes if op == "ModifyVpcEndpoint"]
    assert private_dns == [False, False]  # moto ignores it on modify; AWS does not: check what was sent
    assert [op for op, _ in writes].count("CreateHostedZone") == 2
