"""Rules from the new-user trial, through the command line, in-process, against the demo sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import PROFILES, run
from wizard import cli
from wizard.errors import InvalidInput
from wizard.executor import Executor

VPCE = str(PROFILES / "vpce.yaml")


@pytest.fixture
def refused_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """For refusals due before any AWS account is reached: reaching one (the sandbox too) fails the test at once."""
    def reached(*_: object, **__: object) -> None:
        raise AssertionError("an AWS account (or the demo sandbox) was reached")

    monkeypatch.setattr(cli, "prestart_demo", reached)
    monkeypatch.setattr(cli, "make_cloud", reached)


# ---------------------------------------------------------------- Ctrl+C during apply / destroy

def _ctrl_c_at(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    """Ctrl+C arrives while the executor carries out its `step`-th change (as during an AWS call)."""
    real = Executor._apply
    seen = {"n": 0}

    def apply(self: Executor, change: Any) -> Any:
        seen["n"] += 1
        if seen["n"] == step:
            raise KeyboardInterrupt
        return real(self, change)

    monkeypatch.setattr(Executor, "_apply", apply)


def test_ctrl_c_during_apply_says_what_was_done_and_what_to_do(demo, capsys, monkeypatch) -> None:  # noqa: ANN001
    _ctrl_c_at(monkeypatch, 3)
    code, _, err = run(capsys, "apply", VPCE, "--demo", "--yes")
    assert code == 130
    line = err.strip().splitlines()[-1]
    assert line.startswith("interrupted after 2 of 8 changes (security_group.endpoints, security_group_rule.sg-")
    assert "was under way and may have been made" in line
    assert line.endswith("; run apply again to finish, or destroy to remove what this profile made")
    monkeypatch.undo()
    code, out, _ = run(capsys, "plan", VPCE, "--demo")  # the two changes were made: 6 left
    assert "Plan: 6 to add" in out


def test_ctrl_c_during_destroy_says_run_destroy_again(demo, capsys, monkeypatch) -> None:  # noqa: ANN001
    assert run(capsys, "apply", VPCE, "--demo", "--yes")[0] == 0
    _ctrl_c_at(monkeypatch, 2)
    code, _, err = run(capsys, "destroy", VPCE, "--demo", "--yes")
    line = err.strip().splitlines()[-1]
    assert code == 130 and line.startswith("interrupted after 1 of ") and line.endswith("; run destroy again to finish")
    assert "was under way and may have been deleted" in line and "made" not in line  # said "may have been made"


def test_apply_and_destroy_ask_in_the_words_of_the_plain_wizard() -> None:
    """Found by a trial: the CLI asked "apply these changes" / "destroy these changes" in lower case, where
    --plain asked "Apply in account ...? Plan: ..." (one function now says both)."""
    from types import SimpleNamespace

    plan = SimpleNamespace(account_id="123456789012", changes=(), count={"create": 0, "update": 0, "delete": 7}.__getitem__)
    assert cli.confirm_question(plan, "destroy") == ("Destroy what this profile made in account 123456789012? "
                                                    "Plan: 0 to add, 0 to change, 7 to destroy.")
    assert cli.confirm_question(plan, "apply").startswith("Apply in account 123456789012? Plan: 0 to add, ")


def test_ctrl_c_before_any_change_says_nothing_was_changed(demo, capsys, monkeypatch) -> None:  # noqa: ANN001
    def ctrl_c(*_: Any, **__: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_gate", ctrl_c)  # at the confirmation
    code, _, err = run(capsys, "apply", VPCE, "--demo", "--yes")
    assert code == 130 and err.strip().splitlines()[-1] == "interrupted; nothing was changed"


# ---------------------------------------------------------------- --out into a missing folder

@pytest.mark.parametrize("argv", [("plan", VPCE, "--demo"), ("export", VPCE, "--demo", "--format", "cli")])
def test_out_into_a_missing_folder_is_a_one_line_input_error_and_writes_nothing(
        refused_first, capsys, tmp_path: Path, argv: tuple[str, ...]) -> None:  # noqa: ANN001
    missing = tmp_path / "nope"
    code, out, err = run(capsys, *argv, "--out", str(missing / "x.json"))
    assert code == 3 and out == "", out
    assert err.strip().splitlines() == [(f"error: --out {missing / 'x.json'}: the folder {missing} does not exist; "
                                         "create it first, or choose another path; nothing was written")]
    assert ".tmp" not in err and list(tmp_path.iterdir()) == []


def test_out_naming_a_folder_is_a_one_line_input_error_and_writes_nothing(refused_first, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    code, out, err = run(capsys, "export", VPCE, "--demo", "--format", "cli", "--out", str(tmp_path))
    assert code == 3 and out == "", out
    assert err.strip().splitlines() == [(f"error: --out {tmp_path} is a folder: add a file name, like "
                                         f"{tmp_path / 'studio-vpce.sh'}; nothing was written")]
    assert list(tmp_path.iterdir()) == []


def test_out_that_cannot_be_written_is_an_input_error_and_leaves_no_temporary_file(
        demo, capsys, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    real = Path.replace

    def refuse(self: Path, target: Any) -> Any:
        if self.name.endswith(".tmp"):
            raise PermissionError(13, "Permission denied")
        return real(self, target)

    monkeypatch.setattr(Path, "replace", refuse)
    code, _, err = run(capsys, "export", VPCE, "--demo", "--format", "cli", "--out", str(tmp_path / "x.sh"))
    assert code == 3 and "cannot write it (Permission denied)" in err and list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- profile names and printed commands

def test_a_profile_name_starts_with_a_letter_or_digit_where_typed_and_where_loaded(tmp_path: Path) -> None:
    from wizard import steps, validators
    from wizard.errors import InvalidInput
    from wizard.profiles import load

    assert validators.profile_name("-x") == f"'-x' must be {validators.NAME_RULE}"
    assert "starting with a letter or digit" in validators.NAME_RULE
    assert validators.profile_name("0x-") is None and validators.profile_name("x") is None
    assert steps.NAME.validate(None, "-x") == validators.profile_name("-x")  # the wizard's Name field: same rule
    bad = tmp_path / "p.yaml"
    bad.write_text(Path(VPCE).read_text().replace("name: research-vpce", "name: -x"))
    with pytest.raises(InvalidInput, match=r"p\.yaml:8:\d+: name: '-x' must be .*starting with a letter or digit"):
        load(bad)


def test_printed_commands_pass_a_path_whole_and_never_as_an_option() -> None:
    from wizard.profiles import command_path
    from wizard.session import WizardSession

    assert command_path("-x.yaml") == "./-x.yaml"
    assert command_path("my profiles/a.yaml") == "'my profiles/a.yaml'"
    assert command_path("./a.yaml") == "./a.yaml" and command_path("/tmp/a.yaml") == "/tmp/a.yaml"
    session = WizardSession(lambda: None, demo=True)
    session.saved_path = Path("-x.yaml")
    assert session.replay_command().startswith("studio-vpce apply ./-x.yaml --yes")
    assert session.resume_command(Path("/state dir/recovery-x.yaml")) == \
        "studio-vpce wizard '/state dir/recovery-x.yaml' --demo"


def test_the_apply_command_plan_prints_for_a_dash_file_runs(demo, capsys, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import shlex

    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "plan", VPCE, "--demo", "--out=-p.json")
    command = err.strip().splitlines()[-1].split("apply it with: ", 1)[1]
    assert code == 0 and command == "studio-vpce apply ./-p.json --demo"
    assert run(capsys, *shlex.split(command)[1:], "--yes")[0] == 0


# ---------------------------------------------------------------- plan and verify wording

def _with_s3(tmp_path: Path) -> str:
    path = tmp_path / "s3.yaml"
    path.write_text(Path(VPCE).read_text().replace("extra: []", "extra: [s3]"))
    return str(path)


def test_the_443_rule_line_says_which_group_it_is_added_to(demo, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "plan", VPCE, "--demo")
    rule = next(line for line in out.splitlines() if "+ security_group_rule.sg-" in line)
    source = rule.split("security_group_rule.", 1)[1].split()[0]
    assert code == 0 and f"ingress tcp/443 on studio-vpce-research-vpce from {source}" in rule, rule


def test_a_gateway_endpoint_is_described_on_route_tables_not_subnets(demo, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    out = run(capsys, "plan", _with_s3(tmp_path), "--demo")[1]
    line = next(line for line in out.splitlines() if "+ vpc_endpoint.s3" in line)
    assert "gateway on route table" in line and " rtb-" in line, line
    assert "subnet(s)" not in line and "private DNS" not in line, line


def test_verify_says_private_dns_enabled_on_the_endpoint(demo, capsys) -> None:  # noqa: ANN001
    assert run(capsys, "apply", VPCE, "--demo", "--yes")[0] == 0
    code, out, _ = run(capsys, "verify", VPCE, "--demo")
    line = next(line for line in out.splitlines() if "endpoint_studio_private_dns" in line)
    assert code == 0 and "private DNS enabled on vpce-" in line and " on on " not in out, line


def test_plan_json_on_stdout_marks_the_demo_sandbox_and_the_caller(demo, capsys) -> None:  # noqa: ANN001
    import json

    data = json.loads(run(capsys, "plan", VPCE, "--demo", "--output", "json")[1])
    assert data["demo"] is True and data["caller"].startswith("arn:aws:")


def test_verify_checks_a_gateway_endpoint_by_its_route_tables_not_dns_or_443(demo, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    profile = _with_s3(tmp_path)
    assert run(capsys, "apply", profile, "--demo", "--yes")[0] == 0
    code, out, _ = run(capsys, "verify", profile, "--demo")
    assert code == 0, out
    assert "ok endpoint_s3_available" in out and "endpoint_s3_private_dns" not in out and "_to_s3" not in out


# ---------------------------------------------------------------- the typed yes: exactly what the prompt says

def test_a_typed_yes_is_only_the_word_yes_as_the_prompt_says() -> None:
    from wizard.validators import typed_yes

    assert typed_yes("yes") and typed_yes(" yes\n")
    assert not any(typed_yes(t) for t in ("YES", "Yes", "y", "yess", "", None, "yes please"))


async def test_the_tuis_self_lockout_typed_yes_takes_only_the_word_yes_like_the_cli() -> None:
    from textual.app import App

    from screens.modals import ConfirmRisk
    from wizard.models import Confirmation

    answers: list[bool | None] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ConfirmRisk(Confirmation("self_lockout", "You lose access. Go ahead?")),
                             lambda answer: answers.append(answer))  # (conftest's count of a partial of a builtin fails)

    async with Host().run_test() as pilot:
        await pilot.pause(ConfirmRisk.ARMING_SECONDS + 0.1)
        await pilot.press(*"YES", "enter")
        await pilot.pause()
        assert answers == []
        await pilot.press(*"yes", "enter")
        await pilot.pause()
        assert answers == [True]


def test_an_apply_stopped_before_its_first_change_says_nothing_was_changed_and_offers_no_destroy() -> None:
    """Found by a new user: Ctrl+C in the wizard before the first step said 'destroy to undo', though nothing was
    made, and destroy would remove the profile's working setup (the plan only changed existing endpoints)."""
    from types import SimpleNamespace

    stop = SimpleNamespace(changes_done=[], total=2, under_way=None)
    line = cli.interrupted_message(stop, "apply")
    assert line == "interrupted after 0 of 2 changes; nothing was changed; run apply again to carry out the plan"
    line = cli.interrupted_message(stop, "destroy")
    assert line == "interrupted after 0 of 2 changes; nothing was changed; run destroy again to carry out the plan"


