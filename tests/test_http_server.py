"""`casebot run --http` (and the sandbox) listen with a backlog sized for Slack's bursts (issue 17): the
standard library's default of 5 made a burst's extra connections wait about a second to retry. The
kernel's own view of the listening socket is read with `ss`, where its Send-Q is the backlog."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from bot import http_server


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


SS = shutil.which("ss")


@pytest.mark.skipif(SS is None, reason="needs ss (iproute2) to read the kernel's backlog")
def test_the_server_listens_with_a_backlog_for_bursts():
    server = http_server.serve("127.0.0.1", 0, app)
    try:
        port = server.server_address[1]
        listing = [str(SS), "-ltnH", f"sport = :{port}"]  # our own port number, no outside input
        out = subprocess.run(listing, capture_output=True, text=True, check=True).stdout.split()  # noqa: S603
        backlog = int(out[2])  # State Recv-Q Send-Q ...: for a listening socket Send-Q is the backlog
        with open("/proc/sys/net/core/somaxconn") as limit:
            assert backlog == min(http_server.BACKLOG, int(limit.read()))
        assert backlog > 5  # socketserver's default
    finally:
        server.server_close()
