"""The local evaluator for sagemaker:CreatePresignedDomainUrl (issue 12): one test per rule of IAM's logic."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from conftest import profile
from wizard import iam_eval
from wizard.iam_eval import Request, evaluate, inside_context, outside_context, resource_matches
from wizard.models import PolicyDoc

PREFIX = "arn:aws:sagemaker:us-west-2:111122223333:user-profile/d-abc123/"
OUTSIDE = Request(PREFIX, {"aws:SourceIp": "198.51.100.23"})
INSIDE = Request(PREFIX, {"aws:SourceVpc": "vpc-0a1b2c3d", "aws:sourceVpce": "vpce-0123abcd",
                          "aws:VpcSourceIp": "10.20.1.10"})
PRESIGN = "sagemaker:CreatePresignedDomainUrl"


def doc(*statements: dict[str, Any], name: str = "p", via: str = "user/alice") -> PolicyDoc:
    return PolicyDoc(name, "inline", via, {"Version": "2012-10-17", "Statement": list(statements)})


def allow(**extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": PRESIGN, "Resource": "*", **extra}


def deny(**extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": PRESIGN, "Resource": "*", **extra}


def decide(*statements: dict[str, Any], request: Request = OUTSIDE) -> bool | None:
    return evaluate([doc(*statements)], request).allowed


# ---------------------------------------------------------------- Allow, Deny, nothing

def test_no_policy_means_implicit_deny() -> None:
    assert evaluate([], OUTSIDE).allowed is False


def test_an_unconditioned_allow_allows() -> None:
    result = evaluate([doc(allow(Sid="Presign"), name="PresignAnyUserProfile")], OUTSIDE)
    assert result.allowed is True
    assert [(m.policy, m.statement) for m in result.allowed_by] == [("PresignAnyUserProfile", "Presign")]


def test_a_statement_without_sid_is_named_by_its_position() -> None:
    result = evaluate([doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, allow())], OUTSIDE)
    assert result.allowed_by[0].statement == "#2"


def test_explicit_deny_wins_over_any_allow() -> None:
    assert decide(allow(), {"Effect": "Allow", "Action": "*", "Resource": "*"}, deny()) is False


def test_explicit_deny_in_another_policy_wins() -> None:
    result = evaluate([doc(allow(), name="a"), doc(deny(Sid="No"), name="b", via="group/g")], OUTSIDE)
    assert result.allowed is False and result.denied_by[0].via == "group/g"


def test_an_allow_for_another_action_does_not_allow() -> None:
    assert decide({"Effect": "Allow", "Action": "sagemaker:CreateApp", "Resource": "*"}) is False


# ---------------------------------------------------------------- Action / NotAction

@pytest.mark.parametrize("action", ["*", "sagemaker:*", "sagemaker:Create*", "sagemaker:CreatePresigned?omainUrl",
                                    "SageMaker:createpresigneddomainurl", ["s3:GetObject", "sagemaker:*Url"]])
def test_action_wildcards_and_case_match(action: Any) -> None:
    assert decide({"Effect": "Allow", "Action": action, "Resource": "*"}) is True


@pytest.mark.parametrize("action", ["sagemaker:Describe*", "sagemaker:CreatePresigned?", "s3:*",
                                    "sagemaker:CreatePresignedNotebookInstanceUrl"])
def test_action_patterns_that_do_not_match(action: str) -> None:
    assert decide({"Effect": "Allow", "Action": action, "Resource": "*"}) is False


def test_not_action_allows_everything_else() -> None:
    assert decide({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}) is True


def test_not_action_that_names_the_action_does_not_allow_it() -> None:
    assert decide({"Effect": "Allow", "NotAction": "sagemaker:*", "Resource": "*"}) is False


def test_deny_with_not_action_denies_everything_else() -> None:
    assert decide(allow(), {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}) is False


# ---------------------------------------------------------------- Resource / NotResource

@pytest.mark.parametrize("resource", [
    "*", "arn:aws:sagemaker:*:*:*", "arn:aws:sagemaker:us-west-2:111122223333:user-profile/*",
    "arn:aws:sagemaker:us-west-2:111122223333:user-profile/d-abc123/*", "arn:aws:sagemaker:*:*:user-profile/*/*",
    "arn:aws:sagemaker:us-west-2:111122223333:user-profile/d-abc123/?*"])
def test_resource_patterns_covering_every_user_profile_match(resource: str) -> None:
    assert resource_matches(resource, PREFIX) is True
    assert decide(allow(Resource=resource)) is True


@pytest.mark.parametrize("resource", [
    "arn:aws:sagemaker:us-west-2:111122223333:user-profile/d-other/*", "arn:aws:sagemaker:*:*:app/*",
    "arn:aws:sagemaker:eu-west-1:*:*", "arn:aws:s3:::bucket/*",
    "arn:aws:sagemaker:us-west-2:111122223333:user-profile/D-ABC123/*"])  # ARNs are case-sensitive
def test_resource_patterns_for_other_resources_do_not_match(resource: str) -> None:
    assert resource_matches(resource, PREFIX) is False
    assert decide(allow(Resource=resource)) is False


def test_a_resource_naming_only_some_user_profiles_cannot_be_decided() -> None:
    pattern = "arn:aws:sagemaker:us-west-2:111122223333:user-profile/d-abc123/alice"
    assert resource_matches(pattern, PREFIX) is None
    result = evaluate([doc(allow(Resource=pattern))], OUTSIDE)
    assert result.allowed is None and "only some user profiles" in result.note


def test_a_policy_variable_in_a_resource_cannot_be_decided() -> None:
    assert decide(allow(Resource="arn:aws:sagemaker:*:*:user-profile/*/${aws:username}")) is None


def test_not_resource_excluding_user_profiles_does_not_allow() -> None:
    # AmazonSageMakerFullAccess's shape: sagemaker:* on everything but Studio's resources
    assert decide({"Effect": "Allow", "Action": "sagemaker:*",
                   "NotResource": ["arn:aws:sagemaker:*:*:domain/*", "arn:aws:sagemaker:*:*:user-profile/*"]}) is False


def test_not_resource_excluding_something_else_allows() -> None:
    assert decide({"Effect": "Allow", "Action": "sagemaker:*", "NotResource": "arn:aws:sagemaker:*:*:app/*"}) is True


def test_a_statement_without_resource_cannot_be_decided() -> None:
    assert decide({"Effect": "Allow", "Action": PRESIGN}) is None


# ---------------------------------------------------------------- conditions on the four keys

def test_source_vpc_condition_allows_inside_and_not_outside() -> None:
    statement = allow(Condition={"StringEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"}})
    assert decide(statement, request=INSIDE) is True
    assert decide(statement) is False


def test_source_vpce_condition_with_for_any_value_as_in_the_guide() -> None:
    statement = allow(Condition={"ForAnyValue:StringEquals": {"aws:sourceVpce": ["vpce-0123abcd", "vpce-9"]}})
    assert decide(statement, request=INSIDE) is True
    assert decide(statement) is False  # ForAnyValue over an absent key: false


def test_source_ip_condition_matches_cidrs() -> None:
    statement = allow(Condition={"IpAddress": {"aws:SourceIp": ["198.51.100.0/24"]}})
    assert decide(statement) is True
    assert decide(statement, request=INSIDE) is False  # absent through an endpoint


def test_vpc_source_ip_condition_matches_cidrs() -> None:
    statement = allow(Condition={"IpAddress": {"aws:VpcSourceIp": "10.20.1.0/24"}})
    assert decide(statement, request=INSIDE) is True
    assert decide(statement, request=Request(PREFIX, {"aws:VpcSourceIp": "10.20.2.10"})) is False
    assert decide(statement) is False


def test_condition_key_names_are_case_insensitive() -> None:
    assert decide(allow(Condition={"StringEquals": {"AWS:SOURCEVPC": "vpc-0a1b2c3d"}}), request=INSIDE) is True


def test_negated_operator_holds_when_the_key_is_absent() -> None:
    # the guardrail: Deny unless the request comes from the VPC; a request from the internet has no aws:SourceVpc
    guardrail = deny(Condition={"StringNotEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"}})
    assert decide({"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}, guardrail) is False
    assert decide({"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}, guardrail, request=INSIDE) is True


def test_not_ip_address_guardrail_denies_other_addresses() -> None:
    guardrail = deny(Condition={"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}})
    assert decide(allow(), guardrail) is False
    assert decide(allow(), guardrail, request=Request(PREFIX, {"aws:SourceIp": "192.0.2.7"})) is True


def test_if_exists_holds_when_the_key_is_absent() -> None:
    assert decide(allow(Condition={"StringEqualsIfExists": {"aws:SourceVpc": "vpc-0a1b2c3d"}})) is True
    assert decide(allow(Condition={"StringEqualsIfExists": {"aws:SourceVpc": "vpc-other"}}), request=INSIDE) is False


def test_for_all_values_holds_on_an_absent_key() -> None:
    assert decide(allow(Condition={"ForAllValues:StringEquals": {"aws:sourceVpce": "vpce-0123abcd"}})) is True


def test_string_like_uses_wildcards() -> None:
    assert decide(allow(Condition={"StringLike": {"aws:sourceVpce": "vpce-0123*"}}), request=INSIDE) is True
    assert decide(allow(Condition={"StringLike": {"aws:sourceVpce": "vpce-9*"}}), request=INSIDE) is False


def test_null_condition_tests_presence() -> None:
    assert decide(allow(Condition={"Null": {"aws:SourceVpc": "true"}})) is True
    assert decide(allow(Condition={"Null": {"aws:SourceVpc": "true"}}), request=INSIDE) is False


def test_every_condition_block_must_hold() -> None:
    statement = allow(Condition={"IpAddress": {"aws:VpcSourceIp": "10.20.1.0/24"},
                                 "StringEquals": {"aws:SourceVpc": "vpc-other"}})
    assert decide(statement, request=INSIDE) is False


# ---------------------------------------------------------------- what it cannot tell: None, never a guess

def test_a_condition_on_another_key_cannot_be_decided() -> None:
    result = evaluate([doc(allow(Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))], OUTSIDE)
    assert result.allowed is None and "aws:MultiFactorAuthPresent" in result.note


def test_an_unknown_operator_on_a_known_key_cannot_be_decided() -> None:
    assert decide(allow(Condition={"StringEquals": {"aws:SourceIp": "198.51.100.23"}})) is None  # wrong type


def test_an_unknown_deny_makes_an_allow_undecidable() -> None:
    result = evaluate([doc(allow(), deny(Condition={"Bool": {"aws:ViaAWSService": "false"}}))], OUTSIDE)
    assert result.allowed is None and "may deny" in result.note


def test_an_unknown_statement_that_cannot_change_the_answer_is_ignored() -> None:
    # an explicit Deny decides, whatever the unknown Allow would say
    assert decide(allow(Condition={"Bool": {"aws:SecureTransport": "true"}}), deny()) is False
    # an unknown Deny does not matter when nothing allows
    assert decide(deny(Condition={"Bool": {"aws:SecureTransport": "true"}})) is False


def test_principal_in_an_identity_policy_cannot_be_decided() -> None:
    assert decide(allow(Principal="*")) is None


def test_a_policy_variable_in_a_condition_cannot_be_decided() -> None:
    assert decide(allow(Condition={"StringEquals": {"aws:SourceVpc": "${aws:PrincipalTag/vpc}"}}), request=INSIDE) is None


# ---------------------------------------------------------------- groups and boundaries

def test_group_policies_count_for_their_members() -> None:
    result = evaluate([doc(name="own"), doc(allow(Sid="FromGroup"), name="team", via="group/data-scientists")],
                      OUTSIDE)
    assert result.allowed is True and result.allowed_by[0].via == "group/data-scientists"


def test_a_permissions_boundary_must_allow_too() -> None:
    boundary = PolicyDoc("b", "managed", "boundary", {"Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                      "Resource": "*"}]})
    assert evaluate([doc(allow())], OUTSIDE, boundary).allowed is False
    wide = PolicyDoc("b", "managed", "boundary", {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    assert evaluate([doc(allow())], OUTSIDE, wide).allowed is True


def test_mentions_action_skips_principals_no_allow_could_reach() -> None:
    assert not iam_eval.mentions_action([doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, deny())])
    assert iam_eval.mentions_action([doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"})])


# ---------------------------------------------------------------- the profile's inside and outside

def test_outside_is_an_internet_address_outside_the_profiles_ranges() -> None:
    p = profile("source-ip", access={"cidrs": ["198.51.100.0/24"]})
    assert outside_context(p) == {"aws:SourceIp": "203.0.113.23"}
    assert outside_context(profile("vpce")) == {"aws:SourceIp": "198.51.100.23"}


@pytest.mark.parametrize(("name", "expected"), [
    ("subnet", {"aws:SourceVpc", "aws:sourceVpce", "aws:VpcSourceIp"}),
    ("vpce", {"aws:SourceVpc", "aws:sourceVpce", "aws:VpcSourceIp"}),
    ("source-ip", {"aws:SourceIp"}),
    ("vpc-source-ip", {"aws:SourceVpc", "aws:sourceVpce", "aws:VpcSourceIp"})])
def test_inside_uses_the_keys_a_request_from_inside_carries(name: str, expected: set[str]) -> None:
    p = profile(name)
    context = inside_context(p, ["vpce-0123456789abcdef0"], ["10.20.0.0/16"])
    assert context is not None and set(context) == expected
    if name == "vpc-source-ip":
        assert context["aws:VpcSourceIp"].startswith("10.20.1.")


@pytest.mark.parametrize("name", ["subnet", "vpce", "source-ip", "vpc-source-ip"])
@pytest.mark.parametrize("effect", ["allow", "deny"])
def test_the_generated_policy_allows_inside_and_not_outside(name: str, effect: str) -> None:
    from wizard import policies

    p = profile(name, access={"effect": effect})
    document = policies.identity_policy_for(p, partition="aws", account="111122223333",
                                            vpce_ids=["vpce-0123456789abcdef0"])
    assert document is not None
    ours = PolicyDoc("ours", "managed", "user/alice", document)
    prefix = iam_eval.resource_prefix("aws", p.region, "111122223333", p.domain_id)
    inside = inside_context(p, ["vpce-0123456789abcdef0"], ["10.20.0.0/16"])
    assert inside is not None
    assert evaluate([ours], Request(prefix, inside)).allowed is True
    assert evaluate([ours], Request(prefix, outside_context(p))).allowed is False
    broad = doc({"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"})
    assert evaluate([ours, broad], Request(prefix, outside_context(p))).allowed is (effect == "allow")


def test_for_any_value_fails_on_an_absent_key_even_when_negated() -> None:
    # a common mistake: ForAnyValue:StringNotEquals as a guardrail does not deny a request without the key
    guardrail = deny(Condition={"ForAnyValue:StringNotEquals": {"aws:sourceVpce": "vpce-0123abcd"}})
    assert decide(allow(), guardrail) is True
    assert decide(allow(), guardrail, request=Request(PREFIX, {"aws:sourceVpce": "vpce-other"})) is False


# ---------------------------------------------------------------- outside is more than one address (review16 M8)

def _inventory():  # noqa: ANN202
    from wizard.models import Caller, Inventory, Vpc

    return Inventory(account_id="111122223333", region="us-west-2", partition="aws",
                     caller=Caller("111122223333", "arn:aws:iam::111122223333:user/moto", "user", "moto"),
                     vpcs=(Vpc("vpc-0a1b2c3d4e5f60718", ("10.20.0.0/16",)),))


def _access(p, *statements: dict[str, Any]):  # noqa: ANN001, ANN202
    from wizard import policies
    from wizard.models import PrincipalPolicies

    inventory = dataclasses.replace(_inventory(), vpcs=(dataclasses.replace(_inventory().vpcs[0], id=p.vpc_id),))
    principal = PrincipalPolicies("user", "alice", "arn:aws:iam::111122223333:user/alice",
                                  (doc(*statements, name="Grant"),) if statements else ())
    document = policies.identity_policy_for(p, partition="aws", account="111122223333",
                                            vpce_ids=["vpce-0123456789abcdef0"])
    return iam_eval.local_access(inventory, p, principal, document)


def sagemaker(condition: dict[str, Any]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*", "Condition": condition}


@pytest.mark.parametrize("condition", [
    {"IpAddress": {"aws:SourceIp": "100.24.0.0/16"}},
    {"StringEquals": {"aws:SourceVpc": "vpc-0ther0000000000000"}},
    {"StringEquals": {"aws:sourceVpce": "vpce-0ther000000000000"}},
    {"StringLike": {"aws:SourceVpc": "vpc-*"}},
    {"Null": {"aws:SourceVpc": "false"}},
    {"IpAddress": {"aws:VpcSourceIp": "172.16.0.0/12"}, "StringEquals": {"aws:SourceVpc": "vpc-0ther0000000000000"}},
])
def test_outside_covers_other_public_ranges_vpcs_and_endpoints(condition: dict[str, Any]) -> None:
    """audit and plan asked one request from outside (aws:SourceIp 198.51.100.23): a grant from another public
    range, another VPC or another endpoint evaluated "not allowed", though it opens Studio from outside the
    profile's boundary. The other places the policies name are asked too; the one that opens it is said."""
    p = profile("vpce", access={"attach": {"users": ["alice"], "groups": [], "roles": []}})
    access = _access(p, sagemaker(condition))
    assert access.from_anywhere is True and access.stopped_by_profile is False, access
    assert access.outside is not None and access.outside != outside_context(p)
    assert evaluate([doc(sagemaker(condition))], Request(PREFIX, access.outside)).allowed is True
    assert _access(profile("vpce", access={"attach": {"users": ["alice"], "groups": [], "roles": []},
                                           "effect": "deny"}), sagemaker(condition)).stopped_by_profile is True


