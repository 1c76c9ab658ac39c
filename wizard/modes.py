"""The access modes, in one table: adding a mode touches this file (and its policy conditions in policies.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccessMode:
    name: str  # as spelled in the YAML
    aliases: tuple[str, ...]  # the guide's condition-key spellings, accepted case-insensitively
    help: str
    needs_cidrs: bool
    condition_keys: tuple[str, ...]
    cidr_rule: str = ""  # "public" | "in-vpc" | "" (no CIDRs)
    where: str = ""  # where Studio opens from under this mode, for messages ("only {where}")


MODES: tuple[AccessMode, ...] = (
    AccessMode("subnet", ("sourcevpc",),
               "aws:SourceVpc - only requests that come from inside this VPC (through its endpoints) may open Studio.",
               False, ("aws:SourceVpc",), where="from inside the VPC"),
    AccessMode("vpce", ("sourcevpce",),
               "aws:sourceVpce - only requests made through these interface endpoints may open Studio.",
               False, ("aws:sourceVpce",), where="through the VPC's interface endpoints"),
    AccessMode("source-ip", ("sourceip",),
               "aws:SourceIp - only callers from these public IP ranges may open Studio (not via the endpoints).",
               True, ("aws:SourceIp",), "public", where="from the allowed public IP ranges"),
    AccessMode("vpc-source-ip", ("vpcsourceip",),
               "aws:VpcSourceIp - only callers inside the VPC whose private address is in these ranges.",
               True, ("aws:VpcSourceIp", "aws:SourceVpc"), "in-vpc", where="from the allowed addresses inside the VPC"),
    AccessMode("none", (),
               "No identity policy: endpoints only. (The only choice for IAM Identity Center domains.)",
               False, ()),
)
BY_NAME = {m.name: m for m in MODES}
ACCESS_MODES = tuple(m.name for m in MODES)
ALIASES = {alias: m.name for m in MODES for alias in m.aliases}


def mode(name: str) -> AccessMode:
    return BY_NAME[name]
