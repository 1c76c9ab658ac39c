"""Step 7: the plan, every policy, the findings and the exports, before anything changes.

Tabs come from PREVIEW_TABS: (id, title, render). A new view of the plan (e.g. who can open Studio) is one
more entry there; every tab is a keyboard-scrollable pane.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static, TabbedContent, TabPane, Tabs

from screens.base import Step
from screens.messages import ApplyRequested, JumpRequested
from screens.widgets import Choices

if TYPE_CHECKING:
    from wizard.iam_eval import AccessView
    from wizard.models import Plan


def summary(plan: Plan) -> str:
    return f"Plan: {plan.count('create')} to add, {plan.count('update')} to change, {plan.count('delete')} to destroy."


def wrap(text: str, width: int) -> Text:
    """Wrap each line at the pane's width, continuing under its own indent (+4), never mid-word."""
    out: list[str] = []
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip())
        out.extend(textwrap.wrap(line, width=max(width, 20), subsequent_indent=" " * (indent + 4),
                                 break_long_words=True, break_on_hyphens=False) or [""])
    return Text("\n".join(out))


def plan_tab(plan: Plan, access: AccessView | None, width: int) -> RenderableType:
    from wizard.render import plan_text

    return wrap(plan_text(plan), width)


def access_tab(plan: Plan, access: AccessView | None, width: int) -> RenderableType:
    """Who can open Studio from outside the boundary: each attach target now and after apply, and why."""
    from wizard.render import outside_access_line
    if plan.profile.access.mode == "none":
        return wrap("Access mode none: no identity policy, so nobody's access to Studio changes.", width)
    if access is None or not access.rows:
        return wrap("No attach targets to check.", width)
    lines = []
    for row in access.rows:
        lines.append(outside_access_line(row, plan.profile))
        for match in row.allowed_by:
            lines.append(f"    allowed by {match.describe()}")
        if row.note:
            lines.append(f"    {row.note}")
    if access.recommend_deny:
        lines += ["", access.reason]
    if plan.profile.access.effect == "deny":
        lines += ["", ("Effect deny: the guardrail denies opening Studio from outside even where other policies "
                       "allow it.")]
    # what the rows above do not cover, said here too (trial 18: "this profile stops it" of a target that could
    # still start remote IDE sessions from anywhere, and of a group whose members' own policies were not read)
    beyond = [w for w in plan.warnings if w.code in ("remote_ide_open", "group_members_unweighed")]
    if beyond:
        lines += ["", "Not covered above:"] + [f"  ! {w.code}: {w.message}" for w in beyond]
    return wrap("\n".join(lines), width)


def policies_tab(plan: Plan, access: AccessView | None, width: int) -> RenderableType:
    parts: list[RenderableType] = []
    for key, document in plan.endpoint_policies.items():
        parts.append(Text(f"Endpoint policy: {key}" + (" (none: full access)" if document is None else ""),
                          style="bold"))
        if document is not None:
            parts.append(Syntax(json.dumps(document, indent=2), "json", theme="ansi_dark", word_wrap=True))
    if plan.identity_policy is not None:
        parts.append(Text(f"Identity policy: {plan.profile.policy_name}", style="bold"))
        parts.append(Syntax(json.dumps(plan.identity_policy, indent=2), "json", theme="ansi_dark", word_wrap=True))
    return Group(*parts) if parts else Text("No policies.")


def findings_tab(plan: Plan, access: AccessView | None, width: int) -> RenderableType:
    lines = [f"x {e.code}: {e.message}" for e in plan.errors] + [f"! {w.code}: {w.message}" for w in plan.warnings]
    return wrap("\n".join(lines), width) if lines else Text("No warnings or errors.")


PREVIEW_TABS: list[tuple[str, str, Callable[[Plan, AccessView | None, int], RenderableType]]] = [
    ("plan", "Plan", plan_tab),
    ("policies", "Policies", policies_tab),
    ("findings", "Warnings", findings_tab),
    ("access", "Who can open Studio", access_tab),
]
EXPORTS = (("cloudformation", "CloudFormation", "yaml"), ("terraform", "Terraform", "terraform"),
           ("cli", "AWS CLI script", "bash"))


