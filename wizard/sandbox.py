"""The --demo account: a local moto account that keeps its state between commands, as a real account does.

The first `--demo` command starts a moto server on 127.0.0.1 in the background (its own, detached process);
later commands reuse it, so `apply --demo` then `verify`, `plan`, `destroy` and the wizard see what the previous
command did. The account outlives the server: every change is journaled (account.jsonl) as it is made and
replayed, with the same ids, when a server starts again; only `studio-vpce sandbox reset` wipes it. The journal,
the server's state file (pid, port, since when, regions, idle timeout) and its log live under the user's cache
directory ($XDG_CACHE_HOME, else ~/.cache, then studio-vpce/sandbox/), never in the working folder. The server
stops by itself after an idle timeout (STUDIO_VPCE_SANDBOX_IDLE_TIMEOUT seconds, one hour by default), and with
`studio-vpce sandbox stop`. A lock file makes concurrent first starts share one server. To start quickly, a
--demo command starts the server's process as it begins (it loads moto meanwhile and touches no file) and hands it
the listening socket once the command's input is valid; bad input ends that process unused.

The seeded account has what a new user needs to see every path: two VPCs (one with DNS hostnames off), subnets
in several AZs (two in one AZ, one in a zone the Studio service does not offer), a Studio domain in IAM mode and
one in IAM Identity Center mode, their security groups, IAM users, groups and roles. Ids are the same on every
run and in every region. What moto lacks is supplied here and is clearly fake: the endpoint-service list with
the zones each service really offers (seeded, instead of moto's list that loads every backend), Studio user
profiles and presigned URLs (botocore event hooks on the client side).

Tests and benches may run the sandbox in-process instead (`start`/`stop`, or `seed` inside their own mock);
`seed` runs in the process that hosts moto.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from wizard.errors import AwsError, ConfigProblem, StudioVpceError

DEMO_REGION = "us-west-2"
DEMO_SEED = 20261128
DEMO_TOKEN = "DEMO-NOT-A-REAL-TOKEN"
DEMO_ACCOUNT = "123456789012"
IDLE_TIMEOUT = 3600.0  # seconds without a request before the server stops by itself
START_TIMEOUT = 90.0  # seconds to wait for a new server (a loaded 2-core machine imports moto slowly)
_PREFIX = "/_sandbox/"

# The commercial regions the sandbox models, with their zones (suffix, zone id) as moto knows them.
# tests/test_sandbox.py checks this table against moto's, so that seeding never names a zone moto rejects.
ZONES: dict[str, tuple[tuple[str, str], ...]] = {
    "af-south-1": (("a", "afs1-az1"), ("b", "afs1-az2"), ("c", "afs1-az3")),
    "ap-east-1": (("a", "ape1-az1"), ("b", "ape1-az2"), ("c", "ape1-az3")),
    "ap-east-2": (("a", "ape2-az1"), ("b", "ape2-az2"), ("c", "ape2-az3")),
    "ap-northeast-1": (("a", "apne1-az4"), ("c", "apne1-az1"), ("d", "apne1-az2")),
    "ap-northeast-2": (("a", "apne2-az1"), ("b", "apne2-az2"), ("c", "apne2-az3"), ("d", "apne2-az4")),
    "ap-northeast-3": (("a", "apne3-az1"), ("b", "apne3-az2"), ("c", "apne3-az3")),
    "ap-south-1": (("a", "aps1-az1"), ("b", "aps1-az3"), ("c", "aps1-az2")),
    "ap-south-2": (("a", "aps2-az1"), ("b", "aps2-az2"), ("c", "aps2-az3")),
    "ap-southeast-1": (("a", "apse1-az1"), ("b", "apse1-az2"), ("c", "apse1-az3")),
    "ap-southeast-2": (("a", "apse2-az1"), ("b", "apse2-az3"), ("c", "apse2-az2")),
    "ap-southeast-3": (("a", "apse3-az1"), ("b", "apse3-az2"), ("c", "apse3-az3")),
    "ap-southeast-4": (("a", "apse4-az1"), ("b", "apse4-az2"), ("c", "apse4-az3")),
    "ap-southeast-5": (("a", "apse5-az1"), ("b", "apse5-az2"), ("c", "apse5-az3")),
    "ap-southeast-6": (("a", "apse6-az1"), ("b", "apse6-az2"), ("c", "apse6-az3")),
    "ap-southeast-7": (("a", "apse7-az1"), ("b", "apse7-az2"), ("c", "apse7-az3")),
    "ca-central-1": (("a", "cac1-az1"), ("b", "cac1-az2"), ("d", "cac1-az4")),
    "ca-west-1": (("a", "caw1-az1"), ("b", "caw1-az2"), ("c", "caw1-az3")),
    "eu-central-1": (("a", "euc1-az1"), ("b", "euc1-az2"), ("c", "euc1-az3")),
    "eu-central-2": (("a", "euc2-az1"), ("b", "euc2-az2"), ("c", "euc2-az3")),
    "eu-north-1": (("a", "eun1-az1"), ("b", "eun1-az2"), ("c", "eun1-az3")),
    "eu-south-1": (("a", "eus1-az1"), ("b", "eus1-az2"), ("c", "eus1-az3")),
    "eu-south-2": (("a", "eus2-az1"), ("b", "eus2-az2"), ("c", "eus2-az3")),
    "eu-west-1": (("a", "euw1-az3"), ("b", "euw1-az1"), ("c", "euw1-az2")),
    "eu-west-2": (("a", "euw2-az2"), ("b", "euw2-az3"), ("c", "euw2-az1")),
    "eu-west-3": (("a", "euw3-az1"), ("b", "euw3-az2"), ("c", "euw3-az3")),
    "il-central-1": (("a", "ilc1-az1"), ("b", "ilc1-az2"), ("c", "ilc1-az3")),
    "me-central-1": (("a", "mec1-az1"), ("b", "mec1-az2"), ("c", "mec1-az3")),
    "me-south-1": (("a", "mes1-az1"), ("b", "mes1-az2"), ("c", "mes1-az3")),
    "mx-central-1": (("a", "mxc1-az1"), ("b", "mxc1-az2"), ("c", "mxc1-az3")),
    "sa-east-1": (("a", "sae1-az1"), ("b", "sae1-az2"), ("c", "sae1-az3")),
    "us-east-1": (("a", "use1-az6"), ("b", "use1-az1"), ("c", "use1-az2"), ("d", "use1-az4"), ("e", "use1-az3"),
                  ("f", "use1-az5")),
    "us-east-2": (("a", "use2-az1"), ("b", "use2-az2"), ("c", "use2-az3")),
    "us-west-1": (("a", "usw1-az3"), ("b", "usw1-az1")),
    "us-west-2": (("a", "usw2-az2"), ("b", "usw2-az1"), ("c", "usw2-az3"), ("d", "usw2-az4")),
}

# Interface endpoint services the sandbox offers besides SageMaker's own (what a VpcOnly domain may need, and
# what the tool's extras name); s3 and dynamodb also come as gateways, as in AWS.
_SERVICES = ("sagemaker.runtime", "sagemaker.featurestore-runtime", "sagemaker.metrics", "sts", "logs", "s3",
             "servicecatalog", "ecr.api", "ecr.dkr", "monitoring", "kms", "ssm", "ssmmessages", "ec2",
             "ec2messages", "secretsmanager", "elasticloadbalancing", "execute-api", "glue", "athena",
             "codecommit", "codeartifact.api", "codeartifact.repositories", "dynamodb", "sqs", "sns", "events",
             "states", "elasticfilesystem", "emr-serverless", "lambda", "bedrock-runtime", "git-codecommit")


def regions() -> tuple[str, ...]:
    return tuple(sorted(ZONES))


def check_region(region: str) -> None:
    if region not in ZONES:
        raise ConfigProblem(f"the demo sandbox cannot model region {region!r}; pick one it models with --region: "
                            + ", ".join(regions()))


def zones(region: str) -> list[str]:
    return [f"{region}{suffix}" for suffix, _ in ZONES[region]]


def studio_zones(region: str) -> list[str]:
    """The zones the Studio endpoint service offers: every zone but the last, as in AWS where some lack it."""
    names = zones(region)
    return names[:-1] if len(names) >= 3 else names


def _tags(name: str) -> list[dict[str, Any]]:
    return [{"Key": "Name", "Value": name}]


# ---------------------------------------------------------------- in-process (tests, benches)

_mock: Any = None


def in_process() -> bool:
    """Whether this process hosts the sandbox itself (tests and benches do; the CLI uses the server)."""
    return _mock is not None


def demo_session(region: str):  # noqa: ANN201 - a boto3.Session
    """A session for the sandbox that reads nothing of the user's AWS setup: no AWS_* variable and no config or
    credentials file (a trial: AWS_PROFILE naming a profile this machine lacks ended every --demo command in
    ProfileNotFound, and AWS_MAX_ATTEMPTS=abc in ValueError; README: your AWS config is not read with --demo)."""
    import boto3  # noqa: PLC0415
    import botocore.session  # noqa: PLC0415

    none_of_theirs = {name: (None, None, os.devnull if name in ("config_file", "credentials_file") else default,
                             conversion)
                      for name, (_, _, default, conversion) in botocore.session.Session.SESSION_VARIABLES.items()}
    return boto3.Session(aws_access_key_id="demo", aws_secret_access_key="demo", region_name=region,
                         botocore_session=botocore.session.Session(session_vars=none_of_theirs))


def start(region: str = DEMO_REGION):  # noqa: ANN201 - returns a boto3.Session
    """Start moto in-process (once) and seed it; returns a boto3 Session bound to the sandbox."""
    global _mock

    check_region(region)
    _need_moto()
    from moto import mock_aws  # noqa: PLC0415

    quicker_moto_dispatch()
    endpoints_modified_as_aws()
    session = demo_session(region)
    if _mock is None:
        _mock = mock_aws()
        _mock.start()
        _seeded_in_process.clear()
    if region not in _seeded_in_process:
        seed(session, region)
        _seeded_in_process.add(region)
    install_hooks(session)
    return session


_seeded_in_process: set[str] = set()


def stop() -> None:
    global _mock
    if _mock is not None:
        _mock.stop()
        _mock = None
        _seeded_in_process.clear()


def _need_moto() -> None:  # the server, too, needs nothing but moto (it serves with http.server)
    import importlib.util  # noqa: PLC0415

    if importlib.util.find_spec("moto") is None:
        raise ConfigProblem("--demo needs the sandbox's packages: pip install 'studio-vpce[demo]'")


# ---------------------------------------------------------------- seeding (runs where moto runs)

def seed(session: Any, region: str, endpoint_url: str | None = None) -> None:
    """Create the sandbox's resources in `region`, in the process that hosts moto. Same ids on every run."""
    from moto.moto_api._internal import mock_random  # noqa: PLC0415

    check_region(region)
    ec2 = session.client("ec2", region_name=region, endpoint_url=endpoint_url)
    iam = session.client("iam", region_name=region, endpoint_url=endpoint_url)
    sm = session.client("sagemaker", region_name=region, endpoint_url=endpoint_url)
    # moto creates the default VPC when the backend first loads, which may or may not have happened yet:
    # load every backend the tool uses first (from a fixed random state, so that the default VPC's ids are the
    # same on every run too), then seed, so that what we create gets the same ids whatever ran before.
    mock_random.seed(f"{DEMO_SEED}:{region}:backends")
    ec2.describe_vpcs()
    iam.list_users()
    sm.list_domains()
    session.client("route53", region_name=region, endpoint_url=endpoint_url).list_hosted_zones()
    session.client("sts", region_name=region, endpoint_url=endpoint_url).get_caller_identity()
    mock_random.seed(DEMO_SEED)
    names = zones(region)
    first, second, last = names[0], names[1], names[-1]

    research = ec2.create_vpc(CidrBlock="10.20.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": _tags("research")}])["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=research, EnableDnsHostnames={"Value": True})
    analytics = ec2.create_vpc(CidrBlock="10.30.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": _tags("analytics (DNS hostnames off)")}])["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=analytics, EnableDnsHostnames={"Value": False})

    def subnet(vpc: str, cidr: str, az: str, name: str) -> str:
        return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az, TagSpecifications=[
            {"ResourceType": "subnet", "Tags": _tags(name)}])["Subnet"]["SubnetId"]

    r_a = subnet(research, "10.20.1.0/24", first, f"research-private-{first[-1]}")
    r_b = subnet(research, "10.20.2.0/24", second, f"research-private-{second[-1]}")
    subnet(research, "10.20.3.0/24", first, f"research-private-{first[-1]}2 (second in {first[-1]})")
    if last not in studio_zones(region):
        subnet(research, "10.20.4.0/24", last, f"research-private-{last[-1]} (no Studio endpoint here)")
    a_a = subnet(analytics, "10.30.1.0/24", first, f"analytics-{first[-1]}")
    subnet(analytics, "10.30.2.0/24", second, f"analytics-{second[-1]}")

    studio_sg = ec2.create_security_group(GroupName="sagemaker-studio-research", VpcId=research,
                                          Description="SageMaker Studio apps (research domain)")["GroupId"]
    lab_sg = ec2.create_security_group(GroupName="sagemaker-studio-lab", VpcId=analytics,
                                       Description="SageMaker Studio apps (lab domain)")["GroupId"]

    role_arn = f"arn:aws:iam::{DEMO_ACCOUNT}:role/SageMakerExecutionRole"
    first_region = not any(r["Arn"] == role_arn for r in iam.list_roles()["Roles"])  # IAM is global: seed it once
    if first_region:
        _seed_iam(iam)

    sm.create_domain(DomainName="research", AuthMode="IAM", VpcId=research, SubnetIds=[r_a, r_b],
                     DefaultUserSettings={"ExecutionRole": role_arn, "SecurityGroups": [studio_sg]},
                     AppNetworkAccessType="VpcOnly")
    sm.create_domain(DomainName="lab", AuthMode="SSO", VpcId=analytics, SubnetIds=[a_a],
                     DefaultUserSettings={"ExecutionRole": role_arn, "SecurityGroups": [lab_sg]})
    prime_endpoint_services(region)
    if first_region:
        seed_audit_principals(iam)


