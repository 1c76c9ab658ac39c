"""The AWS calls studio-vpce makes, and the least-privilege IAM policy that allows exactly them.

One table, keyed by botocore's (service, operation) names, is the single source of truth: `studio-vpce
permissions` prints a policy from it, the cloud adapter loads only these operations' service models (plan
starts faster), and a test records every call the plan/apply/destroy flows make and checks it is here.

An operation's IAM action is usually `<service>:<Operation>`; the exceptions are spelled out in `actions`:
- `sts:GetCallerIdentity` needs no permission (AWS always allows it), so it grants nothing.
- `route53:ListHostedZonesByVPC`, `CreateHostedZone` (private) and `AssociateVPCWithHostedZone` also need
  `ec2:DescribeVpcs`: Route 53 looks the VPC up with the caller's rights.
- `ec2:CreateVpcEndpoint` with private DNS on, and `ec2:ModifyVpcEndpoint` turning it on, also need
  `route53:AssociateVPCWithHostedZone` (AWS associates its own private hosted zone with the VPC for you).
- Creating tagged EC2 resources needs `ec2:CreateTags`; creating a tagged IAM policy needs `iam:TagPolicy`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from wizard.names import MANAGED_BY

PURPOSES = ("plan", "apply", "verify", "audit")
# purpose -> the `used_for` marks it needs. "simulate": the IAM policy simulator (audit, verify --simulate).
_USES = {"plan": {"plan"}, "apply": {"plan", "apply"}, "verify": {"plan", "verify", "simulate"},
         "audit": {"plan", "audit", "simulate"}}
POLICY_PATH = "/studio-vpce/"


@dataclass(frozen=True)
class Operation:
    service: str  # botocore's service name (boto3.client(service))
    name: str  # botocore's operation name (CamelCase, as in the API reference)
    used_for: str  # "plan": read-only (discover, plan, verify, and apply/destroy read first); "apply": changes
    #                 (apply and destroy); "verify": only `verify --presigned-url`
    actions: tuple[str, ...] | None = None  # IAM actions needed; None: the usual <prefix>:<name>
    scope: str = "*"  # "*" or "policy" (only studio-vpce's own managed policies: /studio-vpce/ path)

    def iam_actions(self) -> tuple[str, ...]:
        return self.actions if self.actions is not None else (f"{self.service}:{self.name}",)


_R53_VPC = ("ec2:DescribeVpcs",)

OPERATIONS: tuple[Operation, ...] = (
    # read: the caller, the network, Studio, DNS, IAM
    Operation("sts", "GetCallerIdentity", "plan", actions=()),
    Operation("ec2", "DescribeVpcs", "plan"),
    Operation("ec2", "DescribeVpcAttribute", "plan"),
    Operation("ec2", "DescribeSubnets", "plan"),
    Operation("ec2", "DescribeRouteTables", "plan"),
    Operation("ec2", "DescribeSecurityGroups", "plan"),
    Operation("ec2", "DescribeVpcEndpoints", "plan"),
    Operation("ec2", "DescribeVpcEndpointServices", "plan"),
    Operation("sagemaker", "ListDomains", "plan"),
    Operation("sagemaker", "DescribeDomain", "plan"),
    Operation("sagemaker", "DescribeUserProfile", "plan"),
    Operation("sagemaker", "ListUserProfiles", "plan"),  # Studio's groups per user profile (UserSettings)
    Operation("sagemaker", "ListSpaces", "plan"),  # private spaces run with their owner's groups
    Operation("route53", "ListHostedZonesByVPC", "plan", actions=("route53:ListHostedZonesByVPC", *_R53_VPC)),
    Operation("route53", "GetHostedZone", "plan"),
    Operation("route53", "ListResourceRecordSets", "plan"),
    Operation("route53", "ListTagsForResource", "plan"),
    Operation("iam", "GetAccountSummary", "plan"),
    Operation("iam", "ListUsers", "plan"),
    Operation("iam", "ListGroups", "plan"),
    Operation("iam", "ListRoles", "plan"),
    Operation("iam", "ListGroupsForUser", "plan"),
    Operation("iam", "ListAttachedUserPolicies", "plan"),
    Operation("iam", "ListAttachedGroupPolicies", "plan"),
    Operation("iam", "ListAttachedRolePolicies", "plan"),
    # any managed policy attached to an attach target: plan reads its default version (does an Allow-only
    # restriction hold? issue 12)
    Operation("iam", "GetPolicy", "plan"),
    Operation("iam", "GetPolicyVersion", "plan"),
    Operation("iam", "ListUserPolicies", "plan"),
    Operation("iam", "GetUserPolicy", "plan"),
    Operation("iam", "ListGroupPolicies", "plan"),
    Operation("iam", "GetGroupPolicy", "plan"),
    Operation("iam", "ListRolePolicies", "plan"),
    Operation("iam", "GetRolePolicy", "plan"),
    Operation("iam", "ListPolicies", "plan"),  # a new policy's name held under another path or case
    Operation("iam", "ListPolicyVersions", "plan", scope="policy"),
    Operation("iam", "ListEntitiesForPolicy", "plan", scope="policy"),
    # change: apply and destroy
    Operation("ec2", "ModifyVpcAttribute", "apply"),
    Operation("ec2", "CreateSecurityGroup", "apply", actions=("ec2:CreateSecurityGroup", "ec2:CreateTags")),
    Operation("ec2", "AuthorizeSecurityGroupIngress", "apply"),
    Operation("ec2", "RevokeSecurityGroupIngress", "apply"),
    Operation("ec2", "DeleteSecurityGroup", "apply"),
    Operation("ec2", "CreateVpcEndpoint", "apply",
              actions=("ec2:CreateVpcEndpoint", "ec2:CreateTags", "route53:AssociateVPCWithHostedZone")),
    Operation("ec2", "ModifyVpcEndpoint", "apply",
              actions=("ec2:ModifyVpcEndpoint", "route53:AssociateVPCWithHostedZone")),
    Operation("ec2", "DeleteVpcEndpoints", "apply"),
    Operation("route53", "CreateHostedZone", "apply", actions=("route53:CreateHostedZone", *_R53_VPC)),
    Operation("route53", "ChangeTagsForResource", "apply"),
    Operation("route53", "ChangeResourceRecordSets", "apply"),
    Operation("route53", "AssociateVPCWithHostedZone", "apply",
              actions=("route53:AssociateVPCWithHostedZone", *_R53_VPC)),
    Operation("route53", "DeleteHostedZone", "apply"),
    Operation("iam", "CreatePolicy", "apply", actions=("iam:CreatePolicy", "iam:TagPolicy"), scope="policy"),
    Operation("iam", "CreatePolicyVersion", "apply", scope="policy"),
    Operation("iam", "DeletePolicyVersion", "apply", scope="policy"),
    Operation("iam", "DeletePolicy", "apply", scope="policy"),
    Operation("iam", "AttachUserPolicy", "apply", scope="attach"),
    Operation("iam", "AttachGroupPolicy", "apply", scope="attach"),
    Operation("iam", "AttachRolePolicy", "apply", scope="attach"),
    Operation("iam", "DetachUserPolicy", "apply", scope="attach"),
    Operation("iam", "DetachGroupPolicy", "apply", scope="attach"),
    Operation("iam", "DetachRolePolicy", "apply", scope="attach"),
    # verify --presigned-url
    Operation("sagemaker", "CreatePresignedDomainUrl", "verify"),
    # audit: every principal's policies; audit and verify --simulate: the IAM policy simulator
    Operation("iam", "GetAccountAuthorizationDetails", "audit"),
    Operation("iam", "SimulatePrincipalPolicy", "simulate"),
    Operation("iam", "GetUser", "verify"),
    Operation("iam", "GetRole", "verify"),
    Operation("iam", "GetGroup", "verify"),
)


def operations_by_service() -> dict[str, set[str]]:
    """botocore service -> the operation names the tool calls (the service models it loads)."""
    out: dict[str, set[str]] = {}
    for op in OPERATIONS:
        out.setdefault(op.service, set()).add(op.name)
    return out


def operations_for(purpose: str) -> list[Operation]:
    """What a principal running `purpose` needs: plan reads; apply reads and changes; verify reads, opens and
    simulates; audit reads every principal's policies and simulates."""
    wanted = _USES[purpose]
    return [op for op in OPERATIONS if op.used_for in wanted]


