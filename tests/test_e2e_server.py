"""End to end: the CLI as a subprocess against a moto server over real HTTP (--endpoint-url)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from conftest import reset_and_seed

ROOT = Path(__file__).resolve().parent.parent
ACCESS_KEY = "AKIAZZZZSENTINEL0001"
SECRET_KEY = "SentinelSecretKeyThatMustNeverBeShown0001"


@pytest.fixture
def url(moto_server: str) -> str:
    return reset_and_seed(moto_server)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    return env


def cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it: a process of its own, over HTTP."""
    return subprocess.run([sys.executable, "-m", "wizard", *args, "--endpoint-url", url], capture_output=True,
                          text=True, cwd=ROOT, env=_env(), timeout=120, stdin=subprocess.DEVNULL, check=False)


@pytest.fixture
def cli_here(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # noqa: ANN201
    """The same CLI entry point (`cli.main`) in this process, over the same HTTP, with the same environment:
    spares a Python start-up (~1 s each) where a test is about what the commands do, not how they start
    (`cli`'s own tests here run every command as a process)."""
    from wizard import cli as wizard_cli

    def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
        with monkeypatch.context() as m:
            for key in [k for k in os.environ if k.startswith("AWS_")]:
                m.delenv(key)
            for key, value in _env().items():
                m.setenv(key, value)
            m.chdir(ROOT)
            m.setattr(sys, "stdin", io.StringIO(""))  # as stdin=DEVNULL
            code = wizard_cli.main([*args, "--endpoint-url", url])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["studio-vpce", *args], code, out, err)

    return run


def leftovers(url: str) -> list[str]:
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-west-2")
    ec2 = session.client("ec2", endpoint_url=url)
    iam = session.client("iam", endpoint_url=url)
    r53 = session.client("route53", endpoint_url=url)
    found = [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"].lower() != "deleted"]
    found += [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"].startswith("studio-vpce-")]
    found += [p["Arn"] for p in iam.list_policies(Scope="Local", PathPrefix="/studio-vpce/")["Policies"]]
    found += [z["Id"] for z in r53.list_hosted_zones()["HostedZones"]]
    return found


@pytest.mark.parametrize("name", ["vpce", "subnet", "source-ip", "vpc-source-ip", "hosted-zone", "deny-guardrail"])
def test_apply_apply_again_verify_destroy(url: str, name: str, cli_here) -> None:  # noqa: ANN001
    """Every example's life cycle over HTTP; the first as processes, the others through the same entry point
    in this process (what they test is the commands' work: the first already runs each command's process)."""
    run = cli if name == "vpce" else cli_here
    profile = f"profiles/{name}.yaml"
    first = run(url, "apply", profile, "--yes")
    assert first.returncode == 0, first.stderr
    assert "apply complete" in first.stdout
    second = run(url, "apply", profile, "--yes")
    assert second.returncode == 0 and "No changes" in second.stdout  # no step ran: zero mutating calls
    assert run(url, "plan", profile, "--detailed-exitcode").returncode == 0
    verify = run(url, "verify", profile)
    assert verify.returncode == 0, verify.stdout
    destroy = run(url, "destroy", profile, "--yes")
    assert destroy.returncode == 0, destroy.stderr
    assert leftovers(url) == []


def test_plan_json_over_http_and_no_change_made(url: str) -> None:
    result = cli(url, "plan", "profiles/vpce.yaml", "--output", "json")
    assert result.returncode == 0 and '"format_version": 1' in result.stdout
    assert leftovers(url) == []


def test_credentials_never_reach_the_output_even_with_debug(url: str) -> None:
    result = cli(url, "plan", "profiles/vpce.yaml", "--debug")
    assert result.returncode == 0
    assert "botocore" in result.stderr  # the debug log is there...
    for secret in (ACCESS_KEY, SECRET_KEY):  # ...but no credential in it
        assert secret not in result.stdout + result.stderr


def test_discover_over_http(url: str) -> None:
    result = cli(url, "discover", "--output", "json", "--region", "us-west-2")
    assert result.returncode == 0 and "d-research" in result.stdout


def test_hosted_zone_mode_converges_when_route53_escapes_names_as_aws_does(url: str, cli_here) -> None:  # noqa: ANN001
    """Route 53 returns `*.studio...` as `\\052.studio...`; the server here answers so (tests/conftest.py). The
    commands run in this process (`cli_here`), over HTTP."""
    profile = "profiles/hosted-zone.yaml"
    assert cli_here(url, "apply", profile, "--yes").returncode == 0
    r53 = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-west-2").client(
        "route53", endpoint_url=url)
    zone = next(z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"].startswith("studio."))
    names = {r["Name"] for r in r53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]}
    assert "\\052.studio.us-west-2.sagemaker.aws." in names  # AWS's form, over real HTTP
    planned = cli_here(url, "plan", profile, "--detailed-exitcode")
    assert planned.returncode == 0, planned.stdout
    verify = cli_here(url, "verify", profile)
    assert verify.returncode == 0, verify.stdout
    assert cli_here(url, "destroy", profile, "--yes").returncode == 0
