"""SPEC 8 export: CloudFormation passes cfn-lint, Terraform parses as HCL, the CLI script builds what apply builds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import hcl2
import pytest

from conftest import PROFILES, profile, reset_and_seed
from wizard.discovery import observe
from wizard.export import cloudformation, terraform
from wizard.planner import plan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.stem for p in PROFILES.glob("*.yaml"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_cloudformation_passes_cfn_lint(cloud, tmp_path: Path, name: str) -> None:  # noqa: ANN001
    p = profile(name)
    template = tmp_path / "template.yaml"
    template.write_text(cloudformation(plan(observe(cloud, p), p)))
    result = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), str(template)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", EXAMPLES)
def test_terraform_parses_as_hcl_with_the_aws_providers_resources(cloud, name: str) -> None:  # noqa: ANN001
    p = profile(name)
    text = terraform(plan(observe(cloud, p), p))
    parsed = hcl2.loads(text)
    kinds = {kind.strip('"') for block in parsed["resource"] for kind in block}
    assert {"aws_security_group", "aws_vpc_endpoint", "aws_iam_policy"} <= kinds
    if p.dns.mode == "hosted-zone":
        assert {"aws_route53_zone", "aws_route53_record"} <= kinds


def test_template_is_parameterised_for_stacksets(cloud) -> None:  # noqa: ANN001
    p = profile()
    text = cloudformation(plan(observe(cloud, p), p))
    assert "AWS::AccountId" in text and "AWS::Partition" in text and "123456789012" not in text
    assert "List<AWS::EC2::Subnet::Id>" in text


# ---------------------------------------------------------------- the CLI script against apply

def _resources(url: str) -> dict:
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-west-2")
    ec2, iam, r53 = (session.client(s, endpoint_url=url) for s in ("ec2", "iam", "route53"))
    endpoints = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    ids = {e["VpcEndpointId"]: e["ServiceName"] for e in endpoints}
    out: dict = {"endpoints": sorted((e["ServiceName"], e["PrivateDnsEnabled"], tuple(sorted(e["SubnetIds"])),
                                      json.dumps(json.loads(e.get("PolicyDocument") or "{}"), sort_keys=True),
                                      tuple(sorted((t["Key"], t["Value"]) for t in e.get("Tags", []))))
                                     for e in endpoints)}
    out["groups"] = sorted((g["GroupName"], json.dumps(sorted(
        (p["FromPort"], [x["GroupId"] for x in p.get("UserIdGroupPairs", [])], [x["CidrIp"] for x in p.get("IpRanges", [])])
        for p in g["IpPermissions"])), tuple(sorted((t["Key"], t["Value"]) for t in g.get("Tags", []))))
        for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"].startswith("studio-vpce-"))
    policies = []
    for pol in iam.list_policies(Scope="Local", PathPrefix="/studio-vpce/")["Policies"]:
        doc = json.dumps(iam.get_policy_version(PolicyArn=pol["Arn"], VersionId=pol["DefaultVersionId"])
                         ["PolicyVersion"]["Document"], sort_keys=True)
        for vpce, service in ids.items():
            doc = doc.replace(vpce, service)
        entities = iam.list_entities_for_policy(PolicyArn=pol["Arn"])
        policies.append((pol["PolicyName"], doc, sorted(u["UserName"] for u in entities["PolicyUsers"]),
                         sorted(g["GroupName"] for g in entities["PolicyGroups"]),
                         sorted(r["RoleName"] for r in entities["PolicyRoles"])))
    out["policies"] = sorted(policies)
    zones = []
    for zone in r53.list_hosted_zones()["HostedZones"]:
        records = r53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
        zones.append((zone["Name"], sorted((r["Name"], r["Type"]) for r in records if r["Type"] == "A")))
    out["zones"] = sorted(zones)
    return out


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return env


@pytest.mark.skipif(shutil.which("aws", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}") is None,
                    reason="the AWS CLI is installed by the test extra")
@pytest.mark.parametrize("name", ["vpce", "hosted-zone", "deny-guardrail"])
def test_cli_script_and_apply_build_the_same_resources(moto_server: str, tmp_path: Path, name: str) -> None:
    profile_path = f"profiles/{name}.yaml"
    server = reset_and_seed(moto_server)
    applied = subprocess.run([sys.executable, "-m", "wizard", "apply", profile_path, "--yes", "--endpoint-url", server],
                             capture_output=True, text=True, cwd=ROOT, env=_env(), stdin=subprocess.DEVNULL)
    assert applied.returncode == 0, applied.stderr
    by_apply = _resources(server)
    reset_and_seed(server)
    script = tmp_path / "setup.sh"
    exported = subprocess.run([sys.executable, "-m", "wizard", "export", profile_path, "--format", "cli", "--out",
                               str(script), "--endpoint-url", server], capture_output=True, text=True, cwd=ROOT, env=_env())
    assert exported.returncode == 0, exported.stderr
    ran = subprocess.run(["bash", str(script), "--endpoint-url", server], capture_output=True, text=True, env=_env(),
                         timeout=300)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert _resources(server) == by_apply
