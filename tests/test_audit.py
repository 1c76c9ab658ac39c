"""`studio-vpce audit` and `verify --simulate` (issue 12): the simulator path through botocore's Stubber, the local
fallback on moto (in-process and over real HTTP)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from conftest import profile, reset_and_seed
from wizard.audit import LocalEvaluator, Simulator, audit, choose_judge, principal_access
from wizard.cloud import Cloud
from wizard.discovery import observe
from wizard.executor import Executor
from wizard.iam_eval import ACTION, outside_context, resource_prefix
from wizard.models import PolicyDoc, PrincipalPolicies
from wizard.planner import plan
from wizard.verify import verify

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
PREFIX = resource_prefix("aws", "us-west-2", ACCOUNT, "d-research")
ROLE = PrincipalPolicies("role", "MLEngineers", f"arn:aws:iam::{ACCOUNT}:role/MLEngineers", (
    PolicyDoc(f"arn:aws:iam::{ACCOUNT}:policy/demo/SageMakerFullAccessCopy", "managed", "role/MLEngineers", {}),))


# ---------------------------------------------------------------- the simulator, stubbed in AWS's shape

def _result(decision: str, statements: list[dict] | None = None, missing: list[str] | None = None) -> dict:
    return {"EvalActionName": ACTION, "EvalResourceName": PREFIX + "*", "EvalDecision": decision,
            "MatchedStatements": statements or [], "MissingContextValues": missing or [],
            "ResourceSpecificResults": [{"EvalResourceName": PREFIX + "*", "EvalResourceDecision": decision,
                                         "MatchedStatements": [], "MissingContextValues": []}]}


def _statement(policy_id: str, kind: str, line: int = 12) -> dict:
    return {"SourcePolicyId": policy_id, "SourcePolicyType": kind,
            "StartPosition": {"Line": line, "Column": 9}, "EndPosition": {"Line": line + 10, "Column": 10}}


def _request(arn: str, context: dict[str, str], extra: list[dict] | None = None, marker: str | None = None) -> dict:
    params = {"PolicySourceArn": arn, "ActionNames": [ACTION], "ResourceArns": [PREFIX + "*"],
              "ContextEntries": [{"ContextKeyName": k, "ContextKeyValues": [v],
                                  "ContextKeyType": "ip" if k in ("aws:SourceIp", "aws:VpcSourceIp") else "string"}
                                 for k, v in context.items()]}
    if extra:
        params["PolicyInputList"] = [json.dumps(d) for d in extra]
    if marker:
        params["Marker"] = marker
    return params


@pytest.fixture
def stubbed() -> tuple[Cloud, Stubber]:
    cloud = Cloud("us-west-2", session=boto3.Session(aws_access_key_id="x", aws_secret_access_key="x",
                                                     region_name="us-west-2"))
    stubber = Stubber(cloud.client("iam"))
    stubber.activate()
    yield cloud, stubber
    stubber.deactivate()


def test_simulator_sends_the_outside_context_and_follows_pages(stubbed) -> None:  # noqa: ANN001
    cloud, stubber = stubbed
    outside = outside_context(profile("vpce"))
    stubber.add_response("simulate_principal_policy", {"EvaluationResults": [], "IsTruncated": True, "Marker": "m1"},
                         _request(ROLE.arn, outside))
    stubber.add_response("simulate_principal_policy", {"EvaluationResults": [_result("allowed", [
        _statement("SageMakerFullAccessCopy", "user-managed")])], "IsTruncated": False},
        _request(ROLE.arn, outside, marker="m1"))
    decision = Simulator(cloud, PREFIX + "*").decide(ROLE, outside)
    stubber.assert_no_pending_responses()
    assert decision.allowed is True
    assert decision.allowed_by[0].policy == f"arn:aws:iam::{ACCOUNT}:policy/demo/SageMakerFullAccessCopy"
    assert decision.allowed_by[0].statement == "line 12, column 9"


def test_simulator_passes_the_profiles_policy_for_after_apply(stubbed) -> None:  # noqa: ANN001
    cloud, stubber = stubbed
    p = profile("vpce", access={"attach": {"users": [], "groups": [], "roles": ["MLEngineers"]}, "effect": "deny"})
    outside = outside_context(p)
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ACTION, "Resource": "*"}]}
    stubber.add_response("simulate_principal_policy", {"EvaluationResults": [_result("allowed", [
        _statement("SageMakerFullAccessCopy", "user-managed")])], "IsTruncated": False}, _request(ROLE.arn, outside))
    stubber.add_response("simulate_principal_policy", {"EvaluationResults": [_result("explicitDeny", [
        _statement("PolicyInputList.1", "IAM Policy", 3)])], "IsTruncated": False},
        _request(ROLE.arn, outside, [document]))
    inventory = observe_free_inventory()
    access = principal_access(Simulator(cloud, PREFIX + "*"), inventory, p, ROLE, document)
    stubber.assert_no_pending_responses()
    assert access.from_anywhere is True and access.stopped_by_profile is True and access.targeted


def test_simulator_missing_context_keys_mean_cannot_tell(stubbed) -> None:  # noqa: ANN001
    cloud, stubber = stubbed
    outside = outside_context(profile("vpce"))
    stubber.add_response("simulate_principal_policy", {"EvaluationResults": [_result(
        "implicitDeny", missing=["aws:MultiFactorAuthPresent", "aws:SourceVpc"])], "IsTruncated": False},
        _request(ROLE.arn, outside))
    decision = Simulator(cloud, PREFIX + "*").decide(ROLE, outside)
    assert decision.allowed is None and "aws:MultiFactorAuthPresent" in decision.note
    assert "aws:SourceVpc" not in decision.note  # absent on purpose: the request comes from outside


def test_simulator_access_denied_falls_back_to_local_and_says_why(stubbed) -> None:  # noqa: ANN001
    cloud, stubber = stubbed
    stubber.add_client_error("simulate_principal_policy", "AccessDenied", "not authorized to perform "
                             "iam:SimulatePrincipalPolicy", 403)
    judge, note = choose_judge(cloud, observe_free_inventory(), profile("vpce"), ROLE)
    assert isinstance(judge, LocalEvaluator) and "you may not call it" in note


def test_simulator_that_answers_is_chosen(stubbed) -> None:  # noqa: ANN001
    cloud, stubber = stubbed
    stubber.add_response("simulate_principal_policy", {"EvaluationResults": [_result("implicitDeny")],
                                                       "IsTruncated": False})
    judge, note = choose_judge(cloud, observe_free_inventory(), profile("vpce"), ROLE)
    assert isinstance(judge, Simulator) and note == ""


def test_simulator_names_each_user_profile_so_a_policy_for_some_of_them_is_not_missed(stubbed) -> None:  # noqa: ANN001
    """The simulator matches a statement's Resource against the ARN it is given as it stands: an Allow on
    `user-profile/d-research/alice` does not match the literal `user-profile/d-research/*` (implicitDeny), though
    alice's profile opens from anywhere. The judge names each listed user profile too; any allowed one counts."""
    from wizard.models import Domain

    cloud, stubber = stubbed
    outside = outside_context(profile("vpce"))
    stubber.add_response("simulate_principal_policy", {"EvaluationResults": [_result("implicitDeny")],
                                                       "IsTruncated": False})  # the probe
    domain = Domain("d-research", "research", "vpc-0a1b2c3d4e5f60718", (), "IAM", "VpcOnly", (),
                    user_profiles=("alice", "bob"))
    inventory = observe_free_inventory()
    inventory = type(inventory)(**{**inventory.__dict__, "domains": (domain,)})
    judge, note = choose_judge(cloud, inventory, profile("vpce"), ROLE)
    assert isinstance(judge, Simulator) and note == ""
    assert judge.resources == [PREFIX + "*", PREFIX + "alice", PREFIX + "bob"]
    per_resource = [{**_result("implicitDeny"), "EvalResourceName": PREFIX + "*"},
                    {**_result("allowed", [_statement("AliceOnly", "inline")]), "EvalResourceName": PREFIX + "alice"},
                    {**_result("implicitDeny"), "EvalResourceName": PREFIX + "bob"}]
    stubber.add_response("simulate_principal_policy", {"EvaluationResults": per_resource, "IsTruncated": False},
                         {**_request(ROLE.arn, outside), "ResourceArns": judge.resources})
    decision = judge.decide(ROLE, outside)
    stubber.assert_no_pending_responses()
    assert decision.allowed is True and decision.allowed_by[0].policy == "AliceOnly"


