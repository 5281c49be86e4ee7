"""The authorization code flow and API calls, blocking API, in every client style."""

from __future__ import annotations

import pickle
import urllib.parse

import pytest

import wf_oauth
from conftest import REDIRECT, Mock, make_client, sign_in


@pytest.mark.parametrize("style", ["basic", "post", "pkce"])
def test_full_flow(mock: Mock, style: str) -> None:
    client = make_client(mock, style)
    pending = client.authorize()
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(pending.url).query))
    assert query["client_id"] == client.client_id
    assert query["redirect_uri"] == REDIRECT
    assert query["state"] == pending.state
    assert ("code_challenge" in query) == (style == "pkce")
    assert pending.uses_pkce == (style == "pkce")
    assert client.client_auth == {"basic": "basic", "post": "post", "pkce": "none"}[style]

    mock.reset_stats()
    tokens = client.exchange(pending, mock.approve(pending.url))
    assert mock.stats()["grants"]["authorization_code"] == 1
    assert tokens.token_type == "sessionID"
    assert tokens.expires_at is None  # expires_in: 0 means a sliding session
    assert tokens.instance == mock.base_url
    assert tokens.wid
    assert tokens.access_token() and tokens.refresh_token()

    session = client.session(tokens)
    projects = session.get("proj/search", {"$$LIMIT": 5})
    assert isinstance(projects, list) and len(projects) == 5
    assert {"ID", "name"} <= set(projects[0])

    everything = list(session.search("proj", page_size=100))
    assert len(everything) == 250
    assert len({p["ID"] for p in everything}) == 250

    created = session.post("proj", json={"name": "Launch"})
    assert created["name"] == "Launch"
    updated = session.put(f"proj/{created['ID']}", json={"name": "Launch 2"})
    assert updated["name"] == "Launch 2"
    session.delete(f"proj/{created['ID']}")
    assert session.request("GET", "proj/count")["count"] == 250


def test_search_filters_and_params(mock: Mock) -> None:
    session = make_client(mock).session(sign_in(mock, make_client(mock)))
    current = list(session.search("proj", status="CUR", fields="status"))
    assert current and all(p["status"] == "CUR" for p in current)
    pairs = session.get("proj/search", [("status", "CUR"), ("$$LIMIT", 3)])
    assert len(pairs) == 3


def test_refresh_rotates_and_session_follows(mock: Mock) -> None:
    client = make_client(mock)
    tokens = sign_in(mock, client)
    renewed = client.refresh(tokens)
    assert renewed.access_token() != tokens.access_token()
    assert renewed.refresh_token() != tokens.refresh_token()

    session = client.session(renewed)
    mock.expire_sessions()
    mock.reset_stats()
    assert len(session.get("proj/search", {"$$LIMIT": 1})) == 1
    assert mock.refreshes() == 1
    assert session.tokens.access_token() != renewed.access_token()
    session.refresh()
    assert mock.refreshes() == 2


def test_pending_authorization_survives_a_web_session(mock: Mock) -> None:
    client = make_client(mock, "pkce")
    pending = client.authorize()
    # Kept as JSON (or pickled) between the redirect and the callback.
    restored = wf_oauth.PendingAuthorization.from_json(pending.to_json())
    again = pickle.loads(pickle.dumps(restored))
    assert again.state == pending.state and again.url == pending.url
    tokens = client.exchange(again, mock.approve(pending.url))
    assert wf_oauth.TokenSet.from_json(tokens.to_json()) == tokens
    assert pickle.loads(pickle.dumps(tokens)) == tokens


def test_accept_then_exchange_code(mock: Mock) -> None:
    client = make_client(mock)
    pending = client.authorize()
    authorization = client.accept_callback(pending, mock.approve(pending.url))
    assert authorization.instance == mock.base_url
    tokens = client.exchange_code(authorization)
    assert tokens.refresh_token()


def test_logout_ends_the_session(mock: Mock) -> None:
    client = make_client(mock, store=wf_oauth.MemoryTokenStore())
    session = client.session(sign_in(mock, client), key="alice")
    session.logout()
    assert session.reauth_required
    with pytest.raises(wf_oauth.ReauthRequired):
        session.get("proj/search")
