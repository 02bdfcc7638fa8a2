# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import api, models, tools
from odoo.tools import SQL

from odoo.addons.base.models.res_users import KEY_CRYPT_CONTEXT

from ..auth import api_key_auth
from ..auth.api_key import LookupSkipped, UnknownKey, VerifiedKey, key_index


class ResUsersApikeys(models.Model):
    _inherit = "res.users.apikeys"

    @api.model
    @tools.ormcache("digest")
    def _fastapi_verified_key(self, digest, key, client=""):
        """The stored key ``key`` is, as a ``VerifiedKey``: remembered by its digest.

        The cache is a registry ``ormcache``: cleared on every worker and
        server at their next request when a key is removed or changed, or a
        user archived (see ``_fastapi_forget_keys``). Unknown keys raise, and
        ormcache keeps results only: a made-up key leaves nothing behind.
        A client ``client`` throttled for its failures gets no look-up.
        """
        retry_after = api_key_auth.throttle.retry_after(client)
        if retry_after:
            raise LookupSkipped(retry_after)
        for row in self._fastapi_candidate_rows(key_index(key)):
            user_id, partner_id, scope, expiration_date, hashed = row
            if KEY_CRYPT_CONTEXT.verify(key, hashed):
                return VerifiedKey(user_id, partner_id, scope, _epoch(expiration_date))
        raise UnknownKey()

    @api.model
    def _fastapi_candidate_rows(self, index):
        # Odoo's _check_credentials has the same conditions, less the scope:
        # a key is verified once, for whichever endpoint asks.
        self.env.cr.execute(
            SQL(
                """
                SELECT k.user_id, u.partner_id, k.scope, k.expiration_date, k.key
                  FROM %s k
                  JOIN res_users u ON u.id = k.user_id
                 WHERE k.index = %s
                   AND u.active
                   AND (k.expiration_date IS NULL OR k.expiration_date >= now() at time zone 'utc')
                """,
                SQL.identifier(self._table),
                index,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _generate(self, scope, name, expiration_date):
        # Odoo's key wizard asks for no scope: the endpoint form opens it with
        # the endpoint's. A scope only narrows a key: the context may set it.
        if scope is None:
            scope = self.env.context.get("fastapi_api_key_scope") or None
        return super()._generate(scope, name, expiration_date)

    def write(self, vals):
        res = super().write(vals)
        self._fastapi_forget_keys()
        return res

    def unlink(self):
        res = super().unlink()
        self._fastapi_forget_keys()
        return res

    @api.model
    def _fastapi_forget_keys(self):
        # Odoo signals a cleared registry cache through the database: every
        # worker and server empties its own before serving its next request.
        self.env.registry.clear_cache()


def _epoch(expiration_date):
    if expiration_date is None:
        return None
    return expiration_date.replace(tzinfo=datetime.timezone.utc).timestamp()
