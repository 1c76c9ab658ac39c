"""Steps 2 and 3: the VPC and its subnets."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widgets import DataTable, Input, Static

from screens.base import Step
from screens.messages import VpcChosen
from screens.widgets import Choices, Field, Line, type_to_filter


def elide(text: str, width: int) -> str:
    """Cut deliberately, at a word where possible, and say so with an ellipsis."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut[width // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"


def fit_columns(room: int, widths: list[int], least: int = 12) -> list[int]:
    """Column widths from their content: each as wide as its longest cell when they all fit in `room`, else the
    widest are narrowed (down to `least`, or their own width) until they fit, or nothing is left to narrow."""
    widths = list(widths)
    while sum(widths) > room:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= least:
            break
        widths[widest] = max(least, widths[widest] - (sum(widths) - room))
    return widths


def room(pane: Step, rows: int, columns: int = 3) -> int:
    """Columns for the cells of a pane's Choices table (a mark column and `columns` more): the pane's width less
    the mark, each cell's padding, the focus border (counted at every focus, so that the rows never change with
    it) and a scroll bar when `rows` are more than the table shows (max-height 9 in wizard.tcss)."""
    width = pane.size.width or pane.app.size.width - 14  # not laid out yet: the body beside the step list
    return width - 3 - 2 * (columns + 1) - 1 - (2 if rows > 8 else 0)


def _flag(value: bool | None) -> str:
    return {True: "on", False: "OFF", None: "?"}[value]


