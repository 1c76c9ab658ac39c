"""Plain data: the Profile (decisions), the Inventory (what AWS has) and the Plan (what would change).

The profile schema is pydantic in strict mode, so YAML values are never coerced ("true" is not a bool).
Everything else is frozen dataclasses that serialise to JSON with `to_jsonable`.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from wizard import validators
from wizard.modes import ACCESS_MODES
from wizard.modes import ALIASES as MODE_ALIASES

# ---------------------------------------------------------------- profile (docs/profile.md)

_HEX_ID = r"(?:[0-9a-f]{8}|[0-9a-f]{17})"
REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")


def _id_shape(prefix: str) -> AfterValidator:
    pattern = re.compile(rf"^{prefix}-{_HEX_ID}$")

    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{value!r} is not a {prefix} id ({prefix}- and 8 or 17 hex digits)")
        return value

    return AfterValidator(check)


def _domain_id(value: str) -> str:
    if not re.match(r"^d-[a-z0-9]+$", value):
        raise ValueError(f"{value!r} is not a domain id (d- and lowercase letters and digits)")
    return value


def _cidr(value: str) -> str:
    _, error = validators.parse_cidr(value)
    if error:
        raise ValueError(error)
    return str(ipaddress.ip_network(value, strict=True))


VpcId = Annotated[str, _id_shape("vpc")]
SubnetId = Annotated[str, _id_shape("subnet")]
SgId = Annotated[str, _id_shape("sg")]
VpceId = Annotated[str, _id_shape("vpce")]
DomainId = Annotated[str, AfterValidator(_domain_id)]
Cidr = Annotated[str, AfterValidator(_cidr)]


def _normalise_mode(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.lower()
        return MODE_ALIASES.get(  # the guide's spellings, case-insensitively
            lowered, lowered if lowered in ACCESS_MODES else value)
    return value


AccessMode = Annotated[Literal["subnet", "vpce", "source-ip", "vpc-source-ip", "none"],
                       BeforeValidator(_normalise_mode)]
Preset = Literal["create-app", "presigned-url"]
EXTRA_SERVICES = ("sagemaker.runtime", "sts", "logs", "s3", "servicecatalog", "ecr.api", "ecr.dkr",
                  "monitoring", "kms", "sagemaker.metrics", "sagemaker.featurestore-runtime")


DUPLICATE_ITEM = "duplicate_item"


def _once(values: list[Any]) -> list[Any]:
    """A list names each item once (after normalising: a CIDR is compared as written back, 2001:DB8::/32 as
    2001:db8::/32). The planner addresses a change by the item (iam_policy_attachment.user.alice,
    security_group_rule.<source>, hosted_zone_association.<key>.<vpc>): a repeated user crashed plan, apply,
    export, verify and audit (trial 13); elsewhere a repeat only says the same thing twice."""
    seen: set[Any] = set()
    for index, value in enumerate(values):
        if value in seen:  # the loader points at the repeat (ctx index)
            raise PydanticCustomError(DUPLICATE_ITEM, "lists {value} twice; name it once", {"value": value,
                                                                                            "index": index})
        seen.add(value)
    return values


Once = AfterValidator(_once)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Endpoints(_Strict):
    studio: bool = True
    api: bool = True
    extra: Annotated[list[Literal[EXTRA_SERVICES]], Once] = Field(default_factory=list)  # type: ignore[valid-type]


class Dns(_Strict):
    mode: Literal["private-dns", "hosted-zone"] = "private-dns"
    associate_vpc_ids: Annotated[list[VpcId], Once] = Field(default_factory=list)
    fix_vpc_attributes: bool = False

    @model_validator(mode="after")
    def _associations_need_zones(self) -> Dns:
        if self.associate_vpc_ids and self.mode != "hosted-zone":
            raise ValueError("associate_vpc_ids needs mode: hosted-zone (private DNS serves one VPC only)")
        return self


def _no_open_world(value: str) -> str:
    error = validators.https_source_cidr(value)
    if error:
        raise ValueError(error)
    return value


class SecurityGroup(_Strict):
    id: SgId | None = None
    allow_from_security_groups: Annotated[list[SgId], Once] = Field(default_factory=list)
    allow_from_cidrs: Annotated[list[Annotated[Cidr, AfterValidator(_no_open_world)]], Once] = Field(
        default_factory=list)


class EndpointPolicy(_Strict):
    studio: Annotated[list[Preset], Once] = Field(default_factory=lambda: list[Preset](["create-app", "presigned-url"]))
    api: Annotated[list[Preset], Once] = Field(default_factory=list)


class Attach(_Strict):
    users: Annotated[list[str], Once] = Field(default_factory=list)
    groups: Annotated[list[str], Once] = Field(default_factory=list)
    roles: Annotated[list[str], Once] = Field(default_factory=list)


_IAM_NAME = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,128}$")  # IAM: ASCII only (\w would admit "é")


def _policy_name(value: str) -> str:
    if not _IAM_NAME.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid IAM policy name (1-128 of ASCII letters, digits, +=,.@_-)")
    return value


class Access(_Strict):
    mode: AccessMode = "vpce"
    effect: Literal["allow", "deny"] = "allow"
    cidrs: Annotated[list[Cidr], Once] = Field(default_factory=list)
    extra_vpce_ids: Annotated[list[VpceId], Once] = Field(default_factory=list)
    resource_scope: Literal["domain", "all"] = "domain"
    policy_name: Annotated[str, AfterValidator(_policy_name)] | None = None
    attach: Attach = Field(default_factory=Attach)


# AWS's tag rules, the ones EC2, Route 53 and IAM share (tags go on all three): keys 1-128 and values 0-256
# Unicode characters of \p{L}\p{Z}\p{N} and _ . : / = + - @; no aws: prefix in any case on keys or values
# (reserved for AWS); at most 50 tags per resource, ours included.
TAG_KEY_MAX, TAG_VALUE_MAX, TAGS_PER_RESOURCE = 128, 256, 50
# what the tool adds (planner.resource_tags; the exports add studio-vpce:deployed-by, names.DEPLOYED_BY_TAG)
OUR_TAG_KEYS = ("managed-by", "studio-vpce:profile", "Name", "studio-vpce:deployed-by")
_TAG_SYMBOLS = set("_.:/=+-@")


def _tag_text(value: str, what: str, limit: int) -> str:
    if len(value) > limit:
        raise ValueError(f"tag {what} is {len(value)} characters; AWS allows {limit}")
    if value[:4].lower() == "aws:":
        raise ValueError(f"tag {what} {value!r} starts with aws:, which is reserved for AWS's own tags")
    bad = sorted({c for c in value if c not in _TAG_SYMBOLS and unicodedata.category(c)[0] not in "LZN"})
    if bad:
        raise ValueError(f"tag {what} {value!r} has the character(s) {' '.join(repr(c) for c in bad)}; AWS allows "
                         "letters, digits, spaces and _ . : / = + - @")
    return value


def _tag_key(value: str) -> str:
    if not value:
        raise ValueError("a tag key cannot be empty")
    if value in OUR_TAG_KEYS[:2] or value.lower().startswith("studio-vpce:"):
        raise ValueError(f"tag key {value!r} is one studio-vpce sets itself (it finds its resources by it)")
    return _tag_text(value, "key", TAG_KEY_MAX)


def _tag_set(tags: dict[str, str]) -> dict[str, str]:
    # IAM takes tag keys case-insensitively (the policy carries these tags too): 'team' and 'Team' passed the
    # plan, and apply stopped half-way, the endpoints made and the policy refused ("Duplicate tag keys found.
    # Please note that Tag keys are case insensitive": trial 14). studio-vpce's own keys on the policy count too
    # (managed-by, studio-vpce:profile; its Name goes on EC2 resources only, whose keys are case-sensitive).
    seen: dict[str, str] = {}
    for key in [*tags, *(k for k in OUR_TAG_KEYS[:2] if k not in tags)]:
        other = seen.setdefault(key.lower(), key)
        if other != key:
            ours = " (one studio-vpce sets itself)" if key in OUR_TAG_KEYS or other in OUR_TAG_KEYS else ""
            raise ValueError(f"tag keys {other!r} and {key!r} differ only in case{ours}; IAM takes tag keys without "
                             "regard to case and refuses both on the policy: keep one")
    total = len(set(tags) | set(OUR_TAG_KEYS))
    if total > TAGS_PER_RESOURCE:
        raise ValueError(f"{len(tags)} tags plus studio-vpce's own ({', '.join(OUR_TAG_KEYS)}) make {total}; AWS allows "
                         f"{TAGS_PER_RESOURCE} per resource, so at most {TAGS_PER_RESOURCE - len(OUR_TAG_KEYS)} here")
    return tags


TagKey = Annotated[str, AfterValidator(_tag_key)]
TagValue = Annotated[str, AfterValidator(lambda v: _tag_text(v, "value", TAG_VALUE_MAX))]
Tags = Annotated[dict[TagKey, TagValue], AfterValidator(_tag_set)]


def _name(value: str) -> str:
    error = validators.profile_name(value)
    if error:
        raise ValueError(error)
    return value




def _region(value: str) -> str:
    if not REGION_RE.match(value):
        raise ValueError(f"{value!r} is not an AWS region name (like us-west-2)")
    return value


def _account(value: str) -> str:
    if not re.match(r"^\d{12}$", value):
        raise ValueError(f"{value!r} is not a 12-digit AWS account id (quote it in YAML)")
    return value


class Profile(_Strict):
    version: Literal[1]
    name: Annotated[str, AfterValidator(_name)]
    region: Annotated[str, AfterValidator(_region)]
    account_id: Annotated[str, AfterValidator(_account)] | None = None
    vpc_id: VpcId
    subnet_ids: Annotated[list[SubnetId], Once]
    domain_id: DomainId
    endpoints: Endpoints = Field(default_factory=Endpoints)
    dns: Dns = Field(default_factory=Dns)
    security_group: SecurityGroup = Field(default_factory=SecurityGroup)
    endpoint_policy: EndpointPolicy = Field(default_factory=EndpointPolicy)
    access: Access = Field(default_factory=Access)
    tags: Tags = Field(default_factory=dict)

    @property
    def policy_name(self) -> str:
        return self.access.policy_name or f"SageMakerStudioPrivateAccess-{self.name}"


# ---------------------------------------------------------------- inventory (what AWS has)



@dataclasses.dataclass(frozen=True)
class Subnet:
    id: str
    vpc_id: str
    cidr: str
    az: str
    az_id: str | None
    free_ips: int
    name: str = ""


@dataclasses.dataclass(frozen=True)
class Vpc:
    id: str
    cidrs: tuple[str, ...]
    name: str = ""
    is_default: bool = False
    dns_support: bool | None = None  # None: not looked up (discovery reads them only where it matters)
    dns_hostnames: bool | None = None
    subnets: tuple[Subnet, ...] = ()


@dataclasses.dataclass(frozen=True)
class Domain:
    id: str
    name: str
    vpc_id: str
    subnet_ids: tuple[str, ...]
    auth_mode: str  # IAM | SSO
    network_mode: str  # PublicInternetOnly | VpcOnly
    security_group_ids: tuple[str, ...]  # every group Studio uses (domain, user and space defaults)
    status: str = "InService"
    user_profiles: tuple[str, ...] = ()  # names (with private spaces' owners), when they could be listed
    spaces: tuple[str, ...] = ()  # space names, when they could be listed (audit names them to the simulator)


# VpcEndpoint.State (lower-cased): AWS lists deleted endpoints for a while after deletion.
GONE_ENDPOINT_STATES = ("deleted", "deleting")
DEAD_ENDPOINT_STATES = (*GONE_ENDPOINT_STATES, "failed", "rejected", "expired")


@dataclasses.dataclass(frozen=True)
class Endpoint:
    id: str
    vpc_id: str
    service: str
    type: str
    state: str
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    private_dns: bool
    policy: dict[str, Any] | None
    tags: tuple[tuple[str, str], ...]
    dns_entries: tuple[tuple[str, str], ...] = ()  # (DnsName, HostedZoneId), regional first
    last_error: str = ""

    @property
    def tag_map(self) -> dict[str, str]:
        return dict(self.tags)

    @property
    def gone(self) -> bool:
        """Deleted or being deleted: AWS still lists such an endpoint for a while; it is no longer there."""
        return self.state in GONE_ENDPOINT_STATES

    @property
    def live(self) -> bool:
        """Serving (or on its way to): not gone, failed, rejected or expired. Only live endpoints hold a service's
        private DNS, count as a VPC's endpoint for a service, or make another profile the owner of that service."""
        return self.state not in DEAD_ENDPOINT_STATES


