"""Prints a report of the current projects; the same program for Workfront's legacy OAuth 2
service and for Adobe IMS, only its configuration file differs.

    export WF_CLIENT_SECRET=...      # never in the file or on the command line
    python projects_report.py --config report.json

report.json for a custom OAuth 2 application of Workfront's legacy service (which stops
working on 2027-02-01):

    {
      "instance": "acme.my.workfront.com",
      "client_id": "my-workfront-client-id",
      "redirect_uri": "http://127.0.0.1:8765/callback",
      "token_dir": "~/.config/projects-report/tokens"
    }

and for an "OAuth Web App" credential of Adobe Developer Console (Adobe IMS):

    {
      "instance": "acme.my.workfront.com",
      "client_id": "my-adobe-client-id",
      "provider": "adobe_ims",
      "scope": "openid AdobeID additional_info.projectedProductContext",
      "redirect_uri": "http://127.0.0.1:8765/callback",
      "token_dir": "~/.config/projects-report/tokens"
    }

Other keys: "ims_base" (another IMS region), "client_auth", "api_version", "user" (whose
tokens: default "me"), "client_secret_env" (the variable holding the secret, default
WF_CLIENT_SECRET; unset means a public PKCE client), and "grant": "client_credentials" for
a Server-to-Server credential (no user, no redirect URI: it runs unattended).

The first run prints the authorize URL and asks for the URL the browser was sent back to
(this works over SSH: paste it). The tokens are kept in a FileTokenStore under a key naming
the provider and the client, so a configuration for another service never reuses them;
later runs use and refresh them, and ask again only when a new sign-in is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

import wf_oauth

#: Configuration keys passed to wf_oauth.Client as they are.
CLIENT_OPTIONS = (
    "provider", "ims_base", "authorize_url", "token_url", "scope", "client_auth",
    "api_version", "redirect_uri",
)
OWN_OPTIONS = ("instance", "client_id", "client_secret_env", "token_dir", "user", "grant")


class ConfigError(Exception):
    """The configuration file is missing, malformed or incomplete."""


def load_config(path: Path) -> Dict[str, Any]:
    """The configuration, checked: known keys only, the required ones present."""
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from None
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: expected a JSON object")
    if "client_secret" in config:
        raise ConfigError(f"{path}: keep the client secret out of files; name its variable in client_secret_env")
    unknown = sorted(set(config) - set(CLIENT_OPTIONS) - set(OWN_OPTIONS))
    if unknown:
        raise ConfigError(f"{path}: unknown keys {', '.join(unknown)}")
    missing = [k for k in ("instance", "client_id", "token_dir") if not config.get(k)]
    if missing:
        raise ConfigError(f"{path}: missing {', '.join(missing)}")
    if config.get("grant", "authorization_code") not in ("authorization_code", "client_credentials"):
        raise ConfigError(f"{path}: grant must be 'authorization_code' or 'client_credentials'")
    return config


def make_client(config: Dict[str, Any]) -> wf_oauth.Client:
    """The OAuth client the configuration describes, with a file token store."""
    options = {k: config[k] for k in CLIENT_OPTIONS if k in config}
    secret = os.environ.get(config.get("client_secret_env", "WF_CLIENT_SECRET")) or None
    store = wf_oauth.FileTokenStore(Path(config["token_dir"]).expanduser())
    return wf_oauth.Client(
        config["instance"], config["client_id"], client_secret=secret, store=store, **options
    )


def sign_in(client: wf_oauth.Client, key: str) -> wf_oauth.Session:
    """The stored session under `key`, or a new sign-in saved there."""
    try:
        session = client.session(key)
        session.get("user/search", {"$$LIMIT": 1})  # fails fast if a new sign-in is needed
        return session
    except wf_oauth.ReauthRequired:
        pass
    pending = client.authorize()
    print(f"Open this URL in a browser and sign in:\n{pending.url}", file=sys.stderr)
    print("Then paste the URL the browser was redirected to:", file=sys.stderr)
    callback = sys.stdin.readline().strip()
    tokens = client.exchange(pending, callback)
    return client.session(tokens, key=key)


def open_session(config: Dict[str, Any]) -> wf_oauth.Session:
    """A session for the configured user, or for the application itself
    (Server-to-Server)."""
    client = make_client(config)
    provider = config.get("provider", "workfront")
    if config.get("grant") == "client_credentials":
        return client.client_credentials_session(key=f"{provider}/{client.client_id}/s2s")
    return sign_in(client, f"{provider}/{client.client_id}/{config.get('user', 'me')}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--config", required=True, type=Path, help="the JSON configuration file")
    args = parser.parse_args(argv)
    try:
        session = open_session(load_config(args.config))
        by_status: Counter[str] = Counter()
        for project in session.search("proj", fields="status"):
            by_status[str(project["status"])] += 1
    except (ConfigError, wf_oauth.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for status, count in sorted(by_status.items()):
        print(f"{status}\t{count}")
    print(f"total\t{sum(by_status.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
