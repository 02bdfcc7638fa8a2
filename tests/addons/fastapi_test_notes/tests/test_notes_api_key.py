# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The notes API with Odoo API keys: the caller is the key's user's partner."""

from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestNotesApiKey(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = cls.env["res.users"].create(
            {
                "name": "Note Taker",
                "login": "note_taker",
                "group_ids": [Command.set([cls.env.ref("base.group_user").id])],
            }
        )
        keys = cls.env["res.users.apikeys"].with_user(cls.user).sudo()
        # How the endpoint form's button issues a key: Odoo's wizard, with the endpoint's scope.
        action = cls.env.ref("fastapi_test_notes.notes_api_key_endpoint").action_new_api_key()
        cls.key = keys.with_context(action["context"])._generate(None, "notes", None)
        cls.other_scope_key = keys._generate("fastapi", "demo", None)
        cls.env["fastapi.test.note"].create(
            {"name": "bob's", "partner_id": cls.env.ref("fastapi_test_notes.partner_bob").id}
        )

    def call(self, method, path, headers, **kwargs):
        return self.url_open(f"/test_notes_keys{path}", method=method, headers=headers, **kwargs)

    def test_notes_of_the_key_user(self):
        for headers in ({"Authorization": f"Bearer {self.key}"}, {"api-key": self.key}):
            response = self.call("POST", "/notes", headers, json={"name": "with a key"})
            self.assertEqual(response.status_code, 201, response.text)
            self.assertEqual(response.json()["partner_id"], self.user.partner_id.id)
        body = self.call("GET", "/notes", {"api-key": self.key}).json()
        # The record rule on authenticated_partner_id: bob's note is not listed.
        self.assertEqual([item["name"] for item in body["items"]], ["with a key", "with a key"])

    def test_key_of_another_scope_refused(self):
        response = self.call("GET", "/notes", {"Authorization": f"Bearer {self.other_scope_key}"})
        self.assertEqual(response.status_code, 401, response.text)
        self.assertEqual(response.headers["WWW-Authenticate"], "Bearer")