def _seed_iam(iam: Any) -> None:
    iam.create_role(RoleName="SageMakerExecutionRole", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "sagemaker.amazonaws.com"}}]}))
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{DEMO_ACCOUNT}:root"}}]})
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


def endpoint_services(region: str) -> list[dict[str, Any]]:
    """The sandbox's DescribeVpcEndpointServices list for `region`, in AWS's shape, with the zones it offers."""
    ids = dict(zip(zones(region), (zone_id for _, zone_id in ZONES[region]), strict=True))

    def detail(name: str, short: str, azs: list[str], dns: str | None, kind: str = "Interface") -> dict[str, Any]:
        service_id = "vpce-svc-" + hashlib.sha256(f"{name}/{kind}".encode()).hexdigest()[:17]
        out: dict[str, Any] = {
            "ServiceName": name, "ServiceId": service_id, "ServiceType": [{"ServiceType": kind}],
            "AvailabilityZones": azs, "AvailabilityZoneIds": [ids[z] for z in azs], "Owner": "amazon",
            "BaseEndpointDnsNames": [f"{short}.{region}.vpce.amazonaws.com"], "VpcEndpointPolicySupported": True,
            "AcceptanceRequired": False, "ManagesVpcEndpoints": False, "Tags": []}
        if dns:
            out.update(PrivateDnsName=dns, PrivateDnsNames=[{"PrivateDnsName": dns}],
                       PrivateDnsNameVerificationState="verified")
        return out

    every = zones(region)
    services = [
        detail(f"aws.sagemaker.{region}.studio", "studio", studio_zones(region), f"*.studio.{region}.sagemaker.aws"),
        detail(f"aws.sagemaker.{region}.notebook", "notebook", every, f"*.notebook.{region}.sagemaker.aws"),
        detail(f"com.amazonaws.{region}.sagemaker.api", "api.sagemaker", every,
               f"api.sagemaker.{region}.amazonaws.com"),
    ]
    for short in _SERVICES:
        dns = None if short == "s3" else f"{short}.{region}.amazonaws.com"  # S3's interface DNS is opt-in
        services.append(detail(f"com.amazonaws.{region}.{short}", short, every, dns))
    for short in ("s3", "dynamodb"):
        services.append(detail(f"com.amazonaws.{region}.{short}", short, every, None, kind="Gateway"))
    return services


def prime_endpoint_services(region: str) -> None:
    """Give moto the sandbox's endpoint-service list, so it never builds its own (that loads every backend)."""
    from moto.ec2.models import vpcs  # noqa: PLC0415

    with vpcs.ENDPOINT_SERVICE_COLLECTION_LOCK:
        vpcs.DEFAULT_VPC_ENDPOINT_SERVICES[region] = endpoint_services(region)


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


