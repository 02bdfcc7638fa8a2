# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""FastAPI dependencies that give routes the Odoo side of the request.

The names are those of the OCA ``fastapi`` addon, so that its apps run
unchanged. They are ``async def`` on purpose: each request has an event loop
of its own, so running them on the loop blocks nobody, while a ``def``
dependency costs a hop to a worker thread and back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

from fastapi import Depends, Header, HTTPException, Query, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from odoo.api import Environment
from odoo.exceptions import AccessDenied

# FastAPI evaluates the annotations of dependencies: these must exist at run time.
from odoo.addons.base.models.res_partner import ResPartner
from odoo.addons.base.models.res_users import ResUsers

from .context import fastapi_endpoint_id_ctx, odoo_env_ctx
from .engine.credentials import plausible_credentials
from .schemas import Paging

if TYPE_CHECKING:
    from .models.fastapi_endpoint import FastapiEndpoint

T = TypeVar("T")


def constant(value: T) -> Callable[[], Awaitable[T]]:
    """A dependency that provides ``value``: for ``dependency_overrides``."""

    async def provide() -> T:
        return value

    return provide


async def company_id() -> int | None:
    """A company to run the app's env in; by default the endpoint's (already in the env)."""
    return None


async def odoo_env(company_id: Annotated[int | None, Depends(company_id)]) -> Environment:
    env = odoo_env_ctx.get()
    if company_id is not None and env.context.get("allowed_company_ids") != [company_id]:
        env = env(context=dict(env.context, allowed_company_ids=[company_id]))
    return env


async def authenticated_partner_impl() -> ResPartner:
    """The caller's partner: an app's auth dependency overrides this one."""
    raise NotImplementedError(
        "authenticated_partner_impl has no implementation: override it in the "
        "app's dependency_overrides with the app's authentication"
    )


async def optionally_authenticated_partner_impl() -> ResPartner | None:
    """The caller's partner if the request is authenticated; None by default."""
    return None


def _partner_env(partner: ResPartner) -> Environment:
    # Record rules may use it: see models/ir_rule.py.
    return partner.env(context=dict(partner.env.context, authenticated_partner_id=partner.id))


async def authenticated_partner_env(
    partner: Annotated[ResPartner, Depends(authenticated_partner_impl)],
) -> Environment:
    return _partner_env(partner)


async def optionally_authenticated_partner_env(
    partner: Annotated[ResPartner | None, Depends(optionally_authenticated_partner_impl)],
    env: Annotated[Environment, Depends(odoo_env)],
) -> Environment:
    return _partner_env(partner) if partner else env


async def authenticated_partner(
    partner: Annotated[ResPartner, Depends(authenticated_partner_impl)],
    partner_env: Annotated[Environment, Depends(authenticated_partner_env)],
) -> ResPartner:
    """The caller's partner, in an env that carries ``authenticated_partner_id``."""
    return partner_env["res.partner"].browse(partner.id)


async def optionally_authenticated_partner(
    partner: Annotated[ResPartner | None, Depends(optionally_authenticated_partner_impl)],
    partner_env: Annotated[Environment, Depends(optionally_authenticated_partner_env)],
) -> ResPartner | None:
    return partner_env["res.partner"].browse(partner.id) if partner else None


# Bounds that keep offset and limit within PostgreSQL's bigint.
MAX_PAGE = MAX_PAGE_SIZE = 2**31 - 1


async def paging(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 80,
) -> Paging:
    return Paging(limit=page_size, offset=(page - 1) * page_size)


async def basic_auth_user(
    credential: Annotated[HTTPBasicCredentials, Depends(HTTPBasic())],
    env: Annotated[Environment, Depends(odoo_env)],
) -> ResUsers:
    """The user of the request's HTTP basic credentials, under Odoo's login cooldown."""
    login, password = credential.username, credential.password
    try:
        if not plausible_credentials("HTTP basic credentials", login, password):
            raise AccessDenied()
        uid = env["res.users"].sudo()._fastapi_check_basic_auth(login, password)
    except AccessDenied as exc:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Basic"},
        ) from exc
    return env["res.users"].browse(uid)


async def authenticated_partner_from_basic_auth_user(
    user: Annotated[ResUsers, Depends(basic_auth_user)],
    env: Annotated[Environment, Depends(odoo_env)],
) -> ResPartner:
    return env["res.partner"].browse(user.sudo().partner_id.id)


