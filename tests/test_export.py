"""SPEC 8 export: every format builds what apply builds (read from the same plan), deploys in any account and
region (parameters, pseudo parameters), passes its tool's checks, and the CLI script is rerunnable."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import hcl2
import pytest
import yaml

from conftest import PROFILES, profile, reset_and_seed, seeded_aws
from wizard.cloud import Cloud
from wizard.discovery import observe
from wizard.export import cli_script, cloudformation, hcl_format, terraform
from wizard.models import Plan
from wizard.planner import plan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.stem for p in PROFILES.glob("*.yaml"))
# A profile beyond the examples: extra endpoints (S3 is a gateway), IPv4 and IPv6 sources, a tag with a space.
EXTRAS_YAML = """version: 1
name: research-extras
region: us-west-2
account_id: "123456789012"
vpc_id: vpc-e330ccb17b3f6f8b1
subnet_ids: [subnet-1c535523a350b2a6d, subnet-fcae4f85ccdd1756c]
domain_id: d-research
endpoints: {studio: true, api: true, extra: [s3, sts]}
security_group: {allow_from_cidrs: [10.20.0.0/16, "2001:db8::/56"]}
access:
  mode: vpce
  attach: {users: [alice], groups: [], roles: []}
tags: {team: research lab}
"""


def extras_profile():  # noqa: ANN201
    return profile("vpce", name="research-extras", endpoints={"studio": True, "api": True, "extra": ["s3", "sts"]},
                   security_group={"allow_from_cidrs": ["10.20.0.0/16", "2001:db8::/56"]},
                   access={"attach": {"users": ["alice"], "groups": [], "roles": []}}, tags={"team": "research lab"})


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)


def _plan(cloud, name: str) -> Plan:  # noqa: ANN001
    p = extras_profile() if name == "extras" else profile(name)
    return plan(observe(cloud, p), p)


def test_cloudformation_passes_cfn_lint(tmp_path: Path) -> None:
    """Every example's template, and the extras one, passes cfn-lint: one cfn-lint run lints them all (each run
    costs seconds of start-up, and a parametrized test would run it once per pytest worker); each template's
    findings are checked by name."""
    with seeded_aws() as session:
        c = Cloud("us-west-2", session=session)
        templates = {name: tmp_path / f"{name}.yaml" for name in [*EXAMPLES, "extras"]}
        for name, template in templates.items():
            template.write_text(cloudformation(_plan(c, name)))
    result = _run([str(Path(sys.executable).parent / "cfn-lint"), "--format", "json", *map(str, templates.values())])
    assert result.returncode in (0, 2, 4, 6, 8, 10, 12, 14), result.stdout + result.stderr  # 0, or findings
    findings = json.loads(result.stdout)
    by_file = {str(t): name for name, t in templates.items()}
    assert all(f["Filename"] in by_file for f in findings), findings
    assert {name: [f for f in findings if f["Filename"] == str(t)] for name, t in templates.items()} == {
        name: [] for name in templates}


@pytest.mark.parametrize("name", EXAMPLES)
def test_terraform_parses_as_hcl_with_the_aws_providers_resources(cloud, name: str) -> None:  # noqa: ANN001
    p = profile(name)
    text = terraform(plan(observe(cloud, p), p))
    parsed = hcl2.loads(text)
    kinds = {kind.strip('"') for block in parsed["resource"] for kind in block}
    assert {"aws_security_group", "aws_vpc_endpoint", "aws_iam_policy"} <= kinds
    if p.dns.mode == "hosted-zone":
        assert {"aws_route53_zone", "aws_route53_record"} <= kinds


# ---------------------------------------------------------------- reading each format back (static)

def _cfn(text: str, region: str = "us-west-2", account: str = "123456789012",
         params: dict[str, Any] | None = None, partition: str = "aws") -> dict[str, Any]:
    """The template with parameters (defaults, or `params`), pseudo parameters and Fn::Sub resolved; Conditions
    and GetAtt are left as they are."""
    template = yaml.safe_load(text)
    values: dict[str, Any] = {"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": partition}
    for name, spec in template.get("Parameters", {}).items():
        value = (params or {}).get(name, spec.get("Default"))
        if spec["Type"].startswith("List<") or spec["Type"] == "CommaDelimitedList":
            value = [v for v in str(value).split(",") if v]
        values[name] = value

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"Ref"} and node["Ref"] in values:
                return values[node["Ref"]]
            if set(node) == {"Fn::Sub"}:
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(values.get(m.group(1), m.group(0))), node["Fn::Sub"])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return {"Resources": resolve(template["Resources"]), "Parameters": template["Parameters"]}


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items() if k != "__is_block__"}
    return value


def _tf(text: str, region: str = "us-west-2") -> dict[str, dict[str, dict[str, Any]]]:
    """type -> name -> attributes, with variables (defaults) and the region data source resolved."""
    parsed = hcl2.loads(text)
    variables = {name: _unquote(spec.get("default")) for block in parsed.get("variable", [])
                 for name, spec in _unquote(block).items()}

    def resolve(node: Any) -> Any:
        if isinstance(node, str):
            whole = re.fullmatch(r"\$\{var\.(\w+)\}", node)
            if whole:
                return variables[whole.group(1)]
            return node.replace("${local.region}", region)
        if isinstance(node, list):
            return [resolve(v) for v in node]
        if isinstance(node, dict):
            return {k: resolve(v) for k, v in node.items()}
        return node

    out: dict[str, dict[str, dict[str, Any]]] = {}
    for block in parsed["resource"]:
        for kind, named in _unquote(block).items():
            for name, body in named.items():
                out.setdefault(kind, {})[name] = resolve(body)
    return out


def _cli_calls(text: str, region: str = "us-west-2") -> list[list[str]]:
    """Each `aws` call in the script as words, with its arrays and $REGION expanded (no shell run)."""
    arrays = {m.group(1): shlex.split(m.group(2)) for m in re.finditer(r"^([A-Z_]+)=\((.*)\)", text, re.MULTILINE)}
    calls = []
    for line in text.replace("\\\n", " ").splitlines():
        if '"${AWS[@]}"' not in line or line.lstrip().startswith("#"):
            continue
        line = re.sub(r'"\$\{([A-Z_]+)\[@\]\}"', lambda m: shlex.join(arrays.get(m.group(1), [m.group(0)]))
                      if m.group(1) != "AWS" else m.group(0), line)
        line = line.replace("${REGION}", region).replace("$REGION", region)
        before, rest = line.split('"${AWS[@]}"', 1)
        if "$(" in before:
            rest = rest.rsplit(")", 1)[0]
        words = shlex.split(rest)
        calls.append(words)
    return calls


def _arg(words: list[str], flag: str) -> list[str]:
    """The values after a flag, up to the next flag."""
    if flag not in words:
        return []
    out = []
    for word in words[words.index(flag) + 1:]:
        if word.startswith("--"):
            break
        out.append(word)
    return out


def _planned_endpoints(p: Plan) -> set[tuple[str, str, bool, tuple[str, ...]]]:
    """(service, type, private DNS, subnets or route tables) for every endpoint apply would build."""
    return {(c.after["service_name"], c.after["type"], bool(c.after.get("private_dns_enabled")),
             tuple(sorted(c.after.get("subnet_ids") or c.after.get("route_table_ids") or ())))
            for c in p.changes if c.type == "vpc_endpoint" and c.action != "delete"}


def _exported_endpoints(fmt: str, text: str, region: str = "us-west-2") -> set[tuple[str, str, bool, tuple[str, ...]]]:
    if fmt == "cloudformation":
        resources = _cfn(text, region=region)["Resources"].values()
        return {(r["Properties"]["ServiceName"], r["Properties"]["VpcEndpointType"],
                 bool(r["Properties"].get("PrivateDnsEnabled")),
                 tuple(sorted(r["Properties"].get("SubnetIds") or r["Properties"].get("RouteTableIds") or ())))
                for r in resources if r["Type"] == "AWS::EC2::VPCEndpoint"}
    if fmt == "terraform":
        return {(r["service_name"], r["vpc_endpoint_type"], bool(r.get("private_dns_enabled")),
                 tuple(sorted(r.get("subnet_ids") or r.get("route_table_ids") or ())))
                for r in _tf(text, region=region).get("aws_vpc_endpoint", {}).values()}
    out = set()
    for words in _cli_calls(text, region=region):
        if words[:2] == ["ec2", "create-vpc-endpoint"]:
            out.add((_arg(words, "--service-name")[0], _arg(words, "--vpc-endpoint-type")[0],
                     "--private-dns-enabled" in words,
                     tuple(sorted(_arg(words, "--subnet-ids") or _arg(words, "--route-table-ids")))))
    return out


EXPORTERS = {"cloudformation": cloudformation, "terraform": terraform, "cli": cli_script}


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_s3_is_a_gateway_on_the_route_tables_in_every_export_as_apply_plans_it(cloud, fmt: str) -> None:  # noqa: ANN001
    p = _plan(cloud, "extras")
    planned = _planned_endpoints(p)
    s3 = next(e for e in planned if e[0].endswith(".s3"))
    assert s3[1] == "Gateway" and s3[3], "the plan routes S3 through a gateway on the domain's route tables"
    assert _exported_endpoints(fmt, EXPORTERS[fmt](p)) == planned


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_ipv6_sources_are_ipv6_rules_in_every_export(cloud, fmt: str) -> None:  # noqa: ANN001
    text = EXPORTERS[fmt](_plan(cloud, "extras"))
    if fmt == "cloudformation":
        rules = [r["Properties"] for r in _cfn(text)["Resources"].values() if r["Type"] == "AWS::EC2::SecurityGroupIngress"]
        sources = {r.get("CidrIpv6") or r.get("CidrIp") or r.get("SourceSecurityGroupId") for r in rules}
        assert {"CidrIpv6": "2001:db8::/56"}.items() <= next(r for r in rules if "CidrIpv6" in r).items()
        assert all(":" not in r.get("CidrIp", "") for r in rules)
    elif fmt == "terraform":
        rules = list(_tf(text)["aws_vpc_security_group_ingress_rule"].values())
        sources = {r.get("cidr_ipv6") or r.get("cidr_ipv4") or "groups" for r in rules}
        assert all(":" not in r.get("cidr_ipv4", "") for r in rules)
        assert any(r.get("cidr_ipv6") == "2001:db8::/56" for r in rules)
    else:
        calls = [w for w in _cli_calls(text) if w[:2] == ["ec2", "authorize-security-group-ingress"]]
        assert calls and all("--cidr" not in w for w in calls), "--cidr takes IPv4 only: use --ip-permissions"
        permissions = [json.loads(_arg(w, "--ip-permissions")[0])[0] for w in calls if "$SOURCE" not in " ".join(w)]
        sources = {r["CidrIpv6"] for perm in permissions for r in perm.get("Ipv6Ranges", [])} | {
            r["CidrIp"] for perm in permissions for r in perm.get("IpRanges", [])}
        assert sources == {"10.20.0.0/16", "2001:db8::/56"}
    assert {"10.20.0.0/16", "2001:db8::/56"} <= sources


def _pinned(p: Plan) -> list[str]:
    """Values that must not be literals in a template that deploys anywhere (only parameter defaults)."""
    prof = p.profile
    attach = prof.access.attach
    groups = [c.after["source"] for c in p.changes if c.type == "security_group_rule" and c.after["source"].startswith("sg-")]
    tables = [t for c in p.changes if c.type == "vpc_endpoint" for t in c.after.get("route_table_ids", [])]
    return [p.region, p.account_id, prof.vpc_id, prof.domain_id, *prof.subnet_ids, *groups, *tables,
            *(f'"{n}"' for n in (*attach.users, *attach.groups, *attach.roles))]


def test_exports_write_tags_as_written_not_as_escapes(cloud) -> None:  # noqa: ANN001
    """Trial 14: non-ASCII tags came out as '\\u00e9quipe' (Terraform, the CLI script) and '\\xE9quipe'
    (CloudFormation): valid, but a reviewer could not read them. Each export writes them as written (UTF-8), and
    each still reads back to the same tags."""
    tags = {"équipe": "recherche données", "名前": "研究"}
    p = profile(tags=tags)
    made = plan(observe(cloud, p), p)
    for text in (terraform(made), cloudformation(made), cli_script(made)):
        assert "équipe" in text and "研究" in text and "\\u00e9" not in text and "\\xE9" not in text
    group = next(r for r in yaml.safe_load(cloudformation(made))["Resources"].values()
                 if r["Type"] == "AWS::EC2::SecurityGroup")
    assert {t["Key"]: t["Value"] for t in group["Properties"]["Tags"]}.items() >= tags.items()
    tf = _tf(terraform(made))
    assert next(iter(tf["aws_security_group"].values()))["tags"].items() >= tags.items()


def test_cloudformation_keeps_iam_names_with_a_comma_whole(cloud, aws) -> None:  # noqa: ANN001
    """Trial 14: attach targets went into a CommaDelimitedList parameter, which CloudFormation splits at every
    comma; IAM names may hold one ('u.x@ex,1' became the users 'u.x@ex' and '1'). Such a list is written in the
    template; the others stay parameters."""
    aws.client("iam").create_user(UserName="u.x@ex,1")
    p = profile(access={"attach": {"users": ["u.x@ex,1", "alice"], "groups": [], "roles": ["StudioUsers"]}})
    made = plan(observe(cloud, p), p)
    assert made.errors == (), made.errors
    template = _cfn(cloudformation(made))
    properties = template["Resources"]["StudioAccessPolicy"]["Properties"]
    assert properties["Users"] == ["u.x@ex,1", "alice"] and "AttachUsers" not in template["Parameters"]
    assert "AttachRoles" in template["Parameters"] and template["Parameters"]["AttachRoles"]["Default"] == "StudioUsers"


@pytest.mark.parametrize("name", [*EXAMPLES, "extras"])
def test_cloudformation_pins_nothing_to_one_account_or_region(cloud, name: str) -> None:  # noqa: ANN001
    p = _plan(cloud, name)
    text = cloudformation(p)
    template = yaml.safe_load(text)
    body = json.dumps([template["Resources"], template.get("Conditions", {}), template.get("Outputs", {})])
    assert [v for v in _pinned(p) if v in body] == []
    assert {"VpcId", "DomainId"} <= set(template["Parameters"])
    # Deployed elsewhere, every region, account and id comes from there.
    elsewhere = _cfn(text, region="eu-central-1", account="210987654321", params={
        "VpcId": "vpc-0aaaaaaaaaaaaaaaa", "DomainId": "d-elsewhere"})
    resolved = json.dumps(elsewhere["Resources"])
    assert "us-west-2" not in resolved and "123456789012" not in resolved and p.profile.domain_id not in resolved
    for r in elsewhere["Resources"].values():
        if r["Type"] == "AWS::EC2::VPCEndpoint":
            assert ".eu-central-1." in r["Properties"]["ServiceName"]
            assert r["Properties"]["VpcId"] == "vpc-0aaaaaaaaaaaaaaaa"
    arns = re.findall(r"arn:aws:sagemaker:[^\"]*", resolved)
    assert all(a.startswith("arn:aws:sagemaker:eu-central-1:210987654321:") and "/d-elsewhere/" in a for a in arns)


@pytest.mark.parametrize("name", [*EXAMPLES, "extras"])
def test_terraform_pins_nothing_to_one_account_or_region(cloud, name: str) -> None:  # noqa: ANN001
    p = _plan(cloud, name)
    text = terraform(p)
    resources = text[text.index('data "aws_vpc" "this"'):]
    assert [v for v in _pinned(p) if v in resources] == []


def test_terraform_export_uses_nothing_deprecated_in_aws_provider_6_and_pins_5_and_6(cloud) -> None:  # noqa: ANN001
    """`data.aws_region.current.name` is deprecated in AWS provider 6; its replacement `.region` does not exist
    in 5: the region comes from the VPC's ARN, which both have, and the pin says both."""
    text = terraform(_plan(cloud, "hosted-zone"))
    assert "aws_region" not in text
    assert re.search(r'required_providers \{\n    aws = \{\n      source  = "hashicorp/aws"\n'
                     r'      version = ">= 5\.0, < 7\.0"\n', text)
    assert "region = data.aws_arn.vpc.region" in text and "arn = data.aws_vpc.this.arn" in text
    assert "${local.region}" in text


