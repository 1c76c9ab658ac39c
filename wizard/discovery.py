"""Cloud -> Inventory. Two readers:

- `discover`: the whole account for the wizard and `discover` (calls grow with result pages, not with VPCs);
- `observe`: only what a profile names, with filters, for `plan` (a fixed handful of calls however large
  the account is).
"""

from __future__ import annotations

import dataclasses
import json
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote

from wizard import names as aws_names
from wizard.cloud import Cloud
from wizard.errors import AwsError
from wizard.iam_read import read_targets
from wizard.models import (
    Caller,
    Domain,
    Endpoint,
    Finding,
    HostedZone,
    Inventory,
    ManagedPolicy,
    PolicyVersion,
    Principal,
    PrincipalPolicies,
    Profile,
    RouteTable,
    Rule,
    SecurityGroupInfo,
    Service,
    Subnet,
    Vpc,
)
from wizard.names import (
    MANAGED_BY,
    POLICY_PATH,
    PROFILE_TAG,
    api_service,
    decode_dns_name,
    hosted_zone_names,
    readiness_service_names,
    service_names,
    studio_service,
)

# Re-exported: names live in the pure module wizard.names (the planner imports them without boto3).
__all__ = ["MANAGED_BY", "POLICY_PATH", "PROFILE_TAG", "api_service", "discover", "hosted_zone_names", "observe",
           "policy_arn", "readiness_service_names", "refresh_vpc", "service_names", "studio_service"]


# ---------------------------------------------------------------- raw AWS shapes -> models

def _tags(raw: list[dict[str, str]] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((t["Key"], t["Value"]) for t in raw or []))


def _name(raw: dict[str, Any]) -> str:
    return dict(_tags(raw.get("Tags"))).get("Name", "")


def _subnet(raw: dict[str, Any]) -> Subnet:
    return Subnet(id=raw["SubnetId"], vpc_id=raw["VpcId"], cidr=raw["CidrBlock"], az=raw["AvailabilityZone"],
                  az_id=raw.get("AvailabilityZoneId"), free_ips=raw.get("AvailableIpAddressCount", 0),
                  name=_name(raw))


def _vpc(raw: dict[str, Any], subnets: list[Subnet], dns: tuple[bool | None, bool | None] = (None, None)) -> Vpc:
    cidrs = [a["CidrBlock"] for a in raw.get("CidrBlockAssociationSet", [])
             if a.get("CidrBlockState", {}).get("State", "associated") == "associated"] or [raw["CidrBlock"]]
    cidrs += [a["Ipv6CidrBlock"] for a in raw.get("Ipv6CidrBlockAssociationSet", [])  # aws:VpcSourceIp takes IPv6
              if a.get("Ipv6CidrBlock") and a.get("Ipv6CidrBlockState", {}).get("State", "associated") == "associated"]
    return Vpc(id=raw["VpcId"], cidrs=tuple(cidrs), name=_name(raw), is_default=raw.get("IsDefault", False),
               dns_support=dns[0], dns_hostnames=dns[1],
               subnets=tuple(sorted((s for s in subnets if s.vpc_id == raw["VpcId"]), key=lambda s: (s.az, s.id))))


def _policy_doc(raw: Any) -> dict[str, Any] | None:
    if not raw:
        return None
    if isinstance(raw, dict):
        return raw
    try:
        return json.loads(unquote(raw) if raw.startswith("%7B") else raw)
    except ValueError:
        return {"_unparsed": raw}


def _endpoint(raw: dict[str, Any]) -> Endpoint:
    last_error = raw.get("LastError") or {}
    return Endpoint(
        id=raw["VpcEndpointId"], vpc_id=raw["VpcId"], service=raw["ServiceName"],
        type=raw.get("VpcEndpointType", "Interface"), state=str(raw.get("State", "")).lower(),
        subnet_ids=tuple(sorted(raw.get("SubnetIds", []))),
        security_group_ids=tuple(sorted(g["GroupId"] for g in raw.get("Groups", []))),
        private_dns=bool(raw.get("PrivateDnsEnabled", False)), policy=_policy_doc(raw.get("PolicyDocument")),
        tags=_tags(raw.get("Tags")),
        dns_entries=tuple((e.get("DnsName", ""), e.get("HostedZoneId", ""))
                          for e in aws_names.regional_first(raw.get("DnsEntries", []))),
        last_error=f"{last_error.get('Code', '')}: {last_error.get('Message', '')}" if last_error else "")


