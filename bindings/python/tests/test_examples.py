"""The examples in examples/python, run against the fake."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from conftest import CLIENT_ID, CLIENT_SECRET, REDIRECT, ROOT, Mock

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


def test_report_script(mock: Mock, tmp_path: Path) -> None:
    script = EXAMPLES / "projects_report.py"
    args = [
        sys.executable, str(script), "--instance", mock.base_url, "--client-id", CLIENT_ID,
        "--token-dir", str(tmp_path / "tokens"),
    ]
    env = {**os.environ, "WF_CLIENT_SECRET": CLIENT_SECRET}
    first = subprocess.Popen(
        args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert first.stderr is not None and first.stdin is not None
    assert first.stderr.readline().startswith("Open this URL")
    url = first.stderr.readline().strip()
    first.stdin.write(mock.approve(url) + "\n")
    first.stdin.flush()
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert out.strip().endswith("total\t250")

    # The second run uses (and refreshes) the stored tokens without asking.
    mock.expire_sessions()
    mock.reset_stats()
    second = subprocess.run(
        args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, env=env
    )
    assert second.returncode == 0, second.stderr
    assert "Open this URL" not in second.stderr
    assert mock.refreshes() == 1


@pytest.mark.parametrize("name", ["web_app.py", "projects_report.py"])
def test_examples_are_documented(name: str) -> None:
    assert (EXAMPLES / name).read_text().startswith('"""')
