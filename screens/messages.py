"""Typed messages. Workers carry their results in them (the session changes only on the UI thread);
step panes post them upward instead of reaching into the app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

# ---------------------------------------------------------------- from thread workers


@dataclass
class Discovered(Message):
    cloud: Any
    inventory: Any


@dataclass
class VpcRead(Message):
    vpc: Any
    advance: bool = False


@dataclass
class Planned(Message):
    plan: Any
    access: Any = None  # wizard.iam_eval.AccessView: who can open Studio from outside
    asked: int = 0  # which request it answers (WizardApp.start_plan): an older one's answer is not kept


@dataclass
class Progress(Message):
    """One executor event (start/done/failed/wait/info)."""

    event: Any


@dataclass
class Applied(Message):
    result: Any
    stopped: Any = None  # executor.Interrupted: Ctrl+C stopped the apply between two steps


# ---------------------------------------------------------------- from step panes to the app


@dataclass
class AnswersChanged(Message):
    """A pane changed an answer: the app refreshes Next and the reason line."""


@dataclass
class AdvanceRequested(Message):
    """Enter on a text input or a row where going on is the natural next move, on the step `step`."""

    step: str


@dataclass
class VpcChosen(Message):
    vpc_id: str
    advance: bool = True


@dataclass
class ApplyRequested(Message):
    """The Apply button on the Preview: the app opens the confirmation."""


@dataclass
class SaveRequested(Message):
    path: str


@dataclass
class JumpRequested(Message):
    step: str


# ---------------------------------------------------------------- from the app, through the keys' path


@dataclass
class KeysHandled(Message):
    """Posted to the focused widget behind the keys typed before a Ctrl+N that could not go on: it bubbles up to
    the app as they do, so it arrives once they have (`rounds` times: a key's binding runs in the app, and what it
    changes reaches the step as one more message, Choices.Toggled)."""

    key: Any  # the Ctrl+N (events.Key)
    step: int  # the step it was typed on
    rounds: int = 2