class PreviewStep(Step):
    # The plan's own text, so that PageDown and the arrow keys scroll it at once (Ctrl+N applies, as anywhere).
    FOCUS = "#scroll-plan"

    def compose(self) -> ComposeResult:
        yield Static("Reading the account and making the plan (nothing changes)...", id="plan-summary")
        yield Static("", id="changed-note")  # an answer the wizard changed for this plan, said here too
        with TabbedContent(id="preview-tabs"):
            for tab_id, title, _ in PREVIEW_TABS:
                with TabPane(title, id=f"tab-{tab_id}"), VerticalScroll(id=f"scroll-{tab_id}", classes="tab-scroll"):
                    yield Static("", id=f"{tab_id}-text")
            with TabPane("Export", id="tab-export"), Vertical():
                yield Choices(("format",), multi=False, id="export-format", show_header=False)
                with VerticalScroll(id="scroll-export", classes="tab-scroll"):
                    yield Static("", id="export-text")
        with Horizontal(id="preview-actions"):
            yield Button("Apply...", id="apply-button", variant="warning", disabled=True, compact=True)
            yield Button("Save profile without applying", id="save-only", compact=True)
        self.export_format = "cloudformation"

    def load(self) -> None:
        plan = self.session.plan
        head = self.widget("#plan-summary", Static)
        apply_button = self.widget("#apply-button", Button)
        if head is None or apply_button is None:
            return
        if plan is None:
            self.say_changed(None)
            head.update(Text(f"The plan failed: {self.session.plan_error}", style="bold red")
                        if self.session.plan_error else "Reading the account and making the plan (nothing changes)...")
            apply_button.disabled = True
            for tab_id, _, _ in PREVIEW_TABS:
                target = self.widget(f"#{tab_id}-text", Static)
                if target is not None:
                    target.update("")
            return
        self.say_changed(plan)
        status = (f" {len(plan.errors)} error(s): see Warnings; apply is refused." if plan.errors else
                  (f" {len(plan.warnings)} warning(s)." if plan.warnings else ""))
        head.update(Text(summary(plan) + status, style="bold red" if plan.errors else "bold"))
        width = max((self.size.width or 80) - 4, 40)
        for tab_id, _, render in PREVIEW_TABS:
            target = self.widget(f"#{tab_id}-text", Static)
            if target is not None:
                target.update(render(plan, self.session.access_view, width))
        formats = self.widget("#export-format", Choices)
        if formats is not None and formats.columns:
            formats.fill([(k, (title,)) for k, title, _ in EXPORTS], [self.export_format])
        self.show_export()
        apply_button.disabled = bool(plan.errors) or not plan.has_changes
        label = "Apply..." if plan.has_changes else "Nothing to apply"
        if str(apply_button.label) != label:
            apply_button.label = label
            apply_button.refresh(layout=True)  # its width follows a new label only on a new layout ('Nothing to')
        save_only = self.widget("#save-only", Button)  # "without applying" only where there is something to apply
        label = "Save profile without applying" if plan.has_changes else "Save profile"  # (trial 11: after an apply)
        if save_only is not None and str(save_only.label) != label:
            save_only.label = label
            save_only.refresh(layout=True)

    def say_changed(self, plan: Plan | None) -> None:
        """The wizard switched the effect to deny (WizardSession.planned): the plan is not what was answered on
        the Access step, so the Preview says so in one line (the reason was only shown back on that step)."""
        note = self.widget("#changed-note", Static)
        if note is None:
            return
        switched = (plan is not None and bool(self.session.notes.get("effect"))
                    and plan.profile.access.effect == "deny")
        note.update(Text("The wizard switched the effect to deny: with allow, other policies would keep Studio "
                         "open from outside (why: Access step).", style="yellow") if switched else "")
        note.display = switched

    def shown(self) -> None:
        """Every arrival opens on the Plan tab, whatever tab was open before an edit (focusing its text, FOCUS,
        selects it too)."""
        tabs = self.widget("#preview-tabs", TabbedContent)
        if tabs is not None:
            tabs.active = "tab-plan"
            # Textual places a tab bar's underline when the bar is resized; laid out while hidden, it could keep
            # an underline measured before the tabs' labels (none under Plan, in a third of arrivals under load).
            bar = tabs.query_one(Tabs)
            bar.call_after_refresh(bar._highlight_active, False)  # Textual has no public call for it

    def show_export(self) -> None:
        plan = self.session.plan
        target = self.widget("#export-text", Static)
        if plan is None or target is None:
            return
        lexer = next(lx for k, _, lx in EXPORTS if k == self.export_format)
        from wizard.export import export, refusals

        refused = refusals(plan, self.export_format)
        if refused:  # as `studio-vpce export` refuses it (trial 18: the tab showed code the CLI refuses)
            target.update(Text(f"No {self.export_format} export: the plan has {len(refused)} error(s), which export "
                               "refuses as apply does:\n" + "\n".join(f"  x {e.code}: {e.message}" for e in refused),
                               style="yellow"))
            return

        # Numbered lines: a line without a number is the one above it, wrapped at the pane's width (a trial took
        # the wrapped template for broken YAML); and the command that writes it to a file, never copied off screen.
        from wizard.profiles import command_path

        path = self.session.saved_path or self.session.loaded_from or "PROFILE"
        command = (f"studio-vpce export {command_path(path) if path != 'PROFILE' else path} --format "
                   f"{self.export_format} --out FILE" + (" --demo" if self.session.demo else ""))
        hint = Text(f"Write it to a file (save the profile first, Ctrl+S): {command}\n"
                    "Long lines wrap here: a line without a number goes on from the one above.\n", style="dim")
        target.update(Group(hint, Syntax(export(plan, self.export_format), lexer, theme="ansi_dark", word_wrap=True,
                                         line_numbers=True)))

    def on_choices_toggled(self, event: Choices.Toggled) -> None:
        self.export_format = event.key
        event.choices.set_marks([event.key])
        self.show_export()

    def on_resize(self, _: Any) -> None:
        self.load()

    def on_key(self, event: Any) -> None:
        """y here does nothing, and says so (it was swallowed silently: Escape Ctrl+N y typed at once reaches
        Textual as Ctrl+N y, and a y typed on the Preview by habit is no answer to anything)."""
        if event.key == "y":
            event.stop()
            self.app.note("preview-y", "y answers only the apply confirmation: Ctrl+N (or Apply...) opens it; "  # type: ignore[attr-defined]
                          "nothing was changed.", severity="warning")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "apply-button":
            self.post_message(ApplyRequested())
        elif event.button.id == "save-only":
            self.post_message(JumpRequested("save"))
