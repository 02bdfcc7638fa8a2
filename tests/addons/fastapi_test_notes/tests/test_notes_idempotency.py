# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Idempotent routes of the notes API through Odoo's HTTP stack.

Sequential behaviour only: concurrency is shown by the live tests
(tests/standalone/live/test_live_idempotency.py) on committed databases.
"""

import json
import os
import warnings

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons import fastapi as fastapi_addon


@tagged("post_install", "-at_install")
class TestNotesIdempotency(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice = cls.env.ref("fastapi_test_notes.partner_alice")
        cls.endpoint = cls.env.ref("fastapi_test_notes.notes_endpoint")
        cls.Note = cls.env["fastapi.test.note"]
        cls.Key = cls.env["fastapi.idempotency.key"]

    def post(self, path, key=None, partner_ref="alice-token", **kwargs):
        headers = {"X-Partner-Ref": partner_ref}
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.url_open(f"/test_notes{path}", method="POST", headers=headers, **kwargs)

    def notes_named(self, name):
        self.env.invalidate_all()
        return self.Note.search([("name", "=", name)])

    def keys(self, key):
        self.env.invalidate_all()
        return self.Key.search([("key", "=", key)])

    def put(self, note_id, key, name):
        headers = {"X-Partner-Ref": "alice-token", "Idempotency-Key": key}
        return self.url_open(f"/test_notes/notes/{note_id}", method="PUT", headers=headers, json={"name": name})

    def change_elsewhere(self, note, name):
        # The request's writes are in savepoints of its own (subtransactions):
        # the test's write gets another transaction id, as another request's would.
        self.env.invalidate_all()
        note.write({"name": name})
        note.flush_recordset()

    def expire(self, key):
        self.env.cr.execute(
            "UPDATE fastapi_idempotency_key SET expires = expires - interval '2 days' WHERE key = %s", [key]
        )

    def test_retry_replays_without_running(self):
        first = self.post("/notes/once", "k-1", json={"name": "once"})
        self.assertEqual(first.status_code, 201, first.text)
        self.assertNotIn("Idempotent-Replayed", first.headers)
        again = self.post("/notes/once", "k-1", json={"name": "once"})
        self.assertEqual(again.status_code, 201, again.text)
        self.assertEqual(again.json(), first.json())
        self.assertEqual(again.headers["Idempotent-Replayed"], "true")
        self.assertEqual(again.headers["Location"], f"/notes/{first.json()['id']}")
        self.assertEqual(again.headers["Content-Type"], "application/json")
        self.assertEqual(len(self.notes_named("once")), 1)
        stored = self.keys("k-1")
        self.assertEqual((stored.status, stored.state, stored.route), (201, "stored", "POST /test_notes/notes/once"))
        self.assertEqual(stored.caller, f"res.partner:{self.alice.id}")

    def test_other_body_refused(self):
        self.post("/notes/once", "k-2", json={"name": "first body"})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            other = self.post("/notes/once", "k-2", json={"name": "second body"})
        self.assertEqual(other.status_code, 422, other.text)
        self.assertIn("different request", other.json()["detail"])
        self.assertFalse(self.notes_named("second body"))
        # Each refusal logged Starlette's deprecation of a status name, with its stack.
        addon = os.path.dirname(fastapi_addon.__file__)
        self.assertFalse([str(warning.message) for warning in caught if warning.filename.startswith(addon)])

    def test_other_caller_runs_independently(self):
        alice = self.post("/notes/once", "k-3", json={"name": "shared key"})
        bob = self.post("/notes/once", "k-3", partner_ref="bob-token", json={"name": "shared key"})
        self.assertEqual((alice.status_code, bob.status_code), (201, 201))
        self.assertNotIn("Idempotent-Replayed", bob.headers)
        self.assertNotEqual(alice.json()["id"], bob.json()["id"])
        self.assertEqual(len(self.keys("k-3")), 2)

    def test_user_error_stores_nothing(self):
        with mute_logger("odoo.http"):
            for _ in range(2):
                response = self.post("/notes/once/refuse", "k-4", json={"kind": "user_error", "name": "ue"})
                self.assertEqual(response.status_code, 400, response.text)
                self.assertNotIn("Idempotent-Replayed", response.headers)
        self.assertFalse(self.keys("k-4"))
        self.assertFalse(self.notes_named("ue"))

    def test_own_error_answer_replayed_without_its_writes(self):
        first = self.post("/notes/once/refuse", "k-5", json={"kind": "answer", "name": "own 400"})
        self.assertEqual(first.status_code, 400, first.text)
        self.assertIn("refused", first.headers.get("Set-Cookie", ""))
        again = self.post("/notes/once/refuse", "k-5", json={"kind": "answer", "name": "own 400"})
        self.assertEqual((again.status_code, again.json()), (400, {"detail": "refused"}))
        self.assertEqual(again.headers["Idempotent-Replayed"], "true")
        self.assertNotIn("Set-Cookie", again.headers)
        self.assertFalse(self.notes_named("own 400"))
        self.assertEqual(self.keys("k-5").status, 400)

    def test_raised_http_error_replayed(self):
        first = self.post("/notes/once/refuse", "k-6", json={"kind": "http", "name": "http 409"})
        again = self.post("/notes/once/refuse", "k-6", json={"kind": "http", "name": "http 409"})
        self.assertEqual((first.status_code, again.status_code), (409, 409))
        self.assertEqual(again.headers["Idempotent-Replayed"], "true")
        self.assertFalse(self.notes_named("http 409"))

    def test_oversized_answer_not_replayed(self):
        first = self.post("/notes/once/big", "k-7", json={"name": "big"})
        self.assertEqual(first.status_code, 200, first.text)
        again = self.post("/notes/once/big", "k-7", json={"name": "big"})
        self.assertEqual(again.status_code, 409, again.text)
        self.assertIn("cannot be replayed", again.json()["detail"])
        self.assertEqual(len(self.notes_named("big")), 1)

    def test_missing_required_key(self):
        with mute_logger("odoo.addons.fastapi.idempotency.dependency"):
            response = self.post("/notes/once/slow?seconds=0", json={"name": "no key"})
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn("Idempotency-Key", response.json()["detail"])
        self.assertFalse(self.notes_named("no key"))

    def test_bad_keys(self):
        cases = {"": "empty", "x" * 256: "longer", "tab\there": "printable", "\u00e9t\u00e9": "printable"}
        for key, word in cases.items():
            with self.subTest(key=key[:10]), mute_logger("odoo.addons.fastapi.idempotency.dependency"):
                response = self.post("/notes/once", key, json={"name": "bad key"})
                self.assertEqual(response.status_code, 400, response.text)
                self.assertIn(word, response.json()["detail"])
        self.assertFalse(self.notes_named("bad key"))

    def test_quoted_key_is_the_same_key(self):
        self.post("/notes/once", "k-8", json={"name": "quoted"})
        again = self.post("/notes/once", '"k-8"', json={"name": "quoted"})
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")

    def test_get_ignores_the_key(self):
        response = self.url_open(
            "/test_notes/notes", headers={"X-Partner-Ref": "alice-token", "Idempotency-Key": "k-get"}
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertFalse(self.keys("k-get"))

    def test_webhook_key_from_body(self):
        event = {"event_id": "evt_1", "name": "delivered twice"}
        first = self.post("/webhooks/events", json=event)
        again = self.post("/webhooks/events", json=event)
        self.assertEqual((first.status_code, again.status_code), (200, 200))
        self.assertEqual(again.headers["Idempotent-Replayed"], "true")
        self.assertEqual(len(self.notes_named("delivered twice")), 1)
        with mute_logger("odoo.addons.fastapi.idempotency.dependency"):
            no_id = self.post("/webhooks/events", json={"name": "no id"})
        self.assertEqual(no_id.status_code, 400, no_id.text)

    def test_expired_key_runs_again_after_the_cron(self):
        self.post("/notes/once", "k-9", json={"name": "expiring"})
        self.expire("k-9")
        self.assertGreaterEqual(self.Key._gc_expired(), 1)
        self.assertFalse(self.keys("k-9"))
        again = self.post("/notes/once", "k-9", json={"name": "expiring"})
        self.assertEqual(again.status_code, 201, again.text)
        self.assertNotIn("Idempotent-Replayed", again.headers)
        self.assertEqual(len(self.notes_named("expiring")), 2)

    def test_expired_key_runs_again_before_the_cron(self):
        self.post("/notes/once", "k-10", json={"name": "expired"})
        self.expire("k-10")
        again = self.post("/notes/once", "k-10", json={"name": "expired"})
        self.assertNotIn("Idempotent-Replayed", again.headers)
        self.assertEqual(len(self.notes_named("expired")), 2)
        self.assertEqual(len(self.keys("k-10")), 1)

    def test_endpoint_switch(self):
        self.endpoint.idempotent_requests = True
        first = self.post("/notes", "k-11", json={"name": "switched"})
        again = self.post("/notes", "k-11", json={"name": "switched"})
        self.assertEqual((first.status_code, again.status_code), (201, 201))
        self.assertEqual(again.headers["Idempotent-Replayed"], "true")
        self.assertEqual(len(self.notes_named("switched")), 1)
        bob = self.post("/notes", "k-11", partner_ref="bob-token", json={"name": "switched"})
        self.assertEqual(bob.status_code, 201, bob.text)
        self.assertNotIn("Idempotent-Replayed", bob.headers)
        self.assertEqual(len(self.notes_named("switched")), 2)
        plain = self.post("/notes", json={"name": "no key"})
        self.assertEqual(plain.status_code, 201, plain.text)
        # Public routes stay public: the switch authenticates nobody.
        self.assertEqual(self.url_open("/test_notes/openapi.json").status_code, 200)

    def test_put_replayed_while_its_note_is_unchanged(self):
        note = self.Note.create({"name": "to rename", "partner_id": self.alice.id})
        first = self.put(note.id, "k-12", "renamed")
        self.assertEqual(first.status_code, 200, first.text)
        self.assertEqual(first.json()["name"], "renamed")
        again = self.put(note.id, "k-12", "renamed")
        self.assertEqual(again.status_code, 200, again.text)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.json(), first.json())
        stored = json.loads(self.keys("k-12").records)
        self.assertEqual([(model, list(ids)) for model, _table, ids in stored], [("fastapi.test.note", [str(note.id)])])

    def test_put_runs_again_once_its_note_changed(self):
        note = self.Note.create({"name": "to rename", "partner_id": self.alice.id})
        self.put(note.id, "k-13", "renamed")
        self.change_elsewhere(note, "renamed elsewhere")
        again = self.put(note.id, "k-13", "renamed")
        self.assertEqual(again.status_code, 200, again.text)
        self.assertNotIn("Idempotent-Replayed", again.headers)
        self.env.invalidate_all()
        self.assertEqual(note.name, "renamed")
        self.assertEqual(len(self.keys("k-13")), 1)
        # The new answer is stored, and replayed while nothing changes.
        third = self.put(note.id, "k-13", "renamed")
        self.assertEqual(third.headers.get("Idempotent-Replayed"), "true")

    def test_put_of_a_deleted_note_runs_again(self):
        note = self.Note.create({"name": "to delete", "partner_id": self.alice.id})
        self.put(note.id, "k-14", "renamed")
        note.unlink()
        again = self.put(note.id, "k-14", "renamed")
        self.assertEqual(again.status_code, 404, again.text)
        self.assertNotIn("Idempotent-Replayed", again.headers)
        # An error answer depends on no record: it is replayed as it is.
        self.assertFalse(self.keys("k-14").records)

    def test_post_replayed_though_its_note_changed(self):
        first = self.post("/notes/once", "k-15", json={"name": "posted"})
        self.assertEqual(first.status_code, 201, first.text)
        self.change_elsewhere(self.Note.browse(first.json()["id"]), "changed after the POST")
        again = self.post("/notes/once", "k-15", json={"name": "posted"})
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.json(), first.json())
        self.assertFalse(self.keys("k-15").records)

    def operation(self, schema, path, method):
        operation = schema["paths"][path][method]
        header = [p for p in operation.get("parameters", []) if p["name"] == "Idempotency-Key"]
        return header[0] if header else None, operation["responses"]

    def test_openapi_documents_the_key_and_its_answers(self):
        schema = self.url_open("/test_notes/openapi.json").json()
        optional, responses = self.operation(schema, "/notes/once", "post")
        self.assertEqual((optional["in"], optional["required"]), ("header", False))
        self.assertEqual(optional["schema"]["maxLength"], 255)
        detail = responses["409"]["content"]["application/json"]["schema"]
        self.assertEqual(detail["properties"], {"detail": {"type": "string"}})
        self.assertEqual(responses["400"]["content"]["application/json"]["schema"], detail)
        # FastAPI's own 422 (invalid input) or the key's.
        invalid = responses["422"]["content"]["application/json"]["schema"]["anyOf"]
        self.assertEqual(invalid, [{"$ref": "#/components/schemas/HTTPValidationError"}, detail])
        self.assertIn("Retry-After", responses["409"]["headers"])
        required, _ = self.operation(schema, "/notes/once/slow", "post")
        self.assertTrue(required["required"])
        put, responses = self.operation(schema, "/notes/{note_id}", "put")
        self.assertFalse(put["required"])
        # The key from the body: no header, the same answers.
        webhook, responses = self.operation(schema, "/webhooks/events", "post")
        self.assertIsNone(webhook)
        self.assertLessEqual({"400", "409", "422"}, set(responses))
        plain, responses = self.operation(schema, "/notes", "post")
        self.assertIsNone(plain)
        self.assertNotIn("409", responses)

    def test_openapi_documents_the_endpoint_switch(self):
        self.endpoint.idempotent_requests = True
        schema = self.url_open("/test_notes/openapi.json").json()
        switched, responses = self.operation(schema, "/notes", "post")
        self.assertFalse(switched["required"])
        self.assertIn("409", responses)
        read, responses = self.operation(schema, "/notes", "get")
        self.assertIsNone(read)
        self.assertNotIn("409", responses)
