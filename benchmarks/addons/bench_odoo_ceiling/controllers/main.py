# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The ceiling of the API-key benchmarks: their ORM calls in plain Odoo routes.

These routes make the calls of the addon's ``/fastapi_demo_keys/partners``
routes, as the same user (admin), with nothing around them but Odoo's own
request handling: no authentication at all, no FastAPI. No route inside
Odoo's HTTP stack that makes the same calls can cost less, so their req/s
against JSON-2's tell how far any API can go ahead of JSON-2 on this machine.

Never install this addon anywhere but a benchmark database: it reads
partners as admin for anyone who asks.
"""

import functools
import json

from odoo import http
from odoo.http import request

FIELDS = ["name", "display_name"]
# As the addon's GET routes: read-only cursor, no session saved.
bench_route = functools.partial(
    http.route, type="http", auth="none", methods=["GET"], readonly=True, save_session=False
)


class BenchCeiling(http.Controller):
    def _answer(self, payload):
        return request.make_response(json.dumps(payload), headers=[("Content-Type", "application/json")])

    def _as_admin(self):
        # An xmlid lookup Odoo caches (env.ref would check that the user exists: a query).
        request.update_env(user=request.env["ir.model.data"]._xmlid_to_res_id("base.user_admin"))
        return request.env

    @bench_route("/bench_odoo_ceiling/partners/<int:partner_id>")
    def read_partner(self, partner_id):
        [values] = self._as_admin()["res.partner"].browse(partner_id).read(FIELDS)
        return self._answer(values)

    @bench_route("/bench_odoo_ceiling/partners")
    def search_partners(self, limit="80"):
        found = self._as_admin()["res.partner"].search_read([], FIELDS, limit=int(limit), order="id")
        return self._answer(found)
