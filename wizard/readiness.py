"""VpcOnly readiness and Studio security group lint: what breaks Studio that the AWS guide does not cover.

Pure: (Inventory, Profile) -> findings, each with the symptom users see and the fix, about the account as it
will be after apply: what the profile plans counts, and its own endpoints that the plan deletes do not.
"""

from __future__ import annotations

from wizard.models import Endpoint, Finding, Inventory, Profile, Rule, SecurityGroupInfo
from wizard.names import GATEWAY_KEYS, PROFILE_TAG, readiness_service_names, zone_and_record

# key -> (symptom without it, required?)
NEEDS = {
    "studio": ("Studio does not open from inside the VPC", True),
    "sagemaker.api": ("CreatePresignedDomainUrl and every SageMaker API call from Studio time out", True),
    "sagemaker.runtime": ("invoking SageMaker endpoints from notebooks times out", True),
    "sts": ("Studio shows \"STS Permission Error\" and the SDK cannot get credentials", True),
    "logs": ("kernels hang at \"Starting\" and apps write no CloudWatch logs", True),
    "s3": ("\"Artifact upload failed\": notebooks cannot read or write S3", True),
    "servicecatalog": ("SageMaker Projects (MLOps templates) do not load", False),
    "ecr.api": ("custom images cannot be pulled", False),
    "ecr.dkr": ("custom images cannot be pulled", False),
    "monitoring": ("CloudWatch metrics are not published", False),
    "kms": ("KMS-encrypted volumes and artifacts cannot be used", False),
}
_PROFILE_KEYS = {"studio": "studio", "sagemaker.api": "api"}


def _covers(rule: Rule, protocol: str, low: int, high: int, source: str) -> bool:
    if rule.source != source and rule.source not in ("0.0.0.0/0", "::/0"):
        return False
    if rule.protocol in ("-1", "all"):
        return True
    return rule.protocol == protocol and rule.from_port <= low and high <= rule.to_port


def report(inv: Inventory, profile: Profile) -> list[Finding]:
    domain = inv.domain(profile.domain_id)
    if domain is None or domain.network_mode != "VpcOnly":
        return []  # PublicInternetOnly: Studio apps reach AWS services over the internet
    out: list[Finding] = []
    names = readiness_service_names(inv.region, inv.services)
    tables = [t for t in inv.route_tables if t.main or set(t.subnet_ids) & set(domain.subnet_ids)]
    nat = bool(tables) and all(t.nat for t in tables)
    # What the plan makes resolvable: private DNS on each endpoint, or (hosted-zone mode) a zone per endpoint.
    planned = {k for k in profile.endpoints.extra} | {k for k, p in _PROFILE_KEYS.items() if getattr(profile.endpoints, p)}
    for key, (symptom, required) in NEEDS.items():
        if key in planned or not required or nat:
            continue
        # this profile's own endpoint for a service it no longer asks for is deleted by the plan: it counts not
        endpoints = [e for e in inv.endpoints if e.vpc_id == profile.vpc_id and e.service == names[key] and e.live
                     and e.tag_map.get(PROFILE_TAG) != profile.name]
        if endpoints and (key in GATEWAY_KEYS or any(_resolves(inv, key, e) for e in endpoints)):
            continue
        if endpoints:
            name = zone_and_record(key, inv.region, inv.dns_suffix, inv.services)[1]
            out.append(Finding(f"readiness_{key.replace('.', '_')}_unresolvable",
                               f"VpcOnly domain {domain.id}: {endpoints[0].id} ({names[key]}) exists but {name} does "
                               f"not resolve to it (private DNS off and no private hosted zone for it in "
                               f"{profile.vpc_id}) and there is no NAT route: {symptom}; add {key} to endpoints.extra "
                               "(the tool turns its private DNS on, or gives it a zone in hosted-zone mode)"))
            continue
        fix = f"add {key} to endpoints.extra" if key not in _PROFILE_KEYS else f"set endpoints.{_PROFILE_KEYS[key]}: true"
        out.append(Finding(f"readiness_{key.replace('.', '_')}",
                           f"VpcOnly domain {domain.id} has no {names[key]} endpoint and no NAT route: {symptom}; "
                           f"{fix}" + (" (a gateway on the domain subnets' route tables)" if key == "s3" else "")))
    endpoint_group = profile.security_group.id or next(
        (g.id for g in inv.security_groups if g.name == f"studio-vpce-{profile.name}"), None)
    for sg_id in domain.security_group_ids:
        group = inv.security_group(sg_id)
        if group is not None:
            out += lint_studio_group(group, endpoint_group)
    return out


def _resolves(inv: Inventory, key: str, endpoint: Endpoint) -> bool:
    """Does the service's name resolve to this endpoint inside the VPC? Private DNS on, or an alias record in a
    private hosted zone associated with the VPC (a zone another account owns is taken on trust: hub-and-spoke)."""
    if endpoint.private_dns:
        return True
    zone_name, record_name = zone_and_record(key, inv.region, inv.dns_suffix, inv.services)
    targets = {name.lower() for name, _ in endpoint.dns_entries}
    for zone in inv.hosted_zones:
        if zone.name != zone_name:
            continue
        if zone.foreign or any(name == record_name and target in targets for name, _type, target in zone.records):
            return True
    return False


def lint_studio_group(group: SecurityGroupInfo, endpoint_group: str | None) -> list[Finding]:
    """The rules a VpcOnly Studio group needs (AWS's 'Connect Studio notebooks in a VPC' page)."""
    out = []
    rule_add = f"aws ec2 authorize-security-group-ingress --group-id {group.id} --protocol tcp"
    if not any(_covers(r, "tcp", 2049, 2049, group.id) for r in group.ingress):
        out.append(Finding("studio_sg_nfs", f"{group.id} does not admit NFS (TCP 2049) from itself: apps cannot mount "
                                            f"the domain's EFS home; add it with `{rule_add} --port 2049 "
                                            f"--source-group {group.id}`"))
    if not any(_covers(r, "tcp", 8192, 65535, group.id) for r in group.ingress):
        out.append(Finding("studio_sg_apps", f"{group.id} does not admit TCP 8192-65535 from itself: Jupyter and "
                                             f"kernel gateway apps never launch; add it with `{rule_add} "
                                             f"--port 8192-65535 --source-group {group.id}`"))
    target = endpoint_group or "the endpoint security group"
    if not any(_covers(r, "tcp", 443, 443, endpoint_group or "") for r in group.egress):
        out.append(Finding("studio_sg_egress_443", f"{group.id} allows no HTTPS (443) out to {target}: Studio cannot "
                           f"reach the endpoints; add it with `aws ec2 authorize-security-group-egress --group-id "
                           f"{group.id} --protocol tcp --port 443 --source-group {target}`"))
    return out
