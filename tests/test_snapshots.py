"""SVG snapshots at 80x24 of every step and of the confirmation (pytest-textual-snapshot), reviewed by eye for
cut words. Update with --snapshot-update, then look at the SVGs."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from conftest import profile, workers_done
from screens.app import WizardApp
from wizard.session import WizardSession
from wizard.steps import NAMES


@pytest.fixture
def app(cloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WizardApp:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)
    return WizardApp(WizardSession(lambda: cloud, demo=True))


def _at(step: str, keys: tuple[str, ...] = ()):  # noqa: ANN202
    async def run_before(pilot) -> None:  # noqa: ANN001
        app = pilot.app
        for field in app.query(Input):
            field.cursor_blink = False  # a blinking cursor makes a snapshot depend on the moment it is taken
        while app.session.inventory is None:  # discovery starts after the first paint
            await pilot.pause(0.05)
        await workers_done(app)
        s = app.session
        if step != "connect":
            p = profile()
            s.select_vpc(p.vpc_id)
            s.answers["subnet_ids"] = list(p.subnet_ids)
            s.select_domain(p.domain_id)
            s.answers["access"]["attach"] = {"users": ["alice"], "groups": ["platform-admins"], "roles": []}
            s.step = NAMES.index(step)
            await app.show_step()
            for field in app.query(Input):  # the step's own, built on its first visit (Save's blinked in 1 of ~20)
                field.cursor_blink = False
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        for _ in range(50):  # the Preview's tab bar places its underline a refresh after it is shown
            if all(bar.highlight_end > bar.highlight_start for bar in app.screen.query("Underline")
                   if bar.region and bar.show_highlight):
                break
            await pilot.pause(0.01)
    return run_before


STEPS = {"connect": (), "vpc": tuple("10."),  # the filter hides moto's default VPC, whose id is random
         "subnets": (), "domain": (), "endpoints": (), "access": (), "preview": (), "save": ()}


@pytest.mark.parametrize("step", list(STEPS))
def test_step_at_80x24(snap_compare, app, step: str) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=(80, 24), run_before=_at(step, STEPS[step]))


def test_focused_step_list_at_80x24(snap_compare, app) -> None:  # noqa: ANN001
    """The step list focused: its current row bold reverse (visible without colour), unreachable rows muted."""
    async def run_before(pilot) -> None:  # noqa: ANN001
        await _at("connect")(pilot)
        pilot.app.query_one("#step-list").focus()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_confirmation_at_80x24(snap_compare, app) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=(80, 24), run_before=_at("preview", ("ctrl+n",)))


def test_self_lockout_confirmation_at_80x24(snap_compare, app) -> None:  # noqa: ANN001
    """The plan's own confirmation, its own window after y: the question in full and where to type yes."""
    async def run_before(pilot) -> None:  # noqa: ANN001
        from screens.modals import ConfirmApply, ConfirmRisk

        await _at("preview", ("ctrl+n",))(pilot)
        await pilot.pause(ConfirmApply.ARMING_SECONDS + 0.1)
        await pilot.press("y")
        await pilot.pause(ConfirmApply.QUIET_SECONDS + 0.1)  # the y counts once no key has followed it
        assert isinstance(pilot.app.screen, ConfirmRisk)
        pilot.app.screen.query_one(Input).cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
