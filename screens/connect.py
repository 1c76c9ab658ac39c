"""Step 1: the account that discovery read, and the profile name."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label, Static

from screens.base import Step
from screens.widgets import Field
from wizard.steps import NAME


class ConnectStep(Step):
    FOCUS = "#name"

    def compose(self) -> ComposeResult:
        yield Static("", id="connect-mode")
        yield Label(f"{NAME.label} (used in tags and the policy name)")
        # A loaded profile's name is not selected as the field takes focus (a trial: one stray key replaced
        # 'research-vpce' with 'x'): typing goes on after it; a new session's default name is, to type over.
        self.loaded_name = self.session.answers["name"] if self.session.preloaded else None
        yield Field(self.session.answers["name"], compact=True, id="name", placeholder=NAME.placeholder,
                    select_on_focus=self.loaded_name is None)
        yield Static("", id="name-error", classes="field-error")
        yield Static("", id="name-note").set_styles("display: none;")
        yield Static("Discovering the account...", id="identity")

    def load(self) -> None:
        demo = "DEMO sandbox account: nothing here is real. " if self.session.demo else ""
        mode = self.widget("#connect-mode", Static)
        if mode is not None:
            reading = ("Account read" if self.session.inventory is not None else "Could not read the account"
                       if self.session.discovery_error else "Reading the account")  # (it said 'Reading' after a failure)
            mode.update(demo + f"{reading}; nothing changes until you confirm on the Preview.")
        identity = self.widget("#identity", Static)
        if identity is None:
            return
        inv = self.session.inventory
        if self.session.discovery_error:
            identity.update(Text(f"Discovery failed: {self.session.discovery_error}\n"
                                 "Fix the cause, then Ctrl+P > Re-run discovery; a wrong --region, --aws-profile or "
                                 "--endpoint-url needs a restart (Ctrl+Q).", style="bold red"))
        elif inv is None:
            identity.update("Discovering the account...")
        else:
            text = Text(
                f"Account {inv.account_id}, region {inv.region}\nCaller {inv.caller.arn}\n"
                f"{len(inv.vpcs)} VPCs, {len(inv.domains)} Studio domains, {sum(e.live for e in inv.endpoints)} endpoints, "
                f"{len(inv.principals)} IAM principals")
            guard = self.session.account_problem()
            if guard:
                text.append(f"\nWrong account: {guard}", style="bold red")
            identity.update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.session.answers["name"] = event.value.strip()
        self.show_input_error("name", event.value, "#name-error")
        renamed = self.loaded_name is not None and event.value.strip() not in ("", self.loaded_name)
        note = self.query_one("#name-note", Static)
        note.display = renamed
        note.update(Text(
            f"Renamed from {self.loaded_name} (the profile loaded). The name tags all that a profile makes: what "
            f"{self.loaded_name} made stays {self.loaded_name}'s, and the plan will not take it over under this name.",
            style="yellow") if renamed else "")
        self.changed()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.advance()