def _rule_sources(perm: dict[str, Any]) -> list[str]:
    return ([p["GroupId"] for p in perm.get("UserIdGroupPairs", [])] + [r["CidrIp"] for r in perm.get("IpRanges", [])]
            + [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", [])]
            + [r["PrefixListId"] for r in perm.get("PrefixListIds", []) if r.get("PrefixListId")])


def _rules(permissions: list[dict[str, Any]]) -> tuple[Rule, ...]:
    rules = [Rule(protocol=str(perm.get("IpProtocol", "-1")), from_port=int(perm.get("FromPort", -1)),
                  to_port=int(perm.get("ToPort", -1)), source=source)
             for perm in permissions for source in _rule_sources(perm)]
    return tuple(sorted(rules, key=lambda r: (r.source, r.protocol, r.from_port)))


def _security_group(raw: dict[str, Any]) -> SecurityGroupInfo:
    return SecurityGroupInfo(id=raw["GroupId"], name=raw.get("GroupName", ""), vpc_id=raw.get("VpcId", ""),
                             tags=_tags(raw.get("Tags")), ingress=_rules(raw.get("IpPermissions", [])),
                             egress=_rules(raw.get("IpPermissionsEgress", [])))


def _route_table(raw: dict[str, Any]) -> RouteTable:
    associations = raw.get("Associations", [])
    routes = raw.get("Routes", [])
    return RouteTable(
        id=raw["RouteTableId"], subnet_ids=tuple(sorted(a["SubnetId"] for a in associations if a.get("SubnetId"))),
        main=any(a.get("Main") for a in associations),
        nat=any(r.get("DestinationCidrBlock") == "0.0.0.0/0" and (r.get("NatGatewayId") or r.get("InstanceId"))
                for r in routes),
        gateway_endpoints=tuple(sorted(r["GatewayId"] for r in routes if str(r.get("GatewayId", "")).startswith("vpce-"))))


def _service(raw: dict[str, Any]) -> Service:
    ids = raw.get("AvailabilityZoneIds")
    return Service(name=raw["ServiceName"], azs=tuple(sorted(raw.get("AvailabilityZones", []))),
                   az_ids=tuple(sorted(ids)) if ids else None, private_dns_name=raw.get("PrivateDnsName", ""),
                   types=tuple(sorted(t["ServiceType"] for t in raw.get("ServiceType", []))))


def _domain(raw: dict[str, Any]) -> Domain:
    groups: list[str] = list(raw.get("DomainSettings", {}).get("SecurityGroupIds", []))
    groups += raw.get("DefaultUserSettings", {}).get("SecurityGroups", [])
    groups += raw.get("DefaultSpaceSettings", {}).get("SecurityGroups", [])
    return Domain(id=raw["DomainId"], name=raw.get("DomainName", ""), vpc_id=raw.get("VpcId", ""),
                  subnet_ids=tuple(sorted(raw.get("SubnetIds", []))), auth_mode=raw.get("AuthMode", "IAM"),
                  network_mode=raw.get("AppNetworkAccessType", "PublicInternetOnly"),
                  security_group_ids=tuple(sorted(set(groups))), status=raw.get("Status", ""))


def _caller(cloud: Cloud) -> tuple[Caller, str]:
    ident = cloud.call("sts", "get_caller_identity")
    arn = ident["Arn"]
    partition = arn.split(":")[1]
    resource = arn.split(":", 5)[5]
    kind, name = "other", resource
    if resource.startswith("user/"):
        kind, name = "user", resource.rsplit("/", 1)[-1]
    elif resource.startswith("assumed-role/"):
        kind, name = "assumed-role", resource.split("/")[1]
    elif resource == "root":
        kind = "root"
    groups: tuple[str, ...] = ()
    if kind == "user":  # for the self-lockout check
        try:
            groups = tuple(sorted(g["GroupName"] for g in cloud.pages("iam", "list_groups_for_user", "Groups",
                                                                        UserName=name)))
        except AwsError as exc:
            if exc.code not in ("NoSuchEntity", "AccessDenied"):
                raise
    return Caller(account_id=ident["Account"], arn=arn, kind=kind, name=name, groups=groups), partition


def _filters(**values: list[str]) -> list[dict[str, Any]]:
    return [{"Name": k.replace("_", "-").replace("tag-", "tag:"), "Values": v} for k, v in values.items()]


def _dns_attributes(cloud: Cloud, vpc_id: str) -> tuple[bool, bool]:
    support = cloud.call("ec2", "describe_vpc_attribute", VpcId=vpc_id, Attribute="enableDnsSupport")
    hostnames = cloud.call("ec2", "describe_vpc_attribute", VpcId=vpc_id, Attribute="enableDnsHostnames")
    return support["EnableDnsSupport"]["Value"], hostnames["EnableDnsHostnames"]["Value"]


def _dns_attributes_of(cloud: Cloud, vpc_ids: list[str]) -> dict[str, tuple[bool, bool]]:
    """Two DescribeVpcAttribute calls per VPC (AWS has no batch form), run concurrently when there are many."""
    if len(vpc_ids) <= 1:
        return {v: _dns_attributes(cloud, v) for v in vpc_ids}
    cloud.client("ec2")  # client creation is not thread-safe: do it here, once
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(vpc_ids, pool.map(lambda v: _dns_attributes(cloud, v), vpc_ids)))