@dataclasses.dataclass(frozen=True)
class Rule:
    protocol: str
    from_port: int
    to_port: int
    source: str  # sg-... or a CIDR
    rule_id: str = ""


@dataclasses.dataclass(frozen=True)
class SecurityGroupInfo:
    id: str
    name: str
    vpc_id: str
    tags: tuple[tuple[str, str], ...] = ()
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()


@dataclasses.dataclass(frozen=True)
class RouteTable:
    id: str
    subnet_ids: tuple[str, ...]
    main: bool
    nat: bool  # a default route to a NAT gateway or instance
    gateway_endpoints: tuple[str, ...] = ()  # vpce-... with routes in this table (S3/DynamoDB gateways)


@dataclasses.dataclass(frozen=True)
class Service:
    name: str
    azs: tuple[str, ...]
    az_ids: tuple[str, ...] | None
    private_dns_name: str = ""
    types: tuple[str, ...] = ()  # Interface, Gateway, ... (empty: not reported)


@dataclasses.dataclass(frozen=True)
class HostedZone:
    id: str
    name: str
    vpc_ids: tuple[str, ...]
    tags: tuple[tuple[str, str], ...] = ()
    records: tuple[tuple[str, str, str], ...] = ()  # (name, type, alias target), names decoded
    caller_reference: str = ""  # ours when it is the reference apply sends, even if tagging never happened
    owner_account: str = ""  # set when another account owns the zone (its tags and records are not readable)
    owning_service: str = ""  # set when an AWS service owns the zone

    @property
    def foreign(self) -> bool:
        return bool(self.owner_account or self.owning_service)

    @property
    def owner(self) -> str:
        return f"account {self.owner_account}" if self.owner_account else f"the AWS service {self.owning_service}"


