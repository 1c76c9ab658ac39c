"""What a keystroke costs in the wizard (issue 9: keystroke p95 <= 50 ms, bench/tui_bench.py), as rules that do
not depend on the machine's speed: a Tab restyles only the widgets whose focus changed, never rebuilds the footer
when its keys stay the same, never repaints the whole screen; and the one-widget step list keeps what the
ListView it replaced did (the current step highlighted, unreachable steps muted, Enter or a click jumps, Up and
Down stop at the ends)."""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from conftest import workers_done
from screens.app import WizardApp
from screens.widgets import Choices, KeysFooter, Line, StepList
from wizard.steps import NAMES

SIZE = (80, 24)


async def discovered(app: WizardApp, pilot) -> None:  # noqa: ANN001
    await pilot.pause()
    for _ in range(200):
        if app.session.inventory is not None or app.session.discovery_error:
            break
        await pilot.pause(0.05)
    await workers_done(app)
    await pilot.pause()
    assert app.session.inventory is not None, app.session.discovery_error


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Counter[Any]:
    """Counts what the UI does: nodes restyled (each, and in all), widgets recomposed, whole-screen repaints."""
    counts: Counter[Any] = Counter()
    update_nodes, recompose, refresh = Stylesheet.update_nodes, Widget.recompose, Widget.refresh

    def counting_update_nodes(self: Stylesheet, nodes: Any, animate: bool = False) -> None:
        nodes = list(nodes)
        counts["restyled"] += len(nodes)
        counts.update(nodes)
        update_nodes(self, nodes, animate)

    async def counting_recompose(self: Widget) -> None:
        counts[f"recompose {type(self).__name__}"] += 1
        await recompose(self)

    def counting_refresh(self: Widget, *regions: Any, **kwargs: Any) -> Widget:
        if isinstance(self, Screen) and not regions:
            counts["screen repaint"] += 1
        if kwargs.get("layout"):
            counts[f"layout {type(self).__name__}#{self.id}"] += 1
        return refresh(self, *regions, **kwargs)

    monkeypatch.setattr(Stylesheet, "update_nodes", counting_update_nodes)
    monkeypatch.setattr(Widget, "recompose", counting_recompose)
    monkeypatch.setattr(Widget, "refresh", counting_refresh)
    return counts


async def test_a_tab_restyles_only_the_widgets_whose_focus_changed(session, work) -> None:  # noqa: ANN001
    """Textual restyles a widget and all its children on focus, rebuilds its Footer on every focus change and
    repaints the whole screen: what made a Tab cost ~150 ms of CPU. Here a Tab touches the two widgets whose
    focus changed, on every step."""
    app = WizardApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await discovered(app, pilot)
        await pilot.pause()
        for step in ("connect", "vpc"):
            if step != "connect":
                await app.jump(step)
                await pilot.pause()
            chain = app.screen.focus_chain
            assert len(chain) >= 3, chain
            for _ in range(2 * len(chain)):
                work.clear()
                before = app.focused
                await pilot.press("tab")
                await pilot.pause()
                assert app.focused is not before
                restyled = {node for node in work if isinstance(node, Widget)}
                assert restyled <= {before, app.focused} and work["restyled"] <= 4, (step, app.focused, work)
                assert not [k for k in work if str(k).startswith("recompose")], (step, work)
                assert work["screen repaint"] == 0, (step, work)
        work.clear()  # the lines set after every key (the reason under Next, the title, the notes): the same words
        app.refresh_nav()  # ask for no new layout of the screen
        await app.show_step()
        await pilot.pause()
        assert not [k for k in work if str(k).startswith("layout")], work


class Lines(App[None]):
    def compose(self) -> ComposeResult:
        yield Line("", id="line")


async def test_a_line_set_to_the_same_words_lays_nothing_out_and_any_change_is_drawn(work) -> None:  # noqa: ANN001
    """Textual's Static lays the whole screen out again on every update, even with the same words (the reason
    line was set 24 times in one walk through the wizard). A Line skips only an update that shows the same: the
    same characters in another style (a rich Text compares equal regardless of its style) are drawn."""
    app = Lines()
    async with app.run_test() as pilot:
        line = app.query_one(Line)
        for content, drawn in ((Text("why", style="yellow"), True), (Text("why", style="yellow"), False),
                               (Text("why", style="red"), True), ("why", True), ("why", False), ("", True)):
            work.clear()
            line.update(content)
            await pilot.pause()
            assert bool(work["layout Line#line"]) == drawn, (content, work)
            assert str(line.render()) == str(content)


class Keys(App[None]):
    """A widget whose key shows in the footer, between two that have none."""

    class Shown(Static, can_focus=True):
        BINDINGS: ClassVar[list[BindingType]] = [Binding("f5", "app.bell", "Ring")]

    def compose(self) -> ComposeResult:
        yield Input(id="a")
        yield Input(id="b")
        yield self.Shown("shown", id="shown")
        yield KeysFooter()


def footer_keys(app: App[Any]) -> list[str]:
    return [f"{key.key_display} {key.description}" for key in app.query(FooterKey)]


async def footer_until(app: App[Any], pilot, shown: bool) -> list[str]:  # noqa: ANN001
    """The footer's keys once it shows (or not) f5 Ring; it is rebuilt after a refresh, so wait up to 2 s."""
    for _ in range(100):
        keys = footer_keys(app)
        if "^p palette" in keys and ("f5 Ring" in keys) == shown:
            break
        await pilot.pause(0.02)
    return footer_keys(app)


