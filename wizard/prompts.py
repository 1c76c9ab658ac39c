"""The plain-prompt front end (`--plain`): the wizard's steps as questionary questions over WizardSession."""

from __future__ import annotations

import os
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wizard import validators
from wizard.errors import InvalidInput, Refused
from wizard.models import EXTRA_SERVICES
from wizard.modes import MODES
from wizard.render import plan_text
from wizard.session import WizardSession, split_list
from wizard.steps import INPUTS, STEPS, Step, endpoint_policy_error


class Asker:
    """The questions, behind one small interface so that tests can answer them."""

    def text(self, message: str, default: str = "", validate: Callable[[str], bool | str] | None = None) -> str:
        """A typed answer, asked as `aws configure` asks: the default (or the answer given before) in brackets after
        the question, the field empty, and an empty answer takes the default (a trial: the default was pre-filled,
        and typing appended to it: `studio-private` + `abc` saved a profile named `studio-privateabc`). When an
        empty answer is itself accepted (an optional list), `-` answers it, and the brackets say so."""
        clears = bool(default) and (validate is None or validate("") is True)
        shown = f"{message} [{default}{'; - for empty' if clears else ''}]" if default else message

        def answer(typed: str) -> str:
            if not typed.strip():
                return default
            return "" if clears and typed.strip() == "-" else typed

        checked = (lambda typed: validate(answer(typed))) if validate is not None else None
        return answer(_answered(text_question(shown, "", checked).ask()))

    def select(self, message: str, choices: list[tuple[str, str]], default: str | None = None) -> str:
        import questionary  # noqa: PLC0415

        options = [questionary.Choice(title, value) for title, value in choices]
        question = questionary.select(message, choices=options, default=default)
        _ctrl_d_ends(question.application)
        return _answered(question.ask())

    def checkbox(self, message: str, choices: list[tuple[str, str, bool, str]]) -> list[str]:
        """choices: (title, value, checked, disabled reason or '')."""
        import questionary  # noqa: PLC0415

        options = [questionary.Choice(title, value, checked=checked, disabled=reason or None)
                   for title, value, checked, reason in choices]
        question = questionary.checkbox(message, choices=options)
        _ctrl_d_ends(question.application)
        return _answered(question.ask())

    def confirm(self, message: str, default: bool = False) -> bool:
        """A yes/no question (Overwrite?): keys typed ahead, or in its first moment on screen, never answer it
        (`Enter Enter y Enter` at the Next menu overwrote a profile: trial 5)."""
        import questionary  # noqa: PLC0415

        dropped = drop_typed_ahead()
        # y or n, then Enter (auto_enter off): the habitual `n Enter` answered at the n, and the Enter then took the
        # next question's default (trial 16: the profile was saved to the default path, not the one chosen)
        question = questionary.confirm(message, default=default, auto_enter=False)
        _arm(question.application, "y or n", dropped)
        return bool(_answered(question.ask()))

    def confirm_changes(self, message: str) -> bool:
        """Before any change to AWS: 'yes' typed in full (ask_yes)."""
        return ask_yes(message)


def text_question(message: str, default: str = "", validate: Callable[[str], bool | str] | None = None) -> Any:
    """questionary's text question, whose refusals wrap at the terminal's width: prompt_toolkit's validation
    toolbar is one line, and cut the reason (which names what was typed, so has no bound) at the right edge."""
    import questionary  # noqa: PLC0415
    from prompt_toolkit.filters import to_filter  # noqa: PLC0415
    from prompt_toolkit.layout import walk  # noqa: PLC0415
    from prompt_toolkit.layout.containers import Window  # noqa: PLC0415
    from prompt_toolkit.layout.controls import FormattedTextControl  # noqa: PLC0415
    from prompt_toolkit.widgets.toolbars import ValidationToolbar  # noqa: PLC0415

    def refusal(value: str) -> bool | str:  # at words, at the width (the window below also wraps, at characters)
        verdict = validate(value) if validate is not None else True
        if isinstance(verdict, str):
            from prompt_toolkit.application import get_app  # noqa: PLC0415

            width = get_app().output.get_size().columns - 1
            return "\n".join(textwrap.wrap(verdict, max(width, 20), break_on_hyphens=False)) or verdict
        return verdict

    question = questionary.text(message, default=default, validate=refusal if validate is not None else None)
    for window in walk(question.application.layout.container):
        if (isinstance(window, Window) and isinstance(window.content, FormattedTextControl)
                and getattr(window.content.text, "__qualname__", "").startswith(ValidationToolbar.__qualname__)):
            window.height = None  # as many lines as the reason needs
            window.wrap_lines = to_filter(True)
    return question


