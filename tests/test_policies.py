"""SPEC 4 (generated policies) and SPEC 5 (policy limits, checked locally)."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

from wizard import policies
from wizard.models import Finding

GUIDE_STATEMENT = {"Sid": "Enable SageMaker Studio Access", "Effect": "Allow",
                   "Action": ["sagemaker:CreatePresignedDomainUrl", "sagemaker:DescribeUserProfile"], "Resource": "*"}
# The AWS guide's four examples, verbatim (reference/aws-guide-studio-interface-endpoint.md).
GUIDE = {
    "subnet": {"Id": "sagemaker-studio-example-1", "Version": "2012-10-17", "Statement": [
        {**GUIDE_STATEMENT, "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-111bbaaa"}}}]},
    "vpce": {"Id": "sagemaker-studio-example-2", "Version": "2012-10-17", "Statement": [
        {**GUIDE_STATEMENT, "Condition": {"ForAnyValue:StringEquals": {
            "aws:sourceVpce": ["vpce-111bbccc", "vpce-111bbddd"]}}}]},
    "source-ip": {"Id": "sagemaker-studio-example-3", "Version": "2012-10-17", "Statement": [
        {**GUIDE_STATEMENT, "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}}]},
    "vpc-source-ip": {"Id": "sagemaker-studio-example-4", "Version": "2012-10-17", "Statement": [
        {**GUIDE_STATEMENT, "Condition": {"IpAddress": {"aws:VpcSourceIp": ["192.0.2.0/24", "203.0.113.0/24"]},
                                          "StringEquals": {"aws:SourceVpc": "vpc-111bbaaa"}}}]},
}
ARGS = {"partition": "aws", "region": "us-west-2", "account": "111122223333", "domain_id": "d-abcdefghijkl",
        "vpc_id": "vpc-111bbaaa", "vpce_ids": ["vpce-111bbccc", "vpce-111bbddd"],
        "cidrs": ["192.0.2.0/24", "203.0.113.0/24"]}


def _without_id_and_sid(document: dict) -> dict:
    document = copy.deepcopy(document)
    document.pop("Id", None)
    for statement in document["Statement"]:
        statement.pop("Sid", None)
    return document


def _with_single_valued_operator(document: dict) -> dict:
    """The guide's example 2 puts ForAnyValue: on aws:sourceVpce; we write StringEquals (the second difference)."""
    document = copy.deepcopy(document)
    for statement in document["Statement"]:
        condition = statement.get("Condition", {})
        if "ForAnyValue:StringEquals" in condition:
            condition["StringEquals"] = condition.pop("ForAnyValue:StringEquals")
    return document


@pytest.mark.parametrize("mode", list(GUIDE))
def test_generated_policy_matches_the_guides_example_except_the_sid_and_set_operator(mode: str) -> None:
    generated = policies.identity_policy(mode=mode, effect="allow", resource_scope="all", **ARGS)
    assert _without_id_and_sid(generated) == _without_id_and_sid(_with_single_valued_operator(GUIDE[mode]))
    assert generated["Statement"][0]["Sid"] == "EnableSageMakerStudioAccess"


@pytest.mark.parametrize("mode", list(GUIDE))
def test_the_guides_own_sid_is_rejected_and_ours_passes(mode: str) -> None:
    codes = [f.code for f in policies.lint_identity_policy(GUIDE[mode], "all")]
    assert "sid_invalid" in codes
    generated = policies.identity_policy(mode=mode, effect="allow", resource_scope="all", **ARGS)
    assert "sid_invalid" not in [f.code for f in policies.lint_identity_policy(generated, "all")]


# IAM reference ("Single-valued vs. multivalued condition keys"): set operators (ForAnyValue:/ForAllValues:)
# are for multivalued keys only; aws:sourceVpce is single-valued.
SINGLE_VALUED_KEYS = {"aws:SourceVpc", "aws:sourceVpce", "aws:SourceIp", "aws:VpcSourceIp"}


