# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""App-level dependencies that only document a parameter.

``accept_language`` is an app-level dependency, as in the OCA API, to show
the ``Accept-Language`` header in the docs: the dispatcher has already set
the env's language from it, and FastAPI discards the values of app-level
dependencies. Solving it would cost every request a dependency node (about
20 µs) for nothing. Such a dependency says so (``DOCUMENTS_ONLY``): the app
leaves it out of its routes and adds its parameters to their docs, as FastAPI
would have listed them.

An override of it written into the app (``_get_app_dependencies_overrides``)
keeps it a dependency like any other: the override may do something. An
override set later, on a test client's app, finds no node to replace.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, FastAPI, params
from fastapi.routing import APIRoute

# The attribute, true on a dependency function that only documents.
DOCUMENTS_ONLY = "documents_only"

Parameter = dict[str, Any]
# The keys of an OpenAPI path item that are operations.
OPERATIONS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def split(dependencies: Sequence[params.Depends]) -> tuple[list[params.Depends], list[Callable[..., Any]]]:
    """The dependencies to solve on each request, and the functions that only document."""
    solved, documenting = [], []
    for dependency in dependencies:
        call = dependency.dependency
        if getattr(call, DOCUMENTS_ONLY, False) is not True:
            solved.append(dependency)
        elif call not in documenting:
            documenting.append(call)
    return solved, documenting


def documenter(routes: Iterable[Any], documenting: Sequence[Callable[..., Any]]) -> Callable[[dict[str, Any]], None]:
    """A documenter of the app's schema (``ServedFastAPI.openapi_documenters``)."""
    return functools.partial(document, routes=routes, documenting=tuple(documenting))


def document(schema: dict[str, Any], routes: Iterable[Any], documenting: tuple[Callable[..., Any], ...]) -> None:
    """Add the parameters of ``documenting`` to each operation of ``schema``.

    Every route of the app has the app's dependencies: every operation gets
    the parameters. ``routes`` tell where: after a route's own headers.
    """
    probes = [_probe(call) for call in documenting]
    added = [parameter for probe in probes for parameter in probe.parameters]
    if not added:
        return
    own_headers = _own_headers(routes)
    invalid_answer = next((probe.invalid_answer for probe in probes if probe.invalid_answer), None)
    needs_components = False
    for path, path_item in schema.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in OPERATIONS or not _insert(operation, added, own_headers.get((path, method), set())):
                continue
            # A parameter may be invalid: FastAPI lists its 422 then.
            responses = operation.setdefault("responses", {})
            if invalid_answer and "422" not in responses:
                responses["422"] = copy.deepcopy(invalid_answer)
                needs_components = True
    if needs_components:
        known = schema.setdefault("components", {}).setdefault("schemas", {})
        for probe in probes:
            for name, component in probe.components.items():
                known.setdefault(name, copy.deepcopy(component))


def _own_headers(routes: Iterable[Any]) -> dict[tuple[str, str], set[str]]:
    """The header parameters routes declare themselves, by (path, method).

    A router included as it is (FastAPI 0.16x keeps it whole) is not
    looked into: its parameters come first among the headers instead.
    """
    found = {}
    for route in routes:
        if isinstance(route, APIRoute):
            names = {field.alias.lower() for field in route.dependant.header_params}
            for method in route.methods:
                found[route.path_format, method.lower()] = names
    return found


def _insert(operation: dict[str, Any], added: list[Parameter], own_headers: set[str]) -> bool:
    """Insert the parameters of ``added`` ``operation`` lacks; whether there were any."""
    parameters = operation.get("parameters", [])
    present = {_identity(parameter) for parameter in parameters}
    new = [copy.deepcopy(parameter) for parameter in added if _identity(parameter) not in present]
    if not new:
        return False
    # Where FastAPI puts an app-level dependency's parameters: after the
    # route's path and query parameters and its own headers, before those of
    # its other dependencies and before the cookies.
    at = len(parameters)
    for index, parameter in enumerate(parameters):
        kind = parameter.get("in")
        if kind == "cookie" or (kind == "header" and parameter.get("name", "").lower() not in own_headers):
            at = index
            break
    operation["parameters"] = [*parameters[:at], *new, *parameters[at:]]
    return True


def _identity(parameter: Parameter) -> tuple[str, str]:
    # Header names are case-insensitive.
    return parameter.get("in", ""), parameter.get("name", "").lower()


@dataclass(frozen=True)
class _Probe:
    """What FastAPI documents of a dependency on a route of its own."""

    parameters: tuple[Parameter, ...]
    invalid_answer: dict[str, Any] | None
    components: dict[str, Any]


@functools.cache
def _probe(call: Callable[..., Any]) -> _Probe:
    probe = FastAPI(dependencies=[Depends(call)])
    probe.get("/")(_nothing)
    schema = probe.openapi()
    operation = schema["paths"]["/"]["get"]
    return _Probe(
        parameters=tuple(operation.get("parameters", ())),
        invalid_answer=operation.get("responses", {}).get("422"),
        components=schema.get("components", {}).get("schemas", {}),
    )


async def _nothing() -> None:
    return None
