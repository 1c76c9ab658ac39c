"""Right on real AWS, not only on moto: Route 53's escaped names, zones another account owns, partitions,
hosted-zone DNS for every endpoint. moto answers as AWS does here (tests/conftest.py rewrites its answers)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import boto3
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from conftest import profile
from wizard import discovery, readiness
from wizard.cloud import Cloud
from wizard.discovery import observe
from wizard.executor import Executor
from wizard.models import (
    Caller,
    Change,
    Domain,
    HostedZone,
    Inventory,
    Plan,
    RouteTable,
    Service,
    Subnet,
    Vpc,
)
from wizard.names import decode_dns_name, match_service, service_names, zone_and_record
from wizard.planner import plan

ROOT = Path(__file__).resolve().parent.parent
FOREIGN_ACCOUNT = "111122223333"


def _apply(cloud, p) -> None:  # noqa: ANN001
    result = Executor(cloud, plan(observe(cloud, p), p)).run()
    assert result.ok, result.error


# ---------------------------------------------------------------- 1. Route 53 escapes names

def test_route53_octal_escapes_are_decoded() -> None:
    assert decode_dns_name("\\052.studio.us-west-2.sagemaker.aws.") == "*.studio.us-west-2.sagemaker.aws"
    assert decode_dns_name("API.sagemaker.us-west-2.amazonaws.com.") == "api.sagemaker.us-west-2.amazonaws.com"
    assert decode_dns_name("a\\100b.example.") == "a@b.example"


def test_the_test_account_answers_route53_names_as_aws_does(cloud, aws) -> None:  # noqa: ANN001
    """Guards the harness itself: without the rewrite the tests below would not see AWS's form."""
    _apply(cloud, profile("hosted-zone"))
    r53 = aws.client("route53")
    zone = next(z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"].startswith("studio."))
    names = {r["Name"] for r in r53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]}
    assert "\\052.studio.us-west-2.sagemaker.aws." in names


def test_hosted_zone_plan_is_a_no_op_after_apply_with_routes_53s_escaped_names(cloud) -> None:  # noqa: ANN001
    p = profile("hosted-zone")
    _apply(cloud, p)
    again = plan(observe(cloud, p), p)
    assert [(c.action, c.address) for c in again.changes if c.action != "no-op"] == []
    records = {c.after["name"] for c in again.changes if c.type == "route53_record"}
    assert "*.studio.us-west-2.sagemaker.aws" in records


# ---------------------------------------------------------------- 3. every endpoint resolvable in hosted-zone mode

def test_hosted_zone_mode_gives_every_extra_interface_endpoint_a_zone_and_alias(cloud) -> None:  # noqa: ANN001
    p = profile("hosted-zone", endpoints={"extra": ["sts", "logs", "sagemaker.runtime", "s3"]})
    first = plan(observe(cloud, p), p)
    zones = {c.address: c.after["name"] for c in first.changes if c.type == "hosted_zone"}
    assert zones["hosted_zone.sts"] == "sts.us-west-2.amazonaws.com"
    assert zones["hosted_zone.logs"] == "logs.us-west-2.amazonaws.com"
    assert "hosted_zone.sagemaker.runtime" in zones and "hosted_zone.s3" not in zones  # s3: a gateway, no DNS
    records = {c.address: c.after["name"] for c in first.changes if c.type == "route53_record"}
    assert records["route53_record.sts"] == "sts.us-west-2.amazonaws.com"
    _apply(cloud, p)
    again = plan(observe(cloud, p), p)
    assert [c.address for c in again.changes if c.action != "no-op"] == []
    assert not [w for w in again.warnings if w.code.startswith("readiness_")]


def test_hosted_zone_associations_cover_the_extra_zones_too(cloud) -> None:  # noqa: ANN001
    p = profile("hosted-zone", endpoints={"extra": ["sts"]},
                dns={"mode": "hosted-zone", "associate_vpc_ids": ["vpc-8835a48a96ffd84bf"]})
    result = plan(observe(cloud, p), p)
    assert "hosted_zone_association.sts.vpc-8835a48a96ffd84bf" in {c.address for c in result.changes}
    _apply(cloud, p)
    assert not plan(observe(cloud, p), p).has_changes


