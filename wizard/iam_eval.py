"""Local evaluation of identity policies for one action, `sagemaker:CreatePresignedDomainUrl`, on a domain's user
profiles (and, for `audit`, `sagemaker:StartSession` on its spaces), from a request context made of the four
network keys the AWS guide uses; "from outside" is every request `outside_contexts` derives, the worst answer wins.

Used where the IAM policy simulator cannot answer (the demo sandbox: moto lacks it; or the caller may not call it)
and by `plan`, which stays pure. It follows IAM's evaluation logic for identity policies: an explicit Deny wins,
else an Allow is needed; a permissions boundary must allow too. It understands Allow/Deny, Action/NotAction,
Resource/NotResource (wildcards `*` and `?`), and conditions on aws:SourceVpc, aws:sourceVpce, aws:SourceIp and
aws:VpcSourceIp (String*, IpAddress/NotIpAddress, Null, ...IfExists, ForAnyValue:/ForAllValues:). Anything else (a
condition on another key, a policy variable, an unknown element) makes the answer None: "cannot tell", never a
guess. Answers are three-valued (Kleene logic), so an unknown statement matters only when it could change the result.

Pure: no AWS calls, no boto3.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from wizard.models import Inventory, PolicyDoc, PrincipalPolicies, Profile

ACTION = "sagemaker:CreatePresignedDomainUrl"
# The other way into Studio from a laptop: a remote IDE (VS Code) session into a space, on space/<domain>/<name>.
# The identity policy studio-vpce writes does not name it (its actions are the guide's); `audit` reports who has it.
START_SESSION = "sagemaker:StartSession"
# The four keys, lower-cased (IAM compares condition key names case-insensitively) -> the guide's spelling.
NETWORK_KEYS = {"aws:sourcevpc": "aws:SourceVpc", "aws:sourcevpce": "aws:sourceVpce", "aws:sourceip": "aws:SourceIp",
                "aws:vpcsourceip": "aws:VpcSourceIp"}
_STRING_KEYS = {"aws:sourcevpc", "aws:sourcevpce"}
_IP_KEYS = {"aws:sourceip", "aws:vpcsourceip"}
_STRING_OPERATORS = {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
                     "StringLike", "StringNotLike"}
_IP_OPERATORS = {"IpAddress", "NotIpAddress"}
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NotIpAddress"}
_STATEMENT_KEYS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
_MAX_PROFILE_NAME = 63  # a Studio user profile name: 1-63 characters

Tri = bool | None  # True, False, or None: cannot tell


@dataclasses.dataclass(frozen=True)
class Request:
    """CreatePresignedDomainUrl on any user profile of one domain (or `action` on any resource under another
    prefix with the same naming rules: StartSession on the domain's spaces), with these network keys present."""

    resource_prefix: str  # arn:<partition>:sagemaker:<region>:<account>:user-profile/<domain-id>/ (or space/...)
    context: dict[str, str]  # the guide's key spelling -> value; a key that is absent is not in the request
    action: str = ACTION

    @property
    def keys(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.context.items()}


@dataclasses.dataclass(frozen=True)
class Match:
    """A statement that applies to the request."""

    policy: str  # ARN (managed) or name (inline)
    via: str  # user/alice, group/data-scientists, role/X, or boundary/...
    statement: str  # its Sid, else "#<index from 1>"
    effect: str  # Allow | Deny

    def describe(self) -> str:
        return f"{self.policy} ({self.statement}, via {self.via})"


@dataclasses.dataclass(frozen=True)
class Decision:
    allowed: Tri
    allowed_by: tuple[Match, ...] = ()
    denied_by: tuple[Match, ...] = ()
    unknown: tuple[str, ...] = ()  # why the answer is None (or what was skipped on the way)

    @property
    def note(self) -> str:
        return "; ".join(self.unknown)


def resource_prefix(partition: str, region: str, account: str, domain_id: str) -> str:
    return f"arn:{partition}:sagemaker:{region}:{account}:user-profile/{domain_id}/"


def space_prefix(partition: str, region: str, account: str, domain_id: str) -> str:
    """StartSession's resource: a space of the domain (space names follow the user profile names' rules)."""
    return f"arn:{partition}:sagemaker:{region}:{account}:space/{domain_id}/"


# ---------------------------------------------------------------- wildcards

@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM wildcards: `*` any run of characters, `?` any one character; everything else literal."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """Actions compare case-insensitively (service prefix and name)."""
    return _glob(pattern, True).fullmatch(action) is not None


def _can_continue(pattern: str, prefix: str) -> bool:
    """Whether `pattern` could match prefix + a user profile name: walk its wildcard automaton over the prefix."""
    def closure(states: Iterable[int]) -> set[int]:
        out = set(states)
        for i in list(out):
            while i < len(pattern) and pattern[i] == "*":
                i += 1
                out.add(i)
        return out

    states = closure({0})
    for char in prefix:
        step = set()
        for i in states:
            if i < len(pattern):
                if pattern[i] == "*":
                    step.add(i)
                elif pattern[i] == "?" or pattern[i] == char:
                    step.add(i + 1)
        states = closure(step)
        if not states:
            return False
    return any(_could_be_a_name(pattern[i:]) for i in states)


_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def _could_be_a_name(rest: str) -> bool:
    """Could this tail of a pattern match a user profile name (1-63 letters, digits and hyphens)?"""
    fixed = len(rest) - rest.count("*")
    return bool(rest) and all(c in _NAME_CHARS or c in "*?" for c in rest) and fixed <= _MAX_PROFILE_NAME


def resource_matches(pattern: str, prefix: str) -> Tri:
    """Does `pattern` cover every user profile ARN `prefix + name`? True: all of them; False: none; None: some.

    A name made of a character no ARN contains can only be matched by wildcards, so if the pattern matches such a
    name of every length, it matches every name.
    """
    if "${" in pattern:
        return None  # a policy variable: resolved per request by IAM, not here
    regex = _glob(pattern, False)
    if all(regex.fullmatch(prefix + "\x00" * n) for n in range(1, _MAX_PROFILE_NAME + 1)):
        return True
    return None if _can_continue(pattern, prefix) else False


# ---------------------------------------------------------------- three-valued logic

def _and(values: Iterable[Tri]) -> Tri:
    result: Tri = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def _or(values: Iterable[Tri]) -> Tri:
    result: Tri = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def _not(value: Tri) -> Tri:
    return None if value is None else not value


def _strings(value: Any) -> list[str] | None:
    values = value if isinstance(value, list) else [value]
    return list(values) if all(isinstance(v, str) for v in values) else None


# ---------------------------------------------------------------- conditions

def _string_test(operator: str, actual: str, wanted: str) -> bool:
    base = operator.replace("Not", "")
    if base == "StringEquals":
        return actual == wanted
    if base == "StringEqualsIgnoreCase":
        return actual.lower() == wanted.lower()
    return _glob(wanted, False).fullmatch(actual) is not None  # StringLike


def _ip_test(actual: str, wanted: str) -> Tri:
    try:
        network = ipaddress.ip_network(wanted, strict=False)
        address = ipaddress.ip_address(actual)
    except ValueError:
        return None
    return address.version == network.version and address in network


def condition_holds(operator: str, key: str, value: Any, context: dict[str, str]) -> tuple[Tri, str]:
    """One (operator, key, values) entry of a Condition block against the request; (result, why if None)."""
    lowered = key.lower()
    if lowered not in NETWORK_KEYS:
        return None, f"a condition on {key} ({operator})"
    qualifier, _, name = operator.rpartition(":")
    if qualifier not in ("", "ForAnyValue", "ForAllValues"):
        return None, f"the condition operator {operator}"
    if_exists = name.endswith("IfExists")
    base = name[: -len("IfExists")] if if_exists else name
    values = _strings(value)
    if values is None or not values:
        return None, f"a non-string value in {operator} {key}"
    if any("${" in v for v in values):
        return None, f"a policy variable in {operator} {key}"
    present = lowered in context
    if base == "Null":
        if qualifier or if_exists or any(v.lower() not in ("true", "false") for v in values):
            return None, f"the condition operator {operator} with {values}"
        return any((v.lower() == "true") != present for v in values), ""
    if (base in _STRING_OPERATORS and lowered in _STRING_KEYS) or (base in _IP_OPERATORS and lowered in _IP_KEYS):
        pass
    else:
        return None, f"the condition operator {operator} on {key}"
    if not present:
        # IAM: a missing key fails a condition, except ...IfExists and negated operators; set operators:
        # ForAllValues holds on an empty set, ForAnyValue does not.
        if qualifier == "ForAllValues":
            return True, ""
        if qualifier == "ForAnyValue":
            return False, ""
        return if_exists or base in _NEGATED, ""
    actual = context[lowered]
    if base in _IP_OPERATORS:
        hit = _or(_ip_test(actual, v) for v in values)
        if hit is None:
            return None, f"an address that does not parse in {operator} {key}"
    else:
        hit = any(_string_test(base, actual, v) for v in values)
    return (not hit if base in _NEGATED else hit), ""


def conditions_hold(condition: Any, context: dict[str, str]) -> tuple[Tri, list[str]]:
    if not isinstance(condition, dict):
        return None, ["a Condition that is not an object"]
    results, why = [], []
    for operator, entries in condition.items():
        if not isinstance(entries, dict):
            return None, [f"a malformed {operator} block"]
        for key, value in entries.items():
            result, reason = condition_holds(operator, key, value, context)
            results.append(result)
            if result is None:
                why.append(reason)
    return _and(results), why


# ---------------------------------------------------------------- statements and policies

def _listed(statement: dict[str, Any], key: str) -> list[str] | None:
    return _strings(statement[key]) if key in statement else None


def statement_applies(statement: Any, request: Request) -> tuple[Tri, list[str]]:
    """Whether one statement applies to the request (its Effect aside); (result, why if None)."""
    if not isinstance(statement, dict):
        return None, ["a statement that is not an object"]
    unknown = sorted(set(statement) - _STATEMENT_KEYS)
    if unknown:  # Principal/NotPrincipal do not belong in identity policies; anything else is not IAM's
        return None, [f"the element {', '.join(unknown)}"]
    actions, not_actions = _listed(statement, "Action"), _listed(statement, "NotAction")
    if (actions is None) == (not_actions is None):
        return None, ["a statement without exactly one of Action and NotAction"]
    if actions is not None:
        action_hit = any(action_matches(a, request.action) for a in actions)
    else:
        action_hit = not any(action_matches(a, request.action) for a in not_actions or [])
    if not action_hit:
        return False, []
    resources, not_resources = _listed(statement, "Resource"), _listed(statement, "NotResource")
    if (resources is None) == (not_resources is None):
        return None, ["a statement without exactly one of Resource and NotResource"]
    if resources is not None:
        resource_hit = _or(resource_matches(r, request.resource_prefix) for r in resources)
    else:
        resource_hit = _not(_or(resource_matches(r, request.resource_prefix) for r in not_resources or []))
    why = [] if resource_hit is not None else ["a Resource/NotResource that names only some user profiles"]
    if resource_hit is False:
        return False, []
    if "Condition" not in statement:
        return resource_hit, why
    condition_hit, condition_why = conditions_hold(statement["Condition"], request.keys)
    result = _and([resource_hit, condition_hit])
    return result, (why + condition_why) if result is None else []


def _statements(document: Any) -> list[Any] | None:
    if not isinstance(document, dict) or "Statement" not in document:
        return None
    statements = document["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _label(statement: Any, index: int) -> str:
    sid = statement.get("Sid") if isinstance(statement, dict) else None
    return sid if isinstance(sid, str) and sid else f"#{index + 1}"


def _decide(policies: Sequence[PolicyDoc], request: Request) -> Decision:
    allows: list[Match] = []
    denies: list[Match] = []
    unsure_allow: list[str] = []
    unsure_deny: list[str] = []
    for policy in policies:
        statements = _statements(policy.document)
        if statements is None:
            unsure_deny.append(f"{policy.name} (via {policy.via}): a document without Statement")
            continue
        for index, statement in enumerate(statements):
            effect = statement.get("Effect") if isinstance(statement, dict) else None
            applies, why = statement_applies(statement, request)
            where = f"{policy.name} {_label(statement, index)} (via {policy.via})"
            if effect not in ("Allow", "Deny"):
                if applies is not False:
                    unsure_deny.append(f"{where}: Effect {effect!r}")
                continue
            match = Match(policy.name, policy.via, _label(statement, index), effect)
            if applies is True:
                (allows if effect == "Allow" else denies).append(match)
            elif applies is None:
                (unsure_allow if effect == "Allow" else unsure_deny).append(f"{where}: {', '.join(why)}")
    if denies:
        return Decision(False, tuple(allows), tuple(denies))
    if unsure_deny and (allows or unsure_allow):
        return Decision(None, tuple(allows), (), tuple(f"may deny: {u}" for u in unsure_deny) + tuple(
            f"may allow: {u}" for u in unsure_allow))
    if allows:
        return Decision(True, tuple(allows))
    if unsure_allow:
        return Decision(None, (), (), tuple(f"may allow: {u}" for u in unsure_allow))
    return Decision(False)


def evaluate(policies: Sequence[PolicyDoc], request: Request, boundary: PolicyDoc | None = None) -> Decision:
    """IAM's answer for one principal's identity policies (and permissions boundary): allowed, denied or None."""
    identity = _decide(policies, request)
    if boundary is None or identity.allowed is False:
        return identity
    limit = _decide([boundary], request)
    allowed = _and([identity.allowed, limit.allowed])
    return Decision(allowed, identity.allowed_by, identity.denied_by + limit.denied_by,
                    identity.unknown + tuple(f"boundary: {u}" for u in limit.unknown)
                    + (("the permissions boundary does not allow it",) if limit.allowed is False else ()))


def mentions_action(policies: Sequence[PolicyDoc], action: str = ACTION) -> bool:
    """Could any Allow statement apply to the action at all (resources and conditions aside)?

    When none can, IAM cannot allow the action: no simulation is needed to know. Malformed statements count as
    "could", so that the evaluator or the simulator says why.
    """
    for policy in policies:
        statements = _statements(policy.document)
        if statements is None:
            return True
        for statement in statements:
            if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
                return True
            if statement["Effect"] == "Deny":
                continue
            actions, not_actions = _listed(statement, "Action"), _listed(statement, "NotAction")
            if actions is None and not_actions is None:
                return True
            if actions is not None and any(action_matches(a, action) for a in actions):
                return True
            if not_actions is not None and not any(action_matches(a, action) for a in not_actions):
                return True
    return False


# ---------------------------------------------------------------- one exact call (studio-vpce's own permissions)

_CALL_OPERATORS = {"StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "ArnEquals", "ArnLike",
                   "ArnNotEquals", "ArnNotLike"}


def _call_condition(operator: str, key: str, value: Any, context: dict[str, list[str]]) -> Tri:
    qualifier, _, name = operator.rpartition(":")
    if_exists = name.endswith("IfExists")
    base = name[: -len("IfExists")] if if_exists else name
    values = _strings(value)
    if qualifier not in ("", "ForAnyValue", "ForAllValues") or values is None or any("${" in v for v in values):
        return None
    actual = context.get(key.lower())
    if base == "Null":
        return None if qualifier or if_exists else any((v.lower() == "true") == (actual is None) for v in values)
    if base not in _CALL_OPERATORS:
        return None
    negated = "Not" in base
    test = base.replace("Not", "").replace("Arn", "String")  # ArnLike compares like StringLike

    def hit(one: str) -> bool:
        return any(_string_test(test, one, v) for v in values)

    if actual is None:
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return if_exists or negated
    if qualifier == "ForAllValues":
        return all(hit(a) != negated for a in actual)
    if qualifier == "ForAnyValue" or len(actual) == 1:
        return any(hit(a) != negated for a in actual)
    return None  # a multi-valued key under a single-valued operator


def evaluate_call(document: Any, action: str, resource: str, context: dict[str, list[str]]) -> Tri:
    """Does one identity policy allow one exact request: `action` on the ARN `resource`, with these request
    context keys (each a list of values; aws:TagKeys has several)? Explicit Deny wins, else an Allow is needed.

    For checking studio-vpce's own printed policy against the calls it makes: IAM's per-resource authorization
    (a call naming several resources is one request per resource). String and ARN operators, Null, IfExists and
    the set qualifiers; anything else is None.
    """
    keys = {k.lower(): v for k, v in context.items()}
    statements = _statements(document)
    if statements is None:
        return None
    allowed: Tri = False
    denied: Tri = False
    for statement in statements:
        if not isinstance(statement, dict) or set(statement) - _STATEMENT_KEYS:
            return None
        actions, resources = _listed(statement, "Action"), _listed(statement, "Resource")
        if actions is None or resources is None or statement.get("Effect") not in ("Allow", "Deny"):
            return None  # NotAction/NotResource: not needed for the tool's own policy
        if not any(action_matches(a, action) for a in actions):
            continue
        if not any(_glob(r, False).fullmatch(resource) for r in resources):
            continue
        condition = statement.get("Condition", {})
        if not isinstance(condition, dict) or not all(isinstance(e, dict) for e in condition.values()):
            return None
        applies = _and(_call_condition(op, key, value, keys)
                       for op, entries in condition.items() for key, value in entries.items())
        if statement["Effect"] == "Deny":
            denied = _or([denied, applies])
        else:
            allowed = _or([allowed, applies])
    return _and([_not(denied), allowed])  # an explicit Deny wins; else an Allow is needed


# ---------------------------------------------------------------- the profile's boundary: outside and inside

# An address on the internet for "a request from outside": the first of these not inside the profile's own ranges.
OUTSIDE_ADDRESSES = ("198.51.100.23", "203.0.113.23", "192.0.2.23", "8.8.4.4")


def _an_address_in(cidr: str) -> str:
    network = ipaddress.ip_network(cidr, strict=False)
    return str(network[min(10, network.num_addresses - 1)])


def outside_context(profile: Profile) -> dict[str, str]:
    """A request from the internet, not through any VPC endpoint: aws:SourceIp is set, the VPC keys are absent.
    The first of the requests `outside_contexts` asks about (the only one for policies without network keys)."""
    ranges = [ipaddress.ip_network(c) for c in profile.access.cidrs] if profile.access.mode == "source-ip" else []
    # ranges that cover every candidate (0.0.0.0/0, or 0.0.0.0/1 with 128.0.0.0/1) leave no address outside:
    # the plan refuses them (cidr_not_public); until then the first candidate stands for "outside"
    address = next((a for a in OUTSIDE_ADDRESSES
                    if not any(ipaddress.ip_address(a) in r for r in ranges)),  # type: ignore[operator]
                   OUTSIDE_ADDRESSES[0])
    return {"aws:SourceIp": address}


# "Another VPC" and "another endpoint" for a request through a VPC endpoint that is not the profile's.
FOREIGN_VPC = "vpc-0ffffffffffffffff"
FOREIGN_VPCE = "vpce-0ffffffffffffffff"
FOREIGN_VPC_ADDRESS = "10.255.255.10"
MAX_OUTSIDE_CONTEXTS = 32  # requests tried per principal (each one simulator call where the simulator answers)


def _network_values(policies: Iterable[PolicyDoc]) -> dict[str, list[str]]:
    """Every value the policies' conditions compare a network key with (any effect, any operator), per key."""
    found: dict[str, list[str]] = {}
    for policy in policies:
        for statement in _statements(policy.document) or []:
            condition = statement.get("Condition") if isinstance(statement, dict) else None
            for entries in (condition.values() if isinstance(condition, dict) else ()):
                for key, value in (entries.items() if isinstance(entries, dict) else ()):
                    values = _strings(value) if key.lower() in NETWORK_KEYS else None
                    for v in values or []:
                        if "${" not in v and v not in found.setdefault(key.lower(), []):
                            found[key.lower()].append(v)
    return found


def _addresses_in(value: str, avoid: Sequence[str]) -> list[str]:
    """An address of the range `value` that is not in `avoid` (the profile's own ranges), where there is one."""
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return []
    avoided = []
    for cidr in avoid:
        try:
            other = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            continue
        if other.version == network.version:
            avoided.append(other)
    kind = type(network.network_address)
    candidates = [int(network[min(10, network.num_addresses - 1)]), int(network[-1])]
    for other in avoided:  # just past each of the profile's ranges, which may still be in the range
        candidates += [int(other.broadcast_address) + 1, int(other.network_address) - 1]
    for number in candidates:
        try:
            address = kind(number)
        except ValueError:
            continue
        if address in network and not any(address in other for other in avoided):
            return [str(address)]
    return []


def _instances(pattern: str) -> list[str]:
    """Values a string condition could name: the value itself, or a wildcard pattern filled in two ways."""
    if "*" not in pattern and "?" not in pattern:
        return [pattern]
    return list(dict.fromkeys(pattern.replace("*", fill).replace("?", fill[0]) for fill in ("0", "f")))


def outside_contexts(profile: Profile, inventory: Inventory, policies: Sequence[PolicyDoc],
                     boundary: PolicyDoc | None, document: dict[str, Any] | None) -> tuple[list[dict[str, str]], str]:
    """The requests from outside the profile's boundary to ask about, and a note when not all could be tried.

    The first is always `outside_context` (the internet). A grant conditioned on another public range, another
    VPC or another endpoint (IpAddress aws:SourceIp 100.24.0.0/16, StringEquals aws:SourceVpc vpc-other) is false
    for that one request, though it opens Studio from outside: so, when the principal's policies (or boundary)
    compare network keys, also requests from an address in each range they name and through each VPC and
    endpoint they name, besides another VPC's endpoint. A request counts as outside only when the profile's own
    policy (`document`) would not allow it: a grant with the profile's own condition raises nothing. The
    profile's policy itself is left out of the values (its own are inside).
    """
    first = outside_context(profile)
    ours = policy_arn(inventory.partition, inventory.account_id, profile.policy_name)
    values = _network_values([d for d in [*policies, *([boundary] if boundary else [])] if d.name != ours])
    if not values:
        return [first], ""
    access = profile.access
    cidrs = list(access.cidrs)
    vpc = inventory.vpc(profile.vpc_id)
    vpc_cidrs = list(vpc.cidrs) if vpc else []
    home = {e.id: e.vpc_id for e in (*inventory.endpoints, *inventory.alias_endpoints,
                                     *inventory.associated_endpoints, *inventory.extra_endpoints)}
    addresses = [a for a in OUTSIDE_ADDRESSES if a != first["aws:SourceIp"]] if "aws:sourceip" in values else []
    addresses += [a for v in values.get("aws:sourceip", []) for a in _addresses_in(v, cidrs)]
    vpcs = [FOREIGN_VPC, profile.vpc_id, *(i for v in values.get("aws:sourcevpc", []) for i in _instances(v))]
    vpces = [FOREIGN_VPCE, *(i for v in values.get("aws:sourcevpce", []) for i in _instances(v))]
    inner = [a for c in vpc_cidrs for a in _addresses_in(c, cidrs)][:1] or [FOREIGN_VPC_ADDRESS]
    # the ranges the policies compare aws:VpcSourceIp with, an address in each outside the profile's ranges and
    # one in each even inside them: from another VPC, an address inside the profile's ranges is outside too
    # (trial 17: a grant on aws:VpcSourceIp alone, within the profile's ranges, went unreported)
    named = [a for v in values.get("aws:vpcsourceip", []) for a in (*_addresses_in(v, cidrs), *_addresses_in(v, []))]
    candidates = [{"aws:SourceIp": a} for a in dict.fromkeys(addresses)]
    for vpce in dict.fromkeys(vpces):
        for vpc_id in dict.fromkeys(vpcs):
            if vpce in home and home[vpce] != vpc_id:
                continue  # an endpoint studio-vpce has seen sits in its own VPC
            # an address of the profile's VPC through its own VPC; elsewhere a neutral one (trial 17: a request
            # through another VPC carried an address of the profile's, which read as a mistake)
            own = inner if vpc_id == profile.vpc_id else [FOREIGN_VPC_ADDRESS]
            candidates += [{"aws:SourceVpc": vpc_id, "aws:sourceVpce": vpce, "aws:VpcSourceIp": a}
                           for a in dict.fromkeys([*own, *named])]
    if document is not None:
        prefix = resource_prefix(inventory.partition, profile.region, inventory.account_id, profile.domain_id)
        mine = [PolicyDoc(ours, "managed", "", document)]
        candidates = [c for c in candidates if evaluate(mine, Request(prefix, c)).allowed is False]
    contexts = [first, *(c for c in candidates if c != first)]
    if len(contexts) <= MAX_OUTSIDE_CONTEXTS:
        return contexts, ""
    return contexts[:MAX_OUTSIDE_CONTEXTS], (f"the policies name {len(contexts)} places outside the boundary; the "
                                             f"first {MAX_OUTSIDE_CONTEXTS} were tried")


def worst(answers: Sequence[tuple[dict[str, str], Decision]], skipped: str = "") -> tuple[Decision, dict[str, str]]:
    """The answer for "from outside" over several requests: allowed from any one of them is allowed (that one's
    grants and context); else cannot tell if any cannot tell (or some requests were not tried); else denied."""
    for context, decision in answers:
        if decision.allowed is True:
            return decision, context
    unsure = [(c, d) for c, d in answers if d.allowed is None]
    if unsure or skipped:
        notes = tuple(dict.fromkeys(u for _, d in unsure for u in d.unknown)) + ((skipped,) if skipped else ())
        return Decision(None, unsure[0][1].allowed_by if unsure else (), (), notes), \
            (unsure[0][0] if unsure else answers[0][0])
    return Decision(False, (), tuple(m for _, d in answers for m in d.denied_by)), answers[0][0]


def describe_context(context: dict[str, str]) -> str:
    where = ", ".join(f"{k}={v}" for k, v in context.items())
    return where + (" (through a VPC endpoint)" if "aws:SourceIp" not in context else " (not through a VPC endpoint)")


def inside_context(profile: Profile, vpce_ids: Sequence[str], vpc_cidrs: Sequence[str]) -> dict[str, str] | None:
    """A request from inside the boundary the profile draws, or None when it draws none (mode none)."""
    access = profile.access
    mode = access.mode
    if mode == "none":
        return None
    if mode == "source-ip":
        return {"aws:SourceIp": _an_address_in(access.cidrs[0])} if access.cidrs else None
    context = {"aws:SourceVpc": profile.vpc_id}
    endpoints = [v for v in vpce_ids if v.startswith("vpce-")] + list(access.extra_vpce_ids)
    if endpoints:
        context["aws:sourceVpce"] = endpoints[0]
    if mode == "vpc-source-ip" and access.cidrs:
        context["aws:VpcSourceIp"] = _an_address_in(access.cidrs[0])
    elif vpc_cidrs:
        context["aws:VpcSourceIp"] = _an_address_in(vpc_cidrs[0])
    return context


# ---------------------------------------------------------------- who can open Studio from outside

@dataclasses.dataclass(frozen=True)
class PrincipalAccess:
    """One principal's answer: can it open Studio from outside now, and would this profile stop it."""

    arn: str
    type: str  # user | role | group
    name: str
    from_anywhere: Tri
    allowed_by: tuple[Match, ...]
    stopped_by_profile: Tri
    targeted: bool  # the profile attaches its policy to it (or to one of its groups)
    note: str = ""
    outside: dict[str, str] | None = None  # the request from outside that decided it (None: the usual one)

    def to_json(self) -> dict[str, Any]:
        return {"arn": self.arn, "type": self.type, "name": self.name, "from_anywhere": self.from_anywhere,
                "allowed_by": sorted({m.policy for m in self.allowed_by}),
                "statements": [{"policy": m.policy, "statement": m.statement, "via": m.via} for m in self.allowed_by],
                "stopped_by_profile": self.stopped_by_profile, "attach_target": self.targeted, "note": self.note,
                **({"outside_context": self.outside} if self.outside else {})}


def targeted(profile: Profile, principal: PrincipalPolicies) -> bool:
    attach = profile.access.attach
    if profile.access.mode == "none":
        return False
    if principal.kind == "user":
        return principal.name in attach.users or any(g in attach.groups for g in principal.groups)
    return principal.name in (attach.groups if principal.kind == "group" else attach.roles)


def current_policies(inventory: Inventory, principal: PrincipalPolicies) -> list[PolicyDoc]:
    """The principal's policies now, with this profile's policy where it is attached already (observe reads its
    document once, not per principal)."""
    docs = list(principal.policies)
    ours = inventory.policy
    if ours is not None and not any(d.name == ours.arn for d in docs):
        holders = ([f"{principal.kind}/{principal.name}"] if principal.name in getattr(ours, principal.kind + "s") else [])
        if principal.kind == "user":
            holders += [f"group/{g}" for g in principal.groups if g in ours.groups]
        docs += [PolicyDoc(ours.arn, "managed", via, ours.document) for via in holders]
    return docs


def with_profile_policy(inventory: Inventory, profile: Profile, principal: PrincipalPolicies,
                        document: dict[str, Any]) -> list[PolicyDoc]:
    """The principal's policies once the profile is applied: its policy's new version replaces the old one."""
    arn = policy_arn(inventory.partition, inventory.account_id, profile.policy_name)
    docs = [d for d in current_policies(inventory, principal) if d.name != arn]
    return docs + [PolicyDoc(arn, "managed", f"{principal.kind}/{principal.name}", document)]


def policy_arn(partition: str, account_id: str, name: str) -> str:
    return f"arn:{partition}:iam::{account_id}:policy/studio-vpce/{name}"


def local_access(inventory: Inventory, profile: Profile, principal: PrincipalPolicies,
                 document: dict[str, Any] | None) -> PrincipalAccess:
    """The local evaluator's answer for one principal (its policies as read, plus the profile's once applied)."""
    prefix = resource_prefix(inventory.partition, profile.region, inventory.account_id, profile.domain_id)
    policies = current_policies(inventory, principal)
    contexts, skipped = outside_contexts(profile, inventory, policies, principal.boundary, document)
    now, where = worst([(c, evaluate(policies, Request(prefix, c), principal.boundary)) for c in contexts], skipped)
    is_target = targeted(profile, principal) and document is not None
    after, after_where = (worst([(c, evaluate(with_profile_policy(inventory, profile, principal, document),
                                              Request(prefix, c), principal.boundary)) for c in contexts], skipped)
                          if is_target and document is not None else (now, where))
    notes = list(dict.fromkeys(n for n in (now.note, after.note if after is not now else "") if n))  # once each
    # (trial 17: restriction_unverified said its reason twice, now's and after apply's being the same)
    if not is_target:
        notes.append("not an attach target of this profile")
    ours = policy_arn(inventory.partition, inventory.account_id, profile.policy_name)
    return PrincipalAccess(arn=principal.arn, type=principal.kind, name=principal.name, from_anywhere=now.allowed,
                           allowed_by=tuple(m for m in (after.allowed_by if after.allowed else now.allowed_by)
                                            if m.policy != ours),
                           stopped_by_profile=_not(after.allowed), targeted=is_target, note="; ".join(notes),
                           outside=decided_where(contexts, after_where if after.allowed else where))


def decided_where(contexts: Sequence[dict[str, str]], where: dict[str, str]) -> dict[str, str] | None:
    """The request that decided, when it is not the usual one (the internet address)."""
    return where if where != contexts[0] else None


def attach_target_access(inventory: Inventory, profile: Profile,
                         document: dict[str, Any] | None) -> list[PrincipalAccess]:
    """Every attach target's answer, for `plan` and the wizard's "Who can open Studio" view (pure, local)."""
    return [local_access(inventory, profile, principal, document) for principal in _attach_targets(inventory, profile)]


def _attach_targets(inventory: Inventory, profile: Profile) -> list[PrincipalPolicies]:
    """The attach targets discovery read (users, groups, roles, in that order); a missing one is the plan's error."""
    attach = profile.access.attach
    found = (inventory.policies_of(kind, name) for kind, names in (
        ("user", attach.users), ("group", attach.groups), ("role", attach.roles)) for name in names)
    return [p for p in found if p is not None]


def remote_ide_targets(inventory: Inventory, profile: Profile,
                       document: dict[str, Any] | None) -> list[tuple[PrincipalPolicies, Decision]]:
    """Attach targets that can start remote IDE sessions (StartSession) into the domain's spaces from outside,
    which the profile's policy does not cover (trial 17: the Preview said "this profile stops it" of a target
    that audit listed for it). Pure and local, as attach_target_access; only the allowed ones."""
    prefix = space_prefix(inventory.partition, profile.region, inventory.account_id, profile.domain_id)
    out = []
    for principal in _attach_targets(inventory, profile):
        policies = current_policies(inventory, principal)
        if not mentions_action(policies, START_SESSION):
            continue
        contexts, skipped = outside_contexts(profile, inventory, policies, principal.boundary, document)
        decision, _ = worst([(c, evaluate(policies, Request(prefix, c, START_SESSION), principal.boundary))
                             for c in contexts], skipped)
        if decision.allowed is True:
            out.append((principal, decision))
    return out


# ---------------------------------------------------------------- the wizard's "Who can open Studio" view

@dataclasses.dataclass(frozen=True)
class AccessView:
    """What the Preview shows: each attach target, whether it can open Studio from outside now and after apply
    with the chosen effect, and whether the deny guardrail is recommended (some target keeps access with allow)."""

    rows: tuple[PrincipalAccess, ...]
    recommend_deny: bool
    reason: str  # why deny is recommended, naming the principals and grants; "" when it is not


def who_can_open_studio(inventory: Inventory, profile: Profile) -> AccessView:
    """Pure and local (the inventory from `observe` holds the attach targets' policies). The wizard pre-selects
    access.effect deny when `recommend_deny`, and says `reason`."""
    from wizard.models import KNOWN_AFTER_APPLY  # noqa: PLC0415
    from wizard.policies import identity_policy_for  # noqa: PLC0415

    if profile.access.mode == "none":
        return AccessView((), False, "")

    def document(effect: str) -> dict[str, Any] | None:
        chosen = profile.model_copy(update={"access": profile.access.model_copy(update={"effect": effect})})
        return identity_policy_for(chosen, partition=inventory.partition, account=inventory.account_id,
                                   vpce_ids=[KNOWN_AFTER_APPLY])

    rows = attach_target_access(inventory, profile, document(profile.access.effect))
    with_allow = attach_target_access(inventory, profile, document("allow"))
    kept = [r for r in with_allow if r.stopped_by_profile is False]
    reason = ""
    if kept:
        who = "; ".join(f"{r.type} {r.name} ({', '.join(sorted({m.policy for m in r.allowed_by})) or 'another policy'})"
                        for r in kept)
        reason = (f"With effect allow these attach targets could still open Studio from outside, because other "
                  f"policies allow it without the network condition: {who}. The deny guardrail holds against them.")
    return AccessView(tuple(rows), bool(kept), reason)
