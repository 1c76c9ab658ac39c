"""Rules a mutation run showed untested (issue 11): each test is named after the rule and fails when it breaks."""

from __future__ import annotations

import botocore.exceptions

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