def test_readiness_counts_an_endpoint_whose_name_does_not_resolve_as_missing(cloud, aws) -> None:  # noqa: ANN001
    p = profile("vpce")  # private-dns mode; sts is not in the profile
    ec2 = aws.client("ec2")
    ec2.create_vpc_endpoint(VpcId=p.vpc_id, ServiceName="com.amazonaws.us-west-2.sts", VpcEndpointType="Interface",
                            SubnetIds=list(p.subnet_ids), PrivateDnsEnabled=False)
    inv = observe(cloud, p)
    codes = {f.code for f in readiness.report(inv, p)}
    assert "readiness_sts_unresolvable" in codes
    # the same endpoint with private DNS on resolves: the finding goes
    resolving = tuple(dataclasses.replace(e, private_dns=True) if e.service.endswith(".sts") else e
                      for e in inv.endpoints)
    assert "readiness_sts_unresolvable" not in {f.code for f in readiness.report(
        dataclasses.replace(inv, endpoints=resolving), p)}


def test_readiness_takes_a_private_hosted_zone_alias_as_resolving(cloud, aws) -> None:  # noqa: ANN001
    p = profile("vpce")
    endpoint = aws.client("ec2").create_vpc_endpoint(
        VpcId=p.vpc_id, ServiceName="com.amazonaws.us-west-2.sts", VpcEndpointType="Interface",
        SubnetIds=list(p.subnet_ids), PrivateDnsEnabled=False)["VpcEndpoint"]
    r53 = aws.client("route53")
    zone = r53.create_hosted_zone(Name="sts.us-west-2.amazonaws.com", CallerReference="sts-by-hand",
                                  VPC={"VPCRegion": "us-west-2", "VPCId": p.vpc_id},
                                  HostedZoneConfig={"PrivateZone": True})["HostedZone"]["Id"]
    entry = endpoint["DnsEntries"][0]
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
        "Name": "sts.us-west-2.amazonaws.com", "Type": "A", "AliasTarget": {
            "HostedZoneId": entry["HostedZoneId"], "DNSName": entry["DnsName"], "EvaluateTargetHealth": False}}}]})
    assert "readiness_sts_unresolvable" not in {f.code for f in readiness.report(observe(cloud, p), p)}


# ---------------------------------------------------------------- 4. zones another account owns

def _error(code: str, message: str, status: int = 403) -> tuple[AWSResponse, dict]:
    return (AWSResponse("https://route53.amazonaws.com/", status, {}, None),
            {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}})


def _foreign_zone(aws: boto3.Session, name: str, owner: dict[str, str], zone_id: str = "Z0FOREIGN0000000000") -> None:
    """ListHostedZonesByVPC as AWS answers in hub-and-spoke DNS: a zone of another account, listed with its owner;
    that zone's tags, records and details are not readable from this account."""

    def add_summary(parsed: dict, **_: object) -> None:
        parsed.setdefault("HostedZoneSummaries", []).append(
            {"HostedZoneId": zone_id, "Name": f"{name}.", "Owner": owner})

    def refuse(params: dict, **_: object):  # noqa: ANN202
        if zone_id in str(params.get("url_path", "")):
            return _error("AccessDenied", f"User is not authorized to access hostedzone/{zone_id}")
        return None

    aws.events.register("after-call.route-53.ListHostedZonesByVPC", add_summary)
    for operation in ("ListTagsForResource", "ListResourceRecordSets", "GetHostedZone"):
        aws.events.register(f"before-call.route-53.{operation}", refuse)


def test_zone_of_another_account_is_not_read_and_is_a_plan_error_naming_the_owner(cloud, aws) -> None:  # noqa: ANN001
    p = profile("hosted-zone")
    _foreign_zone(aws, "api.sagemaker.us-west-2.amazonaws.com", {"OwningAccount": FOREIGN_ACCOUNT})
    inv = observe(cloud, p)  # no AccessDenied: the foreign zone's tags and records are not read
    zone = next(z for z in inv.hosted_zones if z.name == "api.sagemaker.us-west-2.amazonaws.com")
    assert zone.owner_account == FOREIGN_ACCOUNT and zone.tags == () and zone.records == ()
    result = plan(inv, p)
    error = next(e for e in result.errors if e.code == "hosted_zone_foreign")
    assert FOREIGN_ACCOUNT in error.message and "disassociate-vpc-from-hosted-zone" in error.message
    assert "hosted_zone.api" not in {c.address for c in result.changes}  # no second zone, no records into theirs


