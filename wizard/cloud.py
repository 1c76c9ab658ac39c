"""The cloud adapter: the only module that imports boto3 and makes AWS calls.

It resolves the region the way the AWS CLI v2 does (boto3 ignores AWS_REGION), sends every call to
`--endpoint-url` when given, uses botocore's `standard` retry mode unless the user chose one, follows
pagination, and maps failures to the tool's errors (and so to exit codes).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable
from typing import Any

import boto3
import botocore
import botocore.exceptions as bce
import botocore.loaders
from botocore.config import Config
from botocore.parsers import ResponseParserError

from wizard.errors import AwsError, ConfigProblem

log = logging.getLogger("studio-vpce")

_CREDENTIAL_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
                     "UnrecognizedClientException", "SignatureDoesNotMatch", "AuthFailure",
                     "InvalidAccessKeyId", "MissingAuthenticationToken"}

# Things that must never reach a log: presigned URLs (they carry a login token) and credentials.
_SECRET_PATTERNS = [
    (re.compile(r"https://[^\s\"'<>]*[?&](token|authToken)=[^\s\"'<>]*", re.IGNORECASE), "https://<redacted presigned URL>"),
    (re.compile(r"(AuthorizedUrl[\"']?\s*[:=]\s*[\"']?)[^\s\"',}<]+"), r"\1<redacted>"),
    (re.compile(r"(token=)[A-Za-z0-9%._~+/=-]+", re.IGNORECASE), r"\1<redacted>"),
    (re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"), "<redacted access key>"),
    # botocore logs headers as a dict of bytes: 'X-Amz-Security-Token': b'...' (the b and its quotes go too)
    (re.compile(r"((?:aws_secret_access_key|SecretAccessKey|aws_session_token|SessionToken|X-Amz-Security-Token|"
                r"Signature|Credential)[\"']?\s*[:=]\s*)(?:b?[\"'])?[^\s\"',&}<]+[\"']?", re.IGNORECASE),
     r"\1<redacted>"),
]
# The values themselves, wherever they turn up (a pattern can miss a new log format; a literal cannot).
_KNOWN_SECRETS: set[str] = set()


def remember_secrets(*values: str | None) -> None:
    """Redact these literal values (the session's secret key and token) from everything `redact` sees."""
    _KNOWN_SECRETS.update(v for v in values if v and len(v) >= 8)


def redact(text: str) -> str:
    for secret in _KNOWN_SECRETS | {os.environ.get(k, "") for k in
                                    ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")}:
        if len(secret) >= 8:
            text = text.replace(secret, "<redacted>")
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites log records so that botocore's DEBUG output (response bodies!) leaks no secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


DEBUG_LOGGERS = ("botocore", "boto3", "studio-vpce")


def log_debug_to(handler: logging.Handler, fmt: str) -> None:
    """--debug: every AWS call logged, redacted, to `handler` (the CLI's stderr or file; discovery's child
    sends its lines to the parent through it)."""
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter(fmt))
    for name in DEBUG_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)


