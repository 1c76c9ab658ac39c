"""The terminal around the full-screen wizard: keys typed while it starts are not echoed onto the shell's screen;
and around `apply`/`destroy` without --yes: keys typed while the plan is made are not echoed above its question.

Until Textual takes the terminal (a second or more: Python, Textual, the sandbox), the terminal is as the shell
left it, and echoes what is typed: a Ctrl+N pressed then showed as `^N` on the shell's screen once the wizard
had left its own. `hush` turns the echo off as the program starts (the keys stay queued, and the wizard reads
them as before); `restore` puts the terminal back as it was, after Textual has put back what it found.
No UI here (wizard/ never imports Textual): only termios, and nothing at all where there is no terminal.
"""

from __future__ import annotations

import sys
from typing import Any

try:
    import termios
except ImportError:  # not on Windows: there, nothing to do
    termios = None  # type: ignore[assignment]

_saved: list[Any] | None = None  # the terminal's settings before `hush`
_FAILED = (OSError, ValueError, AttributeError, *((termios.error,) if termios is not None else ()))


def hush() -> None:
    """Turn off the echo of keys typed from now on, on a terminal (stdin and stdout both); once."""
    global _saved
    if _saved is not None or termios is None or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return
    try:
        fd = sys.stdin.fileno()
        before = termios.tcgetattr(fd)
        quiet = list(before)
        quiet[3] &= ~termios.ECHO  # lflag: only the echo; the line discipline and Ctrl+C stay as they were
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
        _saved = before
    except _FAILED:  # a terminal that refuses stays as it is
        pass


def restore(flush: bool = True) -> None:
    """The terminal as it was before `hush`, keys typed but not read dropped (they were the wizard's, not the
    shell's), unless not `flush`: the question about to be asked drops and counts them itself (the CLI's yes
    question, after its plan was made with the echo off). Nothing when `hush` did nothing."""
    global _saved
    before, _saved = _saved, None
    if before is None or termios is None:
        return
    try:
        fd = sys.stdin.fileno()
        if flush:
            termios.tcflush(fd, termios.TCIFLUSH)
        termios.tcsetattr(fd, termios.TCSANOW, before)
    except _FAILED:
        pass
