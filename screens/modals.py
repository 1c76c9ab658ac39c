"""Modal screens: the apply confirmation, the error screen, quit, overwrite and help. Each is its own class."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from screens.keyguard import MOVING_KEYS, Burst, KeyGuard, key_name
from screens.widgets import Field, KeysFooter, Line
from wizard.session import WizardSession
from wizard.validators import typed_yes

if TYPE_CHECKING:
    from wizard.models import Change, Confirmation, Plan

T = TypeVar("T")

# Resources that bill by the hour while they exist (interface endpoints, per AZ; hosted zones monthly).
HOURLY = {"vpc_endpoint": "interface endpoints: per hour in each subnet's AZ, plus per GB",
          "hosted_zone": "private hosted zones: per month"}


def choice_button(label: str, button_id: str, variant: str = "default") -> Button:
    """A button that says yes to something (apply, go on, overwrite, discard): it never takes focus, so Tab and
    Enter or Space can never press it; only its key (`y`, `d`) or a click (an explicit choice) answers with it."""
    button = Button(label, id=button_id, variant=variant, compact=True)  # type: ignore[arg-type]
    button.can_focus = False
    return button


# True of the window's keys: Tab, Shift+Tab and the arrows move the focus or scroll (MOVING_KEYS), never cancel.
CANCELS = "n, Escape, Enter or any other key cancels (Tab and the arrows only move)."


def differences(change: Change) -> str:
    """What an update changes, field by field: lists as what goes (-) and what comes (+), documents as replaced."""
    said = []
    # only what `before` holds: an update's `before` has the fields it changes (a policy's, its document), and a
    # field it lacks is not "none" (trial 17: "name none -> ...; path none -> ..." for a new default version)
    for key in [k for k in change.after if k in change.before and k not in ("tags", "client_token")] + [
            k for k in change.before if k not in change.after and k not in ("tags", "client_token")]:
        before, after = change.before.get(key), change.after.get(key)
        if before == after:
            continue
        if isinstance(before, list) and isinstance(after, list):
            said.append(f"{key} " + ", ".join([f"-{x}" for x in before if x not in after]
                                                + [f"+{x}" for x in after if x not in before]))
        elif key == "policy":
            said.append("policy replaced by full access" if after is None else
                        "policy set" if before is None else "policy replaced")
        elif isinstance(before, dict) or isinstance(after, dict):
            said.append(f"{key} replaced")
        else:
            said.append(f"{key} {_value(before)} -> {_value(after)}")
    return "; ".join(said) or "as planned"


def _value(value: Any) -> str:
    return {True: "on", False: "off", None: "none"}.get(value, str(value)) if isinstance(value, bool | None) else str(value)


def apply_summary(plan: Plan) -> Text:
    """What the confirmation says: the counts, what costs money, and every confirmation the plan carries."""
    text = Text()
    text.append(f"Plan: {plan.count('create')} to add, {plan.count('update')} to change, "
                f"{plan.count('delete')} to destroy.\n", style="bold")
    text.append(f"Account {plan.account_id}, region {plan.region}" + ("  (DEMO sandbox)" if plan.demo else "") + "\n")
    # the plan's own questions first: the key line under the text says y goes on to them (a trial: at 80x24 the
    # question had scrolled out of view, under the cost)
    for confirmation in plan.confirmations:
        text.append("\n")
        text.append(f"! {confirmation.question}\n", style="bold yellow")
    # What goes, and what changes, named here too (a trial: the counts alone hid '1 to destroy', and an endpoint
    # made outside studio-vpce losing a subnet and its policy): above all what studio-vpce did not create, and
    # before the cost (trial 18: at 80x24 the change to the user's VPC was below the fold, under the cost).
    removed = [c for c in plan.changes if c.action == "delete"]
    if removed:
        text.append("\nRemoved:\n", style="bold")
        text.append("".join(f"  - {c.address}{' ' + c.id if c.id else ''}\n" for c in removed))
    updated = [c for c in plan.changes if c.action == "update"]
    for foreign, title in ((True, "Changed, though studio-vpce did not create it"), (False, "Changed")):
        changed = [c for c in updated if c.outside == foreign]  # the planner's field (Change.outside)
        if changed:
            text.append(f"\n{title}:\n", style="bold yellow" if foreign else "bold")
            text.append("".join(f"  ~ {c.address}{' ' + c.id if c.id else ''}: {differences(c)}\n" for c in changed))
    billed = [c for c in plan.changes if c.action == "create" and c.type in HOURLY
              and c.after.get("type", "Interface") == "Interface"]
    for kind, what in HOURLY.items():
        of_kind = [c.address for c in billed if c.type == kind]
        if of_kind:
            text.append(f"\nBilled while they exist ({what}):\n", style="bold")
            text.append("".join(f"  + {address}\n" for address in of_kind))
    from wizard.cost import estimate  # (the engine loads after the first frame)

    cost = estimate(plan)  # the figure, where the money is decided (a trial: only the Preview showed it)
    if cost.has_cost:
        text.append(f"{cost.line()}\n")
    text.rstrip()
    return text


def apply_keys(plan: Plan) -> str:
    """What answers the confirmation, shown under its text, never scrolled away (a trial: at 80x24 it was below
    the fold). The button answers as y does when clicked (an explicit choice), and this says so (a trial: a click
    applied, where the text named only y); Tab never reaches it (choice_button), so Enter always cancels."""
    if plan.confirmations:
        return (f"y, or a click on the {ConfirmGoOn.YES} button, goes on to "
                f"{'the question' if len(plan.confirmations) == 1 else 'the questions'} marked !, asked on its own "
                f"(type yes); {CANCELS}")
    return f"y, or a click on the {ConfirmApply.YES} button, applies; {CANCELS}"


class WindowNote(Line):
    """A window's note (Modal.say): once its new size is laid out, the window's text gives it the room (Modal.fit):
    fitted before that, the note pushed the buttons off the screen."""

    def on_resize(self) -> None:
        fit = getattr(self.screen, "fit", None)
        if fit is not None:
            fit()


class Modal(KeyGuard, ModalScreen[T]):
    """A modal that answers once: keys queued at paste speed after the first answer are ignored
    (a second dismiss would pop a screen that is already leaving).

    Keys typed before it was on screen never reach it, and the keys that would say yes (`arming`) count only
    once it has been on screen ARMING_SECONDS (screens/keyguard.KeyGuard; the app drops them).

    A window with OWN_KEYS takes no other key: a stray one (a letter, Space, Ctrl+S) cancels it at once with NO,
    and the app says why (`refusal`, naming TAKES) and drops the keys typed right behind it."""

    answered = False
    NO: ClassVar[Any] = None  # what a stray key answers: the window's cancel
    # Its text scrolls by the keyboard wherever the focus is (it starts on a button): a long warning is read
    # to its end. A focused text area or field takes these keys first (its own bindings).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll_text('scroll_up')", show=False), Binding("down", "scroll_text('scroll_down')", show=False),
        Binding("pageup", "scroll_text('scroll_page_up')", show=False),
        Binding("pagedown", "scroll_text('scroll_page_down')", show=False),
        Binding("home", "scroll_text('scroll_home')", show=False),
        Binding("end", "scroll_text('scroll_end')", show=False)]
    TAKES: ClassVar[str] = ""  # its keys, as the refusal says them
    QUITS: ClassVar[bool] = True  # Ctrl+Q cancels it, then quits as on the step (the app); not the Quit window's

    def __init__(self) -> None:
        super().__init__()
        self.guard_from_now()

    def on_screen_resume(self) -> None:
        self.guard_from_now()

    def on_mount(self) -> None:
        """Its own footer, over the wizard's: only this window's keys (the wizard's do nothing while it is open).
        Textual calls each class's on_mount: the window's own runs too."""
        self.mount(KeysFooter())
        box = self.query(".modal-box").first()
        buttons = next(iter(box.query(".modal-buttons")), None)
        box.mount(WindowNote("", id="window-note"), before=buttons)  # what the wizard says while it is open (say)
        for scroll in self.query(VerticalScroll):  # it scrolls by the keys wherever the focus is (BINDINGS): Tab
            scroll.can_focus = False  # onto it left Enter doing nothing, where the window says Enter cancels
        self.call_after_refresh(self.fit)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit)

    def focus_first(self, selector: str) -> None:
        """Focus where the window starts, if it has been made: a window pushed as the app exits gets no children (a
        trial: its query_one crashed, and so did the error window after it)."""
        for widget in self.query(selector):
            widget.focus()
            return

    def fit(self) -> None:
        """The scrollable text gets the room the window leaves on this screen: the title, the other lines and the
        buttons always show (at 60x20 the buttons were cut off; at 120x40 the text stopped at 14 lines)."""
        box = self.query(".modal-box").first()
        scroll = next(iter(box.query(VerticalScroll)), None)
        if scroll is None:
            return
        room = self.size.height - sum(f.outer_size.height for f in self.query(KeysFooter)) - box.styles.gutter.height
        for child in box.children:
            if child is not scroll and child.display:
                room -= child.outer_size.height + child.styles.margin.top + child.styles.margin.bottom
        height = max(room, 2)
        if scroll.styles.max_height is None or scroll.styles.max_height.value != height:
            scroll.styles.max_height = height

    said_topic: str | None = None  # the topic of the note shown in the window (say)

    def say(self, topic: str, message: str, severity: str) -> None:
        """A note of the wizard's (keys ignored, ...), in the window above its buttons: toasts are hidden while a
        window is open (wizard.tcss), where at 80x24 they covered its buttons (a trial)."""
        note = next(iter(self.query("#window-note").results(Line)), None)
        if note is None:
            return
        self.said_topic = topic if message else None
        style = {"error": "bold red", "warning": "bold yellow"}.get(severity, "bold")
        note.update(Text(message, style=style) if message else "")
        note.display = bool(message)  # once laid out, the text gives it its room (WindowNote.on_resize)

    def unsay(self, topic: str) -> None:
        if self.said_topic == topic:
            self.say(topic, "", "")

    def action_scroll_text(self, how: str) -> None:
        scroll = next(iter(self.query(VerticalScroll)), None)
        if scroll is not None:
            getattr(scroll, how)(animate=False)

    def answer(self, value: T) -> None:
        if self.answered:
            return
        self.answered = True
        self.dismiss(value)

    def refusal(self, event: Any) -> str:
        """Why a stray key cancelled it, in one line (the app puts what was not done, and that nothing was
        changed, in front: at 60 columns the status line's second line ended before a tail of it)."""
        if getattr(event, "key", "") == "ctrl+q" and self.QUITS:
            return "you pressed Ctrl+Q to quit"
        return f"you typed {key_name(event)} (this window takes only {self.TAKES})"

    answer_coming = False  # a key that answers has been typed (the app sees keys before the window acts on them)

    # Keys that answer it other than by cancelling (y, d, s): typed at paste speed right behind another key in
    # this window they are refused (`answering`, `typed`), and the window stays open (a trial: one tmux send-keys
    # 'Right y' into the idle confirmation applied; 'Right d' discarded the answers). Cancelling never waits.
    ANSWERS: ClassVar[frozenset[str]] = frozenset()
    CANCEL_IDS: ClassVar[frozenset[str]] = frozenset({"cancel", "no", "close"})  # the buttons that only cancel
    last_key_at: float = float("-inf")  # when the last key typed while it was open was typed
    last_key = ""  # that key, named (key_name)
    behind = ""  # the key the first answer refused in this burst was typed right behind (said for the burst)

    def typed(self, event: Any) -> str:
        """Every key typed while it is open, as it reaches the app (refused ones too: mashed y's never answer):
        the key it was typed right behind (less than Burst.GAP_SECONDS before it: at paste speed), or ""."""
        if event.time < self.shown_at:
            return ""  # typed before it opened (dropped: KeyGuard)
        behind = self.last_key if event.time - self.last_key_at < Burst.GAP_SECONDS else ""
        if not behind:
            self.behind = ""  # a pause: a new burst
        if event.time >= self.last_key_at:
            self.last_key_at, self.last_key = event.time, key_name(event)
        return behind

    def answering(self, event: Any) -> bool:
        """Whether the key would answer it other than by cancelling: one of ANSWERS, or Enter on a button that
        does more than cancel (the Quit window's Save)."""
        key = getattr(event, "key", "")
        focused = self.focused
        return key in self.ANSWERS or (key == "enter" and isinstance(focused, Button)
                                       and focused.id not in self.CANCEL_IDS)

    # An answer counts once no key followed it for the burst gap: keys sent at once ('y e s Enter', a CLI habit or
    # a paste) are a burst, as everywhere else; a key within it voids the answer (WizardApp.on_event).
    QUIET_SECONDS: ClassVar[float] = Burst.GAP_SECONDS

    def answers_now(self, event: Any) -> bool:
        """Whether the key, taken now, would answer it other than by cancelling (held for QUIET_SECONDS)."""
        return self.answering(event)

    def refused_behind(self, behind: str) -> str:
        """What an answer refused at paste speed was typed right behind: the first refused key's, for its burst."""
        self.behind = self.behind or behind
        return self.behind

    def alone(self, event: Any) -> str:
        """What the window says under a refused answer: how to give it."""
        return f"Press {key_name(event)} on its own, after a pause, if you meant it."

    def note_key(self, event: Any) -> None:
        """Keys reach the app in the order typed, but the window acts on them later: once a key that answers
        (one of OWN_KEYS, or Enter on a button) has gone by, a stray key typed behind it no longer cancels
        (the y of "y yes" goes on; the rest is dropped)."""
        key = getattr(event, "key", "")
        if (key in (self.OWN_KEYS or ()) or key in self.CLOSE_KEYS
                or (key == "enter" and isinstance(self.focused, Button))):
            self.answer_coming = True

    # The keys that close a window without OWN_KEYS (help, error, the self-lockout's Escape): the keys typed right
    # behind one reach nothing either (trial 11: F1, then 'Escape Escape Escape' at once went Back twice).
    CLOSE_KEYS: ClassVar[frozenset[str]] = frozenset()

    def too_soon(self, button: str) -> None:
        """A click on the button that says yes before the window's arming time (its key typed so soon is dropped
        before it gets here): not taken, and said (a trial: two quick clicks on Apply were ignored silently)."""
        note = getattr(self.app, "note", None)
        if note is not None and not self.answered:
            note("ignored", f"Ignored a click on {button}: this window was not ready yet (a click counts "
                            f"{self.ARMING_SECONDS:g} s after it opens); nothing was changed. Click again now if you "
                            "meant it.", severity="warning")

    def refuse(self) -> None:
        """A stray key: cancel at once (never an answer of yes)."""
        self.answer(self.NO)


class ConfirmApply(Modal[bool]):
    """The only way to apply. Focus starts on Cancel: Enter alone, Escape and n cancel; y applies (or a click on
    Apply). Tab never reaches Apply (choice_button), so no Tab, Enter or Space applies.

    `ConfirmApply.of(plan)` opens the window the plan needs: this one, or ConfirmGoOn when y goes on to the
    plan's own confirmations. YES is what y does, on the button and in the footer alike."""

    YES: ClassVar[str] = "Apply"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,n", "cancel", "Cancel"), Binding("y", "apply", YES)]
    OWN_KEYS = frozenset({"y", "n", "escape"})
    ANSWERS = frozenset({"y"})
    NO = False
    TAKES = "y or n/Escape"

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    @staticmethod
    def of(plan: Plan) -> ConfirmApply:
        return ConfirmGoOn(plan) if plan.confirmations else ConfirmApply(plan)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="modal-box"):
            yield Static("Apply these changes?", classes="modal-title")
            with VerticalScroll(id="confirm-body"):
                yield Static(apply_summary(self.plan), id="confirm-text")
            yield Static(apply_keys(self.plan), id="confirm-keys")
            with Horizontal(classes="modal-buttons"):
                yield Button("Cancel (n)", id="cancel", compact=True)
                yield choice_button(f"{self.YES} (y)", "apply", "warning")

    ARMING_SECONDS = 0.5  # keys typed ahead at paste speed never apply: y counts once this was on screen

    def arming(self, key: str) -> bool:
        return key == "y"

    def alone(self, event: Any) -> str:
        return f"Press y on its own, after a pause, to {self.YES.lower()}."

    def on_mount(self) -> None:
        self.focus_first("#cancel")

    def action_cancel(self) -> None:
        self.answer(False)

    def action_apply(self) -> None:
        if self.armed:  # a click too
            self.answer(True)
        else:
            self.too_soon(f"{self.YES} (y)")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "apply":
            self.action_apply()
        else:
            self.answer(False)


class ConfirmGoOn(ConfirmApply):
    """The apply confirmation of a plan that carries its own confirmations: y goes on to them (each asked on its
    own), so the button and the footer say "Go on", not "Apply"."""

    YES = "Go on"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("y", "apply", YES)]


