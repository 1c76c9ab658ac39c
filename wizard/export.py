"""The plan's resources as CloudFormation, Terraform or an AWS CLI script (SPEC 8), for pipelines and StackSets.

Everything is built from the same Profile and the same policy functions as `apply`. Account, region and
partition are left to the target (CloudFormation pseudo parameters, Terraform data sources, the CLI's
caller), and the VPC and subnets are parameters, so one template rolls out to many accounts.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import yaml

from wizard import policies
from wizard.discovery import hosted_zone_names, service_names
from wizard.models import Plan, Profile
from wizard.planner import resource_tags

_LOGICAL = {"studio": "Studio", "api": "Api"}


def _logical(key: str) -> str:
    return _LOGICAL.get(key) or "".join(part.capitalize() for part in re.split(r"[^a-zA-Z0-9]", key))


def _sources(plan: Plan) -> tuple[list[str], list[str]]:
    """HTTPS sources: (security groups, CIDRs), as the plan resolved them."""
    groups: list[str] = []
    cidrs: list[str] = []
    for change in plan.changes:
        if change.type == "security_group_rule" and change.action != "delete":
            source = change.after["source"]
            (groups if source.startswith("sg-") else cidrs).append(source)
    if not groups and not cidrs:  # the group exists already: its wanted rules are in the profile
        groups = list(plan.profile.security_group.allow_from_security_groups)
        cidrs = list(plan.profile.security_group.allow_from_cidrs)
    return groups, cidrs


def export(plan: Plan, fmt: str) -> str:
    if fmt == "cloudformation":
        return cloudformation(plan)
    if fmt == "terraform":
        return terraform(plan)
    if fmt == "cli":
        return cli_script(plan)
    raise ValueError(fmt)


# ---------------------------------------------------------------- CloudFormation

def _sub(value: Any) -> Any:
    """Wrap strings holding ${...} in Fn::Sub, recursively."""
    if isinstance(value, str) and "${" in value:
        return {"Fn::Sub": value}
    if isinstance(value, dict):
        return {k: _sub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_sub(v) for v in value]
    return value


def _cfn_tags(profile: Profile, name: str | None = None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(resource_tags(profile, name).items())]


def cloudformation(plan: Plan) -> str:
    p = plan.profile
    region, account, partition = "${AWS::Region}", "${AWS::AccountId}", "${AWS::Partition}"
    names = service_names(p, region)
    resources: dict[str, Any] = {}
    groups, cidrs = _sources(plan)
    group_ref: Any = {"Ref": "EndpointSecurityGroup"}
    if p.security_group.id:
        group_ref = p.security_group.id
    else:
        ingress = [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "SourceSecurityGroupId": g,
                    "Description": "SageMaker Studio HTTPS"} for g in groups]
        ingress += [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": c,
                     "Description": "SageMaker Studio HTTPS"} for c in cidrs if ":" not in c]
        resources["EndpointSecurityGroup"] = {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupName": f"studio-vpce-{p.name}", "GroupDescription": "HTTPS from SageMaker Studio to its VPC endpoints",
            "VpcId": {"Ref": "VpcId"}, "SecurityGroupIngress": ingress, "Tags": _cfn_tags(p, f"studio-vpce-{p.name}")}}
    documents = policies.endpoint_policies_for(p, partition=partition, account=account)
    for key, service in names.items():
        properties: dict[str, Any] = {
            "ServiceName": service, "VpcEndpointType": "Interface", "VpcId": {"Ref": "VpcId"},
            "SubnetIds": {"Ref": "SubnetIds"}, "SecurityGroupIds": [group_ref],
            "PrivateDnsEnabled": p.dns.mode == "private-dns"}
        if documents.get(key):
            properties["PolicyDocument"] = documents[key]
        resources[f"{_logical(key)}Endpoint"] = {"Type": "AWS::EC2::VPCEndpoint", "Properties": _sub(properties)}
    if p.dns.mode == "hosted-zone":
        for key, zone in hosted_zone_names(region).items():
            if key not in names:
                continue
            logical = _logical(key)
            resources[f"{logical}HostedZone"] = {"Type": "AWS::Route53::HostedZone", "Properties": {
                "Name": _sub(zone), "VPCs": [{"VPCId": {"Ref": "VpcId"}, "VPCRegion": {"Ref": "AWS::Region"}}]
                + [{"VPCId": v, "VPCRegion": {"Ref": "AWS::Region"}} for v in p.dns.associate_vpc_ids],
                "HostedZoneTags": _cfn_tags(p)}}
            entry = {"Fn::Select": [0, {"Fn::GetAtt": [f"{logical}Endpoint", "DnsEntries"]}]}
            resources[f"{logical}Record"] = {"Type": "AWS::Route53::RecordSet", "Properties": {
                "HostedZoneId": {"Ref": f"{logical}HostedZone"}, "Name": _sub(zone if key == "api" else f"*.{zone}"),
                "Type": "A", "AliasTarget": {
                    "HostedZoneId": {"Fn::Select": [0, {"Fn::Split": [":", entry]}]},
                    "DNSName": {"Fn::Select": [1, {"Fn::Split": [":", entry]}]}, "EvaluateTargetHealth": False}}}
    if p.access.mode != "none":
        vpce = [f"${{{_logical(k)}Endpoint}}" for k in ("studio", "api") if k in names] + list(p.access.extra_vpce_ids)
        document = policies.identity_policy_for(p, partition=partition, account=account, vpce_ids=vpce)
        attach = p.access.attach
        properties = {"ManagedPolicyName": p.policy_name, "Path": "/studio-vpce/",
                      "Description": "Open SageMaker Studio only from inside the VPC (studio-vpce)",
                      "PolicyDocument": _sub(document)}
        for field, values in (("Users", attach.users), ("Groups", attach.groups), ("Roles", attach.roles)):
            if values:
                properties[field] = list(values)
        resources["StudioAccessPolicy"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": properties}
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"studio-vpce profile {p.name}: SageMaker Studio reachable privately from a VPC",
        "Parameters": {
            "VpcId": {"Type": "AWS::EC2::VPC::Id", "Default": p.vpc_id, "Description": "The Studio domain's VPC"},
            "SubnetIds": {"Type": "List<AWS::EC2::Subnet::Id>", "Default": ",".join(p.subnet_ids),
                          "Description": "One subnet per Availability Zone"}},
        "Resources": resources,
        "Outputs": {f"{_logical(k)}EndpointId": {"Value": {"Ref": f"{_logical(k)}Endpoint"}} for k in names},
    }
    return yaml.dump(template, Dumper=_NoAliases, sort_keys=False, default_flow_style=False, width=120)


class _NoAliases(yaml.SafeDumper):
    """CloudFormation rejects YAML anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# ---------------------------------------------------------------- Terraform

