"""SPEC 2 and 6-8 through the command line, in-process, against the demo sandbox."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import boto3
import botocore.exceptions
import pytest

from conftest import PROFILES, run
from wizard import cli, sandbox
from wizard.cloud import Cloud, resolve_region
from wizard.errors import ConfigProblem

VPCE = str(PROFILES / "vpce.yaml")


@pytest.fixture
def refused_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """For refusals due before any AWS account is reached: reaching one (the sandbox too) fails the test at
    once, and costs no sandbox (cheaper than the demo fixture, and honest: the rule is that nothing is reached)."""
    def reached(*_: object, **__: object) -> None:
        raise AssertionError("an AWS account (or the demo sandbox) was reached")

    monkeypatch.setattr(cli, "prestart_demo", reached)
    monkeypatch.setattr(cli, "make_cloud", reached)


def test_plan_text_lists_changes_policies_and_the_summary_and_changes_nothing(demo, capsys, calls) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "plan", VPCE, "--demo")
    assert code == 0 and calls.log and calls.mutating == []  # plan is read-only (every call counted)
    assert "+ vpc_endpoint.studio" in out and "+ iam_policy.access" in out
    assert "Identity policy SageMakerStudioPrivateAccess-research-vpce:" in out
    assert "(known after apply)" in out and "DEMO" in out
    assert out.rstrip().endswith("Plan: 8 to add, 0 to change, 0 to destroy.")


def test_plan_json_is_one_object_with_the_specs_keys(demo, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "plan", VPCE, "--demo", "--output", "json")
    data = json.loads(out)
    assert code == 0 and data["format_version"] == 1 and data["profile"] == "research-vpce"
    assert {c["action"] for c in data["changes"]} <= {"create", "update", "delete", "no-op"}


def test_detailed_exitcode_is_2_when_there_are_changes_and_0_when_none(demo, capsys) -> None:  # noqa: ANN001
    assert run(capsys, "plan", VPCE, "--demo", "--detailed-exitcode")[0] == 2
    assert run(capsys, "apply", VPCE, "--demo", "--yes")[0] == 0
    code, out, _ = run(capsys, "plan", VPCE, "--demo", "--detailed-exitcode")
    assert code == 0 and "No changes" in out


def test_plan_with_errors_exits_3_and_is_still_printed_in_full_and_export_refuses_it(
        demo, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """Also found by a trial (7): `export` of such a profile wrote the whole template or script and exited 3
    without a word: infrastructure code for what apply refuses. Now it writes nothing and names the errors."""
    bad = tmp_path / "p.yaml"
    bad.write_text(Path(VPCE).read_text().replace("subnet-fcae4f85ccdd1756c", "subnet-d2c4c194b1dbc4b3d"))
    code, out, _ = run(capsys, "plan", str(bad), "--demo")
    assert code == 3 and "duplicate_az" in out and "Plan: " in out
    target = tmp_path / "x.sh"
    code, out, err = run(capsys, "export", str(bad), "--demo", "--format", "cli", "--out", str(target))
    assert (code, out) == (3, "") and not target.exists()
    assert err.startswith(f"export refused: the plan has 1 error(s), which apply refuses too; nothing was written to "
                          f"{target}:\n  x duplicate_az: subnets ")
    code, out, err = run(capsys, "export", str(bad), "--demo", "--format", "terraform")
    assert (code, out) == (3, "") and "x duplicate_az" in err


def test_terraform_and_cloudformation_exports_say_a_reused_endpoint_they_declare_anew_is_refused(
        demo, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """Review 16 (M5): the plan reuses an API endpoint made outside studio-vpce (endpoint_reused), while the
    Terraform and CloudFormation exports declared a second private-DNS endpoint for it, which AWS refuses in that
    VPC (conflicting DNS domain), and exited 0 without a word. Each says so, on stderr and in the file's header,
    with what to do; the CLI script (which uses that endpoint as it is) says nothing of it."""
    found = demo.client("ec2").create_vpc_endpoint(
        VpcId="vpc-e330ccb17b3f6f8b1", ServiceName="com.amazonaws.us-west-2.sagemaker.api", VpcEndpointType="Interface",
        SubnetIds=["subnet-1c535523a350b2a6d"], PrivateDnsEnabled=True)["VpcEndpoint"]["VpcEndpointId"]
    for fmt in ("terraform", "cloudformation"):
        target = tmp_path / f"out.{fmt}"
        code, out, err = run(capsys, "export", VPCE, "--demo", "--format", fmt, "--out", str(target))
        assert code == 0 and out == "", err
        [line] = [line for line in err.splitlines() if "endpoint_reused" in line]
        assert line.startswith(f"  ! endpoint_reused: {found} (com.amazonaws.us-west-2.sagemaker.api) already serves "
                               "vpc-e330ccb17b3f6f8b1 with private DNS and was not made by studio-vpce: "), line
        assert "AWS refuses" in line and "`studio-vpce apply`" in line, line
        assert err.startswith(f"export: this {'Terraform configuration' if fmt == 'terraform' else 'CloudFormation template'} "
                              "does not do what apply would in account 123456789012 (us-west-2)"), err
        text = target.read_text()
        assert f"# ! {line.strip()[2:]}" in text.split("\nresource ", 1)[0].split("\nResources:", 1)[0], fmt
    code, _, err = run(capsys, "export", VPCE, "--demo", "--format", "cli")
    assert code == 0 and "endpoint_reused" not in err


def test_terraform_and_cloudformation_exports_say_the_profile_is_deployed_here_already(
        demo, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """The export helper's note: after `apply`, a Terraform or CloudFormation export in the same account declared
    the endpoints again beside the ones apply made (AWS refuses the private-DNS ones), without a word. Said; not
    for a re-export of the stack's own deployment (its endpoints carry studio-vpce:deployed-by of that tool)."""
    assert run(capsys, "apply", VPCE, "--demo", "--yes")[0] == 0
    for fmt in ("terraform", "cloudformation"):
        code, _, err = run(capsys, "export", VPCE, "--demo", "--format", fmt)
        lines = [line for line in err.splitlines() if "already_deployed" in line]
        assert code == 0 and len(lines) == 2 and "made in vpc-e330ccb17b3f6f8b1 by studio-vpce apply or the cli " \
            "script: this export declares it again" in lines[0], err
    ec2 = demo.client("ec2")
    ours = [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]
            if {"Key": "studio-vpce:profile", "Value": "research-vpce"} in e.get("Tags", [])]
    ec2.create_tags(Resources=ours, Tags=[{"Key": "studio-vpce:deployed-by", "Value": "terraform"}])
    code, _, err = run(capsys, "export", VPCE, "--demo", "--format", "terraform")
    assert code == 0 and "already_deployed" not in err, err  # the stack's own deployment, exported again
    code, _, err = run(capsys, "export", VPCE, "--demo", "--format", "cloudformation")
    assert code == 0 and "by terraform: this export declares it again" in err, err
    assert "remove this deployment first (`terraform destroy` in its configuration)" in err  # (trial 18: it said
    # studio-vpce destroy, which refuses a stack's deployment)


