"""Plans and inventories as text for people and JSON for machines."""

from __future__ import annotations

import json
from typing import Any

from wizard.cost import estimate
from wizard.models import Change, Inventory, Plan, SecurityGroupInfo, to_jsonable
from wizard.names import PROFILE_TAG

OUTSIDE = "not created by studio-vpce"  # said of a change to a resource the tool did not create (Change.outside)
SYMBOLS = {"create": "+", "update": "~", "delete": "-", "no-op": "="}
_COLORS = {"create": "32", "update": "33", "delete": "31", "no-op": "2", "warn": "33", "error": "31"}


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": 1,
        "profile": plan.profile.name,
        "account_id": plan.account_id,
        "region": plan.region,
        "changes": [{"address": c.address, "type": c.type, "action": c.action, "id": c.id,
                     "before": c.before, "after": c.after, "reason": c.reason,
                     "outside": c.outside} for c in plan.changes],  # outside: an extra key (docs: README)
        "policies": {"endpoint": plan.endpoint_policies, "identity": plan.identity_policy},
        "warnings": [{"code": w.code, "message": w.message} for w in plan.warnings],
        "errors": [{"code": e.code, "message": e.message} for e in plan.errors],
        "fingerprint": plan.fingerprint,
        "cost": estimate(plan).as_json(),
        "demo": plan.demo,  # the demo sandbox, not a real account (the text plan says DEMO)
        "caller": plan.caller_arn or None,
    }


def _paint(text: str, kind: str, color: bool) -> str:
    return f"\033[{_COLORS[kind]}m{text}\033[0m" if color else text


def describe(change: Change, group: str = "") -> str:
    """A short human summary of what a change does; `group`: the name of the group the 443 rules are on."""
    a = change.after or change.before
    kind = change.type
    if kind == "vpc_endpoint":
        if change.action == "delete":
            return a.get("service_name", "")
        policy = "policy" if a.get("policy") else "no policy (full access)"
        if a.get("type") == "Gateway":  # on route tables: no subnets, no DNS of its own
            tables = a.get("route_table_ids") or []
            return (f"{a.get('service_name')} gateway on route table{'' if len(tables) == 1 else 's'} "
                    f"{', '.join(tables) or '(none)'}, {policy}")
        dns = "private DNS on" if a.get("private_dns_enabled") else "private DNS off"
        return f"{a.get('service_name')} in {len(a.get('subnet_ids', []))} subnet(s), {dns}, {policy}"
    if kind == "security_group":
        return f"{a.get('name')}" + (f" in {a['vpc_id']}" if a.get("vpc_id") else "")
    if kind == "security_group_rule":  # keyed by its source: say which group it is on
        ports = "tcp/443"
        if "from_port" in a:  # a rule the profile does not define
            from wizard.planner import rule_ports  # noqa: PLC0415

            ports = rule_ports(str(a.get("protocol")), int(a["from_port"]), int(a.get("to_port", a["from_port"])))
        return f"ingress {ports} on {group or 'the endpoint group'} from {a.get('source')}"
    if kind == "vpc_attribute":
        return ", ".join(f"{k}={v}" for k, v in a.items())
    if kind == "hosted_zone":
        return f"private zone {a.get('name')}"
    if kind == "route53_record":
        return f"{a.get('name')} A alias -> {a.get('alias_target')}"
    if kind == "hosted_zone_association":
        return f"associate {a.get('vpc_id')}"
    if kind == "iam_policy":
        return f"{a.get('path', '')}{a.get('name', '')}"
    if kind == "iam_policy_version":
        return f"delete old version {a.get('version')}"
    if kind == "iam_policy_attachment":
        return f"attach to {change.address.split('.')[1]} {a.get('principal')}"
    return ""