def drop_typed_ahead() -> int:
    """Keys typed before a question appears never answer it (paste, or keys mashed while the plan was made):
    those the terminal still holds, and those an earlier question read with its own keys and kept for the next
    one (prompt_toolkit reads input in chunks and stores what follows its Enter as "typeahead": `Down Enter y e s
    Enter` in one burst at --plain's Next menu answered the apply question that came after it). Returns how many
    keys it dropped, for the question to say (a trial: a `yes` typed ahead was dropped in silence)."""
    dropped = 0
    try:
        import termios  # noqa: PLC0415

        if sys.stdin.isatty():
            fd = sys.stdin.fileno()
            try:
                dropped += _read_pending(fd)
            finally:
                termios.tcflush(fd, termios.TCIFLUSH)  # and what arrived meanwhile
    except (ImportError, OSError, ValueError, AttributeError):
        pass
    if "prompt_toolkit" in sys.modules:  # an earlier question ran: it may have kept keys for the next one
        from prompt_toolkit.application.current import get_app_session  # noqa: PLC0415
        from prompt_toolkit.input.typeahead import get_typeahead  # noqa: PLC0415

        try:
            dropped += len(get_typeahead(get_app_session().input))  # (and so cleared)
        except (OSError, ValueError, AttributeError):  # no terminal input to make (ask_yes then fails as before)
            pass
    return dropped