async def fastapi_endpoint_id() -> int:
    """The id of the endpoint serving the request (override it in a TestClient)."""
    return fastapi_endpoint_id_ctx.get()


async def fastapi_endpoint(
    _id: Annotated[int, Depends(fastapi_endpoint_id)],
    env: Annotated[Environment, Depends(odoo_env)],
) -> FastapiEndpoint:
    return env["fastapi.endpoint"].browse(_id)


async def accept_language(
    accept_language: Annotated[
        str | None,
        Header(
            alias="Accept-Language",
            description="Preferred languages of the response; the best one "
            "installed in Odoo is chosen, the user's language otherwise.",
        ),
    ] = None,
) -> str | None:
    """Documents the header; the dispatcher already set the env's language from it."""
    return accept_language


# As an app-level dependency, it is not solved on each request: it only adds
# the header to the docs (see documenting_dependencies).
accept_language.documents_only = True  # type: ignore[attr-defined]


__all__ = [
    "accept_language",
    "authenticated_partner",
    "authenticated_partner_env",
    "authenticated_partner_from_basic_auth_user",
    "authenticated_partner_impl",
    "basic_auth_user",
    "company_id",
    "constant",
    "fastapi_endpoint",
    "fastapi_endpoint_id",
    "odoo_env",
    "optionally_authenticated_partner",
    "optionally_authenticated_partner_env",
    "optionally_authenticated_partner_impl",
    "paging",
]


# Odoo API keys (auth/): a request authenticated with a key of res.users.apikeys.
import inspect  # noqa: E402

from fastapi import Request  # noqa: E402
from fastapi.security import HTTPBearer  # noqa: E402

from .auth import api_key_auth  # noqa: E402
from .auth.api_key import VerifiedKey  # noqa: E402


class OdooApiKey(HTTPBearer):
    """The security scheme of the docs' "Authorize" button and the key check, in one.

    FastAPI solves every dependency of a route on each request: one
    callable rather than a function depending on an ``HTTPBearer`` makes
    every route of a key a node cheaper. The headers are read from the
    request: a malformed one is refused as every other bad key is, and the
    api-key header, an option of the endpoint, costs no dependency.
    """

    async def __call__(  # type: ignore[override]
        self,
        request: Request,
        endpoint_id: Annotated[int, Depends(fastapi_endpoint_id)],
    ) -> VerifiedKey:
        """The request's Odoo API key, verified against the endpoint's scope; 401 otherwise."""
        client = request.client.host if request.client else ""
        headers = request.headers
        # The key is looked up in the request's env itself, not through
        # ``odoo_env``: the routes of a key reach ``odoo_env`` anyway
        # (api_key_env, the partner variant), and depending on it here too
        # would add its nodes to every such route. Only the cursor and the
        # registry of this env are used: its user and company do not matter.
        env = odoo_env_ctx.get()
        return api_key_auth.verify(env, endpoint_id, client, headers.get("Authorization"), headers.get("api-key"))


# FastAPI (before 0.12x) reads the signature of a callable instance without
# the module's globals, which the annotations, strings here, need: it gets
# them evaluated.
OdooApiKey.__call__.__signature__ = inspect.signature(OdooApiKey.__call__, eval_str=True)  # type: ignore[attr-defined]

# The scheme keeps the name it had as a plain HTTPBearer: the docs are unchanged.
odoo_api_key = OdooApiKey(auto_error=False, scheme_name="HTTPBearer", description="An Odoo API key.")


async def api_key_env(
    key: Annotated[VerifiedKey, Depends(odoo_api_key)],
    env: Annotated[Environment, Depends(odoo_env)],
) -> Environment:
    """An env running as the key's user: its access rights and record rules apply."""
    return api_key_auth.user_env(env, key)


async def api_key_user(
    key: Annotated[VerifiedKey, Depends(odoo_api_key)],
    env: Annotated[Environment, Depends(api_key_env)],
) -> ResUsers:
    """The key's user, in an env running as that user."""
    return env["res.users"].browse(key.user_id)


async def authenticated_partner_from_api_key(
    key: Annotated[VerifiedKey, Depends(odoo_api_key)],
    env: Annotated[Environment, Depends(odoo_env)],
) -> ResPartner:
    """The key's user's partner: an implementation of ``authenticated_partner_impl``."""
    return env["res.partner"].browse(key.partner_id)


__all__ += [  # noqa: PLE0605
    "api_key_env",
    "api_key_user",
    "authenticated_partner_from_api_key",
    "odoo_api_key",
]
