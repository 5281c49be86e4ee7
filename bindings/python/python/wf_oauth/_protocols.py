"""The token store protocol (loaded on first use by ``wf_oauth.TokenStore``)."""

from __future__ import annotations

from typing import Optional, Protocol, Union, runtime_checkable

from ._wf_oauth import FileTokenStore, MemoryTokenStore

__all__ = ["TokenStore", "AnyTokenStore"]


@runtime_checkable
class TokenStore(Protocol):
    """What ``Client(store=...)`` accepts besides the built-in stores: any object with these
    methods (Redis, a database, the system keyring…).

    A document is a JSON string written by the library; store it as it is. ``delete`` is
    optional: without it, signing out keeps the document but marks it as needing a new
    sign-in. Exceptions raised here surface as :class:`StorageError`.
    """

    def load(self, key: str) -> Optional[str]:
        """The document stored under ``key``, or None."""
        ...

    def save(self, key: str, document: str) -> None:
        """Stores ``document`` under ``key``, replacing what was there."""
        ...


#: What ``Client(store=...)`` accepts.
AnyTokenStore = Union[MemoryTokenStore, FileTokenStore, TokenStore]