def test_zone_of_another_account_blocks_private_dns_and_says_whose(cloud, aws) -> None:  # noqa: ANN001
    p = profile("vpce")
    _foreign_zone(aws, "api.sagemaker.us-west-2.amazonaws.com", {"OwningAccount": FOREIGN_ACCOUNT})
    error = next(e for e in plan(observe(cloud, p), p).errors if e.code == "conflicting_dns_domain")
    assert FOREIGN_ACCOUNT in error.message


def test_zone_owned_by_an_aws_service_is_not_read(cloud, aws) -> None:  # noqa: ANN001
    p = profile("hosted-zone")
    _foreign_zone(aws, "studio.us-west-2.sagemaker.aws", {"OwningService": "servicediscovery.amazonaws.com"})
    result = plan(observe(cloud, p), p)
    error = next(e for e in result.errors if e.code == "hosted_zone_foreign")
    assert "servicediscovery.amazonaws.com" in error.message


def test_unrelated_foreign_zones_are_skipped_without_a_call(cloud, aws, calls) -> None:  # noqa: ANN001
    p = profile("hosted-zone")
    _foreign_zone(aws, "corp.example.com", {"OwningAccount": FOREIGN_ACCOUNT})
    assert not plan(observe(cloud, p), p).errors


# ---------------------------------------------------------------- 5. partitions

CN = "cn-north-1"
CN_SERVICES = (
    Service(f"cn.com.amazonaws.{CN}.sagemaker.api", (f"{CN}a", f"{CN}b"), None,
            f"api.sagemaker.{CN}.amazonaws.com.cn", ("Interface",)),
    Service(f"aws.sagemaker.{CN}.studio", (f"{CN}a", f"{CN}b"), None, f"*.studio.{CN}.sagemaker.com.cn",
            ("Interface",)),
    Service(f"cn.com.amazonaws.{CN}.sts", (f"{CN}a", f"{CN}b"), None, "", ("Interface",)),
    Service(f"com.amazonaws.{CN}.s3", (f"{CN}a", f"{CN}b"), None, "", ("Gateway",)),
    Service(f"cn.com.amazonaws.{CN}.s3", (f"{CN}a", f"{CN}b"), None, f"*.s3.{CN}.amazonaws.com.cn", ("Interface",)),
    Service(f"cn.com.amazonaws.{CN}.ecr.api", (f"{CN}a", f"{CN}b"), None, f"api.ecr.{CN}.amazonaws.com.cn",
            ("Interface",)),
)


def test_service_names_are_matched_by_suffix_in_china() -> None:
    assert match_service(CN_SERVICES, CN, "api").name == f"cn.com.amazonaws.{CN}.sagemaker.api"
    assert match_service(CN_SERVICES, CN, "s3").name == f"com.amazonaws.{CN}.s3"  # the gateway, not the interface
    assert match_service(CN_SERVICES, CN, "ecr.api").name == f"cn.com.amazonaws.{CN}.ecr.api"  # not sagemaker.api
    p = profile("vpce", region=CN, endpoints={"extra": ["sts", "s3"]})
    assert service_names(p, CN, CN_SERVICES) == {
        "studio": f"aws.sagemaker.{CN}.studio", "api": f"cn.com.amazonaws.{CN}.sagemaker.api",
        "sts": f"cn.com.amazonaws.{CN}.sts", "s3": f"com.amazonaws.{CN}.s3"}


