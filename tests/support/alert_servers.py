"""Real servers on loopback that receive the alerts: SMTP (aiosmtpd) and an HTTP webhook (http.server)."""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, Session

SMTP_USER = "alerts"
SMTP_PASSWORD = "Smtp-Pw-7731"


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.original_content or b""))
        return "250 OK"

    def authenticate(self, server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        login = (data.login.decode(), data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == (SMTP_USER, SMTP_PASSWORD))

    def texts(self) -> list[str]:
        """Each message as its subject and every decoded text part."""
        out = []
        for m in self.messages:
            parts = [str(m["Subject"])]
            for part in m.walk():
                if part.get_content_maintype() == "text":
                    payload = part.get_payload(decode=True)
                    parts.append(payload.decode() if isinstance(payload, bytes) else str(payload))
            out.append("\n".join(parts))
        return out


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, str]]:
    """An SMTP server with login (no TLS); yields its mailbox and the Apprise URL that reaches it."""
    box = Mailbox()
    port = free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, authenticator=box.authenticate, auth_require_tls=False
    )
    controller.start()
    url = (
        f"mailto://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{port}"
        "?from=opendental-sync@clinic.example&to=ops@clinic.example&mode=insecure"
    )
    try:
        yield box, url
    finally:
        controller.stop()


@dataclass
class Webhook:
    posts: list[dict[str, Any]] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [f"{p.get('title', '')}\n{p.get('message', '')}" for p in self.posts]


@contextmanager
def webhook_server() -> Iterator[tuple[Webhook, str]]:
    """An HTTP server that takes JSON posts; yields what it received and the Apprise ``json://`` URL."""
    hook = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook.posts.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook, f"json://127.0.0.1:{server.server_address[1]}/alerts"
    finally:
        server.shutdown()
        server.server_close()