def _services(cloud: Cloud, keys: list[str]) -> list[Service]:
    """The endpoint services for these keys (studio, api, sts, ...), matched by name suffix.

    First one call with the usual names; if one is unknown (AWS then rejects the whole call) or another
    partition names it differently (China: cn.com.amazonaws.<region>.sagemaker.api), list every service and
    match by suffix, as Terraform's aws_vpc_endpoint_service data source does.
    """
    if not keys:
        return []
    region = cloud.region
    guesses = sorted({aws_names.default_service_name(k, region) for k in keys})
    try:
        raw = cloud.pages("ec2", "describe_vpc_endpoint_services", "ServiceDetails", ServiceNames=guesses)
    except AwsError as exc:
        if exc.code != "InvalidServiceName":
            raise
        raw = []
    found = [_service(s) for s in raw]
    if any(aws_names.match_service(found, region, k) is None for k in keys):
        found = [_service(s) for s in cloud.pages("ec2", "describe_vpc_endpoint_services", "ServiceDetails")]
    wanted = {m.name for k in keys if (m := aws_names.match_service(found, region, k)) is not None}
    return [s for s in found if s.name in wanted]


def _quotas(cloud: Cloud) -> tuple[tuple[str, int], ...]:
    summary = cloud.call("iam", "get_account_summary")["SummaryMap"]
    return (("user", summary.get("AttachedPoliciesPerUserQuota", 10)),
            ("group", summary.get("AttachedPoliciesPerGroupQuota", 10)),
            ("role", summary.get("AttachedPoliciesPerRoleQuota", 10)),
            *((("policies", summary["Policies"]), ("policies_quota", summary["PoliciesQuota"]))
              if "Policies" in summary and "PoliciesQuota" in summary else ()))


# ---------------------------------------------------------------- full discovery

# EC2 meters describe calls per account (a bucket of about 100, refilled at about 20 a second): the `discover`
# command reads DNS attributes (two calls per VPC, no batch form) for the domains' VPCs, the default VPC and up
# to this many in all; the others show "?" and a line saying so.
DNS_READ_LIMIT = 100


