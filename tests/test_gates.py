"""The engine owns every gate (issue 8): the plan carries its confirmations, the account guard and the region;
the session invalidates the plan on any answer change, never applies by navigation, saves safely."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

import pytest

from conftest import profile
from wizard.discovery import discover, observe
from wizard.errors import InvalidInput, Refused
from wizard.planner import plan
from wizard.session import WizardSession, load_recovery

LOCKOUT = {"attach": {"users": [], "groups": ["platform-admins"], "roles": []}}


def test_plan_carries_the_self_lockout_confirmation(cloud) -> None:  # noqa: ANN001
    p = profile(access=LOCKOUT)
    result = plan(observe(cloud, p), p)
    assert [(c.code, c.flag) for c in result.confirmations] == [("self_lockout", "--confirm-self-lockout")]
    assert plan(observe(cloud, profile()), profile()).confirmations == ()


def test_assumed_role_caller_among_the_roles_needs_the_confirmation(cloud) -> None:  # noqa: ANN001
    p = profile(access={"attach": {"users": [], "groups": [], "roles": ["StudioUsers"]}})
    inv = observe(cloud, p)
    role_caller = dataclasses.replace(inv.caller, kind="assumed-role", name="StudioUsers", groups=())
    result = plan(dataclasses.replace(inv, caller=role_caller), p)
    assert [c.code for c in result.confirmations] == ["self_lockout"]


def test_account_guard_mismatch_is_a_plan_error(cloud) -> None:  # noqa: ANN001
    p = profile(account_id="999999999999")
    assert "account_mismatch" in [e.code for e in plan(observe(cloud, p), p).errors]


def test_region_contradiction_is_a_plan_error(cloud) -> None:  # noqa: ANN001
    p = profile()
    inv = dataclasses.replace(observe(cloud, p), region="eu-west-1")
    assert "region_mismatch" in [e.code for e in plan(inv, p).errors]


# ---------------------------------------------------------------- the session


@pytest.fixture
def session(cloud) -> WizardSession:  # noqa: ANN001
    s = WizardSession(lambda: cloud)
    s.connect()
    return s


def _ready(s: WizardSession, **access: object) -> None:
    p = profile()
    s.select_vpc(p.vpc_id)
    s.answers["subnet_ids"] = list(p.subnet_ids)
    s.select_domain(p.domain_id)
    s.answers["access"]["attach"] = {"users": ["alice"], "groups": [], "roles": []}
    s.answers["access"].update(access)


def test_any_answer_change_invalidates_the_plan(session) -> None:  # noqa: ANN001
    _ready(session)
    session.build_plan()
    assert session.plan is not None
    session.answers["access"]["attach"]["users"].append("bob")  # any route: a direct edit
    assert session.plan is None


def test_navigation_never_reaches_apply(session) -> None:  # noqa: ANN001
    _ready(session)
    session.step = session_index("preview")
    session.build_plan()
    assert not session.next() and session.current == "preview"
    assert not session.goto("apply") and session.current == "preview"
    session.step = session_index("save")
    assert session.back() and session.current == "preview"  # Save then Back skips Apply


def session_index(name: str) -> int:
    from wizard.steps import NAMES

    return NAMES.index(name)


def test_only_the_reviewed_plan_is_confirmed(session) -> None:  # noqa: ANN001
    _ready(session)
    session.step = session_index("preview")
    stale = session.build_plan()
    session.answers["name"] = "other"
    with pytest.raises(Refused):
        session.confirmed_apply(stale)


def test_only_the_preview_step_confirms_an_apply(session) -> None:  # noqa: ANN001
    """The plan on the Preview, confirmed from any other step (Save, or a step jumped to), is refused."""
    _ready(session)
    session.step = session_index("preview")
    reviewed = session.build_plan()
    for step in ("save", "access"):
        session.step = session_index(step)
        assert session.plan is reviewed
        with pytest.raises(Refused):
            session.confirmed_apply(reviewed)
        assert session.current == step and session.result is None
    session.step = session_index("preview")
    session.confirmed_apply(reviewed)
    assert session.current == "apply"


def test_sso_domain_sets_access_mode_none_with_the_reason(cloud) -> None:  # noqa: ANN001
    s = WizardSession(lambda: cloud)
    inv = s.connect()
    sso = next(d for d in inv.domains if d.auth_mode == "SSO")
    s.select_vpc(sso.vpc_id)
    s.select_domain(sso.id)
    assert s.answers["access"]["mode"] == "none"
    assert "IAM Identity Center" in s.notes["access"]
    assert "IAM Identity Center" in s.set_mode("vpce") and s.answers["access"]["mode"] == "none"


def test_vpc_only_domain_ticks_the_endpoints_it_needs(session) -> None:  # noqa: ANN001
    _ready(session)
    assert session.domain is not None and session.domain.network_mode == "VpcOnly"
    assert set(session.answers["endpoints"]["extra"]) >= {"sts", "logs", "s3", "sagemaker.runtime"}
    assert "VpcOnly" in session.notes["endpoints"]


def test_vpc_only_defaults_plan_without_readiness_warnings(session) -> None:  # noqa: ANN001
    _ready(session)
    result = session.build_plan()
    assert not [w.code for w in result.warnings if w.code.startswith("readiness_")]


def test_save_refuses_a_missing_folder_and_asks_before_overwriting(session, tmp_path: Path) -> None:  # noqa: ANN001
    _ready(session)
    with pytest.raises(InvalidInput, match="does not exist"):
        session.save(tmp_path / "nope" / "p.yaml")
    assert not (tmp_path / "nope").exists()
    target = tmp_path / "p.yaml"
    session.save(target)
    with pytest.raises(FileExistsError):
        session.save(target)
    session.save(target, overwrite=True)


def test_default_save_path_is_never_an_example_profile(cloud) -> None:  # noqa: ANN001
    s = WizardSession(lambda: cloud, preload=profile())
    assert s.default_save_path() == f"./{profile().name}.yaml"


def test_replay_command_includes_the_confirmation_flags_it_needs(session, tmp_path: Path) -> None:  # noqa: ANN001
    _ready(session, attach={"users": [], "groups": ["platform-admins"], "roles": []})
    session.build_plan()
    session.save(tmp_path / "p.yaml")
    assert "--confirm-self-lockout" in session.replay_command()
    # and the hint says what that flag says yes to (trial 16: a copy-paste that accepted the lockout, unsaid)
    assert session.replay_note() == ("\n--confirm-self-lockout confirms in advance that you are among the attach "
                                     "targets and lose opening Studio from outside the boundary; without it, apply "
                                     "asks, or refuses with no terminal.")  # a line of its own, under the command
    assert session.quit_message().endswith(session.replay_command() + session.replay_note())  # said where shown
    _ready(session, attach={"users": ["alice"], "groups": [], "roles": []})
    session.build_plan()
    assert session.replay_note() == ""


def test_recovery_profile_is_private_and_resumes(session, tmp_path: Path) -> None:  # noqa: ANN001
    _ready(session)
    path = session.save_recovery(tmp_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    answers = load_recovery(path)
    assert answers is not None and answers["vpc_id"] == session.answers["vpc_id"]
    resumed = WizardSession(session.cloud_factory, preload=answers)
    assert resumed.answers["subnet_ids"] == session.answers["subnet_ids"]


def test_discovery_builds_no_cloud_before_it_runs() -> None:
    built: list[int] = []
    WizardSession(lambda: built.append(1))
    assert built == []  # the cloud (and the demo sandbox) is made in the discovery worker, after the first paint


def test_the_whole_account_is_discovered_read_only(cloud, calls) -> None:  # noqa: ANN001
    discover(cloud)
    assert calls.mutating == []


# ---------------------------------------------------------------- who can open Studio (issue 12, in the wizard)

def _review(s: WizardSession) -> bool:
    plan_, access = s.review_for(s.profile())
    return s.planned(plan_, access)


def test_preview_pre_selects_deny_when_an_attach_target_stays_open_and_says_why(session) -> None:  # noqa: ANN001
    _ready(session, attach={"users": [], "groups": [], "roles": ["MLEngineers"]})
    assert _review(session) is False  # the answers moved: a new plan is needed
    assert session.answers["access"]["effect"] == "deny"
    assert "MLEngineers" in session.notes["effect"] and "SageMakerFullAccessCopy" in session.notes["effect"]
    assert _review(session) is True and session.plan is not None
    assert session.plan.profile.access.effect == "deny"
    assert "restriction_ineffective" not in {w.code for w in session.plan.warnings}


def test_the_access_note_follows_the_effect_chosen_after_the_switch_to_deny(session) -> None:  # noqa: ANN001
    """A trial (13): the wizard switched the effect to deny, the user chose allow again, and the Access step still
    said "Switched to the deny guardrail." The note then says only why deny was recommended (who keeps Studio open
    with allow); deny chosen by the user is no switch of the wizard's (the Preview's "switched" line goes too)."""
    _ready(session, attach={"users": [], "groups": [], "roles": ["MLEngineers"]})
    assert _review(session) is False and session.notes["effect"].startswith("Switched to the deny guardrail. ")
    session.choose_effect("allow")
    note = session.notes["effect"]
    assert "Switched" not in note and note.startswith("With effect allow these attach targets could still open "
                                                      "Studio from outside") and "MLEngineers" in note, note
    session.choose_effect("deny")
    assert "effect" not in session.notes
    assert _review(session) is True and session.answers["access"]["effect"] == "deny"


def test_preview_never_overrides_an_effect_the_user_chose(session) -> None:  # noqa: ANN001
    _ready(session, attach={"users": [], "groups": [], "roles": ["MLEngineers"]})
    session.choose_effect("allow")
    assert _review(session) is True
    assert session.answers["access"]["effect"] == "allow"
    assert "restriction_ineffective" in {w.code for w in session.plan.warnings}  # type: ignore[union-attr]
    row = next(r for r in session.access_view.rows if r.name == "MLEngineers")  # type: ignore[union-attr]
    assert row.from_anywhere is True and row.stopped_by_profile is False


def test_no_switch_when_no_attach_target_is_affected(session) -> None:  # noqa: ANN001
    _ready(session)
    assert _review(session) is True and session.answers["access"]["effect"] == "allow"
    assert "effect" not in session.notes


def test_the_access_view_goes_with_the_plan_when_an_answer_changes(session) -> None:  # noqa: ANN001
    _ready(session)
    _review(session)
    assert session.access_view is not None
    session.answers["access"]["attach"]["users"].append("bob")
    assert session.access_view is None


def test_a_typed_profile_name_is_an_unsaved_answer() -> None:
    """Found by a trial: a name typed on the Connect step, then Ctrl+Q before any VPC was chosen, left without
    the Quit window or a recovery file (only a chosen VPC made a fresh session's answers unsaved)."""
    session = WizardSession(lambda: None, demo=True)  # type: ignore[arg-type,return-value]
    assert not session.dirty  # nothing typed: leaving asks nothing
    session.answers["name"] = "studio-privax"
    assert session.dirty


def test_quit_asks_while_no_file_holds_what_the_last_apply_applied(session, tmp_path: Path) -> None:  # noqa: ANN001
    """Trial 18: apply (effect allow), change the answers back (deny), save them: Ctrl+Q quit at once, since a file
    had been saved, though no file held what AWS now was; the exit line paired the apply with that file. Quitting
    asks while the applied answers are in no file, and the line says the saved file differs from them."""
    _ready(session)
    session.goto("preview")
    session.build_plan()
    assert session.plan is not None and not session.plan.errors
    session.confirmed_apply(session.plan, answered=[c.code for c in session.plan.confirmations])
    assert session.apply(lambda _: None).ok
    session.answers["access"]["effect"] = "deny"  # not what was applied
    session.save(tmp_path / "other.yaml")
    assert not session.dirty and session.quit_asks  # saved, but not what AWS holds
    assert "Saved " in session.quit_message() and "It differs from what this session applied" in session.quit_message()
    # and the Quit window says so, not "the profile is not saved" (trial 19: the answers had just been saved)
    assert session.quit_changed().endswith(f"{tmp_path / 'other.yaml'} holds your answers since, not those applied: "
                                           "no file holds what AWS now is.")
    assert session.quit_title() == "Quit: what this session applied is in no file"
    session.answers["access"]["effect"] = "allow"
    session.save(tmp_path / "applied.yaml")  # now a file holds it: no question
    assert not session.quit_asks and "It differs" not in session.quit_message()
    assert session.quit_title() == "Quit: your answers are not saved"  # (shown only when it asks)


def test_the_replay_hint_of_a_stack_deployment_says_how_to_deploy_it(session, aws, tmp_path: Path) -> None:  # noqa: ANN001
    """Trial 18: a profile saved for a Terraform deployment got 'Replay it with: studio-vpce apply ... --yes', which
    apply refuses (deployed_by_stack). The hint says so, with the export command and terraform apply."""
    from wizard.discovery import discover

    _ready(session)
    session.goto("preview")
    session.build_plan()
    assert session.plan is not None
    session.confirmed_apply(session.plan, answered=[c.code for c in session.plan.confirmations])
    assert session.apply(lambda _: None).ok
    ec2 = aws.client("ec2")
    mine = [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]
            if {"Key": "studio-vpce:profile", "Value": session.answers["name"]} in e.get("Tags", [])]
    assert mine
    ec2.create_tags(Resources=mine, Tags=[{"Key": "studio-vpce:deployed-by", "Value": "terraform"}])
    session.inventory = discover(session.cloud)
    session.save(tmp_path / "stack.yaml")
    note = session.replay_note()
    assert note.startswith("\nThis profile's deployment here was made by Terraform from an export: apply refuses"), note
    assert "--format terraform --out FILE" in note and note.endswith("`terraform apply`.")


