"""Policy documents as pure functions returning dicts, and their lint.

The identity policy follows the AWS guide's four examples, with two deliberate differences:
- the Sid: the guide's "Enable SageMaker Studio Access" is rejected by IAM (Sids must match [0-9A-Za-z]*);
- the operator on aws:sourceVpce: the guide's example 2 writes ForAnyValue:StringEquals, but the IAM reference
  says not to use set operators (ForAnyValue:/ForAllValues:) with single-valued keys such as aws:sourceVpce;
  plain StringEquals with a list of values already matches any one of them.
"""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import json
import re
from typing import Any

from wizard.models import KNOWN_AFTER_APPLY, Finding, Profile
from wizard.modes import mode

VERSION = "2012-10-17"
ACTIONS = ["sagemaker:CreatePresignedDomainUrl", "sagemaker:DescribeUserProfile"]
SID_RE = re.compile(r"^[0-9A-Za-z]*$")
MANAGED_POLICY_LIMIT = 6144  # characters, whitespace not counted
ENDPOINT_POLICY_LIMIT = 20480  # characters, whitespace counted
_ALLOWED_CHARS = re.compile(r"^[\t\n\r\u0020-\u00ff]*$")


def sagemaker_arn(partition: str, region: str, account: str, resource: str) -> str:
    return f"arn:{partition}:sagemaker:{region}:{account}:{resource}"


# ---------------------------------------------------------------- endpoint policies

def endpoint_statement(preset: str, *, partition: str, region: str, account: str, domain_id: str) -> dict[str, Any]:
    if preset == "create-app":
        return {"Sid": "AllowCreateApp", "Effect": "Allow", "Principal": "*", "Action": "sagemaker:CreateApp",
                "Resource": sagemaker_arn(partition, region, account, f"app/{domain_id}/*")}
    if preset == "presigned-url":
        return {"Sid": "AllowPresignedDomainUrl", "Effect": "Allow", "Principal": "*",
                "Action": "sagemaker:CreatePresignedDomainUrl",
                "Resource": sagemaker_arn(partition, region, account, f"user-profile/{domain_id}/*")}
    raise ValueError(f"unknown endpoint policy preset {preset!r}")


def endpoint_policy(presets: list[str], *, partition: str, region: str, account: str,
                    domain_id: str) -> dict[str, Any] | None:
    """The endpoint policy for a list of presets; None means no document (AWS default: full access)."""
    if not presets:
        return None
    return {"Version": VERSION, "Statement": [
        endpoint_statement(p, partition=partition, region=region, account=account, domain_id=domain_id)
        for p in presets]}


# ---------------------------------------------------------------- identity policy

def _conditions(mode: str, *, vpc_id: str, vpce_ids: list[str], cidrs: list[str]) -> list[tuple[str, str, Any, str]]:
    """(allow operator, key, value, deny operator) for each condition of the mode."""
    if mode == "subnet":
        return [("StringEquals", "aws:SourceVpc", vpc_id, "StringNotEquals")]
    if mode == "vpce":
        return [("StringEquals", "aws:sourceVpce", vpce_ids, "StringNotEquals")]  # single-valued: no ForAnyValue
    if mode == "source-ip":
        return [("IpAddress", "aws:SourceIp", cidrs, "NotIpAddress")]
    if mode == "vpc-source-ip":
        return [("IpAddress", "aws:VpcSourceIp", cidrs, "NotIpAddress"),
                ("StringEquals", "aws:SourceVpc", vpc_id, "StringNotEquals")]
    raise ValueError(f"no identity policy for access mode {mode!r}")


_DENY_SIDS = {"aws:SourceVpc": "DenyStudioAccessOutsideVpc", "aws:sourceVpce": "DenyStudioAccessOutsideEndpoints",
              "aws:SourceIp": "DenyStudioAccessFromOtherIps", "aws:VpcSourceIp": "DenyStudioAccessFromOtherVpcIps"}