def _hcl(value: Any, indent: int = 0) -> str:
    """A JSON-like value as an HCL expression (strings may hold ${...} references)."""
    pad = "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        body = "\n".join(f"{pad}{json.dumps(k)} = {_hcl(v, indent + 1)}" for k, v in value.items())
        return "{\n" + body + "\n" + "  " * indent + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v, indent) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def _tf_name(key: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "_", key)


def terraform(plan: Plan) -> str:
    p = plan.profile
    region = "${data.aws_region.current.region}"
    account, partition = "${data.aws_caller_identity.current.account_id}", "${data.aws_partition.current.partition}"
    names = service_names(p, region)
    groups, cidrs = _sources(plan)
    out = [f"# studio-vpce profile {p.name}: SageMaker Studio reachable privately from a VPC",
           'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = ">= 6.0"\n    }\n  }\n}',
           f'variable "vpc_id" {{\n  type    = string\n  default = "{p.vpc_id}"\n}}',
           f'variable "subnet_ids" {{\n  type    = list(string)\n  default = {_hcl(list(p.subnet_ids))}\n}}',
           'data "aws_region" "current" {}', 'data "aws_caller_identity" "current" {}', 'data "aws_partition" "current" {}']
    group_ref = json.dumps(p.security_group.id) if p.security_group.id else "aws_security_group.endpoints.id"
    if not p.security_group.id:
        out.append(f'resource "aws_security_group" "endpoints" {{\n  name        = "studio-vpce-{p.name}"\n'
                   f'  description = "HTTPS from SageMaker Studio to its VPC endpoints"\n  vpc_id      = var.vpc_id\n'
                   f'  tags        = {_hcl(resource_tags(p, f"studio-vpce-{p.name}"), 1)}\n}}')
        for source in groups + cidrs:
            kind = "referenced_security_group_id" if source.startswith("sg-") else (
                "cidr_ipv6" if ":" in source else "cidr_ipv4")
            out.append(f'resource "aws_vpc_security_group_ingress_rule" "https_{_tf_name(source)}" {{\n'
                       f'  security_group_id = aws_security_group.endpoints.id\n  ip_protocol       = "tcp"\n'
                       f'  from_port         = 443\n  to_port           = 443\n  {kind} = "{source}"\n'
                       f'  description       = "SageMaker Studio HTTPS"\n}}')
    documents = policies.endpoint_policies_for(p, partition=partition, account=account)
    for key, service in names.items():
        policy = f"\n  policy              = jsonencode({_hcl(documents[key], 1)})" if documents.get(key) else ""
        out.append(f'resource "aws_vpc_endpoint" "{_tf_name(key)}" {{\n  vpc_id              = var.vpc_id\n'
                   f'  service_name        = "{service}"\n  vpc_endpoint_type   = "Interface"\n'
                   f'  subnet_ids          = var.subnet_ids\n  security_group_ids  = [{group_ref}]\n'
                   f'  private_dns_enabled = {"true" if p.dns.mode == "private-dns" else "false"}{policy}\n'
                   f'  tags                = {_hcl(resource_tags(p, f"studio-vpce-{p.name}-{key}"), 1)}\n}}')
    if p.dns.mode == "hosted-zone":
        for key, zone in hosted_zone_names(region).items():
            if key not in names:
                continue
            vpcs = "".join(f'\n  vpc {{\n    vpc_id = "{v}"\n  }}' for v in p.dns.associate_vpc_ids)
            out.append(f'resource "aws_route53_zone" "{key}" {{\n  name = "{zone}"\n  vpc {{\n    vpc_id = var.vpc_id\n  }}'
                       f'{vpcs}\n  tags = {_hcl(resource_tags(p), 1)}\n}}')
            out.append(f'resource "aws_route53_record" "{key}" {{\n  zone_id = aws_route53_zone.{key}.zone_id\n'
                       f'  name    = "{zone if key == "api" else "*." + zone}"\n  type    = "A"\n  alias {{\n'
                       f'    name                   = aws_vpc_endpoint.{key}.dns_entry[0].dns_name\n'
                       f'    zone_id                = aws_vpc_endpoint.{key}.dns_entry[0].hosted_zone_id\n'
                       f'    evaluate_target_health = false\n  }}\n}}')
    if p.access.mode != "none":
        vpce = [f"${{aws_vpc_endpoint.{k}.id}}" for k in ("studio", "api") if k in names] + list(p.access.extra_vpce_ids)
        document = policies.identity_policy_for(p, partition=partition, account=account, vpce_ids=vpce)
        out.append(f'resource "aws_iam_policy" "studio_access" {{\n  name        = "{p.policy_name}"\n'
                   f'  path        = "/studio-vpce/"\n'
                   f'  description = "Open SageMaker Studio only from inside the VPC (studio-vpce)"\n'
                   f'  policy      = jsonencode({_hcl(document, 1)})\n  tags        = {_hcl(resource_tags(p), 1)}\n}}')
        attach = p.access.attach
        for kind, values in (("user", attach.users), ("group", attach.groups), ("role", attach.roles)):
            for name in values:
                out.append(f'resource "aws_iam_{kind}_policy_attachment" "{kind}_{_tf_name(name)}" {{\n'
                           f'  {kind}       = "{name}"\n  policy_arn = aws_iam_policy.studio_access.arn\n}}')
    return "\n\n".join(out) + "\n"


