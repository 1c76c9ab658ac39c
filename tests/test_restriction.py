"""Plan warns when an attach target's other policies keep Studio open from outside (issue 12): restriction_ineffective."""

from __future__ import annotations

import json

import pytest

from conftest import profile
from wizard.discovery import observe
from wizard.planner import plan
from wizard.sandbox import BROAD_SAGEMAKER_POLICY, INLINE_PRESIGN_ROLE

BROAD = {"Version": "2012-10-17", "Statement": [{"Sid": "Everything", "Effect": "Allow", "Action": "sagemaker:*",
                                                  "Resource": "*"}]}


def _plan(cloud, p):  # noqa: ANN001, ANN202
    return plan(observe(cloud, p), p)


def _warnings(result, code: str) -> list[str]:  # noqa: ANN001
    return [w.message for w in result.warnings if w.code == code]


def _targets(users=(), groups=(), roles=(), **access):  # noqa: ANN001, ANN003, ANN202
    return profile("vpce", access={"attach": {"users": list(users), "groups": list(groups), "roles": list(roles)},
                                   **access})


def test_a_target_with_a_broad_sagemaker_policy_warns_with_effect_allow(cloud) -> None:  # noqa: ANN001
    found = _warnings(_plan(cloud, _targets(roles=["MLEngineers"])), "restriction_ineffective")
    assert len(found) == 1
    assert "role MLEngineers" in found[0] and BROAD_SAGEMAKER_POLICY in found[0]
    assert "AllowStudioResources" in found[0] and "access.effect: deny" in found[0]


def test_with_effect_deny_the_same_target_is_not_warned_about(cloud) -> None:  # noqa: ANN001
    result = _plan(cloud, _targets(roles=["MLEngineers"], effect="deny"))
    assert _warnings(result, "restriction_ineffective") == []
    assert _warnings(result, "restriction_unverified") == []


def test_an_inline_unconditioned_grant_warns_naming_the_inline_policy(cloud) -> None:  # noqa: ANN001
    found = _warnings(_plan(cloud, _targets(roles=[INLINE_PRESIGN_ROLE])), "restriction_ineffective")
    assert len(found) == 1 and "PresignAnyUserProfile" in found[0] and f"role/{INLINE_PRESIGN_ROLE}" in found[0]


def test_a_target_with_nothing_else_is_not_warned_about(cloud) -> None:  # noqa: ANN001
    result = _plan(cloud, _targets(users=["alice", "bob"], roles=["StudioUsers"]))
    assert _warnings(result, "restriction_ineffective") == [] and _warnings(result, "restriction_unverified") == []


def test_a_users_group_policy_keeps_access(cloud, aws) -> None:  # noqa: ANN001
    aws.client("iam").put_group_policy(GroupName="data-scientists", PolicyName="TeamSageMaker",
                                       PolicyDocument=json.dumps(BROAD))
    found = _warnings(_plan(cloud, _targets(users=["alice", "carol"], groups=["data-scientists"])),
                      "restriction_ineffective")
    assert len(found) == 2  # alice (through her group) and the group itself; carol is in no group
    assert any("user alice" in m and "via group/data-scientists" in m for m in found)
    assert any("group data-scientists" in m for m in found)


def test_a_managed_policy_is_read_at_its_default_version(cloud, aws) -> None:  # noqa: ANN001
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="Versions", PolicyDocument=json.dumps(BROAD))["Policy"]["Arn"]
    narrow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(narrow), SetAsDefault=True)
    iam.attach_user_policy(UserName="bob", PolicyArn=arn)
    assert _warnings(_plan(cloud, _targets(users=["bob"])), "restriction_ineffective") == []
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert len(_warnings(_plan(cloud, _targets(users=["bob"])), "restriction_ineffective")) == 1


def test_a_grant_the_evaluator_cannot_decide_is_reported_as_unverified(cloud, aws) -> None:  # noqa: ANN001
    mfa = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*",
                                                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
    aws.client("iam").put_user_policy(UserName="bob", PolicyName="WithMfa", PolicyDocument=json.dumps(mfa))
    result = _plan(cloud, _targets(users=["bob"]))
    assert _warnings(result, "restriction_ineffective") == []
    found = _warnings(result, "restriction_unverified")
    assert len(found) == 1 and "aws:MultiFactorAuthPresent" in found[0] and "studio-vpce audit" in found[0]
    assert found[0].count("aws:MultiFactorAuthPresent") == 1, found[0]  # said once (trial 17: twice)
    assert _warnings(_plan(cloud, _targets(users=["bob"], effect="deny")), "restriction_unverified") == []


