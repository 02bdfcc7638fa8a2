# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import os

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import request

from ..dispatcher import app_pool


class FastapiPoolStats(http.Controller):
    @http.route("/fastapi/pool_stats", type="http", auth="user", methods=["GET"], readonly=True)
    def pool_stats(self):
        """The app pool counters of the server process that answers."""
        if not request.env.user.has_group("fastapi.group_fastapi_manager"):
            raise AccessError(request.env._("Only FastAPI managers may read the app pool counters."))
        body = {"pid": os.getpid(), **app_pool.stats()}
        return request.make_response(json.dumps(body), headers=[("Content-Type", "application/json")])
