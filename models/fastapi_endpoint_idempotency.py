# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import Depends
from starlette.middleware import Middleware

from odoo import api, fields, models

from ..idempotency import IdempotencyMiddleware, idempotent


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
            dependencies.append(Depends(idempotent(retention=retention, caller=self._get_idempotency_caller())))
        return dependencies

    def _get_idempotency_caller(self) -> Callable[..., Any] | None:
        """The dependency that says who calls, for the keys of the endpoint switch.

        None: the partner of ``optionally_authenticated_partner_impl``, else
        the endpoint's user and the Authorization/Api-Key/X-Api-Key headers.
        An app that authenticates otherwise returns its own dependency here.
        """
        return None
