# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""HTTP basic authentication (basic_auth_user) through Odoo's HTTP stack (HttpCase)."""

import base64
import statistics
import time

from odoo.tests import HttpCase, tagged

WHO_AMI = "/fastapi/demo-multi/demo/who_ami"


def basic(login: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}


@tagged("post_install", "-at_install")
class TestBasicAuth(HttpCase):
    def setUp(self):
        super().setUp()
        # Odoo counts login failures per client address in the registry: each
        # test starts with none and leaves none.
        self.addCleanup(self._forget_failures)
        self._forget_failures()

    def _forget_failures(self):
        getattr(self.registry, "_login_failures", {}).pop("127.0.0.1", None)

    def who_ami(self, login, password):
        return self.url_open(WHO_AMI, headers=basic(login, password))

    def assert401(self, response):
        self.assertEqual(response.status_code, 401, response.text)
        self.assertEqual(response.json(), {"detail": "Incorrect username or password"})
        self.assertEqual(response.headers["WWW-Authenticate"], "Basic")

    def test_right_and_wrong(self):
        self.assertEqual(self.who_ami("admin", "admin").status_code, 200)
        self.assert401(self.who_ami("admin", "wrong"))
        self.assert401(self.who_ami("nobody", "admin"))
        self.assert401(self.who_ami("admin", ""))

    def test_login_cooldown_after_failures_even_for_a_cached_password(self):
        self.env["ir.config_parameter"].sudo().set_param("base.login_cooldown_after", "3")
        self.env["ir.config_parameter"].sudo().set_param("base.login_cooldown_duration", "60")
        # The right password, cached from now on.
        self.assertEqual(self.who_ami("admin", "admin").status_code, 200)
        for login in ("admin", "nobody", "admin"):
            self.assert401(self.who_ami(login, "wrong"))
        with self.assertLogs("odoo.addons.base.models.res_users", "WARNING") as logs:
            self.assert401(self.who_ami("admin", "admin"))
        self.assertIn("Login attempt ignored", logs.output[0])
        # Another client address is not on cooldown.
        self._forget_failures()
        self.assertEqual(self.who_ami("admin", "admin").status_code, 200)

    def test_unknown_login_costs_what_a_wrong_password_does(self):
        self.env["ir.config_parameter"].sudo().set_param("base.login_cooldown_after", "0")

        def cost(login):
            timings = []
            for _ in range(3):
                start = time.perf_counter()
                self.assert401(self.who_ami(login, "wrong"))
                timings.append(time.perf_counter() - start)
            return statistics.median(timings)

        wrong_password, unknown_login = cost("admin"), cost("nobody-at-all")
        self.assertGreater(unknown_login, wrong_password * 0.5, f"{unknown_login:.3f}s vs {wrong_password:.3f}s")
