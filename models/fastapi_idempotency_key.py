# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

GC_BATCH = 10000


class FastapiIdempotencyKey(models.Model):
    """A stored answer of an idempotent request (see the idempotency package).

    Rows are written with SQL on the request's cursor, never through the ORM:
    the endpoint's user has no access to them.
    """

    _name = "fastapi.idempotency.key"
    _description = "FastAPI Idempotency Key"
    _order = "create_date desc, id desc"
    _log_access = False
    _rec_name = "key"

    endpoint_id = fields.Many2one("fastapi.endpoint", required=True, ondelete="cascade", readonly=True)
    caller = fields.Char(required=True, readonly=True, help="Whose key this is: a partner, or a user and credentials.")
    key = fields.Char(required=True, readonly=True)
    route = fields.Char(readonly=True)
    fingerprint = fields.Char(readonly=True)
    state = fields.Selection(
        selection=[("stored", "Stored"), ("too_large", "Too large to replay")],
        required=True,
        readonly=True,
    )
    status = fields.Integer(readonly=True)
    response_headers = fields.Text(readonly=True)
    response_body = fields.Binary(attachment=False, readonly=True)
    response_preview = fields.Text(compute="_compute_response_preview")
    records = fields.Text(
        readonly=True,
        help="The records a repeatable request (PUT, DELETE) created or wrote, with their row versions: "
        "its answer is replayed while none of them has changed.",
    )
    create_date = fields.Datetime(string="Created", readonly=True)
    expires = fields.Datetime(required=True, readonly=True, index=True)

    _key_unique = models.Constraint(
        "UNIQUE(endpoint_id, caller, key)",
        "An idempotency key is stored once per endpoint and caller.",
    )

    @api.depends("response_body")
    def _compute_response_preview(self):
        for row in self:
            raw = base64.b64decode(row.response_body) if row.response_body else b""
            row.response_preview = raw.decode("utf-8", "replace")

    @api.model
    def _gc_expired(self, batch: int = GC_BATCH) -> int:
        """Delete one batch of expired keys; the cron runs again if more remain."""
        self.env.cr.execute(
            """
            DELETE FROM fastapi_idempotency_key
             WHERE id IN (SELECT id FROM fastapi_idempotency_key
                           WHERE expires < (now() AT TIME ZONE 'UTC') LIMIT %s)
            """,
            [batch],
        )
        deleted = self.env.cr.rowcount
        if deleted == batch:
            self.env.ref("fastapi.ir_cron_fastapi_idempotency_gc")._trigger()
        _logger.info("FastAPI idempotency: %d expired key(s) deleted", deleted)
        return deleted