def test_an_edited_profile_of_a_stack_deployment_exports_for_that_stack_only(demo, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """Trial 17: deployed_by_stack says to export the edited profile again and deploy it with the stack's tool,
    and export refused that very error (a dead end). The same format exports; another still refuses."""
    assert run(capsys, "apply", VPCE, "--demo", "--yes")[0] == 0
    ec2 = demo.client("ec2")
    mine = [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]
            if {"Key": "studio-vpce:profile", "Value": "research-vpce"} in e.get("Tags", [])]
    mine += [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]
             if {"Key": "studio-vpce:profile", "Value": "research-vpce"} in g.get("Tags", [])]
    ec2.create_tags(Resources=mine, Tags=[{"Key": "studio-vpce:deployed-by", "Value": "terraform"}])
    edited = tmp_path / "edited.yaml"
    edited.write_text(Path(VPCE).read_text().replace("allow_from_cidrs: []", "allow_from_cidrs: [10.20.0.0/16]"))
    code, out, err = run(capsys, "plan", str(edited), "--demo")
    assert code == 3 and "deployed_by_stack" in out + err
    code, out, err = run(capsys, "export", str(edited), "--demo", "--format", "terraform")
    assert code == 0 and '"10.20.0.0/16"' in out and "export refused" not in err, err
    code, out, err = run(capsys, "export", str(edited), "--demo", "--format", "cloudformation")
    assert (code, out) == (3, "") and "x deployed_by_stack: this profile's deployment here was made by Terraform" in err


