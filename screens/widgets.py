"""Small widgets shared by the steps: tables of choices whose marks read without colour ([x] [ ] (*) ( )), and the
footer of keys."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.message import Message
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.widgets import DataTable, Footer, Input, OptionList, Static
from textual.widgets._footer import FooterKey
from textual.widgets.data_table import ColumnKey
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widget import Widget

NARROW = 72  # columns: below this the step list gives its room to the step, and footers are compact


class Line(Static):
    """A Static for the lines the wizard sets again after every key (the reason under Next, the step's title,
    its notes), which lays the screen out again only when what it says changed. Textual's Static.update asks for a
    new layout of the whole screen each time, even with the same text: the reason line alone was set 24 times in
    one walk through the wizard, most with the same words."""

    _said: tuple[Any, ...] | None = None

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        said = _said(content)
        if said is not None and said == self._said:
            return
        self._said = said
        super().update(content, layout=layout)


def _said(content: Any) -> tuple[Any, ...] | None:
    """What a line shows, to compare (None: cannot tell, so it is always drawn). A rich Text compares equal to
    another with the same characters and spans whatever its own style (yellow or red), so its style is in it."""
    if isinstance(content, str):
        return (content,)
    if isinstance(content, Text):
        return (content.plain, tuple(content.spans), str(content.style), content.justify, content.overflow,
                content.no_wrap, content.end)
    return None


class Field(Input):
    """Textual's Input, its editing keys taken in the order typed. Input inserts a character as the field takes
    the key, but runs Backspace, Delete, the cursor keys and Enter as bindings, once the key has gone up to the
    app: keys typed right behind one (tmux send-keys, a paste, fast typing) were in the field first ('abc'
    Backspace 'def' gave 'abcde'; a path saved as 'ok2.yaml' became 'ok2.yam' a moment later). The field's own
    bindings run here, as it takes the key; every other key goes on as before."""

    def __init__(self, *args: Any, below: str | None = None, enter_chooses_one: bool = False, many: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.below = below  # the id of the list it filters: Down moves into it, as Enter does (type_to_filter)
        self.enter_chooses_one = enter_chooses_one  # Enter on a filter that left one row chooses it (the step's)
        self.many = many  # it takes a list (comma- or space-separated): a paste of several lines is that list

    def _on_paste(self, event: events.Paste) -> None:
        """A paste of several lines (ranges copied from a console or a spreadsheet, one per line): Textual's Input
        keeps the first line only, silently (a trial: two of three ranges lost). A list field takes every line,
        comma-separated; a field of one value keeps the first line and says that it dropped the others."""
        lines = [line.strip() for line in event.text.splitlines() if line.strip()]
        if len(lines) < 2:
            return  # Input's own handler takes it (Textual runs each class's handler, unless prevented)
        event.stop()
        event.prevent_default()
        if self.many:
            before = self.value[:self.cursor_position].rstrip() if self.selection.is_empty else ""
            text = (", " if before and not before.endswith(",") else "") + ", ".join(lines)
        else:
            text = lines[0]
            self.notify(f"Pasted {len(lines)} lines: this field takes one value, so only the first line was kept.",
                        title="Paste", severity="warning")
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)

    def list_below(self) -> DataTable[Any] | None:
        """The list this field filters, if any."""
        if self.below is None:
            return None
        return next(iter(self.screen.query(f"#{self.below}").results(DataTable)), None)

    def moves_below(self, key: str) -> bool:
        """Down, or Enter, in a list's filter moves the focus into the list (when it has rows; Enter on a filter
        that left one row chooses it, when `enter_chooses_one`): done here as the app reads the key (WizardApp.
        on_event), so that the keys typed right behind it reach the list. Done once the field took the key, they
        had already been sent to the field, which dropped them ('Down Down Enter' at once chose nothing: trial 12)."""
        if key not in ("down", "enter"):
            return False
        table = self.list_below()
        if table is None or not table.row_count or (key == "enter" and self.enter_chooses_one and table.row_count == 1):
            return False
        self.screen.set_focus(table)
        return True

    async def on_key(self, event: events.Key) -> None:
        if event.key == "down" and self.moves_below("down"):  # (trial 11: Down in the filter did nothing)
            event.stop()
            event.prevent_default()
            return
        bindings = self._bindings.key_to_bindings.get(event.key, [])
        if not bindings:
            return
        event.stop()
        event.prevent_default()
        await self.run_action(bindings[0].action)


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

    def __init__(self, columns: Sequence[str], multi: bool = True, goes_on: bool = False, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self.multi = multi
        self.goes_on = goes_on  # Enter or Space on a row chooses it and goes on to the next step (the step's)
        self._columns = columns
        self._marked: set[str] = set()
        self._rows: list[tuple[str, tuple[Text, ...]]] = []

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
        """Replace the rows (key, cells) keeping the cursor where it was. The same rows again (a filter typed
        further that still matches them) change nothing: rebuilding a hundred rows was most of a keystroke."""
        # Cells are Text, never markup: a str cell would be read as Rich markup, and names come from AWS tags
        # (a Name tag "ops[/team]" raised MarkupError as the row was drawn).
        new_rows = [(key, tuple(c if isinstance(c, Text) else Text(str(c)) for c in cells)) for key, cells in rows]
        new_marks = set(marked)
        if new_rows == self._rows and new_marks == self._marked and self.row_count == len(new_rows):
            return
        cursor = self.cursor_row
        self._rows, self._marked = new_rows, new_marks
        self.clear()
        # Each column as wide as the new rows need, set now (DataTable's columns only grow, and it measures new
        # rows only when idle: until then the columns showed at their headers' widths, "anal" for "analytics").
        for index, name in enumerate(self._columns):
            column = self.columns.get(ColumnKey(name))
            if column is not None and column.auto_width:
                column.content_width = max([column.label.cell_len, *(cells[index].cell_len for _, cells in new_rows)])
        for key, cells in new_rows:
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

    def on_click(self, event: events.Click) -> None:
        """A click on a row's mark ([ ] or ( )) chooses at once (a trial: every row took two clicks, the first only
        moved the cursor, and a mouse user's click on a check box did nothing). Elsewhere on a row, as Textual's:
        the first click highlights it (the step shows its details), a click on the highlighted cell chooses.
        (Textual runs DataTable's own handler after this one: it moves the cursor, and selects on a second click.)"""
        meta = event.style.meta
        row, column = meta.get("row"), meta.get("column")
        if column != 0 or not isinstance(row, int) or not 0 <= row < self.row_count or not self.show_cursor:
            return
        if event.chain > 1:  # a double click on a mark is one choice (a trial: its second click unticked it)
            event.prevent_default()  # (Textual's handler would select the row again)
            return
        if Coordinate(row, column) == self.cursor_coordinate:
            return  # Textual's handler selects the row (RowSelected): chosen once
        row_key, _ = self.coordinate_to_cell_key(Coordinate(row, column))
        if row_key.value is not None:
            self.post_message(self.Toggled(self, str(row_key.value)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None and event.row_key in self.rows:
            self.post_message(self.Toggled(self, str(event.row_key.value)))


class KeysFooter(Footer):
    """Textual's Footer, rebuilt only when the keys it shows change. Textual's rebuilds all its key widgets
    whenever the bindings may have changed, which is at every focus change: about half of a Tab keystroke's
    time (restyle, layout and paint of a dozen widgets), though the keys shown rarely change on Tab."""

    _shown: tuple[Any, ...] | None = None

    def on_resize(self, event: events.Resize) -> None:
        """Compact below NARROW columns: each key's spacing shrinks and the palette's key reads "^p menu", so
        that every key still shows at 60 columns."""
        compact = event.size.width < NARROW
        if compact != self.compact:
            self.compact = compact
            self.call_after_refresh(self.recompose)

    def shown_keys(self) -> tuple[Any, ...]:
        """What the footer would show: each shown binding's key, label, action, state and tooltip."""
        app = self.app
        return tuple((b.key, app.get_key_display(b), b.description, b.action, enabled, tooltip, b.group)
                     for key, (_, b, enabled, tooltip) in self.screen.active_bindings.items()
                     if b.show or key == app.COMMAND_PALETTE_BINDING)

    def compose(self) -> ComposeResult:
        self._shown = self.shown_keys() if self._bindings_ready else None
        for widget in super().compose():
            if self.compact and isinstance(widget, FooterKey) and widget.has_class("-command-palette"):
                widget.description = "menu"
            yield widget

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if self.is_attached and self.shown_keys() != self._shown:
            await self.recompose()


class StepList(OptionList):
    """The steps, one row each: the current one highlighted, those not reachable yet muted and in italics
    (without colour too). Enter or a click posts OptionList.OptionSelected (option id `nav-<step>`); Up and
    Down stop at the ends.

    One widget, where Textual's ListView is two a row: a focus change restyles and repaints a widget and all
    its children, and the ListView's twenty were two thirds of a Tab keystroke's time."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {*OptionList.COMPONENT_CLASSES, "step-list--unreachable"}
    DEFAULT_CSS = """
    StepList > .step-list--unreachable {
        color: $text-muted;
        text-style: italic;
    }
    """

    def __init__(self, steps: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        """`steps`: (name, label) in order."""
        self._muted = [False] * len(steps)
        super().__init__(*[Option(label, id=f"nav-{name}") for name, label in steps], compact=True, markup=False,
                         **kwargs)

    def set_muted(self, muted: Sequence[bool]) -> None:
        """Mute the rows not reachable yet; repaints only when one changed."""
        muted = list(muted)
        if muted != self._muted:
            self._muted = muted
            self.refresh()

    def is_muted(self, index: int) -> bool:
        return self._muted[index]

    def render_line(self, y: int) -> Strip:
        """OptionList's row, plus the unreachable style, and `reverse` from the CSS (the focused row is bold
        reverse, visible without colour; Textual's OptionList drops reverse from its rows' styles)."""
        try:
            index, line = self._lines[self.scroll_offset.y + y]
        except IndexError:
            return super().render_line(y)
        classes = ["option-list--option"]
        if self.highlighted == index:
            classes.append("option-list--option-highlighted")
        elif self._mouse_hovering_over == index:
            classes.append("option-list--option-hover")
        if self._muted[index]:
            classes.append("step-list--unreachable")
        style = self.get_visual_style(*classes)
        if any(self.get_component_styles(name).text_style.reverse for name in classes):
            style += VisualStyle(reverse=True)
        return self._get_option_render(self.options[index], style)[line]

    def action_cursor_up(self) -> None:
        if self.highlighted is not None:
            self.highlighted = max(0, self.highlighted - 1)

    def action_cursor_down(self) -> None:
        if self.highlighted is not None:
            self.highlighted = min(self.option_count - 1, self.highlighted + 1)


def type_to_filter(event: events.Key, table: Widget | None, field: Input | None) -> None:
    """Typing while a filtered list has the focus filters it: characters go to its filter field (shown above it)
    and Backspace takes the last one back; Space and Enter still choose, arrows still move."""
    if table is None or field is None or not table.has_focus:
        return
    if event.key == "backspace" and field.value:
        field.value = field.value[:-1]
    elif event.is_printable and event.character and not event.character.isspace():
        field.value += event.character
    else:
        return
    field.cursor_position = len(field.value)
    event.stop()
    event.prevent_default()
