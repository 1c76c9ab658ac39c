"""The Textual wizard: the composition root and the step loop over the registry (wizard/steps.py).

Safety by structure: applying starts only from `_confirmed` (the answer of the ConfirmApply modal, opened
from the Preview by Next or its Apply button); every other route (palette, step list, Save, Back, Enter)
only navigates. Workers carry their results in messages; the session changes only here, on the UI thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import traceback
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual._context import active_message_pump
from textual.app import App, ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.notifications import Notification, Notify
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Input, OptionList, Static
from textual.worker import Worker, WorkerState

from screens import keyguard
from screens.access import AccessStep
from screens.apply import ApplyStep
from screens.base import Step
from screens.connect import ConnectStep
from screens.domain import DomainStep
from screens.endpoints import EndpointStep
from screens.keyguard import Burst, Hold, KeyGuard, key_name
from screens.messages import (
    AdvanceRequested,
    AnswersChanged,
    Applied,
    ApplyRequested,
    Discovered,
    JumpRequested,
    KeysHandled,
    Planned,
    Progress,
    SaveRequested,
    VpcChosen,
    VpcRead,
)
from screens.modals import (
    ConfirmApply,
    ConfirmRisk,
    ErrorScreen,
    HelpScreen,
    Modal,
    OverwriteScreen,
    QuitScreen,
)
from screens.network import SubnetStep, VpcStep
from screens.preview import PreviewStep
from screens.save import SaveStep
from screens.widgets import NARROW, Choices, Field, KeysFooter, Line, StepList
from wizard.errors import InvalidInput
from wizard.session import WizardSession, state_dir, write_private
from wizard.steps import STEPS

if TYPE_CHECKING:
    from pathlib import Path

    from wizard.models import Plan

PANES: dict[str, type[Step]] = {"connect": ConnectStep, "vpc": VpcStep, "subnets": SubnetStep, "domain": DomainStep,
                                "endpoints": EndpointStep, "access": AccessStep, "preview": PreviewStep,
                                "apply": ApplyStep, "save": SaveStep}
EXIT_INTERRUPTED = 130
EXIT_CRASHED = 1  # a runtime failure (README: Exit codes)


AHEAD = "typed before this window was ready"  # why a window dropped a key (KeyGuard.drops)
PASTE_SPEED = "typed at paste speed right behind"  # why a window refused an answer (Modal.answering), and what
NAMED_AT_MOST = 30  # keys named in a note of dropped keys; the others are counted


def named(keys: list[str]) -> str:
    """Dropped keys as a note names them: each, in the order typed (a long paste: the first ones, and a count)."""
    if len(keys) <= NAMED_AT_MOST:
        return ", ".join(keys)
    return ", ".join(keys[:NAMED_AT_MOST]) + f" and {len(keys) - NAMED_AT_MOST} more"


def typed_text(event: events.Key | events.Paste) -> bool:
    """A key that types into a field: a paste, or a character other than a space."""
    character = getattr(event, "character", None) if isinstance(event, events.Key) else "paste"
    return bool(character) and character.isprintable() and not character.isspace()  # type: ignore[union-attr]


class StepCommands(Provider):
    """The command palette: the steps in their order, then save, re-run discovery, help, quit."""

    def _commands(self) -> list[tuple[str, str, Any]]:  # (name, help, callback)
        app: WizardApp = self.app  # type: ignore[assignment]
        out: list[tuple[str, str, Any]] = [
            (f"Step {i + 1}: {s.title}", "Its progress, once you have applied from the Preview (Ctrl+N there, then y)"
             if s.name == "apply" else f"Go to the {s.short} step (if the steps before it are done)",
             partial(app.jump, s.name)) for i, s in enumerate(STEPS)]
        out += [("Save profile", "Save the answers as a YAML profile", app.action_save),
                ("Re-run discovery", "Read the account again (on the Preview: and plan again, as r does)",
                 app.rediscover),
                ("Help", "Help for this step and the keys", app.action_help),
                ("Quit", "Leave the wizard (asks when answers are unsaved)", app.action_quit)]
        return out

    def _released(self, callback: Any) -> Any:
        """The command, then the keys typed since the palette's Enter count again (the step it chose is shown)."""
        app: WizardApp = self.app  # type: ignore[assignment]

        async def run() -> None:  # (Textual's palette runs it with call_later, which awaits it)
            app.palette_choosing = True  # a jump it refuses starts a burst from the palette's Enter (WizardApp.jump)
            try:
                result = callback()
                if asyncio.iscoroutine(result):  # Quit (action_quit) is a coroutine: it was never run
                    await result
            finally:
                app.palette_choosing = False
                app.keys_held.release()
        return run

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, self._released(callback), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._released(callback), help=help_text)


_TEXTUAL_SEARCH = CommandPalette._gather_commands.__wrapped__  # type: ignore[attr-defined]  # (without its worker)


class Palette(CommandPalette):
    """Textual's palette, closed at most once: with keys at paste speed, Enter selects on the highlight and again on
    the submit, and the second close would pop whatever screen is below (the last one: a crash)."""

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if self.app.screen is not self:
            return AwaitComplete.nothing()
        return super().dismiss(result)

    def _action_command_list(self, action: str) -> None:
        """PageUp or PageDown before the list has its lines (typed at once with Ctrl+P) crashed Textual's list
        (KeyError in OptionList._move_page: trial 11): they do nothing until it has them."""
        if action in ("page_up", "page_down"):
            command_list = self.query_one(CommandList)
            highlighted = command_list.highlighted or 0
            if not command_list.option_count or highlighted not in command_list._index_to_line:
                return
        super()._action_command_list(action)

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        """Textual's search, except that one that starts or runs once the palette has closed (Ctrl+P, more keys
        and F1 at paste speed) stops there: its list was already gone, and Textual's search crashed the wizard
        with NoMatches 'CommandList' (trial 11). While the palette is open, any error is Textual's, as before."""
        try:
            await _TEXTUAL_SEARCH(self, search_value)
        except NoMatches:
            if self.is_attached and self.app.screen is self:
                raise

    enter_waiting = False

    @on(Input.Submitted)
    def _enter_on_what_was_typed(self, event: Input.Submitted) -> None:
        """Enter, then keys at paste speed ("Step 9" Enter y y y): the keys typed after Enter went into the
        palette's search and the step left behind, and the wizard landed on Connect. They are held now
        (WizardApp.on_event, from Enter) until the chosen step is shown, or until Enter is known to have chosen
        nothing and the palette stays open. So that this is known, Enter chooses from the results of all that
        was typed before it: while that search still runs, Enter waits for it."""
        event.prevent_default()  # Textual's own Enter handler (CommandPalette._select_or_command) waits for this
        event.stop()
        self.enter_waiting = True
        self._enter_when_searched()

    def _searching(self) -> bool:
        return any(w.node is self and w.group == self._GATHER_COMMANDS_GROUP and not w.is_finished
                   for w in self.app.workers)

    def _enter_when_searched(self) -> None:
        if not self.enter_waiting or self._searching():
            return
        self.enter_waiting = False
        choosing = self._selected_command is not None or (
            self._list_visible and (self.query_one(CommandList).highlighted is not None
                                    or self.query_one(CommandList).option_count == 1))
        self._select_or_command()
        if not choosing:  # nothing chosen: the palette stays open, and takes keys again
            self.app.keys_held.release()  # type: ignore[attr-defined]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == self._GATHER_COMMANDS_GROUP:
            self._enter_when_searched()

    def on_unmount(self) -> None:
        self.app.call_later(self.app.keys_held.release)  # type: ignore[attr-defined]  # closed in any other way


