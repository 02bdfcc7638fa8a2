# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from ..idempotency import written


class Base(models.AbstractModel):
    """Notes the records an idempotent request of a repeatable route writes.

    See idempotency/written.py: outside such a request, one ContextVar lookup.
    """

    _inherit = "base"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        written.note(records)
        return records

    def write(self, vals):
        written.note(self)
        return super().write(vals)
