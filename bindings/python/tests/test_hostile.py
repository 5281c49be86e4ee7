"""Hostile input against the Python package, as an attacker would send it.

Token sets and store documents naming a foreign host (a loopback server that records
whether anything reached it), absurd ``Retry-After`` values, store directories and links
planted by another user, text that is not Unicode, damaged authorization codes, another
server's ``iss``, and a panic inside the library. Each case checks the typed exception and
that nothing was sent.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import threading
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

import wf_oauth
from wf_oauth import _wf_oauth

from conftest import CLIENT_ID, CLIENT_SECRET, IMS_SCOPE, REDIRECT, Mock, make_client, sign_in


class Hostile:
    """A loopback HTTP server that counts requests and answers each with one script."""

    def __init__(self, status: int = 200, headers: Dict[str, str] | None = None, body: str = "{}") -> None:
        self.requests: List[Tuple[str, str]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                outer.requests.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                payload = body.encode()
                self.send_response(status)
                for name, value in (headers or {"Content-Type": "application/json"}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder() -> Iterator[Hostile]:
    server = Hostile()
    yield server
    server.stop()


def foreign_tokens(origin: str) -> wf_oauth.TokenSet:
    return wf_oauth.TokenSet("planted-access", origin, refresh_token="planted-refresh")


def test_token_sets_naming_another_host_never_reach_it(mock: Mock, recorder: Hostile) -> None:
    client = make_client(mock)
    built = foreign_tokens(recorder.origin)
    from_json = wf_oauth.TokenSet.from_json(built.to_json())
    for tokens in (built, from_json):
        with pytest.raises(wf_oauth.InvalidArgument) as refused:
            client.refresh(tokens)
        assert "127.0.0.1" in str(refused.value)
        assert "planted" not in str(refused.value)
        session = client.session(tokens)
        for call in (
            lambda: session.get("proj/search"),
            session.refresh,
            session.auth_headers,
            session.logout,
        ):
            with pytest.raises(wf_oauth.InvalidArgument):
                call()
    assert recorder.requests == []
    assert mock.refreshes() == 0


def test_the_allow_list_admits_other_instances(mock: Mock, recorder: Hostile) -> None:
    client = make_client(mock, allowed_instances=[recorder.origin])
    session = client.session(foreign_tokens(recorder.origin))
    assert session.get("proj/search") == {}
    assert len(recorder.requests) == 1


def planted_document(origin: str, generation: int = 5) -> str:
    tokens = json.loads(foreign_tokens(origin).to_json())
    return json.dumps(
        {"format": "wf-oauth-credential", "version": 1, "generation": generation, "tokens": tokens}
    )


def test_a_planted_store_document_is_refused_and_left_untouched(
    mock: Mock, recorder: Hostile, tmp_path: Path
) -> None:
    store = wf_oauth.FileTokenStore(tmp_path / "tokens")
    path = store.path("alice")
    path.write_text(planted_document(recorder.origin))
    path.chmod(0o600)
    before = path.read_bytes()
    client = make_client(mock, store=store)
    with pytest.raises(wf_oauth.StorageError) as refused:
        client.session("alice")
    assert "127.0.0.1" in str(refused.value) and "planted" not in str(refused.value)
    assert path.read_bytes() == before

    # A custom store handing back a planted document: the same refusal.
    class Planted:
        def load(self, key: str) -> str:
            return planted_document(recorder.origin)

        def save(self, key: str, document: str) -> None:
            raise AssertionError("nothing is saved over a refused document")

    with pytest.raises(wf_oauth.StorageError):
        make_client(mock, store=Planted()).session("alice")
    assert recorder.requests == []


@pytest.mark.parametrize(
    "status,retry_after",
    [
        (429, "18446744073709551615"),
        (503, "18446744073709551615"),
        (429, "Fri, 31 Dec 9999 23:59:59 GMT"),
        (429, "99999999999999999999999999"),
    ],
)
def test_absurd_retry_after_values_are_typed_errors(status: int, retry_after: str) -> None:
    server = Hostile(
        status,
        {"Retry-After": retry_after, "Content-Type": "application/json"},
        '{"error":{"class":"x","message":"busy"}}',
    )
    try:
        client = wf_oauth.Client(
            server.origin, CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri=REDIRECT, timeout=5.0
        )
        tokens = foreign_tokens(server.origin)
        session = client.session(tokens)
        with pytest.raises(wf_oauth.ApiError) as api:
            session.get("proj/search")
        assert isinstance(api.value, Exception)
        with pytest.raises(wf_oauth.Error):
            client.refresh(tokens)

        async def both() -> None:
            aclient = wf_oauth.AsyncClient(
                server.origin, CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri=REDIRECT
            )
            asession = await aclient.session(tokens)
            with pytest.raises(wf_oauth.ApiError):
                await asession.get("proj/search")

        asyncio.run(both())
    finally:
        server.stop()


def test_store_directories_other_users_can_write_are_refused(tmp_path: Path) -> None:
    for mode in (0o777, 0o770, 0o1777):
        loose = tmp_path / f"loose-{mode:o}"
        loose.mkdir()
        loose.chmod(mode)
        with pytest.raises(wf_oauth.StorageError) as refused:
            wf_oauth.FileTokenStore(loose)
        assert str(loose) in str(refused.value) and "chmod 700" in str(refused.value)
        assert list(loose.iterdir()) == []


def test_links_in_a_store_are_never_followed(mock: Mock, tmp_path: Path) -> None:
    store = wf_oauth.FileTokenStore(tmp_path / "tokens")
    document = store.path("k")
    stem = document.name[: -len(".json")]
    target = tmp_path / "elsewhere"
    (document.parent / f"{stem}.write.lock").symlink_to(target)
    client = make_client(mock, store=store)
    tokens = sign_in(mock, client)
    with pytest.raises(wf_oauth.StorageError) as refused:
        client.session(tokens, key="k")
    assert "symbolic link" in str(refused.value)
    assert not target.exists()


@pytest.mark.parametrize(
    "call",
    [
        lambda m: wf_oauth.Client("acme\ud800.my.workfront.com", CLIENT_ID),
        lambda m: wf_oauth.Client(m.base_url, "id\udcff"),
        lambda m: wf_oauth.Client(m.base_url, CLIENT_ID, client_secret="s\ud800"),
        lambda m: wf_oauth.TokenSet("a\ud800", m.base_url),
        lambda m: wf_oauth.TokenSet.from_json('{"format":1,"access_token":"\ud800"}'),
        lambda m: wf_oauth.PendingAuthorization.from_json("\udcff"),
        lambda m: make_client(m).accept_callback(make_client(m).authorize(), f"{REDIRECT}?code=\udcff"),
        lambda m: make_client(m).session(sign_in(m, make_client(m))).get("proj/\ud800"),
        lambda m: make_client(m).session(sign_in(m, make_client(m))).get("proj/search", {"name": "\ud800"}),
        lambda m: make_client(m).session(sign_in(m, make_client(m))).get("proj/search", {"\ud800": "x"}),
        lambda m: make_client(m).session(sign_in(m, make_client(m))).request("G\ud800T", "proj/search"),
        lambda m: make_client(m).session(sign_in(m, make_client(m))).post("proj", json={"name": "\ud800"}),
        lambda m: wf_oauth.MemoryTokenStore().load("k\ud800"),
    ],
)
def test_text_that_is_not_unicode_is_invalid_argument(mock: Mock, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(wf_oauth.InvalidArgument):
        call(mock)


@pytest.mark.parametrize(
    "code", ["%FF%FE", "ab%C0%AFcd", "%ED%A0%80", "a%0Db", "a%0Ab", "a%00b", "a%20b", "a+b", "caf%C3%A9"]
)
def test_damaged_codes_are_refused_and_nothing_is_sent(mock: Mock, code: str) -> None:
    client = make_client(mock)
    pending = client.authorize()
    mock.reset_stats()
    callback = f"{REDIRECT}?code={code}&state={pending.state}"
    with pytest.raises(wf_oauth.ProtocolError):
        client.exchange(pending, callback)
    assert mock.stats().get("grants", {}) == {}


def test_iss_from_another_server_is_refused(start_mock) -> None:  # type: ignore[no-untyped-def]
    ims = start_mock("--mode", "ims", "--auto-approve", "--allow-loopback-redirects")
    ims_base = ims.base_url
    client = wf_oauth.Client(
        ims.base_url,
        CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT,
        provider="adobe_ims",
        ims_base=ims_base,
        scope=IMS_SCOPE,
    )
    pending = client.authorize()
    callback = ims.approve(pending.url)
    ims.reset_stats()
    with pytest.raises(wf_oauth.StateMismatch) as mixed_up:
        client.exchange(pending, f"{callback}&iss=https%3A%2F%2Fevil.example.com")
    assert "evil.example.com" in str(mixed_up.value)
    assert ims.stats().get("grants", {}) == {}
    # The right issuer passes.
    tokens = client.exchange(pending, f"{callback}&iss={ims_base}")
    assert tokens.access_token()

    strict = wf_oauth.Client(
        ims.base_url,
        CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT,
        provider="adobe_ims",
        ims_base=ims_base,
        scope=IMS_SCOPE,
        require_issuer=True,
    )
    pending = strict.authorize()
    with pytest.raises(wf_oauth.StateMismatch):
        strict.accept_callback(pending, ims.approve(pending.url))


def test_a_panic_is_an_internal_error_not_a_panic_exception() -> None:
    with pytest.raises(wf_oauth.InternalError) as caught:
        _wf_oauth._panic_for_tests()
    assert isinstance(caught.value, Exception)
    assert caught.value.kind == "internal"

    async def awaited() -> None:
        await _wf_oauth._panic_for_tests(asynchronous=True)

    with pytest.raises(wf_oauth.InternalError):
        asyncio.run(awaited())
