"""One validator per input rule (wizard/validators.py), and the planner and the wizard agree on each (issue 8)."""

from __future__ import annotations

import re

import pytest

from conftest import profile
from wizard import validators
from wizard.models import Caller, Service, Subnet
from wizard.modes import ALIASES, MODES
from wizard.planner import plan


def test_cidr_with_host_bits_set_names_the_fix() -> None:
    assert validators.cidr("10.20.1.5/24") == "10.20.1.5/24: host bits set: did you mean 10.20.1.0/24?"


def test_cidr_prefix_out_of_range_is_refused() -> None:
    assert "is not a CIDR block" in (validators.cidr("10.8.0.0/33") or "")


def test_cidr_for_the_whole_internet_is_refused() -> None:
    assert "whole internet" in (validators.cidr("0.0.0.0/0") or "")


@pytest.mark.parametrize(("text", "ipv4"), [("::ffff:0.0.0.0/96", "0.0.0.0/0"), ("::ffff:10.0.0.0/104", "10.0.0.0/8"),
                                           ("::ffff:c000:200/120", "192.0.2.0/24")])
def test_an_ipv4_range_written_as_ipv6_is_refused_with_the_ipv4_form(text: str, ipv4: str) -> None:
    """Trial 14: ::ffff:0.0.0.0/96 (0.0.0.0/0 written as IPv6) passed the whole-internet check, and a mapped 10/8
    the not-public check: every check of a range is the IPv4 one for these, so they are written as IPv4."""
    assert validators.cidr(text) == f"{text} is the IPv4 range {ipv4} written as IPv6: write {ipv4}"
    assert validators.cidr("2001:db8::/32") is None  # other IPv6 ranges as before


@pytest.mark.parametrize("text", ["10.0.0.0/8", "172.16.4.0/24", "192.168.1.0/24", "100.64.0.0/10",
                                  "198.18.0.0/15", "198.19.1.0/24", "169.254.0.0/16", "fd00::/8"])
def test_private_and_reserved_ranges_are_not_public(text: str) -> None:
    assert "not a public range" in (validators.public_cidr(text) or "")


@pytest.mark.parametrize("text", ["8.8.8.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"])
def test_public_ranges_are_accepted(text: str) -> None:
    assert validators.public_cidr(text) is None


def test_planner_and_wizard_share_the_public_range_rule(cloud, demo_ids) -> None:  # noqa: ANN001
    """198.18.0.0/15 (benchmarking) used to be refused by one and accepted by the other."""
    from wizard.discovery import observe

    p = profile("source-ip", access={"cidrs": ["198.18.0.0/15"]})
    result = plan(observe(cloud, p), p)
    assert [e.code for e in result.errors if e.code == "cidr_not_public"] == ["cidr_not_public"]
    assert validators.public_cidr("198.18.0.0/15") is not None


def test_cidr_inside_vpc_rule() -> None:
    assert validators.cidr_in_vpc("10.20.1.0/24", ["10.20.0.0/16"]) is None
    assert "is not inside vpc-1" in (validators.cidr_in_vpc("8.8.8.0/24", ["10.20.0.0/16"], "vpc-1") or "")


def test_profile_name_rule() -> None:
    assert validators.profile_name("research-private") is None
    assert "1-40 of lowercase" in (validators.profile_name("Research") or "")
    assert "1-40 of lowercase" in (validators.profile_name("") or "")
    assert validators.profile_name("a" * 41) is not None


def test_az_support_prefers_zone_ids_over_names() -> None:
    subnet = Subnet("subnet-1", "vpc-1", "10.0.0.0/24", "us-west-2a", "usw2-az9", 250)
    by_id = Service("com.amazonaws.us-west-2.sagemaker.api", ("us-west-2a",), ("usw2-az1",))
    assert "usw2-az9 is not offered" in (validators.az_support(subnet, [by_id]) or "")
    by_name = Service("svc", ("us-west-2a",), None)
    assert validators.az_support(subnet, [by_name]) is None