def outside_label(change: Change) -> str:
    """Whose a resource the plan changes is, when not this profile's (Change.outside): another studio-vpce
    profile's, by its tag (trial 13: another profile's endpoint was said to be "not created by studio-vpce", next to
    the endpoint_owned_by_other_profile error naming that profile), else not created by studio-vpce."""
    if not change.outside:
        return ""
    owner = (change.before.get("tags") or {}).get(PROFILE_TAG) if isinstance(change.before, dict) else None
    return f"managed by studio-vpce profile '{owner}'" if owner else OUTSIDE


def endpoint_group_name(plan: Plan) -> str:
    """The group the plan's 443 rules are on: the one it creates or keeps (`studio-vpce-<name>`)."""
    group = next((c for c in plan.changes if c.address == "security_group.endpoints"), None)
    named = (group.after or group.before).get("name") if group is not None else None
    return str(named or f"studio-vpce-{plan.profile.name}")


NOTHING_TO_DESTROY = "Nothing to destroy: no resource of this profile (its tags, in {vpc}) is left."


def plan_text(plan: Plan, verbose: bool = False, color: bool = False, destroy: bool = False) -> str:
    """The plan for people; `destroy` for a destroy plan (its empty case says there is nothing to destroy)."""
    lines = [f"studio-vpce plan for profile {plan.profile.name!r}: account {plan.account_id}, region {plan.region}"
             + ("  [DEMO sandbox: nothing here is real]" if plan.demo else "")]
    if plan.caller_arn:
        lines.append(f"caller: {plan.caller_arn}")
    lines.append("")
    shown = [c for c in plan.changes if verbose or c.action != "no-op"]
    width = max((len(c.address) for c in shown), default=0)
    group = endpoint_group_name(plan)
    for change in shown:
        text = f"  {SYMBOLS[change.action]} {change.address.ljust(width)}  {describe(change, group)}"
        if change.id:
            text += f"  [{change.id}]"
        if change.action != "no-op" and (change.reason or change.outside):
            label = outside_label(change)
            text += f"  ({label}{': ' if label and change.reason else ''}{change.reason})"
        lines.append(_paint(text, change.action, color))
    if not shown:
        lines.append("  " + (NOTHING_TO_DESTROY.format(vpc=plan.profile.vpc_id) if destroy else "No changes. The account matches the profile."))
    for key, document in plan.endpoint_policies.items():
        lines += ["", f"Endpoint policy for vpc_endpoint.{key}:"]
        lines += ["  (none: AWS's default full access)"] if document is None else \
            ["  " + line for line in json.dumps(document, indent=2).splitlines()]
    if plan.identity_policy is not None:
        lines += ["", f"Identity policy {plan.profile.policy_name}:"]
        lines += ["  " + line for line in json.dumps(plan.identity_policy, indent=2).splitlines()]
    if plan.warnings:
        lines += ["", "Warnings:"] + [_paint(f"  ! {w.code}: {w.message}", "warn", color) for w in plan.warnings]
    if plan.errors:
        lines += ["", f"Errors ({'destroy' if destroy else 'apply'} refuses until they are fixed):"]
        lines += [_paint(f"  x {e.code}: {e.message}", "error", color) for e in plan.errors]
    cost = estimate(plan)
    if cost.has_cost:
        lines += ["", cost.line()]
    lines += ["", (f"Plan: {plan.count('create')} to add, {plan.count('update')} to change, "
                   f"{plan.count('delete')} to destroy.")]
    return "\n".join(lines)


def discover_json(inv: Inventory) -> dict[str, Any]:
    data = to_jsonable(inv)
    return {"account_id": inv.account_id, "region": inv.region, "caller": data["caller"], "vpcs": data["vpcs"],
            "domains": data["domains"], "endpoints": data["endpoints"], "security_groups": data["security_groups"],
            "services": data["services"],
            "principals": {kind + "s": [p.name for p in inv.principals if p.kind == kind]
                           for kind in ("user", "group", "role")},
            "demo": inv.demo}


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths))]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    return out


def _flag(value: bool | None) -> str:
    return {True: "on", False: "OFF", None: "?"}[value]


