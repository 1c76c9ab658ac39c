"""Step 5: endpoints, DNS and endpoint policies."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Label, Static

from screens.base import Step
from screens.widgets import Choices


def _extras() -> tuple[tuple[str, ...], dict[str, tuple[str, bool]]]:
    """The extra endpoint keys and what breaks without each (the engine's tables, loaded after the first paint)."""
    from wizard.models import EXTRA_SERVICES
    from wizard.readiness import NEEDS

    return EXTRA_SERVICES, NEEDS

# Rows short enough for a 60-column screen (at most 46 columns of text: they scrolled sideways there); what
# each means in full is in the labels above them and in F1's help.
PRESETS = (("create-app", "CreateApp on the domain's apps"),
           ("presigned-url", "CreatePresignedDomainUrl"))
DNS = (("private-dns", "private DNS on the endpoints (default)"),
       ("hosted-zone", "private hosted zones (no private DNS)"))


class EndpointStep(Step):
    FOCUS = "#dns-mode"

    def compose(self) -> ComposeResult:
        yield Label("DNS (Enter or Space chooses)")
        yield Choices(("mode",), multi=False, id="dns-mode", show_header=False)
        yield Choices(("VPC attributes",), id="fix-dns", show_header=False)
        yield Label("Studio endpoint policy (must allow CreateApp; presets allow only this domain)")
        yield Choices(("preset",), id="studio-presets", show_header=False)
        yield Label("API endpoint policy (none ticked = full access; a preset blocks other SageMaker calls)")
        yield Choices(("preset",), id="api-presets", show_header=False)
        yield Label("Extra endpoints (a VpcOnly domain's apps need them)")
        yield Static("", id="extra-note")
        yield Choices(("service", "VpcOnly"), id="extra")
        yield Static("", id="extra-why")

    def load(self) -> None:
        a = self.session.answers
        extra, needs = _extras()
        tables = {
            "dns-mode": ([(k, (v,)) for k, v in DNS], [a["dns"]["mode"]]),
            "fix-dns": ([("fix", ("turn the VPC's DNS attributes on if off",))],
                        ["fix"] if a["dns"]["fix_vpc_attributes"] else []),
            "studio-presets": ([(k, (f"{k}: {v}",)) for k, v in PRESETS], a["endpoint_policy"]["studio"]),
            "api-presets": ([(k, (f"{k}: {v}",)) for k, v in PRESETS], a["endpoint_policy"]["api"]),
            "extra": ([(e, (e, "needed" if needs.get(e, ("", False))[1] else "optional")) for e in extra],
                      a["endpoints"]["extra"]),
        }
        for table_id, (rows, marked) in tables.items():
            table = self.widget(f"#{table_id}", Choices)
            if table is not None and table.columns:
                table.fill(rows, marked)
        note = self.widget("#extra-note", Static)
        if note is not None:
            reason = self.session.notes.get("endpoints", "")
            note.update(Text(reason, style="yellow") if reason else "")

    def on_choices_toggled(self, event: Choices.Toggled) -> None:
        a = self.session.answers
        table_id = event.choices.id
        if table_id == "dns-mode":
            a["dns"]["mode"] = event.key
        elif table_id == "fix-dns":
            a["dns"]["fix_vpc_attributes"] = not a["dns"]["fix_vpc_attributes"]
        elif table_id in ("studio-presets", "api-presets"):
            key = "studio" if table_id == "studio-presets" else "api"
            chosen = set(a["endpoint_policy"][key]) ^ {event.key}
            a["endpoint_policy"][key] = [p for p, _ in PRESETS if p in chosen]
        elif table_id == "extra":
            chosen = set(a["endpoints"]["extra"]) ^ {event.key}
            a["endpoints"]["extra"] = [e for e in _extras()[0] if e in chosen]
        self.load()
        self.changed()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        why = self.widget("#extra-why", Static)
        if why is None or event.data_table.id != "extra" or event.row_key.value is None:
            return
        symptom = _extras()[1].get(str(event.row_key.value), ("", False))[0]
        why.update(f"Without {event.row_key.value}: {symptom}" if symptom else "")