def observe_free_inventory():  # noqa: ANN201
    from wizard.models import Caller, Inventory

    return Inventory(account_id=ACCOUNT, region="us-west-2", partition="aws",
                     caller=Caller(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/moto", "user", "moto"))


# ---------------------------------------------------------------- moto in-process: local evaluation, read-only

def test_audit_on_moto_evaluates_locally_and_changes_nothing(cloud, calls) -> None:  # noqa: ANN001
    calls.clear()
    report = audit(cloud, profile("vpce"))
    assert calls.log and calls.mutating == []
    assert report.method == "local" and "simulator" in report.note
    found = {(p.type, p.name): p for p in report.principals}
    assert set(found) == {("role", "MLEngineers"), ("role", "StudioAutomation")}
    assert all(p.from_anywhere is True and p.stopped_by_profile is False and not p.targeted for p in found.values())


def test_audit_lists_users_through_their_groups(cloud, aws) -> None:  # noqa: ANN001
    iam = aws.client("iam")
    iam.put_group_policy(GroupName="platform-admins", PolicyName="Admin", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    report = audit(cloud, profile("vpce"))
    found = {(p.type, p.name): p for p in report.principals}
    assert ("user", "moto") in found and ("group", "platform-admins") in found
    assert found[("user", "moto")].allowed_by[0].via == "group/platform-admins"


def test_audit_says_what_the_profile_would_stop_and_what_no_identity_policy_covers(cloud) -> None:  # noqa: ANN001
    """Also said with every audit (text and JSON): what no identity policy decides, the account's root user and
    the time IAM takes to propagate a change."""
    from wizard.audit import audit_text

    attach = {"users": [], "groups": [], "roles": ["MLEngineers", "StudioAutomation"]}
    report = audit(cloud, profile("vpce", access={"attach": attach}))
    text = audit_text(report)
    assert "root user" in text and "propagate" in text
    assert any("root user" in n for n in report.to_json()["not_covered"])
    allow = {(p.name, p.stopped_by_profile) for p in report.principals}
    deny = {(p.name, p.stopped_by_profile) for p in audit(cloud, profile("vpce", access={"attach": attach,
                                                                                          "effect": "deny"})).principals}
    assert allow == {("MLEngineers", False), ("StudioAutomation", False)}
    assert deny == {("MLEngineers", True), ("StudioAutomation", True)}
    # a principal that is not an attach target gets its advice too (trial 16: only "(not an attach target)")
    alone = audit_text(audit(cloud, profile("vpce", access={"attach": {"users": [], "groups": [],
                                                                       "roles": ["MLEngineers"]}})))
    assert "still open after apply (not an attach target): add it to access.attach.roles, or remove the grant" in alone


def test_audit_progress_reports_every_principal_checked(cloud) -> None:  # noqa: ANN001
    seen: list[tuple[int, int]] = []
    report = audit(cloud, profile("vpce"), on_progress=lambda done, total: seen.append((done, total)))
    total = report.checked + report.remote_ide_checked  # CreatePresignedDomainUrl and StartSession checks
    assert seen and seen[-1] == (total, total) and len(seen) == total


def test_audit_of_a_missing_domain_is_invalid_input(cloud) -> None:  # noqa: ANN001
    from wizard.errors import InvalidInput

    with pytest.raises(InvalidInput, match="d-nothere"):
        audit(cloud, profile("vpce", domain_id="d-nothere"))


# ---------------------------------------------------------------- verify --simulate

def test_verify_simulate_after_a_deny_guardrail_passes_per_target(cloud) -> None:  # noqa: ANN001
    p = profile("deny-guardrail")
    assert Executor(cloud, plan(observe(cloud, p), p)).run().ok
    checks, _ = verify(cloud, p, simulate=True)
    simulated = {c.name: c for c in checks if c.name.startswith("simulate_")}
    assert set(simulated) >= {"simulate_group_data-scientists", "simulate_role_MLEngineers"}
    for name in ("simulate_group_data-scientists", "simulate_role_MLEngineers"):
        assert simulated[name].ok, simulated[name].detail
        assert "inside: allowed, outside: denied (local evaluation)" in simulated[name].detail


def test_verify_simulate_asks_the_outside_requests_a_targets_policies_name(cloud, aws) -> None:  # noqa: ANN001
    """verify --simulate asked one request from outside (an internet address), so a target whose other policy
    allows the action through another VPC passed; it asks what audit asks now (iam_eval.outside_contexts)."""
    p = profile("vpce", access={"attach": {"users": ["alice"], "groups": [], "roles": []}})
    assert Executor(cloud, plan(observe(cloud, p), p)).run().ok
    aws.client("iam").put_user_policy(UserName="alice", PolicyName="other-vpc", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:CreatePresignedDomainUrl",
                                                "Resource": "*",
                                                "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-0abcdef0123456789"}}}]}))
    checks = {c.name: c for c in verify(cloud, p, simulate=True)[0]}
    failed = checks["simulate_user_alice"]
    assert not failed.ok and not failed.advisory and "outside: allowed" in failed.detail, failed.detail


