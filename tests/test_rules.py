"""Rules a mutation run showed untested (issue 11): each test is named after the rule and fails when it breaks."""

from __future__ import annotations

import json

import botocore.exceptions
import pytest

from conftest import is_write, profile
from wizard.discovery import observe
from wizard.executor import Executor, is_mutating
from wizard.planner import plan, plan_destroy


def apply(cloud, p):  # noqa: ANN001, ANN201
    return Executor(cloud, plan(observe(cloud, p), p)).run()


def destroy(cloud, p):  # noqa: ANN001, ANN201
    return Executor(cloud, plan_destroy(observe(cloud, p), p)).run()


def _zone_tags(r53, zone_id: str) -> dict[str, str]:  # noqa: ANN001
    raw = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id.split("/")[-1])
    return {t["Key"]: t["Value"] for t in raw["ResourceTagSet"].get("Tags", [])}


# ---------------------------------------------------------------- bug 1: an interrupted apply leaves a zone untagged

def test_a_zone_whose_tagging_was_throttled_is_tagged_by_the_rerun_and_destroyed(cloud, aws) -> None:  # noqa: ANN001
    p = profile("hosted-zone")
    failed = {"n": 0}

    def throttle(model, **_):  # noqa: ANN001, ANN003, ANN202
        if model.name == "ChangeTagsForResource" and not failed["n"]:
            failed["n"] += 1
            raise botocore.exceptions.ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}},
                                                  model.name)

    cloud.on("before-call.route53.ChangeTagsForResource", throttle)
    assert not apply(cloud, p).ok  # the zone exists, its tags do not
    r53 = aws.client("route53")
    zones = r53.list_hosted_zones()["HostedZones"]
    assert len(zones) == 1 and _zone_tags(r53, zones[0]["Id"]) == {}
    rerun = plan(observe(cloud, p), p)
    assert "hosted_zone_reused" not in [w.code for w in rerun.warnings]  # our CallerReference: ours, not foreign
    assert Executor(cloud, rerun).run().ok
    for zone in r53.list_hosted_zones()["HostedZones"]:
        assert _zone_tags(r53, zone["Id"])["studio-vpce:profile"] == p.name
    assert destroy(cloud, p).ok
    assert r53.list_hosted_zones()["HostedZones"] == []


def test_an_untagged_zone_with_someone_elses_caller_reference_stays_foreign(cloud, aws) -> None:  # noqa: ANN001
    p = profile("hosted-zone")
    aws.client("route53").create_hosted_zone(Name="api.sagemaker.us-west-2.amazonaws.com", CallerReference="theirs",
                                             VPC={"VPCRegion": "us-west-2", "VPCId": p.vpc_id},
                                             HostedZoneConfig={"PrivateZone": True})
    result = plan(observe(cloud, p), p)
    assert "hosted_zone_reused" in [w.code for w in result.warnings]
    assert next(c for c in result.changes if c.address == "hosted_zone.api").action == "no-op"


# ---------------------------------------------------------------- bug 2: our record in a reused zone

def test_destroy_removes_our_alias_record_from_a_reused_zone_and_leaves_the_zone(cloud, aws) -> None:  # noqa: ANN001
    p = profile("hosted-zone")
    r53 = aws.client("route53")
    zone_id = r53.create_hosted_zone(Name="api.sagemaker.us-west-2.amazonaws.com", CallerReference="theirs",
                                     VPC={"VPCRegion": "us-west-2", "VPCId": p.vpc_id},
                                     HostedZoneConfig={"PrivateZone": True})["HostedZone"]["Id"]
    r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": "other.api.sagemaker.us-west-2.amazonaws.com", "Type": "A", "TTL": 60,
        "ResourceRecords": [{"Value": "10.20.9.9"}]}}]})
    assert apply(cloud, p).ok

    def a_records() -> list[str]:
        return sorted(r["Name"] for r in r53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
                      if r["Type"] == "A")

    assert a_records() == ["api.sagemaker.us-west-2.amazonaws.com.", "other.api.sagemaker.us-west-2.amazonaws.com."]
    assert destroy(cloud, p).ok
    assert [z["Id"] for z in r53.list_hosted_zones()["HostedZones"]] == [zone_id]  # the zone is not ours: it stays
    assert a_records() == ["other.api.sagemaker.us-west-2.amazonaws.com."]  # their record stays, ours is gone
    assert not plan_destroy(observe(cloud, p), p).has_changes


# ---------------------------------------------------------------- what counts as a write

WRITES_A_PREFIX_LIST_MISSED = ["ReplaceRoute", "AcceptVpcEndpointConnections", "RejectVpcEndpointConnections",
                               "EnableVpcClassicLink", "ResetImageAttribute", "StartInstances", "RunInstances",
                               "ImportKeyPair", "UploadServerCertificate", "StopNotebookInstance"]


def test_every_operation_not_on_the_read_allow_list_is_a_write_for_the_code_too() -> None:
    """The code's is_mutating agrees with the tests' own read allow-list on every operation of every service used."""
    import botocore.session

    session = botocore.session.get_session()
    disagree = []
    for service in ("ec2", "iam", "route53", "sagemaker", "sts"):
        for operation in session.get_service_model(service).operation_names:
            if is_mutating(operation) != is_write(operation):
                disagree.append(f"{service}.{operation}")
    assert disagree == []
    assert all(is_mutating(op) for op in WRITES_A_PREFIX_LIST_MISSED)
    assert not any(is_mutating(op) for op in ("DescribeVpcEndpoints", "ListHostedZonesByVpc", "GetPolicyVersion",
                                              "CreatePresignedDomainUrl"))


# ---------------------------------------------------------------- ClientToken

def _tokens(cloud, p) -> dict[str, str]:  # noqa: ANN001
    return {c.address: c.after["client_token"] for c in plan(observe(cloud, p), p).changes
            if c.type == "vpc_endpoint" and c.action == "create"}


