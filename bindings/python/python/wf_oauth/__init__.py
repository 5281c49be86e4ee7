"""Sign a user in to Adobe Workfront with OAuth 2 and call the Workfront API for them.

>>> import wf_oauth
>>> client = wf_oauth.Client(
...     "acme.my.workfront.com",
...     "my-client-id",
...     client_secret="my-secret",
...     redirect_uri="https://app.example.com/callback",
... )
>>> pending = client.authorize()          # send the browser to pending.url
>>> # ... the browser comes back to the redirect URI ...
>>> # tokens = client.exchange(pending, callback_url)
>>> # session = client.session(tokens)
>>> # projects = list(session.search("proj", status="CUR"))

Adobe IMS (the successor of Workfront's OAuth 2 service) and any standard OAuth 2 server
are chosen by configuration: ``provider="adobe_ims"`` (with ``scope=``) or
``provider="generic"`` (with ``authorize_url=`` and ``token_url=``). A Server-to-Server
credential acts as the application itself, with no user:
``session = client.client_credentials_session(key="s2s")``.

The protocol and the HTTP work are done in Rust (the ``wf-oauth`` crates): one
implementation of the flow, the refresh logic and the token stores for every language.
"""

from __future__ import annotations

from ._errors import (
    ApiError,
    AuthorizationDenied,
    AuthorizationFailed,
    CodeExpired,
    Error,
    InternalError,
    InvalidArgument,
    ProtocolError,
    RateLimited,
    ReauthRequired,
    StateMismatch,
    StorageError,
    TokenEndpointError,
    TransportError,
)
from ._wf_oauth import (
    AsyncClient,
    AsyncSearchIterator,
    Authorization,
    AsyncSession,
    Client,
    FileTokenStore,
    ManualClock,
    MemoryTokenStore,
    PendingAuthorization,
    SearchIterator,
    Session,
    TokenSet,
    __version__,
    is_auth_failure,
    verify_store,
)


# The store protocol needs `typing`, which is loaded only when it is used, to keep
# `import wf_oauth` fast.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._protocols import AnyTokenStore, SharedTokenStore, TokenStore


def __getattr__(name: str) -> object:
    if name in ("TokenStore", "SharedTokenStore", "AnyTokenStore"):
        from . import _protocols

        return getattr(_protocols, name)
    raise AttributeError(f"module 'wf_oauth' has no attribute {name!r}")


__all__ = [
    "__version__",
    "Client",
    "AsyncClient",
    "Session",
    "AsyncSession",
    "SearchIterator",
    "AsyncSearchIterator",
    "TokenSet",
    "PendingAuthorization",
    "Authorization",
    "ManualClock",
    "MemoryTokenStore",
    "FileTokenStore",
    "TokenStore",
    "SharedTokenStore",
    "AnyTokenStore",
    "is_auth_failure",
    "verify_store",
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