@dataclasses.dataclass(frozen=True)
class PolicyVersion:
    id: str
    is_default: bool
    created: str


@dataclasses.dataclass(frozen=True)
class ManagedPolicy:
    arn: str
    name: str
    default_version: str
    document: dict[str, Any]
    versions: tuple[PolicyVersion, ...]
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    description: str = ""  # set at creation, never changed by IAM


@dataclasses.dataclass(frozen=True)
class Principal:
    kind: str  # user | group | role
    name: str
    attached_count: int | None = None  # managed policies attached now (None: not looked up)


@dataclasses.dataclass(frozen=True)
class PolicyDoc:
    """One identity policy as IAM evaluates it: a managed policy's default version, or an inline policy."""

    name: str  # managed: the policy's ARN; inline: its name
    kind: str  # managed | inline
    via: str  # whose it is: user/alice, group/data-scientists, role/MLEngineers
    document: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class PrincipalPolicies:
    """Everything IAM weighs for one principal's own request (identity policies; groups' for a user)."""

    kind: str  # user | group | role
    name: str
    arn: str
    policies: tuple[PolicyDoc, ...] = ()
    groups: tuple[str, ...] = ()  # a user's groups (their policies are in `policies`); a group's members
    boundary: PolicyDoc | None = None  # the permissions boundary, when one is set