def test_dns_names_come_from_the_service_else_from_the_partitions_suffix() -> None:
    assert zone_and_record("api", CN, "amazonaws.com.cn", CN_SERVICES) == (
        f"api.sagemaker.{CN}.amazonaws.com.cn", f"api.sagemaker.{CN}.amazonaws.com.cn")
    assert zone_and_record("studio", CN, "amazonaws.com.cn", CN_SERVICES) == (
        f"studio.{CN}.sagemaker.com.cn", f"*.studio.{CN}.sagemaker.com.cn")
    # sts reported no private DNS name: built from the partition's suffix
    assert zone_and_record("sts", CN, "amazonaws.com.cn", CN_SERVICES)[0] == f"sts.{CN}.amazonaws.com.cn"


def test_the_dns_suffix_comes_from_botocores_partition_data() -> None:
    assert Cloud(CN).dns_suffix == "amazonaws.com.cn"
    assert Cloud("us-gov-west-1").dns_suffix == "amazonaws.com"
    assert Cloud("us-west-2").dns_suffix == "amazonaws.com"


def _cn_inventory() -> Inventory:
    subnets = (Subnet("subnet-0aaa1111bbbb22223", "vpc-0a1b2c3d4e5f60718", "10.0.1.0/24", f"{CN}a", None, 100),
               Subnet("subnet-0ccc3333dddd44445", "vpc-0a1b2c3d4e5f60718", "10.0.2.0/24", f"{CN}b", None, 100))
    return Inventory(
        account_id="123456789012", region=CN, partition="aws-cn", dns_suffix="amazonaws.com.cn",
        caller=Caller("123456789012", "arn:aws-cn:iam::123456789012:user/admin", "user", "admin"),
        vpcs=(Vpc("vpc-0a1b2c3d4e5f60718", ("10.0.0.0/16",), dns_support=True, dns_hostnames=True, subnets=subnets),),
        domains=(Domain("d-abcdefghijkl", "research", "vpc-0a1b2c3d4e5f60718", tuple(s.id for s in subnets), "IAM",
                        "VpcOnly", ()),),
        services=CN_SERVICES, route_tables=(RouteTable("rtb-0aaa1111bbbb22223", (), True, False),))


def test_a_china_plan_uses_chinas_service_names_dns_suffix_and_arn_partition() -> None:
    p = profile("hosted-zone", region=CN, vpc_id="vpc-0a1b2c3d4e5f60718", domain_id="d-abcdefghijkl",
                subnet_ids=["subnet-0aaa1111bbbb22223", "subnet-0ccc3333dddd44445"],
                endpoints={"extra": ["sts", "s3"]}, access={"mode": "vpce", "attach": {"users": [], "groups": [],
                                                                                      "roles": []}},
                security_group={"allow_from_cidrs": ["10.0.0.0/16"]})
    result = plan(_cn_inventory(), p)
    assert [e for e in result.errors if e.code == "service_not_found"] == []
    services = {c.address: c.after["service_name"] for c in result.changes if c.type == "vpc_endpoint"}
    assert services["vpc_endpoint.api"] == f"cn.com.amazonaws.{CN}.sagemaker.api"
    assert services["vpc_endpoint.s3"] == f"com.amazonaws.{CN}.s3"
    zones = {c.after["name"] for c in result.changes if c.type == "hosted_zone"}
    assert zones == {f"api.sagemaker.{CN}.amazonaws.com.cn", f"studio.{CN}.sagemaker.com.cn", f"sts.{CN}.amazonaws.com.cn"}
    assert result.identity_policy["Statement"][0]["Resource"].startswith(f"arn:aws-cn:sagemaker:{CN}:")
    assert "amazonaws.com\"" not in str(result.changes)


def test_discovery_lists_every_service_when_the_usual_names_are_unknown() -> None:
    """China: the usual name for Studio is rejected (InvalidServiceName), so discovery lists all and matches."""
    cloud = Cloud(CN, session=boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name=CN))
    ec2 = cloud.client("ec2")
    raw = [{"ServiceName": s.name, "ServiceType": [{"ServiceType": t} for t in s.types],
            "AvailabilityZones": list(s.azs), "PrivateDnsName": s.private_dns_name} for s in CN_SERVICES]
    with Stubber(ec2) as stub:
        stub.add_client_error("describe_vpc_endpoint_services", "InvalidServiceName",
                              "The Vpc Endpoint Service 'aws.sagemaker.cn-north-1.studio' does not exist")
        stub.add_response("describe_vpc_endpoint_services", {"ServiceDetails": raw[:3], "NextToken": "page-2"}, {})
        stub.add_response("describe_vpc_endpoint_services", {"ServiceDetails": raw[3:]}, {"NextToken": "page-2"})
        found = discovery._services(cloud, ["studio", "api", "s3"])
        stub.assert_no_pending_responses()
    assert {s.name for s in found} == {f"aws.sagemaker.{CN}.studio", f"cn.com.amazonaws.{CN}.sagemaker.api",
                                       f"com.amazonaws.{CN}.s3"}