@pytest.mark.parametrize("name", ["vpce", "hosted-zone", "extras"])
def test_every_export_tags_what_apply_tags(cloud, name: str) -> None:  # noqa: ANN001
    def stacked(tags: list[str], tool: str) -> list[str]:
        return sorted(json.dumps({**json.loads(t), "studio-vpce:deployed-by": tool}, sort_keys=True) for t in tags)

    p = _plan(cloud, name)
    wanted = sorted(json.dumps(c.after["tags"], sort_keys=True) for c in p.changes
                    if c.type in ("security_group", "vpc_endpoint", "hosted_zone") and c.action == "create")
    assert wanted
    cfn = _cfn(cloudformation(p))["Resources"].values()
    got = sorted(json.dumps({t["Key"]: t["Value"] for t in r["Properties"].get("Tags") or r["Properties"]["HostedZoneTags"]},
                            sort_keys=True) for r in cfn
                 if r["Type"] in ("AWS::EC2::SecurityGroup", "AWS::EC2::VPCEndpoint", "AWS::Route53::HostedZone"))
    # and which tool deploys them: apply and destroy leave a stack's resources to that tool (trial 16)
    assert got == stacked(wanted, "cloudformation"), "cloudformation"
    tf = _tf(terraform(p))
    got = sorted(json.dumps(r["tags"], sort_keys=True) for kind in ("aws_security_group", "aws_vpc_endpoint", "aws_route53_zone")
                 for r in tf.get(kind, {}).values())
    assert got == stacked(wanted, "terraform"), "terraform"
    policy_tags = next(c.after["tags"] for c in p.changes if c.address == "iam_policy.access")
    assert policy_tags["studio-vpce:region"] == p.profile.region  # IAM is global: the policy names its region
    assert next(iter(tf["aws_iam_policy"].values()))["tags"] == {**policy_tags, "studio-vpce:deployed-by": "terraform"}
    calls = _cli_calls(cli_script(p))
    specs = [json.loads(_arg(w, "--tag-specifications")[0])[0]["Tags"] for w in calls if "--tag-specifications" in w]
    zones = [json.loads(_arg(w, "--add-tags")[0]) for w in calls if w[:2] == ["route53", "change-tags-for-resource"]]
    got = sorted(json.dumps({t["Key"]: t["Value"] for t in tags}, sort_keys=True) for tags in specs + zones)
    assert got == wanted, "cli"
    iam = next(json.loads(_arg(w, "--tags")[0]) for w in calls if w[:2] == ["iam", "create-policy"])
    assert {t["Key"]: t["Value"] for t in iam} == policy_tags  # the shell fills in $REGION