@dataclasses.dataclass(frozen=True)
class Caller:
    account_id: str
    arn: str
    kind: str  # user | assumed-role | root | other
    name: str
    groups: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Inventory:
    account_id: str
    region: str
    partition: str
    caller: Caller
    vpcs: tuple[Vpc, ...] = ()
    domains: tuple[Domain, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    security_groups: tuple[SecurityGroupInfo, ...] = ()
    services: tuple[Service, ...] = ()
    hosted_zones: tuple[HostedZone, ...] = ()
    policy: ManagedPolicy | None = None
    policy_namesake: str | None = None  # the ARN of a policy of the profile's name under another path or case
    principals: tuple[Principal, ...] = ()
    other_subnets: tuple[Subnet, ...] = ()  # subnets a profile names that lie outside the VPCs read
    route_tables: tuple[RouteTable, ...] = ()  # the profile VPC's (for the VpcOnly readiness report)
    quotas: tuple[tuple[str, int], ...] = (("user", 10), ("group", 10), ("role", 10))
    demo: bool = False
    # The attach targets' own policies (plan reads them to tell whether an Allow-only restriction holds)
    principal_policies: tuple[PrincipalPolicies, ...] = ()
    dns_suffix: str = "amazonaws.com"  # the partition's (amazonaws.com.cn in China), from botocore's partition data
    notes: tuple[Finding, ...] = ()  # what could not be read, as plan warnings (e.g. an API the sandbox lacks)
    # Endpoints outside `endpoints` (another VPC's) that alias records in the VPC's private hosted zones point at:
    # a zone shared by several VPCs whose record serves another studio-vpce profile is that profile's to manage
    alias_endpoints: tuple[Endpoint, ...] = ()
    # dns.associate_vpc_ids: what those VPCs already resolve privately (AWS refuses to associate a second zone of
    # a name with a VPC: ConflictingDomainExists; moto accepts it): the zones associated with each (one entry per
    # VPC and zone, vpc_ids holding that VPC) and their endpoints (private DNS on is a service-owned zone)
    associated_zones: tuple[HostedZone, ...] = ()
    associated_endpoints: tuple[Endpoint, ...] = ()
    # access.extra_vpce_ids outside `endpoints` and `alias_endpoints` that exist (vpce mode): one in neither is not
    # an endpoint of this account and region (the plan warns: extra_vpce_not_found)
    extra_endpoints: tuple[Endpoint, ...] = ()

    def vpc(self, vpc_id: str) -> Vpc | None:
        return next((v for v in self.vpcs if v.id == vpc_id), None)

    def domain(self, domain_id: str) -> Domain | None:
        return next((d for d in self.domains if d.id == domain_id), None)

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)

    def security_group(self, sg_id: str) -> SecurityGroupInfo | None:
        return next((g for g in self.security_groups if g.id == sg_id), None)

    def principal(self, kind: str, name: str) -> Principal | None:
        return next((p for p in self.principals if p.kind == kind and p.name == name), None)

    def policies_of(self, kind: str, name: str) -> PrincipalPolicies | None:
        return next((p for p in self.principal_policies if p.kind == kind and p.name == name), None)

    def quota(self, kind: str) -> int:
        return dict(self.quotas).get(kind, 10)


