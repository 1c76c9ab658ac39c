"""The plan's resources as CloudFormation, Terraform or an AWS CLI script, for pipelines and StackSets.

Every export is read from the same Plan that `apply` executes (`_desired`), so the three formats build what
apply builds: the same endpoints (S3 as a Gateway on the route tables), the same security group rules (IPv4
and IPv6 sources), the same hosted zones and records, the same policy documents and the same tags, so that
`plan` and `destroy` recognise what a stack made as this profile's.

Nothing is pinned to the account the plan was made in: region, partition and account come from the target
(CloudFormation pseudo parameters, Terraform data sources, the CLI's caller), and the VPC, subnets, route
tables, domain, Studio security groups and principals are CloudFormation Parameters / Terraform variables /
script variables whose defaults are the profile's values. One template rolls out through StackSets to many
accounts (of one partition), in one region per account: the IAM policy's name is account-wide.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

import yaml

from wizard import policies
from wizard.models import Plan, Profile
from wizard.names import DEPLOYED_BY_TAG, MANAGED_BY, PROFILE_TAG, REGION_TAG
from wizard.planner import STACK_REMOVAL, resource_tags

_LOGICAL = {"studio": "Studio", "api": "Api", "s3": "S3"}
HTTPS_DESCRIPTION = "SageMaker Studio HTTPS"
GROUP_DESCRIPTION = "HTTPS from SageMaker Studio to its VPC endpoints"


def _logical(key: str) -> str:
    return _LOGICAL.get(key) or "".join(part.capitalize() for part in re.split(r"[^a-zA-Z0-9]", key))


def export(plan: Plan, fmt: str) -> str:
    if fmt == "cloudformation":
        return cloudformation(plan)
    if fmt == "terraform":
        return terraform(plan)
    if fmt == "cli":
        return cli_script(plan)
    raise ValueError(fmt)


# ---------------------------------------------------------------- what apply builds, read from the plan

@dataclass
class _Endpoint:
    key: str
    service: str  # the plan's service name with the region as a token
    type: str  # Interface | Gateway
    private_dns: bool
    route_table_ids: list[str]
    tags: dict[str, str]


@dataclass
class _Zone:
    key: str  # the endpoint whose DNS the zone's record aliases
    name: str  # with the region as a token
    record: str | None
    associate_vpc_ids: list[str]


@dataclass
class _Desired:
    profile: Profile
    region: str  # the plan's region, replaced by each format's region token
    group: bool  # this profile's endpoint security group (else profile.security_group.id)
    group_sources: list[str] = field(default_factory=list)  # security groups admitted on 443
    cidr_sources: list[str] = field(default_factory=list)  # IPv4 and IPv6 ranges admitted on 443
    endpoints: list[_Endpoint] = field(default_factory=list)
    zones: list[_Zone] = field(default_factory=list)
    fix_vpc_attributes: list[str] = field(default_factory=list)

    @property
    def interface(self) -> list[_Endpoint]:
        return [e for e in self.endpoints if e.type != "Gateway"]

    @property
    def gateway(self) -> list[_Endpoint]:
        return [e for e in self.endpoints if e.type == "Gateway"]

    @property
    def route_table_ids(self) -> list[str]:
        return sorted({t for e in self.gateway for t in e.route_table_ids})

    @property
    def policy(self) -> bool:
        return self.profile.access.mode != "none"

    def service(self, endpoint: _Endpoint, region: str) -> str:
        return endpoint.service.replace("{region}", region)

    def zone_name(self, name: str, region: str) -> str:
        return name.replace("{region}", region)

    def endpoint_policies(self, *, region: str, partition: str, account: str,
                          domain: str) -> dict[str, dict[str, Any] | None]:
        p = self.profile.model_copy(update={"region": region, "domain_id": domain})
        return policies.endpoint_policies_for(p, partition=partition, account=account)

    def identity_policy(self, *, region: str, partition: str, account: str, domain: str, vpc: str,
                        vpce_ids: list[str]) -> dict[str, Any] | None:
        p = self.profile.model_copy(update={"region": region, "domain_id": domain, "vpc_id": vpc})
        return policies.identity_policy_for(p, partition=partition, account=account, vpce_ids=vpce_ids)

    def policy_vpce_keys(self) -> list[str]:
        """The managed endpoints the identity policy names (apply: studio, then api)."""
        keys = {e.key for e in self.interface}
        return [k for k in ("studio", "api") if k in keys]


def _tokenise_region(text: str, region: str) -> str:
    return text.replace(region, "{region}")


def _desired(plan: Plan) -> _Desired:
    p = plan.profile
    region = plan.region or p.region
    d = _Desired(profile=p, region=region, group=p.security_group.id is None)
    keep = [c for c in plan.changes if c.action != "delete"]
    for change in keep:
        if change.type == "security_group_rule" and d.group:
            source = change.after["source"]
            (d.group_sources if source.startswith("sg-") else d.cidr_sources).append(source)
        elif change.type == "vpc_attribute" and change.action == "update":
            d.fix_vpc_attributes.append(change.address.split(".", 1)[1])
        elif change.type == "vpc_endpoint":
            key, after = change.address.split(".", 1)[1], change.after
            kind = after.get("type", "Interface")
            d.endpoints.append(_Endpoint(
                key=key, service=_tokenise_region(after["service_name"], region), type=kind,
                private_dns=bool(after.get("private_dns_enabled", False)),
                route_table_ids=list(after.get("route_table_ids", [])),
                tags=resource_tags(p, f"studio-vpce-{p.name}-{key}")))
    for change in keep:
        if change.type == "hosted_zone":
            key = change.address.split(".", 1)[1]
            name = str(change.after.get("name") or change.before.get("name"))
            record = next((c.after["name"] for c in keep if c.type == "route53_record"
                           and c.address == f"route53_record.{key}"), None)
            associated = [c.after["vpc_id"] for c in keep if c.type == "hosted_zone_association"
                          and c.address.startswith(f"hosted_zone_association.{key}.")]
            d.zones.append(_Zone(key=key, name=_tokenise_region(name, region),
                                 record=_tokenise_region(record, region) if record else None,
                                 associate_vpc_ids=associated))
    return d


def refusals(plan: Plan, fmt: str) -> list[Any]:
    """The plan's errors that refuse an export in `fmt` (every front end: the CLI's export, the Preview's Export
    tab): all of them, except deployed_by_stack for the stack's own format, whose deployment changes by exporting
    again (trial 17: export refused that very error; trial 18: the Export tab showed code the CLI refuses)."""
    return [e for e in plan.errors if not (e.code == "deployed_by_stack" and e.about == fmt)]


def notes(plan: Plan, fmt: str) -> list[tuple[str, str]]:
    """(code, message) for each thing of the plan a Terraform or CloudFormation export cannot do as apply does in
    the account the plan was made in: an endpoint or hosted zone studio-vpce did not make, which apply reuses
    while the export declares a new one beside it (which AWS refuses when the name is taken: conflicting DNS
    domain, ConflictingDomainExists); and each VPC attribute apply turns on (dns.fix_vpc_attributes), which
    neither can change on a VPC it does not own, while AWS refuses private DNS without it (the commands to run
    first are named, one attribute a call). `export` says each on stderr and in the file's header. The CLI
    script looks up endpoints and zones itself (it uses one it finds as it is) and turns the attributes on: none
    for it."""
    if fmt not in ("terraform", "cloudformation"):
        return []
    d = _desired(plan)
    vpc = d.profile.vpc_id
    zoned = {z.key for z in d.zones}
    out: list[tuple[str, str]] = []
    for change in plan.changes:
        if change.type == "vpc_attribute" and change.action == "update":
            attribute = change.address.split(".", 1)[1]
            flag = "--" + re.sub(r"([A-Z])", r"-\1", attribute).lower()
            code = "dns_hostnames_off" if attribute == "enableDnsHostnames" else "dns_support_off"
            out.append((code, (f"{vpc} has {attribute} off, which private DNS and private hosted zones need on; "
                               "apply turns it on (dns.fix_vpc_attributes), but neither Terraform nor CloudFormation "
                               "can change a VPC they do not manage, so this export does not; turn it on before you "
                               f"deploy: `aws ec2 modify-vpc-attribute --vpc-id {vpc} {flag} '{{\"Value\":true}}'`")))
        elif change.type == "vpc_endpoint" and change.outside and change.action != "delete" and change.id:
            key = change.address.split(".", 1)[1]
            found, service = change.id, change.after.get("service_name", "")
            if change.after.get("type") == "Gateway" and change.before.get("route_table_ids"):
                out.append(("endpoint_reused", (f"{found} ({service}, a gateway) already routes {vpc}'s tables to "
                            "the service and was not made by studio-vpce: this export declares a second gateway "
                            "endpoint on the same route tables, which AWS refuses (a route table routes to a service "
                            f"through one gateway endpoint); deploy with `studio-vpce apply` (it reuses {found}) "
                            f"or `export --format cli`, or delete {found} first")))
            elif change.before.get("private_dns_enabled") and change.after.get("private_dns_enabled"):
                out.append(("endpoint_reused", (f"{found} ({service}) already serves {vpc} with private DNS and was "
                            "not made by studio-vpce: this export declares a second private-DNS endpoint for it, "
                            "which AWS refuses in that VPC (private-dns-enabled cannot be set: conflicting DNS "
                            f"domain); deploy with `studio-vpce apply` (it reuses and updates {found}) or "
                            f"`export --format cli` (it uses {found} as it is), or delete {found} first")))
            elif change.before.get("private_dns_enabled") and key in zoned:
                out.append(("endpoint_reused", (f"{found} ({service}) already serves {vpc} with private DNS and was "
                            "not made by studio-vpce: the private hosted zone this export declares for its name is "
                            "refused in that VPC (ConflictingDomainExists); deploy with `studio-vpce apply` (it "
                            f"turns {found}'s private DNS off first and reuses it), or turn it off yourself first: "
                            f"`aws ec2 modify-vpc-endpoint --vpc-endpoint-id {found} --no-private-dns-enabled`")))
            else:
                out.append(("endpoint_reused", (f"{found} ({service}) already exists in {vpc} and was not made by "
                            "studio-vpce: this export declares a second endpoint for the service beside it (AWS "
                            f"accepts it; apply reuses {found}); deploy with `studio-vpce apply`, or delete {found} "
                            "if nothing else uses it")))
        elif change.type == "vpc_endpoint" and not change.outside and change.action != "delete" and change.id \
                and dict(change.before.get("tags") or {}).get(DEPLOYED_BY_TAG) != fmt:
            # this profile's own, made by apply, the cli script or the other stack kind (the export helper's note)
            stack = dict(change.before.get("tags") or {}).get(DEPLOYED_BY_TAG)
            made = stack or "studio-vpce apply or the cli script"
            remove = STACK_REMOVAL.get(stack or "", "`studio-vpce destroy`")  # (trial 18: studio-vpce destroy refuses)
            out.append(("already_deployed", (f"{change.id} ({change.after.get('service_name', '')}) is this profile's "
                        f"already, made in {vpc} by {made}: this export declares it again beside it (with private "
                        "DNS, AWS refuses it: conflicting DNS domain), and would then manage a second copy; deploy "
                        f"the export where the profile is not deployed, or remove this deployment first ({remove})")))
        elif change.type == "hosted_zone" and change.outside and change.action != "delete" and change.id:
            name = change.after.get("name") or change.before.get("name")
            out.append(("hosted_zone_reused", (f"private hosted zone {change.id} ({name}) already serves {vpc} and "
                        "was not made by studio-vpce: this export declares a new zone of that name for the VPC, "
                        "which Route 53 refuses (ConflictingDomainExists); deploy with `studio-vpce apply` or "
                        f"`export --format cli` (they put the alias record into {change.id}), or disassociate {vpc} "
                        f"from {change.id} first (or delete the zone, if {vpc} is its only VPC: Route 53 keeps at "
                        "least one on a private zone)")))
    return out


def _header_notes(plan: Plan, fmt: str) -> list[str]:
    """The notes as comment lines for the file's header."""
    found = notes(plan, fmt)
    if not found:
        return []
    return [f"# Before you deploy this in account {plan.account_id} ({plan.region}), where it was planned:",
            *(f"# ! {code}: {message}" for code, message in found)]


