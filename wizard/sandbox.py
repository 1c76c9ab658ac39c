"""The --demo account: an in-process moto account, seeded so that its ids are the same on every run.

It has what a new user needs to see every path: two VPCs (one with DNS hostnames off), subnets in several
AZs (two in one AZ, one in a zone the Studio service does not offer), a Studio domain in IAM mode and one
in IAM Identity Center mode, their security groups, IAM users, groups and roles. What moto lacks (Studio
user profiles, presigned URLs) is supplied by botocore event hooks, and is clearly fake.
"""

from __future__ import annotations

import json
from typing import Any

DEMO_REGION = "us-west-2"
DEMO_SEED = 20261128
DEMO_TOKEN = "DEMO-NOT-A-REAL-TOKEN"
# Real AWS offers the Studio endpoint in some zones only; moto says "all". The sandbox tells the truth's shape.
STUDIO_ZONES = ("us-west-2a", "us-west-2b", "us-west-2c")

_mock: Any = None


def _tags(name: str) -> list[dict[str, Any]]:
    return [{"Key": "Name", "Value": name}]


def start(region: str = DEMO_REGION):  # noqa: ANN201 - returns a boto3.Session
    """Start moto in-process (once) and seed it; returns a boto3 Session bound to the sandbox."""
    global _mock
    import boto3  # noqa: PLC0415 - the sandbox seeds moto through boto3 (SPEC 10 allows it)

    try:
        from moto import mock_aws  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - depends on the install
        from wizard.errors import ConfigProblem  # noqa: PLC0415

        raise ConfigProblem("--demo needs moto: pip install 'studio-vpce[demo]'") from exc
    session = boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name=region)
    if _mock is None:
        _mock = mock_aws()
        _mock.start()
        seed(session, region)
    install_hooks(session)
    return session


def stop() -> None:
    global _mock
    if _mock is not None:
        _mock.stop()
        _mock = None


def seed(session: Any, region: str) -> None:
    """Create the sandbox's resources; inside a moto mock. Ids are the same on every run."""
    from moto.moto_api._internal import mock_random  # noqa: PLC0415

    ec2 = session.client("ec2", region_name=region)
    iam = session.client("iam", region_name=region)
    sm = session.client("sagemaker", region_name=region)
    # moto creates the default VPC when the backend first loads, which may or may not have happened yet:
    # load it first, then seed, so that what we create gets the same ids whatever ran before.
    ec2.describe_vpcs()
    iam.list_users()
    sm.list_domains()
    mock_random.seed(DEMO_SEED)

    research = ec2.create_vpc(CidrBlock="10.20.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": _tags("research")}])["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=research, EnableDnsHostnames={"Value": True})
    analytics = ec2.create_vpc(CidrBlock="10.30.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": _tags("analytics (DNS hostnames off)")}])["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=analytics, EnableDnsHostnames={"Value": False})

    def subnet(vpc: str, cidr: str, az: str, name: str) -> str:
        return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=f"{region}{az}", TagSpecifications=[
            {"ResourceType": "subnet", "Tags": _tags(name)}])["Subnet"]["SubnetId"]

    r_a = subnet(research, "10.20.1.0/24", "a", "research-private-a")
    r_b = subnet(research, "10.20.2.0/24", "b", "research-private-b")
    subnet(research, "10.20.3.0/24", "a", "research-private-a2 (second in a)")
    subnet(research, "10.20.4.0/24", "d", "research-private-d (no Studio endpoint here)")
    a_a = subnet(analytics, "10.30.1.0/24", "a", "analytics-a")
    subnet(analytics, "10.30.2.0/24", "b", "analytics-b")

    studio_sg = ec2.create_security_group(GroupName="sagemaker-studio-research", VpcId=research,
                                          Description="SageMaker Studio apps (research domain)")["GroupId"]
    lab_sg = ec2.create_security_group(GroupName="sagemaker-studio-lab", VpcId=analytics,
                                       Description="SageMaker Studio apps (lab domain)")["GroupId"]

    role_arn = iam.create_role(RoleName="SageMakerExecutionRole", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "sagemaker.amazonaws.com"}}]}))["Role"]["Arn"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]})
    for role in ("StudioUsers", "MLEngineers"):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)
    for user in ("alice", "bob", "carol"):
        iam.create_user(UserName=user)
    iam.create_group(GroupName="data-scientists")
    for user in ("alice", "bob"):
        iam.add_user_to_group(GroupName="data-scientists", UserName=user)
    iam.create_group(GroupName="platform-admins")
    iam.create_user(UserName="moto")  # the sandbox's caller (sts: user/moto), to show the self-lockout check
    iam.add_user_to_group(GroupName="platform-admins", UserName="moto")

    sm.create_domain(DomainName="research", AuthMode="IAM", VpcId=research, SubnetIds=[r_a, r_b],
                     DefaultUserSettings={"ExecutionRole": role_arn, "SecurityGroups": [studio_sg]},
                     AppNetworkAccessType="VpcOnly")
    sm.create_domain(DomainName="lab", AuthMode="SSO", VpcId=analytics, SubnetIds=[a_a],
                     DefaultUserSettings={"ExecutionRole": role_arn, "SecurityGroups": [lab_sg]})
    # moto builds its endpoint-service list from every backend on first use (seconds): do it now, not under the UI
    ec2.describe_vpc_endpoint_services(ServiceNames=[f"aws.sagemaker.{region}.studio"])
    seed_audit_principals(iam)


