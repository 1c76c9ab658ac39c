"""A few SVG snapshots guard the look (pytest-textual-snapshot). Update with --snapshot-update."""

from __future__ import annotations

import pytest

from screens.app import WizardApp
from wizard import sandbox
from wizard.cloud import Cloud
from wizard.session import WizardSession


@pytest.fixture
def app():  # noqa: ANN201
    def cloud() -> Cloud:
        c = Cloud("us-west-2", session=sandbox.start(), demo=True)
        c.poll_interval = 0.0
        return c

    yield WizardApp(WizardSession(cloud, demo=True))
    sandbox.stop()


async def _ready(pilot) -> None:  # noqa: ANN001
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _to(pilot, steps: int, vpc: bool = True) -> None:  # noqa: ANN001
    await _ready(pilot)
    app = pilot.app
    for index in range(steps):
        await pilot.press("ctrl+n")
        await _ready(pilot)
        if index == 0 and vpc:
            app.session.select_vpc("vpc-e330ccb17b3f6f8b1")
            for subnet in ("subnet-1c535523a350b2a6d", "subnet-fcae4f85ccdd1756c"):
                app.session.toggle_subnet(subnet)
            app.pane.load()
            await pilot.pause()


def test_vpc_step_80x24(snap_compare, app) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await _to(pilot, 1)
        await pilot.press(*"10.")  # hides moto's default VPC, whose id is not seeded
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_subnet_step_100x32(snap_compare, app) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=(100, 32), run_before=lambda pilot: _to(pilot, 2))


def test_access_step_100x32(snap_compare, app) -> None:  # noqa: ANN001
    assert snap_compare(app, terminal_size=(100, 32), run_before=lambda pilot: _to(pilot, 5))
