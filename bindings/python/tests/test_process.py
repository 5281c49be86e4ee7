"""Threads, the GIL, and fork()."""

from __future__ import annotations

import os
import threading
import time

import wf_oauth
from conftest import Mock, child_exit_code, make_client, sign_in


def test_gil_is_released_while_waiting(mock: Mock) -> None:
    session = make_client(mock).session(sign_in(mock, make_client(mock)))
    mock.fault("api", {"kind": "delay", "ms": 600})
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        session.get("proj/search", {"$$LIMIT": 1})
    finally:
        done.set()
        counter.join(timeout=10)
    # Python code kept running during the 600 ms the call waited.
    assert ticks > 50


def test_forked_child_makes_calls(mock: Mock) -> None:
    client = make_client(mock, store=wf_oauth.MemoryTokenStore())
    session = client.session(sign_in(mock, client), key="forked")
    # The parent's runtime and connection pool are in use before the fork.
    assert len(session.get("proj/search", {"$$LIMIT": 1})) == 1

    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            ok = len(session.get("proj/search", {"$$LIMIT": 2})) == 2
            fresh = make_client(mock).session(session.tokens)
            ok = ok and fresh.get("proj/count")["count"] == 250
            code = 0 if ok else 1
        finally:
            os._exit(code)
    assert child_exit_code(pid) == 0
    # The parent is unaffected.
    assert len(session.get("proj/search", {"$$LIMIT": 3})) == 3
