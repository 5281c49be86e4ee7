"""The httpx and requests adapters: the application's own HTTP stack, our credential."""

from __future__ import annotations

import httpx
import requests

import wf_oauth
from conftest import Mock, make_client, sign_in
from wf_oauth.httpx import WorkfrontAuth as HttpxAuth
from wf_oauth.requests import WorkfrontAuth as RequestsAuth


def api(mock: Mock, path: str) -> str:
    return f"{mock.base_url}/attask/api/v20.0/{path}"


def test_httpx_sync(mock: Mock) -> None:
    client = make_client(mock)
    session = client.session(sign_in(mock, client))
    with httpx.Client(auth=HttpxAuth(session), timeout=10) as http:
        assert len(http.get(api(mock, "proj/search"), params={"$$LIMIT": 3}).json()["data"]) == 3
        mock.expire_sessions()
        mock.reset_stats()
        response = http.get(api(mock, "proj/search"), params={"$$LIMIT": 2})
        assert response.status_code == 200 and len(response.json()["data"]) == 2
        assert mock.refreshes() == 1
        assert response.request.headers["sessionID"] == session.tokens.access_token()


async def test_httpx_async(mock: Mock) -> None:
    client = make_client(mock, cls=wf_oauth.AsyncClient)
    pending = client.authorize()
    import asyncio

    tokens = await client.exchange(pending, await asyncio.to_thread(mock.approve, pending.url))
    session = await client.session(tokens)
    async with httpx.AsyncClient(auth=HttpxAuth(session), timeout=10) as http:
        mock.expire_sessions()
        mock.reset_stats()
        responses = await asyncio.gather(
            *(http.get(api(mock, "proj/search"), params={"$$LIMIT": 1}) for _ in range(10))
        )
        assert [r.status_code for r in responses] == [200] * 10
        assert mock.refreshes() == 1


def test_requests(mock: Mock) -> None:
    client = make_client(mock)
    session = client.session(sign_in(mock, client))
    with requests.Session() as http:
        http.auth = RequestsAuth(session)
        assert http.get(api(mock, "proj/count"), timeout=10).json()["data"]["count"] == 250
        mock.expire_sessions()
        mock.reset_stats()
        response = http.post(api(mock, "proj"), json={"name": "From requests"}, timeout=10)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["name"] == "From requests"
        assert [r.status_code for r in response.history] == [401]
        assert mock.refreshes() == 1


def test_authentication_error_with_http_200_is_recognised(mock: Mock) -> None:
    client = make_client(mock)
    session = client.session(sign_in(mock, client))
    mock.expire_sessions()
    mock.fault(
        "api",
        {
            "kind": "ok_with_error",
            "class": "com.attask.common.AuthenticationException",
            "message": "You are not currently logged in",
        },
    )
    mock.reset_stats()
    with requests.Session() as http:
        http.auth = RequestsAuth(session)
        response = http.get(api(mock, "proj/search"), params={"$$LIMIT": 1}, timeout=10)
    assert response.status_code == 200 and "data" in response.json()
    assert mock.refreshes() == 1
    assert wf_oauth.is_auth_failure(401, b"")
    assert not wf_oauth.is_auth_failure(200, b'{"data": []}')


def test_refused_refresh_surfaces_as_reauth(mock: Mock) -> None:
    client = make_client(mock)
    session = client.session(sign_in(mock, client))
    mock.revoke_refresh_tokens()
    mock.expire_sessions()
    with httpx.Client(auth=HttpxAuth(session), timeout=10) as http:
        try:
            http.get(api(mock, "proj/search"))
        except wf_oauth.ReauthRequired:
            pass
        else:
            raise AssertionError("expected ReauthRequired")
