"""The exceptions of ``wf_oauth``.

Every error the package raises is a :class:`Error`. The subclass says what happened (it is
chosen from the error's category, never from its text); the attributes carry what the
server said. Messages never contain a credential.
"""

from __future__ import annotations

# `typing` is only needed by type checkers; importing it at run time would slow down
# `import wf_oauth`.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional


class Error(Exception):
    """Base class of every ``wf_oauth`` error.

    Attributes that do not apply to a given error are ``None``.
    """

    #: The category: ``"invalid_argument"``, ``"state_mismatch"``, ``"authorization_denied"``,
    #: ``"authorization_failed"``, ``"code_expired"``, ``"reauth_required"``,
    #: ``"token_endpoint"``, ``"api"``, ``"transport"``, ``"storage"``, ``"protocol"`` or
    #: ``"internal"``.
    kind: str = "other"
    #: Whether the same call may succeed later (the library already retried what was safe).
    retryable: bool = False
    #: The HTTP status of the answer the error came from.
    status: Optional[int] = None
    #: The server's ``Retry-After``, in seconds.
    retry_after: Optional[float] = None
    #: The OAuth 2 ``error`` code (``invalid_grant``, ``access_denied``…).
    error: Optional[str] = None
    #: The OAuth 2 ``error_description``.
    description: Optional[str] = None
    #: The Java exception class Workfront reported.
    error_class: Optional[str] = None
    #: The message Workfront reported.
    message: Optional[str] = None

    def __init__(
        self,
        text: str,
        *,
        kind: str = "other",
        retryable: bool = False,
        status: Optional[int] = None,
        retry_after: Optional[float] = None,
        error: Optional[str] = None,
        description: Optional[str] = None,
        error_class: Optional[str] = None,
        message: Optional[str] = None,
    ) -> None:
        super().__init__(text)
        self.kind = kind
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after
        self.error = error
        self.description = description
        self.error_class = error_class
        self.message = message

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Keeps the attributes across pickling (multiprocessing, task queues).
        return (_rebuild, (type(self), str(self), self.__dict__.copy()))


def _rebuild(cls: type, text: str, fields: dict) -> Error:  # type: ignore[type-arg]
    error: Error = cls(text)
    error.__dict__.update(fields)
    return error


class InvalidArgument(Error, ValueError):
    """A bad argument or configuration: a programming or setup mistake."""


class StateMismatch(Error):
    """The callback does not belong to this login attempt (state, redirect URI or instance
    mismatch): start the login again."""


class AuthorizationDenied(Error):
    """The user (or the server for them) refused the authorization (``access_denied``)."""


class AuthorizationFailed(Error):
    """The authorization endpoint reported another error (see ``error``)."""


class CodeExpired(Error):
    """The authorization code outlived its two minutes: start the login again."""


class ReauthRequired(Error):
    """The user must sign in again (refresh token refused or expired, nothing stored)."""


class TokenEndpointError(Error):
    """The token endpoint refused the request (see ``error``, ``description``, ``status``)."""


class ApiError(Error):
    """A Workfront API call failed (see ``status``, ``error_class``, ``message``)."""


class RateLimited(ApiError):
    """Workfront kept answering 429 (see ``retry_after``)."""


class TransportError(Error):
    """The network failed (connection refused, timeout…)."""


class StorageError(Error):
    """The token store failed; new tokens were not saved and not used."""


class ProtocolError(Error):
    """A server broke the protocol (malformed callback, HTML instead of JSON…)."""


class InternalError(Error):
    """A defect inside wf-oauth: a Rust panic was caught before it reached Python.

    Nothing a caller sends should cause one; please report it. It is an ordinary
    ``Exception`` (never pyo3's ``PanicException``, which ``except Exception`` misses).
    """


__all__ = [
    "Error",
    "InvalidArgument",
    "StateMismatch",
    "AuthorizationDenied",
    "AuthorizationFailed",
    "CodeExpired",
    "ReauthRequired",
    "TokenEndpointError",
    "ApiError",
    "RateLimited",
    "TransportError",
    "StorageError",
    "ProtocolError",
    "InternalError",
]
