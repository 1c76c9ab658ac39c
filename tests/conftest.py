"""Shared fixtures: an in-process moto account seeded like the demo sandbox, and AWS call counting."""

from __future__ import annotations

import contextlib
import copy
import functools
import gc
import os
import re
import sys
import types
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import boto3
import botocore.client
import botocore.hooks
import botocore.loaders
import botocore.model
import botocore.session
import pytest
from moto import mock_aws

from wizard import cli, sandbox
from wizard.cloud import Cloud
from wizard.profiles import load

if TYPE_CHECKING:
    from wizard.session import WizardSession

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "profiles"

# Speed, with nothing tested differently:
# - moto's EC2 backend loads ~1,000 default AMIs per account and region (about a second each time); the tool
#   never reads an AMI. The moto server fixture runs in this process, so it skips them too.
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
# - every boto3.Session parses botocore's JSON service models again (EC2's is 4 MB); the models are read-only
#   data, so the sessions of one test process share one loader (the tool's own trimmed-model sessions make
#   their own, see Cloud).
_LOADERS: dict[str | None, botocore.loaders.Loader] = {}
_create_loader = botocore.session.create_loader


def _shared_loader(search_path_string: str | None = None) -> botocore.loaders.Loader:
    if search_path_string not in _LOADERS:
        _LOADERS[search_path_string] = _create_loader(search_path_string)
    return _LOADERS[search_path_string]


botocore.session.create_loader = _shared_loader
# - every client botocore creates builds its class again: one Python method per operation of the service (EC2
#   has ~700), about a tenth of a moto test's time. The methods depend only on the operation names (each one
#   calls self._make_api_call(operation_name, kwargs), looked up at call time, so the `calls` fixture still sees
#   every call), so clients of one service share them. Each class is still built, and its creating-client-class
#   hooks still run, per client (they get their own copy of the methods).
_METHODS: dict[tuple[str, tuple[str, ...]], dict[str, object]] = {}
_create_methods = botocore.client.ClientCreator._create_methods


def _shared_methods(self: botocore.client.ClientCreator, service_model: botocore.model.ServiceModel) -> dict:
    key = (service_model.service_name, tuple(service_model.operation_names))
    if key not in _METHODS:
        _METHODS[key] = _create_methods(self, service_model)
    return dict(_METHODS[key])


botocore.client.ClientCreator._create_methods = _shared_methods
# - every client builds a ServiceModel of its own from the same (shared) JSON model, and works out again which
#   operation does endpoint discovery, which error codes map to which shapes, each shape's members (a fifth of
#   creating a client, and the tests create a few clients per test). A ServiceModel is read-only once built (its
#   answers are cached properties of the JSON model), so clients built from the same JSON model share one.
_MODELS: dict[tuple[str, int], tuple[object, botocore.model.ServiceModel]] = {}
_load_service_model = botocore.client.ClientCreator._load_service_model


def _shared_service_model(self: botocore.client.ClientCreator, service_name: str,
                          api_version: str | None = None) -> botocore.model.ServiceModel:
    json_model = self._loader.load_service_model(service_name, "service-2", api_version=api_version)
    key = (service_name, id(json_model))
    if key not in _MODELS:  # the JSON model is kept with it, so its id is never reused for another
        _MODELS[key] = (json_model, _load_service_model(self, service_name, api_version))
    return _MODELS[key][1]


botocore.client.ClientCreator._load_service_model = _shared_service_model  # type: ignore[method-assign]
# - every botocore session renames its ~2,600 handlers' event names through the same table of aliases again, in a
#   cache of its own (4% of the engine modules' samples: the tests make a session or more per test). A name's
#   alias depends only on the name and that table, so sessions with botocore's table share one cache.
_ALIASES: dict[str, str] = {}
_aliaser_init = botocore.hooks.EventAliaser.__init__


def _shared_alias_cache(self: botocore.hooks.EventAliaser, event_emitter: object,
                        event_aliases: dict[str, str] | None = None) -> None:
    _aliaser_init(self, event_emitter, event_aliases)
    if event_aliases is None:
        self._alias_name_cache = _ALIASES


botocore.hooks.EventAliaser.__init__ = _shared_alias_cache  # type: ignore[method-assign]
# - and checks again, with inspect.getfullargspec, that each of those ~2,600 handlers takes **kwargs (a twelfth of a
#   TUI test: its seeded account makes a session). The answer depends only on the function: it is kept per
#   function (a bound method's per its function; a handler that cannot be a key is checked every time).
_ACCEPTS_KWARGS: dict[object, bool] = {}
_accepts_kwargs = botocore.hooks.accepts_kwargs


