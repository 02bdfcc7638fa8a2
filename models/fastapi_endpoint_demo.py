# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections.abc import Callable
from typing import Any

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..dependencies import (
    authenticated_partner_from_api_key,
    authenticated_partner_from_basic_auth_user,
    authenticated_partner_impl,
)
from ..routers.api_key_demo_router import router as api_key_demo_router
from ..routers.demo_router import api_key_authenticated_partner
from ..routers.demo_router import router as demo_router

# The OCA addon's name of the demo's "api-key" authentication.
api_key_based_authenticated_partner_impl = api_key_authenticated_partner

DEMO_DOC = """Routes that show what the addon does: the calling partner, the
endpoint, the language chosen from Accept-Language, each kind of error, and
Odoo's retry after a serialization failure."""


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    app = fields.Selection(selection_add=[("demo", "Demo Endpoint")], ondelete={"demo": "cascade"})
    demo_auth_method = fields.Selection(
        selection=[("api_key", "API key"), ("http_basic", "HTTP Basic"), ("odoo_api_key", "Odoo API key")],
        string="Authentication method",
        help="How the demo app authenticates its callers: an 'api-key' header "
        "holding a user's login (a demo, not a real key), or a user's login and password.",
    )

    @api.constrains("app", "demo_auth_method")
    def _check_demo_auth_method(self):
        for endpoint in self:
            if endpoint.app == "demo" and not endpoint.demo_auth_method:
                raise ValidationError(self.env._("The demo app needs an authentication method."))

    @api.model
    def _fastapi_app_fields(self) -> list[str]:
        return [*super()._fastapi_app_fields(), "demo_auth_method"]

    def _get_fastapi_routers(self):
        if self.app == "demo" and self.demo_auth_method == "odoo_api_key":
            return [demo_router, api_key_demo_router]
        if self.app == "demo":
            return [demo_router]
        return super()._get_fastapi_routers()

    def _get_app_dependencies_overrides(self) -> dict[Callable, Callable]:
        overrides = super()._get_app_dependencies_overrides()
        if self.app == "demo":
            overrides[authenticated_partner_impl] = {
                "http_basic": authenticated_partner_from_basic_auth_user,
                "odoo_api_key": authenticated_partner_from_api_key,
            }.get(self.demo_auth_method, api_key_authenticated_partner)
        return overrides

    def _prepare_fastapi_app_params(self) -> dict[str, Any]:
        params = super()._prepare_fastapi_app_params()
        if self.app == "demo":
            params["openapi_tags"] = [
                *(params.get("openapi_tags") or []),
                {"name": "demo", "description": DEMO_DOC},
            ]
        return params
