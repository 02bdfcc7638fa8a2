# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from urllib.parse import urlsplit

from starlette.middleware import Middleware

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine.cors import ANY, CorsMiddleware, CorsPolicy

HTTP_TOKEN_CHARACTERS = frozenset("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    cors_allowed_origins = fields.Char(
        string="CORS Allowed Origins",
        help="Web origins whose pages may call this API from a browser, separated by commas, "
        "e.g. https://shop.example.com, or * for any origin. Empty: none (CORS off).",
    )
    cors_allowed_methods = fields.Char(
        string="CORS Allowed Methods",
        help="HTTP methods those pages may use, separated by commas, or *. Empty: GET, HEAD and POST.",
    )
    cors_allowed_headers = fields.Char(
        string="CORS Allowed Headers",
        help="Request headers those pages may send beyond the always-safe ones, separated by commas "
        "(e.g. Content-Type, api-key), or *.",
    )

    @api.constrains("cors_allowed_origins", "cors_allowed_methods", "cors_allowed_headers")
    def _check_cors_policy(self):
        for endpoint in self:
            policy = endpoint._get_cors_policy()
            if policy is None:
                continue
            for origin in policy.origins - {ANY}:
                parts = urlsplit(origin)
                if parts.scheme not in ("http", "https") or not parts.netloc or parts.path or parts.query:
                    raise ValidationError(
                        self.env._("%(origin)s is not a web origin (scheme://host[:port]).", origin=origin)
                    )
            for token in policy.methods | policy.headers:
                if not set(token) <= HTTP_TOKEN_CHARACTERS:
                    raise ValidationError(self.env._("%(token)s is not an HTTP method or header name.", token=token))

    @api.model
    def _fastapi_app_fields(self) -> list[str]:
        return [*super()._fastapi_app_fields(), "cors_allowed_origins", "cors_allowed_methods", "cors_allowed_headers"]

    def _get_fastapi_app_middlewares(self) -> list[Middleware]:
        middlewares = super()._get_fastapi_app_middlewares()
        policy = self._get_cors_policy()
        # Outermost: a preflight is answered before any other middleware runs.
        return [Middleware(CorsMiddleware, policy=policy), *middlewares] if policy else middlewares

    def _get_cors_policy(self) -> CorsPolicy | None:
        self.ensure_one()
        return CorsPolicy.parse(self.cors_allowed_origins, self.cors_allowed_methods, self.cors_allowed_headers)