def _error(code: str, message: str, status: int = 400) -> tuple[Any, dict[str, Any]]:
    from botocore.awsrequest import AWSResponse  # noqa: PLC0415

    return AWSResponse("https://sandbox.invalid/", status, {}, None), {
        "Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}


# CreatePresignedDomainUrl's limits on AWS: ExpiresInSeconds 5-300, SessionExpirationDurationInSeconds 1,800-43,200
PRESIGNED_URL_RANGES = (("ExpiresInSeconds", 5, 300), ("SessionExpirationDurationInSeconds", 1800, 43200))


def _api_params(request: dict[str, Any]) -> dict[str, Any]:
    """before-call sees the serialised request; SageMaker speaks JSON."""
    body = request.get("body") or b"{}"
    return json.loads(body.decode() if isinstance(body, bytes) else body)


# The sandbox's (fake) Studio user profiles: they use the domain's default security groups, as most do.
DEMO_USER_PROFILES = ("demo-user",)


def install_hooks(session: Any) -> None:
    """Studio user profiles, spaces and presigned URLs, which moto lacks: answered on the client side, clearly fake."""
    region = session.region_name or DEMO_REGION

    def describe_user_profile(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        args = _api_params(params)
        domain, name = args["DomainId"], args["UserProfileName"]
        return _response({"DomainId": domain, "UserProfileName": name, "Status": "InService",
                          "UserProfileArn": f"arn:aws:sagemaker:{region}:{DEMO_ACCOUNT}:user-profile/{domain}/{name}"})

    def list_user_profiles(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        domain = _api_params(params).get("DomainIdEquals", "")
        return _response({"UserProfiles": [{"DomainId": domain, "UserProfileName": name, "Status": "InService"}
                                           for name in DEMO_USER_PROFILES]})

    def list_spaces(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        return _response({"Spaces": []})

    def presigned_url(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        args = _api_params(params)
        # AWS's ranges (botocore checks only the minimum): answered as AWS answers, not accepted as moto would
        for key, low, high in PRESIGNED_URL_RANGES:
            if key in args and not low <= int(args[key]) <= high:
                return _error("ValidationException", f"1 validation error detected: Value '{args[key]}' at "
                                                     f"'{key[0].lower() + key[1:]}' failed to satisfy constraint: "
                                                     f"Member must have value between {low} and {high}")
        domain = args["DomainId"]
        return _response({"AuthorizedUrl": f"https://{domain}.studio.{region}.sagemaker.aws/auth?token={DEMO_TOKEN}"})

    events = session.events
    events.register("before-call.sagemaker.DescribeUserProfile", describe_user_profile,
                    unique_id="sandbox-describe-user-profile")
    events.register("before-call.sagemaker.ListUserProfiles", list_user_profiles,
                    unique_id="sandbox-list-user-profiles")
    events.register("before-call.sagemaker.ListSpaces", list_spaces, unique_id="sandbox-list-spaces")
    events.register("before-call.sagemaker.CreatePresignedDomainUrl", presigned_url,
                    unique_id="sandbox-presigned-url")


# ---------------------------------------------------------------- the persistent server (the CLI's --demo)

def state_dir() -> Path:
    """The tool's user cache folder + sandbox ($XDG_CACHE_HOME or ~/.cache/studio-vpce/sandbox on Linux)."""
    from wizard.cache import cache_dir  # noqa: PLC0415

    return cache_dir() / "sandbox"


def idle_timeout() -> float:
    raw = os.environ.get("STUDIO_VPCE_SANDBOX_IDLE_TIMEOUT", "")
    try:
        value = float(raw) if raw else IDLE_TIMEOUT
    except ValueError:
        raise ConfigProblem(f"STUDIO_VPCE_SANDBOX_IDLE_TIMEOUT={raw!r} is not a number of seconds") from None
    if value <= 0:
        raise ConfigProblem(f"STUDIO_VPCE_SANDBOX_IDLE_TIMEOUT={raw!r} must be more than 0 seconds")
    return value


def _state_file(directory: Path) -> Path:
    return directory / "server.json"


def _read_state(directory: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(_state_file(directory).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and {"pid", "url", "instance"} <= set(data) else None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive lock on DIR/lock: concurrent first starts share one server."""
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ConfigProblem(f"cannot create the demo sandbox's folder {directory} ({exc.strerror}): make it "
                            "writable, or point STUDIO_VPCE_CACHE_DIR elsewhere") from None
    with open(directory / "lock", "a+b") as handle:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt  # noqa: PLC0415

            handle.seek(0)
            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
                    break
                except OSError:
                    time.sleep(0.05)
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl  # noqa: PLC0415

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _request(url: str, path: str, method: str = "GET", timeout: float = 5.0, **query: str) -> dict[str, Any]:
    from urllib.parse import urlencode  # noqa: PLC0415

    target = f"{url}{_PREFIX}{path}" + (f"?{urlencode(query)}" if query else "")
    request = urllib.request.Request(target, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode())
    except urllib.error.HTTPError as exc:  # the server says why in one line
        try:
            reason = json.loads(exc.read().decode()).get("error", exc.reason)
        except ValueError:
            reason = exc.reason
        raise OSError(f"{exc.code}: {reason}") from None


def status() -> dict[str, Any] | None:
    """The server's status (pid, url, since, regions, idle timeout, idle for, the saved account), or None when
    none runs. A server that is still starting answers when it is ready (its socket listens from the start)."""
    state = _read_state(state_dir())
    if state is None or not _pid_alive(state["pid"]):
        return None
    import http.client  # noqa: PLC0415

    try:
        live = _request(state["url"], "status", timeout=START_TIMEOUT if state.get("starting") else 3.0)
    except (OSError, ValueError, http.client.HTTPException):  # gone, or closing as it stops
        return None
    return live if live.get("instance") == state["instance"] else None


_spawned: list[subprocess.Popen[bytes]] = []  # servers this process started (reaped when they stop)
_starting: dict[str, Any] = {}  # the server this process started and has not yet seen ready: proc, url, instance
_await_lock = threading.Lock()


def prestart(region: str) -> None:
    """Start the server now, if none runs, without waiting for it: a --demo command calls this once its input
    is valid and before it loads boto3, so that the server restores or seeds its account meanwhile. Any problem
    is left for `connect` to report."""
    if in_process() or os.name == "nt":
        return
    try:
        check_region(region)
        directory = state_dir()
        with _locked(directory):
            state = _read_state(directory)
            if state is not None and _pid_alive(state["pid"]):
                return  # running, or starting
            _need_moto()
            _spawn(directory, region)
    except (StudioVpceError, OSError):
        return


def connect(region: str, notify: Callable[[str], None] | None = None):  # noqa: ANN201 - (boto3.Session, url)
    """Attach to the sandbox server (starting it if none runs) with `region` seeded; a Session and its URL.

    A server this process started may still be starting: then the session's first request waits for it (and
    says what it started, or why it did not), so that building clients overlaps the server's start."""

    check_region(region)
    directory = state_dir()
    with _locked(directory):
        state = _read_state(directory)
        pending = (_starting if _starting and state is not None and state.get("instance") == _starting["instance"]
                   and _starting["proc"].poll() is None else None)
        info = None if pending else status()
        if info is None and pending is None:
            _need_moto()
            pending = _spawn(directory, region)
        if pending is not None and region != pending["region"]:  # the server seeds another region first
            info = _await_start(notify)
        if info is not None and region not in info["regions"]:
            try:
                _request(info["url"], "seed", method="POST", timeout=START_TIMEOUT, region=region)
            except (OSError, ValueError) as exc:
                raise AwsError(f"the demo sandbox could not seed {region} ({exc}); try `studio-vpce sandbox "
                               f"reset`, or see {directory / 'server.log'}", "SandboxError") from None
    session = demo_session(region)
    install_hooks(session)
    if info is None:
        def ready(**_: Any) -> None:
            if _starting:
                _await_start(notify)

        session.events.register_first("before-send", ready, unique_id="sandbox-await-start")
    return session, (info or pending or {})["url"]


def _await_start(notify: Callable[[str], None] | None) -> dict[str, Any]:
    """Wait until the server this process started answers (its socket queues requests until then); say so."""
    import http.client  # noqa: PLC0415

    with _await_lock:
        if not _starting:
            raise AwsError("the demo sandbox is not starting", "SandboxError")
        if "info" in _starting:
            return _starting["info"]
        if "error" in _starting:  # every request of this process fails the same way
            raise AwsError(_starting["error"], "SandboxError")
        proc, log_path = _starting["proc"], _starting["log"]
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                tail = [line for line in log_path.read_text(errors="replace").splitlines() if line.strip()][-1:]
                _starting["error"] = (f"the demo sandbox did not start "
                                      f"({tail[0] if tail else f'exit {proc.returncode}'}); see {log_path}")
                raise AwsError(_starting["error"], "SandboxError")
            if time.monotonic() > deadline:
                proc.terminate()
                _starting["error"] = f"the demo sandbox did not start within {START_TIMEOUT:.0f} s; see {log_path}"
                raise AwsError(_starting["error"], "SandboxError")
            try:
                live = _request(_starting["url"], "status", timeout=max(1.0, deadline - time.monotonic()),
                                starter="1")  # its first requests follow: idle counts from here
            except (OSError, ValueError, http.client.HTTPException):
                time.sleep(0.05)
                continue
            if live.get("instance") == _starting["instance"]:
                break
        _starting["info"] = live
    if notify:
        notify(_started(live))
    return live


def _started(info: dict[str, Any]) -> str:
    """What a command that started the server says (one line)."""
    lasts = (f"the server stops after {_minutes(info['idle_timeout'])} idle or with `studio-vpce sandbox stop`, "
             "and starts again as it was")
    note = f"{info['note']}; " if info.get("note") else ""
    if info.get("restored"):
        return (f"demo sandbox: {note}started at {info['url']} with the saved account "
                f"({_holds(info['changes'], info['regions'])}; `studio-vpce sandbox reset` wipes it); {lasts}")
    problem = f"{info['problem']}; " if info.get("problem") else note
    return (f"demo sandbox: {problem}started a fresh sandbox account at {info['url']} (it keeps its state until "
            f"`studio-vpce sandbox reset`; {lasts})")


def _server_env() -> dict[str, str]:
    package_root = str(Path(__file__).resolve().parent.parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}  # the server needs no AWS settings
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    return env


_preloaded: dict[str, Any] = {}  # a server process started ahead of need, waiting for its orders: proc, channel


def preload() -> None:
    """Start a server process ahead of need, as a --demo command begins and before it has read its input: the
    process imports moto and waits. When the input is valid, `_spawn` hands it the listening socket and its
    orders, and it serves as one started then would, with moto already loaded. It reads and writes no file
    before its orders, and it ends when this process ends without giving any (bad input changes nothing).
    Not when a server already runs (nothing would use it), nor in-process, nor without fd passing (Windows)."""
    import socket  # noqa: PLC0415

    if _preloaded or in_process() or not hasattr(socket, "send_fds"):
        return
    try:
        state = _read_state(state_dir())  # a glance: no lock, no folder made
        if state is not None and _pid_alive(state["pid"]):
            return
        _need_moto()
        ours, theirs = socket.socketpair()
        with theirs:
            proc = subprocess.Popen([sys.executable, "-m", "wizard.sandbox", "preload", "--channel",
                                     str(theirs.fileno())], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, cwd=os.path.abspath(os.sep), env=_server_env(),
                                    close_fds=True, pass_fds=(theirs.fileno(),), start_new_session=True)
    except (OSError, StudioVpceError):
        return
    _spawned.append(proc)
    _preloaded.update(proc=proc, channel=ours)


def discard_preloaded() -> None:
    """End the preloaded server process if it got no orders (the input was bad, or a server was running)."""
    proc, channel = _preloaded.pop("proc", None), _preloaded.pop("channel", None)
    if channel is not None:
        channel.close()
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()


def _hand_over(listener: Any, log: Any, orders: dict[str, Any]) -> subprocess.Popen[bytes] | None:
    """Give the preloaded server process its listening socket, log and orders; None when there is none (or it
    is gone), and then the caller starts a server as usual."""
    import socket  # noqa: PLC0415

    proc, channel = _preloaded.pop("proc", None), _preloaded.pop("channel", None)
    if proc is None or channel is None:
        return None
    with channel:
        if proc.poll() is not None:
            return None
        try:
            socket.send_fds(channel, [json.dumps(orders).encode()], [listener.fileno(), log.fileno()])
        except OSError:
            return None
    return proc  # type: ignore[no-any-return]


def _preload(channel_fd: int) -> int:
    """The preloaded server process: load moto, then wait for orders (`_hand_over`); none: end, having done
    nothing."""
    import socket  # noqa: PLC0415

    channel = socket.socket(fileno=channel_fd)
    failure = ""  # a failure to load is reported in the log it is handed, as a server started then reports it
    try:
        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        share_botocore_data()
        defer_instance_type_offerings()
        import boto3  # noqa: F401, PLC0415 - the seeding session's
        from moto.core.botocore_stubber import BotocoreStubber  # noqa: F401, PLC0415

        quicker_moto_dispatch()
        endpoints_modified_as_aws()
        for service in ("iam", "sagemaker", "route53", "sts"):  # what a restore or a seed loads first
            __import__(f"moto.{service}.models")
            __import__(f"moto.{service}.responses")
    except Exception:  # noqa: BLE001 - whatever it is, the command that waits for this server says it
        import traceback  # noqa: PLC0415

        failure = traceback.format_exc()
    try:
        message, fds, _, _ = socket.recv_fds(channel, 1 << 16, 2)
    except OSError:
        return 0
    if not message or len(fds) != 2:  # the command ended without orders
        for fd in fds:
            os.close(fd)
        return 0
    channel.close()
    orders = json.loads(message)
    listener, log = fds
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    if failure:
        os.close(listener)
        sys.stderr.write(failure)
        return 1
    os.chdir(orders["state_dir"])
    return serve(Path(orders["state_dir"]), orders["region"], float(orders["idle"]), listener, orders["instance"])


def _spawn(directory: Path, region: str) -> dict[str, Any]:
    """Start a server without waiting for it. This process opens its listening socket and hands it over, so its
    URL is known at once and requests sent before the server is ready wait in the socket's queue."""
    import socket  # noqa: PLC0415

    timeout = idle_timeout()
    _state_file(directory).unlink(missing_ok=True)  # a stale file from a server that died
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    instance = uuid.uuid4().hex
    command = [sys.executable, "-m", "wizard.sandbox", "serve", "--state-dir", str(directory),
               "--region", region, "--idle-timeout", str(timeout), "--instance", instance]
    options: dict[str, Any] = {}
    if os.name == "nt":  # pragma: no cover - Windows: no socket to hand over; the server binds the same port
        listener.close()
        command += ["--port", url.rsplit(":", 1)[1]]
        options["creationflags"] = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    else:
        command += ["--fd", str(listener.fileno())]
        options.update(pass_fds=(listener.fileno(),), start_new_session=True)  # Ctrl+C here does not stop it
    log_path = directory / "server.log"
    try:
        with open(log_path, "wb") as log:
            proc = _hand_over(listener, log, {"state_dir": str(directory), "region": region, "idle": timeout,
                                              "instance": instance})
            if proc is None:
                proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                        cwd=directory, env=_server_env(), close_fds=True, **options)
    finally:
        listener.close()  # the server holds it now
    _spawned.append(proc)
    _write_json(_state_file(directory), {"pid": proc.pid, "url": url, "instance": instance, "starting": True,
                                         "started": time.time(), "regions": [], "idle_timeout": timeout})
    _starting.clear()
    _starting.update(proc=proc, url=url, instance=instance, region=region, log=log_path)
    return _starting


def reset() -> dict[str, Any] | None:
    """Put the seeded account back (every region it had); when no server runs, wipe the saved account (None)."""
    directory = state_dir()
    with _locked(directory):
        info = status()
        if info is None:
            (directory / JOURNAL).unlink(missing_ok=True)
            (directory / SNAPSHOT).unlink(missing_ok=True)
            return None
    try:
        return _request(info["url"], "reset", method="POST", timeout=START_TIMEOUT)
    except (OSError, ValueError) as exc:
        raise AwsError(f"the demo sandbox could not reset ({exc}); `studio-vpce sandbox stop` and run again, or "
                       f"see {state_dir() / 'server.log'}", "SandboxError") from None


def stop_server(wait: float = 10.0) -> bool:
    """Stop the server; False when none ran."""
    directory = state_dir()
    state = _read_state(directory)
    if state is None:
        return False
    info = status()
    if info is not None:
        import http.client  # noqa: PLC0415

        # The server may close the connection mid-answer as it stops (IncompleteRead): that is a stop too.
        with contextlib.suppress(OSError, ValueError, http.client.HTTPException):
            _request(state["url"], "stop", method="POST", timeout=5.0)
    deadline = time.monotonic() + wait
    while _pid_alive(state["pid"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _pid_alive(state["pid"]) and _is_our_server(state["pid"]):  # unresponsive: end it by its pid
        import signal  # noqa: PLC0415

        with contextlib.suppress(OSError):
            os.kill(state["pid"], signal.SIGTERM)
    if _read_state(directory) == state:
        _state_file(directory).unlink(missing_ok=True)
    return info is not None


def _pid_alive(pid: int) -> bool:
    for proc in _spawned:
        if proc.pid == pid:
            return proc.poll() is None  # our child: poll() also reaps it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists
        return True
    try:  # a zombie (exited, not yet reaped by its new parent) is gone for our purposes
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _is_our_server(pid: int) -> bool:
    """Only end a process by pid when it is a sandbox server (a stale pid may belong to anything now)."""
    try:
        return b"wizard.sandbox" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


def describe(info: dict[str, Any] | None) -> str:
    """`sandbox status` for people."""
    where = state_dir()
    if info is None:
        saved = journal_summary(where)
        if saved is None:
            return (f"demo sandbox: not running; no saved account: the next --demo command starts from the seeded "
                    f"account\nstate: {where}")
        return "\n".join([
            "demo sandbox: not running; the next --demo command starts it with the saved account",
            f"saved account: {_holds(saved['changes'], saved['regions'])} ({saved['path']})",
            f"state: {where}"])
    since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(info["started"]))
    return "\n".join([
        (f"demo sandbox: running at {info['url']} (pid {info['pid']}) since {since} "
         f"({_minutes(time.time() - info['started'])} ago)"),
        f"regions: {', '.join(info['regions']) or 'none yet'}",
        (f"idle for {_minutes(info['idle_for'])}; stops by itself after {_minutes(info['idle_timeout'])} idle "
         "(STUDIO_VPCE_SANDBOX_IDLE_TIMEOUT)"),
        (f"saved account: {_holds(info['changes'], info['regions'])} ({info['journal']}); "
         "`studio-vpce sandbox reset` wipes it"),
        f"state: {where}",
    ])


def _holds(changes: int, regions: list[str]) -> str:
    return (f"{changes} change{'' if changes == 1 else 's'} since the seed, "
            f"in {', '.join(regions) or 'no region yet'}")


# ---------------------------------------------------------------- the server process

JOURNAL = "account.jsonl"  # the account's changes since the seed, replayed when a server starts
JOURNAL_FORMAT = 1  # bump when seed() or the journal's shape changes: an older journal then starts afresh
SNAPSHOT = "account.snapshot"  # the journal replayed (a pickle of moto's backends), to start without replaying
_SERVICE_HOSTS = {  # the services the sandbox models, by signing name: where moto expects their requests
    "ec2": "ec2.{region}.amazonaws.com", "iam": "iam.amazonaws.com", "sts": "sts.{region}.amazonaws.com",
    "route53": "route53.amazonaws.com", "sagemaker": "api.sagemaker.{region}.amazonaws.com"}
_READS = ("Describe", "List", "Get")


def loaded_moto_packages() -> list[str]:
    """The moto packages this process has imported (the sandbox loads only the backends it uses)."""
    return sorted({name.split(".")[1] for name in sys.modules if name.startswith("moto.") and name.count(".") >= 1})


def _moto_version() -> str:
    from importlib.metadata import version  # noqa: PLC0415

    return version("moto")


def operation(method: str, headers: Any, body: bytes, query: str = "") -> str:
    """The AWS operation a signed request asks for (query, JSON and REST protocols), or "" when it cannot tell."""
    import re  # noqa: PLC0415
    from urllib.parse import parse_qs  # noqa: PLC0415

    target = headers.get("X-Amz-Target") or ""
    if target:
        return target.rsplit(".", 1)[-1]
    for text in (query, body.decode("utf-8", "replace") if "x-www-form-urlencoded" in
                 (headers.get("Content-Type") or "") else ""):
        action = parse_qs(text).get("Action")
        if action:
            return action[0]
    if method in ("GET", "HEAD"):
        return "Get"
    root = re.search(rb"<([A-Za-z]+)Request[\s>]", body)
    return root.group(1).decode() if root else ""


def is_read(method: str, headers: Any, body: bytes, query: str = "") -> bool:
    """Whether a request only reads: an allow-list by operation name; anything else is journaled."""
    return operation(method, headers, body, query).startswith(_READS)


class _Raw:
    """The body botocore reads from a response (what urllib3 would give it)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


class _Direct:
    """A stand-in for the boto3 Session `seed` uses, in the process that hosts moto: each call is serialized and
    its answer parsed by botocore's own serializer and parser, from the service model moto loads anyway, and the
    request goes straight to the account. Building five botocore clients (a method per operation, their handlers,
    endpoint rules) cost a fifth of the seeding time for a few dozen calls."""

    def __init__(self, account: SandboxAccount, region: str) -> None:
        self.account, self.region_name = account, region

    def client(self, service: str, region_name: str | None = None, endpoint_url: str | None = None) -> Any:
        return _DirectClient(self.account, service, region_name or self.region_name)


class _DirectClient:
    def __init__(self, account: SandboxAccount, service: str, region: str) -> None:
        from moto.core.utils import get_service_model  # noqa: PLC0415 - moto's cached botocore ServiceModel

        self.account, self.service, self.region = account, service, region
        self.model = get_service_model(service)
        self.url = "https://" + _SERVICE_HOSTS[service].format(region=region)

    def __getattr__(self, method: str) -> Callable[..., dict[str, Any]]:
        name = "".join(part.capitalize() for part in method.split("_"))
        if name not in self.model.operation_names:
            raise AttributeError(method)
        return lambda **params: self._call(name, params)

    def _call(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        from botocore.awsrequest import create_request_object, prepare_request_dict  # noqa: PLC0415
        from botocore.parsers import create_parser  # noqa: PLC0415
        from botocore.serialize import create_serializer  # noqa: PLC0415

        operation = self.model.operation_model(name)
        protocol = self.model.resolved_protocol if hasattr(self.model, "resolved_protocol") else self.model.protocol
        request_dict = create_serializer(protocol).serialize_to_request(params, operation)
        prepare_request_dict(request_dict, endpoint_url=self.url)
        request = create_request_object(request_dict).prepare()
        headers = {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in request.headers.items()}
        headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential=demo/20260101/{self.region}/"
                                    f"{self.model.signing_name}/aws4_request, SignedHeaders=host, Signature=0")
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        status, out_headers, out = self.account.handle(request.method, request.url, headers, body, journal=False)
        parsed: dict[str, Any] = create_parser(protocol).parse(
            {"status_code": status, "headers": out_headers, "body": out}, operation.output_shape)
        if status >= 300:
            raise AwsError(f"{name}: {parsed.get('Error', {}).get('Code', status)}: "
                           f"{parsed.get('Error', {}).get('Message', '')}", "SandboxError")
        return parsed


class SandboxAccount:
    """moto's backends behind one lock, fed signed AWS requests; the changing ones go to a journal.

    Every request is served under one lock, and each journaled request first re-seeds moto's random source from
    its place in the journal: reads draw from it too (request ids), so this is what makes the ids a change makes
    the same when the journal is replayed in a new server, whatever was read in between.
    """

    def __init__(self, directory: Path | None) -> None:
        from moto.core.botocore_stubber import BotocoreStubber  # noqa: PLC0415

        self.stubber = BotocoreStubber()
        self.path = directory / JOURNAL if directory is not None else None
        self.lock = threading.RLock()
        self.regions: list[str] = []
        self.changes = 0  # journaled requests since the seed
        self._entries = 0  # journal lines after the header (seeds and requests)
        self._handle: Any = None
        self.restored = False  # whether start-up replayed a saved account
        self.problem = ""  # why a saved account could not be replayed (one line)
        self.note = ""  # what start-up dropped from the journal (a last line cut short), one line
        self.from_snapshot = False  # whether start-up loaded the snapshot (then replayed only what followed it)
        self.replayed_after_snapshot = False

    # -- requests

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes,
               journal: bool = True) -> tuple[int, dict[str, str], bytes]:
        from botocore.awsrequest import AWSPreparedRequest  # noqa: PLC0415
        from botocore.compat import HTTPHeaders  # noqa: PLC0415
        from moto.moto_api._internal import mock_random  # noqa: PLC0415

        query = url.partition("?")[2]
        with self.lock:
            record = journal and self.path is not None and not is_read(method, headers, body, query)
            if record:
                mock_random.seed(f"{DEMO_SEED}:{self._entries}")
            message = HTTPHeaders()
            for name, value in headers.items():
                message[name] = value
            request = AWSPreparedRequest(method=method, url=url, headers=message, body=body or None,
                                         stream_output=False)
            answer = self.stubber.process_request(request)
            out_headers: dict[str, Any]
            if answer is None:
                status, out_headers, out = 404, {}, b"the demo sandbox does not model this request"
            else:
                status, out_headers, raw = answer
                out = raw.encode() if isinstance(raw, str) else (raw or b"")
            if record:
                self._append({"method": method, "url": url, "headers": _journal_headers(headers),
                              "body": body.decode("utf-8", "surrogateescape"), "status": int(status)})
                self.changes += 1
        return int(status), {str(k): str(v) for k, v in (out_headers or {}).items()}, out

    def session(self, region: str, journal: bool = False):  # noqa: ANN201 - a boto3.Session answered in-process
        from botocore.awsrequest import AWSResponse  # noqa: PLC0415

        session = demo_session(region)

        def send(request: Any, **_: Any) -> Any:
            body = request.body or b""
            body = body.encode() if isinstance(body, str) else body.read() if hasattr(body, "read") else body
            headers = {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in request.headers.items()}
            status, headers, out = self.handle(request.method, request.url, headers, body, journal=journal)
            return AWSResponse(request.url, status, headers, _Raw(out))

        session.events.register("before-send", send, unique_id="sandbox-in-process")
        return session

    def direct(self, region: str) -> _Direct:
        """What `seed` needs of a boto3 Session, answered in-process without building botocore clients."""
        return _Direct(self, region)

    # -- seeding, the journal, reset

    def seed(self, region: str, journal: bool = True) -> None:
        check_region(region)
        with self.lock:
            if region in self.regions:
                return
            seed(self.direct(region), region)
            self.regions.append(region)
            if journal:
                self._append({"seed": region})

    def _header(self) -> dict[str, Any]:
        return {"studio_vpce_sandbox": JOURNAL_FORMAT, "moto": _moto_version(), "seed": DEMO_SEED}

    def _append(self, entry: dict[str, Any]) -> None:
        if self.path is None:
            return
        if self._handle is None:
            fresh = not self.path.exists() or self.path.stat().st_size == 0
            self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - open for the server's life
            if fresh:
                self._handle.write(json.dumps(self._header()) + "\n")
        self._handle.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._entries += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def restore(self) -> None:
        """Replay the journal, if there is one: the account as the last server left it (from the snapshot when it
        matches, then the changes after it). A journal that cannot be replayed exactly is set aside (one line in
        `problem` says why) and the account starts from the seed."""
        from moto.moto_api._internal import mock_random  # noqa: PLC0415

        if self.path is None or not self.path.exists():
            return
        try:
            entries = self._read_journal()
            with self.lock:
                skip = self._load_snapshot(len(entries))
                self.replayed_after_snapshot = len(entries) > skip
                for number, entry in enumerate(entries, start=1):
                    if number <= skip:
                        continue
                    if "seed" in entry:
                        self.seed(entry["seed"], journal=False)
                    else:
                        mock_random.seed(f"{DEMO_SEED}:{self._entries}")  # as when the change was made
                        status, _, _ = self.handle(entry["method"], entry["url"], entry["headers"],
                                                   entry["body"].encode("utf-8", "surrogateescape"), journal=False)
                        if status != entry["status"]:
                            raise ValueError(f"change {number} ({entry['method']} {_short_url(entry['url'])}) "
                                             f"answered {status}, not {entry['status']} as when it was made")
                        self.changes += 1
                    self._entries += 1
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            self._set_aside(str(exc))
            return
        self.restored = bool(self.changes or len(self.regions) > 1)

    # -- the snapshot: the journal replayed, as a pickle, so that a server starts without replaying it all

    def _snapshot_key(self) -> dict[str, Any]:
        """What a snapshot must match: this moto and Python, and the journal's bytes it was taken after."""
        import hashlib as _hashlib  # noqa: PLC0415

        assert self.path is not None
        data = self.path.read_bytes() if self.path.exists() else b""
        return {"format": JOURNAL_FORMAT, "moto": _moto_version(), "python": list(sys.version_info[:2]),
                "journal_bytes": len(data), "journal_sha256": _hashlib.sha256(data).hexdigest()}

    def save_snapshot(self) -> None:
        """Pickle moto's backends the tool uses (under the lock, so no change is half made). Best effort: a
        snapshot that cannot be written only makes the next start replay the whole journal."""
        import pickle  # noqa: PLC0415

        from moto.backends import get_backend  # noqa: PLC0415
        from moto.ec2.models import vpcs  # noqa: PLC0415

        if self.path is None:
            return
        target = self.path.with_name(SNAPSHOT)
        try:
            with self.lock:
                if self._handle is not None:
                    self._handle.flush()
                payload = {"key": self._snapshot_key(), "entries": self._entries, "changes": self.changes,
                           "regions": list(self.regions),
                           "endpoint_services": {r: vpcs.DEFAULT_VPC_ENDPOINT_SERVICES.get(r) for r in self.regions},
                           "backends": {name: dict(get_backend(name)) for name in _SERVICE_HOSTS}}  # type: ignore[call-overload]
                data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            tmp = target.with_name(f".{SNAPSHOT}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
        except Exception as exc:  # noqa: BLE001 - best effort, said in the log
            print(f"no snapshot written ({type(exc).__name__}: {exc}); the next start replays the journal", flush=True)
            if self.path is not None:
                self.path.with_name(SNAPSHOT).unlink(missing_ok=True)

    def _load_snapshot(self, entries: int) -> int:
        """Install the snapshot when it matches the journal; how many journal entries it covers (0: none)."""
        import pickle  # noqa: PLC0415

        from moto.backends import get_backend  # noqa: PLC0415
        from moto.ec2.models import vpcs  # noqa: PLC0415

        assert self.path is not None
        target = self.path.with_name(SNAPSHOT)
        if not target.exists():
            return 0
        try:
            payload = pickle.loads(target.read_bytes())  # our own file, in the user's cache folder
            made = [payload["key"].get(k) for k in ("format", "moto", "python")]
            if made != [JOURNAL_FORMAT, _moto_version(), list(sys.version_info[:2])]:
                raise ValueError(f"made by another studio-vpce, moto or Python ({made})")
            if not self._journal_starts_with(payload["key"]) or payload["entries"] > entries:
                raise ValueError("the journal moved on differently")
            for name, saved in payload["backends"].items():
                live = get_backend(name)
                live.clear()
                live.update(saved)
            for region, services in payload["endpoint_services"].items():
                if services is not None:
                    vpcs.DEFAULT_VPC_ENDPOINT_SERVICES[region] = services
        except Exception as exc:  # noqa: BLE001 - a snapshot is only a shortcut: replay the journal instead
            print(f"snapshot not used ({type(exc).__name__}: {exc}): replaying the journal", flush=True)
            self._wipe_backends()
            return 0
        self.regions, self.changes, self._entries = list(payload["regions"]), payload["changes"], payload["entries"]
        self.from_snapshot = True
        return int(payload["entries"])

    def _journal_starts_with(self, key: dict[str, Any]) -> bool:
        import hashlib as _hashlib  # noqa: PLC0415

        assert self.path is not None
        data = self.path.read_bytes()[:key["journal_bytes"]]
        return len(data) == key["journal_bytes"] and _hashlib.sha256(data).hexdigest() == key["journal_sha256"]

    def _read_journal(self) -> list[dict[str, Any]]:
        assert self.path is not None
        text = self.path.read_text(encoding="utf-8")
        whole = text.endswith("\n")
        lines = text.split("\n")[:-1] if whole else text.split("\n") if text else []
        if lines and (not whole or len(lines) > 1) and _torn(lines[-1], whole):
            # A last line cut short (killed as it wrote, newline or not): that change never answered. Drop that
            # line alone, so that new lines follow whole ones, and replay the rest; corruption before it is not
            # what a crash leaves, so it still sets the journal aside.
            if len(lines) > 1:
                self.note = (f"dropped the saved account's last line (line {len(lines)}: a change cut short as it "
                             "was written, never answered); the changes before it are restored")
            lines = lines[:-1]
            with open(self.path, "r+", encoding="utf-8") as handle:
                handle.truncate(len("".join(line + "\n" for line in lines).encode("utf-8")))
        if not lines:
            return []
        try:
            header = json.loads(lines[0])
        except ValueError:
            raise ValueError("its first line is not a studio-vpce sandbox journal") from None
        if not isinstance(header, dict) or header.get("studio_vpce_sandbox") != JOURNAL_FORMAT:
            raise ValueError("it is not a studio-vpce sandbox journal of this version")
        if header.get("seed") != DEMO_SEED:
            raise ValueError("it was made from another seed")
        if header.get("moto") != _moto_version():
            raise ValueError(f"it was made with moto {header.get('moto')} and this is moto {_moto_version()}, "
                             "whose ids may differ")
        entries = []
        for number, line in enumerate(lines[1:], start=2):
            try:
                entry = json.loads(line)
            except ValueError:
                raise ValueError(f"line {number} is not JSON") from None
            if not isinstance(entry, dict) or not ({"seed"} <= set(entry) or
                                                   {"method", "url", "headers", "body", "status"} <= set(entry)):
                raise ValueError(f"line {number} is not a journal entry")
            entries.append(entry)
        return entries

    def _set_aside(self, why: str) -> None:
        assert self.path is not None
        kept = self.path.with_name(JOURNAL + ".unusable")
        with self.lock:
            self._wipe_backends()
            self.changes = self._entries = 0
            with contextlib.suppress(OSError):
                self.path.replace(kept)
        self.problem = f"could not restore the saved account ({why}; it is kept as {kept})"

    def _wipe_backends(self) -> None:
        from moto.moto_api._internal import moto_api_backend  # noqa: PLC0415

        moto_api_backend.reset()
        self.regions = []

    def reset(self) -> list[str]:
        """The seeded account again, in every region it had; the journal starts afresh."""
        with self.lock:
            seeded = list(self.regions) or [DEMO_REGION]
            self._wipe_backends()
            self.close()
            if self.path is not None:
                self.path.unlink(missing_ok=True)
                self.path.with_name(SNAPSHOT).unlink(missing_ok=True)
            self.changes = self._entries = 0
            for region in seeded:
                self.seed(region)
        return seeded


def _torn(line: str, whole: bool) -> bool:
    """Whether a journal's last line is what a crash mid-write leaves: not ended, or not JSON at all (a prefix
    of an entry is never JSON). A whole JSON value that is no entry is corruption, not a crash."""
    if not whole:
        return True
    try:
        json.loads(line)
    except ValueError:
        return True
    return False


def _journal_headers(headers: dict[str, str]) -> dict[str, str]:
    """What a replay needs of a request's headers: never its signature or a session token."""
    import re  # noqa: PLC0415

    keep = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower == "authorization":  # keep the credential scope (service, region), not the key or signature
            scope = re.search(r"Credential=[^/,]*/([^,]*)", value)
            keep["Authorization"] = (f"AWS4-HMAC-SHA256 Credential=demo/{scope.group(1) if scope else ''}, "
                                     "SignedHeaders=host, Signature=0")
        elif lower in ("content-type", "x-amz-target"):
            keep[name] = value
    return keep


def _short_url(url: str) -> str:
    return url.split("?", 1)[0]


def journal_summary(directory: Path) -> dict[str, Any] | None:
    """What the saved account holds (without starting a server): its path, changes and regions; None if none."""
    path = directory / JOURNAL
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][1:]
    except OSError:
        return None
    regions, changes = [], 0
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and "seed" in entry:
            regions.append(entry["seed"])
        elif isinstance(entry, dict):
            changes += 1
    return {"path": str(path), "changes": changes, "regions": regions}


class SandboxServer:
    """The HTTP side: AWS requests to the account (service and region from the signature's scope), plus
    /_sandbox/{status,seed,reset,stop}, and a clock for the idle timeout."""

    def __init__(self, account: SandboxAccount, idle: float) -> None:
        self.account = account
        self.idle = idle
        self.url = ""
        self.instance = uuid.uuid4().hex
        self.started = time.time()
        self.last = time.monotonic()
        self.stopping = threading.Event()
        self.busy = 0  # requests being answered: the server is not idle while one is (however long it takes)
        self._busy_lock = threading.Lock()

    @contextlib.contextmanager
    def working(self, keeps_alive: bool = True) -> Iterator[None]:
        """Around each request: not idle while it is answered; idle counts again from its end (`keeps_alive`:
        not for a status request, which must not keep a server alive). A first request that took longer than the
        idle timeout under load (moto loading a backend) stopped the server as it answered (CI, 2 s timeout)."""
        with self._busy_lock:
            self.busy += 1
        try:
            yield
        finally:
            with self._busy_lock:
                self.busy -= 1
                if keeps_alive:
                    self.last = time.monotonic()

    def idle_past(self, waiting: Callable[[], bool] = lambda: False) -> bool:
        """Idle for longer than the timeout: no request being answered, none `waiting` to be accepted, and none
        ended (or the server started) within the timeout."""
        return self.busy == 0 and time.monotonic() - self.last > self.idle and not waiting()

    def status(self) -> dict[str, Any]:
        return {"instance": self.instance, "pid": os.getpid(), "url": self.url, "started": self.started,
                "regions": list(self.account.regions), "idle_timeout": self.idle,
                "idle_for": time.monotonic() - self.last, "account_id": DEMO_ACCOUNT,
                "journal": str(self.account.path), "changes": self.account.changes,
                "restored": self.account.restored, "problem": self.account.problem, "note": self.account.note,
                "from_snapshot": self.account.from_snapshot,
                "moto_packages": loaded_moto_packages(),
                "modules": sorted({name.split(".")[0] for name in sys.modules if not name.startswith("_")})}

    def aws(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        import re  # noqa: PLC0415

        self.last = time.monotonic()
        scope = re.search(r"Credential=[^/,]*/[^/,]*/([^/,]*)/([^/,]*)/", headers.get("Authorization", ""))
        if scope is None or scope.group(2) not in _SERVICE_HOSTS:
            return 400, {"Content-Type": "text/plain"}, (
                b"the demo sandbox answers signed requests to " + ", ".join(_SERVICE_HOSTS).encode() + b" only")
        host = _SERVICE_HOSTS[scope.group(2)].format(region=scope.group(1))
        return self.account.handle(method, f"https://{host}{path}", headers, body)

    def action(self, path: str) -> tuple[int, dict[str, Any]]:
        from urllib.parse import parse_qs, urlsplit  # noqa: PLC0415

        parts = urlsplit(path)
        action = parts.path[len(_PREFIX):]
        query = parse_qs(parts.query)
        try:
            if action != "status":
                self.last = time.monotonic()
            if action == "seed":
                self.account.seed(query.get("region", [""])[0])
            elif action == "reset":
                self.account.reset()
            elif action == "stop":
                self.stopping.set()
            elif action != "status":
                return 404, {"error": f"no such sandbox action {action!r}"}
        except Exception as exc:  # noqa: BLE001 - reported to the client as one line
            return 500, {"error": f"{type(exc).__name__}: {exc}"}
        return 200, self.status()


def _http_server(app: SandboxServer, sock: Any = None):  # noqa: ANN202 - a ThreadingHTTPServer
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: PLC0415

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as botocore expects
        # One write per answer, sent at once: unbuffered, the status line and headers went out in one segment and
        # the body in a second, which Nagle's algorithm held until the client's delayed ACK of the first (up to
        # 40 ms on Linux) -- on every request. The buffer is flushed after each request (handle_one_request).
        wbufsize = -1
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            status = self.path.startswith(_PREFIX + "status")  # `sandbox status` keeps no server alive; its starter does
            with app.working(keeps_alive=not status or "starter=1" in self.path):
                self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith(_PREFIX):
                code, answer = app.action(self.path)
                status, headers, data = code, {"Content-Type": "application/json"}, json.dumps(answer).encode()
            else:
                try:
                    status, headers, data = app.aws(self.command, self.path, dict(self.headers.items()), body)
                except Exception as exc:  # noqa: BLE001 - the client gets a 500 with the reason, the server goes on
                    status, headers, data = 500, {"Content-Type": "text/plain"}, f"{type(exc).__name__}: {exc}".encode()
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "status", "transfer-encoding", "connection", "date",
                                        "server"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the log is for problems
            return

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    if sock is None:
        return Server(("127.0.0.1", 0), Handler)
    server = Server(("127.0.0.1", 0), Handler, bind_and_activate=False)
    server.socket.close()
    server.socket = sock
    server.server_address = sock.getsockname()
    return server


def share_botocore_data() -> None:
    """In the server process, parse each of botocore's JSON files once, and find a service without listing them
    all. moto makes several botocore sessions and loaders (three at import, only to list EC2's regions), and each
    would parse the 5 MB EC2 model again: six times in all, about a second. botocore treats what it loads as
    read-only (one loader already hands the same dict to every client), so sharing it changes nothing else."""
    from botocore import loaders  # noqa: PLC0415

    original = loaders.JSONFileLoader.load_file
    if getattr(original, "shared", False):
        return
    parsed: dict[str, Any] = {}

    def load_file(self: Any, file_path: str) -> Any:
        if file_path not in parsed:
            parsed[file_path] = original(self, file_path)
        return parsed[file_path]

    load_file.shared = True  # type: ignore[attr-defined]
    loaders.JSONFileLoader.load_file = load_file  # type: ignore[method-assign]
    # Each loader lists all ~450 service folders to find one service, once per model type (see wizard.cloud).
    from wizard.cloud import _Services  # noqa: PLC0415

    loaders.Loader.list_available_services = lambda self, type_name: _Services(self, type_name)  # type: ignore[method-assign]


def private_zones_as_aws() -> None:
    """Where moto runs: CreateHostedZone with a VPC makes a private zone associated with it, as on AWS (the VPC
    is what makes a zone private; HostedZoneConfig.PrivateZone may be left out). moto made it public and
    dropped the VPC unless PrivateZone was sent: Terraform's aws_route53_zone sends only the vpc block, so a
    Terraform deployment of a hosted-zone profile read as four missing zones and records (trial 18)."""
    from moto.route53.responses import Route53  # noqa: PLC0415

    original = Route53.create_hosted_zone
    if getattr(original, "as_aws", False):
        return

    def create_hosted_zone(self: Any) -> Any:
        if self._get_param("VPC.VPCId") and not self._get_bool_param("HostedZoneConfig.PrivateZone", False):
            asked = self._get_bool_param
            self._get_bool_param = lambda name, default=None: (  # this request only
                True if name == "HostedZoneConfig.PrivateZone" else asked(name, default))
        return original(self)

    create_hosted_zone.as_aws = True  # type: ignore[attr-defined]
    Route53.create_hosted_zone = create_hosted_zone  # type: ignore[method-assign]


def endpoints_modified_as_aws() -> None:
    """Where moto runs: CreateVpcEndpoint and ModifyVpcEndpoint as AWS does them.
    - moto ignores ModifyVpcEndpoint's PrivateDnsEnabled and ResetPolicy, so a profile switched to hosted zones
      (private DNS off first), or a reused endpoint whose policy apply resets to full access, never converged in
      the sandbox: apply said it changed them, and the next plan planned the same changes again. Both are applied
      to moto's endpoint after moto's own modify.
    - An interface endpoint created without security groups gets the VPC's default group, as on AWS ("If you do
      not specify a security group, we associate the default security group for the VPC"); moto gave it none, so
      destroying a profile that had reused such an endpoint was refused in the sandbox (the endpoint would have
      been left with no group but the profile's)."""
    from moto.ec2.models.vpcs import VPCBackend, VPCEndPoint  # noqa: PLC0415
    from moto.ec2.responses.vpcs import VPCs  # noqa: PLC0415

    original = VPCs.modify_vpc_endpoint
    if getattr(original, "as_aws", False):
        return
    private_zones_as_aws()
    create = VPCBackend.create_vpc_endpoint

    def create_vpc_endpoint(self: Any, *args: Any, **kwargs: Any) -> Any:
        if (str(kwargs.get("endpoint_type") or "").lower() == "interface" and not kwargs.get("security_group_ids")
                and not args):
            default = self.get_default_security_group(kwargs["vpc_id"])
            kwargs["security_group_ids"] = [default.id] if default is not None else []
        return create(self, *args, **kwargs)

    VPCBackend.create_vpc_endpoint = create_vpc_endpoint  # type: ignore[method-assign]

    def modify_vpc_endpoint(self: Any) -> Any:
        result = original(self)
        endpoint = self.ec2_backend.describe_vpc_endpoints(vpc_end_point_ids=[self._get_param("VpcEndpointId")])[0]
        private_dns = self._get_bool_param("PrivateDnsEnabled")
        if private_dns is not None:
            endpoint.private_dns_enabled = private_dns
        if self._get_bool_param("ResetPolicy"):
            endpoint.policy_document = json.dumps(VPCEndPoint.DEFAULT_POLICY)
        return result

    modify_vpc_endpoint.as_aws = True  # type: ignore[attr-defined]
    VPCs.modify_vpc_endpoint = modify_vpc_endpoint  # type: ignore[method-assign]


def quicker_moto_dispatch() -> None:
    """Where moto runs: moto lists the methods of a service's response class (EC2's has ~700) with
    inspect.getmembers on every request, to see whether the action is one of them: a tenth of moto's time per
    request (measured on the tests' engine modules: 5% of all their samples). A class's methods do not change
    while it serves, so each class's list is made once; the same list, the same dispatch."""
    from moto.core import responses  # noqa: PLC0415

    original = responses.method_names_from_class
    if getattr(original, "once_per_class", False):
        return
    listed: dict[type, list[str]] = {}

    def method_names_from_class(clazz: Any) -> list[str]:
        if clazz not in listed:
            listed[clazz] = original(clazz)
        return listed[clazz]

    method_names_from_class.once_per_class = True  # type: ignore[attr-defined]
    responses.method_names_from_class = method_names_from_class


class _Offerings(dict):  # type: ignore[type-arg]
    """moto's instance-type offerings of one location type, by region: each region's file read when asked for."""

    def __init__(self, location_type: str, files: dict[str, str], load: Callable[[str], Any]) -> None:
        super().__init__()
        self._location_type, self._files, self._load = location_type, dict(files), load

    def _fill(self, *regions: str) -> None:
        for region in regions or list(self._files):
            path = self._files.pop(region, None) if isinstance(region, str) else None
            if path is not None:
                records = self._load(path)
                for record in records:  # as moto's import does
                    record["LocationType"] = self._location_type
                dict.__setitem__(self, region, records)

    def __getitem__(self, region: str) -> Any:
        self._fill(region)
        return super().__getitem__(region)

    def get(self, region: str, default: Any = None) -> Any:
        self._fill(region)
        return super().get(region, default)

    def __contains__(self, region: object) -> bool:
        return region in self._files or super().__contains__(region)

    def __iter__(self) -> Iterator[str]:
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        return len(self._files) + super().__len__()

    def keys(self) -> Any:
        self._fill()
        return super().keys()

    def values(self) -> Any:
        self._fill()
        return super().values()

    def items(self) -> Any:
        self._fill()
        return super().items()

    def __reduce__(self) -> Any:  # a copy or a pickle is a plain dict, every region read
        self._fill()
        return dict, (dict(super().items()),)


def defer_instance_type_offerings() -> None:
    """In the server process: moto's EC2 reads the instance-type offerings of every region and zone when it is
    imported (150,000 records: a fifth of a second of every start), for RunInstances and
    DescribeInstanceTypeOfferings, which the tool never calls. Read each region's file when first asked for
    instead: the same data, the same answers, later."""
    if "moto.ec2.models.instance_types" in sys.modules:
        return
    from moto.utilities import utils  # noqa: PLC0415

    original = utils.load_resource
    prefix = "ec2/resources/instance_type_offerings/"
    deferred: dict[str, dict[str, str]] = {}  # location type -> region -> moto resource path
    importing = [True]

    def load_resource(resource: str) -> Any:
        if importing[0] and resource.startswith(prefix) and resource.count("/") == 4:
            location_type, name = resource[len(prefix):].split("/")
            deferred.setdefault(location_type, {})[name.split(".")[0]] = resource
            return []
        return original(resource)

    utils.load_resource = load_resource
    try:
        from moto.ec2.models import instance_types  # noqa: PLC0415
    finally:
        importing[0] = False
        utils.load_resource = original
    for location_type, files in deferred.items():
        instance_types.INSTANCE_TYPE_OFFERINGS[location_type] = _Offerings(location_type, files, original)


def serve(directory: Path, region: str, idle: float, fd: int | None = None, instance: str | None = None,
          port: int = 0) -> int:
    """The server process: moto on 127.0.0.1 (the socket `fd` its starter opened, else a free port), the saved
    account restored (else seeded), until idle for `idle` s or stopped."""
    import signal  # noqa: PLC0415
    import socket  # noqa: PLC0415

    sock = socket.socket(fileno=fd) if fd is not None else None
    if sock is None and port:  # pragma: no cover - Windows
        sock = socket.create_server(("127.0.0.1", port))
    if os.name == "nt":  # pragma: no cover - Windows: no flock
        return _serve(directory, region, idle, sock, instance, signal)
    with open(directory / "server.lock", "a+b") as lock:
        import fcntl  # noqa: PLC0415

        try:  # one server per folder: two would both write the journal
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            print(f"another sandbox server is running for {directory}: `studio-vpce sandbox stop` stops it",
                  flush=True)
            return 3
        return _serve(directory, region, idle, sock, instance, signal)


def _serve(directory: Path, region: str, idle: float, sock: Any, instance: str | None, signal: Any) -> int:
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # thousands of AMIs the tool never reads
    share_botocore_data()
    defer_instance_type_offerings()
    quicker_moto_dispatch()
    endpoints_modified_as_aws()
    account = SandboxAccount(directory)
    account.restore()
    if region not in account.regions:
        account.seed(region)
    app = SandboxServer(account, idle)
    if instance:
        app.instance = instance
    server = _http_server(app, sock)
    app.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    signal.signal(signal.SIGTERM, lambda *_: app.stopping.set())
    app.last = time.monotonic()
    with _locked(directory):  # after its starter wrote its "starting" line (it holds the lock meanwhile)
        _write_json(_state_file(directory), {k: v for k, v in app.status().items() if k != "idle_for"})
    if not account.from_snapshot or account.replayed_after_snapshot:
        account.save_snapshot()  # the next start loads it instead of seeding and replaying
    print(f"serving {app.url} (pid {os.getpid()}), regions {', '.join(account.regions)}"
          + (f"; restored {account.changes} changes from {account.path}" if account.restored else "")
          + (" (from its snapshot)" if account.from_snapshot else "")
          + (f"; {account.problem}" if account.problem else "") + (f"; {account.note}" if account.note else ""),
          flush=True)
    def waiting() -> bool:  # a connection queued on the listening socket, not yet accepted
        import select  # noqa: PLC0415

        try:
            return bool(select.select([server.socket], [], [], 0)[0])
        except (OSError, ValueError):
            return False

    while not app.stopping.wait(min(5.0, idle / 4)):
        if app.idle_past(waiting):
            print(f"idle for {_minutes(idle)}: stopping", flush=True)
            break
    server.shutdown()
    account.save_snapshot()
    with account.lock:
        account.close()
    state = _read_state(directory)
    if state is not None and state.get("instance") == app.instance:
        _state_file(directory).unlink(missing_ok=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m wizard.sandbox")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="run the sandbox server in this process (the CLI starts it for you)")
    p.add_argument("--state-dir", type=Path, default=None)
    p.add_argument("--region", default=DEMO_REGION)
    p.add_argument("--idle-timeout", type=float, default=IDLE_TIMEOUT)
    p.add_argument("--fd", type=int, default=None, help="a listening socket to serve on (from the starter)")
    p.add_argument("--instance", default=None, help="this server's id, as its starter wrote it in server.json")
    p.add_argument("--port", type=int, default=0, help="where to listen without --fd (Windows)")
    p = sub.add_parser("preload", help="load moto, then serve as the CLI orders (the CLI starts it for you)")
    p.add_argument("--channel", type=int, required=True, help="a socket to receive the orders on")
    args = parser.parse_args(argv)
    if args.command == "preload":
        return _preload(args.channel)
    return serve(args.state_dir or state_dir(), args.region, args.idle_timeout, args.fd, args.instance, args.port)


if __name__ == "__main__":
    sys.exit(main())
