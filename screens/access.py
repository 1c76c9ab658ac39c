"""Step 6: who may open Studio, from where."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from screens.base import Step
from screens.widgets import Choices, Field, Line, type_to_filter
from wizard.modes import BY_NAME, MODES
from wizard.steps import ACCESS_CIDRS, input_text

KINDS = ("user", "group", "role")


class AccessStep(Step):
    FOCUS = "#mode"

    def compose(self) -> ComposeResult:
        yield Line("", id="mode-reason")
        yield Label("Restrict opening Studio to (Enter or Space chooses)")
        yield Choices(("mode", "condition key"), multi=False, id="mode")
        yield Static("", id="mode-help")
        yield Choices(("effect",), multi=False, id="effect", show_header=False)
        # why the wizard chose the effect itself, next to it (a trial: at 80x24 it was under the attach list, off
        # the screen, where the Preview sends you to read it)
        yield Line("", id="effect-note")
        yield Label(ACCESS_CIDRS.label, id="access-cidrs-label")
        yield Field(compact=True, id="access-cidrs", placeholder=ACCESS_CIDRS.placeholder, many=ACCESS_CIDRS.many)
        yield Static("", id="access-cidrs-error", classes="field-error")
        yield Label("Attach the policy to (type to filter; Space on a row ticks)", id="attach-label")  # Enter: to rows
        yield Line("", id="attach-unused")
        with Horizontal(classes="filter-row"):  # named: a filter "alic" above the rows read as a row cut short
            yield Label("filter: ")
            yield Field(compact=True, id="principal-filter", placeholder="users, groups and roles", below="principals")
        yield Line("", id="principal-none")
        yield Choices(("kind", "name"), id="principals")
        yield Line("", id="lockout")

    def load(self) -> None:
        access = self.session.answers["access"]
        modes = self.widget("#mode", Choices)
        if modes is not None and modes.columns:
            modes.fill([(m.name, (m.name, ", ".join(m.condition_keys) or "-")) for m in MODES], [access["mode"]])
        effect = self.widget("#effect", Choices)
        if effect is not None and effect.columns:
            effect.fill([("allow", ("allow (the guide's policy)",)), ("deny", ("deny guardrail as well",))],
                        [access["effect"]])
        field = self.widget("#access-cidrs", Input)
        text = input_text(self.session, "access_cidrs")
        if field is not None and field.value != text and not field.has_focus:
            field.value = text
        flt = self.widget("#principal-filter", Input)
        self.fill_principals(flt.value if flt is not None else "")
        self.describe()

    def shown(self) -> None:
        """Every arrival shows the whole attach list: a filter typed on an earlier visit is cleared (it was kept
        and hid targets, with the list looking complete)."""
        flt = self.widget("#principal-filter", Input)
        if flt is not None and flt.value:
            flt.value = ""
            self.fill_principals("")
        modes = self.widget("#mode", Choices)  # the cursor starts on the chosen mode (trial 11: on the first row,
        names = [m.name for m in MODES]  # reached by the palette, so Down then Enter chose the wrong one)
        if modes is not None and modes.row_count and self.session.answers["access"]["mode"] in names:
            modes.move_cursor(row=names.index(self.session.answers["access"]["mode"]), animate=False)

    def fill_principals(self, text: str) -> None:
        table = self.widget("#principals", Choices)
        if table is None or not table.columns:
            return
        attach = self.session.answers["access"]["attach"]
        rows, marked = [], []
        for kind in KINDS:
            chosen = attach[f"{kind}s"]
            names = set(self.session.principals(kind, text)[:1000]) | {c for c in chosen if text.lower() in c.lower()}
            for name in sorted(names):
                rows.append((f"{kind}:{name}", (kind, name)))
                if name in chosen:
                    marked.append(f"{kind}:{name}")
        table.fill(rows, marked)
        none = self.widget("#principal-none", Static)
        if none is not None:  # an empty table said nothing at all
            none.update(Text(f"No user, group or role matches '{text}': Backspace widens the filter.",
                             style="yellow") if text and not rows else "")
            none.display = bool(text and not rows)

    def describe(self) -> None:
        access = self.session.answers["access"]
        mode = BY_NAME[access["mode"]]
        reason = self.session.mode_reason()
        widgets = {name: self.widget(f"#{name}") for name in
                   ("mode-reason", "mode-help", "access-cidrs", "access-cidrs-label", "access-cidrs-error",
                    "lockout", "effect", "effect-note")}
        if any(w is None for w in widgets.values()):
            return
        widgets["mode-reason"].update(Text(reason, style="yellow") if reason else "")
        widgets["mode-reason"].display = bool(reason)
        widgets["mode-help"].update(mode.help)
        for name in ("access-cidrs", "access-cidrs-label", "access-cidrs-error"):
            widgets[name].display = mode.needs_cidrs
        widgets["effect"].display = mode.name != "none"
        self.show_input_error("access_cidrs", input_text(self.session, "access_cidrs"), "#access-cidrs-error")
        lockout = Text()
        if self.session.self_lockout():
            lockout.append(f"You are among the attach targets: after apply you can open Studio only "  # per mode
                           f"{mode.where or 'from inside the VPC'}, not from the console. Applying will ask you to "
                           "confirm.", style="bold yellow")
        widgets["lockout"].update(lockout)
        # Mode none makes no policy: targets ticked (kept from a loaded profile, or before an SSO domain forced
        # the mode) get nothing, which the list alone did not say (a trial: saved, and read as restricted)
        ticked = sum(len(names) for names in self.session.answers["access"]["attach"].values())
        unused = self.widget("#attach-unused", Static)
        if unused is not None:
            unused.update(Text(f"Access mode none makes no policy: the {ticked} target(s) ticked get nothing attached "
                               "(untick them, or the saved profile keeps them, unused).", style="yellow")
                          if mode.name == "none" and ticked else "")
            unused.display = mode.name == "none" and bool(ticked)
        effect_note = self.session.notes.get("effect") if mode.name != "none" else None
        widgets["effect-note"].update(Text(effect_note, style="yellow") if effect_note else "")
        widgets["effect-note"].display = bool(effect_note)

    def on_choices_toggled(self, event: Choices.Toggled) -> None:
        table_id = event.choices.id
        if table_id == "mode":
            refused = self.session.set_mode(event.key)
            if refused:
                self.notify(refused, severity="warning")
        elif table_id == "effect":
            self.session.choose_effect(event.key)
        elif table_id == "principals":
            kind, _, name = event.key.partition(":")
            self.session.toggle_principal(kind, name)
        self.load()
        self.changed()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "access-cidrs":
            self.session.set_cidrs(event.value)
            self.describe()
            self.changed()
        elif event.input.id == "principal-filter":
            self.fill_principals(event.value)

    def on_key(self, event: events.Key) -> None:
        """Typing while the attach list has focus filters it, as its label says: characters go to the filter
        (shown above it) and Backspace takes the last one back; Space and Enter still tick, arrows still move."""
        type_to_filter(event, self.widget("#principals", Choices), self.widget("#principal-filter", Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "principal-filter":  # to the list (a tick there is Space: Enter then Space, as the
            table = self.widget("#principals", Choices)  # flow goes, would untick a single match ticked by Enter)
            if table is not None and table.row_count:  # none: the focus stays where Backspace widens the filter
                table.focus()
        else:
            self.advance()
