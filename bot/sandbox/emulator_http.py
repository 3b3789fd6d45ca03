"""The emulator's transport: a local HTTP server that hands each request to the emulator's router."""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit


class Router(Protocol):
    def _route(
        self, path: str, query: str, content_type: str, authorization: str, body: bytes
    ) -> tuple[int, bytes, dict[str, str]]: ...


class Server(ThreadingHTTPServer):
    # Daemon handler threads: one sleeping in an injected timeout must not hold up stop().
    daemon_threads = True
    # socketserver's default backlog is 5. When more of casebot's calls were waiting to be accepted (the
    # delivery loop, the answers pool and the listeners at once, on a busy machine), the kernel dropped
    # the next connection, whose retry a second later ran into the sandbox's 2 s Slack timeout: a rare
    # "timed out" in the suite that real Slack, with its large backlog, would not cause.
    request_queue_size = 128

    def __init__(self, emulator: Router) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.emulator = emulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out hangs up before our deliberately late answer; that is expected.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, payload, headers = self.server.emulator._route(
            url.path,
            url.query,
            self.headers.get("Content-Type", ""),
            self.headers.get("Authorization", ""),
            body,
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST  # Slack serves every method on both verbs; handy for curl

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr log: the emulator records calls itself."""
