"""The token store protocol (loaded on first use by ``wf_oauth.TokenStore``)."""

from __future__ import annotations

from typing import Optional, Protocol, Union, runtime_checkable

from ._wf_oauth import FileTokenStore, MemoryTokenStore

__all__ = ["TokenStore", "SharedTokenStore", "AnyTokenStore"]


@runtime_checkable
class TokenStore(Protocol):
    """What ``Client(store=...)`` accepts besides the built-in stores: any object with these
    methods (Redis, a database, the system keyring…).

    A document is a JSON string written by the library; store it as it is (it carries its
    own ``"generation"``). ``delete`` is optional: without it, signing out keeps the
    document but marks it as needing a new sign-in. Exceptions raised here surface as
    :class:`StorageError`. Such a store is safe within one process; see
    :class:`SharedTokenStore` for several processes or machines.
    """

    def load(self, key: str) -> Optional[str]:
        """The document stored under ``key``, or None."""
        ...

    def save(self, key: str, document: str) -> None:
        """Stores ``document`` under ``key``, replacing what was there."""
        ...


@runtime_checkable
class SharedTokenStore(TokenStore, Protocol):
    """A store that several processes or machines can share safely: besides ``load`` and
    ``save``, an atomic compare-and-swap and an atomic lease with a time-to-live.

    With these, one refresh per expiry holds across every process using the store (the
    library takes the lease before renewing; the others wait and adopt the result), and no
    writer ever overwrites a newer document. Without them, the guarantees hold within one
    process only. Check an implementation with :func:`wf_oauth.verify_store`.

    ``save`` stays the unconditional write (a new sign-in); the stored generation is then
    the document's own top-level ``"generation"`` (absent if the document cannot be read).
    """

    def delete(self, key: str) -> None:
        """Removes what is stored under ``key`` (nothing to do if nothing is)."""
        ...

    def compare_and_swap(
        self, key: str, document: str, generation: int, expected_generation: Optional[int]
    ) -> bool:
        """Stores ``document`` (saved as ``generation``) under ``key`` only if the stored
        document's generation is ``expected_generation`` (None: nothing is stored), in one
        atomic step; returns whether it did."""
        ...

    def acquire_lease(self, key: str, owner: str, ttl_ms: int) -> bool:
        """Takes the lease of ``key`` for ``owner`` for ``ttl_ms`` milliseconds, atomically,
        unless another owner holds an unexpired one; returns whether ``owner`` holds it."""
        ...

    def release_lease(self, key: str, owner: str) -> None:
        """Releases the lease of ``key`` if ``owner`` still holds it (compare-and-delete)."""
        ...


#: What ``Client(store=...)`` accepts.
AnyTokenStore = Union[MemoryTokenStore, FileTokenStore, TokenStore]

