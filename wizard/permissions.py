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


def policy(purpose: str, partition: str = "aws") -> dict[str, Any]:
    """The least-privilege identity policy for running studio-vpce `purpose`.

    Reads that AWS cannot scope to a resource get `*`. The tool's own managed policy is reachable only under
    its path (/studio-vpce/), and attaching or detaching is allowed only for policies under that path, so the
    principal cannot attach anything else (AdministratorAccess, say) to anyone.
    """
    ops = operations_for(purpose)
    policy_arn = f"arn:{partition}:iam::*:policy{POLICY_PATH}*"
    groups: dict[str, set[str]] = {"*": set(), "policy": set(), "attach": set()}
    for op in ops:
        groups[op.scope].update(op.iam_actions())
    statements: list[dict[str, Any]] = []
    if groups["*"]:
        statements.append({"Sid": "StudioVpceReadWrite" if purpose == "apply" else "StudioVpceRead",
                           "Effect": "Allow", "Action": sorted(groups["*"]), "Resource": "*"})
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