def _terraform_env(tmp_path: Path) -> dict[str, str]:
    terraform_bin = shutil.which("terraform")
    mirror = Path(os.environ.get("STUDIO_VPCE_TF_MIRROR", "/opt/tf-plugins"))
    if terraform_bin is None:
        pytest.skip("no terraform binary on PATH")
    if not (mirror / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        pytest.skip(f"no AWS provider in a filesystem mirror at {mirror} (set STUDIO_VPCE_TF_MIRROR)")
    rc = tmp_path / "terraform.rc"
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n')
    return {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
            "TF_PLUGIN_CACHE_DIR": ""}


@pytest.mark.parametrize("name", ["subnet", "source-ip", "vpc-source-ip", "deny-guardrail", "hosted-zone", "extras"])
def test_the_identity_policy_comes_after_the_endpoints_and_their_records_as_apply_orders_it(
        cloud, name: str) -> None:  # noqa: ANN001
    """Review 16 (L3): outside vpce mode the policy names no endpoint, and Terraform and CloudFormation made and
    attached it beside the endpoints: with access.effect deny its targets were locked out until the endpoints were
    available, and on destroy the endpoints could go before it. It depends on every endpoint and alias record
    (apply makes the policy after them), by reference or depends_on / DependsOn; its attachments follow it."""
    p = _plan(cloud, name)
    endpoints = [c.address.split(".", 1)[1] for c in p.changes if c.type == "vpc_endpoint" and c.action != "delete"]
    records = [c.address.split(".", 1)[1] for c in p.changes if c.type == "route53_record" and c.action != "delete"]
    assert endpoints
    tf = terraform(p)
    [policy] = [b['"aws_iam_policy"'] for b in hcl2.loads(tf)["resource"] if '"aws_iam_policy"' in b]
    waits = {w.strip("${}") for w in policy['"studio_access"'].get("depends_on", [])}
    assert waits == {f"aws_vpc_endpoint.{k}" for k in endpoints} | {f"aws_route53_record.{k}" for k in records}
    attachments = [body for kind, named in _tf(tf).items() if kind.endswith("_policy_attachment")
                   for body in named.values()]
    assert attachments and all(b["policy_arn"] == "${aws_iam_policy.studio_access.arn}" for b in attachments)
    resource = yaml.safe_load(cloudformation(p))["Resources"]["StudioAccessPolicy"]
    named = set(re.findall(r"\$\{(\w+Endpoint)\}", json.dumps(resource["Properties"]["PolicyDocument"])))
    logical = {"studio": "Studio", "api": "Api", "s3": "S3", "sts": "Sts"}
    assert set(resource.get("DependsOn", [])) | named == {f"{logical[k]}Endpoint" for k in endpoints} | {
        f"{logical[k]}Record" for k in records}
    assert not named & set(resource.get("DependsOn", []))  # cfn-lint: a DependsOn on what is referenced is redundant


def test_terraform_export_passes_terraform_validate(cloud, tmp_path: Path) -> None:  # noqa: ANN001
    """Every example's export as a module of one root configuration: one init, one validate for all."""
    env = _terraform_env(tmp_path)
    root = tmp_path / "root"
    modules = []
    for name in [*EXAMPLES, "extras"]:
        (root / name).mkdir(parents=True)
        (root / name / "main.tf").write_text(terraform(_plan(cloud, name)))
        modules.append(f'module "{name.replace("-", "_")}" {{\n  source = "./{name}"\n}}')
    (root / "main.tf").write_text("\n".join(modules) + "\n")
    for command in (["init", "-backend=false", "-input=false", "-no-color"], ["validate", "-no-color"]):
        done = _run(["terraform", *command], cwd=root, env=env, timeout=300)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Warning" not in done.stdout + done.stderr, done.stdout[-3000:] + done.stderr[-3000:]  # no deprecation


HCL_AS_WRITTEN = """# a comment = with an equals sign
resource "x" "y" {
for_each = toset(var.a)
name = "a"
long_name_here = "b == c"
tags = {
"k" = "v"
"longer key" = "w"
}
policy = jsonencode({
"Version" = "2012-10-17"
"Statement" = [{
"Sid" = "A"
"Effect" = "Allow"
}, {
"Sid" = "Bee"
"Condition" = {
"StringEquals" = "${var.vpc_id}"
}
}]
})
alias {
name = "n"
evaluate_target_health = false
}
region = local.r # trailing comment
}

data "aws_partition" "current" {}"""
# What `terraform fmt` (1.11) makes of it.
HCL_AS_TERRAFORM_FMT_LAYS_IT_OUT = """# a comment = with an equals sign
resource "x" "y" {
  for_each       = toset(var.a)
  name           = "a"
  long_name_here = "b == c"
  tags = {
    "k"          = "v"
    "longer key" = "w"
  }
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [{
      "Sid"    = "A"
      "Effect" = "Allow"
      }, {
      "Sid" = "Bee"
      "Condition" = {
        "StringEquals" = "${var.vpc_id}"
      }
    }]
  })
  alias {
    name                   = "n"
    evaluate_target_health = false
  }
  region = local.r # trailing comment
}

data "aws_partition" "current" {}"""


def test_terraform_output_is_laid_out_as_terraform_fmt_does_without_terraform() -> None:
    """The same rule as the next test, where no terraform binary is installed: indentation by open brackets
    (`}, {` keeps the inner level), `=` aligned over runs of one-line attributes only."""
    assert hcl_format(HCL_AS_WRITTEN) == HCL_AS_TERRAFORM_FMT_LAYS_IT_OUT
    assert hcl_format(HCL_AS_TERRAFORM_FMT_LAYS_IT_OUT) == HCL_AS_TERRAFORM_FMT_LAYS_IT_OUT


def test_terraform_export_is_terraform_fmt_clean(cloud, tmp_path: Path) -> None:  # noqa: ANN001
    if shutil.which("terraform") is None:
        pytest.skip("no terraform binary on PATH")
    for name in [*EXAMPLES, "extras"]:
        (tmp_path / f"{name}.tf").write_text(terraform(_plan(cloud, name)))
    done = _run(["terraform", "fmt", "-check", "-diff", "-no-color", str(tmp_path)],
                env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


# ---------------------------------------------------------------- the CLI script against apply

def _resources(url: str) -> dict:
    """Everything the tool builds, as comparable data (endpoint ids replaced by their service names)."""
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-west-2")
    ec2, iam, r53 = (session.client(s, endpoint_url=url) for s in ("ec2", "iam", "route53"))
    endpoints = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    ids = {e["VpcEndpointId"]: e["ServiceName"] for e in endpoints}
    out: dict = {"endpoints": sorted((e["ServiceName"], e["VpcEndpointType"], e["PrivateDnsEnabled"],
                                      tuple(sorted(e.get("SubnetIds", []))), tuple(sorted(e.get("RouteTableIds", []))),
                                      tuple(sorted(g["GroupName"] for g in e.get("Groups", []))),
                                      json.dumps(json.loads(e.get("PolicyDocument") or "{}"), sort_keys=True)
                                      if e["VpcEndpointType"] == "Interface" else "",
                                      tuple(sorted((t["Key"], t["Value"]) for t in e.get("Tags", []))))
                                     for e in endpoints)}
    out["groups"] = sorted((g["GroupName"], g.get("Description"), json.dumps(sorted(
        (p["FromPort"], sorted(x["GroupId"] for x in p.get("UserIdGroupPairs", [])),
         sorted(x["CidrIp"] for x in p.get("IpRanges", [])), sorted(x["CidrIpv6"] for x in p.get("Ipv6Ranges", [])))
        for p in g["IpPermissions"])), tuple(sorted((t["Key"], t["Value"]) for t in g.get("Tags", []))))
        for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"].startswith("studio-vpce-"))
    policies = []
    for pol in iam.list_policies(Scope="Local", PathPrefix="/studio-vpce/")["Policies"]:
        versions = iam.list_policy_versions(PolicyArn=pol["Arn"])["Versions"]
        doc = json.dumps(iam.get_policy_version(PolicyArn=pol["Arn"], VersionId=pol["DefaultVersionId"])
                         ["PolicyVersion"]["Document"], sort_keys=True)
        for vpce, service in ids.items():
            doc = doc.replace(vpce, service)
        entities = iam.list_entities_for_policy(PolicyArn=pol["Arn"])
        tags = iam.list_policy_tags(PolicyArn=pol["Arn"])["Tags"]
        policies.append((pol["PolicyName"], doc, len(versions), sorted((t["Key"], t["Value"]) for t in tags),
                         sorted(u["UserName"] for u in entities["PolicyUsers"]),
                         sorted(g["GroupName"] for g in entities["PolicyGroups"]),
                         sorted(r["RoleName"] for r in entities["PolicyRoles"])))
    out["policies"] = sorted(policies)
    zones = []
    for zone in r53.list_hosted_zones()["HostedZones"]:
        records = r53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
        tags = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone["Id"].split("/")[-1])
        zones.append((zone["Name"], sorted((t["Key"], t["Value"]) for t in tags["ResourceTagSet"]["Tags"]),
                      sorted((r["Name"], r["Type"], re.sub(r"vpce-[0-9a-f]+-[0-9a-z]+", "vpce", r.get("AliasTarget", {}).get("DNSName", ""))) for r in records
                             if r["Type"] == "A")))
    out["zones"] = sorted(zones)
    return out


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", **extra)
    return env


def _profile_path(name: str, tmp_path: Path) -> str:
    if name != "extras":
        return str(ROOT / "profiles" / f"{name}.yaml")
    path = tmp_path / "extras.yaml"
    path.write_text(EXTRAS_YAML)
    return str(path)


def _export_script(profile_path: str, server: str, tmp_path: Path) -> Path:
    script = tmp_path / "setup.sh"
    exported = _run([sys.executable, "-m", "wizard", "export", profile_path, "--format", "cli", "--out", str(script),
                     "--endpoint-url", server], cwd=ROOT, env=_env())
    assert exported.returncode == 0, exported.stderr
    return script


needs_aws_cli = pytest.mark.skipif(
    shutil.which("aws", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}") is None,
    reason="the AWS CLI is installed by the test extra")


@pytest.fixture(scope="module")
def aws_cli_forked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder holding an `aws` that is the real AWS CLI with its start-up paid once (tests/aws_forkserver.py):
    the script makes dozens of `aws` calls per run, each ~0.5 s of imports as a plain process."""
    from aws_forkserver import AwsForkServer

    server = AwsForkServer(tmp_path_factory.mktemp("aws-cli")).start()
    yield server.bin
    server.stop()


@needs_aws_cli
@pytest.mark.parametrize("name", ["hosted-zone", "extras"])
def test_cli_script_builds_what_apply_builds_and_a_second_run_changes_nothing(moto_server: str, tmp_path: Path,
                                                                             name: str, aws_cli_forked: Path) -> None:
    profile_path = _profile_path(name, tmp_path)
    server = reset_and_seed(moto_server)
    applied = _run([sys.executable, "-m", "wizard", "apply", profile_path, "--yes", "--endpoint-url", server],
                   cwd=ROOT, env=_env(), stdin=subprocess.DEVNULL)
    assert applied.returncode == 0, applied.stderr
    by_apply = _resources(server)
    reset_and_seed(server)
    script = _export_script(profile_path, server, tmp_path)
    script_env = _env(POLL_SECONDS="0")
    script_env["PATH"] = f"{aws_cli_forked}{os.pathsep}{script_env['PATH']}"
    first = _run(["bash", str(script), "--endpoint-url", server], env=script_env, timeout=300)
    assert first.returncode == 0, first.stderr[-2000:]
    assert _resources(server) == by_apply
    # Rerunnable: the second run finds everything and creates nothing (the first one's output says what it made).
    second = _run(["bash", str(script), "--endpoint-url", server], env=script_env, timeout=300)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "created" in first.stdout and "created" not in second.stdout and "updated" not in second.stdout
    assert _resources(server) == by_apply
    # ... and apply's planner sees what the script made as this profile's: nothing to do.
    planned = _run([sys.executable, "-m", "wizard", "plan", profile_path, "--endpoint-url", server,
                    "--detailed-exitcode", "--output", "json"], cwd=ROOT, env=_env())
    changes = [c["address"] for c in json.loads(planned.stdout)["changes"] if c["action"] != "no-op"]
    assert (planned.returncode, changes) == (0, []), planned.stderr


@needs_aws_cli
def test_the_forked_aws_cli_answers_as_the_plain_one(aws_cli_forked: Path, tmp_path: Path) -> None:
    """The exported-script test runs `aws` through tests/aws_forkserver.py: output, errors and exit codes are
    the plain entry point's (a usage error, a file read from the caller's folder, --version, a skeleton)."""
    (tmp_path / "in.json").write_text("not json {")
    env = _env(AWS_DEFAULT_REGION="us-west-2")
    answers = []
    for args in (["ec2", "no-such-command"], ["ec2", "describe-vpcs", "--cli-input-json", "file://in.json"],
                 ["--version"], ["ec2", "describe-vpcs", "--generate-cli-skeleton"]):
        plain = _run(["aws", *args], env=env, cwd=tmp_path, timeout=60)
        forked = _run([str(aws_cli_forked / "aws"), *args], env=env, cwd=tmp_path, timeout=60)
        assert (forked.returncode, forked.stdout, forked.stderr) == (plain.returncode, plain.stdout, plain.stderr)
        answers.append((plain.returncode, plain.stdout + plain.stderr))
    assert [code for code, _ in answers] == [2, 255, 0, 0]
    assert "JSON received: not json {" in answers[1][1] and '"VpcIds"' in answers[3][1]


# ---------------------------------------------------------------- the CLI script's zone lookup pages

def _route53_pages(pages: list[list[tuple[str, str, str]]]) -> tuple[str, list[str], Any]:
    """A local Route 53 that answers ListHostedZonesByVPC in these pages ((id, name, owner) each), as AWS does:
    NextToken on every page but the last. Returns (url, the query strings seen, the server)."""
    import http.server
    import threading
    from urllib.parse import parse_qs, urlparse

    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server calls it by this name
            query = urlparse(self.path).query
            seen.append(query)
            index = int((parse_qs(query).get("nexttoken") or ["0"])[0])
            zones = "".join(f"<HostedZoneSummary><HostedZoneId>{z}</HostedZoneId><Name>{n}</Name>"
                            + (f"<Owner><OwningService>{o}</OwningService></Owner>" if "." in o else
                               f"<Owner><OwningAccount>{o}</OwningAccount></Owner>") + "</HostedZoneSummary>"
                            for z, n, o in pages[index])
            more = f"<NextToken>{index + 1}</NextToken>" if index + 1 < len(pages) else ""
            body = ('<?xml version="1.0" encoding="UTF-8"?><ListHostedZonesByVPCResponse '
                    'xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZoneSummaries>'
                    f"{zones}</HostedZoneSummaries><MaxItems>1</MaxItems>{more}</ListHostedZonesByVPCResponse>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", seen, server


def _zone_lookups(url: str, *names: str) -> subprocess.CompletedProcess[str]:
    """The exported script's own `zone` function (every script carries the helpers verbatim), run with the
    real AWS CLI against `url`, once per name."""
    from wizard.export import _CLI_HELPERS as helpers

    lookups = "".join(f'zone "{name}"\n' for name in names)
    program = (f'set -euo pipefail\nAWS=(aws --region us-west-2 --output text --endpoint-url {url})\n'
               f'VPC_ID=vpc-e330ccb17b3f6f8b1\nREGION=us-west-2\nACCOUNT=123456789012\n{helpers}\n{lookups}')
    return _run(["bash", "-c", program], env=_env(), timeout=120)


@needs_aws_cli
def test_cli_script_zone_lookup_follows_next_token_through_every_page() -> None:
    """`aws route53 list-hosted-zones-by-vpc` does not paginate by itself (botocore has no paginator for it):
    a zone on a later page must still be found, or a rerun would try to create it a second time."""
    name = "studio.us-west-2.sagemaker.aws"
    url, seen, server = _route53_pages([[("Z1OTHER", "other.example.", "123456789012"),
                                         ("Z2SERVICE", f"{name}.", "vpce.amazonaws.com")],  # not ours: skipped
                                        [("Z3OURS", f"{name}.", "123456789012")]])
    try:
        ran = _zone_lookups(url, name, "api.sagemaker.us-west-2.amazonaws.com")
    finally:
        server.shutdown()
    assert (ran.returncode, ran.stdout.split()) == (0, ["Z3OURS", "None"]), ran.stderr[-2000:]
    assert [("nexttoken=" in q) for q in seen] == [False, True] * 2


# ---------------------------------------------------------------- the CLI script's wait, with a stub `aws`

FAKE_AWS = r"""#!/usr/bin/env bash
# A stand-in for the AWS CLI that answers as AWS does for the calls the script makes, and logs every call.
printf '%s\n' "$*" >> "$FAKE_AWS_LOG"
case "$*" in
  *"sts get-caller-identity"*) printf '210987654321\tarn:aws:iam::210987654321:user/ci\n' ;;
  *"describe-security-groups"*) printf "${FAKE_SG:-None}\n" ;;
  *"create-security-group"*) echo sg-0123456789abcdef0 ;;
  *"describe-vpc-endpoints --filters"*) printf "${FAKE_ENDPOINT:-None}\n" ;;
  *"create-vpc-endpoint"*"sagemaker.api"*) echo vpce-0aaaaaaaaaaaaaaa2 ;;
  *"create-vpc-endpoint"*) echo vpce-0aaaaaaaaaaaaaaa1 ;;
  *"describe-vpc-endpoints --vpc-endpoint-ids"*) printf "$FAKE_STATES" ;;
  *"iam get-policy "*)
    if [ -z "${FAKE_POLICY_VERSIONS:-}" ]; then
      echo "An error occurred (NoSuchEntity) when calling the GetPolicy operation: not found" >&2; exit 254
    fi
    printf "${FAKE_POLICY:-v9}\n" ;;
  *"iam get-policy-version"*) echo '{"Version": "2012-10-17", "Statement": []}' ;;
  *"list-hosted-zones-by-vpc"*) printf "${FAKE_ZONE:-None}\tNone\n" ;;
  *"create-hosted-zone"*) echo /hostedzone/ZNEW0000000000 ;;
  *"route53 get-hosted-zone"*) echo "${FAKE_ZONE_REF:-someone-elses-reference}" ;;
  *"route53 list-tags-for-resource"*"length("*) echo "${FAKE_ZONE_TAGS:-0}" ;;
  *"route53 list-tags-for-resource"*) echo "${FAKE_ZONE_OWNER:-None}" ;;
  *"iam list-policy-versions"*) printf "$FAKE_POLICY_VERSIONS" ;;