def discover(cloud: Cloud, with_principals: bool = True, dns_for_every_vpc: bool = False) -> Inventory:
    """The whole account as the wizard and `discover` show it.

    `dns_for_every_vpc` reads every VPC's DNS attributes (the `discover` command shows them all); else only
    where a Studio domain lives, which keeps the wizard's first discovery short in accounts with many VPCs.
    """
    caller, partition = _caller(cloud)
    # Modest pages: a huge response is parsed in one go, and would hold up a UI sharing the process.
    page = {"PaginationConfig": {"PageSize": 250}}
    subnets = [_subnet(s) for s in cloud.pages("ec2", "describe_subnets", "Subnets", **page)]
    raw_vpcs = cloud.pages("ec2", "describe_vpcs", "Vpcs", **page)
    domains = [_domain(cloud.call("sagemaker", "describe_domain", DomainId=d["DomainId"]))
               for d in cloud.pages("sagemaker", "list_domains", "Domains")]
    # DNS attributes cost two calls per VPC: read them only where a Studio domain lives; the wizard reads
    # the chosen VPC's on demand (refresh_vpc).
    wanted = {d.vpc_id for d in domains if d.vpc_id}
    if dns_for_every_vpc:  # up to DNS_READ_LIMIT VPCs: beyond, 2 calls each would run into EC2's request limits
        wanted |= {v["VpcId"] for v in sorted(raw_vpcs, key=lambda v: (not v.get("IsDefault"), v["VpcId"]))
                   [:DNS_READ_LIMIT]}
    dns_vpcs = sorted(wanted)
    dns = _dns_attributes_of(cloud, dns_vpcs)
    vpcs = [_vpc(v, subnets, dns.get(v["VpcId"], (None, None))) for v in raw_vpcs]
    # AWS lists deleted endpoints for a while: they are gone, not counted or shown.
    endpoints = [e for e in (_endpoint(r) for r in cloud.pages("ec2", "describe_vpc_endpoints", "VpcEndpoints", **page))
                 if not e.gone]
    groups = [_security_group(g) for g in cloud.pages("ec2", "describe_security_groups", "SecurityGroups", **page)]
    services = _services(cloud, ["studio", "api"])
    principals: list[Principal] = []
    if with_principals:
        principals += [Principal("user", u["UserName"]) for u in cloud.pages("iam", "list_users", "Users")]
        principals += [Principal("group", g["GroupName"]) for g in cloud.pages("iam", "list_groups", "Groups")]
        principals += [Principal("role", r["RoleName"]) for r in cloud.pages("iam", "list_roles", "Roles", **page)]
    return Inventory(account_id=caller.account_id, region=cloud.region, partition=partition, caller=caller,
                     vpcs=tuple(sorted(vpcs, key=lambda v: v.id)), domains=tuple(sorted(domains, key=lambda d: d.id)),
                     endpoints=tuple(sorted(endpoints, key=lambda e: e.id)),
                     security_groups=tuple(sorted(groups, key=lambda g: g.id)), services=tuple(services),
                     principals=tuple(principals), demo=cloud.demo, dns_suffix=cloud.dns_suffix)


def refresh_vpc(cloud: Cloud, vpc: Vpc) -> Vpc:
    """Fill in one VPC's DNS attributes (the wizard calls this for the chosen VPC)."""
    support, hostnames = _dns_attributes(cloud, vpc.id)
    return Vpc(**{**vpc.__dict__, "dns_support": support, "dns_hostnames": hostnames})


# ---------------------------------------------------------------- targeted observation for plan/apply

def observe(cloud: Cloud, profile: Profile) -> Inventory:
    """Read exactly what `profile` names. The number of calls does not grow with the account's size.

    Independent reads run concurrently (a plan costs about one round of calls, not twenty in a row).
    """
    for service in ("sts", "ec2", "sagemaker", "route53", "iam"):
        cloud.client(service)  # client creation is not thread-safe: do it here, once
    vpc_ids = [profile.vpc_id, *profile.dns.associate_vpc_ids]
    keys = list(dict.fromkeys([*aws_names.profile_keys(profile), "studio", *aws_names.READINESS_SERVICES]))
    dns_suffix = cloud.dns_suffix
    with ThreadPoolExecutor(max_workers=8) as pool:
        caller_f = pool.submit(_caller, cloud)
        network_f = pool.submit(_observe_network, cloud, profile, vpc_ids)
        domains_f = pool.submit(_observe_domain, cloud, profile)
        services_f = pool.submit(_services, cloud, keys)
        endpoints_f = pool.submit(_observe_endpoints, cloud, profile)
        zone_list_f = pool.submit(cloud.pages, "route53", "list_hosted_zones_by_vpc", "HostedZoneSummaries",
                                  VPCId=profile.vpc_id, VPCRegion=cloud.region)
        tables_f = pool.submit(cloud.pages, "ec2", "describe_route_tables", "RouteTables",
                               Filters=_filters(vpc_id=[profile.vpc_id]))
        principals_f = pool.submit(_observe_principals, cloud, profile)
        associated_f = (pool.submit(_observe_associated_vpcs, cloud, profile.dns.associate_vpc_ids)
                        if profile.dns.associate_vpc_ids else None)
        domains, notes = domains_f.result()
        groups_f = pool.submit(_observe_groups, cloud, profile, domains)
        caller, partition = caller_f.result()
        policy_f = pool.submit(_observe_policy_or_namesake, cloud, profile, caller.account_id, partition)
        principals, principal_policies = principals_f.result()
        # the attach quotas (for the targets) and the account's customer managed policy quota (for a new policy)
        quotas_f = pool.submit(_quotas, cloud) if principals or profile.access.mode != "none" else None
        vpcs, subnets = network_f.result()
        endpoints, services = endpoints_f.result(), services_f.result()
        wanted_zones = {aws_names.zone_and_record(k, cloud.region, dns_suffix, services)[0]
                        for k in keys if k not in aws_names.GATEWAY_KEYS}
        zones = _observe_zones(cloud, pool, zone_list_f.result(), wanted_zones, caller.account_id)
        alias_endpoints = _alias_endpoints(cloud, zones, endpoints)
        # vpce mode: access.extra_vpce_ids that are not the VPC's (another VPC's, or none: the plan warns)
        known = {e.id for e in (*endpoints, *alias_endpoints)}
        extra_endpoints = _endpoints_by_id(cloud, [v for v in profile.access.extra_vpce_ids if v not in known]) \
            if profile.access.mode == "vpce" else []
        associated_zones, associated_endpoints = associated_f.result() if associated_f else ([], [])
        route_tables = [_route_table(r) for r in tables_f.result()]
        groups, (policy, namesake) = groups_f.result(), policy_f.result()
        quotas = quotas_f.result() if quotas_f else Inventory.quotas
    return Inventory(
        account_id=caller.account_id, region=cloud.region, partition=partition, caller=caller,
        vpcs=tuple(sorted(vpcs, key=lambda v: v.id)), domains=tuple(domains),
        endpoints=tuple(sorted(endpoints, key=lambda e: e.id)), security_groups=tuple(sorted(groups, key=lambda g: g.id)),
        services=tuple(sorted(services, key=lambda s: s.name)), hosted_zones=tuple(zones), policy=policy,
        principals=tuple(principals), quotas=quotas, demo=cloud.demo, principal_policies=tuple(principal_policies),
        dns_suffix=dns_suffix, notes=tuple(notes), alias_endpoints=tuple(alias_endpoints), policy_namesake=namesake,
        extra_endpoints=tuple(extra_endpoints),
        associated_zones=tuple(associated_zones), associated_endpoints=tuple(associated_endpoints),
        other_subnets=tuple(sorted((s for s in subnets if s.vpc_id not in vpc_ids), key=lambda s: s.id)),
        route_tables=tuple(sorted(route_tables, key=lambda r: r.id)))