def test_the_planner_does_not_load_boto3() -> None:
    code = "import sys, wizard.planner, wizard.names; sys.exit('boto3' in sys.modules or 'botocore' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


def test_zone_model_reports_its_owner() -> None:
    assert HostedZone("Z1", "a.example", (), owner_account=FOREIGN_ACCOUNT).owner == f"account {FOREIGN_ACCOUNT}"
    assert not HostedZone("Z1", "a.example", ()).foreign


# ---------------------------------------------------------------- 9. everything that pages is read to the end

POLICY_ARN = "arn:aws:iam::123456789012:policy/studio-vpce/SageMakerStudioPrivateAccess-research-vpce"
MANY_USERS = [f"user{i:03d}" for i in range(120)]  # more than IAM's page of 100


def _entity_pages(stub: Stubber) -> None:
    """ListEntitiesForPolicy as IAM answers 120 users and a role: 100 per page, then the rest."""
    users = [{"UserName": u, "UserId": f"AIDA{i:017d}"} for i, u in enumerate(MANY_USERS)]
    stub.add_response("list_entities_for_policy", {
        "PolicyUsers": users[:100], "PolicyGroups": [], "PolicyRoles": [], "IsTruncated": True, "Marker": "page-2"},
        {"PolicyArn": POLICY_ARN})
    stub.add_response("list_entities_for_policy", {
        "PolicyUsers": users[100:], "PolicyGroups": [], "PolicyRoles": [{"RoleName": "StudioUsers",
                                                                          "RoleId": "AROA00000000000000001"}],
        "IsTruncated": False}, {"PolicyArn": POLICY_ARN, "Marker": "page-2"})


def _stubbed_iam_cloud() -> tuple[Cloud, Stubber]:
    cloud = Cloud("us-west-2", session=boto3.Session(aws_access_key_id="x", aws_secret_access_key="x",
                                                     region_name="us-west-2"))
    cloud.poll_interval = 0.0
    return cloud, Stubber(cloud.client("iam"))


def test_discovery_reads_every_page_of_policy_attachments() -> None:
    cloud, stub = _stubbed_iam_cloud()
    version = {"VersionId": "v1", "IsDefaultVersion": True, "CreateDate": "2026-01-01T00:00:00Z"}
    stub.add_response("get_policy", {"Policy": {"PolicyName": "SageMakerStudioPrivateAccess-research-vpce",
                                                "Arn": POLICY_ARN, "DefaultVersionId": "v1"}}, {"PolicyArn": POLICY_ARN})
    stub.add_response("list_policy_versions", {"Versions": [version], "IsTruncated": False}, {"PolicyArn": POLICY_ARN})
    stub.add_response("get_policy_version", {"PolicyVersion": {**version, "Document": "{}"}},
                      {"PolicyArn": POLICY_ARN, "VersionId": "v1"})
    _entity_pages(stub)
    with stub:
        found = discovery._observe_policy(cloud, profile("vpce"), "123456789012", "aws")
        stub.assert_no_pending_responses()
    assert found is not None and found.users == tuple(MANY_USERS) and found.roles == ("StudioUsers",)