def test_verify_simulate_fails_a_target_that_stays_open_with_effect_allow(cloud) -> None:  # noqa: ANN001
    p = profile("vpce", access={"attach": {"users": ["alice"], "groups": [], "roles": ["MLEngineers"]}})
    assert Executor(cloud, plan(observe(cloud, p), p)).run().ok
    checks = {c.name: c for c in verify(cloud, p, simulate=True)[0]}
    assert checks["simulate_user_alice"].ok
    failed = checks["simulate_role_MLEngineers"]
    assert not failed.ok and not failed.advisory and "outside: allowed" in failed.detail
    assert "SageMakerFullAccessCopy" in failed.detail


def test_verify_without_simulate_warns_of_a_target_the_plan_knows_stays_open(cloud) -> None:  # noqa: ANN001
    """Trial 16: plan warned restriction_ineffective for a target whose other policy allows the action, and verify
    (without --simulate) said every check passed. It warns the same (advisory: verify's verdict is the account's
    state against the profile)."""
    p = profile("vpce", access={"attach": {"users": ["alice"], "groups": [], "roles": ["MLEngineers"]}})
    assert Executor(cloud, plan(observe(cloud, p), p)).run().ok
    checks = {c.name: c for c in verify(cloud, p)[0]}
    warned = checks["restriction_ineffective"]
    assert warned.advisory and not warned.ok and "IAM role MLEngineers can still open Studio" in warned.detail
    alone = profile("vpce", access={"attach": {"users": ["alice"], "groups": [], "roles": []}})
    assert "restriction_ineffective" not in {c.name for c in verify(cloud, alone)[0]}