esac
exit 0
"""


def _fake_aws(tmp_path: Path, states: str, region: str = "us-west-2", args: tuple[str, ...] = (),
              example: str = "vpce", **env_extra: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "aws").write_text(FAKE_AWS)
    (bin_dir / "aws").chmod(0o755)
    log = tmp_path / "calls.log"
    log.touch()
    script = tmp_path / "setup.sh"
    script.write_text(cli_script(_offline_plan(example)))
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_AWS_LOG": str(log), "FAKE_STATES": states,
           "AWS_REGION": region, "WAIT_SECONDS": "2", "POLL_SECONDS": "0.2", "HOME": str(tmp_path), **env_extra}
    ran = _run(["bash", str(script), *args], env=env, timeout=60)
    return ran, log.read_text().splitlines()


def _offline_plan(name: str) -> Plan:
    """The example's plan against the seeded in-process account (no server needed)."""
    from wizard.cloud import Cloud

    with seeded_aws() as session:
        cloud = Cloud("us-west-2", session=session)
        p = profile(name)
        return plan(observe(cloud, p), p)


def test_cli_script_wait_stops_on_a_failed_endpoint_with_its_error(tmp_path: Path) -> None:
    states = ("vpce-0aaaaaaaaaaaaaaa1\\tavailable\\tNone\\tNone\\n"
              "vpce-0aaaaaaaaaaaaaaa2\\tfailed\\tInvalidParameter\\tsubnet-1 is in an unsupported zone\\n")
    ran, calls = _fake_aws(tmp_path, states)
    assert ran.returncode == 1
    assert "failed" in ran.stderr and "subnet-1 is in an unsupported zone" in ran.stderr
    assert not [c for c in calls if "create-policy" in c or "attach-" in c], "nothing after a failed endpoint"


