"""Fixtures: the fake Workfront (the `wf-oauth-mock` binary) as a subprocess, a browser
stand-in for the authorize step, and clients in each client-authentication style."""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

import wf_oauth

REDIRECT = "http://127.0.0.1:8765/callback"
CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-secret"
PUBLIC_CLIENT_ID = "demo-public"
# The scope the tests ask Adobe IMS (the fake in IMS mode) for.
IMS_SCOPE = "openid AdobeID additional_info.projectedProductContext"
ROOT = Path(__file__).resolve().parents[3]


def mock_binary() -> Path:
    """The mock binary: $WF_MOCK_BIN (set by `just test-python`), else the default build."""
    explicit = os.environ.get("WF_MOCK_BIN")
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "wf-oauth-mock"


class Mock:
    """A running fake Workfront and its `/__mock/` admin API."""

    def __init__(self, *args: str) -> None:
        binary = mock_binary()
        if not binary.exists():
            raise RuntimeError(f"{binary} is missing: run `cargo build -p wf-oauth-mock`")
        self.process = subprocess.Popen(
            [str(binary), "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError(f"the mock did not start: {line!r}")
        self.base_url = line[len("listening on ") :]
        parsed = urllib.parse.urlsplit(self.base_url)
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or 80

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    # -- plain HTTP -----------------------------------------------------------------------

    def http(
        self,
        method: str,
        path: str,
        body: Optional[bytes] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.read_body = response.read()  # type: ignore[attr-defined]
        conn.close()
        return response

    def admin(self, method: str, path: str, payload: Any = None) -> Any:
        body = None if payload is None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"} if body is not None else {}
        response = self.http(method, f"/__mock/{path}", body, headers)
        assert response.status == 200, response.read_body  # type: ignore[attr-defined]
        answer = json.loads(response.read_body)  # type: ignore[attr-defined]
        # Most admin answers are wrapped in {"data": ...}; the stats are not.
        return answer["data"] if set(answer) == {"data"} else answer

    def stats(self) -> Dict[str, Any]:
        return self.admin("GET", "stats")  # type: ignore[no-any-return]

    def reset_stats(self) -> None:
        self.admin("POST", "reset-stats")

    def refreshes(self) -> int:
        return int(self.stats().get("grants", {}).get("refresh_token", 0))

    def expire_sessions(self) -> int:
        return int(self.admin("POST", "sessions/expire", {})["expired"])

    def revoke_refresh_tokens(self) -> int:
        return int(self.admin("POST", "refresh-tokens/revoke", {})["revoked"])

    def fault(self, endpoint: str, fault: Dict[str, Any], count: int = 1) -> None:
        self.admin("POST", "faults", {"endpoint": endpoint, "count": count, "fault": fault})

    def advance_clock(self, secs: int) -> None:
        self.admin("POST", "clock/advance", {"secs": secs})

    # -- the browser's part of the flow ----------------------------------------------------

    def approve(self, authorize_url: str) -> str:
        """Follows the authorize URL as a browser would (with --auto-approve) and returns
        the callback URL the browser is sent to."""
        return self.browse(authorize_url, decision=None)

    def browse(self, url: str, decision: Optional[str], user: str = "demo:demo") -> str:
        """Signs in with the login form and answers the consent form with `decision`
        ("allow" / "deny"); returns the callback URL."""
        cookies: Dict[str, str] = {}
        method, body = "GET", None
        for _ in range(10):
            parts = urllib.parse.urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != self.base_url:
                return url  # left the fake: this is the redirect to the application
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            response = self.http(method, target, body, headers)
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    cookies[name] = rest.split(";", 1)[0]
            if response.status in (302, 303):
                url = urllib.parse.urljoin(url, response.getheader("Location") or "")
                method, body = "GET", None
                continue
            page = response.read_body.decode()  # type: ignore[attr-defined]
            action = re.search(r'<form method="post" action="([^"]+)"', page)
            if response.status != 200 or action is None:
                raise AssertionError(f"unexpected page {response.status}: {page[:300]}")
            fields = {
                html.unescape(n): html.unescape(v)
                for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
            }
            if 'id="login-form"' in page:
                name, _, password = user.partition(":")
                fields.update(username=name, password=password)
            else:
                fields["decision"] = decision or "allow"
            url = urllib.parse.urljoin(url, html.unescape(action.group(1)))
            method, body = "POST", urllib.parse.urlencode(fields).encode()
        raise AssertionError("too many steps in the authorize flow")


@pytest.fixture
def start_mock() -> Iterator[Callable[..., Mock]]:
    """Starts fakes with extra flags; all are stopped at teardown."""
    started: List[Mock] = []

    def start(*args: str) -> Mock:
        mock = Mock(*args)
        started.append(mock)
        return mock

    yield start
    for mock in started:
        mock.stop()


@pytest.fixture
def mock(start_mock: Callable[..., Mock]) -> Mock:
    """A fake with auto-approve and no API concurrency limit."""
    return start_mock("--auto-approve", "--max-concurrent-requests", "0")


def make_client(mock: Mock, style: str = "basic", cls: Any = wf_oauth.Client, **options: Any) -> Any:
    """A client of the fake in `style`: "basic", "post" (confidential), "pkce" (public) or
    "s2s" (Server-to-Server: a secret, no redirect URI, the provider's client
    authentication)."""
    options.setdefault("timeout", 10.0)
    options.setdefault("connect_timeout", 5.0)
    if style == "pkce":
        return cls(mock.base_url, PUBLIC_CLIENT_ID, redirect_uri=REDIRECT, **options)
    if style == "s2s":
        return cls(mock.base_url, CLIENT_ID, client_secret=CLIENT_SECRET, **options)
    return cls(
        mock.base_url,
        CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_auth=style,
        redirect_uri=REDIRECT,
        **options,
    )


def sign_in(mock: Mock, client: wf_oauth.Client) -> wf_oauth.TokenSet:
    """The whole authorization code flow, synchronously."""
    pending = client.authorize()
    return client.exchange(pending, mock.approve(pending.url))


def run_in_threads(count: int, call: Callable[[], Any]) -> List[Any]:
    """`call` from `count` threads released together; every result (or error)."""
    barrier = threading.Barrier(count, timeout=60)
    results: List[Any] = []
    errors: List[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(call())
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    assert len(results) == count
    return results


def child_exit_code(pid: int) -> int:
    """The exit code of the forked child `pid`, which must end within a minute."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    raise AssertionError("the forked child hung")
