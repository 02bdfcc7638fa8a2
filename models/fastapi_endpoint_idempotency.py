# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from fastapi import Depends
from starlette.middleware import Middleware

from odoo import api, fields, models

from ..idempotency import IdempotencyMiddleware, idempotent
from ..idempotency.dependency import CREDENTIAL_HEADERS


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    idempotent_requests = fields.Boolean(
        help="Every POST and PATCH of the endpoint that carries an Idempotency-Key "
        "header runs once; a retry gets the stored answer.",
    )
    idempotency_retention = fields.Integer(
        string="Keys kept (hours)",
        default=24,
        help="How long the answers of the endpoint's idempotent requests are kept.",
    )

    @api.model
    def _fastapi_app_fields(self) -> list[str]:
        return [*super()._fastapi_app_fields(), "idempotent_requests", "idempotency_retention"]

    def _get_fastapi_app_middlewares(self) -> list[Middleware]:
        # Always there: routes may depend on idempotent() without the switch.
        return [*super()._get_fastapi_app_middlewares(), Middleware(IdempotencyMiddleware)]

    def _get_fastapi_app_dependencies(self) -> list[Depends]:
        dependencies = super()._get_fastapi_app_dependencies()
        if self.idempotent_requests:
            retention = timedelta(hours=self.idempotency_retention or 24)
            headers = self._get_idempotency_credential_headers()
            dependencies.append(Depends(idempotent(retention=retention, credential_headers=headers)))
        return dependencies

    def _get_idempotency_credential_headers(self) -> tuple[str, ...]:
        """The request headers that tell callers apart, for the endpoint switch.

        Its keys are scoped by the partner of ``optionally_authenticated_partner_impl``
        when the app provides one, else by the endpoint's user and these
        headers' values. An app whose clients authenticate with another
        header adds it here. (Every route of the app runs the switch's
        dependency: it resolves no authentication of its own, so that the
        app's public routes stay public.)
        """
        return CREDENTIAL_HEADERS