def test_cli_script_wait_is_bounded(tmp_path: Path) -> None:
    states = "vpce-0aaaaaaaaaaaaaaa1\\tpending\\tNone\\tNone\\nvpce-0aaaaaaaaaaaaaaa2\\tpending\\tNone\\tNone\\n"
    ran, calls = _fake_aws(tmp_path, states)
    assert ran.returncode == 1 and "not available after 2s" in ran.stderr
    assert 2 <= sum("describe-vpc-endpoints --vpc-endpoint-ids" in c for c in calls) < 40


def test_cli_script_takes_the_region_from_one_variable(tmp_path: Path) -> None:
    states = "vpce-0aaaaaaaaaaaaaaa1\\tAvailable\\tNone\\tNone\\nvpce-0aaaaaaaaaaaaaaa2\\tavailable\\tNone\\tNone\\n"
    ran, calls = _fake_aws(tmp_path, states, region="eu-central-1")
    assert ran.returncode == 0, ran.stderr
    assert calls and all(c.startswith("--region eu-central-1 ") for c in calls)
    assert not [c for c in calls if "us-west-2" in c]
    creates = [c for c in calls if "create-vpc-endpoint" in c]
    assert len(creates) == 2 and all(".eu-central-1." in c for c in creates)
    assert any("arn:aws:sagemaker:eu-central-1:210987654321:" in c for c in calls if "create-policy" in c)


