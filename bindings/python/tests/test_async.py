"""The asyncio flavour: the same flow and calls, awaited."""

from __future__ import annotations

import asyncio

import pytest

import wf_oauth
from conftest import Mock, make_client


@pytest.mark.parametrize("style", ["basic", "post", "pkce"])
async def test_full_flow_async(mock: Mock, style: str) -> None:
    client = make_client(mock, style, cls=wf_oauth.AsyncClient)
    pending = client.authorize()
    callback = await asyncio.to_thread(mock.approve, pending.url)
    tokens = await client.exchange(pending, callback)
    assert tokens.refresh_token()

    session = await client.session(tokens)
    assert len(await session.get("proj/search", {"$$LIMIT": 3})) == 3
    projects = [p async for p in session.search("proj")]
    assert len(projects) == 250

    created = await session.post("proj", json={"name": "Async"})
    await session.delete(f"proj/{created['ID']}")

    renewed = await client.refresh(session.tokens)
    assert renewed.access_token() != tokens.access_token()


async def test_concurrent_calls_share_one_refresh(mock: Mock) -> None:
    client = make_client(mock, cls=wf_oauth.AsyncClient)
    pending = client.authorize()
    tokens = await client.exchange(pending, await asyncio.to_thread(mock.approve, pending.url))
    session = await client.session(tokens)
    mock.expire_sessions()
    mock.reset_stats()
    results = await asyncio.gather(*(session.get("proj/search", {"$$LIMIT": 1}) for _ in range(50)))
    assert all(len(r) == 1 for r in results)
    assert mock.refreshes() == 1


async def test_async_errors_are_typed(mock: Mock) -> None:
    client = make_client(mock, cls=wf_oauth.AsyncClient)
    pending = client.authorize()
    with pytest.raises(wf_oauth.StateMismatch):
        await client.exchange(pending, "http://127.0.0.1:8765/callback?code=x&state=forged")
    tokens = await client.exchange(pending, await asyncio.to_thread(mock.approve, pending.url))
    session = await client.session(tokens)
    with pytest.raises(wf_oauth.ApiError) as info:
        await session.get("proj/search", {"$$LIMIT": 5000})
    assert info.value.status == 400


async def test_cancelled_call_leaves_the_session_usable(mock: Mock) -> None:
    client = make_client(mock, cls=wf_oauth.AsyncClient)
    pending = client.authorize()
    tokens = await client.exchange(pending, await asyncio.to_thread(mock.approve, pending.url))
    session = await client.session(tokens)
    mock.fault("api", {"kind": "delay", "ms": 2000})
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(session.get("proj/search"), timeout=0.2)
    assert len(await session.get("proj/search", {"$$LIMIT": 2})) == 2
