"""Every exception class, raised by a real scenario, with its attributes."""

from __future__ import annotations

from typing import Callable, Dict, Optional

import pytest

import wf_oauth
from conftest import CLIENT_ID, REDIRECT, Mock, make_client, sign_in


def test_hierarchy() -> None:
    for name in wf_oauth._errors.__all__:
        assert issubclass(getattr(wf_oauth, name), wf_oauth.Error)
    assert issubclass(wf_oauth.InvalidArgument, ValueError)
    assert issubclass(wf_oauth.RateLimited, wf_oauth.ApiError)


def test_state_mismatch(mock: Mock) -> None:
    client = make_client(mock)
    first, second = client.authorize(), client.authorize()
    # The callback of another login attempt.
    with pytest.raises(wf_oauth.StateMismatch) as info:
        client.exchange(first, mock.approve(second.url))
    assert info.value.kind == "state_mismatch"


def test_authorization_denied(start_mock: Callable[..., Mock]) -> None:
    mock = start_mock()  # login and consent pages, no auto-approve
    client = make_client(mock)
    pending = client.authorize()
    callback = mock.browse(pending.url, decision="deny")
    with pytest.raises(wf_oauth.AuthorizationDenied) as info:
        client.exchange(pending, callback)
    assert info.value.error == "access_denied"
    assert info.value.kind == "authorization_denied"


def test_authorization_failed(mock: Mock) -> None:
    client = make_client(mock)
    pending = client.authorize()
    with pytest.raises(wf_oauth.AuthorizationFailed) as info:
        client.exchange(pending, f"{REDIRECT}?error=temporarily_unavailable&state={pending.state}")
    assert info.value.error == "temporarily_unavailable"


def test_code_expired(mock: Mock) -> None:
    clock = wf_oauth.ManualClock()
    client = make_client(mock, clock=clock)
    pending = client.authorize()
    authorization = client.accept_callback(pending, mock.approve(pending.url))
    clock.advance(121)
    with pytest.raises(wf_oauth.CodeExpired) as info:
        client.exchange_code(authorization)
    assert "start the login again" in str(info.value)


def test_reauth_required_after_revocation(mock: Mock) -> None:
    client = make_client(mock)
    session = client.session(sign_in(mock, client))
    mock.revoke_refresh_tokens()
    mock.expire_sessions()
    with pytest.raises(wf_oauth.ReauthRequired) as info:
        session.get("proj/search")
    assert info.value.kind == "reauth_required"
    assert session.reauth_required


def test_reauth_required_when_nothing_is_stored(mock: Mock) -> None:
    client = make_client(mock, store=wf_oauth.MemoryTokenStore())
    with pytest.raises(wf_oauth.ReauthRequired):
        client.session("nobody")


def test_code_used_twice_is_a_failed_sign_in(mock: Mock) -> None:
    client = make_client(mock)
    pending = client.authorize()
    callback = mock.approve(pending.url)
    client.exchange(pending, callback)
    # A refused code is a failed sign-in (start it again), not a lost session.
    with pytest.raises(wf_oauth.AuthorizationFailed) as info:
        client.exchange(pending, callback)
    assert info.value.error == "invalid_grant" and info.value.status == 400
    assert info.value.kind == "authorization_failed"


def test_token_endpoint_error(mock: Mock) -> None:
    client = wf_oauth.Client(mock.base_url, CLIENT_ID, client_secret="wrong", redirect_uri=REDIRECT)
    pending = client.authorize()
    with pytest.raises(wf_oauth.TokenEndpointError) as info:
        client.exchange(pending, mock.approve(pending.url))
    assert info.value.error == "invalid_client"
    assert info.value.status == 401
    assert info.value.kind == "token_endpoint"


def test_api_error(mock: Mock) -> None:
    session = make_client(mock).session(sign_in(mock, make_client(mock)))
    with pytest.raises(wf_oauth.ApiError) as info:
        session.get("proj/search", {"$$LIMIT": 5000})
    assert info.value.status == 400
    assert info.value.error_class
    assert info.value.message
    with pytest.raises(wf_oauth.ApiError) as missing:
        session.get("proj/0000/nothing")
    assert missing.value.status == 404


