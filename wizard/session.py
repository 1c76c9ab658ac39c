"""The wizard's answers and navigation, with no UI: the Textual screens and the plain prompts are views over this.

The steps come from one registry (wizard/steps.py). Methods that take time (they call AWS) say so in their
docstring and change nothing in the session: they return data, and the caller hands it back with a quick
method on its own thread (the TUI's UI thread). Everything else is quick and pure.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard import validators
from wizard.errors import AwsError, InvalidInput, Refused
from wizard.modes import ACCESS_MODES
from wizard.modes import BY_NAME as MODES
from wizard.names import api_service, studio_service
from wizard.steps import BY_NAME as STEP_BY_NAME
from wizard.steps import INPUTS
from wizard.steps import NAMES as STEPS
from wizard.steps import STEPS as STEP_DEFS
from wizard.steps import check as check_step

# Nothing heavy at import: the wizard draws its first frame with this module loaded, so boto3, pydantic, the
# planner and parliament load in the slow methods that need them (after the first paint, in workers).
if TYPE_CHECKING:
    from wizard.executor import Event, Result
    from wizard.iam_eval import AccessView
    from wizard.isolated import Discovery
    from wizard.models import Domain, Inventory, Plan, Profile, Subnet, Vpc

# Compatibility names for the views: one source, the registry.
TITLES = {s.name: s.title for s in STEP_DEFS}
HELP = {s.name: s.help for s in STEP_DEFS}
MODE_HELP = {m.name: m.help for m in MODES.values()}
split_list = validators.split_list
RECOVERY_HEADER = "# studio-vpce recovery: the answers of an interrupted wizard."


def vpc_only_extras() -> tuple[str, ...]:
    """What a VpcOnly domain's apps need, besides the Studio and API endpoints (readiness.NEEDS, required ones)."""
    from wizard.readiness import NEEDS  # noqa: PLC0415

    return tuple(k for k, (_, required) in NEEDS.items() if required and k not in ("studio", "sagemaker.api"))


@dataclass(frozen=True)
class VpcRow:
    vpc: Vpc
    domains: tuple[str, ...]
    endpoints: tuple[str, ...]


@dataclass(frozen=True)
class SubnetOption:
    subnet: Subnet
    selected: bool
    selectable: bool
    reason: str = ""
    gone: bool = False  # a subnet the answers name (a loaded profile's) that is not in the VPC: untick it


def cidr_error(text: str, mode: str = "") -> str | None:
    """Why a CIDR typed by the user is not acceptable in this access mode, or None (validators.py's rules)."""
    return validators.access_cidr(text, mode) if mode else validators.cidr(text)


def state_dir() -> Path:
    """Where recovery profiles and crash logs go: the user's state folder (answers are not cache)."""
    from wizard.cache import xdg_dir  # noqa: PLC0415 - the one XDG rule (relative paths are ignored)

    return xdg_dir("XDG_STATE_HOME", Path.home() / ".local" / "state") / "studio-vpce"


def write_private(path: Path, text: str) -> Path:
    """Write a file only its owner can read (mode 0600): answers and logs may name accounts and principals."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
    return path


RECOVERY_SLUG_MAX = 64


def recovery_slug(name: Any) -> str:
    """The profile name as a recovery file's name part: letters, digits, '-' and '_' only (never a path:
    the file stays in the recovery folder), at most RECOVERY_SLUG_MAX characters; 'unnamed' when none is left."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", str(name or "")).strip("-")[:RECOVERY_SLUG_MAX].strip("-")
    return slug or "unnamed"


def load_recovery(path: str | Path) -> dict[str, Any] | None:
    """The answers of a recovery file, or None when the file is not one. Read by the profile loader's strict
    parser (no YAML aliases: a recovery file is as untrusted as any profile)."""
    from wizard.profiles import parse_yaml  # noqa: PLC0415

    text = Path(path).read_text(encoding="utf-8")
    if not text.startswith(RECOVERY_HEADER):
        return None
    data, _ = parse_yaml(text, str(path))
    return data if isinstance(data, dict) else None


