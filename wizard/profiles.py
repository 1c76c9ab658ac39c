"""The only YAML reader and writer: a strict loader with file:line:column errors, and atomic saves.

PyYAML's safe_load keeps the last of duplicate keys and reads `no` as false and `0443` as 291 (YAML 1.1).
We compose the node tree ourselves (safe: no constructors run) and resolve scalars by YAML 1.2's core
schema, refusing anything YAML 1.1 would read differently.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from wizard.errors import InvalidInput
from wizard.models import DUPLICATE_ITEM, Profile

# The profile reference, in the repository (README links it too).
PROFILE_DOC = "docs/profile.md"
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}
_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$|^0b[01]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_STANDARD_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
                  "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
                  "tag:yaml.org,2002:float"}

Path_ = tuple[str | int, ...]


class _Marks:
    """Where each value (and each key) sits in the file, by path."""

    def __init__(self) -> None:
        self.values: dict[Path_, tuple[int, int]] = {}
        self.keys: dict[Path_, tuple[int, int]] = {}

    def find(self, loc: Path_, at_key: bool = False) -> tuple[int, int]:
        """The value's position (the key's, for unknown keys); else the nearest enclosing value's."""
        if at_key and loc in self.keys:
            return self.keys[loc]
        for cut in range(len(loc), -1, -1):
            if tuple(loc[:cut]) in self.values:
                return self.values[tuple(loc[:cut])]
        return (1, 1)


def _pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _dotted(loc: Path_) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _fail(source: str, where: tuple[int, int], key: Path_, message: str) -> InvalidInput:
    return InvalidInput(f"{source}:{where[0]}:{where[1]}: {_dotted(key)}: {message}")


def _scalar(node: yaml.ScalarNode, source: str, loc: Path_) -> Any:
    if node.tag not in _STANDARD_TAGS and node.tag != "!":
        raise _fail(source, _pos(node), loc, f"YAML tag {node.tag!r} is not allowed in a profile")
    text = node.value
    if node.style in ("'", '"', "|", ">"):
        return text
    lowered = text.lower()
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in _YAML11_BOOLS:
        raise _fail(source, _pos(node), loc,
                    f"'{text}' is ambiguous (YAML 1.1 reads it as a boolean): write true/false, or quote it")
    if _LEADING_ZERO.match(text):
        raise _fail(source, _pos(node), loc,
                    f"'{text}' is ambiguous (YAML 1.1 reads it as an octal/hex number): quote it")
    if _SEXAGESIMAL.match(text):
        raise _fail(source, _pos(node), loc,
                    f"'{text}' is ambiguous (YAML 1.1 reads it as a base-60 number): quote it")
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text) or lowered in (".inf", "-.inf", "+.inf", ".nan"):
        return float(text)
    return text


def _build(node: yaml.Node, source: str, loc: Path_, marks: _Marks) -> Any:
    marks.values[loc] = _pos(node)
    if node.tag not in _STANDARD_TAGS and not isinstance(node, yaml.ScalarNode):
        raise _fail(source, _pos(node), loc, f"YAML tag {node.tag!r} is not allowed in a profile")
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise _fail(source, _pos(key_node), loc, "keys must be plain names (no merge keys)")
            key = key_node.value
            if key in out:
                first = marks.keys[loc + (key,)]
                raise _fail(source, _pos(key_node), loc + (key,),
                            f"duplicate key (first at line {first[0]}); YAML would keep only the last")
            marks.keys[loc + (key,)] = _pos(key_node)
            out[key] = _build(value_node, source, loc + (key,), marks)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, source, loc + (i,), marks) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(node, source, loc)


# libyaml's parser when PyYAML has it (its wheels do): the same nodes and marks, several times faster (15 ms to
# 2 ms for an example profile). Its error texts say less ("found character that cannot start any token"), so text
# it refuses is parsed again by PyYAML's own parser for the message.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose(text: str) -> yaml.Node | None:
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


MAX_DEPTH = 20  # a profile nests 4 levels deep; 500 nested `[` overflowed Python's stack (RecursionError)


def _refuse_aliases_and_depth(text: str, source: str) -> None:
    """YAML aliases (`*name`) are refused where they stand: profiles need none, nine lines of nested ones expand
    to billions of values (13 GB and minutes, a "billion laughs"), and a recursive one never ends. So is nesting
    deeper than MAX_DEPTH, where it starts (the parser reads events one by one: it does not recurse)."""
    depth = 0  # (a pass over the events of a profile: about 0.1 ms)
    try:
        events = list(yaml.parse(text, Loader=_FAST_LOADER or yaml.SafeLoader))
    except yaml.YAMLError:
        events = []  # not YAML: _compose says why, in PyYAML's words
    for event in events:
        mark = event.start_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        if isinstance(event, yaml.AliasEvent):
            raise InvalidInput(f"{source}:{line}:{col}: YAML alias *{event.anchor}: aliases are not allowed in a "
                               "profile; write the value out")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise InvalidInput(f"{source}:{line}:{col}: nested more than {MAX_DEPTH} levels deep: a profile "
                                   f"nests a few levels (see {PROFILE_DOC})")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def parse_yaml(text: str, source: str) -> tuple[Any, _Marks]:
    """Strictly parse YAML text into plain data plus the position of every value."""
    marks = _Marks()
    try:
        _refuse_aliases_and_depth(text, source)
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise InvalidInput(f"{source}:{where[0]}:{where[1]}: not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{source}: not valid YAML: {exc}") from None
    if node is None:
        raise InvalidInput(f"{source}:1:1: the profile is empty")
    return _build(node, source, (), marks), marks