def test_client_token_changes_with_every_endpoint_parameter_and_nothing_else(cloud, aws) -> None:  # noqa: ANN001
    base = profile()
    other_sg = aws.client("ec2").create_security_group(GroupName="mine", VpcId=base.vpc_id, Description="x")["GroupId"]
    reference = _tokens(cloud, base)
    assert len(reference) == 2
    changed = {
        "subnets": profile(subnet_ids=[base.subnet_ids[0]]),
        "groups": profile(security_group={"id": "sg-76b5210b55a304ef5"}),
        "private DNS": profile(dns={"mode": "hosted-zone"}),
        "policy": profile(endpoint_policy={"studio": ["create-app"]}),
    }
    for what, p in changed.items():
        tokens = _tokens(cloud, p)
        assert tokens["vpc_endpoint.studio"] != reference["vpc_endpoint.studio"], what
    assert _tokens(cloud, profile(security_group={"id": other_sg})) != _tokens(cloud, changed["groups"])
    same = [profile(tags={"team": "other"}), profile(access={"mode": "subnet"}),
            profile(access={"attach": {"users": ["carol"], "groups": [], "roles": []}}),
            profile(endpoint_policy={"api": ["presigned-url"]})]  # the API endpoint's policy: not the Studio token
    for p in same:
        assert _tokens(cloud, p)["vpc_endpoint.studio"] == reference["vpc_endpoint.studio"]


def test_client_token_sent_with_a_new_group_equals_the_one_a_rerun_plans(cloud, aws) -> None:  # noqa: ANN001
    """The group is created in the same run: the token covers its real id, so a rerun after a lost answer
    sends the same token (AWS then returns the endpoint it made, instead of a duplicate)."""
    sent: list[str] = []
    aws.events.register("provide-client-params.ec2.CreateVpcEndpoint",
                        lambda params, **_: sent.append(params["ClientToken"]))

    def fail_once(model, **_):  # noqa: ANN001, ANN003, ANN202
        if len(sent) == 1:
            raise botocore.exceptions.ClientError({"Error": {"Code": "RequestLimitExceeded", "Message": "x"}}, model.name)

    cloud._clients.clear()
    cloud.on("before-call.ec2.CreateVpcEndpoint", fail_once)
    p = profile()
    assert not apply(cloud, p).ok
    aws.events.unregister("before-call.ec2.CreateVpcEndpoint", fail_once)
    for client in cloud._clients.values():
        client.meta.events.unregister("before-call.ec2.CreateVpcEndpoint", fail_once)
    assert apply(cloud, p).ok
    assert sent[0] == sent[1] and "known after apply" not in sent[0]


# ---------------------------------------------------------------- self-lockout through an assumed role

def _as_caller(cloud, arn: str) -> None:  # noqa: ANN001
    """STS answers with this ARN (a hook at the HTTP layer's edge, as AWS would answer)."""
    from botocore.awsrequest import AWSResponse

    def answer(**_):  # noqa: ANN003, ANN202
        return AWSResponse("https://sts.invalid/", 200, {}, None), {
            "UserId": "AROAEXAMPLEEXAMPLE:session", "Account": "123456789012", "Arn": arn}

    cloud.on("before-call.sts.GetCallerIdentity", answer)


def _lockout(result) -> bool:  # noqa: ANN001
    """Flagged in the plan's public output: a warning today, a confirmation once the gates move there."""
    codes = [w.code for w in result.warnings]
    codes += [str(getattr(c, "code", c)) for c in getattr(result, "confirmations", ())]
    return any("lockout" in c for c in codes)


def test_self_lockout_when_the_caller_is_an_assumed_role_among_attach_roles(cloud) -> None:  # noqa: ANN001
    p = profile()  # attach.roles: [StudioUsers]
    _as_caller(cloud, "arn:aws:sts::123456789012:assumed-role/StudioUsers/alice@example.com")
    assert _lockout(plan(observe(cloud, p), p))


def test_no_self_lockout_for_another_role_whose_session_is_named_like_an_attached_role(cloud) -> None:  # noqa: ANN001
    p = profile()
    _as_caller(cloud, "arn:aws:sts::123456789012:assumed-role/MLEngineers/StudioUsers")
    assert not _lockout(plan(observe(cloud, p), p))


def test_self_lockout_when_the_assumed_role_has_a_path(cloud, aws) -> None:  # noqa: ANN001
    # An assumed-role ARN never shows the role's path: arn:aws:sts::<acct>:assumed-role/<Role>/<session>.
    aws.client("iam").create_role(RoleName="PathRole", Path="/team/ml/", AssumeRolePolicyDocument="{}")
    p = profile(access={"attach": {"users": [], "groups": [], "roles": ["PathRole"]}})
    _as_caller(cloud, "arn:aws:sts::123456789012:assumed-role/PathRole/ci-run-42")
    assert _lockout(plan(observe(cloud, p), p))


def test_self_lockout_as_an_assumed_role_refuses_apply_with_only_yes(monkeypatch, capsys, calls) -> None:  # noqa: ANN001
    """Through the CLI, so the test holds wherever the gate lives: --yes alone changes nothing."""
    import botocore.client

    from conftest import PROFILES
    from wizard import cli, sandbox

    original = botocore.client.BaseClient._make_api_call

    def caller(self, operation_name, api_params):  # noqa: ANN001, ANN202
        if operation_name == "GetCallerIdentity":
            return {"UserId": "AROAEXAMPLE:s", "Account": "123456789012",
                    "Arn": "arn:aws:sts::123456789012:assumed-role/StudioUsers/someone"}
        return original(self, operation_name, api_params)

    sandbox.start()
    try:
        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", caller)
        calls.clear()
        code = cli.main(["apply", str(PROFILES / "vpce.yaml"), "--demo", "--yes"])
        err = capsys.readouterr().err
        assert code == 5 and calls.mutating == []
        assert "attach targets" in err or "lockout" in err
    finally:
        sandbox.stop()


