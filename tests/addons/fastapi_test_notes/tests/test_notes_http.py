# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The notes API through Odoo's HTTP stack: record rules and transactions."""

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestNotesHttp(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice = cls.env.ref("fastapi_test_notes.partner_alice")
        cls.bob = cls.env.ref("fastapi_test_notes.partner_bob")
        cls.Note = cls.env["fastapi.test.note"]
        cls.Note.create({"name": "bob's", "partner_id": cls.bob.id})

    def call(self, method, path, partner_ref="alice-token", headers=(), **kwargs):
        headers = {**({"X-Partner-Ref": partner_ref} if partner_ref else {}), **dict(headers)}
        return self.url_open(f"/test_notes{path}", method=method, headers=headers, **kwargs)

    def notes_named(self, name):
        self.env.invalidate_all()
        return self.Note.search([("name", "=", name)])

    def test_create_commits(self):
        response = self.call("POST", "/notes", json={"name": "committed"})
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(self.notes_named("committed").partner_id, self.alice)

    def test_list_scoped(self):
        self.call("POST", "/notes", json={"name": "alice's"})
        body = self.call("GET", "/notes").json()
        self.assertEqual([item["name"] for item in body["items"]], ["alice's"])
        self.assertEqual(self.call("GET", "/notes", partner_ref=None).status_code, 422)
        self.assertEqual(self.call("GET", "/notes", partner_ref="nobody").status_code, 401)
        # Not the partners without a reference.
        self.assertEqual(self.url_open("/test_notes/notes", headers={"X-Partner-Ref": ""}).status_code, 401)

    def test_record_rule_refuses_other_partner(self):
        with self.assertLogs("odoo.http", "WARNING") as logs:
            response = self.call("POST", "/notes", json={"name": "sneaky", "partner_id": self.bob.id})
        self.assertEqual(response.status_code, 403, response.text)
        # Odoo's message names the runner, its id and the model: the log has it, the client not.
        self.assertEqual(response.json(), {"detail": "Not allowed"})
        self.assertIn("fastapi.test.note", "\n".join(logs.output))
        self.assertFalse(self.notes_named("sneaky"))

    def test_foreign_key_violation_is_a_short_422(self):
        with mute_logger("odoo.http", "odoo.sql_db"):
            response = self.call("POST", "/notes", json={"name": "dangling", "partner_id": 999999})
        self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(response.json(), {"detail": "A related record does not exist."})
        self.assertFalse(self.notes_named("dangling"))

    def test_constraint_violation_is_a_422_in_any_client_language(self):
        # Odoo composes its message in the language it parsed from the
        # header; one not installed made that fail: a 400 before the fix.
        with mute_logger("odoo.http", "odoo.sql_db"):
            response = self.call(
                "POST", "/notes", json={"name": "dangling", "partner_id": 999999}, headers={"Accept-Language": "xx-YY"}
            )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(response.json(), {"detail": "A related record does not exist."})

    def test_lone_surrogate_in_the_body_is_a_422(self):
        # JSON may escape half a UTF-16 pair; echoing it in the 422 failed (a 500 before the fix).
        with mute_logger("odoo.http"):
            response = self.call(
                "POST", "/notes", data=b'{"name": "\\ud800"}', headers={"Content-Type": "application/json"}
            )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(response.json()["detail"][0]["input"], "\\ud800")

    def test_errors_roll_back(self):
        for kind, status in (("user_error", 400), ("http", 418), ("crash", 500)):
            with self.subTest(kind=kind), mute_logger("odoo.http"):
                name = f"rolled back {kind}"
                response = self.call(
                    "POST", f"/notes/then-fail?kind={kind}", json={"name": name, "partner_id": self.bob.id}
                )
                self.assertEqual(response.status_code, status, response.text)
                self.assertEqual(response.headers["Content-Type"], "application/json")
                self.assertFalse(self.notes_named(name), f"{kind}: the write was committed")

    def test_app_exception_handler_answers_and_rolls_back(self):
        response = self.call("POST", "/notes/then-fail?kind=quota", json={"name": "quota", "partner_id": self.bob.id})
        self.assertEqual(response.status_code, 429, response.text)
        self.assertEqual(response.json(), {"detail": "quota exceeded", "limit": 3})
        self.assertFalse(self.notes_named("quota"))

    def test_success_after_write_commits(self):
        response = self.call("POST", "/notes/then-fail?kind=none", json={"name": "kept", "partner_id": self.bob.id})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(self.notes_named("kept"))

    def test_write_on_get_falls_back_to_read_write(self):
        with self.assertLogs("odoo.http", "WARNING") as logs:
            response = self.call("GET", "/notes/write-on-get")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn("read/write cursor", "\n".join(logs.output))
        self.assertTrue(self.notes_named("from a GET"))

    def test_force_readwrite(self):
        self.env.ref("fastapi_test_notes.notes_endpoint").force_readwrite = True
        with self.assertNoLogs("odoo.http", "WARNING"):
            response = self.call("GET", "/notes/write-on-get")
        self.assertEqual(response.status_code, 200, response.text)
