# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import secrets

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
        self.sudo()._crypt_context().verify(password or "-", self._fastapi_stand_in_hash())
        if password:
            self.env["res.users.apikeys"].sudo()._check_credentials(scope="rpc", key=password)

    @api.model
    @tools.ormcache()
    def _fastapi_stand_in_hash(self):
        # A hash of a secret nobody knows, made with the database's settings:
        # verifying against it costs what verifying a real password does.
        return self.sudo()._crypt_context().hash(secrets.token_urlsafe(32))