# ---------------------------------------------------------------- the stale-plan fingerprint

def _fingerprint(cloud, p) -> str:  # noqa: ANN001
    return plan(observe(cloud, p), p).fingerprint


STUDIO_SG = "sg-76b5210b55a304ef5"


def _change_group(aws, p) -> None:  # noqa: ANN001
    aws.client("ec2").create_security_group(GroupName=f"studio-vpce-{p.name}", VpcId=p.vpc_id, Description="x")


def _change_rule(aws, p) -> None:  # noqa: ANN001
    aws.client("ec2").authorize_security_group_ingress(GroupId=STUDIO_SG, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "IpRanges": [{"CidrIp": "10.20.0.0/16"}]}])


def _zone(aws, p, name: str = "studio.us-west-2.sagemaker.aws") -> str:  # noqa: ANN001
    return aws.client("route53").create_hosted_zone(Name=name, CallerReference=name, HostedZoneConfig={"PrivateZone": True},
                                                    VPC={"VPCRegion": "us-west-2", "VPCId": p.vpc_id})["HostedZone"]["Id"]


def _change_zone(aws, p) -> None:  # noqa: ANN001
    _zone(aws, p)


def _change_record(aws, p) -> None:  # noqa: ANN001
    zone = aws.client("route53").list_hosted_zones()["HostedZones"][0]["Id"]
    aws.client("route53").change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "*.studio.us-west-2.sagemaker.aws", "Type": "A", "TTL": 60,
                                                   "ResourceRecords": [{"Value": "10.20.1.9"}]}}]})


def _policy_arn(p) -> str:  # noqa: ANN001
    return f"arn:aws:iam::123456789012:policy/studio-vpce/{p.policy_name}"


def _change_policy_version(aws, p) -> None:  # noqa: ANN001
    aws.client("iam").create_policy_version(PolicyArn=_policy_arn(p), SetAsDefault=False, PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))


def _change_attachment(aws, p) -> None:  # noqa: ANN001
    aws.client("iam").attach_user_policy(UserName="carol", PolicyArn=_policy_arn(p))


def _change_dns_attribute(aws, p) -> None:  # noqa: ANN001
    aws.client("ec2").modify_vpc_attribute(VpcId=p.vpc_id, EnableDnsHostnames={"Value": False})


FINGERPRINTED = {"security group": _change_group, "rule": _change_rule, "zone": _change_zone,
                 "record": _change_record, "policy version": _change_policy_version, "attachment": _change_attachment,
                 "DNS attribute": _change_dns_attribute}