def test_verify_simulate_asks_the_simulator_per_target_on_aws(cloud, monkeypatch) -> None:  # noqa: ANN001
    p = profile("deny-guardrail")
    assert Executor(cloud, plan(observe(cloud, p), p)).run().ok
    asked: list[tuple[str, dict]] = []

    def decide(self, principal, context, extra=()):  # noqa: ANN001, ANN202
        asked.append((principal.arn, context))
        from wizard.iam_eval import Decision

        return Decision("aws:SourceIp" not in context)

    monkeypatch.setattr(Simulator, "decide", decide)
    cloud.demo = False
    checks = {c.name: c for c in verify(cloud, p, simulate=True)[0]}
    assert checks["simulate_role_MLEngineers"].ok and "IAM policy simulator" in checks["simulate_role_MLEngineers"].detail
    arns = {arn for arn, _ in asked}
    assert f"arn:aws:iam::{ACCOUNT}:role/MLEngineers" in arns and f"arn:aws:iam::{ACCOUNT}:group/data-scientists" in arns


# ---------------------------------------------------------------- the CLI over real HTTP (moto server)

def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    return subprocess.run([sys.executable, "-m", "wizard", *args, "--endpoint-url", url], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120, stdin=subprocess.DEVNULL, check=False)


def test_audit_json_over_http_on_a_moto_server(moto_server: str) -> None:
    url = reset_and_seed(moto_server)
    started = time.monotonic()
    result = _cli(url, "audit", "profiles/deny-guardrail.yaml", "--output", "json", "--detailed-exitcode")
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr  # StudioAutomation stays open: not an attach target
    data = json.loads(result.stdout)
    assert {"domain_id", "method", "principals"} <= set(data)
    assert data["domain_id"] == "d-research" and data["method"] == "local"
    assert "simulator is unavailable" in data["note"]  # moto answers HTTP 500: not retried, no slow wait
    by_name = {p["name"]: p for p in data["principals"]}
    assert set(by_name) == {"MLEngineers", "StudioAutomation"}
    ml = by_name["MLEngineers"]
    assert ml["arn"] == f"arn:aws:iam::{ACCOUNT}:role/MLEngineers" and ml["type"] == "role"
    assert ml["from_anywhere"] is True and ml["stopped_by_profile"] is True
    assert ml["allowed_by"] == [f"arn:aws:iam::{ACCOUNT}:policy/demo/SageMakerFullAccessCopy"]
    assert by_name["StudioAutomation"]["stopped_by_profile"] is False
    assert by_name["StudioAutomation"]["allowed_by"] == ["PresignAnyUserProfile"]
    assert elapsed < 60



