# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Partners, as the caller's Odoo API key's user: the work of Odoo's JSON-2 API.

The routes make the ORM calls ``/json/2/res.partner/read``, ``search_read``
and ``create`` make, so that the benchmarks compare what surrounds them.
They return the ORM's dicts: FastAPI validates them against the response
model once, where a model built in the route would be dumped and validated
again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel

from odoo.api import Environment

from odoo.addons.base.models.res_users import ResUsers

from ..dependencies import api_key_env, api_key_user

router = APIRouter(tags=["partners"])

FIELDS = ["name", "display_name"]


class PartnerOut(BaseModel):
    id: int
    name: str | bool
    display_name: str | bool


class PartnerIn(BaseModel):
    name: str


class UserOut(BaseModel):
    id: int
    login: str


@router.get("/me")
async def me(user: Annotated[ResUsers, Depends(api_key_user)]) -> UserOut:
    return UserOut(id=user.id, login=user.login)


@router.get("/partners/{partner_id}", response_model=PartnerOut, responses={404: {"description": "No such partner"}})
async def read_partner(partner_id: int, env: Annotated[Environment, Depends(api_key_env)]) -> dict[str, Any]:
    # read() leaves out the ids that do not exist, as JSON-2's read does.
    found = env["res.partner"].browse(partner_id).read(FIELDS)
    if not found:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Partner not found")
    return found[0]


@router.get("/partners", response_model=list[PartnerOut])
async def search_partners(
    env: Annotated[Environment, Depends(api_key_env)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 80,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    # The record rules of the key's user decide what is found.
    return env["res.partner"].search_read([], FIELDS, offset=offset, limit=limit, order="id")


@router.post("/partners", status_code=201, response_model=PartnerOut)
async def create_partner(data: PartnerIn, env: Annotated[Environment, Depends(api_key_env)]) -> dict[str, Any]:
    partner = env["res.partner"].create({"name": data.name})
    return {"id": partner.id, "name": partner.name, "display_name": partner.display_name}
