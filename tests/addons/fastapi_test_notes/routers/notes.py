# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import asyncio
import time
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictInt

from odoo.api import Environment
from odoo.exceptions import UserError

from odoo.addons.base.models.res_partner import ResPartner
from odoo.addons.fastapi.dependencies import authenticated_partner, authenticated_partner_env, odoo_env, paging
from odoo.addons.fastapi.idempotency import from_body_field, idempotent
from odoo.addons.fastapi.schemas import PagedCollection, Paging

router = APIRouter(tags=["notes"])

# What the routes really answer besides 200 and 422, so that the schema says it.
UNAUTHORIZED = {401: {"description": "No partner has the X-Partner-Ref given"}}


class NoteQuotaExceeded(Exception):
    """An error of the app's own, answered by the app's own exception handler."""


async def note_quota_exceeded_handler(request: Request, exc: NoteQuotaExceeded) -> JSONResponse:
    return JSONResponse({"detail": "quota exceeded", "limit": exc.args[0]}, status_code=429)


# A string PostgreSQL can store: no NUL. Said in the schema, so that a
# client (or schemathesis) knows such a name is refused, with a 422.
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]


class NoteIn(BaseModel):
    name: Text
    # Strict: JSON false is not partner 0.
    partner_id: StrictInt | None = None


class NoteOut(BaseModel):
    id: int
    name: str
    partner_id: int


def _out(note) -> NoteOut:
    return NoteOut(id=note.id, name=note.name, partner_id=note.partner_id.id)


@router.get("/notes")
def list_notes(
    env: Annotated[Environment, Depends(authenticated_partner_env)],
    page: Annotated[Paging, Depends(paging)],
) -> PagedCollection[NoteOut]:
    notes = env["fastapi.test.note"]
    # The record rule keeps the caller's notes only.
    found = notes.search([], limit=page.limit, offset=page.offset)
    return PagedCollection[NoteOut](count=notes.search_count([]), items=[_out(n) for n in found])


@router.post("/notes", status_code=201, responses=UNAUTHORIZED)
def create_note(
    data: NoteIn,
    partner: Annotated[ResPartner, Depends(authenticated_partner)],
    env: Annotated[Environment, Depends(authenticated_partner_env)],
) -> NoteOut:
    note = env["fastapi.test.note"].create({"name": data.name, "partner_id": data.partner_id or partner.id})
    return _out(note)


@router.post(
    "/notes/then-fail",
    responses={
        400: {"description": "kind=user_error"},
        418: {"description": "kind=http"},
        429: {"description": "kind=quota"},
        500: {"description": "kind=crash, on purpose"},
    },
)
async def create_then_fail(
    data: NoteIn,
    kind: Literal["user_error", "http", "crash", "quota", "none"],
    env: Annotated[Environment, Depends(odoo_env)],
) -> NoteOut:
    """Writes, then fails: nothing of it may be committed."""
    note = env["fastapi.test.note"].sudo().create({"name": data.name, "partner_id": data.partner_id})
    note.flush_recordset()
    if kind == "user_error":
        raise UserError(env._("refused"))
    if kind == "http":
        raise HTTPException(418, "teapot")
    if kind == "crash":
        raise RuntimeError("crash")
    if kind == "quota":
        raise NoteQuotaExceeded(3)
    return _out(note)


@router.get("/notes/write-on-get")
def write_on_get(env: Annotated[Environment, Depends(odoo_env)]) -> dict[str, int]:
    """A GET that writes: Odoo runs it again on a read-write cursor."""
    partner = env.ref("base.main_partner").sudo()
    note = env["fastapi.test.note"].sudo().create({"name": "from a GET", "partner_id": partner.id})
    note.flush_recordset()
    return {"id": note.id}


@router.get("/sleep")
async def sleep(seconds: Annotated[float, Query(ge=0, le=5)] = 0.5) -> dict[str, float]:
    await asyncio.sleep(seconds)
    return {"slept": seconds}


@router.post("/notes/once", status_code=201, dependencies=[Depends(idempotent(caller=authenticated_partner))])
def create_note_once(
    data: NoteIn,
    response: Response,
    partner: Annotated[ResPartner, Depends(authenticated_partner)],
    env: Annotated[Environment, Depends(authenticated_partner_env)],
) -> NoteOut:
    """Creates a note once per Idempotency-Key: a retry gets the same answer."""
    note = env["fastapi.test.note"].create({"name": data.name, "partner_id": partner.id})
    response.headers["Location"] = f"/notes/{note.id}"
    return _out(note)


class Refusal(BaseModel):
    kind: str
    name: Text


