# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo API keys on an endpoint, through Odoo's real HTTP stack (HttpCase); their dependencies in a TestClient."""

import datetime
import logging
import secrets
import time
import tracemalloc
from typing import Annotated
from unittest.mock import patch

from fastapi import Depends, FastAPI

from odoo import Command
from odoo.api import Environment
from odoo.tests import HttpCase, tagged

from ..auth import api_key_auth
from ..auth.api_key import FailureThrottle, VerifiedKey
from ..dependencies import api_key_env, constant, odoo_api_key, odoo_env
from ..routers.api_key_demo_router import router as api_key_demo_router
from .common import FastAPITransactionCase

ROOT = "/test_api_keys"


@tagged("post_install", "-at_install")
class TestApiKeyOverHttp(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = cls.env["res.groups"].create({"name": "API key test readers"})
        cls.user = cls.env["res.users"].create(
            {
                "name": "Key Holder",
                "login": "key_holder",
                "group_ids": [
                    Command.set(
                        [
                            cls.env.ref("base.group_user").id,
                            cls.env.ref("base.group_partner_manager").id,
                            cls.group.id,
                        ]
                    )
                ],
            }
        )
        cls.visible = cls.env["res.partner"].create({"name": "Visible to the key", "ref": "apikey-visible"})
        cls.hidden = cls.env["res.partner"].create({"name": "Hidden from the key"})
        cls.env["ir.rule"].create(
            {
                "name": "API key test: one partner, and users' partners",
                "model_id": cls.env.ref("base.model_res_partner").id,
                "domain_force": "['|', ('ref', '=', 'apikey-visible'), ('user_ids', '!=', False)]",
                "groups": [Command.link(cls.group.id)],
                "perm_create": False,
                "perm_write": False,
                "perm_unlink": False,
            }
        )
        runner = cls.env["res.users"].create(
            {
                "name": "API key endpoint runner",
                "login": "api_key_runner",
                "group_ids": [
                    Command.set(
                        [cls.env.ref("base.group_user").id, cls.env.ref("fastapi.group_fastapi_endpoint_runner").id]
                    )
                ],
            }
        )
        cls.endpoint = cls.env["fastapi.endpoint"].create(
            {
                "name": "API key test",
                "app": "demo",
                "demo_auth_method": "odoo_api_key",
                "root_path": ROOT,
                "user_id": runner.id,
            }
        )
        cls.key = cls.new_key("fastapi")

    def setUp(self):
        super().setUp()
        # Each test its own throttle: failures of one do not throttle the next.
        throttle = patch.object(api_key_auth, "throttle", FailureThrottle())
        throttle.start()
        self.addCleanup(throttle.stop)

    @classmethod
    def new_key(cls, scope, expiration_date=None, user=None):
        keys = cls.env["res.users.apikeys"].with_user(user or cls.user).sudo()
        return keys._generate(scope, "test", expiration_date)

    def _key_id(self, key):
        self.env.cr.execute("SELECT id FROM res_users_apikeys WHERE index = %s", [key[:8]])
        return self.env.cr.fetchone()[0]

    def get(self, path, key=None, headers=None):
        headers = dict(headers or {})
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        self.env.flush_all()
        return self.url_open(ROOT + path, headers=headers, allow_redirects=False)

    def assertOk(self, response):
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def assertRefused(self, response):
        self.assertEqual(response.status_code, 401, response.text)
        self.assertEqual(response.headers["WWW-Authenticate"], "Bearer")
        self.assertEqual(response.headers["Content-Type"], "application/json")
        self.assertIn(response.json()["detail"], ("Invalid API key", "Missing API key"))

    def test_valid_key_runs_as_its_user(self):
        self.assertEqual(self.assertOk(self.get("/me", self.key)), {"id": self.user.id, "login": "key_holder"})
        # The record rule of the key's user decides which partners it reads.
        found = {p["id"] for p in self.assertOk(self.get("/partners?limit=1000", self.key))}
        self.assertIn(self.visible.id, found)
        self.assertNotIn(self.hidden.id, found)
        self.assertOk(self.get(f"/partners/{self.visible.id}", self.key))
        self.assertEqual(self.get(f"/partners/{self.hidden.id}", self.key).status_code, 403)

    def test_partner_that_does_not_exist_is_a_404(self):
        # read() of a missing id returns no row: a 500 before the fix.
        missing = self.env["res.partner"].search([], order="id desc", limit=1).id + 1000
        for partner_id in (missing, 0, 2**63):
            with self.subTest(partner_id=partner_id):
                response = self.get(f"/partners/{partner_id}", self.key)
                self.assertEqual(response.status_code, 404, response.text)
                self.assertEqual(response.json(), {"detail": "Partner not found"})

    def test_partner_variant_plugs_into_authenticated_partner(self):
        body = self.assertOk(self.get("/demo/who_ami", self.key))
        self.assertEqual(body["name"], "Key Holder")
        body = self.assertOk(self.get("/demo/authenticated", self.key))
        self.assertEqual(body["partner_id"], self.user.partner_id.id)

    def test_bearer_scheme_in_any_case(self):
        response = self.url_open(ROOT + "/me", headers={"Authorization": f"bearer {self.key}"})
        self.assertOk(response)

    def test_create_as_the_key_user(self):
        response = self.url_open(
            ROOT + "/partners", json={"name": "Made with a key"}, headers={"Authorization": f"Bearer {self.key}"}
        )
        self.assertEqual(response.status_code, 201, response.text)
        partner = self.env["res.partner"].browse(response.json()["id"])
        self.assertEqual(partner.create_uid, self.user)

    def test_value_too_large_for_the_database_is_a_422(self):
        # PostgreSQL refuses a name its index cannot hold (program limit
        # exceeded): the client's value, a 500 before the fix.
        for name in (secrets.token_hex(1500), secrets.token_hex(10_000)):
            with self.subTest(length=len(name)):
                response = self.url_open(
                    ROOT + "/partners", json={"name": name}, headers={"Authorization": f"Bearer {self.key}"}
                )
                self.assertEqual(response.status_code, 422, response.text[:200])
                self.assertEqual(response.json(), {"detail": "A value is too large to be stored."})
                self.assertFalse(self.env["res.partner"].search_count([("name", "=", name)]))

    def test_missing_and_wrong_keys(self):
        self.assertRefused(self.get("/me"))
        self.assertRefused(self.get("/me", secrets.token_hex(20)))
        # The right index, the wrong rest: a hash is paid, the key refused.
        self.assertRefused(self.get("/me", self.key[:8] + secrets.token_hex(16)))
        self.assertRefused(self.get("/me", "x" * 5000))
        self.assertRefused(self.get("/me", headers={"Authorization": "Basic " + self.key}))

    def test_scope(self):
        self.assertRefused(self.get("/me", self.new_key("rpc")))
        # Keys without a scope open every endpoint, as in Odoo.
        self.assertOk(self.get("/me", self.new_key(None)))
        other = self.new_key("other")
        self.endpoint.api_key_scope = "other"
        self.assertOk(self.get("/me", other))
        self.assertRefused(self.get("/me", self.key))

    def test_expired_key(self):
        past = datetime.datetime.now() - datetime.timedelta(days=1)
        self.assertRefused(self.get("/me", self.new_key("fastapi", past)))

    def test_expiry_to_the_second(self):
        soon = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(seconds=1.5)
        key = self.new_key("fastapi", soon)
        self.assertOk(self.get("/me", key))
        time.sleep(2)
        # Remembered by the worker, and refused all the same.
        self.assertRefused(self.get("/me", key))

    def test_archived_user(self):
        self.assertOk(self.get("/me", self.key))
        self.user.active = False
        self.assertRefused(self.get("/me", self.key))

    def test_revoked_key(self):
        self.assertOk(self.get("/me", self.key))
        self.env["res.users.apikeys"].browse(self._key_id(self.key)).with_user(self.user)._remove()
        self.assertRefused(self.get("/me", self.key))

    def test_scope_changed(self):
        self.assertOk(self.get("/me", self.key))
        self.env["res.users.apikeys"].sudo().browse(self._key_id(self.key)).write({"scope": "rpc"})
        self.assertRefused(self.get("/me", self.key))

    def test_api_key_header_is_an_option_of_the_endpoint(self):
        self.assertRefused(self.get("/me", headers={"api-key": self.key}))
        self.endpoint.api_key_header = True
        self.assertOk(self.get("/me", headers={"api-key": self.key}))

    def test_verified_key_is_remembered(self):
        self.assertOk(self.get("/me", self.key))
        with patch("odoo.addons.fastapi.models.res_users_apikeys.KEY_CRYPT_CONTEXT") as crypt:
            self.assertOk(self.get("/me", self.key))
        crypt.verify.assert_not_called()

    def test_unknown_index_costs_no_hash(self):
        with patch("odoo.addons.fastapi.models.res_users_apikeys.KEY_CRYPT_CONTEXT") as crypt:
            self.assertRefused(self.get("/me", "zz" + secrets.token_hex(19)))
        crypt.verify.assert_not_called()

    def test_failures_are_throttled_per_address(self):
        self.assertOk(self.get("/me", self.key))
        limit = api_key_auth.throttle.limit
        with self.assertLogs("odoo.addons.fastapi.auth.api_key_auth", "WARNING") as logs:
            for _ in range(limit):
                self.assertRefused(self.get("/me", secrets.token_hex(20)))
        self.assertEqual(len(logs.output), limit)
        self.assertIn("further attempts", logs.output[-1])
        throttled = self.get("/me", secrets.token_hex(20))
        self.assertEqual(throttled.status_code, 429, throttled.text)
        self.assertTrue(int(throttled.headers["Retry-After"]) > 0)
        # A key this worker verified before still opens the door.
        self.assertOk(self.get("/me", self.key))
        # Another address is not throttled.
        self.assertEqual(api_key_auth.throttle.retry_after("192.0.2.1"), 0)

    def test_key_is_never_logged(self):
        wrong = self.key[:8] + secrets.token_hex(16)
        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger("odoo").setLevel(logging.DEBUG)
            self.addCleanup(logging.getLogger("odoo").setLevel, logging.INFO)
            self.assertOk(self.get("/me", self.key))
            self.assertRefused(self.get("/me", wrong))
            self.assertRefused(self.get("/me", self.key + "0"))
        text = "\n".join(logs.output)
        self.assertIn(wrong[:8], text)
        self.assertNotIn(self.key, text)
        self.assertNotIn(wrong, text)

    def test_random_keys_leave_memory_flat(self):
        endpoint_id = self.endpoint.id
        caches = self.registry._Registry__caches["default"]
        verify = api_key_auth.verify

        def attempt():
            # Each request has a transaction of its own in a server, and
            # with it the set of ormcache keys it looked up: here, one for all.
            self.env.cr.cache.pop("_ormcache_lookups", None)
            try:
                verify(self.env, endpoint_id, "198.51.100.7", f"Bearer {secrets.token_hex(20)}", None)
            except Exception as exc:  # noqa: BLE001 - the refusal is the point
                assert getattr(exc, "status_code", None) == 401, exc

        # No throttling here: every key is looked up, as a new one would be.
        with (
            patch.object(api_key_auth, "throttle", FailureThrottle(limit=10**6, window=1e-6)),
            # A mock would keep every call: a function keeps nothing.
            patch.object(api_key_auth._logger, "warning", lambda *args, **kwargs: None),
        ):
            for _ in range(200):
                attempt()
            cached = len(caches)
            tracemalloc.start()
            try:
                before = tracemalloc.get_traced_memory()[0]
                for _ in range(10_000):
                    attempt()
                growth = tracemalloc.get_traced_memory()[0] - before
            finally:
                tracemalloc.stop()
        self.assertEqual(len(caches), cached)
        self.assertLess(growth, 64 * 1024, f"{growth} bytes kept after 10,000 random keys")

    def test_endpoint_button_opens_odoo_wizard_with_the_scope(self):
        action = self.endpoint.action_new_api_key()
        self.assertEqual(action["res_model"], "res.users.apikeys.description")
        self.assertEqual(action["context"], {"fastapi_api_key_scope": "fastapi"})
        keys = self.env["res.users.apikeys"].with_user(self.user).sudo().with_context(action["context"])
        key = keys._generate(None, "from the form", None)
        self.assertEqual(self.env["res.users.apikeys"].sudo().browse(self._key_id(key)).scope, "fastapi")
        self.assertOk(self.get("/me", key))

    def test_docs_offer_the_bearer_scheme(self):
        spec = self.url_open(ROOT + "/openapi.json").json()
        self.assertEqual(
            spec["components"]["securitySchemes"],
            {"HTTPBearer": {"type": "http", "scheme": "bearer", "description": "An Odoo API key."}},
        )
        for path in ("/me", "/partners/{partner_id}", "/demo/who_ami"):
            self.assertEqual(spec["paths"][path]["get"]["security"], [{"HTTPBearer": []}], path)


@tagged("post_install", "-at_install")
class TestApiKeyDependencies(FastAPITransactionCase):
    """The API-key dependencies in a TestClient: their overrides keep working."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.default_fastapi_router = api_key_demo_router
        cls.holder = cls.env["res.users"].create(
            {"name": "Key Holder", "login": "dependency_key_holder", "lang": "en_US"}
        )
        cls.verified = VerifiedKey(cls.holder.id, cls.holder.partner_id.id, None, None)

    def test_override_of_odoo_api_key_reaches_api_key_env(self):
        with self._create_test_client(dependency_overrides={odoo_api_key: constant(self.verified)}) as client:
            response = client.get("/me")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"id": self.holder.id, "login": "dependency_key_holder"})

    def test_odoo_env_shapes_the_env_of_the_key_user(self):
        seen = {}

        async def marked_env():
            return self.env(context=dict(self.env.context, marked=True))

        def record(env: Annotated[Environment, Depends(api_key_env)]) -> None:
            seen.update(uid=env.uid, marked=env.context.get("marked"))

        app = FastAPI()
        app.get("/probe")(record)
        overrides = {odoo_api_key: constant(self.verified), odoo_env: marked_env}
        with self._create_test_client(app=app, dependency_overrides=overrides) as client:
            self.assertEqual(client.get("/probe").status_code, 200)
        self.assertEqual(seen, {"uid": self.holder.id, "marked": True})
