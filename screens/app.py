"""The Textual wizard: composition root and the step loop. Returns the saved profile's path."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Header,
    Label,
    ListItem,
    ListView,
    Markdown,
    Static,
)

from screens.messages import Applied, Discovered, Planned, Progress, VpcRefreshed
from screens.steps import STEP_PANES, Step
from wizard.session import HELP, STEPS, TITLES, WizardSession

SHORT = {"connect": "Connect", "vpc": "VPC", "subnets": "Subnets", "domain": "Domain", "endpoints": "Endpoints",
         "access": "Access", "preview": "Preview", "apply": "Apply", "save": "Save"}


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close")]

    def __init__(self, step: str) -> None:
        super().__init__()
        self.step = step

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Markdown(f"## {TITLES[self.step]}\n\n{HELP[self.step]}\n\n"
                           "**Keys:** Ctrl+N next, Ctrl+B back, Ctrl+S save profile, Ctrl+P commands, "
                           "F1 help, Ctrl+Q quit.")
            yield Button("Close", id="close")

    def on_button_pressed(self, _: Button.Pressed) -> None:
        self.dismiss(None)


class WizardApp(App[str | None]):
    """Guided setup over a WizardSession. All AWS work runs in thread workers."""

    CSS_PATH = "wizard.tcss"
    TITLE = "studio-vpce"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("ctrl+b", "back", "Back", priority=True),
        Binding("ctrl+s", "save", "Save profile", priority=True),
        Binding("f1", "help", "Help"),
    ]

    def __init__(self, session: WizardSession, profile_path: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.profile_path = profile_path
        self.applying = False
        self.sub_title = "DEMO sandbox" if session.demo else "guided setup"

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield ListView(*[ListItem(Label(f"{i + 1} {SHORT[s]}"), id=f"nav-{s}") for i, s in enumerate(STEPS)],
                           id="step-list")
            with Vertical(id="body"):
                yield Static("", id="step-title")
                with ContentSwitcher(initial="connect", id="panes"):
                    for step in STEPS:
                        yield STEP_PANES[step](self.session, id=step)
        with Horizontal(id="nav"):
            yield Static("", id="reason")
            yield Button("Back", id="back")
            yield Button("Next", id="next", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.show_step()
        self.start_discovery()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for step in STEPS:
            yield SystemCommand(f"Jump to step: {TITLES[step]}", f"Go to the {step} step if it is reachable",
                                partial(self.jump, step))
        yield SystemCommand("Save profile", "Save the answers as a YAML profile", self.action_save)
        yield SystemCommand("Re-run discovery", "Read the account again", self.start_discovery)

    # ---------------------------------------------------------------- navigation

    @property
    def pane(self) -> Step:
        return self.query_one(f"#{self.session.current}", Step)

    def show_step(self) -> None:
        step = self.session.current
        self.query_one("#panes", ContentSwitcher).current = step
        self.query_one("#step-title", Static).update(
            f"[b]Step {self.session.step + 1} of {len(STEPS)}: {TITLES[step]}[/]" + ("   [reverse] DEMO [/]" if self.session.demo else ""))
        self.query_one("#step-list", ListView).index = self.session.step
        self.pane.load()
        self.refresh_nav()
        candidates = self.pane.query(self.pane.FOCUS)
        if candidates:
            candidates.first().focus()

    def refresh_nav(self) -> None:
        ok, reason = self.session.can_advance()
        nxt = self.query_one("#next", Button)
        nxt.disabled = not ok or self.session.current == "save"
        nxt.label = {"preview": "Apply", "save": "Next"}.get(self.session.current, "Next")
        self.query_one("#back", Button).disabled = self.session.step == 0 or self.applying
        self.query_one("#reason", Static).update(f"[yellow]{reason}[/]" if reason else "")

    def action_next(self) -> None:
        if self.applying:
            return
        if self.session.current == "preview" and self.session.plan is not None and not self.session.plan.errors:
            self.session.confirmed_apply(self.session.plan)
            self.show_step()
        elif self.session.next():
            self.show_step()
        else:
            _, reason = self.session.can_advance()
            if reason:
                self.notify(reason, severity="warning")

    def action_back(self) -> None:  # type: ignore[override]
        if not self.applying and self.session.back():
            self.show_step()

    def jump(self, step: str) -> None:
        if self.applying:
            return
        if step == "save":
            try:
                self.session.profile()
            except (ValueError, AssertionError) as exc:
                self.notify(f"Not ready to save: {exc}", severity="warning")
                return
            self.session.step = STEPS.index("save")
            self.show_step()
        elif self.session.goto(step):
            self.show_step()
        else:
            self.notify(f"Finish the earlier steps before {TITLES[step]}", severity="warning")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "next":
            self.action_next()
        elif event.button.id == "back":
            self.action_back()

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        step = (event.item.id or "").removeprefix("nav-")
        if step and step != self.session.current:
            self.jump(step)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.session.current))

    def action_save(self) -> None:
        if self.session.current != "save":
            self.jump("save")
            return
        from textual.widgets import Input

        path = self.query_one("#path", Input).value.strip()
        try:
            saved = self.session.save(path)
        except (ValueError, OSError) as exc:
            self.query_one("#saved", Static).update(f"[red]Not saved: {exc}[/]")
            return
        self.query_one("#saved", Static).update(
            f"[green]Saved {saved}.[/]\nReplay it with:\n\n  [b]{self.session.replay_command()}[/]\n\nCtrl+Q quits.")
        self.notify(f"Saved {saved}")

    async def action_quit(self) -> None:
        if self.applying:
            self.notify("Apply is running: wait for it to finish so that nothing is left half-reported.",
                        severity="warning")
            return
        self.exit(str(self.session.saved_path) if self.session.saved_path else None)

    def action_help_quit(self) -> None:  # ctrl+c
        if self.applying:
            self.notify("Apply is running: wait for it to finish.", severity="warning")
        else:
            self.exit(str(self.session.saved_path) if self.session.saved_path else None)

    # ---------------------------------------------------------------- workers (AWS calls happen here only)

    def start_discovery(self) -> None:
        self.session.inventory = None
        self.discover()

    @work(thread=True, exclusive=True, group="discover", exit_on_error=False)
    def discover(self) -> None:
        try:
            self.session.connect()
            self.post_message(Discovered())
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.post_message(Discovered(error=str(exc)))

    def on_discovered(self, message: Discovered) -> None:
        if message.error:
            self.query_one("#identity", Static).update(f"[red]Discovery failed: {message.error}[/]")
            self.query_one("#discovering").display = False
            return
        if self.session.current == "connect":
            self.pane.load()
        self.refresh_nav()

    def choose_vpc(self, vpc_id: str) -> None:
        self.refresh_vpc(vpc_id)

    @work(thread=True, exclusive=True, group="vpc", exit_on_error=False)
    def refresh_vpc(self, vpc_id: str) -> None:
        try:
            self.session.select_vpc(vpc_id)
            self.post_message(VpcRefreshed(vpc_id))
        except Exception as exc:  # noqa: BLE001
            self.post_message(VpcRefreshed(vpc_id, error=str(exc)))

    def on_vpc_refreshed(self, message: VpcRefreshed) -> None:
        if message.error:
            self.notify(message.error, severity="error")
        if self.session.current == "vpc":
            self.pane.load()
        self.refresh_nav()

    def start_plan(self) -> None:
        self.plan_worker()

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def plan_worker(self) -> None:
        try:
            self.session.build_plan()
            self.post_message(Planned())
        except Exception as exc:  # noqa: BLE001
            self.post_message(Planned(error=str(exc)))

    def on_planned(self, message: Planned) -> None:
        if message.error:
            self.notify(f"Plan failed: {message.error}", severity="error", timeout=10)
            self.query_one("#planning").display = False
        elif self.session.current == "preview":
            self.pane.load()
        self.refresh_nav()

    def start_apply(self) -> None:
        self.applying = True
        self.refresh_nav()
        self.apply_worker()

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def apply_worker(self) -> None:
        def progress(event: object) -> None:
            self.post_message(Progress(event))

        try:
            result = self.session.apply(progress)
            self.post_message(Applied(error=None if result.ok else str(result.error)))
        except Exception as exc:  # noqa: BLE001
            self.post_message(Applied(error=str(exc)))

    def on_progress(self, message: Progress) -> None:
        self.query_one("#apply", Step).progress(message.event)  # type: ignore[attr-defined]

    def on_applied(self, message: Applied) -> None:
        self.applying = False
        self.query_one("#apply", Step).finished(message.error)  # type: ignore[attr-defined]
        self.refresh_nav()


def run_app(session: WizardSession, profile_path: str | None = None) -> tuple[int, str]:
    saved = WizardApp(session, profile_path).run()
    return 0, (f"Saved {saved}. Replay it with: {session.replay_command()}" if saved else "")