class VpcStep(Step):
    FOCUS = "#vpc-filter"
    SHOWN = 100  # rows in the table: an account of 500 VPCs is searched with the filter, not scrolled

    def compose(self) -> ComposeResult:
        yield Field(placeholder="filter: name, id or CIDR, then Enter",  # whole at 60 columns
                    id="vpc-filter", compact=True, below="vpcs", enter_chooses_one=True)
        yield Choices(("name", "CIDR", "VPC"), multi=False, id="vpcs", goes_on=True)
        yield Line("", id="vpc-note")

    def load(self) -> None:
        field = self.widget("#vpc-filter", Input)
        self.fill(field.value if field is not None else "")

    def fill(self, text: str) -> None:
        table = self.widget("#vpcs", Choices)
        if table is None or not table.columns:
            return
        matches = self.session.vpc_rows(text)
        self.filter_text = text
        chosen = self.session.answers["vpc_id"] or ""
        shown = matches[:self.SHOWN]
        if chosen and len(matches) > self.SHOWN and all(r.vpc.id != chosen for r in shown):
            shown = [*(r for r in matches if r.vpc.id == chosen), *shown[:-1]]  # the chosen one stays in view
        self.rows = {row.vpc.id: row for row in shown}
        self.hidden = len(matches) - len(shown)
        names = {vpc_id: row.vpc.name or "-" for vpc_id, row in self.rows.items()}
        cidrs = {vpc_id: ", ".join(row.vpc.cidrs) for vpc_id, row in self.rows.items()}
        name_width, cidr_width = fit_columns(room(self, len(self.rows)), [max(map(len, names.values()), default=1),
                                                            max(map(len, cidrs.values()), default=1),
                                                            max(map(len, self.rows), default=1)])[:2]
        rows = [(vpc_id, (elide(names[vpc_id], name_width), elide(cidrs[vpc_id], cidr_width), vpc_id))
                for vpc_id in self.rows]
        table.fill(rows, [chosen])
        self.note(table.key_at_cursor())

    def on_resize(self) -> None:
        self.load()  # the columns follow the width

    def note(self, highlighted: str | None = None) -> None:
        """The highlighted row in full (the table shows the deciding columns), then the chosen VPC."""
        note = self.widget("#vpc-note", Static)
        if note is None:
            return
        text = Text()
        if getattr(self, "hidden", 0):
            text.append(f"{len(self.rows)} shown, {self.hidden} more: type in the filter to find the others.\n",
                        style="yellow")
        if getattr(self, "filter_text", "") and not getattr(self, "rows", None):  # an empty table said nothing
            text.append(f"No VPC matches '{self.filter_text}': Backspace widens the filter.\n", style="yellow")
        row = getattr(self, "rows", {}).get(highlighted or "")
        if row is not None:
            text.append(f"{row.vpc.name or '-'} {row.vpc.id}: {', '.join(row.vpc.cidrs)}\n"
                        f"DNS support {_flag(row.vpc.dns_support)}, hostnames {_flag(row.vpc.dns_hostnames)}; "
                        f"Studio domains: {', '.join(row.domains) or 'none'}; SageMaker endpoints: "
                        f"{len(row.endpoints)}\n")
        vpc = self.session.vpc
        if vpc is None and self.session.notes.get("vpc"):
            text.append(self.session.notes["vpc"] + "\n", style="yellow")
        if vpc is None:
            text.append("Enter on a row chooses the VPC and goes on.")
            note.update(text)
            return
        text.append(f"Chosen: {vpc.name or '-'} {vpc.id}")
        if vpc.dns_hostnames is False or vpc.dns_support is False:
            text.append("\nDNS hostnames or support is off: private DNS needs both. Tick 'fix VPC DNS "
                        "attributes' on the Endpoints step, or fix the VPC.", style="yellow")
        note.update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def on_key(self, event: events.Key) -> None:
        """Typing on the VPC list filters it, as on the attach list (found in tmux: Enter in the filter moves to
        the list, and 'research' typed then reached nothing, so the next Enter chose the first VPC)."""
        type_to_filter(event, self.widget("#vpcs", Choices), self.widget("#vpc-filter", Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        table = self.widget("#vpcs", Choices)
        if table is not None and table.row_count == 1:  # one match: Enter in the filter chooses it
            key = table.key_at_cursor()
            if key:
                self.post_message(VpcChosen(key))
        elif table is not None and table.row_count:  # none: the focus stays where Backspace widens the filter
            table.focus()

    def on_choices_toggled(self, event: Choices.Toggled) -> None:
        self.post_message(VpcChosen(event.key))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.note(str(event.row_key.value) if event.row_key.value is not None else None)


class SubnetStep(Step):
    FOCUS = "#subnet-table"

    def compose(self) -> ComposeResult:
        yield Static("Enter or Space toggles a subnet: one per Availability Zone, only zones the service offers.",
                     id="subnet-help")
        yield Choices(("name", "AZ", "why not"), id="subnet-table")
        yield Line("", id="subnet-note")

    def load(self) -> None:
        table = self.widget("#subnet-table", Choices)
        if table is None or not table.columns:
            return
        options = self.session.subnet_options()
        cells = [(o.subnet.name or "-", o.subnet.az, "" if o.selected and not o.gone else _short(o.reason))
                 for o in options]  # a loaded profile's subnet not in the VPC (gone): ticked, saying why
        width = fit_columns(room(self, len(cells)), [max((len(c[i]) for c in cells), default=1) for i in range(3)])[0]
        rows = [(o.subnet.id, (elide(name, width), az, why)) for o, (name, az, why) in zip(options, cells, strict=True)]
        table.fill(rows, [o.subnet.id for o in options if o.selected])
        self.explain(table.key_at_cursor())

    def on_resize(self) -> None:
        self.load()  # the columns follow the width

    def explain(self, subnet_id: str | None) -> None:
        """The full reason for the highlighted row (the table shows a short one)."""
        option = next((o for o in self.session.subnet_options() if o.subnet.id == subnet_id), None)
        note = self.widget("#subnet-note", Static)
        if note is None:
            return
        if option is None:
            note.update("")
            return
        if option.gone:  # nothing to describe: it is not in the VPC
            note.update(Text(f"{option.reason}: untick it", style="yellow"))
            return
        s = option.subnet
        text = Text(f"{s.name or '-'} {s.id}: {s.az} ({s.az_id or '?'}), {s.cidr}, {s.free_ips} free IPs")
        if option.reason and not option.selected:
            text.append(f"\n{option.reason}", style="yellow")
        note.update(text)

    def on_choices_toggled(self, event: Choices.Toggled) -> None:
        reason = self.session.toggle_subnet(event.key)
        self.load()
        note = self.widget("#subnet-note", Static)
        if note is not None and reason:
            note.update(Text(f"{event.key}: {reason}", style="yellow"))
        self.changed()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.explain(str(event.row_key.value) if event.row_key.value is not None else None)


def _short(reason: str) -> str:
    if not reason:
        return ""
    if "does not exist" in reason or ", not in " in reason:  # a loaded profile's subnet not in the VPC
        return "not in VPC: untick"
    return "AZ not offered" if "not offered" in reason else "AZ taken" if "already chosen" in reason else "no"