@pytest.mark.parametrize("effect", ["allow", "deny"])
@pytest.mark.parametrize("mode", list(GUIDE))
def test_single_valued_condition_keys_take_no_set_operator(mode: str, effect: str) -> None:
    generated = policies.identity_policy(mode=mode, effect=effect, resource_scope="domain", **ARGS)
    for statement in generated["Statement"]:
        for operator, keys in statement["Condition"].items():
            assert not operator.startswith(("ForAnyValue:", "ForAllValues:")), (operator, keys)
            assert set(keys) <= SINGLE_VALUED_KEYS


def test_vpce_mode_uses_string_equals_on_source_vpce() -> None:
    generated = policies.identity_policy(mode="vpce", effect="allow", resource_scope="domain", **ARGS)
    assert generated["Statement"][0]["Condition"] == {"StringEquals": {"aws:sourceVpce": ARGS["vpce_ids"]}}


def test_domain_scope_names_the_domains_user_profiles() -> None:
    doc = policies.identity_policy(mode="subnet", effect="allow", resource_scope="domain", **ARGS)
    assert doc["Statement"][0]["Resource"] == "arn:aws:sagemaker:us-west-2:111122223333:user-profile/d-abcdefghijkl/*"


def test_partition_is_used_in_arns() -> None:
    doc = policies.identity_policy(mode="subnet", effect="allow", resource_scope="domain",
                                   **{**ARGS, "partition": "aws-us-gov", "region": "us-gov-west-1"})
    assert doc["Statement"][0]["Resource"].startswith("arn:aws-us-gov:sagemaker:us-gov-west-1:")


@pytest.mark.parametrize(("mode", "denies"), [
    ("subnet", [("StringNotEquals", "aws:SourceVpc")]),
    ("vpce", [("StringNotEquals", "aws:sourceVpce")]),
    ("source-ip", [("NotIpAddress", "aws:SourceIp")]),
    ("vpc-source-ip", [("NotIpAddress", "aws:VpcSourceIp"), ("StringNotEquals", "aws:SourceVpc")]),
])
def test_deny_effect_adds_one_deny_statement_per_condition(mode: str, denies: list[tuple[str, str]]) -> None:
    doc = policies.identity_policy(mode=mode, effect="deny", resource_scope="domain", **ARGS)
    allow, *deny = doc["Statement"]
    assert allow["Effect"] == "Allow"
    assert [(next(iter(s["Condition"])), next(iter(next(iter(s["Condition"].values()))))) for s in deny] == denies
    assert all(s["Effect"] == "Deny" and s["Action"] == allow["Action"] for s in deny)


@pytest.mark.parametrize("mode", list(GUIDE))
@pytest.mark.parametrize("effect", ["allow", "deny"])
@pytest.mark.parametrize("scope", ["domain", "all"])
def test_every_generated_identity_policy_passes_parliament_and_our_limits(mode: str, effect: str, scope: str) -> None:
    doc = policies.identity_policy(mode=mode, effect=effect, resource_scope=scope, **ARGS)
    assert policies.lint_identity_policy(doc, scope) == []


@pytest.mark.parametrize("mode", ["source-ip", "vpc-source-ip"])
@pytest.mark.parametrize("effect", ["allow", "deny"])
def test_ipv6_ranges_of_ip_typed_keys_pass_the_lint(mode: str, effect: str) -> None:
    """Trial 13: IAM takes IPv6 in aws:SourceIp and aws:VpcSourceIp (IpAddress/NotIpAddress), but parliament's Ip
    pattern knows IPv4 only: `2001:db8::/32` was refused as parliament_mismatched_type."""
    cidrs = ["198.51.100.0/24", "2001:db8::/32", "2001:DB8:1234:5678::/64", "2001:db8::7"]
    doc = policies.identity_policy(mode=mode, effect=effect, resource_scope="domain", **{**ARGS, "cidrs": cidrs})
    assert policies.lint_identity_policy(doc, "domain") == []