_LONG_WORD = re.compile(r"\S{81,}")
_QUOTES = "'\"`:,"  # around the value in a message: not its characters (a trial counted 152 for 150)


def _shortened(text: str) -> str:
    """A message with every run of more than 80 characters without a space cut to its first 40 (a 100 000-character
    name was echoed in full)."""
    return _LONG_WORD.sub(lambda m: f"{m.group()[:40]}…({len(m.group().strip(_QUOTES))} characters)", text)


def _message(error: Any) -> str:
    return _shortened(_error_message(error))


def _error_message(error: Any) -> str:
    kind, msg = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return f"unknown key (check the spelling; every key is in {PROFILE_DOC})"
    if kind == "missing":
        return "required key is missing from the mapping that starts here"  # (a missing key has no line)
    if kind in ("value_error", DUPLICATE_ITEM):
        return msg.removeprefix("Value error, ")
    if kind in ("literal_error", "enum"):
        return f"{error.get('input')!r} is not allowed: {msg.lower()}"
    return f"{msg.lower()} (got {error.get('input')!r})"


# An unknown key is named in its error only when it has a key's shape: a file passed by mistake (/etc/shadow,
# a credentials file in another format) must not have its lines printed as "unknown keys".
_KEY_SHAPE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def _unknown_key_shown(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    key = loc[-1] if loc else None
    if isinstance(key, str) and not _KEY_SHAPE.match(key):
        return (*loc[:-1], f"<a key of {len(key)} characters, not shown>")
    return loc


def profile_from_data(data: Any, source: str, marks: _Marks | None = None) -> Profile:
    """Validate plain data as a Profile; errors name file:line:column and the key."""
    marks = marks or _Marks()
    if not isinstance(data, dict):
        raise InvalidInput(f"{source}:1:1: a profile is a mapping of keys (see {PROFILE_DOC})")
    if data and not set(map(str, data)) & set(Profile.model_fields):
        raise InvalidInput(f"{source}:1:1: not a studio-vpce profile: none of its {len(data)} top-level keys is a "
                           f"profile key (a profile starts with `version: 1`, see {PROFILE_DOC}); its content is not "
                           "shown")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        lines = []
        errors = exc.errors()
        for error in errors[:MAX_ERRORS]:
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
            if error["type"] == DUPLICATE_ITEM:  # at the repeat, not at the list
                loc = (*loc, error["ctx"]["index"])
            line, col = marks.find(loc, at_key=error["type"] == "extra_forbidden" or "[key]" in error["loc"])
            shown = _unknown_key_shown(loc) if error["type"] == "extra_forbidden" else loc
            lines.append(f"{source}:{line}:{col}: {_dotted(shown)}: {_message(error)}")
        if len(errors) > MAX_ERRORS:  # a trial's 200,000 unknown keys printed 200,005 lines
            lines.append(f"{source}: and {len(errors) - MAX_ERRORS} more errors (fix these first)")
        raise InvalidInput("\n".join(lines)) from None


MAX_ERRORS = 20


def load_text(text: str, source: str = "<profile>") -> Profile:
    data, marks = parse_yaml(text, source)
    return profile_from_data(data, source, marks)


def load(path: str | Path) -> Profile:
    """Load a profile file. Never executes anything; errors are InvalidInput (exit 3)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such profile file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read the profile ({exc})") from None
    return load_text(text, str(path))


def region_mark(path: str | Path) -> tuple[int, int]:
    """Line and column of the `region` value (for the region-contradiction error)."""
    _, marks = parse_yaml(Path(path).read_text(encoding="utf-8"), str(path))
    return marks.find(("region",))


def dump(profile: Profile) -> str:
    data = profile.model_dump(mode="json")
    header = (f"# studio-vpce profile: every key is explained in {PROFILE_DOC} (studio-vpce's repository).\n"
              "# Review: studio-vpce plan THIS_FILE   Replay: studio-vpce apply THIS_FILE --yes\n")
    return header + yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=False)


def command_path(path: str | Path) -> str:
    """A path as it goes into a command the tool prints: one a shell passes whole, and that no parser takes for
    an option (`-x.yaml` -> `./-x.yaml`)."""
    import shlex  # noqa: PLC0415

    text = str(path)
    return shlex.quote(f"./{text}" if text.startswith("-") else text)


def save(profile: Profile, path: str | Path) -> Path:
    """Write atomically: a temp file in the same folder, then rename over the target."""
    path = Path(path)
    tmp = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(dump(profile))
        os.replace(tmp, path)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        # The error names the user's path, not the temporary file beside it (same type: callers catch OSError).
        if exc.errno is not None:
            raise type(exc)(exc.errno, exc.strerror, str(path)) from None
        raise type(exc)(f"{path}: {exc}") from None
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise
    return path