def _stack(tags: dict[str, str], tool: str) -> dict[str, str]:
    """A Terraform or CloudFormation export's tags: the profile's, and which tool deploys them (plan reads such a
    deployment as the profile's; apply and destroy leave it to that tool: planner._refuse_stack_changes)."""
    return {**tags, DEPLOYED_BY_TAG: tool}


def _group_name(p: Profile) -> str:
    return f"studio-vpce-{p.name}"


def _token(d: _Desired, endpoint: _Endpoint) -> str:
    """A ClientToken part fixed at export time (AWS: same token + same parameters = the same endpoint)."""
    seed = json.dumps([d.profile.name, endpoint.key, endpoint.service, endpoint.type, endpoint.private_dns,
                       d.endpoint_policies(region="{region}", partition="{partition}", account="{account}",
                                           domain="{domain}").get(endpoint.key), endpoint.tags], sort_keys=True)
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


# ---------------------------------------------------------------- CloudFormation

CFN = {"region": "${AWS::Region}", "partition": "${AWS::Partition}", "account": "${AWS::AccountId}",
       "vpc": "${VpcId}", "domain": "${DomainId}"}


def _sub(value: Any) -> Any:
    """Wrap strings holding ${...} in Fn::Sub, recursively."""
    if isinstance(value, str) and "${" in value:
        return {"Fn::Sub": value}
    if isinstance(value, dict):
        return {k: _sub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_sub(v) for v in value]
    return value


def _cfn_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def _not_empty(list_parameter: str) -> dict[str, Any]:
    return {"Fn::Not": [{"Fn::Equals": [{"Fn::Join": ["", {"Ref": list_parameter}]}, ""]}]}