def identity_policy(*, mode: str, effect: str, partition: str, region: str, account: str, domain_id: str,
                    resource_scope: str, vpc_id: str, vpce_ids: list[str], cidrs: list[str]) -> dict[str, Any]:
    """The guide's policy (Allow with a condition) plus, for effect deny, one Deny per condition."""
    resource: str = "*" if resource_scope == "all" else sagemaker_arn(
        partition, region, account, f"user-profile/{domain_id}/*")
    conditions = _conditions(mode, vpc_id=vpc_id, vpce_ids=vpce_ids, cidrs=cidrs)
    allow_condition: dict[str, Any] = {}
    for operator, key, value, _ in conditions:
        allow_condition.setdefault(operator, {})[key] = value
    statements: list[dict[str, Any]] = [{"Sid": "EnableSageMakerStudioAccess", "Effect": "Allow",
                                         "Action": list(ACTIONS), "Resource": resource,
                                         "Condition": allow_condition}]
    if effect == "deny":
        for _, key, value, deny_operator in conditions:
            statements.append({"Sid": _DENY_SIDS[key], "Effect": "Deny", "Action": list(ACTIONS),
                               "Resource": resource, "Condition": {deny_operator: {key: value}}})
    return {"Version": VERSION, "Statement": statements}


def identity_policy_for(profile: Profile, *, partition: str, account: str, vpce_ids: list[str]) -> dict[str, Any] | None:
    if profile.access.mode == "none":
        return None
    return identity_policy(mode=profile.access.mode, effect=profile.access.effect, partition=partition,
                           region=profile.region, account=account, domain_id=profile.domain_id,
                           resource_scope=profile.access.resource_scope, vpc_id=profile.vpc_id,
                           vpce_ids=vpce_ids, cidrs=list(profile.access.cidrs))


DESCRIPTION_LIMIT = 1000  # IAM: a managed policy's Description


def _boundary(profile: Profile, vpc: str) -> str:
    """Where the identity policy lets Studio be opened from, per access mode: the lists themselves (ranges, extra
    endpoints) are the document's, never named here."""
    access = profile.access
    if access.mode == "subnet":
        return f"from inside {vpc}"
    if access.mode == "vpce":
        own = profile.endpoints.studio or profile.endpoints.api
        return f"through {vpc}'s interface endpoints" if own else "through the VPC endpoints the policy names"
    if access.mode == "source-ip":
        return "from the public IP ranges the policy names"
    if access.mode == "vpc-source-ip":
        return f"from the addresses inside {vpc} the policy names"
    raise ValueError(f"no identity policy for access mode {access.mode!r}")


def access_description(profile: Profile, vpc: str | None = None) -> str:
    """The identity policy's Description (apply's, every export's), saying what it does in the profile's mode and
    effect (a source-ip policy was described as "only from inside vpc-...": trial 13). It names no range and no
    extra endpoint: IAM never changes a policy's Description (a new one means a new policy, and Terraform or
    CloudFormation replace the policy, detached and deleted, to change it), so one that named the ranges told
    reviewers ranges no longer admitted after the first edit (trial 14); the ranges are in the document. `vpc`:
    the VPC as the caller spells it (a variable in an export)."""
    guard = ", and deny it from anywhere else whatever other policies allow" if profile.access.effect == "deny" else ""
    return f"Open SageMaker Studio only {_boundary(profile, vpc or profile.vpc_id)}{guard} (studio-vpce)"


def access_summary(profile: Profile) -> str:
    """The same, short, for the plan's line of the policy ("opens Studio only from the allowed public IP ranges")."""
    where = mode(profile.access.mode).where
    if profile.access.mode == "vpce" and not (profile.endpoints.studio or profile.endpoints.api):
        where = "through the VPC endpoints in access.extra_vpce_ids"
    guard = ", and denies it from anywhere else" if profile.access.effect == "deny" else ""
    return f"opens Studio only {where}{guard}"