def _accepts_kwargs_once(func: object) -> bool:
    key = getattr(func, "__func__", func)
    try:
        return _ACCEPTS_KWARGS[key]
    except KeyError:
        _ACCEPTS_KWARGS[key] = answer = bool(_accepts_kwargs(func))
    except TypeError:  # not hashable
        return bool(_accepts_kwargs(func))
    return answer


botocore.hooks.accepts_kwargs = _accepts_kwargs_once
# - moto lists a service's response methods on every request; the sandbox lists each class's once (tested in
#   test_sandbox), and the tests' moto (in-process, and the moto server fixture's threads) does the same.
sandbox.quicker_moto_dispatch()
# - moto ignores ModifyVpcEndpoint's PrivateDnsEnabled and ResetPolicy; the sandbox applies them as AWS does, and
#   so does the tests' moto (always, so that no test's answer depends on whether a sandbox started before it).
sandbox.endpoints_modified_as_aws()
# - the tool's Cloud makes a loader of its own for each session it makes (trimmed models, see wizard.cloud), and
#   each parses botocore's endpoints file (1 MB) and the models again: in-process CLI tests make a Cloud per
#   command. botocore treats what it loads as read-only (the sandbox server shares it the same way:
#   sandbox.share_botocore_data); here a file is parsed again whenever it changed on disk (size, mtime, inode), as
#   the tests that write trimmed models need.
_PARSED: dict[tuple[str, int, int, int], object] = {}
_load_json_file = botocore.loaders.JSONFileLoader._load_file


def _json_parsed_once(self: botocore.loaders.JSONFileLoader, full_path: str, open_method: object) -> object:
    try:
        st = os.stat(full_path)
    except OSError:
        return _load_json_file(self, full_path, open_method)
    key = (full_path, st.st_size, st.st_mtime_ns, st.st_ino)
    if key not in _PARSED:
        _PARSED[key] = _load_json_file(self, full_path, open_method)
    return _PARSED[key]


botocore.loaders.JSONFileLoader._load_file = _json_parsed_once  # type: ignore[method-assign]

# Textual apps under Pilot scroll without animation: an animated scroll still under way when a test reads the
# position failed test_every_preview_tab_scrolls_with_the_keyboard_to_its_last_line on a loaded machine (31.99
# of 32 lines). The keys still have to reach the pane and move it. (pytest-textual-snapshot has already imported
# textual, so the setting is made on the constant the App reads, and in the environment for child processes.)
os.environ["TEXTUAL_ANIMATIONS"] = "none"
textual_constants = sys.modules.get("textual.constants")
if textual_constants is not None:
    textual_constants.TEXTUAL_ANIMATIONS = "none"  # type: ignore[attr-defined]
# - Pilot waits after every key it presses until the app is idle: twice per key, in sleeps of 20 ms, until a
#   sleep saw the process use under 1 ms of CPU (textual._wait). The wizard's tests press thousands of keys: most
#   of their time was those sleeps (measured: the TUI module used 137 s of CPU in 314 s). The same test of
#   idleness (under 5% of a core) in steps of 5 ms waits as long as the app works, and no longer.
textual_wait = sys.modules.get("textual._wait")
if textual_wait is not None:
    textual_wait.SLEEP_GRANULARITY = 0.005  # type: ignore[attr-defined]
    textual_wait.SLEEP_IDLE = textual_wait.SLEEP_GRANULARITY / 20  # type: ignore[attr-defined]

# - Textual calls each callback of call_later / call_after_refresh / call_next through a new functools.partial,
#   and counts the wrapped function's parameters with inspect.signature again every time (it caches the count on
#   the partial, which is thrown away): 3% of a TUI test's CPU. The count of the wrapped function is cached on it
#   (Textual's own cache), and the partial's arguments are taken off it as Textual does.
import textual._callback  # noqa: E402 - after the settings above

_count_parameters = textual._callback.count_parameters


def _count_parameters_of_partials_once(func: object) -> int:
    if isinstance(func, functools.partial) and isinstance(func.func, (types.FunctionType, types.MethodType)):
        return _count_parameters(func.func) - (len(func.args) + len(func.keywords))
    return _count_parameters(func)  # type: ignore[arg-type] - a builtin (list.append, say): as Textual counts it