def test_after_a_failed_or_refused_apply_quit_save_saves_a_profile_not_incomplete_answers(
        session, tmp_path: Path) -> None:  # noqa: ANN001
    """To verify (a report): after a failed apply, Quit > Save might say the answers are 'not complete'. The
    answers that were planned and applied are a profile: Save is reachable from Apply (the Quit window offers
    Save, not Keep), nothing blocks it, and it saves them, whether the apply stopped on an AWS error or was
    refused as stale."""
    from botocore.awsrequest import AWSResponse

    def refused(**_: object) -> tuple[AWSResponse, dict]:
        return AWSResponse("https://ec2.us-west-2.amazonaws.com/", 400, {}, None), {  # type: ignore[arg-type]
            "Error": {"Code": "VpcEndpointLimitExceeded", "Message": "The maximum number of VPC endpoints has been "
                      "reached."}, "ResponseMetadata": {"HTTPStatusCode": 400}}

    _ready(session)
    session.goto("preview")
    session.build_plan()
    assert session.plan is not None and not session.plan.errors
    session.confirmed_apply(session.plan, answered=[c.code for c in session.plan.confirmations])
    session.cloud.on("before-call.ec2.CreateVpcEndpoint", refused)
    result = session.apply(lambda _: None)
    assert not result.ok and session.current == "apply" and session.quit_asks
    assert session.reachable("save") and session.blocking("save") == ""
    assert session.goto("save") and session.current == "save"
    saved = session.save(tmp_path / "after-failure.yaml")
    assert saved.exists() and not session.dirty
    # refused as stale (the worker raised; no result): the same
    session.to_preview()
    session.build_plan()
    assert session.plan is not None
    session.confirmed_apply(session.plan, answered=[c.code for c in session.plan.confirmations])
    session.plan = dataclasses.replace(session.plan, fingerprint="sha256:moved")
    with pytest.raises(Refused):
        session.execute(session.plan, lambda _: None)  # type: ignore[arg-type]
    assert session.current == "apply" and session.result is None
    assert session.reachable("save") and session.blocking("save") == ""