@pytest.mark.parametrize("condition", [
    {"IpAddress": {"aws:SourceIp": ["2001:db8::/32", "2001:zz8::/32"]}},  # not an address: still parliament's
    {"NotIpAddress": {"aws:SourceIp": "2001:db8::/129"}},
    {"StringEquals": {"aws:SourceVpc": "2001:db8::/32"}, "IpAddress": {"aws:SourceIp": "vpc-111bbaaa"}}])
def test_only_valid_ipv6_values_of_ip_typed_keys_are_spared_parliaments_type_check(condition: dict) -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:DescribeUserProfile",
                                                   "Resource": "*", "Condition": condition}]}
    assert "parliament_mismatched_type" in [f.code for f in policies.parliament_findings(doc, allow_resource_star=True)]


def test_parliament_findings_are_reported() -> None:
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:NoSuchAction", "Resource": "*"}]}
    assert any(f.code.startswith("parliament_") for f in policies.parliament_findings(bad, allow_resource_star=True))


def test_parliament_verdict_is_cached_by_document_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A document parliament has judged is not judged again (no 10 MB import); a changed document is."""
    monkeypatch.setenv("STUDIO_VPCE_CACHE_DIR", str(tmp_path))
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:NoSuchAction", "Resource": "*"}]}
    fresh = policies.parliament_findings(bad, allow_resource_star=True)
    assert fresh and len(list((tmp_path / "lint").glob("*.json"))) == 1
    monkeypatch.setitem(sys.modules, "parliament", None)  # importing parliament now fails
    assert policies.parliament_findings(bad, allow_resource_star=True) == fresh
    changed = copy.deepcopy(bad)
    changed["Statement"][0]["Action"] = "sagemaker:AnotherMissingAction"
    with pytest.raises(ImportError):
        policies.parliament_findings(changed, allow_resource_star=True)


def test_a_false_ipv6_verdict_cached_by_an_earlier_version_is_not_reused(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The verdict is cached by the text parliament judges: an IPv6 document's, cached with the false
    MISMATCHED_TYPE before IPv6 values were judged as IPv4 (trial 13), is not found again."""
    import hashlib
    import json
    from importlib.metadata import version

    monkeypatch.setenv("STUDIO_VPCE_CACHE_DIR", str(tmp_path))
    doc = policies.identity_policy(mode="source-ip", effect="allow", resource_scope="domain",
                                   **{**ARGS, "cidrs": ["2001:db8::/32"]})
    old_key = hashlib.sha256(f"parliament {version('parliament')}\n{json.dumps(doc)}".encode()).hexdigest()
    (tmp_path / "lint").mkdir()
    (tmp_path / "lint" / f"{old_key}.json").write_text(json.dumps([["MISMATCHED_TYPE", "aws:SourceIp ... Ip"]]))
    assert policies.parliament_findings(doc, allow_resource_star=False) == []


def test_a_corrupt_or_disabled_lint_cache_falls_back_to_parliament(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_VPCE_CACHE_DIR", str(tmp_path))
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:NoSuchAction", "Resource": "*"}]}
    fresh = policies.parliament_findings(bad, allow_resource_star=True)
    for entry in (tmp_path / "lint").glob("*.json"):
        entry.write_text("{not json")
    assert policies.parliament_findings(bad, allow_resource_star=True) == fresh
    monkeypatch.setenv("STUDIO_VPCE_NO_CACHE", "1")
    monkeypatch.setitem(sys.modules, "parliament", None)
    with pytest.raises(ImportError):  # caching off: parliament judges every time
        policies.parliament_findings(bad, allow_resource_star=True)


def test_managed_policy_over_6144_characters_without_whitespace_is_an_error() -> None:
    cidrs = [f"198.51.{i // 256}.{i % 256}/32" for i in range(400)]
    doc = policies.identity_policy(mode="source-ip", effect="allow", resource_scope="all", **{**ARGS, "cidrs": cidrs})
    assert policies.minified_size(doc) > policies.MANAGED_POLICY_LIMIT
    assert "policy_too_large" in [f.code for f in policies.lint_identity_policy(doc, "all")]


def test_whitespace_does_not_count_toward_the_managed_policy_limit() -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject",
                                                    "Resource": "arn:aws:s3:::b/" + "x" * 6000}]}
    assert policies.minified_size(doc) <= policies.MANAGED_POLICY_LIMIT
    assert "policy_too_large" not in [f.code for f in policies.lint_identity_policy(doc, "all")]


