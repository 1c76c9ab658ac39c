"""The base of every step pane: it knows the session, refreshes from the answers in `load`, and talks to the
app only by posting messages (screens/messages.py). Panes never call AWS."""

from __future__ import annotations

from typing import Any

from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Input, Static

from screens.messages import AdvanceRequested, AnswersChanged
from wizard.session import WizardSession


class Step(VerticalScroll):
    """A step pane. `FOCUS`: the first match gets focus when the step is shown."""

    FOCUS = "Input, DataTable, Button"
    can_focus = False

    def __init__(self, session: WizardSession, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session

    def load(self) -> None:
        """Called each time the step is shown, and when discovery or the plan arrives."""

    def shown(self) -> None:
        """Called each time the step is navigated to (after `load`, before it takes focus)."""

    def changed(self) -> None:
        self.post_message(AnswersChanged())

    def advance(self) -> None:
        self.post_message(AdvanceRequested(str(self.id)))

    def widget(self, selector: str, kind: type[Widget] = Widget) -> Any:
        """query_one that tolerates a pane mid-rebuild (keys queued faster than the screen): None, not a crash."""
        try:
            return self.query_one(selector, kind)
        except NoMatches:
            return None

    def show_input_error(self, key: str, text: str, target: str) -> str | None:
        """Refuse a typed value where it is typed, in the words of its label (wizard/steps.py)."""
        error = self.session.input_error(key, text)
        note = self.widget(target, Static)
        if note is not None:
            note.update(error or "")
            note.display = bool(error)
        field = self.widget(f"#{key.replace('_', '-')}", Input)
        if field is not None:
            field.set_class(bool(error), "-invalid-answer")
        return error
