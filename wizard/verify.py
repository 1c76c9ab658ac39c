"""Check the live setup against the profile. Reads only; the presigned URL is never kept."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from wizard import readiness, validators
from wizard.cloud import Cloud
from wizard.discovery import observe
from wizard.errors import AwsError, Refused
from wizard.models import Change, Inventory, Profile
from wizard.planner import admits_https, plan, revoke_command, rule_ports


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    advisory: bool = False  # reported, but does not fail verify (outside what the profile governs)


@dataclass(frozen=True)
class PresignedUrl:
    """Holds the URL only in memory; str() shows the host alone (it carries a login token)."""

    url: str

    @property
    def host(self) -> str:
        return urlparse(self.url).hostname or "?"

    def __str__(self) -> str:
        return f"<presigned URL for {self.host}>"

    __repr__ = __str__


def verify(cloud: Cloud, profile: Profile, user_profile: str | None = None,
           presigned: bool = False, simulate: bool = False) -> tuple[list[Check], PresignedUrl | None]:
    inv = observe(cloud, profile)
    mismatch = validators.account_guard(profile.account_id, inv.account_id, inv.demo)
    if mismatch:  # as every other command: one line, before any check (trial 16: 13 `ok` lines of another account,
        raise Refused(mismatch)  # and --presigned-url would have asked that account for a login URL)
    checks = static_checks(inv, profile)
    if simulate:
        checks += simulate_checks(cloud, profile, inv)
    url = None
    if user_profile:
        try:
            status = cloud.call("sagemaker", "describe_user_profile", DomainId=profile.domain_id,
                                UserProfileName=user_profile).get("Status", "?")
            fake = (" (DEMO sandbox: it answers InService for any name, so this does not check the name)"
                    if cloud.demo else "")  # a typo passing here would teach that verify never checks names
            checks.append(Check("user_profile", status == "InService", f"{user_profile} is {status}{fake}"))
        except AwsError as exc:
            checks.append(Check("user_profile", False, str(exc)))
        if presigned:
            try:
                response = cloud.call("sagemaker", "create_presigned_domain_url", DomainId=profile.domain_id,
                                      UserProfileName=user_profile, ExpiresInSeconds=5)
                url = PresignedUrl(response["AuthorizedUrl"])
                checks.append(Check("presigned_url", True, f"CreatePresignedDomainUrl succeeded; host {url.host}"
                                    + (" (DEMO sandbox: it makes a fake URL for any name)" if cloud.demo else "")))
            except AwsError as exc:
                checks.append(Check("presigned_url", False, str(exc)))
    return checks, url


def _named_check(change: Change) -> str | None:
    """The check that names a record, the identity policy or an attachment the profile governs."""
    if change.type == "route53_record":
        return f"record_{change.address.split('.', 1)[1]}"
    if change.address == "iam_policy.access":
        return "identity_policy"
    if change.type == "iam_policy_attachment":
        return "attachment_" + change.address.split(".", 1)[1].replace(".", "_")
    return None


def static_checks(inv: Inventory, profile: Profile) -> list[Check]:
    checks: list[Check] = []
    current = plan(inv, profile)
    pending = [c for c in current.changes if c.action != "no-op"]
    checks.append(Check("matches_profile", not pending and not current.errors,
                        "the account matches the profile" if not pending and not current.errors else
                        "; ".join([f"{c.action} {c.address}" for c in pending] + [e.code for e in current.errors])))
    for finding in readiness.report(inv, profile):
        checks.append(Check(finding.code, False, finding.message, advisory=True))
    for finding in current.warnings:  # what plan already knows of who can still open Studio from outside (trial 16:
        if finding.code in ("restriction_ineffective", "restriction_unverified",  # verify said all ok), and
                            "stack_deployment", "remote_ide_open"):  # whose deployment it is (trials 17, 18)
            checks.append(Check(finding.code, False, finding.message, advisory=True))
    for change in current.changes:
        name = _named_check(change)
        if name:
            ok = change.action == "no-op"
            checks.append(Check(name, ok, f"{change.address} as generated" if ok else
                                f"{change.address} differs from the profile: apply would {change.action} it"))
    group = next((c for c in current.changes if c.address == "security_group.endpoints" and c.action == "no-op"), None)
    if group is not None:  # this profile's own group: it admits what the profile defines, and nothing else
        strays = [c.before for c in current.changes if c.type == "security_group_rule" and c.action == "delete"]
        shown = ", ".join(f"{rule_ports(str(r.get('protocol', 'tcp')), int(r.get('from_port', 443)), int(r.get('to_port', 443)))}"
                          f" from {r.get('source')}" for r in strays)
        if any(e.code == "deployed_by_stack" for e in current.errors):  # apply does not change it (trials 17, 18)
            fix = ("a stack's group, which apply does not change: revoke by hand: "
                   + "; ".join(f"`{revoke_command(str(group.id), r)}`" for r in strays))
        else:
            fix = f"apply revokes {'them' if len(strays) > 1 else 'it'}"
        checks.append(Check("endpoint_group_ingress", not strays, f"{group.after.get('name')} ({group.id}) admits "
                            + (f"what the profile does not define: {shown}; {fix}" if strays else
                               "only what the profile defines")))
    domain = inv.domain(profile.domain_id)
    studio_groups = domain.security_group_ids if domain else ()
    for change in current.changes:
        if change.type != "vpc_endpoint" or change.action == "create" or not change.id:
            continue
        endpoint = next((e for e in inv.endpoints if e.id == change.id), None)
        if endpoint is None:
            continue
        key = change.address.split(".", 1)[1]
        checks.append(Check(f"endpoint_{key}_available", endpoint.state == "available",
                            f"{endpoint.id} is {endpoint.state}"))
        checks.append(Check(f"endpoint_{key}_policy", change.before.get("policy") == change.after.get("policy"),
                            f"endpoint policy on {endpoint.id} "
                            + ("as generated" if change.before.get("policy") == change.after.get("policy")
                               else "differs from the profile")))
        if endpoint.type == "Gateway":  # on route tables (matches_profile checks them): no DNS, no security group
            continue
        if profile.dns.mode == "private-dns":
            checks.append(Check(f"endpoint_{key}_private_dns", endpoint.private_dns,
                                f"private DNS {'enabled' if endpoint.private_dns else 'disabled'} on {endpoint.id}"))
        groups = [g for g in (inv.security_group(i) for i in endpoint.security_group_ids) if g]
        for sg in studio_groups:
            admitted = any(admits_https(g, sg) for g in groups)
            checks.append(Check(f"https_from_{sg}_to_{key}", admitted,
                                f"{'443 admitted' if admitted else 'no rule admits 443'} from {sg} to {endpoint.id}"))
    return checks


def _word(allowed: bool | None) -> str:
    return {True: "allowed", False: "denied", None: "cannot tell"}[allowed]


def simulate_checks(cloud: Cloud, profile: Profile, inv: Inventory) -> list[Check]:
    """Per attach target: CreatePresignedDomainUrl from inside allowed, from outside denied (issue 12)."""
    from wizard.audit import simulate_targets  # noqa: PLC0415 - imports the planner's view of IAM

    method, note, results = simulate_targets(cloud, profile, inv)
    checks = []
    for result in results:
        detail = (("" if result.inside is None else f"inside: {_word(result.inside.allowed)}, ")
                  + f"outside: {_word(result.outside.allowed)} ({'IAM policy simulator' if method == 'simulator' else 'local evaluation'})")
        why = "; ".join(d.note for d in (result.inside, result.outside) if d is not None and d.note)
        grants = [m.describe() for m in result.outside.allowed_by]
        if grants:
            detail += f"; outside allowed by {', '.join(grants)}"
        if why:
            detail += f"; {why}"
        checks.append(Check(f"simulate_{result.kind}_{result.name}", result.ok is True, detail,
                            advisory=result.ok is None))
    if note and results:
        checks.append(Check("simulate_method", True, note, advisory=False))
    return checks