def endpoint_policies_for(profile: Profile, *, partition: str, account: str) -> dict[str, dict[str, Any] | None]:
    out: dict[str, dict[str, Any] | None] = {}
    for key, presets in (("studio", profile.endpoint_policy.studio), ("api", profile.endpoint_policy.api)):
        if getattr(profile.endpoints, key):
            out[key] = endpoint_policy(list(presets), partition=partition, region=profile.region, account=account,
                                       domain_id=profile.domain_id)
    return out


# ---------------------------------------------------------------- lint

def minified_size(document: dict[str, Any]) -> int:
    """IAM counts a managed policy's characters without whitespace."""
    return len(re.sub(r"\s", "", json.dumps(document, separators=(",", ":"))))


def _sid_findings(document: dict[str, Any], what: str) -> list[Finding]:
    out = []
    for statement in document.get("Statement", []):
        sid = statement.get("Sid")
        if sid is not None and not SID_RE.match(sid):
            out.append(Finding("sid_invalid", f"{what}: Sid {sid!r} is rejected by IAM: Statement IDs must be "
                                              "alpha-numeric ([0-9A-Za-z]*)"))
    return out


def _chars_findings(document: dict[str, Any], what: str) -> list[Finding]:
    text = json.dumps(document, ensure_ascii=False)
    if not _ALLOWED_CHARS.match(text):
        return [Finding("policy_characters", f"{what}: only tab, LF, CR and U+0020-U+00FF are allowed in policies")]
    return []


def lint_endpoint_policy(document: dict[str, Any] | None, key: str) -> list[Finding]:
    if document is None:
        return []
    what = f"{key} endpoint policy"
    findings = _sid_findings(document, what) + _chars_findings(document, what)
    size = len(json.dumps(document, indent=2))
    if size > ENDPOINT_POLICY_LIMIT:
        findings.append(Finding("endpoint_policy_too_large",
                                f"{what} is {size} characters; AWS allows {ENDPOINT_POLICY_LIMIT} including whitespace"))
    for statement in document.get("Statement", []):
        if "Principal" not in statement:
            findings.append(Finding("endpoint_policy_principal", f"{what}: every statement needs a Principal"))
    if key == "studio":
        actions = [a for s in document.get("Statement", []) if s.get("Effect") == "Allow"
                   for a in ([s["Action"]] if isinstance(s.get("Action"), str) else s.get("Action", []))]
        if not any(a in ("sagemaker:CreateApp", "sagemaker:*", "*") for a in actions):
            findings.append(Finding("studio_policy_needs_create_app",
                                    "the Studio endpoint policy must allow sagemaker:CreateApp (add the create-app "
                                    "preset to endpoint_policy.studio), or Studio apps fail to launch"))
    return findings


def lint_identity_policy(document: dict[str, Any], resource_scope: str) -> list[Finding]:
    """Our limits plus parliament; RESOURCE_STAR is expected when the profile chose resource_scope: all."""
    what = "identity policy"
    findings = _sid_findings(document, what) + _chars_findings(document, what)
    size = minified_size(document)
    if size > MANAGED_POLICY_LIMIT:
        findings.append(Finding("policy_too_large", f"{what} is {size} characters without whitespace; "
                                                    f"IAM allows {MANAGED_POLICY_LIMIT} (Cannot exceed quota for PolicySize)"))
    findings += parliament_findings(document, allow_resource_star=resource_scope == "all")
    return findings


# The global condition keys of type Ip (IAM's reference: aws:SourceIp, aws:VpcSourceIp), in lower case.
IP_KEYS = ("aws:sourceip", "aws:vpcsourceip")
# What parliament sees in place of a valid IPv6 value of such a key (see _ipv6_judged_as_ipv4).
IPV6_STAND_IN = "192.0.2.0/24"