def test_rate_limited(mock: Mock) -> None:
    session = make_client(mock, max_retries=1).session(sign_in(mock, make_client(mock)))
    mock.fault("api", {"kind": "status", "status": 429, "retry_after": 0}, count=5)
    with pytest.raises(wf_oauth.RateLimited) as info:
        session.get("proj/search")
    assert info.value.status == 429
    assert info.value.retryable


def test_transport_error() -> None:
    # Nothing listens on port 9 of the loopback interface.
    client = wf_oauth.Client(
        "http://127.0.0.1:9", CLIENT_ID, client_secret="s", redirect_uri=REDIRECT, max_retries=0
    )
    with pytest.raises(wf_oauth.TransportError) as info:
        client.refresh(wf_oauth.TokenSet("a", "http://127.0.0.1:9", refresh_token="r"))
    assert info.value.kind == "transport" and info.value.retryable


class FailingStore:
    def __init__(self) -> None:
        self.documents: Dict[str, str] = {}

    def load(self, key: str) -> Optional[str]:
        return self.documents.get(key)

    def save(self, key: str, document: str) -> None:
        raise OSError("disk full")


def test_storage_error(mock: Mock) -> None:
    client = make_client(mock, store=FailingStore())
    with pytest.raises(wf_oauth.StorageError) as info:
        client.session(sign_in(mock, make_client(mock)), key="alice")
    assert "OSError: disk full" in str(info.value)
    assert info.value.kind == "storage"


def test_protocol_error(mock: Mock) -> None:
    client = make_client(mock)
    pending = client.authorize()
    callback = mock.approve(pending.url)
    mock.fault("authorization_code", {"kind": "html", "status": 502})
    with pytest.raises(wf_oauth.ProtocolError) as info:
        client.exchange(pending, callback)
    assert info.value.status == 502


@pytest.mark.parametrize(
    "build",
    [
        lambda m: wf_oauth.Client("http://acme.example.com", CLIENT_ID),
        lambda m: wf_oauth.Client("acme.my.workfront.com", CLIENT_ID, client_auth="digest"),
        lambda m: wf_oauth.Client("acme.my.workfront.com", CLIENT_ID, redirect_uri="http://evil.example.com/cb"),
        lambda m: wf_oauth.Client("acme.my.workfront.com", CLIENT_ID, api_version="20"),
        lambda m: wf_oauth.Client("acme.my.workfront.com", CLIENT_ID, timeout=-1.0),
        lambda m: wf_oauth.Client("acme.my.workfront.com", CLIENT_ID, store=object()),
        lambda m: wf_oauth.Client("acme.my.workfront.com", CLIENT_ID, provider="ims"),
        lambda m: wf_oauth.Client("acme.my.workfront.com", CLIENT_ID, provider="adobe_ims"),
        lambda m: wf_oauth.TokenSet.from_json('{"format": 99}'),
        lambda m: wf_oauth.PendingAuthorization.from_json("not json"),
        lambda m: make_client(m).session("key-without-store"),
        lambda m: make_client(m).session(42),  # type: ignore[arg-type]
    ],
)
def test_invalid_arguments(mock: Mock, build: Callable[[Mock], object]) -> None:
    with pytest.raises(wf_oauth.InvalidArgument) as info:
        build(mock)
    assert info.value.kind == "invalid_argument"


def test_invalid_api_arguments(mock: Mock) -> None:
    session = make_client(mock).session(sign_in(mock, make_client(mock)))
    for call in (
        lambda: session.get("../../integrations/oauth2/api/v1/token"),
        lambda: session.get("proj/search", {"sessionID": "x"}),
        lambda: session.get("proj/search", {"name": object()}),
        lambda: session.post("proj", json={"when": object()}),
        lambda: session.request("TRACE", "proj"),
    ):
        with pytest.raises(wf_oauth.InvalidArgument):
            call()