# ---------------------------------------------------------------- AWS CLI

def cli_script(plan: Plan) -> str:
    p = plan.profile
    q = shlex.quote
    names = service_names(p, p.region)
    groups, cidrs = _sources(plan)
    tags = resource_tags(p)
    tag_spec = ",".join(f"{{Key={k},Value={v}}}" for k, v in sorted(tags.items()))
    lines = ["#!/usr/bin/env bash", f"# studio-vpce profile {p.name}: the same resources as `studio-vpce apply`.",
             "# Extra arguments (e.g. --endpoint-url, --profile) are passed to every aws command.",
             "set -euo pipefail", f'AWS=(aws --region "${{AWS_REGION:-{p.region}}}" --output text "$@")',
             f"VPC_ID={q(p.vpc_id)}", f"SUBNET_IDS=({' '.join(q(s) for s in p.subnet_ids)})",
             'ACCOUNT=$("${AWS[@]}" sts get-caller-identity --query Account)',
             'PARTITION=$("${AWS[@]}" sts get-caller-identity --query Arn | cut -d: -f2)']
    if p.security_group.id:
        lines.append(f"SG_ID={q(p.security_group.id)}")
    else:
        lines.append(f'SG_ID=$("${{AWS[@]}}" ec2 create-security-group --group-name {q("studio-vpce-" + p.name)} '
                     f'--description "HTTPS from SageMaker Studio to its VPC endpoints" --vpc-id "$VPC_ID" '
                     f'--tag-specifications {q("ResourceType=security-group,Tags=[" + tag_spec + ",{Key=Name,Value=studio-vpce-" + p.name + "}]")} '
                     f'--query GroupId)')
        for source in groups:
            lines.append(f'"${{AWS[@]}}" ec2 authorize-security-group-ingress --group-id "$SG_ID" --protocol tcp '
                         f'--port 443 --source-group {q(source)} > /dev/null')
        for source in cidrs:
            lines.append(f'"${{AWS[@]}}" ec2 authorize-security-group-ingress --group-id "$SG_ID" --protocol tcp '
                         f'--port 443 --cidr {q(source)} > /dev/null')
    documents = policies.endpoint_policies_for(p, partition="${PARTITION}", account="${ACCOUNT}")
    for key, service in names.items():
        var = f"VPCE_{_tf_name(key).upper()}"
        dns = "--private-dns-enabled" if p.dns.mode == "private-dns" else "--no-private-dns-enabled"
        policy = f' --policy-document "{_dq(json.dumps(documents[key]))}"' if documents.get(key) else ""
        lines.append(f'{var}=$("${{AWS[@]}}" ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id "$VPC_ID" '
                     f'--service-name {q(service)} --subnet-ids "${{SUBNET_IDS[@]}}" --security-group-ids "$SG_ID" '
                     f'{dns}{policy} --tag-specifications '
                     f'{q("ResourceType=vpc-endpoint,Tags=[" + tag_spec + ",{Key=Name,Value=studio-vpce-" + p.name + "-" + key + "}]")} '
                     f'--query VpcEndpoint.VpcEndpointId)')
    if names:
        ids = " ".join(f'"$VPCE_{_tf_name(k).upper()}"' for k in names)
        lines.append(f'"${{AWS[@]}}" ec2 wait vpc-endpoint-available --vpc-endpoint-ids {ids} 2>/dev/null || '
                     f'until [ -z "$("${{AWS[@]}}" ec2 describe-vpc-endpoints --vpc-endpoint-ids {ids} '
                     f'--query "VpcEndpoints[?State!=\'available\'].VpcEndpointId")" ]; do sleep 5; done')
    if p.dns.mode == "hosted-zone":
        for key, zone in hosted_zone_names(p.region).items():
            if key not in names:
                continue
            var = f"VPCE_{key.upper()}"
            record = zone if key == "api" else f"*.{zone}"
            lines += [
                f'ZONE_{key.upper()}=$("${{AWS[@]}}" route53 create-hosted-zone --name {q(zone)} '
                f'--caller-reference "studio-vpce-{p.name}-{key}-$(date +%s)" --vpc VPCRegion="${{AWS_REGION:-{p.region}}}",VPCId="$VPC_ID" '
                f'--hosted-zone-config PrivateZone=true --query HostedZone.Id | cut -d/ -f3)',
                f'"${{AWS[@]}}" route53 change-tags-for-resource --resource-type hostedzone --resource-id "$ZONE_{key.upper()}" '
                f'--add-tags {" ".join(q(f"Key={k},Value={v}") for k, v in sorted(tags.items()))}',
                f'read -r DNS_{key.upper()} HZ_{key.upper()} < <("${{AWS[@]}}" ec2 describe-vpc-endpoints --vpc-endpoint-ids '
                f'"${var}" --query "VpcEndpoints[0].DnsEntries[0].[DnsName,HostedZoneId]")',
                f'"${{AWS[@]}}" route53 change-resource-record-sets --hosted-zone-id "$ZONE_{key.upper()}" --change-batch '
                f'"{{\\"Changes\\":[{{\\"Action\\":\\"UPSERT\\",\\"ResourceRecordSet\\":{{\\"Name\\":\\"{record}\\",'
                f'\\"Type\\":\\"A\\",\\"AliasTarget\\":{{\\"HostedZoneId\\":\\"$HZ_{key.upper()}\\",'
                f'\\"DNSName\\":\\"$DNS_{key.upper()}\\",\\"EvaluateTargetHealth\\":false}}}}}}]}}" > /dev/null']
            for vpc in p.dns.associate_vpc_ids:
                lines.append(f'"${{AWS[@]}}" route53 associate-vpc-with-hosted-zone --hosted-zone-id "$ZONE_{key.upper()}" '
                             f'--vpc VPCRegion="${{AWS_REGION:-{p.region}}}",VPCId={q(vpc)} > /dev/null')
    if p.access.mode != "none":
        vpce = [f"${{VPCE_{k.upper()}}}" for k in ("studio", "api") if k in names] + list(p.access.extra_vpce_ids)
        document = policies.identity_policy_for(p, partition="${PARTITION}", account="${ACCOUNT}", vpce_ids=vpce)
        lines.append(f'POLICY_ARN=$("${{AWS[@]}}" iam create-policy --policy-name {q(p.policy_name)} --path /studio-vpce/ '
                     f'--policy-document "{_dq(json.dumps(document))}" '
                     f'--tags {" ".join(q(f"Key={k},Value={v}") for k, v in sorted(tags.items()))} --query Policy.Arn)')
        attach = p.access.attach
        for kind, values in (("user", attach.users), ("group", attach.groups), ("role", attach.roles)):
            for name in values:
                lines.append(f'"${{AWS[@]}}" iam attach-{kind}-policy --{kind}-name {q(name)} --policy-arn "$POLICY_ARN"')
    lines.append('echo "studio-vpce: done"')
    return "\n".join(lines) + "\n"


def _dq(text: str) -> str:
    """JSON inside a double-quoted shell word; ${VAR} references stay live."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`")
