"""``requests`` authentication backed by a ``wf_oauth`` session.

>>> import requests
>>> from wf_oauth.requests import WorkfrontAuth
>>> # http = requests.Session()
>>> # http.auth = WorkfrontAuth(session)
>>> # http.get(f"{session.tokens.instance}/attask/api/v20.0/proj/search")

The credential header is the one the provider profile prescribes; when an answer says the
credential was refused (HTTP 401, or Workfront's ``AuthenticationException`` even with
HTTP 200), the session refreshes once — shared with every other caller — and the request is
sent again on the same connection pool.
"""

from __future__ import annotations

from typing import Any, Dict

import requests
from requests.auth import AuthBase

from ._wf_oauth import Session, is_auth_failure

__all__ = ["WorkfrontAuth"]


class WorkfrontAuth(AuthBase):
    """Authenticates ``requests`` calls with a :class:`wf_oauth.Session`."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def __repr__(self) -> str:
        return f"WorkfrontAuth({self._session!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        sent = self._session.auth_headers()
        request.headers.update(sent)
        # Remember what this request carried, to tell "my token was refused" from "an
        # older token was refused and a newer one already exists".
        request.register_hook("response", _RetryAfterRefusal(self._session, sent))
        return request


class _RetryAfterRefusal:
    """Response hook: refresh once and resend when the credential was refused."""

    def __init__(self, session: Session, sent: Dict[str, str]) -> None:
        self._session = session
        self._sent = sent
        self._done = False

    def __call__(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        if self._done or not is_auth_failure(response.status_code, response.content):
            return response
        self._done = True
        if not self._session.on_auth_failure(self._sent):
            return response
        retry = response.request.copy()
        retry.headers.update(self._session.auth_headers())
        # The refused answer was read in full above; free its connection for the retry.
        response.close()
        connection = response.connection
        new_response: requests.Response = connection.send(retry, **kwargs)
        new_response.history.append(response)
        new_response.request = retry
        return new_response
