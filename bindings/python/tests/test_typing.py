"""The stubs: the examples type-check with `mypy --strict`, and stubtest finds the stubs
faithful to the compiled module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

EXAMPLES = ROOT / "examples" / "python"
TYPED = Path(__file__).with_name("typed_usage.py")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, timeout=300, cwd=ROOT
    )


def test_mypy_strict_over_examples() -> None:
    result = run(
        "mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null",
        str(EXAMPLES / "web_app.py"), str(EXAMPLES / "projects_report.py"), str(TYPED),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_rejects_misuse(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "import wf_oauth\n"
        "tokens = wf_oauth.TokenSet('a', 'acme.my.workfront.com')\n"
        "token: int = tokens.access_token()\n"
        "wf_oauth.Client('acme.my.workfront.com', 'id', client_auth='digest')\n"
    )
    result = run("mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null", str(wrong))
    assert result.returncode == 1
    assert "Incompatible types in assignment" in result.stdout
    assert '"client_auth"' in result.stdout


def test_stubtest() -> None:
    result = run("mypy.stubtest", "wf_oauth", "--mypy-config-file", str(Path(__file__).with_name("stubtest.ini")))
    assert result.returncode == 0, result.stdout + result.stderr