textual._callback.count_parameters = _count_parameters_of_partials_once
# - every app parses the same CSS again (its own and each widget class's DEFAULT_CSS: 4% of a TUI test). Parsed
#   rules depend only on the text, where it was read from, its priority, scope and the CSS variables: apps share
#   them (each app's stylesheet still builds its own rule list and map from them, and applies them itself).
from textual.css.stylesheet import Stylesheet  # noqa: E402 - after the settings above

_RULES: dict[tuple, list] = {}
_parse_rules = Stylesheet._parse_rules


def _rules_parsed_once(self: Stylesheet, css: str, read_from: tuple[str, str], is_default_rules: bool = False,
                       tie_breaker: int = 0, scope: str = "") -> list:
    key = (css, read_from, is_default_rules, tie_breaker, scope, tuple(sorted(self._variables.items())))
    if key not in _RULES:
        _RULES[key] = _parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
    return _RULES[key]


Stylesheet._parse_rules = _rules_parsed_once  # type: ignore[method-assign]

# - Pilot's apps are headless: Textual draws each frame and then drops it (App._display writes only to a
#   terminal), a third of a TUI test's CPU. A test that asks for it (the `frames` fixture) has its apps lay out
#   every frame as before, but draw what changed on screen only when they exit (a crash in drawing still fails
#   the test) and at its screenshots. The tests about drawing draw every frame: the snapshots, test_tui_keys,
#   and the fuzz tests (every step under random keys at full speed).
from textual._compositor import Compositor  # noqa: E402 - after the settings above

_DRAW_EVERY_FRAME = [True]
_render_update = Compositor.render_update


def _frames_drawn_when_asked(self: Compositor, full: bool = False, screen_stack: list | None = None,
                             simplify: bool = False) -> object:
    if _DRAW_EVERY_FRAME[0] or sys._getframe(1).f_code.co_name not in ("_compositor_refresh", "_refresh_layout"):
        return _render_update(self, full, screen_stack, simplify)
    return None  # the regions to draw add up until the app exits


Compositor.render_update = _frames_drawn_when_asked  # type: ignore[method-assign]


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This test's apps draw their screen when they exit (and at screenshots), not every frame."""
    from textual.app import App

    shutdown = App._shutdown

    async def drawn_then_shut_down(self: App) -> None:
        if self.is_running and self._screen_stack and self.screen.is_current:  # each changed region, once
            _render_update(self.screen._compositor, False, self._background_screens)
        await shutdown(self)

    monkeypatch.setattr(App, "_shutdown", drawn_then_shut_down)
    _DRAW_EVERY_FRAME[0] = False
    yield
    _DRAW_EVERY_FRAME[0] = True


# - the slowest tests start first, so that under xdist's load scheduling no worker picks up a long test while
#   the others have run out of work (measured: the exported CLI script's run against moto is 30-60 s alone; the
#   sandbox, TUI and moto-server modules are the next slowest per test). Only the order changes, and it is the
#   same in every worker (xdist requires that). xdist hands each worker a first block of a quarter of its share
#   of consecutive tests, which would give all the slow ones to one worker (measured: one worker ran 461 s while
#   the other stopped at 292 s), so tests go out one at a time (--maxschedchunk 1, unless given).
SLOW_FIRST = (
    "tests/test_export.py::test_cli_script_builds_what_apply_builds",
    "tests/test_sandbox.py::",
    "tests/test_screens.py::test_fuzz_keys",
    "tests/test_screens.py::",
    "tests/test_e2e_server.py::",
    "tests/test_refusals.py::",
    "tests/test_executor.py::test_fault_matrix",
)