def test_audit_reads_customer_policies_from_the_authorization_details_not_one_by_one(cloud, calls) -> None:  # noqa: ANN001
    calls.clear()
    audit(cloud, profile("vpce"))
    operations = [op for _, op in calls.log]
    assert operations.count("GetAccountAuthorizationDetails") == 1
    assert "GetPolicyVersion" not in operations  # MLEngineers' customer managed policy came with the details


def test_verify_simulate_over_http_reports_each_attach_target(moto_server: str) -> None:
    url = reset_and_seed(moto_server)
    assert _cli(url, "apply", "profiles/deny-guardrail.yaml", "--yes").returncode == 0
    result = _cli(url, "verify", "profiles/deny-guardrail.yaml", "--simulate")
    assert result.returncode == 0, result.stdout + result.stderr
    for target in ("simulate_group_data-scientists", "simulate_role_MLEngineers"):
        line = next(line for line in result.stdout.splitlines() if target in line)
        assert line.strip().startswith("ok") and "inside: allowed, outside: denied (local evaluation)" in line
    assert "simulator is unavailable" in result.stdout


@pytest.mark.parametrize("state", ["available", "failed"])
def test_simulate_inside_goes_through_the_profiles_live_endpoint(cloud, state: str) -> None:  # noqa: ANN001
    """"From inside" is a request through one of this profile's live endpoints (its policy names them), not through
    another endpoint of the VPC that happens to sort first, nor a failed one (even one of ours)."""
    import dataclasses

    from wizard.audit import simulate_targets
    from wizard.models import Endpoint

    p = profile("vpce", access={"attach": {"users": ["alice"], "groups": [], "roles": []}})
    assert Executor(cloud, plan(observe(cloud, p), p)).run().ok
    inv = observe(cloud, p)
    first = Endpoint(id="vpce-00000000000000000", vpc_id=p.vpc_id, service="aws.sagemaker.us-west-2.studio",
                     type="Interface", state=state, subnet_ids=(), security_group_ids=(), private_dns=False,
                     policy=None, tags=(("studio-vpce:profile", p.name),) if state == "failed" else ())
    inv = dataclasses.replace(inv, endpoints=(first, *inv.endpoints))
    _, _, checks = simulate_targets(cloud, p, inv)
    alice = next(c for c in checks if c.name == "alice")
    assert alice.inside is not None and alice.inside.allowed is True, alice.inside