def test_cli_script_updates_a_changed_policy_deleting_the_oldest_version_at_five(tmp_path: Path) -> None:
    states = "vpce-0aaaaaaaaaaaaaaa1\\tavailable\\tNone\\tNone\\nvpce-0aaaaaaaaaaaaaaa2\\tavailable\\tNone\\tNone\\n"
    # v9 is the default; four older versions: a fifth would pass IAM's limit of 5
    ran, calls = _fake_aws(tmp_path, states, FAKE_POLICY_VERSIONS="v8\\nv10\\nv6\\nv7\\n")
    assert ran.returncode == 0, ran.stderr
    iam = [c.split(" ", 5)[5] for c in calls if " iam " in c and "attach-" not in c]
    assert [c.split(" ")[0] for c in iam] == ["get-policy", "get-policy-version", "list-policy-versions",
                                              "delete-policy-version", "create-policy-version"]
    assert "--version-id v6" in iam[3] and "--set-as-default" in iam[4] and "create-policy " not in " ".join(calls)


@pytest.mark.parametrize(("code", "found"), [
    ("security_group_not_ours", {"FAKE_SG": "sg-0f00f00f00f00f00f\\tNone"}),
    ("security_group_not_ours", {"FAKE_SG": "sg-0f00f00f00f00f00f\\tresearch-phz"}),
    ("deployed_by_stack", {"FAKE_SG": "sg-0f00f00f00f00f00f\\tresearch-vpce\\tterraform"}),  # (trial 17)
    ("endpoint_owned_by_other_profile", {"FAKE_ENDPOINT": "vpce-0bbbbbbbbbbbbbbb1\\tresearch-phz"}),
    ("policy_serves_other_region", {"FAKE_POLICY_VERSIONS": "v8\\n", "FAKE_POLICY": "v9\\teu-west-1\\tresearch-vpce"}),
])
def test_cli_script_refuses_before_any_change_what_apply_refuses(tmp_path: Path, code: str,
                                                                  found: dict[str, str]) -> None:
    """The script keeps apply's guards (trial 4: it adopted a same-named group it did not create, another
    profile's endpoint, and rewrote the policy another region's deployment uses), and stops before its first
    change."""
    states = "vpce-0aaaaaaaaaaaaaaa1\\tavailable\\tNone\\tNone\\nvpce-0aaaaaaaaaaaaaaa2\\tavailable\\tNone\\tNone\\n"
    ran, calls = _fake_aws(tmp_path, states, **found)
    assert ran.returncode == 1 and f"studio-vpce: {code}: " in ran.stderr, ran.stderr
    assert ran.stderr.strip().endswith("nothing was changed"), ran.stderr
    changes = [c for c in calls if re.search(r" (create|modify|authorize|attach|delete|change)-", c)]
    assert changes == [], changes


@pytest.mark.parametrize("flag", [["--region", "eu-west-1"], ["--region=eu-west-1"]])
def test_cli_script_refuses_a_region_flag_among_the_aws_options(tmp_path: Path, flag: list[str]) -> None:
    """The AWS CLI takes the last --region it is given, while the script puts AWS_REGION (else the profile's) into
    service names and ARNs: a --region among the options split the two silently (trial 5)."""
    ran, calls = _fake_aws(tmp_path, "", args=("--profile", "ops", *flag))
    assert ran.returncode == 2 and "set the region with AWS_REGION, not --region" in ran.stderr, ran.stderr
    assert calls == []  # not one AWS call


