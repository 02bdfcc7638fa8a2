# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Dependency overrides applied once, when an app is built.

With anything in ``app.dependency_overrides``, FastAPI analyses every
dependency of a route again, on every request (signatures, annotations,
pydantic fields): an app whose authentication is an override, as the OCA
API has it, pays that on each call. Here the overrides are written into
copies of the routers instead: each dependency function that reaches an
overridden one gets a twin whose signature names the override, and FastAPI
analyses the result once, as any app. The docs then show the parameters of
the overrides (an api-key header, ...) too.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, get_args, get_origin

from fastapi import APIRouter, params
from fastapi.routing import APIRoute

Overrides = dict[Callable[..., Any], Callable[..., Any]]

# What include_router copies from a route, and so do we.
_ROUTE_FIELDS = (
    "response_model",
    "status_code",
    "tags",
    "summary",
    "description",
    "response_description",
    "responses",
    "deprecated",
    "methods",
    "operation_id",
    "response_model_include",
    "response_model_exclude",
    "response_model_by_alias",
    "response_model_exclude_unset",
    "response_model_exclude_defaults",
    "response_model_exclude_none",
    "include_in_schema",
    "response_class",
    "name",
    "callbacks",
    "openapi_extra",
    "generate_unique_id_function",
)


class Baker:
    def __init__(self, overrides: Overrides) -> None:
        self.overrides = overrides
        self._baked: dict[Any, Any] = {}

    def router(self, router: APIRouter) -> APIRouter:
        baked = APIRouter()
        for route in router.routes:
            if isinstance(route, APIRoute):
                kwargs = {name: getattr(route, name) for name in _ROUTE_FIELDS}
                kwargs["dependencies"] = [self.depends(dep) for dep in route.dependencies]
                baked.add_api_route(route.path, self.call(route.endpoint, endpoint=True), **kwargs)
            else:
                baked.routes.append(route)
        return baked

    def depends(self, dep: params.Depends) -> params.Depends:
        call = self.call(dep.dependency) if dep.dependency is not None else None
        return dep if call is dep.dependency else _replace(dep, dependency=call)

    def call(self, call: Callable[..., Any], endpoint: bool = False) -> Callable[..., Any]:
        """``call``, or its override, with the overrides written into its signature."""
        target = call if endpoint else self.overrides.get(call, call)
        if target in self._baked:
            return self._baked[target]
        self._baked[target] = target  # a cycle, if any, resolves to the original
        try:
            signature = inspect.signature(target, eval_str=True)
        except (TypeError, ValueError, NameError):
            return target  # a callable FastAPI analyses its own way (a class, a builtin)
        parameters = [self._parameter(p) for p in signature.parameters.values()]
        if all(new is old for new, old in zip(parameters, signature.parameters.values(), strict=True)):
            return target
        baked = _twin(target, signature.replace(parameters=parameters))
        self._baked[target] = baked
        return baked

    def _parameter(self, parameter: inspect.Parameter) -> inspect.Parameter:
        annotation, default = parameter.annotation, parameter.default
        if get_origin(annotation) is Annotated:
            base, *metadata = get_args(annotation)
            baked_metadata = [self.depends(m) if isinstance(m, params.Depends) else m for m in metadata]
            if any(new is not old for new, old in zip(baked_metadata, metadata, strict=True)):
                annotation = Annotated[(base, *baked_metadata)]
        if isinstance(default, params.Depends):
            default = self.depends(default)
        if annotation is parameter.annotation and default is parameter.default:
            return parameter
        return parameter.replace(annotation=annotation, default=default)


def _replace(dep: params.Depends, **changes: Any) -> params.Depends:
    if dataclasses.is_dataclass(dep):
        return dataclasses.replace(dep, **changes)
    new = type(dep).__new__(type(dep))
    new.__dict__.update(vars(dep), **changes)
    return new


def _twin(target: Callable[..., Any], signature: inspect.Signature) -> Callable[..., Any]:
    """A function that calls ``target``, of the same kind, with ``signature``."""
    if inspect.isasyncgenfunction(target):

        async def twin(*args: Any, **kwargs: Any) -> Any:
            # Delegate like "yield from" does: an exception FastAPI throws in
            # at the yield (the route failed) must reach the original.
            inner = target(*args, **kwargs)
            try:
                value = await inner.__anext__()
            except StopAsyncIteration:
                return
            while True:
                try:
                    sent = yield value
                except GeneratorExit:
                    await inner.aclose()
                    raise
                except BaseException as exc:  # noqa: BLE001 - handed to the original
                    try:
                        value = await inner.athrow(exc)
                    except StopAsyncIteration:
                        return
                else:
                    try:
                        value = await inner.asend(sent)
                    except StopAsyncIteration:
                        return

    elif inspect.isgeneratorfunction(target):

        def twin(*args: Any, **kwargs: Any) -> Any:
            yield from target(*args, **kwargs)

    elif inspect.iscoroutinefunction(target):

        async def twin(*args: Any, **kwargs: Any) -> Any:
            return await target(*args, **kwargs)

    else:

        def twin(*args: Any, **kwargs: Any) -> Any:
            return target(*args, **kwargs)

    functools.update_wrapper(twin, target)
    del twin.__wrapped__  # FastAPI must read the new signature, not the original's
    twin.__signature__ = signature
    return twin
