# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class FastapiTestCounter(models.Model):
    _name = "fastapi.test.counter"
    _description = "FastAPI Test Counter"

    name = fields.Char(required=True)
    value = fields.Integer()

    _name_unique = models.Constraint("UNIQUE(name)", "A counter of this name exists.")