def _observe_network(cloud: Cloud, profile: Profile, vpc_ids: list[str]) -> tuple[list[Vpc], list[Subnet]]:
    raw_vpcs = cloud.pages("ec2", "describe_vpcs", "Vpcs", Filters=_filters(vpc_id=vpc_ids))
    subnets = [_subnet(s) for s in cloud.pages("ec2", "describe_subnets", "Subnets",
                                               Filters=_filters(subnet_id=list(profile.subnet_ids)))
               ] if profile.subnet_ids else []
    # The profile's VPC, and those of dns.associate_vpc_ids: a private hosted zone resolves in a VPC only with
    # both DNS attributes on
    dns = {v["VpcId"]: _dns_attributes(cloud, v["VpcId"]) for v in raw_vpcs
           if v["VpcId"] == profile.vpc_id or v["VpcId"] in profile.dns.associate_vpc_ids}
    return [_vpc(v, subnets, dns.get(v["VpcId"], (None, None))) for v in raw_vpcs], subnets


def _observe_domain(cloud: Cloud, profile: Profile) -> tuple[list[Domain], list[Finding]]:
    try:
        domain = _domain(cloud.call("sagemaker", "describe_domain", DomainId=profile.domain_id))
    except AwsError as exc:
        if exc.code not in ("ResourceNotFound", "ValidationException"):
            raise
        return [], []
    groups, names, spaces, notes = _user_profile_groups(cloud, domain.id)
    domain = dataclasses.replace(domain, security_group_ids=tuple(sorted({*domain.security_group_ids, *groups})),
                                 user_profiles=tuple(names), spaces=tuple(spaces))
    return [domain], notes


