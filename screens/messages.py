"""Typed messages that thread workers post back to the UI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class Discovered(Message):
    error: str | None = None


@dataclass
class VpcRefreshed(Message):
    vpc_id: str
    error: str | None = None


@dataclass
class Planned(Message):
    error: str | None = None


@dataclass
class Progress(Message):
    """One executor event (start/done/failed/wait/info)."""

    event: Any


@dataclass
class Applied(Message):
    error: str | None = None
