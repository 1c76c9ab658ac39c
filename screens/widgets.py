"""Small widgets shared by the steps: tables of choices whose marks read without colour ([x] [ ] (*) ( ))."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable


class Choices(DataTable[str | Text]):
    """Rows with a mark column. Enter or Space on a row posts Choices.Toggled; the owner decides and calls
    `set_marks`. `multi`: check boxes [x]/[ ]; else radio marks (*)/( )."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("space", "choose", "Choose", show=False)]

    @dataclass
    class Toggled(Message):
        choices: Choices
        key: str

        @property
        def control(self) -> Choices:
            return self.choices

    def __init__(self, columns: Sequence[str], multi: bool = True, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self.multi = multi
        self._columns = columns
        self._marked: set[str] = set()

    def on_mount(self) -> None:
        self.add_column("use" if self.multi else "", key="mark", width=3)
        for name in self._columns:
            self.add_column(name, key=name)

    def mark(self, on: bool) -> Text:
        """Marks that read without colour (as Text: a str '[x]' would be taken for markup)."""
        if self.multi:
            return Text("[x]" if on else "[ ]")
        return Text("(*)" if on else "( )")

    def fill(self, rows: Iterable[tuple[str, Sequence[str | Text]]], marked: Iterable[str]) -> None:
        """Replace the rows (key, cells) keeping the cursor where it was."""
        cursor = self.cursor_row
        self._marked = set(marked)
        self.clear()
        for key, cells in rows:
            self.add_row(self.mark(key in self._marked), *cells, key=key)
        if self.row_count:
            self.move_cursor(row=min(max(cursor, 0), self.row_count - 1), animate=False)

    def set_marks(self, marked: Iterable[str]) -> None:
        self._marked = set(marked)
        for row_key in list(self.rows):
            key = str(row_key.value)
            self.update_cell(key, "mark", self.mark(key in self._marked))

    def key_at_cursor(self) -> str | None:
        if not self.row_count or self.cursor_row < 0:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0))
        except Exception:  # noqa: BLE001 - rows replaced under the cursor while keys were queued
            return None
        return str(row_key.value) if row_key.value is not None else None

    def action_choose(self) -> None:
        key = self.key_at_cursor()
        if key is not None:
            self.post_message(self.Toggled(self, key))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None and event.row_key in self.rows:
            self.post_message(self.Toggled(self, str(event.row_key.value)))