def cloudformation(plan: Plan) -> str:
    d = _desired(plan)
    p = d.profile
    parameters: dict[str, Any] = {
        "VpcId": {"Type": "AWS::EC2::VPC::Id", "Default": p.vpc_id, "Description": "The Studio domain's VPC"}}
    conditions: dict[str, Any] = {}
    resources: dict[str, Any] = {}
    if d.interface:
        parameters["SubnetIds"] = {"Type": "List<AWS::EC2::Subnet::Id>", "Default": ",".join(p.subnet_ids),
                                   "Description": "Where the interface endpoints live: one subnet per Availability Zone"}
    if d.gateway:
        parameters["RouteTableIds"] = {"Type": "CommaDelimitedList", "Default": ",".join(d.route_table_ids),
                                       "Description": "Route tables of the domain's subnets (the S3 gateway endpoint)"}
    documents = d.endpoint_policies(region=CFN["region"], partition=CFN["partition"], account=CFN["account"],
                                    domain=CFN["domain"])
    uses_domain = d.policy or any(documents.get(e.key) for e in d.interface)
    if uses_domain:
        parameters["DomainId"] = {"Type": "String", "Default": p.domain_id, "AllowedPattern": "^d-[a-z0-9]+$",
                                  "Description": "The SageMaker Studio domain id (endpoint and identity policies)"}
    group_ref: Any
    if not d.group:
        parameters["EndpointSecurityGroupId"] = {"Type": "AWS::EC2::SecurityGroup::Id", "Default": p.security_group.id,
                                                 "Description": "The existing security group the endpoints use"}
        group_ref = {"Ref": "EndpointSecurityGroupId"}
    elif d.interface:
        group_ref = {"Fn::GetAtt": ["EndpointSecurityGroup", "GroupId"]}
        resources["EndpointSecurityGroup"] = {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupName": _group_name(p), "GroupDescription": GROUP_DESCRIPTION, "VpcId": {"Ref": "VpcId"},
            "Tags": _cfn_tags(_stack(resource_tags(p, _group_name(p)), "cloudformation"))}}
        for i, source in enumerate(d.group_sources, 1):
            name = f"StudioSecurityGroup{i}"
            parameters[name] = {"Type": "String", "Default": source, "AllowedPattern": "^(sg-[0-9a-f]{8,17})?$",
                                "Description": "A Studio security group admitted on HTTPS 443 (empty: no rule)"}
            conditions[f"Has{name}"] = {"Fn::Not": [{"Fn::Equals": [{"Ref": name}, ""]}]}
            resources[f"HttpsFrom{name}"] = {"Type": "AWS::EC2::SecurityGroupIngress", "Condition": f"Has{name}",
                                             "Properties": {
                "GroupId": group_ref, "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                "SourceSecurityGroupId": {"Ref": name}, "Description": HTTPS_DESCRIPTION}}
        for i, cidr in enumerate(d.cidr_sources, 1):
            resources[f"HttpsFromCidr{i}"] = {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                "GroupId": group_ref, "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                ("CidrIpv6" if ":" in cidr else "CidrIp"): cidr, "Description": HTTPS_DESCRIPTION}}
    for endpoint in d.endpoints:
        properties: dict[str, Any] = {"ServiceName": d.service(endpoint, CFN["region"]),
                                      "VpcEndpointType": endpoint.type, "VpcId": {"Ref": "VpcId"}}
        if endpoint.type == "Gateway":
            properties["RouteTableIds"] = {"Ref": "RouteTableIds"}
        else:
            properties.update({"SubnetIds": {"Ref": "SubnetIds"}, "SecurityGroupIds": [group_ref],
                               "PrivateDnsEnabled": endpoint.private_dns})  # explicit: CloudFormation's default differs
            if documents.get(endpoint.key):
                properties["PolicyDocument"] = documents[endpoint.key]
        properties["Tags"] = _cfn_tags(_stack(endpoint.tags, "cloudformation"))
        resources[f"{_logical(endpoint.key)}Endpoint"] = {"Type": "AWS::EC2::VPCEndpoint", "Properties": _sub(properties)}
    for zone in d.zones:
        logical = _logical(zone.key)
        resources[f"{logical}HostedZone"] = {"Type": "AWS::Route53::HostedZone", "Properties": {
            "Name": _sub(d.zone_name(zone.name, CFN["region"])),
            "VPCs": [{"VPCId": {"Ref": "VpcId"}, "VPCRegion": {"Ref": "AWS::Region"}}]
            + [{"VPCId": v, "VPCRegion": {"Ref": "AWS::Region"}} for v in zone.associate_vpc_ids],
            "HostedZoneConfig": {"Comment": f"studio-vpce {p.name}"},
            "HostedZoneTags": _cfn_tags(_stack(resource_tags(p), "cloudformation"))}}
        if zone.record:
            # DnsEntries are "<hosted zone id>:<dns name>", the endpoint's regional name first.
            entry = {"Fn::Select": [0, {"Fn::GetAtt": [f"{logical}Endpoint", "DnsEntries"]}]}
            resources[f"{logical}Record"] = {"Type": "AWS::Route53::RecordSet", "Properties": {
                "HostedZoneId": {"Ref": f"{logical}HostedZone"}, "Name": _sub(d.zone_name(zone.record, CFN["region"])),
                "Type": "A", "AliasTarget": {
                    "HostedZoneId": {"Fn::Select": [0, {"Fn::Split": [":", entry]}]},
                    "DNSName": {"Fn::Select": [1, {"Fn::Split": [":", entry]}]}, "EvaluateTargetHealth": False}}}
    if d.policy:
        vpce = [f"${{{_logical(k)}Endpoint}}" for k in d.policy_vpce_keys()] + list(p.access.extra_vpce_ids)
        document = d.identity_policy(region=CFN["region"], partition=CFN["partition"], account=CFN["account"],
                                     domain=CFN["domain"], vpc=CFN["vpc"], vpce_ids=vpce)
        properties = {"ManagedPolicyName": p.policy_name, "Path": "/studio-vpce/",
                      "Description": _sub(policies.access_description(p, CFN["vpc"])),
                      "PolicyDocument": _sub(document)}
        attach = p.access.attach
        for field_name, values in (("Users", attach.users), ("Groups", attach.groups), ("Roles", attach.roles)):
            if any("," in value for value in values):
                # CloudFormation splits a CommaDelimitedList at every comma, and IAM names may hold one: the user
                # 'alice,bob' would have been the users alice and bob (trial 14). These are written in the template.
                properties[field_name] = list(values)
                continue
            name = f"Attach{field_name}"
            parameters[name] = {"Type": "CommaDelimitedList", "Default": ",".join(values),
                                "Description": f"IAM {field_name.lower()} the policy is attached to (comma-separated)"}
            conditions[f"Has{name}"] = _not_empty(name)
            properties[field_name] = {"Fn::If": [f"Has{name}", {"Ref": name}, {"Ref": "AWS::NoValue"}]}
        policy: dict[str, Any] = {"Type": "AWS::IAM::ManagedPolicy"}
        # As apply orders it: the policy (which attaches itself) once the endpoints and their alias records are
        # there (with access.effect deny, sooner locks its targets out), and on deletion before them. Those the
        # document names by Ref are ordered already (cfn-lint: a DependsOn on them is redundant).
        named = json.dumps(properties["PolicyDocument"])
        waits = [name for name in [f"{_logical(e.key)}Endpoint" for e in d.endpoints]
                 + [f"{_logical(z.key)}Record" for z in d.zones if z.record] if f"${{{name}}}" not in named]
        if waits:
            policy["DependsOn"] = waits
        policy["Properties"] = properties
        resources["StudioAccessPolicy"] = policy
    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{MARK}{p.name}: SageMaker Studio reachable privately from a VPC. Deploys in any "
                       "account and region (StackSets): region, partition and account come from pseudo parameters. "
                       "CloudFormation cannot tag IAM managed policies: the policy is the stack's to delete. IAM "
                       "names are account-wide: one region per account (a second region's stack finds the policy "
                       "name taken).",
        "Parameters": parameters}
    if conditions:
        template["Conditions"] = conditions
    template["Resources"] = resources
    template["Outputs"] = {f"{_logical(e.key)}EndpointId": {"Value": {"Ref": f"{_logical(e.key)}Endpoint"}}
                           for e in d.endpoints}
    text = yaml.dump(template, Dumper=_NoAliases, sort_keys=False, default_flow_style=False, width=120,
                     allow_unicode=True)
    header = _header_notes(plan, "cloudformation")
    if header:  # after the Description, which names the profile (an export is known by it: made_by_studio_vpce)
        head, tail = text.split("\nParameters:\n", 1)
        text = head + "\n" + "\n".join(header) + "\nParameters:\n" + tail
    return text


class _NoAliases(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """CloudFormation rejects YAML anchors and aliases. libyaml's emitter when PyYAML has it (its wheels do): the
    same text, five times faster (12 ms to 2 ms a template, on every Preview)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# ---------------------------------------------------------------- Terraform

# The region is the VPC's (its ARN's), which is the provider's: `data.aws_region.current.name` is deprecated in
# AWS provider 6 and its replacement `.region` does not exist in 5, so neither is used.
TF = {"region": "${local.region}", "partition": "${data.aws_partition.current.partition}",
      "account": "${data.aws_caller_identity.current.account_id}", "vpc": "${var.vpc_id}", "domain": "${var.domain_id}"}


DNS_ATTRIBUTES_OFF = ("VPC ${var.vpc_id} needs enableDnsSupport and enableDnsHostnames on for private DNS and "
                      "private hosted zones; turn them on first, one attribute a call: aws ec2 modify-vpc-attribute "
                      "--vpc-id ${var.vpc_id} --enable-dns-support '{\"Value\":true}', then the same with "
                      "--enable-dns-hostnames.")
TF_PROVIDER_VERSION = ">= 5.0, < 7.0"  # written for the AWS provider 5.x and 6.x (nothing deprecated in 6 is used)


def _scan(line: str) -> tuple[str, int | None]:
    """(the line's code outside quoted strings and comments, the index of its attribute `=` or None)."""
    code: list[str] = []
    eq, quoted, escaped = None, False, False
    for i, char in enumerate(line):
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
            continue
        if char == '"':
            quoted = True
        elif char == "#":
            break
        elif (char == "=" and eq is None and code and line[i - 1] not in "=!<>"
              and line[i + 1:i + 2] not in ("=", ">")):
            eq = i
        code.append(char)
    return "".join(code), eq


def _bracket_change(code: str) -> int:
    return sum(code.count(c) for c in "{[(") - sum(code.count(c) for c in "}])")


def hcl_format(text: str) -> str:
    """Lay HCL out as `terraform fmt` does (hclwrite's rules), so that `terraform fmt -check` passes.

    Indentation: two spaces per line whose brackets open more than they close, taken back by the line that
    closes them; a line that closes and opens as many (`}, {`) keeps the inner indentation. Alignment: the `=`
    of consecutive one-line attributes lines up one space after the longest name; an attribute whose value
    goes on over several lines is not aligned, and ends the run. Not handled, because the exporter writes
    none: strings or interpolations over several lines, heredocs, and one-line objects (`{ a = 1 }`).
    """
    out: list[str] = []
    run: list[tuple[str, str]] = []  # (indentation + name, value) of one-line attributes in a row

    def flush() -> None:
        width = max((len(lead) for lead, _ in run), default=0)
        out.extend(f"{lead.ljust(width)} = {value}" for lead, value in run)
        run.clear()

    indents: list[int] = []
    for raw in text.split("\n"):
        line = raw.strip()
        code, eq = _scan(line)
        net = _bracket_change(code)
        closed = -net
        while closed > 0 and indents:
            taken = min(closed, indents[-1])
            indents[-1] -= taken
            closed -= taken
            if indents[-1] == 0:
                indents.pop()
        pad = "  " * len(indents)
        if net > 0:
            indents.append(net)
        if eq is not None and net == 0:
            run.append((pad + line[:eq].rstrip(), line[eq + 1:].strip()))
            continue
        flush()
        if eq is not None:
            line = f"{line[:eq].rstrip()} = {line[eq + 1:].strip()}"
        out.append(pad + line if line else "")
    flush()
    return "\n".join(out)


def _hcl(value: Any, indent: int = 0) -> str:
    """A JSON-like value as an HCL expression (strings may hold ${...} references)."""
    pad = "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        body = "\n".join(f"{pad}{json.dumps(k, ensure_ascii=False)} = {_hcl(v, indent + 1)}" for k, v in value.items())
        return "{\n" + body + "\n" + "  " * indent + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v, indent) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # UTF-8 as written: 'équipe', not '\\u00e9quipe' (trial 14)


def _tf_name(key: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "_", key)


def _variable(name: str, kind: str, default: Any, description: str) -> str:
    return (f'variable "{name}" {{\n  description = {json.dumps(description)}\n  type        = {kind}\n'
            f'  default     = {_hcl(default, 1)}\n}}')


# Every export names its profile so, at its start: `--out` replaces only a file of the same format that begins so.
MARK = "studio-vpce profile "


def made_by_studio_vpce(head: str, fmt: str) -> bool:
    """Whether a file's first characters are those of an export in this format."""
    start = head.lstrip()
    return {"terraform": start.startswith(f"# {MARK}"),
            "cli": start.startswith(f"#!/usr/bin/env bash\n# {MARK}"),
            "cloudformation": start.startswith("AWSTemplateFormatVersion") and MARK in head}.get(fmt, False)


def terraform(plan: Plan) -> str:
    d = _desired(plan)
    p = d.profile
    out = [(f"# {MARK}{p.name}: SageMaker Studio reachable privately from a VPC.\n"
           "# Region (the VPC's), partition and account come from the provider; the variables default to the profile's values."
           + "".join("\n" + line for line in _header_notes(plan, "terraform"))),
           ('terraform {\n  required_version = ">= 1.3"\n  required_providers {\n    aws = {\n'
           f'      source  = "hashicorp/aws"\n      version = "{TF_PROVIDER_VERSION}"\n    }}\n  }}\n}}'),
           _variable("vpc_id", "string", p.vpc_id, "The Studio domain's VPC")]
    if d.interface:
        out.append(_variable("subnet_ids", "list(string)", list(p.subnet_ids),
                             "Where the interface endpoints live: one subnet per Availability Zone"))
    if d.gateway:
        out.append(_variable("route_table_ids", "list(string)", d.route_table_ids,
                             "Route tables of the domain's subnets (the S3 gateway endpoint)"))
    out.append(_variable("domain_id", "string", p.domain_id, "The SageMaker Studio domain id"))
    if not d.group:
        out.append(_variable("endpoint_security_group_id", "string", p.security_group.id,
                             "The existing security group the endpoints use"))
    elif d.interface:
        out.append(_variable("studio_security_group_ids", "list(string)", d.group_sources,
                             "Studio security groups admitted on HTTPS 443"))
    if d.policy:
        attach = p.access.attach
        for kind, values in (("users", attach.users), ("groups", attach.groups), ("roles", attach.roles)):
            out.append(_variable(f"attach_{kind}", "list(string)", list(values), f"IAM {kind} the policy is attached to"))
    # Private DNS and private hosted zones need both attributes on (apply's plan refuses the VPC otherwise, or
    # turns them on with dns.fix_vpc_attributes): a VPC without them stops `terraform plan` here, before any change.
    out += [('data "aws_vpc" "this" {\n  id = var.vpc_id\n  lifecycle {\n    postcondition {\n'
             "      condition     = self.enable_dns_support && self.enable_dns_hostnames\n"
             f"      error_message = {json.dumps(DNS_ATTRIBUTES_OFF)}\n    }}\n  }}\n}}"),
            'data "aws_arn" "vpc" {\n  arn = data.aws_vpc.this.arn\n}',
            "locals {\n  region = data.aws_arn.vpc.region # the VPC's region, which is the provider's\n}",
            'data "aws_caller_identity" "current" {}', 'data "aws_partition" "current" {}']
    group_ref = "var.endpoint_security_group_id" if not d.group else "aws_security_group.endpoints.id"
    if d.group and d.interface:
        out.append(f'resource "aws_security_group" "endpoints" {{\n  name        = "{_group_name(p)}"\n'
                   f'  description = "{GROUP_DESCRIPTION}"\n  vpc_id      = var.vpc_id\n'
                   f'  tags        = {_hcl(_stack(resource_tags(p, _group_name(p)), "terraform"), 1)}\n}}')
        # The provider revokes AWS's default allow-all egress rule of a new group; apply keeps it.
        out.append('resource "aws_vpc_security_group_egress_rule" "all" {\n'
                   '  security_group_id = aws_security_group.endpoints.id\n  ip_protocol       = "-1"\n'
                   '  cidr_ipv4         = "0.0.0.0/0"\n}')
        out.append('resource "aws_vpc_security_group_ingress_rule" "https_from_studio" {\n'
                   '  for_each                     = toset(var.studio_security_group_ids)\n'
                   '  security_group_id            = aws_security_group.endpoints.id\n'
                   '  ip_protocol                  = "tcp"\n  from_port                    = 443\n'
                   '  to_port                      = 443\n  referenced_security_group_id = each.value\n'
                   f'  description                  = "{HTTPS_DESCRIPTION}"\n}}')
        for cidr in d.cidr_sources:
            kind = "cidr_ipv6" if ":" in cidr else "cidr_ipv4"
            out.append(f'resource "aws_vpc_security_group_ingress_rule" "https_{_tf_name(cidr)}" {{\n'
                       f'  security_group_id = aws_security_group.endpoints.id\n  ip_protocol       = "tcp"\n'
                       f'  from_port         = 443\n  to_port           = 443\n  {kind:<17} = "{cidr}"\n'
                       f'  description       = "{HTTPS_DESCRIPTION}"\n}}')
    documents = d.endpoint_policies(region=TF["region"], partition=TF["partition"], account=TF["account"],
                                    domain=TF["domain"])
    for endpoint in d.endpoints:
        body = ['vpc_id              = var.vpc_id',
                f'service_name        = "{d.service(endpoint, TF["region"])}"',
                f'vpc_endpoint_type   = "{endpoint.type}"']
        if endpoint.type == "Gateway":
            body.append("route_table_ids     = var.route_table_ids")
        else:
            body += ["subnet_ids          = var.subnet_ids", f"security_group_ids  = [{group_ref}]",
                     f'private_dns_enabled = {"true" if endpoint.private_dns else "false"}']
            if documents.get(endpoint.key):
                body.append(f"policy              = jsonencode({_hcl(documents[endpoint.key], 1)})")
        body.append(f"tags                = {_hcl(_stack(endpoint.tags, 'terraform'), 1)}")
        out.append(f'resource "aws_vpc_endpoint" "{_tf_name(endpoint.key)}" {{\n  ' + "\n  ".join(body) + "\n}")
    for zone in d.zones:
        key = _tf_name(zone.key)
        vpcs = "".join(f'\n  vpc {{\n    vpc_id = "{v}"\n  }}' for v in zone.associate_vpc_ids)
        out.append(f'resource "aws_route53_zone" "{key}" {{\n  name    = "{d.zone_name(zone.name, TF["region"])}"\n'
                   f'  comment = "studio-vpce {p.name}"\n  vpc {{\n    vpc_id = var.vpc_id\n  }}{vpcs}\n'
                   f'  tags    = {_hcl(_stack(resource_tags(p), "terraform"), 1)}\n}}')
        if zone.record:
            out.append(f'resource "aws_route53_record" "{key}" {{\n  zone_id = aws_route53_zone.{key}.zone_id\n'
                       f'  name    = "{d.zone_name(zone.record, TF["region"])}"\n  type    = "A"\n  alias {{\n'
                       f'    name                   = aws_vpc_endpoint.{key}.dns_entry[0].dns_name\n'
                       f'    zone_id                = aws_vpc_endpoint.{key}.dns_entry[0].hosted_zone_id\n'
                       f'    evaluate_target_health = false\n  }}\n}}')
    if d.policy:
        vpce = [f"${{aws_vpc_endpoint.{_tf_name(k)}.id}}" for k in d.policy_vpce_keys()] + list(p.access.extra_vpce_ids)
        document = d.identity_policy(region=TF["region"], partition=TF["partition"], account=TF["account"],
                                     domain=TF["domain"], vpc=TF["vpc"], vpce_ids=vpce)
        out.append(f'resource "aws_iam_policy" "studio_access" {{\n  name        = "{p.policy_name}"\n'
                   f'  path        = "/studio-vpce/"\n'
                   f'  description = {json.dumps(policies.access_description(p, TF["vpc"]))}\n'
                   f'  policy      = jsonencode({_hcl(document, 1)})\n'
                   f'  tags        = {_hcl(_stack({**resource_tags(p), REGION_TAG: TF["region"]}, "terraform"), 1)}'
                   f'{_tf_depends_on(d)}\n}}')
        for kind in ("user", "group", "role"):
            out.append(f'resource "aws_iam_{kind}_policy_attachment" "{kind}" {{\n'
                       f'  for_each   = toset(var.attach_{kind}s)\n  {kind:<10} = each.value\n'
                       f'  policy_arn = aws_iam_policy.studio_access.arn\n}}')
    return hcl_format("\n\n".join(out)) + "\n"


def _tf_depends_on(d: _Desired) -> str:
    """The identity policy's depends_on, as apply orders it: after every endpoint and alias record (with
    access.effect deny, a policy in force before them locks its targets out), and destroyed before them. Its
    attachments follow the policy (they reference it)."""
    waits = ([f"aws_vpc_endpoint.{_tf_name(e.key)}" for e in d.endpoints]
             + [f"aws_route53_record.{_tf_name(z.key)}" for z in d.zones if z.record])
    if not waits:
        return ""
    return ("\n  # as apply orders it: once the endpoints and their records are there; destroyed before them"
            f"\n  depends_on = [{', '.join(waits)}]")


# ---------------------------------------------------------------- AWS CLI

SH = {"region": "${REGION}", "partition": "${PARTITION}", "account": "${ACCOUNT}", "vpc": "${VPC_ID}",
      "domain": "${DOMAIN_ID}"}

_CLI_HELPERS = r'''
found() { [ -n "$1" ] && [ "$1" != "None" ]; }

# tolerate CODE COMMAND...: run an aws command; AWS's error CODE means "already as wanted".
tolerate() {
  local code=$1 err
  shift
  if ! err=$("$@" 2>&1 >/dev/null); then
    case "$err" in
      *"($code)"*) echo "  $code: already as wanted" ;;
      *) echo "$err" >&2; return 1 ;;
    esac
  fi
}

# associate ZONE VPC: associate VPC with the private hosted zone. AWS answers ConflictingDomainExists both when it
# already is (a rerun) and when VPC resolves the zone's name through another zone or an endpoint's private DNS:
# only the first is done.
associate() {
  local err
  if ! err=$("${AWS[@]}" route53 associate-vpc-with-hosted-zone --hosted-zone-id "$1" \
      --vpc "VPCRegion=$REGION,VPCId=$2" 2>&1 >/dev/null); then
    case "$err" in
      *"(ConflictingDomainExists)"*)
        if [ "$("${AWS[@]}" route53 get-hosted-zone --id "$1" --query "length(VPCs[?VPCId=='$2'])")" = "0" ]; then
          echo "$2 already resolves the name of $1 through another private hosted zone or an endpoint's private" \
            "DNS (ConflictingDomainExists): remove that zone from $2 or turn that private DNS off, or leave $2 out" >&2
          return 1
        fi
        echo "  $2 is already associated with $1" ;;
      *) echo "$err" >&2; return 1 ;;
    esac
  fi
}

# made_here ZONE PREFIX: is ZONE one this script created (its CallerReference starts with PREFIX) that carries no
# tags yet (a run stopped between creating and tagging it)? Any other zone found keeps its tags: one made outside
# studio-vpce, or by another profile, is never tagged as this profile's (its destroy would delete the zone).
made_here() {
  local ref count
  ref=$("${AWS[@]}" route53 get-hosted-zone --id "$1" --query HostedZone.CallerReference) || return 1
  count=$("${AWS[@]}" route53 list-tags-for-resource --resource-type hostedzone --resource-id "$1" \
    --query "length(ResourceTagSet.Tags)") || return 1
  [[ "$ref" == "$2"* ]] && [ "$count" = "0" ]
}

# endpoint SERVICE TYPE: the id of a live endpoint for SERVICE in the VPC and the studio-vpce profile that manages
# it (None for either when there is none).
endpoint() {
  "${AWS[@]}" ec2 describe-vpc-endpoints --filters "Name=vpc-id,Values=$VPC_ID" "Name=service-name,Values=$1" \
    "Name=vpc-endpoint-type,Values=$2" "Name=vpc-endpoint-state,Values=pendingAcceptance,pending,available" \
    --query 'VpcEndpoints[0].[VpcEndpointId, Tags[?Key==`studio-vpce:profile`].Value | [0]]'
}

# refuse CODE MESSAGE: stop before any change, as apply's plan does.
refuse() { echo "studio-vpce: $1: $2; nothing was changed" >&2; exit 1; }

# wait_available ID...: poll until every endpoint is available; stop on failed or rejected, or after WAIT_SECONDS.
wait_available() {
  local deadline=$((SECONDS + WAIT_SECONDS)) states ready
  while :; do
    states=$("${AWS[@]}" ec2 describe-vpc-endpoints --vpc-endpoint-ids "$@" \
      --query 'VpcEndpoints[].[VpcEndpointId,State,LastError.Code,LastError.Message]' 2>/dev/null) || states=""
    if awk -F'\t' 'tolower($2) == "failed" || tolower($2) == "rejected" {print; bad = 1} END {exit !bad}' \
        <<< "$states" >&2; then
      echo "studio-vpce: an endpoint failed (id, state, LastError above)" >&2
      exit 1
    fi
    ready=$(awk -F'\t' 'tolower($2) == "available"' <<< "$states" | wc -l)
    if [ "$ready" -eq "$#" ]; then return 0; fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "studio-vpce: endpoints not available after ${WAIT_SECONDS}s:" >&2
      echo "$states" >&2
      exit 1
    fi
    sleep "$POLL_SECONDS"
  done
}

# zone NAME: the id of the private hosted zone NAME associated with the VPC, or None. The API answers in pages
# and the CLI does not follow NextToken for this command (it has no paginator): follow it here.
zone() {
  local token="" page id next
  while :; do
    page=$("${AWS[@]}" route53 list-hosted-zones-by-vpc --vpc-id "$VPC_ID" --vpc-region "$REGION" \
      ${token:+--next-token "$token"} \
      --query "[HostedZoneSummaries[?(Name=='$1.' || Name=='$1') && Owner.OwningAccount=='$ACCOUNT'].HostedZoneId | [0], NextToken]") || return 1
    IFS=$'\t' read -r id next <<< "$page"
    if found "$id"; then echo "$id"; return 0; fi
    if ! found "$next"; then echo None; return 0; fi
    token=$next
  done
}
'''


def _shell_array(values: list[str]) -> str:
    return "(" + " ".join(shlex.quote(v) for v in values) + ")"


def _dq(text: str) -> str:
    """Text inside a double-quoted shell word; ${VAR} references stay live."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`")


def _permission(source: str) -> str:
    """An --ip-permissions value for HTTPS from a group, an IPv4 or an IPv6 range (--cidr takes IPv4 only)."""
    perm: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
    if source.startswith("sg-") or source == "$SOURCE":
        perm["UserIdGroupPairs"] = [{"GroupId": source, "Description": HTTPS_DESCRIPTION}]
    elif ":" in source:
        perm["Ipv6Ranges"] = [{"CidrIpv6": source, "Description": HTTPS_DESCRIPTION}]
    else:
        perm["IpRanges"] = [{"CidrIp": source, "Description": HTTPS_DESCRIPTION}]
    return json.dumps([perm], separators=(",", ":"))


def _tag_spec(kind: str, tags: dict[str, str]) -> str:
    return shlex.quote(json.dumps([{"ResourceType": kind, "Tags": _cfn_tags(tags)}], separators=(",", ":"),
                                  ensure_ascii=False))


def _cli_preflight(d: _Desired, p: Profile) -> list[str]:
    """What the script finds, looked up and checked before its first change (the checks of apply's plan that
    keep it off what is not this profile's): a refused run changes nothing."""
    q = shlex.quote
    lines = ["# ---- what is there, checked before any change"]
    if d.group and d.interface:
        name = _group_name(p)
        lines += [
            (f'SG=$("${{AWS[@]}}" ec2 describe-security-groups --filters "Name=vpc-id,Values=$VPC_ID" '
             f'"Name=group-name,Values={name}" '
             f"--query 'SecurityGroups[0].[GroupId, Tags[?Key==`{PROFILE_TAG}`].Value | [0], "
             f"Tags[?Key==`{DEPLOYED_BY_TAG}`].Value | [0]]')"),
            'read -r SG_ID SG_OWNER SG_STACK <<< "$SG"',
            f'if found "$SG_ID" && [ "${{SG_OWNER:-None}}" != {q(p.name)} ]; then',
            (f'  refuse security_group_not_ours "$SG_ID in $VPC_ID is named {name} but was not created by this '
             f'profile (its {PROFILE_TAG} tag: ${{SG_OWNER:-None}}): delete or rename it, or set security_group.id '
             'in the profile"'),
            # (trial 17: the script added a rule to a Terraform deployment's group and wrote a policy version)
            'elif found "$SG_ID" && found "${SG_STACK:-None}"; then',
            (f'  refuse deployed_by_stack "this profile\'s deployment in $VPC_ID was made by $SG_STACK from '
             f'studio-vpce export ($SG_ID carries {DEPLOYED_BY_TAG}=$SG_STACK): change it through that code, not '
             'this script"'),
            'fi']
    for endpoint in d.endpoints:
        var = f"VPCE_{_tf_name(endpoint.key).upper()}"
        service = d.service(endpoint, SH["region"])
        lines += [
            f'read -r {var} OWNER <<< "$(endpoint "{service}" {endpoint.type})"',
            f'if found "${var}" && found "${{OWNER:-None}}" && [ "$OWNER" != {q(p.name)} ]; then',
            (f'  refuse endpoint_owned_by_other_profile "${var} for {service} in $VPC_ID is managed by studio-vpce '
             'profile $OWNER: manage this VPC\'s endpoints with that profile"'),
            f'elif found "${var}" && ! found "${{OWNER:-None}}"; then',
            f'  echo "using {endpoint.key} endpoint ${var} as it is (not made by studio-vpce)"',
            'fi']
    for zone in d.zones:  # a zone another profile made (its dns.associate_vpc_ids): its records are that one's
        name = d.zone_name(zone.name, SH["region"])
        lines += [
            f'ZONE=$(zone "{name}")',
            'if found "$ZONE"; then',
            ('  ZONE_OWNER=$("${AWS[@]}" route53 list-tags-for-resource --resource-type hostedzone --resource-id '
             f'"${{ZONE##*/}}" --query "ResourceTagSet.Tags[?Key==\'{PROFILE_TAG}\'].Value | [0]")'),
            f'  if found "${{ZONE_OWNER:-None}}" && [ "$ZONE_OWNER" != {q(p.name)} ]; then',
            (f'    refuse hosted_zone_owned_by_other_profile "private hosted zone ${{ZONE##*/}} ({name}) in $VPC_ID '
             'was made by studio-vpce profile $ZONE_OWNER: its records point at the endpoints of that profile"'),
            '  fi',
            'fi']
    if d.policy:
        lines += [
            f'POLICY_ARN="arn:$PARTITION:iam::$ACCOUNT:policy/studio-vpce/{p.policy_name}"',
            ('POLICY=$("${AWS[@]}" iam get-policy --policy-arn "$POLICY_ARN" --query '
             f"'Policy.[DefaultVersionId, Tags[?Key==`{REGION_TAG}`].Value | [0], "
             f"Tags[?Key==`{PROFILE_TAG}`].Value | [0]]' 2>/dev/null) || POLICY=None"),
            'read -r DEFAULT_VERSION POLICY_REGION POLICY_OWNER <<< "$POLICY"',
            ('if found "$DEFAULT_VERSION" && [ "${POLICY_OWNER:-None}" = ' + q(p.name)
             + ' ] && found "${POLICY_REGION:-None}" && [ "$POLICY_REGION" != "$REGION" ]; then'),
            ('  refuse policy_serves_other_region "$POLICY_ARN serves profile ' + p.name + ' in $POLICY_REGION; '
             'IAM is global, so this would rewrite it for $REGION and break $POLICY_REGION: give the profile '
             'another name or access.policy_name"'),
            'fi']
    lines.append("# ---- changes")
    return lines


def cli_script(plan: Plan) -> str:
    d = _desired(plan)
    p = d.profile
    q = shlex.quote
    tags = resource_tags(p)
    # Route 53 takes at most 10 tags per ChangeTagsForResource call (EC2 and IAM take all 50 at once); ours first
    ordered = sorted(_cfn_tags(tags), key=lambda t: t["Key"] not in (MANAGED_BY[0], PROFILE_TAG))
    zone_tag_jsons = [q(json.dumps(ordered[i:i + 10], separators=(",", ":"), ensure_ascii=False))
                      for i in range(0, len(ordered), 10)]
    # the policy names the region it serves (IAM is global); the shell fills in $REGION
    policy_tag_json = '"' + _dq(json.dumps(_cfn_tags({**tags, REGION_TAG: "${REGION}"}), separators=(",", ":"),
                                             ensure_ascii=False)) + '"'
    lines = ["#!/usr/bin/env bash",
             f"# {MARK}{p.name}: the resources `studio-vpce apply` makes, as AWS CLI calls.",
             "# Safe to run again: it looks everything up before it creates it, so a second run changes nothing",
             "# (it repeats a few writes that leave things as they are: alias record UPSERTs, policy attachments).",
             "# It does NOT converge an edited profile: it creates what is missing and rewrites the identity policy's",
             "# document, nothing else. Re-exported and run again after an edit, it leaves an existing endpoint's",
             "# policy, subnets, private DNS and security groups as they are, keeps HTTPS 443 rules for sources",
             "# removed from the profile, leaves the policy attached to principals removed from access.attach, and",
             "# keeps hosted zones and records the profile no longer wants. For edits after the first run, use",
             "# `studio-vpce apply` (it finds what this script made by its tags and converges it); a Terraform or",
             "# CloudFormation export converges only what it deployed itself.",
             "# Before any change it stops where apply's plan refuses: a same-named security group this profile",
             "# did not make (security_group_not_ours), an endpoint another studio-vpce profile manages",
             "# (endpoint_owned_by_other_profile), a hosted zone another profile made",
             "# (hosted_zone_owned_by_other_profile), this profile's policy serving another region",
             "# (policy_serves_other_region). It does NOT make apply's other checks (run `studio-vpce plan` first,",
             "# against the account it will run in):",
             "# - an endpoint someone else made is used as it is (apply updates its policy, subnets and groups);",
             "# - a hosted zone someone else made gets the alias records (apply refuses one whose record serves",
             "#   another profile, and one a further VPC cannot be associated with);",
             "# - the other preflight checks are not made either (subnets per zone, DNS attributes, quotas,",
             "#   self-lockout).",
             "# Usage: bash SCRIPT [aws options, e.g. --profile NAME or --endpoint-url URL]",
             "# Region: AWS_REGION, else the profile's (not --region: the region is also in service names and",
             "# ARNs). Edit the values below to deploy elsewhere.",
             "set -euo pipefail",
             f'REGION="${{AWS_REGION:-{p.region}}}"',
             f"VPC_ID={q(p.vpc_id)}",
             f"SUBNET_IDS={_shell_array(list(p.subnet_ids))}",
             f"DOMAIN_ID={q(p.domain_id)}"]
    if d.gateway:
        lines.append(f"ROUTE_TABLE_IDS={_shell_array(d.route_table_ids)}")
    if d.group and d.interface:
        lines.append(f"STUDIO_SECURITY_GROUP_IDS={_shell_array(d.group_sources)}  # admitted on HTTPS 443")
    if d.policy:
        attach = p.access.attach
        lines += [f"ATTACH_USERS={_shell_array(list(attach.users))}",
                  f"ATTACH_GROUPS={_shell_array(list(attach.groups))}",
                  f"ATTACH_ROLES={_shell_array(list(attach.roles))}"]
    lines += ['WAIT_SECONDS="${WAIT_SECONDS:-600}"  # how long to wait for the endpoints',
              'POLL_SECONDS="${POLL_SECONDS:-5}"',
              'for ARG in "$@"; do  # the AWS CLI takes the last --region: the calls and the names would differ',
              ('  case "$ARG" in --region|--region=*) echo "studio-vpce: set the region with AWS_REGION, not --region;'
               ' nothing was changed" >&2; exit 2 ;; esac'),
              'done',
              'AWS=(aws --region "$REGION" --output text "$@")',
              'IDENTITY=$("${AWS[@]}" sts get-caller-identity --query "[Account,Arn]")',
              'read -r ACCOUNT CALLER_ARN <<< "$IDENTITY"',
              'PARTITION=$(cut -d: -f2 <<< "$CALLER_ARN")',
              _CLI_HELPERS]
    lines += _cli_preflight(d, p)
    for attribute in d.fix_vpc_attributes:  # one attribute per call: AWS rejects both at once
        flag = "--" + re.sub(r"([A-Z])", r"-\1", attribute).lower()
        lines.append(f"\"${{AWS[@]}}\" ec2 modify-vpc-attribute --vpc-id \"$VPC_ID\" {flag} '{{\"Value\":true}}'")
    if not d.group:
        lines.append(f"SG_ID={q(p.security_group.id or '')}")
    elif d.interface:
        name = _group_name(p)
        lines += [
            'if ! found "$SG_ID"; then',
            (f'  SG_ID=$("${{AWS[@]}}" ec2 create-security-group --group-name {q(name)} '
            f'--description {q(GROUP_DESCRIPTION)} --vpc-id "$VPC_ID" '
            f'--tag-specifications {_tag_spec("security-group", resource_tags(p, name))} --query GroupId)'),
            '  echo "created security group $SG_ID"',
            'fi',
            'for SOURCE in ${STUDIO_SECURITY_GROUP_IDS[@]+"${STUDIO_SECURITY_GROUP_IDS[@]}"}; do',
            (f'  tolerate InvalidPermission.Duplicate "${{AWS[@]}}" ec2 authorize-security-group-ingress --group-id "$SG_ID" '
            f'--ip-permissions "{_dq(_permission("$SOURCE"))}"'),
            'done']
        for cidr in d.cidr_sources:
            lines.append(f'tolerate InvalidPermission.Duplicate "${{AWS[@]}}" ec2 authorize-security-group-ingress '
                         f'--group-id "$SG_ID" --ip-permissions {q(_permission(cidr))}')
    documents = d.endpoint_policies(region=SH["region"], partition=SH["partition"], account=SH["account"],
                                    domain=SH["domain"])
    for endpoint in d.endpoints:
        var = f"VPCE_{_tf_name(endpoint.key).upper()}"
        service = d.service(endpoint, SH["region"])
        if endpoint.type == "Gateway":
            where = '--route-table-ids "${ROUTE_TABLE_IDS[@]}"'
            params = '"$VPC_ID ${ROUTE_TABLE_IDS[*]}"'
        else:
            dns = "--private-dns-enabled" if endpoint.private_dns else "--no-private-dns-enabled"
            where = f'--subnet-ids "${{SUBNET_IDS[@]}}" --security-group-ids "$SG_ID" {dns}'
            if documents.get(endpoint.key):
                where += f' --policy-document "{_dq(json.dumps(documents[endpoint.key]))}"'
            params = '"$VPC_ID ${SUBNET_IDS[*]} $SG_ID $ACCOUNT $PARTITION $DOMAIN_ID"'
        lines += [
            f'if ! found "${var}"; then',
            f'  TOKEN="studio-vpce-{_token(d, endpoint)}-$(printf %s {params} | cksum | cut -d" " -f1)"',
            (f'  {var}=$("${{AWS[@]}}" ec2 create-vpc-endpoint --vpc-endpoint-type {endpoint.type} --vpc-id "$VPC_ID" '
            f'--service-name "{service}" {where} --client-token "$TOKEN" '
            f'--tag-specifications {_tag_spec("vpc-endpoint", endpoint.tags)} --query VpcEndpoint.VpcEndpointId)'),
            f'  echo "created {endpoint.key} endpoint ${var}"',
            'fi']
    if d.endpoints:
        ids = " ".join(f'"$VPCE_{_tf_name(e.key).upper()}"' for e in d.endpoints)
        lines.append(f"wait_available {ids}")
    for zone in d.zones:
        key = _tf_name(zone.key).upper()
        name = d.zone_name(zone.name, SH["region"])
        reference = f"studio-vpce-{p.name}-{zone.key}-"
        lines += [
            f'ZONE_{key}=$(zone "{name}")',
            'TAG_ZONE=0',
            f'if ! found "$ZONE_{key}"; then',
            (f'  ZONE_{key}=$("${{AWS[@]}}" route53 create-hosted-zone --name "{name}" '
            f'--caller-reference "{reference}$(date +%s)" '
            f'--vpc "VPCRegion=$REGION,VPCId=$VPC_ID" '
            f'--hosted-zone-config {q(f"Comment=studio-vpce {p.name},PrivateZone=true")} --query HostedZone.Id)'),
            f'  echo "created hosted zone $ZONE_{key}"',
            '  TAG_ZONE=1',
            'fi',
            f'ZONE_{key}=${{ZONE_{key}##*/}}',
            # only a zone made here: tagging a found one would make it this profile's (destroy deletes it)
            f'if [ "$TAG_ZONE" = 1 ] || made_here "$ZONE_{key}" "{reference}"; then',
            *((f'  "${{AWS[@]}}" route53 change-tags-for-resource --resource-type hostedzone --resource-id '
               f'"$ZONE_{key}" --add-tags {batch}') for batch in zone_tag_jsons),
            'fi']
        if zone.record:
            record = d.zone_name(zone.record, SH["region"])
            lines += [
                (f'TARGET=$("${{AWS[@]}}" ec2 describe-vpc-endpoints --vpc-endpoint-ids "$VPCE_{key}" '
                f'--query "VpcEndpoints[0].DnsEntries[0].[DnsName,HostedZoneId]")'),
                'read -r TARGET_DNS TARGET_ZONE <<< "$TARGET"',
                (f'"${{AWS[@]}}" route53 change-resource-record-sets --hosted-zone-id "$ZONE_{key}" --change-batch '
                f'"{{\\"Comment\\":\\"studio-vpce {p.name}\\",\\"Changes\\":[{{\\"Action\\":\\"UPSERT\\",'
                f'\\"ResourceRecordSet\\":{{\\"Name\\":\\"{record}\\",'
                f'\\"Type\\":\\"A\\",\\"AliasTarget\\":{{\\"HostedZoneId\\":\\"$TARGET_ZONE\\",'
                f'\\"DNSName\\":\\"$TARGET_DNS\\",\\"EvaluateTargetHealth\\":false}}}}}}]}}" > /dev/null')]
        for vpc in zone.associate_vpc_ids:
            lines.append(f'associate "$ZONE_{key}" {vpc}')
    if d.policy:
        vpce = [f"${{VPCE_{_tf_name(k).upper()}}}" for k in d.policy_vpce_keys()] + list(p.access.extra_vpce_ids)
        document = d.identity_policy(region=SH["region"], partition=SH["partition"], account=SH["account"],
                                     domain=SH["domain"], vpc=SH["vpc"], vpce_ids=vpce)
        lines += [
            f'POLICY_DOCUMENT="{_dq(json.dumps(document))}"',
            'if found "$DEFAULT_VERSION"; then',
            ('  CURRENT=$("${AWS[@]}" iam get-policy-version --policy-arn "$POLICY_ARN" --version-id "$DEFAULT_VERSION" '
            '--output json --query PolicyVersion.Document | tr -d " \\n\\r\\t")'),
            '  if [ "$CURRENT" != "$(tr -d " \\n\\r\\t" <<< "$POLICY_DOCUMENT")" ]; then',
            ('    OLD=$("${AWS[@]}" iam list-policy-versions --policy-arn "$POLICY_ARN" '
            '--query "Versions[?!IsDefaultVersion].[VersionId]" | sed "s/^v//" | sort -n)'),
            '    if [ "$(wc -w <<< "$OLD")" -ge 4 ]; then  # a managed policy keeps at most 5 versions',
            '      "${AWS[@]}" iam delete-policy-version --policy-arn "$POLICY_ARN" --version-id "v$(head -n1 <<< "$OLD")"',
            '    fi',
            ('    "${AWS[@]}" iam create-policy-version --policy-arn "$POLICY_ARN" --policy-document "$POLICY_DOCUMENT" '
            '--set-as-default > /dev/null'),
            '    echo "updated policy $POLICY_ARN"',
            '  fi',
            'else',
            (f'  "${{AWS[@]}}" iam create-policy --policy-name {q(p.policy_name)} --path /studio-vpce/ '
            f'--description "{_dq(policies.access_description(p, "${VPC_ID}"))}" '
            f'--policy-document "$POLICY_DOCUMENT" --tags {policy_tag_json} > /dev/null'),
            '  echo "created policy $POLICY_ARN"',
            'fi']
        for kind in ("user", "group", "role"):
            array = f"ATTACH_{kind.upper()}S"
            lines += [f'for NAME in ${{{array}[@]+"${{{array}[@]}}"}}; do',
                      f'  "${{AWS[@]}}" iam attach-{kind}-policy --{kind}-name "$NAME" --policy-arn "$POLICY_ARN"',
                      'done']
    lines.append('echo "studio-vpce: done"')
    return "\n".join(lines) + "\n"
