"""The wizard's steps and answers, with no UI: the Textual screens and the plain prompts are views over this.

Methods that take time (they call AWS) say so in their docstring; a UI runs them off its event loop.
Everything else is quick and pure.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wizard.discovery import api_service, discover, observe, refresh_vpc, studio_service
from wizard.executor import Event, Executor, Result
from wizard.models import ACCESS_MODES, Domain, Inventory, Plan, Profile, Subnet, Vpc
from wizard.planner import plan as make_plan
from wizard.profiles import save as save_profile

STEPS = ("connect", "vpc", "subnets", "domain", "endpoints", "access", "preview", "apply", "save")
TITLES = {"connect": "Connect", "vpc": "VPC", "subnets": "Subnets", "domain": "Studio domain and security groups",
          "endpoints": "Endpoints and DNS", "access": "Access restriction", "preview": "Preview",
          "apply": "Apply", "save": "Save profile"}
MODE_HELP = {
    "subnet": "aws:SourceVpc - only requests that come from inside this VPC (through its endpoints) may open Studio.",
    "vpce": "aws:sourceVpce - only requests made through these interface endpoints may open Studio.",
    "source-ip": "aws:SourceIp - only callers from these public IP ranges may open Studio (not via the endpoints).",
    "vpc-source-ip": "aws:VpcSourceIp - only callers inside the VPC whose private address is in these ranges.",
    "none": "No identity policy: endpoints only. (The only choice for IAM Identity Center domains.)",
}
HELP = {
    "connect": "Discovery reads your VPCs, subnets, Studio domains, endpoints and IAM principals. Nothing changes "
               "until the Apply step. The profile name is used in tags and the policy name.",
    "vpc": "Pick the VPC Studio runs in (its domain's VPC). Private DNS needs DNS support and DNS hostnames on.",
    "subnets": "The endpoints get one network interface per subnet: one subnet per Availability Zone, and only "
               "zones the Studio service offers.",
    "domain": "The Studio domain whose users should reach Studio privately. HTTPS (443) into the endpoints is "
              "allowed from the domain's security groups unless you name others.",
    "endpoints": "Private DNS makes the public service names resolve to the endpoints inside the VPC (the guide's "
                 "default). Hosted-zone mode builds private hosted zones instead. Endpoint policies narrow what "
                 "may be called through an endpoint; the Studio endpoint must allow CreateApp.",
    "access": "An IAM policy allowing CreatePresignedDomainUrl only from inside the VPC, attached to the users, "
              "groups and roles that open Studio. 'deny' adds a guardrail that holds even against broader Allows.",
    "preview": "Every change and every policy, exactly as apply will make them. Apply is disabled while the plan "
               "has errors. You can also save the profile without applying.",
    "apply": "Changes are made in order and shown as they happen. If a step fails, retry: apply converges.",
    "save": "Save the answers as a YAML profile; replay it with the command shown.",
}


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


def cidr_error(text: str, mode: str = "") -> str | None:
    """Why a CIDR typed by the user is not acceptable, or None."""
    try:
        net = ipaddress.ip_network(text.strip(), strict=True)
    except ValueError as exc:
        return f"{text.strip() or '(empty)'}: {exc}"
    if net.prefixlen == 0:
        return f"{net} admits everyone"
    if mode == "source-ip" and not net.is_global and not str(net).startswith(("192.0.2.", "198.51.100.", "203.0.113.")):
        return f"{net} is not a public range: aws:SourceIp never matches private addresses"
    return None


def split_list(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text.strip()) if part]


class WizardSession:
    """Answers, navigation and the engine calls behind every front end."""

    def __init__(self, cloud_factory: Callable[[], Any], preload: Profile | None = None, demo: bool = False) -> None:
        self.cloud_factory = cloud_factory
        self.cloud: Any = None
        self.demo = demo
        self.inventory: Inventory | None = None
        self.plan: Plan | None = None
        self.result: Result | None = None
        self.saved_path: Path | None = None
        self.step = 0
        base = preload.model_dump() if preload else {}
        self.answers: dict[str, Any] = {
            "name": base.get("name", "studio-private"),
            "vpc_id": base.get("vpc_id"),
            "subnet_ids": list(base.get("subnet_ids", [])),
            "domain_id": base.get("domain_id"),
            "account_id": base.get("account_id"),
            "endpoints": base.get("endpoints", {"studio": True, "api": True, "extra": []}),
            "dns": base.get("dns", {"mode": "private-dns", "associate_vpc_ids": [], "fix_vpc_attributes": False}),
            "security_group": base.get("security_group", {"id": None, "allow_from_security_groups": [],
                                                          "allow_from_cidrs": []}),
            "endpoint_policy": base.get("endpoint_policy", {"studio": ["create-app", "presigned-url"], "api": []}),
            "access": base.get("access", {"mode": "vpce", "effect": "allow", "cidrs": [], "extra_vpce_ids": [],
                                          "resource_scope": "domain", "policy_name": None,
                                          "attach": {"users": [], "groups": [], "roles": []}}),
            "tags": base.get("tags", {}),
        }
        self.preloaded_region = base.get("region")

    # ---------------------------------------------------------------- navigation

    @property
    def current(self) -> str:
        return STEPS[self.step]

    def can_advance(self) -> tuple[bool, str]:
        """Whether Next is allowed on the current step, and why not."""
        return self.check(self.current)

    def check(self, step: str) -> tuple[bool, str]:
        a = self.answers
        if step == "connect":
            if self.inventory is None:
                return False, "waiting for discovery"
            if not re.match(r"^[a-z0-9-]{1,40}$", a["name"] or ""):
                return False, "the profile name must be 1-40 of lowercase letters, digits and '-'"
        if step == "vpc" and not a["vpc_id"]:
            return False, "choose a VPC"
        if step == "subnets":
            if not a["subnet_ids"]:
                return False, "choose at least one subnet"
            azs = [o.subnet.az for o in self.subnet_options() if o.selected]
            if len(azs) != len(set(azs)):
                return False, "one subnet per Availability Zone"
        if step == "domain" and not a["domain_id"]:
            return False, "choose a Studio domain"
        if step == "access":
            access = a["access"]
            for cidr in access["cidrs"]:
                error = cidr_error(cidr, access["mode"])
                if error:
                    return False, error
            if access["mode"] in ("source-ip", "vpc-source-ip") and not access["cidrs"]:
                return False, "this mode needs at least one CIDR range"
        if step == "preview":
            if self.plan is None:
                return False, "waiting for the plan"
            if self.plan.errors:
                return False, f"the plan has {len(self.plan.errors)} error(s); go back and fix them"
        if step == "apply" and (self.result is None or not self.result.ok):
            return False, "apply has not finished"
        return True, ""

    def next(self) -> bool:
        ok, _ = self.can_advance()
        if ok and self.step < len(STEPS) - 1:
            if self.current == "access":
                self.plan = None  # answers changed: the preview re-plans
            self.step += 1
            return True
        return False

    def back(self) -> bool:
        # nothing goes back over a finished apply
        if (self.step > 0 and self.current != "apply") or (self.current == "apply" and self.result is None):
            self.step = max(0, self.step - 1)
            return True
        return False

    def goto(self, step: str) -> bool:
        """Jump to a step already reachable (every step before it can advance)."""
        target = STEPS.index(step)
        if all(self.check(s)[0] for s in STEPS[:target]) or target <= self.step:
            self.step = target
            return True
        return False

    # ---------------------------------------------------------------- discovery (slow: calls AWS)

    def connect(self) -> Inventory:
        """Slow. Build the cloud session and discover the account."""
        self.cloud = self.cloud_factory()
        self.inventory = discover(self.cloud)
        if self.answers["vpc_id"]:
            self.select_vpc(self.answers["vpc_id"], keep=True)
        return self.inventory

    def select_vpc(self, vpc_id: str, keep: bool = False) -> Vpc | None:
        """Slow (reads the VPC's DNS attributes). Choose the VPC; a new VPC clears subnets and domain."""
        assert self.inventory is not None
        vpc = self.inventory.vpc(vpc_id)
        if vpc is None:
            return None
        if vpc.dns_support is None and self.cloud is not None:
            vpc = refresh_vpc(self.cloud, vpc)
            self.inventory = Inventory(**{**self.inventory.__dict__,
                                          "vpcs": tuple(vpc if v.id == vpc_id else v for v in self.inventory.vpcs)})
        if not keep and vpc_id != self.answers["vpc_id"]:
            self.answers["subnet_ids"] = []
            self.answers["domain_id"] = None
        self.answers["vpc_id"] = vpc_id
        if not self.answers["domain_id"]:
            in_vpc = self.domains()
            if len(in_vpc) == 1:
                self.answers["domain_id"] = in_vpc[0].id
        return vpc

    # ---------------------------------------------------------------- choices (quick)

    def vpc_rows(self, text: str = "") -> list[VpcRow]:
        assert self.inventory is not None
        rows = []
        needle = text.lower().strip()
        for vpc in self.inventory.vpcs:
            if needle and needle not in f"{vpc.id} {vpc.name} {' '.join(vpc.cidrs)}".lower():
                continue
            rows.append(VpcRow(vpc, tuple(d.id for d in self.inventory.domains if d.vpc_id == vpc.id),
                               tuple(e.id for e in self.inventory.endpoints if e.vpc_id == vpc.id and "sagemaker" in e.service)))
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
        services = [s for s in (self.inventory.service(studio_service(region)), self.inventory.service(api_service(region))) if s]
        taken = {s.az: s.id for s in vpc.subnets if s.id in chosen}
        options = []
        for subnet in vpc.subnets:
            unsupported = [s.name for s in services if not (
                (subnet.az_id in s.az_ids) if s.az_ids and subnet.az_id else subnet.az in s.azs)]
            if unsupported:
                reason = f"{subnet.az} is not offered by {unsupported[0]}"
            elif subnet.az in taken and taken[subnet.az] != subnet.id:
                reason = f"{taken[subnet.az]} is already chosen in {subnet.az} (one subnet per AZ)"
            else:
                reason = ""
            options.append(SubnetOption(subnet, subnet.id in chosen, not reason or subnet.id in chosen, reason))
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
        return self.inventory.domain(self.answers["domain_id"]) if self.inventory and self.answers["domain_id"] else None

    def select_domain(self, domain_id: str) -> Domain | None:
        domain = next((d for d in self.domains() if d.id == domain_id), None)
        if domain is not None:
            self.answers["domain_id"] = domain_id
            if domain.auth_mode.upper() == "SSO":
                self.answers["access"]["mode"] = "none"
        return domain

    def security_groups_in_vpc(self) -> list[Any]:
        if self.inventory is None:
            return []
        return [g for g in self.inventory.security_groups if g.vpc_id == self.answers["vpc_id"]]

    def principals(self, kind: str, text: str = "") -> list[str]:
        if self.inventory is None:
            return []
        needle = text.lower().strip()
        return [p.name for p in self.inventory.principals if p.kind == kind and needle in p.name.lower()]

    def toggle_principal(self, kind: str, name: str) -> None:
        chosen = self.answers["access"]["attach"][f"{kind}s"]
        if name in chosen:
            chosen.remove(name)
        else:
            chosen.append(name)

    def set_mode(self, mode: str) -> None:
        if mode not in ACCESS_MODES:
            raise ValueError(mode)
        self.answers["access"]["mode"] = mode

    def set_cidrs(self, text: str) -> list[str]:
        """Set access.cidrs from free text; returns the errors (empty when all are valid)."""
        cidrs = split_list(text)
        self.answers["access"]["cidrs"] = cidrs
        return [e for e in (cidr_error(c, self.answers["access"]["mode"]) for c in cidrs) if e]

    def self_lockout(self) -> bool:
        if self.inventory is None:
            return False
        caller = self.inventory.caller
        attach = self.answers["access"]["attach"]
        return ((caller.kind == "user" and caller.name in attach["users"])
                or any(g in attach["groups"] for g in caller.groups)
                or (caller.kind == "assumed-role" and caller.name in attach["roles"]))

    # ---------------------------------------------------------------- profile, plan, apply, save

    def profile(self) -> Profile:
        """The answers as a validated Profile (raises ValueError with the reason)."""
        assert self.inventory is not None
        data = {"version": 1, **{k: v for k, v in self.answers.items() if k != "account_id"},
                "region": self.inventory.region, "account_id": self.answers["account_id"] or self.inventory.account_id}
        try:
            return Profile.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ValueError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None

    def build_plan(self) -> Plan:
        """Slow. Observe what the profile names and plan it."""
        profile = self.profile()
        self.plan = make_plan(observe(self.cloud, profile), profile)
        return self.plan

    def apply(self, on_event: Callable[[Event], None]) -> Result:
        """Slow. Re-plan (the account may have moved) and carry the plan out, reporting progress."""
        plan = self.build_plan()
        if plan.errors:
            raise ValueError(f"the plan has {len(plan.errors)} error(s)")
        self.result = Executor(self.cloud, plan, on_event=on_event).run()
        return self.result

    def save(self, path: str | Path) -> Path:
        self.saved_path = save_profile(self.profile(), path)
        return self.saved_path

    def replay_command(self) -> str:
        path = self.saved_path or Path(f"profiles/{self.answers['name']}.yaml")
        return f"studio-vpce apply {path} --yes" + (" --demo" if self.demo else "")
