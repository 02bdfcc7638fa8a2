# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A chunked body far over the upload limit, against a live prefork server.

Only a real worker process shows what such a body costs in memory: the body
is refused once it crosses the limit, and the worker's memory does not grow
with what the client keeps sending.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from server import running

psutil = pytest.importorskip("psutil")

LIMIT = 1 << 20
SENT = 300 << 20
PIECE = 1 << 20


def _stream_chunked(port: int, total: int) -> tuple[bytes, int]:
    """POST ``total`` bytes chunked; the answer and how many bytes were sent before it came."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    head = (
        "POST /fastapi_demo/demo/retrying_json?nbr_retries=0 HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    sock.sendall(head.encode())
    sent = 0
    answer = bytearray()

    def receive() -> None:
        while chunk := sock.recv(65536):
            answer.extend(chunk)

    reader = threading.Thread(target=receive)
    reader.start()
    piece = b"%x\r\n%s\r\n" % (PIECE, b"x" * PIECE)
    try:
        while sent < total and not answer:
            sock.sendall(piece)
            sent += PIECE
        if sent >= total:
            sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server answered and closed while we were still sending
    reader.join(60)
    sock.close()
    return bytes(answer), sent


def _workers_rss(pids: list[int]) -> int:
    return sum(psutil.Process(pid).memory_info().rss for pid in pids[1:])


def test_chunked_body_over_the_limit_keeps_worker_memory_flat(database, capsys):
    with running([database], workers=1) as server:
        server.rpc(database, "ir.config_parameter", "set_param", "web.max_file_upload_size", str(LIMIT))
        # A first request under the limit (not JSON: 422), so that the worker has loaded everything.
        answer, _ = _stream_chunked(server.port, 1 << 10)
        assert b" 422 " in answer.split(b"\r\n", 1)[0], answer[:300]
        time.sleep(0.5)
        before = _workers_rss(server.pids())
        start = time.monotonic()
        answer, sent = _stream_chunked(server.port, SENT)
        elapsed = time.monotonic() - start
        after = _workers_rss(server.pids())
    status_line = answer.split(b"\r\n", 1)[0]
    with capsys.disabled():
        print(
            f"\n[chunked {SENT >> 20} MiB, limit {LIMIT >> 20} MiB] {status_line.decode()} after "
            f"{sent >> 20} MiB sent, {elapsed:.2f} s; worker RSS {before >> 20} -> {after >> 20} MiB"
        )
    assert b" 413 " in status_line, answer[:300]
    assert b'"detail"' in answer
    assert sent < SENT // 4, f"the answer came only after {sent >> 20} MiB"
    assert after - before < 32 << 20, f"worker RSS grew from {before >> 20} to {after >> 20} MiB"
