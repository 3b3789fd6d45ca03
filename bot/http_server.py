"""The HTTP server `casebot run --http` and the sandbox use: the standard library's WSGI server, one
thread per request, with a listen backlog sized for Slack's bursts.

socketserver's default backlog is 5 pending connections: in a burst (a busy discussion, a sweep's
buttons pressed at once) the kernel drops further connection attempts, and each client retries after
about a second, far into Slack's 3-second window. 128 (the usual somaxconn floor) lets a burst queue
instead. For many requests at once in production, run several processes under gunicorn with threads
(docs/deploy.md); this server is for one process, and for the sandbox.
"""

from __future__ import annotations

from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

BACKLOG = 128


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = BACKLOG


class QuietHandler(WSGIRequestHandler):
    """No request lines on stderr: they would clutter the demo, the tests and the benchmarks."""

    def log_message(self, *args: Any) -> None:
        pass


def serve(
    host: str, port: int, app: Any, handler_class: type[WSGIRequestHandler] = WSGIRequestHandler
) -> ThreadingWSGIServer:
    server = make_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=handler_class)
    assert isinstance(server, ThreadingWSGIServer)
    return server
