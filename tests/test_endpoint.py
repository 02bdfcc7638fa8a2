# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The fastapi.endpoint model, and routing changes through Odoo's HTTP stack."""

import threading

from fastapi import FastAPI
from psycopg2.errors import UniqueViolation

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..bridge import LoopedApp
from ..dispatcher import app_pool, prune_pool
from ..routing import RESERVED_SEGMENTS


@tagged("post_install", "-at_install")
class TestEndpoint(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Endpoint = cls.env["fastapi.endpoint"]
        cls.demo = cls.env.ref("fastapi.fastapi_endpoint_demo")

    def new_endpoint(self, root_path, **vals):
        return self.Endpoint.create(
            {"name": "Test", "app": "demo", "demo_auth_method": "api_key", "root_path": root_path, **vals}
        )

    def test_root_path_normalized(self):
        self.assertEqual(self.new_endpoint(" //api//v1/ ").root_path, "/api/v1")
        endpoint = self.new_endpoint("api2")
        endpoint.root_path = "/api2/x/"
        self.assertEqual(endpoint.root_path, "/api2/x")

    def test_bad_root_paths_refused(self):
        for path in (
            "/",
            "",
            "/web",
            "/web/api",
            "/odoo/x",
            "/website",
            "/json",
            "/jsonrpc",
            "/xmlrpc",
            "/websocket",
            "/a b",
            "/x/static",
            "/web/login",
        ):
            with self.subTest(path=path), self.assertRaises(ValidationError):
                self.new_endpoint(path)

    def test_dot_segments_refused(self):
        for path in ("/x/../web", "/%2e%2e", "/api/%2E", "/a%2fb"):
            with self.subTest(path=path), self.assertRaisesRegex(ValidationError, "'..' segments"):
                self.new_endpoint(path)

    def test_root_path_inside_another_apps_routes_refused(self):
        with self.assertRaisesRegex(ValidationError, "route /demo/? away from endpoint"):
            self.new_endpoint("/fastapi_demo/demo")
        nested = self.new_endpoint("/fastapi_demo/test")
        # The reverse: an app whose routes would cover an endpoint already nested in it.
        nested.root_path = "/outer/demo"
        with self.assertRaisesRegex(ValidationError, "route /demo/? away from endpoint"):
            self.new_endpoint("/outer")

    def test_root_path_shadowing_an_odoo_route_refused(self):
        # Odoo routes outside the reserved first segments are found in the routing map.
        routes = [r for r in self.Endpoint._get_odoo_routes() if r.split("/")[1] not in RESERVED_SEGMENTS]
        self.assertTrue(routes)
        root = "/" + routes[0].split("/")[1]
        with self.assertRaisesRegex(ValidationError, "hide Odoo's route"):
            self.new_endpoint(root)

    def test_root_path_checked_in_a_thread_without_dbname(self):
        # A plain Registry(db) script, or pytest-odoo, runs in a thread Odoo's
        # server never named after a database; ir.http.routing_map reads it.
        route = next(r for r in self.Endpoint._get_odoo_routes() if r.split("/")[1] not in RESERVED_SEGMENTS)
        self.env.registry.clear_cache("routing")
        thread = threading.current_thread()
        if "dbname" in thread.__dict__:
            self.addCleanup(setattr, thread, "dbname", thread.__dict__.pop("dbname"))
        self.assertEqual(self.new_endpoint("/no_dbname").root_path, "/no_dbname")
        with self.assertRaisesRegex(ValidationError, "hide Odoo's route"):
            self.new_endpoint("/" + route.split("/")[1])
        self.assertNotIn("dbname", thread.__dict__)

    def test_root_path_unique(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(UniqueViolation):
            self.new_endpoint("/fastapi_demo")

    def test_urls(self):
        self.assertEqual(self.demo.docs_url, "/fastapi_demo/docs")
        self.assertEqual(self.demo.redoc_url, "/fastapi_demo/redoc")
        self.assertEqual(self.demo.openapi_url, "/fastapi_demo/openapi.json")

    def test_default_user_is_public(self):
        endpoint = self.new_endpoint("/public_api")
        self.assertEqual(endpoint.user_id, self.env.ref("base.public_user"))
        self.assertEqual(endpoint.company_id, endpoint.user_id.company_id)

    def test_run_as_user_checked(self):
        with self.assertRaises(ValidationError):
            self.new_endpoint("/as_root", user_id=self.env.ref("base.user_root").id)
        other = self.env["res.company"].create({"name": "Elsewhere"})
        with self.assertRaises(ValidationError):
            self.new_endpoint("/elsewhere", company_id=other.id)

    def test_write_on_no_endpoint(self):
        self.assertTrue(self.Endpoint.browse().write({"description": "nothing"}))

    def test_app_version_changed_by_relevant_fields_only(self):
        versions = [self.demo.app_version]
        self.demo.name = "Renamed"
        versions.append(self.demo.app_version)
        self.demo.demo_auth_method = "http_basic"
        versions.append(self.demo.app_version)
        self.assertEqual(sorted(set(versions)), versions)
        self.demo.registry_sync = True
        self.assertEqual(self.demo.app_version, versions[-1])

    def test_registry_sync_accepted(self):
        endpoint = self.new_endpoint("/synced", registry_sync=True)
        self.assertTrue(endpoint.registry_sync)

    def test_get_app_and_uid(self):
        app = self.Endpoint.get_app("/fastapi_demo/demo/")
        self.assertEqual(app.title, self.demo.name)
        self.assertEqual(self.Endpoint.get_uid("/fastapi_demo"), self.demo.user_id.id)
        self.assertIsNone(self.Endpoint.get_app("/nowhere"))

    def test_created_endpoint_answers(self):
        self.assertEqual(self.url_open("/created_api/demo/").status_code, 404)
        self.new_endpoint("/created_api")
        response = self.url_open("/created_api/demo/")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"Hello": "World"})

    def test_longest_root_path_wins(self):
        nested = self.new_endpoint("/fastapi_demo/nested", name="Nested")
        spec = self.url_open("/fastapi_demo/nested/openapi.json").json()
        self.assertEqual(spec["info"]["title"], "Nested")
        self.assertEqual(self.url_open("/fastapi_demo/nestedx/openapi.json").status_code, 404)
        self.assertEqual(self.url_open("/fastapi_demo/openapi.json").json()["info"]["title"], self.demo.name)
        nested.unlink()
        self.assertEqual(self.url_open("/fastapi_demo/nested/openapi.json").status_code, 404)

    def test_archived_and_moved_endpoints(self):
        self.demo.active = False
        response = self.url_open("/fastapi_demo/demo/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("text/html", response.headers["Content-Type"])
        self.demo.active = True
        self.demo.root_path = "/moved_demo"
        self.assertEqual(self.url_open("/moved_demo/demo/").json(), {"Hello": "World"})
        self.assertEqual(self.url_open("/fastapi_demo/demo/").status_code, 404)

    def test_app_change_served_at_once(self):
        self.assertEqual(self.url_open("/fastapi_demo/openapi.json").json()["info"]["title"], self.demo.name)
        self.demo.name = "A new title"
        self.assertEqual(self.url_open("/fastapi_demo/openapi.json").json()["info"]["title"], "A new title")

    def test_pool_frees_the_keys_of_dropped_databases(self):
        with app_pool.lease(("dropped_database", "/api"), (0, 0), lambda: LoopedApp(FastAPI())):
            pass
        with app_pool.lease((self.env.cr.dbname, "/gone"), (0, 0), lambda: LoopedApp(FastAPI())):
            pass
        prune_pool(self.env.cr.dbname, self.Endpoint._get_routing_table())
        keys = [entry["key"] for entry in app_pool.stats()["keys"]]
        self.assertNotIn(["dropped_database", "/api"], keys)
        self.assertNotIn([self.env.cr.dbname, "/gone"], keys)
