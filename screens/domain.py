"""Step 4: the Studio domain, and where HTTPS into the endpoints comes from."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label, Static

from screens.base import Step
from screens.widgets import Choices, Field
from wizard.steps import SG_CIDRS, SG_ID, SG_SOURCES, input_text
from wizard.validators import split_list

FIELDS = ((SG_SOURCES, "sg-sources"), (SG_CIDRS, "sg-cidrs"), (SG_ID, "sg-id"))


class DomainStep(Step):
    FOCUS = "#domains"

    def compose(self) -> ComposeResult:
        yield Choices(("name", "domain", "auth", "network"), multi=False, id="domains", goes_on=True)
        yield Static("", id="domain-note")
        for item, widget_id in FIELDS:
            yield Label(item.label)
            yield Field(compact=True, id=widget_id, placeholder=item.placeholder, many=item.many)
            yield Static("", id=f"{widget_id}-error", classes="field-error")

    def load(self) -> None:
        table = self.widget("#domains", Choices)
        if table is not None and table.columns:
            table.fill([(d.id, (d.name, d.id, d.auth_mode, d.network_mode)) for d in self.session.domains()],
                       [self.session.answers["domain_id"] or ""])
        for item, widget_id in FIELDS:
            field = self.widget(f"#{widget_id}", Input)
            text = input_text(self.session, item.key)
            if field is not None and field.value != text and not field.has_focus:
                field.value = text
        self.note()

    def note(self) -> None:
        note = self.widget("#domain-note", Static)
        if note is None:
            return
        domain = self.session.domain
        if domain is None:
            text = Text(self.session.notes["domain"] + "\n", style="yellow") if self.session.notes.get("domain") else Text()
            text.append("Enter on a row chooses the domain and goes on." if self.session.domains() else
                        Text("No Studio domain in this VPC: go back and choose the domain's VPC.", style="yellow"))
            note.update(text)
            return
        text = Text(f"Chosen: {domain.name} {domain.id} ({domain.auth_mode}, {domain.network_mode}).\n"
                    f"Default 443 sources: {', '.join(domain.security_group_ids) or 'none'}")
        for key in ("access", "endpoints"):
            if self.session.notes.get(key):
                text.append(f"\n{self.session.notes[key]}", style="yellow")
        note.update(text)

    def on_choices_toggled(self, event: Choices.Toggled) -> None:
        """Enter (or Space, or a click) on a row chooses the domain and goes on, as on the VPC step (a trial: Enter
        here did nothing visible); when Next cannot go on (a field below is wrong), the reason line says why."""
        self.session.select_domain(event.key)
        self.load()
        self.changed()
        self.advance()

    def on_input_changed(self, event: Input.Changed) -> None:
        sg = self.session.answers["security_group"]
        widget_id = event.input.id or ""
        item = next((i for i, w in FIELDS if w == widget_id), None)
        if item is None:
            return
        if item.key == "sg_sources":
            sg["allow_from_security_groups"] = split_list(event.value)
        elif item.key == "sg_cidrs":
            sg["allow_from_cidrs"] = split_list(event.value)
        else:
            sg["id"] = event.value.strip() or None
        self.show_input_error(item.key, event.value, f"#{widget_id}-error")
        self.changed()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.advance()
