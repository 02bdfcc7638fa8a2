# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What addons written for the OCA fastapi addon use of it, as they use it.

The OCA addon's own tests run unchanged in tools/test-oca; these cover what
the addons built on it (request logging, extendable schemas, endpoint
context, authentication) rely on beyond those tests.
"""

from typing import Annotated
from unittest.mock import patch

from fastapi import Depends
from lxml import etree

from odoo import http
from odoo.api import Environment
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.fastapi import context, dependencies
from odoo.addons.fastapi.fastapi_dispatcher import FastApiDispatcher
from odoo.addons.fastapi.models import FastapiEndpoint
from odoo.addons.fastapi.routers import demo_router

from .common import FastAPITransactionCase


@tagged("post_install", "-at_install")
class TestOcaNames(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Endpoint = cls.env["fastapi.endpoint"]
        cls.demo = cls.env.ref("fastapi.fastapi_endpoint_demo")

    def test_xml_ids(self):
        for xmlid in (
            "fastapi.my_demo_app_user",
            "fastapi.my_demo_app_group",
            "fastapi.fastapi_endpoint_demo",
            "fastapi.fastapi_endpoint_multislash_demo",
            "fastapi.group_fastapi_user",
            "fastapi.group_fastapi_manager",
            "fastapi.group_fastapi_endpoint_runner",
            "fastapi.privilege_fastapi",
            "fastapi.module_category_fastapi",
            "fastapi.fastapi_endpoint_form_view",
            "fastapi.fastapi_endpoint_tree_view",
            "fastapi.fastapi_endpoint_search_view",
            "fastapi.fastapi_endpoint_demo_form_view",
            "fastapi.fastapi_endpoint_act_window",
            "fastapi.fastapi_endpoint_action_sync_registry",
            "fastapi.fastapi_endpoint_menu",
            "fastapi.menu_fastapi_root",
            "fastapi.fastapi_endpoint_access_view",
            "fastapi.fastapi_endpoint_access_manage",
            "fastapi.res_partner_fastapi_running_user_rule",
        ):
            with self.subTest(xmlid=xmlid):
                self.assertTrue(self.env.ref(xmlid, raise_if_not_found=False), xmlid)
        self.assertEqual(self.demo.user_id, self.env.ref("fastapi.my_demo_app_user"))
        self.assertEqual(self.demo.demo_auth_method, "http_basic")

    def test_form_view_anchors(self):
        # The anchors the OCA ecosystem's views inherit from.
        arch = """
            <data>
                <div name="button_box" position="inside"><field name="route_group"/></div>
                <group name="resoures" position="inside"><field name="registry_sync"/></group>
                <span name="configuration" position="after"><group name="extra"/></span>
                <field name="save_http_session" position="after"><field name="name"/></field>
                <field name="openapi_url" position="after"><field name="app"/></field>
                <header position="inside"><button name="action_sync_registry" type="object" string="Sync"/></header>
            </data>
        """
        self.env["ir.ui.view"].create(
            {
                "name": "inherits by OCA anchors",
                "model": "fastapi.endpoint",
                "inherit_id": self.env.ref("fastapi.fastapi_endpoint_form_view").id,
                "arch": arch,
            }
        )
        form = etree.fromstring(self.Endpoint.get_view(view_type="form")["arch"])
        self.assertTrue(form.xpath("//group[@name='extra']"))

    def test_model_methods(self):
        self.assertIsInstance(self.Endpoint, FastapiEndpoint)
        self.assertEqual(self.Endpoint._get_endpoint("/fastapi_demo/demo/"), self.demo)
        self.assertIsNone(self.Endpoint._get_endpoint("/nothing/here"))
        paths = ["/fastapi", "/fastapi_demo", "/fastapi/v1"]
        self.assertEqual(self.Endpoint._find_first_matching_url_path(paths, "/fastapi/v1/x"), "/fastapi/v1")
        self.assertEqual(self.Endpoint._find_first_matching_url_path(paths, "/fastapi/v2/x"), "/fastapi")
        self.assertIsNone(self.Endpoint._find_first_matching_url_path(paths, "/other"))
        self.assertIsNone(self.demo._handle_registry_sync())
        self.demo.registry_sync = False
        self.demo.action_sync_registry()
        self.assertTrue(self.demo.registry_sync)
        self.assertTrue(self.Endpoint.has_demo_data())
        self.assertEqual(self.Endpoint.get_uid("/fastapi_demo/demo"), self.demo.user_id.id)

    def test_app_lists_the_oca_overrides(self):
        app = self.demo._get_app()
        overrides = app.dependency_overrides
        self.assertEqual(overrides[dependencies.fastapi_endpoint_id](), self.demo.id)
        self.assertEqual(overrides[dependencies.company_id](), self.demo.company_id.id)
        self.assertIn(dependencies.authenticated_partner_impl, overrides)

    def test_reset_app_rebuilds(self):
        version = self.demo.app_version
        self.demo._reset_app()
        self.assertGreater(self.demo.app_version, version)


@tagged("post_install", "-at_install")
class TestOcaDispatcherExtension(HttpCase):
    """A dispatcher extended as the request-logging addon extends it."""

    def setUp(self):
        super().setUp()
        self.seen = seen = {}
        base = http._dispatchers["fastapi"]
        self.addCleanup(http._dispatchers.__setitem__, "fastapi", base)

        class LoggingDispatcher(base):
            routing_type = "fastapi"

            def dispatch(self, endpoint, args):
                environ = self._get_environ()
                seen["body"] = environ["wsgi.input"].read()
                seen["endpoint"] = self.request.env["fastapi.endpoint"].sudo()._get_endpoint(environ["PATH_INFO"])
                try:
                    return super().dispatch(endpoint, args)
                except Exception as exc:
                    seen["exception"] = exc
                    exc.headers = {**(getattr(exc, "headers", None) or {}), "X-Log-Entry": "7"}
                    raise

        self.assertIs(http._dispatchers["fastapi"], LoggingDispatcher)
        self.assertTrue(issubclass(LoggingDispatcher, FastApiDispatcher))

    def test_sees_the_app_exception_and_keeps_its_headers(self):
        response = self.url_open("/fastapi_demo/demo/exception?exception_type=UserError&error_message=refused")
        self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(response.json(), {"detail": "refused"})
        self.assertEqual(response.headers["X-Log-Entry"], "7")
        self.assertIsInstance(self.seen["exception"], UserError)
        self.assertEqual(self.seen["endpoint"], self.env.ref("fastapi.fastapi_endpoint_demo"))

    def test_http_exception_headers_reach_the_client(self):
        response = self.url_open("/fastapi_demo/demo/who_ami")
        self.assertEqual(response.status_code, 401, response.text)
        self.assertEqual(response.headers["WWW-Authenticate"], "Basic")
        self.assertEqual(response.headers["X-Log-Entry"], "7")

    def test_body_readable_before_the_app_and_on_retries(self):
        response = self.url_open(
            "/fastapi_demo/demo/retrying?nbr_retries=2", files={"file": ("a.txt", b"logged body", "text/plain")}
        )
        self.assertEqual(response.json(), {"retries": 2, "file": "logged body"})
        self.assertIn(b"logged body", self.seen["body"])


async def env_knowing_its_endpoint(
    endpoint_id: Annotated[int, Depends(dependencies.fastapi_endpoint_id)],
) -> Environment:
    # An odoo_env override as fastapi_endpoint_context's: it needs the endpoint's id.
    return context.odoo_env_ctx.get()


@tagged("post_install", "-at_install")
class TestOcaTestHelper(FastAPITransactionCase):
    """FastAPITransactionCase as the OCA ecosystem's tests use it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.endpoint = cls.env.ref("fastapi.fastapi_endpoint_demo")
        cls.default_fastapi_router = demo_router
        cls.default_fastapi_running_user = cls.env.ref("fastapi.my_demo_app_user")
        cls.default_fastapi_app = cls.endpoint._get_app()
        cls.default_fastapi_dependency_overrides = {
            key: value
            for key, value in cls.default_fastapi_app.dependency_overrides.items()
            if key is not dependencies.authenticated_partner_impl
        }

    def test_app_overrides_copied_into_the_client(self):
        with self._create_test_client(partner=self.partner_demo) as client:
            response = client.get("/demo/endpoint_app_info")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["id"], self.endpoint.id)

    def test_endpoint_app_with_its_own_overrides_only(self):
        # As fastapi_auth_partner's tests do: the endpoint's app, its overrides
        # copied as they are (authentication included): the routes still get
        # the endpoint and its company, which the dispatcher would provide.
        app = self.endpoint._get_app()
        app.baked_overrides[dependencies.optionally_authenticated_partner_impl] = dependencies.constant(None)
        self.default_fastapi_authenticated_partner = self.env["res.partner"]
        with self._create_test_client(app=app, dependency_overrides=dict(app.baked_overrides)) as client:
            response = client.get("/demo/endpoint_app_info", auth=("demo", "demo"))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["id"], self.endpoint.id)

    def test_app_overrides_replaced_by_the_test_client_are_dropped(self):
        # The client's overrides replace the app's, as FastAPI has it: the
        # app's odoo_env override, written into its routes, no longer applies.
        endpoint_class = type(self.endpoint)
        own_overrides = endpoint_class._get_app_dependencies_overrides

        def overrides_with_env(endpoint):
            return {**own_overrides(endpoint), dependencies.odoo_env: env_knowing_its_endpoint}

        with patch.object(endpoint_class, "_get_app_dependencies_overrides", overrides_with_env):
            app = self.endpoint._get_app()
        self.default_fastapi_dependency_overrides = {}
        overrides = {dependencies.fastapi_endpoint: dependencies.constant(self.endpoint)}
        with self._create_test_client(app=app, dependency_overrides=overrides) as client:
            response = client.get("/demo/lang")
        self.assertEqual(response.status_code, 200, response.text)

    def test_empty_partner_with_an_auth_override(self):
        # OCA's tests set an empty default partner and bring their own auth.
        self.default_fastapi_authenticated_partner = self.env["res.partner"]
        overrides = {dependencies.authenticated_partner_impl: dependencies.authenticated_partner_from_basic_auth_user}
        with self._create_test_client(dependency_overrides=overrides) as client:
            response = client.get("/demo/who_ami", auth=("demo", "demo"))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["name"], self.partner_demo.name)
