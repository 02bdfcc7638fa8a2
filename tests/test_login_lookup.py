# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""res.users._fastapi_user_by_login: the cached credential lookup of API auth."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestLoginLookup(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Users = cls.env["res.users"]
        cls.admin = cls.env.ref("base.user_admin")

    def setUp(self):
        super().setUp()
        self.env.registry.clear_cache()

    def test_known_login_is_cached(self):
        expected = (self.admin.id, self.admin.partner_id.id)
        self.assertEqual(self.Users._fastapi_user_by_login("admin"), expected)
        with self.assertQueryCount(0):
            self.assertEqual(self.Users._fastapi_user_by_login("admin"), expected)

    def test_unknown_login_is_not_cached(self):
        # Made-up credentials must not take the place of real entries.
        self.assertIsNone(self.Users._fastapi_user_by_login("made-up"))
        self.env.invalidate_all()
        queries = self.cr.sql_log_count
        self.assertIsNone(self.Users._fastapi_user_by_login("made-up"))
        self.assertEqual(self.cr.sql_log_count - queries, 1, "the database is asked again")

    def test_user_created_after_a_miss_is_found(self):
        self.assertIsNone(self.Users._fastapi_user_by_login("late_user"))
        user = self.Users.create({"name": "Late", "login": "late_user"})
        self.assertEqual(self.Users._fastapi_user_by_login("late_user"), (user.id, user.partner_id.id))

    def test_archived_user_is_not_found(self):
        user = self.Users.create({"name": "Gone", "login": "gone_user"})
        self.assertTrue(self.Users._fastapi_user_by_login("gone_user"))
        user.active = False
        self.assertIsNone(self.Users._fastapi_user_by_login("gone_user"))