def test_terraform_and_cloudformation_exports_name_the_vpc_attribute_commands_to_run_first(
        demo, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """Review 16 (M6): with dns.fix_vpc_attributes the plan turns enableDnsHostnames on (the analytics VPC has it
    off); only the CLI script did it, the Terraform and CloudFormation exports dropped it without a word, and their
    private-DNS endpoints then failed to create. Neither can change a VPC it does not own: each names the command
    to run first (one attribute a call), on stderr and in its header; Terraform also stops at plan time on such a
    VPC (a postcondition on data.aws_vpc.this)."""
    fixattr = tmp_path / "fixattr.yaml"
    fixattr.write_text("version: 1\nname: r16-fixattr\nregion: us-west-2\nvpc_id: vpc-8835a48a96ffd84bf\n"
                       "subnet_ids: [subnet-ccb2a18a7413d6791, subnet-7870866a9ca9f30dd]\ndomain_id: d-lab\n"
                       "dns: {mode: private-dns, fix_vpc_attributes: true}\naccess: {mode: none}\n")
    command = "`aws ec2 modify-vpc-attribute --vpc-id vpc-8835a48a96ffd84bf --enable-dns-hostnames \'{\"Value\":true}\'`"
    for fmt in ("terraform", "cloudformation"):
        target = tmp_path / f"out.{fmt}"
        code, _, err = run(capsys, "export", str(fixattr), "--demo", "--format", fmt, "--out", str(target))
        assert code == 0, err
        [line] = [line for line in err.splitlines() if "dns_hostnames_off" in line]
        assert line.startswith("  ! dns_hostnames_off: vpc-8835a48a96ffd84bf has enableDnsHostnames off") and \
            line.endswith(f"turn it on before you deploy: {command}"), line
        assert "enable-dns-support" not in err  # on already: nothing to run
        text = target.read_text()
        assert f"\n# ! {line.strip()[2:]}\n" in text, fmt
    tf = (tmp_path / "out.terraform").read_text()
    assert "    postcondition {\n      condition     = self.enable_dns_support && self.enable_dns_hostnames\n" in tf
    code, _, err = run(capsys, "export", str(fixattr), "--demo", "--format", "cli")
    assert code == 0 and "dns_hostnames_off" not in err


def test_a_plan_with_errors_saved_with_out_says_it_cannot_be_applied(demo, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """Found by a new user: `plan --out` with errors (exit 3) printed "apply it with: ..." for a plan apply refuses."""
    bad = tmp_path / "p.yaml"
    bad.write_text(Path(VPCE).read_text().replace("subnet-fcae4f85ccdd1756c", "subnet-d2c4c194b1dbc4b3d"))
    planfile = tmp_path / "plan.json"
    code, _, err = run(capsys, "plan", str(bad), "--demo", "--out", str(planfile))
    assert code == 3 and planfile.exists()  # saved, as --out does (for review)
    assert "apply it with" not in err and "has errors" in err and "cannot be applied" in err
    code, _, err = run(capsys, "apply", str(planfile), "--demo", "--yes")
    assert code != 0 and "errors" in err


def test_saved_plan_applies_exactly_a_stale_one_is_refused_and_a_resealed_one_is_not_called_stale(
        demo, capsys, tmp_path: Path, calls) -> None:  # noqa: ANN001
    """Also found by a trial (F11): the profile under `inputs` edited (moto attached too, then effect deny) and
    the digest recomputed was refused (exit 5) as "stale: the account changed", though it had not. Said now as
    what it is: the file says something else than its own profile plans, with any account."""
    planfile = tmp_path / "plan.json"
    assert run(capsys, "plan", VPCE, "--demo", "--out", str(planfile))[0] == 0
    data = json.loads(planfile.read_text())
    sealed = tmp_path / "sealed.json"
    access = data["inputs"]["profile"]["access"]
    for edit, said in (("users", "its principals to attach are not the profile's (user moto is only in the profile)"),
                       ("effect", "its identity policy is not the profile's")):
        if edit == "users":
            access["attach"]["users"].append("moto")
        else:
            access["effect"] = "deny"
        data["digest"] = cli._plan_digest(data)
        sealed.write_text(json.dumps(data))
        calls.clear()
        code, _, err = run(capsys, "apply", str(sealed), "--demo", "--yes", "--confirm-self-lockout")
        assert code == 5 and calls.mutating == [] and "stale" not in err and "was edited" not in err, err
        assert f"{sealed} says something else than its own profile (under `inputs`) plans, whatever the account " \
               f"holds: {said}" in err and err.strip().count("\n") == 0
    # the account moves: someone adds an API endpoint in the VPC
    ec2 = sandbox.demo_session("us-west-2").client("ec2")
    ec2.create_vpc_endpoint(VpcId="vpc-e330ccb17b3f6f8b1", ServiceName="com.amazonaws.us-west-2.sagemaker.api",
                            VpcEndpointType="Interface")
    calls.clear()
    code, _, err = run(capsys, "apply", str(planfile), "--demo", "--yes")
    assert code == 5 and "stale" in err and calls.mutating == []
    # stale and edited (trial 11): the reason named a change the account's move caused, not the edit
    edited = json.loads(planfile.read_text())
    edited["warnings"] = []
    planfile.write_text(json.dumps(edited))
    code, _, err = run(capsys, "apply", str(planfile), "--demo", "--yes")
    assert code == 5 and calls.mutating == [] and err.strip() == (
        f"error: {planfile} was edited since `plan` wrote it (its digest does not match its content), and what it "
        "reads of the account differs from what was planned (the account changed since, or the edit changed what is "
        "read); a plan file is applied exactly or not at all: nothing was changed; run plan again"), err
    code, _, err = run(capsys, "plan", VPCE, "--demo", "--out", str(planfile))
    assert code == 0 and f"Saved the plan to {planfile} (it replaced the file that was there);" in err  # said
    code, out, _ = run(capsys, "apply", str(planfile), "--demo", "--yes")
    assert code == 0 and "apply complete" in out


def test_apply_without_yes_and_without_a_terminal_refuses_and_changes_nothing(demo, capsys, calls) -> None:  # noqa: ANN001
    code, _, err = run(capsys, "apply", VPCE, "--demo")
    assert code == 5 and "--yes" in err and calls.mutating == []


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_keys_typed_while_apply_plans_are_not_echoed_and_the_echo_comes_back_at_the_question(
        cloud, capsys, monkeypatch) -> None:  # noqa: ANN001
    """Found by a trial: keys typed while `apply` (no --yes) made its plan were echoed by the terminal above the
    yes question. The echo is off while the plan is made; it is on again at the question (which drops and counts
    those keys), and after Ctrl+C while planning."""
    import select
    import sys
    import termios

    from wizard.discovery import observe
    from wizard.planner import plan

    master, slave = os.openpty()
    seen: dict[str, object] = {}

    def echoed(keys: bytes) -> bytes:  # what the terminal shows of keys typed now
        os.write(master, keys)
        return os.read(master, 100) if select.select([master], [], [], 0.05)[0] else b""

    def planning(args, profile, where):  # noqa: ANN001, ANN202
        seen["while planning"] = echoed(b"yes\r")
        if seen.get("interrupt"):
            raise KeyboardInterrupt
        return cloud, None, plan(observe(cloud, profile), profile)

    def question(text: str) -> bool:
        seen["held"] = bool(select.select([slave], [], [], 0)[0])  # for the question to drop and count (ask_yes)
        seen["at the question"] = echoed(b"n")
        return False

    with os.fdopen(slave, "r") as terminal:
        monkeypatch.setattr(sys, "stdin", terminal)
        monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
        monkeypatch.setattr(cli, "_observe_and_plan", planning)
        monkeypatch.setattr(cli, "_confirm", question)
        code, _, err = run(capsys, "apply", VPCE)
        assert code == 5 and "cancelled" in err
        assert seen == {"while planning": b"", "held": True, "at the question": b"n"}, seen
        assert termios.tcgetattr(slave)[3] & termios.ECHO
        seen.clear()
        seen["interrupt"] = True
        code, _, err = run(capsys, "apply", VPCE)
        assert code == 130 and seen["while planning"] == b""
        assert termios.tcgetattr(slave)[3] & termios.ECHO, "the echo stayed off after Ctrl+C"
    os.close(master)


def test_demo_reads_no_aws_variable_nor_config_and_a_missing_aws_profile_is_named_with_where_it_came_from(
        capsys, monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    """Found by a trial (9): AWS_PROFILE naming a profile this machine lacks ended every --demo command in
    "ProfileNotFound ... (run with --debug for details)", exit 1 (README: your AWS config is not read with --demo),
    AWS_MAX_ATTEMPTS=abc in ValueError; without --demo it said "AWS profile None not found ... drop --aws-profile".
    The sandbox's sessions (the CLI's, and the wizard's discovery child's) read none of it. (Checked on the
    sessions: moto hosted in this process, as tests host it, makes botocore sessions of its own that do read it;
    the sandbox's server process is started without any AWS_* variable.)"""
    from wizard.isolated import _cloud
    from wizard.sandbox import demo_session

    config = tmp_path / "config"
    config.write_text("[default]\nmax_attempts = abc\nretry_mode = bogus\n")
    for var, value in (("AWS_PROFILE", "nonexist"), ("AWS_MAX_ATTEMPTS", "abc"), ("AWS_RETRY_MODE", "bogus"),
                       ("AWS_CONFIG_FILE", str(config))):
        monkeypatch.setenv(var, value)
    session = demo_session("us-west-2")
    assert session._session.get_scoped_config() == {} and session.region_name == "us-west-2"
    session.client("ec2", endpoint_url="http://127.0.0.1:9")  # AWS_MAX_ATTEMPTS=abc: ValueError when read
    child = _cloud("us-west-2", demo=True)  # the wizard's discovery child, for the demo
    assert child.session._session.get_scoped_config() == {} and child._config.retries == {"mode": "standard"}
    code, _, err = run(capsys, "plan", VPCE)
    assert code == 4 and err.strip() == ("error: AWS profile 'nonexist' (from AWS_PROFILE) not found: check "
                                         "~/.aws/config, or unset AWS_PROFILE, or try --demo")
    code, _, err = run(capsys, "plan", VPCE, "--aws-profile", "other")
    assert code == 4 and "AWS profile 'other' (--aws-profile) not found" in err


def test_destroy_without_yes_and_without_a_terminal_refuses(demo, capsys, calls) -> None:  # noqa: ANN001
    assert run(capsys, "apply", VPCE, "--demo", "--yes")[0] == 0
    calls.clear()
    code, _, _err = run(capsys, "destroy", VPCE, "--demo")
    assert code == 5 and calls.mutating == []


def test_self_lockout_needs_an_explicit_confirmation_besides_yes(demo, capsys, tmp_path: Path, calls) -> None:  # noqa: ANN001
    p = tmp_path / "p.yaml"
    p.write_text(Path(VPCE).read_text().replace("groups: [], roles: [StudioUsers]", "groups: [platform-admins], roles: []"))
    code, _, err = run(capsys, "apply", str(p), "--demo", "--yes")
    assert code == 5 and "--confirm-self-lockout" in err and calls.mutating == []
    assert run(capsys, "apply", str(p), "--demo", "--yes", "--confirm-self-lockout")[0] == 0


def test_account_guard_refuses_another_account(demo, capsys, tmp_path: Path, calls) -> None:  # noqa: ANN001
    p = tmp_path / "p.yaml"
    p.write_text(Path(VPCE).read_text().replace('"123456789012"', '"999999999999"'))
    code, _, err = run(capsys, "apply", str(p), "--demo", "--yes")
    assert code == 5 and "999999999999" in err and calls.mutating == []
    # with --demo there are no credentials to switch (--aws-profile is refused with it): a trial, 9
    assert "the demo sandbox is account 123456789012: fix account_id" in err and "--aws-profile" not in err
    # every command that reads the account refuses the same way, verify too (trial 16: it printed 13 `ok` lines
    # about the other account first, and --presigned-url would have asked it for a login URL)
    for command in (["plan"], ["destroy", "--yes"], ["verify", "--user-profile", "alice", "--presigned-url"],
                    ["audit"]):
        calls.clear()
        code, out, err = run(capsys, command[0], str(p), "--demo", *command[1:])
        assert (code, out) == (5, "") and err.count("\n") == 1 and "999999999999" in err, (command, out, err)
        assert not [c for c in calls.log if c[1] == "CreatePresignedDomainUrl"] and calls.mutating == [], command


def test_apply_destroy_round_trip_in_the_demo(demo, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "apply", VPCE, "--demo", "--yes")
    # --yes prints the plan first, as terraform apply -auto-approve does: a CI log keeps what was applied and the
    # policies it wrote (trial 16: only the progress lines)
    assert code == 0 and out.index("Plan: ") < out.index("apply complete") and '"aws:sourceVpce"' in out
    code, out, _ = run(capsys, "verify", VPCE, "--demo", "--user-profile", "alice")
    assert code == 0 and "FAIL" not in out
    # the sandbox answers InService for any user profile name: the line says so (a trial's typo passed silently)
    assert "ok user_profile: alice is InService (DEMO sandbox: it answers InService for any name" in out
    assert run(capsys, "destroy", VPCE, "--demo", "--yes")[0] == 0
    code, out, _ = run(capsys, "destroy", VPCE, "--demo", "--yes")
    assert code == 0 and "Nothing to destroy" in out


def test_verify_fails_before_apply(demo, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "verify", VPCE, "--demo")
    assert code == 1 and "FAIL matches_profile" in out


def test_presigned_url_is_reported_by_host_only_and_never_leaks(demo, capfd) -> None:  # noqa: ANN001
    assert cli.main(["apply", VPCE, "--demo", "--yes"]) == 0
    code = cli.main(["verify", VPCE, "--demo", "--user-profile", "alice", "--presigned-url", "--show-url", "--debug"])
    out, err = capfd.readouterr()
    assert code == 0
    assert "d-research.studio.us-west-2.sagemaker.aws" in out
    assert "(DEMO sandbox: it makes a fake URL for any name)" in out  # a trial (11): a made-up name passed silently
    assert sandbox.DEMO_TOKEN not in out + err
    assert "AuthorizedUrl" not in out


def test_presigned_url_needs_a_user_profile(capsys) -> None:  # noqa: ANN001
    code, _, err = run(capsys, "verify", VPCE, "--presigned-url")
    assert code == 3 and "--user-profile" in err


def test_out_dash_is_refused_not_written_as_a_file_named_dash(capsys, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Trial 16: `plan --out -` wrote a file named '-' (the Unix habit for stdout)."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "plan", VPCE, "--demo", "--out", "-")
    assert (code, out) == (3, "") and err == ("error: --out takes a file path, not '-': `--output json` prints the "
                                              "plan as JSON; nothing was written\n")
    code, out, err = run(capsys, "export", VPCE, "--demo", "--format", "cli", "--out", "-")
    assert (code, out) == (3, "") and "without --out it goes to stdout" in err
    assert not (tmp_path / "-").exists()


def test_show_url_needs_presigned_url(refused_first, capsys, calls) -> None:  # noqa: ANN001
    """`verify --show-url` alone ran every check and printed no URL, saying nothing of why."""
    code, out, err = run(capsys, "verify", VPCE, "--demo", "--user-profile", "alice", "--show-url")
    assert (code, out, calls.log) == (3, "", []) and err == ("error: --show-url needs --presigned-url (and "
                                                              "--user-profile NAME): it prints the URL that "
                                                              "--presigned-url makes\n")  # (trial 16: cut short)


def test_discover_json_is_one_object_with_the_specs_keys(demo, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "discover", "--demo", "--output", "json")
    data = json.loads(out)
    assert code == 0
    assert {"account_id", "region", "vpcs", "domains", "endpoints", "security_groups", "principals"} <= set(data)
    assert set(data["principals"]) == {"users", "groups", "roles"}
    assert all("subnets" in v for v in data["vpcs"])


def test_discover_table_labels_the_demo(demo, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "discover", "--demo")
    assert code == 0 and "DEMO" in out and "research" in out


# ---------------------------------------------------------------- region, credentials, flags

def test_region_from_aws_region_wins_over_aws_default_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert resolve_region(None, None, "us-west-2") == ("eu-west-1", "AWS_REGION")
    assert resolve_region("ap-south-1", None, "us-west-2")[0] == "ap-south-1"


def test_region_falls_back_to_the_profile_file(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_region(None, None, "us-west-2") == ("us-west-2", "the profile file")


def test_profile_region_contradicting_the_resolved_one_is_an_error(monkeypatch, capsys, calls) -> None:  # noqa: ANN001
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    code, _, err = run(capsys, "plan", VPCE)
    line = next(n for n, text in enumerate(Path(VPCE).read_text().splitlines(), 1) if text.startswith("region:"))
    assert code == 3 and f"{VPCE}:{line}:9: region:" in err and "eu-west-1" in err and calls.log == []


def test_no_credentials_is_exit_4_with_the_fix(monkeypatch, capsys) -> None:  # noqa: ANN001
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, _, err = run(capsys, "plan", VPCE, "--endpoint-url", "http://127.0.0.1:9")
    assert code == 4 and "credentials" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_aws_profile_is_exit_4(capsys) -> None:  # noqa: ANN001
    code, _, err = run(capsys, "plan", VPCE, "--aws-profile", "nosuchprofile")
    assert code == 4 and "nosuchprofile" in err


@pytest.mark.parametrize("code_name", ["ExpiredToken", "InvalidClientTokenId", "UnrecognizedClientException"])
def test_rejected_credentials_map_to_a_config_problem(code_name: str) -> None:
    cloud = Cloud("us-west-2", session=boto3.Session(region_name="us-west-2"))
    error = botocore.exceptions.ClientError({"Error": {"Code": code_name, "Message": "The security token expired"}}, "x")
    assert isinstance(cloud._map(error, "GetCallerIdentity"), ConfigProblem)


def test_unknown_flag_is_exit_3(capsys) -> None:  # noqa: ANN001
    assert run(capsys, "plan", VPCE, "--frobnicate")[0] == 3


def test_no_traceback_without_debug_and_one_with_it(capsys, tmp_path: Path) -> None:  # noqa: ANN001
    missing = str(tmp_path / "nope.yaml")
    code, _, err = run(capsys, "plan", missing)
    assert code == 3 and "Traceback" not in err and "no such profile file" in err
    with pytest.raises(Exception, match="no such profile file"):
        cli.main(["plan", missing, "--debug"])


def test_retries_use_standard_mode_unless_the_user_chose_one(monkeypatch: pytest.MonkeyPatch) -> None:
    session = boto3.Session(region_name="us-west-2")
    assert Cloud("us-west-2", session=session)._config.retries == {"mode": "standard"}
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    assert Cloud("us-west-2", session=session)._config.retries is None


def test_endpoint_url_sends_every_call_there(monkeypatch: pytest.MonkeyPatch) -> None:
    cloud = Cloud("us-west-2", endpoint_url="http://127.0.0.1:5999")
    for service in ("ec2", "iam", "sts", "route53", "sagemaker"):
        assert cloud.client(service).meta.endpoint_url == "http://127.0.0.1:5999"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:6001")
    assert Cloud("us-west-2").client("iam").meta.endpoint_url == "http://127.0.0.1:6001"


def test_default_command_is_the_wizard() -> None:
    assert cli._with_default_command([]) == ["wizard"]
    assert cli._with_default_command(["--demo"]) == ["wizard", "--demo"]
    assert cli._with_default_command(["--plain", "--demo"]) == ["wizard", "--plain", "--demo"]
    assert cli._with_default_command(["p.yaml", "--plain"]) == ["wizard", "p.yaml", "--plain"]
    assert cli._with_default_command(["--region", "eu-west-1", "plan", "p"]) == ["--region", "eu-west-1", "plan", "p"]


def test_wizard_without_a_terminal_points_to_apply(capsys) -> None:  # noqa: ANN001
    code, _, err = run(capsys, "--demo")
    assert code == 3 and "apply PROFILE --yes" in err
    sandbox.stop()


def test_audit_refuses_another_accounts_profile_with_exit_5(demo, capsys, tmp_path) -> None:  # noqa: ANN001
    text = Path(VPCE).read_text().replace('account_id: "123456789012"', 'account_id: "999999999999"')
    assert "999999999999" in text
    other = tmp_path / "other.yaml"
    other.write_text(text)
    code, out, err = run(capsys, "audit", str(other), "--demo")
    assert code == 5 and "999999999999" in err and out == ""


# ---------------------------------------------------------------- messages (defects seen by users)

def test_destroy_plan_names_the_security_groups_vpc(cloud, demo_ids) -> None:  # noqa: ANN001
    from conftest import profile
    from wizard.discovery import observe
    from wizard.executor import Executor
    from wizard.planner import plan, plan_destroy
    from wizard.render import plan_text

    p = profile()
    assert Executor(cloud, plan(observe(cloud, p), p)).run().ok
    text = plan_text(plan_destroy(observe(cloud, p), p))
    assert re.search(rf"- security_group\.endpoints +studio-vpce-{p.name} in {demo_ids['vpc']} ", text), text
    assert "None" not in text


def test_destroy_with_nothing_tagged_says_there_is_nothing_to_destroy(demo, capsys, calls) -> None:  # noqa: ANN001
    code, out, err = run(capsys, "destroy", VPCE, "--demo", "--yes")
    assert code == 0 and calls.mutating == [] and err == ""
    assert re.search(r"Nothing to destroy: no resource of this profile \(its tags, in vpc-[0-9a-f]+\) is left\.", out)
    assert "No changes" not in out and "matches the profile" not in out
    assert out.count("Nothing to destroy") == 1


@pytest.mark.parametrize("word", ["bogus", "plna"])
def test_an_unknown_command_is_a_one_line_usage_error_listing_the_commands(capsys, tmp_path: Path,  # noqa: ANN001
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          word: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, word)
    assert code == 3 and out == "" and len(err.strip().splitlines()) == 1
    assert f"unknown command '{word}'" in err and all(command in err for command in cli.COMMANDS)
    assert "no such profile file" not in err
    if word == "plna":
        assert "did you mean plan?" in err


def test_a_missing_file_that_looks_like_a_profile_still_says_no_such_profile_file(capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """`studio-vpce PROFILE` opens the wizard: a path is a profile, not a command."""
    for word in (str(tmp_path / "bogus"), "bogus.yaml"):
        code, _, err = run(capsys, word)
        assert code == 3 and "no such profile file" in err and "unknown command" not in err


def test_permissions_default_purpose_is_stated_in_help_and_readme(capsys) -> None:  # noqa: ANN001
    default = cli.build_parser().parse_args(["permissions"]).purpose
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["permissions", "--help"])
    assert f"default: {default}." in " ".join(capsys.readouterr().out.split())
    readme = " ".join((Path(cli.__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split())
    assert f"`--for {default}` (the default" in readme
    assert run(capsys, "permissions")[1] == run(capsys, "permissions", "--for", default)[1]


def test_discover_shows_every_vpcs_real_dns_attributes_in_text_and_json(demo, capsys) -> None:  # noqa: ANN001
    """enableDnsSupport/enableDnsHostnames come from DescribeVpcAttribute, for every VPC (not only the domains')."""
    ec2 = sandbox.demo_session("us-west-2").client("ec2")
    default_vpc = next(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault"))
    ec2.modify_vpc_attribute(VpcId=default_vpc, EnableDnsHostnames={"Value": False})
    code, out, _ = run(capsys, "discover", "--demo")
    assert code == 0 and "?" not in out.split("Subnets:")[0]
    assert re.search(rf"^{default_vpc} .* on/OFF ", out, re.MULTILINE), out
    code, out, _ = run(capsys, "discover", "--demo", "--output", "json")
    vpcs = {v["id"]: (v["dns_support"], v["dns_hostnames"]) for v in json.loads(out)["vpcs"]}
    assert code == 0 and vpcs[default_vpc] == (True, False) and None not in {x for pair in vpcs.values() for x in pair}


def test_discover_text_lists_the_security_groups_with_their_https_sources(demo, capsys) -> None:  # noqa: ANN001
    assert run(capsys, "apply", VPCE, "--demo", "--yes")[0] == 0
    code, out, _ = run(capsys, "discover", "--demo")
    section = out.split("Security groups:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    rows = {line.split()[2]: line.split() for line in section[1:]}
    assert code == 0 and section[0].split()[:3] == ["id", "vpc", "name"]
    ours = rows["studio-vpce-research-vpce"]
    assert ours[3] == "sg-76b5210b55a304ef5" and ours[4] == "research-vpce"  # HTTPS from Studio's group; our tag
    assert "sagemaker-studio-research" in rows


def test_discover_reads_dns_attributes_for_at_most_the_limit_of_vpcs_and_says_so(demo, capsys, monkeypatch) -> None:  # noqa: ANN001
    """Two DescribeVpcAttribute calls per VPC: past DNS_READ_LIMIT VPCs (beyond the default VPC and the domains'
    VPCs, always read) the rest show '?' and a line says why."""
    from wizard import discovery

    monkeypatch.setattr(discovery, "DNS_READ_LIMIT", 1)
    ec2 = sandbox.demo_session("us-west-2").client("ec2")
    extra = [ec2.create_vpc(CidrBlock=f"10.{90 + i}.0.0/16")["Vpc"]["VpcId"] for i in range(2)]
    default_vpc = next(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if v.get("IsDefault"))
    code, out, _ = run(capsys, "discover", "--demo")
    table = out.split("Subnets:")[0]
    assert code == 0 and re.search(rf"^{default_vpc} .* on/on ", table, re.MULTILINE), out
    assert all(re.search(rf"^{v} .* \?/\? ", table, re.MULTILINE) for v in extra), out
    assert "DNS attributes not read for 2 VPCs" in table, out


@pytest.mark.parametrize("edit", ["principal", "drop", "policy", "warning", "sed"])
def test_an_edited_plan_file_is_refused_not_applied_as_its_profile_plans(
        edit: str, demo, capsys, tmp_path: Path, calls) -> None:  # noqa: ANN001
    """A plan file is applied exactly or not at all: one change's principal edited (alice -> carol), a change
    removed, the endpoint policy edited, a warning removed (warnings were not compared), or alice -> carol all
    over the file, the profile it replays included (said to be stale): refused in one line as edited (exit 5),
    nothing changed (was: applied the profile's own plan, attaching alice)."""
    planfile = tmp_path / "w2.json"
    assert run(capsys, "plan", VPCE, "--demo", "--out", str(planfile))[0] == 0
    data = json.loads(planfile.read_text())
    attach = next(c for c in data["changes"] if c["after"].get("principal") == "alice")
    if edit == "principal":
        attach["after"]["principal"] = "carol"
    elif edit == "drop":
        data["changes"].remove(attach)
    elif edit == "policy":
        data["policies"]["endpoint"] = {k: {"Version": "2012-10-17", "Statement": []} for k in data["policies"]["endpoint"]}
    elif edit == "warning":
        removed = data["warnings"].pop(0)
    planfile.write_text(json.dumps(data) if edit != "sed" else planfile.read_text().replace('"alice"', '"carol"'))
    calls.clear()
    code, out, err = run(capsys, "apply", str(planfile), "--demo", "--yes", "--confirm-self-lockout")
    assert code == 5 and calls.mutating == [], (out, err)
    assert err.strip().count("\n") == 0 and f"{planfile} was edited" in err and "nothing was changed" in err
    assert "stale" not in err  # the account did not move (the sed edit changed the profile it replays too)
    if edit == "principal":
        assert f"change {attach['address']}" in err
    if edit == "warning":
        assert f"warning {removed['code']} (not in the file)" in err


@pytest.mark.parametrize("text", ["[1,2", "{\"format_version\": 1,"])
def test_a_damaged_plan_file_is_said_to_be_a_damaged_plan_file(text: str, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """Found by a trial: `[1,2` in brokenplan.json was read as a profile: "not valid YAML"."""
    broken = tmp_path / "brokenplan.json"
    broken.write_text(text)
    code, out, err = run(capsys, "apply", str(broken), "--demo", "--yes")
    assert (code, out) == (3, "") and "not a valid plan file (JSON: " in err and "YAML" not in err


@pytest.mark.parametrize("command", [("plan",), ("destroy",), ("verify",), ("audit",), ("export", "--format", "cli")])
def test_a_plan_file_given_where_a_profile_is_expected_is_said_to_be_one(
        command: tuple[str, ...], capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """`destroy plan.json` listed every profile key as missing, over many lines."""
    planfile = tmp_path / "plan.json"
    planfile.write_text(json.dumps({"format_version": 1, "inputs": {"profile": {}}, "fingerprint": "sha256:0"}))
    code, out, err = run(capsys, command[0], str(planfile), *command[1:], "--demo")
    assert (code, out) == (3, "") and err.count("\n") == 1
    if command[0] == "plan":
        assert err.startswith(f"error: {planfile} is a plan file (made by `plan --out`); only apply takes one")
        assert f"run `studio-vpce apply {planfile} --demo`" in err  # the command to copy works (a trial, 9)
    else:  # tearing down, checking or exporting is not handed the command that creates everything (trial 16)
        assert err == (f"error: {planfile} is a plan file (made by `plan --out`); {command[0]} takes a profile: give "
                       "it the profile the plan was made from\n") and "apply" not in err


def test_a_plan_file_of_a_real_account_is_not_applied_to_the_demo_sandbox(refused_first, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    planfile = tmp_path / "real.json"
    planfile.write_text(json.dumps({"format_version": 1, "fingerprint": "sha256:0",
                                    "inputs": {"profile": json.loads(json.dumps(cli._load_profile(VPCE).model_dump(
                                        mode="json"))), "demo": False}}))
    code, out, err = run(capsys, "apply", str(planfile), "--demo", "--yes")
    assert (code, out) == (3, "") and "made against an AWS account, not the demo sandbox" in err


def test_no_region_for_discover_names_no_profile(capsys, monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    """Found by a trial: `discover` (which takes no profile) said "or put region: in the profile"."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    code, out, err = run(capsys, "discover")
    assert (code, out) == (4, "") and err.strip() == "error: no AWS region: pass --region, or set AWS_REGION"


def test_an_aws_setting_botocore_cannot_read_is_a_one_line_config_error(capsys, monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    """A trial: AWS_MAX_ATTEMPTS=abc ended in "ValueError: invalid literal for int()" (exit 1)."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "abc")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    code, out, err = run(capsys, "discover", "--region", "us-west-2", "--endpoint-url", "http://127.0.0.1:9")
    assert (code, out) == (4, "") and err.strip() == ("error: an AWS setting is not valid (invalid literal for int() "
                                                      "with base 10: 'abc'): check the AWS_* variables and "
                                                      "~/.aws/config"), err


def test_an_aws_profile_botocore_cannot_use_is_a_one_line_config_error(capsys, monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    """Trial 16: a profile with role_arn and no source_profile ended in "PartialCredentialsError" (exit 1); the
    README says AWS config problems exit 4."""
    config = tmp_path / "config"
    config.write_text("[profile broken]\nrole_arn = arn:aws:iam::123456789012:role/x\nregion = us-west-2\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    code, out, err = run(capsys, "plan", VPCE, "--aws-profile", "broken")
    assert (code, out) == (4, "") and err.strip() == (
        "error: the AWS config is not usable (Partial credentials found in assume-role, missing: source_profile or "
        "credential_source): fix the profile in ~/.aws/config (or the AWS_* variables), or pick another "
        "--aws-profile"), err


def test_no_color_reaches_every_line_the_tool_prints_as_no_color_does(capsys, monkeypatch) -> None:  # noqa: ANN001
    """Found by a trial: --no-color reached the plan's text but not the questions (questionary drew a coloured
    '?'); prompt_toolkit and Textual read only NO_COLOR, which --no-color now sets for the whole run."""
    monkeypatch.delenv("NO_COLOR", raising=False)  # what --no-color sets goes after the test (conftest)
    code, _, _ = run(capsys, "--no-color", "permissions")
    assert code == 0 and os.environ.get("NO_COLOR") == "1"


def test_the_full_screen_wizard_obeys_no_color_and_logs_debug_to_a_file(capsys, monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    """Found by a trial: --no-color did nothing in the wizard (NO_COLOR did), and --debug wrote botocore's lines
    over its screen (and 2>file hid the screen: Textual draws there)."""
    import logging
    import sys

    import screens.app

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.delenv("NO_COLOR", raising=False)  # what --no-color sets goes after the test (conftest)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    seen: dict[str, object] = {}

    def run_app(session: object) -> tuple[int, str]:
        seen["no_color"] = os.environ.get("NO_COLOR")
        logging.getLogger("botocore").debug("a botocore line")
        return 0, ""

    monkeypatch.setattr(screens.app, "run_app", run_app)
    code, out, err = run(capsys, "wizard", "--no-color", "--debug")
    logs = list((tmp_path / "studio-vpce").glob("debug-*.log"))
    assert (code, out, seen["no_color"]) == (0, "", "1") and len(logs) == 1
    assert "a botocore line" in logs[0].read_text() and "a botocore line" not in err
    assert err.strip() == f"--debug: the log (secrets redacted) is in {logs[0]}" and logs[0].stat().st_mode & 0o077 == 0


def test_debug_leaves_no_log_file_when_the_wizard_is_refused(refused_first, monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    """Found by a trial: a refused wizard (here a profile for another region) left an empty debug-*.log behind;
    the file is made at the first line logged."""
    import sys

    from wizard.errors import InvalidInput

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    with pytest.raises(InvalidInput, match="the profile is for us-west-2"):  # --debug: the error as raised
        cli.main(["wizard", VPCE, "--demo", "--debug", "--region", "eu-west-1"])
    assert list(tmp_path.rglob("debug-*.log")) == []


def test_the_wizard_refuses_a_region_it_could_never_use_before_it_opens(refused_first, capsys) -> None:  # noqa: ANN001
    """Found by a trial: `--demo --region bogus-1` and a profile for another region opened the full-screen
    wizard to "Discovery failed", and Ctrl+Q then exited 0. Now one line and plan's exit codes, in --plain too."""
    for plain in ([], ["--plain"]):
        code, out, err = run(capsys, "wizard", "--demo", "--region", "bogus-1", *plain)
        assert (code, out) == (4, "") and err.startswith("error: the demo sandbox cannot model region 'bogus-1'")
        code, out, err = run(capsys, "wizard", VPCE, "--demo", "--region", "eu-west-1", *plain)
        assert (code, out) == (3, "") and "region: the profile is for us-west-2 but --region says eu-west-1" in err


def test_apply_of_a_folder_is_an_input_error_not_a_crash(capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """`apply /tmp` said `error: IsADirectoryError: ...` (exit 1): the plan-file reader let it through."""
    code, out, err = run(capsys, "apply", str(tmp_path), "--demo", "--yes")
    assert (code, out) == (3, "") and err.startswith(f"error: {tmp_path}: cannot read the profile") and "Error:" not in err


def test_a_plan_file_made_by_another_session_is_applied_but_not_without_its_self_lockout_warning(
        demo, capsys, tmp_path: Path, calls, monkeypatch) -> None:  # noqa: ANN001
    """The caller may differ (plan and apply often run as different credentials, `permissions --for plan` and
    `--for apply`): apply says so, and the warnings that name the caller are compared as made for the applier.
    A self_lockout warning removed by hand, or a lockout the planner did not have, is refused."""
    import botocore.client

    original = botocore.client.BaseClient._make_api_call
    who = {"arn": "arn:aws:sts::123456789012:assumed-role/StudioUsers/alice-laptop"}

    def caller(self, operation_name, api_params):  # noqa: ANN001, ANN202
        if operation_name == "GetCallerIdentity" and who["arn"]:
            return {"UserId": "AROAEXAMPLE:s", "Account": "123456789012", "Arn": who["arn"]}
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", caller)
    planfile = tmp_path / "p.json"
    assert run(capsys, "plan", VPCE, "--demo", "--out", str(planfile))[0] == 0
    data = json.loads(planfile.read_text())
    assert any(w["code"] == "self_lockout" and who["arn"] in w["message"] for w in data["warnings"])
    who["arn"] = "arn:aws:sts::123456789012:assumed-role/StudioUsers/ci-run-42"  # the same role, another session
    calls.clear()
    code, _, err = run(capsys, "apply", str(planfile), "--demo")
    assert code == 5 and "needs --yes" in err and "was edited" not in err  # past the check: the gate asks
    assert f"planned by arn:aws:sts::123456789012:assumed-role/StudioUsers/alice-laptop; applying it as {who['arn']}" in err
    planfile.write_text(json.dumps({**data, "warnings": [w for w in data["warnings"] if w["code"] != "self_lockout"]}))
    code, _, err = run(capsys, "apply", str(planfile), "--demo", "--yes", "--confirm-self-lockout")
    assert code == 5 and "was edited since `plan` wrote it (warning self_lockout (not in the file)" in err
    planfile.write_text(json.dumps(data))
    who["arn"] = ""  # the sandbox's own caller, not among the attach targets: the file's lockout is not this plan's
    code, _, err = run(capsys, "apply", str(planfile), "--demo", "--yes")
    assert code == 5 and "says something else than its own profile (under `inputs`) plans now (planned by " in err and calls.mutating == []
    # the other way round (trial 16): planned by someone who is not a target, applied by one who is: named as such
    assert run(capsys, "plan", VPCE, "--demo", "--out", str(planfile))[0] == 0
    who["arn"] = "arn:aws:sts::123456789012:assumed-role/StudioUsers/ci-run-43"
    code, _, err = run(capsys, "apply", str(planfile), "--demo", "--yes", "--confirm-self-lockout")
    assert code == 5 and calls.mutating == [] and err.startswith(
        f"error: {planfile} was planned by arn:aws:sts::123456789012:user/moto, who is not among its attach targets, "
        f"and you ({who['arn']}) are: applied by you, it would lock you out"), err


@pytest.mark.parametrize("url", ["notaurl", "ftp://localhost:5000", "http://", "http://localhost:port"])
def test_a_bad_endpoint_url_is_a_config_problem_naming_the_flag(url: str, capsys, calls) -> None:  # noqa: ANN001
    """Was `error: ValueError: Invalid endpoint: notaurl`, exit 1."""
    code, out, err = run(capsys, "plan", VPCE, "--region", "us-west-2", "--endpoint-url", url)
    assert code == 4 and out == "" and calls.log == []
    assert err.strip().count("\n") == 0 and err.startswith("error: --endpoint-url") and "ValueError" not in err


def test_a_bad_aws_endpoint_url_variable_is_a_config_problem_naming_it(capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("AWS_ENDPOINT_URL", "notaurl")
    code, _, err = run(capsys, "discover", "--region", "us-west-2")
    assert code == 4 and err.startswith("error: AWS_ENDPOINT_URL 'notaurl' is not a valid endpoint URL")


def test_demo_with_an_endpoint_url_is_refused_as_a_usage_error(capsys, calls) -> None:  # noqa: ANN001
    """Was silently ignored (the sandbox's own endpoint was used). Usage errors are exit 3 here (README)."""
    code, out, err = run(capsys, "plan", VPCE, "--demo", "--endpoint-url", "http://localhost:5000")
    assert code == 3 and out == "" and calls.log == []
    assert err.strip() == ("error: --endpoint-url cannot be used with --demo (the demo sandbox has its own "
                           "endpoint); drop one of them")


def test_demo_with_an_aws_profile_is_refused_as_a_usage_error(refused_first, capsys, calls) -> None:  # noqa: ANN001
    """Was silently ignored: `plan --demo --aws-profile prod` planned against the sandbox without a word."""
    code, out, err = run(capsys, "plan", VPCE, "--demo", "--aws-profile", "prod")
    assert (code, out, calls.log) == (3, "", [])
    assert err.startswith("error: --aws-profile cannot be used with --demo") and err.count("\n") == 1


@pytest.mark.parametrize("value", ["", "   ", "alice smith", "-alice"])
def test_verify_user_profile_must_be_a_user_profile_name(refused_first, capsys, calls, value: str) -> None:  # noqa: ANN001
    """`verify --user-profile ''` was accepted (and skipped); SageMaker's UserProfileName rule, as a usage
    error in one line, before anything is read or called."""
    code, out, err = run(capsys, "verify", VPCE, "--demo", f"--user-profile={value}")
    assert (code, out, calls.log) == (3, "", [])
    assert err.count("\n") == 1 and err.startswith("error: argument --user-profile: ")
    assert ("name a Studio user profile" if not value.strip() else "is not a Studio user profile name") in err


@pytest.mark.parametrize(("argv", "wrong"), [
    (("plan", VPCE, "--output", "xml"), "argument --output: invalid choice: 'xml'"),
    (("plan", VPCE, "--frobnicate"), "unrecognized arguments: --frobnicate"),
    (("export", VPCE), "the following arguments are required: --format"),
    (("plan", VPCE, "--region", " "), "argument --region: (empty) is not a value"),
    (("verify",), "the following arguments are required: PROFILE;"),  # as the README names it (was: profile)
    (("apply",), "the following arguments are required: PROFILE|PLANFILE;"),
])
def test_usage_errors_are_one_line_saying_what_was_wrong_and_where_help_is(refused_first, capsys, argv, wrong: str) -> None:  # noqa: ANN001
    """argparse printed its usage block over several lines, then the error."""
    code, out, err = run(capsys, *argv)
    assert (code, out) == (3, "")
    assert err.count("\n") == 1 and err.startswith(f"error: {wrong}"), err
    assert err.rstrip().endswith(f"; run 'studio-vpce {argv[0]} -h' for help"), err
    if argv[0] == "plan" and argv[2] == "--frobnicate":  # no command typed: the help that lists them (trial 9)
        code, _, err = run(capsys, "--frobnicate")
        assert code == 3 and err.rstrip().endswith("; run 'studio-vpce -h' for help"), err


def test_a_refused_command_line_starts_no_sandbox(capsys, monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    """The --demo preload (a server process loading moto ahead of need) started before `--demo
    --endpoint-url` was refused. It starts only once the command line checked out."""
    started: list[str] = []
    monkeypatch.setattr(sandbox, "preload", lambda: started.append("preload"))
    assert cli.main(["plan", VPCE, "--demo", "--endpoint-url", "http://localhost:5000"], preload=True) == 3
    assert cli.main(["verify", VPCE, "--demo", "--presigned-url"], preload=True) == 3
    assert cli.main(["plan", VPCE, "--demo", "--output", "xml"], preload=True) == 3
    assert started == []
    # the control: a valid command line preloads at once, before its profile is read (here: no such file)
    assert cli.main(["plan", str(tmp_path / "nope.yaml"), "--demo"], preload=True) == 3
    assert started == ["preload"]
    capsys.readouterr()


def test_presigned_url_expiry_stays_within_aws_ranges_which_the_sandbox_enforces(demo) -> None:  # noqa: ANN001
    """CreatePresignedDomainUrl: ExpiresInSeconds 5-300 and SessionExpirationDurationInSeconds 1,800-43,200 on AWS
    (botocore checks only the minimum). The sandbox answers out-of-range values as AWS does; verify's own call
    (test_presigned_url_is_reported_by_host_only_and_never_leaks) stays inside them."""
    sandbox.install_hooks(demo)
    client = demo.client("sagemaker")
    ok = client.create_presigned_domain_url(DomainId="d-research", UserProfileName="alice", ExpiresInSeconds=300)
    assert ok["AuthorizedUrl"].startswith("https://d-research.studio.")
    for key, value in (("ExpiresInSeconds", 301), ("SessionExpirationDurationInSeconds", 43201)):
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            client.create_presigned_domain_url(DomainId="d-research", UserProfileName="alice", **{key: value})
        assert "ValidationException" in str(refused.value) and "between" in str(refused.value)