class WizardScreen(Screen[int]):
    """The wizard's screen. A focus change repaints the two widgets whose focus changed (their restyle does),
    not the whole screen, as Textual's Screen does: a full repaint was a third of a Tab keystroke's time."""

    focused: Reactive[Any] = Reactive(None, repaint=False)
    # Below NARROW columns the step list is hidden (wizard.tcss): the step's own content needs the room (the
    # Preview's tabs and buttons were cut at 60); the title says which step, and the palette jumps.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]  # noqa: RUF012 - Textual declares it so

    covered_focus: Any = None  # what had the focus when a window or the palette was opened over it

    def on_screen_suspend(self) -> None:
        self.covered_focus = self.focused

    def on_screen_resume(self) -> None:
        """A field that has the focus again once a window or the palette closed has its text unselected: Textual's
        field selects all its text when focused, so a key typed after a refused palette jump replaced the loaded
        profile name ('studio-private' became 'yyy'). A field the wizard moved the focus to (a step shown) is
        not this one, and selects its text as always."""
        focused = self.focused
        if isinstance(focused, Input) and focused is self.covered_focus and focused.selected_text:
            focused.cursor_position = len(focused.value)
        self.covered_focus = None

    def on_resize(self) -> None:
        step_list = self.query("#step-list")
        if self.has_class("-narrow") and step_list and self.focused is step_list.first():
            self.app.focus_pane()  # type: ignore[attr-defined]  # Textual would leave focus nowhere: keys lost