def test_endpoint_policy_over_20480_characters_including_whitespace_is_an_error() -> None:
    doc = policies.endpoint_policy(["create-app"], partition="aws", region="us-west-2", account="1" * 12, domain_id="d-x")
    assert doc is not None
    doc["Statement"] += [copy.deepcopy(doc["Statement"][0]) for _ in range(120)]
    assert "endpoint_policy_too_large" in [f.code for f in policies.lint_endpoint_policy(doc, "studio")]


def test_endpoint_policy_statements_need_a_principal() -> None:
    doc = {"Statement": [{"Effect": "Allow", "Action": "sagemaker:CreateApp", "Resource": "*"}]}
    assert "endpoint_policy_principal" in [f.code for f in policies.lint_endpoint_policy(doc, "studio")]


def test_studio_endpoint_policy_without_create_app_is_an_error() -> None:
    doc = policies.endpoint_policy(["presigned-url"], partition="aws", region="us-west-2", account="1" * 12,
                                   domain_id="d-x")
    assert "studio_policy_needs_create_app" in [f.code for f in policies.lint_endpoint_policy(doc, "studio")]
    assert "studio_policy_needs_create_app" not in [f.code for f in policies.lint_endpoint_policy(doc, "api")]


def test_endpoint_presets_match_the_guide() -> None:
    doc = policies.endpoint_policy(["create-app", "presigned-url"], partition="aws", region="us-west-2",
                                   account="111122223333", domain_id="d-abc")
    assert doc is not None
    create_app, presigned = doc["Statement"]
    assert (create_app["Action"], create_app["Resource"], create_app["Principal"]) == (
        "sagemaker:CreateApp", "arn:aws:sagemaker:us-west-2:111122223333:app/d-abc/*", "*")
    assert (presigned["Action"], presigned["Resource"]) == (
        "sagemaker:CreatePresignedDomainUrl", "arn:aws:sagemaker:us-west-2:111122223333:user-profile/d-abc/*")


def test_no_presets_means_no_policy_document() -> None:
    assert policies.endpoint_policy([], partition="aws", region="us-west-2", account="1" * 12, domain_id="d-x") is None


def test_characters_outside_latin1_are_an_error() -> None:
    doc = {"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject",
                                                    "Resource": "arn:aws:s3:::bücket-\u2603"}]}
    assert Finding in (type(f) for f in policies.lint_identity_policy(doc, "all"))
    assert "policy_characters" in [f.code for f in policies.lint_identity_policy(doc, "all")]


def test_the_policy_description_names_no_range_so_an_edit_of_the_ranges_leaves_it_true() -> None:
    """Trial 14: the Description named the ranges; IAM never changes it, so after an edit of the ranges it named
    ranges no longer admitted (and a Terraform or CloudFormation stack replaced the policy to change it). It says
    what the mode does, the same for any list of ranges or extra endpoints, within IAM's 1000 characters."""
    from conftest import profile

    few = profile("source-ip")
    many = profile("source-ip", access={"cidrs": [f"198.51.{i // 256}.{i % 256}/32" for i in range(100)]})
    assert policies.access_description(few) == policies.access_description(many) == (
        "Open SageMaker Studio only from the public IP ranges the policy names (studio-vpce)")
    inside = profile("vpc-source-ip")
    assert policies.access_description(inside) == policies.access_description(
        profile("vpc-source-ip", access={"cidrs": ["10.20.1.0/24"]}))
    extra = profile("vpce", access={"extra_vpce_ids": ["vpce-0123456789abcdef0"]})
    assert policies.access_description(extra) == policies.access_description(profile("vpce"))
    assert all(len(policies.access_description(p)) <= policies.DESCRIPTION_LIMIT for p in (few, many, inside, extra))

