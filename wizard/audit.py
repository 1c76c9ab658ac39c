"""`studio-vpce audit`: who can open Studio from outside the profile's network boundary, why, and whether the
profile's policy, once applied, would stop them. Also the per-principal check behind `verify --simulate`.

On AWS the IAM policy simulator (SimulatePrincipalPolicy) decides: it weighs everything IAM does for the principal
(identity policies, groups, permissions boundary, SCPs). Where it does not answer (the demo sandbox: moto lacks it;
a moto server answers HTTP 500; or the caller may not call it) the local evaluator (`iam_eval`) decides, and says
"cannot tell" (None) rather than guess. Reads only: no call here changes anything.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from wizard import iam_eval
from wizard.cloud import Cloud
from wizard.discovery import observe
from wizard.errors import AwsError, InvalidInput
from wizard.iam_eval import ACTION, START_SESSION, Decision, Match, PrincipalAccess
from wizard.iam_read import read_account
from wizard.models import Inventory, PolicyDoc, PrincipalPolicies, Profile
from wizard.names import PROFILE_TAG
from wizard.planner import plan

Progress = Callable[[int, int], None]
CONCURRENCY = 4  # simulations in flight at once: IAM throttles the simulator like its other APIs
SIMULATED_USER_PROFILES = 100  # user profile ARNs named in one simulation, besides user-profile/<domain>/*
_IP_KEYS = {"aws:sourceip", "aws:vpcsourceip"}


# What no identity policy decides, so no audit of identity policies can list: said with every report.
NOT_COVERED = (
    "the account's root user: no IAM policy restricts it (a service control policy can)",
    ("the short while IAM takes to propagate a change: AWS enforces the policy on every HTTP request and "
     "WebSocket frame that connects to the Studio app, so sessions opened before apply are held to it too, "
     "once the change has propagated"),
)


# What the local evaluation leaves out, said in its note (the simulator weighs them).
LOCAL_LEAVES_OUT = ("service control policies are not read (permissions boundaries are): an SCP may deny what "
                    "is listed here")

# What audit does not check with either method, said with every report.
NOT_CHECKED = (
    ("privilege escalation: a principal that can change or detach the studio-vpce policy (iam:CreatePolicyVersion, "
     "iam:Detach*Policy, iam:RemoveUserFromGroup), grant itself more, or assume a role listed here can open Studio "
     "from outside too"),
)
OTHER_DOMAINS = ("other domains: with access.resource_scope: domain the policy covers this domain's user profiles "
                 "only; a principal allowed sagemaker:CreateDomain or CreateUserProfile (sagemaker:*) can open Studio "
                 "from anywhere through another domain (resource_scope: all with effect: deny, or an SCP, covers it)")


# Said with the remote IDE section: how to close what the studio-vpce policy leaves open there.
REMOTE_IDE_FIX = ("to close it, add a Deny on sagemaker:StartSession (Resource space/<domain-id>/*) with the same "
                  "network condition as the studio-vpce policy, or deny sagemaker:CreateSpace and sagemaker:UpdateSpace "
                  "when sagemaker:RemoteAccess is ENABLED")


@dataclasses.dataclass(frozen=True)
class AuditReport:
    profile: str
    account_id: str
    region: str
    domain_id: str
    method: str  # simulator | local
    outside: dict[str, str]  # the request context used for "from outside"
    principals: tuple[PrincipalAccess, ...]
    checked: int  # principals whose policies could allow the action at all (the others cannot)
    note: str = ""
    demo: bool = False
    # sagemaker:StartSession on the domain's spaces from outside (remote IDE): the profile's policy does not cover it
    remote_ide: tuple[PrincipalAccess, ...] = ()
    remote_ide_checked: int = 0
    space_resource: str = ""  # arn:...:space/<domain-id>/*
    not_checked: tuple[str, ...] = NOT_CHECKED

    @property
    def still_open(self) -> list[PrincipalAccess]:
        """Principals that can open Studio from outside and that this profile would not stop."""
        return [p for p in self.principals if p.from_anywhere and p.stopped_by_profile is not True]

    @property
    def remote_ide_open(self) -> list[PrincipalAccess]:
        """Principals that can start remote IDE sessions into the domain's spaces from outside (apply changes
        nothing there)."""
        return [p for p in self.remote_ide if p.from_anywhere]

    def to_json(self) -> dict[str, Any]:
        return {"profile": self.profile, "account_id": self.account_id, "region": self.region,
                "domain_id": self.domain_id, "method": self.method, "outside_context": self.outside,
                "principals": [p.to_json() for p in self.principals], "note": self.note,
                "not_covered": list(NOT_COVERED), "not_checked": list(self.not_checked),
                "remote_ide": {"action": START_SESSION, "resource": self.space_resource,
                               "covered_by_studio_vpce": False, "checked": self.remote_ide_checked,
                               "principals": [p.to_json() for p in self.remote_ide], "what_to_do": REMOTE_IDE_FIX}}


# ---------------------------------------------------------------- the simulator

def _entries(context: dict[str, str]) -> list[dict[str, Any]]:
    return [{"ContextKeyName": key, "ContextKeyValues": [value],
             "ContextKeyType": "ip" if key.lower() in _IP_KEYS else "string"} for key, value in context.items()]


class Simulator:
    """SimulatePrincipalPolicy for CreatePresignedDomainUrl on the domain's user profiles (or `action` on other
    resources: StartSession on the domain's spaces).

    `resources`: the domain's `user-profile/<domain>/*` and, where they could be listed, each user profile's own
    ARN. The simulator matches a statement's Resource against the ARN it is given as it stands: a policy that
    allows only `.../alice` does not match the literal `.../*`, and would read as "cannot open Studio" though
    alice's profile opens. The principal can open Studio when any of them is allowed.
    """

    method = "simulator"

    def __init__(self, cloud: Cloud, resources: str | Sequence[str], action: str = ACTION) -> None:
        self.cloud = cloud
        self.resources = [resources] if isinstance(resources, str) else list(resources)
        self.action = action

    def for_action(self, action: str, prefix: str, names: Sequence[str]) -> Simulator:
        """The same simulator for another action on `prefix*` and each named resource (the first 100)."""
        return Simulator(self.cloud, [prefix + "*", *(prefix + n for n in names[:SIMULATED_USER_PROFILES])], action)

    def decide(self, principal: PrincipalPolicies, context: dict[str, str],
               extra: Sequence[PolicyDoc] = ()) -> Decision:
        params: dict[str, Any] = {"PolicySourceArn": principal.arn, "ActionNames": [self.action],
                                  "ResourceArns": self.resources, "ContextEntries": _entries(context)}
        if extra:
            params["PolicyInputList"] = [json.dumps(d.document) for d in extra]
        results = [r for r in self.cloud.pages("iam", "simulate_principal_policy", "EvaluationResults", **params)
                   if r.get("EvalActionName", "").lower() == self.action.lower()]
        if not results:
            return Decision(None, unknown=("the simulator returned no result for the action",))
        decisions = [self._one(r, principal, extra) for r in results]
        allowed = next((d for d in decisions if d.allowed is True), None)
        if allowed is not None:
            return allowed
        unknown = next((d for d in decisions if d.allowed is None), None)
        if unknown is not None:
            return unknown
        return Decision(False, denied_by=tuple(m for d in decisions for m in d.denied_by))

    def _one(self, result: dict[str, Any], principal: PrincipalPolicies, extra: Sequence[PolicyDoc]) -> Decision:
        """One evaluation result (one resource ARN)."""
        specific = result.get("ResourceSpecificResults", [])
        statements = result.get("MatchedStatements", []) + [s for r in specific for s in r.get("MatchedStatements", [])]
        missing = sorted({k for k in [*result.get("MissingContextValues", []),
                                      *(k for r in specific for k in r.get("MissingContextValues", []))]
                          if k.lower() not in iam_eval.NETWORK_KEYS})
        decision = result.get("EvalDecision", "")
        matches = tuple(self._match(s, principal, extra, decision) for s in statements)
        if missing:
            why = f"the answer depends on {', '.join(missing)}, which the simulation leaves unset (it said {decision})"
            return Decision(None, unknown=(why,))
        if decision == "allowed":
            return Decision(True, allowed_by=matches)
        return Decision(False, denied_by=matches if decision == "explicitDeny" else ())

    @staticmethod
    def _match(statement: dict[str, Any], principal: PrincipalPolicies, extra: Sequence[PolicyDoc],
               decision: str) -> Match:
        source, kind = statement.get("SourcePolicyId", "?"), statement.get("SourcePolicyType", "")
        if source.startswith("PolicyInputList.") and extra:  # the profile's policy, passed in
            index = int(source.rsplit(".", 1)[1]) - 1 if source.rsplit(".", 1)[1].isdigit() else 0
            source = extra[min(index, len(extra) - 1)].name
        else:
            source = next((d.name for d in principal.policies if d.kind == "managed" and d.name.endswith("/" + source)),
                          source)
        start = statement.get("StartPosition") or {}
        where = f"line {start.get('Line', '?')}, column {start.get('Column', '?')}"
        return Match(source, kind, where, "Allow" if decision == "allowed" else "Deny")


class LocalEvaluator:
    """The same questions, answered by `iam_eval` from the policies as read."""

    method = "local"

    def __init__(self, inventory: Inventory, prefix: str, action: str = ACTION) -> None:
        self.inventory, self.prefix, self.action = inventory, prefix, action

    def for_action(self, action: str, prefix: str, names: Sequence[str]) -> LocalEvaluator:
        return LocalEvaluator(self.inventory, prefix, action)

    def decide(self, principal: PrincipalPolicies, context: dict[str, str],
               extra: Sequence[PolicyDoc] = ()) -> Decision:
        docs = iam_eval.current_policies(self.inventory, principal)
        replaced = {d.name for d in extra}
        docs = [d for d in docs if d.name not in replaced] + list(extra)
        return iam_eval.evaluate(docs, iam_eval.Request(self.prefix, context, self.action), principal.boundary)


Judge = Simulator | LocalEvaluator


def choose_judge(cloud: Cloud, inventory: Inventory, profile: Profile,
                 probe: PrincipalPolicies | None) -> tuple[Judge, str]:
    """The simulator where it answers, else the local evaluator; and why, when it is the local one."""
    prefix = iam_eval.resource_prefix(inventory.partition, profile.region, inventory.account_id, profile.domain_id)
    local = LocalEvaluator(inventory, prefix)
    if cloud.demo:
        return local, f"the demo sandbox has no IAM policy simulator: evaluated locally ({LOCAL_LEAVES_OUT})"
    if probe is None or not probe.arn:
        return local, ""
    simulator = Simulator(cloud, prefix + "*")
    try:  # moto answers NotImplementedError in-process and HTTP 500 over HTTP (not retried: unparseable)
        simulator.decide(probe, iam_eval.outside_context(profile))
    except (AwsError, NotImplementedError) as exc:
        why = "you may not call it" if getattr(exc, "code", "").startswith("AccessDenied") else "it did not answer"
        return local, f"the IAM policy simulator is unavailable ({why}: {exc}): evaluated locally ({LOCAL_LEAVES_OUT})"
    domain = inventory.domain(profile.domain_id)
    names = list(domain.user_profiles) if domain else []
    if names:  # a statement naming some user profiles matches only their own ARNs (see Simulator)
        simulator = Simulator(cloud, [prefix + "*", *(prefix + n for n in names[:SIMULATED_USER_PROFILES])])
    note = (f"the domain has {len(names)} user profiles: the simulation names the first {SIMULATED_USER_PROFILES} "
            "(and all of them through user-profile/<domain>/*)" if len(names) > SIMULATED_USER_PROFILES else "")
    return simulator, note


# ---------------------------------------------------------------- one principal

def _outside(judge: Judge, inventory: Inventory, profile: Profile, principal: PrincipalPolicies,
             document: dict[str, Any] | None) -> tuple[list[dict[str, str]], str]:
    """The requests from outside to ask about for this principal (iam_eval.outside_contexts: more than the one
    internet address when its policies compare network keys)."""
    return iam_eval.outside_contexts(profile, inventory, iam_eval.current_policies(inventory, principal),
                                     principal.boundary, document)


def _ask(judge: Judge, principal: PrincipalPolicies, contexts: list[dict[str, str]], skipped: str,
         extra: Sequence[PolicyDoc] = ()) -> tuple[Decision, dict[str, str]]:
    """The worst answer over the requests; stops at the first "allowed" (nothing can make it worse)."""
    answers: list[tuple[dict[str, str], Decision]] = []
    for context in contexts:
        answers.append((context, judge.decide(principal, context, extra)))
        if answers[-1][1].allowed is True:
            break
    return iam_eval.worst(answers, skipped)


def principal_access(judge: Judge, inventory: Inventory, profile: Profile, principal: PrincipalPolicies,
                     document: dict[str, Any] | None) -> PrincipalAccess:
    contexts, skipped = _outside(judge, inventory, profile, principal, document)
    now, where = _ask(judge, principal, contexts, skipped)
    is_target = iam_eval.targeted(profile, principal) and document is not None
    after, after_where = now, where
    if is_target and document is not None and now.allowed is not False:
        ours = iam_eval.policy_arn(inventory.partition, inventory.account_id, profile.policy_name)
        after, after_where = _ask(judge, principal, contexts, skipped, [
            PolicyDoc(ours, "managed", f"{principal.kind}/{principal.name}", document)])
    notes = [n for n in (now.note, after.note if after is not now else "") if n]
    if not is_target:
        notes.append("not an attach target of this profile")
    ours_arn = iam_eval.policy_arn(inventory.partition, inventory.account_id, profile.policy_name)
    grants = after.allowed_by if after.allowed else now.allowed_by
    return PrincipalAccess(arn=principal.arn, type=principal.kind, name=principal.name, from_anywhere=now.allowed,
                           allowed_by=tuple(m for m in grants if m.policy != ours_arn),
                           stopped_by_profile=None if after.allowed is None else not after.allowed,
                           targeted=is_target, note="; ".join(notes),
                           outside=iam_eval.decided_where(contexts, after_where if after.allowed else where))



def remote_ide_access(judge: Judge, inventory: Inventory, profile: Profile, principal: PrincipalPolicies,
                      document: dict[str, Any] | None = None) -> PrincipalAccess:
    """sagemaker:StartSession on the domain's spaces from outside (`judge` asks that action): a remote IDE
    session into a space. The profile's policy does not name the action, so apply changes nothing here.
    `document`: the profile's policy, which draws the boundary "outside" is measured against."""
    contexts, skipped = _outside(judge, inventory, profile, principal, document)
    now, where = _ask(judge, principal, contexts, skipped)
    return PrincipalAccess(arn=principal.arn, type=principal.kind, name=principal.name, from_anywhere=now.allowed,
                           allowed_by=now.allowed_by, stopped_by_profile=False,
                           targeted=iam_eval.targeted(profile, principal), note=now.note,
                           outside=iam_eval.decided_where(contexts, where))


