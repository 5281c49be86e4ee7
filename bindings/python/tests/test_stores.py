"""Token stores: the built-in ones, and plain Python objects with load/save."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Optional

import pytest

import wf_oauth
from conftest import Mock, make_client, sign_in


class DictStore:
    """What an application would write around Redis or a database table."""

    def __init__(self) -> None:
        self.documents: Dict[str, str] = {}
        self.saves = 0

    def load(self, key: str) -> Optional[str]:
        return self.documents.get(key)

    def save(self, key: str, document: str) -> None:
        self.saves += 1
        self.documents[key] = document

    def delete(self, key: str) -> None:
        self.documents.pop(key, None)


def test_python_store_keeps_rotated_tokens(mock: Mock) -> None:
    store = DictStore()
    client = make_client(mock, store=store)
    assert isinstance(store, wf_oauth.TokenStore)
    tokens = sign_in(mock, client)
    session = client.session(tokens, key="alice")
    first = json.loads(store.documents["alice"])
    assert first["tokens"]["refresh_token"] == tokens.refresh_token()

    mock.expire_sessions()
    session.get("proj/search", {"$$LIMIT": 1})
    stored = json.loads(store.documents["alice"])
    assert stored["generation"] > first["generation"]
    assert stored["tokens"]["refresh_token"] == session.tokens.refresh_token() != tokens.refresh_token()

    # Another client (another process, later) opens the stored credential by key.
    again = make_client(mock, store=store).session("alice")
    assert again.key == "alice"
    assert len(again.get("proj/search", {"$$LIMIT": 2})) == 2

    session.logout()
    assert "alice" not in store.documents


def test_store_without_delete_marks_reauth(mock: Mock) -> None:
    class NoDelete:
        def __init__(self) -> None:
            self.documents: Dict[str, str] = {}

        def load(self, key: str) -> Optional[str]:
            return self.documents.get(key)

        def save(self, key: str, document: str) -> None:
            self.documents[key] = document

    store = NoDelete()
    client = make_client(mock, store=store)
    client.session(sign_in(mock, client), key="bob").logout()
    assert json.loads(store.documents["bob"])["reauth_required"] is True
    with pytest.raises(wf_oauth.ReauthRequired):
        client.session("bob").get("proj/search")


@pytest.mark.parametrize(
    "load_result, expected",
    [(42, "must return str or None"), ("{not json", "unreadable")],
)
def test_broken_python_store_is_a_storage_error(mock: Mock, load_result: object, expected: str) -> None:
    class Broken:
        def load(self, key: str) -> object:
            return load_result

        def save(self, key: str, document: str) -> None:
            pass

    client = make_client(mock, store=Broken())
    with pytest.raises(wf_oauth.StorageError) as info:
        client.session("carol")
    assert expected in str(info.value)


def test_store_raising_in_load(mock: Mock) -> None:
    class Raising:
        def load(self, key: str) -> Optional[str]:
            raise KeyError("backend unavailable")

        def save(self, key: str, document: str) -> None:
            pass

    with pytest.raises(wf_oauth.StorageError, match="KeyError"):
        make_client(mock, store=Raising()).session("dave")


def test_file_store_round_trip(mock: Mock, tmp_path: Path) -> None:
    store = wf_oauth.FileTokenStore(tmp_path / "tokens")
    client = make_client(mock, store=store)
    tokens = sign_in(mock, client)
    client.session(tokens, key="erin")
    path = store.path("erin")
    assert path.exists() and path.stat().st_mode & 0o777 == 0o600
    document = store.load("erin")
    assert document and json.loads(document)["tokens"]["access_token"] == tokens.access_token()

    other = wf_oauth.MemoryTokenStore()
    other.save("erin", document)
    assert json.loads(other.load("erin") or "{}")["tokens"]["wid"] == tokens.wid
    other.delete("erin")
    assert other.load("erin") is None
    with pytest.raises(wf_oauth.StorageError):
        other.save("erin", "{}")
    assert make_client(mock, store=store).session("erin").get("proj/count")["count"] == 250


class SharedDictStore(DictStore):
    """A store with an atomic compare-and-swap and leases, as an application would write it
    over a database or a cache (here: one lock around a dict)."""

    def __init__(self) -> None:
        super().__init__()
        import threading
        import time

        self._lock = threading.Lock()
        self._time = time.monotonic
        self.generations: Dict[str, int] = {}
        self.leases: Dict[str, tuple] = {}

    def save(self, key: str, document: str) -> None:
        with self._lock:
            super().save(key, document)
            # Documents carry their generation; an unreadable one has none.
            try:
                self.generations[key] = json.loads(document)["generation"]
            except (ValueError, KeyError, TypeError):
                self.generations[key] = -1

    def delete(self, key: str) -> None:
        with self._lock:
            super().delete(key)
            self.generations.pop(key, None)

    def compare_and_swap(self, key: str, document: str, generation: int, expected: Optional[int]) -> bool:
        with self._lock:
            if self.generations.get(key) != expected:
                return False
            self.saves += 1
            self.documents[key] = document
            self.generations[key] = generation
            return True

    def acquire_lease(self, key: str, owner: str, ttl_ms: int) -> bool:
        with self._lock:
            holder = self.leases.get(key)
            now = self._time()
            if holder is not None and holder[0] != owner and holder[1] > now:
                return False
            self.leases[key] = (owner, now + ttl_ms / 1000)
            return True

    def release_lease(self, key: str, owner: str) -> None:
        with self._lock:
            if self.leases.get(key, (None,))[0] == owner:
                del self.leases[key]


@pytest.mark.parametrize("store_class", [DictStore, SharedDictStore])
def test_custom_stores_pass_the_conformance_suite(store_class) -> None:  # type: ignore[no-untyped-def]
    store = store_class()
    report = wf_oauth.verify_store(store)
    assert report["passed"], report["report"]
    if store_class is SharedDictStore:
        assert isinstance(store, wf_oauth.SharedTokenStore)
        assert report["skipped"] == [], report["report"]
    else:
        assert not isinstance(store, wf_oauth.SharedTokenStore)
        assert len(report["skipped"]) == 2, report["report"]


def test_a_broken_store_fails_the_conformance_suite() -> None:
    class Forgetful(SharedDictStore):
        def compare_and_swap(self, key: str, document: str, generation: int, expected: Optional[int]) -> bool:
            self.documents[key] = document  # ignores the expected generation
            self.generations[key] = generation
            return True

    report = wf_oauth.verify_store(Forgetful())
    assert not report["passed"]
    failed = [name for name, failure in report["checks"] if failure]
    assert any("compare-and-swap" in name or "concurrent writers" in name for name in failed), report["report"]


@pytest.mark.parametrize("store_class", [DictStore, SharedDictStore])
def test_two_clients_one_custom_store_one_refresh(mock: Mock, store_class) -> None:  # type: ignore[no-untyped-def]
    """Two clients (as two parts of an application) share one custom store object: when the
    session ends, exactly one refresh happens, whoever calls."""
    import concurrent.futures

    store = store_class()
    first = make_client(mock, store=store)
    first.session(sign_in(mock, first), key="shared")
    second = make_client(mock, store=store)
    sessions = [first.session("shared"), second.session("shared")]
    before = mock.refreshes()
    mock.expire_sessions()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: sessions[i % 2].get("proj/search", {"$$LIMIT": 1}), range(16)))
    assert all(len(r) == 1 for r in results)
    assert mock.refreshes() - before == 1
    assert mock.stats().get("grant_status", {}).get("refresh_token", {}).get("400", 0) == 0
