# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools

DEFAULT_SCOPE = "fastapi"
API_KEY_FIELDS = {"api_key_scope", "api_key_header", "active"}


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    api_key_scope = fields.Char(
        string="API key scope",
        default=DEFAULT_SCOPE,
        required=True,
        help="The scope of the Odoo API keys this endpoint accepts; keys "
        "without a scope are accepted too, as Odoo does.",
    )
    api_key_header = fields.Boolean(
        string="Accept the api-key header",
        help="Take an API key from an 'api-key' header as well as from 'Authorization: Bearer'.",
    )

    def write(self, vals):
        res = super().write(vals)
        if API_KEY_FIELDS & set(vals):
            self.env.registry.clear_cache()
        return res

    @api.model
    @tools.ormcache("endpoint_id")
    def _fastapi_api_key_policy(self, endpoint_id):
        """(scope, whether the api-key header is taken) of an endpoint's API keys."""
        endpoint = self.sudo().browse(endpoint_id)
        return (endpoint.api_key_scope or DEFAULT_SCOPE, endpoint.api_key_header)

    def action_new_api_key(self):
        """Odoo's own API-key wizard, for a key of this endpoint's scope.

        The key belongs to the user who makes it and is shown once.
        """
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.users.apikeys.description",
            "name": self.env._("New API key for %(scope)s", scope=self.api_key_scope),
            "target": "new",
            "views": [(False, "form")],
            "context": {"fastapi_api_key_scope": self.api_key_scope},
        }