def test_audit_text_claims_no_stop_when_now_cannot_be_told() -> None:
    """Found by a trial: a principal whose access from outside now is "cannot tell" was said to be "stopped by
    this profile", which claims it is open now. Said as what is known: closed after apply."""
    from wizard.audit import AuditReport, audit_text
    from wizard.iam_eval import PrincipalAccess

    def row(name: str, now: bool | None) -> PrincipalAccess:
        return PrincipalAccess(arn=f"arn:aws:iam::123456789012:user/{name}", type="user", name=name,
                               from_anywhere=now, allowed_by=(), stopped_by_profile=True, targeted=True,
                               note="a condition on aws:CalledVia" if now is None else "")

    text = audit_text(AuditReport(profile="p", account_id="123456789012", region="us-west-2", domain_id="d-x",
                                  method="local", outside={"aws:SourceIp": "203.0.113.10"},
                                  principals=(row("known", True), row("unsure", None)), checked=2))
    known, unsure = (line for line in text.splitlines() if line.startswith("  user "))
    assert "from outside: yes" in known and known.endswith("stopped by this profile")
    assert "from outside: cannot tell" in unsure and "stopped" not in unsure
    assert unsure.endswith("closed after apply, whatever it is now")



# ---------------------------------------------------------------- remote IDE sessions (sagemaker:StartSession)

REMOTE_ACCESS = {"Version": "2012-10-17", "Statement": [{"Sid": "RemoteIde", "Effect": "Allow",
                                                         "Action": "sagemaker:StartSession",
                                                         "Resource": "arn:aws:sagemaker:*:*:space/*"}]}


def test_audit_reports_remote_ide_sessions_start_session_from_outside(cloud, aws) -> None:  # noqa: ANN001
    """A second way into Studio from anywhere (review16 H1): a remote IDE session into a space
    (sagemaker:StartSession, the grant AWS's remote-access setup adds). The profile's policy does not name it, so
    even effect deny leaves it open: audit says so in its own section, with what to do, and --detailed-exitcode
    counts it. A Deny on StartSession with the same network condition closes it."""
    from wizard.audit import audit_text

    iam = aws.client("iam")
    iam.put_role_policy(RoleName="StudioUsers", PolicyName="RemoteIde", PolicyDocument=json.dumps(REMOTE_ACCESS))
    p = profile("subnet", access={"attach": {"users": [], "groups": [], "roles": ["StudioUsers"]}, "effect": "deny"})
    report = audit(cloud, p)
    assert ("role", "StudioUsers") not in {(r.type, r.name) for r in report.principals}  # no presigned URL
    ide = {(r.type, r.name): r for r in report.remote_ide}
    assert set(ide) == {("role", "StudioUsers")}
    row = ide[("role", "StudioUsers")]
    assert row.from_anywhere is True and row.stopped_by_profile is False and row.targeted
    assert [(m.policy, m.statement) for m in row.allowed_by] == [("RemoteIde", "RemoteIde")]
    assert report.remote_ide_open == [row]
    text = audit_text(report)
    assert ("Remote IDE: 1 can start remote IDE sessions into the domain's spaces from outside "
            "(sagemaker:StartSession), which the studio-vpce policy does not cover") in text
    assert "role StudioUsers  from outside: yes          not stopped by this profile" in text
    assert "Deny on sagemaker:StartSession" in text and "sagemaker:RemoteAccess is ENABLED" in text
    data = report.to_json()["remote_ide"]
    assert data["action"] == "sagemaker:StartSession" and data["covered_by_studio_vpce"] is False
    assert data["resource"] == f"arn:aws:sagemaker:us-west-2:{ACCOUNT}:space/d-research/*"
    assert [r["name"] for r in data["principals"]] == ["StudioUsers"]
    # the Deny the report recommends (the profile's condition: subnet mode, aws:SourceVpc) closes it
    guard = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sagemaker:StartSession",
                                                     "Resource": "*", "Condition": {"StringNotEquals": {
                                                         "aws:SourceVpc": p.vpc_id}}}]}
    iam.put_role_policy(RoleName="StudioUsers", PolicyName="RemoteIdeGuard", PolicyDocument=json.dumps(guard))
    closed = audit(cloud, p)
    assert closed.remote_ide == () and "Remote IDE: nobody can start" in audit_text(closed)