def test_destroy_detaches_every_page_of_attachments_before_deleting_the_policy() -> None:
    cloud, stub = _stubbed_iam_cloud()
    p = profile("vpce")
    stub.add_response("list_policy_versions", {"Versions": [
        {"VersionId": "v1", "IsDefaultVersion": True, "CreateDate": "2026-01-01T00:00:00Z"}], "IsTruncated": False},
        {"PolicyArn": POLICY_ARN})
    _entity_pages(stub)
    for user in MANY_USERS:
        stub.add_response("detach_user_policy", {}, {"PolicyArn": POLICY_ARN, "UserName": user})
    stub.add_response("detach_role_policy", {}, {"PolicyArn": POLICY_ARN, "RoleName": "StudioUsers"})
    stub.add_response("delete_policy", {}, {"PolicyArn": POLICY_ARN})
    change = Change("iam_policy.access", "iam_policy", "delete", POLICY_ARN, {"name": p.policy_name}, {})
    destroy = Plan(profile=p, account_id="123456789012", region="us-west-2", partition="aws", changes=(change,),
                   endpoint_policies={}, identity_policy=None, warnings=(), errors=(), fingerprint="")
    with stub:
        result = Executor(cloud, destroy).run()
        stub.assert_no_pending_responses()  # every user detached: no DeleteConflict
    assert result.ok, result.error


# ---------------------------------------------------------------- 13. Studio's groups per user profile and space

DOMAIN = "d-research"  # the example profiles' domain
DOMAIN_SG, USER_SG, OWNER_SG = "sg-0aaa1111bbbb22223", "sg-0ccc3333dddd44445", "sg-0eee5555ffff66667"


def _stubbed_sagemaker() -> tuple[Cloud, Stubber]:
    cloud = Cloud("us-west-2", session=boto3.Session(aws_access_key_id="x", aws_secret_access_key="x",
                                                     region_name="us-west-2"))
    return cloud, Stubber(cloud.client("sagemaker"))


def _describe_domain(stub: Stubber) -> None:
    stub.add_response("describe_domain", {
        "DomainId": DOMAIN, "DomainName": "research", "VpcId": "vpc-0a1b2c3d4e5f60718", "AuthMode": "IAM",
        "SubnetIds": ["subnet-0aaa1111bbbb22223"], "AppNetworkAccessType": "VpcOnly", "Status": "InService",
        "DomainSettings": {"SecurityGroupIds": [DOMAIN_SG]},
        "DefaultUserSettings": {"ExecutionRole": "arn:aws:iam::123456789012:role/SageMakerExecutionRole",
                                "SecurityGroups": [DOMAIN_SG]}}, {"DomainId": DOMAIN})


def test_security_groups_of_every_user_profile_and_space_owner_are_admitted() -> None:
    cloud, stub = _stubbed_sagemaker()
    _describe_domain(stub)
    summary = {"DomainId": DOMAIN, "Status": "InService"}
    stub.add_response("list_user_profiles", {"UserProfiles": [{**summary, "UserProfileName": "alice"}],
                                             "NextToken": "page-2"}, {"DomainIdEquals": DOMAIN})
    stub.add_response("list_user_profiles", {"UserProfiles": [{**summary, "UserProfileName": "bob"}]},
                      {"DomainIdEquals": DOMAIN, "NextToken": "page-2"})
    stub.add_response("list_spaces", {"Spaces": [
        {"DomainId": DOMAIN, "SpaceName": "shared-lab", "Status": "InService",
         "SpaceSharingSettingsSummary": {"SharingType": "Shared"}},
        {"DomainId": DOMAIN, "SpaceName": "dave-private", "Status": "InService",
         "SpaceSharingSettingsSummary": {"SharingType": "Private"},
         "OwnershipSettingsSummary": {"OwnerUserProfileName": "dave"}}]}, {"DomainIdEquals": DOMAIN})
    for name, groups in (("alice", [USER_SG]), ("bob", []), ("dave", [OWNER_SG])):
        # describes run in parallel: answers carry their own names, so any order gives the same union
        stub.add_response("describe_user_profile", {
            "DomainId": DOMAIN, "UserProfileName": name, "Status": "InService",
            "UserSettings": {"SecurityGroups": groups} if groups else {}}, None)
    with stub:
        domains, notes = discovery._observe_domain(cloud, profile("vpce"))
        stub.assert_no_pending_responses()
    assert notes == []
    assert domains[0].security_group_ids == tuple(sorted({DOMAIN_SG, USER_SG, OWNER_SG}))


