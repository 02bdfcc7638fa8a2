# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from odoo.addons.fastapi.dependencies import authenticated_partner_from_api_key, authenticated_partner_impl

from ..routers.notes import NoteQuotaExceeded, note_quota_exceeded_handler, router


class FastapiEndpoint(models.Model):
    _inherit = "fastapi.endpoint"

    app = fields.Selection(
        selection_add=[("test_notes_api_key", "Test notes (Odoo API keys)")],
        ondelete={"test_notes_api_key": "cascade"},
    )

    def _get_fastapi_routers(self):
        if self.app == "test_notes_api_key":
            return [router]
        return super()._get_fastapi_routers()

    def _get_app(self):
        app = super()._get_app()
        if self.app == "test_notes_api_key":
            app.add_exception_handler(NoteQuotaExceeded, note_quota_exceeded_handler)
        return app

    def _get_app_dependencies_overrides(self):
        overrides = super()._get_app_dependencies_overrides()
        if self.app == "test_notes_api_key":
            # The caller is the partner of the user of an Odoo API key.
            overrides[authenticated_partner_impl] = authenticated_partner_from_api_key
        return overrides