@pytest.mark.parametrize("argv", [("plan", VPCE, "--demo"), ("export", VPCE, "--demo", "--format", "terraform")])
def test_out_where_no_file_can_be_made_is_refused_before_anything_is_printed(
        refused_first, capsys, argv: tuple[str, ...]) -> None:  # noqa: ANN001
    """`plan --out /sys/x.json` printed the whole plan, then the error: the folder is tried first (a file made
    and removed) as the missing-folder check is. /proc takes no new file on Linux, even for root."""
    if not Path("/proc/version").exists():
        pytest.skip("needs Linux's /proc (a folder where no file can be made, even by root)")
    code, out, err = run(capsys, *argv, "--out", "/proc/x.json")
    assert code == 3 and out == "", out
    assert err.strip().splitlines() == [("error: --out /proc/x.json: cannot create a file in /proc (No such file "
                                         "or directory); choose another path; nothing was written")]


def test_out_onto_a_read_only_file_gives_the_real_reason(refused_first, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """`export --out /proc/version` said "(No such file or directory)" (the temporary file's error)."""
    target = tmp_path / "locked.sh"
    target.write_text("kept\n")
    target.chmod(0o444)
    code, out, err = run(capsys, "export", VPCE, "--demo", "--format", "cli", "--out", str(target))
    assert code == 3 and out == ""
    assert err.strip() == (f"error: --out {target}: cannot write it (the file is read-only); choose another path; "
                           "nothing was written")
    assert target.read_text() == "kept\n" and sorted(p.name for p in tmp_path.iterdir()) == ["locked.sh"]


@pytest.mark.parametrize(("fmt", "name"), [("terraform", "main.tf"), ("cloudformation", "template.yaml"),
                                           ("cli", "studio-vpce.sh")])
def test_out_naming_a_folder_suggests_a_file_name_with_the_formats_extension(
        fmt: str, name: str, refused_first, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    code, _, err = run(capsys, "export", VPCE, "--demo", "--format", fmt, "--out", str(tmp_path))
    assert code == 3 and f"add a file name, like {tmp_path / name};" in err
    code, _, err = run(capsys, "plan", VPCE, "--demo", "--out", str(tmp_path))
    assert code == 3 and f"add a file name, like {tmp_path / 'plan.json'};" in err


def test_out_ending_in_a_slash_names_a_folder_and_is_refused(tmp_path: Path) -> None:
    """The wizard's Save rule, which --out shares (validators.save_path): `--out x-out/` wrote a file x-out."""
    with pytest.raises(InvalidInput, match=r"x-out is a folder: add a file name, like .*x-out/main\.tf;"):
        cli._check_out(f"{tmp_path}/x-out/", "terraform")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [("plan",), ("export", "--format", "cli")])
def test_out_naming_the_profile_being_read_is_refused(
        refused_first, capsys, tmp_path: Path, argv: tuple[str, ...]) -> None:  # noqa: ANN001
    """`plan p.yaml --out p.yaml` replaced the profile with its plan."""
    own = tmp_path / "p.yaml"
    own.write_text(Path(VPCE).read_text())
    code, out, err = run(capsys, argv[0], str(own), *argv[1:], "--demo", "--out", str(tmp_path / "." / "p.yaml"))
    assert (code, out) == (3, "") and f"--out {own} is the profile being read" in err
    assert own.read_text() == Path(VPCE).read_text()


def test_out_given_empty_is_refused_not_taken_for_stdout(refused_first, capsys) -> None:  # noqa: ANN001
    code, out, err = run(capsys, "export", VPCE, "--demo", "--format", "cli", "--out", "")
    assert (code, out) == (3, "")
    assert err.strip() == "error: --out (empty): type a file name to save to; nothing was written"


def test_wizard_save_refuses_a_read_only_file_and_a_folder_where_no_file_can_be_made(tmp_path: Path) -> None:
    """The union of the two save rules: what --out refused, the wizard's Save now refuses too, before the
    Overwrite question (which a read-only file made pointless)."""
    from wizard.session import WizardSession

    locked = tmp_path / "locked.yaml"
    locked.write_text("kept\n")
    locked.chmod(0o444)
    session = WizardSession(lambda: None)
    assert session.check_save_path(locked)[1] == f"{locked}: cannot write it (the file is read-only); choose another path"
    if Path("/proc/version").exists():
        assert "cannot create a file in /proc" in (session.check_save_path("/proc/p.yaml")[1] or "")
    assert session.check_save_path(tmp_path / "fine.yaml") == (tmp_path / "fine.yaml", None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked.yaml"]


def test_wizard_save_takes_only_a_yaml_or_yml_file_name(tmp_path: Path) -> None:
    """Found by trial 12: a burst on the Save step replaced the path with its first key and saved profiles named
    '1' and 'd  0'. A profile's file name ends in .yaml or .yml (either case), in the TUI and in --plain."""
    from wizard.session import WizardSession

    session = WizardSession(lambda: None)
    for name in ("1", "d  0", "profile.json", "studio.yaml.bak"):
        target, reason = session.check_save_path(tmp_path / name)
        assert reason == f"{target}: a profile's file name ends in .yaml or .yml, like {name}.yaml", reason
    for name in ("a.yaml", "b.yml", "C.YAML"):
        assert session.check_save_path(tmp_path / name) == (tmp_path / name, None)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [("plan", VPCE, "--demo"), ("export", VPCE, "--demo", "--format", "terraform")])
def test_out_never_replaces_a_file_studio_vpce_did_not_write(
        refused_first, capsys, tmp_path: Path, argv: tuple[str, ...]) -> None:  # noqa: ANN001
    """A trial (11, MEDIUM): `plan --out main.tf` replaced the user's own Terraform, saying so only afterwards; an
    export replaced an export of another format. --out replaces only an empty file, a plan file (plan), or an
    export of the same format; anything else is refused before any AWS call, the file untouched."""
    theirs = tmp_path / "main.tf"
    theirs.write_text("my hand-written terraform\n")
    code, out, err = run(capsys, *argv, "--out", str(theirs))
    assert (code, out) == (3, "") and theirs.read_text() == "my hand-written terraform\n"
    assert err.startswith(f"error: --out {theirs} exists and is not a studio-vpce ") and "nothing was written" in err
    kind = "plan" if argv[0] == "plan" else argv[-1]
    empty, plan_file, cli_export = tmp_path / "empty", tmp_path / "plan.json", tmp_path / "x.sh"
    empty.write_text("")
    plan_file.write_text(json.dumps({"format_version": 1, "fingerprint": "f", "changes": []}))
    cli_export.write_text("#!/usr/bin/env bash\n# studio-vpce profile research-vpce: the resources ...\n")
    assert cli._replaceable(empty, kind)
    assert cli._replaceable(plan_file, kind) is (kind == "plan")
    assert cli._replaceable(cli_export, kind) is False and cli._replaceable(cli_export, "cli") is True