def _user_profile_groups(cloud: Cloud, domain_id: str) -> tuple[set[str], list[str], list[str], list[Finding]]:
    """The security groups set per user profile (UserSettings.SecurityGroups): Studio's apps for that user run
    with them, so the endpoints must admit them too, not only the domain's defaults.

    Spaces: SpaceSettings carries no security groups in SageMaker's API; a private space's apps run with its
    owner's user-profile groups, a shared space's with the domain's DefaultSpaceSettings (read with the domain).
    ListSpaces names the owners, so an owner missing from ListUserProfiles is described too.
    """
    try:
        profiles = cloud.pages("sagemaker", "list_user_profiles", "UserProfiles", DomainIdEquals=domain_id)
        spaces = cloud.pages("sagemaker", "list_spaces", "Spaces", DomainIdEquals=domain_id)
    except AwsError as exc:
        why = ("this endpoint does not implement ListUserProfiles/ListSpaces; the demo sandbox has no Studio user "
               "profiles" if exc.code in ("NotImplemented", "500", "InternalFailure") else exc.code)
        return set(), [], [], [Finding("studio_user_profiles_unread", f"could not list the user profiles and spaces of "
                               f"{domain_id} ({why}): security groups set per user profile are not admitted on 443; "
                               "grant sagemaker:ListUserProfiles, ListSpaces and DescribeUserProfile, or list those "
                               "groups in security_group.allow_from_security_groups")]
    names = sorted({p["UserProfileName"] for p in profiles} | {
        owner for space in spaces if (owner := (space.get("OwnershipSettingsSummary") or {}).get("OwnerUserProfileName"))})

    def groups_of(name: str) -> list[str]:
        try:
            raw = cloud.call("sagemaker", "describe_user_profile", DomainId=domain_id, UserProfileName=name)
        except AwsError as exc:
            if exc.code in ("ResourceNotFound", "ValidationException"):
                return []  # deleted since it was listed
            raise
        return list((raw.get("UserSettings") or {}).get("SecurityGroups", []))

    space_names = sorted({space["SpaceName"] for space in spaces if space.get("SpaceName")})
    with ThreadPoolExecutor(max_workers=8) as pool:  # one call per user profile: in parallel
        return {g for found in pool.map(groups_of, names) for g in found}, names, space_names, []


def _observe_endpoints(cloud: Cloud, profile: Profile) -> list[Endpoint]:
    # Every endpoint in the VPC (at most a few dozen: AWS allows 50 interface endpoints per VPC by default), for
    # reuse, the readiness report and the quota check; plus those tagged with this profile name in any VPC of the
    # region (DescribeVpcEndpoints' tag:<key> filter): the planner refuses a name deployed in another VPC, and
    # plan, apply and destroy leave that VPC's endpoints alone. Deleted ones (AWS lists them a while) are gone.
    raw = {e["VpcEndpointId"]: e for e in cloud.pages(
        "ec2", "describe_vpc_endpoints", "VpcEndpoints", Filters=_filters(vpc_id=[profile.vpc_id]))}
    raw.update({e["VpcEndpointId"]: e for e in cloud.pages(
        "ec2", "describe_vpc_endpoints", "VpcEndpoints", Filters=_filters(**{"tag-" + PROFILE_TAG: [profile.name]}))})
    return [e for e in (_endpoint(r) for r in raw.values()) if not e.gone]


def _observe_groups(cloud: Cloud, profile: Profile, domains: list[Domain]) -> list[SecurityGroupInfo]:
    sg_ids = sorted({*profile.security_group.allow_from_security_groups,
                     *([profile.security_group.id] if profile.security_group.id else []),
                     *(sg for d in domains for sg in d.security_group_ids)})
    raw = {g["GroupId"]: g for g in cloud.pages(
        "ec2", "describe_security_groups", "SecurityGroups",
        Filters=_filters(vpc_id=[profile.vpc_id], group_name=[f"studio-vpce-{profile.name}"]))}
    if sg_ids:
        raw.update({g["GroupId"]: g for g in cloud.pages(
            "ec2", "describe_security_groups", "SecurityGroups", Filters=_filters(group_id=sg_ids))})
    # Every studio-vpce profile's group in the region, in one call (one per profile), of which: this profile
    # name's in any VPC (one in another VPC is that deployment's, never touched), and other profiles' in this
    # VPC (one on an endpoint this profile would reuse: that profile reuses it already, and the planner refuses).
    raw.update({g["GroupId"]: g for g in cloud.pages(
        "ec2", "describe_security_groups", "SecurityGroups", Filters=[{"Name": "tag-key", "Values": [PROFILE_TAG]}])
        if g.get("VpcId") == profile.vpc_id or any(t.get("Key") == PROFILE_TAG and t.get("Value") == profile.name
                                                   for t in g.get("Tags") or [])})
    return [_security_group(g) for g in raw.values()]


