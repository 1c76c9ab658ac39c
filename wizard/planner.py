"""(Inventory, Profile) -> Plan. Pure: no AWS calls, no I/O; every preflight check that needs only reads."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from wizard import iam_eval, modes, policies, readiness, validators
from wizard.models import (
    EXTRA_SERVICES,
    KNOWN_AFTER_APPLY,
    Caller,
    Change,
    Confirmation,
    Endpoint,
    Finding,
    HostedZone,
    Inventory,
    ManagedPolicy,
    Plan,
    Profile,
    Rule,
    SecurityGroupInfo,
    to_jsonable,
)
from wizard.names import (
    DEPLOYED_BY_TAG,
    GATEWAY_KEYS,
    MANAGED_BY,
    PROFILE_TAG,
    REGION_TAG,
    readiness_service_names,
    service_names,
    zone_and_record,
)

HTTPS = ("tcp", 443, 443)
INTERFACE_ENDPOINT_QUOTA = 50  # per VPC, AWS's default (adjustable)
SG_RULES_QUOTA = 60  # inbound rules per security group, IPv4 and IPv6 each, AWS's default (adjustable)



def fingerprint(inventory: Inventory) -> str:
    """sha256 of everything observed in the account: a saved plan is stale when this moves. Not who read it:
    other credentials of the account may apply a saved plan (the CLI compares what depends on the caller, its
    self-lockout warning, on its own, and asks the applier's own confirmations)."""
    data = to_jsonable(inventory)
    data.pop("caller", None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def client_token(account: str, vpc_id: str, service: str, profile_name: str, params: dict[str, Any]) -> str:
    """Deterministic CreateVpcEndpoint ClientToken (<= 64 ASCII chars).

    The parameters are part of it: AWS answers a reused token with different parameters with
    IdempotentParameterMismatch, so a changed endpoint needs a new token.
    """
    seed = json.dumps([account, vpc_id, service, profile_name, params], sort_keys=True)
    return "studio-vpce-" + hashlib.sha256(seed.encode()).hexdigest()[:52]


def ours(tags: tuple[tuple[str, str], ...], profile_name: str) -> bool:
    return dict(tags).get(PROFILE_TAG) == profile_name


def zone_reference(account: str, vpc_id: str, zone_name: str, profile_name: str) -> str:
    """The CreateHostedZone CallerReference apply sends (Route 53 has no tags on create: this proves a zone ours)."""
    return "studio-vpce-" + hashlib.sha256(f"{account}|{vpc_id}|{zone_name}|{profile_name}".encode()).hexdigest()[:40]


def zone_is_ours(zone: HostedZone, inv: Inventory, profile: Profile) -> bool:
    """Tagged as this profile's, or created by it (its CallerReference) before an interrupted apply could tag it."""
    return ours(zone.tags, profile.name) or (not zone.tags and bool(zone.caller_reference) and zone.caller_reference.startswith(
        zone_reference(inv.account_id, profile.vpc_id, zone.name, profile.name)))


def policy_tags(profile: Profile) -> dict[str, str]:
    """The managed policy's tags: IAM is global, so they also name the region whose deployment it serves."""
    return {**resource_tags(profile), REGION_TAG: profile.region}


def policy_region(policy: ManagedPolicy) -> str | None:
    """The region a studio-vpce managed policy serves: its region tag, else (made before the tag existed) the
    region of the SageMaker ARNs it names; None when neither says."""
    tagged = dict(policy.tags).get(REGION_TAG)
    if tagged:
        return tagged
    regions = set(re.findall(r"arn:[a-z-]+:sagemaker:([a-z0-9-]+):", json.dumps(policy.document or {})))
    return regions.pop() if len(regions) == 1 else None


def policy_vpcs(policy: ManagedPolicy, inv: Inventory) -> set[str]:
    """The VPCs a studio-vpce managed policy's conditions name: aws:SourceVpc values, and the VPCs of the
    observed endpoints its aws:SourceVpce values name. Empty when it names none (the source-ip modes)."""
    found: set[str] = set()
    by_id = {e.id: e.vpc_id for e in inv.endpoints}
    statements = (policy.document or {}).get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        for condition in (statement.get("Condition") or {}).values() if isinstance(statement, dict) else ():
            for key, values in condition.items() if isinstance(condition, dict) else ():
                values = values if isinstance(values, list) else [values]
                if key.lower() == "aws:sourcevpc":
                    found |= {str(v) for v in values}
                elif key.lower() == "aws:sourcevpce":
                    found |= {by_id[v] for v in values if v in by_id}
    return found


def other_vpcs(inv: Inventory, profile: Profile) -> dict[str, list[str]]:
    """This profile name's resources in other VPCs of the region (VPC -> ids): another deployment of the name.

    A deployment is (name, region, VPC); what carries the name's tag in another VPC is never touched."""
    found: dict[str, list[str]] = defaultdict(list)
    for endpoint in inv.endpoints:
        if ours(endpoint.tags, profile.name) and endpoint.vpc_id != profile.vpc_id and not endpoint.gone:
            found[endpoint.vpc_id].append(endpoint.id)
    for group in inv.security_groups:
        if ours(group.tags, profile.name) and group.vpc_id and group.vpc_id != profile.vpc_id:
            found[group.vpc_id].append(group.id)
    return {vpc: sorted(ids) for vpc, ids in sorted(found.items())}


def policy_serves_other_vpc(inv: Inventory, profile: Profile) -> str | None:
    """Why this profile name's managed policy is another VPC's deployment's to manage (None: it is this one's,
    or there is none). By the VPCs its conditions name; when they name none, by the name's resources elsewhere."""
    policy = inv.policy
    if policy is None or not ours(policy.tags, profile.name) or policy_region(policy) not in (None, profile.region):
        return None  # none, not ours, or another region's (policy_serves_other_region says so)
    named = policy_vpcs(policy, inv)
    if named and profile.vpc_id not in named:
        return f"it serves {', '.join(sorted(named))}"
    elsewhere = other_vpcs(inv, profile)
    if not named and elsewhere:
        return f"profile {profile.name} is also deployed in {', '.join(elsewhere)}"
    return None


def resource_tags(profile: Profile, name: str | None = None) -> dict[str, str]:
    """The profile's tags and the tool's own; `name` is the Name tag, unless the profile's tags set one: that
    Name then goes on everything, as on the IAM policy (trial 7: it was replaced on the group and the endpoints
    only, without a word)."""
    tags = {**profile.tags, MANAGED_BY[0]: MANAGED_BY[1], PROFILE_TAG: profile.name}
    if name and "Name" not in profile.tags:
        tags["Name"] = name
    return tags


def _is_full_access(document: dict[str, Any] | None) -> bool:
    """AWS reports the default (no policy) as a full-access document."""
    if not document:
        return True
    statements = document.get("Statement", [])
    return len(statements) == 1 and statements[0].get("Effect") == "Allow" and statements[0].get("Action") in ("*", ["*"]) \
        and statements[0].get("Resource") in ("*", ["*"]) and statements[0].get("Principal") in ("*", {"AWS": "*"}) \
        and "Condition" not in statements[0]


class _Builder:
    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.warnings: list[Finding] = []
        self.errors: list[Finding] = []
        self.confirmations: list[Confirmation] = []

    def change(self, address: str, action: str, id: str | None = None, before: dict[str, Any] | None = None,
               after: dict[str, Any] | None = None, reason: str = "", outside: bool = False) -> None:
        if any(c.address == address for c in self.changes):
            # The executor and its log go by address: two changes with one address is a planner bug.
            raise AssertionError(f"two changes with one address: {address}")
        self.changes.append(Change(address=address, type=address.split(".", 1)[0], action=action, id=id,
                                   before=before or {}, after=after or {}, reason=reason, outside=outside))

    def free(self, address: str, suffix: str) -> str:
        """`address`, or `address.suffix` when a change already has it (two of ours for one service)."""
        return f"{address}.{suffix}" if any(c.address == address for c in self.changes) else address

    def error(self, code: str, message: str, about: str = "") -> None:
        self.errors.append(Finding(code, message, about))

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(Finding(code, message))


def plan(inventory: Inventory, profile: Profile) -> Plan:
    """Everything `apply` would do, with every preflight check. Same inputs, same output."""
    b = _Builder()
    inv = inventory
    _check_target(b, inv, profile)
    vpc = inv.vpc(profile.vpc_id)
    if vpc is None:
        b.error("vpc_not_found", f"VPC {profile.vpc_id} does not exist in {inv.region} for account {inv.account_id}: "
                                 "run `studio-vpce discover` and fix vpc_id")
    _check_subnets(b, inv, profile)
    domain = _check_domain(b, inv, profile)
    if vpc is not None:
        _plan_vpc_attributes(b, inv, profile)
    sg_ref = _plan_security_group(b, inv, profile, domain)
    endpoint_ids = _plan_endpoints(b, inv, profile, sg_ref)
    _plan_hosted_zones(b, inv, profile, endpoint_ids)
    _plan_old_group(b, inv, profile)
    _check_tags_of_made(b, inv, profile)
    elsewhere = _check_other_vpcs(b, inv, profile)
    identity = _plan_identity(b, inv, profile, endpoint_ids, hands_off=elsewhere)
    endpoint_docs = policies.endpoint_policies_for(profile, partition=inv.partition, account=inv.account_id)
    for key, document in endpoint_docs.items():
        for finding in policies.lint_endpoint_policy(document, key):
            b.error(finding.code, finding.message)
    for finding in (*inv.notes, *readiness.report(inv, profile)):
        b.warn(finding.code, finding.message)
    if profile.endpoint_policy.api and profile.endpoints.api:
        b.warn("api_endpoint_policy_restricts",
               "endpoint_policy.api restricts the SageMaker API endpoint: every other SageMaker API call made "
               "through it (notebooks, the SDK, training jobs) is denied unless a statement allows it")
    _refuse_stack_changes(b, inv, profile, destroy=False)
    return Plan(profile=profile, account_id=inv.account_id, region=inv.region, partition=inv.partition,
                changes=tuple(b.changes), endpoint_policies=endpoint_docs, identity_policy=identity,
                warnings=tuple(b.warnings), errors=tuple(b.errors), fingerprint=fingerprint(inv),
                caller_arn=inv.caller.arn, demo=inv.demo, confirmations=tuple(b.confirmations))


STACK_TOOLS = {"terraform": "Terraform", "cloudformation": "CloudFormation"}
STACK_REMOVAL = {"terraform": "`terraform destroy` in its configuration",  # how a stack's deployment goes
                 "cloudformation": "deleting its CloudFormation stack"}


def _stack_resources(inv: Inventory, profile: Profile) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """(kind, id, tags) of what this profile made here, as the stack tags read them (one scan for the three below)."""
    found = [*(("security group", g.id, g.tags) for g in inv.security_groups if g.vpc_id == profile.vpc_id),
             *(("endpoint", e.id, e.tags) for e in inv.endpoints if e.vpc_id == profile.vpc_id and not e.gone),
             *(("hosted zone", z.id, z.tags) for z in inv.hosted_zones),
             *((("IAM policy", inv.policy.arn, inv.policy.tags),) if inv.policy is not None else ())]
    return [(kind, i, tags) for kind, i, tags in found if ours(tags, profile.name)]


def deployed_by(inv: Inventory, profile: Profile) -> str | None:
    """The export format whose stack made this profile's deployment here (terraform, cloudformation), or None."""
    return next((dict(t)[DEPLOYED_BY_TAG] for _, _, t in _stack_resources(inv, profile) if DEPLOYED_BY_TAG in dict(t)),
                None)


def _stack_policy(inv: Inventory, profile: Profile) -> bool:
    """The policy at the profile's name and path carries no tags, and the rest of the profile's deployment was made
    by a CloudFormation export, whose AWS::IAM::ManagedPolicy takes no tags: it is that stack's (trial 17: plan
    and verify of a CloudFormation deployment failed on policy_not_ours). Read as the profile's; apply and
    destroy leave it to the stack (_refuse_stack_changes)."""
    policy = inv.policy
    if policy is None or dict(policy.tags).get(PROFILE_TAG):
        return False
    return any(dict(t).get(DEPLOYED_BY_TAG) == "cloudformation" for _, _, t in _stack_resources(inv, profile))


def _refuse_stack_changes(b: _Builder, inv: Inventory, profile: Profile, destroy: bool) -> None:
    """What an export's stack deployed (tag studio-vpce:deployed-by) is read as the profile's, so that plan says
    whether the account matches it, but apply and destroy never change or delete it: the stack's state would
    drift from the account, and destroy deleted every resource a Terraform export made (trial 16). Nor do they
    add to such a deployment (trial 17: a new endpoint went into the stack's security group, and then neither
    tool could remove either cleanly): a stack's deployment changes through the exported code only."""
    stacks = {i: (kind, dict(tags).get(DEPLOYED_BY_TAG)) for kind, i, tags in _stack_resources(inv, profile)}
    if inv.policy is not None and _stack_policy(inv, profile):  # a CloudFormation stack's, which takes no tags
        stacks[inv.policy.arn] = ("IAM policy", "cloudformation")
    deployed = sorted({stack for _, stack in stacks.values() if stack})
    if not deployed:
        return
    pending = [c for c in b.changes if c.action != "no-op"]
    for stack in deployed:
        tool = STACK_TOOLS.get(stack, stack)
        how = STACK_REMOVAL.get(stack, "the tool that made it")
        named = list(dict.fromkeys(f"{stacks[c.id][0]} {c.id}" for c in pending
                                   if c.id in stacks and stacks[c.id][1] == stack))
        added = [c.address for c in pending if c.id not in stacks or not stacks[c.id][1]]
        if not pending:
            b.warn("stack_deployment", f"this profile's deployment here was made by {tool} from `studio-vpce export` "
                   f"(tag {DEPLOYED_BY_TAG}={stack}): plan and verify read it; change it through the exported code "
                   f"(apply and destroy refuse to), or remove it by {how}")
            continue
        strays = [c for c in pending if c.type == "security_group_rule" and c.action == "delete"]
        if not destroy and strays and len(strays) == len(pending):  # drift, or sources dropped from the profile
            # (trial 17: "export the edited profile again", which changes nothing for a rule added by hand; trial
            # 18: an HTTPS rule added by hand, 443 from 0.0.0.0/0, is one too)
            b.error("deployed_by_stack", f"this profile's deployment here was made by {tool} from `studio-vpce "
                    f"export` (tag {DEPLOYED_BY_TAG}={stack}), and its security group admits what the profile does "
                    "not define; studio-vpce never changes what a stack manages. Added by hand (the stack does not "
                    "remove what it never declared)? Revoke it: "
                    + "; ".join(f"`{revoke_command(str(c.id), c.before)}`" for c in strays)
                    + f". Dropped from the profile? Export it again and deploy it with {tool}", stack)
            continue
        verb = "delete" if destroy else "change"
        what = (f"{verb} {', '.join(named)}" if named else "") + (" and " if named and added else "") + (
            f"make {len(added)} {'other ' if named else ''}change{'s' if len(added) > 1 else ''} to it "
            f"({', '.join(added[:4])}{' and more' if len(added) > 4 else ''})" if added else "")
        b.error("deployed_by_stack", f"this profile's deployment here was made by {tool} from `studio-vpce export` "
                f"(tag {DEPLOYED_BY_TAG}={stack}), and {'destroy' if destroy else 'apply'} would "
                f"{what}: studio-vpce never changes what a stack manages, or "
                "its state would drift; " + (f"remove it by {how}" if destroy else
                                             f"edited the profile? export it again (`studio-vpce export PROFILE "
                                             f"--format {stack}`) and deploy it with {tool}; changed by hand in AWS? "
                                             f"deploy the stack again as it is ({'`terraform apply`' if stack == 'terraform' else 'update the stack'}), "
                                             "which restores what it declares; or remove the stack "
                                             f"({how}) and run apply"), stack)  # (trial 18: drift got "export again")


def _check_target(b: _Builder, inv: Inventory, profile: Profile) -> None:
    """The account guard and the region: a profile never silently lands in another account or region."""
    mismatch = validators.account_guard(profile.account_id, inv.account_id, inv.demo)
    if mismatch:
        b.error("account_mismatch", mismatch)
    if profile.region != inv.region:
        b.error("region_mismatch", f"the profile is for {profile.region} but the session is in {inv.region}: run "
                                   f"with --region {profile.region}, or change the profile's region")


def _check_other_vpcs(b: _Builder, inv: Inventory, profile: Profile) -> bool:
    """One profile name, one VPC: the IAM policy is global (one per name) and cannot serve two deployments.
    True when the policy belongs to the other deployment (the plan then leaves it and its attachments alone)."""
    elsewhere = other_vpcs(inv, profile)
    policy_reason = policy_serves_other_vpc(inv, profile)
    for vpc_id, ids in elsewhere.items():
        b.error("profile_serves_other_vpc",
                f"profile name {profile.name} is already deployed in {vpc_id} ({', '.join(ids)}) in {profile.region}; "
                f"its IAM policy {profile.policy_name} is global, one per name, and cannot serve both VPCs: give this "
                f"profile (for {profile.vpc_id}) another name; nothing in {vpc_id} is changed")
    if policy_reason and not elsewhere and inv.policy is not None:
        b.error("profile_serves_other_vpc",
                f"IAM policy {inv.policy.arn} of profile {profile.name}: {policy_reason}, not {profile.vpc_id}; it is "
                "global, one per name, and cannot serve both VPCs: give this profile another name")
    return policy_reason is not None


# ---------------------------------------------------------------- network checks

def _check_subnets(b: _Builder, inv: Inventory, profile: Profile) -> None:
    known = {s.id: s for s in (*inv.other_subnets, *(s for v in inv.vpcs for s in v.subnets))}
    names = service_names(profile, profile.region, inv.services)
    if names and not profile.subnet_ids:
        b.error("no_subnets", "subnet_ids is empty: endpoints need one subnet per Availability Zone to live in")
    by_az: dict[str, list[str]] = defaultdict(list)
    for subnet_id in profile.subnet_ids:
        subnet = known.get(subnet_id)
        reason = validators.subnet_in_vpc(subnet_id, profile.vpc_id, subnet.vpc_id if subnet else None)
        if subnet is None:
            b.error("subnet_not_found", f"{reason}: run `studio-vpce discover` and fix subnet_ids")
            continue
        if reason:
            b.error("subnet_not_in_vpc", reason)
        by_az[subnet.az].append(subnet_id)
    for az, ids in sorted(by_az.items()):
        if len(ids) > 1:
            b.error("duplicate_az", f"subnets {', '.join(ids)} are all in {az}: an endpoint takes one subnet per "
                                    "Availability Zone (AWS: DuplicateSubnetsInSameZone); keep one of them")
    for key, name in names.items():
        service = inv.service(name)
        if service is None:
            b.error("service_not_found", f"The Vpc Endpoint Service '{name}' does not exist in {inv.region} "
                                         f"(endpoints.{key}); check the region")
            continue
        for subnet_id in profile.subnet_ids if key != "s3" else ():  # S3 is a gateway: no subnets
            subnet = known.get(subnet_id)
            if subnet is None:
                continue
            reason = validators.az_support(subnet, [service])
            if reason:
                b.error("az_not_supported", f"subnet {subnet_id}: {reason}: choose a subnet in a supported zone")


def _check_domain(b: _Builder, inv: Inventory, profile: Profile):  # noqa: ANN202
    domain = inv.domain(profile.domain_id)
    if domain is None:
        b.error("domain_not_found", f"Studio domain {profile.domain_id} does not exist in {inv.region}: "
                                    "run `studio-vpce discover` and fix domain_id")
        return None
    if domain.vpc_id and domain.vpc_id != profile.vpc_id:
        b.error("domain_not_in_vpc", f"domain {domain.id} runs in {domain.vpc_id}, not in {profile.vpc_id}: "
                                     "Studio reaches only endpoints in its own VPC")
    if domain.auth_mode.upper() == "SSO" and profile.access.mode != "none":
        b.error("domain_sso", f"domain {domain.id} uses IAM Identity Center (SSO): a VPC-only identity policy is "
                              "not supported there (the AWS guide says so); set access.mode: none")
    return domain


def _plan_vpc_attributes(b: _Builder, inv: Inventory, profile: Profile) -> None:
    vpc = inv.vpc(profile.vpc_id)
    assert vpc is not None
    for field, attribute, flag in (("dns_support", "enableDnsSupport", "--enable-dns-support"),
                                   ("dns_hostnames", "enableDnsHostnames", "--enable-dns-hostnames")):
        value = getattr(vpc, field)
        address = f"vpc_attribute.{attribute}"
        if value is False:
            if profile.dns.fix_vpc_attributes:
                b.change(address, "update", vpc.id, {attribute: False}, {attribute: True},
                         "private DNS and private hosted zones need it", outside=True)
            else:
                b.error(f"{field}_off", f"VPC {vpc.id} has {attribute} off; private DNS needs it on: set "
                                        f"dns.fix_vpc_attributes: true, or run `aws ec2 modify-vpc-attribute "
                                        f"--vpc-id {vpc.id} {flag}`")
        else:
            b.change(address, "no-op", vpc.id, {attribute: True}, {attribute: True}, outside=True)


def _rule_address(source: str, rule: Rule | None = None) -> str:
    """security_group_rule.<source> for a 443 rule the profile defines; another rule (one the profile does not
    define, revoked) has its protocol and ports in front: security_group_rule.tcp_22.0.0.0.0_0."""
    ports = "" if rule is None else rule_ports(rule.protocol, rule.from_port, rule.to_port).replace("/", "_") + "."
    return "security_group_rule." + ports + source.replace("/", "_")


def _wants_interface(inv: Inventory, profile: Profile) -> bool:
    """Whether the profile makes an interface endpoint (the only thing its security group is for)."""
    return any(k not in GATEWAY_KEYS for k in service_names(profile, profile.region, inv.services))


def _plan_old_group(b: _Builder, inv: Inventory, profile: Profile) -> None:
    """A profile switched to `security_group.id`, or to no interface endpoint at all, leaves the group it made
    before unused: deleted, after the endpoints move off it or go (trial 7: it stayed, and plan said 0 changes).
    Kept, and said, while an endpoint this profile does not manage still uses it."""
    if not profile.security_group.id and _wants_interface(inv, profile):
        return
    old = next((g for g in inv.security_groups if ours(g.tags, profile.name) and g.vpc_id == profile.vpc_id
                and g.id != profile.security_group.id), None)
    if old is None:
        return
    why = (f"security_group.id names {profile.security_group.id}" if profile.security_group.id
           else "the profile makes no interface endpoint")
    moved = {c.id for c in b.changes if c.type == "vpc_endpoint" and c.action == "update"
             and old.id not in c.after.get("security_group_ids", [])}  # reused endpoints this plan takes it off
    users = [e.id for e in inv.endpoints if old.id in e.security_group_ids and not e.gone and e.id not in moved
             and not (ours(e.tags, profile.name) and e.vpc_id == profile.vpc_id)]
    if users:
        b.warn("old_security_group_in_use", f"{old.id} ({old.name}), this profile's group before {why}, is still "
               f"used by {', '.join(users)}: left; destroy removes it once nothing uses it")
        return
    b.change(b.free("security_group.endpoints", old.id), "delete", old.id, {"name": old.name, "vpc_id": old.vpc_id},
             {}, f"no longer used: {why}")


def _plan_security_group(b: _Builder, inv: Inventory, profile: Profile, domain) -> str:  # noqa: ANN001
    """Plan the endpoint group and its 443 rules; returns the group id or KNOWN_AFTER_APPLY ("" when the profile
    makes no interface endpoint: no group then, trial 14 N12; one made before is deleted by _plan_old_group)."""
    if not profile.security_group.id and not _wants_interface(inv, profile):
        given = [*profile.security_group.allow_from_security_groups, *profile.security_group.allow_from_cidrs]
        if given:  # (trial 17: unsaid, though the user asked for HTTPS from them)
            b.warn("https_sources_unused", f"security_group sources ({', '.join(given[:4])}"
                   f"{' and more' if len(given) > 4 else ''}; the wizard's HTTPS (443) source fields) are ignored: "
                   "the profile makes no interface endpoint, so no security group")
        return ""
    sources = list(profile.security_group.allow_from_security_groups or (domain.security_group_ids if domain else ()))
    studio_groups = list(domain.security_group_ids) if domain else []
    left_out = [g for g in studio_groups if g not in sources]
    if profile.security_group.allow_from_security_groups and left_out and _wants_interface(inv, profile):
        # a list given replaces the domain's groups (trial 17: unsaid; a VpcOnly domain's apps lost the endpoints)
        b.warn("studio_groups_not_admitted", f"security_group.allow_from_security_groups (the wizard's \"HTTPS (443) "
               f"source security groups\") replaces the domain's own groups, and leaves out {', '.join(left_out)}, which Studio's apps use to reach the endpoints: list "
               f"{'it' if len(left_out) == 1 else 'them'} too, unless the apps reach AWS another way")
    for sg_id in sources:
        group = inv.security_group(sg_id)
        if group is None:
            b.error("source_security_group_not_found", f"security group {sg_id} (an HTTPS source) does not exist")
        elif group.vpc_id and group.vpc_id != profile.vpc_id:
            b.error("source_security_group_not_in_vpc", f"security group {sg_id} is in {group.vpc_id}, not {profile.vpc_id}")
    cidrs = list(profile.security_group.allow_from_cidrs)
    for text in cidrs:
        if validators.is_public(ipaddress.ip_network(text)):
            b.warn("https_source_public", f"{text} (an HTTPS source) is not a private range: the endpoints have "
                   "private addresses, reached only from the VPC and networks routed into it (peering, VPN, Direct "
                   "Connect); make sure it is such a network's range")
    if not sources and not cidrs:
        b.warn("no_https_sources", "no HTTPS sources: the domain has no security groups and none are listed; "
                                   "Studio cannot reach the endpoints (add security_group.allow_from_security_groups)")
    wanted = sources + cidrs
    if profile.endpoints.studio and not profile.security_group.id and not cidrs and (
            not profile.security_group.allow_from_security_groups):
        # The guide admits the domain's groups (Studio's apps, which call the API endpoint); the Studio endpoint's
        # clients are the users' browsers, which no rule then admits (review).
        b.warn("studio_endpoint_browsers", "the Studio endpoint serves your users' browsers (inside the VPC the "
               "Studio URL resolves to it), and its group admits HTTPS only from the domain's security groups, "
               "which hold Studio's apps: add the ranges users open Studio from (a VPN or Direct Connect range, a "
               "WorkSpaces or bastion subnet) to security_group.allow_from_cidrs (the wizard's \"Extra 443 source "
               "CIDRs\")")

    if profile.security_group.id:
        group = inv.security_group(profile.security_group.id)
        if group is None or group.vpc_id != profile.vpc_id:
            b.error("security_group_not_found", f"security group {profile.security_group.id} does not exist in "
                                                f"{profile.vpc_id}: fix security_group.id or leave it null")
            return profile.security_group.id
        for source in wanted:
            if not admits_https(group, source):
                b.warn("security_group_missing_https", f"{group.id} does not admit HTTPS from {source}: add it with "
                       f"`aws ec2 authorize-security-group-ingress --group-id {group.id} --protocol tcp --port 443 "
                       f"--{'source-group' if source.startswith('sg-') else 'cidr'} {source}` (the tool does not "
                       "change groups it did not create)")
        return group.id

    # AWS's default quota: 60 inbound rules per security group, IPv4 and IPv6 counted apart; a rule from a group
    # counts in both (adjustable in Service Quotas). 61 sources planned cleanly, and apply stopped at rule 60 with
    # RulesPerSecurityGroupLimitExceeded, which running again can never get past (trial 14).
    ipv6 = sum(":" in c for c in cidrs)
    for family, count in (("IPv4", len(sources) + len(cidrs) - ipv6), ("IPv6", len(sources) + ipv6)):
        if count > SG_RULES_QUOTA:
            b.warn("security_group_rules_quota", f"{count} {family} inbound rules (HTTPS sources) on studio-vpce-"
                   f"{profile.name}: past the default quota of {SG_RULES_QUOTA} per security group, so apply stops "
                   "at the first one over it unless the account's quota was raised (Service Quotas: \"Inbound or "
                   "outbound rules per security group\"); else list fewer, wider ranges")
    name = f"studio-vpce-{profile.name}"
    group = next((g for g in inv.security_groups if g.name == name and g.vpc_id == profile.vpc_id), None)
    after = {"name": name, "vpc_id": profile.vpc_id, "description": "HTTPS from SageMaker Studio to its VPC endpoints",
             "tags": resource_tags(profile, name)}
    if group is not None and not ours(group.tags, profile.name):
        # Never adopt what this profile did not create (a group it made carries its tags from the first call):
        # apply would rewrite the group's HTTPS rules, and destroy would then leave it behind.
        owner = dict(group.tags).get(PROFILE_TAG)
        b.error("security_group_not_ours",
                f"{group.id} in {profile.vpc_id} is named {name} but was not created by this profile ("
                + (f"it is managed by studio-vpce profile '{owner}'" if owner else "it has no studio-vpce tags")
                + f"): studio-vpce does not take it over; to use it as it is, set security_group.id: {group.id} "
                "(the tool then leaves its rules to you), or delete or rename it")
        return group.id
    if group is None:
        b.change("security_group.endpoints", "create", None, {}, after, "the endpoints need a group that admits HTTPS")
        existing: set[str] = set()
        group_id = KNOWN_AFTER_APPLY
    else:
        b.change("security_group.endpoints", "no-op", group.id, after, after)
        existing = {r.source for r in group.ingress if (r.protocol, r.from_port, r.to_port) == HTTPS}
        group_id = group.id
    for source in wanted:
        rule = {"protocol": "tcp", "port": 443, "source": source}
        if source in existing:
            b.change(_rule_address(source), "no-op", group_id, rule, rule)
        else:
            b.change(_rule_address(source), "create", None if group is None else group_id, {}, rule,
                     "HTTPS from Studio" if source in studio_groups else f"HTTPS from {source}")
    for source in sorted(existing - set(wanted)):
        b.change(_rule_address(source), "delete", group_id, {"protocol": "tcp", "port": 443, "source": source}, {},
                 "no longer a source in the profile")
    for found in group.ingress if group is not None else ():
        # The group is this profile's (its tags say so): it admits HTTPS from the profile's sources and nothing
        # else, as Terraform's inline rules would have it. A rule added by hand (trial 13: SSH from 0.0.0.0/0)
        # is revoked, named; a group given as security_group.id is never changed (returned above).
        if (found.protocol, found.from_port, found.to_port) != HTTPS:
            b.change(_rule_address(found.source, found), "delete", group_id, {
                "protocol": found.protocol, "from_port": found.from_port, "to_port": found.to_port,
                "source": found.source}, {}, f"not in the profile: {name} admits only HTTPS (443) from the "
                "profile's sources")
    return group_id


def revoke_command(group_id: str, rule: dict[str, Any]) -> str:
    """The aws CLI command that revokes one ingress rule as read (its protocol, ports and source)."""
    protocol, source = str(rule.get("protocol", "tcp")), str(rule.get("source", ""))
    low, high = rule.get("from_port", 443), rule.get("to_port", 443)
    where = {"IpProtocol": "-1" if protocol in ("-1", "all") else protocol}
    if where["IpProtocol"] != "-1" and low not in (-1, None):
        where.update(FromPort=low, ToPort=high)
    if source.startswith("sg-"):
        where["UserIdGroupPairs"] = [{"GroupId": source}]  # type: ignore[assignment]
    elif source.startswith("pl-"):
        where["PrefixListIds"] = [{"PrefixListId": source}]  # type: ignore[assignment]
    else:
        where["Ipv6Ranges" if ":" in source else "IpRanges"] = [{"CidrIpv6" if ":" in source else "CidrIp": source}]  # type: ignore[assignment]
    return (f"aws ec2 revoke-security-group-ingress --group-id {group_id} --ip-permissions "
            f"'{json.dumps([where], separators=(',', ':'))}'")


def rule_ports(protocol: str, from_port: int, to_port: int) -> str:
    """A rule's protocol and ports as people read them: tcp/22, udp/1000-2000, all, icmp."""
    if protocol in ("-1", "all"):
        return "all"
    if from_port in (-1, None) or protocol in ("icmp", "icmpv6", "1", "58"):
        return protocol
    return f"{protocol}/{from_port}" + (f"-{to_port}" if to_port != from_port else "")


def _check_tags_of_made(b: _Builder, inv: Inventory, profile: Profile) -> None:
    """Apply sets the profile's tags as it creates a resource and does not change them after: a tag edited in the
    profile (a cost centre, an owner) never reached what was made, and nothing said so (trial 14). Said here."""
    def own(key: str) -> bool:  # the tool's (managed-by, Name, studio-vpce:...), set as it sees fit
        return key in (MANAGED_BY[0], "Name") or key.startswith("studio-vpce:")

    wanted = {k: v for k, v in profile.tags.items() if not own(k)}
    made: list[tuple[str, tuple[tuple[str, str], ...]]] = [
        *((g.name, g.tags) for g in inv.security_groups if g.vpc_id == profile.vpc_id),
        *((e.id, e.tags) for e in inv.endpoints if e.vpc_id == profile.vpc_id and e.state != "deleted"),
        *((z.id, z.tags) for z in inv.hosted_zones), *([(inv.policy.name, inv.policy.tags)] if inv.policy else [])]
    stale = [name for name, tags in made
             if ours(tags, profile.name) and {k: v for k, v in tags if not own(k)} != wanted]
    if stale:
        b.warn("tags_not_updated", f"the profile's tags differ from those of what it already made ({', '.join(stale[:6])}"
               f"{' and more' if len(stale) > 6 else ''}): apply sets tags only as it creates a resource; change them "
               "with `aws ec2 create-tags`/`delete-tags`, `aws iam tag-policy`/`untag-policy` and `aws route53 "
               "change-tags-for-resource`, or destroy and apply again")


def admits_https(group: SecurityGroupInfo, source: str) -> bool:
    for rule in group.ingress:
        if rule.protocol in ("-1", "all") or (rule.protocol == "tcp" and rule.from_port <= 443 <= rule.to_port):
            if rule.source == source or rule.source == "0.0.0.0/0":
                return True
            if "/" in rule.source and "/" in source:
                try:
                    if ipaddress.ip_network(source).subnet_of(ipaddress.ip_network(rule.source)):  # type: ignore[arg-type]
                        return True
                except TypeError:
                    pass
    return False


def route_tables_for(inv: Inventory, subnet_ids: list[str]) -> list[str]:
    """The route tables that serve these subnets (an explicit association, else the VPC's main table)."""
    out = set()
    main = next((t.id for t in inv.route_tables if t.main), None)
    for subnet_id in subnet_ids:
        table = next((t.id for t in inv.route_tables if subnet_id in t.subnet_ids), main)
        if table:
            out.add(table)
    return sorted(out)


def _plan_gateway(b: _Builder, inv: Inventory, profile: Profile, service: str) -> None:
    """S3 for a VpcOnly domain: a gateway endpoint on the route tables of the domain's (and the profile's) subnets."""
    domain = inv.domain(profile.domain_id)
    subnets = sorted(set(profile.subnet_ids) | set(domain.subnet_ids if domain else ()))
    tables = route_tables_for(inv, subnets)
    existing = next((e for e in inv.endpoints if e.vpc_id == profile.vpc_id and e.service == service
                     and e.type == "Gateway" and (e.live or ours(e.tags, profile.name))), None)
    after = {"service_name": service, "vpc_id": profile.vpc_id, "type": "Gateway", "route_table_ids": tables,
             "tags": resource_tags(profile, f"studio-vpce-{profile.name}-s3")}
    if existing is None:
        after["client_token"] = client_token(inv.account_id, profile.vpc_id, service, profile.name, {"rt": tables})
        b.change("vpc_endpoint.s3", "create", None, {}, after, "S3 for a VpcOnly domain (gateway)")
        return
    current = sorted(t.id for t in inv.route_tables if existing.id in t.gateway_endpoints)
    wanted = sorted(set(current) | set(tables))
    target = {**after, "route_table_ids": wanted, "tags": after["tags"] if ours(existing.tags, profile.name) else dict(existing.tags)}
    before = {**target, "route_table_ids": current, "tags": dict(existing.tags)}
    b.change("vpc_endpoint.s3", "update" if wanted != current else "no-op", existing.id, before, target,
             "route the domain's subnets to S3" if wanted != current else "", outside=not ours(existing.tags, profile.name))


def _endpoint_for(inv: Inventory, profile: Profile, service: str) -> Endpoint | None:
    # Ours in any state (a failed one is reported and reused); anyone else's only while live: a failed, rejected
    # or expired endpoint holds no private DNS and serves no one, and a deleted one is gone.
    candidates = [e for e in inv.endpoints if e.vpc_id == profile.vpc_id and e.service == service
                  and e.type == "Interface" and not e.gone and (e.live or ours(e.tags, profile.name))]
    candidates.sort(key=lambda e: (not ours(e.tags, profile.name), not e.private_dns, e.id))
    return candidates[0] if candidates else None


def _other_profiles_on(inv: Inventory, endpoint: Endpoint, profile: Profile) -> dict[str, str]:
    """The other studio-vpce profiles whose own group is on `endpoint` (profile name -> group id): an endpoint
    made outside studio-vpce that another profile reuses (apply adds the profile's group to a reused endpoint)."""
    found: dict[str, str] = {}
    for group_id in endpoint.security_group_ids:
        group = inv.security_group(group_id)
        tags = dict(group.tags) if group is not None else {}
        owner = tags.get(PROFILE_TAG)
        if owner and owner != profile.name and tags.get(MANAGED_BY[0]) == MANAGED_BY[1]:
            found.setdefault(owner, group_id)
    return found


def _endpoint_gone(endpoint: Endpoint) -> dict[str, Any]:
    """A deleted endpoint's `before`: its service, type and subnets (the cost estimate counts the endpoint-AZs it
    stops billing: a trial's destroy said "adds 0 endpoint-AZ(s)" for two endpoints in two AZs)."""
    return {"service_name": endpoint.service, "type": endpoint.type, "subnet_ids": list(endpoint.subnet_ids)}


def _endpoint_diff(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What an endpoint update changes, named (trial 7: "subnet_ids, policy differ" hid that apply takes a subnet
    and a policy away from an endpoint someone else made)."""
    parts = []
    for key, what in (("subnet_ids", "subnets"), ("security_group_ids", "groups")):
        gone = sorted(set(before[key]) - set(after[key]))
        new = sorted(set(after[key]) - set(before[key]))
        if gone or new:
            shown = [f"-{v}" for v in gone] + [f"+{'the profile group' if v == KNOWN_AFTER_APPLY else v}" for v in new]
            parts.append(f"{what} {' '.join(shown)}")
    if before["private_dns_enabled"] != after["private_dns_enabled"]:
        parts.append(f"private DNS {'on' if before['private_dns_enabled'] else 'off'} -> "
                     f"{'on' if after['private_dns_enabled'] else 'off'}")
    if before["policy"] != after["policy"]:
        old = "its own policy" if before["policy"] else "no policy (full access)"
        parts.append(f"{old} -> " + ("the profile's policy" if after["policy"] else "no policy (full access)"))
    return "; ".join(parts)


def _plan_endpoints(b: _Builder, inv: Inventory, profile: Profile, sg_ref: str) -> dict[str, str]:
    """Plan each interface endpoint; returns key -> endpoint id (or KNOWN_AFTER_APPLY)."""
    names = service_names(profile, profile.region, inv.services)
    documents = policies.endpoint_policies_for(profile, partition=inv.partition, account=inv.account_id)
    private_dns = profile.dns.mode == "private-dns"
    ids: dict[str, str] = {}
    for key, service in names.items():
        if key == "s3":
            _plan_gateway(b, inv, profile, service)
            continue
        document = documents.get(key)
        existing = _endpoint_for(inv, profile, service)
        others = [e for e in inv.endpoints if e.vpc_id == profile.vpc_id and e.service == service and e.live
                  and existing is not None and e.id != existing.id]
        for dead in (e for e in inv.endpoints if e.vpc_id == profile.vpc_id and e.service == service
                     and e.state == "failed" and e is not existing):
            # Not reused (anyone else's failed endpoint serves no one), but the admin should know it is there.
            b.warn("endpoint_failed", f"{dead.id} ({service}) is in state failed: {dead.last_error}; not used: "
                   "delete it when you no longer need its error")
        if others:
            b.warn("duplicate_endpoints", f"{len(others) + 1} endpoints for {service} in {profile.vpc_id}; using "
                                          f"{existing.id if existing else '?'} and leaving the others alone")
        address = f"vpc_endpoint.{key}"
        params = {"subnet_ids": sorted(profile.subnet_ids), "private_dns_enabled": private_dns, "policy": document,
                  "security_group_ids": [sg_ref]}
        after = {"service_name": service, "vpc_id": profile.vpc_id, "type": "Interface", **params,
                 "tags": resource_tags(profile, f"studio-vpce-{profile.name}-{key}")}
        if private_dns and (existing is None or not existing.private_dns):
            # AWS rejects turning private DNS on (create or modify) next to a zone for the name; ours are
            # deleted first (the executor orders that), anyone else's stays.
            zone_name = _zone_for(inv, profile, key)[0]
            conflicting = next((z for z in inv.hosted_zones if z.name == zone_name
                                and not zone_is_ours(z, inv, profile)), None)
            if conflicting is not None:
                owner = f" (owned by {conflicting.owner})" if conflicting.foreign else ""
                b.error("conflicting_dns_domain", f"private hosted zone {conflicting.id} for {zone_name}{owner} is "
                        f"associated with {profile.vpc_id}: AWS rejects private DNS for {service} (conflicting DNS "
                        "domain); use dns.mode: hosted-zone or remove that zone")
        if existing is None:
            after["client_token"] = client_token(inv.account_id, profile.vpc_id, service, profile.name, params)
            b.change(address, "create", None, {}, after, f"Studio needs {service}" if key in ("studio", "api")
                     else "requested in endpoints.extra")
            ids[key] = KNOWN_AFTER_APPLY
            continue
        ids[key] = existing.id
        is_ours = ours(existing.tags, profile.name)
        if existing.state == "failed":
            b.warn("endpoint_failed", f"{existing.id} ({service}) is in state failed: {existing.last_error}")
        before = {"service_name": service, "vpc_id": existing.vpc_id, "type": existing.type,
                  "subnet_ids": list(existing.subnet_ids), "private_dns_enabled": existing.private_dns,
                  "policy": None if _is_full_access(existing.policy) else existing.policy,
                  "security_group_ids": list(existing.security_group_ids), "tags": dict(existing.tags)}
        # A reused endpoint keeps the groups it has, but for a group this profile made and no longer uses (switched
        # to security_group.id: trial 16, it stayed on, "still used"); ours carries exactly the profile's group.
        former = {g.id for g in inv.security_groups if ours(g.tags, profile.name) and g.id != sg_ref}
        wanted_groups = sorted({sg_ref} | (set() if is_ours else set(existing.security_group_ids) - former))
        target = {**after, "security_group_ids": wanted_groups,
                  "tags": after["tags"] if is_ours else dict(existing.tags)}
        differs = [k for k in ("subnet_ids", "private_dns_enabled", "policy", "security_group_ids")
                   if before[k] != target[k]]
        reason = _endpoint_diff(before, target) if differs else "as wanted"
        other_profile = dict(existing.tags).get(PROFILE_TAG)
        if not is_ours and other_profile:
            # One endpoint per service and VPC: two profiles would fight over its groups and private DNS, and
            # neither could destroy it cleanly. The other profile owns it.
            b.error("endpoint_owned_by_other_profile",
                    f"{existing.id} for {service} in {profile.vpc_id} is managed by studio-vpce profile "
                    f"'{other_profile}'" + (f", deployed by {STACK_TOOLS.get(stack, stack)} from its export" if (
                        stack := dict(existing.tags).get(DEPLOYED_BY_TAG)) else "")
                    + ": manage this VPC's endpoints with that profile (or "
                    + ("remove its stack first" if stack else "destroy it first") + "); "  # (trial 18: a stack's)
                    "to allow it in the access policy, list it in access.extra_vpce_ids of a profile with "
                    "endpoints.studio/api false")
        elif not is_ours and (sharing := _other_profiles_on(inv, existing, profile)):
            # Made outside studio-vpce and reused by another profile already (its group is on it): two profiles
            # would each rewrite its subnets, private DNS and policy on every apply, and each plan would undo the
            # other's. One profile manages a reused endpoint; the others name it in access.extra_vpce_ids.
            owners = ", ".join(f"'{name}' (its group {group})" for name, group in sorted(sharing.items()))
            b.error("endpoint_reused_by_other_profile",
                    f"{existing.id} for {service} in {profile.vpc_id} was not created by studio-vpce and is already "
                    f"reused by studio-vpce profile {owners}: two profiles would overwrite each other's subnets, "
                    "private DNS and endpoint policy on it; manage it with that profile (or destroy that profile "
                    "first); to allow it in this profile's access policy, list it in access.extra_vpce_ids and "
                    + (f"set endpoints.{key}: false" if key in ("studio", "api") else f"drop {key} from endpoints.extra"))
        elif not is_ours:
            b.warn("endpoint_reused", f"{existing.id} for {service} already exists in {profile.vpc_id}: the tool "
                                      "updates and reuses it (a second private-DNS endpoint is rejected by AWS), "
                                      "and destroy will leave it")
        b.change(address, "update" if differs else "no-op", existing.id, before, target, reason, outside=not is_ours)
    existing_interfaces = sum(1 for e in inv.endpoints if e.vpc_id == profile.vpc_id and e.type == "Interface"
                              and not e.gone)
    new_interfaces = sum(1 for c in b.changes if c.type == "vpc_endpoint" and c.action == "create"
                         and c.after.get("type") == "Interface")
    if new_interfaces and existing_interfaces + new_interfaces > INTERFACE_ENDPOINT_QUOTA:
        b.warn("interface_endpoint_quota", f"{profile.vpc_id} would have {existing_interfaces + new_interfaces} interface "
               f"endpoints; the default quota is {INTERFACE_ENDPOINT_QUOTA} per VPC: check Service Quotas "
               "(VPC > Interface VPC endpoints per VPC) before apply")
    keys = {service: "api" if key == "sagemaker.api" else key  # the address it had when made (sagemaker.runtime,
            for key, service in readiness_service_names(inv.region, inv.services).items()}  # not runtime: trial 7)
    for endpoint in inv.endpoints:
        if ours(endpoint.tags, profile.name) and endpoint.service not in names.values() and endpoint.vpc_id == profile.vpc_id:
            key = keys.get(endpoint.service, endpoint.service.rsplit(".", 1)[-1])
            b.change(b.free(f"vpc_endpoint.{key}", endpoint.id), "delete", endpoint.id, _endpoint_gone(endpoint), {},
                     "no longer in the profile")
    return ids


def _zone_for(inv: Inventory, profile: Profile, key: str) -> tuple[str, str]:
    """(zone name, record name) for an endpoint key, from the service's private DNS name."""
    return zone_and_record(key, profile.region, inv.dns_suffix, inv.services)


def _plan_hosted_zones(b: _Builder, inv: Inventory, profile: Profile, endpoint_ids: dict[str, str]) -> None:
    """hosted-zone mode: a private hosted zone and an alias record for every interface endpoint.

    Not only Studio and the API: with the endpoints' private DNS off, sts, logs, sagemaker.runtime and the other
    extras would still resolve to their public addresses, which a VpcOnly domain without NAT cannot reach. A zone
    per service name (rather than private DNS on the extras) keeps one DNS model per profile, and is what lets
    dns.associate_vpc_ids share all the endpoints with other VPCs (private DNS serves its own VPC only).
    """
    keys = [k for k in endpoint_ids if k not in GATEWAY_KEYS] if profile.dns.mode == "hosted-zone" else []
    wanted = {k: _zone_for(inv, profile, k) for k in keys}
    for vpc_id in profile.dns.associate_vpc_ids:
        other = inv.vpc(vpc_id)
        if other is None:
            b.error("vpc_not_found", f"VPC {vpc_id} (dns.associate_vpc_ids) does not exist in {inv.region}")
        elif other.dns_support is False or other.dns_hostnames is False:
            off = [name for name, on in (("enableDnsSupport", other.dns_support),
                                         ("enableDnsHostnames", other.dns_hostnames)) if on is False]
            b.warn("associated_vpc_dns_off",
                   f"{vpc_id} (dns.associate_vpc_ids) has {' and '.join(off)} off: AWS associates the zones, but "
                   f"private hosted zones resolve in a VPC only with both on; turn them on there (`aws ec2 "
                   f"modify-vpc-attribute --vpc-id {vpc_id} --enable-dns-hostnames` and `--enable-dns-support`, "
                   "one call each)")
    wanted_names = {zone for zone, _ in wanted.values()}
    for old in inv.hosted_zones:
        if zone_is_ours(old, inv, profile) and old.name not in wanted_names:
            b.change(f"hosted_zone.{_zone_key(inv, profile, old.name)}", "delete", old.id, {"name": old.name}, {},
                     "no longer in the profile")
    for key, (zone_name, record_name) in wanted.items():
        candidates = [z for z in inv.hosted_zones if z.name == zone_name]
        foreign = next((z for z in candidates if z.foreign), None)
        zone = next((z for z in candidates if not z.foreign), None)
        if foreign is not None:
            owner_fix = (f"ask account {foreign.owner_account} to add the alias record to it, or to disassociate "
                         f"{profile.vpc_id} from it (`aws route53 disassociate-vpc-from-hosted-zone --hosted-zone-id "
                         f"{foreign.id} --vpc VPCRegion={profile.region},VPCId={profile.vpc_id}`, run in that account)"
                         if foreign.owner_account else "remove that service's zone from the VPC")
            b.error("hosted_zone_foreign", f"private hosted zone {foreign.id} ({zone_name}) associated with "
                    f"{profile.vpc_id} belongs to {foreign.owner}: this account cannot add records to it, and AWS "
                    f"lets a VPC resolve a name through one zone only (ConflictingDomainExists); {owner_fix}, or "
                    f"drop endpoints.{key} here and use the endpoint that zone points to")
            continue
        if zone is None:
            b.change(f"hosted_zone.{key}", "create", None, {}, {
                "name": zone_name, "vpc_id": profile.vpc_id, "private": True, "tags": resource_tags(profile)},
                "resolve the service name to the endpoint inside the VPC")
            zone_vpcs: tuple[str, ...] = (profile.vpc_id,)
            records: dict[str, str] = {}
        elif not ours(zone.tags, profile.name) and zone_is_ours(zone, inv, profile):
            b.change(f"hosted_zone.{key}", "update", zone.id, {"name": zone_name, "tags": {}},
                     {"name": zone_name, "tags": resource_tags(profile)},
                     "created by this profile, but an earlier apply stopped before tagging it")
            zone_vpcs = zone.vpc_ids
            records = {name: target for name, _type, target in zone.records}
        else:
            if not zone_is_ours(zone, inv, profile):
                _check_zone_sharing(b, inv, profile, zone, record_name, key)
            if not ours(zone.tags, profile.name):
                b.warn("hosted_zone_reused", f"private hosted zone {zone.id} ({zone_name}) already serves "
                                             f"{profile.vpc_id}: records go into it (AWS: ConflictingDomainExists)")
            b.change(f"hosted_zone.{key}", "no-op", zone.id, {"name": zone_name}, {"name": zone_name},
                     outside=not zone_is_ours(zone, inv, profile))
            zone_vpcs = zone.vpc_ids
            records = {name: target for name, _type, target in zone.records}
        endpoint = next((e for e in inv.endpoints if e.id == endpoint_ids[key]), None)
        target = endpoint.dns_entries[0][0].lower() if endpoint and endpoint.dns_entries else KNOWN_AFTER_APPLY
        record = {"name": record_name, "type": "A", "alias_target": target}
        outside = zone is not None and not zone_is_ours(zone, inv, profile)  # records go into a zone it found
        if records.get(record_name) == target:
            b.change(f"route53_record.{key}", "no-op", zone.id if zone else None, record, record, outside=outside)
        else:
            b.change(f"route53_record.{key}", "update" if record_name in records else "create",
                     zone.id if zone else None,
                     {"name": record_name, "alias_target": records[record_name]} if record_name in records else {},
                     record, f"alias to the {key} endpoint", outside=outside)
        for vpc_id in profile.dns.associate_vpc_ids:
            address = f"hosted_zone_association.{key}.{vpc_id}"
            if vpc_id in zone_vpcs:
                b.change(address, "no-op", zone.id if zone else None, {"vpc_id": vpc_id}, {"vpc_id": vpc_id},
                         outside=outside)
            else:
                _check_association(b, inv, profile, key, zone_name, zone, vpc_id)
                b.change(address, "create", zone.id if zone else None, {}, {"vpc_id": vpc_id},
                         "dns.associate_vpc_ids", outside=outside)


def _check_association(b: _Builder, inv: Inventory, profile: Profile, key: str, zone_name: str,
                       zone: HostedZone | None, vpc_id: str) -> None:
    """AWS refuses to associate a zone with a VPC that already resolves the zone's name privately, through
    another zone of that name or an endpoint's private DNS (ConflictingDomainExists; moto accepts it): found at
    plan time, not halfway through apply."""
    service = service_names(profile, profile.region, inv.services).get(key, "")
    clash = next((z.id for z in inv.associated_zones if vpc_id in z.vpc_ids and z.name == zone_name
                  and (zone is None or z.id != zone.id)), None)
    endpoint = next((e.id for e in inv.associated_endpoints
                     if e.vpc_id == vpc_id and e.private_dns and e.service == service), None)
    if clash is None and endpoint is None:
        return
    through = (f"endpoint {endpoint}'s private DNS" if endpoint else f"private hosted zone {clash}")
    fix = (f"turn private DNS off on {endpoint} (or delete it)" if endpoint else f"disassociate {clash} from {vpc_id}")
    b.error("hosted_zone_association_conflict",
            f"{vpc_id} (dns.associate_vpc_ids) already resolves {zone_name} privately through {through}: AWS "
            f"refuses a second zone for the name in a VPC (ConflictingDomainExists); {fix}, or drop {vpc_id} "
            "from dns.associate_vpc_ids")


def _check_zone_sharing(b: _Builder, inv: Inventory, profile: Profile, zone: HostedZone, record_name: str,
                        key: str) -> None:
    """A zone this profile would reuse that serves another studio-vpce profile: one record per name, so the two
    would overwrite each other's alias on every apply (each VPC in the zone then resolving the name to the
    other's endpoint), each verify would fail by turns, and the other's destroy would delete the record this one
    needs (or the whole zone, when that profile made it)."""
    other = dict(zone.tags).get(PROFILE_TAG)
    if other and other != profile.name:
        b.error("hosted_zone_owned_by_other_profile",
                f"private hosted zone {zone.id} ({zone.name}) associated with {profile.vpc_id} was made by "
                f"studio-vpce profile '{other}' (its dns.associate_vpc_ids): its records point at that profile's "
                f"endpoints, and destroying that profile deletes the zone; drop {profile.vpc_id} from that profile's "
                f"dns.associate_vpc_ids, or use its endpoints from here (endpoints.{key}: false here)")
        return
    targets = {name.lower().rstrip("."): e for e in (*inv.endpoints, *inv.alias_endpoints)
               for name, _zone in e.dns_entries}
    for name, _type, target in zone.records:
        endpoint = targets.get(target.lower().rstrip("."))
        owner = dict(endpoint.tags).get(PROFILE_TAG) if endpoint else None
        if name == record_name and endpoint is not None and owner and owner != profile.name:
            b.error("hosted_zone_reused_by_other_profile",
                    f"private hosted zone {zone.id} ({zone.name}) was not created by studio-vpce and its record "
                    f"{record_name} serves studio-vpce profile '{owner}' (alias to {endpoint.id} in "
                    f"{endpoint.vpc_id}); the zone serves several VPCs with one record per name: the two profiles "
                    f"would overwrite each other's record, and destroying one deletes the other's; manage the "
                    f"zone's records with that profile, or disassociate {profile.vpc_id} from the zone")


def _zone_key(inv: Inventory, profile: Profile, zone_name: str) -> str:
    """The endpoint key whose service name a zone serves (for addresses); the zone name if none."""
    for key in ("studio", "api", *EXTRA_SERVICES):
        if key not in GATEWAY_KEYS and _zone_for(inv, profile, key)[0] == zone_name:
            return key
    return zone_name


def _check_cidrs(b: _Builder, inv: Inventory, profile: Profile) -> None:
    mode, cidrs = profile.access.mode, [ipaddress.ip_network(c) for c in profile.access.cidrs]
    if mode in ("source-ip", "vpc-source-ip") and not cidrs:
        b.error("cidrs_required", f"access.mode {mode} needs access.cidrs (the ranges allowed to open Studio)")
    if mode == "source-ip":
        for net in cidrs:
            reason = validators.public_cidr(str(net))
            if reason:
                b.error("cidr_not_public", f"access.cidrs {reason}")
        everyone = validators.whole_internet(str(net) for net in cidrs if net.prefixlen)  # /0: said above
        if everyone:
            b.error("cidrs_admit_everyone", f"access.cidrs {everyone}")
        if profile.endpoints.api:  # both DNS modes send the VPC's calls to it (review: hosted-zone too)
            how = "private DNS on" if profile.dns.mode == "private-dns" else "the hosted zone's record for the API"
            b.warn("source_ip_through_endpoint", f"with {how}, calls from inside the VPC go through the API endpoint, "
                   "where aws:SourceIp is absent: source-ip only admits callers outside the VPC; to admit callers "
                   "inside it, use access.mode vpc-source-ip (their ranges) or subnet")
    elif mode == "vpc-source-ip":
        vpc = inv.vpc(profile.vpc_id)
        for net in cidrs:
            reason = validators.cidr_in_vpc(str(net), vpc.cidrs, profile.vpc_id) if vpc else None
            if reason:
                b.error("cidr_not_in_vpc", f"access.cidrs {reason}")
    elif cidrs:
        b.warn("cidrs_unused", f"access.cidrs is ignored in access.mode {mode}")


def _check_extra_vpce_ids(b: _Builder, inv: Inventory, profile: Profile) -> None:
    """access.extra_vpce_ids: used in vpce mode only (said, as cidrs_unused is, in any other); there, each should
    be an endpoint discovery found (trial 13: a made-up id went into the policy without a word)."""
    extra, mode = profile.access.extra_vpce_ids, profile.access.mode
    if extra and mode != "vpce":
        b.warn("extra_vpce_ids_unused", f"access.extra_vpce_ids is ignored in access.mode {mode} (only vpce mode "
               "names endpoints)")
        return
    live = _known_endpoints(inv)
    for vpce_id in extra:
        if vpce_id not in live:
            b.warn("extra_vpce_not_found", f"access.extra_vpce_ids: {vpce_id} is not a VPC endpoint of account "
                   f"{inv.account_id} in {inv.region} (discovery did not find it): fix the id, or keep it if it is "
                   "another account's endpoint")


def _known_endpoints(inv: Inventory) -> dict[str, str]:
    """Endpoint id -> service name of every endpoint discovery found (the VPC's, the zones' aliases, extra ids)."""
    return {e.id: e.service for e in (*inv.endpoints, *inv.alias_endpoints, *inv.extra_endpoints) if not e.gone}


def _check_vpce_list(b: _Builder, inv: Inventory, profile: Profile) -> None:
    """vpce mode admits only requests through the endpoints the policy lists. CreatePresignedDomainUrl goes through
    a SageMaker API endpoint, and AWS authorizes every request of the Studio app as that action too (API
    reference), through the Studio endpoint: a list without either admits nobody, which AWS never reports
    (review). Not said while an id in access.extra_vpce_ids is unknown (another account's, perhaps)."""
    access = profile.access
    found = _known_endpoints(inv)
    if any(v not in found for v in access.extra_vpce_ids):
        return
    listed = {found[v] for v in access.extra_vpce_ids}
    names = readiness_service_names(inv.region, inv.services)
    missing = [(key, what, names[name]) for key, name, what in (
        ("api", "sagemaker.api", "a SageMaker API endpoint, which CreatePresignedDomainUrl goes through"),
        ("studio", "studio", "a Studio endpoint, which the Studio app's own requests go through"))
        if not getattr(profile.endpoints, key) and names[name] not in listed]
    there = [f"{e.id} serves {e.service} in {profile.vpc_id}" for _, _, service in missing for e in inv.endpoints
             if e.service == service and e.vpc_id == profile.vpc_id and e.live]  # (trial 17: name it, one step)
    if missing:
        b.warn("vpce_endpoint_missing", "access.mode vpce admits only requests through the endpoints its policy "
               f"lists, and the list lacks {' and '.join(f'{what} ({service})' for _, what, service in missing)}: "
               f"Studio would not open for the attach targets; set {' and '.join(f'endpoints.{key}: true' for key, _, _ in missing)}, "
               "or name such an endpoint in access.extra_vpce_ids" + (f" ({'; '.join(there)})" if there else ""))


def _plan_identity(b: _Builder, inv: Inventory, profile: Profile, endpoint_ids: dict[str, str],
                   hands_off: bool = False) -> dict[str, Any] | None:
    """`hands_off`: the policy is another VPC's deployment's (profile_serves_other_vpc): no change to it."""
    access = profile.access
    existing = inv.policy
    _check_extra_vpce_ids(b, inv, profile)
    if access.mode == "none":
        if access.cidrs:  # (trial 14: said in every other mode without ranges, not in this one)
            b.warn("cidrs_unused", "access.cidrs is ignored in access.mode none")
        named = [f"{kind} {name}" for kind, names in (("user", access.attach.users), ("group", access.attach.groups),
                                                       ("role", access.attach.roles)) for name in names]
        if named:  # (a trial: saved with alice and bob, and read by a reviewer as restricting them)
            b.warn("attach_unused", f"access.attach is ignored in access.mode none (no policy is made, so nothing is "
                   f"attached to {', '.join(named[:5])}{' and more' if len(named) > 5 else ''})")
        if existing is not None and ours(existing.tags, profile.name) and not hands_off:
            for kind, names in (("user", existing.users), ("group", existing.groups), ("role", existing.roles)):
                for name in names:
                    b.change(f"iam_policy_attachment.{kind}.{name}", "delete", existing.arn, {"principal": name}, {},
                             "access.mode is none")
            b.change("iam_policy.access", "delete", existing.arn, {"name": existing.name}, {}, "access.mode is none")
        return None
    _check_cidrs(b, inv, profile)
    vpce_ids = [endpoint_ids[k] for k in ("studio", "api") if k in endpoint_ids] + list(access.extra_vpce_ids)
    if access.mode == "vpce" and not vpce_ids:
        b.error("vpce_ids_required", "access.mode vpce needs endpoints (endpoints.studio/api) or access.extra_vpce_ids")
    elif access.mode == "vpce":
        _check_vpce_list(b, inv, profile)
    document = policies.identity_policy_for(profile, partition=inv.partition, account=inv.account_id, vpce_ids=vpce_ids)
    assert document is not None
    for finding in policies.lint_identity_policy(document, access.resource_scope):
        b.error(finding.code, finding.message)
    after = {"name": profile.policy_name, "path": "/studio-vpce/", "document": document,
             "tags": policy_tags(profile)}
    serves = policy_region(existing) if existing is not None and ours(existing.tags, profile.name) else None
    said = policies.access_description(profile)
    if existing is not None and ours(existing.tags, profile.name) and existing.description and (
            existing.description != said):  # (after a change of mode or effect: trial 14)
        b.warn("policy_description_stale", f"{existing.name}'s Description still says \"{existing.description}\": "
               f"IAM never changes a policy's Description, so it will not say \"{said}\"; the document is as the "
               "profile says. To renew the text, destroy and apply again")
    if existing is not None and serves and serves != profile.region:
        b.error("policy_serves_other_region",
                f"IAM policy {existing.arn} serves profile {profile.name} in {serves}; IAM is global, so applying "
                f"this profile in {profile.region} would rewrite it for {profile.region} and break {serves}: give "
                "this profile another name, or set access.policy_name")
    if hands_off:
        return document
    if existing is not None and not ours(existing.tags, profile.name) and not _stack_policy(inv, profile):
        # Never adopted, as a security group of another's is not: apply rewrote its default version and attached
        # it, and destroy then left it, attachments included (a trial), with the owner's version no longer default.
        owner = dict(existing.tags).get(PROFILE_TAG)
        whose = (f"it is profile {owner}'s" if owner else
                 f"studio-vpce did not make it: it lacks the tag {PROFILE_TAG}={profile.name}")
        b.error("policy_not_ours", f"IAM policy {existing.arn} exists and {whose}; studio-vpce never takes over "
                "a policy: set access.policy_name to another name, or change that policy where it is managed (a "
                "stack made by `studio-vpce export`, say)")
        return document
    if existing is None and inv.policy_namesake:
        b.error("policy_name_taken", f"IAM policy {inv.policy_namesake} holds the name {profile.policy_name}: IAM "
                "names are unique in an account whatever their path, and not distinguished by case, so AWS would "
                "refuse to create this profile's policy (EntityAlreadyExists) after the endpoints were made; set "
                "access.policy_name to another name, or delete that policy")
    if existing is None:
        used, cap = dict(inv.quotas).get("policies"), dict(inv.quotas).get("policies_quota")
        if used is not None and cap is not None and used + 1 > cap:  # moto has no such limit
            b.error("policy_quota_exceeded", f"the account has {used} customer managed policies and its quota is "
                    f"{cap} (IAM: LimitExceeded): delete an unused policy or raise the quota, or set access.mode: "
                    "none")
        # The Description goes in with the policy only (IAM has no call that changes it)
        b.change("iam_policy.access", "create", None, {},
                 {**after, "description": policies.access_description(profile)}, policies.access_summary(profile))
    elif existing.document == document:
        b.change("iam_policy.access", "no-op", existing.arn, {**after}, after)
    else:
        if len(existing.versions) >= 5:
            oldest = next((v for v in existing.versions if not v.is_default), None)
            if oldest is not None:
                b.change(f"iam_policy_version.{oldest.id}", "delete", existing.arn, {"version": oldest.id}, {},
                         "a managed policy keeps at most 5 versions")
                b.warn("policy_versions_full", f"{existing.arn} has 5 versions: apply deletes the oldest "
                                               f"non-default version, {oldest.id}, before adding the new one")
        b.change("iam_policy.access", "update", existing.arn, {"document": existing.document}, after,
                 "new default version")
    _plan_attachments(b, inv, profile, existing)
    _check_restriction_holds(b, inv, profile, document)
    return document


def _check_restriction_holds(b: _Builder, inv: Inventory, profile: Profile, document: dict[str, Any]) -> None:
    """An Allow with a network condition restricts nothing for a target whose other policies already allow the
    action unconditionally (issue 12): name them. The deny guardrail holds against them, so with effect deny the
    local evaluator finds nothing to warn about."""
    for access in iam_eval.attach_target_access(inv, profile, document):
        if access.stopped_by_profile is False:
            grants = "; ".join(m.describe() for m in access.allowed_by) or "another policy"
            how = (f"from outside the boundary (a request with {iam_eval.describe_context(access.outside)})"
                   if access.outside else "without the condition")
            b.warn("restriction_ineffective", f"IAM {access.type} {access.name} can still open Studio from outside "
                   f"the network boundary after apply: {grants} allows sagemaker:CreatePresignedDomainUrl {how}. "
                   "Set access.effect: deny (a guardrail that holds against broader Allows), or remove that grant")
        elif access.stopped_by_profile is None and access.from_anywhere is not False:
            b.warn("restriction_unverified", f"IAM {access.type} {access.name}: cannot tell whether it can still open "
                   f"Studio from outside after apply ({access.note}); run `studio-vpce audit` (it asks AWS's policy "
                   "simulator), or set access.effect: deny")
    if profile.access.effect == "allow":  # (trial 18: a member's own grant went unseen; the deny guardrail,
        for group in profile.access.attach.groups:  # attached to the group, holds for its members whatever they hold)
            b.warn("group_members_unweighed", f"IAM group {group}: plan weighs the group's own policies, not those of "
                   "its members (their own policies and other groups), which may allow opening Studio from outside "
                   "whatever this policy says; run `studio-vpce audit` (it checks every user), or set "
                   "access.effect: deny (the guardrail holds for every member)")
    for principal, decision in iam_eval.remote_ide_targets(inv, profile, document):
        grants = "; ".join(m.describe() for m in decision.allowed_by) or "another policy"
        b.warn("remote_ide_open", f"IAM {principal.kind} {principal.name} can start remote IDE sessions into the "
               f"domain's spaces from outside (sagemaker:StartSession, allowed by {grants}), which this profile's "
               "policy does not cover: add a Deny on sagemaker:StartSession with the same network condition, or "
               "deny sagemaker:CreateSpace and sagemaker:UpdateSpace when sagemaker:RemoteAccess is ENABLED; "
               "`studio-vpce audit` lists everyone who can")


def _plan_attachments(b: _Builder, inv: Inventory, profile: Profile, existing) -> None:  # noqa: ANN001
    attach = profile.access.attach
    caller = inv.caller
    if not (attach.users or attach.groups or attach.roles):
        b.warn("no_attach_targets", "access.attach names no users, groups or roles: the policy restricts no one yet")
    for kind, names, attached in (("user", attach.users, existing.users if existing else ()),
                                  ("group", attach.groups, existing.groups if existing else ()),
                                  ("role", attach.roles, existing.roles if existing else ())):
        for name in names:
            address = f"iam_policy_attachment.{kind}.{name}"
            principal = inv.principal(kind, name)
            if principal is None:
                b.error("principal_not_found", str(validators.principal_exists(kind, name, False)))
                continue
            if name in attached:
                b.change(address, "no-op", existing.arn if existing else None, {"principal": name}, {"principal": name})
                continue
            quota = inv.quota(kind)
            if principal.attached_count is not None and principal.attached_count + 1 > quota:
                b.error("attach_quota_exceeded", f"IAM {kind} {name} already has {principal.attached_count} managed "
                        f"policies attached; the account's quota is {quota}: detach one or raise the quota")
            b.change(address, "create", existing.arn if existing else None, {}, {"principal": name, "kind": kind},
                     "restrict who opens Studio")
        for name in sorted(set(attached) - set(names)):
            b.change(f"iam_policy_attachment.{kind}.{name}", "delete", existing.arn if existing else None,
                     {"principal": name}, {}, "no longer in access.attach")
    for confirmation in confirmations(caller, profile):
        b.warn(confirmation.code, confirmation.warning)
        b.confirmations.append(confirmation.asked)


@dataclass(frozen=True)
class _Asked:
    code: str
    warning: str
    asked: Confirmation


def confirmations(caller: Caller, profile: Profile) -> list[_Asked]:
    """What applying `profile` as `caller` asks to confirm on its own (Plan.confirmations: the CLI's flags, the
    wizard's windows), with the plan's warning for each. The one home of the rule; the wizard asks it too, for the
    flags a replay command needs when it has no plan at hand."""
    out: list[_Asked] = []
    if validators.self_lockout(caller, profile.access.attach):
        where = modes.mode(profile.access.mode).where or "from inside the VPC"
        if profile.access.effect == "deny":
            loses = (f"after apply you can open Studio only {where}, whatever else allows you (the deny guardrail), "
                     "not from the console")
        else:
            loses = (f"after apply this policy lets you open Studio only {where}; unless another policy of yours "
                     "allows it unconditionally, you can no longer open it from the console")
        out.append(_Asked("self_lockout", f"you ({caller.arn}) are among the attach targets: {loses}; apply asks "
                          "for an explicit confirmation", Confirmation(
                              "self_lockout", f"You ({caller.arn}) are among the attach targets: {loses}. Go ahead?",
                              "--confirm-self-lockout")))
    return out


def plan_destroy(inventory: Inventory, profile: Profile) -> Plan:
    """Deletes for everything tagged as this profile's, in reverse apply order; nothing else."""
    b = _Builder()
    inv = inventory
    _check_target(b, inv, profile)
    policy = inv.policy
    elsewhere = other_vpcs(inv, profile)
    for vpc_id, ids in elsewhere.items():
        b.warn("left_alone", f"{', '.join(ids)} in {vpc_id} carry profile {profile.name}'s tags but serve another VPC "
                             f"than {profile.vpc_id}: left alone (destroy that VPC's profile to remove them)")
    if policy is not None:
        serves = policy_region(policy)
        other_vpc = policy_serves_other_vpc(inv, profile)
        if ours(policy.tags, profile.name) and serves and serves != profile.region:
            b.warn("left_alone", f"{policy.arn} serves profile {profile.name} in {serves}, not {profile.region}: "
                                 "left alone (destroy the profile there to remove it)")
        elif other_vpc is not None:
            b.warn("left_alone", f"{policy.arn}: {other_vpc}, not {profile.vpc_id}: left alone (destroy that VPC's "
                                 "profile to remove it)")
        elif ours(policy.tags, profile.name) or _stack_policy(inv, profile):  # (a CloudFormation stack's: named
            # in deployed_by_stack's refusal with the rest, not "left alone": trial 18)
            for kind, names in (("user", policy.users), ("group", policy.groups), ("role", policy.roles)):
                for name in names:
                    b.change(f"iam_policy_attachment.{kind}.{name}", "delete", policy.arn, {"principal": name}, {})
            b.change("iam_policy.access", "delete", policy.arn, {"name": policy.name}, {})
        else:
            b.warn("left_alone", f"{policy.arn} is not tagged as this profile's: left alone")
    mine = [e for e in inv.endpoints if ours(e.tags, profile.name) and e.vpc_id == profile.vpc_id]
    our_dns = {name.lower().rstrip("."): e.id for e in mine for name, _zone in e.dns_entries}
    their_dns = {name.lower().rstrip(".") for e in inv.endpoints if ours(e.tags, profile.name)
                 and e.vpc_id != profile.vpc_id for name, _zone in e.dns_entries}
    for zone in inv.hosted_zones:
        key = _zone_key(inv, profile, zone.name)
        if zone_is_ours(zone, inv, profile):
            if any(target.lower() in their_dns for _name, _type, target in zone.records):
                # Made by this name's deployment in another VPC (and associated with this one): that one's.
                b.warn("left_alone", f"hosted zone {zone.id} ({zone.name}) points at profile {profile.name}'s "
                                     "endpoints in another VPC: left alone")
                continue
            b.change(b.free(f"hosted_zone.{key}", zone.id), "delete", zone.id, {"name": zone.name}, {})
            continue
        # A reused zone stays; the records apply put in it would point at the endpoints deleted below.
        for name, record_type, target in zone.records:
            if target.lower() in our_dns:
                b.change(b.free(f"route53_record.{key}", name.rstrip(".")), "delete", zone.id,
                         {"name": name, "type": record_type, "alias_target": target}, {},
                         f"alias to {our_dns[target.lower()]}, which destroy deletes; the zone is not ours and stays",
                         outside=True)
    group = next((g for g in inv.security_groups if ours(g.tags, profile.name) and g.vpc_id == profile.vpc_id), None)
    for endpoint in inv.endpoints:
        key = next((k for k, s in service_names(profile, profile.region, inv.services).items() if s == endpoint.service),
                   endpoint.service.rsplit(".", 1)[-1])
        if endpoint.vpc_id != profile.vpc_id or endpoint.gone:
            continue  # another VPC's (left_alone above), or already gone
        if ours(endpoint.tags, profile.name):
            b.change(b.free(f"vpc_endpoint.{key}", endpoint.id), "delete", endpoint.id, _endpoint_gone(endpoint), {})
        elif group is not None and group.id in endpoint.security_group_ids:
            # A reused endpoint (apply added this profile's group to the groups it had): the endpoint stays, the
            # group comes off it, or AWS refuses to delete the group (trial 7: destroy was impossible).
            kept = [g for g in endpoint.security_group_ids if g != group.id]
            if not kept:  # an interface endpoint keeps at least one group: none of its own is left to keep
                b.error("security_group_in_use", f"{endpoint.id} ({endpoint.service}, not created by this profile) "
                        f"has no security group but {group.id}, which destroy deletes: add another group to it "
                        f"(`aws ec2 modify-vpc-endpoint --vpc-endpoint-id {endpoint.id} --add-security-group-ids "
                        "sg-...`), then destroy again")
                continue
            state = {"service_name": endpoint.service, "vpc_id": endpoint.vpc_id, "type": endpoint.type,
                     "subnet_ids": list(endpoint.subnet_ids), "private_dns_enabled": endpoint.private_dns,
                     "policy": endpoint.policy, "security_group_ids": list(endpoint.security_group_ids)}
            b.change(b.free(f"vpc_endpoint.{key}", endpoint.id), "update", endpoint.id, state,
                     {**state, "security_group_ids": kept},
                     f"it stays; {group.id}, this profile's group, comes off it; the endpoint policy, subnets and "
                     "private DNS setting apply gave it stay as they are (destroy undoes nothing on what it did not "
                     "create)", outside=True)  # (trial 16: said only of the group)
        else:
            b.warn("left_alone", f"{endpoint.id} ({endpoint.service}) was not created by this profile: left alone")
    if group is not None:
        b.change("security_group.endpoints", "delete", group.id, {"name": group.name, "vpc_id": group.vpc_id}, {})
    vpc = inv.vpc(profile.vpc_id)
    if b.changes and profile.dns.fix_vpc_attributes and vpc is not None and (vpc.dns_support or vpc.dns_hostnames):
        # The VPC is not the tool's: what apply turned on stays on (a trial: destroy's output never said so).
        on = " and ".join(name for name, value in (("enableDnsSupport", vpc.dns_support),
                                                   ("enableDnsHostnames", vpc.dns_hostnames)) if value)
        b.warn("left_alone", f"{vpc.id} keeps {on} on (dns.fix_vpc_attributes may have turned them on): destroy "
               "does not turn a VPC's attributes off; `aws ec2 modify-vpc-attribute` does, if nothing else needs them")
    _refuse_stack_changes(b, inv, profile, destroy=True)
    return Plan(profile=profile, account_id=inv.account_id, region=inv.region, partition=inv.partition,
                changes=tuple(b.changes), endpoint_policies={}, identity_policy=None, warnings=tuple(b.warnings),
                errors=tuple(b.errors), fingerprint=fingerprint(inv), caller_arn=inv.caller.arn, demo=inv.demo)