# ---------------------------------------------------------------- principals for `audit` (issue 12)
# Seeded last, so that the ids of everything above stay the same. They show why an Allow-only restriction can be
# moot: MLEngineers holds a broad SageMaker policy (a customer managed copy shaped like AmazonSageMakerFullAccess:
# moto has no AWS managed policies), StudioAutomation has an inline, unconditioned CreatePresignedDomainUrl, and
# alice, bob and carol hold nothing else (the profile's policy alone decides for them).

DEMO_POLICY_PATH = "/demo/"
BROAD_SAGEMAKER_POLICY = "SageMakerFullAccessCopy"
INLINE_PRESIGN_ROLE = "StudioAutomation"


def seed_audit_principals(iam: Any) -> None:
    broad = iam.create_policy(PolicyName=BROAD_SAGEMAKER_POLICY, Path=DEMO_POLICY_PATH, PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "AllowSageMaker", "Effect": "Allow", "Action": ["sagemaker:*"], "NotResource": [
                "arn:aws:sagemaker:*:*:domain/*", "arn:aws:sagemaker:*:*:user-profile/*", "arn:aws:sagemaker:*:*:app/*",
                "arn:aws:sagemaker:*:*:space/*", "arn:aws:sagemaker:*:*:flow-definition/*"]},
            {"Sid": "AllowStudioResources", "Effect": "Allow", "Action": [
                "sagemaker:CreatePresignedDomainUrl", "sagemaker:DescribeDomain", "sagemaker:ListDomains",
                "sagemaker:DescribeUserProfile", "sagemaker:ListUserProfiles", "sagemaker:DescribeSpace",
                "sagemaker:ListSpaces", "sagemaker:*App", "sagemaker:ListApps"], "Resource": "*"},
            {"Sid": "AllowPassRoleToSageMaker", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/*",
             "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}}]}),
        Description="demo: shaped like AmazonSageMakerFullAccess")["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="MLEngineers", PolicyArn=broad)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]})
    iam.create_role(RoleName=INLINE_PRESIGN_ROLE, AssumeRolePolicyDocument=trust,
                    Description="demo: opens Studio for a scheduler, from anywhere")
    iam.put_role_policy(RoleName=INLINE_PRESIGN_ROLE, PolicyName="PresignAnyUserProfile", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Sid": "PresignAnyUserProfile", "Effect": "Allow",
                                                "Action": "sagemaker:CreatePresignedDomainUrl", "Resource": "*"}]}))


# ---------------------------------------------------------------- what moto lacks, supplied by hooks

def _response(parsed: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    from botocore.awsrequest import AWSResponse  # noqa: PLC0415

    return AWSResponse("https://sandbox.invalid/", 200, {}, None), parsed


def _api_params(request: dict[str, Any]) -> dict[str, Any]:
    """before-call sees the serialised request; SageMaker speaks JSON."""
    body = request.get("body") or b"{}"
    return json.loads(body.decode() if isinstance(body, bytes) else body)


def _describe_user_profile(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
    args = _api_params(params)
    domain, name = args["DomainId"], args["UserProfileName"]
    return _response({"DomainId": domain, "UserProfileName": name, "Status": "InService",
                      "UserProfileArn": f"arn:aws:sagemaker:{DEMO_REGION}:123456789012:user-profile/{domain}/{name}"})


def _presigned_url(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
    return _response({"AuthorizedUrl": f"https://{_api_params(params)['DomainId']}.studio.{DEMO_REGION}.sagemaker.aws/auth"
                                       f"?token={DEMO_TOKEN}"})


def _studio_zones(parsed: dict[str, Any], **_: Any) -> None:
    for detail in parsed.get("ServiceDetails", []):
        if detail.get("ServiceName", "").endswith(".studio"):
            detail["AvailabilityZones"] = [z for z in detail.get("AvailabilityZones", []) if z in STUDIO_ZONES]


def install_hooks(session: Any) -> None:
    events = session.events
    events.register("before-call.sagemaker.DescribeUserProfile", _describe_user_profile,
                    unique_id="sandbox-describe-user-profile")
    events.register("before-call.sagemaker.CreatePresignedDomainUrl", _presigned_url,
                    unique_id="sandbox-presigned-url")
    events.register("after-call.ec2.DescribeVpcEndpointServices", _studio_zones, unique_id="sandbox-studio-zones")
