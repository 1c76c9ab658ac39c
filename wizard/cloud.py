"""The cloud adapter: the only module that imports boto3 and makes AWS calls.

It resolves the region the way the AWS CLI v2 does (boto3 ignores AWS_REGION), sends every call to
`--endpoint-url` when given, uses botocore's `standard` retry mode unless the user chose one, follows
pagination, and maps failures to the tool's errors (and so to exit codes).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from typing import Any

import boto3
import botocore.exceptions as bce
from botocore.config import Config

from wizard.errors import AwsError, ConfigProblem

_CREDENTIAL_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
                     "UnrecognizedClientException", "SignatureDoesNotMatch", "AuthFailure",
                     "InvalidAccessKeyId", "MissingAuthenticationToken"}

# Things that must never reach a log: presigned URLs (they carry a login token) and credentials.
_SECRET_PATTERNS = [
    (re.compile(r"https://[^\s\"'<>]*[?&](token|authToken)=[^\s\"'<>]*", re.I), "https://<redacted presigned URL>"),
    (re.compile(r"(AuthorizedUrl[\"']?\s*[:=]\s*[\"']?)[^\s\"',}<]+"), r"\1<redacted>"),
    (re.compile(r"(token=)[A-Za-z0-9%._~+/=-]+", re.I), r"\1<redacted>"),
    (re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"), "<redacted access key>"),
    (re.compile(r"((?:aws_secret_access_key|SecretAccessKey|aws_session_token|SessionToken|X-Amz-Security-Token|"
                r"Signature|Credential)[\"']?\s*[:=]\s*[\"']?)[^\s\"',&}]+", re.I), r"\1<redacted>"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites log records so that botocore's DEBUG output (response bodies!) leaks no secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


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
        raise ConfigProblem(f"AWS profile {aws_profile!r} not found: check ~/.aws/config or drop --aws-profile") from None
    if configured:
        return configured, f"AWS profile {aws_profile or 'default'}"
    return profile_region, "the profile file"


class Cloud:
    """A narrow door to AWS: `call` one operation, `pages` to follow pagination. Nothing else talks to AWS."""

    def __init__(self, region: str, aws_profile: str | None = None, endpoint_url: str | None = None,
                 session: boto3.Session | None = None, demo: bool = False) -> None:
        try:
            self.session = session or boto3.Session(profile_name=aws_profile, region_name=region)
        except bce.ProfileNotFound:
            raise ConfigProblem(f"AWS profile {aws_profile!r} not found: check ~/.aws/config or drop --aws-profile") from None
        self.region = region
        self.endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        self.demo = demo
        self.poll_interval = 5.0  # seconds between endpoint state polls (Terraform's figure)
        self._clients: dict[str, Any] = {}
        user_chose_retries = bool(os.environ.get("AWS_RETRY_MODE")) or bool(
            self.session._session.get_scoped_config().get("retry_mode"))
        self._config = Config(region_name=region, user_agent_extra="studio-vpce/0.1",
                              retries=None if user_chose_retries else {"mode": "standard"})

    # -- plumbing

    def client(self, service: str) -> Any:
        if service not in self._clients:
            try:
                self._clients[service] = self.session.client(service, config=self._config,
                                                             endpoint_url=self.endpoint_url)
            except bce.NoRegionError:
                raise ConfigProblem("no AWS region: pass --region, set AWS_REGION, or put region: in the profile") from None
        return self._clients[service]

    def on(self, event: str, handler: Callable[..., Any]) -> None:
        """Register a botocore event handler on this session (tests count calls with it)."""
        self.session.events.register(event, handler)
        for client in self._clients.values():
            client.meta.events.register(event, handler)

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        try:
            response = getattr(self.client(service), operation)(**params)
        except Exception as exc:  # noqa: BLE001 - mapped below, re-raised otherwise
            raise self._map(exc, operation) from None
        response.pop("ResponseMetadata", None)
        return response

    def pages(self, service: str, operation: str, key: str, **params: Any) -> list[Any]:
        """Every item of `key` across all result pages."""
        client = self.client(service)
        items: list[Any] = []
        try:
            if client.can_paginate(operation):
                for page in client.get_paginator(operation).paginate(**params):
                    items.extend(page.get(key, []))
            else:  # e.g. route53 list_hosted_zones_by_vpc: NextToken by hand
                token = None
                while True:
                    page = getattr(client, operation)(**params, **({"NextToken": token} if token else {}))
                    items.extend(page.get(key, []))
                    token = page.get("NextToken")
                    if not token:
                        break
        except Exception as exc:  # noqa: BLE001
            raise self._map(exc, operation) from None
        return items

    def _map(self, exc: Exception, operation: str) -> Exception:
        if isinstance(exc, (bce.NoCredentialsError, bce.PartialCredentialsError)):
            return ConfigProblem("no AWS credentials found: run `aws configure` (or `aws sso login`), "
                                 "set AWS_PROFILE, or try --demo")
        if isinstance(exc, bce.TokenRetrievalError | bce.SSOTokenLoadError | bce.UnauthorizedSSOTokenError):
            return ConfigProblem(f"AWS SSO session is not valid: run `aws sso login` ({exc})")
        if isinstance(exc, bce.ProfileNotFound):
            return ConfigProblem(f"{exc}: check ~/.aws/config or drop --aws-profile")
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
            return AwsError(f"{operation}: cannot reach AWS ({exc}); check the network and try again",
                            "ConnectionError")
        if isinstance(exc, bce.BotoCoreError):
            return AwsError(f"{operation}: {redact(str(exc))}", type(exc).__name__)
        return exc

