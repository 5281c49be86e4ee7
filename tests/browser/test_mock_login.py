#!/usr/bin/env python3
"""Browser test of the mock's authorization pages, with headless Chromium.

Starts the `wf-oauth-mock` binary (port 0) and a redirect listener (port 0), then drives
a real browser through the login page (a wrong password first), the consent page and
"Allow"; the listener must receive `code`, `domain`, `lane` and `state`, and the code
must buy a session that works on the API. A second round clicks "Deny" and expects
`error=access_denied`.

    python3 tests/browser/test_mock_login.py --binary target/debug/wf-oauth-mock

Everything is bounded by timeouts; a watchdog ends the run after WF_BROWSER_TIMEOUT
seconds (default 120) whatever happens.
"""

import argparse
import http.server
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

STEP_TIMEOUT = 20


def log(msg):
    print(f"[browser-test] {msg}", flush=True)


class CallbackServer(http.server.ThreadingHTTPServer):
    """The client application's redirect listener."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), CallbackHandler)
        self.received = queue.Queue()

    @property
    def redirect_uri(self):
        return f"http://127.0.0.1:{self.server_address[1]}/callback"


class CallbackHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/callback":
            params = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
            self.server.received.put(params)
        body = b"<!DOCTYPE html><title>done</title><p id='done'>You may close this window.</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_mock(binary, redirect_uri, log_file):
    proc = subprocess.Popen(
        [binary, "--port", "0", "--redirect-uri", redirect_uri, "--app-name", "Browser test"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=log_file,
        text=True,
    )
    first = queue.Queue()
    threading.Thread(target=lambda: first.put(proc.stdout.readline()), daemon=True).start()
    try:
        line = first.get(timeout=STEP_TIMEOUT)
    except queue.Empty:
        proc.kill()
        raise SystemExit("the mock did not report its address")
    prefix = "listening on "
    if not line.startswith(prefix):
        proc.kill()
        raise SystemExit(f"unexpected first line from the mock: {line!r}")
    return proc, line[len(prefix):].strip()


def start_browser(profile_dir):
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile_dir}",
    ):
        opts.add_argument(arg)
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    driver.set_page_load_timeout(STEP_TIMEOUT)
    driver.set_script_timeout(STEP_TIMEOUT)
    return driver


def authorize_url(base, redirect_uri, state):
    q = urllib.parse.urlencode(
        {
            "client_id": "demo-client",
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "state": state,
        }
    )
    return f"{base}/integrations/oauth2/authorize?{q}"


def wait_for(driver, selector):
    return WebDriverWait(driver, STEP_TIMEOUT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, selector))
    )


def sign_in(driver, username, password):
    user = wait_for(driver, "#username")
    user.clear()
    user.send_keys(username)
    pw = driver.find_element(By.CSS_SELECTOR, "#password")
    pw.clear()
    pw.send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "#login").click()


def post_form(url, fields):
    data = urllib.parse.urlencode(fields).encode()
    req = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    with urllib.request.urlopen(req, timeout=STEP_TIMEOUT) as resp:
        return resp.status, json.loads(resp.read())


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def run(binary):
    callback = CallbackServer()
    threading.Thread(target=callback.serve_forever, daemon=True).start()
    tmp = tempfile.mkdtemp(prefix="wf-mock-browser-")
    mock_log = open(os.path.join(tmp, "mock.log"), "w")
    mock, base = start_mock(binary, callback.redirect_uri, mock_log)
    driver = None
    try:
        log(f"mock at {base}, redirect listener at {callback.redirect_uri}")
        driver = start_browser(os.path.join(tmp, "profile"))

        # Round 1: wrong password, then sign in and allow.
        state = secrets.token_urlsafe(16)
        driver.get(authorize_url(base, callback.redirect_uri, state))
        sign_in(driver, "demo", "not-the-password")
        error = wait_for(driver, "#login-error")
        check("Invalid" in error.text, f"login error shown: {error.text!r}")
        sign_in(driver, "demo", "demo")
        allow = wait_for(driver, "#allow")
        app = driver.find_element(By.CSS_SELECTOR, "#app-name").text
        check(app == "Browser test", f"app name on the consent page: {app!r}")
        allow.click()
        params = callback.received.get(timeout=STEP_TIMEOUT)
        log(f"callback received parameters {sorted(params)}")
        check(params.get("state") == state, "state echoed")
        check(params.get("domain") == "mock", "domain")
        check(params.get("lane") == "my", "lane")
        check(len(params.get("code", "")) >= 20, "code present")
        wait_for(driver, "#done")

        status, tokens = post_form(
            f"{base}/integrations/oauth2/api/v1/token",
            {
                "grant_type": "authorization_code",
                "redirect_uri": callback.redirect_uri,
                "code": params["code"],
                "client_id": "demo-client",
                "client_secret": "demo-secret",
            },
        )
        check(status == 200 and tokens["token_type"] == "sessionID", f"token answer {status}")
        req = urllib.request.Request(
            f"{base}/attask/api/v14.0/proj/search?$$LIMIT=5",
            headers={"sessionID": tokens["access_token"]},
        )
        with urllib.request.urlopen(req, timeout=STEP_TIMEOUT) as resp:
            check(len(json.loads(resp.read())["data"]) == 5, "API answers with the new session")

        # Round 2: still signed in (cookie), so straight to consent; deny.
        state2 = secrets.token_urlsafe(16)
        driver.get(authorize_url(base, callback.redirect_uri, state2))
        wait_for(driver, "#deny").click()
        params = callback.received.get(timeout=STEP_TIMEOUT)
        check(params.get("error") == "access_denied", f"denied: {params}")
        check(params.get("state") == state2, "state echoed on deny")
        check("code" not in params, "no code on deny")
        log("login, consent, allow and deny all behave")
    finally:
        if driver is not None:
            driver.quit()
        mock.send_signal(signal.SIGTERM)
        try:
            code = mock.wait(timeout=10)
        except subprocess.TimeoutExpired:
            mock.kill()
            code = "killed"
        callback.shutdown()
        mock_log.close()
        if code != 0:
            with open(os.path.join(tmp, "mock.log")) as f:
                sys.stderr.write(f.read())
        shutil.rmtree(tmp, ignore_errors=True)
    check(code == 0, f"the mock exits cleanly on SIGTERM (got {code})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="path to the wf-oauth-mock binary")
    args = parser.parse_args()
    timeout = int(os.environ.get("WF_BROWSER_TIMEOUT", "120"))

    def watchdog(*_):
        raise TimeoutError(f"browser test exceeded {timeout} s")

    signal.signal(signal.SIGALRM, watchdog)
    signal.alarm(timeout)
    run(args.binary)
    signal.alarm(0)
    log("PASS")


if __name__ == "__main__":
    main()
