"""``httpx`` authentication backed by a ``wf_oauth`` session.

Keep your own ``httpx.Client`` / ``httpx.AsyncClient`` (transports, proxies, hooks) and let
``wf_oauth`` supply the credential:

>>> import httpx, wf_oauth
>>> from wf_oauth.httpx import WorkfrontAuth
>>> # session = client.session(tokens)
>>> # with httpx.Client(auth=WorkfrontAuth(session)) as http:
>>> #     http.get(f"{session.tokens.instance}/attask/api/v20.0/proj/search")

The credential header is the one the provider profile prescribes (``sessionID`` for
Workfront's own OAuth 2 tokens, ``Authorization: Bearer`` otherwise). When an answer says
the credential was refused (HTTP 401, or Workfront's ``AuthenticationException`` even with
HTTP 200), the session refreshes once — shared with every other caller of the session — and
the request is sent again with the new credential.
"""

from __future__ import annotations

from typing import AsyncGenerator, Generator, Union

import httpx

from ._wf_oauth import AsyncSession, Session, is_auth_failure

__all__ = ["WorkfrontAuth"]


class WorkfrontAuth(httpx.Auth):
    """Authenticates ``httpx`` requests with a :class:`wf_oauth.Session` (for
    ``httpx.Client``) or a :class:`wf_oauth.AsyncSession` (for ``httpx.AsyncClient``)."""

    # The body of every answer is read (in the flows below) so that a 200 carrying
    # Workfront's authentication error is recognised too.
    requires_response_body = True

    def __init__(self, session: Union[Session, AsyncSession]) -> None:
        self._session = session

    def __repr__(self) -> str:
        return f"WorkfrontAuth({self._session!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        session = self._session
        if not isinstance(session, Session):
            raise TypeError("httpx.Client needs WorkfrontAuth(Session); use an AsyncSession with httpx.AsyncClient")
        sent = session.auth_headers()
        request.headers.update(sent)
        response = yield request
        response.read()
        if is_auth_failure(response.status_code, response.content) and session.on_auth_failure(sent):
            request.headers.update(session.auth_headers())
            yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        session = self._session
        if not isinstance(session, AsyncSession):
            raise TypeError("httpx.AsyncClient needs WorkfrontAuth(AsyncSession); use a Session with httpx.Client")
        sent = await session.auth_headers()
        request.headers.update(sent)
        response = yield request
        await response.aread()
        if is_auth_failure(response.status_code, response.content) and await session.on_auth_failure(sent):
            request.headers.update(await session.auth_headers())
            yield request