def _https_sources(group: SecurityGroupInfo) -> list[str]:
    """The sources an ingress rule admits on TCP 443 (all traffic counts)."""
    return sorted({r.source for r in group.ingress
                   if r.protocol in ("-1", "all") or (r.protocol == "tcp" and r.from_port <= 443 <= r.to_port)})


def discover_table(inv: Inventory) -> str:
    lines = [f"account {inv.account_id}  region {inv.region}  caller {inv.caller.arn}"
             + ("  [DEMO sandbox]" if inv.demo else ""), "", "VPCs:"]
    lines += _table(["id", "name", "cidr", "dns support/hostnames", "subnets"],
                    [[v.id, v.name, ",".join(v.cidrs), f"{_flag(v.dns_support)}/{_flag(v.dns_hostnames)}",
                      str(len(v.subnets))] for v in inv.vpcs])
    unread = sum(1 for v in inv.vpcs if v.dns_support is None)
    if unread:
        lines.append(f"(? = DNS attributes not read for {unread} VPCs, to stay inside EC2's request limits: "
                     "`aws ec2 describe-vpc-attribute` shows one; the wizard reads the VPC you pick)")
    lines += ["", "Subnets:"]
    lines += _table(["id", "vpc", "az", "az id", "cidr", "free ips", "name"],
                    [[s.id, s.vpc_id, s.az, s.az_id or "", s.cidr, str(s.free_ips), s.name]
                     for v in inv.vpcs for s in v.subnets])
    lines += ["", "Studio domains:"]
    lines += _table(["id", "name", "vpc", "auth", "network", "security groups"],
                    [[d.id, d.name, d.vpc_id, d.auth_mode, d.network_mode, ",".join(d.security_group_ids)]
                     for d in inv.domains])
    sagemaker = [e for e in inv.endpoints if "sagemaker" in e.service]
    lines += ["", "SageMaker endpoints:"]
    lines += _table(["id", "vpc", "service", "state", "private dns"],
                    [[e.id, e.vpc_id, e.service, e.state, "on" if e.private_dns else "off"] for e in sagemaker])
    lines += ["", "Security groups:"]
    lines += _table(["id", "vpc", "name", "https (443) from", "studio-vpce profile"],
                    [[g.id, g.vpc_id, g.name, ",".join(_https_sources(g)) or "-", dict(g.tags).get(PROFILE_TAG, "")]
                     for g in inv.security_groups])
    lines += ["", "Principals: " + ", ".join(
        f"{sum(1 for p in inv.principals if p.kind == k)} {k}s" for k in ("user", "group", "role"))]
    return "\n".join(lines)


def outside_access_line(row: Any, profile: Any) -> str:
    """One attach target in the "Who can open Studio" view (the wizard's Preview): whether it can open Studio
    from outside the boundary now, and after apply, worded for each pair of answers: a target that cannot now
    and will not after is "still no", never "stopped"; one the profile closes is "no: this profile stops it";
    one that stays open says why. `row`: iam_eval.PrincipalAccess."""
    from wizard.modes import BY_NAME  # noqa: PLC0415

    where = BY_NAME[profile.access.mode].where or "from inside the boundary"
    now = {True: "yes", False: "no", None: "cannot tell"}[row.from_anywhere]
    if row.stopped_by_profile is None:
        after = "cannot tell"
    elif row.stopped_by_profile:
        after = {True: "no: this profile stops it", False: "still no"}.get(row.from_anywhere, "no")
        after += f" (only {where})"
    else:
        why = ("not an attach target of this profile" if not row.targeted else
               "another policy allows it without the network condition; access.effect: deny would stop it"
               if profile.access.effect == "allow" else "the policies below allow it")
        after = f"{'STILL YES' if row.from_anywhere else 'YES'} ({why})"
    return f"{row.type} {row.name}: from outside now: {now}; after apply: {after}"
