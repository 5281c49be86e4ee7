"""Prints a report of the current projects, signing in once and keeping the tokens.

    export WF_CLIENT_SECRET=...      # never on the command line, where `ps` shows it
    python projects_report.py --instance acme.my.workfront.com --client-id ... \
        --token-dir ~/.config/my-report

The first run prints the authorize URL and asks for the URL the browser was sent back to
(this works over SSH: paste it). The tokens are kept in a FileTokenStore; later runs use
and refresh them, and ask again only when Workfront wants the user to sign in anew.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from typing import Optional, Sequence

import wf_oauth


def open_session(client: wf_oauth.Client, user: str) -> wf_oauth.Session:
    """The stored session of `user`, or a new sign-in."""
    try:
        session = client.session(user)
        session.get("user/search", {"$$LIMIT": 1})  # fails fast if a new sign-in is needed
        return session
    except wf_oauth.ReauthRequired:
        pass
    pending = client.authorize()
    print(f"Open this URL in a browser and sign in:\n{pending.url}", file=sys.stderr)
    print("Then paste the URL the browser was redirected to:", file=sys.stderr)
    callback = sys.stdin.readline().strip()
    tokens = client.exchange(pending, callback)
    return client.session(tokens, key=user)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument(
        "--client-secret-env",
        default="WF_CLIENT_SECRET",
        help="environment variable holding the client secret (unset: a public PKCE client)",
    )
    parser.add_argument("--redirect-uri", default="http://127.0.0.1:8765/callback")
    parser.add_argument("--token-dir", required=True)
    parser.add_argument("--user", default="me")
    args = parser.parse_args(argv)

    client = wf_oauth.Client(
        args.instance,
        args.client_id,
        client_secret=os.environ.get(args.client_secret_env) or None,
        redirect_uri=args.redirect_uri,
        store=wf_oauth.FileTokenStore(args.token_dir),
    )
    try:
        session = open_session(client, args.user)
        by_status: Counter[str] = Counter()
        for project in session.search("proj", fields="status"):
            by_status[str(project["status"])] += 1
    except wf_oauth.Error as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for status, count in sorted(by_status.items()):
        print(f"{status}\t{count}")
    print(f"total\t{sum(by_status.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
