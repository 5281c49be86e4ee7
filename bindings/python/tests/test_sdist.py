"""The source distribution builds and installs in a fresh virtual environment.

The build compiles the crates again from the sdist; it reuses the compiled dependencies
of $CARGO_TARGET_DIR (same versions, features and profile), so only the three wf-oauth
crates are compiled here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import ROOT, Mock, make_client, sign_in

MATURIN = "maturin==1.16.0"


@pytest.mark.timeout(1500)
def test_sdist_installs_into_a_fresh_venv(mock: Mock, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "maturin", "sdist", "-m", str(ROOT / "bindings/python/Cargo.toml"), "-o", str(dist)],
        check=True, capture_output=True, timeout=300,
    )
    (sdist,) = dist.glob("wf_oauth-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    for needed in ("crates/wf-oauth-core/Cargo.toml", "crates/wf-oauth-http/Cargo.toml", "python/wf_oauth/_wf_oauth.pyi"):
        assert any(n.endswith(needed) for n in names), needed

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, MATURIN], check=True, timeout=300)
    env = dict(os.environ)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env["CARGO_TARGET_DIR"] = str(Path(env.get("CARGO_TARGET_DIR", ROOT / "target")).resolve())
    env["MATURIN_PEP517_ARGS"] = "--profile dev"
    built = subprocess.run(
        [*pip, "--no-cache-dir", "--no-build-isolation", str(sdist)],
        env=env, capture_output=True, text=True, timeout=1200,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]

    tokens = sign_in(mock, make_client(mock))
    check = (
        "import sys, wf_oauth\n"
        "tokens = wf_oauth.TokenSet.from_json(sys.stdin.read())\n"
        f"client = wf_oauth.Client({mock.base_url!r}, 'demo-client', client_secret='demo-secret')\n"
        "print(client.session(tokens).get('proj/count')['count'])\n"
    )
    ran = subprocess.run(
        [str(python), "-c", check], input=tokens.to_json(), capture_output=True, text=True,
        timeout=60, cwd=tmp_path,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "250"