def partition_of(region: str | None) -> str:
    if region and region.startswith("cn-"):
        return "aws-cn"
    if region and region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


# Tag-based scoping of EC2 writes. Every security group and endpoint the tool creates carries managed-by=studio-vpce
# (planner.resource_tags; a profile cannot set that key itself), so:
# - creating one is allowed only with that tag in the request (aws:RequestTag, on the new resource);
# - ec2:CreateTags only as part of those two creates (ec2:CreateAction): nobody can tag an existing resource ours;
# - deleting, changing rules of, or modifying one needs the tag on it (aws:ResourceTag).
# Route 53 hosted zones support no tag conditions (Service Authorization Reference), so Route 53 writes stay "*".
_CREATES = ("ec2:CreateSecurityGroup", "ec2:CreateVpcEndpoint")
_OWN_GROUP = ("ec2:AuthorizeSecurityGroupIngress", "ec2:DeleteSecurityGroup", "ec2:RevokeSecurityGroupIngress")
_OWN_ENDPOINT = ("ec2:DeleteVpcEndpoints", "ec2:ModifyVpcEndpoint")
# Writes on resources the tool did not create, each for a stated reason (README: "Least privilege"). Not among
# them: a group given as security_group.id (the tool never changes its rules; plan says what to add by hand).
_ANY_ENDPOINT_MODIFY = ("ec2:ModifyVpcEndpoint",)  # an endpoint that already served the service: reused
_VPC_ATTRIBUTES = ("ec2:ModifyVpcAttribute",)  # dns.fix_vpc_attributes: the user's VPC
_ROUTE53_WRITES = ("route53:AssociateVPCWithHostedZone", "route53:ChangeResourceRecordSets",
                   "route53:ChangeTagsForResource", "route53:CreateHostedZone", "route53:DeleteHostedZone")
