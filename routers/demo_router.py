# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo app: one route per thing the addon does for an API."""

from __future__ import annotations

from typing import Annotated

import psycopg2.errorcodes
import psycopg2.errors
import werkzeug.exceptions
from fastapi import APIRouter, Body, Depends, File, HTTPException, Query, Request, status
from fastapi.security import APIKeyHeader

from odoo.api import Environment
from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError, ValidationError
from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE

from odoo.addons.base.models.res_partner import ResPartner

from ..dependencies import authenticated_partner, fastapi_endpoint, odoo_env
from ..engine.credentials import plausible_credentials
from ..schemas import DemoEndpointAppInfo, DemoExceptionType, DemoUserInfo, ErrorDetail

router = APIRouter(tags=["demo"])

# What the routes that authenticate their caller may answer besides success.
AUTHENTICATED: dict[int | str, dict] = {401: {"model": ErrorDetail, "description": "Missing or wrong credentials"}}


async def api_key_authenticated_partner(
    api_key: Annotated[
        str | None,
        # Not auto_error: older FastAPIs (0.115) answer a missing key with a 403.
        Depends(
            APIKeyHeader(name="api-key", description="In the demo, a user's login is its API key.", auto_error=False)
        ),
    ],
    env: Annotated[Environment, Depends(odoo_env)],
) -> ResPartner:
    if not api_key:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Not authenticated",
            headers={"WWW-Authenticate": "APIKey"},
        )
    found = plausible_credentials("API key", api_key) and env["res.users"]._fastapi_user_by_login(api_key)
    if not found:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Incorrect API Key")
    return env["res.partner"].browse(found[1])


@router.get("/demo/")
@router.get("/demo", include_in_schema=False)
async def hello() -> dict[str, str]:
    return {"Hello": "World"}


@router.get("/demo/who_ami", responses=AUTHENTICATED)
async def who_ami(partner: Annotated[ResPartner, Depends(authenticated_partner)]) -> DemoUserInfo:
    return DemoUserInfo(name=partner.name, display_name=partner.display_name)


@router.get("/demo/authenticated", responses=AUTHENTICATED)
async def authenticated(partner: Annotated[ResPartner, Depends(authenticated_partner)]) -> dict[str, int]:
    """The caller's partner id: checks the credentials and reads nothing else.

    Beside ``who_ami``, which also reads the partner through the ORM, it shows
    what authentication alone adds to a request.
    """
    return {"partner_id": partner.id}


@router.get("/demo/endpoint_app_info", dependencies=[Depends(authenticated_partner)], responses=AUTHENTICATED)
async def endpoint_app_info(endpoint: Annotated[object, Depends(fastapi_endpoint)]) -> DemoEndpointAppInfo:
    return DemoEndpointAppInfo.model_validate(endpoint)


@router.get("/demo/lang")
async def lang(env: Annotated[Environment, Depends(odoo_env)]) -> str | None:
    """The language of the env: the best installed one for Accept-Language."""
    return env.context.get("lang")


_ERRORS: dict[DemoExceptionType, type[BaseException]] = {
    DemoExceptionType.user_error: UserError,
    DemoExceptionType.validation_error: ValidationError,
    DemoExceptionType.access_error: AccessError,
    DemoExceptionType.access_denied: AccessDenied,
    DemoExceptionType.missing_error: MissingError,
    DemoExceptionType.werkzeug_exception: werkzeug.exceptions.Conflict,
    DemoExceptionType.bare_exception: NotImplementedError,
}


_ERROR_ANSWERS: dict[int | str, dict] = {
    code: {"model": ErrorDetail, "description": description}
    for code, description in (
        (400, "UserError, ValidationError"),
        (403, "AccessError, AccessDenied"),
        (404, "MissingError"),
        (409, "HTTPException, WerkzeugException"),
        (500, "BareException"),
    )
}


@router.get("/demo/exception", responses=_ERROR_ANSWERS)
async def exception(exception_type: DemoExceptionType, error_message: str) -> None:
    if exception_type is DemoExceptionType.http_exception:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=error_message)
    raise _ERRORS[exception_type](error_message)


class FakeConcurrentUpdateError(psycopg2.errors.SerializationFailure):
    """What PostgreSQL raises when two transactions collide; Odoo retries it."""

    @property
    def pgcode(self) -> str:
        return psycopg2.errorcodes.SERIALIZATION_FAILURE


def _fail_until(request: Request, nbr_retries: int) -> int:
    # Odoo reruns the request with the same WSGI environ: count the tries there.
    environ = request.scope.get("wsgi_environ", request.scope)
    tries = environ["fastapi.demo.tries"] = environ.get("fastapi.demo.tries", 0) + 1
    if tries <= nbr_retries:
        raise FakeConcurrentUpdateError("fake error")
    return tries - 1


Retries = Annotated[int, Query(gt=1, lt=MAX_TRIES_ON_CONCURRENCY_FAILURE)]


@router.get("/demo/retrying")
async def retrying(request: Request, nbr_retries: Retries) -> int:
    """Fail with a serialization error ``nbr_retries`` times, then answer how many."""
    return _fail_until(request, nbr_retries)


@router.post("/demo/retrying")
async def retrying_post(request: Request, nbr_retries: Retries, file: Annotated[bytes, File()]) -> dict[str, int | str]:
    """The same with an uploaded file, which each try must read whole."""
    # Any bytes may be uploaded: an undecodable file is echoed, not a 500.
    return {"retries": _fail_until(request, nbr_retries), "file": file.decode(errors="replace")}


@router.post("/demo/retrying_json")
async def retrying_json(
    request: Request,
    nbr_retries: Annotated[int, Query(ge=0, lt=MAX_TRIES_ON_CONCURRENCY_FAILURE)],
    payload: Annotated[dict[str, str], Body()],
) -> dict[str, int | dict[str, str]]:
    """The same with a JSON body, which each try must parse again."""
    return {"retries": _fail_until(request, nbr_retries), "payload": payload}