def _observe_zones(cloud: Cloud, pool: ThreadPoolExecutor, summaries: list[dict[str, Any]], wanted: set[str],
                   account_id: str) -> list[HostedZone]:
    """The private hosted zones associated with the VPC whose names the tool cares about.

    ListHostedZonesByVPC lists zones "regardless of which AWS account owns" them (hub-and-spoke DNS): a zone
    another account or an AWS service owns is kept with its owner, and its tags and records are not read
    (they belong to that account; reading them fails). Names come back with \\ooo escapes: decoded.
    """
    ours, foreign = [], []
    for summary in summaries:
        name = decode_dns_name(summary["Name"])
        if name not in wanted:
            continue
        owner = summary.get("Owner") or {}
        zone_id = summary["HostedZoneId"].split("/")[-1]
        if owner.get("OwningService") or (owner.get("OwningAccount") and owner["OwningAccount"] != account_id):
            foreign.append(HostedZone(id=zone_id, name=name, vpc_ids=(), owner_account=owner.get("OwningAccount", ""),
                                      owning_service=owner.get("OwningService", "")))
        else:
            ours.append(pool.submit(_read_zone, cloud, zone_id, name))
    return sorted([f.result() for f in ours] + foreign, key=lambda z: (z.name, z.id))


def _observe_associated_vpcs(cloud: Cloud, vpc_ids: list[str]) -> tuple[list[HostedZone], list[Endpoint]]:
    """What the VPCs of dns.associate_vpc_ids already resolve privately: the zones associated with each (by any
    account or service; names only) and the endpoints in them (one ListHostedZonesByVPC per VPC, one
    DescribeVpcEndpoints for all)."""
    zones = []
    for vpc_id in vpc_ids:
        for summary in cloud.pages("route53", "list_hosted_zones_by_vpc", "HostedZoneSummaries", VPCId=vpc_id,
                                   VPCRegion=cloud.region):
            owner = summary.get("Owner") or {}
            zones.append(HostedZone(id=summary["HostedZoneId"].split("/")[-1], name=decode_dns_name(summary["Name"]),
                                    vpc_ids=(vpc_id,), owner_account=owner.get("OwningAccount", ""),
                                    owning_service=owner.get("OwningService", "")))
    endpoints = [e for e in (_endpoint(r) for r in cloud.pages(
        "ec2", "describe_vpc_endpoints", "VpcEndpoints", Filters=_filters(vpc_id=list(vpc_ids)))) if not e.gone]
    return sorted(zones, key=lambda z: (z.vpc_ids, z.name, z.id)), sorted(endpoints, key=lambda e: e.id)


ALIAS_ENDPOINT_RE = re.compile(r"^(vpce-[0-9a-f]+)-[0-9a-z]+\.")  # an endpoint's DNS name: vpce-<id>-<suffix>.<service>


def alias_endpoint_id(target: str) -> str:
    """The endpoint id an alias target names ('' when it is no endpoint's DNS name)."""
    found = ALIAS_ENDPOINT_RE.match(target.lower())
    return found.group(1) if found else ""


def _alias_endpoints(cloud: Cloud, zones: list[HostedZone], endpoints: list[Endpoint]) -> list[Endpoint]:
    """The endpoints that the zones' alias records point at and that `endpoints` lacks (another VPC's): one call,
    only when there are any (a zone associated with several VPCs, or a record left by a deleted endpoint)."""
    known = {e.id for e in endpoints}
    wanted = sorted({vpce for z in zones for _name, _type, target in z.records
                     if (vpce := alias_endpoint_id(target)) and vpce not in known})
    return _endpoints_by_id(cloud, wanted)


def _endpoints_by_id(cloud: Cloud, wanted: list[str]) -> list[Endpoint]:
    """The endpoints of these ids that exist (not gone): one call, or one per id when some does not exist
    (DescribeVpcEndpoints refuses the whole list then; moto lacks its vpc-endpoint-id filter)."""
    if not wanted:
        return []

    def read(ids: list[str]) -> list[dict[str, Any]]:
        return cloud.pages("ec2", "describe_vpc_endpoints", "VpcEndpoints", VpcEndpointIds=ids)

    try:
        found = read(wanted)
    except AwsError as exc:  # one of them no longer exists (a record left behind): read them one by one
        if not exc.code.startswith("InvalidVpcEndpointId"):
            raise
        found = []
        for vpce in wanted:
            try:
                found += read([vpce])
            except AwsError as one:
                if not one.code.startswith("InvalidVpcEndpointId"):
                    raise
    return sorted((e for e in (_endpoint(r) for r in found) if not e.gone), key=lambda e: e.id)


