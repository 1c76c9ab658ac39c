"""--plain: the same steps as questionary prompts over the same session (answers scripted, as harlequin tests)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from wizard import cli, sandbox
from wizard.cloud import Cloud
from wizard.profiles import dump, load
from wizard.prompts import Asker, run_prompts


class Scripted(Asker):
    """Answers by the start of the question; records what was offered."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.offered: dict[str, Any] = {}

    def _answer(self, message: str, default: Any) -> Any:
        for prefix, value in self.answers.items():
            if message.startswith(prefix):
                return value(self.offered[message]) if callable(value) else value
        return default

    def text(self, message, default="", validate=None):  # noqa: ANN001, ANN201
        value = self._answer(message, default)
        if validate is not None:
            verdict = validate(value)
            assert verdict is True, f"{message}: {verdict}"
        return value

    def select(self, message, choices, default=None):  # noqa: ANN001, ANN201
        self.offered[message] = choices
        value = self._answer(message, default if default is not None else choices[0][1])
        assert value in [v for _, v in choices], (message, value)
        return value

    def checkbox(self, message, choices):  # noqa: ANN001, ANN201
        self.offered[message] = choices
        value = self._answer(message, [v for _, v, checked, _ in choices if checked])
        disabled = {v for _, v, _, reason in choices if reason}
        assert not set(value) & disabled, (message, value)
        return value

    def confirm(self, message, default=False):  # noqa: ANN001, ANN201
        return self._answer(message, default)

    def confirm_changes(self, message):  # noqa: ANN001, ANN201
        self.offered[message] = "typed yes"
        return self._answer(message, False)  # only an explicit scripted yes applies


def _cloud() -> Cloud:
    cloud = Cloud("us-west-2", session=sandbox.start(), demo=True)
    cloud.poll_interval = 0.0
    return cloud


@pytest.fixture(autouse=True)
def _stop_sandbox():  # noqa: ANN202
    yield
    sandbox.stop()


ANSWERS = {
    "Profile name": "studio-private",
    "VPC": "vpc-e330ccb17b3f6f8b1",
    "Subnets": ["subnet-1c535523a350b2a6d", "subnet-fcae4f85ccdd1756c"],
    "Studio domain": "d-research",
    "Restrict opening Studio to": "vpce",
    "Attach to users": ["alice"],
    "Next": "apply",
    "Apply in account": True,
}


