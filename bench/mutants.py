"""Mutation testing that fits 2 cores: break one rule at a time, run the tests that guard it, list survivors.

Each mutant is a one-line text patch of the source (exact text, found exactly once) applied to a temporary copy
of the tree, never to the checkout. The relevant test modules run with `-x -q`; a mutant the tests do not fail
"survives". A patch whose text is no longer in the source is reported as "stale" (update the list); a mutant
whose test selection runs no test at all is "untested" (fix its -k), never a kill. Each test selection first
runs once on the unchanged copy (its baseline): a mutant whose selection already fails (or times out) unchanged
is reported as "baseline failing" (fix the tests first), never as killed.

    python bench/mutants.py                 # every mutant, one after another
    python bench/mutants.py --list          # ids and what each breaks
    python bench/mutants.py lockout_role token_groups    # only these
    python bench/mutants.py --timeout 300   # per-mutant limit in seconds (default 240)

Exit status: 0 when every mutant is killed, 1 when any survives or is stale.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPY = ("wizard", "screens", "tests", "profiles", "docs", "README.md", "pyproject.toml")  # the tests read the docs too


@dataclass(frozen=True)
class Mutant:
    id: str
    rule: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]  # pytest arguments (node ids, or a module plus "-k EXPR")


R = "tests/test_rules.py"
S = "tests/test_screens.py"
P = "tests/test_planner.py"
MUTANTS = [
    # One profile name, one VPC (second trial): the error, the policy left alone, destroy's VPC, unique addresses.
    Mutant("other_vpc_not_an_error", "a name deployed in another VPC is a plan error", "wizard/planner.py",
           '        b.error("profile_serves_other_vpc",\n                f"profile name',
           '        b.warn("profile_serves_other_vpc",\n                f"profile name', (P, "-k", "other_vpc")),
    Mutant("other_vpcs_policy_touched", "the other VPC's policy gets no change", "wizard/planner.py",
           "    if hands_off:\n        return document", "", (P, "-k", "other_vpc")),
    Mutant("destroy_other_vpc_endpoints", "destroy leaves the name's endpoints in another VPC", "wizard/planner.py",
           "if endpoint.vpc_id != profile.vpc_id or endpoint.gone:", "if endpoint.gone:", (P, "-k", "another_vpc")),
    Mutant("destroy_other_vpc_group", "destroy leaves the name's group in another VPC", "wizard/planner.py",
           "if ours(g.tags, profile.name) and g.vpc_id == profile.vpc_id), None)", "if ours(g.tags, profile.name)), None)",
           (P, "-k", "another_vpc")),
    Mutant("duplicate_addresses", "two changes never share an address", "wizard/planner.py",
           '            raise AssertionError(f"two changes with one address: {address}")', "            pass",
           (P, "-k", "one_address")),
    Mutant("deleted_endpoints_counted", "discover drops deleted endpoints", "wizard/discovery.py",
           "                 if not e.gone]", "                 ]", (P, "-k", "are_gone")),
    Mutant("dead_endpoint_reused", "a failed/rejected/expired endpoint of someone else is not reused", "wizard/planner.py",
           "and not e.gone and (e.live or ours(e.tags, profile.name))]", "]", (P, "-k", "not_live")),
    Mutant("takeover_other_profile", "another profile's endpoint is an error, not a takeover", "wizard/planner.py",
           "if not is_ours and other_profile:", "if False:", ("tests/test_planner.py", "-k", "another_profile")),
    Mutant("yes_not_required", "only the word yes applies outside the TUI", "wizard/prompts.py",
           "return typed_yes(str(answer))", "return bool(answer)",
           ("tests/test_prompts.py", "-k", "ask_yes")),
    # The keys-typed-ahead fix in screens/app.py has two halves (blur the old step at once; focus the new one at
    # once); each alone stops the bug, so breaking one survives. Breaking both fails
    # test_keys_typed_ahead_of_navigation_never_reach_the_previous_steps_input (checked by hand).
    Mutant("lockout_role_name", "assumed-role ARN maps to the role name, not the session", "wizard/discovery.py",
           'kind, name = "assumed-role", resource.split("/")[1]', 'kind, name = "assumed-role", resource.split("/")[-1]',
           (R, "-k", "lockout")),
    Mutant("lockout_role_check", "an assumed role among attach.roles is a self-lockout", "wizard/validators.py",
           'or (caller.kind == "assumed-role" and caller.name in roles))', "or False)",
           (R, "-k", "lockout")),
    Mutant("fingerprint_endpoints_only", "the fingerprint covers everything observed", "wizard/planner.py",
           "    data = to_jsonable(inventory)\n", '    data = {"endpoints": to_jsonable(inventory)["endpoints"]}\n',
           (R, "-k", "fingerprint")),
    Mutant("stale_check_off", "apply PLANFILE refuses a moved fingerprint", "wizard/cli.py",
           'if plan.fingerprint != saved["fingerprint"]:', "if False:", (R, "-k", "fingerprint")),
    Mutant("token_ignores_params", "the ClientToken covers the endpoint parameters", "wizard/planner.py",
           "seed = json.dumps([account, vpc_id, service, profile_name, params], sort_keys=True)",
           "seed = json.dumps([account, vpc_id, service, profile_name], sort_keys=True)", (R, "-k", "token")),
    Mutant("token_ignores_groups", "the ClientToken covers the security groups", "wizard/planner.py",
           '"security_group_ids": [sg_ref]}', "}", (R, "-k", "token")),
    Mutant("token_group_not_filled_in", "a group created in the same run goes into the token", "wizard/executor.py",
           "if KNOWN_AFTER_APPLY in after[\"security_group_ids\"]:", "if False:", (R, "-k", "token")),
    Mutant("write_list_misses_start", "Start* is a write", "wizard/executor.py",
           'READ_PREFIXES = ("Describe", "List", "Get")', 'READ_PREFIXES = ("Describe", "List", "Get", "Start")',
           (R, "-k", "write")),
    Mutant("destroy_foreign_zone", "destroy leaves a zone that is not ours", "wizard/planner.py",
           "        if zone_is_ours(zone, inv, profile):\n            if any(target.lower() in their_dns",
           "        if True:\n            if any(target.lower() in their_dns", (R, "-k", "destroy")),
    Mutant("destroy_foreign_policy", "destroy leaves a policy that is not ours", "wizard/planner.py",
           "        elif ours(policy.tags, profile.name) or _stack_policy(inv, profile):",
           "        elif True:", (R, "-k", "destroy")),
    Mutant("destroy_foreign_group", "destroy leaves a security group that is not ours", "wizard/planner.py",
           "group = next((g for g in inv.security_groups if ours(g.tags, profile.name) and g.vpc_id == profile.vpc_id), None)",
           'group = next((g for g in inv.security_groups if g.name == f"studio-vpce-{profile.name}" '
           'and g.vpc_id == profile.vpc_id), None)',
           (R, "-k", "destroy")),
    Mutant("destroy_their_record", "destroy leaves records that do not point at our endpoints", "wizard/planner.py",
           "if target.lower() in our_dns:", "if True:", (R, "-k", "destroy")),
    Mutant("destroy_keeps_our_record", "destroy removes our record from a reused zone", "wizard/planner.py",
           "if target.lower() in our_dns:", "if False:", (R, "-k", "destroy")),
    Mutant("destroy_no_late_detach", "destroy detaches everything before deleting the policy", "wizard/executor.py",
           "            for entity in entities:", "            for entity in []:", (R, "-k", "destroy")),
    Mutant("zone_ours_by_tag_only", "a zone with our CallerReference is ours (bug 1)", "wizard/planner.py",
           "    return ours(zone.tags, profile.name) or (", "    return ours(zone.tags, profile.name) and (",
           (R, "-k", "zone")),
    Mutant("presigned_unredacted_log", "botocore's debug log is filtered", "wizard/cloud.py",
           "    handler.addFilter(RedactingFilter())", "    pass", (R, "-k", "presigned")),
    Mutant("presigned_not_redacted", "log records are redacted", "wizard/cloud.py",
           "        text = pattern.sub(replacement, text)", "        pass", (R, "-k", "presigned")),
    Mutant("show_url_without_tty", "--show-url prints only to a terminal", "wizard/cli.py",
           "        if sys.stdout.isatty():\n            print(f\"URL", "        if True:\n            print(f\"URL",
           (R, "-k", "presigned")),
    Mutant("vpc_attr_value", "the VPC attribute fix turns the attribute on", "wizard/executor.py",
           'key: {"Value": True}}', 'key: {"Value": False}}', (R, "-k", "vpc_attribute")),
    Mutant("vpc_attr_unverified", "the VPC attribute fix is read back", "wizard/executor.py",
           "        if not self._vpc_attribute_is_on(attribute):", "        if False:", (R, "-k", "vpc_attribute")),
    Mutant("verify_https", "verify fails when 443 is not admitted", "wizard/verify.py",
           "admitted = any(admits_https(g, sg) for g in groups)", "admitted = True", (R, "-k", "verify")),
    Mutant("verify_private_dns", "verify fails when private DNS is off", "wizard/verify.py",
           'checks.append(Check(f"endpoint_{key}_private_dns", endpoint.private_dns,',
           'checks.append(Check(f"endpoint_{key}_private_dns", True,', (R, "-k", "verify")),
    Mutant("verify_user_profile", "verify fails when the user profile is not InService", "wizard/verify.py",
           'status == "InService"', "True", (R, "-k", "verify")),
    Mutant("verify_named_checks", "verify names the drifted record, policy or attachment", "wizard/verify.py",
           '            ok = change.action == "no-op"', "            ok = True",
           (R, "-k", "verify")),
    Mutant("domain_settings_groups", "DomainSettings.SecurityGroupIds are HTTPS sources", "wizard/discovery.py",
           'groups: list[str] = list(raw.get("DomainSettings", {}).get("SecurityGroupIds", []))',
           "groups: list[str] = []", (R, "-k", "domain_settings")),
    Mutant("no_wait", "apply waits until the endpoints are available", "wizard/executor.py",
           'if states and len(states) == len(ids) and all(s == "available" for s in states.values()):', "if True:",
           (R, "-k", "pending")),
    Mutant("no_retries", "botocore retries (standard mode)", "wizard/cloud.py",
           'retries=None if user_chose_retries else {"mode": "standard"})',
           'retries={"mode": "standard", "max_attempts": 1})', (R, "-k", "retries")),
    Mutant("apply_failure_exit_0", "a failed apply exits 1 with the done / not-done list", "wizard/cli.py",
           'return getattr(result.error, "exit_code", 1)', "return 0", ("tests/test_spec_cli.py",)),
    Mutant("demo_plan_without_demo", "a demo plan needs --demo", "wizard/cli.py",
           'if saved["inputs"].get("demo") and not args.demo:', "if False:", ("tests/test_spec_cli.py",)),
    Mutant("verbose_hides_noop", "plan --verbose shows = lines", "wizard/render.py",
           'shown = [c for c in plan.changes if verbose or c.action != "no-op"]',
           'shown = [c for c in plan.changes if c.action != "no-op"]', ("tests/test_spec_cli.py",)),
    Mutant("interrupt_exit", "Ctrl+C exits 130", "wizard/cli.py",
           '        print("interrupted" + ("; nothing was changed" if before_any_change else ""), file=sys.stderr)\n'
           "        return 130",
           '        print("interrupted" + ("; nothing was changed" if before_any_change else ""), file=sys.stderr)\n'
           "        return 1",
           ("tests/test_spec_cli.py",)),
    Mutant("detach_removed_principal", "a principal removed from access.attach is detached", "wizard/planner.py",
           "        for name in sorted(set(attached) - set(names)):", "        for name in []:",
           ("tests/test_spec_cli.py",)),
    Mutant("delete_removed_extra", "an extra endpoint removed from the profile is deleted", "wizard/planner.py",
           "if ours(endpoint.tags, profile.name) and endpoint.service not in names.values() and endpoint.vpc_id",
           "if False and endpoint.vpc_id", ("tests/test_spec_cli.py",)),
    Mutant("reset_endpoint_policy", "an endpoint policy removed from the profile is reset", "wizard/executor.py",
           '                params["ResetPolicy"] = True', "                pass", ("tests/test_spec_cli.py",)),
    # ---- the rules added in the last two sessions (safety, AWS correctness, secrets first)
    Mutant("keyguard_typed_before_shown", "keys typed before a window or the Save step was shown never reach it",
           "screens/keyguard.py",
           "return event.time < self.shown_at or (event.time < self.armed_at and self.arming(key))",
           "return event.time < self.armed_at and self.arming(key)", (S, "-k", "typed_ahead or mashed")),
    Mutant("keyguard_no_arming", "yes-keys count only ARMING_SECONDS after the window was shown",
           "screens/keyguard.py",
           "return event.time < self.shown_at or (event.time < self.armed_at and self.arming(key))",
           "return event.time < self.shown_at", (S, "-k", "typed_too_soon")),
    Mutant("app_key_guard_off", "the app drops what the key guard refuses", "screens/app.py",
           "            if guard is not None and guard.drops(event):", "            if False:",
           (S, "-k", "typed_ahead or mash")),
    Mutant("paste_speed_answer_taken", "an answer typed at paste speed right behind another key in a window is "
           "refused (trial 10: 'Right y' applied)", "screens/app.py",
           "            if isinstance(screen, Modal) and behind and screen.answering(event):", "            if False:",
           (S, "-k", "paste_speed_right_behind or quit_with_unsaved")),
    Mutant("paste_speed_word_taken", "the self-lockout's word typed at paste speed right behind another key is "
           "refused", "screens/modals.py", "        return enter or (typing and not self.in_word)",
           "        return enter", (S, "-k", "paste_speed_right_behind")),
    Mutant("lockout_enter_in_a_burst", "the self-lockout's Enter counts only on its own (trial 11: 'y e s Enter' "
           "sent at once applied)", "screens/modals.py", "        return enter or (typing and not self.in_word)",
           "        return typing and not self.in_word", (S, "-k", "paste_speed_right_behind")),
    Mutant("answer_followed_by_keys_taken", "an answer followed at once by more keys does not count (trial 11: "
           "'y e s Enter' sent at once applied)", "screens/app.py",
           "            if answer is not None and event.time < answer.time + Modal.QUIET_SECONDS:",
           "            if False:", (S, "-k", "typed_too_soon or paste_speed_right_behind")),
    Mutant("help_close_burst_reaches_on", "keys right behind the key that closed the help window reach nothing",
           "screens/modals.py", '    CLOSE_KEYS = frozenset({"escape", "f1", "q"})', "    CLOSE_KEYS = frozenset()",
           (S, "-k", "f1_shows")),
    # ---- the fifth session's trial (trial 3): stray keys, plan files, recovery path, the sandbox, tables
    Mutant("stray_key_answers", "a window that takes y takes no other key: a stray one cancels it", "screens/app.py",
           "            if isinstance(screen, Modal) and screen.stray(event):",
           "            if False:", (S, "-k", "file_name_typed_into")),
    Mutant("stray_burst_reaches_on", "the keys typed right behind a stray key reach nothing", "screens/app.py",
           "                self.stray_burst.begin(event.time)  # and the keys typed right behind it reach nothing",
           "                pass", (S, "-k", "typed_behind_a_stray_key")),
    Mutant("edited_plan_file_applied", "an edited plan file is refused, not applied", "wizard/cli.py",
           '    edited = saved.get("digest") != _plan_digest(saved)', "    edited = False",
           ("tests/test_cli.py", "-k", "edited_plan_file")),
    Mutant("recovery_path_unchecked", "the recovery file stays in the recovery folder", "wizard/session.py",
           '    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", str(name or "")).strip("-")[:RECOVERY_SLUG_MAX].strip("-")',
           '    slug = str(name or "")', ("tests/test_prompts.py", "-k", "recovery_file_name")),
    Mutant("stopped_sandbox_is_network", "a plan through a stopped demo sandbox starts it again", "wizard/session.py",
           '            if not (self.demo and exc.code == "ConnectionError"):', "            if True:",
           ("tests/test_sandbox.py", "-k", "stopped_while")),
    Mutant("table_cells_markup", "choice table cells are never markup", "screens/widgets.py",
           "c if isinstance(c, Text) else Text(str(c))", "c if isinstance(c, Text) else str(c)",
           (S, "-k", "columns_fit_its_rows")),
    # ---- the TUI leftovers of the fourth session's trials (tuileft)
    Mutant("palette_keys_not_held", "keys typed after the palette's Enter reach nothing until the step is shown",
           "screens/app.py", '            return "the palette\'s Enter" if key == "enter" else ""',
           '            return ""',
           (S, "-k", "paste_speed_goes_where")),
    Mutant("pane_built_in_background", "keys typed while a step's pane is built on its first visit reach it, in order",
           "screens/app.py", "        await self.mount_pane(step.name)\n",
           "        if not self.mount_pane(step.name).done():\n"
           "            self.mount_pane(step.name).add_done_callback(lambda _: self.call_later(self.show_step))\n"
           "            return\n",
           (S, "-k", "built_on_its_first_visit")),
    Mutant("pane_built_each_visit", "a step's pane is built once, on its first visit", "screens/app.py",
           "        if name not in self.pane_mounts:", "        if True:", (S, "-k", "built_on_its_first_visit")),
    Mutant("chose_and_went_on_unheld", "keys typed right behind a row that chose and went on reach nothing (trial 12)",
           "screens/app.py", '            return f"the {key_name(event)} that chose a row and goes on"',
           '            return ""', (S, "-k", "right_behind_a_row_that_chose")),
    Mutant("save_enter_unheld", "keys typed right behind the Enter that saves reach nothing (not the path field)",
           "screens/app.py", '            return "the Enter that saves"', '            return ""',
           (S, "-k", "save_takes_the_path_as_it_was")),
    Mutant("save_only_enter_unheld", "keys typed behind Enter on 'Save profile without applying' reach nothing",
           "screens/app.py", '            return "the Enter that opens the Save step"', '            return ""',
           (S, "-k", "palette_jump_to_apply_changes_nothing")),
    Mutant("apply_ctrl_n_before_keys", "on Apply, keys typed right before Ctrl+N are handled there first (trial 14)",
           "screens/app.py", 'if current in ("preview", "apply") and waited is None', 'if False and waited is None',
           (S, "-k", "enter_then_ctrl_n_at_once")),
    Mutant("stale_advance_taken", "a step's request to go on, handled after it was left, does nothing",
           "screens/app.py", 'if message.step == self.session.current and message.step not in',
           "if message.step not in", (S, "-k", "right_behind_a_row_that_chose")),
    Mutant("ctrl_n_before_typed_text", "Ctrl+N typed right behind text is judged once the text reached the field",
           "screens/app.py", "typed_ahead = key is not None and key.time - self.typed_ahead_at < Burst.GAP_SECONDS",
           "typed_ahead = False", (S, "-k", "judged_once_the_text")),
    Mutant("preview_keeps_its_plan", "the Preview reads the account again each time it is shown", "screens/app.py",
           'if step.name == "preview":  # every arrival reads the account again', "if False:  #",
           (S, "-k", "account_again_each_time")),
    Mutant("attach_filter_kept", "the attach filter is cleared when coming back to the Access step",
           "screens/access.py", "        if flt is not None and flt.value:", "        if False:",
           (S, "-k", "attach_filter_is_cleared")),
    Mutant("startup_keys_echoed", "keys typed while the wizard starts are not echoed", "wizard/cli.py",
           "        terminal.hush()  #", "        pass  #", (S, "-k", "not_echoed")),
    Mutant("save_step_unguarded", "the Save step is guarded against keys typed ahead", "screens/app.py",
           'if not screen.is_modal and self.session.current == "save":', "if False:",
           (S, "-k", "typed_ahead or save")),
    Mutant("palette_closes_twice", "the command palette closes at most once", "screens/app.py",
           "        if self.app.screen is not self:\n            return AwaitComplete.nothing()",
           "        if False:\n            return AwaitComplete.nothing()", (S, "-k", "palette")),
    Mutant("lockout_unanswered_applies", "the engine refuses a plan whose confirmations were not answered",
           "wizard/session.py", "        if unanswered:", "        if False:",
           (S, "-k", "own_confirmations_were_not_answered")),
    Mutant("apply_off_the_preview", "only the reviewed plan on the Preview is applied", "wizard/session.py",
           'if self.current != "preview" or self.plan is not plan or plan.errors:',
           "if self.plan is not plan or plan.errors:", ("tests/test_gates.py", "-k", "confirm")),
    Mutant("next_onto_apply", "Next never moves onto Apply", "wizard/session.py",
           'if not ok or self.current in ("preview", "save"):', "if not ok:",
           ("tests/test_gates.py", "-k", "never_reaches_apply")),
    Mutant("goto_apply", "the palette or step list jumps to Apply only after it ran", "wizard/session.py",
           '        if step == "apply":\n            return self.result is not None',
           '        if step == "apply":\n            return True', ("tests/test_gates.py", "-k", "never_reaches_apply")),
    Mutant("back_from_save_onto_apply", "Back from Save goes to the Preview, never onto Apply", "wizard/session.py",
           '        if self.current in ("apply", "save"):\n            self.to_preview()',
           '        if self.current in ("apply", "save"):\n            self.step -= 1', ("tests/test_gates.py", "-k", "never_reaches_apply")),
    Mutant("lockout_not_asked", "a self-lockout is a confirmation of its own", "wizard/planner.py",
           "    if validators.self_lockout(caller, profile.access.attach):", "    if False:",
           ("tests/test_gates.py", "tests/test_cli.py", "-k", "self_lockout")),
    Mutant("cli_lockout_flag_skipped", "the CLI needs --confirm-self-lockout besides --yes", "wizard/cli.py",
           "    for confirmation in plan.confirmations:", "    for confirmation in ():",
           ("tests/test_cli.py", "-k", "self_lockout")),
    Mutant("typed_yes_loose", "a typed yes is exactly the word yes", "wizard/validators.py",
           'return text is not None and text.strip() == "yes"',
           'return text is not None and text.strip().lower() in ("yes", "y")', ("tests/test_trial_cli.py", "-k", "yes")),
    Mutant("redact_header_bytes", "--debug hides botocore's b'...' header values", "wizard/cloud.py",
           "(?:b?[\\\"'])?", "(?:[\\\"'])?", (R, "-k", "redact or secret_key")),
    Mutant("redact_no_literal_secrets", "--debug hides the session's own secret key and token literally",
           "wizard/cloud.py", "    _KNOWN_SECRETS.update(v for v in values if v and len(v) >= 8)", "    pass",
           (R, "-k", "secret_key_or_session_token or remembered_secrets")),
    Mutant("debug_secrets_not_remembered", "--debug learns the session's secret key and token to redact them",
           "wizard/cloud.py", "                        remember_secrets(frozen.secret_key, frozen.token)",
           "                        pass", (R, "-k", "secret_key_or_session_token")),
    Mutant("policy_other_region_plans", "a policy serving the profile in another region is a plan error",
           "wizard/planner.py", "    if existing is not None and serves and serves != profile.region:", "    if False:",
           ("tests/test_planner.py", "-k", "region")),
    Mutant("destroy_other_region_policy", "destroy leaves a policy serving another region", "wizard/planner.py",
           "        if ours(policy.tags, profile.name) and serves and serves != profile.region:", "        if False:",
           ("tests/test_planner.py", "-k", "region")),
    Mutant("policy_untagged_region", "the managed policy is tagged with the region it serves", "wizard/planner.py",
           "    return {**resource_tags(profile), REGION_TAG: profile.region}", "    return resource_tags(profile)",
           ("tests/test_planner.py", "-k", "serving_the_profile_in_another_region")),
    Mutant("tf_policy_untagged_region", "Terraform tags the managed policy with its region", "wizard/export.py",
           '{**resource_tags(p), REGION_TAG: TF["region"]}', "resource_tags(p)",
           ("tests/test_export.py", "-k", "tags_what_apply_tags")),
    Mutant("script_policy_untagged_region", "the CLI script tags the managed policy with its region",
           "wizard/export.py", '_cfn_tags({**tags, REGION_TAG: "${REGION}"})', "_cfn_tags(tags)",
           ("tests/test_export.py", "-k", "tags_what_apply_tags")),
    Mutant("group_not_ours_adopted", "a group named like ours but not tagged ours is an error, not adopted",
           "wizard/planner.py", "    if group is not None and not ours(group.tags, profile.name):", "    if False:",
           ("tests/test_planner.py", "-k", "group")),
    Mutant("perm_create_untagged", "creating a group or endpoint needs the managed-by tag in the request",
           "wizard/permissions.py", '"Resource": _ec2(partition, "security-group", "vpc-endpoint"), "Condition": request_tag},',
           '"Resource": _ec2(partition, "security-group", "vpc-endpoint")},', ("tests/test_permissions.py",)),
    Mutant("perm_tag_anything", "CreateTags only while creating", "wizard/permissions.py",
           '"Condition": {"StringEquals": {"ec2:CreateAction": [a.split(":")[1] for a in _CREATES]}}},', "},",
           ("tests/test_permissions.py", "-k", "tags_are_written or evaluat or tagged")),
    Mutant("perm_change_any_group", "a group's rules are changed or it is deleted only when tagged ours",
           "wizard/permissions.py", '"Resource": _ec2(partition, "security-group"), "Condition": resource_tag},',
           '"Resource": _ec2(partition, "security-group")},', ("tests/test_permissions.py", "-k", "tagged or untagged")),
    Mutant("perm_change_any_endpoint", "an endpoint is deleted only when tagged ours", "wizard/permissions.py",
           '"Resource": _ec2(partition, "vpc-endpoint"), "Condition": resource_tag},',
           '"Resource": _ec2(partition, "vpc-endpoint")},', ("tests/test_permissions.py", "-k", "tagged")),
    Mutant("iam_eval_ignores_deny", "an explicit Deny wins in evaluate_call", "wizard/iam_eval.py",
           "            denied = _or([denied, applies])", "            pass",
           ("tests/test_iam_eval.py", "tests/test_permissions.py", "-k", "evaluat or deny or denied")),
    Mutant("account_guard_off", "a profile's account_id must match the credentials' account", "wizard/validators.py",
           "    if profile_account and profile_account != caller_account:", "    if False:",
           ("tests/test_gates.py", "tests/test_cli.py", "-k", "account")),
    Mutant("region_mismatch_off", "a profile's region must match the session's", "wizard/planner.py",
           "    if profile.region != inv.region:", "    if False:",
           ("tests/test_gates.py", "tests/test_cli.py", "-k", "region")),
    Mutant("name_leading_dash", "profile names start with a letter or digit", "wizard/validators.py",
           'NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")', 'NAME_RE = re.compile(r"^[a-z0-9-]{1,40}$")',
           ("tests/test_trial_cli.py", "tests/test_validators.py", "-k", "name")),
    Mutant("quit_message_after_edit", "the quit message names only the file saved for the current answers",
           "wizard/session.py", "        if self.saved_path is None or self.dirty:", "        if self.saved_path is None:",
           (S, "-k", "quit_message")),
    Mutant("replay_without_lockout_flag", "a replay command carries --confirm-self-lockout when needed",
           "wizard/session.py", 'flags = ["--yes", *self.confirmation_flags()]', 'flags = ["--yes"]',
           ("tests/test_gates.py", "-k", "replay")),
    Mutant("applied_counts_the_wait", "the applied summary counts the plan's changes, not the wait",
           "wizard/session.py", "        return result.counted(plan)",
           '        return f"{len(result.done)} added, 0 changed, 0 destroyed"', (S, "-k", "counts")),
    Mutant("journal_keeps_headers", "the sandbox journal holds no signature or token", "wizard/sandbox.py",
           'elif lower in ("content-type", "x-amz-target"):', "elif True:",
           ("tests/test_sandbox.py", "-k", "signature")),
    Mutant("journal_torn_line_sets_aside", "a bad last journal line is dropped alone", "wizard/sandbox.py",
           "if lines and (not whole or len(lines) > 1) and _torn(lines[-1], whole):", "if False:",
           ("tests/test_sandbox.py", "-k", "cut_short")),
    Mutant("journal_unusable_deleted", "a damaged journal is kept as .unusable", "wizard/sandbox.py",
           "                self.path.replace(kept)", "                self.path.unlink()",
           ("tests/test_sandbox.py", "-k", "unusable or set_aside")),
    Mutant("dns_reads_unbounded", "discovery reads DNS attributes of at most DNS_READ_LIMIT VPCs",
           "wizard/discovery.py", "                   [:DNS_READ_LIMIT]}", "                   ]}",
           ("tests/test_cli.py", "-k", "dns_attributes")),
    Mutant("script_first_page_only", "the exported CLI script follows NextToken", "wizard/export.py",
           '    if ! found "$next"; then echo None; return 0; fi', "    echo None; return 0",
           ("tests/test_export.py", "-k", "next_token")),
    Mutant("out_missing_folder", "--out into a missing folder is refused (exit 3) before anything runs",
           "wizard/validators.py", "    if not target.parent.is_dir():\n        # a file where",
           "    if False:\n        # a file where", ("tests/test_trial_cli.py", "-k", "out_")),
    Mutant("journal_change_not_reseeded", "a journaled change draws ids from its own place (replay: same ids)",
           "wizard/sandbox.py", '                mock_random.seed(f"{DEMO_SEED}:{self._entries}")\n            message',
           "                pass\n            message", ("tests/test_sandbox.py", "-k", "same_ids")),
    Mutant("replay_not_reseeded", "a replayed change draws ids from the same place as when it was made",
           "wizard/sandbox.py", 'mock_random.seed(f"{DEMO_SEED}:{self._entries}")  # as when the change was made',
           "pass", ("tests/test_sandbox.py", "-k", "same_ids")),
    Mutant("journal_foreign_replayed", "a journal that is not studio-vpce's is set aside, not replayed",
           "wizard/sandbox.py",
           'if not isinstance(header, dict) or header.get("studio_vpce_sandbox") != JOURNAL_FORMAT:',
           "if not isinstance(header, dict):", ("tests/test_sandbox.py", "-k", "unusable")),
    Mutant("journal_other_seed_replayed", "a journal made from another seed is set aside", "wizard/sandbox.py",
           '        if header.get("seed") != DEMO_SEED:\n            raise', "        if False:\n            raise",
           ("tests/test_sandbox.py", "-k", "unusable")),
    Mutant("tf_deprecated_region", "Terraform export uses nothing deprecated in AWS provider 6", "wizard/export.py",
           '"locals {\\n  region = data.aws_arn.vpc.region #', '"locals {\\n  region = data.aws_region.current.name #',
           ("tests/test_export.py", "-k", "deprecated")),
    Mutant("out_into_a_folder", "--out naming a folder is refused (exit 3)", "wizard/validators.py",
           '    if target.is_dir() or value.endswith(("/", os.sep)):', "    if False:",
           ("tests/test_trial_cli.py", "-k", "out_")),
    Mutant("save_into_missing_folder", "the wizard's Save refuses a missing folder", "wizard/validators.py",
           "    if not target.parent.is_dir():\n        # a file where",
           "    if False:\n        # a file where", ("tests/test_gates.py", "-k", "missing_folder")),
    Mutant("script_adopts_foreign_group", "the CLI script refuses a same-named group it did not make",
           "wizard/export.py", "  refuse security_group_not_ours ", "  echo security_group_not_ours ",
           ("tests/test_export.py", "-k", "refuses_before")),
    Mutant("script_takes_other_profiles_endpoint", "the CLI script refuses another profile's endpoint",
           "wizard/export.py", "  refuse endpoint_owned_by_other_profile ", "  echo endpoint_owned_by_other_profile ",
           ("tests/test_export.py", "-k", "refuses_before")),
    Mutant("script_rewrites_other_regions_policy", "the CLI script refuses the policy another region's deployment "
           "uses", "wizard/export.py", "  refuse policy_serves_other_region ", "  echo policy_serves_other_region ",
           ("tests/test_export.py", "-k", "refuses_before")),
    # ---- safety rules without a mutant until now (mutants session): nothing changes AWS without an explicit yes,
    # plan is read-only, the self-lockout and stale-plan gates, the policies' condition keys and contents, DNS
    Mutant("cli_no_terminal_asks", "apply without --yes and without a terminal refuses (exit 5)", "wizard/cli.py",
           '        if not interactive:\n            raise Refused(f"{what} needs --yes',
           '        if False:\n            raise Refused(f"{what} needs --yes',
           ("tests/test_cli.py", "-k", "without_yes_and_without_a_terminal")),
    Mutant("cli_no_goes_ahead", "on a terminal only a typed yes applies; anything else changes nothing", "wizard/cli.py",
           "        if not _confirm(confirm_question(plan, what)):", "        if not _confirm(confirm_question(plan, what)) and False:",
           ("tests/test_spec_cli.py", "-k", "on_a_terminal_shows_the_plan_and_asks")),
    Mutant("cli_lockout_no_terminal_asks", "a self-lockout without its flag and without a terminal is refused",
           "wizard/cli.py", "        if not interactive:\n            raise Refused(f\"{confirmation.question",
           "        if False:\n            raise Refused(f\"{confirmation.question", ("tests/test_cli.py", "-k", "self_lockout")),
    Mutant("cli_lockout_no_goes_ahead", "a no at the self-lockout question (CLI, on a terminal) changes nothing",
           "wizard/cli.py", "        if not _confirm(confirmation.question):", "        if False:",
           ("tests/test_spec_cli.py", "-k", "on_a_terminal_shows_the_plan_and_asks")),
    Mutant("cli_applies_a_plan_with_errors", "apply refuses a plan that has errors (exit 3), nothing changed",
           "wizard/cli.py", '    if plan.errors:\n        print(plan_text(plan, color=_color(args)))\n        print("apply refused',
           '    if False:\n        print(plan_text(plan, color=_color(args)))\n        print("apply refused',
           ("tests/test_cli.py", "tests/test_spec_cli.py", "-k", "errors")),
    Mutant("cli_plan_file_unchecked", "apply PLANFILE checks the file against the account before the gate",
           "wizard/cli.py", "        _refuse_changed_plan(args.profile, saved, plan)", "        pass",
           ("tests/test_cli.py", "-k", "stale or edited")),
    Mutant("cli_plan_applies", "plan makes no mutating call (CLI)", "wizard/cli.py",
           "    _, _, plan = _observe_and_plan(args, profile, args.profile)\n    if args.output",
           "    cloud, _, plan = _observe_and_plan(args, profile, args.profile)\n"
           '    __import__("wizard.executor").executor.Executor(cloud, plan).run()\n    if args.output',
           ("tests/test_cli.py", "-k", "plan_text_lists")),
    Mutant("plain_preview_applies", "--plain's Preview (its plan) makes no mutating call", "wizard/session.py",
           "        return make_plan(self._observe(profile), profile)",
           "        p = make_plan(self._observe(profile), profile)\n"
           '        return __import__("wizard.executor").executor.Executor(self.cloud, p).run() and p\n',
           ("tests/test_prompts.py", "-k", "never_applies or only_after_a_typed_yes")),
    Mutant("tui_preview_applies", "the TUI's Preview (its plan) makes no mutating call", "wizard/session.py",
           "        return make_plan(inventory, profile), who_can_open_studio(inventory, profile)",
           '        return __import__("wizard.executor").executor.Executor(self.cloud, make_plan(inventory, profile))'
           ".run() and make_plan(inventory, profile), who_can_open_studio(inventory, profile)",
           (S, "-k", "escape_n_enter_cancel")),
    Mutant("tui_cancel_goes_on", "a no (Enter, Escape, n) at the apply confirmation changes nothing", "screens/app.py",
           "        if not yes:  # every cancel says so", "        if False:  # every cancel says so",
           (S, "-k", "escape_n_enter_cancel")),
    Mutant("tui_enter_on_cancel_applies", "Enter or Space on the focused Cancel cancels", "screens/modals.py",
           '        if event.button.id == "apply":\n            self.action_apply()\n        else:\n            self.answer(False)',
           '        if event.button.id == "apply":\n            self.action_apply()\n        else:\n            self.answer(True)',
           (S, "-k", "escape_n_enter_cancel or only_y_applies")),
    Mutant("tui_n_applies", "n and Escape cancel the apply confirmation", "screens/modals.py",
           "    def action_cancel(self) -> None:\n        self.answer(False)\n\n    def action_apply",
           "    def action_cancel(self) -> None:\n        self.answer(True)\n\n    def action_apply",
           (S, "-k", "escape_n_enter_cancel")),
    Mutant("tui_apply_button_focusable", "Tab never reaches Apply (only y or a click applies)", "screens/modals.py",
           "    button.can_focus = False", "    button.can_focus = True",
           (S, "-k", "only_y_applies")),
    Mutant("tui_focus_not_on_cancel", "the apply confirmation's focus starts on Cancel", "screens/modals.py",
           '        self.focus_first("#cancel")\n\n    def action_cancel(self) -> None:\n        self.answer(False)\n\n'
           "    def action_apply", "        pass\n\n    def action_cancel(self) -> None:\n        self.answer(False)\n\n"
           "    def action_apply", (S, "-k", "escape_n_enter_cancel")),
    Mutant("tui_lockout_any_word", "the TUI's self-lockout window goes ahead only on the typed word yes",
           "screens/modals.py", "        if typed_yes(event.value) and self.armed:", "        if self.armed:",
           ("tests/test_trial_cli.py", "-k", "tuis_self_lockout")),
    Mutant("tui_lockout_not_asked", "the TUI asks the plan's self-lockout confirmation on its own", "screens/app.py",
           "        if remaining:\n            ask = remaining[0]", "        if False:\n            ask = remaining[0]",
           (S, "-k", "lockout")),
    Mutant("tui_stale_plan_applied", "the wizard refuses a confirmed plan when the account moved since the Preview",
           "wizard/session.py", "if fresh.fingerprint != confirmed.fingerprint or fresh.errors:", "if fresh.errors:",
           ("tests/test_prompts.py", "-k", "stale")),
    Mutant("lockout_user_check", "a user among attach.users is a self-lockout", "wizard/validators.py",
           '    return ((caller.kind == "user" and caller.name in users)', "    return ((False)",
           ("tests/test_planner.py", "-k", "self_lockout")),
    Mutant("lockout_group_check", "a caller in a group among attach.groups is a self-lockout", "wizard/validators.py",
           "            or any(g in groups for g in caller.groups)", "            or False",
           ("tests/test_gates.py", "tests/test_cli.py", "-k", "self_lockout")),
    Mutant("key_source_vpc", "subnet mode conditions on aws:SourceVpc", "wizard/policies.py",
           'return [("StringEquals", "aws:SourceVpc", vpc_id, "StringNotEquals")]',
           'return [("StringEquals", "aws:SourceVpce", vpc_id, "StringNotEquals")]', ("tests/test_policies.py",)),
    Mutant("key_source_vpce", "vpce mode conditions on aws:sourceVpce", "wizard/policies.py",
           '("StringEquals", "aws:sourceVpce", vpce_ids, "StringNotEquals")]', '("StringEquals", "aws:SourceVpc", '
           'vpce_ids, "StringNotEquals")]', ("tests/test_policies.py",)),
    Mutant("key_source_ip", "source-ip mode conditions on aws:SourceIp", "wizard/policies.py",
           '("IpAddress", "aws:SourceIp", cidrs, "NotIpAddress")', '("IpAddress", "aws:VpcSourceIp", cidrs, "NotIpAddress")',
           ("tests/test_policies.py",)),
    Mutant("key_vpc_source_ip_alone", "vpc-source-ip also conditions on aws:SourceVpc", "wizard/policies.py",
           '                ("StringEquals", "aws:SourceVpc", vpc_id, "StringNotEquals")]', "                ]",
           ("tests/test_policies.py",)),
    Mutant("deny_guardrail_operator", "the deny guardrail denies outside the ranges (NotIpAddress)", "wizard/policies.py",
           '("IpAddress", "aws:VpcSourceIp", cidrs, "NotIpAddress")', '("IpAddress", "aws:VpcSourceIp", cidrs, "IpAddress")',
           ("tests/test_policies.py",)),
    Mutant("deny_guardrail_missing", "effect deny adds the Deny statements", "wizard/policies.py",
           '    if effect == "deny":', "    if False:", ("tests/test_policies.py",)),
    Mutant("resource_scope_ignored", "resource_scope domain names only the domain's user profiles", "wizard/policies.py",
           'resource: str = "*" if resource_scope == "all" else', 'resource: str = "*" if True else',
           ("tests/test_policies.py",)),
    Mutant("create_app_wrong_resource", "the create-app preset allows CreateApp on the domain's apps", "wizard/policies.py",
           'f"app/{domain_id}/*")}', 'f"user-profile/{domain_id}/*")}', ("tests/test_policies.py",)),
    Mutant("studio_policy_create_app_unchecked", "a Studio endpoint policy without CreateApp is an error",
           "wizard/policies.py", '    if key == "studio":\n        actions', '    if False:\n        actions',
           ("tests/test_policies.py",)),
    Mutant("endpoint_policy_not_sent", "the endpoint policy document is sent when the endpoint is created",
           "wizard/executor.py", '            params["PolicyDocument"] = json.dumps(after["policy"])\n        endpoint =',
           "            pass\n        endpoint =", ("tests/test_executor.py", "-k", "explicit_private_dns or second_apply")),
    Mutant("api_policy_not_warned", "a restricted API endpoint policy is warned about", "wizard/planner.py",
           "    if profile.endpoint_policy.api and profile.endpoints.api:", "    if False:",
           ("tests/test_planner.py", "-k", "api_endpoint")),
    Mutant("private_dns_always_on", "hosted-zone mode turns the endpoints' private DNS off", "wizard/planner.py",
           '    private_dns = profile.dns.mode == "private-dns"', "    private_dns = True",
           ("tests/test_planner.py", "-k", "hosted_zone or private_dns")),
    Mutant("hosted_zones_never_made", "hosted-zone mode makes the private hosted zones", "wizard/planner.py",
           'if k not in GATEWAY_KEYS] if profile.dns.mode == "hosted-zone" else []', "if False]",
           ("tests/test_planner.py", "-k", "hosted_zone")),
    Mutant("conflicting_zone_unchecked", "private DNS next to someone else's zone for the name is a plan error",
           "wizard/planner.py", "            if conflicting is not None:\n                owner",
           "            if False:\n                owner", ("tests/test_planner.py", "-k", "zone")),
    # ---- preflight checks of SPEC section 5 that AWS reports late or never (moto accepts all of them)
    Mutant("source_ip_private_allowed", "source-ip ranges must be public", "wizard/planner.py",
           "            reason = validators.public_cidr(str(net))", "            reason = None",
           ("tests/test_planner.py", "-k", "must_be_public")),
    Mutant("vpc_source_ip_outside_allowed", "vpc-source-ip ranges must lie inside the VPC", "wizard/planner.py",
           "reason = validators.cidr_in_vpc(str(net), vpc.cidrs, profile.vpc_id) if vpc else None", "reason = None",
           ("tests/test_planner.py", "-k", "inside_the_vpc")),
    Mutant("https_from_the_internet", "allow_from_cidrs refuses 0.0.0.0/0 (and wider than any private range)",
           "wizard/models.py", "    error = validators.https_source_cidr(value)", "    error = None",
           ("tests/test_profiles.py", "-k", "open_world")),
    Mutant("duplicate_az_allowed", "at most one subnet per Availability Zone", "wizard/planner.py",
           '        if len(ids) > 1:\n            b.error("duplicate_az"', '        if False:\n            b.error("duplicate_az"',
           ("tests/test_planner.py", "-k", "same_az")),
    Mutant("sso_domain_policy", "an IAM Identity Center domain takes no identity policy", "wizard/planner.py",
           '    if domain.auth_mode.upper() == "SSO" and profile.access.mode != "none":', "    if False:",
           ("tests/test_planner.py", "-k", "sso")),
    Mutant("dns_attribute_off_allowed", "enableDnsSupport/Hostnames off is an error unless the fix is allowed",
           "wizard/planner.py", "            if profile.dns.fix_vpc_attributes:", "            if True:",
           ("tests/test_planner.py", "-k", "dns_hostnames_off")),
    Mutant("policy_name_taken_ignored", "a policy name held under another path or case is an error (trial 14)",
           "wizard/planner.py", "    if existing is None and inv.policy_namesake:", "    if False:",
           (P, "-k", "policy_name_taken")),
    Mutant("namesake_case_sensitive", "IAM names are compared without case", "wizard/discovery.py",
           'if p["PolicyName"].lower() == wanted', 'if p["PolicyName"] == profile.policy_name',
           (P, "-k", "policy_name_taken")),
    Mutant("group_without_endpoints", "no security group when no interface endpoint is made (trial 14)",
           "wizard/planner.py", "    if not profile.security_group.id and not _wants_interface(inv, profile):\n        given",
           "    if False:\n        given", (P, "-k", "no_security_group_when")),
    Mutant("subnets_vpc_gone_unsaid", "the Subnets step says its VPC is gone (trial 14)", "wizard/steps.py",
           "    if session.vpc is None and vpc_id and inventory is not None:", "    if False:",
           ("tests/test_validators.py", "-k", "vpc_is_gone")),
    Mutant("stack_changes_allowed", "apply and destroy never change what an export's stack deployed (trial 16)",
           "wizard/planner.py", "    deployed = sorted({stack for _, stack in stacks.values() if stack})",
           "    deployed: list[str] = []",
           ("tests/test_executor.py", "-k", "deployed_by_stack")),
    Mutant("export_untagged_stack", "Terraform's resources say which tool deploys them", "wizard/export.py",
           "    return {**tags, DEPLOYED_BY_TAG: tool}", "    return dict(tags)",
           ("tests/test_export.py", "-k", "tags_what_apply_tags")),
    Mutant("vpce_list_unchecked", "a vpce list without the API or Studio endpoint is said (review)",
           "wizard/planner.py", "    elif access.mode == \"vpce\":\n        _check_vpce_list(b, inv, profile)",
           "    elif False:\n        _check_vpce_list(b, inv, profile)", (P, "-k", "vpce_endpoint_missing")),
    Mutant("browsers_unsaid", "the Studio endpoint's browsers are said while only the domain's groups reach it",
           "wizard/planner.py", "    if profile.endpoints.studio and not profile.security_group.id and not cidrs and (",
           "    if False and (", (P, "-k", "studio_endpoint_browsers")),
    Mutant("verify_other_account", "verify refuses a profile for another account first (trial 16)",
           "wizard/verify.py", "    if mismatch:  # as every other command", "    if False:  # as every other command",
           ("tests/test_cli.py", "-k", "account_guard_refuses")),
    Mutant("zonal_dns_first", "aliases target the endpoint's regional DNS name", "wizard/names.py",
           "    return sorted(entries, key=lambda e: not regional(e))", "    return list(entries)",
           ("tests/test_executor.py", "-k", "whatever_the_order")),
    Mutant("own_condition_is_outside", "a grant with the profile's own condition is not 'outside' (no false alarm)",
           "wizard/iam_eval.py", "        candidates = [c for c in candidates if evaluate(mine, Request(prefix, c)).allowed is False]",
           "        pass", ("tests/test_iam_eval.py", "-k", "own_condition_still_counts_as_inside")),
    Mutant("start_session_unasked", "audit asks who can start remote IDE sessions from outside (review H1)",
           "wizard/audit.py", "    ide_judge = judge.for_action(START_SESSION, spaces, list(domain.spaces) if domain else [])",
           "    ide_judge = judge", ("tests/test_audit.py", "-k", "remote_ide")),
]


def _pytest(selection: tuple[str, ...], cwd: Path, timeout: float) -> int | None:
    """pytest's exit status for the selection in the copy (None: it timed out)."""
    try:
        return subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                               "-p", "no:randomly", *selection], cwd=cwd, capture_output=True, text=True,
                              check=False, timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        return None


