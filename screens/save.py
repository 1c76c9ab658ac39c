"""Step 9: save the answers as a profile, and the command that replays it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Button, Input, Label, Static

from screens.base import Step
from screens.keyguard import KeyGuard
from screens.messages import SaveRequested


class SaveStep(KeyGuard, Step):
    """The path field selects its text on focus, so a key typed ahead would replace the whole path: keys typed
    before the step was shown are dropped here (KeyGuard), as the confirmation windows drop them."""

    FOCUS = "#path"

    def compose(self) -> ComposeResult:
        yield Label("Save the profile to (Enter or Ctrl+S saves)")
        yield Input(compact=True, id="path")
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
        self.post_message(SaveRequested(self.path))
