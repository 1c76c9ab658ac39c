"""The wizard's steps as data: one registry that WizardSession, the Textual screens and `--plain` iterate.

A step has a name, a title (the heading "Step N of M: Title"), a short label (the step list), help (F1), the
inputs it collects (each with its on-screen label and its validator) and a check that says why Next is not
allowed yet. Adding a step touches this file, and each front end's view of it.
Pure: no I/O, no UI; the `session` passed around is a WizardSession (duck-typed to avoid an import circle).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wizard import validators
from wizard.modes import BY_NAME as MODES

_SG_ID = re.compile(r"^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$")


@dataclass(frozen=True)
class Input:
    """A typed input: its label on screen (and in --plain), and the rule for what is typed."""

    key: str
    label: str
    validate: Callable[[Any, str], str | None]  # (session, text) -> why not, or None
    placeholder: str = ""
    many: bool = False  # a list, typed comma- or space-separated (validators.split_list): pasted lines join it

    def error(self, session: Any, text: str) -> str | None:
        """The refusal in the words of the label, or None."""
        reason = self.validate(session, text)
        return f"{self.label}: {reason}" if reason else None


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    short: str
    help: str
    check: Callable[[Any], str | None] = lambda _session: None  # why Next is not allowed, or None
    inputs: tuple[Input, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- input rules (validators.py does the work)

def _each(rule: Callable[[str], str | None]) -> Callable[[Any, str], str | None]:
    def check(_session: Any, text: str) -> str | None:
        items = validators.split_list(text)
        for item in items:
            reason = rule(item)
            if reason:
                return reason
        return validators.repeated(items)
    return check


def _sg_id(text: str) -> str | None:
    return None if _SG_ID.match(text) else f"{text} is not a security group id (sg- and 8 or 17 hex digits)"


def _optional_sg_id(_session: Any, text: str) -> str | None:
    return _sg_id(text.strip()) if text.strip() else None


def _access_cidrs(session: Any, text: str) -> str | None:
    mode = session.answers["access"]["mode"]
    cidrs = validators.split_list(text)
    if MODES[mode].needs_cidrs and not cidrs:
        return f"access mode {mode} needs at least one range"
    vpc = session.vpc
    for item in cidrs:
        reason = validators.access_cidr(item, mode, vpc.cidrs if vpc else (), vpc.id if vpc else "the VPC")
        if reason:
            return reason
    return validators.repeated(cidrs) or (validators.whole_internet(cidrs) if mode == "source-ip" else None)


NAME = Input("name", "Profile name", lambda _s, text: validators.profile_name(text), "research-private")
SG_SOURCES = Input("sg_sources", "HTTPS (443) source security groups", _each(_sg_id), "sg-... (empty: the domain's)",
                   many=True)
SG_CIDRS = Input("sg_cidrs", "Extra 443 source CIDRs", _each(validators.https_source_cidr), "10.8.0.0/16 (optional)",
                 many=True)
SG_ID = Input("sg_id", "Endpoint security group", _optional_sg_id, "sg-... (empty: create one)")
ACCESS_CIDRS = Input("access_cidrs", "CIDR ranges", _access_cidrs, "ranges, comma-separated", many=True)
INPUTS = {i.key: i for i in (NAME, SG_SOURCES, SG_CIDRS, SG_ID, ACCESS_CIDRS)}


def input_text(session: Any, key: str) -> str:
    """The current answer for an input, as it is typed."""
    a = session.answers
    value = {"name": a["name"], "sg_sources": a["security_group"]["allow_from_security_groups"],
             "sg_cidrs": a["security_group"]["allow_from_cidrs"], "sg_id": a["security_group"]["id"] or "",
             "access_cidrs": a["access"]["cidrs"]}[key]
    return ", ".join(value) if isinstance(value, list) else value


# ---------------------------------------------------------------- step checks

def _first_input_error(step: Step, session: Any) -> str | None:
    for item in step.inputs:
        reason = item.error(session, input_text(session, item.key))
        if reason:
            return reason
    return None


def _connect(session: Any) -> str | None:
    if session.discovery_error:
        return f"discovery failed: {session.discovery_error}"
    if session.inventory is None:
        return "waiting for discovery"
    return session.account_problem()


def _vpc(session: Any) -> str | None:
    return None if session.vpc is not None else "choose a VPC (Enter on its row)"


def _subnets(session: Any) -> str | None:
    vpc_id, inventory = session.answers["vpc_id"], session.inventory
    if session.vpc is None and vpc_id and inventory is not None:  # gone since it was chosen (trial 14: a re-run
        ticked = session.answers["subnet_ids"]  # discovery left an empty list and "choose at least one subnet")
        went = f" (the subnets ticked in it, {', '.join(ticked)}, went with it)" if ticked else ""
        return f"VPC {vpc_id} does not exist in {inventory.region}{went}: choose a VPC on the VPC step"
    options = session.subnet_options()
    gone = [o.reason for o in options if o.gone]  # a loaded profile's subnets not in the VPC: the plan's errors
    if gone:
        return f"{'; '.join(gone)}: untick {'it' if len(gone) == 1 else 'them'}"
    chosen = [o for o in options if o.selected]
    if not chosen:
        return "choose at least one subnet (Space ticks its row)"  # true in the TUI and in --plain
    azs = [o.subnet.az for o in chosen]
    clash = next((az for az in azs if azs.count(az) > 1), None)
    if clash is not None:  # named (a trial: --plain said only the rule; the TUI's row names the subnet chosen)
        both = " and ".join(o.subnet.id for o in chosen if o.subnet.az == clash)
        return f"{both} are both in {clash}: one subnet per Availability Zone, untick one"
    unsupported = next((o for o in chosen if o.reason and "not offered" in o.reason), None)
    return f"{unsupported.subnet.id}: {unsupported.reason}" if unsupported else None


def _domain(session: Any) -> str | None:
    return None if session.domain is not None else "choose a Studio domain (Enter on its row)"


def endpoint_policy_error(session: Any, key: str) -> str | None:
    """Why the answers' `key` ("studio" or "api") endpoint policy presets make a policy the plan refuses, or None.

    The rule is the plan's own (policies.lint_endpoint_policy: the Studio endpoint must allow CreateApp, or
    Studio apps fail to launch), applied to the document these presets make, so that the Endpoints step of
    every front end (the TUI's Next, --plain's question) refuses it where it is chosen, in the plan's words."""
    from wizard.permissions import partition_of  # noqa: PLC0415 - pure, small
    from wizard.policies import endpoint_policy, lint_endpoint_policy  # noqa: PLC0415 - loads pydantic's models

    inventory = session.inventory
    region = session.region or ""
    document = endpoint_policy(session.answers["endpoint_policy"][key], partition=partition_of(region),
                               region=region, account=inventory.account_id if inventory else "000000000000",
                               domain_id=session.answers["domain_id"] or "d-x")
    findings = lint_endpoint_policy(document, key)
    return findings[0].message if findings else None