def test_simulator_asks_start_session_on_the_domains_spaces(stubbed) -> None:  # noqa: ANN001
    """The simulator path of the same question: StartSession on space/<domain>/* and each listed space."""
    cloud, stubber = stubbed
    outside = outside_context(profile("vpce"))
    spaces = f"arn:aws:sagemaker:us-west-2:{ACCOUNT}:space/d-research/"
    judge = Simulator(cloud, PREFIX + "*").for_action("sagemaker:StartSession", spaces, ["lab"])
    result = {**_result("allowed", [_statement("SageMakerFullAccessCopy", "user-managed")]),
              "EvalActionName": "sagemaker:StartSession", "EvalResourceName": spaces + "lab"}
    stubber.add_response("simulate_principal_policy", {"EvaluationResults": [result], "IsTruncated": False},
                         {**_request(ROLE.arn, outside), "ActionNames": ["sagemaker:StartSession"],
                          "ResourceArns": [spaces + "*", spaces + "lab"]})
    decision = judge.decide(ROLE, outside)
    stubber.assert_no_pending_responses()
    assert decision.allowed is True and decision.allowed_by[0].policy.endswith("/SageMakerFullAccessCopy")


def test_audit_on_aws_asks_the_simulator_about_start_session_too(cloud, aws, monkeypatch) -> None:  # noqa: ANN001
    from wizard.iam_eval import Decision

    aws.client("iam").put_role_policy(RoleName="StudioUsers", PolicyName="RemoteIde",
                                      PolicyDocument=json.dumps(REMOTE_ACCESS))
    asked: list[tuple[str, str, str]] = []

    def decide(self, principal, context, extra=()):  # noqa: ANN001, ANN202
        asked.append((self.action, self.resources[0], principal.name))
        return Decision(self.action == "sagemaker:StartSession" and principal.name == "StudioUsers")

    monkeypatch.setattr(Simulator, "decide", decide)
    cloud.demo = False
    report = audit(cloud, profile("vpce"))
    assert report.method == "simulator"
    assert ("sagemaker:StartSession", f"arn:aws:sagemaker:us-west-2:{ACCOUNT}:space/d-research/*",
            "StudioUsers") in asked
    assert [r.name for r in report.remote_ide] == ["StudioUsers"] and report.principals == ()


# ---------------------------------------------------------------- outside is more than one address (review16 M8)

OTHER_VPC = {"Version": "2012-10-17", "Statement": [{"Sid": "FromTheOtherVpc", "Effect": "Allow",
                                                     "Action": "sagemaker:*", "Resource": "*", "Condition": {
                                                         "StringEquals": {"aws:SourceVpc": "vpc-0ther0000000000000"}}}]}


def test_audit_outside_covers_the_other_vpcs_and_ranges_the_policies_name(cloud, aws) -> None:  # noqa: ANN001
    """A grant conditioned on another VPC (or public range, or endpoint) opens Studio from outside the profile's
    boundary; audit asked one internet address and omitted it. It is listed, with the request that opens it."""
    from wizard.audit import audit_text

    aws.client("iam").put_role_policy(RoleName="StudioUsers", PolicyName="FromTheOtherVpc",
                                      PolicyDocument=json.dumps(OTHER_VPC))
    report = audit(cloud, profile("vpce"))
    row = next(r for r in report.principals if r.name == "StudioUsers")
    assert row.from_anywhere is True and row.stopped_by_profile is False
    assert row.outside is not None and row.outside["aws:SourceVpc"] == "vpc-0ther0000000000000"
    assert row.to_json()["outside_context"] == row.outside
    text = audit_text(report)
    assert ("      from outside as: aws:SourceVpc=vpc-0ther0000000000000, aws:sourceVpce=vpce-0ffffffffffffffff, "
            "aws:VpcSourceIp=") in text
    assert [r.name for r in report.remote_ide] == ["StudioUsers"]  # sagemaker:* covers StartSession too
    assert report.remote_ide[0].outside == row.outside


