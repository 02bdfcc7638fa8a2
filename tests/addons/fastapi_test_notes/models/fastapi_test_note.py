# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class FastapiTestNote(models.Model):
    _name = "fastapi.test.note"
    _description = "FastAPI Test Note"
    _order = "id"

    name = fields.Char(required=True)
    partner_id = fields.Many2one("res.partner", required=True, index=True)