@pytest.mark.parametrize("what", list(FINGERPRINTED))
def test_fingerprint_moves_when_anything_the_plan_read_changes(cloud, aws, what: str) -> None:  # noqa: ANN001
    p = profile("hosted-zone", access={"attach": {"users": ["alice"], "groups": [], "roles": []}})
    if what == "record":
        _zone(aws, p)
    if what in ("policy version", "attachment"):
        aws.client("iam").create_policy(PolicyName=p.policy_name, Path="/studio-vpce/", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    before = _fingerprint(cloud, p)
    assert _fingerprint(cloud, p) == before  # nothing moved: same fingerprint
    FINGERPRINTED[what](aws, p)
    assert _fingerprint(cloud, p) != before, what


def test_a_saved_plan_is_refused_when_the_fingerprint_moved_with_a_dns_attribute(capsys, tmp_path, calls) -> None:  # noqa: ANN001
    from conftest import PROFILES
    from wizard import cli, sandbox

    sandbox.start()
    try:
        planfile = tmp_path / "plan.json"
        assert cli.main(["plan", str(PROFILES / "vpce.yaml"), "--demo", "--out", str(planfile)]) == 0
        ec2 = sandbox.demo_session("us-west-2").client("ec2")
        ec2.modify_vpc_attribute(VpcId="vpc-e330ccb17b3f6f8b1", EnableDnsSupport={"Value": False})
        calls.clear()
        assert cli.main(["apply", str(planfile), "--demo", "--yes"]) == 5
        assert "stale" in capsys.readouterr().err and calls.mutating == []
    finally:
        sandbox.stop()


# ---------------------------------------------------------------- destroy: only ours, in order

def test_destroy_leaves_lookalikes_not_tagged_as_this_profiles(cloud, aws) -> None:  # noqa: ANN001
    """A zone, a record, a policy and a security group with our names but not our tags all survive destroy."""
    p = profile("hosted-zone")
    ec2, iam, r53 = aws.client("ec2"), aws.client("iam"), aws.client("route53")
    group = ec2.create_security_group(GroupName=f"studio-vpce-{p.name}", VpcId=p.vpc_id, Description="theirs")["GroupId"]
    # a lookalike group is a plan error (never taken over), so the profile names its endpoint group explicitly
    shared = ec2.create_security_group(GroupName="shared-endpoints", VpcId=p.vpc_id, Description="x")["GroupId"]
    p = profile("hosted-zone", security_group={"id": shared})
    arn = iam.create_policy(PolicyName=p.policy_name, Path="/studio-vpce/", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
        Tags=[{"Key": "studio-vpce:profile", "Value": "someone-else"}])["Policy"]["Arn"]
    zone = _zone(aws, p, "api.sagemaker.us-west-2.amazonaws.com")
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone.split("/")[-1],
                                 AddTags=[{"Key": "studio-vpce:profile", "Value": "someone-else"}])
    assert apply(cloud, p).ok
    plan_d = plan_destroy(observe(cloud, p), p)
    deleted = {c.id for c in plan_d.changes if c.action == "delete" and c.type != "route53_record"}
    assert not deleted & {group, arn, zone.split("/")[-1]}
    assert destroy(cloud, p).ok
    assert group in [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Arn"] == arn
    assert [z["Id"] for z in r53.list_hosted_zones()["HostedZones"]] == [zone]


def test_destroy_detaches_before_deleting_the_policy_and_deletes_the_group_last(cloud, aws) -> None:  # noqa: ANN001
    p = profile("hosted-zone")
    assert apply(cloud, p).ok
    destroy_plan = plan_destroy(observe(cloud, p), p)
    arn = next(c.id for c in destroy_plan.changes if c.address == "iam_policy.access")
    aws.client("iam").attach_user_policy(UserName="carol", PolicyArn=arn)  # attached after the plan was made
    writes: list[tuple[str, dict]] = []
    cloud.on("provide-client-params.*.*", lambda params, model, **_: writes.append((model.name, dict(params)))
             if is_write(model.name) else None)
    assert Executor(cloud, destroy_plan).run().ok
    ops = [op for op, _ in writes]
    detached = [params.get("UserName") for op, params in writes if op == "DetachUserPolicy"]
    assert sorted(detached) == ["alice", "carol"]  # AWS refuses to delete an attached policy (moto does not)
    assert max(i for i, op in enumerate(ops) if op.startswith("Detach")) < ops.index("DeletePolicy")
    assert ops[-1] == "DeleteSecurityGroup" and ops.count("DeleteSecurityGroup") == 1
    assert max(i for i, op in enumerate(ops) if op == "DeleteVpcEndpoints") < ops.index("DeleteSecurityGroup")
    assert max(i for i, op in enumerate(ops) if op == "DeleteHostedZone") < ops.index("DeleteVpcEndpoints")


# ---------------------------------------------------------------- dns.fix_vpc_attributes

ANALYTICS = {"vpc_id": "vpc-8835a48a96ffd84bf", "subnet_ids": ["subnet-ccb2a18a7413d6791"], "domain_id": "d-lab",
             "access": {"mode": "none"}, "dns": {"fix_vpc_attributes": True}}


def test_vpc_attribute_fix_comes_first_in_two_separate_calls_and_is_verified(cloud, aws) -> None:  # noqa: ANN001
    p = profile(**ANALYTICS)
    ec2 = aws.client("ec2")
    ec2.modify_vpc_attribute(VpcId=p.vpc_id, EnableDnsSupport={"Value": False})  # both off now
    writes: list[tuple[str, dict]] = []
    reads_after_modify: list[str] = []

    def record(params, model, **_):  # noqa: ANN001, ANN003, ANN202
        if is_write(model.name):
            writes.append((model.name, dict(params)))
        elif model.name == "DescribeVpcAttribute" and writes:
            reads_after_modify.append(params["Attribute"])

    cloud.on("provide-client-params.*.*", record)
    assert apply(cloud, p).ok
    assert [op for op, _ in writes[:2]] == ["ModifyVpcAttribute", "ModifyVpcAttribute"]
    assert [set(params) - {"VpcId"} for _, params in writes[:2]] == [{"EnableDnsSupport"}, {"EnableDnsHostnames"}]
    assert all(list(params.values())[-1] == {"Value": True} for _, params in writes[:2])
    assert "ModifyVpcAttribute" not in [op for op, _ in writes[2:]]
    assert reads_after_modify[:2] == ["enableDnsSupport", "enableDnsHostnames"]  # read back after each change
    for attribute, key in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")):
        assert ec2.describe_vpc_attribute(VpcId=p.vpc_id, Attribute=attribute)[key]["Value"] is True


def test_vpc_attribute_fix_that_does_not_take_stops_apply(cloud, aws) -> None:  # noqa: ANN001
    """ModifyVpcAttribute answered but the attribute is still off (e.g. an SCP): apply stops, naming it."""
    from botocore.awsrequest import AWSResponse

    p = profile(**ANALYTICS)
    cloud.on("before-call.ec2.ModifyVpcAttribute",
             lambda **_: (AWSResponse("https://ec2.invalid/", 200, {}, None), {}))
    result = apply(cloud, p)
    assert not result.ok and "enableDnsHostnames" in str(result.error)
    assert result.not_done[0] == "vpc_attribute.enableDnsHostnames"


# ---------------------------------------------------------------- Studio's security groups

def test_domain_settings_and_default_space_settings_security_groups_are_https_sources(cloud, aws) -> None:  # noqa: ANN001
    """DomainSettings.SecurityGroupIds and DefaultSpaceSettings.SecurityGroups count, not only DefaultUserSettings
    (shared spaces' apps use the latter; moto drops both: a hook adds them)."""
    p = profile()
    extra = aws.client("ec2").create_security_group(GroupName="studio-domain-level", VpcId=p.vpc_id,
                                                    Description="x")["GroupId"]
    spaces = aws.client("ec2").create_security_group(GroupName="studio-space-default", VpcId=p.vpc_id,
                                                     Description="x")["GroupId"]

    def domain_settings(parsed, **_):  # noqa: ANN001, ANN003, ANN202
        parsed["DomainSettings"] = {"SecurityGroupIds": [extra]}
        parsed["DefaultSpaceSettings"] = {"SecurityGroups": [spaces]}

    cloud.on("after-call.sagemaker.DescribeDomain", domain_settings)
    result = plan(observe(cloud, p), p)
    sources = sorted(c.after["source"] for c in result.changes if c.type == "security_group_rule")
    assert sources == sorted([extra, spaces, STUDIO_SG])


# ---------------------------------------------------------------- verify names the failing check

def _verify(cloud, p, user_profile: str | None = None) -> dict[str, bool]:  # noqa: ANN001
    from wizard.verify import verify

    checks, _ = verify(cloud, p, user_profile)
    return {c.name: c.ok for c in checks if not c.advisory}


def test_verify_fails_naming_https_when_443_is_missing_from_the_endpoint_group(cloud, aws) -> None:  # noqa: ANN001
    p = profile()
    result = apply(cloud, p)
    assert result.ok and _verify(cloud, p)[f"https_from_{STUDIO_SG}_to_studio"]
    aws.client("ec2").revoke_security_group_ingress(GroupId=result.ids["security_group.endpoints"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": STUDIO_SG, "Description": "SageMaker Studio HTTPS"}]}])
    assert _verify(cloud, p)[f"https_from_{STUDIO_SG}_to_studio"] is False


def test_verify_fails_naming_private_dns_when_it_is_off(cloud) -> None:  # noqa: ANN001
    p = profile()
    assert apply(cloud, p).ok and _verify(cloud, p)["endpoint_studio_private_dns"]

    def dns_off(parsed, **_):  # noqa: ANN001, ANN003, ANN202
        for endpoint in parsed.get("VpcEndpoints", []):  # moto ignores PrivateDnsEnabled=False on modify
            endpoint["PrivateDnsEnabled"] = False

    cloud.on("after-call.ec2.DescribeVpcEndpoints", dns_off)
    assert _verify(cloud, p)["endpoint_studio_private_dns"] is False


def test_verify_fails_naming_the_record_that_points_elsewhere(cloud, aws) -> None:  # noqa: ANN001
    p = profile("hosted-zone")
    result = apply(cloud, p)
    assert result.ok and _verify(cloud, p)["record_api"]
    aws.client("route53").change_resource_record_sets(HostedZoneId=result.ids["hosted_zone.api"], ChangeBatch={
        "Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": "api.sagemaker.us-west-2.amazonaws.com", "Type": "A", "AliasTarget": {
                "HostedZoneId": "Z1H1FL5HABSF5", "DNSName": "elsewhere.example.com", "EvaluateTargetHealth": False}}}]})
    checks = _verify(cloud, p)
    assert checks["record_api"] is False and checks["record_studio"] is True


