# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Root paths: how they are written, which are allowed, which one a URL hits.

Pure functions over plain data so that the rules can be tested without Odoo.

>>> normalize_root_path(" //api//v1/ ")
'/api/v1'
>>> table = RoutingTable({"/api": 1, "/api/v2": 2})
>>> table.match("/api/v2/items"), table.match("/api/v20"), table.match("/apix")
(2, 1, None)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar
from urllib.parse import unquote

T = TypeVar("T")

# First path segments that Odoo itself serves: an endpoint there would shadow
# the web client, the RPC APIs or the website.
RESERVED_SEGMENTS = frozenset(
    {
        "web",
        "odoo",
        "website",
        "json",
        "jsonrpc",
        "xmlrpc",
        "websocket",
        "longpolling",
        "mail",
        "report",
    }
)
_VALID_PATH = re.compile(r"^(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$")


def normalize_root_path(path: str) -> str:
    segments = [segment for segment in path.strip().split("/") if segment]
    return "/" + "/".join(segments)


def root_path_problem(path: str) -> str | None:
    """Why ``path`` (normalized) cannot be a root path, or None."""
    if path == "/":
        return "the root path cannot be '/': it would capture every URL"
    if not _VALID_PATH.match(path):
        return "the root path may only contain URL path characters"
    segments = path.split("/")[1:]
    # Clients and proxies resolve dot segments (and some decode %2e and %2f)
    # before Odoo sees the path: such a root path is reached, if at all,
    # under another path than the one written, possibly one of Odoo's.
    if any(_is_dot_or_slash(segment) for segment in segments):
        return (
            "the root path may not contain '.' or '..' segments (plain or percent-encoded) "
            "nor a percent-encoded '/' or '\\'"
        )
    if segments[0].lower() in RESERVED_SEGMENTS:
        return f"'/{segments[0]}' is served by Odoo itself"
    if len(segments) > 1 and segments[1] == "static":
        return "'/<module>/static/' URLs are Odoo's static files"
    return None


def first_matching_root(root_paths: Iterable[str], path: str) -> str | None:
    """Of ``root_paths``, the deepest that serves ``path``, as written.

    Paths compare normalized and case-insensitively, segment by segment:

    >>> first_matching_root(["/fastapi", "/fastapi/v1"], "/FastAPI/v1/items")
    '/fastapi/v1'
    >>> first_matching_root(["/fastapi"], "/fastapi_demo/items") is None
    True
    """
    wanted = _segments(path)
    for root in sorted(root_paths, key=lambda root: len(_segments(root)), reverse=True):
        segments = _segments(root)
        if wanted[: len(segments)] == segments:
            return root
    return None


def _segments(path: str) -> list[str]:
    return [segment.lower() for segment in path.strip().split("/") if segment]


def _is_dot_or_slash(segment: str) -> bool:
    decoded = unquote(segment)
    return decoded in {".", ".."} or "/" in decoded or "\\" in decoded


def app_route_taken(subpath: str, app_routes: Iterable[str]) -> str | None:
    """The first of another app's routes that URLs under ``subpath`` would have reached.

    ``subpath`` is a root path relative to that app's own root path, and
    ``app_routes`` are its route templates (``/items/{item_id}``): a root
    path nested there would take those URLs away from the app.

    >>> app_route_taken("/demo", ["/openapi.json", "/demo/", "/demo/{name}"])
    '/demo/'
    >>> app_route_taken("/users/me", ["/users/{user_id}"]), app_route_taken("/test", ["/demo/"])
    ('/users/{user_id}', None)
    """
    wanted = subpath.split("/")[1:]
    for route in app_routes:
        if _template_covers(route.split("/")[1:], wanted):
            return route
    return None


def _template_covers(template: list[str], wanted: list[str]) -> bool:
    for position, segment in enumerate(wanted):
        if position >= len(template):
            return False
        pattern = template[position]
        if pattern.startswith("{") and pattern.endswith(":path}"):
            return True
        if pattern != segment and not (pattern.startswith("{") and pattern.endswith("}")):
            return False
    return True


def shadows(root_path: str, route: str) -> bool:
    """Whether an endpoint at ``root_path`` would capture Odoo route ``route``."""
    return route == root_path or route.startswith(root_path + "/")


class RoutingTable(Generic[T]):
    """Maps root paths to values; a URL goes to its longest root path."""

    def __init__(self, routes: Mapping[str, T]) -> None:
        self._routes = dict(routes)
        self._depth = max((path.count("/") for path in self._routes), default=0)
        self._first_segments = {path.split("/")[1] for path in self._routes}

    def __len__(self) -> int:
        return len(self._routes)

    def __contains__(self, root_path: object) -> bool:
        return root_path in self._routes

    def match(self, path: str) -> T | None:
        if not self._routes:
            return None
        segments = path.split("/", self._depth + 1)[1 : self._depth + 1]
        # Most URLs of an Odoo server are not API calls: leave at once.
        if not segments or segments[0] not in self._first_segments:
            return None
        for depth in range(len(segments), 0, -1):
            found = self._routes.get("/" + "/".join(segments[:depth]))
            if found is not None:
                return found
        return None