def _read_pending(fd: int) -> int:
    """Read what the terminal holds for us, at once and without waiting, and say how many keys it was (an
    escape sequence, an arrow key say, is one). Read in non-canonical mode: a line not yet ended counts too."""
    data = _pending_bytes(fd)
    return len(re.sub(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?", "k", data.decode(errors="replace")))


def _pending_bytes(fd: int) -> bytes:
    """What the terminal holds for us, read at once and without waiting, in non-canonical mode."""
    import termios  # noqa: PLC0415

    saved = termios.tcgetattr(fd)
    now = list(saved)
    now[3] = saved[3] & ~termios.ICANON
    now[6] = list(saved[6])
    now[6][termios.VMIN], now[6][termios.VTIME] = 0, 0  # a read returns at once, empty when nothing is there
    data = b""
    try:
        termios.tcsetattr(fd, termios.TCSANOW, now)
        while len(data) < 65536:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)
    return data


ARMING_SECONDS = 0.3  # as the TUI's windows: nobody reads a question and answers it faster
last_drawn = 0.0  # time.monotonic() when the last armed question was first drawn


def _add_bindings(application: Any, bindings: Any) -> None:
    """Key bindings on top of a questionary question's own."""
    from prompt_toolkit.key_binding import merge_key_bindings  # noqa: PLC0415

    application.key_bindings = merge_key_bindings([b for b in (application.key_bindings, bindings) if b is not None])


def _ctrl_d_ends(application: Any) -> None:
    """Ctrl+D at a list or checkbox question is end of input, as at a typed one (prompt_toolkit binds it only in
    a text field): the session's recovery, as Ctrl+C (trial 16: it did nothing there, and the README says it
    ends every question)."""
    from prompt_toolkit.key_binding import KeyBindings  # noqa: PLC0415

    bindings = KeyBindings()

    @bindings.add("c-d", eager=True)
    def _end(event: Any) -> None:
        event.app.exit(exception=EOFError())

    _add_bindings(application, bindings)


def _arm(application: Any, again: str, dropped: int = 0) -> None:
    """Keys that reach a question in its first ARMING_SECONDS on screen are ignored (found by a trial: a `yes`
    written 10-54 ms before the question was drawn, after the flush of keys typed ahead, destroyed what a profile
    had made: the flush cannot see keys still on their way). Counted from the first time it is drawn. Ignored
    keys are said below the question (`again`: what to type), as the wizard's windows say theirs: without it
    the question just went on waiting for an answer that had been typed."""
    import time  # noqa: PLC0415

    from prompt_toolkit.filters import Condition, is_done  # noqa: PLC0415
    from prompt_toolkit.key_binding import KeyBindings  # noqa: PLC0415
    from prompt_toolkit.keys import Keys  # noqa: PLC0415
    from prompt_toolkit.layout.containers import ConditionalContainer, HSplit, Window  # noqa: PLC0415
    from prompt_toolkit.layout.controls import FormattedTextControl  # noqa: PLC0415

    shown: list[float] = []
    ignored: list[int] = [dropped] if dropped else []  # those typed ahead, dropped before it was drawn

    def drawn(_: Any) -> None:
        global last_drawn  # when a question was last put on screen (tests type after it)
        if not shown:
            shown.append(time.monotonic())
            last_drawn = shown[0]

    def ignore(event: Any) -> None:
        for press in event.key_sequence:
            if press.key == Keys.CPRResponse:  # the terminal's answer to where the cursor is: prompt_toolkit's own
                row = int(press.data[2:-1].split(";")[0])  # (Keys.Any caught it too, and the prompt waited for it)
                event.app.renderer.report_absolute_cursor_row(row)
            elif press.key not in (Keys.Vt100MouseEvent, Keys.WindowsMouseEvent):
                ignored.append(1)

    def said() -> str:
        count = sum(ignored)
        return (f"(ignored {count} key{'' if count == 1 else 's'} typed before or as the question appeared; "
                f"type {again} again)")

    arming = Condition(lambda: not shown or time.monotonic() - shown[0] < ARMING_SECONDS)
    bindings = KeyBindings()
    for key in (Keys.Any, "enter", "c-j", Keys.BracketedPaste):
        bindings.add(key, filter=arming, eager=True)(ignore)
    application.after_render += drawn
    _add_bindings(application, bindings)
    line = Window(FormattedTextControl(lambda: [("italic", said())]), wrap_lines=True, dont_extend_height=True)
    layout = application.layout  # the line below the question, while it is asked and keys were ignored
    layout.container = HSplit([layout.container, ConditionalContainer(line, filter=~is_done & Condition(
        lambda: bool(ignored)))])


def ask_yes(question: str) -> bool:
    """The one question before any change to AWS (CLI and --plain): only the word yes, typed then Enter, goes
    ahead, as Terraform asks; keys typed ahead are dropped; Ctrl+C interrupts (exit 130)."""
    import questionary  # noqa: PLC0415

    dropped = drop_typed_ahead()
    prompt = questionary.text(f"{question} Only 'yes' goes ahead:")
    if getattr(prompt, "application", None) is not None:  # (a test's stand-in has none)
        _arm(prompt.application, "yes", dropped)
    answer = _answered(prompt.ask())
    from wizard.validators import typed_yes  # noqa: PLC0415

    if typed_yes(str(answer)) and _ctrl_c_behind_the_answer():
        raise KeyboardInterrupt  # before any change: the CLI says "interrupted; nothing was changed" (exit 130)
    return typed_yes(str(answer))


def _ctrl_c_behind_the_answer() -> bool:
    """Was Ctrl+C typed right behind the answer's Enter (a trial: `yes Enter Ctrl+C` in one burst applied
    everything: the prompt had read the Ctrl+C as a key, kept it for a next question, and no SIGINT came)?
    Looks at the keys the prompt kept and those the terminal still holds; the rest are dropped, as any
    question drops keys typed ahead of it."""
    found = False
    if "prompt_toolkit" in sys.modules:
        from prompt_toolkit.application.current import get_app_session  # noqa: PLC0415
        from prompt_toolkit.input.typeahead import get_typeahead  # noqa: PLC0415
        from prompt_toolkit.keys import Keys  # noqa: PLC0415

        try:
            found = any(press.key == Keys.ControlC or press.data == "\x03"
                        for press in get_typeahead(get_app_session().input))
        except (OSError, ValueError, AttributeError):
            pass
    try:
        if sys.stdin.isatty():
            found = b"\x03" in _pending_bytes(sys.stdin.fileno()) or found
    except (OSError, ValueError, AttributeError):
        pass
    return found


def _answered(value: Any) -> Any:
    if value is None:  # questionary returns None on Ctrl+C
        raise KeyboardInterrupt
    return value


def _say(text: str = "") -> None:
    print(text, flush=True)


def run_prompts(cloud_factory: Callable[[], Any], preload: Any = None, profile_path: str | None = None,
                asker: Asker | None = None, demo: bool = False) -> int:
    if asker is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise InvalidInput("--plain needs a terminal to ask on; replay a saved profile with "
                               "`studio-vpce apply PROFILE --yes`")
        asker = Asker()
    session = WizardSession(cloud_factory, preload=preload, demo=demo)
    if profile_path and preload is not None and not isinstance(preload, dict):  # a profile file, not a recovery:
        session.loaded_from = Path(profile_path)  # Save offers it (as the TUI does), and asks before overwriting
    return PlainWizard(session, asker, profile_path).run()


SCREEN_WIDTH = 80
CHOICE_WIDTH = 72  # a choice's title: questionary adds its pointer and box (up to 6 columns) on an 80-column line


def fit(text: str, width: int = CHOICE_WIDTH) -> str:
    """One line of at most `width` characters: cut with '…' (the full text is said above the question)."""
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def say_wrapped(text: str, indent: str = "  ") -> None:
    """A line of detail, wrapped within 80 columns (continuations indented further)."""
    _say(textwrap.fill(text, SCREEN_WIDTH, initial_indent=indent, subsequent_indent=indent + "    ",
                       break_on_hyphens=False, break_long_words=True))


def fitted(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Choices whose titles fit within 80 columns; when one is cut, every full title is said first, wrapped."""
    if any(len(title) > CHOICE_WIDTH for title, _ in rows):
        for title, _ in rows:
            say_wrapped(title)
    return [(fit(title), value) for title, value in rows]


class _Done(Exception):
    """The user chose to stop (quit without saving)."""


class _Back(Exception):
    """A step cannot go on with the earlier answers: ask again from `step` (every answer is kept)."""

    def __init__(self, step: str) -> None:
        super().__init__(step)
        self.step = step


EXIT_INTERRUPTED = 130


class PlainWizard:
    """Walks the step registry (wizard/steps.py) in order; each step is a method named after it."""

    def __init__(self, session: WizardSession, ask: Asker, profile_path: str | None) -> None:
        self.s = session
        session.plain = True  # Ctrl+C's resume command opens --plain again
        self.ask = ask
        self.profile_path = profile_path
        # Said again after the plan that the Preview prints next (a trial: "Not applied" scrolled off at once
        # under the ~100 lines of the plan printed again, and the question seemed lost).
        self.after_plan = ""
        self.asking_apply = False  # at the question(s) before apply: Ctrl+C there changed nothing, and says so

    def heading(self, step: Step) -> None:
        _say(f"\n== Step {STEPS.index(step) + 1} of {len(STEPS)}: {step.title}"
             + ("  [DEMO sandbox: nothing here is real]" if self.s.demo else ""))

    def text(self, key: str, default: str) -> str:
        """Ask for a typed input with its label, refused by the same rule (and words) as in the TUI; what an
        empty answer means goes with the label, as the TUI's placeholder says it (a trial: blank prompts)."""
        item = INPUTS[key]
        empty = re.search(r"\((empty: [^)]*|optional)\)", item.placeholder)
        label = f"{item.label} ({empty.group(1)})" if empty else item.label
        return self.ask.text(label, default=default,
                             validate=lambda value: self.s.input_error(key, value) or True)

    def run(self) -> int:
        try:
            self.walk()
        except _Done:
            return 0
        except (KeyboardInterrupt, EOFError) as stop:  # Ctrl+C at any question: the TUI's recovery
            # (WizardSession.interrupted). Ctrl+D (end of input) too: a trial's Ctrl+D said "error: EOFError:",
            # exit 1, and the answers were lost
            message = self.s.interrupted()
            how = "interrupted (end of input)" if isinstance(stop, EOFError) else "interrupted"
            if self.asking_apply:  # as the CLI says it there (a trial: --plain said only "interrupted")
                how += " at the apply question (nothing was changed)"
            message = message.replace("interrupted", how, 1)
            print(message, file=sys.stderr, flush=True)
            return EXIT_INTERRUPTED
        return 0 if self.s.result is None or self.s.result.ok else 1

    def walk(self) -> None:
        names = [step.name for step in STEPS]
        index = 0
        while index < len(STEPS):
            step = STEPS[index]
            if step.name == "apply":
                index += 1
                continue  # reached only by confirming on the Preview (step_preview runs it)
            self.s.step = index
            self.heading(step)
            try:
                getattr(self, f"step_{step.name}")()
            except _Back as back:
                index = names.index(back.step)
                continue
            index += 1

    def step_connect(self) -> None:
        _say("Discovering the account (nothing changes until you apply)...")
        inv = self.s.connect()
        _say(f"Account {inv.account_id}, region {inv.region}, caller {inv.caller.arn}")
        self.s.answers["name"] = self.text("name", self.s.answers["name"]).strip()

    def step_vpc(self) -> None:
        s = self.s
        rows = s.vpc_rows()
        if s.vpc is None and s.notes.get("vpc"):  # a loaded profile's VPC that is gone (the TUI's VPC step says it)
            say_wrapped(f"Note: {s.notes['vpc']}")
        choice = self.ask.select("VPC", fitted([((f"{r.vpc.id}  domains: {','.join(r.domains) or '-'}  "
                                                  f"{','.join(r.vpc.cidrs)}  {r.vpc.name or '-'}"), r.vpc.id)
                                                for r in rows]),
                                 default=s.answers["vpc_id"] if any(r.vpc.id == s.answers["vpc_id"] for r in rows)
                                 else None)
        vpc = s.select_vpc(choice)
        if vpc and (vpc.dns_support is False or vpc.dns_hostnames is False):
            _say("Note: DNS support or hostnames is off in this VPC; private DNS needs both.")

    def step_subnets(self) -> None:
        s = self.s
        while True:
            options = s.subnet_options()
            for o in options:  # why a row cannot be ticked, in full (the row itself says "see above")
                if o.gone:  # a loaded profile's subnet that is not in the VPC: ticked, to be unticked
                    say_wrapped(f"{o.reason}: untick it")
                elif not o.selectable:
                    say_wrapped(f"{o.subnet.id} cannot be chosen: {o.reason}")
            picked = self.ask.checkbox("Subnets (one per Availability Zone)", [
                (fit(f"{o.subnet.id}  {o.subnet.az}  {o.subnet.cidr}  {o.subnet.name or '-'}",
                     CHOICE_WIDTH if o.selectable else CHOICE_WIDTH - len(" (see above)")),
                 o.subnet.id, o.selected, "see above" if not o.selectable else "") for o in options])
            s.answers["subnet_ids"] = [o.subnet.id for o in options if o.subnet.id in picked]
            ok, reason = s.check("subnets")
            if ok:
                return
            _say(f"  {reason}")

    def step_domain(self) -> None:
        s = self.s
        domains = s.domains()
        if not domains:
            if s.inventory is None or not s.inventory.domains:
                raise InvalidInput(f"no Studio domain in region {s.region}: create one first, or choose "
                                   "the domain's region with --region")
            _say(f"No Studio domain in {s.answers['vpc_id']}: choose the domain's VPC (its row lists the domain).")
            raise _Back("vpc")  # the TUI's "go back"; the other answers are kept
        if s.domain is None and s.notes.get("domain"):  # a loaded profile's domain that is gone
            say_wrapped(f"Note: {s.notes['domain']}")
        domain_id = self.ask.select("Studio domain", fitted([(f"{d.id}  {d.auth_mode}  {d.network_mode}  {d.name}",
                                                               d.id) for d in domains]),
                                    default=s.answers["domain_id"] if any(d.id == s.answers["domain_id"]
                                                                          for d in domains) else None)
        s.select_domain(domain_id)
        for note in (s.notes.get("access"), s.notes.get("endpoints")):
            if note:
                _say(f"Note: {note}")
        sg = s.answers["security_group"]
        sg["allow_from_security_groups"] = split_list(self.text("sg_sources", ", ".join(sg["allow_from_security_groups"])))
        sg["allow_from_cidrs"] = split_list(self.text("sg_cidrs", ", ".join(sg["allow_from_cidrs"])))
        sg["id"] = self.text("sg_id", sg["id"] or "").strip() or None

    def step_endpoints(self) -> None:
        a, ask = self.s.answers, self.ask
        dns = a["dns"]
        dns["mode"] = ask.select("DNS", [("private DNS on the endpoints (the guide's default)", "private-dns"),
                                         ("private hosted zones", "hosted-zone")], default=dns["mode"])
        dns["fix_vpc_attributes"] = ask.confirm("Turn on the VPC's DNS attributes if they are off?",
                                                default=dns["fix_vpc_attributes"])
        policy = a["endpoint_policy"]
        for key in ("studio", "api"):
            while True:
                policy[key] = ask.checkbox(f"{key} endpoint policy presets", [
                    (p, p, p in policy[key], "") for p in ("create-app", "presigned-url")])
                reason = endpoint_policy_error(self.s, key)  # the step's own rule (wizard/steps.py)
                if not reason:
                    break
                _say(f"  {reason}")
        a["endpoints"]["extra"] = ask.checkbox("Extra endpoints (VpcOnly domains)", [
            (e, e, e in a["endpoints"]["extra"], "") for e in EXTRA_SERVICES])

    def step_access(self) -> None:
        s, ask = self.s, self.ask
        access = s.answers["access"]
        reason = s.mode_reason()
        if reason:
            _say(f"Access mode: none. {reason}")
        else:
            s.set_mode(ask.select("Restrict opening Studio to", fitted([(f"{m.name}: {m.help}", m.name)
                                                                         for m in MODES]),
                                  default=access["mode"]))
        if access["mode"] == "none":
            return
        access["effect"] = ask.select("Effect", [("allow (the guide's policy)", "allow"),
                                                 ("deny guardrail as well", "deny")], default=access["effect"])
        if next(m for m in MODES if m.name == access["mode"]).needs_cidrs:
            s.set_cidrs(self.text("access_cidrs", ", ".join(access["cidrs"])))
        while True:
            for kind, name in s.gone_principals():  # a loaded profile's attach targets the account lacks: ticked
                say_wrapped(f"{validators.principal_exists(kind, name, False)}: untick it")  # below
            for kind in ("user", "group", "role"):
                names = s.principals(kind)
                if len(names) > 50:
                    names = s.principals(kind, ask.text(f"Filter {kind}s (there are {len(names)})", ""))[:200]
                chosen = access["attach"][f"{kind}s"]
                every = set(s.principals(kind))
                access["attach"][f"{kind}s"] = ask.checkbox(f"Attach to {kind}s", [
                    (n if n in every else f"{n} (does not exist)", n, n in chosen, "")
                    for n in sorted(set(names) | set(chosen))])
            if not s.gone_principals():  # the step's own rule (its refusal: the lines above, again)
                break
        if s.self_lockout():
            where = next(m for m in MODES if m.name == access["mode"]).where or "from inside the VPC"
            _say(f"Warning: you are among the attach targets: this policy lets you open Studio only {where}; "
                 "the Preview's warnings say more.")

    def step_preview(self) -> None:
        s, ask = self.s, self.ask
        plan = s.build_plan()
        _say(plan_text(plan))
        if self.after_plan:
            _say(self.after_plan)
            self.after_plan = ""
        actions = [("Save the profile without applying", "save"), ("Change an answer (every answer is kept)", "back"),
                   ("Quit without saving", "quit")]
        if not plan.errors and plan.has_changes:
            actions.append(("Apply now (asks you to type yes)", "apply"))
        action = ask.select("Next", actions, default="save")  # Enter alone never applies
        if action == "quit":
            raise _Done
        if action == "back":  # a plan with errors is fixed where the answer was given, as the TUI's Back does
            earlier = [step for step in STEPS if step.name not in ("preview", "apply", "save")]  # Connect: the name
            raise _Back(ask.select("Go back to", [(step.title, step.name) for step in earlier], default=earlier[0].name))
        if action != "apply":
            return
        from wizard.cli import confirm_question  # noqa: PLC0415 - the CLI's own words

        questions = [confirm_question(plan, "apply")]
        questions += [c.question for c in plan.confirmations]  # the same questions as the CLI and the TUI
        for question in questions:
            self.asking_apply = True  # until it is answered (Ctrl+C leaves it set, for run's message)
            yes = ask.confirm_changes(question)
            self.asking_apply = False
            if not yes:  # back to the Preview's menu, as the TUI's cancel goes
                _say("Not applied: nothing was changed.")
                self.after_plan = "Not applied: nothing was changed (only the word yes, typed in full, applies)."
                raise _Back("preview")
        s.confirmed_apply(plan, answered=[c.code for c in plan.confirmations])
        self.heading(STEPS[s.step])
        try:
            result = s.apply(lambda e: _say(f"{e.kind:>6} {e.address} {e.id or ''}") if e.kind != "start" else None)
        except Refused as exc:  # stale (someone applied meanwhile): as the TUI, plan again with every answer kept
            _say(f"Not applied: {exc}. Planning again (every answer is kept).")
            self.after_plan = f"Not applied: {exc}. The plan above is made again from the account as it is now."
            s.to_preview()
            raise _Back("preview") from None
        if result.ok:
            _say(f"Applied: {s.applied_summary()}.")
        else:
            _say(f"Apply stopped after {s.applied_summary()}: {result.error}. Run the same profile again to carry on.")

    def step_save(self) -> None:
        s = self.s
        while True:
            path = self.ask.text("Save the profile to", s.default_save_path(),  # checked at each key typed
                                 validate=lambda value: s.check_save_path(value, probe=False)[1] or True)
            target, reason = s.check_save_path(path)  # all of it, once: a file is made beside it, and removed
            if reason:
                _say(f"  {reason}")
                continue
            if target.exists() and not self.ask.confirm(s.overwrite_question(target)):
                continue
            saved = s.save(target, overwrite=True)
            _say(f"Saved {saved}. Replay it with: {s.replay_command()}{s.replay_note()}")
            return