def test_cli_script_uses_an_endpoint_someone_else_made_as_it_is_and_says_so(tmp_path: Path) -> None:
    states = "vpce-0ccccccccccccccc1\\tavailable\\tNone\\tNone\\n" * 2  # the stub finds it for both services
    ran, calls = _fake_aws(tmp_path, states, FAKE_ENDPOINT="vpce-0ccccccccccccccc1\\tNone")
    assert ran.returncode == 0, ran.stderr
    assert "using studio endpoint vpce-0ccccccccccccccc1 as it is (not made by studio-vpce)" in ran.stdout
    assert not [c for c in calls if "create-vpc-endpoint" in c or "modify-vpc-endpoint" in c]


def test_a_china_plan_exports_chinas_service_names_zones_and_partition_in_every_format() -> None:
    """Exports follow apply's plan across partitions: service names as DescribeVpcEndpointServices names them,
    DNS names with the partition's suffix, ARNs with the target's partition."""
    from test_real_aws import CN, _cn_inventory

    p = profile("hosted-zone", region=CN, vpc_id="vpc-0a1b2c3d4e5f60718", domain_id="d-abcdefghijkl",
                subnet_ids=["subnet-0aaa1111bbbb22223", "subnet-0ccc3333dddd44445"], endpoints={"extra": ["sts", "s3"]},
                access={"mode": "vpce", "attach": {"users": [], "groups": [], "roles": []}},
                security_group={"allow_from_cidrs": ["10.0.0.0/16"]})
    result = plan(_cn_inventory(), p)
    planned = _planned_endpoints(result)
    assert f"cn.com.amazonaws.{CN}.sagemaker.api" in {e[0] for e in planned}
    zones = sorted(c.after["name"] for c in result.changes if c.type == "hosted_zone")
    for fmt, exporter in EXPORTERS.items():
        assert _exported_endpoints(fmt, exporter(result), region=CN) == planned, fmt
    cfn = _cfn(cloudformation(result), region=CN, partition="aws-cn")["Resources"].values()
    assert sorted(r["Properties"]["Name"] for r in cfn if r["Type"] == "AWS::Route53::HostedZone") == zones
    policy = next(r for r in cfn if r["Type"] == "AWS::IAM::ManagedPolicy")["Properties"]["PolicyDocument"]
    assert policy["Statement"][0]["Resource"].startswith(f"arn:aws-cn:sagemaker:{CN}:")
    tf = _tf(terraform(result), region=CN)
    assert sorted(z["name"] for z in tf["aws_route53_zone"].values()) == zones
    calls = _cli_calls(cli_script(result), region=CN)
    assert sorted(_arg(w, "--name")[0] for w in calls if w[:2] == ["route53", "create-hosted-zone"]) == zones


def test_cli_script_says_which_of_applys_checks_it_does_not_make() -> None:
    """Found by a trial: its header said "the same resources as `studio-vpce apply`" while it reused any endpoint
    and a same-named group as they were and rewrote a policy that serves another region. It makes those three
    checks now (test_cli_script_refuses_before_any_change_what_apply_refuses) and names the ones it does not."""
    header = cli_script(_offline_plan("vpce")).split("set -euo pipefail")[0]
    assert "the same resources as" not in header and "It does NOT make apply's other checks" in header
    for check in ("endpoint_owned_by_other_profile", "security_group_not_ours", "policy_serves_other_region"):
        assert check in header
    assert "an endpoint someone else made is used as it is" in header


def test_cli_script_header_and_readme_say_it_does_not_converge_an_edited_profile() -> None:
    """Review 16 (M4): the script only creates what is missing (it never modifies an endpoint, revokes a 443
    source, detaches a principal or deletes a zone), while its header said only "safe to run again": an operator
    who tightened the profile and re-ran the re-exported script believed it applied. The header and the README
    say it plainly, and what to use for edits (apply, which finds what the script made by its tags)."""
    header = cli_script(_offline_plan("vpce")).split("set -euo pipefail")[0]
    flat = " ".join(line.lstrip("# ") for line in header.splitlines())
    assert "It does NOT converge an edited profile: it creates what is missing" in flat
    for left in ("policy, subnets, private DNS and security groups", "HTTPS 443 rules for sources removed",
                 "principals removed from access.attach", "hosted zones and records the profile no longer wants"):
        assert left in flat, left
    assert "For edits after the first run, use `studio-vpce apply`" in flat
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "The `cli` script only creates what is missing" in readme and "it does not converge an edited profile" in readme
    assert "for edits after its first run, use `studio-vpce apply`" in readme


def test_cli_script_tags_route53_zones_in_calls_of_ten_ours_first(cloud) -> None:  # noqa: ANN001
    """As apply does (test_route53_tags_go_in_calls_of_ten_ours_first): `aws route53 change-tags-for-resource`
    takes at most 10 tags, and a profile may carry up to 47."""
    from wizard.names import PROFILE_TAG

    p = profile("hosted-zone", tags={f"a-team-{i:02d}": "x" for i in range(20)})
    calls = _cli_calls(cli_script(plan(observe(cloud, p), p)))
    batches = [[t["Key"] for t in json.loads(_arg(w, "--add-tags")[0])] for w in calls
               if w[:2] == ["route53", "change-tags-for-resource"]]
    assert len(batches) == 2 * 3 and all(len(b) <= 10 for b in batches), batches
    assert {"managed-by", PROFILE_TAG} <= set(batches[0]) and len({k for b in batches[:3] for k in b}) == 22


@pytest.mark.parametrize(("associated", "ok"), [("1", True), ("0", False)])
def test_cli_script_association_conflict_is_an_error_unless_already_associated(tmp_path: Path, associated: str,
                                                                              ok: bool) -> None:
    """AWS answers ConflictingDomainExists both to a rerun (already associated) and when the VPC resolves the
    name through another zone: the script said "already as wanted" to both, and a VPC of dns.associate_vpc_ids
    was left resolving the public name. Its `associate` asks the zone which one it is (as apply does)."""
    from wizard.export import _CLI_HELPERS as helpers

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "aws").write_text(
        "#!/usr/bin/env bash\ncase \"$*\" in\n"
        "  *associate-vpc-with-hosted-zone*) echo 'An error occurred (ConflictingDomainExists) when calling the "
        "AssociateVPCWithHostedZone operation: conflict' >&2; exit 254 ;;\n"
        f"  *get-hosted-zone*) echo {associated} ;;\nesac\n")
    (bin_dir / "aws").chmod(0o755)
    program = f'set -euo pipefail\nAWS=(aws --output text)\nREGION=us-west-2\n{helpers}\nassociate Z1 vpc-0b\necho done\n'
    ran = _run(["bash", "-c", program], env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}, timeout=60)
    assert (ran.returncode == 0) is ok, ran.stderr
    assert ("done" in ran.stdout) is ok
    assert ("already resolves the name of Z1" in ran.stderr) is not ok, ran.stderr


@pytest.mark.parametrize(("found", "tagged"), [
    ({}, ["ZNEW0000000000"]),  # none there: created, then tagged
    ({"FAKE_ZONE": "/hostedzone/ZOUTSIDE"}, []),  # made outside studio-vpce: records go in, tags never
    ({"FAKE_ZONE": "/hostedzone/ZMINE", "FAKE_ZONE_REF": "studio-vpce-research-phz-api-1764480000"},
     ["ZMINE"]),  # this script's own, untagged (a run stopped after creating it): tagged now
    ({"FAKE_ZONE": "/hostedzone/ZMINE", "FAKE_ZONE_REF": "studio-vpce-research-phz-api-1764480000",
      "FAKE_ZONE_TAGS": "2", "FAKE_ZONE_OWNER": "research-phz"}, []),  # ... already tagged: left as it is
])
def test_cli_script_tags_only_the_hosted_zones_it_created(tmp_path: Path, found: dict[str, str],
                                                          tagged: list[str]) -> None:
    """The script tagged every zone it found as this profile's, one made outside studio-vpce included; the
    profile's `destroy` then took that zone for its own and deleted it, records and all."""
    states = "vpce-0aaaaaaaaaaaaaaa1\\tavailable\\tNone\\tNone\\nvpce-0aaaaaaaaaaaaaaa2\\tavailable\\tNone\\tNone\\n"
    ran, calls = _fake_aws(tmp_path, states, example="hosted-zone", **found)
    assert ran.returncode == 0, ran.stderr
    zones = sorted({c.split("--resource-id ", 1)[1].split()[0] for c in calls if "change-tags-for-resource" in c})
    assert zones == sorted(set(tagged)), calls
    assert any("change-resource-record-sets" in c for c in calls)