def run(mutants: list[Mutant], timeout: float) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="studio-vpce-mutants-"))
    try:
        for name in COPY:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, tmp / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            elif source.exists():
                shutil.copy2(source, tmp / name)
        outcome: dict[str, list[str]] = {"killed": [], "survived": [], "stale": [], "timeout": [], "untested": [],
                                         "baseline failing": []}
        baselines: dict[tuple[str, ...], int | None] = {}  # selection -> its exit status on the unchanged copy
        started = time.monotonic()
        for mutant in mutants:
            target = tmp / mutant.file
            original = target.read_text(encoding="utf-8")
            if original.count(mutant.old) != 1:
                outcome["stale"].append(mutant.id)
                print(f"stale     {mutant.id}: the text to break is not in {mutant.file} exactly once", flush=True)
                continue
            if mutant.tests not in baselines:  # once per selection, on the unchanged copy
                t0 = time.monotonic()
                baselines[mutant.tests] = _pytest(mutant.tests, tmp, timeout)
                print(f"baseline  {' '.join(mutant.tests)} ({time.monotonic() - t0:.0f}s): "
                      f"{ {0: 'passes', 5: 'selects no test', None: 'timed out'}.get(baselines[mutant.tests], 'FAILS')}",
                      flush=True)
            baseline = baselines[mutant.tests]
            t0 = time.monotonic()
            if baseline == 5:  # the selection ran no test (a -k that matches nothing): never counted as a kill
                verdict = "untested"
            elif baseline != 0:  # it fails (or hangs) without the mutant: a failure now says nothing about the rule
                verdict = "baseline failing"
            else:
                target.write_text(original.replace(mutant.old, mutant.new), encoding="utf-8")
                try:
                    code = _pytest(mutant.tests, tmp, timeout)
                finally:
                    target.write_text(original, encoding="utf-8")
                verdict = {0: "survived", 5: "untested", None: "timeout"}.get(code, "killed")
            outcome[verdict].append(mutant.id)
            print(f"{verdict:9} {mutant.id} ({time.monotonic() - t0:.0f}s): {mutant.rule}", flush=True)
        total = len(mutants)
        print(f"\n{total} mutants in {time.monotonic() - started:.0f}s: {len(outcome['killed'])} killed, "
              f"{len(outcome['survived'])} survived, {len(outcome['timeout'])} timed out, {len(outcome['stale'])} stale, "
              f"{len(outcome['untested'])} untested (no test selected), "
              f"{len(outcome['baseline failing'])} baseline failing (the selection fails unchanged)")
        for kind in ("survived", "timeout", "stale", "untested", "baseline failing"):
            if outcome[kind]:
                print(f"{kind}: {', '.join(outcome[kind])}")
        return 0 if len(outcome["killed"]) == total else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="run only these mutants")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per mutant")
    args = parser.parse_args()
    if args.list:
        for mutant in MUTANTS:
            print(f"{mutant.id:28} {mutant.file:20} {mutant.rule}")
        return 0
    unknown = set(args.ids) - {m.id for m in MUTANTS}
    if unknown:
        print(f"unknown mutant(s): {', '.join(sorted(unknown))}; see --list", file=sys.stderr)
        return 3
    chosen = [m for m in MUTANTS if not args.ids or m.id in args.ids]
    return run(chosen, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
