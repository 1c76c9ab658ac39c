"""Names AWS gives things, and the tags the tool puts on what it creates. Pure: no boto3, no I/O.

Service names and DNS names differ by partition and by service, so nothing here hard-codes `aws`:
- endpoint service names are matched by their tail (`.<region>.sagemaker.api`) among the services
  DescribeVpcEndpointServices lists, as the Terraform data source `aws_vpc_endpoint_service` does with
  `service = "sagemaker.api"`: in China the API is `cn.com.amazonaws.cn-north-1.sagemaker.api` while the S3
  gateway stays `com.amazonaws.cn-north-1.s3`, and Studio is `aws.sagemaker.<region>.studio`;
- the private DNS name an endpoint answers for comes from the service's `PrivateDnsName`; where AWS did not
  say, it is built from the partition's DNS suffix (`amazonaws.com`, `amazonaws.com.cn`, ...), which the cloud
  adapter reads from botocore's partition data;
- names read back from Route 53 are decoded (`decode_dns_name`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wizard.models import Profile, Service

MANAGED_BY = ("managed-by", "studio-vpce")
PROFILE_TAG = "studio-vpce:profile"
# IAM is global: the managed policy also says which region's deployment of the profile it serves.
REGION_TAG = "studio-vpce:region"
# What a Terraform or CloudFormation export declares carries this (terraform | cloudformation): plan, verify and
# audit read such a deployment as the profile's, and apply and destroy never change or delete it (its stack's
# state would drift; trial 16: destroy listed every resource Terraform managed).
DEPLOYED_BY_TAG = "studio-vpce:deployed-by"
POLICY_PATH = "/studio-vpce/"
DEFAULT_DNS_SUFFIX = "amazonaws.com"

# endpoint key -> the tails its service name may have after `<prefix>.<region>.` (extras: the key itself).
# Studio is `aws.sagemaker.<region>.studio` where AWS documents it; `sagemaker.studio` covers a partition that
# spells it like the API (`cn.com.amazonaws.<region>.sagemaker.api`).
_SUFFIXES = {"studio": ("studio", "sagemaker.studio"), "api": ("sagemaker.api",)}
GATEWAY_KEYS = ("s3",)  # built as Gateway endpoints on route tables: no subnets, no DNS of their own

# The private DNS name of each interface service in the aws partition (DescribeVpcEndpointServices'
# PrivateDnsName), used only when the lookup did not report one. {r}: region, {s}: the partition's DNS suffix.
_PRIVATE_DNS = {
    "studio": "*.studio.{r}.sagemaker.aws",
    "api": "api.sagemaker.{r}.{s}",
    "sagemaker.api": "api.sagemaker.{r}.{s}",
    "sagemaker.runtime": "runtime.sagemaker.{r}.{s}",
    "sagemaker.metrics": "metrics.sagemaker.{r}.{s}",
    "sagemaker.featurestore-runtime": "featurestore-runtime.sagemaker.{r}.{s}",
    "ecr.api": "api.ecr.{r}.{s}",
    "ecr.dkr": "*.dkr.ecr.{r}.{s}",
}

READINESS_SERVICES = ("sagemaker.api", "sagemaker.runtime", "sts", "logs", "s3", "servicecatalog", "ecr.api",
                      "ecr.dkr", "monitoring", "kms")


def service_suffixes(key: str) -> tuple[str, ...]:
    return _SUFFIXES.get(key, (key,))


def default_service_name(key: str, region: str) -> str:
    """The usual name, used until DescribeVpcEndpointServices says otherwise (and in error messages)."""
    if key == "studio":
        return f"aws.sagemaker.{region}.studio"
    prefix = "cn.com.amazonaws" if region.startswith("cn-") and key not in GATEWAY_KEYS else "com.amazonaws"
    return f"{prefix}.{region}.{service_suffixes(key)[0]}"


def studio_service(region: str) -> str:
    return default_service_name("studio", region)


def api_service(region: str) -> str:
    return default_service_name("api", region)


def match_service(services: Iterable[Service], region: str, key: str) -> Service | None:
    """The service for an endpoint key: its name ends with `.<region>.<suffix>` (any prefix), of the right type."""
    tails = tuple(f".{region}.{suffix}" for suffix in service_suffixes(key))
    wanted_type = "Gateway" if key in GATEWAY_KEYS else "Interface"
    found = [s for s in services if s.name.endswith(tails) and (not s.types or wanted_type in s.types)]
    usual = default_service_name(key, region)
    found.sort(key=lambda s: (s.name != usual, s.name))
    return found[0] if found else None


def profile_keys(profile: Profile) -> list[str]:
    """Endpoint keys the profile asks for, in apply order."""
    return ([k for k in ("studio", "api") if getattr(profile.endpoints, k)] + list(profile.endpoints.extra))


def service_names(profile: Profile, region: str, services: Iterable[Service] = ()) -> dict[str, str]:
    """Endpoint key (studio, api, extras) -> service name, in apply order; looked up in `services` when given."""
    services = tuple(services)
    names: dict[str, str] = {}
    for key in profile_keys(profile):
        found = match_service(services, region, key)
        names[key] = found.name if found else default_service_name(key, region)
    return names


def readiness_service_names(region: str, services: Iterable[Service] = ()) -> dict[str, str]:
    """Endpoint key -> service name for everything a VpcOnly domain may need (the readiness report)."""
    services = tuple(services)
    out = {}
    for key in ("studio", *READINESS_SERVICES):
        found = match_service(services, region, key)
        out[key] = found.name if found else default_service_name(key, region)
    return out


def private_dns_name(key: str, region: str, dns_suffix: str = DEFAULT_DNS_SUFFIX,
                     services: Iterable[Service] = ()) -> str:
    """The name an interface endpoint for `key` answers for (`*.` first for wildcard names)."""
    found = match_service(services, region, key)
    if found is not None and found.private_dns_name:
        return found.private_dns_name.rstrip(".").lower()
    template = _PRIVATE_DNS.get(key, "{k}.{r}.{s}")
    return template.format(k=key, r=region, s=dns_suffix)


def zone_and_record(key: str, region: str, dns_suffix: str = DEFAULT_DNS_SUFFIX,
                    services: Iterable[Service] = ()) -> tuple[str, str]:
    """(private hosted zone name, alias record name) that make `key`'s service name resolve to its endpoint."""
    name = private_dns_name(key, region, dns_suffix, services)
    return name.removeprefix("*."), name


