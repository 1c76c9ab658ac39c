"""Cloud -> the identity policies of IAM principals (for `plan`'s attach targets and for `audit`'s whole account).

Two readers:
- `read_targets`: only the named principals (plan): attached managed policies (their default versions), inline
  policies, a user's groups and theirs. Calls grow with the attach targets, never with the account; independent
  reads run concurrently. Permissions boundaries are not read here (an extra call per principal): the local answer
  for plan is "what the identity policies allow"; `audit` (simulator or a full read) includes boundaries.
- `read_account`: every user, group and role with one paginated GetAccountAuthorizationDetails, plus the default
  version of each AWS managed policy attached to any of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote

from wizard.cloud import Cloud
from wizard.errors import AwsError
from wizard.models import PolicyDoc, PrincipalPolicies

_ATTACHED = {"user": ("list_attached_user_policies", "UserName"), "group": ("list_attached_group_policies", "GroupName"),
             "role": ("list_attached_role_policies", "RoleName")}
_INLINE = {"user": ("list_user_policies", "get_user_policy"), "group": ("list_group_policies", "get_group_policy"),
           "role": ("list_role_policies", "get_role_policy")}
_WORKERS = 8


def document(raw: Any) -> dict[str, Any]:
    """A policy document as AWS returns it (a dict from botocore, or URL-encoded JSON text) -> dict."""
    if isinstance(raw, dict):
        return raw
    text = unquote(raw) if isinstance(raw, str) and raw.lstrip().startswith("%7B") else raw
    try:
        parsed = json.loads(text)
    except (TypeError, ValueError):
        return {"_unparsed": str(raw)}
    return parsed if isinstance(parsed, dict) else {"_unparsed": str(raw)}


def _default_version(cloud: Cloud, arn: str) -> dict[str, Any]:
    version = cloud.call("iam", "get_policy", PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return document(cloud.call("iam", "get_policy_version", PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])


def _own(cloud: Cloud, kind: str, name: str) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    """(attached managed policy ARNs, [(inline name, document)]) of one principal. Sequential on purpose: callers
    run one per principal in a pool, and a task that waits on tasks of its own pool can deadlock it."""
    operation, key = _ATTACHED[kind]
    attached = [a["PolicyArn"] for a in cloud.pages("iam", operation, "AttachedPolicies", **{key: name})]
    list_op, get_op = _INLINE[kind]
    names = cloud.pages("iam", list_op, "PolicyNames", **{key: name})
    return attached, [(n, document(cloud.call("iam", get_op, **{key: name, "PolicyName": n})["PolicyDocument"]))
                      for n in names]


def read_targets(cloud: Cloud, targets: dict[str, list[str]], skip: Callable[[str], bool] = lambda arn: False,
                 ) -> tuple[list[PrincipalPolicies], dict[tuple[str, str], int]]:
    """The named principals' policies, and how many managed policies each has attached (for the quota check).

    A principal that does not exist is left out (the planner reports it). `skip`: managed policies not to read
    (this profile's own policy: observe reads it anyway, and its new version replaces it).
    """
    wanted = [(kind, name) for kind in ("user", "group", "role") for name in targets.get(kind, [])]
    if not wanted:
        return [], {}
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        own_f = {p: pool.submit(_or_missing, _own, cloud, *p) for p in wanted}
        groups_f = {name: pool.submit(_or_missing, cloud.pages, "iam", "list_groups_for_user", "Groups", UserName=name)
                    for kind, name in wanted if kind == "user"}
        memberships = {name: sorted(g["GroupName"] for g in f.result() or []) for name, f in groups_f.items()}
        extra_groups = sorted({g for gs in memberships.values() for g in gs} - {n for k, n in wanted if k == "group"})
        for group in extra_groups:
            own_f[("group", group)] = pool.submit(_or_missing, _own, cloud, "group", group)
        own = {p: f.result() for p, f in own_f.items()}
        arns = sorted(a for a in {a for result in own.values() if result for a in result[0]} if not skip(a))
        docs_f = {arn: pool.submit(_default_version, cloud, arn) for arn in arns}
        docs = {arn: f.result() for arn, f in docs_f.items()}

    def policies(kind: str, name: str) -> list[PolicyDoc]:
        attached, inline = own.get((kind, name)) or ([], [])
        return ([PolicyDoc(a, "managed", f"{kind}/{name}", docs[a]) for a in attached if a in docs]
                + [PolicyDoc(n, "inline", f"{kind}/{name}", d) for n, d in inline])

    out, counts = [], {}
    for kind, name in wanted:
        if own.get((kind, name)) is None or (kind == "user" and groups_f[name].result() is None):
            continue
        groups = memberships.get(name, []) if kind == "user" else []
        docs_of = policies(kind, name) + [d for g in groups for d in policies("group", g)]
        out.append(PrincipalPolicies(kind, name, "", tuple(docs_of), tuple(groups)))
        counts[(kind, name)] = len(own[(kind, name)][0])  # type: ignore[index]
    return out, counts


def _or_missing(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except AwsError as exc:
        if exc.code == "NoSuchEntity":
            return None
        raise


# ---------------------------------------------------------------- the whole account (audit)

def read_account(cloud: Cloud) -> list[PrincipalPolicies]:
    """Every user, group and role with its identity policies and permissions boundary (users: with their groups')."""
    details: dict[str, list[dict[str, Any]]] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [],
                                                "Policies": []}
    for page in cloud.raw_pages("iam", "get_account_authorization_details",
                                Filter=["User", "Role", "Group", "LocalManagedPolicy"]):
        for key, items in details.items():
            items.extend(page.get(key, []))
    local = {}
    for policy in details["Policies"]:
        default = next((v for v in policy.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None)
        if default is not None:
            local[policy["Arn"]] = document(default["Document"])
    attached = {a["PolicyArn"] for key in ("UserDetailList", "GroupDetailList", "RoleDetailList")
                for entity in details[key] for a in entity.get("AttachedManagedPolicies", [])}
    attached |= {e["PermissionsBoundary"]["PermissionsBoundaryArn"] for key in ("UserDetailList", "RoleDetailList")
                 for e in details[key] if e.get("PermissionsBoundary")}
    missing = sorted(attached - set(local))  # AWS managed policies: read their default versions once each
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        managed = dict(zip(missing, pool.map(lambda arn: _or_missing(_default_version, cloud, arn), missing),
                           strict=True))
    managed.update(local)

    def docs(kind: str, entity: dict[str, Any], inline_key: str) -> list[PolicyDoc]:
        name = entity[f"{kind.capitalize()}Name"]
        via = f"{kind}/{name}"
        return ([PolicyDoc(a["PolicyArn"], "managed", via, managed[a["PolicyArn"]] or {})
                 for a in entity.get("AttachedManagedPolicies", [])]
                + [PolicyDoc(p["PolicyName"], "inline", via, document(p["PolicyDocument"]))
                   for p in entity.get(inline_key, [])])

    groups = {g["GroupName"]: docs("group", g, "GroupPolicyList") for g in details["GroupDetailList"]}
    members: dict[str, list[str]] = {}
    out = []
    for user in details["UserDetailList"]:
        names = sorted(user.get("GroupList", []))
        for group in names:
            members.setdefault(group, []).append(user["UserName"])
        out.append(PrincipalPolicies("user", user["UserName"], user["Arn"],
                                     tuple(docs("user", user, "UserPolicyList") + [d for g in names
                                                                                    for d in groups.get(g, [])]),
                                     tuple(names), _boundary(user, managed)))
    for role in details["RoleDetailList"]:
        out.append(PrincipalPolicies("role", role["RoleName"], role["Arn"], tuple(docs("role", role, "RolePolicyList")),
                                     (), _boundary(role, managed)))
    for group in details["GroupDetailList"]:
        out.append(PrincipalPolicies("group", group["GroupName"], group["Arn"], tuple(groups[group["GroupName"]]),
                                     tuple(sorted(members.get(group["GroupName"], [])))))
    return out


def _boundary(entity: dict[str, Any], managed: dict[str, Any]) -> PolicyDoc | None:
    boundary = entity.get("PermissionsBoundary")
    if not boundary:
        return None
    arn = boundary["PermissionsBoundaryArn"]
    return PolicyDoc(arn, "managed", "boundary", managed.get(arn) or {})