_PLACED = {*_CREATES, "ec2:CreateTags", *_OWN_GROUP, *_OWN_ENDPOINT, *_VPC_ATTRIBUTES, *_ROUTE53_WRITES}


def _ec2(partition: str, *kinds: str) -> list[str]:
    return [f"arn:{partition}:ec2:*:*:{kind}/*" for kind in kinds]


def _write_statements(actions: set[str], partition: str) -> list[dict[str, Any]]:
    """apply's EC2 and Route 53 writes, each scoped as far as IAM allows."""
    tag_key, tag_value = MANAGED_BY
    request_tag = {"StringEquals": {f"aws:RequestTag/{tag_key}": tag_value}}
    resource_tag = {"StringEquals": {f"aws:ResourceTag/{tag_key}": tag_value}}
    out: list[dict[str, Any]] = [
        {"Sid": "StudioVpceCreateOnlyTaggedAsItsOwn", "Effect": "Allow", "Action": list(_CREATES),
         "Resource": _ec2(partition, "security-group", "vpc-endpoint"), "Condition": request_tag},
        # CreateTags is authorized separately for tags given on create; only as part of these creates.
        {"Sid": "StudioVpceTagOnlyWhileCreating", "Effect": "Allow", "Action": ["ec2:CreateTags"],
         "Resource": _ec2(partition, "security-group", "vpc-endpoint"),
         "Condition": {"StringEquals": {"ec2:CreateAction": [a.split(":")[1] for a in _CREATES]}}},
        # The other resources a create or modify names (AWS authorizes each): the VPC, its subnets and route
        # tables, the endpoint's security group. Naming one changes nothing of it.
        {"Sid": "StudioVpceNameTheNetworkInCreates", "Effect": "Allow", "Action": ["ec2:CreateSecurityGroup"],
         "Resource": _ec2(partition, "vpc")},
        {"Sid": "StudioVpceNameTheNetworkInEndpoints", "Effect": "Allow", "Action": ["ec2:CreateVpcEndpoint"],
         "Resource": _ec2(partition, "vpc", "subnet", "route-table", "security-group")},
        {"Sid": "StudioVpceNameTheNetworkInEndpointChanges", "Effect": "Allow", "Action": ["ec2:ModifyVpcEndpoint"],
         "Resource": _ec2(partition, "subnet", "route-table", "security-group")},
        {"Sid": "StudioVpceChangeOnlyItsOwnGroup", "Effect": "Allow", "Action": list(_OWN_GROUP),
         "Resource": _ec2(partition, "security-group"), "Condition": resource_tag},
        {"Sid": "StudioVpceChangeOnlyItsOwnEndpoints", "Effect": "Allow", "Action": list(_OWN_ENDPOINT),
         "Resource": _ec2(partition, "vpc-endpoint"), "Condition": resource_tag},
        {"Sid": "StudioVpceUpdateAReusedEndpoint", "Effect": "Allow", "Action": list(_ANY_ENDPOINT_MODIFY),
         "Resource": _ec2(partition, "vpc-endpoint")},
        {"Sid": "StudioVpceFixVpcDnsAttributes", "Effect": "Allow", "Action": list(_VPC_ATTRIBUTES),
         "Resource": _ec2(partition, "vpc")},
        {"Sid": "StudioVpceRoute53ZonesHaveNoTagConditions", "Effect": "Allow",
         "Action": [a for a in _ROUTE53_WRITES if a != "route53:CreateHostedZone"],
         "Resource": f"arn:{partition}:route53:::hostedzone/*"},
        {"Sid": "StudioVpceCreateHostedZoneHasNoResource", "Effect": "Allow", "Action": ["route53:CreateHostedZone"],
         "Resource": "*"},
    ]
    for statement in out:
        statement["Action"] = sorted(a for a in statement["Action"] if a in actions)
    return [s for s in out if s["Action"]]