# ---------------------------------------------------------------- plan

KNOWN_AFTER_APPLY = "(known after apply)"


@dataclasses.dataclass(frozen=True)
class Change:
    address: str
    type: str
    action: str  # create | update | delete | no-op
    id: str | None
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str = ""
    # The change acts on a resource studio-vpce did not create (an endpoint it reuses, the VPC's attributes, a
    # hosted zone it found): the confirmations name these apart. Set by the planner; front ends read this field.
    outside: bool = False


@dataclasses.dataclass(frozen=True)
class Finding:
    code: str
    message: str
    about: str = ""  # for the front ends' rules, not shown: deployed_by_stack's stack format (export.refusals)


@dataclasses.dataclass(frozen=True)
class Confirmation:
    """A question every front end must ask (and get a yes to) before applying this plan.

    `flag` is the CLI flag that answers it in advance (with --yes, where there is no terminal to ask on).
    """

    code: str
    question: str
    flag: str = ""


@dataclasses.dataclass(frozen=True)
class Plan:
    profile: Profile
    account_id: str
    region: str
    partition: str
    changes: tuple[Change, ...]
    endpoint_policies: dict[str, dict[str, Any] | None]
    identity_policy: dict[str, Any] | None
    warnings: tuple[Finding, ...]
    errors: tuple[Finding, ...]
    fingerprint: str
    caller_arn: str = ""
    demo: bool = False
    confirmations: tuple[Confirmation, ...] = ()

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def has_changes(self) -> bool:
        return any(c.action != "no-op" for c in self.changes)


def to_jsonable(value: Any) -> Any:
    """Dataclasses, tuples and models to plain JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value