def test_verify_fails_naming_the_identity_policy_when_its_document_drifted(cloud, aws) -> None:  # noqa: ANN001
    p = profile()
    result = apply(cloud, p)
    assert result.ok and _verify(cloud, p)["identity_policy"]
    aws.client("iam").create_policy_version(PolicyArn=result.ids["iam_policy.access"], SetAsDefault=True,
                                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                                                {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}]}))
    assert _verify(cloud, p)["identity_policy"] is False


def test_verify_fails_naming_the_endpoint_policy_when_it_drifted(cloud, aws) -> None:  # noqa: ANN001
    p = profile()
    result = apply(cloud, p)
    assert result.ok and _verify(cloud, p)["endpoint_studio_policy"]
    aws.client("ec2").modify_vpc_endpoint(VpcEndpointId=result.ids["vpc_endpoint.studio"], PolicyDocument=json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sagemaker:CreateApp", "Resource": "*"}]}))
    assert _verify(cloud, p)["endpoint_studio_policy"] is False


def test_verify_fails_naming_the_missing_attachment(cloud, aws) -> None:  # noqa: ANN001
    p = profile()
    result = apply(cloud, p)
    assert result.ok and _verify(cloud, p)["attachment_user_bob"]
    aws.client("iam").detach_user_policy(UserName="bob", PolicyArn=result.ids["iam_policy.access"])
    checks = _verify(cloud, p)
    assert checks["attachment_user_bob"] is False and checks["attachment_user_alice"] is True


def test_verify_fails_naming_the_user_profile_that_is_not_in_service(cloud, aws) -> None:  # noqa: ANN001
    from botocore.awsrequest import AWSResponse

    p = profile()
    assert apply(cloud, p).ok and _verify(cloud, p, "alice")["user_profile"]
    aws.events.unregister("before-call.sagemaker.DescribeUserProfile", unique_id="sandbox-describe-user-profile")
    cloud._clients.clear()  # clients copy the session's handlers when made
    cloud.on("before-call.sagemaker.DescribeUserProfile", lambda **_: (
        AWSResponse("https://sagemaker.invalid/", 200, {}, None), {"UserProfileName": "alice", "Status": "Pending"}))
    assert _verify(cloud, p, "alice")["user_profile"] is False


# ---------------------------------------------------------------- waiting and retrying

def test_endpoints_pending_for_several_polls_go_through_the_wait_loop(cloud) -> None:  # noqa: ANN001
    """Only the wait loop's polls (by endpoint id) answer pending: plan-time reads cannot use the answers up."""
    from wizard.executor import Event

    polls = {"n": 0}

    def by_id(params, context, **_):  # noqa: ANN001, ANN003, ANN202
        context["by_id"] = bool(params.get("VpcEndpointIds"))

    def pending(parsed, context, **_):  # noqa: ANN001, ANN003, ANN202
        if not context.get("by_id"):
            return
        polls["n"] += 1
        for endpoint in parsed.get("VpcEndpoints", []):
            endpoint["State"] = "pending" if polls["n"] <= 3 else "available"

    cloud.on("provide-client-params.ec2.DescribeVpcEndpoints", by_id)
    cloud.on("after-call.ec2.DescribeVpcEndpoints", pending)
    events: list[Event] = []
    p = profile()
    result = Executor(cloud, plan(observe(cloud, p), p), on_event=events.append).run()
    assert result.ok, result.error
    assert polls["n"] >= 4
    assert sum(1 for e in events if e.kind == "wait") == 3
    assert result.done.index("wait.vpc_endpoints") < result.done.index("iam_policy.access")


def test_endpoint_not_found_right_after_create_is_eventual_consistency_not_a_failure(cloud) -> None:  # noqa: ANN001
    """DescribeVpcEndpoints by id may answer InvalidVpcEndpointId.NotFound just after CreateVpcEndpoint (AWS is
    eventually consistent; moto never does): the wait polls again instead of failing the apply."""
    from types import SimpleNamespace

    answered = {"not_found": 0}

    def by_id(params, context, **_):  # noqa: ANN001, ANN003, ANN202
        context["by_id"] = bool(params.get("VpcEndpointIds"))

    def not_found_first(context, **_):  # noqa: ANN001, ANN003, ANN202
        if context.get("by_id") and answered["not_found"] < 2:
            answered["not_found"] += 1
            return SimpleNamespace(status_code=400, headers={}, raw=None, content=b""), {
                "Error": {"Code": "InvalidVpcEndpointId.NotFound", "Message": "The Vpc Endpoint Id does not exist"},
                "ResponseMetadata": {"HTTPStatusCode": 400}}
        return None

    cloud.on("provide-client-params.ec2.DescribeVpcEndpoints", by_id)
    cloud.on("before-call.ec2.DescribeVpcEndpoints", not_found_first)
    p = profile()
    result = Executor(cloud, plan(observe(cloud, p), p)).run()
    assert result.ok, result.error
    assert answered["not_found"] == 2 and "wait.vpc_endpoints" in result.done


def test_botocore_retries_throttling_three_attempts_counted_at_an_http_stub(monkeypatch) -> None:  # noqa: ANN001
    """Standard retry mode, really: an HTTP server answers Throttling and counts the attempts."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import boto3
    import botocore.retries.standard

    from wizard.cloud import Cloud
    from wizard.errors import AwsError

    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    state = {"attempts": 0, "fail": 99}
    ok = (b"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/x</Arn>"
          b"<UserId>AIDAX</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>")
    throttled = (b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
                 b"</Error><RequestId>r</RequestId></ErrorResponse>")

    class Stub(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state["attempts"] += 1
            body, status = (throttled, 400) if state["attempts"] <= state["fail"] else (ok, 200)
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        cloud = Cloud("us-west-2", session=boto3.Session(region_name="us-west-2"), endpoint_url=url)
        with pytest.raises(AwsError) as failure:
            cloud.call("sts", "get_caller_identity")
        assert failure.value.code == "Throttling" and state["attempts"] == 3  # standard mode: 3 attempts
        state.update(attempts=0, fail=2)
        assert cloud.call("sts", "get_caller_identity")["Account"] == "123456789012"
        assert state["attempts"] == 3
    finally:
        server.shutdown()


# ---------------------------------------------------------------- presigned URLs never leak

LOGIN_TOKEN = "SECRETLOGINTOKEN0123456789abcdef"


@pytest.fixture
def presigning_proxy(moto_server: str):  # noqa: ANN201
    """An HTTP stub in front of the moto server: it answers the two SageMaker calls moto lacks (with a URL that
    carries a login token, as AWS does) and forwards everything else. The CLI reaches it with --endpoint-url."""
    import threading
    import urllib.error
    import urllib.request
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from conftest import reset_and_seed

    upstream = reset_and_seed(moto_server)
    answers = {
        "SageMaker.DescribeUserProfile": {"DomainId": "d-research", "UserProfileName": "alice", "Status": "InService"},
        "SageMaker.CreatePresignedDomainUrl": {
            "AuthorizedUrl": f"https://d-research.studio.us-west-2.sagemaker.aws/auth?token={LOGIN_TOKEN}"},
    }

    class Proxy(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            target = self.headers.get("X-Amz-Target", "")
            if target in answers:
                status, headers, data = 200, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(
                    answers[target]).encode()
            else:
                request = urllib.request.Request(upstream + self.path, data=body or None, method=self.command, headers={
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")})
                try:
                    with urllib.request.urlopen(request) as response:
                        status, headers, data = response.status, dict(response.headers), response.read()
                except urllib.error.HTTPError as error:
                    status, headers, data = error.code, dict(error.headers), error.read()
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_presigned_url_token_never_reaches_logs_stdout_or_files(
        presigning_proxy, capfd, caplog, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """The real path: a URL in an HTTP response body, parsed by botocore, with --debug logging every body."""
    from conftest import PROFILES
    from wizard import cli

    monkeypatch.chdir(tmp_path)
    profile_file = tmp_path / "vpce.yaml"
    profile_file.write_text((PROFILES / "vpce.yaml").read_text())
    url = ["--endpoint-url", presigning_proxy]
    assert cli.main(["apply", str(profile_file), "--yes", *url]) == 0
    capfd.readouterr()
    code = cli.main(["verify", str(profile_file), "--user-profile", "alice", "--presigned-url", "--show-url", "--debug",
                     *url])
    out, err = capfd.readouterr()
    assert code == 0, out
    assert "presigned_url" in out and "d-research.studio.us-west-2.sagemaker.aws" in out  # the host, and only that
    assert "Response body" in err  # botocore's debug log ran over the response that carried the URL...
    assert LOGIN_TOKEN not in out and LOGIN_TOKEN not in err and LOGIN_TOKEN not in caplog.text  # ...and hid it
    written = [f for f in tmp_path.rglob("*") if f.is_file()]
    assert written and not [f for f in written if LOGIN_TOKEN in f.read_text(errors="replace")]


# ---------------------------------------------------------------- credentials never leak into --debug logs

def test_redact_hides_botocore_header_bytes_and_signing_lines() -> None:
    """botocore logs headers as a dict of bytes and the canonical request as lines (found by a new user: the
    b'...' form kept the session token)."""
    from wizard.cloud import redact

    logged = ("{'X-Amz-Security-Token': b'FwoGZXIvYXdzEXAMPLETOKEN', 'Authorization': b'AWS4-HMAC-SHA256 "
              "Credential=ASIAIOSFODNN7EXAMPLE/20261129/us-west-2/sts/aws4_request, Signature=0badc0ffee'}\n"
              "x-amz-security-token:FwoGZXIvYXdzEXAMPLETOKEN\n")
    text = redact(logged)
    assert "FwoGZXIvYXdzEXAMPLETOKEN" not in text and "ASIAIOSFODNN7EXAMPLE" not in text and "0badc0ffee" not in text


def test_debug_log_carries_no_secret_key_or_session_token(moto_server, capfd, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Credentials from a credentials file (not the environment), a session token, --debug logging every
    request: neither the secret key nor the token reaches stderr or stdout."""
    from conftest import reset_and_seed
    from wizard import cli

    url = reset_and_seed(moto_server)
    secret, token = "s3cr3tKEYnotInEnv0123456789", "T0KENnotInEnvIQoJb3JpZ2luX2VjE"
    credentials = tmp_path / "credentials"
    credentials.write_text(f"[leaky]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = {secret}\n"
                           f"aws_session_token = {token}\n")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    code = cli.main(["--debug", "discover", "--endpoint-url", url, "--region", "us-west-2", "--aws-profile", "leaky"])
    out, err = capfd.readouterr()
    assert code == 0, err[-2000:]
    assert "X-Amz-Security-Token" in err  # the signed headers were logged...
    assert secret not in out + err and token not in out + err  # ...without the secrets
    from wizard.cloud import redact

    # ...and the session's own values are redacted literally, in a form no pattern knows (a new log format)
    assert secret not in redact(f"<{secret}|{token}>") and token not in redact(f"<{secret}|{token}>")


def test_redact_hides_remembered_secrets_literally_in_any_format() -> None:
    """A pattern can miss a new log format; the session's secret key and token are redacted as literals."""
    from wizard.cloud import redact, remember_secrets

    secret, token = "LiteralSecretKey0123456789abcdef", "LiteralSessionTokenIQoJb3JpZ2lu"
    remember_secrets(secret, token)
    text = redact(f"odd header ({secret}); token in a list: [{token}]")
    assert secret not in text and token not in text and text.count("<redacted>") == 2


@pytest.mark.parametrize(("now", "stopped", "targeted", "effect", "said"), [
    (False, True, True, "allow", "from outside now: no; after apply: still no (only from inside the VPC)"),
    (True, True, True, "allow", ("from outside now: yes; after apply: no: this profile stops it (only from inside "
                                "the VPC)")),
    (True, False, True, "allow", ("from outside now: yes; after apply: STILL YES (another policy allows it without "
                                 "the network condition; access.effect: deny would stop it)")),
    (True, False, False, "deny", ("from outside now: yes; after apply: STILL YES (not an attach target of this "
                                 "profile)")),
    (None, True, True, "deny", "from outside now: cannot tell; after apply: no (only from inside the VPC)"),
    (True, None, True, "allow", "from outside now: yes; after apply: cannot tell"),
])
def test_who_can_open_studio_says_still_no_for_a_target_closed_before_and_after(
        now: bool | None, stopped: bool | None, targeted: bool, effect: str, said: str) -> None:
    """The Preview's "Who can open Studio" said "now: no; after apply: stopped" for a target that could not
    open Studio from outside before either; each pair of answers has its own words (wizard/render.py)."""
    from wizard.iam_eval import PrincipalAccess
    from wizard.render import outside_access_line

    row = PrincipalAccess(arn="arn:aws:iam::123456789012:user/alice", type="user", name="alice",
                          from_anywhere=now, allowed_by=(), stopped_by_profile=stopped, targeted=targeted)
    assert outside_access_line(row, profile("subnet", access={"effect": effect})) == f"user alice: {said}"


def test_a_reused_endpoints_update_names_what_it_takes_away(cloud, aws) -> None:  # noqa: ANN001
    """Found by a trial (7): an endpoint made outside studio-vpce was shown as "(reused: subnet_ids, policy,
    security_group_ids differ)"; apply then took a subnet and its own policy away from it, named nowhere but in
    --output json. The plan line says each: subnets and groups taken off and added, the policy replaced."""
    from wizard.render import plan_text

    p = profile()
    foreign = aws.client("ec2").create_vpc_endpoint(
        VpcId=p.vpc_id, ServiceName="com.amazonaws.us-west-2.sagemaker.api", VpcEndpointType="Interface",
        SubnetIds=["subnet-d2c4c194b1dbc4b3d"], PrivateDnsEnabled=True, PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sagemaker:*",
                                                     "Resource": "*"}]}))["VpcEndpoint"]["VpcEndpointId"]
    result = plan(observe(cloud, p), p)
    api = next(c for c in result.changes if c.id == foreign)
    said = ("subnets -subnet-d2c4c194b1dbc4b3d +subnet-1c535523a350b2a6d +subnet-fcae4f85ccdd1756c; groups "
            "+the profile group; its own policy -> no policy (full access)")
    assert (api.action, api.reason, api.outside) == ("update", said, True)
    assert f"[{foreign}]  (not created by studio-vpce: {said})" in plan_text(result)


