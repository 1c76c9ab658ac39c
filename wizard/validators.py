"""One validator per input rule, pure (no I/O, no pydantic, no UI).

The step that collects an input and the planner call the same function here, so a value is refused where it
is typed, in the same words the plan would use. Each returns the reason a value is not acceptable (one line,
with the fix where there is one), or None when it is fine. Callers put the field's label in front.
One reads the disk, as only trying tells: `save_path`, the rule for a file the tool is to write.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# aws:SourceIp never matches these: private, shared (CGNAT), loopback, link-local, benchmarking (RFC 2544),
# multicast, reserved, and the IPv6 equivalents. The documentation ranges (192.0.2.0/24, 198.51.100.0/24,
# 203.0.113.0/24) stay allowed: examples and tests use them. ONE definition, used by the wizard and the planner.
NOT_PUBLIC: tuple[Network, ...] = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8"))

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")  # not `-x`: `studio-vpce apply -x.yaml` reads as an option
NAME_RULE = "1-40 of lowercase letters, digits and '-', starting with a letter or digit"


def split_list(text: str) -> list[str]:
    """'a, b  c' -> ['a', 'b', 'c']: how every list input is typed."""
    return [part for part in re.split(r"[\s,]+", text.strip()) if part]


def repeated(items: Iterable[str]) -> str | None:
    """A typed list that names an item twice (CIDRs compared as the profile keeps them: 2001:DB8::/32 is
    2001:db8::/32): refused where it is typed, in the loader's words (the profile's lists name each item once)."""
    seen: set[str] = set()
    for item in items:
        net = parse_cidr(item)[0] if "/" in item else None
        key = str(net) if net is not None else item
        if key in seen:
            return f"lists {key} twice; name it once"
        seen.add(key)
    return None


def parse_cidr(text: str) -> tuple[Network | None, str | None]:
    """A strictly parsed CIDR block, or the reason it is not one (with the fix for host bits)."""
    value = text.strip()
    if not value:
        return None, "(empty) is not a CIDR block"
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return None, f"{value} is not a CIDR block ({exc}); write it like 10.20.1.0/24"
        return None, f"{value}: host bits set: did you mean {loose}?"
    mapped = ipaddress.IPv6Network("::ffff:0:0/96")
    if isinstance(net, ipaddress.IPv6Network) and net.subnet_of(mapped) and net.prefixlen >= 96:
        # an IPv4 range written as IPv6 (::ffff:0.0.0.0/96 is 0.0.0.0/0): the checks of public, private and
        # whole-internet ranges are the IPv4 ones, so it is written as IPv4 (a trial: it slipped past them)
        ipv4 = ipaddress.ip_network(f"{ipaddress.IPv4Address(int(net.network_address) & 0xFFFFFFFF)}/{net.prefixlen - 96}")
        return None, f"{value} is the IPv4 range {ipv4} written as IPv6: write {ipv4}"
    return net, None


def cidr(text: str) -> str | None:
    """A CIDR block that is not the whole internet."""
    net, error = parse_cidr(text)
    if error:
        return error
    assert net is not None
    if net.prefixlen == 0:
        return f"{net} admits the whole internet; name the ranges that need Studio"
    return None


def https_source_cidr(text: str) -> str | None:
    """A source of HTTPS into the endpoints (security_group.allow_from_cidrs): not the whole internet, nor a range
    wider than any private one (0.0.0.0/1 and 128.0.0.0/1 together are the whole internet too). The endpoints'
    addresses are private; the planner warns about a public range narrower than that."""
    error = cidr(text)
    if error:
        return error
    net = ipaddress.ip_network(text.strip())
    widest = 8 if net.version == 4 else 7  # 10.0.0.0/8; fc00::/7 (unique local)
    if net.prefixlen < widest:
        return (f"{net} is wider than any private range ({'10.0.0.0/8' if net.version == 4 else 'fc00::/7'} is the "
                "widest): name the ranges that need the endpoints")
    return None


def is_public(net: Network) -> bool:
    return not any(net.version == bad.version and net.subnet_of(bad) for bad in NOT_PUBLIC)  # type: ignore[arg-type]


def whole_internet(texts: Iterable[str]) -> str | None:
    """source-ip: ranges that together cover every address (0.0.0.0/1 with 128.0.0.0/1, say) restrict nothing:
    one condition that every request meets. Unparseable items are left to the per-range rule."""
    nets = [n for n in (parse_cidr(t)[0] for t in texts) if n is not None]
    for version, every in ((4, 2 ** 32), (6, 2 ** 128)):
        mine = [n for n in nets if n.version == version]
        if mine and sum(n.num_addresses for n in ipaddress.collapse_addresses(mine)) == every:  # type: ignore[type-var, misc]
            return (f"{', '.join(str(n) for n in mine)} together cover every IPv{version} address: the condition "
                    "would restrict nothing; name the ranges that need Studio")
    return None


def public_cidr(text: str) -> str | None:
    """source-ip: aws:SourceIp never matches private addresses nor requests through a VPC endpoint."""
    error = cidr(text)
    if error:
        return error
    net = ipaddress.ip_network(text.strip())
    if not is_public(net):
        return (f"{net} is not a public range: aws:SourceIp never matches private addresses nor requests that "
                "come through a VPC endpoint; use vpc-source-ip")
    return None


def cidr_in_vpc(text: str, vpc_cidrs: Iterable[str], vpc_id: str = "the VPC") -> str | None:
    """vpc-source-ip: aws:VpcSourceIp is an address inside the VPC."""
    error = cidr(text)
    if error:
        return error
    net = ipaddress.ip_network(text.strip())
    cidrs = list(vpc_cidrs)
    nets = [ipaddress.ip_network(c) for c in cidrs]
    if nets and not any(net.version == v.version and net.subnet_of(v) for v in nets):  # type: ignore[arg-type]
        return (f"{net} is not inside {vpc_id} ({', '.join(cidrs)}): aws:VpcSourceIp is an address inside "
                "the VPC")
    return None


def access_cidr(text: str, mode: str, vpc_cidrs: Iterable[str] = (), vpc_id: str = "the VPC") -> str | None:
    """The rule for one access CIDR in this access mode."""
    if mode == "source-ip":
        return public_cidr(text)
    if mode == "vpc-source-ip":
        return cidr_in_vpc(text, vpc_cidrs, vpc_id)
    return cidr(text)


def profile_name(text: str) -> str | None:
    value = text.strip()
    if not NAME_RE.match(value):
        return f"{value!r} must be {NAME_RULE}" if value else f"(empty): must be {NAME_RULE}"
    return None


USER_PROFILE_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")  # SageMaker's UserProfileName


def user_profile_name(text: str) -> str | None:
    """A Studio user profile name as SageMaker takes it (UserProfileName: 1-63 letters, digits and '-', starting
    and ending with a letter or digit)."""
    value = text.strip()
    if not value:
        return "(empty): name a Studio user profile of the domain"
    if not USER_PROFILE_RE.match(value):
        return (f"{value!r} is not a Studio user profile name (1-63 letters, digits and '-', starting and ending "
                "with a letter or digit)")
    return None


def typed_yes(text: str | None) -> bool:
    """The answer that goes ahead with a change to AWS (CLI, --plain, the TUI's typed confirmations): the word
    yes exactly as the prompt shows it, as Terraform asks; `YES`, `y`, `yess` do not (spaces around are ignored)."""
    return text is not None and text.strip() == "yes"


def az_supported(subnet: Any, service: Any) -> bool:
    """AZ IDs are the same for every account; names are the caller's own mapping (moto reports names only)."""
    if service.az_ids and subnet.az_id:
        return subnet.az_id in service.az_ids
    return subnet.az in service.azs


def az_support(subnet: Any, services: Iterable[Any]) -> str | None:
    """Why an endpoint cannot have a network interface in this subnet's zone, or None."""
    for service in services:
        if not az_supported(subnet, service):
            where = subnet.az_id if service.az_ids and subnet.az_id else subnet.az
            offered = ", ".join(service.az_ids if service.az_ids and subnet.az_id else service.azs)
            return f"{where} is not offered by {service.name} (it offers {offered})"
    return None


def subnet_in_vpc(subnet_id: str, vpc_id: str, in_vpc: str | None) -> str | None:
    """A subnet the answers name that is not in the VPC (`in_vpc`: the VPC it is in, None when the account has
    no such subnet): gone since a profile was saved, or another VPC's. One line, the plan's words; the caller
    adds the fix (the plan: fix subnet_ids; the wizard: untick it)."""
    if in_vpc is None:
        return f"subnet {subnet_id} does not exist in VPC {vpc_id}"
    if in_vpc != vpc_id:
        return f"subnet {subnet_id} is in {in_vpc}, not in {vpc_id}"
    return None


def principal_exists(kind: str, name: str, exists: bool) -> str | None:
    """An attach target the answers name that the account does not have (deleted since a profile was saved,
    or misspelt). One line, the plan's words."""
    return None if exists else f"IAM {kind} {name!r} (access.attach.{kind}s) does not exist"


def self_lockout(caller: Any, attach: Any) -> bool:
    """The caller (a user, one of its groups, or its assumed role) is among the attach targets."""
    users = attach["users"] if isinstance(attach, dict) else attach.users
    groups = attach["groups"] if isinstance(attach, dict) else attach.groups
    roles = attach["roles"] if isinstance(attach, dict) else attach.roles
    return ((caller.kind == "user" and caller.name in users)
            or any(g in groups for g in caller.groups)
            or (caller.kind == "assumed-role" and caller.name in roles))


def account_guard(profile_account: str | None, caller_account: str, demo: bool = False) -> str | None:
    """The profile's optional account_id against the credentials' account (plan, apply, destroy, audit)."""
    if profile_account and profile_account != caller_account:
        if demo:  # no credentials to switch (--aws-profile is refused with --demo: a trial)
            return (f"the profile is for account {profile_account} but the demo sandbox is account {caller_account}: "
                    "fix account_id (or drop it) to use this profile with --demo")
        return (f"the profile is for account {profile_account} but the credentials are for {caller_account}: "
                "switch --aws-profile, or fix account_id")
    return None


def save_path(text: str, suggested_name: str, probe: bool = True) -> tuple[Path, str | None]:
    """Where a file is to be written (the wizard's profile, `plan --out`, `export --out`): the path, and why it
    cannot be written there (one line starting with the path, with the fix), or None.

    Refused: nothing typed; a folder, also one named with a trailing / that does not exist yet (its fix names
    `suggested_name` in it, with the extension of what is written); a folder that does not exist; anything but
    a regular file; a read-only file; a folder where no file can be made. The last is found by making a file
    beside the target (`.NAME.tmp`, the one the atomic writes go through) and removing it: only trying tells
    (/proc takes no file, even for root). Nothing else is written or changed. `probe=False`: every check but
    that one (a question that checks each key typed makes no file per key)."""
    value = text.strip()
    if not value:
        return Path(), "(empty): type a file name to save to"
    target = Path(value).expanduser()
    if target.is_dir() or value.endswith(("/", os.sep)):  # "x-out/" names a folder, even one not made yet
        return target, f"{target} is a folder: add a file name, like {target / suggested_name}"
    if not target.parent.is_dir():
        # a file where a folder is named (`p.yaml/x.yaml`) is not a folder to create (a trial: "does not exist")
        file = next((p for p in (target.parent, *target.parent.parents) if p.exists() and not p.is_dir()), None)
        if file is not None:
            return target, f"{target}: {file} is a file, not a folder; choose another path"
        return target, (f"{target}: the folder {target.parent} does not exist; create it first, or choose "
                        "another path")
    if target.exists() and not target.is_file():
        return target, f"{target} is not a regular file; choose another path"
    if target.exists() and not target.stat().st_mode & 0o222:
        return target, f"{target}: cannot write it (the file is read-only); choose another path"
    if not probe:
        return target, None
    beside = target.with_name(f".{target.name}.tmp")
    existed = beside.exists()
    try:
        os.close(os.open(beside, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError as exc:
        return target, (f"{target}: cannot create a file in {target.parent} ({exc.strerror or type(exc).__name__}); "
                        "choose another path")
    if not existed:
        beside.unlink(missing_ok=True)
    return target, None
