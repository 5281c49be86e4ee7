"""Throughput of authorized `proj/search` calls on loopback, and the cold import time.

wf_oauth's Session against the two usual Python stacks, each with keep-alive:
requests + requests-oauthlib (OAuth2Session) and httpx + authlib (OAuth2Client). Every
client parses the JSON answer into Python objects. One run, sequential and with 8 threads,
against the release build of the fake Workfront with no concurrency limit.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Tuple

import wf_oauth

CLIENT_ID, CLIENT_SECRET = "demo-client", "demo-secret"
REDIRECT = "http://127.0.0.1:8765/callback"


def start_mock(binary: str) -> Tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [binary, "--port", "0", "--auto-approve", "--max-concurrent-requests", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert line.startswith("listening on "), line
    return process, line[len("listening on "):]


def approve(base_url: str, authorize_url: str) -> str:
    parts = urllib.parse.urlsplit(authorize_url)
    base = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=10)
    conn.request("GET", f"{parts.path}?{parts.query}")
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.getheader("Location") or ""


def timed(label: str, calls: int, threads: int, make_call: Callable[[], Callable[[], Any]]) -> float:
    """Runs `calls` calls split over `threads` threads; each thread gets its own caller
    from `make_call` (so clients that are not thread-safe get one each). Returns req/s."""
    per_thread = calls // threads
    callers = [make_call() for _ in range(threads)]
    for call in callers:
        call()  # connect (keep-alive) before timing
    barrier = threading.Barrier(threads + 1)

    def work(call: Callable[[], Any]) -> None:
        barrier.wait()
        for _ in range(per_thread):
            call()

    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(work, c) for c in callers]
        barrier.wait()
        start = time.perf_counter()
        for f in futures:
            f.result()
        elapsed = time.perf_counter() - start
    rate = per_thread * threads / elapsed
    print(f"  {label:<38} {rate:10.0f} req/s  ({elapsed:6.2f} s)", flush=True)
    return rate


def import_time() -> Tuple[float, float]:
    """Median wall-clock cost of `import wf_oauth` in a fresh interpreter, and the
    cumulative time -X importtime reports for it (both in ms)."""
    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    base = statistics.median(run("pass") for _ in range(15))
    with_import = statistics.median(run("import wf_oauth") for _ in range(15))
    report = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import wf_oauth"],
        capture_output=True, text=True, check=True,
    ).stderr
    cumulative = 0
    for line in report.splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) == 3 and fields[2] == "wf_oauth":
            cumulative = int(fields[1])
    return (with_import - base) * 1000, cumulative / 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mock", required=True)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    # The fake listens on plain http on loopback; both libraries refuse that by default.
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    import httpx  # noqa: F401 - imported here so the import-time figure is not affected
    from authlib.integrations.httpx_client import OAuth2Client
    from requests_oauthlib import OAuth2Session

    process, base_url = start_mock(args.mock)
    try:
        client = wf_oauth.Client(base_url, CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri=REDIRECT)
        pending = client.authorize()
        tokens = client.exchange(pending, approve(base_url, pending.url))
        session = client.session(tokens)
        url = f"{base_url}/attask/api/v20.0/proj/search"
        bearer: Dict[str, Any] = {"access_token": tokens.access_token(), "token_type": "Bearer"}

        def ours() -> Callable[[], Any]:
            return lambda: session.get("proj/search")

        def requests_oauthlib() -> Callable[[], Any]:
            http = OAuth2Session(CLIENT_ID, token=bearer)
            return lambda: http.get(url, timeout=30).json()["data"]

        def httpx_authlib() -> Callable[[], Any]:
            http = OAuth2Client(CLIENT_ID, token=bearer, timeout=30)
            return lambda: http.get(url).json()["data"]

        sample = session.get("proj/search")
        print(f"{args.calls} authorized GET proj/search calls ({len(sample)} projects each) on {base_url}")
        results: Dict[Tuple[str, int], float] = {}
        for threads in (1, args.threads):
            print(f"{'sequential' if threads == 1 else f'{threads} threads'}:")
            for name, factory in (
                ("wf_oauth Session", ours),
                ("requests + requests-oauthlib", requests_oauthlib),
                ("httpx + authlib", httpx_authlib),
            ):
                results[(name, threads)] = timed(name, args.calls, threads, factory)
        print("ratios (wf_oauth / the faster of the other two; target >= 2.0):")
        for threads in (1, args.threads):
            best = max(results[("requests + requests-oauthlib", threads)], results[("httpx + authlib", threads)])
            print(f"  {threads} thread(s): {results[('wf_oauth Session', threads)] / best:5.2f}x")
    finally:
        process.terminate()
        process.wait(timeout=10)

    wall, cumulative = import_time()
    print(f"cold `import wf_oauth`: {wall:.1f} ms wall-clock over a bare interpreter (median of 15), "
          f"{cumulative:.1f} ms by -X importtime (target < 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