def test_changes_to_what_studio_vpce_did_not_create_carry_the_planners_outside_field(cloud, aws) -> None:  # noqa: ANN001
    """The confirmations (the wizard's window, the CLI's typed-yes question) told a change to a resource
    studio-vpce did not create by its reason's "reused: " prefix. The planner now sets Change.outside (also
    "outside" in the plan JSON, an extra key) on each, and the front ends read that: the CLI's question names
    them, and its plan lines say so from the field, whatever the reason's words."""
    import dataclasses

    from wizard.cli import confirm_question
    from wizard.planner import plan_destroy
    from wizard.render import plan_json, plan_text

    p = profile(dns={"fix_vpc_attributes": True})
    foreign = aws.client("ec2").create_vpc_endpoint(
        VpcId=p.vpc_id, ServiceName="com.amazonaws.us-west-2.sagemaker.api", VpcEndpointType="Interface",
        SubnetIds=[p.subnet_ids[0]], PrivateDnsEnabled=True)["VpcEndpoint"]["VpcEndpointId"]
    inv = observe(cloud, p)
    inv = dataclasses.replace(inv, vpcs=tuple(dataclasses.replace(v, dns_hostnames=False) if v.id == p.vpc_id else v
                                              for v in inv.vpcs))
    result = plan(inv, p)
    outside = {c.address for c in result.changes if c.outside and c.action != "no-op"}
    assert outside == {"vpc_endpoint.api", "vpc_attribute.enableDnsHostnames"}, result.changes
    assert all(not c.outside for c in result.changes if c.action == "create")  # what it makes is its own
    assert {c["address"] for c in plan_json(result)["changes"] if c["outside"] and c["action"] != "no-op"} == outside
    question = confirm_question(result, "apply")
    assert question.endswith(f" Of these, 2 change what studio-vpce did not create: vpc_attribute.enableDnsHostnames "
                             f"{p.vpc_id}, vpc_endpoint.api {foreign}."), question
    worded = dataclasses.replace(result, changes=tuple(dataclasses.replace(c, reason="x") for c in result.changes))
    assert "[" + foreign + "]  (not created by studio-vpce: x)" in plan_text(worded)  # the field, not the words
    assert "Of these" not in confirm_question(dataclasses.replace(result, changes=tuple(
        dataclasses.replace(c, outside=False) for c in result.changes)), "apply")
    assert Executor(cloud, plan(observe(cloud, p), p)).run().ok
    destroy = plan_destroy(observe(cloud, p), p)
    assert [c.address for c in destroy.changes if c.outside] == ["vpc_endpoint.api"]
    assert "Of these, 1 changes what studio-vpce did not create: vpc_endpoint.api" in confirm_question(destroy, "destroy")