@router.post(
    "/notes/once/slow",
    status_code=201,
    dependencies=[Depends(idempotent(caller=authenticated_partner, required=True))],
)
@router.post(
    "/notes/once/wait",
    status_code=201,
    dependencies=[Depends(idempotent(caller=authenticated_partner, required=True, wait=10))],
)
def create_note_slowly(
    data: NoteIn,
    partner: Annotated[ResPartner, Depends(authenticated_partner)],
    env: Annotated[Environment, Depends(authenticated_partner_env)],
    seconds: Annotated[float, Query(ge=0, le=8)] = 1.0,
) -> NoteOut:
    """Takes its time after writing: duplicates arrive while it runs."""
    note = env["fastapi.test.note"].create({"name": data.name, "partner_id": partner.id})
    note.flush_recordset()
    time.sleep(seconds)
    return _out(note)


@router.post("/notes/once/refuse", dependencies=[Depends(idempotent(caller=authenticated_partner))])
def refuse_note(
    data: Refusal,
    response: Response,
    partner: Annotated[ResPartner, Depends(authenticated_partner)],
    env: Annotated[Environment, Depends(authenticated_partner_env)],
) -> dict[str, str]:
    """Writes a note, then refuses: as a 400 of its own, or with a UserError."""
    env["fastapi.test.note"].create({"name": data.name, "partner_id": partner.id}).flush_recordset()
    if data.kind == "user_error":
        raise UserError(env._("refused"))
    if data.kind == "http":
        raise HTTPException(409, "taken")
    response.status_code = 400
    response.set_cookie("refused", "yes")
    return {"detail": "refused"}


@router.post(
    "/notes/once/big",
    dependencies=[Depends(idempotent(caller=authenticated_partner, max_size=1000))],
)
def create_big_answer(
    data: NoteIn,
    partner: Annotated[ResPartner, Depends(authenticated_partner)],
    env: Annotated[Environment, Depends(authenticated_partner_env)],
) -> dict[str, str]:
    env["fastapi.test.note"].create({"name": data.name, "partner_id": partner.id})
    return {"padding": "x" * 2000}


@router.post("/notes/once/collide", status_code=201, dependencies=[Depends(idempotent(caller=authenticated_partner))])
def create_note_then_collide(
    data: NoteIn,
    request: Request,
    partner: Annotated[ResPartner, Depends(authenticated_partner)],
    env: Annotated[Environment, Depends(authenticated_partner_env)],
) -> NoteOut:
    """Meets a real serialization failure on its first try: Odoo runs it again."""
    note = env["fastapi.test.note"].create({"name": data.name, "partner_id": partner.id})
    note.flush_recordset()
    environ = request.scope.get("wsgi_environ", request.scope)
    if not environ.get("fastapi_test_notes.collided"):
        environ["fastapi_test_notes.collided"] = True
        # Another transaction changes the partner and commits after this
        # request's snapshot: this request's own update of it must fail.
        with env.registry.cursor() as other:
            other.execute("UPDATE res_partner SET write_date = now() WHERE id = %s", [partner.id])
        env.cr.execute("UPDATE res_partner SET write_date = now() WHERE id = %s", [partner.id])
    return _out(note)


class NoteName(BaseModel):
    name: Text


@router.put(
    "/notes/{note_id:int}",
    responses={**UNAUTHORIZED, 404: {"description": "No such note of the caller's"}},
    dependencies=[Depends(idempotent(caller=authenticated_partner, methods=("PUT",)))],
)
def rename_note(
    note_id: int,
    data: NoteName,
    env: Annotated[Environment, Depends(authenticated_partner_env)],
) -> NoteOut:
    """Renames a note; a retry runs again if the note was changed since."""
    # search, not browse: the record rule keeps the caller's notes only.
    note = env["fastapi.test.note"].search([("id", "=", note_id)], limit=1)
    if not note:
        raise HTTPException(404, "No such note")
    note.write({"name": data.name})
    return _out(note)


class Event(BaseModel):
    # What makes a key (keys.validate): printable ASCII, 255 characters with
    # the "event_id:" prefix. The schema says so: an id outside it is 400.
    event_id: Annotated[str, Field(min_length=1, max_length=246, pattern=r"^[ -~]+$")]
    name: Text


@router.post("/webhooks/events", dependencies=[Depends(idempotent(key=from_body_field("event_id"), required=True))])
def receive_event(event: Event, env: Annotated[Environment, Depends(odoo_env)]) -> dict[str, int]:
    """A sender that delivers an event more than once: one note per event id."""
    partner = env.ref("base.main_partner")
    note = env["fastapi.test.note"].sudo().create({"name": event.name, "partner_id": partner.id})
    return {"id": note.id}


@router.post("/counters/{name}/increment")
def increment_counter(name: str, env: Annotated[Environment, Depends(odoo_env)]) -> dict[str, int]:
    """Read, add one, write: concurrent calls must neither lose nor invent an increment."""
    counters = env["fastapi.test.counter"].sudo()
    counter = counters.search([("name", "=", name)], limit=1) or counters.create({"name": name})
    counter.value += 1
    counter.flush_recordset()
    return {"value": counter.value}