def test_simulator_is_asked_the_other_outside_requests_the_policies_name(stubbed) -> None:  # noqa: ANN001
    """The simulator path asks the same requests, one simulation each, and stops at the first allowed; a principal
    whose policies compare no network key is asked the one internet request, as before."""
    cloud, stubber = stubbed
    p = profile("vpce")
    outside = outside_context(p)
    role = PrincipalPolicies("role", "Other", f"arn:aws:iam::{ACCOUNT}:role/Other",
                             (PolicyDoc("FromTheOtherVpc", "inline", "role/Other", OTHER_VPC),))
    stubber.add_response("simulate_principal_policy", {"EvaluationResults": [_result("implicitDeny")],
                                                       "IsTruncated": False}, _request(role.arn, outside))
    foreign = {"aws:SourceVpc": "vpc-0ffffffffffffffff", "aws:sourceVpce": "vpce-0ffffffffffffffff",
               "aws:VpcSourceIp": "10.255.255.10"}
    stubber.add_response("simulate_principal_policy", {"EvaluationResults": [_result("implicitDeny")],
                                                       "IsTruncated": False}, _request(role.arn, foreign))
    stubber.add_response("simulate_principal_policy", {"EvaluationResults": [_result("implicitDeny")],
                                                       "IsTruncated": False},
                         _request(role.arn, {**foreign, "aws:SourceVpc": p.vpc_id}))
    other = {**foreign, "aws:SourceVpc": "vpc-0ther0000000000000"}
    stubber.add_response("simulate_principal_policy", {"EvaluationResults": [_result("allowed", [
        _statement("FromTheOtherVpc", "inline")])], "IsTruncated": False}, _request(role.arn, other))
    access = principal_access(Simulator(cloud, PREFIX + "*"), observe_free_inventory(), p, role, None)
    stubber.assert_no_pending_responses()
    assert access.from_anywhere is True and access.outside == other


def test_not_covered_says_the_policy_holds_on_every_request_of_open_sessions() -> None:
    """review16 M2: audit said sessions opened before apply survive up to 12 hours ("the policy stops new URLs
    only"); CreatePresignedDomainUrl's API reference says its IAM policies are enforced for every HTTP request and
    WebSocket frame that connects to the app. Said as AWS documents it, in the output and in docs/audit.md."""
    from wizard.audit import NOT_COVERED

    said = " ".join(NOT_COVERED)
    assert "every HTTP request and WebSocket frame" in said and "sessions opened before apply are held to it" in said
    assert "new URLs only" not in said and "12 hours" not in said
    doc = (ROOT / "docs" / "audit.md").read_text()
    assert "every HTTP request and WebSocket frame" in doc and "new presigned URLs only" not in doc


def test_audit_says_what_the_local_evaluation_and_audit_leave_out(cloud) -> None:  # noqa: ANN001
    """review16 L2: the printed note said only "evaluated locally"; it says SCPs are not read. Every report says
    what audit does not check: privilege escalation."""
    from wizard.audit import audit_text

    report = audit(cloud, profile("vpce"))
    text = audit_text(report)
    note = next(line for line in text.splitlines() if line.startswith("note: "))
    assert "evaluated locally (service control policies are not read" in note
    checked = next(line for line in text.splitlines() if line.startswith("Not checked by audit: "))
    assert "privilege escalation" in checked and "iam:CreatePolicyVersion" in checked and "assume a role" in checked
    assert report.to_json()["not_checked"] == list(report.not_checked)
    assert "privilege escalation" in (ROOT / "docs" / "audit.md").read_text()


def test_audit_says_a_domain_scoped_policy_leaves_other_domains_open(cloud) -> None:  # noqa: ANN001
    """review16 L4: with resource_scope domain (the default) a sagemaker:* holder can open Studio from anywhere
    through another domain it creates; audit and docs/audit.md say so, and name resource_scope: all."""
    from wizard.audit import audit_text

    checked = next(line for line in audit_text(audit(cloud, profile("vpce"))).splitlines()
                   if line.startswith("Not checked by audit: "))
    assert "through another domain" in checked and "resource_scope: all" in checked
    everywhere = audit(cloud, profile("vpce", access={"resource_scope": "all"}))
    assert not any("another domain" in n for n in everywhere.not_checked)
    assert "through it, whatever the deny guardrail says" in (ROOT / "docs" / "audit.md").read_text()