def test_switching_to_a_given_security_group_deletes_the_profiles_old_one(cloud, aws) -> None:  # noqa: ANN001
    """Found by a trial (7): a deployed profile switched to `security_group.id` moved its endpoints, left the
    group it had made, and plan then said 0 changes. The old group is deleted once the endpoints are off it."""
    p = profile()
    assert Executor(cloud, plan(observe(cloud, p), p)).run().ok
    ec2 = aws.client("ec2")
    old = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"studio-vpce-{p.name}"]}])
    old_id = old["SecurityGroups"][0]["GroupId"]
    given = profile(security_group={"id": "sg-76b5210b55a304ef5"})
    switch = plan(observe(cloud, given), given)
    deletes = [(c.address, c.id) for c in switch.changes if c.action == "delete"]
    assert deletes == [("security_group.endpoints", old_id)]
    order = [c.address for c in switch.changes]
    moved = [i for i, c in enumerate(switch.changes) if c.type == "vpc_endpoint" and c.action == "update"]
    assert moved and order.index("security_group.endpoints") > max(moved)  # once the endpoints are off it
    assert Executor(cloud, switch).run().ok
    assert not ec2.describe_security_groups(Filters=[{"Name": "group-id", "Values": [old_id]}])["SecurityGroups"]
    assert not plan(observe(cloud, given), given).has_changes


