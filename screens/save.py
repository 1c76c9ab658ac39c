"""Step 9: save the answers as a profile, and the command that replays it."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widgets import Button, Input, Label, Static

from screens.base import Step
from screens.keyguard import KeyGuard
from screens.messages import SaveRequested
from screens.widgets import Field


class PathInput(Field):
    """The path field. Enter submits the path as it is when the field takes the Enter key: Input's own Enter is a
    binding, run only once the key has gone up to the app, after the keys typed right behind it were typed into
    the field (`Enter x y z` at once saved r1.yaml as r1.yamlxyz)."""

    async def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.value))


class SaveStep(KeyGuard, Step):
    """The path field selects its text on focus, so a key typed ahead would replace the whole path: keys typed
    before the step was shown are dropped here (KeyGuard), as the confirmation windows drop them."""

    FOCUS = "#path"

    def compose(self) -> ComposeResult:
        yield Label("Save the profile to (Enter or Ctrl+S saves)")
        yield PathInput(compact=True, id="path")
        yield Button("Save", id="save-button", variant="primary", compact=True)
        yield Static("", id="saved")

    def load(self) -> None:
        path = self.widget("#path", Input)
        if path is not None and not path.value:
            path.value = str(self.session.saved_path or self.session.default_save_path())

    def shown(self) -> None:
        self.guard_from_now()
        if self.session.dirty:  # a "Saved ..." from before names a file that no longer holds these answers
            self.say("")

    @property
    def path(self) -> str:
        field = self.widget("#path", Input)
        return field.value.strip() if field is not None else ""

    def say(self, text: Text | str) -> None:
        saved = self.widget("#saved", Static)
        if saved is not None:
            saved.update(text)
            saved.scroll_visible(animate=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(SaveRequested(self.path))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """The path as it was when Enter was pressed (PathInput): keys typed right after it are typed into the
        field before this message arrives, so the field is not read again here."""
        event.stop()
        self.post_message(SaveRequested(event.value.strip()))
