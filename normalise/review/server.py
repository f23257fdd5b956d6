"""The review's web server: the standard library's ``http.server``, on 127.0.0.1 only.

Why the standard library: one page and four JSON calls need no framework, and nothing has to
be installed or built for a person to review (the page is one HTML file with its script and
style inline). Safety as Jupyter does it: the server listens on the loopback address only,
every request must carry the random token of the URL it printed (compared in constant time),
the Host header must name the loopback address (no DNS rebinding), writes take a JSON body
with a custom header (no cross-site form can send one), and the page allows scripts only with
the nonce of this response.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .session import ReviewError, Session

TOKEN_HEADER = "X-Review-Token"
#: Largest request body accepted (a decision is a few hundred bytes).
MAX_BODY = 1 << 16
PAGE_LIMIT = 200


def _page() -> str:
    return resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")


class ReviewServer(ThreadingHTTPServer):
    """Serves one :class:`Session` at ``url`` until :meth:`shutdown`."""

    daemon_threads = True

    def __init__(self, session: Session, port: int = 0, token: str | None = None) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.session = session
        self.token = token or secrets.token_urlsafe(24)
        self.page = _page()

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def start(self) -> threading.Thread:
        """Serve in a background thread (tests, notebooks); stop with :meth:`shutdown`."""
        thread = threading.Thread(target=self.serve_forever, name="normalise-review", daemon=True)
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "normalise-review"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the URL holds the token: keep it out of logs

    # -- gates ------------------------------------------------------------------------------

    def _allowed(self, query: dict[str, list[str]]) -> bool:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost"):
            self._send(HTTPStatus.FORBIDDEN, {"error": "wrong host"})
            return False
        given = self.headers.get(TOKEN_HEADER) or (query.get("token") or [""])[0]
        if not hmac.compare_digest(given.encode(), self.server.token.encode()):
            self._send(HTTPStatus.FORBIDDEN, {"error": "missing or wrong token"})
            return False
        return True

    def _send(
        self,
        status: int,
        body: Any,
        content_type: str = "application/json",
        nonce: str | None = None,
    ) -> None:
        data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        raw = data.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        if nonce:
            self.send_header(
                "Content-Security-Policy",
                f"default-src 'none'; script-src 'nonce-{nonce}'; "
                f"style-src 'nonce-{nonce}'; img-src data:; connect-src 'self'; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            )
        self.end_headers()
        self.wfile.write(raw)

    # -- routes -----------------------------------------------------------------------------

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if not self._allowed(query):
            return
        if url.path == "/":
            nonce = secrets.token_urlsafe(16)
            self._send(
                HTTPStatus.OK,
                self.server.page.replace("{{nonce}}", nonce),
                "text/html",
                nonce=nonce,
            )
        elif url.path == "/api/items":
            try:
                offset = max(0, int((query.get("offset") or ["0"])[0]))
                limit = min(PAGE_LIMIT, max(1, int((query.get("limit") or ["50"])[0])))
            except ValueError:
                self._send(HTTPStatus.BAD_REQUEST, {"error": "offset and limit are numbers"})
                return
            view = (query.get("view") or ["pending"])[0]
            if view not in ("pending", "decided", "all"):
                view = "pending"
            self._send(
                HTTPStatus.OK,
                self.server.session.page(offset, limit, view, (query.get("q") or [""])[0]),
            )
        else:
            self._send(HTTPStatus.NOT_FOUND, {"error": "not found"})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if not self._allowed({}):  # writes need the header, never a token in the URL only
            return
        if self.headers.get(TOKEN_HEADER) is None:
            self._send(HTTPStatus.FORBIDDEN, {"error": "missing token header"})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            self._send(HTTPStatus.BAD_REQUEST, {"error": "a JSON body is needed"})
            return
        try:
            body = json.loads(self.rfile.read(length))
            valid = isinstance(body, dict) and isinstance(body.get("id"), str)
        except ValueError:
            valid = False
        if not valid:
            self._send(HTTPStatus.BAD_REQUEST, {"error": "a JSON object with 'id' is needed"})
            return
        session = self.server.session
        forms = body.get("forms")
        if forms is not None and not (
            isinstance(forms, list) and all(isinstance(f, str) for f in forms)
        ):
            self._send(HTTPStatus.BAD_REQUEST, {"error": "'forms' is a list of strings"})
            return
        try:
            if url.path == "/api/decide":
                canonical = body.get("canonical")
                kind = body.get("kind")
                decision = session.decide(
                    body["id"],
                    str(body.get("action")),
                    canonical=canonical if isinstance(canonical, str) else None,
                    forms=forms,
                    kind=kind if isinstance(kind, str) else None,
                )
                self._send(HTTPStatus.OK, {"ok": True, "decision": decision})
            elif url.path == "/api/split":
                parts = session.split(body["id"], forms or [])
                self._send(HTTPStatus.OK, {"ok": True, "items": [p.id for p in parts]})
            else:
                self._send(HTTPStatus.NOT_FOUND, {"error": "not found"})
        except ReviewError as err:
            self._send(HTTPStatus.CONFLICT, {"error": str(err)})