def _endpoints(session: Any) -> str | None:
    for key in ("studio", "api"):
        reason = endpoint_policy_error(session, key)
        if reason:
            return reason
    return None


def _access(session: Any) -> str | None:
    reason = session.mode_reason()
    if reason and session.answers["access"]["mode"] != "none":
        return reason
    gone = session.gone_principals()  # a loaded profile's attach targets the account lacks: the plan's error
    if gone and session.answers["access"]["mode"] != "none":
        if len(gone) == 1:
            return f"{validators.principal_exists(gone[0][0], gone[0][1], False)}: untick it"
        return f"IAM {', '.join(f'{kind} {name!r}' for kind, name in gone)} (access.attach) do not exist: untick them"
    return None


def _preview(session: Any) -> str | None:
    if session.plan_error:
        return f"the plan failed: {session.plan_error}"
    if session.plan is None:
        return "making the plan..."
    if session.plan.errors:
        return f"the plan has {len(session.plan.errors)} error(s); go back and fix them"
    return None


def _apply(session: Any) -> str | None:
    return None if session.result is not None and session.result.ok else "apply has not finished"


STEPS: tuple[Step, ...] = (
    Step("connect", "Connect", "Connect",
         "Discovery reads your VPCs, subnets, Studio domains, endpoints and IAM principals. Nothing changes until "
         "you confirm on the Preview step. The profile name is used in tags and the policy name.",
         _connect, (NAME,)),
    Step("vpc", "VPC", "VPC",
         "Pick the VPC Studio runs in (its domain's VPC). Private DNS needs DNS support and DNS hostnames on. "
         "Type to filter; Enter on a row chooses it and goes on.", _vpc),
    Step("subnets", "Subnets", "Subnets",
         "The endpoints get one network interface per subnet: one subnet per Availability Zone, and only zones "
         "the Studio service offers. Enter or Space toggles a row.", _subnets),
    Step("domain", "Studio domain and security groups", "Domain",
         "The Studio domain whose users should reach Studio privately. HTTPS (443) into the endpoints is allowed "
         "from the domain's security groups unless you name others.", _domain, (SG_SOURCES, SG_CIDRS, SG_ID)),
    Step("endpoints", "Endpoints and DNS", "Endpoints",
         "Private DNS makes the public service names resolve to the endpoints inside the VPC (the guide's "
         "default). Hosted-zone mode builds private hosted zones instead. Endpoint policies narrow what may be "
         "called through an endpoint; the Studio endpoint must allow CreateApp. A VpcOnly domain needs the "
         "sts, logs, s3 and sagemaker.runtime endpoints (they are ticked for you).", _endpoints),
    Step("access", "Access restriction", "Access",
         "An IAM policy allowing CreatePresignedDomainUrl only from where the mode says (inside the VPC, through "
         "its endpoints, or from the IP ranges you list), attached to the users, groups and roles that open Studio. "
         "'deny' adds a guardrail that holds even against broader Allows.",
         _access, (ACCESS_CIDRS,)),
    Step("preview", "Preview", "Preview",
         "Every change and every policy, exactly as apply will make them; nothing has changed yet. Next (Ctrl+N) "
         "or the Apply button asks for a confirmation first. You can also save the profile without applying. It "
         "plans again, from the account as it is then, each time you come to it; r reads the account again.\n\n"
         "It opens on the Plan tab: PageDown, PageUp and the arrow keys scroll it. Shift+Tab moves to the tab "
         "bar, where Left and Right switch tabs (Policies, Warnings, Who can open Studio, Export); Tab goes back "
         "into the tab's text, then to the Apply and Save buttons.",
         _preview),
    Step("apply", "Apply", "Apply",
         "Changes are made in order and shown as they happen. If a step fails, go back to the Preview and apply "
         "again: apply converges.", _apply),
    Step("save", "Save profile", "Save", "Save the answers as a YAML profile; replay it with the command shown."),
)
BY_NAME = {s.name: s for s in STEPS}
NAMES = tuple(s.name for s in STEPS)


def check(step: Step, session: Any) -> str | None:
    """Why Next is not allowed on this step: its own check, then its inputs' rules."""
    return step.check(session) or _first_input_error(step, session)
