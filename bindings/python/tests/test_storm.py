"""A burst of calls from many threads after the session expired leads to one refresh."""

from __future__ import annotations

import threading
from typing import List

import wf_oauth
from conftest import Mock, make_client, run_in_threads, sign_in
from wf_oauth.requests import WorkfrontAuth as RequestsAuth


def test_refresh_storm_from_200_threads(mock: Mock) -> None:
    client = make_client(mock, max_in_flight=0)
    session = client.session(sign_in(mock, client))
    session.get("proj/search", {"$$LIMIT": 1})
    mock.expire_sessions()
    mock.reset_stats()

    run_in_threads(200, lambda: session.get("proj/search", {"$$LIMIT": 1}))
    assert mock.refreshes() == 1


def test_adapter_storm_refreshes_once(mock: Mock) -> None:
    import requests

    client = make_client(mock)
    session = client.session(sign_in(mock, client))
    url = f"{mock.base_url}/attask/api/v20.0/proj/search?$$LIMIT=1"
    mock.expire_sessions()
    mock.reset_stats()
    barrier = threading.Barrier(20, timeout=60)
    statuses: List[int] = []

    def worker() -> None:
        with requests.Session() as http:
            http.auth = RequestsAuth(session)
            barrier.wait()
            statuses.append(http.get(url, timeout=10).status_code)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert statuses == [200] * 20
    assert mock.refreshes() == 1
