"""Plan + cloud -> changes made, as a stream of progress events.

Every step is an idempotent `ensure`: it reads before it writes where AWS has no idempotency token, and it
takes AWS's duplicate-class errors (a retried call whose first answer was lost) as "already there".
A step that still fails stops the run; running apply again converges, because the planner finds
everything again by tag and by (VPC, service name).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wizard import policies
from wizard.cloud import Cloud
from wizard.errors import AwsError
from wizard.models import KNOWN_AFTER_APPLY, Change, Plan
from wizard.names import MANAGED_BY, PROFILE_TAG, decode_dns_name, regional_first
from wizard.planner import client_token, policy_tags, zone_reference

# A read allow-list, not a list of write verbs: an operation not known to be a read counts as a write
# (ReplaceRoute, AcceptVpcEndpointConnections, StartSession... would slip through a list of write prefixes).
READ_PREFIXES = ("Describe", "List", "Get")
READ_OPERATIONS = frozenset({"CreatePresignedDomainUrl", "SimulatePrincipalPolicy", "SimulateCustomPolicy"})


def is_mutating(operation_name: str) -> bool:
    return not (operation_name.startswith(READ_PREFIXES) or operation_name in READ_OPERATIONS)


@dataclass(frozen=True)
class Event:
    kind: str  # start | done | failed | wait | info
    address: str
    message: str = ""
    id: str | None = None


@dataclass
class Result:
    done: list[str] = field(default_factory=list)
    not_done: list[str] = field(default_factory=list)
    error: Exception | None = None
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def changes_done(self) -> list[str]:
        """The plan's changes done, as the plan counts them: the wait for the endpoints is a step, not a change."""
        return [a for a in self.done if a != WAIT_STEP]

    def counted(self, plan: Plan) -> str:
        """'10 added, 0 changed, 0 destroyed': the changes done, counted as `plan` counts them ('10 to add')."""
        done = set(self.changes_done)
        count = {action: sum(1 for c in plan.changes if c.action == action and c.address in done)
                 for action in ("create", "update", "delete")}
        return f"{count['create']} added, {count['update']} changed, {count['delete']} destroyed"


WAIT_STEP = "wait.vpc_endpoints"


class Interrupted(KeyboardInterrupt):
    """Ctrl+C during a run: still a KeyboardInterrupt (exit 130), carrying what was done and what was under way."""

    def __init__(self, result: Result, total: int, under_way: str | None) -> None:
        super().__init__("interrupted")
        self.result = result
        self.total = total  # the plan's changes this run was to make (the wait for the endpoints is not one)
        self.under_way = under_way  # the step running when Ctrl+C came: it may or may not have been made

    @property
    def changes_done(self) -> list[str]:
        return self.result.changes_done


def _as_written(record: dict[str, Any]) -> dict[str, Any]:
    """A record set as listed, with its name decoded (`\\052` -> `*`): Route 53 takes either form, and so
    every emulator takes this one."""
    return {**record, "Name": decode_dns_name(record["Name"]) + "."}


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


ROUTE53_TAGS_PER_CALL = 10  # ChangeTagsForResource AddTags: at most 10 (botocore checks only the minimum)


def _tag_batches(tags: dict[str, str]) -> list[list[dict[str, str]]]:
    """Ours first: a zone whose tagging stops after the first call is still found as this profile's."""
    listed = sorted(_tag_list(tags), key=lambda t: t["Key"] not in (MANAGED_BY[0], PROFILE_TAG))
    return [listed[i:i + ROUTE53_TAGS_PER_CALL] for i in range(0, len(listed), ROUTE53_TAGS_PER_CALL)]


def _turns_private_dns_on(change: Change) -> bool:
    return (change.type == "vpc_endpoint" and change.action in ("create", "update")
            and bool(change.after.get("private_dns_enabled")) and not (change.before or {}).get("private_dns_enabled"))


def _zones_before_private_dns(steps: list[Change]) -> list[Change]:
    """The plan's order, except that zones it deletes go before the first endpoint it turns private DNS on for:
    AWS refuses private DNS while a private hosted zone for the name is associated with the VPC ("conflicting
    DNS domain"), so switching back from dns.mode hosted-zone in plan order would never converge."""
    first = next((i for i, c in enumerate(steps) if _turns_private_dns_on(c)), None)
    deletes = [c for c in steps if c.type == "hosted_zone" and c.action == "delete"]
    if first is None or not deletes or steps.index(deletes[0]) < first:
        return steps
    rest = [c for c in steps if not any(c is d for d in deletes)]
    at = rest.index(steps[first])
    return rest[:at] + deletes + rest[at:]