# ---------------------------------------------------------------- the command

_ORDER = {"user": 0, "role": 1, "group": 2}


def audit(cloud: Cloud, profile: Profile, on_progress: Progress | None = None,
          concurrency: int = CONCURRENCY) -> AuditReport:
    """Every user, role and group that can open Studio from outside the boundary (or may: None), and why."""
    inventory = observe(cloud, profile)
    planned = plan(inventory, profile)
    if inventory.domain(profile.domain_id) is None:
        raise InvalidInput(f"Studio domain {profile.domain_id} does not exist in {inventory.region}: run "
                           "`studio-vpce discover` and fix domain_id")
    document = planned.identity_policy
    everyone = read_account(cloud)
    # Where no Allow statement can reach the action, IAM cannot allow it: no need to ask.
    candidates = [p for p in everyone if iam_eval.mentions_action(iam_eval.current_policies(inventory, p))]
    # Remote IDE sessions into the domain's spaces (StartSession): the same question for another action
    ide_candidates = [p for p in everyone
                      if iam_eval.mentions_action(iam_eval.current_policies(inventory, p), START_SESSION)]
    probe = next(iter(candidates or ide_candidates), None)
    judge, note = choose_judge(cloud, inventory, profile, probe)
    domain = inventory.domain(profile.domain_id)
    spaces = iam_eval.space_prefix(inventory.partition, profile.region, inventory.account_id, profile.domain_id)
    ide_judge = judge.for_action(START_SESSION, spaces, list(domain.spaces) if domain else [])
    results: list[PrincipalAccess] = []
    ide: list[PrincipalAccess] = []
    total = len(candidates) + len(ide_candidates)
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        futures = {pool.submit(principal_access, judge, inventory, profile, p, document): results for p in candidates}
        futures.update({pool.submit(remote_ide_access, ide_judge, inventory, profile, p, document): ide
                        for p in ide_candidates})
        for done, future in enumerate(as_completed(futures), start=1):
            futures[future].append(future.result())
            if on_progress:
                on_progress(done, total)

    def shown(rows: list[PrincipalAccess]) -> tuple[PrincipalAccess, ...]:
        return tuple(sorted((r for r in rows if r.from_anywhere is not False), key=lambda r: (_ORDER[r.type], r.name)))

    return AuditReport(profile=profile.name, account_id=inventory.account_id, region=inventory.region,
                       domain_id=profile.domain_id, method=judge.method, outside=iam_eval.outside_context(profile),
                       principals=shown(results), checked=len(candidates), note=note, demo=inventory.demo,
                       remote_ide=shown(ide), remote_ide_checked=len(ide_candidates), space_resource=spaces + "*",
                       not_checked=NOT_CHECKED + ((OTHER_DOMAINS,) if profile.access.resource_scope == "domain"
                                                  and profile.access.mode != "none" else ()))


