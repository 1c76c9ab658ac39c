"""One pane per wizard step. Panes read and write the session's answers; they never call AWS."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Input,
    Label,
    LoadingIndicator,
    RadioButton,
    RadioSet,
    RichLog,
    SelectionList,
    Static,
    TabbedContent,
    TabPane,
)

from wizard.export import export
from wizard.models import EXTRA_SERVICES
from wizard.render import plan_text
from wizard.session import MODE_HELP, WizardSession, cidr_error, split_list

if TYPE_CHECKING:
    from screens.app import WizardApp


class Step(VerticalScroll):
    """Base pane: knows the session; `load` refreshes the widgets from the answers."""

    FOCUS = "Input, DataTable, RadioSet, SelectionList, Button"  # the first match gets focus when shown

    def __init__(self, session: WizardSession, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session

    @property
    def wizard(self) -> WizardApp:
        return self.app  # type: ignore[return-value]

    def load(self) -> None:
        """Called each time the step is shown."""


# ---------------------------------------------------------------- connect

class ConnectStep(Step):
    def compose(self) -> ComposeResult:
        yield Static("", id="connect-mode")
        yield Label("Profile name (used in tags and the policy name)")
        yield Input(self.session.answers["name"], id="name", placeholder="research-private")
        yield LoadingIndicator(id="discovering")
        yield Static("Discovering the account...", id="identity")

    def load(self) -> None:
        demo = "[b reverse] DEMO [/] sandbox account: nothing here is real. " if self.session.demo else ""
        self.query_one("#connect-mode", Static).update(demo + "Reading the account; nothing changes until Apply.")
        inv = self.session.inventory
        self.query_one("#discovering").display = inv is None
        if inv is not None:
            self.query_one("#identity", Static).update(
                f"Account [b]{inv.account_id}[/]  region [b]{inv.region}[/]\nCaller {inv.caller.arn}\n"
                f"{len(inv.vpcs)} VPCs, {len(inv.domains)} Studio domains, {len(inv.endpoints)} endpoints, "
                f"{len(inv.principals)} IAM principals")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.session.answers["name"] = event.value.strip()
        self.wizard.refresh_nav()


# ---------------------------------------------------------------- VPC

def _flag(value: bool | None) -> str:
    return {True: "on", False: "OFF", None: "?"}[value]


class VpcStep(Step):
    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter by id, name or CIDR", id="vpc-filter")
        table: DataTable[str] = DataTable(id="vpcs", cursor_type="row", zebra_stripes=True)
        table.add_columns("VPC", "name", "CIDR", "DNS sup/host", "subnets", "domains", "SageMaker endpoints")
        yield table
        yield Static("", id="vpc-note")

    def load(self) -> None:
        self.fill(self.query_one("#vpc-filter", Input).value)

    def fill(self, text: str) -> None:
        table = self.query_one("#vpcs", DataTable)
        table.clear()
        chosen = self.session.answers["vpc_id"]
        for row in self.session.vpc_rows(text)[:2000]:
            vpc = row.vpc
            mark = "> " if vpc.id == chosen else "  "
            table.add_row(mark + vpc.id, vpc.name, ",".join(vpc.cidrs), f"{_flag(vpc.dns_support)}/{_flag(vpc.dns_hostnames)}",
                          str(len(vpc.subnets)), ",".join(row.domains) or "-", str(len(row.endpoints)), key=vpc.id)
        self.note()

    def note(self) -> None:
        vpc = self.session.vpc
        if vpc is None:
            text = "Enter on a row chooses the VPC."
        else:
            text = f"Chosen: [b]{vpc.id}[/] {vpc.name}"
            if vpc.dns_hostnames is False or vpc.dns_support is False:
                text += ("\n[yellow]DNS hostnames or support is off: private DNS needs both. Turn on 'fix VPC DNS "
                         "attributes' in the Endpoints step, or fix the VPC.[/]")
        self.query_one("#vpc-note", Static).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.wizard.choose_vpc(str(event.row_key.value))


# ---------------------------------------------------------------- subnets

class SubnetStep(Step):
    def compose(self) -> ComposeResult:
        yield Static("Enter toggles a subnet. One per Availability Zone; zones the service lacks cannot be chosen.")
        table: DataTable[str] = DataTable(id="subnet-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("use", "subnet", "AZ", "note", "AZ id", "CIDR", "free IPs", "name")
        yield table
        yield Static("", id="subnet-note")

    def load(self) -> None:
        table = self.query_one("#subnet-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for option in self.session.subnet_options():
            s = option.subnet
            table.add_row(" ✓" if option.selected else (" ·" if option.selectable else " ✗"), s.id, s.az,
                          option.reason if not option.selected else "", s.az_id or "", s.cidr, str(s.free_ips),
                          s.name, key=s.id)
        if cursor < table.row_count:
            table.move_cursor(row=cursor)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        reason = self.session.toggle_subnet(str(event.row_key.value))
        self.query_one("#subnet-note", Static).update(f"[yellow]{reason}[/]" if reason else "")
        self.load()
        self.wizard.refresh_nav()


# ---------------------------------------------------------------- domain and security groups

class DomainStep(Step):
    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="domains", cursor_type="row")
        table.add_columns("domain", "name", "auth", "network", "Studio security groups")
        yield table
        yield Static("", id="domain-note")
        yield Label("HTTPS (443) sources: security groups, comma-separated (empty: all the domain's groups)")
        yield Input(id="sources", placeholder="sg-...")
        yield Label("Extra 443 source CIDRs (e.g. a VPN range)")
        yield Input(id="sg-cidrs", placeholder="10.8.0.0/16")
        yield Label("Endpoint security group: empty to create studio-vpce-<name>, or an existing group id")
        yield Input(id="sg-id", placeholder="sg-... (optional)")

    def load(self) -> None:
        table = self.query_one("#domains", DataTable)
        table.clear()
        for d in self.session.domains():
            table.add_row(("> " if d.id == self.session.answers["domain_id"] else "  ") + d.id, d.name, d.auth_mode,
                          d.network_mode, ",".join(d.security_group_ids), key=d.id)
        sg = self.session.answers["security_group"]
        self.query_one("#sources", Input).value = ", ".join(sg["allow_from_security_groups"])
        self.query_one("#sg-cidrs", Input).value = ", ".join(sg["allow_from_cidrs"])
        self.query_one("#sg-id", Input).value = sg["id"] or ""
        self.note()

    def note(self) -> None:
        domain = self.session.domain
        if domain is None:
            text = "Enter on a row chooses the domain." if self.session.domains() else \
                "[yellow]No Studio domain in this VPC: go back and choose the domain's VPC.[/]"
        else:
            text = f"Chosen: [b]{domain.id}[/] ({domain.auth_mode}). Default 443 sources: {', '.join(domain.security_group_ids) or 'none'}"
            if domain.auth_mode.upper() == "SSO":
                text += ("\n[yellow]IAM Identity Center domain: the VPC-only identity policy is not supported "
                         "(the AWS guide says so). Access mode is set to none: endpoints only.[/]")
        self.query_one("#domain-note", Static).update(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.session.select_domain(str(event.row_key.value))
        self.load()
        self.wizard.refresh_nav()

    def on_input_changed(self, event: Input.Changed) -> None:
        sg = self.session.answers["security_group"]
        if event.input.id == "sources":
            sg["allow_from_security_groups"] = split_list(event.value)
        elif event.input.id == "sg-cidrs":
            sg["allow_from_cidrs"] = split_list(event.value)
        elif event.input.id == "sg-id":
            sg["id"] = event.value.strip() or None


# ---------------------------------------------------------------- endpoints and DNS

class EndpointStep(Step):
    def compose(self) -> ComposeResult:
        yield Label("DNS")
        with RadioSet(id="dns-mode"):
            yield RadioButton("private DNS on the endpoints (the guide's default)", id="private-dns")
            yield RadioButton("private hosted zones (endpoints' private DNS off)", id="hosted-zone")
        yield Checkbox("fix VPC DNS attributes (enableDnsSupport, enableDnsHostnames)", id="fix-dns")
        yield Label("Studio endpoint policy (must allow CreateApp)")
        yield SelectionList[str](("create-app: CreateApp on this domain's apps", "create-app"),
                                 ("presigned-url: CreatePresignedDomainUrl on this domain", "presigned-url"),
                                 id="studio-presets")
        yield Label("API endpoint policy (empty = full access; restricting it blocks other SageMaker calls)")
        yield SelectionList[str](("create-app", "create-app"), ("presigned-url", "presigned-url"), id="api-presets")
        yield Label("Extra endpoints a VpcOnly domain needs")
        yield SelectionList[str](*[(name, name) for name in EXTRA_SERVICES], id="extra")

    def load(self) -> None:
        a = self.session.answers
        self.query_one(f"#{a['dns']['mode']}", RadioButton).value = True
        self.query_one("#fix-dns", Checkbox).value = a["dns"]["fix_vpc_attributes"]
        for list_id, values in (("studio-presets", a["endpoint_policy"]["studio"]),
                                ("api-presets", a["endpoint_policy"]["api"]), ("extra", a["endpoints"]["extra"])):
            widget = self.query_one(f"#{list_id}", SelectionList)
            widget.deselect_all()
            for value in values:
                widget.select(value)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.session.answers["dns"]["mode"] = event.pressed.id

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.session.answers["dns"]["fix_vpc_attributes"] = event.value

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        values = list(event.selection_list.selected)
        order = {"create-app": 0, "presigned-url": 1}
        if event.selection_list.id == "extra":
            self.session.answers["endpoints"]["extra"] = [e for e in EXTRA_SERVICES if e in values]
        else:
            key = "studio" if event.selection_list.id == "studio-presets" else "api"
            self.session.answers["endpoint_policy"][key] = sorted(values, key=lambda v: order[v])


# ---------------------------------------------------------------- access

MODES = ("subnet", "vpce", "source-ip", "vpc-source-ip", "none")


class AccessStep(Step):
    def compose(self) -> ComposeResult:
        with Horizontal(id="access-top"):
            with RadioSet(id="mode"):
                for mode in MODES:
                    yield RadioButton(mode, id=f"mode-{mode}")
            with RadioSet(id="effect"):
                yield RadioButton("allow (the guide's policy)", id="effect-allow")
                yield RadioButton("deny guardrail too", id="effect-deny")
        yield Static("", id="mode-help")
        yield Input(id="cidrs", placeholder="CIDR ranges, comma-separated (source-ip: public; vpc-source-ip: inside the VPC)")
        yield Static("", id="cidr-error")
        yield Input(id="principal-filter", placeholder="filter users, groups and roles")
        with Horizontal(id="principals"):
            for kind in ("user", "group", "role"):
                with Vertical():
                    yield Label(f"{kind}s")
                    yield SelectionList[str](id=f"{kind}s")
        yield Static("", id="lockout")

    def load(self) -> None:
        access = self.session.answers["access"]
        self.query_one(f"#mode-{access['mode']}", RadioButton).value = True
        self.query_one(f"#effect-{access['effect']}", RadioButton).value = True
        self.query_one("#cidrs", Input).value = ", ".join(access["cidrs"])
        self.fill_principals(self.query_one("#principal-filter", Input).value)
        self.describe()

    def fill_principals(self, text: str) -> None:
        attach = self.session.answers["access"]["attach"]
        for kind in ("user", "group", "role"):
            widget = self.query_one(f"#{kind}s", SelectionList)
            widget.clear_options()
            names = self.session.principals(kind, text)[:1000]
            chosen = attach[f"{kind}s"]
            widget.add_options([(n, n, n in chosen) for n in sorted(set(names) | {c for c in chosen if text.lower() in c.lower()})])
            if widget.option_count:
                widget.highlighted = 0

    def describe(self) -> None:
        access = self.session.answers["access"]
        self.query_one("#mode-help", Static).update(MODE_HELP[access["mode"]])
        self.query_one("#cidrs").display = access["mode"] in ("source-ip", "vpc-source-ip")
        errors = [e for e in (cidr_error(c, access["mode"]) for c in access["cidrs"]) if e]
        self.query_one("#cidr-error", Static).update(f"[red]{errors[0]}[/]" if errors else "")
        self.query_one("#lockout", Static).update(
            "[b yellow]You are among the attach targets: after apply you can open Studio only from inside the "
            "VPC, not from the console.[/]" if self.session.self_lockout() else "")
        self.wizard.refresh_nav()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        value = (event.pressed.id or "").split("-", 1)[1]
        if event.radio_set.id == "mode":
            self.session.set_mode(value)
        else:
            self.session.answers["access"]["effect"] = value
        self.describe()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "cidrs":
            self.session.set_cidrs(event.value)
            self.describe()
        elif event.input.id == "principal-filter":
            self.fill_principals(event.value)

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        kind = (event.selection_list.id or "users")[:-1]
        self.session.toggle_principal(kind, str(event.selection.value))
        self.describe()


# ---------------------------------------------------------------- preview

class PreviewStep(Step):
    FOCUS = "#preview-actions Button"  # not the Export tab's radio buttons: focusing them switches tabs

    def compose(self) -> ComposeResult:
        yield LoadingIndicator(id="planning")
        with TabbedContent(id="preview-tabs"):
            with TabPane("Plan", id="tab-plan"):
                yield Static("", id="plan-text")
            with TabPane("Policies", id="tab-policies"):
                yield Static("", id="policies")
            with TabPane("Warnings and errors", id="tab-findings"):
                yield Static("", id="findings")
            with TabPane("Export", id="tab-export"):
                with RadioSet(id="export-format"):
                    yield RadioButton("CloudFormation", id="export-cloudformation", value=True)
                    yield RadioButton("Terraform", id="export-terraform")
                    yield RadioButton("AWS CLI script", id="export-cli")
                yield Static("", id="export-text")
        with Horizontal(id="preview-actions"):
            yield Button("Apply", id="apply-button", variant="success", disabled=True)
            yield Button("Save profile without applying", id="save-only")

    def load(self) -> None:
        plan = self.session.plan
        self.query_one("#planning").display = plan is None
        if plan is None:
            self.wizard.start_plan()
            return
        self.query_one("#plan-text", Static).update(Text(plan_text(plan)))
        parts: list[Any] = []
        for key, document in plan.endpoint_policies.items():
            parts.append(f"Endpoint policy: {key}" + (" (none: full access)" if document is None else ""))
            if document is not None:
                parts.append(Syntax(json.dumps(document, indent=2), "json", theme="ansi_dark"))
        if plan.identity_policy is not None:
            parts.append(f"Identity policy: {plan.profile.policy_name}")
            parts.append(Syntax(json.dumps(plan.identity_policy, indent=2), "json", theme="ansi_dark"))
        from rich.console import Group

        self.query_one("#policies", Static).update(Group(*parts))
        lines = [f"[red]x {e.code}[/]: {e.message}" for e in plan.errors]
        lines += [f"[yellow]! {w.code}[/]: {w.message}" for w in plan.warnings]
        self.query_one("#findings", Static).update(Text.from_markup("\n".join(lines) or "No warnings or errors."))
        self.show_export()
        apply_button = self.query_one("#apply-button", Button)
        apply_button.disabled = bool(plan.errors) or not plan.has_changes
        apply_button.label = "Apply" if plan.has_changes else "Nothing to apply"
        (self.query_one("#save-only", Button) if apply_button.disabled else apply_button).focus()

    def show_export(self) -> None:
        plan = self.session.plan
        if plan is None:
            return
        pressed = self.query_one("#export-format", RadioSet).pressed_button
        fmt = (pressed.id if pressed is not None and pressed.id else "export-cloudformation").removeprefix("export-")
        lexer = {"cloudformation": "yaml", "terraform": "terraform", "cli": "bash"}[fmt]
        self.query_one("#export-text", Static).update(Syntax(export(plan, fmt), lexer, theme="ansi_dark"))

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.show_export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply-button":
            self.wizard.action_next()
        elif event.button.id == "save-only":
            self.wizard.jump("save")


# ---------------------------------------------------------------- apply

class ApplyStep(Step):
    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="steps", cursor_type="none")
        for column in ("step", "state", "id"):
            table.add_column(column, key=column)
        yield table
        yield Static("", id="apply-status")
        yield Button("Retry", id="retry", variant="warning")
        yield RichLog(id="apply-log", max_lines=500, markup=False)

    def load(self) -> None:
        self.query_one("#retry").display = False
        if self.session.result is None and not self.wizard.applying:
            self.start()

    def start(self) -> None:
        table = self.query_one("#steps", DataTable)
        table.clear()
        plan = self.session.plan
        if plan is not None:
            for change in plan.changes:
                if change.action != "no-op":
                    table.add_row(f"{change.action} {change.address}", "pending", "", key=change.address)
            if any(c.type == "vpc_endpoint" and c.action != "delete" for c in plan.changes):
                table.add_row("wait for the endpoints", "pending", "", key="wait.vpc_endpoints")
        self.query_one("#apply-status", Static).update("Applying...")
        self.query_one("#retry").display = False
        self.wizard.start_apply()

    def progress(self, event: Any) -> None:
        table = self.query_one("#steps", DataTable)
        self.query_one("#apply-log", RichLog).write(f"{event.kind:>6} {event.address} {event.id or ''} {event.message}")
        if event.address not in table.rows:
            return
        state = {"start": "running", "done": "done", "failed": "FAILED", "wait": "waiting"}.get(event.kind)
        if state:
            table.update_cell(event.address, "state", state)  # type: ignore[arg-type]
        if event.id:
            table.update_cell(event.address, "id", event.id)  # type: ignore[arg-type]

    def finished(self, error: str | None) -> None:
        result = self.session.result
        if error is None and result is not None and result.ok:
            self.query_one("#apply-status", Static).update(
                f"[b green]Applied: {len(result.done)} step(s) done.[/] Next: save the profile.")
        else:
            not_done = ", ".join(result.not_done) if result else ""
            self.query_one("#apply-status", Static).update(
                f"[b red]Apply stopped: {error}[/]\nNot done: {not_done}\nRetry converges: it re-reads the account "
                "and carries on where it stopped.")
            self.query_one("#retry").display = True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "retry":
            self.session.result = None
            self.start()


# ---------------------------------------------------------------- save

class SaveStep(Step):
    def compose(self) -> ComposeResult:
        yield Label("Save the profile to")
        yield Input(id="path")
        yield Button("Save", id="save-button", variant="primary")
        yield Static("", id="saved")

    def load(self) -> None:
        path = self.query_one("#path", Input)
        if not path.value:
            path.value = self.wizard.profile_path or f"profiles/{self.session.answers['name']}.yaml"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save-button":
            self.wizard.action_save()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.wizard.action_save()


STEP_PANES = {"connect": ConnectStep, "vpc": VpcStep, "subnets": SubnetStep, "domain": DomainStep,
              "endpoints": EndpointStep, "access": AccessStep, "preview": PreviewStep, "apply": ApplyStep,
              "save": SaveStep}
