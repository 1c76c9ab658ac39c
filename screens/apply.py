"""Step 8: the confirmed plan carried out, step by step. This pane starts nothing: the app runs the apply
worker only after the confirmation screen said yes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, RichLog, Static

from screens.base import Step

if TYPE_CHECKING:
    from wizard.models import Plan

STATES = {"start": "running", "done": "done", "failed": "FAILED", "wait": "waiting"}


class ApplyStep(Step):
    FOCUS = "#steps"

    def compose(self) -> ComposeResult:
        self.steps: dict[str, str] = {}
        yield Static("Nothing applied yet: confirm on the Preview step.", id="apply-status")
        table: DataTable[str] = DataTable(id="steps", cursor_type="row")
        table.add_column("state", key="state", width=8)
        table.add_column("step and id", key="step")
        yield table
        # min_width: RichLog renders every line at least 78 wide by default, wider than its pane at 80 columns,
        # so the log scrolled sideways and hid the start of its lines; it wraps at the pane's width instead.
        yield RichLog(id="apply-log", max_lines=500, markup=False, wrap=True, min_width=1)

    def start(self, plan: Plan) -> None:
        from wizard.render import SYMBOLS

        table = self.query_one("#steps", DataTable)
        table.clear()
        self.steps = {}
        for change in plan.changes:
            if change.action != "no-op":
                self.steps[change.address] = f"{SYMBOLS[change.action]} {change.address}"
                table.add_row("pending", self.cell(change.address, change.id or ""), key=change.address, height=2)
        if any(c.type == "vpc_endpoint" and c.action not in ("delete", "no-op") for c in plan.changes):  # as run
            self.steps["wait.vpc_endpoints"] = "  wait for the endpoints"
            table.add_row("pending", self.cell("wait.vpc_endpoints", ""), key="wait.vpc_endpoints", height=2)
        self.query_one("#apply-status", Static).update("Applying...")
        log = self.query_one("#apply-log", RichLog)
        log.clear()
        log.display = False  # shown with its first line: an apply refused before its first step left an empty box

    def progress(self, event: Any) -> None:
        table = self.widget("#steps", DataTable)
        log = self.widget("#apply-log", RichLog)
        if table is None or log is None:
            return
        log.display = True
        log.write(f"{event.kind:>6} {event.address} {event.id or ''} {event.message}".rstrip())
        if event.address not in table.rows:
            return
        state = STATES.get(event.kind)
        if state:
            table.update_cell(event.address, "state", state)
        if event.id:
            table.update_cell(event.address, "step", self.cell(event.address, event.id), update_width=True)

    def cell(self, address: str, resource_id: str) -> Text:
        """The step, and its full id on the line below (never cut: it is what you look up in the console)."""
        return Text(f"{self.steps.get(address, address)}\n    {resource_id}")

    def finished(self, result: Any, error: str | None) -> None:
        """Every row ends in a final state: a row the run never reached says so, none stays "pending"."""
        table = self.query_one("#steps", DataTable)
        left = "not done" if error is not None or result is None or not result.ok else "skipped"
        for key in list(table.rows):
            if str(table.get_cell(key, "state")) in ("pending", "running", "waiting"):
                table.update_cell(key, "state", left)
        status = self.query_one("#apply-status", Static)
        if error is None and result is not None and result.ok:
            status.update(Text(f"Applied: {self.session.applied_summary()}. Next: save the profile (Ctrl+N).",
                               style="bold green"))
        else:
            # No result: refused before the first change (e.g. the account changed since the Preview)
            not_done = ", ".join(result.not_done) if result is not None else "every change (nothing was made)"
            status.update(Text(f"Apply stopped: {error}\nNot done: {not_done or '-'}\nEscape goes back to the "
                               "Preview: apply again there (it re-reads the account and converges).",
                               style="bold red"))