def test_cli_script_refuses_a_hosted_zone_owned_by_other_profile_before_any_change(tmp_path: Path) -> None:
    """As apply's plan does (hosted_zone_owned_by_other_profile): a zone of the name found in the VPC that
    another studio-vpce profile made is refused before the first change, never written into."""
    states = "vpce-0aaaaaaaaaaaaaaa1\\tavailable\\tNone\\tNone\\nvpce-0aaaaaaaaaaaaaaa2\\tavailable\\tNone\\tNone\\n"
    ran, calls = _fake_aws(tmp_path, states, example="hosted-zone", FAKE_ZONE="/hostedzone/ZTHEIRS",
                           FAKE_ZONE_TAGS="2", FAKE_ZONE_OWNER="other-team")
    assert ran.returncode == 1 and "hosted_zone_owned_by_other_profile" in ran.stderr and "other-team" in ran.stderr
    assert not [c for c in calls if " create-" in c or "change-" in c or "authorize-" in c], calls


def test_terraform_and_cloudformation_exports_name_a_reused_hosted_zone_they_declare_anew(
        cloud, aws, tmp_path: Path) -> None:  # noqa: ANN001
    """Review 16 (M5): apply puts its record into a private hosted zone of the name already serving the VPC
    (hosted_zone_reused); Terraform and CloudFormation declared a new zone of that name for the VPC, which Route 53
    refuses (ConflictingDomainExists). Their headers say so, and the template is still one (YAML, known as an export)."""
    from wizard.export import made_by_studio_vpce, notes

    p = profile("hosted-zone")
    zone = aws.client("route53").create_hosted_zone(
        Name="api.sagemaker.us-west-2.amazonaws.com", CallerReference="x", HostedZoneConfig={"PrivateZone": True},
        VPC={"VPCRegion": "us-west-2", "VPCId": p.vpc_id})["HostedZone"]["Id"].split("/")[-1]
    made = plan(observe(cloud, p), p)
    assert made.errors == () and "hosted_zone_reused" in {w.code for w in made.warnings}
    [(code, message)] = notes(made, "terraform")
    assert code == "hosted_zone_reused" and message.startswith(
        f"private hosted zone {zone} (api.sagemaker.us-west-2.amazonaws.com) already serves {p.vpc_id} and was not "
        "made by studio-vpce: this export declares a new zone of that name for the VPC, which Route 53 refuses "
        "(ConflictingDomainExists); "), message
    assert notes(made, "cloudformation") == [(code, message)] and notes(made, "cli") == []
    assert f"\n# ! {code}: {message}\n" in terraform(made).split('data "aws_vpc"', 1)[0]
    template = cloudformation(made)
    assert f"\n# ! {code}: {message}\nParameters:\n" in template
    assert made_by_studio_vpce(template[:4096], "cloudformation") and yaml.safe_load(template)["Resources"]
    assert "hosted_zone_reused" not in cli_script(made)


VPC = "vpc-e330ccb17b3f6f8b1"  # the examples' (the demo's research VPC)
DESCRIBED = [  # (case, example, changes, the policy's Description, the plan line's reason)
    ("subnet", "subnet", {}, f"Open SageMaker Studio only from inside {VPC} (studio-vpce)",
     "opens Studio only from inside the VPC"),
    ("vpce", "vpce", {}, f"Open SageMaker Studio only through {VPC}'s interface endpoints (studio-vpce)",
     "opens Studio only through the VPC's interface endpoints"),
    ("vpce_extra_only", "vpce", {"endpoints": {"studio": False, "api": False},
                                 "access": {"extra_vpce_ids": ["vpce-0123456789abcdef0"]}},
     "Open SageMaker Studio only through the VPC endpoints the policy names (studio-vpce)",
     "opens Studio only through the VPC endpoints in access.extra_vpce_ids"),
    ("source-ip", "source-ip", {},
     "Open SageMaker Studio only from the public IP ranges the policy names (studio-vpce)",
     "opens Studio only from the allowed public IP ranges"),
    ("vpc-source-ip", "vpc-source-ip", {},
     f"Open SageMaker Studio only from the addresses inside {VPC} the policy names (studio-vpce)",
     "opens Studio only from the allowed addresses inside the VPC"),
    ("deny-guardrail", "deny-guardrail", {},
     (f"Open SageMaker Studio only from inside {VPC}, and deny it from anywhere else whatever other policies allow "
     "(studio-vpce)"), "opens Studio only from inside the VPC, and denies it from anywhere else"),
    ("source-ip_deny", "source-ip", {"access": {"effect": "deny"}},
     ("Open SageMaker Studio only from the public IP ranges the policy names, and deny it from anywhere else whatever "
     "other policies allow (studio-vpce)"),
     "opens Studio only from the allowed public IP ranges, and denies it from anywhere else"),
]


@pytest.mark.parametrize(("case", "example", "changes", "description", "reason"), DESCRIBED,
                         ids=[d[0] for d in DESCRIBED])
def test_every_description_of_the_identity_policy_says_what_its_mode_does(
        cloud, aws, case: str, example: str, changes: dict, description: str, reason: str) -> None:  # noqa: ANN001
    """Trial 13: a source-ip policy (public ranges only) was described as "opens Studio only from inside the VPC"
    in the plan and "only from inside ${var.vpc_id}" in Terraform, and IAM keeps a Description for good. The plan's
    line and JSON, the three exports and apply's IAM policy now say what the mode and effect do."""
    from wizard.executor import Executor
    from wizard.render import plan_json, plan_text

    p = profile(example, **{k: {**profile(example).model_dump()[k], **v} for k, v in changes.items()})
    made = plan(observe(cloud, p), p)
    assert made.errors == (), made.errors
    [line] = [line for line in plan_text(made).splitlines() if line.lstrip().startswith("+ iam_policy.access")]
    assert line.endswith(f"({reason})"), line
    [change] = [c for c in plan_json(made)["changes"] if c["address"] == "iam_policy.access"]
    assert change["after"]["description"] == description
    assert next(iter(_tf(terraform(made))["aws_iam_policy"].values()))["description"].replace(
        "${var.vpc_id}", VPC) == description
    assert _cfn(cloudformation(made))["Resources"]["StudioAccessPolicy"]["Properties"]["Description"] == description
    [create] = [w for w in _cli_calls(cli_script(made)) if w[:2] == ["iam", "create-policy"]]
    assert _arg(create, "--description")[0].replace("${VPC_ID}", VPC) == description
    assert Executor(cloud, made).run().ok
    arn = next(c.id for c in plan(observe(cloud, p), p).changes if c.address == "iam_policy.access")
    assert aws.client("iam").get_policy(PolicyArn=arn)["Policy"]["Description"] == description
