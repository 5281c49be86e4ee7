"""Secrets never show in repr, str, exception messages or logging output."""

from __future__ import annotations

import logging
import pickle
import urllib.parse
from typing import List

import pytest

import wf_oauth
from conftest import CLIENT_SECRET, REDIRECT, Mock, make_client


def secrets_of(tokens: wf_oauth.TokenSet, pending: wf_oauth.PendingAuthorization, code: str) -> List[str]:
    values = [tokens.access_token(), pending.state, code, CLIENT_SECRET]
    refresh = tokens.refresh_token()
    assert refresh
    return values + [refresh]


def assert_clean(text: str, secrets: List[str]) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret leaked into: {text[:200]}"


def test_no_secret_in_repr_str_errors_or_logs(mock: Mock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(mock, store=wf_oauth.MemoryTokenStore())
    pending = client.authorize()
    callback = mock.approve(pending.url)
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))["code"]
    tokens = client.exchange(pending, callback)
    secrets = secrets_of(tokens, pending, code)

    session = client.session(tokens, key="alice")
    mock.expire_sessions()
    session.get("proj/search", {"$$LIMIT": 1})  # refreshes

    texts = [
        repr(client), str(client), repr(pending), str(pending), repr(tokens), str(tokens),
        repr(session), str(session), repr(session.tokens), repr(wf_oauth.MemoryTokenStore()),
    ]
    # Errors from every stage: the callback, the token endpoint, the API.
    failures: List[BaseException] = []
    for call in (
        lambda: client.exchange(pending, callback),  # the code was used
        lambda: client.exchange(pending, f"{REDIRECT}?code={code}&state=forged"),
        lambda: client.refresh(tokens),  # a rotated (dead) refresh token
        lambda: session.get("proj/search", {"$$LIMIT": 5000}),
        lambda: session.get(f"proj/search?sessionID={tokens.access_token()}"),
        lambda: wf_oauth.TokenSet.from_json(tokens.to_json().replace('"format":1', '"format":"x"')),
    ):
        with pytest.raises(wf_oauth.Error) as info:
            call()
        failures.append(info.value)
    for error in failures:
        texts += [str(error), repr(error), repr(error.args), repr(vars(error))]
        texts.append(str(pickle.loads(pickle.dumps(error))))

    logged = [record.getMessage() for record in caplog.records]
    assert logged, "the driver's events reach Python logging"
    assert any(record.name.startswith("wf_oauth_http") for record in caplog.records)
    for text in texts + logged:
        assert_clean(text, secrets)


def test_secrets_only_through_explicit_accessors() -> None:
    tokens = wf_oauth.TokenSet("acc-XYZ", "acme.my.workfront.com", refresh_token="ref-XYZ")
    assert tokens.access_token() == "acc-XYZ"
    assert tokens.refresh_token() == "ref-XYZ"
    assert "XYZ" not in repr(tokens) + str(tokens) + f"{tokens}"
    assert tokens.access_token_fingerprint in repr(tokens)
    client = wf_oauth.Client(
        "acme.my.workfront.com", "cid", client_secret="s3cr3t-value", redirect_uri=REDIRECT
    )
    assert "s3cr3t-value" not in repr(client)
    pending = client.authorize()
    assert pending.state not in repr(pending) + str(pending)