def _ipv6_judged_as_ipv4(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every valid IPv6 address or range of an Ip-typed key (aws:SourceIp, aws:VpcSourceIp)
    replaced by an IPv4 range, for parliament only.

    IAM takes IPv6 there (the IP address operators: "203.0.113.0/24 or 2001:DB8:1234:5678::/64"), but
    parliament's Ip pattern knows IPv4 and all-digit IPv6 only, so `2001:db8::/32` was a false MISMATCHED_TYPE
    (trial 13). Only values that parse as IPv6 are replaced: anything else, and every other key, reaches
    parliament as written."""
    def value(key: str, item: Any) -> Any:
        if key.lower() not in IP_KEYS or not isinstance(item, str) or ":" not in item:
            return item
        try:
            ipaddress.IPv6Network(item, strict=False)
        except ValueError:
            return item
        return IPV6_STAND_IN

    out = copy.deepcopy(document)
    statements = out.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        condition = statement.get("Condition") if isinstance(statement, dict) else None
        for block in condition.values() if isinstance(condition, dict) else ():
            if not isinstance(block, dict):
                continue
            for key, values in block.items():
                block[key] = [value(key, v) for v in values] if isinstance(values, list) else value(key, values)
    return out


def parliament_findings(document: dict[str, Any], allow_resource_star: bool) -> list[Finding]:
    """parliament's findings on the document, RESOURCE_STAR dropped when the profile chose `*` (and IPv6 values
    of aws:SourceIp and aws:VpcSourceIp not taken for a type mismatch: _ipv6_judged_as_ipv4)."""
    text = json.dumps(_ipv6_judged_as_ipv4(document)).replace(KNOWN_AFTER_APPLY, "vpce-00000000000000000")
    out = []
    for issue, detail in _parliament_verdict(text):
        if issue == "RESOURCE_STAR" and allow_resource_star:
            continue
        out.append(Finding(f"parliament_{issue.lower()}",
                           f"identity policy: parliament reports {issue} {detail}".strip()))
    return out


def prepare_lint() -> None:
    """Start importing parliament in the background when no verdict is cached yet (a first run, or caching
    off), so that its import overlaps the reads that come before the lint (the CPU is idle while they wait on
    AWS, or on a demo sandbox that is starting). Only a head start: the lint imports parliament as before,
    waiting for this import when it is still under way; a cached verdict leaves it unused."""
    import threading  # noqa: PLC0415

    from wizard import cache  # noqa: PLC0415

    if cache.enabled():
        try:
            if any(cache.cache_dir().joinpath("lint").iterdir()):
                return
        except OSError:
            pass  # no verdict folder yet: a first run
    threading.Thread(target=_import_parliament, name="studio-vpce-parliament-import", daemon=True).start()


def _import_parliament() -> None:
    try:
        import parliament  # noqa: F401, PLC0415
    except Exception:  # noqa: BLE001, S110 - the lint imports it again and reports what fails there
        pass


def _parliament_verdict(text: str) -> list[tuple[str, str]]:
    """parliament's (issue, detail) pairs for a policy text, cached on disk by the text's hash.

    parliament is a pure function of the document and its own version, but it loads a 10 MB IAM definition
    on import (about a third of a second): a plan of a document it has already judged skips that.
    """
    from importlib.metadata import version  # noqa: PLC0415

    from wizard import cache  # noqa: PLC0415

    key = hashlib.sha256(f"parliament {version('parliament')}\n{text}".encode()).hexdigest()
    cached = cache.read_json("lint", f"{key}.json")
    if isinstance(cached, list) and all(isinstance(p, list) and len(p) == 2 for p in cached):
        return [(str(issue), str(detail)) for issue, detail in cached]
    import parliament  # noqa: PLC0415 - slow to import; only plan needs it, and only for a new document

    verdict = [(f.issue, str(f.detail or "")) for f in parliament.analyze_policy_string(text).findings]
    cache.write_json(verdict, "lint", f"{key}.json")
    return verdict