class ConfirmRisk(Modal[bool]):
    """A confirmation the plan itself carries (Plan.confirmations: a self-lockout), asked on its own after the
    apply confirmation: only the word yes, typed and then Enter, goes ahead (the CLI's typed yes, or its
    flag); Escape or Cancel stops, and nothing is changed. No single key answers it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    CLOSE_KEYS = frozenset({"escape"})
    ARMING_SECONDS = 0.5

    def arming(self, key: str) -> bool:
        return key not in ("escape", "ctrl+q")  # typing starts once it has been read; Escape cancels at once

    def __init__(self, confirmation: Confirmation) -> None:
        super().__init__()
        self.confirmation = confirmation

    word = False  # the keys typed last make a word started on its own (after a pause), Backspace included
    in_word = False  # the key typed now goes on with that word

    def typed(self, event: Any) -> str:
        """The answer is the word yes, started on its own, then Enter on its own: a letter typed at paste speed
        right behind another key here (Right, Tab, Enter) is refused (`answering`), and so is the rest of that
        burst's word (the letters of a word started after a pause go on, as a person types them); the Enter is
        refused right behind any key, the word's too (trial 11: one send-keys 'y e s Enter' went ahead)."""
        behind = super().typed(event)
        self.in_word = self.word and bool(behind)
        character = getattr(event, "character", None)
        if character and character.isprintable() and not character.isspace():
            self.word = self.in_word or not behind
        elif getattr(event, "key", "") != "backspace":
            self.word = False
        return behind

    def answering(self, event: Any) -> bool:
        character = getattr(event, "character", None)
        typing = bool(character) and character.isprintable() and not character.isspace()  # type: ignore[union-attr]
        enter = getattr(event, "key", "") == "enter" and isinstance(self.focused, Input)
        return enter or (typing and not self.in_word)

    def answers_now(self, event: Any) -> bool:
        return getattr(event, "key", "") == "enter" and isinstance(self.focused, Input)  # (the word's letters type)

    def alone(self, event: Any) -> str:
        if getattr(event, "key", "") == "enter":
            return "Press Enter on its own, after a pause, to go ahead."
        return "Type yes on its own, after a pause, then press Enter on its own."

    def compose(self) -> ComposeResult:
        title = self.confirmation.code.replace("_", "-").capitalize()
        with Vertical(id="risk-box", classes="modal-box"):
            yield Static(f"Confirm: {title}", classes="modal-title")
            with VerticalScroll():
                yield Static(Text(self.confirmation.question, style="bold yellow"), id="risk-text")
            yield Static("Type yes, pause, then press Enter to go ahead. Escape cancels; nothing is changed.")
            yield Field(compact=True, id="risk-answer", placeholder="type yes, then Enter")
            yield Static("", id="risk-note")
            with Horizontal(classes="modal-buttons"):
                yield Button("Cancel (Escape)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.focus_first("#risk-answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if typed_yes(event.value) and self.armed:
            self.answer(True)
            return
        event.input.value = ""
        self.query_one("#risk-note", Static).update(Text("Only the word yes goes ahead; Escape cancels.",
                                                         style="yellow"))

    def action_cancel(self) -> None:
        self.answer(False)

    def pasted(self) -> None:
        """A paste never reaches the answer (the app drops it): only yes, typed, goes ahead (a trial: a pasted yes,
        then Enter, applied)."""
        self.query_one("#risk-note", Static).update(Text("A paste does not count: type yes, then Enter.",
                                                         style="yellow"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.answer(False)


class Notice(Modal[None]):
    """A title, a scrollable text and Close: the error and help windows."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "close", "Close")]
    CLOSE_KEYS = frozenset({"escape", "q"})
    TEXT_ID: ClassVar[str | None] = None

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static(self.title_text, classes="modal-title")
            with VerticalScroll():
                yield Static(Text(self.body), id=self.TEXT_ID)
            with Horizontal(classes="modal-buttons"):
                yield Button("Close", id="close", compact=True)

    def on_mount(self) -> None:
        self.focus_first("#close")

    def action_close(self) -> None:
        self.answer(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.answer(None)


class ErrorScreen(Notice):
    """An unexpected error: what happened, where the traceback and the answers went, how to resume."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "close", "Close")]
    CLOSE_KEYS = frozenset({"escape", "enter", "q"})
    TEXT_ID = "error-text"
    QUITS = False  # closing it exits

    def __init__(self, message: str) -> None:
        super().__init__("Something went wrong", message)
        self.message = message


class QuitScreen(Modal[str]):
    """Quit with unsaved answers: save / discard / cancel. `changed`: what this session's apply made in AWS
    (said in the window: the profile that could remove it is not saved). Discard (d, or a click) counts once
    the window has been on screen ARMING_SECONDS, as every other window's yes does."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,c", "choose('cancel')", "Cancel"), Binding("s", "choose('save')", "Save"),
                Binding("d", "choose('discard')", "Discard")]
    OWN_KEYS = frozenset({"escape", "c", "s", "d"})
    ANSWERS = frozenset({"s", "d"})
    NO = "cancel"
    TAKES = "s, d or c/Escape"
    QUITS = False  # Ctrl+Q here cancels it (a stray key): quitting is what this window asks about
    ARMING_SECONDS = 0.5

    def arming(self, key: str) -> bool:
        return key == "d"

    def alone(self, event: Any) -> str:
        return f"Press s ({self.SAVE.lower()}) or d (discard) on its own, after a pause, if you meant it."

    SAVE: ClassVar[str] = "Save"  # what s does, on the button and in the footer alike

    def __init__(self, changed: str = "", title: str = "Quit: your answers are not saved") -> None:
        super().__init__()
        self.changed, self.title_text = changed, title

    @staticmethod
    def of(changed: str, incomplete: str = "", title: str = "Quit: your answers are not saved") -> QuitScreen:
        """The Quit window for these answers: QuitKeepScreen when they cannot be a profile yet (`incomplete`: why)."""
        return QuitKeepScreen(changed, incomplete) if incomplete else QuitScreen(changed, title)

    def choices(self) -> str:
        return "Save them as a profile first, discard them, or go on with the wizard."

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static(self.title_text, classes="modal-title")
            if self.changed:
                # (the session's line: what changed, and what is not saved; a trial: "the profile is not saved"
                # when a saved profile held that apply)
                yield Static(Text(self.changed, style="bold yellow"), id="quit-changed")
            yield Static(self.choices(), id="quit-choices")
            with Horizontal(classes="modal-buttons"):
                yield Button("Cancel (c)", id="cancel", compact=True)
                yield Button(f"{self.SAVE} (s)", id="save", compact=True)
                yield choice_button("Discard (d)", "discard", "error")

    def on_mount(self) -> None:
        self.focus_first("#cancel")

    def action_choose(self, choice: str) -> None:
        if choice != "discard" or self.armed:  # a click too
            self.answer(choice)
        else:
            self.too_soon("Discard (d)")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose(event.button.id or "cancel")


class QuitKeepScreen(QuitScreen):
    """Quit with answers that cannot be a profile yet (a step before Save is not done): s keeps them in a recovery
    file to resume from, and quits, as Ctrl+C keeps them. A trial: its button said Save, and it quit without
    saving a profile; the window now says why it cannot, and what s does."""

    SAVE = "Keep"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("s", "choose('save')", SAVE)]

    def __init__(self, changed: str, incomplete: str) -> None:
        super().__init__(changed)
        self.incomplete = incomplete

    def choices(self) -> str:
        return (f"They cannot be a profile yet ({self.incomplete}). Keep them in a recovery file to resume from (the "
                "wizard then quits), discard them, or go on with the wizard.")


class OverwriteScreen(Modal[bool]):
    """An existing file: y overwrites it (once this has been on screen ARMING_SECONDS: a file name typed on
    into it never does), n or Escape keeps it; any other key keeps it too (OWN_KEYS)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,n", "reply(False)", "No"),
                                             Binding("y", "reply(True)", "Overwrite")]
    OWN_KEYS = frozenset({"y", "n", "escape"})
    ANSWERS = frozenset({"y"})
    NO = False
    TAKES = "y or n/Escape"
    ARMING_SECONDS = 0.5

    def arming(self, key: str) -> bool:
        return key == "y"

    def alone(self, event: Any) -> str:
        return "Press y on its own, after a pause, to overwrite."

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Static(WizardSession.overwrite_question(self.path), classes="modal-title")
            with Horizontal(classes="modal-buttons"):
                yield Button("No (n)", id="no", compact=True)
                yield choice_button("Overwrite (y)", "yes", "warning")

    def on_mount(self) -> None:
        self.focus_first("#no")

    def action_reply(self, yes: bool) -> None:
        if not yes or self.armed:
            self.answer(yes)
        else:
            self.too_soon("Overwrite (y)")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_reply(event.button.id == "yes")


KEYS = ("Ctrl+N next · Escape back (and closes windows) · Ctrl+S save profile · Ctrl+P commands · "
        "F1 help · Ctrl+Q quit · Tab moves between fields · Enter chooses a row")


class HelpScreen(Notice):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "close", "Close")]
    CLOSE_KEYS = frozenset({"escape", "f1", "q"})

    def unheard(self, event: Any) -> bool:
        """A key that does nothing here (Ctrl+N, y): the app says the help window is open, and how to close it."""
        key = getattr(event, "key", "paste")
        return key not in {"escape", "f1", "q", "ctrl+c", "ctrl+q", "space"} | MOVING_KEYS

    def __init__(self, title: str, body: str) -> None:
        super().__init__(title, f"{body}\n\nKeys: {KEYS}")