@pytest.mark.parametrize(("caller", "attach", "locked"), [
    (Caller("1", "arn:aws:iam::1:user/alice", "user", "alice"), {"users": ["alice"], "groups": [], "roles": []}, True),
    (Caller("1", "arn", "user", "bob", ("admins",)), {"users": [], "groups": ["admins"], "roles": []}, True),
    (Caller("1", "arn:aws:sts::1:assumed-role/Ops/s", "assumed-role", "Ops"),
     {"users": [], "groups": [], "roles": ["Ops"]}, True),
    (Caller("1", "arn", "user", "bob"), {"users": ["alice"], "groups": [], "roles": ["bob"]}, False),
])
def test_self_lockout_rule_covers_users_groups_and_assumed_roles(caller, attach, locked) -> None:  # noqa: ANN001
    assert validators.self_lockout(caller, attach) is locked


def test_access_modes_come_from_one_table() -> None:
    assert [m.name for m in MODES] == ["subnet", "vpce", "source-ip", "vpc-source-ip", "none"]
    assert {m.name for m in MODES if m.needs_cidrs} == {"source-ip", "vpc-source-ip"}
    assert ALIASES["sourcevpce"] == "vpce"
    from wizard.models import Access

    assert Access.model_validate({"mode": "SourceIp"}).mode == "source-ip"


def test_studio_endpoint_policy_without_create_app_stops_the_endpoints_step() -> None:
    """One home for the rule (steps.endpoint_policy_error, the plan's lint applied to the chosen presets): the
    Endpoints step's check, which the TUI's Next and --plain's question both call, says it in the plan's words;
    no policy at all (AWS's full access) and an API policy without CreateApp are fine."""
    from wizard.session import WizardSession
    from wizard.steps import endpoint_policy_error

    session = WizardSession(lambda: None)
    assert session.check("endpoints") == (True, "")
    session.answers["endpoint_policy"] = {"studio": ["presigned-url"], "api": ["presigned-url"]}
    ok, reason = session.check("endpoints")
    assert not ok and "must allow sagemaker:CreateApp" in reason
    assert endpoint_policy_error(session, "api") is None
    session.answers["endpoint_policy"]["studio"] = []
    assert session.check("endpoints") == (True, "")


def test_the_subnets_step_says_a_key_that_ticks_a_row_in_every_front_end() -> None:
    """Found by a trial: --plain said "(Enter or Space on its row)", the TUI's keys: there Enter goes on."""
    from wizard.session import WizardSession

    assert WizardSession(lambda: None).check("subnets") == (False, "choose at least one subnet (Space ticks its row)")


