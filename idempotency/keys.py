# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The pure parts of idempotency: keys, fingerprints, caller scopes.

No Odoo and no database here, so that they are tested with plain pytest.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import parse_qsl, urlencode

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
# Printable ASCII: the draft's sf-string alphabet.
_PRINTABLE = re.compile(r"[\x20-\x7e]+")
# A constant first half of the two-int advisory lock: other users of
# advisory locks (Odoo, other addons) pick their own.
LOCK_NAMESPACE = 0x1DE9


class InvalidKey(ValueError):
    """A malformed key; the message is safe to show to the client."""


def parse_header(values: Sequence[str]) -> str | None:
    """The key of the ``Idempotency-Key`` header values, None when absent."""
    if not values:
        return None
    if len(values) > 1:
        raise InvalidKey(f"Send the {HEADER} header once")
    return validate(_unquote(values[0]))


def _unquote(value: str) -> str:
    # The draft's value is a Structured Field string ("..."); a bare value
    # is accepted too, as most clients send one.
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\([\\\"])", r"\1", value[1:-1])
    return value


def validate(key: str, source: str = f"The {HEADER} header", max_length: int = MAX_LENGTH) -> str:
    """``key`` if it can be stored; else InvalidKey naming ``source``, what the client sent it in."""
    if not key:
        raise InvalidKey(f"{source} is empty")
    if len(key) > max_length:
        raise InvalidKey(f"{source} is longer than {max_length} characters")
    if not _PRINTABLE.fullmatch(key):
        raise InvalidKey(f"{source} must be printable ASCII")
    return key


def sorted_query(query_string: str) -> str:
    return urlencode(sorted(parse_qsl(query_string, keep_blank_values=True)))


def fingerprint(method: str, path: str, query_string: str, media_type: str, body: bytes) -> str:
    """What must be equal for a key to be replayed rather than refused."""
    digest = hashlib.sha256()
    for part in (method.upper(), path, sorted_query(query_string), media_type.lower()):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()


def request_digest(method: str, path: str, query_string: str, body: bytes) -> str:
    """A key made of the request itself, for senders that cannot send one."""
    return "digest:" + fingerprint(method, path, query_string, "", body)


def body_field(name: str) -> Callable[[bytes], str | None]:
    """A key read from the JSON body's field ``name`` (a webhook's event id)."""

    def read(body: bytes) -> str | None:
        try:
            value = json.loads(body or b"null")
        # Deep nesting exhausts the parser's recursion: no more readable
        # than malformed JSON.
        except (ValueError, RecursionError):
            return None
        found = value.get(name) if isinstance(value, Mapping) else None
        if found is None or isinstance(found, bool | dict | list):
            return None
        # Stored with the field's name in front: the value gets what is left.
        prefix = f"{name}:"
        return prefix + validate(str(found), f"The body's {name}", MAX_LENGTH - len(prefix))

    return read


def caller_scope(partner_id: int | None, uid: int, credentials: Sequence[str]) -> str:
    """Who may see an answer: the partner, else the user and the client's credentials."""
    if partner_id:
        return f"partner:{partner_id}"
    digest = hashlib.sha256("\0".join(credentials).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return f"user:{uid}:{digest}"


def lock_id(endpoint_id: int, scope: str, key: str) -> tuple[int, int]:
    """The advisory lock of one key: held by the request executing it."""
    raw = hashlib.sha256(f"{endpoint_id}\0{scope}\0{key}".encode("utf-8", "surrogateescape")).digest()
    return LOCK_NAMESPACE, struct.unpack(">i", raw[:4])[0]


def allowed_headers(headers: Sequence[tuple[str, str]], extra: Sequence[str]) -> list[tuple[str, str]]:
    """The headers a replay repeats: never cookies or credentials."""
    allowed = {"content-type", "location", "etag", *(name.lower() for name in extra)}
    allowed -= {"set-cookie", "authorization", "www-authenticate", "proxy-authenticate"}
    return [(name, value) for name, value in headers if name.lower() in allowed]