@pytest.mark.parametrize("name", ["subnet", "vpce", "source-ip", "vpc-source-ip"])
def test_the_profiles_own_condition_still_counts_as_inside(name: str) -> None:
    """No false alarm: the profile's own policy, or another grant with the same condition, opens Studio only
    inside the boundary."""
    from wizard import policies

    p = profile(name, access={"attach": {"users": ["alice"], "groups": [], "roles": []}})
    document = policies.identity_policy_for(p, partition="aws", account="111122223333",
                                            vpce_ids=["vpce-0123456789abcdef0"])
    assert document is not None
    same = {**document["Statement"][0], "Sid": "SameCondition", "Action": "sagemaker:*"}
    access = _access(p, same)
    assert access.from_anywhere is False and access.stopped_by_profile is True and access.outside is None, access


def test_a_grant_on_vpc_source_ip_alone_within_the_profiles_ranges_is_outside_from_another_vpc() -> None:
    """Trial 17: vpc-source-ip mode admits its ranges through the profile's VPC only (aws:SourceVpc); a grant on
    aws:VpcSourceIp alone, within those ranges, admits the same addresses through any other VPC (another
    account's, a peered one), and went unreported. The request through another VPC carries a neutral address
    unless the policies name one (the profile's VPC's read as a mistake)."""
    p = profile("vpc-source-ip", access={"attach": {"users": ["alice"], "groups": [], "roles": []}})
    inside = p.access.cidrs[0]
    access = _access(p, sagemaker({"IpAddress": {"aws:VpcSourceIp": inside}}))
    assert access.from_anywhere is True and access.stopped_by_profile is False, access
    assert access.outside is not None and access.outside["aws:SourceVpc"] != p.vpc_id, access.outside
    foreign = _access(profile("subnet", access={"attach": {"users": ["alice"], "groups": [], "roles": []}}),
                      sagemaker({"StringEquals": {"aws:SourceVpc": "vpc-0ther0000000000000"}}))
    assert foreign.outside is not None and foreign.outside["aws:VpcSourceIp"] == iam_eval.FOREIGN_VPC_ADDRESS


def test_a_grant_from_a_range_inside_the_profiles_own_ranges_is_inside() -> None:
    p = profile("source-ip", access={"cidrs": ["198.51.100.0/24"], "attach": {"users": ["alice"], "groups": [],
                                                                             "roles": []}})
    assert _access(p, sagemaker({"IpAddress": {"aws:SourceIp": "198.51.100.0/25"}})).from_anywhere is False
    wider = _access(p, sagemaker({"IpAddress": {"aws:SourceIp": "198.51.0.0/16"}}))
    assert wider.from_anywhere is True and wider.outside is not None
    assert wider.outside["aws:SourceIp"].startswith("198.51.") and not wider.outside["aws:SourceIp"].startswith(
        "198.51.100.")