def test_a_name_tag_in_the_profile_names_every_resource_alike(cloud) -> None:  # noqa: ANN001
    """Found by a trial (7): `tags: {Name: custom}` went on the IAM policy but was silently replaced by the tool's
    own Name on the security group and the endpoints. The profile's Name now names every resource."""
    p = profile(tags={"Name": "custom", "team": "research"})
    tagged = [c for c in plan(observe(cloud, p), p).changes if c.action == "create" and "tags" in c.after]
    assert {c.type for c in tagged} >= {"security_group", "vpc_endpoint", "iam_policy"}
    assert {c.after["tags"]["Name"] for c in tagged} == {"custom"}
    assert all(c.after["tags"]["team"] == "research" for c in tagged)


def test_destroy_counts_the_endpoint_azs_it_stops_billing_and_says_the_vpc_attributes_stay_on(cloud) -> None:  # noqa: ANN001
    """Found by a trial (9): destroy of two endpoints in two AZs and two zones said "adds 0 endpoint-AZ(s) ...,
    removes 2 private hosted zone(s): saves about $1.00/month" (an endpoint's delete did not carry its subnets);
    destroy of profiles/vpce.yaml printed no cost line at all. Also (a trial note): destroy never said that the VPC
    attributes dns.fix_vpc_attributes may have turned on stay on."""
    from wizard.cost import ENDPOINT_AZ_HOUR_USD, HOSTED_ZONE_MONTH_USD, HOURS_PER_MONTH, estimate
    from wizard.render import plan_text

    p = profile("hosted-zone", dns={"fix_vpc_attributes": True})
    assert apply(cloud, p).ok
    removal = plan_destroy(observe(cloud, p), p)
    assert [w.message.split(" (")[0] for w in removal.warnings if w.code == "left_alone"] == [
        f"{p.vpc_id} keeps enableDnsSupport and enableDnsHostnames on"]
    cost = estimate(removal)
    assert (cost.endpoint_azs, cost.hosted_zones) == (-4, -2)
    assert cost.monthly_usd == -round(4 * HOURS_PER_MONTH * ENDPOINT_AZ_HOUR_USD + 2 * HOSTED_ZONE_MONTH_USD, 2)
    assert "removes 4 endpoint-AZ(s)" in plan_text(removal, destroy=True)
    fewer = profile("hosted-zone", endpoints={"api": False})  # "no longer in the profile": its AZs counted too
    assert estimate(plan(observe(cloud, fewer), fewer)).endpoint_azs == -2