class Executor:
    """Carries out a plan's changes in order. `on_event` receives progress (the CLI prints it, the TUI shows it)."""

    def __init__(self, cloud: Cloud, plan: Plan, on_event: Callable[[Event], None] | None = None,
                 timeout: float = 600.0) -> None:
        self.cloud = cloud
        self.plan = plan
        self.profile = plan.profile
        self.emit = on_event or (lambda _event: None)
        self.timeout = timeout
        self.ids: dict[str, str] = {c.address: c.id for c in plan.changes if c.id and c.id != KNOWN_AFTER_APPLY}
        self.dns: dict[str, tuple[str, str]] = {}  # endpoint key -> (DnsName, HostedZoneId)
        self.zones_deleted: list[str] = []  # names of the private hosted zones this run deleted

    # ---------------------------------------------------------------- driver

    def run(self) -> Result:
        result = Result()
        steps = _zones_before_private_dns([c for c in self.plan.changes if c.action != "no-op"])
        endpoint_steps = [c for c in steps if c.type == "vpc_endpoint" and c.action != "delete"]
        pending = [c.address for c in steps]
        if endpoint_steps:
            pending.insert(pending.index(endpoint_steps[-1].address) + 1, "wait.vpc_endpoints")
        queue = list(steps)
        last_endpoint = endpoint_steps[-1].address if endpoint_steps else None
        under_way: str | None = None
        try:
            while queue:
                change = queue.pop(0)
                under_way = change.address
                self.emit(Event("start", change.address, change.action))
                new_id = self._apply(change)
                if new_id:
                    self.ids[change.address] = new_id
                result.done.append(change.address)
                pending.remove(change.address)
                under_way = None
                self.emit(Event("done", change.address, change.action, self.ids.get(change.address)))
                if change.address == last_endpoint:
                    under_way = WAIT_STEP
                    self.emit(Event("start", "wait.vpc_endpoints", "waiting until the endpoints are available"))
                    self._wait_for_endpoints([c for c in endpoint_steps])
                    result.done.append("wait.vpc_endpoints")
                    pending.remove("wait.vpc_endpoints")
                    under_way = None
                    self.emit(Event("done", "wait.vpc_endpoints", "endpoints available"))
        except KeyboardInterrupt:  # Ctrl+C: still exit 130, but the caller can say what was done
            result.not_done = pending
            result.ids = dict(self.ids)
            raise Interrupted(result, len(steps), under_way) from None
        except Exception as exc:  # noqa: BLE001 - reported as a failed step, then re-raised by the caller
            result.error = exc
            failing = pending[0] if pending else "?"
            self.emit(Event("failed", failing, str(exc)))
        result.not_done = pending
        result.ids = dict(self.ids)
        return result

    def _apply(self, change: Change) -> str | None:
        handler = getattr(self, f"_{change.type}_{change.action.replace('-', '_')}", None)
        if handler is None:
            raise AwsError(f"no handler for {change.action} {change.type}")
        return handler(change)

    def call(self, service: str, operation: str, ok_codes: tuple[str, ...] = (), **params: Any) -> Any:
        """One AWS call; an error whose code is in ok_codes means 'already as wanted' and returns None."""
        try:
            return self.cloud.call(service, operation, **params)
        except AwsError as exc:
            if exc.code in ok_codes:
                self.emit(Event("info", operation, f"{exc.code}: already as wanted"))
                return None
            raise

    # ---------------------------------------------------------------- VPC attributes and security group

    def _vpc_attribute_update(self, change: Change) -> None:
        attribute = change.address.split(".", 1)[1]  # one attribute per call (AWS rejects both at once)
        key = attribute[0].upper() + attribute[1:]
        params: dict[str, Any] = {"VpcId": self.profile.vpc_id, key: {"Value": True}}
        self.call("ec2", "modify_vpc_attribute", **params)
        if not self._vpc_attribute_is_on(attribute):
            raise AwsError(f"{attribute} on {self.profile.vpc_id} is still off after ModifyVpcAttribute: check that "
                           "you may change it (ec2:ModifyVpcAttribute) and run apply again", "VpcAttributeNotSet")

    def _vpc_attribute_is_on(self, attribute: str) -> bool:
        key = attribute[0].upper() + attribute[1:]
        response = self.cloud.call("ec2", "describe_vpc_attribute", VpcId=self.profile.vpc_id, Attribute=attribute)
        return bool(response.get(key, {}).get("Value"))

    def _endpoint_group_id(self) -> str:
        return self.profile.security_group.id or self.ids["security_group.endpoints"]

    def _find_group(self, name: str) -> dict[str, Any] | None:
        groups = self.cloud.call("ec2", "describe_security_groups", Filters=[
            {"Name": "vpc-id", "Values": [self.profile.vpc_id]}, {"Name": "group-name", "Values": [name]}])
        found = groups.get("SecurityGroups", [])
        return found[0] if found else None

    def _security_group_create(self, change: Change) -> str:
        name = change.after["name"]
        response = self.call("ec2", "create_security_group", ok_codes=("InvalidGroup.Duplicate",), GroupName=name,
                             VpcId=self.profile.vpc_id, Description=change.after["description"],
                             TagSpecifications=[{"ResourceType": "security-group",
                                                 "Tags": _tag_list(change.after["tags"])}])
        if response:
            return response["GroupId"]
        group = self._find_group(name)
        if not group:
            raise AwsError(f"security group {name} was reported as existing but cannot be found")
        # Ours if a lost answer hid our own create (it carries our tags from that call); else someone else's.
        tags = {t["Key"]: t["Value"] for t in group.get("Tags") or []}
        if tags.get(PROFILE_TAG) != self.profile.name:
            raise AwsError(f"{group['GroupId']} named {name} appeared in {self.profile.vpc_id} since the plan, and "
                           "this profile did not create it: studio-vpce does not take it over; run plan again "
                           "to see how to go on", "SecurityGroupNotOurs")
        return group["GroupId"]

    def _security_group_delete(self, change: Change) -> None:
        deadline = time.monotonic() + self.timeout
        while True:  # the endpoints' network interfaces take a while to go after the endpoints
            try:
                self.call("ec2", "delete_security_group", ok_codes=("InvalidGroup.NotFound",), GroupId=change.id)
                return
            except AwsError as exc:
                if exc.code != "DependencyViolation" or time.monotonic() > deadline:
                    raise
                time.sleep(self.cloud.poll_interval)

    def _permission(self, source: str) -> dict[str, Any]:
        perm: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
        if source.startswith("pl-"):  # a prefix list (only in a rule added by hand: profiles name none)
            perm["PrefixListIds"] = [{"PrefixListId": source}]
        elif source.startswith("sg-"):
            perm["UserIdGroupPairs"] = [{"GroupId": source, "Description": "SageMaker Studio HTTPS"}]
        elif ":" in source:
            perm["Ipv6Ranges"] = [{"CidrIpv6": source, "Description": "SageMaker Studio HTTPS"}]
        else:
            perm["IpRanges"] = [{"CidrIp": source, "Description": "SageMaker Studio HTTPS"}]
        return perm

    def _security_group_rule_create(self, change: Change) -> None:
        self.call("ec2", "authorize_security_group_ingress", ok_codes=("InvalidPermission.Duplicate",),
                  GroupId=self._endpoint_group_id(), IpPermissions=[self._permission(change.after["source"])])

    def _security_group_rule_delete(self, change: Change) -> None:
        """Revoked by what identifies the rule (protocol, ports, source), never by a description: a rule added by
        hand has its own, or none, and a revoke naming the tool's matched nothing ('already as wanted'), so every
        later plan revoked it again (trial 14)."""
        before = change.before
        perm = self._permission(before["source"])
        if "from_port" in before:  # a rule the profile does not define (added by hand): revoked as it was read
            perm.pop("FromPort"), perm.pop("ToPort")
            perm["IpProtocol"] = before["protocol"]
            if before["protocol"] not in ("-1", "all"):
                perm.update(FromPort=before["from_port"], ToPort=before["to_port"])
        group_id = self._endpoint_group_id()
        # With the description the rule has now, read back first (a rule added by hand has its own, or none):
        # EC2 identifies a rule by protocol, ports and source, but a revoke naming another description matched
        # nothing where descriptions are compared, and the rule stayed, 'already as wanted' (trial 14).
        read = self.call("ec2", "describe_security_groups", GroupIds=[group_id])
        rules = read["SecurityGroups"][0].get("IpPermissions", []) if read else []
        for pairs, key in (("UserIdGroupPairs", "GroupId"), ("IpRanges", "CidrIp"), ("Ipv6Ranges", "CidrIpv6"),
                           ("PrefixListIds", "PrefixListId")):
            for item in perm.get(pairs, []):
                item.pop("Description", None)
                now = next((other for rule in rules if rule.get("IpProtocol") == perm["IpProtocol"]
                            and rule.get("FromPort") == perm.get("FromPort") and rule.get("ToPort") == perm.get("ToPort")
                            for other in rule.get(pairs, []) if other.get(key) == item[key]), None)
                if now is not None and now.get("Description"):
                    item["Description"] = now["Description"]
        self.call("ec2", "revoke_security_group_ingress", ok_codes=("InvalidPermission.NotFound",),
                  GroupId=group_id, IpPermissions=[perm])

    # ---------------------------------------------------------------- endpoints

    def _vpc_endpoint_create(self, change: Change) -> str:
        after = change.after
        if after.get("type") == "Gateway":
            endpoint = self.call("ec2", "create_vpc_endpoint", VpcEndpointType="Gateway", VpcId=self.profile.vpc_id,
                                 ServiceName=after["service_name"], RouteTableIds=after["route_table_ids"],
                                 ClientToken=after["client_token"], TagSpecifications=[
                                     {"ResourceType": "vpc-endpoint", "Tags": _tag_list(after["tags"])}])["VpcEndpoint"]  # type: ignore[index]
            return endpoint["VpcEndpointId"]
        token = after["client_token"]
        if KNOWN_AFTER_APPLY in after["security_group_ids"]:  # the token covers the group id, known only now
            token = client_token(self.plan.account_id, self.profile.vpc_id, after["service_name"], self.profile.name,
                                 {**{k: after[k] for k in ("subnet_ids", "private_dns_enabled", "policy")},
                                  "security_group_ids": [self._endpoint_group_id()]})
        params: dict[str, Any] = {
            "VpcEndpointType": "Interface", "VpcId": self.profile.vpc_id, "ServiceName": after["service_name"],
            "SubnetIds": after["subnet_ids"], "SecurityGroupIds": [self._endpoint_group_id()],
            "PrivateDnsEnabled": after["private_dns_enabled"],  # explicit: CloudFormation and the API differ
            "ClientToken": token,
            "TagSpecifications": [{"ResourceType": "vpc-endpoint", "Tags": _tag_list(after["tags"])}]}
        if after.get("policy"):
            params["PolicyDocument"] = json.dumps(after["policy"])
        endpoint = self._while_zones_detach(
            change, lambda: self.call("ec2", "create_vpc_endpoint", **params))["VpcEndpoint"]
        self._remember_dns(change, endpoint)
        return endpoint["VpcEndpointId"]

    def _remember_dns(self, change: Change, endpoint: dict[str, Any]) -> None:
        entries = regional_first(endpoint.get("DnsEntries") or [])
        if entries:
            self.dns[change.address.split(".", 1)[1]] = (entries[0]["DnsName"], entries[0]["HostedZoneId"])

    def _vpc_endpoint_update(self, change: Change) -> None:
        before, after = change.before, change.after
        params: dict[str, Any] = {"VpcEndpointId": change.id}
        if after.get("type") == "Gateway":
            add = sorted(set(after["route_table_ids"]) - set(before["route_table_ids"]))
            self.call("ec2", "modify_vpc_endpoint", VpcEndpointId=change.id, AddRouteTableIds=add)
            return
        add = sorted(set(after["subnet_ids"]) - set(before["subnet_ids"]))
        remove = sorted(set(before["subnet_ids"]) - set(after["subnet_ids"]))
        if add:
            params["AddSubnetIds"] = add
        if remove:
            params["RemoveSubnetIds"] = remove
        groups = [self._endpoint_group_id() if g == KNOWN_AFTER_APPLY else g for g in after["security_group_ids"]]
        if set(groups) - set(before["security_group_ids"]):
            params["AddSecurityGroupIds"] = sorted(set(groups) - set(before["security_group_ids"]))
        if set(before["security_group_ids"]) - set(groups):
            params["RemoveSecurityGroupIds"] = sorted(set(before["security_group_ids"]) - set(groups))
        if after["policy"] != before["policy"]:
            if after["policy"]:
                params["PolicyDocument"] = json.dumps(after["policy"])
            else:
                params["ResetPolicy"] = True
        if after["private_dns_enabled"] != before["private_dns_enabled"]:
            params["PrivateDnsEnabled"] = after["private_dns_enabled"]
        self._while_zones_detach(change, lambda: self.call("ec2", "modify_vpc_endpoint", **params))

    def _while_zones_detach(self, change: Change, step: Callable[[], Any]) -> Any:
        """Run `step`; while AWS still refuses private DNS for a name whose private hosted zone this run deleted
        (the zone detaches from the VPC some time after the delete), wait and try again, bounded."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return step()
            except AwsError as exc:
                if "conflicting DNS domain" not in str(exc) or not self.zones_deleted:
                    raise
                if time.monotonic() > deadline:
                    raise AwsError(f"{change.id or change.address}: AWS still reports a conflicting DNS domain "
                                   f"{self.timeout:.0f}s after this run deleted the private hosted zones "
                                   f"({', '.join(self.zones_deleted)}); run apply again in a few minutes",
                                   "InvalidParameter") from None
                self.emit(Event("wait", change.address, "waiting for the deleted private hosted zones to detach "
                                                        "(AWS: conflicting DNS domain)", change.id))
                time.sleep(self.cloud.poll_interval)

    def _vpc_endpoint_delete(self, change: Change) -> None:
        response = self.call("ec2", "delete_vpc_endpoints", VpcEndpointIds=[change.id])
        failed = (response or {}).get("Unsuccessful", [])
        if failed and failed[0].get("Error", {}).get("Code") not in ("InvalidVpcEndpoint.NotFound", "InvalidVpcEndpointId.NotFound"):
            raise AwsError(f"DeleteVpcEndpoints: {failed[0]['Error'].get('Code')}: {failed[0]['Error'].get('Message')}")
        self._wait_gone([change.id or ""])

    def _wait_gone(self, endpoint_ids: list[str]) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                found = self.cloud.call("ec2", "describe_vpc_endpoints", VpcEndpointIds=endpoint_ids)["VpcEndpoints"]
            except AwsError as exc:
                if "NotFound" not in exc.code:
                    raise
                return
            if all(str(e.get("State", "")).lower() in ("deleted",) for e in found):
                return
            if time.monotonic() > deadline:
                raise AwsError(f"endpoints {', '.join(endpoint_ids)} still deleting after {self.timeout:.0f}s")
            time.sleep(self.cloud.poll_interval)

    def _wait_for_endpoints(self, changes: list[Change]) -> None:
        """Poll every endpoint with one call per round until all are available (states are case-insensitive)."""
        ids = {self.ids[c.address]: c.address.split(".", 1)[1] for c in changes}
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                found = self.cloud.call("ec2", "describe_vpc_endpoints", VpcEndpointIds=sorted(ids))["VpcEndpoints"]
            except AwsError as exc:
                if "NotFound" not in exc.code:  # right after create: eventual consistency, not failure
                    raise
                found = []
            states = {e["VpcEndpointId"]: str(e.get("State", "")).lower() for e in found}
            for endpoint in found:
                if endpoint["VpcEndpointId"] in ids:
                    entries = regional_first(endpoint.get("DnsEntries") or [])
                    if entries:
                        self.dns[ids[endpoint["VpcEndpointId"]]] = (entries[0]["DnsName"], entries[0]["HostedZoneId"])
                if states[endpoint["VpcEndpointId"]] == "failed":
                    error = endpoint.get("LastError") or {}
                    raise AwsError(f"endpoint {endpoint['VpcEndpointId']} failed: {error.get('Code', '')}: "
                                   f"{error.get('Message', 'no LastError given')}", "EndpointFailed")
            if states and len(states) == len(ids) and all(s == "available" for s in states.values()):
                return
            if time.monotonic() > deadline:
                raise AwsError(f"endpoints not available after {self.timeout:.0f}s: "
                               + ", ".join(f"{i}={states.get(i, 'not found')}" for i in sorted(ids)), "Timeout")
            self.emit(Event("wait", "wait.vpc_endpoints", ", ".join(f"{ids[i]}: {states.get(i, 'pending')}"
                                                                    for i in sorted(ids))))
            time.sleep(self.cloud.poll_interval)

    # ---------------------------------------------------------------- private hosted zones

    def _zone_key(self, change: Change) -> str:
        """The endpoint key in hosted_zone.<key>, route53_record.<key>, hosted_zone_association.<key>.<vpc>."""
        key = change.address.split(".", 1)[1]  # keys may hold dots (sagemaker.runtime)
        return key.rsplit(".", 1)[0] if change.type == "hosted_zone_association" else key

    def _find_zone(self, name: str) -> str | None:
        """This account's private zone for `name` associated with the VPC (a service's or another account's is not)."""
        summaries = self.cloud.pages("route53", "list_hosted_zones_by_vpc", "HostedZoneSummaries",
                                     VPCId=self.profile.vpc_id, VPCRegion=self.profile.region)
        return next((s["HostedZoneId"].split("/")[-1] for s in summaries if decode_dns_name(s["Name"]) == name
                     and not (s.get("Owner") or {}).get("OwningService")
                     and (s.get("Owner") or {}).get("OwningAccount", self.plan.account_id) == self.plan.account_id),
                    None)

    def _hosted_zone_create(self, change: Change) -> str:
        zone_id = self._create_zone(change)
        self._tag_zone(zone_id, change.after["tags"])
        return zone_id

    def _tag_zone(self, zone_id: str, tags: dict[str, str]) -> None:
        for batch in _tag_batches(tags):  # in calls of 10
            self.call("route53", "change_tags_for_resource", ResourceType="hostedzone", ResourceId=zone_id,
                      AddTags=batch)

    def _create_zone(self, change: Change) -> str:
        """CreateHostedZone, reconciled: a duplicate-class answer whose zone is found is that zone.

        `ConflictingDomainExists` with no zone of ours means the VPC still resolves the name elsewhere. Right
        after an endpoint's private DNS is turned off (switching to dns.mode hosted-zone) that is the endpoint's
        own DNS, which AWS detaches within minutes: wait for it (bounded). Otherwise stop at once and say why.
        """
        name, key = change.after["name"], self._zone_key(change)
        reference = zone_reference(self.plan.account_id, self.profile.vpc_id, name, self.profile.name)
        params = {"Name": name, "VPC": {"VPCRegion": self.profile.region, "VPCId": self.profile.vpc_id},
                  "HostedZoneConfig": {"Comment": f"studio-vpce {self.profile.name}", "PrivateZone": True}}
        deadline = time.monotonic() + self.timeout
        attempt = 0
        while True:
            try:
                response = self.cloud.call("route53", "create_hosted_zone", CallerReference=reference, **params)
                return response["HostedZone"]["Id"].split("/")[-1]
            except AwsError as exc:
                if exc.code not in ("HostedZoneAlreadyExists", "ConflictingDomainExists"):
                    raise
                conflict = exc.code == "ConflictingDomainExists"
            zone_id = self._find_zone(name)  # a lost answer to an earlier attempt: our zone is there
            if zone_id is not None:
                self.emit(Event("info", change.address, f"{name}: already created ({zone_id})", zone_id))
                return zone_id
            # The reference belonged to a zone deleted since (or to an attempt that failed): use a new one.
            attempt += 1
            reference = f"{reference[:52]}-{int(time.time())}-{attempt}"
            if not conflict:
                if attempt > 3:  # fresh references each time: AWS would not say this again
                    raise AwsError(f"CreateHostedZone for {name} keeps answering HostedZoneAlreadyExists with new "
                                   "caller references, and no zone of ours is associated with the VPC",
                                   "HostedZoneAlreadyExists")
                continue
            if not self._had_private_dns(key):
                raise AwsError(f"AWS says {self.profile.vpc_id} already resolves {name} through another zone "
                               "(ConflictingDomainExists: an endpoint's private DNS or a private hosted zone for that "
                               "name): run plan to see it, turn that private DNS off or remove the zone, and run "
                               "apply again", "ConflictingDomainExists")
            if time.monotonic() > deadline:
                raise AwsError(f"{self.profile.vpc_id} still resolves {name} through the {key} endpoint's private DNS "
                               f"after {self.timeout:.0f}s (ConflictingDomainExists): AWS detaches it some minutes after "
                               "private DNS is turned off; run apply again in a few minutes, it creates the zone then",
                               "ConflictingDomainExists")
            self.emit(Event("wait", change.address, f"{name}: waiting for AWS to detach the {key} endpoint's "
                                                    "private DNS (ConflictingDomainExists)"))
            time.sleep(self.cloud.poll_interval)

    def _had_private_dns(self, key: str) -> bool:
        """Whether the endpoint this zone serves existed before this run (so its private DNS may still be
        detaching): turned off by this plan, or found already off by a rerun. A new endpoint never had it."""
        endpoint = next((c for c in self.plan.changes if c.address == f"vpc_endpoint.{key}"), None)
        return endpoint is not None and endpoint.action in ("update", "no-op") and endpoint.id is not None

    def _hosted_zone_update(self, change: Change) -> None:
        """A zone this profile created (its CallerReference says so) whose tagging was interrupted: tag it now."""
        self._tag_zone(change.id or "", change.after["tags"])

    def _route53_record_delete(self, change: Change) -> None:
        """Our alias record in a zone we do not own (destroy): delete exactly that record set, if still there."""
        records = self.cloud.pages("route53", "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=change.id)
        target = change.before["alias_target"].lower().rstrip(".")
        for record in records:
            alias = record.get("AliasTarget", {}).get("DNSName", "").lower().rstrip(".")
            if decode_dns_name(record["Name"]) == change.before["name"] and record["Type"] == "A" and alias == target:
                self.call("route53", "change_resource_record_sets", ok_codes=("InvalidChangeBatch",),
                          HostedZoneId=change.id, ChangeBatch={"Changes": [
                              {"Action": "DELETE", "ResourceRecordSet": _as_written(record)}]})

    def _hosted_zone_delete(self, change: Change) -> None:
        records = self.cloud.pages("route53", "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=change.id)
        deletions = [{"Action": "DELETE", "ResourceRecordSet": _as_written(r)} for r in records
                     if r["Type"] not in ("SOA", "NS")]
        if deletions:
            self.call("route53", "change_resource_record_sets", HostedZoneId=change.id,
                      ChangeBatch={"Changes": deletions})
        self.call("route53", "delete_hosted_zone", ok_codes=("NoSuchHostedZone",), Id=change.id)
        self.zones_deleted.append(change.before.get("name") or change.id or "")

    def _endpoint_dns(self, key: str) -> tuple[str, str]:
        if key not in self.dns:
            endpoint_id = self.ids[f"vpc_endpoint.{key}"]
            found = self.cloud.call("ec2", "describe_vpc_endpoints", VpcEndpointIds=[endpoint_id])["VpcEndpoints"]
            entries = regional_first(found[0].get("DnsEntries") or [])
            if not entries:
                raise AwsError(f"endpoint {endpoint_id} reports no DNS names yet; run apply again shortly")
            self.dns[key] = (entries[0]["DnsName"], entries[0]["HostedZoneId"])
        return self.dns[key]

    def _route53_record_create(self, change: Change) -> None:
        key = self._zone_key(change)
        dns_name, zone_of_target = self._endpoint_dns(key)
        self.call("route53", "change_resource_record_sets", HostedZoneId=self.ids[f"hosted_zone.{key}"], ChangeBatch={
            "Comment": f"studio-vpce {self.profile.name}",
            "Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
                "Name": change.after["name"], "Type": "A",
                "AliasTarget": {"HostedZoneId": zone_of_target, "DNSName": dns_name, "EvaluateTargetHealth": False}}}]})

    _route53_record_update = _route53_record_create

    def _hosted_zone_association_create(self, change: Change) -> None:
        key = self._zone_key(change)
        zone_id, vpc_id = self.ids[f"hosted_zone.{key}"], change.after["vpc_id"]
        try:
            self.cloud.call("route53", "associate_vpc_with_hosted_zone", HostedZoneId=zone_id,
                            VPC={"VPCRegion": self.profile.region, "VPCId": vpc_id})
        except AwsError as exc:
            if exc.code != "ConflictingDomainExists":
                raise
            # AWS answers so both when the VPC is already associated with this zone (a retried call whose
            # answer was lost) and when it resolves the name through another zone: only the first is done.
            zone = self.cloud.call("route53", "get_hosted_zone", Id=zone_id)
            if vpc_id not in {v.get("VPCId") for v in zone.get("VPCs", [])}:
                name = zone.get("HostedZone", {}).get("Name", "").rstrip(".")
                raise AwsError(f"{vpc_id} (dns.associate_vpc_ids) already resolves {name} through another private "
                               f"hosted zone or an endpoint's private DNS (ConflictingDomainExists), so it cannot use "
                               f"{zone_id}: remove that zone from {vpc_id} or turn that private DNS off, or drop "
                               f"{vpc_id} from dns.associate_vpc_ids; then run apply again",
                               "ConflictingDomainExists") from None
            self.emit(Event("info", change.address, f"{vpc_id} is already associated with {zone_id}", zone_id))

    # ---------------------------------------------------------------- IAM

    def _document(self) -> dict[str, Any]:
        """The planned identity policy with endpoint ids that were unknown at plan time filled in."""
        vpce_ids = [self.ids.get(f"vpc_endpoint.{k}", KNOWN_AFTER_APPLY) for k in ("studio", "api")
                    if getattr(self.profile.endpoints, k)] + list(self.profile.access.extra_vpce_ids)
        document = policies.identity_policy_for(self.profile, partition=self.plan.partition,
                                                account=self.plan.account_id, vpce_ids=vpce_ids)
        if document is None or KNOWN_AFTER_APPLY in json.dumps(document):
            raise AwsError("the identity policy still names an endpoint that does not exist; run apply again")
        return document

    def _policy_arn(self) -> str:
        return self.ids.get("iam_policy.access") or (
            f"arn:{self.plan.partition}:iam::{self.plan.account_id}:policy/studio-vpce/{self.profile.policy_name}")

    def _iam_policy_create(self, change: Change) -> str:
        response = self.call("iam", "create_policy", ok_codes=("EntityAlreadyExists",),
                             PolicyName=self.profile.policy_name, Path="/studio-vpce/",
                             PolicyDocument=json.dumps(self._document()),
                             Description=change.after.get("description") or policies.access_description(self.profile),
                             Tags=_tag_list(policy_tags(self.profile)))
        return response["Policy"]["Arn"] if response else self._policy_arn()

    def _iam_policy_update(self, change: Change) -> str:
        self.call("iam", "create_policy_version", PolicyArn=self._policy_arn(),
                  PolicyDocument=json.dumps(self._document()), SetAsDefault=True)
        return self._policy_arn()

    def _iam_policy_version_delete(self, change: Change) -> None:
        self.call("iam", "delete_policy_version", ok_codes=("NoSuchEntity",), PolicyArn=change.id,
                  VersionId=change.before["version"])

    def _iam_policy_delete(self, change: Change) -> None:
        arn = change.id
        try:
            versions = self.cloud.pages("iam", "list_policy_versions", "Versions", PolicyArn=arn)
        except AwsError as exc:
            if exc.code == "NoSuchEntity":
                return
            raise
        for version in versions:
            if not version["IsDefaultVersion"]:
                self.call("iam", "delete_policy_version", ok_codes=("NoSuchEntity",), PolicyArn=arn,
                          VersionId=version["VersionId"])
        # AWS refuses to delete an attached policy (moto does not): detach anything left first.
        # IAM pages at 100 entities: read them all, or delete_policy fails with DeleteConflict.
        entities = self.cloud.pages("iam", "list_entities_for_policy", ("PolicyUsers", "PolicyGroups", "PolicyRoles"),
                                    PolicyArn=arn)
        for kind, name_key in (("user", "UserName"), ("group", "GroupName"), ("role", "RoleName")):
            for entity in entities:
                if name_key in entity:
                    self.call("iam", f"detach_{kind}_policy", ok_codes=("NoSuchEntity",), PolicyArn=arn,
                              **{name_key: entity[name_key]})
        self.call("iam", "delete_policy", ok_codes=("NoSuchEntity",), PolicyArn=arn)

    def _attachment(self, change: Change, verb: str) -> None:
        _, kind, name = change.address.split(".", 2)
        key = {"user": "UserName", "group": "GroupName", "role": "RoleName"}[kind]
        self.call("iam", f"{verb}_{kind}_policy", ok_codes=("NoSuchEntity",) if verb == "detach" else (),
                  PolicyArn=self._policy_arn(), **{key: name})

    def _iam_policy_attachment_create(self, change: Change) -> None:
        self._attachment(change, "attach")

    def _iam_policy_attachment_delete(self, change: Change) -> None:
        self._attachment(change, "detach")


