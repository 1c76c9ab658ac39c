"""Errors the CLI maps to exit codes. Every message is one line: what is wrong and what to do."""


class StudioVpceError(Exception):
    exit_code = 1


class AwsError(StudioVpceError):
    """An AWS call failed (exit 1)."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class InvalidInput(StudioVpceError):
    """A profile, flag or plan file is invalid (exit 3)."""

    exit_code = 3


class ConfigProblem(StudioVpceError):
    """Credentials, region or AWS config problem (exit 4)."""

    exit_code = 4


class Refused(StudioVpceError):
    """Refused for safety: stale plan, needs --yes, self-lockout, account mismatch (exit 5)."""

    exit_code = 5
