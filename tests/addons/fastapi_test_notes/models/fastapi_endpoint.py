# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from typing import Annotated

from fastapi import Depends, Header, HTTPException, status

from odoo import fields, models
from odoo.api import Environment

from odoo.addons.base.models.res_partner import ResPartner
from odoo.addons.fastapi.dependencies import authenticated_partner_impl, odoo_env

from ..routers.notes import NoteQuotaExceeded, note_quota_exceeded_handler, router


async def partner_from_token(
    token: Annotated[str, Header(alias="X-Partner-Ref")],
    env: Annotated[Environment, Depends(odoo_env)],
) -> ResPartner:
    """The caller is the partner whose reference is in the X-Partner-Ref header."""
    # An empty reference would match the partners that have none.
    partner = token.strip() and env["res.partner"].sudo().search([("ref", "=", token)], limit=1)
    if not partner:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Unknown partner")
    return env["res.partner"].browse(partner.id)


def _document_unauthorized(operation: dict, method: str) -> None:
    # The header is FastAPI's to document; the 401 of an unknown one is ours.
    operation["responses"].setdefault("401", {"description": "No partner has the X-Partner-Ref given"})


# Every route that authenticates the caller says so in the OpenAPI schema
# (see app_routes.document_dependencies).
partner_from_token.document_openapi_operation = _document_unauthorized


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    app = fields.Selection(selection_add=[("test_notes", "Test notes")], ondelete={"test_notes": "cascade"})

    def _get_fastapi_routers(self):
        if self.app == "test_notes":
            return [router]
        return super()._get_fastapi_routers()

    def _get_app(self):
        app = super()._get_app()
        if self.app == "test_notes":
            app.add_exception_handler(NoteQuotaExceeded, note_quota_exceeded_handler)
        return app

    def _get_app_dependencies_overrides(self):
        overrides = super()._get_app_dependencies_overrides()
        if self.app == "test_notes":
            overrides[authenticated_partner_impl] = partner_from_token
        return overrides

    def _get_idempotency_credential_headers(self):
        if self.app == "test_notes":
            return (*super()._get_idempotency_credential_headers(), "x-partner-ref")
        return super()._get_idempotency_credential_headers()