def policy(purpose: str, partition: str = "aws") -> dict[str, Any]:
    """The least-privilege identity policy for running studio-vpce `purpose`.

    Reads that AWS cannot scope to a resource get `*`. EC2 writes are scoped to what the tool creates (its
    managed-by tag), except the few that act on resources it did not create, each its own statement saying why;
    Route 53 writes are `*` (hosted zones support no tag conditions). The tool's own managed policy is reachable
    only under its path (/studio-vpce/), and attaching or detaching is allowed only for policies under that path,
    so the principal cannot attach anything else (AdministratorAccess, say) to anyone.
    """
    ops = operations_for(purpose)
    policy_arn = f"arn:{partition}:iam::*:policy{POLICY_PATH}*"
    groups: dict[str, set[str]] = {"*": set(), "policy": set(), "attach": set()}
    for op in ops:
        groups[op.scope].update(op.iam_actions())
    writes = groups["*"] & _PLACED
    statements: list[dict[str, Any]] = []
    if groups["*"] - writes:
        statements.append({"Sid": "StudioVpceRead", "Effect": "Allow", "Action": sorted(groups["*"] - writes),
                           "Resource": "*"})
    statements += _write_statements(writes, partition)
    if groups["policy"]:
        statements.append({"Sid": "StudioVpceOwnManagedPolicy", "Effect": "Allow", "Action": sorted(groups["policy"]),
                           "Resource": policy_arn})
    if groups["attach"]:
        statements.append({"Sid": "StudioVpceAttachOnlyItsPolicy", "Effect": "Allow",
                           "Action": sorted(groups["attach"]), "Resource": "*",
                           "Condition": {"ArnLike": {"iam:PolicyARN": policy_arn}}})
    return {"Version": "2012-10-17", "Statement": statements}


def policy_json(purpose: str, partition: str = "aws") -> str:
    return json.dumps(policy(purpose, partition), indent=2)