@pytest.fixture(autouse=True)
def _no_color_stays_in_its_test() -> Iterator[None]:
    """`--no-color` sets NO_COLOR for the process (as users set it); a test that runs the CLI in-process with it
    must not leave it to the tests after it (snapshots drawn without colour failed in CI)."""
    before = os.environ.get("NO_COLOR")
    yield
    if os.environ.get("NO_COLOR") != before:
        if before is None:
            os.environ.pop("NO_COLOR", None)
        else:
            os.environ["NO_COLOR"] = before


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers per core. A test waits much of its time on a CLI subprocess, a moto server or the
    TUI's timers, and a second worker per core fills that time (measured on 2 cores, same clone, one after the
    other: `-n 4` 252 s wall, 449 s CPU; `-n 2` 358 s wall, 543 s CPU). PYTEST_XDIST_AUTO_NUM_WORKERS overrides."""
    configured = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "")  # (this hook answers before xdist's own reads it)
    return int(configured) if configured.isdigit() and int(configured) > 0 else 2 * (os.cpu_count() or 1)


def pytest_configure(config: pytest.Config) -> None:
    if getattr(config.option, "maxschedchunk", 0) is None:  # xdist loaded, and no chunk size given
        config.option.maxschedchunk = 1
    # At its end pytest collects garbage 5 times before it reports unraisable exceptions (__del__ errors); a
    # worker that ran TUI tests holds ~700,000 objects, and each pass after the first took 0.5 s (4.1 s of CPU
    # for the five, measured serially on test_screens + test_snapshots). One pass frees what can be freed, so
    # what is unraisable is still reported.
    try:
        from _pytest.unraisableexception import gc_collect_iterations_key  # pytest's own knob
    except ImportError:  # another pytest: its default
        return
    config.stash[gc_collect_iterations_key] = 1


def pytest_collection_finish(session: pytest.Session) -> None:
    """Python's full (generation 2) garbage collections, rarer: each walks every object the process holds, and a
    Textual app under Pilot makes so many that they took a fifth of the TUI tests' CPU (measured on 13 TUI tests
    serially: 27.0 s of CPU, 6.0 s in 4,151 collections; 22.1 s with these settings). What is loaded by now
    (the test modules and everything they import) is set aside for good (gc.freeze), and a full collection runs
    after 1,000 younger ones instead of 10. Garbage is still collected; only the cadence changes."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 1000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next((i for i, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)), len(SLOW_FIRST))

    items.sort(key=rank)  # stable: each group keeps its modules' own order
    # After the slowest two groups, the TUI tests (which wait on their timers about half of their time) alternate
    # with the others (which compute nearly all of theirs), each list in the order above: a stretch of TUI tests
    # on every worker left a core idle (a tenth to a fifth of the CPU, for a minute of the run).
    first = [item for item in items if rank(item) < 2]
    rest = items[len(first):]
    waiting = [item for item in rest if item.nodeid.startswith(WAITING)]
    computing = [item for item in rest if not item.nodeid.startswith(WAITING)]
    items[len(first):] = _woven(waiting, computing)


WAITING = ("tests/test_screens.py::", "tests/test_refusals.py::", "tests/test_snapshots.py::", "tests/test_tui_keys.py::")


def _woven(a: list[pytest.Item], b: list[pytest.Item]) -> list[pytest.Item]:
    """Both lists in their own order, merged so that each has given its share of every stretch."""
    out: list[pytest.Item] = []
    i = j = 0
    while i < len(a) or j < len(b):
        if j >= len(b) or (i < len(a) and i * len(b) <= j * len(a)):
            out.append(a[i])
            i += 1
        else:
            out.append(b[j])
            j += 1
    return out


async def workers_done(app: object) -> None:
    """Wait until the app's workers have finished. A worker's error is the app's to show (the wizard's
    on_worker_state_changed: a refused apply, an AWS error), and the tests assert on what it shows. Textual's
    wait_for_complete raised it too, but only when the worker was still running at the call: a race (a stale
    apply's refusal failed a test in one run of many, with WorkerFailed)."""
    from textual.worker import WorkerCancelled, WorkerFailed

    for worker in list(app.workers):  # type: ignore[attr-defined]
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await worker.wait()


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tool's user cache (lint verdicts, trimmed service models) lives in a temp folder, one per worker,
    shared by the CLI subprocesses the tests start (they inherit the environment)."""
    path = tmp_path_factory.mktemp("studio-vpce-cache")
    saved = os.environ.get("STUDIO_VPCE_CACHE_DIR")
    os.environ["STUDIO_VPCE_CACHE_DIR"] = str(path)
    yield path
    if saved is None:
        os.environ.pop("STUDIO_VPCE_CACHE_DIR", None)
    else:
        os.environ["STUDIO_VPCE_CACHE_DIR"] = saved


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach real AWS, whatever the machine's environment says."""
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION",
                "AWS_RETRY_MODE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


# Whether a call changes the account, decided here and not by the code under test: reads are an explicit
# allow-list (the operations the tool reads with); any other operation counts as a write.
READ_PREFIXES = ("Describe", "List", "Get")
READ_CALLS = frozenset({"CreatePresignedDomainUrl", "SimulatePrincipalPolicy", "SimulateCustomPolicy"})


def is_write(operation_name: str) -> bool:
    return not (operation_name.startswith(READ_PREFIXES) or operation_name in READ_CALLS)


