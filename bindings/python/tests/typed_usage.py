"""Uses every public name the way an application would; type-checked with mypy --strict."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import httpx
import requests

import wf_oauth
from wf_oauth.httpx import WorkfrontAuth as HttpxAuth
from wf_oauth.requests import WorkfrontAuth as RequestsAuth


class RedisLikeStore:
    def __init__(self) -> None:
        self.data: Dict[str, str] = {}

    def load(self, key: str) -> Optional[str]:
        return self.data.get(key)

    def save(self, key: str, document: str) -> None:
        self.data[key] = document


def sync_usage(callback_url: str) -> List[Dict[str, Any]]:
    store: wf_oauth.AnyTokenStore = RedisLikeStore()
    client = wf_oauth.Client(
        "acme.my.workfront.com", "id", client_secret="s", redirect_uri="https://a.example/cb",
        client_auth="post", store=store, clock=wf_oauth.ManualClock(),
    )
    pending: wf_oauth.PendingAuthorization = client.authorize()
    pending = wf_oauth.PendingAuthorization.from_json(pending.to_json())
    tokens: wf_oauth.TokenSet = client.exchange(pending, callback_url)
    refresh: Optional[str] = tokens.refresh_token()
    expires: Optional[int] = tokens.expires_at
    assert refresh is not None and expires is None
    session: wf_oauth.Session = client.session(tokens, key="alice")
    session.post("proj", json={"name": "x"}, params={"fields": "*"})
    headers: Dict[str, str] = session.auth_headers()
    assert session.on_auth_failure(headers)
    with httpx.Client(auth=HttpxAuth(session)) as h:
        h.get("https://acme.my.workfront.com/attask/api/v20.0/proj/search")
    r = requests.Session()
    r.auth = RequestsAuth(session)
    try:
        session.get("proj/search")
    except wf_oauth.ApiError as e:
        status: Optional[int] = e.status
        print(status, e.error_class, e.message)
    s2s = wf_oauth.Client(
        "acme.my.workfront.com", "s2s-id", client_secret="s", provider="adobe_ims",
        scope="openid AdobeID", store=store,
    )
    service: wf_oauth.Session = s2s.client_credentials_session(key="s2s")
    memory_only: wf_oauth.Session = s2s.client_credentials_session()
    assert service.key == "s2s" and memory_only.key is None
    return list(session.search("proj", page_size=500, status="CUR"))


async def async_usage(callback_url: str) -> int:
    client = wf_oauth.AsyncClient("acme.my.workfront.com", "id", redirect_uri="https://a.example/cb")
    pending = client.authorize()
    tokens = await client.exchange(pending, callback_url)
    session: wf_oauth.AsyncSession = await client.session(tokens)
    count = 0
    async for _ in session.search("proj"):
        count += 1
    await session.refresh()
    s2s = wf_oauth.AsyncClient(
        "acme.my.workfront.com", "s2s-id", client_secret="s", provider="generic",
        authorize_url="https://auth.example.com/authorize", token_url="https://auth.example.com/token",
    )
    service: wf_oauth.AsyncSession = await s2s.client_credentials_session()
    await service.get("user/search")
    async with httpx.AsyncClient(auth=HttpxAuth(session)) as h:
        await h.get("https://acme.my.workfront.com/attask/api/v20.0/proj/count")
    return count
