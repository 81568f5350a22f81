"""The embedded AWS in a process of its own, for benchmarks that measure the app's CPU alone.

``python -m bench.aws_process`` starts what ``make run`` starts (moto's threaded server with
``local/moto_patches.py``) on a free loopback port, and a replay server beside it: a tiny HTTP server
that answers each request with the next response it was given (``POST /load``, a JSON list of
``{"status", "headers", "body"}`` with the body in base64). The replay server lets a bare boto3 client
make exactly the requests the app made and receive exactly the answers the app received, whatever the
embedded AWS holds by then (a create can be replayed without the item existing twice), so the SDK's
own CPU for those requests can be measured (bench.cpu's floor). Both run here, so neither's CPU
counts in the benchmark's process.

It prints ``<aws endpoint> <replay endpoint>`` on one line, then serves until its standard input
closes (the benchmark's end, however it ends).
"""

from __future__ import annotations

import base64
import json
import sys
import threading
from collections import deque
from contextlib import nullcontext
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from local.paths import LOOPBACK

# Hop-by-hop and length headers are the server's own, never copied from a recorded answer.
_NOT_REPLAYED = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "server", "date"})


class ReplayHandler(BaseHTTPRequestHandler):
    """Answers every request with the next queued response; ``POST /load`` queues responses."""

    protocol_version = "HTTP/1.1"
    answers: deque[dict[str, Any]] = deque()

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in _NOT_REPLAYED:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _serve(self) -> None:
        body = self._body()
        if self.path == "/load" and self.headers.get("X-Bench-Control") == "load":
            self.answers.extend(json.loads(body))
            self._answer(204, {}, b"")
            return
        if not self.answers:
            self._answer(500, {}, b'{"message": "replay server: no response queued"}')
            return
        answer = self.answers.popleft()
        self._answer(int(answer["status"]), answer["headers"], base64.b64decode(answer["body"]))

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the benchmark prints only its result."""


def main() -> None:
    """Serve the embedded AWS and the replay server until standard input closes."""
    from local import aws

    aws.use_dummy_credentials()
    server = aws.EmbeddedAws(0, nullcontext)
    server.start()
    replay = ThreadingHTTPServer((LOOPBACK, 0), ReplayHandler)
    threading.Thread(target=replay.serve_forever, name="replay", daemon=True).start()
    print(f"{server.endpoint} http://{LOOPBACK}:{replay.server_address[1]}", flush=True)
    sys.stdin.read()  # returns when the parent closes the pipe or exits
    replay.shutdown()
    server.stop()


if __name__ == "__main__":
    main()
