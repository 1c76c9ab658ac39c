"""The command line: parse flags, build the cloud session, call the engine, map errors to exit codes.

It imports neither Textual nor boto3 at module level: `plan` and `apply` start fast, and the TUI is loaded
only by the wizard command.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from wizard import __version__
from wizard.errors import ConfigProblem, InvalidInput, Refused, StudioVpceError

COMMANDS = ("wizard", "discover", "plan", "apply", "destroy", "verify", "export", "permissions", "sandbox",
            "audit")
_PRELOADING = ("plan", "apply", "destroy", "verify", "audit", "export", "discover")  # --demo: may start a server
_VALUE_OPTIONS = {"--region", "--aws-profile", "--endpoint-url", "--output", "--out", "--format", "--user-profile"}
log = logging.getLogger("studio-vpce")


class UsageError(Exception):
    """A command line argparse refuses: said in one line (exit 3), never its usage block. `prog`: the
    (sub)command whose -h helps."""

    def __init__(self, message: str, prog: str) -> None:
        super().__init__(" ".join(message.split()))
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    """argparse, whose usage errors are one line that says what was wrong and where help is (exit 3 in main)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.prog)


def _value(flag: str, rule: Callable[[str], str | None] | None = None) -> Callable[[str], str]:
    """argparse `type=` for a flag's value: never empty or blank (an empty --region or --user-profile used to
    be taken for no flag, or sent to AWS as it was), then `rule` (validators-style: the reason, or None)."""
    def check(text: str) -> str:
        value = text.strip()
        reason = rule(value) if rule is not None else None
        if not value and not reason:
            reason = "(empty) is not a value; give one, or leave the flag out"
        if reason:
            raise argparse.ArgumentTypeError(reason)
        return value
    check.__name__ = flag  # argparse names the type in some messages
    return check


def _user_profile_rule(value: str) -> str | None:
    from wizard.validators import user_profile_name  # noqa: PLC0415

    return user_profile_name(value)


def _common(parser: argparse.ArgumentParser, top: bool) -> None:
    d: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    parser.add_argument("--region", type=_value("--region"),
                        help="AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the AWS profile's)", **d)
    parser.add_argument("--aws-profile", metavar="NAME", type=_value("--aws-profile"), help="named AWS CLI profile",
                        **d)
    parser.add_argument("--endpoint-url", metavar="URL", help="send every AWS call to this URL (e.g. a moto server)", **d)
    parser.add_argument("--demo", action="store_true", help="use the embedded sandbox account (no credentials)", **d)
    parser.add_argument("--debug", action="store_true", help="log AWS calls (secrets redacted) and show tracebacks", **d)
    parser.add_argument("--no-color", action="store_true", help="plain text output", **d)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="studio-vpce", description="Make SageMaker Studio reachable privately "
                                     "from a VPC, and only from there.")
    parser.add_argument("--version", action="version", version=f"studio-vpce {__version__}")
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("wizard", help="guided setup (full screen, or --plain prompts)")
    p.add_argument("profile", nargs="?", metavar="PROFILE", help="preload this profile's answers")
    p.add_argument("--plain", action="store_true", help="plain questions instead of the full-screen wizard")

    p = sub.add_parser("discover", help="list VPCs, subnets, domains, endpoints, security groups, principals")
    p.add_argument("--output", choices=("table", "json"), default="table")

    p = sub.add_parser("plan", help="show what apply would change, and every generated policy; changes nothing")
    p.add_argument("profile", metavar="PROFILE")
    p.add_argument("--output", choices=("text", "json"), default="text")
    p.add_argument("--out", metavar="PLANFILE", help="save the plan for `apply PLANFILE`")
    p.add_argument("--detailed-exitcode", action="store_true", help="exit 2 when the plan has changes")
    p.add_argument("--verbose", action="store_true", help="also list no-op resources (=)")

    p = sub.add_parser("apply", help="make it so (a PLANFILE is applied exactly, or refused if stale)")
    p.add_argument("profile", metavar="PROFILE|PLANFILE")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--confirm-self-lockout", action="store_true",
                   help="needed with --yes when you are among the attach targets")

    p = sub.add_parser("destroy", help="remove what this profile created (by tag), nothing else")
    p.add_argument("profile", metavar="PROFILE")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    p = sub.add_parser("verify", help="check the live setup against the profile")
    p.add_argument("profile", metavar="PROFILE")
    p.add_argument("--user-profile", metavar="NAME", type=_value("--user-profile", _user_profile_rule),
                   help="also check this Studio user profile is InService")
    p.add_argument("--presigned-url", action="store_true",
                   help="also call CreatePresignedDomainUrl (needs --user-profile); reports the host only")
    p.add_argument("--show-url", action="store_true", help="print the presigned URL in full (terminal only)")
    p.add_argument("--simulate", action="store_true", help="also check, per attach target, that Studio opens from "
                   "inside the boundary and not from outside (IAM policy simulator; local evaluation in the demo)")

    p = sub.add_parser("audit", help="who can still open Studio from outside the boundary, and why (read-only)")
    p.add_argument("profile", metavar="PROFILE")
    p.add_argument("--output", choices=("text", "json"), default="text")
    p.add_argument("--detailed-exitcode", action="store_true",
                   help="exit 2 when someone could still open Studio from outside after apply")

    p = sub.add_parser("export", help="write the resources as CloudFormation, Terraform or an AWS CLI script")
    p.add_argument("profile", metavar="PROFILE")
    p.add_argument("--format", choices=("cloudformation", "terraform", "cli"), required=True)
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")

    p = sub.add_parser("permissions", help="print the least-privilege IAM policy studio-vpce itself needs")
    p.add_argument("--for", dest="purpose", choices=("plan", "apply", "verify", "audit"), default="apply",
                   help="default: %(default)s. plan: read-only (discover, plan, verify); apply: also apply and destroy; "
                        "verify: read-only plus verify --presigned-url and --simulate; audit: read-only plus every "
                        "principal's policies and the IAM policy simulator")

    p = sub.add_parser("sandbox", help="the --demo account: status, reset (wipe its saved state, re-seed), "
                                       "stop (its state is kept)")
    p.add_argument("action", choices=("status", "reset", "stop"))
    p.add_argument("--output", choices=("text", "json"), default="text")

    for action in sub.choices.values():
        _common(action, top=False)
    return parser