def test_https_rules_admit_a_user_profiles_own_group(cloud, aws) -> None:  # noqa: ANN001
    p = profile("vpce")
    ec2 = aws.client("ec2")
    user_sg = ec2.create_security_group(GroupName="alice-studio", Description="alice", VpcId=p.vpc_id)["GroupId"]

    def user_profiles(**_: object):  # noqa: ANN202 - SageMaker's answer (moto lacks user profiles)
        return AWSResponse("https://api.sagemaker.us-west-2.amazonaws.com/", 200, {}, None), {
            "UserProfiles": [{"DomainId": p.domain_id, "UserProfileName": "alice", "Status": "InService"}]}

    def user_profile(**_: object):  # noqa: ANN202
        return AWSResponse("https://api.sagemaker.us-west-2.amazonaws.com/", 200, {}, None), {
            "DomainId": p.domain_id, "UserProfileName": "alice", "Status": "InService",
            "UserSettings": {"SecurityGroups": [user_sg]}}

    aws.events.register("before-call.sagemaker.ListUserProfiles", user_profiles)
    aws.events.register("before-call.sagemaker.ListSpaces", lambda **_: (
        AWSResponse("https://api.sagemaker.us-west-2.amazonaws.com/", 200, {}, None), {"Spaces": []}))
    aws.events.unregister("before-call.sagemaker.DescribeUserProfile", unique_id="sandbox-describe-user-profile")
    aws.events.register("before-call.sagemaker.DescribeUserProfile", user_profile)
    result = plan(observe(cloud, p), p)
    assert any(c.address == f"security_group_rule.{user_sg}" and c.action == "create" for c in result.changes)


def test_an_endpoint_without_user_profiles_is_a_warning_not_a_crash(aws, cloud) -> None:  # noqa: ANN001
    """moto has no ListUserProfiles: the plan says what it could not read, and goes on."""
    aws.events.unregister("before-call.sagemaker.ListUserProfiles", unique_id="sandbox-list-user-profiles")
    aws.events.unregister("before-call.sagemaker.ListSpaces", unique_id="sandbox-list-spaces")
    result = plan(observe(cloud, profile("vpce")), profile("vpce"))
    warning = next(w for w in result.warnings if w.code == "studio_user_profiles_unread")
    assert "allow_from_security_groups" in warning.message
    assert result.errors == ()


def test_the_demo_sandbox_answers_user_profiles_so_demo_plans_carry_no_unread_warning(cloud) -> None:  # noqa: ANN001
    result = plan(observe(cloud, profile("vpce")), profile("vpce"))
    assert "studio_user_profiles_unread" not in {w.code for w in result.warnings}


def test_list_hosted_zones_by_vpc_follows_next_token_by_hand() -> None:
    """botocore has no paginator for route53 ListHostedZonesByVPC: the cloud adapter follows NextToken itself (a
    VPC with more zones than one page holds had its later zones unseen: no conflict found, a duplicate zone)."""
    cloud = Cloud("us-west-2", session=boto3.Session(aws_access_key_id="x", aws_secret_access_key="x",
                                                     region_name="us-west-2"))
    r53 = cloud.client("route53")
    assert not r53.can_paginate("list_hosted_zones_by_vpc")
    zone = {"HostedZoneId": "Z1", "Name": "a.example.", "Owner": {"OwningAccount": "123456789012"}}
    ask = {"VPCId": "vpc-0123456789abcdef0", "VPCRegion": "us-west-2"}
    with Stubber(r53) as stub:
        stub.add_response("list_hosted_zones_by_vpc", {"HostedZoneSummaries": [zone], "MaxItems": "1",
                                                       "NextToken": "t2"}, ask)
        stub.add_response("list_hosted_zones_by_vpc", {"HostedZoneSummaries": [{**zone, "HostedZoneId": "Z2"}],
                                                       "MaxItems": "1"}, {**ask, "NextToken": "t2"})
        found = cloud.pages("route53", "list_hosted_zones_by_vpc", "HostedZoneSummaries", **ask)
        stub.assert_no_pending_responses()
    assert [z["HostedZoneId"] for z in found] == ["Z1", "Z2"]