class WizardApp(App[int]):
    """Guided setup over a WizardSession. All AWS work runs in thread workers."""

    CSS_PATH = "wizard.tcss"
    TITLE = "studio-vpce"
    COMMANDS: ClassVar[set[type[Provider]]] = {StepCommands}  # type: ignore[assignment]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("r", "refresh", "Refresh"),  # the Preview's only (check_action); before Back, so seen at 60 columns
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("ctrl+c", "interrupt", "Interrupt", show=False, priority=True),
        # Tab moves the focus as it is read (a priority binding), before the keys typed behind it are passed on:
        # as Textual's screen binding it ran once Tab had gone through the old widget, so text typed right after
        # Tab (tmux send-keys, a paste) went into the field left behind, or into a table and was lost.
        Binding("tab", "focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "Previous field", show=False, priority=True),
    ]

    def __init__(self, session: WizardSession) -> None:
        super().__init__()
        self.session = session
        self.applying = False
        self.stop_apply = threading.Event()  # Ctrl+C during an apply: the worker stops between two steps
        self.crash: BaseException | None = None
        self.exit_message = ""
        self.keys_held = Hold()  # from the palette's Enter until the step it chose is shown (Palette)
        self.next_held = Hold()  # from a refused Ctrl+N until it is asked again (next_step)
        self.stray_burst = Burst()  # the keys typed right behind a stray key that cancelled a window
        self.refused_next = Burst()  # the text typed right behind a Ctrl+N, Ctrl+S or palette choice refused
        self.answer_burst = Burst()  # the keys that followed an answer at paste speed (and voided it)
        self.ignored: list[tuple[str, str]] = []  # (key, why) of every key dropped in the burst under way (ignore)
        self.refused = ""  # why a stray key cancelled the window just closed (said by the window's callback)
        self.notes: dict[str, Notification] = {}  # the notification on screen for each topic (apply, save, quit)
        self.replaced: set[str] = set()  # notes replaced before they were shown (unnote): never shown
        self.pane_mounts: dict[str, asyncio.Future[None]] = {}  # each step's pane build, once started (mount_pane)

    def note(self, topic: str, message: str, title: str = "", severity: Any = "information", window: str = "") -> None:
        """A notification about `topic` (apply, save, quit): it replaces the topic's earlier one, which is about
        an earlier attempt ("Not applied: you typed Ctrl+S" stayed on screen over the apply that followed).
        `window`: what the window open now says instead (how to answer it: the toast, seen once it has gone,
        says only what happened)."""
        self.unnote(topic)
        notification = Notification(message, title, severity, self.NOTIFICATION_TIMEOUT, markup=False)
        self.notes[topic] = notification
        self.post_message(Notify(notification))
        if self._screen_stack and isinstance(self.screen, Modal):  # said in the window, where toasts are hidden
            self.screen.say(topic, window or message, str(severity))

    def _on_notify(self, event: Notify) -> None:
        """(Textual's own handler runs after this one, unless this prevents it.)"""
        if event.notification.identity in self.replaced:
            self.replaced.discard(event.notification.identity)
            event.prevent_default()

    def unnote(self, topic: str) -> None:
        """A newer attempt at `topic` is under way: what was said about the last one goes, even one not shown
        yet (its Notify still queued: 'y y y' typed at once stacked three identical toasts, trial 10)."""
        notification = self.notes.pop(topic, None)
        if notification is not None and notification in self._notifications:
            self._unnotify(notification)
        elif notification is not None:
            self.replaced.add(notification.identity)
        if self._screen_stack and isinstance(self.screen, Modal):
            self.screen.unsay(topic)

    # ---------------------------------------------------------------- layout

    def get_default_screen(self) -> Screen[int]:
        return WizardScreen(id="_default")

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Line("", id="step-title")
            yield Static("DEMO" if self.session.demo else "", id="demo-badge")
        with Horizontal(id="main"):
            yield StepList([(s.name, f"{i + 1} {s.short}") for i, s in enumerate(STEPS)], id="step-list")
            with Vertical(id="body"):
                with Horizontal(id="nav"):
                    yield Line("", id="reason")
                    yield Button("Back", id="back", compact=True)
                    yield Button("Next", id="next", variant="primary", compact=True)
                with ContentSwitcher(initial=STEPS[0].name, id="panes"):
                    # Only the first step's pane; each other step's is built on its first visit (show_step)
                    yield PANES[STEPS[0].name](self.session, id=STEPS[0].name)
        yield KeysFooter()

    ready_at = float("inf")  # keys typed before the wizard was up (its first screen made) reach nothing
    dropped_at_start = 0

    async def on_mount(self) -> None:
        self.ready_at = keyguard.clock()  # (read through the module: tests replace it)
        self.pane_mounts[STEPS[0].name] = self.pane_mount_done()  # (composed with the app)
        await self.show_step()
        self.call_after_refresh(self.start_discovery)  # paint first; the cloud is made in the worker

    def pane_mount_done(self) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    def mount_pane(self, name: str) -> asyncio.Future[None]:
        """A step's pane is built on the step's first visit (most sessions see a few of the nine: building all of
        them, after the first frame, was a third of a session's start). Its mount is awaited by show_step from
        the app's own message handlers, so no key, click or worker's message is handled meanwhile: they wait
        in the app's queue, in order, as on a busy machine (each guard judges a key by when it was typed)."""
        if name not in self.pane_mounts:
            pane = PANES[name](self.session, id=name)
            pane.display = False  # the switcher hides only the children it had when it mounted
            self.pane_mounts[name] = asyncio.ensure_future(self._mounted(pane))
        return self.pane_mounts[name]

    async def _mounted(self, pane: Step) -> None:
        await self.query_one("#panes", ContentSwitcher).mount(pane)

    # ---------------------------------------------------------------- navigation

    @property
    def pane(self) -> Step:
        return self.query_one(f"#{self.session.current}", Step)

    quit_after_save = False  # Save in the Quit window: a save on the Save step then quits
    declined: Any = None  # the file whose overwrite was declined last (a save to it then only saves)

    async def show_step(self) -> None:
        step = STEPS[self.session.step]
        if step.name != "save":
            self.quit_after_save = False
            self.save_from = None
        # Take focus off the old pane at once: keys already queued (typed at paste speed) must not reach its
        # inputs once it is hidden (they renamed the profile: Ctrl+N Ctrl+N y y).
        self.screen.set_focus(None)
        await self.mount_pane(step.name)
        step = STEPS[self.session.step]  # (the same: nothing of the app's ran meanwhile)
        self.query_one("#panes", ContentSwitcher).current = step.name
        self.query_one("#step-title", Static).update(
            Text(f"Step {self.session.step + 1} of {len(STEPS)}: {step.title}", style="bold"))
        step_list = self.query_one("#step-list", StepList)
        if step_list.highlighted != self.session.step:
            step_list.highlighted = self.session.step
        if step.name == "preview":  # every arrival reads the account again: someone may have changed it
            self.session.plan = None
        self.pane.load()
        self.pane.shown()
        if step.name == "preview":
            self.start_plan()
        self.refresh_nav()
        self.focus_pane()
        self.keys_held.release()  # the step is shown: keys typed from now reach it

    def focus_pane(self) -> None:
        """Focus the step's first stop; never leave focus on a hidden pane (its keys would change answers)."""
        building = self.pane_mounts.get(self.session.current)
        if building is None or not building.done():  # (a resize while it is built): show_step focuses it once shown
            return
        pane = self.pane
        focusable = [w for w in pane.query(pane.FOCUS) if w.focusable]
        focusable = focusable or [w for w in pane.query("*") if w.focusable]
        if focusable:
            self.screen.set_focus(focusable[0])  # now, not after the queued keys (Widget.focus defers)
        else:
            self.screen.set_focus(None)

    def refresh_nav(self) -> None:
        ok, reason = self.session.can_advance()
        current = self.session.current
        nxt = self.query_one("#next", Button)
        plan = self.session.plan  # on the Preview, Apply... is as the Preview's own button: off with nothing to apply
        # and said so, as that button says it (trial 17: "Apply..." stayed up here with nothing to apply)
        label = ("Nothing to apply" if plan is not None and not plan.has_changes else "Apply...") \
            if current == "preview" else "Next"
        if str(nxt.label) != label:
            nxt.label = label
            nxt.refresh(layout=True)  # a button's width follows a new label only on a new layout
        nxt.disabled = (not ok or current == "save" or self.applying
                        or (current == "preview" and (plan is None or not plan.has_changes)))
        back = self.query_one("#back", Button)
        back.disabled = self.session.step == 0 or self.applying
        # no Back on the first step, no Next on the last: shown there, they did nothing when clicked, silently
        back.display, nxt.display = self.session.step > 0, current != "save"
        if current == "apply" and not self.applying:
            reason = ""  # the step's own status says how the apply ended ("apply has not finished" over "stopped")
        if self.refused_on != self.session.step:
            self.refused_on = None  # another step: what it needs is a hint until its Next is refused
        # what the step needs, as a hint on arrival (a trial: "choose a VPC" in yellow read as an error before the
        # user had done anything); in yellow once Next was refused here (a wrong field is said in red under it)
        style = "yellow" if self.refused_on is not None else ""
        self.query_one("#reason", Static).update(Text(reason, style=style) if reason else "")
        self.query_one("#step-list", StepList).set_muted(
            [index != self.session.step and not self.session.reachable(step.name) for index, step in enumerate(STEPS)])
        self.refresh_bindings()  # the footer's keys follow (check_action)

    def _modal_open(self) -> bool:
        return self.screen.is_modal

    PRIORITY_KEYS = frozenset(binding.key for binding in BINDINGS if isinstance(binding, Binding) and binding.priority)

    WIZARD_KEYS = frozenset({"next", "back", "save", "help", "quit", "command_palette", "refresh"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer shows only the keys that do something here (and those keys do nothing elsewhere): none of
        the wizard's over a window (it shows the window's own keys), no moves while an apply runs, no Back on
        the first step, no Next on Save or on Apply before it has succeeded; Refresh on the Preview only."""
        if action not in self.WIZARD_KEYS:
            return True
        if self._screen_stack and self.screen.is_modal:
            return action == "quit" and isinstance(self.screen, Palette)  # Ctrl+Q quits from the palette too
        current = self.session.current
        if self.applying and action in ("next", "back", "save", "refresh"):
            return False
        if action == "refresh":
            return current == "preview"
        if action == "back":
            return self.session.step > 0
        if action == "next":
            return current != "save" and (current != "apply" or (self.session.result is not None
                                                                  and self.session.result.ok))
        return True

    def action_command_palette(self) -> None:
        if self._modal_open():
            return  # never over a window: a step chosen there was silently ignored
        if self.applying:  # (a Ctrl+P typed in a burst behind the y opened it over the apply under way)
            self.query_one("#reason", Static).update(
                Text("Apply is running: the command palette opens once it has finished.", style="yellow"))
            return
        if self.use_command_palette and not Palette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(Palette(id="--command-palette"))

    async def action_next(self) -> None:
        await self.next_step()

    async def next_step(self, waited: events.Key | None = None) -> None:
        """Next (Ctrl+N, the Next button, Enter on a VPC row, a field's Enter): the Preview opens the confirmation.
        `waited`: the Ctrl+N asked again once the keys typed before it were handled (on_keys_handled)."""
        if self._modal_open() or self.applying:
            return
        current = self.session.current
        key = waited or self.key_in_hand
        typed_ahead = key is not None and key.time - self.typed_ahead_at < Burst.GAP_SECONDS
        if current in ("preview", "apply") and waited is None and key is not None and key.key == "ctrl+n" and typed_ahead:
            # the keys typed right before it are handled first, on this step (Enter then Ctrl+N at once on Apply: the
            # Enter, still on its way to the step, reached the Save step's path field and saved a file: trial 14)
            await self.after_keys_typed_before(key)
            return
        if current == "preview":
            self.open_confirmation()
            return
        if current == "apply":
            if self.session.result is not None and self.session.result.ok:
                await self.jump("save")
                self.say_not_saved_yet()  # (trial 12: said after Ctrl+S, not after this Ctrl+N)
            return
        if not (waited is None and key is not None and key.key == "ctrl+n" and typed_ahead) and self.session.next():
            # (keys typed at paste speed right before a Ctrl+N may still be on their way to the step's field or
            # list: it is judged once they have been handled, below ('x' then 'Space y Ctrl+N' at once went on
            # with the name 'x', and left 'x y', refused when typed, behind: trial 12))
            await self.show_step()
            return
        if waited is None and key is not None and key.key == "ctrl+n":
            await self.after_keys_typed_before(key)
            return
        _, reason = self.session.can_advance()
        self.query_one("#reason", Static).update(Text(reason, style="yellow") if reason else "")
        if reason:
            self.refused_on = self.session.step  # said in yellow from now on, on this step (refresh_nav)
            self.bell()
        self.refused_burst(key)

    refused_on: int | None = None  # the step whose Next was refused (its reason is said in yellow)

    async def after_keys_typed_before(self, key: events.Key) -> None:
        """Ask Ctrl+N again once the keys typed before it have been handled. Ctrl+N runs as it is read, but the keys
        typed before it run once they have gone through the focused widget (or the screen) and back up here, and
        what they change reaches the step as one more message: 'Space Down Space Ctrl+N' at once on Subnets ticked
        both subnets after the Ctrl+N was refused (its reason then cleared by the ticks). The keys typed behind
        it wait meanwhile (Hold)."""
        self.next_held.begin(key.time, "Ctrl+N")
        marker = KeysHandled(key, self.session.step)
        if not (self.focused or self.screen).post_message(marker):
            await self.on_keys_handled(replace(marker, rounds=0))

    async def on_keys_handled(self, message: KeysHandled) -> None:
        if message.rounds > 1 and (self.focused or self.screen).post_message(
                replace(message, rounds=message.rounds - 1)):
            return
        self.next_held.release()
        if self.session.step == message.step and not self.leaving:
            await self.next_step(waited=message.key)

    def refused_burst(self, key: events.Key | None = None) -> None:
        """A Ctrl+N or Ctrl+S that could not go on, or a palette choice: the text typed right behind it reaches no
        field, and is said ('C-n C-n Enter y y' while discovery ran replaced the loaded name; after a refused
        palette jump to Apply, 'y' replaced it). Space, Enter and the moving keys still work."""
        key = key or self.key_in_hand
        if key is not None and key.key in ("ctrl+n", "ctrl+s"):
            self.refused_next.begin(key.time, f"a {key_name(key)} that could not go on")
        elif self.palette_choosing:
            self.refused_next.begin(self.keys_held.start, self.keys_held.why)

    palette_choosing = False  # a palette command is running (StepCommands)

    save_from: str | None = None  # the step the Save step was reached from (jump): Escape goes back there

    async def action_back(self) -> None:  # type: ignore[override]
        if self._modal_open() or self.applying:
            return
        left = self.save_from if self.session.current == "save" else None
        if (left not in (None, "apply", "preview") and self.session.goto(left)) or self.session.back():  # type: ignore[arg-type]
            # (a trial: Quit > Save from step 3, then Escape, landed on the Preview, which planned half the answers)
            await self.show_step()
            key, field = self.key_in_hand, self.focused
            if key is not None and key.key == "escape" and isinstance(field, Input) and field.value:
                # the step shown starts on a field with an answer, selected as Textual focuses it: text typed right
                # behind Escape replaced it, silently (a trial: 'myname' became 'zz'); it reaches nothing, said
                self.refused_next.begin(key.time, "Escape (Back)")

    def action_refresh(self) -> None:
        """r on the Preview: read the account again (discovery, for the other steps' lists) and plan again
        (observe: reads only). The plan on screen goes at once, so nothing can confirm it meanwhile."""
        if self._modal_open() or self.applying or self.session.current != "preview":
            return
        self.start_discovery()
        self.session.plan = None
        self.pane.load()
        self.refresh_nav()
        self.start_plan()

    def rediscover(self) -> None:
        """The palette's Re-run discovery: on the Preview, the plan is made again too (r), else it showed the
        account as it was before."""
        if self.session.current == "preview":
            self.action_refresh()
        else:
            self.start_discovery()

    async def jump(self, step: str) -> None:
        """Palette and step list: navigate only, and only to reachable steps."""
        if self._modal_open() or self.applying or step == self.session.current:
            return
        left = self.session.current
        if self.session.goto(step):
            if step == "save":
                self.save_from = left
            await self.show_step()
        else:
            title = next(s.title for s in STEPS if s.name == step)
            plan = self.session.plan
            if step == "apply" and self.session.current == "preview" and plan is not None and not plan.has_changes:
                why = ("nothing to apply: the account already matches these answers" + (
                    " (the last apply's progress is no longer shown: the Preview has planned again)"
                    if self.session.applies else "") + "; Ctrl+S saves the profile")  # (trial 11: said 'Ctrl+N')
            elif step == "apply" and self.session.current == "preview" and not self.session.check("preview")[0]:
                why = f"nothing can be applied: {self.session.check('preview')[1]}"  # (trial 15: said 'y applies')
            elif step == "apply" and self.session.current == "preview":  # said as here, where it is done
                why = "Apply runs from here: Ctrl+N (or Apply...) opens the confirmation, where y applies"
            elif step == "apply":
                why = "Apply runs only from the Preview, after you confirm"
            elif self.session.current == "apply":
                why = f"{title}: go back to the Preview first (Escape); the other steps are reached from there"
            else:  # the step that blocks it, and why (it said "finish the earlier steps" when this one did)
                short = next(s.short for s in STEPS if s.name == step)
                why = f"{short} not reached: {self.session.blocking(step) or 'finish the earlier steps first'}"
            self.query_one("#reason", Static).update(Text(why, style="yellow"))
            self.jump_note_focus = self.screen_stack[0].focused  # said until focus moves on (on_descendant_focus)
            self.jump_noted = True
            self.bell()
            self.refused_burst()

    jump_noted = False
    jump_note_focus: Any = None

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A refused jump's reason is about that jump: once focus moves on in the wizard, the step's own shows."""
        widget = event.widget
        try:
            screen = widget.screen
        except NoScreen:  # removed meanwhile (a window closed in a burst): it crashed the wizard (trial 11)
            return
        if self.jump_noted and widget is not self.jump_note_focus and screen is self.screen_stack[0]:
            self.jump_noted = False
            self.refresh_nav()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        try:
            if event.button.id == "next":
                await self.next_step()
            elif event.button.id == "back":
                await self.action_back()
        finally:
            self.keys_held.release()  # (held from the Enter or Space that pressed it: navigating_key)

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        step = (event.option.id or "").removeprefix("nav-")
        if event.option_list.id == "step-list" and step:
            await self.jump(step)

    def action_help(self) -> None:
        if self._modal_open():
            return
        step = STEPS[self.session.step]
        self.push_screen(HelpScreen(f"Step {self.session.step + 1} of {len(STEPS)}: {step.title}", step.help))

    # ---------------------------------------------------------------- messages from the panes

    def on_answers_changed(self, _: AnswersChanged) -> None:
        self.refresh_nav()

    async def on_advance_requested(self, message: AdvanceRequested) -> None:
        try:
            if message.step == self.session.current and message.step not in ("preview", "apply", "save"):
                await self.next_step()  # (a step's request after it was left: its keys were typed ahead; not again)
        finally:  # the keys typed right behind the Enter that asked for it were held (on_event)
            self.keys_held.release()

    async def on_jump_requested(self, message: JumpRequested) -> None:
        try:
            await self.jump(message.step)
        finally:  # the keys typed right behind the Enter that asked for it were held (on_event)
            self.keys_held.release()

    def on_vpc_chosen(self, message: VpcChosen) -> None:
        self.read_vpc(message.vpc_id, message.advance)

    def on_apply_requested(self, _: ApplyRequested) -> None:
        self.open_confirmation()

    # ---------------------------------------------------------------- apply: the one way in

    def open_confirmation(self) -> None:
        if self._modal_open() or self.applying or self.session.current != "preview":
            return
        plan = self.session.plan
        ok, reason = self.session.can_advance()
        if plan is None or not ok or not plan.has_changes:
            self.query_one("#reason", Static).update(Text(reason or (
                "nothing to apply: the account already matches these answers; Ctrl+S saves the profile"
                if plan is not None else "nothing to apply"), style="yellow"))
            if plan is None and not self.session.plan_error:  # said until after the plan is shown (a trial: the
                # reason line said it for 0.2 s, then the plan came and a user saw nothing happen)
                self.note("apply", "Not applied: the plan was still being made; nothing was changed. Press Ctrl+N "
                          "again once it is shown.", severity="warning")
            self.refused_burst()  # the text typed right behind it is one note (three toasts stacked: trial 10)
            return
        self.query_one("#reason", Static).update("")  # a "Not applied: cancelled" from before is not this one
        self.unnote("apply")  # nor its notification
        self.refused = ""
        self.session.result = None  # a result is the current apply's only: none yet
        self.push_screen(ConfirmApply.of(plan), callback=partial(self._confirmed, plan))

    async def _confirmed(self, plan: Plan, yes: bool | None) -> None:
        await self._risk_answered(plan, list(plan.confirmations), [], yes)

    async def _risk_answered(self, plan: Plan, remaining: list[Any], answered: list[str], yes: bool | None) -> None:
        """After the apply confirmation, each of the plan's own confirmations (the engine's Plan.confirmations),
        one window each; `answered` ends with the one just asked. Any no stops, with nothing changed."""
        if self.applying or self.leaving or self.session.plan is not plan or self.session.current != "preview":
            return  # (leaving: Ctrl+C came before this answer was handled; nothing starts now)
        if not yes:  # every cancel says so, where it stopped, and that nothing changed (was silent on Enter)
            where = f" at the {answered[-1].replace('_', '-')} confirmation" if answered else ""
            refused = self.take_refusal()
            said = (f"Not applied, nothing was changed: {refused}." if refused
                    else f"Not applied: cancelled{where}; nothing was changed.")
            self.query_one("#reason", Static).update(Text(said, style="yellow"))
            self.note("apply", said, title="Cancelled", severity="warning")
            return
        if remaining:
            ask = remaining[0]
            self.push_screen(ConfirmRisk(ask), callback=partial(self._risk_answered, plan, remaining[1:],
                                                                 [*answered, ask.code]))
            return
        self.session.confirmed_apply(plan, answered)
        self.applying = True
        await self.show_step()
        self.query_one("#apply", ApplyStep).start(plan)
        self.apply_worker(plan)

    # ---------------------------------------------------------------- save and quit

    async def action_save(self) -> None:
        if self._modal_open() or self.applying:
            return
        if self.session.current != "save":
            await self.jump("save")
            self.say_not_saved_yet()  # Ctrl+S elsewhere only shows the step: it did not save
            return
        self.save_to(self.query_one("#save", SaveStep).path)

    def say_not_saved_yet(self) -> None:
        """On the Save step reached by a key that only shows it: it says nothing was saved yet (a save of these
        answers stays said)."""
        if self.session.current == "save" and (self.session.dirty or self.session.saved_path is None):
            self.query_one("#save", SaveStep).say(Text("Not saved yet: Enter or Ctrl+S saves to the path above.",
                                                       style="yellow"))

    def on_save_requested(self, message: SaveRequested) -> None:
        try:
            self.save_to(message.path)
        finally:  # the keys typed right behind its Enter were held (on_event): after the save or its window
            self.keys_held.release()

    def save_to(self, path: str, overwrite: bool = False) -> None:
        """Save, and say so every time, with the path: on the step and as a notification (seen at once)."""
        if self.leaving:  # a save that quits is done: an Enter queued behind it saves nothing more
            return
        pane = self.query_one("#save", SaveStep)
        pane.say("")  # a new attempt: what an earlier one said (Not saved: ... is a folder) is not about this one
        self.unnote("save")
        target, reason = self.session.check_save_path(path)
        if reason:
            self.not_saved(pane, reason)
            return
        if self.quit_after_save and target == self.declined:
            self.quit_after_save = False  # its overwrite was declined: saving it now only saves
        if target.exists() and not overwrite:
            self.refused = ""
            self.push_screen(OverwriteScreen(str(target)), callback=partial(self._overwrite_answered, path, target))
            return
        try:
            saved = self.session.save(target, overwrite=True)
        except OSError as exc:  # the user's path, never the temporary file it was written through
            self.not_saved(pane, f"{target} could not be written ({exc.strerror or type(exc).__name__})")
            return
        except (ValueError, InvalidInput) as exc:
            self.not_saved(pane, str(exc))
            return
        if self.quit_after_save:  # Save in the Quit window: saved, so it quits, saying where and how to replay
            self.leave(0)
            return
        differs = self.session.differs_from_applied()
        note = self.session.replay_note().strip()
        pane.say(Text(f"Saved {saved}.\nReplay it with:\n\n  {self.session.replay_command()}\n\n"
                      + (f"{note}\n\n" if note else "")
                      + (f"{differs}\n\n" if differs else "") + "Ctrl+Q quits.", style="green"))
        self.note("save", f"Saved {saved}" + (f". {differs}" if differs else ""), title="Saved")
        self.refresh_nav()

    def _overwrite_answered(self, path: str, target: Any, yes: bool | None) -> None:
        if yes:
            self.save_to(path, overwrite=True)
            return
        # No keeps the file; after Quit > Save a save to another path still quits, as the step said (trial 10),
        # and a later save to this file only saves (a trial: it quit unexpectedly)
        stays = "; the wizard stays open: a save to another path saves and quits" if self.quit_after_save else ""
        self.declined = target
        self.not_saved(self.query_one("#save", SaveStep),
                       f"{target} was kept as it is, nothing was changed: {refused}{stays}"
                       if (refused := self.take_refusal()) else f"{target} was kept as it is; nothing was changed{stays}")

    def not_saved(self, pane: SaveStep, reason: str) -> None:
        pane.say(Text(f"Not saved: {reason}", style="red"))
        self.note("save", f"Not saved: {reason}", severity="error")

    async def action_quit(self) -> None:
        if self.leaving:
            return
        if isinstance(self.screen, Palette):  # it did nothing there, silently: the palette closes, then as elsewhere
            await self.screen.dismiss()
        if self._modal_open():
            return
        if self.applying:
            self.query_one("#reason", Static).update(
                Text("Apply is running: wait for it to finish so that nothing is left half-reported.", style="yellow"))
            return
        if self.session.quit_asks:
            self.refused = ""
            self.unnote("quit")
            current = self.session.current
            incomplete = "" if current == "save" or self.session.reachable("save") else (
                self.session.blocking("save") or "the answers are not complete")  # then s keeps them, and quits
            if self.stray_burst.why == "Ctrl+Q":  # over a window (on_event): the Quit window drops the keys typed
                self.stray_burst = Burst()  # before it shows, and takes those typed after (Escape keeps the wizard)
            self.push_screen(QuitScreen.of(self.session.quit_changed(), incomplete, self.session.quit_title()),
                             callback=self._quit_choice)
            return
        self.leave(0)

    async def _quit_choice(self, choice: str | None) -> None:
        refused = self.take_refusal()
        if choice == "discard":
            self.leave(0, self.session.discarded())  # says what this session's apply made, if it did
        elif choice == "save":  # save, then quit (the window said so): on the Save step, its path; else it is shown
            self.quit_after_save, self.declined = True, None
            if self.session.current == "save":
                self.save_to(self.query_one("#save", SaveStep).path)
            else:
                await self.jump("save")
                if self.session.current == "save":
                    self.query_one("#save", SaveStep).say(Text(
                        "Not saved yet: Enter or Ctrl+S saves to the path above, then the wizard quits.",
                        style="yellow"))
                else:  # not complete, so no profile: the answers are kept as Ctrl+C keeps them, and it quits
                    self.quit_after_save = False
                    self.leave(0, self.session.kept_incomplete())
        elif refused:
            said = f"Not quit: {refused}."
            self.query_one("#reason", Static).update(Text(said, style="yellow"))
            self.note("quit", said, title="Cancelled", severity="warning")

    def action_interrupt(self) -> None:
        """Ctrl+C: leave with 130; unsaved answers go to a recovery profile first. During an apply, as the CLI
        does: the apply stops before its next step, and the app leaves once it has, saying what was made."""
        if self.applying:
            self.stop_apply.set()
            self.query_one("#reason", Static).update(
                Text("Stopping: the step under way finishes, then the wizard exits and says what was made.",
                     style="yellow"))
            return
        self.leave(EXIT_INTERRUPTED, self.session.interrupted())  # the same recovery as --plain

    leaving = False

    def leave(self, code: int, message: str = "") -> None:
        self.leaving = True
        self.session.cancel_discovery()  # a discovery still running is stopped, its child never orphaned
        if not message:
            message = self.session.quit_message()
        self.exit_message = message
        self.exit(code, return_code=code)

    # ---------------------------------------------------------------- unexpected errors

    def key_guard(self) -> KeyGuard | None:
        """What judges the keys now (screens/keyguard.py): the window on top, or the Save step when it is shown."""
        screen = self.screen
        if isinstance(screen, KeyGuard):
            return screen
        if not screen.is_modal and self.session.current == "save":
            return self.query_one("#save", SaveStep)
        return None

    async def on_event(self, event: events.Event) -> None:
        """Keys typed before a window or the Save step was on screen (plus a window's arming time) never reach
        it: judged by when each key was typed, so a busy machine cannot turn keys typed ahead into an answer
        or a file name (mashed y's on Apply, then Ctrl+N, named the profile 'yy')."""
        if self.leaving and isinstance(event, events.Key | events.Paste | events.MouseEvent):
            return  # it is exiting (a save that quits): a key or click after it opens nothing (a trial: a second
            # Ctrl+S opened the Overwrite window as the app exited, and crashed)
        if isinstance(event, events.Key) and getattr(event, "settled", False):  # an answer held, now given
            self.key_in_hand = event
        elif isinstance(event, events.Key | events.Paste) and not event.is_forwarded and self._screen_stack:
            if event.time < self.ready_at and getattr(event, "key", "") != "ctrl+c":  # typed while it started
                self.dropped_at_start += 1  # (read by the terminal driver before the first screen was made)
                if self.dropped_at_start == 1:
                    self.call_after_refresh(self.said_dropped_at_start)  # once, with all the keys of that burst
                return
            window = self.screen
            behind = window.typed(event) if isinstance(window, Modal) else ""  # (every key in it, in order)
            answer = self.held_answer
            if answer is not None and event.time < answer.time + Modal.QUIET_SECONDS:
                # keys followed the answer at paste speed ('y e s Enter' sent at once applied: trial 11): it was
                # a burst, so the answer does not count, and the keys of that burst reach nothing: the window stays
                self.held_answer = None
                self.answer_burst.begin(answer.time, key_name(answer))
                self.ignore(answer, "more keys followed it at paste speed",
                            hint=window.alone(answer) if isinstance(window, Modal) else "")
            if self.answer_burst.drops(event):
                self.ignore(event, f"typed right behind {self.answer_burst.why}")
                return
            # Every key dropped here is said (ignore), never dropped silently.
            guard = self.key_guard()
            if guard is not None and guard.drops(event):
                self.ignore(event, AHEAD if isinstance(guard, Modal) else "typed before the Save step was shown")
                return
            for held in (self.keys_held, self.next_held):
                if held.drops(event):
                    self.refused_next.drops(event)  # (keeps the burst behind a refused palette choice going)
                    self.ignore(event, f"typed right behind {held.why}")
                    return
            if self.stray_burst.drops(event):
                self.ignore(event, f"typed right behind {self.stray_burst.why}")
                return
            if typed_text(event) and self.refused_next.drops(event):
                self.ignore(event, f"typed right behind {self.refused_next.why}")
                return
            screen = self.screen
            if isinstance(screen, Modal) and getattr(event, "key", "") != "ctrl+c" and (
                    screen.answered or screen.answer_coming):
                # typed right behind the key that answers the window: it is going, and so are they (the second y
                # of 'y y e s Enter' went unsaid)
                self.stray_burst.begin(event.time, "the key that answered the window")
                self.ignore(event, "typed right behind the key that answered the window")
                return
            if isinstance(screen, Modal) and behind and screen.answering(event):
                # an answer typed at paste speed right behind another key in the window (a trial: one send-keys
                # 'Right y' into the idle confirmation applied): refused, the window stays open and says how
                self.ignore(event, f"{PASTE_SPEED} {screen.refused_behind(behind)}", hint=screen.alone(event))
                return
            if isinstance(self.focused, StepList) and typed_text(event) and not self.bound(event):
                # text typed on the step list (right behind its Enter, or a y after a refused jump): it takes none
                self.ignore(event, "typed on the step list, which takes Up, Down and Enter")
                return
            if isinstance(event, events.Paste) and isinstance(screen, ConfirmRisk):
                screen.pasted()  # only yes typed counts (a pasted yes went ahead): it goes nowhere, said there
                return
            if isinstance(screen, Modal) and getattr(event, "key", "") == "ctrl+q" and screen.QUITS:
                # Ctrl+Q over a window: it closes as cancelled (said, nothing done), then Ctrl+Q does what it does
                # on the step: the Quit window, or quit (a trial: it only cancelled; a second Ctrl+Q was needed)
                self.refused = screen.refusal(event)
                screen.refuse()
                self.stray_burst.begin(event.time, "Ctrl+Q")
                self.call_later(self.action_quit)  # after the window's answer (its callback comes first)
                return
            if isinstance(screen, HelpScreen) and screen.unheard(event):  # (a trial: Ctrl+N, y swallowed silently)
                self.ignore(event, "the help window is open (Escape closes it)")
                return
            if isinstance(screen, Modal) and screen.stray(event):  # a window that takes y takes no other key:
                self.refused = screen.refusal(event)  # it cancels at once and says why
                screen.refuse()
                self.stray_burst.begin(event.time)  # and the keys typed right behind it reach nothing
                return
            if isinstance(screen, Modal) and isinstance(event, events.Key) and screen.answers_now(event):
                # an answer on its own so far: it counts once no key has followed it for QUIET_SECONDS
                self.held_answer = event
                wait = min(Modal.QUIET_SECONDS, max(0.0, event.time + Modal.QUIET_SECONDS - keyguard.clock()))
                self.set_timer(wait + 0.01, partial(self.give_held, screen, event))
                return
            if isinstance(screen, Modal):
                screen.note_key(event)
            if (isinstance(event, events.Key) and not screen.is_modal and isinstance(self.focused, Field)
                    and self.focused.moves_below(event.key)):
                return  # Down or Enter in a list's filter: into the list now, so the keys behind it reach the list
            if (not screen.is_modal and isinstance(self.focused, Input)
                    and getattr(event, "key", "").startswith("alt+")):
                # Escape then a letter at once reaches the app as Alt+letter, which a field typed as the letter,
                # over its selected text (a trial: 'Escape y' on Save replaced the path with 'y', unsaid)
                self.ignore(event, "Escape typed right before another key reads as one key; press Escape on its own "
                            "to go back")
                return
            navigating = self.navigating_key(event)
            if navigating:
                self.keys_held.begin(event.time, navigating)
            if not self.screen.is_modal and getattr(event, "key", "paste") not in self.PRIORITY_KEYS:
                self.typed_ahead_at = event.time  # sent to the step, its field or list (next_step waits for it)
            if isinstance(event, events.Key):
                self.key_in_hand = event  # the key whose bindings run now (a refused Ctrl+N starts a burst)
        elif isinstance(event, events.Key) and event.is_forwarded:
            self.key_in_hand = event  # back up from the focused widget: its bindings run now (Escape's Back)
        try:
            await super().on_event(event)
        finally:
            self.key_in_hand = None

    held_answer: events.Key | None = None  # an answer waiting for QUIET_SECONDS without a key behind it
    typed_ahead_at = float("-inf")  # when the last key sent to the step (its field, list or the screen) was typed

    def navigating_key(self, event: events.Key | events.Paste) -> str:
        """A key that leaves where it is typed for another step or window, named as the note names it; "" for any
        other key. The keys typed right behind one reach nothing until where it goes is shown (keys_held): at paste
        speed they went into what it left, or into what it opened. Every such key, in one place:
        - Enter in the palette: the step it chose (keys went into the palette's search, or the step left);
        - Enter in the Save step's path field, which saves or opens the Overwrite window ('x.yaml' Enter y made
          the path 'x.yamly'; a trial: it was said as "the palette's Enter");
        - Enter on the Preview's "Save profile without applying": a y behind it reached the Preview (trial 10);
        - Enter or Space on a VPC or domain row, or Enter on a filter that left one VPC, which chooses and goes on
          ('Enter Down Space' on Domain chose another domain, unseen, and went on twice: trial 12);
        - Enter or Space on the Next or Back button (the keys behind it reached nothing, unsaid: trial 14)."""
        key = getattr(event, "key", "paste")
        if isinstance(self.screen, Palette):
            return "the palette's Enter" if key == "enter" else ""
        if self.screen.is_modal:
            return ""
        focused = self.focused.id if self.focused is not None else None
        if key == "enter" and focused == "path" and self.session.current == "save":
            return "the Enter that saves"
        if key == "enter" and focused == "save-only":
            return "the Enter that opens the Save step"
        if self.chooses_and_goes_on(event):
            return f"the {key_name(event)} that chose a row and goes on"
        if key in ("enter", "space") and focused in ("next", "back"):  # the buttons beside the reason line
            return f"the {key_name(event)} on {focused.capitalize()}"  # (trial 14: the keys behind went unsaid)
        return ""

    def chooses_and_goes_on(self, event: events.Key | events.Paste) -> bool:
        key, focused = getattr(event, "key", "paste"), self.focused
        if isinstance(focused, Choices):
            return focused.goes_on and key in ("enter", "space") and focused.row_count > 0
        if isinstance(focused, Field) and focused.enter_chooses_one and key == "enter":
            table = focused.list_below()
            return table is not None and table.row_count == 1
        return False

    def give_held(self, window: Modal[Any], event: events.Key) -> None:
        """The answer held had no key behind it: given to the window now, as typed (marked settled)."""
        if self.held_answer is not event:
            return  # a key followed it (said), or a newer one is held
        self.held_answer = None
        if self.screen is not window or window.answered or self.leaving:
            return
        window.note_key(event)  # the keys typed after it reach nothing (the window is going)
        key = events.Key(event.key, event.character)
        key.time = event.time
        key.settled = True  # type: ignore[attr-defined]
        self.post_message(key)

    def bound(self, event: events.Key | events.Paste) -> bool:
        """Whether a key does something here through a binding (r on the Preview)."""
        active = self.screen.active_bindings.get(getattr(event, "key", "paste"))
        return active is not None and active.enabled

    key_in_hand: events.Key | None = None
    ignored_last = float("-inf")  # when the last key dropped was typed
    ignored_due = False  # a note of the keys dropped is coming (after the next refresh)

    ignored_hint = ""  # how to give the answer refused last in the burst (Modal.alone), said after the note

    def ignore(self, event: events.Key | events.Paste, why: str, hint: str = "") -> None:
        """A key dropped: said, in one note with every other key dropped in its burst (keys typed less than
        Burst.GAP_SECONDS apart), each named in the order typed, and why (a window dropped 'y', 'y' typed
        before it was ready, then closed: the note named only the keys dropped after it, once each)."""
        if event.time > self.ignored_last + Burst.GAP_SECONDS:
            self.ignored = []  # a new burst: a note of its own
            self.ignored_hint = ""
        self.ignored_last = max(self.ignored_last, event.time)
        self.ignored.append((key_name(event), why))
        if hint and not self.ignored_hint:  # the first refused answer's (its burst's keys follow from it)
            self.ignored_hint = hint
        if not self.ignored_due:
            self.ignored_due = True
            self.call_after_refresh(self.said_ignored)

    def said_ignored(self) -> None:
        """The note of the burst's dropped keys (it replaces the one said earlier in the same burst)."""
        self.ignored_due = False
        if not self.ignored:
            return
        groups: list[tuple[str, list[str]]] = []  # (why, keys) in the order typed
        for name, why in self.ignored:
            if groups and groups[-1][0] == why:
                groups[-1][1].append(name)
            else:
                groups.append((why, [name]))
        if len(groups) == 1:
            keys = groups[0][1]
            said = (f"Ignored {keys[0]}" if len(keys) == 1 else f"Ignored {len(keys)} keys ({named(keys)})") + (
                f": {groups[0][0]}; nothing was changed.")
        else:
            said = (f"Ignored {len(self.ignored)} keys: " + "; ".join(f"{named(keys)} ({why})" for why, keys in groups)
                    + "; nothing was changed.")
        window = self.screen
        if groups[-1][0] == AHEAD and isinstance(window, Modal) and not window.answered:
            said += " Press the key again now if you meant it."
        elif self.ignored_hint and isinstance(window, Modal) and not window.answered:
            self.note("ignored", said, severity="warning", window=f"{said} {self.ignored_hint}")
            return
        self.note("ignored", said, severity="warning")

    def said_dropped_at_start(self) -> None:
        if self.dropped_at_start:
            self.note("start", f"{self.dropped_at_start} key(s) typed while the wizard started were ignored.",
                      severity="warning")

    def take_refusal(self) -> str:
        """Why a stray key cancelled the window just answered ("" for a cancel by its own keys), once."""
        refused, self.refused = self.refused, ""
        return refused

    def _handle_exception(self, error: Exception) -> None:
        """Any bug: log the traceback, keep the answers (0600), say how to resume, exit non-zero."""
        if self.crash is not None:  # an error while the first one was reported (its window failed, say)
            self._log_crash(error, "\nWhile it was reported:\n")
            return super()._handle_exception(error)  # exits; nothing printed but exit_message (_fatal_error)
        self.crash = error
        lines = [f"studio-vpce wizard crashed: {type(error).__name__}: {error}"]
        try:
            log = self._log_crash(error)
            lines.append(f"The traceback is in {log}.")
        except OSError as exc:
            lines.append(f"The traceback could not be written ({exc}).")
        try:
            path = self.session.save_recovery()
            lines.append(f"Your answers are saved in {path}{self.session.fallback_note()}.\n"
                         f"Resume with: {self.session.resume_command(path)}")
        except Exception as exc:  # noqa: BLE001 - reporting the first error matters more
            lines.append(f"The answers could not be saved ({exc}).")
        self.exit_message = "\n".join(lines)
        if active_message_pump.get(None) is self or not self.is_running or self.leaving:  # (exiting: no window)
            self.exit(EXIT_CRASHED, return_code=EXIT_CRASHED)  # the app's own loop is gone: no screen to show
            return None
        # Pushed from the app's own queue: the pump that raised is dead and could not run the callback.
        self.call_later(self.push_screen, ErrorScreen(self.exit_message),
                        lambda _: self.exit(EXIT_CRASHED, return_code=EXIT_CRASHED))
        return None

    crash_log: Path | None = None

    def _log_crash(self, error: BaseException, heading: str = "") -> Path | None:
        """The traceback into the crash log (0600): a new one for the first error, appended after it for the next."""
        text = heading + "".join(traceback.format_exception(type(error), error, error.__traceback__))
        if self.crash_log is None:
            self.crash_log = write_private(state_dir() / f"crash-{time.strftime('%Y%m%d-%H%M%S')}.log", text)
        else:
            with contextlib.suppress(OSError), open(self.crash_log, "a", encoding="utf-8") as log:
                log.write(text)
        return self.crash_log

    def _fatal_error(self) -> None:
        """Textual's last resort prints a traceback with each frame's local variables, which could hold a presigned
        URL or credentials: never here. The error's traceback is in the crash log, the shell gets exit_message."""
        self._close_messages_no_wait()

    # ---------------------------------------------------------------- workers (AWS calls happen here only)

    def start_discovery(self) -> None:
        self.session.discovery_error = ""
        if self.session.current == "connect":
            self.pane.load()
        self.discover_worker()

    @work(thread=True, exclusive=True, group="discover", exit_on_error=False)
    def discover_worker(self) -> None:
        """Discovery runs in a child process (WizardSession.fetch_inventory): this thread only waits on its
        pipe and rebuilds the inventory a few items at a time, so the UI never waits on it."""
        from wizard.isolated import Cancelled  # loads the engine after the first paint

        try:
            cloud, inventory = self.session.fetch_inventory()
        except Cancelled:
            return  # the user quit, or a re-run superseded it: nothing to say
        self.post_message(Discovered(cloud, inventory))

    def on_discovered(self, message: Discovered) -> None:
        self.session.discovered(message.cloud, message.inventory)
        self.pane.load()
        self.refresh_nav()

    @work(thread=True, exclusive=True, group="vpc", exit_on_error=False)
    def read_vpc(self, vpc_id: str, advance: bool) -> None:
        self.post_message(VpcRead(self.session.read_vpc(vpc_id), advance))

    async def on_vpc_read(self, message: VpcRead) -> None:
        try:
            if message.vpc is None:
                return
            self.session.choose_vpc(message.vpc)
            if message.advance and self.session.current == "vpc" and not self._modal_open():
                await self.next_step()
            else:
                self.pane.load()
                self.refresh_nav()
        finally:  # the keys typed right behind the Enter that chose it were held (on_event)
            self.keys_held.release()

    def start_plan(self) -> None:
        try:
            profile = self.session.profile()
        except ValueError as exc:
            self.session.plan_error = str(exc)
            self.pane.load()
            self.refresh_nav()
            return
        self.session.plan_error = ""
        self.plans_asked += 1
        self.plan_worker(profile, self.plans_asked)

    plans_asked = 0

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def plan_worker(self, profile: Any, asked: int) -> None:
        self.post_message(Planned(*self.session.review_for(profile), asked=asked))

    def on_planned(self, message: Planned) -> None:
        if message.asked != self.plans_asked:
            return  # a plan asked before a refresh (or an edit): it read the account before the latest request
        try:
            kept = self.session.planned(message.plan, message.access)
        except ValueError:
            kept = False
        if not kept and self.session.current == "preview":
            self.start_plan()  # the answers moved on while it planned
            return
        if self.session.current == "preview":
            self.pane.load()
            if self.focused is None or self.focused.id == "save-only":
                self.focus_pane()
        self.refresh_nav()

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def apply_worker(self, plan: Plan) -> None:
        """Ctrl+C (stop_apply) is honoured between steps, as the CLI's Ctrl+C is: the next step's start (or a
        wait's next poll) raises KeyboardInterrupt in the executor, which stops and says what it had done."""
        from wizard.executor import WAIT_STEP, Interrupted

        before: list[str] = []  # the step that was about to start when the stop came: not under way

        def progress(event: Any) -> None:
            if self.stop_apply.is_set() and event.kind in ("start", "wait"):
                if event.kind == "start" and event.address != WAIT_STEP:
                    before.append(event.address)
                raise KeyboardInterrupt
            self.post_message(Progress(event))

        try:
            result = self.session.execute(plan, progress)
        except Interrupted as stop:
            if before and stop.under_way == before[-1]:
                stop.under_way = None
            self.post_message(Applied(stop.result, stop))
            return
        self.post_message(Applied(result))

    def on_progress(self, message: Progress) -> None:
        self.query_one("#apply", ApplyStep).progress(message.event)

    def on_applied(self, message: Applied) -> None:
        self.applying = False
        if message.stopped is not None or self.stop_apply.is_set():  # Ctrl+C: leave, saying what was made
            if message.stopped is None:
                self.session.result = message.result
            self.leave(EXIT_INTERRUPTED, self.session.interrupted(message.stopped))
            return
        self.session.result = message.result
        self.query_one("#apply", ApplyStep).finished(message.result, None if message.result.ok
                                                     else str(message.result.error))
        self.refresh_nav()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker errors are reported (AWS errors, a refused apply): shown, never a crash."""
        if event.state != WorkerState.ERROR:
            return
        error = str(event.worker.error)
        group = event.worker.group
        if group == "discover":
            self.session.discovery_error = error
        elif group == "plan":
            self.session.plan_error = error
        elif group == "apply":
            self.applying = False
            if self.stop_apply.is_set():  # Ctrl+C came while it was refused (nothing was changed): leave
                self.leave(EXIT_INTERRUPTED, self.session.interrupted())
                return
            self.query_one("#apply", ApplyStep).finished(None, error)
        else:
            self.query_one("#reason", Static).update(Text(error, style="red"))
        if group != "apply":
            self.pane.load()
        self.refresh_nav()


def run_app(session: WizardSession) -> tuple[int, str]:
    """Run the wizard; returns the exit code (0, 130 interrupted, 1 crashed) and a message for the shell."""
    app = WizardApp(session)
    try:
        result = app.run()
    finally:
        session.cancel_discovery()  # however the app ended (a crash too): no child is left running
    code = app.return_code if app.return_code is not None else (result or 0)
    return int(code), app.exit_message
