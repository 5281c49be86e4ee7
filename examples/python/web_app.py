"""A web application that signs its users in to Workfront and lists their projects.

    pip install wf-oauth flask
    WF_INSTANCE=acme.my.workfront.com WF_CLIENT_ID=... WF_CLIENT_SECRET=... \
        WF_REDIRECT_URI=http://127.0.0.1:8765/callback python web_app.py

The pending authorization (state, PKCE verifier) stays on the server between the redirect
and the callback: the cookie only carries the state that names it. Tokens go to a
FileTokenStore, keyed by the Workfront user, and each request opens that user's session.
"""

from __future__ import annotations

import html
import os
import secrets
from typing import Dict, Optional, Union

from flask import Flask, redirect, request, session, url_for
from werkzeug.wrappers import Response

import wf_oauth


def create_app(
    instance: str,
    client_id: str,
    client_secret: Optional[str],
    redirect_uri: str,
    token_dir: str,
) -> Flask:
    """The application, configured for one Workfront instance and OAuth 2 client."""
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)
    client = wf_oauth.Client(
        instance,
        client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        store=wf_oauth.FileTokenStore(token_dir),
    )
    # Server-side storage of logins in progress (a real deployment would use its session
    # backend or cache): state -> PendingAuthorization.to_json().
    pending_logins: Dict[str, str] = {}

    @app.get("/login")
    def login() -> Response:
        pending = client.authorize()
        pending_logins[pending.state] = pending.to_json()
        session["login_state"] = pending.state
        return redirect(pending.url)

    @app.get("/callback")
    def callback() -> Union[Response, tuple[str, int]]:
        state = session.pop("login_state", None)
        document = pending_logins.pop(state, None) if state else None
        if document is None:
            return "No sign-in is in progress in this browser.", 400
        pending = wf_oauth.PendingAuthorization.from_json(document)
        try:
            tokens = client.exchange(pending, request.url)
        except wf_oauth.AuthorizationDenied:
            return "You declined the authorization.", 403
        except wf_oauth.Error as error:
            return f"Sign-in failed: {html.escape(str(error))}", 400
        user = tokens.wid or "user"
        client.session(tokens, key=user)  # saved in the token store
        session["user"] = user
        return redirect(url_for("projects"))

    @app.get("/")
    def projects() -> Union[Response, str]:
        user = session.get("user")
        if not user:
            return redirect(url_for("login"))
        try:
            workfront = client.session(user)
            names = [project["name"] for project in workfront.search("proj", status="CUR")]
        except wf_oauth.ReauthRequired:
            return redirect(url_for("login"))
        items = "".join(f"<li>{html.escape(str(name))}</li>" for name in names)
        return f"<h1>{len(names)} current projects</h1><ul>{items}</ul>"

    return app


if __name__ == "__main__":
    create_app(
        os.environ["WF_INSTANCE"],
        os.environ["WF_CLIENT_ID"],
        os.environ.get("WF_CLIENT_SECRET"),
        os.environ.get("WF_REDIRECT_URI", "http://127.0.0.1:8765/callback"),
        os.environ.get("WF_TOKEN_DIR", "tokens"),
    ).run(host="127.0.0.1", port=8765)