def _first_word(argv: list[str]) -> str | None:
    """The first token that is neither an option nor an option's value."""
    skip = False
    for token in argv:
        if skip:
            skip = False
            continue
        if token.startswith("-"):
            skip = token in _VALUE_OPTIONS
            continue
        return token
    return None


def _with_default_command(argv: list[str]) -> list[str]:
    """`studio-vpce [PROFILE] [--plain]` means the wizard."""
    word = _first_word(argv)
    if word is not None:
        return argv if word in COMMANDS else ["wizard", *argv]
    if any(t in ("-h", "--help", "--version") for t in argv):
        return argv
    return ["wizard", *argv]


def _unknown_command(argv: list[str]) -> str | None:
    """The one-line error for a first word that is neither a command nor a profile file, else None.

    `studio-vpce PROFILE` opens the wizard on a profile, so a word that names a file, or looks like a path
    (a folder separator or a file suffix), is left to the profile loader ("no such profile file").
    """
    word = _first_word(argv)
    if word is None or word in COMMANDS or Path(word).exists() or "/" in word or os.sep in word or "." in word:
        return None
    import difflib  # noqa: PLC0415

    close = difflib.get_close_matches(word, COMMANDS, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (f"unknown command {word!r}{hint}; commands: {', '.join(COMMANDS)}; "
            "or open a profile in the wizard with `studio-vpce PROFILE.yaml`; see `studio-vpce --help`")


# ---------------------------------------------------------------- session

def prestart_demo(args: argparse.Namespace, profile_region: str | None = None,
                  profile_path: str | None = None) -> str | None:
    """--demo: check the region, then start the sandbox server if none runs, without waiting for it; the
    region (None without --demo). Commands call this as soon as their input is valid and before they import
    boto3 and the engine, so that the server starts (imports moto, restores or seeds the account) meanwhile."""
    if not args.demo:
        return None
    from wizard import sandbox  # noqa: PLC0415

    region: str = args.region or profile_region or sandbox.DEMO_REGION
    sandbox.check_region(region)
    _check_region(region, "--region" if args.region else "the demo sandbox", profile_region, profile_path)
    sandbox.prestart(region)
    return region


def make_cloud(args: argparse.Namespace, profile_region: str | None = None, profile_path: str | None = None):  # noqa: ANN201
    if args.demo:
        from wizard import sandbox  # noqa: PLC0415

        demo_region = prestart_demo(args, profile_region, profile_path) or sandbox.DEMO_REGION  # a no-op when started
        from wizard.cloud import Cloud  # noqa: PLC0415 - boto3 loads here, not at import

        if sandbox.in_process():  # tests and benches host the sandbox in their own process
            return Cloud(demo_region, session=sandbox.start(demo_region), demo=True)
        # The persistent sandbox server (started on first use; the wizard calls this from its discovery worker)
        quiet = args.command == "wizard" and not getattr(args, "plain", False)  # no print under a full-screen UI
        session, url = sandbox.connect(demo_region, notify=None if quiet else _notice)
        return Cloud(demo_region, session=session, endpoint_url=url, demo=True, trim_models=True)
    from wizard.cloud import Cloud, resolve_region  # noqa: PLC0415 - boto3 loads here, not at import

    region, source = resolve_region(args.region, args.aws_profile, profile_region)
    if not region:  # "in the profile" only for a command given one (discover takes none)
        raise ConfigProblem("no AWS region: pass --region, or set AWS_REGION"
                            + (", or put region: in the profile" if getattr(args, "profile", None) else ""))
    _check_region(region, source, profile_region, profile_path)
    return Cloud(region, aws_profile=args.aws_profile, endpoint_url=args.endpoint_url)


def _notice(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _check_region(region: str, source: str, profile_region: str | None, profile_path: str | None) -> None:
    if profile_region and region != profile_region:
        from wizard.profiles import region_mark  # noqa: PLC0415

        line, col = region_mark(profile_path) if profile_path else (1, 1)
        raise InvalidInput(f"{profile_path}:{line}:{col}: region: the profile is for {profile_region} but {source} "
                           f"says {region}; run with --region {profile_region}, or change the profile")


def _account_guard(plan: Any) -> None:
    """The planner owns the account guard; the CLI refuses (exit 5) before printing anything else."""
    mismatch = next((e for e in plan.errors if e.code == "account_mismatch"), None)
    if mismatch is not None:
        raise Refused(mismatch.message)


def _color(args: argparse.Namespace) -> bool:
    return not args.no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def _load_profile(path: str, demo: bool = False, command: str = "plan"):  # noqa: ANN202
    from wizard.profiles import load  # noqa: PLC0415

    if _is_plan_file(path):  # else: a screenful of "required key is missing", one per profile key
        if command != "plan":  # (trial 16: destroy, verify, audit were handed apply's command, which creates)
            raise InvalidInput(f"{path} is a plan file (made by `plan --out`); {command} takes a profile: give it "
                               "the profile the plan was made from")
        raise InvalidInput(f"{path} is a plan file (made by `plan --out`); only apply takes one: run `studio-vpce "
                           f"apply {path}{' --demo' if demo else ''}`, or give this command the profile it was made "
                           "from")  # (--demo said: a trial copied the command without it, and apply refused it)
    return load(path)


def _is_plan_file(path: str) -> bool:
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text) if text.lstrip().startswith("{") else None
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(data, dict) and "format_version" in data and "inputs" in data


def _observe_and_plan(args: argparse.Namespace, profile: Any, path: str):  # noqa: ANN202
    prestart_demo(args, profile.region, path)  # before boto3 and the engine load
    from wizard.discovery import observe  # noqa: PLC0415
    from wizard.planner import plan  # noqa: PLC0415

    cloud = make_cloud(args, profile.region, path)
    from wizard.policies import prepare_lint  # noqa: PLC0415

    prepare_lint()  # parliament loads while observe waits on AWS (or on the sandbox's start)
    inventory = observe(cloud, profile)
    result = plan(inventory, profile)
    _account_guard(result)
    return cloud, inventory, result


# ---------------------------------------------------------------- commands

def cmd_discover(args: argparse.Namespace) -> int:
    prestart_demo(args)  # before boto3 and the engine load
    from wizard.discovery import discover  # noqa: PLC0415
    from wizard.render import discover_json, discover_table  # noqa: PLC0415

    inventory = discover(make_cloud(args), dns_for_every_vpc=True)
    print(json.dumps(discover_json(inventory), indent=2) if args.output == "json" else discover_table(inventory))
    return 0


OUT_NAMES = {"plan": "plan.json", "terraform": "main.tf", "cloudformation": "template.yaml", "cli": "studio-vpce.sh"}


def _check_out(path: str, kind: str = "plan", profile: str | None = None) -> Path:
    """--out FILE: refused (exit 3) before anything is read, printed or written when it cannot be written there
    (validators.save_path, the wizard's own rule for saving), or when it is the profile the command reads (the
    plan replaced it). `kind`: what is written, for the name suggested."""
    from wizard.validators import save_path  # noqa: PLC0415

    if path == "-":  # (trial 16: a file named '-' was written) the Unix habit for stdout, which --out is not
        stdout = "`--output json` prints the plan as JSON" if kind == "plan" else "without --out it goes to stdout"
        raise InvalidInput(f"--out takes a file path, not '-': {stdout}; nothing was written")
    target, reason = save_path(path, OUT_NAMES[kind])
    if reason:
        raise InvalidInput(f"--out {reason}; nothing was written")
    if profile is not None and target.exists() and Path(profile).exists() and os.path.samefile(target, profile):
        raise InvalidInput(f"--out {target} is the profile being read: the {kind} would replace it; choose "
                           "another path; nothing was written")
    if target.is_file() and not _replaceable(target, kind):  # a trial: `plan --out main.tf` replaced their Terraform
        what = "plan file" if kind == "plan" else f"{kind} export"
        raise InvalidInput(f"--out {target} exists and is not a studio-vpce {what}: it would be replaced; choose "
                           "another path, or move that file away first; nothing was written")
    return target


def _replaceable(target: Path, kind: str) -> bool:
    """Only what studio-vpce wrote for the same kind (a plan file; an export of this format) is replaced, or an
    empty file: anything else may be someone's work."""
    try:
        with target.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return True  # unreadable: writing it fails on its own, with its reason
    if not head.strip():
        return True
    if kind == "plan":
        try:
            data = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(data, dict) and "format_version" in data and "fingerprint" in data
    from wizard.export import made_by_studio_vpce  # noqa: PLC0415

    return made_by_studio_vpce(head, kind)


def _write_out(path: str, text: str, kind: str = "plan") -> str:
    """Write --out FILE whole or not at all (a temporary file beside it, then renamed). Returns what to add to
    the line that says so: that it replaced a file (as `terraform plan -out` does, without asking; said)."""
    target = _check_out(path, kind)
    replaced = " (it replaced the file that was there)" if target.exists() else ""
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InvalidInput(f"--out {path}: cannot write it ({exc.strerror or type(exc).__name__}); choose another "
                           "path; nothing was written") from None
    return replaced


def _write_plan_file(plan: Any, path: str) -> str:
    from wizard.render import plan_json  # noqa: PLC0415

    data = plan_json(plan)
    data["inputs"] = {"profile": plan.profile.model_dump(mode="json"), "demo": plan.demo}
    data = json.loads(json.dumps(data, default=str))
    data["digest"] = _plan_digest(data)
    return _write_out(path, json.dumps(data, indent=2) + "\n")


def _plan_digest(data: dict[str, Any]) -> str:
    """sha256 of a plan file's content as `plan` wrote it: tells a file edited by hand from one whose account
    moved (a seal against mistakes, not a signature: whoever edits the file can write a new one)."""
    content = {k: v for k, v in data.items() if k != "digest"}
    return "sha256:" + hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def cmd_plan(args: argparse.Namespace) -> int:
    from wizard.render import plan_json, plan_text  # noqa: PLC0415

    profile = _load_profile(args.profile, args.demo, args.command)
    if args.out is not None:  # `--out ''` too: refused, never taken for no --out
        _check_out(args.out, profile=args.profile)
    _, _, plan = _observe_and_plan(args, profile, args.profile)
    if args.output == "json":
        print(json.dumps(plan_json(plan), indent=2))
    else:
        print(plan_text(plan, verbose=args.verbose, color=_color(args)))
    if args.out is not None:
        replaced = _write_plan_file(plan, args.out)
        from wizard.profiles import command_path  # noqa: PLC0415

        demo = " --demo" if args.demo else ""
        if plan.errors:  # saved for review; apply refuses it
            print(f"Saved the plan to {args.out}{replaced}, but it has errors (listed above) and cannot be applied: fix them "
                  "and plan again", file=sys.stderr)
        else:
            print(f"Saved the plan to {args.out}{replaced}; apply it with: studio-vpce apply {command_path(args.out)}{demo}",
                  file=sys.stderr)
    if plan.errors:
        return 3
    return 2 if args.detailed_exitcode and plan.has_changes else 0


def _read_plan_file(path: str) -> dict[str, Any] | None:
    """A saved plan (JSON with format_version), or None when the file is a profile."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError):  # a folder, unreadable, not text: the profile loader says which
        return None
    if not text.lstrip().startswith(("{", "[")):  # a profile: YAML in block style
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if Path(path).suffix.lower() in (".yaml", ".yml"):  # a profile in YAML's flow style, {version: 1, ...}
            return None
        raise InvalidInput(f"{path}:{exc.lineno}:{exc.colno}: not a valid plan file (JSON: {exc.msg}); save one "
                           "with `plan PROFILE --out FILE`") from None
    if (not isinstance(data, dict) or data.get("format_version") != 1 or not isinstance(data.get("inputs"), dict)
            or "fingerprint" not in data):
        raise InvalidInput(f"{path}: not a studio-vpce plan file (save one with `plan PROFILE --out FILE`)")
    return data


PLAN_FILE_OWN_KEYS = ("inputs", "caller", "fingerprint", "digest")  # what it replays, who planned, seals


def _edited_part(key: str, saved: Any, fresh: Any) -> str:
    """What in the plan file's `key` differs from what its profile plans now, in a few words."""
    if key in ("changes", "warnings", "errors") and isinstance(saved, list):
        name = "address" if key == "changes" else "code"
        ours = {c[name]: c for c in fresh}
        theirs = {c.get(name) if isinstance(c, dict) else "?" for c in saved}
        edited = [c.get(name) if isinstance(c, dict) else "?" for c in saved
                  if not isinstance(c, dict) or ours.get(c.get(name)) != c]
        missing = [n for n in ours if n not in theirs]
        what = {"changes": "change", "warnings": "warning", "errors": "error"}[key]
        if edited:
            return f"{what} {edited[0]}"
        if missing:
            return f"{what} {missing[0]} (not in the file)"
        return f"the list of {key}"
    return key


def _targets(plan: dict[str, Any]) -> set[str]:
    """The principals a plan was made for: its attach targets, each planned as attached (create, no-op) or
    as missing (principal_not_found), whatever the account holds."""
    changes: list[Any] = plan["changes"] if isinstance(plan.get("changes"), list) else []
    found = {c.get("address") for c in changes if isinstance(c, dict) and c.get("action") in ("create", "no-op")
             and str(c.get("address", "")).startswith("iam_policy_attachment.")}
    errors: list[Any] = plan["errors"] if isinstance(plan.get("errors"), list) else []
    for error in errors:
        match = re.match(r"IAM (user|group|role) '([^']+)'", str(error.get("message", ""))) if isinstance(
            error, dict) and error.get("code") == "principal_not_found" else None
        if match:
            found.add(f"iam_policy_attachment.{match[1]}.{match[2]}")
    return {str(a) for a in found}


def _masked_endpoints(document: Any) -> str:
    """A policy with its endpoint ids masked: they come from the account (or are known after apply)."""
    return re.sub(r'"(vpce-[0-9a-z]+|\(known after apply\))"', '"<endpoint>"', json.dumps(document, sort_keys=True))


def _not_its_profiles(saved: dict[str, Any], fresh: dict[str, Any]) -> str | None:
    """What a plan file says that its own profile (under `inputs`) never plans, whatever the account holds:
    the name and region, the endpoint policies (the profile's alone), the identity policy (but for endpoint
    ids) and the principals it is attached to. A file edited and sealed again says so, never `stale`."""
    for key, what in (("profile", "its profile name is"), ("region", "its region is")):
        if saved.get(key) != fresh[key]:
            return f"{what} not the profile's"
    policies: dict[str, Any] = saved["policies"] if isinstance(saved.get("policies"), dict) else {}
    if policies.get("endpoint") != fresh["policies"]["endpoint"]:
        return "its endpoint policies are not the profile's"
    if _masked_endpoints(policies.get("identity")) != _masked_endpoints(fresh["policies"]["identity"]):
        return "its identity policy is not the profile's"
    ours, theirs = _targets(fresh), _targets(saved)
    planned = [any(isinstance(c, dict) and c.get("address") == "iam_policy.access" for c in p.get("changes") or ())
               for p in (fresh, saved)]  # the policy planned in both (else, e.g. profile_serves_other_vpc: no
    if all(planned) and ours != theirs:  # attachments are planned at all, whatever the profile says)
        first = min(ours ^ theirs)
        name = first.removeprefix("iam_policy_attachment.").replace(".", " ", 1)
        return f"its principals to attach are not the profile's ({name} is {'only in' if first in ours else 'not in'} the profile)"
    return None


def _refuse_changed_plan(path: str, saved: dict[str, Any], plan: Any) -> None:
    """A plan file is applied exactly: what it lists must be what its own profile plans now (`plan`), against
    the account as it was (same fingerprint). Refused (exit 5) before any change, and said as what happened:
    `was edited` (its digest no longer matches: a hand edit, anywhere, the profile under `inputs` included),
    `is stale` (the account moved since), or that it says something else than its profile plans (now, or with
    any account: a file edited and sealed again with a new digest, `_not_its_profiles`).

    Every key counts, the warnings and the cost estimate included (a removed self_lockout warning hid what apply
    does to its caller). `caller` (who made the plan) may differ: other credentials of the account may apply
    it (plan and apply often run as different roles, `permissions --for plan` and `--for apply`); the warnings
    that name the caller are then compared as made for the applier, so a self-lockout that differs is refused."""
    from wizard.render import plan_json  # noqa: PLC0415

    edited = saved.get("digest") != _plan_digest(saved)
    fresh = json.loads(json.dumps(plan_json(plan), default=str))
    planned_by, applier = saved.get("caller"), fresh["caller"]
    if isinstance(planned_by, str) and planned_by and applier and planned_by != applier:
        for warning in fresh["warnings"]:  # the same warning, about whoever runs the command
            warning["message"] = warning["message"].replace(applier, planned_by)
    part = next((f"{key} is not part of a plan" for key in sorted(set(saved) - set(fresh) - set(PLAN_FILE_OWN_KEYS))),
                None)
    if part is None:
        part = next((f"{_edited_part(key, saved.get(key), fresh[key])} is not what its profile plans"
                     for key in fresh if key not in PLAN_FILE_OWN_KEYS and saved.get(key) != fresh[key]), None)
    refusal = "a plan file is applied exactly or not at all: nothing was changed; run plan again"
    if edited and plan.fingerprint != saved["fingerprint"]:  # what differs may be the account's doing: not named
        # (trial 16: said "the account changed" when only the edit did: a profile edited under `inputs` reads
        # other principals, so the fingerprint moves with the account unchanged; which one cannot be told)
        raise Refused(f"{path} was edited since `plan` wrote it (its digest does not match its content), and what it "
                      f"reads of the account differs from what was planned (the account changed since, or the edit "
                      f"changed what is read); {refusal}")
    if edited:
        raise Refused(f"{path} was edited since `plan` wrote it ({part or 'its digest does not match its content'})"
                      f"; {refusal}")
    if plan.fingerprint != saved["fingerprint"]:
        mismatch = _not_its_profiles(saved, fresh)
        if mismatch is not None:  # not the account: the file says what its own profile never plans
            raise Refused(f"{path} says something else than its own profile (under `inputs`) plans, whatever the "
                          f"account holds: {mismatch} (the file was changed and sealed again?); {refusal}")
        raise Refused(f"{path} is stale: the account changed since it was planned; run plan again")
    lockouts = [any(w.get("code") == "self_lockout" for w in (d.get("warnings") or []) if isinstance(w, dict))
                for d in (saved, fresh)]
    if part is not None and planned_by != applier and lockouts == [False, True]:  # (trial 16: "run plan again",
        raise Refused(f"{path} was planned by {planned_by}, who is not among its attach targets, and you "  # as the
                      f"({applier}) are: applied by you, it would lock you out of opening Studio from outside the "  # same
                      "boundary, which the file does not say. Plan it again as yourself (`studio-vpce plan PROFILE "
                      f"--out FILE`; apply then asks to confirm the lockout), or apply it as {planned_by}; nothing "
                      "was changed")
    if part is not None:
        by = f" (planned by {planned_by})" if planned_by != applier else ""
        raise Refused(f"{path} says something else than its own profile (under `inputs`) plans now{by}: {part}; "
                      f"{refusal}")
    if planned_by != applier:
        print(f"note: {path} was planned by {planned_by or 'unknown credentials'}; applying it as {applier}",
              file=sys.stderr)


def _confirm(question: str) -> bool:
    """ask_yes; end of input (Ctrl+D) is no answer, so not yes: the command is cancelled (exit 5), as for any other
    answer (a trial: Ctrl+D said "error: EOFError:", exit 1, an AWS/runtime failure)."""
    from wizard.prompts import ask_yes  # noqa: PLC0415

    try:
        return ask_yes(question)
    except EOFError:
        return False


def _print_event(event: Any) -> None:
    """One line per step."""
    if event.kind == "start":
        return
    mark = {"done": "ok", "failed": "FAILED", "wait": "..", "info": "  "}[event.kind]
    line = f"{mark:>6} {event.address}" + (f"  {event.id}" if event.id else "") + (
        f"  {event.message}" if event.kind in ("failed", "wait", "info") else "")
    print(line, flush=True)


def interrupted_message(stop: Any, what: str) -> str:
    """Ctrl+C during apply/destroy (executor.Interrupted): what was done, and what to do next (one line)."""
    done = stop.changes_done
    shown = ", ".join(done[:4]) + (f", and {len(done) - 4} more" if len(done) > 4 else "")
    line = f"interrupted after {len(done)} of {stop.total} changes" + (f" ({shown})" if done else "")
    if stop.under_way == "wait.vpc_endpoints":
        line += "; the endpoints were made, and were not yet available"
    elif stop.under_way:  # destroy only deletes
        line += f"; {stop.under_way} was under way and may have been {'deleted' if what == 'destroy' else 'made'}"
    if not done and not stop.under_way:  # nothing was made (or deleted): there is nothing to undo
        return line + f"; nothing was changed; run {what} again to carry out the plan"
    if what == "destroy":
        return line + "; run destroy again to finish"
    return line + "; run apply again to finish, or destroy to remove what this profile made"


def _execute(cloud: Any, plan: Any, args: argparse.Namespace, what: str) -> int:
    from wizard.executor import Executor, Interrupted  # noqa: PLC0415

    print(f"{what}: {plan.count('create')} to add, {plan.count('update')} to change, {plan.count('delete')} to destroy."
          + ("  [DEMO sandbox: nothing here is real]" if cloud.demo else ""))
    args.executing = True  # from here on, Ctrl+C may leave changes made
    try:
        result = Executor(cloud, plan, on_event=_print_event).run()
    except Interrupted as stop:
        print(interrupted_message(stop, what), file=sys.stderr)
        return 130
    if result.ok:
        print(f"{what} complete: {result.counted(plan)}.")
        return 0
    print(f"{what} stopped: {result.counted(plan)} ({'steps done: ' + (', '.join(result.done) or 'none')}); "
          f"not done: {', '.join(result.not_done) or 'none'}.", file=sys.stderr)
    print(f"error: {str(result.error).rstrip('.')}. Fix the cause and run the same command again: it picks up where it stopped.",
          file=sys.stderr)
    if args.debug and result.error is not None:
        raise result.error
    return getattr(result.error, "exit_code", 1)


def confirm_question(plan: Any, what: str) -> str:
    """The question before apply or destroy changes AWS (CLI), said as --plain says it, with the plan's count."""
    counted = (f"Plan: {plan.count('create')} to add, {plan.count('update')} to change, "
               f"{plan.count('delete')} to destroy.")
    outside = [f"{c.address}{' ' + c.id if c.id else ''}" for c in plan.changes if c.outside and c.action != "no-op"]
    if outside:  # by the planner's field (Change.outside), as the wizard's confirmation names them
        counted += (f" Of these, {len(outside)} change{'s' if len(outside) == 1 else ''} what studio-vpce did not "
                    f"create: {', '.join(outside)}.")
    if what == "destroy":
        return f"Destroy what this profile made in account {plan.account_id}? {counted}"
    return f"Apply in account {plan.account_id}? {counted}"


def _gate(args: argparse.Namespace, plan: Any, what: str) -> None:
    """--yes, or a terminal to ask on; then every confirmation the plan carries (Plan.confirmations)."""
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if "wizard.terminal" in sys.modules:  # the echo, off while the plan was made (main), is back for the answers;
        sys.modules["wizard.terminal"].restore(flush=False)  # the question drops the keys typed meanwhile and says so
    if not args.yes:
        if not interactive:
            raise Refused(f"{what} needs --yes when there is no terminal to confirm on; nothing was changed")
        if not _confirm(confirm_question(plan, what)):
            raise Refused(f"{what} cancelled; nothing was changed")
    for confirmation in plan.confirmations:
        if confirmation.flag and getattr(args, confirmation.flag.removeprefix("--").replace("-", "_"), False):
            continue
        if not interactive:
            raise Refused(f"{confirmation.question.removesuffix(' Go ahead?')} Add {confirmation.flag} to go "
                          "ahead; nothing was changed")
        if not _confirm(confirmation.question):
            raise Refused(f"cancelled at the {confirmation.code.replace('_', '-')} confirmation; nothing was changed")


def cmd_apply(args: argparse.Namespace) -> int:
    from wizard.profiles import profile_from_data  # noqa: PLC0415
    from wizard.render import plan_text  # noqa: PLC0415

    saved = _read_plan_file(args.profile)
    if saved is not None:
        profile = profile_from_data(saved["inputs"]["profile"], args.profile)
        if saved["inputs"].get("demo") and not args.demo:
            raise InvalidInput(f"{args.profile}: this plan was made with --demo; apply it with --demo")
        if not saved["inputs"].get("demo") and args.demo:  # said as such, not as a stale plan or another account
            raise InvalidInput(f"{args.profile}: this plan was made against an AWS account, not the demo sandbox; "
                               "apply it without --demo")
        cloud, _, plan = _observe_and_plan(args, profile, args.profile)
        _refuse_changed_plan(args.profile, saved, plan)
    else:
        profile = _load_profile(args.profile, args.demo, args.command)
        cloud, _, plan = _observe_and_plan(args, profile, args.profile)
    if plan.errors:
        print(plan_text(plan, color=_color(args)))
        print("apply refused: the plan has errors (listed above); nothing was changed", file=sys.stderr)
        return 3
    if not plan.has_changes:
        print("No changes. The account matches the profile.")
        return 0
    # with --yes too, as `terraform apply -auto-approve` prints its plan: a CI log keeps what was applied, the
    # policy documents included (trial 16: it had only the progress lines)
    print(plan_text(plan, color=_color(args)))
    _gate(args, plan, "apply")
    return _execute(cloud, plan, args, "apply")


def cmd_destroy(args: argparse.Namespace) -> int:
    profile = _load_profile(args.profile, args.demo, args.command)
    prestart_demo(args, profile.region, args.profile)  # before boto3 and the engine load
    from wizard.discovery import observe  # noqa: PLC0415
    from wizard.planner import plan_destroy  # noqa: PLC0415
    from wizard.render import plan_text  # noqa: PLC0415

    cloud = make_cloud(args, profile.region, args.profile)
    inventory = observe(cloud, profile)
    plan = plan_destroy(inventory, profile)
    _account_guard(plan)
    print(plan_text(plan, color=_color(args), destroy=True))
    if plan.errors:
        return 3
    if not plan.has_changes:
        return 0
    _gate(args, plan, "destroy")
    return _execute(cloud, plan, args, "destroy")


def cmd_verify(args: argparse.Namespace) -> int:
    profile = _load_profile(args.profile, args.demo, args.command)
    prestart_demo(args, profile.region, args.profile)  # before boto3 and the engine load
    from wizard.verify import verify  # noqa: PLC0415

    cloud = make_cloud(args, profile.region, args.profile)
    checks, url = verify(cloud, profile, args.user_profile, args.presigned_url, simulate=args.simulate)
    for check in checks:
        print(f"{'ok' if check.ok else ('warn' if check.advisory else 'FAIL'):>5} {check.name}: {check.detail}")
    if url is not None and args.show_url:
        if sys.stdout.isatty():
            print(f"URL (a login token: do not share): {url.url}")
        else:
            print("--show-url prints the URL only to a terminal; it was not printed", file=sys.stderr)
    failed = [c for c in checks if not c.ok and not c.advisory]
    advisories = sum(1 for c in checks if c.advisory)
    print(f"verify: {len(checks) - len(failed) - advisories} passed, {len(failed)} failed, {advisories} warnings"
          + ("  [DEMO sandbox: nothing here is real]" if cloud.demo else ""))
    return 1 if failed else 0


def cmd_audit(args: argparse.Namespace) -> int:
    profile = _load_profile(args.profile, args.demo, args.command)
    prestart_demo(args, profile.region, args.profile)  # before boto3 and the engine load
    from wizard.audit import audit, audit_text  # noqa: PLC0415

    cloud = make_cloud(args, profile.region, args.profile)
    live = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if live:
            print(f"\raudit: {done}/{total} checks done", end="" if done < total else "\n", file=sys.stderr,
                  flush=True)

    report = audit(cloud, profile, on_progress=progress)
    from wizard.validators import account_guard  # noqa: PLC0415

    mismatch = account_guard(profile.account_id, report.account_id, cloud.demo)
    if mismatch:
        raise Refused(mismatch)
    print(json.dumps(report.to_json(), indent=2) if args.output == "json" else audit_text(report))
    return 2 if args.detailed_exitcode and (report.still_open or report.remote_ide_open) else 0


def cmd_export(args: argparse.Namespace) -> int:
    profile = _load_profile(args.profile, args.demo, args.command)
    if args.out is not None:  # `--out ''` too: refused, never taken for stdout
        _check_out(args.out, args.format, args.profile)
    _, _, plan = _observe_and_plan(args, profile, args.profile)
    from wizard.export import export, notes, refusals  # noqa: PLC0415

    errors = refusals(plan, args.format)  # (a stack's own format exports an edited profile: trial 17)
    if errors:  # infrastructure code for what apply refuses: none (it wrote it all and exited 3 unsaid)
        print(f"export refused: the plan has {len(errors)} error(s), which apply refuses too; nothing was "
              f"written{'' if args.out is None else f' to {args.out}'}:", file=sys.stderr)
        for error in errors:
            print(f"  x {error.code}: {error.message}", file=sys.stderr)
        return 3
    text = export(plan, args.format)
    found = notes(plan, args.format)  # what it cannot do as apply would there: said, and in the file's header
    if found:
        kind = {"terraform": "Terraform configuration", "cloudformation": "CloudFormation template"}[args.format]
        print(f"export: this {kind} does not do what apply would in account {plan.account_id} ({plan.region}); "
              "before you deploy it there (also in its header):", file=sys.stderr)
        for code, message in found:
            print(f"  ! {code}: {message}", file=sys.stderr)
    if args.out is not None:
        replaced = _write_out(args.out, text, args.format)
        print(f"wrote {args.out}{replaced}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_wizard(args: argparse.Namespace) -> int:
    from wizard.session import WizardSession, load_recovery  # noqa: PLC0415

    preload: Any = None
    if args.profile:
        preload = load_recovery(args.profile) if Path(args.profile).is_file() else None
        if preload is None:
            preload = _load_profile(args.profile, args.demo, "wizard")
    region = preload.get("region") if isinstance(preload, dict) else getattr(preload, "region", None)
    # Before the wizard takes the screen: a region it could never use is one line and an exit code, as for plan
    # (it opened to a dead end, "Discovery failed ... needs a restart", and Ctrl+Q exited 0).
    if args.region and region:
        _check_region(args.region, "--region", region, args.profile)
    if args.demo and (args.region or region):  # the default demo region needs no check (nor the import)
        from wizard import sandbox  # noqa: PLC0415

        sandbox.check_region(str(args.region or region))

    def cloud_factory():  # noqa: ANN202 - runs in the discovery worker, after the first paint
        return make_cloud(args, region, args.profile)

    if args.plain:
        from wizard.prompts import run_prompts  # noqa: PLC0415

        return run_prompts(cloud_factory, preload=preload, profile_path=args.profile, demo=args.demo)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InvalidInput("the wizard needs a terminal; replay a saved profile with `studio-vpce apply PROFILE --yes`")
    from screens.app import run_app  # noqa: PLC0415 - the only place Textual is loaded

    session = WizardSession(cloud_factory, preload=preload, demo=args.demo)
    if args.profile and not isinstance(preload, dict):  # a profile file, not a recovery: Save offers it
        session.loaded_from = Path(args.profile)
    elif args.profile:  # a recovery file: leaving with nothing changed says the answers are still there
        session.resumed_from = Path(args.profile)
    code, message = run_app(session)
    if message:
        print(message, file=sys.stderr if code else sys.stdout)
    if getattr(args, "debug_log", None):
        print(f"--debug: the log (secrets redacted) is in {args.debug_log}" if args.debug_log.exists() else
              "--debug: nothing was logged (no AWS call was made), so no log file was written", file=sys.stderr)
    return code


def cmd_permissions(args: argparse.Namespace) -> int:
    from wizard.permissions import partition_of, policy_json  # noqa: PLC0415

    print(policy_json(args.purpose, partition_of(args.region)))
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    """The --demo account's lifetime: a local moto server that keeps its state between commands."""
    from wizard import sandbox  # noqa: PLC0415

    if args.action == "status":
        info = sandbox.status()
        if args.output == "json":
            if info is not None and not args.debug:  # what the server process loaded: for --debug only
                info = {key: value for key, value in info.items() if key not in ("moto_packages", "modules")}
            print(json.dumps({"running": info is not None, "state_dir": str(sandbox.state_dir()),
                              "saved_account": sandbox.journal_summary(sandbox.state_dir()), **(info or {})},
                             indent=2))
        else:
            print(sandbox.describe(info))
    elif args.action == "reset":
        info = sandbox.reset()
        print(f"demo sandbox reset: {', '.join(info['regions'])} seeded afresh; the saved account is wiped"
              if info is not None else
              "demo sandbox reset: the saved account is wiped; the next --demo command starts from the seeded account")
    elif sandbox.stop_server():
        print("demo sandbox stopped; its account is saved: the next --demo command starts it again as it was")
    else:
        print("demo sandbox: not running")
    return 0


HANDLERS = {"discover": cmd_discover, "plan": cmd_plan, "apply": cmd_apply, "destroy": cmd_destroy,
            "verify": cmd_verify, "export": cmd_export, "wizard": cmd_wizard, "permissions": cmd_permissions,
            "sandbox": cmd_sandbox, "audit": cmd_audit}


def endpoint_url_error(url: str) -> str | None:
    """Why botocore would refuse this endpoint URL (it wants http:// or https:// and a host), or None."""
    from urllib.parse import urlsplit  # noqa: PLC0415

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https"):
        return "it must start with http:// or https://"
    if not parts.hostname:
        return "it names no host"
    return None


def _check_flags(args: argparse.Namespace) -> None:
    """What argparse cannot check alone, before anything is read, started or printed (exit 3 or 4)."""
    _check_endpoint(args)
    if args.command == "verify" and args.presigned_url and not args.user_profile:
        raise InvalidInput("--presigned-url needs --user-profile NAME")
    if args.command == "verify" and args.show_url and not args.presigned_url:
        raise InvalidInput("--show-url needs --presigned-url (and --user-profile NAME): it prints the URL that "
                           "--presigned-url makes")


def _check_endpoint(args: argparse.Namespace) -> None:
    """--endpoint-url: a usage error with --demo (the sandbox has its own), a config problem when botocore
    would refuse it; both before anything is read or printed."""
    url = getattr(args, "endpoint_url", None)
    if url is not None and getattr(args, "demo", False):
        raise InvalidInput("--endpoint-url cannot be used with --demo (the demo sandbox has its own endpoint); "
                           "drop one of them")
    if getattr(args, "aws_profile", None) is not None and getattr(args, "demo", False):
        raise InvalidInput("--aws-profile cannot be used with --demo (the demo sandbox reads no credentials); "
                           "drop one of them")
    source = "--endpoint-url"
    if url is None and not getattr(args, "demo", False) and os.environ.get("AWS_ENDPOINT_URL"):
        url, source = os.environ["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL"
    reason = endpoint_url_error(url) if url is not None else None
    if reason:
        raise ConfigProblem(f"{source} {url!r} is not a valid endpoint URL ({reason}), like "
                            "http://localhost:5000")


def _full_screen(args: argparse.Namespace) -> bool:
    return bool(args.command == "wizard" and not getattr(args, "plain", False))


class _PrivateLogFile(logging.FileHandler):
    """--debug's log file under the full-screen wizard: made (mode 0600: it names accounts and principals)
    when the first line is logged, never before."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, encoding="utf-8", delay=True)

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def _setup_logging(args: argparse.Namespace) -> None:
    """--debug: AWS calls logged (redacted) to stderr; under the full-screen wizard, which draws on the terminal,
    to a file of their own (0600, in the state folder), named when the wizard ends (args.debug_log)."""
    if not args.debug:
        return
    from wizard.cloud import log_debug_to  # noqa: PLC0415

    handler: logging.Handler = logging.StreamHandler(sys.stderr)
    if _full_screen(args):
        import time  # noqa: PLC0415

        from wizard.session import state_dir  # noqa: PLC0415

        folder = state_dir()
        try:  # the folder now (a clear error before the screen is taken); the file at the first line logged,
            folder.mkdir(parents=True, exist_ok=True)  # so a refused wizard (bad input) leaves none behind
            if not os.access(folder, os.W_OK | os.X_OK):
                raise PermissionError(13, os.strerror(13))  # EACCES
            args.debug_log = folder / f"debug-{time.strftime('%Y%m%d-%H%M%S')}.log"
            handler = _PrivateLogFile(args.debug_log)
        except OSError as exc:
            raise ConfigProblem(f"--debug: cannot write a log in {state_dir()} ({exc.strerror or exc}); set "
                                "XDG_STATE_HOME to a folder you can write, or drop --debug") from None
    log_debug_to(handler, "%(asctime)s %(name)s %(levelname)s %(message)s")


def run() -> None:
    """The `studio-vpce` program: `main`, then the exit without the interpreter's teardown.

    A normal exit frees every object one by one (botocore's service models, parliament's IAM definition: up to
    half a second after a first run). When only this thread is left, this does what that exit does that
    matters (the atexit functions, then stdout and stderr flushed) and ends the process at once."""
    import threading  # noqa: PLC0415

    argv = sys.argv[1:]
    word = _first_word(argv)
    asks = word in ("apply", "destroy") and "--yes" not in argv  # its plan is made, then a question (main)
    if (word is None or word not in COMMANDS or word == "wizard" or asks) and not {"--plain", "-h", "--help",
                                                                                   "--version"} & set(argv):
        from wizard import terminal  # noqa: PLC0415

        terminal.hush()  # the full-screen wizard: keys typed while it starts are not echoed (wizard/terminal.py)
    try:
        code = main(preload=True)
    finally:
        if "wizard.terminal" in sys.modules:
            sys.modules["wizard.terminal"].restore()
    if "wizard.sandbox" in sys.modules:
        sys.modules["wizard.sandbox"].discard_preloaded()
    if threading.active_count() > 1:  # a thread still running gets the normal exit, which waits for it
        raise SystemExit(code)
    import atexit  # noqa: PLC0415

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that left (BrokenPipeError), or a closed stream
            pass
    os._exit(code)


def _preload(args: argparse.Namespace) -> None:
    """--demo: a server process starts loading moto while the command reads and checks its input (its profile);
    only once the command line itself checked out, so that a refused one starts nothing."""
    if args.demo and args.command in _PRELOADING:
        from wizard import sandbox  # noqa: PLC0415

        sandbox.preload()


def main(argv: list[str] | None = None, preload: bool = False) -> int:
    """The CLI: exit code of the command. `preload` (the `studio-vpce` program): start the --demo sandbox's
    server process early, as soon as the flags are valid (tests host the sandbox in-process instead)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    unknown = _unknown_command(argv)
    if unknown is not None:  # usage error: exit 3 like every invalid flag (argparse's own 2 is remapped too)
        print(f"error: {unknown}", file=sys.stderr)
        return 3
    try:
        args = parser.parse_args(_with_default_command(argv))
    except UsageError as exc:  # argparse's usage errors (its own exit 2): one line, exit 3 like every invalid flag
        command = _first_word(_with_default_command(argv))
        prog = exc.prog if exc.prog != parser.prog or command not in COMMANDS else f"{parser.prog} {command}"
        if _first_word(argv) is None:  # no command typed (the wizard by default): the help that lists them all
            prog = parser.prog
        print(f"error: {exc}; run '{prog} -h' for help", file=sys.stderr)
        return 3
    except SystemExit as exc:  # --help, --version
        return 0 if exc.code == 0 else 3
    try:
        _setup_logging(args)
    except StudioVpceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if getattr(args, "no_color", False):  # as NO_COLOR, for every line: the questions (prompt_toolkit) and the
        os.environ["NO_COLOR"] = "1"  # full-screen wizard (Textual) read only that (trial 5: a coloured '?')
    try:
        _check_flags(args)  # a refused command line starts nothing, not even the sandbox's preloaded process
        if preload:
            _preload(args)
        if args.command in ("apply", "destroy") and not args.yes:
            from wizard import terminal  # noqa: PLC0415

            # Keys typed while the plan is made are not echoed above the question that follows it (a trial); the
            # echo comes back at the question (_gate), or when the command ends, Ctrl+C included (below).
            terminal.hush()
        return HANDLERS[args.command](args)
    except KeyboardInterrupt:
        before_any_change = args.command in ("apply", "destroy") and not getattr(args, "executing", False)
        print("interrupted" + ("; nothing was changed" if before_any_change else ""), file=sys.stderr)
        return 130
    except BrokenPipeError:  # `studio-vpce plan ... | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except StudioVpceError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        if args.debug:
            raise
        from wizard.cloud import redact  # noqa: PLC0415

        print(f"error: {type(exc).__name__}: {redact(str(exc))} (run with --debug for details)", file=sys.stderr)
        return 1
    finally:
        if args.command in ("apply", "destroy") and "wizard.terminal" in sys.modules:
            sys.modules["wizard.terminal"].restore()  # the echo, if the question did not put it back (an error, ^C)