def profile_not_found(aws_profile: str | None) -> ConfigProblem:
    """The AWS profile named is not in the AWS config: named, with where the name came from (a trial: one set by
    AWS_PROFILE was said as "AWS profile None ... drop --aws-profile")."""
    if aws_profile:
        return ConfigProblem(f"AWS profile {aws_profile!r} (--aws-profile) not found: check ~/.aws/config, or "
                             "fix --aws-profile")
    var = next((v for v in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE") if os.environ.get(v)), "AWS_PROFILE")  # botocore's order
    return ConfigProblem(f"AWS profile {os.environ.get(var)!r} (from {var}) not found: check ~/.aws/config, or "
                         f"unset {var}, or try --demo")


def resolve_region(flag: str | None, aws_profile: str | None, profile_region: str | None) -> tuple[str | None, str]:
    """--region > AWS_REGION > AWS_DEFAULT_REGION > the AWS profile's region > the profile file's region."""
    if flag:
        return flag, "--region"
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(var):
            return os.environ[var], var
    try:
        configured = boto3.Session(profile_name=aws_profile).region_name
    except bce.ProfileNotFound:
        raise profile_not_found(aws_profile) from None
    if configured:
        return configured, f"AWS profile {aws_profile or 'default'}"
    return profile_region, "the profile file"


# ---------------------------------------------------------------- service models, trimmed

def _strip_docs(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_docs(v) for k, v in value.items() if not (k == "documentation" and isinstance(v, str))}
    if isinstance(value, list):
        return [_strip_docs(v) for v in value]
    return value


def trim_model(model: dict[str, Any], operations: set[str]) -> dict[str, Any]:
    """A service model with only `operations` and the shapes they reach (no documentation).

    botocore builds a client method per operation and parses the whole model first: EC2 has 830 operations
    in a 4 MB model, of which the tool calls about twenty.
    """
    shapes = model["shapes"]
    kept_ops = {name: op for name, op in model["operations"].items() if name in operations}
    todo = [ref["shape"] for op in kept_ops.values()
            for ref in [op.get("input"), op.get("output"), *op.get("errors", [])] if ref]
    keep: set[str] = set()
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        shape = shapes[name]
        todo += [member["shape"] for member in shape.get("members", {}).values()]
        todo += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
    out = {k: v for k, v in model.items() if k not in ("operations", "shapes", "documentation")}
    out["operations"] = _strip_docs(kept_ops)
    out["shapes"] = _strip_docs({name: shapes[name] for name in sorted(keep)})
    return out


_LIST_EVERY_SERVICE = botocore.loaders.Loader.list_available_services  # botocore's own, whatever patches it later


class _Services:
    """The services that have a `type_name` file: membership looks in that service's own folders only."""

    def __init__(self, loader: botocore.loaders.Loader, type_name: str) -> None:
        self._loader, self._type_name = loader, type_name

    def __contains__(self, service: object) -> bool:
        if not isinstance(service, str) or not service or os.sep in service or service.startswith("."):
            return False
        for folder in self._loader._potential_locations(service, must_exist=True, is_dir=True):
            for version in os.listdir(folder):
                if self._loader.file_loader.exists(os.path.join(folder, version, self._type_name)):
                    return True
        return False

    def _all(self) -> list[str]:
        return _LIST_EVERY_SERVICE(self._loader, self._type_name)  # type: ignore[no-any-return]

    def __iter__(self) -> Any:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]


class _Loader(botocore.loaders.Loader):
    """botocore's loader, except that finding one service's model does not list every service first: botocore
    checks `service in list_available_services(type)`, which walks all ~450 service folders (a few thousand
    stat calls) once per model type, on every run. Listing them all still works, as botocore's does."""

    def list_available_services(self, type_name: str) -> Any:
        return _Services(self, type_name)


def _models_root(session: boto3.Session) -> str | None:
    """Where trimmed models live (the user cache, per botocore version), or None when they cannot be used:
    caching is off, or the user has models of their own (AWS_DATA_PATH, ~/.aws/models) that must win."""
    from wizard import cache  # noqa: PLC0415

    if not cache.enabled():
        return None
    loader = session._session.get_component("data_loader")
    ours = {loader.BUILTIN_DATA_PATH, os.path.join(os.path.dirname(boto3.__file__), "data")}  # boto3: resources only
    if [p for p in loader.search_paths if p not in ours and os.path.isdir(p)]:
        return None
    return str(cache.cache_dir().joinpath(*_models_folder()))


def _models_folder() -> tuple[str, ...]:
    """The trimmed models' folder in the user cache: per botocore version and per set of operations."""
    return ("models", f"botocore-{botocore.__version__}", _operations_digest())


def _operations_digest() -> str:
    """Which operations the trimmed models keep: a studio-vpce that calls more operations (an upgrade) keeps its
    models apart. The models of an older one lacked them, and each such call first had to load the full models
    (concurrent ones failed with "object has no attribute 'list_user_profiles'")."""
    import hashlib  # noqa: PLC0415

    from wizard.permissions import operations_by_service  # noqa: PLC0415

    names = sorted(f"{service}:{op}" for service, ops in operations_by_service().items() for op in ops)
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:12]