def audit_text(report: AuditReport) -> str:
    where = ", ".join(f"{k}={v}" for k, v in report.outside.items())
    lines = [f"studio-vpce audit for profile {report.profile!r}: domain {report.domain_id}, account "
             f"{report.account_id}, region {report.region}" + ("  [DEMO sandbox: nothing here is real]"
                                                               if report.demo else ""),
             f"Who can call sagemaker:CreatePresignedDomainUrl from outside the network boundary (a request with "
             f"{where}, not through a VPC endpoint{_OTHERS}); decided by the {report.method} evaluation"
             if report.method == "local" else
             f"Who can call sagemaker:CreatePresignedDomainUrl from outside the network boundary (a request with "
             f"{where}, not through a VPC endpoint{_OTHERS}); decided by the IAM policy simulator"]
    if report.note:
        lines.append(f"note: {report.note}")
    lines.append("")
    width = max((len(f"{p.type} {p.name}") for p in report.principals), default=0)
    for p in report.principals:
        now = {True: "yes", None: "cannot tell"}[p.from_anywhere]  # type: ignore[index]
        if p.stopped_by_profile is True:  # "stopped" only what is known to be open now
            after = "stopped by this profile" if p.from_anywhere else "closed after apply, whatever it is now"
        elif p.stopped_by_profile is None:
            after = "after apply: cannot tell"
        else:
            after = "still open after apply" + (": set access.effect: deny" if p.targeted else  # (trial 16: no
                                                 f" (not an attach target): add it to access.attach.{p.type}s, or "
                                                 "remove the grant")  # advice for them)
        lines.append(f"  {f'{p.type} {p.name}'.ljust(width)}  from outside: {now:<11}  {after}")
        lines += _from_where(p)
        for match in p.allowed_by:
            lines.append(f"      allowed by {match.describe()}")
        if p.note and (p.from_anywhere is None or p.stopped_by_profile is None):
            lines.append(f"      why unsure: {p.note}")
    if not report.principals:
        lines.append("  Nobody can open Studio from outside the boundary." if not report.remote_ide else
                     "  Nobody can open Studio from outside the boundary through a presigned URL "
                     "(remote IDE sessions: see below).")
    lines.append("")
    lines.append(f"Audit: {sum(1 for p in report.principals if p.from_anywhere)} can open Studio from outside, "
                 f"{sum(1 for p in report.principals if p.from_anywhere is None)} undecided, "
                 f"{len(report.still_open)} still could after apply ({report.checked} principal(s) checked).")
    lines += _remote_ide_lines(report)
    lines.append(f"Not covered (no identity policy decides them): {'; '.join(NOT_COVERED)}.")
    lines.append(f"Not checked by audit: {'; '.join(report.not_checked)}.")
    return "\n".join(lines)


