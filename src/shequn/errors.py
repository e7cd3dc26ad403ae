"""The one exception tree of shequn.

    ShequnError
    ├── ConfigError            settings that are missing, malformed or placeholders
    ├── NotFound               a referenced workspace, member, group … does not exist
    ├── PermissionDenied       an API key or operator lacks the role for an action
    │   └── BadSignature       a webhook request whose signature or secret is wrong or stale
    ├── InputError             data from outside that breaks a rule; names where
    │   └── ImportFileError    a bad row in an import file (file, line, field)
    └── ConnectorError         a chat platform call failed (transient: retry later)
        ├── RateLimited        the platform asked us to slow down (retry_after)
        ├── ActionRejected     the platform refused the action; retrying will not help
        └── OutcomeUnknown     the call was sent but no answer came: it may have happened
"""

from __future__ import annotations


class ShequnError(Exception):
    """Base class of every error shequn raises on purpose."""


class ConfigError(ShequnError):
    """Settings are missing, malformed or still placeholders."""


class NotFound(ShequnError):
    """A referenced object does not exist (in this workspace)."""


class PermissionDenied(ShequnError):
    """The caller's role does not allow the action."""


class BadSignature(PermissionDenied):
    """A webhook request is unsigned, forged, too old or replayed; the message says which."""


class InputError(ShequnError):
    """Data from outside breaks a rule; the message says which and where."""


class ImportFileError(InputError):
    """A row of an import file is bad; carries file, line and field."""

    def __init__(self, path: str, line: int, field: str, problem: str) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.problem = problem
        super().__init__(f"{path}:{line}: field '{field}': {problem}")


class ConnectorError(ShequnError):
    """A call to a chat platform failed."""


class RateLimited(ConnectorError):
    """The platform asked to retry after a number of seconds."""

    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        self.retry_after = retry_after
        super().__init__(f"{message} (retry after {retry_after:g}s)")


class ActionRejected(ConnectorError):
    """The platform refused the action for good (bad request, no rights, unknown chat)."""


class OutcomeUnknown(ConnectorError):
    """The call reached the platform but its answer was lost: it may or may not have happened."""