class Cloud:
    """A narrow door to AWS: `call` one operation, `pages` to follow pagination. Nothing else talks to AWS."""

    def __init__(self, region: str, aws_profile: str | None = None, endpoint_url: str | None = None,
                 session: boto3.Session | None = None, demo: bool = False, trim_models: bool = False) -> None:
        try:
            self.session = session or boto3.Session(profile_name=aws_profile, region_name=region)
        except bce.ProfileNotFound:
            raise profile_not_found(aws_profile) from None
        self.aws_profile = aws_profile
        # Sessions the tool makes load trimmed service models from the user cache (see `trim_model`), through a
        # loader of their own (botocore may share one between sessions). A session handed in is left alone,
        # unless the caller made it for this Cloud only (the demo sandbox's: `trim_models`).
        self._models_root = None if session is not None and not trim_models else _models_root(self.session)
        if self._models_root is not None:
            shared = self.session._session.get_component("data_loader")
            self.session._session.register_component(
                "data_loader", _Loader(extra_search_paths=[self._models_root, *shared.search_paths],
                                       include_default_search_paths=False))
        self.region = region
        self.endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        self.demo = demo
        self.poll_interval = 5.0  # seconds between endpoint state polls (Terraform's figure)
        self._clients: dict[str, Any] = {}
        self._trimmed: set[str] = set()  # services whose client may come from a trimmed model
        self._reload_lock = threading.Lock()
        self._retry_mode = self.session._session.get_scoped_config().get("retry_mode")  # for child processes
        # (the demo sandbox reads no AWS_* variable: sandbox.demo_session)
        user_chose_retries = not demo and (bool(os.environ.get("AWS_RETRY_MODE")) or bool(self._retry_mode))
        self._config = Config(region_name=region, user_agent_extra="studio-vpce/0.1",
                              retries=None if user_chose_retries else {"mode": "standard"})

    def child_env(self) -> dict[str, str]:
        """The environment for a child process that makes this cloud's calls (wizard.isolated): the same
        account, region, endpoint and retry choice, with the credentials already resolved here, so that an
        SSO login, an assumed role or an MFA prompt is not repeated in a process that has no terminal."""
        env = {k: v for k, v in os.environ.items()
               if k not in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                            "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL")}
        try:
            credentials = self.session.get_credentials()
            frozen = credentials.get_frozen_credentials() if credentials is not None else None
        except Exception as exc:  # noqa: BLE001 - mapped like any call's failure
            raise self._map(exc, "resolving credentials") from None
        if frozen is None:
            raise ConfigProblem("no AWS credentials found: run `aws configure` (or `aws sso login`), "
                                "set AWS_PROFILE, or try --demo")
        env.update({"AWS_ACCESS_KEY_ID": frozen.access_key, "AWS_SECRET_ACCESS_KEY": frozen.secret_key,
                    "AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region})
        if frozen.token:
            env["AWS_SESSION_TOKEN"] = frozen.token
        if self.endpoint_url:
            env["AWS_ENDPOINT_URL"] = self.endpoint_url
        if self._retry_mode and not env.get("AWS_RETRY_MODE"):
            env["AWS_RETRY_MODE"] = self._retry_mode
        return env

    # -- plumbing

    def client(self, service: str) -> Any:
        if service not in self._clients:
            try:
                self._clients[service] = self.session.client(service, config=self._config,
                                                             endpoint_url=self.endpoint_url)
                if logging.getLogger("botocore").isEnabledFor(logging.DEBUG):  # --debug: know what to redact
                    credentials = self.session.get_credentials()
                    frozen = credentials.get_frozen_credentials() if credentials is not None else None
                    if frozen is not None:
                        remember_secrets(frozen.secret_key, frozen.token)
            except bce.NoRegionError:
                raise ConfigProblem("no AWS region: pass --region, set AWS_REGION, or put region: in the profile") from None
            except bce.ProfileNotFound:
                raise profile_not_found(getattr(self, "aws_profile", None)) from None
            except (bce.PartialCredentialsError, bce.InvalidConfigError, bce.CredentialRetrievalError,
                    bce.InfiniteLoopConfigError) as exc:  # a role_arn without source_profile (trial 16: exit 1)
                raise ConfigProblem(f"the AWS config is not usable ({redact(str(exc))}): fix the profile in "
                                    "~/.aws/config (or the AWS_* variables), or pick another --aws-profile") from None
            except ValueError as exc:  # botocore converts settings as it builds a client: AWS_MAX_ATTEMPTS=abc
                raise ConfigProblem(f"an AWS setting is not valid ({exc}): check the AWS_* variables and "
                                    "~/.aws/config") from None
            if self._models_root is not None:
                self._trimmed.add(service)
                self._store_trimmed_model(service)
        return self._clients[service]

    def _store_trimmed_model(self, service: str) -> None:
        """After a client was built from botocore's full model, keep a trimmed copy for the next process."""
        from wizard import cache  # noqa: PLC0415
        from wizard.permissions import operations_by_service  # noqa: PLC0415

        wanted = operations_by_service().get(service)
        loader = self.session._session.get_component("data_loader")
        version = loader.determine_latest_version(service, "service-2")
        if not wanted or self._models_root is None or os.path.exists(os.path.join(self._models_root, service, version, "service-2.json")):
            return
        model = loader.load_service_model(service, "service-2", version)
        if not wanted <= set(model["operations"]):
            return  # a model without some operation the tool calls: not ours to trim
        data = json.dumps(trim_model(model, wanted), separators=(",", ":")).encode()
        cache.write_bytes(data, *_models_folder(), service, version, "service-2.json")

    def _method(self, service: str, operation: str) -> Any:
        """The client method; an operation outside a trimmed model brings back botocore's full models."""
        method = getattr(self.client(service), operation, None)
        if method is not None:
            return method
        with self._reload_lock:  # discovery's threads may all find it missing: one loads, the others see it
            client = self.client(service)
            if getattr(client, operation, None) is None and service in self._trimmed:
                log.debug("%s.%s is not in the trimmed service model: loading the full models", service, operation)
                loader = self.session._session.get_component("data_loader")
                if self._models_root in loader.search_paths:
                    loader.search_paths.remove(self._models_root)
                loader._cache.clear()
                self._models_root = None
                self._trimmed.clear()
                self._clients.clear()  # every client built from a trimmed model
                client = self.client(service)
        return getattr(client, operation)

    @property
    def dns_suffix(self) -> str:
        """The region's partition's DNS suffix (amazonaws.com, amazonaws.com.cn, ...), from botocore's data."""
        try:
            partition = self.session.get_partition_for_region(self.region)
            data = self.session._session.get_data("endpoints")  # botocore's endpoints.json
            return next(str(p["dnsSuffix"]) for p in data["partitions"] if p["partition"] == partition)
        except Exception:  # noqa: BLE001 - an unknown region: assume the commercial partition
            return "amazonaws.com"

    def on(self, event: str, handler: Callable[..., Any]) -> None:
        """Register a botocore event handler on this session (tests count calls with it)."""
        self.session.events.register(event, handler)
        for client in self._clients.values():
            client.meta.events.register(event, handler)

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        try:
            response = self._method(service, operation)(**params)
        except Exception as exc:  # noqa: BLE001 - mapped below, re-raised otherwise
            raise self._map(exc, operation) from None
        response.pop("ResponseMetadata", None)
        return response

    def pages(self, service: str, operation: str, key: str | tuple[str, ...], **params: Any) -> list[Any]:
        """Every item of `key` (or of each of several keys, in order) across all result pages."""
        self._method(service, operation)  # the full model, when the operation is not in the trimmed one
        client = self.client(service)
        keys = key if isinstance(key, tuple) else (key,)
        items: list[Any] = []
        try:
            if client.can_paginate(operation):
                for page in client.get_paginator(operation).paginate(**params):
                    for k in keys:
                        items.extend(page.get(k, []))
            else:  # e.g. route53 list_hosted_zones_by_vpc: NextToken by hand
                token = None
                while True:
                    page = getattr(client, operation)(**params, **({"NextToken": token} if token else {}))
                    for k in keys:
                        items.extend(page.get(k, []))
                    token = page.get("NextToken")
                    if not token:
                        break
        except Exception as exc:  # noqa: BLE001
            raise self._map(exc, operation) from None
        return items

    def raw_pages(self, service: str, operation: str, **params: Any) -> list[dict[str, Any]]:
        """Every result page whole, for operations that return several lists at once."""
        self._method(service, operation)  # the full model, when the operation is not in the trimmed one
        try:
            return list(self.client(service).get_paginator(operation).paginate(**params))
        except Exception as exc:  # noqa: BLE001
            raise self._map(exc, operation) from None

    def _map(self, exc: Exception, operation: str) -> Exception:
        if isinstance(exc, bce.NoCredentialsError):
            return ConfigProblem("no AWS credentials found: run `aws configure` (or `aws sso login`), "
                                 "set AWS_PROFILE, or try --demo")
        if isinstance(exc, (bce.PartialCredentialsError, bce.InvalidConfigError, bce.CredentialRetrievalError)):
            return ConfigProblem(f"the AWS config is not usable ({redact(str(exc))}): fix the profile in "
                                 "~/.aws/config (or the AWS_* variables), or pick another --aws-profile")
        if isinstance(exc, bce.TokenRetrievalError | bce.SSOTokenLoadError | bce.UnauthorizedSSOTokenError):
            return ConfigProblem(f"AWS SSO session is not valid: run `aws sso login` ({exc})")
        if isinstance(exc, bce.ProfileNotFound):
            return profile_not_found(getattr(self, "aws_profile", None))
        if isinstance(exc, bce.NoRegionError):
            return ConfigProblem("no AWS region: pass --region, set AWS_REGION, or put region: in the profile")
        if isinstance(exc, bce.ClientError):
            err = exc.response.get("Error", {})
            code, message = err.get("Code", "Unknown"), redact(err.get("Message", str(exc)))
            if code in _CREDENTIAL_CODES:
                return ConfigProblem(f"AWS rejected the credentials ({code}: {message}): refresh them "
                                     "(`aws sso login`, new keys) or pick another --aws-profile")
            return AwsError(f"{operation}: {code}: {message}", code)
        if isinstance(exc, (bce.EndpointConnectionError, bce.ConnectionClosedError, bce.ReadTimeoutError,
                            bce.ConnectTimeoutError)):
            if self.demo and self.endpoint_url:  # the local sandbox server: stopped (by hand, or idle), not AWS
                return AwsError(f"{operation}: the demo sandbox stopped (by `sandbox stop`, or idle past its "
                                "timeout); run the command again, or go back to the wizard's Preview: it starts "
                                "again as it was", "ConnectionError")
            return AwsError(f"{operation}: cannot reach AWS ({exc}); check the network and try again",
                            "ConnectionError")
        if isinstance(exc, ResponseParserError):  # e.g. a moto server's HTML 500 for an operation it lacks
            return AwsError(f"{operation}: the endpoint's answer is not AWS's ({redact(str(exc))[:120]})",
                            "ResponseParserError")
        if isinstance(exc, bce.BotoCoreError):
            return AwsError(f"{operation}: {redact(str(exc))}", type(exc).__name__)
        if isinstance(exc, NotImplementedError):  # an emulator (moto in-process) without this API
            return AwsError(f"{operation}: not implemented by this endpoint ({exc})", "NotImplemented")
        return exc

