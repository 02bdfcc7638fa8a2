# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _match(cls, path_info):
        # Endpoints are records, not controllers: they are matched from a
        # table cached per registry, before Odoo's own routing map.
        route = request.env["fastapi.endpoint"]._get_routing_table().match(path_info)
        if route is not None:
            return route.rule, {}
        return super()._match(path_info)
