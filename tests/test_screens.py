"""The Textual wizard, driven by key presses through Pilot, in demo mode (SPEC 1, 10; issue: wizard)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, DataTable, Input, SelectionList, Static

from screens.app import WizardApp
from wizard import sandbox
from wizard.cloud import Cloud
from wizard.discovery import observe
from wizard.profiles import dump, load
from wizard.session import WizardSession


@pytest.fixture
def session():  # noqa: ANN201
    yield WizardSession(lambda: _demo_cloud(), demo=True)
    sandbox.stop()


def _demo_cloud() -> Cloud:
    cloud = Cloud("us-west-2", session=sandbox.start(), demo=True)
    cloud.poll_interval = 0.0
    return cloud


async def settle(app, pilot) -> None:  # noqa: ANN001
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot, text: str) -> None:  # noqa: ANN001
    for char in text:
        await pilot.press(char if char != " " else "space")


async def choose_research_vpc(app, pilot) -> None:  # noqa: ANN001
    await settle(app, pilot)
    assert app.session.current == "connect"
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    assert app.session.current == "vpc"
    await type_text(pilot, "research")  # the filter has focus
    await pilot.press("tab", "enter")  # to the table; Enter chooses the highlighted VPC
    await settle(app, pilot)


async def choose_subnets(app, pilot) -> None:  # noqa: ANN001
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    assert app.session.current == "subnets"
    await pilot.press("enter", "down", "enter")  # us-west-2a, then the second one in 2a: refused
    await pilot.press("down", "enter")  # us-west-2b
    await settle(app, pilot)


async def walk_to_access(app, pilot) -> None:  # noqa: ANN001
    await choose_research_vpc(app, pilot)
    await choose_subnets(app, pilot)
    await pilot.press("ctrl+n")  # domain: the only domain in the VPC is chosen already
    await settle(app, pilot)
    assert app.session.current == "domain" and app.session.answers["domain_id"] == "d-research"
    await pilot.press("ctrl+n")  # endpoints: defaults
    await settle(app, pilot)
    assert app.session.current == "endpoints"
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    assert app.session.current == "access"


async def pick_mode(app, pilot, mode: str) -> None:  # noqa: ANN001
    modes = ["subnet", "vpce", "source-ip", "vpc-source-ip", "none"]
    await pilot.click("#mode")
    current = modes.index(app.session.answers["access"]["mode"])
    target = modes.index(mode)
    for _ in range(abs(target - current)):
        await pilot.press("down" if target > current else "up")
    await pilot.press("enter")
    await settle(app, pilot)


async def attach_user(app, pilot, name: str) -> None:  # noqa: ANN001
    await pilot.click("#principal-filter")
    await type_text(pilot, name)
    await pilot.click("#users")
    await pilot.press("space")
    await settle(app, pilot)


async def preview_apply_save(app, pilot, path: Path) -> None:  # noqa: ANN001
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    assert app.session.current == "preview"
    assert app.session.plan is not None and not app.session.plan.errors, app.session.plan.errors
    await pilot.click("#apply-button")
    await settle(app, pilot)
    assert app.session.current == "apply"
    assert app.session.result is not None and app.session.result.ok, app.session.result
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    assert app.session.current == "save"
    path_input = app.query_one("#path", Input)
    path_input.value = ""
    await pilot.click("#path")
    await type_text(pilot, str(path))
    await pilot.press("enter")
    await settle(app, pilot)


CASES = [("vpce", ""), ("subnet", ""), ("source-ip", "198.51.100.0/24"), ("vpc-source-ip", "10.20.1.0/24")]


@pytest.mark.parametrize(("mode", "cidrs"), CASES, ids=[c[0] for c in CASES])
async def test_whole_flow_by_keys_saves_the_profile_and_applies_it(session, tmp_path: Path, mode: str, cidrs: str) -> None:  # noqa: ANN001
    app = WizardApp(session)
    target = tmp_path / f"{mode}.yaml"
    async with app.run_test(size=(120, 40)) as pilot:
        await walk_to_access(app, pilot)
        await pick_mode(app, pilot, mode)
        if cidrs:
            await pilot.click("#cidrs")
            await type_text(pilot, cidrs)
        await attach_user(app, pilot, "alice")
        await preview_apply_save(app, pilot, target)
        assert session.saved_path == target
    saved = load(target)
    if mode == "vpce":  # the plain prompts must produce exactly this for the same answers (test_prompts.py)
        assert dump(saved) == dump(load(Path(__file__).parent / "data" / "tui-vpce.yaml"))
    assert saved.access.mode == mode
    assert saved.subnet_ids == ["subnet-1c535523a350b2a6d", "subnet-fcae4f85ccdd1756c"]
    assert saved.access.attach.users == ["alice"]
    assert saved.access.cidrs == ([cidrs] if cidrs else [])
    live = observe(session.cloud, saved)
    assert len([e for e in live.endpoints if e.vpc_id == saved.vpc_id]) == 6  # studio, api + VpcOnly extras
    assert live.policy is not None and live.policy.users == ("alice",)


async def test_second_subnet_in_the_same_az_cannot_be_chosen(session) -> None:  # noqa: ANN001
    app = WizardApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await choose_research_vpc(app, pilot)
        await choose_subnets(app, pilot)
        assert "subnet-d2c4c194b1dbc4b3d" not in session.answers["subnet_ids"]
        table = app.query_one("#subnet-table", DataTable)
        assert "one subnet per AZ" in str(table.get_row("subnet-d2c4c194b1dbc4b3d")[3])
        assert "not offered" in str(table.get_row("subnet-7931cee1f1c5bf80b")[3])


async def test_back_navigation_keeps_answers(session) -> None:  # noqa: ANN001
    app = WizardApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await walk_to_access(app, pilot)
        await pick_mode(app, pilot, "subnet")
        for _ in range(4):
            await pilot.press("ctrl+b")
            await settle(app, pilot)
        assert session.current == "vpc"
        for _ in range(4):
            await pilot.press("ctrl+n")
            await settle(app, pilot)
        assert session.current == "access"
        assert session.answers["access"]["mode"] == "subnet"
        assert session.answers["subnet_ids"] == ["subnet-1c535523a350b2a6d", "subnet-fcae4f85ccdd1756c"]


async def test_invalid_cidr_blocks_next(session) -> None:  # noqa: ANN001
    app = WizardApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await walk_to_access(app, pilot)
        await pick_mode(app, pilot, "source-ip")
        await pilot.click("#cidrs")
        await type_text(pilot, "10.0.0.1/8")
        await settle(app, pilot)
        assert app.query_one("#next", Button).disabled
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert session.current == "access"
        await pilot.press(*["backspace"] * 10)
        await type_text(pilot, "10.0.0.0/8")  # valid CIDR, but private: aws:SourceIp never matches it
        await settle(app, pilot)
        assert app.query_one("#next", Button).disabled
        await pilot.press(*["backspace"] * 10)
        await type_text(pilot, "198.51.100.0/24")
        await settle(app, pilot)
        assert not app.query_one("#next", Button).disabled


async def test_self_lockout_is_shown_when_the_caller_is_a_target(session) -> None:  # noqa: ANN001
    app = WizardApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await walk_to_access(app, pilot)
        await pilot.click("#principal-filter")
        await type_text(pilot, "platform")
        await pilot.click("#groups")
        await pilot.press("space")
        await settle(app, pilot)
        assert "among the attach targets" in str(app.query_one("#lockout").render())


async def test_save_without_applying_from_the_preview(session, tmp_path: Path) -> None:  # noqa: ANN001
    app = WizardApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await walk_to_access(app, pilot)
        await attach_user(app, pilot, "bob")
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        await pilot.click("#save-only")
        await settle(app, pilot)
        assert session.current == "save" and session.result is None
        app.query_one("#path", Input).value = str(tmp_path / "review.yaml")
        await pilot.click("#save-button")
        await settle(app, pilot)
    assert load(tmp_path / "review.yaml").access.attach.users == ["bob"]
    assert observe(session.cloud, load(tmp_path / "review.yaml")).policy is None  # nothing applied


async def test_preloaded_profile_opens_with_its_answers(tmp_path: Path) -> None:
    preload = load(Path(__file__).parent.parent / "profiles" / "subnet.yaml")
    session = WizardSession(lambda: _demo_cloud(), preload=preload, demo=True)
    app = WizardApp(session)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            assert session.answers["vpc_id"] == preload.vpc_id
            for _ in range(5):
                await pilot.press("ctrl+n")
                await settle(app, pilot)
            assert session.current == "access" and session.answers["access"]["mode"] == "subnet"
            users = app.query_one("#users", SelectionList)
            assert set(users.selected) == {"alice", "bob"}
    finally:
        sandbox.stop()


async def test_preview_has_an_export_tab_with_the_three_formats(session) -> None:  # noqa: ANN001
    app = WizardApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await walk_to_access(app, pilot)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        await pilot.click("#--content-tab-tab-export")  # the tab label
        await settle(app, pilot)
        assert "AWSTemplateFormatVersion" in app.query_one("#export-text", Static).content.code
        await pilot.click("#export-terraform")
        await settle(app, pilot)
        assert "aws_vpc_endpoint" in app.query_one("#export-text", Static).content.code


async def test_a_failed_apply_offers_retry_which_converges(session) -> None:  # noqa: ANN001
    import botocore.exceptions

    app = WizardApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await walk_to_access(app, pilot)
        await attach_user(app, pilot, "alice")
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        failures = {"left": 1}

        def flaky(**_):  # noqa: ANN003, ANN202
            if failures["left"]:
                failures["left"] -= 1
                raise botocore.exceptions.EndpointConnectionError(endpoint_url="https://iam.amazonaws.com")

        session.cloud.on("before-call.iam.CreatePolicy", flaky)
        await pilot.click("#apply-button")
        await settle(app, pilot)
        assert session.result is not None and not session.result.ok
        assert app.query_one("#retry").display and not app.applying
        assert "iam_policy.access" in session.result.not_done
        await pilot.click("#retry")
        await settle(app, pilot)
        assert session.result.ok
        live = observe(session.cloud, session.profile())
        assert live.policy is not None and live.policy.users == ("alice",)
        assert len([e for e in live.endpoints if e.vpc_id == session.answers["vpc_id"]]) == 6  # no duplicates


async def test_help_and_demo_label(session) -> None:  # noqa: ANN001
    app = WizardApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "DEMO" in str(app.query_one("#step-title").render())
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ != "HelpScreen"