@pytest.fixture(autouse=True)
def _stop_sandbox_server() -> Iterator[None]:
    """A test that runs --demo without the in-process sandbox starts the sandbox server (in the temp cache): stop it."""
    yield
    sandbox.stop_server()


class Calls:
    """Every AWS API call made in the process (any client), by patching botocore's one entry point."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []

    @property
    def mutating(self) -> list[tuple[str, str]]:
        return [c for c in self.log if is_write(c[1])]

    def clear(self) -> None:
        self.log.clear()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    counter = Calls()
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, api_params):  # noqa: ANN001, ANN202
        counter.log.append((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return counter


# ---------------------------------------------------------------- moto, answering as AWS does
# Where moto's answers differ from AWS's in a way the tool must handle, tests rewrite them into AWS's form
# (docs/moto-vs-aws.md lists each row with the AWS documentation it comes from).

_ROUTE53_NAME = re.compile(rb"<Name>([^<]*)</Name>")
_ROUTE53_PLAIN = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def route53_escape(name: str) -> str:
    """Route 53 returns characters other than a-z, 0-9, '-', '_' (and the dots) as \\ooo octal escapes
    (Route 53 developer guide, "DNS domain name format"): `*.studio...` comes back as `\\052.studio...`."""
    return "".join(c if c in _ROUTE53_PLAIN else f"\\{ord(c):03o}" for c in name)


def route53_as_aws(body: bytes) -> bytes:
    """A Route 53 XML answer with every <Name> escaped as AWS escapes it (moto returns names as written)."""
    return _ROUTE53_NAME.sub(lambda m: b"<Name>" + route53_escape(m.group(1).decode()).encode() + b"</Name>", body)


def _route53_names_as_aws(response_dict: dict, **_: object) -> None:
    """botocore `before-parse` hook: the in-process moto's Route 53 bodies, rewritten before botocore parses them."""
    if isinstance(response_dict.get("body"), bytes):
        response_dict["body"] = route53_as_aws(response_dict["body"])


def answer_as_aws(session: boto3.Session) -> None:
    session.events.register("before-parse.route-53", _route53_names_as_aws, unique_id="tests-route53-as-aws")


class AwsAnswers:
    """WSGI middleware for the moto server: the same rewrites over real HTTP, and AWS's answer for calls moto
    lacks where AWS has a plain answer (a domain without user profiles or spaces lists none; moto answers 500)."""

    _EMPTY_LISTS: ClassVar[dict[str, bytes]] = {"SageMaker.ListUserProfiles": b'{"UserProfiles": []}', "SageMaker.ListSpaces": b'{"Spaces": []}'}

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    def __call__(self, environ, start_response):  # noqa: ANN001, ANN204
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target in self._EMPTY_LISTS:
            body = self._EMPTY_LISTS[target]
            start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        if not environ.get("PATH_INFO", "").startswith("/2013-04-01/"):  # Route 53's REST paths
            return self.app(environ, start_response)
        captured: dict = {}

        def capture(status, headers, exc_info=None):  # noqa: ANN001, ANN202
            captured.update(status=status, headers=headers)
            return lambda _data: None

        chunks = self.app(environ, capture)
        try:
            body = route53_as_aws(b"".join(chunks))
        finally:
            getattr(chunks, "close", lambda: None)()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]


# Seeding the demo account costs about 40 AWS calls through moto (0.2-0.4 s of CPU), and ~450 tests start from
# it. The first seeding in a process is kept: moto's state (every service backend, and the random generator that
# makes ids) is copied after it, and each later test gets its own deep copy, equal to a fresh seeding
# (test_sandbox.py::test_the_tests_seeded_account_copy_equals_a_fresh_seeding).
_SEEDED: tuple[list, list[dict], object] | None = None


def _moto_state() -> tuple[list, list[dict], object]:
    """moto's state: its service backends (moto's own objects), a copy of their accounts, the id generator's state."""
    from moto.core.base_backend import BackendDict
    from moto.moto_api._internal import mock_random

    backends = list(BackendDict._instances)
    return backends, copy.deepcopy([dict(b) for b in backends]), mock_random.getstate()


def _restore_moto_state(saved: tuple[list, list[dict], object]) -> None:
    from moto.core.base_backend import BackendDict
    from moto.moto_api._internal import mock_random

    backends, accounts, random_state = saved
    for backend, copied in zip(backends, copy.deepcopy(accounts), strict=True):
        backend.clear()
        backend.update(copied)
        if backend not in BackendDict._instances:
            BackendDict._instances.append(backend)
    mock_random.setstate(random_state)  # type: ignore[arg-type]
    sandbox.prime_endpoint_services("us-west-2")