class WizardSession:
    """Answers, navigation and the engine calls behind every front end."""

    def __init__(self, cloud_factory: Callable[[], Any], preload: Profile | dict[str, Any] | None = None,
                 demo: bool = False) -> None:
        self.cloud_factory = cloud_factory
        self.cloud: Any = None
        self.demo = demo
        self.plain = False  # the --plain front end: its resume command keeps --plain
        self.inventory: Inventory | None = None
        self.discovery_error: str = ""
        self._discovery: Discovery | None = None
        self._closing = False
        self._plan: Plan | None = None
        self._access: AccessView | None = None
        self._plan_key: str = ""
        self._executed: Plan | None = None  # the last plan handed to execute
        self.plan_error: str = ""
        self._result: Result | None = None
        # Every apply of this session that changed AWS, with the plan it applied: a new plan drops `result`
        # (it is the current plan's), never these (Quit and Ctrl+C after Back to the Preview said nothing of it)
        self.applies: list[tuple[Result, Plan | None]] = []
        self.saved_path: Path | None = None
        self.loaded_from: Path | None = None  # the profile file the wizard was started with (never a recovery)
        self.resumed_from: Path | None = None  # the recovery file it was started with (leaving unchanged names it)
        self.step = 0
        base = dict(preload or {}) if preload is None or isinstance(preload, dict) else preload.model_dump()
        access: dict[str, Any] = {"mode": "vpce", "effect": "allow", "cidrs": [], "extra_vpce_ids": [], "resource_scope": "domain",
                  "policy_name": None, "attach": {"users": [], "groups": [], "roles": []}}
        self.answers: dict[str, Any] = {
            "name": base.get("name", "studio-private"),
            "vpc_id": base.get("vpc_id"),
            "subnet_ids": list(base.get("subnet_ids", [])),
            "domain_id": base.get("domain_id"),
            "account_id": base.get("account_id"),
            "endpoints": {"studio": True, "api": True, "extra": [], **base.get("endpoints", {})},
            "dns": {"mode": "private-dns", "associate_vpc_ids": [], "fix_vpc_attributes": False,
                    **base.get("dns", {})},
            "security_group": {"id": None, "allow_from_security_groups": [], "allow_from_cidrs": [],
                               **base.get("security_group", {})},
            "endpoint_policy": {"studio": ["create-app", "presigned-url"], "api": [],
                                **base.get("endpoint_policy", {})},
            "access": {**access, **base.get("access", {})},
            "tags": base.get("tags", {}),
        }
        self.preloaded_region: str | None = base.get("region")
        self.notes: dict[str, str] = {}  # step name -> why the wizard chose something for the user
        # A preloaded profile's effect is a decision already made; a fresh one may be switched to deny (once)
        # when the Preview finds attach targets that other policies keep open from outside.
        self.effect_chosen = preload is not None
        self.preloaded = preload is not None
        self._clean_key = self._key() if preload else ""

    # ---------------------------------------------------------------- answers' identity

    def _key(self) -> str:
        return json.dumps(self.answers, sort_keys=True, default=str)

    @property
    def dirty(self) -> bool:
        """Answers the user has not saved (a fresh session with nothing chosen is not dirty)."""
        if not self._clean_key:  # a name typed counts too (Ctrl+Q lost it without a word: trial 5)
            return self.answers["vpc_id"] is not None or self.answers["name"] != "studio-private"
        return self._key() != self._clean_key

    @property
    def quit_asks(self) -> bool:
        """Whether quitting asks first (Save / Discard / Cancel): answers not saved, or an apply of this session
        changed AWS and the answers it applied are in no profile the user named (a session resumed from a
        recovery file matches that file, so it is not dirty: Ctrl+Q after its apply quit without a word)."""
        # (trial 18: a profile saved after the apply, with other answers, counted as holding it: Ctrl+Q quit at
        # once, and no file held what AWS now is)
        if self.dirty or not self.applies:
            return self.dirty
        if any(plan is not None for _, plan in self.applies):  # what was applied is known: is it in a file?
            return self.apply_held_by() is None
        return self.saved_path is None and self.loaded_from is None

    @property
    def plan(self) -> Plan | None:
        """The plan for the current answers; None as soon as any answer changes, whatever the route."""
        return self._plan if self._plan is not None and self._plan_key == self._key() else None

    @plan.setter
    def plan(self, value: Plan | None) -> None:
        self._plan = value
        self._access = None
        self._plan_key = self._key() if value is not None else ""
        self.plan_error = ""

    @property
    def access_view(self) -> AccessView | None:
        """Who can open Studio from outside, for the current plan (None whenever the plan is)."""
        return self._access if self.plan is not None else None

    def choose_effect(self, effect: str) -> None:
        """The user chose access.effect: the wizard never switches it for them after this. The note of a switch to
        deny (planned) goes: allow again keeps only why deny was recommended (a trial: the Access step said
        "Switched to the deny guardrail" under allow chosen again)."""
        self.answers["access"]["effect"] = effect
        self.effect_chosen = True
        self.notes.pop("effect", None)
        if effect == "allow" and self.deny_reason:
            self.notes["effect"] = self.deny_reason

    deny_reason = ""  # why the wizard switched the effect to deny (planned): who keeps Studio open with allow

    # ---------------------------------------------------------------- navigation

    @property
    def current(self) -> str:
        return STEPS[self.step]

    def can_advance(self) -> tuple[bool, str]:
        """Whether Next is allowed on the current step, and why not."""
        return self.check(self.current)

    def check(self, step: str) -> tuple[bool, str]:
        reason = check_step(STEP_BY_NAME[step], self)
        return reason is None, reason or ""

    def input_error(self, key: str, text: str) -> str | None:
        """The refusal of a typed value, in the words of its label (the same in every front end)."""
        return INPUTS[key].error(self, text)

    def next(self) -> bool:
        """Go on, except onto Apply: applying needs the confirmation (`confirmed_apply`)."""
        ok, _ = self.can_advance()
        if not ok or self.current in ("preview", "save"):
            return False
        self.step += 1
        return True

    def to_preview(self) -> None:
        """Onto the Preview. A plan that has been applied (in full, in part, or refused as stale) no longer
        describes the account: it is dropped, so the Preview plans again (applying it would be refused)."""
        if self._plan is not None and self._plan is self._executed:
            self.plan = None
        self.step = STEPS.index("preview")

    def back(self) -> bool:
        """One step back. From Apply (finished, failed or refused) and from Save: to a Preview that plans again
        from the account as it now is (Apply is reached only by confirming there)."""
        if self.current in ("apply", "save"):
            self.to_preview()
            return True
        if self.step == 0:
            return False
        self.step -= 1
        return True

    def reachable(self, step: str) -> bool:
        """A step can be jumped to when every step before it is valid; Apply only once it has run."""
        target = STEPS.index(step)
        if step == "apply":
            return self.result is not None
        if target <= self.step and self.current != "apply":
            return True
        if self.current == "apply" and self.result is not None and self.result.ok:
            return step in ("preview", "save")
        return all(self.check(s)[0] for s in STEPS[:target] if s not in ("preview", "apply"))

    def blocking(self, step: str) -> str:
        """Why `step` cannot be reached by a jump: the first step before it that is not valid, named, with its
        own reason ('this step' when it is the current one), or '' when none is."""
        for index, before in enumerate(STEP_DEFS[:STEPS.index(step)]):
            if before.name in ("preview", "apply"):
                continue
            ok, reason = self.check(before.name)
            if not ok:
                where = "this step" if index == self.step else f"step {index + 1}, {before.short}"
                return f"{where} is not done: {reason}"
        return ""

    def goto(self, step: str) -> bool:
        """Jump to a step already reachable. Never applies."""
        if not self.reachable(step):
            return False
        if step == "preview":
            self.to_preview()
        else:
            self.step = STEPS.index(step)
        return True

    def confirmed_apply(self, plan: Plan, answered: Iterable[str] = ()) -> None:
        """The user said yes to this plan on the Preview, and yes to each of its own confirmations (their codes
        in `answered`, each asked on its own): move to the Apply step (the caller runs `execute`)."""
        if self.current != "preview" or self.plan is not plan or plan.errors:
            raise Refused("only the reviewed plan on the Preview step can be applied")
        unanswered = [c for c in plan.confirmations if c.code not in set(answered)]
        if unanswered:
            raise Refused(f"{unanswered[0].question.removesuffix(' Go ahead?')} This needs its own confirmation; "
                          "nothing was changed")
        self.result = None
        self.step = STEPS.index("apply")

    # ---------------------------------------------------------------- discovery (slow ones call AWS)

    def fetch_inventory(self) -> tuple[Any, Inventory]:
        """Slow. Build the cloud session and discover the account in a child process (wizard/isolated.py), so
        that a UI in this process never waits on discovery's Python work; changes nothing here but the handle
        that `cancel_discovery` stops. Raises isolated.Cancelled when cancelled."""
        from wizard.isolated import Discovery  # noqa: PLC0415

        cloud = self.cloud_factory()
        job = Discovery(cloud)
        previous, self._discovery = self._discovery, job
        if previous is not None:
            previous.cancel()  # a re-run supersedes the one still running
        if self._closing:
            job.cancel()  # the user quit while the cloud session was being made
        try:
            return cloud, job.run()
        finally:
            if self._discovery is job:
                self._discovery = None

    def cancel_discovery(self) -> None:
        """The user quits: stop a discovery still running (its child process is killed, never orphaned), and
        any that starts after this."""
        self._closing = True
        job = self._discovery
        if job is not None:
            job.cancel()

    def account_problem(self) -> str | None:
        """The account guard, as soon as discovery names the account: a profile for another account stops
        on the Connect step (the plan would refuse it too)."""
        if self.inventory is None:
            return None
        problem = validators.account_guard(self.answers["account_id"], self.inventory.account_id, self.inventory.demo)
        if problem and self.loaded_from is not None:  # no step edits account_id (trial 16: a dead end, unsaid)
            problem += (f"; no step here changes it: quit, fix account_id in {self.loaded_from} and open it again, "
                        "or start a new profile with `studio-vpce wizard`")
        return problem

    def discovered(self, cloud: Any, inventory: Inventory) -> None:
        self.cloud, self.inventory, self.discovery_error = cloud, inventory, ""
        if self.answers["vpc_id"] and inventory.vpc(self.answers["vpc_id"]) is not None:
            self.choose_vpc(inventory.vpc(self.answers["vpc_id"]), keep=True)  # type: ignore[arg-type]
        elif self.answers["vpc_id"]:  # a loaded profile's VPC that is gone: said on the VPC step, as plan says it
            self.notes["vpc"] = (f"The profile's VPC {self.answers['vpc_id']} does not exist in {inventory.region} "
                                 f"for account {inventory.account_id}: choose one here.")
        loaded = inventory.domain(self.answers["domain_id"]) if self.answers["domain_id"] else None
        if loaded is not None and loaded.auth_mode.upper() == "SSO" and self.answers["access"]["mode"] == "none" \
                and self.mode_before_sso is None:  # a resumed or loaded profile: none was that domain's doing (trial
            from wizard.models import Access  # noqa: PLC0415 - 16: an IAM domain chosen next kept none)
            self.mode_before_sso, self.sso_domain = str(Access.model_fields["mode"].default), loaded.id
        if self.answers["domain_id"] and inventory.domain(self.answers["domain_id"]) is None:  # likewise its domain
            self.notes["domain"] = (f"The profile's Studio domain {self.answers['domain_id']} does not exist in "
                                    f"{inventory.region} for account {inventory.account_id}: choose one here.")

    def connect(self) -> Inventory:
        """Slow. fetch_inventory + discovered, for front ends that run on one thread (--plain)."""
        cloud, inventory = self.fetch_inventory()
        self.discovered(cloud, inventory)
        return inventory

    def read_vpc(self, vpc_id: str) -> Vpc | None:
        """Slow (reads the VPC's DNS attributes when not read yet); changes nothing here."""
        if self.inventory is None:
            return None
        vpc = self.inventory.vpc(vpc_id)
        if vpc is not None and vpc.dns_support is None and self.cloud is not None:
            from wizard.discovery import refresh_vpc  # noqa: PLC0415

            vpc = refresh_vpc(self.cloud, vpc)
        return vpc

    def choose_vpc(self, vpc: Vpc, keep: bool = False) -> Vpc:
        """Choose the VPC (as read by read_vpc); a different VPC clears the subnets and the domain."""
        assert self.inventory is not None
        self.inventory = dataclasses.replace(
            self.inventory, vpcs=tuple(vpc if v.id == vpc.id else v for v in self.inventory.vpcs))
        if not keep and vpc.id != self.answers["vpc_id"]:
            self.answers["subnet_ids"] = []
            self.answers["domain_id"] = None
        self.answers["vpc_id"] = vpc.id
        if not self.answers["domain_id"]:
            in_vpc = self.domains()
            if len(in_vpc) == 1:
                self.select_domain(in_vpc[0].id)
        return vpc

    def select_vpc(self, vpc_id: str, keep: bool = False) -> Vpc | None:
        """Slow. read_vpc + choose_vpc (for --plain)."""
        vpc = self.read_vpc(vpc_id)
        return self.choose_vpc(vpc, keep) if vpc is not None else None

    # ---------------------------------------------------------------- choices (quick)

    def vpc_rows(self, text: str = "") -> list[VpcRow]:
        if self.inventory is None:
            return []
        rows = []
        needle = text.lower().strip()
        for vpc in self.inventory.vpcs:
            if needle and needle not in f"{vpc.id} {vpc.name} {' '.join(vpc.cidrs)}".lower():
                continue
            rows.append(VpcRow(vpc, tuple(d.id for d in self.inventory.domains if d.vpc_id == vpc.id),
                               tuple(e.id for e in self.inventory.endpoints
                                     if e.vpc_id == vpc.id and "sagemaker" in e.service and e.live)))
        return rows

    @property
    def vpc(self) -> Vpc | None:
        return self.inventory.vpc(self.answers["vpc_id"]) if self.inventory and self.answers["vpc_id"] else None

    def subnet_options(self) -> list[SubnetOption]:
        vpc = self.vpc
        if vpc is None or self.inventory is None:
            return []
        chosen = set(self.answers["subnet_ids"])
        region = self.inventory.region
        services = [s for s in (self.inventory.service(studio_service(region)),
                                self.inventory.service(api_service(region))) if s]
        taken = {s.az: s.id for s in vpc.subnets if s.id in chosen}
        options = []
        for subnet in vpc.subnets:
            reason = validators.az_support(subnet, services) or ""
            if not reason and subnet.az in taken and taken[subnet.az] != subnet.id:
                reason = f"{taken[subnet.az]} is already chosen in {subnet.az} (one subnet per AZ)"
            options.append(SubnetOption(subnet, subnet.id in chosen, not reason or subnet.id in chosen, reason))
        known = {s.id: s for s in (*self.inventory.other_subnets, *(s for v in self.inventory.vpcs for s in v.subnets))}
        for subnet_id in self.answers["subnet_ids"]:  # a loaded profile's, gone since or in another VPC: shown
            elsewhere = known.get(subnet_id)  # ticked, with the plan's reason, so that it can be unticked
            gone = validators.subnet_in_vpc(subnet_id, vpc.id, elsewhere.vpc_id if elsewhere else None)
            if gone:
                from wizard.models import Subnet  # noqa: PLC0415 - loaded with the inventory already
                placeholder = Subnet(subnet_id, elsewhere.vpc_id if elsewhere else "", elsewhere.cidr if elsewhere
                                     else "-", "-", None, 0, f"{subnet_id} (not in this VPC)" if elsewhere else f"{subnet_id} (gone)")
                options.append(SubnetOption(placeholder, True, True, gone, gone=True))
        return options

    def toggle_subnet(self, subnet_id: str) -> str:
        """Select or clear a subnet; returns why it cannot be chosen, or ''."""
        option = next((o for o in self.subnet_options() if o.subnet.id == subnet_id), None)
        if option is None:
            return "no such subnet in this VPC"
        if option.selected:
            self.answers["subnet_ids"].remove(subnet_id)
            return ""
        if not option.selectable:
            return option.reason
        self.answers["subnet_ids"].append(subnet_id)
        return ""

    def domains(self) -> list[Domain]:
        if self.inventory is None:
            return []
        return [d for d in self.inventory.domains if d.vpc_id == self.answers["vpc_id"]]

    @property
    def domain(self) -> Domain | None:
        if not (self.inventory and self.answers["domain_id"]):
            return None
        domain = self.inventory.domain(self.answers["domain_id"])
        return domain if domain is not None and domain.vpc_id == self.answers["vpc_id"] else None

    mode_before_sso: str | None = None  # the access mode an SSO domain replaced with none (select_domain)
    sso_domain = ""  # that SSO domain

    def select_domain(self, domain_id: str) -> Domain | None:
        """Choose the domain; an SSO domain sets access mode none, a VpcOnly one ticks the endpoints it needs."""
        domain = next((d for d in self.domains() if d.id == domain_id), None)
        if domain is None:
            return None
        # Re-selecting a preloaded profile's own domain keeps its endpoint choices (a decision already made).
        keep_choices = self.preloaded and self.answers["domain_id"] == domain_id
        self.answers["domain_id"] = domain_id
        self.notes.pop("access", None)
        self.notes.pop("endpoints", None)
        if domain.auth_mode.upper() == "SSO":
            if self.answers["access"]["mode"] != "none":
                self.mode_before_sso = self.answers["access"]["mode"]
            self.sso_domain = domain.id
            self.answers["access"]["mode"] = "none"
            self.notes["access"] = self.mode_reason() or ""
        elif self.mode_before_sso is not None and self.answers["access"]["mode"] == "none":
            # none was forced by an SSO domain chosen before: an IAM domain gets the mode back (it stayed none,
            # silently: no identity policy at all, found in tmux), and says so
            self.answers["access"]["mode"] = self.mode_before_sso
            # (a trial: "the ... domain chosen before" where the user had chosen none: a VPC's only domain is taken)
            self.notes["access"] = (f"{domain.id} uses IAM: access mode is {self.mode_before_sso} again (it was none "
                                    f"while {self.sso_domain}, an IAM Identity Center domain, was the domain)")
            self.mode_before_sso = None
        if domain.network_mode == "VpcOnly" and not keep_choices:
            extra = self.answers["endpoints"]["extra"]
            needed = vpc_only_extras()
            added = [k for k in needed if k not in extra]
            extra.extend(added)
            self.notes["endpoints"] = (f"{domain.id} is VpcOnly: its apps reach AWS only through endpoints, so "
                                       f"{', '.join(needed)} are ticked (untick one if a NAT route "
                                       "serves it).")
        return domain

    def mode_reason(self) -> str | None:
        """Why the access mode must be none (an IAM Identity Center domain), or None."""
        domain = self.domain
        if domain is not None and domain.auth_mode.upper() == "SSO":
            return (f"{domain.id} uses IAM Identity Center (SSO): the VPC-only identity policy is not supported "
                    "there (the AWS guide says so), so access mode is none: endpoints only")
        return None

    def security_groups_in_vpc(self) -> list[Any]:
        if self.inventory is None:
            return []
        return [g for g in self.inventory.security_groups if g.vpc_id == self.answers["vpc_id"]]

    def principals(self, kind: str, text: str = "") -> list[str]:
        if self.inventory is None:
            return []
        needle = text.lower().strip()
        return [p.name for p in self.inventory.principals if p.kind == kind and needle in p.name.lower()]

    def gone_principals(self) -> list[tuple[str, str]]:
        """The attach targets the answers name (a loaded profile's) that the account does not have, as
        (kind, name) (the plan's principal_not_found); empty before discovery."""
        if self.inventory is None:
            return []
        have = {(p.kind, p.name) for p in self.inventory.principals}
        attach = self.answers["access"]["attach"]
        return [(kind, name) for kind in ("user", "group", "role") for name in attach[f"{kind}s"]
                if (kind, name) not in have]

    def toggle_principal(self, kind: str, name: str) -> None:
        chosen = self.answers["access"]["attach"][f"{kind}s"]
        if name in chosen:
            chosen.remove(name)
        else:
            chosen.append(name)

    def set_mode(self, mode: str) -> str:
        """Set the access mode; returns why it cannot be chosen, or ''."""
        if mode not in ACCESS_MODES:
            raise ValueError(mode)
        reason = self.mode_reason()
        if reason and mode != "none":
            return reason
        self.answers["access"]["mode"] = mode
        return ""

    def set_cidrs(self, text: str) -> str | None:
        """Set access.cidrs from free text; returns the refusal in the words of the label, or None."""
        self.answers["access"]["cidrs"] = split_list(text)
        return self.input_error("access_cidrs", text)

    def self_lockout(self) -> bool:
        if self.inventory is None:
            return False
        return validators.self_lockout(self.inventory.caller, self.answers["access"]["attach"])

    # ---------------------------------------------------------------- profile, plan, apply, save

    @property
    def region(self) -> str | None:
        """The profile's region: a preloaded profile keeps its own, so the planner catches a contradiction."""
        return self.preloaded_region or (self.inventory.region if self.inventory else None)

    @property
    def account_id(self) -> str | None:
        """The account the answers are for: the loaded profile's account_id, else the account discovery connected
        to (None before it)."""
        return self.answers["account_id"] or (self.inventory.account_id if self.inventory else None)

    def profile(self) -> Profile:
        """The answers as a validated Profile (raises ValueError with the reason)."""
        if self.inventory is None:
            raise ValueError("the account has not been read yet")
        data = {"version": 1, **{k: v for k, v in self.answers.items() if k != "account_id"},
                "region": self.region, "account_id": self.account_id}
        from pydantic import ValidationError  # noqa: PLC0415

        from wizard.models import Profile  # noqa: PLC0415

        try:
            return Profile.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ValueError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None

    def plan_for(self, profile: Profile) -> Plan:
        """Slow. Observe what the profile names and plan it; changes nothing here (hand it to `planned`)."""
        from wizard.planner import plan as make_plan  # noqa: PLC0415

        return make_plan(self._observe(profile), profile)  # (--plain's Preview: a stopped sandbox starts again)

    def review_for(self, profile: Profile) -> tuple[Plan, AccessView]:
        """Slow. plan_for, plus who can open Studio from outside (from the same observed account)."""
        from wizard.iam_eval import who_can_open_studio  # noqa: PLC0415
        from wizard.planner import plan as make_plan  # noqa: PLC0415

        inventory = self._observe(profile)
        return make_plan(inventory, profile), who_can_open_studio(inventory, profile)

    def _observe(self, profile: Profile) -> Inventory:
        """Slow. The account as `profile` sees it. The demo sandbox may have stopped while the wizard was open (its
        idle timeout, or `sandbox stop`): then the cloud factory starts it again, with its saved account, as any
        --demo command does (a real account's connection error stays an error)."""
        from wizard.discovery import observe  # noqa: PLC0415

        try:
            return observe(self.cloud, profile)
        except AwsError as exc:
            if not (self.demo and exc.code == "ConnectionError"):
                raise
        self.cloud = self.cloud_factory()
        return observe(self.cloud, profile)

    def planned(self, plan: Plan, access: AccessView | None = None) -> bool:
        """Keep a plan if it is for the current answers; False when the answers moved on meanwhile.

        When attach targets keep Studio open from outside through other policies and the user has not chosen
        the effect, switch to the deny guardrail (once), say why on the Access step, and ask for a new plan."""
        if plan.profile != self.profile():
            return False
        if (access is not None and access.recommend_deny and not self.effect_chosen
                and self.answers["access"]["effect"] == "allow"):
            self.answers["access"]["effect"] = "deny"
            self.effect_chosen = True
            self.deny_reason = access.reason
            self.notes["effect"] = f"Switched to the deny guardrail. {access.reason}"
            return False
        self.plan = plan
        self._access = access
        self.result = None  # an earlier apply's result is not this plan's (Ctrl+C said "had finished" for it)
        return True

    def build_plan(self) -> Plan:
        """Slow. plan_for + planned (for --plain)."""
        try:
            plan = self.plan_for(self.profile())
        except Exception as exc:
            self.plan_error = str(exc)
            raise
        self.plan = plan
        return plan

    def execute(self, confirmed: Plan, on_event: Callable[[Event], None]) -> Result:
        """Slow. Re-read the account; apply the confirmed plan exactly, or refuse if the account moved since."""
        from wizard.executor import Executor  # noqa: PLC0415
        from wizard.planner import plan as make_plan  # noqa: PLC0415

        self._executed = confirmed  # from now on it describes the account as it was (to_preview drops it)
        fresh = make_plan(self._observe(confirmed.profile), confirmed.profile)  # (a stopped sandbox starts again)
        if fresh.fingerprint != confirmed.fingerprint or fresh.errors:
            raise Refused("the account changed since the preview; nothing was changed: review the new plan "
                          "and confirm again")
        return Executor(self.cloud, confirmed, on_event=on_event).run()

    def apply(self, on_event: Callable[[Event], None]) -> Result:
        """Slow. Execute the current plan (the caller asked every confirmation it carries)."""
        plan = self.plan
        if plan is None or plan.errors:
            raise ValueError("no reviewed plan without errors to apply")
        self.result = self.execute(plan, on_event)
        return self.result

    def default_save_path(self) -> str:
        """The profile file the wizard was started with (saving over it asks first), else a file of the user's
        own, here: never an example under profiles/ unless the user started from it."""
        if self.loaded_from is not None:
            return str(self.loaded_from)
        return f"./{self.answers['name'] or 'studio-private'}.yaml"

    def check_save_path(self, path: str | Path, probe: bool = True) -> tuple[Path, str | None]:
        """The path to save to, and why not (validators.save_path: the rule `--out` follows too), or None.
        `probe=False` for checks made at each key typed: no file is made to find out. A profile's file name ends in
        .yaml or .yml (a trial: a burst on the Save step saved profiles named '1' and 'd  0')."""
        target, reason = validators.save_path(str(path), f"{self.answers['name'] or 'studio-private'}.yaml", probe)
        if reason is None and target.suffix.lower() not in (".yaml", ".yml"):
            reason = f"{target}: a profile's file name ends in .yaml or .yml, like {target.name.strip() or 'x'}.yaml"
        return target, reason

    @staticmethod
    def overwrite_question(path: str | Path) -> str:
        """Asked before a save replaces a file, by every front end: what replacing it loses (a trial's
        hand-commented profile lost its comments without a word)."""
        return f"{path} exists. Overwrite it? It is written anew from the answers: comments in it are not kept."

    def save(self, path: str | Path, overwrite: bool = False) -> Path:
        """Save the answers as a profile. Refuses a missing folder, and an existing file unless `overwrite`."""
        target, reason = self.check_save_path(path)
        if reason:
            raise InvalidInput(reason)
        if target.exists() and not overwrite:
            raise FileExistsError(f"{target} exists")
        from wizard.profiles import save as save_profile  # noqa: PLC0415

        saving = self.profile()
        self.saved_path = save_profile(saving, target)
        self._saved = (self.saved_path, saving)
        self._clean_key = self._key()
        return self.saved_path

    _saved: tuple[Path, Profile] | None = None  # the last save: where, and the answers it wrote

    def apply_held_by(self) -> Path | None:
        """The profile file that holds the answers this session's last apply applied: the file saved with them
        (before or after the apply), or the file the wizard was started with when they are its own; else None."""
        applied = next((plan.profile for _, plan in reversed(self.applies) if plan is not None), None)
        if applied is None:
            return None
        if self._saved is not None and self._saved[1] == applied and self._saved[0].is_file():
            return self._saved[0]
        if self.loaded_from is not None and self.preloaded:
            from wizard.profiles import load  # noqa: PLC0415

            try:
                loaded = load(self.loaded_from)
            except (OSError, ValueError, InvalidInput):
                return None
            if loaded.account_id is None:  # the plan's profile names the account it was made in (profile())
                loaded = loaded.model_copy(update={"account_id": applied.account_id})
            return self.loaded_from if loaded == applied else None
        return None

    def not_saved(self) -> str:
        """What is not saved, after an apply, for the Quit window and Discard (a trial: "the profile is not saved"
        when a saved profile held that apply, and only a later change was unsaved)."""
        held = self.apply_held_by()
        if held is None and not self.dirty and self.saved_path is not None:  # (trial 19: "not saved" right after
            return (f"{self.saved_path} holds your answers since, not those applied: no file holds what AWS now "  # a
                    "is")  # save whose answers differ from the apply's)
        if held is None:
            return "the profile is not saved"
        return f"the answers applied are in {held}; your changes since are not saved"

    def quit_title(self) -> str:
        """The Quit window's title: the answers are not saved, or (saved, but not those applied) what is in no file
        (trial 19: "your answers are not saved" right after a save)."""
        if not self.dirty and self.saved_path is not None and self.applies and self.apply_held_by() is None:
            return "Quit: what this session applied is in no file"
        return "Quit: your answers are not saved"

    def quit_changed(self) -> str:
        """The Quit window's line about AWS after an apply ('' when none changed it): what changed, and what is
        not saved."""
        changed = self.aws_changed()
        return f"{changed}; {self.not_saved()}." if changed else ""

    recovery_fallback = ""  # why the last recovery file is not in the state folder (save_recovery), said after it

    def save_recovery(self, folder: Path | None = None) -> Path:
        """Write the answers, complete or not, to a recovery file (0600) that `studio-vpce PATH` resumes from. When
        the state folder cannot be written (a trial: XDG_STATE_HOME unwritable, Ctrl+C lost the answers), the file
        goes to a new private folder (0700) under the system's temporary folder, and `recovery_fallback` says which
        folder to fix (fallback_note)."""
        name = f"recovery-{recovery_slug(self.answers['name'])}-{time.strftime('%Y%m%d-%H%M%S')}.yaml"
        import yaml  # noqa: PLC0415

        # The account guard goes with the answers, as a saved profile's does (profile()): the file's printed
        # commands are `apply --yes` and `destroy`, refused in any other account (a trial: a new profile's
        # recovery file had account_id null, even after its apply, and would have run wherever the shell pointed)
        data = {"version": 1, "region": self.region, **self.answers, "account_id": self.account_id}
        text = (RECOVERY_HEADER + " Resume with: studio-vpce wizard THIS_FILE\n"
                + yaml.safe_dump(json.loads(json.dumps(data, default=str)), sort_keys=False))
        self.recovery_fallback = ""
        target = folder or state_dir()
        try:
            return write_private(target / name, text)
        except OSError as exc:
            if folder is not None:
                raise
            import tempfile  # noqa: PLC0415

            path = write_private(Path(tempfile.mkdtemp(prefix="studio-vpce-")) / name, text)
            self.recovery_fallback = (f"{target} could not be written ({exc.strerror or type(exc).__name__}): "
                                      "make it writable, or set XDG_STATE_HOME to a folder that is")
            return path

    def only_you(self) -> str:
        """'only you can read it', and why the file is not in the state folder when it is not (one parenthesis)."""
        return "only you can read it" + (f"; {self.recovery_fallback}" if self.recovery_fallback else "")

    def fallback_note(self) -> str:
        """' (STATE could not be written ...)' after the last recovery file's path when it is not in the state folder."""
        return f" ({self.recovery_fallback})" if self.recovery_fallback else ""

    def interrupted(self, stop: Any = None) -> str:
        """Ctrl+C in any front end (the Textual wizard and --plain): the line to leave with (exit 130). Unsaved
        answers go to a recovery profile first, and the line says where and how to resume. `stop`: the
        executor's Interrupted, when Ctrl+C stopped an apply mid-way (said as the CLI says it)."""
        message = "interrupted"
        result = self.result
        if stop is not None:
            from wizard.cli import interrupted_message  # noqa: PLC0415

            message = interrupted_message(stop, "apply")
        elif result is not None:  # an apply ran in this session: say how it ended, so nobody has to guess
            done = self.applied_summary()
            message += (f" (the apply had finished: {done})" if result.ok else
                        f" (the apply had stopped on an error after {done}; plan again to see what is left)")
        elif self.applies:  # an earlier plan's apply (a new plan was made after it): what it changed
            message += f" (earlier in this session an apply changed AWS: {self._applies_summary()})"
        applied = stop is not None or result is not None or bool(self.applies)
        # destroy is offered only when something may have been made: an apply stopped before its first change
        # made nothing (and destroy would remove a working setup the plan only meant to change)
        made = applied and not (stop is not None and not stop.changes_done and not stop.under_way
                                and result is None and not self.applies)

        def undo(path: Path) -> str:
            return f", {self.destroy_command(path)} {self.removes()}" if made else ""

        if not applied and not self.dirty:
            message += self.still_in_recovery()
        if applied and not self.dirty and self.saved_path is not None:
            message += f"; these answers are saved: {self.replay_command()}"  # what 'run apply again' means
        elif applied and not self.dirty and self.loaded_from is not None:  # started from a file, unchanged
            message += (f"; these answers are {self.loaded_from}'s: {self.replay_command(self.loaded_from)} "
                        f"applies them{undo(self.loaded_from)}")
        elif applied and not self.dirty:  # resumed from a recovery file, unchanged: a file to name, and its commands
            try:
                path = self.save_recovery()
                message += (f"; these answers are in {path}{self.fallback_note()}: {self.replay_command(path)} "
                            f"applies them{undo(path)}")
            except OSError as exc:
                message += f"; the answers could not be saved ({exc})"
        if self.dirty:
            try:
                path = self.save_recovery()
                message += f"; your answers are in {path}{self.fallback_note()}. Resume with: {self.resume_command(path)}"
                if applied:  # what 'run apply again' and 'destroy' mean, as commands
                    message += f"; or {self.replay_command(path)} applies them{undo(path)}"
            except OSError as exc:
                message += f"; the answers could not be saved ({exc})"
        return message

    @property
    def result(self) -> Result | None:
        """The current plan's apply result (None before its apply, and after a new plan)."""
        return self._result

    @result.setter
    def result(self, value: Result | None) -> None:
        self._result = value
        if value is not None and value.changes_done and not any(r is value for r, _ in self.applies):
            self.applies.append((value, self._executed))

    def _applies_summary(self) -> str:
        counted = [result.counted(plan) if plan is not None else f"{len(result.changes_done)} change(s)"
                   for result, plan in self.applies]
        return counted[0] if len(counted) == 1 else f"{len(counted)} applies: " + "; then ".join(counted)

    def applied_summary(self) -> str:
        """What the last apply changed, counted as its plan counted them ('10 added, 0 changed, 0 destroyed';
        the wait for the endpoints is not a change), for every front end."""
        result, plan = self.result, self._executed
        if result is None:
            return ""
        if plan is None:
            return f"{len(result.changes_done)} change(s)"
        return result.counted(plan)

    def resume_command(self, path: Path) -> str:
        from wizard.profiles import command_path  # noqa: PLC0415

        return (f"studio-vpce wizard {command_path(path)}" + (" --plain" if self.plain else "")
                + (" --demo" if self.demo else ""))

    def confirmation_flags(self) -> list[str]:
        """The flags `apply` needs to go ahead without asking, for the current answers: one for each of the
        plan's own confirmations (Plan.confirmations, which the CLI's apply requires as flags). Without a plan
        at hand, the engine's rule says which (planner.confirmations), never a copy of it."""
        plan = self.plan
        if plan is not None:
            asked = list(plan.confirmations)
        elif self.inventory is not None:
            from wizard.planner import confirmations  # noqa: PLC0415

            asked = [a.asked for a in confirmations(self.inventory.caller, self.profile())]
        else:
            asked = []
        return [c.flag for c in asked if c.flag]

    def differs_from_applied(self) -> str:
        """What a save says when the answers differ from those this session's last apply made AWS match (a
        trial: a profile saved after an apply and a later change said nothing of it), else ''."""
        applied = next((plan for result, plan in reversed(self.applies) if plan is not None), None)
        try:
            if applied is None or self.profile() == applied.profile:
                return ""
        except ValueError:
            return ""
        return ("It differs from what this session applied (answers changed since): AWS does not match it until "
                "it is applied (the Preview, Ctrl+N, y).")

    def aws_changed(self) -> str:
        """'AWS was changed by this session's apply: 8 added, ...' when an apply of this session made changes,
        else ''."""
        if not self.applies:
            return ""
        return f"AWS was changed by this session's apply: {self._applies_summary()}"

    def quit_message(self) -> str:
        """What leaving says about the profile: only what is true now. The file saved for the current answers
        and the command that replays it, or nothing (answers changed since a save: that file holds others).
        After an apply that changed AWS, that too, and the file that holds the answers it applied."""
        changed = self.aws_changed()
        if self.saved_path is None or self.dirty:
            if changed and not self.dirty and self.loaded_from is not None:  # started from a file, unchanged
                return (f"{changed}. The answers are those of {self.loaded_from}, unchanged: "
                        f"{self.destroy_command(self.loaded_from)} removes what it made.")
            if changed:
                return f"{changed}."
            still = self.still_in_recovery().removeprefix("; ")
            return still[:1].upper() + still[1:]
        differs = f" {self.differs_from_applied()}" if changed and self.differs_from_applied() else ""
        return ((f"{changed}. " if changed else "") + f"Saved {self.saved_path}.{differs} Replay it with: "
                f"{self.replay_command()}" + self.replay_note())

    def still_in_recovery(self) -> str:
        """Leaving a session resumed from a recovery file, with nothing changed: its answers are still in that
        file, and how to resume (a trial: Ctrl+Q quit printing nothing, Ctrl+C said only 'interrupted')."""
        if self.resumed_from is None or self.dirty or not self.resumed_from.is_file():
            return ""
        return f"; your answers are still in {self.resumed_from}. Resume with: {self.resume_command(self.resumed_from)}"

    def discarded(self) -> str:
        """Quit > Discard: what leaving says. Nothing when no apply changed AWS (the answers go, as asked). After
        an apply that did, what it made is said, and the answers are kept in a recovery file (0600, in the
        state folder, never here) with the command that removes what was made: without them nothing can."""
        changed = self.aws_changed()
        if not changed:
            return "Discarded: nothing was saved."
        made = "".join(f"\n  {a} {result.ids[a]}" if a in result.ids else f"\n  {a}"
                       for result, _ in self.applies for a in result.changes_done)
        message = f"Discarded: {self.not_saved()}.\n{changed}:{made}"
        try:
            path = self.save_recovery()
        except OSError as exc:
            return message + f"\nThe answers could not be kept ({exc}): nothing was saved."
        if self.made_everything()[0]:
            remove = f"Remove what was made: {self.destroy_command(path)}"
        else:  # the session changed a deployment that was there before: destroy removes all of it, said so
            remove = (f"{self.destroy_command(path)} {self.removes()}; to undo only this session's changes, resume, "
                      "change the answers back and apply")
        return message + f"\nIts answers are kept in {path} ({self.only_you()}).\n{remove}\nResume: {self.resume_command(path)}"

    def kept_incomplete(self) -> str:
        """Quit > Save when the answers cannot make a profile yet: they go to a recovery file (0600, as Ctrl+C's),
        and the line says why not a profile, where they are and how to resume."""
        blocking = self.blocking("save") or "the answers are not complete"
        try:
            path = self.save_recovery()
        except OSError as exc:
            return f"Not saved: {blocking}; the answers could not be kept either ({exc})."
        return (f"Not saved as a profile ({blocking}); your answers are kept in {path} ({self.only_you()}). "
                f"Resume with: {self.resume_command(path)}")

    def made_everything(self) -> tuple[bool, int | None]:
        """Whether this session's applies created every resource the profile manages (so destroy removes only what
        the session made), and how many the profile manages after the last one (None when not known: no finished
        apply). What destroy deletes: the profile's own resources, not what it changed outside it, nor the rules
        that go with its security group."""
        applied = [(result, plan) for result, plan in self.applies if plan is not None]
        if not applied or not applied[-1][0].ok:
            return False, None
        created = {c.address for result, plan in applied for c in plan.changes
                   if c.action == "create" and c.address in set(result.changes_done)}
        managed = {c.address for c in applied[-1][1].changes if c.action != "delete" and not c.outside
                   and not c.address.startswith(("security_group_rule.", "wait."))}
        return managed <= created, len(managed)

    def removes(self) -> str:
        """What the destroy command offered after an apply removes, said after it (a trial: 'Remove what was made:
        destroy' after a session that added one attachment to a deployment of 9; that destroy removes all 9)."""
        everything, count = self.made_everything()
        if everything:
            return "removes what they made"
        counted = f" ({count} resource{'' if count == 1 else 's'})" if count else ""
        return (f"removes everything profile {self.answers['name']} manages{counted}, not only what this session "
                "changed (it shows its plan and asks first)")

    def destroy_command(self, path: Path) -> str:
        from wizard.profiles import command_path  # noqa: PLC0415

        flags = ""
        if self.demo:
            flags = " --demo" + (f" --region {self.region}" if self.region else "")
        return f"studio-vpce destroy {command_path(path)}{flags}"

    def replay_note(self) -> str:
        """What the replay command's confirmation flags say yes to in advance, or "" (trial 16: a saved profile's
        hint carried --confirm-self-lockout, turning the explicit confirmation into a copy-paste, unsaid); for a
        deployment an export's stack made, that apply refuses it and how to deploy instead (trial 18)."""
        if self.inventory is not None:  # a stack's deployment: apply refuses it (trial 18: the hint was refused)
            from wizard.planner import STACK_TOOLS, deployed_by  # noqa: PLC0415

            try:
                stack = deployed_by(self.inventory, self.profile())
            except ValueError:
                stack = None
            if stack:
                from wizard.profiles import command_path  # noqa: PLC0415

                path = command_path(self.saved_path or Path(self.default_save_path()))
                return (f"\nThis profile's deployment here was made by {STACK_TOOLS.get(stack, stack)} from an export: "
                        "apply refuses to change it; deploy the answers with `studio-vpce export "
                        f"{path} --format {stack} --out FILE{' --demo' if self.demo else ''}` and "
                        + ("`terraform apply`." if stack == "terraform" else "an update of the stack."))
        flags = self.confirmation_flags()
        if not flags:
            return ""
        return (f"\n{', '.join(flags)} confirms in advance that you are among the attach targets and lose opening "
                "Studio from outside the boundary; without it, apply asks, or refuses with no terminal.")

    def replay_command(self, path: Path | None = None) -> str:
        """The command that applies the saved profile (or `path`) without questions, with every flag it needs."""
        path = path or self.saved_path or Path(self.default_save_path())
        flags = ["--yes", *self.confirmation_flags()]
        if self.demo:
            flags.append("--demo")
            if self.region:
                flags += ["--region", self.region]
        from wizard.profiles import command_path  # noqa: PLC0415

        return f"studio-vpce apply {command_path(path)} " + " ".join(flags)