def hosted_zone_names(region: str, dns_suffix: str = DEFAULT_DNS_SUFFIX, services: Iterable[Service] = (),
                      keys: Iterable[str] = ("api", "studio")) -> dict[str, str]:
    """Endpoint key -> the private hosted zone that serves its name."""
    return {k: zone_and_record(k, region, dns_suffix, services)[0] for k in keys}


# ---------------------------------------------------------------- Route 53 names

_OCTAL = re.compile(r"\\([0-7]{3})")


def decode_dns_name(name: str) -> str:
    """A name as Route 53 returns it -> the name as written, lowercase, without the final dot.

    Route 53 returns characters other than a-z, 0-9, '-' and '_' as `\\ooo` octal escapes
    ("*.studio..." comes back as "\\052.studio..."; Route 53 developer guide, "DNS domain name format").
    """
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), name).rstrip(".").lower()


# A zonal name's first label ends in its Availability Zone: vpce-0a1b-2c3d-us-west-2a (regional: vpce-0a1b-2c3d);
# wildcard names (*.vpce-...) and private DNS names (api.sagemaker...) come after both.
_ZONAL_LABEL = re.compile(r"-[a-z]{2}(-[a-z]+)+-\d+[a-z]$")


def regional_first(entries: list[dict[str, str]]) -> list[dict[str, str]]:
    """An interface endpoint's DnsEntries with its regional name first: the one a Route 53 alias targets (the
    zonal ones resolve in one AZ only). AWS lists it first today, but the EC2 API does not promise the order."""
    def regional(entry: dict[str, str]) -> bool:
        label = entry.get("DnsName", "").split(".", 1)[0]
        return label.startswith("vpce-") and not _ZONAL_LABEL.search(label)

    return sorted(entries, key=lambda e: not regional(e))  # stable: the rest keep AWS's order