def _unsigned(**_: object) -> object:
    return botocore.UNSIGNED


@contextlib.contextmanager
def seeded_aws(fresh: bool = False) -> Iterator[boto3.Session]:
    """A fresh moto account seeded exactly like the demo (same ids), with the sandbox's hooks, answering as AWS.
    `fresh` seeds it through AWS calls even when a copy of an earlier seeding exists."""
    global _SEEDED
    with mock_aws():
        session = boto3.Session(region_name="us-west-2")
        if _SEEDED is None or fresh:
            sandbox.seed(session, "us-west-2")
            if _SEEDED is None:
                _SEEDED = _moto_state()
        else:
            _restore_moto_state(_SEEDED)
        sandbox.install_hooks(session)
        answer_as_aws(session)
        # Requests to moto in this process go unsigned: SigV4 (a canonical request, four HMACs) was 15% of the CPU
        # of the engine tests (test_executor + test_planner serially: 44 s of CPU signed, 38 s unsigned), and moto
        # in-process checks no signature (nor does it need one: the caller is its default user either way). Tests
        # of what is signed run against a moto server over HTTP (test_rules' --debug log, test_e2e_server).
        session.events.register("choose-signer", _unsigned)
        yield session


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    """A fresh moto account seeded exactly like the demo (same ids), with the sandbox's hooks, answering as AWS."""
    with seeded_aws() as session:
        yield session


@pytest.fixture
def cloud(aws: boto3.Session) -> Cloud:
    c = Cloud("us-west-2", session=aws)
    c.poll_interval = 0.0
    return c


def profile(example: str = "vpce", **changes):  # noqa: ANN003, ANN201
    """An example profile with fields replaced (nested with dicts)."""
    base = load(PROFILES / f"{example}.yaml")
    data = base.model_dump()
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return type(base).model_validate(data)


@pytest.fixture
def demo_ids() -> dict[str, str]:
    p = load(PROFILES / "vpce.yaml")
    return {"vpc": p.vpc_id, "subnet_a": p.subnet_ids[0], "subnet_b": p.subnet_ids[1], "domain": p.domain_id}


@pytest.fixture(autouse=True)
def _quiet_logging() -> Iterator[None]:
    """--debug installs log handlers process-wide; take them away after each test."""
    import logging

    from wizard.cloud import DEBUG_LOGGERS

    yield
    for name in DEBUG_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.setLevel(logging.NOTSET)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server over real HTTP, for the CLI run as a subprocess."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    server._server.app = AwsAnswers(server._server.app)  # type: ignore[union-attr] - werkzeug serves self.app
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    _IN_THIS_PROCESS.add(url)
    yield url
    _IN_THIS_PROCESS.discard(url)
    server.stop()


_IN_THIS_PROCESS: set[str] = set()  # moto servers serving from this process's moto state


def reset_and_seed(url: str, fresh: bool = False) -> str:
    """Empty the moto server and seed it like the demo (same ids, so the example profiles apply). A server in
    this process serves from moto's state here: it gets a copy of the seeded state as `seeded_aws` does (tested
    equal to seeding it over HTTP), unless `fresh`."""
    if url in _IN_THIS_PROCESS and not fresh:
        if _SEEDED is None:
            with seeded_aws():
                pass
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST")).read()
        assert _SEEDED is not None
        _restore_moto_state(_SEEDED)
        return url
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST")).read()
    saved = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = url
    try:
        sandbox.seed(boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-west-2"),
                     "us-west-2")
    finally:
        os.environ.pop("AWS_ENDPOINT_URL")
        if saved is not None:
            os.environ["AWS_ENDPOINT_URL"] = saved
    return url


@pytest.fixture
def demo() -> Iterator[boto3.Session]:
    """The --demo sandbox, in-process, for the test (it is process-wide, as in the real CLI); a session on it."""
    sandbox.start()
    yield sandbox.demo_session("us-west-2")
    sandbox.stop()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The CLI in-process: its exit code, stdout and stderr."""
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def session(cloud: Cloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WizardSession:
    """A wizard session on the seeded account, run from a temporary folder with its own state folder (the TUI
    tests of test_screens and test_tui_keys)."""
    from wizard.session import WizardSession

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    return WizardSession(lambda: cloud, demo=True)
