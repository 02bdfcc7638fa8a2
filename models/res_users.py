# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models, tools

# A change of these makes a cached login lookup wrong.
LOGIN_FIELDS = {"login", "active", "partner_id"}
# Endpoints' routing facts carry their user's language and timezone.
CONTEXT_FIELDS = {"lang", "tz"}


class _UnknownLoginError(LookupError):
    pass


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _fastapi_user_by_login(self, login):
        """(user id, partner id) of the active user with this login, or None.

        Known logins are cached: an API authenticates each request, and the
        lookup would otherwise cost two queries per call. Unknown ones are
        not, so that made-up credentials cannot push real entries out of the
        cache, and so that creating a user leaves every entry right.
        """
        try:
            return self._fastapi_known_login(login)
        except _UnknownLoginError:
            return None

    @api.model
    @tools.ormcache("login")
    def _fastapi_known_login(self, login):
        user = self.sudo().search_fetch(self._get_login_domain(login), ["partner_id"], limit=1)
        if not user:
            # ormcache stores results, never exceptions.
            raise _UnknownLoginError(login)
        return (user.id, user.partner_id.id)

    def write(self, vals):
        res = super().write(vals)
        if LOGIN_FIELDS & set(vals):
            self.env.registry.clear_cache()
        if CONTEXT_FIELDS & set(vals) and self.env["fastapi.endpoint"].sudo().search_count(
            [("user_id", "in", self.ids)], limit=1
        ):
            self.env["fastapi.endpoint"]._signal_routing_change()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res
