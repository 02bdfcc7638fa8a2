# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from starlette.middleware import Middleware

from odoo import models

from ..engine.methods import HttpMethodsMiddleware
from ..engine.redirects import RelativeRedirectsMiddleware


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    def _get_fastapi_app_middlewares(self) -> list[Middleware]:
        # Innermost: HEAD and OPTIONS see the routes as the app declared them.
        return [
            *super()._get_fastapi_app_middlewares(),
            Middleware(RelativeRedirectsMiddleware),
            Middleware(HttpMethodsMiddleware),
        ]