# Said in the header: the other requests from outside asked about (iam_eval.outside_contexts)
_OTHERS = ", and the requests through other VPCs, endpoints and ranges that the principals' network conditions name"


def _from_where(p: PrincipalAccess) -> list[str]:
    """The request from outside that decided, when it is not the header's."""
    return [f"      from outside as: {iam_eval.describe_context(p.outside)}"] if p.outside else []


def _remote_ide_lines(report: AuditReport) -> list[str]:
    """Remote IDE sessions (sagemaker:StartSession) into the domain's spaces: their own section, after the summary
    of presigned URLs, since the profile's policy does not cover them."""
    what = ("can start remote IDE sessions into the domain's spaces from outside (sagemaker:StartSession), which "
            "the studio-vpce policy does not cover")
    rows = report.remote_ide
    if not rows:
        return [(f"Remote IDE: nobody can start remote IDE sessions into the domain's spaces from outside "
                 f"(sagemaker:StartSession; {report.remote_ide_checked} principal(s) checked).")]
    lines = ["", (f"Remote IDE sessions (sagemaker:StartSession on {report.space_resource or 'the domain spaces'}) "
                  "from outside; the studio-vpce policy does not cover them:")]
    width = max(len(f"{p.type} {p.name}") for p in rows)
    for p in rows:
        now = {True: "yes", None: "cannot tell"}[p.from_anywhere]  # type: ignore[index]
        lines.append(f"  {f'{p.type} {p.name}'.ljust(width)}  from outside: {now:<11}  not stopped by this profile")
        lines += _from_where(p)
        for match in p.allowed_by:
            lines.append(f"      allowed by {match.describe()}")
        if p.note and p.from_anywhere is None:
            lines.append(f"      why unsure: {p.note}")
    lines.append(f"  {REMOTE_IDE_FIX[0].upper()}{REMOTE_IDE_FIX[1:]}.")
    known = sum(1 for p in rows if p.from_anywhere)
    lines.append(f"Remote IDE: {known} {what}, {sum(1 for p in rows if p.from_anywhere is None)} undecided "
                 f"({report.remote_ide_checked} principal(s) checked).")
    return lines