async def test_the_footer_shows_the_keys_that_apply_and_is_rebuilt_only_when_they_change() -> None:
    app = Keys()
    async with app.run_test() as pilot:
        keys = await footer_until(app, pilot, shown=False)
        assert "f5 Ring" not in keys and "^p palette" in keys
        widgets = list(app.query(FooterKey))
        await pilot.press("tab")  # a -> b: the same keys, the same widgets
        await pilot.pause(0.2)
        assert app.focused is not None and app.focused.id == "b"
        assert list(app.query(FooterKey)) == widgets
        await pilot.press("tab")  # -> shown: its key appears
        assert "f5 Ring" in await footer_until(app, pilot, shown=True)
        await pilot.press("tab")  # -> a: gone again
        keys = await footer_until(app, pilot, shown=False)
        assert "f5 Ring" not in keys and "^p palette" in keys


async def test_step_list_highlights_the_current_step_and_mutes_those_not_reachable(session) -> None:  # noqa: ANN001
    app = WizardApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await discovered(app, pilot)
        steps = app.query_one("#step-list", StepList)
        assert steps.highlighted == 0
        reachable = [session.reachable(name) for name in NAMES]
        assert [steps.is_muted(i) for i in range(len(NAMES))] == [i != 0 and not r for i, r in enumerate(reachable)]
        assert steps.is_muted(NAMES.index("subnets")) and not steps.is_muted(NAMES.index("vpc"))
        await app.jump("vpc")
        await pilot.pause()
        assert steps.highlighted == NAMES.index("vpc")


async def test_step_list_up_and_down_stop_at_the_ends_and_enter_or_a_click_jumps(session) -> None:  # noqa: ANN001
    app = WizardApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await discovered(app, pilot)
        steps = app.query_one("#step-list", StepList)
        steps.focus()
        await pilot.press("up")
        assert steps.highlighted == 0  # no wrap to the last step
        await pilot.press(*["down"] * (len(NAMES) + 2))
        assert steps.highlighted == len(NAMES) - 1
        await pilot.press("up", "enter")  # Apply: never reached from the list
        await pilot.pause()
        assert session.current == "connect"
        assert "Apply runs only from the Preview" in str(app.query_one("#reason", Static).render())
        await pilot.click("#step-list", offset=(2, NAMES.index("vpc")))
        await pilot.pause()
        assert session.current == "vpc"


class Table(App[None]):
    def compose(self) -> ComposeResult:
        yield Choices(("name",), multi=False)


async def test_a_filter_key_that_keeps_the_same_rows_rebuilds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Typing further in a filter often matches the same hundred rows: rebuilding them was most of the key."""
    app = Table()
    async with app.run_test() as pilot:
        await pilot.pause()
        table = app.query_one(Choices)
        cleared: list[int] = []
        clear = Choices.clear
        monkeypatch.setattr(Choices, "clear", lambda self, columns=False: cleared.append(1) or clear(self, columns))
        rows = [(f"vpc-{i}", (f"10.{i}.0.0/16",)) for i in range(100)]
        table.fill(rows, ["vpc-3"])
        table.move_cursor(row=7)
        table.fill(list(rows), ["vpc-3"])  # the same rows and mark: nothing rebuilt, the cursor stays
        assert len(cleared) == 1 and table.cursor_row == 7 and table.row_count == 100
        table.fill(rows, ["vpc-4"])  # another mark: rebuilt
        table.fill(rows[:50], ["vpc-4"])  # fewer rows: rebuilt
        assert len(cleared) == 3 and table.row_count == 50
        assert str(table.get_cell("vpc-4", "mark")) == "(*)"


class Drawn(Static):
    broken = False
    drawn = 0

    def render_lines(self, crop: Any) -> Any:
        self.drawn += 1
        if self.broken:
            raise RuntimeError("an error in drawing")
        return super().render_lines(crop)


class Draws(App[None]):
    def compose(self) -> ComposeResult:
        yield Drawn(id="drawn")


async def test_an_app_that_draws_only_when_it_exits_still_fails_its_test_on_an_error_in_drawing(frames) -> None:  # noqa: ANN001
    """conftest `frames` (test_screens' apps): frames are laid out but not drawn until the app exits, and then
    what changed is drawn, so an error in drawing still fails the test."""
    app = Draws()
    with pytest.raises(RuntimeError, match="an error in drawing"):
        async with app.run_test() as pilot:
            widget = app.query_one(Drawn)
            await pilot.pause()
            assert widget.drawn == 0 and widget.size.width > 0  # laid out, not drawn
            widget.broken = True
            widget.refresh()
            await pilot.pause()
            assert widget.drawn == 0


def test_a_key_is_named_as_typed_escape_then_a_letter_too() -> None:
    """Escape typed right before a letter reaches Textual as one key (the terminal sends Alt+letter; Escape b as
    Ctrl+Left): a note named it 'y' (a window 'you typed y' for Escape y) or Ctrl+Left."""
    from textual import events

    from screens.keyguard import key_name

    assert key_name(events.Key("alt+y", "y")) == "Escape then 'y'"
    assert key_name(events.Key("ctrl+left", None)) == "Ctrl+Left (or Escape then 'b')"
    assert [key_name(events.Key(k, c)) for k, c in (("y", "y"), ("ctrl+s", None), ("space", " "))] == [
        "'y'", "Ctrl+S", "Space"]