def _read_zone(cloud: Cloud, zone_id: str, name: str) -> HostedZone:
    tags = cloud.call("route53", "list_tags_for_resource", ResourceType="hostedzone", ResourceId=zone_id)
    records = cloud.pages("route53", "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id)
    zone = cloud.call("route53", "get_hosted_zone", Id=zone_id)
    return HostedZone(
        id=zone_id, name=name, vpc_ids=tuple(sorted(v["VPCId"] for v in zone.get("VPCs", []))),
        tags=_tags(tags["ResourceTagSet"].get("Tags")),
        records=tuple(sorted((decode_dns_name(r["Name"]), r["Type"],
                              decode_dns_name(r.get("AliasTarget", {}).get("DNSName", "")))
                             for r in records if r["Type"] == "A")),
        caller_reference=zone.get("HostedZone", {}).get("CallerReference", ""))


ENTITY_KEYS = ("PolicyUsers", "PolicyGroups", "PolicyRoles")  # ListEntitiesForPolicy's three result lists


def policy_arn(partition: str, account_id: str, name: str) -> str:
    return f"arn:{partition}:iam::{account_id}:policy{POLICY_PATH}{name}"


def _observe_policy_or_namesake(cloud: Cloud, profile: Profile, account_id: str,
                                partition: str) -> tuple[ManagedPolicy | None, str | None]:
    """The profile's policy; else, when apply would create it, the ARN of a policy holding its name elsewhere.

    IAM names are unique in an account whatever the path, and not distinguished by case: CreatePolicy refuses
    the name (EntityAlreadyExists) when another path holds it, after the endpoints were made (trial 14; moto
    accepts it). Only a policy that does not exist yet costs this scan of the account's own policies.
    """
    policy = _observe_policy(cloud, profile, account_id, partition)
    if policy is not None or profile.access.mode == "none":
        return policy, None
    wanted = profile.policy_name.lower()
    # 1,000 a page (IAM's most): the default quota of 1,500 policies in two calls, not fifteen
    listed = cloud.pages("iam", "list_policies", "Policies", Scope="Local", PaginationConfig={"PageSize": 1000})
    return None, next((p["Arn"] for p in listed if p["PolicyName"].lower() == wanted), None)


def _observe_policy(cloud: Cloud, profile: Profile, account_id: str, partition: str) -> ManagedPolicy | None:
    arn = policy_arn(partition, account_id, profile.policy_name)
    try:
        raw = cloud.call("iam", "get_policy", PolicyArn=arn)["Policy"]
    except AwsError as exc:
        if exc.code == "NoSuchEntity":
            return None
        raise
    versions = cloud.pages("iam", "list_policy_versions", "Versions", PolicyArn=arn)
    default = raw["DefaultVersionId"]
    document = cloud.call("iam", "get_policy_version", PolicyArn=arn, VersionId=default)["PolicyVersion"]["Document"]
    # IAM pages at 100 entities (MaxItems): a policy attached to more must be read to the last page.
    entities = cloud.pages("iam", "list_entities_for_policy", ENTITY_KEYS, PolicyArn=arn)
    return ManagedPolicy(
        arn=arn, name=raw["PolicyName"], default_version=default, document=_policy_doc(document) or {},
        versions=tuple(sorted((PolicyVersion(v["VersionId"], v["IsDefaultVersion"], str(v["CreateDate"]))
                               for v in versions), key=lambda v: int(v.id.lstrip("v")))),
        users=tuple(sorted(e["UserName"] for e in entities if "UserName" in e)),
        groups=tuple(sorted(e["GroupName"] for e in entities if "GroupName" in e)),
        roles=tuple(sorted(e["RoleName"] for e in entities if "RoleName" in e)),
        tags=_tags(raw.get("Tags")), description=raw.get("Description", ""))


def _observe_principals(cloud: Cloud, profile: Profile) -> tuple[list[Principal], list[PrincipalPolicies]]:
    """The attach targets: how many managed policies each has (quota check) and their policies (does an Allow-only
    restriction hold? issue 12). A target that does not exist is left out: the planner reports it."""
    if profile.access.mode == "none":
        return [], []
    attach = profile.access.attach
    ours = f":policy{POLICY_PATH}{profile.policy_name}"
    policies, counts = read_targets(cloud, {"user": attach.users, "group": attach.groups, "role": attach.roles},
                                    skip=lambda arn: arn.endswith(ours))
    return [Principal(kind, name, count) for (kind, name), count in counts.items()], policies
