"""The plain-prompt front end (`--plain`): the wizard's steps as questionary questions over WizardSession."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

from wizard.errors import InvalidInput
from wizard.models import EXTRA_SERVICES
from wizard.render import plan_text
from wizard.session import MODE_HELP, TITLES, WizardSession, cidr_error, split_list

MODES = ("subnet", "vpce", "source-ip", "vpc-source-ip", "none")


class Asker:
    """The questions, behind one small interface so that tests can answer them."""

    def text(self, message: str, default: str = "", validate: Callable[[str], bool | str] | None = None) -> str:
        import questionary  # noqa: PLC0415

        return _answered(questionary.text(message, default=default, validate=validate).ask())

    def select(self, message: str, choices: list[tuple[str, str]], default: str | None = None) -> str:
        import questionary  # noqa: PLC0415

        options = [questionary.Choice(title, value) for title, value in choices]
        return _answered(questionary.select(message, choices=options, default=default).ask())

    def checkbox(self, message: str, choices: list[tuple[str, str, bool, str]]) -> list[str]:
        """choices: (title, value, checked, disabled reason or '')."""
        import questionary  # noqa: PLC0415

        options = [questionary.Choice(title, value, checked=checked, disabled=reason or None)
                   for title, value, checked, reason in choices]
        return _answered(questionary.checkbox(message, choices=options).ask())

    def confirm(self, message: str, default: bool = False) -> bool:
        import questionary  # noqa: PLC0415

        return bool(_answered(questionary.confirm(message, default=default).ask()))


def _answered(value: Any) -> Any:
    if value is None:  # questionary returns None on Ctrl+C
        raise KeyboardInterrupt
    return value


def _say(text: str = "") -> None:
    print(text, flush=True)


def run_prompts(cloud_factory: Callable[[], Any], preload: Any = None, profile_path: str | None = None,
                asker: Asker | None = None, demo: bool = False) -> int:
    if asker is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise InvalidInput("--plain needs a terminal to ask on; replay a saved profile with "
                               "`studio-vpce apply PROFILE --yes`")
        asker = Asker()
    session = WizardSession(cloud_factory, preload=preload, demo=demo)
    return PlainWizard(session, asker, profile_path).run()


class PlainWizard:
    def __init__(self, session: WizardSession, ask: Asker, profile_path: str | None) -> None:
        self.s = session
        self.ask = ask
        self.profile_path = profile_path

    def heading(self, step: str) -> None:
        _say(f"\n== {TITLES[step]}" + ("  [DEMO sandbox: nothing here is real]" if self.s.demo else ""))

    def run(self) -> int:
        s, ask = self.s, self.ask
        self.heading("connect")
        _say("Discovering the account (nothing changes until you apply)...")
        inv = s.connect()
        _say(f"Account {inv.account_id}, region {inv.region}, caller {inv.caller.arn}")
        s.answers["name"] = ask.text("Profile name (used in tags and the policy name)", default=s.answers["name"],
                                     validate=_name_validator)

        self.heading("vpc")
        rows = s.vpc_rows()
        choice = ask.select("VPC", [((f"{r.vpc.id}  {r.vpc.name or '-'}  {','.join(r.vpc.cidrs)}  "
                                      f"domains: {','.join(r.domains) or '-'}"), r.vpc.id) for r in rows],
                            default=s.answers["vpc_id"])
        vpc = s.select_vpc(choice)
        if vpc and (vpc.dns_support is False or vpc.dns_hostnames is False):
            _say("Note: DNS support or hostnames is off in this VPC; private DNS needs both.")

        self.heading("subnets")
        while True:
            options = s.subnet_options()
            picked = ask.checkbox("Subnets (one per Availability Zone)", [
                (f"{o.subnet.id}  {o.subnet.az}  {o.subnet.cidr}  {o.subnet.name}", o.subnet.id, o.selected,
                 o.reason if not o.selectable else "") for o in options])
            s.answers["subnet_ids"] = [o.subnet.id for o in options if o.subnet.id in picked]
            ok, reason = s.check("subnets")
            if ok:
                break
            _say(f"  {reason}")

        self.heading("domain")
        domains = s.domains()
        if not domains:
            raise InvalidInput(f"no Studio domain in {s.answers['vpc_id']}: choose the domain's VPC")
        domain_id = ask.select("Studio domain", [(f"{d.id}  {d.name}  {d.auth_mode}  {d.network_mode}", d.id)
                                                 for d in domains], default=s.answers["domain_id"])
        domain = s.select_domain(domain_id)
        if domain and domain.auth_mode.upper() == "SSO":
            _say("IAM Identity Center domain: the VPC-only identity policy is not supported; access mode is none.")
        sg = s.answers["security_group"]
        sg["allow_from_security_groups"] = split_list(ask.text(
            "HTTPS sources (security groups; empty = the domain's)", ", ".join(sg["allow_from_security_groups"])))
        sg["allow_from_cidrs"] = split_list(ask.text("Extra HTTPS source CIDRs (optional)", ", ".join(sg["allow_from_cidrs"]),
                                                     validate=_cidrs_validator("")))
        sg["id"] = ask.text("Existing endpoint security group id (empty = create one)", sg["id"] or "").strip() or None

        self.heading("endpoints")
        dns = s.answers["dns"]
        dns["mode"] = ask.select("DNS", [("private DNS on the endpoints (the guide's default)", "private-dns"),
                                         ("private hosted zones", "hosted-zone")], default=dns["mode"])
        dns["fix_vpc_attributes"] = ask.confirm("Turn on the VPC's DNS attributes if they are off?",
                                                default=dns["fix_vpc_attributes"])
        policy = s.answers["endpoint_policy"]
        for key in ("studio", "api"):
            policy[key] = ask.checkbox(f"{key} endpoint policy presets", [
                (p, p, p in policy[key], "") for p in ("create-app", "presigned-url")])
        s.answers["endpoints"]["extra"] = ask.checkbox("Extra endpoints (VpcOnly domains)", [
            (e, e, e in s.answers["endpoints"]["extra"], "") for e in EXTRA_SERVICES])

        self.heading("access")
        access = s.answers["access"]
        s.set_mode(ask.select("Restrict opening Studio to", [(f"{m}: {MODE_HELP[m]}", m) for m in MODES],
                              default=access["mode"]))
        if access["mode"] != "none":
            access["effect"] = ask.select("Effect", [("allow (the guide's policy)", "allow"),
                                                     ("deny guardrail as well", "deny")], default=access["effect"])
            if access["mode"] in ("source-ip", "vpc-source-ip"):
                s.set_cidrs(ask.text("CIDR ranges", ", ".join(access["cidrs"]),
                                     validate=_cidrs_validator(access["mode"], required=True)))
            for kind in ("user", "group", "role"):
                names = s.principals(kind)
                if len(names) > 50:
                    names = s.principals(kind, ask.text(f"Filter {kind}s (there are {len(names)})", ""))[:200]
                chosen = access["attach"][f"{kind}s"]
                access["attach"][f"{kind}s"] = ask.checkbox(f"Attach to {kind}s", [
                    (n, n, n in chosen, "") for n in sorted(set(names) | set(chosen))])
            if s.self_lockout():
                _say("Warning: you are among the attach targets: you will open Studio only from inside the VPC.")

        self.heading("preview")
        s.step = 6
        plan = s.build_plan()
        _say(plan_text(plan))
        actions = [("Save the profile without applying", "save"), ("Quit without saving", "quit")]
        if not plan.errors and plan.has_changes:
            actions.insert(0, ("Apply now", "apply"))
        action = ask.select("Next", actions, default=actions[0][1])
        if action == "quit":
            return 0
        if action == "apply":
            if s.self_lockout() and not ask.confirm("You will lose console access to Studio. Go ahead?"):
                return 5
            self.heading("apply")
            result = s.apply(lambda e: _say(f"{e.kind:>6} {e.address} {e.id or ''}") if e.kind != "start" else None)
            if not result.ok:
                _say(f"Apply stopped: {result.error}. Run the same profile again to carry on.")
        self.heading("save")
        path = ask.text("Save the profile to", self.profile_path or f"profiles/{s.answers['name']}.yaml")
        saved = s.save(path)
        _say(f"Saved {saved}. Replay it with: {s.replay_command()}")
        return 0 if s.result is None or s.result.ok else 1


def _name_validator(text: str) -> bool | str:
    return bool(re.match(r"^[a-z0-9-]{1,40}$", text)) or "1-40 of lowercase letters, digits and '-'"


def _cidrs_validator(mode: str, required: bool = False) -> Callable[[str], bool | str]:
    def validate(text: str) -> bool | str:
        cidrs = split_list(text)
        if required and not cidrs:
            return "at least one CIDR range"
        for cidr in cidrs:
            error = cidr_error(cidr, mode)
            if error:
                return error
        return True
    return validate
