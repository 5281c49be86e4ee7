"""The examples in examples/python, run against the fake."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Dict, Optional

import pytest

from conftest import CLIENT_ID, CLIENT_SECRET, IMS_SCOPE, REDIRECT, ROOT, Mock

EXAMPLES = ROOT / "examples" / "python"
sys.path.insert(0, str(EXAMPLES))


def test_web_app(mock: Mock, tmp_path: Path) -> None:
    from web_app import create_app

    app = create_app(mock.base_url, CLIENT_ID, CLIENT_SECRET, REDIRECT, str(tmp_path))
    browser = app.test_client()
    base = "http://127.0.0.1:8765"
    assert browser.get("/", base_url=base).headers["Location"].endswith("/login")

    to_workfront = browser.get("/login", base_url=base)
    callback = mock.approve(to_workfront.headers["Location"])
    parts = urllib.parse.urlsplit(callback)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT
    back = browser.get(f"/callback?{parts.query}", base_url=base)
    assert back.status_code == 302, back.text

    page = browser.get("/", base_url=base)
    assert page.status_code == 200
    assert "current projects" in page.text
    # A replayed callback belongs to no login in progress.
    assert browser.get(f"/callback?{parts.query}", base_url=base).status_code == 400


def report_configs(mock: Mock, tokens: Path) -> Dict[str, Dict[str, Any]]:
    """The report's configuration for the legacy service and for Adobe IMS: they differ
    only in the provider, its host and the scope (a real migration also gets a new client
    id from Adobe Developer Console; the fake knows one)."""
    legacy = {
        "instance": mock.base_url,
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "token_dir": str(tokens),
    }
    ims = {**legacy, "provider": "adobe_ims", "ims_base": mock.base_url, "scope": IMS_SCOPE}
    return {"legacy": legacy, "ims": ims}


def run_report(config: Dict[str, Any], tmp_path: Path, mock: Optional[Mock]) -> subprocess.CompletedProcess[str]:
    """Runs the report with `config`; with `mock`, it must ask for a sign-in, which the
    fake approves."""
    path = tmp_path / "report.json"
    path.write_text(json.dumps(config, indent=2))
    env = {**os.environ, "WF_CLIENT_SECRET": CLIENT_SECRET}
    args = [sys.executable, str(EXAMPLES / "projects_report.py"), "--config", str(path)]
    if mock is None:
        return subprocess.run(
            args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, env=env
        )
    process = subprocess.Popen(
        args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert process.stderr is not None and process.stdin is not None
    assert process.stderr.readline().startswith("Open this URL")
    url = process.stderr.readline().strip()
    process.stdin.write(mock.approve(url) + "\n")
    process.stdin.flush()
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.parametrize("service", ["legacy", "ims"])
def test_report_runs_against_legacy_and_ims(
    start_mock: Callable[..., Mock], tmp_path: Path, service: str
) -> None:
    # (The loopback callback of a web app needs the fake's test switch in IMS mode.)
    mock = start_mock("--mode", service, "--allow-loopback-redirects", "--auto-approve")
    configs = report_configs(mock, tmp_path / "tokens")
    assert set(configs["ims"].items()) ^ set(configs["legacy"].items()) == {
        ("provider", "adobe_ims"), ("ims_base", mock.base_url), ("scope", IMS_SCOPE)
    }
    config = configs[service]
    first = run_report(config, tmp_path, mock)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith("total\t250")
    # (A fake in one mode serves only that service's endpoints.)
    assert mock.stats()["grants"] == {"authorization_code": 1}

    # The second run uses (and refreshes) the stored tokens without asking.
    mock.expire_sessions()
    mock.reset_stats()
    second = run_report(config, tmp_path, None)
    assert second.returncode == 0, second.stderr
    assert "Open this URL" not in second.stderr
    assert second.stdout == first.stdout
    assert mock.stats()["grants"] == {"refresh_token": 1}


def test_report_server_to_server(start_mock: Callable[..., Mock], tmp_path: Path) -> None:
    mock = start_mock("--mode", "ims")
    config = {**report_configs(mock, tmp_path / "tokens")["ims"], "grant": "client_credentials"}
    for _ in range(2):
        run = run_report(config, tmp_path, None)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip().endswith("total\t250")
    # The second run reused the stored token.
    assert mock.stats()["grants"] == {"client_credentials": 1}


def test_report_refuses_a_bad_configuration(tmp_path: Path) -> None:
    for config, message in [
        ({"instance": "acme.my.workfront.com", "client_id": "x"}, "missing token_dir"),
        ({"instance": "a.my.workfront.com", "client_id": "x", "token_dir": "t", "client_secret": "s"}, "client_secret_env"),
        ({"instance": "a.my.workfront.com", "client_id": "x", "token_dir": "t", "scopes": "s"}, "unknown keys scopes"),
        ({"instance": "a.my.workfront.com", "client_id": "x", "token_dir": str(tmp_path), "provider": "adobe_ims"}, "scope"),
    ]:
        run = run_report(config, tmp_path, None)
        assert run.returncode == 1
        assert message in run.stderr, run.stderr


@pytest.mark.parametrize("name", ["web_app.py", "projects_report.py"])
def test_examples_are_documented(name: str) -> None:
    assert (EXAMPLES / name).read_text().startswith('"""')
