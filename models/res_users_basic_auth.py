# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models, tools
from odoo.exceptions import AccessDenied


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _fastapi_check_basic_auth(self, login, password):
        """The id of the active user with this login and password; AccessDenied otherwise.

        Odoo's login cooldown (``_assert_can_auth``: after
        ``base.login_cooldown_after`` failures from one client address, no
        attempt is even checked for ``base.login_cooldown_duration`` seconds)
        applies before anything else, a cached success included. An unknown
        login costs what a wrong password does, so that timing tells no login.
        """
        with self._assert_can_auth(user=login):
            found = self._fastapi_user_by_login(login)
            if not found:
                self._fastapi_spend_password_check(password)
                raise AccessDenied()
            self._fastapi_check_password(found[0], password)
            return found[0]

    @api.model
    @tools.ormcache("uid", "password")
    def _fastapi_check_password(self, uid, password):
        # Odoo's _check_uid_passwd without its own _assert_can_auth (ours
        # already counts this attempt): successes are cached the same way,
        # so an API pays the password hash once, not on each call.
        if not password:
            raise AccessDenied()
        user = self.with_user(uid).env.user
        if not user.active:
            raise AccessDenied()
        user._check_credentials({"login": user.login, "password": password, "type": "password"}, {"interactive": False})

    @api.model
    def _fastapi_spend_password_check(self, password):
        """Do the work of checking a wrong password (hash and API keys) for nothing."""
        stand_in = self._fastapi_stand_in_hash()
        if stand_in:
            self._crypt_context().verify(password or "-", stand_in)
        if password:
            self.env["res.users.apikeys"].sudo()._check_credentials(scope="rpc", key=password)

    @api.model
    @tools.ormcache()
    def _fastapi_stand_in_hash(self):
        # A stored password hash: verifying against it costs what verifying
        # a user's password does, whatever settings the hashes were made with.
        # The result of that verification is never used.
        self.env.cr.execute(
            "SELECT password FROM res_users WHERE active AND COALESCE(password, '') != '' ORDER BY id LIMIT 1"
        )
        row = self.env.cr.fetchone()
        return row[0] if row else None