def test_a_group_target_says_its_members_own_policies_are_not_weighed(cloud) -> None:  # noqa: ANN001
    """Trial 18: a member's own grant (bob in data-scientists, sagemaker:* from anywhere) went unseen: plan and the
    Preview judged the group by its own policies. Plan does not read members (audit does): said, with effect
    allow; the deny guardrail, attached to the group, holds for every member."""
    said = _warnings(_plan(cloud, _targets(groups=["data-scientists"])), "group_members_unweighed")
    assert len(said) == 1 and said[0].startswith("IAM group data-scientists: plan weighs the group's own policies")
    assert "studio-vpce audit" in said[0]
    assert _warnings(_plan(cloud, _targets(groups=["data-scientists"], effect="deny")), "group_members_unweighed") == []
    assert _warnings(_plan(cloud, _targets(users=["bob"])), "group_members_unweighed") == []


def test_the_already_applied_policy_is_replaced_not_counted_twice(cloud) -> None:  # noqa: ANN001
    from wizard.executor import Executor

    p = _targets(users=["alice"])
    assert Executor(cloud, _plan(cloud, p)).run().ok
    result = _plan(cloud, p)
    assert not result.has_changes and _warnings(result, "restriction_ineffective") == []


@pytest.mark.parametrize("name", ["subnet", "vpce", "source-ip", "vpc-source-ip", "hosted-zone", "deny-guardrail"])
def test_the_example_profiles_warn_only_where_it_is_true(cloud, name: str) -> None:  # noqa: ANN001
    # none of the examples attaches to MLEngineers or StudioAutomation with effect allow
    result = _plan(cloud, profile(name))
    assert _warnings(result, "restriction_ineffective") == [] and _warnings(result, "restriction_unverified") == []


def test_the_wizard_view_recommends_deny_when_a_target_keeps_access(cloud) -> None:  # noqa: ANN001
    from wizard.iam_eval import who_can_open_studio

    p = _targets(users=["alice"], roles=["MLEngineers"])
    view = who_can_open_studio(observe(cloud, p), p)
    assert view.recommend_deny and "role MLEngineers" in view.reason and BROAD_SAGEMAKER_POLICY in view.reason
    assert {(r.name, r.stopped_by_profile) for r in view.rows} == {("alice", True), ("MLEngineers", False)}
    chosen = _targets(users=["alice"], roles=["MLEngineers"], effect="deny")
    denied = who_can_open_studio(observe(cloud, chosen), chosen)
    assert denied.recommend_deny  # still the advice: it explains why deny is selected
    assert {(r.name, r.stopped_by_profile) for r in denied.rows} == {("alice", True), ("MLEngineers", True)}
    quiet = _targets(users=["alice"])
    assert not who_can_open_studio(observe(cloud, quiet), quiet).recommend_deny


def test_a_grant_from_another_vpc_warns_restriction_ineffective(cloud, aws) -> None:  # noqa: ANN001
    """review16 M8: a target allowed from another VPC (or public range) keeps Studio open from outside the
    profile's boundary; plan checked one internet address and said nothing. A grant with the profile's own
    condition is not warned about."""
    def grant(condition: dict) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "Elsewhere", "Effect": "Allow",
                                                                    "Action": "sagemaker:*", "Resource": "*",
                                                                    "Condition": condition}]})

    iam = aws.client("iam")
    p = profile("subnet", access={"attach": {"users": [], "groups": [], "roles": ["StudioUsers"]}})
    iam.put_role_policy(RoleName="StudioUsers", PolicyName="Elsewhere",
                        PolicyDocument=grant({"StringEquals": {"aws:SourceVpc": p.vpc_id}}))
    assert _warnings(_plan(cloud, p), "restriction_ineffective") == []
    iam.put_role_policy(RoleName="StudioUsers", PolicyName="Elsewhere",
                        PolicyDocument=grant({"StringEquals": {"aws:SourceVpc": "vpc-0ther0000000000000"}}))
    found = _warnings(_plan(cloud, p), "restriction_ineffective")
    assert len(found) == 1 and "role StudioUsers" in found[0] and "aws:SourceVpc=vpc-0ther0000000000000" in found[0]
    iam.put_role_policy(RoleName="StudioUsers", PolicyName="Elsewhere",
                        PolicyDocument=grant({"IpAddress": {"aws:SourceIp": "100.24.0.0/16"}}))
    found = _warnings(_plan(cloud, p), "restriction_ineffective")
    assert len(found) == 1 and "aws:SourceIp=100.24.0.10" in found[0]
    deny = profile("subnet", access={"attach": {"users": [], "groups": [], "roles": ["StudioUsers"]}, "effect": "deny"})
    assert _warnings(_plan(cloud, deny), "restriction_ineffective") == []
