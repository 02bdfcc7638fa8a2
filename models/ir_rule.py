# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _eval_context(self):
        """Let record rules restrict an API to what its caller's partner may see.

        ``authenticated_partner_id`` is set in the context by the
        ``authenticated_partner`` dependencies; it is False elsewhere.
        """
        context = super()._eval_context()
        context["authenticated_partner_id"] = self.env.context.get("authenticated_partner_id", False)
        return context

    def _compute_domain_keys(self):
        # Rule domains are cached per these context keys: two callers must
        # not share a cached domain.
        return [*super()._compute_domain_keys(), "authenticated_partner_id"]