def test_the_subnets_step_says_its_vpc_is_gone_after_discovery_runs_again() -> None:
    """Trial 14 N11: the VPC deleted with the aws CLI, then "Re-run discovery": the Subnets step said "choose at
    least one subnet" over an empty table, and the ticks were silently gone. It names the VPC and its subnets."""
    from wizard.models import Caller, Inventory
    from wizard.session import WizardSession

    session = WizardSession(lambda: None)
    session.answers.update(vpc_id="vpc-0aaaaaaaaaaaaaaaa", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"])
    session.inventory = Inventory(account_id="123456789012", region="us-west-2", partition="aws",
                                  caller=Caller("123456789012", "arn:aws:iam::123456789012:user/admin", "user", "admin"))
    said = ("VPC vpc-0aaaaaaaaaaaaaaaa does not exist in us-west-2 (the subnets ticked in it, subnet-0aaaaaaaaaaaaaaaa, "
            "subnet-0bbbbbbbbbbbbbbbb, went with it): choose a VPC on the VPC step")
    assert session.check("subnets") == (False, said)


@pytest.mark.parametrize("text", ["0.0.0.0/1", "128.0.0.0/1", "64.0.0.0/3", "::/1", "8000::/2"])
def test_https_sources_wider_than_any_private_range_are_refused(text: str) -> None:
    """Found by a trial: only /0 was refused; 0.0.0.0/1 and 128.0.0.0/1 together opened 443 to everyone."""
    assert "is wider than any private range" in (validators.https_source_cidr(text) or "")
    from wizard.steps import SG_CIDRS

    assert "is wider than any private range" in (SG_CIDRS.validate(None, f"10.8.0.0/16, {text}") or "")
    with pytest.raises(ValueError, match="is wider than any private range"):  # the profile loader's model too
        profile(security_group={"allow_from_cidrs": [text]})


@pytest.mark.parametrize("text", ["10.0.0.0/8", "172.16.0.0/12", "fc00::/7", "203.0.113.0/24"])
def test_https_sources_as_wide_as_a_private_range_are_accepted(text: str) -> None:
    assert validators.https_source_cidr(text) is None


def test_a_public_https_source_is_planned_with_a_warning_and_its_own_reason(cloud) -> None:  # noqa: ANN001
    from wizard.discovery import observe

    p = profile(security_group={"allow_from_cidrs": ["10.20.0.0/16", "203.0.113.0/24"]})
    result = plan(observe(cloud, p), p)
    warned = [w.message for w in result.warnings if w.code == "https_source_public"]
    assert len(warned) == 1 and warned[0].startswith("203.0.113.0/24 (an HTTPS source) is not a private range")
    reasons = {c.after["source"]: c.reason for c in result.changes if c.type == "security_group_rule"}
    assert reasons["203.0.113.0/24"] == "HTTPS from 203.0.113.0/24"  # was "HTTPS from Studio"


def test_whole_internet_rule_is_the_wizards_and_the_planners() -> None:
    """source-ip ranges that together cover every address restrict nothing: refused where typed (the Access
    step's CIDR input, by the same rule the planner uses as cidrs_admit_everyone)."""
    from wizard.session import WizardSession

    assert validators.whole_internet(["0.0.0.0/1", "128.0.0.0/1"])
    assert validators.whole_internet(["::/1", "8000::/1"])
    assert validators.whole_internet(["0.0.0.0/1", "192.0.2.0/24"]) is None
    session = WizardSession(lambda: None)
    session.answers["access"]["mode"] = "source-ip"
    assert "cover every IPv4 address" in (session.input_error("access_cidrs", "0.0.0.0/1, 128.0.0.0/1") or "")
    assert session.input_error("access_cidrs", "192.0.2.0/24") is None



@pytest.mark.parametrize(("key", "mode", "text", "repeat", "changes"), [
    ("sg_sources", "vpce", "sg-12345678, sg-87654321 sg-12345678", "sg-12345678",
     {"security_group": {"allow_from_security_groups": ["sg-12345678", "sg-87654321", "sg-12345678"]}}),
    ("sg_cidrs", "vpce", "10.8.0.0/16, fd00:AB::/32, fd00:ab::/32", "fd00:ab::/32",
     {"security_group": {"allow_from_cidrs": ["10.8.0.0/16", "fd00:AB::/32", "fd00:ab::/32"]}}),
    ("access_cidrs", "source-ip", "198.51.100.0/24, 198.51.100.0/24", "198.51.100.0/24",
     {"access": {"cidrs": ["198.51.100.0/24", "198.51.100.0/24"]}})])
def test_a_typed_list_that_names_an_item_twice_is_refused_where_it_is_typed(
        key: str, mode: str, text: str, repeat: str, changes: dict) -> None:  # type: ignore[type-arg]
    """Trial 13: the profile's lists name each item once (the loader's model refuses a repeat: a user listed twice
    crashed plan); the wizard's typed lists say so on their step, in the loader's words, not at the Preview."""
    from wizard.session import WizardSession

    session = WizardSession(lambda: None)
    session.answers["access"]["mode"] = mode
    assert (session.input_error(key, text) or "").endswith(f"lists {repeat} twice; name it once")
    with pytest.raises(ValueError, match=f"lists {re.escape(repeat)} twice"):  # the model the session builds with
        profile(mode, **changes)


def test_a_save_path_under_a_file_says_the_file_is_not_a_folder(tmp_path) -> None:  # noqa: ANN001
    """A trial (13): saving to `sp.yaml/x.yaml`, sp.yaml an existing file, said "the folder .../sp.yaml does not
    exist; create it first": it exists, as a file. Deeper too; a missing folder still says it does not exist."""
    from wizard.session import WizardSession

    (tmp_path / "sp.yaml").write_text("name: x\n")
    session = WizardSession(lambda: None)
    for path in (tmp_path / "sp.yaml" / "x.yaml", tmp_path / "sp.yaml" / "deeper" / "x.yaml"):
        for probe in (True, False):
            assert session.check_save_path(path, probe)[1] == \
                f"{path}: {tmp_path / 'sp.yaml'} is a file, not a folder; choose another path"
    missing = tmp_path / "nope" / "x.yaml"
    assert session.check_save_path(missing)[1] == (f"{missing}: the folder {tmp_path / 'nope'} does not exist; "
                                                   "create it first, or choose another path")