# ---------------------------------------------------------------- verify --simulate

@dataclasses.dataclass(frozen=True)
class TargetCheck:
    kind: str
    name: str
    inside: Decision | None  # None: the profile draws no boundary (mode none)
    outside: Decision

    @property
    def ok(self) -> bool | None:
        inside_ok = True if self.inside is None else self.inside.allowed
        outside_ok = iam_eval._not(self.outside.allowed)
        return iam_eval._and([inside_ok, outside_ok])


def _arn(cloud: Cloud, kind: str, name: str) -> str:
    operation, key, field = {"user": ("get_user", "UserName", "User"), "role": ("get_role", "RoleName", "Role"),
                             "group": ("get_group", "GroupName", "Group")}[kind]
    return str(cloud.call("iam", operation, **{key: name, **({"MaxItems": 1} if kind == "group" else {})})[field]["Arn"])


def simulate_targets(cloud: Cloud, profile: Profile, inventory: Inventory) -> tuple[str, str, list[TargetCheck]]:
    """For each attach target: from inside allowed, from outside denied? (method, note, checks)."""
    # "Inside" comes through a live Studio/API endpoint of the VPC, this profile's first (its policy names them).
    endpoints = sorted((e for e in inventory.endpoints if e.vpc_id == profile.vpc_id and e.live
                        and e.service.endswith((".studio", ".sagemaker.api"))),
                       key=lambda e: (e.tag_map.get(PROFILE_TAG) != profile.name, e.id))
    vpc = inventory.vpc(profile.vpc_id)
    inside = iam_eval.inside_context(profile, [e.id for e in endpoints], vpc.cidrs if vpc else ())
    targets = list(inventory.principal_policies)
    if not cloud.demo and targets:
        targets = [dataclasses.replace(t, arn=_arn(cloud, t.kind, t.name)) for t in targets]
    judge, note = choose_judge(cloud, inventory, profile, targets[0] if targets else None)
    # "from outside": every request audit asks (the other ranges, VPCs and endpoints the target's policies name),
    # the worst answer (the audit helper left verify --simulate on the one internet address)
    document = inventory.policy.document if inventory.policy is not None else None
    checks = [TargetCheck(t.kind, t.name, judge.decide(t, inside) if inside is not None else None,
                          _ask(judge, t, *_outside(judge, inventory, profile, t, document))[0]) for t in targets]
    return judge.method, note, checks
