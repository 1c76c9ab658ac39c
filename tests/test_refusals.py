"""--plain and the TUI refuse the same bad inputs with the same words (one table over both; issue 8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from conftest import profile, workers_done
from screens.app import WizardApp
from wizard.cloud import Cloud
from wizard.prompts import Asker, PlainWizard, _Back
from wizard.session import WizardSession
from wizard.steps import NAMES

# (input key, step, widget id, error widget id, what is typed, words the refusal must contain)
CASES = [
    ("name", "connect", "#name", "#name-error", "Research", "Profile name: 'Research' must be 1-40 of lowercase"),
    ("sg_cidrs", "domain", "#sg-cidrs", "#sg-cidrs-error", "10.8.0.0/33",
     "Extra 443 source CIDRs: 10.8.0.0/33 is not a CIDR block"),
    ("sg_cidrs", "domain", "#sg-cidrs", "#sg-cidrs-error", "10.20.1.5/24",
     "Extra 443 source CIDRs: 10.20.1.5/24: host bits set: did you mean 10.20.1.0/24?"),
    ("sg_sources", "domain", "#sg-sources", "#sg-sources-error", "sg-123",
     "HTTPS (443) source security groups: sg-123 is not a security group id"),
    ("access_cidrs", "access", "#access-cidrs", "#access-cidrs-error", "198.18.0.0/15",
     "CIDR ranges: 198.18.0.0/15 is not a public range"),
    ("access_cidrs", "access", "#access-cidrs", "#access-cidrs-error", "8.8.8.0/24",
     "CIDR ranges: 8.8.8.0/24 is not inside vpc-e330ccb17b3f6f8b1"),
]
MODE_FOR = {"198.18.0.0/15": "source-ip", "8.8.8.0/24": "vpc-source-ip"}


class Recorder(Asker):
    """Answers nothing; keeps the validator --plain passes for each label."""

    def __init__(self) -> None:
        self.validators: dict[str, object] = {}

    def text(self, message, default="", validate=None):  # noqa: ANN001, ANN201
        self.validators[message] = validate
        return default


def _session(cloud, text: str) -> WizardSession:  # noqa: ANN001
    s = WizardSession(lambda: cloud)
    s.connect()
    p = profile()
    s.select_vpc(p.vpc_id)
    s.answers["subnet_ids"] = list(p.subnet_ids)
    s.select_domain(p.domain_id)
    if text in MODE_FOR:
        s.set_mode(MODE_FOR[text])
    return s


@pytest.mark.parametrize(("key", "step", "widget", "error", "text", "words"), CASES,
                         ids=[f"{c[0]}-{c[4]}" for c in CASES])
async def test_plain_and_tui_refuse_the_same_input_with_the_same_words(
        cloud: Cloud, key: str, step: str, widget: str, error: str, text: str, words: str) -> None:
    plain_session = _session(cloud, text)
    recorder = Recorder()
    PlainWizard(plain_session, recorder, None).text(key, "")
    from wizard.steps import INPUTS

    # the question is the TUI's label (with what an empty answer means, as the TUI's placeholder says it)
    [asked] = [m for m in recorder.validators if m == INPUTS[key].label or m.startswith(f"{INPUTS[key].label} (")]
    plain_says = recorder.validators[asked](text)  # type: ignore[operator]
    assert isinstance(plain_says, str) and words in plain_says

    session = _session(cloud, text)
    app = WizardApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await workers_done(app)  # discovery (already done: the session is connected)
        session.step = NAMES.index(step)
        await app.show_step()
        await pilot.pause()
        field = app.query_one(widget, Input)
        field.value = ""
        field.focus()
        await pilot.press(*text)
        for _ in range(100):  # the refusal is shown once the last key is handled: wait for it, not a fixed time
            await pilot.pause()
            tui_says = str(app.query_one(error, Static).render())
            if field.value == text and tui_says:
                break
            await pilot.pause(0.05)
        assert tui_says == plain_says  # the same words, where the input is typed
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert session.current == step  # refused: Next does not move on


def test_plain_asks_every_confirmation_the_plan_carries(cloud, tmp_path: Path) -> None:  # noqa: ANN001
    asked: list[str] = []

    class Script(Recorder):
        def select(self, message, choices, default=None) -> str:  # noqa: ANN001
            return "apply" if message == "Next" else (default or choices[0][1])

        def confirm_changes(self, message) -> bool:  # noqa: ANN001
            asked.append(message)
            return message.startswith("Apply in account")  # yes to the plan, no to the lockout

    s = _session(cloud, "")
    s.answers["access"]["attach"] = {"users": [], "groups": ["platform-admins"], "roles": []}
    with pytest.raises(_Back) as back:  # declined: back to the Preview's menu
        PlainWizard(s, Script(), None).step_preview()
    assert back.value.step == "preview"
    assert any("among the attach targets" in q for q in asked) and s.result is None
