"""Keys typed ahead: a window or a step that takes them judges each key by when it was typed, not when it is
handled, so a busy machine cannot turn keys typed ahead (paste speed, mashing) into an answer or a file name.

One guard for every place that needs it: the confirmation windows (screens/modals.Modal) and the Save step
(screens/save.SaveStep). The app drops what a guard refuses (WizardApp.on_event).

A window that takes `y` takes only its own keys (`OWN_KEYS`, plus the keys that move around it): any other key
typed there (a letter of a file name, Space, Ctrl+S) cancels it at once (`stray`), and the keys typed right
behind that one reach nothing (`Burst`): the `y` of ".yaml", typed into a window still open, answered it."""

from __future__ import annotations

from typing import ClassVar

from textual import _time, events


def clock() -> float:
    """The clock every event's `.time` is read from (Textual's). Tests may replace this function to make the
    guard's side of the comparison their own (and stamp their events from it)."""
    return _time.get_time()


# Keys that move around a window (focus, scrolling) and press the focused button: never an answer by themselves.
MOVING_KEYS = frozenset({"tab", "shift+tab", "up", "down", "left", "right", "pageup", "pagedown", "home", "end",
                         "enter"})


# What a terminal sends for Escape typed right before b or f: Textual reads it as these keys (iTerm's word moves).
ESCAPE_LETTER = {"ctrl+left": "b", "ctrl+right": "f"}


def key_name(event: events.Key | events.Paste) -> str:
    """A key as the user reads it in a message: 'v', Space, Ctrl+S, a paste. Escape typed right before a letter
    reaches Textual as one key (the terminal sends the two as Alt+letter): named as typed, Escape then 'y' (it was
    named 'y', or Ctrl+Left for Escape then b)."""
    key = getattr(event, "key", "paste")
    if key == "paste":
        return "a paste"
    character = getattr(event, "character", None)
    if key.startswith("alt+") and character and len(character) == 1 and character.isprintable():
        return f"Escape then {character!r}"
    if key.startswith("alt+"):  # Escape then Ctrl+N, read as one key
        return "Escape then " + "+".join(part.capitalize() for part in key.removeprefix("alt+").split("+"))
    if key in ESCAPE_LETTER:
        return f"{'+'.join(part.capitalize() for part in key.split('+'))} (or Escape then {ESCAPE_LETTER[key]!r})"
    if character and len(character) == 1 and character.isprintable() and not character.isspace():
        return repr(character)
    return "+".join(part.capitalize() for part in key.split("+"))


class KeyGuard:
    """Keys typed before `shown_at` never reach it; the keys that could say yes (`arming`) count only from
    `armed_at` (`ARMING_SECONDS` after it was shown). Ctrl+C always passes.

    `OWN_KEYS`: when set, the only keys it takes besides MOVING_KEYS; any other is `stray` (the app cancels)."""

    ARMING_SECONDS: ClassVar[float] = 0.0
    OWN_KEYS: ClassVar[frozenset[str] | None] = None
    shown_at: float = 0.0
    armed_at: float = 0.0

    def guard_from_now(self) -> None:
        """It is on screen from now: keys typed before this moment are dropped."""
        self.shown_at = max(self.shown_at, clock())
        self.armed_at = max(self.armed_at, self.shown_at + self.ARMING_SECONDS)

    def arming(self, key: str) -> bool:
        """Whether `key` is one that waits for ARMING_SECONDS (the keys that could say yes)."""
        return False

    @property
    def armed(self) -> bool:
        """Whether an answer given now counts (a click too: clicks carry no key)."""
        return clock() >= self.armed_at

    def drops(self, event: events.Key | events.Paste) -> bool:
        """The key was typed before this was on screen, or says yes too soon."""
        key = getattr(event, "key", "paste")
        if key == "ctrl+c":
            return False
        return event.time < self.shown_at or (event.time < self.armed_at and self.arming(key))

    def stray(self, event: events.Key | events.Paste) -> bool:
        """A key this does not take (a letter of a file name, Space, a wizard key): it cancels, never answers."""
        key = getattr(event, "key", "paste")
        return self.OWN_KEYS is not None and key != "ctrl+c" and key not in self.OWN_KEYS | MOVING_KEYS


class Hold:
    """Keys typed from `begin` until `release` reach nothing: the palette's Enter until the step it chose is shown
    (keys typed after Enter at paste speed went into the palette's search, or into the step being left)."""

    MOST_SECONDS: ClassVar[float] = 2.0  # a safety net: keys typed later than this after Enter always count
    start: float = float("inf")
    end: float = float("inf")
    why = "the palette's Enter"  # what the keys it drops were typed right behind, as the app says it

    @property
    def holding(self) -> bool:
        return self.end == float("inf") and self.start != float("inf")

    def begin(self, typed_at: float, why: str = "the palette's Enter") -> None:
        self.start, self.end, self.why = typed_at, float("inf"), why

    def release(self) -> None:
        if self.holding:
            self.end = clock()

    def drops(self, event: events.Key | events.Paste) -> bool:
        return (getattr(event, "key", "paste") != "ctrl+c" and self.start <= event.time < self.end
                and event.time < self.start + self.MOST_SECONDS)


class Burst:
    """After a stray key cancelled a window: the keys typed right behind it (a file name typed on, a paste) reach
    nothing, until a pause of GAP_SECONDS (or MOST_SECONDS in all). The `y` of ".yaml" must not answer or open
    anything, whatever is on screen once the window has gone."""

    GAP_SECONDS: ClassVar[float] = 0.5
    MOST_SECONDS: ClassVar[float] = 3.0
    start: float = float("-inf")
    last: float = float("-inf")
    why = "the key that closed the window"  # what the keys it drops were typed right behind, as the app says it

    def begin(self, typed_at: float, why: str = "the key that closed the window") -> None:
        self.start = self.last = typed_at
        self.why = why

    def drops(self, event: events.Key | events.Paste) -> bool:
        if getattr(event, "key", "paste") == "ctrl+c":
            return False
        if self.start <= event.time <= self.last + self.GAP_SECONDS and event.time < self.start + self.MOST_SECONDS:
            self.last = max(self.last, event.time)
            return True
        return False
