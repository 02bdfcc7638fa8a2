# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Requests written byte by byte, for what well-behaved clients refuse to send.

Raw non-ASCII in a query string, broken chunk framing, a Content-Length the
body never reaches: HTTP libraries fix or refuse these, attackers do not.
"""

from __future__ import annotations

import json
import select
import socket
from dataclasses import dataclass
from typing import Any


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def send(port: int, head: bytes, body: bytes = b"", timeout: float = 30) -> RawResponse:
    """Send ``head`` (request line and headers, without the blank line) and ``body``."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.rstrip(b"\r\n") + b"\r\nConnection: close\r\n\r\n")
        _send_until_answered(sock, body)
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered and reset the connection: its answer is still to read
        return _parse(_read_all(sock))


def _send_until_answered(sock: socket.socket, body: bytes, piece: int = 65536) -> None:
    """Send ``body``, but stop once the server answers (a 413 before the body's end)."""
    for start in range(0, len(body), piece):
        answered, _, _ = select.select([sock], [], [], 0)
        if answered:
            return
        try:
            sock.sendall(body[start : start + piece])
        except OSError:
            return  # the server answered and closed before the body was sent


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(raw: bytes) -> RawResponse:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/"):
        raise ConnectionError(f"no HTTP answer: {raw[:200]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _unchunk(body)
    return RawResponse(int(lines[0].split()[1]), headers, body)


def _unchunk(data: bytes) -> bytes:
    out = []
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.append(data[:size])
        data = data[size + 2 :]
    return b"".join(out)