def test_plain_mode_applies_and_saves_the_same_profile_as_the_wizard(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """Also: a path where no file can be made (/proc on Linux) passes the check made at each key typed (which
    makes no file) and is refused at Enter, by the whole save rule; the question is asked again."""
    target = tmp_path / "plain.yaml"
    paths = iter(["/proc/plain.yaml", str(target)] if Path("/proc/version").exists() else [str(target)])
    asker = Scripted({**ANSWERS, "Save the profile to": lambda _: next(paths)})
    asker.offered["Save the profile to"] = None
    assert run_prompts(_cloud, asker=asker, demo=True) == 0
    if Path("/proc/version").exists():
        assert "/proc/plain.yaml: cannot create a file in /proc" in capsys.readouterr().out
    saved = load(target)
    # the profile the TUI saves for the same answers (tests/test_screens.py, vpce case)
    expected = load(Path(__file__).parent / "data" / "tui-vpce.yaml")
    assert dump(saved) == dump(expected)


def test_plain_mode_offers_unsupported_and_duplicate_az_subnets_as_disabled(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """Also (a trial, 9): two subnets of one zone ticked at once (`a` ticks every row) were refused as "one subnet
    per Availability Zone", naming neither the zone nor the subnets; the refusal names both, and the zone."""
    picks = iter([["subnet-1c535523a350b2a6d", "subnet-d2c4c194b1dbc4b3d"], ANSWERS["Subnets"]])
    asker = Scripted({**ANSWERS, "Subnets": lambda _: next(picks), "Next": "quit"})
    run_prompts(_cloud, asker=asker, demo=True)
    out = " ".join(line.strip() for line in capsys.readouterr().out.splitlines())
    assert ("subnet-1c535523a350b2a6d and subnet-d2c4c194b1dbc4b3d are both in us-west-2a: one subnet per "
            "Availability Zone, untick one") in out
    subnets = asker.offered["Subnets (one per Availability Zone)"]
    reasons = {value: reason for _, value, _, reason in subnets}
    assert reasons["subnet-7931cee1f1c5bf80b"] == "see above"  # the row fits; its reason is said in full above
    assert "subnet-7931cee1f1c5bf80b cannot be chosen: usw2-az4 is not offered by aws.sagemaker.us-west-2.studio " \
           "(it offers usw2-az1, usw2-az2, usw2-az3)" in out


def test_plain_choice_lines_fit_in_80_columns_and_keep_what_matters(capsys) -> None:  # noqa: ANN001
    """Found in a trial: rows cut at the terminal's edge ('(usw2-az4 is not of', 'domains:' without its
    value). Every title, with questionary's pointer and box (6 columns) and a disabled reason, fits in 80."""
    asker = Scripted({**ANSWERS, "Next": "quit"})
    run_prompts(_cloud, asker=asker, demo=True)
    for message, choices in asker.offered.items():
        if isinstance(choices, str):
            continue
        for choice in choices:
            title, reason = choice[0], (choice[3] if len(choice) == 4 else "")
            assert 6 + len(title) + (len(f" ({reason})") if reason else 0) <= 80, (message, title, reason)
    vpcs = {v: t for t, v in asker.offered["VPC"]}
    assert "domains: d-lab" in vpcs["vpc-8835a48a96ffd84bf"] and "domains: d-research" in vpcs[ANSWERS["VPC"]]
    out = capsys.readouterr().out
    modes = " ".join(line.strip() for line in out.split("Step 6 of", 1)[1].splitlines())
    assert "subnet: aws:SourceVpc - only requests that come from inside this VPC (through its endpoints) may " \
           "open Studio." in modes  # cut in its row, so said in full above the question


def test_plain_studio_endpoint_policy_without_create_app_is_refused_at_the_step(capsys) -> None:  # noqa: ANN001
    """The plan's rule (the Studio endpoint must allow CreateApp) is asked at the Endpoints step, as there,
    not first found on the Preview."""
    studio = iter([["presigned-url"], ["create-app"]])
    asker = Scripted({**ANSWERS, "studio endpoint policy presets": lambda _: next(studio), "Next": "quit"})
    assert run_prompts(_cloud, asker=asker, demo=True) == 0
    out = capsys.readouterr().out
    endpoints = out.split("Step 5 of", 1)[1].split("Step 6 of", 1)[0]
    assert "must allow sagemaker:CreateApp" in endpoints
    assert "studio_policy_needs_create_app" not in out and "must allow sagemaker:CreateApp" not in \
        out.split("Step 6 of", 1)[1]  # the answer asked again was taken; the Preview has no such error


def test_plain_save_offers_the_profile_file_it_was_started_with(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Found by a trial: `wizard mine.yaml --plain` offered ./research-vpce.yaml at Save, so the edited answers
    went elsewhere and `apply mine.yaml` replayed the old ones. A recovery file is not offered (it is no profile)."""
    from wizard.prompts import PlainWizard
    from wizard.session import RECOVERY_HEADER, load_recovery

    mine = tmp_path / "mine.yaml"
    mine.write_text((Path(__file__).parent.parent / "profiles" / "vpce.yaml").read_text())
    started: list[Any] = []
    monkeypatch.setattr(PlainWizard, "run", lambda self: started.append(self.s) or 0)
    run_prompts(_cloud, preload=load(mine), profile_path=str(mine), asker=Scripted({}), demo=True)
    assert started[-1].default_save_path() == str(mine)
    recovery = tmp_path / "recovery-x.yaml"
    recovery.write_text(RECOVERY_HEADER + "\nversion: 1\nname: research-vpce\n")
    run_prompts(_cloud, preload=load_recovery(recovery), profile_path=str(recovery), asker=Scripted({}), demo=True)
    assert started[-1].default_save_path() == "./research-vpce.yaml"


def test_plain_mode_refuses_an_invalid_cidr(tmp_path: Path) -> None:
    asker = Scripted({**ANSWERS, "Restrict opening Studio to": "source-ip", "CIDR ranges": "10.0.0.1/8"})
    with pytest.raises(AssertionError, match="host bits set"):
        run_prompts(_cloud, asker=asker, demo=True)


def test_plain_mode_without_a_terminal_fails_at_once_pointing_to_apply(capsys) -> None:  # noqa: ANN001
    code = cli.main(["--plain", "--demo"])
    err = capsys.readouterr().err
    assert code == 3 and "apply PROFILE --yes" in err


def test_plain_mode_enter_through_never_applies(calls, tmp_path: Path) -> None:  # noqa: ANN001
    """Every question at its default (Enter alone): the profile may be saved, AWS is never changed."""
    answers = {k: v for k, v in ANSWERS.items() if k not in ("Next", "Apply in account")}
    asker = Scripted({**answers, "Save the profile to": str(tmp_path / "p.yaml")})
    cloud = _cloud()  # seeding the sandbox writes; count from here
    calls.clear()
    run_prompts(lambda: cloud, asker=asker, demo=True)
    assert calls.mutating == []
    assert not any(m.startswith("Apply in account") for m in asker.offered)


def test_plain_mode_applies_only_after_a_typed_yes(calls, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """A declined apply changes nothing and goes back to the Preview's menu (found by a trial: it went on to
    Save, with no way back to the Preview but Ctrl+C). Its "Not applied" is said again after the plan printed
    again, right above the menu (a trial, 9: it scrolled off at once, and the answer seemed lost)."""
    nexts = iter(["apply", "save"])
    asker = Scripted({**ANSWERS, "Next": lambda _: next(nexts), "Apply in account": False,
                      "Save the profile to": str(tmp_path / "p.yaml")})
    cloud = _cloud()  # seeding the sandbox writes; count from here
    calls.clear()
    run_prompts(lambda: cloud, asker=asker, demo=True)
    assert any(m.startswith("Apply in account") for m in asker.offered) and calls.mutating == []
    assert next(nexts, "asked twice") == "asked twice"  # the Preview's menu came back after the decline
    again = capsys.readouterr().out.rsplit("Plan: ", 1)[1].splitlines()  # after the plan printed again
    assert again[1] == "Not applied: nothing was changed (only the word yes, typed in full, applies).", again[:3]


def test_plain_mode_keeps_a_preloaded_profiles_endpoint_choices() -> None:
    from wizard.session import WizardSession

    preload = load(Path(__file__).parent.parent / "profiles" / "vpce.yaml")
    session = WizardSession(_cloud, preload=preload, demo=True)
    session.connect()
    session.select_domain(preload.domain_id)  # --plain asks for the domain with the profile's as default
    assert session.answers["endpoints"]["extra"] == list(preload.endpoints.extra)


def test_ask_yes_takes_only_the_word_yes_and_ctrl_c_interrupts(monkeypatch) -> None:  # noqa: ANN001
    import types

    import questionary

    from wizard.prompts import ask_yes

    for typed, verdict in (("yes", True), (" yes ", True), ("YES", False), ("Yes", False), ("y", False), ("", False),
                           ("no", False), ("yess", False)):
        monkeypatch.setattr(questionary, "text", lambda *_, _t=typed, **__: types.SimpleNamespace(ask=lambda: _t))
        assert ask_yes("Apply?") is verdict, typed
    monkeypatch.setattr(questionary, "text", lambda *_, **__: types.SimpleNamespace(ask=lambda: None))
    with pytest.raises(KeyboardInterrupt):
        ask_yes("Apply?")


def _ctrl_c_at(question: str, keys: str = "\x03", close: bool = False) -> type[Scripted]:
    """A Scripted asker whose `question` is the real questionary prompt, sent Ctrl+C (or `keys`; `close`: then the
    end of its input) through prompt_toolkit's pipe input (what a terminal sends): questionary's own handling of
    them is what --plain sees."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    class CtrlC(Scripted):
        def _real(self, call: Any) -> Any:
            with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
                pipe.send_text(keys)
                if close:
                    pipe.close()
                return call()

        def select(self, message, choices, default=None):  # noqa: ANN001, ANN202
            if message.startswith(question):
                return self._real(lambda: Asker.select(self, message, choices, default))
            return super().select(message, choices, default)

        def text(self, message, default="", validate=None):  # noqa: ANN001, ANN202
            if message.startswith(question):
                return self._real(lambda: Asker.text(self, message, default, validate))
            return super().text(message, default, validate)

        def checkbox(self, message, choices):  # noqa: ANN001, ANN202
            if message.startswith(question):
                return self._real(lambda: Asker.checkbox(self, message, choices))
            return super().checkbox(message, choices)

    return CtrlC


@pytest.mark.parametrize("question", ["Studio domain", "Save the profile to"])
def test_plain_ctrl_c_writes_a_recovery_profile_and_prints_the_resume_command(
        question: str, tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    from wizard.session import load_recovery

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    asker = _ctrl_c_at(question)({**ANSWERS, "Next": "save"})
    assert run_prompts(_cloud, asker=asker, demo=True) == 130
    err = capsys.readouterr().err
    recovery = list((tmp_path / "state" / "studio-vpce").glob("recovery-*.yaml"))
    assert len(recovery) == 1 and str(recovery[0]) in err
    assert f"Resume with: studio-vpce wizard {recovery[0]} --plain --demo" in err  # back to --plain, not the TUI
    answers = load_recovery(recovery[0])
    assert answers is not None and answers["subnet_ids"] == ANSWERS["Subnets"]


def test_plain_ctrl_c_at_the_apply_question_says_nothing_was_changed(
        tmp_path: Path, monkeypatch, capsys, calls) -> None:  # noqa: ANN001
    """A trial (9): Ctrl+C at --plain's apply question printed only "interrupted" (the CLI says "nothing was
    changed" there)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    class CtrlCAtYes(Scripted):
        def confirm_changes(self, message):  # noqa: ANN001, ANN202
            raise KeyboardInterrupt  # what ask_yes raises on Ctrl+C (test_ask_yes_takes_only_the_word_yes_and_...)

    cloud = _cloud()  # seeding the sandbox writes; count from here
    calls.clear()
    assert run_prompts(lambda: cloud, asker=CtrlCAtYes({**ANSWERS, "Next": "apply"}), demo=True) == 130
    err = capsys.readouterr().err
    assert err.startswith("interrupted at the apply question (nothing was changed); ") and calls.mutating == [], err


def test_plain_vpc_without_a_domain_asks_the_vpc_again_and_keeps_the_answers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The list offers VPCs without a domain (`domains: -`); picking one goes back to the VPC question."""
    picks = iter(["vpc-f044379c1df4834c7", "vpc-e330ccb17b3f6f8b1"])  # the default VPC has no domain

    def subnets(choices: list[tuple[str, str, bool, str]]) -> list[str]:
        wanted = [v for _, v, _, _ in choices if v in ANSWERS["Subnets"]]
        return wanted or [next(v for _, v, _, reason in choices if not reason)]

    target = tmp_path / "p.yaml"
    asker = Scripted({**ANSWERS, "Profile name": "kept-name", "VPC": lambda _: next(picks), "Subnets": subnets,
                      "Next": "save", "Save the profile to": str(target)})
    assert run_prompts(_cloud, asker=asker, demo=True) == 0
    out = capsys.readouterr().out
    assert "No Studio domain in vpc-f044379c1df4834c7" in out
    assert out.count("Step 2 of") == 2  # the VPC question asked again
    saved = load(target)
    assert saved.name == "kept-name" and saved.vpc_id == "vpc-e330ccb17b3f6f8b1" and saved.domain_id == "d-research"


def test_plain_self_lockout_warning_names_the_modes_boundary(capsys) -> None:  # noqa: ANN001
    """source-ip restricts to public ranges, not to the VPC: the warning says the mode's own boundary."""
    asker = Scripted({**ANSWERS, "Restrict opening Studio to": "source-ip", "CIDR ranges": "203.0.113.0/24",
                      "Attach to users": ["moto"], "Next": "quit"})
    run_prompts(_cloud, asker=asker, demo=True)
    out = capsys.readouterr().out
    assert "you are among the attach targets: this policy lets you open Studio only from the allowed public IP " \
           "ranges" in out.replace("\n", " "), out[-3000:]
    assert "only from inside the VPC." not in out


def test_plain_applied_summary_counts_the_plans_changes_not_the_wait(capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """As the TUI: 'Applied: 10 added, ...' after 'Plan: 10 to add' (the wait for the endpoints is no change)."""
    asker = Scripted({**ANSWERS, "Save the profile to": str(tmp_path / "p.yaml")})
    assert run_prompts(_cloud, asker=asker, demo=True) == 0
    out = capsys.readouterr().out
    added = out.split("Plan: ", 1)[1].split(" to add", 1)[0]
    assert "wait.vpc_endpoints" in out and f"Applied: {added} added, 0 changed, 0 destroyed." in out


def test_plain_preview_can_go_back_to_change_an_answer_keeping_the_others(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """A plan with errors offers only Save or Quit without applying; 'Change an answer' goes back to a step (as
    the TUI's Back does) and the Preview plans again from the changed answers."""
    nexts = iter(["back", "save"])
    modes = iter(["vpce", "subnet"])
    target = tmp_path / "p.yaml"
    asker = Scripted({**ANSWERS, "Next": lambda _: next(nexts), "Go back to": "access",
                      "Restrict opening Studio to": lambda _: next(modes), "Save the profile to": str(target)})
    assert run_prompts(_cloud, asker=asker, demo=True) == 0
    out = capsys.readouterr().out
    assert [v for _, v in asker.offered["Go back to"]] == ["connect", "vpc", "subnets", "domain", "endpoints", "access"]
    assert out.count("Access restriction") >= 2 and out.count("Plan: ") == 2  # asked again, planned again
    saved = load(target)
    assert saved.access.mode == "subnet" and saved.vpc_id == ANSWERS["VPC"] and saved.access.attach.users == ["alice"]


def test_ctrl_c_after_an_apply_with_saved_answers_names_the_saved_profile_to_replay(tmp_path: Path) -> None:
    """'run apply again' needs a profile: when the answers are saved (no recovery file is written), the
    interrupted line carries the saved profile's replay command."""
    s = _applied_session()
    saved = s.save(tmp_path / "p.yaml")
    line = s.interrupted()
    assert "the apply had finished" in line and f"these answers are saved: studio-vpce apply {saved}" in line
    assert "recovery" not in line


def rendered_refusal(refusal: str, columns: int = 80) -> list[str]:
    """The screen lines of --plain's text question (questionary, prompt_toolkit) refusing an answer, at
    `columns`: the terminal's bytes with the escape sequences taken out."""
    import io
    import re
    import threading
    import time

    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    from wizard.prompts import text_question

    screen = io.StringIO()
    with create_pipe_input() as keys:
        output = Vt100_Output(screen, lambda: Size(rows=24, columns=columns), term="xterm")
        with create_app_session(input=keys, output=output):
            question = text_question("CIDR ranges", "", lambda text: True if text == "ok" else refusal)

            def type_keys() -> None:
                keys.send_text("bad\r")
                deadline = time.monotonic() + 30
                while refusal[:30] not in screen.getvalue() and time.monotonic() < deadline:  # shown
                    time.sleep(0.02)
                shown[:] = [screen.getvalue()]
                keys.send_text("\x15ok\r")  # Ctrl+U, then an accepted answer ends the question

            shown: list[str] = []
            typist = threading.Thread(target=type_keys)
            typist.start()
            assert question.ask() == "ok"
            typist.join()
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown[0]).replace("\r", "")
    return plain.split("\n")


def test_plain_refusals_wrap_at_80_columns_and_show_in_full() -> None:
    """Found by a trial: --plain's refusal line (prompt_toolkit's one-line validation toolbar) was cut at the
    terminal's width. The longest refusal of any typed --plain answer shows in full, in lines of at most 80."""
    from wizard.session import WizardSession
    from wizard.steps import INPUTS

    session = WizardSession(lambda: None)
    typed = ["bad name!", "", "foo", "10.0.0.1/8", "0.0.0.0/0", "10.0.0.0/8", "sg-123", "sg-12345678, nope"]
    refusals = [session.check_save_path("/no/such/folder/of/yours/studio-private.yaml")[1] or ""]
    for mode in ("vpce", "source-ip", "vpc-source-ip"):
        session.answers["access"]["mode"] = mode
        refusals += [session.input_error(key, text) or "" for key in INPUTS for text in typed]
    longest = max(refusals, key=len)
    assert len(longest) > 120  # a real case: source-ip refusing a private range
    lines = rendered_refusal(longest)
    assert all(len(line) <= 80 for line in lines), lines
    assert " ".join(longest.split()) in " ".join(" ".join(lines).split()), lines


@pytest.mark.parametrize("name", ["../../../trial3-evil/x", "n" * 300])
def test_recovery_file_name_is_a_safe_slug_inside_the_recovery_folder(
        name: str, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A typed profile name is no path: '../..' never leaves the state folder, and a 300-character name is
    still saved (a capped slug) and named in the interrupted line."""
    from wizard.session import WizardSession, load_recovery

    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    s = WizardSession(_cloud, demo=True)
    s.answers["name"] = name
    s.answers["vpc_id"] = ANSWERS["VPC"]  # answers changed: Ctrl+C saves them
    line = s.interrupted()
    folder = state / "studio-vpce"
    saved = [p for p in tmp_path.rglob("*.yaml")]
    assert len(saved) == 1 and saved[0].parent == folder, saved
    assert saved[0].name.startswith("recovery-") and len(saved[0].name) < 100
    assert str(saved[0]) in line and "could not be saved" not in line
    answers = load_recovery(saved[0])
    assert answers is not None and answers["name"] == name


def test_plain_stale_apply_is_refused_then_planned_again_with_every_answer_kept(
        tmp_path: Path, capsys, calls) -> None:  # noqa: ANN001
    """Someone applied between the Preview and the typed yes: one line says so, nothing is changed by the
    refused confirmation, and the Preview is shown again (a new plan, the answers kept; no exit 5)."""
    from wizard.executor import Executor
    from wizard.prompts import PlainWizard
    from wizard.session import WizardSession

    session = WizardSession(_cloud, demo=True)
    nexts = iter(["apply", "save"])
    target = tmp_path / "p.yaml"

    class Meanwhile(Scripted):
        moved = False

        def confirm_changes(self, message):  # noqa: ANN001, ANN202
            if not self.moved:  # another shell applies the same answers while this one asks
                self.moved = True
                assert Executor(session.cloud, session.plan).run().ok  # type: ignore[arg-type]
                calls.clear()
            return super().confirm_changes(message)

    asker = Meanwhile({**ANSWERS, "Next": lambda _: next(nexts), "Apply in account": True,
                       "You are among": True, "Save the profile to": str(target)})
    assert PlainWizard(session, asker, None).run() == 0
    out = capsys.readouterr().out
    assert calls.mutating == []
    assert "Not applied: the account changed since the preview; nothing was changed" in out
    assert out.count("Plan: ") == 2  # the new Preview
    assert out.rsplit("Plan: ", 1)[1].splitlines()[1].startswith("Not applied: the account changed")  # said again
    assert load(target).access.attach.users == ["alice"] and load(target).subnet_ids == ANSWERS["Subnets"]


def test_plain_apply_question_drops_yes_typed_with_the_menu_choice_before_it() -> None:
    """Found by a trial: `Down Down Down Enter y e s Enter` in one burst at the Preview's Next menu applied:
    prompt_toolkit read the whole burst, and kept what followed the menu's Enter for the next question. The
    apply question drops it, and takes only what is typed once it is asked (here: no)."""
    import io

    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput
    from prompt_toolkit.output.vt100 import Vt100_Output

    from wizard.prompts import ask_yes

    actions = [("Save", "save"), ("Change an answer", "back"), ("Quit", "quit"), ("Apply now", "apply")]
    screen = io.StringIO()  # the apply question seen on a screen: the dropped yes is said (trial 7)
    with create_pipe_input() as pipe:
        with create_app_session(input=pipe, output=DummyOutput()):
            pipe.send_text("\x1b[B\x1b[B\x1b[B\ryes\r")  # one burst: the menu choice and a yes typed ahead
            assert Asker().select("Next", actions, default="save") == "apply"
        with create_app_session(input=pipe, output=Vt100_Output(screen, lambda: Size(rows=24, columns=100),
                                                                term="xterm")):
            _type_later(pipe, "no\r")  # typed once the question is on screen
            assert ask_yes("Apply in account 123456789012?") is False
    assert "(ignored 4 keys typed before or as the question appeared; type yes again)" in screen.getvalue()


def test_self_lockout_question_drops_a_yes_typed_with_the_first_answer() -> None:
    """Found by a trial: `y e s Enter y e s Enter` in one burst at apply's first question also answered the
    self-lockout question after it, before its warning was on screen (the CLI's two questions, ask_yes each)."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from wizard.prompts import ask_yes

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        _type_later(pipe, "yes\ryes\r")  # one burst once the first question is on screen
        assert ask_yes("Apply in account 123456789012? Plan: 8 to add, 0 to change, 0 to destroy.") is True
        _type_later(pipe, "no\r")
        assert ask_yes("You are among the attach targets: ... Go ahead?") is False


def _type_later(pipe, text: str) -> None:  # noqa: ANN001
    """Keys typed by someone who read the question: once it is drawn and its arming time is over (ask_yes ignores
    keys before). Counted from the drawing, not from now: on a loaded machine drawing took longer than a fixed
    delay, the keys were ignored and the question waited for ever."""
    import threading
    import time

    from wizard import prompts

    def type_it(since: float) -> None:
        deadline = since + 60
        while prompts.last_drawn <= since and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(prompts.ARMING_SECONDS + 0.1)
        pipe.send_text(text)

    threading.Thread(target=type_it, args=(time.monotonic(),), daemon=True).start()


def test_a_yes_no_question_takes_no_key_typed_ahead_of_it() -> None:
    """Found by a trial: `Enter Enter y Enter` in one burst at --plain's Next menu answered "... exists.
    Overwrite it?" with y, and the profile was overwritten."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text("y")  # typed ahead, or arriving as it is drawn
        _type_later(pipe, "n\r")
        assert Asker().confirm("p.yaml exists. Overwrite it?") is False


def test_a_yes_no_answer_takes_its_enter_so_n_enter_never_reaches_the_next_question() -> None:
    """Trial 16: at "... exists. Overwrite it? (y/N)" the `n` answered at once, and the habitual Enter after it
    took the next question's default: the profile was saved to a path the user had not chosen. y or n, then
    Enter: the Enter belongs to the yes/no question."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        _type_later(pipe, "n\rother.yaml\r")
        assert Asker().confirm("p.yaml exists. Overwrite it?") is False
        assert Asker().text("Save the profile to", default="./studio-private.yaml") == "other.yaml"


def test_a_yes_that_reaches_the_question_as_it_is_drawn_never_answers_it() -> None:
    """Found by a trial: a `yes` written 10-54 ms before the question was drawn (after the flush of keys typed
    ahead: still on its way) destroyed what a profile had made, 4 times in 4. Keys in the question's first
    ARMING_SECONDS on screen are ignored; what is typed after goes on as typed."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from wizard.prompts import ask_yes

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text("yes\r")  # arrives as the question is drawn
        _type_later(pipe, "no\r")
        assert ask_yes("Destroy what this profile made in account 123456789012?") is False
        pipe.send_text("yes\r")
        _type_later(pipe, "yes\r")  # and a yes typed once it is on screen goes ahead
        assert ask_yes("Destroy what this profile made in account 123456789012?") is True


def test_keys_ignored_as_a_question_appears_are_said_below_it() -> None:
    """Found by a trial: a `yes` typed in the question's first ARMING_SECONDS was ignored in silence, and the
    question just went on waiting. A line below it now says so, and what to type (the yes question and the
    yes/no one); the keys themselves still answer nothing."""
    import io

    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    from wizard.prompts import ask_yes

    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=100), term="xterm")
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=output):
        pipe.send_text("yes\r")  # arrives as the question is drawn
        _type_later(pipe, "no\r")
        assert ask_yes("Destroy what this profile made in account 123456789012?") is False
        assert "(ignored 4 keys typed before or as the question appeared; type yes again)" in screen.getvalue()
        pipe.send_text("y")
        _type_later(pipe, "n\r")
        assert Asker().confirm("p.yaml exists. Overwrite it?") is False
        assert "(ignored 1 key typed before or as the question appeared; type y or n again)" in screen.getvalue()


def test_a_loaded_profiles_gone_subnets_and_principals_are_named_ticked_and_must_be_unticked(capsys) -> None:  # noqa: ANN001
    """Found by a trial: of a loaded profile's answers that the account no longer has, only the VPC and the
    domain were said; a gone subnet was silently left out of --plain's list (and in the TUI could not be
    unticked: the plan's subnet_not_found with no way to fix it), a gone user or group was ticked as any other.
    Now the step names each, in the plan's words, shows it ticked, and goes on only once it is unticked."""
    from wizard.prompts import PlainWizard
    from wizard.session import WizardSession

    data = load(Path(__file__).parent.parent / "profiles" / "vpce.yaml").model_dump(mode="json")
    data["subnet_ids"] = ["subnet-1c535523a350b2a6d", "subnet-00000000000000000"]
    data["access"]["attach"] = {"users": ["alice", "ghost"], "groups": ["gone-team"], "roles": []}
    session = WizardSession(_cloud, preload=data, demo=True)
    checks: dict[str, str] = {}

    def subnets(choices: list) -> list[str]:
        ticked = [value for _, value, checked, _ in choices if checked]
        if not checks:  # first time: as loaded, the gone one ticked; what each step says of it
            checks.update(subnets=session.check("subnets")[1], access=session.check("access")[1])
            return ticked
        return [v for v in ticked if v != "subnet-00000000000000000"]

    rounds = iter(range(3))

    def users(choices: list) -> list[str]:
        assert ("ghost (does not exist)", "ghost", True, "") in choices
        return ["alice", "ghost"] if next(rounds) == 0 else ["alice"]  # kept once: asked again

    asker = Scripted({**ANSWERS, "Subnets": subnets, "Attach to users": users, "Attach to groups": [],
                      "Next": "quit"})
    assert PlainWizard(session, asker, None).run() == 0
    assert checks == {"subnets": "subnet subnet-00000000000000000 does not exist in VPC vpc-e330ccb17b3f6f8b1: "
                                 "untick it",
                      "access": "IAM user 'ghost', group 'gone-team' (access.attach) do not exist: untick them"}
    out = capsys.readouterr().out
    assert "subnet subnet-00000000000000000 does not exist in VPC vpc-e330ccb17b3f6f8b1: untick it" in out
    assert out.count("IAM user 'ghost' (access.attach.users) does not exist: untick it") == 2  # refused once
    assert "IAM group 'gone-team' (access.attach.groups) does not exist: untick it" in out
    assert next(rounds) == 2 and session.answers["subnet_ids"] == ["subnet-1c535523a350b2a6d"]
    assert "subnet_not_found" not in out and "principal_not_found" not in out  # the Preview's plan: none left


def test_a_resumed_profile_of_an_sso_domain_gets_the_default_mode_back_with_an_iam_domain() -> None:
    """Trial 16: a recovery file written while d-lab (IAM Identity Center) was the domain holds access mode none,
    which that domain forced; resumed, then another VPC and its IAM domain chosen, the mode stayed none (no
    identity policy at all), where an uninterrupted session gets its mode back. Now resumed sessions do too."""
    from wizard.session import WizardSession

    data = load(Path(__file__).parent.parent / "profiles" / "vpce.yaml").model_dump(mode="json")
    data.update(vpc_id="vpc-8835a48a96ffd84bf", subnet_ids=["subnet-ccb2a18a7413d6791"], domain_id="d-lab")
    data["access"]["mode"] = "none"
    session = WizardSession(_cloud, preload=data, demo=True)
    session.connect()
    session.select_vpc("vpc-e330ccb17b3f6f8b1")  # research: its only domain, d-research, uses IAM
    assert session.answers["domain_id"] == "d-research" and session.answers["access"]["mode"] == "vpce"
    assert session.notes["access"].startswith("d-research uses IAM: access mode is vpce again (it was none while "
                                              "d-lab, an IAM Identity Center domain, was the domain)")


def test_plain_says_a_loaded_profiles_gone_vpc_and_domain_and_asks_them_again(capsys) -> None:  # noqa: ANN001
    """Found by a trial: --plain said nothing of a loaded profile's VPC or domain that is gone, and offered it
    as the question's default, which questionary refuses (ValueError: a crash). Said as the TUI says it; asked
    afresh."""
    from wizard.prompts import PlainWizard
    from wizard.session import WizardSession

    class Stop(Exception):
        pass

    def stop(_: object) -> None:
        raise Stop

    class Strict(Scripted):
        def select(self, message, choices, default=None):  # noqa: ANN001, ANN202
            if default is not None and default not in [v for _, v in choices]:  # as questionary refuses it
                raise ValueError(f"Invalid `default` value passed: {default}")
            return super().select(message, choices, default)

    where = "in us-west-2 for account 123456789012: choose one here."
    for gone, said in (({"vpc_id": "vpc-00000000000000000"}, f"The profile's VPC vpc-00000000000000000 does not exist {where}"),
                       ({"domain_id": "d-gone"}, f"The profile's Studio domain d-gone does not exist {where}")):
        data = load(Path(__file__).parent.parent / "profiles" / "vpce.yaml").model_dump(mode="json")
        session = WizardSession(_cloud, preload={**data, **gone}, demo=True)
        with pytest.raises(Stop):  # up to the domain question: no further
            PlainWizard(session, Strict({**ANSWERS, "Studio domain": stop}), None).walk()
        assert f"Note: {said}" in " ".join(capsys.readouterr().out.split())


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_keys_the_terminal_holds_before_a_question_are_dropped_and_counted(monkeypatch) -> None:  # noqa: ANN001
    """Found by a trial (7): a `yes` typed while the plan was made was dropped before the question in silence,
    though the README says a line under the question counts them. Every key the terminal holds is dropped (a
    line not yet ended too; an arrow key is one key) and counted for that line."""
    import sys
    import termios
    import time

    from wizard.prompts import drop_typed_ahead

    master, slave = os.openpty()
    with os.fdopen(slave, "r") as terminal:
        monkeypatch.setattr(sys, "stdin", terminal)
        os.write(master, b"yes\r\x1b[Bno")  # a line, an arrow key, and a line not yet ended
        time.sleep(0.05)
        assert drop_typed_ahead() == 7
        os.set_blocking(slave, False)
        with pytest.raises(BlockingIOError):  # nothing left to answer the question
            os.read(slave, 100)
        assert termios.tcgetattr(slave)[3] & termios.ICANON  # the terminal's mode as it was
    os.close(master)


def test_ctrl_c_before_the_first_change_offers_no_destroy_in_any_front_end(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """An apply interrupted after 0 of N changes made nothing: the wizard's and --plain's Ctrl+C line (the
    session's) says so and offers apply again, never 'destroy removes what they made' (destroy would remove a
    working setup that the plan only meant to change). Once a change was made, destroy is offered."""
    from types import SimpleNamespace

    from wizard.session import WizardSession

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    s = WizardSession(lambda: None, demo=True)
    s.answers["name"] = "x"  # unsaved answers: the line names a recovery file
    line = s.interrupted(SimpleNamespace(changes_done=[], total=2, under_way=None))
    assert "nothing was changed" in line and "applies them" in line and "destroy" not in line, line
    line = s.interrupted(SimpleNamespace(changes_done=["security_group.endpoints"], total=2, under_way=None))
    assert "studio-vpce destroy" in line and "(it shows its plan and asks first)" in line, line  # (made what? unknown)


def test_plain_typed_questions_say_what_an_empty_answer_means() -> None:
    """A trial (11): --plain's security group questions were blank prompts; the TUI's placeholders say "empty:
    the domain's" / "empty: create one". --plain asks them with the same words."""
    from wizard.prompts import PlainWizard
    from wizard.session import WizardSession

    asked: list[str] = []

    class Asker:
        def text(self, message, default="", validate=None):  # noqa: ANN001, ANN202
            asked.append(message)
            return default

    plain = PlainWizard(WizardSession(lambda: None), Asker(), None)  # type: ignore[arg-type]
    for key in ("sg_sources", "sg_cidrs", "sg_id", "name"):
        plain.text(key, "")
    assert asked == ["HTTPS (443) source security groups (empty: the domain's)", "Extra 443 source CIDRs (optional)",
                     "Endpoint security group (empty: create one)", "Profile name"], asked


def test_ctrl_c_typed_right_behind_the_yes_stops_before_any_change() -> None:
    """A trial (11): `y e s Enter Ctrl+C` in one burst at apply's question applied everything (exit 0): the
    prompt read the Ctrl+C as a key behind its Enter and kept it for a next question; no SIGINT came. It is
    Ctrl+C: the question ends in KeyboardInterrupt (the CLI: "interrupted; nothing was changed", exit 130)."""
    import io
    import threading
    import time

    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    from wizard import prompts

    for burst, interrupted in (("yes\r\x03", True), ("yes\r", False)):
        screen = io.StringIO()
        with create_pipe_input() as keys:
            output = Vt100_Output(screen, lambda: Size(rows=24, columns=80), term="xterm")
            with create_app_session(input=keys, output=output):
                def type_keys(burst: str = burst, screen: io.StringIO = screen, keys: Any = keys) -> None:
                    deadline = time.monotonic() + 30
                    while "Only 'yes' goes ahead" not in screen.getvalue() and time.monotonic() < deadline:
                        time.sleep(0.02)
                    time.sleep(prompts.ARMING_SECONDS + 0.1)
                    keys.send_text(burst)  # one chunk: the Ctrl+C arrives with the answer's Enter

                typist = threading.Thread(target=type_keys)
                typist.start()
                try:
                    answered: bool | None = prompts.ask_yes("Apply?")
                except KeyboardInterrupt:
                    answered = None
                typist.join()
        assert (answered is None) is interrupted and (answered is True or interrupted), (burst, answered)


def _applied_session(**answers: Any) -> Any:
    """A new session (no profile) that connected to the demo account and applied the ANSWERS (one user)."""
    from wizard.session import WizardSession

    s = WizardSession(_cloud, demo=True)
    s.connect()
    s.select_vpc(ANSWERS["VPC"])
    s.answers["subnet_ids"] = list(ANSWERS["Subnets"])
    s.select_domain(ANSWERS["Studio domain"])
    s.answers["access"]["attach"] = {"users": ["alice"], "groups": [], "roles": []}
    s.answers.update(answers)
    s.to_preview()
    plan = s.plan = s.build_plan()
    assert not plan.errors
    s.confirmed_apply(plan, answered=[c.code for c in plan.confirmations])
    assert s.apply(lambda _: None).ok
    return s


def test_every_recovery_file_carries_the_account_it_was_made_against_and_is_refused_in_another(
        tmp_path: Path, monkeypatch, capsys, calls) -> None:  # noqa: ANN001
    """A trial (13): the recovery files of a session started from no profile had account_id null, even after an
    apply, while the commands printed with them are `apply RECOVERY --yes` and `destroy RECOVERY`: in a shell
    pointed at another account they would have acted there. Each recovery file (Ctrl+C, Quit > Discard, Quit >
    Keep, --plain's Ctrl+C) names the account the session connected to, and replaying it elsewhere is refused
    (exit 5) before any change."""
    import dataclasses

    from wizard import discovery
    from wizard.session import WizardSession, load_recovery

    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    s = _applied_session()
    s.answers["access"]["effect"] = "deny"  # a change after the apply: Ctrl+C keeps the answers
    lines = [s.interrupted()]
    s.answers["name"] = "discarded"  # (a file of its own: both are written within the same second)
    lines.append(s.discarded())
    kept = WizardSession(_cloud, demo=True)
    kept.connect()
    kept.answers["name"] = "kept"  # incomplete answers: Quit > Keep
    lines.append(kept.kept_incomplete())
    asker = _ctrl_c_at("Studio domain")({**ANSWERS, "Profile name": "plain"})
    assert run_prompts(_cloud, asker=asker, demo=True) == 130
    recoveries = sorted((state / "studio-vpce").glob("recovery-*.yaml"))
    assert len(recoveries) == 4, recoveries
    for path in recoveries:
        answers = load_recovery(path)
        assert answers is not None and answers["account_id"] == sandbox.DEMO_ACCOUNT, (path, answers)
    replay = next(p for p in recoveries if str(p) in lines[1])  # Discard's: "Remove what was made: destroy ..."
    observe = discovery.observe
    monkeypatch.setattr(discovery, "observe", lambda *a, **k: dataclasses.replace(observe(*a, **k),
                                                                                  account_id="999999999999"))
    capsys.readouterr()
    calls.clear()
    for command in (["apply", str(replay), "--yes", "--confirm-self-lockout"], ["destroy", str(replay), "--yes"]):
        assert cli.main([*command, "--demo"]) == 5, command
        err = capsys.readouterr().err
        assert f"the profile is for account {sandbox.DEMO_ACCOUNT} but the demo sandbox is account 999999999999" \
            in err, err
    assert calls.mutating == []


@pytest.mark.parametrize(("question", "keys", "close"), [
    ("HTTPS (443) source security groups", "\x04", False),  # Ctrl+D in an empty text field
    ("Save the profile to", "\x15\x04", False),  # Ctrl+U (the field empty), then Ctrl+D
    ("Studio domain", "", True),  # a list question whose input ends
    ("Studio domain", "\x04", False),  # Ctrl+D in a list (trial 16: it did nothing there)
    ("Attach to users", "\x04", False),  # and in a checkbox list
])
def test_plain_end_of_input_keeps_the_answers_as_ctrl_c_does(
        question: str, keys: str, close: bool, tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    """A trial (13): Ctrl+D at a --plain question printed "error: EOFError:  (run with --debug for details)", exit
    1, and the answers were lost. End of input is Ctrl+C there: the answers go to a recovery file, the resume
    command is printed, exit 130."""
    from wizard.session import load_recovery

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    asker = _ctrl_c_at(question, keys, close)({**ANSWERS, "Profile name": "eoftest", "Next": "save"})
    assert run_prompts(_cloud, asker=asker, demo=True) == 130
    err = capsys.readouterr().err
    recovery = list((tmp_path / "state" / "studio-vpce").glob("recovery-*.yaml"))
    assert len(recovery) == 1 and err.startswith(f"interrupted (end of input); your answers are in {recovery[0]}"), err
    assert f"Resume with: studio-vpce wizard {recovery[0]} --plain --demo" in err and "EOFError" not in err
    answers = load_recovery(recovery[0])
    assert answers is not None and answers["vpc_id"] == ANSWERS["VPC"]


def test_end_of_input_at_the_apply_question_changes_nothing(tmp_path: Path, monkeypatch, capsys, calls) -> None:  # noqa: ANN001
    """A trial (13): Ctrl+D at apply's "Only 'yes' goes ahead:" said "error: EOFError:", exit 1 (an AWS or runtime
    failure). The CLI: "apply cancelled; nothing was changed", exit 5, as any other answer but yes. --plain: as
    Ctrl+C there (exit 130, the answers kept), saying nothing was changed. The real question, its input ended."""
    import sys

    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)  # a terminal to ask on
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    vpce = str(Path(__file__).parent.parent / "profiles" / "vpce.yaml")
    cloud = _cloud()  # seeding the sandbox writes; count from here
    calls.clear()

    class EndAtYes(Scripted):
        def confirm_changes(self, message):  # noqa: ANN001, ANN202
            with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
                pipe.close()
                return Asker.confirm_changes(self, message)

    assert run_prompts(lambda: cloud, asker=EndAtYes({**ANSWERS, "Next": "apply"}), demo=True) == 130
    err = capsys.readouterr().err
    assert err.startswith("interrupted (end of input) at the apply question (nothing was changed); your answers are"), err
    assert calls.mutating == []
    for command in ("apply", "destroy"):
        if command == "destroy":  # something to destroy
            assert cli.main(["apply", vpce, "--demo", "--yes"]) == 0
            calls.clear()
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            pipe.close()  # what the question reads after Ctrl+D
            assert cli.main([command, vpce, "--demo"]) == 5, command
        err = capsys.readouterr().err
        assert f"error: {command} cancelled; nothing was changed" in err and "EOFError" not in err, err
        assert calls.mutating == []


def _typed_at(typed: dict[str, str]) -> type[Scripted]:
    """A Scripted asker whose text questions named in `typed` (by their start) are the real questionary prompt,
    sent those keys through prompt_toolkit's pipe input (what a terminal sends)."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    class Typed(Scripted):
        def text(self, message, default="", validate=None):  # noqa: ANN001, ANN202
            keys = next((k for prefix, k in typed.items() if message.startswith(prefix)), None)
            if keys is None:
                return super().text(message, default, validate)
            with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
                pipe.send_text(keys)
                return Asker.text(self, message, default, validate)

    return Typed


def test_plain_text_questions_show_the_default_in_brackets_and_an_empty_answer_takes_it(
        tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A trial (13, and before): --plain's text questions pre-filled the default (or the answer given before) and
    typing appended to it: `studio-private` + `abc` was the name `studio-privateabc`, accepted in silence. As `aws
    configure` asks: `Profile name [studio-private]`, the field empty, Enter alone takes the default; what is typed
    replaces it, checked by the same rules; an optional answer is emptied by `-`."""
    import io

    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    from wizard.validators import profile_name

    def name_rule(text: str) -> bool | str:
        return profile_name(text) or True

    def optional_sgs(text: str) -> bool | str:
        return all(item.startswith("sg-") for item in text.split()) or f"{text}: not a security group id"

    def asked(keys: str, default: str, rule: Any) -> tuple[str, str]:
        screen = io.StringIO()
        output = Vt100_Output(screen, lambda: Size(rows=24, columns=100), term="xterm")
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=output):
            pipe.send_text(keys)
            return Asker().text("Profile name" if rule is name_rule else "Security groups", default, rule), \
                screen.getvalue()

    answer, screen = asked("abc\r", "studio-private", name_rule)
    assert answer == "abc" and "Profile name [studio-private]" in screen, screen
    assert asked("\r", "studio-private", name_rule)[0] == "studio-private"
    assert asked("  \r", "studio-private", name_rule)[0] == "studio-private"
    assert asked("-\r\x15ok-name\r", "studio-private", name_rule)[0] == "ok-name"  # `-` is a name here: refused
    answer, screen = asked("-\r", "sg-12345678", optional_sgs)
    assert answer == "" and "Security groups [sg-12345678; - for empty]" in screen, screen
    assert asked("nope\r\x15sg-1\r", "sg-12345678", optional_sgs)[0] == "sg-1"  # typed answers are still checked
    assert asked("\r", "", optional_sgs)[0] == ""  # no default: nothing in brackets, empty is empty

    monkeypatch.chdir(tmp_path)  # the Save step's default: ./NAME.yaml
    asker = _typed_at({"Profile name": "abc\r", "Save the profile to": "\r"})({**ANSWERS, "Next": "save"})
    assert run_prompts(_cloud, asker=asker, demo=True) == 0
    assert load(tmp_path / "abc.yaml").name == "abc"


def test_discard_after_an_apply_says_what_destroy_removes_the_whole_deployment_or_what_was_made(
        tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A trial (13): a session that added one attachment to a deployment of 9 said, after Discard, "Remove what
    was made: studio-vpce destroy RECOVERY"; that destroy removes all 9. When the session created everything the
    profile manages, that line stays; else it says destroy removes everything the profile manages (how many, as
    destroy counts them), that it shows its plan and asks first, and how to undo only this session's change.
    Ctrl+C's line says it the same way."""
    from wizard.discovery import observe
    from wizard.planner import plan_destroy
    from wizard.session import WizardSession

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    first = _applied_session()
    said = first.discarded()
    assert "\nRemove what was made: studio-vpce destroy " in said and "manages" not in said, said
    added = WizardSession(lambda: first.cloud, preload=first.profile(), demo=True)  # the saved profile, loaded
    added.connect()
    added.answers["access"]["attach"]["users"].append("bob")
    added.to_preview()
    plan = added.plan = added.build_plan()
    assert plan.count("create") == 1
    added.confirmed_apply(plan, answered=[c.code for c in plan.confirmations])
    assert added.apply(lambda _: None).ok
    destroys = plan_destroy(observe(added.cloud, added.profile()), added.profile()).count("delete")
    said = added.discarded()
    assert "Remove what was made" not in said, said
    assert (f" --demo --region us-west-2 removes everything profile studio-private manages ({destroys} resources), "
            "not only what this session changed (it shows its plan and asks first); to undo only this session's "
            "changes, resume, change the answers back and apply") in said, said
    added.answers["access"]["effect"] = "deny"  # unsaved: Ctrl+C offers the recovery file's commands
    said = added.interrupted()
    assert f"removes everything profile studio-private manages ({destroys} resources)" in said, said


def test_quit_and_discard_after_an_apply_say_the_profile_is_not_saved_only_when_no_file_holds_the_apply(
        tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A trial (13): applied, saved to a file, one answer changed, Quit: "AWS was changed by this session's apply:
    ...; the profile is not saved", and Discard: "Discarded: the profile is not saved." The file saved holds that
    apply; only the later change is unsaved, and that is what they say. Unsaved applied answers still say the
    profile is not saved."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    s = _applied_session()
    s.answers["access"]["effect"] = "deny"  # applied, then changed: nothing holds the apply
    assert s.quit_changed().endswith("; the profile is not saved.") and s.apply_held_by() is None
    assert s.discarded().startswith("Discarded: the profile is not saved.\n")
    s.answers["access"]["effect"] = "allow"
    saved = s.save(tmp_path / "p.yaml")
    s.answers["access"]["effect"] = "deny"  # a change after saving what was applied
    assert s.quit_asks and s.apply_held_by() == saved
    held = f"the answers applied are in {saved}; your changes since are not saved"
    assert s.quit_changed() == f"{s.aws_changed()}; {held}.", s.quit_changed()
    said = s.discarded()
    assert said.startswith(f"Discarded: {held}.\n") and "the profile is not saved" not in said, said
