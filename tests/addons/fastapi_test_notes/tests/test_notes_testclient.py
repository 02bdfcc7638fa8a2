# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The notes API through the TestClient helper of the fastapi addon."""

from odoo.tests import tagged

from odoo.addons.fastapi.dependencies import constant, fastapi_endpoint_id
from odoo.addons.fastapi.tests.common import FastAPITransactionCase

from ..routers.notes import router


@tagged("post_install", "-at_install")
class TestNotesTestClient(FastAPITransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice = cls.env.ref("fastapi_test_notes.partner_alice")
        cls.bob = cls.env.ref("fastapi_test_notes.partner_bob")
        cls.runner = cls.env.ref("fastapi_test_notes.notes_runner")
        Note = cls.env["fastapi.test.note"]
        for i in range(3):
            Note.create({"name": f"alice {i}", "partner_id": cls.alice.id})
        Note.create({"name": "bob 0", "partner_id": cls.bob.id})
        cls.default_fastapi_router = router
        cls.default_fastapi_running_user = cls.runner
        # The routes' env is the partner's: in the runner's, record rules apply.
        cls.default_fastapi_authenticated_partner = cls.alice.with_user(cls.runner)

    def test_paged_list_scoped_to_partner(self):
        with self._create_test_client() as client:
            response = client.get("/notes", params={"page": 2, "page_size": 2})
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["count"], 3)
        self.assertEqual([item["name"] for item in body["items"]], ["alice 2"])

    def test_create_for_self(self):
        with self._create_test_client() as client:
            response = client.post("/notes", json={"name": "new"})
        self.assertEqual(response.status_code, 201, response.text)
        note = self.env["fastapi.test.note"].browse(response.json()["id"])
        self.assertEqual(note.partner_id, self.alice)

    def test_create_for_another_partner_refused_by_record_rule(self):
        with self._create_test_client(raise_server_exceptions=False) as client:
            response = client.post("/notes", json={"name": "sneaky", "partner_id": self.bob.id})
        # Odoo checks create rules after the insert: in production the request's
        # rollback removes the row (see test_notes_http); a TestClient has none.
        self.assertEqual(response.status_code, 403, response.text)

    def test_errors_map_like_production(self):
        with self._create_test_client(raise_server_exceptions=False) as client:
            user_error = client.post("/notes/then-fail?kind=user_error", json={"name": "x", "partner_id": self.bob.id})
            crash = client.post("/notes/then-fail?kind=crash", json={"name": "x", "partner_id": self.bob.id})
            invalid = client.post("/notes", json={"nope": 1})
        self.assertEqual((user_error.status_code, user_error.json()), (400, {"detail": "refused"}))
        self.assertEqual((crash.status_code, crash.json()), (500, {"detail": "Internal Server Error"}))
        self.assertEqual(invalid.status_code, 422)

    def test_other_partner(self):
        with self._create_test_client(partner=self.bob.with_user(self.runner)) as client:
            body = client.get("/notes").json()
        self.assertEqual([item["name"] for item in body["items"]], ["bob 0"])

    def test_idempotent_create(self):
        endpoint = self.env.ref("fastapi_test_notes.notes_endpoint")
        overrides = {fastapi_endpoint_id: constant(endpoint.id)}
        headers = {"Idempotency-Key": "tc-1"}
        with self._create_test_client(dependency_overrides=overrides) as client:
            first = client.post("/notes/once", json={"name": "once"}, headers=headers)
            again = client.post("/notes/once", json={"name": "once"}, headers=headers)
            other = client.post("/notes/once", json={"name": "twice"}, headers=headers)
            repeated = client.post(
                "/notes/once", json={"name": "once"}, headers=[("Idempotency-Key", "a"), ("Idempotency-Key", "b")]
            )
        self.assertEqual(first.status_code, 201, first.text)
        self.assertEqual((again.status_code, again.json()), (201, first.json()))
        self.assertEqual(again.headers["Idempotent-Replayed"], "true")
        self.assertEqual(other.status_code, 422, other.text)
        self.assertEqual(repeated.status_code, 400, repeated.text)
        self.assertEqual(self.env["fastapi.test.note"].search_count([("name", "=", "once")]), 1)

    def test_idempotent_put_runs_again_once_its_note_changed(self):
        endpoint = self.env.ref("fastapi_test_notes.notes_endpoint")
        note = self.env["fastapi.test.note"].search([("name", "=", "alice 0")])
        headers = {"Idempotency-Key": "tc-put"}
        with self._create_test_client(dependency_overrides={fastapi_endpoint_id: constant(endpoint.id)}) as client:
            first = client.put(f"/notes/{note.id}", json={"name": "renamed"}, headers=headers)
            replayed = client.put(f"/notes/{note.id}", json={"name": "renamed"}, headers=headers)
            stored = self.env["fastapi.idempotency.key"].search([("key", "=", "tc-put")])
            self.assertIn(f'"{note.id}"', stored.records)
            # A savepoint of its own: this write gets another transaction id,
            # as another request's would.
            with self.env.cr.savepoint():
                note.write({"name": "changed since"})
            again = client.put(f"/notes/{note.id}", json={"name": "renamed"}, headers=headers)
        self.assertEqual(first.status_code, 200, first.text)
        self.assertEqual(replayed.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.status_code, 200, again.text)
        self.assertNotIn("Idempotent-Replayed", again.headers)
        self.assertEqual(note.name, "renamed")
